"""Settings: where the fact store, the review queue and the download cache live.

Resolution order for every path (first wins):
1. an explicit argument (the CLI's ``--home``),
2. the environment: ``GENE_WRITER_FACTS``, ``GENE_WRITER_QUEUE`` for the two SQLite files,
   ``GENE_WRITER_HOME`` for the folder that holds all three,
3. the config file ``<home>/config.toml`` (keys ``facts``, ``queue``, ``cache`` and a
   ``[model]`` table with ``base_url``, ``name``, ``api_key``),
4. the platform's user data dir (platformdirs).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from writer.errors import BadFile

APP_NAME = "gene-writer"


def default_home() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class Settings:
    home: Path
    facts_path: Path
    queue_path: Path
    cache_dir: Path
    model: dict[str, str] = field(default_factory=dict)

    @property
    def config_path(self) -> Path:
        return self.home / "config.toml"


def _read_config(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BadFile(f"cannot read config file {path}: {exc}") from None


def load_settings(home: str | os.PathLike[str] | None = None) -> Settings:
    env = os.environ
    home_path = Path(home or env.get("GENE_WRITER_HOME") or default_home()).expanduser()
    cfg = _read_config(home_path / "config.toml")

    def pick(env_name: str | None, key: str, default: Path) -> Path:
        value = (env.get(env_name) if env_name else None) or cfg.get(key)
        return Path(value).expanduser() if value else default

    model = {k: str(v) for k, v in (cfg.get("model") or {}).items()}
    return Settings(
        home=home_path,
        facts_path=pick("GENE_WRITER_FACTS", "facts", home_path / "facts.sqlite"),
        queue_path=pick("GENE_WRITER_QUEUE", "queue", home_path / "queue.sqlite"),
        cache_dir=pick(None, "cache", home_path / "cache"),
        model=model,
    )
