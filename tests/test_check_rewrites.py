"""Hand-written model-style rewrites (tests/data/rewrites.toml): each flawed paragraph gets a
finding of the kind it plants, and no careful, correct rewrite gets any finding."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from writer.check import check

CASES = tomllib.loads((Path(__file__).parent / "data" / "rewrites.toml").read_text())["case"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['gene']}-{i}" for i, c in enumerate(CASES)])
def test_a_rewrite_gets_the_findings_it_plants_and_no_other(case, factsheet):
    report = check(case["text"], factsheet(case["gene"]))
    kinds = {f.kind for f in report.findings}
    if not case["expect"]:
        assert report.findings == [], [(f.kind, f.claim, f.reason) for f in report.findings]
    else:
        assert set(case["expect"]) <= kinds, [(f.kind, f.claim, f.reason)
                                              for f in report.findings]
