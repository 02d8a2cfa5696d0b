"""Settings: where the fact store, the review queue and the download cache live, which model
phrases, and the page's front matter defaults. ``config.toml`` is read here and nowhere else.

Resolution order for every path (first wins):
1. an explicit argument (the CLI's ``--home``),
2. the environment: ``GENE_WRITER_FACTS``, ``GENE_WRITER_QUEUE`` for the two SQLite files,
   ``GENE_WRITER_HOME`` for the folder that holds all three,
3. the config file ``<home>/config.toml`` (keys ``facts``, ``queue``, ``cache``),
4. the platform's user data dir (platformdirs).

The model (``Settings.model``, a ``ModelSettings``), first wins:

- name: the caller's option (``--model``), ``GENE_WRITER_MODEL``, ``[model] name``; none (or
  ``template``) means the template phraser;
- endpoint: ``OPENAI_BASE_URL``, ``[model] base_url``; no base URL means the SDK's default
  (OpenAI), which needs a key;
- key: ``OPENAI_API_KEY``, ``[model] api_key`` (never logged, never stored in a draft). Both,
  when set, are in ``ModelSettings.secrets``: the model client redacts them from its log and
  the phraser rejects a reply that repeats one, whichever is sent.

The network (``Settings.http``, a ``writer.http.HttpSettings``, built on first use so offline
commands never import the HTTP layer): ``GENE_WRITER_MIRROR`` / ``mirror``,
``GENE_WRITER_EMAIL`` / ``email`` (sent to NCBI), ``NCBI_API_KEY`` (environment only).

The ``[page]`` table holds the front matter defaults (``tags``, ``categories``: a list or a
comma-separated string).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from writer.errors import BadFile, BadSetting, UserInputError

if TYPE_CHECKING:
    from writer.http import HttpSettings

APP_NAME = "gene-writer"
TEMPLATE_NAMES = ("", "template", "none")  # model names that mean the template phraser


def default_home() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def split_names(values: Iterable[Any] | str | None) -> tuple[str, ...]:
    """``"a, b"`` or ``["a", "b,c"]`` as ``("a", "b", "c")`` (tags, categories)."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    return tuple(x.strip() for v in values for x in str(v).split(",") if x.strip())


@dataclass(frozen=True)
class ModelSettings:
    """The model endpoint as configured (environment over ``[model]`` in config.toml)."""

    name: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    secrets: tuple[str, ...] = field(default=(), repr=False, compare=False)  # every key set
    origin: str = field(default="", compare=False)  # where base_url was set, for errors

    def select(self, option: str | None = None) -> ModelSettings | None:
        """The model to phrase with: ``option`` (``--model``) over ``name``; None when that is
        the template phraser. Raises ``UserInputError`` when a model has no usable endpoint."""
        name = (option if option is not None else self.name or "").strip()
        if name.lower() in TEMPLATE_NAMES:
            return None
        if not self.base_url and not self.api_key:
            raise UserInputError(
                f"model {name!r} needs an endpoint: set OPENAI_BASE_URL (any OpenAI-compatible "
                "server) or OPENAI_API_KEY, or [model] base_url / api_key in config.toml"
            )
        if self.base_url:
            from writer.http.settings import validate_url

            validate_url(self.base_url, self.origin or "the model base URL")
        return ModelSettings(name=name, base_url=self.base_url, api_key=self.api_key,
                             secrets=self.secrets, origin=self.origin)


@dataclass(frozen=True)
class Price:
    """What a model's tokens cost, in US dollars per million (``[prices]`` in config.toml)."""

    input: float
    output: float


@dataclass(frozen=True)
class PageSettings:
    """Front matter defaults of a drafted page (``[page]`` in config.toml)."""

    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    home: Path
    facts_path: Path
    queue_path: Path
    cache_dir: Path
    model: ModelSettings = field(default_factory=ModelSettings)
    page: PageSettings = field(default_factory=PageSettings)
    network: dict[str, str] = field(default_factory=dict)  # ``mirror``, ``email`` of config.toml
    prices: dict[str, Price] = field(default_factory=dict)  # by model name: ``[prices]``

    @property
    def config_path(self) -> Path:
        return self.home / "config.toml"

    @cached_property
    def http(self) -> HttpSettings:
        """Mirror, NCBI email and key (environment over config.toml), validated on first use:
        a bad mirror fails the command that goes online, with a one-line ``BadSetting``."""
        from writer.http import http_settings

        return http_settings(os.environ, self.network, self.cache_dir)


