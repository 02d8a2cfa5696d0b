"""``writer data sync``: fetch the offline packages (and, with ``--online``, the online
sources' files and APIs) and build a new fact store.

The new store is built in ``<facts>.partial`` next to the old one and moved over it only
when every source loaded and the percentiles, cross-checks and per-section digests (what
``writer data diff`` compares with the replaced store, ``writer.datadiff``) are done, so a failed or
interrupted sync leaves the previous store working. Online sources load after the offline
ones, whose identity, GO and PubMed facts they replace (recording each replaced value as a
cross-check); their downloads and iCite records are kept in the cache, so a sync interrupted
during them resumes where it stopped.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

from writer import crosscheck, datadiff
from writer.config import Settings
from writer.errors import UserInputError
from writer.progress import Progress
from writer.sources import (
    UNREADABLE,
    SourceSpec,
    offline_sources,
    online_sources,
    opt_in_sources,
    unreadable,
)
from writer.sources.packages import fetch
from writer.store import StoreBuilder, replace_atomically

# an online source that reads what another writes (iCite dates gene2pubmed's papers)
REQUIRES = {"icite": ("ncbi-gene",)}


def select_sources(names: Sequence[str] = ()) -> list[SourceSpec]:
    return select(names)[0]


def select(names: Sequence[str] = (), online: bool = False) -> tuple[list[SourceSpec], list]:
    """(offline sources, online sources) to sync, in order. ``names`` picks some (identity is
    always included); online ones need ``online``. An opt-in source (Replogle 2022) comes only
    when named, and naming it adds it to what the sync would do without it (it needs no
    ``online``: naming it is the choice)."""
    opted = [s for s in opt_in_sources() if s.id in names]
    chosen = [n for n in names if n not in {s.id for s in opted}]
    specs, remote = _select(chosen, online)
    return specs, remote + opted


def _select(names: Sequence[str], online: bool) -> tuple[list[SourceSpec], list]:
    specs = offline_sources()
    remote = online_sources()
    if not names:
        return specs, (remote if online else [])
    known = {s.ref.id: s for s in specs}
    remote_ids = [r.id for r in remote]
    unknown = [n for n in names if n not in known and n not in remote_ids]
    if unknown:
        raise UserInputError(
            f"unknown source {', '.join(unknown)}; offline sources: {', '.join(known)}; "
            f"online sources (with --online): {', '.join(remote_ids)}; opt-in: "
            f"{', '.join(s.id for s in opt_in_sources())}"
        )
    wanted_online = [n for n in names if n in remote_ids]
    if wanted_online and not online:
        raise UserInputError(
            f"{', '.join(wanted_online)} {'is' if len(wanted_online) == 1 else 'are'}"
                        " online: add --online")
    wanted = set(names)
    for n in wanted_online:
        wanted.update(REQUIRES.get(n, ()))
    # identity is always needed: every other source maps onto its genes
    return ([s for s in specs if s.ref.id in wanted or s is specs[0]],
            [r for r in remote if r.id in wanted])


def sync(settings: Settings, names: Sequence[str] = (), progress: Progress | None = None,
         online: bool = False) -> Path:
    progress = progress or Progress()
    specs, remote = select(names, online)
    target = settings.facts_path
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    try:
        unpacked = {
            spec.ref.id: {pkg.name: fetch(pkg, settings.cache_dir, progress)
                          for pkg in spec.packages}
            for spec in specs
        }
        builder = StoreBuilder(partial)
        for spec in specs:
            progress.step(f"loading {spec.ref.name} {spec.ref.version}")
            builder.add_source(spec.ref, spec.provides)
            try:
                spec.load(builder, unpacked[spec.ref.id], progress)
            except UNREADABLE as exc:
                raise unreadable(spec.ref.id, exc, "in the download cache") from None
            builder.flush()
        if remote:
            from writer.http import Fetcher
            from writer.sources.online import load_all

            with Fetcher(settings.http) as fetcher:
                load_all(builder, remote, fetcher, settings.cache_dir, progress)
        progress.step("cross-checking sources")
        crosscheck.run(builder)
        progress.step("computing percentiles")
        builder.finish()
        progress.step("recording what changed since the last sync")
        datadiff.record(partial, target if target.exists() else None)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    replace_atomically(partial, target)
    progress.step(f"fact store ready: {target}")
    return target
