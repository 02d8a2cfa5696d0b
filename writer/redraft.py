"""Redrafting after a data release: only the sections whose facts changed are phrased again.

Every draft records, per section, a digest of what made its text (``DraftRecord.
section_inputs``: the section's facts, ``writer.sections.facts_digest``, with its template,
prompt files, phraser and model, ``writer.draft.section_inputs``) and where each section's
paragraph sits in the page (``SectionRun.span``). When a gene has an accepted draft, a new
draft of it (``writer draft``, one gene or many) keeps, for each section whose digest is
unchanged, the text of that section *as accepted*, curator's edits included, and phrases only
the others; the whole page is then checked again, so its Checks table describes the combined
text. The new draft names the accepted draft it started from (``redraft_of``) and each kept
section says so (``SectionRun.reused_from``).

A curator's edit is never dropped silently: a section the curator had edited whose facts
changed is phrased again with a finding (status ``redrafted``) so the draft is flagged, and
the review page shows each section against the accepted text (``changes``).

    accepted = accepted_page(queue, gene_id)        # None: no accepted draft with spans
    result = make_draft(sheet, accepted=accepted)   # writer.draft
    changes(queue, queue.get(result.draft_id))      # per section: unchanged, or old and new
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from writer.draft import SEP, DraftRecord, SectionRun

if TYPE_CHECKING:
    from writer.review.store import Queue


@dataclass(frozen=True)
class AcceptedPage:
    """What a redraft may keep from a gene's latest accepted draft."""

    draft_id: int
    inputs: dict[str, str]  # the accepted draft's section_inputs
    runs: dict[str, SectionRun]
    # each section's text as accepted (curator's edits included); None: the curator's edit
    # moved the paragraph so it cannot be told apart (phrased again, with a finding)
    texts: dict[str, str | None]
    edited: frozenset[str] = frozenset()  # sections the curator changed before accepting
    # blocks outside the sections (identity table, notes, ...) the curator changed: they are
    # drawn from the facts again, and the draft says so
    other_edits: int = 0


@dataclass(frozen=True)
class SectionChange:
    """One section of a redraft against the accepted page (for the review page)."""

    section: str
    title: str
    state: str  # "unchanged", "changed", "added", "removed"
    old: str = ""
    new: str = ""


@dataclass
class _Blocks:
    texts: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)


def _blocks(text: str) -> _Blocks:
    out = _Blocks()
    pos = 0
    for part in text.split(SEP):
        out.texts.append(part)
        out.starts.append(pos)
        pos += len(part) + len(SEP)
    return out


def section_texts(record: DraftRecord, final: str
                  ) -> tuple[dict[str, str | None], set[str], int]:
    """Each section's text in ``final`` (the accepted text of the draft ``record``), found by
    aligning the page's paragraphs with the drafted ones; the sections the curator edited;
    and how many other paragraphs the curator changed. A section whose paragraph the curator
    deleted is '' (the deletion is kept); one merged with another paragraph is None."""
    drafted, accepted = _blocks(record.text), _blocks(final)
    # drafted paragraph index -> accepted paragraph text ('' deleted, None not one-to-one)
    where: dict[int, str | None] = {}
    other = 0
    matcher = difflib.SequenceMatcher(None, drafted.texts, accepted.texts, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for k in range(i2 - i1):
                where[i1 + k] = accepted.texts[j1 + k]
        elif tag == "delete":
            where.update(dict.fromkeys(range(i1, i2), ""))
        else:  # paragraphs added, or merged and split: not one-to-one
            where.update(dict.fromkeys(range(i1, i2), None))
            other += j2 - j1 if tag == "insert" else 0
    in_sections: set[int] = set()
    texts: dict[str, str | None] = {}
    edited: set[str] = set()
    for name, run in record.sections.items():
        if run.span is None:
            texts[name] = None
            continue
        start, end = run.span
        idx = [i for i, s in enumerate(drafted.starts)
               if start <= s < end or s <= start < s + len(drafted.texts[i])]
        in_sections.update(idx)
        parts = [where.get(i) for i in idx]
        if not idx or any(p is None for p in parts):
            texts[name] = None
            edited.add(name)
            continue
        text = SEP.join(p for p in parts if p).strip()
        texts[name] = text
        if text != record.text[start:end].strip():
            edited.add(name)
    other += sum(1 for i, text in where.items()
                 if i not in in_sections and text != drafted.texts[i]
                 and not _checks_block(drafted.texts[i]))
    return texts, edited, other


def _checks_block(text: str) -> bool:
    """The Checks table is recomputed on every text (``writer.sections.checks``): not an edit."""
    return re.match(r"\|[ \t]*Checks[ \t]*\|", text.lstrip()) is not None


def accepted_page(queue: Queue, gene_id: int) -> AcceptedPage | None:
    """The gene's latest accepted draft as a redraft's starting point (None when it has
    none, or when it was drafted before drafts recorded their sections' inputs)."""
    found = queue.latest_accepted(gene_id)
    if found is None:
        return None
    draft, final = found
    if not draft.section_inputs:
        return None
    texts, edited, other = section_texts(draft, final)
    return AcceptedPage(draft_id=draft.id, inputs=dict(draft.section_inputs),
                        runs=dict(draft.sections), texts=texts, edited=frozenset(edited),
                        other_edits=other)


def changes(queue: Queue, draft: DraftRecord) -> list[SectionChange]:
    """Each section of a redraft against the accepted page it started from: unchanged (kept,
    or phrased again to the same words), changed (old and new text), added or removed.
    [] for a draft that is not a redraft."""
    from writer import catalog

    basis_id = getattr(draft, "redraft_of", None)
    if basis_id is None:
        return []
    basis = queue.get(basis_id)
    final = queue.current_text(basis_id)
    old, _, _ = section_texts(basis, final)
    new: dict[str, str] = {}
    for name, run in draft.sections.items():
        if run.span is not None:
            new[name] = draft.text[run.span[0]:run.span[1]].strip()
    out = []
    for spec in catalog.sections():
        name = spec.name
        if name not in old and name not in new:
            continue
        before, after = old.get(name) or "", new.get(name, "")
        if name not in new:
            state = "removed"
        elif not before:
            state = "added"
        else:
            state = "unchanged" if before == after else "changed"
        out.append(SectionChange(section=name, title=spec.title, state=state, old=before,
                                 new=after))
    return out
