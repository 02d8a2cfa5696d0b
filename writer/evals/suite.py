"""The eval suite's data: the gene panel, the error-injection specifications, the thresholds.

Three files in one folder (by default ``writer/evals/data/``, shipped inside the package;
formats in ``evals/README.md`` at the top of the repository)::

    panel.tsv          query, expect, category, why          one case per line
    injections.toml    seed, [[injection]] kind, count, why   kinds of writer.evals.inject
    thresholds.toml    [[threshold]] metric, min | max, when, full_panel, why

Each file is read into pydantic models (``extra="forbid"``), so a typo in a field, an
unknown injection kind or a threshold on a metric the report does not have is a one-line
``BadFile`` (exit code 2), never a silently ignored line.
"""

from __future__ import annotations

import csv
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from writer.errors import BadFile

# Package data, so that `writer eval` works from an installed wheel as from a checkout.
SUITE_DIR = Path(str(files("writer") / "evals" / "data"))
PANEL_FILE = "panel.tsv"
INJECTIONS_FILE = "injections.toml"
THRESHOLDS_FILE = "thresholds.toml"
PANEL_COLUMNS = ("query", "expect", "category", "why")
AMBIGUOUS = "ambiguous"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Case(_Model):
    """One panel line: ``query`` is what a curator types; ``expect`` the symbol it must
    resolve to, or ``ambiguous:SYM,SYM`` when it must be refused with those candidates."""

    query: str = Field(min_length=1)
    expect: str = Field(min_length=1)
    category: str = Field(min_length=1)
    why: str = ""

    @property
    def ambiguous(self) -> bool:
        return self.expect.split(":", 1)[0].strip().lower() == AMBIGUOUS

    @property
    def candidates(self) -> tuple[str, ...]:
        """Symbols an ambiguous case must list (may be empty: any candidates will do)."""
        if not self.ambiguous or ":" not in self.expect:
            return ()
        return tuple(s.strip() for s in self.expect.split(":", 1)[1].split(",") if s.strip())


class Injection(_Model):
    kind: str
    count: int = Field(ge=1, le=50)
    why: str = ""

    @field_validator("kind")
    @classmethod
    def _known(cls, kind: str) -> str:
        from writer.evals.inject import KINDS

        if kind not in KINDS:
            raise ValueError(f"unknown injection kind {kind!r} (known: {', '.join(KINDS)})")
        return kind


class Injections(_Model):
    seed: str = Field(min_length=1)
    injection: tuple[Injection, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Injections:
        kinds = [i.kind for i in self.injection]
        doubles = sorted({k for k in kinds if kinds.count(k) > 1})
        if doubles:
            raise ValueError(f"injection kind listed twice: {', '.join(doubles)}")
        return self


class Threshold(_Model):
    """``metric`` is a dotted path into the report's ``overall`` object
    (``grounding``, ``recall_by_kind.changed_year.rate``); exactly one of ``min``/``max``.
    ``when`` restricts it to one phraser, ``full_panel`` to runs of the whole panel; a metric
    that is null in a run (acceptance without a model) is reported as not applicable, never
    as passed or failed."""

    metric: str = Field(min_length=1)
    min: float | None = None
    max: float | None = None
    when: Literal["always", "template", "model"] = "always"
    full_panel: bool = False  # judged only when the whole panel runs (no --limit / --gene)
    why: str = ""

    @model_validator(mode="after")
    def _one_bound(self) -> Threshold:
        if (self.min is None) == (self.max is None):
            raise ValueError(f"threshold {self.metric!r} needs exactly one of min or max")
        return self

    @property
    def bound(self) -> float:
        return self.min if self.min is not None else self.max  # type: ignore[return-value]

    @property
    def op(self) -> str:
        return ">=" if self.min is not None else "<="

    def passes(self, value: float) -> bool:
        return value >= self.bound if self.min is not None else value <= self.bound

    def applies(self, phraser: str, partial: bool = False) -> bool:
        if self.full_panel and partial:
            return False
        return self.when == "always" or self.when == ("template" if phraser == "template"
                                                       else "model")


class Thresholds(_Model):
    threshold: tuple[Threshold, ...] = Field(min_length=1)


class Suite(_Model):
    root: Path
    cases: tuple[Case, ...]
    injections: Injections
    thresholds: tuple[Threshold, ...]

    def select(self, limit: int | None = None, genes: tuple[str, ...] = ()) -> tuple[Case, ...]:
        """The cases to run: ``genes`` (panel cases whose query or expected symbol matches,
        else ad-hoc cases), then at most ``limit`` of them."""
        cases = self.cases
        if genes:
            chosen = []
            for g in genes:
                hits = [c for c in self.cases
                        if g.upper() in (c.query.upper(), c.expect.upper())]
                chosen.extend(hits or [Case(query=g, expect="*", category="ad hoc",
                                            why="named on the command line")])
            cases = tuple(dict.fromkeys(chosen))
        return cases[:limit] if limit else cases


# --- reading the files -------------------------------------------------------------------------
def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()))
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


def _read(path: Path) -> str:
    if not path.is_file():
        raise BadFile(f"eval suite file {path} is missing")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadFile(f"cannot read eval suite file {path}: {exc}") from None


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(_read(path))
    except tomllib.TOMLDecodeError as exc:
        raise BadFile(f"{path} is not valid TOML: {exc}") from None


def read_panel(path: Path) -> tuple[Case, ...]:
    lines = [ln for ln in _read(path).splitlines() if ln.strip() and not ln.startswith("#")]
    if not lines:
        raise BadFile(f"{path} has no cases")
    rows = list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    if tuple(c.strip() for c in rows[0]) != PANEL_COLUMNS:
        raise BadFile(f"{path}: the first line must be the header {chr(9).join(PANEL_COLUMNS)!r}"
                      " (tab-separated)")
    cases = []
    for n, row in enumerate(rows[1:], 2):
        if len(row) != len(PANEL_COLUMNS):
            raise BadFile(f"{path}, case {n - 1}: expected {len(PANEL_COLUMNS)} tab-separated "
                          f"fields, found {len(row)}")
        try:
            cases.append(Case(**dict(zip(PANEL_COLUMNS, (c.strip() for c in row), strict=True))))
        except ValidationError as exc:
            raise BadFile(f"{path}, case {n - 1}: {_first_error(exc)}") from None
    queries = [c.query.upper() for c in cases]
    doubles = sorted({q for q in queries if queries.count(q) > 1})
    if doubles:
        raise BadFile(f"{path}: query listed twice: {', '.join(doubles)}")
    return tuple(cases)


def read_injections(path: Path) -> Injections:
    try:
        return Injections(**_toml(path))
    except ValidationError as exc:
        raise BadFile(f"{path}: {_first_error(exc)}") from None


def read_thresholds(path: Path) -> tuple[Threshold, ...]:
    try:
        return Thresholds(**_toml(path)).threshold
    except ValidationError as exc:
        raise BadFile(f"{path}: {_first_error(exc)}") from None


def load_suite(root: Path | str | None = None) -> Suite:
    """Read the suite in ``root`` (default: the package's ``writer/evals/data/``)."""
    folder = Path(root) if root is not None else SUITE_DIR
    if not folder.is_dir():
        raise BadFile(f"eval suite folder {folder} does not exist")
    return Suite(
        root=folder,
        cases=read_panel(folder / PANEL_FILE),
        injections=read_injections(folder / INJECTIONS_FILE),
        thresholds=read_thresholds(folder / THRESHOLDS_FILE),
    )
