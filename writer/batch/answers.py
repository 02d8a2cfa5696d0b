"""Judging the answers of a results file, one at a time, in worker processes.

Each answer goes through the interactive path's grounding loop
(``writer.phrasers.model.Grounding``), restored from the batch state and saved back as
JSON (``_save``, ``_restore``): used, re-asked in the next round, sent again when the request
failed in a way worth retrying (``writer.llm.retryable_status``, ``RETRYABLE_CODES``, or no
line at all: ``MISSING``), or given up. A gene whose sections are all settled is drafted
(``draft_page``) as ``writer draft --model`` would draft it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from writer.batch.state import sheet_hash
from writer.errors import UserInputError

if TYPE_CHECKING:
    from writer.config import Settings
    from writer.factsheet import FactSheet
    from writer.llm import ModelConfig
    from writer.phrasers import Phrased
    from writer.phrasers.model import Grounding
    from writer.store import FactStore


class _Replay:
    """A phraser whose sections were phrased already (by the rounds of a batch)."""

    name = "openai"

    def __init__(self, config: ModelConfig, phrased: dict[str, Phrased]) -> None:
        self.config = config
        self.phrased = phrased

    def phrase(self, sections: Sequence[Any], sheet: FactSheet) -> dict[str, Phrased]:
        return {s.name: self.phrased[s.name] for s in sections}


def _save(loop: Grounding, failures: int = 0) -> dict[str, Any]:
    """The grounding loop as JSON, to continue it with the next round's answer;
    ``failures``: the failed requests of its current question (re-sent as they were)."""
    r = loop.result
    last = loop.last
    return {
        "messages": loop.messages, "asked": loop.asked, "failures": failures,
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


# The results-line ``error`` codes of a request that never ran to an answer (the OpenAI
# Batch API's: the window ended, the batch was cancelled, the model call timed out), and
# the one import gives a request with no line in its files: all worth sending again.
RETRYABLE_CODES = frozenset({"batch_expired", "batch_cancelled", "request_timeout"})
MISSING = "missing"


def _answer_error(line: dict[str, Any]) -> tuple[str, bool] | None:
    """Why a results line carries no answer (an ``error``, a non-200 status), and whether
    sending the request again may help (``writer.llm.retryable_status``, or an ``error``
    code of ``RETRYABLE_CODES``); None when it carries one."""
    from writer.llm import retryable_status

    error = line.get("error")
    response = line.get("response")
    status = response.get("status_code") if isinstance(response, dict) else None
    if not isinstance(status, int) or isinstance(status, bool):
        status = None
    again = status is not None and retryable_status(status)
    if error:
        if isinstance(error, dict):
            code, message = error.get("code"), error.get("message")
            return (": ".join(str(x) for x in (code, message) if x) or "an error",
                    again or (isinstance(code, str) and code in RETRYABLE_CODES | {MISSING}))
        return " ".join(str(error).split())[:300], again
    if not isinstance(response, dict):
        return "no response", False
    if status != 200:
        body = response.get("body")
        message = (body.get("error") or {}).get("message") if isinstance(body, dict) and \
            isinstance(body.get("error"), dict) else None
        return f"HTTP {response.get('status_code')}" + (f": {message}" if message else ""), again
    return None


@dataclass(frozen=True)
class Task:
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
    online: bool = False  # the run's fact sheets are online ones
    missing: bool = False  # no line answered it: ``line`` is a made-up failure


@dataclass(frozen=True)
class Judged:
    """What judging one answer changed."""

    task: Task
    round: int
    state: str  # waiting (re-asked) | settled | stale
    loop: dict[str, Any] | None
    failed: str | None = None
    answered: bool = False  # an answer was judged (not an error line)
    resent: str | None = None  # why the request failed, when it is sent again


@dataclass(frozen=True)
class Page:
    """A gene whose sections are all settled, to draft (picklable)."""

    run_id: str
    gene_id: int
    config: ModelConfig
    page: dict[str, Any]
    sections: dict[str, tuple[str, dict[str, Any] | None]]  # section -> (sheet hash, loop)

    @property
    def online(self) -> bool:
        return bool(self.page.get("online"))


_WORKER: dict[str, Any] = {}


def _init_worker(settings: Settings, checker: Any) -> None:
    from writer.check import check as evaluator_check
    from writer.store import FactStore

    _WORKER.update(settings=settings, store=FactStore(settings.facts_path),
                   checker=checker or evaluator_check, sheets={})


def _worker_sheet(gene_id: int, online: bool) -> FactSheet | str | None:
    """The gene's fact sheet now (``online``: as ``writer draft --online`` makes it); None
    when the fact store no longer has the gene, a text when its online facts could not
    be fetched."""
    from writer.bulk import fact_sheets

    sheets: dict[tuple[int, bool], FactSheet | str | None] = _WORKER["sheets"]
    if (gene_id, online) not in sheets:
        if len(sheets) > 256:
            sheets.clear()
        store = _WORKER["store"]
        sheets[gene_id, online] = _sheet(store, gene_id) if not online else \
            fact_sheets(store, [gene_id], _WORKER["settings"], True)[0]
    return sheets[gene_id, online]


class Workers:
    """``map`` in worker processes (``jobs`` > 1) or in this one, with at most a few tasks
    per worker in flight, so a results file is never held in memory whole."""

    def __init__(self, settings: Settings, jobs: int, checker: Any) -> None:
        self.settings, self.jobs, self.checker = settings, jobs, checker
        self.pool: Any = None

    def __enter__(self) -> Workers:
        if self.jobs > 1:
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=_init_worker,
                                            initargs=(self.settings, None))
        else:
            _init_worker(self.settings, self.checker)
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


def judge(task: Task) -> Judged:
    """Judge one answer in its section's grounding loop (in a worker process)."""
    from writer.phrasers.model import Grounding
    from writer.sections import get as get_section

    sheet = _worker_sheet(task.gene_id, task.online)
    if isinstance(sheet, str):  # the online facts could not be fetched: nothing changes
        return Judged(task, task.round, "waiting", task.saved,
                       failed=f"{sheet}; import the file again")
    if sheet is None or sheet_hash(sheet, task.online) != task.sheet_hash:
        return Judged(task, task.round, "stale", task.saved,
                       failed="the gene's fact sheet changed since the export; export the "
                              "gene again")
    loop = _restore(Grounding(get_section(task.section), sheet, task.config,
                              _WORKER["checker"]), task.saved)
    error, grounded = _answer(loop, task.line, task.config)
    if error is not None:
        # As the interactive path (writer.llm): a retryable failure is asked again, the
        # same request, up to ``attempts`` requests per question; a re-send is no re-ask.
        why, again = error
        failures = (task.saved or {}).get("failures", 0) + 1
        if again and failures < max(task.config.attempts, 1):
            return Judged(task, task.round + 1, "waiting", _save(loop, failures),
                           resent=why)
        if again:
            why += f" after {failures} request{'s' * (failures != 1)}"
        loop.endpoint_failed(f"the batch answered {why}")
        return Judged(task, task.round, "settled", _save(loop), failed=why)
    if not grounded and not loop.exhausted:  # re-asked in the next round
        return Judged(task, task.round + 1, "waiting", _save(loop), answered=True)
    if not grounded:
        loop.give_up()
    return Judged(task, task.round, "settled", _save(loop), answered=True)


