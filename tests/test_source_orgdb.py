"""org.Hs.eg.db + GO.db parsed from the real Debian packages (values checked against NCBI Gene)."""

from __future__ import annotations


def test_mt1g_identity(factsheet):
    sheet = factsheet("MT1G")
    assert sheet.value("identity.ncbi_gene_id") == 4495
    assert sheet.value("identity.name") == "metallothionein 1G"
    assert sheet.value("identity.gene_type") == "protein-coding"
    assert sheet.value("identity.ensembl_id") == "ENSG00000125144"
    assert sheet.value("identity.band") == "16q13"
    # NCBI Gene: NC_000016.10 (56666730..56668065, complement)
    assert sheet.value("identity.location") == "chr16:56,666,730-56,668,065 (-)"
    assert {i.name for i in sheet.value("identity.aliases")} == {"MT1", "MT1K"}


def test_go_terms_carry_names_ids_evidence_and_amigo_links(factsheet):
    sheet = factsheet("MT1G")
    mf = {i.id: i for i in sheet.value("function.molecular_function")}
    assert mf["GO:0008270"].name == "zinc ion binding"
    assert "IDA" in mf["GO:0008270"].evidence
    assert mf["GO:0008270"].url == "https://amigo.geneontology.org/amigo/term/GO:0008270"
    cc = {i.name for i in sheet.value("function.cellular_component")}
    assert {"nucleus", "cytoplasm"} <= cc
    bp = {i.id for i in sheet.value("function.biological_process")}
    assert "GO:0071294" in bp  # cellular response to zinc ion


def test_nme1_identity_and_literature(factsheet):
    sheet = factsheet("NME1")
    assert sheet.gene_id == 4830
    assert sheet.value("identity.band") == "17q21.33"
    assert sheet.value("identity.chromosome") == "17"
    count = sheet.get("literature.publication_count")
    assert count.unit == "publications"
    assert count.value > 300  # a well-studied gene: hundreds of gene2pubmed links in 2022


def test_non_coding_gene_has_no_protein_section(factsheet):
    sheet = factsheet("MALAT1")
    assert sheet.value("identity.gene_type") == "ncRNA"
    assert "protein" in sheet.missing_sections
