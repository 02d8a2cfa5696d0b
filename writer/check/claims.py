"""Claim extraction: every number, identifier and name a page states, by rule.

Passes run in a fixed order and each claims its characters, so a later pass never reads
them again: the front matter, the identity table, links (GO terms, papers, genes,
pathways, proteins), string facts written out verbatim, identifiers in the text, name
lists (tissues, pathways), tissues and pathways named in passing, gene symbols, numbers,
interpretations of values, and last the sentences of sections that no source covers.

Which fact a number states is read from its unit ("Da"), the noun it counts
("publications"), the percentile phrase after it, or the nearest cue word in its clause
("gene length", "isoelectric point"); "respectively" lists are paired in order. Numbers of
the sentence's grammar ("top 5", "set at 1.0", "middle 50%") are not claims; "at pH 7.0"
is checked against the definition of the charge fact.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any
from urllib.parse import unquote

from writer import catalog
from writer.check import goterms as gt
from writer.check import lexicon as lx
from writer.check.diseases import EMPTY, NameList
from writer.check.namedterms import NONE, NamedTerms
from writer.check.numbers import NUMBER_RE, Written, parse_number, qualifier_before, words_in
from writer.check.page import Link, Page, Sentence
from writer.check.sheetindex import BIOGPS_KEY, BIOGPS_SAMPLE, SheetIndex

ENSEMBL_RE = re.compile(r"\bENS[GTP]\d{11}(?:\.\d+)?\b")
GO_RE = re.compile(r"\bGO[:_]\d{7}\b")
WP_RE = re.compile(r"\bWP\d{1,6}\b")
REACTOME_RE = re.compile(r"\bR-[A-Z]{3}-\d{1,9}\b")
REFSEQ_RE = re.compile(r"\b[NX][MRP]\\?_\d{5,9}(?:\.\d+)?\b")
BAND_RE = re.compile(
    r"(?<![\w.\-])(?:chr)?(?:[1-9]|1\d|2[0-2]|X|Y)[pq](?:\d{1,2}(?:\.\d{1,3})?)?"
    r"(?:\s?[-\u2013]\s?(?:(?:(?:[1-9]|1\d|2[0-2]|X|Y)?[pq])\d{1,2}(?:\.\d{1,3})?|[pq]?ter|cen))?"
    r"(?![\w]|\.\d)"
)
LOCATION_RE = re.compile(
    r"\bchr(?:[1-9]|1\d|2[0-2]|X|Y|M)\s?:\s?[\d,]+\s?[-\u2013]\s?[\d,]+(?:\s?\([+-]\))?"
)
CHROMOSOME_RE = re.compile(r"\bchromosome\s+((?:[1-9]|1\d|2[0-2]|X|Y))\b", re.I)
NCBI_ID_TEXT_RE = re.compile(
    r"\b(?:NCBI(?: Gene)? ID|Gene ID|Entrez(?: Gene)?(?: ID)?|NCBIGene)\s*:?\s*(\d+)\b"
)
PMID_TEXT_RE = re.compile(r"\bPMID\s*:?\s*(\d+)\b")
UNIPROT_TEXT_RE = re.compile(
    r"\bUniProt(?:KB)?(?: accession)?\s*:?\s*\(?\s*"
    r"([OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9](?:[A-Z][A-Z0-9]{2}[0-9]){1,2})\b"
)
DISEASE_ID_TEXT_RE = re.compile(
    r"\b(OMIM|MIM|ORPHA|Orphanet|DECIPHER)\s*(?::|#|\s)\s*#?(\d{1,6})\b"
)
_DISEASE_DB = {"OMIM": "OMIM", "MIM": "OMIM", "ORPHA": "ORPHA", "ORPHANET": "ORPHA",
               "DECIPHER": "DECIPHER"}
DISEASE_WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019]*(?:[-\u2010\u2011][A-Za-z0-9']+)*")
DISEASE_TAIL_RE = re.compile(
    r"(?:,?\s+(?:type|group)\s+[0-9IVXivx]+[A-Za-z]?|\s+\d{1,3}[A-Z]?)"
    r"(?=\s*(?:[.,;)]|$|\s(?:and|or)\s))"
)
TRANSCRIPT_NAME_RE = re.compile(r"[A-Z][A-Z0-9]+(?:-[A-Z0-9]+)*-\d{3}")
# GWAS traits: their ontology IDs, and p-values as "3e-12", "3E-12", "3 × 10^-12"
TRAIT_ID_RE = re.compile(r"\b(?:(?:EFO|MONDO|OBA|HP)\\?_\d{5,8}|MONDO:\d{7})\b")
P_VALUE_RE = re.compile(
    r"(?<![\w.])(?P<m>\d+(?:\.\d+)?)\s*(?:[eE](?P<e1>[-\u2212\u2013]?\d+)"
    r"|(?:[x\u00d7\u00b7\u22c5]|\\times)\s*10\s*(?:\^|<sup>)\s*\(?(?P<e2>[-\u2212\u2013]?\d+)\)?"
    r"(?:</sup>)?)(?![\w.])"
)

URL_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("go", re.compile(r"GO(?::|_|%3A)(\d{7})", re.I)),
    ("ncbi_gene", re.compile(r"ncbi\.nlm\.nih\.gov/gene/(\d+)")),
    ("ncbi_gene", re.compile(r"NCBIGene(?::|%3A)(\d+)", re.I)),
    ("ncbi_gene", re.compile(r"linkname=gene_pubmed&from_uid=(\d+)")),
    ("pubmed", re.compile(r"pubmed\.ncbi\.nlm\.nih\.gov/(\d+)")),
    ("pubmed", re.compile(r"ncbi\.nlm\.nih\.gov/pubmed/(\d+)")),
    ("atlas", re.compile(r"proteinatlas\.org/ENSG\d{11}-([A-Za-z0-9.\-]+)")),
    ("ensembl", re.compile(r"(ENS[GTP]\d{11}(?:\.\d+)?)")),
    ("wp", re.compile(r"wikipathways\.org/.*?(WP\d+)", re.I)),
    ("reactome", re.compile(r"reactome\.org/.*?(R-[A-Z]{3}-\d+)")),
    ("uniprot", re.compile(r"uniprot\.org/(?:uniprot|uniprotkb)/([A-Z0-9]{6,10})")),
    ("refseq", re.compile(r"ncbi\.nlm\.nih\.gov/nuccore/([NX][MRP]_\d+(?:\.\d+)?)")),
    ("omim", re.compile(r"omim\.org/(?:entry|clinicalSynopsis)/(\d{6})")),
    ("orpha", re.compile(r"orpha\.net/.*?(?:detail/|Expert=|ORPHA[:=]?)(\d+)", re.I)),
    ("trait", re.compile(r"ebi\.ac\.uk/gwas/efotraits/([A-Za-z]+_\d+)")),
    ("trait", re.compile(r"purl\.obolibrary\.org/obo/((?:MONDO|EFO|OBA|HP)_\d+)")),
    ("trait", re.compile(r"ebi\.ac\.uk/efo/(EFO_\d+)")),
)



def unsourced_sections(index: SheetIndex) -> frozenset[str]:
    """Prose sections that no source covers for this gene: only online sources provide them
    and the fact sheet holds none of their facts. Their sentences cannot be traced."""
    return frozenset(
        s.name for s in catalog.sections()
        if s.kind == "prose" and s.prefix and not s.has_offline_source
        and not index.sheet.section(s.prefix)
    )


def _spec(section: str) -> catalog.SectionSpec | None:
    try:
        return catalog.section(section)
    except KeyError:  # the front matter, "other"
        return None


@dataclass
class Claim:
    start: int
    end: int
    kind: str
    key: str | None = None
    value: Any = None
    section: str = "other"
    written: Written | None = None
    factor: Decimal = Decimal(1)
    unit: str | None = None
    of: str | None = None  # a percentile: the key it ranks
    strict: bool = False  # a symbol that must be the official one
    linked_id: str | None = None  # a name linked to an identifier
    item: Any = None  # the list item a value belongs to (a tissue)
    status: str | None = None  # preset by the extractor (a unit that does not fit ...)
    reason: str | None = None
    notes: dict[str, Any] = field(default_factory=dict)


class Extractor:
    def __init__(self, page: Page, index: SheetIndex, diseases: NameList = EMPTY,
                 terms: NamedTerms = NONE) -> None:
        self.page = page
        self.disease_names = diseases
        self.terms = terms
        self.ix = index
        self.text = page.text
        self.view = page.view
        self.taken = bytearray(len(page.text))
        self.claims: list[Claim] = []
        # the claims again, ordered by start, so a sentence finds its own claims by bisection
        # rather than by a scan of the page's (time stays linear in the page's size)
        self._by_start: list[Claim] = []
        self._starts: list[int] = []
        self._page_cues: list[tuple[int, int, str]] | None = None
        self._cue_starts: list[int] = []
        self.unsourced = unsourced_sections(index)

    # --- bookkeeping ---------------------------------------------------------------------------
    def free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def take(self, start: int, end: int) -> None:
        self.taken[start:end] = b"\x01" * (end - start)

    def add(self, claim: Claim, consume: bool = True) -> Claim:
        if claim.section == "other":
            claim.section = self.page.section_at(claim.start)
        self.claims.append(claim)
        i = bisect_right(self._starts, claim.start)
        self._starts.insert(i, claim.start)
        self._by_start.insert(i, claim)
        if consume:
            self.take(claim.start, claim.end)
        return claim

    def within(self, start: int, end: int) -> list[Claim]:
        """The claims that start in ``[start, end)``, in page order."""
        return self._by_start[bisect_left(self._starts, start) : bisect_left(self._starts, end)]

    def in_view(self, pos: int) -> bool:
        return self.view[pos] == self.text[pos] and self.view[pos] != " "

    # --- passes --------------------------------------------------------------------------------
    def run(self) -> list[Claim]:
        for block in self.page.blocks:
            if block.section == "checks" or block.kind == "code":
                self.take(block.start, block.end)
        self.front_matter()
        self.tables()
        self.links()
        self.echoes()
        self.own_names()
        self.identifiers()
        self.atlas()  # before citations: an atlas value is quoted ("Detected in many")
        self.transcription_factors()
        self.perturbation()
        self.biogps_samples()  # before diseases and numbers: "leukemia", "721 B lymphoblasts"
        self.citations()  # a quoted title may hold a GO term's or a disease's name
        self.go_names()
        self.gwas_traits()  # before diseases: "coronary artery disease" is the gene's trait
        self.diseases()
        self.gene_names()  # after GO terms: "insulin receptor binding" is a term
        self.name_lists()
        self.loose_names()
        self.named_terms()  # after every name the sheet can hold: what is left is claimed
        self.symbols()
        self.ranks()  # before numbers: "in the bottom 5%" is a band, not a fraction
        self.comparisons()
        self.p_values()  # before numbers: "3e-12" is one value, not 3 and -12
        self.numbers()
        self.interpretations()
        self.identity_prose()
        self.expression_ranks()
        self.statements()
        self.claims.sort(key=lambda c: (c.start, c.end))
        return self.claims

    def front_matter(self) -> None:
        fm = self.page.front_matter
        title = fm.get("title")
        if title and title.text:
            value = title.text.strip("\"'")
            if lx.SYMBOL_SHAPE.fullmatch(value) or value.upper() in self.ix.all_names:
                offset = title.text.find(value)
                self.add(Claim(title.start + offset, title.start + offset + len(value),
                               "gene_symbol", "identity.symbol", value, "front_matter",
                               strict=True))
            else:
                self._symbols_in(title.start, title.end, "front_matter")
        desc = fm.get("description")
        if desc:
            self.own_names(self.text, desc.start, desc.end)
            self._symbols_in(desc.start, desc.end, "front_matter")

    def echoes(self) -> None:
        """String facts written out verbatim (a transcript label, the gene's full name)."""
        for key, pattern in self.ix.echo_patterns:
            for m in pattern.finditer(self.text):
                if self.free(m.start(), m.end()) and self.in_view(m.start()):
                    self.add(Claim(m.start(), m.end(), self.ix.kind_of_string(key), key,
                                   m.group(0), status="traced"))

    def own_names(self, source: str | None = None, start: int = 0, end: int | None = None
                  ) -> None:
        """The gene's symbol and aliases as written, whatever their punctuation ("MCS+9.7"),
        but not inside its full name: an alias claimed there ("cofilin" in "cofilin 1") would
        leave the name's number to be read as a quantity (the name is read later, with the
        other genes' names, after GO terms that may hold it: "insulin receptor binding")."""
        source = self.view if source is None else source
        end = len(source) if end is None else end
        full = self.ix.sheet.value("identity.name")
        in_name: list[tuple[int, int]] = []
        if isinstance(full, str) and full.strip():
            pattern = re.compile(rf"(?<![\w\-]){re.escape(full)}(?![\w]|[.\-]\w)", re.I)
            in_name = [m.span() for m in pattern.finditer(source, start, end)]
        for name in sorted({self.ix.symbol, *self.ix.aliases}, key=len, reverse=True):
            if len(name) < 2:
                continue
            pattern = re.compile(rf"(?<![\w.+\-]){re.escape(name)}(?![\w+]|[.\-]\w)")
            for m in pattern.finditer(source, start, end):
                if any(a <= m.start() and m.end() <= b for a, b in in_name):
                    continue
                if self.free(m.start(), m.end()):
                    self.add(Claim(m.start(), m.end(), "gene_symbol", "identity.symbol", name,
                                   notes={"own_name": True}))

    def tables(self) -> None:
        for block in self.page.blocks:
            if block.kind != "table" or block.section != "identity":
                continue
            heads = [c.text.lower() for c in block.header]
            for row in block.rows:
                for i, cell in enumerate(row):
                    if not cell.text or i >= len(heads) or not self.free(cell.start, cell.end):
                        continue
                    head = heads[i]
                    text = cell.text
                    if re.fullmatch(r"not available|n/?a|-+|\u2014", text, re.I):
                        self.take(cell.start, cell.end)
                        continue
                    claim = None
                    if re.search(r"ncbi id|gene id|entrez", head) and text.isdigit():
                        claim = Claim(cell.start, cell.end, "identifier", "identity.ncbi_gene_id",
                                      text)
                    elif "symbol" in head:
                        claim = Claim(cell.start, cell.end, "gene_symbol", "identity.symbol",
                                      text.replace("\\", ""), strict=True)
                    elif "ensembl" in head and ENSEMBL_RE.fullmatch(text):
                        claim = Claim(cell.start, cell.end, "identifier", "identity.ensembl_id",
                                      text)
                    elif re.search(r"location|band|cytoband", head) and BAND_RE.fullmatch(text):
                        claim = Claim(cell.start, cell.end, "band", "identity.band", text)
                    elif "chromosome" in head and re.fullmatch(r"(?:[1-9]|1\d|2[0-2]|X|Y|MT)",
                                                               text):
                        claim = Claim(cell.start, cell.end, "band", "identity.chromosome", text)
                    if claim:
                        self.add(claim)

    def links(self) -> None:
        for link in self.page.links:
            if not self.free(link.url_start, link.url_end):
                continue
            found: dict[str, list[str]] = {}
            id_claims: list[Claim] = []
            for kind, pattern in URL_PATTERNS:
                for m in pattern.finditer(link.url):
                    found.setdefault(kind, []).append(m.group(1))
                    group = 0 if kind == "go" else 1  # a GO claim is the whole "GO:0005515"
                    s = link.url_start + m.start(group)
                    e = link.url_start + m.end(group)
                    if self.text[s:e] != m.group(group):  # the URL was rewritten (<...>)
                        s, e = link.url_start, link.url_end
                    if not self.free(s, e):
                        continue
                    claim = self._url_claim(kind, m.group(1), s, e, link)
                    id_claims.append(claim)
                    source = self.ix.urls.get(unquote(link.url))
                    if source is not None:  # a link copied from the fact sheet
                        claim.status = "traced"
                        claim.reason = f"{claim.value} is in a link the fact sheet gives ({source})"
            name = self._link_text(link, found)
            if name is not None:
                name.notes["id_claims"] = [c for c in id_claims if c.kind == name.kind]

    def _url_claim(self, kind: str, value: str, s: int, e: int, link: Link) -> Claim:
        section = self.page.section_at(link.start)
        kind_key = {
            "go": ("go_term", "function.go_id"),
            "ncbi_gene": ("identifier", "identity.ncbi_gene_id"),
            "pubmed": ("paper", "publications.pmid"),
            "atlas": ("gene_symbol", "identity.symbol"),
            "ensembl": ("identifier", self.ix.ensembl_key(value)),
            "wp": ("pathway", "pathways.id"),
            "reactome": ("pathway", "pathways.id"),
            "uniprot": ("identifier", "identity.uniprot_ids"),
            "refseq": ("identifier", "structure.canonical_transcript"),
            "omim": ("disease", "disease.id"),
            "orpha": ("disease", "disease.id"),
            "trait": ("trait", "disease.trait_id"),
        }[kind]
        if kind == "go":
            value = "GO:" + value
        elif kind in ("omim", "orpha"):
            value = f"{kind.upper()}:{value}"
        elif kind == "wp":
            value = value.upper()
        return self.add(Claim(s, e, kind_key[0], kind_key[1], value, section))

    def _link_text(self, link: Link, found: dict[str, list[str]]) -> Claim | None:
        """The claim a link's text makes: a GO term's or pathway's name, a paper's title."""
        ts, te = link.text_start, link.text_end
        text = link.text
        if not text.strip() or not self.free(ts, te):
            return None
        section = self.page.section_at(link.start)
        clean = re.sub(r"\\(.)", r"\1", text).strip()
        if "go" in found:
            if GO_RE.fullmatch(clean):
                self.take(ts, te)
                return None
            return self.add(Claim(ts, te, "go_term", "function.go_name", clean, section,
                                  linked_id="GO:" + found["go"][0]))
        if "pubmed" in found:
            if clean.isdigit():
                self.take(ts, te)
                return None
            return self.add(Claim(ts, te, "paper", "publications.title", clean, section,
                                  linked_id=found["pubmed"][0]))
        if "wp" in found or "reactome" in found:
            wp = (found.get("wp") or found["reactome"])[0].upper()
            if clean.upper() == wp:
                self.take(ts, te)
                return None
            return self.add(Claim(ts, te, "pathway", "pathways.name", clean, section,
                                  linked_id=wp))
        disease_ids = [f"{db.upper()}:{n}" for db in ("omim", "orpha") for n in found.get(db, ())]
        if disease_ids:
            if DISEASE_ID_TEXT_RE.fullmatch(clean) or clean.isdigit():
                self.take(ts, te)  # the link text is the identifier its target carries
                return None
            return self.add(Claim(ts, te, "disease", "disease.name", clean, section,
                                  linked_id=disease_ids[0]))
        if "trait" in found:
            if TRAIT_ID_RE.fullmatch(clean):
                self.take(ts, te)  # the link text is the identifier its target carries
                return None
            return self.add(Claim(ts, te, "trait", "disease.trait", clean, section,
                                  linked_id=found["trait"][0]))
        if clean in found.get("uniprot", ()) or clean in found.get("ncbi_gene", ()):
            self.take(ts, te)  # the link text repeats the identifier its target carries
        elif "ncbi_gene" in found and clean.isdigit():
            self.add(Claim(ts, te, "identifier", "identity.ncbi_gene_id", clean, section))
        return None

    def identifiers(self) -> None:
        text = self.text
        for pattern, kind, key in (
            (ENSEMBL_RE, "identifier", None),
            (GO_RE, "go_term", "function.go_id"),
            (WP_RE, "pathway", "pathways.id"),
            (REACTOME_RE, "pathway", "pathways.id"),
            (REFSEQ_RE, "identifier", "structure.canonical_transcript"),
            (LOCATION_RE, "location", "identity.location"),
            (TRAIT_ID_RE, "trait", "disease.trait_id"),
        ):
            for m in pattern.finditer(text):
                if not self.in_view(m.start()) or not self.free(m.start(), m.end()):
                    continue
                value = m.group(0).replace("\\", "").replace("GO_", "GO:")
                claim = self.add(Claim(m.start(), m.end(), kind,
                                       key or self.ix.ensembl_key(value), value))
                after_link = re.search(r"\]\(([^()\s]*)\)\s*\($", text[max(0, m.start() - 300):
                                                                   m.start()])
                linked = pattern.search(after_link.group(1).replace("%3A", ":")) \
                    if after_link else None
                linked_id = linked.group(0).replace("GO_", "GO:") if linked else None
                if linked_id and linked_id[:4] == value[:4] and linked_id != value:
                    claim.status = "contradicted"
                    claim.reason = (f"{value} follows a link to {linked.group(0)}: the name and "
                                    f"its identifier disagree")
        for pattern, kind, key in (
            (NCBI_ID_TEXT_RE, "identifier", "identity.ncbi_gene_id"),
            (PMID_TEXT_RE, "paper", "publications.pmid"),
            (UNIPROT_TEXT_RE, "identifier", "identity.uniprot_ids"),
            (CHROMOSOME_RE, "band", "identity.chromosome"),
        ):
            for m in pattern.finditer(self.view):
                if self.free(m.start(1), m.end(1)):
                    self.add(Claim(m.start(1), m.end(1), kind, key, m.group(1)))
        for m in DISEASE_ID_TEXT_RE.finditer(self.view):
            if self.free(m.start(), m.end()):
                value = f"{_DISEASE_DB[m.group(1).upper()]}:{m.group(2)}"
                self.add(Claim(m.start(), m.end(), "disease", "disease.id", value))
        for m in BAND_RE.finditer(self.view):
            if self.free(m.start(), m.end()):
                self.add(Claim(m.start(), m.end(), "band", "identity.band", m.group(0)))

    # Sections whose names are not GO terms (tissues, pathways, TFs, the atlas's cluster
    # descriptions) or that no source covers.
    _NOT_GO_SECTIONS = frozenset({"expression", "transcription_factors", "notes", "checks",
                                  "front_matter", "identity", "protein_atlas", "perturbation"})

    def go_names(self) -> None:
        """GO term names with or without a link, and the verb each stands under.

        A name is a claim where a sentence makes a GO claim: after a verb of GO's relations
        ("enables", "is located in", "is involved in", "negatively regulates", ...) or in a list
        that started so; then the verb's aspect and evidence wording are claims too. In the
        function section a multi-word name is a claim anywhere ("named in passing"); a
        single-word name ("growth", "binding") only under a verb, and never as English ("the
        growth of").
        """
        vocab = self.ix.go_terms
        for s in self.page.sentences:
            if s.section in self._NOT_GO_SECTIONS or s.section in self.unsourced:
                continue
            sentence_cues = gt.cues(self.view, s.start, s.end)
            function = s.section == "function"
            if not sentence_cues and not function:
                continue
            linked = [c for c in self.within(s.start, s.end)
                      if c.kind == "go_term" and c.key == "function.go_name"]
            found = [(a, b, key) for a, b, key in vocab.find(self.view, s.start, s.end)
                     if self.free(a, b)]
            items = sorted([(c.start, c.end, None, c) for c in linked]
                           + [(a, b, key, None) for a, b, key in found], key=lambda x: x[0])
            anchor = s.start  # where the current list can go on from
            cue: gt.Cue | None = None
            mode = "plain"
            for a, b, key, claim in items:
                for c in sentence_cues:
                    if anchor <= c.start and c.end <= a:
                        cue, anchor = c, c.end
                listed = cue is not None and gt.LIST_GAP.fullmatch(self.view, anchor, a) is not None
                if claim is None and s.section == "pathways" and self._in_pathway_name(key):
                    if listed:  # one of the gene's pathways: the list goes on after it
                        anchor = b
                    continue
                if claim is None:
                    plain = gt.is_plain(key)
                    if plain and (not listed or not gt.ITEM_END.match(self.view, b, s.end)):
                        continue
                    if not listed and (not function or s.section == "pathways"):
                        continue
                    claim = self.add(Claim(a, b, "go_term", "function.go_name", self.view[a:b],
                                           s.section, notes={"loose": not listed}))
                if listed and cue is not None:
                    before = self.view[self._clause_start(s.start, cue.start) : cue.start]
                    # "is predicted to enable X and to be involved in Y": Y is predicted too
                    if not gt.SAME_SUBJECT.fullmatch(before):
                        mode = gt.mode(before)
                    claim.notes.update(verb=cue.verb, aspect=cue.aspect, polarity=cue.polarity,
                                       mode=mode)
                    anchor = b
                else:
                    cue = None

    def _atlas_words(self, s: Sentence) -> bool:
        """A sentence of a sourced atlas section: its tissue, cell and cancer words are the
        atlas's cluster descriptions (read by the atlas pass), not GTEx or HPO claims."""
        return (s.section == "protein_atlas" and "protein_atlas" not in self.unsourced
                and ATLAS_SENTENCE.search(self.view, s.start, s.end) is not None)

    def _in_pathway_name(self, key: str) -> bool:
        """A GO name inside one of the gene's pathway names ("Zinc homeostasis") is left to
        the pathway pass in the pathways section."""
        return any(key in gt.norm(p.name) for p in self.ix.pathways)

    def _clause_start(self, sentence_start: int, pos: int) -> int:
        """Where the verb phrase ending at ``pos`` starts: after the last list item or verb
        of the sentence before it (so "X is predicted to enable" reads its own hedge only)."""
        before = [c.end for c in self.within(sentence_start, pos)
                  if c.kind == "go_term" and c.end <= pos]
        return max(before, default=sentence_start)

    # --- lists of names ------------------------------------------------------------------------
    @cached_property
    def _biogps_blocks(self) -> frozenset[int]:
        """The expression section's paragraphs about the BioGPS GNF1H atlas (they name it)."""
        out = set()
        for i, block in enumerate(self.page.blocks):
            if block.section == "expression" and block.kind == "paragraph" and (
                lx.BIOGPS_PARAGRAPH.search(self.view, block.start, block.end)
                or any("biogps.org" in lk.url.lower() for lk in block.links)
            ):
                out.add(i)
        return frozenset(out)

    def _tissue_key(self, s: Sentence) -> str:
        """What a tissue in ``s`` is checked against: the GNF1H samples in the BioGPS
        paragraph, GTEx's top tissues elsewhere."""
        return BIOGPS_SAMPLE if s.block in self._biogps_blocks else "expression.tissue"

    def biogps_samples(self) -> None:
        """The gene's GNF1H samples named in the BioGPS paragraph, as the template writes them
        (``writer.sections.expression.biogps_name``) or as the file spells them, claimed
        before the disease and number passes read "leukemia" or "721" in them. Other names
        there are read by the list pass and checked against the same samples."""
        if not self.ix.biogps or not self._biogps_blocks:
            return
        names = {n for item, prose, _ in self.ix.biogps for n in (prose, item.name)}
        patterns = [re.compile(r"(?<![\w+\-])" + r"\\?[\s_]+".join(
            re.escape(w) for w in re.split(r"[\s_]+", n)) + r"(?![\w+\-])", re.I)
            for n in sorted(names, key=len, reverse=True)]
        for s in self.page.sentences:
            if s.block not in self._biogps_blocks:
                continue
            for pattern in patterns:
                for m in pattern.finditer(self.view, s.start, s.end):
                    if self.free(m.start(), m.end()) and not self._longer_tissue(m, s):
                        self.add(Claim(m.start(), m.end(), "tissue", BIOGPS_SAMPLE, m.group(0),
                                       s.section))

    def _longer_tissue(self, m: re.Match[str], s: Sentence) -> bool:
        """``m`` is part of a longer tissue name ("liver" in "fetal liver"), which the list
        pass reads whole."""
        before = list(lx.WORD_RE.finditer(self.view, s.start, m.start()))
        after = lx.WORD_RE.search(self.view, m.end(), s.end)
        prev = before[-1] if before and not self.view[before[-1].end():m.start()].strip() \
            else None
        nxt = after if after and not self.view[m.end():after.start()].strip() else None
        words = lx.TISSUE_HEADS | lx.TISSUE_MODIFIERS
        return (prev is not None and prev.group(0).lower() in words) or (
            nxt is not None and nxt.group(0).lower() in lx.TISSUE_HEADS)

    def name_lists(self) -> None:
        for s in self.page.sentences:
            if s.section == "expression":
                self._list(s, "tissue", self._tissue_key(s))
            elif s.section == "pathways":
                if any(c.kind == "pathway" for c in self.within(s.start, s.end)):
                    continue  # its pathways are links
                self._list(s, "pathway", "pathways.name")

    def _masked(self, start: int, end: int) -> str:
        """The view of a span with link texts masked, so nothing splits inside a name."""
        return self._masked_view[start:end]

    @cached_property
    def _masked_view(self) -> str:
        chars = list(self.view)
        for link in self.page.links:
            for i in range(link.text_start, link.text_end):
                if chars[i] != " ":
                    chars[i] = "X"
        return "".join(chars)

    def _list(self, s: Sentence, kind: str, key: str) -> None:
        masked = self._masked(s.start, s.end).rstrip(" .;")
        # "... the WikiPathways pathways A, B and C": the names follow the word; a name before
        # it ("the Wnt signaling pathway") is read by the loose-name pass instead
        region = 0
        if kind == "pathway":
            hits = list(lx.PATHWAY_WORD.finditer(masked))
            if hits:
                region = hits[-1].end()
                masked = " " * region + masked[region:]
        depth = 0
        cuts = []
        for i, ch in enumerate(masked):
            if i < region:
                continue
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth = max(0, depth - 1)
            elif ch == ";" and depth == 0 or ch == "," and depth == 0 and not (
                0 < i < len(masked) - 1 and masked[i - 1].isdigit() and masked[i + 1].isdigit()
            ):  # not the comma of "2,300"
                cuts.append(i)
        bounds = [region - 1, *cuts, len(masked)]
        segments = [(bounds[i] + 1, bounds[i + 1]) for i in range(len(bounds) - 1)]
        # drop trailing clauses that are not list items ("..., indicating ...")
        while segments and re.match(
            r"\s*(?:where|which|while|whereas|suggesting|indicating|reflecting|with a|as)\b",
            masked[segments[-1][0] : segments[-1][1]], re.I
        ):
            segments.pop()
        items: list[tuple[int, int]] = []
        lead_found = False
        if region:  # the word "pathways" leads the list
            items = list(reversed(segments))
            lead_found = bool(items)
        for idx in range(len(segments) - 1, -1, -1):
            if region:
                break
            a, b = segments[idx]
            seg = masked[a:b]
            strong = list(lx.STRONG_LIST_TRIGGER.finditer(seg))
            weak = list(lx.WEAK_LIST_TRIGGER.finditer(seg))
            trig = strong[-1] if strong else (weak[-1] if weak else None)
            if trig is not None and not re.match(r"\s*(?:and|or)\b", seg):
                items.append((a + trig.end(), b))
                lead_found = True
                break
            items.append((a, b))
        if not lead_found or not items:
            return
        items.reverse()
        # "A and B" inside the last item, or in a list of one
        last_a, last_b = items[-1]
        # (not "di- and triphosphates")
        m = re.search(r"(?<!-)\s(?:and|or|as well as)\s", masked[last_a:last_b])
        if m and not re.match(r"\s*(?:and|or|as well as)\s", masked[last_a:last_b]):
            items[-1:] = [(last_a, last_a + m.start()), (last_a + m.end(), last_b)]
        if kind == "tissue":
            items = self._tissue_items(masked, items, s.start)
        for a, b in items:
            if len(items) == 1 and kind == "tissue" and not self._tissue_words(s.start + a,
                                                                            s.start + b):
                continue  # "... expression is the highest": a lone item must name a tissue
            self._list_item(s, s.start + a, s.start + b, kind, key, masked)

    def _tissue_items(self, masked: str, items: list[tuple[int, int]], offset: int
                      ) -> list[tuple[int, int]]:
        """Tissue names have no "and" and no verb: "the liver and the kidney cortex" is two
        items, "and it is also found in the thyroid" is "the thyroid" (when every part names
        a tissue; "the cerebellum and belongs to ..." stays as it was)."""
        out = []
        for a, b in items:
            triggers = list(lx.WEAK_LIST_TRIGGER.finditer(masked, a, b))
            start = triggers[-1].end() if triggers and a < triggers[-1].start() else a
            parts = []
            for part in re.split(r"(\s(?:and|or|as well as)\s)", masked[start:b]):
                if part.strip() and not re.fullmatch(r"\s(?:and|or|as well as)\s", part):
                    parts.append((start, start + len(part)))
                start += len(part)
            if parts and all(self._tissue_words(offset + x, offset + y) for x, y in parts):
                out.extend(parts)
            else:
                out.append((a, b))
        return out

    def _tissue_words(self, a: int, b: int) -> bool:
        words = {w.lower() for w in lx.WORD_RE.findall(self.view[a:b])}
        known = set(lx.TISSUE_HEADS)
        for _, tissue_words in self.ix.tissues:
            known |= tissue_words
        for _, _, sample_words in self.ix.biogps:
            known |= sample_words
        return bool(words & known)

    def _list_item(self, s: Sentence, a: int, b: int, kind: str, key: str, masked: str) -> None:
        seg = self.view[a:b]
        # a linked item is its link text
        for link in self.page.links:
            if a <= link.text_start and link.text_end <= b and link.text.strip():
                if self.free(link.text_start, link.text_end):
                    name = re.sub(r"\\(.)", r"\1", link.text).strip()
                    self.add(Claim(link.text_start, link.text_end, kind, key, name, s.section))
                return
        a += len(seg) - len(seg.lstrip())
        seg = self.view[a:b]
        if kind == "tissue" and lx.TISSUE_DESCRIPTION.search(seg):
            return  # "all ten are brain regions", "many tissues": a description, not a name
        lead = lx.LIST_LEADS.match(seg)
        while lead:
            a += lead.end()
            seg = self.view[a:b]
            lead = lx.LIST_LEADS.match(seg)
        # trailing groups with numbers belong to the number pass: "(1,234.5 TPM)"
        m = re.search(r"\s*\(([^()]*)\)\s*$", seg)
        while m and NUMBER_RE.search(m.group(1)):
            seg = seg[: m.start()]
            m = re.search(r"\s*\(([^()]*)\)\s*$", seg)
        seg = seg.rstrip(" .")
        stripped = seg.lstrip()
        a += len(seg) - len(stripped)
        if not stripped or not re.search(r"[A-Za-z]", stripped):
            return
        if re.match(r"(?:about|around|roughly|approximately|some|over|under|nearly|almost)?\s*"
                    r"[\d~]", stripped, re.I):
            return  # a quantity ("about 2,300 TPM"), read by the number pass
        end = a + len(stripped)
        if not self.free(a, end):
            return
        name = " ".join(stripped.split())
        self.add(Claim(a, end, kind, key, name, s.section))

    def loose_names(self) -> None:
        """Tissues and pathways named in passing, outside their sections' lists: "it is most
        expressed in the cerebellum", "it belongs to the Wnt signaling pathway"."""
        for s in self.page.sentences:
            if s.section in self.unsourced or s.section == "notes" or self._atlas_words(s):
                continue
            view = self.view[s.start : s.end]
            if lx.EXPRESSION_CUE.search(view):
                self._loose_tissues(s)
            if lx.PATHWAY_WORD.search(view) and not any(
                c.kind == "pathway" for c in self.within(s.start, s.end)
            ):
                self._loose_pathways(s)

    def _loose_tissues(self, s: Sentence) -> None:
        run: list[re.Match[str]] = []

        def flush() -> None:
            if run and any(m.group(0).lower() in lx.TISSUE_HEADS for m in run):
                a, b = run[0].start(), run[-1].end()
                self.add(Claim(a, b, "tissue", self._tissue_key(s), self.view[a:b], s.section,
                               notes={"loose": True}))
            run.clear()

        for m in lx.WORD_RE.finditer(self.view, s.start, s.end):
            word = m.group(0).lower()
            free = self.free(m.start(), m.end())
            joined = not run or not self.view[run[-1].end() : m.start()].strip()
            if free and joined and (word in lx.TISSUE_HEADS or word in lx.TISSUE_MODIFIERS):
                run.append(m)
                continue
            flush()
            if free and (word in lx.TISSUE_HEADS or word in lx.TISSUE_MODIFIERS):
                run.append(m)
        flush()

    def _loose_pathways(self, s: Sentence) -> None:
        for m in lx.PATHWAY_WORD.finditer(self.view, s.start, s.end):
            if not self.free(m.start(), m.end()):
                continue
            before = self.view[s.start : m.start()].rstrip()
            own = next((p.name for p in self.ix.pathways
                        if before.lower().endswith(p.name.lower())), None)
            if own is not None:  # one of the gene's pathways, "and" and all
                a = s.start + len(before) - len(own)
                if self.free(a, m.end()):
                    self.add(Claim(a, m.end(), "pathway", "pathways.name", self.view[a:m.end()],
                                   s.section, notes={"loose": True}))
                    continue
            words = list(lx.WORD_RE.finditer(self.view, s.start, m.start()))
            name: list[re.Match[str]] = []
            for w in reversed(words[-6:]):
                gap = self.view[w.end() : (name[0].start() if name else m.start())]
                if w.group(0).lower() in lx.PATHWAY_STOP or gap.strip() or not self.free(
                    w.start(), w.end()
                ):
                    break
                name.insert(0, w)
            if name:
                a = name[0].start()
                self.add(Claim(a, m.end(), "pathway", "pathways.name", self.view[a:m.end()],
                               s.section, notes={"loose": True}))

    # --- the protein atlas ---------------------------------------------------------------------
    def atlas(self) -> None:
        """The atlas section's names and clusters: the gene's own atlas names as written, the
        atlas's other class, category and location names (checked against the gene's), and
        "cluster N" with the atlas named after it ("cluster 13 of the blood atlas"). Its
        cluster descriptions name tissues, cells and cancers of the atlas, not GTEx tissues
        or HPO diseases: the later passes leave this section's remaining words alone."""
        if "protein_atlas" in self.unsourced:
            return
        names = {n: (k,) for n, k in self.ix.atlas_names}
        for name, keys in lx.ATLAS_VOCABULARY.items():
            names.setdefault(name, keys)
        patterns = [(_atlas_pattern(n), n, keys)
                    for n, keys in sorted(names.items(), key=lambda kv: -len(kv[0]))]
        view = self.view
        for s in self.page.sentences:
            if s.section != "protein_atlas":
                continue
            clusters = list(lx.ATLAS_CLUSTER.finditer(view, s.start, s.end))
            for i, m in enumerate(clusters):
                if not self.free(m.start(), m.end()):
                    continue
                stop = clusters[i + 1].start() if i + 1 < len(clusters) else s.end
                semicolon = view.find(";", m.end(), stop)
                stop = semicolon if semicolon >= 0 else stop
                word = lx.ATLAS_WORD.search(view, m.end(), stop)
                atlas = lx.ATLAS_NAMES[" ".join(word.group(0).lower().replace("-", " ").split())] \
                    if word else None
                self.add(Claim(m.start(), m.end(), "atlas", "atlas.cluster", int(m.group(1)),
                               s.section, notes={"atlas": atlas}))
            for pattern, name, keys in patterns:
                for m in pattern.finditer(view, s.start, s.end):
                    if self.free(m.start(), m.end()):
                        self.add(Claim(m.start(), m.end(), "atlas", keys[0], m.group(0),
                                       s.section, notes={"keys": keys, "name": name}))

    # --- transcription factors -----------------------------------------------------------------
    def transcription_factors(self) -> None:
        """The TF section's factor symbols (claims on the gene's TF list, linked or not) and
        the names of the databases that report them (source names, not gene symbols)."""
        if "transcription_factors" in self.unsourced:
            return
        tfs = {i.name.upper() for i in self.ix.items("regulation.chipseq_tfs")}
        for s in self.page.sentences:
            if s.section != "transcription_factors":
                continue
            for m in lx.TF_DATABASE_RE.finditer(self.view, s.start, s.end):
                if self.free(m.start(), m.end()):
                    self.take(m.start(), m.end())
            for m in lx.SYMBOL_TOKEN.finditer(self.view, s.start, s.end):
                if self.free(m.start(), m.end()) and m.group(0).upper() in tfs:
                    self.add(Claim(m.start(), m.end(), "transcription_factor", "regulation.tf",
                                   m.group(0), s.section))

    # --- Perturb-seq transcription factors -----------------------------------------------------
    def perturbation(self) -> None:
        """The Perturb-seq paragraph: the screen's names (taken), each TF knockdown named (a
        claim on the gene's list) with the direction word, the z and the changed-gene count
        after it up to the next TF (claims on that TF's values), and before the first TF the
        number of knockdowns and the threshold."""
        if "perturbation" in self.unsourced:
            return
        tfs = {i.name.upper() for i in self.ix.items("perturbation.tf_knockdowns")}
        view = self.view
        for s in self.page.sentences:
            if s.section != "perturbation":
                continue
            for m in lx.PERTURB_PAPER_YEAR.finditer(view, s.start, s.end):
                if self.free(m.start(1), m.end(1)):
                    self.add(Claim(m.start(1), m.end(1), "perturbation_year", "source.version",
                                   m.group(1), s.section))
            for m in lx.PERTURB_NAMES.finditer(view, s.start, s.end):
                if self.free(m.start(), m.end()):
                    self.take(m.start(), m.end())
            named = [m for m in lx.SYMBOL_TOKEN.finditer(view, s.start, s.end)
                     if self.free(m.start(), m.end()) and m.group(0).upper() in tfs]
            for i, m in enumerate(named):
                self.add(Claim(m.start(), m.end(), "perturbation_tf", "perturbation.tf",
                               m.group(0), s.section))
                stop = named[i + 1].start() if i + 1 < len(named) else s.end
                self._knockdown(m.group(0), m.end(), stop, s.section)
            for a, b, w in self._written_numbers(s.start, named[0].start() if named else s.end):
                if not self.free(a, b) or w.words and not lx.PERTURB_COUNT_AFTER.match(view, b):
                    continue
                if lx.PERTURB_COUNT_AFTER.match(view, b):
                    qualifier, q_len = qualifier_before(view[max(s.start, a - 30):a])
                    self.add(Claim(a - q_len, b, "count", "perturbation.tf_knockdown_count",
                                   w.text, s.section, written=w.qualified(qualifier)))
                elif lx.PERTURB_THRESHOLD_BEFORE.search(view[max(s.start, a - 20):a]):
                    # "at least 0.5": the threshold itself, not a bound on it
                    self.add(Claim(a, b, "score", "perturbation.threshold", w.text, s.section,
                                   written=w))

    def _knockdown(self, tf: str, start: int, stop: int, section: str) -> None:
        view = self.view
        m = lx.PERTURB_DIRECTION.search(view, start, stop)
        if m is not None and self.free(m.start(), m.end()):
            self.add(Claim(m.start(), m.end(), "perturbation_direction", "perturbation.z",
                           -1 if m.group("down") else 1, section, notes={"tf": tf}))
        sized = False
        for a, b, w in self._written_numbers(start, stop):
            if not self.free(a, b) or w.words:
                continue
            if lx.PERTURB_GENES_AFTER.match(view, b):
                self.add(Claim(a, b, "perturbation_de", "perturbation.de_count", w.text,
                               section, written=w, notes={"tf": tf}))
            elif not sized:
                sized = True
                signed = lx.PERTURB_Z_BEFORE.search(view[max(start, a - 12):a]) is not None
                self.add(Claim(a, b, "perturbation_z", "perturbation.z", w.text, section,
                               written=w, notes={"tf": tf, "signed": signed}))

    # --- GWAS traits ---------------------------------------------------------------------------
    def gwas_traits(self) -> None:
        """The gene's GWAS traits and categories named without a link ("platelet count"), so
        the counts and p-values after them are checked against the right trait."""
        names = sorted({i.name for i in self.ix.gwas_items}, key=len, reverse=True)
        if not names:
            return
        pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names)
                             + r")(?![\w-])", re.I)
        for s in self.page.sentences:
            if s.section in ("notes", "pathways"):
                continue
            for m in pattern.finditer(self.view, s.start, s.end):
                if self.free(m.start(), m.end()):
                    self.add(Claim(m.start(), m.end(), "trait", "disease.trait", m.group(0),
                                   s.section))

    # --- diseases ------------------------------------------------------------------------------
    def diseases(self) -> None:
        """Disease names in prose: the fact store's HPO names, longest first, then names the
        list lacks by their head word ("Wilson disease", "thalassemia")."""
        for s in self.page.sentences:
            if s.section in ("notes", "pathways") or self._atlas_words(s):
                continue  # a pathway's name may hold a disease's ("Alzheimer's disease")
            for m in self.disease_names.find(self.view, s.start, s.end):
                if self.free(m.start, m.end) and not lx.DISEASE_NOT_AFTER.match(self.view, m.end):
                    self.add(Claim(m.start, m.end, "disease", "disease.name",
                                   self.view[m.start:m.end], s.section, notes={"listed": m.form}))
            for m in lx.DISEASE_HEAD.finditer(self.view, s.start, s.end):
                self._disease_by_head(s, m)

    def _disease_by_head(self, s: Sentence, m: re.Match[str]) -> None:
        view = self.view
        if not self.free(m.start(), m.end()) or m.group(0).lower() in lx.NOT_DISEASE_WORDS:
            return
        if lx.DISEASE_HEAD_MODIFIES.match(view, m.end()) or lx.DISEASE_NOT_AFTER.match(
                view, m.end()):
            return  # "disease associations", "cancer-related", "leukemia cells"
        head = m.start()  # "beta-thalassemia": the compound is the head
        while head > s.start and (view[head - 1] in "-\u2010\u2011" or (
                view[head - 1].isalnum() and head < m.start())):
            head -= 1
        if re.fullmatch(r"(?:non|anti|pre|pro|post)[-\u2010\u2011]", view[head:m.start()], re.I):
            return  # "non-cancer"
        if not self.free(head, m.start()):
            return
        words: list[re.Match[str]] = []
        for w in reversed(list(DISEASE_WORD_RE.finditer(view, s.start, head))[-5:]):
            gap = view[w.end() : (words[0].start() if words else head)]
            word = w.group(0).lower()
            if (gap.strip(" ") or word in lx.DISEASE_STOP or not self.free(w.start(), w.end())
                    or word.upper() in self.ix.all_names or lx.SYMBOL_SHAPE.fullmatch(w.group(0))
                    or re.search(r"-(?:related|associated|linked|mediated|induced)$", word)):
                break
            words.insert(0, w)
        while words and (words[0].group(0).lower() in lx.DISEASE_GENERIC
                         or words[0].group(0)[0].isdigit()):
            words.pop(0)
        if m.group("general") and not words and head == m.start():
            return  # "a rare disease", "these disorders": no disease is named
        start = words[0].start() if words else head
        end = m.end()
        tail = DISEASE_TAIL_RE.match(view, end)  # "Alzheimer disease 2", "..., type 1"
        if tail and self.free(end, tail.end()):
            end = tail.end()
        self.add(Claim(start, end, "disease", "disease.name", view[start:end], s.section))

    # --- phenotypes, drugs and citations: things no fact sheet holds -------------------------
    def named_terms(self) -> None:
        """HPO phenotype and drug names in prose (``writer.check.namedterms``)."""
        for s in self.page.sentences:  # every section: linked names were claimed before
            for kind in ("phenotype", "drug"):
                for m in self.terms.of(kind).find(self.view, s.start, s.end):
                    if self.free(m.start, m.end):
                        entry = self.terms.of(kind).entries(m.form)[0]
                        self.add(Claim(m.start, m.end, kind, f"{kind}.name",
                                       self.view[m.start:m.end], s.section,
                                       notes={"id": entry.disease_id, "name": entry.name}))

    def citations(self) -> None:
        """A paper cited by its journal, its authors or a quoted title ("in Science in 1989",
        "Riordan et al.", "(“Identification of the cystic fibrosis gene”)")."""
        for s in self.page.sentences:
            for m in lx.CITATION.finditer(self.view, s.start, s.end):
                if self.free(m.start(), m.end()):
                    self.add(Claim(m.start(), m.end(), "paper", "publications.citation",
                                   m.group(0), s.section,
                                   notes={"title": m.group("title")} if m.group("title")
                                   else {}))

    # --- symbols -------------------------------------------------------------------------------
    def symbols(self) -> None:
        for block in self.page.blocks:
            if block.kind in ("paragraph", "heading", "table") and block.section != "checks":
                self._symbols_in(block.start, block.end, block.section)

    def _symbols_in(self, start: int, end: int, section: str) -> None:
        source = self.view if section != "front_matter" else self.text
        for m in lx.SYMBOL_TOKEN.finditer(source, start, end):
            tok = m.group(0)
            if not self.free(m.start(), m.end()):
                continue
            if TRANSCRIPT_NAME_RE.fullmatch(tok):
                self.add(Claim(m.start(), m.end(), "identifier", "structure.transcript_name",
                               tok, section))
                continue
            if not lx.SYMBOL_SHAPE.fullmatch(tok) or len(tok) < 2:
                continue
            if tok.upper() in lx.NOT_SYMBOLS or lx.ROMAN.fullmatch(tok):
                continue
            self.add(Claim(m.start(), m.end(), "gene_symbol", "identity.symbol", tok, section))

    # --- p-values ------------------------------------------------------------------------------
    def p_values(self) -> None:
        """P-values in scientific notation: the mantissa as written, scaled by the exponent,
        so the one rounding rule (``numbers.matches``) checks them; "p <" is a bound."""
        for s in self.page.sentences:
            for m in P_VALUE_RE.finditer(self.view, s.start, s.end):
                if not self.free(m.start(), m.end()):
                    continue
                mantissa = m.group("m")
                exponent = int(re.sub("[\u2212\u2013]", "-", m.group("e1") or m.group("e2")))
                decimals = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
                written = Written(m.group(0), Decimal(mantissa), decimals)
                before = self.view[max(s.start, m.start() - 30) : m.start()]
                qualifier, q_len = qualifier_before(before)
                if qualifier is None:
                    bound = re.search(r"(?:<|\u2264|&lt;)\s*$", before)
                    if bound:
                        qualifier = "at_most" if "\u2264" in bound.group(0) else "under"
                        q_len = len(bound.group(0))
                self.add(Claim(m.start() - q_len, m.end(), "p_value", "disease.p_value",
                               m.group(0), s.section, written=written.qualified(qualifier),
                               factor=Decimal(10) ** -exponent))

    # --- numbers -------------------------------------------------------------------------------
    def numbers(self) -> None:
        units = [(s.start, s.end, s.section) for s in self.page.sentences]
        for block in self.page.blocks:
            if block.kind == "heading" or (block.kind == "table" and block.section != "checks"):
                units.append((block.start, block.end, block.section))
        for start, end, section in units:
            self._numbers_in(start, end, section)

    def _clauses(self, start: int, end: int) -> list[tuple[int, int]]:
        masked = self._masked(start, end)
        depth = 0
        cuts = [0]
        for m in re.finditer(r"[(),;]|\s(?:and|with|while|whereas|but)\s", masked):
            tok = m.group(0)
            if tok == "(":
                depth += 1
            elif tok == ")":
                depth = max(0, depth - 1)
            elif depth == 0:
                cuts.append(m.start() + (0 if tok in ",;" else 1))
        cuts.append(len(masked))
        return [(start + a, start + b) for a, b in zip(cuts, cuts[1:], strict=False)]

    def _cues(self, start: int, end: int) -> list[tuple[int, int, str]]:
        if self._page_cues is None:
            self._page_cues = lx.find_cues(self.view)
            self._cue_starts = [c[0] for c in self._page_cues]
        lo = bisect_left(self._cue_starts, start)
        hi = bisect_left(self._cue_starts, end)
        return [c for c in self._page_cues[lo:hi] if c[1] <= end and self.free(c[0], c[1])]

    def _numbers_in(self, start: int, end: int, section: str) -> None:
        view = self.view
        cues = self._cues(start, end)
        clauses = self._clauses(start, end)
        unit_text = view[start:end]
        respectively = re.search(r"\brespectively\b", unit_text, re.I) is not None
        values: list[Claim] = []  # value claims of this unit, in order
        pending_respectively: list[Claim] = []
        for s, e, w in self._written_numbers(start, end):
            if not self.free(s, e):
                continue
            before = view[max(start, s - 60) : s]
            after_pos = e
            near = before[-30:]
            qualifier, q_len = qualifier_before(near)
            if lx.GRAMMAR_BEFORE_RE.search(near) or any(
                pat.match(view, after_pos) for pat, _ in lx.GRAMMAR_AFTER
            ):
                continue  # a number of the sentence's grammar (top 5, set at 1.0, middle 50%)
            w = w.qualified(qualifier)
            q_start = s - q_len  # a claim with a quantifier starts at it ("over 4,000 ...")
            if w.words and not self._words_state_a_fact(w, view, after_pos, s, e, cues,
                                                         clauses):
                continue  # "one of", "two aspects": English, not a claim
            if lx.PH_BEFORE.search(near):
                self.add(Claim(s, e, "protein_property", "protein.charge_ph7.ph",
                               w.text, section, written=w))
                continue
            if lx.SOURCE_BEFORE.search(before):
                self.add(Claim(s, e, "source", "source.version", w.text, section,
                               written=w, notes={"before": before}))
                continue
            pm = lx.PERCENTILE_AFTER.match(view, after_pos)
            if pm or lx.PERCENTILE_BEFORE.search(before):
                of = values[-1].key if values else self._cue_for(s, e, cues, clauses)
                # a cue between the value and the percentile names what it ranks: "both
                # 1,336 base pairs long (gene length 22.36th percentile, primary ...)"
                named = [c for c in cues if (values[-1].end if values else start) <= c[0]
                         and c[1] <= s and s - c[1] <= 3]
                if named:
                    of = named[-1][2]
                end_pos = e + (pm.end() - after_pos if pm else 0)
                self.add(Claim(q_start, end_pos, "percentile", "percentile", w.text, section,
                               written=w, of=of))
                continue
            unit = lx.unit_after(view, after_pos)
            is_percent = view.startswith("%", after_pos)
            noun_key = next((k for pat, k in lx.COUNT_NOUNS if pat.match(view, after_pos)), None)
            if (
                not w.words and w.decimals == 0 and "," not in w.text
                and 1800 <= w.value <= 2100
                and unit is None and not is_percent and noun_key is None
            ):
                self._year(s, e, w, before, section)
                continue
            if (
                lx.POPULATION_BEFORE.search(before) and lx.POPULATION_AFTER.match(view, after_pos)
                and noun_key is None and unit is None
            ):
                self.add(Claim(s, e, "population", "percentile.population",
                               w.text, section, written=w))
                continue
            cue = self._cue_for(s, e, cues, clauses)
            claim = Claim(q_start, e, "number", None, w.text, section, written=w)
            if unit is not None:
                claim.end = unit.end
                claim.unit = unit.text
                self._with_unit(claim, unit, cue)
            elif is_percent:
                claim.end = after_pos + 1
                claim.unit = "%"
                key = cue
                if key in lx.FRACTION_KEYS:
                    claim.key = key
                elif key is not None and key != "expression.tpm":
                    claim.key = key
                    claim.status = "contradicted"
                    claim.kind = "unit"
                    claim.reason = (f"a percentage where the {self.ix.label(key)} is meant; "
                                    f"it is not a fraction")
            elif noun_key is not None:
                claim.key = noun_key
                noun = next(pat.match(view, after_pos) for pat, k in lx.COUNT_NOUNS
                            if k == noun_key)
                claim.end = noun.end() if noun else claim.end
            else:
                claim.key = cue
            if claim.kind == "number":
                claim.kind = lx.key_kind(claim.key)
            spec = _spec(section)
            if spec and spec.number_key and claim.key in (None, "literature.publication_count"):
                claim.key = spec.number_key  # a bare number in the top papers is an RCR
                claim.kind = lx.key_kind(claim.key)
            self.add(claim)
            values.append(claim)
            if respectively and claim.status is None:  # "1,336, 410 and 1,336 base pairs"
                pending_respectively.append(claim)
        if respectively and pending_respectively:
            self._respectively(start, end, cues, pending_respectively)

    def _written_numbers(self, start: int, end: int) -> list[tuple[int, int, Written]]:
        """Every number of ``view[start:end]``, in digits or in words, left to right."""
        found = [(m.start(), m.end(), parse_number(m))
                 for m in NUMBER_RE.finditer(self.view, start, end)]
        found += words_in(self.view, start, end)
        return sorted(found, key=lambda x: x[0])

    def _words_state_a_fact(self, w: Written, view: str, after_pos: int, s: int, e: int,
                            cues: list[tuple[int, int, str]],
                            clauses: list[tuple[int, int]]) -> bool:
        """A number in words is a claim when a unit or a counted noun follows it ("four
        exons"); a fraction in words when a fraction fact is cued in its clause ("a third of
        the residues form helices")."""
        if w.qualifier == "fraction":
            return self._cue_for(s, e, cues, clauses) in lx.FRACTION_KEYS
        return lx.unit_after(view, after_pos) is not None or any(
            pat.match(view, after_pos) for pat, _ in lx.COUNT_NOUNS
        )

    def _respectively(self, start: int, end: int, cues: list[tuple[int, int, str]],
                      values: list[Claim]) -> None:
        first = values[0].start
        seen: list[str] = []  # the cue words before the first value, in order, once each
        for s, _, key in cues:
            if s < first and key not in seen:
                seen.append(key)
        if len(seen) != len(values):
            return
        for claim, key in zip(values, seen, strict=True):
            claim.key = key
            claim.kind = lx.key_kind(key)
        # percentiles of this unit follow their value
        for c in self.within(start, end):
            if c.kind == "percentile":
                prior = [v for v in values if v.start < c.start]
                if prior:
                    c.of = prior[-1].key

    def _cue_for(self, s: int, e: int, cues: list[tuple[int, int, str]],
                 clauses: list[tuple[int, int]]) -> str | None:
        clause = next(((a, b) for a, b in clauses if a <= s < b), None)
        if clause:
            a, b = clause
            before = [c for c in cues if a <= c[0] and c[1] <= s]
            if before:
                return before[-1][2]
            after = [c for c in cues if e <= c[0] < b]
            if after:
                return after[0][2]
        earlier = [c for c in cues if c[1] <= s]
        return earlier[-1][2] if earlier else None

    def _with_unit(self, claim: Claim, unit: lx.Unit, cue: str | None) -> None:
        default = {"mass": "protein.molecular_weight", "residues": "protein.length",
                   "tpm": "expression.tpm"}.get(unit.dimension)
        cue_dim = lx.KEY_DIMENSION.get(cue) if cue else None
        if cue is not None and cue_dim == unit.dimension:
            key = cue
        elif cue is not None and cue_dim != unit.dimension and (
            cue_dim is not None or unit.dimension != "length"
        ) and cue not in ("expression.tpm",):
            claim.key = cue
            claim.kind = "unit"
            claim.status = "contradicted"
            claim.reason = (f"'{unit.text}' measures {unit.dimension}, but the number states "
                            f"the {self.ix.label(cue)}")
            return
        else:
            key = default
        claim.key = key
        if unit.dimension in ("length", "mass") and unit.scale != 1:
            claim.factor = Decimal(1) / Decimal(unit.scale)
        if unit.dimension == "tpm":
            claim.item = self._tissue_before(claim.start)

    def _tissue_before(self, pos: int) -> Claim | None:
        sentence = self.page.sentence_at(pos)
        return next((c for c in reversed(self.within(sentence.start if sentence else 0, pos))
                     if c.kind == "tissue" and c.end <= pos), None)

    def _year(self, s: int, e: int, w: Written, before: str, section: str) -> None:
        tail = before[-40:].lower()
        if re.search(r"earliest|first|oldest|since", tail):
            key = "literature.earliest_year"
        elif re.search(r"between\s+$|between\s+\d{4}\s+(?:and|to)\s+$|\d{4}\s*[-\u2013]\s*$"
                       r"|from\s+$", tail):
            key = "literature.year_range"
        elif re.search(r"releas|version|updated|as of|dated|snapshot", tail) or \
                lx.SOURCE_NAME_RE.search(before[-40:]):
            key = "source.year"
        elif (spec := _spec(section)) and spec.year_key:
            key = spec.year_key
        else:
            key = "literature.year"
        self.add(Claim(s, e, "year" if key != "source.year" else "source", key,
                       w.text, section, written=w, notes={"before": before}))

    # --- interpretations and statements --------------------------------------------------------
    def interpretations(self) -> None:
        for s in self.page.sentences:
            if s.section != "protein":
                continue
            for pattern, key, rule in lx.INTERPRETATIONS:
                for m in pattern.finditer(self.view, s.start, s.end):
                    if self.free(m.start(), m.end()):
                        self.add(Claim(m.start(), m.end(), "interpretation", key, m.group(0),
                                       s.section, notes={"rule": rule}))

    # --- identity, ranks and comparisons -------------------------------------------------------
    def identity_prose(self) -> None:
        """What the text says the gene is ("a small nucleolar RNA gene") and which strand it
        is on: claims about the gene type and the location's strand."""
        for s in self.page.sentences:
            for m in lx.GENE_TYPE_RE.finditer(self.view, s.start, s.end):
                a, b = m.span("type")
                if self.free(a, b):
                    said = next(gtype for pat, gtype in lx.GENE_TYPES
                                if re.fullmatch(pat, m.group("type"), re.I))
                    self.add(Claim(a, b, "identity", "identity.gene_type", said, s.section,
                                   notes={"text": m.group("type")}))
            for m in lx.STRAND_RE.finditer(self.view, s.start, s.end):
                if self.free(m.start(), m.end()):
                    sign = lx.STRAND_SIGN[m.group("strand").lower()]
                    self.add(Claim(m.start(), m.end(), "identity", "identity.strand", sign,
                                   s.section, notes={"text": m.group(0)}))

    def gene_names(self) -> None:
        """Full names of genes written out ("lymphotoxin alpha"): this gene's traces, another
        gene's is a claim the sheet cannot support."""
        names = self.ix.gene_names
        if not names.by_words:
            return
        for s in self.page.sentences:
            for a, b, symbol, gene_id, name in names.find(self.view, s.start, s.end):
                if self.free(a, b):
                    self.add(Claim(a, b, "identity", "identity.name", name, s.section,
                                   notes={"symbol": symbol, "gene_id": gene_id,
                                          "text": self.view[a:b]}))

    def ranks(self) -> None:
        """Words that place a value in its population ("among the shortest", "in the top
        10%", "one of the most hydrophilic"): checked against the fact's percentile."""
        for s in self.page.sentences:
            cues = self._cues(s.start, s.end)
            clauses = self._clauses(s.start, s.end)
            for pattern, band in lx.PERCENTILE_BANDS:
                for m in pattern.finditer(self.view, s.start, s.end):
                    if not self.free(m.start(), m.end()):
                        continue
                    tail = self.view[m.end() : min(s.end, m.end() + 40)]
                    key = next((k for pat, k in lx.RANK_SUBJECTS
                                if pat.match(tail.lstrip()) or pat.search(m.group(0))), None)
                    key = key or self._cue_for(m.start(), m.end(), cues, clauses)
                    sentence = self.view[s.start : s.end]
                    key = key or next((k for pat, k in lx.RANK_NOUNS if pat.search(sentence)),
                                      None)
                    if key is None or catalog.fact(key) is None:
                        continue  # "among the highest" of nothing the sheet ranks
                    n = float(m.group("n")) if "n" in pattern.groupindex else None
                    # "the most hydrophilic" is the low end of GRAVY: flip the band
                    words = m.group(0) + " " + tail[:20]
                    if band == "high" and lx.LOW_END.search(words) and key in (
                        "protein.gravy", "protein.isoelectric_point",
                        "protein.instability_index", "protein.flexibility_median",
                    ):
                        band = "low"
                    self.add(Claim(m.start(), m.end(), "rank", key, m.group(0), s.section,
                                   notes={"band": band, "n": n}))

    def comparisons(self) -> None:
        """"The gene is shorter than its primary transcript": two facts compared."""
        for s in self.page.sentences:
            for m in lx.COMPARISON_RE.finditer(self.view, s.start, s.end):
                if not self.free(m.start("op"), m.end()):
                    continue
                a = lx.COMPARED[m.group("a").lower()]
                b = lx.COMPARED[m.group("b").lower()]
                if a == b:
                    continue
                self.add(Claim(m.start(), m.end(), "comparison", a, m.group(0), s.section,
                               notes={"op": m.group("op").lower(), "other": b}))

    def expression_ranks(self) -> None:
        """"Highest in the kidney": the tissues a superlative governs must lead the ranking,
        in their number, and be expressed at all."""
        for s in self.page.sentences:
            for m in lx.EXPRESSION_SUPERLATIVE.finditer(self.view, s.start, s.end):
                stop = lx.EXPRESSION_SUPERLATIVE_STOP.search(self.view, m.end(), s.end)
                end = stop.start() if stop else s.end
                tissues = [c for c in self.within(m.end(), end) if c.kind == "tissue"]
                if tissues:
                    key = BIOGPS_KEY if s.block in self._biogps_blocks \
                        else "expression.top_tissues"
                    self.add(Claim(m.start(), m.end(), "rank", key,
                                   m.group(0), s.section, notes={"tissues": tissues}),
                             consume=False)

    def statements(self) -> None:
        for s in self.page.sentences:
            if s.section in self.unsourced:
                self.add(Claim(s.start, s.end, "statement", f"section.{s.section}",
                               self.text[s.start:s.end], s.section), consume=False)
            elif (
                s.section == "pathways"
                and re.search(r"pathway", self.view[s.start:s.end], re.I)
                and not self.within(s.start, s.end)
            ):
                self.add(Claim(s.start, s.end, "pathway", "pathways.statement",
                               self.text[s.start:s.end], s.section), consume=False)


