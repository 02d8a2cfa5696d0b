"""The eval report and its stable JSON shape (``writer eval --json``).

``schema_version`` changes when the shape does; ``tests/test_eval_report.py`` holds it::

    {"schema_version": 3,                # 2: "judge" in "overall" and in each gene;
                                         # 3: acceptance counts rewritten paragraphs only,
                                         # copies, links and cost per section
     "passed": true,                      # every applicable threshold met
     "missed": ["grounding = 0.98 (needs >= 1)", ...],
     "phraser": "template" | "openai", "model": null | "NAME",
     "prompt_variant": null | "NAME",     # 3: the prompt variant of a model run
     "suite": {"root", "cases", "panel", "partial", "seed", "kinds": [...]},
     "store": "/path/facts.sqlite", "date": "2025-01-17 16:55 UTC",
     "overall": {<Overall: every metric, flat; thresholds name them>},
     "thresholds": [{"metric", "op", "bound", "value", "passed", "when", "full_panel",
                     "why"}, ...],
     "genes": [{<GeneResult>}, ...]}

Rates are fractions (0..1), null when nothing was measured (acceptance without a model,
recall of a kind never planted). ``judge`` (in ``overall`` and each gene) is null unless
``--judge MODEL`` ran the model judge beside the rules: its recall per kind on the same
plantings, its findings on the clean page (false alarms) and its unusable answers.
``passed`` of a threshold is null when it does not apply
to the run (a ``when = "model"`` threshold in a template run) or its metric is null.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, computed_field, field_serializer

from writer.check.models import Finding
from writer.evals.similarity import Edit

SCHEMA_VERSION = 3
# The fields of a finding in this report (offsets would point into pages it does not hold).
FINDING_FIELDS = frozenset({"claim", "kind", "status", "reason", "sentence"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Coverage(_Model):
    """Section facts (each list item and each percentile counts one) the text mentions."""

    facts: int = 0
    mentioned: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rate(self) -> float | None:
        return round(self.mentioned / self.facts, 4) if self.facts else None


class SectionResult(_Model):
    name: str
    phraser: str  # "template" or "openai"
    requests: int = 0  # requests sent to the endpoint (re-asks and retries included)
    reasks: int = 0  # answers after the first (each carried the evaluator's reasons back)
    endpoint_errors: int = 0  # requests that failed (timeouts, 5xx, connection errors)
    accepted: bool = False  # a model's paragraph is on the page (did not fall back)
    fell_back: bool = False  # the template text replaced the model's paragraph
    replaced_claims: int = 0  # untraced claims of the model's last paragraph, kept off the page
    answers: int = 0  # answers received (requests that did not fail)
    answers_grounded: int = 0  # answers with no untraced claim (omissions aside)
    untraced_claims: int = 0  # untraced claims over every answer, re-asked or replaced
    coverage: Coverage = Coverage()
    grade: float | None = None  # Flesch-Kincaid grade; None for very short text
    # An accepted model paragraph against the template's (writer.evals.similarity):
    similarity: float | None = None  # words in common, in order (0..1)
    edit: Edit | None = None  # copied / lightly edited / rewritten
    links: int = 0  # links of the template paragraph to facts (their provenance)
    links_on_page: int = 0  # of them, on the page's paragraph
    links_restored: int = 0  # of them, put back on names the model's paragraph left bare
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0  # time of the section's model requests
    served: list[str] = []  # what answered, as the endpoint reported it ("name (fingerprint)")


class SectionCost(_Model):
    """One section over the panel: what the model did with it and what it cost."""

    model_sections: int = 0
    copied: int = 0
    lightly_edited: int = 0
    rewritten: int = 0
    fell_back: int = 0
    requests: int = 0
    tokens: int = 0
    seconds: float = 0.0
    tokens_per_gene: float | None = None
    seconds_per_gene: float | None = None


class KindRecall(_Model):
    planted: int = 0
    caught: int = 0
    rate: float | None = None


class Miss(_Model):
    kind: str
    claim: str
    excerpt: str


class Readability(_Model):
    section: str
    grade: float
    in_band: bool


class GeneJudge(_Model):
    """The model judge on one gene: the clean page it read, and the same plantings."""

    model: str
    sentences: int = 0  # sentences of the clean page it judged
    not_checkable: int = 0  # of them, answered "not checkable" (or unusable answers)
    false_alarms: list[Finding] = []  # its findings on the clean page
    recall: dict[str, KindRecall] = {}
    calls: int = 0  # requests made (answers for unchanged sections come from its cache)
    seconds: float = 0.0

    @field_serializer("false_alarms")
    def _findings(self, findings: list[Finding]) -> list[dict[str, Any]]:
        return [f.model_dump(mode="json", include=FINDING_FIELDS) for f in findings]


class JudgeOverall(_Model):
    model: str
    sentences: int
    not_checkable: int
    not_checkable_rate: float | None
    false_alarms: int  # judge findings on clean pages
    false_alarm_pages: int
    planted: int
    caught: int
    recall: float | None
    recall_by_kind: dict[str, KindRecall]
    calls: int
    seconds: float


class GeneResult(_Model):
    query: str
    expect: str
    category: str
    outcome: Literal["drafted", "refused", "error"]
    resolved: bool  # the query resolved as the case expects
    symbol: str | None = None
    gene_id: int | None = None
    error: str | None = None
    claims_total: int = 0
    claims_traced: int = 0
    grounding: float | None = None
    coverage: Coverage = Coverage()
    page_findings: list[Finding] = []  # untraced claims on the drafted page
    false_alarms: list[Finding] = []  # findings on the clean template page
    checks_failed: list[str] = []  # Checks rows (sentiment, ethics, coherence) that failed
    readability: list[Readability] = []
    sections: list[SectionResult] = []
    injected_into: Literal["drafted", "template"] | None = None
    recall: dict[str, KindRecall] = {}
    missed: list[Miss] = []
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model_calls: int = 0
    model_seconds: float = 0.0  # time of the model requests behind the page
    served: list[str] = []  # what answered, as the endpoint reported it
    draft_seconds: float = 0.0
    inject_seconds: float = 0.0
    judge: GeneJudge | None = None

    @field_serializer("page_findings", "false_alarms")
    def _findings(self, findings: list[Finding]) -> list[dict[str, Any]]:
        return [f.model_dump(mode="json", include=FINDING_FIELDS) for f in findings]

    @property
    def caught(self) -> int:
        return sum(r.caught for r in self.recall.values())

    @property
    def planted(self) -> int:
        return sum(r.planted for r in self.recall.values())

    @property
    def model_sections(self) -> list[SectionResult]:
        """Sections a model was asked to phrase (the template's own sections excluded)."""
        return [s for s in self.sections if s.phraser != "template"]


class Overall(_Model):
    cases: int
    genes: int  # cases drafted
    resolution: float | None  # cases resolved (or refused) as expected / cases
    claims_total: int
    claims_traced: int
    grounding: float | None  # claims traced / claims, over every drafted page
    grounding_min_gene: float | None
    facts_total: int
    facts_mentioned: int
    coverage: float | None  # section facts mentioned / section facts
    coverage_min_gene: float | None
    page_findings: int  # untraced claims that reached a drafted page
    false_alarms: int  # findings on clean template pages
    false_alarm_pages: int
    checks_failed: int  # pages with a failed sentiment, ethics or coherence row
    sentiment_failed: int  # pages whose Sentiment row is not neutral
    ethics_failed: int  # pages whose Ethical concerns row found a concern
    coherence_failed: int  # pages whose Coherence row found a problem
    planted: int
    caught: int
    recall: float | None
    recall_min_kind: float | None
    planted_min_kind: int
    recall_by_kind: dict[str, KindRecall]
    readability_median: float | None
    readability_in_band: float | None  # sections whose grade is in the evaluator's band
    readability_by_section: dict[str, float]  # mean grade per section
    model_sections: int
    accepted_sections: int
    acceptance: float | None  # model sections accepted AND rewritten (not a copy of the
    # template, writer.evals.similarity) / model sections
    acceptance_with_copies: float | None  # accepted, copies included / model sections
    copied_sections: int  # accepted model paragraphs that are the template's, copied
    lightly_edited_sections: int
    rewritten_sections: int
    by_section: dict[str, SectionCost]  # per section: copied / edited / rewritten, cost
    links: int  # template links to facts, in the accepted model sections
    links_kept: int  # of them, written by the model itself
    links_restored: int  # of them, put back on names the model left bare
    links_kept_rate: float | None  # links_kept / links
    links_lost: int  # template links to facts missing from the drafted pages (every section)
    answers: int  # model answers received
    answers_grounded: int
    answer_grounding: float | None  # answers with no untraced claim / answers
    untraced_claims: int  # untraced claims the evaluator found in the model's answers
    model_coverage: float | None  # facts mentioned / facts, in accepted model sections only
    fell_back: int
    reasks: int
    reasks_per_section: float | None
    endpoint_errors: int
    replaced_claims: int  # untraced model claims the grounding loop kept off the pages
    model_calls: int
    prompt_tokens: int
    completion_tokens: int
    tokens: int
    tokens_per_gene: float | None
    model_seconds: float  # time of the model requests
    model_seconds_per_gene: float | None
    served: list[str]  # what answered, as the endpoint reported it: more than one is a switch
    served_count: int
    seconds: float  # wall time of the whole run
    seconds_per_gene: float | None
    draft_seconds: float
    inject_seconds: float
    judge: JudgeOverall | None = None  # with --judge MODEL


class ThresholdResult(_Model):
    metric: str
    op: Literal[">=", "<="]
    bound: float
    value: float | None
    passed: bool | None
    when: str
    full_panel: bool
    why: str


class SuiteInfo(_Model):
    root: str
    cases: int  # cases run
    panel: int  # cases in the panel
    partial: bool  # a part of the panel (--limit, --gene): full_panel thresholds do not apply
    seed: str
    kinds: list[str]


class EvalReport(_Model):
    schema_version: int = SCHEMA_VERSION
    passed: bool
    missed: list[str]
    phraser: str
    model: str | None
    prompt_variant: str | None = None  # prompts/_variants/<name>.toml, with a model
    suite: SuiteInfo
    store: str
    date: str
    overall: Overall
    thresholds: list[ThresholdResult]
    genes: list[GeneResult]

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def metric_paths(kinds: list[str]) -> set[str]:
    """Every metric a threshold may name (dotted paths into ``overall``)."""
    paths = set()
    for name in Overall.model_fields:
        if name == "recall_by_kind":
            for kind in kinds:
                paths.add(f"recall_by_kind.{kind}.rate")
                paths.add(f"recall_by_kind.{kind}.planted")
                paths.add(f"recall_by_kind.{kind}.caught")
        elif name in ("readability_by_section", "by_section", "served"):
            continue  # informative only: sections differ between genes
        elif name == "judge":
            for field in JudgeOverall.model_fields:
                if field == "recall_by_kind":
                    for kind in kinds:
                        paths.update(f"judge.recall_by_kind.{kind}.{m}"
                                     for m in ("rate", "planted", "caught"))
                elif field != "model":
                    paths.add(f"judge.{field}")
        else:
            paths.add(name)
    return paths


def metric_value(overall: Overall, path: str) -> float | None:
    node: Any = overall.model_dump()
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return None if node is None else float(node)
