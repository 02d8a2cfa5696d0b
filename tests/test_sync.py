"""A sync replaces the fact store only when complete; a warm cache is not fetched again."""

from __future__ import annotations

import os
import sqlite3

import pytest

from writer import sync as sync_module
from writer.config import Settings
from writer.errors import SyncError, UserInputError
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
    with pytest.raises(UserInputError, match="unknown source nope"):
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


# --- a damaged download cache ----------------------------------------------------------------
NPM = """#!/bin/sh
# A stand-in for the registry client: `npm pack NAME@VERSION` writes the package's tarball.
echo "$@" >> "{log}"
[ -e "{fail}" ] && {{ echo "npm ERR! network unreachable" >&2; exit 1; }}
cp "{tgz}" ./fake-pkg-1.0.0.tgz
"""


@pytest.fixture
def registry(tmp_path, monkeypatch):
    """A local npm whose package holds a gzip file and a JSON file."""
    import gzip
    import io
    import tarfile

    tgz = tmp_path / "fake-pkg-1.0.0.tgz"
    with tarfile.open(tgz, "w:gz") as tar:
        for name, data in [("package/data/genes.tsv.gz", gzip.compress(b"AAA1\t100\n" * 500)),
                           ("package/data/genes.json", b'{"AAA1": 100}')]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log, fail = tmp_path / "npm.log", tmp_path / "npm.fail"
    (bin_dir / "npm").write_text(NPM.format(log=log, fail=fail, tgz=tgz))
    (bin_dir / "npm").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    return Package("npm", "fake-pkg", "1.0.0"), tmp_path / "cache", log, fail


def test_a_damaged_cached_file_is_fetched_again_once(registry):
    import gzip

    pkg, cache, log, _ = registry
    unpacked = fetch(pkg, cache)
    assert log.read_text().count("pack") == 1
    assert fetch(pkg, cache) == unpacked and log.read_text().count("pack") == 1  # warm
    gz = unpacked / "package" / "data" / "genes.tsv.gz"
    gz.write_bytes(gz.read_bytes()[:40])  # truncated
    fetch(pkg, cache)
    assert log.read_text().count("pack") == 2
    assert gzip.decompress(gz.read_bytes()).startswith(b"AAA1")
    js = unpacked / "package" / "data" / "genes.json"
    js.write_bytes(b'{"AAA1": 999}')  # same size, other bytes
    fetch(pkg, cache)
    assert log.read_text().count("pack") == 3 and js.read_bytes() == b'{"AAA1": 100}'


def test_a_damaged_file_that_cannot_be_fetched_again_is_one_line(registry):
    pkg, cache, log, fail = registry
    unpacked = fetch(pkg, cache)
    gz = unpacked / "package" / "data" / "genes.tsv.gz"
    gz.write_bytes(b"")
    fail.write_text("offline")
    with pytest.raises(SyncError) as caught:
        fetch(pkg, cache)
    message = str(caught.value)
    assert "\n" not in message
    assert str(gz) in message and "damaged" in message and "network unreachable" in message


def test_a_source_that_cannot_read_its_cached_data_keeps_the_old_store(tmp_path, monkeypatch):
    import gzip

    settings = settings_for(tmp_path)
    use_sources(monkeypatch, tiny_load)
    sync_module.sync(settings, progress=QUIET)
    before = settings.facts_path.read_bytes()

    def reads_a_truncated_gzip(builder, unpacked, progress):
        gzip.decompress(gzip.compress(b"x" * 1000)[:20])

    def reads_a_corrupt_sqlite(builder, unpacked, progress):
        bad = tmp_path / "bad.sqlite"
        bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 2000)
        sqlite3.connect(bad).execute("SELECT * FROM sqlite_master").fetchall()

    for load in (reads_a_truncated_gzip, reads_a_corrupt_sqlite):
        use_sources(monkeypatch, tiny_load, load)
        with pytest.raises(SyncError, match="cannot read the data of s1 in the download cache"):
            sync_module.sync(settings, progress=QUIET)
        assert settings.facts_path.read_bytes() == before


