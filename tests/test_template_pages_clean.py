"""Template pages of genes across the genome carry no finding: the evaluator's rules and the
templates agree beyond the eval panel. Each rule below once flagged real template pages
(32 of the first 2,000 protein-coding genes); the hand-written sentences keep the error
each rule is for a finding."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from writer.check import check
from writer.draft import make_draft
from writer.phrasers import TemplatePhraser
from writer.sections import get

STEP = 70  # every STEP-th protein-coding gene of the store: about 290 genes


def _kinds(text: str, sheet) -> list[str]:
    return [f.kind for f in check(text, sheet).findings]


def test_template_pages_across_the_genome_have_no_finding(store):
    genes = store.gene_ids("protein-coding")[::STEP]
    assert len(genes) > 250
    flagged = {}
    for sheet in store.sheets(genes):
        record = make_draft(sheet, TemplatePhraser(), date="2025-01-17").record
        if record.findings:
            flagged[sheet.symbol] = [f"{f.kind}: {f.reason}" for f in record.findings]
    assert flagged == {}


def _genes_where(store, test, limit: int = 3000):
    for sheet in store.sheets(store.gene_ids("protein-coding")[:limit]):
        if test(sheet):
            return sheet
    pytest.skip("no such gene in the store")


def test_two_pathways_with_one_name_are_not_a_repetition(store):
    """WikiPathways gives distinct pathways one name (WP2586 and WP2873 are both "Aryl
    hydrocarbon receptor pathway"): each linked to its own ID, they are two entries."""

    def twins(sheet):
        items = sheet.value("pathways.wikipathways") or ()
        return any(n > 1 for n in Counter(i.name.lower() for i in items).values())

    sheet = _genes_where(store, twins)
    items = sheet.value("pathways.wikipathways")
    name = next(n for n, k in Counter(i.name.lower() for i in items).items() if k > 1)
    a, b = [i for i in items if i.name.lower() == name][:2]
    both = (f"WikiPathways draws {sheet.symbol} in [{a.name}]({a.url}) ({a.id}) and "
            f"[{b.name}]({b.url}) ({b.id}).")
    assert "coherence" not in _kinds(both, sheet)
    twice = (f"WikiPathways draws {sheet.symbol} in [{a.name}]({a.url}) ({a.id}) and again "
             f"in [{a.name}]({a.url}).")
    assert "coherence" in _kinds(twice, sheet)


def test_the_function_template_names_each_go_term_once(store):
    """A term shown by experiment is not also "predicted" (predicted siblings are never
    merged into a parent the gene is shown to have), so the paragraph links each term once."""
    for sheet in store.sheets(store.gene_ids("protein-coding")[::STEP]):
        text = get("function").template(sheet)
        terms = re.findall(r"amigo/term/(GO:\d+)\)", text)
        assert [t for t, n in Counter(terms).items() if n > 1] == [], sheet.symbol


def test_a_parent_of_observed_terms_is_an_observation(store):
    """GO's true path rule: "is located in X" where X itself is only predicted but a term
    under X is shown by experiment is supported; X with nothing observed under it is not."""
    from writer.check import goterms
    from writer.sections.function import is_predicted
    from writer.store import origin

    go = None

    def case(sheet):
        nonlocal go
        fact = sheet.get("function.cellular_component")
        if fact is None:
            return False
        go = go or goterms.load(origin(sheet))
        items = [i for i in fact.value if i.id]
        shown = [i for i in items if not is_predicted(i) and i.evidence]
        return any(is_predicted(i) and any(i.id in go.ancestors(s.id) for s in shown)
                   for i in items) and any(
            is_predicted(i) and not any(i.id in go.ancestors(s.id) for s in shown)
            for i in items)

    sheet = _genes_where(store, case)
    items = [i for i in sheet.value("function.cellular_component") if i.id]
    shown = [i for i in items if not is_predicted(i) and i.evidence]
    above = next(i for i in items if is_predicted(i)
                 and any(i.id in go.ancestors(s.id) for s in shown))
    alone = next(i for i in items if is_predicted(i)
                 and not any(i.id in go.ancestors(s.id) for s in shown))

    def said(item):
        return f"The gene is located in the [{item.name}]({item.url})."

    assert "go_evidence" not in _kinds(said(above), sheet)
    assert "go_evidence" in _kinds(said(alone), sheet)


def test_the_full_name_is_read_before_an_alias_inside_it(store):
    """CFL1 is "cofilin 1" and also known as "cofilin": the name is the gene's own, its 1 is
    no quantity; another number after the alias still is."""

    def prefix_alias(sheet):
        name = str(sheet.value("identity.name") or "")
        aliases = [i.name for i in sheet.value("identity.aliases") or ()]
        return bool(re.fullmatch(r"[a-z]+ \d+", name)) and name.split()[0] in aliases

    sheet = _genes_where(store, prefix_alias)
    name = str(sheet.value("identity.name"))
    word, n = name.split()
    assert _kinds(f"{sheet.symbol} ({name}) is also known as {word}.", sheet) == []
    other = f"{sheet.symbol} ({word} {int(n) + 7}) is also known as {word}."
    assert "number" in _kinds(other, sheet)


def test_the_genes_own_alias_is_not_patient_data(store):
    """HLA-DOB's alias is DOB: a name, not a date of birth; written about a patient it
    still is."""
    sheet = store.sheet(store.resolve("HLA-DOB"))
    assert "ethics" not in _kinds("HLA-DOB is also known as DOB.", sheet)
    transcript = str(sheet.value("structure.canonical_transcript") or "")
    assert "ethics" not in _kinds(get("structure").template(sheet), sheet), transcript
    mt1g = store.sheet(store.resolve("MT1G"))
    assert "ethics" in _kinds("The patient (DOB 1970-01-01) carries MT1G.", mt1g)
