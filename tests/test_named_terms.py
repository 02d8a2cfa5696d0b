"""Drug and phenotype names: read from their registry files at sync, found in prose by the
evaluator, and never traced (no fact sheet holds a drug, or which phenotypes a gene has)."""

from __future__ import annotations

import bz2
import pickle
from pathlib import Path

import pytest

from writer.check import check
from writer.errors import SyncError
from writer.sources import drugs, hpo


def _dictionary(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "drug_ner_dictionary.pkl.bz2"
    path.write_bytes(bz2.compress(pickle.dumps(data)))
    return path


DICTIONARY = {
    "drug_variant_to_canonical": {"ivacaftor": ["ivacaftor"], "kalydeco": ["ivacaftor"],
                                  "heparin": ["heparin"], "cisplatin": ["cisplatin"],
                                  "erythropoietin": ["epoetin alfa"],
                                  "metallothionein iia": ["metallothionein iia"]},
    "drug_canonical_to_data": {"ivacaftor": {"name": "Ivacaftor", "drugbank_id": "DB08820"},
                               "heparin": {"name": "Heparin", "drugbank_id": "DB01109"},
                               "cisplatin": {"name": "Cisplatin", "medline_plus_id": "a684036"},
                               "epoetin alfa": {"name": "Epoetin alfa",
                                                "drugbank_id": "DB00016"},
                               "metallothionein iia": {"name": "Metallothionein IIA"}},
    "drug_variant_to_variant_data": {"kalydeco": {"is_brand": True}},
}


def test_drug_names_keep_drugs_and_drop_what_a_gene_page_says_for_other_reasons(tmp_path):
    data = drugs.read_dictionary(_dictionary(tmp_path, DICTIONARY))
    go_words = {"heparin", "binding", "response", "to"}  # "heparin binding"; not "cisplatin"
    rows = drugs.drug_rows(data, excluded={"erythropoietin"}, go_words=go_words)
    assert sorted(form for form, _, _ in rows) == ["cisplatin", "ivacaftor"]
    assert ("ivacaftor", "DB08820", "Ivacaftor") in rows  # the brand name "kalydeco" is not


class _Payload:
    def __reduce__(self):
        return (print, ("code ran",))


def test_a_dictionary_that_asks_for_code_is_refused_not_run(tmp_path, capsys):
    path = _dictionary(tmp_path, {"drug_variant_to_canonical": _Payload()})
    with pytest.raises(SyncError, match="data only"):
        drugs.read_dictionary(path)
    assert "code ran" not in capsys.readouterr().out


def test_a_dictionary_without_its_tables_is_a_clear_sync_error(tmp_path):
    with pytest.raises(SyncError, match="lacks drug_canonical_to_data"):
        drugs.read_dictionary(_dictionary(tmp_path, {"drug_variant_to_canonical": {}}))


OBO = """format-version: 1.2
data-version: hp/releases/2025-01-16

[Term]
id: HP:0000118
name: Phenotypic abnormality

[Term]
id: HP:0000027
name: Azoospermia
synonym: "Absence of sperm in semen" EXACT layperson []
synonym: "AZS" EXACT abbreviation []
is_a: HP:0000118 ! Phenotypic abnormality

[Term]
id: HP:0000708
name: Hostile
is_a: HP:0000118 ! Phenotypic abnormality

[Term]
id: HP:0000006
name: Autosomal dominant inheritance
"""


def test_phenotype_names_are_the_abnormality_terms_by_name_and_exact_synonym(tmp_path):
    path = tmp_path / "hp.obo"
    path.write_text(OBO)
    rows = hpo.read_phenotype_names(path)
    assert sorted(form for form, _, _ in rows) == ["absence of sperm in semen", "azoospermia"]
    # a plain word ("Hostile"), an abbreviation and a term outside the abnormalities are not
    assert {term for _, term, _ in rows} == {"HP:0000027"}


def test_an_ontology_without_the_abnormality_root_is_a_clear_sync_error(tmp_path):
    path = tmp_path / "hp.obo"
    path.write_text("format-version: 1.2\n\n[Term]\nid: HP:0000006\nname: Inheritance\n")
    with pytest.raises(SyncError, match="HP:0000118"):
        hpo.read_phenotype_names(path)


@pytest.mark.parametrize(("text", "kind"), [
    ("Ivacaftor restores CFTR channel gating.", "drug"),
    ("Affected men show azoospermia.", "phenotype"),
    ("The gene was cloned by Riordan et al. in 1989.", "paper"),
    ("A study in the New England Journal of Medicine described it.", "paper"),
])
def test_a_named_drug_phenotype_or_citation_is_an_unverifiable_finding(factsheet, text, kind):
    report = check(f"## Disease\n\n{text}", factsheet("CFTR"))
    found = [f for f in report.findings if f.kind == kind]
    assert found and all(f.status == "unverifiable" for f in found), report.findings


def test_a_gene_page_saying_what_go_says_names_no_drug(factsheet):
    # "heparin" (APOE: heparin binding) and "insulin" (a gene's full name) are no drugs here
    report = check("## Function\n\nThe protein binds heparin, and insulin levels were not "
                   "studied.", factsheet("APOE"))
    assert not [f for f in report.findings if f.kind == "drug"], report.findings
