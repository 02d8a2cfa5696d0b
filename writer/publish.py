"""``writer publish --out DIR``: accepted drafts as Jekyll posts.

One post per gene: the final text of its most recently accepted draft (a draft whose latest
review is an acceptance), named ``YYYY-MM-DD-<symbol>.md`` with the date of the page's front
matter (else of the acceptance), or ``YYYY-MM-DD-<symbol>-<NCBI Gene ID>.md`` when two
published genes share the symbol (HBD is 3045 and 100187828). Rejected and pending drafts
are never written.

Publish only ever touches files directly inside ``DIR``: a manifest that is not what this
command writes (a name with a folder in it, ``../victim.txt``, an entry of the wrong shape)
is refused as a whole, one line and exit 2, before anything is written; so is a folder that
cannot be written to, or a folder where a post would go.

Each file is written atomically (a temporary file in ``DIR``, fsync, ``os.replace``), readable
by a web server (mode 0644), and only when its content changes, so a second run changes
nothing. It is also quick: a post whose accepted review and fact store file are those the
manifest recorded, and whose file is as we wrote it, is not judged again (its Checks table
was computed on that very text against that very store), so an incremental run over 20,000
posts costs a few seconds. ``DIR/.gene-writer-published.json``
records what this command wrote; a post of ours that is no longer wanted (the gene's page is
now dated differently, or its draft was later rejected) is removed, but a file that someone
changed by hand, or that we did not write, is never overwritten or removed: it is reported
and the command exits 1.

Publishing is the last line of defence, so each page is judged again first:
- its Checks table is recomputed on the post's text, front matter included, against the
  gene's current fact sheet (``writer.sections.checks.with_checks``): a post's table is what
  ``writer check`` says of that post;
- a page holding Liquid or raw HTML, or a front-matter key the draft does not have (unless
  the curator accepted it with an override), is not written (``writer.review.markup``);
- a page that now has a finding the curator did not accept (say, the fact sheet changed
  since) is not written either. Each refusal is one line, the page's earlier post is kept,
  and the command exits 1.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from writer.check.models import Finding
from writer.errors import BadFile, NoFactStore, UserInputError, WriterError, fail
from writer.factsheet import FactSheet
from writer.review import markup
from writer.review.store import DraftSummary, Queue, Review

MANIFEST = ".gene-writer-published.json"
_DATE = re.compile(r"^date:\s*['\"]?(\d{4}-\d{2}-\d{2})", re.M)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_POST_NAME = re.compile(r"\d{4}-\d{2}-\d{2}-[A-Za-z0-9][A-Za-z0-9._-]*\.md")


@dataclass
class PublishResult:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "written": [p.name for p in self.written],
            "unchanged": [p.name for p in self.unchanged],
            "removed": [p.name for p in self.removed],
            "conflicts": self.conflicts,
        }


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def post_name(symbol: str, text: str, accepted_date: str, gene_id: int | None = None) -> str:
    """The post's file name; ``gene_id`` is added when another published gene has the same
    symbol."""
    fm = markup.front_matter(text) or ""
    m = _DATE.search(fm)
    date = m.group(1) if m else accepted_date
    safe = _UNSAFE.sub("-", symbol).strip("-.") or "gene"
    return f"{date}-{safe}{'' if gene_id is None else f'-{gene_id}'}.md"


def post_text(symbol: str, text: str, date: str) -> str:
    """The post: the accepted text, given minimal front matter if it has none."""
    if markup.front_matter(text) is None:
        text = f"---\nlayout: post\ntitle: {symbol}\ndate: {date}\n---\n\n{text}"
    return text if text.endswith("\n") else text + "\n"


POST_MODE = 0o644  # a web server (another user) reads what we publish


def write_atomically(path: Path, data: bytes, mode: int = POST_MODE) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)  # mkstemp makes 0600 files
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def _file_sha(path: Path) -> str | None:
    try:
        return _sha(path.read_bytes())
    except OSError:
        return None


def _read_manifest(out: Path) -> dict[str, dict[str, Any]]:
    path = out / MANIFEST
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadFile(f"cannot read {path}: {' '.join(str(exc).split())}") from None
    posts = data.get("posts") if isinstance(data, dict) else None
    if not isinstance(posts, dict):
        raise BadFile(f"{path} is not what writer publish writes (no posts); nothing was "
                      "written. Move it away to publish into this folder")
    for name, entry in posts.items():
        if not _POST_NAME.fullmatch(name) or not isinstance(entry, dict) \
                or not isinstance(entry.get("sha256"), str):
            raise BadFile(f"{path} is not what writer publish writes (entry {name[:80]!r}); "
                          "nothing was written. Move it away to publish into this folder")
    return dict(posts)


def _seen(f: Finding) -> tuple[str, str, str]:
    return (f.kind, f.status, f.claim)


def judged_post(queue: Queue, summary: DraftSummary, review: Review, date: str,
                sheets: Callable[[int], FactSheet]) -> str:
    """The post of an accepted review, with a Checks table that is true of it; raises
    ``PageRefused`` with one line when the page may not be published."""
    from writer.sections.checks import with_checks

    text = post_text(summary.symbol, review.text, date)
    why = markup.unsafe_markup(text)
    if why:
        raise PageRefused(why)
    accepted = {_seen(f) for f in review.findings} if review.override else set()
    keys = [f for f in markup.added_keys(queue.get(summary.id).text, text)
            if _seen(f) not in accepted]
    if keys:
        raise PageRefused(f"its front matter has {', '.join(repr(f.claim) for f in keys)}, "
                          "which the draft does not have and no curator accepted")
    try:
        sheet = sheets(summary.gene_id)
    except NoFactStore:
        raise
    except UserInputError as exc:
        raise PageRefused(f"its Checks table cannot be recomputed: {exc}") from None
    text, report = with_checks(text, sheet)
    new = [f for f in report.findings if _seen(f) not in accepted]
    if new:
        n = len(new)
        raise PageRefused(
            f"it has {n} finding{'s' * (n != 1)} the curator did not accept (first: "
            f"{new[0].status} {new[0].kind} {new[0].claim[:60]!r}); review draft "
            f"{summary.id} again")
    return text


# --- a minimal Jekyll site around the posts -------------------------------------------------
SITE_CONFIG = """\
# A minimal Jekyll site for gene pages, written by `writer publish --site` (gene-writer).
# It is yours to change: gene-writer never overwrites this file.
title: {title}
description: Gene pages, every claim checked against public databases.
url: {url}
baseurl: ""
theme: minima
markdown: kramdown
kramdown:
  input: GFM
