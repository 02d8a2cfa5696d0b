"""What every online source shares: its spec, its files, reading them by column name, and
the facts of one gene fetched on demand.

An online source module (``ncbi_gene``, ``gene_ontology``, ``pubtator3``, ``icite``,
``reactome``) defines ``SOURCE``, an ``OnlineSource``:

- ``files``: the bulk files a whole-genome ``sync`` needs (``Remote``: URL, optional md5 URL);
- ``load(ctx)``: reads them (``ctx.files``) and writes facts through ``ctx.builder``; sources
  hand data to later ones in scratch tables of the builder (PMIDs for iCite, GO names for
  gene2go), dropped before the store is finished;
- ``fetch(gene, ctx)``: optional, the facts of one gene from the service's per-gene API, for
  ``writer facts GENE --online`` when no bulk sync was made.

Bulk files are refreshed with ``refresh_file``: a HEAD compares the server's validators with
the ones recorded beside the cached copy, so a second sync re-downloads only what changed.

Formats: where a file has a header, it is read by column name (``columns``); a missing
column fails the sync with a ``FileFormatError`` (exit code 2) naming it and the file, never
a silent guess.
Headerless files (Reactome, PubTator) are checked row by row for their column count and
identifier shapes.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from writer import catalog, crosscheck
from writer.errors import FileFormatError, SyncError
from writer.factsheet import (
    FACT_KEYS,
    OFFLINE_SECTIONS,
    CrossCheck,
    Fact,
    FactSheet,
    Item,
    Link,
    SourceRef,
)
from writer.http import Fetcher
from writer.progress import QUIET, Progress
from writer.sources import UNREADABLE, unreadable
from writer.store import FactStore, StoreBuilder

if TYPE_CHECKING:
    from writer.config import Settings

FactValue = int | float | str | Sequence[Item]


@dataclass(frozen=True)
class Remote:
    """One upstream file of a bulk sync."""

    name: str  # short name used in versions and messages: "gene_info"
    url: str
    md5_url: str | None = None


@dataclass(frozen=True)
class FileInfo:
    """A bulk file on disk, as the server last described it."""

    path: Path
    release: str  # YYYY-MM-DD from Last-Modified ("" when the server gave none)
    retrieved_at: datetime
    downloaded: bool  # False: the cached copy was still current
    size: int


@dataclass(frozen=True)
class GeneRef:
    """The gene a per-gene fetch is for."""

    gene_id: int
    symbol: str


@dataclass
class SyncContext:
    builder: StoreBuilder
    fetcher: Fetcher
    files: dict[str, FileInfo]
    work_dir: Path  # cache folder of this source (for its own state, e.g. iCite's records)
    progress: Progress = QUIET
    versions: list[str] = field(default_factory=list)  # "gene_info 2026-07-01", for the ref


@dataclass
class FetchContext:
    fetcher: Fetcher
    work_dir: Path
    sheet_facts: dict[str, Fact]  # the facts known so far (offline + earlier sources)
    scratch: dict[str, Any] = field(default_factory=dict)  # handed between sources


@dataclass(frozen=True)
class OnlineSource:
    id: str
    files: tuple[Remote, ...]
    provides: tuple[str, ...]
    load: Callable[[SyncContext], None]
    fetch: Callable[[GeneRef, FetchContext, FactCollector], None] | None = None

    @property
    def spec(self) -> catalog.SourceSpec:
        return catalog.source(self.id)


def ref(source_id: str, version: str, release_date: str) -> SourceRef:
    spec = catalog.source(source_id)
    return SourceRef(id=spec.id, name=spec.name, version=version, release_date=release_date,
                     licence=spec.licence, url=spec.url)


# --- facts of one gene ----------------------------------------------------------------------
class FactCollector:
    """The ``StoreBuilder.add_fact`` interface for one gene fetched on demand: the same
    source code writes a bulk store or one gene's facts."""

    def __init__(self, gene_id: int) -> None:
        self.gene_id = gene_id
        self.facts: dict[str, Fact] = {}

    def add_fact(self, gene_id: int, key: str, value: FactValue, *, source: str,
                 links: Sequence[Link] = ()) -> None:
        if key not in FACT_KEYS:
            raise SyncError(f"source {source} wrote unknown fact key {key!r}")
        if gene_id != self.gene_id:
            return
        spec = catalog.fact(key)
        stored: Any = tuple(value) if isinstance(value, (list, tuple)) else value
        self.facts[key] = Fact(key=key, label=FACT_KEYS[key], value=stored,
                               unit=spec.unit if spec else None, source=source,
                               links=tuple(links))


