#!/usr/bin/env bash
# Prompt ablation with a real local model (issue 16 item 3): `evals/local-model.sh` (which
# serves the GGUF and runs `writer eval`) once per prompt variant, one variant after the
# other, never in parallel, on the same genes with the same options; then one Markdown table
# of the figures of every variant (evals/ablation_table.py) with the command, date and load.
#
#   evals/ablation.sh                                   # Qwen2.5-Coder-0.5B, 4 genes, 4 variants
#   GENES="MT1G NME1" OUT=evals/ablation-qwen2.5-coder-0.5b.md evals/ablation.sh
#   LOCAL_MODEL=smollm2 VARIANTS="default no-example" evals/ablation.sh --max-tokens 200
#
# Arguments go to every `writer eval` run (after the script's own). Environment [defaults]:
#   LOCAL_MODEL [qwen2.5-coder-0.5b]  GGUF, MODEL, THREADS [1], ...: as for local-model.sh
#   GENES [MT1G NME1 APOE INS]  VARIANTS [default no-example json-facts no-example-json]
#   OUT [ablation.md]  the table      WORK [a new temporary folder]  each variant's JSON
#                                     report, Markdown summary and pages (WORK/VARIANT*)
# Exit status: 0 when every variant ran (a missed eval threshold is a figure here, not an
# error), 2 when a run could not be made.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
export LOCAL_MODEL="${LOCAL_MODEL:-qwen2.5-coder-0.5b}"
GENES="${GENES:-MT1G NME1 APOE INS}"
VARIANTS="${VARIANTS:-default no-example json-facts no-example-json}"
OUT="${OUT:-ablation.md}"
WORK="${WORK:-$(mktemp -d -t ablation.XXXXXX)}"
PYTHON="${PYTHON:-python3}"
mkdir -p "$WORK"
say() { echo "ablation: $*" >&2; }

gene_args=()
for g in $GENES; do gene_args+=(--gene "$g"); done
command="$(printf '%q ' env "LOCAL_MODEL=$LOCAL_MODEL" ${GGUF:+"GGUF=$GGUF"} \
    "THREADS=${THREADS:-1}" "GENES=$GENES" "VARIANTS=$VARIANTS" evals/ablation.sh "$@")"
reports=()
for v in $VARIANTS; do
    say "variant $v: genes $GENES (work $WORK)"
    cut -d' ' -f1-3 /proc/loadavg >"$WORK/$v.load"
    set +e
    REPORT="$WORK/$v.md" "$HERE/local-model.sh" --prompt-variant "$v" "${gene_args[@]}" \
        --pages "$WORK/$v-pages" --json "$@" >"$WORK/$v.json"
    code=$?
    set -e
    cut -d' ' -f1-3 /proc/loadavg >>"$WORK/$v.load"
    [[ $code -le 1 ]] || { say "variant $v: the run failed (exit $code)"; exit 2; }
    reports+=("$WORK/$v.json")
done
"$PYTHON" "$HERE/ablation_table.py" --command "$command" "${reports[@]}" >"$OUT"
say "table written to $OUT"
