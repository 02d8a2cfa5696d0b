"""Redraft after a data release (issue 13 item 3): `writer data diff`, and a redraft run where
5% of the genes changed.

    python3 benchmarks/redraft.py                  # 2,000 protein-coding genes, 5% changed
    python3 benchmarks/redraft.py --genes 0        # all of them (about 20,600)

Needs the configured fact store (`writer data sync`); it is only read. How a release is
simulated: the store is copied twice into a throwaway home, "old" and "new"; in "new", every
20th of the N genes gets its gene length one base pair longer (the `structure.gene_length`
row, so its structure section changes and nothing else), then `writer.datadiff.record` writes
the digests a sync writes (new store's, and the old store's as the previous ones), exactly as
`writer data sync` does before it replaces the old store. Figures:

1. the digests a sync records (`datadiff.record`, the whole genome, both stores): seconds;
2. `writer data diff` of the whole genome: wall time of the command, from a cold process;
3. `writer draft --file F --jobs 2` of the N genes on the old store, then `writer review
   accept --clean`; then, on the new store, the same `writer draft` again: the redraft's wall
   time, how many genes were drafted and skipped, and how many sections were kept from the
   accepted page against phrased again.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTEIN_CODING = "protein-coding"
sys.path.insert(0, str(ROOT / "benchmarks"))
from genome_scale import _load, _run  # noqa: E402  (one way to time a writer command)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--genes", type=int, default=2000, help="protein-coding genes (0: all)")
    ap.add_argument("--every", type=int, default=20, help="change every Nth gene (20: 5%%)")
    ap.add_argument("--jobs", type=int, default=2)
    opts = ap.parse_args()

    from writer import datadiff
    from writer.config import load_settings
    from writer.store import FactStore

    facts = load_settings().facts_path
    every = FactStore(facts).gene_ids(PROTEIN_CODING)
    genes = every if opts.genes == 0 else every[:opts.genes]
    changed = genes[::opts.every]
    tmp = Path(tempfile.mkdtemp(prefix="redraft-"))
    old, new = tmp / "old.sqlite", tmp / "new.sqlite"
    shutil.copyfile(facts, old)
    shutil.copyfile(facts, new)
    conn = sqlite3.connect(new)
    with conn:
        before = conn.total_changes
        conn.executemany("UPDATE facts SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT), "
                         "num = num + 1 WHERE gene_id = ? AND key = 'structure.gene_length'",
                         [(g,) for g in changed])
        really = conn.total_changes - before
    conn.close()
    print(f"fact store {facts}; {len(genes):,} protein-coding genes, {len(changed):,} "
          f"({100 / opts.every:.0f}%) with a changed gene length; {_load()}")

    start, cpu = time.perf_counter(), time.process_time()
    datadiff.record(old, None)
    datadiff.record(new, old)
    print(f"1. digests a sync records, both stores (whole genome): "
          f"{time.perf_counter() - start:.1f} s wall, {time.process_time() - cpu:.1f} s CPU; "
          f"{_load()}")

    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "GENE_WRITER_MODEL")}
    env.update(GENE_WRITER_HOME=str(tmp), GENE_WRITER_QUEUE=str(tmp / "queue.sqlite"),
               GENE_WRITER_REVIEWER="bench", PYTHONPATH=str(ROOT))
    seconds, out = _run(["data", "diff", "--json"], {**env, "GENE_WRITER_FACTS": str(new)},
                        stderr=False)
    report = json.loads(out)
    print(f"2. writer data diff: {seconds:.2f} s wall; {report['genes_changed']:,} of "
          f"{report['genes']:,} genes changed, sections {report['sections']} "
          f"(rows updated: {really:,}); {_load()}")

    listing = tmp / "genes.txt"
    listing.write_text("\n".join(map(str, genes)) + "\n")
    draft = ["draft", "--file", str(listing), "--jobs", str(opts.jobs), "--json"]
    seconds, _ = _run(draft, {**env, "GENE_WRITER_FACTS": str(old)}, stderr=False)
    _, accepted = _run(["review", "accept", "--clean"], {**env, "GENE_WRITER_FACTS": str(old)},
                       stderr=False)
    print(f"   first drafts of {len(genes):,} genes: {seconds:.1f} s; accept --clean: "
          f"{accepted.splitlines()[-1] if accepted else ''}")
    seconds, out = _run(draft, {**env, "GENE_WRITER_FACTS": str(new)}, stderr=False)
    counts = json.loads(out)["counts"]
    kept = phrased = 0
    with sqlite3.connect(tmp / "queue.sqlite") as q:
        for (sections,) in q.execute("SELECT sections FROM drafts WHERE redraft_of IS NOT NULL"):
            for run in json.loads(sections).values():
                kept += run.get("reused_from") is not None
                phrased += run.get("reused_from") is None
    drafted = counts["clean"] + counts["flagged"]
    print(f"3. redraft of {len(genes):,} genes on the new store: {seconds:.1f} s wall; "
          f"{drafted:,} drafted ({counts['flagged']:,} flagged), {counts['skipped']:,} skipped; "
          f"in the redrafts {kept:,} sections kept from the accepted page, {phrased:,} phrased "
          f"again; {_load()}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
