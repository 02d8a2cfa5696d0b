"""``writer data diff``: how many genes and sections the latest sync changed.

At the end of every sync (``writer.sync``), before the new fact store replaces the old one,
``record`` writes into the new store a digest of each gene's facts per page section
(``section_digests``: every fact row of the section's keys, in the catalogue's sense, with
its cross-checks, its percentile's population and the names of the sources it cites, with
their releases for a section whose text states them, plus the gene's symbol), and copies
the old store's digests beside them (``previous_digests``; a store built before digests were
kept has its digests computed once, from its rows). ``diff`` then
compares the two tables in SQL, so it takes a second for the whole genome:

    report = diff(settings.facts_path)
    report.genes_changed, report.sections        # {"function": 812, "structure": 40, ...}

A section counts as changed for a gene when its digest differs, or when the section has facts
in one store and none in the other, except when all its facts came from sources the sync left
out (``writer data sync --source X``): those sections are not in the new store because they
were not synced, not because their facts changed, and ``record`` lists them apart
(``left_out``: the report's ``sources_left_out`` and ``sections_left_out``). The digests here
are of the store's rows; a draft's are of the fact sheet (``writer.sections.facts_digest``):
both cover the same facts of a section.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from writer import catalog
from writer.errors import BadFile, NoFactStore

TABLES = """
CREATE TABLE IF NOT EXISTS {name} (
    gene_id INTEGER NOT NULL, section TEXT NOT NULL, digest BLOB NOT NULL,
    PRIMARY KEY (gene_id, section)
) WITHOUT ROWID;
"""


def _section_of() -> dict[str, str]:
    """Fact key prefix -> section name (the catalogue's)."""
    return {s.prefix: s.name for s in catalog.sections() if s.prefix}


def digests(conn: sqlite3.Connection) -> Iterator[tuple[int, str, bytes]]:
    """(gene, section, digest) of every gene's facts in the fact store open on ``conn``."""
    sections = _section_of()
    releases = {s.name for s in catalog.sections() if s.release_in_text}
    sources = {r[0]: list(r[1:]) for r in conn.execute(
        "SELECT id, name, version, release_date FROM sources")}
    populations = {r[0]: list(r[1:]) for r in conn.execute(
        "SELECT key, description, size FROM populations")}
    checks: dict[tuple[int, str], list[list[str]]] = defaultdict(list)
    for gene_id, key, *rest in conn.execute(
            "SELECT gene_id, key, name, status, detail FROM checks ORDER BY gene_id, key, name"):
        checks[(gene_id, key)].append(rest)
    symbols = dict(conn.execute("SELECT gene_id, symbol FROM genes"))
    current: tuple[int, str] | None = None
    digest = hashlib.blake2b(digest_size=16)
    for gene_id, key, value, unit, source, links, percentile in conn.execute(
            "SELECT gene_id, key, value, unit, source, links, percentile FROM facts "
            "ORDER BY gene_id, key"):
        section = sections.get(key.split(".", 1)[0])
        if section is None:
            continue
        if current != (gene_id, section):
            if current is not None:
                yield (*current, digest.digest())
            current = (gene_id, section)
            digest = hashlib.blake2b(digest_size=16)
            digest.update(json.dumps(symbols.get(gene_id)).encode())
        ref = sources.get(source)
        row = [key, value, unit, source, links, percentile,
               ref if section in releases or ref is None else ref[0],
               populations.get(key) if percentile is not None else None,
               checks.get((gene_id, key))]
        digest.update(json.dumps(row).encode())
    if current is not None:
        yield (*current, digest.digest())


LEFT_OUT = """
CREATE TABLE IF NOT EXISTS left_out (
    gene_id INTEGER NOT NULL, section TEXT NOT NULL, PRIMARY KEY (gene_id, section)
) WITHOUT ROWID;
"""


def record(new: Path, old: Path | None) -> None:
    """Write the new store's digests, and the old store's as ``previous_digests`` (none when
    there is no old store, or it cannot be read), with the sections of the old store whose
    facts all came from sources the new one was built without (``left_out``)."""
    conn = sqlite3.connect(new)
    try:
        conn.execute(TABLES.format(name="section_digests"))
        conn.execute(TABLES.format(name="previous_digests"))
        conn.execute(LEFT_OUT)
        conn.execute("DELETE FROM section_digests")  # written once per store; again: anew
        conn.execute("DELETE FROM previous_digests")
        conn.execute("DELETE FROM left_out")
        conn.execute("DELETE FROM meta WHERE key='sources_left_out'")
        conn.executemany("INSERT INTO section_digests VALUES (?,?,?)", list(digests(conn)))
        if old is not None and old.exists():
            synced = {r[0] for r in conn.execute("SELECT id FROM sources")}
            previous = _previous(old, synced)
            if previous is not None:
                rows, when, dropped, left_out = previous
                conn.executemany("INSERT INTO previous_digests VALUES (?,?,?)", rows)
                conn.executemany("INSERT INTO left_out VALUES (?,?)", left_out)
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('previous_sync', ?)", (when,))
                conn.execute("INSERT INTO meta VALUES ('sources_left_out', ?)",
                             (json.dumps(dropped),))
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('synced', ?)",
                     (datetime.now(UTC).isoformat(timespec="seconds"),))
        conn.commit()
    finally:
        conn.close()


