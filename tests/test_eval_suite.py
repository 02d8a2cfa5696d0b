"""The eval suite's data files and its parts: panel, injection specs, thresholds, report.

Fast tests: the files in ``writer/evals/data/`` are read and validated, bad files are
one-line errors, thresholds are judged as documented, and a model run's metrics (acceptance,
re-asks, tokens) are counted from a scripted endpoint (``httpx.MockTransport``) on a
one-gene synthetic store.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from test_draft_helpers import Script, build_store, completion, good_answer, ok, section_of

from writer.config import load_settings
from writer.errors import BadFile
from writer.evals import load_suite, render_markdown, run_eval
from writer.evals.inject import KINDS
from writer.evals.models import Overall, metric_paths, metric_value
from writer.evals.runner import judge
from writer.evals.suite import SUITE_DIR, Case, Threshold

REQUIRED_CATEGORIES = {"well-studied", "barely-studied", "non-coding", "pseudogene",
                       "mitochondrial", "sex-chromosome", "ambiguous-alias", "missing-sources"}


# --- the repository's suite ----------------------------------------------------------------
def test_the_panel_has_25_genes_and_every_hard_case():
    suite = load_suite()
    drafted = [c for c in suite.cases if not c.ambiguous]
    assert len(drafted) >= 25
    assert {c.category for c in suite.cases} >= REQUIRED_CATEGORIES
    assert any(c.ambiguous and c.candidates for c in suite.cases)
    assert any(c.query.isdigit() for c in suite.cases)  # an NCBI Gene ID
    assert any(c.query.upper().startswith("ENSG") for c in suite.cases)  # an Ensembl ID
    assert all(c.why for c in suite.cases)


def test_the_golden_panel_is_part_of_the_eval_panel():
    genes_tsv = Path(__file__).resolve().parents[1] / "facts" / "panel" / "genes.tsv"
    golden = [line.split("\t")[0] for line in genes_tsv.read_text().splitlines()[1:] if line]
    expected = {c.expect.upper() for c in load_suite().cases}
    assert {g.upper() for g in golden} <= expected


def test_injection_specs_name_at_least_ten_known_kinds():
    spec = load_suite().injections
    kinds = [i.kind for i in spec.injection]
    assert len(kinds) >= 10 and set(kinds) <= set(KINDS)
    assert spec.seed


def test_every_threshold_names_a_metric_of_the_report():
    suite = load_suite()
    known = metric_paths([i.kind for i in suite.injections.injection])
    assert {t.metric for t in suite.thresholds} <= known
    assert {"grounding", "recall", "acceptance", "page_findings", "false_alarms"} <= \
        {t.metric for t in suite.thresholds}


# --- bad suite files are one-line errors ----------------------------------------------------
@pytest.fixture
def suite_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "suite"
    shutil.copytree(SUITE_DIR, folder)
    return folder


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("panel.tsv", "query\texpect", "query\texpected", "the first line must be the header"),
    ("panel.tsv", "MT1X\tMT1X\t", "MT1X\tMT1X\t\t", "expected 4 tab-separated fields"),
    ("panel.tsv", "EGFR\tEGFR", "p53\tTP53", "query listed twice: P53"),
    ("injections.toml", '"changed_year"', '"changed_yeer"', "unknown injection kind"),
    ("injections.toml", "count = 1", "count = 0", "greater than or equal to 1"),
    ("injections.toml", 'kind = "changed_band"', 'kind = "changed_number"', "listed twice"),
    ("thresholds.toml", 'metric = "grounding"', 'metric = "grounding_rate"', "unknown metric"),
    ("thresholds.toml", "min = 1.0", "min = 1.0\nmax = 2.0", "exactly one of min or max"),
    ("thresholds.toml", "when = \"model\"", "when = \"sometimes\"", "when"),
    ("thresholds.toml", "[[threshold]]", "[[threshold]\n", "not valid TOML"),
])
def test_bad_suite_files_are_refused(suite_copy, file, old, new, message):
    path = suite_copy / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(BadFile, match=message):
        suite = load_suite(suite_copy)
        from writer.evals.runner import check_thresholds

        check_thresholds(suite)


def test_a_missing_suite_file_is_refused(suite_copy):
    (suite_copy / "thresholds.toml").unlink()
    with pytest.raises(BadFile, match="thresholds.toml is missing"):
        load_suite(suite_copy)


# --- cases and thresholds ----------------------------------------------------------------
def test_ambiguous_cases_list_their_candidates():
    case = Case(query="MT1", expect="ambiguous:MT1G, MT1X", category="ambiguous-alias")
    assert case.ambiguous and case.candidates == ("MT1G", "MT1X")
    assert not Case(query="MT1G", expect="MT1G", category="x").ambiguous


def _overall(**values) -> Overall:
    base = {name: 0 for name in Overall.model_fields}
    base.update(recall_by_kind={}, readability_by_section={}, by_section={}, served=[],
                seconds=1.0)
    for name in ("resolution", "grounding", "grounding_min_gene", "coverage",
                 "coverage_min_gene", "recall", "recall_min_kind", "readability_median",
                 "readability_in_band", "acceptance", "reasks_per_section", "seconds_per_gene",
                 "judge"):
        base[name] = None
    base.update(values)
    return Overall(**base)


def test_thresholds_pass_miss_or_do_not_apply():
    suite = load_suite().model_copy(update={"thresholds": (
        Threshold(metric="grounding", min=1.0),
        Threshold(metric="acceptance", min=0.6, when="model"),
        Threshold(metric="seconds", max=120, when="template"),
        Threshold(metric="page_findings", max=0),
    )})
    summary = _overall(grounding=0.99, acceptance=None, seconds=130.0, page_findings=0)
    template = {v.metric: v.passed for v in judge(suite, summary, "template")}
    assert template == {"grounding": False, "acceptance": None, "seconds": False,
                        "page_findings": True}
    model = {v.metric: v.passed for v in judge(suite, summary.model_copy(
        update={"acceptance": 0.5}), "openai")}
    assert model == {"grounding": False, "acceptance": False, "seconds": None,
                     "page_findings": True}
    assert metric_value(summary, "recall_by_kind.changed_year.rate") is None


# --- a model run, counted from a scripted endpoint ----------------------------------------
@pytest.fixture
def one_gene(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    facts = build_store(tmp_path / "facts.sqlite")
    monkeypatch.setenv("GENE_WRITER_FACTS", str(facts))
    monkeypatch.setenv("OPENAI_BASE_URL", "http://scripted.test/v1")
    return load_settings()


def _suite_for(gene: str):
    suite = load_suite()
    cases = tuple(Case(query=gene, expect=gene, category="test") for _ in range(1))
    return suite.model_copy(update={"cases": cases})


def test_a_model_that_copies_the_template_is_accepted_but_not_counted_as_acceptance(one_gene):
    script = Script(ok(good_answer))  # the template paragraph, its first words changed
    client = httpx.Client(transport=script.transport())
    report = run_eval(one_gene, _suite_for("MT1G"), model="scripted", http_client=client)
    o = report.overall
    assert report.phraser == "openai" and report.model == "scripted"
    assert o.model_sections == len(script.requests) > 0
    assert o.reasks == 0 and o.fell_back == 0
    assert o.acceptance_with_copies == 1.0 and o.accepted_sections == o.model_sections
    assert o.copied_sections == o.model_sections and o.acceptance == 0.0  # copies: not counted
    assert all(s.edit == "copied" and s.similarity >= 0.9 for s in report.genes[0].sections)
    summary = render_markdown(report)
    assert f"{o.model_sections} copied, 0 lightly edited, 0 rewritten" in summary
    assert o.prompt_tokens == 120 * o.model_sections
    assert o.completion_tokens == 80 * o.model_sections
    assert o.grounding == 1.0 and o.page_findings == 0
    assert o.answers == o.answers_grounded == o.model_sections and o.untraced_claims == 0
    assert o.answer_grounding == 1.0 and o.model_coverage == 1.0
    gene = report.genes[0]
    assert all(s.phraser == "openai" and s.requests == 1 for s in gene.sections)
    assert "| acceptance" not in render_markdown(report)  # labels, not metric names
    assert "model `scripted`" in render_markdown(report)


REWRITTEN_PATHWAYS = (
    "WikiPathways lists MT1G in [Zinc homeostasis](https://www.wikipathways.org/pathways/WP3529)"
    " (WP3529) as well as in [Copper homeostasis]"
    "(https://www.wikipathways.org/pathways/WP3286) (WP3286).")


def _served_by(name: str, body: dict) -> dict:
    """A completion whose endpoint reports ``name`` as the model that answered."""
    text = REWRITTEN_PATHWAYS if section_of(body) == "pathways" else good_answer(body)
    return {**completion(text), "model": name, "system_fingerprint": "b1234"}


def test_a_rewritten_paragraph_counts_as_acceptance_with_its_cost_per_section(one_gene):
    script = Script(lambda body, n: (200, _served_by("scripted-v1", body), {}))
    client = httpx.Client(transport=script.transport())
    report = run_eval(one_gene, _suite_for("MT1G"), model="scripted", http_client=client)
    o = report.overall
    pathways = next(s for s in report.genes[0].sections if s.name == "pathways")
    assert pathways.accepted and pathways.edit == "rewritten" and pathways.similarity < 0.6
    assert o.rewritten_sections == 1 and o.copied_sections == o.model_sections - 1
    assert o.acceptance == pytest.approx(1 / o.model_sections, abs=1e-4)
    assert o.by_section["pathways"].rewritten == 1 and o.by_section["function"].copied == 1
    assert o.by_section["pathways"].tokens_per_gene == 200 and pathways.requests == 1
    assert pathways.seconds >= 0 and o.tokens_per_gene == 200 * o.model_sections
    # What answered, as the endpoint reports it, is in the report and the drafted record.
    assert o.served == ["scripted-v1 (b1234)"] and o.served_count == 1
    assert pathways.served == ["scripted-v1 (b1234)"]
    summary = render_markdown(report)
    assert "the endpoint reported `scripted-v1 (b1234)`" in summary
    assert "| pathways | 1 | 0 | 0 | 1 | 0 | 1 | 200 |" in summary


def test_a_silent_switch_of_model_shows_in_the_report(one_gene):
    def answer(body: dict, n: int):
        return 200, _served_by("scripted-v1" if n <= 2 else "scripted-v2", body), {}

    client = httpx.Client(transport=Script(answer).transport())
    report = run_eval(one_gene, _suite_for("MT1G"), model="scripted", http_client=client)
    assert report.overall.served_count == 2
    assert set(report.overall.served) == {"scripted-v1 (b1234)", "scripted-v2 (b1234)"}
    assert "2 different models answered" in render_markdown(report)


def test_links_the_model_drops_are_counted_and_put_back(one_gene):
    import re

    def answer(body: dict, n: int):
        return 200, completion(re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", good_answer(body))), {}

    client = httpx.Client(transport=Script(answer).transport())
    report = run_eval(one_gene, _suite_for("MT1G"), model="scripted", http_client=client)
    o = report.overall
    assert o.links > 0 and o.links_kept == 0 and o.links_kept_rate == 0.0
    assert o.links_restored == o.links and o.links_lost == 0
    assert "0/" in render_markdown(report).split("links of the facts the model kept")[1]


def test_a_model_that_invents_is_reasked_replaced_and_counted(one_gene):
    def answer(body: dict, n: int):
        text = good_answer(body)
        if section_of(body) == "structure":
            text += " The gene has 4,817 known splice variants."
        return 200, completion(text), {}

    client = httpx.Client(transport=Script(answer).transport())
    report = run_eval(one_gene, _suite_for("MT1G"), model="scripted", http_client=client)
    o = report.overall
    structure = next(s for s in report.genes[0].sections if s.name == "structure")
    assert structure.fell_back and not structure.accepted
    assert structure.requests == 3 and structure.reasks == 2
    assert structure.replaced_claims >= 1
    assert structure.answers == 3 and structure.answers_grounded == 0
    assert structure.untraced_claims >= 3  # the invented number, in each answer
    assert o.acceptance_with_copies == pytest.approx((o.model_sections - 1) / o.model_sections,
                                                     abs=1e-4)
    assert o.page_findings == 0
    assert "4,817" not in (report.genes[0].model_dump_json())  # only counted, never paged


def test_the_eval_never_writes_the_review_queue(one_gene):
    report = run_eval(one_gene, _suite_for("MT1G"))
    assert report.genes[0].outcome == "drafted"
    assert not one_gene.queue_path.exists()


# --- the model judge, measured on the same injections ---------------------------------------
def _clean_page(settings) -> str:
    from writer.draft import make_draft
    from writer.evals.runner import EVAL_DATE
    from writer.store import FactStore

    store = FactStore(settings.facts_path)
    try:
        page = make_draft(store.sheet(store.resolve("MT1G")), date=EVAL_DATE).page
    finally:
        store.close()
    return " ".join(page.split())


def _judge_answer(verdict_of):
    import json
    import re

    def answer(body: dict, n: int):
        user = body["messages"][1]["content"]
        sentences = user.split("\nSentences (", 1)[1].split("\n", 1)[1].splitlines()
        return 200, completion(json.dumps({"verdicts": [
            {"sentence": i, "verdict": verdict_of(re.sub(r"^\d+\. ", "", s)), "reason": "r"}
            for i, s in enumerate(sentences, 1)]})), {}
    return answer


def test_a_judge_that_knows_the_clean_page_has_full_recall_and_no_false_alarm(one_gene):
    clean = _clean_page(one_gene)
    script = Script(_judge_answer(lambda s: "supported" if s in clean else "refuted"))
    client = httpx.Client(transport=script.transport())
    report = run_eval(one_gene, _suite_for("MT1G"), judge_model="oracle", http_client=client)
    j = report.overall.judge
    assert j.model == "oracle" and j.planted == report.overall.planted > 0
    assert j.false_alarms == 0 and j.not_checkable == 0
    assert set(j.recall_by_kind) == set(report.overall.recall_by_kind)
    # it reads prose sentences: a band or symbol planted in the identity table is the rules' job
    missed = {k for k, r in j.recall_by_kind.items() if r.planted and r.rate != 1.0}
    # the judge reads prose, not the identity table and the sentence under it (rendered from
    # facts; the rules catch their errors: report.overall.recall below)
    assert missed <= {"changed_band", "changed_symbol", "wrong_identity"} and j.recall > 0.8
    assert j.calls == len(script.requests) < j.sentences + j.planted  # unchanged: cached
    assert report.overall.recall == 1.0  # the rules' own recall, measured apart
    assert report.overall.false_alarms == 0  # the rules' false alarms, not the judge's
    markdown = render_markdown(report)
    assert "| kind | rules caught | rules recall | judge caught | judge recall |" in markdown
    assert "model judge `oracle`" in markdown


def test_a_judge_that_answers_garbage_catches_nothing_and_says_so(one_gene):
    script = Script(lambda body, n: (200, completion("<html>busy</html>"), {}))
    client = httpx.Client(transport=script.transport())
    report = run_eval(one_gene, _suite_for("MT1G"), judge_model="garbage", http_client=client)
    j = report.overall.judge
    assert j.recall == 0.0 and j.false_alarms == 0 and j.not_checkable == j.sentences > 0
    assert report.overall.recall == 1.0  # the rules' verdict stands
    assert not any("judge" in m for m in report.missed)


def test_thresholds_can_come_from_another_file(one_gene, tmp_path):
    from writer.evals.suite import read_thresholds

    local = SUITE_DIR / "thresholds-local-model.toml"
    metrics = {t.metric for t in read_thresholds(local)}
    assert {"grounding", "page_findings"} <= metrics and "acceptance" not in metrics


# --- the JSON report's shape is stable ------------------------------------------------------
TOP = {"schema_version", "passed", "missed", "phraser", "model", "suite", "store", "date",
       "overall", "thresholds", "genes", "prompt_variant"}
OVERALL = {
    "cases", "genes", "resolution", "claims_total", "claims_traced", "grounding",
    "grounding_min_gene", "facts_total", "facts_mentioned", "coverage", "coverage_min_gene",
    "page_findings", "false_alarms", "false_alarm_pages", "checks_failed", "sentiment_failed",
    "ethics_failed", "coherence_failed", "planted", "caught", "recall", "recall_min_kind",
    "planted_min_kind", "recall_by_kind", "readability_median", "readability_in_band",
    "readability_by_section", "model_sections", "accepted_sections", "acceptance", "answers",
    "answers_grounded", "answer_grounding", "untraced_claims", "model_coverage", "fell_back",
    "reasks", "reasks_per_section", "endpoint_errors", "replaced_claims", "model_calls",
    "prompt_tokens", "completion_tokens", "tokens", "seconds", "seconds_per_gene",
    "draft_seconds", "inject_seconds", "judge",
    # schema 3: acceptance counts rewritten paragraphs; copies, links, cost per section
    "acceptance_with_copies", "copied_sections", "lightly_edited_sections",
    "rewritten_sections", "by_section", "links", "links_kept", "links_restored",
    "links_kept_rate", "links_lost", "tokens_per_gene", "model_seconds",
    "model_seconds_per_gene", "served", "served_count",
}
GENE = {
    "query", "expect", "category", "outcome", "resolved", "symbol", "gene_id", "error",
    "claims_total", "claims_traced", "grounding", "coverage", "page_findings", "false_alarms",
    "checks_failed", "readability", "sections", "injected_into", "recall", "missed",
    "prompt_tokens", "completion_tokens", "model_calls", "draft_seconds", "inject_seconds",
    "judge", "model_seconds", "served",
}
SECTION = {"name", "phraser", "requests", "reasks", "endpoint_errors", "accepted", "fell_back",
           "replaced_claims", "answers", "answers_grounded", "untraced_claims", "coverage",
           "grade", "similarity", "edit", "links", "links_on_page", "links_restored",
           "prompt_tokens", "completion_tokens", "seconds", "served"}


def test_the_json_report_shape_is_stable(one_gene):
    import json

    data = json.loads(json.dumps(run_eval(one_gene, _suite_for("MT1G")).to_json()))
    assert set(data) == TOP and data["schema_version"] == 3
    assert data["overall"]["judge"] is None and data["genes"][0]["judge"] is None
    assert set(data["overall"]) == OVERALL
    assert set(data["suite"]) == {"root", "cases", "panel", "partial", "seed", "kinds"}
    assert set(data["thresholds"][0]) == {"metric", "op", "bound", "value", "passed", "when",
                                          "full_panel", "why"}
    gene = data["genes"][0]
    assert set(gene) == GENE
    assert set(gene["coverage"]) == {"facts", "mentioned", "rate"}
    assert set(gene["sections"][0]) == SECTION
    assert set(next(iter(gene["recall"].values()))) == {"planted", "caught", "rate"}
    assert set(data["overall"]["recall_by_kind"]) == set(data["suite"]["kinds"])


def test_findings_in_the_report_keep_their_shape():
    from writer.check.models import Finding
    from writer.evals.models import GeneResult

    found = Finding(claim="17", sentence="It has 17 exons.", kind="count",
                    status="unverifiable", reason="no fact", start=3, end=5)
    gene = GeneResult(query="MT1G", expect="MT1G", category="test", outcome="drafted",
                      resolved=True, page_findings=[found], false_alarms=[found])
    data = gene.model_dump(mode="json")
    assert data["page_findings"] == data["false_alarms"] == [{
        "claim": "17", "sentence": "It has 17 exons.", "kind": "count",
        "status": "unverifiable", "reason": "no fact"}]
