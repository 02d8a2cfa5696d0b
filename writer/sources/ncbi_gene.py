"""NCBI Gene bulk files: the current identity, GO annotations and PubMed links of every
human gene (what org.Hs.eg.db gives offline, as of today).

Files (``https://ftp.ncbi.nlm.nih.gov/gene/DATA/``), read by column name:

- ``GENE_INFO/Mammalia/Homo_sapiens.gene_info.gz``: ``GeneID, Symbol, Synonyms, dbXrefs,
  chromosome, map_location, description, type_of_gene`` ("-" is empty);
- ``gene2ensembl.gz``: ``tax_id, GeneID, Ensembl_gene_identifier`` (all species; 9606 kept);
- ``gene2go.gz``: ``tax_id, GeneID, GO_ID, Evidence, Qualifier, GO_term, Category``
  (``NOT`` qualifiers dropped; names from go-basic.obo when synced);
- ``gene2pubmed.gz``: ``tax_id, GeneID, PubMed_ID``.

Facts written (source ``ncbi-gene``) replace the offline ones of the same keys; each
replaced value is compared with the offline one and the result recorded on the fact as a
cross-check (``crosscheck.compare_replaced``). The files' dates (Last-Modified) are the
source's version, so every fact names the release it came from.

On demand (``fetch``): E-utilities ``esummary`` (db=gene, JSON) for the identity and
``elink`` gene_pubmed (JSON) for the gene's PubMed IDs, which iCite then dates and ranks.
esummary gives no gene type and no Ensembl ID; those stay offline in a one-gene fetch.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass

from writer import catalog, crosscheck
from writer.errors import SyncError
from writer.factsheet import Item, Link
from writer.sources.gene_ontology import TERMS_TABLE
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
from writer.sources.orgdb import amigo_url, ensembl_link, ncbi_link
from writer.store import StoreBuilder

SOURCE_ID = "ncbi-gene"
BASE = "https://ftp.ncbi.nlm.nih.gov/gene/DATA/"
GENE_INFO = Remote("gene_info", BASE + "GENE_INFO/Mammalia/Homo_sapiens.gene_info.gz")
GENE2ENSEMBL = Remote("gene2ensembl", BASE + "gene2ensembl.gz")
GENE2GO = Remote("gene2go", BASE + "gene2go.gz")
GENE2PUBMED = Remote("gene2pubmed", BASE + "gene2pubmed.gz")
ESUMMARY = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi"
ELINK = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/elink.fcgi"

HUMAN = "9606"
PMIDS_TABLE = "online_pmids"  # scratch: (gene_id, pmid, basis) for iCite
CATEGORIES = {
    "Function": "function.molecular_function",
    "Component": "function.cellular_component",
    "Process": "function.biological_process",
}
# keys whose offline value is compared with the online one that replaces it
REPLACED = (
    "identity.symbol", "identity.name", "identity.gene_type", "identity.ensembl_id",
    "identity.chromosome", "identity.band", "identity.aliases",
    "function.molecular_function", "function.cellular_component",
    "function.biological_process", "literature.publication_count",
)


@dataclass(frozen=True)
class GeneRecord:
    gene_id: int
    symbol: str
    name: str
    gene_type: str | None
    chromosome: str | None
    band: str | None
    aliases: tuple[str, ...]
    ensembl_xrefs: tuple[str, ...] = ()


def _value(text: str) -> str | None:
    text = text.strip()
    return None if text in ("", "-") else text


def _int(text: str, where: str) -> int:
    if not text.strip().isdigit():
        raise SyncError(f"{where}: {text!r} is not a number")
    return int(text)


def read_gene_info(path) -> list[GeneRecord]:
    required = ("tax_id", "GeneID", "Symbol", "Synonyms", "dbXrefs", "chromosome",
                "map_location", "description", "type_of_gene")
    out = []
    for row in read_table(path, required, "gene_info"):
        if row["tax_id"] != HUMAN:
            continue
        xrefs = [x for x in (row["dbXrefs"] or "").split("|") if x.startswith("Ensembl:")]
        out.append(GeneRecord(
            gene_id=_int(row["GeneID"], "gene_info GeneID"),
            symbol=row["Symbol"],
            name=_value(row["description"]) or row["Symbol"],
            gene_type=_value(row["type_of_gene"]),
            chromosome=_value(row["chromosome"]),
            band=_value(row["map_location"]),
            aliases=tuple(a for a in (_value(row["Synonyms"]) or "").split("|") if a),
            ensembl_xrefs=tuple(x.removeprefix("Ensembl:") for x in xrefs),
        ))
    return out


def read_gene2ensembl(path) -> dict[int, list[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    for row in read_table(path, ("tax_id", "GeneID", "Ensembl_gene_identifier"), "gene2ensembl",
                          keep=lambda line: line.startswith(HUMAN + "\t")):
        gene = _value(row["Ensembl_gene_identifier"])
        if gene:
            out[_int(row["GeneID"], "gene2ensembl GeneID")].add(gene.split(".")[0])
    return {gid: sorted(ids) for gid, ids in out.items()}


def read_gene2go(path) -> tuple[dict[int, dict[tuple[str, str], set[str]]], dict[str, str]]:
    """(GeneID -> {(fact key, GO ID): evidence codes}, GO ID -> gene2go's GO_term)."""
    required = ("tax_id", "GeneID", "GO_ID", "Evidence", "Qualifier", "GO_term", "Category")
    out: dict[int, dict[tuple[str, str], set[str]]] = defaultdict(dict)
    names: dict[str, str] = {}
    for row in read_table(path, required, "gene2go",
                          keep=lambda line: line.startswith(HUMAN + "\t")):
        if row["Qualifier"].startswith("NOT"):
            continue
        key = CATEGORIES.get(row["Category"])
        if key is None:
            raise SyncError(f"gene2go: unknown Category {row['Category']!r} "
                            f"(expected {', '.join(CATEGORIES)})")
        gid = _int(row["GeneID"], "gene2go GeneID")
        out[gid].setdefault((key, row["GO_ID"]), set()).add(row["Evidence"])
        names.setdefault(row["GO_ID"], row["GO_term"])
    return out, names


def read_gene2pubmed(path) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    for row in read_table(path, ("tax_id", "GeneID", "PubMed_ID"), "gene2pubmed",
                          keep=lambda line: line.startswith(HUMAN + "\t")):
        out[_int(row["GeneID"], "gene2pubmed GeneID")].add(
            _int(row["PubMed_ID"], "gene2pubmed PubMed_ID"))
    return out


# --- facts ---------------------------------------------------------------------------------------
def pubmed_link(gene_id: int) -> Link:
    return Link(label="PubMed (gene2pubmed)",
                url=f"https://pubmed.ncbi.nlm.nih.gov/?linkname=gene_pubmed&from_uid={gene_id}")


def write_identity(sink: StoreBuilder | FactCollector, rec: GeneRecord,
                   ensembl: list[str]) -> None:
    gid = rec.gene_id
    ncbi = (ncbi_link(gid),)
    add = sink.add_fact
    add(gid, "identity.ncbi_gene_id", gid, source=SOURCE_ID, links=ncbi)
    add(gid, "identity.symbol", rec.symbol, source=SOURCE_ID, links=ncbi)
    add(gid, "identity.name", rec.name, source=SOURCE_ID, links=ncbi)
    if rec.gene_type:
        add(gid, "identity.gene_type", rec.gene_type, source=SOURCE_ID, links=ncbi)
    if ensembl:
        add(gid, "identity.ensembl_id", ", ".join(ensembl), source=SOURCE_ID,
            links=tuple(ensembl_link(e) for e in ensembl))
    if rec.chromosome:
        add(gid, "identity.chromosome", rec.chromosome, source=SOURCE_ID, links=ncbi)
    if rec.band:
        add(gid, "identity.band", rec.band, source=SOURCE_ID, links=ncbi)
    aliases = [a for a in rec.aliases if a != rec.symbol]
    if aliases:
        add(gid, "identity.aliases", tuple(Item(name=a) for a in aliases), source=SOURCE_ID,
            links=ncbi)


def write_go(sink: StoreBuilder | FactCollector, gid: int,
             annotations: dict[tuple[str, str], set[str]], name_of) -> None:
    by_key: dict[str, list[Item]] = defaultdict(list)
    for (key, go_id), evidence in sorted(annotations.items(), key=lambda kv: kv[0][1]):
        primary, name = name_of(go_id)
        by_key[key].append(Item(name=name, id=primary, evidence=tuple(sorted(evidence)),
                                url=amigo_url(primary)))
    link = Link(label="AmiGO annotations",
                url=f"https://amigo.geneontology.org/amigo/search/annotation?q=NCBIGene:{gid}")
    for key in CATEGORIES.values():
        if by_key.get(key):
            sink.add_fact(gid, key, tuple(_merge_alt_ids(by_key[key])), source=SOURCE_ID,
                          links=(link,))


def _merge_alt_ids(items: list[Item]) -> list[Item]:
    """Two annotations whose GO IDs map to one primary term become one item."""
    merged: dict[str, Item] = {}
    for item in items:
        seen = merged.get(item.id or item.name)
        if seen is None:
            merged[item.id or item.name] = item
        else:
            evidence = tuple(sorted(set(seen.evidence) | set(item.evidence)))
            merged[item.id or item.name] = seen.model_copy(update={"evidence": evidence})
    return sorted(merged.values(), key=lambda i: i.id or i.name)


def _offline_label(builder: StoreBuilder, source_id: str) -> str:
    row = builder.conn.execute("SELECT name, version FROM sources WHERE id=?",
                               (source_id,)).fetchone()
    if row is None:
        return source_id
    return f"{row[0].split(' (')[0]} {row[1].split(' ')[0]}"


def load(ctx: SyncContext) -> None:
    b = ctx.builder
    files = ctx.files
    progress = ctx.progress
    for remote in (GENE_INFO, GENE2ENSEMBL, GENE2GO, GENE2PUBMED):
        ctx.versions.append(f"{remote.name} {files[remote.name].release or 'undated'}")
    progress.step("reading gene_info")
    records = read_gene_info(files[GENE_INFO.name].path)
    progress.step("reading gene2ensembl")
    ensembl = read_gene2ensembl(files[GENE2ENSEMBL.name].path)
    progress.step("reading gene2go")
    go, go_names = read_gene2go(files[GENE2GO.name].path)
    progress.step("reading gene2pubmed")
    pubmed = read_gene2pubmed(files[GENE2PUBMED.name].path)

    before = _facts_by_key(b)
    labels: dict[str, str] = {}

    terms = {}
    if b.conn.execute("SELECT 1 FROM sqlite_master WHERE name=?", (TERMS_TABLE,)).fetchone():
        terms = {r[0]: (r[1], r[2]) for r in b.conn.execute(
            f"SELECT go_id, primary_id, name FROM {TERMS_TABLE}")}

    def name_of(go_id: str) -> tuple[str, str]:
        return terms.get(go_id) or (go_id, go_names.get(go_id, go_id))

    _update_genes(b, records, ensembl)
    known = {r.gene_id for r in records}
    for rec in progress.iterate(records, "genes", len(records)):
        gid = rec.gene_id
        ids = ensembl.get(gid) or list(rec.ensembl_xrefs)
        write_identity(b, rec, ids)
        if gid in go:
            write_go(b, gid, go[gid], name_of)
        if pubmed.get(gid):
            b.add_fact(gid, "literature.publication_count", len(pubmed[gid]),
                       source=SOURCE_ID, links=(pubmed_link(gid),))
    # cross-checks: each replaced offline value against the new one
    after = _facts_by_key(b)
    for key, old in before.items():
        rows = after.get(key, {})
        for gid, (value, source) in old.items():
            if source == SOURCE_ID or gid not in known or gid not in rows:
                continue
            if source not in labels:
                labels[source] = _offline_label(b, source)
            new_value, new_source = rows[gid]
            if new_source != SOURCE_ID:  # NCBI has nothing for it today: the old value stays
                b.add_check(gid, key, check_name(key, labels[source]), False,
                            f"NCBI Gene has none today; this is {labels[source]}'s value")
                continue
            agree, detail = crosscheck.compare_replaced(key, new_value, value, labels[source])
            b.add_check(gid, key, check_name(key, labels[source]), agree, detail)
    b.conn.execute(f"CREATE TABLE IF NOT EXISTS {PMIDS_TABLE} "
                   "(gene_id INTEGER, pmid INTEGER, basis TEXT)")
    b.conn.executemany(f"INSERT INTO {PMIDS_TABLE} VALUES (?,?,'gene2pubmed')",
                       ((gid, p) for gid, ps in pubmed.items() if gid in known for p in ps))


def _facts_by_key(b: StoreBuilder) -> dict[str, dict[int, tuple[object, str]]]:
    """{key: {gene_id: (value, source)}} of the keys in ``REPLACED``, in one scan."""
    b.flush()
    out: dict[str, dict[int, tuple[object, str]]] = defaultdict(dict)
    for gid, key, value, source in b.conn.execute(
            f"SELECT gene_id, key, value, source FROM facts WHERE key IN "
            f"({','.join('?' * len(REPLACED))})", REPLACED):
        out[key][gid] = (json.loads(value), source)
    return out


def check_name(key: str, offline_label: str) -> str:
    spec = catalog.fact(key)
    return f"{spec.label if spec else key}: NCBI Gene today vs {offline_label}"


def _update_genes(b: StoreBuilder, records: list[GeneRecord], ensembl: dict[int, list[str]]
                  ) -> None:
    """The genes table and the names a gene answers to, as NCBI has them today. A symbol
    that changed stays a name of the gene (an alias); coordinates stay the offline ones."""
    old = {gid: sym for gid, sym in b.conn.execute("SELECT gene_id, symbol FROM genes")}
    b.conn.execute("CREATE TEMP TABLE online_genes (gene_id INTEGER PRIMARY KEY)")
    b.conn.executemany("INSERT OR IGNORE INTO online_genes VALUES (?)",
                       ((r.gene_id,) for r in records))
    b.conn.execute("DELETE FROM gene_names WHERE kind IN ('symbol','alias') AND gene_id IN "
                   "(SELECT gene_id FROM online_genes)")
    b.conn.execute("DROP TABLE online_genes")
    updates, inserts, names = [], [], []
    for r in records:
        row = (r.symbol, r.name, r.gene_type, r.chromosome, r.band, r.gene_id)
        (updates if r.gene_id in old else inserts).append(row)
        names.append((r.symbol, r.gene_id, "symbol"))
        names.extend((a, r.gene_id, "alias") for a in r.aliases if a != r.symbol)
        previous = old.get(r.gene_id)
        if previous and previous.upper() != r.symbol.upper():
            names.append((previous, r.gene_id, "alias"))
        names.extend((e, r.gene_id, "ensembl") for e in ensembl.get(r.gene_id, ()))
    b.conn.executemany("UPDATE genes SET symbol=?, name=?, gene_type=?, chromosome=?, band=? "
                       "WHERE gene_id=?", updates)
    b.conn.executemany("INSERT INTO genes (symbol, name, gene_type, chromosome, band, gene_id) "
                       "VALUES (?,?,?,?,?,?)", inserts)
    b.add_names(names)


# --- one gene on demand ---------------------------------------------------------------------------
def parse_esummary(body: bytes, gene_id: int) -> GeneRecord:
    where = f"esummary db=gene id={gene_id}"
    result = json_field(parse_json(body, where), "result", where)
    doc = json_field(result, str(gene_id), where)
    if isinstance(doc, dict) and "error" in doc:
        raise SyncError(f"{where}: {doc['error']}")
    symbol = json_field(doc, "name", where)
    aliases = [a.strip() for a in str(json_field(doc, "otheraliases", where)).split(",")]
    return GeneRecord(
        gene_id=gene_id,
        symbol=symbol,
        name=json_field(doc, "description", where) or symbol,
        gene_type=None,
        chromosome=json_field(doc, "chromosome", where) or None,
        band=json_field(doc, "maplocation", where) or None,
        aliases=tuple(a for a in aliases if a),
    )


def parse_elink(body: bytes, gene_id: int) -> list[int]:
    """The PubMed IDs of an elink gene_pubmed JSON answer. A linkset without ``linksetdbs``
    is a gene with no linked paper."""
    where = f"elink gene_pubmed id={gene_id}"
    linksets = json_field(parse_json(body, where), "linksets", where)
    pmids: set[int] = set()
    for linkset in linksets:
        for db in linkset.get("linksetdbs", ()):
            if json_field(db, "linkname", where) != "gene_pubmed":
                continue
            for pmid in json_field(db, "links", where):
                if not re.fullmatch(r"\d+", str(pmid)):
                    raise SyncError(f"{where}: {pmid!r} is not a PubMed ID")
                pmids.add(int(pmid))
    return sorted(pmids)


def fetch(gene: GeneRef, ctx: FetchContext, sink: FactCollector) -> None:
    gid = gene.gene_id
    summary = ctx.fetcher.get(ESUMMARY, {"db": "gene", "id": gid, "retmode": "json"})
    rec = parse_esummary(summary.content, gid)
    write_identity(sink, rec, [])  # esummary names no Ensembl gene: the offline one stays
    link = ctx.fetcher.get(ELINK, {"dbfrom": "gene", "db": "pubmed", "id": gid,
                                   "linkname": "gene_pubmed", "retmode": "json"})
    pmids = parse_elink(link.content, gid)
    ctx.scratch.setdefault("pmids", {})["gene2pubmed"] = pmids
    if pmids:
        sink.add_fact(gid, "literature.publication_count", len(pmids), source=SOURCE_ID,
                      links=(pubmed_link(gid),))
    ctx.scratch.setdefault("retrieved", {})[SOURCE_ID] = min(summary.retrieved_at,
                                                            link.retrieved_at)


SOURCE = OnlineSource(
    id=SOURCE_ID,
    files=(GENE_INFO, GENE2ENSEMBL, GENE2GO, GENE2PUBMED),
    provides=("identity.*", "function.molecular_function", "function.cellular_component",
              "function.biological_process", "literature.publication_count"),
    load=load,
    fetch=fetch,
)
