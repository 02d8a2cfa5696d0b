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
from typing import Any, Protocol

from writer.factsheet import FactSheet
from writer.sections import Section


@dataclass
class Phrased:
    section: str
    text: str
    phraser: str = "template"
    model: str | None = None
    attempts: int = 0
    fell_back: bool = False
    findings: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Any] = field(default_factory=list)  # writer.review.store.ModelCall
    error: str | None = None  # why the model's text was not used, for the command's report
    prompt_tokens: int = 0
    completion_tokens: int = 0


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


def findings_of(report: Any, section: str) -> list[dict[str, Any]]:
    """The evaluator's findings as plain dicts (contradicted or unverifiable claims)."""
    out = []
    for f in getattr(report, "findings", report) or ():
        if isinstance(f, dict):
            d = dict(f)
        elif hasattr(f, "model_dump"):
            d = f.model_dump()
        else:
            d = {k: getattr(f, k, None) for k in ("claim", "sentence", "kind", "status",
                                                  "reason", "start", "end")}
        d = {k: (v.value if hasattr(v, "value") and not isinstance(v, (int, float, str)) else v)
             for k, v in d.items() if v is not None}
        d["section"] = section
        out.append(d)
    return out


__all__ = ["Phrased", "Phraser", "TemplatePhraser", "findings_of"]
