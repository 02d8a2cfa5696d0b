"""The review queue: one SQLite file of drafts and curators' reviews (precious, append-only).

``writer draft`` adds a ``writer.draft.DraftRecord`` (its findings, each a
``writer.check.models.Finding``, kept as JSON) and the ``writer.llm.ModelCall`` rows behind
it; curators add ``Review`` rows through the CLI or the web page. Nothing is ever updated or
deleted: a draft's status is the action of its latest review, ``pending`` when it has none,
and its current text is the latest review's text, else the draft's.

Concurrency is optimistic. A draft's *version* is the id of its latest review (0 before the
first). A review records the version it was based on; ``add_review`` refuses it with
``StaleEdit`` when another review landed in between, so two curators saving the same draft
never overwrite each other silently (a UNIQUE (draft_id, based_on) constraint backs this up
in the file itself).

Every write is one transaction (``BEGIN IMMEDIATE``) on a WAL-mode file with
``synchronous=FULL``: a process killed mid-write loses nothing it had committed.

Readers never wait for writers: ``Queue.open(path, readonly=True)`` (the read-only commands,
the web page's reads) opens the file read-only and takes no lock, and an up-to-date queue is
opened without a write transaction. A write waits at most ``wait`` seconds for another
process's lock, then raises ``QueueBusy`` (nothing written). A damaged or read-only file is one
line (``BadFile``) from every method, and a damaged queue is never written to: SQLite refuses
the transaction and it is rolled back.

    with Queue.open(settings.queue_path) as queue:
        draft_id = queue.add_draft(record, calls)
        queue.list(status="pending", limit=50)
"""

from __future__ import annotations

import builtins
import difflib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from writer.check.models import STATUSES as FINDING_STATUSES
from writer.check.models import Finding
from writer.draft import DraftRecord, utcnow
from writer.errors import (
    BadFile,
    QueueBusy,
    StaleEdit,
    UnknownDraft,
    UserInputError,
    WriterError,
)
from writer.llm import ModelCall, redact
from writer.review.migrations import MIGRATIONS, current_version, migrate
from writer.store import SQLITE_MAX_INT, sqlite_errors

NEWEST = max(number for number, _ in MIGRATIONS)  # the schema this gene-writer writes

Status = Literal["pending", "edited", "accepted", "rejected", "superseded"]
Action = Literal["accepted", "edited", "rejected"]
# "superseded": a pending draft that a newer draft of the same gene replaced (it was never
# reviewed; its row stays, and the queue shows the newer one).
STATUSES: tuple[str, ...] = ("pending", "edited", "accepted", "rejected", "superseded")
OPEN_STATUSES: tuple[str, ...] = ("pending", "edited")  # still waiting for a decision


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def stored_finding(item: Finding | dict[str, Any]) -> Finding:
    """A finding as read from the queue's JSON (or given as a ``Finding``).

    The queue is never migrated destructively, so rows written by any earlier gene-writer
    must load. They are JSON objects with the fields of ``Finding`` (the queue's former
    ``StoredFinding`` wrote exactly these, ``None`` left out). A row that does not fit the
    model today (say, a status this version does not know) still loads: it is read as an
    unverifiable finding whose reason carries the row as stored; the file is not changed.
    """
    if isinstance(item, Finding):
        return item
    try:
        return Finding.model_validate(item)
    except ValidationError:
        pass
    row = dict(item) if isinstance(item, dict) else {"value": item}
    text = {k: str(row[k]) for k in ("claim", "sentence", "section", "key")
            if row.get(k) is not None}
    offsets = {k: row[k] for k in ("start", "end")
               if isinstance(row.get(k), int) and not isinstance(row.get(k), bool)}
    status = row.get("status")
    return Finding(
        **text, **offsets,
        kind=str(row.get("kind") or "unknown"),
        status=status if status in FINDING_STATUSES else "unverifiable",  # type: ignore[arg-type]
        reason=f"{row.get('reason') or ''} (stored as {json.dumps(row, ensure_ascii=False)})"
        .strip(),
    )


def _findings(value: Any) -> tuple[Finding, ...]:
    if value is None:
        return ()
    return tuple(stored_finding(item) for item in value)


class Draft(DraftRecord):
    """A stored draft, with its id and state as of reading."""

    id: int
    status: Status
    version: int  # id of the latest review, 0 when none
    supersedes: int | None = None  # the pending draft of the same gene this one replaced

    _coerce_findings = field_validator("findings", mode="before")(_findings)


