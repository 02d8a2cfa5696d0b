"""The one HTTP layer: every online source fetches through ``Fetcher`` (or ``make_client``).

Layers, from the socket up:

1. **Mirror transport** - with ``GENE_WRITER_MIRROR`` / ``mirror`` set, a request for
   ``https://HOST/PATH?Q`` goes to ``MIRROR/HOST/PATH?Q``. It rewrites the URL just above the
   socket, so everything else (rate limits, cache keys, error messages) sees the original.
2. **Rate limit** - each attempt waits for its host's turn: E-utilities 3/s (10/s with
   ``NCBI_API_KEY``), PubTator3 3/s, others 5/s; one limiter per process, thread-safe.
   NCBI's ``tool`` / ``email`` / ``api_key`` parameters are added to E-utilities requests
   at this level too, so neither the cache key nor httpx's log line carries the key.
3. **Retries** (tenacity) - transport errors, 429 and 5xx, waiting for ``Retry-After``
   (seconds or HTTP date) or an exponential backoff; bounded by ``max_attempts``. Anything
   else (a 404) fails at once. Failures are one-line ``NetworkError``s naming the URL.
4. **Cache** - GET bodies on disk keyed by the sha256 of the full URL; a repeat GET sends
   If-None-Match / If-Modified-Since and a 304 serves the stored body.
   ``CachedResponse.retrieved_at`` says when upstream last sent or confirmed the data.

``Fetcher.download`` streams bulk files through ``dest.partial`` with resume (Range) and
size / md5 checks, so ``dest`` only ever holds a complete, verified file.

    settings = http_settings(os.environ, config, cache_dir)
    with Fetcher(settings) as fetch:
        summary = fetch.get(ESUMMARY, {"db": "gene", "id": 7171, "retmode": "json"}).json()
        fetch.download(GENE_INFO_URL, cache_dir / "gene_info.gz", md5_url=GENE_INFO_URL + ".md5")
"""

from writer.http.cache import CachedResponse
from writer.http.download import DownloadResult, parse_md5
from writer.http.fetcher import Fetcher
from writer.http.retry import retry_after_seconds
from writer.http.settings import HttpSettings, http_settings, user_agent
from writer.http.transport import (
    SHARED_LIMITER,
    HostRateLimiter,
    MirrorTransport,
    make_client,
    rate_for,
)

__all__ = [
    "SHARED_LIMITER",
    "CachedResponse",
    "DownloadResult",
    "Fetcher",
    "HostRateLimiter",
    "HttpSettings",
    "MirrorTransport",
    "http_settings",
    "make_client",
    "parse_md5",
    "rate_for",
    "retry_after_seconds",
    "user_agent",
]
