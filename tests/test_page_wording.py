"""Pages a biologist would sign (issue 14): what each template says, on real fact sheets.

Each test holds one point of wording the reader relies on, and that the evaluator still
traces every claim of the page it is on.
"""

from __future__ import annotations

import pytest

from writer.draft import make_draft


def page(sheet):
    result = make_draft(sheet, date="2025-01-17 16:55 CST")
    assert [(f.claim, f.reason) for f in result.report.findings] == []
    return result.page


# --- identity stated -------------------------------------------------------------------------
def test_the_first_lines_say_what_the_gene_is(factsheet):
    text = page(factsheet("MT1G"))
    assert ("MT1G (metallothionein 1G) is a protein-coding gene, also known as MT1 and MT1K."
            in text)
    assert text.index("is a protein-coding gene") < text.index("The gene enables")


@pytest.mark.parametrize(("gene", "words"), [
    ("XIST", "XIST (X inactive specific transcript) is a non-coding RNA gene"),
    ("MIR21", "MIR21 (microRNA 21) is a non-coding RNA gene"),
    ("MT1JP", "MT1JP (metallothionein 1J, pseudogene) is a pseudogene"),
    ("PTENP1", "is a pseudogene"),
])
def test_a_gene_without_a_protein_says_so_instead_of_left_out(factsheet, gene, words):
    text = page(factsheet(gene))
    assert words in text
    assert "not a protein-coding gene, so the page has no protein properties" in text
    assert "protein properties (UniProt" not in text  # not "left out" for want of a source


def test_the_evaluator_reads_the_gene_type_back(factsheet):
    from writer.check import check

    sheet = factsheet("MT1G")
    text = page(sheet).replace("is a protein-coding gene", "is a pseudogene")
    assert any(f.kind == "identity" for f in check(text, sheet).findings)


# --- expression wording ----------------------------------------------------------------------
@pytest.mark.parametrize(("label", "prose"), [
    ("Skin - Not Sun Exposed (Suprapubic)", "skin (not sun-exposed, suprapubic)"),
    ("Adipose - Visceral (Omentum)", "visceral adipose tissue (omentum)"),
    ("Brain - Frontal Cortex (BA9)", "brain (frontal cortex, BA9)"),
    ("Nerve - Tibial", "tibial nerve"),
    ("Cells - EBV-transformed lymphocytes", "EBV-transformed lymphocytes"),
    ("Whole Blood", "whole blood"),
])
def test_gtex_labels_read_as_prose(label, prose):
    from writer.sections.expression import prose_name

    assert prose_name(label) == prose


def test_cell_lines_are_called_cell_lines(factsheet):
    text = page(factsheet("GAPDH"))
    assert "tissues and cell lines with the highest median expression" in text
    assert "EBV-transformed lymphocytes (cell line, " in text
    assert "Cells - " not in text


def test_a_gene_expressed_in_one_tissue_says_so(factsheet):
    text = page(factsheet("INS"))
    assert "the gene is expressed only in pancreas (2,325.5 TPM)" in text
    assert "The other tissues' medians are negligible: adrenal gland (0.47 TPM)" in text
    assert "highest" not in text.split("GTEx")[-1].split("\n")[0]


def test_no_tissue_leads_when_every_median_is_negligible(factsheet):
    text = page(factsheet("NANOG"))
    assert "median expression is negligible in every tissue listed: testis (0.17 TPM)" in text


def test_a_single_negligible_tissue_does_not_lead_either(factsheet):
    # FMO10P: GTEx lists one tissue, testis, at 0.09 TPM (found on 300 random genes)
    text = page(factsheet("FMO10P"))
    assert "median expression is negligible in the only tissue listed: testis (0.09 TPM)" in text
    assert "highest" not in text.split("GTEx", 1)[1].split("\n", 1)[0]


