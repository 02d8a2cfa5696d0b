"""Identity, GO annotations and PubMed links from Bioconductor's org.Hs.eg.db and GO.db.

Both are plain SQLite files inside Debian's ``r-bioc-org.hs.eg.db`` and ``r-bioc-go.db``
packages (Bioconductor 3.16: NCBI Gene data of 2022-09-12, GO of 2022-07-01), read with
``sqlite3``; R is never installed.

Facts written:
- ``identity.*``: NCBI Gene ID, symbol, full name, gene type, Ensembl gene ID(s),
  chromosome, cytogenetic band, GRCh38 location, aliases, UniProt accessions;
- ``function.*``: direct GO annotations per aspect, each term with its GO ID, name (GO.db),
  evidence codes and AmiGO link;
- ``literature.publication_count``: PubMed IDs linked to the gene in NCBI's gene2pubmed.

Besides facts, the store gets GO.db's vocabulary (every term's name and aspect, its synonyms,
its is_a and part_of parents), so the evaluator can judge a term named in prose without a
link. org.Hs.eg.db keeps no annotation qualifiers: its ``go_*`` tables have no NOT
annotations (NCBI's gene2go has them, in its Qualifier column).

Coordinates: org.Hs.eg.db's ``chromosome_locations`` come from UCSC (0-based starts,
negative on the minus strand), one row per transcript model; the gene's span here is the
union of the rows on its main chromosome, converted to 1-based inclusive.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from pathlib import Path

from writer.factsheet import Item, Link
from writer.progress import Progress
from writer.sources import SourceSpec, catalog_ref
from writer.sources.packages import Package
from writer.store import StoreBuilder

ORGDB = Package("apt", "r-bioc-org.hs.eg.db", "3.16.0-1")
GODB = Package("apt", "r-bioc-go.db", "3.16.0-1")
ORGDB_FILE = "usr/lib/R/site-library/org.Hs.eg.db/extdata/org.Hs.eg.sqlite"
GODB_FILE = "usr/lib/R/site-library/GO.db/extdata/GO.sqlite"

SOURCE_ID = "orgdb-3.16"
ASPECTS = {
    "MF": "function.molecular_function",
    "CC": "function.cellular_component",
    "BP": "function.biological_process",
}


def ncbi_link(gene_id: int) -> Link:
    return Link(label="NCBI Gene", url=f"https://www.ncbi.nlm.nih.gov/gene/{gene_id}")


def amigo_url(go_id: str) -> str:
    return f"https://amigo.geneontology.org/amigo/term/{go_id}"


def ensembl_link(ensembl_id: str) -> Link:
    return Link(
        label="Ensembl", url=f"https://www.ensembl.org/Homo_sapiens/Gene/Summary?g={ensembl_id}"
    )


def _span(rows: list[tuple[str, int, int]], chromosome: str | None) -> tuple[int, int, str] | None:
    """Span (1-based, inclusive) and strand of the gene's locus on its main chromosome.

    Rows are transcript models; overlapping rows form a locus. A gene can have rows at
    separate loci on one chromosome (CBS: GRCh38's false duplication on chr21), so the
    locus with the most rows is taken (ties: the longer one), never a union across loci.
    """
    on_main = [r for r in rows if r[0] == chromosome] or rows
    if not on_main:
        return None
    intervals = sorted((abs(s), abs(e), s < 0) for _, s, e in on_main)
    loci: list[list[tuple[int, int, bool]]] = []
    for interval in intervals:
        if loci and interval[0] <= max(e for _, e, _ in loci[-1]):
            loci[-1].append(interval)
        else:
            loci.append([interval])
    best = max(loci, key=lambda locus: (len(locus), max(e for _, e, _ in locus) - locus[0][0]))
    start = min(s for s, _, _ in best) + 1
    end = max(e for _, e, _ in best)
    return start, end, "-" if best[0][2] else "+"


def load(builder: StoreBuilder, unpacked: dict[str, Path], progress: Progress) -> None:
    org = sqlite3.connect(f"file:{unpacked[ORGDB.name] / ORGDB_FILE}?mode=ro", uri=True)
    go = sqlite3.connect(f"file:{unpacked[GODB.name] / GODB_FILE}?mode=ro", uri=True)
    try:
        _load(builder, org, go, progress)
    finally:
        org.close()
        go.close()


def _multi(org: sqlite3.Connection, sql: str) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for row in org.execute(sql):
        out[row[0]].append(row[1] if len(row) == 2 else row[1:])
    return out


def _load(
    builder: StoreBuilder, org: sqlite3.Connection, go: sqlite3.Connection, progress: Progress
) -> None:
    genes = org.execute(
        "SELECT g._id, g.gene_id, i.symbol, i.gene_name, t.gene_type "
        "FROM genes g JOIN gene_info i USING (_id) LEFT JOIN genetype t USING (_id)"
    ).fetchall()
    chromosomes = _multi(org, "SELECT _id, chromosome FROM chromosomes")
    bands = _multi(org, "SELECT _id, cytogenetic_location FROM cytogenetic_locations")
    locations = _multi(
        org, "SELECT _id, seqname, start_location, end_location FROM chromosome_locations"
    )
    ensembl = _multi(org, "SELECT _id, ensembl_id FROM ensembl ORDER BY ensembl_id")
    aliases = _multi(org, "SELECT _id, alias_symbol FROM alias ORDER BY alias_symbol")
    uniprot = _multi(org, "SELECT _id, uniprot_id FROM uniprot ORDER BY uniprot_id")
    pubmed = dict(org.execute("SELECT _id, count(*) FROM pubmed GROUP BY _id").fetchall())
    terms = dict(go.execute("SELECT go_id, term FROM go_term").fetchall())
    annotations: dict[int, dict[tuple[str, str], list[str]]] = defaultdict(dict)
    for _id, go_id, evidence, ontology in org.execute(
        "SELECT _id, go_id, evidence, ontology FROM go ORDER BY go_id, evidence"
    ):
        annotations[_id].setdefault((ontology, go_id), []).append(evidence)

    gene_rows = []
    name_rows: list[tuple[str, int, str]] = []
    for _id, raw_gene_id, symbol, name, gene_type in progress.iterate(genes, "genes", len(genes)):
        gene_id = int(raw_gene_id)  # org.Hs.eg.db stores Gene IDs as text
        chrom = chromosomes[_id][0] if chromosomes.get(_id) else None
        band = bands[_id][0] if bands.get(_id) else None
        span = _span(locations.get(_id, []), chrom)
        start, end, strand = span if span else (None, None, None)
        gene_rows.append((gene_id, symbol, name, gene_type, chrom, band, start, end, strand))
        name_rows.append((symbol, gene_id, "symbol"))
        name_rows.extend((a, gene_id, "alias") for a in aliases.get(_id, []) if a != symbol)
        name_rows.extend((e, gene_id, "ensembl") for e in ensembl.get(_id, []))
        name_rows.extend((u, gene_id, "uniprot") for u in uniprot.get(_id, []))

        ncbi = (ncbi_link(gene_id),)
        add = builder.add_fact
        add(gene_id, "identity.ncbi_gene_id", gene_id, source=SOURCE_ID, links=ncbi)
        add(gene_id, "identity.symbol", symbol, source=SOURCE_ID, links=ncbi)
        add(gene_id, "identity.name", name, source=SOURCE_ID, links=ncbi)
        if gene_type:
            add(gene_id, "identity.gene_type", gene_type, source=SOURCE_ID, links=ncbi)
        if ensembl.get(_id):
            ids = ensembl[_id]
            add(gene_id, "identity.ensembl_id", ", ".join(ids), source=SOURCE_ID,
                links=tuple(ensembl_link(e) for e in ids))
        if chrom:
            add(gene_id, "identity.chromosome", chrom, source=SOURCE_ID, links=ncbi)
        if band:
            add(gene_id, "identity.band", band, source=SOURCE_ID, links=ncbi)
        if span:
            add(gene_id, "identity.location", f"chr{chrom}:{start:,}-{end:,} ({strand})",
                source=SOURCE_ID, links=ncbi)
        other_aliases = [a for a in aliases.get(_id, []) if a != symbol]
        if other_aliases:
            add(gene_id, "identity.aliases", tuple(Item(name=a) for a in other_aliases),
                source=SOURCE_ID, links=ncbi)
        if uniprot.get(_id):
            add(gene_id, "identity.uniprot_ids", tuple(
                Item(name=u, id=u, url=f"https://www.uniprot.org/uniprotkb/{u}/entry")
                for u in uniprot[_id]
            ), source=SOURCE_ID)
        for aspect, key in ASPECTS.items():
            items = tuple(
                Item(name=terms.get(go_id, go_id), id=go_id, evidence=tuple(ev),
                     url=amigo_url(go_id))
                for (ont, go_id), ev in annotations.get(_id, {}).items()
                if ont == aspect
            )
            if items:
                add(gene_id, key, items, source=SOURCE_ID, links=(
                    Link(label="AmiGO annotations",
                         url=f"https://amigo.geneontology.org/amigo/search/annotation?q=NCBIGene:{gene_id}"),
                ))
        if pubmed.get(_id):
            add(gene_id, "literature.publication_count", pubmed[_id],
                source=SOURCE_ID, links=(
                    Link(label="PubMed (gene2pubmed)",
                         url=f"https://pubmed.ncbi.nlm.nih.gov/?linkname=gene_pubmed&from_uid={gene_id}"),
                ))
    builder.add_genes(gene_rows)
    builder.add_names(name_rows)
    _load_ontology(builder, go)


_RELATIONS = {"isa": "is_a", "part of": "part_of"}


def _load_ontology(builder: StoreBuilder, go: sqlite3.Connection) -> None:
    """GO.db's terms, synonyms (those that are names, not old GO IDs) and the is_a/part_of
    edges of its three ontologies."""
    terms = go.execute(
        "SELECT go_id, term, ontology FROM go_term WHERE ontology IN ('MF','CC','BP')"
    ).fetchall()
    synonyms = go.execute(
        "SELECT DISTINCT s.synonym, t.go_id FROM go_synonym s JOIN go_term t USING (_id) "
        "WHERE s.like_go_id = 0 AND s.synonym != t.term"
    ).fetchall()
    parents = []
    for aspect in ("bp", "mf", "cc"):
        for go_id, parent, relation in go.execute(
            f"SELECT c.go_id, p.go_id, e.relationship_type FROM go_{aspect}_parents e "
            f"JOIN go_term c ON c._id = e._id JOIN go_term p ON p._id = e._parent_id"
        ):
            if relation in _RELATIONS:
                parents.append((go_id, parent, _RELATIONS[relation]))
    builder.add_go_terms(terms, synonyms, parents)


SOURCE = SourceSpec(
    ref=catalog_ref(SOURCE_ID),
    packages=(ORGDB, GODB),
    provides=(
        "identity.*",
        "function.molecular_function",
        "function.cellular_component",
        "function.biological_process",
        "literature.publication_count",
    ),
    load=load,
)
