"""Whole-genome estimate for the GWAS Catalog source (issue 12 item 2). Prints; asserts nothing.

    python3 benchmarks/gwas_parse.py                       # 200,000 rows, 30,000 Mondo terms
    python3 benchmarks/gwas_parse.py --rows 1000000 --terms 60000

The full ``gwas-catalog-associations_ontology-annotated.tsv`` and ``mondo.obo`` are not on
this machine (no network), so both are synthesised in their recorded formats: every row is
the recorded 38-column row (``shared/api-samples/gwas_catalog_associations_ontology-
annotated_rs1329573.tsv``, via the test fixture) with its gene, trait, URI, p-value and
study varied, a tenth of the rows intergenic (``A - B``), a tenth multi-SNP (``A; A``) and
a twentieth with two trait URIs; Mondo terms form a tree of fan-out 4, a third of them
with a second parent, and an EFO ``xref`` on a third of them. It times what ``load`` does
before writing facts: reading the associations file into per-gene tallies, reading the
ontology, then the per-gene disease/category split. Bytes and seconds per row scale to
the whole file from its row count (about a million associations: an estimate, not
measured here).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from writer.sources import gwas_catalog as g  # noqa: E402
from writer.sources.online import FactCollector  # noqa: E402

FIXTURE = ROOT / "tests/fixtures/online/www.ebi.ac.uk/gwas/api/search/downloads/alternative"


def write_associations(path: Path, rows: int, genes: int, traits: int, rng: random.Random) -> None:
    with FIXTURE.open(newline="") as fh:
        table = list(csv.reader(fh, delimiter="\t"))
    header, template = table[0], table[1]
    col = {name: i for i, name in enumerate(header)}
    with path.open("w", newline="") as out:
        w = csv.writer(out, delimiter="\t", lineterminator="\n")
        w.writerow(header)
        for n in range(rows):
            row = list(template)
            a, b = f"GENE{rng.randrange(genes)}", f"GENE{rng.randrange(genes)}"
            roll = rng.random()
            row[col["MAPPED_GENE"]] = f"{a} - {b}" if roll < 0.1 else (
                f"{a}; {a}" if roll < 0.2 else a)
            t1, t2 = rng.randrange(traits), rng.randrange(traits)
            uri = f"http://purl.obolibrary.org/obo/MONDO_{t1:07d}"
            if rng.random() < 0.05:
                row[col["MAPPED_TRAIT"]] = f"trait {t1}, trait {t2}"
                row[col["MAPPED_TRAIT_URI"]] = f"{uri}, http://www.ebi.ac.uk/efo/EFO_{t2:07d}"
            else:
                row[col["MAPPED_TRAIT"]] = f"trait {t1}"
                row[col["MAPPED_TRAIT_URI"]] = uri
            row[col["P-VALUE"]] = f"{rng.randint(1, 9)}E-{rng.randint(6, 300)}"
            row[col["STUDY ACCESSION"]] = f"GCST{rng.randrange(100_000):06d}"
            row[col["SNPS"]] = f"rs{n}"
            w.writerow(row)


def write_mondo(path: Path, terms: int, rng: random.Random) -> None:
    lines = ["format-version: 1.2", "data-version: releases/2026-10-06", "ontology: mondo", ""]
    for t in range(terms):
        lines += ["[Term]", f"id: MONDO:{t:07d}", f"name: trait {t}"]
        if t:  # a tree of fan-out 4 (about 8 levels deep), a third of the terms with 2 parents
            up = (t - 1) // 4
            parents = {up, max(0, up - 1)} if rng.random() < 0.3 else {up}
            for parent in parents:
                lines.append(f"is_a: MONDO:{parent:07d} ! trait {parent}")
        if t % 3 == 0:
            lines.append(f'xref: EFO:{t:07d} {{source="MONDO:equivalentTo"}}')
        lines.append("")
    path.write_text("\n".join(lines))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--genes", type=int, default=20_000)
    ap.add_argument("--terms", type=int, default=30_000)
    args = ap.parse_args()
    rng = random.Random(12)
    with tempfile.TemporaryDirectory() as tmp:
        assoc, mondo = Path(tmp) / "alternative", Path(tmp) / "mondo.obo"
        write_associations(assoc, args.rows, args.genes, args.terms, rng)
        write_mondo(mondo, args.terms, rng)
        size = assoc.stat().st_size
        t0 = time.perf_counter()
        tallies = g.read_associations(assoc)
        t1 = time.perf_counter()
        onto = g.read_obo(mondo)
        t2 = time.perf_counter()
        sink = FactCollector(0)
        for symbol, tally in tallies.items():
            g.write_gene(sink, 0, symbol, tally, onto)
            sink.facts.clear()
        t3 = time.perf_counter()
    per_row = (t1 - t0) / args.rows
    print(f"associations file: {args.rows:,} rows, {size / 1e6:.1f} MB "
          f"({size / args.rows:.0f} bytes a row), {len(tallies):,} genes")
    print(f"  read into tallies: {t1 - t0:.2f} s ({per_row * 1e6:.1f} us a row)")
    print(f"mondo.obo: {args.terms:,} synthetic terms read in {t2 - t1:.2f} s")
    print(f"diseases, traits and categories of {len(tallies):,} genes: {t3 - t2:.2f} s")
    for rows in (1_000_000, 1_100_000):
        print(f"scaled to {rows:,} rows: {size / args.rows * rows / 1e6:,.0f} MB, "
              f"read {per_row * rows:.0f} s (one core; the parse is single-threaded)")


if __name__ == "__main__":
    main()
