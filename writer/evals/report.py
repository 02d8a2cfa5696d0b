"""The eval's Markdown summary: the verdict first, then the figures, then what went wrong.

Readable in a minute: one line of verdict (and each missed threshold), one table of the
headline metrics with their thresholds, recall per injected error kind, a compact table
per gene, and at most a few examples of each problem (the JSON report has them all).
"""

from __future__ import annotations

from writer.evals.models import EvalReport, GeneResult, ThresholdResult

EXAMPLES = 8  # examples of each kind of problem shown in the summary


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _cell(text: str) -> str:
    return " ".join(str(text).replace("|", "\\|").split())


def _bound(t: ThresholdResult) -> str:
    rate = t.metric in RATE_METRICS or t.metric.endswith(".rate")
    value = pct(t.bound) if rate else _num(t.bound)
    return f"{'≥' if t.op == '>=' else '≤'} {value}"


def _mark(t: ThresholdResult | None) -> str:
    if t is None or t.passed is None:
        return ""
    return "pass" if t.passed else "**MISSED**"


RATE_METRICS = {"resolution", "grounding", "grounding_min_gene", "coverage",
                "coverage_min_gene", "recall", "recall_min_kind", "readability_in_band",
                "acceptance", "answer_grounding", "model_coverage", "acceptance_with_copies",
                "links_kept_rate"}

# (metric, label, how the value is written) in the order of the summary table.
HEADLINE: tuple[tuple[str, str], ...] = (
    ("resolution", "queries resolved (or refused) as expected"),
    ("grounding", "grounding: claims traced / claims"),
    ("grounding_min_gene", "grounding of the worst gene"),
    ("coverage", "coverage: section facts mentioned / section facts"),
    ("coverage_min_gene", "coverage of the worst gene"),
    ("page_findings", "untraced claims that reached a drafted page"),
    ("false_alarms", "false alarms on clean template pages"),
    ("sentiment_failed", "pages whose Sentiment check is not neutral"),
    ("ethics_failed", "pages with an ethical concern"),
    ("coherence_failed", "pages whose Coherence check failed"),
    ("recall", "evaluator recall, all injected errors"),
    ("recall_min_kind", "evaluator recall, worst error kind"),
    ("planted_min_kind", "plantings of the least planted kind"),
    ("readability_median", "readability: median Flesch-Kincaid grade per section"),
    ("readability_in_band", "sections within the evaluator's grade band"),
    ("acceptance", "model acceptance: sections rewritten by the model and accepted "
                   "(copies of the template not counted)"),
    ("acceptance_with_copies", "sections accepted without falling back, copies included"),
    ("links_kept_rate", "links of the facts the model kept in its accepted paragraphs"),
    ("links_lost", "links of the template missing from the drafted pages"),
    ("answer_grounding", "model answers with no untraced claim"),
    ("untraced_claims", "untraced claims in the model's answers"),
    ("model_coverage", "coverage of the accepted model sections"),
    ("reasks_per_section", "re-asks per model section"),
    ("replaced_claims", "untraced model claims kept off the pages"),
    ("endpoint_errors", "endpoint errors (retried)"),
    ("tokens", "tokens (prompt + completion)"),
    ("tokens_per_gene", "tokens per gene"),
    ("model_seconds_per_gene", "seconds of model requests per gene"),
    ("seconds", "wall time, seconds"),
    ("seconds_per_gene", "seconds per gene"),
)


def _value(report: EvalReport, metric: str) -> str:
    o = report.overall
    value = getattr(o, metric)
    if metric == "grounding":
        return f"{pct(value)} ({o.claims_traced:,}/{o.claims_total:,})"
    if metric == "coverage":
        return f"{pct(value)} ({o.facts_mentioned:,}/{o.facts_total:,})"
    if metric == "recall":
        return f"{pct(value)} ({o.caught:,}/{o.planted:,})"
    if metric == "acceptance":
        return f"{pct(value)} ({o.rewritten_sections}/{o.model_sections})" if value is not None \
            else "n/a (no model)"
    if metric == "acceptance_with_copies" and value is not None:
        return (f"{pct(value)} ({o.accepted_sections}/{o.model_sections}: {o.copied_sections} "
                f"copied, {o.lightly_edited_sections} lightly edited, "
                f"{o.rewritten_sections} rewritten)")
    if metric == "links_kept_rate" and value is not None:
        return f"{pct(value)} ({o.links_kept}/{o.links}; {o.links_restored} put back)"
    if metric == "answer_grounding" and value is not None:
        return f"{pct(value)} ({o.answers_grounded}/{o.answers})"
    if metric == "tokens":
        return f"{o.tokens:,} ({o.prompt_tokens:,} + {o.completion_tokens:,})"
    if metric == "false_alarms":
        return f"{o.false_alarms} ({o.false_alarm_pages} pages with any)"
    if metric in RATE_METRICS:
        return pct(value)
    return _num(value)


