#!/usr/bin/env python3
"""Serve one GGUF model over the OpenAI API on the loopback interface, with xllamacpp.

Runs in the virtualenv that holds the prebuilt PyPI wheel ``xllamacpp`` (llama.cpp's own C++
server behind Python bindings: no compile step, no Python web framework). Used by
``evals/local-model.sh``; any GGUF file will do.

    python evals/gguf_server.py --gguf SmolLM2-135M-Instruct.Q4_1.gguf --alias smollm2
        # prints "listening on http://127.0.0.1:PORT" on stdout once the model is loaded,
        # then serves until SIGTERM / SIGINT, or --lifetime seconds have passed

Binds 127.0.0.1 only. ``--port 0`` lets the system pick a free port.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import threading


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gguf", required=True, help="path of the GGUF model file")
    ap.add_argument("--alias", default="local", help="the model's name in the API [local]")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    ap.add_argument("--ctx", type=int, default=8192, help="context size in tokens [8192]")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2,
                    help="CPU threads [all cores]")
    ap.add_argument("--max-tokens", type=int, default=800,
                    help="cap on tokens generated per request [800]")
    ap.add_argument("--lifetime", type=float, default=3600.0,
                    help="stop by itself after this many seconds [3600]")
    args = ap.parse_args(argv)
    if not os.path.isfile(args.gguf):
        print(f"gguf_server: no such file: {args.gguf}", file=sys.stderr)
        return 2

    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = args.gguf
    params.model_alias = {args.alias}
    params.hostnames = ["127.0.0.1"]
    params.port = args.port or free_port()
    params.n_ctx = args.ctx
    params.n_parallel = 1  # one slot: the whole context for one request at a time
    params.n_predict = args.max_tokens
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.sampling.seed = 42
    server = xlc.Server(params)  # loads the model, then listens

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(f"listening on {server.listening_address}", flush=True)
    stop.wait(args.lifetime)
    del server  # stops the server's loop and frees the model
    return 0


if __name__ == "__main__":
    sys.exit(main())
