#!/usr/bin/env bash
# Pop-heavy benchmarks: Basalt against Redis in one run, one server at a time, each on a free
# port with a fresh temporary directory, each stopped by its PID afterwards.
#
#   tools/bench/pops.sh [path/to/basalt-server]
#
# Environment: BASALT_SERVER (default: the argument, else build/release/server/basalt-server),
# REDIS_SERVER (default: redis-server from PATH; empty or "none" skips Redis), BENCH_TIMEOUT
# (seconds allowed per redis-benchmark run, default 120; a run that exceeds it is reported as
# "timeout", except the ZPOPMIN drain, whose rate is then estimated as "~ops/s"), BENCH_N (requests per test, default 200000), BENCH_C (clients, default 50).
#
# Workloads:
#   zadd,zpopmin        redis-benchmark -t zadd,zpopmin -n N -c C           (one member, re-added)
#   zadd,zpopmin -r     redis-benchmark -t zadd -n N -c C -r 100000 (~86k members), then the same
#                       with -t zpopmin, which drains them (run apart so a slow ZPOPMIN cannot
#                       hide the ZADD figure; the tombstones of earlier pops pile up in front)
#   zrangebyscore       a zset `lb` of 100,000 members with random integer scores in [0, 1e6),
#                       then ZRANGEBYSCORE lb 500000 600000 LIMIT 0 10 (fixed window) and
#                       ZRANGEBYSCORE lb __rand_int__ +inf LIMIT 0 10 with -r 1000000
#   lists               redis-benchmark -t lpush,rpush,lpop,rpop,lrange_100 -n N -c C
# Output: one "server,test,ops/s" line per result, then a table with the Basalt/Redis ratio.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
basalt="${1:-${BASALT_SERVER:-$root/build/release/server/basalt-server}}"
redis="${REDIS_SERVER-redis-server}"
timeout_s="${BENCH_TIMEOUT:-120}"
n="${BENCH_N:-200000}"
c="${BENCH_C:-50}"

# shellcheck source=tools/bench/lib.sh
source "$root/tools/bench/lib.sh"

start_server() {  # $1 = basalt|redis
  launch "$1" "$1"
}

results=()
record() {  # $1 = server, $2 = label; stdin = redis-benchmark --csv output
  local line name rps
  while IFS= read -r line; do
    [[ "$line" == '"test"'* || -z "$line" ]] && continue
    name="$(cut -d, -f1 <<<"$line" | tr -d '"')"
    rps="$(cut -d, -f2 <<<"$line" | tr -d '"')"
    # -t lrange_* first fills its list with LPUSH: keep that figure apart from the LPUSH test.
    [[ "$name" == LPUSH* && " ${results[*]-} " == *"$1,$2 LPUSH,"* ]] && name="LPUSH(fill)"
    results+=("$1,$2 ${name%% *},$rps")
    echo "$1,$2 ${name%% *},$rps"
  done
}

bench() {  # $1 = server, $2 = label, rest = redis-benchmark arguments
  local server="$1" label="$2" out
  shift 2
  if out="$(timeout "$timeout_s" redis-benchmark -p "$port" --csv "$@" 2>/dev/null)"; then
    record "$server" "$label" <<<"$out"
  else
    results+=("$server,$label TIMEOUT,timeout")
    echo "$server,$label: redis-benchmark $* timed out (>${timeout_s}s)"
  fi
}

# ZPOPMIN -r 100000 over the set ZADD filled. If it times out, the rate is estimated from the
# members it removed (ZCARD before and after) over the time allowed, and marked "~".
drain_zset() {  # $1 = server
  local before after start out
  before="$(redis-cli -p "$port" zcard myzset)"
  start="$(date +%s.%N)"
  if out="$(timeout "$timeout_s" redis-benchmark -p "$port" --csv -t zpopmin -n "$n" -c "$c" \
    -r 100000 2>/dev/null)"; then
    record "$1" "-r100000" <<<"$out"
    return
  fi
  sleep 1  # let the pops already sent finish
  after="$(redis-cli -p "$port" zcard myzset)"
  out="$(python3 -c 'import sys; print("~%.0f" % ((int(sys.argv[1]) - int(sys.argv[2])) /
    (float(sys.argv[3]))))' "$before" "$after" "$timeout_s")"
  results+=("$1,-r100000 ZPOPMIN,$out")
  echo "$1,-r100000 ZPOPMIN,$out (timed out after ${timeout_s}s: $before -> $after members)"
}

preload_zset() {  # 100,000 members with random scores in [0, 1e6), 1,000 per ZADD
  python3 - <<'EOF' | redis-cli -p "$port" --pipe >/dev/null
import random, sys
random.seed(42)
out = sys.stdout
def cmd(args):
    out.write("*%d\r\n" % len(args))
    for a in args:
        out.write("$%d\r\n%s\r\n" % (len(a.encode()), a))
for b in range(100):
    args = ["ZADD", "lb"]
    for i in range(1000):
        args += [str(random.randrange(1000000)), "member:%d" % (b * 1000 + i)]
    cmd(args)
EOF
}

run_all() {  # $1 = server
  local s="$1"
  start_server "$s"
  bench "$s" "" -t zadd,zpopmin -n "$n" -c "$c"
  redis-cli -p "$port" flushall >/dev/null
  # Two runs so a slow ZPOPMIN cannot hide the ZADD figure: ZADD fills, ZPOPMIN drains.
  bench "$s" "-r100000" -t zadd -n "$n" -c "$c" -r 100000
  drain_zset "$s"
  redis-cli -p "$port" flushall >/dev/null
  preload_zset
  [[ "$(redis-cli -p "$port" zcard lb)" == 100000 ]] || { echo "preload failed" >&2; exit 1; }
  bench "$s" "fixed" -n 100000 -c "$c" ZRANGEBYSCORE lb 500000 600000 LIMIT 0 10
  bench "$s" "-r1000000" -n 100000 -c "$c" -r 1000000 ZRANGEBYSCORE lb __rand_int__ +inf LIMIT 0 10
  redis-cli -p "$port" flushall >/dev/null
  bench "$s" "" -t lpush,rpush,lpop,rpop,lrange_100 -n "$n" -c "$c"
  stop_server
}

run_all basalt
if [[ -n "$redis" && "$redis" != none ]]; then run_all redis; fi

echo
printf '%-32s %12s %12s %8s\n' test basalt redis ratio
for r in "${results[@]}"; do
  [[ "$r" == basalt,* ]] || continue
  t="${r#basalt,}"
  t="${t%,*}"
  b="${r##*,}"
  rr=""
  for q in "${results[@]}"; do
    [[ "$q" == "redis,$t,"* ]] && rr="${q##*,}"
  done
  ratio="$(python3 -c "import sys
try: print('%.2f' % (float(sys.argv[1].lstrip('~')) / float(sys.argv[2])))
except Exception: print('-')" "$b" "$rr")"
  printf '%-32s %12s %12s %8s\n' "$t" "$b" "$rr" "$ratio"
done
