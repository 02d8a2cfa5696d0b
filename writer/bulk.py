"""Many genes in one run: ``writer draft GENE... | --file FILE | --all``, and ``writer.draft_many``.

    result = draft_many(["MT1G", "NME1", "TP53"])            # the configured model or templates
    result = draft_many(all_type="protein-coding", jobs=2)   # every protein-coding gene
    result.counts(), result.exit_code, result.summary()

Each gene is resolved, drafted (``writer.draft.make_draft``: phrased, checked) and appended to
the review queue as soon as it is done, one transaction per draft, so a run that is killed
keeps every draft it finished, and running it again continues where it stopped: a gene whose
latest draft was made from the same inputs (``writer.draft.inputs_digest``: fact sheet,
templates, prompts, phraser, model, tags, categories) is skipped unless ``force``. A new draft
of a gene supersedes the gene's pending draft (``writer.review.store.Queue.add_draft``).

Template drafting is CPU work: ``jobs`` worker processes, each with its own fact store
connection. Model drafting is waiting on an endpoint, and CPU work on each answer (the
evaluator checks it): worker processes (one per core, ``processes_for``) each draft a few
genes at once in threads, and all of them share one ``writer.llm.EndpointLimit`` in shared
memory: ``jobs`` requests in flight at most, whoever sends them, and one 429 pause for all.
Drafts come back to this process, which alone writes the review queue.

One bad query does not stop the run: it is a failed gene (one line). Exit code 0 when every
draft is clean, 1 when any is flagged (or a gene failed while drafting), 2 when a query was
bad input (unknown or ambiguous gene).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from writer.errors import BadFile, UserInputError, WriterError
from writer.progress import Progress

if TYPE_CHECKING:
    from writer.config import Settings
    from writer.draft import DraftRecord
    from writer.factsheet import FactSheet
    from writer.llm import EndpointLimit, ModelCall, ModelConfig
    from writer.redraft import AcceptedPage
    from writer.review.store import Queue
    from writer.store import FactStore

State = Literal["clean", "flagged", "skipped", "failed"]
CHUNK = 16  # genes handed to a worker process at once


@dataclass
class Outcome:
    """What happened to one query."""

    query: str
    state: State
    gene_id: int | None = None
    symbol: str | None = None
    draft_id: int | None = None
    supersedes: int | None = None  # the pending draft this one replaced
    findings: int = 0
    fell_back: bool = False
    error: str | None = None  # one line, for a failed gene
    bad_input: bool = False  # the query itself was bad (unknown, ambiguous)

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class BulkResult:
    outcomes: list[Outcome] = field(default_factory=list)
    elapsed_s: float = 0.0
    usage: dict[str, int] = field(default_factory=dict)  # tokens and requests, summed
    cost_usd: float | None = None  # at config.toml's [prices], when it prices any model
    unpriced: set[str] = field(default_factory=set)  # models that answered without a price

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(("clean", "flagged", "skipped", "failed"), 0)
        for o in self.outcomes:
            out[o.state] += 1
        out["fell_back"] = sum(o.fell_back for o in self.outcomes)
        out["superseded"] = sum(o.supersedes is not None for o in self.outcomes)
        return out

    @property
    def exit_code(self) -> int:
        if any(o.bad_input for o in self.outcomes):
            return 2
        return 1 if any(o.state in ("flagged", "failed") for o in self.outcomes) else 0

    def summary(self) -> list[str]:
        """The end-of-run lines: counts, then one line per failed gene."""
        c = self.counts()
        drafted = c["clean"] + c["flagged"]
        rate = f", {drafted / self.elapsed_s:.1f} genes/s" if drafted and self.elapsed_s else ""
        lines = [
            f"{len(self.outcomes):,} genes in {_duration(self.elapsed_s)}{rate}: "
            f"{c['clean']:,} drafted clean, {c['flagged']:,} flagged "
            f"({c['fell_back']:,} with a section that fell back to its template), "
            f"{c['skipped']:,} skipped (unchanged since their latest draft "
            "or accepted page), "
            f"{c['failed']:,} failed"
        ]
        if c["superseded"]:
            lines.append(f"{c['superseded']:,} new drafts supersede a pending draft of their "
                         "gene")
        if self.usage.get("model_calls"):
            lines.append(f"model: {self.usage['model_calls']:,} requests, "
                         f"{self.usage.get('prompt_tokens', 0):,} prompt tokens, "
                         f"{self.usage.get('completion_tokens', 0):,} completion tokens"
                         + (f", ${self.cost_usd:,.4f} at config.toml's [prices]"
                            if self.cost_usd is not None else ""))
            if self.cost_usd is not None and self.unpriced:
                lines.append("no price in config.toml [prices] for "
                             + ", ".join(sorted(self.unpriced)) + " (left out of the cost)")
        lines += [f"failed: {o.symbol or o.query}: {o.error}"
                  for o in self.outcomes if o.state == "failed"]
        return lines

    def as_json(self) -> dict[str, Any]:
        return {"counts": self.counts(), "exit_code": self.exit_code,
                "elapsed_s": round(self.elapsed_s, 3), "usage": self.usage,
                **({"cost_usd": round(self.cost_usd, 6), "unpriced": sorted(self.unpriced)}
                   if self.cost_usd is not None else {}),
                "genes": [o.as_json() for o in self.outcomes]}


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


# --- which genes -----------------------------------------------------------------------------
def read_queries(path: str) -> list[str]:
    """Gene queries from a file, one per line (``-``: standard input); blank lines and ``#``
    comments (whole-line or trailing) are ignored."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadFile(f"cannot read {path}: {exc}") from None
    queries = []
    for line in text.splitlines():
        query = line.split("#", 1)[0].strip()
        if query:
            queries.append(query)
    return queries