def _previous(old: Path, synced: set[str]) -> tuple[
        list[tuple[int, str, bytes]], str, list[str], list[tuple[int, str]]] | None:
    """The old store's digests and sync time, the sources it holds that are not in
    ``synced`` (the new store's), and its (gene, section) pairs whose facts all came from
    those sources."""
    try:
        conn = sqlite3.connect(f"file:{old}?mode=ro", uri=True)
    except sqlite3.DatabaseError:
        return None
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        when = meta.get("synced") or datetime.fromtimestamp(
            old.stat().st_mtime, UTC).isoformat(timespec="seconds")
        has = conn.execute("SELECT 1 FROM sqlite_master WHERE name='section_digests'").fetchone()
        rows = list(conn.execute("SELECT gene_id, section, digest FROM section_digests")
                    if has else digests(conn))
        dropped = sorted(r[0] for r in conn.execute("SELECT id FROM sources")
                         if r[0] not in synced)
        return rows, when, dropped, _only_from(conn, dropped)
    except sqlite3.DatabaseError:  # an old store of another shape: nothing to compare with
        return None
    finally:
        conn.close()


def _only_from(conn: sqlite3.Connection, sources: list[str]) -> list[tuple[int, str]]:
    """(gene, section) pairs of the store on ``conn`` whose facts all came from ``sources``."""
    if not sources:
        return []
    sections = _section_of()
    marks = ",".join("?" * len(sources))
    out = []
    for gene_id, prefix, others in conn.execute(
            "SELECT gene_id, substr(key, 1, instr(key, '.') - 1) AS prefix, "
            f"sum(source NOT IN ({marks})) FROM facts GROUP BY gene_id, prefix", sources):
        if not others and prefix in sections:
            out.append((gene_id, sections[prefix]))
    return out


