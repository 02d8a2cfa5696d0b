"""``writer review ...`` on the command line."""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_review_support import build_fact_store, clean_page, record

from writer.check.models import Finding
from writer.cli import main
from writer.factsheet import FactSheet
from writer.review import service
from writer.review.store import Queue


def flag_1337(text: str, sheet: FactSheet) -> list[Finding]:
    """Checker double (the real evaluator is exercised in test_review_evaluated)."""
    return [
        Finding(claim="1,337", sentence="The gene length is 1,337 base pairs",
                kind="length", status="contradicted",
                reason="Ensembl 110 gives 1,336 bp", start=m.start(), end=m.end())
        for m in re.finditer(r"1,337", text)
    ]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    facts = build_fact_store(tmp_path / "facts.sqlite")
    queue_path = tmp_path / "queue.sqlite"
    monkeypatch.setenv("GENE_WRITER_FACTS", str(facts))
    monkeypatch.setenv("GENE_WRITER_QUEUE", str(queue_path))
    monkeypatch.delenv("GENE_WRITER_REVIEWER", raising=False)
    monkeypatch.setattr(service, "evaluator_check", flag_1337)
    with Queue.open(queue_path) as q:
        q.add_draft(record("MT1G", facts_path=facts))
        bad = clean_page("NME1").replace("1,005", "1,337")
        q.add_draft(record("NME1", text=bad, findings=flag_1337(bad, None), facts_path=facts))
    return queue_path


def run(*args: str, **kw: object) -> Result:
    return CliRunner().invoke(main, list(args), **kw)  # type: ignore[arg-type]


def test_list(env: Path) -> None:
    r = run("review", "list")
    assert r.exit_code == 0
    assert re.search(r"1\s+MT1G\s+pending .* 0\n", r.output)
    assert re.search(r"2\s+NME1\s+pending .* 1\n", r.output)
    items = json.loads(run("review", "list", "--json").output)
    assert [set(i) for i in items] == [{"id", "gene", "gene_id", "status", "created",
                                        "findings"}] * 2
    assert items[1] == {**items[1], "id": 2, "gene": "NME1", "gene_id": 4830,
                        "status": "pending", "findings": 1}
    # a gene by its Ensembl ID, through the fact store
    by_ens = json.loads(run("review", "list", "--json", "--gene", "ENSG00000125144").output)
    assert [i["id"] for i in by_ens] == [1]
    assert json.loads(run("review", "list", "--json", "--status", "accepted").output) == []


def test_unknown_id_is_one_line_exit_2(env: Path) -> None:
    for n in ("99", "99999999999999999999999"):  # the second no SQLite integer can hold
        for args in (["show", n], ["history", n], ["accept", n, "--reviewer", "a"],
                     ["reject", n, "--reviewer", "a", "--comment", "x"]):
            r = run("review", *args)
            assert r.exit_code == 2, args
            assert r.output.strip().count("\n") == 0 and f"no draft {n}" in r.output


def test_accept_is_refused_while_the_text_has_findings(env: Path) -> None:
    r = run("review", "accept", "2", "--reviewer", "ana")
    assert r.exit_code == 1
    assert "not accepted" in r.output and '"1,337"' in r.output
    r = run("review", "accept", "2", "--reviewer", "ana", "--override")
    assert r.exit_code == 2 and "--comment" in r.output
    r = run("review", "accept", "2", "--reviewer", "ana", "--override", "--comment", "fine")
    assert r.exit_code == 0 and "accepted despite 1 findings" in r.output
    r = run("review", "accept", "1", env={"GENE_WRITER_REVIEWER": "bob"})
    assert r.exit_code == 0
    with Queue.open(env) as q:
        assert q.status(1) == q.status(2) == "accepted"
        assert q.latest_review(1).reviewer == "bob"


