"""The review queue and its web page when files break and processes collide: readers never
wait, a blocked save is a 503 that keeps the text, a damaged or read-only file is one line,
and nothing a curator typed is lost."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result
from test_review_support import queue_of_two, serve

from writer.cli import main
from writer.errors import BadFile, QueueBusy, UserInputError
from writer.review import web as web_module
from writer.review.service import FactSheets
from writer.review.store import Queue
from writer.review.web import LOOPBACK_HOSTS, create_app

REPO = Path(__file__).resolve().parent.parent


def run(*args: str, **kw: object) -> Result:
    return CliRunner().invoke(main, list(args), **kw)  # type: ignore[arg-type]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    return queue_of_two(tmp_path, monkeypatch)


class Lock:
    """Another process's long write: a connection holding the queue's write lock."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)

    def __enter__(self) -> Lock:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO migrations VALUES (999, 'held', 'now')")
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line(r: Result) -> str:
    assert "Traceback" not in r.output and r.exception is None or isinstance(
        r.exception, SystemExit), r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("writer: ")
    return lines[0]


# --- read-only commands never wait -------------------------------------------------------
def test_read_only_commands_answer_at_once_during_a_long_write(env: tuple[Path, Path]) -> None:
    _, queue_path = env
    with Lock(queue_path):
        for args in (["review", "list"], ["review", "show", "1"], ["review", "history", "1"]):
            start = time.monotonic()
            r = run(*args)
            assert r.exit_code == 0, r.output
            assert time.monotonic() - start < 2, args
        out = run("review", "list").stdout
        assert "MT1G" in out and "NME1" in out


def test_a_write_that_cannot_get_the_lock_is_queue_busy(env: tuple[Path, Path]) -> None:
    _, queue_path = env
    with Lock(queue_path), Queue.open(queue_path, wait=0.2) as q:
        start = time.monotonic()
        with pytest.raises(QueueBusy, match="busy"):
            q.add_review(1, "rejected", "ana", "x", based_on=0, comment="no")
        assert time.monotonic() - start < 2
    with Queue.open(queue_path) as q:
        assert q.history(1) == []


# --- damaged and read-only files ---------------------------------------------------------
def corrupt(path: Path, keep_pages: int = 2) -> None:
    """Overwrite every page after the first ``keep_pages`` with garbage, as a bad disk would."""
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    for i in range(page * keep_pages, len(data), 7):
        data[i] = (data[i] * 31 + 17) % 256
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("args", [
    ["review", "list"], ["review", "show", "1"],
    ["review", "reject", "1", "--reviewer", "ana", "--comment", "no"],
    ["review", "accept", "1", "--reviewer", "ana"],
])
def test_a_damaged_queue_is_one_line_exit_2_and_never_written_to(
        env: tuple[Path, Path], args: list[str]) -> None:
    _, queue_path = env
    with Queue.open(queue_path) as q:  # checkpoint the WAL into the file, then break it
        q.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    corrupt(queue_path)
    before = sha(queue_path)
    r = run(*args)
    assert r.exit_code == 2
    line = one_line(r)
    assert str(queue_path) in line and ("damaged" in line or "not a queue" in line)
    assert sha(queue_path) == before


def test_a_read_only_queue_is_one_line(env: tuple[Path, Path]) -> None:
    _, queue_path = env
    with Queue.open(queue_path, readonly=True) as q:
        assert q.readonly and q.current_text(1)
        with pytest.raises(BadFile, match="cannot write to the review queue"):
            q.add_review(1, "rejected", "ana", "x", based_on=0, comment="no")


@pytest.mark.skipif(os.geteuid() == 0, reason="file permissions do not bind root")
def test_a_read_only_queue_file_is_one_line_on_the_command_line(env: tuple[Path, Path]) -> None:
    _, queue_path = env
    queue_path.chmod(0o444)
    try:
        r = run("review", "reject", "1", "--reviewer", "ana", "--comment", "no")
        assert r.exit_code == 2 and "cannot write to the review queue" in one_line(r)
    finally:
        queue_path.chmod(0o644)


