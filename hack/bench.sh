#!/usr/bin/env bash
# make bench: builds the operator (dist/), starts a test environment of its own (.testenv/bench:
# kube-apiserver + etcd and the first hub release), runs test/bench/run.ts against it, and stops
# it by PID afterwards, also when the run fails or is interrupted. BENCH_N and the other BENCH_* settings pass through.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export TESTENV_DIR="$ROOT/.testenv/bench" TESTENV_ENV_FILE="$ROOT/.testenv/bench.env"
export HUBOPS_TESTENV_FILE="$TESTENV_ENV_FILE"
trap '"$ROOT/hack/testenv/down.sh" >/dev/null' EXIT
trap 'exit 130' INT TERM
# The operator runs as the image runs it: bundled.
(cd "$ROOT" && npm run --silent build) || { echo "bench: could not build the operator" >&2; exit 1; }
"$ROOT/hack/testenv/up.sh" || { echo "bench: could not start the test environment" >&2; exit 1; }
node "$ROOT/test/bench/run.ts"
