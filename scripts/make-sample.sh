#!/usr/bin/env bash
# Rebuilds the committed sample under datasets/sample/ (tests and docs read it): shard 0 of 64 of
# the recipe, keeping only rows built from registry packages and synthesis. Rows derived from
# ../shared/data (JobBERT titles, SkillSpan sentences and the job posts composed from them) are
# dropped: that data is read from ../shared, never copied into the repository.
#
#   scripts/make-sample.sh   # needs scripts/fetch-data.sh, scripts/fetch-models.sh, and pyarrow ($HIRELM_REF_PY)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${HIRELM_REF_PY:-$HOME/.cache/hirelm-ref-venv/bin/python}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/hirelm-target}
cargo build --release -q -p hirelm-cli
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$CARGO_TARGET_DIR/release/hirelm" curate --config configs/curate.toml --shard 0/64 --output-dir "$tmp"
name=$(sed -n 's/^name = "\(.*\)"/\1/p' configs/curate.toml | head -1)
out=datasets/sample/$name
rm -rf datasets/sample && mkdir -p "$out"
"$PY" - "$tmp/$name" "$out" <<'PY'
import sys, os, collections
import pyarrow.compute as pc, pyarrow.parquet as pq
src, dst = sys.argv[1:]
SHARED = ("jobbert-titles@", "skillspan@")
for split in ("train", "valid", "test"):
    name = f"{split}-00000-of-00064.parquet"
    t = pq.read_table(os.path.join(src, name))
    keep = [not any(s in x for s in SHARED) for x in t.column("source").to_pylist()]
    t = t.filter(keep)
    pq.write_table(t, os.path.join(dst, name), compression="snappy")
    print(split, t.num_rows, dict(collections.Counter(t.column("task").to_pylist())))
PY
cp "$tmp/$name/card-00000-of-00064.md" "$out/"
echo "sample written to $out (rows from ../shared/data removed; the card counts the whole shard)"
