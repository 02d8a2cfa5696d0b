"""`writer check PAGE --gene GENE [--json]`: the report, the exit codes, the error contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from writer.check import KINDS
from writer.cli import main

REFERENCE = Path(__file__).resolve().parent.parent.parent / "shared" / "reference-pages"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def clean_page(facts_env, factsheet, tmp_path):
    from writer.draft import make_draft

    path = tmp_path / "MT1G.md"
    path.write_text(make_draft(factsheet("MT1G"), date="2025-01-17").page, encoding="utf-8")
    return path


def test_a_clean_page_exits_0(clean_page):
    code, out, err = run("check", str(clean_page), "--gene", "MT1G")
    assert code == 0, out
    assert err == ""
    assert out.startswith("MT1G (NCBI Gene 4495): ")
    assert "0 findings" in out
    assert "| Facts verified | " in out


def test_findings_exit_1_with_the_claim_highlighted(clean_page, tmp_path):
    text = clean_page.read_text(encoding="utf-8").replace("The gene", "The gene MYC4Z", 1)
    page = tmp_path / "edited.md"
    page.write_text(text, encoding="utf-8")
    code, out, _ = run("check", str(page), "--gene", "4495")
    assert code == 1
    assert "\u00bbMYC4Z\u00ab" in out
    assert "unverifiable  gene_symbol  line " in out


def test_json_report(clean_page, tmp_path):
    text = clean_page.read_text(encoding="utf-8")
    page = tmp_path / "edited.md"
    page.write_text(text + "\nThe gene has 17 known splice variants.\n", encoding="utf-8")
    code, out, _ = run("check", str(page), "--gene", "MT1G", "--json")
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"schema_version", "gene", "findings", "checks", "claims_total",
                         "claims_traced", "judge"}
    assert data["judge"] is None
    (finding,) = data["findings"]
    assert list(finding) == ["claim", "sentence", "kind", "status", "reason", "start", "end"]
    assert finding["claim"] == "17" and finding["status"] == "unverifiable"
    assert finding["sentence"] == "The gene has 17 known splice variants."
    assert page.read_text(encoding="utf-8")[finding["start"]:finding["end"]] == "17"
    assert data["claims_total"] == data["claims_traced"] + 1


def test_standard_input(clean_page):
    code, out, _ = run("check", "-", "--gene", "MT1G", stdin=clean_page.read_text("utf-8"))
    assert code == 0, out


@pytest.mark.skipif(not (REFERENCE / "MT1G.md").exists(), reason="shared/ reference pages absent")
def test_the_old_reference_page_has_findings(facts_env):
    code, out, _ = run("check", str(REFERENCE / "MT1G.md"), "--gene", "MT1G", "--json")
    assert code == 1
    data = json.loads(out)
    by_claim = {f["claim"]: f for f in data["findings"]}
    assert by_claim["1,033,041.0 base pairs"]["status"] == "contradicted"
    assert by_claim["25 publications"]["status"] == "contradicted"
    assert by_claim["intracellular zinc ion homeostasis"]["status"] == "contradicted"
    assert by_claim["fetal thyroid"]["kind"] == "tissue"
    assert by_claim["ESR1"]["status"] == "unverifiable"
    assert {f["kind"] for f in data["findings"]} <= set(KINDS)


@pytest.mark.parametrize(("make", "message"), [
    (lambda d: d / "missing.md", "no such file"),
    (lambda d: d, "it is a folder"),
    (lambda d: _write(d / "page.json", b"{}"), "not a Markdown page"),
    (lambda d: _write(d / "page.md", b"\x00\x01binary"), "binary file"),
    (lambda d: _write(d / "page.md", "caf\u00e9".encode("latin-1")), "not UTF-8"),
    (lambda d: _write(d / "page.md", b"  \n"), "is empty"),
])
def test_bad_files_exit_2_with_one_line(facts_env, tmp_path, make, message):
    code, out, err = run("check", str(make(tmp_path)), "--gene", "MT1G")
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert message in err and err.startswith("writer: ")


@pytest.mark.parametrize("megabytes", [1, 5, 50])
def test_a_page_over_the_size_limit_is_refused_at_once(facts_env, tmp_path, megabytes):
    page = tmp_path / "big.md"
    with page.open("wb") as f:  # sparse past the first line: 50 MB costs no disk
        f.write(b"The gene length is 1,336 base pairs.\n")
        f.truncate(megabytes * 1_000_000)
    code, out, err = run("check", str(page), "--gene", "MT1G")  # refused before it is read
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        f"writer: {page}: {megabytes * 1_000_000:,} bytes is too large for a page "
        "(at most 200,000; gene pages are about 10 kB)"]


def test_standard_input_over_the_size_limit_is_refused(facts_env):
    code, _, err = run("check", "-", "--gene", "MT1G", stdin="The gene is long. " * 20_000)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "too large" in err


def _calls(fn) -> int:  # noqa: ANN001
    """Python function calls made by ``fn()``: a count of work, the same on a busy machine."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.runcall(fn)
    return pstats.Stats(profile).total_calls


@pytest.mark.parametrize("gene", ["MT1G", "NME1"])
def test_check_does_work_linear_in_the_page_size_up_to_the_limit(factsheet, gene):
    """Below the size limit a page four times longer costs four times the work, not more:
    no pass may scan the whole page, or all its claims, once per sentence. (Counted in calls,
    not timed; benchmarks/check_speed.py prints the seconds.)"""
    from writer.check import check
    from writer.check.page import MAX_PAGE_BYTES
    from writer.draft import make_draft

    sheet = factsheet(gene)
    page = make_draft(sheet, date="2025-01-17").page
    body = page.split("\n---\n", 1)[1]

    def grown(size: int) -> str:
        return page + ("\n\n" + body) * ((size - len(page)) // (len(body) + 2))

    small, large = grown(MAX_PAGE_BYTES // 8), grown(MAX_PAGE_BYTES // 2)
    check(page, sheet)  # vocabularies loaded once, outside the count
    ratio = _calls(lambda: check(large, sheet)) / _calls(lambda: check(small, sheet))
    assert ratio < 1.15 * len(large) / len(small)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_unknown_gene_exits_2(clean_page):
    code, out, err = run("check", str(clean_page), "--gene", "MT1GG")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == ["writer: unknown gene 'MT1GG'. Did you mean: MT1G?"]


def test_no_fact_store_exits_2(tmp_path, monkeypatch):
    monkeypatch.setenv("GENE_WRITER_FACTS", str(tmp_path / "none.sqlite"))
    page = _write(tmp_path / "p.md", b"The gene length is 1,336 base pairs.\n")
    code, _, err = run("check", str(page), "--gene", "MT1G")
    assert code == 2 and "writer data sync" in err


@pytest.mark.parametrize("args", [["check", "page.md"], ["check", "--gene", "MT1G"]])
def test_missing_arguments_exit_2_with_one_line(args):
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "missing" in err


def test_help_has_an_example():
    code, out, _ = run("check", "--help")
    assert code == 0 and "writer check MT1G.md --gene MT1G" in out


def test_a_fresh_process_checks_a_page(clean_page):
    """How long a cold process takes is benchmarks/check_speed.py's figure (target 1.5 s), not
    a test's: a timed test fails on a busy machine and proves nothing on an idle one."""
    args = [sys.executable, "-m", "writer.cli", "check", str(clean_page), "--gene", "MT1G"]
    proc = subprocess.run(args, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
