"""Whole-genome figures for the Replogle 2022 K562 Perturb-seq source (issue 12 item 5).
Prints; asserts nothing.

    python3 benchmarks/perturbseq_sync.py
    python3 benchmarks/perturbseq_sync.py --perturbations 11258 --genes 8248 --tfs 1600

The real ``K562_gwps_normalized_bulk_01.h5ad`` is not on this machine. Its dimensions, from
public code that reads it: 11,258 perturbations (obs rows) x 8,248 measured genes, a dense
float32 X (11,258 x 8,248 x 4 bytes = 371 MB; public scripts give the file as 358 to 375 MB).
A file of those dimensions is written here in the same layout (tests/h5ad_fixture.py), X
drawn from a normal distribution with sd 0.12 (the spread public code reports for the
matrix), and read through the sync's parser (``replogle2022.read_effects``) and fact writer
(``write_gene``) into a counter (no SQLite). ``--tfs`` perturbations are treated as TFs (GO
annotates about 1,600 human genes with DNA-binding TF activity or a term under it). Printed:
file size, rows, parse time (wall and CPU: on a shared 2-core machine the wall time includes
waiting for a core) and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from h5ad_fixture import write_h5ad  # noqa: E402

from writer.sources import replogle2022  # noqa: E402


class Counter:
    def __init__(self) -> None:
        self.facts = 0

    def add_fact(self, gene_id, key, value, *, source, links=()):  # noqa: ANN001, ANN201
        self.facts += 1


def write_file(path: Path, perturbations: int, genes: int) -> None:
    """The h5ad with X written in row blocks, so making it does not count as parsing it."""
    import h5py
    import numpy as np

    rng = np.random.default_rng(0)
    rows = [(f"G{i}", "P1P2", f"ENSG{i:011d}", int(rng.integers(0, 4000)))
            for i in range(perturbations)]
    measured = [(f"ENSG{i:011d}", f"G{i}") for i in range(genes)]
    write_h5ad(path, rows, measured, np.zeros((1, genes)))  # X replaced below, in blocks
    with h5py.File(path, "r+") as f:
        del f["X"]
        x = f.create_dataset("X", shape=(perturbations, genes), dtype="float32")
        for start in range(0, perturbations, 1024):
            stop = min(perturbations, start + 1024)
            x[start:stop] = rng.normal(0, 0.12, (stop - start, genes)).astype("float32")


def parse(path: Path, perturbations: int, tfs: int) -> None:
    """In a fresh process, so its peak memory is the parse's alone."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tf_of = {f"ENSG{i:011d}": i + 1 for i in range(0, perturbations,
                                                   max(1, perturbations // tfs))}
    wall, cpu = time.perf_counter(), time.process_time()
    effects, ensembl, _ = replogle2022.read_effects(path, tf_of)
    sink = Counter()
    for n, column in enumerate(sorted(effects)):
        replogle2022.write_gene(sink, -n - 1, effects[column])  # type: ignore[arg-type]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    pairs = sum(len(v) for v in effects.values())
    print(f"parse: {len(tf_of):,} TF perturbations read, {pairs:,} TF-gene pairs with "
          f"|z| >= {replogle2022.THRESHOLD} on {len(effects):,} of {len(ensembl):,} genes, "
          f"{sink.facts:,} facts; {wall:.1f} s wall, {cpu:.1f} s CPU")
    print(f"peak resident memory of the parsing process: {peak / 1024:,.0f} MB (after "
          f"imports: {before / 1024:,.0f} MB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--perturbations", type=int, default=11258)
    ap.add_argument("--genes", type=int, default=8248)
    ap.add_argument("--tfs", type=int, default=1600)
    ap.add_argument("--parse", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.parse:
        parse(args.parse, args.perturbations, args.tfs)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "K562_gwps_normalized_bulk_01.h5ad"
        t = time.perf_counter()
        write_file(path, args.perturbations, args.genes)
        print(f"synthetic file: {args.perturbations:,} perturbations x {args.genes:,} genes, "
              f"{path.stat().st_size / 1e6:,.1f} MB (written in {time.perf_counter() - t:.1f} s)")
        subprocess.run([sys.executable, __file__, "--parse", str(path), "--perturbations",
                        str(args.perturbations), "--tfs", str(args.tfs)], check=True)


if __name__ == "__main__":
    main()
