"""Rewrite the golden panel's fact sheets from the current fact store.

    python3 facts/panel/regenerate.py            # after `writer data sync`
    python3 facts/panel/regenerate.py --online   # facts/panel/online/: the online sources

``--online`` needs no network: it starts the tests' local server on 127.0.0.1, serving the
online fixtures (tests/fixtures/online, in the recorded formats), syncs org.Hs.eg.db plus
every online source through it into a temporary store, and writes what the online sources
say about a few genes (facts/panel/online/<symbol>.json).

Run it only when a change to a source is intended to change facts, and read the diff
(`git diff facts/panel`) before committing: the golden sheets are what the tests hold a
fresh sync to.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from pathlib import Path

import writer

PANEL = Path(__file__).parent
TESTS = PANEL.parent.parent / "tests"


def panel_symbols() -> list[str]:
    with (PANEL / "genes.tsv").open() as fh:
        return [row["symbol"] for row in csv.DictReader(fh, delimiter="\t")]


def main() -> None:
    for sheet in writer.facts_many(panel_symbols()):
        (PANEL / f"{sheet.symbol}.json").write_text(sheet.to_json() + "\n")
        print(f"wrote {sheet.symbol}.json ({len(sheet.facts)} facts)")


def main_online() -> None:
    sys.path.insert(0, str(TESTS))
    from conftest import TEST_CACHE
    from httpserver import MirrorServer
    from online_fixtures import PANEL_GENES, lay_out, online_part, sync_online

    from writer.config import Settings
    from writer.store import FactStore

    out = PANEL / "online"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, MirrorServer(Path(tmp) / "upstream") as server:
        lay_out(server)
        os.environ["GENE_WRITER_MIRROR"] = server.url
        home = Path(tmp) / "home"
        settings = Settings(home=home, facts_path=home / "facts.sqlite",
                            queue_path=home / "queue.sqlite", cache_dir=home / "cache")
        sync_online(settings, TEST_CACHE)
        store = FactStore(settings.facts_path)
        for symbol in PANEL_GENES:
            part = online_part(store.sheet(store.resolve(symbol)))
            (out / f"{symbol}.json").write_text(json.dumps(part, indent=2) + "\n")
            print(f"wrote online/{symbol}.json ({len(part['facts'])} online facts)")


if __name__ == "__main__":
    main_online() if "--online" in sys.argv[1:] else main()
