"""The uniprot-2014 source on the real packages: metastudent-data 2.0.1-8 read by blastdbcmd.

Expected values come from outside the code under test:

- UniProt: MT1G P13640 is 62 aa (MDPNCSCAAA...SEKCSCCA, mass 6,141 Da); NME1 P15531 is 152
  aa (17,149 Da); GPX4 P36969 is a selenoprotein (one U); MUC16 Q8WXI7 had unresolved (X)
  repeat residues in 2014.
- Molecular weight from ExPASy's average residue masses plus one water, written out here
  (Biopython's atomic weights differ slightly: 0.2 Da on NME1's 17,149 Da);
  pI and charge at pH 7 from the Henderson-Hasselbalch equation with the Bjellqvist pK
  table (Electrophoresis 1993/1994, as ExPASy Compute pI/Mw uses it), solved here by
  bisection; GRAVY from the Kyte-Doolittle table; helix / turn / sheet as the shares of
  the residue sets E M A L K / N P G S D / V I Y F W L T (Biopython >= 1.82 returns them in
  that order: helix, turn, sheet).
- org.Hs.eg.db's uniprot table for the canonical-choice cases (genes with several
  accessions in the 2014 set).
"""

from __future__ import annotations

import sqlite3
import statistics
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from Bio.SeqUtils.ProtParam import ProteinAnalysis

from writer.progress import QUIET
from writer.sources import orgdb, uniprot
from writer.sources.packages import fetch
from writer.store import FactStore, StoreBuilder

MT1G = "MDPNCSCAAAGVSCTCASSCKCKECKCTSCKKSCCSCCPVGCAKCAQGCICKGASEKCSCCA"

# ExPASy average residue masses (Da) and water.
RESIDUE_MASS = {
    "A": 71.0788, "R": 156.1875, "N": 114.1038, "D": 115.0886, "C": 103.1388,
    "E": 129.1155, "Q": 128.1307, "G": 57.0519, "H": 137.1411, "I": 113.1594,
    "L": 113.1594, "K": 128.1741, "M": 131.1926, "F": 147.1766, "P": 97.1167,
    "S": 87.0782, "T": 101.1051, "W": 186.2132, "Y": 163.1760, "V": 99.1326,
}
WATER = 18.01524

# Bjellqvist pK values: side chains, and termini that depend on the terminal residue.
PK_POSITIVE = {"K": 10.0, "R": 12.0, "H": 5.98}
PK_NEGATIVE = {"D": 4.05, "E": 4.45, "C": 9.0, "Y": 10.0}
PK_NTERM = {"A": 7.59, "M": 7.0, "S": 6.93, "P": 8.36, "T": 6.82, "V": 7.44, "E": 7.7}
PK_CTERM = {"D": 4.55, "E": 4.75}

KYTE_DOOLITTLE = {
    "A": 1.8, "R": -4.5, "N": -3.5, "D": -3.5, "C": 2.5, "Q": -3.5, "E": -3.5, "G": -0.4,
    "H": -3.2, "I": 4.5, "L": 3.8, "K": -3.9, "M": 1.9, "F": 2.8, "P": -1.6, "S": -0.8,
    "T": -0.7, "W": -0.9, "Y": -1.3, "V": 4.2,
}


def hand_mass(seq: str) -> float:
    return sum(RESIDUE_MASS[a] for a in seq) + WATER


def hand_charge(seq: str, ph: float) -> float:
    def pos(pk: float) -> float:
        return 1 / (1 + 10 ** (ph - pk))

    def neg(pk: float) -> float:
        return -1 / (1 + 10 ** (pk - ph))

    charge = pos(PK_NTERM.get(seq[0], 7.5)) + neg(PK_CTERM.get(seq[-1], 3.55))
    charge += sum(pos(PK_POSITIVE[a]) for a in seq if a in PK_POSITIVE)
    charge += sum(neg(PK_NEGATIVE[a]) for a in seq if a in PK_NEGATIVE)
    return charge


def hand_pi(seq: str) -> float:
    low, high = 0.0, 14.0
    while high - low > 1e-6:
        mid = (low + high) / 2
        if hand_charge(seq, mid) > 0:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def share(seq: str, letters: str) -> float:
    return 100 * sum(seq.count(a) for a in letters) / len(seq)


