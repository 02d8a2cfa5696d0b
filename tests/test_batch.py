"""`writer batch`: export → submit → status → fetch → import, against a scripted batch engine.

The engine (``batch_server.BatchServer``) is a real loopback server implementing the OpenAI
files and batches endpoints; it answers each request with the same scripted answers the
interactive tests use (``test_draft_helpers``), so a batch draft can be compared with the
draft ``writer draft --model`` makes from the same answers. The fact store is the one-gene
store of the synthetic sheet.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from batch_server import BatchServer, run_batch
from click.testing import CliRunner
from online_fixtures import ONE_GENE, lay_out
from test_draft_helpers import (
    LoopbackServer,
    Script,
    build_store,
    completion,
    full_sheet,
    good_answer,
    ok,
    section_of,
    template_in,
)

from writer.cli import main
from writer.factsheet import FactSheet
from writer.review.store import Queue

pytest_plugins = ["httpserver"]  # the ``mirror`` fixture, for --online

DATE = "2025-01-17 16:55 CST"
INVENTED = " It spans 12,345 base pairs since 1987."


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path) -> dict[str, Path]:
    facts = build_store(tmp_path / "facts.sqlite")
    queue = tmp_path / "queue.sqlite"
    monkeypatch.setenv("GENE_WRITER_FACTS", str(facts))
    monkeypatch.setenv("GENE_WRITER_QUEUE", str(queue))
    return {"facts": facts, "queue": queue, "dir": tmp_path, "home": isolated_home}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def export(env: dict[str, Path], *extra: str) -> Path:
    out = env["dir"] / "requests.jsonl"
    code, _, err = run("batch", "export", "MT1G", "--model", "scripted", "--date", DATE,
                       "--out", str(out), *extra)
    assert code == 0, err
    return out


def flawed_function(body: dict, n: int):
    """Grounded answers, except the function section, which invents numbers every time."""
    text = good_answer(body) + (INVENTED if section_of(body) == "function" else "")
    return 200, completion(text), {}


def test_the_batch_path_queues_what_the_interactive_path_queues(env, monkeypatch):
    # The interactive path: writer draft --model against a loopback chat endpoint.
    chat = Script(ok())
    with LoopbackServer(chat) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        code, _, err = run("draft", "MT1G", "--model", "scripted", "--date", DATE)
        assert code == 0, err

    # The batch path: the same answers, through the files and batches endpoints.
    requests = export(env)
    exported = lines(requests)
    assert len(exported) == 6
    assert all(set(x) == {"custom_id", "method", "url", "body"} for x in exported)
    assert all(x["method"] == "POST" and x["url"] == "/v1/chat/completions" for x in exported)
    assert len({x["custom_id"] for x in exported}) == 6
    # Each body is exactly the request the interactive path sent for that section.
    sent = {section_of(b): b for b in chat.requests}
    assert {section_of(x["body"]): x["body"] for x in exported} == sent
    run_id, gene, section, round_ = exported[0]["custom_id"].split(":")
    assert gene == "4495" and section in sent and round_ == "1"

    engine = Script(ok())
    with BatchServer(engine) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-batch-test-key-0123456789")
        code, out, err = run("batch", "submit", str(requests))
        assert code == 0, err
        batch_id = out.strip()
        assert batch_id == "batch_1"
        uploaded = next(iter(server.files.values()))
        assert uploaded[1] == "batch" and uploaded[2] == requests.read_bytes()
        code, out, _ = run("batch", "status", batch_id)
        assert code == 0 and "in_progress" in out
        code, out, _ = run("batch", "status", batch_id)
        assert code == 0
        assert "batch_1: completed" in out and "requests: 6 (6 completed, 0 failed)" in out
        code, out, err = run("batch", "fetch", batch_id, "--out", str(env["dir"]))
        assert code == 0, err
        results = Path(out.strip())
        assert results.name == "batch_1-output.jsonl"
    result_lines = lines(results)
    assert {x["custom_id"] for x in result_lines} == {x["custom_id"] for x in exported}
    assert all(x["response"]["status_code"] == 200 for x in result_lines)

    code, out, err = run("batch", "import", str(results))
    assert code == 0, err
    assert out == ""  # no next round
    assert "1 draft queued (1 clean, 0 flagged)" in err
    assert "1 new draft supersedes a pending draft" in err
    assert "model: 6 answers, 720 prompt tokens, 480 completion tokens" in err

    with Queue.open(env["queue"]) as q:
        interactive, batched = q.get(1), q.get(2)
    assert batched.text == interactive.text
    assert batched.inputs == interactive.inputs  # `writer draft --model` would skip it
    assert batched.factsheet_hash == interactive.factsheet_hash
    assert batched.prompt_hashes == interactive.prompt_hashes
    assert batched.usage == interactive.usage
    assert batched.findings == interactive.findings

    def runs(record):
        return {k: v.model_dump(exclude={"seconds"}) for k, v in record.sections.items()}

    assert runs(batched) == runs(interactive)
    assert all(r.served == ("scripted",) for r in batched.sections.values())
    assert batched.supersedes == 1

    # Importing the same answers again changes nothing.
    code, _, err = run("batch", "import", str(results))
    assert code == 0 and "6 already imported" in err and "0 drafts queued" in err


def test_a_flawed_answer_is_reasked_in_rounds_then_replaced_by_the_template(env):
    requests = export(env)
    engine = Script(flawed_function)
    results = run_batch(engine, requests, env["dir"] / "results-1.jsonl")

    code, out, err = run("batch", "import", str(results))
    assert code == 0, err  # nothing is queued yet: the function section waits for round 2
    assert "0 drafts queued" in err
    round2 = Path(out.strip())
    assert round2.name.endswith("-round2.jsonl")
    [reask] = lines(round2)
    assert reask["custom_id"].endswith(":function:2")
    messages = reask["body"]["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    first = next(b for b in engine.requests if section_of(b) == "function")
    assert messages[:2] == first["messages"]
    assert messages[2]["content"] == good_answer(first) + INVENTED
    assert 'Not supported: "12,345' in messages[3]["content"]
    assert "Rewrite the whole paragraph" in messages[3]["content"]
    with Queue.open(env["queue"]) as q:
        assert q.pending_draft(4495) is None

    results2 = run_batch(engine, round2, env["dir"] / "results-2.jsonl")
    code, out, err = run("batch", "import", str(results2))
    round3 = Path(out.strip())
    assert round3.name.endswith("-round3.jsonl")
    assert len(lines(round3)[0]["body"]["messages"]) == 6

    results3 = run_batch(engine, round3, env["dir"] / "results-3.jsonl")
    code, out, err = run("batch", "import", str(results3))
    assert code == 1  # the draft is flagged
    assert out == ""  # the last round: no more re-asks
    assert "1 draft queued (0 clean, 1 flagged)" in err
    with Queue.open(env["queue"]) as q:
        draft = q.get(q.pending_draft(4495))
    function = draft.sections["function"]
    assert function.fell_back and function.attempts == 3
    assert not any(r.fell_back for name, r in draft.sections.items() if name != "function")
    assert "12,345" not in draft.text and "The gene enables [zinc ion binding]" in draft.text
    replaced = [f for f in draft.findings if f.status == "replaced"]
    assert replaced and {f.section for f in replaced} == {"function"}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_error_lines_and_unknown_ids_are_one_line_each(env, jobs):
    """A request that failed for good (400, 401: sending it again would fail again) falls
    back at once, with the error in the draft's model log."""
    requests = export(env)
    results = run_batch(Script(ok()), requests, env["dir"] / "results.jsonl")
    answers = lines(results)
    by_section = {x["custom_id"].split(":")[2]: x for x in answers}
    by_section["function"]["response"] = {"status_code": 400, "request_id": "req_9",
                                          "body": {"error": {"message": "bad max_tokens"}}}
    by_section["protein"]["response"] = {"status_code": 401, "request_id": "req_10",
                                         "body": {"error": {"message": "Incorrect API key"}}}
    text = "".join(json.dumps(x) + "\n" for x in answers)
    text += json.dumps({"id": "x", "custom_id": "ffff0000:4495:function:1",
                        "response": None, "error": None}) + "\n"
    text += "this is not json\n"
    results.write_text(text, encoding="utf-8")

    code, out, err = run("batch", "import", str(results), "--jobs", jobs)
    assert code == 1
    assert out == ""  # nothing to send again
    assert "Traceback" not in err and "sent again" not in err
    assert "8 result lines: 4 judged, 4 failed" in err
    failed = [x for x in err.splitlines() if x.startswith("writer: failed:")]
    assert len(failed) == 4
    assert [x.split(" line ")[1].split()[0].rstrip(":") for x in failed] == ["1", "6", "7", "8"]
    assert any("function, round 1): HTTP 400: bad max_tokens" in x for x in failed)
    assert any("protein, round 1): HTTP 401: Incorrect API key" in x for x in failed)
    assert any("'ffff0000:4495:function:1' is no request of an export" in x for x in failed)
    assert any("line 8: not JSON" in x for x in failed)
    with Queue.open(env["queue"]) as q:
        draft_id = q.pending_draft(4495)
        draft, calls = q.get(draft_id), q.model_calls(draft_id)
    assert draft.sections["function"].fell_back and draft.sections["protein"].fell_back
    assert draft.sections["function"].attempts == 1
    endpoint = [f for f in draft.findings if f.kind == "endpoint"]
    assert {f.section for f in endpoint} == {"function", "protein"}
    assert "The gene enables [zinc ion binding]" in draft.text  # the template text
    assert [c.error for c in calls if c.section == "function"] == ["HTTP 400: bad max_tokens"]


