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

# Debian packages some tests need, installed with apt as root (CI runs as root), else named for the user to install.
apt_install() {
  if [ "$(id -u)" = "0" ]; then
    echo "[setup] installing Debian's $1" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1") >&2
  else
    echo "[setup] $1 is missing: run 'sudo apt-get install $1'" >&2
    exit 1
  fi
}

# Browser checks drive Debian's Chromium through Playwright; never `playwright install`.
if [ "${ANNOTATE_NEED_BROWSER:-0}" = "1" ] && [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi
# The PostgreSQL tests (and scripts/bench_scale) start a throwaway server from Debian's postgresql package.
if [ "${ANNOTATE_NEED_POSTGRES:-0}" = "1" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt_install postgresql
fi

export PATH="$VENV/bin:$PATH"
