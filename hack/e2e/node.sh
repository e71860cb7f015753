#!/usr/bin/env bash
# The node, run by hack/e2e/run.sh as PID 1 of new PID, mount and network namespaces: when this
# script exits, the kernel kills every process it started and drops every mount and device. It
# brings up etcd, kube-apiserver (with the flags and default admission plugins of a real cluster,
# ServiceAccount tokens included), kube-controller-manager, kube-scheduler, containerd, a kubelet
# and a JupyterHub, then runs COMMAND with $E2E_ENV_FILE naming what it needs.
#
# Network: the node's address 10.88.0.1 is on a bridge that exists only in this namespace (the
# kubelet refuses a loopback address); pods get 10.88.1.0/24 from the CNI bridge plugin; one DNAT
# rule sends the `kubernetes` Service address 10.0.0.1:443 to the API server, which is the one
# thing kube-proxy would do here. So a pod's in-cluster configuration is the real one.
set -euo pipefail
# Everything below (tmpfs over /run, a bridge, iptables rules) is only harmless in namespaces of
# its own, where PID 1 is this script.
[ "$$" = 1 ] || { echo "e2e: node.sh runs only as PID 1 of new namespaces (hack/e2e/run.sh); this is PID $$" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../testenv/lib.sh
. "$HERE/../testenv/lib.sh"
W="$E2E_WORK"
NODE_IP=10.88.0.1
NODE_NAME=hubops-e2e
SERVICE_IP=10.0.0.1
PKI="$W/pki"
LOGS="$W/logs"
mkdir -p "$PKI" "$LOGS"

# Private copies of the fixed paths containerd and the kubelet use whatever their configuration.
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/lib/kubelet
mount -t tmpfs tmpfs /var/log
mkdir -p /run/netns /var/log/pods /var/log/containers

ip link set lo up
ip link add hubops0 type bridge
ip addr add "$NODE_IP/24" dev hubops0
ip link set hubops0 up
ip route add 10.0.0.0/24 dev hubops0
echo 1 >/proc/sys/net/ipv4/ip_forward

# --- certificates and credentials ------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=hubops-e2e-ca \
  -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
sign() { # sign NAME SUBJECT [SAN]
  openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$PKI/$1.key" -out "$PKI/$1.csr" 2>/dev/null
  if [ -n "${3:-}" ]; then printf 'subjectAltName=%s\n' "$3" >"$PKI/$1.ext"; else : >"$PKI/$1.ext"; fi
  openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 2 \
    -extfile "$PKI/$1.ext" -out "$PKI/$1.crt" 2>/dev/null
}
sign apiserver /CN=kube-apiserver \
  "IP:$NODE_IP,IP:$SERVICE_IP,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
ADMIN=$(openssl rand -hex 16)
KCM=$(openssl rand -hex 16)
SCHED=$(openssl rand -hex 16)
KUBELET=$(openssl rand -hex 16)
{
  echo "$ADMIN,kubernetes-admin,uid-admin,\"system:masters\""
  echo "$KCM,system:kube-controller-manager,uid-kcm"
  echo "$SCHED,system:kube-scheduler,uid-scheduler"
  echo "$KUBELET,system:node:$NODE_NAME,uid-node,\"system:nodes\""
} >"$PKI/tokens.csv"
read -r EP PP AP HP PUB < <(free_ports 5)
SERVER="https://$NODE_IP:$AP"
write_kubeconfig "$W/admin.kubeconfig" "$SERVER" "$PKI/ca.crt" "$ADMIN"
write_kubeconfig "$W/kcm.kubeconfig" "$SERVER" "$PKI/ca.crt" "$KCM"
write_kubeconfig "$W/scheduler.kubeconfig" "$SERVER" "$PKI/ca.crt" "$SCHED"
write_kubeconfig "$W/kubelet.kubeconfig" "$SERVER" "$PKI/ca.crt" "$KUBELET"
export KUBECONFIG="$W/admin.kubeconfig"

start() { # start NAME PROGRAM ARGS...: in the background, output to $LOGS/NAME.log, pid in $W/NAME.pid
  local name=$1
  shift
  "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$W/$name.pid"
}

# --- control plane ---------------------------------------------------------------------------
start etcd "$E2E_ETCD" --name e2e --data-dir "$W/etcd" --unsafe-no-fsync \
  --listen-client-urls "http://127.0.0.1:$EP" --advertise-client-urls "http://127.0.0.1:$EP" \
  --listen-peer-urls "http://127.0.0.1:$PP" --initial-advertise-peer-urls "http://127.0.0.1:$PP" \
  --initial-cluster "e2e=http://127.0.0.1:$PP" --listen-metrics-urls ""
wait_for etcd 60 "$LOGS/etcd.log" curl -fsS "http://127.0.0.1:$EP/health"
start kube-apiserver "$E2E_BIN/kube-apiserver" --etcd-servers="http://127.0.0.1:$EP" \
  --bind-address="$NODE_IP" --advertise-address="$NODE_IP" --secure-port="$AP" \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$PKI/ca.crt" --token-auth-file="$PKI/tokens.csv" \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --service-cluster-ip-range=10.0.0.0/24 --allow-privileged=true --profiling=false \
  --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
  --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
  --kubelet-preferred-address-types=InternalIP
wait_for kube-apiserver 120 "$LOGS/kube-apiserver.log" kubectl get --raw /readyz
iptables -t nat -A OUTPUT -d "$SERVICE_IP/32" -p tcp --dport 443 -j DNAT --to-destination "$NODE_IP:$AP"
iptables -t nat -A PREROUTING -d "$SERVICE_IP/32" -p tcp --dport 443 -j DNAT --to-destination "$NODE_IP:$AP"
start kube-controller-manager "$E2E_BIN/kube-controller-manager" --kubeconfig="$W/kcm.kubeconfig" \
  --authentication-kubeconfig="$W/kcm.kubeconfig" --authorization-kubeconfig="$W/kcm.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port=0 --leader-elect=false --use-service-account-credentials=true \
  --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --controllers='*,-nodeipam,-service-lb-controller,-cloud-node-lifecycle-controller' \
  --node-monitor-grace-period=20s
start kube-scheduler "$E2E_BIN/kube-scheduler" --kubeconfig="$W/scheduler.kubeconfig" \
  --authentication-kubeconfig="$W/scheduler.kubeconfig" --authorization-kubeconfig="$W/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port=0 --leader-elect=false

# --- container runtime -----------------------------------------------------------------------
mkdir -p "$W/cni/net.d" "$W/containerd"
cat >"$W/cni/net.d/10-hubops.conflist" <<EOT
{
  "cniVersion": "1.0.0",
  "name": "hubops-e2e",
  "plugins": [
    { "type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false,
      "ipam": { "type": "host-local", "dataDir": "$W/cni/ipam", "ranges": [[{ "subnet": "10.88.1.0/24" }]],
                "routes": [{ "dst": "0.0.0.0/0" }] } },
    { "type": "loopback" }
  ]
}
EOT
# Root here lacks CAP_SYS_RESOURCE: runc cannot lower oom_score_adj unless told not to try.
containerd config default |
  sed -e "s#^root = .*#root = \"$W/containerd/root\"#" \
    -e "s#^state = .*#state = \"/run/containerd\"#" \
    -e "s#path = \"/opt/containerd\"#path = \"$W/containerd/opt\"#" \
    -e "s#restrict_oom_score_adj = false#restrict_oom_score_adj = true#" \
    -e "s#sandbox_image = .*#sandbox_image = \"$E2E_PAUSE_IMAGE\"#" \
    -e "s#bin_dir = .*#bin_dir = \"/usr/lib/cni\"#" \
    -e "s#conf_dir = .*#conf_dir = \"$W/cni/net.d\"#" \
    -e "s#SystemdCgroup = true#SystemdCgroup = false#" >"$W/containerd/config.toml"
SOCK=/run/containerd/containerd.sock
start containerd containerd --config "$W/containerd/config.toml"
wait_for containerd 60 "$LOGS/containerd.log" ctr --address "$SOCK" version
ctr --address "$SOCK" -n k8s.io images import --no-unpack=false "$E2E_PAUSE_ARCHIVE" >/dev/null
ctr --address "$SOCK" -n k8s.io images import "$E2E_OPERATOR_ARCHIVE" >/dev/null

cat >"$W/kubelet.yaml" <<EOT
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
# Machines like this one mount only cgroup v1, which kubelets from 1.35 refuse unless told.
failCgroupV1: false
containerRuntimeEndpoint: unix://$SOCK
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $PKI/ca.crt }
authorization: { mode: Webhook }
failSwapOn: false
resolvConf: /etc/resolv.conf
clusterDomain: cluster.local
evictionHard: { memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1% }
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
EOT
start kubelet "$E2E_BIN/kubelet" --config="$W/kubelet.yaml" --kubeconfig="$W/kubelet.kubeconfig" \
  --root-dir=/var/lib/kubelet --cert-dir="$W/kubelet-pki" --node-ip="$NODE_IP" \
  --hostname-override="$NODE_NAME" --v=1
