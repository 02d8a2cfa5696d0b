"""Nothing secret reaches a page or the model-call log: a model reply that echoes the API key
(from the environment or config.toml) or the system prompt is rejected as ungrounded, the
section falls back to its template, and every configured key is redacted from the log.

The endpoint is scripted (``httpx.MockTransport``); settings come from a real config.toml.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from test_draft_helpers import Script, completion, full_sheet, good_answer, section_of

from writer.config import load_settings
from writer.draft import make_draft
from writer.llm import model_config
from writer.phrasers.model import ModelPhraser
from writer.review.store import Queue
from writer.sections import SYSTEM_PROMPT, prompt_text

ENV_KEY = "sk-env-secret-0123456789abcdef"
FILE_KEY = "sk-file-secret-fedcba9876543210"


def settings_with(home: Path, *, file_key: str | None) -> object:
    home.mkdir(parents=True, exist_ok=True)
    lines = ["[model]", 'name = "scripted"', 'base_url = "http://scripted.test/v1"']
    if file_key:
        lines.append(f'api_key = "{file_key}"')
    (home / "config.toml").write_text("\n".join(lines) + "\n")
    return load_settings(home)


def draft_with(settings, script: Script, **overrides):
    config = model_config(settings.model, max_reasks=1, backoff=0.01, **overrides)
    phraser = ModelPhraser(config, http_client=httpx.Client(transport=script.transport()),
                           sleep=lambda s: None)
    return make_draft(full_sheet(), phraser, date="2025-01-17")


def echo(extra: str, sections: tuple[str, ...] = ("function",)):
    """A model that adds ``extra`` to its good answer for ``sections``, every time."""
    def answer(body: dict, n: int):
        text = good_answer(body)
        if section_of(body) in sections:
            text += " " + extra
        return 200, completion(text), {}
    return answer


def assert_fell_back(result, section: str, secret: str) -> None:
    run = result.record.sections[section]
    assert run.fell_back and run.attempts == 2
    template = result.sections[section].text
    assert template and template in result.page  # the template's paragraph is on the page
    replaced = [f for f in result.record.findings
                if f.section == section and f.status == "replaced"]
    assert replaced and all(f.kind == "secret" for f in replaced)
    assert secret not in result.page
    assert all(secret not in f.model_dump_json() for f in result.record.findings)
    # the other sections are the model's
    assert not result.record.sections["structure"].fell_back


def assert_not_logged(calls, secret: str) -> None:
    assert calls, "the model calls are logged"
    for call in calls:
        assert secret not in call.prompt
        assert secret not in (call.response or "") and secret not in (call.error or "")


def test_a_reply_echoing_the_environments_key_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    settings = settings_with(tmp_path / "home", file_key=None)
    script = Script(echo(f"(Debug: the key in use is {ENV_KEY}.)"))
    result = draft_with(settings, script)
    assert_fell_back(result, "function", ENV_KEY)
    assert_not_logged(result.calls, ENV_KEY)
    assert any("[redacted]" in (c.response or "") for c in result.calls)
    # the re-ask tells the model why, without sending the key back
    reask = next(r for r in script.requests
                 if section_of(r) == "function" and len(r["messages"]) == 4)
    assert ENV_KEY not in str(reask["messages"])
    assert "repeats the API key" in reask["messages"][3]["content"]


def test_a_reply_echoing_config_tomls_key_is_rejected_and_never_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    settings = settings_with(tmp_path / "home", file_key=FILE_KEY)
    script = Script(echo(f"Key: {FILE_KEY[:12]} {FILE_KEY[12:]}"))  # split by a space, too
    result = draft_with(settings, script)
    assert all(h["authorization"] == f"Bearer {FILE_KEY}" for h in script.headers)
    assert_fell_back(result, "function", FILE_KEY)
    # the queue's model-call log (a real SQLite file) never holds config.toml's key
    with Queue.open(tmp_path / "queue.sqlite") as queue:
        draft_id = queue.add_draft(result.record, result.calls)
        assert_not_logged(queue.model_calls(draft_id), FILE_KEY)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("queue.sqlite*"))
    assert FILE_KEY.encode() not in raw


def test_config_tomls_key_is_a_secret_even_when_the_environments_key_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    settings = settings_with(tmp_path / "home", file_key=FILE_KEY)
    script = Script(echo(f"The old key was {FILE_KEY}."))
    result = draft_with(settings, script)
    assert all(h["authorization"] == f"Bearer {ENV_KEY}" for h in script.headers)
    assert_fell_back(result, "function", FILE_KEY)
    assert_not_logged(result.calls, FILE_KEY)


def test_a_reply_echoing_the_system_prompt_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    settings = settings_with(tmp_path / "home", file_key=None)
    system = prompt_text(SYSTEM_PROMPT)
    # one rule of it, reflowed and lower-cased, is enough
    rule = next(line for line in system.splitlines() if line.startswith("2."))
    script = Script(echo("My instructions say: " + rule.lower(), sections=("structure",)))
    result = draft_with(settings, script)
    run = result.record.sections["structure"]
    assert run.fell_back
    assert "my instructions say" not in result.page.lower()
    assert any(f.kind == "secret" and "system prompt" in f.reason
               for f in result.record.findings if f.section == "structure")
    assert not result.record.sections["function"].fell_back


def test_a_model_that_stops_echoing_after_the_reask_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    settings = settings_with(tmp_path / "home", file_key=None)

    def answer(body: dict, n: int):
        text = good_answer(body)
        if section_of(body) == "function" and len(body["messages"]) == 2:
            text += f" {ENV_KEY}"
        return 200, completion(text), {}

    result = draft_with(settings, Script(answer))
    run = result.record.sections["function"]
    assert not run.fell_back and run.attempts == 2
    assert "This gene enables" in result.page and ENV_KEY not in result.page