@dataclass
class DataDiff:
    """What the latest sync changed, against the store it replaced."""

    synced: str | None
    previous_sync: str | None
    genes: int = 0  # genes in the current store
    genes_added: int = 0
    genes_removed: int = 0
    genes_changed: int = 0  # in both stores, with at least one section changed
    sections_changed: int = 0  # (gene, section) pairs changed, added or removed
    sections: dict[str, int] = field(default_factory=dict)  # per section: genes changed
    # sources of the replaced store that this sync left out (``--source``), and per section
    # the genes whose facts all came from them: not in this store, not counted as changed
    sources_left_out: list[str] = field(default_factory=list)
    sections_left_out: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return asdict(self)

    def lines(self) -> list[str]:
        if self.previous_sync is None:
            return [f"the fact store ({self.genes:,} genes) has no earlier sync to compare "
                    "with: `writer data diff` shows what the next sync changes"]
        out = [f"sync of {self.synced} against the sync of {self.previous_sync}:",
               f"  {self.genes_changed:,} of {self.genes:,} genes changed "
               f"({self.sections_changed:,} sections); {self.genes_added:,} genes added, "
               f"{self.genes_removed:,} removed"]
        for name in catalog.SECTION_ORDER:
            if self.sections.get(name):
                out.append(f"  {name}: {self.sections[name]:,} genes")
        if self.sources_left_out:
            left = ", ".join(f"{name} {self.sections_left_out[name]:,} genes"
                             for name in catalog.SECTION_ORDER
                             if self.sections_left_out.get(name))
            out.append(f"  not synced this time: {', '.join(self.sources_left_out)}; their "
                       f"facts are not in this store ({left or 'none'}): a sync with "
                       "them brings them back")
        return out


_CHANGED = """
SELECT n.gene_id, n.section FROM section_digests n LEFT JOIN previous_digests o
    ON o.gene_id = n.gene_id AND o.section = n.section WHERE o.digest IS NOT n.digest
UNION ALL
SELECT o.gene_id, o.section FROM previous_digests o LEFT JOIN section_digests n
    ON n.gene_id = o.gene_id AND n.section = o.section WHERE n.digest IS NULL
"""
_NOT_LEFT_OUT = """ AND NOT EXISTS (
    SELECT 1 FROM left_out l WHERE l.gene_id = o.gene_id AND l.section = o.section)
"""


def diff(path: Path) -> DataDiff:
    """Compare the fact store at ``path`` with the store its sync replaced."""
    if not path.exists():
        raise NoFactStore(path)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.DatabaseError as exc:
        raise NoFactStore(f"{path} (unreadable: {exc})") from None
    try:
        if not conn.execute(
                "SELECT 1 FROM sqlite_master WHERE name='section_digests'").fetchone():
            raise BadFile(f"the fact store {path} was built before syncs kept section digests: "
                          "run `writer data sync` (the next sync compares with it)")
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        out = DataDiff(synced=meta.get("synced"), previous_sync=meta.get("previous_sync"),
                       sources_left_out=json.loads(meta.get("sources_left_out", "[]")))
        out.genes = conn.execute(
            "SELECT count(DISTINCT gene_id) FROM section_digests").fetchone()[0]
        if out.previous_sync is None:
            return out
        changed = _CHANGED
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name='left_out'").fetchone():
            changed += _NOT_LEFT_OUT  # (a store recorded before left_out was kept has none)
            out.sections_left_out = dict(conn.execute(
                "SELECT l.section, count(*) FROM left_out l LEFT JOIN section_digests n "
                "ON n.gene_id = l.gene_id AND n.section = l.section WHERE n.digest IS NULL "
                "GROUP BY l.section"))
        before = "SELECT DISTINCT gene_id FROM previous_digests"
        after = "SELECT DISTINCT gene_id FROM section_digests"
        out.genes_added = conn.execute(
            f"SELECT count(*) FROM ({after} EXCEPT {before})").fetchone()[0]
        out.genes_removed = conn.execute(
            f"SELECT count(*) FROM ({before} EXCEPT {after})").fetchone()[0]
        out.genes_changed = conn.execute(
            f"SELECT count(DISTINCT gene_id) FROM ({changed}) WHERE gene_id IN ({before}) "
            f"AND gene_id IN ({after})").fetchone()[0]
        out.sections = dict(conn.execute(
            f"SELECT section, count(*) FROM ({changed}) GROUP BY section"))
        out.sections_changed = sum(out.sections.values())
        return out
    except sqlite3.DatabaseError as exc:
        raise BadFile(f"the fact store {path} is damaged ({exc}): run `writer data sync` "
                      "to rebuild it") from None
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.close()