@pytest.fixture(scope="module")
def unpacked(package_cache: Path) -> dict[str, Path]:
    """The source's packages, fetched with apt-get download into the test cache."""
    return {pkg.name: fetch(pkg, package_cache) for pkg in uniprot.SOURCE.packages}


@pytest.fixture(scope="module")
def genes_of(package_cache: Path) -> dict[str, list[int]]:
    """org.Hs.eg.db's accession -> NCBI Gene IDs, as the identity source writes them."""
    root = fetch(orgdb.ORGDB, package_cache)
    conn = sqlite3.connect(f"file:{root / orgdb.ORGDB_FILE}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT upper(u.uniprot_id), CAST(g.gene_id AS INTEGER) "
            "FROM uniprot u JOIN genes g USING (_id)"
        ).fetchall()
    finally:
        conn.close()
    out: dict[str, list[int]] = defaultdict(list)
    for accession, gene_id in rows:
        out[accession].append(gene_id)
    return dict(out)


@pytest.fixture(scope="module")
def human(unpacked: dict[str, Path], genes_of: dict[str, list[int]]) -> dict[str, str]:
    """Every mapped (human) accession's 2014 sequence, union of the three aspects."""
    return uniprot.read_sequences(unpacked, genes_of)


# --- reading the databases ------------------------------------------------------------


