#!/usr/bin/env bash
# Basalt beside Debian's redis-server, in one run, printed as markdown tables:
#   1. hot path: redis-benchmark -t TESTS -r R -d 100 -c C -n N at -P 1 and -P 16, Basalt with its
#      defaults (appendfsync everysec, hot tier 256mb) against Redis in memory (no persistence);
#   2. DEL of a 1,000,000-member hash, set and sorted set (the reply time of the one DEL);
#   3. durable writes: SET (-P 1) with appendfsync everysec and always, against Redis with
#      AOF (appendonly yes) and the same appendfsync;
#   4. with WITH_LTR=1, also the larger-than-RAM and restart scenarios
#      (tools/bench/larger_than_ram.sh, which takes a long time at its default 20M keys).
# One server runs at a time, on a free port with a fresh temporary directory, stopped by its PID.
# Each hot-path and durable test is its own redis-benchmark run, so that the CPU it cost can be
# printed too: the server's (all its threads, from /proc/PID/task/*/schedstat, so RocksDB's
# flushes and compactions count) and the client's (bash's `time`), in us per request.
#
#   tools/bench/compare.sh [path/to/basalt-server]
#
# Without an argument it builds Release first (tools/build.sh) and uses that binary.
# Environment: REDIS_SERVER (default redis-server from PATH), BENCH_N (requests per test, default
# 200000), BENCH_C (clients, 50), BENCH_R (key space, 1000000), BENCH_PIPELINES ("1 16"),
# BENCH_TESTS (the redis-benchmark -t list), DEL_MEMBERS (1000000), DURABLE_N (requests per
# durable test, default BENCH_N), WITH_LTR (0).
# The machine is shared and client and server share its cores: compare ratios, not absolutes.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
if [[ $# -ge 1 ]]; then
  basalt="$1"
else
  basalt="$("$root/tools/build.sh" Release)/server/basalt-server"
fi
redis="${REDIS_SERVER:-redis-server}"
n="${BENCH_N:-200000}"
c="${BENCH_C:-50}"
r="${BENCH_R:-1000000}"
pipelines="${BENCH_PIPELINES:-1 16}"
tests="${BENCH_TESTS:-set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,mset}"
del_members="${DEL_MEMBERS:-1000000}"
durable_n="${DURABLE_N:-$n}"
py=/usr/bin/python3

# shellcheck source=tools/bench/lib.sh
source "$root/tools/bench/lib.sh"

results="$(mktemp -t basalt-compare-XXXXXX)"
trap 'stop_server; rm -f "$results"' EXIT

# bench LABEL SERVER redis-benchmark-args... -t TESTS ...: runs redis-benchmark once per test
# and appends "label|server|test|rps|p50|p99|server_us|client_us" lines (CPU per request).
bench() {
  local label="$1" who="$2"
  shift 2
  local args=() list="" requests=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      -t) list="$2"; shift 2 ;;
      -n) requests="$2"; args+=("$1" "$2"); shift 2 ;;
      *) args+=("$1"); shift ;;
    esac
  done
  local test out times s0 s1 rows
  out="$(mktemp -t basalt-bench-out-XXXXXX)"
  times="$(mktemp -t basalt-bench-time-XXXXXX)"
  for test in ${list//,/ }; do
    s0="$(server_cpu_ns)"
    { TIMEFORMAT='%3U %3S'; time redis-benchmark -p "$port" --csv -t "$test" "${args[@]}" >"$out"; } 2>"$times"
    s1="$(server_cpu_ns)"
    rows="$(tr -d '"' <"$out" | grep -cv '^test,' || true)"
    # The LRANGE tests first fill their list with LPUSH (a row of its own): that run's CPU is
    # split evenly between its rows.
    tr -d '"' <"$out" | while IFS=, read -r name rps _ _ p50 _ p99 _; do
      [[ "$name" == test || -z "$name" ]] && continue
      read -r cu cs <"$times"
      echo "$label|$who|$name|$rps|$p50|$p99|$(cpu_us "$((s1 - s0))" "$rows" "$requests")|$(
        cpu_us "$(awk -v u="$cu" -v s="$cs" 'BEGIN { printf "%.0f", (u + s) * 1e9 }')" "$rows" "$requests")" |
        tee -a "$results" >&2
    done
  done
  rm -f "$out" "$times"
}

# server_cpu_ns: CPU time of every thread of the server ($pid) so far, in ns.
server_cpu_ns() {
  cat /proc/"$pid"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'
}

# cpu_us NS ROWS REQUESTS: us per request of NS spread over ROWS tests of REQUESTS each.
cpu_us() {
  awk -v ns="$1" -v rows="$2" -v n="$3" 'BEGIN { printf "%.2f", ns / 1000 / rows / n }'
}

