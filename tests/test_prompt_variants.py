"""Prompt variants (writer/prompts/_variants/): with or without the template paragraph as
an example, the facts as lines or as JSON; hashed into the draft; an unknown one is bad
input."""

from __future__ import annotations

import json

import httpx
import pytest
from test_draft_helpers import Script, completion, full_sheet, section_of

from writer.draft import make_draft
from writer.errors import UserInputError
from writer.llm import ModelConfig
from writer.phrasers import prompting
from writer.phrasers.model import ModelPhraser
from writer.sections import get, sha256


def _draft(variant: str):
    def answer(body, n):  # a grounded paragraph whatever the prompt: the template's
        return 200, completion(get(section_of(body)).template(full_sheet())), {}

    script = Script(answer)
    config = ModelConfig(model="scripted", base_url="http://scripted.test/v1",
                         prompt_variant=variant)
    phraser = ModelPhraser(config, http_client=httpx.Client(transport=script.transport()))
    return script, make_draft(full_sheet(), phraser, date="2025-01-17")


def _user(script: Script, section: str) -> str:
    body = next(r for r in script.requests if section_of(r) == section)
    return body["messages"][1]["content"]


def test_every_shipped_variant_reads():
    assert {"default", "no-example", "json-facts", "no-example-json"} <= set(
        prompting.variant_names())
    for name in prompting.variant_names():
        assert prompting.variant(name).why


def test_the_default_shows_the_template_and_lists_the_facts():
    script, result = _draft("default")
    user = _user(script, "pathways")
    assert "by a template, for the expected tone and form" in user
    assert "- pathways.wikipathways (WikiPathways pathways):" in user
    assert result.record.prompt_hashes["prompts/_variants/default.toml"] == sha256(
        prompting.variant_text("default"))


def test_no_example_leaves_the_template_paragraph_out():
    script, result = _draft("no-example")
    user = _user(script, "function")
    assert "by a template" not in user and "The gene enables" not in user
    assert "Link every GO term name to its AmiGO URL" in user  # the instructions stay
    assert "prompts/_variants/no-example.toml" in result.record.prompt_hashes


def test_json_facts_are_one_json_object_with_the_same_values():
    script, _ = _draft("json-facts")
    user = _user(script, "protein")
    block = user.split("Facts (key, label, value):", 1)[1].split("\n\n", 1)[0]
    facts = json.loads(block)
    assert facts["protein.helix_fraction"]["value"] == "30.65%"
    assert facts["protein.helix_fraction"]["percentile"].startswith("37.56th percentile")
    assert facts["protein.uniprot_accession"]["link"] == "https://www.uniprot.org/uniprotkb/P13640"
    fn = json.loads(_user(script, "function").split("Facts (key, label, value):", 1)[1]
                    .split("\n\n", 1)[0])
    items = {i["id"]: i for i in fn["function.molecular_function"]["items"]}
    assert items["GO:0008270"] == {"name": "zinc ion binding", "id": "GO:0008270",
                                   "evidence": ["IDA"],
                                   "link": "https://amigo.geneontology.org/amigo/term/GO:0008270"}


def test_an_unknown_variant_is_bad_input():
    with pytest.raises(UserInputError, match="unknown prompt variant 'terse'; known: default"):
        ModelPhraser(ModelConfig(model="m", prompt_variant="terse"))
