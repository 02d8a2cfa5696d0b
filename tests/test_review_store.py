"""The review queue's store: schema, append-only rows, derived status, optimistic concurrency."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from pydantic import ValidationError
from test_review_support import record

from writer.check.models import Finding
from writer.draft import DraftRecord
from writer.errors import BadFile, StaleEdit, UnknownDraft, UserInputError
from writer.llm import ModelCall
from writer.review.migrations import MIGRATIONS
from writer.review.store import Queue


@pytest.fixture
def queue(tmp_path: Path) -> Queue:
    with Queue.open(tmp_path / "queue.sqlite") as q:
        yield q


def test_new_file_is_migrated_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "queue.sqlite"
    Queue.open(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    applied = conn.execute("SELECT id, name FROM migrations ORDER BY id").fetchall()
    assert applied == [(n, f.__name__) for n, f in MIGRATIONS]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"drafts", "reviews", "model_calls", "migrations"} <= tables
    # Reopening applies nothing twice.
    Queue.open(path).close()
    assert conn.execute("SELECT count(*) FROM migrations").fetchone()[0] == len(MIGRATIONS)


def test_newer_schema_and_foreign_files_are_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite"
    Queue.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO migrations VALUES (999, 'm0999_future', 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(BadFile, match="newer gene-writer"):
        Queue.open(path)

    junk = tmp_path / "notes.sqlite"
    junk.write_bytes(b"curator notes, not a database\n" * 100)
    before = junk.read_bytes()
    with pytest.raises(BadFile):
        Queue.open(junk)
    assert junk.read_bytes() == before


def test_draft_round_trip_and_evaluator_findings(queue: Queue) -> None:
    finding = Finding(claim="1,337", sentence="The gene length is 1,337 base pairs.",
                      kind="length", status="contradicted", reason="Ensembl 110 gives 1,336 bp",
                      start=10, end=15)
    rec = record("MT1G", findings=(finding,))  # the evaluator's model is the queue's
    draft_id = queue.add_draft(rec)
    got = queue.get(draft_id)
    assert got.id == draft_id and got.status == "pending" and got.version == 0
    assert got.text == rec.text and got.symbol == "MT1G" and got.gene_id == 4495
    assert got.findings == (finding,)
    assert got.sections["function"].phraser == "template"
    assert got.created == rec.created
    assert got.flagged


def test_records_are_strict() -> None:
    with pytest.raises(ValidationError):
        DraftRecord(gene_id=1, symbol="X", text="t", factsheet_hash="h", api_key="sk-1")
    rec = record("MT1G")
    with pytest.raises(ValidationError):
        rec.text = "changed"  # frozen


def test_model_calls_are_logged_without_api_keys(
    queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0123456789abcdef")
    calls = [
        ModelCall(section="function", attempt=1, model="m", prompt="facts...", response="text",
                  prompt_tokens=120, completion_tokens=40, duration_s=0.3),
        ModelCall(section="function", attempt=2, model="m",
                  prompt="Authorization: Bearer sk-test-0123456789abcdef", response=None,
                  duration_s=30.0, error="timeout"),
    ]
    draft_id = queue.add_draft(record("MT1G"), calls)
    logged = queue.model_calls(draft_id)
    assert [c.attempt for c in logged] == [1, 2]
    assert logged[0] == calls[0]
    assert "sk-test" not in logged[1].prompt and "[redacted]" in logged[1].prompt
    raw = queue.path.read_bytes() + Path(str(queue.path) + "-wal").read_bytes()
    assert b"sk-test-0123456789abcdef" not in raw
    with pytest.raises(UnknownDraft):
        queue.add_model_calls(999, calls)


def test_rows_are_append_only(queue: Queue) -> None:
    draft_id = queue.add_draft(record("MT1G"))
    queue.add_review(draft_id, "rejected", "ana", "x", based_on=0, comment="no")
    for sql in ("UPDATE drafts SET text='x'", "DELETE FROM drafts",
                "UPDATE reviews SET action='accepted'", "DELETE FROM reviews"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            queue.conn.execute(sql)
    assert queue.status(draft_id) == "rejected"


def test_status_is_the_latest_review(queue: Queue) -> None:
    a = queue.add_draft(record("MT1G"))
    b = queue.add_draft(record("NME1"))
    assert queue.status(a) == "pending" and queue.current_text(a) == record("MT1G").text
    r1 = queue.add_review(a, "edited", "ana", "new text\n", based_on=0, comment="typo")
    assert r1.diff.startswith(f"--- draft {a}\n+++ final\n")
    assert "+new text" in r1.diff
    assert queue.status(a) == "edited" and queue.current_text(a) == "new text\n"
    r2 = queue.add_review(a, "accepted", "bob", "new text\n", based_on=r1.id)
    assert queue.status(a) == "accepted" and queue.version(a) == r2.id
    assert [r.action for r in queue.history(a)] == ["edited", "accepted"]
    assert queue.counts() == {"pending": 1, "edited": 0, "accepted": 1, "rejected": 0,
                              "superseded": 0}
    assert [d.id for d in queue.list(status="accepted")] == [a]
    assert [d.id for d in queue.list(status="open")] == [b]
    assert queue.next_open() == b and queue.next_open(b) is None


def test_a_stale_save_is_refused(queue: Queue) -> None:
    draft_id = queue.add_draft(record("MT1G"))
    seen = queue.get(draft_id).version  # both curators open version 0
    first = queue.add_review(draft_id, "edited", "ana", "ana's text\n", based_on=seen)
    with pytest.raises(StaleEdit, match="edited by ana"):
        queue.add_review(draft_id, "edited", "bob", "bob's text\n", based_on=seen)
    assert queue.current_text(draft_id) == "ana's text\n"
    assert [r.id for r in queue.history(draft_id)] == [first.id]
    # The file itself refuses two reviews on one version, whatever the caller does.
    with pytest.raises(sqlite3.IntegrityError):
        queue.conn.execute(
            "INSERT INTO reviews (draft_id, action, reviewer, text, diff, findings, "
            "findings_count, created, based_on) VALUES (?, 'accepted', 'eve', '', '', '[]', 0, "
            "'t', 0)", (draft_id,),
        )


def test_listing_filters_and_pages(queue: Queue) -> None:
    ids = [queue.add_draft(record(sym)) for sym in ["MT1G", "NME1", "MT1G", "TP53"] * 5]
    assert queue.count() == 20
    assert [d.id for d in queue.list(limit=5, offset=5)] == ids[5:10]
    assert queue.count(gene="mt1g") == 10 and queue.count(gene="4495") == 10
    assert {d.symbol for d in queue.list(gene="TP53")} == {"TP53"}
    with pytest.raises(UserInputError):
        queue.list(status="maybe")


def test_unknown_draft(queue: Queue) -> None:
    for call in (queue.get, queue.current_text, queue.status, queue.history):
        with pytest.raises(UnknownDraft, match="no draft 42"):
            call(42)
    with pytest.raises(UnknownDraft):
        queue.add_review(42, "accepted", "ana", "x", based_on=0)


# Findings as the queue wrote them before the one Finding model (its ``StoredFinding``,
# dumped with ``exclude_none``): every text field present, offsets, section and key only
# when set. Queue files hold rows like these; they must load, and the file stays as it is.
OLD_FINDINGS = [
    {"claim": "1,337", "sentence": "The gene length is 1,337 base pairs.", "kind": "length",
     "status": "contradicted", "reason": "Ensembl 110 gives 1,336 bp", "start": 10, "end": 15},
    {"claim": "62", "sentence": "", "kind": "coverage", "status": "omitted",
     "reason": "the text leaves out sequence length: 62", "section": "protein",
     "key": "protein.length"},
    {"claim": "", "sentence": "", "kind": "endpoint", "status": "failed",
     "reason": "the model endpoint failed (HTTP 503 after 3 requests)", "section": "function"},
    {"claim": "12,345", "sentence": "It spans 12,345 base pairs.", "kind": "length",
     "status": "replaced", "reason": "the model wrote this claim", "section": "structure"},
    {"claim": "", "sentence": "", "kind": "checks", "status": "unverifiable",
     "reason": "the evaluator is not installed: the page was not checked"},
    {"claim": "x", "sentence": "", "kind": "", "status": "", "reason": ""},  # defaults only
]


def test_old_queue_rows_still_load_and_are_not_changed(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite"
    Queue.open(path).close()
    conn = sqlite3.connect(path)
    old = json.dumps(OLD_FINDINGS)
    conn.execute(
        "INSERT INTO drafts (gene_id, symbol, created, text, factsheet_hash, prompt_hashes, "
        "sections, findings, findings_count, usage, duration_s) VALUES (4495, 'MT1G', "
        "'2025-01-17T08:55:00+00:00', 'page', 'sha256:0', '{}', "
        "'{\"function\": {\"attempts\": 3, \"fell_back\": true, \"model\": \"m\", "
        "\"phraser\": \"openai\"}}', ?, 6, '{}', 1.5)", (old,))
    conn.execute(
        "INSERT INTO reviews (draft_id, action, reviewer, text, diff, comment, findings, "
        "findings_count, override, created, based_on) VALUES (1, 'edited', 'ana', 'page 2', "
        "'', NULL, ?, 1, 0, '2025-01-18T08:55:00+00:00', 0)", (json.dumps(OLD_FINDINGS[:1]),))
    conn.commit()
    conn.close()

    with Queue.open(path) as queue:
        draft = queue.get(1)
        assert all(isinstance(f, Finding) for f in draft.findings)
        first, coverage, endpoint, replaced, checks, odd = draft.findings
        assert first == Finding(**OLD_FINDINGS[0])
        assert (coverage.section, coverage.key, coverage.start) == ("protein", "protein.length",
                                                                    None)
        assert endpoint.status == "failed" and replaced.status == "replaced"
        assert checks.kind == "checks"
        # A row that fits no status of today still loads, and says what was stored.
        assert odd.claim == "x" and odd.status == "unverifiable" and '"status": ""' in odd.reason
        assert draft.sections["function"].fell_back and draft.flagged
        (review,) = queue.history(1)
        assert review.findings == (first,)
        assert queue.current_findings(1) == (first,)
        assert queue.list()[0].findings_count == 1
        # Written again, a finding of the old shape is the same JSON.
        queue.add_review(1, "edited", "bob", "page 3", based_on=review.id,
                         findings=draft.findings[:5])
        (stored,) = queue.conn.execute("SELECT findings FROM reviews WHERE id=2").fetchone()
        assert json.loads(stored) == OLD_FINDINGS[:5]
        (kept,) = queue.conn.execute("SELECT findings FROM drafts WHERE id=1").fetchone()
        assert kept == old  # reading never rewrites a row


def test_a_queue_of_schema_2_is_migrated_and_its_drafts_are_superseded(tmp_path: Path) -> None:
    """Migration 3 (what made a draft, which draft it supersedes) on a queue written before
    it: the old rows load with nothing recorded, so a new draft of their gene is never
    skipped as unchanged, and it supersedes the old pending draft, whose row stays."""
    from writer.review import migrations

    path = tmp_path / "queue.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    old = [m for m in migrations.MIGRATIONS if m[0] <= 2]
    real = migrations.MIGRATIONS
    migrations.MIGRATIONS = old
    try:
        migrations.migrate(conn)
    finally:
        migrations.MIGRATIONS = real
    conn.execute(
        "INSERT INTO drafts (gene_id, symbol, created, text, factsheet_hash, prompt_hashes, "
        "sections, findings, findings_count, usage, duration_s) VALUES "
        "(4495, 'MT1G', '2025-01-17T00:00:00+00:00', 'old page', 'sha256:0', '{}', '{}', "
        "'[]', 0, '{}', 0.1)")
    conn.close()
    with Queue.open(path) as q:
        old_draft = q.get(1)
        assert old_draft.status == "pending" and old_draft.inputs is None
        assert q.latest_inputs() == {4495: (None, "sha256:0", None)}
        new = q.add_draft(record("MT1G"), facts_store="x", gene_type="protein-coding",
                          supersede=True)
        assert q.get(new).supersedes == 1 and q.status(1) == "superseded"
        assert q.get(1).text == "old page"
        assert q.latest_inputs()[4495][2] == "x"
