"""Exceptions raised by gene-writer.

    WriterError                 every error a user can meet; the CLI prints its message
    ├── UserInputError          bad input: exit code 2, one line, no traceback
    │   ├── UnknownGene         no gene has that symbol, alias or identifier
    │   ├── AmbiguousGene       an alias shared by several genes (candidates attached)
    │   ├── NoFactStore         `writer data sync` has not been run yet
    │   ├── BadFile             a file that is missing, unreadable or of the wrong kind
    │   ├── UnknownDraft        no draft in the review queue has that id
    │   └── BadSetting          an environment variable or config.toml value is invalid
    ├── SyncError               a source could not be fetched or built (the old store is kept)
    │   └── FileFormatError     an upstream file lacks a column its reader needs: exit code 2
    ├── QueueBusy               another process held the review queue's write lock too long
    ├── NetworkError            an HTTP request failed (URL and reason, never a secret)
    │   └── BadDownload         a download failed its size or md5 check (nothing is left at dest)
    └── ReviewRefused           a review was not saved (exit code 1); the queue is unchanged
        ├── StaleEdit           another review landed after the version the curator saw
        └── HasFindings         accept refused: the text has findings (use --override)

Catch ``WriterError`` to handle them all. On the command line every error, a click usage
error included, is one line starting with ``PREFIX`` (``fail``, ``one_line``).
"""

from __future__ import annotations

from typing import NoReturn

PREFIX = "writer: "


def one_line(message: object) -> str:
    """``message`` as the one line the command line prints for an error."""
    return PREFIX + " ".join(str(message).split())


def fail(exc: WriterError) -> NoReturn:
    """Print ``exc`` on stderr as one line and exit with its code (2 for bad input)."""
    import click

    click.echo(one_line(exc), err=True)
    raise SystemExit(exc.exit_code)


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
        super().__init__(f"no fact store at {path}: run `writer data sync` first")


class BadFile(UserInputError):
    pass


class SyncError(WriterError):
    pass


class FileFormatError(SyncError):
    """An upstream file is not in the format its reader expects (a column it reads by name is
    missing, a row has the wrong width, a value is not a number): bad input, exit code 2."""

    exit_code = 2


class UnknownDraft(UserInputError):
    def __init__(self, draft_id: object) -> None:
        self.draft_id = draft_id
        super().__init__(f"no draft {draft_id} in the review queue")


class ReviewRefused(WriterError):
    """A review was refused; nothing was written."""


class StaleEdit(ReviewRefused):
    def __init__(self, draft_id: int, based_on: int, latest: object | None) -> None:
        """``latest`` is the review that landed since (a ``writer.review.store.Review``)."""
        self.draft_id = draft_id
        self.based_on = based_on
        self.latest = latest
        who = ""
        if latest is not None:
            action = getattr(latest, "action", "changed")
            reviewer = getattr(latest, "reviewer", "someone")
            created = getattr(latest, "created", "")
            when = created.strftime("%Y-%m-%d %H:%M UTC") if hasattr(created, "strftime") else ""
            who = f" ({action} by {reviewer}{' at ' + when if when else ''})"
        super().__init__(
            f"draft {draft_id} changed after you opened it{who}; nothing was saved. "
            "Reload it and apply your change again."
        )


class HasFindings(ReviewRefused):
    def __init__(self, draft_id: int, findings: list[object]) -> None:
        self.draft_id = draft_id
        self.findings = findings
        n = len(findings)
        super().__init__(
            f"draft {draft_id} not accepted: its text has {n} finding{'s' if n != 1 else ''}; "
            "fix them with `writer review edit`, or accept with --override --comment WHY"
        )


class BadSetting(UserInputError):
    """A setting from the environment or config.toml has a value that cannot work."""


class QueueBusy(WriterError):
    """A write could not get the review queue's lock in time; nothing was written."""

    def __init__(self, path: object) -> None:
        self.path = path
        super().__init__(f"the review queue {path} is busy (another process is writing to "
                         "it); nothing was saved. Try again in a moment")


class NetworkError(WriterError):
    """An HTTP request failed for good (after retries where a retry could help).

    ``url`` is the URL the caller asked for (never the mirror's, never with an API key);
    ``status`` is the last HTTP status, or None when no response arrived.
    """

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        self.url = url
        self.reason = " ".join(reason.split())  # one line, whatever the transport said
        self.status = status
        super().__init__(f"cannot fetch {url}: {self.reason}")


class BadDownload(NetworkError):
    """A download arrived but failed its size or md5 check; it was discarded."""
