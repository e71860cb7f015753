#!/usr/bin/env bash
# Unpacks Debian packages into the cache once (dpkg-deb -x, never installed: no service starts,
# nothing outside the cache changes) and prints the folder they were unpacked into.
#   usage: hack/debian-package.sh FOLDER_NAME PACKAGE...
# The folder is $HUBOPS_CACHE/FOLDER_NAME; a file .complete in it marks a finished unpack.
set -euo pipefail
NAME="${1:?usage: debian-package.sh FOLDER_NAME PACKAGE...}"
shift
[ $# -gt 0 ] || { echo "usage: debian-package.sh FOLDER_NAME PACKAGE..." >&2; exit 2; }
CACHE="${HUBOPS_CACHE:-$HOME/.cache/hubops}"
DIR="$CACHE/$NAME"
if [ ! -f "$DIR/.complete" ]; then
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.$NAME.lock"
  flock 9
  if [ ! -f "$DIR/.complete" ]; then
    command -v apt-get >/dev/null || { echo "debian-package.sh: no apt-get to fetch $*" >&2; exit 2; }
    echo "debian-package.sh: fetching Debian's $* into $DIR" >&2
    TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
    if ! (cd "$TMP" && apt-get download "$@" >/dev/null 2>&1); then
      apt-get update -qq >/dev/null 2>&1 || true
      (cd "$TMP" && apt-get download "$@" >/dev/null) || { echo "debian-package.sh: apt-get download $* failed" >&2; exit 1; }
    fi
    rm -rf "$DIR.tmp"; mkdir -p "$DIR.tmp"
    for deb in "$TMP"/*.deb; do dpkg-deb -x "$deb" "$DIR.tmp"; done
    touch "$DIR.tmp/.complete"
    rm -rf "$DIR"; mv "$DIR.tmp" "$DIR"
  fi
fi
echo "$DIR"
