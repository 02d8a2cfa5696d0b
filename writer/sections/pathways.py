"""Pathways: the WikiPathways pathways the gene is a member of."""

from __future__ import annotations

from writer.factsheet import FactSheet, Item
from writer.sections.prose import escape, item_link, join, paragraph

MAX_PATHWAYS = 8


def pathway(item: Item) -> str:
    text = item_link(item)
    if item.id and item.id != item.name:
        text += f" ({escape(item.id)})"
    return text


def select(sheet: FactSheet):
    fact = sheet.get("pathways.wikipathways")
    if fact is None or not isinstance(fact.value, tuple) or not fact.value:
        return {}
    return {fact.key: fact.model_copy(update={"value": fact.value[:MAX_PATHWAYS]})}


def render(sheet: FactSheet) -> str:
    facts = select(sheet)
    if not facts:
        return ""
    fact = facts["pathways.wikipathways"]
    full = sheet.facts["pathways.wikipathways"].value
    items = [pathway(i) for i in fact.value]  # type: ignore[union-attr]
    more = ", among others" if len(full) > len(fact.value) else ""  # type: ignore[arg-type]
    if len(items) == 1:
        return paragraph([f"The gene is a member of the WikiPathways pathway {items[0]}"])
    return paragraph([f"The gene is a member of the WikiPathways pathways {join(items)}{more}"])

