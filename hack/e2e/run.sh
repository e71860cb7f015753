#!/usr/bin/env bash
# make e2e: a one-node Kubernetes cluster with a real kubelet, the operator image built from the
# Dockerfile, the chart installed by Helm, and COMMAND (the end-to-end suite) run against it.
# Builds and fetches first (cached in $HUBOPS_CACHE), then runs hack/e2e/node.sh in new PID, mount
# and network namespaces: every process, mount and network device of the node lives there and
# dies with it, whatever way the run ends. What outlives a namespace (cgroups, the work folder) is
# removed here, on every exit. One such node per machine at a time: containerd and the kubelet
# share fixed cgroup paths. Usage: hack/e2e/run.sh COMMAND...
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export HUBOPS_CACHE="${HUBOPS_CACHE:-$HOME/.cache/hubops}"
export K8S_VERSION="${K8S_VERSION:-$(cat "$ROOT/hack/testenv/kubernetes-version")}"
export HUB_VERSION="${HUB_VERSION:-6.1.1}"
[ "$(id -u)" = 0 ] || { echo "e2e: a node needs root (containerd, the kubelet, namespaces)" >&2; exit 2; }
[ $# -gt 0 ] || { echo "usage: hack/e2e/run.sh COMMAND..." >&2; exit 2; }

started=$(date +%s)
# Debian's container runtime and CNI plugins; installed once, never started as a service here.
missing=()
command -v containerd >/dev/null || missing+=(containerd)
command -v runc >/dev/null || missing+=(runc)
[ -x /usr/lib/cni/bridge ] || missing+=(containernetworking-plugins)
command -v iptables >/dev/null || missing+=(iptables)
if [ ${#missing[@]} -gt 0 ]; then
  echo "e2e: installing ${missing[*]} from Debian" >&2
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null; }
fi

BIN="$HUBOPS_CACHE/bin/k8s-$K8S_VERSION"
for component in kube-apiserver kube-controller-manager kube-scheduler kubelet; do
  "$ROOT/hack/testenv/build-k8s.sh" "$component" >/dev/null
done
ETCD=$("$ROOT/hack/testenv/etcd.sh")
HUB_VENV=$("$ROOT/hack/testenv/hub-venv.sh" "$HUB_VERSION")
HELM=$("$ROOT/hack/helm.sh")
IMAGES="$HUBOPS_CACHE/e2e-images"
mkdir -p "$IMAGES"
PAUSE_IMAGE="registry.k8s.io/pause:hubops-$K8S_VERSION"
[ -f "$IMAGES/pause-$K8S_VERSION.tar" ] ||
  node "$ROOT/hack/image/pause.ts" "$K8S_VERSION" "$IMAGES/pause-$K8S_VERSION.tar" "$PAUSE_IMAGE"
# The operator image is built from this checkout every run: it is what the suite tests.
OPERATOR_IMAGE="ghcr.io/hubops/hubops:$(sed -n "s/^appVersion: *'\{0,1\}\([^']*\)'\{0,1\}$/\1/p" "$ROOT/charts/hubops/Chart.yaml")"
WORK=$(mktemp -d /tmp/hubops-e2e.XXXXXX)
node "$ROOT/hack/image/build.ts" "$WORK/operator.tar" "$OPERATOR_IMAGE"
echo "e2e: builds and images ready in $(($(date +%s) - started)) s" >&2

# remove_cgroups: the cgroup folders the kubelet and containerd made, deepest first. Their
# processes died with the PID namespace; an empty cgroup can take a moment to let go.
remove_cgroups() {
  local controller dir i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    local left=0
    for controller in /sys/fs/cgroup/*/; do
      for dir in "$controller"kubepods "$controller"k8s.io; do
        [ -d "$dir" ] || continue
        find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null || true
        [ -d "$dir" ] && left=1
      done
    done
    [ $left = 0 ] && return 0
    sleep 1
  done
  echo "e2e: some cgroup folders are still in use (kubepods, k8s.io)" >&2
}

cleanup() {
  remove_cgroups
  # The namespaces are gone, so nothing is mounted under WORK any more.
  rm -rf "$WORK"
  [ -z "$made_kubelet_dir" ] || rmdir /var/lib/kubelet 2>/dev/null || true
}
# The kubelet keeps device-plugin sockets under /var/lib/kubelet whatever its --root-dir: the
# node mounts a tmpfs there, on a folder made here if the machine has none.
made_kubelet_dir=
[ -d /var/lib/kubelet ] || { mkdir -p /var/lib/kubelet; made_kubelet_dir=1; }
trap cleanup EXIT

exec 9>"$HUBOPS_CACHE/.e2e-node.lock"
flock -n 9 || { echo "e2e: another node runs on this machine (lock $HUBOPS_CACHE/.e2e-node.lock)" >&2; exit 1; }
remove_cgroups # a node killed before it could clean up

export E2E_WORK="$WORK" E2E_BIN="$BIN" E2E_ETCD="$ETCD" E2E_HUB_VENV="$HUB_VENV" E2E_HELM="$HELM" \
  E2E_PAUSE_ARCHIVE="$IMAGES/pause-$K8S_VERSION.tar" E2E_PAUSE_IMAGE="$PAUSE_IMAGE" \
  E2E_OPERATOR_ARCHIVE="$WORK/operator.tar" E2E_OPERATOR_IMAGE="$OPERATOR_IMAGE" E2E_ROOT="$ROOT"
status=0
unshare --pid --fork --kill-child --mount --propagation private --net --mount-proc \
  "$HERE/node.sh" "$@" || status=$?
echo "e2e: finished in $(($(date +%s) - started)) s with status $status" >&2
exit "$status"
