#!/usr/bin/env bash
# Prints the path of an etcd binary: the machine's own if on PATH, else Debian's etcd-server
# package unpacked into the cache. Unpacking (not `apt-get install`) means no system service is
# started on etcd's fixed ports and nothing outside the cache changes.
set -euo pipefail
if command -v etcd >/dev/null; then command -v etcd; exit 0; fi
DIR=$("$(dirname "$0")/../debian-package.sh" etcd-debian etcd-server)
"$DIR/usr/bin/etcd" --version >/dev/null
echo "$DIR/usr/bin/etcd"