def resolve(store: FactStore, queries: Iterable[str]
            ) -> tuple[list[tuple[str, int]], list[Outcome]]:
    """(query, NCBI Gene ID) for each query that names a gene (a gene named twice counts
    once), and a failed outcome for each that does not."""
    found: list[tuple[str, int]] = []
    seen: set[int] = set()
    failed = []
    for query in queries:
        try:
            gene_id = store.resolve(query)
        except UserInputError as exc:
            failed.append(Outcome(query=query, state="failed", error=str(exc), bad_input=True))
            continue
        if gene_id not in seen:
            seen.add(gene_id)
            found.append((query, gene_id))
    return found, failed


def genes_of_type(store: FactStore, gene_type: str) -> list[tuple[str, int]]:
    types = store.gene_types()
    if gene_type not in types:
        raise UserInputError(f"unknown gene type {gene_type!r}: use one of "
                             + ", ".join(sorted(types)))
    return [(str(g), g) for g in store.gene_ids(gene_type)]


# --- drafting ----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Options:
    """What every gene's draft shares (picklable: sent to worker processes)."""

    facts_path: Path
    date: str | None
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    force: bool
    queue_path: Path | None = None  # where a gene's accepted page is read (a redraft)


# A drafted gene as it comes back from a worker: (gene_id, symbol, state, payload), where
# payload is (record, calls, gene type) when drafted, an error line when failed, None when skipped.
Done = tuple[int, str, str, Any]

_WORKER: dict[str, Any] = {}


def _init_worker(options: _Options) -> None:
    from writer.store import FactStore

    _WORKER["store"] = FactStore(options.facts_path)
    _WORKER["options"] = options
    _WORKER["queue"] = None
    if options.queue_path is not None:
        from writer.review.store import Queue

        _WORKER["queue"] = Queue.open(options.queue_path, readonly=True)


def _template_chunk(items: list[tuple[int, str | None]]) -> list[Done]:
    """Draft a few genes with the templates (in a worker process, or in this one)."""
    store: FactStore = _WORKER["store"]
    options: _Options = _WORKER["options"]
    sheets = store.sheets([gid for gid, _ in items])
    queue = _WORKER["queue"]
    return [_draft_one(sheet, known, options, None, None, queue) for (_, known), sheet
            in zip(items, sheets, strict=True)]


