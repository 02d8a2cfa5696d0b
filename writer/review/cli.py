"""``writer review ...``: the review queue on the command line (and ``serve`` for the web page)."""

from __future__ import annotations

import errno
import functools
import ipaddress
import json
import os
import socket
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from writer.check.models import Finding
from writer.config import Settings, load_settings
from writer.errors import BadFile, HasFindings, UserInputError, WriterError, fail, one_line
from writer.phrasers.untrusted import controls
from writer.review.render import word_diff_text
from writer.review.service import FactSheets, ReviewService
from writer.review.store import STATUSES, Queue, Review, unified_diff

F = TypeVar("F", bound=Callable[..., Any])
SECRET_ENV = "GENE_WRITER_REVIEW_SECRET"
REVIEWER_ENV = "GENE_WRITER_REVIEWER"


def _settings(ctx: click.Context) -> Settings:
    """Settings: those the top-level ``writer`` command made (honouring its ``--home``), else
    the environment's."""
    root_obj = ctx.find_root().obj
    if isinstance(root_obj, Settings):
        return root_obj
    home = None
    node: click.Context | None = ctx
    while node is not None:
        if node.params.get("home"):
            home = node.params["home"]
        node = node.parent
    return load_settings(home)


def _errors(func: F) -> F:
    """Print a ``WriterError`` as one line and exit with its code (2 for bad input)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except HasFindings as exc:
            click.echo(one_line(exc), err=True)
            _print_findings(exc.findings, err=True)  # type: ignore[arg-type]
            sys.exit(exc.exit_code)
        except WriterError as exc:
            fail(exc)

    return wrapper  # type: ignore[return-value]


def _open(ctx: click.Context, readonly: bool = False) -> tuple[Settings, Queue]:
    """Settings and the queue; ``readonly`` for commands that only read (they never wait for
    a writer)."""
    settings = _settings(ctx)
    return settings, Queue.open(settings.queue_path, readonly=readonly)


def _service(ctx: click.Context) -> ReviewService:
    settings, queue = _open(ctx)
    return ReviewService(queue, FactSheets(settings.facts_path))


def _print_findings(findings: Sequence[Finding], err: bool = False) -> None:
    for f in findings:
        claim = f'"{f.claim}"' if f.claim else (f.key or "")
        line = f"  - {f.status or 'finding'} {f.kind} {claim}: {f.reason}".rstrip()
        click.echo(controls(line), err=err)
        if f.sentence:
            click.echo(controls(f"    in: {f.sentence}"), err=err)


def _gene_filter(settings: Settings, queue: Queue, gene: str | None) -> str | None:
    """A symbol or id as given; an alias or Ensembl ID through the fact store when the queue
    has no draft under that name."""
    if not gene or gene.strip().isdigit() or queue.count(gene=gene):
        return gene
    try:
        from writer.store import FactStore

        return str(FactStore(settings.facts_path).resolve(gene))
    except WriterError:
        return gene


reviewer_option = click.option(
    "--reviewer", required=True, envvar=REVIEWER_ENV, metavar="NAME",
    help=f"Who reviews (default: ${REVIEWER_ENV}).",
)


@click.group("review")
def review() -> None:
    """The review queue: list drafts, accept, edit or reject them, serve the web page.

    A draft's status is its latest review: pending (none yet), edited, accepted or
    rejected. Drafts and reviews are never changed or deleted, only added to.

    \b
    Examples:
      writer review list --status pending
      writer review show 12
      writer review accept 12 --reviewer ana
      writer review serve
    """


@review.command("list")
@click.option("--status", type=click.Choice([*STATUSES, "open"]), help="Only drafts in it.")
@click.option("--gene", metavar="GENE", help="Only drafts of this gene (symbol, alias or ID).")
@click.option("--findings", "findings", type=click.Choice(["clean", "flagged"]),
              help="Only drafts whose current text has no finding (clean) or has some.")
@click.option("--type", "gene_type", metavar="TYPE",
              help="Only drafts of genes of this type (protein-coding, ncRNA, ...).")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="A JSON list of {id, gene, gene_id, "
              "status, created, findings}.")
@click.pass_context
@_errors
def list_cmd(
    ctx: click.Context, status: str | None, gene: str | None, findings: str | None,
    gene_type: str | None, limit: int, offset: int, as_json: bool,
) -> None:
    """Drafts in the queue, oldest first, with their status and findings count.

    ``open`` means pending or edited: still waiting for a decision.

    \b
    Examples:
      writer review list
      writer review list --status open --gene MT1G
      writer review list --json --limit 500
      writer review list --status pending --findings flagged --type protein-coding
    """
    settings, queue = _open(ctx, readonly=True)
    gene = _gene_filter(settings, queue, gene)
    flagged = None if findings is None else findings == "flagged"
    items = queue.list(status=status, gene=gene, limit=limit, offset=offset, flagged=flagged,
                       gene_type=gene_type)
    if as_json:
        click.echo(json.dumps([
            {"id": it.id, "gene": it.symbol, "gene_id": it.gene_id, "status": it.status,
             "created": it.created.isoformat(), "findings": it.findings_count}
            for it in items
        ], indent=2))
        return
    total = queue.count(status=status, gene=gene, flagged=flagged, gene_type=gene_type)
    if not items:
        click.echo("no drafts" + (" match" if status or gene or findings or gene_type
                                  else " in the queue yet"))
        return
    click.echo(f"{'ID':>6}  {'GENE':<12} {'STATUS':<9} {'CREATED':<17} {'FINDINGS':>8}")
    for it in items:
        click.echo(
            f"{it.id:>6}  {it.symbol:<12} {it.status:<9} "
            f"{it.created.strftime('%Y-%m-%d %H:%M'):<17} {it.findings_count:>8}"
        )
    if total > offset + len(items):
        click.echo(f"... {total - offset - len(items)} more (use --offset {offset + len(items)})")


@review.command("show")
@click.argument("draft_id", metavar="ID", type=int)
@click.option("--diff", "show_diff", is_flag=True, help="The changes from the draft instead.")
@click.option("--accepted", "against_accepted", is_flag=True,
              help="For a redraft: each section against the accepted page it started from "
                   "(unchanged, or the words changed: [-old-]{+new+}).")
@click.pass_context
@_errors
def show_cmd(ctx: click.Context, draft_id: int, show_diff: bool,
             against_accepted: bool) -> None:
    """The current text of a draft: the curator's latest edit, else the draft.

    Its findings (untraced claims, and the sentences the Sentiment, Ethics and Coherence
    checks fail on) follow on standard error, so the text alone can be saved to a file.

    \b
    Examples:
      writer review show 12
      writer review show 12 --diff
      writer review show 12 --accepted
      writer review show 12 > MT1G.md
    """
    _, queue = _open(ctx, readonly=True)
    draft = queue.get(draft_id)
    text = controls(queue.current_text(draft_id))  # no terminal escapes reach the terminal
    if against_accepted:
        _since_accepted(queue, draft)
    elif show_diff:
        diff = controls(unified_diff(draft.text, queue.current_text(draft_id),
                                     f"draft {draft_id}", f"version {draft.version}"))
        click.echo(diff if diff else "no changes from the draft", nl=not diff)
    else:
        click.echo(text, nl=not text.endswith("\n"))
    findings = queue.current_findings(draft_id)
    if findings:
        n = len(findings)
        click.echo(f"draft {draft_id} ({draft.status}): {n} finding{'s' * (n != 1)} on this "
                   "text:", err=True)
        _print_findings(findings, err=True)


def _since_accepted(queue: Queue, draft: Any) -> None:
    from writer.redraft import changes

    found = changes(queue, draft)
    if not found:
        raise UserInputError(f"draft {draft.id} is not a redraft: it did not start from an "
                             "accepted page")
    click.echo(f"draft {draft.id} against accepted draft {draft.redraft_of}:")
    words = {"unchanged": "unchanged since the accepted page", "added": "new section",
             "removed": "left out now", "changed": "re-phrased, facts changed"}
    for c in found:
        click.echo(f"\n{c.title}: {words[c.state]}")
        if c.state == "changed":
            click.echo(controls(word_diff_text(c.old, c.new)).rstrip("\n"))
        elif c.state in ("added", "removed"):
            click.echo(controls(c.new or c.old))


@review.command("accept")
@click.argument("draft_id", metavar="ID", type=int, required=False)
@reviewer_option
@click.option("--override", is_flag=True, help="Accept although the text has findings.")
@click.option("--comment", metavar="WHY", help="Why (required with --override).")
@click.option("--clean", is_flag=True,
              help="Accept every pending draft with no finding (instead of one ID); flagged "
                   "drafts are left for a curator.")
@click.option("--type", "gene_type", metavar="TYPE",
              help="With --clean: only drafts of genes of this type (e.g. protein-coding).")
@click.pass_context
@_errors
def accept_cmd(
    ctx: click.Context, draft_id: int | None, reviewer: str, override: bool,
    comment: str | None, clean: bool, gene_type: str | None,
) -> None:
    """Accept a draft's current text (it is checked again, and its Checks table remade).

    Refused while the text has findings (claims the evaluator cannot trace, and sentences
    the Sentiment, Ethics or Coherence check fails on), unless --override with a --comment
    saying why they are fine. A text holding Liquid or raw HTML is refused (exit 2).

    With --clean, every pending draft whose text has no finding is accepted, each checked
    again and recorded with the reviewer like a single acceptance; a draft with findings
    is never accepted in bulk. Exit 1 when a draft was left alone (each is one line).

    \b
    Examples:
      writer review accept 12 --reviewer ana
      writer review accept 12 --reviewer ana --override --comment "GO term renamed upstream"
      writer review accept --clean --reviewer ana
      writer review accept --clean --type protein-coding --reviewer ana
    """
    if clean:
        if draft_id is not None or override:
            raise UserInputError("--clean accepts every clean pending draft: give no ID and "
                                 "no --override")
        _accept_clean(ctx, reviewer, gene_type)
        return
    if draft_id is None:
        raise UserInputError("give the ID of the draft to accept, or --clean")
    if gene_type is not None:
        raise UserInputError("--type goes with --clean")
    service = _service(ctx)
    review_row = service.accept(draft_id, reviewer, override=override, comment=comment)
    extra = f" despite {len(review_row.findings)} findings" if review_row.override else ""
    click.echo(f"draft {draft_id} accepted{extra} (version {review_row.id})")


def _accept_clean(ctx: click.Context, reviewer: str, gene_type: str | None) -> None:
    from writer.progress import Progress

    service = _service(ctx)
    accepted, left = service.accept_clean(reviewer, gene_type=gene_type, progress=Progress())
    for line in left:
        click.echo(f"left alone: {line}", err=True)
    click.echo(f"{len(accepted):,} clean draft{'s' * (len(accepted) != 1)} accepted by "
               f"{reviewer.strip()}; {len(left):,} left alone")
    if left:
        sys.exit(1)


@review.command("edit")
@click.argument("draft_id", metavar="ID", type=int)
@click.option("--file", "file_", type=click.Path(dir_okay=False, path_type=Path),
              help="The new text (default: open $EDITOR on the current text).")
@reviewer_option
@click.option("--comment", metavar="TEXT", help="What you changed.")
@click.pass_context
@_errors
def edit_cmd(
    ctx: click.Context, draft_id: int, file_: Path | None, reviewer: str, comment: str | None
) -> None:
    """Save a curator's version of a draft; the evaluator checks it like a model's text.

    The page's Checks table is recomputed from the new text. Exit 0 when every claim in the
    new text is traced, 1 when it has findings (they are listed; the edit is saved either
    way, and cannot be accepted until they are fixed or overridden). Liquid ({{ }}, {% %})
    or raw HTML is refused with exit 2; a front-matter key the draft does not have is a
    finding. If someone else reviewed the draft while you edited, nothing is saved; a
    refused text typed in $EDITOR is kept in a file under the home folder.

    \b
    Examples:
      writer review edit 12 --file MT1G.md --reviewer ana
      EDITOR=nano writer review edit 12 --reviewer ana --comment "fixed gene length"
    """
    service = _service(ctx)
    draft = service.queue.get(draft_id)
    based_on = draft.version
    current = service.queue.current_text(draft_id)
    if file_ is not None:
        try:
            text = file_.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadFile(f"cannot read {file_}: {exc}") from None
    else:
        edited = click.edit(current, extension=".md", require_save=True)
        if edited is None:
            raise UserInputError("the editor closed without saving; nothing saved")
        text = edited
    try:
        review_row = service.edit(draft_id, text, reviewer, based_on=based_on, comment=comment)
    except WriterError as exc:
        if file_ is None and text.strip():  # never lose what the curator typed
            kept = _keep(_settings(ctx), draft_id, text)
            exc.args = (f"{exc} (your text is kept in {kept}; fix it and use --file)",)
        raise
    n = len(review_row.findings)
    if n:
        click.echo(f"draft {draft_id} edited (version {review_row.id}); "
                   f"{n} finding{'s' if n != 1 else ''} on the new text:")
        _print_findings(review_row.findings)
        sys.exit(1)
    click.echo(f"draft {draft_id} edited (version {review_row.id}); every claim is traced")


def _keep(settings: Settings, draft_id: int, text: str) -> Path:
    """Save a refused edit from $EDITOR under the home folder, so it is not lost."""
    from writer.draft import utcnow

    folder = settings.home / "unsaved-edits"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"draft-{draft_id}-{utcnow():%Y%m%dT%H%M%S}.md"
    path.write_text(text, encoding="utf-8")
    return path


@review.command("reject")
@click.argument("draft_id", metavar="ID", type=int)
@reviewer_option
@click.option("--comment", metavar="WHY", required=True, help="Why it is rejected.")
@click.pass_context
@_errors
def reject_cmd(ctx: click.Context, draft_id: int, reviewer: str, comment: str) -> None:
    """Reject a draft; it is never published.

    \b
    Examples:
      writer review reject 12 --reviewer ana --comment "wrong canonical transcript"
    """
    service = _service(ctx)
    review_row = service.reject(draft_id, reviewer, comment)
    click.echo(f"draft {draft_id} rejected (version {review_row.id})")


def _review_json(r: Review) -> dict[str, Any]:
    return {
        "version": r.id, "based_on": r.based_on, "action": r.action, "reviewer": r.reviewer,
        "created": r.created.isoformat(), "comment": r.comment, "override": r.override,
        "findings": [f.model_dump(exclude_none=True) for f in r.findings], "diff": r.diff,
    }


@review.command("history")
@click.argument("draft_id", metavar="ID", type=int)
@click.option("--json", "as_json", is_flag=True, help="A JSON list of reviews, oldest first.")
@click.pass_context
@_errors
def history_cmd(ctx: click.Context, draft_id: int, as_json: bool) -> None:
    """Every review of a draft, oldest first, each with the change it made.

    \b
    Examples:
      writer review history 12
      writer review history 12 --json
    """
    _, queue = _open(ctx, readonly=True)
    draft = queue.get(draft_id)
    reviews = queue.history(draft_id)
    if as_json:
        click.echo(json.dumps([_review_json(r) for r in reviews], indent=2))
        return
    click.echo(f"version 0  drafted  {draft.created:%Y-%m-%d %H:%M}  {draft.symbol}  "
               f"{len(draft.findings)} findings")
    previous = draft.text
    for r in reviews:
        flag = " (override)" if r.override else ""
        click.echo(f"version {r.id}  {r.action}{flag}  by {r.reviewer}  "
                   f"{r.created:%Y-%m-%d %H:%M}  {len(r.findings)} findings")
        if r.comment:
            click.echo(f"  comment: {r.comment}")
        diff = word_diff_text(previous, r.text)  # word by word: a changed number stands out
        if diff:
            click.echo("".join("  " + line for line in diff.splitlines(keepends=True)),
                       nl=not diff.endswith("\n"))
        previous = r.text


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@review.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help=f"Address to bind; anything but loopback needs ${SECRET_ENV}.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--reviewer", envvar=REVIEWER_ENV, metavar="NAME",
              help="Reviewer name pre-filled in the forms.")
@click.pass_context
@_errors
def serve_cmd(ctx: click.Context, host: str, port: int, reviewer: str | None) -> None:
    """The review web page: the queue, each draft with its findings and fact sheet.

    Binds to 127.0.0.1 by default. To share it on a network, set a shared secret of at
    least 16 characters in the environment; curators sign in with it once.

    \b
    Examples:
      writer review serve
      writer review serve --port 8080 --reviewer ana
      GENE_WRITER_REVIEW_SECRET=... writer review serve --host 0.0.0.0
    """
    import uvicorn

    from writer.review.web import LOOPBACK_HOSTS, create_app

    settings = _settings(ctx)
    secret = os.environ.get(SECRET_ENV) or None
    loopback = is_loopback(host)
    if not loopback and (secret is None or len(secret.strip()) < 16):
        raise UserInputError(
            f"serving on {host} exposes the review queue: set {SECRET_ENV} to a shared "
            "secret of 16 or more characters first"
        )
    app = create_app(
        settings.queue_path, FactSheets(settings.facts_path), secret=secret,
        reviewer=reviewer, allowed_hosts=LOOPBACK_HOSTS if loopback else None,
    )
    sock = _bind(host, port)
    shown = f"[{host}]" if ":" in host else host
    port = sock.getsockname()[1]
    click.echo(f"review queue {settings.queue_path}\nserving on http://{shown}:{port}/ "
               "(Ctrl+C to stop)", err=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[sock])


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port``, or one line saying why there can be none (a
    port in use, an address this machine does not have)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
    except (OSError, UnicodeError) as exc:
        raise UserInputError(f"cannot serve on {host}:{port}: {exc}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        why = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror or exc
        raise UserInputError(f"cannot serve on {host}:{port}: {why}") from None
    return sock
