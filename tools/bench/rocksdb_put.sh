#!/usr/bin/env bash
# RocksDB's own cost of a SET, without Basalt around it (tools/bench/rocksdb_put.cc), with a
# 64 MB (Basalt's default) and an 8 MB memtable. Links RocksDB as the server does: its static
# archive when installed, else the shared library.
#
#   tools/bench/rocksdb_put.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d -t basalt-put-XXXXXX)"
trap 'rm -rf "$work"' EXIT
archive="$("${CXX:-c++}" -print-file-name=librocksdb.a)"  # the bare name when absent
if [[ -f "$archive" ]]; then
  libs=("$archive" -lsnappy -llz4 -lzstd -lbz2 -lz -lgflags -lpthread)
else
  libs=(-lrocksdb -lpthread)
fi
"${CXX:-c++}" -O2 -std=c++17 -o "$work/rocksdb_put" "$root/tools/bench/rocksdb_put.cc" "${libs[@]}"
for mb in 64 8; do
  "$work/rocksdb_put" "$work/db" "$mb" 4
done
