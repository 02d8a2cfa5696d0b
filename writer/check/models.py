"""The evaluator's report: findings, the Checks table, and their stable JSON shape.

JSON shape (``writer check PAGE --gene GENE --json``, ``CheckReport.to_json()``;
``schema_version`` changes when the shape does)::

    {"schema_version": 1,
     "gene": {"symbol": "MT1G", "gene_id": 4495},
     "findings": [{"claim", "sentence", "kind", "status", "reason", "start", "end"}, ...],
     "checks": {
        "sentiment":        {"answer", "reason", "ok", "score", "judge"},
        "ethical_concerns": {"answer", "reason", "ok", "score", "judge"},
        "coherence":        {"answer", "reason", "ok", "score", "judge"},
        "facts_verified":   {"answer", "reason", "ok", "score", "judge"},
        "readability": [{"section", "grade", "in_band"}, ...],
        "readability_band": [low, high]},
     "claims_total": 41, "claims_traced": 12,
     "judge": null | {"model", "counts": {"supported", "partly supported", "refuted",
                                          "not checkable"},
                      "verdicts": [{"section", "sentence", "verdict", "reason", "start",
                                    "end"}, ...],
                      "requests": 3}}

``status`` is ``contradicted`` (the fact sheet holds a different value of that kind) or
``unverifiable`` (the fact sheet has nothing to check the claim against). ``start`` and
``end`` are character offsets of the claim in the checked text. ``kind`` is one of
``KINDS``. A row's ``ok`` is false when the row found a problem; ``judge`` holds a model's
opinion when a judge was configured (it never replaces the rule-based answer).
``judge`` is null unless a model judge read the page (``writer check --judge MODEL``): its
verdict on each sentence it read, with a reason; a reply it could not use is a verdict
``not checkable`` that says why.

``Finding`` is the one model of a finding everywhere (drafting, the review queue, the eval
suite): drafting's own findings add ``section`` and ``key``, and statuses ``omitted``,
``replaced``, ``failed``; the evaluator never sets them and this shape never shows them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from writer.llm import ModelCall

SCHEMA_VERSION = 2  # 2: the "judge" key

# What a claim is about (the ``kind`` of a finding).
KINDS: dict[str, str] = {
    "identifier": "an identifier: NCBI Gene ID, Ensembl ID, UniProt accession, transcript",
    "band": "a cytogenetic band or chromosome",
    "location": "genomic coordinates",
    "gene_symbol": "a gene symbol",
    "go_term": "a Gene Ontology term (name or GO ID)",
    "go_relation": "a GO term under the verb of another aspect ('is located in' a function)",
    "go_evidence": "a GO term worded against its evidence (a prediction stated as shown)",
    "tissue": "a tissue name",
    "pathway": "a pathway (name or ID)",
    "paper": "a paper: its title or PMID, or a citation by journal or authors",
    "phenotype": "an HPO phenotype named in prose (a fact sheet holds only their count)",
    "drug": "a drug named in prose (no source gives drugs or treatments)",
    "disease": "a disease (name, OMIM / Orphanet / DECIPHER ID) traced to the gene's HPO "
               "annotations",
    "atlas": "a Human Protein Atlas protein class, category, subcellular location or "
             "expression cluster",
    "transcription_factor": "a transcription factor said to bind or regulate the gene, with "
                            "its count of evidence",
    "year": "a year",
    "percentile": "a percentile",
    "population": "the size of the population a percentile ranks in",
    "length": "a length in base pairs",
    "count": "a count (publications, exons, experiments)",
    "protein_property": "a protein property (ProtParam)",
    "expression": "an expression value (TPM)",
    "score": "a score without a source (relative citation ratio)",
    "unit": "a unit that does not fit the quantity it is attached to",
    "interpretation": "a qualitative reading of a value (hydrophobic, unstable, ...)",
    "source": "a source's name, version or release",
    "statement": "a sentence of a section that has no source",
    "number": "a number the evaluator cannot attach to any fact",
    "identity": "what the gene is: its gene type or strand",
    "rank": "a rank, order or band (\"among the shortest\", \"highest in the liver\")",
    "comparison": "two facts compared (\"the gene is shorter than its primary transcript\")",
    "sentiment": "a sentence whose tone is not neutral, or promotional wording",
    "ethics": "medical advice, deterministic or stigmatising language, patient data, or an "
              "unsupported clinical claim",
    "coherence": "a statement that contradicts an earlier one, a repeated sentence, or a "
                 "name (GO term, tissue, pathway, paper) repeated in one paragraph",
    "judge": "a sentence the optional model judge found refuted or only partly supported "
             "by the facts it cites",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# What became of a claim (the ``status`` of a finding).
STATUSES: dict[str, str] = {
    "contradicted": "the fact sheet holds a different value of that kind",
    "unverifiable": "the fact sheet has nothing to check the claim against",
    "omitted": "a fact of the section that the text leaves out (kind ``coverage``)",
    "replaced": "a model's claim the evaluator could not trace; the template text replaced it",
    "failed": "the model endpoint failed; the template text was used (kind ``endpoint``)",
    "flagged": "a sentence a Checks row failed on (kind ``sentiment``, ``ethics`` or "
               "``coherence``): hype, advice, stigma, a contradiction or a repeat; or one "
               "the model judge found refuted or partly supported (kind ``judge``)",
    "redrafted": "a section a curator had edited on the accepted page, phrased again in a "
                 "redraft because its facts changed (kind ``curator_edit``; writer.redraft)",
}
Status = Literal["contradicted", "unverifiable", "omitted", "replaced", "failed", "flagged",
                 "redrafted"]


class Finding(_Frozen):
    """Something a curator must look at: the one model of a finding, from the evaluator
    through drafting, the review queue and the eval suite.

    The evaluator's findings (status ``contradicted`` / ``unverifiable``) have the claim,
    its sentence and the claim's character offsets (``start``, ``end``) in the checked text.
    Drafting adds findings of its own: coverage (status ``omitted``, with the ``section``
    and the fact ``key`` it leaves out), replaced model claims and endpoint failures (with
    the ``section``); these have no offsets.
    """

    claim: str = ""
    sentence: str = ""
    kind: str
    status: Status
    reason: str
    start: int | None = None
    end: int | None = None
    section: str | None = None
    key: str | None = None

    def report_json(self) -> dict[str, Any]:
        """The evaluator's fields only: the ``findings`` items of ``writer check --json``."""
        return self.model_dump(mode="json", include=REPORT_FIELDS)


