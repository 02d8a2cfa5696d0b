"""Phrasers turn a section's facts into its paragraph.

- ``template`` (``TemplatePhraser``): the section's deterministic template; no model. The
  default when no model is configured.
- ``openai`` (``ModelPhraser`` in ``writer.phrasers.model``): any OpenAI-compatible
  endpoint, each paragraph checked by the evaluator, re-asked with its reasons, and
  replaced by the template text when it still fails.

Both return one ``Phrased`` per section: the text plus how it was made (phraser, model,
attempts, whether it fell back, findings about it, the model calls behind it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from writer.check.models import Finding
from writer.factsheet import FactSheet
from writer.sections import Section

if TYPE_CHECKING:
    from writer.llm import ModelCall


@dataclass
class Phrased:
    section: str
    text: str
    phraser: str = "template"
    model: str | None = None
    attempts: int = 0
    fell_back: bool = False
    findings: list[Finding] = field(default_factory=list)
    calls: list[ModelCall] = field(default_factory=list)  # every model request behind it
    error: str | None = None  # why the model's text was not used, for the command's report
    prompt_tokens: int = 0
    completion_tokens: int = 0
    links_restored: int = 0  # links of the template put back on names the model left bare
    prompt_variant: str | None = None  # prompts/_variants/<name>.toml, for a model


class Phraser(Protocol):
    name: str

    def phrase(self, sections: Sequence[Section], sheet: FactSheet) -> dict[str, Phrased]:
        """One ``Phrased`` per section (only sections with facts are passed)."""
        ...


class TemplatePhraser:
    """The deterministic templates of ``writer.sections``: no model, no network."""

    name = "template"

    def phrase(self, sections: Sequence[Section], sheet: FactSheet) -> dict[str, Phrased]:
        return {s.name: Phrased(section=s.name, text=s.template(sheet)) for s in sections}


def findings_of(report: Any, section: str) -> list[Finding]:
    """The findings of a checker's report (``writer.check`` CheckReport), each naming the
    section whose text was checked."""
    return [f.model_copy(update={"section": section}) for f in report.findings]


__all__ = ["Phrased", "Phraser", "TemplatePhraser", "findings_of"]
