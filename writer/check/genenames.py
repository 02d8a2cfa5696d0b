"""Other genes' full names, so a page that names one ("lymphotoxin alpha" on TNF's page,
"vascular endothelial growth factor C" on VEGFA's) is read as a claim.

The names come from the fact store's ``genes`` table (NCBI Gene full names). Only names of
two words or more are kept (one-word names such as "insulin" are ordinary words in pathway
and term names), hyphens read as spaces ("lymphotoxin-alpha"), case ignored. Read once per
process and store file; a sheet not read from a store knows no other gene.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from writer.check import vocabulary

WORD = re.compile(r"[A-Za-z0-9]+(?:'[a-z]+)?")
# NCBI placeholders that are not names a writer uses
_PLACEHOLDER = re.compile(r"^(?:uncharacterized|putative|novel|predicted|hypothetical)\b|\bLOC\d",
                          re.IGNORECASE)


def name_key(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in WORD.findall(text.replace("-", " ")))


@dataclass(frozen=True)
class GeneNames:
    """Full name (as a word tuple) -> (symbol, NCBI Gene ID, the name as NCBI writes it)."""

    by_words: dict[tuple[str, ...], tuple[str, int, str]] = field(default_factory=dict)
    # the word counts of the names that start with a word, longest first
    lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def find(self, view: str, start: int, end: int) -> list[tuple[int, int, str, int, str]]:
        """Full names of genes in ``view[start:end]``, longest first, left to right:
        (start, end, symbol, gene ID, name)."""
        words = [(start + m.start(), start + m.end(), m.group(0).lower())
                 for m in WORD.finditer(view[start:end].replace("-", " "))]
        keys = [w for _, _, w in words]
        return [(words[i][0], words[i + n - 1][1], *self.by_words[tuple(keys[i : i + n])])
                for i, n in vocabulary.longest_first(
                    keys, self.lengths, lambda name: tuple(name) in self.by_words)]


EMPTY = GeneNames()


def _read(conn: sqlite3.Connection) -> GeneNames:
    rows = conn.execute(
        "SELECT symbol, gene_id, name FROM genes WHERE gene_type IN "
        "('protein-coding', 'ncRNA', 'snoRNA', 'snRNA', 'rRNA', 'tRNA')"
    ).fetchall()
    by_words: dict[tuple[str, ...], tuple[str, int, str]] = {}
    for symbol, gene_id, name in rows:
        words = name_key(name)
        if len(words) >= 2 and not _PLACEHOLDER.search(name):
            by_words.setdefault(words, (symbol, gene_id, name))
    return GeneNames(by_words, vocabulary.first_word_lengths(by_words))


def load(path: Path) -> GeneNames:
    """The gene names of the fact store at ``path`` (empty when unreadable)."""
    return vocabulary.from_store("gene names", path, _read, EMPTY)
