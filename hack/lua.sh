#!/usr/bin/env bash
# Prints the path of a Lua 5.1 interpreter (Argo CD runs health checks in gopher-lua, which speaks
# Lua 5.1): Debian's lua5.1 and liblua5.1-0 unpacked into the cache, behind a wrapper that finds
# the library. Nothing is installed system-wide.
set -euo pipefail
CACHE="${HUBOPS_CACHE:-$HOME/.cache/hubops}"
DIR="$CACHE/lua5.1-debian"
if [ ! -x "$DIR/lua" ]; then
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lua.lock"
  flock 9
  if [ ! -x "$DIR/lua" ]; then
    command -v apt-get >/dev/null || { echo "lua.sh: no apt-get to fetch Debian's lua5.1" >&2; exit 2; }
    echo "lua.sh: fetching Debian's lua5.1 into $DIR" >&2
    TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
    if ! (cd "$TMP" && apt-get download lua5.1 liblua5.1-0 >/dev/null 2>&1); then
      apt-get update -qq >/dev/null 2>&1 || true
      (cd "$TMP" && apt-get download lua5.1 liblua5.1-0 >/dev/null) || { echo "lua.sh: apt-get download failed" >&2; exit 1; }
    fi
    rm -rf "$DIR.tmp"; mkdir -p "$DIR.tmp"
    for deb in "$TMP"/*.deb; do dpkg-deb -x "$deb" "$DIR.tmp/root"; done
    printf '#!/bin/sh\nLD_LIBRARY_PATH="%s/root/usr/lib/x86_64-linux-gnu" exec "%s/root/usr/bin/lua5.1" "$@"\n' "$DIR" "$DIR" >"$DIR.tmp/lua"
    chmod +x "$DIR.tmp/lua"
    rm -rf "$DIR"; mv "$DIR.tmp" "$DIR"
    "$DIR/lua" -v >/dev/null 2>&1 || { echo "lua.sh: the unpacked lua5.1 does not run" >&2; exit 1; }
  fi
fi
echo "$DIR/lua"
