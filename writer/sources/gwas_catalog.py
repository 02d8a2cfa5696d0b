"""NHGRI-EBI GWAS Catalog: the traits a gene's variants are associated with, and the disease
categories above them in the Mondo Disease Ontology.

Files (whole genome, ``writer data sync --online --source gwas-catalog``):

- ``gwas-catalog-associations_ontology-annotated.tsv`` (the "alternative" download, v1.0.2:
  38 tab-separated columns with a header), read by column name: ``MAPPED_GENE``,
  ``MAPPED_TRAIT``, ``MAPPED_TRAIT_URI``, ``P-VALUE``, ``STUDY ACCESSION``. A missing column
  stops the sync naming it. As the recorded rows show, ``MAPPED_GENE`` joins the genes of a
  multi-SNP row with ``"; "`` (``PAX5; PAX5``) and writes an intergenic variant's flanking
  genes as ``LY86 - BTF3P7``; genes overlapping one variant are joined with ``", "``. A row
  counts once for every distinct symbol it maps to, flanking genes included (as the REST
  API's ``mapped_genes`` lists them). ``MAPPED_TRAIT_URI`` may hold several URIs
  (``", "``); ``P-VALUE`` is text such as ``4E-8``.
- ``mondo.obo`` (Mondo, OBO 1.2): ``id``, ``name``, ``is_a``, ``xref: EFO:...`` and
  ``is_obsolete`` of each ``[Term]``. A trait is a *disease* when its term (a ``MONDO_``
  URI, or an ``EFO_`` URI that a Mondo term cross-references) lies under Mondo's root
  ``MONDO:0000001`` (disease); every other trait (a measurement, a phenotype) is listed
  apart. The recorded Mondo sample simplifies ``is_a`` and shows no ``xref`` lines, so the
  parser follows the OBO 1.2 format the sample and ``go-basic.obo`` share, with ``xref``
  values as Mondo publishes them (``xref: EFO:0000537 {source="..."}``), not yet checked
  against a full file.

Per gene on demand (``writer facts GENE --online``): the REST API v2,
``/gwas/rest/api/v2/associations?mapped_gene=SYMBOL`` (HAL pages: ``_embedded.associations``,
``_links.next``), each association with ``efo_traits`` (``efo_id``, ``efo_trait``),
``pvalue_mantissa`` / ``pvalue_exponent``, ``accession_id`` and ``mapped_genes``; the
categories come from the same ``mondo.obo``.

Facts (source ``gwas-catalog``):
- ``disease.gwas_diseases`` / ``disease.gwas_traits``: the traits, diseases apart from the
  others, each with its number of associations (``value``), best p-value (``p_value``), its
  ontology ID and its GWAS Catalog page, most associations first;
- ``disease.gwas_categories``: the Mondo ancestors of the disease traits (the root aside),
  each with the number of the gene's disease traits under it, most first, general first;
- ``disease.gwas_association_count``, ``disease.gwas_study_count``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from writer.errors import SyncError
from writer.factsheet import Item, Link
from writer.sources.online import (
    FactCollector,
    FetchContext,
    GeneRef,
    OnlineSource,
    Remote,
    SyncContext,
    json_field,
    open_lines,
    parse_json,
    read_table,
    refresh_file,
)
from writer.store import StoreBuilder

SOURCE_ID = "gwas-catalog"
ASSOCIATIONS = Remote("gwas-catalog-associations",
                      "https://www.ebi.ac.uk/gwas/api/search/downloads/alternative")
MONDO = Remote("mondo", "https://purl.obolibrary.org/obo/mondo.obo")
API = "https://www.ebi.ac.uk/gwas/rest/api/v2/associations"
PAGE_SIZE = 200
MAX_PAGES = 100  # 20,000 associations: more than any gene has; a server ignoring the filter
ROOT = "MONDO:0000001"  # disease
COLUMNS = ("MAPPED_GENE", "MAPPED_TRAIT", "MAPPED_TRAIT_URI", "P-VALUE", "STUDY ACCESSION")
_TRAIT_ID = re.compile(r"([A-Za-z]+)_(\d+)$")
_GENE_SPLIT = re.compile(r";\s*|\s+-\s+|,\s*")


# --- links ---------------------------------------------------------------------------------------
def trait_page(trait_id: str) -> str:
    return f"https://www.ebi.ac.uk/gwas/efotraits/{trait_id}"


def trait_uri(trait_id: str) -> str:
    """The ontology URI of a GWAS trait ID (``EFO_0000537``, ``MONDO_0005404``)."""
    if trait_id.startswith("EFO_"):
        return f"http://www.ebi.ac.uk/efo/{trait_id}"
    return f"http://purl.obolibrary.org/obo/{trait_id}"


def gene_page(symbol: str) -> Link:
    return Link(label="GWAS Catalog", url=f"https://www.ebi.ac.uk/gwas/genes/{quote(symbol)}")


def trait_id_of(uri: str, where: str) -> str:
    m = _TRAIT_ID.search(uri.strip().rstrip("/"))
    if m is None:
        raise SyncError(f"{where}: {uri!r} is not an ontology term URI (…/EFO_0000537)")
    return f"{m.group(1).upper()}_{m.group(2)}"


def parse_p_value(text: str, where: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise SyncError(f"{where}: P-VALUE {text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise SyncError(f"{where}: P-VALUE {text!r} is not between 0 and 1")
    return value


# --- the ontology --------------------------------------------------------------------------------
@dataclass
class Ontology:
    names: dict[str, str] = field(default_factory=dict)  # MONDO:0005404 -> name
    parents: dict[str, set[str]] = field(default_factory=dict)
    by_xref: dict[str, list[str]] = field(default_factory=dict)  # EFO:0000537 -> Mondo IDs
    version: str = ""
    _ancestors: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _depth: dict[str, int] = field(default_factory=dict, repr=False)

    def term(self, trait_id: str) -> str | None:
        """The Mondo term of a GWAS trait ID (``MONDO_0005404``, or an EFO one Mondo maps)."""
        curie = trait_id.replace("_", ":", 1)
        if curie in self.names:
            return curie
        mapped = sorted(self.by_xref.get(curie, ()))
        return mapped[0] if mapped else None

    def ancestors(self, term: str) -> frozenset[str]:
        """Every ancestor of ``term`` (computed once per term: genes share traits)."""
        known = self._ancestors.get(term)
        if known is not None:
            return known
        seen: set[str] = set()
        stack = [term]
        while stack:
            node = stack.pop()
            for up in self.parents.get(node, ()):
                if up not in seen:
                    seen.add(up)
                    stack.append(up)
        self._ancestors[term] = frozenset(seen)
        return self._ancestors[term]

    def depth(self, term: str) -> int:
        """Levels below the root on the shortest path (computed once per term)."""
        if term in self._depth:
            return self._depth[term]
        level, frontier, seen = 0, {term}, {term}
        while frontier and ROOT not in frontier:
            frontier = {p for t in frontier for p in self.parents.get(t, ())} - seen
            seen |= frontier
            level += 1
        self._depth[term] = level
        return level

    def is_disease(self, term: str | None) -> bool:
        return term is not None and (term == ROOT or ROOT in self.ancestors(term))


def read_obo(path: Path) -> Ontology:
    """Mondo's terms (not the obsolete ones): names, ``is_a`` parents, EFO cross-references."""
    onto = Ontology()
    stanza: dict[str, list[str]] = {}
    kind = ""

    def close() -> None:
        if kind != "Term" or not stanza:
            return
        term_id = stanza.get("id", [""])[0]
        if not term_id:
            raise SyncError(f"{MONDO.name}: a [Term] without 'id'")
        if stanza.get("is_obsolete", ["false"])[0] == "true":
            return
        if "name" not in stanza:
            raise SyncError(f"{MONDO.name}: term {term_id} without 'name'")
        onto.names[term_id] = stanza["name"][0]
        onto.parents[term_id] = {v.split("!", 1)[0].split("{", 1)[0].strip()
                                 for v in stanza.get("is_a", ())}
        for xref in stanza.get("xref", ()):
            target = xref.split("{", 1)[0].split(" ", 1)[0].strip()
            if target.startswith("EFO:"):
                onto.by_xref.setdefault(target, []).append(term_id)

    for line in open_lines(path):
        if line.startswith("["):
            close()
            kind, stanza = line.strip("[] "), {}
            continue
        tag, sep, value = line.partition(": ")
        if not sep:
            continue
        if not kind and tag == "data-version":  # "releases/2026-10-06" or a release IRI
            date = re.search(r"\d{4}-\d{2}-\d{2}", value)
            onto.version = date.group(0) if date else value.strip()
        elif kind:
            stanza.setdefault(tag, []).append(value.strip())
    close()
    if not onto.names:
        raise SyncError(f"{MONDO.name}: no [Term] stanzas; the file format changed")
    return onto


