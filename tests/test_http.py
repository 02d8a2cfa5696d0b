"""The HTTP layer against a real local server, reached through the mirror setting.

Every request goes out as ``https://<upstream host>/...``; the mirror transport sends it to
``tests/httpserver.py``'s server on 127.0.0.1, which plays the upstream and records what it
saw. Retry waits go to a recorder instead of ``time.sleep``; the rate limiter is real (its own
tests measure it) but left free in the other tests so they run fast.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import random
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from writer.errors import BadDownload, BadSetting, NetworkError, UserInputError
from writer.http import (
    Fetcher,
    HostRateLimiter,
    HttpSettings,
    http_settings,
    parse_md5,
    rate_for,
    retry_after_seconds,
)
from writer.progress import Progress

if TYPE_CHECKING:
    from httpserver import MirrorServer, NetworkGuard

pytest_plugins = ["httpserver"]  # the ``mirror`` and ``no_network`` fixtures

SAMPLES = Path("/work/shared/api-samples")
SAMPLE = SAMPLES / "ncbi_esummary_gene_7171.json"
EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
ESUMMARY = f"{EUTILS}/esummary.fcgi"
ICITE = "https://icite.od.nih.gov/api/pubs"
BULK = "https://ftp.ncbi.nlm.nih.gov/gene/DATA/GENE_INFO/Mammalia/Homo_sapiens.gene_info.gz"
KEY = "s3cr3t-ncbi-key-0123456789"


def no_wait(seconds: float) -> None:
    pass


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_fetcher(
    mirror: MirrorServer, tmp_path: Path, sleeps: list[float]
) -> Callable[..., Fetcher]:
    made: list[Fetcher] = []

    def make(limiter: HostRateLimiter | None = None, **overrides: object) -> Fetcher:
        fields: dict[str, object] = {
            "mirror": mirror.url, "email": "curator@example.org", "ncbi_api_key": None,
            "cache_dir": tmp_path / "cache", "max_attempts": 4,
        }
        fields.update(overrides)
        fetcher = Fetcher(
            HttpSettings(**fields),  # type: ignore[arg-type]
            limiter=limiter or HostRateLimiter(sleep=no_wait),
            sleep=sleeps.append,
        )
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


@pytest.fixture
def fetcher(make_fetcher: Callable[..., Fetcher]) -> Fetcher:
    return make_fetcher()


@pytest.fixture
def esummary(mirror: MirrorServer) -> bytes:
    body = SAMPLE.read_bytes()
    mirror.add(f"{ESUMMARY}?db=gene&id=7171", body, {"Content-Type": "application/json"})
    return body


def big_file(size: int = 300_000) -> bytes:
    return random.Random(7171).randbytes(size)


# --- settings ------------------------------------------------------------------------------


def test_settings_read_environment_before_config(tmp_path: Path) -> None:
    config = {"mirror": "http://config-mirror:1/x", "email": "config@example.org"}
    env = {"GENE_WRITER_MIRROR": "http://10.0.0.5:8080/upstream/", "NCBI_API_KEY": KEY,
           "GENE_WRITER_EMAIL": ""}
    settings = http_settings(env, config, tmp_path)
    assert settings.mirror == "http://10.0.0.5:8080/upstream"  # trailing slash dropped
    assert settings.email == "config@example.org"  # an empty variable counts as unset
    assert settings.ncbi_api_key == KEY
    assert KEY not in repr(settings)
    assert http_settings({}, {}, tmp_path).mirror is None


@pytest.mark.parametrize(
    "value", ["ftp://mirror/x", "mirror.example.org", "http://", "http://h/p?x=1", "http://h:port"]
)
def test_a_bad_mirror_is_one_line_of_bad_input(value: str, tmp_path: Path) -> None:
    with pytest.raises(BadSetting) as info:
        http_settings({}, {"mirror": value}, tmp_path)
    assert isinstance(info.value, UserInputError) and info.value.exit_code == 2
    assert "\n" not in str(info.value) and "config.toml" in str(info.value)


def test_a_bad_mirror_message_hides_its_password(tmp_path: Path) -> None:
    with pytest.raises(BadSetting, match="GENE_WRITER_MIRROR") as info:
        http_settings({"GENE_WRITER_MIRROR": "ftp://user:hunter2@mirror/x"}, {}, tmp_path)
    assert "hunter2" not in str(info.value)


# --- the mirror, User-Agent and NCBI's parameters -----------------------------------------


def test_mirror_receives_the_original_host_path_and_query(
    fetcher: Fetcher, mirror: MirrorServer, esummary: bytes
) -> None:
    got = fetcher.get(ESUMMARY, {"db": "gene", "id": 7171, "term": "TPM4[sym]"})
    assert got.json()["result"]["7171"]["name"] == "TPM4"
    assert got.content == esummary and got.url.startswith(ESUMMARY)  # the original URL
    (seen,) = mirror.requests
    assert seen.path == "/mirror/eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi"
    assert seen.raw_query.startswith("db=gene&id=7171&term=TPM4%5Bsym%5D")
    assert seen.headers["host"] == mirror.url.split("/")[2]  # the mirror's, not NCBI's


def test_user_agent_names_gene_writer_and_its_version(
    fetcher: Fetcher, mirror: MirrorServer, esummary: bytes
) -> None:
    fetcher.get(f"{ESUMMARY}?db=gene&id=7171")
    assert mirror.requests[0].headers["user-agent"].startswith("gene-writer/0.1.0")


def test_ncbi_tool_and_email_go_to_eutils_only(
    fetcher: Fetcher, mirror: MirrorServer, esummary: bytes
) -> None:
    mirror.add(f"{ICITE}?pmids=1", (SAMPLES / "icite_pubs.json").read_bytes())
    fetcher.get(ESUMMARY, {"db": "gene", "id": "7171"})
    fetcher.get(ICITE, {"pmids": "1"})
    eutils, icite = mirror.requests
    assert eutils.query["tool"] == ["gene-writer"]
    assert eutils.query["email"] == ["curator@example.org"]
    assert "api_key" not in eutils.query
    assert not {"tool", "email"} & set(icite.query)


def test_api_key_goes_to_eutils_but_never_into_logs_cache_or_errors(
    make_fetcher: Callable[..., Fetcher], mirror: MirrorServer, esummary: bytes,
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    fetcher = make_fetcher(ncbi_api_key=KEY)
    caplog.set_level(logging.DEBUG)
    fetcher.get(ESUMMARY, {"db": "gene", "id": "7171"})
    with pytest.raises(NetworkError) as info:
        fetcher.get(f"{EUTILS}/efetch.fcgi", {"db": "gene", "id": "1"})
    assert [r.query.get("api_key") for r in mirror.requests] == [[KEY], [KEY]]
    assert "esummary.fcgi" in caplog.text and KEY not in caplog.text
    assert KEY not in str(info.value)
    for path in (tmp_path / "cache").rglob("*"):
        assert not path.is_file() or KEY.encode() not in path.read_bytes()


def test_guard_stops_a_request_that_would_leave_the_machine(
    no_network: NetworkGuard, tmp_path: Path
) -> None:
    settings = HttpSettings(mirror=None, email=None, ncbi_api_key=None, cache_dir=tmp_path)
    with Fetcher(settings, sleep=no_wait) as fetcher, pytest.raises(AssertionError):
        fetcher.get(ESUMMARY, {"db": "gene", "id": "7171"})
    assert no_network.violations == ["eutils.ncbi.nlm.nih.gov"]
    no_network.violations.clear()


# --- retries -------------------------------------------------------------------------------


def test_a_503_is_retried_until_it_succeeds(
    fetcher: Fetcher, mirror: MirrorServer, esummary: bytes, sleeps: list[float]
) -> None:
    mirror.fail_next(2, status=503)
    assert fetcher.get(f"{ESUMMARY}?db=gene&id=7171").content == esummary
    assert [r.status for r in mirror.requests] == [503, 503, 200]
    assert len(sleeps) == 2 and all(0 < s <= 30 for s in sleeps)


def test_a_429_waits_as_long_as_retry_after_says(
    fetcher: Fetcher, mirror: MirrorServer, esummary: bytes, sleeps: list[float]
) -> None:
    mirror.fail_next(1, status=429, headers={"Retry-After": "7"})
    fetcher.get(f"{ESUMMARY}?db=gene&id=7171")
    assert sleeps == [7.0]


def test_retry_after_as_an_http_date(
    fetcher: Fetcher, mirror: MirrorServer, esummary: bytes, sleeps: list[float]
) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    mirror.fail_next(1, status=503, headers={"Retry-After": when})
    fetcher.get(f"{ESUMMARY}?db=gene&id=7171")
    assert len(sleeps) == 1 and 28 <= sleeps[0] <= 30


def test_retry_after_parsing() -> None:
    now = datetime(2015, 10, 21, 7, 27, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now) == 60.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:00:00 GMT", now) == 0.0  # in the past
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_gives_up_after_max_attempts_with_one_line(
    make_fetcher: Callable[..., Fetcher], mirror: MirrorServer, esummary: bytes
) -> None:
    fetcher = make_fetcher(max_attempts=3)
    mirror.fail_next(10, status=503)
    with pytest.raises(NetworkError) as info:
        fetcher.get(ESUMMARY, {"db": "gene", "id": "7171"})
    message = str(info.value)
    assert len(mirror.requests) == 3
    assert "\n" not in message and info.value.status == 503
    assert message.startswith(f"cannot fetch {ESUMMARY}?db=gene&id=7171: HTTP 503")
    assert "3 attempts" in message and mirror.url in message  # says which mirror failed


def test_a_404_is_not_retried(fetcher: Fetcher, mirror: MirrorServer, sleeps: list[float]) -> None:
    with pytest.raises(NetworkError, match=r"esummary.fcgi\?db=gene&id=0: HTTP 404 Not Found"):
        fetcher.get(ESUMMARY, {"db": "gene", "id": "0"})
    assert len(mirror.requests) == 1 and sleeps == []


def test_a_connection_cut_mid_body_is_retried(
    fetcher: Fetcher, mirror: MirrorServer, esummary: bytes
) -> None:
    mirror.drop_next(1, after_bytes=100)
    assert fetcher.get(f"{ESUMMARY}?db=gene&id=7171").content == esummary
    assert [r.body_bytes for r in mirror.requests] == [100, len(esummary)]


def test_a_slow_answer_times_out_and_is_retried(
    make_fetcher: Callable[..., Fetcher], mirror: MirrorServer, esummary: bytes
) -> None:
    fetcher = make_fetcher(timeout=0.3)
    mirror.delay_next(1, seconds=1.5)
    start = time.monotonic()
    assert fetcher.get(f"{ESUMMARY}?db=gene&id=7171").content == esummary
    assert time.monotonic() - start < 1.2  # did not wait for the slow answer
    assert len(mirror.requests) == 2


def test_a_refused_connection_ends_in_network_error(
    no_network: NetworkGuard, tmp_path: Path, sleeps: list[float]
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = HttpSettings(mirror=f"http://127.0.0.1:{port}", email=None, ncbi_api_key=None,
                            cache_dir=tmp_path, max_attempts=2)
    fetcher = Fetcher(settings, limiter=HostRateLimiter(sleep=no_wait), sleep=sleeps.append)
    with fetcher, pytest.raises(NetworkError, match="ConnectError") as info:
        fetcher.get(ICITE, {"pmids": "1"})
    assert info.value.status is None and len(sleeps) == 1


# --- rate limit ----------------------------------------------------------------------------


def test_rates_per_host(tmp_path: Path) -> None:
    plain = HttpSettings(mirror=None, email=None, ncbi_api_key=None, cache_dir=tmp_path)
    keyed = HttpSettings(mirror=None, email=None, ncbi_api_key=KEY, cache_dir=tmp_path)
    pubtator = httpx.URL("https://www.ncbi.nlm.nih.gov/research/pubtator3-api/search/?text=x")
    assert rate_for(httpx.URL(ESUMMARY), plain) == 3
    assert rate_for(httpx.URL(ESUMMARY), keyed) == 10
    assert rate_for(pubtator, plain) == 3
    assert rate_for(httpx.URL("https://www.ncbi.nlm.nih.gov/gene/7171"), plain) == 5
    assert rate_for(httpx.URL(ICITE), keyed) == 5


def test_limiter_spaces_a_host_and_leaves_others_alone() -> None:
    now = [100.0]
    starts: dict[str, list[float]] = {"a": [], "b": []}

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = HostRateLimiter(clock=lambda: now[0], sleep=sleep)
    for _ in range(7):
        limiter.wait("a", 3.0)
        starts["a"].append(now[0] - 100)
    limiter.wait("b", 3.0)
    starts["b"].append(now[0] - 100)
    assert starts["a"] == pytest.approx([0, 1 / 3, 2 / 3, 1, 4 / 3, 5 / 3, 2])
    assert starts["b"] == pytest.approx([2])  # its first request did not wait for "a"
    # at most 3 requests start in any one-second window
    assert all(b - a >= 1 - 1e-9 for a, b in zip(starts["a"], starts["a"][3:], strict=False))


def test_eutils_really_gets_at_most_3_requests_a_second_from_many_threads(
    make_fetcher: Callable[..., Fetcher], mirror: MirrorServer, esummary: bytes
) -> None:
    limiter = HostRateLimiter()  # real clock, real sleep
    fetchers = [make_fetcher(limiter=limiter) for _ in range(2)]  # two clients, one budget
    threads = [
        threading.Thread(target=fetchers[i % 2].get, args=(f"{ESUMMARY}?db=gene&id=7171",))
        for i in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    arrivals = sorted(r.at for r in mirror.requests)
    assert len(arrivals) == 5
    # no 4 requests within one second (arrival times jitter by a few tens of milliseconds)
    assert all(b - a > 0.9 for a, b in zip(arrivals, arrivals[3:], strict=False))
    assert arrivals[-1] - arrivals[0] > 1.2


# --- cache ---------------------------------------------------------------------------------


def test_a_repeat_get_is_conditional_and_a_304_serves_the_cached_body(
    fetcher: Fetcher, mirror: MirrorServer, esummary: bytes
) -> None:
    first = fetcher.get(ESUMMARY, {"db": "gene", "id": "7171"})
    second = fetcher.get(ESUMMARY, {"db": "gene", "id": "7171"})
    cold, warm = mirror.requests
    assert cold.status == 200 and cold.body_bytes == len(esummary)
    assert warm.headers["if-none-match"] == first.headers["etag"]
    assert warm.status == 304 and warm.body_bytes == 0
    assert second.content == esummary and second.from_cache and not first.from_cache
    assert second.retrieved_at >= first.retrieved_at  # upstream confirmed it again
    assert second.json() == json.loads(esummary)


def test_a_changed_upstream_replaces_the_cached_body(
    fetcher: Fetcher, mirror: MirrorServer, esummary: bytes
) -> None:
    fetcher.get(f"{ESUMMARY}?db=gene&id=7171")
    mirror.add(f"{ESUMMARY}?db=gene&id=7171", b'{"result": "new"}')
    got = fetcher.get(f"{ESUMMARY}?db=gene&id=7171")
    assert got.content == b'{"result": "new"}' and not got.from_cache
    assert fetcher.get(f"{ESUMMARY}?db=gene&id=7171").from_cache


def test_the_cache_key_is_the_full_url(
    fetcher: Fetcher, mirror: MirrorServer, esummary: bytes
) -> None:
    mirror.add(f"{ESUMMARY}?db=gene&id=7157", b"{}")
    fetcher.get(ESUMMARY, {"db": "gene", "id": "7171"})
    fetcher.get(ESUMMARY, {"db": "gene", "id": "7157"})
    assert "if-none-match" not in mirror.requests[1].headers


def test_last_modified_alone_makes_an_if_modified_since(tmp_path: Path) -> None:
    """Through an injected ``httpx.MockTransport``: a server that sends no ETag."""
    seen: list[httpx.Request] = []
    stamp = "Wed, 21 Oct 2015 07:28:00 GMT"

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("if-modified-since") == stamp:
            return httpx.Response(304)
        return httpx.Response(200, content=b"v1", headers={"Last-Modified": stamp})

    settings = HttpSettings(mirror=None, email=None, ncbi_api_key=None, cache_dir=tmp_path)
    with Fetcher(settings, transport=httpx.MockTransport(answer),
                 limiter=HostRateLimiter(sleep=no_wait)) as fetcher:
        fetcher.get(ICITE)
        again = fetcher.get(ICITE)
    assert again.content == b"v1" and again.from_cache
    assert "if-none-match" not in seen[1].headers


# --- downloads -----------------------------------------------------------------------------


def leftovers(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.parent.iterdir() if p.name != dest.name)


@pytest.mark.parametrize("md5_format", ["MD5 ({name}) = {hex}\n", "{hex}  {name}\n"])
def test_download_checks_the_published_md5(
    fetcher: Fetcher, mirror: MirrorServer, tmp_path: Path, md5_format: str
) -> None:
    body = big_file()
    mirror.put_file(BULK, body)
    md5 = hashlib.md5(body).hexdigest()
    name = BULK.rsplit("/", 1)[1]
    mirror.put_file(BULK + ".md5", md5_format.format(name=name, hex=md5).encode())
    dest = tmp_path / "out" / name
    result = fetcher.download(BULK, dest, md5_url=BULK + ".md5")
    assert dest.read_bytes() == body and result.md5 == md5 and result.size == len(body)
    assert result.last_modified and leftovers(dest) == []


def test_download_resumes_after_a_cut_and_is_byte_identical(
    fetcher: Fetcher, mirror: MirrorServer, tmp_path: Path
) -> None:
    body = big_file()
    mirror.put_file(BULK, body)
    mirror.drop_next(1, after_bytes=100_000, match="gene_info.gz")
    dest = tmp_path / "out" / "gene_info.gz"
    fetcher.download(BULK, dest)
    first, second = mirror.requests
    assert (first.status, first.body_bytes) == (200, 100_000)
    assert second.headers["range"] == "bytes=100000-" and "if-range" in second.headers
    assert second.headers["accept-encoding"] == "identity"  # ranges of the stored bytes
    assert (second.status, second.body_bytes) == (206, len(body) - 100_000)
    assert dest.read_bytes() == body and leftovers(dest) == []


def test_download_keeps_a_gz_served_with_content_encoding_compressed(
    fetcher: Fetcher, mirror: MirrorServer, tmp_path: Path
) -> None:
    packed = gzip.compress(big_file(50_000))
    mirror.add(BULK, packed, {"Content-Encoding": "gzip"})
    md5_line = f"{hashlib.md5(packed).hexdigest()}  Homo_sapiens.gene_info.gz\n"
    mirror.put_file(BULK + ".md5", md5_line.encode())
    dest = tmp_path / "out" / "gene_info.gz"
    fetcher.download(BULK, dest, md5_url=BULK + ".md5")
    assert dest.read_bytes() == packed


def test_download_starts_over_when_the_server_ignores_range(
    fetcher: Fetcher, mirror: MirrorServer, tmp_path: Path
) -> None:
    body = big_file()
    mirror.put_file(BULK, body)
    mirror.ranges = False
    mirror.drop_next(1, after_bytes=100_000)
    dest = tmp_path / "out" / "gene_info.gz"
    fetcher.download(BULK, dest)
    assert [r.status for r in mirror.requests] == [200, 200]
    assert dest.read_bytes() == body


def test_download_starts_over_when_the_file_changed_upstream(
    fetcher: Fetcher, mirror: MirrorServer, tmp_path: Path
) -> None:
    """A partial left by an earlier run of an older release is not continued."""
    body = big_file()
    mirror.put_file(BULK, body)
    dest = tmp_path / "out" / "gene_info.gz"
    dest.parent.mkdir()
    (dest.parent / "gene_info.gz.partial").write_bytes(b"old release " * 1000)
    (dest.parent / "gene_info.gz.partial.json").write_text(
        json.dumps({"url": BULK, "validator": '"old-etag"'}))
    fetcher.download(BULK, dest)
    (only,) = mirror.requests
    assert only.headers["if-range"] == '"old-etag"' and only.status == 200
    assert dest.read_bytes() == body and leftovers(dest) == []


def test_download_survives_more_cuts_than_attempts_while_it_progresses(
    make_fetcher: Callable[..., Fetcher], mirror: MirrorServer, tmp_path: Path
) -> None:
    fetcher = make_fetcher(max_attempts=2)
    body = big_file()
    mirror.put_file(BULK, body)
    mirror.drop_next(4, after_bytes=50_000)
    dest = tmp_path / "out" / "gene_info.gz"
    fetcher.download(BULK, dest)
    assert len(mirror.requests) == 5 and dest.read_bytes() == body


def test_an_md5_mismatch_leaves_nothing_behind(
    fetcher: Fetcher, mirror: MirrorServer, tmp_path: Path
) -> None:
    body = big_file()
    mirror.put_file(BULK, body)
    mirror.put_file(BULK + ".md5", f"MD5 (Homo_sapiens.gene_info.gz) = {'0' * 32}\n".encode())
    dest = tmp_path / "fresh" / "gene_info.gz"
    with pytest.raises(BadDownload, match="does not match the published 0000") as info:
        fetcher.download(BULK, dest, md5_url=BULK + ".md5")
    assert "\n" not in str(info.value) and BULK in str(info.value)
    assert leftovers(dest) == [] and not dest.exists()


def test_a_failed_download_keeps_the_previous_file(
    fetcher: Fetcher, mirror: MirrorServer, tmp_path: Path
) -> None:
    mirror.put_file(BULK, big_file())
    mirror.put_file(BULK + ".md5", f"{'0' * 32}  Homo_sapiens.gene_info.gz\n".encode())
    dest = tmp_path / "out" / "gene_info.gz"
    dest.parent.mkdir()
    dest.write_bytes(b"last month's release")
    with pytest.raises(BadDownload):
        fetcher.download(BULK, dest, md5_url=BULK + ".md5")
    assert dest.read_bytes() == b"last month's release" and leftovers(dest) == []


def test_a_missing_file_fails_at_once(
    fetcher: Fetcher, mirror: MirrorServer, tmp_path: Path, sleeps: list[float]
) -> None:
    dest = tmp_path / "out" / "gene_info.gz"
    with pytest.raises(NetworkError, match="HTTP 404"):
        fetcher.download(BULK, dest)
    assert len(mirror.requests) == 1 and sleeps == [] and not dest.exists()


def test_a_download_that_never_progresses_gives_up(
    make_fetcher: Callable[..., Fetcher], mirror: MirrorServer, tmp_path: Path
) -> None:
    fetcher = make_fetcher(max_attempts=3)
    mirror.put_file(BULK, big_file())
    mirror.fail_next(10, status=503)
    dest = tmp_path / "out" / "gene_info.gz"
    with pytest.raises(NetworkError, match="HTTP 503.*3 attempts without progress"):
        fetcher.download(BULK, dest)
    assert len(mirror.requests) == 3 and not dest.exists()


def test_download_progress_shows_on_a_terminal_only(
    fetcher: Fetcher, mirror: MirrorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = big_file(3 * (1 << 20) + 5)
    mirror.put_file(BULK, body)
    mirror.put_file(BULK + ".md5", f"{hashlib.md5(body).hexdigest()}  x\n".encode())
    shown = io.StringIO()
    fetcher.download(BULK, tmp_path / "out" / "a.gz", progress=Progress(enabled=True, stream=shown))
    assert "a.gz (MiB): 4 done" in shown.getvalue() and "3,145,733 bytes" in shown.getvalue()
    fetcher.download(BULK, tmp_path / "out" / "b.gz")  # default: quiet
    assert capsys.readouterr().err == ""


def test_parse_md5_formats() -> None:
    hex1, hex2 = "d41d8cd98f00b204e9800998ecf8427e", "0123456789abcdef0123456789ABCDEF"
    assert parse_md5(f"MD5 (gene_info.gz) = {hex1}\n", "gene_info.gz") == hex1
    assert parse_md5(f"{hex1}  ./gene_info.gz\n{hex2} *other.gz\n", "gene_info.gz") == hex1
    assert parse_md5(f"{hex1}\n", "anything") == hex1
    assert parse_md5(f"{hex2}  gene_info.gz\n", "gene_info.gz") == hex2.lower()
    assert parse_md5(f"{hex1}  other.gz\n", "gene_info.gz") is None
    assert parse_md5("not an md5 file", "gene_info.gz") is None
