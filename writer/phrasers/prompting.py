"""Prompt messages for one section: the shared system prompt, the section's prompt file
filled with its facts (keys, labels, values written as the page writes them, links), and
the re-ask message that carries the checker's reasons back to the model.

A prompt variant (``prompts/_variants/<name>.toml``, ``Variant``) says how the section
prompt is filled: with or without the template paragraph as an example, the facts as lines
or as one JSON object. The variant file is hashed into the draft like the prompts.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from writer.check.models import Finding
from writer.factsheet import Fact, FactSheet, format_value
from writer.sections import PROMPTS_DIR, REASK_PROMPT, SYSTEM_PROMPT, Section, prompt_text
from writer.sections.prose import number, percentile, population_noun

VARIANTS_DIR = "_variants"
DEFAULT_VARIANT = "default"


class Variant(BaseModel):
    """How section prompts are filled (``prompts/_variants/<name>.toml``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    why: str
    example: bool = True  # show the template paragraph "for the expected tone and form"
    facts: Literal["list", "json"] = "list"


def variant_names() -> list[str]:
    return sorted(p.stem for p in (PROMPTS_DIR / VARIANTS_DIR).glob("*.toml"))


def variant_file(name: str) -> str:
    """The variant's path under ``prompts/``, as the draft's prompt hashes name it."""
    return f"{VARIANTS_DIR}/{name}.toml"


@cache
def variant_text(name: str) -> str:
    from writer.errors import UserInputError

    if name not in variant_names():
        raise UserInputError(f"unknown prompt variant {name!r}; known: "
                             f"{', '.join(variant_names())}")
    return (PROMPTS_DIR / variant_file(name)).read_text(encoding="utf-8")


def prompt_hashes(sections: Iterable[str] = (), *, variant: str | None = None,
                  judge: bool = False) -> dict[str, str]:
    """The one rule for what prompts contribute to a draft's inputs: ``{"prompts/<file>":
    sha256}`` of every prompt file a model reads for ``sections`` (the system and re-ask
    prompts, then each section's prompt; none when no section is named), the file of
    ``variant`` when one is named, and the judge's prompt when ``judge``.

    The draft's recorded hashes, its inputs digest, each section's inputs and a batch run's
    code hashes are all made from these values, so queue rows stay comparable."""
    from writer.sections import sha256

    names = list(sections)
    files = [SYSTEM_PROMPT, REASK_PROMPT, *(f"{n}.md" for n in names)] if names else []
    out = {f"prompts/{f}": sha256(prompt_text(f)) for f in files}
    if variant:
        out[f"prompts/{variant_file(variant)}"] = sha256(variant_text(variant))
    if judge:
        from writer.check.judge import JUDGE_PROMPT

        out[f"prompts/{JUDGE_PROMPT}"] = sha256(prompt_text(JUDGE_PROMPT))
    return out


@cache
def variant(name: str = DEFAULT_VARIANT) -> Variant:
    from writer.errors import BadFile

    try:
        return Variant.model_validate(tomllib.loads(variant_text(name)))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        raise BadFile(f"prompts/{variant_file(name)}: {first}") from None


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


def fact_json(facts: dict[str, Fact]) -> str:
    """The facts as one JSON object keyed by fact key: what ``fact_lines`` says, as data."""
    out: dict[str, Any] = {}
    for key, fact in facts.items():
        entry: dict[str, Any] = {"label": fact.label}
        if isinstance(fact.value, tuple):
            items = []
            for item in fact.value:
                i: dict[str, Any] = {"name": item.name}
                if item.id and item.id != item.name:
                    i["id"] = item.id
                if item.value is not None:
                    i["value"] = number(item.value) + (f" {item.unit}" if item.unit else "")
                if item.evidence:
                    i["evidence"] = list(item.evidence)
                if item.url:
                    i["link"] = item.url
                items.append(i)
            entry["items"] = items
        else:
            entry["value"] = display(fact)
            if fact.percentile:
                p = fact.percentile
                entry["percentile"] = (f"{percentile(p)} among {number(p.size)} "
                                       f"{population_noun(p.population)}")
        if fact.links:
            entry["link"] = fact.links[0].url
        out[key] = entry
    return json.dumps(out, indent=1, ensure_ascii=False)


def without_example(prompt: str) -> str:
    """The section prompt without its example block (the paragraph that holds
    ``{{template}}``)."""
    return "\n\n".join(b for b in prompt.split("\n\n") if "{{template}}" not in b)


def fill(text: str, /, **values: str) -> str:
    """Replace ``{{name}}`` placeholders (no other syntax, so prompts may hold braces)."""
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    return text


def messages(section: Section, sheet: FactSheet, facts: dict[str, Fact],
             template_text: str, variant_name: str = DEFAULT_VARIANT) -> list[dict[str, str]]:
    how = variant(variant_name)
    prompt = prompt_text(section.name)
    user = fill(
        prompt if how.example else without_example(prompt),
        symbol=sheet.symbol,
        facts=fact_lines(facts) if how.facts == "list" else fact_json(facts),
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
        elif not p.claim:  # about the whole reply (an echoed secret, an empty answer)
            lines.append(f"- {p.reason[:1].upper()}{p.reason[1:]}.")
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
