"""Evaluator recall per planted kind and false alarms on hand-written model-style rewrites.

    python3 benchmarks/check_rewrites.py          # needs a synced fact store (writer data sync)
    python3 benchmarks/check_rewrites.py tests/data/rewrites-heldout.toml

Reads tests/data/rewrites.toml (or the file given: paragraphs written by hand the way a
language model rewrites a page, not by the injection code) and prints, per planted kind, how
many paragraphs got a finding of that kind, and how many careful, correct rewrites got any
finding at all; each miss and false alarm is printed with its paragraph.
"""

from __future__ import annotations

import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

import writer

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "data" / "rewrites.toml"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    cases = tomllib.loads(path.read_text())["case"]
    planted: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    clean = alarms = 0
    times = []
    for case in cases:
        sheet = writer.facts(case["gene"])
        start = time.perf_counter()
        report = writer.check(case["text"], sheet)
        times.append(time.perf_counter() - start)
        kinds = {f.kind for f in report.findings}
        missed = [k for k in case["expect"] if k not in kinds]
        if missed or (not case["expect"] and report.findings):
            got = ", ".join(f"{f.kind} '{f.claim[:40]}'" for f in report.findings) or "nothing"
            print(f"  {case['gene']}: wanted {case['expect'] or 'no finding'}, got {got}: "
                  f"{case['text'].split(chr(10))[-1][:90]}")
        if not case["expect"]:
            clean += 1
            alarms += bool(report.findings)
        for kind in case["expect"]:
            planted[kind] += 1
            caught[kind] += kind in kinds
    median_ms = sorted(times)[len(times) // 2] * 1000
    print(f"{len(cases)} hand-written paragraphs; median check {median_ms:.1f} ms")
    print(f"{'kind':<18} caught")
    for kind in sorted(planted):
        print(f"{kind:<18} {caught[kind]}/{planted[kind]}")
    total = sum(planted.values())
    print(f"{'all':<18} {sum(caught.values())}/{total}")
    print(f"false alarms: {alarms} of {clean} careful rewrites")


if __name__ == "__main__":
    main()
