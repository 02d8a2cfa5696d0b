"""Numbers as written on a page, and the one transformation allowed: rounding.

``matches(written, fact)`` is the grounding rule (DESIGN.md, rule 2), used by the evaluator,
the coverage check and the eval suite alike:

- A value written with ``d`` decimals matches a fact when rounding the fact to ``d``
  decimals gives it. Both usual rounding rules (half up, half to even) and both readings of
  a binary float (its shortest repr and its exact value, which is what ``format(x, ".2f")``
  rounds) are accepted, so a page written by ``f"{x:,.2f}"`` always matches its fact.
- A whole number with two or more trailing zeros ("2,900", "46,000") is written to fewer
  significant figures: it matches a fact that rounds to it at that precision. One trailing
  zero is full precision ("750" is not 753). A larger unit ("46 kb", "48.8 kDa") is a
  factor on the fact, then the same rule.
- A hedge ("about", "roughly", "approximately", "around", "some", "~") makes every trailing
  zero insignificant: "about 750" matches 753.
- A bound is a claim about a range: "over 4,000" / "more than" (fact > n), "at least"
  (fact >= n), "fewer than" / "under" / "below" (fact < n), "at most" / "up to"
  (fact <= n), "nearly" / "almost" (0.9 n <= fact <= n), "just over" (n < fact <= 1.1 n).
- Number words ("four", "one hundred and ninety-eight", "a dozen") are numbers; fraction
  words ("a tenth", "a third", "half") are approximate: within 0.05 of the fraction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

NUMBER_RE = re.compile(
    r"(?<![\w.,\-\u2010\u2011/:'\u2019#])"
    r"(?P<sign>[-\u2212\u2013](?=\d))?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<ord>st|nd|rd|th)?"
    r"(?![\w'\u2019]|[.,]\d)"
)


Qualifier = Literal["about", "over", "at_least", "under", "at_most", "nearly", "just_over",
                    "fraction"]


@dataclass(frozen=True)
class Written:
    """A number as the page writes it, with the quantifier before it (if any)."""

    text: str
    value: Decimal
    decimals: int
    qualifier: Qualifier | None = None
    words: bool = False  # written in words ("four", "a third")

    @property
    def is_integer_text(self) -> bool:
        return self.decimals == 0

    def qualified(self, qualifier: Qualifier | None) -> Written:
        if qualifier is None or self.qualifier == "fraction":
            return self
        return replace(self, qualifier=qualifier)

    def describe(self) -> str:
        """How the page bounds the value: "over 4,000", "about 750", "4,000"."""
        return f"{QUALIFIER_WORDS.get(self.qualifier or '', '')}{self.text}"


QUALIFIER_WORDS: dict[str, str] = {
    "about": "about ", "over": "over ", "at_least": "at least ", "under": "under ",
    "at_most": "at most ", "nearly": "nearly ", "just_over": "just over ",
}
# The quantifier right before a number (the view text before it ends with it).
QUALIFIER_BEFORE: tuple[tuple[re.Pattern[str], Qualifier], ...] = tuple(
    (re.compile(pattern + r"\s*$", re.I), qualifier)
    for pattern, qualifier in (
        (r"\bjust (?:over|above|more than)", "just_over"),
        (r"\b(?:nearly|almost|close to|just (?:under|below|shy of))", "nearly"),
        (r"\b(?:at least|no (?:fewer|less) than|a minimum of)", "at_least"),
        (r"\b(?:at most|up to|no more than|a maximum of)", "at_most"),
        (r"\b(?:over|more than|above|exceeding|greater than|upwards of|in excess of)", "over"),
        (r"\b(?:under|fewer than|less than|below|lower than)", "under"),
        (r"(?:\b(?:about|around|roughly|approximately|approx\.|circa|some|an estimated|"
         r"on the order of)|~|\u2248|\bca\.)", "about"),
    )
)


def qualifier_before(text: str) -> tuple[Qualifier | None, int]:
    """The quantifier that ``text`` (what precedes a number) ends with, and its length."""
    for pattern, qualifier in QUALIFIER_BEFORE:
        m = pattern.search(text)
        if m:
            return qualifier, len(text) - m.start()
    return None, 0


# --- numbers in words ----------------------------------------------------------------------------
_UNITS_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "a single": 1, "single": 1, "a dozen": 12, "dozen": 12, "a couple of": 2,
}
_TENS_WORDS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_SCALE_WORDS = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
FRACTION_WORDS = {
    "a tenth": Decimal("0.1"), "one tenth": Decimal("0.1"), "a fifth": Decimal("0.2"),
    "one fifth": Decimal("0.2"), "a quarter": Decimal("0.25"), "one quarter": Decimal("0.25"),
    "a third": Decimal("0.3333"), "one third": Decimal("0.3333"), "half": Decimal("0.5"),
    "one half": Decimal("0.5"), "two thirds": Decimal("0.6667"),
    "two-thirds": Decimal("0.6667"), "three quarters": Decimal("0.75"),
    "three-quarters": Decimal("0.75"),
}
_SMALL = "|".join(sorted((re.escape(w) for w in _UNITS_WORDS), key=len, reverse=True))
_TENS = "|".join(_TENS_WORDS)
_BELOW_100 = rf"(?:(?:{_TENS})(?:[- ](?:{_SMALL}))?|{_SMALL})"
_BELOW_1000 = rf"(?:{_BELOW_100}\s+hundred(?:\s+(?:and\s+)?{_BELOW_100})?|{_BELOW_100})"
NUMBER_WORDS_RE = re.compile(
    rf"(?<![\w-])(?:{_BELOW_1000}(?:\s+(?:thousand|million)(?:,?\s+(?:and\s+)?{_BELOW_1000})?)?)"
    rf"(?![\w-])",
    re.I,
)
FRACTION_WORDS_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in sorted(FRACTION_WORDS, key=len,
                                                               reverse=True)) + r")(?![\w-])",
    re.I,
)


def words_value(text: str) -> int | None:
    """``"one hundred and ninety-eight"`` -> 198; None when the words are not a number."""
    tokens = re.findall(r"a single|a dozen|a couple of|[a-z]+", text.lower().replace("-", " "))
    total, current, seen = 0, 0, False
    for tok in tokens:
        if tok == "and":
            continue
        if tok in _UNITS_WORDS:
            current += _UNITS_WORDS[tok]
        elif tok in _TENS_WORDS:
            current += _TENS_WORDS[tok]
        elif tok == "hundred":
            current = max(current, 1) * 100
        elif tok in _SCALE_WORDS:
            total += max(current, 1) * _SCALE_WORDS[tok]
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def words_in(view: str, start: int, end: int) -> list[tuple[int, int, Written]]:
    """Numbers and fractions written in words in ``view[start:end]``."""
    out: list[tuple[int, int, Written]] = []
    for m in FRACTION_WORDS_RE.finditer(view, start, end):
        value = FRACTION_WORDS[m.group(0).lower()]
        out.append((m.start(), m.end(), Written(m.group(0), value, 4, "fraction", True)))
    for m in NUMBER_WORDS_RE.finditer(view, start, end):
        if any(a <= m.start() < b for a, b, _ in out):
            continue
        value = words_value(m.group(0))
        if value is not None:
            out.append((m.start(), m.end(), Written(m.group(0), Decimal(value), 0, None, True)))
    return sorted(out, key=lambda x: x[0])


def parse_number(match: re.Match[str]) -> Written:
    raw = match.group("num")
    digits = raw.replace(",", "")
    value = Decimal(digits)
    if match.group("sign"):
        value = -value
    decimals = len(digits.split(".", 1)[1]) if "." in digits else 0
    return Written(match.group(0), value, decimals)


def written_from_text(text: str) -> Written | None:
    m = NUMBER_RE.fullmatch(text.strip())
    return parse_number(m) if m else None


def _candidates(fact: float | int | str | Decimal, factor: Decimal) -> list[Decimal]:
    if isinstance(fact, str):
        try:
            fact = Decimal(fact.replace(",", ""))
        except InvalidOperation:
            return []
    if isinstance(fact, Decimal):
        return [fact * factor]
    if isinstance(fact, int) and factor == 1:
        return [Decimal(fact)]
    out = [Decimal(repr(fact)) * factor, Decimal(fact) * factor]
    if factor != 1:  # the float a writer gets from x * 100 or x / 1000, rounded by format()
        scaled = [fact * float(factor)]
        if factor < 1:
            scaled.append(fact / float(1 / factor))
        for x in scaled:
            out += [Decimal(repr(x)), Decimal(x)]
    return out


def rounds_to(written: Written, fact: float | int | str | Decimal, factor: Decimal = Decimal(1)
              ) -> bool:
    """True when ``fact * factor`` rounded to the written decimals is the written value."""
    return _rounds_at(written, fact, factor, Decimal(1).scaleb(-written.decimals))


def significant_quantum(written: Written) -> Decimal:
    """The precision a number is written to: its last decimal, or, for a whole number with
    two or more trailing zeros (any trailing zero after a hedge), its last nonzero digit."""
    if written.decimals or written.value == 0:
        return Decimal(1).scaleb(-written.decimals)
    digits = str(abs(int(written.value)))
    zeros = len(digits) - len(digits.rstrip("0"))
    if zeros >= 2 or (zeros >= 1 and written.qualifier == "about"):
        return Decimal(1).scaleb(zeros)
    return Decimal(1)


def _rounds_at(written: Written, fact: float | int | str | Decimal, factor: Decimal,
               quantum: Decimal) -> bool:
    """True when ``fact * factor`` rounded to ``quantum`` is the written value."""
    for exact in _candidates(fact, factor):
        for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN):
            try:
                if exact.quantize(quantum, rounding=mode) == written.value:
                    return True
            except InvalidOperation:
                continue
    return False


def _exact(fact: float | int | str | Decimal, factor: Decimal) -> Decimal | None:
    values = _candidates(fact, factor)
    return values[0] if values else None


def matches(written: Written, fact: float | int | str | Decimal,
            factor: Decimal = Decimal(1)) -> bool:
    """The grounding rule: does ``fact * factor`` fit the number as the page writes it?"""
    q = written.qualifier
    if q is None or q == "about":
        if rounds_to(written, fact, factor):
            return True
        quantum = significant_quantum(written)
        return quantum > 1 and _rounds_at(written, fact, factor, quantum)
    value = _exact(fact, factor)
    if value is None:
        return False
    n = written.value
    if q == "fraction":
        return abs(value - n) <= Decimal("0.05")
    return {
        "over": value > n,
        "at_least": value >= n,
        "under": value < n,
        "at_most": value <= n,
        "nearly": n * Decimal("0.9") <= value <= n,
        "just_over": n < value <= n * Decimal("1.1"),
    }[q]


def show(value: float | int | str | Decimal, unit: str | None = None) -> str:
    """A fact's value for a reason: thousands separators, no float noise."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        text = f"{int(value):,}"
    else:
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        whole, _, frac = f"{d:f}".partition(".")
        text = f"{int(whole):,}" if whole not in ("-0",) else "-0"
        if whole.startswith("-") and text[0] != "-":
            text = "-" + text
        if frac:
            text += "." + frac
    return f"{text} {unit}" if unit else text
