"""GO term names in prose, with or without their AmiGO links (issue 17, issue 10 item 3).

The paragraphs below were written by hand in the manner of a small model that drops links:
each true paragraph must have no finding; each flawed one exactly the finding listed (claim,
kind, status), whatever else it says.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from writer.check import check
from writer.check.goterms import GoTerms, load
from writer.factsheet import FactSheet
from writer.store import FactStore

GO_KINDS = ("go_term", "go_relation", "go_evidence")
C, U = "contradicted", "unverifiable"

# (gene, paragraph) with no finding at all
TRUE = [
    ("NME1", "NME1 enables nucleoside diphosphate kinase activity, magnesium ion binding and "
             "ATP binding. It is located in the nucleus, the cytosol and the ruffle membrane, "
             "and it is involved in positive regulation of DNA binding."),
    ("NME1", "The gene is predicted to be involved in nervous system development, lactation "
             "and endocytosis."),
    # GO's true path rule: general forms of annotated terms
    ("NME1", "NME1 enables nucleotide binding and is located in the plasma membrane."),
    ("NME1", "It is predicted to be involved in nucleotide metabolic process."),
    # a synonym, and "negatively regulates" read as negative regulation of
    ("NME1", "NME1 negatively regulates cell proliferation."),
    ("MT1G", "MT1G enables zinc ion binding and is located in the nucleus and the cytoplasm. "
             "It is involved in negative regulation of growth and in cellular response to zinc "
             "ion."),
    ("MT1G", "It is predicted to enable metal ion binding and to be involved in detoxification "
             "of copper ion."),
    ("MT1G", "MT1G is involved in response to metal ion."),
    ("TP53", "TP53 enables cis-regulatory region sequence-specific DNA binding and chromatin "
             "binding, and it is located in the nucleus, the nucleolus and the PML body."),
    ("TP53", "TP53 has been shown to be located in the mitochondrion and the centrosome."),
    ("APOE", "APOE enables lipid binding, heparin binding and lipid transporter activity. It is "
             "located in the extracellular space and the very-low-density lipoprotein particle, "
             "and it is involved in cholesterol efflux, cholesterol metabolic process and "
             "negative regulation of platelet activation."),
    ("APOE", "The protein plays a role in memory and negatively regulates blood coagulation."),
    ("INS", "Insulin enables hormone activity and insulin receptor binding; it is located in "
            "the extracellular space and the secretory granule lumen, and is involved in "
            "glucose homeostasis, the insulin receptor signaling pathway and positive regulation "
            "of glycolytic process."),
    # ordinary-English term names used as English
    ("INS", "Insulin is a hormone whose binding to its receptor drives the growth of many "
            "cell types, and its secretion has been studied in detail."),
    ("TP53", "The behavior of the protein after DNA damage differs between cell types, and its "
             "localization changes with stress; it has binding sites for many partners."),
    ("MT1G", "Binding of zinc by MT1G is tight, and the protein takes its name from metal "
             "binding."),
]

# (gene, paragraph, [(claim, kind, status), ...])
FLAWED = [
    # the paragraph: three invented terms
    ("NME1", "The gene enables nucleoside diphosphate kinase activity and is involved in "
             "ribosome biogenesis and synaptic vesicle exocytosis. It is located in the "
             "mitochondrial matrix.",
     [("ribosome biogenesis", "go_term", C), ("synaptic vesicle exocytosis", "go_term", C),
      ("mitochondrial matrix", "go_term", U)]),
    # the model's own: a process under "is located in"
    ("NME1", "It is located in the nucleus and nervous system development.",
     [("nervous system development", "go_relation", C)]),
    ("NME1", "NME1 enables ATP binding and cell differentiation.",
     [("cell differentiation", "go_relation", C)]),
    # a prediction stated as shown, and an experimental finding called a prediction
    ("NME1", "NME1 has been shown to be involved in nervous system development.",
     [("nervous system development", "go_evidence", C)]),
    ("NME1", "The gene is involved in endocytosis.", [("endocytosis", "go_evidence", C)]),
    ("NME1", "NME1 is predicted to enable deoxyribonuclease activity.",
     [("deoxyribonuclease activity", "go_evidence", C)]),
    # more specific than any annotation
    ("NME1", "It is located in the nuclear envelope.", [("nuclear envelope", "go_term", U)]),
    # the opposite direction of regulation
    ("NME1", "NME1 positively regulates apoptotic process.",
     [("apoptotic process", "go_term", U)]),
    ("NME1", "NME1 is involved in negative regulation of epithelial cell proliferation.",
     [("negative regulation of epithelial cell proliferation", "go_term", C)]),
    ("MT1G", "MT1G is located in zinc ion binding.", [("zinc ion binding", "go_relation", C)]),
    ("MT1G", "MT1G has been experimentally shown to be involved in detoxification of copper "
             "ion.", [("detoxification of copper ion", "go_evidence", C)]),
    ("MT1G", "MT1G enables DNA binding and is involved in angiogenesis.",
     [("DNA binding", "go_term", C), ("angiogenesis", "go_term", C)]),
    ("MT1G", "MT1G positively regulates growth.", [("growth", "go_term", C)]),
    ("TP53", "TP53 is located in the Golgi apparatus and is involved in photosynthesis.",
     [("Golgi apparatus", "go_term", U), ("photosynthesis", "go_term", C)]),
    ("TP53", "TP53 is thought to be located in the mitochondrion.",
     [("mitochondrion", "go_evidence", C)]),
    ("TP53", "TP53 is located in the replication fork.",
     [("replication fork", "go_evidence", C)]),
    ("APOE", "APOE enables insulin receptor binding and cholesterol efflux.",
     [("insulin receptor binding", "go_term", U), ("cholesterol efflux", "go_relation", C)]),
    ("APOE", "APOE positively regulates blood coagulation.",
     [("blood coagulation", "go_term", C)]),
    ("INS", "INS is involved in hormone activity and ribosome biogenesis.",
     [("hormone activity", "go_relation", C), ("ribosome biogenesis", "go_term", C)]),
    ("INS", "Insulin negatively regulates glycolytic process.",
     [("glycolytic process", "go_term", C)]),
]


def _page(paragraph: str, heading: bool = True) -> str:
    return ("## Function\n\n" if heading else "") + paragraph + "\n"


@pytest.fixture(scope="module")
def go(store: FactStore) -> GoTerms:
    return load(store.path)


@pytest.mark.parametrize(("gene", "text"), TRUE, ids=[f"{g}-{i}" for i, (g, _) in
                                                       enumerate(TRUE)])
@pytest.mark.parametrize("heading", [True, False], ids=["function", "no-heading"])
def test_true_paragraphs_have_no_finding(factsheet: Callable[[str], FactSheet], gene: str,
                                         text: str, heading: bool) -> None:
    report = check(_page(text, heading), factsheet(gene))
    assert [(f.claim, f.kind, f.reason) for f in report.findings] == []


@pytest.mark.parametrize(("gene", "text", "expected"), FLAWED,
                         ids=[f"{g}-{i}" for i, (g, _, _) in enumerate(FLAWED)])
@pytest.mark.parametrize("heading", [True, False], ids=["function", "no-heading"])
def test_flawed_paragraphs_have_their_findings(factsheet: Callable[[str], FactSheet],
                                               gene: str, text: str,
                                               expected: list[tuple[str, str, str]],
                                               heading: bool) -> None:
    report = check(_page(text, heading), factsheet(gene))
    found = [(f.claim, f.kind, f.status) for f in report.findings if f.kind in GO_KINDS]
    assert sorted(found) == sorted(expected), [f.reason for f in report.findings]


def test_a_linked_term_under_the_wrong_verb_is_a_finding(factsheet: Callable[[str], FactSheet]
                                                         ) -> None:
    text = _page("MT1G is located in [zinc ion binding]"
                 "(https://amigo.geneontology.org/amigo/term/GO:0008270).")
    report = check(text, factsheet("MT1G"))
    assert [(f.claim, f.kind) for f in report.findings] == [("zinc ion binding", "go_relation")]
    assert "molecular function" in report.findings[0].reason


def test_reasons_name_the_descendant_and_the_opposite(factsheet: Callable[[str], FactSheet]
                                                      ) -> None:
    sheet = factsheet("NME1")
    general = check(_page("It is predicted to be involved in nucleotide metabolic process."),
                    sheet)
    reasons = [t.reason for t in general.traced if t.kind == "go_term"]
    assert any("true path" in r and "biosynthetic process" in r for r in reasons), reasons
    opposite = check(_page("Insulin negatively regulates glycolytic process."),
                     factsheet("INS"))
    assert "positive regulation of glycolytic process" in opposite.findings[0].reason


def test_the_vocabulary_reads_names_longest_first(go: GoTerms) -> None:
    text = "negative regulation of cell population proliferation and ATP-binding cassette"
    found = [key for _, _, key in go.find(text)]
    assert found[0] == "negative regulation of cell population proliferation"
    assert "atp binding" not in found  # a hyphenated word is one word
    # GTP biosynthetic process is a nucleotide metabolic process, by is_a alone
    assert "GO:0009117" in go.ancestors("GO:0006183")
    assert "GO:0006183" not in go.ancestors("GO:0009117")


def test_a_sheet_made_from_json_still_reads_its_own_terms(
        factsheet: Callable[[str], FactSheet], go: GoTerms) -> None:
    sheet = FactSheet.model_validate_json(factsheet("NME1").to_json())  # no fact store behind it
    text = _page("NME1 enables ATP binding and is predicted to be involved in lactation.")
    assert check(text, sheet).findings == []
    invented = _page("NME1 is involved in ribosome biogenesis.")
    assert check(invented, sheet, go_terms=go).findings[0].claim == "ribosome biogenesis"


# Tissues and pathways named without links, as a model writes them (issue 17 item 1).
@pytest.mark.parametrize(("text", "expected"), [
    ("## Expression\n\nMT1G is most highly expressed in the liver and the kidney cortex, and "
     "it is also found in the thyroid.\n", []),
    ("## Expression\n\nIts expression is highest in the pancreas and the spleen.\n",
     [("highest", "rank"), ("spleen", "tissue")]),  # the pancreas ranks fifth
    ("## Pathways\n\nMT1G takes part in the Zinc homeostasis pathway.\n", []),
    ("## Pathways\n\nMT1G takes part in Zinc homeostasis and Insulin signaling.\n",
     [("Insulin signaling", "pathway")]),
])
def test_tissues_and_pathways_without_links(factsheet: Callable[[str], FactSheet], text: str,
                                            expected: list[tuple[str, str]]) -> None:
    report = check(text, factsheet("MT1G"))
    assert [(f.claim, f.kind) for f in report.findings] == expected


def test_the_injection_pool_names_real_terms_of_their_aspect(go: GoTerms) -> None:
    from writer.evals.inject import GO_INVENTED

    for go_id, name, aspect in GO_INVENTED:
        assert (go.name(go_id), go.aspect(go_id)) == (name, aspect)
