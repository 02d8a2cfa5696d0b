"""`writer` never prints a Python traceback: every command with a table of bad inputs gets
one line on stderr (starting ``writer: ``) and exit code 2, or a plain answer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient
from test_review_support import build_fact_store, record

from writer.cli import main
from writer.review.service import FactSheets
from writer.review.store import Queue
from writer.review.web import create_app

HUGE = "99999999999999999999999"

# (arguments, expected exit code); every one of them is bad input.
BAD = [
    (["--bogus"], 2),
    (["nosuchcommand"], 2),
    (["--home"], 2),
    (["facts"], 2),
    (["facts", HUGE], 2),
    (["facts", "\u00b2"], 2),
    (["facts", "-1"], 2),
    (["facts", ""], 2),
    (["facts", "MT1G", "--bogus"], 2),
    (["facts", "x" * 5000], 2),
    (["facts", "MT1G\x00"], 2),
    (["data"], 2),
    (["data", "sync", "--source", "bogus"], 2),
    (["data", "sync", "--source", "reactome"], 2),
    (["data", "status", "--bogus"], 2),
    (["data", "diff", "--bogus"], 2),
    (["data", "diff"], 2),  # a fact store built before syncs kept section digests
    (["draft"], 2),
    (["draft", "NOPE"], 2),
    (["draft", HUGE], 2),
    (["draft", "MT1G", "--jobs", "0"], 2),
    (["draft", "MT1G", "--max-tokens", "x"], 2),
    (["draft", "MT1G", "--model", "m"], 2),  # no endpoint configured
    (["draft", "MT1G", "--out", "/proc/self/nope/x.md"], 2),
    (["check"], 2),
    (["check", "missing.md", "--gene", "MT1G"], 2),
    (["check", "/", "--gene", "MT1G"], 2),
    (["check", "-", "--gene", HUGE], 2),
    (["review"], 2),
    (["review", "list", "--bogus"], 2),
    (["review", "list", "--status", "bogus"], 2),
    (["review", "show", "abc"], 2),
    (["review", "show", HUGE], 2),
    (["review", "show", "-5"], 2),
    (["review", "history", "0"], 2),
    (["review", "accept", HUGE, "--reviewer", "ana"], 2),
    (["review", "accept", "1"], 2),  # no reviewer
    (["review", "reject", "1", "--reviewer", "ana"], 2),  # no comment
    (["review", "edit", "1", "--reviewer", "ana", "--file", "/nonexistent.md"], 2),
    (["review", "serve", "--port", "x"], 2),
    (["review", "serve", "--port", "70000"], 2),
    (["review", "serve", "--host", "no.such.host.invalid"], 2),
    (["publish"], 2),
    (["publish", "--out", "/proc/self"], 2),
    (["eval", "--bogus"], 2),
    (["eval", "--limit", "0"], 2),
    (["eval", "--suite", "/nonexistent"], 2),
    # writer batch
    (["batch", "export"], 2),  # no gene
    (["batch", "export", "MT1G", "--out", "/proc/self/nope/x.jsonl"], 2),  # no model
    (["batch", "export", "MT1G", "--model", "m", "--out", "/proc/self/nope/x.jsonl"], 2),
    (["batch", "export", "MT1G", "--model", "m", "--out", "/proc/self/nope/x.jsonl",
      "--prompt-variant", "bogus"], 2),
    (["batch", "import"], 2),
    (["batch", "import", "/nonexistent.jsonl"], 2),
    (["batch", "import", "/"], 2),
    (["batch", "submit", "/nonexistent.jsonl"], 2),
    (["batch", "status", "batch_1"], 2),  # no endpoint configured
    (["batch", "fetch", "batch_1", "--out", "/nonexistent"], 2),
]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    facts = build_fact_store(tmp_path / "facts.sqlite")
    queue_path = tmp_path / "queue.sqlite"
    monkeypatch.setenv("GENE_WRITER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GENE_WRITER_FACTS", str(facts))
    monkeypatch.setenv("GENE_WRITER_QUEUE", str(queue_path))
    for name in ("GENE_WRITER_REVIEWER", "GENE_WRITER_MODEL", "OPENAI_BASE_URL",
                 "OPENAI_API_KEY", "GENE_WRITER_REVIEW_SECRET"):
        monkeypatch.delenv(name, raising=False)
    with Queue.open(queue_path) as q:
        q.add_draft(record("MT1G", facts_path=facts))
    return tmp_path


@pytest.mark.parametrize(("args", "code"), BAD, ids=[" ".join(a)[:40] for a, _ in BAD])
def test_bad_input_is_one_line_and_exit_2(env: Path, args: list[str], code: int) -> None:
    r = CliRunner().invoke(main, args, input="")
    assert r.exception is None or isinstance(r.exception, SystemExit), (
        f"{args}: {type(r.exception).__name__}: {r.exception}")
    assert "Traceback" not in r.output
    if args in (["review"], ["data"]):  # a group without a command shows its help
        assert r.exit_code == 2 and "Commands:" in r.output
        return
    assert r.exit_code == code, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("writer: "), r.stderr


def test_the_installed_command_prints_no_traceback(env: Path) -> None:
    """The same through a real process: nothing but the line on stderr."""
    for args in (["facts", "\u00b2"], ["review", "list", "--bogus"], ["data", "sync",
                                                                       "--source", "bogus"]):
        p = subprocess.run([sys.executable, "-m", "writer.cli", *args], capture_output=True,
                           text=True, timeout=60)
        assert p.returncode == 2 and "Traceback" not in p.stderr
        assert len(p.stderr.strip().splitlines()) == 1 and p.stdout == ""


@pytest.mark.parametrize("path", [
    f"/drafts/{HUGE}", f"/drafts/{HUGE}/text", "/drafts/0", "/drafts/%C2%B2",
])
def test_web_unknown_drafts_are_404(env: Path, path: str) -> None:
    app = create_app(env / "queue.sqlite", FactSheets(env / "facts.sqlite"))
    with TestClient(app, follow_redirects=False) as client:
        assert client.get(path).status_code == 404


@pytest.mark.parametrize("query", ["gene=%C2%B2", f"gene={HUGE}", "gene=-1", "page=%C2%B2",
                                   f"page={HUGE}", "status=%00", "gene=%00"])
def test_web_queue_filters_never_500(env: Path, query: str) -> None:
    app = create_app(env / "queue.sqlite", FactSheets(env / "facts.sqlite"))
    with TestClient(app, follow_redirects=False) as client:
        r = client.get(f"/?{query}")
        assert r.status_code == 200
        r = client.get(f"/next?after={query.split('=')[1]}")
        assert r.status_code == 303