def fail_some(failing: dict[str, list], body: dict, n: int):
    """Good answers, except that each section named in ``failing`` gets its next scripted
    failure: a (status, error message) pair."""
    queued = failing.get(section_of(body))
    if queued:
        status, message = queued.pop(0)
        return status, {"error": {"message": message, "type": "server_error"}}, {}
    return 200, completion(good_answer(body)), {}


def test_retryable_failures_are_sent_again_unchanged_then_drafted(env):
    """429, 5xx, an expired request and a request with no line at all are sent again in
    the next round, as they were; a re-send is not a re-ask."""
    requests = export(env)
    exported = {x["custom_id"].split(":")[2]: x for x in lines(requests)}
    failing = {"function": [(500, "engine fell over")], "structure": [(429, "slow down")]}
    results = run_batch(Script(lambda b, n: fail_some(failing, b, n)), requests,
                        env["dir"] / "results-1.jsonl")
    answers = [x for x in lines(results) if x["custom_id"].split(":")[2] != "pathways"]
    for x in answers:
        if x["custom_id"].split(":")[2] == "protein":  # the OpenAI Batch API's error file
            x.update(response=None, error={"code": "batch_expired", "message":
                                           "This request could not be executed before the "
                                           "completion window expired."})
    results.write_text("".join(json.dumps(x) + "\n" for x in answers), encoding="utf-8")

    code, out, err = run("batch", "import", str(results))
    assert code == 0, err  # nothing failed for good, nothing queued yet
    assert "5 result lines: 2 judged, 0 failed" in err
    assert "1 request of the requests files answered here had no line" in err
    assert "4 failed requests sent again in the next round" in err
    assert "HTTP 500: 1" in err and "HTTP 429: 1" in err and "batch_expired: 1" in err
    assert "missing: 1" in err and "not re-asks" in err
    round2 = Path(out.strip())
    resent = {x["custom_id"].split(":")[2]: x for x in lines(round2)}
    assert set(resent) == {"function", "structure", "protein", "pathways"}
    for section, line in resent.items():  # the same request, in round 2
        assert line["custom_id"] == exported[section]["custom_id"][:-1] + "2"
        assert line["body"] == exported[section]["body"]

    results2 = run_batch(Script(ok()), round2, env["dir"] / "results-2.jsonl")
    code, out, err = run("batch", "import", str(results2))
    assert code == 0, err
    assert out == "" and "1 draft queued (1 clean, 0 flagged)" in err
    with Queue.open(env["queue"]) as q:
        draft_id = q.pending_draft(4495)
        draft, calls = q.get(draft_id), q.model_calls(draft_id)
    assert not draft.flagged and not any(r.fell_back for r in draft.sections.values())
    assert draft.sections["function"].attempts == 2  # the failed request and the answer
    assert [c.error for c in calls if c.section == "function"] == [
        "HTTP 500: engine fell over", None]
    assert [c.error for c in calls if c.section == "pathways"][0].startswith("missing: ")