node_ready() {
  [ "$(kubectl get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}
wait_for "the node" 120 "$LOGS/kubelet.log" node_ready

# --- the hub, where pods can reach it ---------------------------------------------------------
HUB_DIR="$W/hub"
mkdir -p "$HUB_DIR/homes"
HUB_TOKEN=$(openssl rand -hex 32)
HUBOPS_HUB_DIR="$HUB_DIR" HUBOPS_HUB_PORT="$HP" HUBOPS_PUBLIC_PORT="$PUB" HUBOPS_HUB_TOKEN="$HUB_TOKEN" \
  HUBOPS_HUB_IP="$NODE_IP" HUBOPS_STUB_SERVER="$HERE/../testenv/stub_server.py" \
  start jupyterhub "$E2E_HUB_VENV/bin/jupyterhub" -f "$HERE/../testenv/jupyterhub_config.py"
HUB_API_URL="http://$NODE_IP:$HP/hub/api"
wait_for JupyterHub 90 "$LOGS/jupyterhub.log" curl -fsS "$HUB_API_URL/"
echo "e2e: node $NODE_NAME Ready, API server $SERVER, hub $HUB_API_URL" >&2

cat >"$W/e2e.env" <<EOT
KUBECONFIG=$W/admin.kubeconfig
HUB_API_URL=$HUB_API_URL
HUB_API_TOKEN=$HUB_TOKEN
E2E_NODE_NAME=$NODE_NAME
E2E_CONTAINERD_SOCKET=$SOCK
E2E_HELM=$E2E_HELM
E2E_OPERATOR_IMAGE=$E2E_OPERATOR_IMAGE
E2E_OPERATOR_ARCHIVE=$E2E_OPERATOR_ARCHIVE
E2E_LOGS=$LOGS
E2E_POD_LOGS=/var/log/pods
EOT
export E2E_ENV_FILE="$W/e2e.env"
cd "$E2E_ROOT"
"$@"
