"""``writer batch``: model drafting on a batch engine, in rounds.

    writer batch export MT1G NME1 --model gpt-4o-mini --out requests.jsonl
    writer batch submit requests.jsonl            # OpenAI Batch API: upload, create the batch
    writer batch status batch_abc123              # its state and request counts
    writer batch fetch batch_abc123               # batch_abc123-output.jsonl (and -errors.jsonl)
    vllm run-batch -i requests.jsonl -o results.jsonl --model NAME   # or on a GPU cluster
    writer batch import results.jsonl             # the grounding loop, on the answers

Files are in the OpenAI Batch API format, which ``vllm run-batch`` reads and writes too:

- a requests file has one line per request: ``{"custom_id", "method": "POST", "url":
  "/v1/chat/completions", "body"}``, where ``body`` is exactly the chat request the
  interactive path sends (``writer.llm.request_body`` of ``writer.phrasers.prompting``'s
  messages);
- a results file (the batch's output or error file) has one line per answer: ``{"id",
  "custom_id", "response": {"status_code", "request_id", "body"}, "error"}``; ``body`` is a
  chat.completions response, ``error`` an object (``code``, ``message``) or, from vLLM, a text.

A ``custom_id`` is ``RUN:GENE_ID:SECTION:ROUND`` (``3f9a01c2:4495:function:1``): the export
that wrote it, the gene's NCBI Gene ID, the section and the round. The export records, in
the batch state (``<home>/batch.sqlite``, ``BatchState``), each run's model settings, page
options and prompt and template hashes, and for each (gene, section) the fact sheet's hash
and where its grounding loop stands.

``import`` runs each answer through the interactive path's grounding loop
(``writer.phrasers.model.Grounding``: untrusted-text cleaning, the evaluator, coverage,
links restored). A paragraph that needs a re-ask goes into the next round's requests file
(``RUN-roundN.jsonl`` beside the results, the re-ask messages appended as the interactive
path appends them); after the last round (``1 + max_reasks`` answers) the best grounded
paragraph or the template text is used and the draft flagged. When every section of a gene
is settled, its page is drafted (``writer.draft.make_draft``) and queued like ``writer draft
--model`` would queue it: same record, served model from each answer's ``model``, tokens from
its ``usage``. A line that failed (a non-200 ``status_code``, an ``error``), whose custom_id
no export wrote, or whose gene's fact sheet changed since the export, is one line in the
report and a failed answer; a file with no usable line at all is bad input (exit 2).
"""

from __future__ import annotations

import json
import secrets as random_ids
import sqlite3
import sys
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from writer.errors import BadFile, UserInputError, WriterError
from writer.progress import Progress
from writer.sections.prose import plural

if TYPE_CHECKING:
    from writer.config import Settings
    from writer.factsheet import FactSheet
    from writer.llm import ModelConfig
    from writer.phrasers import Phrased
    from writer.phrasers.model import Grounding
    from writer.store import FactStore

CHAT_URL = "/v1/chat/completions"
STATE_FILE = "batch.sqlite"
MAX_LINE_BYTES = 2_000_000  # a results line longer than this is not read (a reply is < 256 kB)
# The OpenAI Batch API takes at most 50,000 requests and 200 MB in one input file.
MAX_REQUESTS = 50_000
MAX_FILE_BYTES = 190_000_000

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
    loop TEXT,                  -- JSON: the grounding loop after round 1 (see _save)
    PRIMARY KEY (run, gene_id, section)
);
"""


# --- custom ids ----------------------------------------------------------------------------
def custom_id(run: str, gene_id: int, section: str, round_: int) -> str:
    return f"{run}:{gene_id}:{section}:{round_}"


def parse_custom_id(text: Any) -> tuple[str, int, str, int] | None:
    """(run, gene_id, section, round) of a custom_id this module wrote, else None."""
    parts = text.split(":") if isinstance(text, str) else []
    if len(parts) != 4 or not parts[1].isdigit() or not parts[3].isdigit():
        return None
    return parts[0], int(parts[1]), parts[2], int(parts[3])


# --- requests files ------------------------------------------------------------------------
class _Parts:
    """Request lines written to ``path``, or, when they need more than one file (over
    ``max_requests`` lines or ``MAX_FILE_BYTES``), to ``STEM-1.jsonl``, ``STEM-2.jsonl``, ...
    beside it. Nothing appears under those names before ``finish``."""

    def __init__(self, path: Path, max_requests: int = MAX_REQUESTS) -> None:
        self.path = path
        self.max_requests = max_requests or sys.maxsize
        self.parts: list[tuple[Path, int]] = []  # (partial file, lines)
        self._file: Any = None
        self._bytes = 0

    def write(self, line: dict[str, Any]) -> None:
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            if self._file is None or self.parts[-1][1] >= self.max_requests or (
                    self._bytes and self._bytes + len(data) > MAX_FILE_BYTES):
                self._next()
            self._file.write(data)
        except OSError as exc:
            self.discard()
            raise BadFile(f"cannot write {self.path}: {exc.strerror or exc}") from None
        self._bytes += len(data)
        partial, n = self.parts[-1]
        self.parts[-1] = (partial, n + 1)

    def _next(self) -> None:
        if self._file is not None:
            self._file.close()
        partial = self.path.with_name(f"{self.path.name}.{len(self.parts) + 1}.partial")
        self._file = partial.open("wb")
        self._bytes = 0
        self.parts.append((partial, 0))

    def finish(self) -> list[tuple[Path, int]]:
        """The files written, with their number of requests."""
        if self._file is not None:
            self._file.close()
        if len(self.parts) == 1:
            names = [self.path]
        else:
            stem, suffix = self.path.stem, self.path.suffix or ".jsonl"
            names = [self.path.with_name(f"{stem}-{i}{suffix}")
                     for i in range(1, len(self.parts) + 1)]
        try:
            for (partial, _), name in zip(self.parts, names, strict=True):
                partial.replace(name)
        except OSError as exc:
            self.discard()
            raise BadFile(f"cannot write {self.path}: {exc.strerror or exc}") from None
        return [(name, n) for name, (_, n) in zip(names, self.parts, strict=True)]

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
        for partial, _ in self.parts:
            partial.unlink(missing_ok=True)


# --- the state -----------------------------------------------------------------------------
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

    def waiting(self, run_id: str, round_: int) -> Iterator[tuple[int, str, str, dict | None]]:
        """(gene_id, symbol, section, loop) of the requests awaited in ``round_``."""
        for gid, symbol, section, loop in self.conn.execute(
                "SELECT gene_id, symbol, section, loop FROM sections WHERE run = ? AND round = ? "
                "AND state = 'waiting' ORDER BY gene_id, rowid", (run_id, round_)):
            yield gid, symbol, section, json.loads(loop) if loop else None


# --- export --------------------------------------------------------------------------------
@dataclass
class ExportResult:
    run: str
    path: Path
    requests: int = 0
    genes: int = 0
    failed: list[str] = field(default_factory=list)  # one line per bad query
    files: list[tuple[Path, int]] = field(default_factory=list)  # written, with their requests

    @property
    def exit_code(self) -> int:
        return 2 if self.failed else 0


def run_config(model: str, settings: Settings, config: dict[str, Any]) -> ModelConfig:
    """The model settings of an exported run, with the keys to keep out of text and logs."""
    from writer.llm import ModelConfig

    return ModelConfig(model=model, api_key=settings.model.api_key,
                       secrets=settings.model.secrets, **config)


def code_hashes(prompt_variant: str) -> dict[str, str]:
    """The template and prompt hashes a model draft records (``writer.draft``), with the
    prompt variant's: import refuses a run whose prompts or templates changed since."""
    from writer.draft import _code_hashes
    from writer.phrasers.prompting import prompt_hashes

    return {**_code_hashes(True, False), **prompt_hashes(variant=prompt_variant)}


