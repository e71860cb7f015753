#!/usr/bin/env bash
# Prints the folder holding Debian 12's prometheus and promtool (the `prometheus` package,
# unpacked into the cache): the alert rules' unit tests and the dashboard's queries against a
# real Prometheus use them.
set -euo pipefail
DIR=$("$(dirname "$0")/debian-package.sh" prometheus-debian-2 prometheus)
"$DIR/usr/bin/promtool" --version >/dev/null
echo "$DIR/usr/bin"
