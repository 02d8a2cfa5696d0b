"""The page's sections, in the reference pages' order, one definition each.

A ``Section`` says which facts it reads (fact keys, see ``writer.factsheet.FACT_KEYS``),
which prompt file phrases it with a model (``prompts/<name>.md``), and how its
deterministic template writes it. A section whose facts are absent from a gene's fact
sheet is left out of the page; ``missing_notes`` says which sources would provide it.

    identity table    rendered from facts (not phrased)
    function          GO molecular function, cellular component, biological process
    structure         gene, mature and primary transcript lengths with percentiles
    literature        publication count
    publications      top papers by relative citation ratio        (online only: iCite)
    protein atlas     protein class, RNA specificity, location     (online only: HPA)
    transcription factors  TFs by ChIP-seq experiments             (online only: GTRD)
    disease           GWAS traits                                  (online only: GWAS Catalog)
    expression        GTEx top tissues
    pathways          WikiPathways
    protein           ProtParam properties with percentiles
    checks table      rendered from the evaluator's report (not phrased)

Sections are data-driven: each reads whichever of its keys the fact sheet holds, so a
section lights up as soon as a source starts writing its facts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

from writer.factsheet import FACT_KEYS, Fact, FactSheet

PROMPTS_DIR = Path(str(files("writer") / "prompts"))  # package data: works from a wheel

Kind = Literal["table", "prose", "checks"]


def _keys(prefix: str) -> tuple[str, ...]:
    return tuple(k for k in FACT_KEYS if k.startswith(prefix + "."))


@dataclass(frozen=True)
class Section:
    """One page section.

    ``template(sheet)`` returns the section's deterministic Markdown ('' when it has nothing
    to say). ``select(sheet)`` returns the facts the text states: the ones the model prompt
    lists and the coverage check expects (default: every present key of ``keys``).
    ``sources`` names where the facts come from, for the note on missing sections.
    """

    name: str
    title: str
    kind: Kind
    keys: tuple[str, ...]
    sources: str
    template: Callable[[FactSheet], str] = field(repr=False)
    select: Callable[[FactSheet], dict[str, Fact]] | None = field(default=None, repr=False)
    offline: bool = True
    guidance: str = ""

    def facts(self, sheet: FactSheet) -> dict[str, Fact]:
        if self.select is not None:
            return self.select(sheet)
        return {k: sheet.facts[k] for k in self.keys if k in sheet.facts}

    def available(self, sheet: FactSheet) -> bool:
        return bool(self.facts(sheet))

    @property
    def phrased(self) -> bool:
        """A prose section, written by a phraser (template or model)."""
        return self.kind == "prose"

    @property
    def prompt_path(self) -> Path:
        return PROMPTS_DIR / f"{self.name}.md"


def _registry() -> tuple[Section, ...]:
    from writer.sections import (
        checks,
        expression,
        function,
        identity,
        literature,
        online,
        pathways,
        protein,
        structure,
    )

    return (
        identity.SECTION,
        function.SECTION,
        structure.SECTION,
        literature.SECTION,
        *online.SECTIONS,
        expression.SECTION,
        pathways.SECTION,
        protein.SECTION,
        checks.SECTION,
    )


@cache
def all_sections() -> tuple[Section, ...]:
    """Every section, in page order."""
    return _registry()


def get(name: str) -> Section:
    for s in all_sections():
        if s.name == name:
            return s
    raise KeyError(name)


def missing_notes(sheet: FactSheet) -> list[Section]:
    """Sections left out of this gene's page because their facts are absent."""
    return [s for s in all_sections() if s.kind != "checks" and not s.available(sheet)]


SYSTEM_PROMPT = "_system.md"
REASK_PROMPT = "_reask.md"


@cache
def prompt_text(name: str) -> str:
    """The text of ``prompts/<name>`` (a section name or a file name such as ``_system.md``)."""
    filename = name if name.endswith(".md") else f"{name}.md"
    return (PROMPTS_DIR / filename).read_text(encoding="utf-8")


def sha256(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


@cache
def template_hash(section: str) -> str:
    """Hash of the module that holds a section's template (so a draft names its code)."""
    import importlib

    module = importlib.import_module(get(section).template.__module__)
    source = Path(module.__file__ or "").read_bytes() if module.__file__ else b""
    helpers = (Path(__file__).parent / "prose.py").read_bytes()
    return "sha256:" + hashlib.sha256(source + helpers).hexdigest()


__all__ = [
    "PROMPTS_DIR",
    "Section",
    "all_sections",
    "get",
    "missing_notes",
    "prompt_text",
    "sha256",
    "template_hash",
]
