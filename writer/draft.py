"""``writer draft GENE``: a gene's page in the reference pages' format, every claim traced.

    sheet = writer.facts("MT1G")
    result = make_draft(sheet)                       # template phraser, no model
    result = make_draft(sheet, phraser=ModelPhraser(ModelConfig(model="qwen2.5")))
    result.page, result.record.flagged, result.report.findings

The page: Jekyll front matter like the reference pages, the identity table (rendered from
facts), one paragraph per section that has facts (``writer.sections``, in page order), a
note naming the sections left out and the sources they need, and the Checks table from
the evaluator (``writer.check.check``) run on the page itself.

The draft record (``writer.review.store.DraftRecord``) holds the page, the fact sheet's
hash, the hashes of the prompt files and templates used, how each section was phrased,
every finding (the evaluator's on the page, the model's replaced claims, coverage
omissions, endpoint failures), token usage and duration. ``writer draft`` appends it,
with every model call, to the review queue.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from writer.errors import BadFile, UserInputError
from writer.factsheet import FactSheet

if TYPE_CHECKING:
    from writer.config import Settings
    from writer.phrasers import Phrased, Phraser
    from writer.phrasers.model import ModelConfig
    from writer.review.store import DraftRecord, ModelCall

SEP = "\n\n\n"
TEMPLATE_NAMES = ("", "template", "none")


# --- the page ------------------------------------------------------------------------------
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._()',/-]*$")
_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?( ?([+-]\d{2}:?\d{2}|[A-Z]{1,5}))?)?$"
)


def _yaml_scalar(text: str) -> str:
    """A YAML scalar: plain when it cannot be misread, else double-quoted (JSON is YAML)."""
    return text if _PLAIN.match(text) and ": " not in text else json.dumps(text)


def _yaml_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(v if _TAG.match(v) else json.dumps(v) for v in values) + "]"


def default_date(now: datetime | None = None) -> str:
    """``2025-01-17 16:55 CST``: local time with the zone's abbreviation (else its offset)."""
    now = (now or datetime.now()).astimezone()
    zone = now.strftime("%Z")
    return now.strftime("%Y-%m-%d %H:%M ") + (zone if zone.isalpha() else now.strftime("%z"))


def check_date(text: str) -> str:
    text = text.strip()
    if not _DATE.match(text):
        raise UserInputError(
            f"bad --date {text!r}: use YYYY-MM-DD, optionally with HH:MM and a zone "
            "(2025-01-17 16:55 CST)"
        )
    try:
        datetime.strptime(text[:10], "%Y-%m-%d")
    except ValueError:
        raise UserInputError(f"bad --date {text!r}: no such day") from None
    return text


def front_matter(sheet: FactSheet, date: str, tags: Sequence[str],
                 categories: Sequence[str]) -> str:
    from writer.sections import all_sections
    from writer.sections.prose import join

    topics = [re.sub(r"\s*\(.*\)", "", s.title) for s in all_sections()
              if s.phrased and s.available(sheet)]
    description = f"{sheet.symbol} {join(topics)}".strip()
    cats = categories[0] if len(categories) == 1 and _TAG.match(categories[0]) \
        else _yaml_list(categories)
    return "\n".join([
        "---",
        "layout: post",
        f"title: {_yaml_scalar(sheet.symbol)}",
        f"date: {date}",
        f"description: {_yaml_scalar(description)}",
        f"tags: {_yaml_list(tags)}",
        f"categories: {cats}",
        "pretty_table: true",
        "citation: true",
        "related_posts: true",
        "---",
    ])


def missing_note(sheet: FactSheet) -> str:
    """The page's closing note: sections left out and the sources they would need."""
    from writer.sections import missing_notes
    from writer.sections.prose import join

    missing = missing_notes(sheet)
    offline = [f"{s.title} ({s.needs})" for s in missing if s.offline]
    online = [f"{s.title} ({s.needs})" for s in missing if not s.offline]
    parts = []
    if offline:
        parts.append("Left out of this page because the offline sources have no facts on "
                     f"this gene for them: {join(offline)}.")
    if online:
        parts.append(f"Left out because they need online sources: {join(online)}.")
    return f"*{' '.join(parts)}*" if parts else ""


