"""A sync replaces the fact store only when complete; a warm cache is not fetched again."""

from __future__ import annotations

import sqlite3

import pytest

from writer import sync as sync_module
from writer.config import Settings
from writer.errors import SyncError
from writer.factsheet import SourceRef
from writer.progress import QUIET
from writer.sources import SourceSpec
from writer.sources.packages import Package, fetch
from writer.store import FactStore

REF = SourceRef(id="tiny", name="tiny", version="1", release_date="2026-01-01", licence="CC0",
                url="https://example.org")


def tiny_load(builder, unpacked, progress):
    builder.add_genes([(1, "AAA1", "gene one", "protein-coding", "1", "1p1", 1, 100, "+")])
    builder.add_names([("AAA1", 1, "symbol")])
    builder.add_fact(1, "identity.symbol", "AAA1", source="tiny")


def failing_load(builder, unpacked, progress):
    builder.add_fact(1, "identity.name", "half written", source="tiny")
    raise SyncError("upstream file truncated")


def settings_for(tmp_path) -> Settings:
    return Settings(home=tmp_path, facts_path=tmp_path / "facts.sqlite",
                    queue_path=tmp_path / "queue.sqlite", cache_dir=tmp_path / "cache")


def use_sources(monkeypatch, *loads):
    specs = [SourceSpec(ref=REF if i == 0 else REF.model_copy(update={"id": f"s{i}"}),
                        packages=(), provides=(), load=load)
             for i, load in enumerate(loads)]
    monkeypatch.setattr(sync_module, "offline_sources", lambda: specs)
    monkeypatch.setattr(sync_module.crosscheck, "run", lambda builder: None)


def test_failed_sync_keeps_the_previous_store(tmp_path, monkeypatch):
    settings = settings_for(tmp_path)
    use_sources(monkeypatch, tiny_load)
    sync_module.sync(settings, progress=QUIET)
    before = settings.facts_path.read_bytes()

    use_sources(monkeypatch, tiny_load, failing_load)
    with pytest.raises(SyncError, match="truncated"):
        sync_module.sync(settings, progress=QUIET)

    assert settings.facts_path.read_bytes() == before
    assert not list(tmp_path.glob("*.partial"))
    store = FactStore(settings.facts_path)
    assert store.sheet(store.resolve("aaa1")).value("identity.symbol") == "AAA1"
    assert store.sheet(1).get("identity.name") is None


def test_interrupted_sync_leaves_no_half_store(tmp_path, monkeypatch):
    settings = settings_for(tmp_path)

    def interrupted(builder, unpacked, progress):
        raise KeyboardInterrupt

    use_sources(monkeypatch, tiny_load, interrupted)
    with pytest.raises(KeyboardInterrupt):
        sync_module.sync(settings, progress=QUIET)
    assert not settings.facts_path.exists()
    assert not list(tmp_path.glob("*.partial"))


def test_unknown_fact_key_is_refused(tmp_path, monkeypatch):
    def bad_key(builder, unpacked, progress):
        builder.add_fact(1, "structure.made_up", 3, source="tiny")

    use_sources(monkeypatch, tiny_load, bad_key)
    with pytest.raises(SyncError, match="unknown fact key"):
        sync_module.sync(settings_for(tmp_path), progress=QUIET)


def test_percentiles_are_mean_rank_over_the_declared_population(tmp_path, monkeypatch):
    def lengths(builder, unpacked, progress):
        builder.add_genes([(g, f"G{g}", f"gene {g}", "protein-coding", "1", None, None, None,
                            None) for g in range(2, 6)])
        for gid, length in [(1, 10), (2, 20), (3, 20), (4, 30), (5, 40)]:
            builder.add_fact(gid, "structure.gene_length", length, source="s1")
        builder.declare_population("structure.gene_length", "test genes")

    use_sources(monkeypatch, tiny_load, lengths)
    settings = settings_for(tmp_path)
    sync_module.sync(settings, progress=QUIET)
    store = FactStore(settings.facts_path)
    pct = {g: store.sheet(g).get("structure.gene_length").percentile for g in range(1, 6)}
    assert [pct[g].value for g in range(1, 6)] == [10.0, 40.0, 40.0, 70.0, 90.0]
    assert pct[1].population == "test genes" and pct[1].size == 5


def test_unknown_source_name_is_a_clear_error(tmp_path):
    with pytest.raises(SyncError, match="unknown source nope"):
        sync_module.select_sources(["nope"])


def test_warm_cache_is_not_fetched_again(tmp_path, monkeypatch):
    pkg = Package("pypi", "example", "1.0")
    root = tmp_path / "packages" / pkg.slug
    (root / "unpacked").mkdir(parents=True)
    (root / ".unpacked-complete").write_text("example-1.0.whl\n")

    def no_network(*args, **kwargs):
        raise AssertionError("a warm cache must not download")

    monkeypatch.setattr("writer.sources.packages._download", no_network)
    assert fetch(pkg, tmp_path) == root / "unpacked"


def test_store_is_readable_sqlite_with_sources(tmp_path, monkeypatch):
    settings = settings_for(tmp_path)
    use_sources(monkeypatch, tiny_load)
    sync_module.sync(settings, progress=QUIET)
    conn = sqlite3.connect(settings.facts_path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    rows = FactStore(settings.facts_path).source_rows()
    assert rows[0]["id"] == "tiny" and rows[0]["rows"] == {"identity.symbol": 1}
