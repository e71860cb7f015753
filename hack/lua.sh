#!/usr/bin/env bash
# Prints the path of a Lua 5.1 interpreter (Argo CD runs health checks in gopher-lua, which speaks
# Lua 5.1): Debian's lua5.1 and liblua5.1-0 unpacked into the cache, behind a wrapper that finds
# the library.
set -euo pipefail
DIR=$("$(dirname "$0")/debian-package.sh" lua5.1-debian-2 lua5.1 liblua5.1-0)
if [ ! -x "$DIR/lua" ]; then
  printf '#!/bin/sh\nLD_LIBRARY_PATH="%s/usr/lib/x86_64-linux-gnu" exec "%s/usr/bin/lua5.1" "$@"\n' "$DIR" "$DIR" >"$DIR/lua.tmp"
  chmod +x "$DIR/lua.tmp"
  mv "$DIR/lua.tmp" "$DIR/lua"
fi
"$DIR/lua" -v >/dev/null 2>&1 || { echo "lua.sh: the unpacked lua5.1 does not run" >&2; exit 1; }
echo "$DIR/lua"
