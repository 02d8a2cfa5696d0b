"""The client and the transports under it: everything that happens to a single request.

    httpx.Client (User-Agent, timeouts, redirects)
      └── NcbiParamsTransport   adds tool / email / api_key to NCBI E-utilities requests
          └── RateLimitTransport  waits for the host's turn (original host, shared limiter)
              └── MirrorTransport   https://HOST/PATH?Q  ->  MIRROR/HOST/PATH?Q
                  └── httpx.HTTPTransport (the socket), or an injected transport

Each wrapper builds a new ``httpx.Request`` instead of editing the caller's, so what httpx
logs (the caller's request) never carries the API key or the mirror's address.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx

from writer.http.settings import TOOL, HttpSettings, user_agent

EUTILS_HOST = "eutils.ncbi.nlm.nih.gov"
PUBTATOR_HOST = "www.ncbi.nlm.nih.gov"
PUBTATOR_PATH = "/research/pubtator3-api"
DEFAULT_RATE = 5.0  # requests per second to any other host


def rate_for(url: httpx.URL, settings: HttpSettings) -> float:
    """Requests per second allowed to ``url``'s host, by the publisher's published rule."""
    if url.host == EUTILS_HOST:
        return 10.0 if settings.ncbi_api_key else 3.0
    if url.host == PUBTATOR_HOST and url.path.startswith(PUBTATOR_PATH):
        return 3.0
    return DEFAULT_RATE


class HostRateLimiter:
    """Spaces requests to one host at least ``1/rate`` seconds apart, across threads.

    Each call reserves the host's next free slot under a lock, then sleeps outside it, so
    waiting threads do not block other hosts. ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}

    def wait(self, host: str, per_second: float) -> float:
        """Block until ``host`` may be sent a request; return the seconds waited."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = start + 1.0 / per_second
        delay = start - now
        if delay > 0:
            self._sleep(delay)
        return delay


SHARED_LIMITER = HostRateLimiter()  # one per process: every client shares the hosts' budgets


class _Wrapper(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def close(self) -> None:
        self.inner.close()


def _copy(request: httpx.Request, url: httpx.URL, new_host: bool = False) -> httpx.Request:
    headers = httpx.Headers(request.headers)
    if new_host:  # a copy with ``stream=`` gets no automatic Host header
        headers["Host"] = url.netloc.decode("ascii")
    return httpx.Request(
        request.method, url, headers=headers, stream=request.stream,
        extensions=request.extensions,
    )


class NcbiParamsTransport(_Wrapper):
    """NCBI asks E-utilities callers to name their ``tool`` and ``email``; the key raises the
    rate limit. Added here, below the cache key and the client's log line."""

    def __init__(self, inner: httpx.BaseTransport, settings: HttpSettings) -> None:
        super().__init__(inner)
        params = {"tool": TOOL}
        if settings.email:
            params["email"] = settings.email
        if settings.ncbi_api_key:
            params["api_key"] = settings.ncbi_api_key
        self._params = params

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != EUTILS_HOST:
            return self.inner.handle_request(request)
        url = request.url.copy_merge_params(self._params)
        return self.inner.handle_request(_copy(request, url))


class RateLimitTransport(_Wrapper):
    """Every attempt (retries included) waits for its host's turn."""

    def __init__(
        self, inner: httpx.BaseTransport, settings: HttpSettings, limiter: HostRateLimiter
    ) -> None:
        super().__init__(inner)
        self._settings = settings
        self._limiter = limiter

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._limiter.wait(request.url.host, rate_for(request.url, self._settings))
        return self.inner.handle_request(request)


class MirrorTransport(_Wrapper):
    """Sends ``https://HOST[:PORT]/PATH?QUERY`` to ``MIRROR/HOST[:PORT]/PATH?QUERY``, path and
    query bytes untouched, so everything above the socket runs as it would upstream."""

    def __init__(self, inner: httpx.BaseTransport, mirror: str) -> None:
        super().__init__(inner)
        self.mirror = mirror.rstrip("/")

    def rewrite(self, url: httpx.URL) -> httpx.URL:
        host = url.host + (f":{url.port}" if url.port else "")
        return httpx.URL(f"{self.mirror}/{host}{url.raw_path.decode('ascii')}")

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.inner.handle_request(_copy(request, self.rewrite(request.url), True))


def make_client(
    settings: HttpSettings,
    *,
    limiter: HostRateLimiter | None = None,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """A sync client with the mirror, rate limit and NCBI parameters in its transport.

    Retries and the cache live one level up, in ``Fetcher``. ``transport`` replaces the socket
    (e.g. ``httpx.MockTransport``); ``limiter`` defaults to the process-wide one.
    """
    inner = transport or httpx.HTTPTransport()
    if settings.mirror:
        inner = MirrorTransport(inner, settings.mirror)
    inner = RateLimitTransport(inner, settings, limiter or SHARED_LIMITER)
    inner = NcbiParamsTransport(inner, settings)
    return httpx.Client(
        transport=inner,
        timeout=httpx.Timeout(settings.timeout),
        headers={"User-Agent": user_agent()},
        follow_redirects=True,
    )
