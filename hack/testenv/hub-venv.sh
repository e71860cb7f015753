#!/usr/bin/env bash
# Installs JupyterHub $1 and jupyterhub-idle-culler from PyPI into a cached virtual environment
# (once per version) and prints the environment's folder. A cache made before the culler was added
# gets the culler alone, without reinstalling JupyterHub.
set -euo pipefail
VERSION="${1:?usage: hub-venv.sh VERSION}"
# The newest release; 2.0.0 wants traitlets-style flags (--cull-users=True, not a bare flag).
CULLER_VERSION=2.0.0
CACHE="${HUBOPS_CACHE:-$HOME/.cache/hubops}"
VENV="$CACHE/hub-$VERSION"
# Separate markers, so that a culler release bump never costs a JupyterHub reinstall.
HUB_MARKER="$VENV/.complete"
CULLER_MARKER="$VENV/.culler-$CULLER_VERSION"

hub_ready() { [ -x "$VENV/bin/jupyterhub" ] && [ -f "$HUB_MARKER" ]; }

if hub_ready && [ -f "$CULLER_MARKER" ]; then echo "$VENV"; exit 0; fi
mkdir -p "$CACHE"
exec 9>"$CACHE/.hub-$VERSION.lock"
flock 9
if hub_ready && [ -f "$CULLER_MARKER" ]; then echo "$VENV"; exit 0; fi
if ! hub_ready; then
  PY="${PYTHON:-$(command -v python3)}"
  echo "testenv: installing jupyterhub==$VERSION into $VENV" >&2
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "jupyterhub==$VERSION" >&2
  "$VENV/bin/jupyterhub" --version >/dev/null
  touch "$HUB_MARKER"
fi
echo "testenv: adding jupyterhub-idle-culler==$CULLER_VERSION to $VENV" >&2
# Naming jupyterhub==VERSION too makes pip refuse, rather than perform, any change to the hub that
# a running testenv is using from this folder.
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
  "jupyterhub-idle-culler==$CULLER_VERSION" "jupyterhub==$VERSION" >&2
"$VENV/bin/python" -m jupyterhub_idle_culler --help-all >/dev/null
"$VENV/bin/jupyterhub" --version >/dev/null
rm -f "$VENV"/.culler-*
touch "$CULLER_MARKER"
echo "$VENV"
