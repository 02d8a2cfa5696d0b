"""Expression: the tissues with the highest median expression (GTEx).

The wording follows the values: a tissue below the catalogue's negligible floor
(``catalog.negligible_tpm()``) never leads a sentence about the highest expression; a gene
with one tissue above the floor is said to be expressed there only (INS: pancreas); GTEx's
two cell lines ("Cells - Cultured fibroblasts") are called cell lines; and GTEx's labels
read as prose ("Skin - Not Sun Exposed (Suprapubic)" -> "skin (not sun-exposed,
suprapubic)"). Every word of a prose name is a word of the GTEx label, so the evaluator
finds the tissue by its words.
"""

from __future__ import annotations

import re

from writer import catalog
from writer.factsheet import FactSheet, Item
from writer.sections.prose import escape, fact_url, join, link, number, paragraph

LEAD = 3  # tissues in the first sentence; the rest follow in a second one

# GTEx labels "<tissue> - <part>": a one-word part that reads as an adjective goes before the
# tissue ("Nerve - Tibial" -> "tibial nerve"); any other part goes in parentheses after it.
BEFORE = frozenset({"tibial", "coronary", "transverse", "sigmoid", "visceral", "subcutaneous",
                    "skeletal"})
NOUN = {"adipose": "adipose tissue"}  # an adjective GTEx uses as a tissue's name
CELL_LINE = "cells"  # GTEx's label for its cell lines: "Cells - EBV-transformed lymphocytes"


def _word(w: str) -> str:
    """A label's word in running text: lower case, except acronyms and codes (EBV, BA24)."""
    return w if re.search(r"[A-Z].*[A-Z]|\d", w) else w.lower()


def _words(text: str) -> str:
    text = " ".join(_word(w) for w in text.split())
    return re.sub(r"\bsun exposed\b", "sun-exposed", text)


def is_cell_line(name: str) -> bool:
    return name.split(" - ", 1)[0].strip().lower() == CELL_LINE


def prose_name(name: str) -> str:
    """A GTEx tissue label as prose: ``"Adipose - Visceral (Omentum)"`` -> ``"visceral
    adipose (omentum)"``, ``"Brain - Frontal Cortex (BA9)"`` -> ``"brain (frontal cortex,
    BA9)"``, ``"Cells - Cultured fibroblasts"`` -> ``"cultured fibroblasts"``."""
    head, _, part = (x.strip() for x in name.partition(" - "))
    m = re.fullmatch(r"(.*?)\s*\(([^()]*)\)", part)
    part, note = (m.group(1), m.group(2)) if m else (part, "")
    if head.lower() == CELL_LINE:
        return _words(part) + (f" ({_words(note)})" if note else "")
    tissue = NOUN.get(head.lower(), _words(head))
    if not part:
        return tissue
    if part.lower() in BEFORE:
        return f"{_words(part)} {tissue}" + (f" ({_words(note)})" if note else "")
    inside = _words(part) + (f", {_words(note)}" if note else "")
    return f"{tissue} ({inside})"


def tissue(item: Item, page_url: str | None) -> str:
    name = escape(prose_name(item.name))
    text = link(prose_name(item.name), item.url) if item.url and item.url != page_url else name
    details = ["cell line"] if is_cell_line(item.name) else []
    if item.value is not None:
        details.append(f"{number(item.value)} {item.unit or 'TPM'}")
    return text + (f" ({', '.join(details)})" if details else "")


def render(sheet: FactSheet) -> str:
    fact = sheet.get("expression.top_tissues")
    if fact is None or not isinstance(fact.value, tuple) or not fact.value:
        return ""
    url = fact_url(fact)
    ranked = list(fact.value)
    items = [tissue(i, url) for i in ranked]
    gtex = link("GTEx", url)
    has_values = any(i.value is not None for i in ranked)
    measure = "median expression" if has_values else "expression"
    where = "tissue or cell line" if any(is_cell_line(i.name) for i in ranked[:1]) else "tissue"
    floor = catalog.negligible_tpm()
    expressed = [i for i in ranked if i.value is None or i.value >= floor]
    if len(items) == 1 and has_values and not expressed:
        return paragraph([f"In {gtex}, the gene's median expression is negligible in the only "
                          f"tissue listed: {items[0]}"])
    if len(items) == 1:
        return paragraph([f"In {gtex}, the {where} with the highest {measure} of the gene is "
                          f"{items[0]}"])
    if has_values and not expressed:
        return paragraph([f"In {gtex}, the gene's median expression is negligible in every "
                          f"tissue listed: {join(items)}"])
    if has_values and len(expressed) == 1 and ranked[0] is expressed[0]:
        # INS: pancreas, then nothing above the floor
        return paragraph([f"In {gtex}, the gene is expressed only in {items[0]}",
                          f"the other tissues' medians are negligible: {join(items[1:])}"])
    lead = [i for i in ranked[:LEAD] if i.value is None or i.value >= floor]
    first, rest = items[: len(lead)], items[len(lead):]
    kinds = "tissues and cell lines" if any(is_cell_line(i.name) for i in lead) else "tissues"
    sentences = [f"In {gtex}, the {kinds} with the highest {measure} of the gene are "
                 + join(first)]
    if rest and len(lead) < LEAD and has_values:
        sentences.append(f"The others have far lower expression: {join(rest)}")
    elif rest:
        sentences.append(f"They are followed by {join(rest)}")
    return paragraph(sentences)
