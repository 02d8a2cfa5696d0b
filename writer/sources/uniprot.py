"""Protein properties of one canonical protein per gene, from UniProt sequences of 2014.

Data
    Debian ``metastudent-data`` 2.0.1-8 ships the sequence set of the Metastudent GO
    predictor, dated 2014-01 (``dataversion.txt``): three BLAST (v4) protein databases,
    ``dataset_201401/{BPO,MFO,CCO}/goasp.fasta``, one per GO aspect, 516,371 distinct
    proteins in all. Every accession is a 6-character UniProtKB accession and the set is
    close to the size of Swiss-Prot 2014_01 (about 540,000 entries), so it is read as the
    reviewed (Swiss-Prot) part of UniProtKB. Headers carry only the accession and the
    entry's GO terms (``P13640|GO:0005634,...``): no species, no gene name, no reviewed
    flag, no isoforms. Sequences are dumped with ``blastdbcmd`` from
    Debian ``ncbi-blast+`` (``-entry all -outfmt '%t<TAB>%s'``), the three aspects read
    concurrently and streamed line by line; only accessions that org.Hs.eg.db maps to a
    gene are kept (upper-cased ``uniprot`` names written by the identity source), which
    is what makes them human. An accession in several aspects is one protein (the
    sequences are checked to be identical).

Running blastdbcmd without installing it
    Both packages are only unpacked (``writer.sources.packages.fetch``). The unpacked
    ``usr/bin/blastdbcmd`` finds its own libraries through ``LD_LIBRARY_PATH``
    (``usr/lib/ncbi-blast+``; its RUNPATH points at ``/usr/lib/ncbi-blast+``), and needs
    four shared libraries a fresh Debian 12 lacks: ``liblmdb0``, ``libmbedtls14``,
    ``libmbedcrypto7``, ``libmbedx509-1``, plus ``libgomp1`` (absent from slim Python
    images). They are fetched and unpacked the same way and put on ``LD_LIBRARY_PATH`` of
    the subprocess only. The base libraries (libc, libstdc++, libgcc_s, zlib, bzip2) come
    from the machine.

Canonical protein per gene
    A gene's candidates are its org.Hs.eg.db UniProt accessions present in the 2014 set;
    59 of 17,599 genes have more than one. Candidates are ranked by, in order:

    1. the fewest genes the accession is mapped to: an accession mapped to this gene alone
       beats one shared with other genes (a shared accession is usually a paralog's
       product or an identical protein of a duplicated gene: MYL12A takes P19105 rather
       than MYL12B's O14950, SNURF takes Q9Y675 rather than SNRPN's P63162);
    2. not already chosen for a gene with a lower NCBI Gene ID, so duplicated genes with
       identical proteins get distinct entries where the mapping offers them (CCZ1 P86790,
       CCZ1B P86791);
    3. the longest 2014 sequence: UniProt's own rule of thumb for the canonical sequence
       when nothing else decides, which picks the full-length product (CUX1 P39880,
       NRXN1-alpha Q9ULB1, CDKN2A p16INK4a P42771, PRNP P04156);
    4. the alphabetically first accession (HLA-A P04439, HLA-DRB1 P01911).

    Known disagreements with UniProt's gene-centric canonical, which the data here cannot
    see: GNAS gets XLas (Q5JWF2, 1,037 aa) rather than Gs-alpha (P63092), BBC3 gets
    Q96PG8 rather than PUMA (Q9BXH1). The chosen accession is the fact
    ``protein.uniprot_accession``, so the page always names the protein it describes.

Properties
    Biopython ``Bio.SeqUtils.ProtParam.ProteinAnalysis``; floats rounded to 4 decimals;
    each numeric key has a percentile over all genes that have it.

    - ``protein.length``: residues, unit "aa";
    - ``protein.molecular_weight``: average masses, unit "Da";
    - ``protein.isoelectric_point``: Bjellqvist pK values, unit None;
    - ``protein.gravy``: Kyte-Doolittle mean, unit None;
    - ``protein.charge_ph7``: ``charge_at_pH(7.0)``, unit None;
    - ``protein.flexibility_median``: median of the 9-residue window scores of
      ``flexibility()`` (Vihinen 1994), unit None; not stated below 10 residues (no
      window). Biopython's windows weigh the 6th residue twice and never the 5th (the
      centre) and skip the last window: the values are Biopython's, not the paper's;
    - ``protein.helix_fraction`` / ``protein.turn_fraction`` / ``protein.sheet_fraction``:
      ``secondary_structure_fraction()`` returns (helix, turn, sheet) -- in that order since
      Biopython 1.82 -- as fractions of the residues in E M A L K / N P G S D /
      V I Y F W L T. Stored as PERCENT (0-100, unit "%"), so "30.65%" on a page is a
      rounding of the fact. The sets overlap (L is helix and sheet): no need to sum to 100;
    - ``protein.instability_index``: Guruprasad 1990, unit None.

Non-standard residues
    Selenocysteine (U, 25 human selenoproteins in the set): molecular weight uses its own
    mass, pI and charge leave it uncharged and the secondary-structure fractions count it
    in the length only (Biopython's behaviour on the true sequence); GRAVY, flexibility and
    the instability index have no value for U in their scales (Biopython raises
    ``KeyError``), so those three are computed with U read as its sulfur analogue C.
    Any other non-standard letter (X, B, Z, J, O, ...; 3 human mucins in the set, e.g.
    MUC16 with 621 X) makes every property but the length unknowable: such a protein gets
    ``protein.uniprot_accession`` and ``protein.length`` only.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import subprocess
import tempfile
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from Bio.SeqUtils.ProtParam import ProteinAnalysis

from writer.errors import SyncError
from writer.factsheet import Link
from writer.progress import Progress
from writer.sources import SourceSpec, catalog_ref
from writer.sources.packages import Package
from writer.store import StoreBuilder

SOURCE_ID = "uniprot-2014"

DATA = Package("apt", "metastudent-data", "2.0.1-8")
BLAST = Package("apt", "ncbi-blast+", "2.12.0+ds-3+b1")
# Shared libraries blastdbcmd links against that a fresh Debian 12 may lack.
BLAST_LIBRARIES = (
    Package("apt", "liblmdb0", "0.9.24-1"),
    Package("apt", "libmbedtls14", "2.28.3-1"),
    Package("apt", "libmbedcrypto7", "2.28.3-1"),
    Package("apt", "libmbedx509-1", "2.28.3-1"),
    Package("apt", "libgomp1", "12.2.0-14+deb12u1"),
)

DATASET_DIR = "usr/share/metastudent-data/dataset_201401"
ASPECT_DBS = ("BPO", "MFO", "CCO")
BLASTDBCMD = "usr/bin/blastdbcmd"
BLAST_LIB_DIR = "usr/lib/ncbi-blast+"

POPULATION = "canonical human proteins in UniProt 2014-01 (metastudent-data 2.0.1), one per gene"
PROTPARAM_DOCS = "https://biopython.org/docs/latest/api/Bio.SeqUtils.ProtParam.html"

STANDARD = frozenset("ACDEFGHIKLMNPQRSTVWY")
SELENOCYSTEINE = "U"

# Every key here is numeric and gets a percentile (units: writer/catalog.toml).
NUMERIC_KEYS: tuple[str, ...] = (
    "protein.length",
    "protein.molecular_weight",
    "protein.isoelectric_point",
    "protein.gravy",
    "protein.charge_ph7",
    "protein.flexibility_median",
    "protein.helix_fraction",
    "protein.turn_fraction",
    "protein.sheet_fraction",
    "protein.instability_index",
)

DECIMALS = 4


def uniprot_link(accession: str) -> Link:
    return Link(label=f"UniProt {accession}",
                url=f"https://www.uniprot.org/uniprotkb/{accession}/entry")


# --- reading the BLAST databases -------------------------------------------------------


def blastdbcmd_command(unpacked: Mapping[str, Path]) -> tuple[Path, dict[str, str]]:
    """The unpacked ``blastdbcmd`` and the environment it runs in."""
    blast = unpacked[BLAST.name]
    exe = blast / BLASTDBCMD
    if not exe.is_file():
        raise SyncError(f"{BLAST.describe()} has no {BLASTDBCMD}")
    lib_dirs = [blast / BLAST_LIB_DIR]
    for pkg in BLAST_LIBRARIES:
        lib_dirs.extend(sorted((unpacked[pkg.name] / "usr" / "lib").glob("*-linux-gnu")))
    env = dict(os.environ)
    paths = [str(d) for d in lib_dirs]
    if env.get("LD_LIBRARY_PATH"):
        paths.append(env["LD_LIBRARY_PATH"])
    env["LD_LIBRARY_PATH"] = os.pathsep.join(paths)
    return exe, env


def aspect_databases(unpacked: Mapping[str, Path]) -> list[Path]:
    """The three BLAST databases (path prefixes, as ``-db`` wants them)."""
    root = unpacked[DATA.name] / DATASET_DIR
    dbs = [root / aspect / "goasp.fasta" for aspect in ASPECT_DBS]
    for db in dbs:
        if not db.with_name(db.name + ".pin").is_file():
            raise SyncError(f"{DATA.describe()} has no BLAST database {db}")
    return dbs


def dump_database(
    exe: Path, env: Mapping[str, str], db: Path, wanted: Iterable[str] | None = None
) -> Iterator[tuple[str, str]]:
    """Stream (accession, sequence) of every entry of one database, or of ``wanted`` only.

    ``blastdbcmd -outfmt '%t<TAB>%s'`` prints one line per entry: the title
    (``ACCESSION|GO:...,GO:...``), a tab and the whole sequence.
    """
    keep = None if wanted is None else {a.encode() for a in wanted}
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(
            [str(exe), "-db", str(db), "-entry", "all", "-outfmt", "%t\t%s"],
            stdout=subprocess.PIPE, stderr=stderr, env=dict(env), bufsize=1 << 20,
        )
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                bar = line.find(b"|")
                accession = line[:bar] if bar > 0 else line[:line.find(b"\t")]
                if keep is not None and accession not in keep:
                    continue
                sequence = line[line.rfind(b"\t") + 1:].rstrip()
                yield accession.decode(), sequence.decode()
        finally:
            proc.stdout.close()
            code = proc.wait()
        if code != 0:
            stderr.seek(0)
            tail = stderr.read().decode(errors="replace").strip().splitlines()[-1:]
            raise SyncError(
                f"blastdbcmd failed on {db} (exit {code}): {tail[0] if tail else 'no output'}"
            )


def read_sequences(unpacked: Mapping[str, Path], wanted: Iterable[str]) -> dict[str, str]:
    """Sequences of the ``wanted`` accessions, union of the three aspect databases."""
    exe, env = blastdbcmd_command(unpacked)
    wanted = frozenset(wanted)

    def one(db: Path) -> dict[str, str]:
        return dict(dump_database(exe, env, db, wanted))

    with ThreadPoolExecutor(len(ASPECT_DBS)) as pool:
        parts = list(pool.map(one, aspect_databases(unpacked)))
    sequences: dict[str, str] = {}
    for part in parts:
        for accession, sequence in part.items():
            seen = sequences.setdefault(accession, sequence)
            if seen != sequence:
                raise SyncError(f"{accession} has two different sequences in {DATA.describe()}")
    return sequences


# --- one canonical protein per gene ----------------------------------------------------


def choose_canonical(
    genes_of: Mapping[str, Sequence[int]], lengths: Mapping[str, int]
) -> dict[int, str]:
    """gene id -> its canonical accession (see the module docstring for the rule).

    ``genes_of`` maps each accession to the genes org.Hs.eg.db maps it to; ``lengths``
    holds the accessions present in the sequence set. Genes are decided in Gene ID order.
    """
    candidates: dict[int, set[str]] = defaultdict(set)
    for accession, gene_ids in genes_of.items():
        if accession in lengths:
            for gene_id in gene_ids:
                candidates[gene_id].add(accession)
    chosen: dict[int, str] = {}
    taken: set[str] = set()
    for gene_id in sorted(candidates):
        best = min(
            candidates[gene_id],
            key=lambda a: (len(set(genes_of[a])), a in taken, -lengths[a], a),
        )
        chosen[gene_id] = best
        taken.add(best)
    return chosen


# --- ProtParam -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProteinProperties:
    """ProtParam values of one sequence; None where the value cannot be stated."""

    length: int
    molecular_weight: float | None = None
    isoelectric_point: float | None = None
    gravy: float | None = None
    charge_ph7: float | None = None
    flexibility_median: float | None = None
    helix_fraction: float | None = None
    turn_fraction: float | None = None
    sheet_fraction: float | None = None
    instability_index: float | None = None

    def facts(self) -> Iterator[tuple[str, int | float]]:
        """(fact key, value) of every stated property."""
        for key in NUMERIC_KEYS:
            value = getattr(self, key.split(".", 1)[1])
            if value is not None:
                yield key, value


def _round(value: float) -> float:
    return round(float(value), DECIMALS)


def analyse(sequence: str) -> ProteinProperties:
    """ProtParam properties of one protein sequence (non-standard residues: module doc)."""
    sequence = sequence.upper()
    letters = set(sequence)
    if not letters or not letters <= STANDARD | {SELENOCYSTEINE}:
        return ProteinProperties(length=len(sequence))
    true = ProteinAnalysis(sequence)
    # GRAVY, flexibility and instability scales have no value for selenocysteine.
    scaled = true if SELENOCYSTEINE not in letters else ProteinAnalysis(
        sequence.replace(SELENOCYSTEINE, "C")
    )
    helix, turn, sheet = true.secondary_structure_fraction()  # order: helix, turn, sheet
    flexibility = scaled.flexibility()
    return ProteinProperties(
        length=len(sequence),
        molecular_weight=_round(true.molecular_weight()),
        isoelectric_point=_round(true.isoelectric_point()),
        gravy=_round(scaled.gravy()),
        charge_ph7=_round(true.charge_at_pH(7.0)),
        flexibility_median=_round(statistics.median(flexibility)) if flexibility else None,
        helix_fraction=_round(100 * helix),
        turn_fraction=_round(100 * turn),
        sheet_fraction=_round(100 * sheet),
        instability_index=_round(scaled.instability_index()),
    )


def analyse_all(
    sequences: Mapping[str, str], progress: Progress, workers: int | None = None
) -> dict[str, ProteinProperties]:
    """ProtParam for many sequences, on up to two worker processes (pure Python, CPU-bound)."""
    accessions = sorted(sequences)
    ordered = [sequences[a] for a in accessions]
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    # fork, not spawn: spawn re-runs the caller's __main__, which breaks any script without
    # a main guard. The children only run ``analyse`` and exit without touching the parent's
    # SQLite connection. Forking a multi-threaded process can deadlock (and warns from
    # Python 3.12), so a caller with other threads alive gets the in-process path.
    if workers <= 1 or len(ordered) < 500 or threading.active_count() > 1:
        results = [analyse(s) for s in progress.iterate(ordered, "proteins", len(ordered))]
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = list(progress.iterate(
                pool.imap(analyse, ordered, chunksize=200), "proteins", len(ordered)
            ))
    return dict(zip(accessions, results, strict=True))


# --- load ------------------------------------------------------------------------------


def load(builder: StoreBuilder, unpacked: dict[str, Path], progress: Progress) -> None:
    genes_of = builder.gene_ids_by("uniprot")
    if not genes_of:
        raise SyncError("no UniProt accessions in the identity source: load it first")
    progress.step(f"reading {DATA.describe()} with blastdbcmd")
    sequences = read_sequences(unpacked, genes_of)
    canonical = choose_canonical(genes_of, {a: len(s) for a, s in sequences.items()})
    chosen = {a: sequences[a] for a in set(canonical.values())}
    progress.step(f"ProtParam on {len(chosen):,} proteins for {len(canonical):,} genes")
    properties = analyse_all(chosen, progress)

    for gene_id, accession in sorted(canonical.items()):
        links = (uniprot_link(accession),)
        builder.add_fact(gene_id, "protein.uniprot_accession", accession,
                         source=SOURCE_ID, links=links)
        props = properties[accession]
        for key, value in props.facts():
            fact_links = links if key == "protein.length" else (
                *links, Link(label="Biopython ProtParam", url=PROTPARAM_DOCS)
            )
            builder.add_fact(gene_id, key, value, source=SOURCE_ID, links=fact_links)
    for key in NUMERIC_KEYS:
        builder.declare_population(key, POPULATION)


SOURCE = SourceSpec(
    ref=catalog_ref(SOURCE_ID),
    packages=(DATA, BLAST, *BLAST_LIBRARIES),
    provides=("protein.uniprot_accession", *NUMERIC_KEYS),
    load=load,
)
