"""Small pieces of prose shared by the section templates: numbers, lists, plurals, links.

Numbers are written the way the reference pages write them, and only by rounding the
fact's value (DESIGN.md grounding rule 2): thousands separators, a fixed number of
decimals per quantity, percentiles with two decimals and an ordinal suffix
("69.82nd percentile").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from writer.factsheet import Fact, Item, Percentile


def number(value: float | int | str, decimals: int | None = None) -> str:
    """``1336 -> "1,336"``, ``(0.27612, 3) -> "0.276"``, ``(6141.381, 2) -> "6,141.38"``.

    ``decimals=None`` writes integers (and integral floats) without decimals and other
    floats with up to two decimals, trailing zeros dropped.
    """
    if isinstance(value, str):
        try:
            value = float(value.replace(",", ""))
        except ValueError:
            return value
    if decimals is not None:
        text = f"{value:,.{decimals}f}"
    elif isinstance(value, int) or float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # no "-0.00"
    return text


def ordinal_suffix(text: str) -> str:
    """The suffix a written number takes as an ordinal: the one formatter for ordinals.

    The last group of digits (the decimals when there are any) decides, by English rules:
    1, 2 and 3 take "st", "nd" and "rd", except 11, 12 and 13, which take "th" like every
    other ending ("21st", "112th", "69.82nd", "50.11th", "26.13th", "0.01st").
    """
    digits = text.replace(",", "").strip()
    last_group = re.split(r"[.\s]", digits)[-1].lstrip("+-") or "0"
    n = int(last_group) if last_group.isdigit() else 0
    if n % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def ordinal(text: str) -> str:
    """``"50.11" -> "50.11th"``, ``"3" -> "3rd"``: a written number with its ordinal suffix."""
    return f"{text}{ordinal_suffix(text)}"


def percentile(p: Percentile | float) -> str:
    """``69.8213 -> "69.82nd percentile"``."""
    value = p.value if isinstance(p, Percentile) else p
    return f"{ordinal(number(value, 2))} percentile"


def join(items: Sequence[str], conjunction: str = "and") -> str:
    """``["a"] -> "a"``, ``["a", "b"] -> "a and b"``, three or more with a serial comma."""
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} {conjunction} {items[1]}"
    return f"{', '.join(items[:-1])}, {conjunction} {items[-1]}"


def plural(n: int | float, singular: str, plural_form: str | None = None) -> str:
    """``(1, "publication") -> "1 publication"``, ``(48, ...) -> "48 publications"``."""
    word = singular if n == 1 else (plural_form or singular + "s")
    return f"{number(n)} {word}"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def escape(text: str) -> str:
    """Text from a database made inert in Markdown: no emphasis, links, tables or HTML."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def safe_url(url: str) -> str | None:
    """An http(s) URL fit for a Markdown link target, or None."""
    url = url.strip()
    if not re.match(r"^https?://[^\s<>\"]+$", url, re.IGNORECASE):
        return None
    return quote(url, safe=":/?#@!$&'*+,;=%-._~").replace("(", "%28").replace(")", "%29")


def link(text: str, url: str | None) -> str:
    """``[text](url)`` with the text escaped; the bare escaped text when the URL is unusable."""
    target = safe_url(url) if url else None
    label = escape(text)
    return f"[{label}]({target})" if target else label


def item_link(item: Item) -> str:
    return link(item.name, item.url)


def fact_url(fact: Fact) -> str | None:
    return fact.links[0].url if fact.links else None


def int_value(fact: Fact | None) -> int | None:
    if fact is None or isinstance(fact.value, tuple):
        return None
    try:
        return int(float(str(fact.value).replace(",", "")))
    except ValueError:
        return None


def float_value(fact: Fact | None) -> float | None:
    if fact is None or isinstance(fact.value, tuple):
        return None
    try:
        return float(str(fact.value).replace(",", ""))
    except ValueError:
        return None


def sentence(text: str) -> str:
    """Capitalise the first letter and end with one full stop."""
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def paragraph(sentences: Iterable[str]) -> str:
    return " ".join(s for s in (sentence(x) for x in sentences) if s)


def population_noun(description: str) -> str:
    """A population's description without versions and build notes, for a sentence.

    ``"genes of every biotype in Ensembl 110 (ideogram 1.53.0 gene cache) mapped to an NCBI
    Gene ID"`` -> ``"genes of every biotype in Ensembl mapped to an NCBI Gene ID"``. The size
    is a fact and is written separately; release numbers belong to the source, not the
    sentence (the fact sheet keeps the full description).
    """
    text = re.sub(r"\s*\([^()]*\)", "", description)
    words = []
    for w in text.split():
        if re.search(r"\d", w):
            if w[-1] in ",;" and words:  # keep the punctuation that followed the version
                words[-1] += w[-1]
            continue
        words.append(w)
    text = " ".join(words)
    return text.strip(" ,;")


def populations_sentence(subject: str, facts: Sequence[Fact], label: dict[str, str]) -> str:
    """"Percentiles rank the gene among 30,884 genes ..., and the X among 19,390 ...".

    Facts are grouped by population; the largest group is stated for ``subject``, the others
    for the facts they hold (``label`` maps a fact key to its short name).
    """
    groups: dict[tuple[str, int], list[Fact]] = {}
    for f in facts:
        if f.percentile:
            groups.setdefault((f.percentile.population, f.percentile.size), []).append(f)
    if not groups:
        return ""
    ordered = sorted(groups.items(), key=lambda kv: -len(kv[1]))
    (main_desc, main_size), _ = ordered[0]
    main_noun = population_noun(main_desc)
    text = f"percentiles rank the {subject} among {number(main_size)} {main_noun}"
    others = []
    for (desc, size), group in ordered[1:]:
        names = join([label.get(f.key, f.label.lower()) for f in group])
        noun = population_noun(desc)
        head = re.search(r"\b(genes|proteins|sequences|transcripts)\b", noun)
        if noun == main_noun and head:  # said once: "... among 17,599 such proteins"
            noun = f"such {head.group(1)}"
        # "among N <noun>": read as a population, not as a value of the quantity named.
        others.append(f"the {names} among {number(size)} {noun}")
    if others:
        text += ", and " + join(others)
    return text