permalink: /:year/:month/:day/:title/
"""

GENERATOR = "generator: gene-writer"
SITE_INDEX = """\
---
layout: page
title: Genes
permalink: /
{generator}
---
{{% assign genes = site.posts | sort: "title" %}}
{{{{ genes | size }}}} genes.

{{% for post in genes %}}
- [{{{{ post.title }}}}]({{{{ post.url | absolute_url }}}})
{{% endfor %}}
"""


def write_site(root: Path, url: str, title: str = "Gene pages") -> list[Path]:
    """A minimal Jekyll site in ``root`` around ``root/_posts``: ``_config.yml`` (theme minima;
    written only when missing) and ``index.md``, an index of genes (rewritten only while it is
    ours). Returns the files written."""
    written = []
    config = root / "_config.yml"
    if not config.exists():
        write_atomically(config, SITE_CONFIG.format(title=json.dumps(title),
                                                    url=json.dumps(url)).encode("utf-8"))
        written.append(config)
    index = root / "index.md"
    data = SITE_INDEX.format(generator=GENERATOR).encode("utf-8")
    if not index.exists() or (GENERATOR.encode() in index.read_bytes()
                              and index.read_bytes() != data):
        write_atomically(index, data)
        written.append(index)
    return written


class PageRefused(Exception):
    """One page may not be published (the reason is one line)."""


def publish_posts(queue: Queue, out: Path,
                  sheets: Callable[[int], FactSheet]) -> PublishResult:
    """Write the accepted drafts of ``queue`` into ``out``; ``sheets`` gives a gene's
    current fact sheet by NCBI Gene ID (``writer.review.service.FactSheets``)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadFile(f"cannot create {out}: {exc}") from None
    if not out.is_dir():
        raise BadFile(f"{out} is not a folder")
    latest: dict[int, tuple[Any, Any]] = {}
    for summary, review in queue.accepted():
        held = latest.get(summary.gene_id)
        if held is None or review.id > held[1].id:
            latest[summary.gene_id] = (summary, review)
    symbols = [s.symbol.casefold() for s, _ in latest.values()]
    shared = {sym for sym in symbols if symbols.count(sym) > 1}
    names = {gid: post_name(s.symbol, r.text, r.created.strftime("%Y-%m-%d"),
                            gid if s.symbol.casefold() in shared else None)
             for gid, (s, r) in latest.items()}

    manifest = _read_manifest(out)
    for name in names.values():
        if (out / name).is_dir():
            raise BadFile(f"{out / name} is a folder where a post would go; nothing was written")
    try:
        return _publish(queue, out, sheets, latest, names, manifest)
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise BadFile(f"cannot write into {out}:{where} {exc.strerror or exc}") from None


