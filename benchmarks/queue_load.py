"""The review queue under load: concurrent writer processes plus web readers and savers.

    python benchmarks/queue_load.py [--writers 20] [--seconds 30] [--readers 4] [--savers 2]

Builds a queue of 300 drafts, starts ``writer review serve``'s app (uvicorn, its own process)
on it, and for ``--seconds`` runs ``--writers`` processes that each add drafts (one
transaction per draft, ~40 kB, like ``writer draft``) while ``--readers`` threads GET the
queue page and draft pages and ``--savers`` threads open a draft page and POST a rejection.
Then it counts what was lost: every draft id a writer saw committed and every save the web
answered 303 must be in the file. Prints p50 / p99 of the web GETs and POSTs, the answers'
status codes, and the writers' commits and busy refusals.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TEXT = "---\nlayout: post\ntitle: GENE\n---\n\n" + "The gene length is 1,336 base pairs. " * 1000


def record(i: int):  # noqa: ANN201 - a writer.draft.DraftRecord
    from writer.draft import DraftRecord

    return DraftRecord(gene_id=100000 + i % 4000, symbol=f"GENE{i % 4000:04d}",
                       text=TEXT + str(i), factsheet_hash="sha256:0")


def writer_main(path: str, seconds: float) -> None:
    """One writer process: add drafts until the time is up; print each committed id."""
    from writer.review.store import Queue

    try:
        from writer.errors import QueueBusy
    except ImportError:  # a gene-writer from before QueueBusy: SQLite's own error
        QueueBusy = sqlite3.OperationalError  # noqa: N806

    queue = Queue.open(path)
    end = time.monotonic() + seconds
    i = random.randrange(10**6)
    while time.monotonic() < end:
        i += 1
        try:
            draft_id = queue.add_draft(record(i))
        except QueueBusy:
            print("busy", flush=True)
            continue
        print(draft_id, flush=True)  # only after COMMIT returned


def serve_main(path: str, port: int) -> None:
    import uvicorn

    from writer.errors import NoFactStore
    from writer.review.web import LOOPBACK_HOSTS, create_app

    def no_sheets(gene_id: int):  # noqa: ANN202 - the pages show "no fact store"
        raise NoFactStore("benchmark")

    app = create_app(Path(path), no_sheets, allowed_hosts=LOOPBACK_HOSTS,
                     checker=lambda text, sheet: [])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--writers", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--readers", type=int, default=4)
    ap.add_argument("--savers", type=int, default=2)
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    from writer.review.store import Queue

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "queue.sqlite"
        with Queue.open(path) as q, q.transaction():
            for i in range(300):
                q.add_draft(record(i))
        port = free_port()
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(path), str(port)],
                                  env=env)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)

        writers = [subprocess.Popen([sys.executable, __file__, "--writer", str(path),
                                     str(args.seconds)], stdout=subprocess.PIPE, text=True,
                                    env=env) for _ in range(args.writers)]
        committed: list[int] = []
        busy = Counter[str]()
        lock = threading.Lock()

        def collect(proc: subprocess.Popen[str]) -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                with lock:
                    if line.strip() == "busy":
                        busy["writer"] += 1
                    else:
                        committed.append(int(line))

        collectors = [threading.Thread(target=collect, args=(w,)) for w in writers]
        for t in collectors:
            t.start()

        stop = time.monotonic() + args.seconds
        gets: list[float] = []
        posts: list[float] = []
        codes: Counter[str] = Counter()
        saved = Counter[int]()

        def reader() -> None:
            rng = random.Random()
            with httpx.Client(base_url=base, timeout=60) as c:
                while time.monotonic() < stop:
                    url = rng.choice(["/", "/?status=pending", f"/drafts/{rng.randint(1, 300)}"])
                    t = time.perf_counter()
                    r = c.get(url)
                    elapsed = (time.perf_counter() - t) * 1000
                    with lock:
                        gets.append(elapsed)
                        codes[f"GET {r.status_code}"] += 1

        def saver(n: int) -> None:
            rng = random.Random(n)
            with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as c:
                while time.monotonic() < stop:
                    draft_id = rng.randint(1, 300)
                    page = c.get(f"/drafts/{draft_id}").text
                    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
                    version = re.search(r'name="version" value="(\d+)"', page)
                    if not csrf or not version:
                        continue
                    form = {"csrf": csrf.group(1), "version": version.group(1),
                            "reviewer": f"saver{n}", "comment": "load test"}
                    t = time.perf_counter()
                    r = c.post(f"/drafts/{draft_id}/reject", data=form)
                    elapsed = (time.perf_counter() - t) * 1000
                    with lock:
                        posts.append(elapsed)
                        codes[f"POST {r.status_code}"] += 1
                        if r.status_code == 303:
                            saved[n] += 1

        clients = [threading.Thread(target=reader) for _ in range(args.readers)]
        clients += [threading.Thread(target=saver, args=(n,)) for n in range(args.savers)]
        for t in clients:
            t.start()
        for t in clients:
            t.join()
        for w in writers:
            w.wait()
        for t in collectors:
            t.join()
        server.terminate()
        server.wait()

        conn = sqlite3.connect(path)
        ids = {r[0] for r in conn.execute("SELECT id FROM drafts")}
        lost_drafts = [i for i in committed if i not in ids]
        dupes = len(committed) - len(set(committed))
        web_rows = {f"saver{n}": 0 for n in range(args.savers)}
        for reviewer, n in conn.execute("SELECT reviewer, count(*) FROM reviews GROUP BY 1"):
            web_rows[reviewer] = n
        lost_saves = sum(max(0, saved[n] - web_rows[f"saver{n}"]) for n in range(args.savers))
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        conn.close()

    print(f"{args.writers} writer processes for {args.seconds:.0f} s, {args.readers} web "
          f"readers, {args.savers} web savers")
    print(f"  writers: {len(committed):,} drafts committed, {busy['writer']} busy refusals, "
          f"{len(lost_drafts)} lost, {dupes} duplicated")
    print(f"  web saves answered 303: {sum(saved.values())}, lost: {lost_saves}")
    print(f"  web GET  n={len(gets):5d}  p50 {pct(gets, 0.5):7.1f} ms  "
          f"p99 {pct(gets, 0.99):7.1f} ms  max {max(gets, default=0):7.1f} ms")
    print(f"  web POST n={len(posts):5d}  p50 {pct(posts, 0.5):7.1f} ms  "
          f"p99 {pct(posts, 0.99):7.1f} ms  max {max(posts, default=0):7.1f} ms")
    print(f"  answers: {dict(sorted(codes.items()))}")
    print(f"  integrity_check: {integrity}")
    ok = not lost_drafts and not lost_saves and not dupes and integrity == "ok"
    print("rows lost: 0" if ok else "ROWS LOST OR FILE DAMAGED")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--writer":
        writer_main(sys.argv[2], float(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve_main(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(main())
