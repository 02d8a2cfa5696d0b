"""Replogle et al. 2022 genome-wide Perturb-seq in K562 cells: the transcription factors whose
knockdown changes a gene's expression, with direction and size. Opt-in: its licence is
CC BY-NC-SA 4.0, so it is synced only when named (``writer data sync --source replogle2022``)
and never by a default sync; the page states the licence next to the paragraph.

File: ``K562_gwps_normalized_bulk_01.h5ad`` (figshare plus article 20029387, file 35773217),
an AnnData file (HDF5) read with h5py (the ``perturb`` extra), by name:

- ``X``: a dense matrix, one row per perturbation (CRISPRi knockdown), one column per measured
  gene; a value is the perturbation's mean expression of the gene, z-normalized to the
  control cells of the same GEM group (so -0.8 is 0.8 control standard deviations lower);
- ``obs``: the perturbations; its index (the column the group's ``_index`` attribute names,
  ``gene_transcript``) reads ``<n>_<SYMBOL>_<P1|P2|P1P2|...>_<ENSG>``; the column
  ``mann_whitney_counts`` is the number of genes the knockdown changes (Mann-Whitney test,
  the paper's count of differentially expressed genes);
- ``var``: the measured genes; its index is the Ensembl gene ID (``gene_id``), ``gene_name``
  the symbol, stored as a categorical (the file's legacy layout: integer codes in the column
  and the names in ``__categories/gene_name``; the anndata 0.8+ layout, a group with
  ``codes`` and ``categories``, is read too).

A missing element fails the sync with a ``SyncError`` that names it and what is there.

Which perturbations are transcription factors: genes whose Gene Ontology molecular function
in the fact store is "DNA-binding transcription factor activity" (GO:0003700) or a term under
it (``is_a``), whichever source wrote the GO facts. A knockdown's effect on the knocked-down
gene itself is the knockdown, not regulation, and is left out. When a TF has several
perturbations (two promoters, P1 and P2), the one with the most changed genes is used.

Facts (source ``replogle2022``), for each measured gene with at least one TF knockdown whose
|z| reaches ``THRESHOLD``: ``perturbation.tf_knockdowns`` (items: the TF's symbol, NCBI Gene
ID, mean z as value, the perturbation's label as evidence, NCBI Gene link; largest |z|
first), ``perturbation.tf_knockdown_count``, ``perturbation.knockdown_de_genes`` (items: the
same TFs with the number of genes their knockdown changes) and ``perturbation.threshold``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from writer.errors import SyncError
from writer.factsheet import Item, Link
from writer.sources.online import OnlineSource, Remote, SyncContext
from writer.sources.tflink import ncbi_gene_url
from writer.store import StoreBuilder

SOURCE_ID = "replogle2022"
BULK = Remote("K562_gwps_normalized_bulk_01.h5ad",
              "https://ndownloader.figshare.com/files/35773217")
ARTICLE_URL = "https://plus.figshare.com/articles/dataset/20029387"
PAPER_URL = "https://doi.org/10.1016/j.cell.2022.05.013"
THRESHOLD = 0.5  # |mean z| a knockdown must reach to be listed
DE_COLUMN = "mann_whitney_counts"
TF_ACTIVITY = "GO:0003700"  # DNA-binding transcription factor activity
ROWS_AT_ONCE = 256  # X rows read per block (memory: 256 x genes x 4 bytes)
_LABEL = re.compile(r"^\d+_(?P<symbol>.+)_(?P<guide>[^_]+)_(?P<ensembl>ENSG\d+)(?:\.\d+)?$")


@dataclass(frozen=True)
class Knockdown:
    """One perturbation row of the file."""

    row: int
    symbol: str
    guide: str  # P1, P2, P1P2: which promoter the guides target
    ensembl: str
    de_genes: int


@dataclass(frozen=True)
class Effect:
    """A TF knockdown's mean z on one measured gene."""

    tf: int  # NCBI Gene ID
    symbol: str
    z: float
    guide: str
    de_genes: int


def _h5py() -> Any:
    try:
        import h5py
    except ImportError:
        raise SyncError("the replogle2022 source reads an HDF5 (.h5ad) file with h5py, which "
                        "is not installed: pip install 'gene-writer[perturb]'") from None
    return h5py


