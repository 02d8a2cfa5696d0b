"""The review web app through Starlette's TestClient: forms, tokens, escaping, concurrency.

The evaluator is replaced here by a small checker double (it flags the number 1,337), so
these tests pin the web rules alone; tests/browser/ runs the real evaluator.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient
from test_review_support import build_fact_store, clean_page, record

from writer.check.models import Finding
from writer.factsheet import FactSheet
from writer.review.service import FactSheets
from writer.review.store import Queue
from writer.review.web import create_app


def flag_1337(text: str, sheet: FactSheet) -> list[Finding]:
    """Checker double: every "1,337" is a contradicted length."""
    return [
        Finding(claim="1,337", sentence="", kind="length", status="contradicted",
                reason=f"{sheet.symbol}: Ensembl 110 gives 1,336 bp",
                start=m.start(), end=m.end())
        for m in re.finditer(r"1,337", text)
    ]


@pytest.fixture
def paths(tmp_path: Path) -> tuple[Path, Path]:
    facts = build_fact_store(tmp_path / "facts.sqlite")
    queue_path = tmp_path / "queue.sqlite"
    with Queue.open(queue_path) as q:
        q.add_draft(record("MT1G", facts_path=facts))
        q.add_draft(record("NME1", facts_path=facts))
        bad = clean_page("MT1G").replace("1,336", "1,337")
        q.add_draft(record("MT1G", text=bad, findings=flag_1337(bad, _sheet(facts)),
                           facts_path=facts))
        q.add_draft(record("TP53", text=clean_page("TP53") + "\n<script>alert('x')</script>\n"
                           "<img src=x onerror=alert(1)> [click](javascript:alert(2))\n",
                           facts_path=facts))
    return facts, queue_path


def _sheet(facts: Path) -> FactSheet:
    from test_review_support import sheet

    return sheet(facts, "MT1G")


@pytest.fixture
def client(paths: tuple[Path, Path]) -> Iterator[TestClient]:
    facts, queue_path = paths
    app = create_app(queue_path, FactSheets(facts), checker=flag_1337,
                     allowed_hosts=["testserver"])
    with TestClient(app, follow_redirects=False) as c:
        yield c


def token(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no anti-forgery token in the form"
    return m.group(1)


def version(html: str) -> str:
    m = re.search(r'name="version" value="(\d+)"', html)
    assert m
    return m.group(1)


def test_queue_page_lists_and_filters(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.text.count('<a href="/drafts/') == 4
    assert "pending: 4" in r.text
    r = client.get("/?gene=mt1g")
    assert r.text.count('<a href="/drafts/') == 2
    r = client.get("/?status=accepted")
    assert "No drafts match these filters" in r.text
    assert "default-src 'none'" in r.headers["content-security-policy"]


def test_draft_page_highlights_findings_and_shows_facts(client: TestClient) -> None:
    r = client.get("/drafts/3")
    assert r.status_code == 200
    assert re.search(r'<mark class="finding contradicted" id="f0"[^>]*>1,337</mark>', r.text)
    assert 'href="#f0"' in r.text
    # the fact sheet beside it, with source links
    assert "Gene length" in r.text and "1,336 bp" in r.text
    assert 'href="https://www.ensembl.org"' in r.text
    assert 'href="https://amigo.geneontology.org/amigo/term/GO:0008270"' in r.text


def test_markup_in_a_draft_is_shown_as_text(client: TestClient) -> None:
    r = client.get("/drafts/4")
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in r.text
    assert "<script>alert" not in r.text
    assert "<img" not in r.text
    assert 'href="javascript:' not in r.text
    # the only script on the page is our own, allowed by its nonce
    nonce = re.search(r"script-src 'nonce-([^']+)'", r.headers["content-security-policy"])
    assert nonce and r.text.count("<script") == 1
    assert f'<script nonce="{nonce.group(1)}">' in r.text


def test_post_without_or_with_wrong_token_is_403(client: TestClient) -> None:
    page = client.get("/drafts/1").text
    form = {"reviewer": "ana", "version": version(page)}
    assert client.post("/drafts/1/accept", data=form).status_code == 403
    assert client.post("/drafts/1/accept", data={**form, "csrf": "0" * 64}).status_code == 403
    # a token is bound to its cookie: another browser's token does not work here
    other = TestClient(client.app, follow_redirects=False)
    other_token = token(other.get("/drafts/1").text)
    assert client.post("/drafts/1/accept", data={**form, "csrf": other_token}).status_code == 403
    # a post from another site is refused even with the token
    r = client.post("/drafts/1/accept", data={**form, "csrf": token(page)},
                    headers={"origin": "https://evil.example"})
    assert r.status_code == 403
    assert client.get("/drafts/1").text.count('class="badge pending"') >= 1
    with Queue.open(client.app.state.review.queue.path) as q:
        assert q.status(1) == "pending"


def test_accept_and_next(client: TestClient) -> None:
    page = client.get("/drafts/1").text
    r = client.post("/drafts/1/accept", data={
        "csrf": token(page), "version": version(page), "reviewer": "ana"})
    assert r.status_code == 303
    assert r.headers["location"] == "/drafts/2?done=1&action=accepted"
    r = client.get(r.headers["location"])
    assert "Draft 1 accepted" in r.text and 'value="ana"' in r.text  # reviewer remembered
    assert client.app.state.review.queue.status(1) == "accepted"


def test_accept_refused_with_findings_unless_overridden(client: TestClient) -> None:
    page = client.get("/drafts/3").text
    form = {"csrf": token(page), "version": version(page), "reviewer": "ana"}
    r = client.post("/drafts/3/accept", data=form)
    assert r.status_code == 422 and "not accepted" in r.text and "1,337" in r.text
    # told what to do on this page, not the command line's flags
    assert "accept despite the findings" in r.text and "--override" not in r.text
    r = client.post("/drafts/3/accept", data={**form, "override": "yes"})
    assert r.status_code == 400 and "say why" in r.text and "--comment" not in r.text
    r = client.post("/drafts/3/accept", data={**form, "override": "yes",
                                               "comment": "checked upstream"})
    assert r.status_code == 303
    review = client.app.state.review.queue.latest_review(3)
    assert review.override and review.comment == "checked upstream" and review.findings
    listing = client.get("/").text  # the queue list marks the override
    row = re.search(r'<a href="/drafts/3">#3</a>.*?</tr>', listing, re.S)
    assert row and 'class="badge override"' in row.group(0)
    assert client.get("/").text.count('class="badge override"') == 1


def test_edit_is_checked_and_shown(client: TestClient) -> None:
    page = client.get("/drafts/1").text
    new = clean_page("MT1G").replace("1,336", "1,337")
    r = client.post("/drafts/1/edit", data={
        "csrf": token(page), "version": version(page), "reviewer": "ana",
        "text": new.replace("\n", "\r\n"), "comment": "typo"})
    assert r.status_code == 303 and r.headers["location"] == "/drafts/1?saved=1"
    r = client.get(r.headers["location"])
    assert "Edit saved" in r.text and '<mark class="finding contradicted"' in r.text
    # word by word: the changed number is marked, not the whole line
    assert "version 1" in r.text and '<span class="wdel">1,336</span>' in r.text
    assert '<span class="wadd">1,337</span>' in r.text
    assert '<div id="edit-diff">' in r.text  # the saved edit's words, beside the controls
    queue = client.app.state.review.queue
    assert queue.status(1) == "edited" and queue.current_text(1) == new  # CRLF normalised


def test_second_curator_on_a_stale_version_is_refused(client: TestClient) -> None:
    ana = client
    bob = TestClient(client.app, follow_redirects=False)
    ana_page = ana.get("/drafts/2").text
    bob_page = bob.get("/drafts/2").text
    r = ana.post("/drafts/2/edit", data={
        "csrf": token(ana_page), "version": version(ana_page), "reviewer": "ana",
        "text": clean_page("NME1") + "\nAna's note.\n"})
    assert r.status_code == 303
    bobs_text = clean_page("NME1") + "\nBob's note.\n"
    r = bob.post("/drafts/2/edit", data={
        "csrf": token(bob_page), "version": version(bob_page), "reviewer": "bob",
        "text": bobs_text})
    assert r.status_code == 409
    assert "changed after you opened it (edited by ana" in r.text
    assert "Bob&#39;s note." in r.text  # his text is kept in the editor, not lost
    assert version(r.text) != version(bob_page)
    queue = client.app.state.review.queue
    assert "Ana's note." in queue.current_text(2) and len(queue.history(2)) == 1
    # a stale accept is refused as well
    r = bob.post("/drafts/2/accept", data={
        "csrf": token(bob_page), "version": version(bob_page), "reviewer": "bob"})
    assert r.status_code == 409 and queue.status(2) == "edited"


def test_unknown_draft_and_hosts(client: TestClient) -> None:
    assert client.get("/drafts/999").status_code == 404
    page = client.get("/drafts/1").text
    r = client.post("/drafts/999/reject", data={"csrf": token(page), "version": "0",
                                                "reviewer": "ana", "comment": "x"})
    assert r.status_code == 404
    # a loopback server answers loopback names only (no DNS rebinding)
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400


def test_shared_secret(paths: tuple[Path, Path]) -> None:
    facts, queue_path = paths
    secret = "correct horse battery staple"
    app = create_app(queue_path, FactSheets(facts), checker=flag_1337, secret=secret)
    with TestClient(app, follow_redirects=False) as c:
        r = c.get("/drafts/1")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert c.post("/drafts/1/reject", data={}).status_code == 401
        login = c.get("/login").text
        assert c.post("/login", data={"csrf": token(login), "secret": "guess"}).status_code == 403
        assert c.post("/login", data={"secret": secret}).status_code == 403  # no token
        r = c.post("/login?next=/drafts/1", data={"csrf": token(login), "secret": secret})
        assert r.status_code == 303 and r.headers["location"] == "/drafts/1"
        assert c.get("/drafts/1").status_code == 200
    with TestClient(app) as script:
        ok = script.get("/", headers={"authorization": f"Bearer {secret}"})
        assert ok.status_code == 200 and "Review queue" in ok.text


def test_serve_refuses_a_public_address_without_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from writer.cli import main

    monkeypatch.delenv("GENE_WRITER_REVIEW_SECRET", raising=False)
    r = CliRunner().invoke(main, ["review", "serve", "--host", "0.0.0.0"])
    assert r.exit_code == 2
    assert "GENE_WRITER_REVIEW_SECRET" in r.output and "Traceback" not in r.output
    monkeypatch.setenv("GENE_WRITER_REVIEW_SECRET", "short")
    assert CliRunner().invoke(main, ["review", "serve", "--host", "192.0.2.1"]).exit_code == 2


def test_controls_and_findings_come_before_the_page_text(client: TestClient) -> None:
    html = client.get("/drafts/3").text
    assert html.index('id="actions"') < html.index('id="findings-panel"') < \
        html.index('id="page"')
    assert html.index('id="accept-form"') < html.index('id="page"')


def test_sources_that_disagree_are_shown_with_both_values(client: TestClient) -> None:
    html = client.get("/drafts/1").text
    box = html[html.index('id="disagreements"'):html.index('id="page"')]
    assert "Ensembl 110: 1,336 bp; org.Hs.eg.db (UCSC): 1,329 bp" in box
    aside = html[html.index('id="factsheet"'):]
    # no green tick beside a disagreement; the agreeing check keeps its tick
    assert "✓ gene length: Ensembl vs org.Hs.eg.db" not in aside
    assert "⚠ gene length: Ensembl vs org.Hs.eg.db: disagrees" in aside
    assert "✓ cytogenetic band vs GRCh38 coordinates: agrees" in aside
    assert 'id="disagreements"' not in client.get("/drafts/2").text  # NME1: none


def test_the_checks_rows_reasons_are_on_the_review_page(paths: tuple[Path, Path]) -> None:
    facts, queue_path = paths
    app = create_app(queue_path, FactSheets(facts), allowed_hosts=["testserver"])  # evaluator
    with TestClient(app, follow_redirects=False) as c:
        html = c.get("/drafts/1").text
    panel = html[html.index('id="checks"'):html.index('id="page"')]
    assert "<td>Sentiment</td><td>neutral</td>" in panel
    assert "VADER compound" in panel  # the reason, for the curator
    assert "Flesch-Kincaid grade per section" in panel
