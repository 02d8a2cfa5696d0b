"""Disease associations: the Mendelian diseases HPO annotates to the gene (OMIM, Orphanet).

One disease often has an OMIM and an Orphanet entry of the same name ("Sickle cell
anemia", OMIM:603903 and ORPHA:232): it is written once, linked to its first entry, with
the other entries' IDs linked after it. GWAS traits (``disease.gwas_traits``) come from an
online source that has no template yet.
"""

from __future__ import annotations

from writer.check.diseases import disease_key
from writer.factsheet import Fact, FactSheet, Item
from writer.sections.prose import escape, fact_url, item_link, join, link, number, paragraph

MAX_DISEASES = 12  # distinct names written; the rest are "among others"


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
    """The diseases the text names (the first ``MAX_DISEASES`` names) and the term count."""
    out: dict[str, Fact] = {}
    fact = sheet.get("disease.mendelian")
    if fact is not None and isinstance(fact.value, tuple) and fact.value:
        kept = [i for g in _groups(fact.value)[:MAX_DISEASES] for i in g]
        out[fact.key] = fact.model_copy(update={"value": tuple(kept)})
        count = sheet.get("disease.hpo_phenotype_count")
        if count is not None:
            out[count.key] = count
    return out


def render(sheet: FactSheet) -> str:
    facts = select(sheet)
    if not facts:
        return ""
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