def _text(values: Iterable[Any]) -> list[str]:
    return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values]


def _member(group: Any, name: str, where: str) -> Any:
    if name not in group:
        raise SyncError(f"{where}: no {group.name.strip('/') or 'file'}/{name} (it has: "
                        f"{', '.join(sorted(group.keys()))}); the file format changed")
    return group[name]


def _index(frame: Any, where: str) -> list[str]:
    """A dataframe group's index: the column its ``_index`` attribute names."""
    name = frame.attrs.get("_index")
    if name is None:
        raise SyncError(f"{where}: {frame.name} has no _index attribute; not an AnnData "
                        f"dataframe")
    name = name.decode() if isinstance(name, bytes) else str(name)
    return _column(frame, name, where)


def _column(frame: Any, name: str, where: str) -> list:
    """One column of a dataframe group: strings, numbers or a categorical's names."""
    node = _member(frame, name, where)
    if hasattr(node, "keys"):  # anndata 0.8+: a categorical is a group (codes, categories)
        codes = _member(node, "codes", where)[()]
        names = _text(_member(node, "categories", where)[()])
        return [names[c] if c >= 0 else "" for c in codes]
    values = node[()]
    if "__categories" in frame and name in frame["__categories"]:  # the legacy layout
        names = _text(frame["__categories"][name][()])
        return [names[c] if c >= 0 else "" for c in values]
    if values.dtype.kind in "SOU":
        return _text(values)
    return values.tolist()


def read_layout(handle: Any, where: str) -> tuple[list[Knockdown], list[str], list[str]]:
    """(perturbations, measured genes' Ensembl IDs, their symbols) of an open h5ad file."""
    obs, var = _member(handle, "obs", where), _member(handle, "var", where)
    x = _member(handle, "X", where)
    if hasattr(x, "keys"):
        raise SyncError(f"{where}: X is a sparse matrix; the normalized bulk file holds a "
                        f"dense one")
    labels = _index(obs, where)
    de = _column(obs, DE_COLUMN, where)
    ensembl = [e.split(".")[0] for e in _index(var, where)]
    symbols = _column(var, "gene_name", where)
    if x.shape != (len(labels), len(ensembl)):
        raise SyncError(f"{where}: X is {x.shape[0]} x {x.shape[1]}, but obs has {len(labels)} "
                        f"rows and var {len(ensembl)}")
    rows = []
    for i, label in enumerate(labels):
        m = _LABEL.match(label)
        if m is None:
            continue  # non-targeting controls
        rows.append(Knockdown(i, m["symbol"], m["guide"], m["ensembl"], int(de[i])))
    if not rows:
        raise SyncError(f"{where}: no obs index reads <n>_<SYMBOL>_<guide>_<ENSG> "
                        f"(first: {labels[:1]})")
    return rows, ensembl, symbols


def read_effects(path: Path, tf_of: dict[str, int], threshold: float = THRESHOLD
                 ) -> tuple[dict[str, list[Effect]], list[str], list[str]]:
    """Measured gene's column (by Ensembl ID) -> the TF knockdowns with |mean z| >=
    ``threshold`` on it; ``tf_of`` maps a perturbation's Ensembl ID (or symbol) to the NCBI
    Gene ID of a TF. Also returns the columns' Ensembl IDs and symbols."""
    import numpy as np

    h5py = _h5py()
    where = BULK.name
    with h5py.File(path, "r") as handle:
        rows, ensembl, symbols = read_layout(handle, where)
        best: dict[int, Knockdown] = {}
        for k in rows:
            tf = tf_of.get(k.ensembl, tf_of.get(k.symbol.upper()))
            if tf is not None and (tf not in best or k.de_genes > best[tf].de_genes):
                best[tf] = k
        chosen = sorted(best.items(), key=lambda kv: kv[1].row)
        x = handle["X"]
        out: dict[str, list[Effect]] = {}
        for start in range(0, len(chosen), ROWS_AT_ONCE):
            block = chosen[start:start + ROWS_AT_ONCE]
            values = np.asarray(x[[k.row for _, k in block], :], dtype=np.float64)
            size = np.where(np.isfinite(values), np.abs(values), 0.0)  # NaN, inf: no value
            hit_rows, hit_cols = np.nonzero(size >= threshold)
            for r, c in zip(hit_rows.tolist(), hit_cols.tolist(), strict=True):
                tf, k = block[r]
                out.setdefault(ensembl[c], []).append(
                    Effect(tf, k.symbol, float(values[r, c]), k.guide, k.de_genes))
    return out, ensembl, symbols


