"""The review web page: a small server-rendered Starlette app over the review queue.

Works with JavaScript off (plain forms and links); a few keyboard shortcuts are added by a
short inline script when JavaScript is on.

Security
- All text is escaped by Jinja2 autoescape; Markdown goes through ``render.render_page``.
- Anti-forgery: a random ``gw_csrf`` cookie (HttpOnly, SameSite=Strict) and, in every form,
  its HMAC under a key made when the server starts. A POST whose token is missing or wrong,
  or whose Origin is another site, gets 403.
- Bound to loopback, only loopback Host names are answered (no DNS rebinding). Bound to any
  other address, the server needs a shared secret (``GENE_WRITER_REVIEW_SECRET``): a
  browser signs in once on ``/login`` (signed session cookie), a script may send
  ``Authorization: Bearer <secret>``.
- A Content-Security-Policy allows only this page's own inline script (by nonce) and no
  remote content.

Concurrency: every form carries the draft's version (its latest review id); a save made on
an older version is refused with 409 and the curator's text is kept in the editor.
Handlers run in worker threads, each with its own connections: reads use a read-only one and
never wait for a writer, and the evaluator's checks of a save never block the event loop. A
save that cannot get the queue's write lock within ``WRITE_WAIT`` seconds (another process is
writing) is a 503 with ``Retry-After``, the curator's text kept in the editor. An edit over
``writer.check.page.MAX_PAGE_BYTES`` is refused (400) before it is checked.

Sign-in: after ``LOGIN_TRIES`` wrong secrets in a minute from one client address, that
address (only) gets 429 until the minute is over.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from writer.check.models import CheckReport
from writer.errors import (
    HasFindings,
    QueueBusy,
    ReviewRefused,
    StaleEdit,
    UnknownDraft,
    UserInputError,
)
from writer.factsheet import FactSheet
from writer.redraft import changes
from writer.review.render import fact_rows, render_page, word_diff
from writer.review.service import Checker, ReviewService
from writer.review.store import OPEN_STATUSES, STATUSES, Queue, Review

PER_PAGE = 50
CSRF_COOKIE = "gw_csrf"
SESSION_COOKIE = "gw_session"
REVIEWER_COOKIE = "gw_reviewer"
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
WRITE_WAIT = 2.0  # seconds a save waits for another process's write lock, then 503
RETRY_AFTER = 5  # seconds, the 503's Retry-After
LOGIN_TRIES = 10  # wrong secrets a minute from one address before it gets 429

_env = Environment(
    loader=PackageLoader("writer.review", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


class ReviewApp:
    """State and handlers; ``create_app`` wraps it in Starlette."""

    def __init__(
        self,
        queue_path: Path,
        sheets: Callable[[int], FactSheet],
        *,
        checker: Checker | None = None,
        secret: str | None = None,
        reviewer: str | None = None,
    ) -> None:
        self.queue_path = queue_path
        self.sheets = sheets
        self.checker = checker
        self.secret = secret or None
        self.default_reviewer = reviewer or ""
        self.key = secrets.token_bytes(32)
        self._failures: defaultdict[str, deque[float]] = defaultdict(deque)
        self._local = threading.local()

    # --- this thread's connections -------------------------------------------------------
    @property
    def queue(self) -> Queue:
        """This thread's connection for writing (waits ``WRITE_WAIT`` for a lock)."""
        queue = getattr(self._local, "queue", None)
        if queue is None:
            queue = self._local.queue = Queue.open(self.queue_path, wait=WRITE_WAIT)
        return queue

    @property
    def reader(self) -> Queue:
        """This thread's read-only connection: it never waits for a writer."""
        reader = getattr(self._local, "reader", None)
        if reader is None:
            reader = self._local.reader = Queue.open(self.queue_path, readonly=True)
        return reader

    @property
    def service(self) -> ReviewService:
        service = getattr(self._local, "service", None)
        if service is None:
            service = self._local.service = ReviewService(self.queue, self.sheets,
                                                          self.checker)
        return service

    # --- tokens --------------------------------------------------------------------------
    def _sign(self, purpose: str, value: str) -> str:
        return hmac.new(self.key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def csrf_token(self, request: Request) -> str:
        return self._sign("csrf", request.state.csrf_cookie)

    def _csrf_ok(self, request: Request, form: FormData) -> bool:
        cookie = request.cookies.get(CSRF_COOKIE)
        token = form.get("csrf")
        if not cookie or not isinstance(token, str):
            return False
        return hmac.compare_digest(token, self._sign("csrf", cookie))

    @staticmethod
    def _same_origin(request: Request) -> bool:
        origin = request.headers.get("origin")
        if origin is None:
            return True  # older browsers and non-browser clients; the token still applies
        if origin == "null":
            return False
        return urlsplit(origin).netloc == request.headers.get("host", "")

    def _signed_in(self, request: Request) -> bool:
        if self.secret is None:
            return True
        auth = request.headers.get("authorization", "")
        if auth.startswith("Bearer ") and hmac.compare_digest(
            auth[7:].encode(), self.secret.encode()
        ):
            return True
        cookie = request.cookies.get(SESSION_COOKIE, "")
        nonce, _, sig = cookie.partition(".")
        return bool(nonce and sig) and hmac.compare_digest(sig, self._sign("session", nonce))

    # --- middleware ----------------------------------------------------------------------
    async def guard(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        cookie = request.cookies.get(CSRF_COOKIE)
        new_cookie = None
        if not cookie or len(cookie) < 20:
            cookie = new_cookie = secrets.token_urlsafe(32)
        request.state.csrf_cookie = cookie
        request.state.nonce = secrets.token_urlsafe(16)
        path = request.url.path
        response: Response
        if path != "/healthz" and path != "/login" and not self._signed_in(request):
            if request.method == "GET":
                response = RedirectResponse(f"/login?{urlencode({'next': path})}", 303)
            else:
                response = PlainTextResponse("sign in first: the review queue needs its secret",
                                             status_code=401)
        elif request.method == "POST" and not self._same_origin(request):
            response = PlainTextResponse("refused: this form was posted from another site",
                                         status_code=403)
        else:
            response = await call_next(request)
        if new_cookie:
            response.set_cookie(CSRF_COOKIE, new_cookie, httponly=True, samesite="strict")
        nonce = request.state.nonce
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
            f"script-src 'nonce-{nonce}'; form-action 'self'; base-uri 'none'; "
            "frame-ancestors 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    async def _form(self, request: Request) -> FormData | Response:
        form = await request.form()
        if not self._csrf_ok(request, form):
            return self._page(
                request, "message.html", code=403, title="Refused",
                message="The anti-forgery token is missing or wrong. Reload the page and try "
                        "again (the server may have restarted).",
            )
        return form

    # --- rendering -----------------------------------------------------------------------
    def _page(self, request: Request, template: str, code: int = 200, **ctx: Any) -> Response:
        ctx.setdefault("title", "Review queue")
        html = _env.get_template(template).render(
            request=request,
            csrf=self.csrf_token(request),
            nonce=request.state.nonce,
            signed=self.secret is not None,
            reviewer=request.cookies.get(REVIEWER_COOKIE) or self.default_reviewer,
            **ctx,
        )
        return HTMLResponse(html, status_code=code)

    # --- queue ---------------------------------------------------------------------------
    async def index(self, request: Request) -> Response:
        return await run_in_threadpool(self._index, request)

    def _index(self, request: Request) -> Response:
        q = request.query_params
        status = q.get("status", "")
        if status and status not in STATUSES and status != "open":
            status = ""
        gene = q.get("gene", "").strip()[:64]
        findings = q.get("findings", "")
        if findings not in ("clean", "flagged"):
            findings = ""
        flagged = None if not findings else findings == "flagged"
        gene_types = self.reader.gene_types()
        gene_type = q.get("type", "")
        if gene_type not in gene_types:
            gene_type = ""
        try:
            page = max(1, int(q.get("page", "1")))
        except ValueError:
            page = 1
        queue = self.reader
        filters: dict[str, Any] = {"flagged": flagged, "gene_type": gene_type or None}
        total = queue.count(status or None, gene or None, **filters)
        pages = max(1, math.ceil(total / PER_PAGE))
        page = min(page, pages)
        items = queue.list(status or None, gene or None, PER_PAGE, (page - 1) * PER_PAGE,
                           **filters)

        def link(**over: Any) -> str:
            params = {"status": status, "gene": gene, "findings": findings, "type": gene_type,
                      "page": page, **over}
            return "/?" + urlencode({k: v for k, v in params.items() if v not in ("", None, 1)})

        clean = [it for it in items if it.status == "pending" and not it.findings_count]
        return self._page(
            request, "queue.html", items=items, total=total, page=page, pages=pages,
            status=status, gene=gene, counts=queue.counts(), statuses=STATUSES,
            findings=findings, gene_type=gene_type, gene_types=gene_types, clean=clean,
            back=link(), link=link, done=_done(request), accepted=_accepted(request),
        )

    async def accept_clean(self, request: Request) -> Response:
        """"Accept all clean drafts shown": first a confirmation page listing them, then
        (``confirm=yes``) each is accepted as a single acceptance would be; a draft that has
        findings by now, or changed meanwhile, is left alone and listed."""
        form = await self._form(request)
        if isinstance(form, Response):
            return form
        reviewer = str(form.get("reviewer", "")).strip()[:100]
        back = str(form.get("back", "/"))
        if not back.startswith("/?") and back != "/":
            back = "/"
        ids: list[tuple[int, int]] = []
        for value in form.getlist("draft")[:PER_PAGE]:
            draft_id, _, version = str(value).partition(":")
            if draft_id.isdigit() and version.isdigit():
                ids.append((int(draft_id), int(version)))
        if not reviewer or not ids:
            return self._page(request, "message.html", code=400, title="Nothing accepted",
                              message="Enter your name as reviewer, with at least one clean "
                                      "draft shown.")
        if form.get("confirm") != "yes":
            drafts = await run_in_threadpool(
                lambda: self.reader.list(limit=PER_PAGE, ids=[i for i, _ in ids]))
            return self._page(request, "confirm.html", title="Accept clean drafts",
                              drafts=drafts, ids=ids, accepting_as=reviewer, back=back)
        # each acceptance runs the evaluator: off the event loop, in this thread's service
        accepted, left = await run_in_threadpool(
            lambda: self.service.accept_clean(reviewer, ids=ids))
        if left:
            return self._page(request, "message.html", code=200, title="Accepted, some left",
                              message=f"{len(accepted)} accepted; left alone: "
                                      + "; ".join(left))
        sep = "&" if back.startswith("/?") else "?"
        response = RedirectResponse(f"{back}{sep}accepted={len(accepted)}", 303)
        response.set_cookie(REVIEWER_COOKIE, reviewer, samesite="strict", max_age=90 * 86400)
        return response

    async def next_open(self, request: Request) -> Response:
        try:
            after = int(request.query_params.get("after", "0"))
        except ValueError:
            after = 0
        nxt = await run_in_threadpool(lambda: self.reader.next_open(after or None))
        return RedirectResponse(f"/drafts/{nxt}" if nxt else "/?status=open", 303)

    # --- one draft -----------------------------------------------------------------------
    def _draft_page(
        self,
        request: Request,
        draft_id: int,
        *,
        status: int = 200,
        error: str | None = None,
        editor_text: str | None = None,
        extra_findings: list[Any] | None = None,
        comment: str = "",
    ) -> Response:
        queue = self.reader
        draft = queue.get(draft_id)
        history = queue.history(draft_id)
        latest: Review | None = history[-1] if history else None
        text = latest.text if latest else draft.text
        findings = latest.findings if latest else draft.findings
        page_html, located = render_page(text, findings)
        sheet, sheet_error = self.service.try_sheet(draft)
        steps = []
        previous = draft.text
        for review in history:
            steps.append({"review": review, "diff": word_diff(previous, review.text)})
            previous = review.text
        # a redraft: each section against the accepted page it started from
        redraft = [{"change": c, "diff": word_diff(c.old, c.new)}
                   for c in changes(queue, draft)]
        checks = None
        if sheet is not None:  # each Checks row with its reason (the page holds the answers)
            report = self.service.checker(text, sheet)
            checks = report.checks if isinstance(report, CheckReport) else None
        return self._page(
            request, "draft.html", code=status,
            title=f"Draft {draft.id} · {draft.symbol}",
            draft=draft, text=text, page_html=page_html, located=located,
            latest=latest, steps=list(reversed(steps)),
            sheet=sheet, sheet_error=sheet_error,
            facts=fact_rows(sheet) if sheet else [],
            checks=checks, redraft=redraft, disagreements=sheet.disagreements() if sheet else [],
            sheet_changed=bool(sheet and sheet.content_hash() != draft.factsheet_hash),
            error=error, editor_text=text if editor_text is None else editor_text,
            extra_findings=extra_findings or [], comment=comment,
            next_id=queue.next_open(draft.id), done=_done(request),
            saved=request.query_params.get("saved") == "1",
            is_open=draft.status in OPEN_STATUSES,
        )

    async def draft(self, request: Request) -> Response:
        return await run_in_threadpool(self._draft, request)

    def _draft(self, request: Request) -> Response:
        try:
            return self._draft_page(request, int(request.path_params["id"]))
        except UnknownDraft as exc:
            return self._page(request, "message.html", code=404, title="Not found",
                              message=str(exc))

    async def raw(self, request: Request) -> Response:
        try:
            draft_id = int(request.path_params["id"])
            text = await run_in_threadpool(lambda: self.reader.current_text(draft_id))
        except UnknownDraft as exc:
            return PlainTextResponse(str(exc), status_code=404)
        return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")

    async def act(self, request: Request) -> Response:
        draft_id = int(request.path_params["id"])
        action = request.path_params["action"]
        if action not in ("accept", "edit", "reject"):
            return PlainTextResponse("not found", status_code=404)
        form = await self._form(request)
        if isinstance(form, Response):
            return form
        return await run_in_threadpool(self._act, request, draft_id, action, form)

    def _act(self, request: Request, draft_id: int, action: str, form: FormData) -> Response:
        reviewer = str(form.get("reviewer", "")).strip()[:100]
        comment = str(form.get("comment", ""))[:5000]
        text = str(form.get("text", "")) if action == "edit" else None
        try:
            version = int(str(form.get("version", "")))
        except ValueError:
            version = -1  # a form without its version can only be stale
        try:
            if not reviewer:
                raise UserInputError("enter your name as reviewer")
            if action == "accept":
                review = self.service.accept(
                    draft_id, reviewer, based_on=version,
                    override=form.get("override") == "yes", comment=comment,
                )
            elif action == "reject":
                review = self.service.reject(draft_id, reviewer, comment, based_on=version)
            else:
                review = self.service.edit(
                    draft_id, text or "", reviewer, based_on=version, comment=comment
                )
        except UnknownDraft as exc:
            return self._page(request, "message.html", code=404, title="Not found",
                              message=str(exc))
        except StaleEdit as exc:
            return self._draft_page(request, draft_id, status=409, error=str(exc),
                                    editor_text=text, comment=comment)
        except QueueBusy:
            response = self._draft_page(
                request, draft_id, status=503, editor_text=text, comment=comment,
                error="Not saved: the review queue is busy (another process is writing to "
                      f"it). Your text is still here; save again in {RETRY_AFTER} seconds.")
            response.headers["Retry-After"] = str(RETRY_AFTER)
            return response
        except HasFindings as exc:
            return self._draft_page(request, draft_id, status=422, error=_on_the_web(exc),
                                    extra_findings=exc.findings, comment=comment)
        except (UserInputError, ReviewRefused) as exc:
            return self._draft_page(request, draft_id, status=400, error=_on_the_web(exc),
                                    editor_text=text, comment=comment)
        if review.action == "edited":
            target = f"/drafts/{draft_id}?saved=1"
        else:
            nxt = self.reader.next_open(draft_id)
            done = urlencode({"done": draft_id, "action": review.action})
            target = f"/drafts/{nxt}?{done}" if nxt else f"/?{done}"
        response = RedirectResponse(target, 303)
        response.set_cookie(REVIEWER_COOKIE, reviewer, samesite="strict", max_age=90 * 86400)
        return response

    # --- signing in ----------------------------------------------------------------------
    async def login(self, request: Request) -> Response:
        nxt = request.query_params.get("next", "/")
        if not nxt.startswith("/") or nxt.startswith("//"):
            nxt = "/"
        if request.method == "GET":
            return self._page(request, "login.html", title="Sign in", next=nxt,
                              needed=self.secret is not None)
        form = await self._form(request)
        if isinstance(form, Response):
            return form
        if self.secret is None:
            return RedirectResponse(nxt, 303)
        now = time.monotonic()
        for address in [a for a, f in self._failures.items() if f and now - f[-1] > 60]:
            del self._failures[address]  # addresses whose minute is over
        failures = self._failures[request.client.host if request.client else ""]
        while failures and now - failures[0] > 60:
            failures.popleft()
        if len(failures) >= LOGIN_TRIES:
            return PlainTextResponse("too many wrong secrets from your address; wait a minute",
                                     status_code=429)
        given = str(form.get("secret", ""))
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            failures.append(now)
            return self._page(request, "login.html", code=403, title="Sign in", next=nxt,
                              needed=True, error="That is not the secret.")
        response = RedirectResponse(nxt, 303)
        nonce = secrets.token_urlsafe(16)
        response.set_cookie(SESSION_COOKIE, f"{nonce}.{self._sign('session', nonce)}",
                            httponly=True, samesite="strict")
        return response

    async def healthz(self, request: Request) -> Response:
        return PlainTextResponse("ok")


def _accepted(request: Request) -> int | None:
    value = request.query_params.get("accepted", "")
    return int(value) if value.isdigit() and len(value) < 7 else None


def _on_the_web(exc: Exception) -> str:
    """A refusal in the web page's terms: the service speaks the CLI's (flags, commands)."""
    if isinstance(exc, HasFindings):
        n = len(exc.findings)
        return (f"Draft {exc.draft_id} not accepted: its text has {n} finding"
                f"{'s' if n != 1 else ''} (listed below). Fix them with \u201cEdit the text\u201d, "
                "or tick \u201caccept despite the findings\u201d, say why, and accept again.")
    if isinstance(exc, UserInputError) and "--override" in str(exc):
        return ("To accept despite the findings, say why in the box beside "
                "\u201caccept despite the findings\u201d.")
    return str(exc)


def _done(request: Request) -> dict[str, Any] | None:
    q = request.query_params
    action = q.get("action")
    if action in ("accepted", "rejected", "edited") and q.get("done", "").isdigit():
        return {"id": int(q["done"]), "action": action}
    return None


def create_app(
    queue_path: Path,
    sheets: Callable[[int], FactSheet],
    *,
    checker: Checker | None = None,
    secret: str | None = None,
    reviewer: str | None = None,
    allowed_hosts: list[str] | None = None,
) -> Starlette:
    """The ASGI app. ``allowed_hosts`` limits the Host header (loopback names when serving
    on loopback); ``secret`` turns on sign-in."""
    if secret is not None and not secret.strip():
        raise UserInputError("the review secret is only whitespace: choose a real one")
    Queue.open(queue_path).close()  # created and migrated once, before any request
    state = ReviewApp(queue_path, sheets, checker=checker, secret=secret, reviewer=reviewer)
    middleware = []
    if allowed_hosts:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))
    middleware.append(Middleware(BaseHTTPMiddleware, dispatch=state.guard))
    app = Starlette(
        routes=[
            Route("/", state.index),
            Route("/next", state.next_open),
            Route("/accept-clean", state.accept_clean, methods=["POST"]),
            Route("/drafts/{id:int}", state.draft),
            Route("/drafts/{id:int}/text", state.raw),
            Route("/drafts/{id:int}/{action:str}", state.act, methods=["POST"]),
            Route("/login", state.login, methods=["GET", "POST"]),
            Route("/healthz", state.healthz),
        ],
        middleware=middleware,
    )
    app.state.review = state
    return app
