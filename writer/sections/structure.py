"""Gene structure: gene, mature (spliced) and primary transcript lengths, with percentiles."""

from __future__ import annotations

import re

from writer.factsheet import Fact, FactSheet, Percentile
from writer.sections.prose import (
    fact_url,
    float_value,
    int_value,
    join,
    link,
    number,
    paragraph,
    percentile,
    plural,
    populations_sentence,
)

LENGTHS = (
    ("structure.gene_length", "the gene length"),
    ("structure.mature_length", "the spliced transcript length"),
    ("structure.primary_transcript_length", "the primary transcript length"),
)
# What each length measures, for lengths that are equal and said once ("the gene and its
# primary transcript are both 2,512 base pairs long").
THINGS = {
    "structure.gene_length": "the gene",
    "structure.mature_length": "its spliced transcript",
    "structure.primary_transcript_length": "its primary transcript",
}
SHORT = {
    "structure.gene_length": "gene length",
    "structure.mature_length": "spliced transcript length",
    "structure.primary_transcript_length": "primary transcript length",
    "structure.exon_count": "exon count",
}


def length_text(fact: Fact) -> str:
    value = float_value(fact)
    unit = fact.unit or "bp"
    words = "base pairs" if unit in ("bp", "base pairs", "nt") else unit
    if value is None:
        return str(fact.value)
    text = f"{number(value, None if value.is_integer() else 1)} {words}"
    if value == 1 and words == "base pairs":
        text = text.replace("base pairs", "base pair")
    return text


def transcript_name(value: str, url: str | None) -> str:
    """``"MT1G-201 (MANE Select ENST00000379811.4 / NM_001301267.2: ...)"`` ->
    ``"[MT1G-201](url) (ENST00000379811.4, MANE Select)"``: the label, its Ensembl ID and
    whether it is the MANE Select transcript; any other value is written as it is."""
    label = value.split(" ", 1)[0]
    enst = re.search(r"\bENST\d+(?:\.\d+)?", value)
    if not enst or label == enst.group(0):
        return link(value if not enst else enst.group(0), url)
    extra = enst.group(0) + (", MANE Select" if "MANE Select" in value else "")
    return f"{link(label, url)} ({extra})"


def with_percentile(text: str, p: Percentile | None) -> str:
    return f"{text} ({percentile(p)})" if p else text


def render(sheet: FactSheet) -> str:
    clauses = []
    used = []
    facts = [(key, words, f) for key, words in LENGTHS if (f := sheet.get(key)) is not None]
    done: set[str] = set()
    for key, words, fact in facts:
        if key in done:
            continue
        used.append(fact)
        same = [(k, f) for k, _, f in facts if k != key and k not in done
                and length_text(f) == length_text(fact)]
        if not same:
            clauses.append(f"{words} is {with_percentile(length_text(fact), fact.percentile)}")
            continue
        group = [(key, fact), *same]
        done.update(k for k, _ in group)
        used.extend(f for _, f in same)
        both = "both" if len(group) == 2 else "all"
        text = f"{join([THINGS[k] for k, _ in group])} are {both} {length_text(fact)} long"
        ranks = [f"{SHORT[k]} {percentile(f.percentile)}" for k, f in group if f.percentile]
        clauses.append(text + (f" ({', '.join(ranks)})" if ranks else ""))
    sentences = []
    if clauses:
        sentences.append(join(clauses))
    transcript = sheet.get("structure.canonical_transcript")
    exons = sheet.get("structure.exon_count")
    n_exons = int_value(exons)
    if transcript is not None and not isinstance(transcript.value, tuple):
        name = transcript_name(str(transcript.value), fact_url(transcript))
        text = f"the transcript lengths are those of the canonical transcript, {name}"
        if n_exons is not None:
            text += f", which has {plural(n_exons, 'exon')}"
            if exons is not None and exons.percentile:
                text += f" ({percentile(exons.percentile)})"
        sentences.append(text)
    elif n_exons is not None and exons is not None:
        counted = with_percentile(plural(n_exons, "exon"), exons.percentile)
        sentences.append(f"the canonical transcript has {counted}")
    if exons is not None:
        used.append(exons)
    sentences.append(populations_sentence("gene", used, SHORT))
    return paragraph(sentences) if clauses or n_exons is not None else ""