# --- associations --------------------------------------------------------------------------------
@dataclass
class Tally:
    """One gene's associations: per trait ID its name, count and best p-value; its studies."""

    traits: dict[str, list[Any]] = field(default_factory=dict)  # id -> [name, count, best p]
    studies: set[str] = field(default_factory=set)
    associations: int = 0

    def add(self, trait_id: str, name: str, p_value: float) -> None:
        entry = self.traits.setdefault(trait_id, [name, 0, p_value])
        entry[1] += 1
        entry[2] = min(entry[2], p_value)


def mapped_symbols(text: str) -> set[str]:
    """The distinct genes of a ``MAPPED_GENE`` cell (multi-SNP ``"; "``, intergenic
    ``" - "``, overlapping ``", "``); ``NR`` and empty cells map to none."""
    return {s for s in (p.strip() for p in _GENE_SPLIT.split(text)) if s and s != "NR"}


def traits_of(names: str, uris: str, where: str) -> list[tuple[str, str]]:
    """(trait ID, name) pairs of one row: one URI takes the whole name; several pair up with
    the names split at ", " when the counts agree, else each is named by its ID."""
    ids = [trait_id_of(u, where) for u in uris.split(",") if u.strip()]
    if len(ids) == 1:
        return [(ids[0], names.strip())]
    parts = [n.strip() for n in names.split(", ")]
    if len(parts) == len(ids):
        return list(zip(ids, parts, strict=True))
    return [(i, i) for i in ids]