def export(
    settings: Settings,
    genes: Sequence[str | int] = (),
    *,
    out: str | Path,
    all_type: str | None = None,
    model: str | None = None,
    prompt_variant: str | None = None,
    max_tokens: int | None = None,
    date: str | None = None,
    tags: Sequence[str] | str | None = None,
    categories: Sequence[str] | str | None = None,
    max_requests: int = MAX_REQUESTS,
    progress: Progress | None = None,
) -> ExportResult:
    """Write every section request of ``genes`` (and every gene of type ``all_type``) to
    ``out`` as an OpenAI Batch API requests file (several, ``STEM-1.jsonl`` ..., when they
    are more than ``max_requests`` or 190 MB; 0: no limit on requests), and record the run
    in the batch state. A bad gene query is a line of ``ExportResult.failed``, not the end
    of the export."""
    from writer.bulk import genes_of_type, resolve
    from writer.check import check as evaluator_check
    from writer.config import TEMPLATE_NAMES
    from writer.draft import page_options, utcnow
    from writer.llm import ModelConfig, request_body
    from writer.phrasers import prompting
    from writer.phrasers.model import Grounding
    from writer.sections import to_phrase
    from writer.store import FactStore

    name = (model if model is not None else settings.model.name or "").strip()
    if name.lower() in TEMPLATE_NAMES:
        raise UserInputError("batch export needs a model name: --model NAME (or "
                             "GENE_WRITER_MODEL, or [model] name in config.toml)")
    date, tag_list, cat_list = page_options(settings, date, tags, categories)
    defaults = ModelConfig(model=name)
    config = {"prompt_variant": prompt_variant or defaults.prompt_variant,
              "max_tokens": max_tokens or defaults.max_tokens,
              "temperature": defaults.temperature, "max_reasks": defaults.max_reasks,
              "max_reply_bytes": defaults.max_reply_bytes}
    prompting.variant(config["prompt_variant"])  # an unknown variant is bad input, at once
    cfg = run_config(name, settings, config)
    store = FactStore(settings.facts_path)
    todo, failed = resolve(store, [str(g) for g in genes])
    if all_type is not None:
        named = {gid for _, gid in todo}
        todo += [(q, gid) for q, gid in genes_of_type(store, all_type) if gid not in named]
    path = Path(out)
    run = random_ids.token_hex(4)
    result = ExportResult(run=run, path=path, failed=[f"{o.query}: {o.error}" for o in failed])
    tracker = (progress or Progress(enabled=False)).tracker(len(todo), "exporting")
    parts = _Parts(path, max_requests)
    with BatchState.of(settings) as state:
        try:
            state.conn.execute("BEGIN")
            state.conn.execute(
                "INSERT INTO runs (id, created, model, config, page, hashes, facts_store, "
                "max_requests) VALUES (?,?,?,?,?,?,?,?)",
                (run, utcnow().isoformat(), name, json.dumps(config),
                 json.dumps({"date": date, "tags": list(tag_list),
                             "categories": list(cat_list)}),
                 json.dumps(code_hashes(config["prompt_variant"]), sort_keys=True),
                 store.identity, max_requests))
            for start in range(0, len(todo), 64):
                ids = [gid for _, gid in todo[start:start + 64]]
                for sheet in store.sheets(ids):
                    sheet_hash = sheet.content_hash()
                    for section in to_phrase(sheet):
                        loop = Grounding(section, sheet, cfg, evaluator_check)
                        parts.write({"custom_id": custom_id(run, sheet.gene_id, section.name, 1),
                                     "method": "POST", "url": CHAT_URL,
                                     "body": request_body(loop.messages, cfg)})
                        state.conn.execute(
                            "INSERT INTO sections (run, gene_id, symbol, section, sheet_hash, "
                            "round, state) VALUES (?,?,?,?,?,1,'waiting')",
                            (run, sheet.gene_id, sheet.symbol, section.name, sheet_hash))
                        result.requests += 1
                    result.genes += 1
                    tracker.advance()
            result.files = parts.finish()
            state.conn.execute("COMMIT")
        except BaseException:
            state.conn.execute("ROLLBACK")
            parts.discard()
            raise
        finally:
            tracker.close()
    return result


