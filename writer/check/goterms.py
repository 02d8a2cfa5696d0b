"""The Gene Ontology's vocabulary, so a term named in prose is read with or without its link.

Read from the fact store (tables ``go_terms``, ``go_synonyms``, ``go_parents``, written from
GO.db by ``writer data sync``) once per process and store file:

- every term's name and multi-word synonyms, normalised (case, punctuation and spacing do
  not count; a hyphenated word stays one word, so "ATP-binding" is not "ATP binding");
- each term's aspect (MF, CC, BP) and its is_a / part_of parents, from which
  ``ancestors`` derives GO's true path rule: a gene annotated to a term is annotated to all
  its ancestors.

A name that is also a synonym of other terms stands for its own term only; a synonym shared by
several terms stands for all of them. GO.db keeps no synonym scope (exact, narrow, broad,
related), so single-word synonyms (mostly abbreviations, many of them gene symbols: "DHFR",
"CAT") are left out. Which names are ordinary English is decided here too (``is_plain``).
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from writer import catalog
from writer.check import vocabulary

ASPECT_NAMES = {"MF": "molecular function", "CC": "cellular component",
                "BP": "biological process"}
ROOTS = frozenset({"GO:0003674", "GO:0005575", "GO:0008150"})
# GO's experimental evidence codes (the high-throughput ones included).
EXPERIMENTAL = catalog.go_evidence("experimental")
PREDICTED = catalog.go_evidence("predicted")
NO_DATA = catalog.go_evidence("no_data")
TOKEN_RE = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(text.lower())


def norm(text: str) -> str:
    return " ".join(tokens(text))


@dataclass
class GoTerms:
    """Names, aspects and the is_a/part_of graph of the Gene Ontology.

    Built in memory (``build``), or read from a fact store (``load``): then only the word
    pairs that start names are read up front, and each name or term is looked up in the
    store when first needed, so a cold ``writer check`` does not pay for 160,000 names."""

    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # go_id -> (name, aspect)
    by_name: dict[str, str] = field(default_factory=dict)  # norm name -> go_ids, space-joined
    prefixes: dict[str, str] = field(default_factory=dict)  # "w1 w2" -> name lengths, longest first
    singles: frozenset[str] = frozenset()  # names of one word
    commas: frozenset[str] = frozenset()  # names written with a comma
    parents_loader: Callable[[], Iterable[tuple[str, str]]] | None = None
    db: sqlite3.Connection | None = None  # the store, for names and terms not read yet
    _parents: dict[str, tuple[str, ...]] | None = None
    _ancestors: dict[str, frozenset[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, terms: Iterable[tuple[str, str, str]], synonyms: Iterable[tuple[str, str]],
              parents: Iterable[tuple[str, str]]) -> GoTerms:
        terms = list(terms)
        index = name_index(terms, synonyms)
        edges = list(parents)
        return cls(names={go_id: (name, aspect) for go_id, name, aspect in terms},
                   by_name={key: ids for key, ids, _ in index},
                   prefixes=dict(name_prefixes(key for key, _, _ in index)),
                   singles=frozenset(key for key, _, _ in index if " " not in key),
                   commas=frozenset(key for key, _, comma in index if comma),
                   parents_loader=lambda: edges)

    @property
    def parents(self) -> dict[str, tuple[str, ...]]:
        if self._parents is None:
            graph: dict[str, list[str]] = {}
            for child, parent in (self.parents_loader() if self.parents_loader else ()):
                graph.setdefault(child, []).append(parent)
            with self._lock:
                self._parents = {k: tuple(v) for k, v in graph.items()}
        return self._parents

    def _ids(self, key: str) -> str:
        """The GO IDs (space-joined) a normalised name stands for; "" for none."""
        ids = self.by_name.get(key)
        if ids is None:
            ids = ""
            if self.db is not None:
                with self._lock:
                    row = self.db.execute("SELECT go_ids FROM go_name_index WHERE key = ?",
                                          (key,)).fetchone()
                ids = row[0] if row else ""
            self.by_name[key] = ids
        return ids

    def _term(self, go_id: str) -> tuple[str, str] | None:
        entry = self.names.get(go_id)
        if entry is None and self.db is not None:
            with self._lock:
                row = self.db.execute("SELECT name, aspect FROM go_terms WHERE go_id = ?",
                                      (go_id,)).fetchone()
            if row is not None:
                entry = self.names[go_id] = (row[0], row[1])
        return entry

    def __bool__(self) -> bool:
        return bool(self.names) or self.db is not None

    # --- terms ---------------------------------------------------------------------------------
    def lookup(self, name: str) -> tuple[str, ...]:
        ids = self._ids(norm(name))
        return tuple(ids.split(" ")) if ids else ()

    def name(self, go_id: str) -> str:
        entry = self._term(go_id)
        return entry[0] if entry else go_id

    def aspect(self, go_id: str) -> str | None:
        entry = self._term(go_id)
        return entry[1] if entry else None

    def ancestors(self, go_id: str) -> frozenset[str]:
        """Every term above ``go_id`` by is_a and part_of (not itself, not the roots)."""
        done = self._ancestors.get(go_id)
        if done is not None:
            return done
        out: set[str] = set()
        stack = list(self.parents.get(go_id, ()))
        while stack:
            term = stack.pop()
            if term in out:
                continue
            out.add(term)
            known = self._ancestors.get(term)
            if known is not None:
                out |= known
            else:
                stack.extend(self.parents.get(term, ()))
        result = frozenset(out - ROOTS)
        with self._lock:
            self._ancestors[go_id] = result
        return result

    # --- reading prose -------------------------------------------------------------------------
    def find(self, text: str, start: int = 0, end: int | None = None
             ) -> Iterator[tuple[int, int, str]]:
        """(start, end, normalised name) of every term name in ``text[start:end]``, left to
        right, the longest name at each place first, never overlapping."""
        end = len(text) if end is None else end
        words = [(m.start(), m.end(), m.group(0)) for m in TOKEN_RE.finditer(
            text[start:end].lower())]
        i = 0
        while i < len(words):
            hit = None
            if i + 1 < len(words):
                lengths = self.prefixes.get(f"{words[i][2]} {words[i + 1][2]}", "")
                for n in map(int, lengths.split()):
                    if i + n <= len(words):
                        key = " ".join(w[2] for w in words[i : i + n])
                        if self._ids(key) and _joined(text, start, words[i : i + n],
                                                      key in self.commas):
                            hit = n, key
                            break
            if hit is None and words[i][2] in self.singles:
                hit = 1, words[i][2]
            if hit is None:
                i += 1
                continue
            n, key = hit
            yield start + words[i][0], start + words[i + n - 1][1], key
            i += n


def _joined(text: str, offset: int, words: list[tuple[int, int, str]], commas: bool) -> bool:
    """The words of one name: nothing but spaces, hyphens, slashes or parentheses between
    them, a comma only where the name has one ("CD8-positive, alpha-beta T cell activation",
    "alpha-1,6-"), never another clause break."""
    for (_, a_end, _), (b_start, _, _) in zip(words, words[1:], strict=False):
        gap = text[offset + a_end : offset + b_start]
        if gap.strip(" -/()'") and not (gap.strip() == "," and commas):
            return False
    return True


def name_index(terms: Iterable[tuple[str, str, str]], synonyms: Iterable[tuple[str, str]]
               ) -> list[tuple[str, str, int]]:
    """(normalised name, GO IDs joined by spaces, written with a comma?) for every term name
    and multi-word synonym; a term's own name wins over other terms' synonyms. Computed at
    sync time, so reading the vocabulary costs no normalising."""
    named: dict[str, list[str]] = {}
    commas = set()
    known = set()
    for go_id, name, _ in terms:
        key = norm(name)
        known.add(go_id)
        named.setdefault(key, []).append(go_id)
        if "," in name:
            commas.add(key)
    also: dict[str, list[str]] = {}
    for synonym, go_id in synonyms:
        key = norm(synonym)
        if " " in key and key not in named and go_id in known:
            also.setdefault(key, []).append(go_id)
            if "," in synonym:
                commas.add(key)
    return [(key, " ".join(dict.fromkeys(ids)), int(key in commas))
            for key, ids in (*named.items(), *also.items()) if key]


def name_prefixes(keys: Iterable[str]) -> list[tuple[str, str]]:
    """("w1 w2", "n1 n2 ...") for names of two words or more: the lengths (in words, longest
    first) of the names that start with those two words."""
    lengths: dict[str, set[int]] = {}
    for key in keys:
        words = key.split(" ", 2)
        if len(words) > 1:
            lengths.setdefault(f"{words[0]} {words[1]}", set()).add(key.count(" ") + 1)
    return [(k, " ".join(map(str, sorted(v, reverse=True)))) for k, v in lengths.items()]


def is_plain(key: str) -> bool:
    """A name that is also ordinary English ("growth", "behavior", "binding", "cell",
    "localization"): GO's single-word terms. They are GO claims only where a sentence makes
    one (after "enables", "involved in", "located in", ... or in a list that started so)."""
    return " " not in key


# --- loading ---------------------------------------------------------------------------------
def _read(uri: str, sql: str) -> list[tuple[str, str]]:
    conn = sqlite3.connect(uri, uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def load(path: Path) -> GoTerms:
    """The vocabulary kept in the fact store at ``path`` (empty for a store synced before it
    had one, or without GO terms: the gene's own terms are read then), read once per process
    and store file. The vocabulary keeps the connection for the names it reads on demand."""
    uri = f"file:{path}?mode=ro"

    def read(conn: sqlite3.Connection) -> GoTerms:
        if conn.execute("SELECT 1 FROM go_terms LIMIT 1").fetchone() is None:
            raise sqlite3.OperationalError("no GO vocabulary in this store")
        return GoTerms(
            prefixes=dict(conn.execute("SELECT prefix, lengths FROM go_name_prefixes")),
            singles=frozenset(k for (k,) in conn.execute(
                "SELECT key FROM go_name_index WHERE key NOT LIKE '% %'")),
            commas=frozenset(k for (k,) in conn.execute(
                "SELECT key FROM go_name_index WHERE comma = 1")),
            parents_loader=lambda: _read(uri, "SELECT go_id, parent_id FROM go_parents"),
            db=conn)

    return vocabulary.from_store("GO terms", path, read, GoTerms())


# --- the verbs that make a GO claim ----------------------------------------------------------
@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    verb: str
    aspect: str | None  # the aspect the verb states (None: any)
    polarity: str | None = None  # "negative", "positive" or "" (regulates), for BP


# GO's relations as prose writes them (the Alliance's "enables" / "located in" / "involved
# in", GO-CAM's "acts upstream of", "part of", "colocalizes with", "contributes to").
_CUES: tuple[tuple[str, str | None], ...] = (
    (r"enabl(?:es?|ing)|has|have|having|possess(?:es)?|exhibits?|displays?", "MF"),
    (r"(?:is |are )?located in|locali[sz](?:es|ed|e|ing) (?:to|in|at)|co-?locali[sz](?:es|ed|e)"
     r" (?:with|to)|found in|present in|resides? in|part of|(?:a )?components? of|active in",
     "CC"),
    (r"involved in|involvement in|participat(?:es?|ing) in|acts? upstream of(?: or within)?"
     r"|roles? in|takes? part in|functions? in|required for", "BP"),
    (r"contribut(?:es?|ing) to|annotated to|annotations? to", None),
)
CUE_RE = re.compile("|".join(f"(?P<c{i}>\\b(?:{p})\\b)" for i, (p, _) in enumerate(_CUES)),
                    re.I)
REGULATION_RE = re.compile(
    r"\b(?:(?P<a>negatively|positively)\s+regulat(?:es?|ing)|(?P<b>negative|positive)\s+"
    r"regulators?\s+of|regulat(?:es?|ing)|regulators?\s+of)\b", re.I)
# Words before a verb that make it a prediction, or an experimental finding.
PREDICTED_RE = re.compile(
    r"\b(?:predicted|thought|likely|may|might|putative(?:ly)?|probably|possibly|presumably"
    r"|believed|inferred|suggested|expected|could|hypothesi[sz]ed|computationally)\b", re.I)
SHOWN_RE = re.compile(
    r"\b(?:shown|demonstrated|experimentally|experiments?|observed|established|confirmed"
    r"|proven|documented)\b", re.I)
# What may stand between a verb and its first term, or between two listed terms.
LIST_GAP = re.compile(
    r"(?:[\s,;:]|\([^()]*\)|\b(?:and|or|as well as|both|also|the|a|an|including|such as"
    r"|namely|other|its|several|various|many|multiple|numerous|different|key|biological"
    r"|processes|process|functions|activities|components|compartments|structures|like)\b)*",
    re.I)
# A plain-English name is a term only where a list item ends after it ("involved in growth
# and ..."), not where English goes on ("the growth of", "binding to", "binding sites").
ITEM_END = re.compile(r"\s*(?:[,;.:)]|\(|$|(?:and|or|as well as)\b)", re.I)


def cues(text: str, start: int, end: int) -> list[Cue]:
    out = []
    for m in CUE_RE.finditer(text, start, end):
        aspect = next(_CUES[i][1] for i in range(len(_CUES)) if m.group(f"c{i}"))
        out.append(Cue(m.start(), m.end(), m.group(0).lower(), aspect))
    for m in REGULATION_RE.finditer(text, start, end):
        word = (m.group("a") or m.group("b") or "").lower()
        polarity = word[:-2] if word.endswith("ly") else word  # negatively -> negative
        out.append(Cue(m.start(), m.end(), m.group(0).lower(), "BP", polarity))
    return sorted(out, key=lambda c: c.start)


# A verb that goes on from the one before it, keeping its wording ("... and to be").
SAME_SUBJECT = re.compile(r"[\s,]*(?:and|or)\s+(?:(?:also|to|be)\s+)*", re.I)


def mode(before: str) -> str:
    """How the words before a verb state it: "predicted", "shown" or "plain"."""
    if PREDICTED_RE.search(before):
        return "predicted"
    if SHOWN_RE.search(before):
        return "shown"
    return "plain"
