"""The fact store: one SQLite file of derived data, rebuilt by ``writer data sync``.

Tables
    sources      one row per source: id, name, version, release date, licence, url, row counts
    genes        identity of every gene (NCBI Gene ID is the key everywhere)
    gene_names   every name a gene answers to (symbol, alias, Ensembl ID), upper-cased
    facts        one row per (gene, fact key): JSON value, unit, source, links, percentile
    checks       cross-checks recorded on facts
    populations  the population each percentile is computed over (description and size)
    disease_names every disease name of the disease source, in the forms the evaluator finds
                 it by (writer.check.diseases), with its ID and the genes annotated to it
    term_names   names no fact sheet holds but the evaluator must recognise as claims (HPO
                 phenotypes, drugs), by kind, in the same forms (writer.check.namedterms)
    go_terms     every Gene Ontology term: GO ID, name, aspect (MF, CC, BP)
    go_synonyms  the terms' synonyms (GO.db keeps no synonym scope: exact, narrow, broad and
                 related alike), so the evaluator can read a term named without its link
    go_parents   the ontology's is_a and part_of edges; the ancestor closure (GO's true path
                 rule) is derived from them when read (``writer.check.goterms``)
    go_name_index  names and synonyms normalised for reading prose, with their GO IDs
    go_name_prefixes  the lengths of the names that start with each pair of words

``StoreBuilder`` writes a new store into a temporary file next to the old one; only a
complete build replaces the old file (``os.replace``), so a failed or interrupted sync
leaves the previous store working. ``FactStore`` reads it.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import json
import os
import sqlite3
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from writer import catalog
from writer.errors import (
    AmbiguousGene,
    BadFile,
    NoFactStore,
    SyncError,
    UnknownGene,
    WriterError,
)
from writer.factsheet import (
    FACT_KEYS,
    OFFLINE_SECTIONS,
    CrossCheck,
    Fact,
    FactSheet,
    Item,
    Link,
    Percentile,
    SourceRef,
)

_T = TypeVar("_T")

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, version TEXT NOT NULL, release_date TEXT NOT NULL,
    licence TEXT NOT NULL, url TEXT NOT NULL, provides TEXT NOT NULL, rows TEXT NOT NULL
);
CREATE TABLE genes (
    gene_id INTEGER PRIMARY KEY, symbol TEXT NOT NULL, name TEXT NOT NULL, gene_type TEXT,
    chromosome TEXT, band TEXT, start INTEGER, end INTEGER, strand TEXT
);
CREATE TABLE gene_names (name TEXT NOT NULL, gene_id INTEGER NOT NULL, kind TEXT NOT NULL);
CREATE TABLE facts (
    gene_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, num REAL,
    unit TEXT, source TEXT NOT NULL, links TEXT NOT NULL, percentile REAL,
    PRIMARY KEY (gene_id, key)
) WITHOUT ROWID;
CREATE TABLE checks (
    gene_id INTEGER NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TABLE populations (key TEXT PRIMARY KEY, description TEXT NOT NULL, size INTEGER);
CREATE TABLE disease_names (
    form TEXT NOT NULL, disease_id TEXT NOT NULL, name TEXT NOT NULL, genes TEXT NOT NULL
);
CREATE TABLE term_names (
    kind TEXT NOT NULL, form TEXT NOT NULL, term_id TEXT NOT NULL, name TEXT NOT NULL
);
CREATE TABLE go_terms (
    go_id TEXT PRIMARY KEY, name TEXT NOT NULL, aspect TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE go_synonyms (synonym TEXT NOT NULL, go_id TEXT NOT NULL);
CREATE TABLE go_parents (go_id TEXT NOT NULL, parent_id TEXT NOT NULL, relation TEXT NOT NULL);
CREATE TABLE go_name_index (
    key TEXT PRIMARY KEY, go_ids TEXT NOT NULL, comma INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE go_name_prefixes (prefix TEXT PRIMARY KEY, lengths TEXT NOT NULL) WITHOUT ROWID;
"""

