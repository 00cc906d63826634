#!/usr/bin/env bash
# Compare hirelm's prefill/decode speed with llama.cpp's llama-bench on the same GGUF (CPU).
# Not run in CI: needs network once (PyPI) and takes minutes to build llama.cpp the first time.
#
#   benches/compare_llamacpp.sh [MODEL.gguf]
#
# MODEL defaults to models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf.
#
# llama.cpp side: llama-bench built from the llama.cpp sources vendored in the
# llama-cpp-python==0.3.36 sdist (the same llama.cpp as the golden fixtures), with explicit
# ISA flags for this CPU (AVX2, or AVX-512 where it has it; LLAMACPP_ISA=avx2 forces AVX2 on both
# sides) and GGML_NATIVE=OFF, AMX off (AMX instructions crash on our VMs).
# The sdist, the sources and the build are cached under $HIRELM_LLAMACPP_CACHE
# (default $HOME/.cache/hirelm-llamacpp), so reruns only benchmark. cmake comes from PyPI
# into a venv in that cache when it is not installed system-wide.
# It runs: llama-bench -m MODEL -t THREADS -p 512 -n 128 -o json
#
# hirelm side: "$HIRELM_BIN" bench --model MODEL --prompt-tokens 512 --gen-tokens 128
#   --threads THREADS --json, which prints one JSON line {"prefill_tps":..,"decode_tps":..}.
# HIRELM_BIN defaults to ${CARGO_TARGET_DIR:-$HOME/.cache/hirelm-target}/release/hirelm
# (build it with: cargo build --release -p hirelm-cli). When it is missing or the command fails,
# llama.cpp's figures are still printed and ours are reported as skipped.
#
# Environment: THREADS (default 2), PROMPT_TOKENS (512), GEN_TOKENS (128), REPS (llama-bench -r, 5),
#              HIRELM_BIN, HIRELM_LLAMACPP_CACHE, LLAMA_CPP_PYTHON_VERSION (0.3.36),
#              LLAMACPP_ISA (host, avx2 or avx512; see benches/llamacpp_flags.sh).
# Output: a Markdown table (engine, prefill t/s, decode t/s), ratios ours/llama.cpp, CPU and threads.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:-$root/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf}"
threads="${THREADS:-2}"
n_prompt="${PROMPT_TOKENS:-512}"
n_gen="${GEN_TOKENS:-128}"
reps="${REPS:-5}"
version="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
cache="${HIRELM_LLAMACPP_CACHE:-$HOME/.cache/hirelm-llamacpp}"
hirelm_bin="${HIRELM_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/hirelm-target}/release/hirelm}"

die() { echo "compare_llamacpp: $*" >&2; exit 1; }
log() { echo "compare_llamacpp: $*" >&2; }

[ -f "$model" ] || die "model not found: $model (run scripts/fetch-models.sh)"
command -v python3 >/dev/null 2>&1 || die "python3 is required"
command -v c++ >/dev/null 2>&1 || command -v g++ >/dev/null 2>&1 || die "a C++ compiler is required"

# Never GGML_NATIVE, never AMX; the ISA level follows the CPU (LLAMACPP_ISA, see llamacpp_flags.sh).
# shellcheck source=llamacpp_flags.sh
. "$root/benches/llamacpp_flags.sh"
cmake_flags=(
  "${llamacpp_cmake_flags[@]}"
  -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF
  -DBUILD_SHARED_LIBS=OFF
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF
)
# With LLAMACPP_ISA=avx2 hirelm is held to its AVX2 kernels too, so both engines run as on an
# AVX2-only CPU.
[ "$llamacpp_isa" = avx2 ] && export HIRELM_KERNEL="${HIRELM_KERNEL:-avx2}"
flags_key="$(printf '%s\n' "$version" "${cmake_flags[@]}" | sha256sum | cut -c1-12)"
src="$cache/src/llama_cpp_python-$version"
build="$cache/build-$version-$flags_key"
bench_bin="$build/bin/llama-bench"

