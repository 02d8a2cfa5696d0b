"""The online sources' upstream, played by the local mirror server from small fixtures.

``tests/fixtures/online/<host>/<path>`` holds bulk files in the recorded formats (see its
README for what is recorded and what is composed); ``lay_out(server)`` copies them into the
server's file tree, gzipping the ones published as ``.gz``, with a fixed modification date
(so release dates are stable), and adds the per-gene API answers as routes.

    with MirrorServer(root) as server:
        lay_out(server)
        settings = HttpSettings(mirror=server.url, ...)
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "online"
RELEASED = 1_782_864_000.0  # 2026-07-01 00:00 UTC: the fixtures' Last-Modified
GZIPPED = {  # published gzipped upstream
    "ftp.ncbi.nlm.nih.gov/gene/DATA/GENE_INFO/Mammalia/Homo_sapiens.gene_info",
    "ftp.ncbi.nlm.nih.gov/gene/DATA/gene2ensembl",
    "ftp.ncbi.nlm.nih.gov/gene/DATA/gene2go",
    "ftp.ncbi.nlm.nih.gov/gene/DATA/gene2pubmed",
    "ftp.ncbi.nlm.nih.gov/pub/lu/PubTator3/gene2pubtator3",
}
ONE_GENE = 7171  # TPM4: the gene whose per-gene answers are routes (its esummary is recorded)


def lay_out(server) -> None:  # noqa: ANN001 - a tests.httpserver.MirrorServer
    for path in sorted(FIXTURES.rglob("*")):
        rel = path.relative_to(FIXTURES)
        if not path.is_file() or rel.parts[0] == "routes" or path.name == "README.md":
            continue
        body = path.read_bytes()
        if rel.as_posix() in GZIPPED:
            body = gzip.compress(body, mtime=0)
            rel = rel.with_name(rel.name + ".gz")
        dest = server.root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(body)
        os.utime(dest, (RELEASED, RELEASED))
    routes = FIXTURES / "routes"
    server.add("https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi?db=gene&id=7171",
               routes / "ncbi_esummary_gene_7171.json", last_modified=RELEASED)
    server.add("https://eutils.ncbi.nlm.nih.gov/entrez/eutils/elink.fcgi?dbfrom=gene&id=7171",
               routes / "elink_gene_pubmed_7171.json", last_modified=RELEASED)
    server.add("https://www.ncbi.nlm.nih.gov/research/pubtator3-api/search/?text=@GENE_TPM4",
               routes / "pubtator3_search_TRIMMED.json", last_modified=RELEASED)
