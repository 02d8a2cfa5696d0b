"""The Human Protein Atlas (release pinned: v24): protein class, evidence, RNA specificity,
expression clusters and subcellular main location of each gene.

Files (``https://v24.proteinatlas.org/``):

- ``download/tsv/proteinatlas.tsv.zip``: one tab-separated file with a header, one row per
  gene, for the whole genome (the bulk sync);
- ``ENSG....json``: the same record of one gene as a JSON object (``writer facts --online``).

No row of ``proteinatlas.tsv`` and no per-gene JSON is recorded (``shared/api-samples``):
the recorded ``search_download.php`` JSON shows the field names ``Ensembl``, ``Gene`` and
``Subcellular main location`` (a list, or null) and that names are spelled the same in the
TSV header and the JSON keys. The other column names below are **assumed** from client code
written for v23/v24 (``COLUMNS``); every one is required, so a renamed column fails the sync
naming it, never a silent gap. Assumed value shapes: list columns are ", "-joined in the
TSV and lists in the JSON; a cluster is ``Cluster 13: Non-specific - Mitochondria`` (a
value without the ``Cluster N:`` head is kept as a name without number); an empty cell or
null is no value.

Facts (source ``hpa``), each linked to the gene's atlas page:
``atlas.protein_class``, ``atlas.evidence``, ``atlas.rna_tissue_specificity``,
``atlas.rna_tissue_distribution``, ``atlas.single_cell_specificity``,
``atlas.expression_clusters`` (items: id = the atlas, value = the cluster number, name =
its description) and ``atlas.subcellular_location``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from writer.errors import NetworkError, SyncError
from writer.factsheet import Item, Link
from writer.sources.online import (
    FactCollector,
    FetchContext,
    GeneRef,
    OnlineSource,
    Remote,
    SyncContext,
    json_field,
    parse_json,
    read_table,
)
from writer.store import StoreBuilder

SOURCE_ID = "hpa"
RELEASE = "v24"
BASE = f"https://{RELEASE}.proteinatlas.org/"
ATLAS = Remote("proteinatlas.tsv", BASE + "download/tsv/proteinatlas.tsv.zip")

# The column names read (TSV header = JSON keys). Recorded: GENE, ENSEMBL, MAIN_LOCATION.
GENE = "Gene"
ENSEMBL = "Ensembl"
PROTEIN_CLASS = "Protein class"
EVIDENCE = "Evidence"
TISSUE_SPECIFICITY = "RNA tissue specificity"
TISSUE_DISTRIBUTION = "RNA tissue distribution"
SINGLE_CELL_SPECIFICITY = "RNA single cell type specificity"
CLUSTERS = (  # (the atlas as the page names it, its column)
    ("tissue", "Tissue expression cluster"),
    ("brain", "Brain expression cluster"),
    ("blood", "Blood expression cluster"),
    ("cell line", "Cell line expression cluster"),
    ("single cell", "Single cell expression cluster"),
)
MAIN_LOCATION = "Subcellular main location"
LIST_COLUMNS = (PROTEIN_CLASS, MAIN_LOCATION)
TEXT_FACTS = (
    (EVIDENCE, "atlas.evidence"),
    (TISSUE_SPECIFICITY, "atlas.rna_tissue_specificity"),
    (TISSUE_DISTRIBUTION, "atlas.rna_tissue_distribution"),
    (SINGLE_CELL_SPECIFICITY, "atlas.single_cell_specificity"),
)
COLUMNS = (GENE, ENSEMBL, PROTEIN_CLASS, EVIDENCE, TISSUE_SPECIFICITY, TISSUE_DISTRIBUTION,
           SINGLE_CELL_SPECIFICITY, *(c for _, c in CLUSTERS), MAIN_LOCATION)
_CLUSTER = re.compile(r"Cluster\s+(\d+)\s*:\s*(.+)")
_ENSG = re.compile(r"ENSG\d{11}")


def gene_url(ensembl_id: str, symbol: str) -> str:
    return f"{BASE}{ensembl_id}-{symbol}"


def _names(value: Any) -> tuple[str, ...]:
    """A list column's names: a JSON list, or the TSV's ", "-joined text."""
    if value is None:
        return ()
    parts = value if isinstance(value, list) else str(value).split(",")
    return tuple(dict.fromkeys(p.strip() for p in map(str, parts) if p and p.strip()))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v).strip() for v in value if str(v).strip())
    return str(value).strip()


def cluster_item(atlas: str, value: str, url: str) -> Item:
    m = _CLUSTER.fullmatch(value)
    if m is None:
        return Item(name=value, id=atlas, url=url)
    return Item(name=m.group(2).strip(), id=atlas, value=float(m.group(1)), url=url)


def write_gene(sink: StoreBuilder | FactCollector, gid: int, record: Mapping[str, Any]) -> bool:
    """The atlas facts of one record (TSV row or JSON object); False when it has none."""
    ensembl = _text(record[ENSEMBL])
    url = gene_url(ensembl, _text(record[GENE]))
    links = (Link(label="Human Protein Atlas", url=url),)
    wrote = False

    def add(key: str, value: Any) -> None:
        nonlocal wrote
        if value:
            sink.add_fact(gid, key, value, source=SOURCE_ID, links=links)
            wrote = True

    add("atlas.protein_class", tuple(Item(name=n, url=url)
                                     for n in _names(record[PROTEIN_CLASS])))
    for column, key in TEXT_FACTS:
        add(key, _text(record[column]))
    add("atlas.expression_clusters", tuple(
        cluster_item(atlas, text, url) for atlas, column in CLUSTERS
        if (text := _text(record[column]))))
    add("atlas.subcellular_location", tuple(Item(name=n, url=url)
                                            for n in _names(record[MAIN_LOCATION])))
    return wrote


def read_atlas(path: Any, where: str = ATLAS.name) -> Iterable[dict[str, str]]:
    """The rows of proteinatlas.tsv, by column name (every column of ``COLUMNS`` required)."""
    return read_table(path, COLUMNS, where)


def load(ctx: SyncContext) -> None:
    ctx.versions.append(f"{RELEASE} proteinatlas.tsv of "
                        f"{ctx.files[ATLAS.name].release or 'undated'}")
    by_ensembl = ctx.builder.gene_ids_by("ensembl")
    for row in ctx.progress.iterate(list(read_atlas(ctx.files[ATLAS.name].path)), "genes"):
        ensembl = row[ENSEMBL].strip()
        if not _ENSG.fullmatch(ensembl):
            raise SyncError(f"{ATLAS.name}: {ensembl!r} in column {ENSEMBL} is not an Ensembl "
                            "gene ID")
        for gid in by_ensembl.get(ensembl.upper(), ()):
            write_gene(ctx.builder, gid, row)


def parse_gene_json(body: bytes, where: str) -> dict[str, Any]:
    """The record of a per-gene answer: an object (or a list of one), every column present."""
    data = parse_json(body, where)
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    for column in COLUMNS:
        json_field(data, column, where)
    return data  # type: ignore[no-any-return]


def fetch(gene: GeneRef, ctx: FetchContext, sink: FactCollector) -> None:
    fact = ctx.sheet_facts.get("identity.ensembl_id")
    found = _ENSG.search(str(fact.value)) if fact is not None else None
    if found is None:
        return  # no Ensembl gene, no atlas page
    url = f"{BASE}{found.group(0)}.json"
    try:
        answer = ctx.fetcher.get(url)
    except NetworkError as exc:
        if exc.status == 404:  # the atlas has no page for this gene
            return
        raise
    write_gene(sink, gene.gene_id, parse_gene_json(answer.content, f"Human Protein Atlas {url}"))
    ctx.scratch.setdefault("retrieved", {})[SOURCE_ID] = answer.retrieved_at


SOURCE = OnlineSource(
    id=SOURCE_ID, files=(ATLAS,),
    provides=("atlas.protein_class", "atlas.evidence", "atlas.rna_tissue_specificity",
              "atlas.rna_tissue_distribution", "atlas.single_cell_specificity",
              "atlas.expression_clusters", "atlas.subcellular_location"),
    load=load, fetch=fetch,
)