# --- bulk files ---------------------------------------------------------------------------------
class _FileMeta(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str
    etag: str | None
    last_modified: str | None
    size: int
    retrieved_at: datetime


def release_of(last_modified: str | None) -> str:
    if not last_modified:
        return ""
    try:
        return parsedate_to_datetime(last_modified).date().isoformat()
    except (TypeError, ValueError):
        return ""


def refresh_file(fetcher: Fetcher, remote: Remote, dest: Path,
                 progress: Progress = QUIET) -> FileInfo:
    """``dest`` holding the current ``remote``: kept when the server shows the same validators
    (ETag, else Last-Modified, and size) as when it was downloaded, asked with a HEAD, or a
    conditional GET of one byte when HEAD is refused (``Fetcher.remote_file``); else downloaded
    again (resumable, md5-checked where published, never half-written; ``Fetcher.download``)."""
    sidecar = dest.with_name(dest.name + ".meta.json")
    try:
        meta: _FileMeta | None = _FileMeta.model_validate_json(sidecar.read_bytes())
    except (OSError, ValidationError):
        meta = None
    if meta is not None and meta.url == remote.url and dest.exists() \
            and dest.stat().st_size == meta.size:
        state = fetcher.remote_file(remote.url, etag=meta.etag,
                                    last_modified=meta.last_modified)
        etag, modified = state.etag, state.last_modified
        same = state.not_modified or state.ok and (etag or modified) is not None and (
            (etag is not None and etag == meta.etag)
            or (etag is None and modified is not None and modified == meta.last_modified)
        ) and (state.size is None or state.size == meta.size)
        if same:
            now = datetime.now(UTC)
            sidecar.write_text(meta.model_copy(update={"retrieved_at": now}).model_dump_json())
            progress.step(f"{remote.name}: unchanged since {release_of(meta.last_modified)}")
            return FileInfo(dest, release_of(meta.last_modified), now, False, meta.size)
    result = fetcher.download(remote.url, dest, md5_url=remote.md5_url, progress=progress)
    fresh = _FileMeta(url=remote.url, etag=result.etag, last_modified=result.last_modified,
                      size=result.size, retrieved_at=result.retrieved_at)
    sidecar.write_text(fresh.model_dump_json())
    return FileInfo(dest, release_of(result.last_modified), result.retrieved_at, True,
                    result.size)


def open_lines(path: Path) -> Iterator[str]:
    """The lines of a text file, gunzipped when it ends in .gz (the one member of a .zip),
    without line ends."""
    if path.suffix == ".zip":
        yield from _zip_lines(path)
        return
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:  # type: ignore[operator]
        for line in fh:
            yield line.rstrip("\r\n")


def _zip_lines(path: Path) -> Iterator[str]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise SyncError(f"{path.name}: not a zip archive ({exc})") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) != 1:
            raise SyncError(f"{path.name}: expected one file in the archive, found "
                            f"{len(members)}")
        with archive.open(members[0]) as raw, io.TextIOWrapper(raw, "utf-8", newline="") as fh:
            for line in fh:
                yield line.rstrip("\r\n")


def columns(header: str, required: Sequence[str], where: str) -> dict[str, int]:
    """Column name -> index from a tab-separated header (a leading ``#`` and the older
    ``#Format:`` spelling allowed); ``SyncError`` naming every required column missing."""
    text = header.lstrip("#")
    if text.startswith("Format:"):
        names = text.removeprefix("Format:").split()
    else:
        names = [n.strip() for n in text.split("\t")]
    index = {name: i for i, name in enumerate(names)}
    missing = [c for c in required if c not in index]
    if missing:
        raise FileFormatError(f"{where}: the header lacks column {', '.join(missing)} "
                        f"(it has: {', '.join(names)}); the file format changed")
    return index


def read_table(path: Path, required: Sequence[str], where: str,
               keep: Callable[[str], bool] | None = None) -> Iterator[dict[str, str]]:
    """Rows of a tab-separated file with a header, as {column: value} for ``required``.

    ``keep(line)`` is a fast prefilter on the raw line (e.g. the tax id); a row with fewer
    fields than the header is an error naming the line number.
    """
    lines = open_lines(path)
    header = next(lines, None)
    if header is None:
        raise SyncError(f"{where}: the file is empty")
    index = columns(header, required, where)
    width = max(index[c] for c in required) + 1
    for number, line in enumerate(lines, 2):
        if keep is not None and not keep(line):
            check_columns(line.count("\t") + 1, number, where, width)
            continue
        fields = line.split("\t")
        check_columns(len(fields), number, where, width)
        yield {c: fields[index[c]] for c in required}


