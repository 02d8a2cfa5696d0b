"""Sections whose facts come only from online services (no offline source yet).

Top publications (iCite), the Human Protein Atlas summary, transcription factors (GTRD)
and disease associations (GWAS Catalog) have no registry package to bring their data
into the fact store, so an offline fact sheet has none of their facts and the page
leaves them out, naming the missing sources at its end (never a placeholder sentence).

Each section reads the fact keys under its prefix. When a source starts writing such
keys, the generic template below states them plainly (label, values, links) until the
section gets a dedicated template.
"""

from __future__ import annotations

from writer.factsheet import FACT_KEYS, Fact, FactSheet
from writer.sections import Section
from writer.sections.prose import item_link, join, number, paragraph


def _keys(prefix: str) -> tuple[str, ...]:
    return tuple(k for k in FACT_KEYS if k.startswith(prefix + "."))


def _value(fact: Fact) -> str:
    if isinstance(fact.value, tuple):
        parts = []
        for item in fact.value:
            text = item_link(item)
            if item.value is not None:
                text += f" ({number(item.value)}{' ' + item.unit if item.unit else ''})"
            parts.append(text)
        return join(parts)
    if isinstance(fact.value, (int, float)):
        return number(fact.value) + (f" {fact.unit}" if fact.unit else "")
    return str(fact.value)


def generic(prefix: str):
    def render(sheet: FactSheet) -> str:
        facts = [f for k, f in sheet.facts.items() if k.startswith(prefix + ".")]
        return paragraph(
            f"the {f.label[0].lower() + f.label[1:]} "
            f"{'are' if f.is_list and len(f.value) != 1 else 'is'} {_value(f)}"  # type: ignore[arg-type]
            for f in facts
        )

    render.__name__ = f"render_{prefix}"
    return render


def _section(name: str, title: str, prefix: str, sources: str) -> Section:
    return Section(
        name=name,
        title=title,
        kind="prose",
        keys=_keys(prefix),
        sources=sources,
        template=generic(prefix),
        offline=False,
    )


SECTIONS = (
    _section("publications", "publications ranked by citation", "publications",
             "iCite relative citation ratios"),
    _section("protein_atlas", "protein atlas", "atlas", "Human Protein Atlas"),
    _section("transcription_factors", "transcription factors", "regulation",
             "GTRD ChIP-seq experiments"),
    _section("disease", "disease associations", "disease", "GWAS Catalog"),
)