class DraftSummary(_Model):
    """One row of the queue listing."""

    id: int
    gene_id: int
    symbol: str
    created: datetime
    status: Status
    findings_count: int  # on the current text
    version: int
    reviewer: str | None = None  # of the latest review
    reviewed: datetime | None = None
    override: bool = False  # the latest review accepted it despite findings


class Review(_Model):
    id: int
    draft_id: int
    action: Action
    reviewer: str
    text: str
    diff: str
    comment: str | None = None
    findings: tuple[Finding, ...] = ()
    override: bool = False
    created: datetime
    based_on: int

    _coerce_findings = field_validator("findings", mode="before")(_findings)


def unified_diff(old: str, new: str, old_name: str = "draft", new_name: str = "final") -> str:
    """A unified diff of two texts ('' when equal); lines without a final newline are closed."""
    a = old.splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    if a and not a[-1].endswith("\n"):
        a[-1] += "\n"
    if b and not b[-1].endswith("\n"):
        b[-1] += "\n"
    return "".join(difflib.unified_diff(a, b, fromfile=old_name, tofile=new_name))


def _redact(text: str | None) -> str | None:
    """Remove any API key held in the environment from text bound for the log (the model
    client has already removed the keys it was configured with, config.toml's too)."""
    return redact(text)


def _findings_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.model_dump(exclude_none=True) for f in findings], ensure_ascii=False)


