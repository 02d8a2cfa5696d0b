"""Tracing: does a claim match a fact of its own kind?

Each claim gets a status, ``traced``, ``contradicted`` (the fact sheet holds a different
value for that kind) or ``unverifiable`` (nothing in the fact sheet to check it against),
and a reason that names the source's value and link.
"""

from __future__ import annotations

import re
from decimal import Decimal

from writer import catalog
from writer.check import lexicon as lx
from writer.check.claims import Claim
from writer.check.diseases import DiseaseEntry, disease_key
from writer.check.goterms import ASPECT_NAMES, EXPERIMENTAL, NO_DATA, PREDICTED
from writer.check.numbers import matches, show
from writer.check.page import SECTION_TITLES
from writer.check.sheetindex import BIOGPS_KEY, BIOGPS_SAMPLE, SheetIndex, atlas_norm, norm_name
from writer.factsheet import FACT_KEYS, Fact, Item

TRACED, CONTRADICTED, UNVERIFIABLE = "traced", "contradicted", "unverifiable"
Result = tuple[str, str]
_COMMON_WORDS = frozenset({"and", "the", "with", "gene", "genes", "data", "sequences", "tissues",
                           "structures"})


def _listing(names: list[str], limit: int = 6) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


class Tracer:
    def __init__(self, index: SheetIndex) -> None:
        self.ix = index
        self.sym = index.symbol
        self._last_paper: Item | None = None  # the paper last named (claims come in page order)
        self._tf_run: list[Item | None] = []  # the TFs named since the last count of them
        self._last_trait: Item | None = None  # the GWAS trait last named

    # --- shared reasons ------------------------------------------------------------------------
    def absent(self, key: str | None, claim: Claim) -> Result:
        label = self.ix.label(key)
        section = catalog.section_of_key(key) if key else None
        online_only = section is not None and not section.has_offline_source
        if key and key in FACT_KEYS and not online_only:
            return UNVERIFIABLE, f"the fact sheet of {self.sym} has no {label}"
        title = SECTION_TITLES.get(claim.section)
        if title:
            return UNVERIFIABLE, f"{label}: no offline source provides {title}"
        return UNVERIFIABLE, f"{label}: no source in the fact store provides it"

    def _value_text(self, fact: Fact, factor: Decimal = Decimal(1), unit: str | None = None
                    ) -> str:
        value = fact.value
        if isinstance(value, (int, float)) and factor == 100:
            return show(round(float(value) * 100, 6)) + "%"
        return show(value if not isinstance(value, tuple) else "", unit or fact.unit)

    # --- dispatch ------------------------------------------------------------------------------
    def trace(self, c: Claim) -> Result:
        if c.status == TRACED:
            return TRACED, c.reason or f"states the {self.ix.label(c.key)} verbatim"
        if c.status is not None:
            fact = self.ix.fact(c.key)
            extra = f"; {self.ix.source_name(fact)} gives {self._value_text(fact)}" \
                if fact and not fact.is_list else ""
            return c.status, (c.reason or "") + extra
        handler = getattr(self, f"_{c.kind}", None)
        if handler is None:
            return self.number(c)
        return handler(c)

    # --- numbers -------------------------------------------------------------------------------
    def number(self, c: Claim) -> Result:
        if c.written is None:
            return self.absent(c.key, c)
        if c.key is None:
            return UNVERIFIABLE, ("no fact this number could state: no unit, counted noun or cue "
                                  "word ties it to a quantity of the fact sheet")
        if c.key == "expression.tpm":
            return self.tpm(c)
        if c.key == "publications.rcr":
            return self.rcr(c)
        if c.key == "disease.gwas_associations":
            return self.gwas_count(c)
        if c.key == "literature.publication_count":
            c.key = self._count_key(c)
        if c.key == "protein.charge_ph7.ph":
            return self.ph(c)
        if c.key in ("regulation.databases", "regulation.experiments"):
            return self._tf_count(c)
        fact = self.ix.fact(c.key)
        if fact is None:
            return self.absent(c.key, c)
        if fact.is_list:
            return UNVERIFIABLE, f"the {self.ix.label(c.key)} is a list, not a number"
        factor = c.factor
        if c.key in lx.FRACTION_KEYS:  # "30.65%" or "0.3065", whichever way the fact is kept
            as_percent = (fact.unit or "").strip() in ("%", "percent")
            if c.unit == "%":
                factor = Decimal(1) if as_percent else Decimal(100)
            else:
                factor = Decimal("0.01") if as_percent else Decimal(1)
        label = self.ix.label(c.key)
        written = fact
        said = c.written.describe() + (("" if c.unit == "%" else " ") + c.unit if c.unit else "")
        if matches(c.written, written.value, factor):  # type: ignore[arg-type]
            verb = "fits" if c.written.qualifier else "rounds"
            return TRACED, (f"{label} {said} {verb} {self._value_text(fact, factor)} "
                            f"({self.ix.source_name(fact)})")
        return CONTRADICTED, (f"{label} {said}; {self.ix.source(fact)} gives "
                              f"{self._value_text(fact, factor)}")

    def _length(self, c: Claim) -> Result:
        return self.number(c)

    _count = _length
    _protein_property = _length
    _score = _length
    _number = _length
    _expression = _length

    def _count_key(self, c: Claim) -> str:
        """A publication count is the curated gene2pubmed count or PubTator3's mention count:
        the one it rounds to (the curated one when neither does)."""
        key = "literature.publication_count"
        alt = self.ix.fact("literature.mention_count")
        fact = self.ix.fact(key)
        if alt is None or c.written is None:
            return key
        if fact is not None and matches(c.written, fact.value):  # type: ignore[arg-type]
            return key
        if matches(c.written, alt.value) or fact is None:  # type: ignore[arg-type]
            return "literature.mention_count"
        return key

    def rcr(self, c: Claim) -> Result:
        """A relative citation ratio: the one of the paper named before it, else any of the
        top papers'."""
        fact = self.ix.fact("publications.top")
        if fact is None or c.written is None:
            return self.absent("publications.top", c)
        papers = [self._last_paper] if self._last_paper is not None else list(self.ix.papers)
        for item in papers:
            if item.value is not None and matches(c.written, item.value):
                return TRACED, f"RCR of PMID {item.id}: {show(item.value)} (iCite)"
        shown = "; ".join(f"PMID {i.id}: {show(i.value)}" for i in papers if i.value is not None)
        return CONTRADICTED, f"RCR {c.written.text}; iCite gives {shown}"

    def gwas_count(self, c: Claim) -> Result:
        """A number of GWAS associations: the trait's named before it, or the gene's total."""
        total = self.ix.fact("disease.gwas_association_count")
        options: list[tuple[str, float]] = []
        trait = self._last_trait
        if trait is not None and trait.value is not None:
            options.append((f"associations with {trait.name}", trait.value))
        if total is not None and isinstance(total.value, int):
            options.append(("GWAS associations of the gene", total.value))
        if not options or c.written is None:
            return self.absent("disease.gwas_association_count", c)
        for what, value in options:
            if matches(c.written, value):
                return TRACED, f"{what}: {show(value)} (GWAS Catalog)"
        given = "; ".join(f"{what}: {show(value)}" for what, value in options)
        return CONTRADICTED, f"{c.written.describe()} associations; the GWAS Catalog gives {given}"

    def _p_value(self, c: Claim) -> Result:
        """A p-value: the best one of the trait named before it, else of any trait."""
        items = [i for i in self.ix.gwas_items if i.p_value is not None]
        if not items or c.written is None:
            return self.absent("disease.gwas_diseases", c)
        trait = self._last_trait
        options = [trait] if trait is not None and trait.p_value is not None else items
        for item in options:
            if matches(c.written, item.p_value, c.factor):  # type: ignore[arg-type]
                return TRACED, f"best p-value of {item.name}: {item.p_value:g} (GWAS Catalog)"
        given = "; ".join(f"{i.name}: {i.p_value:g}" for i in options)
        return CONTRADICTED, f"p-value {c.value}; the GWAS Catalog's best p-values are {given}"

    def _trait(self, c: Claim) -> Result:
        """A GWAS trait or disease category, by name or ontology ID (a name with the ID its
        link carries): one of the gene's GWAS Catalog traits or their Mondo categories."""
        from writer.check.sheetindex import trait_key

        ix = self.ix
        if not ix.gwas_items:
            return self.absent("disease.gwas_diseases", c)
        value = str(c.value)
        known = _listing([f"{i.name} ({i.id})" for i in ix.gwas_items])
        if c.key == "disease.trait_id":
            item = ix.gwas_by_id.get(trait_key(value))
            if item is not None:
                self._last_trait = item
                return TRACED, f"{value} is {item.name}, a GWAS trait or category of {self.sym}"
            return UNVERIFIABLE, (f"{value} is not among the GWAS traits and categories of "
                                  f"{self.sym}: {known}")
        if c.linked_id:
            item = ix.gwas_by_id.get(trait_key(c.linked_id))
            if item is not None:
                if disease_key(item.name) == disease_key(value):
                    self._last_trait = item
                    return TRACED, f"{c.linked_id} is {item.name} (GWAS Catalog)"
                self._mismatch(c, f"{c.linked_id} is '{item.name}', but its link says '{value}'")
                return CONTRADICTED, f"'{value}' links to {c.linked_id}, which is '{item.name}'"
        item = ix.gwas_named(value)
        if item is not None:
            self._last_trait = item
            return TRACED, f"{item.name} ({item.id}) is a GWAS trait or category of {self.sym}"
        return UNVERIFIABLE, (f"'{value}' is not among the GWAS traits and categories of "
                              f"{self.sym}: {known}")

    def tpm(self, c: Claim) -> Result:
        tissue = c.item
        item = tissue.notes.get("item") if tissue is not None else None
        fact = self.ix.fact("expression.top_tissues")
        if fact is None:
            return self.absent("expression.top_tissues", c)
        if item is None or item.value is None or c.written is None:
            return UNVERIFIABLE, "a median expression value with no traced tissue before it"
        if matches(c.written, item.value):
            return TRACED, f"median expression in {item.name}: {show(item.value)} TPM"
        return CONTRADICTED, (f"median expression in {item.name} {c.written.describe()} TPM; "
                              f"{self.ix.source(fact)} gives {show(item.value)} TPM")

    def ph(self, c: Claim) -> Result:
        """The pH a charge is given at: the fact's own definition ("Charge at pH 7.0")."""
        label = FACT_KEYS["protein.charge_ph7"]
        m = re.search(r"pH (\d+(?:\.\d+)?)", label)
        if m is None or c.written is None:
            return UNVERIFIABLE, "no fact is defined at a pH"
        if matches(c.written, Decimal(m.group(1))):
            return TRACED, f"the charge fact is defined at pH {m.group(1)}"
        return CONTRADICTED, (f"pH {c.written.text}; the fact sheet's charge is computed at "
                              f"pH {m.group(1)} (Biopython ProtParam charge_at_pH)")

    def _percentile(self, c: Claim) -> Result:
        if c.of is None:
            return UNVERIFIABLE, "a percentile, but no value before it says of what"
        fact = self.ix.fact(c.of)
        label = self.ix.label(c.of)
        if fact is None:
            return self.absent(c.of, c)
        if fact.percentile is None or c.written is None:
            return UNVERIFIABLE, f"the fact sheet has no percentile for the {label}"
        p = fact.percentile
        where = f"among {p.size:,} {p.population}"
        if matches(c.written, p.value):
            return TRACED, f"percentile of the {label}: {show(p.value)} {where}"
        written = re.sub(r"(?:st|nd|rd|th)$", "", c.written.describe())
        return CONTRADICTED, (f"percentile of the {label} {written}; "
                              f"{self.ix.source(fact)} gives {show(p.value)} {where}")

    def _population(self, c: Claim) -> Result:
        sizes = self.ix.population_sizes
        if not sizes or c.written is None:
            return UNVERIFIABLE, "the fact sheet has no percentiles, so no population size"
        for size, population in sizes.items():
            if matches(c.written, size):
                return TRACED, f"percentiles are over {size:,} {population}"
        listed = "; ".join(f"{s:,} {p}" for s, p in sizes.items())
        return CONTRADICTED, f"population of {c.written.text}; the percentiles are over {listed}"

    def _year(self, c: Claim) -> Result:
        if c.written is None:
            return self.absent(c.key, c)
        year = int(c.written.value)
        if c.key == "publications.year":
            papers = [self._last_paper] if self._last_paper is not None else list(self.ix.papers)
            if not papers:
                return self.absent("publications.top", c)
            if any(p.year == year for p in papers):
                return TRACED, f"publication year {year} of a top paper (iCite)"
            years = ", ".join(f"PMID {p.id}: {p.year}" for p in papers)
            return CONTRADICTED, f"year {year}; iCite gives {years}"
        before = str(c.notes.get("before", "")).lower()
        bases = [("literature.earliest_year", "literature.year_range"),
                 ("literature.mention_earliest_year", "literature.mention_year_range")]
        if "pubtator" in before or "mention" in before:
            bases.reverse()
        facts = [(k, f) for pair in bases for k in pair if (f := self.ix.fact(k)) is not None]
        if not facts:
            return self.absent(c.key, c)
        wanted = "year_range" if c.key == "literature.year_range" else (
            "earliest_year" if c.key == "literature.earliest_year" else "")
        for key, fact in facts:
            if wanted and not key.endswith(wanted):
                continue
            ends = [int(y) for y in re.findall(r"\d{4}", str(fact.value))]
            if year in ends:
                return TRACED, f"{self.ix.label(key)}: {fact.value} ({self.ix.source_name(fact)})"
        stated = "; ".join(f"{self.ix.label(k)}: {f.value}" for k, f in facts
                           if not wanted or k.endswith(wanted))
        if not stated:
            return self.absent(c.key, c)
        return CONTRADICTED, f"year {year}; the fact sheet gives {stated}"

    def _source(self, c: Claim) -> Result:
        """A source's version or release year, checked against the source the text names."""
        sources = list(self.ix.sheet.sources.values())
        if c.written is None or not sources:
            return UNVERIFIABLE, "the fact sheet names no source"
        hint = str(c.notes.get("before", "")).lower()
        # the source named closest before the number ("org.Hs.eg.db, released 2022")
        nearest, named = -1, []
        for s in sources:
            for tok in re.findall(r"[A-Za-z][\w.-]{2,}", s.name):
                if tok.lower() in _COMMON_WORDS:
                    continue
                for m in re.finditer(rf"(?<![\w.]){re.escape(tok.lower())}(?![\w])", hint):
                    if m.start() > nearest:
                        nearest, named = m.start(), [s]
        for s in named or sources:
            text = f"{s.name} {s.version} {s.release_date}"
            if re.search(rf"(?<!\d){re.escape(c.written.text)}(?!\d)", text):
                return TRACED, f"{c.written.text}: {s.name}, {s.version}, released {s.release_date}"
        releases = "; ".join(f"{s.name}: {s.version}, released {s.release_date}"
                             for s in (named or sources))
        return CONTRADICTED, f"{c.written.text}; the source says {releases}"

    # --- identifiers ---------------------------------------------------------------------------
    def _identifier(self, c: Claim) -> Result:
        key, value = c.key, str(c.value)
        ix = self.ix
        if key == "identity.ncbi_gene_id":
            if value == str(ix.sheet.gene_id):
                return TRACED, f"NCBI Gene ID of {self.sym}"
            if c.section == "transcription_factors":
                return self._tf_gene_id(c)
            if c.section == "perturbation":
                return self._perturbation_gene_id(c)
            fact = ix.fact(key)
            src = ix.source(fact) if fact else "NCBI Gene"
            return CONTRADICTED, f"NCBI Gene ID {value}; {src} gives {ix.sheet.gene_id}"
        if key == "identity.uniprot_ids":
            if not ix.uniprot:
                return self.absent(key, c)
            if value in ix.uniprot:
                return TRACED, f"UniProt accession of {self.sym}"
            return CONTRADICTED, (f"UniProt accession {value}; the fact sheet lists "
                                  f"{_listing(sorted(ix.uniprot))}")
        if key == "structure.transcript_name":
            ct = ix.canonical_transcript()
            if ct and re.search(rf"(?<![\w-]){re.escape(value)}(?![\w])", ct):
                return TRACED, f"canonical transcript {ct}"
            if value.rsplit("-", 1)[0].upper() in ix.all_names:
                if ct is None:
                    return self.absent("structure.canonical_transcript", c)
                return CONTRADICTED, f"transcript {value}; the canonical transcript is {ct}"
            return UNVERIFIABLE, f"{value} names a transcript of another gene"
        fact = ix.fact(key)
        if fact is None:
            return self.absent(key, c)
        fact_value = str(fact.value)
        if key == "structure.canonical_transcript":
            base = value.split(".")[0]
            ids = re.findall(r"\b(?:ENST\d{11}|[NX][MR]_\d+)(?:\.\d+)?", fact_value)
            if any(i == value or i.split(".")[0] == base for i in ids):
                return TRACED, f"canonical transcript {fact_value}"
            return CONTRADICTED, f"transcript {value}; {ix.source(fact)} gives {fact_value}"
        known = re.findall(r"[A-Za-z0-9_:]+", fact_value)  # one ID, or several ("ENSG1, ENSG2")
        if value.split(".")[0] in known:
            return TRACED, f"{ix.label(key)} of {self.sym}"
        return CONTRADICTED, f"{ix.label(key)} {value}; {ix.source(fact)} gives {fact_value}"

    def _band(self, c: Claim) -> Result:
        fact = self.ix.fact(c.key)
        if fact is None:
            return self.absent(c.key, c)
        value = re.sub(r"^chr", "", str(c.value).replace(" ", "").replace("\u2013", "-"))
        band = str(fact.value)
        if value == band or band.startswith(value + ".") or (
            c.key == "identity.band" and band.startswith(value) and not value[-1].isdigit()
        ):
            return TRACED, f"{self.ix.label(c.key)} of {self.sym}: {band}"
        return CONTRADICTED, f"{self.ix.label(c.key)} {value}; {self.ix.source(fact)} gives {band}"

    def _location(self, c: Claim) -> Result:
        fact = self.ix.fact("identity.location")
        if fact is None:
            return self.absent("identity.location", c)

        def squash(text: str) -> str:
            return re.sub(r"[\s,]", "", text).replace("\u2013", "-")

        if squash(str(fact.value)).startswith(squash(str(c.value))):
            return TRACED, f"genomic location {fact.value}"
        return CONTRADICTED, f"location {c.value}; {self.ix.source(fact)} gives {fact.value}"

    # --- names ---------------------------------------------------------------------------------
    def _gene_symbol(self, c: Claim) -> Result:
        tok = str(c.value)
        ix = self.ix
        if tok.upper() == self.sym.upper():
            return TRACED, f"the symbol of {self.sym}"
        aliases = ", ".join(ix.aliases) or "none"
        if tok.upper() in ix.all_names:
            if c.strict:
                return CONTRADICTED, f"{tok} is an alias; the official symbol is {self.sym}"
            return TRACED, f"an alias of {self.sym}"
        if c.strict:
            fact = ix.fact("identity.symbol")
            src = ix.source(fact) if fact else "NCBI Gene"
            return CONTRADICTED, f"symbol {tok}; {src} gives {self.sym}"
        if c.section == "transcription_factors":
            return self._transcription_factor(c)
        if c.section == "perturbation":
            return self._perturbation_tf(c)
        return UNVERIFIABLE, (f"{tok} is neither {self.sym} nor one of its aliases ({aliases}); "
                              f"the fact sheet says nothing about it")

    def _go_term(self, c: Claim) -> Result:
        ix = self.ix
        if not ix.go_by_name:
            return self.absent("function.biological_process", c)
        n_terms = len(ix.go_by_id)
        some = next(iter(ix.go_by_id.values()))[1]
        where = f"{ix.source(some)}"
        if c.key == "function.go_id":
            if c.value in ix.go_by_id:
                item, fact = ix.go_by_id[c.value]
                return TRACED, f"{c.value} ({item.name}), {fact.label}"
            if c.value in ix.go_general:
                return TRACED, self._true_path(str(c.value))
            return CONTRADICTED, (f"{c.value} is not among the {n_terms} GO terms annotated to "
                                  f"{self.sym} ({where})")
        name = str(c.value)
        if c.linked_id and c.linked_id in ix.go_by_id:
            item, fact = ix.go_by_id[c.linked_id]
            if norm_name(item.name) == norm_name(name):
                return self._go_said(c, [c.linked_id], TRACED,
                                     f"{c.linked_id} is {item.name} ({fact.label})")
            self._mismatch(c, f"{c.linked_id} is '{item.name}', but its link says '{name}'")
            return CONTRADICTED, (f"'{name}' links to {c.linked_id}, which is '{item.name}' "
                                  f"({where})")
        vocab = ix.go_terms
        written, ids = self._go_ids(c)
        direct = [i for i in ids if i in ix.go_by_id]
        if direct:
            item, fact = ix.go_by_id[direct[0]]
            return self._go_said(c, direct, TRACED, f"{item.id} is {item.name} ({fact.label})")
        general = [i for i in ids if i in ix.go_general]
        if general:
            return self._go_said(c, ix.go_general[general[0]], TRACED,
                                 self._true_path(general[0]))
        opposite = self._opposite(written)
        if opposite:
            item, fact = ix.go_by_id[opposite]
            return CONTRADICTED, (f"'{written}' says the opposite of {item.name} ({item.id}), "
                                  f"the annotation of {self.sym} ({fact.label})")
        above = sorted({a for i in ids for a in vocab.ancestors(i) if a in ix.go_by_id})
        if above:
            names = [f"{ix.go_by_id[a][0].name} ({a})" for a in above]
            return UNVERIFIABLE, (
                f"'{written}' ({ids[0]}) is more specific than the GO terms annotated to "
                f"{self.sym}: it falls under {_listing(names, 3)}, which do not say it ({where})")
        status = UNVERIFIABLE if c.notes.get("loose") else CONTRADICTED
        reason = (f"'{written}'{f' ({ids[0]})' if ids else ''} is not among the {n_terms} GO "
                  f"terms annotated to {self.sym}, nor above any of them ({where})")
        wrong = self._wrong_aspect(c, ids)
        return status, reason + (f"; {wrong}" if wrong else "")

    def _true_path(self, go_id: str) -> str:
        ix = self.ix
        names = [f"{ix.go_by_id[b][0].name} ({b})" for b in ix.go_general[go_id]]
        return (f"{go_id} ({ix.go_terms.name(go_id)}) holds for {self.sym} by GO's true path "
                f"rule: it is above the annotated {_listing(names, 3)}")

    def _go_ids(self, c: Claim) -> tuple[str, list[str]]:
        """The name as claimed ("negatively regulates X" claims "negative regulation of X")
        and the GO terms it names."""
        ix, name = self.ix, str(c.value)
        polarity = c.notes.get("polarity")
        if polarity is not None:
            prefix = f"{polarity} regulation of " if polarity else "regulation of "
            ids = ix.go_terms.lookup(prefix + name)
            if ids:
                return prefix + name, list(ids)
        ids = list(ix.go_terms.lookup(name))
        own = ix.go_by_name.get(norm_name(name))
        if not ids and own is not None and own[0].id:
            ids = [own[0].id]
        return name, ids

    def _opposite(self, written: str) -> str | None:
        """An annotated term that says the opposite: positive for negative regulation."""
        swap = {"negative": "positive", "positive": "negative"}
        m = re.match(r"(negative|positive)(\s+regulation of\s+.+)", written, re.I)
        if m is None:
            return None
        for go_id in self.ix.go_terms.lookup(swap[m.group(1).lower()] + m.group(2)):
            if go_id in self.ix.go_by_id:
                return go_id
        return None

    def _wrong_aspect(self, c: Claim, ids: list[str]) -> str | None:
        said = c.notes.get("aspect")
        aspect = self.ix.go_terms.aspect(ids[0]) if ids else None
        if said is None or aspect is None or said == aspect:
            return None
        return (f"'{c.notes.get('verb')}' states a {ASPECT_NAMES[said]}, but "
                f"{self.ix.go_terms.name(ids[0])} ({ids[0]}) is a {ASPECT_NAMES[aspect]}")

    def _go_said(self, c: Claim, ids: list[str], status: str, reason: str) -> Result:
        """A term the gene has: is it under the verb of its aspect, and worded as its evidence
        allows (a prediction as predicted, an experimental finding not as a prediction)?"""
        wrong = self._wrong_aspect(c, ids)
        if wrong:
            c.kind = "go_relation"
            return CONTRADICTED, wrong
        mode = c.notes.get("mode")
        if mode is None:
            return status, reason
        evidence = sorted({e for i in ids if i in self.ix.go_by_id
                           for e in self.ix.go_by_id[i][0].evidence} - NO_DATA)
        name = self.ix.go_terms.name(ids[0])
        verb = c.notes.get("verb")
        if (evidence and set(evidence) <= PREDICTED and mode != "predicted"
                and not self._shown_below(ids)):
            c.kind = "go_evidence"
            how = "as shown by experiment" if mode == "shown" else f"as a fact ('{verb}')"
            return CONTRADICTED, (f"states {name} {how}, but every annotation of it is a "
                                  f"prediction ({', '.join(evidence)}): 'is predicted to ...'")
        if mode == "predicted" and set(evidence) & EXPERIMENTAL and not set(evidence) & PREDICTED:
            c.kind = "go_evidence"
            return CONTRADICTED, (f"calls {name} a prediction, but it is shown by experiment "
                                  f"({', '.join(evidence)})")
        return status, reason

    def _shown_below(self, ids: list[str]) -> bool:
        """Is a term under one of ``ids`` annotated to the gene other than by prediction
        (experiment, author or curator)? GO's true path rule then makes each of ``ids`` an
        observation too (the function template writes several observed terms under one
        parent as that parent)."""
        wanted = set(ids)
        return any(set(item.evidence) - NO_DATA - PREDICTED
                   and wanted & self.ix.go_terms.ancestors(go_id)
                   for go_id, (item, _) in self.ix.go_by_id.items())

    # --- transcription factors -------------------------------------------------------------------
    def _transcription_factor(self, c: Claim) -> Result:
        """A TF named in the TF section: one of the TFs the sheet lists for the gene."""
        fact = self.ix.fact("regulation.chipseq_tfs")
        if fact is None:
            return self.absent("regulation.tf", c)
        items = self.ix.items("regulation.chipseq_tfs")
        item = next((i for i in items if i.name.upper() == str(c.value).upper()), None)
        self._tf_run.append(item)
        if item is not None:
            return TRACED, (f"{item.name} binds {self.sym} in ChIP data, reported by "
                            f"{', '.join(item.evidence) or 'no named database'} "
                            f"({self.ix.source_name(fact)})")
        return CONTRADICTED, (f"{c.value} is not among the {len(items)} transcription factors "
                              f"{self.ix.source(fact)} lists for {self.sym}")

    def _tf_gene_id(self, c: Claim) -> Result:
        fact = self.ix.fact("regulation.chipseq_tfs")
        if fact is None:
            return self.absent("regulation.tf", c)
        item = next((i for i in self.ix.items("regulation.chipseq_tfs") if i.id == c.value), None)
        if item is not None:
            return TRACED, f"NCBI Gene ID of {item.name}, a transcription factor of {self.sym}"
        return CONTRADICTED, (f"NCBI Gene ID {c.value} is none of the transcription factors "
                              f"{self.ix.source(fact)} lists for {self.sym}")

    def _tf_count(self, c: Claim) -> Result:
        """"(3 databases)", "each with 4 experiments": a count of the TFs named since the
        previous count. TFLink counts the databases reporting a pair, not experiments."""
        run, self._tf_run = self._tf_run, []
        fact = self.ix.fact("regulation.chipseq_tfs")
        if fact is None:
            return self.absent(c.key, c)
        if c.key == "regulation.experiments":
            return UNVERIFIABLE, (f"{self.ix.source_name(fact)} counts the databases that report "
                                  f"a transcription factor binding {self.sym}, not ChIP-seq "
                                  f"experiments; no synced source counts experiments")
        named = [i for i in run if i is not None]
        if not named or c.written is None:
            return UNVERIFIABLE, "no transcription factor of the gene is named before this count"
        wrong = [i for i in named if i.value is None or not matches(c.written, i.value)]
        counts = ", ".join(f"{i.name} {show(i.value)}" for i in named)
        if wrong:
            return CONTRADICTED, (f"{c.written.describe()} databases; {self.ix.source(fact)} "
                                  f"gives {counts}")
        return TRACED, f"databases reporting {counts} ({self.ix.source_name(fact)})"

    # --- Perturb-seq transcription factors --------------------------------------------------------
    def _knockdown_item(self, key: str, name: object) -> Item | None:
        return next((i for i in self.ix.items(key) if i.name.upper() == str(name).upper()),
                    None)

    def _perturbation_tf(self, c: Claim) -> Result:
        """A TF named in the Perturb-seq paragraph: one whose knockdown the sheet lists."""
        fact = self.ix.fact("perturbation.tf_knockdowns")
        if fact is None:
            return self.absent("perturbation.tf", c)
        item = self._knockdown_item(fact.key, c.value)
        if item is not None:
            return TRACED, (f"knocking down {item.name} changes {self.sym} by a mean z of "
                            f"{show(item.value or 0)} ({self.ix.source_name(fact)})")
        items = self.ix.items(fact.key)
        return CONTRADICTED, (f"{c.value} is not among the {len(items)} transcription factor "
                              f"knockdowns {self.ix.source(fact)} lists for {self.sym}")

    def _perturbation_year(self, c: Claim) -> Result:
        """The screen's paper year ("Replogle et al. 2022"), as the source's name gives it."""
        ref = self.ix.sheet.sources.get("replogle2022")
        if ref is None:
            return UNVERIFIABLE, "the fact sheet holds no Perturb-seq source"
        if re.search(rf"(?<!\d){re.escape(str(c.value))}(?!\d)", ref.name):
            return TRACED, f"{c.value}: {ref.name}"
        return CONTRADICTED, f"{c.value}; the source is {ref.name}"

    def _perturbation_gene_id(self, c: Claim) -> Result:
        fact = self.ix.fact("perturbation.tf_knockdowns")
        if fact is None:
            return self.absent("perturbation.tf", c)
        item = next((i for i in self.ix.items(fact.key) if i.id == str(c.value)), None)
        if item is not None:
            return TRACED, f"NCBI Gene ID of {item.name}, a TF knocked down in the screen"
        return CONTRADICTED, (f"NCBI Gene ID {c.value} is none of the transcription factor "
                              f"knockdowns {self.ix.source(fact)} lists for {self.sym}")

    def _perturbation_direction(self, c: Claim) -> Result:
        """"lowers" / "raises" after a TF: the sign of that knockdown's mean z."""
        fact = self.ix.fact("perturbation.tf_knockdowns")
        item = self._knockdown_item("perturbation.tf_knockdowns", c.notes.get("tf"))
        if fact is None or item is None or item.value is None:
            return UNVERIFIABLE, f"no knockdown of {c.notes.get('tf')} is listed for {self.sym}"
        said = "lowers" if c.value < 0 else "raises"
        does = "lowers" if item.value < 0 else "raises"
        if said == does:
            return TRACED, (f"knocking down {item.name} {does} {self.sym} (mean z "
                            f"{show(item.value)}, {self.ix.source_name(fact)})")
        return CONTRADICTED, (f"says knocking down {item.name} {said} {self.sym}; "
                              f"{self.ix.source(fact)} gives a mean z of {show(item.value)}, "
                              f"so it {does} it")

    def _perturbation_z(self, c: Claim) -> Result:
        """The size after a TF: its mean z, signed when written as "z = -0.82", else its
        magnitude ("lowers it by 0.82")."""
        fact = self.ix.fact("perturbation.tf_knockdowns")
        item = self._knockdown_item("perturbation.tf_knockdowns", c.notes.get("tf"))
        if fact is None or item is None or item.value is None or c.written is None:
            return UNVERIFIABLE, f"no knockdown of {c.notes.get('tf')} is listed for {self.sym}"
        value = item.value if c.notes.get("signed") else abs(item.value)
        if matches(c.written, value):
            return TRACED, (f"mean z of the {item.name} knockdown {c.written.describe()} rounds "
                            f"{show(item.value)} ({self.ix.source_name(fact)})")
        return CONTRADICTED, (f"z {c.written.describe()} for the {item.name} knockdown; "
                              f"{self.ix.source(fact)} gives {show(item.value)}")

    def _perturbation_de(self, c: Claim) -> Result:
        """"1,449 genes" after a TF: how many genes its knockdown changes."""
        fact = self.ix.fact("perturbation.knockdown_de_genes")
        item = self._knockdown_item("perturbation.knockdown_de_genes", c.notes.get("tf"))
        if fact is None or item is None or item.value is None or c.written is None:
            return UNVERIFIABLE, (f"no count of the genes the {c.notes.get('tf')} knockdown "
                                  f"changes is listed")
        if matches(c.written, item.value):
            return TRACED, (f"the {item.name} knockdown changes {show(item.value)} genes "
                            f"({self.ix.source_name(fact)})")
        return CONTRADICTED, (f"{c.written.describe()} genes changed by the {item.name} "
                              f"knockdown; {self.ix.source(fact)} gives {show(item.value)}")

    # --- the protein atlas -----------------------------------------------------------------------
    def _atlas(self, c: Claim) -> Result:
        """An atlas name (class, category, location, cluster description) or "cluster N"."""
        if c.key == "atlas.cluster":
            return self._atlas_cluster(c)
        keys = c.notes.get("keys") or (c.key,)
        held = [(k, f) for k in keys if (f := self.ix.fact(k)) is not None]
        if not held:
            return self.absent(keys[0], c)
        wanted = atlas_norm(str(c.value))
        for key, fact in held:
            if wanted in self.ix.atlas_values(key):
                return TRACED, f"{self.ix.label(key)} of {self.sym} ({self.ix.source_name(fact)})"
        key, fact = held[0]
        have = sorted({n for n, k in self.ix.atlas_names if k == key})
        return CONTRADICTED, (f"'{c.value}' is not the gene's; {self.ix.source(fact)} gives the "
                              f"{self.ix.label(key)} {_listing(have)}")

    def _atlas_cluster(self, c: Claim) -> Result:
        fact = self.ix.fact("atlas.expression_clusters")
        if fact is None:
            return self.absent("atlas.expression_clusters", c)
        items = self.ix.items("atlas.expression_clusters")
        atlas = c.notes.get("atlas")
        mine = [i for i in items if atlas is None or i.id == atlas]
        said = f"cluster {c.value}" + (f" of the {atlas} atlas" if atlas else "")
        for item in mine:
            if item.value is not None and int(item.value) == c.value:
                return TRACED, f"{said} ({item.name}), {self.ix.source_name(fact)}"
        have = [f"cluster {int(i.value)} of the {i.id} atlas" for i in items
                if i.value is not None]
        return CONTRADICTED, f"{said}; {self.ix.source(fact)} gives {_listing(have)}"

    def _tissue(self, c: Claim) -> Result:
        if c.key == BIOGPS_SAMPLE:
            return self._biogps_sample(c)
        fact = self.ix.fact("expression.top_tissues")
        if fact is None:
            return self.absent("expression.top_tissues", c)
        item = self.ix.tissue_named(str(c.value))
        if item is not None:
            c.notes["item"] = item
            value = f" (median {show(item.value)} {item.unit or 'TPM'})" if item.value else ""
            return TRACED, f"{item.name}{value}, one of the top tissues"
        names = [i.name for i, _ in self.ix.tissues]
        # named in passing ("low in the testes"): the top tissues say nothing either way
        status = UNVERIFIABLE if c.notes.get("loose") else CONTRADICTED
        return status, (f"'{c.value}' is not among the {len(names)} tissues with the highest "
                        f"median expression ({self.ix.source(fact)}): {_listing(names)}")

    def _biogps_sample(self, c: Claim) -> Result:
        """A tissue of the BioGPS paragraph: one of the gene's GNF1H samples."""
        fact = self.ix.fact(BIOGPS_KEY)
        if fact is None:
            return self.absent(BIOGPS_KEY, c)
        item = self.ix.biogps_named(str(c.value))
        if item is not None:
            c.notes["item"] = item
            return TRACED, (f"{item.name} ({show(item.value)} {item.unit or 'gcRMA'}), one of "
                            f"the GNF1H samples where the gene's signal is highest")
        names = [prose for _, prose, _ in self.ix.biogps]
        status = UNVERIFIABLE if c.notes.get("loose") else CONTRADICTED
        return status, (f"'{c.value}' is not among the {len(names)} GNF1H samples where the "
                        f"gene's signal is highest ({self.ix.source(fact)}): {_listing(names)}")

    def _pathway(self, c: Claim) -> Result:
        ix = self.ix
        fact = ix.pathway_fact()
        if fact is None:
            return self.absent("pathways.wikipathways", c)
        names = list(dict.fromkeys(p.name for p in ix.pathways))
        where = ix.pathway_sources()
        if c.key == "pathways.id":
            item = ix.pathway_ids.get(str(c.value).upper())
            if item:
                return TRACED, f"{item.id} is {item.name}"
            return CONTRADICTED, (f"{c.value} is not among the {len(names)} pathways "
                                  f"of {self.sym} ({where})")
        if c.key == "pathways.statement":
            return UNVERIFIABLE, (f"the sentence names no pathway of the fact sheet; "
                                  f"{where} list {_listing(names)}")
        name = str(c.value)
        if c.linked_id and c.linked_id in ix.pathway_ids:
            item = ix.pathway_ids[c.linked_id]
            if ix.pathway_norm(name) == ix.pathway_norm(item.name):
                return TRACED, f"{item.id} is {item.name}"
            self._mismatch(c, f"{c.linked_id} is '{item.name}', but its link says '{name}'")
            return CONTRADICTED, f"'{name}' links to {c.linked_id}, which is '{item.name}'"
        item = ix.pathway_named(name)
        if item is not None:
            return TRACED, f"{item.id or ''} {item.name}".strip()
        status = UNVERIFIABLE if c.notes.get("loose") else CONTRADICTED
        return status, (f"'{name}' is not among the {len(names)} pathways of "
                        f"{self.sym} ({where}): {_listing(names)}")

    @staticmethod
    def _mismatch(name: Claim, reason: str) -> None:
        """A name and the identifier its link carries disagree: either may be the wrong one,
        so the identifier (traced after the name) is a finding too."""
        for id_claim in name.notes.get("id_claims", ()):
            id_claim.status = CONTRADICTED
            id_claim.reason = reason

    def _disease(self, c: Claim) -> Result:
        """A disease (name or OMIM / Orphanet ID) is traced to the gene's HPO annotations; one
        the gene is not annotated to is unverifiable: the sheet holds no such association
        (HPO's gene lists are not exhaustive, so absence is not a contradiction)."""
        ix = self.ix
        fact = ix.fact("disease.mendelian")
        value = str(c.value)
        if c.key == "disease.id":
            item = ix.disease_ids.get(value)
            if item is not None:
                return TRACED, f"{value} is {item.name}, annotated to {self.sym} in HPO"
            listed = ix.disease_names.by_id.get(value, [])
            return UNVERIFIABLE, self._not_annotated(value, listed, fact)
        if c.linked_id:
            item = ix.disease_ids.get(c.linked_id)
            if item is not None:
                if ix.disease_named(value, item) is not None:
                    return TRACED, f"{c.linked_id} is {item.name}, annotated to {self.sym} in HPO"
                self._mismatch(c, f"{c.linked_id} is '{item.name}', but its link says '{value}'")
                return CONTRADICTED, (f"'{value}' links to {c.linked_id}, which is "
                                      f"'{item.name}' ({ix.source(fact)})")  # type: ignore[arg-type]
        item = ix.disease_named(value)
        if item is not None:
            return TRACED, f"{item.name} ({item.id}) is annotated to {self.sym} in HPO"
        trait = ix.gwas_named(value)
        if trait is not None:  # a GWAS disease trait or its Mondo category
            self._last_trait = trait
            return TRACED, f"{trait.name} ({trait.id}) is a GWAS trait or category of {self.sym}"
        form = c.notes.get("listed") or disease_key(value)
        reason = self._not_annotated(f"'{value}'", ix.disease_names.entries(form), fact)
        if ix.gwas_items:
            reason += ("; nor is it among its GWAS Catalog traits and their Mondo categories: "
                       + _listing([i.name for i in ix.gwas_items]))
        return UNVERIFIABLE, reason

    def _not_annotated(self, what: str, listed: list[DiseaseEntry], fact: Fact | None) -> str:
        if fact is None:
            head = f"{what}: the fact sheet of {self.sym} holds no disease annotation (HPO)"
        else:
            names = [f"{i.name}" for i, _ in self.ix.diseases]
            head = (f"{what} is not among the diseases HPO annotates to {self.sym} "
                    f"({self.ix.source(fact)}): {_listing(names)}")
        if listed:
            entry = listed[0]
            genes = f"to {entry.genes}" if entry.genes else "to no gene"
            head += f"; HPO lists {entry.name} ({entry.disease_id}) and annotates it {genes}"
        return head

    def _paper(self, c: Claim) -> Result:
        """A paper's title or PMID: one of the top papers the sheet holds."""
        ix = self.ix
        if c.key == "publications.citation":
            return self._citation(c)
        if ix.fact("publications.top") is None:
            return self.absent(c.key, c)
        listed = _listing([f"PMID {p.id}" for p in ix.papers])
        if c.key == "publications.pmid":
            item = ix.paper_ids.get(str(c.value))
            if item is None:
                return CONTRADICTED, f"PMID {c.value} is not among the top papers ({listed})"
            self._last_paper = item
            return TRACED, f"PMID {item.id}: {item.name}"
        title = str(c.value)
        item = ix.paper_titles.get(norm_name(title))
        linked = ix.paper_ids.get(c.linked_id) if c.linked_id else None
        if linked is not None and item is not linked:
            self._last_paper = linked
            self._mismatch(c, f"PMID {linked.id} is '{linked.name}', but its link says '{title}'")
            return CONTRADICTED, f"'{title}' links to PMID {linked.id}, titled '{linked.name}'"
        if item is None:
            return CONTRADICTED, f"'{title}' is not the title of a top paper ({listed})"
        self._last_paper = item
        return TRACED, f"title of PMID {item.id} (iCite)"

    def _citation(self, c: Claim) -> Result:
        """A paper cited by its journal, its authors or a quoted title: only a title can be
        traced (to a top paper); no source gives journals or authors."""
        title = c.notes.get("title")
        if title and self.ix.paper_titles.get(norm_name(title)) is not None:
            item = self.ix.paper_titles[norm_name(title)]
            self._last_paper = item
            return TRACED, f"title of PMID {item.id} (iCite)"
        if title:
            held = "the top papers" if self.ix.papers else "no paper"
            return UNVERIFIABLE, (f"a quoted title that is not the title of a paper the fact "
                                  f"sheet holds ({held}); the sheet cannot support it")
        return UNVERIFIABLE, (f"'{c.value}' cites a paper by its journal or authors; no source "
                              "in the fact store gives journals or authors, so the citation "
                              "cannot be traced")

    def _phenotype(self, c: Claim) -> Result:
        fact = self.ix.fact("disease.hpo_phenotype_count")
        held = (f"holds only how many phenotype terms HPO links to {self.sym} ({fact.value})"
                if fact is not None else f"holds no phenotype of {self.sym}")
        return UNVERIFIABLE, (f"'{c.value}' is an HPO phenotype ({c.notes['id']} "
                              f"{c.notes['name']}); the fact sheet {held}, not which")

    def _drug(self, c: Claim) -> Result:
        return UNVERIFIABLE, (f"'{c.value}' names a drug ({c.notes['name']}, {c.notes['id']}); "
                              "no source in the fact store gives drugs or treatments, so the "
                              "claim cannot be traced")

    def _statement(self, c: Claim) -> Result:
        title = SECTION_TITLES.get(c.section, c.section)
        return UNVERIFIABLE, f"no offline source provides {title}: this sentence cannot be traced"

    def _identity(self, c: Claim) -> Result:
        """The gene type or strand the text states."""
        said = str(c.notes.get("text", c.value))
        if c.key == "identity.name":
            from writer.check.genenames import name_key

            own = self.ix.sheet.value("identity.name")
            # a full name several genes share ("formin-2-like") is listed under one of them
            if int(c.notes["gene_id"]) == self.ix.sheet.gene_id or (
                    own and name_key(str(own)) == name_key(str(c.value))):
                return TRACED, f"the full name of {self.sym}"
            return UNVERIFIABLE, (f"'{said}' is the full name of {c.notes['symbol']} (NCBI Gene "
                                  f"{c.notes['gene_id']}), not of {self.sym}; the fact sheet "
                                  f"holds nothing about {c.notes['symbol']}")
        if c.key == "identity.strand":
            fact = self.ix.fact("identity.location")
            if fact is None:
                return self.absent("identity.location", c)
            m = re.search(r"\(([+-])\)", str(fact.value))
            if m is None:
                return UNVERIFIABLE, f"the location {fact.value} names no strand"
            strand = "minus (-)" if m.group(1) == "-" else "plus (+)"
            if m.group(1) == c.value:
                return TRACED, f"on the {strand} strand: {fact.value}"
            return CONTRADICTED, (f"'{said}'; {self.ix.source(fact)} places {self.sym} on the "
                                  f"{strand} strand ({fact.value})")
        fact = self.ix.fact("identity.gene_type")
        if fact is None:
            return self.absent("identity.gene_type", c)
        if str(fact.value) == c.value:
            return TRACED, f"gene type {fact.value}"
        return CONTRADICTED, (f"'{said}' says the gene is {c.value}; {self.ix.source(fact)} gives "
                              f"the gene type {fact.value}")

    def _rank(self, c: Claim) -> Result:
        if c.key in ("expression.top_tissues", BIOGPS_KEY):
            return self._expression_rank(c)
        fact = self.ix.fact(c.key)
        label = self.ix.label(c.key)
        if fact is None:
            return self.absent(c.key, c)
        if fact.percentile is None:
            return UNVERIFIABLE, f"'{c.value}': the fact sheet has no percentile for the {label}"
        band = str(c.notes["band"])
        needs, test = lx.BAND_RULES[band]
        n = c.notes.get("n")
        needs = needs.replace("N", f"{n:g}") if n is not None else needs
        p = fact.percentile
        where = f"{show(p.value)} percentile among {p.size:,} {p.population}"
        if test(p.value, n):  # type: ignore[operator]
            return TRACED, f"'{c.value}' fits the {label}: {where} ({needs})"
        return CONTRADICTED, f"'{c.value}' needs {needs}; the {label} is at the {where}"

    def _expression_rank(self, c: Claim) -> Result:
        """"Highest in X": GTEx's top tissues, or the GNF1H samples in the BioGPS paragraph
        (``c.key``)."""
        key = c.key or "expression.top_tissues"
        fact = self.ix.fact(key)
        if fact is None or not isinstance(fact.value, tuple):
            return self.absent(key, c)
        ranking = list(fact.value)
        named_by = self.ix.biogps_named if key == BIOGPS_KEY else self.ix.tissue_named
        unit = "gcRMA" if key == BIOGPS_KEY else "TPM"
        named = [named_by(str(t.value)) for t in c.notes.get("tissues", ())]
        items = [i for i in named if i is not None]
        if not items:  # the tissues' own claims say what is wrong with them
            return UNVERIFIABLE, f"'{c.value}': no tissue of the ranking follows it"
        # one tissue must lead; a list of n may reach rank n + 1 ("the liver and the kidney
        # cortex" when the thyroid comes between them is loose, not wrong)
        lead = ranking[: len(items) + (len(items) > 1)]
        for item in items:
            if item not in lead:
                rank = ranking.index(item) + 1 if item in ranking else None
                first = ", ".join(f"{i.name} ({show(i.value)} {unit})" for i in lead)
                return CONTRADICTED, (f"'{c.value}' for {item.name}, which ranks {rank} in "
                                      f"{self.ix.source(fact)}; the top {len(lead)}: {first}")
            floor = catalog.negligible_tpm()
            if key != BIOGPS_KEY and item.value is not None and item.value < floor:
                return CONTRADICTED, (f"'{c.value}' for {item.name} at {show(item.value)} TPM: "
                                      f"a median below {floor:g} TPM is negligible")
        return TRACED, f"'{c.value}': {', '.join(i.name for i in items)} lead the ranking"

    def _comparison(self, c: Claim) -> Result:
        a, b = self.ix.fact(c.key), self.ix.fact(str(c.notes["other"]))
        if a is None or b is None:
            return self.absent(c.key if a is None else str(c.notes["other"]), c)
        va, vb = float(a.value), float(b.value)  # type: ignore[arg-type]
        longer = str(c.notes["op"]) in ("longer", "larger")
        ok = va > vb if longer else va < vb
        said = f"{self.ix.label(c.key)} {show(a.value, a.unit)}, " \
               f"{self.ix.label(str(c.notes['other']))} {show(b.value, b.unit)}"
        if ok:
            return TRACED, f"'{c.value}': {said}"
        return CONTRADICTED, f"'{c.value}', but {said}"

    def _interpretation(self, c: Claim) -> Result:
        fact = self.ix.fact(c.key)
        if fact is None or isinstance(fact.value, (str, tuple)):
            return self.absent(c.key, c)
        rule = str(c.notes["rule"])
        needs, test = lx.INTERPRETATION_RULES[rule]
        label = self.ix.label(c.key)
        if test(float(fact.value)):  # type: ignore[operator]
            return TRACED, f"'{c.value}' fits the {label} {show(fact.value)} ({needs})"
        return CONTRADICTED, (f"'{c.value}' needs {needs}; {self.ix.source(fact)} gives the "
                              f"{label} as {show(fact.value)}")

    def _unit(self, c: Claim) -> Result:
        return CONTRADICTED, c.reason or "a unit that does not fit the quantity"
