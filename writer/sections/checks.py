"""The Checks table at the end of the page, rendered from the evaluator's report."""

from __future__ import annotations

from typing import Any

from writer.factsheet import FactSheet


def render_report(report: Any) -> str:
    """The "| Checks | Answer |" table of a ``writer.check`` CheckReport."""
    return str(report.checks_markdown()).strip()


def unavailable(reason: str) -> str:
    return "\n".join([
        "| Checks    | Answer |",
        "| :-------- | :------- |",
        f"| Facts verified | not checked: {reason} |",
    ])


def render(sheet: FactSheet) -> str:  # the table comes from the evaluator, not from facts
    return ""

