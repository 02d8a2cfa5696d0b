"""The Checks table at the end of the page, rendered from the evaluator's report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from writer.factsheet import FactSheet

if TYPE_CHECKING:
    from writer.check.models import CheckReport


def render_report(report: CheckReport) -> str:
    """The "| Checks | Answer |" table of a ``writer.check`` CheckReport."""
    return str(report.checks_markdown()).strip()


def render(sheet: FactSheet) -> str:  # the table comes from the evaluator, not from facts
    return ""

