"""Function: the gene's Gene Ontology annotations, one clause per aspect and evidence group.

Wording follows GO's relations and the Alliance of Genome Resources' automated
descriptions: a term backed by experimental, author or curator evidence "enables" /
"located in" / "involved in"; a term backed only by phylogenetic, sequence-similarity or
electronic evidence is "predicted to" do so. Every term links to its AmiGO page.
Long lists keep ``MAX_TERMS`` terms of each group (those with the most lines of evidence)
and point to the full annotation list instead of cutting silently.
"""

from __future__ import annotations

from writer import catalog
from writer.factsheet import Fact, FactSheet, Item
from writer.sections.prose import fact_url, item_link, join, link, paragraph

MAX_TERMS = 8

# Evidence that makes a GO annotation a prediction rather than an observation (catalogue).
PREDICTED = catalog.go_evidence("predicted")
NO_DATA = catalog.go_evidence("no_data")
ROOT_TERMS = frozenset({"GO:0003674", "GO:0005575", "GO:0008150"})

ASPECTS = (
    # key, verb (observed), verb (predicted), article before the list
    ("function.molecular_function", "enables", "is predicted to enable", ""),
    ("function.cellular_component", "is located in", "is predicted to be located in", "the "),
    ("function.biological_process", "is involved in", "is predicted to be involved in", ""),
)


def _usable(item: Item) -> bool:
    if item.id in ROOT_TERMS:
        return False
    return not item.evidence or not set(item.evidence) <= NO_DATA


def is_predicted(item: Item) -> bool:
    evidence = set(item.evidence) - NO_DATA
    return bool(evidence) and evidence <= PREDICTED


def groups(fact: Fact) -> tuple[list[Item], list[Item], bool]:
    """(observed terms, predicted terms, trimmed?) of one aspect, each capped at MAX_TERMS."""
    items = [i for i in fact.value if isinstance(i, Item) and _usable(i)] \
        if isinstance(fact.value, tuple) else []
    observed = [i for i in items if not is_predicted(i)]
    predicted = [i for i in items if is_predicted(i)]
    trimmed = len(observed) > MAX_TERMS or len(predicted) > MAX_TERMS
    return _keep(observed), _keep(predicted), trimmed


def _keep(items: list[Item]) -> list[Item]:
    """At most MAX_TERMS terms: those with the most independent lines of evidence, in the
    fact's order (a deterministic stand-in for information content, which needs the
    ontology's structure)."""
    if len(items) <= MAX_TERMS:
        return items
    ranked = sorted(range(len(items)), key=lambda i: (-len(set(items[i].evidence)), i))
    keep = sorted(ranked[:MAX_TERMS])
    return [items[i] for i in keep]


def select(sheet: FactSheet) -> dict[str, Fact]:
    out = {}
    for key, *_ in ASPECTS:
        fact = sheet.get(key)
        if fact is None:
            continue
        observed, predicted, _ = groups(fact)
        if observed or predicted:
            out[key] = fact.model_copy(update={"value": tuple(observed + predicted)})
    return out


def _terms(items: list[Item], article: str, trimmed: bool) -> str:
    text = article + join([item_link(i) for i in items])
    return text + ", among others" if trimmed else text


def render(sheet: FactSheet) -> str:
    sentences = []
    trimmed_any = False
    all_url = None
    for key, verb, predicted_verb, article in ASPECTS:
        fact = sheet.get(key)
        if fact is None:
            continue
        observed, predicted, trimmed = groups(fact)
        if not observed and not predicted:
            continue
        trimmed_any = trimmed_any or trimmed
        all_url = all_url or fact_url(fact)
        clauses = []
        if observed:
            cut = trimmed and len(observed) == MAX_TERMS
            clauses.append(f"{verb} {_terms(observed, article, cut)}")
        if predicted:
            cut = trimmed and len(predicted) == MAX_TERMS
            clauses.append(f"{predicted_verb} {_terms(predicted, article, cut)}")
        subject = "the gene" if not sentences else "it"
        if len(clauses) == 2 and len(observed) > 2:
            # A long first list: the prediction gets a sentence of its own.
            sentences.append(f"{subject} {clauses[0]}")
            sentences.append(f"it is also {clauses[1].removeprefix('is ')}")
        else:
            sentences.append(f"{subject} {' and '.join(clauses)}")
    if not sentences:
        return ""
    if trimmed_any and all_url:
        sentences.append(f"All of the gene's annotations are listed in {link('AmiGO', all_url)}")
    return paragraph(sentences)

