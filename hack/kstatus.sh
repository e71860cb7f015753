#!/usr/bin/env bash
# Builds hack/kstatus (kstatus of sigs.k8s.io/cli-utils, the rules of Flux's health checks) from
# the Go module proxy into the cache, once per version of its sources, and prints its path.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE="${HUBOPS_CACHE:-$HOME/.cache/hubops}"
SUM=$(cat "$HERE/kstatus/go.mod" "$HERE/kstatus/go.sum" "$HERE/kstatus/main.go" | sha256sum | cut -c1-12)
BIN="$CACHE/bin/kstatus-$SUM"
if [ ! -x "$BIN" ]; then
  command -v go >/dev/null || { echo "kstatus.sh: no Go toolchain on PATH" >&2; exit 2; }
  mkdir -p "$CACHE/bin"
  echo "kstatus.sh: building kstatus (sigs.k8s.io/cli-utils) into $BIN" >&2
  (cd "$HERE/kstatus" && GOMODCACHE="$CACHE/gomod" GOCACHE="$CACHE/gobuild" GOTOOLCHAIN=local CGO_ENABLED=0 \
    GOFLAGS=-mod=readonly go build -trimpath -o "$BIN.tmp" .) >&2
  mv "$BIN.tmp" "$BIN"
fi
echo "$BIN"
