"""Online sources against a local server playing their upstream from fixtures in the recorded
formats: the bulk sync, what a second sync transfers, a failed sync, one gene on demand, the
parsers' loud failures, and the golden online facts of the panel."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from online_fixtures import ONE_GENE, ONLINE_IDS, PANEL_GENES, lay_out, online_part, sync_online

from writer.cli import main
from writer.config import Settings
from writer.errors import NetworkError, SyncError, UserInputError
from writer.progress import QUIET
from writer.sources import gene_ontology, icite, ncbi_gene, pubtator3, reactome
from writer.sources.online import columns, read_table
from writer.store import FactStore
from writer.sync import sync

pytest_plugins = ["httpserver"]

PANEL = Path(__file__).parent.parent / "facts" / "panel" / "online"


def online_settings(home: Path, mirror_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("GENE_WRITER_MIRROR", mirror_url)
    settings = Settings(home=home, facts_path=home / "facts.sqlite",
                        queue_path=home / "queue.sqlite", cache_dir=home / "cache")
    assert settings.http.mirror == mirror_url  # read now, while the variable is set
    return settings


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from httpserver import MirrorServer

    with MirrorServer(tmp_path_factory.mktemp("upstream")) as server:
        lay_out(server)
        yield server


@pytest.fixture(scope="module")
def online_store(served, tmp_path_factory, package_cache) -> Settings:
    """org.Hs.eg.db (identity) plus every online source, synced through the mirror."""
    with pytest.MonkeyPatch.context() as mp:
        settings = online_settings(tmp_path_factory.mktemp("online-home"), served.url, mp)
        sync_online(settings, package_cache)
    return settings


# --- the bulk sync --------------------------------------------------------------------------------
def test_online_facts_replace_offline_ones_with_a_cross_check(online_store):
    store = FactStore(online_store.facts_path)
    tpm4 = store.sheet(store.resolve("TPM4"))
    band = tpm4.get("identity.band")
    assert band.source == "ncbi-gene" and band.value == "19p13.12"
    replaced = [c for c in band.checks if "NCBI Gene today" in c.name]
    assert replaced and replaced[0].status == "disagree"
    assert "19p13.12-p13.11" in replaced[0].detail
    assert "gene_info 2026-07-01" in tpm4.sources["ncbi-gene"].version


def test_gene2go_with_go_names_drops_not_qualifiers(online_store):
    store = FactStore(online_store.facts_path)
    mt1g = store.sheet(store.resolve("MT1G"))
    cc = mt1g.get("function.cellular_component")
    assert cc.source == "ncbi-gene"
    ids = [i.id for i in cc.value]
    assert "GO:0005576" not in ids  # NOT|located_in extracellular region
    assert ids == sorted(ids)


def test_literature_counts_years_and_top_papers(online_store):
    store = FactStore(online_store.facts_path)
    nme1 = store.sheet(store.resolve("NME1"))
    assert nme1.value("literature.publication_count") == 12
    assert nme1.value("literature.mention_count") == 17
    assert nme1.get("literature.year_range").source == "icite"
    mt1g = store.sheet(store.resolve("MT1G"))
    top = mt1g.value("publications.top")
    assert len(top) == 5
    assert "33653779" not in [p.id for p in top]  # provisional RCR 25: not ranked
    assert [p.value for p in top] == sorted((p.value for p in top), reverse=True)
    assert all(p.year and p.url.endswith(p.id) for p in top)


def test_reactome_lowest_level_and_top_level(online_store):
    store = FactStore(online_store.facts_path)
    nme1 = store.sheet(store.resolve("NME1"))
    assert [i.id for i in nme1.value("pathways.reactome")] == ["R-HSA-499943"]
    assert [i.name for i in nme1.value("pathways.reactome_categories")] == ["Metabolism"]
    everything = {i.id for i in nme1.value("pathways.reactome_all")}
    assert everything == {"R-HSA-499943", "R-HSA-15869", "R-HSA-1430728"}  # no zebrafish rows
    lowest = nme1.value("pathways.reactome")[0]
    assert lowest.evidence == ("IEA", "TAS")


def test_template_page_of_online_facts_is_fully_traced(online_store):
    from writer.draft import make_draft

    store = FactStore(online_store.facts_path)
    for symbol in PANEL_GENES:
        result = make_draft(store.sheet(store.resolve(symbol)), date="2026-07-01 10:00 UTC")
        assert result.report.findings == [], (symbol, result.report.findings)
    page = make_draft(store.sheet(store.resolve("NME1")), date="2026-07-01 10:00 UTC").page
    assert "middle 50% published between" in page and "Reactome" in page


def test_wrong_year_rcr_title_and_pathway_are_caught(online_store):
    from writer.check import check
    from writer.draft import make_draft

    store = FactStore(online_store.facts_path)
    sheet = store.sheet(store.resolve("MT1G"))
    page = make_draft(sheet, date="2026-07-01 10:00 UTC").page
    top = sheet.value("publications.top")[0]
    span = sheet.value("literature.year_range").split("-")
    injected = {
        f"between {span[0]} and": "between 1961 and",
        f"RCR {top.value:g}": "RCR 99.5",
        top.name: "A famous paper that is not on the sheet.",
        "[Metallothioneins bind metals]": "[Wnt signaling]",
    }
    for old, new in injected.items():
        assert old in page, old
        report = check(page.replace(old, new, 1), sheet)
        assert any(f.claim.strip("[]") in new for f in report.findings), (new, report.findings)


def test_data_status_shows_online_sources_with_retrieval_and_staleness(online_store,
                                                                       monkeypatch):
    monkeypatch.setenv("GENE_WRITER_FACTS", str(online_store.facts_path))
    result = CliRunner().invoke(main, ["data", "status", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.output)["sources"]}
    assert rows["icite"]["kind"] == "online" and rows["icite"]["retrieved_at"]
    assert rows["reactome"]["stale"] is None
    assert rows["orgdb-3.16"]["kind"] == "offline"
    text = CliRunner().invoke(main, ["data", "status"]).output
    assert "reactome (online)" in text and "retrieved" in text


def test_staleness_after_the_catalogue_limit():
    from datetime import UTC, datetime, timedelta

    from writer.sources.online import staleness

    old = (datetime.now(UTC) - timedelta(days=45)).isoformat()
    assert "45 days ago" in staleness({"id": "icite", "retrieved_at": old})
    assert staleness({"id": "orgdb-3.16", "retrieved_at": None}) is None


def test_second_sync_transfers_only_headers_and_new_papers(online_store, served, monkeypatch):
    before = len(served.requests)
    settings = Settings(home=online_store.home, facts_path=online_store.home / "second.sqlite",
                        queue_path=online_store.queue_path, cache_dir=online_store.cache_dir)
    monkeypatch.setenv("GENE_WRITER_MIRROR", served.url)
    sync(settings, ["orgdb-3.16", *ONLINE_IDS], progress=QUIET, online=True)
    second = served.requests[before:]
    assert {r.method for r in second} == {"HEAD"}  # no body: files unchanged, iCite records fresh
    assert sum(r.body_bytes for r in second) == 0


@pytest.mark.parametrize("ranges", [True, False])
def test_a_file_whose_server_refuses_head_is_not_downloaded_again(mirror, tmp_path, ranges):
    """figshare's downloads redirect to storage URLs signed for GET only: HEAD is a 403. An
    unchanged file is then confirmed by a conditional GET of one byte (a 304), never sent
    again; a changed one is downloaded."""
    from writer.http import Fetcher, HttpSettings
    from writer.sources.online import Remote, refresh_file

    url = "https://plus.figshare.com/ndownloader/files/35773217"
    mirror.put_file(url, b"x" * 100_000)
    mirror.head_status, mirror.ranges = 403, ranges
    remote, dest = Remote("K562_gwps", url), tmp_path / "file.h5ad"
    settings = HttpSettings(mirror=mirror.url, email=None, ncbi_api_key=None,
                            cache_dir=tmp_path / "http")
    with Fetcher(settings) as fetcher:
        assert refresh_file(fetcher, remote, dest).downloaded
        before = len(mirror.requests)
        again = refresh_file(fetcher, remote, dest)
        asked = mirror.requests[before:]
        assert not again.downloaded and dest.read_bytes() == b"x" * 100_000
        assert [(r.method, r.status) for r in asked] == [("HEAD", 403), ("GET", 304)]
        assert sum(r.body_bytes for r in asked) == 0

        mirror.put_file(url, b"y" * 100_001)
        assert refresh_file(fetcher, remote, dest).downloaded
        assert dest.read_bytes() == b"y" * 100_001


def test_failed_online_sync_keeps_the_previous_store(online_store, served, monkeypatch,
                                                      tmp_path):
    target = tmp_path / "facts.sqlite"
    settings = Settings(home=tmp_path, facts_path=target, queue_path=tmp_path / "q.sqlite",
                        cache_dir=tmp_path / "cache")
    target.write_bytes(online_store.facts_path.read_bytes())
    before = target.read_bytes()
    monkeypatch.setenv("GENE_WRITER_MIRROR", served.url)
    served.fail_next(20, status=503, match="reactome.org")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "packages").symlink_to(online_store.cache_dir / "packages")
    with pytest.raises(NetworkError, match="reactome.org"):
        sync(settings, ["orgdb-3.16", "reactome"], progress=QUIET, online=True)
    served.fail_next(0)
    assert target.read_bytes() == before
    assert not list(tmp_path.glob("*.partial"))


def test_online_source_needs_the_flag(tmp_path):
    with pytest.raises(UserInputError, match="online: add --online"):
        sync(Settings(home=tmp_path, facts_path=tmp_path / "f", queue_path=tmp_path / "q",
                      cache_dir=tmp_path / "c"), ["reactome"], progress=QUIET)


# --- the golden panel's online facts --------------------------------------------------------------
@pytest.mark.parametrize("symbol", PANEL_GENES)
def test_online_facts_match_the_golden_panel(online_store, symbol):
    store = FactStore(online_store.facts_path)
    fresh = online_part(store.sheet(store.resolve(symbol)))
    golden = json.loads((PANEL / f"{symbol}.json").read_text())
    assert fresh == golden


# --- one gene on demand ---------------------------------------------------------------------------
def test_facts_online_fetches_one_gene_and_caches_it(facts_env, mirror, monkeypatch):
    lay_out(mirror)
    monkeypatch.setenv("GENE_WRITER_MIRROR", mirror.url)
    result = CliRunner().invoke(main, ["facts", str(ONE_GENE), "--online", "--json"])
    assert result.exit_code == 0, result.output
    sheet = json.loads(result.output)
    facts = sheet["facts"]
    assert facts["identity.symbol"]["source"] == "ncbi-gene"
    assert facts["literature.publication_count"]["value"] == 8
    assert facts["literature.mention_count"]["value"] == 136  # the recorded search answer
    assert facts["literature.mention_year_range"]["value"] == "2020-2023"
    assert "39012345" not in [p["id"] for p in facts["publications.top"]["value"]]
    assert facts["pathways.reactome"]["value"][0]["id"] == "R-HSA-390522"
    assert facts["atlas.subcellular_location"]["value"][0]["name"] == "Actin filaments"
    assert facts["atlas.expression_clusters"]["source"] == "hpa"  # the per-gene JSON
    assert "retrieved" in sheet["sources"]["ncbi-gene"]["version"]
    band = facts["identity.band"]
    assert band["checks"][0]["status"] == "agree"  # esummary's band is org.Hs.eg.db's
    asked = len(mirror.requests)
    again = CliRunner().invoke(main, ["facts", "TPM4", "--online"])
    assert again.exit_code == 0 and "per-gene API, retrieved" in again.output
    assert len(mirror.requests) == asked  # cached: nothing asked again


def test_facts_online_bad_mirror_is_one_line(facts_env, monkeypatch):
    monkeypatch.setenv("GENE_WRITER_MIRROR", "ftp://nowhere")
    result = CliRunner().invoke(main, ["facts", "TPM4", "--online"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "GENE_WRITER_MIRROR" in result.output


# --- parsers fail loudly --------------------------------------------------------------------------
def test_a_missing_column_is_named(tmp_path):
    path = tmp_path / "gene_info.gz"
    path.write_bytes(gzip.compress(b"#tax_id\tGeneID\tSymbol\n9606\t1\tA1BG\n"))
    with pytest.raises(SyncError, match="lacks column Synonyms, dbXrefs"):
        ncbi_gene.read_gene_info(path)
    assert columns("#Format: tax_id GeneID Ensembl_gene_identifier (tab is used)",
                   ["GeneID"], "gene2ensembl")["GeneID"] == 1
    short = tmp_path / "g2p"
    short.write_text("#tax_id\tGeneID\tPubMed_ID\n9606\t1\n")
    with pytest.raises(SyncError, match="line 2: 2 columns, expected at least 3"):
        list(read_table(short, ["tax_id", "GeneID", "PubMed_ID"], "gene2pubmed"))


def test_gene2go_needs_its_category_column(tmp_path):
    path = tmp_path / "gene2go"
    path.write_text("#tax_id\tGeneID\tGO_ID\tEvidence\tQualifier\tGO_term\tPubMed\n")
    with pytest.raises(SyncError, match="lacks column Category"):
        ncbi_gene.read_gene2go(path)


def test_headerless_files_check_each_row(tmp_path):
    bad = tmp_path / "NCBI2Reactome_All_Levels.txt"
    bad.write_text("4830\tR-HSA-1\thttps://x\tName\tTAS\n")
    with pytest.raises(SyncError, match="line 1: 5 columns, expected 6"):
        reactome.read_gene_pathways(bad)
    bad.write_text("4830\tHSA-1\thttps://x\tName\tTAS\tHomo sapiens\n")
    with pytest.raises(SyncError, match="not a Reactome stable ID"):
        reactome.read_gene_pathways(bad)
    pt = tmp_path / "gene2pubtator3"
    pt.write_text("123\tGene\t4830\tNM23\n")
    with pytest.raises(SyncError, match="4 columns, expected 5"):
        list(pubtator3.read_gene2pubtator(pt, {4830}))
    obo = tmp_path / "go.obo"
    obo.write_text("data-version: releases/2026-01-01\n\n[Term]\nid: GO:1\nnamespace: x\n")
    with pytest.raises(SyncError, match="without 'name'"):
        gene_ontology.read_obo(obo)


def test_rows_a_prefilter_skips_are_still_counted(tmp_path):
    """A cut or foreign file shows in the rows a reader skips without splitting, by the one
    rule of the kept rows: Reactome's headerless file exactly, a headed table at least."""
    gene_pathways = tmp_path / "NCBI2Reactome_All_Levels.txt"
    gene_pathways.write_text("4830\tR-HSA-1\thttps://x\tName\tTAS\tHomo sapiens\n"
                             "4831\tR-HSA-2\thttps://x\tName\tTAS\n")
    with pytest.raises(SyncError, match="line 2: 5 columns, expected 6"):
        reactome.read_gene_pathways(gene_pathways, only=4830)  # line 2 is another gene's
    table = tmp_path / "gene2pubmed"
    table.write_text("#tax_id\tGeneID\tPubMed_ID\n9606\t1\t10\n10090\t2\n")
    with pytest.raises(SyncError, match="line 3: 2 columns, expected at least 3"):
        list(read_table(table, ["tax_id", "GeneID", "PubMed_ID"], "gene2pubmed",
                        keep=lambda line: line.startswith("9606\t")))
    table.write_text("#tax_id\tGeneID\tPubMed_ID\n9606\t1\t10\n10090\t2\t11\textra\n")
    assert list(read_table(table, ["tax_id", "GeneID", "PubMed_ID"], "gene2pubmed",
                           keep=lambda line: line.startswith("9606\t"))) == [
        {"tax_id": "9606", "GeneID": "1", "PubMed_ID": "10"}]


