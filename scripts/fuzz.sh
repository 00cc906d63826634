#!/usr/bin/env bash
# Fuzzes the parsers that read outside input (cargo-fuzz / libFuzzer; needs the nightly toolchain).
#
#   scripts/fuzz.sh                      # every target, FUZZ_SECONDS (60) each
#   FUZZ_SECONDS=600 scripts/fuzz.sh gguf_header json_constraint
#
# Targets are in fuzz/fuzz_targets/; their seeds (fuzz/seeds/<target>/, made by
# fuzz/make_seeds.py) are copied into the git-ignored working corpus fuzz/corpus/<target>/,
# which keeps what libFuzzer finds between runs. Crashes land in fuzz/artifacts/<target>/;
# reproduce one with `cargo +nightly fuzz run <flags below> <target> <file>` and minimise it
# with `cargo +nightly fuzz tmin <flags below> <target> <file>`.
#
# Build flags: release with debug assertions and overflow checks (-O -a), 16 codegen units (one
# unit makes burn's build take hours), no sanitizer by default (the code under test is safe
# Rust; the targets cap single allocations at 256 MiB themselves, see fuzz/src/lib.rs). Set
# FUZZ_SANITIZER=address for ASan (a full rebuild). The target dir is separate from the stable
# one ($HOME/.cache/hirelm-target), which nightly flags would otherwise invalidate. Each target
# binary is about 200 MB; FUZZ_LOW_DISK=1 deletes each one after its run.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_SANITIZER=${FUZZ_SANITIZER:-none}
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-$HOME/.cache/hirelm-fuzz-target}
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2}
ALL_TARGETS=(gguf_header safetensors_weights adapter_config tokenizer_bytes json_constraint curate_inputs serve_request)
if [ $# -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi
FLAGS=(-O -a -s "$FUZZ_SANITIZER" --codegen-units 16)

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz" >&2
    cargo install --locked cargo-fuzz
fi

logs=fuzz/corpus/logs
mkdir -p "$logs"
summary=()
failed=0
for target in "${TARGETS[@]}"; do
    corpus=fuzz/corpus/$target
    mkdir -p "$corpus" "fuzz/artifacts/$target"
    cp -n fuzz/seeds/"$target"/* "$corpus"/ 2>/dev/null || true
    log=$logs/$target.log
    echo "== $target: ${FUZZ_SECONDS}s" >&2
    start=$(date +%s)
    set +e
    cargo +nightly fuzz run "${FLAGS[@]}" "$target" "$corpus" -- \
        -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        >"$log" 2>&1
    rc=$?
    set -e
    secs=$(( $(date +%s) - start ))
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
    if [ "$rc" -eq 0 ]; then
        verdict="ok"
    else
        verdict="CRASH (exit $rc; $(grep -o 'Test unit written to .*' "$log" | tail -1 || echo "see $log"))"
        failed=1
    fi
    summary+=("$(printf '%-20s %10s execs %5ss  %s' "$target" "${execs:-?}" "$secs" "$verdict")")
    tail -n 3 "$log" >&2
    if [ "${FUZZ_LOW_DISK:-0}" = 1 ]; then
        rm -f "$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release/$target" \
            "$CARGO_TARGET_DIR"/x86_64-unknown-linux-gnu/release/deps/"$target"-*
    fi
done

echo
echo "target                    executions  time  result"
printf '%s\n' "${summary[@]}"
exit "$failed"
