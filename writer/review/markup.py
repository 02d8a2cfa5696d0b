"""What a curator's text may not bring to a published page.

A draft's paragraphs are cleaned of markup before they reach the queue
(``writer.phrasers.untrusted``); a curator's edit is judged like them, but never changed
behind the curator's back, so it is refused or flagged instead:

- Liquid (``{{ ... }}``, ``{% ... %}``) and kramdown attribute lists (``{: ...}``) are
  *refused*: Jekyll runs them when it builds the site (they can read site variables and
  include files, or put attributes such as event handlers on the page), no gene page
  needs them, and the evaluator cannot judge what they will render to.
- Raw HTML (a tag or a comment outside code) is *refused*: kramdown passes it to readers'
  browsers untouched, and Markdown covers everything a gene page holds. Autolinks
  (``<https://...>``) and a ``<`` in prose ("p < 0.05") are not HTML.
- A front-matter key the draft does not have is *flagged* (a finding, kind
  ``front_matter``): it is inert data to Markdown, but Jekyll and its plugins read it
  (``permalink``, ``published``, ``redirect_from``, ``layout``...) and it can move, hide
  or restyle the page, so accepting it needs ``--override`` and a reason; a curator may
  have one (an ``author`` key).

``writer publish`` applies the same rules again as the last line of defence.
"""

from __future__ import annotations

import re

from writer.check.models import Finding
from writer.errors import UserInputError

_LIQUID = re.compile(r"\{[{%].{0,40}", re.S)
_IAL = re.compile(r"\{:.{0,40}", re.S)
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,}).*?(?:^[ \t]{0,3}\1[ \t]*$|\Z)", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
_HTML = re.compile(r"<!--|<![A-Za-z]|<\?[A-Za-z]|</?[A-Za-z][A-Za-z0-9-]*(?=[\s/>])[^<>]*>")
_KEY = re.compile(r"^([A-Za-z0-9_][A-Za-z0-9_.-]*)[ \t]*:", re.M)
# Keys publish gives a page that has no front matter of its own.
PUBLISH_KEYS = frozenset({"layout", "title", "date"})


class UnsafeMarkup(UserInputError):
    """The text holds Liquid or raw HTML; nothing was saved."""


def front_matter(text: str) -> str | None:
    """The front matter between the opening ``---`` and the next ``---`` line, or None."""
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---", 4)
    return text[4:end] if end >= 0 else None


def _excerpt(match: re.Match[str]) -> str:
    return " ".join(match.group(0).split())[:40]


def unsafe_markup(text: str) -> str | None:
    """Why ``text`` may not be published (Liquid, an attribute list or raw HTML), in one
    line, or None when it holds none."""
    m = _LIQUID.search(text)
    if m:
        return (f"it holds Liquid ({_excerpt(m)!r}), which Jekyll would run when it builds "
                "the site; remove it")
    m = _IAL.search(text)
    if m:
        return (f"it holds a kramdown attribute list ({_excerpt(m)!r}), which would put "
                "attributes on the page; remove it")
    prose = _FENCE.sub(lambda f: " " * len(f.group(0)), text)
    prose = _CODE_SPAN.sub(lambda c: " " * len(c.group(0)), prose)
    m = _HTML.search(prose)
    if m:
        found = text[m.start() : m.end()]
        return (f"it holds raw HTML ({' '.join(found.split())[:40]!r}), which would reach "
                "readers' browsers as it is; write Markdown instead")
    return None


def refuse_unsafe(text: str) -> None:
    """Raise ``UnsafeMarkup`` (one line, exit 2) when ``text`` holds Liquid or raw HTML."""
    why = unsafe_markup(text)
    if why:
        raise UnsafeMarkup(f"the text was not saved: {why}")


def keys(text: str) -> set[str]:
    return set(_KEY.findall(front_matter(text) or ""))


def added_keys(base: str, text: str) -> list[Finding]:
    """A flagged finding for each front-matter key of ``text`` that ``base`` (the draft)
    does not have, located on its line."""
    allowed = keys(base) | PUBLISH_KEYS
    fm = front_matter(text)
    if fm is None:
        return []
    out = []
    for m in _KEY.finditer(fm):
        if m.group(1) in allowed:
            continue
        start = 4 + m.start()
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        out.append(Finding(
            claim=m.group(1), sentence=text[start:end], kind="front_matter", status="flagged",
            start=start, end=end,
            reason=f"a front-matter key the draft does not have: Jekyll reads {m.group(1)!r} "
                   "(it can move, hide or restyle the page); accept with an override and a "
                   "reason if it is meant",
        ))
    return out
