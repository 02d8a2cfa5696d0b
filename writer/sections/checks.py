"""The Checks table at the end of the page, rendered from the evaluator's report.

The table describes the text it sits under (DESIGN, grounding rule 6), so whoever changes
the text puts a fresh one in: ``with_checks(text, sheet)`` checks the text (the evaluator
skips the table itself) and puts the report's table where the old one was, or at the end of
the page when it has none. Drafting, every review action and ``writer publish`` go through it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from writer.factsheet import FactSheet

if TYPE_CHECKING:
    from writer.check.models import CheckReport

# The table: its header row ("| Checks | Answer |") and every table row right after it.
_TABLE = re.compile(r"^\|[ \t]*Checks[ \t]*\|.*(?:\n\|.*)*\n?", re.M)
SEP = "\n\n\n"  # between page blocks, as ``writer.draft`` writes them


def render_report(report: CheckReport) -> str:
    """The "| Checks | Answer |" table of a ``writer.check`` CheckReport."""
    return str(report.checks_markdown()).strip()


def replace_table(text: str, table: str) -> str:
    """``text`` with its Checks table replaced by ``table`` (added at the end when the text
    has none; a second table, if a curator pasted one, is dropped)."""
    found = list(_TABLE.finditer(text))
    if not found:
        return text.rstrip("\n") + SEP + table + "\n"
    first = found[0]
    out = text[: first.start()] + table + "\n"
    last = first.end()
    for m in found[1:]:
        out += text[last : m.start()]
        last = m.end()
    out += text[last:]
    return out


def with_checks(
    text: str,
    sheet: FactSheet,
    *,
    report: CheckReport | None = None,
    check: Callable[[str, FactSheet], Any] | None = None,
) -> tuple[str, CheckReport]:
    """``text`` with a Checks table that says what the evaluator says of it, and the report.

    ``report``: the evaluator's report on ``text`` when the caller has it already;
    ``check`` replaces the evaluator (``writer.check.check``)."""
    if check is None:
        from writer.check import check
    if report is None:
        report = check(text, sheet)
    new = replace_table(text, render_report(report))
    if new != text:
        changed = next((i for i, (a, b) in enumerate(zip(text, new, strict=False)) if a != b),
                       min(len(text), len(new)))
        if any(f.end is not None and f.end > changed for f in report.findings):
            report = check(new, sheet)  # findings after the table: offsets into the new text
    return new, report


def render(sheet: FactSheet) -> str:  # the table comes from the evaluator, not from facts
    return ""
