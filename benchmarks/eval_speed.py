"""Timings of `writer eval` (issue 6's figure: the offline suite on 25+ genes in under 2 min).

1. The offline suite (template phraser) on the whole panel, from a cold process.
2. The same against ``evals/flawed_endpoint.py`` (every section re-asked twice, then
   replaced by its template), from a cold process.

    python3 benchmarks/eval_speed.py              # the configured fact store
    python3 benchmarks/eval_speed.py --runs 3 --no-flawed

Prints one line per figure with the run's headline metrics. Drafts are not queued.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 120.0


def run(args: list[str]) -> tuple[float, int, dict]:
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, timeout=1800, env=dict(os.environ))
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return elapsed, proc.returncode, json.loads(proc.stdout)


def line(label: str, times: list[float], code: int, report: dict) -> str:
    o = report["overall"]
    acc = "n/a" if o["acceptance"] is None else f"{100 * o['acceptance']:.1f}%"
    return (f"{label}: median {statistics.median(times):.1f} s over {len(times)} runs "
            f"(in-process {o['seconds']:.1f} s, {o['genes']} genes, "
            f"{o['seconds_per_gene']:.2f} s/gene; exit {code}; grounding "
            f"{100 * o['grounding']:.1f}%, recall {100 * o['recall']:.1f}% "
            f"({o['caught']}/{o['planted']}), acceptance {acc}, re-asks {o['reasks']}, "
            f"tokens {o['tokens']:,}, untraced claims on pages {o['page_findings']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--no-flawed", action="store_true", help="skip the flawed endpoint")
    opts = parser.parse_args()
    for var in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "GENE_WRITER_MODEL"):
        os.environ.pop(var, None)
    eval_cmd = [sys.executable, "-m", "writer.cli", "eval", "--json"]
    times, code, report = [], 0, {}
    for _ in range(opts.runs):
        t, code, report = run(eval_cmd)
        times.append(t)
    print(line("offline suite, cold process", times, code, report) +
          f"; target < {TARGET_S:.0f} s")
    if opts.no_flawed:
        return
    flawed = [sys.executable, str(ROOT / "evals" / "flawed_endpoint.py"), "--",
              *eval_cmd, "--model", "flawed"]
    times = []
    for _ in range(opts.runs):
        t, code, report = run(flawed)
        times.append(t)
    print(line("flawed endpoint, cold process", times, code, report) + "; expected exit 1")


if __name__ == "__main__":
    main()