def queue_error(path: Path, exc: sqlite3.DatabaseError) -> WriterError:
    """The one line for an SQLite error on the queue at ``path``: busy, read-only or damaged."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    said = str(exc)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in said:
        return QueueBusy(path)
    if name.startswith("SQLITE_READONLY") or "readonly" in said or "read-only" in said:
        return BadFile(f"cannot write to the review queue {path} ({said}); nothing was saved")
    return BadFile(f"the review queue {path} is damaged or not a queue ({said}); nothing was "
                   "written to it. It is never rebuilt: keep a copy, and recover its rows "
                   f"with `sqlite3 {path} .recover`")


@sqlite_errors
class Queue:
    """Typed access to the queue file. Open with ``Queue.open(path)``; one per thread."""

    def __init__(self, conn: sqlite3.Connection, path: Path, readonly: bool = False) -> None:
        self.conn = conn
        self.path = path
        self.readonly = readonly
        self._depth = 0

    # --- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str], *, check_same_thread: bool = True,
             readonly: bool = False, wait: float = 10.0) -> Queue:
        """Open (creating and migrating when needed) the queue file at ``path``.

        ``readonly``: for reading only, without waiting for any writer (a queue that does not
        exist yet, or needs a migration, is opened for writing once). ``wait``: seconds a
        write waits for another process's lock before ``QueueBusy``.
        ``check_same_thread=False`` is for a caller that serialises all use itself."""
        p = Path(path).expanduser()
        if p.exists() and p.is_dir():
            raise BadFile(f"review queue path {p} is a folder, not a file")
        if readonly and p.is_file():
            queue = cls._open_readonly(p, check_same_thread)
            if queue is not None:
                return queue
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BadFile(f"cannot create the folder of the review queue {p}: {exc}") from None
        conn = None
        try:
            conn = sqlite3.connect(
                p, isolation_level=None, timeout=wait, check_same_thread=check_same_thread
            )
            conn.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            if current_version(conn) != NEWEST:  # no write lock when there is nothing to do
                migrate(conn)
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                conn.close()
            raise queue_error(p, exc) from None
        if str(mode).lower() != "wal":
            raise BadFile(f"cannot put the review queue {p} in WAL mode (got {mode})")
        return cls(conn, p)

    @classmethod
    def _open_readonly(cls, p: Path, check_same_thread: bool) -> Queue | None:
        from urllib.parse import quote

        try:
            conn = sqlite3.connect(f"file:{quote(str(p))}?mode=ro", uri=True,
                                   isolation_level=None, timeout=2.0,
                                   check_same_thread=check_same_thread)
            conn.execute("PRAGMA query_only=ON")
            version = current_version(conn)
        except sqlite3.DatabaseError as exc:
            raise queue_error(p, exc) from None
        if version != NEWEST:
            conn.close()
            return None
        return cls(conn, p, readonly=True)

    def _database_error(self, exc: sqlite3.DatabaseError) -> WriterError:
        return queue_error(self.path, exc)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Queue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; nested uses join the outermost one."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise self._database_error(exc) from None
        self._depth = 1
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException as exc:
            with suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.DatabaseError):
                raise self._database_error(exc) from None
            raise
        finally:
            self._depth = 0

    # --- drafts --------------------------------------------------------------------------
    def add_draft(self, record: DraftRecord, calls: Iterable[ModelCall] = (), *,
                  facts_store: str | None = None, gene_type: str | None = None,
                  supersede: bool = False) -> int:
        """Store a draft (and the model calls that made it) in one transaction; its id.

        With ``supersede`` (what ``writer draft`` does), the gene's pending draft, if it has
        one, is superseded by the new one (see ``Draft.supersedes``), so the queue shows one
        pending draft per gene. ``facts_store``
        is the ``FactStore.identity`` of the store its sheet came from (None: not only from
        the store, e.g. with online facts); ``gene_type`` is for the queue's filters."""
        with self.transaction() as conn:
            older = self.pending_draft(record.gene_id) if supersede else None
            cur = conn.execute(
                "INSERT INTO drafts (gene_id, symbol, created, text, factsheet_hash, "
                "prompt_hashes, sections, findings, findings_count, usage, duration_s, "
                "inputs, supersedes, facts_store, gene_type, section_inputs, redraft_of) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    record.gene_id,
                    record.symbol,
                    record.created.isoformat(),
                    record.text,
                    record.factsheet_hash,
                    json.dumps(record.prompt_hashes, sort_keys=True),
                    json.dumps(
                        {k: v.model_dump() for k, v in record.sections.items()}, sort_keys=True
                    ),
                    _findings_json(record.findings),
                    len(record.findings),
                    json.dumps(record.usage, sort_keys=True),
                    record.duration_s,
                    record.inputs,
                    older,
                    facts_store,
                    gene_type,
                    json.dumps(record.section_inputs, sort_keys=True)
                    if record.section_inputs else None,
                    record.redraft_of,
                ),
            )
            draft_id = int(cur.lastrowid or 0)
            self.add_model_calls(draft_id, calls)
        return draft_id

    def pending_draft(self, gene_id: int) -> int | None:
        """The gene's draft waiting for its first review (never reviewed, not superseded)."""
        row = self.conn.execute(
            f"SELECT max(d.id) FROM drafts d WHERE d.gene_id = ? AND {self._PENDING}",
            (gene_id,),
        ).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def latest_inputs(self) -> dict[int, tuple[str | None, str, str | None]]:
        """Each gene's latest draft's (``inputs`` digest, fact-sheet hash, fact store
        identity) by NCBI Gene ID (None for what drafts made before they were recorded do
        not hold): what ``writer draft`` compares to skip unchanged genes."""
        return {
            gid: (inputs, sheet_hash, store) for gid, inputs, sheet_hash, store
            in self.conn.execute(
                "SELECT d.gene_id, d.inputs, d.factsheet_hash, d.facts_store FROM drafts d JOIN "
                "(SELECT gene_id, max(id) AS id FROM drafts GROUP BY gene_id) l ON d.id = l.id"
            )
        }

    def latest_accepted(self, gene_id: int) -> tuple[Draft, str] | None:
        """The gene's newest draft whose latest review accepted it, with the accepted text
        (what ``writer publish`` publishes); None when it has none."""
        row = self.conn.execute(
            "SELECT d.id FROM drafts d WHERE d.gene_id = ? AND (SELECT r.action FROM reviews r "
            "WHERE r.draft_id = d.id ORDER BY r.id DESC LIMIT 1) = 'accepted' "
            "ORDER BY d.id DESC LIMIT 1", (gene_id,),
        ).fetchone()
        if not row or row[0] is None:
            return None
        draft = self.get(int(row[0]))
        return draft, self.current_text(draft.id)

    def add_model_calls(self, draft_id: int, calls: Iterable[ModelCall]) -> None:
        rows = [
            (draft_id, c.section, c.attempt, c.model, _redact(c.prompt), _redact(c.response),
             c.prompt_tokens, c.completion_tokens, c.duration_s, _redact(c.error))
            for c in calls
        ]
        if not rows:
            return
        with self.transaction() as conn:
            self._require(draft_id)
            conn.executemany(
                "INSERT INTO model_calls (draft_id, section, attempt, model, prompt, response, "
                "prompt_tokens, completion_tokens, duration_s, error) VALUES (?,?,?,?,?,?,?,?,?,?)",
                rows,
            )

    def model_calls(self, draft_id: int) -> builtins.list[ModelCall]:
        self._require(draft_id)
        return [
            ModelCall(section=r[0], attempt=r[1], model=r[2], prompt=r[3], response=r[4],
                      prompt_tokens=r[5], completion_tokens=r[6], duration_s=r[7], error=r[8])
            for r in self.conn.execute(
                "SELECT section, attempt, model, prompt, response, prompt_tokens, "
                "completion_tokens, duration_s, error FROM model_calls WHERE draft_id=? "
                "ORDER BY id",
                (draft_id,),
            )
        ]

    def _require(self, draft_id: int) -> None:
        if not 0 < draft_id <= SQLITE_MAX_INT or not self.conn.execute(
            "SELECT 1 FROM drafts WHERE id=?", (draft_id,)
        ).fetchone():
            raise UnknownDraft(draft_id)

    def get(self, draft_id: int) -> Draft:
        self._require(draft_id)
        row = self.conn.execute(
            "SELECT id, gene_id, symbol, created, text, factsheet_hash, prompt_hashes, sections, "
            "findings, usage, duration_s, inputs, supersedes, section_inputs, redraft_of "
            "FROM drafts WHERE id=?",
            (draft_id,),
        ).fetchone()
        if row is None:
            raise UnknownDraft(draft_id)
        latest = self.latest_review(draft_id)
        return Draft(
            id=row[0], gene_id=row[1], symbol=row[2], created=row[3], text=row[4],
            factsheet_hash=row[5], prompt_hashes=json.loads(row[6]),
            sections=json.loads(row[7]), findings=json.loads(row[8]), usage=json.loads(row[9]),
            duration_s=row[10], inputs=row[11], supersedes=row[12],
            section_inputs=json.loads(row[13]) if row[13] else {}, redraft_of=row[14],
            status=latest.action if latest else self._unreviewed(draft_id),
            version=latest.id if latest else 0,
        )

    def _unreviewed(self, draft_id: int) -> Status:
        """The status of a draft with no review: pending, or superseded by a newer draft."""
        return "superseded" if self.conn.execute(
            "SELECT 1 FROM drafts WHERE supersedes = ?", (draft_id,)
        ).fetchone() else "pending"

    # --- listing -------------------------------------------------------------------------
    # Status is derived, never stored: a draft is pending when it has no review, else its
    # latest review's action. These clauses read only the small reviews table and the
    # covering index drafts_list, so listing 10,000 drafts never touches their texts.
    _LATEST_IDS = "SELECT max(id) FROM reviews GROUP BY draft_id"
    _SUPERSEDED_IDS = "SELECT supersedes FROM drafts WHERE supersedes IS NOT NULL"
    _UNREVIEWED = "d.id NOT IN (SELECT draft_id FROM reviews)"
    _PENDING = f"({_UNREVIEWED} AND d.id NOT IN ({_SUPERSEDED_IDS}))"
    _SUPERSEDED = f"({_UNREVIEWED} AND d.id IN ({_SUPERSEDED_IDS}))"
    _LATEST_IS = (
        "d.id IN (SELECT draft_id FROM reviews WHERE action = ? AND id IN "
        f"({_LATEST_IDS}))"
    )

    # The findings count of a draft's current text: its latest review's, else the draft's.
    _FINDINGS_NOW = (
        "coalesce((SELECT r.findings_count FROM reviews r WHERE r.draft_id = d.id "
        "ORDER BY r.id DESC LIMIT 1), d.findings_count)"
    )

    @classmethod
    def _where(
        cls, status: str | None, gene: str | int | None, flagged: bool | None = None,
        gene_type: str | None = None,
    ) -> tuple[str, builtins.list[Any]]:
        clauses: builtins.list[str] = []
        params: builtins.list[Any] = []
        if flagged is not None:
            clauses.append(f"{cls._FINDINGS_NOW} {'>' if flagged else '='} 0")
        if gene_type:
            clauses.append("d.gene_type = ?")
            params.append(gene_type)
        if status:
            if status == "open":
                clauses.append(f"({cls._PENDING} OR {cls._LATEST_IS})")
                params.append("edited")
            elif status == "pending":
                clauses.append(cls._PENDING)
            elif status == "superseded":
                clauses.append(cls._SUPERSEDED)
            elif status in STATUSES:
                clauses.append(cls._LATEST_IS)
                params.append(status)
            else:
                raise UserInputError(
                    f"unknown status {status!r}: use one of {', '.join(STATUSES)} or open"
                )
        if gene is not None and str(gene).strip():
            g = str(gene).strip()
            if g.isascii() and g.isdigit() and int(g) <= SQLITE_MAX_INT:
                clauses.append("d.gene_id = ?")
                params.append(int(g))
            else:
                clauses.append("d.symbol = ?")  # the column is COLLATE NOCASE
                params.append(g)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def list(
        self,
        status: str | None = None,
        gene: str | int | None = None,
        limit: int = 50,
        offset: int = 0,
        *,
        flagged: bool | None = None,
        gene_type: str | None = None,
        ids: Sequence[int] | None = None,
    ) -> builtins.list[DraftSummary]:
        """Drafts in id order, filtered by status (or ``open``), gene (symbol or id), whether
        the current text has findings (``flagged``), gene type and draft ids."""
        where, params = self._where(status, gene, flagged, gene_type)
        if ids is not None:
            ids = [int(i) for i in ids][:500]
            where += (" AND " if where else " WHERE ") + \
                f"d.id IN ({','.join('?' * len(ids)) or 'NULL'})"
            params += ids
        rows = self.conn.execute(
            "SELECT d.id, d.gene_id, d.symbol, d.created, d.findings_count FROM drafts d"
            + where + " ORDER BY d.id LIMIT ? OFFSET ?",
            [*params, max(0, int(limit)), max(0, int(offset))],
        ).fetchall()
        latest: dict[int, tuple[Any, ...]] = {}
        ids = [r[0] for r in rows]
        superseded: set[int] = set()
        for chunk in range(0, len(ids), 500):
            part = ids[chunk:chunk + 500]
            marks = ",".join("?" * len(part))
            for r in self.conn.execute(
                "SELECT draft_id, id, action, reviewer, created, findings_count, override "
                "FROM reviews "
                f"WHERE id IN (SELECT max(id) FROM reviews WHERE draft_id IN ({marks}) "
                "GROUP BY draft_id)",
                part,
            ):
                latest[r[0]] = r
            superseded.update(r[0] for r in self.conn.execute(
                f"SELECT supersedes FROM drafts WHERE supersedes IN ({marks})", part))
        out = []
        for d in rows:
            r = latest.get(d[0])
            out.append(DraftSummary(
                id=d[0], gene_id=d[1], symbol=d[2], created=d[3],
                findings_count=r[5] if r else d[4],
                status=r[2] if r else ("superseded" if d[0] in superseded else "pending"),
                version=r[1] if r else 0, reviewer=r[3] if r else None,
                reviewed=r[4] if r else None, override=bool(r[6]) if r else False,
            ))
        return out

    def count(self, status: str | None = None, gene: str | int | None = None, *,
              flagged: bool | None = None, gene_type: str | None = None) -> int:
        where, params = self._where(status, gene, flagged, gene_type)
        return int(self.conn.execute("SELECT count(*) FROM drafts d" + where, params)
                   .fetchone()[0])

    def counts(self) -> dict[str, int]:
        """Number of drafts in each status."""
        out = dict.fromkeys(STATUSES, 0)
        for action, n in self.conn.execute(
            f"SELECT action, count(*) FROM reviews WHERE id IN ({self._LATEST_IDS}) "
            "GROUP BY action"
        ):
            out[action] = n
        # A draft is superseded once at most (only a pending draft can be): count the
        # small partial index, not the drafts.
        out["superseded"] = int(self.conn.execute(
            "SELECT count(*) FROM drafts WHERE supersedes IS NOT NULL AND supersedes NOT IN "
            "(SELECT draft_id FROM reviews)").fetchone()[0])
        total = self.conn.execute("SELECT count(*) FROM drafts").fetchone()[0]
        out["pending"] = total - sum(out.values())
        return out

    def gene_types(self) -> builtins.list[str]:
        """The gene types of the drafts in the queue (for the filters)."""
        return [t for (t,) in self.conn.execute(
            "SELECT DISTINCT gene_type FROM drafts INDEXED BY drafts_type "
            "WHERE gene_type IS NOT NULL ORDER BY 1")]

    def next_open(self, after: int | None = None) -> int | None:
        """The next draft waiting for a decision after ``after`` (wrapping around), or None."""
        open_clause = f"({self._PENDING} OR {self._LATEST_IS})"
        sql = (
            f"SELECT d.id FROM drafts d WHERE d.id {{op}} ? AND {open_clause} "
            "ORDER BY d.id LIMIT 1"
        )
        start = min(max(after or 0, 0), SQLITE_MAX_INT)
        row = self.conn.execute(sql.format(op=">"), (start, "edited")).fetchone()
        if row is None and start:
            row = self.conn.execute(sql.format(op="<"), (start, "edited")).fetchone()
        return int(row[0]) if row else None

    # --- reviews -------------------------------------------------------------------------
    def add_review(
        self,
        draft_id: int,
        action: Action,
        reviewer: str,
        text: str,
        *,
        based_on: int | None,
        comment: str | None = None,
        findings: Iterable[Finding] = (),
        override: bool = False,
    ) -> Review:
        """Append a review. ``based_on`` is the version the reviewer saw (``Draft.version``);
        when another review has landed since, raise ``StaleEdit``. ``None`` skips the check.
        """
        if action not in ("accepted", "edited", "rejected"):
            raise UserInputError(f"unknown review action {action!r}")
        reviewer = (reviewer or "").strip()
        if not reviewer:
            raise UserInputError("a review needs the reviewer's name")
        stored = _findings(findings)
        with self.transaction() as conn:
            row = conn.execute("SELECT text FROM drafts WHERE id=?", (draft_id,)).fetchone()
            if row is None:
                raise UnknownDraft(draft_id)
            latest = self.latest_review(draft_id)
            version = latest.id if latest else 0
            if based_on is not None and based_on != version:
                raise StaleEdit(draft_id, based_on, latest)
            created = utcnow()
            diff = unified_diff(row[0], text, f"draft {draft_id}", "final")
            try:
                cur = conn.execute(
                    "INSERT INTO reviews (draft_id, action, reviewer, text, diff, comment, "
                    "findings, findings_count, override, created, based_on) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (draft_id, action, reviewer, text, diff, comment or None,
                     _findings_json(stored), len(stored), int(override),
                     created.isoformat(), version),
                )
            except sqlite3.IntegrityError as exc:
                if "UNIQUE" in str(exc):
                    raise StaleEdit(draft_id, version, self.latest_review(draft_id)) from None
                raise
        return Review(
            id=int(cur.lastrowid or 0), draft_id=draft_id, action=action, reviewer=reviewer,
            text=text, diff=diff, comment=comment or None, findings=stored, override=override,
            created=created, based_on=version,
        )

    @staticmethod
    def _review(r: Sequence[Any]) -> Review:
        return Review(
            id=r[0], draft_id=r[1], action=r[2], reviewer=r[3], text=r[4], diff=r[5],
            comment=r[6], findings=json.loads(r[7]), override=bool(r[8]), created=r[9],
            based_on=r[10],
        )

    _REVIEW_COLS = (
        "id, draft_id, action, reviewer, text, diff, comment, findings, override, created, "
        "based_on"
    )

    def latest_review(self, draft_id: int) -> Review | None:
        row = self.conn.execute(
            f"SELECT {self._REVIEW_COLS} FROM reviews WHERE draft_id=? ORDER BY id DESC LIMIT 1",
            (draft_id,),
        ).fetchone()
        return self._review(row) if row else None

    def history(self, draft_id: int) -> builtins.list[Review]:
        """Every review of a draft, oldest first."""
        self._require(draft_id)
        return [
            self._review(r)
            for r in self.conn.execute(
                f"SELECT {self._REVIEW_COLS} FROM reviews WHERE draft_id=? ORDER BY id",
                (draft_id,),
            )
        ]

    def current_text(self, draft_id: int) -> str:
        """The curator's latest text, else the draft's."""
        self._require(draft_id)
        latest = self.latest_review(draft_id)
        if latest is not None:
            return latest.text
        row = self.conn.execute("SELECT text FROM drafts WHERE id=?", (draft_id,)).fetchone()
        if row is None:
            raise UnknownDraft(draft_id)
        return str(row[0])

    def current_findings(self, draft_id: int) -> tuple[Finding, ...]:
        latest = self.latest_review(draft_id)
        return latest.findings if latest is not None else self.get(draft_id).findings

    def status(self, draft_id: int) -> Status:
        self._require(draft_id)
        latest = self.latest_review(draft_id)
        return latest.action if latest else self._unreviewed(draft_id)

    def version(self, draft_id: int) -> int:
        self._require(draft_id)
        latest = self.latest_review(draft_id)
        return latest.id if latest else 0

    def accepted(self) -> builtins.list[tuple[DraftSummary, Review]]:
        """Drafts whose latest review is an acceptance, with that review, oldest first."""
        out = []
        for summary in self.list(status="accepted", limit=2**62):
            review = self.latest_review(summary.id)
            if review is not None:
                out.append((summary, review))
        return out
