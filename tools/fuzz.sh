#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, ASan and UBSan in build/fuzz, then runs
# each for a short time through ctest; a crash, a leak, a timeout or a failed check fails.
# Usage: tools/fuzz.sh [seconds per target]   (default 20; see README.md to run them longer)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-20}"
"$root/tools/deps.sh" fuzz
build="$root/build/fuzz"
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
# -O1 with line tables (as OSS-Fuzz builds): quicker to compile than -O2 -g, and sanitizer
# reports still name file and line.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
  -DCMAKE_CXX_COMPILER=clang++ -DBASALT_FUZZ=ON -DBASALT_BUILD_TESTS=OFF \
  -DBASALT_FUZZ_SECONDS="$seconds" "${launcher[@]}" >&2
# Only what the targets link: the server and dump binaries are not needed here.
cmake --build "$build" --target fuzz_resp_parser fuzz_codec fuzz_commands >&2
cd "$build"
ctest --output-on-failure -j1 -R '^fuzz_'
