"""The batch state, ``<home>/batch.sqlite``: the runs exported (model settings, page
options, prompt and template hashes), each (gene, section)'s fact-sheet hash and grounding
loop, the requests files of each round and the part each request went to, and the batches
submitted from them as the endpoint last described them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from writer.errors import BadFile

if TYPE_CHECKING:
    from writer.config import Settings
    from writer.factsheet import FactSheet


STATE_FILE = "batch.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,        -- the export's id, first part of every custom_id
    created TEXT NOT NULL,
    model TEXT NOT NULL,
    config TEXT NOT NULL,       -- JSON: prompt_variant, max_tokens, temperature, max_reasks
    page TEXT NOT NULL,         -- JSON: date, tags, categories
    hashes TEXT NOT NULL,       -- JSON: template and prompt hashes at export
    facts_store TEXT,           -- the fact store's identity at export
    max_requests INTEGER NOT NULL  -- requests per file at most
);
CREATE TABLE IF NOT EXISTS sections (
    run TEXT NOT NULL REFERENCES runs(id),
    gene_id INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    section TEXT NOT NULL,
    sheet_hash TEXT NOT NULL,   -- the fact sheet's hash at export
    round INTEGER NOT NULL,     -- the round whose answer is awaited (or came last)
    state TEXT NOT NULL,        -- waiting | settled | stale | queued
    loop TEXT,                  -- JSON: the grounding loop after round 1 (answers._save)
    PRIMARY KEY (run, gene_id, section)
);
CREATE TABLE IF NOT EXISTS files (  -- the requests files written, each round's in parts
    run TEXT NOT NULL REFERENCES runs(id),
    round INTEGER NOT NULL,
    part INTEGER NOT NULL,      -- 1, 2, ... in the order written
    path TEXT NOT NULL,
    requests INTEGER NOT NULL,
    PRIMARY KEY (run, round, part)
);
CREATE TABLE IF NOT EXISTS sent (   -- the file part each request of a round went to
    run TEXT NOT NULL,
    gene_id INTEGER NOT NULL,
    section TEXT NOT NULL,
    round INTEGER NOT NULL,
    part INTEGER NOT NULL,
    PRIMARY KEY (run, gene_id, section, round)
);
CREATE TABLE IF NOT EXISTS batches (  -- batches made by `writer batch submit` here
    id TEXT PRIMARY KEY,
    run TEXT,                   -- the run and round of its requests (NULL: not one of ours)
    round INTEGER,
    path TEXT NOT NULL,         -- the requests file uploaded
    submitted TEXT NOT NULL,
    seen TEXT NOT NULL,         -- JSON: the batch as the endpoint last described it
    checked TEXT NOT NULL       -- when
);
"""


