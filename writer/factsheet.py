"""The verified fact sheet: every fact a page may state about one gene.

A fact sheet is a frozen pydantic model. Facts are keyed by stable dotted keys
(``structure.gene_length``, ``protein.isoelectric_point`` ...; the full list is
``FACT_KEYS``, from the catalogue ``writer/catalog.toml``). Each fact carries its value,
unit, the id of the source that gave it, links a curator can click, a percentile over a
stated population where one applies, and the cross-checks it went through.
``FactSheet.content_hash()`` identifies the exact facts a draft was written from.

JSON shape (``writer facts GENE --json``; ``schema_version`` changes when it does)::

    {"schema_version": 1, "gene_id": 4495, "symbol": "MT1G",
     "facts": {"<key>": {"key", "label", "value", "unit", "source", "links": [{label, url}],
                         "percentile": {value, population, size} | null,
                         "checks": [{name, status, detail}]}},
     "sources": {"<id>": {id, name, version, release_date, licence, url}},
     "missing_sections": ["<section>", ...]}

A list-valued fact (GO terms, tissues, pathways, aliases, papers) has a list of items as
value: ``{"name", "id", "value", "unit", "evidence": [...], "url"}`` and, for a paper,
``"year"``, and for a GWAS trait ``"p_value"`` (its best p-value).
"""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

from writer import catalog

SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Link(_Model):
    label: str
    url: str


class Item(_Model):
    """One member of a list-valued fact: a GO term, a tissue, a pathway, an alias, a paper
    (``year``: its publication year), a GWAS trait (``p_value``: its best p-value); ``year``
    and ``p_value`` are left out of the JSON when unset."""

    name: str
    id: str | None = None
    value: float | None = None
    unit: str | None = None
    evidence: tuple[str, ...] = ()
    url: str | None = None
    year: int | None = None
    p_value: float | None = None

    @model_serializer(mode="wrap")
    def _drop_unset_year(self, handler: SerializerFunctionWrapHandler) -> dict:
        data = handler(self)
        for optional in ("year", "p_value"):
            if data.get(optional) is None:
                data.pop(optional, None)
        return data


class Percentile(_Model):
    """Where a value stands in a population: the mean-rank percentile, 0 to 100.

    ``value`` = 100 * (members below + half the members equal) / ``size``.
    """

    value: float
    population: str
    size: int


class CrossCheck(_Model):
    name: str
    status: Literal["agree", "disagree"]
    detail: str


FactValue = int | float | str | tuple[Item, ...]


class Fact(_Model):
    key: str
    label: str
    value: FactValue
    unit: str | None = None
    source: str
    links: tuple[Link, ...] = ()
    percentile: Percentile | None = None
    checks: tuple[CrossCheck, ...] = ()

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, tuple)


class SourceRef(_Model):
    id: str
    name: str
    version: str
    release_date: str
    licence: str
    url: str


# Every key a fact sheet can hold, with its label (from the catalogue, writer/catalog.toml).
# Sources may only write these keys (the store builder refuses others), so the JSON shape
# stays stable.
FACT_KEYS: dict[str, str] = catalog.FACT_KEYS

# Sections a fact sheet groups its facts by (their key prefixes), in page order; those with an
# offline source are named in ``missing_sections`` when a gene has no facts for them.
SECTIONS: tuple[str, ...] = tuple(s.prefix for s in catalog.sections() if s.prefix)
OFFLINE_SECTIONS: tuple[str, ...] = tuple(
    s.prefix for s in catalog.sections() if s.prefix and s.has_offline_source
)


class FactSheet(_Model):
    schema_version: int = SCHEMA_VERSION
    gene_id: int
    symbol: str
    facts: dict[str, Fact]
    sources: dict[str, SourceRef]
    missing_sections: tuple[str, ...] = ()

    def get(self, key: str) -> Fact | None:
        return self.facts.get(key)

    def value(self, key: str) -> FactValue | None:
        fact = self.facts.get(key)
        return fact.value if fact else None

    def section(self, name: str) -> dict[str, Fact]:
        return {k: f for k, f in self.facts.items() if f.section == name}

    def disagreements(self) -> list[tuple[Fact, CrossCheck]]:
        """Each cross-check between sources that disagrees, with the fact it is about (the
        detail holds both values and their sources); shown to the curator, never resolved."""
        return [(f, c) for f in self.facts.values() for c in f.checks if c.status == "disagree"]

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)

    def content_hash(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def format_value(fact: Fact) -> str:
    """A fact's value as a curator reads it: thousands separators, unit, list items."""
    value = fact.value
    if isinstance(value, tuple):
        parts = []
        for item in value:
            text = item.name
            if item.id and item.id != item.name:
                text += f" ({item.id})"
            if item.year is not None:
                text += f", {item.year}"
            if item.value is not None:
                text += f": {item.value:,g} {item.unit or ''}".rstrip()
            if item.p_value is not None:
                text += f", best p-value {item.p_value:.3g}"
            if item.evidence:
                text += f" [{', '.join(item.evidence)}]"
            parts.append(text)
        return "; ".join(parts)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        text = str(value)
    elif isinstance(value, int) or float(value).is_integer():
        plain = fact.key == "identity.ncbi_gene_id" or catalog.key_kind(fact.key) == "year"
        text = str(int(value)) if plain else f"{int(value):,}"
    else:
        text = f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.2f}"
    if not fact.unit:
        return text
    unit = fact.unit[:-1] if value == 1 and fact.unit.endswith("s") else fact.unit
    return f"{text} {unit}"


def render_text(sheet: FactSheet) -> str:
    """The readable form of ``writer facts GENE``: facts grouped by section, with sources."""
    lines = [f"{sheet.symbol} (NCBI Gene {sheet.gene_id})"]
    for section in SECTIONS:
        facts = sheet.section(section)
        if not facts:
            continue
        lines.append("")
        lines.append(section.upper())
        for fact in facts.values():
            lines.append(f"  {fact.label}: {format_value(fact)}")
            if fact.percentile:
                p = fact.percentile
                lines.append(f"      {p.value:.2f} percentile of {p.size:,} {p.population}")
            for check in fact.checks:
                mark = "agrees" if check.status == "agree" else "DISAGREES"
                lines.append(f"      cross-check {check.name} {mark}: {check.detail}")
            if fact.links:
                lines.append(f"      {fact.links[0].url}")
        used = sorted({f.source for f in facts.values()})
        for source_id in used:
            src = sheet.sources.get(source_id)
            named = f"{src.name}, {src.version}" if src else source_id
            lines.append(f"  source: {named}")
    if sheet.missing_sections:
        lines.append("")
        lines.append("No offline source for: " + ", ".join(sheet.missing_sections))
    return "\n".join(lines)
