"""Shared fixtures.

No test touches the real user data dir: ``GENE_WRITER_HOME`` points at a fresh temporary
folder for every test. Tests that need real facts use ``store`` / ``factsheet``: one real
offline sync per test session into a temporary fact store. Downloads are cached in
``GENE_WRITER_TEST_CACHE`` (default: the cache of the default home, which the README's
first command fills), so only the first run on a machine fetches packages.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from writer.config import Settings, default_home
from writer.factsheet import FactSheet
from writer.progress import Progress
from writer.store import FactStore


def _test_cache() -> Path:
    env = os.environ.get("GENE_WRITER_TEST_CACHE")
    return Path(env) if env else default_home() / "cache"


TEST_CACHE = _test_cache()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "gene-writer-home"
    monkeypatch.setenv("GENE_WRITER_HOME", str(home))
    for var in ("GENE_WRITER_FACTS", "GENE_WRITER_QUEUE", "OPENAI_BASE_URL", "OPENAI_API_KEY",
                "GENE_WRITER_MODEL", "GENE_WRITER_MIRROR", "GENE_WRITER_EMAIL", "NCBI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture(scope="session")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of a fact store freshly built by a real offline sync (once per session)."""
    from writer.sync import sync

    home = tmp_path_factory.mktemp("synced-home")
    settings = Settings(
        home=home,
        facts_path=home / "facts.sqlite",
        queue_path=home / "queue.sqlite",
        cache_dir=TEST_CACHE,
    )
    sync(settings, progress=Progress(enabled=False))
    return settings


@pytest.fixture(scope="session")
def store(synced: Settings) -> FactStore:
    return FactStore(synced.facts_path)


@pytest.fixture(scope="session")
def factsheet(store: FactStore) -> Callable[[str], FactSheet]:
    """``factsheet("MT1G")``: the real fact sheet of a gene from the session's store."""

    def get(gene: str) -> FactSheet:
        return store.sheet(store.resolve(gene))

    return get


@pytest.fixture
def facts_env(synced: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point the CLI (and subprocesses) at the session's synced fact store."""
    monkeypatch.setenv("GENE_WRITER_FACTS", str(synced.facts_path))
    return synced


@pytest.fixture(scope="session")
def package_cache() -> Path:
    """The download cache shared by every test that reads real registry packages."""
    return TEST_CACHE
