"""Model requests at scale (issue 13 item 4): one client and one concurrency limit per endpoint,
shared by every gene of a run; a 429 pauses everyone; tokens summed per run. Tested against a
real HTTP server on 127.0.0.1 (throughput figures: benchmarks/genome_scale.py)."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from test_draft_helpers import LoopbackServer, Script, completion, good_answer
from test_review_support import build_fact_store

from writer.config import load_settings
from writer.llm import ModelClient, ModelConfig


class Counting(Script):
    """A scripted endpoint that records how many requests it holds at once, and when each
    arrived."""

    def __init__(self, answer: Any, delay: float) -> None:
        super().__init__(answer, delay=0.0)
        self.latency = delay
        self.in_flight = 0
        self.most = 0
        self.arrivals: list[float] = []

    def next(self, body: dict, headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            self.arrivals.append(time.monotonic())
        try:
            time.sleep(self.latency)
            return super().next(body, headers)
        finally:
            with self.lock:
                self.in_flight -= 1


def ok(body: dict, n: int) -> tuple[int, Any, dict[str, str]]:
    return 200, completion(good_answer(body), prompt_tokens=100, completion_tokens=40), {}


def test_genes_share_one_limit_per_endpoint_and_keep_it_busy(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch):
    from writer.bulk import draft_many

    monkeypatch.setenv("GENE_WRITER_FACTS", str(build_fact_store(tmp_path / "facts.sqlite")))
    monkeypatch.setenv("GENE_WRITER_QUEUE", str(tmp_path / "queue.sqlite"))
    script = Counting(ok, delay=0.2)
    with LoopbackServer(script) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        result = draft_many(["MT1G", "NME1", "TP53"], settings=load_settings(),
                            model="scripted", jobs=4, date="2025-01-17")
    n = len(script.requests)
    assert n >= 6  # the sections of three genes
    assert script.most == 4  # never more than --jobs at once, across genes, and reached
    assert [o.state for o in result.outcomes] == ["clean"] * 3
    assert result.usage == {"prompt_tokens": 100 * n, "completion_tokens": 40 * n,
                            "model_calls": n}
    assert result.summary()[1] == (f"model: {n} requests, {100 * n:,} prompt tokens, "
                                   f"{40 * n:,} completion tokens")


def test_a_429_pauses_every_request_of_the_client():
    pause = 1.0
    refused: list[float] = []

    def answer(body: dict, n: int) -> tuple[int, Any, dict[str, str]]:
        if n == 1:
            refused.append(time.monotonic())
            return 429, {"error": {"message": "busy"}}, {"Retry-After": str(pause)}
        return 200, completion("fine"), {}

    script = Counting(answer, delay=0.1)
    with LoopbackServer(script) as server:
        client = ModelClient(ModelConfig(model="m", base_url=server.base_url, concurrency=2,
                                         attempts=3))
        asks = [[{"role": "user", "content": f"Section: function.\nq{i}"}] for i in range(8)]
        threads = [threading.Thread(target=client.complete, args=(messages,),
                                    kwargs={"purpose": "test"}) for messages in asks]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        client.close()
    assert len(refused) == 1 and len(script.requests) == 9
    t429 = refused[0]
    during = [t for t in script.arrivals if t429 + 0.25 < t < t429 + pause - 0.1]
    assert during == []  # nobody sent anything while the endpoint asked for a pause
    assert max(script.arrivals) > t429 + pause - 0.1


def test_another_prompt_variant_is_another_draft_not_a_skip(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch):
    """The prompt variant fills the prompts, so it is one of a draft's inputs: a gene drafted
    with one variant is drafted again with another, and skipped with the same one."""
    from writer.bulk import draft_many

    monkeypatch.setenv("GENE_WRITER_FACTS", str(build_fact_store(tmp_path / "facts.sqlite")))
    monkeypatch.setenv("GENE_WRITER_QUEUE", str(tmp_path / "queue.sqlite"))
    with LoopbackServer(Script(ok)) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)

        def states(variant: str) -> list[str]:
            result = draft_many(["MT1G"], settings=load_settings(), model="scripted",
                                date="2025-01-17", prompt_variant=variant)
            return [o.state for o in result.outcomes]

        assert states("default") == ["clean"]
        # (the scripted answer copies the prompt's example, so without one it is flagged)
        assert states("no-example") != ["skipped"]
        assert states("no-example") == ["skipped"]


def test_a_run_costs_what_the_price_table_says(tmp_path: Path, isolated_home: Path,
                                               monkeypatch: pytest.MonkeyPatch):
    """config.toml [prices] (US dollars per million tokens) prices each request by the model
    that answered: the run's cost is summed, and a model without a price is named."""
    from writer.bulk import draft_many

    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text(
        '[prices]\nscripted = { input = 2.5, output = 10 }\n', encoding="utf-8")
    monkeypatch.setenv("GENE_WRITER_FACTS", str(build_fact_store(tmp_path / "facts.sqlite")))
    monkeypatch.setenv("GENE_WRITER_QUEUE", str(tmp_path / "queue.sqlite"))
    script = Counting(ok, delay=0.0)
    with LoopbackServer(script) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        result = draft_many(["MT1G", "NME1"], settings=load_settings(), model="scripted",
                            date="2025-01-17")
        n = len(script.requests)
        assert result.cost_usd == pytest.approx(n * (100 * 2.5 + 40 * 10) / 1e6)
        assert result.summary()[1].endswith(f", ${result.cost_usd:,.4f} at config.toml's "
                                            "[prices]")
        assert result.as_json()["cost_usd"] == round(result.cost_usd, 6)

    def switched(body: dict, n: int) -> tuple[int, Any, dict[str, str]]:
        status, reply, headers = ok(body, n)
        return status, {**reply, "model": "other-model"}, headers  # a model behind the name

    with LoopbackServer(Script(switched)) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        other = draft_many(["TP53"], settings=load_settings(), model="unpriced",
                           date="2025-01-17")
    assert other.cost_usd == 0.0 and other.unpriced == {"other-model"}
    assert other.summary()[2] == ("no price in config.toml [prices] for other-model (left out "
                                  "of the cost)")


