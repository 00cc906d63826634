#!/usr/bin/env bash
# Build the Python environment that produces the golden fixtures (never needed by the tests):
# llama.cpp through llama-cpp-python (built from source, without AMX, which crashes on these VMs)
# and sentence-transformers for the MiniLM reference embeddings.
set -euo pipefail
venv="${HIRELM_REF_VENV:-$HOME/.cache/hirelm-ref-venv}"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
-DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_BF16=ON" \
  "$venv/bin/pip" install --quiet llama-cpp-python==0.3.36 numpy
"$venv/bin/pip" install --quiet sentence-transformers==6.2.0 peft==0.21.2
echo "reference environment ready: $venv"
