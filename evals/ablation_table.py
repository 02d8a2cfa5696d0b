#!/usr/bin/env python3
"""One Markdown table from the `writer eval --json` reports of a prompt ablation.

    python3 evals/ablation_table.py [--command CMD] RUN/default.json RUN/no-example.json ...

Each report is one prompt variant's run (evals/ablation.sh makes them); a report's column is
its ``prompt_variant``. The figures are the report's own (shape: writer/evals/models.py):
nothing is recomputed but shares, per-page and per-section quotients. A file ``NAME.load``
beside ``NAME.json`` (two lines of /proc/loadavg, before and after the run) adds the load.
Standard library only, so it runs wherever the reports are.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def _pct(num: float, den: float) -> str:
    return f"{100 * num / den:.1f}% ({num:g}/{den:g})" if den else "n/a"


def _per(num: float, den: float, digits: int = 0) -> str:
    return f"{num / den:,.{digits}f}" if den else "n/a"


def _rows(o: dict[str, Any]) -> list[tuple[str, str]]:
    """(metric, value) of one report's ``overall``, in the table's order."""
    sections = o.get("model_sections") or 0
    accepted = o.get("accepted_sections") or 0
    genes = o.get("genes") or 0
    return [
        ("genes drafted / model sections", f"{genes} / {sections}"),
        ("grounding of the pages: claims traced / claims",
         _pct(o["claims_traced"], o["claims_total"])),
        ("untraced claims that reached a page", str(o["page_findings"])),
        ("model answers with no untraced claim",
         _pct(o.get("answers_grounded") or 0, o.get("answers") or 0)),
        ("untraced claims in the model's answers (caught by the evaluator)",
         str(o.get("untraced_claims") or 0)),
        ("sections accepted, copies included", _pct(accepted, sections)),
        ("— copied (similarity ≥ 0.9)", _pct(o.get("copied_sections") or 0, sections)),
        ("— lightly edited (≥ 0.6)", _pct(o.get("lightly_edited_sections") or 0, sections)),
        ("— rewritten (< 0.6): `acceptance`", _pct(o.get("rewritten_sections") or 0, sections)),
        ("fell back to the template", _pct(o.get("fell_back") or 0, sections)),
        ("links the model wrote itself / template links (accepted sections)",
         _pct(o.get("links_kept") or 0, o.get("links") or 0)),
        ("links put back on bare names", str(o.get("links_restored") or 0)),
        ("template links missing from the pages", str(o.get("links_lost") or 0)),
        ("coverage of the accepted model sections",
         "n/a" if o.get("model_coverage") is None else f"{100 * o['model_coverage']:.1f}%"),
        ("re-asks (per model section)",
         f"{o.get('reasks') or 0} ({o.get('reasks_per_section') or 0:.2f})"),
        ("pages whose Coherence / Sentiment / Ethics check failed",
         f"{o['coherence_failed']} / {o['sentiment_failed']} / {o['ethics_failed']}"),
        ("planted errors caught on the clean pages", _pct(o["caught"], o["planted"])),
        ("readability: median Flesch-Kincaid grade per section (in band)",
         f"{o['readability_median']} ({100 * (o['readability_in_band'] or 0):.0f}%)"
         if o.get("readability_median") is not None else "n/a"),
        ("requests", str(o.get("model_calls") or 0)),
        ("tokens (prompt + completion)",
         f"{o.get('tokens') or 0:,} ({o.get('prompt_tokens') or 0:,} + "
         f"{o.get('completion_tokens') or 0:,})"),
        ("tokens per page / per section",
         f"{_per(o.get('tokens') or 0, genes)} / {_per(o.get('tokens') or 0, sections)}"),
        ("model seconds per page / per section",
         f"{_per(o.get('model_seconds') or 0, genes, 1)} / "
         f"{_per(o.get('model_seconds') or 0, sections, 1)}"),
        ("served as", ", ".join(o.get("served") or []) or "n/a"),
    ]


def _load(path: Path) -> str:
    load = path.with_suffix(".load")
    if not load.is_file():
        return "n/a"
    lines = [line.split()[0] for line in load.read_text().splitlines() if line.split()]
    return " → ".join(lines) if lines else "n/a"


def render(reports: list[tuple[Path, dict[str, Any]]], command: str | None) -> str:
    names = [r.get("prompt_variant") or "default" for _, r in reports]
    first = reports[0][1]
    genes = sorted({g.get("symbol") or g["query"] for _, r in reports for g in r["genes"]})
    out = [f"# Prompt ablation: `{first.get('model')}`", ""]
    if command:
        out += [f"Command: `{command}`", ""]
    named = list(zip(names, reports, strict=True))
    out += [f"Genes: {', '.join(genes)}. Runs: "
            + "; ".join(f"`{n}` {r['date']}" for n, (_, r) in named) + ".",
            "Machine load (1-minute load average before → after each run): "
            + "; ".join(f"`{n}` {_load(p)}" for n, (p, _) in named) + ".", ""]
    table = [_rows(r["overall"]) for _, r in reports]
    out.append("| metric | " + " | ".join(f"`{n}`" for n in names) + " |")
    out.append("| :-- |" + " --: |" * len(names))
    for i, (metric, _) in enumerate(table[0]):
        out.append(f"| {metric} | " + " | ".join(rows[i][1] for rows in table) + " |")
    sections = list(dict.fromkeys(s for _, r in reports for s in r["overall"]["by_section"]))
    out += ["", "Per section: copied / lightly edited / rewritten / fell back, then tokens and "
            "model seconds per gene.", "",
            "| section | " + " | ".join(f"`{n}`" for n in names) + " |",
            "| :-- |" + " --: |" * len(names)]
    for s in sections:
        cells = []
        for _, r in reports:
            b = r["overall"]["by_section"].get(s)
            cells.append("" if b is None else
                         f"{b['copied']}/{b['lightly_edited']}/{b['rewritten']}/"
                         f"{b['fell_back']} · {b['tokens_per_gene']:,.0f} tok · "
                         f"{b['seconds_per_gene']:.0f} s")
        out.append(f"| {s} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reports", nargs="+", type=Path, help="writer eval --json reports")
    ap.add_argument("--command", help="the command that made them, shown above the table")
    args = ap.parse_args(argv)
    reports = []
    for path in args.reports:
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
            report["overall"]["by_section"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"ablation_table: {path}: not a writer eval --json report ({exc})",
                  file=sys.stderr)
            return 2
        reports.append((path, report))
    sys.stdout.write(render(reports, args.command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
