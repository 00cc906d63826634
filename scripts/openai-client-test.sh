#!/usr/bin/env bash
# The official `openai` Python package against a running `hirelm serve`:
#   scripts/openai-client-test.sh http://127.0.0.1:8080 [API_KEY]
# Installs pinned versions into a virtual environment of its own (HIRELM_OPENAI_VENV, default
# $HOME/.cache/hirelm-openai-venv; reused once installed) and runs openai_client_check.py.
# Exit 3, with the reason on stderr, when the package registry cannot be reached (a test then
# skips); any other failure is the check's own exit status.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${HIRELM_OPENAI_VENV:-$HOME/.cache/hirelm-openai-venv}"
# openai 1.x (the SDK most code in the wild uses) with the httpx and pydantic it was tested with.
pins=(openai==1.109.1 httpx==0.28.1 pydantic==2.14.4)
installed() {
  [ -x "$venv/bin/python" ] && "$venv/bin/python" - "${pins[@]}" <<'PY'
import sys
from importlib.metadata import version, PackageNotFoundError
try:
    ok = all(version(p.split("==")[0]) == p.split("==")[1] for p in sys.argv[1:])
except PackageNotFoundError:
    ok = False
sys.exit(0 if ok else 1)
PY
}
if ! installed; then
  python3 -m venv "$venv"
  if ! "$venv/bin/pip" install -q --disable-pip-version-check "${pins[@]}" >&2; then
    probe="$(mktemp -d)"
    if ! "$venv/bin/pip" download -q --no-deps -d "$probe" openai==1.109.1 >/dev/null 2>&1; then
      echo "skipped: the package registry cannot be reached to install ${pins[*]}" >&2
      exit 3
    fi
    echo "openai-client-test: installing ${pins[*]} failed (see above)" >&2
    exit 1
  fi
fi
exec "$venv/bin/python" "$here/openai_client_check.py" "$@"
