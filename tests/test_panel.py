"""A fresh sync reproduces the golden fact sheets of the reference panel exactly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

PANEL = Path(__file__).parent.parent / "facts" / "panel"
with (PANEL / "genes.tsv").open() as _fh:
    SYMBOLS = [row["symbol"] for row in csv.DictReader(_fh, delimiter="\t")]


def test_panel_has_the_hard_cases():
    assert len(SYMBOLS) >= 25
    assert {p.stem for p in PANEL.glob("*.json")} == set(SYMBOLS)


@pytest.mark.parametrize("symbol", SYMBOLS)
def test_fresh_sync_matches_golden_sheet(factsheet, symbol):
    golden = json.loads((PANEL / f"{symbol}.json").read_text())
    fresh = json.loads(factsheet(symbol).to_json())
    assert fresh.keys() == golden.keys()
    assert sorted(fresh["facts"]) == sorted(golden["facts"]), "facts appeared or vanished"
    for key, fact in golden["facts"].items():
        assert fresh["facts"][key] == fact, key
    assert fresh == golden