def test_a_request_failing_every_attempt_falls_back_and_flags(env):
    """After the configured attempts (3 requests per question, as `writer draft --model`),
    a request that keeps failing falls back to the template text; a failure after a re-ask
    is sent again with the re-ask, and does not use up a re-ask."""
    requests = export(env)
    failing = {"function": [(503, "overloaded")] * 3}
    engine = Script(lambda b, n: fail_some(failing, b, n))
    files = [requests]
    for round_ in range(1, 4):
        results = run_batch(engine, files[-1], env["dir"] / f"results-{round_}.jsonl")
        code, out, err = run("batch", "import", str(results))
        if round_ < 3:
            assert code == 0, err
            files.append(Path(out.strip()))
            [line] = lines(files[-1])
            assert line["custom_id"].endswith(f":function:{round_ + 1}")
    assert code == 1 and out == ""
    assert "failed: results-3.jsonl line 1 (MT1G function, round 3): HTTP 503: overloaded " \
           "after 3 requests" in err
    with Queue.open(env["queue"]) as q:
        draft = q.get(q.pending_draft(4495))
    assert draft.flagged and draft.sections["function"].fell_back
    assert draft.sections["function"].attempts == 3
    [finding] = [f for f in draft.findings if f.kind == "endpoint"]
    assert "HTTP 503: overloaded after 3 requests" in finding.reason


