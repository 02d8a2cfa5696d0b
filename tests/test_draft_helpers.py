"""Shared test material for drafting: a full synthetic fact sheet, a tiny fact store, a
scripted OpenAI-compatible endpoint (for ``httpx.MockTransport`` and for a real loopback
server). The grounding loop always uses the real evaluator, ``writer.check.check``: it ships
in the package.

The synthetic sheet has every section the offline sources can fill (identity, GO,
structure, literature, expression, pathways, protein). Its values are invented for the
tests (consistent with each other, not a claim about MT1G); the real sheets come from
the session's synced store in the tests that use the ``factsheet`` fixture.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from writer.factsheet import Fact, FactSheet, Item, Link, Percentile, SourceRef

AMIGO = "https://amigo.geneontology.org/amigo/term/"


def _go(name: str, go_id: str, *evidence: str) -> Item:
    return Item(name=name, id=go_id, evidence=evidence, url=AMIGO + go_id)


def _fact(key: str, label: str, value: Any, source: str = "orgdb-3.16", unit: str | None = None,
          pct: float | None = None, population: str = "protein-coding genes", size: int = 19_255,
          url: str | None = None) -> Fact:
    return Fact(
        key=key, label=label, value=value, unit=unit, source=source,
        links=(Link(label="source", url=url),) if url else (),
        percentile=Percentile(value=pct, population=population, size=size)
        if pct is not None else None,
    )


SOURCES = {
    "orgdb-3.16": SourceRef(id="orgdb-3.16", name="org.Hs.eg.db + GO.db (Bioconductor)",
                            version="3.16.0", release_date="2022-09-26", licence="Artistic-2.0",
                            url="https://bioconductor.org/packages/org.Hs.eg.db/"),
    "ensembl-ideogram": SourceRef(id="ensembl-ideogram", name="Ensembl, GTEx, WikiPathways",
                                  version="110", release_date="2023-07-01", licence="open",
                                  url="https://github.com/eweitz/ideogram"),
    "uniprot-2014": SourceRef(id="uniprot-2014", name="UniProt", version="2014_01",
                              release_date="2014-01-22", licence="CC BY 4.0",
                              url="https://www.uniprot.org"),
}


def full_sheet(**drop: bool) -> FactSheet:
    """A synthetic MT1G-like sheet with every offline section; ``drop_<section>=True`` drops one."""
    prot = "human canonical proteins"
    facts = [
        _fact("identity.ncbi_gene_id", "NCBI Gene ID", "4495",
              url="https://www.ncbi.nlm.nih.gov/gene/4495"),
        _fact("identity.symbol", "Symbol", "MT1G"),
        _fact("identity.name", "Full name", "metallothionein 1G"),
        _fact("identity.gene_type", "Gene type", "protein-coding"),
        _fact("identity.ensembl_id", "Ensembl gene ID", "ENSG00000125144"),
        _fact("identity.chromosome", "Chromosome", "16"),
        _fact("identity.band", "Cytogenetic band", "16q13"),
        _fact("function.molecular_function", "GO molecular function", (
            _go("protein binding", "GO:0005515", "IPI"),
            _go("zinc ion binding", "GO:0008270", "IDA"),
            _go("metal ion binding", "GO:0046872", "IBA"),
        ), url="https://amigo.geneontology.org/amigo/search/annotation?q=NCBIGene:4495"),
        _fact("function.cellular_component", "GO cellular component", (
            _go("nucleus", "GO:0005634", "IBA", "IDA"),
            _go("cytoplasm", "GO:0005737", "IDA"),
        )),
        _fact("function.biological_process", "GO biological process", (
            _go("cellular zinc ion homeostasis", "GO:0006882", "IBA"),
            _go("detoxification of copper ion", "GO:0010273", "IBA"),
            _go("negative regulation of growth", "GO:0045926", "IDA"),
            _go("cellular response to zinc ion", "GO:0071294", "IBA", "IDA", "IEP"),
        )),
        _fact("structure.canonical_transcript", "Canonical transcript", "ENST00000379818",
              source="ensembl-ideogram",
              url="https://www.ensembl.org/Homo_sapiens/Transcript/Summary?t=ENST00000379818"),
        _fact("structure.gene_length", "Gene length", 1336, "ensembl-ideogram", "bp", 3.4187),
        _fact("structure.mature_length", "Mature (spliced) transcript length", 424,
              "ensembl-ideogram", "bp", 1.0231),
        _fact("structure.primary_transcript_length", "Primary transcript length", 1336,
              "ensembl-ideogram", "bp", 3.9102),
        _fact("structure.exon_count", "Exons in the canonical transcript", 3,
              "ensembl-ideogram", pct=12.5633),
        _fact("literature.publication_count", "Publications linked to the gene", 48,
              unit="publications",
              url="https://pubmed.ncbi.nlm.nih.gov/?linkname=gene_pubmed&from_uid=4495"),
        _fact("expression.top_tissues", "Top tissues by median expression (GTEx)", (
            Item(name="Liver", value=1210.37, unit="TPM"),
            Item(name="Kidney - Cortex", value=530.2, unit="TPM"),
            Item(name="Thyroid", value=96.81, unit="TPM"),
        ), "ensembl-ideogram", url="https://gtexportal.org/home/gene/MT1G"),
        _fact("pathways.wikipathways", "WikiPathways pathways", (
            Item(name="Zinc homeostasis", id="WP3529",
                 url="https://www.wikipathways.org/pathways/WP3529"),
            Item(name="Copper homeostasis", id="WP3286",
                 url="https://www.wikipathways.org/pathways/WP3286"),
        ), "ensembl-ideogram"),
        _fact("protein.uniprot_accession", "Protein analysed (UniProt accession)", "P13640",
              "uniprot-2014", url="https://www.uniprot.org/uniprotkb/P13640"),
        _fact("protein.length", "Sequence length", 62, "uniprot-2014", "aa", 0.3391,
              prot, 20_180),
        _fact("protein.molecular_weight", "Molecular weight", 6141.3811, "uniprot-2014", "Da",
              0.1814, prot, 20_180),
        _fact("protein.isoelectric_point", "Isoelectric point", 8.3812, "uniprot-2014", None,
              64.2719, prot, 20_180),
        _fact("protein.gravy", "GRAVY (hydropathy)", -0.19355, "uniprot-2014", None, 69.8213,
              prot, 20_180),
        _fact("protein.charge_ph7", "Charge at pH 7.0", 4.3011, "uniprot-2014", None, 65.6790,
              prot, 20_180),
        _fact("protein.flexibility_median", "Median flexibility", 0.98921, "uniprot-2014",
              None, 10.9302, prot, 20_180),
        _fact("protein.helix_fraction", "Helix fraction", 0.306452, "uniprot-2014", None,
              37.5612, prot, 20_180),
        _fact("protein.turn_fraction", "Turn fraction", 0.274194, "uniprot-2014", None,
              41.9241, prot, 20_180),
        _fact("protein.sheet_fraction", "Sheet fraction", 0.080645, "uniprot-2014", None,
              0.2611, prot, 20_180),
        _fact("protein.instability_index", "Instability index", 72.0984, "uniprot-2014", None,
              95.7703, prot, 20_180),
    ]
    kept = {f.key: f for f in facts if not drop.get(f"drop_{f.section}")}
    used = {f.source for f in kept.values()}
    return FactSheet(
        gene_id=4495, symbol="MT1G", facts=kept,
        sources={k: v for k, v in SOURCES.items() if k in used},
        missing_sections=tuple(s for s, d in drop.items() if d),
    )


def build_store(path: Path, sheet: FactSheet | None = None) -> Path:
    """A real fact store file holding one gene (the synthetic sheet by default)."""
    from writer.store import StoreBuilder

    sheet = sheet or full_sheet()
    builder = StoreBuilder(path)
    builder.add_genes([(sheet.gene_id, sheet.symbol, "metallothionein 1G", "protein-coding",
                        "16", "16q13", 56666730, 56668065, "-")])
    builder.add_names([(sheet.symbol, sheet.gene_id, "symbol"),
                       ("ENSG00000125144", sheet.gene_id, "ensembl")])
    for ref in sheet.sources.values():
        builder.add_source(ref, [])
    populations: dict[str, str] = {}
    for key, fact in sheet.facts.items():
        builder.add_fact(sheet.gene_id, key, fact.value, source=fact.source,
                         links=fact.links)
        if fact.percentile:
            populations[key] = fact.percentile.population
    for key, desc in populations.items():
        builder.declare_population(key, desc)
    builder.finish()
    return path


# --- a scripted OpenAI-compatible endpoint ---------------------------------------------------
def completion(text: str, prompt_tokens: int = 120, completion_tokens: int = 80) -> dict:
    """A chat.completions response body in the documented format."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "scripted",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                     "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


