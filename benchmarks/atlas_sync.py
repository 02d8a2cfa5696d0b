"""Whole-genome figures for the Human Protein Atlas and TFLink bulk files (issue 12). Prints;
asserts nothing.

    python3 benchmarks/atlas_sync.py
    python3 benchmarks/atlas_sync.py --hpa-genes 20162 --hpa-columns 100 --tflink-rows 1000000

No whole file is on this machine, so each is made synthetically in its recorded (or assumed,
for HPA) format from the test fixtures' rows, with fresh identifiers, and timed through the
same parser and fact writer a sync uses (``hpa.read_atlas`` + ``hpa.write_gene``,
``tflink.read_interactions`` + ``tflink.ranked``) into a collector (no SQLite). Printed: the
file's size (compressed as published and plain), its rows, and the parse time; TFLink's time
is also scaled linearly to ``--tflink-genome-rows``. Wall time and CPU time are both printed:
on a shared 2-core machine the wall time includes waiting for a core.

Assumptions, stated because nothing recorded gives them: the atlas has ``--hpa-genes`` rows
(v24 lists about 20,000 genes) and ``--hpa-columns`` columns (the bulk TSV has many more than
the 15 read: per-tissue and per-cell-type values, antibodies, prognostics); TFLink's human
"All" file has ``--tflink-genome-rows`` rows (pass the real count when known).
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from writer.sources import hpa, tflink  # noqa: E402
from writer.sources.online import FactCollector  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "online"
HPA_FIXTURE = FIXTURES / "v24.proteinatlas.org" / "download" / "tsv" / "proteinatlas.tsv"
TFLINK_FIXTURE = next((FIXTURES / "cdn.netbiol.org").rglob("*.tsv"))


class Sink(FactCollector):
    """Keeps the facts of every gene (a collector keeps one)."""

    def __init__(self) -> None:
        super().__init__(0)
        self.count = 0

    def add_fact(self, gene_id, key, value, *, source, links=()):  # noqa: ANN001, ANN201
        self.count += 1


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def hpa_figures(genes: int, width: int, work: Path) -> None:
    header, *rows = HPA_FIXTURE.read_text().rstrip("\n").split("\n")
    names = header.split("\t")
    extra = [f"Extra column {i}" for i in range(max(0, width - len(names)))]
    rng = random.Random(1)
    plain = work / "proteinatlas.tsv"
    with plain.open("w") as fh:
        fh.write("\t".join(names + extra) + "\n")
        for n in range(genes):
            cells = rows[n % len(rows)].split("\t")
            cells[names.index("Ensembl")] = f"ENSG{n:011d}"
            cells[names.index("Gene")] = f"G{n}"
            fh.write("\t".join(cells + [f"{rng.random():.4f};" * 6 for _ in extra]) + "\n")
    zipped = work / "proteinatlas.tsv.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(plain, "proteinatlas.tsv")
    sink = Sink()
    start, cpu = time.perf_counter(), time.process_time()
    for n, row in enumerate(hpa.read_atlas(zipped)):
        hpa.write_gene(sink, n, row)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"Human Protein Atlas proteinatlas.tsv (synthetic, {len(names + extra)} columns): "
          f"{genes:,} rows, {_mb(zipped.stat().st_size)} zipped, "
          f"{_mb(plain.stat().st_size)} plain; read from the zip and {sink.count:,} facts "
          f"written in {took:.1f} s ({cpu:.1f} s CPU)")


def tflink_figures(rows_wanted: int, genome_rows: int, work: Path) -> None:
    header, *rows = TFLINK_FIXTURE.read_text().rstrip("\n").split("\n")
    rng = random.Random(2)
    plain = work / "tflink.tsv"
    with plain.open("w") as fh:
        fh.write(header + "\n")
        for n in range(rows_wanted):
            cells = rows[n % len(rows)].split("\t")
            if cells[2] != "-":
                cells[2] = str(rng.randint(1, 1600))  # about 1,600 human TFs
            cells[3] = str(rng.randint(1, 20000))
            cells[4] = f"TF{cells[2]}"
            fh.write("\t".join(cells) + "\n")
    packed = work / "tflink.tsv.gz"
    with plain.open("rb") as src, gzip.open(packed, "wb") as dst:
        dst.write(src.read())
    start, cpu = time.perf_counter(), time.process_time()
    by_target = tflink.read_interactions(packed)
    pairs = sum(len(v) for v in by_target.values())
    for tfs in by_target.values():
        tflink.ranked(tfs)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    scale = genome_rows / rows_wanted
    print(f"TFLink human All simpleFormat (synthetic): {rows_wanted:,} rows, "
          f"{_mb(packed.stat().st_size)} gzipped, {_mb(plain.stat().st_size)} plain; "
          f"{pairs:,} ChIP pairs of {len(by_target):,} genes ranked in {took:.1f} s "
          f"({cpu:.1f} s CPU)")
    print(f"  scaled to {genome_rows:,} rows: about {_mb(int(packed.stat().st_size * scale))} "
          f"gzipped and {took * scale:.0f} s ({cpu * scale:.0f} s CPU; linear)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hpa-genes", type=int, default=20162)
    parser.add_argument("--hpa-columns", type=int, default=100)
    parser.add_argument("--tflink-rows", type=int, default=1_000_000)
    parser.add_argument("--tflink-genome-rows", type=int, default=6_700_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        hpa_figures(args.hpa_genes, args.hpa_columns, Path(tmp))
        tflink_figures(args.tflink_rows, args.tflink_genome_rows, Path(tmp))


if __name__ == "__main__":
    main()
