#!/usr/bin/env bash
# Starts, or reuses when already running, a real etcd + kube-apiserver and two independent
# JupyterHubs of the same release (folders hub and hub2: own ports, token, database; the second is
# for tests of several hubs) on free loopback ports, then writes the env file (CONTRACT §2). Each
# process gets a run script in its folder (NAME.run.sh), so a test can stop it by PID and start it
# again on the same port and data.
#   HUB_VERSION       hub release to run (default below); a running hub of another version is replaced
#   K8S_VERSION       kube-apiserver release (default: kubernetes-version); likewise replaced
#   ETCD_VERSION      etcd release (default: etcd-version); likewise replaced
#   TESTENV_DIR       folder for pids, logs, certificates and data (default .testenv/dev)
#   TESTENV_ENV_FILE  the env file to write (default .testenv/env)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
HUB_VERSION="${HUB_VERSION:-6.1.1}"
K8S_VERSION="${K8S_VERSION:-$(cat "$HERE/kubernetes-version")}"
ETCD_VERSION="${ETCD_VERSION:-$(cat "$HERE/etcd-version")}"
export K8S_VERSION ETCD_VERSION
TESTENV_DIR="${TESTENV_DIR:-$ROOT/.testenv/dev}"
ENV_FILE="${TESTENV_ENV_FILE:-$ROOT/.testenv/env}"
KDIR="$TESTENV_DIR/kube"
HDIR="$TESTENV_DIR/hub"
H2DIR="$TESTENV_DIR/hub2"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
mkdir -p "$TESTENV_DIR"

kube_ready() {
  curl -fsS --cacert "$KDIR/pki/ca.crt" -H "Authorization: Bearer $(head -n1 "$KDIR/pki/tokens.csv" | cut -d, -f1)" \
    "$(cat "$KDIR/server")/readyz"
}

kube_up() {
  if alive "$KDIR/etcd.pid" etcd && alive "$KDIR/kube-apiserver.pid" kube-apiserver &&
    [ "$(cat "$KDIR/version" 2>/dev/null)" = "$K8S_VERSION" ] &&
    [ "$(cat "$KDIR/etcd-version" 2>/dev/null)" = "$ETCD_VERSION" ] && kube_ready >/dev/null 2>&1; then
    echo "testenv: reusing kube-apiserver $K8S_VERSION $(cat "$KDIR/server")"
    return
  fi
  local kas etcd pki ep pp ap mp admin operator
  kas=$("$HERE/build-apiserver.sh")
  etcd=$("$HERE/etcd.sh")
  stop_pidfile "$KDIR/kube-apiserver.pid" kube-apiserver
  stop_pidfile "$KDIR/etcd.pid" etcd
  rm -rf "$KDIR"
  pki="$KDIR/pki"
  mkdir -p "$pki" "$KDIR/etcd-data"
  read -r ep pp ap mp < <(free_ports 4)
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=hubops-testenv-ca \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=kube-apiserver \
    -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$pki/san.cnf"
  openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 30 -extfile "$pki/san.cnf" -out "$pki/apiserver.crt" 2>/dev/null
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  admin=$(openssl rand -hex 16)
  operator=$(openssl rand -hex 16)
  {
    echo "$admin,admin,uid-admin,\"system:masters\""
    echo "$operator,system:serviceaccount:hubops-system:hubops,uid-hubops,\"system:serviceaccounts,system:serviceaccounts:hubops-system\""
  } >"$pki/tokens.csv"

  write_run_script "$KDIR" etcd "$etcd" --name testenv --data-dir "$KDIR/etcd-data" --unsafe-no-fsync \
    --listen-client-urls "http://127.0.0.1:$ep" --advertise-client-urls "http://127.0.0.1:$ep" \
    --listen-peer-urls "http://127.0.0.1:$pp" --initial-advertise-peer-urls "http://127.0.0.1:$pp" \
    --initial-cluster "testenv=http://127.0.0.1:$pp" --listen-metrics-urls "http://127.0.0.1:$mp"
  # No endpoints for the `kubernetes` Service: no pod runs here to use them, and 1.37 refuses a
  # loopback address for them.
  write_run_script "$KDIR" kube-apiserver "$kas" --etcd-servers="http://127.0.0.1:$ep" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$ap" --cert-dir="$pki" \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --token-auth-file="$pki/tokens.csv" --authorization-mode=RBAC \
    --service-account-issuer="https://127.0.0.1:$ap" --service-account-key-file="$pki/sa.key" \
    --service-account-signing-key-file="$pki/sa.key" --service-cluster-ip-range=10.0.0.0/24 \
    --allow-privileged=true --disable-admission-plugins=ServiceAccount --profiling=false \
    --endpoint-reconciler-type=none
  echo "https://127.0.0.1:$ap" >"$KDIR/server"
  echo "$K8S_VERSION" >"$KDIR/version"
  echo "$ETCD_VERSION" >"$KDIR/etcd-version"
  write_kubeconfig "$KDIR/admin.kubeconfig" "https://127.0.0.1:$ap" "$pki/ca.crt" "$admin"
  write_kubeconfig "$KDIR/operator.kubeconfig" "https://127.0.0.1:$ap" "$pki/ca.crt" "$operator"

  "$KDIR/etcd.run.sh"
  wait_for "etcd" 60 "$KDIR/etcd.log" curl -fsS "http://127.0.0.1:$ep/health"
  "$KDIR/kube-apiserver.run.sh"
  wait_for "kube-apiserver" 120 "$KDIR/kube-apiserver.log" kube_ready
  echo "testenv: kube-apiserver $K8S_VERSION ready at https://127.0.0.1:$ap (etcd $ETCD_VERSION 127.0.0.1:$ep)"
}

