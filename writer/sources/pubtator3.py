"""PubTator3: how many papers mention a gene (text mining), and in which years.

Bulk (``sync``): ``gene2pubtator3.gz``, one row per (paper, gene concept), no header, five
tab-separated columns ``PMID, Type, Concept ID, Mentions, Resource`` (as its predecessor
gene2pubtatorcentral; ``Mentions`` may be empty, ``Concept ID`` may join several Gene IDs
with ``;``). Rows naming a human gene of the store count; a row with another column count,
a non-numeric PMID or concept is an error naming its line. The papers' years come from
iCite (``writer.sources.icite``), which dates them when synced with this source.

On demand (``fetch``): the search API ``search/?text=@GENE_<symbol>`` answers the total
``count`` and a per-year facet (``facets.facet_fields.year``: ``[{name: "2021", value:
31}, ...]``). The years are used only when the facet accounts for every counted paper;
otherwise the years are left out rather than guessed.

Facts (source ``pubtator3``): ``literature.mention_count``; on demand also
``literature.mention_earliest_year`` and ``literature.mention_year_range``.

Note: these counts are text-mined mentions (plus the curated links PubTator imports, its
``Resource`` column says ``gene2pubmed``); they run two or more times NCBI's curated
gene2pubmed count, so the page names which count it gives.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

from writer.errors import SyncError
from writer.factsheet import Link
from writer.sources.icite import write_years
from writer.sources.online import (
    FactCollector,
    FetchContext,
    GeneRef,
    OnlineSource,
    Remote,
    SyncContext,
    check_columns,
    json_field,
    open_lines,
    parse_json,
)

SOURCE_ID = "pubtator3"
GENE2PUBTATOR = Remote("gene2pubtator3",
                       "https://ftp.ncbi.nlm.nih.gov/pub/lu/PubTator3/gene2pubtator3.gz")
SEARCH = "https://www.ncbi.nlm.nih.gov/research/pubtator3-api/search/"
PMIDS_TABLE = "online_pmids"
_CONCEPT = re.compile(r"\d+(?:;\d+)*")


def links(symbol: str) -> tuple[Link, ...]:
    return (
        Link(label="PubMed search",
             url=f"https://pubmed.ncbi.nlm.nih.gov/?term={quote(f'{chr(34)}{symbol}{chr(34)}')}"),
        Link(label="PubTator3", url="https://www.ncbi.nlm.nih.gov/research/pubtator3/"),
    )


COLUMNS = "gene2pubtator3 (PMID, Type, Concept ID, Mentions, Resource)"


def read_gene2pubtator(path, genes: set[int]) -> Iterator[tuple[int, int]]:
    """(gene_id, pmid) of every row naming a gene in ``genes``."""
    for number, line in enumerate(open_lines(path), 1):
        fields = line.split("\t")
        check_columns(len(fields), number, COLUMNS, 5, exact=True)
        pmid, kind, concept = fields[0], fields[1], fields[2]
        if kind != "Gene":
            continue
        if not pmid.isdigit() or not _CONCEPT.fullmatch(concept):
            if concept in ("", "-"):
                continue  # a mention PubTator could not normalise to a gene
            raise SyncError(f"gene2pubtator3 line {number}: PMID {pmid!r} / Concept ID "
                            f"{concept!r} is not numeric")
        for gid in concept.split(";"):
            if int(gid) in genes:
                yield int(gid), int(pmid)


def load(ctx: SyncContext) -> None:
    b = ctx.builder
    info = ctx.files[GENE2PUBTATOR.name]
    ctx.versions.append(f"gene2pubtator3 {info.release or 'undated'}")
    genes = {gid for (gid,) in b.conn.execute("SELECT gene_id FROM genes")}
    b.conn.execute(f"CREATE TABLE IF NOT EXISTS {PMIDS_TABLE} "
                   "(gene_id INTEGER, pmid INTEGER, basis TEXT)")
    b.conn.executemany(f"INSERT INTO {PMIDS_TABLE} VALUES (?,?,'pubtator3')",
                       ctx.progress.iterate(read_gene2pubtator(info.path, genes),
                                            "gene mentions"))
    symbols = dict(b.conn.execute("SELECT gene_id, symbol FROM genes"))
    for gid, count in b.conn.execute(
            f"SELECT gene_id, count(DISTINCT pmid) FROM {PMIDS_TABLE} WHERE basis='pubtator3' "
            "GROUP BY gene_id").fetchall():
        b.add_fact(gid, "literature.mention_count", count, source=SOURCE_ID,
                   links=links(symbols[gid]))


def parse_search(body: bytes, symbol: str) -> tuple[int, dict[int, int] | None]:
    """(count, year histogram or None when the facet does not cover every paper)."""
    where = f"PubTator3 search @GENE_{symbol}"
    answer = parse_json(body, where)
    count = int(json_field(answer, "count", where))
    fields = json_field(json_field(answer, "facets", where), "facet_fields", where)
    years: dict[int, int] = {}
    for entry in json_field(fields, "year", where):
        name = str(json_field(entry, "name", where))
        if not name.isdigit():
            raise SyncError(f"{where}: year facet {name!r} is not a year")
        years[int(name)] = int(json_field(entry, "value", where))
    return count, (years if sum(years.values()) == count else None)


def fetch(gene: GeneRef, ctx: FetchContext, sink: FactCollector) -> None:
    answer = ctx.fetcher.get(SEARCH, {"text": f"@GENE_{gene.symbol}"})
    count, years = parse_search(answer.content, gene.symbol)
    ctx.scratch.setdefault("retrieved", {})[SOURCE_ID] = answer.retrieved_at
    if count == 0:
        return
    where = links(gene.symbol)
    sink.add_fact(gene.gene_id, "literature.mention_count", count, source=SOURCE_ID,
                  links=where)
    if years is None:
        ctx.scratch.setdefault("notes", []).append(
            f"PubTator3's year facet does not cover all {count:,} papers: years left out")
        return
    write_years(sink, gene.gene_id, "pubtator3", years, SOURCE_ID, where)


SOURCE = OnlineSource(
    id=SOURCE_ID, files=(GENE2PUBTATOR,),
    provides=("literature.mention_count", "literature.mention_earliest_year",
              "literature.mention_year_range"),
    load=load, fetch=fetch,
)
