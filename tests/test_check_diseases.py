"""The evaluator reads disease names in prose and traces them to the gene's HPO annotations.

The paragraphs are written by hand the way a language model writes about a gene; each
test says what a curator relies on: a disease the gene is annotated to passes, one it is
not annotated to is shown with its sentence, and ordinary words that look like disease
names ("cell disease resistance", "disease associations") raise no alarm.
"""

from __future__ import annotations

import pytest

from writer.check import check
from writer.check.diseases import NameList, from_store


@pytest.fixture(scope="module")
def names(synced) -> NameList:
    return from_store(synced.facts_path)


@pytest.fixture
def run(factsheet, names):
    def go(gene: str, text: str):
        report = check(text, factsheet(gene), diseases=names)
        traced = [t.claim for t in report.traced if t.kind == "disease"]
        return traced, [f for f in report.findings if f.kind == "disease"]

    return go


@pytest.mark.parametrize(("gene", "text", "diseases"), [
    ("HBB", "Mutations in HBB cause sickle cell anemia and beta-thalassemia.",
     ["sickle cell anemia", "beta-thalassemia"]),
    ("HBB", "HBB variants underlie Hemoglobin E disease and methemoglobinemia.",
     ["Hemoglobin E disease", "methemoglobinemia"]),
    ("CFTR", "CFTR is best known for cystic fibrosis; variants also cause congenital bilateral "
             "absence of the vas deferens and hereditary pancreatitis.",
     ["cystic fibrosis", "congenital bilateral absence of the vas deferens",
      "hereditary pancreatitis"]),
    ("BRCA1", "Germline variants predispose to breast cancer, ovarian cancer and Fanconi anemia.",
     ["breast cancer", "ovarian cancer", "Fanconi anemia"]),
    ("APOE", "The e4 allele is the strongest risk factor for late-onset Alzheimer's disease.",
     ["Alzheimer's disease"]),
    ("TP53", "TP53 is linked to Li-Fraumeni syndrome (OMIM:151623) and [adrenocortical "
             "carcinoma](https://www.orpha.net/en/disease/detail/1501).",
     ["Li-Fraumeni syndrome", "OMIM:151623", "adrenocortical carcinoma", "1501"]),
])
def test_diseases_the_gene_is_annotated_to_are_traced(run, gene, text, diseases):
    traced, findings = run(gene, text)
    assert findings == []
    assert traced == diseases


def test_a_disease_the_gene_is_not_annotated_to_is_a_finding(run):
    _, (finding,) = run("MT1G", "MT1G mutations cause Wilson disease.")
    assert finding.claim == "Wilson disease"
    assert finding.status == "unverifiable"
    assert finding.sentence == "MT1G mutations cause Wilson disease."
    assert "no disease annotation" in finding.reason
    assert "OMIM:277900" in finding.reason and "ATP7B" in finding.reason  # what HPO says


def test_another_genes_disease_is_named_with_the_genes_diseases(run):
    _, (finding,) = run("BRCA1", "BRCA1 mutations are a major cause of Li-Fraumeni syndrome.")
    assert finding.claim == "Li-Fraumeni syndrome" and finding.status == "unverifiable"
    assert "Breast cancer" in finding.reason and "TP53" in finding.reason


def test_names_the_list_lacks_are_read_by_their_head_word(run, factsheet):
    _, findings = run("APOE", "It is also linked to cardiovascular disease.")
    assert [f.claim for f in findings] == ["cardiovascular disease"]
    # without the store's list, the patterns still find a disease and trace a true one
    report = check("Mutations in HBB cause beta-thalassemia.", factsheet("HBB"),
                   diseases=NameList([]))
    assert [t.claim for t in report.traced if t.kind == "disease"] == ["beta-thalassemia"]


def test_a_link_whose_name_and_identifier_disagree_is_contradicted(run):
    _, findings = run("TP53", "[Huntington disease](https://omim.org/entry/151623).")
    assert {f.status for f in findings} == {"contradicted"}
    assert "Li-Fraumeni syndrome" in findings[0].reason


@pytest.mark.parametrize("text", [
    "The protein contains a zinc finger domain.",
    "It may confer cell disease resistance.",
    "The disease associations of MT1G are not known.",
    "It is not a disease gene, and no genetic disorders are linked to it.",
    "Metallothioneins have been studied in many human diseases, including a rare disease.",
    "MT1G is silenced in hepatocellular carcinoma cell lines.",
    "The gene was first studied in cancer-related processes.",
])
def test_ordinary_words_are_not_disease_claims(run, text):
    traced, findings = run("MT1G", text)
    assert (traced, findings) == ([], [])


def test_the_disease_kind_is_documented():
    from writer.check import KINDS

    assert "disease" in KINDS and "HPO" in KINDS["disease"]