# hub_running DIR: the JupyterHub started from DIR still runs, is of $HUB_VERSION and answers.
hub_running() {
  alive "$1/jupyterhub.pid" jupyterhub && [ "$(cat "$1/version" 2>/dev/null)" = "$HUB_VERSION" ] &&
    curl -fsS "$(cat "$1/api_url")/" >/dev/null 2>&1
}

# hub_start DIR PORT PUBLIC_PORT: stops whatever hub ran from DIR and starts a fresh JupyterHub
# $HUB_VERSION there (empty database, new token, its own run script) on PORT, with PUBLIC_PORT as
# its never-bound public URL. All of a hub's state lives in DIR (jupyterhub_config.py), so hubs in
# different folders share nothing.
hub_start() {
  local dir=$1 port=$2 public_port=$3 name venv token got
  name=$(basename "$dir")
  venv=$("$HERE/hub-venv.sh" "$HUB_VERSION")
  stop_pidfile "$dir/jupyterhub.pid" jupyterhub
  rm -rf "$dir"
  mkdir -p "$dir/homes"
  token=$(openssl rand -hex 32)
  echo "$HUB_VERSION" >"$dir/version"
  echo "http://127.0.0.1:$port/hub/api" >"$dir/api_url"
  echo "$token" >"$dir/token"
  HUBOPS_HUB_DIR="$dir" HUBOPS_HUB_PORT="$port" HUBOPS_PUBLIC_PORT="$public_port" HUBOPS_HUB_TOKEN="$token" \
    HUBOPS_STUB_SERVER="$HERE/stub_server.py" \
    write_run_script "$dir" jupyterhub "$venv/bin/jupyterhub" -f "$HERE/jupyterhub_config.py"
  "$dir/jupyterhub.run.sh"
  wait_for "JupyterHub $HUB_VERSION ($name)" 90 "$dir/jupyterhub.log" curl -fsS "http://127.0.0.1:$port/hub/api/"
  got=$(curl -fsS "http://127.0.0.1:$port/hub/api/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
  [ "$got" = "$HUB_VERSION" ] || { echo "testenv: asked for JupyterHub $HUB_VERSION ($name), got $got" >&2; exit 1; }
  echo "testenv: JupyterHub $HUB_VERSION ($name) ready at http://127.0.0.1:$port/hub/api"
}

# hubs_up DIR...: reuses each hub that runs $HUB_VERSION and starts the others side by side (about
# half the time of one after the other), on ports chosen in one free_ports call so that no two
# pick the same; hub-venv.sh takes a lock when it has to install. Every start is waited for, so a
# failure of one never leaves another half started behind the script.
hubs_up() {
  local dir starting=() ports=() pids=() i pid ok=true
  for dir in "$@"; do
    if hub_running "$dir"; then
      echo "testenv: reusing JupyterHub $HUB_VERSION ($(basename "$dir")) at $(cat "$dir/api_url")"
    else
      starting+=("$dir")
    fi
  done
  [ ${#starting[@]} -gt 0 ] || return 0
  read -r -a ports < <(free_ports $((2 * ${#starting[@]})))
  for i in "${!starting[@]}"; do
    hub_start "${starting[$i]}" "${ports[$((2 * i))]}" "${ports[$((2 * i + 1))]}" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || ok=false; done
  $ok || { echo "testenv: JupyterHub $HUB_VERSION did not start in every folder (see above)" >&2; exit 1; }
}

kube_up
hubs_up "$HDIR" "$H2DIR"
mkdir -p "$(dirname "$ENV_FILE")"
cat >"$ENV_FILE.tmp" <<EOT
KUBECONFIG=$KDIR/admin.kubeconfig
OPERATOR_KUBECONFIG=$KDIR/operator.kubeconfig
HUB_API_URL=$(cat "$HDIR/api_url")
HUB_API_TOKEN=$(cat "$HDIR/token")
HUB2_API_URL=$(cat "$H2DIR/api_url")
HUB2_API_TOKEN=$(cat "$H2DIR/token")
HUB_VERSION=$HUB_VERSION
K8S_VERSION=$K8S_VERSION
TESTENV_DIR=$TESTENV_DIR
EOT
mv "$ENV_FILE.tmp" "$ENV_FILE"
echo "testenv: wrote $ENV_FILE (source it, or: export \$(cat $ENV_FILE))"