def test_an_alias_with_escaped_underscores_is_no_other_genes_symbol(factsheet):
    # RPL5P32 is also known as RPL5_17_1422, written RPL5\_17\_1422 in Markdown: not "RPL5"
    text = page(factsheet("RPL5P32"))
    assert "also known as RPL5\\_17\\_1422" in text


# --- prose a reader would not stumble on -----------------------------------------------------
def test_the_protein_population_is_described_once(factsheet):
    text = page(factsheet("MYC"))
    assert ("Percentiles rank the protein among 17,596 canonical human proteins in UniProt, one "
            "per gene, and the sequence length among 17,599 such proteins.") in text
    assert text.count("canonical human proteins in UniProt") == 1


def test_equal_lengths_are_said_once(factsheet):
    text = page(factsheet("MT1G"))
    assert ("The gene and its primary transcript are both 1,336 base pairs long (gene length "
            "22.36th percentile, primary transcript length 3.74th percentile)") in text
    assert text.count("1,336 base pairs") == 1
    cox1 = page(factsheet("MT-CO1"))
    assert "its spliced transcript, and its primary transcript are all 1,542 base pairs" in cox1


def test_a_percentile_after_a_cue_ranks_what_the_cue_names(factsheet):
    from writer.check import check

    sheet = factsheet("MT1G")
    swapped = page(sheet).replace("(gene length 22.36th percentile, primary transcript length "
                                  "3.74th percentile)", "(gene length 3.74th percentile, "
                                  "primary transcript length 22.36th percentile)")
    assert any(f.kind == "percentile" for f in check(swapped, sheet).findings)


def test_readability_outside_the_band_is_a_remark_in_the_answer(factsheet):
    from writer.check import check

    sheet = factsheet("MT1G")
    hard = ("The gene's multifunctional characterisation notwithstanding, contemporaneous "
            "investigations have systematically interrogated heterogeneous physiological "
            "contextualisations comprehensively, notwithstanding methodological "
            "considerations.")
    text = page(sheet).replace("*Left out", f"{hard}\n\n\n*Left out")
    row = check(text, sheet).checks.coherence
    assert row.answer.startswith("yes; hard to read: ")
    assert "above grade 20" in row.answer
    clean = check(page(factsheet("INS")), sheet=factsheet("INS")).checks.coherence
    assert "(above)" not in clean.answer


# --- the Checks table: short answers on the page, reasons in the record -----------------------
def test_the_page_table_has_short_answers_and_the_record_the_reasons(factsheet):
    result = make_draft(factsheet("KRAS"), date="2025-01-17 16:55 CST")
    table = result.page[result.page.index("| Checks"):]
    assert "| Sentiment | neutral |" in table and "| Ethical concerns | no |" in table
    assert "VADER" not in table and "Flesch-Kincaid" not in table
    assert "VADER compound" in result.record.checks.sentiment.reason
    assert "VADER compound" in result.record.model_dump_json()  # the record keeps the reasons


# --- sources that disagree are shown -----------------------------------------------------------
def test_a_draft_names_the_sources_that_disagree_with_both_values(factsheet):
    result = make_draft(factsheet("KRAS"), date="2025-01-17 16:55 CST")
    line = next(d for d in result.disagreements if d.startswith("the gene length"))
    assert "Ensembl 110: 45,691 bp" in line and "org.Hs.eg.db" in line and "45,684 bp" in line


# --- GO terms chosen by relevance --------------------------------------------------------------
def test_go_terms_are_chosen_by_relevance(factsheet):
    from writer.sections import get

    sheet = factsheet("MYC")
    text = get("function").template(sheet)
    chosen = {i.id for f in get("function").facts(sheet).values() for i in f.value}
    # uninformative terms and terms with a more specific term of the gene under them go
    assert "GO:0005515" not in chosen  # protein binding
    assert "GO:0003677" not in chosen  # DNA binding, above the sequence-specific terms
    assert "GO:0005634" not in chosen  # nucleus, above nucleoplasm and nucleolus
    assert "[nucleoplasm]" in text
    assert "among others" not in text
    assert "All of the gene's 66 GO terms, the less specific and the uninformative ones too, " \
           "are listed in [AmiGO]" in text
    page(sheet)  # and the evaluator traces every term and the count


