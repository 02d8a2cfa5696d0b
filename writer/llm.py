"""The model client: every request to an OpenAI-compatible endpoint goes through here.

    client = ModelClient(ModelConfig(model="qwen2.5:7b", base_url="http://127.0.0.1:11434/v1"))
    answer = client.complete(messages, purpose="function")
    answer.text, answer.calls            # the reply, and every request made for it
    client.close()

- The SDK gets an explicit ``httpx`` client (timeouts, connection limits; tests pass one
  with ``httpx.MockTransport``) and ``max_retries=0``: retries are ours, never stacked.
- Timeouts, connection errors, 408, 409, 429 and 5xx are retried by tenacity with
  exponential backoff and jitter, honouring ``Retry-After`` / ``retry-after-ms`` (capped at
  ``max_backoff``); other errors are not. When the attempts run out, ``EndpointFailed``
  says what the endpoint did and carries the requests made.
- Every request is logged as a ``ModelCall`` (purpose, attempt, model, messages, response,
  tokens, duration, error). The API key is never part of it: every configured key
  (``ModelConfig.api_key`` and ``secrets``: the environment's and config.toml's) and every
  ``*API_KEY`` in the environment is replaced by ``[redacted]`` wherever it appears, even
  in a reply that echoes it (``redact``).
- The reply is read as a stream of at most ``max_reply_bytes``: a longer one is not read
  further. What the endpoint says is untrusted: an answer that is not chat.completions JSON
  (an HTML error page, garbage) is an ``EndpointFailed`` naming what came; an answer over
  the byte limit or cut off at ``max_tokens`` (``finish_reason == "length"``) comes back
  with ``Completion.unusable`` saying why, for the caller to treat as a failed answer.

``openai`` and ``tenacity`` are imported when a client is made, so importing this module
(for ``ModelCall``, which the review queue stores) stays cheap.
"""

from __future__ import annotations

import email.utils
import functools
import json
import os
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from writer.config import ModelSettings, Price

if TYPE_CHECKING:
    import ssl

    import httpx
    from tenacity import RetryCallState

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


