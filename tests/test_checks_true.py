"""The Checks table is always true, on a real queue file, a real fact store and the real
evaluator: it is remade on every edit (CLI, $EDITOR, web), before accept and at publish;
sentiment and ethics failures are findings a curator must override; Liquid and raw HTML in a
curator's text are refused, new front-matter keys flagged, and publish refuses what slipped
through. The web page is served by a real HTTP server (uvicorn on a loopback port).
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result
from test_review_support import clean_page, queue_of_two, record, serve, sheet

from writer.check import check
from writer.cli import main
from writer.draft import DraftRecord
from writer.review.service import FactSheets
from writer.review.store import Queue
from writer.review.web import LOOPBACK_HOSTS, create_app
from writer.sections.checks import with_checks

HYPE = "This remarkable gene is a key player and holds great potential."
ADVICE = "Patients with low levels should be screened."
TABLE = re.compile(r"^\| Checks .*?(?=\n(?!\|)|\Z)", re.M | re.S)


def table_of(text: str) -> str:
    found = TABLE.findall(text)
    assert len(found) == 1, f"expected one Checks table, found {len(found)}"
    return found[0].strip()


def run(*args: str, **kw: object) -> Result:
    return CliRunner().invoke(main, list(args), **kw)  # type: ignore[arg-type]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A real fact store and a queue holding MT1G's and NME1's drafts, each drafted with a
    true Checks table."""
    def checked(facts: Path, symbol: str) -> DraftRecord:
        text, report = with_checks(clean_page(symbol), sheet(facts, symbol))
        return record(symbol, text=text, findings=tuple(report.findings), facts_path=facts)

    return queue_of_two(tmp_path, monkeypatch, checked)


def drafted(queue_path: Path, draft_id: int) -> str:
    with Queue.open(queue_path) as q:
        return q.get(draft_id).text


def current(queue_path: Path, draft_id: int) -> str:
    with Queue.open(queue_path) as q:
        return q.current_text(draft_id)


def assert_true_table(text: str, facts: Path, symbol: str) -> None:
    assert table_of(text) == check(text, sheet(facts, symbol)).checks_markdown()


# --- 1. recomputed on every edit, before accept, at publish ------------------------------


def test_a_published_edited_page_has_the_table_writer_check_gives_it(
    env: tuple[Path, Path], tmp_path: Path
) -> None:
    facts, queue_path = env
    draft = drafted(queue_path, 1)
    assert "| Facts verified | 10 of 10 claims traced" in draft
    # The curator changes a fact and the tone, and leaves the drafted table as it was.
    edited = draft.replace("1,336 base pairs", "1,337 base pairs").replace(
        "The gene length", HYPE + " The gene length")
    assert table_of(edited) == table_of(draft)
    page = tmp_path / "MT1G.md"
    page.write_text(edited)
    r = run("review", "edit", "1", "--file", str(page), "--reviewer", "ana")
    assert r.exit_code == 1, r.output
    stored = current(queue_path, 1)
    assert stored != edited and table_of(stored) != table_of(draft)
    assert_true_table(stored, facts, "MT1G")
    assert "| Sentiment | positive" in stored and "| 9 of 10 claims traced |" in stored
    assert page.read_text() == edited  # the curator's file is untouched
    assert drafted(queue_path, 1) == draft  # stored history never changes

    assert run("review", "accept", "1", "--reviewer", "ana").exit_code == 1
    r = run("review", "accept", "1", "--reviewer", "ana", "--override",
            "--comment", "length corrected upstream; tone approved by the editor")
    assert r.exit_code == 0, r.output

    out = tmp_path / "site" / "_posts"
    r = run("publish", "--out", str(out))
    assert r.exit_code == 0, r.output
    post = out / "2025-01-17-MT1G.md"
    checked = run("check", str(post), "--gene", "MT1G")
    assert checked.exit_code == 1  # the page has findings, and its table says so
    assert table_of(post.read_text()) == table_of(checked.stdout)
    assert "| Facts verified | 9 of 10 claims traced |" in post.read_text()  # short answers


