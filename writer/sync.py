"""``writer data sync``: fetch the offline packages and build a new fact store.

The new store is built in ``<facts>.partial`` next to the old one and moved over it only
when every source loaded and the percentiles and cross-checks are done, so a failed or
interrupted sync leaves the previous store working.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

from writer import crosscheck
from writer.config import Settings
from writer.errors import SyncError
from writer.progress import Progress
from writer.sources import SourceSpec, offline_sources
from writer.sources.packages import fetch
from writer.store import StoreBuilder, replace_atomically


def select_sources(names: Sequence[str] = ()) -> list[SourceSpec]:
    specs = offline_sources()
    if not names:
        return specs
    known = {s.ref.id: s for s in specs}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SyncError(
            f"unknown source {', '.join(unknown)}; offline sources: {', '.join(known)}"
        )
    # identity is always needed: every other source maps onto its genes
    return [s for s in specs if s.ref.id in names or s is specs[0]]


def sync(settings: Settings, names: Sequence[str] = (), progress: Progress | None = None) -> Path:
    progress = progress or Progress()
    specs = select_sources(names)
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
            spec.load(builder, unpacked[spec.ref.id], progress)
            builder.flush()
        progress.step("cross-checking sources")
        crosscheck.run(builder)
        progress.step("computing percentiles")
        builder.finish()
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    replace_atomically(partial, target)
    progress.step(f"fact store ready: {target}")
    return target
