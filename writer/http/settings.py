"""What the HTTP layer needs from the environment and config.toml, validated once."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from writer.errors import BadSetting

TOOL = "gene-writer"  # NCBI's ``tool`` parameter and the User-Agent product name


@dataclass(frozen=True)
class HttpSettings:
    mirror: str | None  # base URL without a trailing slash, e.g. http://10.0.0.5:8080/upstream
    email: str | None  # sent to NCBI E-utilities as ``email``
    ncbi_api_key: str | None  # secret: sent to E-utilities only, never logged
    cache_dir: Path  # responses are cached under ``cache_dir / "http"``
    timeout: float = 30.0  # seconds, for connect, read, write and pool waits
    max_attempts: int = 5  # per request, the first try included

    def __repr__(self) -> str:  # keeps the API key out of logs and tracebacks
        key = "***" if self.ncbi_api_key else None
        return (
            f"HttpSettings(mirror={self.mirror!r}, email={self.email!r}, ncbi_api_key={key}, "
            f"cache_dir={self.cache_dir!r}, timeout={self.timeout}, "
            f"max_attempts={self.max_attempts})"
        )


def http_settings(
    env: Mapping[str, str], config: Mapping[str, Any], cache_dir: Path
) -> HttpSettings:
    """Read ``GENE_WRITER_MIRROR`` / ``mirror``, ``GENE_WRITER_EMAIL`` / ``email`` and
    ``NCBI_API_KEY`` (environment first, then config.toml; empty values count as unset).

    Raises ``BadSetting`` (one line) for a mirror that is not an http(s) URL with a host.
    """

    def pick(env_name: str, key: str | None) -> tuple[str | None, str]:
        value = (env.get(env_name) or "").strip()
        if value:
            return value, env_name
        raw = config.get(key) if key else None
        value = str(raw).strip() if raw is not None else ""
        return (value or None), f"`{key}` in config.toml"

    mirror, where = pick("GENE_WRITER_MIRROR", "mirror")
    email, _ = pick("GENE_WRITER_EMAIL", "email")
    api_key, _ = pick("NCBI_API_KEY", None)
    return HttpSettings(
        mirror=validate_mirror(mirror, where) if mirror else None,
        email=email,
        ncbi_api_key=api_key,
        cache_dir=Path(cache_dir),
    )


def validate_mirror(url: str, where: str = "the mirror setting") -> str:
    """The mirror base URL without a trailing slash, or ``BadSetting``."""
    return validate_url(url, where, query=False, example="http://mirror.example.org:8080/prefix")


def validate_url(url: str, where: str, *, query: bool = True,
                 example: str = "http://127.0.0.1:8080/v1") -> str:
    """``url`` without a trailing slash when it is an http(s) URL with a host (and, unless
    ``query``, no query), else ``BadSetting`` naming ``where`` (a variable, or a key and file)."""
    try:
        parts = urlsplit(url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        ok = ok and (query or not parts.query) and not parts.fragment
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        ok = False
    if not ok:
        raise BadSetting(
            f"{where} must be an http(s) URL with a host{'' if query else ' and no query'}, "
            f"like {example}; got {display_url(url)!r}"
        )
    return url.rstrip("/")


def display_url(url: str) -> str:
    """``url`` without any user:password part, fit for a message."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split("@")[-1]
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


def user_agent() -> str:
    try:
        version = importlib.metadata.version("gene-writer")
    except importlib.metadata.PackageNotFoundError:
        version = "0+unknown"
    return f"{TOOL}/{version} (python-httpx)"
