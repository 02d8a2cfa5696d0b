"""Literature: how many papers are linked to the gene, since when, and by which count.

Two counts can be on the sheet and the paragraph says which is which: NCBI's curated
gene2pubmed links (``literature.publication_count``; offline from org.Hs.eg.db, online from
the current NCBI Gene files) and PubTator3's text-mined mentions
(``literature.mention_count``, online). Each may come with the year of its earliest paper
and the years of its middle 50% (iCite's or PubTator3's publication years).
"""

from __future__ import annotations

from writer.factsheet import Fact, FactSheet
from writer.sections.prose import fact_url, int_value, link, paragraph, plural

YEAR_SOURCES = {"icite": "iCite", "pubtator3": "PubTator3"}


def _years(sheet: FactSheet, first_key: str, range_key: str) -> str:
    """", the earliest from 1980 and the middle 50% between 1997 and 2009 (years from iCite)"."""
    first, span = sheet.get(first_key), sheet.get(range_key)
    parts = []
    if first is not None and not first.is_list:
        parts.append(f"the earliest in {first.value}")
    if span is not None and isinstance(span.value, str) and "-" in span.value:
        lower, upper = span.value.split("-", 1)
        parts.append(f"the middle 50% published between {lower} and {upper}")
    if not parts:
        return ""
    source = (first or span).source  # type: ignore[union-attr]
    return f", {' and '.join(parts)} (years from {YEAR_SOURCES.get(source, source)})"


def _via(sheet: FactSheet, fact: Fact) -> str:
    source = sheet.sources.get(fact.source)
    if source and "org.Hs.eg.db" in source.name:
        return "NCBI Gene's curated PubMed links (gene2pubmed, as shipped in Bioconductor's " \
               "org.Hs.eg.db)"
    return "NCBI Gene's curated PubMed links (gene2pubmed)"


def render(sheet: FactSheet) -> str:
    curated = sheet.get("literature.publication_count")
    mentions = sheet.get("literature.mention_count")
    count, mentioned = int_value(curated), int_value(mentions)
    if count is None and mentioned is None:
        return ""
    gene_id = sheet.get("identity.ncbi_gene_id")
    ident = f" (NCBI ID: {gene_id.value})" if gene_id and not gene_id.is_list else ""
    sentences = []
    subject = f"The gene {sheet.symbol}{ident}"
    if curated is not None and count is not None:
        sentences.append(
            f"{subject} has been linked to {link(plural(count, 'publication'), fact_url(curated))}"
            f" according to {_via(sheet, curated)}"
            + _years(sheet, "literature.earliest_year", "literature.year_range"))
        subject = "PubTator3's text mining"
    else:
        subject = f"For {sheet.symbol}{ident}, PubTator3's text mining"
    if mentions is not None and mentioned is not None:
        sentences.append(
            f"{subject} finds it mentioned in "
            f"{link(plural(mentioned, 'publication'), fact_url(mentions))}"
            + _years(sheet, "literature.mention_earliest_year", "literature.mention_year_range"))
    if curated is not None and mentions is not None:
        sentences.append("Curated links and text-mined mentions count different things, so the "
                         "two numbers differ, and a PubMed search for the symbol may return "
                         "yet another")
    else:
        sentences.append("A PubMed search for the symbol may return a different number, "
                         "since the count comes from "
                         + ("NCBI's curated gene-to-paper links" if curated is not None
                            else "PubTator3's text mining"))
    return paragraph(sentences)
