"""The model phraser against a scripted OpenAI-compatible endpoint (httpx.MockTransport).

The endpoint answers in the documented chat.completions JSON format. The grounding loop
uses the real evaluator, ``writer.check.check``.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest
from test_draft_helpers import Script, completion, full_sheet, good_answer, ok, section_of

from writer.draft import make_draft
from writer.llm import ModelConfig, retry_after
from writer.phrasers.model import ModelPhraser

KEY = "sk-test-secret-key-0123456789"


def phraser(script: Script, sleeps: list[float] | None = None, **cfg) -> ModelPhraser:
    config = ModelConfig(model="scripted", base_url="http://scripted.test/v1", api_key=KEY,
                         backoff=0.01, **cfg)
    sleep = sleeps.append if sleeps is not None else (lambda s: None)
    return ModelPhraser(config, http_client=httpx.Client(transport=script.transport()),
                        sleep=sleep)


def draft(script: Script, sleeps: list[float] | None = None, **cfg):
    return make_draft(full_sheet(), phraser(script, sleeps, **cfg), date="2025-01-17")


def test_a_good_models_text_is_used():
    script = Script(ok())
    result = draft(script)
    assert "This gene enables [zinc ion binding]" in result.page  # the model's wording
    runs = result.record.sections
    assert set(runs) == {"function", "structure", "literature", "expression", "pathways",
                         "protein"}
    assert all(r.phraser == "openai" and r.model == "scripted" and r.attempts == 1
               and not r.fell_back for r in runs.values())
    assert [f for f in result.record.findings if f.kind != "checks"] == []
    assert len(result.calls) == 6
    assert result.record.usage == {"prompt_tokens": 720, "completion_tokens": 480,
                                   "model_calls": 6}
    assert set(result.record.prompt_hashes) >= {"prompts/_system.md", "prompts/function.md",
                                                "template:function"}


def test_requests_use_the_documented_format_and_the_key_stays_out_of_the_log():
    script = Script(ok())
    result = draft(script)
    body = script.requests[0]
    assert body["model"] == "scripted"
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert all(h["authorization"] == f"Bearer {KEY}" for h in script.headers)
    user = body["messages"][1]["content"]
    assert "Facts (key, label, value):" in user
    for call in result.calls:
        assert KEY not in call.prompt and KEY not in (call.response or "")
        assert call.prompt_tokens == 120 and call.completion_tokens == 80
    function = next(r for r in script.requests if section_of(r) == "function")
    prompt = function["messages"][1]["content"]
    assert "function.molecular_function (GO molecular function):" in prompt
    assert "zinc ion binding; id GO:0008270; evidence IDA; link https://amigo" in prompt
    assert "GO:0005515" not in prompt  # protein binding is never named
    protein = next(r for r in script.requests if section_of(r) == "protein")
    # Values arrive written as the page writes them: the model copies, never computes.
    assert "protein.helix_fraction (Helix fraction): 30.65%; 37.56th percentile among 20,180" \
        in protein["messages"][1]["content"]


def invents(body: dict, n: int):
    return 200, completion(good_answer(body) + " It spans 12,345 base pairs since 1987."), {}


def test_a_model_that_invents_numbers_is_reasked_then_replaced():
    script = Script(invents)
    result = draft(script, max_reasks=2)
    assert "12,345" not in result.page and "1987" not in result.page
    runs = result.record.sections
    assert all(r.fell_back and r.attempts == 3 for r in runs.values())
    assert len(script.requests) == 6 * 3
    # Each re-ask carries the previous answer and the checker's reasons.
    reask = next(r for r in script.requests
                 if section_of(r) == "literature" and len(r["messages"]) == 4)
    assert reask["messages"][2] == {"role": "assistant",
                                    "content": good_answer(reask) + " It spans 12,345 base "
                                                                    "pairs since 1987."}
    assert 'Not supported: "12,345' in reask["messages"][3]["content"]
    assert "Rewrite the whole paragraph" in reask["messages"][3]["content"]
    replaced = [f for f in result.record.findings if f.status == "replaced"]
    assert {f.section for f in replaced} == set(runs)
    assert any(f.claim.startswith("12,345") for f in replaced)
    assert result.flagged
    assert any("untraced claim" in p for p in result.problems)
    # The page itself is the template text: fully traced.
    assert "The gene enables [zinc ion binding]" in result.page


def test_a_model_that_corrects_itself_after_a_reask_is_used():
    def answer(body, n):
        if len(body["messages"]) == 2:
            return invents(body, n)
        return 200, completion(good_answer(body)), {}

    script = Script(answer)
    result = draft(script)
    assert "This gene enables" in result.page and "12,345" not in result.page
    assert all(r.attempts == 2 and not r.fell_back for r in result.record.sections.values())
    assert not [f for f in result.record.findings if f.status == "replaced"]


def test_facts_left_out_are_coverage_findings():
    def answer(body, n):
        if section_of(body) == "protein":
            return 200, completion("The protein has a GRAVY value of -0.194 "
                                   "(69.82nd percentile)."), {}
        return 200, completion(good_answer(body)), {}

    script = Script(answer)
    result = draft(script, max_reasks=1)
    protein_requests = [r for r in script.requests if section_of(r) == "protein"]
    assert len(protein_requests) == 2  # re-asked once with what it left out
    assert "Left out:" in protein_requests[1]["messages"][3]["content"]
    assert "The protein has a GRAVY value of -0.194" in result.page  # grounded: used
    coverage = [f for f in result.record.findings if f.kind == "coverage"]
    assert coverage and {f.section for f in coverage} == {"protein"}
    assert {"protein.isoelectric_point", "protein.length"} <= {f.key for f in coverage}
    assert not result.record.sections["protein"].fell_back
    assert result.flagged


def test_500_is_retried_with_backoff_then_succeeds():
    seen: dict[str, int] = {}

    def answer(body, n):
        s = section_of(body)
        seen[s] = seen.get(s, 0) + 1
        if seen[s] == 1:
            return 500, {"error": {"message": "boom", "type": "server_error"}}, {}
        return 200, completion(good_answer(body)), {}

    sleeps: list[float] = []
    result = draft(Script(answer), sleeps)
    assert all(r.attempts == 2 and not r.fell_back for r in result.record.sections.values())
    assert len(sleeps) == 6 and all(0.01 <= s <= 0.03 for s in sleeps)
    errors = [c for c in result.calls if c.error]
    assert len(errors) == 6 and all(c.error.startswith("HTTP 500") for c in errors)


def test_retry_after_is_honoured_on_429():
    def answer(body, n):
        if n == 1:
            return 429, {"error": {"message": "slow down"}}, {"Retry-After": "7"}
        return 200, completion(good_answer(body)), {}

    sleeps: list[float] = []
    result = draft(Script(answer), sleeps, concurrency=1)
    assert sleeps == [7.0]
    assert not result.flagged or all(not r.fell_back for r in result.record.sections.values())


def test_retry_after_forms():
    def exc(headers):
        return type("E", (), {"response": httpx.Response(429, headers=headers)})()

    assert retry_after(exc({"retry-after": "2"})) == 2.0
    assert retry_after(exc({"retry-after-ms": "1500"})) == 1.5
    assert retry_after(exc({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0.0
    assert retry_after(exc({})) is None


def test_an_endpoint_that_keeps_failing_falls_back_and_says_why():
    script = Script(lambda body, n: (503, {"error": {"message": "overloaded"}}, {}))
    result = draft(script, attempts=3)
    assert len(script.requests) == 6 * 3
    assert all(r.fell_back for r in result.record.sections.values())
    assert "The gene enables [zinc ion binding]" in result.page
    endpoint = [f for f in result.record.findings if f.kind == "endpoint"]
    assert len(endpoint) == 6
    assert all("HTTP 503" in p and "after 3 requests" in p for p in result.problems)
    assert result.flagged


def test_a_hanging_endpoint_is_retried_and_reported():
    script = Script(lambda body, n: (200, "TIMEOUT", {}))
    result = draft(script, attempts=2)
    assert len(script.requests) == 12
    assert all(c.error == "timed out" for c in result.calls)
    assert all("timed out after 2 requests" in p for p in result.problems)
    assert all(r.fell_back for r in result.record.sections.values())


def test_client_errors_are_not_retried():
    script = Script(lambda body, n: (401, {"error": {"message": "bad key"}}, {}))
    result = draft(script)
    assert len(script.requests) == 6
    assert all(p.endswith("HTTP 401 Unauthorized") for p in result.problems)


def test_script_tags_never_reach_the_page_as_markup():
    def answer(body, n):
        text = good_answer(body)
        return 200, completion("<script>alert('x')</script>" + text
                               + " <img src=x onerror=alert(1)>{{ site.x }}"), {}

    result = draft(Script(answer))
    page = result.page.lower()
    assert "<script" not in page and "<img" not in page and "onerror" not in page
    assert "{{" not in page
    assert "This gene enables" in result.page  # the grounded text is still used
    logged = next(c for c in result.calls if c.response)
    assert "<script>" in logged.response  # the log keeps what the model really said


def test_sections_are_requested_concurrently():
    script = Script(ok(), delay=0.3)
    start = time.monotonic()
    result = draft(script)
    elapsed = time.monotonic() - start
    assert len(script.requests) == 6
    assert elapsed < 1.2, elapsed  # one wave of 0.3 s, not six
    assert not [f for f in result.record.findings if f.kind != "checks"]


def test_concurrency_is_bounded():
    script = Script(ok(), delay=0.2)
    start = time.monotonic()
    draft(script, concurrency=2)
    assert time.monotonic() - start >= 0.55  # three waves of two


def test_empty_answers_are_reasked():
    script = Script(lambda body, n: (200, completion(""), {}))
    result = draft(script, max_reasks=1)
    assert all(r.fell_back and r.attempts == 2 for r in result.record.sections.values())


def test_model_calls_serialise_for_the_queue():
    result = draft(Script(ok()))
    call = result.calls[0]
    assert json.loads(call.prompt)[0]["role"] == "system"
    assert call.duration_s >= 0 and call.model == "scripted"


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429, 408])
def test_retryable_statuses(status):
    script = Script(lambda body, n: (status, {"error": {"message": "x"}}, {}))
    draft(script, attempts=2, concurrency=1)
    assert len(script.requests) == 12
