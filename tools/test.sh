#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/tools/deps.sh" test
build="$("$root/tools/build.sh" Release)"
cd "$build"
ctest --output-on-failure --timeout 900 "$@"