# --- import --------------------------------------------------------------------------------
@dataclass
class ImportResult:
    lines: int = 0
    answers: int = 0  # answers judged
    errors: int = 0  # lines that answered a request with an error
    failed: list[str] = field(default_factory=list)  # one line per failed answer or bad line
    skipped: int = 0  # answers already imported
    next_files: list[tuple[Path, int]] = field(default_factory=list)  # next rounds' requests
    drafts: list[tuple[str, int, bool, int | None]] = field(default_factory=list)
    # (symbol, draft id, flagged, pending draft it superseded)
    waiting: int = 0  # requests of the runs read that no file has answered yet
    usage: dict[str, int] = field(default_factory=dict)  # of the drafts queued, summed

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or any(flagged for _, _, flagged, _ in self.drafts) else 0

    def summary(self) -> list[str]:
        clean = sum(not f for _, _, f, _ in self.drafts)
        lines = [f"{plural(self.lines, 'result line')}: {self.answers:,} judged, "
                 f"{len(self.failed):,} failed, {self.skipped:,} already imported; "
                 f"{plural(len(self.drafts), 'draft')} queued ({clean:,} clean, "
                 f"{len(self.drafts) - clean:,} flagged)"]
        superseding = sum(s is not None for *_, s in self.drafts)
        if superseding:
            lines.append(f"{plural(superseding, 'new draft')} supersede"
                         f"{'s' * (superseding == 1)} a pending draft of its gene")
        if self.usage.get("model_calls"):
            lines.append(f"model: {plural(self.usage['model_calls'], 'answer')}, "
                         f"{self.usage.get('prompt_tokens', 0):,} prompt tokens, "
                         f"{self.usage.get('completion_tokens', 0):,} completion tokens "
                         "in the drafts queued")
        for path, n in self.next_files:
            lines.append(f"{plural(n, 'paragraph')} to re-ask: the next round's requests "
                         f"are in {path}")
        if self.waiting:
            lines.append(f"{plural(self.waiting, 'request')} of these exports still "
                         "wait for an answer")
        lines += [f"failed: {line}" for line in self.failed]
        return lines


class _Replay:
    """A phraser whose sections were phrased already (by the rounds of a batch)."""

    name = "openai"

    def __init__(self, config: ModelConfig, phrased: dict[str, Phrased]) -> None:
        self.config = config
        self.phrased = phrased

    def phrase(self, sections: Sequence[Any], sheet: FactSheet) -> dict[str, Phrased]:
        return {s.name: self.phrased[s.name] for s in sections}


def _save(loop: Grounding) -> dict[str, Any]:
    """The grounding loop as JSON, to continue it with the next round's answer."""
    r = loop.result
    last = loop.last
    return {
        "messages": loop.messages, "asked": loop.asked,
        "best": [loop.best[0], [f.model_dump(mode="json") for f in loop.best[1]]]
        if loop.best else None,
        "last": {"text": last.text,
                 "problems": [f.model_dump(mode="json") for f in last.problems],
                 "omissions": [f.model_dump(mode="json") for f in last.omissions]}
        if last else None,
        "result": {"text": r.text, "attempts": r.attempts, "fell_back": r.fell_back,
                   "findings": [f.model_dump(mode="json") for f in r.findings],
                   "calls": [c.model_dump(mode="json") for c in r.calls], "error": r.error,
                   "prompt_tokens": r.prompt_tokens, "completion_tokens": r.completion_tokens,
                   "links_restored": r.links_restored},
    }


def _restore(loop: Grounding, saved: dict[str, Any] | None) -> Grounding:
    from writer.check.models import Finding
    from writer.llm import ModelCall
    from writer.phrasers.model import Ungrounded

    if not saved:
        return loop
    loop.messages = saved["messages"]
    loop.asked = saved["asked"]
    if saved["best"]:
        loop.best = (saved["best"][0], [Finding.model_validate(f) for f in saved["best"][1]])
    if saved["last"]:
        last = saved["last"]
        loop.last = Ungrounded(last["text"], [Finding.model_validate(f) for f in last["problems"]],
                               [Finding.model_validate(f) for f in last["omissions"]])
    r, s = loop.result, saved["result"]
    r.text, r.attempts, r.fell_back, r.error = s["text"], s["attempts"], s["fell_back"], s["error"]
    r.findings = [Finding.model_validate(f) for f in s["findings"]]
    r.calls = [ModelCall.model_validate(c) for c in s["calls"]]
    r.prompt_tokens, r.completion_tokens = s["prompt_tokens"], s["completion_tokens"]
    r.links_restored = s["links_restored"]
    return loop


