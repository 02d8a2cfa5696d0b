"""The catalogue: the page's sections, their fact keys and the sources, read from one file.

``writer/catalog.toml`` is the one place that lists what a page holds. This module reads
and validates it once and hands out typed, frozen views of it::

    from writer import catalog
    catalog.sections()                  # every section, in page order
    catalog.section("structure").keys   # the stored fact keys it holds, in sheet order
    catalog.fact("structure.gene_length").unit           # "bp"
    catalog.FACT_KEYS                   # stored key -> label (what the store accepts)

A malformed catalogue is a programming error, found by the tests: it raises ``ValueError``
naming the entry.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

SectionKind = Literal["table", "prose", "notes", "checks"]
SourceKind = Literal["offline", "online"]
DIMENSIONS = frozenset({"length", "mass", "residues", "tpm", "fraction"})


@dataclass(frozen=True)
class FactSpec:
    """One fact key: what it is called, what it is, and the words that point at it."""

    key: str
    label: str
    kind: str
    unit: str | None = None
    dimension: str | None = None
    cues: tuple[str, ...] = ()
    counts: re.Pattern[str] | None = None
    stored: bool = True
    negligible_below: float | None = None
    fold_of_median: float | None = None
    max_items: int | None = None

    @property
    def prefix(self) -> str:
        return self.key.split(".", 1)[0]


@dataclass(frozen=True)
class SectionSpec:
    """One page section, in page order."""

    name: str
    title: str
    kind: SectionKind
    prefix: str | None
    offline: tuple[str, ...]
    online: tuple[str, ...]
    needs: str
    markers: re.Pattern[str] | None
    heading: re.Pattern[str] | None
    number_key: str | None = None
    year_key: str | None = None
    coding_only: bool = False  # only a protein-coding gene has these facts
    # online sources that add a part of their own to a section another source fills (the
    # GWAS traits beside HPO's diseases): the closing note names one the sheet has no fact of
    supplements: tuple[str, ...] = ()
    # the text states its sources' release: a new release changes it (writer.redraft)
    release_in_text: bool = False

    @property
    def keys(self) -> tuple[str, ...]:
        """The stored fact keys of this section, in fact-sheet order."""
        if self.prefix is None:
            return ()
        return tuple(k for k, f in _facts().items() if f.stored and f.prefix == self.prefix)

    @property
    def has_offline_source(self) -> bool:
        return bool(self.offline)


@dataclass(frozen=True)
class SourceSpec:
    """One upstream source: where it comes from and what it feeds (the source manifest)."""

    id: str
    kind: SourceKind
    name: str
    licence: str
    url: str
    provides: tuple[str, ...]
    version: str = ""
    release_date: str = ""
    packages: str = ""
    files: str = ""  # online: the files and APIs it reads
    stale_after_days: int = 0  # online: a sync older than this is stale (0: never)
    opt_in: bool = False  # online: synced only when named, never by default


@cache
def _raw() -> dict[str, Any]:
    text = resources.files("writer").joinpath("catalog.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _pattern(value: str | None, where: str) -> re.Pattern[str] | None:
    if value is None:
        return None
    try:
        return re.compile(value)
    except re.error as exc:
        raise ValueError(f"catalog: bad regular expression in {where}: {exc}") from None


@cache
def _facts() -> dict[str, FactSpec]:
    out: dict[str, FactSpec] = {}
    for key, entry in _raw()["facts"].items():
        dimension = entry.get("dimension")
        if dimension is not None and dimension not in DIMENSIONS:
            raise ValueError(f"catalog: fact {key}: unknown dimension {dimension!r}")
        out[key] = FactSpec(
            key=key,
            label=entry["label"],
            kind=entry["kind"],
            unit=entry.get("unit"),
            dimension=dimension,
            cues=tuple(entry.get("cues", ())),
            counts=_pattern(entry.get("counts"), f"fact {key} counts"),
            stored=entry.get("stored", True),
            negligible_below=entry.get("negligible_below"),
            fold_of_median=entry.get("fold_of_median"),
            max_items=entry.get("max_items"),
        )
    return out


@cache
def sections() -> tuple[SectionSpec, ...]:
    """Every section, in page order."""
    out = []
    for entry in _raw()["section"]:
        name = entry["name"]
        out.append(SectionSpec(
            name=name,
            title=entry["title"],
            kind=entry["kind"],
            prefix=entry.get("prefix"),
            offline=tuple(entry.get("offline", ())),
            online=tuple(entry.get("online", ())),
            needs=entry.get("needs", ""),
            markers=_pattern(entry.get("markers"), f"section {name} markers"),
            heading=_pattern(entry.get("heading"), f"section {name} heading"),
            number_key=entry.get("number_key"),
            year_key=entry.get("year_key"),
            coding_only=bool(entry.get("coding_only", False)),
            supplements=tuple(entry.get("supplements", ())),
            release_in_text=bool(entry.get("release_in_text", False)),
        ))
    return tuple(out)


def section(name: str) -> SectionSpec:
    for spec in sections():
        if spec.name == name:
            return spec
    raise KeyError(name)


def section_of_key(key: str) -> SectionSpec | None:
    """The section whose prefix a fact key has (``atlas.x`` -> protein_atlas)."""
    prefix = key.split(".", 1)[0]
    return next((s for s in sections() if s.prefix == prefix), None)


def fact(key: str) -> FactSpec | None:
    return _facts().get(key)


def facts() -> tuple[FactSpec, ...]:
    """Every fact key the catalogue knows, stored or not, in fact-sheet order."""
    return tuple(_facts().values())


@cache
def sources() -> dict[str, SourceSpec]:
    out = {}
    for source_id, entry in _raw()["sources"].items():
        out[source_id] = SourceSpec(
            id=source_id,
            kind=entry["kind"],
            name=entry["name"],
            licence=entry["licence"],
            url=entry["url"],
            provides=tuple(entry.get("provides", ())),
            version=entry.get("version", ""),
            release_date=entry.get("release_date", ""),
            packages=entry.get("packages", ""),
            files=entry.get("files", ""),
            stale_after_days=int(entry.get("stale_after_days", 0)),
            opt_in=bool(entry.get("opt_in", False)),
        )
    return out


def source(source_id: str) -> SourceSpec:
    return sources()[source_id]


def marker_order() -> tuple[SectionSpec, ...]:
    """Sections with prose markers, in the order the evaluator tries them."""
    return tuple(section(name) for name in _raw()["marker_order"])


def heading_order() -> tuple[SectionSpec, ...]:
    """Sections with heading patterns, in the order the evaluator tries them."""
    return tuple(section(name) for name in _raw()["heading_order"])


def negligible_tpm() -> float:
    """The median TPM below which a tissue's expression is negligible (one rule for the
    expression template and the evaluator)."""
    spec = _facts()["expression.top_tissues"]
    return spec.negligible_below if spec.negligible_below is not None else 0.0


def biogps_rule() -> tuple[float, int]:
    """Which BioGPS GNF1H samples a gene's fact holds: (a signal at least this many times the
    gene's median, at most this many). One rule for the source and the template."""
    spec = _facts()["expression.biogps_tissues"]
    if spec.fold_of_median is None or spec.max_items is None:
        raise ValueError("catalog: fact expression.biogps_tissues needs fold_of_median and "
                         "max_items")
    return spec.fold_of_median, spec.max_items


def go_selection() -> dict[str, Any]:
    """How the function paragraph picks GO terms: ``never`` (IDs), ``max_terms``,
    ``merge_siblings``."""
    return dict(_raw()["go_selection"])


def go_evidence(group: str) -> frozenset[str]:
    """The GO evidence codes of a group: experimental, predicted or no_data."""
    return frozenset(_raw()["go_evidence"][group])


def key_kind(key: str | None) -> str:
    """What a number stating ``key`` is about (a finding's kind); ``number`` when unknown."""
    spec = _facts().get(key) if key else None
    return spec.kind if spec else "number"


# Stored key -> label: every key a fact sheet can hold (the store refuses others).
FACT_KEYS: dict[str, str] = {f.key: f.label for f in _facts().values() if f.stored}
# Sections that can be on a page, in page order (names).
SECTION_ORDER: tuple[str, ...] = tuple(s.name for s in sections())
