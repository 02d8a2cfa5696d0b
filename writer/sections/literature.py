"""Literature: how many publications mention the gene (and, when known, when)."""

from __future__ import annotations

from writer.factsheet import FactSheet
from writer.sections.prose import fact_url, int_value, link, paragraph, plural


def render(sheet: FactSheet) -> str:
    fact = sheet.get("literature.publication_count")
    count = int_value(fact)
    if fact is None or count is None:
        return ""
    gene_id = sheet.get("identity.ncbi_gene_id")
    ident = f" (NCBI ID: {gene_id.value})" if gene_id and not gene_id.is_list else ""
    mentioned = link(plural(count, "publication"), fact_url(fact))
    source = sheet.sources.get(fact.source)
    via = "NCBI Gene's PubMed links"
    if source and "org.Hs.eg.db" in source.name:
        via += " (gene2pubmed, as shipped in Bioconductor's org.Hs.eg.db)"
    return paragraph([
        f"The gene {sheet.symbol}{ident} has been linked to {mentioned} according to {via}",
        "The count comes from NCBI's curated gene-to-paper links, so a PubMed search for the "
        "symbol may return a different number",
    ])