# del_time WHO: fills a hash, a set and a sorted set of DEL_MEMBERS members and times each DEL.
del_time() {
  "$py" - "$port" "$del_members" "$1" <<'EOF' | tee -a "$results" >&2
import sys, time
import redis
port, members, who = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
r = redis.Redis(port=port)
chunk = 1000
for kind in ("hash", "set", "zset"):
    key = "big:" + kind
    p = r.pipeline(transaction=False)
    for start in range(0, members, chunk):
        ids = range(start, min(start + chunk, members))
        if kind == "hash":
            p.hset(key, mapping={f"field:{i}": "v" for i in ids})
        elif kind == "set":
            p.sadd(key, *(f"member:{i}" for i in ids))
        else:
            p.zadd(key, {f"member:{i}": i for i in ids})
        if len(p) >= 50:
            p.execute()
    p.execute()
    size = {"hash": r.hlen, "set": r.scard, "zset": r.zcard}[kind](key)
    assert size == members, (kind, size)
    t0 = time.perf_counter()
    deleted = r.delete(key)
    ms = (time.perf_counter() - t0) * 1000
    assert deleted == 1
    print(f"del|{who}|DEL {kind} of {members}|{ms:.2f}||||")
EOF
}

echo "== hot path" >&2
for who in basalt redis; do
  if [[ "$who" == basalt ]]; then launch basalt basalt; else launch redis redis; fi
  for p in $pipelines; do
    bench "P$p" "$who" -t "$tests" -r "$r" -d 100 -c "$c" -n "$n" -P "$p"
    redis-cli -p "$port" flushall >/dev/null
  done
  stop_server
done

echo "== DEL of big collections" >&2
launch basalt basalt
del_time basalt
stop_server
launch redis redis
del_time redis
stop_server

echo "== durable SET" >&2
for fsync in everysec always; do
  launch basalt basalt --appendfsync "$fsync"
  bench "durable-$fsync" basalt -t set -r "$r" -d 100 -c "$c" -n "$durable_n" -P 1
  stop_server
  launch redis redis --appendonly yes --appendfsync "$fsync"
  bench "durable-$fsync" redis -t set -r "$r" -d 100 -c "$c" -n "$durable_n" -P 1
  stop_server
done

"$py" - "$results" <<'EOF'
import sys
rows = {}
order = []
for line in open(sys.argv[1]):
    label, who, test, value, p50, p99, server_us, client_us = line.rstrip("\n").split("|")
    k = (label, test)
    if k not in rows:
        rows[k] = {}
        order.append(k)
    rows[k][who] = (float(value), p50, p99, server_us, client_us)

def table(title, keys, unit, higher_better=True):
    print(f"\n### {title}\n")
    if unit == "ops/s":
        print("| test | Basalt ops/s | p50 ms | p99 ms | Redis ops/s | p50 ms | p99 ms | Basalt/Redis |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    else:
        print("| test | Basalt ms | Redis ms | Redis/Basalt |")
        print("| --- | ---: | ---: | ---: |")
    for k in keys:
        b, rd = rows[k].get("basalt"), rows[k].get("redis")
        if unit == "ops/s":
            ratio = f"{b[0] / rd[0]:.2f}" if b and rd and rd[0] else "-"
            bs = f"{b[0]:,.0f} | {b[1]} | {b[2]}" if b else "- | - | -"
            rs = f"{rd[0]:,.0f} | {rd[1]} | {rd[2]}" if rd else "- | - | -"
            print(f"| {k[1]} | {bs} | {rs} | {ratio} |")
        else:
            ratio = f"{rd[0] / b[0]:.1f}" if b and rd and b[0] else "-"
            print(f"| {k[1]} | {b[0] if b else '-'} | {rd[0] if rd else '-'} | {ratio} |")

# An LRANGE run fills its list with LPUSH first and bench() split that run's CPU evenly between
# the fill's row and LRANGE's. With an LPUSH row of the same label measured alone, the fill is
# given that row's cost and LRANGE the rest.
FILL = "LPUSH (needed to benchmark LRANGE)"
for (label, test), by_who in rows.items():
    if test != FILL or (label, "LPUSH") not in rows:
        continue
    lrange = [k for k in order if k[0] == label and k[1].startswith("LRANGE")]
    for who, v in by_who.items():
        alone = rows[(label, "LPUSH")].get(who)
        if alone is None or len(lrange) != 1 or who not in rows[lrange[0]]:
            continue
        lr = rows[lrange[0]][who]
        fixed = [f"{2 * float(v[i]) - float(alone[i]):.2f}" for i in (3, 4)]
        rows[lrange[0]][who] = lr[:3] + tuple(fixed)
        by_who[who] = v[:3] + alone[3:]

def cpu_table(title, keys):
    print(f"\n{title}, CPU per request (us; server: all its threads; client: redis-benchmark)\n")
    print("| test | Basalt server | client | Redis server | client |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for k in keys:
        cells = []
        for who in ("basalt", "redis"):
            v = rows[k].get(who)
            cells += [v[3], v[4]] if v else ["-", "-"]
        print(f"| {k[1]} | " + " | ".join(cells) + " |")

labels = []
for label, _ in order:
    if label not in labels:
        labels.append(label)
for label in labels:
    keys = [k for k in order if k[0] == label]
    if label == "del":
        table("DEL of a big collection (reply time)", keys, "ms")
    elif label.startswith("durable-"):
        fsync = label.split("-", 1)[1]
        title = f"Durable SET -P 1, appendfsync {fsync} (Redis: appendonly yes)"
        table(title, keys, "ops/s")
        cpu_table(title, keys)
    else:
        title = f"Hot path, -{label[0]} {label[1:]} (Redis without persistence)"
        table(title, keys, "ops/s")
        cpu_table(title, keys)
EOF

if [[ "${WITH_LTR:-0}" == 1 ]]; then
  "$root/tools/bench/larger_than_ram.sh" "$basalt"
fi
