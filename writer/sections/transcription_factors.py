"""Transcription factors: the TFs that bind the gene in chromatin immunoprecipitation (ChIP)
data as TFLink reports them (GTRD, ReMap and other databases), ranked by the number of
databases that report the binding, each linked to NCBI Gene by its symbol. TFLink counts
databases, not ChIP-seq experiments, and the paragraph says so."""

from __future__ import annotations

from writer.factsheet import Fact, FactSheet, Item
from writer.sections.prose import escape, fact_url, join, link, number, paragraph

TOP = 5
WORDS = ("one", "two", "three", "four", "five")


def select(sheet: FactSheet) -> dict[str, Fact]:
    """The TFs the text names (the ``TOP`` most-supported) and how many there are."""
    fact = sheet.get("regulation.chipseq_tfs")
    if fact is None or not isinstance(fact.value, tuple) or not fact.value:
        return {}
    out = {fact.key: fact.model_copy(update={"value": fact.value[:TOP]})}
    count = sheet.get("regulation.chipseq_tf_count")
    if count is not None:
        out[count.key] = count
    return out


def factor(item: Item) -> str:
    """``[ESR1](https://www.ncbi.nlm.nih.gov/gene/2099) (3 databases: GTRD, ReMap, TRED)``."""
    n = int(item.value or 0)
    dbs = ", ".join(escape(d) for d in item.evidence)
    return (f"{link(item.name, item.url)} ({number(n)} {'database' if n == 1 else 'databases'}"
            + (f": {dbs})" if dbs else ")"))


def render(sheet: FactSheet) -> str:
    facts = select(sheet)
    if not facts:
        return ""
    shown = facts["regulation.chipseq_tfs"]
    every = sheet.facts["regulation.chipseq_tfs"].value
    ref = sheet.sources.get(shown.source)
    release = f" ({escape(ref.version.split(' (')[0])})" if ref and ref.version else ""
    tflink = link("TFLink", fact_url(shown))
    total = len(every)  # type: ignore[arg-type]
    noun = "transcription factor binds" if total == 1 else "transcription factors bind"
    items = [factor(i) for i in shown.value]  # type: ignore[union-attr]
    lead = "It is" if len(items) == 1 else \
        f"The {WORDS[len(items) - 1]} reported by the most databases are"
    return paragraph([
        f"In {tflink}{release}, {number(total)} {noun} {escape(sheet.symbol)} in chromatin "
        f"immunoprecipitation (ChIP) data",
        f"{lead} {join(items)}",
        "TFLink gathers these pairs from GTRD and other databases and does not count ChIP-seq "
        "experiments, so the factors are ranked by the number of databases that report them",
    ])
