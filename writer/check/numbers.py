"""Numbers as written on a page, and the one transformation allowed: rounding.

A value written with ``d`` decimals matches a fact when rounding the fact to ``d`` decimals
gives it (DESIGN.md, grounding rule 2). Both usual rounding rules (half up, half to even)
and both readings of a binary float (its shortest repr and its exact value, which is what
``format(x, ".2f")`` rounds) are accepted, so a page written by ``f"{x:,.2f}"`` always
matches its fact; anything else is a different number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation

NUMBER_RE = re.compile(
    r"(?<![\w.,\-\u2010\u2011/:'\u2019#])"
    r"(?P<sign>[-\u2212\u2013](?=\d))?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<ord>st|nd|rd|th)?"
    r"(?![\w'\u2019]|[.,]\d)"
)


@dataclass(frozen=True)
class Written:
    """A number as the page writes it."""

    text: str
    value: Decimal
    decimals: int

    @property
    def is_integer_text(self) -> bool:
        return self.decimals == 0


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
    quantum = Decimal(1).scaleb(-written.decimals)
    for exact in _candidates(fact, factor):
        for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN):
            try:
                if exact.quantize(quantum, rounding=mode) == written.value:
                    return True
            except InvalidOperation:
                continue
    return False


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