def _draft_one(sheet: FactSheet, known: str | None, options: _Options, phraser: Any,
               checker: Any, queue: Queue | None = None) -> Done:
    """Draft one gene unless its latest draft has the same inputs; a gene with an accepted
    page keeps the accepted text of its unchanged sections (``writer.redraft``). ``queue``:
    this process's or thread's read-only queue (None: open one for this gene)."""
    from writer.draft import (
        _model_name,
        _prompt_variant,
        inputs_digest,
        make_draft,
        unchanged_since_accepted,
    )

    try:
        if not options.force and known is not None:
            digest = inputs_digest(
                sheet.content_hash(), getattr(phraser, "name", "template"),
                _model_name(phraser), judge=checker is not None, tags=options.tags,
                categories=options.categories, prompt_variant=_prompt_variant(phraser))
            if digest == known:
                return (sheet.gene_id, sheet.symbol, "skipped", None)
        accepted = _accepted(sheet.gene_id, options, queue)
        if not options.force and unchanged_since_accepted(sheet, accepted, phraser,
                                                          options.tags, options.categories):
            return (sheet.gene_id, sheet.symbol, "skipped", None)
        result = make_draft(sheet, phraser, date=options.date, tags=options.tags,
                            categories=options.categories, checker=checker, accepted=accepted)
    except Exception as exc:  # one gene's failure is a line in the summary, not the run's end
        return (sheet.gene_id, sheet.symbol, "failed", f"{type(exc).__name__}: {exc}")
    return (sheet.gene_id, sheet.symbol, "drafted",
            (result.record, result.calls, gene_type(sheet)))


def _accepted(gene_id: int, options: _Options, queue: Queue | None) -> AcceptedPage | None:
    from writer.redraft import accepted_page
    from writer.review.store import Queue

    if queue is not None:
        return accepted_page(queue, gene_id)
    if options.queue_path is None:
        return None
    with Queue.open(options.queue_path, readonly=True) as own:
        return accepted_page(own, gene_id)


def gene_type(sheet: FactSheet) -> str | None:
    value = sheet.value("identity.gene_type")
    return str(value) if value else None