def test_a_failed_reask_is_sent_again_with_its_conversation(env):
    requests = export(env)
    failing: dict[str, list] = {}

    def engine(body: dict, n: int):
        if section_of(body) == "function" and len(body["messages"]) == 2:
            return flawed_function(body, n)  # round 1: an invented number, re-asked
        return fail_some(failing, body, n)

    results = run_batch(Script(engine), requests, env["dir"] / "results-1.jsonl")
    code, out, _ = run("batch", "import", str(results))
    round2 = Path(out.strip())
    [reask] = lines(round2)
    failing["function"] = [(502, "bad gateway")]
    results = run_batch(Script(engine), round2, env["dir"] / "results-2.jsonl")
    code, out, err = run("batch", "import", str(results))
    assert code == 0 and "1 failed request sent again" in err
    [again] = lines(Path(out.strip()))
    assert again["custom_id"].endswith(":function:3") and again["body"] == reask["body"]
    results = run_batch(Script(engine), Path(out.strip()), env["dir"] / "results-3.jsonl")
    code, out, err = run("batch", "import", str(results))
    assert code == 0 and out == "" and "1 draft queued (1 clean, 0 flagged)" in err


def test_answers_for_a_changed_fact_sheet_are_refused(env):
    requests = export(env)
    results = run_batch(Script(ok()), requests, env["dir"] / "results.jsonl")
    # A new sync changes one fact of the gene: every answer was written from the old sheet.
    sheet = full_sheet()
    fact = sheet.facts["structure.gene_length"].model_copy(update={"value": 1400})
    env["facts"].unlink()
    build_store(env["facts"], sheet.model_copy(update={"facts": {**sheet.facts,
                                                                "structure.gene_length": fact}}))
    code, out, err = run("batch", "import", str(results))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "none of its 6 lines could be used" in err
    assert "fact sheet changed since the export" in err
    with Queue.open(env["queue"]) as q:
        assert q.pending_draft(4495) is None