def test_json_answers_name_a_missing_key():
    with pytest.raises(SyncError, match="no key 'relative_citation_ratio'"):
        icite.parse_pubs(b'{"data": [{"pmid": 1, "year": 2000, "title": "t", '
                         b'"provisional": "No"}]}')
    assert icite.parse_pubs(b'{"data": [{"pmid": 1, "year": 2000, "title": "t", '
                            b'"relative_citation_ratio": null, "provisional": true}]}') == [
        (1, 2000, None, "t", True)]
    with pytest.raises(SyncError, match="cannot get document summary"):
        ncbi_gene.parse_esummary(b'{"result":{"uids":["4"],"4":{"uid":"4","error":'
                                 b'"cannot get document summary"}}}', 4)
    assert ncbi_gene.parse_elink(b'{"linksets":[{"dbfrom":"gene","ids":["9"]}]}', 9) == []
    with pytest.raises(SyncError, match="no key 'linksets'"):
        ncbi_gene.parse_elink(b'{"header":{}}', 9)


def test_pubtator_years_only_when_the_facet_covers_every_paper():
    body = json.dumps({"count": 5, "facets": {"facet_fields": {"year": [
        {"name": "2020", "type": "int", "value": 3}]}}}).encode()
    assert pubtator3.parse_search(body, "X") == (5, None)


