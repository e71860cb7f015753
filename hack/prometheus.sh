#!/usr/bin/env bash
# Prints the folder holding Debian 12's prometheus and promtool (the `prometheus` package, unpacked
# into the cache rather than installed, so no service starts): the alert rules' unit tests and the
# dashboard's queries against a real Prometheus use them.
set -euo pipefail
CACHE="${HUBOPS_CACHE:-$HOME/.cache/hubops}"
DIR="$CACHE/prometheus-debian"
if [ ! -x "$DIR/usr/bin/promtool" ]; then
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.prometheus.lock"
  flock 9
  if [ ! -x "$DIR/usr/bin/promtool" ]; then
    command -v apt-get >/dev/null || { echo "prometheus.sh: no apt-get to fetch Debian's prometheus package" >&2; exit 2; }
    echo "prometheus.sh: fetching Debian's prometheus package into $DIR" >&2
    TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
    if ! (cd "$TMP" && apt-get download prometheus >/dev/null 2>&1); then
      apt-get update -qq >/dev/null 2>&1 || true
      (cd "$TMP" && apt-get download prometheus >/dev/null) || { echo "prometheus.sh: apt-get download prometheus failed" >&2; exit 1; }
    fi
    rm -rf "$DIR.tmp"; mkdir -p "$DIR.tmp"; dpkg-deb -x "$TMP"/prometheus_*.deb "$DIR.tmp"
    "$DIR.tmp/usr/bin/promtool" --version >/dev/null
    rm -rf "$DIR"; mv "$DIR.tmp" "$DIR"
  fi
fi
echo "$DIR/usr/bin"
