"""The words the claim extractor reads numbers and names by: quantity cues, units, grammar
rules, and the abbreviations that are not gene symbols.

What each fact key is called, its kind, dimension, cue words and count nouns come from the
catalogue (``writer/catalog.toml``); the rules here are about English.

Everything here is a rule about English and about the databases, never a string taken
from a particular page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from writer import catalog

# --- what a number can be about (from the catalogue, writer/catalog.toml) ---------------------
# A fact key's kind names a finding about it; its dimension is what a unit beside it must
# measure; fraction keys are written as percentages or fractions.
key_kind = catalog.key_kind
KEY_DIMENSION: dict[str, str] = {f.key: f.dimension for f in catalog.facts() if f.dimension}
FRACTION_KEYS = frozenset(k for k, d in KEY_DIMENSION.items() if d == "fraction")


@dataclass(frozen=True)
class Unit:
    text: str
    dimension: str  # length, mass, residues, tpm
    scale: int  # the unit in the key's base unit (bp, Da)
    end: int  # where the unit ends in the view


_UNITS: tuple[tuple[str, str, int], ...] = (
    (r"base[- ]pairs?|bp|nucleotides?|nt", "length", 1),
    (r"kilo-?bases?(?: pairs?)?|kbp?", "length", 1_000),
    (r"mega-?bases?(?: pairs?)?|Mbp?", "length", 1_000_000),
    (r"kDa|kilo-?daltons?", "mass", 1_000),
    (r"Da|daltons?", "mass", 1),
    (r"amino[- ]acids?|residues?|aa", "residues", 1),
    (r"TPM|transcripts per million", "tpm", 1),
)
UNIT_RE = re.compile(  # "46 kb", "46kb", and in compounds: "a 147-residue protein"
    r"(?:\s|-)?(?:" + "|".join(f"(?P<u{i}>{p})" for i, (p, _, _) in enumerate(_UNITS))
    + r")(?![\w])"
)


def unit_after(view: str, pos: int) -> Unit | None:
    """The unit written right after a number ending at ``pos`` (one optional space)."""
    m = UNIT_RE.match(view, pos)
    if not m:
        return None
    for i, (_, dim, scale) in enumerate(_UNITS):
        if m.group(f"u{i}"):
            return Unit(m.group(0).strip(), dim, scale, m.end())
    return None


# Percentiles: "99.66% of all genes", "69.82nd percentile", "91.8% percentile".
PERCENTILE_AFTER = re.compile(
    r"(?:st|nd|rd|th)?\s*%?\s*(?:st|nd|rd|th)?\s*(?:percentile|centile)"
    r"|\s*%\s+of\s+(?:all\s+)?(?:[\w-]+\s+){0,3}?(?:genes|proteins|transcripts|human genes)\b",
    re.IGNORECASE,
)
PERCENTILE_BEFORE = re.compile(r"percentile(?: rank)?(?: of| is| at)?\s*$", re.IGNORECASE)

# Nouns that say what a bare count counts ("386 publications").
COUNT_NOUNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(f.counts.pattern, re.I), f.key) for f in catalog.facts() if f.counts is not None
)
POPULATION_BEFORE = re.compile(r"\b(?:among|of|over|across|out of)\s+(?:all\s+)?$", re.I)
POPULATION_AFTER = re.compile(
    r"\s+(?:[\w-]+\s+){0,3}?(?:genes|proteins|sequences|transcripts)\b", re.I
)

# Cues: the words that say which quantity a nearby number states, as lower-case word
# sequences (punctuation between words is ignored; the catalogue's ``cues``). The longest cue
# at a position wins.
_CUES: dict[str, tuple[str, ...]] = {f.key: f.cues for f in catalog.facts() if f.cues}
_CUE_INDEX: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _key, _phrases in _CUES.items():
    for _phrase in _phrases:
        _words = tuple(_phrase.split())
        _CUE_INDEX.setdefault(_words[0], []).append((_words, _key))
for _entries in _CUE_INDEX.values():
    _entries.sort(key=lambda e: -len(e[0]))
WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")


def find_cues(view: str) -> list[tuple[int, int, str]]:
    """Every cue in ``view``: (start, end, fact key), left to right."""
    words = [(m.start(), m.end(), m.group(0).lower()) for m in WORD_RE.finditer(view)]
    out = []
    i = 0
    while i < len(words):
        entries = _CUE_INDEX.get(words[i][2])
        if entries:
            for phrase, key in entries:
                n = len(phrase)
                if tuple(w[2] for w in words[i : i + n]) == phrase:
                    out.append((words[i][0], words[i + n - 1][1], key))
                    i += n - 1
                    break
        i += 1
    return out


# --- numbers that belong to the sentence's grammar -------------------------------------------
# (pattern ending right before the number, pattern starting right after it, rule name)
GRAMMAR_BEFORE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\btop\s+$", re.I), "a ranking size (top N)"),
    (re.compile(r"\b(?:set|fixed|normali[sz]ed|benchmarked|scaled)\s+(?:at|to)\s+$", re.I),
     "a definition (set at N)"),
    (re.compile(r"\bmiddle\s+$", re.I), "a definition (middle N%)"),
    # a threshold in a definition ("values above 40", "if the index is below 40"); a bound on a
    # fact ("over 4,000 publications") is a claim about a range (writer.check.numbers)
    (re.compile(r"\b(?:values?|scores?|index|indices|proteins?|genes?|those|ones|anything"
                r"|threshold|cut-?off)\s+(?:of\s+)?(?:above|below|over|under|greater than"
                r"|less than|exceeding)\s+$", re.I), "a threshold"),
    (re.compile(r"\b(?:threshold|cut-?off)\s+(?:of|at)\s+$", re.I), "a threshold"),
    (re.compile(r"\b(?:if|when|whenever|where)\s+(?:\w+\s+){0,4}?(?:is\s+|are\s+)?"
                r"(?:above|below|over|under|greater than|less than|exceeding)\s+$", re.I),
     "a threshold"),
    (re.compile(r"\b(?:Figure|Fig\.|Table|step|version|v\.?|release|build|GRCh|hg)\s*$", re.I),
     "a reference or version"),
)
GRAMMAR_BEFORE_RE = re.compile("|".join(f"(?:{pat.pattern})" for pat, _ in GRAMMAR_BEFORE), re.I)
# "at pH 7.0": the condition a value is computed at, checked against the fact's definition
PH_BEFORE = re.compile(r"\bpH\s*$")
GRAMMAR_AFTER: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?:st|nd|rd|th)?\s+and\s+\d+(?:st|nd|rd|th)\s+percentiles", re.I),
     "a definition (quartiles)"),
)

# Interpretations of a value, with the fact they read and the rule that decides them.
INTERPRETATIONS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"\bhydrophobic\b", re.I), "protein.gravy", "positive"),
    (re.compile(r"\bhydrophilic\b", re.I), "protein.gravy", "negative"),
    (re.compile(r"\bunstable\b|\bhigh instability\b|\binstability\b(?= of the protein)", re.I),
     "protein.instability_index", "above40"),
    (re.compile(r"(?<!un)\bstable\b", re.I), "protein.instability_index", "atmost40"),
    (re.compile(r"\bacidic\b", re.I), "protein.isoelectric_point", "below7"),
    (re.compile(r"\bbasic\b", re.I), "protein.isoelectric_point", "above7"),
    (re.compile(r"\bpositively charged\b|\b(?:net )?positive (?:net )?charge\b", re.I),
     "protein.charge_ph7", "positive"),
    (re.compile(r"\bnegatively charged\b|\b(?:net )?negative (?:net )?charge\b", re.I),
     "protein.charge_ph7", "negative"),
)
INTERPRETATION_RULES: dict[str, tuple[str, object]] = {
    "positive": ("a value above 0", lambda v: v > 0),
    "negative": ("a value below 0", lambda v: v < 0),
    "above40": ("an instability index above 40 (Guruprasad et al. 1990)", lambda v: v > 40),
    "atmost40": ("an instability index of 40 or less (Guruprasad et al. 1990)", lambda v: v <= 40),
    "below7": ("an isoelectric point below 7", lambda v: v < 7),
    "above7": ("an isoelectric point above 7", lambda v: v > 7),
}

# --- identity in prose ---------------------------------------------------------------------
# What a page may say the gene is, and the gene type (org.Hs.eg.db / NCBI) each phrase means.
GENE_TYPES: tuple[tuple[str, str], ...] = (
    (r"protein[- ]coding(?: gene)?", "protein-coding"),
    (r"(?:long )?non[- ]?coding RNA(?: gene)?|lncRNA|lincRNA|ncRNA|microRNA|miRNA", "ncRNA"),
    (r"small nucleolar RNA|snoRNA", "snoRNA"),
    (r"small nuclear RNA|snRNA", "snRNA"),
    (r"transfer RNA|tRNA", "tRNA"),
    (r"ribosomal RNA|rRNA", "rRNA"),
    (r"(?:processed |unprocessed )?pseudogene", "pseudo"),
)
GENE_TYPE_RE = re.compile(
    r"\b(?:is|as|encodes|represents|being|was)\s+(?:a|an)\s+(?:[\w-]+\s+)?(?P<type>"
    + "|".join(f"(?:{p})" for p, _ in GENE_TYPES) + r")\b",
    re.IGNORECASE,
)
STRAND_RE = re.compile(
    r"\b(?:on|to|from)\s+the\s+(?P<strand>minus|plus|reverse|forward|negative|positive|sense"
    r"|antisense|[+\-\u2212])\s*(?:\(\s*[+\-\u2212]\s*\)\s*)?strand\b",
    re.IGNORECASE,
)
STRAND_SIGN = {"minus": "-", "reverse": "-", "negative": "-", "antisense": "-", "-": "-",
               "\u2212": "-", "plus": "+", "forward": "+", "positive": "+", "sense": "+",
               "+": "+"}

# --- rank, order and comparison ------------------------------------------------------------
# Words that place a value in its population, defined once: (pattern, band). A band is checked
# against the fact's percentile: low < 10, high > 90, below_median < 50, above_median > 50,
# middle 25..75; "top N%" > 100 - N, "bottom N%" < N.
PERCENTILE_BANDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), band)
    for pattern, band in (
        (r"\b(?:in|among|within) the top (?P<n>\d{1,2}(?:\.\d+)?) ?(?:%|percent)", "top_n"),
        (r"\b(?:in|among|within) the bottom (?P<n>\d{1,2}(?:\.\d+)?) ?(?:%|percent)",
         "bottom_n"),
        (r"\b(?:among|one of) the (?:very )?(?:shortest|smallest|lightest|lowest|least)\b"
         r"|\b(?:exceptionally|unusually|extremely|remarkably|very) (?:short|small|low)\b",
         "low"),
        (r"\b(?:among|one of) the (?:very )?(?:longest|largest|heaviest|highest|biggest|most)\b"
         r"|\b(?:exceptionally|unusually|extremely|remarkably|very) (?:long|large|high)\b",
         "high"),
        (r"\b(?:shorter|smaller|lighter|lower) than (?:most|average|the average|usual|typical)"
         r"|\bbelow (?:average|the median)\b", "below_median"),
        (r"\b(?:longer|larger|heavier|higher|bigger) than (?:most|average|the average|usual"
         r"|typical)|\babove (?:average|the median)\b", "above_median"),
        (r"\b(?:of )?(?:typical|average|median|moderate|medium)[- ]"
         r"(?:length|size|sized|weight)\b", "middle"),
    )
)
BAND_RULES: dict[str, tuple[str, object]] = {
    "low": ("a percentile below 10", lambda p, n: p < 10),
    "high": ("a percentile above 90", lambda p, n: p > 90),
    "below_median": ("a percentile below 50", lambda p, n: p < 50),
    "above_median": ("a percentile above 50", lambda p, n: p > 50),
    "middle": ("a percentile between 25 and 75", lambda p, n: 25 <= p <= 75),
    "top_n": ("a percentile above 100 - N", lambda p, n: p >= 100 - n),
    "bottom_n": ("a percentile below N", lambda p, n: p <= n),
}
# The fact a rank word is about when no cue word in its clause names one: (pattern, key).
RANK_SUBJECTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), key)
    for pattern, key in (
        (r"hydrophilic|hydrophobic", "protein.gravy"),
        (r"acidic|basic", "protein.isoelectric_point"),
        (r"\bstable|\bunstable", "protein.instability_index"),
        (r"flexible|rigid", "protein.flexibility_median"),
        (r"heav|light|massive", "protein.molecular_weight"),
    )
)
# Failing an adjective and a cue word, the noun of the sentence says which length is ranked.
RANK_NOUNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), key)
    for pattern, key in (
        (r"\bproteins?\b", "protein.length"),
        (r"\btranscripts?\b|\bmRNAs?\b", "structure.mature_length"),
        (r"\bgenes?\b", "structure.gene_length"),
    )
)
# Which way a rank adjective points, for the facts where "most X" means a low value.
LOW_END = re.compile(r"hydrophilic|acidic|\bstable|rigid|light|short|small|low|least", re.I)
# "the gene is shorter than its primary transcript": comparisons between two facts.
COMPARED = {
    "gene": "structure.gene_length", "gene length": "structure.gene_length",
    "primary transcript": "structure.primary_transcript_length",
    "pre-mrna": "structure.primary_transcript_length",
    "mature transcript": "structure.mature_length",
    "spliced transcript": "structure.mature_length",
    "mature mrna": "structure.mature_length", "mrna": "structure.mature_length",
    "transcript": "structure.mature_length",
}
_COMPARED_ALT = "|".join(sorted((re.escape(k) for k in COMPARED), key=len, reverse=True))
COMPARISON_RE = re.compile(
    rf"\b(?:the |its )?(?P<a>{_COMPARED_ALT})\b[^.;]{{0,40}}?\b(?P<op>shorter|longer|smaller"
    rf"|larger) than (?:its |the |their )?(?P<b>{_COMPARED_ALT})\b",
    re.IGNORECASE,
)
# Superlatives about where a gene is expressed: the tissues after one must lead the ranking.
# where the tissues a superlative governs end: those after are the ones that follow
EXPRESSION_SUPERLATIVE_STOP = re.compile(
    r",?\s+(?:followed by|ahead of|then|before|over|above|rather than|more than in|than"
    r"|and (?:is |are )?also|while|whereas)\b",
    re.IGNORECASE)
EXPRESSION_SUPERLATIVE = re.compile(
    r"\b(?:highest|strongest|greatest|peak|maximal|most (?:highly |strongly |abundantly )?"
    r"(?:expressed|abundant)|expressed (?:the )?most (?:highly|strongly|abundantly)"
    r"|predominantly|primarily|mainly|chiefly|mostly|ranks? first"
    r"|top tissues?)\b",
    re.IGNORECASE,
)

# --- names -----------------------------------------------------------------------------------
# Upper-case tokens that are words, abbreviations, units or database names, not gene symbols.
NOT_SYMBOLS = frozenset("""
A AN AND ARE AS AT BE BUT BY FOR FROM IN IS IT NO NOT OF ON OR THE TO WITH NOTE SEE ALSO ALL DNA
RNA MRNA CDNA CDS UTR ORF NCRNA LNCRNA MIRNA SIRNA SHRNA RRNA TRNA SNRNA SNORNA PIRNA RNAI ATP
ADP AMP GTP GDP GMP CTP CDP UTP UDP TTP DTTP NAD NADH NADP NADPH FAD FADH COA ROS CAMP CGMP ID
IDS GO GOA HGNC NCBI NIH NLM EBI EMBL ENSEMBL GENCODE MANE UCSC OMIM HPA GTEX GTRD GWAS EFO PMID
HPO ORPHA ORPHANET DECIPHER MIM
MONDO OBA
BIOGPS GNF GNF1H GNF1B GCRMA U133A GPL96
PMC DOI URL URI RCR TF TFS CHIP PCR QPCR RT SNP SNPS SNV CNV LOH WGS WES NGS TPM FPKM RPKM CPM
BP KB MB KDA DA AA NT MW PI GRAVY UV IR NMR MS LC HPLC ELISA SDS PAGE CRISPR KO WT ES IPS ER UK
US USA EU FDA EMA WHO HIV HPV EBV HBV HCV HCC NSCLC AML CML CLL MHC NK LPS ECM API JSON CSV HTML
OK II III IV VI VII VIII IX XI XII
""".split())  # noqa: SIM905
# a token runs on through hyphens and underscores, escaped or not ("RPL5\_17\_1422" is one
# alias, not the symbol RPL5)
SYMBOL_TOKEN = re.compile(
    r"(?<![\w\-\u2010\u2011.:/])[^\W_](?:[^\W_]|[-\u2010\u2011](?=[^\W_])|_+(?=[^\W_]))*")
SYMBOL_SHAPE = re.compile(r"[A-Z][A-Z0-9]+(?:-[A-Z0-9]+)*|C\d{1,2}orf\d+|[A-Z]\d[A-Z0-9]*")
ROMAN = re.compile(r"[IVX]+")

# Words that are not part of a listed name.
LIST_LEADS = re.compile(
    r"^(?:and|or|as well as|both|also|the|a|an|in|of|notably|particularly|especially|mainly"
    r"|mostly|including|such as|followed by|then|involved in|specifically|focusing on)\s+", re.I
)
STRONG_LIST_TRIGGER = re.compile(r"\b(?:including|includes?|such as|namely)\b|:", re.I)
WEAK_LIST_TRIGGER = re.compile(
    r"\b(?:are|is|were|was|include|in|of|member of|part of|takes part in|involved in)\b", re.I
)
NAME_STOPWORDS = frozenset(
    "the of and in a an with from to for tissue tissues sample samples - ( ) , .".split()  # noqa: SIM905
)

# Tissues named anywhere in prose about expression: runs of these words with at least one head
# ("skeletal muscle", "fetal liver", "bone marrow"), checked against the gene's top tissues.
TISSUE_HEADS = frozenset("""
adipose adrenal aorta artery arteries bladder blood brain amygdala caudate cerebellum cortex
hippocampus hypothalamus putamen breast fibroblasts lymphocytes cervix ectocervix endocervix
colon esophagus oesophagus heart kidney kidneys liver lung lungs muscle nerve ovary ovaries
pancreas pituitary prostate skin intestine ileum spleen stomach testis testes thyroid uterus
vagina placenta retina thymus tonsil tonsils marrow appendix gallbladder duodenum rectum
epididymis trachea tongue eye eyes astrocytes neurons hepatocytes renal hepatic cardiac
pulmonary gastric pancreatic splenic testicular ovarian cutaneous cerebral cerebellar colonic
intestinal uterine esophageal oesophageal prostatic arterial muscular fallopian tube mucosa
muscularis omentum medulla ventricle atrial appendage hemisphere accumbens nigra substantia
ganglia cingulate suprapubic ectocervix salivary gastroesophageal
""".split())  # noqa: SIM905
# Adjectives and variants that name the same tissue as a GTEx name word.
TISSUE_SYNONYMS: dict[str, str] = {
    "renal": "kidney", "hepatic": "liver", "hepatocyte": "liver", "cardiac": "heart",
    "pulmonary": "lung", "gastric": "stomach", "pancreatic": "pancreas", "splenic": "spleen",
    "testicular": "testis", "teste": "testis", "ovarian": "ovary", "ovarie": "ovary",
    "cutaneous": "skin", "cerebral": "brain", "cerebellar": "cerebellum", "colonic": "colon",
    "intestinal": "intestine", "uterine": "uterus", "esophageal": "esophagus",
    "oesophageal": "esophagus", "oesophagu": "esophagus", "oesophagus": "esophagus",
    "esophagu": "esophagus", "prostatic": "prostate", "arterial": "artery", "arterie": "artery",
    "muscular": "muscle",
}
TISSUE_MODIFIERS = frozenset("""
fetal adult skeletal smooth cardiac frontal visceral subcutaneous tibial coronary transverse
sigmoid mammary minor salivary spinal small large bone lymph node nodes gland glands
""".split())  # noqa: SIM905
# A phrase that describes tissues rather than naming one: a quantifier before it, or a plural
# generic noun at its end ("brain regions", "many tissues", "all ten top tissues ...").
TISSUE_DESCRIPTION = re.compile(
    r"^\s*(?:many|several|all|most|some|both|various|other|these|those|few|numerous|multiple"
    r"|\d+|two|three|four|five|six|seven|eight|nine|ten)\b"
    r"|\b(?:regions|tissues|organs|glands|areas|types|sites|samples|parts|structures)\b",
    re.IGNORECASE,
)
# A paragraph about the BioGPS GNF1H atlas: its tissues are GNF1H samples
# (expression.biogps_tissues), not GTEx's top tissues.
BIOGPS_PARAGRAPH = re.compile(r"\bbiogps\b|\bgnf1h\b", re.IGNORECASE)
EXPRESSION_CUE = re.compile(
    r"\bexpress(?:ed|es|ion)?\b|\babundant\b|\benriched\b|\btranscribed\b|\bTPM\b", re.I
)
PATHWAY_WORD = re.compile(r"\bpathways?\b", re.I)
PATHWAY_STOP = frozenset("""
the a an in of to and or with by its this that these those is are was were belongs belong part
member members key several various many which it gene protein involved role roles plays play
wikipathways reactome kegg following
other
""".split())  # noqa: SIM905

# A paper cited by what no fact sheet holds: its journal, its authors, a quoted title.
_JOURNAL = "|".join((
    r"New England Journal of Medicine", r"NEJM", r"Nature(?: [A-Z][a-z]+){0,2}",
    r"Science(?: [A-Z][a-z]+)?", r"Cell(?: [A-Z][a-z]+)?", r"The Lancet", r"Lancet", r"PNAS",
    r"Proceedings of the National Academy of Sciences", r"PLo[sS] [A-Z][a-z]+", r"eLife",
    r"JAMA", r"BMJ", r"Genome Research", r"Nucleic Acids Research", r"Molecular Cell",
    r"Cancer Research", r"Oncogene",
    r"(?:The )?Journal of [A-Z][\w-]*(?: (?:of|and|&|[A-Z][\w-]*))*",
))
CITATION = re.compile(
    r"\b(?:in|by)\s+(?:the\s+)?(?:journal\s+)?(?P<journal>" + _JOURNAL + r")\b"
    r"|\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\s+et\s+al\b\.?"
    r"|\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\s+and\s+(?:colleagues|co-?workers)\b"
    r"|[\u201c\"](?P<title>[A-Z][^\u201d\"\n]{12,300}?)[\u201d\"]")

# Disease names the HPO list lacks, by their head word. A head of the first kind needs a
# specific word before it ("Wilson disease", "breast cancer"; not "a rare disease"); one of the
# second kind names a disease by itself ("thalassemia", "cardiomyopathy", "glioblastoma").
DISEASE_HEAD = re.compile(
    r"\b(?P<general>syndromes?|diseases?|disorders?|cancers?)\b"
    r"|\b(?P<own>[a-z]*(?:carcinoma|sarcoma|lymphoma|melanoma|glioma|blastoma|adenoma|myeloma"
    r"|thelioma|neuroma|hepatoma|fibroma|lipoma|teratoma|thymoma|seminoma|angioma)s?"
    r"|[a-z]{3,}a?emias?|[a-z]+opath(?:y|ies)|[a-z]*dystroph(?:y|ies))\b",
    re.I,
)
NOT_DISEASE_WORDS = frozenset({"academia", "bohemia", "academias"})
# A head used as a modifier ("disease associations", "cancer cell lines", "cancer-related")
DISEASE_HEAD_MODIFIES = re.compile(
    r"(?:[-\u2010\u2011]\w|\s+(?:resistance|associations?|risk|genes?|progression|states?"
    r"|models?|process(?:es)?|categor(?:y|ies)|conditions?|ontology|cells?|cell[- ]lines?"
    r"|research|biology|phenotypes?|severity|pathways?|traits?|stages?|mechanisms?"
    r"|terms?|names?|annotations?|databases?|entit(?:y|ies)|areas?|field|classes|class)\b)",
    re.I,
)
# Words that end the name before a head ("mutations in HBB cause | sickle cell disease")
DISEASE_STOP = frozenset("""
the a an of in on at to for from by with without as and or but nor not no its their his her
this that these those which who whose is are was were be been being has have had cause causes
caused causing include includes including included associated linked related implicated
involved known called named termed such like than other several many various some any all
each both more most few certain specific different multiple numerous also mutations mutation
variants variant gene genes protein proteins role roles risk patients cases forms form types
type develop develops developing leads lead leading result results resulting underlie
underlies underlying confer confers contribute contributes seen found observed reported
predispose predisposes predisposition
fall falls under within among traits trait diseases categories category
""".split())  # noqa: SIM905
# Modifiers that leave a head generic: "a rare disease", "human genetic disorders"
DISEASE_GENERIC = frozenset("""
human humans genetic genetical rare inherited heritable mendelian monogenic polygenic complex
common multifactorial general known associated related certain specific similar serious severe
fatal lethal systemic major minor new novel one two three single
""".split())  # noqa: SIM905
# A name followed by these describes cells or names a pathway, not a disease ("chronic
# myelogenous leukemia cells", "the Alzheimer's disease pathway")
DISEASE_NOT_AFTER = re.compile(
    r"\s+(?:cells?|cell[- ]lines?|xenografts?|pathways?)\b", re.I
)

# Source names: a number right after one is its version or release ("Ensembl 110").
SOURCE_NAME_RE = re.compile(
    r"\b(?:Ensembl|GENCODE|GTEx|UniProt|RefSeq|Bioconductor|org\.Hs\.eg\.db|GO\.db|MANE"
    r"|WikiPathways|Biopython|ideogram|NCBI Gene)\b"
)

SOURCE_BEFORE = re.compile(SOURCE_NAME_RE.pattern + r"\s*(?:release|version|v\.?)?\s*$")

# Words VADER scores for tone that are plain technical terms on a gene page ("flexibility",
# "mature length", "top tissues", "negative regulation", "cell death"): neutral here.
SENTIMENT_NEUTRAL_TERMS = frozenset("""
value values flexibility mature top active activation activity activities positive positively
negative negatively growth binding bind binds bound charge charged resistance resistant
inhibition inhibit inhibits inhibitor inhibitors suppress suppresses suppression suppressor
promote promotes promoting death dead dying cancer cancers tumor tumors tumour tumours disease
diseases disorder disorders influence influential stable unstable instability stability
regulation support supporting supports supported significant significantly risk failure damage
damaged stress toxic toxicity infection infections kill killing killer destruction defect
defects defective deficiency deficient loss lost poor high higher highest rich enriched benefit
survival survive lethal fatal pain abnormal abnormalities error errors attack immune protection
protect protective defense defence rescue like hydrophobic hydrophilic free reduced reduction
low lower lowest weak weakly strong strongly increase increased decrease decreased cell cells
heart respectively number numbers well play plays played playing share shares shared no
offline lies lie lying minus
""".split())  # noqa: SIM905

# --- tone ---------------------------------------------------------------------------------------
# Promotional words: a gene page states facts; none of these is a fact (a Sentiment finding).
PROMOTIONAL = re.compile(
    r"\b(?:promising|remarkabl[ey]|key players?|breakthroughs?|groundbreaking|ground-breaking"
    r"|revolutionar(?:y|ize[sd]?)|game[- ]chang(?:er|ing)|unprecedented|cutting[- ]edge"
    r"|fascinating|intriguing|exciting|extraordinar(?:y|ily)|astonishing|incredibl[ey]"
    r"|amazing|tremendous(?:ly)?|invaluable|unparalleled|paves? the way"
    r"|holds? (?:great |tremendous |enormous |much |significant )?(?:potential|promise)"
    r"|great (?:potential|promise)|master regulators?|(?:crucial|pivotal|vital|critical"
    r"|essential|key) (?:roles?|players?|importance)|of (?:great|utmost|paramount)"
    r" importance|hugely|enormously|powerful)\b",
    re.IGNORECASE,
)
# One sentence whose VADER compound reaches this is not neutral (VADER's own "moderate").
SENTENCE_SENTIMENT = 0.35

# --- ethics ------------------------------------------------------------------------------------
ETHICS_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("medical advice",
         r"\byou should\b|\bwe (?:recommend|advise|suggest)\b"
         r"|\b(?:patients|people|persons|individuals|readers|carriers|those|anyone|women|men"
         r"|children|parents|families|relatives|subjects)\b[^.;]{0,80}?\b(?:should|must|ought to"
         r"|are (?:advised|encouraged|recommended) to|need to)\b"
         r"|\bconsult (?:a|your|their|with a) (?:doctor|physician|clinician|healthcare|health care"
         r"|genetic counsel\w*|specialist)\b|\b(?:talk|speak) (?:to|with) (?:your|a) "
         r"(?:doctor|physician)\b|\bseek (?:medical|professional) (?:advice|attention|help)\b"
         r"|\b(?:take|stop taking|avoid taking)\s+\d|\bdos(?:e|age) of \d"
         r"|\bshould (?:be )?(?:take|treat|avoid|start|stop|screen|test|receiv|given|consider"
         r"|undergo|monitor)\w*"
         r"|\b(?:is|are) (?:recommended|advised|indicated) for (?:patients|carriers|individuals"
         r"|people|anyone)\b"),
        ("deterministic or stigmatising language about a group",
         r"\b(?:people|individuals|patients|carriers|women|men|children|families|populations?"
         r"|races?|ethnic groups?)\b[^.]{0,60}\b(?:will (?:always|inevitably|certainly)"
         r"|are (?:destined|doomed|bound) to|inevitably develop|are (?:inferior|superior|defective"
         r"|abnormal))"
         r"|\b(?:inferior|superior) (?:races?|ethnic|populations?)\b|\bsuffer(?:s|ing)? from\b"
         r"|\b(?:victims?|afflicted)\b|\bnormal people\b|\bgenetically (?:inferior|superior)\b"),
        ("identifiable patient data",
         r"\bpatient (?:named|called)\b|(?-i:\b(?:Mr|Mrs|Ms)\.? [A-Z][a-z]+)\b|\bdate of birth\b"
         r"|(?-i:\bDOB\b)"
         r"|\bmedical record (?:number|no)\b|(?-i:\bMRN\b)|\b\d{3}-\d{2}-\d{4}\b"
         r"|\b[\w.+-]+@[\w-]+\.[\w.]+\b|\bpatient (?:ID|number) ?\d"),
        ("unsupported clinical claim",
         r"\bcures?\b|\bguarantee[sd]?\b|\bmiracle\b|\bproven to (?:treat|cure|prevent)\b"
         r"|\bclinically proven\b|\bdefinitively (?:diagnose|predict)s?\b"
         r"|\bcan be used to (?:diagnose|treat|cure)\b|\bwill (?:cure|prevent|cause)\b"
         r"|\b(?:always|invariably) (?:causes|leads to)\b"),
    )
)


# --- the Human Protein Atlas's own names (writer/sources/hpa.py) ---------------------------------
# The categories and names the atlas gives its fields, each with the fact keys that hold it:
# in the protein atlas section, one of these names is a claim about the gene's atlas entry (a
# class the gene is not in, a location it does not have), checked against those facts.
def _atlas_vocabulary() -> dict[str, tuple[str, ...]]:
    groups = {
        ("atlas.protein_class",): """
            Blood group antigen proteins; Cancer-related genes; CD markers; Citric acid cycle
            related proteins; Disease related genes; Enzymes; FDA approved drug targets;
            G-protein coupled receptors; Human disease related genes; Metabolic proteins;
            Nuclear receptors; Plasma proteins; Potential drug targets; Predicted intracellular
            proteins; Predicted membrane proteins; Predicted secreted proteins; Ribosomal
            proteins; RAS pathway related proteins; RNA polymerase related proteins;
            Transcription factors; Transporters; Voltage-gated ion channels; Cytokines;
            Immunoglobulin genes; T-cell receptor genes; Mitochondrial proteins""",
        ("atlas.subcellular_location",): """
            Actin filaments; Aggresome; Basal body; Cell junctions; Centriolar satellite;
            Centrosome; Cleavage furrow; Cytokinetic bridge; Cytoplasmic bodies; Cytosol;
            Endoplasmic reticulum; Endosomes; Focal adhesion sites; Golgi apparatus;
            Intermediate filaments; Kinetochore; Lipid droplets; Lysosomes; Microtubule ends;
            Microtubules; Midbody; Midbody ring; Mitochondria; Mitotic chromosome; Mitotic
            spindle; Nuclear bodies; Nuclear membrane; Nuclear speckles; Nucleoli; Nucleoli
            fibrillar center; Nucleoli rim; Nucleoplasm; Peroxisomes; Plasma membrane; Primary
            cilium; Primary cilium tip; Primary cilium transition zone; Rods & Rings; Vesicles""",
        ("atlas.rna_tissue_specificity",): """
            Tissue enriched; Tissue enhanced; Low tissue specificity""",
        ("atlas.rna_tissue_specificity", "atlas.single_cell_specificity"): """
            Group enriched; Not detected""",
        ("atlas.single_cell_specificity",): """
            Cell type enriched; Cell type enhanced; Low cell type specificity""",
        ("atlas.rna_tissue_distribution",): """
            Detected in all; Detected in many; Detected in some; Detected in single""",
        ("atlas.evidence",): """
            Evidence at protein level; Evidence at transcript level; No human
            protein/transcript evidence""",
    }
    out: dict[str, tuple[str, ...]] = {}
    for keys, text in groups.items():
        for name in text.split(";"):
            out[" ".join(name.split())] = keys
    return out


ATLAS_VOCABULARY = _atlas_vocabulary()
ATLAS_NAMES = {"tissue": "tissue", "tissues": "tissue", "brain": "brain", "blood": "blood",
               "cell line": "cell line", "cell lines": "cell line", "single cell": "single cell",
               "single cells": "single cell", "single-cell": "single cell"}
ATLAS_WORD = re.compile(r"\b(?:single[- ]cells?|cell lines?|tissues?|brain|blood)\b", re.I)
ATLAS_CLUSTER = re.compile(r"\bcluster\s+(\d{1,4})\b", re.I)

# --- transcription factors (writer/sources/tflink.py) --------------------------------------------
# The databases TFLink names as the sources of a TF-target pair: names, not gene symbols.
TF_DATABASES = frozenset("""
GTRD ReMap TRRUST TRED PAZAR HTRIdb ORegAnno ChIP-Atlas ENCODE JASPAR CistromeDB TFe InnateDB
""".split())  # noqa: SIM905
TF_DATABASE_RE = re.compile(r"(?<![\w-])(?:" + "|".join(
    re.escape(d) for d in sorted(TF_DATABASES, key=len, reverse=True)) + r")(?![\w-])")

# --- Perturb-seq transcription factors (writer/sources/replogle2022.py) -----------------------
# The screen's own names in its paragraph: the cell line, the method, the paper and the data
# licence (names, not gene symbols, numbers or years of the fact sheet).
PERTURB_NAMES = re.compile(
    r"\bK-?562\b|\bPerturb-seq\b|\bCRISPRi\b"
    r"|\bReplogle(?:\s+et\s+al\.?)?"
    r"|\bCC[\s-]BY(?:-NC)?(?:-SA)?(?:[\s-]\d\.\d)?", re.I)
# the paper's year after its authors ("Replogle et al. 2022"): a claim on the source's name
PERTURB_PAPER_YEAR = re.compile(r"\bReplogle(?:\s+et\s+al\.?)?,?\s*\(?((?:19|20)\d\d)\b")
# What a knockdown does to the gene: the verb's sign (lowers: -1, raises: +1)
PERTURB_DIRECTION = re.compile(
    r"\b(?P<down>lower(?:s|ed|ing)?|decreas(?:es|ed|ing|e)|reduc(?:es|ed|ing|e)"
    r"|down-?regulat(?:es|ed|ing|e)|repress(?:es|ed|ing)?|drops?|falls?)\b"
    r"|\b(?P<up>rais(?:es|ed|ing|e)|increas(?:es|ed|ing|e)|up-?regulat(?:es|ed|ing|e)"
    r"|elevat(?:es|ed|ing|e)|induc(?:es|ed|ing|e)|boosts?|rises?)\b", re.I)
# after a number: the genes a knockdown changes ("1,449 genes"), the knockdowns counted
PERTURB_GENES_AFTER = re.compile(r"\s+(?:other\s+|differentially\s+expressed\s+)?genes?\b",
                                 re.I)
PERTURB_COUNT_AFTER = re.compile(
    r"\s+(?:(?:DNA-binding\s+)?transcription\s+factors?|TFs?|(?:TF\s+)?knockdowns?)\b", re.I)
# before a number: the threshold's words ("by at least 0.5", "|z| >= 0.5")
PERTURB_THRESHOLD_BEFORE = re.compile(
    r"(?:\bat\s+least|\u2265|>=|\bthreshold(?:\s+of)?|\babove|\bover)\s*$", re.I)
# before a number: the z form, whose sign is part of the claim ("z = -0.82", "z of 0.6")
PERTURB_Z_BEFORE = re.compile(r"\bz(?:-score)?\s*(?:=|:|of)\s*$", re.I)