def _answer(loop: Grounding, line: dict[str, Any], config: ModelConfig
            ) -> tuple[tuple[str, bool] | None, bool]:
    """Log and judge the answer of ``line``: (why it is no answer and whether it is worth
    asking again, None when it is one; whether ``loop.judge`` used it)."""
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
            error = str(exc), False
    if error is not None:
        result.calls.append(ModelCall(section=loop.section, attempt=result.attempts,
                                      model=config.model, prompt=prompt, duration_s=0.0,
                                      error=redact(error[0], config.all_secrets())))
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


def draft_page(page: Page) -> tuple[Any, list[Any], str | None] | None:
    """(draft record, model calls, gene type) of a settled gene (in a worker process); None
    when its facts changed since the export."""
    from writer.bulk import gene_type
    from writer.draft import make_draft
    from writer.phrasers.model import Grounding
    from writer.sections import get as get_section

    sheet = _worker_sheet(page.gene_id, page.online)
    if sheet is None or isinstance(sheet, str) or \
            any(h != sheet_hash(sheet, page.online) for h, _ in page.sections.values()):
        return None
    phrased = {name: _restore(Grounding(get_section(name), sheet, page.config,
                                        _WORKER["checker"]), saved).result
               for name, (_, saved) in page.sections.items()}
    draft = make_draft(sheet, _Replay(page.config, phrased),  # type: ignore[arg-type]
                       date=page.page["date"], tags=page.page["tags"],
                       categories=page.page["categories"])
    return draft.record, draft.calls, gene_type(sheet)


def _sheet(store: FactStore, gene_id: int) -> FactSheet | None:
    try:
        return store.sheet(gene_id)
    except UserInputError:
        return None