def test_changed_prompts_refuse_the_run(env):
    requests = export(env)
    results = run_batch(Script(ok()), requests, env["dir"] / "results.jsonl")
    with sqlite3.connect(env["home"] / "batch.sqlite") as conn:
        conn.execute("""UPDATE runs SET hashes = '{"prompts/_system.md": "sha256:old"}'""")
    code, _, err = run("batch", "import", str(results))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "prompts or templates changed since the export" in err


@pytest.mark.parametrize("content", [b"", b"garbage\n\x00\xff\n", b'{"a": 1}\n[1, 2]\n',
                                     b'{"custom_id": "nope", "response": null}\n'])
def test_a_garbage_results_file_is_bad_input(env, content):
    export(env)
    bad = env["dir"] / "bad.jsonl"
    bad.write_bytes(content)
    code, _, err = run("batch", "import", str(bad))
    assert code == 2
    assert err.startswith("writer: ") and len(err.strip().splitlines()) == 1


def test_bad_input_to_every_batch_command(env, monkeypatch):
    code, _, err = run("batch", "export", "MT1G", "--out", str(env["dir"] / "r.jsonl"))
    assert code == 2 and "needs a model name" in err
    code, _, err = run("batch", "export", "MT1G", "NOSUCHGENE", "--model", "m", "--out",
                       str(env["dir"] / "r.jsonl"))
    assert code == 2 and "failed: NOSUCHGENE: unknown gene" in err
    assert len(lines(env["dir"] / "r.jsonl")) == 6  # the good gene is exported
    code, _, err = run("batch", "import", str(env["dir"] / "missing.jsonl"))
    assert code == 2 and "cannot read" in err
    code, _, err = run("batch", "submit", str(env["dir"] / "r.jsonl"))
    assert code == 2 and "needs an endpoint" in err
    with BatchServer(Script(ok())) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        garbage = env["dir"] / "garbage.jsonl"
        garbage.write_text("not a request\n")
        code, _, err = run("batch", "submit", str(garbage))
        assert code == 2 and "line 1: not JSON" in err
        assert server.calls == []  # nothing was uploaded
        code, _, err = run("batch", "status", "batch_404")
        assert code == 2 and "cannot read batch batch_404: HTTP 404" in err
        code, _, err = run("batch", "fetch", "batch_404")
        assert code == 2 and len(err.strip().splitlines()) == 1


def test_files_are_split_at_max_requests_and_vllm_error_lines_are_read(env):
    out = env["dir"] / "requests.jsonl"
    code, stdout, err = run("batch", "export", "MT1G", "--model", "scripted", "--out", str(out),
                            "--max-requests", "4")
    assert code == 0, err
    paths = [Path(x) for x in stdout.split()]
    assert [p.name for p in paths] == ["requests-1.jsonl", "requests-2.jsonl"]
    assert [len(lines(p)) for p in paths] == [4, 2] and not out.exists()
    assert "6 requests of 1 gene written to 2 files" in err
    results = [run_batch(Script(ok()), p, p.with_suffix(".out")) for p in paths]
    answers = lines(results[1])
    # vllm run-batch reports a failed request with a status and the error as a text
    answers[0].update(response={"status_code": 400, "request_id": "vllm-batch-1",
                                "body": None}, error="The model `x` does not exist.")
    results[1].write_text("".join(json.dumps(x) + "\n" for x in answers), encoding="utf-8")
    code, _, err = run("batch", "import", *map(str, results))
    assert code == 1
    assert "1 draft queued (0 clean, 1 flagged)" in err
    assert "The model `x` does not exist." in err


