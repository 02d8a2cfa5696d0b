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
in one store and none in the other. The digests here are of the store's rows; a draft's are of
the fact sheet (``writer.sections.facts_digest``): both cover the same facts of a section.
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


def record(new: Path, old: Path | None) -> None:
    """Write the new store's digests, and the old store's as ``previous_digests`` (none when
    there is no old store, or it cannot be read)."""
    conn = sqlite3.connect(new)
    try:
        conn.execute(TABLES.format(name="section_digests"))
        conn.execute(TABLES.format(name="previous_digests"))
        conn.execute("DELETE FROM section_digests")  # written once per store; again: anew
        conn.execute("DELETE FROM previous_digests")
        conn.executemany("INSERT INTO section_digests VALUES (?,?,?)", list(digests(conn)))
        if old is not None and old.exists():
            previous = _previous(old)
            if previous is not None:
                rows, when = previous
                conn.executemany("INSERT INTO previous_digests VALUES (?,?,?)", rows)
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('previous_sync', ?)", (when,))
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('synced', ?)",
                     (datetime.now(UTC).isoformat(timespec="seconds"),))
        conn.commit()
    finally:
        conn.close()


def _previous(old: Path) -> tuple[list[tuple[int, str, bytes]], str] | None:
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
        return rows, when
    except sqlite3.DatabaseError:  # an old store of another shape: nothing to compare with
        return None
    finally:
        conn.close()


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
        return out


_CHANGED = """
SELECT n.gene_id, n.section FROM section_digests n LEFT JOIN previous_digests o
    ON o.gene_id = n.gene_id AND o.section = n.section WHERE o.digest IS NOT n.digest
UNION ALL
SELECT o.gene_id, o.section FROM previous_digests o LEFT JOIN section_digests n
    ON n.gene_id = o.gene_id AND n.section = o.section WHERE n.digest IS NULL
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
        out = DataDiff(synced=meta.get("synced"), previous_sync=meta.get("previous_sync"))
        out.genes = conn.execute(
            "SELECT count(DISTINCT gene_id) FROM section_digests").fetchone()[0]
        if out.previous_sync is None:
            return out
        before = "SELECT DISTINCT gene_id FROM previous_digests"
        after = "SELECT DISTINCT gene_id FROM section_digests"
        out.genes_added = conn.execute(
            f"SELECT count(*) FROM ({after} EXCEPT {before})").fetchone()[0]
        out.genes_removed = conn.execute(
            f"SELECT count(*) FROM ({before} EXCEPT {after})").fetchone()[0]
        out.genes_changed = conn.execute(
            f"SELECT count(DISTINCT gene_id) FROM ({_CHANGED}) WHERE gene_id IN ({before}) "
            f"AND gene_id IN ({after})").fetchone()[0]
        out.sections = dict(conn.execute(
            f"SELECT section, count(*) FROM ({_CHANGED}) GROUP BY section"))
        out.sections_changed = sum(out.sections.values())
        return out
    except sqlite3.DatabaseError as exc:
        raise BadFile(f"the fact store {path} is damaged ({exc}): run `writer data sync` "
                      "to rebuild it") from None
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.close()
