"""Replogle 2022 K562 Perturb-seq (opt-in source replogle2022): an .h5ad in the real file's
layout (tests/h5ad_fixture.py; synthetic values) served by a local server through the mirror
setting, the TF knockdowns that change a gene with direction and size, the paragraph and the
evaluator's checks of it, the opt-in rule and the closing note."""

from __future__ import annotations

import os

import pytest
from h5ad_fixture import write_h5ad
from online_fixtures import RELEASED

from writer.config import Settings
from writer.errors import SyncError
from writer.progress import QUIET
from writer.store import FactStore
from writer.sync import select, sync

pytest_plugins = ["httpserver"]
pytest.importorskip("h5py")

URL_PATH = "ndownloader.figshare.com/files/35773217"
PERTURBATIONS = [  # symbol, guide, Ensembl ID, DE genes
    ("GATA1", "P1", "ENSG00000102145", 300),
    ("GATA1", "P1P2", "ENSG00000102145", 1449),  # the one used: more changed genes
    ("MYC", "P1P2", "ENSG00000136997", 51),
    ("TP53", "P1P2", "ENSG00000141510", 1),
    ("LDB1", "P1P2", "ENSG00000198728", 900),  # no DNA-binding TF activity in GO
    ("MED12", "P1P2", "ENSG00000184634", 3576),  # a Mediator subunit, not a TF
    ("NME1", "P1P2", "ENSG00000239672", 40),
    ("YY1", "P2", "ENSG00000100811", 700),
    ("TAL1", "P1", "ENSG00000162367", 10),
    ("non-targeting", "", "", 1062),
]
GENES = [("ENSG00000239672", "NME1"), ("ENSG00000125144", "MT1G"),
         ("ENSG00000167460", "TPM4"), ("ENSG00000136997", "MYC")]
VALUES = [  # one row per perturbation: NME1, MT1G, TPM4, MYC
    [-0.2, 0.0, 0.1, 0.0],
    [-0.8234, 0.1, 0.49, 0.0],
    [0.6125, -0.05, 0.0, -2.5],  # MYC's own knockdown on MYC: left out
    [0.5, 0.0, 0.0, 0.0],  # exactly the threshold: listed
    [-1.5, 0.0, 0.0, 0.0],
    [-2.0, 0.0, 0.0, 0.0],
    [-3.0, 0.0, 0.0, 0.0],
    [-0.55, 0.0, float("nan"), 0.7],
    [0.1, float("inf"), float("-inf"), 0.0],  # TAL1: no finite value, nothing listed
    [0.9, 0.9, 0.9, 0.9],  # non-targeting: never a TF
]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from httpserver import MirrorServer

    with MirrorServer(tmp_path_factory.mktemp("upstream")) as server:
        path = server.root / URL_PATH
        path.parent.mkdir(parents=True)
        write_h5ad(path, PERTURBATIONS, GENES, VALUES)
        os.utime(path, (RELEASED, RELEASED))
        yield server


@pytest.fixture(scope="module")
def perturb_store(served, tmp_path_factory, package_cache) -> Settings:
    """org.Hs.eg.db (identity and GO) plus replogle2022, named without --online."""
    home = tmp_path_factory.mktemp("perturb-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GENE_WRITER_MIRROR", served.url)
        settings = Settings(home=home, facts_path=home / "facts.sqlite",
                            queue_path=home / "queue.sqlite", cache_dir=home / "cache")
        settings.cache_dir.mkdir(parents=True)
        (settings.cache_dir / "packages").symlink_to(package_cache / "packages",
                                                      target_is_directory=True)
        sync(settings, ["orgdb-3.16", "replogle2022"], progress=QUIET)
    return settings


def _sheet(settings: Settings, gene: str):  # noqa: ANN202
    store = FactStore(settings.facts_path)
    return store.sheet(store.resolve(gene))


def test_opt_in_only_when_named():
    for online in (False, True):
        assert "replogle2022" not in [s.id for s in select((), online)[1]]
    offline, remote = select(("replogle2022",))
    assert [s.id for s in remote] == ["replogle2022"]
    assert len(offline) == len(select(())[0])  # naming it adds it, never narrows the sync
    offline, remote = select(("reactome", "replogle2022"), online=True)
    assert [s.id for s in remote] == ["reactome", "replogle2022"]


def test_tf_knockdowns_with_direction_size_and_breadth(perturb_store):
    nme1 = _sheet(perturb_store, "NME1")
    items = nme1.value("perturbation.tf_knockdowns")
    assert [(i.name, i.id, i.value, i.evidence) for i in items] == [
        ("GATA1", "2623", -0.8234, ("P1P2",)),  # the guide with the most changed genes
        ("MYC", "4609", 0.6125, ("P1P2",)),
        ("YY1", "7528", -0.55, ("P2",)),
        ("TP53", "7157", 0.5, ("P1P2",)),
    ]  # LDB1 and MED12 are no DNA-binding TFs in GO; NME1's own knockdown is not regulation
    assert all(i.url == f"https://www.ncbi.nlm.nih.gov/gene/{i.id}" for i in items)
    de = {i.name: i.value for i in nme1.value("perturbation.knockdown_de_genes")}
    assert de == {"GATA1": 1449, "MYC": 51, "YY1": 700, "TP53": 1}
    assert nme1.value("perturbation.tf_knockdown_count") == 4
    assert nme1.value("perturbation.threshold") == 0.5
    ref = nme1.sources["replogle2022"]
    assert ref.licence == "CC BY-NC-SA 4.0" and ref.release_date == "2026-07-01"
    assert "perturbation.tf_knockdowns" not in _sheet(perturb_store, "TPM4").facts  # NaN, 0.49
    assert "perturbation.tf_knockdowns" not in _sheet(perturb_store, "MT1G").facts  # inf
    myc = _sheet(perturb_store, "MYC").value("perturbation.tf_knockdowns")
    assert [i.name for i in myc] == ["YY1"]  # MYC's knockdown of MYC is left out


