"""Expression: the tissues with the highest median expression (GTEx), and, when the BioGPS
source was synced, a second paragraph: the GNF1H atlas's tissue samples where the gene's
signal is highest (``writer.sources.biogps`` says which samples count).

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


def biogps_name(column: str) -> str:
    """A BioGPS GNF1H sample (a column of the atlas file) as prose, in the source's spelling:
    words split at underscores and where a lower-case letter meets a capital, lower case
    except a word with a digit or two capitals, a one-letter word and words in parentheses
    (``"AdrenalCortex"`` -> ``"adrenal cortex"``, ``"721_B_lymphoblasts"`` -> ``"721 B
    lymphoblasts"``, ``"BDCA4+_DentriticCells"`` -> ``"BDCA4+ dentritic cells"``,
    ``"Lymphoma_burkitts(Daudi)"`` -> ``"lymphoma burkitts (Daudi)"``). The template and the
    evaluator both name a sample this way."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", column.replace("_", " "))
    text = re.sub(r"(?<=\S)\(", " (", text)
    words, depth = [], 0
    for w in text.split():
        depth += w.count("(")
        words.append(w if depth or len(w) == 1 else _word(w))
        depth -= w.count(")")
    return " ".join(words)


def tissue(item: Item, page_url: str | None) -> str:
    name = escape(prose_name(item.name))
    text = link(prose_name(item.name), item.url) if item.url and item.url != page_url else name
    details = ["cell line"] if is_cell_line(item.name) else []
    if item.value is not None:
        details.append(f"{number(item.value)} {item.unit or 'TPM'}")
    return text + (f" ({', '.join(details)})" if details else "")


# how the BioGPS paragraph words its rule's factor (catalog.biogps_rule()): in words, so the
# evaluator reads no number in it
_TIMES = {2.0: "twice", 3.0: "three times", 5.0: "five times", 10.0: "ten times"}


def render_biogps(sheet: FactSheet) -> str:
    """The BioGPS paragraph ('' when the sheet has no BioGPS fact): the samples in order."""
    fact = sheet.get("expression.biogps_tissues")
    if fact is None or not isinstance(fact.value, tuple) or not fact.value:
        return ""
    names = [escape(biogps_name(i.name)) for i in fact.value]
    first = (f"In the {link('BioGPS', fact_url(fact))} GNF1H atlas of tissue samples (gcRMA), "
             f"the gene's signal is highest in the {names[0]}")
    if len(names) > 1:
        first += f", followed by the {join(names[1:])}"
    return paragraph([first, f"These are the samples where its signal is at least "
                             f"{_TIMES[catalog.biogps_rule()[0]]} its median across the "
                             f"atlas"])


def render(sheet: FactSheet) -> str:
    gtex, biogps = render_gtex(sheet), render_biogps(sheet)
    return "\n\n".join(p for p in (gtex, biogps) if p)


def render_gtex(sheet: FactSheet) -> str:
    """The GTEx paragraph ('' when the sheet has no GTEx top tissues)."""
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
