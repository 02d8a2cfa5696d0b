"""The evaluator measured: plant errors of every kind in clean pages and count how many it
catches (recall per kind), and count its findings on the clean pages (false alarms).

Clean pages come from ``check_pages.build_page`` (synthetic fact sheets, phrasing and
number formats varied) and, with the session's real fact store, from the drafting
templates. ``python benchmarks/check_recall.py`` prints the same measurement on more pages.
"""

from __future__ import annotations

import random

import pytest
from check_pages import build_page, complete, synthetic_sheet

from writer.check import check
from writer.check.diseases import from_store
from writer.evals.inject import KINDS, NEEDS_STORE, caught, describe, inject, measure

RECALL_TARGET = 0.99
PAGES = 16


@pytest.fixture(scope="module")
def checker(synced):
    """The evaluator with the disease names a synced fact store gives."""
    names = from_store(synced.facts_path)

    def run(text, sheet):
        return check(text, sheet, diseases=names)

    return run


@pytest.fixture(scope="module")
def synthetic_measurement(checker):
    pages = []
    for seed in range(PAGES):
        sheet = synthetic_sheet(seed)
        pages.append((build_page(sheet, random.Random(seed)), sheet))
    return measure(pages, checker=checker)


def test_no_false_alarm_on_clean_pages(synthetic_measurement):
    m = synthetic_measurement
    assert m.clean_pages == PAGES
    assert m.false_alarms == []


# A synthetic sheet has no fact store behind it, so no ontology to name invented GO terms
# from: those kinds are measured on the panel's real pages (writer eval, test_eval_suite).
@pytest.mark.parametrize("kind", [k for k in KINDS if k not in NEEDS_STORE])
def test_recall_per_kind(synthetic_measurement, kind):
    r = synthetic_measurement.recall[kind]
    assert r.planted >= PAGES // 2, f"{kind} found too few places to plant an error"
    assert r.rate >= RECALL_TARGET, (kind, r.missed[:3])


def test_there_are_at_least_ten_kinds_and_each_is_described():
    assert len(KINDS) >= 10
    assert all(describe().values())


def test_injection_is_deterministic_and_changes_the_page():
    sheet = synthetic_sheet(3)
    page = build_page(sheet, random.Random(3))
    for kind in KINDS:
        a = inject(page, sheet, kind, random.Random(1))
        b = inject(page, sheet, kind, random.Random(1))
        assert a == b
        if a is not None:
            new, expected = a
            assert new != page
            assert new[expected.start:expected.end] == expected.claim


def test_caught_needs_an_overlapping_finding():
    sheet = synthetic_sheet(4)
    page = build_page(sheet, random.Random(4))
    new, expected = inject(page, sheet, "invented_sentence", random.Random(2))
    assert caught(check(new, sheet), expected)
    assert not caught(check(page, sheet), expected)


# --- real fact sheets (the session's fact store) ---------------------------------------------
REAL_GENES = ["MT1G", "NME1", "TP53", "BRAF", "APOE"]


@pytest.fixture(scope="module")
def real_sheets(factsheet):
    return {g: factsheet(g) for g in REAL_GENES}


def test_template_drafts_have_no_finding(real_sheets):
    """Every claim of a page the drafting templates write traces to its fact sheet."""
    from writer.draft import make_draft

    for gene, sheet in real_sheets.items():
        result = make_draft(sheet)
        assert result.report is not None
        assert result.report.findings == [], (gene, result.report.findings[:3])
        assert result.report.claims_total > 20


def test_recall_on_real_sheets(real_sheets, checker):
    from writer.draft import make_draft

    pages = []
    for n, sheet in enumerate(real_sheets.values()):
        full = complete(sheet, n)
        pages.append((build_page(full, random.Random(n)), full))
        pages.append((make_draft(sheet).page, sheet))
    m = measure(pages, checker=checker)
    assert m.false_alarms == []
    for kind, r in m.recall.items():
        assert r.rate >= RECALL_TARGET, (kind, r.missed[:3])