def _read_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed JSON or an error text) of each non-blank line of ``path``."""
    try:
        f = path.open("rb")
    except OSError as exc:
        raise BadFile(f"cannot read {path}: {exc.strerror or exc}") from None
    with f:
        for number, raw in enumerate(f, 1):
            if len(raw) > MAX_LINE_BYTES:
                yield number, f"a line of {len(raw):,} bytes (over {MAX_LINE_BYTES:,})"
                continue
            if not raw.strip():
                continue
            try:
                yield number, json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                snippet = raw[:40].decode("utf-8", "replace").strip()
                yield number, f"not JSON ({snippet!r})"


def _count_lines(paths: Sequence[str | Path]) -> int:
    total = 0
    for path in paths:
        try:
            with open(path, "rb") as f:
                total += sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
        except OSError:
            pass  # reported when it is read
    return total


def _answer_error(line: dict[str, Any]) -> str | None:
    """Why a results line carries no answer (an ``error``, a non-200 status), else None."""
    error = line.get("error")
    response = line.get("response")
    if error:
        if isinstance(error, dict):
            code, message = error.get("code"), error.get("message")
            return ": ".join(str(x) for x in (code, message) if x) or "an error"
        return " ".join(str(error).split())[:300]
    if not isinstance(response, dict):
        return "no response"
    status = response.get("status_code")
    if status != 200:
        body = response.get("body")
        message = (body.get("error") or {}).get("message") if isinstance(body, dict) and \
            isinstance(body.get("error"), dict) else None
        return f"HTTP {status}" + (f": {message}" if message else "")
    return None


@dataclass
class _Run:
    info: dict[str, Any]
    config: ModelConfig
    refused: str | None = None  # why every answer of this run is refused


def import_results(settings: Settings, paths: Sequence[str | Path], *,
                   out_dir: str | Path | None = None, jobs: int | None = 1,
                   progress: Progress | None = None, checker: Any = None) -> ImportResult:
    """Judge the answers of batch results files (output and error files of one or more
    runs), write the next round's requests, and queue every gene whose sections are all
    settled. ``jobs``: worker processes that judge answers and draft pages (None: the CPU
    count; a ``checker`` other than the evaluator keeps the work in this process). Raises
    ``BadFile`` when no line of the files could be used."""
    import os

    from writer.store import FactStore

    workers = 1 if checker is not None else max(1, jobs or os.cpu_count() or 1)
    progress = progress or Progress(enabled=False)
    tracker = progress.tracker(_count_lines(paths) if progress.enabled else 0, "importing")
    with BatchState.of(settings) as state, _Workers(settings.facts_path, workers,
                                                      checker) as pool:
        work = _Import(settings, state, FactStore(settings.facts_path))

        def tasks() -> Iterator[_Task]:
            for path in map(Path, paths):
                for number, line in _read_lines(path):
                    task = work.line(f"{path.name} line {number}", line)
                    if task is None:
                        tracker.advance()
                    else:
                        yield task

        state.conn.execute("BEGIN")  # one transaction: an interrupted import changes nothing
        try:
            for judged in pool.map(_judge, tasks()):
                work.apply(judged)
                tracker.advance()
            state.conn.execute("COMMIT")
        except BaseException:
            state.conn.execute("ROLLBACK")
            raise
        finally:
            tracker.close()
        result = work.result
        result.failed = [line for _, line in sorted(work.failed)]  # in the files' order
        if not (result.answers or result.errors or result.skipped):
            raise BadFile(_nothing_usable(paths, result))
        work.finish(Path(out_dir) if out_dir is not None else Path(paths[0]).parent, pool)
    return result


@dataclass(frozen=True)
class _Task:
    """One answer to judge (picklable: sent to a worker process)."""

    seq: int  # the line's place in the files read
    label: str
    run_id: str
    gene_id: int
    section: str
    round: int
    sheet_hash: str
    config: ModelConfig
    saved: dict[str, Any] | None  # the section's loop before this answer
    line: dict[str, Any]


@dataclass(frozen=True)
class _Judged:
    """What judging one answer changed."""

    task: _Task
    round: int
    state: str  # waiting (re-asked) | settled | stale
    loop: dict[str, Any] | None
    failed: str | None = None
    answered: bool = False  # an answer was judged (not an error line)


@dataclass(frozen=True)
class _Page:
    """A gene whose sections are all settled, to draft (picklable)."""

    run_id: str
    gene_id: int
    config: ModelConfig
    page: dict[str, Any]
    sections: dict[str, tuple[str, dict[str, Any] | None]]  # section -> (sheet hash, loop)


_WORKER: dict[str, Any] = {}


def _init_worker(facts_path: Path, checker: Any) -> None:
    from writer.check import check as evaluator_check
    from writer.store import FactStore

    _WORKER.update(store=FactStore(facts_path), checker=checker or evaluator_check, sheets={})


def _worker_sheet(gene_id: int) -> FactSheet | None:
    sheets: dict[int, FactSheet | None] = _WORKER["sheets"]
    if gene_id not in sheets:
        if len(sheets) > 256:
            sheets.clear()
        sheets[gene_id] = _sheet(_WORKER["store"], gene_id)
    return sheets[gene_id]


class _Workers:
    """``map`` in worker processes (``jobs`` > 1) or in this one, with at most a few tasks
    per worker in flight, so a results file is never held in memory whole."""

    def __init__(self, facts_path: Path, jobs: int, checker: Any) -> None:
        self.facts_path, self.jobs, self.checker = facts_path, jobs, checker
        self.pool: Any = None

    def __enter__(self) -> _Workers:
        if self.jobs > 1:
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=_init_worker,
                                            initargs=(self.facts_path, None))
        else:
            _init_worker(self.facts_path, self.checker)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def map(self, fn: Any, items: Any) -> Iterator[Any]:
        """``fn`` of each item, in order."""
        if self.pool is None:
            yield from map(fn, items)
            return
        from collections import deque

        pending: deque[Any] = deque()
        for item in items:
            pending.append(self.pool.submit(fn, item))
            while len(pending) > 8 * self.jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _judge(task: _Task) -> _Judged:
    """Judge one answer in its section's grounding loop (in a worker process)."""
    from writer.phrasers.model import Grounding
    from writer.sections import get as get_section

    sheet = _worker_sheet(task.gene_id)
    if sheet is None or sheet.content_hash() != task.sheet_hash:
        return _Judged(task, task.round, "stale", task.saved,
                       failed="the gene's fact sheet changed since the export; export the "
                              "gene again")
    loop = _restore(Grounding(get_section(task.section), sheet, task.config,
                              _WORKER["checker"]), task.saved)
    error, grounded = _answer(loop, task.line, task.config)
    if error is not None:
        loop.endpoint_failed(f"the batch answered {error}")
        return _Judged(task, task.round, "settled", _save(loop), failed=error)
    if not grounded and not loop.exhausted:  # re-asked in the next round
        return _Judged(task, task.round + 1, "waiting", _save(loop), answered=True)
    if not grounded:
        loop.give_up()
    return _Judged(task, task.round, "settled", _save(loop), answered=True)


