"""The Flesch-Kincaid grade of a text, as textstat 0.7.4 computes it.

Kincaid et al. (1975): 0.39 x words per sentence + 11.8 x syllables per word - 15.59, with
syllables from Pyphen's en_US hyphenation dictionary (one more than the hyphenation points of
a word). textstat computed this for the Checks table until its releases began to import
``pkg_resources`` (gone from current setuptools) or to download a dictionary at run time;
this is its arithmetic, rounding included, so the grades are unchanged (a test compares).
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any


@cache
def _pyphen() -> Any:
    from pyphen import Pyphen

    return Pyphen(lang="en_US")


def _round(number: float, points: int = 1) -> float:
    """Half away from zero, to ``points`` decimals (textstat's legacy rounding)."""
    p = 10**points
    return math.floor(number * p + math.copysign(0.5, number)) / p


def _words(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", "", text).split()


def _syllables(text: str) -> int:
    return sum(len(_pyphen().positions(word)) + 1 for word in _words(text.lower()))


def _sentences(text: str) -> int:
    found = re.findall(r"\b[^.!?]+[.!?]*", text)
    short = sum(1 for s in found if len(_words(s)) <= 2)
    return max(1, len(found) - short)


def flesch_kincaid_grade(text: str) -> float:
    words = len(_words(text))
    if words == 0:
        return _round(-15.59)
    per_sentence = _round(words / _sentences(text))
    per_word = _round(_syllables(text) / words)
    return _round(0.39 * per_sentence + 11.8 * per_word - 15.59)
