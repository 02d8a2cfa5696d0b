"""Figures for the online sources (issue 11). Prints; asserts nothing.

    python3 benchmarks/online_sync.py                     # all three figures
    python3 benchmarks/online_sync.py --latency 0.3 --papers 10000

1. **Whole-genome sync time**, estimated from request counts and the published rate limits:
   the bulk files are a handful of requests (their time is bytes / bandwidth, not rate);
   iCite needs one request per 1,000 distinct PMIDs at the default 5 requests/s (no limit is
   published). The gene2pubmed PMID count is measured in org.Hs.eg.db's copy of gene2pubmed
   (NCBI Gene 2022-09), the only copy on this machine; PubTator3's is bounded by all of
   PubMed. Interrupted, a sync resumes: downloads continue with Range, iCite records are
   committed per request and not asked again.
2. **One gene on demand** (``writer facts GENE --online`` with no bulk sync): the per-gene
   requests against the local mirror with ``--latency`` seconds added to every answer and
   the real rate limits (E-utilities 3/s without a key, PubTator3 3/s, others 5/s), for a
   gene with ``--papers`` linked papers (TP53 has about 10,000 in gene2pubmed).
3. **Bytes of a second sync with a warm cache**: the fixture sync twice through the mirror,
   wire bytes (status line, headers and body) of each pass as the server wrote them.
"""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import TEST_CACHE  # noqa: E402
from httpserver import MirrorServer  # noqa: E402
from online_fixtures import ONE_GENE, lay_out, sync_online  # noqa: E402

from writer.config import Settings  # noqa: E402
from writer.factsheet import FactSheet  # noqa: E402
from writer.http import Fetcher, HttpSettings  # noqa: E402
from writer.sources import online_sources  # noqa: E402
from writer.sources.icite import BATCH  # noqa: E402
from writer.sources.online import fetch_gene  # noqa: E402

ICITE_RATE = 5.0  # requests/s: no published limit, the HTTP layer's default
PUBMED_PMIDS = 38_000_000  # upper bound for PubTator3's papers: about all of PubMed (2025)


def orgdb_pmids() -> int | None:
    found = list((TEST_CACHE / "packages").glob("apt-r-bioc-org.hs.eg.db-*/unpacked/**/"
                                                 "org.Hs.eg.sqlite"))
    if not found:
        return None
    with sqlite3.connect(f"file:{found[0]}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT count(DISTINCT pubmed_id) FROM pubmed").fetchone()[0]


def whole_genome() -> None:
    print("1. whole-genome online sync, from request counts and rate limits")
    files = sum(len(s.files) for s in online_sources())
    print(f"   bulk files: {files} GETs (+{files} HEADs on a repeat sync); their time is "
          "size / bandwidth")
    pmids = orgdb_pmids()
    if pmids is None:
        print("   (org.Hs.eg.db not in the package cache: run `writer data sync` first)")
        return
    requests = math.ceil(pmids / BATCH)
    print(f"   gene2pubmed distinct PMIDs (org.Hs.eg.db, NCBI Gene 2022-09): {pmids:,} -> "
          f"{requests:,} iCite requests at {ICITE_RATE:g}/s = {requests / ICITE_RATE / 60:.1f} "
          "min")
    upper = math.ceil(PUBMED_PMIDS / BATCH)
    print(f"   PubTator3 PMIDs, at most all of PubMed (~{PUBMED_PMIDS:,}): {upper:,} requests "
          f"= {upper / ICITE_RATE / 3600:.2f} h (upper bound)")
    total = (requests + upper) / ICITE_RATE / 3600
    print(f"   total request time: at most {total:.2f} h, plus downloads; resumable")


def one_gene(latency: float, papers: int) -> None:
    print(f"2. one gene on demand, {latency:g} s added to every answer, {papers:,} papers")
    with tempfile.TemporaryDirectory() as tmp, MirrorServer(Path(tmp) / "up") as server:
        lay_out(server)
        pmids = [str(10_000_000 + i) for i in range(papers)]
        server.add(f"https://eutils.ncbi.nlm.nih.gov/entrez/eutils/elink.fcgi?id={ONE_GENE}",
                   json.dumps({"linksets": [{"dbfrom": "gene", "ids": [str(ONE_GENE)],
                               "linksetdbs": [{"dbto": "pubmed", "linkname": "gene_pubmed",
                                               "links": pmids}]}]}))
        server.delay_next(10_000, latency)
        settings = HttpSettings(mirror=server.url, email=None, ncbi_api_key=None,
                                cache_dir=Path(tmp) / "cache")
        sheet = FactSheet(gene_id=ONE_GENE, symbol="TPM4", facts={}, sources={})
        with Fetcher(settings) as fetcher:
            start = time.monotonic()
            fetch_gene(sheet, online_sources(), fetcher, Path(tmp) / "cache")
            cold = time.monotonic() - start
            count = len(server.requests)
            (Path(tmp) / "cache" / "online" / "genes" / f"{ONE_GENE}.json").unlink()
            start = time.monotonic()
            fetch_gene(sheet, online_sources(), fetcher, Path(tmp) / "cache")
            warm = time.monotonic() - start
        print(f"   first time: {cold:.2f} s, {count} requests "
              f"({math.ceil(papers / BATCH)} to iCite, Reactome's 3 files downloaded once)")
        print(f"   again after the day's cache expired: {warm:.2f} s, "
              f"{len(server.requests) - count} requests (iCite records and Reactome files "
              "reused)")


def second_sync() -> None:
    print("3. bytes a second sync transfers with a warm cache (fixture files)")
    with tempfile.TemporaryDirectory() as tmp, MirrorServer(Path(tmp) / "up") as server:
        lay_out(server)
        import os

        os.environ["GENE_WRITER_MIRROR"] = server.url
        home = Path(tmp) / "home"
        passes = []
        for name in ("first", "second"):
            settings = Settings(home=home, facts_path=home / f"{name}.sqlite",
                                queue_path=home / "q.sqlite", cache_dir=home / "cache")
            before = len(server.requests)
            sync_online(settings, TEST_CACHE)
            sent = server.requests[before:]
            passes.append((name, len(sent), sum(r.wire_bytes for r in sent),
                           sum(r.body_bytes for r in sent)))
        for name, n, wire, body in passes:
            print(f"   {name} sync: {n} requests, {wire:,} bytes on the wire ({body:,} body)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.3, help="seconds per answer")
    parser.add_argument("--papers", type=int, default=10_000, help="the gene's PMIDs")
    args = parser.parse_args()
    whole_genome()
    one_gene(args.latency, args.papers)
    second_sync()


if __name__ == "__main__":
    main()
