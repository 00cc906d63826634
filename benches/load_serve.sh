#!/usr/bin/env bash
# Load test of `hirelm serve` from loopback: starts the server on a free port with the shipped
# domain model, drives it with CLIENTS concurrent clients for LOAD_SECONDS per endpoint (typed task,
# then OpenAI chat), then once more with more clients than the queue admits, and writes
# benches/results/serve-load.md and the README block it feeds.
#
#   benches/load_serve.sh            # CLIENTS=4 LOAD_SECONDS=60
# (not SECONDS: that is bash's own clock, which would make every run a few seconds long)
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-4}
SECONDS_EACH=${LOAD_SECONDS:-60}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/hirelm-target}
cargo build --release -q -p hirelm-cli
OUT=target/bench-serve
mkdir -p "$OUT"
start_server() { # extra args...
  "$CARGO_TARGET_DIR/release/hirelm" serve --listen 127.0.0.1:0 --api-key load-test "$@" 2>"$OUT/server.log" &
  SERVER=$!
  for _ in $(seq 100); do
    ADDR=$(sed -n 's#^listening on \(http://[^ ]*\).*#\1#p' "$OUT/server.log")
    [ -n "$ADDR" ] && return 0
    kill -0 $SERVER 2>/dev/null || { cat "$OUT/server.log"; exit 1; }
    sleep 0.2
  done
  echo "server did not start"; exit 1
}
trap 'kill $SERVER 2>/dev/null || true' EXIT
load() { python3 benches/load_serve.py --url "$ADDR" --api-key load-test "$@"; }
started=$(date -u +%FT%TZ)
start_server
load --endpoint tasks --clients "$CLIENTS" --seconds "$SECONDS_EACH" --json "$OUT/tasks.json" >/dev/null
load --endpoint chat --clients "$CLIENTS" --seconds "$SECONDS_EACH" --json "$OUT/chat.json" >/dev/null
kill $SERVER; wait $SERVER 2>/dev/null || true
start_server --max-queue 2
load --endpoint tasks --clients 8 --seconds 20 --json "$OUT/overload.json" >/dev/null
kill $SERVER; wait $SERVER 2>/dev/null || true
python3 - "$OUT" "$started" "$(nproc)" <<'PY' | tee benches/results/serve-load.md
import json, sys
out, started, cores = sys.argv[1:]
print("# `hirelm serve` under load\n")
print(f"`benches/load_serve.sh`, {started}, {cores} cores, loopback, shipped model (SmolLM2-135M Q4_1 file → Q8_0 engine + hirelm-hiring-v2), one worker.\n")
print("| run | clients | requests ok | errors | requests/s | generated tokens/s | p50 s | p95 s | p99 s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for name, label in [("tasks", "`/v1/tasks/extract_skills`"), ("chat", "`/v1/chat/completions` (48 tokens)"), ("overload", "tasks, queue of 2")]:
    r = json.load(open(f"{out}/{name}.json"))
    print(f"| {label} | {r['clients']} | {r['requests_ok']} | {r['errors']} {r['statuses'] if r['errors'] else ''} | {r['requests_per_second']} | {r['completion_tokens_per_second']} | {r['p50_seconds']} | {r['p95_seconds']} | {r['p99_seconds']} |")
print("\nLatency includes queueing: one request runs at a time (it already uses both cores), the others wait. "
      "In the overload run 8 clients meet a queue of 2, so the excess is refused at once with 503 and `Retry-After: 1` instead of waiting; the clients back off for that second.")
PY
python3 benches/readme_block.py serve-load benches/results/serve-load.md
