"""Safe rendering of untrusted Markdown with findings highlighted in place."""

from __future__ import annotations

import re

from writer.check.models import Finding
from writer.review.render import render_page, safe_url

PAGE = (
    "---\nlayout: post\ntitle: MT1G\n---\n\n"
    "| [NCBI ID](https://www.ncbi.nlm.nih.gov/gene/4495) | symbol |\n| :-- | :-- |\n"
    "| 4495 | MT1G |\n\n"
    "The gene length is **1,337 base** pairs, see [GO:0008270]"
    "(https://amigo.geneontology.org/amigo/term/GO:0008270).\n"
)


def at(claim: str, nth: int = 0, **kw: str) -> Finding:
    starts = [m.start() for m in re.finditer(re.escape(claim), PAGE)]
    s = starts[nth]
    return Finding(claim=claim, kind=kw.get("kind", "number"),
                   status=kw.get("status", "contradicted"), reason="r",
                   start=s, end=s + len(claim))


def test_findings_are_marked_in_place() -> None:
    html, located = render_page(PAGE, [at("4495", 1), at("MT1G"), at("GO:0008270", 1)])
    assert '<td style="text-align:left"><mark class="finding contradicted" id="f0"' in html
    assert re.search(r'title: <mark [^>]*id="f1"[^>]*>MT1G</mark>', html)  # front matter
    # a claim inside a link target highlights the link text; the URL stays intact
    assert 'href="https://amigo.geneontology.org/amigo/term/GO:0008270"' in html
    assert re.search(r'<a [^>]*><mark [^>]*id="f2"[^>]*>GO:0008270</mark></a>', html)
    assert all(loc.highlighted for loc in located)


def test_a_highlight_across_elements_stays_well_formed() -> None:
    start = PAGE.index("1,337")
    end = PAGE.index("pairs") + len("pairs")
    f = Finding(claim=PAGE[start:end], kind="length", status="contradicted",
                reason="r", start=start, end=end)
    html, _ = render_page(PAGE, [f])
    assert re.search(r"<strong><mark [^>]*>1,337 base</mark></strong><mark [^>]*> pairs</mark>",
                     html)


def test_bad_offsets_fall_back_to_the_claim_or_to_a_list() -> None:
    sentence = "The gene length is **1,337 base** pairs"
    found = Finding(claim="1,337", sentence=sentence, kind="length", status="contradicted",
                    reason="r", start=900, end=905)
    lost = Finding(claim="42", kind="number", status="unverifiable", reason="r",
                   start=None, end=None)
    coverage = Finding(kind="coverage", status="omitted", key="protein.length",
                       reason="the text leaves out the protein length")
    html, located = render_page(PAGE, [found, lost, coverage])
    assert re.search(r'<mark [^>]*id="f0"[^>]*>1,337</mark>', html)
    assert [loc.highlighted for loc in located] == [True, False, False]


def test_markup_is_text_and_bad_links_are_not_links() -> None:
    text = (
        "<script>alert(1)</script>\n\n<b onmouseover=x>bold?</b> "
        "[x](javascript:alert(1)) [y](data:text/html,hi) ![img](https://evil.example/t.png) "
        '<a href="https://evil.example">a</a>\n\n```\n<script>\n```\n'
    )
    f = Finding(claim="alert", kind="number", status="unverifiable", reason="r", start=8, end=13)
    html, _ = render_page(text, [f])
    assert "<script" not in html and "<b " not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;b onmouseover=x&gt;" in html
    assert 'href="javascript' not in html and 'href="data:' not in html
    assert "[image: img]" in html
    assert not re.search("[\ue000-\uefff]", html)


def test_safe_url() -> None:
    assert safe_url("https://www.ensembl.org/x") == "https://www.ensembl.org/x"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://x\" onclick=\"y") is None
