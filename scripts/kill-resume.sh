#!/usr/bin/env bash
# The long crash-safety loop: `hirelm train` killed with SIGKILL at random points until TRIALS
# kills (default 100) have happened, resumed after each, over runs of STEPS steps (default 200);
# every run's final adapter is compared with an uninterrupted run's; then `hirelm curate` killed
# TRIALS times at points spread over a run, every file under its final name compared with an
# uninterrupted run's. CI runs the same tests with 6 kills each.
#
#   scripts/kill-resume.sh [TRIALS] [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/hirelm-target}
HIRELM_KILL_TRIALS=${1:-100} HIRELM_KILL_STEPS=${2:-200} cargo test --release -p hirelm-cli --test kill_resume --test kill_curate -- --nocapture 2>&1 | grep -E "kill-resume:|kill-curate:|test result|panicked"
