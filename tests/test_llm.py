"""The one model client (``writer.llm``): explicit httpx client, our retries only, and a
``ModelCall`` for every request, never with the key."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest
from test_draft_helpers import Script, completion

from writer.llm import EndpointFailed, ModelClient, ModelConfig

KEY = "sk-llm-secret-0123456789"
MESSAGES = [{"role": "system", "content": "rules"}, {"role": "user", "content": "hello"}]


def client(script: Script, sleeps: list[float] | None = None, **cfg) -> ModelClient:
    config = ModelConfig(model="scripted", base_url="http://scripted.test/v1", api_key=KEY,
                         backoff=0.01, **cfg)
    return ModelClient(config, http_client=httpx.Client(transport=script.transport()),
                       sleep=(sleeps.append if sleeps is not None else lambda s: None))


def test_an_answer_and_its_log() -> None:
    script = Script(lambda body, n: (200, completion("Hi."), {}))
    answer = client(script).complete(MESSAGES, purpose="judge")
    assert answer.text == "Hi." and (answer.prompt_tokens, answer.completion_tokens) == (120, 80)
    (call,) = answer.calls
    assert (call.section, call.attempt, call.model, call.response) == ("judge", 1, "scripted",
                                                                       "Hi.")
    assert json.loads(call.prompt) == MESSAGES
    assert KEY not in call.model_dump_json()
    assert script.headers[0]["authorization"] == f"Bearer {KEY}"
    assert script.requests[0]["messages"] == MESSAGES


def test_the_sdk_does_not_retry_on_its_own() -> None:
    c = client(Script(lambda body, n: (200, completion(""), {})))
    assert c._sdk.max_retries == 0


def test_retries_honour_retry_after_and_number_the_requests() -> None:
    def answer(body: dict, n: int):
        if n == 1:
            return 429, {"error": {"message": "slow down"}}, {"Retry-After": "3"}
        return 200, completion("ok"), {}

    sleeps: list[float] = []
    got = client(Script(answer), sleeps).complete(MESSAGES, purpose="function", attempt=4)
    assert sleeps == [3.0]
    assert [(c.attempt, c.error) for c in got.calls] == [(4, "HTTP 429 Too Many Requests"),
                                                        (5, None)]


def test_when_the_attempts_run_out_the_error_carries_the_requests() -> None:
    script = Script(lambda body, n: (503, {"error": {"message": "down"}}, {}))
    with pytest.raises(EndpointFailed, match="HTTP 503 Service Unavailable after 2 requests") \
            as info:
        client(script, attempts=2).complete(MESSAGES, purpose="function")
    assert [c.attempt for c in info.value.calls] == [1, 2]
    assert all(c.error for c in info.value.calls)


def test_client_errors_are_not_retried() -> None:
    script = Script(lambda body, n: (401, {"error": {"message": "bad key"}}, {}))
    with pytest.raises(EndpointFailed, match="^HTTP 401 Unauthorized$"):
        client(script).complete(MESSAGES, purpose="function")
    assert len(script.requests) == 1


def test_importing_the_module_does_not_import_the_sdk() -> None:
    code = ("import sys, writer.llm, writer.review.store\n"
            "print('openai' in sys.modules, 'tenacity' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.stdout.strip() == "False False", proc.stderr
