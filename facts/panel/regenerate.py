"""Rewrite the golden panel's fact sheets from the current fact store.

    python3 facts/panel/regenerate.py        # after `writer data sync`

Run it only when a change to a source is intended to change facts, and read the diff
(`git diff facts/panel`) before committing: the golden sheets are what the tests hold a
fresh sync to.
"""

from __future__ import annotations

import csv
from pathlib import Path

import writer

PANEL = Path(__file__).parent


def panel_symbols() -> list[str]:
    with (PANEL / "genes.tsv").open() as fh:
        return [row["symbol"] for row in csv.DictReader(fh, delimiter="\t")]


def main() -> None:
    for sheet in writer.facts_many(panel_symbols()):
        (PANEL / f"{sheet.symbol}.json").write_text(sheet.to_json() + "\n")
        print(f"wrote {sheet.symbol}.json ({len(sheet.facts)} facts)")


if __name__ == "__main__":
    main()
