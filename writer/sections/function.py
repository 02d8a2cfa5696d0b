"""Function: the gene's Gene Ontology annotations, one clause per aspect and evidence group.

Wording follows GO's relations and the Alliance of Genome Resources' automated
descriptions: a term backed by experimental, author or curator evidence "enables" /
"located in" / "involved in"; a term backed only by phylogenetic, sequence-similarity or
electronic evidence is "predicted to" do so. Every term links to its AmiGO page.

Terms are chosen by relevance, as the Alliance does (rules in the catalogue's
``[go_selection]``): uninformative terms are never named (protein binding, binding, the
aspect roots); a term is dropped when a more specific term of the gene lies under it
(GO.db's ancestors, from the fact store the sheet came from); a prediction is dropped when
an observed term says as much or more; ``merge_siblings`` or more kept terms under one
parent are written as that parent (GO's true path rule makes it a claim about the gene); and
each group keeps its ``max_terms`` most specific terms (the number of ancestors stands in
for information content). When terms are left out the paragraph says of how many GO terms
the gene has and links the full list in AmiGO.
"""

from __future__ import annotations

from collections import defaultdict

from writer import catalog
from writer.factsheet import Fact, FactSheet, Item
from writer.sections.prose import fact_url, item_link, join, link, number, paragraph

_RULES = catalog.go_selection()
MAX_TERMS: int = int(_RULES["max_terms"])
MERGE_SIBLINGS: int = int(_RULES["merge_siblings"])
NEVER = frozenset(_RULES["never"])

# Evidence that makes a GO annotation a prediction rather than an observation (catalogue).
PREDICTED = catalog.go_evidence("predicted")
NO_DATA = catalog.go_evidence("no_data")

ASPECTS = (
    # key, verb (observed), verb (predicted), article before the list
    ("function.molecular_function", "enables", "is predicted to enable", ""),
    ("function.cellular_component", "is located in", "is predicted to be located in", "the "),
    ("function.biological_process", "is involved in", "is predicted to be involved in", ""),
)
AMIGO_TERM = "https://amigo.geneontology.org/amigo/term/"


def _usable(item: Item) -> bool:
    if item.id in NEVER:
        return False
    return not item.evidence or not set(item.evidence) <= NO_DATA


def is_predicted(item: Item) -> bool:
    evidence = set(item.evidence) - NO_DATA
    return bool(evidence) and evidence <= PREDICTED


class _Ontology:
    """GO's graph as far as the selection needs it: ancestors, parents, names."""

    def __init__(self, terms: object) -> None:
        self.terms = terms

    def ancestors(self, go_id: str) -> frozenset[str]:
        return self.terms.ancestors(go_id) if self.terms else frozenset()  # type: ignore[attr-defined]

    def parents(self, go_id: str) -> tuple[str, ...]:
        return self.terms.parents.get(go_id, ()) if self.terms else ()  # type: ignore[attr-defined]

    def name(self, go_id: str) -> str | None:
        if not self.terms:
            return None
        name = self.terms.name(go_id)  # type: ignore[attr-defined]
        return None if name == go_id else str(name)


def ontology(sheet: FactSheet) -> _Ontology:
    """The Gene Ontology of the fact store the sheet came from (none for a sheet from JSON:
    then only the gene's own terms are known and nothing is dropped or merged). The
    vocabulary is cached per store file by ``writer.check.vocabulary``, never here: a cached
    copy would outlive the connection it reads through."""
    from writer.check import goterms
    from writer.store import origin

    path = origin(sheet)
    return _Ontology(goterms.load(path) if path is not None else None)


def _specific(items: list[Item], above: list[Item], go: _Ontology) -> list[Item]:
    """``items`` without a term that lies above another term of ``above`` (or of itself)."""
    under: set[str] = set()
    for other in above:
        if other.id:
            under |= go.ancestors(other.id)
    return [i for i in items if i.id not in under]


def _merged(items: list[Item], go: _Ontology, observed: frozenset[str] = frozenset()
            ) -> list[Item]:
    """MERGE_SIBLINGS or more terms with one parent are written as that parent; predictions
    are never merged into a parent in ``observed`` (a term shown by experiment, or above
    one: the page would call it a prediction)."""
    by_parent: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        for parent in go.parents(item.id or ""):
            by_parent[parent].append(item)
    out = list(items)
    for parent, children in sorted(by_parent.items(), key=lambda kv: -len(kv[1])):
        name = go.name(parent)
        if (len(children) < MERGE_SIBLINGS or parent in NEVER or name is None
                or parent in observed):
            continue
        if not all(c in out for c in children):
            continue
        evidence = tuple(sorted({e for c in children for e in c.evidence}))
        merged = Item(name=name, id=parent, evidence=evidence, url=AMIGO_TERM + parent)
        first = min(out.index(c) for c in children)
        out = [i for i in out if i not in children]
        out.insert(min(first, len(out)), merged)
    return out


