"""How long the review queue page takes with 20,000 drafts in the queue.

    python benchmarks/queue_page.py [--drafts 20000] [--repeat 20]

Builds a temporary queue (drafts of ~6 kB, a third of them reviewed, some several times,
of two gene types, later drafts of a gene superseding its pending one as `writer draft` does),
then requests the queue page through the whole ASGI app (middleware, Jinja2, SQLite) with
Starlette's TestClient, and prints the median and worst time per page variant. The target
is under 300 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from starlette.testclient import TestClient

from writer.check.models import Finding
from writer.draft import DraftRecord, SectionRun
from writer.review.store import Queue
from writer.review.web import create_app

PARAGRAPH = (
    "The gene length is 1,033,041 base pairs (99.66th percentile), the mature length is "
    "1,506 base pairs, and the primary transcript length is 418,576 base pairs. "
)


def build(path: Path, n: int) -> None:
    rng = random.Random(7)
    with Queue.open(path) as q, q.transaction():
        for i in range(n):
            symbol = f"GENE{i % 4000:04d}"
            text = f"---\nlayout: post\ntitle: {symbol}\n---\n\n" + PARAGRAPH * 30
            findings = [
                Finding(claim="1,506", sentence="...", kind="length",
                        status="contradicted", reason="r", start=10, end=15)
            ] * rng.choice([0, 0, 0, 1, 2])
            draft_id = q.add_draft(DraftRecord(
                gene_id=100000 + i % 4000, symbol=symbol, text=text,
                factsheet_hash="sha256:0", prompt_hashes={"prompts/function.md": "sha256:1"},
                sections={"function": SectionRun(phraser="template")}, findings=findings,
                usage={"prompt_tokens": 0}, duration_s=0.1,
            ), gene_type="protein-coding" if i % 3 else "ncRNA", supersede=True)
            roll = rng.random()
            if roll < 0.15:
                q.add_review(draft_id, "edited", "ana", text + "edit", based_on=0)
            if roll < 0.25:
                q.add_review(draft_id, "accepted", "bob", text, based_on=q.version(draft_id))
            elif roll < 0.33:
                q.add_review(draft_id, "rejected", "bob", text, based_on=q.version(draft_id),
                             comment="no")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--drafts", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "queue.sqlite"
        t0 = time.perf_counter()
        build(path, args.drafts)
        print(f"built a queue of {args.drafts:,} drafts in {time.perf_counter() - t0:.1f} s "
              f"({path.stat().st_size / 1e6:.0f} MB)")

        def no_sheets(gene_id: int):  # the queue page never reads fact sheets
            raise AssertionError("not used")

        app = create_app(path, no_sheets, allowed_hosts=["testserver"])
        worst = 0.0
        with TestClient(app) as client:
            last = max(1, args.drafts // 50)
            for url in ["/", "/?status=pending", "/?status=open&page=20",
                        f"/?page={last}", "/?gene=GENE0042", "/?status=accepted&page=10",
                        "/?status=pending&findings=clean", "/?findings=flagged&page=40",
                        "/?status=pending&findings=clean&type=protein-coding&page=30",
                        "/?status=superseded&page=50"]:
                client.get(url)  # warm
                times = []
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    r = client.get(url)
                    times.append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 200, (url, r.status_code)
                worst = max(worst, max(times))
                print(f"  GET {url:<60} median {statistics.median(times):6.1f} ms   "
                      f"max {max(times):6.1f} ms")
    verdict = "under" if worst < 300 else "OVER"
    print(f"queue page with {args.drafts:,} drafts: worst {worst:.1f} ms ({verdict} 300 ms)")
    return 0 if worst < 300 else 1


if __name__ == "__main__":
    sys.exit(main())
