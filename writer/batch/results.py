"""``writer batch import``: the answers of results files judged (``writer.batch.answers``),
the next round's requests files written, and every gene now settled queued for review.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from writer.batch.answers import MISSING, Judged, Page, Task, Workers, draft_page, judge
from writer.batch.exports import code_hashes, run_config
from writer.batch.files import CHAT_URL, Parts, count_lines, custom_id, parse_custom_id, read_lines
from writer.batch.state import BatchState
from writer.errors import BadFile, WriterError
from writer.progress import Progress
from writer.sections.prose import plural

if TYPE_CHECKING:
    from writer.config import Settings
    from writer.llm import ModelConfig
    from writer.store import FactStore


@dataclass
class ImportResult:
    lines: int = 0
    answers: int = 0  # answers judged
    errors: int = 0  # lines that answered a request with an error
    missing: int = 0  # requests of the files answered here that no line answered
    resent: dict[str, int] = field(default_factory=dict)  # failed requests sent again, by why
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

    def as_json(self) -> dict[str, Any]:
        """What ``writer batch import --json`` prints (the shape its help gives)."""
        return {"lines": self.lines, "judged": self.answers, "errors": self.errors,
                "missing": self.missing, "skipped": self.skipped, "failed": self.failed,
                "resent": self.resent,
                "next_files": [{"path": str(p), "requests": n} for p, n in self.next_files],
                "drafts": [{"gene": symbol, "draft": draft_id, "flagged": flagged,
                            "supersedes": supersedes}
                           for symbol, draft_id, flagged, supersedes in self.drafts],
                "waiting": self.waiting, "usage": self.usage, "exit_code": self.exit_code}

    def summary(self) -> list[str]:
        clean = sum(not f for _, _, f, _ in self.drafts)
        lines = [f"{plural(self.lines, 'result line')}: {self.answers:,} judged, "
                 f"{len(self.failed):,} failed, {self.skipped:,} already imported; "
                 f"{plural(len(self.drafts), 'draft')} queued ({clean:,} clean, "
                 f"{len(self.drafts) - clean:,} flagged)"]
        if self.missing:
            lines.append(f"{plural(self.missing, 'request')} of the requests files answered "
                         "here had no line in these files (expired or dropped)")
        if self.resent:
            n = sum(self.resent.values())
            why = ", ".join(f"{k}: {v:,}" for k, v in sorted(self.resent.items(),
                                                             key=lambda kv: -kv[1]))
            lines.append(f"{plural(n, 'failed request')} sent again in the next round "
                         f"({why}); not re-asks")
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


@dataclass
class _Run:
    info: dict[str, Any]
    config: ModelConfig
    refused: str | None = None  # why every answer of this run is refused

    @property
    def online(self) -> bool:
        return bool(self.info["page"].get("online"))


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
    tracker = progress.tracker(count_lines(paths) if progress.enabled else 0, "importing")
    with BatchState.of(settings) as state, Workers(settings, workers, checker) as pool:
        work = _Import(settings, state, FactStore(settings.facts_path))

        def tasks() -> Iterator[Task]:
            for path in map(Path, paths):
                for number, line in read_lines(path):
                    task = work.line(f"{path.name} line {number}", line)
                    if task is None:
                        tracker.advance()
                    else:
                        yield task

        state.conn.execute("BEGIN")  # one transaction: an interrupted import changes nothing
        try:
            for judged in pool.map(judge, tasks()):
                work.apply(judged)
                tracker.advance()
            for judged in pool.map(judge, work.missing()):
                work.apply(judged)
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


class _Import:
    """One import, in this process: each results line checked against the batch state and
    handed out as a ``Task``; what was judged written back; then the next rounds' files
    and the drafts of the genes now settled."""

    def __init__(self, settings: Settings, state: BatchState, store: FactStore) -> None:
        self.settings, self.state, self.store = settings, state, store
        self.result = ImportResult()
        self.failed: list[tuple[int, str]] = []  # (line's place, line) for the report
        self.runs: dict[str, _Run | None] = {}
        self.seen: set[tuple[str, int, str]] = set()  # sections answered in this import
        self.touched: dict[str, set[int]] = defaultdict(set)  # run -> genes answered here
        self.next_rounds: dict[str, set[int]] = defaultdict(set)  # run -> rounds re-asked
        self.parts: set[tuple[str, int, int]] = set()  # (run, round, part) answered here

    def _fail(self, line: str) -> None:
        self.failed.append((self.result.lines, line))

    def line(self, where: str, line: Any) -> Task | None:
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
        part = state.part_of(run_id, gene_id, section, round_)
        if part is not None:
            self.parts.add((run_id, round_, part))
        return Task(result.lines, label, run_id, gene_id, section, round_, row["sheet_hash"],
                     run.config, row["loop"], line, online=run.online)

    def missing(self) -> Iterator[Task]:
        """A failed answer for each request of a requests file this import read answers of
        that no line answered: the OpenAI Batch API leaves out requests it did not run
        (expired, cancelled), and so does an engine that stopped halfway. Worth sending
        again, like a timeout."""
        for run_id, round_, part in sorted(self.parts):
            run = self.runs[run_id]
            assert run is not None
            name = Path(self.state.file(run_id, round_, part) or "?").name
            for gene_id, symbol, section, hashed, loop in \
                    self.state.unanswered(run_id, round_, part):
                if (run_id, gene_id, section) in self.seen:
                    continue
                self.seen.add((run_id, gene_id, section))
                cid = custom_id(run_id, gene_id, section, round_)
                line = {"custom_id": cid, "response": None,
                        "error": {"code": MISSING, "message": f"no line answered {name}'s "
                                                              "request"}}
                yield Task(self.result.lines + 1, f"{name} ({symbol} {section}, round "
                            f"{round_})", run_id, gene_id, section, round_, hashed,
                            run.config, loop, line, online=run.online, missing=True)

    def apply(self, judged: Judged) -> None:
        t = judged.task
        self.state.update(t.run_id, t.gene_id, t.section, round_=judged.round,
                          state=judged.state, loop=judged.loop)
        if judged.failed:
            self.failed.append((t.seq, f"{t.label}: {judged.failed}"))
        if judged.state == "stale":
            return
        self.touched[t.run_id].add(t.gene_id)
        if t.missing:
            self.result.missing += 1
        elif judged.answered:
            self.result.answers += 1
        else:
            self.result.errors += 1
        if judged.resent:
            why = judged.resent.split(":")[0]
            self.result.resent[why] = self.result.resent.get(why, 0) + 1
        if judged.state == "waiting" and judged.round > t.round:
            self.next_rounds[t.run_id].add(judged.round)

    def finish(self, target: Path, pool: Workers) -> None:
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
            for page, drafted in zip(pages, pool.map(draft_page, pages), strict=True):
                if drafted is None:
                    continue
                record, calls, kind = drafted
                supersedes = queue.pending_draft(page.gene_id)
                draft_id = queue.add_draft(record, calls, facts_store=None if page.online
                                           else self.store.identity, gene_type=kind,
                                           supersede=True)
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

    def _page(self, run_id: str, gene_id: int) -> Page | None:
        """The gene's page to draft, when every section of it is settled."""
        run = self.runs[run_id]
        assert run is not None
        rows = {}
        for section in self.state.gene_states(run_id, gene_id):
            row = self.state.section(run_id, gene_id, section)
            if row is None or row["state"] != "settled":
                return None
            rows[section] = (row["sheet_hash"], row["loop"])
        return Page(run_id, gene_id, run.config, run.info["page"], rows) if rows else None


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


def _write_round(state: BatchState, run_id: str, round_: int, target: Path, run: _Run
                 ) -> list[tuple[Path, int]]:
    """The requests file(s) of ``round_``: every request of the run awaited in that round."""
    from writer.llm import request_body

    parts = Parts(target / f"{run_id}-round{round_}.jsonl", run.info["max_requests"])
    state.conn.execute("BEGIN")
    try:
        for gene_id, _symbol, section, loop in state.waiting(run_id, round_):
            assert loop is not None  # a request after round 1 always has a conversation
            part = parts.write({"custom_id": custom_id(run_id, gene_id, section, round_),
                                "method": "POST", "url": CHAT_URL,
                                "body": request_body(loop["messages"], run.config)})
            state.sent(run_id, gene_id, section, round_, part)
        files = parts.finish()
        state.wrote(run_id, round_, files)
        state.conn.execute("COMMIT")
    except BaseException:
        state.conn.execute("ROLLBACK")
        parts.discard()
        raise
    return files
