"""The optional model judge (``writer.check.judge``): through the one model client, against a
scripted endpoint. It adds findings for refuted sentences, turns unusable answers into
``not checkable`` verdicts that say why, never removes a rule's finding, and never shows
the API key."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from click.testing import CliRunner
from test_draft_helpers import LoopbackServer, Script, completion, full_sheet

from writer.check import check
from writer.check.judge import BATCH, ModelJudge, parse_reply
from writer.cli import main
from writer.llm import ModelConfig
from writer.sections import get

KEY = "sk-judge-secret-0123456789"
SHEET = full_sheet()
WRONG = "It is the longest gene in the genome."
PAGE = (get("function").template(SHEET) + "\n\n"
        + "The gene length is 1,336 base pairs. " + WRONG + "\n")


def sentences_of(body: dict) -> list[str]:
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    block = user.split("\nSentences (", 1)[1].split("\n", 1)[1]
    return [re.sub(r"^\d+\. ", "", ln) for ln in block.splitlines()]


def verdicts(body: dict) -> str:
    """A careful judge: refutes the planted rank, supports the rest."""
    out = [{"sentence": n, "verdict": "refuted" if "longest" in s else "supported",
            "reason": "the facts rank the gene length at the 22nd percentile" if "longest" in s
            else "stated in the facts"}
           for n, s in enumerate(sentences_of(body), 1)]
    return json.dumps({"verdicts": out})


def judge_with(answer, **cfg) -> tuple[ModelJudge, Script]:
    script = Script(answer)
    config = ModelConfig(model="scripted-judge", base_url="http://scripted.test/v1",
                         api_key=KEY, backoff=0.01, **cfg)
    return ModelJudge(config, http_client=httpx.Client(transport=script.transport()),
                      sleep=lambda s: None), script


def test_a_refuted_sentence_becomes_a_finding_with_its_reason():
    judge, script = judge_with(lambda body, n: (200, completion(verdicts(body)), {}))
    report = check(PAGE, SHEET, judge=judge)
    (finding,) = [f for f in report.findings if f.kind == "judge"]
    assert finding.status == "flagged" and finding.sentence == WRONG
    assert PAGE[finding.start:finding.end] == WRONG
    assert "refuted" in finding.reason and "22nd percentile" in finding.reason
    assert not report.ok
    # the Checks table carries the judge's tally beside the rules' answer, not replacing it
    row = report.checks.facts_verified
    assert row.answer.endswith("claims traced")
    assert "1 refuted" in (row.judge or "") and "(model judge: scripted-judge" in \
        report.checks_markdown(reasons=True)
    assert "model judge" not in report.checks_markdown()  # the page keeps short answers
    # every request is logged like a model call; one request per section batch
    assert {c.section for c in report.judge.calls} == {"judge"}
    assert len(report.judge.calls) == len(script.requests) == 2
    body = script.requests[0]
    assert body["response_format"]["type"] == "json_schema" and body["temperature"] == 0
    system, user = (m["content"] for m in body["messages"])
    assert "not checkable" in system and "Sentences (" in user
    assert "Section: function." in user and "GO:0008270" in user  # the section's facts


def test_the_same_section_is_asked_once_per_judge():
    judge, script = judge_with(lambda body, n: (200, completion(verdicts(body)), {}))
    check(PAGE, SHEET, judge=judge)
    edited = PAGE.replace("1,336", "1,337")
    report = check(edited, SHEET, judge=judge)
    assert len(script.requests) == 3  # the unchanged function paragraph came from the cache
    assert len(report.judge.calls) == 1


@pytest.mark.parametrize("reply, why", [
    ("Sure! Every sentence looks right to me.", "not JSON"),
    ("<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", "not JSON"),
    ('{"verdicts": [{"sentence": 1, "verdict": "mostly true", "reason": "x"}]}',
     "not in the judge's format"),
    ("Reply with JSON only, no other text: an object whose \"verdicts\" list has one entry",
     "echoes the prompt"),
    ("", "empty"),
    ('{"verdicts": [{"sentence": 1, "verdict": "refuted", "reas', "unfinished or invalid JSON"),
])
def test_an_unusable_answer_changes_nothing_and_is_logged(reply, why):
    plain = check(PAGE, SHEET)
    judge, script = judge_with(lambda body, n: (200, completion(reply), {}))
    report = check(PAGE, SHEET, judge=judge)
    assert report.findings == plain.findings
    assert {v.verdict for v in report.judge.verdicts} == {"not checkable"}
    assert all(why in v.reason for v in report.judge.verdicts)
    assert [c.response for c in report.judge.calls] == [reply] * len(script.requests)


def test_a_timeout_changes_nothing_and_is_logged():
    plain = check(PAGE, SHEET)
    judge, script = judge_with(lambda body, n: (200, "TIMEOUT", {}), attempts=2)
    report = check(PAGE, SHEET, judge=judge)
    assert report.findings == plain.findings
    assert all("endpoint failed (timed out after 2 requests)" in v.reason
               for v in report.judge.verdicts)
    assert [c.error for c in report.judge.calls] == ["timed out"] * 4


def test_a_missing_verdict_is_not_checkable_and_the_others_count():
    def first_only(body, n):
        return 200, completion(json.dumps({"verdicts": [
            {"sentence": 1, "verdict": "refuted", "reason": "no such fact"},
            {"sentence": 99, "verdict": "refuted", "reason": "out of range"}]})), {}

    judge, _ = judge_with(first_only)
    report = check(PAGE, SHEET, judge=judge)
    by_sentence = {v.sentence: v for v in report.judge.verdicts}
    assert by_sentence[WRONG].verdict == "not checkable"
    assert "no verdict" in by_sentence[WRONG].reason
    assert sum(f.kind == "judge" for f in report.findings) == 2  # sentence 1 of each section


def test_rule_findings_are_never_removed():
    page = PAGE.replace("1,336", "4,817")
    plain = check(page, SHEET)
    assert plain.findings
    all_supported = json.dumps({"verdicts": [
        {"sentence": n, "verdict": "supported", "reason": "fine"} for n in range(1, BATCH + 1)]})
    judge, _ = judge_with(lambda body, n: (200, completion(all_supported), {}))
    report = check(page, SHEET, judge=judge)
    assert report.findings == plain.findings
    assert report.checks.facts_verified.answer == plain.checks.facts_verified.answer


def test_a_judge_that_raises_is_reported_and_changes_nothing():
    class Broken:
        model = "broken"

        def review(self, page, sheet, claims):
            raise RuntimeError("endpoint down")

    plain = check(PAGE, SHEET)
    report = check(PAGE, SHEET, judge=Broken())
    assert report.findings == plain.findings
    assert report.judge.error == "RuntimeError: endpoint down"
    assert "judge failed" in report.checks.facts_verified.judge


def test_model_text_in_a_reason_is_cleaned():
    reply = json.dumps({"verdicts": [
        {"sentence": 1, "verdict": "refuted", "reason": "<script>x</script>{{ site.key }} " * 40}]})
    judge, _ = judge_with(lambda body, n: (200, completion(reply), {}))
    report = check(PAGE, SHEET, judge=judge)
    for f in report.findings:
        assert "<script" not in f.reason and "{{" not in f.reason and len(f.reason) < 320


def test_the_api_key_never_appears_in_the_report():
    judge, script = judge_with(lambda body, n: (200, completion(verdicts(body)), {}))
    report = check(PAGE, SHEET, judge=judge)
    assert script.headers[0]["authorization"] == f"Bearer {KEY}"
    dumped = report.model_dump_json() + json.dumps(report.to_json()) + report.checks_markdown(True)
    assert KEY not in dumped


def test_parse_reply_accepts_a_fenced_json_object_only():
    fenced = '```json\n{"verdicts": [{"sentence": 2, "verdict": "supported", "reason": "r"}]}\n```'
    assert set(parse_reply(fenced, 3)) == {2}
    with pytest.raises(ValueError, match="not in the judge's format"):
        parse_reply('{"verdicts": [], "extra": 1}', 3)
    with pytest.raises(ValueError, match="not in the judge's format"):
        parse_reply('{"verdicts": [{"sentence": "1", "verdict": "supported", "reason": ""}]}', 3)


# --- the command, against a real loopback server --------------------------------------------
def test_writer_check_judge_on_a_real_server(facts_env, factsheet, tmp_path, monkeypatch):
    from writer.draft import make_draft

    page = make_draft(factsheet("MT1G"), date="2025-01-17").page
    assert "\n\n\nThe gene and its primary transcript" in page
    path = tmp_path / "MT1G.md"
    path.write_text(page.replace("\n\n\nThe gene and its", "\n\n\n" + WRONG + " The gene and its",
                                 1), encoding="utf-8")
    with LoopbackServer(Script(lambda body, n: (200, completion(verdicts(body)), {}))) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        result = CliRunner().invoke(main, ["check", str(path), "--gene", "MT1G",
                                           "--judge", "scripted-judge", "--json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["schema_version"] == 2
    assert data["judge"]["model"] == "scripted-judge" and data["judge"]["counts"]["refuted"] == 1
    assert data["judge"]["requests"] == len(srv.script.requests) > 1
    assert [f["sentence"] for f in data["findings"] if f["kind"] == "judge"] == [WRONG]
    assert KEY not in result.output


def test_writer_check_judge_without_an_endpoint_is_one_line(facts_env, tmp_path):
    path = tmp_path / "p.md"
    path.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path), "--gene", "MT1G",
                                       "--judge", "smollm2"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "needs an endpoint" in result.stderr


# --- writer draft --judge: the same model judges the drafted page ---------------------------
def test_draft_with_judge_logs_its_requests_and_flags_the_draft(tmp_path, monkeypatch):
    from test_draft_helpers import build_store, good_answer

    from writer.config import load_settings
    from writer.draft import draft_gene
    from writer.review.store import Queue

    monkeypatch.setenv("GENE_WRITER_FACTS", str(build_store(tmp_path / "facts.sqlite")))
    monkeypatch.setenv("OPENAI_BASE_URL", "http://scripted.test/v1")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)

    def answer(body, n):
        if "You check sentences" in body["messages"][0]["content"]:
            return 200, completion(json.dumps({"verdicts": [
                {"sentence": 1, "verdict": "partly supported", "reason": "overstated"}]})), {}
        return 200, completion(good_answer(body)), {}

    script = Script(answer)
    settings = load_settings()
    result = draft_gene(settings, "MT1G", model="scripted", judge=True,
                        http_client=httpx.Client(transport=script.transport()))
    judged = [c for c in result.calls if c.section == "judge"]
    assert judged and len(result.calls) == len(script.requests)
    assert "prompts/_judge.md" in result.record.prompt_hashes
    assert result.flagged and any(f.kind == "judge" for f in result.record.findings)
    # its tally is in the draft record's Checks rows; the page keeps the short answers
    assert "scripted" in (result.record.checks.facts_verified.judge or "")
    assert "(model judge:" not in result.page
    with Queue.open(settings.queue_path) as q:
        stored = q.model_calls(result.draft_id)
    assert {c.section for c in stored} >= {"judge", "structure"}
    assert KEY not in result.record.model_dump_json() + "".join(c.model_dump_json()
                                                                for c in stored)


def test_draft_judge_needs_a_model(facts_env):
    result = CliRunner().invoke(main, ["draft", "MT1G", "--judge"])
    assert result.exit_code == 2 and "--judge needs a model" in result.stderr
