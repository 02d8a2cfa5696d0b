"""A Markdown page cut into what the claim extractor reads: front matter, tables, paragraphs,
links and sentences, each with character offsets into the original text.

``Page.view`` is the text with Markdown syntax blanked out (link brackets and targets,
table pipes, heading marks, escapes, emphasis, front matter, code): it has the same length
as the text, so an offset found in the view is an offset in the page. Link targets are
kept apart (``Link.url``): a number inside a URL is never read as a claim, only the
identifiers that the URL patterns of known databases carry.

Each block gets a page section (``SECTION_ORDER``) from its heading or, as in the reference
pages, which have no headings, from what it talks about: the catalogue's heading patterns
and prose markers (``writer/catalog.toml``), tried in its order.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from writer import catalog

# The largest page any command or the web page checks: pages are about 10 kB, and the
# evaluator's time grows with the text, so a bigger one is refused before it is read.
MAX_PAGE_BYTES = 200_000


def too_large(size: int) -> str | None:
    """Why a text of ``size`` bytes (UTF-8) is refused, or None."""
    if size <= MAX_PAGE_BYTES:
        return None
    return (f"{size:,} bytes is too large for a page (at most {MAX_PAGE_BYTES:,}; "
            "gene pages are about 10 kB)")


# Page sections in the reference pages' order (the catalogue's), after the front matter.
SECTION_ORDER: tuple[str, ...] = ("front_matter", *catalog.SECTION_ORDER)

# How a finding names a section that only online sources provide: "protein atlas (Human
# Protein Atlas)".
SECTION_TITLES: dict[str, str] = {
    s.name: f"{s.title} ({s.needs})" for s in catalog.sections()
    if s.kind == "prose" and not s.has_offline_source
}

# (section, pattern over the block's lower-cased text and link targets); first match wins.
_SECTION_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (s.name, s.markers) for s in catalog.marker_order() if s.markers is not None
)
# (section, pattern over a lower-cased heading); first match wins.
_HEADING_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (s.name, s.heading) for s in catalog.heading_order() if s.heading is not None
)

_ABBREVIATIONS = frozenset({
    "e.g", "i.e", "al", "vs", "approx", "fig", "no", "ca", "cf", "etc", "resp", "dr", "st",
})

LINK_RE = re.compile(
    r"!?\[(?P<text>(?:\\.|[^\[\]\\]|\[(?:\\.|[^\[\]\\])*\])*)\]"
    r"\((?P<url><[^>\n]*>|(?:[^()\s]|\((?:[^()\s])*\))*)(?:\s+\"[^\"\n]*\")?\)"
)
BARE_URL_RE = re.compile(r"<?https?://[^\s<>()\]]+>?")
_SENTENCE_END = re.compile(r"[.!?](?=[\"'\u201d\u2019)\]]*(?:\s+|$))")
_STARTER = re.compile(r"[\"'\u201c\u2018(\[]*[A-Z0-9\u0391-\u03a9]")


@dataclass(frozen=True)
class Link:
    start: int
    end: int
    text_start: int
    text_end: int
    url_start: int
    url_end: int
    text: str
    url: str


@dataclass(frozen=True)
class Cell:
    start: int
    end: int
    text: str


@dataclass
class Sentence:
    start: int
    end: int
    section: str
    block: int


@dataclass
class Block:
    kind: str  # "front_matter", "table", "heading", "paragraph", "code"
    start: int
    end: int
    section: str = "other"
    links: list[Link] = field(default_factory=list)
    header: list[Cell] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class Page:
    text: str
    view: str
    blocks: list[Block]
    links: list[Link]
    front_matter: dict[str, Cell]
    sentences: list[Sentence]
    _sentence_starts: list[int] = field(default_factory=list, repr=False)
    _block_starts: list[int] = field(default_factory=list, repr=False)

    def sentence_at(self, pos: int) -> Sentence | None:
        i = bisect_right(self._sentence_starts, pos) - 1
        if i >= 0 and pos < self.sentences[i].end:
            return self.sentences[i]
        return None

    def section_at(self, pos: int) -> str:
        i = bisect_right(self._block_starts, pos) - 1
        if i >= 0 and pos < self.blocks[i].end:
            return self.blocks[i].section
        return "other"

    def sections(self) -> list[str]:
        """Sections in the order the page has them (consecutive repeats merged)."""
        out: list[str] = []
        for block in self.blocks:
            if block.kind in ("heading", "code") or block.section == "other":
                continue
            if not out or out[-1] != block.section:
                out.append(block.section)
        return out


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = " "


def _front_matter(text: str, chars: list[str]) -> tuple[dict[str, Cell], int]:
    if not text.startswith("---"):
        return {}, 0
    first_nl = text.find("\n")
    if first_nl < 0 or text[:first_nl].strip() != "---":
        return {}, 0
    fields: dict[str, Cell] = {}
    pos = first_nl + 1
    while pos < len(text):
        nl = text.find("\n", pos)
        line_end = len(text) if nl < 0 else nl
        line = text[pos:line_end]
        if line.strip() in ("---", "..."):
            end = line_end
            _blank(chars, 0, end)
            return fields, end
        m = re.match(r"\s*([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$", line)
        if m:
            vstart = pos + m.start(2)
            fields[m.group(1).lower()] = Cell(vstart, vstart + len(m.group(2)), m.group(2))
        pos = line_end + 1
    return {}, 0  # no closing line: not front matter


def _table_cells(text: str, start: int, end: int) -> list[Cell]:
    cells = []
    line = text[start:end]
    # split on unescaped pipes
    bounds = [i for i, ch in enumerate(line) if ch == "|" and (i == 0 or line[i - 1] != "\\")]
    if not bounds:
        return [Cell(start, end, line.strip())]
    if bounds[0] != 0 and line[: bounds[0]].strip():
        bounds.insert(0, -1)
    for a, b in zip(bounds, bounds[1:], strict=False):
        raw = line[a + 1 : b]
        lead = len(raw) - len(raw.lstrip())
        content = raw.strip()
        cells.append(Cell(start + a + 1 + lead, start + a + 1 + lead + len(content), content))
    tail = line[bounds[-1] + 1 :]
    if tail.strip():
        lead = len(tail) - len(tail.lstrip())
        s = start + bounds[-1] + 1 + lead
        cells.append(Cell(s, s + len(tail.strip()), tail.strip()))
    return cells


def _classify(text_lower: str, urls: str) -> str | None:
    hay = text_lower + " " + urls
    for name, pattern in _SECTION_RULES:
        if pattern.search(hay):
            return name
    return None


def _heading_section(title: str) -> str | None:
    t = title.lower()
    for name, pattern in _HEADING_RULES:
        if pattern.search(t):
            return name
    return None


def _split_sentences(text: str, view: str, block: Block, links: list[Link]) -> list[Sentence]:
    """Sentences of a paragraph block; link texts never end a sentence."""
    start, end = block.start, block.end
    chars = list(view[start:end])
    for link in links:
        for i in range(link.text_start, link.text_end):
            if chars[i - start] not in " \n":
                chars[i - start] = "X"
    split_view = "".join(chars)
    out: list[Sentence] = []
    s_start = 0
    for m in _SENTENCE_END.finditer(split_view):
        stop = m.end()
        rest = split_view[stop:]
        stripped = rest.lstrip(" \n\"'\u201d\u2019)]")
        # closing quotes/brackets belong to the sentence
        while stop < len(split_view) and split_view[stop] in "\"'\u201d\u2019)]":
            stop += 1
        if stripped and not _STARTER.match(rest.lstrip()):
            continue
        word = re.search(r"([A-Za-z.]+)$", split_view[s_start : m.start()])
        if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
            continue
        out.append(Sentence(start + s_start, start + stop, block.section, 0))
        s_start = stop
    if split_view[s_start:].strip():
        out.append(Sentence(start + s_start, end, block.section, 0))
    result = []
    for s in out:
        seg = text[s.start : s.end]
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg) - len(seg.rstrip())
        if seg.strip():
            result.append(Sentence(s.start + lead, s.end - trail, s.section, s.block))
    return result


def _in_spans(spans: list[tuple[int, int]], pos: int) -> bool:
    """Whether ``pos`` lies in one of ``spans``: ordered, non-overlapping (start, end) pairs."""
    i = bisect_right(spans, (pos, float("inf"))) - 1
    return i >= 0 and pos < spans[i][1]


def parse(text: str, names: tuple[str, ...] = ()) -> Page:
    """Cut ``text`` into blocks and sentences. ``names`` (lower case) are the gene's own names:
    they never decide which section a paragraph belongs to."""
    chars = list(text)
    front, body_start = _front_matter(text, chars)

    # fenced code and HTML comments are not page prose
    skip: list[tuple[int, int]] = []
    for m in re.finditer(r"(?ms)^```.*?^```[^\n]*$|<!--.*?-->", text[body_start:]):
        skip.append((body_start + m.start(), body_start + m.end()))
        _blank(chars, body_start + m.start(), body_start + m.end())

    def skipped(pos: int) -> bool:
        return _in_spans(skip, pos)

    links: list[Link] = []
    for m in LINK_RE.finditer(text, body_start):
        if skipped(m.start()):
            continue
        url = m.group("url").strip("<>")
        links.append(Link(m.start(), m.end(), m.start("text"), m.end("text"),
                          m.start("url"), m.end("url"), m.group("text"), url))
        _blank(chars, m.start(), m.start("text"))
        _blank(chars, m.end("text"), m.end())
    linked = [(lk.start, lk.end) for lk in links]
    for m in BARE_URL_RE.finditer(text, body_start):
        if skipped(m.start()) or _in_spans(linked, m.start()):
            continue
        url = m.group(0).strip("<>").rstrip(".,;:")
        end = m.start() + len(m.group(0).rstrip(".,;:"))
        links.append(Link(m.start(), end, m.start(), m.start(), m.start(), end, "", url))
        _blank(chars, m.start(), end)
    links.sort(key=lambda lk: lk.start)

    # Markdown punctuation that is not text: escapes, emphasis, inline code marks
    for m in re.finditer(r"\\(?=[\\`*_{}\[\]()#+\-.!|<>])|\*+|`+", text[body_start:]):
        at = body_start + m.start()
        if text.startswith("\\_", at) and at > 0 and text[at - 1].isalnum():
            chars[at] = "_"  # "RPL5\_17\_1422" reads as one word, "RPL5__17__1422"
            continue
        _blank(chars, at, body_start + m.end())

    blocks: list[Block] = []
    if body_start:
        blocks.append(Block("front_matter", 0, body_start, "front_matter"))

    # lines -> blocks
    pos = body_start
    n = len(text)
    current: Block | None = None
    heading_section: str | None = None
    line_starts = []
    while pos <= n:
        nl = text.find("\n", pos)
        line_end = n if nl < 0 else nl
        line_starts.append((pos, line_end))
        if nl < 0:
            break
        pos = nl + 1

    def close() -> None:
        nonlocal current
        if current is not None:
            blocks.append(current)
            current = None

    for ls, le in line_starts:
        line = text[ls:le]
        stripped = line.strip()
        if not stripped or skipped(ls) or not "".join(chars[ls:le]).strip():
            close()
            continue
        if stripped.startswith("|"):
            if current is None or current.kind != "table":
                close()
                current = Block("table", ls, le)
            current.end = le
            cells = _table_cells(text, ls, le)
            if all(re.fullmatch(r":?-{2,}:?", c.text) for c in cells if c.text):
                pass  # alignment row
            elif not current.header:
                current.header = cells
            else:
                current.rows.append(cells)
            for i in range(ls, le):  # keep cell text in the view, blank the pipes
                if text[i] == "|" and (i == ls or text[i - 1] != "\\"):
                    chars[i] = " "
            continue
        hm = re.match(r"(#{1,6})\s+(.*)$", stripped)
        if hm:
            close()
            lead = len(line) - len(line.lstrip())
            _blank(chars, ls + lead, ls + lead + len(hm.group(1)))
            block = Block("heading", ls, le)
            heading_section = _heading_section(hm.group(2)) or heading_section
            block.section = heading_section or "other"
            blocks.append(block)
            continue
        lm = re.match(r"\s*(?:[-*+]|\d{1,3}[.)])\s+", line)
        if lm:
            _blank(chars, ls, ls + lm.end())
        if current is None or current.kind != "paragraph":
            close()
            current = Block("paragraph", ls, le)
            current.section = heading_section or "other"
        current.end = le
    close()

    view = "".join(chars)
    sentences: list[Sentence] = []
    link_starts = [lk.start for lk in links]
    for bi, block in enumerate(blocks):
        lo = bisect_right(link_starts, block.start - 1)
        hi = bisect_right(link_starts, block.end)
        block.links = [lk for lk in links[lo:hi] if lk.end <= block.end]
        if block.kind == "table":
            head = " ".join(c.text for c in block.header).lower()
            if "check" in head:
                block.section = "checks"
            elif re.search(r"ncbi|symbol|ensembl|chromosome", head):
                block.section = "identity"
            else:
                block.section = heading_section or "other"
        elif block.kind == "paragraph":
            # what the block says, not the names it links to ("Transcription factor regulation
            # in adipogenesis" is a pathway, not the transcription factors section)
            words = list(view[block.start : block.end])
            for lk in block.links:
                for i in range(lk.text_start - block.start, lk.text_end - block.start):
                    words[i] = " "
            said = "".join(words).lower()
            for name in names:  # the gene's own names ("MYC proto-oncogene, bHLH transcription
                said = said.replace(name, " " * len(name))  # factor") mark no section
            found = _classify(said, " ".join(lk.url.lower() for lk in block.links))
            if block.section == "other":  # a heading, when it names a section, wins
                block.section = found or "other"
            block.sentences = _split_sentences(text, view, block, block.links)
            for s in block.sentences:
                s.block = bi
                s.section = block.section
            sentences.extend(block.sentences)
    page = Page(text, view, blocks, links, front, sentences)
    page._sentence_starts = [s.start for s in sentences]
    page._block_starts = [b.start for b in page.blocks]
    return page
