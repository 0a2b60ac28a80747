# Shared by the benchmark scripts in tools/bench: one server at a time, each on a free port with
# a fresh temporary directory, stopped by its PID (and the directory removed) when replaced or
# when the script exits. Source it after `set -euo pipefail`; it sets $port, $pid and $tmp.

[[ -x "$basalt" ]] || { echo "basalt-server not found: $basalt" >&2; exit 1; }
command -v redis-benchmark >/dev/null || { echo "redis-benchmark missing (redis-tools)" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

pid=""
tmp=""
stop_server() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  pid=""
  [[ -n "$tmp" ]] && rm -rf "$tmp"
  tmp=""
}
trap stop_server EXIT

# launch NAME basalt|redis [extra server options...]: starts the server and waits for PING.
launch() {
  local name="$1" kind="$2"
  shift 2
  stop_server
  port="$(free_port)"
  tmp="$(mktemp -d -t basalt-bench-XXXXXX)"
  if [[ "$kind" == basalt ]]; then
    "$basalt" --port "$port" --dir "$tmp" --logfile "$tmp/log" "$@" >/dev/null 2>&1 &
  else
    "$redis" --port "$port" --dir "$tmp" --save '' --appendonly no --logfile "$tmp/log" "$@" &
  fi
  pid=$!
  for _ in $(seq 1 100); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "$name did not start" >&2
  exit 1
}
