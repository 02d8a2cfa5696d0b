"""Helpers for the review and publish tests (no tests here).

A small real fact store built by hand with ``StoreBuilder`` (two genes), clean pages
written from it, and draft records. Offline and fast: no sync, no evaluator double.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from writer.check.models import Finding
from writer.draft import DraftRecord
from writer.factsheet import FactSheet, Item, Link, SourceRef
from writer.store import FactStore, StoreBuilder

ENSEMBL = SourceRef(id="ensembl-test", name="Ensembl", version="110", release_date="2023-07-01",
                    licence="EMBL-EBI terms of use", url="https://www.ensembl.org")
ORGDB = SourceRef(id="orgdb-test", name="org.Hs.eg.db", version="3.16.0",
                  release_date="2022-09-01", licence="Artistic-2.0",
                  url="https://bioconductor.org/packages/org.Hs.eg.db")

GENES = {
    # symbol: (gene_id, name, ensembl, band, gene length, mature length, go term)
    "MT1G": (4495, "metallothionein 1G", "ENSG00000125144", "16q13", 1336, 424,
             ("zinc ion binding", "GO:0008270")),
    "NME1": (4830, "NME/NM23 nucleoside diphosphate kinase 1", "ENSG00000239672", "17q21.33",
             8637, 1005, ("nucleoside diphosphate kinase activity", "GO:0004550")),
    "TP53": (7157, "tumor protein p53", "ENSG00000141510", "17p13.1", 25772, 2512,
             ("DNA binding", "GO:0003677")),
}


def build_fact_store(path: Path) -> Path:
    """A real fact store holding ``GENES``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    b = StoreBuilder(path)
    b.add_source(ENSEMBL, ["structure"])
    b.add_source(ORGDB, ["identity", "function"])
    b.add_genes(
        (gid, sym, name, "protein-coding", band.split("q")[0].split("p")[0], band, 1, 2, "+")
        for sym, (gid, name, _e, band, *_rest) in GENES.items()
    )
    names = []
    for sym, (gid, _n, ens, *_rest) in GENES.items():
        names += [(sym, gid, "symbol"), (ens, gid, "ensembl")]
    b.add_names(names)
    for sym, (gid, name, ens, band, length, mature, (go_name, go_id)) in GENES.items():
        ncbi = Link(label="NCBI Gene", url=f"https://www.ncbi.nlm.nih.gov/gene/{gid}")
        b.add_fact(gid, "identity.ncbi_gene_id", gid, source="orgdb-test", links=[ncbi])
        b.add_fact(gid, "identity.symbol", sym, source="orgdb-test", links=[ncbi])
        b.add_fact(gid, "identity.name", name, source="orgdb-test")
        b.add_fact(gid, "identity.ensembl_id", ens, source="orgdb-test",
                   links=[Link(label="Ensembl", url=f"https://www.ensembl.org/id/{ens}")])
        b.add_fact(gid, "identity.band", band, source="orgdb-test")
        b.add_fact(gid, "function.molecular_function", [
            Item(name=go_name, id=go_id, evidence=("IDA",),
                 url=f"https://amigo.geneontology.org/amigo/term/{go_id}"),
        ], source="orgdb-test")
        b.add_fact(gid, "structure.gene_length", length, source="ensembl-test")
        b.add_fact(gid, "structure.mature_length", mature, source="ensembl-test")
    # one cross-check each way: the review page marks the disagreement, not with a tick
    gid = GENES["MT1G"][0]
    b.add_check(gid, "structure.gene_length", "gene length: Ensembl vs org.Hs.eg.db", False,
                "Ensembl 110: 1,336 bp; org.Hs.eg.db (UCSC): 1,329 bp")
    b.add_check(gid, "identity.band", "cytogenetic band vs GRCh38 coordinates", True,
                "16q13 = chr16:56,000,001-57,300,000")
    b.finish()
    return path


def sheet(facts_path: Path, symbol: str) -> FactSheet:
    store = FactStore(facts_path)
    try:
        return store.sheet(store.resolve(symbol))
    finally:
        store.close()


def clean_page(symbol: str) -> str:
    """A page whose every claim is in the hand-built fact sheet."""
    gid, _name, ens, band, length, mature, (go_name, go_id) = GENES[symbol]
    return (
        f"---\nlayout: post\ntitle: {symbol}\ndate: 2025-01-17 16:55 CST\n---\n\n"
        f"| [NCBI ID](https://www.ncbi.nlm.nih.gov/gene/{gid}) | NCBI symbol | ENSEMBL ID | "
        f"Chromosome location |\n| :-------- | :------- | :-------- | :------- |\n"
        f"| {gid} | {symbol} | {ens} | {band} |\n\n"
        f"The gene enables [{go_name}](https://amigo.geneontology.org/amigo/term/{go_id}).\n\n"
        f"The gene length is {length:,} base pairs, and the mature length is {mature:,} "
        f"base pairs.\n"
    )


def record(symbol: str, text: str | None = None,
           findings: tuple[Finding, ...] = (), facts_path: Path | None = None
           ) -> DraftRecord:
    gid = GENES[symbol][0]
    return DraftRecord(
        gene_id=gid,
        symbol=symbol,
        text=clean_page(symbol) if text is None else text,
        factsheet_hash=sheet(facts_path, symbol).content_hash() if facts_path else "sha256:0",
        prompt_hashes={"prompts/function.md": "sha256:1"},
        sections={"function": {"phraser": "template", "attempts": 1}},
        findings=findings,
        usage={"prompt_tokens": 0, "completion_tokens": 0},
        duration_s=0.2,
    )


def queue_of_two(tmp_path: Path, monkeypatch, make: Callable[[Path, str], DraftRecord]  # noqa: ANN001
                 = lambda facts, symbol: record(symbol, facts_path=facts)) -> tuple[Path, Path]:
    """A real fact store and a review queue holding one pending draft of MT1G and one of
    NME1 (each made by ``make(facts, symbol)``), with the environment pointing at both."""
    from writer.review.store import Queue

    facts = build_fact_store(tmp_path / "facts.sqlite")
    queue_path = tmp_path / "queue.sqlite"
    monkeypatch.setenv("GENE_WRITER_FACTS", str(facts))
    monkeypatch.setenv("GENE_WRITER_QUEUE", str(queue_path))
    monkeypatch.delenv("GENE_WRITER_REVIEWER", raising=False)
    with Queue.open(queue_path) as q:
        for symbol in ("MT1G", "NME1"):
            q.add_draft(make(facts, symbol))
    return facts, queue_path


def serve(app: object) -> Iterator[httpx.Client]:
    """``app`` (the review web app) served by uvicorn on a free loopback port, and a client
    for it; the server stops when the generator is closed (``yield from serve(app)``)."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,  # type: ignore[arg-type]
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=False,
                          timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(timeout=10)