def _publish(queue: Queue, out: Path, sheets: Callable[[int], FactSheet],
             latest: dict[int, tuple[Any, Any]], names: dict[int, str],
             manifest: dict[str, dict[str, Any]]) -> PublishResult:
    try:  # an unwritable folder is found before the first post is written
        tempfile.TemporaryFile(dir=out).close()
    except OSError as exc:
        raise BadFile(f"cannot write into {out}: {exc.strerror or exc}") from None
    new_manifest: dict[str, dict[str, Any]] = {}
    result = PublishResult()
    identity = getattr(sheets, "identity", None)  # of the fact store file, when known
    for gene_id, (summary, review) in sorted(latest.items(),
                                             key=lambda kv: (kv[1][0].symbol, kv[0])):
        date = review.created.strftime("%Y-%m-%d")
        name = names[gene_id]
        held = manifest.get(name)
        if (identity is not None and held is not None and held.get("review_id") == review.id
                and held.get("facts_store") == identity
                and _file_sha(out / name) == held.get("sha256")):
            result.unchanged.append(out / name)  # judged on this text and store already
            new_manifest[name] = held
            continue
        try:
            data = judged_post(queue, summary, review, date, sheets).encode("utf-8")
        except PageRefused as exc:
            result.conflicts.append(f"{name}: not published: {exc}")
            new_manifest.update({k: v for k, v in manifest.items()
                                 if v.get("gene_id") == summary.gene_id})
            continue
        path = out / name
        entry = {"draft_id": summary.id, "review_id": review.id, "gene_id": summary.gene_id,
                 "symbol": summary.symbol, "sha256": _sha(data), "facts_store": identity}
        if path.exists():
            current = path.read_bytes()
            if current == data:
                result.unchanged.append(path)
                new_manifest[name] = entry
                continue
            ours = manifest.get(name)
            if ours is None or ours.get("sha256") != _sha(current):
                result.conflicts.append(
                    f"{name}: changed by hand or not written by gene-writer; not overwritten"
                )
                if ours is not None:
                    new_manifest[name] = ours
                continue
        write_atomically(path, data)
        result.written.append(path)
        new_manifest[name] = entry

    for name, entry in manifest.items():
        if name in new_manifest:
            continue
        path = out / name
        if not path.is_file():
            continue
        if _sha(path.read_bytes()) != entry.get("sha256"):
            result.conflicts.append(f"{name}: no longer published, but changed by hand; kept")
            continue
        path.unlink()
        result.removed.append(path)

    if new_manifest != manifest:
        body = json.dumps({"posts": dict(sorted(new_manifest.items()))}, indent=2) + "\n"
        write_atomically(out / MANIFEST, body.encode("utf-8"))
    return result


@click.command("publish")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The Jekyll site's posts folder, e.g. site/_posts (with --site: the site).")
@click.option("--site", "site", is_flag=True,
              help="--out is a whole Jekyll site: posts go to OUT/_posts, and OUT gets a "
                   "minimal _config.yml (theme minima; never overwritten) and an index of "
                   "genes, ready for `jekyll build`.")
@click.option("--url", "url", default="http://localhost:4000", show_default=True,
              metavar="URL", help="With --site: where the site is served (its absolute links).")
@click.option("--json", "as_json", is_flag=True,
              help="A JSON object {written, unchanged, removed, conflicts} of file names.")
@click.pass_context
def publish(ctx: click.Context, out: Path, site: bool, url: str, as_json: bool) -> None:
    """Write every accepted draft as a Jekyll post YYYY-MM-DD-<symbol>.md, one per gene.

    Only posts whose accepted text or fact store changed are judged and written again.
    Only the latest accepted draft of each gene is written; rejected and pending drafts
    never are. Each page's Checks table is recomputed against the fact store first. A page
    holding Liquid or raw HTML, a front-matter key no curator accepted, or a finding no
    curator accepted is not written. Running it again changes nothing. Exit 1 when a page
    was refused or a file was changed by hand (both are left alone and listed).

    \b
    Examples:
      writer publish --out site/_posts
      writer publish --out site/_posts --json
      writer publish --out site --site --url https://genes.example.org
    """
    if site and not re.match(r"^https?://[^\s/]+", url):
        click.echo(f"error: --url {url!r} is not an http(s) URL", err=True)
        raise SystemExit(2)
    from writer.config import Settings, load_settings
    from writer.review.service import FactSheets

    try:
        root_obj = ctx.find_root().obj
        settings = root_obj if isinstance(root_obj, Settings) else load_settings()
        with Queue.open(settings.queue_path, readonly=True) as queue:
            posts = out / "_posts" if site else out
            result = publish_posts(queue, posts, FactSheets(settings.facts_path))
            if site:
                result.written += write_site(out, url)
    except WriterError as exc:
        fail(exc)
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2))
    else:
        for p in result.written:
            click.echo(f"wrote {p}")
        for p in result.removed:
            click.echo(f"removed {p}")
        for c in result.conflicts:
            click.echo(f"conflict: {c}", err=True)
        click.echo(f"{len(result.written)} written, {len(result.unchanged)} unchanged, "
                   f"{len(result.removed)} removed")
    if result.conflicts:
        raise SystemExit(1)

