"""Review rules shared by the CLI and the web page.

- ``accept`` re-checks the current text with the evaluator against the gene's fact sheet and
  is refused (``HasFindings``) while it has findings, unless ``override`` with a comment.
- ``edit`` stores the curator's text with the evaluator's findings on it: a curator's typo in
  a number is caught like a model's. An edit that changes nothing is refused.
- ``reject`` needs a comment.
- Every action passes the version the curator saw; a stale one raises ``StaleEdit``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from writer.check.models import Finding
from writer.errors import HasFindings, NoFactStore, UserInputError
from writer.factsheet import FactSheet
from writer.review.store import Draft, Queue, Review

Checker = Callable[[str, FactSheet], list[Finding]]


def evaluator_check(text: str, sheet: FactSheet) -> list[Finding]:
    """The evaluator's findings on ``text`` (``writer.check.check``)."""
    from writer.check import check

    return list(check(text, sheet).findings)


class FactSheets:
    """Fact sheets by NCBI Gene ID from the fact store, opened on first use (per thread:
    an SQLite connection stays in the thread that made it)."""

    def __init__(self, facts_path: Path) -> None:
        self.facts_path = facts_path
        self._local = threading.local()

    def __call__(self, gene_id: int) -> FactSheet:
        from writer.store import FactStore

        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = FactStore(self.facts_path)
        return store.sheet(gene_id)


class ReviewService:
    def __init__(
        self,
        queue: Queue,
        sheets: Callable[[int], FactSheet],
        checker: Checker | None = None,
    ) -> None:
        self.queue = queue
        self.sheets = sheets
        self.checker: Checker = checker or evaluator_check

    def sheet(self, draft: Draft) -> FactSheet:
        return self.sheets(draft.gene_id)

    def try_sheet(self, draft: Draft) -> tuple[FactSheet | None, str | None]:
        """The sheet, or None and the reason it could not be had (for display)."""
        try:
            return self.sheet(draft), None
        except (NoFactStore, UserInputError) as exc:
            return None, str(exc)

    def check(self, draft: Draft, text: str) -> list[Finding]:
        return self.checker(text, self.sheet(draft))

    def accept(
        self,
        draft_id: int,
        reviewer: str,
        *,
        based_on: int | None = None,
        override: bool = False,
        comment: str | None = None,
    ) -> Review:
        comment = (comment or "").strip() or None
        if override and not comment:
            raise UserInputError("--override needs --comment saying why the findings are fine")
        draft = self.queue.get(draft_id)
        if based_on is None:
            based_on = draft.version
        text = self.queue.current_text(draft_id)
        findings = self.check(draft, text)
        if findings and not override:
            raise HasFindings(draft_id, list(findings))
        return self.queue.add_review(
            draft_id, "accepted", reviewer, text, based_on=based_on, comment=comment,
            findings=findings, override=bool(findings) and override,
        )

    def edit(
        self,
        draft_id: int,
        text: str,
        reviewer: str,
        *,
        based_on: int | None = None,
        comment: str | None = None,
    ) -> Review:
        draft = self.queue.get(draft_id)
        if based_on is None:
            based_on = draft.version
        text = normalise_newlines(text)
        if not text.strip():
            raise UserInputError("the edited text is empty; to drop a draft, reject it")
        if text == self.queue.current_text(draft_id):
            raise UserInputError("the edited text is the same as the current text; nothing saved")
        findings = self.check(draft, text)
        return self.queue.add_review(
            draft_id, "edited", reviewer, text, based_on=based_on,
            comment=(comment or "").strip() or None, findings=findings,
        )

    def reject(
        self, draft_id: int, reviewer: str, comment: str, *, based_on: int | None = None
    ) -> Review:
        comment = (comment or "").strip()
        if not comment:
            raise UserInputError("a rejection needs --comment saying why")
        draft = self.queue.get(draft_id)
        if based_on is None:
            based_on = draft.version
        return self.queue.add_review(
            draft_id, "rejected", reviewer, self.queue.current_text(draft_id),
            based_on=based_on, comment=comment,
            findings=self.queue.current_findings(draft_id),
        )


def normalise_newlines(text: str) -> str:
    """Browsers post CRLF; files may too. The queue stores LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