def test_a_stale_table_stored_by_an_older_version_is_remade_at_accept_and_publish(
    env: tuple[Path, Path], tmp_path: Path
) -> None:
    facts, queue_path = env
    stale = drafted(queue_path, 2).replace("| Sentiment | neutral", "| Sentiment | glowing")
    stale = re.sub(r"\| Facts verified \|.*", "| Facts verified | all 99 claims traced |", stale)
    with Queue.open(queue_path) as q:  # written past the service, as an old version did
        q.add_review(2, "edited", "old-tool", stale, based_on=0)
        q.add_review(1, "accepted", "old-tool", stale.replace("NME1", "MT1G"), based_on=0)
    r = run("review", "accept", "2", "--reviewer", "ana")
    assert r.exit_code == 0, r.output
    accepted = current(queue_path, 2)
    assert "glowing" not in accepted and "99 claims" not in accepted
    assert_true_table(accepted, facts, "NME1")
    with Queue.open(queue_path) as q:
        assert q.history(2)[0].text == stale  # the earlier row is kept as it was

    out = tmp_path / "posts"
    r = run("publish", "--out", str(out), "--json")
    assert r.exit_code == 1  # draft 1's stale acceptance no longer traces: not published
    assert "2025-01-17-NME1.md" in r.stdout and "MT1G" in r.stdout
    assert not (out / "2025-01-17-MT1G.md").exists()
    post = (out / "2025-01-17-NME1.md").read_text()
    assert "glowing" not in post
    assert table_of(post) == table_of(run("check", str(out / "2025-01-17-NME1.md"),
                                          "--gene", "NME1").stdout)


def _editor(tmp_path: Path, body: str) -> str:
    script = tmp_path / "editor.py"
    script.write_text(textwrap.dedent(body))
    return f'"{sys.executable}" "{script}"'


def test_an_edit_in_editor_gets_a_fresh_table(env: tuple[Path, Path], tmp_path: Path) -> None:
    facts, queue_path = env
    editor = _editor(tmp_path, f"""
        import sys, pathlib
        p = pathlib.Path(sys.argv[1])
        p.write_text(p.read_text().replace("The gene length", {ADVICE!r} + " The gene length"))
    """)
    r = run("review", "edit", "1", "--reviewer", "ana", env={"EDITOR": editor})
    assert r.exit_code == 1 and "ethics" in r.output
    stored = current(queue_path, 1)
    assert "| Ethical concerns | yes |" in stored
    assert_true_table(stored, facts, "MT1G")


def test_an_edit_of_the_table_alone_changes_nothing(
    env: tuple[Path, Path], tmp_path: Path
) -> None:
    _, queue_path = env
    page = tmp_path / "MT1G.md"
    page.write_text(drafted(queue_path, 1).replace("| Sentiment | neutral", "| Sentiment | upbeat"))
    r = run("review", "edit", "1", "--file", str(page), "--reviewer", "ana")
    assert r.exit_code == 2 and "only the Checks table" in r.output
    assert r.output.strip().count("\n") == 0
    with Queue.open(queue_path) as q:
        assert q.history(1) == []


# --- 2. sentiment and ethics failures are findings ----------------------------------------


def hyped_draft(facts: Path, queue_path: Path) -> int:
    text = clean_page("MT1G").replace("The gene length", f"{HYPE} {ADVICE} The gene length")
    text, report = with_checks(text, sheet(facts, "MT1G"))
    assert {f.kind for f in report.findings} == {"sentiment", "ethics"}
    with Queue.open(queue_path) as q:
        return q.add_draft(record("MT1G", text=text, findings=tuple(report.findings),
                                  facts_path=facts))


def test_writer_check_exits_1_on_tone_and_advice_alone(
    env: tuple[Path, Path], tmp_path: Path
) -> None:
    facts, queue_path = env
    draft_id = hyped_draft(facts, queue_path)
    page = tmp_path / "hyped.md"
    page.write_text(current(queue_path, draft_id))
    r = run("check", str(page), "--gene", "MT1G")
    assert r.exit_code == 1
    assert "flagged  sentiment" in r.stdout and "flagged  ethics" in r.stdout
    assert "10 of 10 claims traced" in r.stdout  # every fact is right; the tone is not