def _answer(loop: Grounding, line: dict[str, Any], config: ModelConfig
            ) -> tuple[str | None, bool]:
    """Log and judge the answer of ``line``: (why it is no answer, None when it is one;
    whether ``loop.judge`` used it)."""
    from writer.llm import BadReply, ModelCall, answered, parse_reply, redact

    result = loop.result
    result.attempts += 1
    prompt = redact(json.dumps(loop.messages, ensure_ascii=False), config.all_secrets()) or ""
    error = _answer_error(line)
    if error is None:
        data = json.dumps(line["response"].get("body"), ensure_ascii=False).encode("utf-8")
        try:
            text, reason, reply = parse_reply(data, "application/json")
        except BadReply as exc:
            error = str(exc)
    if error is not None:
        result.calls.append(ModelCall(section=loop.section, attempt=result.attempts,
                                      model=config.model, prompt=prompt, duration_s=0.0,
                                      error=redact(error, config.all_secrets())))
        return error, False
    over = len(data) > config.max_reply_bytes
    if over:  # as the interactive path: not read further, nothing of it used
        text, reason, reply = "", None, {}
    answer = answered(config, text, reason, reply, over, purpose=loop.section,
                      attempt=result.attempts, prompt=prompt, duration_s=0.0)
    result.calls.extend(answer.calls)
    result.prompt_tokens += answer.prompt_tokens
    result.completion_tokens += answer.completion_tokens
    return None, loop.judge(answer.text, answer.unusable)


def _draft_page(page: _Page) -> tuple[Any, list[Any], str | None] | None:
    """(draft record, model calls, gene type) of a settled gene (in a worker process); None
    when its facts changed since the export."""
    from writer.bulk import gene_type
    from writer.draft import make_draft
    from writer.phrasers.model import Grounding
    from writer.sections import get as get_section

    sheet = _worker_sheet(page.gene_id)
    if sheet is None or any(h != sheet.content_hash() for h, _ in page.sections.values()):
        return None
    phrased = {name: _restore(Grounding(get_section(name), sheet, page.config,
                                        _WORKER["checker"]), saved).result
               for name, (_, saved) in page.sections.items()}
    draft = make_draft(sheet, _Replay(page.config, phrased),  # type: ignore[arg-type]
                       date=page.page["date"], tags=page.page["tags"],
                       categories=page.page["categories"])
    return draft.record, draft.calls, gene_type(sheet)


