"""Links are the facts' provenance: a model paragraph that names a linked fact without its
link is re-asked like an omission, gets the link back when it writes the link's words, and
falls back to the template text when it names the fact in other words: the page never loses
a link the template gives for a fact it states."""

from __future__ import annotations

import re

import httpx
from test_draft_helpers import Script, completion, full_sheet, good_answer, section_of

from writer.check.coverage import link_urls, template_links, unlinked
from writer.draft import make_draft
from writer.llm import ModelConfig
from writer.phrasers.model import ModelPhraser, restore_links
from writer.sections import get

UNLINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def draft(answer, **cfg):
    script = Script(answer)
    config = ModelConfig(model="scripted", base_url="http://scripted.test/v1", **cfg)
    phraser = ModelPhraser(config, http_client=httpx.Client(transport=script.transport()))
    return script, make_draft(full_sheet(), phraser, date="2025-01-17")


def template_urls(section: str) -> set[str]:
    sheet = full_sheet()
    s = get(section)
    return {url for _, url in template_links(s.template(sheet), s.facts(sheet))}


def test_a_paragraph_that_drops_every_link_is_reasked_then_gets_them_back():
    def answer(body, n):
        return 200, completion(UNLINK.sub(r"\1", good_answer(body))), {}

    script, result = draft(answer, max_reasks=1)
    function = [r for r in script.requests if section_of(r) == "function"]
    assert len(function) == 2  # re-asked once, with each link it dropped
    reask = function[1]["messages"][3]["content"]
    assert "Left out: the link of zinc ion binding" in reask
    assert "[zinc ion binding](https://amigo.geneontology.org/amigo/term/GO:0008270)" in reask
    run = result.sections["function"]
    assert not run.fell_back and run.links_restored == len(template_urls("function"))
    assert "This gene enables" in result.page  # the model's wording, its links put back
    for section in ("function", "pathways", "protein", "literature", "expression"):
        assert template_urls(section) <= link_urls(result.page), section
    assert not [f for f in result.record.findings if f.kind == "coverage"]


def test_a_linked_fact_named_in_other_words_falls_back_to_the_template():
    def answer(body, n):
        if section_of(body) == "expression":  # the tissues, without naming GTEx or its link
            return 200, completion("The gene is expressed most in the Liver (1,210.37 TPM), "
                                   "the Kidney - Cortex (530.2 TPM) and the Thyroid "
                                   "(96.81 TPM)."), {}
        return 200, completion(good_answer(body)), {}

    script, result = draft(answer, max_reasks=1)
    asked = [r for r in script.requests if section_of(r) == "expression"]
    assert len(asked) == 2
    assert "[GTEx](https://gtexportal.org/home/gene/MT1G)" in asked[1]["messages"][3]["content"]
    run = result.sections["expression"]
    assert run.fell_back and "without the link" in (run.error or "")
    assert "https://gtexportal.org/home/gene/MT1G" in result.page
    assert "expressed most in the Liver" not in result.page
    lost = [f for f in result.record.findings if f.section == "expression"]
    assert [(f.kind, f.status, f.claim) for f in lost] == [("coverage", "replaced", "GTEx")]


def test_unlinked_and_restore_links_on_their_own():
    sheet = full_sheet()
    s = get("pathways")
    facts, template = s.facts(sheet), s.template(sheet)
    text = "The gene is in the Zinc homeostasis and [Copper homeostasis]" \
           "(https://www.wikipathways.org/pathways/WP3286) pathways."
    found = unlinked("pathways", text, template, facts)
    assert [f.claim for f in found] == ["Zinc homeostasis"]
    fixed, n = restore_links(text, template, facts)
    assert n == 1 and "[Zinc homeostasis](https://www.wikipathways.org/pathways/WP3529)" in fixed
    assert unlinked("pathways", fixed, template, facts) == []
    # A fact the text leaves out is an omission (coverage.omitted), not a missing link.
    only_copper = unlinked("pathways", "The gene is in the Copper homeostasis pathway.",
                           template, facts)
    assert [f.claim for f in only_copper] == ["Copper homeostasis"]


def test_the_draft_record_holds_each_sections_cost_and_what_answered():
    def answer(body, n):
        return 200, {**completion(good_answer(body)), "model": "qwen2.5-0.5b-q4",
                     "system_fingerprint": "b4567-abc"}, {}

    _, result = draft(answer)
    run = result.record.sections["function"]
    assert run.served == ("qwen2.5-0.5b-q4 (b4567-abc)",) and run.model == "scripted"
    assert (run.prompt_tokens, run.completion_tokens) == (120, 80) and run.seconds >= 0
    data = result.record.model_dump(mode="json")
    assert data["sections"]["protein"]["served"] == ["qwen2.5-0.5b-q4 (b4567-abc)"]
    assert all(c.served == "qwen2.5-0.5b-q4 (b4567-abc)" for c in result.calls)


def test_a_longer_name_is_linked_before_a_shorter_one_inside_it():
    from writer.factsheet import Fact, Item

    u1, u2 = "https://amigo.test/GO:1", "https://amigo.test/GO:2"
    facts = {"function.cellular_component": Fact(
        key="function.cellular_component", label="GO cellular component", source="orgdb-3.16",
        value=(Item(name="nucleus", id="GO:1", url=u1),
               Item(name="nucleus organization", id="GO:2", url=u2)))}
    template = f"It is located in the [nucleus]({u1}) and in [nucleus organization]({u2})."
    fixed, n = restore_links("It is involved in nucleus organization in the nucleus.",
                             template, facts)
    assert n == 2
    assert fixed == (f"It is involved in [nucleus organization]({u2}) in the [nucleus]({u1}).")