def transcription_factors(builder: StoreBuilder) -> set[int]:
    """Genes with a GO molecular function at or under DNA-binding transcription factor
    activity (GO:0003700), from the GO facts and GO's ``is_a`` links in the store."""
    children: dict[str, list[str]] = {}
    for go_id, parent in builder.conn.execute(
            "SELECT go_id, parent_id FROM go_parents WHERE relation='is_a'"):
        children.setdefault(parent, []).append(go_id)
    under, todo = {TF_ACTIVITY}, [TF_ACTIVITY]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in under:
                under.add(child)
                todo.append(child)
    return {gid for gid, items, _ in builder.facts_of("function.molecular_function")
            if any(i.get("id") in under for i in items)}


def write_gene(builder: StoreBuilder, gid: int, effects: Sequence[Effect]) -> None:
    effects = sorted((e for e in effects if e.tf != gid), key=lambda e: (-abs(e.z), e.symbol))
    if not effects:
        return
    links = (Link(label="Replogle et al. 2022 (Cell)", url=PAPER_URL),
             Link(label="figshare: K562 genome-wide Perturb-seq", url=ARTICLE_URL))
    builder.add_fact(gid, "perturbation.tf_knockdowns", tuple(
        Item(name=e.symbol, id=str(e.tf), value=round(e.z, 4), evidence=(e.guide,),
             url=ncbi_gene_url(e.tf)) for e in effects), source=SOURCE_ID, links=links)
    builder.add_fact(gid, "perturbation.tf_knockdown_count", len(effects), source=SOURCE_ID,
                     links=links)
    builder.add_fact(gid, "perturbation.knockdown_de_genes", tuple(
        Item(name=e.symbol, id=str(e.tf), value=float(e.de_genes), url=ncbi_gene_url(e.tf))
        for e in effects), source=SOURCE_ID, links=links)
    builder.add_fact(gid, "perturbation.threshold", THRESHOLD, source=SOURCE_ID, links=links)


def load(ctx: SyncContext) -> None:
    info = ctx.files[BULK.name]
    ctx.versions.append(f"K562 genome-wide, normalized bulk ({info.release or 'undated'})")
    builder = ctx.builder
    tfs = transcription_factors(builder)
    if not tfs:
        raise SyncError("replogle2022: the fact store has no gene with GO's DNA-binding "
                        "transcription factor activity; sync a GO source with it")
    by_ensembl = builder.gene_ids_by("ensembl")
    by_symbol = builder.gene_ids_by("symbol")

    def one(ids: list[int] | None) -> int | None:
        return ids[0] if ids and len(ids) == 1 else None

    tf_of: dict[str, int] = {}
    for name, ids in [*by_ensembl.items(), *by_symbol.items()]:
        gid = one(ids)
        if gid in tfs:
            tf_of.setdefault(name, gid)
    effects, ensembl, symbols = read_effects(info.path, tf_of)
    ctx.progress.step(f"replogle2022: {len(effects):,} of {len(ensembl):,} measured genes "
                      f"have a TF knockdown with |z| >= {THRESHOLD}")
    symbol_of = dict(zip(ensembl, symbols, strict=True))
    for column in ctx.progress.iterate(sorted(effects), "genes"):
        gid = one(by_ensembl.get(column.upper())) or one(
            by_symbol.get(symbol_of[column].upper()))
        if gid is not None:
            write_gene(builder, gid, effects[column])


SOURCE = OnlineSource(id=SOURCE_ID, files=(BULK,),
                      provides=("perturbation.tf_knockdowns", "perturbation.tf_knockdown_count",
                                "perturbation.knockdown_de_genes", "perturbation.threshold"),
                      load=load)