def section_of(body: dict) -> str:
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    name = re.search(r"^Section: ([\w ]+)\.", user, re.MULTILINE).group(1).replace(" ", "_")
    return {"gene_structure": "structure", "protein_properties": "protein"}.get(name, name)


def template_in(body: dict) -> str:
    """The template paragraph the prompt carries (a 'model' that copies it is grounded)."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return user.split("for the expected tone and form", 1)[1].split(":", 1)[1].strip()


def good_answer(body: dict) -> str:
    """A grounded answer: the template paragraph, reworded at its start."""
    text = template_in(body)
    return text.replace("The gene enables", "This gene enables", 1)


class Script:
    """A scripted endpoint: ``answer(body, n) -> (status, json, headers)`` per request
    (``bytes`` instead of json: that body as it is, e.g. an HTML error page).

    Records every request (body and headers) so tests can look at what was sent.
    """

    def __init__(self, answer: Callable[[dict, int], tuple[int, Any, dict[str, str]]],
                 delay: float = 0.0) -> None:
        self.answer = answer
        self.delay = delay
        self.requests: list[dict] = []
        self.headers: list[dict[str, str]] = []
        self.lock = threading.Lock()

    def next(self, body: dict, headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            self.requests.append(body)
            self.headers.append(headers)
            n = len(self.requests)
        if self.delay:
            time.sleep(self.delay)
        return self.answer(body, n)

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        status, payload, headers = self.next(body, dict(request.headers))
        if payload == "TIMEOUT":
            raise httpx.ReadTimeout("scripted timeout", request=request)
        if isinstance(payload, bytes):
            return httpx.Response(status, content=payload, headers=headers)
        return httpx.Response(status, json=payload, headers=headers)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)


def ok(text_of: Callable[[dict], str] = good_answer):
    def answer(body: dict, n: int) -> tuple[int, Any, dict[str, str]]:
        return 200, completion(text_of(body)), {}
    return answer


class LoopbackServer:
    """A real HTTP server on 127.0.0.1 in a thread, answering from a ``Script``.

    ``hang_first`` seconds: the first request of each section sleeps that long before
    answering (a hanging endpoint); bounded, so the server always stops by itself.
    """

    def __init__(self, script: Script, hang_first: float = 0.0) -> None:
        self.script = script
        self.hang_first = hang_first
        self._hung: set[str] = set()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # The headers and the body are two writes: without TCP_NODELAY the body waits for
            # the client's delayed ACK of the headers (about 40 ms per answer on Linux), a
            # delay real servers (uvicorn under vLLM, llama.cpp's) do not add.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length))
                section = section_of(body)
                if outer.hang_first and section not in outer._hung:
                    outer._hung.add(section)
                    time.sleep(outer.hang_first)
                status, payload, headers = outer.script.next(body, dict(self.headers))
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    if "content-type" not in {k.lower() for k in headers}:
                        self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
