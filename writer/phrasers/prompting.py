"""Prompt messages for one section: the shared system prompt, the section's prompt file
filled with its facts (keys, labels, values written as the page writes them, links), and
the re-ask message that carries the checker's reasons back to the model."""

from __future__ import annotations

from collections.abc import Iterable

from writer.check.models import Finding
from writer.factsheet import Fact, FactSheet, format_value
from writer.sections import REASK_PROMPT, SYSTEM_PROMPT, Section, prompt_text
from writer.sections.prose import number, percentile, population_noun


def display(fact: Fact) -> str:
    """A scalar fact's value as the page writes it, so the model copies rather than computes."""
    from writer.sections import protein, structure

    if fact.key in dict(structure.LENGTHS):
        return structure.length_text(fact)
    if fact.key.startswith("protein.") and fact.key != "protein.uniprot_accession":
        text = protein.value_text(fact)
        if fact.key == "protein.molecular_weight":
            text += " Da"
        elif fact.key == "protein.length":
            text += " amino acids"
        return text
    if isinstance(fact.value, (int, float)) and not isinstance(fact.value, bool):
        return number(fact.value) + (f" {fact.unit}" if fact.unit else "")
    return format_value(fact)


def fact_lines(facts: dict[str, Fact]) -> str:
    lines = []
    for key, fact in facts.items():
        if isinstance(fact.value, tuple):
            lines.append(f"- {key} ({fact.label}):")
            for item in fact.value:
                parts = [item.name]
                if item.id and item.id != item.name:
                    parts.append(f"id {item.id}")
                if item.value is not None:
                    unit = f" {item.unit}" if item.unit else ""
                    parts.append(f"value {number(item.value)}{unit}")
                if item.evidence:
                    parts.append(f"evidence {', '.join(item.evidence)}")
                if item.url:
                    parts.append(f"link {item.url}")
                lines.append("  - " + "; ".join(parts))
            continue
        line = f"- {key} ({fact.label}): {display(fact)}"
        if fact.percentile:
            p = fact.percentile
            line += f"; {percentile(p)} among {number(p.size)} {population_noun(p.population)}"
        if fact.links:
            line += f"; link {fact.links[0].url}"
        lines.append(line)
    return "\n".join(lines)


def fill(text: str, /, **values: str) -> str:
    """Replace ``{{name}}`` placeholders (no other syntax, so prompts may hold braces)."""
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    return text


def messages(section: Section, sheet: FactSheet, facts: dict[str, Fact],
             template_text: str) -> list[dict[str, str]]:
    user = fill(
        prompt_text(section.name),
        symbol=sheet.symbol,
        facts=fact_lines(facts),
        template=template_text or "(none)",
    )
    return [
        {"role": "system", "content": prompt_text(SYSTEM_PROMPT).strip()},
        {"role": "user", "content": user.strip()},
    ]


def reask(problems: Iterable[Finding]) -> str:
    lines = []
    for p in problems:
        if p.kind == "coverage":
            lines.append(f"- Left out: {p.reason}.")
        else:
            lines.append(f'- Not supported: "{p.claim}" ({p.reason or "no matching fact"}).')
    return fill(prompt_text(REASK_PROMPT), problems="\n".join(lines)).strip()


def allowed_urls(sheet: FactSheet, facts: dict[str, Fact]) -> set[str]:
    """URLs a model may link to: the links of the section's facts and items."""
    urls = set()
    for fact in facts.values():
        urls.update(link.url for link in fact.links)
        if isinstance(fact.value, tuple):
            urls.update(i.url for i in fact.value if i.url)
    from writer.sections.protein import PROTPARAM_DOCS

    if any(k.startswith("protein.") for k in facts):
        urls.add(PROTPARAM_DOCS)
    return urls
