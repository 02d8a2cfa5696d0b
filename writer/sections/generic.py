"""The generic template: states a section's facts plainly (label, values, links).

A section of the catalogue without a template module of its own (today the sections whose
facts only online sources provide: top publications, the Human Protein Atlas,
transcription factors, disease associations) is written by this template as soon as a
source writes its facts, until it gets a dedicated template. An offline fact sheet has none
of their facts, so the page leaves them out and names the missing sources at its end
(never a placeholder sentence).
"""

from __future__ import annotations

from collections.abc import Callable

from writer.factsheet import Fact, FactSheet
from writer.sections.prose import item_link, join, number, paragraph


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


def template(prefix: str) -> Callable[[FactSheet], str]:
    """The template of the section whose fact keys start with ``prefix``."""

    def render(sheet: FactSheet) -> str:
        facts = [f for k, f in sheet.facts.items() if k.startswith(prefix + ".")]
        return paragraph(
            f"the {f.label[0].lower() + f.label[1:]} "
            f"{'are' if f.is_list and len(f.value) != 1 else 'is'} {_value(f)}"  # type: ignore[arg-type]
            for f in facts
        )

    render.__name__ = f"render_{prefix}"
    return render
