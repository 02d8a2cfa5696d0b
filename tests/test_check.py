"""The evaluator (`writer.check.check`): claim extraction, kind-aware matching by rounding,
findings, the Checks table and the stable JSON shape."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from check_pages import synthetic_sheet

from writer.check import CheckReport, check
from writer.check.numbers import matches, words_value, written_from_text
from writer.factsheet import Fact, FactSheet, Item, Percentile


def sheet_with(**values: object) -> FactSheet:
    """A synthetic sheet with some facts set to known values (key with '__' for '.')."""
    sheet = synthetic_sheet(7)
    facts = dict(sheet.facts)
    for name, value in values.items():
        key = name.replace("__", ".")
        facts[key] = facts[key].model_copy(update={"value": value})
    return sheet.model_copy(update={"facts": facts})


SHEET = sheet_with(
    structure__gene_length=1336, structure__mature_length=506,
    structure__primary_transcript_length=1336, protein__molecular_weight=6141.3801,
    protein__gravy=0.2761, protein__helix_fraction=30.6452, protein__length=62,
    protein__isoelectric_point=8.3811, protein__instability_index=72.1,
    literature__publication_count=48,
)


def findings(text: str, sheet: FactSheet = SHEET) -> list:
    return check(text, sheet).findings


def claims_of(report: CheckReport) -> list[str]:
    return [f.claim for f in report.findings] + [t.claim for t in report.traced]


# --- numbers and rounding ----------------------------------------------------------------------
@pytest.mark.parametrize(("written", "fact", "ok"), [
    ("1,336", 1336, True), ("1336", 1336, True), ("1,336.0", 1336, True),
    ("1,340", 1336, False), ("99.66", 99.6612, True), ("99.66", 99.7123, False),
    ("0.276", 0.2761, True), ("0.28", 0.2761, True), ("0.27", 0.2761, False),
    ("2.67", 2.675, True), ("2.68", 2.675, True), ("-3.14", -3.1409, True),
])
def test_rounding_is_the_only_transformation(written, fact, ok):
    assert matches(written_from_text(written), fact) is ok


@pytest.mark.parametrize(("written", "qualifier", "fact", "ok"), [
    # fewer significant figures: two or more trailing zeros, or any after a hedge
    ("2,900", None, 2912, True), ("2,900", None, 2960, False), ("46,000", None, 45691, True),
    ("750", None, 753, False), ("750", "about", 753, True), ("46,000", "about", 45691, True),
    ("1,400", "about", 1336, False), ("50", "about", 46, True), ("1,336", "about", 1336, True),
    # bounds are ranges
    ("4,000", "over", 402, False), ("5,000", "over", 5124, True), ("5,000", "at_least", 5000, True),
    ("5,000", "over", 5000, False), ("100", "under", 62, True), ("50", "under", 62, False),
    ("62", "at_most", 62, True), ("5,000", "nearly", 4870, True), ("5,000", "nearly", 4100, False),
    ("5,000", "nearly", 5100, False), ("5,000", "just_over", 5124, True),
    ("5,000", "just_over", 6000, False),
])
def test_the_grounding_rule_reads_precision_and_quantifiers(written, qualifier, fact, ok):
    assert matches(written_from_text(written).qualified(qualifier), fact) is ok


@pytest.mark.parametrize(("words", "value"), [
    ("four", 4), ("twelve", 12), ("twenty-one", 21), ("ninety nine", 99), ("a single", 1),
    ("one hundred and ninety-eight", 198), ("two thousand three hundred", 2300),
    ("a dozen", 12), ("three hundred thousand", 300_000),
])
def test_numbers_in_words(words, value):
    assert words_value(words) == value


@pytest.mark.parametrize(("sentence", "status"), [
    ("MT1G has been linked to over 4,000 publications.", "contradicted"),
    ("MT1G has been linked to more than 40 publications.", None),
    ("MT1G has been linked to fewer than 40 publications.", "contradicted"),
    ("MT1G has been linked to nearly 50 publications.", None),
    ("MT1G has been linked to about 50 publications.", None),
    ("MT1G has been linked to fifty publications.", "contradicted"),
    ("Its canonical transcript has four exons.", "contradicted"),
    ("Its canonical transcript has three exons.", None),
    ("Its canonical transcript has a single exon.", "contradicted"),
    ("The protein is sixty-two amino acids long.", None),
    ("The protein is one hundred and ninety-eight amino acids long.", "contradicted"),
    ("The gene spans about 1,300 base pairs.", None),
    ("The gene spans roughly 2,000 base pairs.", "contradicted"),
    ("The gene spans 1,340 base pairs.", "contradicted"),
    ("The gene spans about 1.3 kb.", None),
    ("The protein weighs about 6.1 kDa.", None),
    ("The protein weighs over 10 kDa.", "contradicted"),
    ("Nearly a third of its residues form helices.", None),
    ("Half of its residues form helices.", "contradicted"),
])
def test_numbers_in_words_and_quantifiers_are_claims(sentence, status, factsheet):
    report = check(sentence, factsheet("MT1G"))
    statuses = {f.status for f in report.findings}
    if status is None:
        assert not report.findings, report.findings
        assert report.claims_traced >= 1
    else:
        assert status in statuses, (sentence, report.findings)


def test_a_definition_threshold_is_not_a_claim(factsheet):
    report = check("Proteins with an instability index above 40 are classed as unstable; values "
                   "below 40 are typical of globular proteins.", factsheet("MT1G"))
    assert not [f for f in report.findings if f.kind != "statement"], report.findings


def test_the_number_forms_of_the_pages_are_claims():
    text = ("The gene length is 1,336 base pairs (45.31st percentile), or 1.3 kb. The protein "
            "weighs 6141.38 Da, its GRAVY is 0.276 and its helix fraction 30.65%.")
    report = check(text, SHEET)
    got = claims_of(report)
    for claim in ("1,336 base pairs", "45.31st percentile", "1.3 kb", "6141.38 Da", "0.276",
                  "30.65%"):
        assert claim in got, claim


def test_kb_and_kda_are_rounded_values_of_the_fact():
    assert not findings("The gene length is 1.3 kb. The molecular weight is 6.1 kDa.")
    bad = findings("The gene length is 1.4 kb. The molecular weight is 6.2 kDa.")
    assert [f.claim for f in bad] == ["1.4 kb", "6.2 kDa"]
    assert all(f.status == "contradicted" for f in bad)


def test_grammar_numbers_are_not_claims():
    text = ("The top 5 publications are ranked by relative citation ratio, benchmarked to the "
            "median for NIH publications, which is set at 1.0. The charge is shown, "
            "with the middle 50% of the values.")
    report = check(text, SHEET)
    numbers = [f.claim for f in report.findings if f.kind != "statement"] + [
        t.claim for t in report.traced]
    assert numbers == []


def test_the_ph_of_the_charge_is_checked_against_its_definition():
    assert not findings("The charge at pH 7.0 is shown.")
    bad = findings("The charge at pH 7.7 is shown.")
    assert [(f.claim, f.status) for f in bad] == [("7.7", "contradicted")]


def test_a_number_matches_only_a_fact_of_its_own_kind():
    # 506 is the mature length: as a gene length it is wrong, whatever else it equals
    bad = findings("The gene length is 506 base pairs.")
    assert len(bad) == 1 and bad[0].status == "contradicted" and bad[0].kind == "length"
    assert "1,336" in bad[0].reason
    # 62 is the protein length, not the isoelectric point
    bad = findings("The isoelectric point is 62.")
    assert bad and bad[0].claim == "62" and bad[0].status == "contradicted"


def test_percentile_belongs_to_the_value_before_it():
    sheet = SHEET
    gl = sheet.facts["structure.gene_length"].percentile
    ml = sheet.facts["structure.mature_length"].percentile
    good = (f"The gene length is 1,336 base pairs ({gl.value:.2f}% of all genes), the mature "
            f"length is 506 base pairs ({ml.value:.2f}th percentile).")
    assert not findings(good)
    swapped = (f"The gene length is 1,336 base pairs ({ml.value:.2f}% of all genes), the mature "
               f"length is 506 base pairs ({gl.value:.2f}th percentile).")
    assert [f.kind for f in findings(swapped)] == ["percentile", "percentile"]


def test_respectively_lists_pair_values_in_order():
    f = SHEET.facts
    helix, sheet_, turn = (float(f[k].value) for k in (  # type: ignore[arg-type]
        "protein.helix_fraction", "protein.sheet_fraction", "protein.turn_fraction"))
    ok = (f"The protein has a propensity for helix, sheet, and turn structures of {helix:.2f}%, "
          f"{sheet_:.2f}%, and {turn:.2f}%, respectively.")
    assert not findings(ok)
    swapped = (f"The protein has a propensity for helix, sheet, and turn structures of "
               f"{sheet_:.2f}%, {helix:.2f}%, and {turn:.2f}%, respectively.")
    assert len(findings(swapped)) == 2


def test_a_unit_that_does_not_fit_the_quantity_is_a_finding():
    bad = findings("The sequence length is 62 kDa.")
    assert bad and bad[0].kind == "unit" and bad[0].status == "contradicted"
    # a percentage without its percent sign is a fraction, and 30.65 is not 0.3065
    assert findings("The helix fraction is 30.65.")
    assert not findings("The helix fraction is 30.65%.")


def test_years_without_a_source_are_unverifiable():
    bad = findings("The earliest publication is from 1991, and the middle 50% of publications "
                   "appeared between 2006 and 2020.")
    assert [f.claim for f in bad] == ["1991", "2006", "2020"]
    assert {f.status for f in bad} == {"unverifiable"}
    assert {f.kind for f in bad} == {"year"}


def test_a_source_year_is_checked_against_that_source():
    year = SHEET.sources["orgdb-3.16"].release_date[:4]
    assert not findings(f"The count comes from org.Hs.eg.db, released {year}.")
    bad = findings(f"The count comes from org.Hs.eg.db, released {int(year) - 3}.")
    assert bad and bad[0].status == "contradicted"


def test_an_unattached_number_is_a_finding():
    bad = findings("The gene has 17 known splice variants in some cells.")
    assert [(f.claim, f.status) for f in bad] == [("17", "unverifiable")]


# --- identifiers -----------------------------------------------------------------------------
def test_identity_table_and_identifiers():
    gid = SHEET.gene_id
    ens = SHEET.value("identity.ensembl_id")
    band = SHEET.value("identity.band")
    table = (f"| [NCBI ID](https://www.ncbi.nlm.nih.gov/gene/{gid}) | NCBI symbol | ENSEMBL ID | "
             f"Chromosome location |\n| :-- | :-- | :-- | :-- |\n"
             f"| {gid} | {SHEET.symbol} | {ens} | {band} |\n")
    assert not findings(table)
    bad = findings(table.replace(f"| {gid} |", f"| {gid + 1} |").replace(str(band), "3p21.31"))
    # the link's ID and the cell's now disagree: a coherence finding besides the fact check
    assert [f.kind for f in bad if f.status == "flagged"] == ["coherence"]
    bad = [f for f in bad if f.status != "flagged"]
    assert [(f.kind, f.status) for f in bad] == [("identifier", "contradicted"),
                                                ("band", "contradicted")]
    assert str(gid) in bad[0].reason and str(band) in bad[1].reason


def test_go_ids_and_names_in_amigo_links():
    from writer.sections.function import is_predicted

    item = SHEET.facts["function.molecular_function"].value[0]  # type: ignore[index]
    url = "https://amigo.geneontology.org/amigo/term/"
    verb = "is predicted to enable" if is_predicted(item) else "enables"  # as its evidence says
    assert not findings(f"The gene {verb} [{item.name}]({url}{item.id}).")
    bad = findings(f"The gene enables [tau protein binding]({url}{item.id}).")
    assert bad[0].claim == "tau protein binding" and item.name in bad[0].reason
    bad = findings(f"The gene enables [{item.name}]({url}GO:0048156).")
    assert [f.claim for f in bad] == ["GO:0048156"]


def test_pmids_and_titles_have_no_offline_source():
    bad = findings('The top paper is "[A study of the gene.](https://pubmed.ncbi.nlm.nih.gov/'
                   '27015352)" (2016) with a relative citation ratio of 14.5.')
    kinds = {f.claim: f.kind for f in bad}
    assert kinds["A study of the gene."] == "paper" and kinds["27015352"] == "paper"
    assert kinds["2016"] == "year" and kinds["14.5"] == "score"
    assert all(f.status == "unverifiable" for f in bad)
    assert all("no offline source" in f.reason for f in bad)


# --- names ---------------------------------------------------------------------------------
def test_gene_symbols_aliases_and_invented_symbols():
    alias = "ZZAL9"
    aliases = (Item(name=alias),)
    sheet = SHEET.model_copy(update={"facts": {
        **SHEET.facts,
        "identity.aliases": SHEET.facts["identity.aliases"].model_copy(update={"value": aliases}),
    }})
    sym = SHEET.symbol
    assert not check(f"{sym} (also {alias}) binds DNA and RNA and makes ATP.", sheet).findings
    bad = check(f"{sym} interacts with KRT18 in HeLa cells.", sheet).findings
    assert [(f.claim, f.kind) for f in bad] == [("KRT18", "gene_symbol")]
    # the title and the table must give the official symbol, not an alias
    bad = check(f"---\ntitle: {alias}\n---\n\nText.\n", sheet).findings
    assert bad[0].status == "contradicted" and "official symbol" in bad[0].reason


def test_tissues_are_traced_to_the_top_tissues():
    tissues = SHEET.facts["expression.top_tissues"].value
    first, second = tissues[0], tissues[1]  # type: ignore[index]
    text = (f"The gene is expressed in multiple tissue samples, including the "
            f"{first.name.lower()} ({first.value:,.1f} TPM) and {second.name.lower()}.")
    assert not findings(text)
    assert findings(text.replace(f"{first.value:,.1f}", f"{first.value + 7:,.1f}"))
    bad = findings(text.replace(second.name.lower(), "fetal thyroid"))
    assert [(f.claim, f.status) for f in bad] == [("fetal thyroid", "contradicted")]


def test_sections_without_a_source_are_unverifiable_sentences():
    no_tfs = SHEET.model_copy(update={"facts": {
        k: f for k, f in SHEET.facts.items() if not k.startswith("regulation.")}})
    bad = findings("The top transcription factors identified from the GTRD database include "
                   "[ESR1](https://www.ncbi.nlm.nih.gov/gene/2099), with 4 experiments.", no_tfs)
    assert {f.kind for f in bad} >= {"statement", "gene_symbol", "identifier", "count"}
    assert all(f.status == "unverifiable" for f in bad)
    assert all("TFLink" in f.reason for f in bad)  # the source that would provide it


def test_interpretations_must_fit_the_value():
    assert not findings("The GRAVY value is 0.276, indicating a relatively hydrophobic nature.")
    bad = findings("The GRAVY value is 0.276, indicating a relatively hydrophilic nature.")
    assert [(f.claim, f.kind) for f in bad] == [("hydrophilic", "interpretation")]


def test_findings_point_at_their_claim_and_sentence():
    text = "Intro.\n\nThe gene length is 9,999 base pairs. The protein is 62 amino acids long."
    (f,) = findings(text)
    assert text[f.start:f.end] == f.claim == "9,999 base pairs"
    assert f.sentence == "The gene length is 9,999 base pairs."
    assert "Ensembl" in f.reason  # the source's name ...
    assert "1,336" in f.reason  # ... and its value


def test_a_single_section_can_be_checked():
    """The model phraser checks one section's text at a time."""
    report = check("The protein is 62 amino acids long.", SHEET)
    assert report.claims_total == 1 and report.claims_traced == 1


