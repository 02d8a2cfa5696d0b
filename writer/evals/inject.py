"""Error injection: plant one known error in a clean page, to measure the evaluator.

``inject(page_text, sheet, kind, rng)`` returns ``(new_text, expected)`` (``expected`` says
where the planted claim is) or ``None`` when the page has nothing to plant that kind of
error in. ``caught(report, expected)`` says whether a report found it: a finding that
overlaps the planted span. ``KINDS`` lists every kind with a description, so an eval suite
can loop over them as data.

The injectors find their targets from the fact sheet and plain patterns, never through
the evaluator's own parser, so a blind spot of the parser cannot hide itself.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from writer.check.goterms import GoTerms
from writer.check.models import CheckReport, Finding
from writer.check.numbers import NUMBER_RE, matches, parse_number
from writer.factsheet import FactSheet, Item


@dataclass(frozen=True)
class Expected:
    kind: str
    claim: str  # the planted text
    start: int
    end: int
    also: tuple[tuple[int, int], ...] = ()  # other planted spans (a swap plants two)

    def spans(self) -> list[tuple[int, int]]:
        return [(self.start, self.end), *self.also]


Injected = tuple[str, Expected]
Injector = Callable[[str, FactSheet, random.Random], Injected | None]

# Gene Ontology terms (real ids and names) to swap in; those of the gene are skipped.
GO_POOL: tuple[tuple[str, str], ...] = (
    ("GO:0022898", "regulation of transmembrane transporter activity"),
    ("GO:1900020", "positive regulation of protein kinase C activity"),
    ("GO:0071682", "endocytic vesicle lumen"),
    ("GO:0043410", "positive regulation of MAPK cascade"),
    ("GO:1904322", "cellular response to forskolin"),
    ("GO:0098869", "cellular oxidant detoxification"),
    ("GO:0005158", "insulin receptor binding"),
    ("GO:0000902", "cell morphogenesis"),
    ("GO:0051402", "neuron apoptotic process"),
    ("GO:0030971", "receptor tyrosine kinase binding"),
    ("GO:0019934", "cGMP-mediated signaling"),
    ("GO:0010942", "positive regulation of cell death"),
    ("GO:0051454", "intracellular pH elevation"),
    ("GO:0071479", "cellular response to ionizing radiation"),
    ("GO:0072089", "stem cell proliferation"),
    ("GO:0045766", "positive regulation of angiogenesis"),
    ("GO:0019901", "protein kinase binding"),
    ("GO:0007435", "salivary gland morphogenesis"),
    ("GO:0005006", "epidermal growth factor receptor activity"),
    ("GO:0008217", "regulation of blood pressure"),
    ("GO:0001756", "somitogenesis"),
    ("GO:0031720", "haptoglobin binding"),
    ("GO:0048156", "tau protein binding"),
    ("GO:0045739", "positive regulation of DNA repair"),
    ("GO:0097708", "intracellular vesicle"),
    ("GO:0050728", "negative regulation of inflammatory response"),
    ("GO:0005515", "protein binding"),
    ("GO:0005634", "nucleus"),
    ("GO:0005737", "cytoplasm"),
    ("GO:0046872", "metal ion binding"),
)

# WikiPathways pathways (real ids and names) to swap in.
PATHWAY_POOL: tuple[tuple[str, str], ...] = (
    ("WP2571", "Polycystic kidney disease pathway"),
    ("WP5312", "Metabolic pathways of fibroblasts"),
    ("WP3656", "Interleukin-1 induced activation of NF-kB"),
    ("WP2446", "Retinoblastoma gene in cancer"),
    ("WP4685", "Melanoma"),
    ("WP5303", "Lacto series sphingolipid metabolism"),
    ("WP4564", "Neural crest cell migration during development"),
    ("WP4224", "Purine metabolism and related disorders"),
    ("WP536", "Calcium regulation in cardiac cells"),
    ("WP229", "Irinotecan pathway"),
    ("WP1544", "MicroRNAs in cardiomyocyte hypertrophy"),
    ("WP5445", "Hunger and satiety"),
    ("WP4259", "Disorders of folate metabolism and transport"),
    ("WP5304", "Cholesterol metabolism"),
    ("WP107", "Translation factors"),
    ("WP45", "G1 to S cell cycle control"),
)

# Mendelian diseases (real OMIM entries and their HPO names) to swap in; the gene's are skipped.
DISEASE_POOL: tuple[tuple[str, str], ...] = (
    ("OMIM:277900", "Wilson disease"),
    ("OMIM:143100", "Huntington disease"),
    ("OMIM:219700", "Cystic fibrosis"),
    ("OMIM:310200", "Duchenne muscular dystrophy"),
    ("OMIM:151623", "Li-Fraumeni syndrome"),
    ("OMIM:154700", "Marfan syndrome"),
    ("OMIM:162200", "Neurofibromatosis, type 1"),
    ("OMIM:261600", "Phenylketonuria"),
    ("OMIM:272800", "Tay-Sachs disease"),
    ("OMIM:230800", "Gaucher disease, type I"),
)

# Sentences a writer might invent, each with a number no fact sheet holds.
INVENTED_SENTENCES: tuple[str, ...] = (
    "The gene also has {n} known splice variants.",
    "Its expression rises {n}-fold after zinc exposure.",
    "About {n}% of tumours show reduced expression of the gene.",
    "The protein binds {n} metal ions.",
    "Knock-out mice survive for {n} weeks on average.",
    "Its promoter carries {n} CpG islands.",
    "The encoded protein has a half-life of {n} hours.",
)


# --- where a page may be edited ------------------------------------------------------------------
def _protected(text: str) -> list[tuple[int, int]]:
    """Spans an injector must not touch: front matter, link targets, the Checks table."""
    out = []
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end > 0:
            out.append((0, end + 4))
    for m in re.finditer(r"\]\([^)\s]*\)", text):
        out.append((m.start(), m.end()))
    for m in re.finditer(r"(?m)^\|\s*Checks\b.*(?:\n\|.*)*", text):
        out.append((m.start(), m.end()))
    return out


def _free(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return not any(a < end and start < b for a, b in spans)


def _replace(text: str, start: int, end: int, new: str, kind: str) -> Injected:
    out = text[:start] + new + text[end:]
    return out, Expected(kind, new, start, start + len(new))


def _mutate_digits(digits: str, rng: random.Random) -> str:
    """Change one digit of a written number (never the leading digit to 0)."""
    positions = [i for i, ch in enumerate(digits) if ch.isdigit()]
    i = rng.choice(positions)
    choices = [d for d in "0123456789" if d != digits[i] and not (d == "0" and i == positions[0])]
    return digits[:i] + rng.choice(choices) + digits[i + 1:]


def _numeric_facts(sheet: FactSheet) -> list[tuple[str, float]]:
    out = []
    for key, fact in sheet.facts.items():
        if isinstance(fact.value, (int, float)) and not isinstance(fact.value, bool):
            out.append((key, float(fact.value)))
        elif isinstance(fact.value, tuple):
            out.extend((key, float(i.value)) for i in fact.value if i.value is not None)
    return out


def _number_sites(text: str, sheet: FactSheet, percentile: bool
                  ) -> list[tuple[re.Match[str], list[Decimal | float]]]:
    """Written numbers that state a fact (or, with ``percentile``, a fact's percentile), each
    with the values (scaled to its unit) it could be a rounding of."""
    protected = _protected(text)
    values = [v for _, v in _numeric_facts(sheet)]
    pcts = [f.percentile.value for f in sheet.facts.values() if f.percentile]
    table_lines = [(m.start(), m.end()) for m in re.finditer(r"(?m)^\|.*$", text)]
    # a number inside a linked name ("Noonan syndrome 7") is part of the name, not a value
    names = [(m.start(), m.end()) for m in re.finditer(r"\[[^\]\n]*\]\(", text)]
    sites = []
    for m in NUMBER_RE.finditer(text):
        if not _free(protected + table_lines + names, m.start(), m.end()):
            continue
        w = parse_number(m)
        after = text[m.end():m.end() + 40]
        is_pct = bool(re.match(r"\s*%?\s*(?:st|nd|rd|th)?\s*percentile|%\s+of\s+all", after)) or \
            bool(m.group("ord"))
        if is_pct != percentile:
            continue
        pool = pcts if percentile else values
        kb = re.match(r"\s?(kb|Mb|kDa)\b", after)
        factor = Decimal(1)
        if kb:
            factor = Decimal(1) / Decimal({"kb": 1000, "Mb": 1000000, "kDa": 1000}[kb.group(1)])
        pct_of_fraction = after.startswith("%") and not percentile
        stated: list[Decimal | float] = []
        for v in pool:
            if matches(w, v, factor):
                stated.append(Decimal(repr(v)) * factor)
            elif pct_of_fraction and matches(w, v, Decimal(100)):
                stated.append(Decimal(repr(v)) * 100)
        if stated:
            sites.append((m, stated))
    return sites


def _change_number(text: str, sheet: FactSheet, rng: random.Random, kind: str,
                   percentile: bool) -> Injected | None:
    sites = _number_sites(text, sheet, percentile)
    if not sites:
        return None
    m, values = rng.choice(sites)
    num = m.group("num")
    for _ in range(50):
        new = _mutate_digits(num, rng)
        written = NUMBER_RE.fullmatch(new)
        # a real error: no longer a rounding of the value (1.0085 -> "1.008" or "1.009")
        if written and not any(matches(parse_number(written), v) for v in values):
            break
    else:
        return None
    start = m.start("num")
    return _replace(text, start, m.end("num"), new, kind)


# --- the injectors -------------------------------------------------------------------------------
def changed_number(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """One digit of a number that states a fact (a length, count, property, TPM) changed."""
    return _change_number(text, sheet, rng, "changed_number", percentile=False)


def changed_percentile(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """One digit of a percentile changed."""
    return _change_number(text, sheet, rng, "changed_percentile", percentile=True)


def changed_year(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """A year in the prose moved by 1 to 9 years; on a page without years (the offline facts
    have none), a wrong release year added after the name of a source the page cites."""
    protected = _protected(text)
    sites = [m for m in re.finditer(r"(?<![\w,.\-])(19\d\d|20\d\d)(?![\d,.]\d)", text)
             if _free(protected, m.start(), m.end())]
    if sites:
        m = rng.choice(sites)
        new = str(int(m.group(1)) + rng.choice([-1, 1]) * rng.randint(1, 9))
        return _replace(text, m.start(), m.end(), new, "changed_year")
    releases = {s.release_date[:4] for s in sheet.sources.values()}
    names = [n for s in sheet.sources.values() for n in re.findall(r"[A-Za-z][\w.-]{3,}", s.name)
             if n.lower() not in ("gene", "genes", "with", "and", "sequences", "structures",
                                  "tissues")]
    cited = [m for name in names for m in re.finditer(rf"(?<![\w.]){re.escape(name)}(?![\w])", text)
             if _free(protected, m.start(), m.end())]
    if not cited:
        return None
    m = rng.choice(sorted(cited, key=lambda x: x.start()))
    year = rng.choice([y for y in map(str, range(2001, 2024)) if y not in releases])
    insert = f" (released {year})"
    at = m.end() + len(" (released ")
    return text[: m.end()] + insert + text[m.end():], Expected("changed_year", year, at,
                                                               at + len(year))


def changed_identifier(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """An identifier of the gene (NCBI Gene ID, Ensembl ID, GO ID, WikiPathways ID, UniProt
    accession) with one digit changed, wherever the page writes it (text or link)."""
    ids: list[str] = [str(sheet.gene_id)]
    for key in ("identity.ensembl_id", "protein.uniprot_accession"):
        v = sheet.value(key)
        if isinstance(v, str):
            ids.append(v)
    for key in ("function.molecular_function", "function.cellular_component",
                "function.biological_process", "pathways.wikipathways"):
        v = sheet.value(key)
        if isinstance(v, tuple):
            ids.extend(i.id for i in v if i.id)
    front = _protected(text)[:1] if text.startswith("---") else []
    sites = []
    for ident in set(ids):
        for m in re.finditer(rf"(?<![\w]){re.escape(ident)}(?![\w])", text):
            if _free(front, m.start(), m.end()):
                sites.append((m.start(), m.end(), ident))
    if not sites:
        return None
    start, end, ident = rng.choice(sorted(sites))
    head = re.match(r"[A-Z]*:?", ident).group(0)  # type: ignore[union-attr]
    new = head + _mutate_digits(ident[len(head):], rng)
    return _replace(text, start, end, new, "changed_identifier")


def changed_band(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """The cytogenetic band with its arm flipped or a digit changed."""
    band = sheet.value("identity.band")
    if not isinstance(band, str):
        return None
    protected = _protected(text)
    sites = [m for m in re.finditer(rf"(?<![\w.]){re.escape(band)}(?![\w]|\.\d)", text)
             if _free(protected, m.start(), m.end())]
    if not sites:
        return None
    m = rng.choice(sites)
    arm = re.search(r"[pq]", band)
    if arm and rng.random() < 0.5:
        new = band[: arm.start()] + ("q" if arm.group(0) == "p" else "p") + band[arm.end():]
    else:
        chrom = re.match(r"\d+|[XY]", band)
        rest_start = chrom.end() + 1 if chrom else 0
        new = band[:rest_start] + _mutate_digits(band[rest_start:], rng) \
            if re.search(r"\d", band[rest_start:]) else band[:rest_start] + "1"
    return _replace(text, m.start(), m.end(), new, "changed_band")


def _go_items(sheet: FactSheet) -> list[Item]:
    out: list[Item] = []
    for key in ("function.molecular_function", "function.cellular_component",
                "function.biological_process"):
        v = sheet.value(key)
        if isinstance(v, tuple):
            out.extend(v)
    return out


def _ontology(sheet: FactSheet) -> GoTerms:
    """The Gene Ontology of the fact store ``sheet`` came from (empty for a sheet made
    otherwise, e.g. a synthetic one)."""
    from writer.check import goterms
    from writer.store import origin

    path = origin(sheet)
    return goterms.load(path) if path is not None else goterms.GoTerms()


def _go_mine(sheet: FactSheet) -> set[str]:
    """The gene's GO IDs and names, and every term above them (GO's true path rule makes a
    general term true of the gene: planting one would plant no error)."""
    items = _go_items(sheet)
    mine = {i.id for i in items if i.id} | {i.name.lower() for i in items}
    vocab = _ontology(sheet)
    if vocab:
        for item in items:
            if item.id:
                mine |= vocab.ancestors(item.id)
    return mine


def swapped_go_term(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """A linked GO term's name replaced by a term the gene does not have (half of the time
    with its GO ID too, so the link stays consistent and only the sheet can catch it)."""
    mine = _go_mine(sheet)
    pool = [(gid, name) for gid, name in GO_POOL if gid not in mine and name.lower() not in mine]
    link = r"\[([^\]]+)\]\((https?://[^)\s]*?(GO[:_]\d{7})[^)\s]*)\)"
    sites = list(re.finditer(link, text))
    if not sites or not pool:
        return None
    m = rng.choice(sites)
    gid, name = rng.choice(pool)
    if rng.random() < 0.5:
        new_url = m.group(2).replace(m.group(3), gid)
        new = f"[{name}]({new_url})"
        out = text[: m.start()] + new + text[m.end():]
        return out, Expected("swapped_go_term", name, m.start() + 1, m.start() + 1 + len(name))
    return _replace(text, m.start(1), m.end(1), name, "swapped_go_term")


def _name_sites(text: str, names: Iterable[str]) -> list[re.Match[str]]:
    """Where the names are written (any case, whole words) outside link targets and the
    front matter, in page order."""
    protected = _protected(text)
    sites = []
    for name in names:
        for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.IGNORECASE):
            if _free(protected, m.start(), m.end()):
                sites.append(m)
    return sorted(sites, key=lambda x: x.start())


# Specific GO terms (real ids, names and aspects) for the unlinked injectors: leaves or near
# leaves of the ontology, so none is above a gene's own terms.
GO_INVENTED: tuple[tuple[str, str, str], ...] = (
    ("GO:0042254", "ribosome biogenesis", "BP"),
    ("GO:0016079", "synaptic vesicle exocytosis", "BP"),
    ("GO:0015979", "photosynthesis", "BP"),
    ("GO:0048240", "sperm capacitation", "BP"),
    ("GO:0060271", "cilium assembly", "BP"),
    ("GO:0004568", "chitinase activity", "MF"),
    ("GO:0005549", "odorant binding", "MF"),
    ("GO:0031720", "haptoglobin binding", "MF"),
    ("GO:0004984", "olfactory receptor activity", "MF"),
    ("GO:0009507", "chloroplast", "CC"),
    ("GO:0031514", "motile cilium", "CC"),
    ("GO:0005795", "Golgi stack", "CC"),
    ("GO:0001520", "outer dense fiber", "CC"),
)
GO_VERBS = {"MF": "enables", "CC": "is located in the", "BP": "is involved in"}
GO_SHOWN = {"MF": "has been shown to enable", "CC": "has been shown to be located in the",
            "BP": "has been shown to be involved in"}
_GO_KEYS = {"function.molecular_function": "MF", "function.cellular_component": "CC",
            "function.biological_process": "BP"}


def _go_sentence(text: str, sheet: FactSheet, rng: random.Random, kind: str, verb: str,
                 name: str) -> Injected | None:
    """``It <verb> <name>.`` (no link, as a model that drops links writes it) added after a
    sentence of the function paragraph."""
    amigo = [m.start() for m in re.finditer(r"amigo\.geneontology\.org/amigo/term/", text)]
    ends = [e for e in _sentence_ends(text) if amigo and amigo[0] < e]
    if not ends:
        return None
    pos = ends[0]
    sentence = f" It {verb} {name}."
    out = text[:pos] + sentence + text[pos:]
    at = pos + sentence.index(name)
    return out, Expected(kind, name, at, at + len(name))


def unlinked_invented_go_term(text: str, sheet: FactSheet, rng: random.Random
                              ) -> Injected | None:
    """A GO term the gene does not have, named without a link under its own aspect's verb.
    Needs the fact store's ontology (a term outside the gene's own is known only there)."""
    if not _ontology(sheet):
        return None
    mine = _go_mine(sheet)
    pool = [t for t in GO_INVENTED if t[0] not in mine]
    if not pool:
        return None
    _, name, aspect = rng.choice(pool)
    return _go_sentence(text, sheet, rng, "unlinked_invented_go_term", GO_VERBS[aspect], name)


def go_wrong_aspect(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """One of the gene's own GO terms under the verb of another aspect ("is located in zinc
    ion binding", "enables eye development")."""
    from writer.sections.function import is_predicted

    terms = [(item, aspect) for key, aspect in _GO_KEYS.items()
             for item in (sheet.value(key) or ()) if isinstance(item, Item)
             and not is_predicted(item)]
    if not terms:
        return None
    item, aspect = rng.choice(terms)
    wrong = rng.choice([a for a in GO_VERBS if a != aspect])
    return _go_sentence(text, sheet, rng, "go_wrong_aspect", GO_VERBS[wrong], item.name)


