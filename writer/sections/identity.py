"""The identity table at the top of the page and the sentence under it, rendered from facts
(never phrased).

Same columns as the reference pages: NCBI ID (linked to NCBI Gene), NCBI symbol, Ensembl
ID and chromosome location (cytogenetic band). The sentence under it says what the gene
is: its full name, its gene type in words ("a non-coding RNA gene", "a pseudogene") and
its main aliases, so a reader knows at once whether to expect a protein.
"""

from __future__ import annotations

from writer.factsheet import FactSheet
from writer.sections.prose import escape, join, link, paragraph, safe_url

NOT_AVAILABLE = "not available"
MAX_ALIASES = 5  # "also known as": the first aliases NCBI lists; the rest are on NCBI Gene

# NCBI's gene types in words (the evaluator's lexicon reads these phrases back as the type).
# A type with no entry ("other", "unknown") is not stated.
GENE_TYPE_WORDS = {
    "protein-coding": "a protein-coding gene",
    "ncRNA": "a non-coding RNA gene",
    "snoRNA": "a small nucleolar RNA gene",
    "snRNA": "a small nuclear RNA gene",
    "tRNA": "a transfer RNA gene",
    "rRNA": "a ribosomal RNA gene",
    "pseudo": "a pseudogene",
}


def _text(sheet: FactSheet, key: str) -> str | None:
    fact = sheet.get(key)
    if fact is None or isinstance(fact.value, tuple):
        return None
    return str(fact.value)


def gene_type(sheet: FactSheet) -> str | None:
    """NCBI's gene type of the gene ("protein-coding", "ncRNA", "pseudo", ...), if known."""
    return _text(sheet, "identity.gene_type")


def is_coding(sheet: FactSheet) -> bool | None:
    """Whether the gene codes for a protein (None when the sheet has no gene type)."""
    kind = gene_type(sheet)
    return None if kind in (None, "unknown", "other") else kind == "protein-coding"


def type_words(sheet: FactSheet) -> str | None:
    """The gene type in words: "a pseudogene", "a non-coding RNA gene"; None when unknown."""
    kind = gene_type(sheet)
    return GENE_TYPE_WORDS.get(kind) if kind else None


def summary(sheet: FactSheet) -> str:
    """"MT1G (metallothionein 1G) is a protein-coding gene, also known as MT1 and MT1K."."""
    symbol = _text(sheet, "identity.symbol") or sheet.symbol
    name = _text(sheet, "identity.name")
    subject = escape(symbol) + (f" ({escape(name)})" if name and name != symbol else "")
    what = type_words(sheet)
    aliases_fact = sheet.get("identity.aliases")
    aliases = [i.name for i in aliases_fact.value if i.name != symbol] \
        if aliases_fact is not None and isinstance(aliases_fact.value, tuple) else []
    known = ""
    if aliases:
        shown = [escape(a) for a in aliases[:MAX_ALIASES]]
        known = "also known as " + join(shown)
        if len(aliases) > len(shown):
            known += ", among other aliases"
    if what and known:
        return paragraph([f"{subject} is {what}, {known}"])
    if what:
        return paragraph([f"{subject} is {what}"])
    if known:
        return paragraph([f"{subject} is {known}"])
    return ""


def render(sheet: FactSheet) -> str:
    gene_id = _text(sheet, "identity.ncbi_gene_id") or str(sheet.gene_id)
    fact = sheet.get("identity.ncbi_gene_id")
    url = fact.links[0].url if fact and fact.links else f"https://www.ncbi.nlm.nih.gov/gene/{gene_id}"
    symbol = _text(sheet, "identity.symbol") or sheet.symbol
    ensembl = _text(sheet, "identity.ensembl_id") or NOT_AVAILABLE
    # no band on the mitochondrial genome: its chromosome ("MT") is its location
    band = _text(sheet, "identity.band") or _text(sheet, "identity.chromosome") or NOT_AVAILABLE
    header = link("NCBI ID", url) if safe_url(url) else "NCBI ID"
    return "\n".join([
        f"| {header} | NCBI symbol | ENSEMBL ID | Chromosome location |",
        "| :-------- | :------- | :-------- | :------- |",
        f"| {escape(gene_id)} | {escape(symbol)} | {escape(ensembl)} | {escape(band)} |",
    ])