# --- worker processes: the answers are checked on every core, the limit stays one ------------
MANY = ["MT1G", "MT1A", "MT2A", "MT1X", "INS", "HBB", "HBA1", "MT1E"]


def _workers_seen() -> set[int]:
    """The drafting run's worker processes alive now (children of this test's process)."""
    import multiprocessing

    return {p.pid for p in multiprocessing.active_children()
            if p.name.startswith("ask-worker") and p.pid is not None}


def test_worker_processes_share_one_limit_per_endpoint(facts_env, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch):
    """With a model, answers are checked in worker processes (CPU work), yet the endpoint
    sees at most --jobs requests at once across all of them, and every slot is used."""
    from writer.bulk import draft_many

    monkeypatch.setenv("GENE_WRITER_QUEUE", str(tmp_path / "queue.sqlite"))
    workers: set[int] = set()

    def answer(body: dict, n: int) -> tuple[int, Any, dict[str, str]]:
        workers.update(_workers_seen())
        return ok(body, n)

    script = Counting(answer, delay=0.2)
    with LoopbackServer(script) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        result = draft_many(MANY, settings=load_settings(), model="scripted", jobs=4,
                            processes=2, date="2025-01-17")
    n = len(script.requests)
    assert len(workers) == 2  # two worker processes asked
    assert script.most == 4  # never more than --jobs at once, across processes, and reached
    assert [o.state for o in result.outcomes] == ["clean"] * len(MANY)
    assert result.usage == {"prompt_tokens": 100 * n, "completion_tokens": 40 * n,
                            "model_calls": n}
    assert not _workers_seen()  # none left behind


def test_a_429_pauses_the_requests_of_every_worker_process(facts_env, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    from writer.bulk import draft_many

    monkeypatch.setenv("GENE_WRITER_QUEUE", str(tmp_path / "queue.sqlite"))
    pause = 1.5
    refused: list[float] = []

    def answer(body: dict, n: int) -> tuple[int, Any, dict[str, str]]:
        if n == 10:
            refused.append(time.monotonic())
            return 429, {"error": {"message": "busy"}}, {"Retry-After": str(pause)}
        return ok(body, n)

    script = Counting(answer, delay=0.1)
    with LoopbackServer(script) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        result = draft_many(MANY, settings=load_settings(), model="scripted", jobs=4,
                            processes=2, date="2025-01-17")
    assert [o.state for o in result.outcomes] == ["clean"] * len(MANY)
    t429 = refused[0]
    during = [t for t in script.arrivals if t429 + 0.25 < t < t429 + pause - 0.1]
    assert during == []  # no process sent anything while the endpoint asked for a pause
    assert max(script.arrivals) > t429 + pause - 0.1


def test_a_worker_process_that_dies_stops_the_run_and_keeps_every_draft(
        facts_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A killed worker may have held shared slots: the run stops with one line per gene not
    drafted, keeps the drafts it made, and the same command run again drafts the rest."""
    import os
    import signal

    from writer.bulk import draft_many
    from writer.review.store import Queue

    queue = tmp_path / "queue.sqlite"
    monkeypatch.setenv("GENE_WRITER_QUEUE", str(queue))
    killed: list[int] = []

    def answer(body: dict, n: int) -> tuple[int, Any, dict[str, str]]:
        if n == 35 and not killed:
            victim = min(_workers_seen())
            killed.append(victim)
            os.kill(victim, signal.SIGKILL)
        return ok(body, n)

    with LoopbackServer(Counting(answer, delay=0.05)) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        first = draft_many(MANY, settings=load_settings(), model="scripted", jobs=4,
                           processes=2, date="2025-01-17")
        states = [o.state for o in first.outcomes]
        failed = [o for o in first.outcomes if o.state == "failed"]
        assert killed and failed and "clean" in states
        assert set(states) == {"clean", "failed"}
        assert len({o.error for o in failed}) == 1  # one line says why, for each gene
        assert re.fullmatch(r"the run stopped: worker process [12] ended \(exit code -9\); "
                            r"run the command again to continue", failed[0].error or "")
        assert first.exit_code == 1
        assert not _workers_seen()
        with Queue.open(queue, readonly=True) as q:
            kept = {d.symbol for d in q.list()}
        assert kept == {o.symbol for o in first.outcomes if o.state == "clean"}

        again = draft_many(MANY, settings=load_settings(), model="scripted", jobs=4,
                           processes=2, date="2025-01-17")
    by_gene = {o.gene_id: o.state for o in again.outcomes}
    assert all(by_gene[o.gene_id] == "skipped" for o in first.outcomes if o.state == "clean")
    assert all(by_gene[o.gene_id] == "clean" for o in failed)