INDEXES = """
CREATE INDEX gene_names_name ON gene_names(name);
CREATE INDEX checks_gene ON checks(gene_id);
CREATE INDEX disease_names_form ON disease_names(form);
CREATE INDEX term_names_kind ON term_names(kind, form);
"""

STORE_FORMAT = "1"


def _link_json(links: Iterable[Link]) -> str:
    return json.dumps([[link.label, link.url] for link in links])


class StoreBuilder:
    """Write access for sources during a sync. Use ``build_store`` rather than this directly."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = sqlite3.connect(path)
        self.conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
        self._pending: list[tuple[Any, ...]] = []
        self._source_rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    # --- identity (written by the identity source, read by the others) -------------------
    def add_genes(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Rows of (gene_id, symbol, name, gene_type, chromosome, band, start, end, strand)."""
        self.conn.executemany("INSERT INTO genes VALUES (?,?,?,?,?,?,?,?,?)", rows)

    def add_names(self, rows: Iterable[tuple[str, int, str]]) -> None:
        """Rows of (name, gene_id, kind) with kind one of symbol, alias, ensembl."""
        self.conn.executemany(
            "INSERT INTO gene_names VALUES (upper(?),?,?)", rows
        )

    def rename_symbol(self, gene_id: int, symbol: str, *, source: str,
                      links: Sequence[Link] = ()) -> None:
        """Give a gene another official symbol (HGNC's MT-CO1 for NCBI's COX1, from
        ``source``): the old symbol becomes an alias, so a search for it still finds the gene
        (beside any other gene that has it as an alias: PTGS1 for COX1)."""
        self.flush()
        row = self.conn.execute("SELECT symbol FROM genes WHERE gene_id=?", (gene_id,)).fetchone()
        if row is None or row[0] == symbol:
            return
        old = row[0]
        self.conn.execute("UPDATE genes SET symbol=? WHERE gene_id=?", (symbol, gene_id))
        self.conn.execute(
            "DELETE FROM gene_names WHERE gene_id=? AND kind IN ('symbol', 'alias') "
            "AND name IN (upper(?), upper(?))", (gene_id, old, symbol))
        self.add_names([(symbol, gene_id, "symbol"), (old, gene_id, "alias")])
        facts = dict(self.conn.execute(
            "SELECT key, source FROM facts WHERE gene_id=? AND key IN "
            "('identity.symbol', 'identity.aliases')", (gene_id,)).fetchall())
        old_source = facts.get("identity.symbol", source)
        aliases: list[Item] = [Item(name=old)]
        if "identity.aliases" in facts:
            value, alias_links = self.conn.execute(
                "SELECT value, links FROM facts WHERE gene_id=? AND key='identity.aliases'",
                (gene_id,)).fetchone()
            aliases += [Item.model_validate(i) for i in json.loads(value)
                        if i.get("name") not in (old, symbol)]
            alias_source, alias_link_rows = facts["identity.aliases"], json.loads(alias_links)
        else:
            alias_source, alias_link_rows = old_source, []
        for key, src in facts.items():
            self._source_rows[src][key] -= 1
        self.conn.execute("DELETE FROM facts WHERE gene_id=? AND key IN "
                          "('identity.symbol', 'identity.aliases')", (gene_id,))
        self.add_fact(gene_id, "identity.symbol", symbol, source=source, links=links)
        self.add_fact(gene_id, "identity.aliases", aliases, source=alias_source,
                      links=[Link(label=a, url=b) for a, b in alias_link_rows])
        self.flush()

    def gene_ids_by(self, kind: str) -> dict[str, list[int]]:
        """Map of upper-cased name -> gene ids, for one kind of name (symbol, alias, ensembl)."""
        out: dict[str, list[int]] = defaultdict(list)
        for name, gid in self.conn.execute(
            "SELECT name, gene_id FROM gene_names WHERE kind=?", (kind,)
        ):
            out[name].append(gid)
        return out

    def gene_rows(self) -> Iterator[sqlite3.Row]:
        self.conn.row_factory = sqlite3.Row
        try:
            yield from self.conn.execute("SELECT * FROM genes")
        finally:
            self.conn.row_factory = None

    # --- the Gene Ontology (its vocabulary, read by the evaluator) ------------------------
    def add_go_terms(self, terms: Sequence[tuple[str, str, str]],
                     synonyms: Sequence[tuple[str, str]],
                     parents: Iterable[tuple[str, str, str]]) -> None:
        """Rows of (go_id, name, aspect), (synonym, go_id) and (go_id, parent_id, relation)
        with relation ``is_a`` or ``part_of``; the name index is derived from them."""
        from writer.check.goterms import name_index, name_prefixes

        self.conn.executemany("INSERT INTO go_terms VALUES (?,?,?)", terms)
        self.conn.executemany("INSERT INTO go_synonyms VALUES (?,?)", synonyms)
        self.conn.executemany("INSERT INTO go_parents VALUES (?,?,?)", parents)
        index = name_index(terms, synonyms)
        self.conn.executemany("INSERT INTO go_name_index VALUES (?,?,?)", index)
        self.conn.executemany("INSERT INTO go_name_prefixes VALUES (?,?)",
                              name_prefixes(key for key, _, _ in index))

    # --- facts ---------------------------------------------------------------------------
    def add_fact(
        self,
        gene_id: int,
        key: str,
        value: int | float | str | Sequence[Item],
        *,
        source: str,
        links: Sequence[Link] = (),
    ) -> None:
        """Add one fact; its unit is the catalogue's (``writer/catalog.toml``)."""
        if key not in FACT_KEYS:
            raise SyncError(f"source {source} wrote unknown fact key {key!r}")
        spec = catalog.fact(key)
        unit = spec.unit if spec else None
        if isinstance(value, (list, tuple)):
            stored = json.dumps([item.model_dump(exclude_defaults=True) for item in value])
            num = None
        else:
            stored = json.dumps(value)
            num = float(value) if isinstance(value, (int, float)) else None
        self._pending.append((gene_id, key, stored, num, unit, source, _link_json(links)))
        self._source_rows[source][key] += 1
        if len(self._pending) >= 50_000:
            self.flush()

    def flush(self) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO facts VALUES (?,?,?,?,?,?,?,NULL)", self._pending
        )
        self._pending.clear()

    def add_check(self, gene_id: int, key: str, name: str, agree: bool, detail: str) -> None:
        self.conn.execute(
            "INSERT INTO checks VALUES (?,?,?,?,?)",
            (gene_id, key, name, "agree" if agree else "disagree", detail),
        )

    def facts_of(self, key: str) -> Iterator[tuple[int, Any, float | None]]:
        """(gene_id, decoded value, numeric value) of every stored fact with this key."""
        self.flush()
        for gid, value, num in self.conn.execute(
            "SELECT gene_id, value, num FROM facts WHERE key=?", (key,)
        ):
            yield gid, json.loads(value), num

    def add_disease_names(self, rows: Iterable[tuple[str, str, str, str]]) -> None:
        """Rows of (form, disease ID, name, genes annotated to it)."""
        self.conn.executemany("INSERT INTO disease_names VALUES (?,?,?,?)", rows)

    def add_term_names(self, kind: str, rows: Iterable[tuple[str, str, str]]) -> None:
        """Rows of (form, term ID, name) of one kind of named thing (phenotype, drug)."""
        self.conn.executemany("INSERT INTO term_names VALUES (?,?,?,?)",
                              ((kind, *row) for row in rows))

    def go_term_names(self) -> list[str]:
        """The names of every GO term written so far (the identity source writes them)."""
        return [name for (name,) in self.conn.execute("SELECT name FROM go_terms")]

    def declare_population(self, key: str, description: str) -> None:
        """Ask for percentiles of ``key`` over every gene that has it, described for readers."""
        self.conn.execute(
            "INSERT OR REPLACE INTO populations VALUES (?,?,NULL)", (key, description)
        )

    # --- sources -------------------------------------------------------------------------
    def add_source(self, ref: SourceRef, provides: Sequence[str]) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO sources VALUES (?,?,?,?,?,?,?,?)",
            (ref.id, ref.name, ref.version, ref.release_date, ref.licence, ref.url,
             json.dumps(list(provides)), "{}"),
        )

    def set_retrieved(self, source_id: str, when: datetime) -> None:
        """When an online source's data was fetched (``writer data status`` shows it)."""
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?,?)",
                          (f"retrieved:{source_id}", when.isoformat()))

    def finish(self) -> None:
        """Compute percentiles, record row counts, index; the store is then complete."""
        self.flush()
        self._compute_percentiles()
        for source, counts in self._source_rows.items():
            self.conn.execute(
                "UPDATE sources SET rows=? WHERE id=?", (json.dumps(dict(counts)), source)
            )
        self.conn.executescript(INDEXES)
        self.conn.execute("INSERT INTO meta VALUES ('format', ?)", (STORE_FORMAT,))
        self.conn.commit()
        self.conn.execute("ANALYZE")
        self.conn.close()

    def _compute_percentiles(self) -> None:
        keys = [k for (k,) in self.conn.execute("SELECT key FROM populations")]
        for key in keys:
            rows = self.conn.execute(
                "SELECT gene_id, num FROM facts WHERE key=? AND num IS NOT NULL ORDER BY num",
                (key,),
            ).fetchall()
            size = len(rows)
            updates = []
            i = 0
            while i < size:
                j = i
                while j < size and rows[j][1] == rows[i][1]:
                    j += 1
                pct = 100.0 * (i + (j - i) / 2) / size  # mean rank: below + half of the ties
                updates.extend((pct, gid, key) for gid, _ in rows[i:j])
                i = j
            self.conn.executemany(
                "UPDATE facts SET percentile=? WHERE gene_id=? AND key=?", updates
            )
            self.conn.execute("UPDATE populations SET size=? WHERE key=?", (size, key))


