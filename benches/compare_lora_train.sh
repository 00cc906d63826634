#!/usr/bin/env bash
# LoRA training throughput and peak memory: hirelm (burn flex, f32) against PyTorch +
# transformers + PEFT, same shapes, same token ids, same machine, one after the other in one job.
#
#   benches/compare_lora_train.sh [BASE.gguf] [STEPS]
#
# SmolLM2-135M, r=16, alpha=32, all seven projections, batch 4 x 256 tokens, AdamW, f32,
# 2 threads. PyTorch runs on the HF-format model that hirelm itself exports from BASE.gguf.
# Needs the reference venv (scripts/setup-reference-env.sh: torch, transformers, peft).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="${1:-$root/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf}"
steps="${2:-5}"
py="${HIRELM_REF_PYTHON:-$HOME/.cache/hirelm-ref-venv/bin/python}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hirelm-target}"
export RAYON_NUM_THREADS=2 OMP_NUM_THREADS=2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

[ -x "$py" ] || { echo "compare_lora_train: $py missing (run scripts/setup-reference-env.sh)" >&2; exit 1; }
(cd "$root" && cargo build --release -q -p hirelm-train --example train_speed --example peft_check)
"$CARGO_TARGET_DIR/release/examples/peft_check" export "$base" "$work" >/dev/null
echo "compare_lora_train: hirelm, $steps steps" >&2
ours="$("$CARGO_TARGET_DIR/release/examples/train_speed" "$base" "$steps" | tail -1)"
echo "compare_lora_train: PyTorch + PEFT, $steps steps" >&2
theirs="$("$py" "$root/benches/compare_lora_train.py" "$work/base" "$steps" 2>"$work/pytorch.log" | tail -1)" \
  || { tail -20 "$work/pytorch.log" >&2; echo "compare_lora_train: the PyTorch run failed" >&2; exit 1; }
OURS="$ours" THEIRS="$theirs" python3 - <<'PY'
import json, os
o, t = json.loads(os.environ["OURS"]), json.loads(os.environ["THEIRS"])
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"LoRA training, batch 4 x 256, r=16, 2 threads, {o['steps']} steps; cpu: {cpu}")
print()
print("| engine | tokens/s | peak RSS MiB |")
print("|---|---:|---:|")
for r in (o, t):
    rss = f"{r['peak_rss_mib']:.0f}" if r.get("peak_rss_mib") else "?"
    print(f"| {r['engine']} | {r['tokens_per_second']:.1f} | {rss} |")
print()
rss_ratio = f"{o['peak_rss_mib'] / t['peak_rss_mib']:.2f}" if o.get("peak_rss_mib") and t.get("peak_rss_mib") else "?"
print(f"ratio hirelm / PyTorch: tokens/s {o['tokens_per_second'] / t['tokens_per_second']:.2f}, peak RSS {rss_ratio}")
PY
