"""Many genes in one `writer draft` (issue 13 items 1-2): GENE..., --file, --all, --jobs,
the summary and exit codes, skipping unchanged genes, resuming, superseding pending drafts."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

import writer
from writer.bulk import BulkResult, Outcome, read_queries
from writer.cli import main
from writer.progress import Progress
from writer.review.store import Queue

GENES = ["MT1G", "NME1", "KRAS", "GAPDH"]


@pytest.fixture
def env(facts_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    queue = tmp_path / "queue.sqlite"
    monkeypatch.setenv("GENE_WRITER_QUEUE", str(queue))
    return replace(facts_env, queue_path=queue)


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def drafts_per_gene(queue_path: Path) -> dict[str, int]:
    with Queue.open(queue_path) as q:
        rows = q.conn.execute("SELECT symbol, count(*) FROM drafts GROUP BY symbol").fetchall()
    return dict(rows)


def test_many_genes_one_bad_query_does_not_stop_the_run(env):
    code, out, err = run("draft", *GENES, "NOSUCHGENE", "--date", "2025-01-17", "--jobs", "2")
    assert code == 2  # a bad query is bad input, but every other gene was drafted
    assert out == ""  # pages go to the queue, not to standard output
    lines = err.strip().splitlines()
    assert lines[0].startswith("writer: 5 genes in ")
    assert "4 drafted clean, 0 flagged" in lines[0] and "1 failed" in lines[0]
    assert lines[-1] == "writer: failed: NOSUCHGENE: unknown gene 'NOSUCHGENE'."
    assert drafts_per_gene(env.queue_path) == dict.fromkeys(GENES, 1)


def test_a_rerun_skips_unchanged_genes_and_force_supersedes(env):
    assert run("draft", *GENES, "--date", "2025-01-17")[0] == 0
    code, _, err = run("draft", *GENES, "--date", "2025-01-18")
    assert code == 0
    assert "0 drafted clean" in err and "4 skipped (unchanged" in err
    assert drafts_per_gene(env.queue_path) == dict.fromkeys(GENES, 1)

    # A different phrasing input (tags are in the front matter) is not "unchanged".
    code, _, err = run("draft", *GENES, "--tags", "genome", "--date", "2025-01-18")
    assert "4 drafted clean" in err and "4 new drafts supersede a pending draft" in err
    code, _, err = run("draft", *GENES, "--tags", "genome", "--force", "--date", "2025-01-19")
    assert "4 drafted clean" in err

    with Queue.open(env.queue_path) as q:
        pending = q.list(status="pending")
        assert sorted(d.symbol for d in pending) == sorted(GENES)  # one pending per gene
        assert q.count("superseded") == 8
        newest = q.get(pending[0].id)
        older = q.get(newest.supersedes)
        assert older.status == "superseded" and older.gene_id == newest.gene_id
        assert q.counts()["superseded"] == 8 and q.counts()["pending"] == 4
        assert q.next_open() in {d.id for d in pending}


def test_a_reviewed_draft_is_not_superseded(env):
    assert run("draft", "MT1G", "--date", "2025-01-17")[0] == 0
    with Queue.open(env.queue_path) as q:
        first = q.list()[0].id
        q.add_review(first, "rejected", "ana", q.current_text(first), based_on=0,
                     comment="no")
    code, _, err = run("draft", "MT1G", "--date", "2025-01-18")
    assert code == 0 and "superseding" not in err
    with Queue.open(env.queue_path) as q:
        assert q.status(first) == "rejected"
        assert [d.status for d in q.list()] == ["rejected", "pending"]


def test_a_second_single_draft_says_it_supersedes_the_pending_one(env):
    run("draft", "MT1G", "--date", "2025-01-17")
    code, out, err = run("draft", "MT1G", "--date", "2025-01-17")
    assert code == 0 and out.startswith("---\n")  # one gene: the page, as always
    assert err.strip() == ("writer: draft 2 (superseding pending draft 1) of MT1G queued, "
                           "every claim traced")
    with Queue.open(env.queue_path) as q:
        assert q.status(1) == "superseded" and q.history(1) == []
        assert q.get(1).text.startswith("---\n")  # the older draft's row stays


def test_file_and_standard_input_with_comments(env, tmp_path):
    listing = tmp_path / "genes.txt"
    listing.write_text("# my genes\nMT1G\n\n  4830  # NME1 by its NCBI ID\nmt1g\n")
    assert read_queries(str(listing)) == ["MT1G", "4830", "mt1g"]
    code, _, err = run("draft", "--file", str(listing), "--date", "2025-01-17")
    assert code == 0 and err.startswith("writer: 2 genes in ")  # MT1G named twice: once
    code, _, err = run("draft", "--file", "-", "--date", "2025-01-17", stdin="KRAS\nMT1G\n")
    assert code == 0 and "1 drafted clean" in err and "1 skipped" in err
    code, _, err = run("draft", "--file", str(tmp_path / "missing.txt"))
    assert code == 2 and err.startswith("writer: cannot read ") and len(err.splitlines()) == 1


def test_all_of_a_type_in_worker_processes(env, store):
    code, _, err = run("draft", "--all", "--type", "scRNA", "--jobs", "2", "--json",
                       "--date", "2025-01-17")
    n = len(store.gene_ids("scRNA"))
    assert n >= 2
    data = json.loads(CliRunner().invoke(main, ["draft", "--all", "--type", "scRNA",
                                                "--json"]).stdout)
    assert data["counts"]["skipped"] == n and data["exit_code"] == 0
    assert code == 0 and f"{n} drafted clean" in err
    assert sorted(drafts_per_gene(env.queue_path).values()) == [1] * n


def test_bad_options_are_one_line_exit_2(env):
    for args, message in [
        (["draft", "--all", "--type", "nonsense"], "unknown gene type 'nonsense': use one of "),
        (["draft"], "no gene given: name genes, --file FILE or --all"),
        (["draft", "MT1G", "NME1", "--out", "x.md"], "--out takes one gene"),
    ]:
        code, _, err = run(*args)
        assert code == 2 and err.startswith(f"writer: {message}"), err
        assert len(err.strip().splitlines()) == 1


def test_a_killed_run_continues_where_it_stopped_without_duplicates(env, store, tmp_path):
    genes = [str(g) for g in store.gene_ids("protein-coding")[:40]]
    listing = tmp_path / "genes.txt"
    listing.write_text("\n".join(genes) + "\n")
    args = [sys.executable, "-m", "writer.cli", "draft", "--file", str(listing), "--jobs", "1",
            "--date", "2025-01-17"]
    proc = subprocess.Popen(args, env=dict(os.environ), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if env.queue_path.exists():
            with Queue.open(env.queue_path) as q:
                done = q.count()
            if done >= 3:
                break
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with Queue.open(env.queue_path) as q:
        before = q.count()
    assert before > 0
    code, _, err = run("draft", "--file", str(listing), "--date", "2025-01-17")
    assert code in (0, 1)
    assert f"{before} skipped" in err
    per_gene = drafts_per_gene(env.queue_path)
    assert len(per_gene) == 40 and set(per_gene.values()) == {1}


def test_the_python_api(env):
    result = writer.draft_many(["MT1G", "NOSUCHGENE"], settings=env, date="2025-01-17")
    assert isinstance(result, BulkResult)
    assert [o.state for o in result.outcomes] == ["failed", "clean"]
    assert result.exit_code == 2 and result.outcomes[1].draft_id == 1
    again = writer.draft_many(["MT1G"], settings=env)
    assert again.counts()["skipped"] == 1 and again.exit_code == 0


def test_exit_codes_follow_the_worst_outcome():
    clean = Outcome(query="A", state="clean")
    flagged = Outcome(query="B", state="flagged", fell_back=True)
    crashed = Outcome(query="C", state="failed", error="boom")
    bad = Outcome(query="D", state="failed", error="unknown", bad_input=True)
    assert BulkResult([clean, Outcome(query="E", state="skipped")]).exit_code == 0
    assert BulkResult([clean, flagged]).exit_code == 1
    assert BulkResult([clean, crashed]).exit_code == 1
    assert BulkResult([flagged, bad]).exit_code == 2
    summary = BulkResult([clean, flagged, crashed], elapsed_s=2.0).summary()
    assert "1 drafted clean, 1 flagged (1 with a section that fell back" in summary[0]
    assert summary[-1] == "failed: C: boom"


def test_progress_shows_rate_and_eta_on_a_terminal_only():
    stream = io.StringIO()
    tracker = Progress(enabled=True, stream=stream).tracker(100, "drafting")
    tracker.start -= 10  # ten seconds in
    tracker.advance(25)
    assert tracker.line().startswith("drafting: 25/100 (2.5/s, ETA 0m3")
    assert "drafting: 25/100" in stream.getvalue()
    quiet = io.StringIO()
    silent = Progress(stream=quiet).tracker(100, "drafting")  # StringIO is not a terminal
    silent.advance(100)
    silent.close()
    assert quiet.getvalue() == ""
