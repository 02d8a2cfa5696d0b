"""A process killed mid-write loses nothing it committed and leaves a sound queue file."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from writer.review.store import Queue

WRITER = textwrap.dedent(
    """
    import sys
    from writer.draft import DraftRecord
    from writer.llm import ModelCall
    from writer.review.store import Queue

    queue = Queue.open(sys.argv[1])
    big = "The gene length is 1,336 base pairs. " * 3000  # ~110 kB: long transactions
    n = 0
    while True:
        n += 1
        with queue.transaction():
            draft_id = queue.add_draft(
                DraftRecord(gene_id=4495, symbol="MT1G", text=big + str(n),
                            factsheet_hash="sha256:0"),
                [ModelCall(section="function", attempt=1, model="m", prompt=big,
                           response=big, duration_s=0.1)],
            )
            review = queue.add_review(draft_id, "edited", "ana", big + "edited " + str(n),
                                      based_on=0)
        print(draft_id, review.id, flush=True)  # only after COMMIT returned
    """
)


def test_sigkill_mid_write_loses_nothing_committed(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite"
    committed: dict[int, int] = {}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for round_ in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)],
            stdout=subprocess.PIPE, text=True, env=env,
        )
        assert proc.stdout is not None
        wanted = 10 + 5 * round_  # commits to see in this round before the kill
        deadline = time.monotonic() + 60
        seen = 0
        while seen < wanted and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            draft_id, review_id = map(int, line.split())
            committed[draft_id] = review_id
            seen += 1
        time.sleep(0.013 * (round_ + 1))  # land somewhere inside a later transaction
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        # Lines printed before the kill but not yet read are committed too.
        for line in proc.stdout.read().splitlines():
            draft_id, review_id = map(int, line.split())
            committed[draft_id] = review_id
        proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL

        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.close()
        with Queue.open(path) as queue:
            for draft_id, review_id in committed.items():
                draft = queue.get(draft_id)
                assert draft.status == "edited" and draft.version == review_id
                assert queue.current_text(draft_id).endswith(f"edited {draft.text.split()[-1]}")
                assert len(queue.model_calls(draft_id)) == 1
            # Nothing half-written: every draft that exists has its review and model call.
            orphans = queue.conn.execute(
                "SELECT count(*) FROM drafts d WHERE NOT EXISTS "
                "(SELECT 1 FROM reviews r WHERE r.draft_id = d.id)"
            ).fetchone()[0]
            assert orphans == 0
    assert len(committed) >= 15
