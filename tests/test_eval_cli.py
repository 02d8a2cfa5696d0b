"""`writer eval` end to end, as CI runs it: the offline suite on the whole panel (must pass)
and a run against ``evals/flawed_endpoint.py``, a real loopback server that answers with
deliberately flawed paragraphs (must exit 1 on acceptance, with no flaw on any page).

Both run ``writer`` in a subprocess against the session's synced fact store.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAWED = ROOT / "evals" / "flawed_endpoint.py"
sys.path.insert(0, str(FLAWED.parent))
import flawed_endpoint  # noqa: E402

from writer.evals.suite import SUITE_DIR  # noqa: E402

# One gene of each hard case: the flawed run costs three requests per section.
FLAWED_GENES = ("MT1G", "TP53", "CFTR", "XIST", "MIR21", "MT1JP", "MT-CO1", "SRY", "BAGE",
                "KRTAP4-16")


def writer(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "writer.cli", *args], capture_output=True,
                          text=True, timeout=timeout, env=dict(os.environ))


def test_offline_eval_passes_on_the_panel(facts_env, isolated_home, tmp_path):
    report_md = tmp_path / "eval.md"
    proc = writer("eval", "--json", "--report", str(report_md))
    assert proc.returncode == 0, proc.stderr + proc.stdout[-3000:]
    data = json.loads(proc.stdout)
    o = data["overall"]
    assert data["passed"] and data["missed"] == [] and data["phraser"] == "template"
    assert o["genes"] >= 25 and o["resolution"] == 1.0
    assert o["grounding"] == 1.0 and o["page_findings"] == 0 and o["false_alarms"] == 0
    assert o["coverage"] == 1.0
    assert len(o["recall_by_kind"]) >= 10 and o["recall"] >= 0.98
    assert o["acceptance"] is None and o["tokens"] == 0
    assert o["seconds"] < 120  # the figure: the offline suite in under 2 minutes
    refused = [g for g in data["genes"] if g["outcome"] == "refused"]
    assert refused and all(g["resolved"] for g in refused)  # the shared alias MT1
    assert report_md.read_text().startswith("# gene-writer eval: PASS")
    assert "eval passed" in proc.stderr
    assert not (isolated_home / "queue.sqlite").exists()  # drafts are not queued


def test_a_flawed_endpoint_fails_the_eval_and_no_flaw_reaches_a_page(facts_env, tmp_path):
    pages = tmp_path / "pages"
    args = [a for g in FLAWED_GENES for a in ("--gene", g)]
    proc = subprocess.run(
        [sys.executable, str(FLAWED), "--lifetime", "300", "--",
         sys.executable, "-m", "writer.cli", "eval", "--model", "flawed", "--json",
         "--pages", str(pages), *args],
        capture_output=True, text=True, timeout=330, env=dict(os.environ),
    )
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    o = data["overall"]
    assert not data["passed"] and data["phraser"] == "openai" and data["model"] == "flawed"
    acceptance = next(t for t in data["thresholds"] if t["metric"] == "acceptance")
    assert acceptance["passed"] is False and o["acceptance"] < acceptance["bound"]
    assert "acceptance" in proc.stderr  # the missed threshold is named
    assert o["model_sections"] > 0 and o["fell_back"] == o["model_sections"]
    assert o["reasks"] == 2 * o["model_sections"]  # every section re-asked twice
    assert o["replaced_claims"] >= o["model_sections"]
    assert o["answers"] == o["model_calls"] and o["answer_grounding"] == 0.0  # every answer
    assert o["untraced_claims"] >= o["answers"]  # holds a flaw, and the evaluator saw it
    assert o["page_findings"] == 0 and o["grounding"] == 1.0
    assert o["tokens"] > 0 and o["model_calls"] == 3 * o["model_sections"]
    assert "requests answered" in proc.stderr
    written = {p.stem: p.read_text() for p in pages.glob("*.md")}
    assert len(written) == len(FLAWED_GENES)
    markers = (flawed_endpoint.INVENTED_NUMBER, flawed_endpoint.INVENTED_SYMBOL,
               flawed_endpoint.WRONG_NAMES, flawed_endpoint.WRONG_BAND,
               *flawed_endpoint.MARKUP)
    for symbol, page in written.items():
        for marker in markers:
            assert marker not in page, f"{marker!r} reached the page of {symbol}"


def test_every_flaw_kind_is_served():
    body = {"messages": [
        {"role": "system", "content": "rules"},
        {"role": "user", "content": "Section: gene structure. Gene: MT1G.\n\nFacts...\n\n"
         "A paragraph written from the same facts by a template, for the expected tone and "
         "form:\nThe MT1G gene length is 1,336 base pairs (3.42nd percentile)."},
    ]}
    seen = {}
    for turn in range(len(flawed_endpoint.FLAWS)):
        messages = body["messages"] + [{"role": "assistant", "content": "x"}] * turn
        flaw, text = flawed_endpoint.flawed_paragraph({"messages": messages})
        seen[flaw] = text
    assert set(seen) == set(flawed_endpoint.FLAWS)
    assert "1,337" in seen["changed_numbers"]
    assert "BRCA2" in seen["wrong_symbol"] and "MT1G" not in seen["wrong_symbol"]
    assert "<script>" in seen["markup"]


def test_wrong_names_outside_their_sections_are_findings(factsheet):
    """A gap the flawed endpoint found (a wrong tissue and pathway appended to the function
    paragraph of CFTR reached its page), fixed in the evaluator; kept as a regression test."""
    from writer.check import check
    from writer.sections import get

    sheet = factsheet("CFTR")
    text = get("function").template(sheet) + (
        " It is most highly expressed in the cerebellum and belongs to the Wnt signaling "
        "pathway.")
    claims = {f.claim for f in check(text, sheet).findings}
    assert any("cerebellum" in c for c in claims)
    assert any("Wnt" in c for c in claims)


def test_bad_input_is_one_line_with_exit_code_2(facts_env, tmp_path):
    cases = [
        (["eval", "--gene", "NOSUCHGENE1"], "unknown gene"),
        (["eval", "--suite", str(tmp_path / "nowhere")], "does not exist"),
        (["eval", "--report", str(tmp_path / "no" / "dir" / "r.md")], "folder does not exist"),
        (["eval", "--model", "some-model"], "needs an endpoint"),
    ]
    for args, message in cases:
        proc = writer(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "Traceback" not in proc.stderr


def test_no_fact_store_is_bad_input(isolated_home):
    proc = writer("eval")
    assert proc.returncode == 2 and "writer data sync" in proc.stderr


def test_a_missed_threshold_exits_1_and_is_named(facts_env, tmp_path):
    import shutil

    suite = tmp_path / "suite"
    shutil.copytree(SUITE_DIR, suite)
    (suite / "thresholds.toml").write_text(
        '[[threshold]]\nmetric = "seconds_per_gene"\nmax = 0.000001\nwhy = "impossible"\n'
        '[[threshold]]\nmetric = "grounding"\nmin = 1.0\n'
        '[[threshold]]\nmetric = "recall_by_kind.changed_number.rate"\nmin = 0.9\n')
    proc = writer("eval", "--suite", str(suite), "--gene", "MT1G", "--gene", "APOE")
    assert proc.returncode == 1
    assert "1 threshold missed" in proc.stderr and "seconds_per_gene" in proc.stderr
    assert proc.stdout.startswith("# gene-writer eval: FAIL")
    assert "**MISSED**" in proc.stdout and "`recall_by_kind.changed_number.rate`" in proc.stdout