def test_a_page_not_queued_before_is_queued_when_its_answers_come_again(env):
    """An import stopped after judging its answers, before queueing the page (two files):
    importing the answers again queues the page once."""
    requests = export(env)
    results = run_batch(Script(ok()), requests, env["dir"] / "results.jsonl")
    code, _, err = run("batch", "import", str(results))
    assert code == 0 and "1 draft queued" in err
    with sqlite3.connect(env["home"] / "batch.sqlite") as conn:
        conn.execute("UPDATE sections SET state = 'settled'")
    code, _, err = run("batch", "import", str(results))
    assert code == 0 and "6 already imported; 1 draft queued" in err
    code, _, err = run("batch", "import", str(results))
    assert code == 0 and "0 drafts queued" in err


RUN_KEYS = {"run", "created", "model", "genes", "requests", "states", "round", "waiting",
            "files", "batches"}
BATCH_KEYS = {"id", "status", "request_counts", "output_file_id", "error_file_id", "errors",
              "run", "round", "path", "checked"}


def test_status_json_shows_each_run_and_its_batches(env, monkeypatch):
    code, out, err = run("batch", "status", "--json")
    assert code == 0 and json.loads(out) == {"runs": []}
    requests = export(env)
    run_id = lines(requests)[0]["custom_id"].split(":")[0]
    with BatchServer(Script(flawed_function)) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        code, out, _ = run("batch", "submit", str(requests))
        batch_id = out.strip()
        code, out, _ = run("batch", "status", batch_id, "--json")  # in progress
        [batch] = json.loads(out)["batches"]
        assert set(batch) == BATCH_KEYS and batch["status"] == "in_progress"
        assert (batch["run"], batch["round"], batch["path"]) == (run_id, 1, str(requests))
        code, out, _ = run("batch", "status", batch_id, "batch_1", "--json")
        assert [b["status"] for b in json.loads(out)["batches"]] == ["completed"] * 2
        code, out, err = run("batch", "fetch", batch_id, "--out", str(env["dir"]), "--json")
        assert code == 0, err
        fetched = json.loads(out)
        assert fetched == {"id": batch_id, "files": [str(env["dir"] / "batch_1-output.jsonl")]}

    code, out, _ = run("batch", "import", fetched["files"][0], "--json")
    imported = json.loads(out)
    assert code == 0 and imported["judged"] == 6 and imported["drafts"] == []
    assert set(imported) == {"lines", "judged", "errors", "missing", "skipped", "failed",
                             "resent", "next_files", "drafts", "waiting", "usage",
                             "exit_code"}
    [round2] = imported["next_files"]
    assert round2["requests"] == 1 and round2["path"].endswith(f"{run_id}-round2.jsonl")

    code, out, _ = run("batch", "status", "--json")
    [state] = json.loads(out)["runs"]
    assert set(state) == RUN_KEYS
    assert state["run"] == run_id and state["model"] == "scripted" and state["genes"] == 1
    assert state["requests"] == 6
    assert state["states"] == {"waiting": 1, "settled": 5, "queued": 0, "stale": 0}
    assert state["round"] == 2 and state["waiting"] == [{"round": 2, "requests": 1}]
    assert state["files"] == [
        {"round": 1, "part": 1, "path": str(requests), "requests": 6},
        {"round": 2, "part": 1, "path": round2["path"], "requests": 1}]
    [batch] = state["batches"]
    assert set(batch) == BATCH_KEYS and batch["id"] == batch_id
    assert batch["status"] == "completed"
    assert batch["request_counts"] == {"total": 6, "completed": 6, "failed": 0}

    code, out, _ = run("batch", "status")  # the same, for a person; no endpoint needed
    assert code == 0
    assert f"run {run_id}: scripted" in out and "1 gene, 6 requests" in out
    assert "waiting in round 2: 1 request" in out
    assert f"batch {batch_id} (round 1): completed, 6 of 6 completed, 0 failed" in out


