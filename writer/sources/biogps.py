"""BioGPS GNF1H: the tissue samples where a gene's signal is highest in the GNF human gene atlas.

It supplements the expression section (GTEx stays its offline source): the reference pages'
paragraph "The gene is expressed in multiple tissue samples, including the liver, kidney, ..."
comes from this atlas (Su et al. 2004, PNAS 101:6062; arrays U133A and the custom GNF1B,
summarised with gcRMA), as BioGPS offers it for download.

Files:

- ``gnf1h-gcrma.zip`` (``plugins.biogps.org/download/``), one member,
  ``U133AGNF1B.gcrma.avg.csv``: comma-separated, a header row, then one row per probe set;
  column 1 is the probe ID (its header cell empty or any name), every other column a tissue
  sample (``721_B_lymphoblasts``, ``Adipocyte``, ``AdrenalCortex``, ...), values doubles (the
  mean of the sample's replicates). Cells may be quoted (R's ``write.csv``).
- GEO's GPL96 (Affymetrix HG-U133A) annotation table, tab-separated, ``#`` comment lines
  before the header; read by column name: ``ID`` (the probe ID), ``ENTREZ_GENE_ID`` (the NCBI
  Gene ID) and ``Gene Symbol`` (for messages). The URL is GEO's "full table" download as
  client code uses it; it is not recorded.

**Neither file is fully recorded** (``shared/api-samples/SOURCES.md`` section 17): of the
GNF1H file only the shape (44,775 rows x 85 columns), the first five probe IDs, the first eight
tissue columns (``TISSUES_RECORDED``) and a few values are; of GPL96 only an abbreviated row
(``1007_s_at U48705 .. DDR1 780``) and the column names above. So the reader is strict:
the GNF1H header must hold the eight recorded tissue columns, GPL96's header ``ID`` and
``ENTREZ_GENE_ID`` (a ``FileFormatError``, exit code 2, names what is missing and what is
there); a row of the wrong width or a value that is not a number fails the same way, naming
the line. The test
fixtures are composed in these formats (``tests/fixtures/online/README.md``).

Mapping probes to genes:

- a GPL96 probe annotated to several genes (``780 /// 100616237``) is skipped: its signal
  cannot be given to one gene;
- probes without a GPL96 row (the GNF1B custom array's probes, which is presumably why the
  file has 44,775 rows where U133A has 22,283) are not mapped, so genes measured only on
  GNF1B get no facts;
- a gene with several probes: the probe with the highest mean signal across the samples is
  used (BioGPS's gene view also shows one probe's profile at a time; the highest mean is the
  probe most above background). Ties go to the smaller probe ID.

Which samples count (``FOLD``, ``TOP``: the catalogue's ``fold_of_median`` and ``max_items``
of ``expression.biogps_tissues``): those where the probe's signal is at least three
times the gene's median across all samples of the file, the highest first, at most eight.
BioGPS's own bar chart of this atlas marks the median and three and ten times the median;
three times is the lowest of its marks above the median, a relative rule that works for a
gene of any overall level. (That chart's lines are remembered, not re-checked here.) Eight is
how many the reference pages list. The rule is relative: a gene near background everywhere
can still have samples three times its median, which is why the page says where the gene's
signal is highest, not that the gene is expressed there.

One gene on demand (``writer facts GENE --online`` without a sync): the same two files,
downloaded into the cache once and read for the gene's probes (the atlas has no per-gene
download).

Facts (source ``biogps``): ``expression.biogps_tissues``, items with the sample's column name
as in the file (name), the signal (value, unit ``gcRMA``) and the probe used (evidence),
highest first, linked to the gene's BioGPS report.
"""

from __future__ import annotations

import csv
import statistics
from dataclasses import dataclass
from pathlib import Path

from writer import catalog
from writer.errors import FileFormatError, SyncError
from writer.factsheet import Item, Link
from writer.sources.online import (
    FactCollector,
    FetchContext,
    GeneRef,
    OnlineSource,
    Remote,
    SyncContext,
    columns,
    open_lines,
    refresh_file,
)
from writer.store import StoreBuilder

SOURCE_ID = "biogps"
ATLAS = Remote("U133AGNF1B.gcrma.avg.csv", "https://plugins.biogps.org/download/gnf1h-gcrma.zip")
PLATFORM = Remote("GPL96", "https://www.ncbi.nlm.nih.gov/geo/query/acc.cgi"
                           "?mode=raw&is_datatable=true&acc=GPL96")
TISSUES_RECORDED = ("721_B_lymphoblasts", "Adipocyte", "AdrenalCortex", "Adrenalgland",
                    "Amygdala", "Appendix", "AtrioventricularNode", "BDCA4+_DentriticCells")
PROBE, GENE_ID, SYMBOL = "ID", "ENTREZ_GENE_ID", "Gene Symbol"
MULTI = "///"  # GPL96's separator of a probe's several genes
# a sample counts when its signal is at least FOLD x the gene's median; at most TOP of them
FOLD, TOP = catalog.biogps_rule()
UNIT = "gcRMA"


def report_url(gene_id: int) -> str:
    """The gene's BioGPS report (it shows the GNF1H profile among its plugins)."""
    return f"https://biogps.org/#goto=genereport&id={gene_id}"


@dataclass(frozen=True)
class Probe:
    """The probe chosen for a gene, with its signal in every sample of the file."""

    probe: str
    mean: float
    values: tuple[float, ...]


