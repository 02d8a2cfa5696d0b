"""Timings of `writer draft` (issue 4's figures).

1. Template draft of one gene from a cold process (`python -m writer.cli draft GENE`):
   target under 1.5 s.
2. Model draft against a scripted OpenAI-compatible endpoint (a real HTTP server on
   127.0.0.1) that answers each request after 300 ms: target under 1.5 s for the whole
   page, sections requested concurrently. Measured in-process and from a cold process.

    python3 benchmarks/draft_speed.py                 # the configured fact store, else a
    python3 benchmarks/draft_speed.py --gene NME1     #   one-gene synthetic store
    python3 benchmarks/draft_speed.py --runs 5 --delay 0.3

Each draft is written to a throwaway review queue. Prints one line per figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def _stats(times: list[float]) -> str:
    return (f"median {statistics.median(times):.3f} s, min {min(times):.3f} s, "
            f"max {max(times):.3f} s over {len(times)} runs")


def _cold(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "writer.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"writer {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return elapsed, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gene", default="MT1G")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--delay", type=float, default=0.3, help="scripted endpoint latency")
    opts = parser.parse_args()

    from test_draft_helpers import (
        LoopbackServer,
        Script,
        build_store,
        ok,
    )

    from writer.config import load_settings

    tmp = Path(tempfile.mkdtemp(prefix="draft-speed-"))
    env = dict(os.environ)
    for var in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "GENE_WRITER_MODEL"):
        env.pop(var, None)
    facts = load_settings().facts_path
    gene = opts.gene
    if not facts.exists():
        facts = build_store(tmp / "facts.sqlite")
        gene = "MT1G"
        print(f"no fact store configured: using a one-gene synthetic store ({facts})")
    env["GENE_WRITER_FACTS"] = str(facts)
    env["GENE_WRITER_QUEUE"] = str(tmp / "queue.sqlite")
    env["GENE_WRITER_HOME"] = str(tmp)
    print(f"fact store {facts}, gene {gene}")

    # Warm the OS file cache once (a cold *process*, not a cold disk).
    _cold(["draft", gene, "--date", "2025-01-17"], env)
    times = []
    code = 0
    for _ in range(opts.runs):
        t, code = _cold(["draft", gene, "--date", "2025-01-17"], env)
        times.append(t)
    print(f"template draft, cold process: {_stats(times)} (exit {code}; target < 1.5 s)")

    script = Script(ok(), delay=opts.delay)
    with LoopbackServer(script) as server:
        os.environ.update({k: env[k] for k in ("GENE_WRITER_FACTS", "GENE_WRITER_QUEUE",
                                               "GENE_WRITER_HOME")})
        os.environ["OPENAI_BASE_URL"] = server.base_url
        from writer.draft import draft_gene

        settings = load_settings()
        inproc = []
        sections = 0
        for _ in range(opts.runs):
            before = len(script.requests)
            start = time.perf_counter()
            result = draft_gene(settings, gene, model="scripted", date="2025-01-17")
            inproc.append(time.perf_counter() - start)
            sections = len(script.requests) - before
        fell_back = sum(r.fell_back for r in result.record.sections.values())
        print(f"model draft, scripted endpoint ({opts.delay * 1000:.0f} ms per request, "
              f"{sections} requests per page), in process: {_stats(inproc)} "
              f"(sections fell back: {fell_back}; target < 1.5 s)")
        env["OPENAI_BASE_URL"] = server.base_url
        cold = []
        for _ in range(opts.runs):
            t, code = _cold(["draft", gene, "--model", "scripted", "--date", "2025-01-17"], env)
            cold.append(t)
        print(f"model draft, scripted endpoint, cold process: {_stats(cold)} (exit {code})")


if __name__ == "__main__":
    main()
