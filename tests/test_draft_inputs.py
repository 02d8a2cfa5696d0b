"""What the prompts contribute to a draft's inputs is a stored format: the queue keeps each
draft's prompt hashes, inputs digest and per-section inputs, and later runs compare with
them to skip an unchanged gene (``writer draft`` of many genes) or keep an unchanged
section's accepted text (a redraft). A queue made by an earlier version must still match,
so these tests write the format down from the prompt files themselves: sha256 of each
file's text, keyed ``prompts/<file>``, combined as JSON exactly as the queue's rows were."""

from __future__ import annotations

import hashlib
import importlib
import json

from test_draft_helpers import full_sheet

from writer.phrasers import Phrased
from writer.phrasers.prompting import prompt_hashes
from writer.sections import PROMPTS_DIR, facts_digest, get, template_hash, to_phrase

draft = importlib.import_module("writer.draft")  # (``writer.draft`` is also a function)
batch = importlib.import_module("writer.batch.exports")


def _file(name: str) -> str:
    text = (PROMPTS_DIR / name).read_text(encoding="utf-8")
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _digest(parts: dict) -> str:
    return "sha256:" + hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _phrased_names() -> list[str]:
    return [s.name for s in to_phrase(full_sheet())]


def _all_phrased() -> list[str]:
    from writer.sections import all_sections

    return [s.name for s in all_sections() if s.phrased]


def test_prompt_hashes_name_every_file_a_model_reads():
    names = _phrased_names()
    got = prompt_hashes(names, variant="json-facts", judge=True)
    files = ["_system.md", "_reask.md", *(f"{n}.md" for n in names),
             "_variants/json-facts.toml", "_judge.md"]
    assert list(got) == [f"prompts/{f}" for f in files]
    assert all(got[f"prompts/{f}"] == _file(f) for f in files)
    assert prompt_hashes() == {}  # no model, no variant, no judge: prompts play no part
    assert list(prompt_hashes(variant="default")) == ["prompts/_variants/default.toml"]


def test_inputs_digest_keeps_the_format_of_existing_queue_rows():
    sheet = full_sheet()
    templates = {f"template:{n}": template_hash(n) for n in _all_phrased()}
    model_code = {**templates, **{f"prompts/{f}": _file(f) for f in
                                  ["_system.md", "_reask.md",
                                   *(f"{n}.md" for n in _all_phrased())]}}
    base = {"factsheet": sheet.content_hash(), "tags": ["t"], "categories": ["c"]}

    assert draft.inputs_digest(sheet.content_hash(), "template", None, tags=["t"],
                               categories=["c"]) == _digest(
        {**base, "phraser": "template", "model": None, "code": templates})
    for variant, file in ((None, "default"), ("no-example", "no-example")):
        assert draft.inputs_digest(sheet.content_hash(), "openai", "m", tags=["t"],
                                   categories=["c"], prompt_variant=variant) == _digest(
            {**base, "phraser": "openai", "model": "m", "code": model_code,
             "variant": _file(f"_variants/{file}.toml")})
    judged = {**model_code, "prompts/_judge.md": _file("_judge.md")}
    assert draft.inputs_digest(sheet.content_hash(), "openai", "m", judge=True, tags=["t"],
                               categories=["c"]) == _digest(
        {**base, "phraser": "openai", "model": "m", "code": judged,
         "variant": _file("_variants/default.toml")})


def test_section_inputs_keep_the_format_of_existing_queue_rows():
    sheet = full_sheet()
    names = _phrased_names()
    for variant in (None, "json-facts"):
        got = draft.section_inputs(sheet, names, "openai", "m", variant)
        for name in names:
            parts = {"phraser": "openai", "model": "m",
                     "prompts": [_file("_system.md"), _file("_reask.md")],
                     "facts": facts_digest(sheet, get(name)), "template": template_hash(name),
                     "prompt": _file(f"{name}.md")}
            if variant:
                parts["variant"] = _file(f"_variants/{variant}.toml")
            assert got[name] == _digest(parts), (variant, name)
    templated = draft.section_inputs(sheet, names, "template", None)
    assert templated["function"] == _digest(
        {"phraser": "template", "model": None, "facts": facts_digest(sheet, get("function")),
         "template": template_hash("function")})


class _ScriptedModel:
    """A 'model' phraser that writes the template text (no endpoint needed for the record)."""

    name = "openai"

    def phrase(self, sections, sheet):
        return {s.name: Phrased(section=s.name, text=s.template(sheet), phraser="openai",
                                model="m", prompt_variant="no-example") for s in sections}


def test_a_drafts_recorded_hashes_and_a_batch_runs_agree_with_the_rule():
    sheet = full_sheet()
    names = _phrased_names()
    record = draft.make_draft(sheet, _ScriptedModel(), date="2025-01-17").record
    expected = {}
    for n in names:
        expected[f"template:{n}"] = template_hash(n)
        expected.update({f"prompts/{f}": _file(f) for f in
                         ("_system.md", "_reask.md", f"{n}.md", "_variants/no-example.toml")})
    assert record.prompt_hashes == expected
    run = batch.code_hashes("no-example")
    assert {k: v for k, v in run.items() if k in record.prompt_hashes} == record.prompt_hashes
