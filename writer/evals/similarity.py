"""How much of a model's accepted paragraph is the template's: copied, lightly edited or
rewritten.

A small model shown the template paragraph as an example often copies it, and a copied
paragraph is grounded by construction: counting it as an accepted model paragraph makes
acceptance measure nothing. ``similarity`` compares the two texts word by word (lower-case
words, link targets left out since the links are the facts' and must stay): difflib's
ratio on the word sequences, 2 * matched words / all words. ``edit`` reads it:

- ``copied``: at least ``COPIED`` (at most about one word in ten changed);
- ``lightly edited``: at least ``LIGHTLY_EDITED``;
- ``rewritten``: below that. The words of the facts themselves (term names, numbers) are
  shared by any faithful paragraph, so a real rewrite rarely falls much lower.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Literal

from writer.check.page import LINK_RE

COPIED = 0.9
LIGHTLY_EDITED = 0.6
Edit = Literal["copied", "lightly edited", "rewritten"]
EDITS: tuple[Edit, ...] = ("copied", "lightly edited", "rewritten")
_WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")


def words(text: str) -> list[str]:
    """The words of ``text``, lower-case, each link reduced to its own words."""
    return _WORD.findall(LINK_RE.sub(lambda m: m.group("text"), text).lower())


def similarity(text: str, template: str) -> float:
    """Share of words the two texts have in common, in order (0..1)."""
    a, b = words(text), words(template)
    if not a and not b:
        return 1.0
    return round(SequenceMatcher(None, a, b, autojunk=False).ratio(), 4)


def edit(ratio: float) -> Edit:
    if ratio >= COPIED:
        return "copied"
    return "lightly edited" if ratio >= LIGHTLY_EDITED else "rewritten"
