"""The review queue's schema, changed only by numbered migrations.

Each migration is a function ``m<NNNN>_<name>(conn)`` listed in ``MIGRATIONS`` in order.
``migrate(conn)`` applies the ones not yet recorded in the ``migrations`` table, each in its
own transaction together with its record, so an interrupted upgrade leaves the file at the
previous version. Never edit a migration that has shipped: add the next one.

The queue holds curators' work and is never rebuilt, so every table is append-only:
triggers refuse UPDATE and DELETE on drafts, reviews and model calls.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from writer.errors import BadFile

Migration = Callable[[sqlite3.Connection], None]


def _append_only(conn: sqlite3.Connection, table: str) -> None:
    for op in ("UPDATE", "DELETE"):
        conn.execute(
            f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
        )


def m0001_initial(conn: sqlite3.Connection) -> None:
    """Drafts (written by ``writer draft``), the model calls behind them, and reviews."""
    conn.execute(
        """
        CREATE TABLE drafts (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            gene_id         INTEGER NOT NULL,
            symbol          TEXT NOT NULL COLLATE NOCASE,
            created         TEXT NOT NULL,          -- ISO 8601, UTC
            text            TEXT NOT NULL,          -- the page (Markdown with front matter)
            factsheet_hash  TEXT NOT NULL,
            prompt_hashes   TEXT NOT NULL,          -- JSON {prompt file: sha256}
            sections        TEXT NOT NULL,          -- JSON {section: {phraser, model, ...}}
            findings        TEXT NOT NULL,          -- JSON [finding]
            findings_count  INTEGER NOT NULL,
            usage           TEXT NOT NULL,          -- JSON {prompt_tokens, completion_tokens, ...}
            duration_s      REAL NOT NULL
        )
        """
    )
    conn.execute("CREATE INDEX drafts_gene ON drafts(gene_id)")
    conn.execute("CREATE INDEX drafts_symbol ON drafts(symbol)")
    conn.execute(
        """
        CREATE TABLE model_calls (
            id                 INTEGER PRIMARY KEY AUTOINCREMENT,
            draft_id           INTEGER NOT NULL REFERENCES drafts(id),
            section            TEXT NOT NULL,
            attempt            INTEGER NOT NULL,
            model              TEXT NOT NULL,
            prompt             TEXT NOT NULL,       -- JSON messages or plain text; never a key
            response           TEXT,
            prompt_tokens      INTEGER,
            completion_tokens  INTEGER,
            duration_s         REAL NOT NULL,
            error              TEXT
        )
        """
    )
    conn.execute("CREATE INDEX model_calls_draft ON model_calls(draft_id)")
    conn.execute(
        """
        CREATE TABLE reviews (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            draft_id        INTEGER NOT NULL REFERENCES drafts(id),
            action          TEXT NOT NULL CHECK (action IN ('accepted', 'edited', 'rejected')),
            reviewer        TEXT NOT NULL CHECK (length(reviewer) > 0),
            text            TEXT NOT NULL,          -- the final text after this review
            diff            TEXT NOT NULL,          -- unified diff, draft -> final text
            comment         TEXT,
            findings        TEXT NOT NULL,          -- JSON [finding] on the final text
            findings_count  INTEGER NOT NULL,
            override        INTEGER NOT NULL DEFAULT 0,  -- accepted despite findings
            created         TEXT NOT NULL,
            based_on        INTEGER NOT NULL,       -- id of the latest review seen, 0 = draft
            UNIQUE (draft_id, based_on)             -- two saves on one version: one wins
        )
        """
    )
    conn.execute("CREATE INDEX reviews_draft ON reviews(draft_id, id)")
    for table in ("drafts", "model_calls", "reviews"):
        _append_only(conn, table)


def m0002_listing_index(conn: sqlite3.Connection) -> None:
    """A covering index for the queue listing: paging through 10,000 drafts reads this
    index, not the drafts' texts."""
    conn.execute(
        "CREATE INDEX drafts_list ON drafts(id, gene_id, symbol, created, findings_count)"
    )


def m0003_draft_inputs(conn: sqlite3.Connection) -> None:
    """What made each draft, and which pending draft a newer draft of its gene replaces.

    ``inputs`` is one digest of the fact sheet's hash, the template and prompt hashes, the
    phraser and model (``writer.draft.inputs_digest``): a gene whose latest draft has the
    same digest is not drafted again. ``supersedes`` is the id of the gene's pending draft
    that this one replaces; the older draft's row and history stay, its status becomes
    ``superseded``. ``facts_store`` identifies the fact store file the sheet came from
    (``writer.store.FactStore.identity``): while it is the same file, the sheet's hash is
    too, so an unchanged gene is skipped without reading its facts. ``gene_type`` is the
    gene's type when drafted (protein-coding, ncRNA, ...), for the queue's filters. Older
    rows have none of these (NULL)."""
    conn.execute("ALTER TABLE drafts ADD COLUMN inputs TEXT")
    conn.execute("ALTER TABLE drafts ADD COLUMN facts_store TEXT")
    conn.execute("ALTER TABLE drafts ADD COLUMN gene_type TEXT")
    conn.execute("ALTER TABLE drafts ADD COLUMN supersedes INTEGER REFERENCES drafts(id)")
    conn.execute("CREATE INDEX drafts_gene_latest ON drafts(gene_id, id)")
    conn.execute("CREATE INDEX drafts_supersedes ON drafts(supersedes) "
                 "WHERE supersedes IS NOT NULL")
    conn.execute("CREATE INDEX drafts_type ON drafts(gene_type, id) "
                 "WHERE gene_type IS NOT NULL")


def m0004_section_inputs(conn: sqlite3.Connection) -> None:
    """What made each section of a draft, and the accepted draft a redraft started from.

    ``section_inputs`` is JSON {section: digest of its facts, template, prompts, phraser and
    model} (``writer.draft.section_inputs``); ``redraft_of`` is the gene's accepted draft
    whose sections with unchanged inputs the draft kept as accepted (``writer.redraft``).
    Older rows have neither (NULL): a redraft from them phrases every section."""
    conn.execute("ALTER TABLE drafts ADD COLUMN section_inputs TEXT")
    conn.execute("ALTER TABLE drafts ADD COLUMN redraft_of INTEGER REFERENCES drafts(id)")


MIGRATIONS: list[tuple[int, Migration]] = [
    (1, m0001_initial),
    (2, m0002_listing_index),
    (3, m0003_draft_inputs),
    (4, m0004_section_inputs),
]


def current_version(conn: sqlite3.Connection) -> int:
    row = conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name='migrations'"
    ).fetchone()
    if row is None:
        return 0
    (version,) = conn.execute("SELECT coalesce(max(id), 0) FROM migrations").fetchone()
    return int(version)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date; returns the version. ``conn`` must be in autocommit mode."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations "
            "(id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)"
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    known = {number for number, _ in MIGRATIONS}
    newest = max(known)
    version = current_version(conn)
    if version > newest:
        raise BadFile(
            f"the review queue was written by a newer gene-writer (schema {version}, "
            f"this one knows {newest}); upgrade gene-writer"
        )
    for number, func in MIGRATIONS:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the write lock: another process may have migrated meanwhile.
            if conn.execute("SELECT 1 FROM migrations WHERE id=?", (number,)).fetchone():
                conn.execute("COMMIT")
                continue
            func(conn)
            conn.execute(
                "INSERT INTO migrations VALUES (?,?,?)",
                (number, func.__name__, datetime.now(UTC).isoformat(timespec="seconds")),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return current_version(conn)
