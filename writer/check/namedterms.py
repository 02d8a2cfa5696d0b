"""Names no fact sheet holds, read from prose so that naming one is a claim: HPO phenotypes
("azoospermia", "chronic sinusitis": a sheet holds only their count) and drugs ("ivacaftor").

The fact store keeps them in ``term_names`` by kind (written by ``writer.sources.hpo`` and
``writer.sources.drugs``), in the forms of ``writer.check.diseases``; each kind is a
``NameList`` and is found in a text the way disease names are.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from writer.check import vocabulary
from writer.check.diseases import EMPTY, NameList

KINDS = ("phenotype", "drug")


@dataclass(frozen=True)
class NamedTerms:
    phenotypes: NameList = EMPTY
    drugs: NameList = EMPTY

    def of(self, kind: str) -> NameList:
        return self.phenotypes if kind == "phenotype" else self.drugs


NONE = NamedTerms()


def _read(conn: sqlite3.Connection) -> NamedTerms:
    lists = {}
    for kind in KINDS:
        rows = conn.execute("SELECT form, term_id, name, '' FROM term_names WHERE kind=?",
                            (kind,)).fetchall()
        lists[kind] = NameList(rows)
    return NamedTerms(phenotypes=lists["phenotype"], drugs=lists["drug"])


def from_store(path: Path | None) -> NamedTerms:
    """The phenotype and drug names of the fact store at ``path`` (none when it has none)."""
    if path is None:
        return NONE
    return vocabulary.from_store("named terms", path, _read, NONE)