def _read_config(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BadFile(f"cannot read config file {path}: {exc}") from None


def _table(cfg: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    table = cfg.get(name) or {}
    if not isinstance(table, dict):
        raise BadFile(f"cannot read config file {path}: [{name}] must be a table")
    return table


def _texts(table: dict[str, Any], keys: Iterable[str], path: Path, prefix: str = "",
           lists: bool = False) -> None:
    """``BadSetting`` naming the file and key when one of ``keys`` is set to something other
    than text (or, with ``lists``, a list of texts)."""
    for key in keys:
        value = table.get(key)
        if value is None or isinstance(value, str):
            continue
        if lists and isinstance(value, list) and all(isinstance(v, str) for v in value):
            continue
        kind = "text or a list of texts" if lists else "text (in quotes)"
        raise BadSetting(f"config file {path}: {prefix}{key} must be {kind}, not "
                         f"{type(value).__name__} {value!r:.40}")


def _prices(cfg: dict[str, Any], path: Path) -> dict[str, Price]:
    """``[prices]``: ``"model name" = { input = 0.15, output = 0.60 }``, US dollars per million
    prompt (input) and completion (output) tokens."""
    out = {}
    for name, value in _table(cfg, "prices", path).items():
        numbers = value if isinstance(value, dict) else {}
        if set(numbers) != {"input", "output"} or not all(
                isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v < float("inf")
                for v in numbers.values()):
            raise BadSetting(f"config file {path}: [prices] {name!r} must be "
                             "{ input = N, output = N } (US dollars per million tokens), not "
                             f"{value!r:.60}")
        out[name] = Price(float(numbers["input"]), float(numbers["output"]))
    return out


def load_settings(home: str | os.PathLike[str] | None = None) -> Settings:
    env = os.environ
    home_path = Path(home or env.get("GENE_WRITER_HOME") or default_home()).expanduser()
    config_path = home_path / "config.toml"
    cfg = _read_config(config_path)

    def pick(env_name: str | None, key: str, default: Path) -> Path:
        value = (env.get(env_name) if env_name else None) or cfg.get(key)
        return Path(value).expanduser() if value else default

    def first(env_name: str, table: dict[str, Any], key: str) -> str | None:
        value = env.get(env_name) or table.get(key)
        return str(value) if value else None

    model = _table(cfg, "model", config_path)
    page = _table(cfg, "page", config_path)
    _texts(cfg, ("facts", "queue", "cache", "mirror", "email"), config_path)
    _texts(model, ("name", "base_url", "api_key"), config_path, "[model] ")
    _texts(page, ("tags", "categories"), config_path, "[page] ", lists=True)
    return Settings(
        home=home_path,
        facts_path=pick("GENE_WRITER_FACTS", "facts", home_path / "facts.sqlite"),
        queue_path=pick("GENE_WRITER_QUEUE", "queue", home_path / "queue.sqlite"),
        cache_dir=pick(None, "cache", home_path / "cache"),
        model=ModelSettings(
            name=first("GENE_WRITER_MODEL", model, "name"),
            base_url=first("OPENAI_BASE_URL", model, "base_url"),
            api_key=first("OPENAI_API_KEY", model, "api_key"),
            secrets=tuple(str(k) for k in (env.get("OPENAI_API_KEY"), model.get("api_key"))
                          if k),
            origin="OPENAI_BASE_URL" if env.get("OPENAI_BASE_URL")
            else f"[model] base_url of {config_path}",
        ),
        page=PageSettings(tags=split_names(page.get("tags")),
                          categories=split_names(page.get("categories"))),
        network={k: str(cfg[k]) for k in ("mirror", "email") if cfg.get(k) is not None},
        prices=_prices(cfg, config_path),
    )
