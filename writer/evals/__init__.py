"""The eval suite: how the team knows a change made pages better or worse.

    from writer.evals import load_suite, run_eval, render_markdown
    report = run_eval(load_settings(), load_suite())       # template phraser
    report = run_eval(settings, suite, model="qwen2.5")    # an OpenAI-compatible endpoint
    report.passed, report.missed, report.overall.grounding, report.to_json()

The suite is data in ``writer/evals/data/`` (panel, error-injection specifications,
thresholds; package data, so an installed wheel has it; see ``writer.evals.suite`` and
``evals/README.md``). ``writer eval`` is the command.
"""

from __future__ import annotations

from writer.evals.models import SCHEMA_VERSION, EvalReport, GeneResult, Overall
from writer.evals.report import render_markdown
from writer.evals.runner import run_eval
from writer.evals.suite import SUITE_DIR, Case, Injection, Suite, Threshold, load_suite

__all__ = [
    "SCHEMA_VERSION",
    "SUITE_DIR",
    "Case",
    "EvalReport",
    "GeneResult",
    "Injection",
    "Overall",
    "Suite",
    "Threshold",
    "load_suite",
    "render_markdown",
    "run_eval",
]
