"""The Python API behind the CLI: the same functions, importable.

    >>> import writer
    >>> sheet = writer.facts("MT1G")
    >>> sheet.value("structure.gene_length")
    >>> sheets = writer.facts_many(["MT1G", "NME1", "4830"])
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from writer.config import load_settings
from writer.factsheet import FactSheet
from writer.store import FactStore


@lru_cache(maxsize=4)
def _store(path: Path) -> FactStore:
    return FactStore(path)


def open_facts(path: Path | None = None) -> FactStore:
    """The fact store at ``path`` (default: the configured one), opened once per process."""
    return _store(path or load_settings().facts_path)


def facts(gene: str | int, *, store: FactStore | None = None) -> FactSheet:
    """The fact sheet of one gene: symbol, alias, NCBI Gene ID or Ensembl gene ID."""
    store = store or open_facts()
    return store.sheet(store.resolve(str(gene)))


def facts_many(genes: Iterable[str | int], *, store: FactStore | None = None) -> list[FactSheet]:
    """Fact sheets of many genes in one pass (fast: one query per 500 genes)."""
    store = store or open_facts()
    return store.sheets([store.resolve(str(g)) for g in genes])