pip_cmd() {
  local c
  for c in pip3 pip "python3 -m pip"; do
    if $c --version >/dev/null 2>&1; then echo "$c"; return 0; fi
  done
  return 1
}

if [ ! -x "$bench_bin" ]; then
  mkdir -p "$cache"
  if [ ! -f "$src/vendor/llama.cpp/CMakeLists.txt" ]; then
    PIP="$(pip_cmd)" || die "pip is required to download the llama-cpp-python sdist"
    log "downloading llama-cpp-python==$version sdist"
    mkdir -p "$cache/dl" "$cache/src"
    # --no-binary for llama-cpp-python only: with ":all:" pip would also build the sdist's build
    # dependencies (cmake itself) from source just to read its metadata, which takes very long.
    $PIP download --quiet --no-deps --no-binary llama-cpp-python "llama-cpp-python==$version" -d "$cache/dl"
    sdist="$(ls "$cache"/dl/llama_cpp_python-"$version".tar.gz 2>/dev/null | head -1)"
    [ -n "$sdist" ] || die "sdist not found in $cache/dl"
    rm -rf "$src"
    tar -xzf "$sdist" -C "$cache/src"
    [ -f "$src/vendor/llama.cpp/tools/llama-bench/CMakeLists.txt" ] \
      || die "vendored llama.cpp has no tools/llama-bench in $src"
  fi
  CMAKE="$(command -v cmake || true)"
  if [ -z "$CMAKE" ]; then
    if [ ! -x "$cache/tools-venv/bin/cmake" ]; then
      log "cmake not installed; installing it from PyPI into $cache/tools-venv"
      python3 -m venv "$cache/tools-venv"
      "$cache/tools-venv/bin/pip" install --quiet cmake
    fi
    CMAKE="$cache/tools-venv/bin/cmake"
  fi
  log "building llama-bench in $build (first run only; several minutes)"
  "$CMAKE" -S "$src/vendor/llama.cpp" -B "$build" "${cmake_flags[@]}" >"$build.configure.log" 2>&1 \
    || { tail -30 "$build.configure.log" >&2; die "cmake configure failed (log: $build.configure.log)"; }
  "$CMAKE" --build "$build" --target llama-bench -j "$(nproc)" >"$build.build.log" 2>&1 \
    || { tail -30 "$build.build.log" >&2; die "build failed (log: $build.build.log)"; }
  [ -x "$bench_bin" ] || die "llama-bench not found at $bench_bin after the build"
fi

load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
log "running llama-bench (-t $threads -p $n_prompt -n $n_gen -r $reps)"
llama_json="$("$bench_bin" -m "$model" -t "$threads" -p "$n_prompt" -n "$n_gen" -r "$reps" -o json 2>/dev/null)" \
  || die "llama-bench failed"

# hirelm's engines: hirelm-infer's int8 CPU engine (what applications use) with Q8_0 weights
# and with Q4_1 weights, and the burn training model (f32). Each entry is ENGINE[:FORMAT];
# ENGINES="infer" skips the other runs.
ours_json=""
ours_note=""
if [ ! -x "$hirelm_bin" ]; then
  ours_note="skipped: $hirelm_bin not found (set HIRELM_BIN or cargo build --release -p hirelm-cli)"
else
  for run in ${ENGINES:-infer infer:q4-1 burn}; do
    engine="${run%%:*}"
    format_args=()
    [ "$run" != "$engine" ] && format_args=(--format "${run#*:}")
    log "running $hirelm_bin bench --engine $engine ${format_args[*]}"
    if out="$("$hirelm_bin" bench --engine "$engine" "${format_args[@]}" --model "$model" --prompt-tokens "$n_prompt" \
        --gen-tokens "$n_gen" --repetitions "$reps" --threads "$threads" --json 2>/dev/null)"; then
      line="$(printf '%s\n' "$out" | grep -E '"prefill_tps"' | tail -1 || true)"
      [ -n "$line" ] && ours_json="${ours_json:+$ours_json,}$line"
    else
      ours_note="${ours_note}skipped $run: '$hirelm_bin bench --json' failed. "
    fi
  done
