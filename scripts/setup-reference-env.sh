#!/usr/bin/env bash
# Build the Python environment that produces the golden fixtures (never needed by the tests):
# llama.cpp through llama-cpp-python (built from source for this CPU's ISA level, without AMX,
# which crashes on these VMs; see benches/llamacpp_flags.sh) and sentence-transformers for the
# MiniLM reference embeddings.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${HIRELM_REF_VENV:-$HOME/.cache/hirelm-ref-venv}"
# shellcheck source=../benches/llamacpp_flags.sh
. "$root/benches/llamacpp_flags.sh"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
echo "setup-reference-env: building llama-cpp-python for $llamacpp_isa (several minutes)" >&2
CMAKE_ARGS="${llamacpp_cmake_flags[*]}" \
  "$venv/bin/pip" install --quiet --no-binary llama-cpp-python llama-cpp-python==0.3.36 numpy
"$venv/bin/pip" install --quiet sentence-transformers==6.2.0 peft==0.21.2
echo "reference environment ready: $venv ($llamacpp_isa)"
