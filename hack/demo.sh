#!/usr/bin/env bash
# `make demo` (CONTRACT §1): hubops end to end on this machine, nothing else needed. Starts a local
# control plane (etcd + kube-apiserver) and a JupyterHub with hack/testenv/up.sh in a folder of
# its own (.testenv/demo, env file .testenv/demo.env, so `make testenv` and `make test` are not
# disturbed), installs the CRDs, runs the operator (node src/main.ts), applies the examples,
# shows what is Ready and what is waiting until every example is Ready, prints what Kubernetes
# and the hub say, then stops everything it started, by PID, also on failure or Ctrl-C.
#   KEEP=1          leave it all running (also after a timeout) and print how to reach and stop it;
#                   Ctrl-C always stops everything
#   DEMO_EXAMPLES   the folder of manifests to apply (default deploy/examples)
#   DEMO_TIMEOUT    seconds to wait for every example to be Ready (default 180)
#   RESYNC_SECONDS  the operator's drift-repair period (default 30 here, to see drift repaired)
#   HUB_VERSION     the JupyterHub release (default 6.1.1)
# usage: hack/demo.sh          run the demo (exit 0 only when every example became Ready)
#        hack/demo.sh down     stop what a KEEP=1 run left running
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export TESTENV_DIR="$ROOT/.testenv/demo" TESTENV_ENV_FILE="$ROOT/.testenv/demo.env"
# kubectl's discovery cache for the demo's throwaway API servers stays out of ~/.kube.
export KUBECACHEDIR="$TESTENV_DIR/kubectl-cache"
OPDIR="$TESTENV_DIR/operator"
OPPID="$OPDIR/operator.pid"
OPLOG="$OPDIR/operator.log"
EXAMPLES="${DEMO_EXAMPLES:-deploy/examples}"
TIMEOUT="${DEMO_TIMEOUT:-180}"
CACHE="${HUBOPS_CACHE:-$HOME/.cache/hubops}"
case "${KEEP:-}" in 1 | true | yes) KEEP=1 ;; *) KEEP=0 ;; esac
# shellcheck source=testenv/lib.sh
. "$ROOT/hack/testenv/lib.sh" # alive, stop_pidfile

say() { printf 'demo: %s\n' "$*"; }
fail() {
  printf 'demo: %s\n' "$*" >&2
  exit 1
}
indent() { sed '/./s/^/  /'; }
helper() { node "$ROOT/hack/demo/demo.ts" "$@"; }

stop_all() {
  stop_pidfile "$OPPID" src/main.ts
  "$ROOT/hack/testenv/down.sh"
}

if [ "${1:-}" = down ]; then
  stop_all
  say "stopped the demo (operator, JupyterHub, kube-apiserver, etcd)"
  exit 0