# --- the Checks table --------------------------------------------------------------------------
def test_sentiment_reads_the_writers_words_not_database_names():
    calm = check("The gene is involved in [negative regulation of growth](https://amigo."
                 "geneontology.org/amigo/term/GO:0045926) and cell death.", SHEET)
    assert calm.checks.sentiment.answer == "neutral"
    loud = check("This wonderful, amazing gene is a fantastic discovery. Researchers love it.",
                 SHEET)
    assert loud.checks.sentiment.answer == "positive" and not loud.checks.sentiment.ok
    assert loud.checks.sentiment.score > 0.05


@pytest.mark.parametrize(("text", "rule"), [
    ("Patients should take 20 mg of zinc daily.", "medical advice"),
    ("People with this variant will inevitably develop cancer.", "deterministic"),
    ("The patient named John Smith, date of birth 1 May 1970, carried it.",
     "identifiable patient data"),
    ("Zinc supplements cure the disease.", "unsupported clinical claim"),
])
def test_ethical_concerns_name_the_rule(text, rule):
    row = check(text, SHEET).checks.ethical_concerns
    assert row.answer == "yes" and not row.ok
    assert rule in row.reason


def test_no_ethical_concern_on_a_plain_page():
    row = check("The gene length is 1,336 base pairs.", SHEET).checks.ethical_concerns
    assert row.answer == "no" and row.ok