class _Import:
    """One import, in this process: each results line checked against the batch state and
    handed out as a ``_Task``; what was judged written back; then the next rounds' files
    and the drafts of the genes now settled."""

    def __init__(self, settings: Settings, state: BatchState, store: FactStore) -> None:
        self.settings, self.state, self.store = settings, state, store
        self.result = ImportResult()
        self.failed: list[tuple[int, str]] = []  # (line's place, line) for the report
        self.runs: dict[str, _Run | None] = {}
        self.seen: set[tuple[str, int, str]] = set()  # sections answered in this import
        self.touched: dict[str, set[int]] = defaultdict(set)  # run -> genes answered here
        self.next_rounds: dict[str, set[int]] = defaultdict(set)  # run -> rounds re-asked

    def _fail(self, line: str) -> None:
        self.failed.append((self.result.lines, line))

    def line(self, where: str, line: Any) -> _Task | None:
        """The task of judging ``line``, or None when it is reported or skipped here."""
        result, state = self.result, self.state
        result.lines += 1
        if not isinstance(line, dict) or "custom_id" not in line:
            self._fail(f"{where}: " + (line if isinstance(line, str)
                                       else "not a batch result (no custom_id)"))
            return None
        cid = line.get("custom_id")
        parsed = parse_custom_id(cid)
        run = _load_run(state, parsed[0], self.settings, self.runs) if parsed else None
        row = state.section(*parsed[:3]) if parsed and run else None
        if parsed is None or run is None or row is None:
            self._fail(f"{where}: custom_id {str(cid)[:80]!r} is no request of an export "
                       "recorded in this home folder")
            return None
        run_id, gene_id, section, round_ = parsed
        label = f"{where} ({row['symbol']} {section}, round {round_})"
        if run.refused:
            self._fail(f"{label}: {run.refused}")
            return None
        if row["state"] != "waiting" or row["round"] != round_ or \
                (run_id, gene_id, section) in self.seen:
            result.skipped += 1
            if row["state"] == "settled":  # imported before, but its page was not queued
                self.touched[run_id].add(gene_id)
            return None
        self.seen.add((run_id, gene_id, section))
        return _Task(result.lines, label, run_id, gene_id, section, round_, row["sheet_hash"],
                     run.config, row["loop"], line)

    def apply(self, judged: _Judged) -> None:
        t = judged.task
        self.state.update(t.run_id, t.gene_id, t.section, round_=judged.round,
                          state=judged.state, loop=judged.loop)
        if judged.failed:
            self.failed.append((t.seq, f"{t.label}: {judged.failed}"))
        if judged.state == "stale":
            return
        self.touched[t.run_id].add(t.gene_id)
        if judged.answered:
            self.result.answers += 1
        else:
            self.result.errors += 1
        if judged.state == "waiting":
            self.next_rounds[t.run_id].add(judged.round)

    def finish(self, target: Path, pool: _Workers) -> None:
        """Write the next rounds' requests files; draft and queue every gene now settled."""
        from writer.review.store import Queue

        result, state = self.result, self.state
        for run_id, rounds in self.next_rounds.items():
            run = self.runs[run_id]
            assert run is not None
            for round_ in sorted(rounds):
                result.next_files += _write_round(state, run_id, round_, target, run)
        pages = [page for run_id, genes in self.touched.items() for gene_id in sorted(genes)
                 if (page := self._page(run_id, gene_id)) is not None]
        with Queue.open(self.settings.queue_path) as queue:
            for page, drafted in zip(pages, pool.map(_draft_page, pages), strict=True):
                if drafted is None:
                    continue
                record, calls, kind = drafted
                supersedes = queue.pending_draft(page.gene_id)
                draft_id = queue.add_draft(record, calls, facts_store=self.store.identity,
                                           gene_type=kind, supersede=True)
                state.conn.execute("UPDATE sections SET state = 'queued' WHERE run = ? AND "
                                   "gene_id = ?", (page.run_id, page.gene_id))
                result.drafts.append((record.symbol, draft_id, record.flagged, supersedes))
                for key, value in record.usage.items():
                    result.usage[key] = result.usage.get(key, 0) + value
        for run_id in self.touched:
            result.waiting += state.conn.execute(
                "SELECT count(*) FROM sections WHERE run = ? AND state = 'waiting'",
                (run_id,)).fetchone()[0]
        result.waiting -= sum(n for _, n in result.next_files)

    def _page(self, run_id: str, gene_id: int) -> _Page | None:
        """The gene's page to draft, when every section of it is settled."""
        run = self.runs[run_id]
        assert run is not None
        rows = {}
        for section in self.state.gene_states(run_id, gene_id):
            row = self.state.section(run_id, gene_id, section)
            if row is None or row["state"] != "settled":
                return None
            rows[section] = (row["sheet_hash"], row["loop"])
        return _Page(run_id, gene_id, run.config, run.info["page"], rows) if rows else None


def _nothing_usable(paths: Sequence[str | Path], result: ImportResult) -> str:
    names = ", ".join(str(p) for p in paths)
    if not result.lines:
        return f"{names}: no result lines (an empty file?)"
    first = result.failed[0].split(": ", 1)[-1] if result.failed else ""
    n = result.lines
    return (f"{names}: none of its {n:,} line{'s' * (n != 1)} could be used; the first: "
            f"{first}")


def _load_run(state: BatchState, run_id: str, settings: Settings,
              runs: dict[str, _Run | None]) -> _Run | None:
    if run_id not in runs:
        info = state.run(run_id)
        if info is None:
            runs[run_id] = None
        else:
            run = _Run(info=info, config=run_config(info["model"], settings, info["config"]))
            try:
                now = code_hashes(info["config"]["prompt_variant"])
            except WriterError as exc:
                now = {"error": str(exc)}
            if now != info["hashes"]:
                changed = sorted(k for k in {*now, *info["hashes"]}
                                 if now.get(k) != info["hashes"].get(k))
                run.refused = (f"the prompts or templates changed since the export "
                               f"({', '.join(changed[:3])}); export the genes again")
            runs[run_id] = run
    return runs[run_id]


def _sheet(store: FactStore, gene_id: int) -> FactSheet | None:
    try:
        return store.sheet(gene_id)
    except UserInputError:
        return None


def _write_round(state: BatchState, run_id: str, round_: int, target: Path, run: _Run
                 ) -> list[tuple[Path, int]]:
    """The requests file(s) of ``round_``: every request of the run awaited in that round."""
    from writer.llm import request_body

    parts = _Parts(target / f"{run_id}-round{round_}.jsonl", run.info["max_requests"])
    for gene_id, _symbol, section, loop in state.waiting(run_id, round_):
        assert loop is not None  # a request after round 1 always has a conversation
        parts.write({"custom_id": custom_id(run_id, gene_id, section, round_),
                     "method": "POST", "url": CHAT_URL,
                     "body": request_body(loop["messages"], run.config)})
    return parts.finish()


# --- the OpenAI Batch API: submit, status, fetch -------------------------------------------
def _client(settings: Settings, http_client: Any = None) -> Any:
    """A model client on the configured endpoint (``writer.config``: OPENAI_BASE_URL,
    OPENAI_API_KEY or config.toml [model]); its ``sdk`` reaches the files and batches
    endpoints."""
    from dataclasses import replace

    from writer.llm import ModelClient, ModelConfig

    chosen = replace(settings.model, name=None).select("batch")
    assert chosen is not None
    config = ModelConfig(model=settings.model.name or "batch", base_url=chosen.base_url,
                         api_key=chosen.api_key, secrets=chosen.secrets, timeout=300.0)
    return ModelClient(config, http_client=http_client)


