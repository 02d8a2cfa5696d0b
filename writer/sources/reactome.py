"""Reactome: the pathways a gene takes part in, with Reactome's hierarchy.

Files (``https://reactome.org/download/current/``), tab-separated, no header:

- ``NCBI2Reactome_All_Levels.txt``: ``NCBI Gene ID, pathway stId, URL, pathway name,
  evidence (TAS/IEA), species``, every species; the gene's pathways at every level;
- ``ReactomePathways.txt``: ``stId, name, species``;
- ``ReactomePathwaysRelation.txt``: ``parent stId, child stId``.

Rows with another column count or a stId not shaped ``R-XXX-digits`` are errors naming the
file and line. Only ``Homo sapiens`` rows are read.

Facts (source ``reactome``):
- ``pathways.reactome``: the gene's lowest-level pathways (none of their sub-pathways lists
  the gene), each with its stable ID, link and evidence codes;
- ``pathways.reactome_categories``: the top-level pathways above them ("Metabolism");
- ``pathways.reactome_all``: every pathway of the gene at any level, which the evaluator
  accepts as a true statement ("metabolism of nucleotides").

There is no recorded per-gene API answer, so a one-gene fetch reads the same bulk files
(downloaded once into the cache, then only re-checked with a HEAD).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
    check_columns,
    open_lines,
    refresh_file,
)
from writer.store import StoreBuilder

SOURCE_ID = "reactome"
BASE = "https://reactome.org/download/current/"
GENE_PATHWAYS = Remote("NCBI2Reactome_All_Levels", BASE + "NCBI2Reactome_All_Levels.txt")
PATHWAYS = Remote("ReactomePathways", BASE + "ReactomePathways.txt")
RELATIONS = Remote("ReactomePathwaysRelation", BASE + "ReactomePathwaysRelation.txt")
SPECIES = "Homo sapiens"
_STID = re.compile(r"R-[A-Z]{3}-\d+")


def detail_url(st_id: str) -> str:
    return f"https://reactome.org/content/detail/{st_id}"


@dataclass(frozen=True)
class Hierarchy:
    names: dict[str, str]  # human stId -> name
    parents: dict[str, set[str]]
    children: dict[str, set[str]]

    def roots(self, st_id: str) -> set[str]:
        """The top-level pathways above ``st_id`` (itself when it has no parent)."""
        seen, stack, out = set(), [st_id], set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            ups = self.parents.get(node, set())
            if not ups:
                out.add(node)
            stack.extend(ups)
        return out


def _rows(path: Path, name: str, width: int, stid_columns: tuple[int, ...],
          keep: Callable[[str], bool] | None = None) -> Iterable[list[str]]:
    for number, line in enumerate(open_lines(path), 1):
        if not line:
            continue
        if keep is not None and not keep(line):
            check_columns(line.count("\t") + 1, number, name, width, exact=True)
            continue
        fields = line.split("\t")
        check_columns(len(fields), number, name, width, exact=True)
        for i in stid_columns:
            if not _STID.fullmatch(fields[i]):
                raise SyncError(f"{name} line {number}: {fields[i]!r} is not a Reactome "
                                "stable ID (R-XXX-digits)")
        yield fields


def read_hierarchy(pathways: Path, relations: Path) -> Hierarchy:
    names = {f[0]: f[1] for f in _rows(pathways, PATHWAYS.name, 3, (0,)) if f[2] == SPECIES}
    parents: dict[str, set[str]] = defaultdict(set)
    children: dict[str, set[str]] = defaultdict(set)
    for parent, child in _rows(relations, RELATIONS.name, 2, (0, 1),
                               keep=lambda line: line.startswith("R-HSA-")):
        if parent in names and child in names:
            parents[child].add(parent)
            children[parent].add(child)
    return Hierarchy(names, dict(parents), dict(children))


def read_gene_pathways(path: Path, only: int | None = None
                       ) -> dict[int, dict[str, tuple[str, set[str]]]]:
    """NCBI Gene ID -> {stId: (name, evidence codes)} for human rows."""
    prefix = f"{only}\t" if only is not None else None
    out: dict[int, dict[str, tuple[str, set[str]]]] = defaultdict(dict)
    keep = (lambda line: line.startswith(prefix)) if prefix else None  # type: ignore[arg-type]
    for gene, st_id, _url, name, evidence, species in _rows(
            path, GENE_PATHWAYS.name, 6, (1,), keep=keep):
        if species != SPECIES:
            continue
        if not gene.isdigit():
            raise SyncError(f"{GENE_PATHWAYS.name}: {gene!r} is not an NCBI Gene ID")
        entry = out[int(gene)].setdefault(st_id, (name, set()))
        entry[1].add(evidence)
    return out


def write_gene(sink: StoreBuilder | FactCollector, gid: int,
               pathways: dict[str, tuple[str, set[str]]], h: Hierarchy) -> None:
    ids = set(pathways)

    def item(st_id: str) -> Item:
        name = h.names.get(st_id) or pathways[st_id][0]
        evidence = tuple(sorted(pathways[st_id][1])) if st_id in pathways else ()
        return Item(name=name, id=st_id, evidence=evidence, url=detail_url(st_id))

    lowest = [p for p in ids if not (h.children.get(p, set()) & ids)]
    tops = set().union(*(h.roots(p) for p in lowest)) if lowest else set()
    link = (Link(label="Reactome", url=f"https://reactome.org/content/query?q={gid}"),)

    def by_name(st_ids: Iterable[str]) -> tuple[Item, ...]:
        return tuple(sorted((item(p) for p in st_ids), key=lambda i: (i.name.lower(), i.id)))

    if lowest:
        sink.add_fact(gid, "pathways.reactome", by_name(lowest), source=SOURCE_ID, links=link)
    if tops:
        sink.add_fact(gid, "pathways.reactome_categories", by_name(tops), source=SOURCE_ID,
                      links=link)
    if ids:
        sink.add_fact(gid, "pathways.reactome_all", by_name(ids), source=SOURCE_ID, links=link)


def load(ctx: SyncContext) -> None:
    files = ctx.files
    ctx.versions.append(f"files of {files[GENE_PATHWAYS.name].release or 'undated'}")
    h = read_hierarchy(files[PATHWAYS.name].path, files[RELATIONS.name].path)
    genes = {gid for (gid,) in ctx.builder.conn.execute("SELECT gene_id FROM genes")}
    by_gene = read_gene_pathways(files[GENE_PATHWAYS.name].path)
    for gid in ctx.progress.iterate(sorted(by_gene), "genes"):
        if gid in genes:
            write_gene(ctx.builder, gid, by_gene[gid], h)


def fetch(gene: GeneRef, ctx: FetchContext, sink: FactCollector) -> None:
    paths = {r.name: refresh_file(ctx.fetcher, r, ctx.work_dir / r.url.rsplit("/", 1)[-1])
             for r in (GENE_PATHWAYS, PATHWAYS, RELATIONS)}
    h = read_hierarchy(paths[PATHWAYS.name].path, paths[RELATIONS.name].path)
    rows = read_gene_pathways(paths[GENE_PATHWAYS.name].path, only=gene.gene_id)
    if gene.gene_id in rows:
        write_gene(sink, gene.gene_id, rows[gene.gene_id], h)
    ctx.scratch.setdefault("retrieved", {})[SOURCE_ID] = min(p.retrieved_at
                                                            for p in paths.values())


SOURCE = OnlineSource(
    id=SOURCE_ID, files=(GENE_PATHWAYS, PATHWAYS, RELATIONS),
    provides=("pathways.reactome", "pathways.reactome_categories", "pathways.reactome_all"),
    load=load, fetch=fetch,
)