def test_review_show_and_accept_treat_tone_and_advice_as_findings(
    env: tuple[Path, Path]
) -> None:
    facts, queue_path = env
    draft_id = str(hyped_draft(facts, queue_path))
    r = run("review", "show", draft_id)
    assert r.exit_code == 0 and HYPE in r.stdout
    assert "flagged sentiment" in r.stderr and "flagged ethics" in r.stderr
    assert ADVICE in r.stderr
    r = run("review", "accept", draft_id, "--reviewer", "ana")
    assert r.exit_code == 1 and "not accepted" in r.stderr and "flagged ethics" in r.stderr
    r = run("review", "accept", draft_id, "--reviewer", "ana", "--override")
    assert r.exit_code == 2 and "--comment" in r.output
    r = run("review", "accept", draft_id, "--reviewer", "ana", "--override",
            "--comment", "quoted from the consortium's own summary")
    assert r.exit_code == 0, r.output
    with Queue.open(queue_path) as q:
        review = q.latest_review(int(draft_id))
        assert review.override and {f.kind for f in review.findings} == {"sentiment", "ethics"}


# --- the web page, on a real server -------------------------------------------------------


@pytest.fixture
def web(env: tuple[Path, Path]) -> Iterator[httpx.Client]:
    facts, queue_path = env
    yield from serve(create_app(queue_path, FactSheets(facts), allowed_hosts=LOOPBACK_HOSTS))


def form_of(html: str) -> dict[str, str]:
    csrf = re.search(r'name="csrf" value="([^"]+)"', html)
    version = re.search(r'name="version" value="(\d+)"', html)
    assert csrf and version
    return {"csrf": csrf.group(1), "version": version.group(1), "reviewer": "ana"}


def test_web_lists_tone_and_advice_and_accept_needs_a_reason(
    env: tuple[Path, Path], web: httpx.Client
) -> None:
    facts, queue_path = env
    draft_id = hyped_draft(facts, queue_path)
    page = web.get(f"/drafts/{draft_id}").text
    assert re.search(r'<span class="badge">flagged</span> sentiment', page)
    assert re.search(r'<span class="badge">flagged</span> ethics', page)
    r = web.post(f"/drafts/{draft_id}/accept", data=form_of(page))
    assert r.status_code == 422 and "not accepted" in r.text and "medical advice" in r.text
    r = web.post(f"/drafts/{draft_id}/accept", data={**form_of(page), "override": "yes"})
    assert r.status_code == 400 and "say why" in r.text  # in the web page's terms
    r = web.post(f"/drafts/{draft_id}/accept", data={**form_of(page), "override": "yes",
                                                     "comment": "quoted, approved"})
    assert r.status_code == 303
    with Queue.open(queue_path) as q:
        assert q.status(draft_id) == "accepted" and q.latest_review(draft_id).override


def test_web_edit_gets_a_fresh_table(env: tuple[Path, Path], web: httpx.Client) -> None:
    facts, queue_path = env
    page = web.get("/drafts/1").text
    text = drafted(queue_path, 1).replace("1,336 base pairs", "1,337 base pairs")
    r = web.post("/drafts/1/edit", data={**form_of(page), "text": text.replace("\n", "\r\n")})
    assert r.status_code == 303
    stored = current(queue_path, 1)
    assert table_of(stored) != table_of(text)
    assert_true_table(stored, facts, "MT1G")
    shown = web.get("/drafts/1").text
    assert "9 of 10 claims traced" in shown  # the rendered page shows the remade table


# --- 3. curator markup: refused or flagged, never published silently ----------------------

UNSAFE = {
    "liquid": "{{ site.github.token }}",
    "liquid tag": "{% include secrets.html %}",
    "html": '<img src="x" onerror="alert(1)">',
    "attribute list": "{: onclick=\"alert(1)\"}",
}


