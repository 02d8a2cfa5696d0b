"""The evaluator: trace every claim of a page to the fact sheet and fill the Checks table.

    >>> report = check(page_text, sheet)
    >>> report.findings            # claims that could not be traced, with sentence and reason
    >>> report.checks_markdown()   # the "| Checks | Answer |" table for the page
    >>> report.to_json()           # the stable JSON shape (see writer.check.models)

Works on any page: a model's draft, a curator's edit, or an old page. Deterministic and
offline; a ``judge`` (``writer.check.judge.ModelJudge``: a model reads each sentence with
the facts it cites) may add findings and an opinion next to a rule-based answer, never
remove or replace them. The heavy readers (VADER, Pyphen) load on first use, not at import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from writer.check.models import (
    KINDS,
    CheckReport,
    CheckRow,
    ChecksTable,
    Finding,
    JudgeReview,
    SectionReadability,
    TracedClaim,
)
from writer.factsheet import FactSheet

if TYPE_CHECKING:
    from writer.check.claims import Claim
    from writer.check.diseases import NameList
    from writer.check.goterms import GoTerms
    from writer.check.page import Page


class Judge(Protocol):
    """What ``check`` asks of a judge (``writer.check.judge.ModelJudge`` is one)."""

    model: str

    def review(self, page: Page, sheet: FactSheet, claims: Sequence[Claim]) -> JudgeReview:
        ...

__all__ = [
    "KINDS",
    "CheckReport",
    "CheckRow",
    "ChecksTable",
    "Finding",
    "Judge",
    "JudgeReview",
    "SectionReadability",
    "TracedClaim",
    "check",
]


def check(text: str, sheet: FactSheet, *,
          judge: Judge | None = None,
          diseases: NameList | None = None,
          go_terms: GoTerms | None = None) -> CheckReport:
    """Evaluate ``text`` (Markdown, optionally with front matter) against ``sheet``.

    ``diseases`` is the list of disease names that are claims wherever they appear
    (default: the HPO names of the fact store this process opened, ``writer.check.diseases``).

    ``judge``, when given, reads every prose sentence: its refuted and partly supported
    sentences are added as findings (kind ``judge``), its tally is the Facts verified row's
    ``judge`` opinion, and its answers and requests are ``report.judge``. It never removes a
    rule's finding; a judge that fails is reported as failed and changes nothing else.

    GO term names are read with the Gene Ontology of the fact store the sheet came from
    (``go_terms`` overrides it); a sheet made otherwise (from JSON) knows only its own terms.
    """
    from writer.check import checks
    from writer.check import diseases as disease_names
    from writer.check.claims import extract
    from writer.check.page import parse
    from writer.check.sheetindex import SheetIndex
    from writer.check.trace import CONTRADICTED, TRACED, Tracer
    from writer.store import origin

    path = origin(sheet)  # the fact store the sheet came from: its vocabularies
    if go_terms is None:
        from writer.check import goterms

        go_terms = goterms.load(path) if path is not None else None
    if diseases is None:
        diseases = (disease_names.from_store(path) if path is not None
                    else disease_names.default())
    own_names = tuple(str(v).lower() for v in (sheet.value("identity.name"),) if v)
    page = parse(text, names=own_names)
    from writer.check import genenames

    gene_names = genenames.load(path) if path is not None else genenames.EMPTY
    from writer.check import namedterms

    index = SheetIndex(sheet, diseases, go_terms, gene_names)
    claims = extract(page, index, diseases, namedterms.from_store(path))
    tracer = Tracer(index)
    findings: list[Finding] = []
    traced: list[TracedClaim] = []
    contradicted = 0
    for claim in claims:
        status, reason = tracer.trace(claim)
        claim_text = text[claim.start : claim.end]
        if status == TRACED:
            traced.append(TracedClaim(claim=claim_text, kind=claim.kind, reason=reason,
                                      start=claim.start, end=claim.end))
            continue
        contradicted += status == CONTRADICTED
        sentence = page.sentence_at(claim.start)
        if sentence is not None:
            sentence_text = text[sentence.start : sentence.end]
        else:  # a table cell, the front matter: its line
            line_start = text.rfind("\n", 0, claim.start) + 1
            line_end = text.find("\n", claim.end)
            sentence_text = text[line_start : line_end if line_end >= 0 else len(text)].strip()
        findings.append(Finding(claim=claim_text, sentence=sentence_text, kind=claim.kind,
                                status=status, reason=reason, start=claim.start,  # type: ignore[arg-type]
                                end=claim.end))
    table, flags = checks.build(page, claims, len(traced), contradicted)
    for flag in flags:  # one hyped, advising or contradicting sentence is a finding too
        sentence_text = text[flag.start : flag.end]
        findings.append(Finding(claim=sentence_text, sentence=sentence_text, kind=flag.kind,
                                status="flagged", reason=flag.reason, start=flag.start,
                                end=flag.end))
    review = None
    if judge is not None:
        try:
            review = judge.review(page, sheet, claims)
        except Exception as exc:  # a judge's failure never hides or changes the rules' answers
            review = JudgeReview(model=str(getattr(judge, "model", "judge")),
                                 error=f"{type(exc).__name__}: {exc}")
        findings.extend(review.findings())
        table = table.model_copy(update={"facts_verified": table.facts_verified.model_copy(
            update={"judge": review.opinion()})})
    findings.sort(key=lambda f: (f.start if f.start is not None else -1))
    return CheckReport(findings=findings, checks=table, claims_total=len(claims),
                       claims_traced=len(traced), traced=traced, symbol=sheet.symbol,
                       gene_id=sheet.gene_id, judge=review)
