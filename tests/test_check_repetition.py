"""A name written twice in one paragraph is a coherence finding (issue 16): a small model
wrote "enables ... metal ion binding, and is predicted to enable metal ion binding"."""

from __future__ import annotations

import random

from test_draft_helpers import full_sheet

from writer.check import check
from writer.draft import make_draft
from writer.evals.inject import caught, inject

AMIGO = "https://amigo.geneontology.org/amigo/term/"


def coherence(text: str) -> list[str]:
    report = check(text, full_sheet())
    return [f.reason for f in report.findings if f.kind == "coherence"]


def test_a_go_term_named_twice_in_a_paragraph_is_a_coherence_finding():
    text = (f"The gene enables [protein binding]({AMIGO}GO:0005515), zinc ion binding and "
            "metal ion binding, and is predicted to enable metal ion binding.")
    assert coherence(text) == ["repeated in one paragraph: \u201cmetal ion binding\u201d"]
    report = check(text, full_sheet())
    assert report.checks.coherence.answer == "no" and not report.checks.coherence.ok


def test_the_same_name_in_two_paragraphs_or_an_id_beside_its_name_is_not_a_repeat():
    text = ("The gene is a member of the WikiPathways pathway [Zinc homeostasis]"
            "(https://www.wikipathways.org/pathways/WP3529) (WP3529).\n\n"
            f"It is predicted to enable [metal ion binding]({AMIGO}GO:0046872).\n\n"
            "The gene is predicted to enable metal ion binding.")
    assert coherence(text) == []


def test_the_template_page_has_no_repeat_and_a_planted_one_is_caught():
    sheet = full_sheet()
    page = make_draft(sheet, date="2025-01-17").page
    assert coherence(page) == []
    planted = [inject(page, sheet, "repeated_name", random.Random(f"r{t}")) for t in range(4)]
    assert all(p is not None for p in planted)
    for text, expected in planted:
        assert text.count(expected.claim) >= 2
        assert caught(check(text, sheet), expected), expected
