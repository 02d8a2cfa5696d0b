"""Run the eval suite: draft, check, inject, re-check, measure, compare with thresholds.

For each panel case:

1. resolve the query (a case may expect a refusal: an alias shared by several genes);
2. draft the page with the chosen phraser (``writer.draft.make_draft``: nothing is written
   to the review queue) and, as the clean reference, with the template phraser;
3. measure the drafted page: grounding (claims traced / claims, from the evaluator's
   report of the page), coverage per section (``writer.check.coverage``), readability
   per section (the evaluator's Flesch-Kincaid grades), the Checks rows, and for a model
   the requests, re-asks, fall-backs, replaced claims and tokens of every section;
4. findings on the template page are false alarms (it states facts only);
5. plant each injection kind ``count`` times into the clean drafted page (the template page
   when the drafted one has findings) and check again: recall per kind;
6. with a model judge (``--judge MODEL``, ``writer.check.judge``): the judge reads the clean
   page (its findings there are its false alarms) and every planted page, and its recall
   per kind is measured on the same plantings, beside the rules' (its answers on unchanged
   sections come from its cache, so each planting costs about one request).

The metrics are summed over the panel (``Overall``) and compared with the thresholds.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from writer.errors import AmbiguousGene, UnknownGene, UserInputError
from writer.evals.models import (
    Coverage,
    EvalReport,
    GeneJudge,
    GeneResult,
    JudgeOverall,
    KindRecall,
    Miss,
    Overall,
    Readability,
    SectionCost,
    SectionResult,
    SuiteInfo,
    ThresholdResult,
    metric_paths,
    metric_value,
)
from writer.evals.similarity import EDITS
from writer.evals.suite import Case, Suite
from writer.progress import QUIET, Progress

if TYPE_CHECKING:
    from writer.check.judge import ModelJudge
    from writer.check.models import CheckReport
    from writer.config import Settings
    from writer.draft import DraftResult
    from writer.factsheet import FactSheet
    from writer.llm import ModelCall
    from writer.store import FactStore

EVAL_DATE = "2025-01-17"  # a fixed front-matter date: the same facts give the same pages
CHECK_ROWS = ("sentiment", "ethical_concerns", "coherence")
EXCERPT = 100  # characters of context on each side of a missed planting


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- one drafted page ------------------------------------------------------------------------
def _answers(calls: Sequence[ModelCall], sheet: FactSheet, urls: set[str]) -> tuple[int, int, int]:
    """(answers, answers with no untraced claim, untraced claims): each answer the model
    gave, cleaned and checked as the grounding loop did."""
    from writer.check import check
    from writer.phrasers.untrusted import clean

    answers = grounded = untraced = 0
    for call in calls:
        if call.error:
            continue
        answers += 1
        text = clean(call.response or "", urls)
        found = len(check(text, sheet).findings) if text else 1
        grounded += found == 0
        untraced += found
    return answers, grounded, untraced


def _section_results(result: DraftResult, sheet: FactSheet) -> list[SectionResult]:
    from writer.check import coverage as cov
    from writer.evals.similarity import edit, similarity
    from writer.phrasers.prompting import allowed_urls
    from writer.sections import get

    grades = {g.section: g.grade for g in result.report.checks.readability}
    out = []
    for name, p in result.sections.items():
        section = get(name)
        facts = section.facts(sheet)
        template = section.template(sheet)
        links = {url for _, url in cov.template_links(template, facts)}
        accepted = p.phraser != "template" and not p.fell_back
        ratio = similarity(p.text, template) if accepted else None
        total = sum((len(f.value) if isinstance(f.value, tuple) else 1) + (f.percentile is not None)
                    for f in facts.values())
        omitted = len(cov.omitted(name, p.text, facts)) if total else 0
        errors = sum(1 for c in p.calls if c.error)
        model = p.phraser != "template"
        answers, grounded, untraced = _answers(p.calls, sheet, allowed_urls(sheet, facts)) \
            if model else (0, 0, 0)
        out.append(SectionResult(
            name=name,
            phraser=p.phraser,
            requests=len(p.calls),
            reasks=max(answers - 1, 0),
            endpoint_errors=errors,
            accepted=accepted,
            fell_back=p.fell_back,
            replaced_claims=sum(1 for f in p.findings if f.status == "replaced"),
            answers=answers,
            answers_grounded=grounded,
            untraced_claims=untraced,
            coverage=Coverage(facts=total, mentioned=max(total - omitted, 0)),
            grade=grades.get(name),
            similarity=ratio,
            edit=edit(ratio) if ratio is not None else None,
            links=len(links),
            links_on_page=len(links & cov.link_urls(p.text)),
            links_restored=p.links_restored,
            prompt_tokens=p.prompt_tokens,
            completion_tokens=p.completion_tokens,
            seconds=round(sum(c.duration_s for c in p.calls), 3),
            served=list(dict.fromkeys(c.served for c in p.calls if c.served)),
        ))
    return out


def _only(report: CheckReport, judge: bool) -> CheckReport:
    """The report with the judge's findings only (``judge``) or the rules' only."""
    return report.model_copy(update={"findings": [f for f in report.findings
                                                  if (f.kind == "judge") == judge]})


def _judge_seconds(report: CheckReport) -> float:
    return sum(c.duration_s for c in report.judge.calls) if report.judge else 0.0


def _inject(page: str, sheet: FactSheet, suite: Suite, symbol: str,
            judge: ModelJudge | None = None, judged: GeneJudge | None = None
            ) -> tuple[dict[str, KindRecall], list[Miss]]:
    """Recall per kind of the rules; with a ``judge``, its recall is added to ``judged``."""
    from writer.check import check
    from writer.evals.inject import caught, inject

    recall: dict[str, KindRecall] = {}
    missed: list[Miss] = []
    seed = suite.injections.seed
    for spec in suite.injections.injection:
        planted = hit = judge_hit = 0
        for t in range(spec.count):
            rng = random.Random(f"{seed}-{symbol}-{spec.kind}-{t}")
            done = inject(page, sheet, spec.kind, rng)
            if done is None:
                continue
            text, expected = done
            planted += 1
            report = check(text, sheet, judge=judge)
            if caught(_only(report, judge=False), expected):
                hit += 1
            else:
                excerpt = text[max(0, expected.start - EXCERPT): expected.end + EXCERPT]
                missed.append(Miss(kind=spec.kind, claim=expected.claim,
                                   excerpt=" ".join(excerpt.split())))
            if judged is not None and report.judge is not None:
                judge_hit += caught(_only(report, judge=True), expected)
                judged.calls += len(report.judge.calls)
                judged.seconds += _judge_seconds(report)
        recall[spec.kind] = KindRecall(planted=planted, caught=hit, rate=_rate(hit, planted))
        if judged is not None:
            judged.recall[spec.kind] = KindRecall(planted=planted, caught=judge_hit,
                                                  rate=_rate(judge_hit, planted))
    return recall, missed


def _judge_clean(page: str, sheet: FactSheet, judge: ModelJudge) -> GeneJudge:
    """The judge on the clean page: what it says there is a false alarm or a non-answer."""
    from writer.check import check

    report = check(page, sheet, judge=judge)
    review = report.judge
    assert review is not None
    return GeneJudge(model=judge.model, sentences=len(review.verdicts),
                     not_checkable=sum(v.verdict == "not checkable" for v in review.verdicts),
                     false_alarms=[f for f in report.findings if f.kind == "judge"],
                     calls=len(review.calls), seconds=_judge_seconds(report))


def _safe_name(symbol: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", symbol) or "gene"


def run_case(case: Case, store: FactStore, suite: Suite, phraser: Any | None,
             pages_dir: Path | None = None, judge: ModelJudge | None = None) -> GeneResult:
    """Resolve, draft, measure and inject one case (``phraser`` None: the template; ``judge``
    a model judge measured beside the rules)."""
    from writer.draft import make_draft

    base: dict[str, Any] = {"query": case.query, "expect": case.expect,
                            "category": case.category}
    try:
        gene_id = store.resolve(case.query)
    except AmbiguousGene as exc:
        listed = {sym.upper() for sym, _, _ in exc.candidates}
        ok = case.ambiguous and all(s.upper() in listed for s in case.candidates)
        return GeneResult(**base, outcome="refused", resolved=ok,
                          error=None if ok else str(exc))
    except UnknownGene as exc:
        return GeneResult(**base, outcome="error", resolved=False, error=str(exc))
    sheet = store.sheet(gene_id)
    resolved = not case.ambiguous and (case.expect == "*"
                                       or case.expect.upper() == sheet.symbol.upper())
    error = None if resolved else (
        f"{case.query!r} resolved to {sheet.symbol}, expected {case.expect}")

    start = time.monotonic()
    template = make_draft(sheet, date=EVAL_DATE)
    drafted = make_draft(sheet, phraser, date=EVAL_DATE) if phraser is not None else template
    draft_seconds = time.monotonic() - start
    report = drafted.report
    if pages_dir is not None:
        (pages_dir / f"{_safe_name(sheet.symbol)}.md").write_text(drafted.page, encoding="utf-8")

    start = time.monotonic()
    target = "drafted" if not report.findings else (
        "template" if not template.report.findings else None)
    recall: dict[str, KindRecall] = {}
    missed: list[Miss] = []
    judged = None
    if target is not None:
        page = drafted.page if target == "drafted" else template.page
        judged = _judge_clean(page, sheet, judge) if judge is not None else None
        recall, missed = _inject(page, sheet, suite, sheet.symbol, judge, judged)
        if judged is not None:
            judged.seconds = round(judged.seconds, 3)
    inject_seconds = time.monotonic() - start

    sections = _section_results(drafted, sheet)
    band_names = {s.name for s in sections}
    usage = drafted.record.usage
    return GeneResult(
        **base,
        outcome="drafted",
        resolved=resolved,
        error=error,
        symbol=sheet.symbol,
        gene_id=sheet.gene_id,
        claims_total=report.claims_total,
        claims_traced=report.claims_traced,
        grounding=_rate(report.claims_traced, report.claims_total) if report.claims_total
        else 1.0,
        coverage=Coverage(facts=sum(s.coverage.facts for s in sections),
                          mentioned=sum(s.coverage.mentioned for s in sections)),
        page_findings=list(report.findings),
        false_alarms=list(template.report.findings),
        checks_failed=[name for name in CHECK_ROWS if not getattr(report.checks, name).ok],
        readability=[Readability(section=g.section, grade=g.grade, in_band=g.in_band)
                     for g in report.checks.readability if g.section in band_names],
        sections=sections,
        injected_into=target,  # type: ignore[arg-type]
        recall=recall,
        missed=missed,
        prompt_tokens=int(usage.get("prompt_tokens", 0)),
        completion_tokens=int(usage.get("completion_tokens", 0)),
        model_calls=int(usage.get("model_calls", 0)),
        model_seconds=round(sum(s.seconds for s in sections), 3),
        served=list(dict.fromkeys(x for s in sections for x in s.served)),
        draft_seconds=round(draft_seconds, 3),
        inject_seconds=round(inject_seconds, 3),
        judge=judged,
    )


# --- the whole panel -------------------------------------------------------------------------
def overall(genes: Sequence[GeneResult], kinds: Sequence[str], seconds: float) -> Overall:
    drafted = [g for g in genes if g.outcome == "drafted"]
    claims = sum(g.claims_total for g in drafted)
    traced = sum(g.claims_traced for g in drafted)
    facts = sum(g.coverage.facts for g in drafted)
    mentioned = sum(g.coverage.mentioned for g in drafted)
    by_kind: dict[str, KindRecall] = {}
    for kind in kinds:
        planted = sum(g.recall[kind].planted for g in drafted if kind in g.recall)
        hit = sum(g.recall[kind].caught for g in drafted if kind in g.recall)
        by_kind[kind] = KindRecall(planted=planted, caught=hit, rate=_rate(hit, planted))
    planted = sum(r.planted for r in by_kind.values())
    hit = sum(r.caught for r in by_kind.values())
    rates = [r.rate for r in by_kind.values() if r.rate is not None]
    grades = [r for g in drafted for r in g.readability]
    per_section: dict[str, list[float]] = {}
    for r in grades:
        per_section.setdefault(r.section, []).append(r.grade)
    sections = [s for g in drafted for s in g.sections]
    model = [s for s in sections if s.phraser != "template"]
    prompt_tokens = sum(g.prompt_tokens for g in drafted)
    completion_tokens = sum(g.completion_tokens for g in drafted)
    gene_grounding = [g.grounding for g in drafted if g.grounding is not None]
    gene_coverage = [g.coverage.rate for g in drafted if g.coverage.rate is not None]
    reasks = sum(s.reasks for s in model)
    answers = sum(s.answers for s in model)
    answers_grounded = sum(s.answers_grounded for s in model)
    accepted = [s for s in model if s.accepted]
    edits = {e: sum(s.edit == e for s in accepted) for e in EDITS}
    links = sum(s.links for s in accepted)
    links_kept = sum(s.links_on_page - s.links_restored for s in accepted)
    model_seconds = sum(g.model_seconds for g in drafted)
    served = list(dict.fromkeys(x for g in drafted for x in g.served))
    return Overall(
        cases=len(genes),
        genes=len(drafted),
        resolution=_rate(sum(g.resolved for g in genes), len(genes)),
        claims_total=claims,
        claims_traced=traced,
        grounding=_rate(traced, claims),
        grounding_min_gene=min(gene_grounding) if gene_grounding else None,
        facts_total=facts,
        facts_mentioned=mentioned,
        coverage=_rate(mentioned, facts),
        coverage_min_gene=min(gene_coverage) if gene_coverage else None,
        page_findings=sum(len(g.page_findings) for g in drafted),
        false_alarms=sum(len(g.false_alarms) for g in drafted),
        false_alarm_pages=sum(bool(g.false_alarms) for g in drafted),
        checks_failed=sum(bool(g.checks_failed) for g in drafted),
        sentiment_failed=sum("sentiment" in g.checks_failed for g in drafted),
        ethics_failed=sum("ethical_concerns" in g.checks_failed for g in drafted),
        coherence_failed=sum("coherence" in g.checks_failed for g in drafted),
        planted=planted,
        caught=hit,
        recall=_rate(hit, planted),
        recall_min_kind=min(rates) if rates else None,
        planted_min_kind=min((r.planted for r in by_kind.values()), default=0),
        recall_by_kind=by_kind,
        readability_median=round(statistics.median(r.grade for r in grades), 1) if grades
        else None,
        readability_in_band=_rate(sum(r.in_band for r in grades), len(grades)),
        readability_by_section={k: round(statistics.fmean(v), 1)
                                for k, v in per_section.items()},
        model_sections=len(model),
        accepted_sections=sum(s.accepted for s in model),
        acceptance=_rate(edits["rewritten"], len(model)),
        acceptance_with_copies=_rate(len(accepted), len(model)),
        copied_sections=edits["copied"],
        lightly_edited_sections=edits["lightly edited"],
        rewritten_sections=edits["rewritten"],
        by_section=_by_section(model),
        links=links,
        links_kept=links_kept,
        links_restored=sum(s.links_restored for s in accepted),
        links_kept_rate=_rate(links_kept, links),
        links_lost=sum(s.links - s.links_on_page for s in sections),
        answers=answers,
        answers_grounded=answers_grounded,
        answer_grounding=_rate(answers_grounded, answers),
        untraced_claims=sum(s.untraced_claims for s in model),
        model_coverage=_rate(sum(s.coverage.mentioned for s in accepted),
                             sum(s.coverage.facts for s in accepted)),
        fell_back=sum(s.fell_back for s in model),
        reasks=reasks,
        reasks_per_section=_rate(reasks, len(model)),
        endpoint_errors=sum(s.endpoint_errors for s in model),
        replaced_claims=sum(s.replaced_claims for s in model),
        model_calls=sum(g.model_calls for g in drafted),
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        tokens=prompt_tokens + completion_tokens,
        tokens_per_gene=round((prompt_tokens + completion_tokens) / len(drafted), 1)
        if drafted else None,
        model_seconds=round(model_seconds, 2),
        model_seconds_per_gene=round(model_seconds / len(drafted), 3) if drafted else None,
        served=served,
        served_count=len(served),
        seconds=round(seconds, 2),
        seconds_per_gene=round(seconds / len(drafted), 3) if drafted else None,
        draft_seconds=round(sum(g.draft_seconds for g in drafted), 2),
        inject_seconds=round(sum(g.inject_seconds for g in drafted), 2),
        judge=_judge_overall([g.judge for g in drafted if g.judge is not None], kinds),
    )


def _by_section(model: Sequence[SectionResult]) -> dict[str, SectionCost]:
    """Per section over the panel: what the model did with it and what it cost."""
    out: dict[str, SectionCost] = {}
    for s in model:
        c = out.setdefault(s.name, SectionCost())
        c.model_sections += 1
        c.copied += s.edit == "copied"
        c.lightly_edited += s.edit == "lightly edited"
        c.rewritten += s.edit == "rewritten"
        c.fell_back += s.fell_back
        c.requests += s.requests
        c.tokens += s.prompt_tokens + s.completion_tokens
        c.seconds = round(c.seconds + s.seconds, 3)
    for c in out.values():
        c.tokens_per_gene = round(c.tokens / c.model_sections, 1)
        c.seconds_per_gene = round(c.seconds / c.model_sections, 3)
    return out


def _judge_overall(judged: Sequence[GeneJudge], kinds: Sequence[str]) -> JudgeOverall | None:
    if not judged:
        return None
    by_kind: dict[str, KindRecall] = {}
    for kind in kinds:
        planted = sum(j.recall[kind].planted for j in judged if kind in j.recall)
        hit = sum(j.recall[kind].caught for j in judged if kind in j.recall)
        by_kind[kind] = KindRecall(planted=planted, caught=hit, rate=_rate(hit, planted))
    planted = sum(r.planted for r in by_kind.values())
    hit = sum(r.caught for r in by_kind.values())
    sentences = sum(j.sentences for j in judged)
    not_checkable = sum(j.not_checkable for j in judged)
    return JudgeOverall(
        model=judged[0].model, sentences=sentences, not_checkable=not_checkable,
        not_checkable_rate=_rate(not_checkable, sentences),
        false_alarms=sum(len(j.false_alarms) for j in judged),
        false_alarm_pages=sum(bool(j.false_alarms) for j in judged),
        planted=planted, caught=hit, recall=_rate(hit, planted), recall_by_kind=by_kind,
        calls=sum(j.calls for j in judged), seconds=round(sum(j.seconds for j in judged), 2),
    )


def judge(suite: Suite, summary: Overall, phraser: str, partial: bool = False
          ) -> list[ThresholdResult]:
    out = []
    for t in suite.thresholds:
        value = metric_value(summary, t.metric) if t.applies(phraser, partial) else None
        passed = None if value is None else t.passes(value)
        out.append(ThresholdResult(metric=t.metric, op=t.op, bound=t.bound,  # type: ignore[arg-type]
                                   value=value, passed=passed, when=t.when,
                                   full_panel=t.full_panel, why=t.why))
    return out


def check_thresholds(suite: Suite) -> None:
    """Refuse (exit 2) a threshold on a metric the report does not have."""
    from writer.errors import BadFile

    known = metric_paths([i.kind for i in suite.injections.injection])
    for t in suite.thresholds:
        if t.metric not in known:
            close = sorted(k for k in known if t.metric.split(".")[0] in k)[:4]
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise BadFile(f"{suite.root / 'thresholds.toml'}: unknown metric {t.metric!r}{hint}")


def _summary_line(g: GeneResult) -> str:
    if g.outcome != "drafted":
        what = "refused as expected" if g.resolved else f"FAILED: {g.error}"
        return f"{g.query}: {g.outcome}, {what}"
    caught, planted, model = g.caught, g.planted, g.model_sections
    copies = sum(s.edit == "copied" for s in model)
    accepted = (f", {sum(s.accepted for s in model)}/{len(model)} sections accepted "
                f"({copies} copied from the template)") if model else ""
    if g.judge is not None:
        accepted += (f", judge caught {sum(r.caught for r in g.judge.recall.values())}/{planted}"
                     f" ({len(g.judge.false_alarms)} false alarms)")
    return (f"{g.symbol}: {g.claims_traced}/{g.claims_total} claims traced, "
            f"{caught}/{planted} injections caught{accepted} "
            f"({g.draft_seconds + g.inject_seconds:.1f} s)")


def run_eval(
    settings: Settings,
    suite: Suite,
    *,
    model: str | None = None,
    limit: int | None = None,
    genes: Sequence[str] = (),
    pages_dir: Path | None = None,
    progress: Progress = QUIET,
    http_client: Any | None = None,
    judge_model: str | None = None,
    **model_overrides: Any,
) -> EvalReport:
    """Run the suite (``model`` None or 'template': the template phraser; ``judge_model`` a
    model name: the model judge is measured beside the rules)."""
    from writer.draft import default_date
    from writer.llm import model_config
    from writer.store import FactStore

    check_thresholds(suite)
    config = model_config(settings.model, model, **model_overrides)
    store = FactStore(settings.facts_path)
    cases = suite.select(limit, tuple(genes))
    for case in cases:  # a gene named on the command line must exist: bad input, exit 2
        if case.category == "ad hoc":
            store.resolve(case.query)
    if pages_dir is not None:
        try:
            pages_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserInputError(f"cannot create --pages folder {pages_dir}: {exc}") from None
    model_judge = None
    if judge_model is not None:
        from writer.check.judge import ModelJudge, judge_config

        model_judge = ModelJudge(judge_config(settings.model, judge_model,
                                              model_overrides.get("timeout"),
                                              model_overrides.get("max_tokens")),
                                 http_client=http_client)
    phraser = None
    if config is not None:
        from writer.phrasers.model import ModelPhraser

        phraser = ModelPhraser(config, http_client=http_client)
    kinds = [i.kind for i in suite.injections.injection]
    name = "template" if phraser is None else phraser.name
    what = "the template phraser" if phraser is None else f"model {config.model}"  # type: ignore[union-attr]
    if model_judge is not None:
        what += f", judged by model {model_judge.model}"
    progress.step(f"eval: {len(cases)} cases with {what}, {len(kinds)} injection kinds")
    start = time.monotonic()
    results = []
    try:
        for n, case in enumerate(cases, 1):
            result = run_case(case, store, suite, phraser, pages_dir, model_judge)
            results.append(result)
            progress.step(f"{n}/{len(cases)} {_summary_line(result)}")
    finally:
        if phraser is not None:
            phraser.close()
        if model_judge is not None:
            model_judge.close()
        store.close()
    summary = overall(results, kinds, time.monotonic() - start)
    partial = len(cases) < len(suite.cases) or any(c.category == "ad hoc" for c in cases)
    verdicts = judge(suite, summary, name, partial)
    missed = [f"{v.metric} = {_fmt(v.value)} (needs {v.op} {_fmt(v.bound)})"
              for v in verdicts if v.passed is False]
    return EvalReport(
        passed=not missed,
        missed=missed,
        phraser=name,
        model=config.model if config is not None else None,
        prompt_variant=config.prompt_variant if config is not None else None,
        suite=SuiteInfo(root=str(suite.root), cases=len(cases), panel=len(suite.cases),
                        partial=partial, seed=suite.injections.seed, kinds=kinds),
        store=str(settings.facts_path),
        date=default_date(),
        overall=summary,
        thresholds=verdicts,
        genes=results,
    )


def _fmt(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:g}" if value == int(value) else f"{value:.4g}"
