"""``writer publish --out DIR``: accepted drafts as Jekyll posts, idempotent and atomic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_review_support import build_fact_store, clean_page, record

from writer.cli import main
from writer.publish import MANIFEST
from writer.review.store import Queue


@pytest.fixture
def queue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Queue:
    path = tmp_path / "queue.sqlite"
    monkeypatch.setenv("GENE_WRITER_QUEUE", str(path))
    monkeypatch.setenv("GENE_WRITER_FACTS", str(build_fact_store(tmp_path / "facts.sqlite")))
    with Queue.open(path) as q:
        yield q


def accept(q: Queue, draft_id: int, text: str | None = None) -> None:
    if text is not None:
        q.add_review(draft_id, "edited", "ana", text, based_on=q.version(draft_id))
    q.add_review(draft_id, "accepted", "ana", q.current_text(draft_id),
                 based_on=q.version(draft_id))


def publish(out: Path) -> tuple[int, dict[str, list[str]]]:
    r = CliRunner().invoke(main, ["publish", "--out", str(out), "--json"])
    return r.exit_code, json.loads(r.stdout)


def test_only_the_latest_accepted_draft_of_each_gene(queue: Queue, tmp_path: Path) -> None:
    old = queue.add_draft(record("MT1G"))
    accept(queue, old)
    new = queue.add_draft(record("MT1G", text=clean_page("MT1G").replace(
        "date: 2025-01-17 16:55 CST", "date: 2025-03-02 09:00 CST")))
    edited = clean_page("MT1G").replace("date: 2025-01-17 16:55 CST", "date: 2025-03-02") + (
        "\nA curator's sentence.\n")
    accept(queue, new, text=edited)
    queue.add_draft(record("NME1"))  # pending
    tp53 = queue.add_draft(record("TP53"))
    queue.add_review(tp53, "rejected", "ana", clean_page("TP53"), based_on=0, comment="no")
    out = tmp_path / "site" / "_posts"

    code, result = publish(out)
    assert code == 0
    assert result["written"] == ["2025-03-02-MT1G.md"]
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "2025-03-02-MT1G.md"]
    post = (out / "2025-03-02-MT1G.md").read_text()
    assert post.startswith(edited.rstrip("\n"))  # the final text, not the draft
    assert "| Checks" in post[len(edited):]  # and its Checks table


def test_a_second_run_changes_nothing(queue: Queue, tmp_path: Path) -> None:
    accept(queue, queue.add_draft(record("MT1G")))
    accept(queue, queue.add_draft(record("NME1", text="NME1 text without front matter")))
    out = tmp_path / "posts"
    code, first = publish(out)
    assert code == 0 and len(first["written"]) == 2
    no_fm = next(out.glob("*-NME1.md")).read_text()
    assert no_fm.startswith("---\nlayout: post\ntitle: NME1\ndate: ")
    assert "NME1 text without front matter\n\n\n| Checks" in no_fm
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.iterdir()}
    code, second = publish(out)
    assert code == 0 and second["written"] == [] and len(second["unchanged"]) == 2
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.iterdir()} == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_post_is_withdrawn_when_its_draft_is_rejected_later(
    queue: Queue, tmp_path: Path
) -> None:
    draft = queue.add_draft(record("MT1G"))
    accept(queue, draft)
    out = tmp_path / "posts"
    publish(out)
    assert (out / "2025-01-17-MT1G.md").exists()
    queue.add_review(draft, "rejected", "bob", queue.current_text(draft),
                     based_on=queue.version(draft), comment="retracted")
    code, result = publish(out)
    assert code == 0 and result["removed"] == ["2025-01-17-MT1G.md"]
    assert not (out / "2025-01-17-MT1G.md").exists()


def test_hand_edited_or_foreign_files_are_never_overwritten(
    queue: Queue, tmp_path: Path
) -> None:
    out = tmp_path / "posts"
    out.mkdir()
    foreign = out / "2025-01-17-NME1.md"
    foreign.write_text("someone's own post\n")
    accept(queue, queue.add_draft(record("MT1G")))
    accept(queue, queue.add_draft(record("NME1")))
    code, result = publish(out)
    assert code == 1 and result["written"] == ["2025-01-17-MT1G.md"]
    assert "2025-01-17-NME1.md" in result["conflicts"][0]
    assert foreign.read_text() == "someone's own post\n"
    mt1g = out / "2025-01-17-MT1G.md"
    mt1g.write_text(mt1g.read_text() + "hand edit\n")
    code, result = publish(out)
    assert code == 1 and mt1g.read_text().endswith("hand edit\n")


def test_bad_out_is_exit_2(queue: Queue, tmp_path: Path) -> None:
    afile = tmp_path / "file"
    afile.write_text("x")
    r = CliRunner().invoke(main, ["publish", "--out", str(afile / "sub")])
    assert r.exit_code == 2 and "Traceback" not in r.output


@pytest.mark.parametrize("entry", ["../victim.txt", "/tmp/victim.txt", "sub/2025-01-17-X.md",
                                   "2025-01-17-X.md\x00"])
def test_a_manifest_naming_files_outside_out_touches_nothing(
        queue: Queue, tmp_path: Path, entry: str) -> None:
    accept(queue, queue.add_draft(record("MT1G")))
    out = tmp_path / "site" / "_posts"
    out.mkdir(parents=True)
    victim = tmp_path / "site" / "victim.txt"
    victim.write_text("keep me")
    manifest = {"posts": {entry: {"draft_id": 1, "review_id": 1, "gene_id": 4495,
                                  "symbol": "X", "sha256": "0" * 64}}}
    (out / MANIFEST).write_text(json.dumps(manifest))
    r = CliRunner().invoke(main, ["publish", "--out", str(out)])
    assert r.exit_code == 2 and victim.read_text() == "keep me"
    assert len(r.stderr.strip().splitlines()) == 1 and "not what writer publish writes" in r.stderr
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST]  # nothing half-written


@pytest.mark.parametrize("body", ["[1, 2]", '{"posts": []}', '{"posts": {"2025-01-17-X.md": 3}}',
                                  "not json"])
def test_a_manifest_publish_did_not_write_is_one_line_exit_2(
        queue: Queue, tmp_path: Path, body: str) -> None:
    accept(queue, queue.add_draft(record("MT1G")))
    out = tmp_path / "posts"
    out.mkdir()
    (out / MANIFEST).write_text(body)
    r = CliRunner().invoke(main, ["publish", "--out", str(out)])
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST]


def test_two_genes_sharing_a_symbol_get_distinct_posts_and_runs_are_idempotent(
        queue: Queue, tmp_path: Path) -> None:
    accept(queue, queue.add_draft(record("MT1G")))
    twin = record("NME1").model_copy(update={"symbol": "MT1G"})  # as HBD is 3045 and 100187828
    accept(queue, queue.add_draft(twin))
    out = tmp_path / "posts"
    code, first = publish(out)
    assert code == 0
    assert sorted(first["written"]) == sorted(
        f"2025-01-17-MT1G-{gid}.md" for gid in (record("MT1G").gene_id, twin.gene_id))
    for _ in range(2):
        code, again = publish(out)
        assert code == 0 and again["written"] == [] and again["removed"] == []
        assert sorted(again["unchanged"]) == sorted(first["written"])


def test_an_unwritable_folder_or_a_folder_in_a_posts_place_is_one_line_exit_2(
        queue: Queue, tmp_path: Path) -> None:
    accept(queue, queue.add_draft(record("MT1G")))
    r = CliRunner().invoke(main, ["publish", "--out", "/proc/self"])  # no file can be made there
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1, r.output
    assert "cannot write into /proc/self" in r.stderr
    out = tmp_path / "posts"
    (out / "2025-01-17-MT1G.md").mkdir(parents=True)
    r = CliRunner().invoke(main, ["publish", "--out", str(out)])
    assert r.exit_code == 2 and "is a folder where a post would go" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in out.iterdir()) == ["2025-01-17-MT1G.md"]