def read_platform(path: Path) -> tuple[dict[str, int], int]:
    """GPL96: probe ID -> NCBI Gene ID of the probes annotated to one gene, and how many
    probes were skipped for naming several genes."""
    where = PLATFORM.name
    lines = (line for line in open_lines(path) if not line.startswith("#"))
    header = next(lines, None)
    if header is None:
        raise SyncError(f"{where}: no header line (only comments, or empty)")
    index = columns(header, (PROBE, GENE_ID), where)
    probe_at, gene_at = index[PROBE], index[GENE_ID]
    width = max(probe_at, gene_at) + 1
    out: dict[str, int] = {}
    several = 0
    for number, line in enumerate(lines, 2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < width:
            raise FileFormatError(f"{where} line {number}: {len(fields)} fields, expected at "
                            f"least {width}")
        gene = fields[gene_at].strip()
        if not gene:
            continue  # a control probe, or no gene annotated
        if MULTI in gene:
            several += 1
            continue
        if not gene.isdigit():
            raise FileFormatError(f"{where} line {number}: {GENE_ID} {gene!r} is not an NCBI Gene "
                            f"ID")
        out[fields[probe_at].strip()] = int(gene)
    if not out:
        raise SyncError(f"{where}: no probe is annotated to a gene")
    return out, several


def read_atlas(path: Path, probes: dict[str, int]
               ) -> tuple[list[str], dict[int, Probe], int]:
    """The GNF1H file: its sample names, each mapped gene's probe of highest mean signal
    (``probes``: probe ID -> NCBI Gene ID), and how many rows were read."""
    where = ATLAS.name
    rows = csv.reader(open_lines(path))
    header = next(rows, None)
    if header is None:
        raise SyncError(f"{where}: the file is empty")
    samples = [c.strip() for c in header[1:]]
    columns("\t".join(samples), TISSUES_RECORDED, where)  # the recorded names must be there
    width = len(header)
    best: dict[int, Probe] = {}
    count = 0
    for number, row in enumerate(rows, 2):
        if len(row) != width:
            if not row:
                continue
            raise FileFormatError(f"{where} line {number}: {len(row)} fields, expected {width}")
        count += 1
        try:
            values = tuple(map(float, row[1:]))
        except ValueError:
            bad = next(v for v in row[1:] if not _is_number(v))
            raise FileFormatError(f"{where} line {number}: {bad!r} is not a number") from None
        probe = row[0].strip()
        gene = probes.get(probe)
        if gene is None:
            continue
        mean = sum(values) / len(values)
        old = best.get(gene)
        if old is None or mean > old.mean or (mean == old.mean and probe < old.probe):
            best[gene] = Probe(probe, mean, values)
    if count == 0:
        raise SyncError(f"{where}: no probe rows after the header")
    return samples, best, count


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def top_samples(samples: list[str], probe: Probe) -> list[tuple[str, float]]:
    """The samples where the probe's signal is at least ``FOLD`` times its median across all
    samples, highest first (then by name), at most ``TOP``."""
    floor = FOLD * statistics.median(probe.values)
    above = [(name, v) for name, v in zip(samples, probe.values, strict=True) if v >= floor]
    return sorted(above, key=lambda nv: (-nv[1], nv[0]))[:TOP]


def write_gene(sink: StoreBuilder | FactCollector, gid: int, samples: list[str],
               probe: Probe) -> bool:
    top = top_samples(samples, probe)
    if not top:
        return False
    sink.add_fact(gid, "expression.biogps_tissues", tuple(
        Item(name=name, value=round(value, 2), unit=UNIT, evidence=(probe.probe,))
        for name, value in top), source=SOURCE_ID,
        links=(Link(label="BioGPS gene report (GNF1H, gcRMA)", url=report_url(gid)),))
    return True


def load(ctx: SyncContext) -> None:
    atlas, platform = ctx.files[ATLAS.name], ctx.files[PLATFORM.name]
    ctx.versions.append(f"GNF1H gcRMA ({atlas.release or 'undated'})")
    ctx.versions.append(f"GPL96 annotation ({platform.release or 'undated'})")
    probes, several = read_platform(platform.path)
    samples, best, rows = read_atlas(atlas.path, probes)
    genes = {gid for (gid,) in ctx.builder.conn.execute("SELECT gene_id FROM genes")}
    written = 0
    for gid in ctx.progress.iterate(sorted(best), "genes"):
        if gid in genes and write_gene(ctx.builder, gid, samples, best[gid]):
            written += 1
    ctx.progress.step(f"biogps: {rows:,} probe rows x {len(samples)} samples; "
                      f"{len(best):,} genes with a GPL96 probe ({several:,} probes of "
                      f"several genes skipped), {written:,} with samples at {FOLD:g}x median")


def fetch(gene: GeneRef, ctx: FetchContext, sink: FactCollector) -> None:
    """One gene: BioGPS has no per-gene download of the atlas, so both files are read
    (downloaded once into the cache, as a sync would, then only re-checked with a HEAD),
    keeping the gene's probes."""
    atlas, platform = (refresh_file(ctx.fetcher, r, ctx.work_dir / r.url.rsplit("/", 1)[-1])
                       for r in (ATLAS, PLATFORM))
    probes, _ = read_platform(platform.path)
    samples, best, _ = read_atlas(atlas.path, {p: g for p, g in probes.items()
                                               if g == gene.gene_id})
    if gene.gene_id in best:
        write_gene(sink, gene.gene_id, samples, best[gene.gene_id])
    ctx.scratch.setdefault("retrieved", {})[SOURCE_ID] = min(atlas.retrieved_at,
                                                             platform.retrieved_at)


SOURCE = OnlineSource(id=SOURCE_ID, files=(ATLAS, PLATFORM),
                      provides=("expression.biogps_tissues",), load=load, fetch=fetch)
