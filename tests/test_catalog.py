"""The catalogue (writer/catalog.toml) is the one list of sections, fact keys and sources:
it is consistent, and everything that used to repeat it now reads it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from test_draft_helpers import build_store, full_sheet

from writer import catalog
from writer.check import lexicon
from writer.check.page import SECTION_ORDER, parse
from writer.factsheet import FACT_KEYS, Fact, Item, Link
from writer.sections import all_sections, prompt_text


def test_sections_are_unique_and_their_sources_exist():
    names = [s.name for s in catalog.sections()]
    assert len(names) == len(set(names))
    prefixes = [s.prefix for s in catalog.sections() if s.prefix]
    assert len(prefixes) == len(set(prefixes))
    sources = catalog.sources()
    for spec in catalog.sections():
        for source_id in spec.offline + spec.online:
            assert source_id in sources, f"section {spec.name} names unknown source {source_id}"
            assert spec.name in sources[source_id].provides, (spec.name, source_id)
        for source_id in spec.offline:
            assert sources[source_id].kind == "offline"
        for source_id in spec.online:
            assert sources[source_id].kind == "online"
        if spec.kind == "prose":
            assert spec.needs, f"section {spec.name} has no 'needs' for the closing note"


def test_every_source_feeds_known_sections_and_offline_ones_carry_a_release():
    names = {s.name for s in catalog.sections()}
    for source in catalog.sources().values():
        assert set(source.provides) <= names, source.id
        if source.kind == "offline":
            assert source.version and source.release_date and source.licence, source.id


def test_every_fact_key_belongs_to_a_section_and_named_keys_exist():
    prefixes = {s.prefix for s in catalog.sections() if s.prefix}
    for spec in catalog.facts():
        assert spec.prefix in prefixes, spec.key
        assert spec.label, spec.key
    for section in catalog.sections():
        for key in (section.number_key, section.year_key):
            assert key is None or catalog.fact(key) is not None, (section.name, key)


def test_evaluator_orders_name_each_marked_section_once():
    marked = {s.name for s in catalog.sections() if s.markers is not None}
    headed = {s.name for s in catalog.sections() if s.heading is not None}
    assert sorted(s.name for s in catalog.marker_order()) == sorted(marked)
    assert sorted(s.name for s in catalog.heading_order()) == sorted(headed)


def test_derived_tables_follow_the_catalogue():
    assert {f.key: f.label for f in catalog.facts() if f.stored} == FACT_KEYS
    assert SECTION_ORDER[1:] == tuple(s.name for s in catalog.sections())
    assert [s.name for s in all_sections()] == [
        s.name for s in catalog.sections() if s.kind != "notes"
    ]
    for section in all_sections():
        assert section.keys == catalog.section(section.name).keys
    # the evaluator's cue words, count nouns and dimensions are the catalogue's
    cues = {key for _, _, key in lexicon.find_cues("the gene length and the isoelectric point")}
    assert cues == {"structure.gene_length", "protein.isoelectric_point"}
    assert {k for _, k in lexicon.COUNT_NOUNS} == {
        f.key for f in catalog.facts() if f.counts is not None
    }
    assert {
        f.key for f in catalog.facts() if f.dimension == "fraction"
    } == lexicon.FRACTION_KEYS


def test_every_prose_section_has_a_prompt_file():
    for section in all_sections():
        if section.phrased:
            text = prompt_text(section.name)
            assert "{{facts}}" in text and "{{symbol}}" in text, section.name


def test_offline_sync_sources_are_the_catalogues_offline_sources(store):
    from writer.sources import offline_sources

    synced = {s.ref.id for s in offline_sources()}
    assert synced == {s.id for s in catalog.sources().values() if s.kind == "offline"}
    for ref in (s.ref for s in offline_sources()):
        spec = catalog.source(ref.id)
        assert (ref.name, ref.version, ref.licence) == (spec.name, spec.version, spec.licence)


def test_stored_facts_carry_the_catalogues_labels_and_units(factsheet):
    sheet = factsheet("NME1")
    assert sheet.facts
    for key, fact in sheet.facts.items():
        spec = catalog.fact(key)
        assert spec is not None and spec.stored
        assert fact.label == spec.label
        assert fact.unit == spec.unit, key


def test_the_store_refuses_keys_outside_the_catalogue(tmp_path):
    from writer.errors import SyncError
    from writer.store import StoreBuilder

    builder = StoreBuilder(tmp_path / "facts.sqlite")
    with pytest.raises(SyncError, match="unknown fact key"):
        builder.add_fact(1, "structure.not_a_key", 3, source="test")
    with pytest.raises(SyncError, match="unknown fact key"):  # a list item's value, not stored
        builder.add_fact(1, "expression.tpm", 3.0, source="test")


def test_an_online_section_appears_once_a_source_writes_its_facts(tmp_path):
    """The catalogue lets online facts into the store; the page then has the section (the
    generic template) and the closing note no longer names it."""
    from writer.draft import make_draft
    from writer.store import FactStore

    base = full_sheet()
    papers = Fact(
        key="publications.top", label=FACT_KEYS["publications.top"], source="orgdb-3.16",
        value=(Item(name="A paper on metallothioneins", id="PMID:12345678",
                    url="https://pubmed.ncbi.nlm.nih.gov/12345678/"),),
        links=(Link(label="iCite", url="https://icite.od.nih.gov/"),),
    )
    sheet = base.model_copy(update={"facts": {**base.facts, "publications.top": papers}})
    path = build_store(tmp_path / "facts.sqlite", sheet)
    stored = FactStore(path).sheet(sheet.gene_id)
    assert "publications.top" in stored.facts
    before = make_draft(base).page
    after = make_draft(stored).page
    assert "A paper on metallothioneins" not in before
    assert "publications ranked by citation (iCite" in before
    assert "[A paper on metallothioneins](https://pubmed.ncbi.nlm.nih.gov/12345678/)" in after
    assert "publications ranked by citation (iCite" not in after
    # the section sits where the catalogue puts it: after literature, before expression
    page = parse(after)
    order = [s for s in page.sections() if s in SECTION_ORDER]
    assert order.index("publications") == order.index("literature") + 1


def test_the_evaluator_does_not_import_the_templates():
    code = (
        "import sys\n"
        "from writer.check import check\n"
        "from writer.catalog import sections\n"
        "print(sorted(m for m in sys.modules if m.startswith('writer.sections')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
