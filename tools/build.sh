#!/usr/bin/env bash
# Configures and builds Basalt. Usage: tools/build.sh [Release|Debug|Asan] (default Release).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
type="${1:-Release}"
build="$root/build/$(echo "$type" | tr '[:upper:]' '[:lower:]')"
extra=()
if [[ "$type" == "Asan" ]]; then extra=(-DBASALT_SANITIZE=ON); type=Debug; fi
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="$type" "${launcher[@]}" "${extra[@]}" >&2
cmake --build "$build" >&2
echo "$build"
