"""`writer draft`: the page, the queue record, the exit codes, and a real loopback endpoint.

These tests use a one-gene fact store built from the synthetic sheet of
``test_draft_helpers`` (so they do not depend on the offline sync), and the real review
queue file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_draft_helpers import (
    LoopbackServer,
    Script,
    build_store,
    completion,
    good_answer,
    ok,
)

from writer.cli import main
from writer.review.store import Queue


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    facts = build_store(tmp_path / "facts.sqlite")
    queue = tmp_path / "queue.sqlite"
    monkeypatch.setenv("GENE_WRITER_FACTS", str(facts))
    monkeypatch.setenv("GENE_WRITER_QUEUE", str(queue))
    return {"facts": facts, "queue": queue, "home": tmp_path}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_template_draft_prints_the_page_and_queues_it(env):
    code, out, err = run("draft", "MT1G", "--date", "2025-01-17 16:55 CST")
    assert code == 0
    assert out.startswith("---\nlayout: post\ntitle: MT1G\ndate: 2025-01-17 16:55 CST\n")
    assert ("description: MT1G function, gene structure, literature, expression, pathways, "
            "and protein properties\n") in out
    assert "pretty_table: true\ncitation: true\nrelated_posts: true\n---\n" in out
    assert "| [NCBI ID](https://www.ncbi.nlm.nih.gov/gene/4495) | NCBI symbol | ENSEMBL ID |" in out
    assert "| 4495 | MT1G | ENSG00000125144 | 16q13 |" in out
    tail = out[out.index("| Checks"):].rstrip().splitlines()
    assert len(tail) >= 3 and all(line.startswith("| ") for line in tail)  # the page's end
    order = [out.index(s) for s in ("is a protein-coding gene", "The gene enables",
                                    "both 1,336 base pairs long", "has been linked to",
                                    "In [GTEx]", "WikiPathways draws the gene", "GRAVY score",
                                    "Left out because they need online sources", "| Checks")]
    assert order == sorted(order)
    assert "queued" in err
    with Queue.open(env["queue"]) as q:
        stored = q.get(1)
    assert stored.text == out
    assert stored.symbol == "MT1G" and stored.gene_id == 4495
    assert stored.factsheet_hash.startswith("sha256:")
    assert {r.phraser for r in stored.sections.values()} == {"template"}
    assert "template:protein" in stored.prompt_hashes


def test_out_json_tags_and_categories(env, tmp_path):
    out_file = tmp_path / "MT1G.md"
    code, out, _ = run("draft", "mt1g", "--out", str(out_file), "--json", "--tags",
                       "cooccuring-genes,metal", "--categories", "unknown-mechanism")
    assert code in (0, 1)
    record = json.loads(out)
    assert record["id"] == 1 and record["symbol"] == "MT1G"
    assert set(record) >= {"text", "factsheet_hash", "prompt_hashes", "sections", "findings",
                           "usage", "duration_s", "flagged"}
    page = out_file.read_text()
    assert page == record["text"]
    assert "tags: [cooccuring-genes, metal]\ncategories: unknown-mechanism\n" in page


def test_tags_from_the_config_file(env, monkeypatch):
    home = env["home"] / "home"
    home.mkdir()
    (home / "config.toml").write_text('[page]\ntags = ["cooccuring-genes"]\n'
                                      'categories = ["a", "b"]\n')
    monkeypatch.setenv("GENE_WRITER_HOME", str(home))
    _, out, _ = run("draft", "MT1G")
    assert "tags: [cooccuring-genes]\ncategories: [a, b]\n" in out


@pytest.mark.parametrize(("args", "message"), [
    (["draft", "NOPE1"], "unknown gene"),
    (["draft", "MT1G", "--date", "17/01/2025"], "bad --date"),
    (["draft", "MT1G", "--date", "2025-02-30"], "no such day"),
    (["draft", "MT1G", "--tags", "a b"], "bad tag"),
    (["draft", "MT1G", "--model", "gpt-x"], "needs an endpoint"),
])
def test_bad_input_exits_2_with_one_line(env, args, message):
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_model_draft_through_a_real_loopback_server(env, monkeypatch):
    script = Script(ok())
    with LoopbackServer(script) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-loopback-secret-123456")
        code, out, err = run("draft", "MT1G", "--model", "scripted-7b", "--json")
    record = json.loads(out)
    assert "This gene enables [zinc ion binding]" in record["text"]
    assert {s["phraser"] for s in record["sections"].values()} == {"openai"}
    assert {s["model"] for s in record["sections"].values()} == {"scripted-7b"}
    assert record["usage"]["model_calls"] == 6
    with Queue.open(env["queue"]) as q:
        calls = q.model_calls(record["id"])
    assert len(calls) == 6 and all(c.response and not c.error for c in calls)
    assert all("sk-loopback-secret" not in c.prompt for c in calls)
    assert "sk-loopback-secret" not in env["queue"].read_bytes().decode("latin-1")
    assert code == 0


def test_a_hanging_loopback_endpoint_is_retried_and_reported(env, monkeypatch):
    script = Script(ok())
    with LoopbackServer(script, hang_first=1.0) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        start = time.monotonic()
        code, out, err = run("draft", "MT1G", "--model", "scripted", "--timeout", "0.3",
                             "--json")
        elapsed = time.monotonic() - start
    record = json.loads(out)
    # Each section's first request timed out; the retry answered and was used.
    assert all(s["attempts"] == 2 and not s["fell_back"] for s in record["sections"].values())
    assert "This gene enables" in record["text"]
    with Queue.open(env["queue"]) as q:
        errors = [c.error for c in q.model_calls(record["id"]) if c.error]
    assert errors == ["timed out"] * 6
    assert elapsed < 5


def test_a_failing_loopback_endpoint_falls_back_and_exits_1(env, monkeypatch):
    script = Script(lambda body, n: (500, {"error": {"message": "down"}}, {"Retry-After": "0"}))
    with LoopbackServer(script) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        code, out, err = run("draft", "MT1G", "--model", "scripted")
    assert code == 1
    assert "The gene enables [zinc ion binding]" in out  # template text
    assert "flagged for review" in err
    assert "function: HTTP 500" in err and "after 3 requests" in err


def test_script_from_a_loopback_model_never_reaches_the_page(env, monkeypatch):
    def answer(body, n):
        return 200, completion("<script>document.cookie</script>" + good_answer(body)), {}

    with LoopbackServer(Script(answer)) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        _, out, _ = run("draft", "MT1G", "--model", "scripted")
    assert "<script" not in out.lower()
    assert "This gene enables" in out


def test_cold_process_template_draft_exit_code(env):
    """The installed console script, from a cold process, within the 1.5 s budget."""
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "writer.cli", "draft", "MT1G", "--date", "2025-01-17"],
        capture_output=True, text=True, env=os.environ.copy(), timeout=60,
    )
    elapsed = time.monotonic() - start
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("---\nlayout: post\n")
    assert "openai" not in proc.stderr
    assert elapsed < 5.0  # the benchmark holds the 1.5 s figure; shared machines vary


def test_the_template_path_does_not_import_the_sdk(env):
    code = ("import sys\nfrom writer.cli import main\n"
            "try:\n    main(['draft', 'MT1G'])\nexcept SystemExit:\n    pass\n"
            "print('openai' in sys.modules, 'tenacity' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=os.environ.copy(), timeout=60)
    assert proc.stdout.strip().splitlines()[-1] == "False False"


def test_an_unreachable_endpoint_is_reported(env, monkeypatch):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    code, out, err = run("draft", "MT1G", "--model", "scripted")
    assert code == 1
    assert "The gene enables [zinc ion binding]" in out
    assert "connection failed" in err and "after 3 requests" in err


def test_help_has_examples():
    code, out, _ = run("draft", "--help")
    assert code == 0
    assert "Examples:" in out and "writer draft MT1G" in out
    assert "GENE_WRITER_MODEL" in out
