"""The model phraser: any OpenAI-compatible chat endpoint, grounded by the evaluator.

For each section (sections run concurrently, at most ``ModelConfig.concurrency`` at once):

1. ask the model for a paragraph from the section's facts (``prompts/<section>.md``);
2. clean the answer as untrusted text (``writer.phrasers.untrusted``);
3. check it with the evaluator (``writer.check.check``): every claim it cannot trace is
   sent back to the model with the evaluator's reason, and so is every fact the paragraph
   left out; at most ``max_reasks`` re-asks (tenacity);
4. a paragraph with no untraced claim is used, with a coverage finding for each fact it
   still leaves out; otherwise the section falls back to the template text and the draft
   is flagged with what the model got wrong.

Endpoint errors (timeouts, connection errors, 429 and 5xx) are retried by tenacity with
exponential backoff, honouring ``Retry-After``; the SDK's own retries are off
(``max_retries=0``) so they do not stack. When the retries run out the section falls back
and the error is reported. Every request is logged as a ``ModelCall`` (messages, response,
tokens, duration, error); the API key is never part of what is logged.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import openai
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    retry_if_exception_type,
    stop_after_attempt,
)

from writer.check import coverage as cov
from writer.factsheet import FactSheet
from writer.phrasers import Phrased, findings_of, prompting
from writer.phrasers.untrusted import clean
from writer.review.store import ModelCall
from writer.sections import Section

Checker = Callable[[str, FactSheet], Any]  # returns an object with ``.findings``


@dataclass(frozen=True)
class ModelConfig:
    model: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 60.0  # seconds per request
    attempts: int = 3  # requests per question, endpoint errors included
    max_reasks: int = 2  # re-asks after an ungrounded paragraph
    concurrency: int = 6  # sections requested at once
    backoff: float = 0.5  # first backoff in seconds, doubled each retry, with jitter
    max_backoff: float = 20.0  # cap, also on Retry-After
    temperature: float = 0.2
    max_tokens: int = 800


class EndpointFailed(Exception):
    """The endpoint did not answer usefully after the allowed attempts."""


class Ungrounded(Exception):
    def __init__(self, text: str, problems: list[dict[str, Any]],
                 omissions: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(problems)} untraced claims, {len(omissions)} omissions")
        self.text = text
        self.problems = problems
        self.omissions = omissions


def make_http_client(config: ModelConfig, transport: httpx.BaseTransport | None = None
                     ) -> httpx.Client:
    """The HTTP client handed to the SDK: explicit timeouts and connection limits."""
    return httpx.Client(
        timeout=httpx.Timeout(config.timeout, connect=min(config.timeout, 10.0)),
        limits=httpx.Limits(max_connections=max(config.concurrency, 1) * 2),
        transport=transport,
        follow_redirects=False,
    )


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return False


def retry_after(exc: BaseException | None) -> float | None:
    """Seconds the server asked us to wait (``Retry-After`` / ``retry-after-ms``), if any."""
    response = getattr(exc, "response", None)
    if response is None:
        return None
    headers = response.headers
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(float(ms) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is None:
            return None
        return max(parsed.timestamp() - time.time(), 0.0)


def describe(exc: BaseException) -> str:
    """One line for the curator: what the endpoint did."""
    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        return f"connection failed ({type(cause).__name__})"
    if isinstance(exc, openai.APIStatusError):
        reason = exc.response.reason_phrase if exc.response is not None else ""
        return f"HTTP {exc.status_code}{' ' + reason if reason else ''}"
    return f"{type(exc).__name__}: {exc}"


class ModelPhraser:
    """Phrase sections with an OpenAI-compatible endpoint, grounded by ``checker``."""

    name = "openai"

    def __init__(
        self,
        config: ModelConfig,
        *,
        http_client: httpx.Client | None = None,
        checker: Checker | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.http_client = http_client or make_http_client(config)
        self.client = openai.OpenAI(
            api_key=config.api_key or "not-needed",  # local servers (Ollama, vLLM) need none
            base_url=config.base_url or None,
            http_client=self.http_client,
            max_retries=0,  # retries are ours (tenacity), never stacked on the SDK's
            timeout=config.timeout,
        )
        self.checker = checker
        self.sleep = sleep

    # --- public --------------------------------------------------------------------------
    def phrase(self, sections: Sequence[Section], sheet: FactSheet) -> dict[str, Phrased]:
        checker = self.checker or _default_checker()
        workers = max(1, min(self.config.concurrency, len(sections)))
        if workers == 1:
            results = [self._section(s, sheet, checker) for s in sections]
        else:
            # The evaluator loads its readers on first use: let it do so while the requests
            # are in flight rather than after the first answer arrives.
            warm = threading.Thread(target=_warm, args=(checker, sections, sheet), daemon=True)
            warm.start()
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="phrase") as pool:
                results = list(pool.map(lambda s: self._section(s, sheet, checker), sections))
            warm.join()
        return {r.section: r for r in results}

    def close(self) -> None:
        self.http_client.close()

    # --- one section ---------------------------------------------------------------------
    def _section(self, section: Section, sheet: FactSheet, checker: Checker) -> Phrased:
        template_text = section.template(sheet)
        facts = section.facts(sheet)
        result = Phrased(section=section.name, text=template_text, phraser=self.name,
                         model=self.config.model)
        messages = prompting.messages(section, sheet, facts, template_text)
        urls = prompting.allowed_urls(sheet, facts)
        best: tuple[str, list[dict[str, Any]]] | None = None  # grounded text, omissions
        last: Ungrounded | None = None

        def ask_once() -> str:
            raw = self._complete(section.name, messages, result)
            text = clean(raw, urls)
            problems = findings_of(checker(text, sheet), section.name) if text else [
                {"claim": "", "kind": "empty", "status": "unverifiable", "section": section.name,
                 "reason": "the model returned no text"}]
            omissions = cov.omitted(section.name, text, facts) if text else []
            if problems or omissions:
                messages.append({"role": "assistant", "content": raw})
                messages.append({"role": "user", "content": prompting.reask(problems + omissions)})
                raise Ungrounded(text, problems, omissions)
            return text

        reasks = Retrying(
            stop=stop_after_attempt(1 + max(self.config.max_reasks, 0)),
            retry=retry_if_exception_type(Ungrounded),
            reraise=True,
            sleep=lambda _s: None,
        )
        try:
            for attempt in reasks:
                with attempt:
                    try:
                        text = ask_once()
                    except Ungrounded as exc:
                        last = exc
                        if not exc.problems and (best is None
                                                 or len(exc.omissions) < len(best[1])):
                            best = (exc.text, exc.omissions)
                        raise
                    result.text = text
                    return result
        except EndpointFailed as exc:
            if best is not None:
                return self._use(result, best)
            result.fell_back = True
            result.error = str(exc)
            result.findings.append({
                "claim": "", "kind": "endpoint", "status": "failed", "section": section.name,
                "reason": f"the model endpoint failed ({exc}); the section uses the template text",
            })
            return result
        except Ungrounded:
            pass
        if best is not None:  # grounded, but leaves facts out: use it, record what it omits
            return self._use(result, best)
        assert last is not None
        result.fell_back = True
        n = len(last.problems)
        result.error = (f"the model's paragraph still had {n} untraced claim{'s' * (n != 1)} "
                        f"after {result.attempts} requests; the section uses the template text")
        for p in last.problems:
            result.findings.append({
                **{k: v for k, v in p.items() if k in ("claim", "sentence", "kind", "status")},
                "section": section.name,
                "status": "replaced",
                "reason": f"the model wrote this claim, which the evaluator could not trace "
                          f"({p.get('reason', '')}); the section uses the template text",
            })
        return result

    @staticmethod
    def _use(result: Phrased, best: tuple[str, list[dict[str, Any]]]) -> Phrased:
        result.text, omissions = best
        result.findings.extend(omissions)
        return result

    # --- one question, with endpoint retries ---------------------------------------------
    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = retry_after(exc)
        if asked is not None:
            return min(asked, self.config.max_backoff)
        base = self.config.backoff * 2 ** (state.attempt_number - 1)
        return min(base + random.uniform(0, self.config.backoff), self.config.max_backoff)

    def _complete(self, section: str, messages: list[dict[str, str]], result: Phrased) -> str:
        cfg = self.config
        retrying = Retrying(
            stop=stop_after_attempt(max(cfg.attempts, 1)),
            wait=self._wait,
            retry=retry_if_exception(_retryable),
            reraise=True,
            sleep=self.sleep,
        )
        prompt = json.dumps(messages, ensure_ascii=False)
        try:
            for attempt in retrying:
                with attempt:
                    result.attempts += 1
                    number = result.attempts
                    start = time.monotonic()
                    try:
                        response = self.client.chat.completions.create(
                            model=cfg.model,
                            messages=messages,  # type: ignore[arg-type]
                            temperature=cfg.temperature,
                            max_tokens=cfg.max_tokens,
                        )
                    except openai.OpenAIError as exc:
                        result.calls.append(ModelCall(
                            section=section, attempt=number, model=cfg.model, prompt=prompt,
                            duration_s=round(time.monotonic() - start, 4), error=describe(exc),
                        ))
                        raise
                    text = ""
                    if response.choices:
                        text = response.choices[0].message.content or ""
                    usage = response.usage
                    pt = usage.prompt_tokens if usage else None
                    ct = usage.completion_tokens if usage else None
                    result.prompt_tokens += pt or 0
                    result.completion_tokens += ct or 0
                    result.calls.append(ModelCall(
                        section=section, attempt=number, model=cfg.model, prompt=prompt,
                        response=text, prompt_tokens=pt, completion_tokens=ct,
                        duration_s=round(time.monotonic() - start, 4),
                    ))
                    return text
        except openai.OpenAIError as exc:
            tries = result.attempts
            raise EndpointFailed(
                f"{describe(exc)} after {tries} request{'s' * (tries != 1)}"
                if _retryable(exc) else describe(exc)
            ) from exc
        raise AssertionError("unreachable")  # pragma: no cover


def _warm(checker: Checker, sections: Sequence[Section], sheet: FactSheet) -> None:
    # A warm-up failure shows up again, and is handled, in the real check.
    with contextlib.suppress(Exception):
        checker(sections[0].template(sheet) if sections else sheet.symbol, sheet)


def _default_checker() -> Checker:
    try:
        from writer.check import check
    except ImportError as exc:  # pragma: no cover - the evaluator ships with the package
        from writer.errors import WriterError

        raise WriterError("the model phraser needs the evaluator (writer.check)") from exc
    return check
