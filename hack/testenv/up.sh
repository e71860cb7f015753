#!/usr/bin/env bash
# Starts, or reuses when already running, a real etcd + kube-apiserver and a real JupyterHub on
# free loopback ports, then writes the env file (CONTRACT §2). Each process gets a run script in
# its folder (run.sh), so a test can stop it by PID and start it again on the same port and data.
#   HUB_VERSION       hub release to run (default below); a running hub of another version is replaced
#   TESTENV_DIR       folder for pids, logs, certificates and data (default .testenv/dev)
#   TESTENV_ENV_FILE  the env file to write (default .testenv/env)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
HUB_VERSION="${HUB_VERSION:-6.1.1}"
TESTENV_DIR="${TESTENV_DIR:-$ROOT/.testenv/dev}"
ENV_FILE="${TESTENV_ENV_FILE:-$ROOT/.testenv/env}"
KDIR="$TESTENV_DIR/kube"
HDIR="$TESTENV_DIR/hub"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
mkdir -p "$TESTENV_DIR"

kube_ready() {
  curl -fsS --cacert "$KDIR/pki/ca.crt" -H "Authorization: Bearer $(head -n1 "$KDIR/pki/tokens.csv" | cut -d, -f1)" \
    "$(cat "$KDIR/server")/readyz"
}

kube_up() {
  if alive "$KDIR/etcd.pid" etcd && alive "$KDIR/kube-apiserver.pid" kube-apiserver &&
    kube_ready >/dev/null 2>&1; then
    echo "testenv: reusing kube-apiserver $(cat "$KDIR/server")"
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
  write_run_script "$KDIR" kube-apiserver "$kas" --etcd-servers="http://127.0.0.1:$ep" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$ap" --cert-dir="$pki" \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --token-auth-file="$pki/tokens.csv" --authorization-mode=RBAC \
    --service-account-issuer="https://127.0.0.1:$ap" --service-account-key-file="$pki/sa.key" \
    --service-account-signing-key-file="$pki/sa.key" --service-cluster-ip-range=10.0.0.0/24 \
    --allow-privileged=true --disable-admission-plugins=ServiceAccount --profiling=false
  echo "https://127.0.0.1:$ap" >"$KDIR/server"
  write_kubeconfig "$KDIR/admin.kubeconfig" "https://127.0.0.1:$ap" "$pki/ca.crt" "$admin"
  write_kubeconfig "$KDIR/operator.kubeconfig" "https://127.0.0.1:$ap" "$pki/ca.crt" "$operator"

  "$KDIR/etcd.run.sh"
  wait_for "etcd" 60 "$KDIR/etcd.log" curl -fsS "http://127.0.0.1:$ep/health"
  "$KDIR/kube-apiserver.run.sh"
  wait_for "kube-apiserver" 120 "$KDIR/kube-apiserver.log" kube_ready
  echo "testenv: kube-apiserver ready at https://127.0.0.1:$ap (etcd 127.0.0.1:$ep)"
}

hub_up() {
  if alive "$HDIR/jupyterhub.pid" jupyterhub && [ "$(cat "$HDIR/version" 2>/dev/null)" = "$HUB_VERSION" ] &&
    curl -fsS "$(cat "$HDIR/api_url")/" >/dev/null 2>&1; then
    echo "testenv: reusing JupyterHub $HUB_VERSION at $(cat "$HDIR/api_url")"
    return
  fi
  local venv port public_port token
  venv=$("$HERE/hub-venv.sh" "$HUB_VERSION")
  stop_pidfile "$HDIR/jupyterhub.pid" jupyterhub
  rm -rf "$HDIR"
  mkdir -p "$HDIR/homes"
  read -r port public_port < <(free_ports 2)
  token=$(openssl rand -hex 32)
  echo "$HUB_VERSION" >"$HDIR/version"
  echo "http://127.0.0.1:$port/hub/api" >"$HDIR/api_url"
  echo "$token" >"$HDIR/token"
  HUBOPS_HUB_DIR="$HDIR" HUBOPS_HUB_PORT="$port" HUBOPS_PUBLIC_PORT="$public_port" HUBOPS_HUB_TOKEN="$token" \
    HUBOPS_STUB_SERVER="$HERE/stub_server.py" \
    write_run_script "$HDIR" jupyterhub "$venv/bin/jupyterhub" -f "$HERE/jupyterhub_config.py"
  "$HDIR/jupyterhub.run.sh"
  wait_for "JupyterHub $HUB_VERSION" 90 "$HDIR/jupyterhub.log" curl -fsS "http://127.0.0.1:$port/hub/api/"
  local got
  got=$(curl -fsS "http://127.0.0.1:$port/hub/api/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
  [ "$got" = "$HUB_VERSION" ] || { echo "testenv: asked for JupyterHub $HUB_VERSION, got $got" >&2; exit 1; }
  echo "testenv: JupyterHub $HUB_VERSION ready at http://127.0.0.1:$port/hub/api"
}

kube_up
hub_up
mkdir -p "$(dirname "$ENV_FILE")"
cat >"$ENV_FILE.tmp" <<EOT
KUBECONFIG=$KDIR/admin.kubeconfig
OPERATOR_KUBECONFIG=$KDIR/operator.kubeconfig
HUB_API_URL=$(cat "$HDIR/api_url")
HUB_API_TOKEN=$(cat "$HDIR/token")
HUB_VERSION=$HUB_VERSION
TESTENV_DIR=$TESTENV_DIR
EOT
mv "$ENV_FILE.tmp" "$ENV_FILE"
echo "testenv: wrote $ENV_FILE (source it, or: export \$(cat $ENV_FILE))"
