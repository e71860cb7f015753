#!/usr/bin/env bash
# Builds etcd at the release in etcd-version ($ETCD_VERSION picks another) from the Go module proxy
# into the cache (once per machine) and prints its path. The server module cannot be `go install`ed
# (its go.mod replaces sibling modules with ../), so a throwaway wrapper module requires it and
# resolves those siblings to their published twins of the same release.
set -euo pipefail
ETCD_VERSION="${ETCD_VERSION:-$(cat "$(dirname "$0")/etcd-version")}"
CACHE="${HUBOPS_CACHE:-$HOME/.cache/hubops}"
BIN="$CACHE/bin/etcd-$ETCD_VERSION"
if [ -x "$BIN/etcd" ]; then echo "$BIN/etcd"; exit 0; fi
mkdir -p "$CACHE"
exec 9>"$CACHE/.etcd-build.lock"
flock 9 # a concurrent build finishes first, then the check below finds its binary
if [ -x "$BIN/etcd" ]; then echo "$BIN/etcd"; exit 0; fi
command -v go >/dev/null || { echo "testenv: no Go toolchain on PATH; etcd is built with Go" >&2; exit 2; }
export GOMODCACHE="$CACHE/gomod" GOCACHE="$CACHE/gobuild" GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
echo "testenv: building etcd $ETCD_VERSION from the Go module proxy (about a minute on 2 cores)" >&2
W="$CACHE/wrap/etcd-$ETCD_VERSION"
rm -rf "$W" && mkdir -p "$W" "$BIN" && cd "$W"
go mod init hubops.local/etcd >/dev/null 2>&1
go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >get.log 2>&1 || { cat get.log >&2; exit 1; }
go build -trimpath -p 2 -ldflags "-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3
"$BIN/etcd.tmp" --version >/dev/null
mv "$BIN/etcd.tmp" "$BIN/etcd"
echo "$BIN/etcd"
