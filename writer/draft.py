"""``writer draft GENE``: a gene's page in the reference pages' format, every claim traced.

    result = writer.draft("MT1G")                    # the library's entry (writer.api)
    sheet = writer.facts("MT1G")
    result = make_draft(sheet)                       # template phraser, no model
    result = make_draft(sheet, phraser=ModelPhraser(ModelConfig(model="qwen2.5")))
    result.page, result.record.flagged, result.report.findings

(``ModelPhraser`` from ``writer.phrasers.model``, ``ModelConfig`` from ``writer.llm``.)

The page: Jekyll front matter like the reference pages, the identity table (rendered from
facts), one paragraph per section that has facts (``writer.sections``, in page order), a
note naming the sections left out and the sources they need, and the Checks table from
the evaluator (``writer.check.check``) run on the page itself.

The draft record (``DraftRecord``, defined here) holds the page, the fact sheet's hash,
the hashes of the prompt files and templates used, how each section was phrased
(``SectionRun``), every finding (``writer.check.models.Finding``: the evaluator's on the
page, the model's replaced claims, coverage omissions, endpoint failures), token usage and
duration. ``writer draft`` appends it, with every model call (``writer.llm.ModelCall``), to
the review queue (``writer.review.store.Queue``).

The flow, facts → phrase → check → queue, reads top to bottom in ``make_draft`` and
``draft_gene``.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from pydantic import BaseModel, ConfigDict, Field, field_validator

from writer.check.models import CheckReport, ChecksTable, Finding
from writer.config import split_names
from writer.errors import BadFile, UserInputError
from writer.factsheet import FactSheet

if TYPE_CHECKING:
    from writer.config import Settings
    from writer.llm import ModelCall
    from writer.phrasers import Phrased, Phraser
    from writer.redraft import AcceptedPage

SEP = "\n\n\n"


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
    """The page's closing note: sections left out and the sources they would need.

    A section only protein-coding genes have (the catalogue's ``coding_only``) is not
    "left out" of a non-coding gene's or a pseudogene's page: the note says the gene has no
    protein instead."""
    from writer.sections import missing_notes
    from writer.sections.identity import is_coding, type_words
    from writer.sections.prose import escape, join

    missing = missing_notes(sheet)
    no_protein = is_coding(sheet) is False and type_words(sheet) is not None
    absent = [s for s in missing if no_protein and s.coding_only]
    missing = [s for s in missing if s not in absent]
    offline = [f"{s.title} ({s.needs})" for s in missing if s.offline]
    online = [f"{s.title} ({s.needs})" for s in missing if not s.offline]
    parts = []
    if absent:
        parts.append(f"{escape(sheet.symbol)} is {type_words(sheet)}, not a protein-coding "
                     f"gene, so the page has no {join([s.title for s in absent])}.")
    if offline:
        parts.append("Left out of this page because the offline sources have no facts on "
                     f"this gene for them: {join(offline)}.")
    if online:
        parts.append(f"Left out because they need online sources: {join(online)}.")
    partial = _missing_supplements(sheet, missing)
    if partial:
        parts.append(f"Not available on this page: {join(partial)}.")
    return f"*{' '.join(parts)}*" if parts else ""


def _missing_supplements(sheet: FactSheet, missing: list) -> list[str]:  # noqa: ANN001
    """The online parts of the page's sections that the sheet has no fact from: "the GWAS
    Catalog traits of the disease associations (online source gwas-catalog: not synced, or
    no association for this gene)"."""
    from writer import catalog

    left_out = {s.name for s in missing}
    out = []
    for spec in catalog.sections():
        if spec.name in left_out:
            continue
        for source_id in spec.supplements:
            if source_id not in sheet.sources:
                name = catalog.source(source_id).name.split(",")[0].split(" (")[0]
                out.append(f"the {spec.title} from the {name} (online source {source_id}: "
                           f"not synced, or nothing on this gene)")
    return out


def body(sheet: FactSheet, texts: dict[str, str]) -> str:
    """Identity table and the sentence saying what the gene is, section paragraphs in page
    order and the closing note."""
    from writer.sections import all_sections, get
    from writer.sections.identity import summary

    blocks = [get("identity").template(sheet), summary(sheet)]
    for section in all_sections():
        if section.phrased and texts.get(section.name, "").strip():
            blocks.append(texts[section.name].strip())
    note = missing_note(sheet)
    if note:
        blocks.append(note)
    return SEP.join(b for b in blocks if b)


# --- a draft -------------------------------------------------------------------------------
def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SectionRun(_Record):
    """How one section of a draft was phrased."""

    phraser: str  # "template" or "openai"
    model: str | None = None
    attempts: int = 1
    fell_back: bool = False
    # The model's cost, and what answered as the endpoint reports it ("name (fingerprint)",
    # each distinct one: a silent switch of model behind the same name shows as two).
    served: tuple[str, ...] = ()
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0  # time of its requests
    # where its paragraph sits in the draft's text (characters [start, end)), so a redraft
    # can find it again in the accepted page (``writer.redraft``)
    span: tuple[int, int] | None = None
    # the accepted draft whose text of this section was kept, unchanged facts (a redraft)
    reused_from: int | None = None


class DraftRecord(_Record):
    """A draft and everything needed to see what made it (what the review queue stores)."""

    gene_id: int
    symbol: str = Field(min_length=1)
    created: datetime = Field(default_factory=utcnow)
    text: str
    factsheet_hash: str
    prompt_hashes: dict[str, str] = Field(default_factory=dict)
    sections: dict[str, SectionRun] = Field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    # the Checks table with each row's reason (the page's table holds the short answers)
    checks: ChecksTable | None = None
    usage: dict[str, int] = Field(default_factory=dict)
    duration_s: float = 0.0
    # One digest of what made the draft (``writer.bulk.inputs_digest``): the fact sheet's
    # hash, the template and prompt hashes, the phraser and model, tags and categories.
    inputs: str | None = None
    # Per section, a digest of what made its text (``section_inputs``): a redraft keeps the
    # accepted text of each section whose digest did not change (``writer.redraft``).
    section_inputs: dict[str, str] = Field(default_factory=dict)
    # The accepted draft a redraft started from (its unchanged sections kept), or None.
    redraft_of: int | None = None

    @field_validator("created")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        """Times are UTC; a naive time is taken to be UTC."""
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @property
    def flagged(self) -> bool:
        return bool(self.findings) or any(s.fell_back for s in self.sections.values())


@dataclass
class DraftResult:
    """A drafted page: the text, its record, the model calls behind it, each section's
    phrasing, and the evaluator's report on the page."""

    page: str
    record: DraftRecord
    calls: list[ModelCall]
    sections: dict[str, Phrased]
    report: CheckReport  # the evaluator's report on the page (before its Checks table)
    draft_id: int | None = None  # its id in the review queue, when it was queued
    supersedes: int | None = None  # the gene's pending draft that this one replaced
    problems: list[str] = field(default_factory=list)  # one line each, for the command
    # sources that disagree on a fact the page states: both values, for the curator
    disagreements: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return self.record.flagged


def inputs_digest(factsheet_hash: str, phraser: str, model: str | None, *,
                  judge: bool = False, tags: Sequence[str] = (),
                  categories: Sequence[str] = (), prompt_variant: str | None = None) -> str:
    """One digest of everything that makes a draft's text: the fact sheet's hash, the
    phraser and model, the hash of every section's template and (with a model) of every
    prompt file and of the prompt variant's file, the judge's prompt when a judge reads the
    page, tags and categories.

    Two drafts with the same digest differ only in their date: ``writer draft`` skips a
    gene whose latest draft has the digest it would make (unless ``--force``)."""
    import hashlib

    parts = {"factsheet": factsheet_hash, "phraser": phraser, "model": model,
             "code": _code_hashes(phraser != "template", judge),
             "tags": list(tags), "categories": list(categories)}
    if phraser != "template":  # a model's prompts are filled as the variant says
        from writer.phrasers.prompting import DEFAULT_VARIANT, prompt_hashes, variant_file

        variant = prompt_variant or DEFAULT_VARIANT
        parts["variant"] = prompt_hashes(variant=variant)[f"prompts/{variant_file(variant)}"]
    data = json.dumps(parts, sort_keys=True).encode("utf-8")
    return "sha256:" + hashlib.sha256(data).hexdigest()


PAGE_INPUTS = "_page"  # the section_inputs entry of what the page draws outside its sections


def section_inputs(sheet: FactSheet, names: Sequence[str], phraser: str,
                   model: str | None, prompt_variant: str | None = None, *,
                   tags: Sequence[str] = (), categories: Sequence[str] = ()) -> dict[str, str]:
    """Per section, one digest of what makes its text: its facts
    (``writer.sections.facts_digest``), its template, and with a model the phraser, model,
    system, re-ask and section prompts and the prompt variant. A section whose digest is the
    one its accepted text was made from keeps that text in a redraft.

    ``PAGE_INPUTS`` holds the rest of the page: the identity facts, which sections the page
    has and which sources the sheet holds (the closing note), tags and categories. A gene
    whose accepted draft has every one of these digests has nothing to redraft."""
    import hashlib

    from writer.sections import facts_digest, get, template_hash

    page = {"identity": facts_digest(sheet, get("identity")),
            "template": template_hash("identity"), "sections": list(names),
            "sources": sorted(sheet.sources), "tags": list(tags),
            "categories": list(categories)}

    shared: dict[str, Any] = {"phraser": phraser, "model": model}
    prompts: dict[str, str] = {}
    if phraser != "template" and names:  # (with no section, nothing below reads them)
        from writer.phrasers.prompting import prompt_hashes, variant_file
        from writer.sections import REASK_PROMPT, SYSTEM_PROMPT

        prompts = prompt_hashes(names, variant=prompt_variant)
        shared["prompts"] = [prompts[f"prompts/{f}"] for f in (SYSTEM_PROMPT, REASK_PROMPT)]
        if prompt_variant:
            shared["variant"] = prompts[f"prompts/{variant_file(prompt_variant)}"]
    out = {}
    for name in names:
        parts = {**shared, "facts": facts_digest(sheet, get(name)),
                 "template": template_hash(name)}
        if prompts:
            parts["prompt"] = prompts[f"prompts/{name}.md"]
        data = json.dumps(parts, sort_keys=True).encode("utf-8")
        out[name] = "sha256:" + hashlib.sha256(data).hexdigest()
    data = json.dumps(page, sort_keys=True).encode("utf-8")
    out[PAGE_INPUTS] = "sha256:" + hashlib.sha256(data).hexdigest()
    return out


def _spans(page: str, texts: dict[str, str], start: int) -> dict[str, tuple[int, int]]:
    """Where each section's paragraph sits in ``page`` (sections in page order, from
    ``start``, the end of the front matter)."""
    from writer.sections import all_sections

    out = {}
    pos = start
    for section in all_sections():
        text = texts.get(section.name, "").strip()
        if not section.phrased or not text:
            continue
        at = page.find(text, pos)
        if at >= 0:
            out[section.name] = (at, at + len(text))
            pos = at + len(text)
    return out


@functools.cache
def _code_hashes(with_prompts: bool, judge: bool) -> dict[str, str]:
    from writer.phrasers.prompting import prompt_hashes
    from writer.sections import all_sections, template_hash

    names = [s.name for s in all_sections() if s.phrased]
    hashes = {f"template:{n}": template_hash(n) for n in names}
    hashes.update(prompt_hashes(names if with_prompts else (), judge=judge))
    return hashes


def make_draft(
    sheet: FactSheet,
    phraser: Phraser | None = None,
    *,
    date: str | None = None,
    tags: Sequence[str] = (),
    categories: Sequence[str] = (),
    checker: Callable[[str, FactSheet], CheckReport] | None = None,
    accepted: AcceptedPage | None = None,
) -> DraftResult:
    """Draft one gene's page (nothing is stored; see ``draft_gene`` for the command's path).

    ``checker`` replaces the evaluator (``writer.check.check``), e.g. in tests. ``accepted``
    (``writer.redraft.accepted_page``): the gene's accepted page, whose sections with
    unchanged inputs are kept as accepted; only the others are phrased."""
    from writer.check import check as evaluate
    from writer.phrasers import TemplatePhraser
    from writer.phrasers.prompting import prompt_hashes
    from writer.sections import template_hash, to_phrase
    from writer.sections.checks import render_report

    start = time.monotonic()
    phraser = phraser or TemplatePhraser()
    check = checker or evaluate
    todo = to_phrase(sheet)
    phraser_name = getattr(phraser, "name", "template")
    inputs = section_inputs(sheet, [s.name for s in todo], phraser_name, _model_name(phraser),
                            _prompt_variant(phraser), tags=tags, categories=categories)
    kept, own = _kept_sections(todo, inputs, accepted)
    phrased = phraser.phrase([s for s in todo if s.name not in kept], sheet) \
        if len(kept) < len(todo) else {}
    phrased = {s.name: kept[s.name] if s.name in kept else phrased[s.name] for s in todo}
    texts = {name: p.text for name, p in phrased.items()}
    page_body = body(sheet, texts)
    head = front_matter(sheet, date or default_date(), tags, categories)
    page_without_checks = head + SEP + page_body
    report = check(page_without_checks, sheet)
    page = page_without_checks + SEP + render_report(report) + "\n"
    spans = _spans(page, texts, len(head))
    findings: list[Finding] = list(report.findings)
    n_page = len(findings)
    problems = list(own)
    replaced = _replaced_edits(todo, kept, accepted)
    findings.extend(replaced)
    problems += [f"{f.section}: {f.reason}" for f in replaced]
    for name, p in phrased.items():
        findings.extend(p.findings)
        if p.error:
            problems.append(f"{name}: {p.error}")
        omitted = [f for f in p.findings if f.kind == "coverage"]
        if omitted:
            problems.append(f"{name}: the model's text leaves out {len(omitted)} "
                            f"fact{'s' * (len(omitted) != 1)}")
    if n_page:
        problems.append(f"the page has {n_page} untraced claim{'s' * (n_page != 1)}")

    hashes: dict[str, str] = {}
    for name, p in phrased.items():
        hashes[f"template:{name}"] = template_hash(name)
        if p.phraser != "template":
            hashes.update(prompt_hashes([name], variant=p.prompt_variant))
    calls = [c for p in phrased.values() for c in p.calls]
    if report.judge is not None:  # the model judge read the page: its prompt and requests
        hashes.update(prompt_hashes(judge=True))
        calls.extend(report.judge.calls)
        if report.judge.error:
            problems.append(f"the model judge failed: {report.judge.error}")
    record = DraftRecord(
        gene_id=sheet.gene_id,
        symbol=sheet.symbol,
        text=page,
        factsheet_hash=sheet.content_hash(),
        prompt_hashes=hashes,
        sections={
            name: SectionRun(phraser=p.phraser, model=p.model, attempts=max(p.attempts, 1),
                             fell_back=p.fell_back,
                             served=tuple(dict.fromkeys(c.served for c in p.calls if c.served)),
                             prompt_tokens=p.prompt_tokens, completion_tokens=p.completion_tokens,
                             seconds=round(sum(c.duration_s for c in p.calls), 4),
                             span=spans.get(name),
                             reused_from=accepted.draft_id if name in kept and accepted
                             else None)
            for name, p in phrased.items()
        },
        section_inputs=inputs,
        redraft_of=accepted.draft_id if accepted is not None else None,
        findings=tuple(findings),
        checks=report.checks,
        usage={
            "prompt_tokens": sum(p.prompt_tokens for p in phrased.values()),
            "completion_tokens": sum(p.completion_tokens for p in phrased.values()),
            "model_calls": len(calls),
        },
        duration_s=round(time.monotonic() - start, 4),
        inputs=inputs_digest(sheet.content_hash(), getattr(phraser, "name", "template"),
                             _model_name(phraser), judge=report.judge is not None,
                             tags=tags, categories=categories,
                             prompt_variant=_prompt_variant(phraser)),
    )
    stated = {k for s in todo for k in s.facts(sheet)} | {
        k for k in sheet.facts if k.startswith("identity.")}
    disagree = [f"the {fact.label[0].lower()}{fact.label[1:]}: {c.detail}"
                for fact, c in sheet.disagreements() if fact.key in stated]
    return DraftResult(page=page, record=record, calls=calls, sections=phrased, report=report,
                       problems=problems, disagreements=disagree)


def _kept_sections(todo: Sequence[Any], inputs: dict[str, str], accepted: AcceptedPage | None
                   ) -> tuple[dict[str, Phrased], list[str]]:
    """The sections of the accepted page to keep as accepted (their inputs unchanged), as
    ``Phrased``; and one line for the command when curator's edits of other blocks of the
    accepted page are drawn from the facts again."""
    from writer.phrasers import Phrased

    if accepted is None:
        return {}, []
    kept = {}
    for section in todo:
        name = section.name
        text = accepted.texts.get(name)
        if text is None or accepted.inputs.get(name) != inputs[name]:
            continue
        run = accepted.runs.get(name)
        kept[name] = Phrased(section=name, text=text, phraser=run.phraser if run else "template",
                             model=run.model if run else None)
    lines = []
    if accepted.other_edits:
        lines.append(f"{accepted.other_edits} paragraph{'s' * (accepted.other_edits != 1)} the "
                     f"curator edited outside the sections of accepted draft "
                     f"{accepted.draft_id} (the identity table, notes) are drawn from the "
                     "facts again")
    return kept, lines


def _replaced_edits(todo: Sequence[Any], kept: dict[str, Phrased],
                    accepted: AcceptedPage | None) -> list[Finding]:
    """A finding for each section the curator had edited on the accepted page that is phrased
    again (its facts changed, or the edit cannot be told apart): never dropped silently."""
    if accepted is None:
        return []
    return [Finding(kind="curator_edit", status="redrafted", section=s.name,
                    reason=f"the curator's edit of this section on accepted draft "
                           f"{accepted.draft_id} was replaced by a new phrasing (its facts "
                           "changed): compare with the accepted text")
            for s in todo if s.name in accepted.edited and s.name not in kept]


def unchanged_since_accepted(sheet: FactSheet, accepted: AcceptedPage | None,
                             phraser: Phraser | None, tags: Sequence[str] = (),
                             categories: Sequence[str] = ()) -> bool:
    """Whether a draft now would keep every section of the gene's accepted page and draw the
    rest of the page from the same facts (only its date would differ): nothing to redraft."""
    from writer.sections import all_sections

    if accepted is None:
        return False
    names = [s.name for s in all_sections() if s.phrased and s.available(sheet)]
    now = section_inputs(sheet, names, getattr(phraser, "name", "template"),
                         _model_name(phraser) if phraser else None,
                         _prompt_variant(phraser) if phraser else None,
                         tags=tags, categories=categories)
    return now == accepted.inputs and all(accepted.texts.get(n) is not None for n in names)


def _prompt_variant(phraser: Phraser) -> str | None:
    config = getattr(phraser, "config", None)
    return getattr(config, "prompt_variant", None)


def page_options(settings: Settings, date: str | None, tags: Sequence[str] | str | None,
                 categories: Sequence[str] | str | None
                 ) -> tuple[str | None, list[str], list[str]]:
    """The checked ``--date``, and the tags and categories (default: config.toml [page])."""
    date = check_date(date) if date else None
    tag_list = split_names(tags) if tags is not None else settings.page.tags
    cat_list = split_names(categories) if categories is not None else settings.page.categories
    for t in tag_list + cat_list:
        if not _TAG.match(t):
            raise UserInputError(f"bad tag or category {t!r}: use letters, digits, '-', '_', '.'")
    return date, tag_list, cat_list


def _model_name(phraser: Phraser) -> str | None:
    config = getattr(phraser, "config", None)
    return getattr(config, "model", None)


def draft_gene(
    settings: Settings,
    gene: str,
    *,
    model: str | None = None,
    date: str | None = None,
    tags: Sequence[str] | str | None = None,
    categories: Sequence[str] | str | None = None,
    queue: bool = True,
    judge: bool = False,
    http_client: Any | None = None,
    online: bool = False,
    **model_overrides: Any,
) -> DraftResult:
    """Resolve, phrase, check, and (``queue``) append to the review queue.

    ``model`` is ``--model`` (None: the configured one, see ``writer.config``); ``tags`` and
    ``categories`` default to config.toml's ``[page]``; ``model_overrides`` set
    ``writer.llm.ModelConfig`` fields (``timeout``, ``concurrency``, ...). ``judge``: the
    same model also judges the drafted page (``writer.check.judge``).
    """
    from writer.llm import model_config
    from writer.store import FactStore

    date, tag_list, cat_list = page_options(settings, date, tags, categories)
    config = model_config(settings.model, model, **model_overrides)
    store = FactStore(settings.facts_path)
    if online:
        from writer.sources.online import current_sheet

        sheet = current_sheet(store, store.resolve(gene), settings, online=True)
    else:
        sheet = store.sheet(store.resolve(gene))
    if judge and config is None:
        raise UserInputError("--judge needs a model: --model NAME (or GENE_WRITER_MODEL) on an "
                             "OpenAI-compatible endpoint")
    phraser = model_judge = None
    checker = None
    if config is not None:
        from writer.phrasers.model import ModelPhraser

        phraser = ModelPhraser(config, http_client=http_client)
    if judge and config is not None:
        from functools import partial

        from writer.check import check
        from writer.check.judge import ModelJudge, judge_config

        model_judge = ModelJudge(judge_config(settings.model, config.model, config.timeout,
                                              config.max_tokens),
                                 http_client=http_client)
        checker = partial(check, judge=model_judge)
    accepted = None
    if queue:
        from writer.redraft import accepted_page
        from writer.review.store import Queue

        with Queue.open(settings.queue_path, readonly=True) as q:
            accepted = accepted_page(q, sheet.gene_id)
    try:
        result = make_draft(sheet, phraser, date=date, tags=tag_list, categories=cat_list,
                            checker=checker, accepted=accepted)
    finally:
        if phraser is not None:
            phraser.close()
        if model_judge is not None:
            model_judge.close()
    if queue:
        from writer.bulk import gene_type
        from writer.review.store import Queue

        with Queue.open(settings.queue_path) as q:
            result.supersedes = q.pending_draft(sheet.gene_id)
            result.draft_id = q.add_draft(result.record, result.calls,
                                          facts_store=None if online else store.identity,
                                          gene_type=gene_type(sheet), supersede=True)
    return result


# --- the command ---------------------------------------------------------------------------
def prompt_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--max-tokens`` and ``--prompt-variant``: what each model request asks (shared by
    draft, eval and batch export)."""
    command = click.option(
        "--max-tokens", type=click.IntRange(min=16, max=32_768), metavar="N",
        help="Cap on the tokens of each model answer (default 800; an answer cut short "
             "by it is asked again, then replaced by the template text).",
    )(command)
    command = click.option(
        "--prompt-variant", metavar="NAME",
        help="How section prompts are filled: a file of writer/prompts/_variants/ (default: "
             "'default', the template paragraph as an example and the facts as lines; "
             "'no-example', 'json-facts', 'no-example-json').",
    )(command)
    return command


def model_request_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--timeout``, ``--jobs`` and ``prompt_options``: how model requests are made (shared
    by draft and eval)."""
    command = prompt_options(command)
    command = click.option(
        "--jobs", type=click.IntRange(min=1, max=256), metavar="N",
        help="Work at once: model requests in flight, shared by every section and gene "
             "and by the worker processes (one per CPU) that check the answers (default 6; "
             "1 for a single local server, 32 for a vLLM server); for template drafting of "
             "many genes, worker processes (default: the CPU count).",
    )(command)
    return click.option(
        "--timeout", type=click.FloatRange(min=0.1), metavar="SECONDS",
        help="Per-request timeout for the model (default 60).",
    )(command)


@click.command("draft")
@click.argument("genes", metavar="GENE...", nargs=-1)
@click.option("--file", "file_", metavar="FILE",
              help="Gene queries, one per line ('-': standard input; '#' starts a comment).")
@click.option("--all", "all_genes", is_flag=True,
              help="Every gene of --type in the fact store.")
@click.option("--type", "gene_type", default="protein-coding", show_default=True,
              metavar="TYPE", help="Gene type for --all (protein-coding, ncRNA, pseudo, ...).")
@click.option("--force", is_flag=True,
              help="With many genes, also redraft genes whose latest draft was made from the "
                   "same facts, templates, prompts and model (skipped by default).")
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
@click.option("--online", is_flag=True,
              help="Draft from the online sources' facts too: fetched for GENE (and cached a "
                   "day) when no online sync was made.")
@click.option("--judge", is_flag=True,
              help="Also let the model judge each sentence of the drafted page against the "
                   "facts it cites (adds findings, never removes one; needs --model).")
@model_request_options
@click.pass_obj
def draft(settings: Settings, genes: tuple[str, ...], file_: str | None, all_genes: bool,
          gene_type: str, force: bool, model: str | None, out: str | None, as_json: bool,
          date: str | None, tags: str | None, categories: str | None, online: bool,
          judge: bool, timeout: float | None, jobs: int | None,
          max_tokens: int | None, prompt_variant: str | None) -> None:
    """Draft the page of each GENE, check every claim, and queue it for review.

    Without a model the deterministic templates write the page. With --model, each
    section is phrased by an OpenAI-compatible endpoint (OPENAI_BASE_URL, OPENAI_API_KEY
    or config.toml [model]); a paragraph the evaluator cannot trace is re-asked, then
    replaced by the template text. A new draft of a gene supersedes its pending draft.
    A gene with an accepted page is redrafted: the sections whose facts, template and
    prompts did not change keep their accepted text (curator's edits included), the others
    are phrased again, and the whole page is checked.
    Exit 0 when every page is fully traced, 1 when a draft is flagged (findings, or a
    section that fell back), 2 on bad input.

    One GENE: the page is printed (or written to --out). Many genes (several GENEs,
    --file or --all): drafted in parallel (--jobs) with a progress bar on a terminal, and
    a summary at the end; a gene whose latest draft was made from the same inputs is
    skipped unless --force, so a run that was stopped continues where it stopped, and
    an unknown gene is one line in the summary (exit 2), not the end of the run.

    \b
    Examples:
      writer draft MT1G
      writer draft MT1G --out _posts/2025-01-17-MT1G.md --tags cooccuring-genes
      OPENAI_BASE_URL=http://127.0.0.1:11434/v1 writer draft NME1 --model qwen2.5:7b
      OPENAI_BASE_URL=http://127.0.0.1:11434/v1 writer draft NME1 --model qwen2.5:7b --judge
      writer draft 4830 --json
      writer draft NME1 --online
      writer draft MT1G NME1 TP53
      writer draft --file genes.txt --jobs 2
      writer draft --file - < genes.txt
      writer draft --all --type protein-coding --jobs 2
    """
    if file_ is not None or all_genes or len(genes) != 1:
        _draft_many_command(settings, list(genes), file_, all_genes, gene_type, force,
                            model=model, out=out, as_json=as_json, date=date, tags=tags,
                            categories=categories, online=online, judge=judge,
                            timeout=timeout, jobs=jobs, max_tokens=max_tokens,
                            prompt_variant=prompt_variant)
        return
    gene = genes[0]
    result = draft_gene(settings, gene, model=model, date=date, tags=tags,
                        categories=categories, online=online, judge=judge, timeout=timeout,
                        concurrency=jobs, max_tokens=max_tokens, prompt_variant=prompt_variant)
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
    if result.supersedes is not None:
        where += f" (superseding pending draft {result.supersedes})"
    for line in result.disagreements:
        click.echo(f"writer: sources disagree on {line}", err=True)
    if result.flagged:
        n = len(result.record.findings)
        click.echo(f"writer: {where} of {result.record.symbol} queued, flagged for review "
                   f"({n} finding{'s' * (n != 1)})", err=True)
        for line in result.problems:
            click.echo(f"  {line}", err=True)
        sys.exit(1)
    click.echo(f"writer: {where} of {result.record.symbol} queued, every claim traced", err=True)


def _draft_many_command(settings: Settings, genes: list[str], file_: str | None,
                        all_genes: bool, gene_type: str, force: bool, *, out: str | None,
                        as_json: bool, jobs: int | None, timeout: float | None,
                        max_tokens: int | None, **options: Any) -> None:
    from writer.bulk import draft_many, read_queries
    from writer.progress import Progress

    if out:
        raise UserInputError("--out takes one gene; many genes go to the review queue "
                             "(writer publish writes them out)")
    if file_ is not None:
        genes = genes + read_queries(file_)
    if not genes and not all_genes:
        raise UserInputError("no gene given: name genes, --file FILE or --all")
    result = draft_many(genes, all_type=gene_type if all_genes else None, settings=settings,
                        force=force, jobs=jobs, progress=Progress(), timeout=timeout,
                        max_tokens=max_tokens, **options)
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    for line in result.summary():
        click.echo(f"writer: {line}", err=True)
    sys.exit(result.exit_code)
