"""Top publications: the five papers linked to the gene with the highest relative citation
ratio (iCite), each with its title, year, RCR and PubMed link, as the reference pages write
them. Papers whose RCR is still provisional are not ranked, and the paragraph says so."""

from __future__ import annotations

from writer.factsheet import FactSheet, Item
from writer.sections.prose import join, link, number, paragraph

RCR_PAPER = "https://journals.plos.org/plosbiology/article?id=10.1371/journal.pbio.1002541"


def paper(item: Item) -> str:
    """``"[title](link)" (1991, RCR 12.87)``."""
    details = [str(item.year)] if item.year is not None else []
    if item.value is not None:
        details.append(f"RCR {number(item.value)}")
    return f'"{link(item.name, item.url)}"' + (f" ({', '.join(details)})" if details else "")


def render(sheet: FactSheet) -> str:
    fact = sheet.get("publications.top")
    if fact is None or not isinstance(fact.value, tuple) or not fact.value:
        return ""
    papers = [paper(i) for i in fact.value]
    basis = "linked to" if sheet.get("literature.publication_count") else "about"
    top = f"The top {len(papers)} publications {basis} {sheet.symbol}" if len(papers) > 1 \
        else f"The top publication {basis} {sheet.symbol}"
    return paragraph([
        f"{top}, ranked by their [relative citation ratio]({RCR_PAPER}) (RCR), "
        f"{'are' if len(papers) > 1 else 'is'} {join(papers)}",
        "The RCR measures a paper's influence by field- and time-adjusting the citations it "
        "has received, benchmarked to the median for NIH publications, which is set at 1.0",
        "Citation data come from [iCite](https://icite.od.nih.gov); papers whose RCR is still "
        "provisional are not ranked",
    ])
