#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest, then builds the fuzz
# targets with clang (build/fuzz) and runs each briefly (tools/fuzz.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/tools/deps.sh" test
build="$("$root/tools/build.sh" Release)"
cd "$build"
ctest --output-on-failure --timeout 900 "$@"
"$root/tools/fuzz.sh" "${BASALT_FUZZ_SECONDS:-20}"
