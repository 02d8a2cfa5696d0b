"""Timings of `writer batch` (issue 13 item 5): export, and import round by round.

The first N protein-coding genes of the configured fact store are exported; a scripted
engine (``tests/batch_server.run_batch``, what ``vllm run-batch`` does) answers every
request with the template paragraph the prompt carries, except one section in ten, whose
answer invents a number each time (so it is re-asked in rounds 2 and 3, then replaced by
the template text). ``--fail P``: P% of round 1's requests fail with HTTP 500 (sent again
in round 2, unchanged). Each round's results are imported and timed; the drafts go to a
throwaway review queue and batch state.

    python3 benchmarks/batch_rounds.py              # 200 genes
    python3 benchmarks/batch_rounds.py --genes 1000 --jobs 2
    python3 benchmarks/batch_rounds.py --fail 5     # 5% of round 1 answered HTTP 500

Prints one line per figure: requests and seconds for the export, answers judged per second,
drafts queued, re-asks and failed requests sent again for each round's import.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--genes", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=1, help="import worker processes")
    parser.add_argument("--fail", type=float, default=0.0, metavar="P",
                        help="percent of round 1's requests answered HTTP 500")
    opts = parser.parse_args()

    from batch_server import run_batch
    from test_draft_helpers import Script, completion, good_answer

    from writer.batch import export, import_results
    from writer.bulk import genes_of_type
    from writer.config import load_settings
    from writer.store import FactStore

    facts = load_settings().facts_path
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["GENE_WRITER_HOME"] = str(Path(tmp) / "home")
        os.environ["GENE_WRITER_FACTS"] = str(facts)
        os.environ["GENE_WRITER_QUEUE"] = str(Path(tmp) / "queue.sqlite")
        settings = load_settings()
        genes = [gid for _, gid in genes_of_type(FactStore(facts), "protein-coding")]
        genes = genes[:opts.genes]

        round_ = 1

        def answer(body: dict, n: int):
            text = good_answer(body)
            user = body["messages"][1]["content"]
            if round_ == 1 and zlib.crc32(b"500" + user.encode()) % 10_000 < opts.fail * 100:
                return 500, {"error": {"message": "injected", "type": "server_error"}}, {}
            if zlib.crc32(user.encode()) % 10 == 0:  # one section in ten never gets it right
                text += " It has 4,817 known splice variants."
            return 200, completion(text), {}

        start = time.perf_counter()
        exported = export(settings, genes, out=Path(tmp) / "requests.jsonl", model="scripted")
        took = time.perf_counter() - start
        size = sum(p.stat().st_size for p, _ in exported.files)
        print(f"export: {exported.requests:,} requests of {exported.genes:,} genes in "
              f"{took:.1f} s ({exported.requests / took:,.0f} requests/s, "
              f"{size / 1e6:.1f} MB)")
        files = [p for p, _ in exported.files]
        for round_ in range(1, 10):
            results = [run_batch(Script(answer), f, f.with_suffix(".results")) for f in files]
            start = time.perf_counter()
            imported = import_results(settings, results, jobs=opts.jobs)
            took = time.perf_counter() - start
            flagged = sum(f for _, _, f, _ in imported.drafts)
            print(f"import round {round_}: {imported.answers:,} answers judged in {took:.1f} s "
                  f"({imported.answers / took:,.0f} answers/s); "
                  f"{len(imported.drafts):,} drafts queued ({flagged:,} flagged); "
                  f"{sum(n for _, n in imported.next_files) - sum(imported.resent.values()):,}"
                  f" re-asks and {sum(imported.resent.values()):,} failed requests sent again "
                  "in the next round")
            files = [p for p, _ in imported.next_files]
            if not files:
                break


if __name__ == "__main__":
    main()
