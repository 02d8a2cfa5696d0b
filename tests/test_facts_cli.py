"""`writer facts`: gene resolution, the error contract and the stable JSON shape."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

import writer
from writer.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("query", ["NME1", "nme1", "4830", "ENSG00000239672", "ensg00000239672",
                                   "NM23-H1", "nm23"])
def test_every_kind_of_name_resolves_to_the_same_gene(facts_env, query):
    code, out, _ = run("facts", query, "--json")
    assert code == 0
    sheet = json.loads(out)
    assert sheet["gene_id"] == 4830
    assert sheet["symbol"] == "NME1"


def test_alias_shared_by_two_genes_is_ambiguous(facts_env):
    code, _, err = run("facts", "MT1K")
    assert code == 2
    assert "MT1G (metallothionein 1G, NCBI 4495)" in err
    assert "MT1M (metallothionein 1M, NCBI 4499)" in err


def test_ambiguous_alias_lists_candidates_with_full_names(facts_env):
    code, out, err = run("facts", "MT1")
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "MT1G (metallothionein 1G, NCBI 4495)" in err
    assert "MT1X (metallothionein 1X, NCBI 4501)" in err


def test_unknown_gene_is_one_line_with_suggestions(facts_env):
    code, _, err = run("facts", "MT1GG")
    assert code == 2
    assert err.strip().splitlines() == ["writer: unknown gene 'MT1GG'. Did you mean: MT1G?"]


def test_unknown_numeric_id(facts_env):
    code, _, err = run("facts", "999999999")
    assert code == 2
    assert "unknown gene" in err


@pytest.mark.parametrize("query", ["99999999999999999999999", "\u00b2"])
def test_an_id_no_store_can_hold_is_an_unknown_gene(facts_env, query):
    code, _, err = run("facts", query)
    assert code == 2
    assert err.strip().splitlines() == [f"writer: unknown gene {query!r}."]


def test_missing_store_tells_to_sync(tmp_path, monkeypatch):
    monkeypatch.setenv("GENE_WRITER_FACTS", str(tmp_path / "none.sqlite"))
    code, _, err = run("facts", "MT1G")
    assert code == 2
    assert "run `writer data sync" in err


def test_corrupt_store_is_a_clear_error(tmp_path, monkeypatch):
    bad = tmp_path / "facts.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("GENE_WRITER_FACTS", str(bad))
    code, _, err = run("facts", "MT1G")
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "unreadable" in err


def test_json_shape_is_stable(facts_env):
    code, out, _ = run("facts", "NME1", "--json")
    assert code == 0
    sheet = json.loads(out)
    assert set(sheet) == {"schema_version", "gene_id", "symbol", "facts", "sources",
                          "missing_sections"}
    assert sheet["schema_version"] == 1
    fact = sheet["facts"]["identity.band"]
    assert set(fact) == {"key", "label", "value", "unit", "source", "links", "percentile",
                         "checks"}
    assert set(fact["links"][0]) == {"label", "url"}
    go = sheet["facts"]["function.molecular_function"]["value"][0]
    assert set(go) == {"name", "id", "value", "unit", "evidence", "url"}
    source = sheet["sources"][fact["source"]]
    assert set(source) == {"id", "name", "version", "release_date", "licence", "url"}


def test_readable_output_groups_by_section_with_sources(facts_env):
    code, out, _ = run("facts", "NME1")
    assert code == 0
    assert out.startswith("NME1 (NCBI Gene 4830)")
    assert "\nIDENTITY\n" in out and "\nFUNCTION\n" in out
    assert "Cytogenetic band: 17q21.33" in out
    assert "source: org.Hs.eg.db" in out


def test_python_api_single_and_bulk(facts_env):
    sheet = writer.facts("NME1", store=writer.open_facts(facts_env.facts_path))
    assert sheet.value("identity.ensembl_id") == "ENSG00000239672"
    many = writer.facts_many(["MT1G", "4830", "ENSG00000141510"],
                             store=writer.open_facts(facts_env.facts_path))
    assert [s.symbol for s in many] == ["MT1G", "NME1", "TP53"]
    assert many[0].content_hash() == writer.facts(
        "MT1G", store=writer.open_facts(facts_env.facts_path)).content_hash()


def test_cold_process_exit_code_and_no_traceback(facts_env):
    proc = subprocess.run([sys.executable, "-m", "writer.cli", "facts", "MT1"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_data_status_lists_every_source_with_version_licence_and_rows(facts_env):
    code, out, _ = run("data", "status", "--json")
    assert code == 0
    sources = {s["id"]: s for s in json.loads(out)["sources"]}
    assert set(sources) == {"orgdb-3.16", "ensembl-ideogram", "uniprot-2014", "hpo-2025-01-16",
                            "drug-ner-2.0.9"}
    for source in sources.values():
        assert source["version"] and source["release_date"] and source["licence"]
        assert source["url"].startswith("https://")
        if source["provides"]:  # the drug names are the evaluator's, not facts
            assert sum(source["rows"].values()) > 10_000
    assert sources["uniprot-2014"]["rows"]["protein.length"] > 15_000
    assert sources["hpo-2025-01-16"]["rows"]["disease.mendelian"] > 5_000
    code, text, _ = run("data", "status")
    assert code == 0 and "licence" in text and "orgdb-3.16" in text


def test_data_status_names_the_opt_in_sources_not_synced_with_licence_and_how(facts_env):
    code, out, _ = run("data", "status", "--json")
    assert code == 0
    opt_in = {s["id"]: s for s in json.loads(out)["opt_in_not_synced"]}
    assert opt_in["replogle2022"]["licence"] == "CC BY-NC-SA 4.0"
    assert opt_in["replogle2022"]["sync"] == "writer data sync --source replogle2022"
    code, text, _ = run("data", "status")
    line = next(ln for ln in text.splitlines() if "replogle2022" in ln)
    assert line.startswith("opt-in source not synced: replogle2022: ")
    assert "CC BY-NC-SA 4.0" in line and "`writer data sync --source replogle2022`" in line
    from writer.sources.online import opt_in_not_synced

    assert opt_in_not_synced([{"id": "replogle2022"}]) == []  # once synced, not listed
