#!/usr/bin/env python3
"""A deliberately flawed OpenAI-compatible endpoint, for testing the grounding loop in CI.

It answers ``POST /v1/chat/completions`` in the documented chat.completions format with
paragraphs that look right but are not: the section's template paragraph (copied from the
prompt) with one kind of flaw, a different one at each re-ask:

- ``invented_number``: a sentence with a number no fact states;
- ``changed_numbers``: the paragraph's numbers with their last digit changed;
- ``wrong_symbol``: the gene called by another gene's symbol, and an invented partner;
- ``wrong_names``: a tissue, a pathway and a chromosome band the facts do not hold (the
  band is one no gene has, so the paragraph is wrong whatever the gene's tissues and
  pathways are);
- ``markup``: ``<script>``, an event handler, Liquid and a foreign link around an invented
  number.

Every answer holds at least one claim the evaluator must refuse, so a correct
``writer eval --model flawed`` shows every section falling back to its template text, no
flaw on any page, and exits 1 on the acceptance threshold.

Standard library only; binds 127.0.0.1 and nothing else; bounded: it stops by itself after
``--lifetime`` seconds or ``--max-requests`` requests, and refuses bodies over 1 MB.

    python3 evals/flawed_endpoint.py                        # serve; prints the base URL
    python3 evals/flawed_endpoint.py -- writer eval --model flawed
        # serve, run the command with OPENAI_BASE_URL set to this server, exit with its code
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOST = "127.0.0.1"
MAX_BODY = 1_000_000
FLAWS = ("invented_number", "changed_numbers", "wrong_symbol", "wrong_names", "markup")
# Markers a test can look for on the pages: none of them may ever reach one.
INVENTED_NUMBER = "4,817"
INVENTED_SYMBOL = "ZNF9999"
WRONG_NAMES = "It is most highly expressed in the cerebellum"
MARKUP = ("<script", "onmouseover", "{{ site", "evil.invalid")
WRONG_BAND = "22q14"  # no such band (22q ends at 22q13.33): never a gene's own band


def _user_text(body: dict[str, Any]) -> str:
    for m in body.get("messages") or ():
        if isinstance(m, dict) and m.get("role") == "user" and isinstance(m.get("content"), str):
            return m["content"]
    return ""


def _template(user: str) -> str:
    """The template paragraph the prompt carries (the flaws are planted into it)."""
    marker = "for the expected tone and form"
    if marker in user:
        tail = user.split(marker, 1)[1]
        return tail.split(":", 1)[1].strip() if ":" in tail else tail.strip()
    return ""


def _symbol(user: str) -> str:
    m = re.search(r"Gene: ([^\s.]+(?:\.[^\s.]+)*)\.", user)
    return m.group(1) if m else "the gene"


def _bump(m: re.Match[str]) -> str:
    digits = m.group(0)
    return digits[:-1] + str((int(digits[-1]) + 1) % 10)


def flawed_paragraph(body: dict[str, Any]) -> tuple[str, str]:
    """(flaw, paragraph) for one request; the flaw changes with each re-ask."""
    user = _user_text(body)
    symbol = _symbol(user)
    section = re.search(r"^Section: ([^.]+)\.", user, re.MULTILINE)
    turns = sum(1 for m in body.get("messages") or () if isinstance(m, dict)
                and m.get("role") == "assistant")
    key = f"{symbol}-{section.group(1) if section else ''}"
    flaw = FLAWS[(zlib.crc32(key.encode()) + turns) % len(FLAWS)]
    text = _template(user) or f"The gene {symbol} is described here."
    invented = f" The gene has {INVENTED_NUMBER} known splice variants."
    if flaw == "invented_number":
        return flaw, text + invented
    if flaw == "changed_numbers":
        changed = re.sub(r"(?<![\w./:#-])\d{2,}(?![\w/])", _bump, text)
        return flaw, (changed if changed != text else text + invented)
    if flaw == "wrong_symbol":
        other = "BRCA2" if symbol.upper() != "BRCA2" else "TP53"
        swapped = re.sub(rf"(?<![\w/-]){re.escape(symbol)}(?![\w-])", other, text)
        return flaw, f"{swapped} It forms a complex with {INVENTED_SYMBOL}."
    if flaw == "wrong_names":
        return flaw, (f"{text} {WRONG_NAMES}, belongs to the Wnt signaling pathway and lies "
                      f"on chromosome band {WRONG_BAND}.")
    return flaw, ("<script>alert('flawed')</script>" + text
                  + " <b onmouseover=\"alert(1)\">See also</b> {{ site.secret }} "
                  + "[the full record](https://evil.invalid/x)." + invented)


def completion(text: str, model: str, prompt: str, n: int) -> dict[str, Any]:
    prompt_tokens = max(1, len(prompt.split()))
    completion_tokens = max(1, len(text.split()))
    return {
        "id": f"chatcmpl-flawed-{n}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                     "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


class FlawedServer:
    """The server in a thread: ``with FlawedServer() as s: s.base_url``."""

    def __init__(self, port: int = 0, lifetime: float = 600.0, max_requests: int = 20_000
                 ) -> None:
        self.max_requests = max_requests
        self.lifetime = lifetime
        self.requests = 0
        self.flaws: dict[str, int] = dict.fromkeys(FLAWS, 0)
        self.lock = threading.Lock()
        self.done = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, payload: Any) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self) -> None:  # noqa: N802
                if self.path.rstrip("/") == "/v1/models":
                    self._send(200, {"object": "list", "data": [
                        {"id": "flawed", "object": "model", "owned_by": "gene-writer-evals"}]})
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                if length > MAX_BODY:
                    self.close_connection = True
                    self._send(413, {"error": {"message": "request too large"}})
                    return
                raw = self.rfile.read(length)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {"error": {"message": "not found"}})
                    return
                with outer.lock:
                    outer.requests += 1
                    n = outer.requests
                if n > outer.max_requests:
                    self._send(503, {"error": {"message": "request budget spent"}})
                    outer.done.set()
                    return
                try:
                    body = json.loads(raw)
                except ValueError:
                    self._send(400, {"error": {"message": "body is not JSON"}})
                    return
                flaw, text = flawed_paragraph(body)
                with outer.lock:
                    outer.flaws[flaw] += 1
                self._send(200, completion(text, str(body.get("model") or "flawed"),
                                           json.dumps(body.get("messages")), n))

        self.server = ThreadingHTTPServer((HOST, port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.timer = threading.Timer(lifetime, self.done.set)
        self.timer.daemon = True
        self.watch = threading.Thread(target=self._stop_when_done, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def _stop_when_done(self) -> None:
        self.done.wait()
        self.server.shutdown()

    def __enter__(self) -> FlawedServer:
        self.thread.start()
        self.timer.start()
        self.watch.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()
        self.done.set()
        self.watch.join(timeout=5)
        self.server.server_close()
        self.thread.join(timeout=5)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command: list[str] = []
    if "--" in args:
        at = args.index("--")
        args, command = args[:at], args[at + 1:]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     usage="%(prog)s [options] [-- COMMAND ...]")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--lifetime", type=float, default=600.0,
                        help="seconds before the server stops by itself (default 600)")
    parser.add_argument("--max-requests", type=int, default=20_000,
                        help="requests answered before it stops (default 20000)")
    opts = parser.parse_args(args)
    with FlawedServer(opts.port, opts.lifetime, opts.max_requests) as server:
        if not command:
            print(server.base_url, flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                server.done.wait()
            return 0
        # a real key in the environment is never sent to this server
        env = dict(os.environ, OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="not-needed")
        try:
            code = subprocess.run(command, env=env, timeout=opts.lifetime).returncode
        except subprocess.TimeoutExpired:
            print(f"flawed_endpoint: {command[0]} ran past --lifetime {opts.lifetime:g} s",
                  file=sys.stderr)
            code = 124
        except OSError as exc:
            print(f"flawed_endpoint: cannot run {command[0]}: {exc}", file=sys.stderr)
            code = 127
        print(f"flawed_endpoint: {server.requests} requests answered "
              f"({', '.join(f'{k} {v}' for k, v in server.flaws.items())})", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
