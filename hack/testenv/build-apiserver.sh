#!/usr/bin/env bash
# Builds kube-apiserver from the Go module proxy into the cache (once per machine) and prints its
# path; build-k8s.sh does the work for every component.
set -euo pipefail
exec "$(dirname "$0")/build-k8s.sh" kube-apiserver
