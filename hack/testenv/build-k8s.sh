#!/usr/bin/env bash
# Builds one Kubernetes component ($1: kube-apiserver, kubelet, kube-controller-manager,
# kube-scheduler) at $K8S_VERSION from the Go module proxy into the cache (once per machine) and
# prints its path. k8s.io/kubernetes cannot be `go install`ed (its go.mod replaces staging modules
# with ./staging), so a throwaway wrapper module pins every staging module to its published v0.x twin.
# The release everything tests against by default is in kubernetes-version; make test-compat sets others.
set -euo pipefail
COMPONENT="${1:?usage: build-k8s.sh kube-apiserver|kubelet|kube-controller-manager|kube-scheduler}"
K8S_VERSION="${K8S_VERSION:-$(cat "$(dirname "$0")/kubernetes-version")}"
CACHE="${HUBOPS_CACHE:-$HOME/.cache/hubops}"
BIN="$CACHE/bin/k8s-$K8S_VERSION"
if [ -x "$BIN/$COMPONENT" ]; then echo "$BIN/$COMPONENT"; exit 0; fi
mkdir -p "$CACHE"
# One lock for every component: they share the wrapper module and the build cache.
exec 9>"$CACHE/.kube-apiserver-build.lock"
flock 9 # a concurrent build finishes first, then the check below finds its binary
if [ -x "$BIN/$COMPONENT" ]; then echo "$BIN/$COMPONENT"; exit 0; fi
command -v go >/dev/null || { echo "testenv: no Go toolchain on PATH; $COMPONENT is built with Go" >&2; exit 2; }
export GOMODCACHE="$CACHE/gomod" GOCACHE="$CACHE/gobuild" GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
echo "testenv: building $COMPONENT $K8S_VERSION from the Go module proxy (kube-apiserver cold: about 3 minutes on 2 cores)" >&2
W="$CACHE/wrap/k8s-$K8S_VERSION"; mkdir -p "$W" "$BIN"; cd "$W"
if [ ! -f go.mod ] || ! grep -q '^replace' go.mod; then
  rm -rf "$W"/*; go mod init hubops.local/kas >/dev/null 2>&1
  STAGING="v0.${K8S_VERSION#v1.}"
  GOMOD=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' || true)
  [ -f "$GOMOD" ] || { echo "testenv: could not download k8s.io/kubernetes@$K8S_VERSION" >&2; exit 1; }
  for m in $(sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._-]*\) => \./staging/.*#\1#p' "$GOMOD" | sort -u); do
    go mod edit -replace="$m=$m@$STAGING"
  done
fi
go get "k8s.io/kubernetes/cmd/$COMPONENT@$K8S_VERSION" >&2
MINOR=$(cut -d. -f2 <<<"$K8S_VERSION")
go build -trimpath -p 2 -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION \
  -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$MINOR" \
  -o "$BIN/$COMPONENT.tmp" "k8s.io/kubernetes/cmd/$COMPONENT"
mv "$BIN/$COMPONENT.tmp" "$BIN/$COMPONENT"
echo "$BIN/$COMPONENT"