def test_many_siblings_are_written_as_their_parent(factsheet):
    from writer.factsheet import Item
    from writer.sections.function import groups, ontology

    sheet = factsheet("MYC")
    fact = sheet.facts["function.molecular_function"]
    # three kinds of kinase activity observed: written as their common parent
    kinases = tuple(Item(name=n, id=i, evidence=("IDA",)) for n, i in (
        ("protein serine/threonine kinase activity", "GO:0004674"),
        ("protein tyrosine kinase activity", "GO:0004713"),
        ("histidine kinase activity", "GO:0004673")))
    observed, _, _ = groups(fact.model_copy(update={"value": kinases}), ontology(sheet))
    assert [(i.id, i.name) for i in observed] == [("GO:0004672", "protein kinase activity")]


def test_the_evaluator_checks_the_go_term_count(factsheet):
    from writer.check import check

    sheet = factsheet("MYC")
    text = page(sheet).replace("gene's 66 GO terms", "gene's 67 GO terms")
    assert any(f.claim.startswith("67") for f in check(text, sheet).findings)


# --- mitochondrial genes -------------------------------------------------------------------------
def test_mitochondrial_genes_carry_their_hgnc_symbols(factsheet):
    sheet = factsheet("MT-CO1")
    assert sheet.symbol == "MT-CO1" and sheet.gene_id == 4512
    assert "COX1" in [a.name for a in sheet.facts["identity.aliases"].value]
    text = page(sheet)
    assert "| 4512 | MT-CO1 | ENSG00000198804 | MT |" in text  # chromosome MT, not n/a
    assert "not available" not in text


def test_an_old_mitochondrial_symbol_lists_both_genes(facts_env):
    from click.testing import CliRunner

    from writer.cli import main

    r = CliRunner().invoke(main, ["facts", "COX1"])
    assert r.exit_code == 2
    assert "MT-CO1" in r.output and "PTGS1" in r.output


# --- pathway wording ---------------------------------------------------------------------------
def test_wikipathways_genes_are_drawn_in_pathways(factsheet):
    text = page(factsheet("MYC"))
    assert "WikiPathways draws the gene in the pathways [B cell receptor signaling]" in text
    assert "It is also drawn in [IL7 signaling]" in text
    assert "member of" not in text


@pytest.mark.parametrize("gene", ["CHEK2", "DMD", "GAPDH", "HTT", "TERT", "LMNA", "MT-CO1"])
def test_a_gene_outside_a_cnv_region_is_not_in_its_pathway(factsheet, gene):
    import re

    from writer.sources.ideogram import outside_region

    sheet = factsheet(gene)
    fact = sheet.get("pathways.wikipathways")
    names = [i.name for i in fact.value] if fact is not None else []
    band = sheet.get("identity.band")
    chrom = sheet.get("identity.chromosome")
    for name in names:
        assert not outside_region(name, band.value if band else None,
                                  chrom.value if chrom else None), name
    assert not [n for n in names if re.match(r"(?:15q24|7q11\.23|5q35) ", n)]


@pytest.mark.parametrize(("name", "band", "outside"), [
    ("15q24 copy number variation", "22q12.1", True),
    ("15q24 copy number variation", "15q24.1", False),
    ("7q11.23 distal copy number variation", "7q11.22", True),
    ("10q22q23 copy number variation", "10q22.3", False),
    ("10q11.21q11.23 copy number variation syndrome", "10q11.1", True),
    ("16p11.2 proximal deletion syndrome", "16p11.2", False),
    ("NF1 copy number variation syndrome", "1p36.33", False),  # names no region
])
def test_cnv_region_maps(name, band, outside):
    from writer.sources.ideogram import outside_region

    assert outside_region(name, band, band.split("p")[0].split("q")[0]) is outside