def _keep(items: list[Item], go: _Ontology) -> list[Item]:
    """At most MAX_TERMS terms: the most specific ones (most ancestors; then the most lines
    of evidence), in the fact's order."""
    if len(items) <= MAX_TERMS:
        return items
    ranked = sorted(range(len(items)), key=lambda i: (
        -len(go.ancestors(items[i].id or "")), -len(set(items[i].evidence)), i))
    keep = sorted(ranked[:MAX_TERMS])
    return [items[i] for i in keep]


def shown_terms(items: list[Item], go: _Ontology) -> frozenset[str]:
    """The GO terms the gene is shown to have (not by prediction alone), and by GO's true
    path rule every term above them: the terms the page may never call predictions."""
    observed = [i.id for i in items if i.id and _usable(i) and not is_predicted(i)]
    return frozenset(observed) | frozenset(a for i in observed for a in go.ancestors(i))


def groups(fact: Fact, go: _Ontology | None = None) -> tuple[list[Item], list[Item], bool]:
    """(observed terms, predicted terms, left out any?) of one aspect, chosen by relevance."""
    go = go or _Ontology(None)
    items = [i for i in fact.value if isinstance(i, Item)] \
        if isinstance(fact.value, tuple) else []
    usable = [i for i in items if _usable(i)]
    observed = [i for i in usable if not is_predicted(i)]
    predicted = [i for i in usable if is_predicted(i)]
    # GO's true path rule: a term shown by experiment is shown for every term above it too
    shown = shown_terms(items, go)
    observed = _specific(observed, observed, go)
    predicted = [i for i in _specific(predicted, observed + predicted, go)
                 if i.id not in shown]
    observed = _keep(_merged(observed, go), go)
    predicted = _keep(_merged(predicted, go, shown), go)
    named = {i.id for i in observed + predicted}
    covered = set(named)
    for i in observed + predicted:
        covered |= {c.id for c in items if c.id and i.id in go.ancestors(c.id)}
    left_out = any(i.id not in covered for i in items)
    return observed, predicted, left_out


def select(sheet: FactSheet) -> dict[str, Fact]:
    out = {}
    go = ontology(sheet)
    for key, *_ in ASPECTS:
        fact = sheet.get(key)
        if fact is None:
            continue
        observed, predicted, _ = groups(fact, go)
        if observed or predicted:
            out[key] = fact.model_copy(update={"value": tuple(observed + predicted)})
    return out


def term_count(sheet: FactSheet) -> int:
    """How many GO terms the gene has, in all three aspects (``function.term_count``)."""
    ids = {i.id or i.name for key, *_ in ASPECTS
           for i in (sheet.facts[key].value if key in sheet.facts else ())  # type: ignore[union-attr]
           if isinstance(i, Item)}
    return len(ids)


def render(sheet: FactSheet) -> str:
    sentences = []
    left_out_any = False
    all_url = None
    go = ontology(sheet)
    for key, verb, predicted_verb, article in ASPECTS:
        fact = sheet.get(key)
        if fact is None:
            continue
        observed, predicted, left_out = groups(fact, go)
        left_out_any = left_out_any or left_out
        all_url = all_url or fact_url(fact)
        if not observed and not predicted:
            continue
        clauses = []
        if observed:
            clauses.append(f"{verb} {article}{join([item_link(i) for i in observed])}")
        if predicted:
            clauses.append(f"{predicted_verb} {article}{join([item_link(i) for i in predicted])}")
        subject = "the gene" if not sentences else "it"
        if len(clauses) == 2 and len(observed) > 2:
            # A long first list: the prediction gets a sentence of its own.
            sentences.append(f"{subject} {clauses[0]}")
            sentences.append(f"it is also {clauses[1].removeprefix('is ')}")
        else:
            sentences.append(f"{subject} {' and '.join(clauses)}")
    if not sentences:
        return ""
    if left_out_any and all_url:
        # (not "left out": the evaluator reads that as the closing note)
        sentences.append(f"All of the gene's {number(term_count(sheet))} GO terms, the less "
                         f"specific and the uninformative ones too, are listed in "
                         f"{link('AmiGO', all_url)}")
    return paragraph(sentences)
