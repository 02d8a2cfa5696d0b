"""Recall of `writer check` per injected error kind, and false alarms on clean pages.

Clean pages: synthetic fact sheets written out by the tests' page builder (phrasing and
number formats varied), and, when a fact store is configured, real genes: their template
draft and a builder page of their sheet (sections the sheet lacks filled synthetically).
Each kind of error (``writer.evals.inject.KINDS``) is planted ``--tries`` times per page.

    python3 benchmarks/check_recall.py                       # 60 synthetic pages
    python3 benchmarks/check_recall.py --pages 200 --genes MT1G NME1 TP53 BRAF APOE
    python3 benchmarks/check_recall.py --pages 0 --drafts 150     # template drafts only

Prints the table, then the first misses and false alarms; exits 1 below the targets
(99% recall per kind, no false alarm).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

TARGET = 0.99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=60, help="synthetic clean pages")
    parser.add_argument("--tries", type=int, default=2, help="plantings per kind and page")
    parser.add_argument("--genes", nargs="*", default=["MT1G", "NME1", "TP53", "BRAF", "APOE"])
    parser.add_argument("--drafts", type=int, default=0,
                        help="also the template drafts of this many random protein-coding genes")
    opts = parser.parse_args()

    from check_pages import build_page, complete, synthetic_sheet

    from writer.evals.inject import describe, measure

    pages = []
    for seed in range(opts.pages):
        sheet = synthetic_sheet(seed)
        pages.append((build_page(sheet, random.Random(seed)), sheet))
    from writer.config import load_settings

    facts = load_settings().facts_path
    if facts.exists() and (opts.genes or opts.drafts):
        from writer.draft import make_draft
        from writer.store import FactStore

        store = FactStore(facts)
        for n, gene in enumerate(opts.genes):
            sheet = store.sheet(store.resolve(gene))
            pages.append((make_draft(sheet, date="2025-01-17").page, sheet))
            full = complete(sheet, n)
            pages.append((build_page(full, random.Random(n)), full))
        print(f"real genes from {facts}: {', '.join(opts.genes)}")
        if opts.drafts:
            ids = random.Random(0).sample(store.gene_ids("protein-coding"), opts.drafts)
            for sheet in store.sheets(ids):
                pages.append((make_draft(sheet, date="2025-01-17").page, sheet))
            print(f"and the template drafts of {opts.drafts} random protein-coding genes")
    start = time.perf_counter()
    m = measure(pages, tries=opts.tries)
    elapsed = time.perf_counter() - start
    checks = m.clean_pages + sum(r.planted for r in m.recall.values())
    print(f"{m.clean_pages} clean pages, {checks} checks in {elapsed:.1f} s\n")
    print(m.table())
    print()
    for kind, text in describe().items():
        print(f"- {kind}: {text}")
    for kind, r in m.recall.items():
        for expected, excerpt in r.missed[:2]:
            print(f"\nMISSED {kind}: {expected.claim!r} in ...{' '.join(excerpt.split())}...")
    for f in m.false_alarms[:5]:
        print(f"\nFALSE ALARM {f.kind} {f.claim!r}: {f.reason}")
    ok = not m.false_alarms and all(r.rate >= TARGET for r in m.recall.values())
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
