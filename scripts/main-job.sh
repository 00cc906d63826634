#!/usr/bin/env bash
# The main job: the whole hirelm loop on one machine, with progress, ending in a summary table.
#
#   fetch (pinned, sha256-checked) → curate the datasets and the encoder's training pairs →
#   fine-tune briefly, or use the adapters and the encoder shipped in the repository (the
#   default) → the encoder against off-the-shelf MiniLM and BM25 (paired verdicts) →
#   held-out generation check (untuned vs tuned) →
#   the headline comparison (hirelm bench compare: classical baselines, SmolLM2 untuned
#   zero-shot and few-shot and tuned, and Gemma 3 270M over the real-data and curated suites
#   with perturbation packs, speed and cost)
#   → benches/results/main-job.md and benches/results/main-job/compare.html
#
# Environment:
#   TRAIN_STEPS=N   fine-tune N steps with configs/lora-smollm2.toml and compare that adapter
#                   (0, the default: the shipped system of configs/compare.toml and shipped/routes.toml)
#   ENCODER_STEPS=N train the sentence encoder N steps with configs/encoder-minilm.toml and
#                   evaluate that one on every task (0, the default: the shipped encoders,
#                   shipped/hirelm-encoder-minilm-skills for skills, hirelm-encoder-minilm for titles)
#   ENCODER_HARD_STEPS=N  with ENCODER_STEPS, continue N steps with mined hard negatives
#                   (configs/encoder-minilm-hard.toml; mining adds about 5 minutes) and evaluate
#                   that one (0, the default: stage 1 only)
#   PER_TASK=N      held-out examples per task in the generation check (default 8)
#   LIMIT=N         cases per suite entry in the comparison (default 3, which keeps the job under
#                   30 minutes with four language-model predictors; the full comparison,
#                   `hirelm bench compare`, takes hours and regenerates docs/results.md)
#   CARGO_TARGET_DIR  cargo's target directory (default $HOME/.cache/hirelm-target)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hirelm-target}"
train_steps="${TRAIN_STEPS:-0}"
encoder_steps="${ENCODER_STEPS:-0}"
encoder_hard_steps="${ENCODER_HARD_STEPS:-0}"
per_task="${PER_TASK:-8}"
limit="${LIMIT:-3}"
out="benches/results"
start=$(date +%s)
step() { echo; echo "== [$(( $(date +%s) - start ))s] $*" >&2; }

step "1/8 fetching models and data (cached after the first run)"
scripts/fetch-models.sh
scripts/fetch-data.sh

step "2/8 building hirelm (release; a cold build of burn takes about 15 minutes)"
cargo build --release -p hirelm-cli
hirelm="$CARGO_TARGET_DIR/release/hirelm"

step "3/8 curating the datasets (configs/curate.toml)"
"$hirelm" curate --config configs/curate.toml
dataset="datasets/$(sed -n 's/^name *= *"\(.*\)"/\1/p' configs/curate.toml | head -1)"

step "4/8 the sentence encoder's training pairs (hirelm encoder pairs)"
"$hirelm" encoder pairs --out data/encoder-pairs
encoder="the shipped encoders"
encoder_arg=()
if [ "$encoder_steps" -gt 0 ]; then
  step "4/8 training the sentence encoder $encoder_steps steps (configs/encoder-minilm.toml)"
  rm -rf runs/main-job-encoder
  "$hirelm" encoder train --config configs/encoder-minilm.toml --steps "$encoder_steps" --out runs/main-job-encoder
  encoder="runs/main-job-encoder/best"
  encoder_arg=(--encoder "$encoder")
  if [ "$encoder_hard_steps" -gt 0 ]; then
    step "4/8 continuing the encoder $encoder_hard_steps steps with mined hard negatives (configs/encoder-minilm-hard.toml)"
    rm -rf runs/main-job-encoder-hard
    "$hirelm" encoder train --config configs/encoder-minilm-hard.toml --steps "$encoder_hard_steps" \
      --base runs/main-job-encoder/best --out runs/main-job-encoder-hard
    encoder="runs/main-job-encoder-hard/best"
    encoder_arg=(--encoder "$encoder")
  fi
fi

adapter="shipped/adapters/hirelm-hiring-v2"
adapter_arg=()
if [ "$train_steps" -gt 0 ]; then
  step "5/8 fine-tuning $train_steps steps (configs/lora-smollm2.toml)"
  run_dir="runs/main-job"
  rm -rf "$run_dir"
  "$hirelm" train --config configs/lora-smollm2.toml --steps "$train_steps" --out "$run_dir"
  adapter="$run_dir/adapter"
  adapter_arg=(--adapter "$adapter")
else
  step "5/8 using the shipped adapters (TRAIN_STEPS=N to fine-tune instead)"
fi

step "6/8 the encoder ($encoder) against MiniLM and BM25 on TECH, HOUSE and held-out titles"
"$hirelm" eval --suite eval/encoder.toml "${encoder_arg[@]}" --out "$out/main-job-encoder" >/dev/null
"$hirelm" bench paired --report "$out/main-job-encoder/report.json" \
  --pair tech-minilm:tech-encoder --pair house-minilm:house-encoder --pair titles-minilm:titles-encoder \
  > "$out/main-job-encoder/paired.md"

step "7/8 held-out generation check: untuned vs tuned, $per_task examples per task"
"$hirelm" check --data "$dataset/valid.parquet" --adapter "$adapter" --per-task "$per_task" --out "$out/main-job-heldout"

step "8/8 the comparison: every predictor of configs/compare.toml, $limit cases per entry"
# Exit status 1 is the claim's verdict (in the report), not a failed job; 2 is a failure.
status=0
"$hirelm" bench compare --config configs/compare.toml --limit "$limit" --data "$dataset/test.parquet" \
  --out "$out/main-job" ${adapter_arg[@]+"${adapter_arg[@]}"} >/dev/null || status=$?
[ "$status" -le 1 ] || exit "$status"

{
  echo "# hirelm main job"
  echo
  echo "Command: \`scripts/main-job.sh\` (TRAIN_STEPS=$train_steps, ENCODER_STEPS=$encoder_steps, PER_TASK=$per_task, LIMIT=$limit), $(date -u +%Y-%m-%dT%H:%MZ), $(( $(date +%s) - start )) s."
  echo
  echo "## Fine-tuned versus off-the-shelf ($limit cases per entry; hirelm bench compare)"
  echo
  cat "$out/main-job/compare.md" | sed 1,2d
  echo
  echo "## The sentence encoder ($encoder) against off-the-shelf MiniLM (hirelm bench paired)"
  echo
  cat "$out/main-job-encoder/paired.md"
  echo
  echo "## Held-out curated examples, untuned vs tuned (hirelm check)"
  echo
  cat "$out/main-job-heldout.md"
} > "$out/main-job.md"
cat "$out/main-job.md"
step "done: $out/main-job.md; charts in $out/main-job/compare.html"
