"""Cross-checks between sources, recorded on the facts they concern.

Run by ``writer data sync`` after every source has loaded. Each check compares two
sources' statements about one gene and records ``agree`` or ``disagree`` with both values in
its detail; a disagreement is shown to the curator, never hidden or resolved here.

Checks (fact key it is recorded on, in brackets):

- **gene length** [``structure.gene_length``]: Ensembl 110's gene span (ideogram) against the
  span of org.Hs.eg.db's ``chromosome_locations`` (UCSC, union of the gene's transcript
  models, 1-based inclusive after the identity source's conversion). Same chromosome and
  the same length in bp, tolerance 0.
- **cytogenetic band** [``identity.band``]: org.Hs.eg.db's band (NCBI) against the GRCh38
  850-band ideogram shipped with ideogram: the gene's span (org.Hs.eg.db's coordinates, else
  Ensembl 110's) must lie inside the band or band range. A span reaching into a
  neighbouring band disagrees, with the bands it covers named.
- **Ensembl gene ID** [``identity.ensembl_id``, else ``structure.gene_length``]: the Ensembl
  gene ideogram's facts came from must be one of those org.Hs.eg.db lists for the gene.
- **length order** [each of the three lengths]: mature length <= primary transcript length
  <= gene length.

Ensembl coordinates and bands come from scratch tables the ideogram source leaves on the
builder (``ideogram_genes``, ``ideogram_bands``); they are dropped when the checks are done,
so the finished store holds only its documented tables. A check whose inputs are missing
(a source not synced, a gene without coordinates) is not recorded.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from writer.sources.ideogram import BANDS_TABLE, GENES_TABLE, Band
from writer.store import StoreBuilder

GENE_LENGTH = "gene length: Ensembl 110 vs org.Hs.eg.db"
BAND = "cytogenetic band vs GRCh38 coordinates"
ENSEMBL_ID = "Ensembl gene ID: ideogram (Ensembl 110) vs org.Hs.eg.db"
LENGTH_ORDER = "mature <= primary transcript <= gene length"

ORGDB_COORDS = "org.Hs.eg.db (UCSC, 2022-08-31)"
BAND_MAP = "GRCh38 850-band ideogram"


@dataclass(frozen=True)
class Span:
    chromosome: str
    start: int  # 1-based, inclusive
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def __str__(self) -> str:
        return f"chr{self.chromosome}:{self.start:,}-{self.end:,}"


def run(builder: StoreBuilder) -> None:
    builder.flush()
    org_spans: dict[int, Span] = {}
    org_bands: dict[int, str] = {}
    for row in builder.gene_rows():
        if row["chromosome"] and row["start"] is not None and row["end"] is not None:
            org_spans[row["gene_id"]] = Span(row["chromosome"], row["start"], row["end"])
        if row["band"]:
            org_bands[row["gene_id"]] = row["band"]
    ensembl = _ensembl_genes(builder)
    bands = _bands(builder)

    check_gene_length(builder, ensembl, org_spans)
    if bands:
        check_bands(builder, org_bands, org_spans, ensembl, bands)
    check_ensembl_ids(builder, ensembl)
    check_length_order(builder)
    builder.conn.executescript(f"DROP TABLE IF EXISTS {GENES_TABLE}; "
                               f"DROP TABLE IF EXISTS {BANDS_TABLE};")


def _has_table(builder: StoreBuilder, name: str) -> bool:
    return builder.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)
    ).fetchone() is not None


def _ensembl_genes(builder: StoreBuilder) -> dict[int, tuple[str, Span]]:
    """NCBI Gene ID -> (Ensembl gene ID, Ensembl 110 span) of the genes ideogram mapped."""
    if not _has_table(builder, GENES_TABLE):
        return {}
    return {
        gid: (ensembl_id, Span(chrom, start, end))
        for gid, ensembl_id, chrom, start, end in builder.conn.execute(
            f"SELECT gene_id, ensembl_id, chromosome, start, end FROM {GENES_TABLE}"
        )
    }


def _bands(builder: StoreBuilder) -> dict[str, list[Band]]:
    if not _has_table(builder, BANDS_TABLE):
        return {}
    out: dict[str, list[Band]] = defaultdict(list)
    for chrom, name, start, end in builder.conn.execute(
        f"SELECT chromosome, name, start, end FROM {BANDS_TABLE} ORDER BY chromosome, start"
    ):
        out[chrom].append(Band(chrom, name, start, end))
    return dict(out)


def _facts(builder: StoreBuilder, key: str) -> dict[int, float]:
    return {gid: num for gid, _value, num in builder.facts_of(key) if num is not None}


# --- gene length -----------------------------------------------------------------------
def check_gene_length(
    builder: StoreBuilder, ensembl: dict[int, tuple[str, Span]], org_spans: dict[int, Span]
) -> None:
    for gid in _facts(builder, "structure.gene_length"):
        if gid not in ensembl or gid not in org_spans:
            continue
        ens, org = ensembl[gid][1], org_spans[gid]
        agree = ens.chromosome == org.chromosome and ens.length == org.length
        detail = (f"Ensembl 110: {ens.length:,} bp ({ens}); "
                  f"{ORGDB_COORDS}: {org.length:,} bp ({org})")
        builder.add_check(gid, "structure.gene_length", GENE_LENGTH, agree, detail)


# --- band ------------------------------------------------------------------------------
_ENDPOINT = r"(?:pter|qter|cen|[pq](?:\d+(?:\.\d+)?)?)"
_BAND_RE = re.compile(
    rf"^(?P<chrom>\d{{1,2}}|X|Y)(?P<first>{_ENDPOINT})?(?:-(?P<last>{_ENDPOINT}))?$"
)


def band_interval(text: str, bands: dict[str, list[Band]]) -> Span | None:
    """The GRCh38 interval a band or band range (``16q13``, ``1p36.33-p36.32``, ``2q``)
    names, or None when it cannot be read or names no band of the map."""
    match = _BAND_RE.match(text.removesuffix(" alternate reference locus").strip())
    if not match or match["chrom"] not in bands:
        return None
    on_chrom = bands[match["chrom"]]
    first, last = match["first"], match["last"]
    if first is None:  # a whole chromosome, e.g. "18"
        return Span(match["chrom"], on_chrom[0].start, on_chrom[-1].end)
    start_bands = _endpoint_bands(first, on_chrom)
    end_bands = _endpoint_bands(last or first, on_chrom)
    if not start_bands or not end_bands:
        return None
    covered = start_bands + end_bands
    return Span(match["chrom"], min(b.start for b in covered), max(b.end for b in covered))


def _endpoint_bands(endpoint: str, on_chrom: list[Band]) -> list[Band]:
    if endpoint == "pter":
        return on_chrom[:1]
    if endpoint == "qter":
        return on_chrom[-1:]
    if endpoint == "cen":
        p_arm = [b for b in on_chrom if b.name.startswith("p")]
        q_arm = [b for b in on_chrom if b.name.startswith("q")]
        return p_arm[-1:] + q_arm[:1]
    # "q1" covers q11-q14, "q21.3" covers q21.31-q21.33: a band name and its sub-bands
    return [b for b in on_chrom if b.name.startswith(endpoint)]


def bands_covering(span: Span, bands: dict[str, list[Band]]) -> str:
    """``16q13`` or ``1p36.33-p36.32``: the bands of the map a span falls in."""
    hit = [b.name for b in bands.get(span.chromosome, []) if b.start <= span.end
           and span.start <= b.end]
    if not hit:
        return f"no band of chr{span.chromosome}"
    return span.chromosome + hit[0] + (f"-{hit[-1]}" if len(hit) > 1 else "")


def check_bands(
    builder: StoreBuilder,
    org_bands: dict[int, str],
    org_spans: dict[int, Span],
    ensembl: dict[int, tuple[str, Span]],
    bands: dict[str, list[Band]],
) -> None:
    for gid, band in org_bands.items():
        if gid in org_spans:
            span, where = org_spans[gid], ORGDB_COORDS
        elif gid in ensembl:
            span, where = ensembl[gid][1], "Ensembl 110"
        else:
            continue
        interval = band_interval(band, bands)
        if interval is None:
            continue  # a band the map cannot place (unreadable, or finer than 850 bands)
        inside = (span.chromosome == interval.chromosome
                  and interval.start <= span.start and span.end <= interval.end)
        detail = (f"{band} = {interval} ({BAND_MAP}); {where}: {span}, "
                  f"in {bands_covering(span, bands)}")
        builder.add_check(gid, "identity.band", BAND, inside, detail)


# --- Ensembl gene ID ---------------------------------------------------------------------
def check_ensembl_ids(builder: StoreBuilder, ensembl: dict[int, tuple[str, Span]]) -> None:
    listed: dict[int, set[str]] = defaultdict(set)
    for name, gids in builder.gene_ids_by("ensembl").items():
        for gid in gids:
            listed[gid].add(name)
    has_fact = {gid for gid, _value, _num in builder.facts_of("identity.ensembl_id")}
    for gid, (ensembl_id, _span) in ensembl.items():
        org_ids = sorted(listed.get(gid, ()))
        agree = ensembl_id in org_ids
        detail = (f"ideogram (Ensembl 110): {ensembl_id}; org.Hs.eg.db: "
                  f"{', '.join(org_ids) if org_ids else 'none listed'}")
        key = "identity.ensembl_id" if gid in has_fact else "structure.gene_length"
        builder.add_check(gid, key, ENSEMBL_ID, agree, detail)


# --- length order ------------------------------------------------------------------------
def check_length_order(builder: StoreBuilder) -> None:
    keys = ("structure.mature_length", "structure.primary_transcript_length",
            "structure.gene_length")
    mature, primary, gene = (_facts(builder, k) for k in keys)
    for gid in mature.keys() & primary.keys() & gene.keys():
        m, p, g = int(mature[gid]), int(primary[gid]), int(gene[gid])
        agree = m <= p <= g
        detail = f"mature {m:,} bp, primary transcript {p:,} bp, gene {g:,} bp"
        for key in keys:
            builder.add_check(gid, key, LENGTH_ORDER, agree, detail)


# --- online facts against the offline ones they replace ------------------------------------------
def _as_set(value: object) -> set[str]:
    if isinstance(value, (list, tuple)):
        out = set()
        for item in value:
            if isinstance(item, dict):
                out.add(str(item.get("id") or item.get("name")))
            else:
                out.add(str(getattr(item, "id", None) or getattr(item, "name", item)))
        return out
    return {part.strip() for part in str(value).split(",")}


def _few(names: list[str]) -> str:
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def compare_replaced(key: str, online: object, offline: object, offline_label: str
                     ) -> tuple[bool, str]:
    """Does an online value agree with the offline value it replaces? (agree, detail).

    Names and identifiers must be equal; lists (aliases, GO terms) equal as sets of their
    IDs or names, with what was added and dropped named; a publication count agrees when
    it did not shrink (papers are linked to genes every day).
    """
    if key == "literature.publication_count":
        now, then = int(online), int(offline)  # type: ignore[call-overload]
        return now >= then, f"now {now:,}; {offline_label}: {then:,}"
    if isinstance(online, (list, tuple)) or isinstance(offline, (list, tuple)):
        now_set, then_set = _as_set(online), _as_set(offline)
        added, dropped = sorted(now_set - then_set), sorted(then_set - now_set)
        if not added and not dropped:
            return True, f"the same {len(now_set)} in both"
        parts = [f"now {len(now_set)}; {offline_label}: {len(then_set)}"]
        if added:
            parts.append(f"added {_few(added)}")
        if dropped:
            parts.append(f"dropped {_few(dropped)}")
        return False, "; ".join(parts)
    return _as_set(online) == _as_set(offline), f"now {online}; {offline_label}: {offline}"
