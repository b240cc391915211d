#!/usr/bin/env bash
# Experiment 4 of issue 9 (MNIST): a TrigFlow diffusion teacher at 35 NFE vs sCD and sCT at 1 and 2 steps,
# FD and precision/recall in the project's MNIST classifier features, PNG grids. Runs the two example
# scripts of examples/mnist — the sCD one (teacher, then sCD from the teacher), and, as soon as the teacher
# is trained, the sCT one from the same teacher (the paper's protocol: every CM starts from the teacher's
# EMA) in parallel — then writes experiments/results/mnist.json and mnist.md with report.mjs.
#   experiments/mnist/run.sh [OUT]      (default OUT = runs/exp-mnist; about 75 min on a 2-core CPU shared with other jobs)
# The budget can be changed with MNIST_TEACHER_STEPS, MNIST_CM_STEPS, MNIST_N, MNIST_MODEL, MNIST_SIZE;
# MNIST_TEACHER=DIR reuses a trained teacher checkpoint (e.g. OUT/scd/teacher of an earlier run) and runs
# sCD and sCT from it side by side.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${1:-runs/exp-mnist}"
TEACHER_STEPS="${MNIST_TEACHER_STEPS:-1000}" CM_STEPS="${MNIST_CM_STEPS:-200}" N="${MNIST_N:-500}"
MODEL="${MNIST_MODEL:-small}" SIZE="${MNIST_SIZE:-14}"
# The recorded settings, spelled out: the examples' defaults have since moved to scm train's recipe.
COMMON=(--size "$SIZE" --model "$MODEL" --batch 32 --seed 0 --n "$N" --lr 3e-4 --ema 0.99 --lr-schedule constant --warmup $(( (CM_STEPS + 2) / 4 )))
[ "${MNIST_SKIP_BUILD:-0}" = 1 ] || npx tsc -b examples/mnist
mkdir -p "$OUT"
start=$(date +%s)
dirty=$(git status --porcelain --untracked-files=no | grep -q . && echo " (with uncommitted changes in the tree)" || true)
printf '{"startedAt": "%s", "commit": "%s%s"}\n' "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)" "$(git rev-parse --short HEAD)" "$dirty" > "$OUT/run-info.json"
TEACHER="${MNIST_TEACHER:-}"
if [ -z "$TEACHER" ]; then
  TEACHER="$OUT/scd/teacher"
  node examples/mnist/dist/scd.js "${COMMON[@]}" --teacher-steps "$TEACHER_STEPS" --teacher-lr 1e-3 --teacher-ema 0.995 --steps "$CM_STEPS" --nfe 35 --out "$OUT/scd" > "$OUT/scd.log" 2>&1 &
  scd_pid=$!
  # The sCD stage creates its folder once the teacher's last checkpoint is written.
  until [ -d "$OUT/scd/scd" ]; do
    kill -0 "$scd_pid" 2>/dev/null || { echo "the sCD example stopped before the teacher was trained; see $OUT/scd.log" >&2; exit 1; }
    sleep 10
  done
else
  node examples/mnist/dist/scd.js "${COMMON[@]}" --teacher "$TEACHER" --steps "$CM_STEPS" --nfe 35 --out "$OUT/scd" > "$OUT/scd.log" 2>&1 &
  scd_pid=$!
fi
node examples/mnist/dist/sct.js "${COMMON[@]}" --steps "$CM_STEPS" --init "$TEACHER" --out "$OUT/sct" > "$OUT/sct.log" 2>&1 &
sct_pid=$!
wait "$scd_pid"
wait "$sct_pid"
env_line=$(env | grep -E '^MNIST_(TEACHER_STEPS|CM_STEPS|N|MODEL|SIZE|TEACHER)=' | sort | tr '\n' ' ' || true)
node experiments/mnist/report.mjs "$OUT" "$(( $(date +%s) - start ))" "${env_line}experiments/mnist/run.sh $OUT" "$TEACHER"
