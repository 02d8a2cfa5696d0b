"""Coverage: which of a section's facts a text leaves out.

A model paragraph can be fully grounded and still drop facts. ``omitted`` lists, for each
fact a section states (``Section.facts``), whether the text mentions it: a number by its
value under rounding (``1,336``, ``1336``, ``1.3 kb``; a fraction also as a percentage),
a percentile by its value, a range (``2000-2012``) by both its ends, a list by each item's
name or identifier, a string by itself.
Each omission becomes a finding on the draft (kind ``coverage``), never a silent accept.

Links are the facts' provenance: ``unlinked`` lists each link of the template text to a
fact (a GO term's AmiGO page, a pathway, a paper, GTEx, the UniProt entry, ...) that a
text names without it: a coverage finding too, re-asked like an omission.
"""

from __future__ import annotations

import re
from decimal import Decimal

from writer.check.models import Finding
from writer.check.numbers import NUMBER_RE, Written, matches, parse_number
from writer.check.page import LINK_RE
from writer.factsheet import Fact, Item

_URL = re.compile(r"\]\([^)]*\)|https?://\S+")
_SUFFIX = re.compile(r"\s*(kb|mb|%)?", re.IGNORECASE)
_SCALE = {"kb": Decimal("0.001"), "mb": Decimal("0.000001")}
_IDENT = re.compile(r"\b[A-Za-z][A-Za-z_]*\d[\w.-]*\w")
_RANGE = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*[-\u2013]\s*(\d[\d,]*(?:\.\d+)?)")  # 2000-2012


def _plain(text: str) -> str:
    """Text without link targets or URLs (their numbers are not claims)."""
    return _URL.sub("]", text)


def numbers(text: str) -> list[tuple[Written, str]]:
    """Every number written in ``text`` with the suffix after it ("kb", "mb", "%" or "")."""
    plain = _plain(text)
    out = []
    for m in NUMBER_RE.finditer(plain):
        suffix = _SUFFIX.match(plain, m.end())
        out.append((parse_number(m), (suffix.group(1) or "").lower() if suffix else ""))
    return out


def _matches(target: float, written: list[tuple[Written, str]], percent_ok: bool) -> bool:
    """Is ``target`` stated by one of the numbers, under the evaluator's rounding rule?"""
    for w, suffix in written:
        if suffix in _SCALE:
            factors = [_SCALE[suffix]]
        else:
            factors = [Decimal(1)] + ([Decimal(100)] if percent_ok else [])
        if any(matches(w, target, f) for f in factors):
            return True
    return False


def _mentions_item(text: str, item: Item, key: str = "") -> bool:
    low = text.lower()
    names = [item.name]
    if key == "expression.top_tissues":  # GTEx's label or the prose the template writes
        from writer.sections.expression import prose_name

        names.append(prose_name(item.name))
    elif key == "expression.biogps_tissues":  # the GNF1H column or its prose
        from writer.sections.expression import biogps_name

        names.append(biogps_name(item.name))
    return any(n.lower() in low for n in names) or bool(item.id and item.id.lower() in low)


def mentioned(text: str, fact: Fact) -> bool:
    if isinstance(fact.value, tuple):
        return all(_mentions_item(text, i, fact.key) for i in fact.value)
    if isinstance(fact.value, (int, float)) and not isinstance(fact.value, bool):
        return _matches(float(fact.value), numbers(text), fact.key.endswith("_fraction"))
    value = str(fact.value)
    try:
        return _matches(float(value.replace(",", "")), numbers(text), False)
    except ValueError:
        pass
    span = _RANGE.fullmatch(value.strip())
    if span is not None:  # "2000-2012": both ends written as they are ("between 2000 and
        # 2012"; not under rounding, which would let "2000" stand for 2012)
        values = {w.value for w, _ in numbers(text)}
        return all(Decimal(end.replace(",", "")) in values for end in span.groups())
    low = text.lower()
    if value.lower() in low:
        return True
    # A descriptive value ("MT1G-201 (MANE Select ENST00000379811.4 / ...)") is mentioned
    # when one of its identifiers is.
    return any(token.lower() in low for token in _IDENT.findall(value))


