"""Bulk review (issue 13 item 6): `writer review accept --clean`, the queue's filters by status,
findings and gene type, "accept all clean drafts shown" with a confirmation, and superseded
drafts. Flagged drafts are never accepted in bulk."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient
from test_review_support import build_fact_store, clean_page, record

from writer.check.models import Finding
from writer.cli import main
from writer.factsheet import FactSheet
from writer.review import service
from writer.review.service import FactSheets
from writer.review.store import Queue
from writer.review.web import create_app


def flag_1337(text: str, sheet: FactSheet | None) -> list[Finding]:
    """Checker double: every "1,337" is a contradicted length."""
    return [Finding(claim="1,337", sentence="", kind="length", status="contradicted",
                    reason="Ensembl 110 gives 1,336 bp", start=m.start(), end=m.end())
            for m in re.finditer(r"1,337", text)]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    facts = build_fact_store(tmp_path / "facts.sqlite")
    queue_path = tmp_path / "queue.sqlite"
    monkeypatch.setenv("GENE_WRITER_FACTS", str(facts))
    monkeypatch.setenv("GENE_WRITER_QUEUE", str(queue_path))
    monkeypatch.setattr(service, "evaluator_check", flag_1337)
    with Queue.open(queue_path) as q:
        q.add_draft(record("MT1G", facts_path=facts), gene_type="protein-coding")   # 1 clean
        bad = clean_page("NME1").replace("1,005", "1,337")
        q.add_draft(record("NME1", text=bad, findings=tuple(flag_1337(bad, None)),  # 2 flagged
                           facts_path=facts), gene_type="protein-coding")
        q.add_draft(record("TP53", facts_path=facts), gene_type="other")            # 3 clean
        q.add_draft(record("MT1G", facts_path=facts), supersede=True)               # 4 clean
    return facts, queue_path


def test_superseded_drafts_leave_the_open_queue_and_cannot_be_accepted(env):
    _, queue_path = env
    with Queue.open(queue_path) as q:
        assert q.status(1) == "superseded" and q.get(4).supersedes == 1
        assert [d.id for d in q.list("pending")] == [2, 3, 4]
        assert [d.id for d in q.list("superseded")] == [1]
    r = CliRunner().invoke(main, ["review", "accept", "1", "--reviewer", "ana"])
    assert r.exit_code == 2 and "superseded by a newer draft" in r.output


def test_accept_clean_accepts_every_clean_pending_draft_and_no_flagged_one(env):
    _, queue_path = env
    r = CliRunner().invoke(main, ["review", "accept", "--clean", "--reviewer", "ana"])
    assert r.exit_code == 0, r.output
    assert "2 clean drafts accepted by ana; 0 left alone" in r.output
    with Queue.open(queue_path) as q:
        assert [q.status(i) for i in (1, 2, 3, 4)] == ["superseded", "pending", "accepted",
                                                       "accepted"]
        assert {q.latest_review(i).reviewer for i in (3, 4)} == {"ana"}
        assert not q.latest_review(4).override
    again = CliRunner().invoke(main, ["review", "accept", "--clean", "--reviewer", "bob"])
    assert again.exit_code == 0 and "0 clean drafts accepted" in again.output


def test_accept_clean_by_gene_type_and_bad_combinations(env):
    _, queue_path = env
    r = CliRunner().invoke(main, ["review", "accept", "--clean", "--type", "other",
                                  "--reviewer", "ana"])
    assert r.exit_code == 0 and "1 clean draft accepted" in r.output
    with Queue.open(queue_path) as q:
        assert q.status(3) == "accepted" and q.status(4) == "pending"
    for args in (["accept", "--reviewer", "ana"], ["accept", "2", "--clean", "--reviewer", "a"],
                 ["accept", "2", "--type", "other", "--reviewer", "a"]):
        r = CliRunner().invoke(main, ["review", *args])
        assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1, r.output


def test_list_filters_by_findings_and_type(env):
    r = CliRunner().invoke(main, ["review", "list", "--findings", "flagged"])
    assert re.search(r"2\s+NME1\s+pending", r.output) and "MT1G" not in r.output
    r = CliRunner().invoke(main, ["review", "list", "--findings", "clean", "--type",
                                  "protein-coding", "--status", "pending"])
    assert r.output.count("\n") == 1 + 0 and "no drafts match" in r.output  # 4 has no type


@pytest.fixture
def client(env):
    facts, queue_path = env
    app = create_app(queue_path, FactSheets(facts), checker=flag_1337,
                     allowed_hosts=["testserver"])
    with TestClient(app, follow_redirects=False) as c:
        yield c


def _token(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m
    return m.group(1)


def test_web_filters_and_accept_all_clean_shown_with_confirmation(client):
    page = client.get("/?findings=flagged").text
    assert page.count('<a href="/drafts/') == 1 and "#2" in page
    assert 'id="accept-clean"' not in page  # nothing clean shown: no bulk button
    page = client.get("/?status=pending&findings=clean").text
    assert page.count('<a href="/drafts/') == 2
    assert "Accept all 2 clean pending drafts shown" in page
    shown = re.findall(r'name="draft" value="(\d+:\d+)"', page)
    assert shown == ["3:0", "4:0"]
    page = client.get("/?type=other").text
    assert page.count('<a href="/drafts/') == 1 and "TP53" in page

    form = {"csrf": _token(page), "reviewer": "ana", "back": "/?status=pending",
            "draft": ["2:0", "3:0", "4:0"]}  # a flagged draft slipped into the form
    confirm = client.post("/accept-clean", data=form)
    assert confirm.status_code == 200 and "Accept 3 clean drafts as ana?" in confirm.text
    assert client.app.state.review.queue.status(3) == "pending"  # nothing done yet
    done = client.post("/accept-clean", data={**form, "confirm": "yes"})
    queue = client.app.state.review.queue
    assert [queue.status(i) for i in (2, 3, 4)] == ["pending", "accepted", "accepted"]
    assert done.status_code == 200 and "left alone: draft 2: pending, 1 findings" in done.text
    # without the anti-forgery token nothing happens
    bad = client.post("/accept-clean", data={**form, "csrf": "0" * 64, "confirm": "yes"})
    assert bad.status_code == 403


def test_web_accept_clean_redirects_back_with_a_note(client):
    page = client.get("/?status=pending&findings=clean").text
    form = {"csrf": _token(page), "reviewer": "ana", "back": "/?status=pending",
            "draft": ["3:0", "4:0"], "confirm": "yes"}
    r = client.post("/accept-clean", data=form)
    assert r.status_code == 303 and r.headers["location"] == "/?status=pending&accepted=2"
    assert "2 clean drafts accepted." in client.get(r.headers["location"]).text