def draft_many(
    genes: Sequence[str | int] = (),
    *,
    all_type: str | None = None,
    settings: Settings | None = None,
    model: str | None = None,
    jobs: int | None = None,
    force: bool = False,
    date: str | None = None,
    tags: Sequence[str] | str | None = None,
    categories: Sequence[str] | str | None = None,
    online: bool = False,
    judge: bool = False,
    progress: Progress | None = None,
    http_client: Any | None = None,
    processes: int | None = None,
    **model_overrides: Any,
) -> BulkResult:
    """Draft many genes (``genes``, and every gene of type ``all_type``), check each page and
    append it to the review queue: what ``writer draft GENE... / --file / --all`` does.

    ``jobs``: worker processes for template drafting (default: the CPU count), requests in
    flight for a model (default 6), shared by ``processes`` worker processes that check the
    answers (default: ``processes_for``; each has its share of the genes at once, and one
    concurrency limit and 429 pause holds across them). ``force`` drafts genes whose latest
    draft has the same inputs. Other options as for ``writer.draft``. Returns a
    ``BulkResult``: one ``Outcome`` per query, ``counts()``, ``exit_code`` and ``summary()``.
    Raises ``UserInputError`` for a bad option (unknown gene type, bad date or tag) and
    ``NoFactStore``; a bad gene query is a failed outcome, not an exception.
    """
    import os

    from writer.config import load_settings
    from writer.draft import page_options
    from writer.llm import cost, model_config
    from writer.review.store import Queue
    from writer.store import FactStore

    start = time.monotonic()
    settings = settings or load_settings()
    progress = progress or Progress(enabled=False)
    date, tag_list, cat_list = page_options(settings, date, tags, categories)
    config = model_config(settings.model, model,
                          **{**model_overrides, "concurrency": jobs or
                             model_overrides.get("concurrency")})
    if judge and config is None:
        raise UserInputError("--judge needs a model: --model NAME (or GENE_WRITER_MODEL) on an "
                             "OpenAI-compatible endpoint")
    judge_model = None
    if config is not None:
        from writer.phrasers import prompting

        prompting.variant(config.prompt_variant)  # an unknown variant is bad input, at once
        if judge:
            from writer.check.judge import judge_config

            judge_model = judge_config(settings.model, config.model, config.timeout,
                                       config.max_tokens)
    store = FactStore(settings.facts_path)
    todo, failed = resolve(store, [str(g) for g in genes])
    if all_type is not None:
        named = {gid for _, gid in todo}
        todo += [(q, gid) for q, gid in genes_of_type(store, all_type) if gid not in named]
    options = _Options(settings.facts_path, date, tuple(tag_list), tuple(cat_list), force,
                       settings.queue_path)
    result = BulkResult(outcomes=list(failed))
    usage = dict.fromkeys(("prompt_tokens", "completion_tokens", "model_calls"), 0)
    queries = {gid: q for q, gid in todo}

    identity = None if online else store.identity
    with Queue.open(settings.queue_path) as queue:
        items = _unless_unchanged(todo, {} if force else queue.latest_inputs(), identity,
                                  config, judge, options, result)
        tracker = progress.tracker(len(items), "drafting")

        def record(done: Done) -> None:
            gene_id, symbol, state, payload = done
            outcome = Outcome(query=queries[gene_id], gene_id=gene_id, symbol=symbol,
                              state="skipped")
            if state == "failed":
                outcome.state, outcome.error = "failed", str(payload)
            elif state == "drafted":
                rec: DraftRecord = payload[0]
                calls: list[ModelCall] = payload[1]
                outcome.supersedes = queue.pending_draft(gene_id)
                outcome.draft_id = queue.add_draft(rec, calls, facts_store=identity,
                                                   gene_type=payload[2], supersede=True)
                outcome.state = "flagged" if rec.flagged else "clean"
                outcome.findings = len(rec.findings)
                outcome.fell_back = any(s.fell_back for s in rec.sections.values())
                for k in usage:
                    usage[k] += rec.usage.get(k, 0)
                if settings.prices:
                    spent, unpriced = cost(calls, settings.prices)
                    result.cost_usd = (result.cost_usd or 0.0) + spent
                    result.unpriced |= unpriced
            result.outcomes.append(outcome)
            tracker.advance()

        try:
            if config is None and not online:
                workers = max(1, min(jobs or os.cpu_count() or 1, len(items)))
                for done in _template_runs(items, options, workers):
                    record(done)
            else:
                asking = _Asking(settings, config, judge_model, online,
                                 genes_at_once=config.concurrency if config else 1)
                if http_client is not None:  # the caller's client lives in this process
                    processes = 1
                _asked_runs(items, options, asking,
                            processes or processes_for(len(items), asking.genes_at_once),
                            http_client, record)
        finally:
            tracker.close()
    result.usage = usage if usage["model_calls"] else {}
    result.elapsed_s = time.monotonic() - start
    return result


def _unless_unchanged(todo: list[tuple[str, int]],
                      known: dict[int, tuple[str | None, str, str | None]],
                      identity: str | None, config: Any, judge: bool, options: _Options,
                      result: BulkResult) -> list[tuple[int, str | None]]:
    """The genes to draft, each with its latest draft's inputs digest (compared again once
    its sheet is read). A gene whose latest draft came from this very fact store file with
    the inputs a draft would have now is skipped here, without reading its facts."""
    from writer.draft import inputs_digest

    phraser = "openai" if config is not None else "template"
    model = config.model if config is not None else None
    items = []
    for query, gid in todo:
        inputs, sheet_hash, store = known.get(gid, (None, "", None))
        if (inputs is not None and identity is not None and store == identity
                and inputs == inputs_digest(
                    sheet_hash, phraser, model, judge=judge, tags=options.tags,
                    categories=options.categories,
                    prompt_variant=config.prompt_variant if config is not None else None)):
            result.outcomes.append(Outcome(query=query, state="skipped", gene_id=gid))
        else:
            items.append((gid, inputs))
    return items


