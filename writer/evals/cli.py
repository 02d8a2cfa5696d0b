"""``writer eval``: the eval suite from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from writer.draft import model_request_options
from writer.errors import BadFile

if TYPE_CHECKING:
    from writer.config import Settings


@click.command("eval")
@click.option("--model", "-m", envvar="GENE_WRITER_MODEL", metavar="NAME",
              help="Model on an OpenAI-compatible endpoint (OPENAI_BASE_URL, OPENAI_API_KEY or "
                   "config.toml [model]; env GENE_WRITER_MODEL). Default: config.toml [model] "
                   "name, else the template phraser; 'template' forces it.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the JSON report (shape: writer/evals/models.py) instead of Markdown.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False), metavar="FILE.md",
              help="Also write the Markdown summary to FILE.md.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help="Only the first N cases of the panel (for slow models).")
@click.option("--gene", "genes", multiple=True, metavar="GENE",
              help="Only this gene (repeatable); a gene outside the panel is run as an ad-hoc "
                   "case.")
@click.option("--suite", "suite_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Folder with panel.tsv, injections.toml and thresholds.toml "
                   "(default: the suite shipped in the package, writer/evals/data/).")
@click.option("--thresholds", "thresholds_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Judge the run by FILE instead of the suite's thresholds.toml (e.g. "
                   "writer/evals/data/thresholds-local-model.toml: no flaw reaches a page).")
@click.option("--pages", "pages_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Write each drafted page to DIR/<SYMBOL>.md for reading.")
@click.option("--judge", "judge_model", metavar="MODEL",
              help="Also measure the model judge MODEL (on the configured endpoint) on the "
                   "same injections: its recall per kind beside the rules', its false alarms.")
@model_request_options
@click.pass_obj
def eval_command(settings: Settings, model: str | None, as_json: bool, report_file: str | None,
                 limit: int | None, genes: tuple[str, ...], suite_dir: str | None,
                 thresholds_file: str | None, pages_dir: str | None, judge_model: str | None,
                 timeout: float | None, jobs: int | None, max_tokens: int | None,
                 prompt_variant: str | None) -> None:
    """Run the eval suite: draft every panel gene, check it, inject errors, check again.

    Reports per gene and overall: grounding (claims traced / claims), coverage (section
    facts mentioned), evaluator recall per injected error kind and false alarms on clean
    pages, readability per section, and with a model: acceptance, re-asks, tokens, time.
    Drafts are not queued for review. Exit 0 when every threshold of
    the suite's thresholds.toml is met, 1 naming each missed one, 2 on bad input.

    \b
    Examples:
      writer eval
      writer eval --json > eval.json
      writer eval --report eval.md --pages /tmp/pages
      OPENAI_BASE_URL=http://127.0.0.1:8080/v1 writer eval --model smollm2 --limit 5 --jobs 1
      OPENAI_BASE_URL=http://127.0.0.1:8080/v1 writer eval --judge smollm2 --gene MT1G
    """
    from writer.evals.report import render_markdown
    from writer.evals.runner import run_eval
    from writer.evals.suite import load_suite
    from writer.progress import Progress

    suite = load_suite(suite_dir)
    if thresholds_file:
        from writer.evals.suite import read_thresholds

        suite = suite.model_copy(update={"thresholds": read_thresholds(Path(thresholds_file))})
    if report_file and not Path(report_file).resolve().parent.is_dir():
        raise BadFile(f"cannot write {report_file}: its folder does not exist")
    report = run_eval(settings, suite, model=model, limit=limit, genes=genes,
                      pages_dir=Path(pages_dir) if pages_dir else None, progress=Progress(),
                      judge_model=judge_model, timeout=timeout, concurrency=jobs,
                      max_tokens=max_tokens, prompt_variant=prompt_variant)
    markdown = render_markdown(report)
    if report_file:
        try:
            Path(report_file).write_text(markdown, encoding="utf-8")
        except OSError as exc:
            raise BadFile(f"cannot write {report_file}: {exc.strerror or exc}") from None
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(markdown, nl=False)
    if not report.passed:
        n = len(report.missed)
        click.echo(f"writer: eval failed: {n} threshold{'s' * (n != 1)} missed", err=True)
        for line in report.missed:
            click.echo(f"  {line}", err=True)
        sys.exit(1)
    click.echo(f"writer: eval passed: {len(report.thresholds)} thresholds met or not "
               "applicable", err=True)
