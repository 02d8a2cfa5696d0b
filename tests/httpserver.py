"""A real local HTTP server that plays every upstream host, reached through the mirror setting.

    pytest_plugins = ["httpserver"]           # in the test module: registers the fixtures

    def test_x(mirror):                       # a started server + the network guard
        mirror.add("https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi?db=gene",
                   SAMPLES / "ncbi_esummary_gene_7171.json")
        mirror.fail_next(2, status=503)       # script failures, then inspect mirror.requests
        settings = HttpSettings(mirror=mirror.url, ...)

What it serves, for ``GET <prefix>/<host>/<path>?<query>``:
- a route added with ``add(url, body)``: the route's host and path must match, and its query
  parameters must all be in the request's (the request may carry more, e.g. NCBI's ``tool``);
- else the file ``<root>/<host>/<path>`` (so recorded samples can be laid out as a tree).

It sends ETag and Last-Modified and answers If-None-Match / If-Modified-Since with 304,
``Range: bytes=N-`` / ``N-M`` with 206 (honouring If-Range; ``ranges = False`` turns that
off; ``head_status = 403`` refuses every HEAD), and records every request
(``RecordedRequest``: path, query, headers, status, body and wire bytes sent). Scripted
faults apply to the next matching requests: an error status with headers (429 +
Retry-After), a connection dropped after N body bytes, or added latency.

``no_network`` fails the test if anything resolves or connects to a host other than
127.0.0.1 / localhost; the ``mirror`` fixture always uses it.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass
class RecordedRequest:
    method: str
    path: str  # as received, mirror prefix included
    host: str  # the upstream host this request was for
    upstream_path: str  # path on that host
    raw_query: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    status: int = 0
    body_bytes: int = 0  # response body bytes written
    wire_bytes: int = 0  # response bytes written, status line and headers included
    at: float = 0.0  # time.monotonic() when it arrived


@dataclass
class Fault:
    kind: str  # "status", "drop" or "delay"
    count: int
    match: str | None = None  # substring of the upstream URL ("host/path?query"); None: any
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    after_bytes: int = 0
    seconds: float = 0.0


@dataclass
class Route:
    host: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    headers: dict[str, str]
    last_modified: float


Found = tuple[bytes, dict[str, str], float]  # body, extra headers, last-modified timestamp


class _CountingWriter:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.count = 0

    def write(self, data: bytes) -> int:
        self.count += len(data)
        return self.inner.write(data)

    def __getattr__(self, name: str) -> Any:  # flush, close, closed: the real stream's
        return getattr(self.inner, name)


class MirrorServer:
    """``ThreadingHTTPServer`` on 127.0.0.1, port 0, in a daemon thread."""

    def __init__(self, root: Path, prefix: str = "/mirror") -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        self.requests: list[RecordedRequest] = []
        self.ranges = True
        # the status every HEAD gets, without a body (None: served like a GET); 403 plays a
        # storage URL signed for GET only, as figshare's downloads redirect to
        self.head_status: int | None = None
        self._routes: list[Route] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """The mirror base URL to put in ``GENE_WRITER_MIRROR``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}{self.prefix}"

    def start(self) -> MirrorServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- content -------------------------------------------------------------------------

    def add(
        self,
        url: str,
        body: bytes | str | Path,
        headers: dict[str, str] | None = None,
        last_modified: float = 1_700_000_000.0,
    ) -> None:
        """Serve ``body`` (bytes, text, or a file's content) at the upstream ``url``."""
        if isinstance(body, Path):
            body = body.read_bytes()
        elif isinstance(body, str):
            body = body.encode()
        parts = urlsplit(url)
        route = Route(parts.hostname or "", parts.path or "/", parse_qs(parts.query), body,
                      dict(headers or {}), last_modified)
        with self._lock:
            self._routes.insert(0, route)  # the newest route wins

    def route(self, match: str) -> tuple[str, bytes] | None:
        """The URL and body of the oldest route whose "host/path" contains ``match``."""
        with self._lock:
            for route in reversed(self._routes):
                if match in f"{route.host}{route.path}":
                    query = urlencode(route.query, doseq=True)
                    return f"https://{route.host}{route.path}{'?' if query else ''}{query}", \
                        route.body
        return None

    def put_file(self, url: str, body: bytes) -> Path:
        """Write ``body`` to ``<root>/<host>/<path>`` (the file tree), returning its path."""
        parts = urlsplit(url)
        path = self.root / (parts.hostname or "") / parts.path.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        return path

    # --- scripted faults -----------------------------------------------------------------

    def fail_next(
        self, n: int, status: int = 503, headers: dict[str, str] | None = None,
        match: str | None = None,
    ) -> None:
        self._add_fault(Fault("status", n, match, status=status, headers=dict(headers or {})))

    def drop_next(self, n: int, after_bytes: int, match: str | None = None) -> None:
        """Send the headers and ``after_bytes`` of the body, then close the connection."""
        self._add_fault(Fault("drop", n, match, after_bytes=after_bytes))

    def delay_next(self, n: int, seconds: float, match: str | None = None) -> None:
        self._add_fault(Fault("delay", n, match, seconds=seconds))

    def _add_fault(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, target: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.count > 0 and (fault.match is None or fault.match in target):
                    fault.count -= 1
                    return fault
        return None

    def _lookup(self, host: str, path: str, query: dict[str, list[str]]) -> Found | None:
        """The newest matching route, else the file ``<root>/<host>/<path>``."""
        with self._lock:
            for route in self._routes:
                if route.host == host and route.path == path and all(
                    query.get(k) == v for k, v in route.query.items()
                ):
                    return route.body, route.headers, route.last_modified
        file = (self.root / host / path.lstrip("/")).resolve()
        if file.is_relative_to(self.root.resolve()) and file.is_file():
            return file.read_bytes(), {}, file.stat().st_mtime
        return None


def _make_handler(server: MirrorServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are separate writes

        def setup(self) -> None:
            super().setup()
            self.wfile = _CountingWriter(self.wfile)  # type: ignore[assignment]

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            pass

        def do_GET(self) -> None:
            self._serve(send_body=True)

        def do_HEAD(self) -> None:
            self._serve(send_body=False)

        def _serve(self, send_body: bool) -> None:
            counter: _CountingWriter = self.wfile  # type: ignore[assignment]
            start = counter.count
            parts = urlsplit(self.path)
            rest = parts.path[len(server.prefix):] if parts.path.startswith(
                server.prefix + "/") else None
            host, _, upstream = (rest or "/").lstrip("/").partition("/")
            record = RecordedRequest(
                self.command, parts.path, host, "/" + upstream, parts.query,
                parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()},
                at=time.monotonic(),
            )
            with server._lock:
                server.requests.append(record)
            try:
                self._respond(record, rest is not None, send_body)
            finally:
                record.wire_bytes = counter.count - start

        def _respond(self, rec: RecordedRequest, under_prefix: bool, send_body: bool) -> None:
            if rec.method == "HEAD" and server.head_status is not None:
                return self._send(rec, server.head_status, {}, b"", False)
            target = f"{rec.host}{rec.upstream_path}?{rec.raw_query}"
            fault = server._take_fault(target)
            if fault and fault.kind == "delay":
                time.sleep(fault.seconds)
            if fault and fault.kind == "status":
                return self._plain(rec, fault.status, fault.headers)
            found = server._lookup(rec.host, rec.upstream_path, rec.query) if under_prefix else None
            if found is None:
                return self._plain(rec, 404, {})
            body, extra, mtime = found
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            modified = email.utils.formatdate(int(mtime), usegmt=True)
            headers = {"ETag": etag, "Last-Modified": modified, "Accept-Ranges": "bytes"}
            headers.setdefault("Content-Type", "application/octet-stream")
            headers.update(extra)
            if _not_modified(rec.headers, etag, mtime):
                return self._send(rec, 304, headers, b"", send_body)
            status, chunk = 200, body
            wanted = rec.headers.get("range")
            if_range = rec.headers.get("if-range")
            if wanted and server.ranges and (if_range is None or if_range in (etag, modified)):
                m = re.fullmatch(r"bytes=(\d+)-(\d*)", wanted.strip())
                first = int(m.group(1)) if m else len(body)
                last = min(int(m.group(2)), len(body) - 1) if m and m.group(2) else len(body) - 1
                if first >= len(body) or first > last:
                    headers["Content-Range"] = f"bytes */{len(body)}"
                    return self._plain(rec, 416, headers)
                status, chunk = 206, body[first:last + 1]
                headers["Content-Range"] = f"bytes {first}-{last}/{len(body)}"
            if fault and fault.kind == "drop":
                return self._drop(rec, status, headers, chunk, fault.after_bytes)
            return self._send(rec, status, headers, chunk, send_body)

        def _plain(self, rec: RecordedRequest, status: int, headers: dict[str, str]) -> None:
            body = f"{status} from the test mirror\n".encode()
            self._send(rec, status, {"Content-Type": "text/plain", **headers}, body, True)

        def _head(self, status: int, headers: dict[str, str], length: int) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(length))
            self.end_headers()

        def _send(self, rec: RecordedRequest, status: int, headers: dict[str, str],
                  body: bytes, send_body: bool) -> None:
            rec.status = status
            self._head(status, headers, len(body))
            if send_body and status != 304:
                self.wfile.write(body)
                rec.body_bytes = len(body)

        def _drop(self, rec: RecordedRequest, status: int, headers: dict[str, str],
                  body: bytes, after: int) -> None:
            rec.status = status
            self._head(status, headers, len(body))
            self.wfile.write(body[:after])
            rec.body_bytes = min(after, len(body))
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

    return Handler


