"""NIH iCite: the year, title and relative citation ratio (RCR) of a gene's papers.

``/api/pubs?pmids=...&fl=...`` answers up to 1,000 PubMed IDs a request (``data``: one
record per known paper, read by key: ``pmid, year, title, relative_citation_ratio,
provisional``; ``provisional`` is "Yes"/"No" in the documented answer and a boolean in newer
ones). Papers iCite does not know are absent from the answer.

Records are kept in ``<cache>/online/icite/pubs.sqlite`` with the date they were fetched:
a sync asks only for papers it has no record of, or whose record is older than
``MAX_AGE_DAYS`` (RCRs move as citations arrive), so an interrupted sync resumes where it
stopped and a second sync asks only for new papers.

Facts (source ``icite``), over the gene's gene2pubmed papers (``ncbi-gene``), and over its
PubTator3 papers when that source is synced:

- ``literature.earliest_year`` and ``literature.year_range`` (``"1997-2009"``: the years of
  the papers at ranks ceil(n/4) and ceil(3n/4) when sorted by year, i.e. the middle 50%);
  ``literature.mention_earliest_year`` / ``literature.mention_year_range`` for PubTator3;
- ``publications.top``: the five papers with the highest RCR (title, PMID, year, RCR, link).
  Papers with a provisional RCR (under about two years old) are left out; the page says so.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from writer.errors import SyncError
from writer.factsheet import Item, Link
from writer.http import Fetcher
from writer.progress import QUIET, Progress
from writer.sources.online import (
    FactCollector,
    FetchContext,
    GeneRef,
    OnlineSource,
    SyncContext,
    json_field,
    parse_json,
)
from writer.store import StoreBuilder

SOURCE_ID = "icite"
PUBS_URL = "https://icite.od.nih.gov/api/pubs"
FIELDS = ("pmid", "year", "title", "relative_citation_ratio", "provisional")
BATCH = 1000  # PMIDs a request, iCite's documented maximum
MAX_AGE_DAYS = 30
TOP = 5
PMIDS_TABLE = "online_pmids"
BASIS_KEYS = {
    "gene2pubmed": ("literature.earliest_year", "literature.year_range"),
    "pubtator3": ("literature.mention_earliest_year", "literature.mention_year_range"),
}
ICITE_LINK = Link(label="iCite", url="https://icite.od.nih.gov")


def pubmed_url(pmid: int | str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}"


# --- years ----------------------------------------------------------------------------------------
def year_summary(counts: dict[int, int]) -> tuple[int, int, int] | None:
    """(earliest, lower, upper) of a year histogram: the middle 50% runs from the year of the
    paper at rank ceil(n/4) to the one at rank ceil(3n/4) (papers sorted by year, 1-based)."""
    n = sum(counts.values())
    if n == 0:
        return None
    ranks = (max(1, math.ceil(n / 4)), max(1, math.ceil(3 * n / 4)))
    found: list[int] = []
    seen = 0
    for year in sorted(counts):
        seen += counts[year]
        while len(found) < 2 and seen >= ranks[len(found)]:
            found.append(year)
    return min(counts), found[0], found[1]


def write_years(sink: StoreBuilder | FactCollector, gid: int, basis: str,
                counts: dict[int, int], source: str, links: Sequence[Link]) -> None:
    summary = year_summary(counts)
    if summary is None:
        return
    earliest, lower, upper = summary
    first_key, range_key = BASIS_KEYS[basis]
    sink.add_fact(gid, first_key, earliest, source=source, links=links)
    sink.add_fact(gid, range_key, f"{lower}-{upper}", source=source, links=links)


def write_top(sink: StoreBuilder | FactCollector, gid: int,
              papers: Iterable[tuple[int, int | None, float | None, str, bool]]) -> None:
    """``papers``: (pmid, year, rcr, title, provisional); the five highest settled RCRs."""
    ranked = sorted(
        (p for p in papers if p[2] is not None and not p[4] and p[3]),
        key=lambda p: (-p[2], p[0]),  # type: ignore[operator]
    )[:TOP]
    if not ranked:
        return
    items = tuple(Item(name=title, id=str(pmid), value=rcr, year=year, url=pubmed_url(pmid))
                  for pmid, year, rcr, title, _ in ranked)
    sink.add_fact(gid, "publications.top", items, source=SOURCE_ID, links=(ICITE_LINK,))


# --- records --------------------------------------------------------------------------------------
def _flag(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("Yes", "No"):
        return value == "Yes"
    raise SyncError(f"{where}: provisional is {value!r}, expected Yes/No or true/false")


def parse_pubs(body: bytes, where: str = "iCite /api/pubs") -> list[tuple[Any, ...]]:
    """(pmid, year, rcr, title, provisional) of each record of an /api/pubs answer."""
    data = json_field(parse_json(body, where), "data", where)
    out = []
    for record in data:
        pmid = int(json_field(record, "pmid", where))
        year = json_field(record, "year", where)
        rcr = json_field(record, "relative_citation_ratio", where)
        out.append((pmid, int(year) if year else None, float(rcr) if rcr is not None else None,
                    str(json_field(record, "title", where) or ""),
                    _flag(json_field(record, "provisional", where), where)))
    return out


class PubRecords:
    """The iCite records fetched so far, on disk, by PMID."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.conn = sqlite3.connect(path)
        self.conn.execute("CREATE TABLE IF NOT EXISTS pubs (pmid INTEGER PRIMARY KEY, year "
                          "INTEGER, rcr REAL, title TEXT, provisional INTEGER, fetched TEXT)")

    def stale(self, pmids: Iterable[int], max_age_days: int = MAX_AGE_DAYS) -> list[int]:
        cutoff = (datetime.now(UTC) - timedelta(days=max_age_days)).isoformat()
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (pmid INTEGER PRIMARY KEY)")
        self.conn.execute("DELETE FROM wanted")
        self.conn.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((p,) for p in pmids))
        return [p for (p,) in self.conn.execute(
            "SELECT w.pmid FROM wanted w LEFT JOIN pubs p USING (pmid) "
            "WHERE p.pmid IS NULL OR p.fetched < ? ORDER BY w.pmid", (cutoff,))]

    def update(self, fetcher: Fetcher, pmids: Sequence[int], progress: Progress = QUIET) -> int:
        """Fetch ``pmids`` in batches of 1,000, committing each batch (resumable). Papers
        iCite does not know are recorded without a year. Returns the requests made."""
        batches = [pmids[i:i + BATCH] for i in range(0, len(pmids), BATCH)]
        for batch in progress.iterate(batches, "iCite requests", len(batches)):
            answer = fetcher.get(PUBS_URL, {"pmids": ",".join(map(str, batch)),
                                            "fl": ",".join(FIELDS)})
            now = answer.retrieved_at.isoformat()
            found = {r[0]: r for r in parse_pubs(answer.content)}
            self.conn.executemany(
                "INSERT OR REPLACE INTO pubs VALUES (?,?,?,?,?,?)",
                ((*(found.get(p) or (p, None, None, "", False)), now) for p in batch),
            )
            self.conn.commit()
        return len(batches)

    def get(self, pmids: Iterable[int]) -> Iterator[tuple[int, int | None, float | None, str,
                                                           bool]]:
        wanted = list(pmids)
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            yield from (
                (p, y, r, t, bool(v)) for p, y, r, t, v in self.conn.execute(
                    f"SELECT pmid, year, rcr, title, provisional FROM pubs WHERE pmid IN "
                    f"({','.join('?' * len(chunk))})", chunk)
            )

    def close(self) -> None:
        self.conn.close()