def _template_runs(items: list[tuple[int, str | None]], options: _Options,
                   workers: int) -> Iterator[Done]:
    size = max(1, min(CHUNK, len(items) // (4 * workers)))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    if workers == 1:
        _init_worker(options)
        for chunk in chunks:
            yield from _template_chunk(chunk)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                             initargs=(options,)) as pool:
        for done in pool.map(_template_chunk, chunks):
            yield from done


@dataclass(frozen=True)
class _Asking:
    """How the genes of a model (or online) run are drafted: what each worker needs."""

    settings: Settings
    config: ModelConfig | None  # the phraser's model (None: templates, for an online run)
    judge: ModelConfig | None  # the judge's model, with --judge
    online: bool
    genes_at_once: int  # genes each worker drafts at once (threads)
    limit: EndpointLimit | None = None  # the endpoint's limit, shared by every worker
    judge_limit: EndpointLimit | None = None


# What a worker puts on the outbox: ("drafted", Done) per gene; ("failed", name, why) when it
# cannot go on; ("finished", name) last.
def _ask_worker(name: str, options: _Options, asking: _Asking, inbox: Any, outbox: Any,
                http_client: Any = None) -> None:
    """Draft the genes of each chunk taken from ``inbox`` (until a None), a few at once in
    threads, and put each drafted gene on ``outbox`` as it is done. Runs in a worker
    process, or in a thread of the caller's (which may pass its own HTTP client). Fact sheets
    are read by this thread, which owns its store connection."""
    from functools import partial

    from writer.phrasers import TemplatePhraser
    from writer.store import FactStore

    phraser: Any = TemplatePhraser()
    model_judge = None
    checker = None
    try:
        store = FactStore(options.facts_path)
        if asking.config is not None:
            from writer.phrasers.model import ModelPhraser

            phraser = ModelPhraser(asking.config, http_client=http_client, limit=asking.limit)
        if asking.judge is not None:
            from writer.check import check
            from writer.check.judge import ModelJudge

            model_judge = ModelJudge(asking.judge, http_client=http_client,
                                     limit=asking.judge_limit)
            checker = partial(check, judge=model_judge)
        with ThreadPoolExecutor(max_workers=asking.genes_at_once,
                                thread_name_prefix="gene") as pool:
            pending: set[Future[Done]] = set()

            def send(most: int) -> None:
                nonlocal pending
                while len(pending) > most:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        outbox.put(("drafted", future.result()))

            while (chunk := inbox.get()) is not None:
                sheets = fact_sheets(store, [gid for gid, _ in chunk], asking.settings,
                                 asking.online)
                for (gid, known), sheet in zip(chunk, sheets, strict=True):
                    if isinstance(sheet, str):
                        outbox.put(("drafted", (gid, "", "failed", sheet)))
                    else:
                        pending.add(pool.submit(_draft_one, sheet, known, options, phraser,
                                                checker))
                send(asking.genes_at_once)  # take the next chunk when a gene's thread is free
            send(0)
    except Exception as exc:  # the genes this worker held are reported failed by the caller
        outbox.put(("failed", name, f"{type(exc).__name__}: {exc}"))
    finally:
        if asking.config is not None and hasattr(phraser, "close"):
            phraser.close()
        if model_judge is not None:
            model_judge.close()
        outbox.put(("finished", name))


def _ask_worker_process(name: str, options: _Options, asking: _Asking, inbox: Any,
                        outbox: Any) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _ask_worker(name, options, asking, inbox, outbox)


def processes_for(genes: int, concurrency: int) -> int:
    """Worker processes for a model run: checking answers is CPU work, so a run of many genes
    uses the machine's cores (each worker with a share of the requests in flight), but never
    more processes than pairs of requests in flight or than groups of four genes (one: a
    thread of this process)."""
    import os

    return max(1, min(os.cpu_count() or 1, concurrency // 2, genes // 4))


def _asked_runs(items: list[tuple[int, str | None]], options: _Options, asking: _Asking,
                processes: int, http_client: Any, record: Any) -> None:
    """Draft ``items`` with ``processes`` workers (1: a thread of this process) taking
    chunks of genes from one inbox, and ``record`` each drafted gene here, as it comes.

    A worker that fails (its fact store unreadable, say) leaves the genes it held failed,
    each with one line, and the others go on. A worker process that dies (killed, out of
    memory) may have died holding some of the endpoint's shared slots, so the run stops
    there: every draft recorded so far is kept, the genes not drafted are failed with one
    line, and running the command again continues where it stopped.
    """
    import dataclasses
    import gc
    import math
    import queue as queues

    from writer.llm import EndpointLimit

    size = max(1, min(4, len(items) // (4 * processes)))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    asking = dataclasses.replace(asking,
                                 genes_at_once=max(1, math.ceil(asking.genes_at_once / processes)))
    workers: dict[str, Any] = {}
    if processes == 1:
        inbox: Any = queues.Queue()
        outbox: Any = queues.Queue()
        workers["worker"] = threading.Thread(
            target=_ask_worker, daemon=True, name="ask-worker",
            args=("worker", options, asking, inbox, outbox, http_client))
    else:
        import multiprocessing

        from writer.llm import tls_context

        tls_context()  # loaded once, here, for every worker
        context = multiprocessing.get_context("fork")
        inbox, outbox = context.Queue(), context.Queue()
        asking = dataclasses.replace(
            asking,
            limit=(EndpointLimit(asking.config.concurrency, context)
                   if asking.config is not None else None),
            judge_limit=(EndpointLimit(asking.judge.concurrency, context)
                         if asking.judge is not None else None))
        for n in range(1, processes + 1):
            name = f"worker process {n}"
            workers[name] = context.Process(target=_ask_worker_process, name=f"ask-worker-{n}",
                                            args=(name, options, asking, inbox, outbox),
                                            daemon=True)
    returned: set[int] = set()
    why: list[str] = []
    finished: set[str] = set()
    try:
        # (forked before this process feeds the inbox; with the parent's objects frozen, a
        # collection in a worker does not copy every page it would touch: gc.freeze's use)
        gc.freeze()
        for worker in workers.values():
            worker.start()
        gc.unfreeze()
        for chunk in chunks:
            inbox.put(chunk)
        for _ in workers:
            inbox.put(None)
        while len(finished) < len(workers):
            try:
                message = outbox.get(timeout=1.0)
            except queues.Empty:
                message = None
            if message is not None and message[0] == "drafted":
                returned.add(message[1][0])
                record(message[1])
            elif message is not None and message[0] == "failed":
                why.append(f"{message[1]} stopped: {message[2]}")
            elif message is not None:
                finished.add(message[1])
            # (a worker that ended well has put all its messages in the pipe: exit code 0)
            dead = [f"{name} ended (exit code {w.exitcode})" for name, w in workers.items()
                    if name not in finished and getattr(w, "exitcode", None) not in (None, 0)]
            if dead:
                why.insert(0, f"the run stopped: {dead[0]}; run the command again to continue")
                break
    finally:
        for worker in workers.values():
            if isinstance(worker, threading.Thread):
                continue
            if worker.is_alive():
                worker.terminate()
            worker.join(5)
    reason = why[0] if why else "no worker drafted it"
    for gid, _ in items:
        if gid not in returned:
            record((gid, "", "failed", reason))


def fact_sheets(store: FactStore, gene_ids: list[int], settings: Settings,
                online: bool) -> list[FactSheet | str]:
    """Fact sheets (with ``online``: what the online sources say today), or an error line."""
    if not online:
        return list(store.sheets(gene_ids))
    from writer.sources.online import current_sheet

    out: list[FactSheet | str] = []
    for gid in gene_ids:
        try:
            out.append(current_sheet(store, gid, settings, online=True))
        except WriterError as exc:
            out.append(str(exc))
    return out