def predicted_stated_as_shown(text: str, sheet: FactSheet, rng: random.Random
                              ) -> Injected | None:
    """A GO term whose annotations are all predictions (IEA, IBA, ISS, ...) stated as shown
    by experiment; not one with an observed term of the gene under it, which GO's true path
    rule makes observed too."""
    from writer.sections.function import is_predicted, ontology, shown_terms

    items = [item for key in _GO_KEYS for item in (sheet.value(key) or ())
             if isinstance(item, Item)]
    shown = shown_terms(items, ontology(sheet))
    terms = [(item, aspect) for key, aspect in _GO_KEYS.items()
             for item in (sheet.value(key) or ()) if isinstance(item, Item)
             and is_predicted(item) and item.id not in shown]
    if not terms:
        return None
    item, aspect = rng.choice(terms)
    return _go_sentence(text, sheet, rng, "predicted_stated_as_shown", GO_SHOWN[aspect],
                        item.name)


def swapped_tissue(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """A top tissue's name replaced by a GTEx tissue that is not among the gene's top ones."""
    from writer.check.sheetindex import name_words
    from writer.sources.ideogram import GTEX_TISSUE_NAMES

    tissues = sheet.value("expression.top_tissues")
    if not isinstance(tissues, tuple) or not tissues:
        return None
    top_words = [name_words(t.name) for t in tissues]
    pool = [n for n in GTEX_TISSUE_NAMES.values()
            if not any(name_words(n) <= w for w in top_words)]
    biogps = _biogps_paragraphs(text)  # its names are GNF1H samples: swapped_biogps_tissue
    sites = [m for m in _name_sites(text, [t.name for t in tissues])
             if not any(a <= m.start() < b for a, b in biogps)]
    if not sites or not pool:
        return None
    m = rng.choice(sites)
    new = rng.choice(pool)
    if m.group(0).islower():
        new = new.lower()
    return _replace(text, m.start(), m.end(), new, "swapped_tissue")


def _biogps_paragraphs(text: str) -> list[tuple[int, int]]:
    """The spans of the paragraphs about the BioGPS GNF1H atlas (the evaluator's rule)."""
    from writer.check.lexicon import BIOGPS_PARAGRAPH

    return [(m.start(), m.end()) for m in re.finditer(r"(?:[^\n]+\n?)+", text)
            if BIOGPS_PARAGRAPH.search(m.group(0)) and "Not available" not in m.group(0)]


def swapped_biogps_tissue(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """A GNF1H sample of the BioGPS paragraph replaced by one of the atlas's samples that is
    not among the gene's."""
    from writer.check.sheetindex import name_words
    from writer.sections.expression import biogps_name
    from writer.sources.biogps import TISSUES_RECORDED

    samples = sheet.value("expression.biogps_tissues")
    if not isinstance(samples, tuple) or not samples:
        return None
    mine = {name_words(biogps_name(i.name)) for i in samples}
    pool = [biogps_name(n) for n in TISSUES_RECORDED if name_words(biogps_name(n)) not in mine]
    spans = _biogps_paragraphs(text)
    names = {n for i in samples for n in (biogps_name(i.name), i.name)}  # prose or the file's
    sites: list[re.Match[str]] = []
    for m in _name_sites(text, names):  # the longest name at a place ("fetal liver", not
        if any(a <= m.start() < b for a, b in spans) and not any(  # "liver" in it)
                s.start() <= m.start() < s.end() for s in sites):
            sites.append(m)
    if not sites or not pool:
        return None
    m = rng.choice(sorted(sites, key=lambda x: x.start()))
    return _replace(text, m.start(), m.end(), rng.choice(pool), "swapped_biogps_tissue")


def swapped_pathway(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """A pathway's name replaced by a WikiPathways pathway the gene is not in."""
    pathways = sheet.value("pathways.wikipathways")
    if not isinstance(pathways, tuple) or not pathways:
        return None
    mine = {p.id for p in pathways} | {p.name.lower() for p in pathways}
    pool = [(i, n) for i, n in PATHWAY_POOL if i not in mine and n.lower() not in mine]
    protected = _protected(text)
    sites = []
    for p in pathways:
        for m in re.finditer(re.escape(p.name), text):
            if _free(protected, m.start(), m.end()):
                sites.append(m)
    if not sites or not pool:
        return None
    m = rng.choice(sorted(sites, key=lambda x: x.start()))
    return _replace(text, m.start(), m.end(), rng.choice(pool)[1], "swapped_pathway")


def swapped_disease(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """A disease's name replaced by one the gene is not annotated to (half of the time, when
    it is a link, with its OMIM link too, so only the sheet can catch it)."""
    diseases = sheet.value("disease.mendelian")
    if not isinstance(diseases, tuple) or not diseases:
        return None
    mine = {d.id for d in diseases} | {d.name.lower() for d in diseases}
    pool = [(i, n) for i, n in DISEASE_POOL if i not in mine and n.lower() not in mine]
    sites = _name_sites(text, [d.name for d in diseases])
    if not sites or not pool:
        return None
    m = rng.choice(sites)
    disease_id, name = rng.choice(pool)
    target = re.match(r"\]\((https?://[^)\s]*?)(\d+)\)", text[m.end():])
    if target and rng.random() < 0.5:
        url = f"https://omim.org/entry/{disease_id.split(':')[1]}"
        out = text[: m.start()] + name + f"]({url})" + text[m.end() + target.end():]
        return out, Expected("swapped_disease", name, m.start(), m.start() + len(name))
    return _replace(text, m.start(), m.end(), name, "swapped_disease")


def swapped_atlas_term(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """A Human Protein Atlas protein class or subcellular location replaced by one of the
    atlas's names the gene does not have, or an expression cluster's number changed."""
    from writer.check.lexicon import ATLAS_CLUSTER, ATLAS_VOCABULARY
    from writer.check.sheetindex import atlas_norm

    options: list[tuple[re.Match[str], str]] = []
    for key in ("atlas.protein_class", "atlas.subcellular_location"):
        items = sheet.value(key)
        if not isinstance(items, tuple) or not items:
            continue
        mine = {atlas_norm(i.name) for i in items}
        pool = sorted(n for n, keys in ATLAS_VOCABULARY.items()
                      if keys == (key,) and atlas_norm(n) not in mine)
        for m in _name_sites(text, [i.name for i in items]):
            options.append((m, rng.choice(pool)))
    clusters = sheet.value("atlas.expression_clusters")
    if isinstance(clusters, tuple):
        numbers = {str(int(i.value)) for i in clusters if i.value is not None}
        protected = _protected(text)
        for m in ATLAS_CLUSTER.finditer(text):
            if m.group(1) in numbers and _free(protected, m.start(1), m.end(1)):
                new = _mutate_digits(m.group(1), rng)
                options.append((m, f"{m.group(0)[:m.start(1) - m.start()]}{new}"))
    # only in the atlas paragraph ("transcription factors" is also a protein class)
    spans = [(m.start(), m.end()) for m in re.finditer(r"(?:[^\n]+\n?)+", text)
             if "proteinatlas.org" in m.group(0)]
    options = [o for o in options if any(a <= o[0].start() < b for a, b in spans)]
    if not options:
        return None
    m, new = rng.choice(sorted(options, key=lambda o: o[0].start()))
    if m.group(0).islower():
        new = new.lower()
    return _replace(text, m.start(), m.end(), new, "swapped_atlas_term")


# Transcription factors (symbols and NCBI Gene IDs) to swap in; the gene's own are skipped.
TF_POOL: tuple[tuple[str, str], ...] = (
    ("CTCF", "10664"), ("GATA1", "2623"), ("TAL1", "6886"), ("SPI1", "6688"), ("CEBPB", "1051"),
    ("REST", "5978"), ("MAX", "4149"), ("NRF1", "4899"), ("ELF1", "1997"), ("STAT3", "6774"),
)


def swapped_transcription_factor(text: str, sheet: FactSheet, rng: random.Random
                                 ) -> Injected | None:
    """A transcription factor of the gene replaced by one TFLink does not list for it (its
    link kept, as a model that renames a link's text would), or its count of databases
    changed."""
    tfs = sheet.value("regulation.chipseq_tfs")
    if not isinstance(tfs, tuple) or not tfs:
        return None
    mine = {i.name.upper() for i in tfs}
    pool = [s for s, _ in TF_POOL if s not in mine]
    options: list[tuple[re.Match[str], str]] = [
        (m, rng.choice(pool)) for m in _name_sites(text, [i.name for i in tfs])]
    for m in re.finditer(r"\((\d+) databases?\b", text):
        options.append((m, f"({_mutate_digits(m.group(1), rng)} databases"))
    if not options or not pool:
        return None
    m, new = rng.choice(sorted(options, key=lambda o: o[0].start()))
    return _replace(text, m.start(), m.end(), new, "swapped_transcription_factor")
# A knockdown's direction word and its opposite (writer/check/lexicon.py PERTURB_DIRECTION)
_OPPOSITE = {"lowers": "raises", "raises": "lowers", "decreases": "increases",
             "increases": "decreases", "reduces": "increases"}
# a knockdown's size: "z = -0.82", "by 0.82" (not the threshold, "by at least 0.5")
_KNOCKDOWN_SIZE = re.compile(r"(?:\bz\s*=\s*|\bby\s+)([-\u2212]?\d+\.\d+)(?![\w.])")


def swapped_knockdown_effect(text: str, sheet: FactSheet, rng: random.Random
                             ) -> Injected | None:
    """A Perturb-seq TF knockdown's direction turned round (lowers for raises) or its size
    (mean z) changed, in the Perturb-seq paragraph."""
    if not sheet.value("perturbation.tf_knockdowns"):
        return None
    protected = _protected(text)
    options: list[tuple[int, int, str]] = []
    for block in re.finditer(r"(?:[^\n]+\n?)+", text):
        if "Perturb-seq" not in block.group(0):
            continue
        a = block.start()
        for m in re.finditer(r"\b(?:" + "|".join(_OPPOSITE) + r")\b", block.group(0)):
            if _free(protected, a + m.start(), a + m.end()):
                options.append((a + m.start(), a + m.end(), _OPPOSITE[m.group(0)]))
        for m in _KNOCKDOWN_SIZE.finditer(block.group(0)):
            if _free(protected, a + m.start(1), a + m.end(1)):
                options.append((a + m.start(1), a + m.end(1), _mutate_digits(m.group(1), rng)))
    if not options:
        return None
    start, end, new = rng.choice(options)
    return _replace(text, start, end, new, "swapped_knockdown_effect")


_SCIENTIFIC = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)(\s*(?:[eE]|[x\u00d7]\s*10\^)\s*)(-\d+)(?![\w.])")


def changed_p_value(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """A GWAS trait's best p-value with its exponent moved by 1 to 4 (3e-12 -> 3e-9), so the
    association looks stronger or weaker than the GWAS Catalog reports."""
    best = [i.p_value for key in ("disease.gwas_diseases", "disease.gwas_traits")
            for i in (sheet.value(key) or ()) if isinstance(i, Item) and i.p_value]
    if not best:
        return None
    protected = _protected(text)
    sites = []
    for m in _SCIENTIFIC.finditer(text):
        if not _free(protected, m.start(), m.end()):
            continue
        written = float(f"{m.group(1)}e{m.group(3)}")
        if any(abs(written - p) <= 0.051 * p for p in best):  # one of the sheet's values
            sites.append(m)
    if not sites:
        return None
    m = rng.choice(sites)
    shift = rng.choice([-4, -3, -2, -1, 1, 2, 3, 4])
    exponent = min(-1, int(m.group(3)) + shift)
    if exponent == int(m.group(3)):
        exponent -= 1
    new = f"{m.group(1)}{m.group(2)}{exponent}"
    return _replace(text, m.start(), m.end(), new, "changed_p_value")


def _sentence_ends(text: str) -> list[int]:
    protected = _protected(text)
    table_lines = [(m.start(), m.end()) for m in re.finditer(r"(?m)^\|.*$", text)]
    ends = []
    for m in re.finditer(r"(?<=[a-z)\]])\.(?=\s)", text):
        if _free(protected + table_lines, m.start(), m.end()):
            ends.append(m.end())
    return ends


def invented_sentence(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """A sentence with a number no fact states, added after a sentence of the prose."""
    ends = _sentence_ends(text)
    if not ends:
        return None
    values = [v for _, v in _numeric_facts(sheet)]
    for _ in range(50):
        n = rng.choice([rng.randint(2, 60), round(rng.uniform(1.5, 40.0), 1)])
        w = NUMBER_RE.fullmatch(str(n))
        if w and not any(matches(parse_number(w), v) for v in values):
            break
    template = rng.choice(INVENTED_SENTENCES)
    sentence = " " + template.format(n=n)
    pos = rng.choice(ends)
    out = text[:pos] + sentence + text[pos:]
    num_at = pos + sentence.index(str(n))
    return out, Expected("invented_sentence", str(n), num_at, num_at + len(str(n)))


def _invented_symbol(sheet: FactSheet, rng: random.Random) -> str:
    from writer.check.lexicon import NOT_SYMBOLS

    names = {sheet.symbol.upper()}
    aliases = sheet.value("identity.aliases")
    if isinstance(aliases, tuple):
        names |= {a.name.upper() for a in aliases}
    while True:
        letters = "".join(rng.choice("ABCDEFGHKLMNPRSTVWZ") for _ in range(rng.randint(2, 4)))
        symbol = letters + str(rng.randint(1, 19)) + rng.choice(["", "", "A", "B", "L"])
        if symbol not in names and symbol not in NOT_SYMBOLS:
            return symbol


def invented_symbol(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """A gene symbol that is neither the gene's nor an alias: either the gene's own symbol in
    the prose replaced, or a sentence naming an interaction partner added."""
    symbol = _invented_symbol(sheet, rng)
    protected = _protected(text)
    table_lines = [(m.start(), m.end()) for m in re.finditer(r"(?m)^\|.*$", text)]
    sites = [m for m in re.finditer(rf"(?<![\w/-]){re.escape(sheet.symbol)}(?![\w-])", text)
             if _free(protected + table_lines, m.start(), m.end())]
    if sites and rng.random() < 0.5:
        m = rng.choice(sites)
        return _replace(text, m.start(), m.end(), symbol, "invented_symbol")
    ends = _sentence_ends(text)
    if not ends:
        return None
    sentence = f" The protein interacts with {symbol}."
    pos = rng.choice(ends)
    at = pos + sentence.index(symbol)
    return text[:pos] + sentence + text[pos:], Expected("invented_symbol", symbol, at,
                                                       at + len(symbol))


def changed_symbol(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """The official symbol in the identity table or title replaced by an alias or another
    symbol."""
    sites = [m for m in re.finditer(rf"(?m)(?:^title:\s*|^\|[^|\n]*\|\s*){re.escape(sheet.symbol)}"
                                    rf"(?=\s*(?:\||$))", text)]
    if not sites:
        return None
    m = rng.choice(sites)
    start = m.end() - len(sheet.symbol)
    aliases = sheet.value("identity.aliases")
    choices = [a.name for a in aliases] if isinstance(aliases, tuple) and aliases else []
    new = rng.choice(choices) if choices and rng.random() < 0.5 else _invented_symbol(sheet, rng)
    return _replace(text, start, m.end(), new, "changed_symbol")


_UNIT_SWAPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"base pairs|bp", ("kb", "Mb")),
    (r"kb", ("bp", "Mb")),
    (r"kDa", ("Da",)),
    (r"Da", ("kDa",)),
    (r"amino acids", ("kDa", "bp")),
)


def changed_unit(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """The unit after a number replaced (base pairs -> kb, Da -> kDa, amino acids -> kDa), or
    the percent sign of a percentage dropped."""
    protected = _protected(text)
    sites: list[tuple[int, int, str]] = []
    for pattern, swaps in _UNIT_SWAPS:
        for m in re.finditer(rf"(?<=\d )(?:{pattern})\b", text):
            if _free(protected, m.start(), m.end()):
                sites.append((m.start(), m.end(), rng.choice(swaps)))
    for m in re.finditer(r"(?<=\d)%(?= for| \(|,| and|\))(?!\s*(?:of all|percentile))", text):
        if _free(protected, m.start(), m.end()):
            sites.append((m.start(), m.end(), ""))
    if not sites:
        return None
    start, end, new = rng.choice(sorted(sites))
    if new == "":  # the number itself now claims something else: expect its span
        num = re.search(r"[\d.,]+$", text[:start])
        out = text[:start] + text[end:]
        a = num.start() if num else start - 1
        return out, Expected("changed_unit", out[a:start], a, start)
    return _replace(text, start, end, new, "changed_unit")


def swapped_values(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """Two numbers of different facts in one paragraph swapped: each still equals some fact,
    so only kind-aware matching catches it."""
    sites = _number_sites(text, sheet, percentile=False)
    pairs = []
    for i, (a, va) in enumerate(sites):
        for b, vb in sites[i + 1:]:
            if b.start() - a.end() > 600 or "\n\n" in text[a.end():b.start()]:
                continue
            wa, wb = parse_number(a), parse_number(b)
            # each must then state a value its place does not hold
            if not any(matches(wb, v) for v in va) and not any(matches(wa, v) for v in vb):
                pairs.append((a, b))
    if not pairs:
        return None
    a, b = rng.choice(pairs)
    out = text[: a.start()] + b.group(0) + text[a.end(): b.start()] + a.group(0) + text[b.end():]
    shift = len(b.group(0)) - len(a.group(0))
    b_start = b.start() + shift
    return out, Expected("swapped_values", b.group(0), a.start(), a.start() + len(b.group(0)),
                         also=((b_start, b_start + len(a.group(0))),))


_FLIPS = (("hydrophobic", "hydrophilic"), ("hydrophilic", "hydrophobic"), ("unstable", "stable"),
          ("stable", "unstable"), ("acidic", "basic"), ("basic", "acidic"))


def flipped_interpretation(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """A reading of a value turned round: hydrophobic <-> hydrophilic, stable <-> unstable."""
    protected = _protected(text)
    sites = []
    for word, other in _FLIPS:
        for m in re.finditer(rf"\b{word}\b", text):
            if _free(protected, m.start(), m.end()):
                sites.append((m.start(), m.end(), other))
    if not sites:
        return None
    start, end, new = rng.choice(sorted(sites))
    return _replace(text, start, end, new, "flipped_interpretation")


# --- what language models get wrong besides values (issue: trust) ------------------------------
_SMALL_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                "seventeen", "eighteen", "nineteen")
_TENS_WORDS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
               "ninety")


def _in_words(n: int) -> str:
    """0 to 999 in words, as a writer spells them ("one hundred and ninety-eight")."""
    if n >= 100:
        rest = n % 100
        return _SMALL_WORDS[n // 100] + " hundred" + (f" and {_in_words(rest)}" if rest else "")
    if n >= 20:
        return _TENS_WORDS[n // 10] + (f"-{_SMALL_WORDS[n % 10]}" if n % 10 else "")
    return _SMALL_WORDS[n]


def _insert_after(text: str, anchor: str, sentence: str, rng: random.Random,
                  kind: str, claim: str) -> Injected | None:
    """``sentence`` added after a sentence of the paragraph that holds ``anchor`` (any
    sentence of the prose when no paragraph does); the planted span is ``claim`` in it."""
    ends = _sentence_ends(text)
    if not ends:
        return None
    at = text.find(anchor)
    if at >= 0:
        para_end = text.find("\n\n", at)
        para_end = len(text) if para_end < 0 else para_end
        near = [e for e in ends if at < e <= para_end]
        ends = near or ends
    pos = rng.choice(ends)
    out = text[:pos] + " " + sentence + text[pos:]
    start = pos + 1 + sentence.index(claim)
    return out, Expected(kind, claim, start, start + len(claim))


def number_in_words(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """The exon count written in words, and wrong ("four exons" for 3)."""
    count = sheet.value("structure.exon_count")
    if not isinstance(count, int) or count > 900:
        return None
    n = rng.choice([m for m in range(max(1, count - 3), count + 4) if m != count])
    claim = f"{_in_words(n)} exon{'s' * (n != 1)}"
    return _insert_after(text, "canonical transcript", f"In total it has {claim}.", rng,
                         "number_in_words", claim)


def wrong_bound(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """A count or length stated as a bound it breaks ("over 4,000 publications" for 402)."""
    choices = []
    for key, noun in (("literature.publication_count", "publications"),
                      ("structure.gene_length", "base pairs")):
        value = sheet.value(key)
        if isinstance(value, (int, float)) and value >= 10:
            choices.append((key, noun, float(value)))
    if not choices:
        return None
    key, noun, value = rng.choice(choices)
    bound = rng.choice(["over", "more than", "fewer than", "under"])
    if bound in ("over", "more than"):
        target = value * rng.choice([2, 3, 5])
    else:
        target = value / rng.choice([2, 3, 5])
    digits = len(str(int(target))) - 2
    rounded = int(round(target, -max(digits, 0))) or 1
    claim = f"{bound} {rounded:,} {noun}"
    anchor = "publication" if key.startswith("literature") else "gene length"
    subject = "The gene has been linked to" if key.startswith("literature") else "It spans"
    return _insert_after(text, anchor, f"{subject} {claim}.", rng, "wrong_bound", claim)


def false_rank(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """A band word the percentile contradicts ("among the longest" at the 22nd)."""
    options = []
    for key, noun, anchor in (("structure.gene_length", "genes", "gene length"),
                              ("protein.length", "proteins", "amino acids")):
        fact = sheet.get(key)
        if fact is not None and fact.percentile is not None:
            word = "longest" if fact.percentile.value < 50 else "shortest"
            options.append((f"among the {word}", noun, anchor))
    if not options:
        return None
    claim, noun, anchor = rng.choice(options)
    subject = "The gene" if noun == "genes" else "The protein"
    return _insert_after(text, anchor, f"{subject} is {claim} {noun}.", rng, "false_rank",
                         claim)


def wrong_top_tissue(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """"Highest in" a tissue of the list that does not lead it."""
    tissues = sheet.value("expression.top_tissues")
    if not isinstance(tissues, tuple) or len(tissues) < 3:
        return None
    item = rng.choice(tissues[2:])
    return _insert_after(text, "TPM", f"Expression is highest in {item.name}.", rng,
                         "wrong_top_tissue", f"highest in {item.name}")


def promotional(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """A hyped sentence ("a remarkable gene that holds great potential")."""
    sentence = rng.choice([
        f"{sheet.symbol} is a remarkable gene that holds great potential for medicine.",
        f"This makes {sheet.symbol} a key player and a promising target.",
        f"These findings represent a breakthrough in our understanding of {sheet.symbol}.",
    ])
    return _insert_after(text, "", sentence, rng, "promotional", sentence)


def medical_advice(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """Advice to patients, in any phrasing."""
    sentence = rng.choice([
        f"Patients with variants in {sheet.symbol} should be screened every year.",
        f"Carriers of {sheet.symbol} mutations should avoid alcohol.",
        "Readers with concerns should consult a physician.",
        f"Individuals with low {sheet.symbol} expression are advised to take zinc supplements.",
    ])
    return _insert_after(text, "", sentence, rng, "medical_advice", sentence)


def contradiction(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """A statement that contradicts the page's own ("a single exon" after "3 exons")."""
    count = sheet.value("structure.exon_count")
    if not isinstance(count, int) or str(count) not in text:
        return None
    sentence = ("It is encoded by a single exon." if count != 1
                else "It is encoded by twelve exons.")
    return _insert_after(text, "canonical transcript", sentence, rng, "contradiction", sentence)


# Things no fact sheet holds, as models add them: a drug, a phenotype, a cited paper. Each
# sentence's claim is the braced part; the drug and phenotype names are in the fact store's
# vocabularies (writer.sources.drugs, writer.sources.hpo).
UNSOURCED_MENTIONS = (  # (what it names, the sentence)
    ("drug", "Treatment with {tamoxifen} has been reported to change its expression."),
    ("drug", "Its expression is lowered by {metformin} in cultured cells."),
    ("phenotype", "Loss of the gene has been linked to {splenomegaly} in mice."),
    ("phenotype", "Carriers of rare variants often present with {short stature}."),
    ("paper", "Its function was first described by {Nakamura et al.}"),
    ("paper", "A study {in Nature Genetics} linked it to cell growth."),
    ("paper", "Its role in cancer was reviewed {in the Journal of Clinical Investigation}."),
)


def unsourced_mention(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """A sentence naming a drug, a phenotype or a cited paper, none of which a sheet holds
    (drugs and phenotypes only when the sheet's fact store has their names)."""
    from writer.check import namedterms
    from writer.store import origin

    terms = namedterms.from_store(origin(sheet))
    have = {"drug": len(terms.drugs) > 0, "phenotype": len(terms.phenotypes) > 0, "paper": True}
    template = rng.choice([t for kind, t in UNSOURCED_MENTIONS if have[kind]])
    claim = template[template.index("{") + 1 : template.index("}")]
    sentence = template.replace("{", "").replace("}", "")
    return _insert_after(text, "", sentence, rng, "unsourced_mention", claim)


_TYPE_WORDS = {"protein-coding": "a protein-coding gene", "ncRNA": "a long non-coding RNA",
               "pseudo": "a pseudogene", "snoRNA": "a small nucleolar RNA"}


def wrong_identity(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """The gene type or the strand stated wrong."""
    gene_type = sheet.value("identity.gene_type")
    location = str(sheet.value("identity.location") or "")
    options = []
    if isinstance(gene_type, str):
        for gtype, words in _TYPE_WORDS.items():
            if gtype != gene_type:
                options.append(f"{sheet.symbol} is {words}.")
    strand = re.search(r"\(([+-])\)", location)
    if strand:
        other = "plus" if strand.group(1) == "-" else "minus"
        options.append(f"The gene lies on the {other} strand.")
    if not options:
        return None
    sentence = rng.choice(options)
    claim = sentence.removeprefix(f"{sheet.symbol} is ").removeprefix("The gene lies ")
    return _insert_after(text, "", sentence, rng, "wrong_identity", claim.rstrip("."))


GO_PREDICTED = {"MF": "is predicted to enable", "CC": "is predicted to be located in the",
                "BP": "is predicted to be involved in"}


def repeated_name(text: str, sheet: FactSheet, rng: random.Random) -> Injected | None:
    """A GO term or pathway the paragraph already names, named again in it under the right
    verb ("enables metal ion binding, ... and is predicted to enable metal ion binding")."""
    from writer.sections.function import is_predicted

    options: list[tuple[str, str]] = []
    for key, aspect in _GO_KEYS.items():
        for item in sheet.value(key) or ():
            if isinstance(item, Item):
                verb = (GO_PREDICTED if is_predicted(item) else GO_VERBS)[aspect]
                options.append((item.name, f"It also {verb} {item.name}."))
    for item in sheet.value("pathways.wikipathways") or ():
        if isinstance(item, Item):
            options.append((item.name, f"The gene is also a member of {item.name}."))
    # The names the page writes as themselves: a link's words (not a part of a longer name).
    options = [(n, sentence) for n, sentence in options if f"[{n}](" in text]
    if not options:
        return None
    name, sentence = rng.choice(options)
    return _insert_after(text, f"[{name}](", sentence, rng, "repeated_name", name)


KINDS: dict[str, Injector] = {
    "changed_number": changed_number,
    "changed_percentile": changed_percentile,
    "changed_year": changed_year,
    "changed_identifier": changed_identifier,
    "changed_band": changed_band,
    "swapped_go_term": swapped_go_term,
    "unlinked_invented_go_term": unlinked_invented_go_term,
    "go_wrong_aspect": go_wrong_aspect,
    "predicted_stated_as_shown": predicted_stated_as_shown,
    "swapped_tissue": swapped_tissue,
    "swapped_biogps_tissue": swapped_biogps_tissue,
    "swapped_pathway": swapped_pathway,
    "swapped_disease": swapped_disease,
    "changed_p_value": changed_p_value,
    "invented_sentence": invented_sentence,
    "invented_symbol": invented_symbol,
    "changed_symbol": changed_symbol,
    "changed_unit": changed_unit,
    "swapped_values": swapped_values,
    "flipped_interpretation": flipped_interpretation,
    "number_in_words": number_in_words,
    "wrong_bound": wrong_bound,
    "false_rank": false_rank,
    "wrong_top_tissue": wrong_top_tissue,
    "promotional": promotional,
    "medical_advice": medical_advice,
    "contradiction": contradiction,
    "wrong_identity": wrong_identity,
    "unsourced_mention": unsourced_mention,
    "swapped_atlas_term": swapped_atlas_term,
    "swapped_transcription_factor": swapped_transcription_factor,
    "swapped_knockdown_effect": swapped_knockdown_effect,
    "repeated_name": repeated_name,
}


# Kinds that only pages of a real fact store can take (``writer eval`` measures them).
NEEDS_STORE = frozenset({"unlinked_invented_go_term", "unsourced_mention"})


def describe() -> dict[str, str]:
    """Each kind with the first line of its description (for reports and eval specs)."""
    return {name: (fn.__doc__ or "").strip().split("\n")[0] for name, fn in KINDS.items()}


def inject(page_text: str, sheet: FactSheet, kind: str, rng: random.Random) -> Injected | None:
    if kind not in KINDS:
        raise KeyError(f"unknown injection kind {kind!r}; known: {', '.join(KINDS)}")
    return KINDS[kind](page_text, sheet, rng)


def caught(report: CheckReport, expected: Expected) -> bool:
    """True when a finding of ``report`` overlaps a planted span."""
    for f in report.findings:
        if f.start is None or f.end is None:
            continue
        for a, b in expected.spans():
            if f.start < b and a < f.end:
                return True
    return False


@dataclass
class Recall:
    caught: int = 0
    planted: int = 0
    missed: list[tuple[Expected, str]] = field(default_factory=list)  # with an excerpt

    @property
    def rate(self) -> float:
        return self.caught / self.planted if self.planted else 1.0


@dataclass
class Measurement:
    """Recall per injection kind, and false alarms on the clean pages."""

    recall: dict[str, Recall] = field(default_factory=dict)
    clean_pages: int = 0
    pages_with_false_alarms: int = 0
    false_alarms: list[Finding] = field(default_factory=list)  # findings on clean pages

    def table(self) -> str:
        lines = ["| injection kind | caught | recall |", "| :-- | --: | --: |"]
        for kind, r in self.recall.items():
            lines.append(f"| {kind} | {r.caught}/{r.planted} | {100 * r.rate:.1f}% |")
        lines.append(f"| false alarms on clean pages | {self.pages_with_false_alarms}/"
                     f"{self.clean_pages} pages | {len(self.false_alarms)} findings |")
        return "\n".join(lines)


def measure(pages: Iterable[tuple[str, FactSheet]], kinds: Iterable[str] = tuple(KINDS),
            tries: int = 1, seed: str = "inject",
            checker: Callable[[str, FactSheet], CheckReport] | None = None) -> Measurement:
    """Plant each kind of error ``tries`` times in each clean page and check every result."""
    if checker is None:
        from writer.check import check as checker
    kinds = list(kinds)
    out = Measurement(recall={k: Recall() for k in kinds})
    for n, (text, sheet) in enumerate(pages):
        out.clean_pages += 1
        clean = checker(text, sheet)
        if clean.findings:
            out.pages_with_false_alarms += 1
            out.false_alarms.extend(clean.findings)
        for kind in kinds:
            for t in range(tries):
                rng = random.Random(f"{seed}-{n}-{kind}-{t}")
                planted = inject(text, sheet, kind, rng)
                if planted is None:
                    continue
                new_text, expected = planted
                r = out.recall[kind]
                r.planted += 1
                if caught(checker(new_text, sheet), expected):
                    r.caught += 1
                else:
                    excerpt = new_text[max(0, expected.start - 120): expected.end + 80]
                    r.missed.append((expected, excerpt))
    return out
