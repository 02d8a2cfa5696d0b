"""The package installs as a wheel: every file the code reads at run time is inside it.

Prompts, the eval suite's data, the catalogue and the review page's templates are package
data (``[tool.setuptools.package-data]``), located with ``importlib.resources``. This test
builds the wheel offline (``--no-build-isolation`` with the setuptools of the dev extras)
from a copy of the sources, checks its file list, and runs the unpacked wheel from outside
the repository. CI (``.ci/run``) also installs it in a fresh virtualenv with its
dependencies and drafts with a model endpoint.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "writer"
ALWAYS = {
    "writer/prompts/_system.md",
    "writer/prompts/_reask.md",
    "writer/prompts/function.md",
    "writer/evals/data/panel.tsv",
    "writer/evals/data/injections.toml",
    "writer/evals/data/thresholds.toml",
    "writer/review/templates/base.html",
    "writer/py.typed",
}


def _backend_missing() -> str | None:
    if importlib.util.find_spec("setuptools") is None:
        return "setuptools is not installed (pip install -e '.[dev]')"
    import setuptools

    major, minor = (int(p) for p in setuptools.__version__.split(".")[:2])
    if (major, minor) < (70, 1) and importlib.util.find_spec("wheel") is None:
        return (f"setuptools {setuptools.__version__} needs the wheel package to build wheels "
                "(pip install -e '.[dev]' brings setuptools>=70.1)")
    return None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reason = _backend_missing()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"  # a copy, so the build's build/ and *.egg-info stay out of the checkout
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(PACKAGE, src / "writer",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    dist = tmp / "dist"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--disable-pip-version-check", "-q", "-w", str(dist), str(src)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (found,) = dist.glob("gene_writer-*.whl")
    return found


def _names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as z:
        return set(z.namelist())


def test_the_wheel_holds_the_prompts_the_eval_data_and_the_catalogue(wheel: Path):
    names = _names(wheel)
    missing = ALWAYS - names
    assert not missing, f"not in the wheel: {sorted(missing)}"
    # Every file of the package is in it (a new prompt, data file or catalog.toml included):
    # anything the code reads must ship, or an installed writer breaks where a checkout works.
    tree = {p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
            and not p.name.startswith(".")}
    assert not tree - names, f"files of writer/ not in the wheel: {sorted(tree - names)}"
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    with zipfile.ZipFile(wheel) as z:
        assert "writer = writer.cli:main" in z.read(entry_points).decode()


def test_the_catalogue_is_declared_package_data():
    """catalog.toml (the catalogue of sections and fact keys) ships once it exists."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "catalog.toml" in config["tool"]["setuptools"]["package-data"]["writer"]


def test_the_unpacked_wheel_finds_its_data_outside_the_repository(wheel: Path, tmp_path: Path,
                                                                   facts_env):
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = (
        "import writer, writer.sections as s, writer.evals as e\n"
        "print(writer.__file__); print(s.PROMPTS_DIR); print(e.load_suite().root)\n"
        "assert s.prompt_text('_system.md') and s.prompt_text('function')\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], cwd=outside, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    for line in proc.stdout.splitlines():
        assert Path(line).is_relative_to(site), f"{line} is not inside the unpacked wheel"
    proc = subprocess.run([sys.executable, "-m", "writer.cli", "eval", "--limit", "2"],
                          cwd=outside, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr + proc.stdout[-2000:]
    assert "eval passed" in proc.stderr
