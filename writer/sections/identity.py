"""The identity table at the top of the page, rendered from facts (never phrased).

Same columns as the reference pages: NCBI ID (linked to NCBI Gene), NCBI symbol, Ensembl
ID and chromosome location (cytogenetic band).
"""

from __future__ import annotations

from writer.factsheet import FactSheet
from writer.sections.prose import escape, link, safe_url

NOT_AVAILABLE = "not available"


def _text(sheet: FactSheet, key: str) -> str | None:
    fact = sheet.get(key)
    if fact is None or isinstance(fact.value, tuple):
        return None
    return str(fact.value)


def render(sheet: FactSheet) -> str:
    gene_id = _text(sheet, "identity.ncbi_gene_id") or str(sheet.gene_id)
    fact = sheet.get("identity.ncbi_gene_id")
    url = fact.links[0].url if fact and fact.links else f"https://www.ncbi.nlm.nih.gov/gene/{gene_id}"
    symbol = _text(sheet, "identity.symbol") or sheet.symbol
    ensembl = _text(sheet, "identity.ensembl_id") or NOT_AVAILABLE
    band = _text(sheet, "identity.band") or NOT_AVAILABLE
    header = link("NCBI ID", url) if safe_url(url) else "NCBI ID"
    return "\n".join([
        f"| {header} | NCBI symbol | ENSEMBL ID | Chromosome location |",
        "| :-------- | :------- | :-------- | :------- |",
        f"| {escape(gene_id)} | {escape(symbol)} | {escape(ensembl)} | {escape(band)} |",
    ])