fi
ours_json="[$ours_json]"

cpu="$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)"
[ -n "$cpu" ] || cpu="$(uname -m)"
simd="$(tr ' ' '\n' <<<"${cpu_flags#*:}" | grep -E '^(avx|avx2|fma|f16c|avx512f|avx512bw|avx512vl|avx512_vnni|avx_vnni|amx_int8)$' | tr '\n' ' ' | sed 's/ $//')"
cpu="$cpu ($simd); llama.cpp built for $llamacpp_isa"

report="$(LOAD_BEFORE="$load_before" LLAMA_JSON="$llama_json" OURS_JSON="$ours_json" OURS_NOTE="$ours_note" CPU="$cpu" THREADS="$threads" \
N_PROMPT="$n_prompt" N_GEN="$n_gen" MODEL="$model" python3 - <<'PY'
import json, os, sys

runs = json.loads(os.environ["LLAMA_JSON"])
n_prompt, n_gen = int(os.environ["N_PROMPT"]), int(os.environ["N_GEN"])
prefill = decode = None
build = ""
for r in runs:
    build = f'{r.get("build_commit", "?")} (build {r.get("build_number", "?")})'
    if r.get("n_prompt") == n_prompt and r.get("n_gen") == 0:
        prefill = (r["avg_ts"], r.get("stddev_ts", 0.0))
    elif r.get("n_gen") == n_gen and r.get("n_prompt") == 0:
        decode = (r["avg_ts"], r.get("stddev_ts", 0.0))
if prefill is None or decode is None:
    sys.exit(f"compare_llamacpp: unexpected llama-bench output: {runs!r}")

ours = json.loads(os.environ["OURS_JSON"])

print(f"model: {os.path.basename(os.environ['MODEL'])}")
print(f"cpu: {os.environ['CPU']}, threads: {os.environ['THREADS']}")
print(f"workload: prefill pp{n_prompt}, decode tg{n_gen}; llama.cpp {build}")
print(f"load average before the runs: {os.environ['LOAD_BEFORE']}")
if any(sd > 0.1 * avg for avg, sd in (prefill, decode)):
    print("warning: llama-bench stddev > 10% of the mean: other load on the machine? rerun when idle")
print()
print("| engine | prefill t/s | decode t/s |")
print("|---|---:|---:|")
print(f"| llama.cpp | {prefill[0]:.1f} ± {prefill[1]:.1f} | {decode[0]:.1f} ± {decode[1]:.1f} |")
for o in ours:
    print(f"| {o['engine']} | {float(o['prefill_tps']):.1f} | {float(o['decode_tps']):.1f} |")
print()
for o in ours:
    print(f"ratio {o['engine']} / llama.cpp: prefill {float(o['prefill_tps']) / prefill[0]:.3f}, "
          f"decode {float(o['decode_tps']) / decode[0]:.3f}")
if os.environ["OURS_NOTE"]:
    print(f"hirelm: {os.environ['OURS_NOTE']}")
PY
)"
printf '%s\n' "$report"

# Keep the figures: benches/results/speed-<model>.md, and the README block between
# <!-- speed:<model>:begin --> and <!-- speed:<model>:end --> when the README has one.
# The block is per ISA level, so AVX2 and AVX-512 figures stand side by side, each naming its CPU.
name="$(basename "$model" .gguf)-$llamacpp_isa"
mkdir -p "$root/benches/results"
printf '%s\n' "$report" > "$root/benches/results/speed-$name.md"
python3 "$root/benches/readme_block.py" "speed:$name" "$root/benches/results/speed-$name.md" --code