@pytest.mark.parametrize(("counts", "expected"), [
    ({1980: 1}, (1980, 1980, 1980)),
    ({1990: 1, 2000: 1, 2010: 1, 2020: 1}, (1990, 1990, 2010)),
    ({1980: 1, 1997: 10, 2009: 10, 2020: 1}, (1980, 1997, 2009)),
])
def test_middle_half_of_years(counts, expected):
    assert icite.year_summary(counts) == expected


# --- the Human Protein Atlas ----------------------------------------------------------------------
def test_protein_atlas_fields_by_column_name(online_store):
    store = FactStore(online_store.facts_path)
    nme1 = store.sheet(store.resolve("NME1"))
    assert [i.name for i in nme1.value("atlas.protein_class")] == [
        "Cancer-related genes", "Enzymes", "Plasma proteins", "Predicted intracellular proteins"]
    assert nme1.value("atlas.evidence") == "Evidence at protein level"
    assert nme1.value("atlas.rna_tissue_distribution") == "Detected in all"
    clusters = {i.id: (int(i.value), i.name) for i in nme1.value("atlas.expression_clusters")}
    assert clusters["blood"] == (13, "Non-specific - Mitochondria")
    assert set(clusters) == {"tissue", "brain", "blood", "cell line", "single cell"}
    assert [i.name for i in nme1.value("atlas.subcellular_location")] == ["Cytosol"]
    link = nme1.get("atlas.evidence").links[0].url
    assert link == "https://v24.proteinatlas.org/ENSG00000239672-NME1"
    assert "v24 proteinatlas.tsv of 2026-07-01" in nme1.sources["hpa"].version
    mt1g = store.sheet(store.resolve("MT1G"))
    assert mt1g.get("atlas.subcellular_location") is None  # an empty cell is no value


