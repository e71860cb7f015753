#!/usr/bin/env bash
# make dashboard-picture: the README's picture of the dashboard, from a real run. Starts a test
# environment of its own (.testenv/picture), the operator, and Debian's Prometheus scraping it
# every second; creates N HubUsers (default 5000) in four course groups at once, waits until all
# are Ready and one more sweep, then draws every panel of charts/hubops/files/dashboard.json over
# that window (hack/dashboard/render.py, matplotlib from PyPI) into docs/dashboard.svg. Stops
# everything it started, by PID, also on failure.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
N="${N:-5000}"
export HUBOPS_CACHE="${HUBOPS_CACHE:-$HOME/.cache/hubops}"
export TESTENV_DIR="$ROOT/.testenv/picture" TESTENV_ENV_FILE="$ROOT/.testenv/picture.env"
OUT="${OUT:-$ROOT/docs/dashboard.svg}"
# shellcheck source=../testenv/lib.sh
. "$ROOT/hack/testenv/lib.sh"
WORK=$(mktemp -d)
OPPID=""
PROMPID=""
cleanup() {
  [ -z "$OPPID" ] || kill -TERM "$OPPID" 2>/dev/null || true
  [ -z "$PROMPID" ] || { kill -KILL "$PROMPID" && wait "$PROMPID"; } 2>/dev/null || true
  "$ROOT/hack/testenv/down.sh" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

VENV="$HUBOPS_CACHE/plot-venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import matplotlib' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check matplotlib
fi
PROMBIN=$("$ROOT/hack/prometheus.sh")
"$ROOT/hack/testenv/up.sh" >/dev/null
set -a
# shellcheck disable=SC1090
. "$TESTENV_ENV_FILE"
set +a
kubectl apply --server-side -f "$ROOT/crds/" >/dev/null
kubectl create namespace physics >/dev/null 2>&1 || true

read -r MP PP < <(free_ports 2)
(cd "$ROOT" && LEADER_ELECTION=false HEALTH_PORT=0 METRICS_PORT="$MP" WATCH_NAMESPACE=physics \
  POD_NAMESPACE=physics LOG_LEVEL=warn exec node --max-semi-space-size=2 src/main.ts) >"$WORK/operator.log" 2>&1 &
OPPID=$!
cat >"$WORK/prometheus.yml" <<EOT
global: { scrape_interval: 1s }
scrape_configs:
  - job_name: hubops
    static_configs:
      - targets: ['127.0.0.1:$MP']
        labels: { namespace: physics, pod: operator }
EOT
"$PROMBIN/prometheus" --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PP" >"$WORK/prometheus.log" 2>&1 &
PROMPID=$!
PROM="http://127.0.0.1:$PP"
wait_for Prometheus 60 "$WORK/prometheus.log" curl -fsS "$PROM/-/ready"
sleep 20
START=$(date +%s)

# The course: N students in four groups by label, created in one go as a GitOps sync would.
python3 - "$N" >"$WORK/users.yaml" <<'PY'
import sys
n = int(sys.argv[1])
for i in range(n):
    print(f"---\napiVersion: hubops.io/v1alpha1\nkind: HubUser\nmetadata:\n  name: s{i:05d}\n  namespace: physics\n  labels: {{section: s{i % 4}}}\nspec: {{}}")
for s in range(4):
    print(f"---\napiVersion: hubops.io/v1alpha1\nkind: HubGroup\nmetadata:\n  name: section-{s}\n  namespace: physics\nspec:\n  memberSelector: {{matchLabels: {{section: s{s}}}}}")
PY
kubectl create -f "$WORK/users.yaml" >/dev/null
ready() {
  curl -fsS "$PROM/api/v1/query" --data-urlencode "query=hubops_resources{kind=\"HubUser\",ready=\"True\"}" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else 0)'
}
for _ in $(seq 1 1200); do
  [ "$(ready)" -ge "$N" ] && break
  sleep 1
done
SYNCED=$(($(date +%s) - START))
echo "picture: $N HubUsers Ready $SYNCED s after the create" >&2
sleep 40
END=$(date +%s)
"$VENV/bin/python" "$HERE/render.py" "$ROOT/charts/hubops/files/dashboard.json" "$PROM" "$START" "$END" "$OUT" \
  "$N HubUsers and 4 groups created at 0 s, all Ready at ${SYNCED} s (one operator, test hub, 2 cores)"
