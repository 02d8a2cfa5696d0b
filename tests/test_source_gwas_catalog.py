"""The GWAS Catalog source against a local server playing its upstream from fixtures in the
recorded formats (the ontology-annotated associations file, Mondo OBO, REST API v2 pages):
traits with counts and lowest p-values, diseases apart, Mondo categories, one gene on demand,
loud parse failures, the page's trait paragraph and the evaluator's checks of it."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from online_fixtures import ONE_GENE, home_settings, lay_out

from writer.cli import main
from writer.errors import SyncError
from writer.progress import QUIET
from writer.sources import gwas_catalog
from writer.store import FactStore
from writer.sync import sync

pytest_plugins = ["httpserver"]

IDS = ["orgdb-3.16", "hpo-2025-01-16", "gwas-catalog"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from httpserver import MirrorServer

    with MirrorServer(tmp_path_factory.mktemp("gwas-upstream")) as server:
        lay_out(server)
        yield server


@pytest.fixture(scope="module")
def gwas_store(served, tmp_path_factory, package_cache) -> FactStore:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GENE_WRITER_MIRROR", served.url)
        settings = home_settings(tmp_path_factory.mktemp("gwas-home"), package_cache)
        sync(settings, IDS, progress=QUIET, online=True)
    return FactStore(settings.facts_path)


@pytest.fixture(scope="module")
def hpo_only_store(tmp_path_factory, package_cache) -> FactStore:
    settings = home_settings(tmp_path_factory.mktemp("hpo-home"), package_cache)
    sync(settings, IDS[:2], progress=QUIET)
    return FactStore(settings.facts_path)


def test_traits_counts_and_best_p_values_diseases_apart(gwas_store):
    nme1 = gwas_store.sheet(gwas_store.resolve("NME1"))
    diseases = nme1.value("disease.gwas_diseases")
    assert [(i.name, i.id, i.value, i.p_value) for i in diseases] == [
        ("coronary artery disease", "MONDO_0005010", 2, 3e-12),
        ("hypertension", "EFO_0000537", 1, 4.5e-8),  # EFO, a disease through Mondo's xref
    ]
    assert diseases[0].url == "https://www.ebi.ac.uk/gwas/efotraits/MONDO_0005010"
    others = {i.name: i for i in nme1.value("disease.gwas_traits")}
    # the intergenic row "NME1 - NME2" and the multi-SNP row "NME1; NME1" count once each
    assert others["platelet count"].value == 1 and others["body height"].value == 1
    assert nme1.value("disease.gwas_association_count") == 5
    assert nme1.value("disease.gwas_study_count") == 4
    cats = nme1.value("disease.gwas_categories")
    assert [(c.name, c.value) for c in cats] == [("cardiovascular disorder", 2),
                                                  ("heart disorder", 1)]
    ref = nme1.sources["gwas-catalog"]
    assert "associations file of 2026-07-01" in ref.version and "Mondo 2026-10-06" in ref.version
    assert nme1.get("disease.gwas_diseases").links[0].url.endswith("/gwas/genes/NME1")


def test_a_row_with_two_trait_uris_counts_for_both(gwas_store):
    mt1g = gwas_store.sheet(gwas_store.resolve("MT1G"))
    assert [i.id for i in mt1g.value("disease.gwas_diseases")] == ["MONDO_0005148"]
    assert {i.id for i in mt1g.value("disease.gwas_traits")} == {"EFO_0004340", "EFO_0007995"}
    assert [c.name for c in mt1g.value("disease.gwas_categories")][0] == "metabolic disease"


def test_the_page_has_the_trait_paragraph_and_it_traces(gwas_store):
    from writer.draft import make_draft

    for symbol in ("NME1", "MT1G"):
        result = make_draft(gwas_store.sheet(gwas_store.resolve(symbol)),
                            date="2026-07-01 10:00 UTC")
        assert result.report.findings == [], (symbol, result.report.findings)
    page = make_draft(gwas_store.sheet(gwas_store.resolve("NME1")),
                      date="2026-07-01 10:00 UTC").page
    assert "[GWAS Catalog](https://www.ebi.ac.uk/gwas/genes/NME1)" in page
    assert "lowest p-value 3e-12" in page and "2 associations" in page
    assert "[MONDO\\_0005010](http://purl.obolibrary.org/obo/MONDO_0005010)" in page
    assert "Mondo Disease Ontology" in page and "cardiovascular disorder" in page
    assert "GWAS" not in page.split("*Left out")[-1] if "*Left out" in page else True


def test_without_the_gwas_source_the_note_names_it(hpo_only_store):
    from writer.draft import make_draft

    for symbol in ("NME1", "HBB"):  # no disease paragraph at all; HPO's paragraph only
        result = make_draft(hpo_only_store.sheet(hpo_only_store.resolve(symbol)),
                            date="2026-07-01 10:00 UTC")
        page = result.page
        assert "lowest p-value" not in page
        note = page[page.index("*Left out") if "*Left out" in page else page.index("*Not"):]
        assert "GWAS Catalog" in note.split("\n")[0], (symbol, note)
        assert result.report.findings == [], (symbol, result.report.findings)
    assert "Not available on this page: the disease associations from the" in page


@pytest.mark.parametrize(("old", "new"), [
    ("lowest p-value 3e-12", "lowest p-value 3e-9"),
    ("lowest p-value 3e-12", "lowest p-value 8 × 10^-12"),
    ("; 2 associations", "; 7 associations"),
    ("[coronary artery disease]", "[asthma]"),
    ("[MONDO\\_0005010](http://purl.obolibrary.org/obo/MONDO_0005010)",
     "[MONDO\\_0004979](http://purl.obolibrary.org/obo/MONDO_0004979)"),
    ("fall under [cardiovascular disorder]", "fall under [respiratory disorder]"),
])
def test_wrong_p_values_counts_and_traits_are_caught(gwas_store, old, new):
    from writer.check import check
    from writer.draft import make_draft

    sheet = gwas_store.sheet(gwas_store.resolve("NME1"))
    page = make_draft(sheet, date="2026-07-01 10:00 UTC").page
    assert old in page, old
    report = check(page.replace(old, new, 1), sheet)
    assert report.findings, new


@pytest.mark.parametrize("written", ["3e-12", "3E-12", "3 × 10^-12", "3.0 x 10^-12",
                                     "3.0e-12", "below 1e-10", "p < 1e-11"])
def test_p_values_written_every_way_trace_by_rounding(gwas_store, written):
    from writer.check import check
    from writer.draft import make_draft

    sheet = gwas_store.sheet(gwas_store.resolve("NME1"))
    page = make_draft(sheet, date="2026-07-01 10:00 UTC").page
    report = check(page.replace("lowest p-value 3e-12", f"lowest p-value {written}", 1), sheet)
    assert report.findings == [], report.findings


def test_the_injection_kind_plants_and_is_caught(gwas_store):
    from writer.check import check
    from writer.draft import make_draft
    from writer.evals.inject import caught, inject

    sheet = gwas_store.sheet(gwas_store.resolve("NME1"))
    page = make_draft(sheet, date="2026-07-01 10:00 UTC").page
    for seed in range(5):
        planted = inject(page, sheet, "changed_p_value", random.Random(seed))
        assert planted is not None
        text, expected = planted
        assert caught(check(text, sheet), expected), (expected, text)


# --- one gene on demand ---------------------------------------------------------------------------
def test_one_gene_from_the_rest_api_v2(facts_env, mirror, monkeypatch):
    lay_out(mirror)
    monkeypatch.setenv("GENE_WRITER_MIRROR", mirror.url)
    result = CliRunner().invoke(main, ["facts", str(ONE_GENE), "--online", "--json"])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.output)["facts"]
    traits = {i["id"]: i for i in facts["disease.gwas_traits"]["value"]}
    assert traits["EFO_0004309"]["value"] == 2  # two pages followed
    assert traits["EFO_0004309"]["p_value"] == 2e-20
    assert [i["id"] for i in facts["disease.gwas_diseases"]["value"]] == ["EFO_0000537"]
    assert facts["disease.gwas_study_count"]["value"] == 3
    asked = [r.raw_query for r in mirror.requests if "v2/associations" in r.upstream_path]
    assert any("page=1" in q for q in asked)


# --- parsers fail loudly --------------------------------------------------------------------------
def test_a_missing_column_is_named(tmp_path):
    path = tmp_path / "alternative"
    path.write_text("MAPPED_GENE\tMAPPED_TRAIT\tP-VALUE\tSTUDY ACCESSION\nNME1\tx\t1E-8\tG\n")
    with pytest.raises(SyncError, match="lacks column MAPPED_TRAIT_URI"):
        gwas_catalog.read_associations(path)


def test_bad_values_name_the_line(tmp_path):
    path = tmp_path / "alternative"
    head = "MAPPED_GENE\tMAPPED_TRAIT\tMAPPED_TRAIT_URI\tP-VALUE\tSTUDY ACCESSION\n"
    path.write_text(head + "NME1\tx\thttp://www.ebi.ac.uk/efo/EFO_1\tsmall\tG\n")
    with pytest.raises(SyncError, match="line 2: P-VALUE 'small'"):
        gwas_catalog.read_associations(path)
    path.write_text(head + "NME1\tx\tnot a uri\t1E-8\tG\n")
    with pytest.raises(SyncError, match="not an ontology term URI"):
        gwas_catalog.read_associations(path)
    obo = tmp_path / "mondo.obo"
    obo.write_text("format-version: 1.2\n\n[Term]\nid: MONDO:1\n")
    with pytest.raises(SyncError, match="without 'name'"):
        gwas_catalog.read_obo(obo)
    with pytest.raises(SyncError, match="no key 'mapped_genes'"):
        gwas_catalog.tally_api([{"efo_traits": []}], "NME1", "v2")


def test_gene_cells_as_the_samples_write_them():
    assert gwas_catalog.mapped_symbols("PAX5; PAX5; PAX5; PAX5") == {"PAX5"}
    assert gwas_catalog.mapped_symbols("LY86 - BTF3P7") == {"LY86", "BTF3P7"}
    assert gwas_catalog.mapped_symbols("NME1-NME2, NME2") == {"NME1-NME2", "NME2"}
    assert gwas_catalog.mapped_symbols("NR") == set()


def test_recorded_v2_page_parses():
    body = (Path(__file__).parent / "fixtures" / "online" / "routes"
            / "gwas_catalog_v2_associations_efo_MONDO_0005404_TRIMMED.json")
    rows, nxt = gwas_catalog.parse_page(body.read_bytes(), "v2")
    assert len(rows) == 3 and nxt and "page=1" in nxt
    tally = gwas_catalog.tally_api(rows, "TBX20", "v2")
    assert tally.traits == {"MONDO_0005404": [
        "myalgic encephalomeyelitis/chronic fatigue syndrome", 1, 1e-11]}
