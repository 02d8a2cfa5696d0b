"""Cross-checks: small stores on the real ideogram data, with disagreements planted.

The identity rows stand in for org.Hs.eg.db (1-based coordinates, as the identity source
writes them). MT1G's true org.Hs.eg.db location is -56666729 (0-based UCSC start) to
-56668065, i.e. 56,666,730-56,668,065, the same span as Ensembl 110: the planted error
forgets the 0-based conversion and must show up as 1,337 bp against 1,336 bp.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from writer import crosscheck
from writer.crosscheck import Span
from writer.progress import QUIET
from writer.sources import ideogram
from writer.sources.ideogram import Band
from writer.sources.packages import fetch
from writer.store import FactStore, StoreBuilder

MT1G_RIGHT = (4495, "MT1G", "metallothionein 1G", "protein-coding", "16", "16q13",
              56666730, 56668065, "-")
MT1G_OFF_BY_ONE = MT1G_RIGHT[:6] + (56666729, 56668065, "-")
NME1_WRONG_BAND = (4830, "NME1", "NME/NM23 nucleoside diphosphate kinase 1", "protein-coding",
                   "17", "16q13", 51153559, 51162168, "+")
TP53 = (7157, "TP53", "tumor protein p53", "protein-coding", "17", "17p13.1",
        7668402, 7687550, "-")
BRAF_NO_COORDS = (673, "BRAF", "B-Raf proto-oncogene, serine/threonine kinase",
                  "protein-coding", "7", "7q34", None, None, None)


@pytest.fixture(scope="module")
def unpacked_ideogram(package_cache: Path) -> dict[str, Path]:
    """The ideogram source's packages, fetched with their registries' clients."""
    return {pkg.name: fetch(pkg, package_cache) for pkg in ideogram.SOURCE.packages}


@pytest.fixture(scope="module")
def bands(unpacked_ideogram: dict[str, Path]) -> dict[str, list[Band]]:
    root = unpacked_ideogram[ideogram.IDEOGRAM.name]
    out: dict[str, list[Band]] = defaultdict(list)
    for band in ideogram.read_bands(root / ideogram.BANDS_FILE):
        out[band.chromosome].append(band)
    return dict(out)


def build(path: Path, identity: list[tuple], ensembl: dict[int, str],
          unpacked: dict[str, Path]) -> StoreBuilder:
    builder = StoreBuilder(path)
    builder.add_genes(identity)
    builder.add_names([(row[1], row[0], "symbol") for row in identity])
    builder.add_names([(ens, gid, "ensembl") for gid, ens in ensembl.items()])
    for gid, ens in ensembl.items():
        builder.add_fact(gid, "identity.ensembl_id", ens, source="test")
    for row in identity:
        builder.add_fact(row[0], "identity.band", row[5], source="test")
    ideogram.load(builder, unpacked, QUIET)
    crosscheck.run(builder)
    return builder


def checks(builder: StoreBuilder, gene_id: int, name: str) -> list[tuple[str, str, str]]:
    return builder.conn.execute(
        "SELECT key, status, detail FROM checks WHERE gene_id=? AND name=? ORDER BY key",
        (gene_id, name),
    ).fetchall()


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory,
            unpacked_ideogram: dict[str, Path]) -> StoreBuilder:
    identity = [MT1G_OFF_BY_ONE, NME1_WRONG_BAND, TP53, BRAF_NO_COORDS]
    ensembl = {4495: "ENSG00000125144", 4830: "ENSG00000239672", 7157: "ENSG00000141510",
               673: "ENSG00000000000"}  # BRAF: not the Ensembl 110 ID, BRAF mapped by symbol
    return build(tmp_path_factory.mktemp("planted") / "facts.sqlite", identity, ensembl,
                 unpacked_ideogram)


def test_gene_length_disagreement_shows_both_values(planted: StoreBuilder) -> None:
    assert checks(planted, 4495, crosscheck.GENE_LENGTH) == [(
        "structure.gene_length", "disagree",
        "Ensembl 110: 1,336 bp (chr16:56,666,730-56,668,065); "
        "org.Hs.eg.db (UCSC, 2022-08-31): 1,337 bp (chr16:56,666,729-56,668,065)",
    )]


def test_gene_length_of_different_gene_models_disagrees(planted: StoreBuilder) -> None:
    # Ensembl's TP53 gene spans all its transcripts; UCSC's models are shorter
    [(key, status, detail)] = checks(planted, 7157, crosscheck.GENE_LENGTH)
    assert status == "disagree"
    assert detail.startswith("Ensembl 110: 25,760 bp (chr17:7,661,779-7,687,538)")


def test_no_gene_length_check_without_coordinates(planted: StoreBuilder) -> None:
    assert checks(planted, 673, crosscheck.GENE_LENGTH) == []


def test_wrong_band_is_recorded(planted: StoreBuilder) -> None:
    [(key, status, detail)] = checks(planted, 4830, crosscheck.BAND)
    assert (key, status) == ("identity.band", "disagree")
    assert detail == (
        "16q13 = chr16:56,000,001-57,300,000 (GRCh38 850-band ideogram); "
        "org.Hs.eg.db (UCSC, 2022-08-31): chr17:51,153,559-51,162,168, in 17q21.33"
    )


def test_right_band_agrees(planted: StoreBuilder) -> None:
    [(key, status, detail)] = checks(planted, 7157, crosscheck.BAND)
    assert (key, status) == ("identity.band", "agree")
    assert "in 17p13.1" in detail


def test_band_falls_back_to_ensembl_coordinates(planted: StoreBuilder) -> None:
    [(_key, status, detail)] = checks(planted, 673, crosscheck.BAND)
    assert status == "agree"
    assert "Ensembl 110: chr7:140,719,327-140,924,929, in 7q34" in detail


def test_ensembl_id_disagreement(planted: StoreBuilder) -> None:
    assert checks(planted, 673, crosscheck.ENSEMBL_ID) == [(
        "identity.ensembl_id", "disagree",
        "ideogram (Ensembl 110): ENSG00000157764; org.Hs.eg.db: ENSG00000000000",
    )]
    assert checks(planted, 4495, crosscheck.ENSEMBL_ID)[0][1] == "agree"


def test_length_order_agrees_on_real_data(planted: StoreBuilder) -> None:
    rows = checks(planted, 4495, crosscheck.LENGTH_ORDER)
    assert [(k, s) for k, s, _ in rows] == [
        ("structure.gene_length", "agree"), ("structure.mature_length", "agree"),
        ("structure.primary_transcript_length", "agree")]
    assert rows[0][2] == "mature 410 bp, primary transcript 1,336 bp, gene 1,336 bp"


def test_scratch_tables_are_dropped(planted: StoreBuilder) -> None:
    tables = {n for (n,) in planted.conn.execute("SELECT name FROM sqlite_master")}
    assert not tables & {ideogram.GENES_TABLE, ideogram.BANDS_TABLE}


def test_length_order_disagreement(tmp_path: Path) -> None:
    builder = StoreBuilder(tmp_path / "facts.sqlite")
    builder.add_fact(1, "structure.mature_length", 500, source="test")
    builder.add_fact(1, "structure.primary_transcript_length", 400, source="test")
    builder.add_fact(1, "structure.gene_length", 1000, source="test")
    crosscheck.run(builder)
    rows = checks(builder, 1, crosscheck.LENGTH_ORDER)
    assert {status for _k, status, _d in rows} == {"disagree"}
    assert len(rows) == 3
    assert rows[0][2] == "mature 500 bp, primary transcript 400 bp, gene 1,000 bp"


def test_checks_reach_the_fact_sheet(tmp_path: Path, unpacked_ideogram: dict[str, Path]) -> None:
    builder = build(tmp_path / "facts.sqlite", [MT1G_RIGHT], {4495: "ENSG00000125144"},
                    unpacked_ideogram)
    builder.finish()
    sheet = FactStore(tmp_path / "facts.sqlite").sheet(4495)
    gene_length = sheet.facts["structure.gene_length"]
    assert gene_length.value == 1_336
    assert {(c.name, c.status) for c in gene_length.checks} == {
        (crosscheck.GENE_LENGTH, "agree"), (crosscheck.LENGTH_ORDER, "agree")}
    assert sheet.facts["identity.band"].checks[0].status == "agree"


@pytest.mark.parametrize(
    ("band", "interval"),
    [
        ("16q13", ("16", 56_000_001, 57_300_000)),
        ("1p36.33-p36.32", ("1", 1, 5_300_000)),
        ("17q21.3", ("17", 42_800_001, 52_100_000)),  # q21.31-q21.33
        ("19q13-qter", ("19", 31_900_001, 58_617_616)),
        ("2cen-q13", ("2", 91_800_001, 112_200_000)),  # p11.1-q13
        ("18", ("18", 1, 80_373_285)),
        ("22q11.2 alternate reference locus", ("22", 17_400_001, 25_500_000)),
    ],
)
def test_band_interval(bands: dict[str, list[Band]], band: str,
                       interval: tuple[str, int, int]) -> None:
    assert crosscheck.band_interval(band, bands) == Span(*interval)


@pytest.mark.parametrize("band", ["17q12b", "11q15.5", "map from Rosati ref via FISH [AFS]", "un"])
def test_unplaceable_band(bands: dict[str, list[Band]], band: str) -> None:
    assert crosscheck.band_interval(band, bands) is None
