"""Gene Ontology ``go-basic.obo``: the current name and aspect of every GO term.

It gives no facts of its own: NCBI's gene2go (``writer.sources.ncbi_gene``) annotates genes
with GO IDs, and this source names them as GO names them today (gene2go's own ``GO_term``
column is the fallback when go-basic.obo is not synced). Alternative IDs (``alt_id``) map
to their primary term. The release is the file's ``data-version`` header
(``releases/2026-06-15``).

Scratch table left for ncbi_gene: ``go_terms(go_id, primary_id, name, namespace, obsolete)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from writer.errors import SyncError
from writer.sources.online import OnlineSource, Remote, SyncContext, open_lines

SOURCE_ID = "gene-ontology"
GO_BASIC = Remote("go-basic.obo", "https://current.geneontology.org/ontology/go-basic.obo")
TERMS_TABLE = "online_go_terms"  # scratch: the evaluator's vocabulary is go_terms (GO.db)
NAMESPACES = {"molecular_function", "cellular_component", "biological_process"}


@dataclass(frozen=True)
class Term:
    id: str
    name: str
    namespace: str
    obsolete: bool
    alt_ids: tuple[str, ...]


def read_obo(path: Path) -> tuple[dict[str, str], list[Term]]:
    """(header tags, [Term] stanzas). A [Term] without id, name or a known namespace is an
    error naming its line."""
    header: dict[str, str] = {}
    terms: list[Term] = []
    stanza: str | None = None
    tags: dict[str, list[str]] = {}
    start = 0

    def close() -> None:
        if stanza != "Term":
            return
        for tag in ("id", "name", "namespace"):
            if not tags.get(tag):
                raise SyncError(f"go-basic.obo line {start}: a [Term] without {tag!r}")
        namespace = tags["namespace"][0]
        if namespace not in NAMESPACES:
            raise SyncError(f"go-basic.obo line {start}: unknown namespace {namespace!r}")
        terms.append(Term(tags["id"][0], tags["name"][0], namespace,
                          tags.get("is_obsolete", ["false"])[0] == "true",
                          tuple(tags.get("alt_id", ()))))

    for number, line in enumerate(open_lines(path), 1):
        if line.startswith("["):
            close()
            stanza, tags, start = line.strip("[] "), {}, number
            continue
        if not line or line.startswith("!") or ":" not in line:
            continue
        tag, value = line.split(":", 1)
        value = value.split(" ! ", 1)[0].strip()
        if stanza is None:
            header.setdefault(tag, value)
        else:
            tags.setdefault(tag, []).append(value)
    close()
    if not terms:
        raise SyncError("go-basic.obo: no [Term] stanzas; is it an OBO file?")
    return header, terms


def term_rows(terms: list[Term]) -> Iterator[tuple[str, str, str, str, int]]:
    for t in terms:
        yield t.id, t.id, t.name, t.namespace, int(t.obsolete)
        for alt in t.alt_ids:
            yield alt, t.id, t.name, t.namespace, int(t.obsolete)


def release(header: dict[str, str]) -> str:
    """``releases/2026-06-15`` -> ``2026-06-15``; else the ``date`` tag as written."""
    version = header.get("data-version", "")
    return version.rsplit("/", 1)[-1] if version else header.get("date", "")


def load(ctx: SyncContext) -> None:
    info = ctx.files[GO_BASIC.name]
    header, terms = read_obo(info.path)
    conn = ctx.builder.conn
    conn.execute(f"CREATE TABLE {TERMS_TABLE} (go_id TEXT PRIMARY KEY, primary_id TEXT, "
                 "name TEXT, namespace TEXT, obsolete INTEGER)")
    conn.executemany(f"INSERT OR IGNORE INTO {TERMS_TABLE} VALUES (?,?,?,?,?)",
                     term_rows(terms))
    ctx.versions.append(f"go-basic.obo {release(header) or info.release}")
    ctx.progress.step(f"GO: {len(terms):,} terms ({sum(t.obsolete for t in terms):,} obsolete)")


SOURCE = OnlineSource(id=SOURCE_ID, files=(GO_BASIC,),
                      provides=("GO term names of ncbi-gene's function.*",), load=load)
