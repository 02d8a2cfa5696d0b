"""BioGPS GNF1H (online source biogps) against a local server playing its upstream from
fixtures composed in the formats SOURCES.md section 17 records (neither file is fully
recorded; tests/fixtures/online/README.md): the tissue samples where a gene's signal is
highest, the expression section's second paragraph, the evaluator's checks of it, the closing
note without it, and loud failures on a changed or damaged file."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from online_fixtures import home_settings, lay_out

from writer.cli import main
from writer.errors import SyncError
from writer.progress import QUIET
from writer.sources import biogps
from writer.store import FactStore
from writer.sync import sync

pytest_plugins = ["httpserver"]

ZIP_URL = "https://plugins.biogps.org/download/gnf1h-gcrma.zip"
MT1G_SAMPLES = ["Liver", "Kidney", "Thyroid", "Pancreas", "FetalThyroid", "FetalLiver",
                "SkeletalMuscle", "FetalLung"]  # synthetic values, ordered like MT1G's page


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from httpserver import MirrorServer

    with MirrorServer(tmp_path_factory.mktemp("biogps-upstream")) as server:
        lay_out(server)
        yield server


@pytest.fixture(scope="module")
def biogps_store(served, tmp_path_factory, package_cache) -> FactStore:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GENE_WRITER_MIRROR", served.url)
        settings = home_settings(tmp_path_factory.mktemp("biogps-home"), package_cache)
        sync(settings, ["orgdb-3.16", "ensembl-ideogram", "biogps"], progress=QUIET,
             online=True)
    return FactStore(settings.facts_path)


def _sheet(store: FactStore, symbol: str):  # noqa: ANN202
    return store.sheet(store.resolve(symbol))


def _page(sheet) -> str:  # noqa: ANN001
    from writer.draft import make_draft

    return make_draft(sheet, date="2026-07-01 10:00 UTC").page


# --- the facts ------------------------------------------------------------------------------------
def test_samples_at_three_times_the_median_highest_first(biogps_store):
    items = _sheet(biogps_store, "MT1G").value("expression.biogps_tissues")
    # 9 samples reach 3x the median; the ninth (Heart) is cut at eight
    assert [i.name for i in items] == MT1G_SAMPLES
    assert items[0].value == 30112.6 and items[0].unit == "gcRMA"
    # of MT1G's two probes, the one with the higher mean signal is used
    assert {i.evidence for i in items} == {("204745_x_at",)}
    nme1 = [(i.name, i.value) for i in _sheet(biogps_store, "NME1").value(
        "expression.biogps_tissues")]
    assert nme1[0] == ("PinealDay", 9050.5)
    # exactly 3 x the median (740) counts; NME1-NME2's shared probe (201268_at) is skipped
    assert nme1[-1] == ("BDCA4+_DentriticCells", 2220.0) and len(nme1) == 7
    sheet = _sheet(biogps_store, "NME1")
    fact = sheet.get("expression.biogps_tissues")
    assert fact.links[0].url == "https://biogps.org/#goto=genereport&id=4830"
    ref = sheet.sources["biogps"]
    assert ref.release_date == "2026-07-01" and "GNF1H gcRMA" in ref.version
    assert "licence" in ref.licence or "not stated" in ref.licence


def test_a_flat_profile_has_no_samples(biogps_store):
    # TPM4's probe is flat: no sample reaches 3x its median, so no fact and no paragraph
    assert "expression.biogps_tissues" not in _sheet(biogps_store, "TPM4").facts


def test_status_lists_the_source(biogps_store):
    rows = {r["id"]: r for r in biogps_store.source_rows()}
    assert rows["biogps"]["kind"] == "online" and rows["biogps"]["retrieved_at"]


# --- the page -------------------------------------------------------------------------------------
def test_the_page_has_the_biogps_paragraph_and_it_traces(biogps_store):
    sheet = _sheet(biogps_store, "MT1G")
    from writer.draft import make_draft

    result = make_draft(sheet, date="2026-07-01 10:00 UTC")
    para = next(p for p in result.page.split("\n\n") if "GNF1H" in p)
    assert para.startswith("In the [BioGPS](https://biogps.org/#goto=genereport&id=4495) "
                           "GNF1H atlas of tissue samples (gcRMA), the gene's signal is highest "
                           "in the liver, followed by the kidney, thyroid, pancreas, fetal "
                           "thyroid, fetal liver, skeletal muscle, and fetal lung.")
    assert "at least three times its median" in para
    assert "In [GTEx]" in result.page  # GTEx's paragraph stays, before it
    assert result.page.index("In [GTEx]") < result.page.index("GNF1H atlas")
    assert result.report.findings == []
    assert "BioGPS" not in result.page.split("GNF1H atlas")[-1]  # not named as missing
    # NME1: names with digits, capitals and parentheses as the file spells them
    nme1 = make_draft(_sheet(biogps_store, "NME1"), date="2026-07-01 10:00 UTC")
    assert ("highest in the pineal day, followed by the pineal night, 721 B lymphoblasts, "
            "leukemia chronic myelogenous K-562, leukemia promyelocytic-HL-60, lymphoma "
            "burkitts (Daudi), and BDCA4+ dentritic cells.") in nme1.page
    assert nme1.report.findings == []


def test_the_closing_note_names_biogps_when_it_has_nothing(biogps_store, factsheet):
    from writer.draft import make_draft

    # TPM4 in a store with BioGPS synced (nothing at 3x its median), MT1G in the offline store
    for sheet in (_sheet(biogps_store, "TPM4"), factsheet("MT1G")):
        result = make_draft(sheet, date="2026-07-01 10:00 UTC")
        assert "GNF1H atlas of tissue samples" not in result.page
        note = result.page[result.page.index("Not available on this page"):]
        assert ("the expression from the BioGPS GNF1H expression atlas (online source biogps: "
                "not synced, or nothing on this gene)") in note
        assert [f for f in result.report.findings if f.section == "expression"] == []


# A paragraph written the way a model would: its own wording, the atlas's samples in order.
MODEL = ("According to BioGPS (GNF1H, gcRMA), MT1G is expressed in multiple tissue samples, "
         "including the liver, kidney, thyroid, pancreas, fetal thyroid, fetal liver, skeletal "
         "muscle, and fetal lung.\n")


def test_a_model_paragraph_with_the_atlas_samples_traces(biogps_store):
    from writer.check import check

    sheet = _sheet(biogps_store, "MT1G")
    assert check(MODEL, sheet).findings == []
    spelled = ("In BioGPS GNF1H data, MT1G's strongest signal is in the Liver, followed by "
               "Kidney, Thyroid, Pancreas, FetalThyroid, FetalLiver, SkeletalMuscle and "
               "FetalLung.\n")
    assert check(spelled, sheet).findings == []


@pytest.mark.parametrize(("old", "new", "claim"), [
    ("fetal lung.", "heart.", "heart"),  # a sample below the list (the ninth)
    ("the liver, kidney", "the adult liver, kidney", "adult liver"),  # not the atlas's sample
    ("fetal liver,", "fetal kidney,", "fetal kidney"),  # the atlas has no such sample
    ("is expressed in", "is most highly expressed in", None),  # fine: the liver leads
])
def test_a_sample_not_among_the_facts_is_a_finding(biogps_store, old, new, claim):
    from writer.check import check

    sheet = _sheet(biogps_store, "MT1G")
    found = check(MODEL.replace(old, new, 1), sheet).findings
    if claim is None:
        assert found == []
    else:
        assert [(f.claim, f.status) for f in found] == [(claim, "contradicted")]


def test_highest_in_a_sample_that_does_not_lead_is_a_finding(biogps_store):
    from writer.check import check

    sheet = _sheet(biogps_store, "MT1G")
    text = ("In the BioGPS GNF1H atlas, the gene's signal is highest in the kidney, followed by "
            "the liver and the thyroid.\n")
    (finding,) = check(text, sheet).findings
    assert finding.claim == "highest" and finding.status == "contradicted"
    assert "Kidney, which ranks 2" in finding.reason
    assert check(text.replace("kidney", "KIDNEY_X").replace("liver", "kidney").replace(
        "KIDNEY_X", "liver"), sheet).findings == []


def test_gtex_tissues_are_still_checked_against_gtex(biogps_store):
    from writer.check import check

    sheet = _sheet(biogps_store, "MT1G")
    # fetal thyroid is a GNF1H sample of MT1G but not one of GTEx's tissues: the GTEx
    # paragraph may not name it
    text = "In GTEx, the gene is expressed in the liver and the fetal thyroid.\n"
    assert [f.claim for f in check(text, sheet).findings] == ["fetal thyroid"]


def test_the_injection_kind_plants_and_is_caught(biogps_store):
    from writer.check import check
    from writer.evals.inject import caught, inject

    sheet = _sheet(biogps_store, "MT1G")
    page = _page(sheet)
    for seed in range(8):
        planted = inject(page, sheet, "swapped_biogps_tissue", random.Random(seed))
        assert planted is not None
        text, expected = planted
        assert text != page and caught(check(text, sheet), expected), (expected, text)


def test_one_gene_on_demand_reads_the_same_files(store, mirror, tmp_path):
    from writer.http import Fetcher, HttpSettings
    from writer.sources.online import fetch_gene

    lay_out(mirror)
    settings = HttpSettings(mirror=mirror.url, email=None, ncbi_api_key=None,
                            cache_dir=tmp_path / "cache")
    with Fetcher(settings) as fetcher:
        sheet = fetch_gene(store.sheet(store.resolve("MT1G")), [biogps.SOURCE], fetcher,
                           tmp_path / "cache")
    assert [i.name for i in sheet.value("expression.biogps_tissues")] == MT1G_SAMPLES
    assert "retrieved" in sheet.sources["biogps"].version


# --- the files fail loudly ------------------------------------------------------------------------
def _zip(body: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("U133AGNF1B.gcrma.avg.csv", body)
    return out.getvalue()


def _atlas_text() -> str:
    from online_fixtures import FIXTURES

    return (FIXTURES / "plugins.biogps.org/download/U133AGNF1B.gcrma.avg.csv").read_text()


def _cli_sync(mirror, tmp_path: Path, package_cache: Path, monkeypatch, body: bytes):  # noqa: ANN001, ANN202
    lay_out(mirror)
    mirror.put_file(ZIP_URL, body)
    home = tmp_path / "home"
    home_settings(home, package_cache)
    monkeypatch.setenv("GENE_WRITER_HOME", str(home))
    monkeypatch.setenv("GENE_WRITER_MIRROR", mirror.url)
    return CliRunner().invoke(main, ["data", "sync", "--online", "--source", "biogps"]), home


def test_a_missing_column_is_one_line_and_exit_2(mirror, tmp_path, package_cache, monkeypatch):
    text = _atlas_text().replace('"Adipocyte"', '"Adipose"', 1)
    result, home = _cli_sync(mirror, tmp_path, package_cache, monkeypatch, _zip(text.encode()))
    assert result.exit_code == 2, result.output
    message = result.output.strip().splitlines()[-1]
    assert message.startswith("writer: U133AGNF1B.gcrma.avg.csv: the header lacks column "
                              "Adipocyte")
    assert "Traceback" not in result.output and not (home / "facts.sqlite").exists()


def test_a_truncated_zip_is_one_line_and_nothing_stored(mirror, tmp_path, package_cache,
                                                         monkeypatch):
    whole = _zip(_atlas_text().encode())
    result, home = _cli_sync(mirror, tmp_path, package_cache, monkeypatch,
                             whole[: len(whole) * 2 // 3])
    assert result.exit_code != 0
    lines = [ln for ln in result.output.splitlines() if ln.startswith("writer: ")]
    assert len(lines) == 1 and "gnf1h-gcrma.zip" in lines[0], result.output
    assert "Traceback" not in result.output
    assert not (home / "facts.sqlite").exists() and not (home / "facts.sqlite.partial").exists()


def test_gpl96_needs_its_gene_id_column(tmp_path):
    path = tmp_path / "GPL96.txt"
    path.write_text("#ID = Affymetrix Probe Set ID\nID\tGene Symbol\tGENE_ID\n"
                    "201577_at\tNME1\t4830\n")
    with pytest.raises(SyncError, match="lacks column ENTREZ_GENE_ID"):
        biogps.read_platform(path)


def test_a_value_that_is_not_a_number_names_the_line(tmp_path):
    lines = _atlas_text().splitlines()
    lines[3] = lines[3].replace(",25.", ",NA25.", 1)
    path = tmp_path / "U133AGNF1B.gcrma.avg.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SyncError, match=r"line 4: 'NA25\.\d+' is not a number"):
        biogps.read_atlas(path, {"117_at": 3310})
