"""Which failures are worth another try, and how long to wait before it.

Retried: transport errors (refused, reset, timed out, cut mid-body), 429 and every 5xx.
The wait is the server's ``Retry-After`` (seconds or an HTTP date, capped) when it sends
one, else exponential backoff with jitter. Attempts are bounded by ``max_attempts``.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import tenacity

MAX_WAIT = 120.0  # seconds: the longest Retry-After we honour before trying again
_backoff = tenacity.wait_exponential(multiplier=0.5, max=30.0) + tenacity.wait_random(0, 0.5)


class RetryableStatus(Exception):
    """A response worth retrying (429 or 5xx); carries what the server asked for."""

    def __init__(self, response: httpx.Response) -> None:
        self.status = response.status_code
        self.reason = f"HTTP {response.status_code} {response.reason_phrase}".strip()
        self.retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        super().__init__(self.reason)


def is_retryable(status: int) -> bool:
    return status == 429 or 500 <= status <= 599


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now: ``"120"`` or ``"Wed, 21 Oct 2015 07:28:00 GMT"``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _wait(state: tenacity.RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, RetryableStatus) and exc.retry_after is not None:
        return min(exc.retry_after, MAX_WAIT)
    return _backoff(state)


RETRY_ON = (httpx.TransportError, RetryableStatus)


def retrying(
    max_attempts: int,
    sleep: Callable[[float], None],
    stop: tenacity.stop.stop_base | None = None,
    retry_on: tuple[type[BaseException], ...] = RETRY_ON,
) -> tenacity.Retrying:
    """A tenacity loop; the last exception is re-raised as is when attempts run out."""
    return tenacity.Retrying(
        stop=stop or tenacity.stop_after_attempt(max_attempts),
        wait=_wait,
        retry=tenacity.retry_if_exception_type(retry_on),
        sleep=sleep,
        reraise=True,
    )


def describe(exc: BaseException) -> str:
    """A short reason: ``HTTP 503 Service Unavailable`` or ``ReadTimeout: timed out``."""
    if isinstance(exc, RetryableStatus):
        return exc.reason
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
