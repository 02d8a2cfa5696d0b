"""Exceptions raised by gene-writer.

    WriterError                 every error a user can meet; the CLI prints its message
    ├── UserInputError          bad input: exit code 2, one line, no traceback
    │   ├── UnknownGene         no gene has that symbol, alias or identifier
    │   ├── AmbiguousGene       an alias shared by several genes (candidates attached)
    │   ├── NoFactStore         `writer data sync` has not been run yet
    │   └── BadFile             a file that is missing, unreadable or of the wrong kind
    └── SyncError               a source could not be fetched or built (the old store is kept)

Catch ``WriterError`` to handle them all.
"""

from __future__ import annotations


class WriterError(Exception):
    """Base class: every error meant for a user."""

    exit_code = 1


class UserInputError(WriterError):
    exit_code = 2


class UnknownGene(UserInputError):
    def __init__(self, query: str, suggestions: list[str] | None = None) -> None:
        self.query = query
        self.suggestions = suggestions or []
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown gene {query!r}.{hint}")


class AmbiguousGene(UserInputError):
    def __init__(self, query: str, candidates: list[tuple[str, str, int]]) -> None:
        """``candidates`` are (symbol, full name, NCBI Gene ID)."""
        self.query = query
        self.candidates = candidates
        listed = "; ".join(f"{sym} ({name}, NCBI {gid})" for sym, name, gid in candidates)
        super().__init__(
            f"{query!r} is an alias of {len(candidates)} genes: {listed}. Use one of the symbols."
        )


class NoFactStore(UserInputError):
    def __init__(self, path: object) -> None:
        super().__init__(f"no fact store at {path}: run `writer data sync --offline` first")


class BadFile(UserInputError):
    pass


class SyncError(WriterError):
    pass
