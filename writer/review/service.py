"""Review rules shared by the CLI and the web page.

- The Checks table describes the text it sits under: ``edit`` and ``accept`` check the text
  with the evaluator against the gene's fact sheet and store it with a fresh table
  (``writer.sections.checks.with_checks``) in a new review row; stored rows never change.
- ``accept`` is refused (``HasFindings``) while the text has findings (untraced claims, and
  the sentences the Sentiment, Ethics and Coherence rows fail on), unless ``override`` with
  a comment.
- ``edit`` stores the curator's text with the evaluator's findings on it: a curator's typo in
  a number is caught like a model's. An edit that changes nothing (or only the Checks
  table) is refused.
- Markup (``writer.review.markup``): an edit or an acceptance of a text holding Liquid or raw
  HTML is refused (``UnsafeMarkup``); a front-matter key the draft does not have is a
  finding.
- ``reject`` needs a comment.
- A superseded draft (a newer draft of its gene replaced it before any review) cannot be
  accepted or edited: its successor is the one to review.
- ``accept_clean`` accepts many pending drafts with no finding, each exactly as ``accept``
  would (checked again, recorded with the reviewer); a draft with findings is never
  accepted in bulk.
- Every action passes the version the curator saw; a stale one raises ``StaleEdit``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from writer.check.models import CheckReport, Finding
from writer.check.page import too_large
from writer.errors import HasFindings, NoFactStore, ReviewRefused, UserInputError
from writer.factsheet import FactSheet
from writer.progress import Progress
from writer.review import markup
from writer.review.store import Draft, Queue, Review

if TYPE_CHECKING:
    from writer.store import FactStore

# The evaluator's report on a text; a double may return bare findings (then the text's
# Checks table is left as it is).
Checker = Callable[[str, FactSheet], CheckReport | list[Finding]]


def evaluator_check(text: str, sheet: FactSheet) -> CheckReport:
    """The evaluator's report on ``text`` (``writer.check.check``)."""
    from writer.check import check

    return check(text, sheet)


class FactSheets:
    """Fact sheets by NCBI Gene ID from the fact store, opened on first use (per thread:
    an SQLite connection stays in the thread that made it)."""

    def __init__(self, facts_path: Path) -> None:
        self.facts_path = facts_path
        self._local = threading.local()

    def _store(self) -> FactStore:
        from writer.store import FactStore

        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = FactStore(self.facts_path)
        return store

    def __call__(self, gene_id: int) -> FactSheet:
        return self._store().sheet(gene_id)

    @property
    def identity(self) -> str:
        """The fact store file's identity (``FactStore.identity``)."""
        return self._store().identity


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

    def check(self, draft: Draft, text: str) -> tuple[str, list[Finding]]:
        """``text`` with a Checks table that is true of it, and its findings (the
        evaluator's, and a flag for each front-matter key the draft does not have)."""
        from writer.sections.checks import with_checks

        sheet = self.sheet(draft)
        result = self.checker(text, sheet)
        if isinstance(result, CheckReport):
            text, report = with_checks(text, sheet, report=result, check=self.checker)
            findings = list(report.findings)
        else:
            findings = list(result)
        return text, findings + markup.added_keys(draft.text, text)

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
        _refuse_superseded(draft)
        if based_on is None:
            based_on = draft.version
        text = self.queue.current_text(draft_id)
        markup.refuse_unsafe(text)
        text, findings = self.check(draft, text)
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
        _refuse_superseded(draft)
        if based_on is None:
            based_on = draft.version
        text = normalise_newlines(text)
        if not text.strip():
            raise UserInputError("the edited text is empty; to drop a draft, reject it")
        if problem := too_large(len(text.encode("utf-8"))):
            raise UserInputError(f"not saved: the edited text's {problem}")
        current = self.queue.current_text(draft_id)
        if text == current:
            raise UserInputError("the edited text is the same as the current text; nothing saved")
        markup.refuse_unsafe(text)
        text, findings = self.check(draft, text)
        if text == current:
            raise UserInputError("the edit changes only the Checks table, which is made from "
                                 "the text; nothing saved")
        return self.queue.add_review(
            draft_id, "edited", reviewer, text, based_on=based_on,
            comment=(comment or "").strip() or None, findings=findings,
        )

    def accept_clean(
        self,
        reviewer: str,
        *,
        ids: Iterable[tuple[int, int]] | None = None,
        gene_type: str | None = None,
        progress: Progress | None = None,
    ) -> tuple[list[Review], list[str]]:
        """Accept pending drafts whose text has no finding: those of ``ids`` ((draft id,
        version seen) pairs, e.g. the rows a curator was shown), else every one in the queue
        (of ``gene_type``). Returns the acceptances and one line per draft left alone (its
        text now has findings, it changed meanwhile, ...). Never overrides a finding."""
        if not (reviewer or "").strip():
            raise UserInputError("a review needs the reviewer's name")
        if ids is None:
            total = self.queue.count("pending", flagged=False, gene_type=gene_type)
            ids = [(d.id, d.version) for d in self.queue.list(
                "pending", limit=total, flagged=False, gene_type=gene_type)]
        todo = list(ids)
        tracker = (progress or Progress(enabled=False)).tracker(len(todo), "accepting")
        accepted: list[Review] = []
        left: list[str] = []
        for draft_id, version in todo:
            try:
                draft = self.queue.get(draft_id)
                if draft.status != "pending" or draft.findings:
                    left.append(f"draft {draft_id}: {draft.status}, "
                                f"{len(draft.findings)} findings; not accepted in bulk")
                else:
                    accepted.append(self.accept(draft_id, reviewer, based_on=version))
            except (ReviewRefused, UserInputError) as exc:
                left.append(f"draft {draft_id}: {exc}")
            tracker.advance()
        tracker.close()
        return accepted, left

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


def _refuse_superseded(draft: Draft) -> None:
    if draft.status == "superseded":
        raise UserInputError(f"draft {draft.id} of {draft.symbol} was superseded by a newer "
                             "draft of the gene; review that one (writer review list --gene "
                             f"{draft.symbol})")


def normalise_newlines(text: str) -> str:
    """Browsers post CRLF; files may too. The queue stores LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