@pytest.mark.parametrize("name", sorted(UNSAFE))
def test_an_edit_with_liquid_or_html_is_refused_on_the_cli(
    env: tuple[Path, Path], tmp_path: Path, name: str
) -> None:
    _, queue_path = env
    page = tmp_path / "MT1G.md"
    text = drafted(queue_path, 1).replace("The gene length", UNSAFE[name] + "\n\nThe gene length")
    page.write_text(text)
    r = run("review", "edit", "1", "--file", str(page), "--reviewer", "ana")
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert r.output.strip().count("\n") == 0 and "not saved" in r.output
    assert page.read_text() == text
    with Queue.open(queue_path) as q:
        assert q.history(1) == []


def test_a_refused_edit_from_the_editor_is_kept_in_a_file(
    env: tuple[Path, Path], tmp_path: Path
) -> None:
    editor = _editor(tmp_path, """
        import sys, pathlib
        p = pathlib.Path(sys.argv[1])
        p.write_text(p.read_text() + "\\nAna's careful note <br> here.\\n")
    """)
    r = run("review", "edit", "1", "--reviewer", "ana", env={"EDITOR": editor})
    assert r.exit_code == 2 and "raw HTML" in r.output
    kept = Path(re.search(r"your text is kept in (\S+);", r.output).group(1))
    assert "Ana's careful note <br> here." in kept.read_text()


def test_web_refuses_html_and_keeps_the_curators_text(
    env: tuple[Path, Path], web: httpx.Client
) -> None:
    _, queue_path = env
    page = web.get("/drafts/1").text
    text = drafted(queue_path, 1) + "\nAna's note: <script>alert(1)</script>\n"
    r = web.post("/drafts/1/edit", data={**form_of(page), "text": text})
    assert r.status_code == 400 and "raw HTML" in r.text
    assert "Ana&#39;s note: &lt;script&gt;alert(1)&lt;/script&gt;" in r.text  # in the editor
    with Queue.open(queue_path) as q:
        assert q.history(1) == []


def test_a_new_front_matter_key_is_flagged_then_published_only_with_an_override(
    env: tuple[Path, Path], tmp_path: Path
) -> None:
    _, queue_path = env
    page = tmp_path / "MT1G.md"
    page.write_text(drafted(queue_path, 1).replace("layout: post\n",
                                                   "layout: post\npermalink: /genes/\n"))
    r = run("review", "edit", "1", "--file", str(page), "--reviewer", "ana")
    assert r.exit_code == 1 and "front_matter" in r.output and "permalink" in r.output
    assert run("review", "accept", "1", "--reviewer", "ana").exit_code == 1
    r = run("review", "accept", "1", "--reviewer", "ana", "--override",
            "--comment", "the site wants MT1G at /genes/")
    assert r.exit_code == 0, r.output
    out = tmp_path / "posts"
    assert run("publish", "--out", str(out)).exit_code == 0
    assert "permalink: /genes/" in (out / "2025-01-17-MT1G.md").read_text()


@pytest.mark.parametrize("addition", [
    "{{ site.github.token }}",
    "<iframe src=\"https://example.org\"></iframe>",
    "---FM---permalink: /",
])
def test_publish_refuses_markup_that_reached_the_queue_some_other_way(
    env: tuple[Path, Path], tmp_path: Path, addition: str
) -> None:
    _, queue_path = env
    text = drafted(queue_path, 1)
    if addition.startswith("---FM---"):
        text = text.replace("layout: post\n", "layout: post\n" + addition[8:] + "\n")
    else:
        text = text.replace("The gene length", addition + " The gene length")
    with Queue.open(queue_path) as q:  # past the review service (an old version, a script)
        q.add_review(1, "accepted", "script", text, based_on=0)
        q.add_review(2, "accepted", "ana", q.current_text(2), based_on=0)
    out = tmp_path / "posts"
    r = run("publish", "--out", str(out))
    assert r.exit_code == 1
    refusal = [line for line in r.stderr.splitlines() if "not published" in line]
    assert len(refusal) == 1 and "2025-01-17-MT1G.md" in refusal[0]
    assert not (out / "2025-01-17-MT1G.md").exists()
    assert (out / "2025-01-17-NME1.md").exists()  # the other page is published
