"""A model endpoint that answers badly, through a real local HTTP server: the section falls
back or is re-asked, one line says what the endpoint did, and nothing oversized is kept."""

from __future__ import annotations

import time

from test_draft_helpers import LoopbackServer, Script, completion, full_sheet, good_answer

from writer.draft import make_draft
from writer.llm import ModelConfig
from writer.phrasers.model import ModelPhraser

HTML = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


def run(answer, **cfg):
    script = Script(answer)
    with LoopbackServer(script) as server:
        config = ModelConfig(model="scripted", base_url=server.base_url, backoff=0.01, **cfg)
        phraser = ModelPhraser(config, sleep=lambda s: None)
        try:
            return make_draft(full_sheet(), phraser, date="2025-01-17"), script
        finally:
            phraser.close()


def test_an_html_page_instead_of_json_falls_back_and_names_what_came():
    result, script = run(lambda body, n: (200, HTML, {"content-type": "text/html"}))
    assert len(script.requests) == 6  # not retried: the same page would come again
    assert all(r.fell_back for r in result.record.sections.values())
    assert all("text/html, not JSON" in p and "502 Bad Gateway" in p for p in result.problems)
    assert all("\n" not in p for p in result.problems)
    assert "The gene enables [" in result.page  # the template text, its GO links and all
    assert result.flagged


def test_garbage_json_falls_back():
    result, _ = run(lambda body, n: (200, b'{"choices": [{"mess', {}))
    assert all(r.fell_back for r in result.record.sections.values())
    assert all("not JSON" in p for p in result.problems)
    result, _ = run(lambda body, n: (200, {"choices": "none"}, {}))
    assert all("not a chat completion" in p for p in result.problems)


def test_a_5_mb_reply_is_not_read_further_and_is_rejected_like_an_ungrounded_one():
    huge = "The gene enables protein binding. " * 150_000  # ~5 MB

    start = time.monotonic()
    result, script = run(lambda body, n: (200, completion(huge), {}), max_reasks=1)
    assert time.monotonic() - start < 30
    assert len(script.requests) == 12  # asked, re-asked, then the template
    assert all(r.fell_back for r in result.record.sections.values())
    assert len(result.page) < 20_000
    assert all(len(c.response or "") == 0 for c in result.calls)  # nothing huge is kept
    assert all("longer than 256,000 bytes" in (c.error or "") for c in result.calls)
    replaced = [f for f in result.record.findings if f.kind == "reply"]
    assert len(replaced) == 6


def test_a_reply_cut_off_at_the_token_limit_is_reasked_and_never_used():
    def answer(body, n):
        reply = completion(good_answer(body))
        if not any(m["role"] == "assistant" for m in body["messages"]):
            reply["choices"][0]["message"]["content"] = "This gene enables protein bind"
            reply["choices"][0]["finish_reason"] = "length"
        return 200, reply, {}

    result, script = run(answer)
    assert len(script.requests) == 12
    assert "protein bind " not in result.page and "protein bind\n" not in result.page
    assert all(r.attempts == 2 and not r.fell_back for r in result.record.sections.values())
    reasks = [m["content"] for b in script.requests for m in b["messages"]
              if m["role"] == "user" and "cut off at the token limit" in m["content"]]
    assert len(reasks) == 6  # the model is told why


def test_a_reply_always_cut_off_falls_back():
    def answer(body, n):
        reply = completion("This gene enables protein bind")
        reply["choices"][0]["finish_reason"] = "length"
        return 200, reply, {}

    result, _ = run(answer, max_reasks=1)
    assert all(r.fell_back for r in result.record.sections.values())
    assert "protein bind " not in result.page


def test_terminal_escape_codes_never_reach_the_page():
    def answer(body, n):
        text = good_answer(body)
        return 200, completion("\x1b]0;owned\x07\x1b[2J\x1b[31m" + text + "\x1b[0m\x07\x9b1m"), {}

    result, _ = run(answer)
    assert "This gene enables" in result.page
    assert not any(ch in result.page for ch in "\x1b\x07\x9b")