def test_paragraph_states_licence_and_is_traced(perturb_store):
    from writer.check import check
    from writer.draft import make_draft

    sheet = _sheet(perturb_store, "NME1")
    page = make_draft(sheet, date="2026-07-01 10:00 UTC").page
    para = next(p for p in page.split("\n\n") if "Perturb-seq screen" in p)
    assert "[CC BY-NC-SA 4.0](https://plus.figshare.com/articles/dataset/20029387)" in para
    assert ("[GATA1](https://www.ncbi.nlm.nih.gov/gene/2623) lowers it (z = -0.82; 1,449 genes"
            in para)
    assert "[MYC](https://www.ncbi.nlm.nih.gov/gene/4609) raises it (z = 0.61; 51 genes)" in para
    assert "knockdowns of 4 transcription factors change" in para and "at least 0.5" in para
    report = check(page, sheet)
    assert [f for f in report.findings if f.section == "perturbation"] == []


@pytest.mark.parametrize("old,new", [
    ("[GATA1](https://www.ncbi.nlm.nih.gov/gene/2623) lowers",
     "[GATA1](https://www.ncbi.nlm.nih.gov/gene/2623) raises"),  # direction swapped
    ("z = -0.82", "z = -0.28"),  # size changed
    ("z = -0.82", "z = 0.82"),  # sign flipped
    ("1,449 genes", "1,494 genes"),  # breadth changed
    ("[YY1](https://www.ncbi.nlm.nih.gov/gene/7528)", "[YY2](https://www.ncbi.nlm.nih.gov/gene/7528)"),
    ("knockdowns of 4 transcription", "knockdown of 5 transcription"),
])
def test_swapped_direction_or_size_is_caught(perturb_store, old, new):
    from writer.check import check
    from writer.draft import make_draft

    sheet = _sheet(perturb_store, "NME1")
    page = make_draft(sheet, date="2026-07-01 10:00 UTC").page
    assert old in page
    report = check(page.replace(old, new, 1), sheet)
    assert any(f.status == "contradicted" for f in report.findings), report.findings


def test_reference_page_paragraph_and_model_wording(perturb_store):
    from writer.check import check

    sheet = _sheet(perturb_store, "NME1")
    # the NME1 reference page: raw IDs, "experiments"; LDB1 (8861) and MED12 (9968) are not
    # DNA-binding transcription factors in GO, so the sheet does not list their knockdowns
    ref = ("The top transcription factors (TFs) identified from the GTRD database of TF binding "
           "sites, filtered for Perturb-seq data, include [2623](https://www.ncbi.nlm.nih.gov/"
           "gene/2623), which was shown to be regulating genes in 2 experiments, followed by "
           "[8861](https://www.ncbi.nlm.nih.gov/gene/8861) and [9968](https://www.ncbi.nlm.nih."
           "gov/gene/9968), each regulating genes in 1 experiment.\n")
    found = {(f.claim, f.status) for f in check(ref, sheet).findings}
    assert found == {("2 experiments", "unverifiable"), ("1 experiment", "unverifiable"),
                     ("8861", "contradicted"), ("9968", "contradicted")}
    said = ("In K562 Perturb-seq (Replogle et al. 2022, CC BY-NC-SA 4.0), GATA1 knockdown lowers "
            "NME1 expression (z = -0.82), while knocking down MYC raises it by 0.61; YY1 "
            "knockdown decreases it (z = -0.55).\n")
    assert check(said, sheet).findings == []
    wrong = said.replace("lowers", "raises", 1).replace("by 0.61", "by 0.71")
    assert {f.claim for f in check(wrong, sheet).findings} == {"raises", "0.71"}


def test_closing_note_names_the_section_when_not_synced(factsheet):
    from writer.draft import make_draft

    page = make_draft(factsheet("NME1"), date="2026-07-01 10:00 UTC").page
    note = [p for p in page.split("\n\n") if "Left out" in p][0]
    assert "Perturb-seq transcription factors (genome-wide Perturb-seq, " \
           "opt-in: writer data sync --source replogle2022)" in note


def test_modern_categorical_layout_reads_the_same(tmp_path):
    from writer.sources.replogle2022 import read_effects

    tf_of = {"ENSG00000102145": 2623, "ENSG00000136997": 4609}
    legacy = read_effects(write_h5ad(tmp_path / "a.h5ad", PERTURBATIONS, GENES, VALUES), tf_of)
    modern = read_effects(write_h5ad(tmp_path / "b.h5ad", PERTURBATIONS, GENES, VALUES,
                                     modern=True), tf_of)
    assert legacy == modern and legacy[2] == ["NME1", "MT1G", "TPM4", "MYC"]


@pytest.mark.parametrize("drop,named", [("mann_whitney_counts", "obs/mann_whitney_counts"),
                                        ("gene_name", "var/gene_name")])
def test_a_missing_element_is_named(tmp_path, drop, named):
    from writer.sources.replogle2022 import read_effects

    path = write_h5ad(tmp_path / "x.h5ad", PERTURBATIONS, GENES, VALUES, drop=[drop])
    with pytest.raises(SyncError, match=f"no {named} "):
        read_effects(path, {})


def test_not_an_hdf5_file_is_one_line(tmp_path):
    from writer.sources import UNREADABLE
    from writer.sources.replogle2022 import read_effects

    path = tmp_path / "x.h5ad"
    path.write_text("<html>figshare is down</html>")
    with pytest.raises(UNREADABLE):
        read_effects(path, {})