def read_associations(path: Path, only: set[str] | None = None) -> dict[str, Tally]:
    """Gene symbol -> its tally, from the bulk file (``only``: just these symbols)."""
    out: dict[str, Tally] = defaultdict(Tally)
    where = ASSOCIATIONS.name
    for number, row in enumerate(read_table(path, COLUMNS, where), 2):
        symbols = mapped_symbols(row["MAPPED_GENE"])
        if only is not None:
            symbols &= only
        if not symbols or not row["MAPPED_TRAIT_URI"].strip():
            continue
        at = f"{where} line {number}"
        p_value = parse_p_value(row["P-VALUE"], at)
        pairs = traits_of(row["MAPPED_TRAIT"], row["MAPPED_TRAIT_URI"], at)
        for symbol in symbols:
            tally = out[symbol]
            tally.associations += 1
            tally.studies.add(row["STUDY ACCESSION"])
            for trait_id, name in pairs:
                tally.add(trait_id, name, p_value)
    return out


def parse_page(body: bytes, where: str) -> tuple[list[dict[str, Any]], str | None]:
    """The associations of one REST API v2 page and the URL of the next one."""
    data = parse_json(body, where)
    embedded = data.get("_embedded", {}) if isinstance(data, dict) else None
    if embedded is None:
        raise SyncError(f"{where}: the answer is not a HAL page")
    rows = embedded.get("associations", []) if embedded else []
    nxt = data.get("_links", {}).get("next", {}).get("href")
    return rows, nxt


def tally_api(rows: Iterable[dict[str, Any]], symbol: str, where: str) -> Tally:
    tally = Tally()
    for row in rows:
        genes = {g.upper() for g in json_field(row, "mapped_genes", where)}
        if symbol.upper() not in genes:
            continue  # the filter is the server's; keep only what it says it matched
        mantissa = json_field(row, "pvalue_mantissa", where)
        exponent = json_field(row, "pvalue_exponent", where)
        p_value = parse_p_value(f"{mantissa}e{exponent}", where)
        tally.associations += 1
        tally.studies.add(str(json_field(row, "accession_id", where)))
        for trait in json_field(row, "efo_traits", where):
            trait_id = trait_id_of(str(json_field(trait, "efo_id", where)), where)
            tally.add(trait_id, str(json_field(trait, "efo_trait", where)), p_value)
    return tally


# --- facts ---------------------------------------------------------------------------------------
def _trait_item(trait_id: str, entry: list[Any]) -> Item:
    name, count, best = entry
    return Item(name=name, id=trait_id, value=count, unit="associations", p_value=best,
                url=trait_page(trait_id))


