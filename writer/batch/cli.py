"""The ``writer batch`` commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from writer.batch.exports import export
from writer.batch.files import MAX_REQUESTS
from writer.batch.remote import fetch, status, submit
from writer.batch.results import import_results
from writer.batch.state import BatchState
from writer.errors import UserInputError
from writer.progress import Progress
from writer.sections.prose import plural

if TYPE_CHECKING:
    from writer.config import Settings


def describe_batch(batch: dict[str, Any]) -> list[str]:
    """Lines for a batch (``batch_json``, with its run when known)."""
    counts = batch["request_counts"]
    head = f"{batch['id']}: {batch['status']}"
    if batch.get("run"):
        head += f" (run {batch['run']}, round {batch['round']}, {Path(batch['path']).name})"
    lines = [head]
    if counts is not None:
        lines.append(f"requests: {counts['total']:,} ({counts['completed']:,} completed, "
                     f"{counts['failed']:,} failed)")
    if batch["output_file_id"]:
        lines.append(f"output file: {batch['output_file_id']}")
    if batch["error_file_id"]:
        lines.append(f"error file: {batch['error_file_id']}")
    lines += [f"error: {e['code'] or ''} {e['message'] or ''}".strip()
              for e in batch["errors"][:10]]
    return lines


def describe_run(run: dict[str, Any]) -> list[str]:
    """Lines for a run of ``BatchState.summary``."""
    states = run["states"]
    lines = [f"run {run['run']}: {run['model']}, exported {run['created'][:16]}, "
             f"{plural(run['genes'], 'gene')}, {plural(run['requests'], 'request')}",
             f"  {states['queued']:,} queued, {states['settled']:,} settled, "
             f"{states['waiting']:,} waiting, {states['stale']:,} stale"]
    lines += [f"  waiting in round {w['round']}: {plural(w['requests'], 'request')}"
              for w in run["waiting"]]
    lines += [f"  round {f['round']} file: {f['path']} ({plural(f['requests'], 'request')})"
              for f in run["files"]]
    for b in run["batches"]:
        counts = b["request_counts"]
        done = (f", {counts['completed']:,} of {counts['total']:,} completed, "
                f"{counts['failed']:,} failed" if counts else "")
        lines.append(f"  batch {b['id']} (round {b['round']}): {b['status']}{done}, as of "
                     f"{b['checked'][:16]}")
    return lines


@click.group("batch")
def batch() -> None:
    """Draft with a batch engine: the OpenAI Batch API, or `vllm run-batch`.

    export writes each section request of some genes as an OpenAI Batch API requests file
    (JSONL); submit, status and fetch drive the OpenAI Batch API (or any server with its
    files and batches endpoints); import runs the grounding loop on the answers, writes
    the re-asks as the next round's requests file, and queues every finished page like
    `writer draft --model` would. On a GPU cluster, run each requests file with `vllm
    run-batch -i requests.jsonl -o results.jsonl --model NAME` instead of submit, status
    and fetch.

    \b
    Examples:
      writer batch export --all --model gpt-4o-mini --out requests.jsonl
      writer batch submit requests.jsonl
      writer batch status batch_abc123
      writer batch fetch batch_abc123
      writer batch import batch_abc123-output.jsonl batch_abc123-errors.jsonl
      writer batch import results.jsonl
    """


def _prompt_options(command: Any) -> Any:
    from writer.draft import prompt_options

    return prompt_options(command)


@batch.command("export")
@click.argument("genes", metavar="GENE...", nargs=-1)
@click.option("--file", "file_", metavar="FILE",
              help="Gene queries, one per line ('-': standard input; '#' starts a comment).")
@click.option("--all", "all_genes", is_flag=True, help="Every gene of --type in the fact store.")
@click.option("--type", "gene_type", default="protein-coding", show_default=True,
              metavar="TYPE", help="Gene type for --all (protein-coding, ncRNA, pseudo, ...).")
@click.option("--model", "-m", envvar="GENE_WRITER_MODEL", metavar="NAME",
              help="The model named in every request (env GENE_WRITER_MODEL; default: "
                   "config.toml [model] name).")
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="The requests file to write (JSONL).")
@click.option("--max-requests", type=click.IntRange(min=0), default=MAX_REQUESTS,
              show_default=True, metavar="N",
              help="Requests per file at most (the OpenAI Batch API's limit; files stay under "
                   "190 MB too): more go to FILE's stem with -1, -2, ... (0: no limit, e.g. "
                   "for vllm run-batch).")
@click.option("--date", metavar="DATE", help="Front matter date of the drafted pages "
              "(default: when they are imported), e.g. '2025-01-17 16:55 CST'.")
@click.option("--tags", metavar="A,B", help="Front matter tags (default: config.toml [page]).")
@click.option("--categories", metavar="A,B",
              help="Front matter categories (default: config.toml [page]).")
@click.option("--online", is_flag=True,
              help="From the online sources' facts too, as `writer draft --online`: fetched "
                   "per gene (and cached a day) when no online sync was made; import "
                   "judges the answers against the same facts.")
@_prompt_options
@click.pass_obj
def export_command(settings: Settings, genes: tuple[str, ...], file_: str | None,
                   all_genes: bool, gene_type: str, model: str | None, out: str,
                   max_requests: int, date: str | None, tags: str | None,
                   categories: str | None, online: bool, max_tokens: int | None,
                   prompt_variant: str | None) -> None:
    """Write every section request of each GENE as an OpenAI Batch API requests file.

    One line per section of each gene, in the format the OpenAI Batch API and `vllm
    run-batch` read; the run (fact sheet hashes, prompt hashes, model settings) is
    recorded in the home folder's batch.sqlite for `writer batch import`. Genes are
    chosen as for `writer draft`. Prints the files written. Exit 2 when a gene query
    was bad, 1 when a gene's online facts could not be fetched (the others are exported).

    \b
    Examples:
      writer batch export MT1G NME1 --model gpt-4o-mini --out requests.jsonl
      writer batch export --file genes.txt --model qwen2.5-7b -o requests.jsonl
      writer batch export --all --type protein-coding --model gpt-4o-mini -o all.jsonl
      writer batch export NME1 --online --model gpt-4o-mini -o requests.jsonl
    """
    from writer.bulk import read_queries

    queries = list(genes) + (read_queries(file_) if file_ is not None else [])
    if not queries and not all_genes:
        raise UserInputError("no gene given: name genes, --file FILE or --all")
    result = export(settings, queries, out=out, all_type=gene_type if all_genes else None,
                    model=model, prompt_variant=prompt_variant, max_tokens=max_tokens,
                    date=date, tags=tags, categories=categories, max_requests=max_requests,
                    online=online, progress=Progress())
    for path, _ in result.files:
        click.echo(path)
    files = plural(len(result.files), "file")
    click.echo(f"writer: {plural(result.requests, 'request')} of {plural(result.genes, 'gene')} "
               f"written to {files} (run {result.run}); answers go to `writer batch import`",
               err=True)
    for line in result.failed + result.unfetched:
        click.echo(f"failed: {line}", err=True)
    sys.exit(result.exit_code)


@batch.command("submit")
@click.argument("file", metavar="FILE")
@click.pass_obj
def submit_command(settings: Settings, file: str) -> None:
    """Upload a requests FILE and create its batch on the OpenAI Batch API.

    The endpoint and key are the model's (OPENAI_BASE_URL, OPENAI_API_KEY or
    config.toml [model]); the batch runs /v1/chat/completions within 24h. Prints the
    batch id.

    \b
    Examples:
      writer batch submit requests.jsonl
    """
    created = submit(settings, file)
    click.echo(created.id)
    click.echo(f"writer: batch {created.id} created ({created.status}); follow it with "
               f"`writer batch status {created.id}`", err=True)


@batch.command("status")
@click.argument("batch_ids", metavar="[ID]...", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (shape above).")
@click.pass_obj
def status_command(settings: Settings, batch_ids: tuple[str, ...], as_json: bool) -> None:
    """Print the state of batch IDs, or of every run exported in this home folder.

    With IDs, the endpoint (OPENAI_BASE_URL, as for submit) is asked for each batch's
    state, request counts and files. Without, no endpoint is asked: each run's requests
    by state, the rounds awaited, its requests files and the batches submitted from them
    (as last seen by submit, status or fetch).

    \b
    --json prints one object:
      without ID: {"runs": [RUN, ...]}, oldest first; a RUN is
        {"run", "created", "model", "genes", "requests",
         "states": {"waiting", "settled", "queued", "stale"}: requests in each,
         "round": the last round awaited (null: none),
         "waiting": [{"round", "requests"}],
         "files": [{"round", "part", "path", "requests"}]: requests files written,
         "batches": [BATCH, ...]}
      with IDs: {"batches": [BATCH, ...]}; a BATCH is
        {"id", "status", "request_counts": {"total", "completed", "failed"} or null,
         "output_file_id", "error_file_id", "errors": [{"code", "message", "line"}],
         "run", "round", "path": the run, round and requests file submitted (null
         when not submitted from this home folder),
         "checked": when the endpoint last described it (UTC, ISO 8601)}

    \b
    Examples:
      writer batch status
      writer batch status batch_abc123
      writer batch status --json
    """
    if batch_ids:
        batches = [status(settings, batch_id) for batch_id in batch_ids]
        if as_json:
            click.echo(json.dumps({"batches": batches}, indent=2))
            return
        for batch in batches:
            for line in describe_batch(batch):
                click.echo(line)
        return
    with BatchState.of(settings) as state:
        runs = state.summary()
    if as_json:
        click.echo(json.dumps({"runs": runs}, indent=2))
        return
    if not runs:
        click.echo("writer: no runs exported in this home folder (writer batch export)",
                   err=True)
    for run in runs:
        for line in describe_run(run):
            click.echo(line)


@batch.command("fetch")
@click.argument("batch_id", metavar="ID")
@click.option("--out", "out_dir", default=".", show_default=True,
              type=click.Path(file_okay=False), metavar="DIR",
              help="Folder for ID-output.jsonl and ID-errors.jsonl (made if need be).")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"id", "files": [path, ...]} (the files written).')
@click.pass_obj
def fetch_command(settings: Settings, batch_id: str, out_dir: str, as_json: bool) -> None:
    """Download the output (and error) file of batch ID. Exit 1 while it has none.

    Give both files to `writer batch import` together: a request of the batch with no
    line in them is sent again.

    \b
    Examples:
      writer batch fetch batch_abc123
      writer batch fetch batch_abc123 --out results/
    """
    paths = fetch(settings, batch_id, out_dir=out_dir)
    if as_json:
        click.echo(json.dumps({"id": batch_id, "files": [str(p) for p in paths]}))
        return
    for path in paths:
        click.echo(path)


@batch.command("import")
@click.argument("files", metavar="FILE...", nargs=-1, required=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, exists=True), metavar="DIR",
              help="Folder for the next round's requests files (default: the first FILE's).")
@click.option("--jobs", type=click.IntRange(min=1, max=256), default=1, show_default=True,
              metavar="N", help="Worker processes judging answers and drafting pages (the "
                                "evaluator is the work: use the CPU count for big files).")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object (shape above) instead of the next round's files.")
@click.pass_obj
def import_command(settings: Settings, files: tuple[str, ...], out_dir: str | None,
                   jobs: int, as_json: bool) -> None:
    """Run the grounding loop on the answers of batch results FILEs.

    Each answer is cleaned and checked like an answer of `writer draft --model`: a
    paragraph the evaluator cannot trace (or that leaves facts out) is re-asked in the
    next round's requests file (RUN-roundN.jsonl, printed); after the last round the
    section uses the template text and the draft is flagged. A request that failed with
    408, 409, 429, 5xx, expired, was cancelled or timed out, or that has no line in FILEs
    while others of its requests file do, is sent again unchanged in the next round's file
    (3 requests at most, as `writer draft --model`; not a re-ask): give a batch's output
    and error files together. A gene whose sections are all settled is drafted and queued
    for review. A request that failed for good (400, 401, ..., or every attempt), an
    unknown custom_id or a gene whose facts changed since the export is one line each
    (exit 1); exit 2 when no line of the FILEs is usable.

    \b
    --json prints {"lines", "judged", "errors", "missing", "skipped": counts (lines read,
      answers judged, error lines, requests with no line, lines imported before),
      "failed": [one line each], "resent": {why: failed requests sent again},
      "next_files": [{"path", "requests"}]: the next round's requests files,
      "drafts": [{"gene", "draft", "flagged", "supersedes"}]: the drafts queued,
      "waiting": requests of these runs still awaiting an answer elsewhere,
      "usage": tokens of the drafts queued, "exit_code"}

    \b
    Examples:
      writer batch import results.jsonl
      writer batch import batch_abc123-output.jsonl batch_abc123-errors.jsonl
      writer batch import results.jsonl --jobs 8
    """
    result = import_results(settings, files, out_dir=out_dir, jobs=jobs, progress=Progress())
    for line in result.summary():
        click.echo(f"writer: {line}", err=True)
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2))
    else:
        for path, _ in result.next_files:
            click.echo(path)
    sys.exit(result.exit_code)