def _gene_row(g: GeneResult) -> str:
    name = g.symbol if g.symbol and g.symbol.upper() == g.query.upper() else \
        f"{g.query} → {g.symbol}" if g.symbol else g.query
    if g.outcome != "drafted":
        what = "refused as expected" if g.resolved else f"**{_cell(g.error or 'failed')}**"
        return f"| {_cell(name)} | {g.category} | {what} | | | | | | | |"
    caught, planted, model = g.caught, g.planted, g.model_sections
    accepted = f"{sum(s.accepted for s in model)}/{len(model)}" if model else "–"
    reasks = str(sum(s.reasks for s in model)) if model else "–"
    grades = sorted(r.grade for r in g.readability)
    grade = f"{grades[len(grades) // 2]:g}" if grades else "–"
    findings = len(g.page_findings)
    flag = "" if g.resolved else " (resolved wrongly)"
    return (f"| {_cell(name)}{flag} | {g.category} | {pct(g.grounding)} | "
            f"{pct(g.coverage.rate)} | {findings or ''} | {caught}/{planted} | {grade} | "
            f"{accepted} | {reasks} | {g.prompt_tokens + g.completion_tokens:,} | "
            f"{g.draft_seconds + g.inject_seconds:.1f} |")


def render_markdown(report: EvalReport) -> str:
    o = report.overall
    by_metric: dict[str, ThresholdResult] = {}
    rank = {False: 2, True: 1, None: 0}  # show a missed threshold, else a met one
    for t in report.thresholds:
        if t.metric not in by_metric or rank[t.passed] > rank[by_metric[t.metric].passed]:
            by_metric[t.metric] = t
    who = "template phraser" if report.model is None else \
        f"model `{report.model}`, prompt variant `{report.prompt_variant}`"
    verdict = "PASS" if report.passed else "FAIL"
    lines = [
        f"# gene-writer eval: {verdict}",
        "",
        f"{who}; {o.genes} genes drafted of {o.cases} cases"
        f"{f' (part of the {report.suite.panel}-case panel)' if report.suite.partial else ''}"
        f" in {o.seconds:.1f} s; "
        f"{len(report.suite.kinds)} injection kinds, seed `{report.suite.seed}`; "
        f"{report.date}.",
        "",
    ]
    if report.missed:
        lines.append(f"Missed {len(report.missed)} threshold{'s' * (len(report.missed) != 1)}:")
        lines += [f"- `{m}`: {_cell(by_metric[m.split(' = ')[0]].why)}"
                  for m in report.missed]
        lines.append("")
    lines += ["| metric | value | threshold | |", "| :-- | --: | :-- | :-- |"]
    shown = set()
    for metric, label in HEADLINE:
        headline = by_metric.get(metric)
        shown.add(metric)
        bound = _bound(headline) if headline and headline.passed is not None else ""
        lines.append(f"| {label} | {_value(report, metric)} | {bound} | {_mark(headline)} |")
    for t in report.thresholds:  # thresholds on other metrics (a kind's recall, ...)
        if t.metric not in shown and t.passed is not None:
            value = pct(t.value) if t.metric.endswith(".rate") or t.metric in RATE_METRICS \
                else _num(t.value)
            lines.append(f"| `{t.metric}` | {value} | {_bound(t)} | {_mark(t)} |")
    lines += _model_lines(report)
    lines += ["", "## Evaluator recall per injected error kind", ""]
    j = o.judge
    if j is None:
        lines += ["| kind | caught | recall |", "| :-- | --: | --: |"]
        for kind, r in o.recall_by_kind.items():
            lines.append(f"| {kind} | {r.caught}/{r.planted} | {pct(r.rate)} |")
    else:
        lines += [f"The model judge `{_cell(j.model)}` read the same planted pages beside the "
                  f"rules: {j.caught}/{j.planted} caught ({pct(j.recall)}); on the clean "
                  f"pages it raised {j.false_alarms} false alarm{'s' * (j.false_alarms != 1)} "
                  f"on {j.false_alarm_pages} page{'s' * (j.false_alarm_pages != 1)} and "
                  f"answered {j.not_checkable} of {j.sentences} sentences \"not checkable\" "
                  f"(or unusably); {j.calls} requests, {j.seconds:.1f} s.", "",
                  "| kind | rules caught | rules recall | judge caught | judge recall |",
                  "| :-- | --: | --: | --: | --: |"]
        for kind, r in o.recall_by_kind.items():
            jr = j.recall_by_kind.get(kind)
            judged = f"{jr.caught}/{jr.planted} | {pct(jr.rate)}" if jr else "– | –"
            lines.append(f"| {kind} | {r.caught}/{r.planted} | {pct(r.rate)} | {judged} |")
    if o.readability_by_section:
        grades = ", ".join(f"{k} {v:g}" for k, v in o.readability_by_section.items())
        lines += ["", f"Mean Flesch-Kincaid grade per section: {grades}."]
    lines += ["", "## Per gene", "",
              "| gene | category | grounding | coverage | findings | injections caught | "
              "median grade | accepted | re-asks | tokens | seconds |",
              "| :-- | :-- | --: | --: | --: | --: | --: | --: | --: | --: | --: |"]
    lines += [_gene_row(g) for g in report.genes]
    problems = _problems(report)
    if problems:
        lines += ["", "## Problems (first examples; all in the JSON report)", "", *problems]
    return "\n".join(lines) + "\n"


