"""Model output is untrusted: no markup, no Liquid, no foreign links reach the page."""

from __future__ import annotations

import pytest

from writer.check.coverage import numbers, omitted
from writer.phrasers.untrusted import clean

ALLOWED = ["https://amigo.geneontology.org/amigo/term/GO:0005515"]


@pytest.mark.parametrize("raw", [
    "The gene <script>alert(1)</script>enables binding.",
    "The gene <SCRIPT src=//x.test/a.js></SCRIPT>enables binding.",
    "The gene <img src=x onerror=alert(1)>enables binding.",
    "The gene <iframe src=//x.test></iframe>enables binding.",
    "The gene <!-- <script>alert(1)</script> -->enables binding.",
    "The gene <a href=\"javascript:alert(1)\">enables</a> binding.",
])
def test_html_never_survives(raw):
    text = clean(raw)
    assert "<" not in text and ">" not in text
    assert "script" not in text.lower() or "&lt;" in text
    assert "onerror" not in text and "javascript" not in text.lower()
    assert "binding" in text


def test_an_unclosed_script_drops_the_rest_like_a_browser_would():
    assert clean("The gene <script>never closed enables binding.") == "The gene"


def test_a_lone_angle_bracket_is_escaped_not_dropped():
    assert clean("a p-value < 0.05 and x > y") == "a p-value &lt; 0.05 and x &gt; y"


def test_only_fact_links_are_kept():
    raw = ("It enables [protein binding](https://amigo.geneontology.org/amigo/term/GO:0005515), "
           "[evil](https://evil.test/x), [js](javascript:alert(1)) and ![img](https://x.test/a.png).")
    text = clean(raw, ALLOWED)
    assert "[protein binding](https://amigo.geneontology.org/amigo/term/GO:0005515)" in text
    assert "evil.test" not in text and "javascript" not in text and "x.test" not in text
    assert "evil" in text and "js" in text and "img" in text


def test_liquid_and_attribute_lists_are_neutralised():
    text = clean("A {{ site.secret }} B {% include x.html %} C {: onclick=\"x\"}")
    assert "{{" not in text and "{%" not in text and "{:" not in text
    assert text.startswith("A B C")


def test_blocks_become_one_paragraph():
    raw = "# Heading\n\n- one\n- two\n\n> quote\n\n```\ncode\n```\n| a | b |\n[x]: https://e.test"
    text = clean(raw)
    assert "\n" not in text
    assert not text.startswith("#")
    assert "\\| a \\| b \\|" in text
    assert "e.test" not in text


def test_coverage_reads_numbers_under_rounding():
    assert [(str(w.value), w.decimals, suffix) for w, suffix
            in numbers("1,336 bp, 0.276 and 99.66% [x](https://a/123), 46 kb")] == [
        ("1336", 0, ""), ("0.276", 3, ""), ("99.66", 2, "%"), ("46", 0, "kb")]
    from test_draft_helpers import full_sheet

    sheet = full_sheet()
    facts = {k: sheet.facts[k] for k in ("structure.gene_length", "protein.helix_fraction")}
    text = "The gene length is 1.3 kb (3.42nd percentile); helix 30.65% (37.56th percentile)."
    assert omitted("s", text, facts) == []
    missing = omitted("s", "The gene length is 1,336 base pairs.", facts)
    assert {(f.key, f.kind, f.status) for f in missing} == {
        ("structure.gene_length", "coverage", "omitted"),
        ("protein.helix_fraction", "coverage", "omitted"),
    }
    assert any("percentile" in f.reason for f in missing)
    assert all(f.section == "s" and f.start is None for f in missing)


def test_coverage_reads_a_range_by_its_two_ends():
    """The literature template writes iCite's "2000-2012" as "between 2000 and 2012": its own
    text leaves nothing out, and a text with one end only does."""
    from writer.factsheet import Fact

    facts = {"literature.year_range": Fact(key="literature.year_range",
                                            label="Middle 50% of publication years",
                                            value="2000-2012", source="icite")}
    said = "the middle 50% published between 2000 and 2012 (years from iCite)"
    assert omitted("literature", said, facts) == []
    assert omitted("literature", "published from 2000 to 2012", facts) == []
    assert omitted("literature", "published 2000\u20132012", facts) == []
    missing = omitted("literature", "the middle 50% published since 2000", facts)
    assert [(f.key, f.claim) for f in missing] == [("literature.year_range", "2000-2012")]