# a sentence that reports the atlas's own fields; another sentence of the atlas paragraph
# ("it is most highly expressed in the kidney") is read like any other
ATLAS_SENTENCE = re.compile(r"\b(?:clusters?|atlas|specificity|specific|enriched|enhanced"
                            r"|detected|distribution|evidence|protein class|location)\b", re.I)


def _atlas_pattern(name: str) -> re.Pattern[str]:
    """An atlas name as prose may write it: any case, " - " or "&" spelled loosely, a plural
    s optional ("enzyme" for "Enzymes")."""
    parts = []
    tokens = [t for t in re.split(r"(\s+-\s+|\s*&\s*|\s+)", name.strip()) if t]
    for i, token in enumerate(tokens):
        if token.strip() == "-":
            parts.append(r"\s*[-\u2013\u2014]\s*")
        elif token.strip() == "&":
            parts.append(r"\s*(?:&|and)\s*")
        elif not token.strip():
            parts.append(r"\s+")
        elif i == len(tokens) - 1 and len(token) > 3:
            parts.append(re.escape(token.removesuffix("s")) + "s?")
        else:
            parts.append(re.escape(token))
    return re.compile(r"(?<![\w-])" + "".join(parts) + r"(?![\w-])", re.I)


def extract(page: Page, index: SheetIndex, diseases: NameList = EMPTY,
            terms: NamedTerms = NONE) -> list[Claim]:
    return Extractor(page, index, diseases, terms).run()