def _not_modified(headers: dict[str, str], etag: str, mtime: float) -> bool:
    if "if-none-match" in headers:  # RFC 9110: If-None-Match wins over If-Modified-Since
        return etag in [t.strip() for t in headers["if-none-match"].split(",")]
    since = headers.get("if-modified-since")
    if not since:
        return False
    try:
        return int(mtime) <= email.utils.parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError):
        return False


# --- fixtures ------------------------------------------------------------------------------


class NetworkGuard:
    def __init__(self) -> None:
        self.violations: list[str] = []

    def check(self, host: object) -> None:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in LOCAL_HOSTS:
            self.violations.append(name)
            raise AssertionError(f"test tried to reach {name}: tests must stay on 127.0.0.1")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkGuard]:
    """Fail the test if anything resolves or connects to a host other than the loopback."""
    guard = NetworkGuard()
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        guard.check(host)
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            guard.check(address[0])
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield guard
    assert not guard.violations, f"requests left 127.0.0.1 for: {guard.violations}"


@pytest.fixture
def mirror(tmp_path: Path, no_network: NetworkGuard) -> Iterator[MirrorServer]:
    """A started ``MirrorServer`` serving ``tmp_path / "mirror-root"``, network guarded."""
    with MirrorServer(tmp_path / "mirror-root") as server:
        yield server