def test_unpacked_blastdbcmd_runs_with_the_fetched_libraries(unpacked):
    exe, env = uniprot.blastdbcmd_command(unpacked)
    proc = subprocess.run([str(exe), "-version"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "blastdbcmd: 2.12.0+" in proc.stdout


def test_headers_carry_the_accession_and_go_terms_only(unpacked):
    exe, env = uniprot.blastdbcmd_command(unpacked)
    db = uniprot.aspect_databases(unpacked)[2]  # CCO
    proc = subprocess.run(
        [str(exe), "-db", str(db), "-entry", "all", "-outfmt", "%t"],
        env=env, capture_output=True, text=True, check=True,
    )
    titles = proc.stdout.splitlines()
    assert len(titles) == 392_822
    mt1g = next(t for t in titles if t.startswith("P13640|"))
    assert mt1g.split("|")[1].startswith("GO:")
    accessions = {t.split("|", 1)[0] for t in titles}
    assert {len(a) for a in accessions} == {6}  # UniProtKB accessions, no isoform suffix


def test_dump_streams_only_the_wanted_accessions(unpacked):
    exe, env = uniprot.blastdbcmd_command(unpacked)
    db = uniprot.aspect_databases(unpacked)[1]  # MFO
    got = dict(uniprot.dump_database(exe, env, db, {"P13640", "P15531", "NOTANACC"}))
    assert got == {"P13640": MT1G, "P15531": got["P15531"]}
    assert len(got["P15531"]) == 152
    assert got["P15531"].startswith("MANCERTFIAIKPDGVQRGLVGEIIKRFEQKGF")


def test_union_of_the_three_aspects(human, genes_of):
    assert human["P13640"] == MT1G
    assert len(human["P15531"]) == 152
    assert len(human) > 17_000
    assert set(human) <= set(genes_of)
    assert human["P36969"].count("U") == 1  # GPX4, selenocysteine
    assert human["Q8WXI7"].count("X") > 0  # MUC16 repeats unresolved in 2014


# --- canonical choice -----------------------------------------------------------------


@pytest.fixture(scope="module")
def canonical(human, genes_of) -> dict[int, str]:
    return uniprot.choose_canonical(genes_of, {a: len(s) for a, s in human.items()})


def test_single_accession_genes(canonical):
    assert canonical[4495] == "P13640"  # MT1G
    assert canonical[4830] == "P15531"  # NME1
    assert len(canonical) > 17_000


def test_canonical_prefers_an_accession_of_this_gene_alone(genes_of, human, canonical):
    # SNURF (8926): Q9Y675 is SNURF's alone; P63162 is shared with SNRPN and is SNRPN's.
    assert {"P63162", "Q9Y675"} <= {a for a, g in genes_of.items() if 8926 in g} & set(human)
    assert len(human["P63162"]) > len(human["Q9Y675"])  # so length alone would pick wrong
    assert canonical[8926] == "Q9Y675"
    assert canonical[6638] == "P63162"  # SNRPN
    assert canonical[10627] == "P19105"  # MYL12A, not MYL12B's O14950


def test_canonical_prefers_the_longest_then_the_first_accession(genes_of, human, canonical):
    cdkn2a = sorted(a for a, g in genes_of.items() if 1029 in g and a in human)
    assert cdkn2a == ["P42771", "Q8N726"]  # p16INK4a 156 aa, p14ARF 132 aa
    assert canonical[1029] == "P42771"
    assert canonical[1523] == "P39880"  # CUX1 CDP 1505 aa, not Q13948 (CASP, 678 aa)
    # HLA-A: P04439 and P30443 are both 365 aa: the first accession decides
    assert len(human["P04439"]) == len(human["P30443"]) == 365
    assert canonical[3105] == "P04439"


def test_duplicated_genes_get_distinct_entries(canonical):
    # CCZ1 (51622) and CCZ1B (221960) both map to P86790 and P86791 (identical proteins)
    assert canonical[51622] == "P86790"
    assert canonical[221960] == "P86791"


def test_choice_is_deterministic_on_ties():
    genes_of = {"B00002": [1], "A00001": [1], "C00003": [1, 2]}
    lengths = {"A00001": 100, "B00002": 100, "C00003": 500}
    assert uniprot.choose_canonical(genes_of, lengths) == {1: "A00001", 2: "C00003"}
    assert uniprot.choose_canonical(dict(reversed(genes_of.items())), lengths)[1] == "A00001"


# --- ProtParam ------------------------------------------------------------------------


def test_mt1g_properties_against_independent_formulas():
    props = uniprot.analyse(MT1G)
    assert props.length == 62
    # Biopython's average masses come from other atomic weights than ExPASy's: within 0.5 Da
    # (a lost water would be 18 Da, a wrong residue more than 1 Da)
    assert props.molecular_weight == pytest.approx(hand_mass(MT1G), abs=0.5)
    assert props.molecular_weight == pytest.approx(6141.38, abs=0.01)
    assert props.isoelectric_point == pytest.approx(hand_pi(MT1G), abs=0.01)
    assert props.charge_ph7 == pytest.approx(hand_charge(MT1G, 7.0), abs=1e-4)
    gravy = sum(KYTE_DOOLITTLE[a] for a in MT1G) / len(MT1G)
    assert props.gravy == pytest.approx(gravy, abs=1e-4)
    # helix / turn / sheet, in percent, each from its own residue set (not Biopython's order)
    assert props.helix_fraction == pytest.approx(share(MT1G, "EMALK"), abs=1e-4)  # 19/62
    assert props.turn_fraction == pytest.approx(share(MT1G, "NPGSD"), abs=1e-4)  # 17/62
    assert props.sheet_fraction == pytest.approx(share(MT1G, "VIYFWLT"), abs=1e-4)  # 5/62
    assert (props.helix_fraction, props.turn_fraction, props.sheet_fraction) == (
        pytest.approx(30.6452), pytest.approx(27.4194), pytest.approx(8.0645)
    )
    pa = ProteinAnalysis(MT1G)
    assert props.flexibility_median == pytest.approx(statistics.median(pa.flexibility()),
                                                     abs=1e-4)
    assert props.instability_index == pytest.approx(pa.instability_index(), abs=1e-4)


def test_nme1_properties_against_independent_formulas(human):
    seq = human["P15531"]
    props = uniprot.analyse(seq)
    assert props.length == 152
    assert props.molecular_weight == pytest.approx(hand_mass(seq), abs=0.5)
    assert round(props.molecular_weight) == 17149  # UniProt's mass for P15531
    assert props.isoelectric_point == pytest.approx(hand_pi(seq), abs=0.01)
    assert props.charge_ph7 == pytest.approx(hand_charge(seq, 7.0), abs=1e-4)
    assert props.helix_fraction == pytest.approx(share(seq, "EMALK"), abs=1e-4)
    assert props.turn_fraction == pytest.approx(share(seq, "NPGSD"), abs=1e-4)
    assert props.sheet_fraction == pytest.approx(share(seq, "VIYFWLT"), abs=1e-4)


def test_selenocysteine_keeps_its_mass_and_reads_as_cysteine_on_the_scales(human):
    seq = human["P36969"]  # GPX4
    props = uniprot.analyse(seq)
    as_cys = uniprot.analyse(seq.replace("U", "C"))
    assert props.length == 197
    assert props.molecular_weight - as_cys.molecular_weight == pytest.approx(46.9, abs=0.05)
    assert props.gravy == as_cys.gravy
    assert props.instability_index == as_cys.instability_index
    assert props.flexibility_median == as_cys.flexibility_median
    assert props.charge_ph7 is not None and props.isoelectric_point is not None


def test_unknown_residues_leave_only_the_length(human):
    props = uniprot.analyse(human["Q8WXI7"])  # MUC16, 2014: 22,152 aa with X runs
    assert props.length == 22_152
    assert dict(props.facts()) == {"protein.length": 22_152}


def test_short_peptide_has_no_flexibility_window():
    props = uniprot.analyse("MKWV")
    assert props.flexibility_median is None
    assert props.gravy is not None


def test_two_workers_give_the_same_values(human):
    some = dict(sorted(human.items())[:600])
    assert uniprot.analyse_all(some, QUIET, workers=2) == uniprot.analyse_all(
        some, QUIET, workers=1
    )


# --- load into a store ----------------------------------------------------------------


def test_load_writes_facts_units_links_and_populations(tmp_path, unpacked, genes_of):
    wanted = {4495: "MT1G", 4830: "NME1", 1029: "CDKN2A", 2879: "GPX4", 94025: "MUC16"}
    builder = StoreBuilder(tmp_path / "facts.sqlite")
    builder.add_genes(
        (gid, sym, sym, "protein-coding", None, None, None, None, None)
        for gid, sym in wanted.items()
    )
    builder.add_names(
        (acc, gid, "uniprot") for acc, gids in genes_of.items() for gid in gids if gid in wanted
    )
    builder.add_source(uniprot.SOURCE.ref, uniprot.SOURCE.provides)
    uniprot.SOURCE.load(builder, unpacked, QUIET)
    builder.finish()

    store = FactStore(tmp_path / "facts.sqlite")
    mt1g = store.sheet(4495)
    acc = mt1g.get("protein.uniprot_accession")
    assert acc.value == "P13640"
    assert acc.links[0].url == "https://www.uniprot.org/uniprotkb/P13640/entry"
    assert mt1g.value("protein.length") == 62
    assert mt1g.get("protein.length").unit == "aa"
    assert mt1g.get("protein.molecular_weight").unit == "Da"
    assert mt1g.get("protein.helix_fraction").unit == "%"
    assert mt1g.get("protein.isoelectric_point").unit is None
    assert mt1g.value("protein.sheet_fraction") == pytest.approx(8.0645)
    pct = mt1g.get("protein.gravy").percentile
    assert pct.population == uniprot.POPULATION
    assert pct.size == 4  # MUC16 has a length but no GRAVY
    assert mt1g.get("protein.length").percentile.size == 5
    assert mt1g.sources["uniprot-2014"].release_date == "2014-01"
    assert store.sheet(1029).value("protein.uniprot_accession") == "P42771"
    muc16 = store.sheet(94025).section("protein")
    assert set(muc16) == {"protein.uniprot_accession", "protein.length"}


def test_synced_fact_sheet_has_the_protein_section(factsheet):
    sheet = factsheet("NME1")
    assert sheet.value("protein.uniprot_accession") == "P15531"
    assert sheet.value("protein.length") == 152
    pi = sheet.get("protein.isoelectric_point")
    assert pi.value == pytest.approx(5.83, abs=0.005)
    assert pi.percentile.population == uniprot.POPULATION
    assert pi.percentile.size > 17_000
    assert sheet.sources["uniprot-2014"].licence.startswith("UniProt data CC BY 4.0")