def check_columns(count: int, number: int, where: str, width: int, *,
                  exact: bool = False) -> None:
    """The one rule for the columns of a row of a tab-separated file: at least ``width`` (a
    file read by its header's names), or exactly ``width`` (``exact``: a headerless file);
    otherwise a ``SyncError`` naming the file and line. A row a prefilter skips is still a
    row: pass ``line.count("\t") + 1`` (no split), so a cut or foreign file shows there too."""
    if count < width or (exact and count != width):
        raise SyncError(f"{where} line {number}: {count} columns, expected "
                        f"{'' if exact else 'at least '}{width}")


def json_field(record: dict[str, Any], key: str, where: str) -> Any:
    """``record[key]``, or a ``SyncError`` naming the missing key and the keys present."""
    if not isinstance(record, dict) or key not in record:
        have = ", ".join(sorted(record)) if isinstance(record, dict) else type(record).__name__
        raise SyncError(f"{where}: no key {key!r} in the answer (it has: {have}); "
                        f"the service's format changed")
    return record[key]


def parse_json(body: bytes, where: str) -> Any:
    try:
        return json.loads(body)
    except ValueError as exc:
        raise SyncError(f"{where}: the answer is not JSON ({exc})") from None


# --- running them ------------------------------------------------------------------------------
SCRATCH_TABLES = ("online_go_terms", "online_pmids")


def source_dir(cache_dir: Path, source_id: str) -> Path:
    return cache_dir / "online" / source_id


def load_all(builder: StoreBuilder, sources: Sequence[OnlineSource], fetcher: Fetcher,
             cache_dir: Path, progress: Progress = QUIET) -> None:
    """Refresh each source's files and load them into ``builder``, in order; record each
    source with its files' dates as version and when it was retrieved."""
    for source in sources:
        work = source_dir(cache_dir, source.id)
        work.mkdir(parents=True, exist_ok=True)
        progress.step(f"online: {source.spec.name}")
        files = {r.name: refresh_file(fetcher, r, work / r.url.rsplit("/", 1)[-1], progress)
                 for r in source.files}
        ctx = SyncContext(builder, fetcher, files, work, progress)
        builder.add_source(ref(source.id, "", ""), source.provides)
        try:
            source.load(ctx)
        except UNREADABLE as exc:
            raise unreadable(source.id, exc, "as downloaded") from None
        builder.flush()
        now = datetime.now(UTC)
        retrieved = min((f.retrieved_at for f in files.values()), default=now)
        release = max((f.release for f in files.values()), default="") or now.date().isoformat()
        version = "; ".join(ctx.versions) + f" (retrieved {retrieved.date().isoformat()})"
        builder.add_source(ref(source.id, version, release), source.provides)
        builder.set_retrieved(source.id, retrieved)
    builder.conn.executescript("".join(f"DROP TABLE IF EXISTS {t};" for t in SCRATCH_TABLES))


# --- one gene on demand -------------------------------------------------------------------------
GENE_CACHE_HOURS = 24  # a gene fetched on demand is asked for again after this


def _key_order(key: str) -> int:
    keys = list(FACT_KEYS)
    return keys.index(key) if key in keys else len(keys)


def _sheet_cache(cache_dir: Path, gene_id: int) -> Path:
    return source_dir(cache_dir, "genes") / f"{gene_id}.json"


