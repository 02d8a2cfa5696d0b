"""After a data release only the sections whose facts changed are phrased again.

Two real syncs (org.Hs.eg.db from the download cache, Reactome from a local server playing
reactome.org from the recorded fixtures), with one line of each of two genes' Reactome
pathways dropped between them: `writer data diff` counts them, a redraft keeps the other
sections as accepted (the curator's edit included), re-phrases the pathways, checks the
combined page again, and the review page shows the change against the accepted text.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from online_fixtures import FIXTURES, RELEASED, lay_out
from starlette.testclient import TestClient

from writer.cli import main
from writer.config import Settings
from writer.progress import QUIET
from writer.review.service import FactSheets
from writer.review.store import Queue
from writer.review.web import create_app
from writer.sections.checks import with_checks
from writer.store import FactStore
from writer.sync import sync

pytest_plugins = ["httpserver"]

REACTOME = "reactome.org/download/current/NCBI2Reactome_All_Levels.txt"
DROPPED = ("Metallothioneins bind metals", "Metabolism of nucleotides")  # MT1G's, NME1's


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from httpserver import MirrorServer

    with MirrorServer(tmp_path_factory.mktemp("upstream")) as server:
        lay_out(server)
        yield server


def _settings(home: Path) -> Settings:
    return Settings(home=home, facts_path=home / "facts.sqlite",
                    queue_path=home / "queue.sqlite", cache_dir=home / "cache")


def _sync(settings: Settings) -> None:
    sync(settings, ["orgdb-3.16", "reactome"], progress=QUIET, online=True)


def _run(settings: Settings, *args: str, code: int | None = 0) -> str:
    env = {"GENE_WRITER_FACTS": str(settings.facts_path),
           "GENE_WRITER_QUEUE": str(settings.queue_path), "GENE_WRITER_REVIEWER": "ana"}
    result = CliRunner().invoke(main, list(args), env=env)
    if code is not None:
        assert result.exit_code == code, result.output
    return result.stdout


def _paragraph(text: str, start: str) -> str:
    return next(p for p in text.split("\n\n\n") if p.startswith(start))


@pytest.fixture(scope="module")
def released(served, tmp_path_factory, package_cache):
    """Drafts accepted on the first sync (MT1G's function paragraph and NME1's pathways
    paragraph edited by a curator), then a second sync without two Reactome lines."""
    home = tmp_path_factory.mktemp("redraft-home")
    settings = _settings(home)
    (home / "cache").mkdir()
    (home / "cache" / "packages").symlink_to(package_cache / "packages",
                                             target_is_directory=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GENE_WRITER_MIRROR", served.url)
        _sync(settings)
        _run(settings, "draft", "MT1G", "NME1", "TPM4", "--jobs", "1", code=None)
        with Queue.open(settings.queue_path) as q:
            ids = {d.symbol: d.id for d in q.list()}
            texts = {s: q.get(i).text for s, i in ids.items()}
        edits = {"MT1G": ("The gene enables", "MT1G enables"),
                 "NME1": ("In Reactome, NME1 takes part", "According to Reactome, NME1 takes part")}
        for symbol, (old, new) in edits.items():
            assert old in texts[symbol], texts[symbol]
            page = home / f"{symbol}.md"
            page.write_text(texts[symbol].replace(old, new, 1))
            _run(settings, "review", "edit", str(ids[symbol]), "--file", str(page))
            _run(settings, "review", "accept", str(ids[symbol]))
        _run(settings, "review", "accept", str(ids["TPM4"]))  # as drafted
        upstream = served.root / REACTOME
        lines = (FIXTURES / REACTOME).read_text().splitlines(keepends=True)
        upstream.write_text("".join(ln for ln in lines if not any(d in ln for d in DROPPED)))
        os.utime(upstream, (RELEASED + 86_400, RELEASED + 86_400))
        _sync(settings)
        drafted = _run(settings, "draft", "MT1G", "NME1", "TPM4", "--jobs", "1", "--json",
                       code=None)
    return settings, ids, texts, json.loads(drafted)


def test_data_diff_counts_the_genes_and_sections_the_sync_changed(released):
    settings = released[0]
    report = json.loads(_run(settings, "data", "diff", "--json"))
    assert report["genes_changed"] == 2
    assert report["sections"] == {"pathways": 2}
    assert report["genes_added"] == report["genes_removed"] == 0
    text = _run(settings, "data", "diff")
    assert "2 of" in text and "pathways: 2 genes" in text


def test_gene_unchanged_since_its_accepted_page_is_skipped(released):
    """TPM4's Reactome facts are the same (the file's release date changed): its accepted
    page stands, no new draft to review."""
    outcomes = {g["symbol"]: g for g in released[3]["genes"]}
    assert outcomes["TPM4"]["state"] == "skipped"
    assert outcomes["MT1G"]["state"] == "clean"
    assert outcomes["NME1"]["state"] == "flagged"  # the curator's pathways edit is re-phrased


def test_curator_edit_of_an_unchanged_section_is_kept(released):
    settings, ids, _, run = released
    new_id = {g["symbol"]: g.get("draft_id") for g in run["genes"]}["MT1G"]
    with Queue.open(settings.queue_path) as q:
        draft = q.get(new_id)
    assert draft.redraft_of == ids["MT1G"]
    assert draft.sections["function"].reused_from == ids["MT1G"]
    assert draft.sections["pathways"].reused_from is None
    assert "MT1G enables" in draft.text
    old = _paragraph(released[2]["MT1G"], "In Reactome")
    new = _paragraph(draft.text, "In Reactome")
    assert "Metallothioneins bind metals" in old and "Metallothioneins bind metals" not in new
    assert not draft.findings


def test_checks_table_of_the_combined_page_is_recomputed(released):
    settings, _, _, run = released
    new_id = {g["symbol"]: g.get("draft_id") for g in run["genes"]}["MT1G"]
    with Queue.open(settings.queue_path) as q:
        draft = q.get(new_id)
    store = FactStore(settings.facts_path)
    sheet = store.sheet(draft.gene_id)
    fresh, report = with_checks(draft.text, sheet)
    assert fresh == draft.text  # its Checks table is the one the evaluator gives this text
    assert not report.findings


def test_curator_edit_of_a_changed_section_is_a_finding(released):
    settings, ids, _, run = released
    new_id = {g["symbol"]: g.get("draft_id") for g in run["genes"]}["NME1"]
    with Queue.open(settings.queue_path) as q:
        draft = q.get(new_id)
    replaced = [f for f in draft.findings if f.kind == "curator_edit"]
    assert [(f.section, f.status) for f in replaced] == [("pathways", "redrafted")]
    assert str(ids["NME1"]) in replaced[0].reason
    assert "According to Reactome" not in draft.text


def test_review_page_shows_each_section_against_the_accepted_text(released):
    settings, ids, _, run = released
    new_id = {g["symbol"]: g.get("draft_id") for g in run["genes"]}["MT1G"]
    app = create_app(settings.queue_path, FactSheets(settings.facts_path),
                     allowed_hosts=["testserver"])
    with TestClient(app, follow_redirects=False) as client:
        html = client.get(f"/drafts/{new_id}").text
    assert f"Changes since the accepted page (draft <a href=\"/drafts/{ids['MT1G']}\">" in html
    function = html.split('id="redraft-function"', 1)[1].split("</div>", 1)[0]
    assert "unchanged since the accepted page" in function
    pathways = html.split('id="redraft-pathways"', 1)[1].split("</div>", 1)[0]
    assert '<span class="wdel">Metallothioneins</span>' in pathways
    assert '<span class="wdel">R-HSA-5661231</span>' in pathways
    assert "unchanged since" not in pathways


def test_review_show_accepted_prints_the_sections_against_the_accepted_text(released):
    settings, ids, _, run = released
    new_id = {g["symbol"]: g.get("draft_id") for g in run["genes"]}["MT1G"]
    out = _run(settings, "review", "show", str(new_id), "--accepted")
    assert f"against accepted draft {ids['MT1G']}" in out
    assert "unchanged since the accepted page" in out.split("pathways:")[0]
    assert "[-Metallothioneins-]" in out.split("pathways:")[1]
    _run(settings, "review", "show", str(ids["MT1G"]), "--accepted", code=2)  # not a redraft


# --- finding each section in a curator's text ----------------------------------------------------
def _accepted(record, final: str):
    from writer.redraft import AcceptedPage, section_texts

    texts, edited, other = section_texts(record, final)
    return AcceptedPage(draft_id=7, inputs=dict(record.section_inputs),
                        runs=dict(record.sections), texts=texts, edited=frozenset(edited),
                        other_edits=other)


def test_a_section_the_curator_deleted_stays_deleted(factsheet):
    from writer.draft import make_draft

    sheet = factsheet("MT1G")
    first = make_draft(sheet, date="2025-01-17")
    span = first.record.sections["pathways"].span
    final = first.page[:span[0]] + first.page[span[1] + 3:]  # the paragraph and its separator
    accepted = _accepted(first.record, final)
    assert accepted.texts["pathways"] == "" and "pathways" in accepted.edited
    again = make_draft(sheet, date="2025-01-17", accepted=accepted)
    assert first.page[span[0]:span[1]] not in again.page
    assert again.record.sections["pathways"].reused_from == 7
    assert again.record.sections["function"].reused_from == 7


def test_merged_paragraphs_are_phrased_again_with_a_finding(factsheet):
    from writer.draft import SEP, make_draft

    sheet = factsheet("MT1G")
    first = make_draft(sheet, date="2025-01-17")
    end = first.record.sections["function"].span[1]
    final = first.page[:end] + " " + first.page[end + len(SEP):]  # function + structure as one
    accepted = _accepted(first.record, final)
    assert accepted.texts["function"] is None and accepted.texts["structure"] is None
    again = make_draft(sheet, date="2025-01-17", accepted=accepted)
    assert again.page == first.page  # both phrased again by the template, as drafted
    assert {f.section for f in again.record.findings if f.status == "redrafted"} == {
        "function", "structure"}