def test_an_online_export_is_judged_against_the_online_facts(facts_env, mirror, monkeypatch,
                                                              isolated_home, tmp_path):
    """`writer batch export --online` takes the facts `writer draft --online` takes; import
    judges against them again: fetched anew (a day later, say) with the same facts, the
    answers are used; changed upstream, they are refused."""
    lay_out(mirror)
    monkeypatch.setenv("GENE_WRITER_MIRROR", mirror.url)
    monkeypatch.setenv("GENE_WRITER_QUEUE", str(tmp_path / "queue.sqlite"))

    def forget_fetched_genes():  # the per-gene cache of writer.sources.online
        for cached in isolated_home.rglob(f"genes/{ONE_GENE}.json"):
            cached.unlink()

    def export_online(name: str) -> Path:
        out = tmp_path / name
        code, _, err = run("batch", "export", "TPM4", "--online", "--model", "scripted",
                           "--date", DATE, "--out", str(out))
        assert code == 0, err
        return out

    def fetched_yesterday():  # the per-gene cache, as if fetched 23 hours ago
        [cached] = isolated_home.rglob(f"genes/{ONE_GENE}.json")
        sheet = FactSheet.model_validate_json(cached.read_text())
        when = datetime.now(UTC) - timedelta(hours=23)
        cached.write_text(sheet.model_copy(update={"sources": {
            k: v.model_copy(update={"release_date": when.isoformat(timespec="seconds"),
                                    "version": f"per-gene API, retrieved {when.date()}"})
            if v.version.startswith("per-gene API") else v
            for k, v in sheet.sources.items()}}).to_json())

    code, out, _ = run("facts", "TPM4", "--online", "--json")
    online = FactSheet.model_validate_json(out)
    assert online.facts["literature.mention_count"].value == 136  # pubtator3's answer
    fetched_yesterday()
    requests = export_online("requests.jsonl")
    offline = tmp_path / "offline.jsonl"
    assert run("batch", "export", "TPM4", "--model", "scripted", "--out", str(offline))[0] == 0
    by_section = {x["custom_id"].split(":")[2]: json.dumps(x["body"]) for x in lines(requests)}
    assert "136" in by_section["literature"]
    assert "136" not in next(json.dumps(x["body"]) for x in lines(offline)
                             if ":literature:" in x["custom_id"])

    files, n = [requests], 0
    while files:  # the rounds (the literature template's year ranges are re-asked)
        n += 1
        results = run_batch(Script(ok(template_in)), files[0], tmp_path / f"results-{n}.jsonl")
        forget_fetched_genes()  # fetched again at import: new retrieval times, the same facts
        code, out, err = run("batch", "import", str(results), "--json")
        imported = json.loads(out)
        assert imported["failed"] == [] and "changed since the export" not in err
        files = [Path(f["path"]) for f in imported["next_files"]]
    assert len(imported["drafts"]) == 1
    with Queue.open(tmp_path / "queue.sqlite") as q:
        draft = q.get(q.pending_draft(ONE_GENE))
    assert "136" in draft.text
    code, out, _ = run("facts", "TPM4", "--online", "--json")
    today = FactSheet.model_validate_json(out)
    assert draft.factsheet_hash == today.content_hash()  # drafted from today's sheet
    assert today.sources["pubtator3"].release_date.startswith(str(datetime.now(UTC).date()))

    requests = export_online("again.jsonl")
    results = run_batch(Script(ok(template_in)), requests, tmp_path / "results-again.jsonl")
    url, body = mirror.route("pubtator3-api/search")
    mirror.add(url, body.replace(b'"count": 136', b'"count": 140'))
    forget_fetched_genes()
    code, _, err = run("batch", "import", str(results))
    assert code == 2 and "fact sheet changed since the export" in err
