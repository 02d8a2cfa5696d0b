"""The Checks table: sentiment, ethical concerns, coherence, facts verified.

Every row is deterministic and offline. Names that come from databases (GO terms, tissues,
pathways, paper titles) are left out of the sentiment and ethics readings: they are not
the writer's words ("negative regulation of growth" is not a negative tone).

- Sentiment: VADER (``vaderSentiment``) compound score per sentence, averaged; neutral
  between -0.05 and 0.05 (VADER's own thresholds). A page is expected to be neutral.
- Ethical concerns: rules for medical advice, deterministic or stigmatising language about
  groups of people, identifiable patient data and unsupported clinical claims
  (``lexicon.ETHICS_RULES``).
- Coherence: sections in the reference order, no two claims of one fact with different
  values, no repeated sentences, no database name written twice in one paragraph, and the
  Flesch-Kincaid grade of each section against ``READABILITY_BAND``; a grade outside the
  band is reported, not failed, since lists of database names raise it without making the
  text incoherent.
- Facts verified: "N of M claims traced".
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from writer.check import lexicon as lx
from writer.check.claims import Claim
from writer.check.models import CheckRow, ChecksTable, SectionReadability
from writer.check.numbers import NUMBER_RE, matches
from writer.check.page import SECTION_ORDER, Page, Sentence
from writer.check.readability import flesch_kincaid_grade
from writer.factsheet import FACT_KEYS

# Flesch-Kincaid grade expected of specialist encyclopedic prose (a university reader).
READABILITY_BAND: tuple[float, float] = (8.0, 20.0)
SENTIMENT_NEUTRAL = 0.05

NAME_KINDS = frozenset({"go_term", "tissue", "pathway", "paper"})

@cache
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon = {w: v for w, v in analyzer.lexicon.items()
                        if w not in lx.SENTIMENT_NEUTRAL_TERMS}
    return analyzer


class _Prose:
    """The writer's own words in a span: the view without the claims (database names,
    numbers, identifiers) and without the brackets they leave (VADER reads "8)" as a smile).
    The claims are ordered once, so each sentence reads only its own."""

    def __init__(self, page: Page, claims: Sequence[Claim]) -> None:
        self.view = page.view
        self.claims = sorted((c for c in claims if c.kind != "statement"), key=lambda c: c.start)
        self.starts = [c.start for c in self.claims]

    def __call__(self, start: int, end: int) -> str:
        chars = list(self.view[start:end])
        for c in self.claims[bisect_left(self.starts, start) : bisect_left(self.starts, end)]:
            if c.end <= end:
                chars[c.start - start : c.end - start] = " " * (c.end - c.start)
        text = re.sub(r"[()\[\]%:;=]", " ", "".join(chars))
        return " ".join(text.split())


@dataclass(frozen=True)
class Flag:
    """A sentence a Checks row failed on: it becomes a finding (status ``flagged``)."""

    kind: str  # sentiment, ethics, coherence
    start: int
    end: int
    reason: str


def _quote(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return "\u201c" + (text if len(text) <= limit else text[: limit - 3] + "...") + "\u201d"


def sentiment(page: Page, claims: Sequence[Claim]) -> tuple[CheckRow, list[Flag]]:
    """The most extreme sentence decides (one hyped sentence is enough), and every
    promotional phrase is a finding; the page mean is reported beside it."""
    scores: list[tuple[float, int, int]] = []
    flags: list[Flag] = []
    prose = _Prose(page, claims)
    for s in page.sentences:
        text = prose(s.start, s.end)
        for m in lx.PROMOTIONAL.finditer(text):
            flags.append(Flag("sentiment", s.start, s.end,
                              f"promotional wording \u201c{m.group(0)}\u201d: a gene page states "
                              f"facts, not their importance"))
        if s.section == "notes":  # the note on what the page leaves out has no tone to read
            continue
        if len(text.split()) >= 3:
            scores.append((_vader().polarity_scores(text)["compound"], s.start, s.end))
    if not scores:
        return CheckRow(answer="neutral", reason="no prose to read", ok=True, score=0.0), flags
    mean = sum(sc for sc, _, _ in scores) / len(scores)
    extreme, start, end = max(scores, key=lambda x: abs(x[0]))
    polar = abs(extreme) >= lx.SENTENCE_SENTIMENT
    if polar:
        flags.append(Flag("sentiment", start, end,
                          f"{'positive' if extreme > 0 else 'negative'} tone (VADER compound "
                          f"{extreme:+.3f}; a sentence is neutral below "
                          f"{lx.SENTENCE_SENTIMENT:g} either way)"))
    if flags:
        first = min(flags, key=lambda f: f.start)
        label = ("positive" if extreme > 0 else "negative") if polar else "positive"
        reason = (f"{first.reason}: {_quote(page.text[first.start:first.end])}"
                  + (f" and {len(flags) - 1} more" if len(flags) > 1 else ""))
        return CheckRow(answer=label, reason=reason, ok=False, score=round(extreme, 4)), flags
    reason = (f"strongest sentence {extreme:+.3f} (a sentence is neutral below "
              f"{lx.SENTENCE_SENTIMENT:g} either way); mean VADER compound {mean:+.3f} over "
              f"{len(scores)} sentences")
    return CheckRow(answer="neutral", reason=reason, ok=True, score=round(extreme, 4)), flags


def ethics(page: Page, claims: Sequence[Claim]) -> tuple[CheckRow, list[Flag]]:
    """Each sentence is read on its own, claims or not, with database names, identifiers
    and the gene's own symbol and aliases left out (HLA-DOB's alias DOB, or its transcript
    HLA-DOB-206, is not a date of birth)."""
    names = [c for c in claims
             if c.kind in NAME_KINDS or c.kind == "identifier" or c.notes.get("own_name")]
    hits: list[str] = []
    flags: list[Flag] = []
    prose = _Prose(page, names)
    for s in page.sentences:
        text = prose(s.start, s.end)
        for name, pattern in lx.ETHICS_RULES:
            for m in pattern.finditer(text):
                hits.append(f"{name} (\u201c{m.group(0)}\u201d)")
                flags.append(Flag("ethics", s.start, s.end, f"{name}: \u201c{m.group(0)}\u201d"))
    if not hits:
        return CheckRow(answer="no", ok=True, reason=(
            "no medical advice, deterministic or stigmatising language about groups of people, "
            "identifiable patient data or unsupported clinical claim found")), flags
    return CheckRow(answer="yes", ok=False, reason="; ".join(dict.fromkeys(hits))), flags


def _same(a: Claim, b: Claim) -> bool:
    """Two written values of one fact agree when the finer one rounds to the coarser; two
    identifiers when they share one ("ENSG1, ENSG2" and "ENSG2")."""
    if a.written is None or b.written is None:
        ids_a = set(re.findall(r"[\w:.-]+", str(a.value).upper()))
        ids_b = set(re.findall(r"[\w:.-]+", str(b.value).upper()))
        return bool(ids_a & ids_b)
    if a.factor != b.factor:
        return True  # different units: the fact check judges each
    if "fraction" in (a.written.qualifier, b.written.qualifier):
        return True  # "a third" and "30.92%": in different units; the fact check judges each
    if a.written.qualifier and b.written.qualifier:
        return True  # two ranges ("about 1,300", "more than 1,000"): the fact check judges each
    if a.written.qualifier or b.written.qualifier:  # an exact value must lie in the range
        ranged, exact = (a, b) if a.written.qualifier else (b, a)
        return matches(ranged.written, exact.written.value)  # type: ignore[union-attr]
    fine, coarse = (a, b) if a.written.decimals >= b.written.decimals else (b, a)
    return matches(coarse.written, fine.written.value)  # type: ignore[union-attr]


def _clashes(group: Sequence[Claim]) -> Iterator[tuple[Claim, Claim]]:
    """Each claim of one fact with the first later claim that does not agree with it. A page
    can write one value many times: each distinct way of writing it is compared once, and
    the first later claim written a clashing way is found by bisection."""
    at: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for i, c in enumerate(group):
        at[_written_as(c)].append(i)
    agree: dict[tuple[Any, ...], bool] = {}
    for i, a in enumerate(group):
        mine = _written_as(a)
        later = []
        for way, where in at.items():
            if (mine, way) not in agree:
                agree[mine, way] = _same(group[at[mine][0]], group[where[0]])
            j = bisect_right(where, i)
            if not agree[mine, way] and j < len(where):
                later.append(where[j])
        if later:
            yield a, group[min(later)]


def _written_as(c: Claim) -> tuple[Any, ...]:
    """What `_same` reads of a claim: two claims written alike compare alike."""
    return (c.written, c.factor, str(c.value) if c.written is None else None)


# claims whose values differ by nature (years: the ends of a range, two counts' years) or
# that are judged against the facts only (ranks, comparisons, gene type and strand)
NOT_COMPARED = frozenset({"gene_symbol", "interpretation", "unit", "year", "rank", "comparison",
                          "identity",
                          # members of lists: several classes, clusters or TFs are no clash
                          "atlas", "transcription_factor", "perturbation_tf",
                          "perturbation_direction", "perturbation_z", "perturbation_de"})


def _contradictions(claims: Sequence[Claim]) -> list[tuple[str, Claim]]:
    groups: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        if c.kind == "percentile" and c.of in FACT_KEYS:
            groups[f"percentile of {c.of}"].append(c)
        elif c.key in FACT_KEYS and c.kind not in NOT_COMPARED and (
            c.section not in ("transcription_factors", "perturbation")
        ) and not isinstance(c.value, tuple) and c.key not in (
            "structure.canonical_transcript", "identity.uniprot_ids",
            "literature.year_range",  # a range has two ends
        ):
            groups[str(c.key)].append(c)
    out = []
    for key, group in groups.items():
        for a, clash in _clashes(group):
            label = key.split(".", 1)[-1].replace("_", " ")
            out.append((f"{label}: {a.value} ({a.section}) vs {clash.value} ({clash.section})",
                        clash))
            break  # one clash per fact
    return out


def _repeats(page: Page) -> list[tuple[str, Sentence]]:
    seen: dict[str, str] = {}
    word_sets: list[frozenset[str]] = []
    out = []
    for s in page.sentences:
        text = " ".join(page.view[s.start : s.end].lower().split())
        words = frozenset(re.findall(r"[a-z0-9]+", text))
        short = text[:60] + ("..." if len(text) > 60 else "")
        if text in seen:
            out.append((f"repeated: \u201c{short}\u201d", s))
            continue
        seen[text] = s.section
        if len(words) >= 8:
            for other in word_sets:
                if len(words & other) / len(words | other) >= 0.9:
                    out.append((f"near-repeat: \u201c{short}\u201d", s))
                    break
            word_sets.append(words)
    return out


# Claims that name a database entry (a GO term also under its verb or evidence wording).
REPEATABLE = NAME_KINDS | {"go_relation", "go_evidence"}


def _repeated_names(page: Page, claims: Sequence[Claim]) -> list[tuple[str, Sentence]]:
    """A database name (GO term, tissue, pathway, paper) written twice in one paragraph, as
    in "enables metal ion binding, and is predicted to enable metal ion binding": the
    sentence of the second mention. Two entries a database gives one name (WikiPathways'
    "Aryl hydrocarbon receptor pathway", WP2586 and WP2873), each linked to its own
    identifier, are not a repetition."""
    seen: dict[tuple[int, str], set[str | None]] = {}
    out = []
    for c in sorted(claims, key=lambda c: c.start):
        sentence = page.sentence_at(c.start)
        if c.kind not in REPEATABLE or sentence is None or str(c.key).endswith("id"):
            continue  # an identifier is written beside its linked name (and in the link)
        name = " ".join(page.text[c.start:c.end].lower().split())
        before = seen.setdefault((sentence.block, name), set())
        if before and (c.linked_id is None or c.linked_id in before or None in before):
            out.append((f"repeated in one paragraph: \u201c{name}\u201d", sentence))
        before.add(c.linked_id)
    return out


def _for_grading(text: str) -> str:
    """One sentence as the grader should read it: a number is one short word (it would
    take the points of "1,033,041.0" and "99.66%" for sentence ends)."""
    text = NUMBER_RE.sub("7", text)
    text = re.sub(r"[.!?]+(?=.)", ",", text.rstrip(".!? "))
    return " ".join(text.split()) + "."


# Sections graded for readability: prose, not the sentence of names under the identity table.
UNGRADED = frozenset({"identity"})


def readability(page: Page) -> list[SectionReadability]:
    by_section: dict[str, list[str]] = defaultdict(list)
    for s in page.sentences:
        if s.section in UNGRADED:
            continue
        by_section[s.section].append(_for_grading(page.view[s.start : s.end]))
    lo, hi = READABILITY_BAND
    out = []
    for section, texts in by_section.items():
        text = " ".join(texts)
        if len(text.split()) < 8:
            continue
        grade = flesch_kincaid_grade(text)
        out.append(SectionReadability(section=section, grade=grade, in_band=lo <= grade <= hi))
    return out


def coherence(page: Page, claims: Sequence[Claim],
              grades: Sequence[SectionReadability]) -> tuple[CheckRow, list[Flag]]:
    problems = []
    flags: list[Flag] = []
    order = [s for s in page.sections() if s in SECTION_ORDER]
    rank = {name: i for i, name in enumerate(SECTION_ORDER)}
    for a, b in zip(order, order[1:], strict=False):
        if rank[b] < rank[a]:
            problems.append(f"section {b} comes after {a}")
            break
    order_text = "sections in the reference order" if not problems else problems[0]
    for text, clash in _contradictions(claims):
        problems.append(f"contradiction between statements, {text}")
        sentence = page.sentence_at(clash.start)
        start, end = (sentence.start, sentence.end) if sentence else (clash.start, clash.end)
        flags.append(Flag("coherence", start, end, f"contradicts an earlier statement: {text}"))
    for text, sentence in _repeats(page) + _repeated_names(page, claims):
        problems.append(text)
        flags.append(Flag("coherence", sentence.start, sentence.end, text))
    lo, hi = READABILITY_BAND
    grade_text = ", ".join(
        f"{g.section} {g.grade:g}" + ("" if g.in_band else (" (above)" if g.grade > hi
                                                              else " (below)"))
        for g in grades
    ) or "no prose"
    readability_text = f"Flesch-Kincaid grade per section (band {lo:g}-{hi:g}): {grade_text}"
    if problems:
        reason = "; ".join(problems) + f"; {readability_text}"
        return CheckRow(answer="no", reason=reason, ok=False), flags
    reason = (f"{order_text}; no contradictions between statements; no repeated sentences; "
              f"{readability_text}")
    return CheckRow(answer="yes" + _readability_remark(grades), reason=reason, ok=True), flags


def _readability_remark(grades: Sequence[SectionReadability]) -> str:
    """"; hard to read: function and pathways above grade 20": a remark in the answer itself,
    not only in its reason (a grade outside the band does not fail the row)."""
    from writer.sections.prose import join

    lo, hi = READABILITY_BAND
    above = [g.section for g in grades if g.grade > hi]
    below = [g.section for g in grades if g.grade < lo]
    remarks = []
    if above:
        remarks.append(f"hard to read: {join(above)} above grade {hi:g}")
    if below:
        remarks.append(f"very plain: {join(below)} below grade {lo:g}")
    return "".join(f"; {r}" for r in remarks)


def facts_verified(total: int, traced: int, contradicted: int) -> CheckRow:
    unverifiable = total - traced - contradicted
    if total == 0:
        return CheckRow(answer="0 of 0 claims traced", reason="the page states no checkable claim",
                        ok=True)
    reason = ("every number, identifier and name matches the fact sheet" if traced == total
              else f"{contradicted} contradicted, {unverifiable} unverifiable")
    return CheckRow(answer=f"{traced} of {total} claims traced", reason=reason,
                    ok=traced == total, score=round(traced / total, 4))


def build(page: Page, claims: Sequence[Claim], traced: int, contradicted: int
          ) -> tuple[ChecksTable, list[Flag]]:
    """The Checks table, and the sentences its rows failed on (each becomes a finding)."""
    grades = readability(page)
    sentiment_row, sentiment_flags = sentiment(page, claims)
    ethics_row, ethics_flags = ethics(page, claims)
    coherence_row, coherence_flags = coherence(page, claims, grades)
    flags = sentiment_flags + ethics_flags + coherence_flags
    table = ChecksTable(
        sentiment=sentiment_row,
        ethical_concerns=ethics_row,
        coherence=coherence_row,
        facts_verified=facts_verified(len(claims), traced, contradicted),
        readability=tuple(grades),
        readability_band=READABILITY_BAND,
    )
    return table, flags