def test_a_partial_sync_reports_only_what_changed_and_what_it_left_out(tmp_path, monkeypatch):
    """The second sync names s2 only: s1's gene lengths are not in the new store because
    they were not synced (left out, not changed); s2's protein length really changed."""
    from writer.datadiff import diff

    protein = {"length": 100}

    def lengths(builder, unpacked, progress):
        builder.add_genes([(2, "BBB2", "gene two", "protein-coding", "1", None, None, None,
                            None)])
        builder.add_fact(1, "structure.gene_length", 10, source="s1")
        builder.add_fact(2, "structure.gene_length", 20, source="s1")
        builder.add_fact(2, "protein.length", 7, source="s1")  # s1 holds part of gene 2's

    def proteins(builder, unpacked, progress):
        builder.add_fact(1, "protein.length", protein["length"], source="s2")
        builder.add_fact(2, "protein.molecular_weight", 900.5, source="s2")

    use_sources(monkeypatch, tiny_load, lengths, proteins)
    settings = settings_for(tmp_path)
    sync_module.sync(settings, progress=QUIET)
    protein["length"] = 101
    sync_module.sync(settings, ["s2"], progress=QUIET)

    report = diff(settings.facts_path)
    # gene 1: protein changed, structure left out; gene 2: its protein section lost s1's
    # length (it changed), its structure was all s1's (left out)
    assert report.sections == {"protein": 2}
    assert report.genes_changed == 2
    assert report.sources_left_out == ["s1"]
    assert report.sections_left_out == {"structure": 2}
    assert "not synced this time: s1" in "\n".join(report.lines())


def test_a_partial_sync_of_the_test_store_changes_no_section_it_left_out(synced, tmp_path):
    """Two real syncs: the session's full offline sync, then one of identity and Ensembl
    structures only. Nothing those sources hold changed, so no section is reported changed;
    the protein and disease sections are reported as left out with their genes."""
    import shutil

    from writer.datadiff import diff

    settings = Settings(home=tmp_path, facts_path=tmp_path / "facts.sqlite",
                        queue_path=tmp_path / "queue.sqlite", cache_dir=synced.cache_dir)
    shutil.copy(synced.facts_path, settings.facts_path)
    before = sqlite3.connect(synced.facts_path)
    held = {r[0] for r in before.execute("SELECT id FROM sources")}
    with_facts = dict(before.execute(
        "SELECT substr(key, 1, instr(key, '.') - 1), count(DISTINCT gene_id) FROM facts "
        "WHERE key LIKE 'protein.%' OR key LIKE 'disease.%' GROUP BY 1"))
    before.close()

    sync_module.sync(settings, ["orgdb-3.16", "ensembl-ideogram"], progress=QUIET)
    report = diff(settings.facts_path)
    assert report.previous_sync is not None
    assert (report.genes_changed, report.sections, report.genes_removed) == (0, {}, 0)
    assert report.sources_left_out == sorted(held - {"orgdb-3.16", "ensembl-ideogram"})
    assert report.sections_left_out == with_facts and with_facts["protein"] > 10_000


def test_a_source_sync_says_which_sources_the_new_store_leaves_out(synced, tmp_path,
                                                                   monkeypatch):
    """`writer data sync --source X` builds a store of X (and identity) only: the curator is
    told, in one line, which sources the previous store held that the new one does not."""
    import shutil

    from click.testing import CliRunner

    from writer.cli import main

    (tmp_path / "config.toml").write_text(f'cache = "{synced.cache_dir}"\n', encoding="utf-8")
    shutil.copy(synced.facts_path, tmp_path / "facts.sqlite")
    monkeypatch.setenv("GENE_WRITER_HOME", str(tmp_path))
    monkeypatch.delenv("GENE_WRITER_FACTS", raising=False)
    held = {r["id"] for r in FactStore(tmp_path / "facts.sqlite").source_rows()}
    result = CliRunner().invoke(main, ["data", "sync", "--source", "orgdb-3.16"])
    assert result.exit_code == 0, result.output
    left = sorted(held - {"orgdb-3.16"})
    assert left and result.stderr.splitlines()[-1] == (
        f"writer: the new store leaves out {len(left)} sources the previous one held: "
        f"{', '.join(left)}; their sections are left out of drafts until `writer data sync` "
        "(with --online for online ones) brings them back")
    again = CliRunner().invoke(main, ["data", "sync", "--source", "orgdb-3.16"])
    assert again.exit_code == 0 and "leaves out" not in again.stderr
