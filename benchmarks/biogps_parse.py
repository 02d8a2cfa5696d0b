"""Whole-genome estimate for the BioGPS source (issue 12 item 6). Prints; asserts nothing.

    python3 benchmarks/biogps_parse.py                 # the real file's shape: 44,775 x 85
    python3 benchmarks/biogps_parse.py --rows 10000

Neither ``gnf1h-gcrma.zip`` nor GPL96's table is on this machine (no network), so both are
synthesised in the formats ``writer/sources/biogps.py`` reads, at the size SOURCES.md
section 17 records for the atlas: 44,775 probe rows x 85 columns (the probe ID and 84
samples: the 8 recorded names, then made-up ones), values drawn log-normally around the
recorded table median (6.9) with a tail to about 46,000 (the recorded maximum), written with
two decimals and quoted names as R's ``write.csv`` would (assumed), and zipped. GPL96 gets
U133A's 22,283 probes (the other rows are GNF1B probes with no GPL96 row, as the real file's
are presumed to be), about 13,000 genes, 5% of the probes annotated to two genes. It times
what ``load`` does before writing facts: reading GPL96, reading the zipped atlas (every row
parsed and checked), and choosing each gene's samples.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from writer.sources import biogps  # noqa: E402

U133A_PROBES = 22_283


def sample_names(n: int) -> list[str]:
    recorded = list(biogps.TISSUES_RECORDED)
    return recorded + [f"Sample{i}" for i in range(len(recorded) + 1, n + 1)]


def write_atlas(path: Path, rows: int, samples: list[str], rng: random.Random) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("U133AGNF1B.gcrma.avg.csv", "w") as raw:
        raw.write(('"",' + ",".join(f'"{s}"' for s in samples) + "\n").encode())
        for n in range(rows):
            probe = f"{n}_at" if n < U133A_PROBES else f"gnf1h{n:05d}_at"
            level = rng.lognormvariate(2.0, 1.6)  # the probe's level: most near background
            values = ",".join(f"{min(46508.0, max(0.55, level * rng.lognormvariate(0, 0.8))):.2f}"
                              for _ in samples)
            raw.write(f'"{probe}",{values}\n'.encode())


def write_platform(path: Path, genes: int, rng: random.Random) -> None:
    lines = ["#ID = Affymetrix Probe Set ID", "#ENTREZ_GENE_ID = Entrez Gene identifier",
             "ID\tGB_ACC\tGene Title\tGene Symbol\tENTREZ_GENE_ID"]
    for n in range(U133A_PROBES):
        roll = rng.random()
        if roll < 0.03:
            gene, symbol = "", ""
        elif roll < 0.08:
            a, b = rng.randrange(1, genes), rng.randrange(1, genes)
            gene, symbol = f"{a} /// {b}", f"G{a} /// G{b}"
        else:
            a = rng.randrange(1, genes)
            gene, symbol = str(a), f"G{a}"
        lines.append(f"{n}_at\tX{n}\ttitle\t{symbol}\t{gene}")
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=44_775)
    ap.add_argument("--samples", type=int, default=84)
    ap.add_argument("--genes", type=int, default=13_000)
    args = ap.parse_args()
    rng = random.Random(12)
    samples = sample_names(args.samples)
    with tempfile.TemporaryDirectory() as tmp:
        atlas, platform = Path(tmp) / "gnf1h-gcrma.zip", Path(tmp) / "GPL96.txt"
        t = time.perf_counter()
        write_atlas(atlas, args.rows, samples, rng)
        write_platform(platform, args.genes, rng)
        made = time.perf_counter() - t
        with zipfile.ZipFile(atlas) as z:
            unpacked = z.infolist()[0].file_size
        print(f"synthetic atlas: {args.rows:,} rows x {len(samples) + 1} columns, "
              f"{unpacked / 1e6:.1f} MB unpacked, {atlas.stat().st_size / 1e6:.1f} MB zipped; "
              f"GPL96 {platform.stat().st_size / 1e6:.1f} MB ({made:.1f} s to write)")
        t0 = time.perf_counter()
        probes, several = biogps.read_platform(platform)
        t1 = time.perf_counter()
        names, best, rows = biogps.read_atlas(atlas, probes)
        t2 = time.perf_counter()
        chosen = {gid: biogps.top_samples(names, probe) for gid, probe in best.items()}
        t3 = time.perf_counter()
        with_samples = sum(1 for v in chosen.values() if v)
        print(f"GPL96: {len(probes):,} single-gene probes ({several:,} multi-gene skipped) in "
              f"{t1 - t0:.2f} s")
        print(f"atlas: {rows:,} rows in {t2 - t1:.2f} s ({rows / (t2 - t1):,.0f} rows/s); "
              f"{len(best):,} genes with a probe")
        print(f"samples at {biogps.FOLD:g}x median: {with_samples:,} genes in {t3 - t2:.2f} s")
        print(f"total before writing facts: {t3 - t0:.2f} s")


if __name__ == "__main__":
    main()
