"""Evaluator recall per planted kind and false alarms on hand-written model-style rewrites.

    python3 benchmarks/check_rewrites.py          # needs a synced fact store (writer data sync)

Reads tests/data/rewrites.toml (paragraphs written by hand the way a language model rewrites
a page, not by the injection code) and prints, per planted kind, how many paragraphs got a
finding of that kind, and how many careful, correct rewrites got any finding at all.
"""

from __future__ import annotations

import time
import tomllib
from collections import Counter
from pathlib import Path

import writer

CASES = tomllib.loads(
    (Path(__file__).resolve().parent.parent / "tests" / "data" / "rewrites.toml").read_text()
)["case"]


def main() -> None:
    planted: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    clean = alarms = 0
    times = []
    for case in CASES:
        sheet = writer.facts(case["gene"])
        start = time.perf_counter()
        report = writer.check(case["text"], sheet)
        times.append(time.perf_counter() - start)
        kinds = {f.kind for f in report.findings}
        if not case["expect"]:
            clean += 1
            alarms += bool(report.findings)
        for kind in case["expect"]:
            planted[kind] += 1
            caught[kind] += kind in kinds
    median_ms = sorted(times)[len(times) // 2] * 1000
    print(f"{len(CASES)} hand-written paragraphs; median check {median_ms:.1f} ms")
    print(f"{'kind':<18} caught")
    for kind in sorted(planted):
        print(f"{kind:<18} {caught[kind]}/{planted[kind]}")
    total = sum(planted.values())
    print(f"{'all':<18} {sum(caught.values())}/{total}")
    print(f"false alarms: {alarms} of {clean} careful rewrites")


if __name__ == "__main__":
    main()
