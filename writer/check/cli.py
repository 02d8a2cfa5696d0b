"""``writer check PAGE --gene GENE [--json]``: evaluate any page against a gene's facts.

Exit status: 0 every claim traced and every check passed, 1 the page has findings (or a
check failed), 2 bad input (missing or unreadable file, not Markdown, unknown gene), with
one line on stderr and no traceback.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from writer.check.page import MAX_PAGE_BYTES, too_large
from writer.errors import BadFile, UserInputError, WriterError, fail

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".txt", ""})
CONTEXT = 90  # characters of the sentence shown on each side of a claim


def read_page(page: str) -> str:
    """The text of PAGE ('-' is standard input), or BadFile with a one-line reason."""
    if page == "-":
        data = sys.stdin.buffer.read(MAX_PAGE_BYTES + 1)
        name = "standard input"
        if len(data) > MAX_PAGE_BYTES:
            raise BadFile(f"standard input is more than {MAX_PAGE_BYTES:,} bytes: too large "
                          "for a page (gene pages are about 10 kB)")
    else:
        path = Path(page)
        if not path.exists():
            raise BadFile(f"cannot read {page}: no such file")
        if path.is_dir():
            raise BadFile(f"cannot read {page}: it is a folder")
        if path.suffix.lower() not in MARKDOWN_SUFFIXES:
            raise BadFile(f"{page} is not a Markdown page (expected a .md file)")
        try:
            if problem := too_large(path.stat().st_size):
                raise BadFile(f"{page}: {problem}")
            data = path.read_bytes()
        except OSError as exc:
            raise BadFile(f"cannot read {page}: {exc.strerror or exc}") from None
        name = page
    if b"\x00" in data:
        raise BadFile(f"{name} is not a Markdown page: it is a binary file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadFile(f"{name} is not a Markdown page: it is not UTF-8 text") from None
    if not text.strip():
        raise BadFile(f"{name} is empty")
    return text


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _excerpt(text: str, start: int, end: int, color: bool) -> str:
    """The claim in its sentence (shortened around it), highlighted."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    a = max(line_start, start - CONTEXT)
    b = min(line_end, end + CONTEXT)
    claim = text[start:end]
    if len(claim) > 2 * CONTEXT:  # a whole sentence: its start is enough
        claim, b = claim[: 2 * CONTEXT] + "\u2026", end
    mark = click.style(claim, fg="red", bold=True) if color else f"\u00bb{claim}\u00ab"
    return (("\u2026" if a > line_start else "") + text[a:start] + mark + text[end:b]
            + ("\u2026" if b < line_end else ""))


def render_text(report: Any, text: str, color: bool = False) -> str:
    """The readable report: a summary line, each finding with its sentence, the Checks table."""
    n = len(report.findings)
    by_status = Counter(f.status for f in report.findings)
    counts = ", ".join(f"{by_status[s]} {s}" for s in ("contradicted", "unverifiable", "flagged")
                       if by_status[s] or s != "flagged")
    lines = [
        f"{report.symbol} (NCBI Gene {report.gene_id}): {report.claims_traced} of "
        f"{report.claims_total} claims traced; {n} finding{'s' * (n != 1)} ({counts})",
        "",
    ]
    for f in report.findings:
        status = click.style(f.status, fg="red" if f.status == "contradicted" else "yellow") \
            if color else f.status
        lines.append(f"{status}  {f.kind}  line {_line_of(text, f.start)}")
        lines.append("  " + " ".join(_excerpt(text, f.start, f.end, color).split()))
        lines.append(f"  {f.reason}")
        lines.append("")
    if report.judge is not None:
        lines.append(f"Model judge: {report.judge.opinion()}; {len(report.judge.calls)} "
                     f"request{'s' * (len(report.judge.calls) != 1)}")
        if report.judge.error:
            lines.append(f"  {report.judge.error}")
        unusable = Counter(v.reason for v in report.judge.verdicts
                           if v.reason.startswith("not checkable:"))
        for reason, n in unusable.items():
            lines.append(f"  {n} sentence{'s' * (n != 1)} {reason}")
        lines.append("")
    lines.append(report.checks_markdown())  # the page's table: short answers
    lines.append("")
    for name, row in report.checks.rows():  # and why, for the curator
        judge = f" (model judge: {row.judge})" if row.judge else ""
        lines.append(f"{name}: {row.reason}{judge}" if row.reason or judge else name)
    return "\n".join(lines)


@click.command("check")
@click.argument("page", metavar="PAGE", required=False)
@click.option("--gene", "-g", metavar="GENE",
              help="Symbol, alias, NCBI Gene ID or Ensembl ID of the page's gene (required).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--judge", "judge_model", metavar="MODEL",
              help="Also let MODEL (on the configured OpenAI-compatible endpoint: "
                   "OPENAI_BASE_URL, OPENAI_API_KEY or config.toml [model]) judge each "
                   "sentence against the facts it cites; it adds findings, never removes one.")
@click.option("--timeout", type=click.FloatRange(min=0.1), metavar="SECONDS",
              help="Per-request timeout for the judge (default 60).")
@click.pass_context
def check(ctx: click.Context, page: str | None, gene: str | None, as_json: bool,
          judge_model: str | None, timeout: float | None) -> None:
    """Trace every claim of PAGE (Markdown; '-' reads standard input) to the facts of GENE.

    Lists each number, identifier and name that the fact sheet does not support, with its
    sentence and the source's value, then the Checks table. With --judge, a model also
    reads each sentence with its section's facts: refuted and partly supported sentences
    are findings (kind judge). Exit status: 0 every claim traced, 1 findings, 2 bad input.

    \b
    Examples:
      writer check MT1G.md --gene MT1G
      writer check draft.md --gene 4495 --json
      OPENAI_BASE_URL=http://127.0.0.1:8080/v1 writer check MT1G.md --gene MT1G --judge smollm2
    """
    try:
        if not page:  # checked here, not by click, so the error is one line like the others
            raise UserInputError("missing PAGE: the Markdown file to check ('-' for stdin)")
        if not gene:
            raise UserInputError("missing --gene GENE: the gene the page is about")
        from writer.check import check as run_check
        from writer.config import Settings, load_settings
        from writer.store import FactStore

        text = read_page(page)
        settings = ctx.obj if isinstance(ctx.obj, Settings) else load_settings()
        judge = None
        if judge_model is not None:
            from writer.check.judge import ModelJudge, judge_config

            judge = ModelJudge(judge_config(settings.model, judge_model, timeout))
        store = FactStore(settings.facts_path)
        try:
            sheet = store.sheet(store.resolve(gene))
        finally:
            store.close()
        try:
            report = run_check(text, sheet, judge=judge)
        finally:
            if judge is not None:
                judge.close()
    except WriterError as exc:
        fail(exc)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(report, text, color=sys.stdout.isatty()))
    ctx.exit(0 if report.ok else 1)