def test_coherence_reports_contradictions_repeats_and_order():
    gid = SHEET.gene_id
    text = (f"The gene (NCBI ID: {gid}) is short. The gene length is 1,336 base pairs.\n\n"
            f"The gene length is 1,336 base pairs.\n\nThe gene (NCBI ID: {gid + 1}) again.")
    row = check(text, SHEET).checks.coherence
    assert row.answer == "no" and not row.ok
    assert "contradiction" in row.reason and "repeated" in row.reason
    order = check("The protein is 62 amino acids long.\n\nThe gene length is 1,336 base pairs.",
                  SHEET).checks.coherence
    assert "section structure comes after protein" in order.reason
    assert "Flesch-Kincaid grade per section (band 8-20)" in order.reason


def test_facts_verified_row_counts_claims():
    report = check("The gene length is 1,336 base pairs. The protein is 63 amino acids long.",
                   SHEET)
    row = report.checks.facts_verified
    assert row.answer == "1 of 2 claims traced"
    assert not row.ok and "1 contradicted" in row.reason


def test_checks_markdown_is_the_pages_table():
    table = check("The gene length is 1,336 base pairs.", SHEET).checks_markdown()
    lines = table.splitlines()
    assert lines[:2] == ["| Checks    | Answer |", "| :-------- | :------- |"]
    assert [ln.split("|")[1].strip() for ln in lines[2:]] == [
        "Sentiment", "Ethical concerns", "Coherence", "Facts verified"]
    assert "| Facts verified | 1 of 1 claims traced" in table
    assert all(ln.count("|") - ln.count("\\|") == 3 for ln in lines)


