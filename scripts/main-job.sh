#!/usr/bin/env bash
# The main job: the whole hirelm loop on one machine, with progress, ending in a summary table.
#
#   fetch (pinned, sha256-checked) → curate the datasets → fine-tune briefly, or use the adapter
#   shipped with hirelm-infer (the default) → held-out generation check (untuned vs tuned) →
#   evaluation on real data with perturbation packs (BM25, MiniLM, untuned SmolLM2, tuned SmolLM2)
#   → benches/results/main-job.md
#
# Environment:
#   TRAIN_STEPS=N   fine-tune N steps with configs/lora-smollm2.toml and use that adapter
#                   (0, the default: the shipped adapter crates/hirelm-infer/adapters/hirelm-hiring-v2)
#   PER_TASK=N      held-out examples per task in the generation check (default 20)
#   CARGO_TARGET_DIR  cargo's target directory (default $HOME/.cache/hirelm-target)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hirelm-target}"
train_steps="${TRAIN_STEPS:-0}"
per_task="${PER_TASK:-20}"
out="benches/results"
start=$(date +%s)
step() { echo; echo "== [$(( $(date +%s) - start ))s] $*" >&2; }

step "1/6 fetching models and data (cached after the first run)"
scripts/fetch-models.sh
scripts/fetch-data.sh

step "2/6 building hirelm (release; a cold build of burn takes about 15 minutes)"
cargo build --release -p hirelm-cli
hirelm="$CARGO_TARGET_DIR/release/hirelm"

step "3/6 curating the datasets (configs/curate.toml)"
"$hirelm" curate --config configs/curate.toml
dataset="datasets/$(sed -n 's/^name *= *"\(.*\)"/\1/p' configs/curate.toml | head -1)"

adapter="crates/hirelm-infer/adapters/hirelm-hiring-v2"
if [ "$train_steps" -gt 0 ]; then
  step "4/6 fine-tuning $train_steps steps (configs/lora-smollm2.toml)"
  run_dir="runs/main-job"
  rm -rf "$run_dir"
  "$hirelm" train --config configs/lora-smollm2.toml --steps "$train_steps" --out "$run_dir"
  adapter="$run_dir/adapter"
else
  step "4/6 using the shipped adapter $adapter (TRAIN_STEPS=N to fine-tune instead)"
fi

step "5/6 held-out generation check: untuned vs tuned, $per_task examples per task"
"$hirelm" check --data "$dataset/valid.parquet" --adapter "$adapter" --per-task "$per_task" --out "$out/main-job-heldout"

step "6/6 real-data evaluation with perturbation packs (eval/lm.toml)"
for predictor in bm25 minilm-nn smollm2-base smollm2-lora; do
  echo "-- $predictor" >&2
  "$hirelm" eval --suite eval/lm.toml --predictor "$predictor" --adapter "$adapter" \
    --out "target/hirelm-eval/lm-$predictor" >/dev/null
done

python3 benches/summarize_lm_eval.py "$out/main-job-lm-eval.md" bm25 minilm-nn smollm2-base smollm2-lora >/dev/null
{
  echo "# hirelm main job"
  echo
  echo "Command: \`scripts/main-job.sh\` (TRAIN_STEPS=$train_steps, adapter $adapter), $(date -u +%Y-%m-%dT%H:%MZ)."
  echo
  echo "## Real data: skill extraction with perturbation packs"
  echo
  cat "$out/main-job-lm-eval.md"
  echo
  echo "## Held-out curated examples, untuned vs tuned (hirelm check)"
  echo
  cat "$out/main-job-heldout.md"
} > "$out/main-job.md"
cat "$out/main-job.md"
step "done: $out/main-job.md; HTML reports in target/hirelm-eval/lm-*/report.html"
