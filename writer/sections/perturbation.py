"""Perturb-seq transcription factors (the reference pages' second TF paragraph): the TF
knockdowns of the Replogle et al. 2022 K562 genome-wide Perturb-seq screen that change the
gene's mean expression by at least the stated |z|, each with its direction (the knockdown
lowers or raises the gene), its size (mean z) and how many genes that knockdown changes,
the TFs linked to NCBI Gene. The licence (CC BY-NC-SA 4.0) is stated in the paragraph, and
so is which genes count as transcription factors (GO's DNA-binding TF activity)."""

from __future__ import annotations

from writer.factsheet import Fact, FactSheet, Item
from writer.sections.prose import escape, join, link, number, paragraph

TOP = 5
WORDS = ("one", "two", "three", "four", "five")
KEYS = ("perturbation.tf_knockdowns", "perturbation.tf_knockdown_count",
        "perturbation.knockdown_de_genes", "perturbation.threshold")


def select(sheet: FactSheet) -> dict[str, Fact]:
    """The knockdowns the text names (the ``TOP`` largest |z|), their DE counts, how many
    there are and the threshold."""
    fact = sheet.get("perturbation.tf_knockdowns")
    if fact is None or not isinstance(fact.value, tuple) or not fact.value:
        return {}
    shown = fact.value[:TOP]
    names = {i.name for i in shown}
    out = {fact.key: fact.model_copy(update={"value": shown})}
    de = sheet.get("perturbation.knockdown_de_genes")
    if de is not None and isinstance(de.value, tuple):
        out[de.key] = de.model_copy(update={"value": tuple(i for i in de.value
                                                            if i.name in names)})
    for key in KEYS[1::2]:
        if key in sheet.facts:
            out[key] = sheet.facts[key]
    return out


def direction(z: float) -> str:
    return "lowers" if z < 0 else "raises"


def knockdown(item: Item, de: dict[str, float], first: bool) -> str:
    """``[GATA1](…) lowers it (z = -0.82; 1,449 genes changed by that knockdown)``."""
    z = float(item.value or 0)
    genes = de.get(item.name)
    tail = ""
    if genes is not None:
        noun = "gene" if int(genes) == 1 else "genes"
        tail = f"; {number(int(genes))} {noun} changed by that knockdown" if first \
            else f"; {number(int(genes))} {noun}"
    return f"{link(item.name, item.url)} {direction(z)} it (z = {number(z, 2)}{tail})"


def render(sheet: FactSheet) -> str:
    facts = select(sheet)
    if not facts:
        return ""
    shown = facts["perturbation.tf_knockdowns"]
    every = sheet.facts["perturbation.tf_knockdowns"].value
    total = len(every)  # type: ignore[arg-type]
    de_fact = facts.get("perturbation.knockdown_de_genes")
    de = {i.name: float(i.value or 0) for i in de_fact.value} if de_fact else {}  # type: ignore[union-attr]
    threshold = sheet.value("perturbation.threshold")
    ref = sheet.sources.get(shown.source)
    licence = escape(ref.licence) if ref else "CC BY-NC-SA 4.0"
    paper = link("Replogle et al. 2022", shown.links[0].url if shown.links else None)
    data = link(licence, shown.links[1].url if len(shown.links) > 1 else None)
    items = [knockdown(i, de, n == 0) for n, i in enumerate(shown.value)]  # type: ignore[union-attr]
    noun = "a transcription factor changes" if total == 1 else \
        f"{number(total)} transcription factors change"
    lead = f"knocking down {join(items)}"
    if total > len(items):
        lead = f"The {WORDS[len(items) - 1]} with the largest effects: {lead}"
    return paragraph([
        f"In the K562 genome-wide Perturb-seq screen of {paper} (data licence {data}), the "
        f"{'knockdown' if total == 1 else 'knockdowns'} of {noun} the mean expression of "
        f"{escape(sheet.symbol)} "
        f"by at least {number(threshold or 0, 1)} (z, normalized to control cells)",
        lead,
        "Transcription factors here are the genes whose Gene Ontology molecular function is "
        "DNA-binding transcription factor activity or a more specific term",
    ])