def test_edit_from_a_file_is_checked(env: Path, tmp_path: Path) -> None:
    page = tmp_path / "MT1G.md"
    page.write_text(clean_page("MT1G").replace("1,336", "1,337"))
    r = run("review", "edit", "1", "--file", str(page), "--reviewer", "ana")
    assert r.exit_code == 1  # saved, with a finding: a curator's typo is caught
    assert "draft 1 edited" in r.output and '"1,337"' in r.output
    r = run("review", "show", "1")
    assert r.stdout == page.read_text()  # the text alone on stdout, its findings on stderr
    assert '"1,337"' in r.stderr and "1 finding on this text" in r.stderr
    r = run("review", "show", "1", "--diff")
    assert "-The gene length is 1,336" in r.output and "+The gene length is 1,337" in r.output
    assert run("review", "edit", "1", "--file", str(page), "--reviewer", "ana").exit_code == 2
    page.write_text(clean_page("MT1G"))
    r = run("review", "edit", "1", "--file", str(page), "--reviewer", "ana", "--comment", "fix")
    assert r.exit_code == 0 and "every claim is traced" in r.output
    r = run("review", "history", "1")
    assert "edited  by ana" in r.output and "comment: fix" in r.output
    assert "The gene length is [-1,337-]{+1,336+} base pairs" in r.output  # word by word
    hist = json.loads(run("review", "history", "1", "--json").output)
    assert [h["action"] for h in hist] == ["edited", "edited"]
    assert len(hist[0]["findings"]) == 1 and hist[1]["findings"] == []
    missing = run("review", "edit", "1", "--file", str(tmp_path / "nope.md"), "--reviewer", "a")
    assert missing.exit_code == 2


def _editor(tmp_path: Path, body: str) -> str:
    script = tmp_path / "editor.py"
    script.write_text(textwrap.dedent(body))
    return f'"{sys.executable}" "{script}"'


def test_edit_in_editor(env: Path, tmp_path: Path) -> None:
    editor = _editor(tmp_path, """
        import sys, pathlib
        p = pathlib.Path(sys.argv[1])
        p.write_text(p.read_text().replace("mature length", "spliced length"))
    """)
    r = run("review", "edit", "1", "--reviewer", "ana", env={"EDITOR": editor})
    assert r.exit_code == 0, r.output
    assert "spliced length" in run("review", "show", "1").output


def test_edit_while_someone_else_saves_is_refused(env: Path, tmp_path: Path) -> None:
    editor = _editor(tmp_path, f"""
        import sys, pathlib
        from writer.review.store import Queue
        with Queue.open({str(env)!r}) as q:  # bob saves while ana is in her editor
            q.add_review(1, "rejected", "bob", q.current_text(1), based_on=0, comment="dup")
        p = pathlib.Path(sys.argv[1])
        p.write_text(p.read_text() + "\\nAna's addition.\\n")
    """)
    r = run("review", "edit", "1", "--reviewer", "ana", env={"EDITOR": editor})
    assert r.exit_code == 1
    assert "changed after you opened it (rejected by bob" in r.output
    with Queue.open(env) as q:
        assert q.status(1) == "rejected" and len(q.history(1)) == 1


def test_reject_needs_a_comment(env: Path) -> None:
    assert run("review", "reject", "1", "--reviewer", "ana").exit_code == 2
    r = run("review", "reject", "1", "--reviewer", "ana", "--comment", "wrong transcript")
    assert r.exit_code == 0
    assert json.loads(run("review", "list", "--json", "--status", "rejected").output)[0]["id"] == 1


def test_every_command_has_examples() -> None:
    from writer.publish import publish
    from writer.review.cli import review

    commands = [review, publish, *review.commands.values()]
    for cmd in commands:
        assert "Examples:" in (cmd.help or ""), cmd.name
        assert "writer " in (cmd.help or "").rstrip().splitlines()[-1], cmd.name


def test_a_curators_typo_is_caught_by_the_real_evaluator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts = build_fact_store(tmp_path / "facts.sqlite")
    queue_path = tmp_path / "queue.sqlite"
    monkeypatch.setenv("GENE_WRITER_FACTS", str(facts))
    monkeypatch.setenv("GENE_WRITER_QUEUE", str(queue_path))
    with Queue.open(queue_path) as q:
        q.add_draft(record("MT1G", facts_path=facts))
        q.add_draft(record("NME1", facts_path=facts))
    page = tmp_path / "MT1G.md"
    page.write_text(clean_page("MT1G").replace("424 base pairs", "442 base pairs"))
    r = run("review", "edit", "1", "--file", str(page), "--reviewer", "ana")
    assert r.exit_code == 1
    assert "442" in r.output and "contradicted" in r.output and "424" in r.output
    assert run("review", "accept", "1", "--reviewer", "ana").exit_code == 1
    r = run("review", "accept", "2", "--reviewer", "ana")  # a clean page is accepted
    assert r.exit_code == 0, r.output