def _model_lines(report: EvalReport) -> list[str]:
    """What the model did per section (copied, lightly edited, rewritten, fell back), what
    it cost, and what answered as the endpoint reported it."""
    o = report.overall
    if report.model is None:
        return []
    served = ", ".join(f"`{_cell(x)}`" for x in o.served) or "nothing (no model name reported)"
    lines = ["", "## The model, section by section", "",
             f"Asked for `{_cell(report.model)}`; the endpoint reported {served}."]
    if o.served_count > 1:
        lines.append(f"**{o.served_count} different models answered: the model changed "
                     f"during the run.**")
    lines += ["", "| section | model sections | copied | lightly edited | rewritten | "
              "fell back | requests | tokens per gene | seconds per gene |",
              "| :-- | --: | --: | --: | --: | --: | --: | --: | --: |"]
    for name, c in o.by_section.items():
        lines.append(f"| {name} | {c.model_sections} | {c.copied} | {c.lightly_edited} | "
                     f"{c.rewritten} | {c.fell_back} | {c.requests} | "
                     f"{_num(c.tokens_per_gene)} | {_num(c.seconds_per_gene)} |")
    return lines


def _problems(report: EvalReport) -> list[str]:
    out: list[str] = []
    drafted = [g for g in report.genes if g.outcome == "drafted"]
    resolution = [g for g in report.genes if not g.resolved]
    reached = [(g, f) for g in drafted for f in g.page_findings]
    alarms = [(g, f) for g in drafted for f in g.false_alarms]
    misses = [(g, m) for g in drafted for m in g.missed]
    for g in resolution[:EXAMPLES]:
        out.append(f"- resolution, `{g.query}`: {_cell(g.error or '')}")
    for g, f in reached[:EXAMPLES]:
        out.append(f"- on the page of {g.symbol}: {f.kind} `{_cell(f.claim)}` ({f.status}: "
                   f"{_cell(f.reason)})")
    if report.model is not None or not reached:
        for g, f in alarms[:EXAMPLES]:
            out.append(f"- false alarm on the template page of {g.symbol}: {f.kind} "
                       f"`{_cell(f.claim)}` ({_cell(f.reason)})")
    for g, m in misses[:EXAMPLES]:
        out.append(f"- missed {m.kind} in {g.symbol}: `{_cell(m.claim)}` in "
                   f"“…{_cell(m.excerpt)}…”")
    for g in drafted:
        if g.checks_failed and len(out) < 4 * EXAMPLES:
            out.append(f"- Checks rows failed on {g.symbol}: {', '.join(g.checks_failed)}")
    return out
