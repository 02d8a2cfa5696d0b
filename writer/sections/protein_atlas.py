"""Protein atlas: the Human Protein Atlas's fields for the gene, and nothing else: protein
classes, evidence level, RNA tissue specificity and distribution, single cell type
specificity, the expression clusters of the five atlases, and the subcellular main location,
each as the atlas names it, linked to the gene's atlas page. No free text of the atlas is
used and nothing is interpreted."""

from __future__ import annotations

from writer.factsheet import Fact, FactSheet, Item
from writer.sections.prose import escape, fact_url, join, link, number, paragraph

KEYS = ("atlas.protein_class", "atlas.evidence", "atlas.rna_tissue_specificity",
        "atlas.rna_tissue_distribution", "atlas.single_cell_specificity",
        "atlas.expression_clusters", "atlas.subcellular_location")


def lower_first(name: str) -> str:
    """"Cancer-related genes" -> "cancer-related genes"; "CD markers" stays."""
    first = name.split(" ", 1)[0]
    return name[0].lower() + name[1:] if first[1:].islower() or len(first) == 1 else name


def _names(fact: Fact | None) -> list[str]:
    if fact is None or not isinstance(fact.value, tuple):
        return []
    return [escape(lower_first(i.name)) for i in fact.value]


def cluster(item: Item) -> str:
    """``cluster 13 of the blood atlas (Non-specific - Mitochondria)``."""
    head = f"cluster {number(item.value)}" if item.value is not None else "a cluster"
    return f"{head} of the {escape(item.id or '')} atlas ({escape(item.name)})"


def render(sheet: FactSheet) -> str:
    facts = {k: sheet.facts[k] for k in KEYS if k in sheet.facts}
    if not facts:
        return ""
    first = next(iter(facts.values()))
    ref = sheet.sources.get(first.source)
    release = f" ({escape(ref.version.split(' ')[0])})" if ref and ref.version else ""
    atlas = link("Human Protein Atlas", fact_url(first))
    sentences = []
    classes = _names(facts.get("atlas.protein_class"))
    lead = f"In the {atlas}{release}, {escape(sheet.symbol)}"
    evidence = facts.get("atlas.evidence")
    said = ""
    if evidence is not None:
        text = str(evidence.value)
        said = (f"with {escape(lower_first(text))}" if text.lower().startswith("evidence ")
                else f'with the evidence level "{escape(text)}"')
    if classes:
        noun = "class" if len(classes) == 1 else "classes"
        sentences.append(f"{lead} is in the protein {noun} {join(classes)}"
                         + (f", {said}" if said else ""))
    elif said:
        sentences.append(f"{lead} has a protein entry {said}")
    else:
        sentences.append(f"{lead} has an entry")
    rna = []
    for key, what in (("atlas.rna_tissue_specificity", "RNA tissue specificity"),
                      ("atlas.rna_tissue_distribution", "RNA tissue distribution"),
                      ("atlas.single_cell_specificity", "single cell type specificity")):
        if key in facts:
            rna.append(f'its {what} is "{escape(str(facts[key].value))}"')
    if rna:
        sentences.append(join(rna))
    clusters = facts.get("atlas.expression_clusters")
    if clusters is not None and isinstance(clusters.value, tuple):
        items = [cluster(i) for i in clusters.value]
        noun = "cluster is" if len(items) == 1 else "clusters are"
        sentences.append(f"Its expression {noun} {join(items)}")
    locations = _names(facts.get("atlas.subcellular_location"))
    if locations:
        noun = "location is" if len(locations) == 1 else "locations are"
        sentences.append(f"Its subcellular main {noun} {join(locations)}")
    return paragraph(sentences)
