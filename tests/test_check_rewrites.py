"""Hand-written model-style rewrites (tests/data/rewrites.toml, and the held-out set
rewrites-heldout.toml written for other genes): each flawed paragraph gets a finding of the
kind it plants, and no careful, correct rewrite gets any finding. A case marked ``missed`` is
a known gap, kept in the set as a strict xfail so that closing it shows."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from writer.check import check

DATA = Path(__file__).parent / "data"
CASES = [(path.stem, case) for path in (DATA / "rewrites.toml", DATA / "rewrites-heldout.toml")
         for case in tomllib.loads(path.read_text())["case"]]


def _param(i: int, stem: str, case: dict) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case["missed"])] if "missed" in case else []
    return pytest.param(case, id=f"{stem}-{case['gene']}-{i}", marks=marks)


@pytest.mark.parametrize("case", [_param(i, stem, c) for i, (stem, c) in enumerate(CASES)])
def test_a_rewrite_gets_the_findings_it_plants_and_no_other(case, factsheet):
    report = check(case["text"], factsheet(case["gene"]))
    kinds = {f.kind for f in report.findings}
    if not case["expect"]:
        assert report.findings == [], [(f.kind, f.claim, f.reason) for f in report.findings]
    else:
        assert set(case["expect"]) <= kinds, [(f.kind, f.claim, f.reason)
                                              for f in report.findings]
