"""Figures for the fact layer (issue 2). Prints; asserts nothing.

    python3 benchmarks/facts_speed.py            # uses GENE_WRITER_HOME (or the default home)
    python3 benchmarks/facts_speed.py --no-sync  # skip the warm-cache sync timing

1. `writer data sync` from a warm cache: wall time and peak memory (max RSS of the
   sync process and its children).
2. `writer facts MT1G` from a cold process: wall time, best and median of 7.
3. Fact sheets of every protein-coding gene through the bulk API (`writer.facts_many`).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time

import writer
from writer.config import load_settings
from writer.store import FactStore


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-sync", action="store_true")
    args = parser.parse_args()
    settings = load_settings()
    writer_cmd = [sys.executable, "-m", "writer.cli"]

    if not args.no_sync:
        seconds = timed([*writer_cmd, "data", "sync"])
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(f"sync from warm cache: {seconds:.1f} s wall, peak RSS {peak_kib / 1024**2:.2f} GiB")

    runs = [timed([*writer_cmd, "facts", "MT1G"]) for _ in range(7)]
    print(f"writer facts MT1G (cold process): best {min(runs):.3f} s, "
          f"median {statistics.median(runs):.3f} s")

    store = FactStore(settings.facts_path)
    ids = store.gene_ids(gene_type="protein-coding")
    start = time.perf_counter()
    sheets = writer.facts_many([str(g) for g in ids], store=store)
    bulk = time.perf_counter() - start
    n_facts = sum(len(s.facts) for s in sheets)
    print(f"bulk: {len(sheets):,} protein-coding fact sheets ({n_facts:,} facts) "
          f"in {bulk:.1f} s ({len(sheets) / bulk:,.0f} sheets/s)")


if __name__ == "__main__":
    main()
