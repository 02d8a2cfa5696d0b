"""Disease names: how one is written, and finding them in prose.

The fact store holds every disease name of the HPO annotations (``phenotype.hpoa``: OMIM,
Orphanet and DECIPHER), written at sync time by ``writer.sources.hpo`` in the forms that
``name_forms`` gives, in the table ``disease_names``. ``NameList`` loads that table and
finds the names in a text, longest first; the evaluator also recognises names the list
lacks by their head word ("... syndrome", "... carcinoma", "...emia"; ``lexicon``).

A form is a name's words, lower-cased, with punctuation, possessives and British spellings
dropped ("Huntington's disease" and "Huntington disease" are one form), so that case and
punctuation never make a name different. OMIM's qualifiers give a second, shorter form:
"Alzheimer disease 2" -> "alzheimer disease", "Fanconi anemia, complementation group S" ->
"fanconi anemia", "Pancreatitis, hereditary" -> "hereditary pancreatitis".
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from writer.check import vocabulary

_SPELLING = ((re.compile(r"aemia"), "emia"), (re.compile(r"\bhaem"), "hem"),
             (re.compile(r"oesoph"), "esoph"), (re.compile(r"tumour"), "tumor"),
             (re.compile(r"oedema"), "edema"), (re.compile(r"leukaem"), "leukem"))
_POSSESSIVE = re.compile(r"(?<=\w)['\u2019]s\b")
WORD = re.compile(r"[a-z0-9]+")

# OMIM's qualifiers, stripped from the end of a name (repeatedly) for its shorter form
_QUALIFIERS = re.compile(
    r"(?:,?\s*(?:susceptibility to|susceptibility)(?:,?\s*\d+[a-z]?)?"
    r"|,?\s*(?:complementation group|type|group|form)\s+(?:[0-9ivx]+[a-z]?\d*|[a-z]\d?)"
    r"|,?\s*(?:autosomal (?:dominant|recessive)|x-linked(?: recessive| dominant)?|familial)"
    r"|,?\s*\d+[a-z]?"
    r"|,?\s*with or without [\w\s-]+)\s*$",
    re.I,
)
_DISEASE_SUFFIX = re.compile(r"(?:emia|oma|osis|itis|pathy|trophy|plasia|iasis)$")


def tokens(text: str) -> list[str]:
    """A text's words as a form sees them."""
    lower = _POSSESSIVE.sub("", text.lower())
    for pattern, repl in _SPELLING:
        lower = pattern.sub(repl, lower)
    return WORD.findall(lower)


def disease_key(text: str) -> str:
    """A name's form: its words, without "the" ("absence of the vas deferens")."""
    return " ".join(t for t in tokens(text) if t != "the")


@lru_cache(maxsize=1 << 16)
def _word_key(word: str) -> str:
    """One word's form: pages reuse their words, and every name list reads each page."""
    return disease_key(word)


def name_forms(name: str) -> list[str]:
    """The forms a disease name is found by: its own, and OMIM's qualifiers stripped or
    its inverted order turned round. A shorter form must keep two words (or one word that
    names a disease by its ending, "erythrocytosis"), so a qualifier never leaves a bare
    "deafness" or "cancer"."""
    forms = [disease_key(name)]
    short = name.strip()
    while True:
        stripped = _QUALIFIERS.sub("", short).strip(" ,")
        if stripped == short or not stripped:
            break
        short = stripped
    candidates = [short]
    if short.count(",") == 1:  # "Pancreatitis, hereditary" -> "hereditary pancreatitis"
        head, modifier = (p.strip() for p in short.split(","))
        candidates.append(f"{modifier} {head}")
    for cand in candidates:
        key = disease_key(cand)
        words = key.split()
        if not key or key in forms:
            continue
        if len(words) >= 2 or (len(key) >= 8 and _DISEASE_SUFFIX.search(key)):
            forms.append(key)
    return forms


@dataclass(frozen=True)
class DiseaseEntry:
    disease_id: str
    name: str
    genes: str  # the genes HPO annotates to it, "ATP7B" or "" (comma-separated symbols)


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    form: str


class NameList:
    """Names by form (the fact store's disease names; also its phenotype and drug names,
    ``writer.check.namedterms``); ``find`` reads them in a text."""

    def __init__(self, rows: list[tuple[str, str, str, str]]) -> None:
        by_form: dict[str, list[DiseaseEntry]] = defaultdict(list)
        by_id: dict[str, list[DiseaseEntry]] = {}
        for form, disease_id, name, genes in rows:
            entry = DiseaseEntry(disease_id, name, genes)
            by_form[form].append(entry)
            by_id.setdefault(disease_id, [entry])
        # a name written out in full first ("Li-Fraumeni syndrome" before "... syndrome 2")
        self.by_form = {form: sorted(entries, key=lambda e, f=form: disease_key(e.name) != f)
                        for form, entries in by_form.items()}
        self.by_id = by_id
        self.lengths = vocabulary.first_word_lengths(form.split() for form in self.by_form)

    def __len__(self) -> int:
        return len(self.by_form)

    def entries(self, form: str) -> list[DiseaseEntry]:
        return self.by_form.get(form, [])

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Match]:
        """Every listed name in ``text[start:end]``, longest first, left to right, on word
        boundaries, never overlapping."""
        end = len(text) if end is None else end
        if not self.by_form:
            return []
        words = [(start + m.start(), start + m.end(), _word_key(m.group(0)))
                 for m in re.finditer(r"[A-Za-z0-9\u2019']+", text[start:end])]
        # "the" is no part of a form: a name may not start with it, it may hold one
        words = [w for w in words if w[2]]
        keys = [w[2] for w in words]
        return [Match(words[i][0], words[i + n - 1][1], " ".join(keys[i : i + n]))
                for i, n in vocabulary.longest_first(
                    keys, self.lengths, lambda form: " ".join(form) in self.by_form)]


EMPTY = NameList([])


def _read(conn: sqlite3.Connection) -> NameList:
    return NameList(
        conn.execute("SELECT form, disease_id, name, genes FROM disease_names").fetchall())


def from_store(path: Path) -> NameList:
    """The disease names of the fact store at ``path`` (empty when it has none)."""
    return vocabulary.from_store("disease names", path, _read, EMPTY)


def default() -> NameList:
    """The names of the fact store this process opened last, else of the configured one."""
    from writer.config import load_settings
    from writer.errors import BadFile
    from writer.store import last_opened

    path = last_opened()
    if path is None:
        try:
            path = load_settings().facts_path
        except BadFile:  # an unreadable config: no names, the patterns still apply
            return EMPTY
    return from_store(path)