def fetch_gene(sheet: FactSheet, sources: Sequence[OnlineSource], fetcher: Fetcher,
               cache_dir: Path, progress: Progress = QUIET) -> FactSheet:
    """``sheet`` with what the per-gene APIs say today: their facts replace the offline ones
    of the same keys (each replaced value cross-checked against the old one), and each
    source is named with the date it was retrieved. The result is cached for a day under
    ``<cache>/online/genes/``, so repeating the command asks nothing."""
    cached = _sheet_cache(cache_dir, sheet.gene_id)
    try:
        hit = FactSheet.model_validate_json(cached.read_bytes())
        age = datetime.now(UTC) - datetime.fromisoformat(
            min(s.release_date for s in hit.sources.values() if s.id in _ids(sources)))
        if age.total_seconds() < GENE_CACHE_HOURS * 3600 and hit.gene_id == sheet.gene_id:
            return hit
    except (OSError, ValidationError, ValueError):
        pass
    scratch: dict[str, Any] = {}
    online: dict[str, Fact] = {}
    gene = GeneRef(sheet.gene_id, sheet.symbol)
    for source in sources:
        if source.fetch is None:
            continue
        progress.step(f"fetching {gene.symbol} from {source.spec.name}")
        work = source_dir(cache_dir, source.id)
        work.mkdir(parents=True, exist_ok=True)
        sink = FactCollector(sheet.gene_id)
        try:
            source.fetch(gene, FetchContext(fetcher, work, {**sheet.facts, **online}, scratch),
                         sink)
        except UNREADABLE as exc:  # as in a sync: one line naming the source, nothing cached
            raise unreadable(source.id, exc, "as downloaded") from None
        online.update(sink.facts)
    retrieved: dict[str, datetime] = scratch.get("retrieved", {})
    refs = {sid: ref(sid, f"per-gene API, retrieved {when.date().isoformat()}",
                     when.isoformat(timespec="seconds"))
            for sid, when in retrieved.items()}
    merged = dict(sheet.facts)
    for key, fact in online.items():
        old = sheet.facts.get(key)
        if old is not None and old.source != fact.source:
            src = sheet.sources.get(old.source)
            label = f"{src.name.split(' (')[0]} {src.version.split(' ')[0]}" if src \
                else old.source
            agree, detail = crosscheck.compare_replaced(key, fact.value, old.value, label)
            spec = catalog.fact(key)
            name = f"{spec.label if spec else key}: {fact.source} today vs {label}"
            fact = fact.model_copy(update={"checks": (
                CrossCheck(name=name, status="agree" if agree else "disagree", detail=detail),
            )})
        merged[key] = fact
    facts = dict(sorted(merged.items(), key=lambda kv: _key_order(kv[0])))
    used = {f.source for f in facts.values()}
    all_refs = {**sheet.sources, **refs}
    present = {k.split(".", 1)[0] for k in facts}
    symbol = facts["identity.symbol"].value if "identity.symbol" in facts else sheet.symbol
    result = FactSheet(
        gene_id=sheet.gene_id, symbol=str(symbol), facts=facts,
        sources={s: all_refs[s] for s in sorted(used) if s in all_refs},
        missing_sections=tuple(s for s in OFFLINE_SECTIONS if s not in present),
    )
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_name(cached.name + ".partial")
    tmp.write_text(result.to_json())
    os.replace(tmp, cached)
    return result


def _ids(sources: Sequence[OnlineSource]) -> set[str]:
    return {s.id for s in sources}


def current_sheet(store: FactStore, gene_id: int, settings: Settings, online: bool,
                  progress: Progress = QUIET) -> FactSheet:
    """The fact sheet of ``gene_id``; with ``online``, brought up to date by the per-gene
    APIs unless the store already holds an online sync (then it is current as synced)."""
    sheet = store.sheet(gene_id)
    if not online or any(r["kind"] == "online" for r in store.source_rows()):
        return sheet
    from writer.sources import online_sources

    with Fetcher(settings.http) as fetcher:
        return fetch_gene(sheet, online_sources(), fetcher, settings.cache_dir, progress)


# --- status ------------------------------------------------------------------------------------
def staleness(row: dict[str, Any], now: datetime | None = None) -> str | None:
    """Why an online source's sync is stale (older than its ``stale_after_days``), or None."""
    spec = catalog.sources().get(row["id"])
    when = row.get("retrieved_at")
    if spec is None or not spec.stale_after_days or not when:
        return None
    age = (now or datetime.now(UTC)) - datetime.fromisoformat(when)
    if age.days <= spec.stale_after_days:
        return None
    return f"retrieved {age.days} days ago; refresh after {spec.stale_after_days}"


def not_synced(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Online sources of the catalogue that the store does not hold."""
    have = {r["id"] for r in rows}
    from writer.sources import online_sources

    return [s.id for s in online_sources() if s.id not in have]


def opt_in_not_synced(rows: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """Opt-in sources of the catalogue that the store does not hold, each with its name,
    licence and the command that syncs it, so a curator can find them."""
    have = {r["id"] for r in rows}
    from writer.sources import opt_in_sources

    out = []
    for s in opt_in_sources():
        if s.id not in have:
            spec = catalog.source(s.id)
            out.append({"id": s.id, "name": spec.name, "licence": spec.licence,
                        "sync": f"writer data sync --source {s.id}"})
    return out