# The largest integer SQLite stores: a larger ID (a typo, an attack) names no row.
SQLITE_MAX_INT = 2**63 - 1

_ORIGINS: dict[int, tuple[weakref.ref[FactSheet], Path]] = {}


def _remember(sheet: FactSheet, path: Path) -> None:
    key = id(sheet)
    _ORIGINS[key] = (weakref.ref(sheet, lambda _ref: _ORIGINS.pop(key, None)), path)


def origin(sheet: FactSheet) -> Path | None:
    """The fact store a sheet was read from (None: made some other way, e.g. from JSON).
    The evaluator reads the Gene Ontology's vocabulary from the same store."""
    entry = _ORIGINS.get(id(sheet))
    return entry[1] if entry is not None and entry[0]() is sheet else None


def sqlite_errors(cls: type[_T]) -> type[_T]:
    """Class decorator: every public method of ``cls`` turns an ``sqlite3.DatabaseError``
    (a damaged, locked or read-only file) into the ``WriterError`` that
    ``self._database_error(exc)`` returns: one line naming the file, never a traceback."""
    for name, member in list(vars(cls).items()):
        if name.startswith("_") or not inspect.isfunction(member) or name == "close":
            continue

        def guarded(method: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(method)
            def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
                try:
                    return method(self, *args, **kwargs)
                except sqlite3.ProgrammingError:  # a bug, not the file
                    raise
                except sqlite3.DatabaseError as exc:
                    raise self._database_error(exc) from None
            return wrapper

        setattr(cls, name, guarded(member))
    return cls


@sqlite_errors
class FactStore:
    """Read access: resolve a gene query and assemble fact sheets."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise NoFactStore(path)
        try:
            self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            fmt = self.conn.execute("SELECT value FROM meta WHERE key='format'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise NoFactStore(f"{path} (unreadable: {exc})") from None
        if not fmt or fmt[0] != STORE_FORMAT:
            raise NoFactStore(f"{path} (built by another version of gene-writer)")
        self.path = path
        global _LAST_OPENED
        _LAST_OPENED = path
        self._sources: dict[str, SourceRef] | None = None
        self._populations: dict[str, tuple[str, int]] | None = None

    def close(self) -> None:
        self.conn.close()

    def _database_error(self, exc: sqlite3.DatabaseError) -> WriterError:
        return BadFile(f"the fact store {self.path} is damaged ({exc}): run `writer data sync` "
                       "to rebuild it")

    @property
    def identity(self) -> str:
        """Which fact store file this is: a sync writes a new file (``replace_atomically``)
        and nothing changes one in place, so while the identity holds, every gene's sheet
        (and its hash) does too."""
        st = os.stat(self.path)
        return f"{st.st_dev}:{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"

    # --- resolving a query ---------------------------------------------------------------
    def resolve(self, query: str) -> int:
        """The NCBI Gene ID that ``query`` names: symbol, alias, NCBI ID or Ensembl ID."""
        q = query.strip()
        if not q:
            raise UnknownGene(query)
        if q.isascii() and q.isdigit():
            gene_id = int(q)
            if gene_id <= SQLITE_MAX_INT and self.conn.execute(
                "SELECT 1 FROM genes WHERE gene_id=?", (gene_id,)
            ).fetchone():
                return gene_id
            raise UnknownGene(query)
        rows = self.conn.execute(
            "SELECT gene_id, kind FROM gene_names WHERE name=?", (q.upper(),)
        ).fetchall()
        by_kind: dict[str, set[int]] = defaultdict(set)
        for gid, kind in rows:
            by_kind[kind].add(gid)
        for kind in ("symbol", "ensembl", "alias"):
            ids = by_kind.get(kind)
            if not ids:
                continue
            if len(ids) == 1:
                return next(iter(ids))
            cands = self.conn.execute(
                f"SELECT symbol, name, gene_id FROM genes WHERE gene_id IN "
                f"({','.join('?' * len(ids))}) ORDER BY symbol",
                sorted(ids),
            ).fetchall()
            raise AmbiguousGene(query, [tuple(c) for c in cands])
        raise UnknownGene(query, self._suggest(q.upper()))

    def _suggest(self, q: str) -> list[str]:
        symbols = [s for (s,) in self.conn.execute("SELECT upper(symbol) FROM genes")]
        upper_to_symbol = dict(
            self.conn.execute("SELECT upper(symbol), symbol FROM genes").fetchall()
        )
        close = difflib.get_close_matches(q, symbols, n=5, cutoff=0.75)
        return [upper_to_symbol[c] for c in close]

    # --- metadata ------------------------------------------------------------------------
    def sources(self) -> dict[str, SourceRef]:
        if self._sources is None:
            self._sources = {
                r[0]: SourceRef(id=r[0], name=r[1], version=r[2], release_date=r[3],
                                licence=r[4], url=r[5])
                for r in self.conn.execute(
                    "SELECT id, name, version, release_date, licence, url FROM sources"
                )
            }
        return self._sources

    def source_rows(self) -> list[dict[str, Any]]:
        retrieved = {k.removeprefix("retrieved:"): v for k, v in self.conn.execute(
            "SELECT key, value FROM meta WHERE key LIKE 'retrieved:%'")}
        out = []
        for r in self.conn.execute("SELECT * FROM sources ORDER BY id"):
            spec = catalog.sources().get(r[0])
            out.append({
                "id": r[0], "name": r[1], "version": r[2], "release_date": r[3],
                "licence": r[4], "url": r[5], "provides": json.loads(r[6]),
                "rows": json.loads(r[7]),
                "kind": spec.kind if spec else "offline",
                "retrieved_at": retrieved.get(r[0]),
            })
        return out

    def populations(self) -> dict[str, tuple[str, int]]:
        if self._populations is None:
            self._populations = {
                k: (d, n) for k, d, n in self.conn.execute("SELECT * FROM populations")
            }
        return self._populations

    def gene_types(self) -> dict[str, int]:
        """Each gene type (``protein-coding``, ``ncRNA``, ``pseudo``, ...) and its gene count."""
        return dict(self.conn.execute("SELECT gene_type, count(*) FROM genes GROUP BY gene_type"))

    def gene_ids(self, gene_type: str | None = None) -> list[int]:
        if gene_type is None:
            return [g for (g,) in self.conn.execute("SELECT gene_id FROM genes ORDER BY gene_id")]
        return [
            g for (g,) in self.conn.execute(
                "SELECT gene_id FROM genes WHERE gene_type=? ORDER BY gene_id", (gene_type,)
            )
        ]

    # --- fact sheets ---------------------------------------------------------------------
    def sheet(self, gene_id: int) -> FactSheet:
        return self.sheets([gene_id])[0]

    def sheets(self, gene_ids: Sequence[int]) -> list[FactSheet]:
        """Fact sheets for many genes at once, in the order given."""
        out: list[FactSheet] = []
        for start in range(0, len(gene_ids), 500):
            out.extend(self._sheets_chunk(list(gene_ids[start:start + 500])))
        return out

    def _sheets_chunk(self, gene_ids: list[int]) -> list[FactSheet]:
        marks = ",".join("?" * len(gene_ids))
        symbols = dict(self.conn.execute(
            f"SELECT gene_id, symbol FROM genes WHERE gene_id IN ({marks})", gene_ids
        ).fetchall())
        checks: dict[tuple[int, str], list[CrossCheck]] = defaultdict(list)
        for gid, key, name, status, detail in self.conn.execute(
            f"SELECT * FROM checks WHERE gene_id IN ({marks})", gene_ids
        ):
            checks[(gid, key)].append(CrossCheck(name=name, status=status, detail=detail))
        facts: dict[int, dict[str, Fact]] = defaultdict(dict)
        populations = self.populations()
        for gid, key, value, _num, unit, source, links, pct in self.conn.execute(
            f"SELECT * FROM facts WHERE gene_id IN ({marks})", gene_ids
        ):
            decoded = json.loads(value)
            if isinstance(decoded, list):
                decoded = tuple(Item(**item) for item in decoded)
            percentile = None
            if pct is not None and key in populations:
                desc, size = populations[key]
                percentile = Percentile(value=round(pct, 4), population=desc, size=size)
            facts[gid][key] = Fact(
                key=key,
                label=FACT_KEYS[key],
                value=decoded,
                unit=unit,
                source=source,
                links=tuple(Link(label=lab, url=url) for lab, url in json.loads(links)),
                percentile=percentile,
                checks=tuple(checks.get((gid, key), ())),
            )
        sources = self.sources()
        sheets = []
        for gid in gene_ids:
            if gid not in symbols:
                raise UnknownGene(str(gid))
            gene_facts = dict(sorted(facts[gid].items(), key=lambda kv: _key_order(kv[0])))
            present = {k.split(".", 1)[0] for k in gene_facts}
            used = {f.source for f in gene_facts.values()}
            sheet = FactSheet(
                gene_id=gid,
                symbol=symbols[gid],
                facts=gene_facts,
                sources={s: sources[s] for s in sorted(used) if s in sources},
                missing_sections=tuple(s for s in OFFLINE_SECTIONS if s not in present),
            )
            _remember(sheet, self.path)
            sheets.append(sheet)
        return sheets


_LAST_OPENED: Path | None = None


def last_opened() -> Path | None:
    """The fact store this process opened last: the evaluator reads its disease names
    (``writer.check.diseases``) for the sheets that came from it."""
    return _LAST_OPENED


_KEY_ORDER = {k: i for i, k in enumerate(FACT_KEYS)}


def _key_order(key: str) -> int:
    return _KEY_ORDER.get(key, len(_KEY_ORDER))


def replace_atomically(partial: Path, final: Path) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(partial, final)