elif [ $# -gt 0 ]; then
  echo "usage: $0 [down]" >&2
  exit 2
fi

# --- what the demo needs that no script installs ----------------------------------------------
PATH="$("$ROOT/hack/node.sh"):$ROOT/node_modules/.bin:$PATH"
for tool in kubectl curl python3 openssl flock setsid; do
  command -v "$tool" >/dev/null || fail "$tool is not on PATH; README.md, Requirements, lists what the demo needs"
done
[ -f "$ROOT/node_modules/.installed" ] || fail "npm dependencies are missing: run 'make demo' (it installs them)"
[ -d "$EXAMPLES" ] || fail "DEMO_EXAMPLES=$EXAMPLES is not a folder"

# One demo at a time: a second one would reuse this one's servers and stop them under it. The
# lock goes with this script (its children are started without the descriptor), so a KEEP=1
# run leaves nothing locked.
mkdir -p "$ROOT/.testenv"
exec 8>"$ROOT/.testenv/demo.lock"
flock -n 8 || fail "another 'make demo' is running in this repository; wait for it, or stop it with Ctrl-C"

# --- stop whatever this run started, whatever way it ends ---------------------------------------
started_env=0
interrupted=0
ticker=
begin=$SECONDS
on_exit() {
  local status=$?
  trap '' INT TERM # a second Ctrl-C must not cut the clean-up short
  [ -z "$ticker" ] || kill "$ticker" 2>/dev/null || true
  if [ "$started_env" = 1 ] && [ "$KEEP" = 1 ] && [ "$interrupted" = 0 ]; then
    print_keep "$status"
  elif [ "$started_env" = 1 ]; then
    say "stopping what the demo started (the operator, then JupyterHub, kube-apiserver and etcd)"
    stop_all 2>&1 | indent || true
  fi
  if [ "$status" = 0 ]; then
    say "done in $((SECONDS - begin)) s: every example became Ready"
  elif [ "$interrupted" = 1 ]; then
    say "interrupted after $((SECONDS - begin)) s" >&2
  else
    say "FAILED after $((SECONDS - begin)) s (exit $status); logs are in ${TESTENV_DIR#"$ROOT"/}/" >&2
  fi
  exit "$status"
}
trap on_exit EXIT
trap 'interrupted=1; exit 130' INT TERM

print_keep() {
  local health metrics
  health=$(grep -m1 -o '"healthPort":[0-9]*' "$OPLOG" 2>/dev/null | cut -d: -f2 || true)
  metrics=$(grep -m1 -o '"metricsPort":[0-9]*' "$OPLOG" 2>/dev/null | cut -d: -f2 || true)
  [ "$1" = 0 ] || say "KEEP=1: leaving everything running for a look at what went wrong"
  cat <<EOT

The demo keeps running (KEEP=1). Everything below is also in ${TESTENV_ENV_FILE#"$ROOT"/}:
  export KUBECONFIG=${KUBECONFIG:-$TESTENV_DIR/kube/admin.kubeconfig}
  kubectl get jupyterhub -A                     # HubUsers, HubGroups, HubServers
  hub API:    ${HUB_API_URL:-?}
  hub token:  ${HUB_API_TOKEN:-?}
  curl -H "Authorization: token \$HUB_API_TOKEN" \$HUB_API_URL/users
  or load all of it at once:  set -a; . ${TESTENV_ENV_FILE}; set +a
  operator:   pid $(cat "$OPPID" 2>/dev/null || echo '?'), log ${OPLOG}${metrics:+, metrics http://127.0.0.1:$metrics/metrics}${health:+, health http://127.0.0.1:$health/readyz}
              drift is repaired every ${RESYNC_SECONDS:-30} s: change something in the hub and watch it come back
Stop it all with:
  $ROOT/hack/demo.sh down
EOT
}

# heartbeat WHAT COMMAND...: runs COMMAND, saying every 20 s that it still runs (a cold build is
# otherwise silent for minutes).
heartbeat() {
  local what=$1 rc=0
  shift
  (
    t=0
    while sleep 1 && kill -0 $$ 2>/dev/null; do
      t=$((t + 1))
      [ $((t % 20)) -ne 0 ] || printf 'demo: still %s (%d s so far)\n' "$what" "$t"
    done
  ) 8>&- &
  ticker=$!
  "$@" || rc=$?
  kill "$ticker" 2>/dev/null || true
  ticker=
  return "$rc"
}

# --- 1. the control plane and the hub -----------------------------------------------------------
kas_version=$(cat hack/testenv/kubernetes-version)
if [ -n "$kas_version" ] && [ ! -x "$CACHE/bin/k8s-${K8S_VERSION:-$kas_version}/kube-apiserver" ]; then
  say "first run on this machine: building kube-apiserver ${K8S_VERSION:-$kas_version} from the Go module proxy"
  say "into $CACHE. That takes about 3 minutes on 2 cores, once; later runs start in seconds."
fi
if [ ! -f "$CACHE/hub-${HUB_VERSION:-6.1.1}/.complete" ]; then
  say "installing JupyterHub ${HUB_VERSION:-6.1.1} from PyPI into $CACHE (about a minute, once)"
fi
if alive "$OPPID" src/main.ts || alive "$TESTENV_DIR/kube/kube-apiserver.pid" kube-apiserver; then
  say "found a demo left running (KEEP=1): reusing its servers; this run stops them at the end unless KEEP=1"
fi
say "starting (or reusing) etcd, kube-apiserver and JupyterHub ${HUB_VERSION:-6.1.1} in ${TESTENV_DIR#"$ROOT"/}"
started_env=1
heartbeat "starting the control plane and the hub" hack/testenv/up.sh 8>&-
set -a
# shellcheck source=/dev/null
. "$TESTENV_ENV_FILE"
set +a
[ "$KUBECONFIG" = "$TESTENV_DIR/kube/admin.kubeconfig" ] || fail "unexpected KUBECONFIG $KUBECONFIG"

# --- 2. the CRDs --------------------------------------------------------------------------------
say "installing the CRDs: kubectl apply -f crds/"
kubectl apply -f crds/ | indent
kubectl wait --for=condition=Established --timeout=60s -f crds/ | indent

# --- 3. the operator ----------------------------------------------------------------------------
mkdir -p "$OPDIR"
stop_pidfile "$OPPID" src/main.ts # one a KEEP=1 run left: start afresh with this run's settings
[ ! -f "$OPLOG" ] || mv "$OPLOG" "$OPDIR/operator.previous.log"
{
  echo '#!/usr/bin/env bash'
  echo "# Starts the hubops operator for the demo (written by hack/demo.sh); its pid goes to $OPPID."
  echo 'set -euo pipefail'
  printf 'cd %q\n' "$ROOT"
  printf 'setsid env'
  printf ' %q' "KUBECONFIG=$KUBECONFIG" "HUB_API_URL=$HUB_API_URL" "HUB_API_TOKEN=$HUB_API_TOKEN" \
    HEALTH_PORT=0 METRICS_PORT=0 POD_NAMESPACE=default LEADER_ELECTION=false LOG_LEVEL=info \
    "RESYNC_SECONDS=${RESYNC_SECONDS:-30}" "$(command -v node)" "$ROOT/src/main.ts"
  printf ' >>%q 2>&1 </dev/null &\n' "$OPLOG"
  printf 'echo $! >%q\n' "$OPPID"
} >"$OPDIR/operator.run.sh"
chmod 700 "$OPDIR/operator.run.sh"
say "starting the operator: node src/main.ts (LEADER_ELECTION=false, log ${OPLOG#"$ROOT"/})"
"$OPDIR/operator.run.sh" 8>&-
operator=$(cat "$OPPID")
for _ in $(seq 1 120); do
  grep -q '"msg":"Started"' "$OPLOG" 2>/dev/null && break
  alive "$OPPID" src/main.ts || break
  sleep 0.25
done
if ! grep -q '"msg":"Started"' "$OPLOG" 2>/dev/null; then
  say "the operator did not start; its log:" >&2
  helper log "$OPLOG" 40
  exit 1
fi
health=$(grep -m1 -o '"healthPort":[0-9]*' "$OPLOG" | cut -d: -f2)
ready=0
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$health/readyz" >/dev/null 2>&1; then
    ready=1
    break
  fi
  alive "$OPPID" src/main.ts || break
  sleep 0.25
done
if [ "$ready" != 1 ]; then
  say "the operator (pid $operator) did not become ready within 30 s; its log:" >&2
  helper log "$OPLOG" 40
  exit 1
fi
say "the operator (pid $operator) is running and ready (http://127.0.0.1:$health/readyz)"

# --- 4. the examples ----------------------------------------------------------------------------
say "applying the examples: kubectl apply -f $EXAMPLES"
kubectl apply -f "$EXAMPLES" | indent
say "waiting up to $TIMEOUT s until each example is Ready (condition Ready=True for its current generation)"
if ! helper wait "$EXAMPLES" "$TIMEOUT" "$operator"; then
  say "the last 40 lines of the operator log (${OPLOG#"$ROOT"/}):" >&2
  helper log "$OPLOG" 40
  exit 1
fi

# --- 5. what Kubernetes and the hub say ---------------------------------------------------------
echo
for ns in $(helper namespaces "$EXAMPLES"); do
  echo "== Kubernetes: kubectl get hubusers,hubgroups,hubservers -o wide -n $ns"
  kubectl get hubusers,hubgroups,hubservers -o wide -n "$ns" | indent
  echo
done
echo "== JupyterHub $HUB_VERSION: GET $HUB_API_URL/users and /groups"
helper hub | indent
echo
