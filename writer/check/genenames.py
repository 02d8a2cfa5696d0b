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
    # the most words of a name that starts with a word (``find`` tries nothing longer)
    starts: dict[str, int] = field(default_factory=dict)

    def find(self, view: str, start: int, end: int) -> list[tuple[int, int, str, int, str]]:
        """Full names of genes in ``view[start:end]``, longest first, left to right:
        (start, end, symbol, gene ID, name)."""
        words = [(start + m.start(), start + m.end(), m.group(0).lower())
                 for m in WORD.finditer(view[start:end].replace("-", " "))]
        out = []
        i = 0
        while i < len(words):
            for n in range(min(self.starts.get(words[i][2], 0), len(words) - i), 1, -1):
                key = tuple(w for _, _, w in words[i : i + n])
                hit = self.by_words.get(key)
                if hit:
                    out.append((words[i][0], words[i + n - 1][1], *hit))
                    i += n - 1
                    break
            i += 1
        return out


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
    starts: dict[str, int] = {}
    for key in by_words:
        starts[key[0]] = max(starts.get(key[0], 0), len(key))
    return GeneNames(by_words, starts)


def load(path: Path) -> GeneNames:
    """The gene names of the fact store at ``path`` (empty when unreadable)."""
    return vocabulary.from_store("gene names", path, _read, EMPTY)
