"""Expression: the tissues with the highest median expression (GTEx)."""

from __future__ import annotations

from writer import catalog
from writer.factsheet import FactSheet, Item
from writer.sections.prose import escape, fact_url, item_link, join, link, number, paragraph

LEAD = 3  # tissues in the first sentence; the rest follow in a second one


def tissue(item: Item, page_url: str | None) -> str:
    text = item_link(item) if item.url and item.url != page_url else escape(item.name)
    if item.value is not None:
        unit = item.unit or "TPM"
        text += f" ({number(item.value)} {unit})"
    return text


def render(sheet: FactSheet) -> str:
    fact = sheet.get("expression.top_tissues")
    if fact is None or not isinstance(fact.value, tuple) or not fact.value:
        return ""
    url = fact_url(fact)
    items = [tissue(i, url) for i in fact.value]
    gtex = link("GTEx", url)
    has_values = any(i.value is not None for i in fact.value)
    measure = "median expression" if has_values else "expression"
    if len(items) == 1:
        return paragraph([f"In {gtex}, the tissue with the highest {measure} of the gene is "
                          f"{items[0]}"])
    # only tissues with real expression lead: INS is pancreas, then nothing above 1 TPM
    floor = catalog.negligible_tpm()
    lead = [i for i in fact.value[:LEAD] if i.value is None or i.value >= floor]
    lead = lead or list(fact.value[:1])
    first, rest = items[: len(lead)], items[len(lead) :]
    if len(first) == 1:
        sentences = [f"In {gtex}, the tissue with the highest {measure} of the gene is {first[0]}"]
    else:
        sentences = [f"In {gtex}, the tissues with the highest {measure} of the gene are "
                     + join(first)]
    if rest and len(lead) < LEAD and has_values:
        sentences.append(f"The other tissues have far lower expression: {join(rest)}")
    elif rest:
        sentences.append(f"They are followed by {join(rest)}")
    return paragraph(sentences)