# The fields of a finding in ``writer check --json`` (the shape at the top of this module).
REPORT_FIELDS = frozenset({"claim", "sentence", "kind", "status", "reason", "start", "end"})


class TracedClaim(_Frozen):
    """A claim that matched a fact (kept so a reviewer can see what was checked)."""

    claim: str
    kind: str
    reason: str
    start: int
    end: int


class CheckRow(_Frozen):
    answer: str
    reason: str
    ok: bool
    score: float | None = None
    judge: str | None = None


class SectionReadability(_Frozen):
    section: str
    grade: float
    in_band: bool


class ChecksTable(_Frozen):
    sentiment: CheckRow
    ethical_concerns: CheckRow
    coherence: CheckRow
    facts_verified: CheckRow
    readability: tuple[SectionReadability, ...] = ()
    readability_band: tuple[float, float] = (0.0, 0.0)

    def rows(self) -> list[tuple[str, CheckRow]]:
        return [
            ("Sentiment", self.sentiment),
            ("Ethical concerns", self.ethical_concerns),
            ("Coherence", self.coherence),
            ("Facts verified", self.facts_verified),
        ]


def _cell(text: str) -> str:
    """Text made safe for one Markdown table cell."""
    return " ".join(text.replace("|", "\\|").split())


# A model judge's answers about one sentence (``writer.check.judge``).
VERDICTS = ("supported", "partly supported", "refuted", "not checkable")
Verdict = Literal["supported", "partly supported", "refuted", "not checkable"]
FLAGGED_VERDICTS = frozenset({"refuted", "partly supported"})


class SentenceVerdict(_Frozen):
    """The judge's answer on one sentence: ``reason`` is the model's (cleaned, shortened),
    or for ``not checkable`` why no usable answer came (garbage, timeout, no verdict)."""

    section: str
    sentence: str
    verdict: Verdict
    reason: str
    start: int
    end: int


class JudgeReview(_Frozen):
    """What a model judge said of a page, and every request it made for it."""

    model: str
    verdicts: list[SentenceVerdict] = []
    calls: list[ModelCall] = []
    error: str | None = None  # the judge itself failed (every sentence not checkable)

    def counts(self) -> dict[str, int]:
        return {v: sum(1 for s in self.verdicts if s.verdict == v) for v in VERDICTS}

    def opinion(self) -> str:
        """One line for the Checks table (no model text: it is published)."""
        if self.error:
            return f"{self.model}: judge failed, nothing checked"
        c = self.counts()
        return (f"{self.model}: of {len(self.verdicts)} sentences, {c['supported']} supported, "
                f"{c['partly supported']} partly supported, {c['refuted']} refuted, "
                f"{c['not checkable']} not checkable")

    def findings(self) -> list[Finding]:
        return [Finding(claim=v.sentence, sentence=v.sentence, kind="judge", status="flagged",
                        reason=f"model judge ({self.model}): {v.verdict}: {v.reason}",
                        start=v.start, end=v.end)
                for v in self.verdicts if v.verdict in FLAGGED_VERDICTS]

    def report_json(self) -> dict[str, Any]:
        return {"model": self.model, "counts": self.counts(),
                "verdicts": [v.model_dump(mode="json") for v in self.verdicts],
                "requests": len(self.calls)}


class CheckReport(_Frozen):
    findings: list[Finding]
    checks: ChecksTable
    claims_total: int
    claims_traced: int
    traced: list[TracedClaim] = []
    symbol: str = ""
    gene_id: int = 0
    judge: JudgeReview | None = None

    @property
    def ok(self) -> bool:
        """True when every claim is traced and no check row found a problem."""
        return not self.findings and all(row.ok for _, row in self.checks.rows())

    def checks_markdown(self, reasons: bool = False) -> str:
        """The "| Checks | Answer |" table. The page's (the default) holds the short answers,
        like the reference pages ("neutral", "no", "yes"); ``reasons=True`` adds each row's
        reason and the model judge's opinion, for the curator (``writer check``)."""
        lines = ["| Checks    | Answer |", "| :-------- | :------- |"]
        for name, row in self.checks.rows():
            answer = row.answer
            if reasons and row.reason:
                answer += f": {row.reason}"
            if reasons and row.judge:
                answer += f" (model judge: {row.judge})"
            lines.append(f"| {name} | {_cell(answer)} |")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape documented at the top of this module."""
        checks = self.checks.model_dump(mode="json")
        checks["readability_band"] = list(self.checks.readability_band)
        return {
            "schema_version": SCHEMA_VERSION,
            "gene": {"symbol": self.symbol, "gene_id": self.gene_id},
            "findings": [f.report_json() for f in self.findings],
            "checks": checks,
            "claims_total": self.claims_total,
            "claims_traced": self.claims_traced,
            "judge": self.judge.report_json() if self.judge is not None else None,
        }
