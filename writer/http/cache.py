"""On-disk cache of GET responses, keyed by the sha256 of the full URL the caller asked for.

One entry is two files under ``<cache_dir>/http/<aa>/``: ``<sha>.body`` (the bytes) and
``<sha>.json`` (status, validators, headers, when it was retrieved, and the body's sha256 so
a torn pair from a crash reads as a miss). Both are written to a temporary file and renamed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

KEPT_HEADERS = ("content-type", "etag", "last-modified", "date", "cache-control", "expires")


class CacheEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    status: int
    headers: dict[str, str]
    retrieved_at: datetime  # last time the server sent or confirmed (304) this body
    size: int
    sha256: str

    def conditional_headers(self) -> dict[str, str]:
        found = {}
        if etag := self.headers.get("etag"):
            found["If-None-Match"] = etag
        if modified := self.headers.get("last-modified"):
            found["If-Modified-Since"] = modified
        return found


@dataclass(frozen=True)
class CachedResponse:
    """A successful GET: the body plus when its data was retrieved from upstream.

    ``from_cache`` is True when the body came from disk after the server answered 304.
    """

    url: str
    status: int
    headers: dict[str, str]
    content: bytes
    retrieved_at: datetime
    from_cache: bool

    @property
    def text(self) -> str:
        ctype = self.headers.get("content-type", "")
        charset = "utf-8"
        for part in ctype.split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                charset = value.strip('"')
        return self.content.decode(charset, errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ResponseCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()
        folder = self.root / key[:2]
        return folder / f"{key}.json", folder / f"{key}.body"

    def load(self, url: str) -> tuple[CacheEntry, bytes] | None:
        meta_path, body_path = self._paths(url)
        try:
            entry = CacheEntry.model_validate_json(meta_path.read_bytes())
            body = body_path.read_bytes()
        except (OSError, ValidationError):
            return None
        if entry.url != url or hashlib.sha256(body).hexdigest() != entry.sha256:
            return None
        return entry, body

    def store(self, url: str, status: int, headers: dict[str, str], body: bytes) -> CacheEntry:
        meta_path, body_path = self._paths(url)
        meta_path.parent.mkdir(parents=True, exist_ok=True)
        entry = CacheEntry(
            url=url,
            status=status,
            headers={k: v for k, v in headers.items() if k in KEPT_HEADERS},
            retrieved_at=datetime.now(UTC),
            size=len(body),
            sha256=hashlib.sha256(body).hexdigest(),
        )
        _atomic_write(body_path, body)
        _atomic_write(meta_path, entry.model_dump_json(indent=1).encode())
        return entry

    def refresh(self, entry: CacheEntry, headers: dict[str, str]) -> CacheEntry:
        """After a 304: the body is current as of now; take any new validators."""
        meta_path, _ = self._paths(entry.url)
        kept = dict(entry.headers)
        kept.update({k: v for k, v in headers.items() if k in KEPT_HEADERS})
        fresh = entry.model_copy(update={"headers": kept, "retrieved_at": datetime.now(UTC)})
        _atomic_write(meta_path, fresh.model_dump_json(indent=1).encode())
        return fresh