def test_protein_atlas_paragraph_and_its_errors(online_store):
    from writer.check import check
    from writer.draft import make_draft

    store = FactStore(online_store.facts_path)
    sheet = store.sheet(store.resolve("NME1"))
    page = make_draft(sheet, date="2026-07-01 10:00 UTC").page
    assert "cluster 13 of the blood atlas (Non-specific - Mitochondria)" in page
    assert "(v24)" in page and "subcellular main location is cytosol" in page
    injected = {
        "cluster 13 of the blood": "cluster 31 of the blood",
        "cluster 17 of the tissue": "cluster 17 of the blood",
        "location is cytosol": "location is nucleoli",
        "enzymes,": "transporters,",
        '"Detected in all"': '"Detected in many"',
    }
    for old, new in injected.items():
        assert old in page, old
        report = check(page.replace(old, new, 1), sheet)
        assert any(f.kind == "atlas" and f.status == "contradicted" for f in report.findings), (
            new, report.findings)


def test_protein_atlas_names_in_a_reference_style_paragraph(online_store):
    """The reference page's wording: its cluster numbers and atlases trace, its cluster
    descriptions are not taken for GO terms, GTEx tissues or HPO diseases."""
    from writer.check import check

    store = FactStore(online_store.facts_path)
    sheet = store.sheet(store.resolve("NME1"))
    para = ("[NME1](https://www.proteinatlas.org/ENSG00000239672-NME1) is an enzyme with "
            "evidence at protein level. The gene is detected in all RNA tissue distributions and "
            "is primarily localized in the cytosol. Its expression is notable in Cluster 13 for "
            "non-specific mitochondrial function in blood, Cluster 17 for neuronal and synaptic "
            "function in tissues, and Cluster 27 for breast cancer in cell lines.\n")
    assert check(para, sheet).findings == []
    wrong = para.replace("Cluster 27 for breast", "Cluster 72 for breast")
    assert [f.claim for f in check(wrong, sheet).findings] == ["Cluster 72"]


