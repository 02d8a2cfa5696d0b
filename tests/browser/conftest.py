"""Browser tests: Debian's chromium driven by the Playwright Python package against a real
``writer review serve`` subprocess on a free loopback port.

Skipped (with the reason) only when /usr/bin/chromium or the playwright package is absent;
``.ci/run`` installs both. ``playwright install`` is never needed: the system chromium is
launched by path.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for the helpers

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright Python package is not installed (pip install playwright)"
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, home: Path, facts: Path, queue: Path) -> None:
        self.home, self.facts, self.queue = home, facts, queue
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "GENE_WRITER_HOME": str(home),
            "GENE_WRITER_FACTS": str(facts),
            "GENE_WRITER_QUEUE": str(queue),
            "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        }
        env.pop("GENE_WRITER_REVIEW_SECRET", None)
        self.log = open(home / "serve.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "writer.cli", "review", "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--reviewer", "ana"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("writer review serve did not start:\n"
                                   + (home / "serve.log").read_text())
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator:
    servers: list[Server] = []

    def start(fill) -> Server:  # fill(queue, facts_path) adds the drafts
        from test_review_support import build_fact_store

        from writer.review.store import Queue

        home = tmp_path / f"home{len(servers)}"
        home.mkdir()
        facts = build_fact_store(home / "facts.sqlite")
        with Queue.open(home / "queue.sqlite") as q:
            fill(q, facts)
        server = Server(home, facts, home / "queue.sqlite")
        servers.append(server)
        return server

    yield start
    for s in servers:
        s.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    p = context.new_page()
    p.set_default_timeout(15_000)
    yield p
    context.close()
