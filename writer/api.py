"""The Python API behind the CLI: the same functions, importable from ``writer``.

    >>> import writer
    >>> sheet = writer.facts("MT1G")
    >>> sheet.value("structure.gene_length")
    >>> sheets = writer.facts_many(["MT1G", "NME1", "4830"])
    >>> result = writer.draft("MT1G")               # the page, checked; nothing stored
    >>> result.page, result.record.findings, result.report.checks_markdown()
    >>> writer.draft("MT1G", queue=True).draft_id    # also appended to the review queue
    >>> writer.check(open("MT1G.md").read(), sheet).findings
    >>> writer.draft_many(["MT1G", "NME1"]).summary()  # queued; unchanged genes skipped
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from writer.bulk import BulkResult, Outcome, draft_many
from writer.check import check
from writer.config import load_settings
from writer.draft import DraftResult, draft_gene
from writer.factsheet import FactSheet
from writer.store import FactStore

if TYPE_CHECKING:
    import httpx

    from writer.config import Settings

__all__ = [
    "BulkResult", "Outcome", "check", "draft", "draft_many", "facts", "facts_many", "open_facts",
]


@lru_cache(maxsize=4)
def _store(path: Path) -> FactStore:
    return FactStore(path)


def open_facts(path: Path | None = None) -> FactStore:
    """The fact store at ``path`` (default: the configured one), opened once per process."""
    return _store(path or load_settings().facts_path)


def facts(gene: str | int, *, store: FactStore | None = None) -> FactSheet:
    """The fact sheet of one gene: symbol, alias, NCBI Gene ID or Ensembl gene ID."""
    store = store or open_facts()
    return store.sheet(store.resolve(str(gene)))


def facts_many(genes: Iterable[str | int], *, store: FactStore | None = None) -> list[FactSheet]:
    """Fact sheets of many genes in one pass (fast: one query per 500 genes)."""
    store = store or open_facts()
    return store.sheets([store.resolve(str(g)) for g in genes])


def draft(
    gene: str | int,
    *,
    model: str | None = None,
    queue: bool = False,
    date: str | None = None,
    tags: Sequence[str] | str | None = None,
    categories: Sequence[str] | str | None = None,
    settings: Settings | None = None,
    http_client: httpx.Client | None = None,
    **model_options: Any,
) -> DraftResult:
    """Draft the page of one gene, every claim checked: what ``writer draft GENE`` does.

    Returns a ``DraftResult``: ``page`` (the Markdown), ``record`` (a ``DraftRecord``: what
    made the page, its findings, ``flagged``), ``report`` (the evaluator's ``CheckReport``),
    ``calls`` (every model request, ``ModelCall``) and ``problems`` (one line each).

    Nothing is written anywhere unless ``queue=True``: then the draft and its model calls
    are appended to the review queue and ``draft_id`` is its id there (``writer draft``
    always queues).

    ``model``: a model on an OpenAI-compatible endpoint; None uses the configured one
    (``GENE_WRITER_MODEL``, config.toml ``[model]``; none configured: the templates) and
    ``"template"`` forces the templates. The endpoint and key come from ``OPENAI_BASE_URL``
    / ``OPENAI_API_KEY`` or config.toml. ``model_options`` set ``writer.llm.ModelConfig``
    fields (``timeout``, ``concurrency``, ``attempts``, ...). ``tags``, ``categories`` and
    ``date`` fill the front matter (defaults: config.toml ``[page]``, now). ``settings``
    defaults to ``writer.config.load_settings()``; ``http_client`` is for tests (an
    ``httpx.Client`` with a ``MockTransport``).

    Raises ``UnknownGene`` / ``AmbiguousGene`` for a gene it cannot resolve,
    ``UserInputError`` for a bad option or a model without an endpoint, and ``NoFactStore``
    before ``writer data sync``; a failing model endpoint is not an error (the section
    falls back to its template and the draft is flagged).
    """
    return draft_gene(
        settings or load_settings(), str(gene), model=model, date=date, tags=tags,
        categories=categories, queue=queue, http_client=http_client, **model_options,
    )
