# Sourced by scripts/demo and scripts/test: create or reuse .venv in the checkout and install what the
# project needs. A stamp of the install inputs makes a second run with nothing changed take a second.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup] creating $VENV" >&2
  "$PY" -m venv "$VENV"
fi

stamp_inputs="$(cat "$ROOT/pyproject.toml" "$ROOT/scripts/_bootstrap.sh"; "$VENV/bin/python" --version)"
stamp="$(printf '%s' "$stamp_inputs" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$VENV/.annotate-stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "[setup] installing the project and its extras into $VENV (first run takes a few minutes)" >&2
  "$VENV/bin/python" -m pip install --quiet --upgrade pip >&2
  "$VENV/bin/python" -m pip install --quiet -e "$ROOT[server,test,dask]" >&2
  echo "$stamp" > "$VENV/.annotate-stamp"
fi

# Browser checks drive Debian's Chromium through Playwright; never `playwright install`.
if [ "${ANNOTATE_NEED_BROWSER:-0}" = "1" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "[setup] installing Debian's chromium" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2
  else
    echo "[setup] /usr/bin/chromium is missing: run 'sudo apt-get install chromium'" >&2
    exit 1
  fi
fi

export PATH="$VENV/bin:$PATH"