def body(sheet: FactSheet, texts: dict[str, str]) -> str:
    """Identity table, section paragraphs in page order and the closing note."""
    from writer.sections import all_sections, get

    blocks = [get("identity").template(sheet)]
    for section in all_sections():
        if section.phrased and texts.get(section.name, "").strip():
            blocks.append(texts[section.name].strip())
    note = missing_note(sheet)
    if note:
        blocks.append(note)
    return SEP.join(blocks)


# --- a draft -------------------------------------------------------------------------------
@dataclass
class DraftResult:
    page: str
    record: DraftRecord
    calls: list[ModelCall]
    sections: dict[str, Phrased]
    report: Any | None  # writer.check CheckReport of the page (None: evaluator missing)
    draft_id: int | None = None
    problems: list[str] = field(default_factory=list)  # one line each, for the command

    @property
    def flagged(self) -> bool:
        return self.record.flagged


def _checker() -> Any | None:
    try:
        from writer.check import check
    except ImportError:
        return None
    return check


def make_draft(
    sheet: FactSheet,
    phraser: Phraser | None = None,
    *,
    date: str | None = None,
    tags: Sequence[str] = (),
    categories: Sequence[str] = (),
    checker: Any | None = None,
) -> DraftResult:
    """Draft one gene's page (nothing is stored; see ``draft_gene`` for the command's path)."""
    from writer.phrasers import TemplatePhraser
    from writer.review.store import DraftRecord, SectionRun
    from writer.sections import (
        REASK_PROMPT,
        SYSTEM_PROMPT,
        all_sections,
        prompt_text,
        sha256,
        template_hash,
    )
    from writer.sections.checks import render_report, unavailable

    start = time.monotonic()
    phraser = phraser or TemplatePhraser()
    check = checker or _checker()
    todo = [s for s in all_sections() if s.phrased and s.available(sheet)]
    phrased = phraser.phrase(todo, sheet)
    texts = {name: p.text for name, p in phrased.items()}
    page_body = body(sheet, texts)
    head = front_matter(sheet, date or default_date(), tags, categories)
    page_without_checks = head + SEP + page_body
    findings: list[dict[str, Any]] = []
    report = None
    if check is not None:
        report = check(page_without_checks, sheet)
        table = render_report(report)
        findings.extend(_finding_dicts(report))
    else:
        table = unavailable("the evaluator (writer.check) is not installed")
        findings.append({"claim": "", "kind": "checks", "status": "unverifiable",
                         "reason": "the evaluator is not installed: the page was not checked"})
    page = page_without_checks + SEP + table + "\n"
    problems = []
    for name, p in phrased.items():
        findings.extend(p.findings)
        if p.error:
            problems.append(f"{name}: {p.error}")
        omitted = [f for f in p.findings if f.get("kind") == "coverage"]
        if omitted:
            problems.append(f"{name}: the model's text leaves out {len(omitted)} "
                            f"fact{'s' * (len(omitted) != 1)}")
    if report is None:
        problems.append("the page was not checked: the evaluator is not installed")
    page_findings = [f for f in findings if f.get("kind") not in ("coverage", "endpoint", "checks")
                     and f.get("status") in ("contradicted", "unverifiable")]
    if page_findings:
        problems.append(f"the page has {len(page_findings)} untraced "
                        f"claim{'s' * (len(page_findings) != 1)}")

    hashes: dict[str, str] = {}
    for name, p in phrased.items():
        hashes[f"template:{name}"] = template_hash(name)
        if p.phraser != "template":
            for file in (SYSTEM_PROMPT, REASK_PROMPT, f"{name}.md"):
                hashes[f"prompts/{file}"] = sha256(prompt_text(file))
    calls = [c for p in phrased.values() for c in p.calls]
    record = DraftRecord(
        gene_id=sheet.gene_id,
        symbol=sheet.symbol,
        text=page,
        factsheet_hash=sheet.content_hash(),
        prompt_hashes=hashes,
        sections={
            name: SectionRun(phraser=p.phraser, model=p.model, attempts=max(p.attempts, 1),
                             fell_back=p.fell_back)
            for name, p in phrased.items()
        },
        findings=findings,
        usage={
            "prompt_tokens": sum(p.prompt_tokens for p in phrased.values()),
            "completion_tokens": sum(p.completion_tokens for p in phrased.values()),
            "model_calls": len(calls),
        },
        duration_s=round(time.monotonic() - start, 4),
    )
    return DraftResult(page=page, record=record, calls=calls, sections=phrased, report=report,
                       problems=problems)


