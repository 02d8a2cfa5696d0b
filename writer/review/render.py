"""Safe HTML for the review page: Markdown with findings highlighted in place, fact sheets,
diffs.

Draft and curator text is untrusted. Markdown is rendered by markdown-it-py with raw HTML
disabled (a ``<script>`` in the text shows as text), unsafe link schemes refused by
markdown-it's own validation, and images shown as links (a page must not load remote
content). Findings carry character offsets into the Markdown source; they are highlighted
by putting private-use marker characters at those offsets before rendering and turning the
markers into ``<mark>`` elements in the rendered text afterwards (markers that end up in a
tag, e.g. in a link target, are dropped; a finding inside a link target highlights the
link's text instead).
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup

from writer.check.models import Finding
from writer.factsheet import Fact, FactSheet

_OPEN = "\ue000"
_CLOSE = "\ue001"
_INDEX_BASE = 0xE100
_MAX_MARKED = 0x0F00  # findings that get a highlight; more are listed only
_MARKER_CHARS = re.compile("[\ue000\ue001][\ue100-\uefff]")
# The same markers once markdown-it has percent-encoded them inside a URL.
_ENCODED_MARKERS = re.compile(
    r"%EE%80%8[01]%EE%(?:8[4-9A-F]|9[0-9A-F]|A[0-9A-F]|B[0-9A-F])%[89AB][0-9A-F]", re.I
)
_TAG_SPLIT = re.compile(r"(<[^>]*>)")
_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(\s+\"[^\"\n]*\")?\)")
_SAFE_URL = re.compile(r"^https?://[^\s<>\"']+$", re.I)


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])

    def image(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        alt = html.escape(self.renderInlineAsText(token.children or [], options, env) or "image")
        label = f"[image: {alt}]"
        if _SAFE_URL.match(src):
            return f'<a href="{html.escape(src)}">{label}</a>'
        return label

    md.add_render_rule("image", image)
    return md


_MD = _markdown()


def safe_url(url: str | None) -> str | None:
    """``url`` when it is plain http(s), else None (never a ``javascript:`` link)."""
    return url if url and _SAFE_URL.match(url) else None


@dataclass(frozen=True)
class Located:
    index: int  # position in the findings list (anchor ``f<index>``)
    finding: Finding
    start: int | None
    end: int | None

    @property
    def highlighted(self) -> bool:
        return self.start is not None


def locate(text: str, findings: Sequence[Finding]) -> list[Located]:
    """Each finding with the range to highlight: its offsets when they are valid, else the
    claim found inside its sentence, else nothing."""
    out = []
    for i, f in enumerate(findings):
        start, end = f.start, f.end
        if not (
            start is not None and end is not None and 0 <= start < end <= len(text)
            and text[start:end].strip()
        ):
            start = end = None
            if f.claim:
                base = text.find(f.sentence) if f.sentence else -1
                pos = (
                    text.find(f.claim, base, base + len(f.sentence)) if base >= 0
                    else (text.find(f.claim) if text.count(f.claim) == 1 else -1)
                )
                if pos >= 0:
                    start, end = pos, pos + len(f.claim)
        if i >= _MAX_MARKED:
            start = end = None
        out.append(Located(i, f, start, end))
    return out


def _front_matter_end(text: str) -> int:
    if not text.startswith("---\n"):
        return 0
    m = re.search(r"^---[ \t]*$\n?", text[4:], re.M)
    return 4 + m.end() if m else 0


def _into_link_text(body: str, start: int, end: int) -> tuple[int, int]:
    """Move a range that touches a link's syntax or target onto the link's text."""
    for m in _LINK.finditer(body):
        if m.start() >= end:
            break
        if m.end() <= start:
            continue
        t0, t1 = m.start(2), m.end(2)
        if t0 <= start and end <= t1:
            return start, end
        if t1 > t0:
            return t0, t1
        return m.start(), m.start()  # an empty link text: nothing to highlight
    return start, end


def _with_markers(text: str, ranges: Sequence[tuple[int, int, int]]) -> str:
    events: list[tuple[int, int, str]] = []
    for index, start, end in ranges:
        if end <= start:
            continue
        code = chr(_INDEX_BASE + index)
        events.append((start, 1, _OPEN + code))
        events.append((end, 0, _CLOSE + code))  # closes sort before opens at one offset
    events.sort(key=lambda e: (e[0], e[1]))
    parts, last = [], 0
    for pos, _, marker in events:
        parts.append(text[last:pos])
        parts.append(marker)
        last = pos
    parts.append(text[last:])
    return "".join(parts)


def _marks_to_html(rendered: str, findings: Sequence[Located]) -> str:
    """Turn marker characters in text nodes into ``<mark>`` elements (split at tags)."""
    by_index = {loc.index: loc for loc in findings}
    active: list[int] = []
    anchored: set[int] = set()
    out: list[str] = []

    def segment(chunk: str) -> None:
        if not chunk:
            return
        if not active or not chunk.strip():
            out.append(chunk)
            return
        ids = ""
        first = [i for i in active if i not in anchored]
        if first:
            ids = f' id="f{first[0]}"'
            anchored.update(first)
            out.extend(f'<span class="anchor" id="f{i}"></span>' for i in first[1:])
        kinds = sorted({by_index[i].finding.status or "finding" for i in active})
        titles = " | ".join(
            f"{by_index[i].finding.kind}: {by_index[i].finding.reason}".strip(": ")
            for i in active
        )
        refs = " ".join(f"f{i}" for i in active)
        out.append(
            f'<mark class="finding {" ".join(html.escape(k) for k in kinds)}"{ids} '
            f'data-findings="{refs}" title="{html.escape(titles)}">{chunk}</mark>'
        )

    for piece in _TAG_SPLIT.split(rendered):
        if piece.startswith("<") and piece.endswith(">"):
            piece = _MARKER_CHARS.sub("", piece)
            out.append(_ENCODED_MARKERS.sub("", piece))
            continue
        buf: list[str] = []
        i = 0
        while i < len(piece):
            ch = piece[i]
            if ch in (_OPEN, _CLOSE) and i + 1 < len(piece):
                segment("".join(buf))
                buf = []
                index = ord(piece[i + 1]) - _INDEX_BASE
                if ch == _OPEN and index not in active:
                    active.append(index)
                elif ch == _CLOSE and index in active:
                    active.remove(index)
                i += 2
                continue
            buf.append(ch)
            i += 1
        segment("".join(buf))
    return "".join(out)


def render_page(text: str, findings: Sequence[Finding]) -> tuple[Markup, list[Located]]:
    """The page as safe HTML with findings highlighted, and where each finding was put."""
    located = locate(text, findings)
    fm_end = _front_matter_end(text)
    front, body = text[:fm_end], text[fm_end:]
    front_ranges, body_ranges = [], []
    final: list[Located] = []
    for loc in located:
        if loc.start is None or loc.end is None:
            final.append(loc)
            continue
        if loc.end <= fm_end:
            front_ranges.append((loc.index, loc.start, loc.end))
            final.append(loc)
        elif loc.start >= fm_end:
            s, e = _into_link_text(body, loc.start - fm_end, loc.end - fm_end)
            if e > s:
                body_ranges.append((loc.index, s, e))
                final.append(loc)
            else:
                final.append(Located(loc.index, loc.finding, None, None))
        else:  # straddles the front matter's end: not highlightable
            final.append(Located(loc.index, loc.finding, None, None))
    parts = []
    if front:
        escaped = html.escape(_with_markers(front, front_ranges), quote=False)
        parts.append(
            '<pre class="front-matter">' + _marks_to_html(escaped, final) + "</pre>"
        )
    rendered = _MD.render(_with_markers(body, body_ranges))
    rendered = rendered.replace("<a href=", '<a rel="noopener noreferrer nofollow" href=')
    parts.append(_marks_to_html(rendered, final))
    # Any stray marker left (e.g. an unmatched one) must not reach the page.
    page = _MARKER_CHARS.sub("", "".join(parts)).replace(_OPEN, "").replace(_CLOSE, "")
    return Markup(page), final


# --- fact sheet --------------------------------------------------------------------------


def _number(value: float | int) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) >= 1e6 else f"{value:g}"


def format_value(fact: Fact) -> str:
    value = fact.value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float) and fact.section == "identity":
        text = str(value)  # an identifier, not a quantity: no thousands separators
    elif isinstance(value, int | float):
        text = _number(value)
    elif isinstance(value, str):
        text = value
    else:
        return f"{len(value)} item{'s' if len(value) != 1 else ''}"
    return f"{text} {fact.unit}" if fact.unit else text


def fact_rows(sheet: FactSheet) -> list[dict[str, Any]]:
    """Rows for the fact sheet panel, grouped by section in sheet order."""
    rows = []
    for key, fact in sheet.facts.items():
        src = sheet.sources.get(fact.source)
        items = []
        if isinstance(fact.value, tuple):
            for item in fact.value:
                items.append({
                    "name": item.name,
                    "id": item.id,
                    "url": safe_url(item.url),
                    "value": (
                        f"{_number(item.value)}{' ' + item.unit if item.unit else ''}"
                        if item.value is not None else None
                    ),
                })
        rows.append({
            "key": key,
            "section": fact.section,
            "label": fact.label,
            "value": format_value(fact),
            "percentile": (
                f"{fact.percentile.value:.2f}th percentile of {fact.percentile.size:,} "
                f"({fact.percentile.population})" if fact.percentile else None
            ),
            "source": f"{src.name} {src.version}" if src else fact.source,
            "source_url": safe_url(src.url) if src else None,
            "links": [
                {"label": link.label, "url": safe_url(link.url)} for link in fact.links
            ],
            "members": items,
            "checks": [{"status": c.status, "text": f"{c.name}: {c.status}s ({c.detail})"}
                       for c in fact.checks],
        })
    return rows


# --- diffs -------------------------------------------------------------------------------


_TOKEN = re.compile(r"\s+|[\w.,%-]+|[^\w\s]")  # "45,691" and "50.11th" are one word


def word_diff(old: str, new: str, context: int = 1) -> list[list[tuple[str, str]]]:
    """The changes from ``old`` to ``new`` word by word, so a changed number stands out.

    Hunks of changed lines with ``context`` unchanged lines around them; each hunk a list of
    (css class, text) segments: "ctx" unchanged, "del" removed words, "add" added words
    (the template escapes the text). A line changed in part shows only its changed words
    marked; [] when the texts are equal."""
    a, b = old.splitlines(), new.splitlines()
    hunks = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        segments: list[tuple[str, str]] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                segments.extend(("ctx", line + "\n") for line in a[i1:i2])
                continue
            old_words = _TOKEN.findall("\n".join(a[i1:i2]) + ("\n" if i2 > i1 else ""))
            new_words = _TOKEN.findall("\n".join(b[j1:j2]) + ("\n" if j2 > j1 else ""))
            words = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
            for wtag, x1, x2, y1, y2 in words.get_opcodes():
                if wtag == "equal":
                    segments.append(("ctx", "".join(old_words[x1:x2])))
                    continue
                if x2 > x1:
                    segments.append(("del", "".join(old_words[x1:x2])))
                if y2 > y1:
                    segments.append(("add", "".join(new_words[y1:y2])))
        hunks.append(_merged(segments))
    return hunks


def _merged(segments: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for cls, text in segments:
        if out and out[-1][0] == cls:
            out[-1] = (cls, out[-1][1] + text)
        elif text:
            out.append((cls, text))
    return out


def word_diff_text(old: str, new: str) -> str:
    """``word_diff`` for a terminal: removed words as ``[-old-]``, added as ``{+new+}``
    (git's --word-diff notation); hunks separated by a line "@@"."""
    marks = {"ctx": "{}", "del": "[-{}-]", "add": "{{+{}+}}"}
    return "@@\n".join("".join(marks[cls].format(text) for cls, text in hunk)
                        for hunk in word_diff(old, new))
