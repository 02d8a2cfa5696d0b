"""Pathways: the gene's WikiPathways pathways (offline) and its Reactome pathways (online),
the lowest-level ones with the top-level categories they belong to.

A WikiPathways pathway from ideogram's interaction lists is one the gene is drawn in (a
node of the diagram), not a curated membership, and the text says so; region maps of
copy-number variation are kept only for genes inside the region (at sync time,
``writer.sources.ideogram.outside_region``). Long lists are said in two sentences.
"""

from __future__ import annotations

from writer.factsheet import Fact, FactSheet, Item
from writer.sections.prose import escape, item_link, join, paragraph

MAX_PATHWAYS = 8
SPLIT = 4  # pathways in the first sentence; the rest follow in a second one
KEYS = ("pathways.wikipathways", "pathways.reactome", "pathways.reactome_categories")


def pathway(item: Item) -> str:
    text = item_link(item)
    if item.id and item.id != item.name:
        text += f" ({escape(item.id)})"
    return text


def select(sheet: FactSheet) -> dict[str, Fact]:
    """The facts the paragraph states: at most eight pathways of each list (every level of
    Reactome stays on the sheet for the evaluator, not in the text)."""
    out = {}
    for key in KEYS:
        fact = sheet.get(key)
        if fact is None or not isinstance(fact.value, tuple) or not fact.value:
            continue
        out[key] = fact.model_copy(update={"value": fact.value[:MAX_PATHWAYS]})
    return out


def _names(facts: dict[str, Fact], sheet: FactSheet, key: str) -> tuple[list[str], str]:
    shown = facts[key].value
    full = sheet.facts[key].value
    more = ", among others" if len(full) > len(shown) else ""  # type: ignore[arg-type]
    return [pathway(i) for i in shown], more  # type: ignore[union-attr]


def render(sheet: FactSheet) -> str:
    facts = select(sheet)
    if not facts:
        return ""
    sentences = []
    if "pathways.wikipathways" in facts:
        items, more = _names(facts, sheet, "pathways.wikipathways")
        noun = "pathway" if len(items) == 1 else "pathways"
        first, rest = (items, []) if len(items) <= SPLIT else (items[:SPLIT], items[SPLIT:])
        sentences.append(f"WikiPathways draws the gene in the {noun} {join(first)}"
                         + ("" if rest else more))
        if rest:
            sentences.append(f"It is also drawn in {join(rest)}{more}")
    if "pathways.reactome" in facts:
        items, more = _names(facts, sheet, "pathways.reactome")
        text = f"In Reactome, {sheet.symbol} takes part in {join(items)}{more}"
        if "pathways.reactome_categories" in facts:
            tops, more_tops = _names(facts, sheet, "pathways.reactome_categories")
            noun = "pathway" if len(tops) == 1 else "pathways"
            text += f", under the top-level {noun} {join(tops)}{more_tops}"
        sentences.append(text)
    return paragraph(sentences)