def _finding_dicts(report: Any) -> list[dict[str, Any]]:
    from writer.phrasers import findings_of  # same conversion as the grounding loop

    out = findings_of(report, "page")
    for f in out:
        f.pop("section", None)
    return out


# --- configuration -------------------------------------------------------------------------
def page_options(settings: Settings) -> dict[str, Any]:
    """The ``[page]`` table of ``config.toml`` (tags, categories), if any."""
    path = settings.config_path
    if not path.exists():
        return {}
    try:
        return dict(tomllib.loads(path.read_text(encoding="utf-8")).get("page") or {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BadFile(f"cannot read config file {path}: {exc}") from None


def model_config(settings: Settings, model: str | None, **overrides: Any) -> ModelConfig | None:
    """The model to phrase with, or None for the template phraser.

    Model name: ``--model`` / ``GENE_WRITER_MODEL``, else ``[model] name`` in config.toml.
    Endpoint and key: ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY``, else ``[model] base_url`` /
    ``api_key`` in config.toml. No base URL means the SDK's default (OpenAI), which needs a key.
    """
    name = model if model is not None else settings.model.get("name", "")
    if name.strip().lower() in TEMPLATE_NAMES:
        return None
    from writer.phrasers.model import ModelConfig

    base_url = os.environ.get("OPENAI_BASE_URL") or settings.model.get("base_url") or None
    api_key = os.environ.get("OPENAI_API_KEY") or settings.model.get("api_key") or None
    if not base_url and not api_key:
        raise UserInputError(
            f"model {name!r} needs an endpoint: set OPENAI_BASE_URL (any OpenAI-compatible "
            "server) or OPENAI_API_KEY, or [model] base_url / api_key in config.toml"
        )
    if base_url and not re.match(r"^https?://", base_url):
        raise UserInputError(f"bad model base URL {base_url!r}: it must start with http(s)://")
    kwargs = {k: v for k, v in overrides.items() if v is not None}
    return ModelConfig(model=name.strip(), base_url=base_url, api_key=api_key, **kwargs)


def _split(values: Sequence[str] | str | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out = []
    for v in values:
        out.extend(x.strip() for x in str(v).split(",") if x.strip())
    return out


def draft_gene(
    settings: Settings,
    gene: str,
    *,
    model: str | None = None,
    date: str | None = None,
    tags: Sequence[str] | str | None = None,
    categories: Sequence[str] | str | None = None,
    queue: bool = True,
    http_client: Any | None = None,
    **model_overrides: Any,
) -> DraftResult:
    """What ``writer draft`` does: resolve, phrase, check, and append to the review queue."""
    from writer.store import FactStore

    date = check_date(date) if date else None
    page = page_options(settings)
    tag_list = _split(tags) if tags is not None else _split(page.get("tags"))
    cat_list = _split(categories) if categories is not None else _split(page.get("categories"))
    for t in tag_list + cat_list:
        if not _TAG.match(t):
            raise UserInputError(f"bad tag or category {t!r}: use letters, digits, '-', '_', '.'")
    config = model_config(settings, model, **model_overrides)
    store = FactStore(settings.facts_path)
    sheet = store.sheet(store.resolve(gene))
    phraser = None
    if config is not None:
        from writer.phrasers.model import ModelPhraser

        phraser = ModelPhraser(config, http_client=http_client)
    try:
        result = make_draft(sheet, phraser, date=date, tags=tag_list, categories=cat_list)
    finally:
        if phraser is not None and http_client is None:
            phraser.close()
    if queue:
        from writer.review.store import Queue

        with Queue.open(settings.queue_path) as q:
            result.draft_id = q.add_draft(result.record, result.calls)
    return result


# --- the command ---------------------------------------------------------------------------
def model_request_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--timeout`` and ``--jobs``: how model requests are made (shared by draft and eval)."""
    command = click.option(
        "--jobs", type=click.IntRange(min=1, max=32), metavar="N",
        help="Sections requested at once (default 6; 1 for a single local server).",
    )(command)
    return click.option(
        "--timeout", type=click.FloatRange(min=0.1), metavar="SECONDS",
        help="Per-request timeout for the model (default 60).",
    )(command)


@click.command("draft")
@click.argument("gene")
@click.option("--model", "-m", envvar="GENE_WRITER_MODEL", metavar="NAME",
              help="Model on an OpenAI-compatible endpoint (env GENE_WRITER_MODEL; "
                   "default: config.toml [model] name, else the template phraser). "
                   "'template' forces the template phraser.")
@click.option("--out", "-o", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              help="Write the page to FILE instead of standard output.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the draft record (JSON) instead of the page.")
@click.option("--date", metavar="DATE", help="Front matter date (default: now), "
              "e.g. '2025-01-17 16:55 CST'.")
@click.option("--tags", metavar="A,B", help="Front matter tags (default: config.toml [page]).")
@click.option("--categories", metavar="A,B",
              help="Front matter categories (default: config.toml [page]).")
@model_request_options
@click.pass_obj
def draft(settings: Settings, gene: str, model: str | None, out: str | None, as_json: bool,
          date: str | None, tags: str | None, categories: str | None, timeout: float | None,
          jobs: int | None) -> None:
    """Draft the page of GENE, check every claim, and queue it for review.

    Without a model the deterministic templates write the page. With --model, each
    section is phrased by an OpenAI-compatible endpoint (OPENAI_BASE_URL, OPENAI_API_KEY
    or config.toml [model]); a paragraph the evaluator cannot trace is re-asked, then
    replaced by the template text. Exit 0 when the page is fully traced, 1 when the
    draft is flagged (findings, or a section that fell back), 2 on bad input.

    \b
    Examples:
      writer draft MT1G
      writer draft MT1G --out _posts/2025-01-17-MT1G.md --tags cooccuring-genes
      OPENAI_BASE_URL=http://127.0.0.1:11434/v1 writer draft NME1 --model qwen2.5:7b
      writer draft 4830 --json
    """
    result = draft_gene(settings, gene, model=model, date=date, tags=tags,
                        categories=categories, timeout=timeout, concurrency=jobs)
    if out:
        try:
            Path(out).write_text(result.page, encoding="utf-8")
        except OSError as exc:
            raise BadFile(f"cannot write {out}: {exc}") from None
    if as_json:
        data = result.record.model_dump(mode="json")
        data = {"id": result.draft_id, "flagged": result.flagged, **data}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif not out:
        click.echo(result.page, nl=False)
    where = f"draft {result.draft_id}" if result.draft_id is not None else "draft"
    if result.flagged:
        n = len(result.record.findings)
        click.echo(f"writer: {where} of {result.record.symbol} queued, flagged for review "
                   f"({n} finding{'s' * (n != 1)})", err=True)
        for line in result.problems:
            click.echo(f"  {line}", err=True)
        sys.exit(1)
    click.echo(f"writer: {where} of {result.record.symbol} queued, every claim traced", err=True)
