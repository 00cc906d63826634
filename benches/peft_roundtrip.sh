#!/usr/bin/env bash
# PEFT interoperability, both ways (not CI; needs scripts/setup-reference-env.sh plus `pip install peft`):
#   1. an adapter written by hirelm, loaded by Python PEFT on the HF-format base: same logits;
#   2. an adapter written by Python PEFT, loaded by hirelm: same logits.
# Usage: benches/peft_roundtrip.sh [BASE.gguf]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="${1:-$root/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf}"
py="${HIRELM_REF_PYTHON:-$HOME/.cache/hirelm-ref-venv/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hirelm-target}"
(cd "$root" && cargo build --release -q -p hirelm-train --example peft_check)
check="$CARGO_TARGET_DIR/release/examples/peft_check"
"$check" export "$base" "$work"
"$py" "$root/benches/peft_roundtrip.py" ours "$work"
"$py" "$root/benches/peft_roundtrip.py" theirs "$work"
"$check" load "$base" "$work"
"$py" "$root/benches/peft_roundtrip.py" compare "$work"
