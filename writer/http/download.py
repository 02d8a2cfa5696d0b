"""Bulk downloads that never leave a half-written file at ``dest``.

Bytes stream into ``dest.partial``; ``dest.partial.json`` remembers the URL and the
validator (strong ETag or Last-Modified) of what the partial holds. After an interruption
(a cut connection, a 5xx, a killed process) the next attempt asks for ``Range: bytes=N-``
with ``If-Range``: a 206 continues the partial, a 200 (no range support, or the file changed
upstream) starts over. The finished file is checked against its size and, when the
publisher gives one, its md5; only then is it renamed onto ``dest``. A file that fails a
check is deleted and ``BadDownload`` raised. Attempts that make progress do not count
against ``max_attempts``, so a long download survives several cuts.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, BinaryIO

import httpx
import tenacity
from pydantic import BaseModel, ConfigDict, ValidationError

from writer.errors import BadDownload
from writer.http.retry import RETRY_ON, RetryableStatus, describe, is_retryable, retrying
from writer.progress import Progress

if TYPE_CHECKING:
    from writer.http.fetcher import Fetcher

CHUNK = 1 << 20  # 1 MiB: the progress counter's unit and the md5 read size


@dataclass(frozen=True)
class DownloadResult:
    path: Path
    size: int
    md5: str  # of the file at ``path``, checked against the publisher's when one was given
    retrieved_at: datetime
    last_modified: str | None  # the server's Last-Modified, often the release date
    etag: str | None = None  # the server's ETag of the file, to ask later whether it changed


class _PartialMeta(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str
    validator: str | None  # for If-Range; None: the server gave none, resume blindly


class _Restart(Exception):
    """The partial cannot be continued (416, or a range we did not ask for): start over."""


RESTART_ON = (*RETRY_ON, _Restart)


class _StopWithoutProgress(tenacity.stop.stop_base):
    """Stop after ``max_attempts`` attempts in a row that added no byte to the partial."""

    def __init__(self, max_attempts: int) -> None:
        self.max_attempts = max_attempts
        self.base = 0

    def progressed(self, attempt_number: int) -> None:
        self.base = attempt_number - 1

    def __call__(self, state: tenacity.RetryCallState) -> bool:
        return state.attempt_number - self.base >= self.max_attempts


def parse_md5(text: str, filename: str) -> str | None:
    """The md5 for ``filename`` in an md5 file: ``MD5 (name) = hex`` or ``hex  name`` lines.

    A line that names another file is skipped; a lone hash with no name counts.
    """
    found = []
    for line in text.splitlines():
        bsd = re.fullmatch(r"\s*MD5\s*\((?P<name>.*)\)\s*=\s*(?P<hex>[0-9a-fA-F]{32})\s*", line)
        gnu = re.fullmatch(r"\s*(?P<hex>[0-9a-fA-F]{32})(?:\s+\*?(?P<name>.+?))?\s*", line)
        match = bsd or gnu
        if match is None:
            continue
        name = match.group("name")
        if name is None or PurePosixPath(name.strip()).name == filename:
            found.append(match.group("hex").lower())
    return found[0] if len(set(found)) == 1 else None


def _content_range(value: str | None) -> tuple[int, int | None] | None:
    """``bytes 100-199/200`` as (100, 200); the total is None for ``/*``."""
    match = re.fullmatch(r"\s*bytes\s+(\d+)-\d+/(\d+|\*)\s*", value or "")
    if not match:
        return None
    return int(match.group(1)), (None if match.group(2) == "*" else int(match.group(2)))


# HEAD refused: a figshare file redirects to a storage URL signed for GET only, whose HEAD is
# a 403; other servers answer 405 or 501
HEAD_REFUSED = frozenset({403, 405, 501})


@dataclass(frozen=True)
class RemoteFile:
    """What a server says of a file without sending it (``remote_file``)."""

    status: int
    etag: str | None
    last_modified: str | None
    size: int | None  # of the whole file, when the server said
    not_modified: bool = False  # a conditional GET answered 304: the validators sent hold

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def remote_file(fetcher: Fetcher, url: str, *, etag: str | None = None,
                last_modified: str | None = None) -> RemoteFile:
    """ETag, Last-Modified and size of ``url`` from a HEAD. When the server refuses HEAD
    (``HEAD_REFUSED``), from a GET of the file's first byte instead, conditional on ``etag``
    / ``last_modified`` (a 304 says they still hold) and closed after its headers, so an
    unchanged file is not sent again whichever way the server answers."""
    response = fetcher.send(fetcher.client.build_request("HEAD", url), url)
    if response.status_code in HEAD_REFUSED:
        headers = {"Range": "bytes=0-0"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        response = fetcher.send(fetcher.client.build_request("GET", url, headers=headers), url,
                                stream=True)
        response.close()  # the headers are all this asks for
        if response.status_code == 304 and (etag or last_modified):
            return RemoteFile(304, etag, last_modified, None, not_modified=True)
    size: int | None = None
    if response.status_code == 206:
        size = (_content_range(response.headers.get("content-range")) or (0, None))[1]
    elif (length := response.headers.get("content-length", "")).isdigit():
        size = int(length)
    return RemoteFile(response.status_code, response.headers.get("etag"),
                      response.headers.get("last-modified"), size)


def _validator(response: httpx.Response) -> str | None:
    etag = response.headers.get("etag")
    if etag and not etag.startswith("W/"):
        return etag
    return response.headers.get("last-modified")


def _file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write(response: httpx.Response, fh: BinaryIO) -> Iterator[None]:
    """Write the body as it arrives (so a cut keeps every byte received); yield once per MiB
    and once for a last partial MiB, for the progress counter."""
    written = 0
    for data in response.iter_raw():  # undecoded: a .gz served with Content-Encoding stays .gz
        fh.write(data)
        crossed = (written + len(data)) // CHUNK - written // CHUNK
        written += len(data)
        for _ in range(crossed):
            yield None
    if written % CHUNK:
        yield None


def download(
    fetcher: Fetcher, url: str, dest: Path, *, md5_url: str | None, progress: Progress
) -> DownloadResult:
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    sidecar = dest.with_name(dest.name + ".partial.json")
    filename = PurePosixPath(httpx.URL(url).path).name
    expected_md5 = None
    if md5_url:
        expected_md5 = parse_md5(fetcher.get(md5_url).text, filename)
        if expected_md5 is None:
            raise fetcher.error(md5_url, f"no md5 for {filename} in the file")

    def discard() -> None:
        partial.unlink(missing_ok=True)
        sidecar.unlink(missing_ok=True)

    def resumable() -> _PartialMeta | None:
        try:
            meta = _PartialMeta.model_validate_json(sidecar.read_bytes())
        except (OSError, ValidationError):
            return None
        return meta if meta.url == url and partial.exists() else None

    last_modified: str | None = None
    etag: str | None = None
    stop = _StopWithoutProgress(fetcher.settings.max_attempts)

    def attempt(number: int) -> int | None:
        """One request; appends to or restarts the partial; returns the expected size."""
        nonlocal last_modified, etag
        meta = resumable()
        offset = partial.stat().st_size if meta else 0
        headers = {"Accept-Encoding": "identity"}  # the publisher's bytes, as its md5 covers
        if offset:
            headers["Range"] = f"bytes={offset}-"
            if meta and meta.validator:
                headers["If-Range"] = meta.validator
            progress.step(f"{dest.name}: resuming at {offset:,} bytes")
        with fetcher.client.stream("GET", url, headers=headers) as resp:
            status = resp.status_code
            if is_retryable(status):
                raise RetryableStatus(resp)
            if status == 416 or (status == 206 and offset == 0):
                discard()
                raise _Restart(f"HTTP {status} to a range request")
            if status == 206:
                start, total = _content_range(resp.headers.get("content-range")) or (-1, None)
                if start != offset:
                    discard()
                    raise _Restart(f"asked for bytes from {offset}, got {start}")
                mode = "ab"
            elif status == 200:
                offset, mode = 0, "wb"
                length = resp.headers.get("content-length")
                total = int(length) if length and length.isdigit() else None
                meta = _PartialMeta(url=url, validator=_validator(resp))
                sidecar.write_text(meta.model_dump_json())
            else:
                raise fetcher.error(url, f"HTTP {status} {resp.reason_phrase}", status)
            last_modified = resp.headers.get("last-modified") or last_modified
            etag = resp.headers.get("etag") or etag
            before = offset
            try:
                with partial.open(mode) as fh:
                    mib = -(-total // CHUNK) if total else None
                    for _ in progress.iterate(_write(resp, fh), f"{dest.name} (MiB)", mib):
                        pass
                    os.fsync(fh.fileno())
            finally:
                if partial.exists() and partial.stat().st_size > before:
                    stop.progressed(number)
        return total

    progress.step(f"downloading {url} to {dest}")
    try:
        retries = retrying(stop.max_attempts, fetcher.sleep, stop=stop, retry_on=RESTART_ON)
        for tries in retries:
            with tries:
                total = attempt(tries.retry_state.attempt_number)
    except RESTART_ON as exc:
        reason = describe(exc) if isinstance(exc, RETRY_ON) else str(exc)
        raise fetcher.error(url, f"{reason} (after {stop.max_attempts} attempts without "
                                 "progress)", getattr(exc, "status", None)) from exc

    size = partial.stat().st_size
    if total is not None and size != total:
        discard()
        raise _bad(fetcher, url, f"got {size:,} bytes, the server announced {total:,}")
    md5 = _file_md5(partial)
    if expected_md5 and md5 != expected_md5:
        discard()
        raise _bad(fetcher, url, f"md5 {md5} does not match the published {expected_md5}")
    os.replace(partial, dest)
    sidecar.unlink(missing_ok=True)
    progress.step(f"{dest.name}: {size:,} bytes" + (", md5 verified" if expected_md5 else ""))
    return DownloadResult(dest, size, md5, datetime.now(UTC), last_modified, etag)


def _bad(fetcher: Fetcher, url: str, reason: str) -> BadDownload:
    plain = fetcher.error(url, reason + "; the download was discarded")
    return BadDownload(plain.url, plain.reason)
