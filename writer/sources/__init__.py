"""Upstream databases, one module each.

Every offline source module defines ``SOURCE``, a ``SourceSpec``: what it is (``ref``:
name, version, release date, licence, link), the registry packages that carry its data,
the fact keys it provides, and ``load``, which reads the unpacked packages and writes
facts through the ``StoreBuilder``. ``offline_sources()`` is the order a sync runs them in:
identity first, because the others map their records onto its genes.

Online sources (``writer.sources.online``: NCBI Gene, Gene Ontology, PubTator3, iCite,
Reactome, the Human Protein Atlas, TFLink, GWAS Catalog, BioGPS) run after them with
``writer data sync --online``;
``online_sources()`` is their order: GO names before gene2go reads them, the PubMed IDs
of gene2pubmed and PubTator3 before iCite dates them. ``opt_in_sources()`` (Replogle 2022
Perturb-seq) run only when named, after them.
"""

from __future__ import annotations

import sqlite3
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from writer import catalog
from writer.errors import SyncError
from writer.factsheet import SourceRef
from writer.progress import Progress
from writer.sources.packages import Package
from writer.store import StoreBuilder

# What a damaged or unexpected file raises when a source reads it: truncated gzip, a corrupted
# SQLite file, cut-off JSON or text, an HTML page where data was expected. ``writer.sync``
# turns these into one ``SyncError`` naming the source.
UNREADABLE = (EOFError, OSError, ValueError, sqlite3.DatabaseError, zlib.error,
              tarfile.TarError, zipfile.BadZipFile)


def unreadable(source_id: str, exc: BaseException, where: str) -> SyncError:
    """The one line for ``exc`` (one of ``UNREADABLE``) raised reading ``source_id``'s data."""
    said = " ".join(str(exc).split())[:200]
    return SyncError(f"cannot read the data of {source_id} {where} ({type(exc).__name__}: "
                     f"{said}); the old fact store is kept")

Loader = Callable[[StoreBuilder, dict[str, Path], Progress], None]


@dataclass(frozen=True)
class SourceSpec:
    ref: SourceRef
    packages: tuple[Package, ...]
    provides: tuple[str, ...]
    load: Loader


def catalog_ref(source_id: str) -> SourceRef:
    """A source's reference (name, version, release, licence, link) from the catalogue."""
    spec = catalog.source(source_id)
    return SourceRef(id=spec.id, name=spec.name, version=spec.version,
                     release_date=spec.release_date, licence=spec.licence, url=spec.url)


def offline_sources() -> list[SourceSpec]:
    """The offline sources in sync order (imported lazily: sync is the only user)."""
    from writer.sources import drugs, hpo, ideogram, orgdb, uniprot

    return [orgdb.SOURCE, ideogram.SOURCE, uniprot.SOURCE, hpo.SOURCE, drugs.SOURCE]


def online_sources() -> list:
    """The online sources in sync order (``writer.sources.online.OnlineSource``)."""
    from writer.sources import (
        biogps,
        gene_ontology,
        gwas_catalog,
        hpa,
        icite,
        ncbi_gene,
        pubtator3,
        reactome,
        tflink,
    )

    return [gene_ontology.SOURCE, ncbi_gene.SOURCE, pubtator3.SOURCE, icite.SOURCE,
            reactome.SOURCE, hpa.SOURCE, tflink.SOURCE, gwas_catalog.SOURCE, biogps.SOURCE]


def opt_in_sources() -> list:
    """Online sources synced only when named (the catalogue's ``opt_in``: a licence with
    conditions, CC BY-NC-SA for Replogle 2022), after the others; never by default."""
    from writer.sources import replogle2022

    return [replogle2022.SOURCE]