def _endpoint_error(exc: Exception, what: str) -> WriterError:
    import openai

    from writer.llm import describe, redact

    line = redact(f"{what}: {describe(exc)}") or what
    if isinstance(exc, openai.APIStatusError) and exc.status_code in (400, 404):
        return UserInputError(line)
    return WriterError(line)


def _first_request(path: Path) -> None:
    """``BadFile`` unless ``path`` starts with a batch request line."""
    for number, line in _read_lines(path):
        if isinstance(line, dict) and {"custom_id", "method", "url", "body"} <= set(line):
            return
        why = line if isinstance(line, str) else "not a batch request (custom_id, method, " \
                                                 "url, body)"
        raise BadFile(f"{path} line {number}: {why}")
    raise BadFile(f"{path}: no requests (an empty file?)")


def submit(settings: Settings, path: str | Path, *, http_client: Any = None) -> Any:
    """Upload a requests file (purpose "batch") and create its batch; the ``Batch``."""
    import openai

    path = Path(path)
    _first_request(path)
    with _client(settings, http_client) as client:
        try:
            with path.open("rb") as f:  # up to 190 MB: streamed, not read into memory
                uploaded = client.sdk.files.create(file=(path.name, f), purpose="batch")
            return client.sdk.batches.create(input_file_id=uploaded.id, endpoint=CHAT_URL,
                                             completion_window="24h",
                                             metadata={"made_by": "gene-writer"})
        except openai.OpenAIError as exc:
            raise _endpoint_error(exc, f"cannot submit {path.name}") from None


def status(settings: Settings, batch_id: str, *, http_client: Any = None) -> Any:
    """The ``Batch`` (state, request counts, output and error file ids)."""
    import openai

    with _client(settings, http_client) as client:
        try:
            return client.sdk.batches.retrieve(batch_id)
        except openai.OpenAIError as exc:
            raise _endpoint_error(exc, f"cannot read batch {batch_id}") from None


def fetch(settings: Settings, batch_id: str, *, out_dir: str | Path = ".",
          http_client: Any = None) -> list[Path]:
    """Download the batch's output and error files (``ID-output.jsonl``,
    ``ID-errors.jsonl``) into ``out_dir``; the paths written."""
    import openai

    out = Path(out_dir)
    written = []
    with _client(settings, http_client) as client:
        try:
            batch = client.sdk.batches.retrieve(batch_id)
            files = [(batch.output_file_id, "output"), (batch.error_file_id, "errors")]
            if not any(fid for fid, _ in files):
                raise WriterError(f"batch {batch_id} is {batch.status}: no output file yet")
            for file_id, kind in files:
                if not file_id:
                    continue
                content = client.sdk.files.content(file_id)
                path = out / f"{_safe(batch_id)}-{kind}.jsonl"
                try:
                    out.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(content.content)
                except OSError as exc:
                    raise BadFile(f"cannot write {path}: {exc.strerror or exc}") from None
                written.append(path)
        except openai.OpenAIError as exc:
            raise _endpoint_error(exc, f"cannot fetch batch {batch_id}") from None
    return written


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:100]


def describe_batch(batch: Any) -> list[str]:
    counts = batch.request_counts
    lines = [f"{batch.id}: {batch.status}"]
    if counts is not None:
        lines.append(f"requests: {counts.total:,} ({counts.completed:,} completed, "
                     f"{counts.failed:,} failed)")
    if batch.output_file_id:
        lines.append(f"output file: {batch.output_file_id}")
    if batch.error_file_id:
        lines.append(f"error file: {batch.error_file_id}")
    errors = getattr(batch.errors, "data", None) or []
    lines += [f"error: {getattr(e, 'code', '') or ''} {getattr(e, 'message', '') or ''}".strip()
              for e in errors[:10]]
    return lines


# --- the commands --------------------------------------------------------------------------
@click.group("batch")
def batch() -> None:
    """Draft with a batch engine: the OpenAI Batch API, or `vllm run-batch`.

    export writes each section request of some genes as an OpenAI Batch API requests file
    (JSONL); submit, status and fetch drive the OpenAI Batch API (or any server with its
    files and batches endpoints); import runs the grounding loop on the answers, writes
    the re-asks as the next round's requests file, and queues every finished page like
    `writer draft --model` would. On a GPU cluster, run each requests file with `vllm
    run-batch -i requests.jsonl -o results.jsonl --model NAME` instead of submit, status
    and fetch.

    \b
    Examples:
      writer batch export --all --model gpt-4o-mini --out requests.jsonl
      writer batch submit requests.jsonl
      writer batch status batch_abc123
      writer batch fetch batch_abc123
      writer batch import batch_abc123-output.jsonl batch_abc123-errors.jsonl
      writer batch import results.jsonl
    """


def _prompt_options(command: Any) -> Any:
    from writer.draft import prompt_options

    return prompt_options(command)


@batch.command("export")
@click.argument("genes", metavar="GENE...", nargs=-1)
@click.option("--file", "file_", metavar="FILE",
              help="Gene queries, one per line ('-': standard input; '#' starts a comment).")
@click.option("--all", "all_genes", is_flag=True, help="Every gene of --type in the fact store.")
@click.option("--type", "gene_type", default="protein-coding", show_default=True,
              metavar="TYPE", help="Gene type for --all (protein-coding, ncRNA, pseudo, ...).")
@click.option("--model", "-m", envvar="GENE_WRITER_MODEL", metavar="NAME",
              help="The model named in every request (env GENE_WRITER_MODEL; default: "
                   "config.toml [model] name).")
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="The requests file to write (JSONL).")
@click.option("--max-requests", type=click.IntRange(min=0), default=MAX_REQUESTS,
              show_default=True, metavar="N",
              help="Requests per file at most (the OpenAI Batch API's limit; files stay under "
                   "190 MB too): more go to FILE's stem with -1, -2, ... (0: no limit, e.g. "
                   "for vllm run-batch).")
