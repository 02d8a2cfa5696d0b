"""Disease associations: the Mendelian diseases HPO annotates to the gene (OMIM, Orphanet),
then the GWAS Catalog's traits, diseases apart from the others, and their disease categories.

One disease often has an OMIM and an Orphanet entry of the same name ("Sickle cell
anemia", OMIM:603903 and ORPHA:232): it is written once, linked to its first entry, with
the other entries' IDs linked after it.

A GWAS trait is written with its GWAS Catalog page, its ontology ID linked to the term, its
number of associations and its best p-value ("3e-12"); the categories are the Mondo
ancestors of the disease traits, and the paragraph names Mondo as their ontology.
"""

from __future__ import annotations

import re

from writer.check.diseases import disease_key
from writer.factsheet import Fact, FactSheet, Item
from writer.sections.prose import (
    escape,
    fact_url,
    item_link,
    join,
    link,
    number,
    paragraph,
    plural,
)

MAX_DISEASES = 12  # distinct names written; the rest are "among others"
MAX_TRAITS = 6  # GWAS traits written per list (diseases, other traits)
MAX_CATEGORIES = 4
GWAS_KEYS = ("disease.gwas_diseases", "disease.gwas_traits", "disease.gwas_categories")
GWAS_COUNTS = ("disease.gwas_association_count", "disease.gwas_study_count")


def _groups(items: tuple[Item, ...]) -> list[list[Item]]:
    """Entries grouped by name (case and punctuation aside), in the fact's order."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(disease_key(item.name), []).append(item)
    return list(groups.values())


def _disease(group: list[Item]) -> str:
    text = item_link(group[0])
    more = [link(i.id, i.url) if i.id else escape(i.name) for i in group[1:]]
    return text + (f" ({', '.join(more)})" if more else "")


def select(sheet: FactSheet) -> dict[str, Fact]:
    """The diseases the text names (the first ``MAX_DISEASES`` names) and the term count;
    the GWAS traits and categories it names, with the association and study counts."""
    out: dict[str, Fact] = {}
    fact = sheet.get("disease.mendelian")
    if fact is not None and isinstance(fact.value, tuple) and fact.value:
        kept = [i for g in _groups(fact.value)[:MAX_DISEASES] for i in g]
        out[fact.key] = fact.model_copy(update={"value": tuple(kept)})
        count = sheet.get("disease.hpo_phenotype_count")
        if count is not None:
            out[count.key] = count
    for key in GWAS_KEYS:
        gwas = sheet.get(key)
        if gwas is not None and isinstance(gwas.value, tuple) and gwas.value:
            limit = MAX_CATEGORIES if key == "disease.gwas_categories" else MAX_TRAITS
            out[key] = gwas.model_copy(update={"value": gwas.value[:limit]})
    if any(k in out for k in GWAS_KEYS):
        out.update({k: f for k in GWAS_COUNTS if (f := sheet.get(k)) is not None})
    return out


def p_value(p: float) -> str:
    """A p-value as the GWAS Catalog writes it, to two significant figures: ``3e-12``,
    ``4.5e-8``."""
    mantissa, _, exponent = f"{p:.1e}".partition("e")
    return f"{mantissa.removesuffix('.0')}e{int(exponent)}"


def _trait(item: Item) -> str:
    """``[name](GWAS page) ([ID](term); 2 associations, lowest p-value 3e-12)``."""
    from writer.sources.gwas_catalog import trait_uri

    counts = []
    if item.value is not None:
        counts.append(plural(int(item.value), "association"))
    if item.p_value is not None:
        counts.append(f"lowest p-value {p_value(item.p_value)}")
    parts = ([link(item.id, trait_uri(item.id))] if item.id else []) + (
        [", ".join(counts)] if counts else [])
    return item_link(item) + (f" ({'; '.join(parts)})" if parts else "")


def _traits(fact: Fact, full: Fact) -> str:
    items = [_trait(i) for i in fact.value]  # type: ignore[union-attr]
    more = len(full.value) > len(fact.value)  # type: ignore[arg-type]
    return join(items) + (", among others" if more else "")


def render_gwas(sheet: FactSheet, facts: dict[str, Fact]) -> str:
    """The GWAS paragraph ('' when the GWAS Catalog gave the gene nothing)."""
    diseases, traits = facts.get("disease.gwas_diseases"), facts.get("disease.gwas_traits")
    first = diseases or traits
    if first is None:
        return ""
    ref = sheet.sources.get(first.source)
    release = f" (associations file released {ref.release_date[:10]})" if ref and ref.release_date \
        else ""
    catalog = link("GWAS Catalog", fact_url(first))
    sym = escape(sheet.symbol)
    total = facts.get("disease.gwas_association_count")
    studies = facts.get("disease.gwas_study_count")
    opening = f"In the {catalog}{release}, variants mapped to or near {sym} have"
    if total is not None and isinstance(total.value, int):
        opening += " " + plural(total.value, "association")
        if studies is not None and isinstance(studies.value, int):
            opening += " in " + plural(studies.value, "study", "studies")
    else:
        opening += " associations"
    sentences = [opening]
    if diseases is not None:
        sentences.append(f"The diseases among their traits are "
                         f"{_traits(diseases, sheet.facts[diseases.key])}")
    if traits is not None:
        lead = "Other traits are " if diseases is not None else "Their traits are "
        sentences.append(lead + _traits(traits, sheet.facts[traits.key]))
    cats = facts.get("disease.gwas_categories")
    if cats is not None and diseases is not None:
        version = ref.version if ref else ""
        m = re.search(r"Mondo (\d{4}-\d{2}-\d{2})", version)
        mondo = link("Mondo Disease Ontology", fact_url(cats))
        when = f" (release of {m.group(1)})" if m else ""
        names = join([item_link(i) for i in cats.value])  # type: ignore[union-attr]
        sentences.append(f"In the {mondo}{when}, these diseases fall under {names}")
    return paragraph(sentences)


def render(sheet: FactSheet) -> str:
    facts = select(sheet)
    if not facts:
        return ""
    gwas = render_gwas(sheet, facts)
    if "disease.mendelian" not in facts:
        return gwas
    return render_hpo(sheet, facts) + (f"\n\n{gwas}" if gwas else "")


def render_hpo(sheet: FactSheet, facts: dict[str, Fact]) -> str:
    fact = facts["disease.mendelian"]
    groups = _groups(fact.value)  # type: ignore[arg-type]
    more = len(_groups(sheet.facts["disease.mendelian"].value)) > len(groups)  # type: ignore[arg-type]
    ref = sheet.sources.get(fact.source)
    release = f" (release of {ref.release_date})" if ref and ref.release_date else ""
    hpo = link("Human Phenotype Ontology", fact_url(fact))
    names = join([_disease(g) for g in groups]) + (", among others" if more else "")
    noun = "disease" if len(groups) == 1 else "Mendelian diseases"
    sentences = [f"The {hpo} annotations{release} link {escape(sheet.symbol)} to the "
                 f"{noun} {names}"]
    count = facts.get("disease.hpo_phenotype_count")
    if count is not None and isinstance(count.value, int):
        terms = "phenotype term" if count.value == 1 else "phenotype terms"
        sentences.append(f"Through {'it' if len(groups) == 1 else 'them'}, HPO links the gene "
                         f"to {number(count.value)} {terms}")
    return paragraph(sentences)
