# Shell functions shared by up.sh and down.sh: pid files, free ports, run scripts, waiting.
# Processes are only ever stopped through their pid file, and only when the pid still runs the
# program the file was written for (a recycled pid is left alone).

# alive PIDFILE NAME: the pid in PIDFILE runs and its command line mentions NAME.
alive() {
  local pid
  [ -f "$1" ] || return 1
  pid=$(cat "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}

# stop_pidfile PIDFILE NAME: SIGTERM, up to 20 s to exit, then SIGKILL; removes the pid file.
stop_pidfile() {
  local pid i
  if alive "$1" "$2"; then
    pid=$(cat "$1")
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 80); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "testenv: $2 (pid $pid) ignored SIGTERM for 20 s, sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$1"
}

# free_ports N: N distinct free TCP ports on 127.0.0.1 (all held open together while chosen).
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# write_run_script DIR NAME PROGRAM ARGS...: writes DIR/NAME.run.sh, which starts the program in a
# session of its own with its output appended to DIR/NAME.log and its pid in DIR/NAME.pid. The
# HUBOPS_* variables set now are baked in, so the script restarts the process exactly as before.
write_run_script() {
  local dir=$1 name=$2 script
  shift 2
  script="$dir/$name.run.sh"
  {
    echo '#!/usr/bin/env bash'
    echo "# Starts $name for the hubops test environment (written by hack/testenv/up.sh)."
    echo 'set -euo pipefail'
    local var
    for var in $(compgen -e | grep '^HUBOPS_' || true); do
      printf 'export %s=%q\n' "$var" "${!var}"
    done
    printf 'cd %q\n' "$dir"
    printf 'setsid'
    printf ' %q' "$@"
    printf ' >>%q 2>&1 </dev/null &\n' "$dir/$name.log"
    printf 'echo $! >%q\n' "$dir/$name.pid"
  } >"$script"
  chmod +x "$script"
}

# write_kubeconfig FILE SERVER CA_FILE TOKEN
write_kubeconfig() {
  cat >"$1" <<EOT
apiVersion: v1
kind: Config
clusters:
- name: testenv
  cluster:
    server: $2
    certificate-authority-data: $(base64 -w0 <"$3")
users:
- name: testenv
  user:
    token: $4
contexts:
- name: testenv
  context:
    cluster: testenv
    user: testenv
current-context: testenv
EOT
  chmod 600 "$1"
}

# wait_for WHAT SECONDS LOGFILE COMMAND...: runs COMMAND every 0.5 s until it succeeds.
wait_for() {
  local what=$1 seconds=$2 log=$3 i
  shift 3
  for i in $(seq 1 $((seconds * 2))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "testenv: $what did not become ready within $seconds s; last lines of $log:" >&2
  tail -n 40 "$log" >&2 || true
  return 1
}