def test_protein_atlas_needs_every_column(tmp_path):
    from writer.sources import hpa

    header = [c for c in hpa.COLUMNS if c != "Blood expression cluster"]
    path = tmp_path / "proteinatlas.tsv"
    path.write_text("\t".join(header) + "\n")
    with pytest.raises(SyncError, match="lacks column Blood expression cluster"):
        list(hpa.read_atlas(path))
    with pytest.raises(SyncError, match="no key 'Subcellular main location'"):
        hpa.parse_gene_json(json.dumps({c: None for c in header if c != hpa.MAIN_LOCATION}
                                       | {"Blood expression cluster": None}).encode(), "hpa")


def test_protein_atlas_is_named_in_the_closing_note_without_it(factsheet):
    from writer.draft import make_draft

    page = make_draft(factsheet("MT1G"), date="2026-07-01 10:00 UTC").page
    note = [p for p in page.split("\n\n") if "Left out" in p][0]
    assert "protein atlas (Human Protein Atlas)" in note


# --- transcription factors (TFLink) ---------------------------------------------------------------
def test_tflink_chip_pairs_ranked_by_databases(online_store):
    store = FactStore(online_store.facts_path)
    nme1 = store.sheet(store.resolve("NME1"))
    tfs = nme1.value("regulation.chipseq_tfs")
    assert [(i.name, i.id, int(i.value)) for i in tfs][:3] == [
        ("YY1", "7528", 3), ("EP300", "2033", 2), ("RUNX1", "861", 2)]
    assert "MYC" not in [i.name for i in tfs]  # curated (TRRUST) only, no ChIP
    assert all(i.url == f"https://www.ncbi.nlm.nih.gov/gene/{i.id}" for i in tfs)
    assert nme1.value("regulation.chipseq_tf_count") == 5  # the row without a TF ID is left out
    assert tfs[0].evidence == ("GTRD", "ReMap", "TRRUST")


