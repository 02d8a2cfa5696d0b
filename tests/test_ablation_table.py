"""evals/ablation_table.py: the prompt ablation's one table, from real `writer eval --json`
reports of two prompt variants (answered by evals/flawed_endpoint.py, a real loopback server)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAWED = ROOT / "evals" / "flawed_endpoint.py"
TABLE = ROOT / "evals" / "ablation_table.py"


def _report(variant: str, out: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, str(FLAWED), "--lifetime", "120", "--",
         sys.executable, "-m", "writer.cli", "eval", "--model", "flawed", "--json",
         "--gene", "MT1G", "--prompt-variant", variant],
        capture_output=True, text=True, timeout=150, env=dict(os.environ))
    assert proc.returncode == 1, proc.stderr  # every section falls back: acceptance missed
    out.write_text(proc.stdout)
    return json.loads(proc.stdout)


def test_one_column_per_variant_with_the_reports_figures(facts_env, tmp_path):
    a = _report("default", tmp_path / "default.json")
    b = _report("json-facts", tmp_path / "json-facts.json")
    (tmp_path / "default.load").write_text("3.10 2.00 1.00 2/300 9\n4.20 2.50 1.20 1/301 10\n")
    proc = subprocess.run([sys.executable, str(TABLE), "--command", "evals/ablation.sh",
                           str(tmp_path / "default.json"), str(tmp_path / "json-facts.json")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert text.startswith("# Prompt ablation: `flawed`")
    assert "Command: `evals/ablation.sh`" in text and "`default` 3.10 → 4.20" in text
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ")[1:]
            for line in text.splitlines() if line.startswith("| ")}
    assert rows["metric"] == ["`default`", "`json-facts` |"]
    n = a["overall"]["model_sections"]
    assert rows["fell back to the template"][0] == f"100.0% ({n}/{n})"
    assert rows["untraced claims that reached a page"] == ["0", "0 |"]
    tokens = [f"{r['overall']['tokens']:,}" for r in (a, b)]
    assert [c.split(" ")[0] for c in rows["tokens (prompt + completion)"]] == tokens
    assert "function" in rows  # the per-section table


def test_a_file_that_is_not_a_report_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("{}")
    proc = subprocess.run([sys.executable, str(TABLE), str(bad)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "not a writer eval --json report" in proc.stderr