def test_json_shape_is_stable():
    data = check("The gene length is 1,337 base pairs.", SHEET).to_json()
    assert set(data) == {"schema_version", "gene", "findings", "checks", "claims_total",
                         "claims_traced", "judge"}
    assert data["schema_version"] == 2 and data["judge"] is None
    assert data["gene"] == {"symbol": SHEET.symbol, "gene_id": SHEET.gene_id}
    assert set(data["findings"][0]) == {"claim", "sentence", "kind", "status", "reason",
                                        "start", "end"}
    assert set(data["checks"]) == {"sentiment", "ethical_concerns", "coherence",
                                   "facts_verified", "readability", "readability_band"}
    assert set(data["checks"]["sentiment"]) == {"answer", "reason", "ok", "score", "judge"}
    json.dumps(data)


def test_writer_check_is_the_public_api():
    import writer

    assert writer.check is check


def test_importing_the_cli_does_not_load_the_readers():
    code = ("import sys, writer.cli, writer.check.cli; "
            "print(any(m.split('.')[0] in ('pyphen', 'vaderSentiment') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_percentile_facts_without_percentile_are_unverifiable():
    facts = dict(SHEET.facts)
    facts["structure.gene_length"] = Fact(key="structure.gene_length", label="Gene length",
                                          value=1336, unit="bp", source="ensembl-ideogram")
    sheet = SHEET.model_copy(update={"facts": facts})
    bad = check("The gene length is 1,336 base pairs (45.31st percentile).", sheet).findings
    assert [(f.kind, f.status) for f in bad] == [("percentile", "unverifiable")]
    assert Percentile  # the model the real sheets use


def test_a_paraphrase_of_the_facts_is_traced():
    """Model-like wording: other units, adjectives for tissues, cue words after the value."""
    tissues = (Item(name="Liver", value=1158.5, unit="TPM"), Item(name="Thyroid", value=568.5),
               Item(name="Kidney - Cortex", value=523.3))
    facts = dict(SHEET.facts)
    facts["expression.top_tissues"] = facts["expression.top_tissues"].model_copy(
        update={"value": tissues})
    sheet = SHEET.model_copy(update={"facts": facts})
    pathway = sheet.facts["pathways.wikipathways"].value[0].name  # type: ignore[index]
    text = (f"{sheet.symbol} spans 1.3 kb; its mature transcript has 506 nucleotides.\n\n"
            f"{sheet.symbol} is expressed most strongly in the liver (1,158.5 TPM), followed by "
            "the thyroid and the renal cortex. Hepatic expression is the highest.\n\n"
            "The protein has 62 residues and weighs 6.14 kDa. It is basic (pI 8.38) and, with a "
            "GRAVY of 0.28, mildly hydrophobic. Roughly 31% of its residues fall in helices.\n\n"
            f"It takes part in the {pathway} pathway.")
    report = check(text, sheet)
    assert report.findings == []
    assert report.claims_traced >= 12


def test_tissues_and_pathways_named_in_passing_are_checked():
    text = ("The gene enables DNA binding. It is most highly expressed in the cerebellum and "
            "belongs to the Wnt signaling pathway.")
    bad = {f.claim: f for f in findings(text)}
    assert bad["cerebellum"].kind == "tissue"
    assert bad["Wnt signaling pathway"].kind == "pathway"
    assert {f.status for f in bad.values()} == {"unverifiable"}  # in passing: not a top list


def test_every_gtex_tissue_name_is_recognised_as_a_tissue():
    import re

    from writer.check import lexicon
    from writer.sources.ideogram import GTEX_TISSUE_NAMES

    for name in GTEX_TISSUE_NAMES.values():
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", name)}
        assert words & lexicon.TISSUE_HEADS, name


@pytest.mark.parametrize("gene", ["MT1G", "NME1", "TP53", "INS"])
def test_every_number_of_a_template_page_is_read_as_a_claim(gene, factsheet):
    """A number the evaluator skips is a number it cannot catch when a model changes it."""
    from writer.check.numbers import NUMBER_RE
    from writer.check.page import parse
    from writer.draft import make_draft

    page_text = make_draft(factsheet(gene)).page.split("| Checks")[0]
    report = check(page_text, factsheet(gene))
    spans = [(t.start, t.end) for t in report.traced] + [(f.start, f.end) for f in report.findings]
    page = parse(page_text)
    body_start = page_text.index("---", 3) + 3  # after the front matter
    skipped = []
    for m in NUMBER_RE.finditer(page.view, body_start):
        if page.view[m.start():m.end()] != page_text[m.start():m.end()]:
            continue  # inside a link target
        if not any(a <= m.start() and m.end() <= b for a, b in spans if a is not None):
            skipped.append(page_text[max(0, m.start() - 30):m.end() + 10])
    assert not skipped, skipped


def test_a_full_name_other_genes_share_is_traced_on_each_of_their_pages(store, factsheet):
    """NCBI gives several genes one full name ("formin-2-like"); the evaluator's name list
    keeps it under one of them, and the others' pages state it truly. Another gene's own
    name is still a finding."""
    import sqlite3

    conn = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True)
    own_id, name = conn.execute(
        "SELECT a.gene_id, a.name FROM genes a JOIN genes b ON a.name = b.name "
        "AND a.gene_id > b.gene_id WHERE a.gene_type = 'pseudo' AND b.gene_type = 'ncRNA' "
        "AND a.name LIKE '%-like' ORDER BY a.gene_id LIMIT 1").fetchone()
    conn.close()
    sheet = factsheet(str(own_id))
    report = check(f"{sheet.symbol} ({name}) is a pseudogene.", sheet)
    assert not [f for f in report.findings if f.kind == "identity"], report.findings
    other_sheet = factsheet("MT1G")
    report = check(f"MT1G ({name}) is a protein-coding gene.", other_sheet)
    assert [f.claim for f in report.findings if f.kind == "identity"] == [name]
