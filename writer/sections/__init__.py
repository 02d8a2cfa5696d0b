"""The page's sections, in the reference pages' order: the catalogue's entries with templates.

What a section is (name, title, kind, fact keys, sources) is written once, in the catalogue
(``writer/catalog.toml``). This package adds how each is written without a model: the
template module ``writer/sections/<name>.py`` (a ``render(sheet)`` function, and optionally
``select(sheet)`` for the facts the text states); a section without a module of its own is
written by ``writer.sections.generic``, which states its facts plainly. The model's prompt
for it is ``prompts/<name>.md``. A section whose facts are absent from a gene's fact sheet
is left out of the page; ``missing_notes`` says which sources would provide it.

Sections are data-driven: each reads whichever of its keys the fact sheet holds, so a
section lights up as soon as a source starts writing its facts.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path

from writer import catalog
from writer.catalog import SectionKind
from writer.factsheet import Fact, FactSheet

PROMPTS_DIR = Path(str(files("writer") / "prompts"))  # package data: works from a wheel


@dataclass(frozen=True)
class Section:
    """One page section: its catalogue entry and its template.

    ``template(sheet)`` returns the section's deterministic Markdown ('' when it has nothing
    to say). ``select(sheet)`` returns the facts the text states: the ones the model prompt
    lists and the coverage check expects (default: every present key of ``keys``).
    ``needs`` names where the facts come from, for the note on missing sections.
    """

    name: str
    title: str
    kind: SectionKind
    keys: tuple[str, ...]
    needs: str
    template: Callable[[FactSheet], str] = field(repr=False)
    select: Callable[[FactSheet], dict[str, Fact]] | None = field(default=None, repr=False)
    offline: bool = True
    coding_only: bool = False  # only a protein-coding gene has its facts (catalogue)

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


def template_module(name: str) -> str:
    """The module that writes a section without a model: its own, else the generic one."""
    own = f"{__name__}.{name}"
    return own if importlib.util.find_spec(own) is not None else f"{__name__}.generic"


def _build(spec: catalog.SectionSpec) -> Section:
    module = importlib.import_module(template_module(spec.name))
    if module.__name__.endswith(".generic"):
        render = module.template(spec.prefix or spec.name)
    else:
        render = module.render
    return Section(
        name=spec.name,
        title=spec.title,
        kind=spec.kind,
        keys=spec.keys,
        needs=spec.needs,
        template=render,
        select=getattr(module, "select", None),
        offline=spec.has_offline_source,
        coding_only=spec.coding_only,
    )


@cache
def all_sections() -> tuple[Section, ...]:
    """Every section a page can hold, in page order (the closing note is drawn by the page)."""
    return tuple(_build(spec) for spec in catalog.sections() if spec.kind != "notes")


def get(name: str) -> Section:
    for s in all_sections():
        if s.name == name:
            return s
    raise KeyError(name)


def to_phrase(sheet: FactSheet) -> list[Section]:
    """The sections a phraser writes for ``sheet``: phrased ones that have facts, in page
    order (a draft's, and a batch file's requests)."""
    return [s for s in all_sections() if s.phrased and s.available(sheet)]


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

    module = importlib.import_module(template_module(section))
    source = Path(module.__file__ or "").read_bytes() if module.__file__ else b""
    helpers = (Path(__file__).parent / "prose.py").read_bytes()
    return "sha256:" + hashlib.sha256(source + helpers).hexdigest()


def facts_digest(sheet: FactSheet, section: Section) -> str:
    """A digest of what a section's text is made from in a fact sheet: the gene (ID and
    symbol), every fact of the section's keys (value, unit, links, percentile and its
    population, cross-checks) and the names of the sources those facts cite, with their
    version and release when the section's text states them (the catalogue's
    ``release_in_text``): a new release of a source whose facts did not change leaves the
    other sections' accepted text in place.

    Two sheets with the same digest for a section give it the same text with the same
    template or prompt, so a redraft after a new sync keeps that section's accepted text
    (``writer.draft.section_inputs``). Every key of the section counts, not only the ones its
    text states: a fact moving in or out of the selection changes the text."""
    import json

    facts = {k: sheet.facts[k].model_dump(mode="json") for k in section.keys if k in sheet.facts}
    cited = sorted({f["source"] for f in facts.values()})
    release = catalog.section(section.name).release_in_text
    sources = {s: sheet.sources[s].model_dump(mode="json") if release else sheet.sources[s].name
               for s in cited if s in sheet.sources}
    data = {"gene": [sheet.gene_id, sheet.symbol], "facts": facts, "sources": sources}
    return sha256(json.dumps(data, sort_keys=True, separators=(",", ":")))


__all__ = [
    "PROMPTS_DIR",
    "Section",
    "all_sections",
    "facts_digest",
    "get",
    "missing_notes",
    "prompt_text",
    "sha256",
    "template_hash",
]
