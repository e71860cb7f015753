#!/usr/bin/env bash
# Runs the integration suite once per JupyterHub release against a test environment of its own
# (.testenv/test: kube-apiserver reused across releases, hub replaced), and always stops that
# environment afterwards, also when a test fails or the run is interrupted.
#   usage: hack/test-integration.sh VERSION... -- COMMAND...
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
versions=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do versions+=("$1"); shift; done
shift || true
[ ${#versions[@]} -gt 0 ] && [ $# -gt 0 ] || { echo "usage: $0 VERSION... -- COMMAND..." >&2; exit 2; }

export TESTENV_DIR="$ROOT/.testenv/test" TESTENV_ENV_FILE="$ROOT/.testenv/test.env"
export HUBOPS_TESTENV_FILE="$TESTENV_ENV_FILE"
trap '"$ROOT/hack/testenv/down.sh" >/dev/null' EXIT
trap 'exit 130' INT TERM

failed=()
for version in "${versions[@]}"; do
  echo "== integration suite against JupyterHub $version =="
  if ! HUB_VERSION="$version" "$ROOT/hack/testenv/up.sh"; then
    echo "== could not start the test environment for JupyterHub $version ==" >&2
    failed+=("$version (environment)")
    continue
  fi
  "$@" || failed+=("$version")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "== integration suite failed for: ${failed[*]} ==" >&2
  exit 1
fi