def omitted(section: str, text: str, facts: dict[str, Fact]) -> list[Finding]:
    """Coverage findings: one per fact (or list item, or percentile) the text leaves out."""
    findings: list[Finding] = []
    written = numbers(text)
    for key, fact in facts.items():
        missing: list[str] = []
        if isinstance(fact.value, tuple):
            missing = [i.name for i in fact.value if not _mentions_item(text, i, key)]
        elif not mentioned(text, fact):
            missing = [str(fact.value)]
        for what in missing:
            findings.append(Finding(
                claim=what, kind="coverage", status="omitted", section=section, key=key,
                reason=f"the text leaves out {fact.label.lower()}: {what}",
            ))
        if fact.percentile and not _matches(fact.percentile.value, written, False):
            findings.append(Finding(
                claim=f"{fact.percentile.value:.2f}", kind="coverage", status="omitted",
                section=section, key=key,
                reason=f"the text leaves out the percentile of {fact.label.lower()} "
                       f"({fact.percentile.value:.2f})",
            ))
    return findings


# --- links: the facts' provenance ------------------------------------------------------------
def link_urls(text: str) -> set[str]:
    """The targets of the Markdown links in ``text``."""
    return {m.group("url").strip("<>") for m in LINK_RE.finditer(text)}


def _owners(facts: dict[str, Fact]) -> dict[str, tuple[str, Fact, Item | None]]:
    """Each URL of a fact or list item: (key, fact, item)."""
    owners: dict[str, tuple[str, Fact, Item | None]] = {}
    for key, fact in facts.items():
        for link in fact.links:
            owners.setdefault(link.url, (key, fact, None))
        if isinstance(fact.value, tuple):
            for item in fact.value:
                if item.url:
                    owners[item.url] = (key, fact, item)
    return owners


def template_links(template_text: str, facts: dict[str, Fact]) -> list[tuple[str, str]]:
    """(anchor, url) of each link the template text makes to a fact or item, once per url."""
    owners = _owners(facts)
    out: dict[str, str] = {}
    for m in LINK_RE.finditer(template_text):
        url = m.group("url").strip("<>")
        if url in owners and url not in out and not m.group(0).startswith("!"):
            out[url] = m.group("text")
    return [(anchor, url) for url, anchor in out.items()]


def bare_name(text: str, anchor: str) -> re.Match[str] | None:
    """The first place ``text`` writes ``anchor`` as words of its own, outside any link."""
    taken = [(m.start(), m.end()) for m in LINK_RE.finditer(text)]
    pattern = r"(?<!\w)" + re.escape(anchor) + r"(?!\w)"
    for m in re.finditer(pattern, text, re.IGNORECASE):
        if not any(a < m.end() and m.start() < b for a, b in taken):
            return m
    return None


def unlinked(section: str, text: str, template_text: str, facts: dict[str, Fact]
             ) -> list[Finding]:
    """Coverage findings: one per link of the template text to a fact that ``text`` names
    (by the link's words, or the fact's value or item) without linking it."""
    owners = _owners(facts)
    have = link_urls(text)
    findings = []
    for anchor, url in template_links(template_text, facts):
        if url in have:
            continue
        key, fact, item = owners[url]
        named = bare_name(text, anchor) is not None or (
            _mentions_item(text, item) if item is not None
            else any(_mentions_item(text, i) for i in fact.value)
            if isinstance(fact.value, tuple) else mentioned(text, fact))
        if named:
            findings.append(Finding(
                claim=anchor, kind="coverage", status="omitted", section=section, key=key,
                reason=f"the link of {anchor}, the source a reader checks it in: "
                       f"write it as [{anchor}]({url})",
            ))
    return findings
