"""`writer publish --site`: the site Debian's real `jekyll` (with jekyll-theme-minima) builds
(issue 13 item 7). Skipped where jekyll is not installed; CI installs it (.ci/run)."""

from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_review_support import build_fact_store, clean_page, record

from writer.cli import main
from writer.review.store import Queue

GENES = ("MT1G", "NME1", "TP53")


@pytest.fixture
def published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    queue_path = tmp_path / "queue.sqlite"
    monkeypatch.setenv("GENE_WRITER_QUEUE", str(queue_path))
    monkeypatch.setenv("GENE_WRITER_FACTS", str(build_fact_store(tmp_path / "facts.sqlite")))
    with Queue.open(queue_path) as q:
        for symbol in GENES:
            draft_id = q.add_draft(record(symbol))
            q.add_review(draft_id, "accepted", "ana", clean_page(symbol), based_on=0)
    site = tmp_path / "site"
    r = CliRunner().invoke(main, ["publish", "--out", str(site), "--site", "--url",
                                  "https://genes.example.org", "--json"])
    assert r.exit_code == 0, r.output
    assert sorted(json.loads(r.stdout)["written"]) == sorted(
        ["_config.yml", "index.md", *(f"2025-01-17-{s}.md" for s in GENES)])
    return site


def test_site_files_are_readable_by_a_web_server_and_kept_when_changed(published: Path):
    for path in [published / "_config.yml", published / "index.md",
                 *(published / "_posts").glob("*.md")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o044 == 0o044, f"{path.name} is {oct(mode)}"
    (published / "_config.yml").write_text("title: mine\ntheme: minima\n")
    r = CliRunner().invoke(main, ["publish", "--out", str(published), "--site", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["written"] == []
    assert (published / "_config.yml").read_text() == "title: mine\ntheme: minima\n"


class _Html(HTMLParser):
    """The post body (minima's ``post-content``): its tables and links."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside post-content when > 0
        self.tables = 0
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        if self.depth:
            if tag == "div":
                self.depth += 1
            if tag == "table":
                self.tables += 1
            if tag == "a":
                self.links.append(dict(attrs).get("href") or "")
        elif tag == "div" and "post-content" in cls.split():
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == "div":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)


@pytest.mark.skipif(shutil.which("jekyll") is None, reason="Debian's jekyll is not installed")
def test_real_jekyll_builds_the_site(published: Path, tmp_path: Path):
    out = tmp_path / "_site"
    proc = subprocess.run(["jekyll", "build", "--source", str(published), "--destination",
                           str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    index = (out / "index.html").read_text()
    for symbol in GENES:
        assert f'href="https://genes.example.org/2025/01/17/{symbol}/"' in index
    for symbol in GENES:
        html = (out / "2025" / "01" / "17" / symbol / "index.html").read_text()
        page = _Html()
        page.feed(html)
        body = "".join(page.text)
        assert page.tables == 2, symbol  # the identity table and the Checks table
        assert re.search(r"<th[^>]*>NCBI symbol</th>", html) and \
            re.search(r"<th[^>]*>Checks\s*</th>", html)
        assert page.links and all(re.match(r"https?://", link) for link in page.links), \
            [link for link in page.links if not re.match(r"https?://", link)]
        for leak in ("layout:", "date: 2025", "---", "pretty_table", "{{", "{%"):
            assert leak not in body, (symbol, leak)
        assert f"<title>{symbol} |" in html  # the front matter became the page's metadata


def test_an_incremental_publish_judges_only_what_changed(published: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    from writer import publish

    judged: list[str] = []
    real = publish.judged_post

    def counting(queue, summary, review, date, sheets):
        judged.append(summary.symbol)
        return real(queue, summary, review, date, sheets)

    monkeypatch.setattr(publish, "judged_post", counting)

    def run() -> dict[str, list[str]]:
        r = CliRunner().invoke(main, ["publish", "--out", str(published), "--site", "--json"])
        assert r.exit_code == 0, r.output
        return json.loads(r.stdout)

    assert run()["written"] == [] and judged == []  # nothing changed: nothing judged
    with Queue.open(tmp_path / "queue.sqlite") as q:
        draft_id = q.add_draft(record("NME1"), supersede=True)
        q.add_review(draft_id, "accepted", "bob", clean_page("NME1") + "\nA new line.\n",
                     based_on=0)
    assert run()["written"] == ["2025-01-17-NME1.md"] and judged == ["NME1"]
    # a new fact store file (a sync): every post is judged again, none needs rewriting
    facts = tmp_path / "facts.sqlite"
    copy = tmp_path / "facts-new.sqlite"
    shutil.copy(facts, copy)
    copy.replace(facts)
    judged.clear()
    result = run()
    assert sorted(judged) == sorted(GENES) and result["written"] == []
    # a post changed by hand is judged (and reported) again, never skipped as unchanged
    judged.clear()
    post = published / "_posts" / "2025-01-17-TP53.md"
    post.write_text(post.read_text() + "hand edit\n")
    r = CliRunner().invoke(main, ["publish", "--out", str(published), "--site", "--json"])
    assert r.exit_code == 1 and judged == ["TP53"]