class ModelCall(BaseModel):
    """One request to a model endpoint, logged so a curator can see what produced a text."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    section: str  # what the request was for: a section name, or e.g. "judge"
    attempt: int  # the request's number within its conversation, from 1
    model: str
    prompt: str  # the messages, as JSON
    response: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    duration_s: float
    error: str | None = None
    # What answered, as the endpoint reports it (``model`` and ``system_fingerprint`` of the
    # response): a model switched behind the same name shows here.
    served_model: str | None = None
    fingerprint: str | None = None

    @property
    def served(self) -> str | None:
        """``name (fingerprint)`` as the endpoint reported them, None when it did not."""
        if not self.served_model:
            return None
        return self.served_model + (f" ({self.fingerprint})" if self.fingerprint else "")


def cost(calls: Sequence[ModelCall], prices: dict[str, Price]) -> tuple[float, set[str]]:
    """What ``calls`` cost at ``prices`` (config.toml ``[prices]``), in US dollars, and the
    models that answered but have no price. A call is priced by the model the endpoint says
    answered, else by the name it was asked for."""
    total, unpriced = 0.0, set()
    for call in calls:
        name = call.served_model if call.served_model in prices else call.model
        price = prices.get(name)
        if price is None:
            unpriced.add(call.served_model or call.model)
            continue
        total += ((call.prompt_tokens or 0) * price.input
                  + (call.completion_tokens or 0) * price.output) / 1_000_000
    return total, unpriced


@dataclass(frozen=True)
class ModelConfig:
    """How requests are made. ``concurrency`` and ``max_reasks`` are for callers that ask
    several questions at once (the phraser's sections) or re-ask (its grounding loop)."""

    model: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 60.0  # seconds per request
    attempts: int = 3  # requests per question, endpoint errors included
    max_reasks: int = 2  # re-asks after an ungrounded answer
    concurrency: int = 6  # questions asked at once
    backoff: float = 0.5  # first backoff in seconds, doubled each retry, with jitter
    max_backoff: float = 20.0  # cap, also on Retry-After
    temperature: float = 0.2
    max_tokens: int = 800
    max_reply_bytes: int = 256_000  # a reply's HTTP body; ~10x a long answer at max_tokens
    prompt_variant: str = "default"  # prompts/_variants/<name>.toml (writer.phrasers.prompting)
    secrets: tuple[str, ...] = field(default=(), repr=False, compare=False)  # more keys to hide

    def all_secrets(self) -> tuple[str, ...]:
        """The keys this model's text and log must never hold (``known_secrets``)."""
        return known_secrets((self.api_key, *self.secrets))


def known_secrets(extra: Sequence[str | None] = ()) -> tuple[str, ...]:
    """``extra`` (keys from config.toml) and every ``*API_KEY`` in the environment; values
    shorter than 8 characters are not secrets worth redacting (they would mangle text)."""
    found = [v for v in extra if v]
    found += [v for k, v in os.environ.items() if k.upper().endswith("API_KEY")]
    return tuple(dict.fromkeys(v for v in found if len(v) >= 8))


def redact(text: str | None, secrets: Sequence[str] = ()) -> str | None:
    """``text`` with each of ``secrets`` and every ``*API_KEY`` of the environment replaced
    by ``[redacted]``."""
    if not text:
        return text
    for value in known_secrets(secrets):
        if value in text:
            text = text.replace(value, "[redacted]")
    return text


def model_config(settings: ModelSettings, option: str | None = None,
                 **overrides: Any) -> ModelConfig | None:
    """The configured model (``option`` is ``--model``), or None for the template phraser.
    ``overrides`` set ``ModelConfig`` fields; None values keep the defaults."""
    chosen = settings.select(option)
    if chosen is None:
        return None
    kwargs = {k: v for k, v in overrides.items() if v is not None}
    return ModelConfig(model=chosen.name or "", base_url=chosen.base_url,
                       api_key=chosen.api_key, secrets=chosen.secrets, **kwargs)


@dataclass(frozen=True)
class Completion:
    text: str
    calls: list[ModelCall]  # every request made for this answer, failed retries first
    prompt_tokens: int = 0
    completion_tokens: int = 0
    unusable: str | None = None  # why ``text`` must not be used (too long, cut off)


class BadReply(Exception):
    """The endpoint answered, but not with chat.completions JSON (not retried)."""


def _snippet(data: bytes, limit: int = 60) -> str:
    text = " ".join(data[:limit * 4].decode("utf-8", "replace").split())
    text = "".join(ch for ch in text if ch.isprintable())
    return repr(text[:limit] + ("…" if len(text) > limit else ""))


def parse_reply(body: bytes, content_type: str) -> tuple[str, str | None, dict[str, Any]]:
    """(text, finish_reason, the whole JSON: usage, model, system_fingerprint) of a
    chat.completions body; ``BadReply`` naming what came when it is not one."""
    kind = content_type.split(";")[0].strip() or "no content type"
    try:
        data = json.loads(body)
    except ValueError:
        raise BadReply(f"the endpoint answered with {kind}, not JSON: {_snippet(body)}"
                       ) from None
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list):
        raise BadReply(f"the endpoint's JSON is not a chat completion: {_snippet(body)}")
    if not choices:
        return "", None, data
    first = choices[0]
    message = first.get("message") if isinstance(first, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(message, dict) or not isinstance(content, str | None):
        raise BadReply(f"the endpoint's JSON is not a chat completion: {_snippet(body)}")
    reason = first.get("finish_reason")
    return content or "", reason if isinstance(reason, str) else None, data


def _text(value: Any) -> str | None:
    """A string field of the reply (the served model's name), else None."""
    return value[:200] if isinstance(value, str) and value else None


def _tokens(usage: Any, key: str) -> int | None:
    value = usage.get(key) if isinstance(usage, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class EndpointFailed(Exception):
    """The endpoint did not answer usefully after the allowed attempts."""

    def __init__(self, message: str, calls: Sequence[ModelCall] = ()) -> None:
        super().__init__(message)
        self.calls = list(calls)


def make_http_client(config: ModelConfig, transport: httpx.BaseTransport | None = None
                     ) -> httpx.Client:
    """The HTTP client handed to the SDK: explicit timeouts and connection limits."""
    import httpx

    return httpx.Client(
        timeout=httpx.Timeout(config.timeout, connect=min(config.timeout, 10.0)),
        limits=httpx.Limits(max_connections=max(config.concurrency, 1) * 2),
        transport=transport,
        follow_redirects=False,
        verify=tls_context(),
    )


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The certificate store every model client of this process verifies with (as httpx
    builds it: certifi's, or SSL_CERT_FILE / SSL_CERT_DIR), loaded once: loading it is
    about 50 ms, once per client otherwise, and worker processes forked after it share it."""
    import httpx

    return httpx.create_ssl_context()


def retryable(exc: BaseException) -> bool:
    """A timeout, a connection error, or a status worth asking again (408, 409, 429, 5xx)."""
    import openai

    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        return retryable_status(exc.status_code)
    return False


def retryable_status(status: int) -> bool:
    """An HTTP status worth asking again: 408, 409, 429 or 5xx (``writer batch import``
    reads it from a results line)."""
    return status in (408, 409, 429) or status >= 500


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
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        return f"connection failed ({type(cause).__name__})"
    if isinstance(exc, openai.APIStatusError):
        reason = exc.response.reason_phrase if exc.response is not None else ""
        return f"HTTP {exc.status_code}{' ' + reason if reason else ''}"
    if isinstance(exc, BadReply):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


class EndpointLimit:
    """One endpoint's concurrency limit and 429 pause, for every client that shares it.

    ``slot()`` holds one of ``concurrency`` slots while a request is in flight. ``pause(s)``
    (after a 429) stops every sender for ``s`` seconds: ``wait_out_pause`` makes the next
    request of each thread wait until then, once per pause (a thread that got the 429 waits
    in its own backoff). Made with a multiprocessing context (``context=``), the slots and
    the pause live in shared memory, so clients in worker processes forked after it share
    them (``writer draft`` of many genes with a model, ``writer.bulk``); without one they
    are a process's own.
    """

    def __init__(self, concurrency: int, context: Any | None = None) -> None:
        slots = max(concurrency, 1)
        if context is None:
            self._slots: Any = threading.BoundedSemaphore(slots)
            self._lock: Any = threading.Lock()
            self._state: Any = [0.0, 0.0]
        else:
            self._slots = context.BoundedSemaphore(slots)
            self._lock = context.Lock()
            self._state = context.RawArray("d", 2)
        # _state: [time.monotonic() before which no request is sent, number of the latest
        # pause]; the machine's monotonic clock is the same in every process.
        self._served = threading.local()  # .pause: the latest pause this thread waited out

    def slot(self) -> Any:
        return self._slots

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._state[0] = max(self._state[0], time.monotonic() + seconds)
            self._state[1] += 1
            self._served.pause = self._state[1]  # this thread waits it out right now

    def wait_out_pause(self, sleep: Callable[[float], None] = time.sleep) -> None:
        """Wait out a pause another request's 429 asked for."""
        with self._lock:
            left = self._state[0] - time.monotonic()
            pause = self._state[1]
        if left > 0 and getattr(self._served, "pause", 0) < pause:
            self._served.pause = pause
            sleep(left)


class ModelClient:
    """Chat completions from one endpoint, with retries and a log of every request.

    ``http_client``: an httpx client to send through (tests: ``httpx.MockTransport``); when
    given, the caller closes it. ``sleep``: how to wait between retries (tests record it).
    Thread-safe: the phraser asks for several sections at once through one client, and
    ``writer draft`` of many genes shares one client across them. The client is the
    endpoint's one concurrency limit: at most ``config.concurrency`` requests are in flight,
    whoever asks. A 429 pauses every request of the client, not only the one that got it:
    the next request anyone sends waits until the endpoint's Retry-After (or the backoff)
    has passed, so a crowd of threads backs off together instead of hammering a busy
    endpoint. ``limit``: an ``EndpointLimit`` to share with other clients (made with a
    multiprocessing context, clients in other processes); default, the client's own.
    """

    def __init__(self, config: ModelConfig, *, http_client: httpx.Client | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 limit: EndpointLimit | None = None) -> None:
        import openai

        self.config = config
        self.limit = limit or EndpointLimit(config.concurrency)
        self._owns_http = http_client is None
        self.http_client = http_client or make_http_client(config)
        self.sleep = sleep
        self._sdk = openai.OpenAI(
            api_key=config.api_key or "not-needed",  # local servers (Ollama, vLLM) need none
            base_url=config.base_url or None,
            http_client=self.http_client,
            max_retries=0,  # retries are ours (tenacity), never stacked on the SDK's
            timeout=config.timeout,
        )
        # what a chat request is posted to, with which headers (key, organization, agent)
        self._chat_url = str(self._sdk.base_url).rstrip("/") + "/chat/completions"
        self._headers = {k: v for k, v in {**self._sdk.default_headers,
                                            **self._sdk.auth_headers}.items()
                         if isinstance(v, str)}  # (an unset organization is no header)

    @property
    def sdk(self) -> Any:
        """The ``openai`` SDK client behind this one (same endpoint, key and HTTP client, no
        retries of its own), for the endpoints other than chat: the files and batches
        endpoints of ``writer batch``."""
        return self._sdk

    def close(self) -> None:
        """Close the HTTP client when this client made it."""
        if self._owns_http:
            self.http_client.close()

    def __enter__(self) -> ModelClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = retry_after(exc)
        if asked is not None:
            delay = min(asked, self.config.max_backoff)
        else:
            base = self.config.backoff * 2 ** (state.attempt_number - 1)
            delay = min(base + random.uniform(0, self.config.backoff), self.config.max_backoff)
        if getattr(exc, "status_code", None) == 429:  # the endpoint is full: everyone waits
            self.limit.pause(delay)
        return delay

    def complete(self, messages: Sequence[Message], *, purpose: str,
                 attempt: int = 1, response_format: dict[str, Any] | None = None,
                 max_tokens: int | None = None, temperature: float | None = None
                 ) -> Completion:
        """The model's reply to ``messages``, retried on endpoint errors.

        ``purpose`` names the request in the log (a section, ``"judge"``); ``attempt`` is the
        number of its first request, for a conversation that has asked before (re-asks).
        ``response_format`` (e.g. a JSON schema), ``max_tokens`` and ``temperature`` override
        the config for this request. Raises ``EndpointFailed`` (with the requests made) when
        no answer came.
        """
        import openai
        from tenacity import Retrying, retry_if_exception, stop_after_attempt

        cfg = self.config
        retrying = Retrying(
            stop=stop_after_attempt(max(cfg.attempts, 1)),
            wait=self._wait,
            retry=retry_if_exception(retryable),
            reraise=True,
            sleep=self.sleep,
        )
        secrets = cfg.all_secrets()
        prompt = redact(json.dumps(list(messages), ensure_ascii=False), secrets) or ""
        extra: dict[str, Any] = {"response_format": response_format} if response_format else {}
        calls: list[ModelCall] = []
        try:
            for tried in retrying:
                with tried:
                    number = attempt + len(calls)
                    start = time.monotonic()
                    try:
                        with self.limit.slot():
                            # holding a slot: nobody is sending meanwhile
                            self.limit.wait_out_pause(self.sleep)
                            start = time.monotonic()
                            text, reason, reply, over = self._request(
                                messages, cfg, extra, max_tokens, temperature)
                    except (openai.OpenAIError, BadReply) as exc:
                        calls.append(ModelCall(
                            section=purpose, attempt=number, model=cfg.model, prompt=prompt,
                            duration_s=round(time.monotonic() - start, 4),
                            error=redact(describe(exc), secrets),
                        ))
                        raise
                    return answered(cfg, text, reason, reply, over, purpose=purpose,
                                    attempt=number, prompt=prompt,
                                    duration_s=round(time.monotonic() - start, 4),
                                    max_tokens=max_tokens, calls=calls)
        except BadReply as exc:
            raise EndpointFailed(str(exc), calls) from exc
        except openai.OpenAIError as exc:
            tries = attempt - 1 + len(calls)  # requests in this conversation
            raise EndpointFailed(
                f"{describe(exc)} after {tries} request{'s' * (tries != 1)}"
                if retryable(exc) else describe(exc),
                calls,
            ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _request(self, messages: Sequence[Message], cfg: ModelConfig, extra: dict[str, Any],
                 max_tokens: int | None, temperature: float | None
                 ) -> tuple[str, str | None, dict[str, Any], bool]:
        """One request, its body read up to ``max_reply_bytes``: (text, finish_reason, the
        reply's JSON, whether the body was longer than the limit)."""
        import httpx
        import openai

        # Posted with the SDK's own HTTP client, endpoint and headers, but not through its
        # typed `create`: that re-walks every message's types on each request, a third of
        # a request's CPU, which caps how many requests one process keeps in flight. Errors
        # are the SDK's, so retries and messages read them as before.
        data = json.dumps(request_body(messages, cfg, extra, max_tokens, temperature),
                          ensure_ascii=False).encode("utf-8")
        try:
            with self.http_client.stream("POST", self._chat_url, content=data,
                                         headers=self._headers) as response:
                if response.status_code >= 400:
                    response.read()
                    raise openai.APIStatusError(
                        f"HTTP {response.status_code}", response=response, body=None)
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > cfg.max_reply_bytes:
                        return "", None, {}, True
                content_type = response.headers.get("content-type", "")
        except httpx.TimeoutException as exc:
            raise openai.APITimeoutError(request=exc.request) from exc
        except httpx.HTTPError as exc:
            request = getattr(exc, "_request", None) or httpx.Request("POST", self._chat_url)
            raise openai.APIConnectionError(message=str(exc), request=request) from exc
        text, reason, reply = parse_reply(bytes(body), content_type)
        return text, reason, reply, False


# --- one request's body and one answer, also for batch engines (writer.batch) ---------------
def request_body(messages: Sequence[Message], cfg: ModelConfig,
                 extra: dict[str, Any] | None = None, max_tokens: int | None = None,
                 temperature: float | None = None) -> dict[str, Any]:
    """The chat.completions request body sent for ``messages``: what ``ModelClient`` posts,
    and the ``body`` of a batch file's line."""
    return {
        "model": cfg.model,
        "messages": [dict(m) for m in messages],
        "temperature": cfg.temperature if temperature is None else temperature,
        "max_tokens": max_tokens or cfg.max_tokens,
        **(extra or {}),
    }


def answered(cfg: ModelConfig, text: str, reason: str | None, reply: dict[str, Any],
             over: bool, *, purpose: str, attempt: int, prompt: str, duration_s: float,
             max_tokens: int | None = None, calls: Sequence[ModelCall] = ()) -> Completion:
    """The ``Completion`` of one reply (``parse_reply``'s text, finish reason and JSON;
    ``over``: the body was longer than ``max_reply_bytes``), its request logged after
    ``calls``: why it may not be used, tokens, and the served model as the reply names it."""
    unusable = None
    if over:
        unusable = (f"the reply was longer than {cfg.max_reply_bytes:,} bytes "
                    "and was not read further")
    elif reason == "length":
        unusable = ("the reply was cut off at the token limit "
                    f"({max_tokens or cfg.max_tokens} tokens)")
    usage = reply.get("usage")
    pt, ct = _tokens(usage, "prompt_tokens"), _tokens(usage, "completion_tokens")
    secrets = cfg.all_secrets()
    call = ModelCall(
        section=purpose, attempt=attempt, model=cfg.model, prompt=prompt,
        response=redact(text, secrets), prompt_tokens=pt, completion_tokens=ct,
        duration_s=duration_s, error=unusable, served_model=_text(reply.get("model")),
        fingerprint=_text(reply.get("system_fingerprint")),
    )
    return Completion(text=text, calls=[*calls, call], prompt_tokens=pt or 0,
                      completion_tokens=ct or 0, unusable=unusable)