class BatchState:
    """The batch state file: exported runs and each (gene, section)'s grounding loop."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(path, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise BadFile(f"cannot open the batch state {path}: {exc}") from None

    @classmethod
    def of(cls, settings: Settings) -> BatchState:
        return cls(settings.home / STATE_FILE)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> BatchState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, run_id: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT id, model, config, page, hashes, facts_store, "
                                "max_requests FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            return None
        return {"id": row[0], "model": row[1], "config": json.loads(row[2]),
                "page": json.loads(row[3]), "hashes": json.loads(row[4]), "facts_store": row[5],
                "max_requests": row[6]}

    def section(self, run_id: str, gene_id: int, section: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT symbol, sheet_hash, round, state, loop FROM sections "
            "WHERE run = ? AND gene_id = ? AND section = ?", (run_id, gene_id, section)
        ).fetchone()
        if row is None:
            return None
        return {"symbol": row[0], "sheet_hash": row[1], "round": row[2], "state": row[3],
                "loop": json.loads(row[4]) if row[4] else None}

    def update(self, run_id: str, gene_id: int, section: str, *, round_: int, state: str,
               loop: dict[str, Any] | None) -> None:
        self.conn.execute(
            "UPDATE sections SET round = ?, state = ?, loop = ? WHERE run = ? AND gene_id = ? "
            "AND section = ?",
            (round_, state, json.dumps(loop, ensure_ascii=False) if loop else None, run_id,
             gene_id, section))

    def gene_states(self, run_id: str, gene_id: int) -> dict[str, str]:
        return dict(self.conn.execute(
            "SELECT section, state FROM sections WHERE run = ? AND gene_id = ?",
            (run_id, gene_id)).fetchall())

    def sent(self, run_id: str, gene_id: int, section: str, round_: int, part: int) -> None:
        """Record that the request of (gene, section) in ``round_`` went to file ``part``."""
        self.conn.execute("INSERT OR REPLACE INTO sent (run, gene_id, section, round, part) "
                          "VALUES (?,?,?,?,?)", (run_id, gene_id, section, round_, part))

    def wrote(self, run_id: str, round_: int, files: Sequence[tuple[Path, int]]) -> None:
        """Record the requests files of ``round_`` (path, requests), in part order."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO files (run, round, part, path, requests) VALUES (?,?,?,?,?)",
            [(run_id, round_, n, str(path), count)
             for n, (path, count) in enumerate(files, 1)])

    def part_of(self, run_id: str, gene_id: int, section: str, round_: int) -> int | None:
        """The file part the request of (gene, section) in ``round_`` went to, if recorded
        (runs exported before gene-writer recorded it have none)."""
        row = self.conn.execute("SELECT part FROM sent WHERE run = ? AND gene_id = ? AND "
                                "section = ? AND round = ?",
                                (run_id, gene_id, section, round_)).fetchone()
        return row[0] if row else None

    def unanswered(self, run_id: str, round_: int, part: int
                   ) -> list[tuple[int, str, str, str, dict | None]]:
        """(gene_id, symbol, section, sheet hash, loop) of the requests of file ``part`` of
        ``round_`` still awaiting their answer."""
        return [(gid, symbol, section, hashed, json.loads(loop) if loop else None)
                for gid, symbol, section, hashed, loop in self.conn.execute(
                    "SELECT s.gene_id, s.symbol, s.section, s.sheet_hash, s.loop FROM sent t "
                    "JOIN sections s ON s.run = t.run AND s.gene_id = t.gene_id "
                    "AND s.section = t.section WHERE t.run = ? AND t.round = ? AND t.part = ? "
                    "AND s.round = t.round AND s.state = 'waiting' ORDER BY s.gene_id, s.rowid",
                    (run_id, round_, part))]

    def file(self, run_id: str, round_: int, part: int) -> str | None:
        """The path of requests file ``part`` of ``round_``."""
        row = self.conn.execute("SELECT path FROM files WHERE run = ? AND round = ? AND "
                                "part = ?", (run_id, round_, part)).fetchone()
        return row[0] if row else None

    def submitted(self, batch: dict[str, Any], run_id: str | None, round_: int | None,
                  path: Path) -> None:
        """Record a batch made from the requests file ``path`` (``batch_json``)."""
        when = now()
        self.conn.execute("INSERT OR REPLACE INTO batches (id, run, round, path, submitted, "
                          "seen, checked) VALUES (?,?,?,?,?,?,?)",
                          (batch["id"], run_id, round_, str(path), when, json.dumps(batch), when))

    def seen(self, batch: dict[str, Any]) -> dict[str, Any]:
        """Record how the endpoint describes a batch now (``batch_json``); the batch with
        the run, round and requests file it was submitted from (None when not from here)."""
        when = now()
        self.conn.execute("UPDATE batches SET seen = ?, checked = ? WHERE id = ?",
                          (json.dumps(batch), when, batch["id"]))
        row = self.conn.execute("SELECT run, round, path FROM batches WHERE id = ?",
                                (batch["id"],)).fetchone()
        run_id, round_, path = row or (None, None, None)
        return {**batch, "run": run_id, "round": round_, "path": path, "checked": when}

    def summary(self) -> list[dict[str, Any]]:
        """Every run, oldest first, as ``writer batch status --json`` shows it."""
        runs = []
        for run_id, created, model in self.conn.execute(
                "SELECT id, created, model FROM runs ORDER BY created, rowid").fetchall():
            states = {"waiting": 0, "settled": 0, "queued": 0, "stale": 0}
            states.update(self.conn.execute(
                "SELECT state, count(*) FROM sections WHERE run = ? GROUP BY state",
                (run_id,)).fetchall())
            genes = self.conn.execute("SELECT count(DISTINCT gene_id) FROM sections WHERE "
                                      "run = ?", (run_id,)).fetchone()[0]
            waiting = [{"round": r, "requests": n} for r, n in self.conn.execute(
                "SELECT round, count(*) FROM sections WHERE run = ? AND state = 'waiting' "
                "GROUP BY round ORDER BY round", (run_id,))]
            files = [{"round": r, "part": part, "path": path, "requests": n}
                     for r, part, path, n in self.conn.execute(
                         "SELECT round, part, path, requests FROM files WHERE run = ? "
                         "ORDER BY round, part", (run_id,))]
            batches = [{**json.loads(seen), "run": run_id, "round": r, "path": path,
                        "checked": checked} for r, path, seen, checked in self.conn.execute(
                            "SELECT round, path, seen, checked FROM batches WHERE run = ? "
                            "ORDER BY submitted, rowid", (run_id,))]
            runs.append({"run": run_id, "created": created, "model": model, "genes": genes,
                         "requests": sum(states.values()), "states": states,
                         "round": waiting[-1]["round"] if waiting else None,
                         "waiting": waiting, "files": files, "batches": batches})
        return runs

    def waiting(self, run_id: str, round_: int) -> Iterator[tuple[int, str, str, dict | None]]:
        """(gene_id, symbol, section, loop) of the requests awaited in ``round_``."""
        for gid, symbol, section, loop in self.conn.execute(
                "SELECT gene_id, symbol, section, loop FROM sections WHERE run = ? AND round = ? "
                "AND state = 'waiting' ORDER BY gene_id, rowid", (run_id, round_)):
            yield gid, symbol, section, json.loads(loop) if loop else None


def now() -> str:
    from writer.draft import utcnow

    return utcnow().isoformat()


def sheet_hash(sheet: FactSheet, online: bool) -> str:
    """The hash an export records of a gene's fact sheet, which import compares with the
    sheet it judges the answers against. An online sheet (``writer.sources.online
    .current_sheet``) is hashed without its sources' versions and dates: each names the day
    it was retrieved, and a gene is fetched again after a day, while a batch may take a day
    a round; its facts (values, sources, cross-checks) are what the answers depend on."""
    if online:
        sheet = sheet.model_copy(update={"sources": {
            k: v.model_copy(update={"version": "", "release_date": ""})
            for k, v in sheet.sources.items()}})
    return sheet.content_hash()
