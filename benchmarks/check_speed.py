"""Timings of `writer check` (issue 3's figures), and what it finds on the reference pages.

1. `writer check PAGE --gene GENE` from a cold process (`python -m writer.cli check ...`):
   target under 1.5 s.
2. `writer.check(text, sheet)` in process, per page: target under 50 ms.

    python3 benchmarks/check_speed.py               # the configured fact store
    python3 benchmarks/check_speed.py --runs 10

3. Time against size (issue 15: linear below the `writer check` limit of 200 kB): in process,
   pages of about 10, 50, 100 and 200 kB, in three shapes a model or a paste could produce:
   the template page's sections repeated, one long paragraph, and one sentence without a stop.

Pages: the two old reference pages (../shared/reference-pages/MT1G.md, NME1.md) and the
template draft of each gene. Needs a fact store (`writer data sync`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference-pages"


def _stats(times: list[float], unit: str = "s") -> str:
    scale = 1000 if unit == "ms" else 1
    return (f"median {statistics.median(times) * scale:.1f} {unit}, "
            f"min {min(times) * scale:.1f} {unit}, max {max(times) * scale:.1f} {unit} "
            f"over {len(times)} runs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--genes", nargs="*", default=["MT1G", "NME1"])
    parser.add_argument("--sizes-only", action="store_true",
                        help="only the time-against-size table (3.)")
    opts = parser.parse_args()

    from writer.check import check
    from writer.check.checks import _vader
    from writer.check.readability import _pyphen
    from writer.config import load_settings
    from writer.draft import make_draft
    from writer.store import FactStore

    start = time.perf_counter()
    _vader(), _pyphen()
    print(f"loading VADER and Pyphen (once per process, on the first check): "
          f"{(time.perf_counter() - start) * 1000:.0f} ms")

    facts = load_settings().facts_path
    if not facts.exists():
        raise SystemExit(f"no fact store at {facts}: run `writer data sync` first")
    store = FactStore(facts)
    tmp = Path(tempfile.mkdtemp(prefix="check-speed-"))
    env = dict(os.environ, GENE_WRITER_FACTS=str(facts))
    print(f"fact store {facts}")

    for gene in [] if opts.sizes_only else opts.genes:
        sheet = store.sheet(store.resolve(gene))
        pages = {"template draft": make_draft(sheet, date="2025-01-17").page}
        ref = REFERENCE / f"{gene}.md"
        if ref.exists():
            pages["reference page"] = ref.read_text(encoding="utf-8")
        for label, text in pages.items():
            path = tmp / f"{gene}-{label.replace(' ', '-')}.md"
            path.write_text(text, encoding="utf-8")
            args = [sys.executable, "-m", "writer.cli", "check", str(path), "--gene", gene]
            subprocess.run(args, env=env, capture_output=True)  # warm the disk cache
            cold, code = [], 0
            for _ in range(opts.runs):
                start = time.perf_counter()
                proc = subprocess.run(args, env=env, capture_output=True, text=True)
                cold.append(time.perf_counter() - start)
                code = proc.returncode
                if code not in (0, 1):
                    raise SystemExit(f"writer check failed ({code}): {proc.stderr}")
            first_start = time.perf_counter()
            report = check(text, sheet)
            first = time.perf_counter() - first_start
            warm = []  # the same page again: the regex caches are warm
            for _ in range(max(opts.runs, 10)):
                start = time.perf_counter()
                report = check(text, sheet)
                warm.append(time.perf_counter() - start)
            statuses = Counter(f.status for f in report.findings)
            kinds = Counter(f.kind for f in report.findings)
            print(f"\n{gene} {label} ({len(text):,} characters): "
                  f"{report.claims_traced} of {report.claims_total} claims traced, "
                  f"{statuses['contradicted']} contradicted, {statuses['unverifiable']} "
                  f"unverifiable (exit {code})")
            if kinds:
                print("  findings by kind: "
                      + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
            print(f"  cold process `writer check`: {_stats(cold)} (target < 1.5 s)")
            print(f"  in process: first check of the page {first * 1000:.1f} ms, "
                  f"then {_stats(warm, 'ms')} (target < 50 ms)")

    _sizes(store, opts.genes[0], check, make_draft)


def _grown(page: str, part: str, size: int) -> str:
    """`page` followed by copies of `part` until it holds about `size` characters."""
    copies = max(0, (size - len(page)) // (len(part) + 2))
    return page + ("\n\n" + part) * copies


def _sizes(store, gene: str, check, make_draft) -> None:  # noqa: ANN001
    from writer.check.page import MAX_PAGE_BYTES

    sheet = store.sheet(store.resolve(gene))
    page = make_draft(sheet, date="2025-01-17").page
    body = page.split("\n---\n", 1)[1]
    prose = " ".join(line for line in body.splitlines()
                     if line and not line.startswith(("|", "#")))
    shapes = {
        "sections repeated": body,
        "one long paragraph": prose,
        "one sentence, no stop": prose.replace(".", ","),
    }
    sizes = [10_000, 50_000, 100_000, MAX_PAGE_BYTES - 1_000]
    check(page, sheet)
    print(f"\nCPU time against size, {gene} (in process; ms per kB should stay flat)")
    print("| shape | " + " | ".join(f"{s // 1000} kB" for s in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for name, part in shapes.items():
        cells = []
        for size in sizes:
            if name == "sections repeated":
                text = _grown(page, part, size)
            else:  # one paragraph: the copies joined by spaces, not blank lines
                text = page + "\n\n" + " ".join([part] * max(1, size // (len(part) + 1)))
            start = time.process_time()  # CPU time: a busy machine does not skew it
            check(text, sheet)
            took = time.process_time() - start
            cells.append(f"{took:.2f} s ({took * 1000 / (len(text) / 1000):.1f} ms/kB)")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
