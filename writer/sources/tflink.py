"""TFLink: the transcription factors that bind a gene in chromatin immunoprecipitation data.

File: ``TFLink_Homo_sapiens_interactions_All_simpleFormat_v1.0.tsv.gz`` (TFLink v1.0), one
row per TF–target pair, read by column name (recorded header, 15 columns):
``NCBI.GeneID.TF``, ``NCBI.GeneID.Target``, ``Name.TF``, ``Detection.method`` and
``Source.database`` (``;`` lists), ``Organism``. ``-`` is a missing value.

Why TFLink and what it counts. The reference pages rank "the top TFs by number of ChIP-seq
experiments" from GTRD. GTRD has no usable API and its bulk files need a promoter
intersection; ChIP-Atlas's per-TF target files count experiments (one score column per
experiment) but no real file of theirs is recorded, and a whole-genome sync would be one
file per TF. TFLink is recorded and carries GTRD's edges, but it does **not** count
experiments: a row says which methods detected the pair and which databases report it, and
the two lists are not paired. So the facts here are the TFs whose pair with the gene was
detected by "chromatin immunoprecipitation assay", each with the number (and names) of the
databases that report the pair, ranked by that number; the page says so and never calls it
experiments.

Facts (source ``tflink``): ``regulation.chipseq_tfs``: items with the TF's symbol (name),
NCBI Gene ID (id), number of databases (value), the databases (evidence) and its NCBI Gene
link, most-supported first; ``regulation.chipseq_tf_count``: how many there are.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from writer.errors import SyncError
from writer.factsheet import Item, Link
from writer.sources.online import (
    FactCollector,
    FetchContext,
    GeneRef,
    OnlineSource,
    Remote,
    SyncContext,
    read_table,
    refresh_file,
)
from writer.store import StoreBuilder

SOURCE_ID = "tflink"
RELEASE = "v1.0"
INTERACTIONS = Remote(
    "TFLink_Homo_sapiens_interactions_All_simpleFormat",
    "https://cdn.netbiol.org/tflink/download_files/"
    f"TFLink_Homo_sapiens_interactions_All_simpleFormat_{RELEASE}.tsv.gz",
)
TF_ID, TARGET_ID, TF_NAME = "NCBI.GeneID.TF", "NCBI.GeneID.Target", "Name.TF"
METHOD, DATABASE, ORGANISM = "Detection.method", "Source.database", "Organism"
COLUMNS = (TF_ID, TARGET_ID, TF_NAME, METHOD, DATABASE, ORGANISM)
CHIP = "chromatin immunoprecipitation assay"
SPECIES = "Homo sapiens"
TFLINK_URL = "https://tflink.net/"


def ncbi_gene_url(gene_id: str | int) -> str:
    return f"https://www.ncbi.nlm.nih.gov/gene/{gene_id}"


def _list(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split(";") if p.strip() and p.strip() != "-")


def read_interactions(path: Path, only: int | None = None
                      ) -> dict[int, dict[int, tuple[str, frozenset[str]]]]:
    """Target NCBI Gene ID -> {TF NCBI Gene ID: (TF symbol, databases)} for the human pairs
    detected by chromatin immunoprecipitation."""
    out: dict[int, dict[int, tuple[str, frozenset[str]]]] = {}
    where = INTERACTIONS.name
    for row in read_table(path, COLUMNS, where, keep=lambda line: CHIP in line):
        if row[ORGANISM] != SPECIES or CHIP not in _list(row[METHOD]):
            continue
        tf, target = row[TF_ID].strip(), row[TARGET_ID].strip()
        if tf == "-" or target == "-":
            continue  # no NCBI Gene ID: the page links every TF to NCBI Gene, so it is left out
        if not (tf.isdigit() and target.isdigit()):
            raise SyncError(f"{where}: {tf!r} / {target!r} are not NCBI Gene IDs")
        if only is not None and int(target) != only:
            continue
        symbol = row[TF_NAME].strip()
        if not symbol or symbol == "-":
            raise SyncError(f"{where}: the TF with NCBI Gene ID {tf} has no name")
        databases = frozenset(_list(row[DATABASE]))
        pairs = out.setdefault(int(target), {})
        old = pairs.get(int(tf))
        pairs[int(tf)] = (symbol, databases | (old[1] if old else frozenset()))
    return out


def ranked(tfs: dict[int, tuple[str, frozenset[str]]]) -> tuple[Item, ...]:
    """The TFs, most databases first, then by symbol."""
    return tuple(
        Item(name=symbol, id=str(tf), value=float(len(dbs)), evidence=tuple(sorted(dbs)),
             url=ncbi_gene_url(tf))
        for tf, (symbol, dbs) in sorted(tfs.items(), key=lambda kv: (-len(kv[1][1]), kv[1][0]))
    )


def write_gene(sink: StoreBuilder | FactCollector, gid: int,
               tfs: dict[int, tuple[str, frozenset[str]]]) -> None:
    if tfs:
        links = (Link(label="TFLink", url=TFLINK_URL),)
        sink.add_fact(gid, "regulation.chipseq_tfs", ranked(tfs), source=SOURCE_ID, links=links)
        sink.add_fact(gid, "regulation.chipseq_tf_count", len(tfs), source=SOURCE_ID,
                      links=links)


def load(ctx: SyncContext) -> None:
    info = ctx.files[INTERACTIONS.name]
    ctx.versions.append(f"{RELEASE} ({info.release or 'undated'})")
    genes = {gid for (gid,) in ctx.builder.conn.execute("SELECT gene_id FROM genes")}
    by_target = read_interactions(info.path)
    targets: Iterable[int] = ctx.progress.iterate(sorted(by_target), "genes")
    for gid in targets:
        if gid in genes:
            write_gene(ctx.builder, gid, by_target[gid])


def fetch(gene: GeneRef, ctx: FetchContext, sink: FactCollector) -> None:
    """One gene: TFLink has no per-gene API, so the bulk file is read (downloaded once into
    the cache, then only re-checked with a HEAD), keeping the gene's rows."""
    info = refresh_file(ctx.fetcher, INTERACTIONS,
                        ctx.work_dir / INTERACTIONS.url.rsplit("/", 1)[-1])
    rows = read_interactions(info.path, only=gene.gene_id)
    write_gene(sink, gene.gene_id, rows.get(gene.gene_id, {}))
    ctx.scratch.setdefault("retrieved", {})[SOURCE_ID] = info.retrieved_at


SOURCE = OnlineSource(id=SOURCE_ID, files=(INTERACTIONS,),
                      provides=("regulation.chipseq_tfs", "regulation.chipseq_tf_count"),
                      load=load, fetch=fetch)
