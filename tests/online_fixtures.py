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
import io
import json
import os
import zipfile
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "online"
RELEASED = 1_782_864_000.0  # 2026-07-01 00:00 UTC: the fixtures' Last-Modified
GZIPPED = {  # published gzipped upstream
    "ftp.ncbi.nlm.nih.gov/gene/DATA/GENE_INFO/Mammalia/Homo_sapiens.gene_info",
    "ftp.ncbi.nlm.nih.gov/gene/DATA/gene2ensembl",
    "ftp.ncbi.nlm.nih.gov/gene/DATA/gene2go",
    "ftp.ncbi.nlm.nih.gov/gene/DATA/gene2pubmed",
    "ftp.ncbi.nlm.nih.gov/pub/lu/PubTator3/gene2pubtator3",
    "cdn.netbiol.org/tflink/download_files/"
    "TFLink_Homo_sapiens_interactions_All_simpleFormat_v1.0.tsv",
}
ZIPPED = {  # published as a zip of one file upstream: the member -> the zip's name
    "v24.proteinatlas.org/download/tsv/proteinatlas.tsv": "proteinatlas.tsv.zip",
    "plugins.biogps.org/download/U133AGNF1B.gcrma.avg.csv": "gnf1h-gcrma.zip",
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
        elif rel.as_posix() in ZIPPED:
            body = _zip(rel.name, body)
            rel = rel.with_name(ZIPPED[rel.as_posix()])
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
    server.add("https://v24.proteinatlas.org/ENSG00000167460.json",
               routes / "hpa_ENSG00000167460.json", last_modified=RELEASED)
    for page in (0, 1):
        server.add("https://www.ebi.ac.uk/gwas/rest/api/v2/associations?mapped_gene=TPM4"
                   f"&page={page}", routes / f"gwas_catalog_v2_associations_TPM4_page{page}.json",
                   last_modified=RELEASED)


def _zip(name: str, body: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(name, date_time=(2026, 7, 1, 0, 0, 0))
        archive.writestr(info, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


ONLINE_IDS = ["gene-ontology", "ncbi-gene", "pubtator3", "icite", "reactome", "hpa",
              "tflink"]
PANEL_GENES = ["MT1G", "NME1", "TPM4"]  # facts/panel/online/<symbol>.json


def link_packages(settings, package_cache: Path) -> None:  # noqa: ANN001 - writer Settings
    """Let ``settings``' download cache read the registry packages of the shared
    ``package_cache``, so syncing offline sources fetches nothing."""
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    packages = settings.cache_dir / "packages"
    if not packages.exists():
        packages.symlink_to(package_cache / "packages", target_is_directory=True)


def home_settings(home: Path, package_cache: Path):  # noqa: ANN201 - writer Settings
    """Settings of a fact store, queue and cache under ``home``, the packages linked."""
    from writer.config import Settings

    settings = Settings(home=home, facts_path=home / "facts.sqlite",
                        queue_path=home / "queue.sqlite", cache_dir=home / "cache")
    link_packages(settings, package_cache)
    return settings


def sync_online(settings, package_cache: Path) -> None:  # noqa: ANN001 - writer Settings
    """org.Hs.eg.db (identity, from the shared ``package_cache``) plus every online source
    (from the mirror ``settings.http`` names) into ``settings.facts_path``."""
    from writer.progress import QUIET
    from writer.sync import sync

    link_packages(settings, package_cache)
    sync(settings, ["orgdb-3.16", *ONLINE_IDS], progress=QUIET, online=True)


def online_part(sheet) -> dict:  # noqa: ANN001 - a writer.factsheet.FactSheet
    """What the online sources say about a gene (facts, the checks on them, the sources),
    without the retrieval date (today's): the golden panel's online part."""
    data = json.loads(sheet.to_json())
    online = set(ONLINE_IDS)
    sources = {k: v for k, v in data["sources"].items() if k in online}
    for source in sources.values():
        source["version"] = source["version"].rsplit(" (retrieved", 1)[0]
        if source["id"] == "icite":  # records have no release: the date is the retrieval's
            source["release_date"] = "(retrieval date)"
    return {"gene_id": data["gene_id"], "symbol": data["symbol"],
            "facts": {k: f for k, f in data["facts"].items() if f["source"] in online},
            "sources": sources}
