"""Look-ups over one fact sheet, built once per check: names, GO terms, tissues, pathways,
identifiers, percentile populations, and how to name a fact's source in a reason."""

from __future__ import annotations

import re
from functools import cached_property
from urllib.parse import unquote

from writer import catalog
from writer.check import lexicon as lx
from writer.check.diseases import EMPTY, NameList, disease_key, name_forms
from writer.check.genenames import EMPTY as NO_GENES
from writer.check.genenames import GeneNames
from writer.check.goterms import GoTerms
from writer.factsheet import Fact, FactSheet, Item

BIOGPS_KEY = "expression.biogps_tissues"
BIOGPS_SAMPLE = "expression.biogps_tissue"  # a claim naming one of them (as expression.tissue)
GWAS_KEYS = ("disease.gwas_diseases", "disease.gwas_traits", "disease.gwas_categories")
PATHWAY_KEYS = ("pathways.wikipathways", "pathways.reactome", "pathways.reactome_categories",
                "pathways.reactome_all")
_ESCAPABLE = set("\\`*_{}[]()#+-.!|<>")


def norm_name(text: str) -> str:
    """Case, punctuation and spacing do not make a name different."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("\\", "")))


def atlas_norm(text: str) -> str:
    """An atlas name for comparison: case, punctuation and a plural s aside ("Enzymes")."""
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w
                    for w in norm_name(text.replace("&", " and ")).split())


def trait_key(trait_id: str) -> str:
    """``MONDO_0005010``, ``MONDO:0005010`` and ``MONDO\\_0005010`` are one trait ID."""
    return trait_id.replace("\\", "").replace(":", "_").upper()


def name_words(text: str) -> frozenset[str]:
    words = set()
    for w in re.findall(r"[a-z0-9]+", text.lower()):
        if w in lx.NAME_STOPWORDS:
            continue
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        words.add(lx.TISSUE_SYNONYMS.get(w, w))
    return frozenset(words)


def _escaped_pattern(value: str) -> re.Pattern[str]:
    """``value`` as Markdown may write it: any punctuation optionally backslash-escaped."""
    parts = []
    for ch in value:
        parts.append(("\\\\?" + re.escape(ch)) if ch in _ESCAPABLE else re.escape(ch))
    return re.compile("".join(parts))


GO_ASPECTS = {"function.molecular_function": "MF", "function.cellular_component": "CC",
              "function.biological_process": "BP"}


class SheetIndex:
    def __init__(self, sheet: FactSheet, diseases: NameList = EMPTY,
                 go_terms: GoTerms | None = None, gene_names: GeneNames = NO_GENES) -> None:
        self.sheet = sheet
        self.gene_names = gene_names
        self.disease_names = diseases
        self.symbol = sheet.symbol
        aliases = self.items("identity.aliases")
        self.aliases = [a.name for a in aliases]
        self.all_names = {sheet.symbol.upper()} | {a.upper() for a in self.aliases}
        self.go_by_id: dict[str, tuple[Item, Fact]] = {}
        self.go_by_name: dict[str, tuple[Item, Fact]] = {}
        own: list[tuple[str, str, str]] = []
        for key, aspect in GO_ASPECTS.items():
            fact = sheet.get(key)
            for item in self.items(key):
                if item.id:
                    self.go_by_id[item.id] = (item, fact)  # type: ignore[assignment]
                    own.append((item.id, item.name, aspect))
                self.go_by_name[norm_name(item.name)] = (item, fact)  # type: ignore[assignment]
        # The ontology from the fact store; without it, only the gene's own terms are known.
        self.go_terms = go_terms if go_terms else GoTerms.build(own, (), ())
        self.tissues = [(item, name_words(item.name))
                        for item in self.items("expression.top_tissues")]
        from writer.sections.expression import biogps_name

        # the BioGPS GNF1H samples: (item, its name as prose, that name's words)
        self.biogps = [(item, biogps_name(item.name), name_words(biogps_name(item.name)))
                       for item in self.items(BIOGPS_KEY)]
        self.pathways = [p for key in PATHWAY_KEYS for p in self.items(key)]
        self.pathway_ids = {p.id.upper(): p for p in self.pathways if p.id}
        self.papers = self.items("publications.top")
        self.paper_ids = {p.id: p for p in self.papers if p.id}
        self.paper_titles = {norm_name(p.name): p for p in self.papers}
        self.pathway_names = {self.pathway_norm(p.name): p for p in self.pathways}
        uniprot = {i.id or i.name for i in self.items("identity.uniprot_ids")}
        acc = sheet.value("protein.uniprot_accession")
        if isinstance(acc, str):
            uniprot.add(acc)
        self.uniprot = uniprot

    @cached_property
    def go_general(self) -> dict[str, list[str]]:
        """GO's true path rule: every ancestor (is_a, part_of) of an annotated term, with the
        annotated terms below it."""
        out: dict[str, list[str]] = {}
        for go_id in self.go_by_id:
            for ancestor in self.go_terms.ancestors(go_id):
                out.setdefault(ancestor, []).append(go_id)
        return out

    # --- facts ---------------------------------------------------------------------------------
    def fact(self, key: str | None) -> Fact | None:
        if key == "function.term_count":
            return self._term_count
        return self.sheet.get(key) if key else None

    @cached_property
    def _term_count(self) -> Fact | None:
        """How many GO terms the gene has (a count the function paragraph states, derived
        from the three aspects' facts, never stored)."""
        from writer.sections.function import ASPECTS, term_count

        facts = [f for k, *_ in ASPECTS if (f := self.sheet.get(k)) is not None]
        if not facts:
            return None
        return facts[0].model_copy(update={"key": "function.term_count",
                                           "label": "GO terms of the gene",
                                           "value": term_count(self.sheet), "unit": None,
                                           "percentile": None, "checks": ()})

    def items(self, key: str) -> tuple[Item, ...]:
        fact = self.sheet.get(key)
        if fact is None or not isinstance(fact.value, tuple):
            return ()
        return fact.value

    def label(self, key: str | None) -> str:
        if key is None:
            return "value"
        spec = catalog.fact(key)
        text = spec.label if spec else key.split(".")[-1].replace("_", " ")
        first = text.split(" ", 1)[0]
        return text[0].lower() + text[1:] if first[1:].islower() else text  # "Gene length"

    def source(self, fact: Fact) -> str:
        ref = self.sheet.sources.get(fact.source)
        name = ref.name if ref else fact.source
        url = fact.links[0].url if fact.links else (ref.url if ref else "")
        return f"{name}{f' ({url})' if url else ''}"

    def source_name(self, fact: Fact) -> str:
        ref = self.sheet.sources.get(fact.source)
        return ref.name if ref else fact.source

    @cached_property
    def population_sizes(self) -> dict[int, str]:
        out: dict[int, str] = {}
        for fact in self.sheet.facts.values():
            if fact.percentile:
                out.setdefault(fact.percentile.size, fact.percentile.population)
        return out

    @cached_property
    def source_text(self) -> str:
        return " ".join(f"{s.name} {s.version} {s.release_date}"
                        for s in self.sheet.sources.values())

    @cached_property
    def urls(self) -> dict[str, str]:
        """Every link the fact sheet gives (unquoted), with the source it comes from."""
        out: dict[str, str] = {}
        for fact in self.sheet.facts.values():
            name = self.source_name(fact)
            for link in fact.links:
                out.setdefault(unquote(link.url), name)
            if isinstance(fact.value, tuple):
                for item in fact.value:
                    if item.url:
                        out.setdefault(unquote(item.url), name)
        return out

    # --- names and identifiers -----------------------------------------------------------------
    @cached_property
    def echo_patterns(self) -> list[tuple[str, re.Pattern[str]]]:
        out = []
        for key, fact in self.sheet.facts.items():
            if isinstance(fact.value, str) and len(fact.value) >= 12 and " " in fact.value:
                out.append((key, _escaped_pattern(fact.value)))
        for population in {f.percentile.population for f in self.sheet.facts.values()
                           if f.percentile}:
            out.append(("percentile.population", _escaped_pattern(population)))
        return out

    @staticmethod
    def kind_of_string(key: str) -> str:
        return {"identity.location": "location",
                "percentile.population": "population"}.get(key, "identifier")

    @staticmethod
    def ensembl_key(value: str) -> str:
        if value.startswith("ENSG"):
            return "identity.ensembl_id"
        if value.startswith("ENST"):
            return "structure.canonical_transcript"
        return "protein.ensembl_protein"

    @staticmethod
    def pathway_norm(name: str) -> str:
        n = norm_name(name)
        n = re.sub(r"^(?:the )?(?:wikipathways |reactome )?", "", n)
        return re.sub(r" pathways?$", "", n)

    def pathway_fact(self) -> Fact | None:
        """The first pathway list the sheet holds (for naming the source in a reason)."""
        return next((f for k in PATHWAY_KEYS if (f := self.sheet.get(k)) is not None), None)

    def pathway_sources(self) -> str:
        facts = [f for k in PATHWAY_KEYS if (f := self.sheet.get(k)) is not None]
        return ", ".join(dict.fromkeys(self.source_name(f) for f in facts))

    def pathway_named(self, name: str) -> Item | None:
        return self.pathway_names.get(self.pathway_norm(name))

    def tissue_named(self, name: str) -> Item | None:
        words = name_words(name)
        if not words:
            return None
        exact = norm_name(name)
        for item, _ in self.tissues:
            if norm_name(item.name) == exact:
                return item
        for item, tw in self.tissues:
            if words <= tw:
                return item
        return None

    def biogps_named(self, name: str) -> Item | None:
        """The GNF1H sample a page names: as prose, as the file spells it, or in the same
        words (plural or case aside); never by a part of its words ("liver" is not "fetal
        liver": the atlas has both)."""
        exact, words = norm_name(name), name_words(name)
        for item, prose, prose_words in self.biogps:
            if exact in (norm_name(prose), norm_name(item.name)) or (words and
                                                                   words == prose_words):
                return item
        return None

    # --- GWAS traits ---------------------------------------------------------------------------
    @cached_property
    def gwas_items(self) -> list[Item]:
        """The GWAS Catalog traits (diseases and others) and their Mondo categories."""
        return [item for key in GWAS_KEYS for item in self.items(key)]

    @cached_property
    def gwas_by_id(self) -> dict[str, Item]:
        return {trait_key(i.id): i for i in self.gwas_items if i.id}

    def gwas_named(self, name: str) -> Item | None:
        """The trait or category ``name`` names (case and punctuation aside)."""
        key = disease_key(name)
        return next((i for i in self.gwas_items if disease_key(i.name) == key), None)

    # --- diseases ------------------------------------------------------------------------------
    @cached_property
    def diseases(self) -> list[tuple[Item, tuple[str, ...]]]:
        """The diseases the gene is annotated to, each with the forms its name is found by."""
        return [(item, tuple(name_forms(item.name))) for item in self.items("disease.mendelian")]

    @cached_property
    def disease_ids(self) -> dict[str, Item]:
        return {item.id: item for item, _ in self.diseases if item.id}

    def disease_named(self, name: str, item: Item | None = None) -> Item | None:
        """The annotated disease ``name`` names: the same name in any of its forms, or a part
        of one ("ovarian cancer" in "Breast-ovarian cancer, familial"), with no number the
        annotated name lacks; ``item`` limits the search to one disease."""
        wanted = name_forms(name)
        numbers = {w for w in wanted[0].split() if w.isdigit()}  # "type 2" is not "type 5"
        for candidate, forms in self.diseases:
            if item is not None and candidate is not item:
                continue
            if not numbers <= set(forms[0].split()):
                continue
            for form in forms:
                padded = f" {form} "
                if any(w == form or f" {w} " in padded for w in wanted):
                    return candidate
        return None

    # --- the protein atlas -----------------------------------------------------------------------
    @cached_property
    def atlas_names(self) -> list[tuple[str, str]]:
        """(name, key) of every name the gene's atlas facts hold: classes, categories,
        locations and the expression clusters' descriptions."""
        out = []
        for key, fact in self.sheet.section("atlas").items():
            if isinstance(fact.value, tuple):
                out.extend((i.name, key) for i in fact.value)
            elif isinstance(fact.value, str):
                out.append((fact.value, key))
        return out

    def atlas_values(self, key: str) -> set[str]:
        return {atlas_norm(n) for n, k in self.atlas_names if k == key}

    def canonical_transcript(self) -> str | None:
        value = self.sheet.value("structure.canonical_transcript")
        return value if isinstance(value, str) else None
