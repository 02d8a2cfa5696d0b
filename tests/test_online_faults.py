"""Every online source against each HTTP fault class, through the mirror setting and a real
local server playing its upstream: a passing fault (timeout, reset, 429 with Retry-After, 5xx)
is retried and the sync completes; one that persists, an HTML page instead of data, or a
truncated body ends in one line naming the source or URL, never a traceback.

(Wrong checksums: no online source publishes an md5 today; ``Fetcher.download``'s md5 check
is tested in test_http.py.)"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from online_fixtures import ONE_GENE, lay_out

from writer.errors import WriterError
from writer.http import Fetcher, HostRateLimiter, HttpSettings
from writer.sources import online_sources
from writer.sources.online import fetch_gene, load_all
from writer.store import StoreBuilder

pytest_plugins = ["httpserver"]

SOURCES = {s.id: s for s in online_sources()}
CHAIN = {"icite": ["ncbi-gene", "icite"]}  # icite asks for the PMIDs ncbi-gene found
TARGET = {  # the upstream each source is faulted on
    "gene-ontology": "https://current.geneontology.org/ontology/go-basic.obo",
    "ncbi-gene": "https://ftp.ncbi.nlm.nih.gov/gene/DATA/gene2go.gz",
    "pubtator3": "https://ftp.ncbi.nlm.nih.gov/pub/lu/PubTator3/gene2pubtator3.gz",
    "icite": "https://icite.od.nih.gov/api/pubs",
    "reactome": "https://reactome.org/download/current/NCBI2Reactome_All_Levels.txt",
    "hpa": "https://v24.proteinatlas.org/download/tsv/proteinatlas.tsv.zip",
    "tflink": "https://cdn.netbiol.org/tflink/download_files/"
              "TFLink_Homo_sapiens_interactions_All_simpleFormat_v1.0.tsv.gz",
    "gwas-catalog": "https://www.ebi.ac.uk/gwas/api/search/downloads/alternative",
    "biogps": "https://plugins.biogps.org/download/gnf1h-gcrma.zip",
}
HTML = b"<!DOCTYPE html><html><body><h1>Service unavailable</h1>maintenance</body></html>"
TIMEOUT = 1.0


def test_every_online_source_has_a_target() -> None:
    assert set(TARGET) == set(SOURCES)


def sync_source(mirror, tmp_path: Path, source_id: str, sleeps: list[float]) -> None:  # noqa: ANN001
    settings = HttpSettings(mirror=mirror.url, email=None, ncbi_api_key=None,
                            cache_dir=tmp_path / "cache", timeout=TIMEOUT, max_attempts=3)
    with Fetcher(settings, limiter=HostRateLimiter(sleep=lambda s: None),
                 sleep=sleeps.append) as fetcher:
        builder = StoreBuilder(tmp_path / "facts.sqlite.partial")
        try:
            load_all(builder, [SOURCES[s] for s in CHAIN.get(source_id, [source_id])], fetcher,
                     tmp_path / "cache")
        finally:
            builder.conn.close()


def match(source_id: str) -> str:
    return TARGET[source_id].split("://", 1)[1].split("?")[0]


@pytest.fixture
def upstream(mirror):  # noqa: ANN001
    lay_out(mirror)
    return mirror


PASSING = {
    "5xx": lambda m, s: m.fail_next(2, 503, match=match(s)),
    "429": lambda m, s: m.fail_next(2, 429, {"Retry-After": "3"}, match=match(s)),
    "reset": lambda m, s: m.drop_next(2, after_bytes=5, match=match(s)),
    "timeout": lambda m, s: m.delay_next(1, TIMEOUT + 0.5, match=match(s)),
}


@pytest.mark.parametrize("fault", sorted(PASSING))
@pytest.mark.parametrize("source_id", sorted(TARGET))
def test_a_passing_fault_is_retried_and_the_sync_completes(
        upstream, tmp_path: Path, source_id: str, fault: str) -> None:  # noqa: ANN001
    sleeps: list[float] = []
    PASSING[fault](upstream, source_id)
    sync_source(upstream, tmp_path, source_id, sleeps)
    hits = [r for r in upstream.requests if match(source_id) in f"{r.host}{r.upstream_path}"]
    assert len(hits) >= (2 if fault == "timeout" else 3)
    if fault == "429":
        assert sleeps[:2] == [3.0, 3.0]  # as long as Retry-After said


def _body_of(mirror, url: str) -> bytes:  # noqa: ANN001
    host_path = url.split("://", 1)[1]
    path = mirror.root / host_path
    return path.read_bytes() if path.is_file() else b""


LASTING = {
    "5xx": lambda m, s: m.fail_next(50, 502, match=match(s)),
    "429": lambda m, s: m.fail_next(50, 429, {"Retry-After": "1"}, match=match(s)),
    "reset": lambda m, s: m.drop_next(50, after_bytes=0, match=match(s)),  # no progress
    "html": lambda m, s: m.add(TARGET[s], HTML, {"Content-Type": "text/html"}),
    "truncated": lambda m, s: (
        m.add(TARGET[s], b'{"data": [{"pmid": 1, "year": 20', {"Content-Type": "application/json"})
        if s == "icite" else m.put_file(TARGET[s], _truncate(_body_of(m, TARGET[s]), TARGET[s]))),
}


def _truncate(body: bytes, url: str) -> bytes:
    if url.endswith(".gz"):
        return body[: len(body) // 2]  # a gzip stream cut in the middle
    text = body[: len(body) // 2]
    return text[: text.rfind(b"\t") + 1]  # a text file cut in the middle of a row


@pytest.mark.parametrize("fault", sorted(LASTING))
@pytest.mark.parametrize("source_id", sorted(TARGET))
def test_a_lasting_fault_is_one_line(
        upstream, tmp_path: Path, source_id: str, fault: str) -> None:  # noqa: ANN001
    LASTING[fault](upstream, source_id)
    with pytest.raises(WriterError) as caught:
        sync_source(upstream, tmp_path, source_id, [])
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    url = TARGET[source_id]
    names = (source_id, match(source_id).split("/")[0], url.rsplit("/", 1)[1].split(".")[0],
             "/api/pubs")
    assert any(n.lower() in message.lower() for n in names), message  # says what failed


def test_gzip_fixture_is_really_gzip(upstream) -> None:  # noqa: ANN001
    assert gzip.decompress(_body_of(upstream, TARGET["pubtator3"]))


# --- one gene on demand (`writer facts GENE --online`, `writer draft GENE --online`) -----------
GENE_TARGET = {  # the per-gene request each source is faulted on (TPM4's recorded answers)
    "ncbi-gene": "eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi",
    "pubtator3": "www.ncbi.nlm.nih.gov/research/pubtator3-api/search/",
    "icite": "icite.od.nih.gov/api/pubs",
    "reactome": "reactome.org/download/current/NCBI2Reactome_All_Levels.txt",
    "hpa": "v24.proteinatlas.org/ENSG00000167460.json",
    "tflink": "cdn.netbiol.org/tflink/download_files/",
    "gwas-catalog": "www.ebi.ac.uk/gwas/rest/api/v2/associations",
    "biogps": "plugins.biogps.org/download/gnf1h-gcrma.zip",
}
ON_DEMAND = {s.id: s for s in online_sources() if s.fetch is not None}


def test_every_on_demand_source_has_a_target() -> None:
    assert set(GENE_TARGET) == set(ON_DEMAND)


def fetch_one_gene(mirror, store, tmp_path: Path, source_id: str, sleeps: list[float]):  # noqa: ANN001, ANN201
    settings = HttpSettings(mirror=mirror.url, email=None, ncbi_api_key=None,
                            cache_dir=tmp_path / "cache", timeout=TIMEOUT, max_attempts=3)
    with Fetcher(settings, limiter=HostRateLimiter(sleep=lambda s: None),
                 sleep=sleeps.append) as fetcher:
        return fetch_gene(store.sheet(ONE_GENE),
                          [ON_DEMAND[s] for s in CHAIN.get(source_id, [source_id])],
                          fetcher, tmp_path / "cache")


def _gene_fault(kind: str, lasting: bool):  # noqa: ANN202
    n = 50 if lasting else 2
    return {
        "5xx": lambda m, t: m.fail_next(n, 502 if lasting else 503, match=t),
        "429": lambda m, t: m.fail_next(n, 429, {"Retry-After": "1" if lasting else "3"},
                                        match=t),
        "reset": lambda m, t: m.drop_next(n, after_bytes=0 if lasting else 5, match=t),
        "timeout": lambda m, t: m.delay_next(1, TIMEOUT + 0.5, match=t),
    }[kind]


@pytest.mark.parametrize("fault", sorted(PASSING))
@pytest.mark.parametrize("source_id", sorted(GENE_TARGET))
def test_a_passing_fault_on_demand_is_retried_and_the_gene_fetched(
        upstream, store, tmp_path: Path, source_id: str, fault: str) -> None:  # noqa: ANN001
    sleeps: list[float] = []
    target = GENE_TARGET[source_id]
    clean = fetch_one_gene(upstream, store, tmp_path / "clean", source_id, [])
    _gene_fault(fault, lasting=False)(upstream, target)
    asked = len(upstream.requests)
    sheet = fetch_one_gene(upstream, store, tmp_path / "faulted", source_id, sleeps)
    assert sheet.facts == clean.facts  # the same facts as without the fault
    hits = [r for r in upstream.requests[asked:] if target in f"{r.host}{r.upstream_path}"]
    assert len(hits) >= (2 if fault == "timeout" else 3)
    if fault == "429":
        assert sleeps[:2] == [3.0, 3.0]


def _gene_body(mirror, target: str) -> tuple[str, bytes]:  # noqa: ANN001
    """The URL and body TPM4's request to ``target`` gets from the laid-out upstream."""
    route = mirror.route(target)
    if route is not None:
        return route
    url = next(u for u in TARGET.values() if target in u)
    return url, _body_of(mirror, url)


