#!/usr/bin/env bash
# Installs JupyterHub $1 from PyPI into a cached virtual environment (once per version) and prints
# the environment's folder.
set -euo pipefail
VERSION="${1:?usage: hub-venv.sh VERSION}"
CACHE="${HUBOPS_CACHE:-$HOME/.cache/hubops}"
VENV="$CACHE/hub-$VERSION"
if [ -x "$VENV/bin/jupyterhub" ] && [ -f "$VENV/.complete" ]; then echo "$VENV"; exit 0; fi
mkdir -p "$CACHE"
exec 9>"$CACHE/.hub-$VERSION.lock"
flock 9
if [ -x "$VENV/bin/jupyterhub" ] && [ -f "$VENV/.complete" ]; then echo "$VENV"; exit 0; fi
PY="${PYTHON:-$(command -v python3)}"
echo "testenv: installing jupyterhub==$VERSION into $VENV" >&2
rm -rf "$VENV"; mkdir -p "$CACHE"
"$PY" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "jupyterhub==$VERSION" >&2
"$VENV/bin/jupyterhub" --version >/dev/null
touch "$VENV/.complete"
echo "$VENV"
