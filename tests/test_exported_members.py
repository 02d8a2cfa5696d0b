"""``writer.__all__`` is what users import, no more and no less (after httpx's test of the
same name), and ``import writer`` stays light."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
from test_draft_helpers import build_store

import writer


def test_all_exports_are_importable() -> None:
    for name in writer.__all__:
        assert getattr(writer, name) is not None, name
    namespace: dict[str, object] = {}
    exec("from writer import *", namespace)  # noqa: S102
    assert set(writer.__all__) <= set(namespace)


def test_all_public_members_are_exported() -> None:
    public = [name for name, value in vars(writer).items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType)]
    assert writer.__all__ == sorted(public, key=str.casefold)


def test_draft_and_check_are_the_functions_not_their_modules() -> None:
    """The functions share their names with ``writer/draft.py`` and ``writer/check/``: importing
    from those modules, in any order, must not put a module in their place."""
    code = (
        "import writer\n"
        "from writer.draft import make_draft\n"
        "from writer.check.claims import extract\n"
        "import writer.check.models, writer.review.store, writer.phrasers.model, writer.cli\n"
        "from writer.cli import LAZY_COMMANDS\n"
        "import importlib\n"
        "for target in LAZY_COMMANDS.values():\n"
        "    module, attr = target.split(':')\n"
        "    getattr(importlib.import_module(module), attr)\n"
        "assert callable(extract) and callable(make_draft)\n"
        "print(writer.draft.__module__, writer.check.__module__)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.stdout.split() == ["writer.api", "writer.check"], proc.stderr
    assert writer.draft.__module__ == "writer.api" and callable(writer.check)
    from writer.check.claims import extract

    assert callable(extract)


def test_importing_writer_is_light() -> None:
    heavy = ("openai", "tenacity", "starlette", "uvicorn", "pyphen", "vaderSentiment")
    code = f"import sys, writer\nprint([m for m in {heavy!r} if m in sys.modules])"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.stdout.strip() == "[]", proc.stderr


@pytest.fixture
def one_gene(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GENE_WRITER_FACTS", str(build_store(tmp_path / "facts.sqlite")))
    queue = tmp_path / "queue.sqlite"
    monkeypatch.setenv("GENE_WRITER_QUEUE", str(queue))
    return queue


def test_the_library_drafts_a_gene_without_the_cli(one_gene: Path) -> None:
    result = writer.draft("mt1g", date="2025-01-17")
    assert isinstance(result, writer.DraftResult)
    assert isinstance(result.record, writer.DraftRecord)
    assert isinstance(result.report, writer.CheckReport)
    assert result.page.startswith("---\nlayout: post\ntitle: MT1G\ndate: 2025-01-17\n")
    assert result.record.text == result.page and not result.flagged
    assert result.draft_id is None and not os.path.exists(one_gene)  # nothing written

    queued = writer.draft("MT1G", date="2025-01-17", queue=True)
    assert queued.draft_id == 1
    from writer.review.store import Queue

    with Queue.open(one_gene) as q:
        assert q.get(1).text == queued.page


def test_the_library_raises_the_exported_errors(one_gene: Path) -> None:
    with pytest.raises(writer.UnknownGene):
        writer.draft("NOPE1")
    with pytest.raises(writer.UserInputError, match="needs an endpoint"):
        writer.draft("MT1G", model="gpt-x")