def test_a_damaged_fact_store_says_run_data_sync(env: tuple[Path, Path]) -> None:
    facts, _ = env
    corrupt(facts, keep_pages=3)
    for args in (["facts", "MT1G"], ["facts", "NME1", "--json"], ["data", "status"]):
        r = run(*args)
        assert r.exit_code == 2, r.output
        assert "writer data sync" in one_line(r)


# --- the web page ------------------------------------------------------------------------
@pytest.fixture
def web(env: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    facts, queue_path = env
    monkeypatch.setattr(web_module, "WRITE_WAIT", 0.3)
    yield from serve(create_app(queue_path, FactSheets(facts), allowed_hosts=LOOPBACK_HOSTS,
                                checker=lambda text, sheet: []))


def form_of(html: str) -> dict[str, str]:
    return {"csrf": re.search(r'name="csrf" value="([^"]+)"', html).group(1),  # type: ignore[union-attr]
            "version": re.search(r'name="version" value="(\d+)"', html).group(1),  # type: ignore[union-attr]
            "reviewer": "ana"}


def test_web_reads_never_wait_and_a_blocked_save_is_503_with_the_text_kept(
        env: tuple[Path, Path], web: httpx.Client) -> None:
    _, queue_path = env
    page = web.get("/drafts/1").text
    text = page and web.get("/drafts/1/text").text + "\nAna's careful note.\n"
    with Lock(queue_path):
        for path in ("/healthz", "/", "/drafts/1", "/drafts/2/text"):
            start = time.monotonic()
            assert web.get(path).status_code == 200
            assert time.monotonic() - start < 1.5, path
        r = web.post("/drafts/1/edit", data={**form_of(page), "text": text})
        assert r.status_code == 503
        assert r.headers["retry-after"] == "5"
        assert "Ana&#39;s careful note." in r.text and "busy" in r.text
    with Queue.open(queue_path) as q:
        assert q.history(1) == []
    r = web.post("/drafts/1/edit", data={**form_of(page), "text": text})  # saved once free
    assert r.status_code == 303


def test_a_600_kb_web_edit_is_refused_before_it_is_checked(
        env: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    facts, queue_path = env
    checked: list[int] = []

    def checker(text: str, sheet: object) -> list[object]:
        checked.append(len(text))
        return []

    for client in serve(create_app(queue_path, FactSheets(facts), checker=checker,
                                   allowed_hosts=LOOPBACK_HOSTS)):
        page = client.get("/drafts/1").text
        text = "The gene is long. " * 33_000  # 600 kB
        start = time.monotonic()
        r = client.post("/drafts/1/edit", data={**form_of(page), "text": text})
        assert time.monotonic() - start < 5
        assert r.status_code == 400 and "too large for a page" in r.text
        assert max(checked, default=0) < 100_000  # the page views checked the draft, not the edit


def test_login_lockout_is_per_client_address(env: tuple[Path, Path]) -> None:
    from starlette.testclient import TestClient

    facts, queue_path = env
    secret = "correct horse battery staple"
    app = create_app(queue_path, FactSheets(facts), secret=secret)
    with TestClient(app, follow_redirects=False, client=("192.0.2.9", 5000)) as attacker, \
            TestClient(app, follow_redirects=False, client=("192.0.2.10", 5000)) as curator:
        for _ in range(10):
            form = {"csrf": form_of_login(attacker), "secret": "guess"}
            assert attacker.post("/login", data=form).status_code == 403
        form = {"csrf": form_of_login(attacker), "secret": secret}
        assert attacker.post("/login", data=form).status_code == 429
        form = {"csrf": form_of_login(curator), "secret": secret}
        assert curator.post("/login", data=form).status_code == 303  # another address


def form_of_login(client: object) -> str:
    html = client.get("/login").text  # type: ignore[attr-defined]
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def test_a_secret_of_only_whitespace_is_refused(
        env: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    facts, queue_path = env
    with pytest.raises(UserInputError, match="only whitespace"):
        create_app(queue_path, FactSheets(facts), secret="   \t  ")
    monkeypatch.setenv("GENE_WRITER_REVIEW_SECRET", " " * 20)
    r = run("review", "serve", "--host", "0.0.0.0", "--port", "0")
    assert r.exit_code == 2 and "GENE_WRITER_REVIEW_SECRET" in one_line(r)


def test_serve_on_a_busy_port_is_one_line_exit_2(env: tuple[Path, Path]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = run("review", "serve", "--port", str(port))
    assert r.exit_code == 2
    assert one_line(r) == f"writer: cannot serve on 127.0.0.1:{port}: the port is in use"


# --- $EDITOR -----------------------------------------------------------------------------
def test_a_stale_editor_edit_is_refused_and_its_text_saved_to_a_printed_path(
        env: tuple[Path, Path], tmp_path: Path) -> None:
    _, queue_path = env
    script = tmp_path / "editor.py"
    script.write_text(textwrap.dedent(f"""
        import pathlib, sys
        sys.path.insert(0, {str(REPO)!r})
        from writer.review.store import Queue
        p = pathlib.Path(sys.argv[1])
        p.write_text(p.read_text() + "\\nAna's careful note.\\n")
        with Queue.open({str(queue_path)!r}) as q:  # Bob saves while Ana is typing
            q.add_review(1, "rejected", "bob", q.current_text(1), based_on=0, comment="no")
    """))
    r = run("review", "edit", "1", "--reviewer", "ana",
            env={"EDITOR": f'"{sys.executable}" "{script}"'})
    assert r.exit_code == 1
    line = one_line(r)
    assert "changed after you opened it" in line and "rejected by bob" in line
    kept = Path(re.search(r"your text is kept in (\S+);", line).group(1))  # type: ignore[union-attr]
    assert "Ana's careful note." in kept.read_text()


def test_checks_of_a_save_run_off_the_event_loop(env: tuple[Path, Path]) -> None:
    """While one save is being checked (slowly), the server still answers others at once."""
    facts, queue_path = env
    started = threading.Event()

    def slow_checker(text: str, sheet: object) -> list[object]:
        if "Ana's careful note." in text:  # the save's check (a draft page checks its text too)
            started.set()
            time.sleep(2.0)
        return []

    with contextmanager(serve)(create_app(queue_path, FactSheets(facts), checker=slow_checker,
                                          allowed_hosts=LOOPBACK_HOSTS)) as client:
        page = client.get("/drafts/1").text
        text = client.get("/drafts/1/text").text + "\nAna's careful note.\n"
        answers: list[int] = []
        save = threading.Thread(target=lambda: answers.append(client.post(
            "/drafts/1/edit", data={**form_of(page), "text": text}).status_code))
        save.start()
        assert started.wait(10)
        start = time.monotonic()
        with httpx.Client(base_url=str(client.base_url), timeout=10) as other:
            assert other.get("/healthz").status_code == 200
            assert other.get("/drafts/2").status_code == 200
        assert time.monotonic() - start < 1.0
        save.join()
        assert answers == [303]


def test_review_show_never_prints_terminal_escapes(env: tuple[Path, Path]) -> None:
    facts, queue_path = env
    with Queue.open(queue_path) as q:
        text = q.current_text(1) + "\nOwned \x1b]0;title\x07\x1b[2J\x1b[31mred\x1b[0m\x9b1m.\n"
        q.add_review(1, "edited", "ana", text, based_on=0)
    for args in (["review", "show", "1"], ["review", "show", "1", "--diff"]):
        r = run(*args)
        assert r.exit_code == 0, r.output
        assert not any(ch in r.output for ch in "\x1b\x07\x9b")
        assert "red" in r.output
