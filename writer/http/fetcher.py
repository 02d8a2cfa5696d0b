"""``Fetcher``: the client plus retries and the response cache; what sources call."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import httpx

from writer.errors import NetworkError
from writer.http.cache import CachedResponse, ResponseCache
from writer.http.download import DownloadResult, RemoteFile, download, remote_file
from writer.http.retry import RETRY_ON, RetryableStatus, describe, is_retryable, retrying
from writer.http.settings import HttpSettings, display_url
from writer.http.transport import HostRateLimiter, make_client
from writer.progress import QUIET, Progress

Params = Mapping[str, str | int | float] | None


class Fetcher:
    """GETs with retries and a conditional on-disk cache, and verified bulk downloads.

    ``sleep`` is what retries wait with (tests pass a recorder); ``limiter`` and ``transport``
    go to ``make_client`` unless a ready ``client`` is given. Thread-safe: share one.
    """

    def __init__(
        self,
        settings: HttpSettings,
        *,
        client: httpx.Client | None = None,
        limiter: HostRateLimiter | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.client = client or make_client(settings, limiter=limiter, transport=transport)
        self.cache = ResponseCache(settings.cache_dir / "http")
        self.sleep = sleep

    def get(self, url: str, params: Params = None) -> CachedResponse:
        """The body of ``url`` (with ``params`` merged into its query).

        Sends If-None-Match / If-Modified-Since when the cache holds the URL, and serves the
        cached body on 304. Raises ``NetworkError`` for any other non-2xx answer (404 at once,
        429 / 5xx / transport errors after ``max_attempts``).
        """
        request = self.client.build_request("GET", url, params=params)
        key = str(request.url)
        cached = self.cache.load(key)
        if cached:
            request.headers.update(cached[0].conditional_headers())
        response = self.send(request, key)
        if response.status_code == 304 and cached:
            entry = self.cache.refresh(cached[0], dict(response.headers))
            return CachedResponse(key, entry.status, entry.headers, cached[1],
                                  entry.retrieved_at, from_cache=True)
        if not response.is_success:
            raise self.error(key, f"HTTP {response.status_code} {response.reason_phrase}",
                             response.status_code)
        headers = dict(response.headers)
        if response.status_code == 200:
            entry = self.cache.store(key, 200, headers, response.content)
            retrieved = entry.retrieved_at
        else:
            retrieved = datetime.now(UTC)
        return CachedResponse(key, response.status_code, headers, response.content, retrieved,
                              from_cache=False)

    def send(self, request: httpx.Request, url: str, *, stream: bool = False) -> httpx.Response:
        """One request with retries; ``url`` (no secrets) is what errors name. ``stream``: the
        body is not read (the caller closes the response)."""
        try:
            for attempt in retrying(self.settings.max_attempts, self.sleep):
                with attempt:
                    response = self.client.send(request, stream=stream)
                    if is_retryable(response.status_code):
                        response.close()
                        raise RetryableStatus(response)
        except RETRY_ON as exc:
            raise self.error(url, f"{describe(exc)} (after {self.settings.max_attempts} "
                                  "attempts)", getattr(exc, "status", None)) from exc
        return response

    def download(
        self,
        url: str,
        dest: str | Path,
        *,
        md5_url: str | None = None,
        progress: Progress = QUIET,
    ) -> DownloadResult:
        """Stream ``url`` into ``dest`` through ``dest.partial``, resuming after interruptions;
        see ``writer.http.download``."""
        return download(self, url, Path(dest), md5_url=md5_url, progress=progress)

    def remote_file(self, url: str, *, etag: str | None = None,
                    last_modified: str | None = None) -> RemoteFile:
        """What the server says of ``url`` now (ETag, Last-Modified, size) without its body;
        see ``writer.http.download.remote_file``."""
        return remote_file(self, url, etag=etag, last_modified=last_modified)

    def error(self, url: str, reason: str, status: int | None = None) -> NetworkError:
        """A one-line ``NetworkError``: the API key blanked out, the mirror named."""
        key = self.settings.ncbi_api_key
        if key:
            reason = reason.replace(key, "***")
            url = url.replace(key, "***")
        if self.settings.mirror:
            reason += f" (via mirror {display_url(self.settings.mirror)})"
        return NetworkError(url, reason, status)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

