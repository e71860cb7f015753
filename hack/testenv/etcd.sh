#!/usr/bin/env bash
# Prints the path of an etcd binary: the machine's own if on PATH, else Debian's etcd-server
# package unpacked into the cache. Unpacking (not `apt-get install`) means no system service is
# started on etcd's fixed ports and nothing outside the cache changes.
set -euo pipefail
CACHE="${HUBOPS_CACHE:-$HOME/.cache/hubops}"
if command -v etcd >/dev/null; then command -v etcd; exit 0; fi
DIR="$CACHE/etcd-debian"
if [ ! -x "$DIR/usr/bin/etcd" ]; then
  command -v apt-get >/dev/null || { echo "testenv: no etcd on PATH and no apt-get to fetch Debian's etcd-server" >&2; exit 2; }
  echo "testenv: fetching Debian's etcd-server package into $DIR" >&2
  TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
  if ! (cd "$TMP" && apt-get download etcd-server >/dev/null 2>&1); then
    apt-get update -qq >/dev/null 2>&1 || true
    (cd "$TMP" && apt-get download etcd-server >/dev/null) || { echo "testenv: apt-get download etcd-server failed" >&2; exit 1; }
  fi
  rm -rf "$DIR.tmp"; mkdir -p "$DIR.tmp"; dpkg-deb -x "$TMP"/etcd-server_*.deb "$DIR.tmp"
  "$DIR.tmp/usr/bin/etcd" --version >/dev/null
  rm -rf "$DIR"; mv "$DIR.tmp" "$DIR"
fi
echo "$DIR/usr/bin/etcd"