def write_gene(sink: StoreBuilder | FactCollector, gid: int, symbol: str, tally: Tally,
               onto: Ontology) -> None:
    if not tally.associations:
        return
    diseases: list[Item] = []
    others: list[Item] = []
    under: dict[str, set[str]] = defaultdict(set)
    order = sorted(tally.traits.items(), key=lambda kv: (-kv[1][1], kv[1][2], kv[1][0].lower()))
    for trait_id, entry in order:
        term = onto.term(trait_id)
        if onto.is_disease(term):
            diseases.append(_trait_item(trait_id, entry))
            for ancestor in onto.ancestors(term):  # type: ignore[arg-type]
                if ancestor != ROOT and ancestor != term:
                    under[ancestor].add(trait_id)
        else:
            others.append(_trait_item(trait_id, entry))
    links = (gene_page(symbol),)
    if diseases:
        sink.add_fact(gid, "disease.gwas_diseases", tuple(diseases), source=SOURCE_ID,
                      links=links)
    if others:
        sink.add_fact(gid, "disease.gwas_traits", tuple(others), source=SOURCE_ID, links=links)
    if under:
        cats = sorted(under, key=lambda t: (-len(under[t]), onto.depth(t), onto.names[t]))
        items = tuple(Item(name=onto.names[t], id=t, value=len(under[t]), unit="diseases",
                           url=trait_uri(t.replace(":", "_"))) for t in cats)
        sink.add_fact(gid, "disease.gwas_categories", items, source=SOURCE_ID,
                      links=(Link(label="Mondo", url="https://mondo.monarchinitiative.org/"),))
    sink.add_fact(gid, "disease.gwas_association_count", tally.associations, source=SOURCE_ID,
                  links=links)
    sink.add_fact(gid, "disease.gwas_study_count", len(tally.studies), source=SOURCE_ID,
                  links=links)


def _version(files: dict[str, Any], onto: Ontology) -> str:
    assoc = files[ASSOCIATIONS.name].release or "undated"
    return f"associations file of {assoc}; Mondo {onto.version or 'undated'}"


def load(ctx: SyncContext) -> None:
    onto = read_obo(ctx.files[MONDO.name].path)
    ctx.versions.append(_version(ctx.files, onto))
    by_symbol = ctx.builder.gene_ids_by("symbol")
    tallies = read_associations(ctx.files[ASSOCIATIONS.name].path)
    for symbol in ctx.progress.iterate(sorted(tallies), "genes"):
        ids = by_symbol.get(symbol.upper(), [])
        if len(ids) == 1:  # the Catalog names genes by symbol only: an ambiguous one is skipped
            write_gene(ctx.builder, ids[0], symbol, tallies[symbol], onto)


def fetch(gene: GeneRef, ctx: FetchContext, sink: FactCollector) -> None:
    mondo = refresh_file(ctx.fetcher, MONDO, ctx.work_dir / MONDO.url.rsplit("/", 1)[-1])
    onto = read_obo(mondo.path)
    url: str | None = f"{API}?mapped_gene={quote(gene.symbol)}&page=0&size={PAGE_SIZE}"
    rows: list[dict[str, Any]] = []
    retrieved = []
    for _ in range(MAX_PAGES):
        answer = ctx.fetcher.get(url)  # type: ignore[arg-type]
        retrieved.append(answer.retrieved_at)
        page, url = parse_page(answer.content, "GWAS Catalog REST API v2")
        rows.extend(page)
        if url is None:
            break
    else:
        raise SyncError(f"GWAS Catalog REST API v2: more than {MAX_PAGES} pages for "
                        f"{gene.symbol}; the mapped_gene filter was not applied")
    write_gene(sink, gene.gene_id, gene.symbol,
               tally_api(rows, gene.symbol, "GWAS Catalog REST API v2"), onto)
    ctx.scratch.setdefault("retrieved", {})[SOURCE_ID] = min([*retrieved, mondo.retrieved_at])


SOURCE = OnlineSource(
    id=SOURCE_ID, files=(ASSOCIATIONS, MONDO),
    provides=("disease.gwas_diseases", "disease.gwas_traits", "disease.gwas_categories",
              "disease.gwas_association_count", "disease.gwas_study_count"),
    load=load, fetch=fetch,
)
