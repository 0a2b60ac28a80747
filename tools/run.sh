#!/usr/bin/env bash
# Installs what is missing, builds a Release basalt-server and starts it on 127.0.0.1:6379 with
# its data in ./data. Extra arguments pass through to the server: tools/run.sh --port 7000
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/tools/deps.sh" build
build="$("$root/tools/build.sh" Release)"
mkdir -p ./data
exec "$build/server/basalt-server" --dir ./data "$@"