def _cut(mirror, target: str) -> None:  # noqa: ANN001
    url, body = _gene_body(mirror, target)
    if url in TARGET.values():
        mirror.put_file(url, _truncate(body, url))
    else:  # a JSON answer cut in the middle
        mirror.add(url, body[: len(body) // 2], {"Content-Type": "application/json"})


GENE_LASTING = {
    "5xx": lambda m, t: _gene_fault("5xx", lasting=True)(m, t),
    "429": lambda m, t: _gene_fault("429", lasting=True)(m, t),
    "reset": lambda m, t: _gene_fault("reset", lasting=True)(m, t),
    "html": lambda m, t: m.add(_gene_body(m, t)[0], HTML, {"Content-Type": "text/html"}),
    "truncated": _cut,
}


@pytest.mark.parametrize("fault", sorted(GENE_LASTING))
@pytest.mark.parametrize("source_id", sorted(GENE_TARGET))
def test_a_lasting_fault_on_demand_is_one_line_and_caches_nothing(
        upstream, store, tmp_path: Path, source_id: str, fault: str) -> None:  # noqa: ANN001
    GENE_LASTING[fault](upstream, GENE_TARGET[source_id])
    with pytest.raises(WriterError) as caught:
        fetch_one_gene(upstream, store, tmp_path, source_id, [])
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    host = GENE_TARGET[source_id].split("/")[0]
    spec = ON_DEMAND[source_id].spec
    endpoint = GENE_TARGET[source_id].rstrip("/").rsplit("/", 1)[1].split(".")[0]
    names = (source_id, host, " ".join(spec.name.split()[:2]), endpoint)
    assert any(n.lower() in message.lower() for n in names), message  # says what failed
    assert not list((tmp_path / "cache").rglob(f"genes/{ONE_GENE}.json"))  # nothing half-made
