"""Figures for the HTTP cache (issue 11). Prints; asserts nothing.

    python3 benchmarks/http_cache.py                 # 50 responses of ~20 kB
    python3 benchmarks/http_cache.py --files 200 --size 100000 --rate-limited

Starts the test mirror (tests/httpserver.py) on 127.0.0.1, serves N E-utilities-like JSON
responses (the recorded TPM4 esummary, padded to --size), fetches them all through
``writer.http.Fetcher`` with an empty cache, then again. The second pass sends
If-None-Match and gets 304s. Bytes are counted by the server as written to the socket
(status line and headers included) and as body bytes alone. By default the per-host rate
limit is off (the server is local, not NCBI); --rate-limited keeps E-utilities' 3/s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from httpserver import MirrorServer  # noqa: E402

from writer.http import Fetcher, HostRateLimiter, HttpSettings  # noqa: E402

SAMPLE = Path("/work/shared/api-samples/ncbi_esummary_gene_7171.json")
ESUMMARY = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi"


def body_of(size: int) -> bytes:
    base = SAMPLE.read_bytes() if SAMPLE.exists() else b'{"result": {}}'
    return base + b" " * max(0, size - len(base))  # JSON stays valid: trailing whitespace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--size", type=int, default=20_000, help="bytes per response")
    parser.add_argument("--rate-limited", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, MirrorServer(Path(tmp) / "root") as server:
        body = body_of(args.size)
        for gene_id in range(1, args.files + 1):
            server.add(f"{ESUMMARY}?db=gene&id={gene_id}", body)
        settings = HttpSettings(mirror=server.url, email="bench@example.org",
                                ncbi_api_key=None, cache_dir=Path(tmp) / "cache")
        limiter = None if args.rate_limited else HostRateLimiter(sleep=lambda s: None)
        print(f"{args.files} responses of {len(body):,} bytes via {server.url}")
        print(f"{'pass':<24}{'requests':>9}{'statuses':>14}{'body bytes':>13}"
              f"{'wire bytes':>13}{'seconds':>9}")
        with Fetcher(settings, limiter=limiter) as fetcher:
            for label in ("1 (cold cache)", "2 (warm, conditional)"):
                seen = len(server.requests)
                start = time.perf_counter()
                for gene_id in range(1, args.files + 1):
                    fetcher.get(ESUMMARY, {"db": "gene", "id": gene_id})
                seconds = time.perf_counter() - start
                sent = server.requests[seen:]
                statuses = ",".join(sorted({str(r.status) for r in sent}))
                print(f"{label:<24}{len(sent):>9}{statuses:>14}"
                      f"{sum(r.body_bytes for r in sent):>13,}"
                      f"{sum(r.wire_bytes for r in sent):>13,}{seconds:>9.2f}")


if __name__ == "__main__":
    main()
