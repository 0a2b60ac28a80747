#!/usr/bin/env bash
# Installs the Debian packages Basalt needs that are missing on this machine.
# Usage: tools/deps.sh [build|test|fuzz]   ("test" adds the real clients the tests drive,
# "fuzz" clang and its libFuzzer/sanitizer runtimes for tests/fuzz)
set -euo pipefail

build_pkgs=(build-essential cmake ninja-build ccache pkg-config
  librocksdb-dev libuv1-dev libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev libspdlog-dev libfmt-dev
  liblua5.1-0-dev lua-cjson-dev lua-bitop-dev)
test_pkgs=(redis-tools redis-server python3-redis python3-pytest
  python3-celery python3-kombu python3-flask)
fuzz_pkgs=(clang libclang-rt-dev)

want=("${build_pkgs[@]}")
case "${1:-build}" in
  test) want+=("${test_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
  fuzz) want+=("${fuzz_pkgs[@]}") ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# The Node.js client tests (tests/node) need node and npm. Any packaging that provides both
# commands will do (NodeSource's nodejs bundles npm); otherwise Debian's nodejs and npm.
if [[ "${1:-build}" == "test" ]] && ! { command -v node && command -v npm; } >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi
