"""Section definitions and the template phraser: order, prose, number formats, grounding."""

from __future__ import annotations

import re

import pytest
from test_draft_helpers import full_sheet

from writer.factsheet import FACT_KEYS, Item
from writer.sections import all_sections, get, missing_notes, prompt_text
from writer.sections.function import MAX_TERMS
from writer.sections.prose import join, number, ordinal_suffix, percentile, plural


# --- formats -------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    (69.8213, "69.82nd percentile"),
    (95.7703, "95.77th percentile"),
    (41.9241, "41.92nd percentile"),
    (37.711, "37.71st percentile"),
    (26.13, "26.13th percentile"),
    (50.1123, "50.11th percentile"),
    (9.12, "9.12th percentile"),
    (78.1249, "78.12th percentile"),
    (4.1111, "4.11th percentile"),
    (0.2611, "0.26th percentile"),
    (50.0, "50.00th percentile"),
    (99.995, "100.00th percentile"),
])
def test_percentiles_have_two_decimals_and_an_ordinal_suffix(value, expected):
    assert percentile(value) == expected


@pytest.mark.parametrize(("text", "suffix"), [
    ("1", "st"), ("2", "nd"), ("3", "rd"), ("4", "th"), ("11", "th"), ("12", "th"),
    ("13", "th"), ("21", "st"), ("112", "th"), ("69.82", "nd"), ("10.93", "rd"),
    ("1,011", "th"), ("1,021", "st"), ("50.11", "th"), ("9.12", "th"), ("78.13", "th"),
    ("0.01", "st"), ("3.02", "nd"), ("7.03", "rd"), ("37.71", "st"), ("0.10", "th"),
    ("5.0", "th"), ("0", "th"),
])
def test_ordinal_suffixes(text, suffix):
    assert ordinal_suffix(text) == suffix


def test_numbers_lists_and_plurals():
    assert number(1033041) == "1,033,041"
    assert number(1336.0) == "1,336"
    assert number(6141.3811, 2) == "6,141.38"
    assert number(-0.0001, 2) == "0.00"
    assert number(530.2) == "530.2"
    assert join(["a"]) == "a"
    assert join(["a", "b"]) == "a and b"
    assert join(["a", "b", "c"]) == "a, b, and c"
    assert plural(1, "publication") == "1 publication"
    assert plural(1520, "publication") == "1,520 publications"
    assert plural(2, "exon") == "2 exons"


# --- definitions ---------------------------------------------------------------------------
def test_sections_follow_the_reference_pages_order():
    assert [s.name for s in all_sections()] == [
        "identity", "function", "structure", "literature", "publications", "protein_atlas",
        "transcription_factors", "perturbation", "disease", "expression", "pathways", "protein",
        "checks",
    ]


def test_every_phrased_section_has_a_prompt_file_with_its_placeholders():
    for section in all_sections():
        if section.phrased:
            text = prompt_text(section.name)
            assert "{{facts}}" in text and "{{template}}" in text, section.name
    assert "Rules" in prompt_text("_system.md")
    assert "{{problems}}" in prompt_text("_reask.md")


def test_offline_sections_read_only_known_fact_keys():
    for section in all_sections():
        assert set(section.keys) <= set(FACT_KEYS), section.name


def test_sections_without_facts_are_left_out_and_named():
    sheet = full_sheet(drop_structure=True, drop_protein=True)
    names = [s.name for s in missing_notes(sheet)]
    assert names == ["structure", "publications", "protein_atlas", "transcription_factors",
                     "perturbation", "disease", "protein"]
    assert get("structure").template(sheet) == ""
    assert get("protein").template(sheet) == ""


# --- prose ---------------------------------------------------------------------------------
def test_function_links_go_terms_and_separates_predictions():
    text = get("function").template(full_sheet())
    # protein binding (GO:0005515) says nothing about the gene: never named
    assert text.startswith("The gene enables [zinc ion binding]"
                           "(https://amigo.geneontology.org/amigo/term/GO:0008270) and is "
                           "predicted to enable [metal ion binding]")
    assert "protein binding" not in text
    assert "is predicted to enable [metal ion binding]" in text
    assert "It is located in the [nucleus]" in text
    assert "is predicted to be involved in [cellular zinc ion homeostasis]" in text
    assert text.count("](https://amigo.geneontology.org/amigo/term/GO:") == 11 - 3
    assert "GO:" not in re.sub(r"\]\([^)]*\)", "]", text)  # IDs only in the links


def test_long_go_lists_are_trimmed_and_point_to_the_full_list():
    sheet = full_sheet()
    terms = tuple(Item(name=f"process number {chr(65 + i)}", id=f"GO:00{i:05d}",
                       evidence=("IDA",), url=f"https://amigo.geneontology.org/amigo/term/"
                       f"GO:00{i:05d}") for i in range(MAX_TERMS + 5))
    facts = dict(sheet.facts)
    facts["function.biological_process"] = facts["function.biological_process"].model_copy(
        update={"value": terms})
    sheet = sheet.model_copy(update={"facts": facts})
    text = get("function").template(sheet)
    assert text.count("process number") == MAX_TERMS
    assert "among others" not in text
    # how many terms the gene has, and where all of them are
    assert "All of the gene's 16 GO terms, the less specific and the uninformative ones too, " \
           "are listed in [AmiGO]" in text
    selected = get("function").facts(sheet)["function.biological_process"].value
    assert len(selected) == MAX_TERMS


def test_structure_protein_and_literature_read_like_the_reference_pages():
    sheet = full_sheet()
    structure = get("structure").template(sheet)
    # equal lengths are said once (the synthetic gene and primary transcript are both 1,336 bp)
    assert structure.startswith("The gene and its primary transcript are both 1,336 base pairs "
                                "long (gene length 3.42nd percentile, primary transcript length")
    assert "the spliced transcript length is 424 base pairs (1.02nd percentile)" in structure
    assert "Percentiles rank the gene among 19,255 protein-coding genes." in structure
    protein = get("protein").template(sheet)
    assert "GRAVY score of -0.194 (69.82nd percentile), indicating a relatively hydrophilic" \
        in protein
    assert "30.65% for helix (37.56th percentile), 8.06% for sheet (0.26th percentile), and " \
           "27.42% for turn (41.92nd percentile)" in protein
    assert "72.10 (95.77th percentile), which classifies the protein as unstable" in protein
    assert "6,141.38 Da (0.18th percentile)" in protein
    literature = get("literature").template(sheet)
    assert "has been linked to [48 publications](https://pubmed.ncbi.nlm.nih.gov/" in literature


def test_singular_forms():
    sheet = full_sheet()
    facts = dict(sheet.facts)
    facts["literature.publication_count"] = facts["literature.publication_count"].model_copy(
        update={"value": 1})
    facts["structure.exon_count"] = facts["structure.exon_count"].model_copy(
        update={"value": 1})
    facts["pathways.wikipathways"] = facts["pathways.wikipathways"].model_copy(
        update={"value": facts["pathways.wikipathways"].value[:1]})
    sheet = sheet.model_copy(update={"facts": facts})
    assert "[1 publication](" in get("literature").template(sheet)
    assert "which has 1 exon " in get("structure").template(sheet)
    assert "WikiPathways draws the gene in the pathway [Zinc homeostasis]" in \
        get("pathways").template(sheet)


def test_database_text_cannot_inject_markup():
    sheet = full_sheet()
    facts = dict(sheet.facts)
    facts["expression.top_tissues"] = facts["expression.top_tissues"].model_copy(
        update={"value": (Item(name="<script>x</script> | [a](b)", value=1.0, unit="TPM"),)})
    sheet = sheet.model_copy(update={"facts": facts})
    text = get("expression").template(sheet)
    assert "<script>" not in text
    assert "\\<script\\>" in text and "\\|" in text and "\\[a\\]" in text


# --- grounding -----------------------------------------------------------------------------
@pytest.mark.parametrize("drop", [{}, {"drop_protein": True, "drop_structure": True}])
def test_the_evaluator_finds_nothing_on_template_pages(drop):
    from writer.draft import make_draft

    sheet = full_sheet(**drop)
    result = make_draft(sheet, date="2025-01-17 16:55 CST")
    assert result.report is not None
    assert [(f.claim, f.reason) for f in result.report.findings] == []
    assert result.report.claims_total > 0
    assert result.report.claims_traced == result.report.claims_total
    assert not result.flagged


@pytest.mark.parametrize("gene", ["MT1G", "NME1"])
def test_the_evaluator_finds_nothing_on_real_template_pages(factsheet, gene):
    from writer.draft import make_draft

    result = make_draft(factsheet(gene), date="2025-01-17 16:55 CST")
    assert [(f.claim, f.reason) for f in result.report.findings] == []
    assert not result.flagged


def test_disease_paragraph_names_hpo_and_links_each_disease(factsheet):
    text = get("disease").template(factsheet("HBB"))
    assert text.startswith("The [Human Phenotype Ontology](https://hpo.jax.org/browse/gene/"
                           "NCBIGene:3043) annotations (release of 2025-01-16) link HBB to")
    # one disease in two databases is written once, with the second entry's ID linked
    assert ("[Sickle cell anemia](https://omim.org/entry/603903) "
            "([ORPHA:232](https://www.orpha.net/en/disease/detail/232))") in text
    assert text.count("Sickle cell anemia") == 1
    assert "among others" in text  # 19 entries, more names than the paragraph lists
    assert text.endswith("HPO links the gene to 139 phenotype terms.")


@pytest.mark.parametrize("gene", ["HBB", "CFTR", "BRCA1", "TP53"])
def test_the_evaluator_traces_every_disease_of_a_template_page(factsheet, gene):
    from writer.draft import make_draft

    result = make_draft(factsheet(gene), date="2025-01-17 16:55 CST")
    assert [(f.claim, f.reason) for f in result.report.findings] == []
    assert any(t.kind == "disease" for t in result.report.traced)