def records_path(work_dir: Path) -> Path:
    return work_dir / "pubs.sqlite"


# --- bulk -----------------------------------------------------------------------------------------
def load(ctx: SyncContext) -> None:
    b = ctx.builder
    b.flush()
    if not b.conn.execute("SELECT 1 FROM sqlite_master WHERE name=?", (PMIDS_TABLE,)).fetchone():
        raise SyncError("iCite dates and ranks the papers of NCBI gene2pubmed or PubTator3: "
                        "sync ncbi-gene (or pubtator3) with it")
    pmids = [p for (p,) in b.conn.execute(f"SELECT DISTINCT pmid FROM {PMIDS_TABLE}")]
    records = PubRecords(records_path(ctx.work_dir))
    try:
        todo = records.stale(pmids)
        ctx.progress.step(f"iCite: {len(pmids):,} papers, {len(todo):,} to fetch "
                          f"({math.ceil(len(todo) / BATCH):,} requests)")
        records.update(ctx.fetcher, todo, ctx.progress)
    finally:
        records.close()
    b.conn.commit()
    b.conn.execute("ATTACH DATABASE ? AS icite", (str(records_path(ctx.work_dir)),))
    try:
        _write_gene_facts(b, ctx.progress)
        b.flush()
    finally:
        b.conn.commit()
        b.conn.execute("DETACH DATABASE icite")
    ctx.versions.append(f"/api/pubs records of {len(pmids):,} papers")


def _write_gene_facts(b: StoreBuilder, progress: Progress) -> None:
    rows = b.conn.execute(
        f"SELECT g.gene_id, g.basis, p.pmid, p.year, p.rcr, p.title, p.provisional "
        f"FROM {PMIDS_TABLE} g JOIN icite.pubs p USING (pmid) ORDER BY g.gene_id, g.basis"
    ).fetchall()
    current: tuple[int, str] | None = None
    papers: list[tuple[Any, ...]] = []

    def done() -> None:
        if current is None:
            return
        gid, basis = current
        counts: dict[int, int] = {}
        for p in papers:
            if p[1]:
                counts[p[1]] = counts.get(p[1], 0) + 1
        write_years(b, gid, basis, counts, SOURCE_ID, (ICITE_LINK,))
        if basis == "gene2pubmed":
            write_top(b, gid, ((p[0], p[1], p[2], p[3], bool(p[4])) for p in papers))

    for gid, basis, *paper in progress.iterate(rows, "gene papers"):
        if (gid, basis) != current:
            done()
            current, papers = (gid, basis), []
        papers.append(tuple(paper))
    done()


# --- one gene on demand ---------------------------------------------------------------------------
def fetch(gene: GeneRef, ctx: FetchContext, sink: FactCollector) -> None:
    pmids = ctx.scratch.get("pmids", {}).get("gene2pubmed")
    if not pmids:
        return
    records = PubRecords(records_path(ctx.work_dir))
    try:
        records.update(ctx.fetcher, records.stale(pmids))
        papers = list(records.get(pmids))
    finally:
        records.close()
    counts: dict[int, int] = {}
    for p in papers:
        if p[1]:
            counts[p[1]] = counts.get(p[1], 0) + 1
    write_years(sink, gene.gene_id, "gene2pubmed", counts, SOURCE_ID, (ICITE_LINK,))
    write_top(sink, gene.gene_id, papers)
    ctx.scratch.setdefault("retrieved", {})[SOURCE_ID] = datetime.now(UTC)


SOURCE = OnlineSource(
    id=SOURCE_ID, files=(),
    provides=("literature.earliest_year", "literature.year_range", "publications.top"),
    load=load, fetch=fetch,
)