@click.option("--date", metavar="DATE", help="Front matter date of the drafted pages "
              "(default: when they are imported), e.g. '2025-01-17 16:55 CST'.")
@click.option("--tags", metavar="A,B", help="Front matter tags (default: config.toml [page]).")
@click.option("--categories", metavar="A,B",
              help="Front matter categories (default: config.toml [page]).")
@_prompt_options
@click.pass_obj
def export_command(settings: Settings, genes: tuple[str, ...], file_: str | None,
                   all_genes: bool, gene_type: str, model: str | None, out: str,
                   max_requests: int, date: str | None, tags: str | None,
                   categories: str | None, max_tokens: int | None,
                   prompt_variant: str | None) -> None:
    """Write every section request of each GENE as an OpenAI Batch API requests file.

    One line per section of each gene, in the format the OpenAI Batch API and `vllm
    run-batch` read; the run (fact sheet hashes, prompt hashes, model settings) is
    recorded in the home folder's batch.sqlite for `writer batch import`. Genes are
    chosen as for `writer draft`. Prints the files written. Exit 2 when a gene query
    was bad (the others are exported).

    \b
    Examples:
      writer batch export MT1G NME1 --model gpt-4o-mini --out requests.jsonl
      writer batch export --file genes.txt --model qwen2.5-7b -o requests.jsonl
      writer batch export --all --type protein-coding --model gpt-4o-mini -o all.jsonl
    """
    from writer.bulk import read_queries

    queries = list(genes) + (read_queries(file_) if file_ is not None else [])
    if not queries and not all_genes:
        raise UserInputError("no gene given: name genes, --file FILE or --all")
    result = export(settings, queries, out=out, all_type=gene_type if all_genes else None,
                    model=model, prompt_variant=prompt_variant, max_tokens=max_tokens,
                    date=date, tags=tags, categories=categories, max_requests=max_requests,
                    progress=Progress())
    for path, _ in result.files:
        click.echo(path)
    files = plural(len(result.files), "file")
    click.echo(f"writer: {plural(result.requests, 'request')} of {plural(result.genes, 'gene')} "
               f"written to {files} (run {result.run}); answers go to `writer batch import`",
               err=True)
    for line in result.failed:
        click.echo(f"failed: {line}", err=True)
    sys.exit(result.exit_code)


@batch.command("submit")
@click.argument("file", metavar="FILE")
@click.pass_obj
def submit_command(settings: Settings, file: str) -> None:
    """Upload a requests FILE and create its batch on the OpenAI Batch API.

    The endpoint and key are the model's (OPENAI_BASE_URL, OPENAI_API_KEY or
    config.toml [model]); the batch runs /v1/chat/completions within 24h. Prints the
    batch id.

    \b
    Examples:
      writer batch submit requests.jsonl
    """
    created = submit(settings, file)
    click.echo(created.id)
    click.echo(f"writer: batch {created.id} created ({created.status}); follow it with "
               f"`writer batch status {created.id}`", err=True)


@batch.command("status")
@click.argument("batch_id", metavar="ID")
@click.pass_obj
def status_command(settings: Settings, batch_id: str) -> None:
    """Print the state and request counts of batch ID.

    \b
    Examples:
      writer batch status batch_abc123
    """
    for line in describe_batch(status(settings, batch_id)):
        click.echo(line)


@batch.command("fetch")
@click.argument("batch_id", metavar="ID")
@click.option("--out", "out_dir", default=".", show_default=True,
              type=click.Path(file_okay=False), metavar="DIR",
              help="Folder for ID-output.jsonl and ID-errors.jsonl (made if need be).")
@click.pass_obj
def fetch_command(settings: Settings, batch_id: str, out_dir: str) -> None:
    """Download the output (and error) file of batch ID. Exit 1 while it has none.

    \b
    Examples:
      writer batch fetch batch_abc123
      writer batch fetch batch_abc123 --out results/
    """
    for path in fetch(settings, batch_id, out_dir=out_dir):
        click.echo(path)


@batch.command("import")
@click.argument("files", metavar="FILE...", nargs=-1, required=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, exists=True), metavar="DIR",
              help="Folder for the next round's requests files (default: the first FILE's).")
@click.option("--jobs", type=click.IntRange(min=1, max=256), default=1, show_default=True,
              metavar="N", help="Worker processes judging answers and drafting pages (the "
                                "evaluator is the work: use the CPU count for big files).")
@click.pass_obj
def import_command(settings: Settings, files: tuple[str, ...], out_dir: str | None,
                   jobs: int) -> None:
    """Run the grounding loop on the answers of batch results FILEs.

    Each answer is cleaned and checked like an answer of `writer draft --model`: a
    paragraph the evaluator cannot trace (or that leaves facts out) is re-asked in the
    next round's requests file (RUN-roundN.jsonl, printed); after the last round the
    section uses the template text and the draft is flagged. A gene whose sections are
    all settled is drafted and queued for review. A failed answer, an unknown custom_id or
    a gene whose facts changed since the export is one line each (exit 1); exit 2 when no
    line of the FILEs is usable.

    \b
    Examples:
      writer batch import results.jsonl
      writer batch import batch_abc123-output.jsonl batch_abc123-errors.jsonl
      writer batch import results.jsonl --jobs 8
    """
    result = import_results(settings, files, out_dir=out_dir, jobs=jobs, progress=Progress())
    for line in result.summary():
        click.echo(f"writer: {line}", err=True)
    for path, _ in result.next_files:
        click.echo(path)
    sys.exit(result.exit_code)
