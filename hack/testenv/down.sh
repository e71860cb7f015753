#!/usr/bin/env bash
# Stops what up.sh started in TESTENV_DIR, by PID (both hubs first, side by side, then
# kube-apiserver, then etcd), and removes the env file. Leaves logs and data in place for a
# post-mortem; up.sh starts afresh anyway.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TESTENV_DIR="${TESTENV_DIR:-$ROOT/.testenv/dev}"
ENV_FILE="${TESTENV_ENV_FILE:-$ROOT/.testenv/env}"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
stop_pidfile "$TESTENV_DIR/hub/jupyterhub.pid" jupyterhub &
stop_pidfile "$TESTENV_DIR/hub2/jupyterhub.pid" jupyterhub &
wait
stop_pidfile "$TESTENV_DIR/kube/kube-apiserver.pid" kube-apiserver
stop_pidfile "$TESTENV_DIR/kube/etcd.pid" etcd
rm -f "$ENV_FILE"
echo "testenv: stopped everything in $TESTENV_DIR"
