"""Settings: config.toml is read in one place, and the model's name, endpoint and key
resolve there (option > environment > config.toml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from writer.cli import main
from writer.config import ModelSettings, load_settings
from writer.errors import BadFile, UserInputError
from writer.llm import ModelConfig, model_config

CONFIG = """
[model]
name = "from-config"
base_url = "http://config.test/v1"
api_key = "sk-config-0123456789"

[page]
tags = "cooccuring-genes, metal"
categories = ["a", "b,c"]
"""


@pytest.fixture
def home(isolated_home: Path) -> Path:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text(CONFIG, encoding="utf-8")
    return isolated_home


def test_config_file_values(home: Path) -> None:
    s = load_settings()
    assert s.model == ModelSettings(name="from-config", base_url="http://config.test/v1",
                                    api_key="sk-config-0123456789")
    assert s.page.tags == ("cooccuring-genes", "metal")
    assert s.page.categories == ("a", "b", "c")
    assert "sk-config" not in repr(s)  # the key never shows in a log line or traceback


def test_environment_beats_the_config_file(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENE_WRITER_MODEL", "from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://env.test/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-0123456789")
    assert load_settings().model == ModelSettings(name="from-env", base_url="http://env.test/v1",
                                                  api_key="sk-env-0123456789")


def test_the_option_beats_the_environment(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENE_WRITER_MODEL", "from-env")
    config = model_config(load_settings().model, "from-option", timeout=5.0, concurrency=None)
    assert config == ModelConfig(model="from-option", base_url="http://config.test/v1",
                                 api_key="sk-config-0123456789", timeout=5.0)
    assert model_config(load_settings().model) is not None
    assert model_config(load_settings().model).model == "from-env"  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["template", "TEMPLATE", "none", "", " "])
def test_template_names_mean_no_model(home: Path, name: str) -> None:
    assert model_config(load_settings().model, name) is None


def test_no_model_configured_is_the_template_phraser() -> None:
    assert load_settings().model == ModelSettings()
    assert model_config(load_settings().model) is None


def test_a_model_needs_an_endpoint_and_a_web_url() -> None:
    with pytest.raises(UserInputError, match="needs an endpoint"):
        ModelSettings().select("gpt-x")
    with pytest.raises(UserInputError, match="must be an http"):
        ModelSettings(base_url="ftp://x").select("gpt-x")
    assert ModelSettings(api_key="sk-1").select("gpt-x") == ModelSettings(name="gpt-x",
                                                                         api_key="sk-1")


def test_a_bad_config_file_is_bad_input(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text("[model\n", encoding="utf-8")
    with pytest.raises(BadFile, match="cannot read config file"):
        load_settings()
    (isolated_home / "config.toml").write_text('page = "x"\n', encoding="utf-8")
    with pytest.raises(BadFile, match=r"\[page\] must be a table"):
        load_settings()


@pytest.mark.parametrize(("text", "key"), [
    ("facts = 5\n", "facts must be text"),
    ("queue = true\n", "queue must be text"),
    ('model = "x"\n', "[model] must be a table"),
    ("[model]\nname = 3\n", "[model] name must be text"),
    ("[model]\nbase_url = [1]\n", "[model] base_url must be text"),
    ("[page]\ntags = 3\n", "[page] tags must be text or a list"),
    ("mirror = 1.5\n", "mirror must be text"),
    ('[prices]\n"gpt-x" = 0.5\n', "[prices] 'gpt-x' must be { input = N, output = N }"),
    ('[prices]\nm = { input = 1, output = "2" }\n', "[prices] 'm' must be"),
    ('[prices]\nm = { input = -1, output = 2 }\n', "[prices] 'm' must be"),
    ('[prices]\nm = { input = 1 }\n', "[prices] 'm' must be"),
    ("prices = 3\n", "[prices] must be a table"),
])
def test_config_values_of_the_wrong_type_are_one_line_exit_2(
        isolated_home: Path, text: str, key: str) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text(text, encoding="utf-8")
    r = CliRunner().invoke(main, ["facts", "MT1G"])
    assert r.exit_code == 2, r.output
    assert r.stderr.splitlines() == [r.stderr.strip()] and "Traceback" not in r.output
    assert str(isolated_home / "config.toml") in r.stderr and key in r.stderr


@pytest.mark.parametrize("url", ["http://[::1/v1", "http://host:port/v1", "ftp://x/v1", "http://"])
def test_a_bad_model_url_names_where_it_was_set(
        isolated_home: Path, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    page = isolated_home / "p.md"
    isolated_home.mkdir(parents=True, exist_ok=True)
    page.write_text("The gene length is 1,336 base pairs.\n")
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    r = CliRunner().invoke(main, ["draft", "MT1G", "--model", "m"])
    assert r.exit_code == 2 and r.stderr.startswith("writer: OPENAI_BASE_URL must be")
    assert len(r.stderr.strip().splitlines()) == 1
    monkeypatch.delenv("OPENAI_BASE_URL")
    (isolated_home / "config.toml").write_text(f'[model]\nbase_url = "{url}"\n')
    r = CliRunner().invoke(main, ["check", str(page), "--gene", "MT1G", "--judge", "m"])
    assert r.exit_code == 2 and "[model] base_url of" in r.stderr and "config.toml" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