def test_tf_paragraph_links_symbols_and_catches_errors(online_store):
    from writer.check import check
    from writer.draft import make_draft

    store = FactStore(online_store.facts_path)
    sheet = store.sheet(store.resolve("MT1G"))
    page = make_draft(sheet, date="2026-07-01 10:00 UTC").page
    assert "[SUZ12](https://www.ncbi.nlm.nih.gov/gene/23512) (2 databases: GTRD, ReMap)" in page
    assert "In [TFLink](https://tflink.net/) (v1.0)" in page and "23512" not in page.replace(
        "gene/23512", "")  # no raw IDs in the text
    injected = {
        "[SUZ12]": "[SUZ21]",
        "(2 databases: GTRD, ReMap), [SUZ12]": "(3 databases: GTRD, ReMap), [SUZ12]",
        "gene/23512": "gene/23513",
        "5 transcription factors": "6 transcription factors",
    }
    for old, new in injected.items():
        assert old in page, old
        report = check(page.replace(old, new, 1), sheet)
        assert any(f.status == "contradicted" for f in report.findings), (new, report.findings)
    # the reference page's wording: experiments are not what TFLink counts
    ref = ("The top transcription factors (TFs) identified from the GTRD database, based on the "
           "number of ChIP-seq experiments, include [ESR1](https://www.ncbi.nlm.nih.gov/gene/2099)"
           " and [SUZ12](https://www.ncbi.nlm.nih.gov/gene/23512), each with 4 experiments.\n")
    found = check(ref, sheet).findings
    assert [(f.claim, f.status) for f in found] == [("4 experiments", "unverifiable")]
    assert "not ChIP-seq experiments" in found[0].reason


def test_tflink_needs_its_columns(tmp_path):
    from writer.sources import tflink

    path = tmp_path / "tflink.tsv"
    path.write_text("NCBI.GeneID.TF\tNCBI.GeneID.Target\tName.TF\tDetection.method\tOrganism\n")
    with pytest.raises(SyncError, match="lacks column Source.database"):
        tflink.read_interactions(path)
