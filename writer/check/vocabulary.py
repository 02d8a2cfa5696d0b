"""The vocabularies the evaluator reads from a fact store (GO terms, disease names, gene
names), each read once per process and store file.

A store file is identified by its path, modification time and size, so a new sync (which
replaces the file) is read afresh. A store that cannot be read, or lacks a table, gives the
vocabulary's empty value: the evaluator then reads only the gene's own facts.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_KEEP = 4  # store files kept per vocabulary (a sync replaces the file; old ones go)
_CACHE: dict[tuple[str, str, int, int], Any] = {}
_LOCK = threading.Lock()


def from_store(kind: str, path: Path, read: Callable[[sqlite3.Connection], T], empty: T) -> T:
    """``read(connection)`` on the store at ``path`` (read-only), cached; ``empty`` when the
    file is missing or ``read`` meets an SQLite error (a table the store does not have).
    ``read`` may keep the connection (it is then closed when the entry is dropped)."""
    try:
        stat = path.stat()
    except OSError:
        return empty
    key = (kind, str(path), stat.st_mtime_ns, stat.st_size)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]  # type: ignore[no-any-return]
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        try:
            value = read(conn)
        except sqlite3.Error:
            value = empty
        if getattr(value, "db", None) is not conn:
            conn.close()
        same_kind = [k for k in _CACHE if k[0] == kind]
        for old in same_kind[: max(0, len(same_kind) - _KEEP + 1)]:
            db = getattr(_CACHE.pop(old), "db", None)
            if db is not None:
                db.close()
        _CACHE[key] = value
        return value


# --- finding a vocabulary's names in a text ---------------------------------------------------
def first_word_lengths(names: Iterable[Sequence[str]]) -> dict[str, tuple[int, ...]]:
    """For each first word, the word counts of the names that start with it, longest first:
    a text is then read with one lookup per word, not one per word and possible length."""
    lengths: dict[str, set[int]] = {}
    for words in names:
        lengths.setdefault(words[0], set()).add(len(words))
    return {w: tuple(sorted(ns, reverse=True)) for w, ns in lengths.items()}


def longest_first(words: Sequence[str], lengths: dict[str, tuple[int, ...]],
                  is_name: Callable[[Sequence[str]], bool]) -> Iterator[tuple[int, int]]:
    """``(i, n)`` for each name ``words[i:i + n]`` (``is_name`` says which are), longest
    first, left to right, never overlapping. (A word may read as more than one: its first
    is the one looked up in ``lengths``.)"""
    i = 0
    while i < len(words):
        for n in lengths.get(words[i].split(" ", 1)[0], ()):
            if n <= len(words) - i and is_name(words[i : i + n]):
                yield i, n
                i += n
                break
        else:
            i += 1
