#!/usr/bin/env bash
# What the hot tier buys on GET/SET: Basalt with the tier on, Basalt with it off
# (hot-tier-max-memory 0) and Redis, in one run, one server at a time, each on a free port with a
# fresh temporary directory, each stopped by its PID afterwards.
#
#   tools/bench/hot_tier.sh [path/to/basalt-server]
#
# Environment: BASALT_SERVER (default: the argument, else build/release/server/basalt-server),
# REDIS_SERVER (default: redis-server from PATH; empty or "none" skips Redis), HOT_TIER (the
# tier-on budget, default 256mb), BENCH_N (requests per test, default 200000), BENCH_C (clients,
# default 50), BENCH_PIPELINES (default "1 16").
#
# Workload, per server and pipeline depth P:
#   redis-benchmark -t get,set -r 100000 -d 100 -c C -n N -P P
# (SET runs first, so GET finds most of the 100,000 keys.) Output: one "server,P,test,ops/s"
# line per result, then a table with the ratios tier-on/tier-off and Basalt/Redis.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
basalt="${1:-${BASALT_SERVER:-$root/build/release/server/basalt-server}}"
redis="${REDIS_SERVER-redis-server}"
tier="${HOT_TIER:-256mb}"
n="${BENCH_N:-200000}"
c="${BENCH_C:-50}"
pipelines="${BENCH_PIPELINES:-1 16}"

# shellcheck source=tools/bench/lib.sh
source "$root/tools/bench/lib.sh"

start_server() {  # $1 = tier-on|tier-off|redis
  case "$1" in
    tier-on) launch "$1" basalt --hot-tier-max-memory "$tier" ;;
    tier-off) launch "$1" basalt --hot-tier-max-memory 0 ;;
    redis) launch "$1" redis ;;
  esac
}

declare -A rps
servers=(tier-on tier-off)
[[ -n "$redis" && "$redis" != none ]] && servers+=(redis)

for s in "${servers[@]}"; do
  start_server "$s"
  for p in $pipelines; do
    while IFS= read -r line; do
      [[ "$line" == '"test"'* || -z "$line" ]] && continue
      name="$(cut -d, -f1 <<<"$line" | tr -d '"')"
      value="$(cut -d, -f2 <<<"$line" | tr -d '"')"
      rps["$s,$p,$name"]="$value"
      echo "$s,P$p,$name,$value"
    done < <(redis-benchmark -p "$port" -t get,set -r 100000 -d 100 -c "$c" -n "$n" -P "$p" --csv)
  done
  if [[ "$s" != redis ]]; then
    redis-cli -p "$port" info hottier | grep -E '^hot_tier_(used_bytes|entries|hit_ratio):' |
      tr -d '\r' | sed "s/^/$s,/"
    redis-cli -p "$port" info memory | grep -E '^used_memory_rss:' | tr -d '\r' | sed "s/^/$s,/"
  fi
  stop_server
done

ratio() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }

echo
printf '%-5s %-4s %12s %12s %12s %10s %10s\n' test P tier-on tier-off redis on/off on/redis
for p in $pipelines; do
  for t in SET GET; do
    on="${rps[tier-on,$p,$t]:-0}" off="${rps[tier-off,$p,$t]:-0}" rd="${rps[redis,$p,$t]:-0}"
    printf '%-5s %-4s %12s %12s %12s %10s %10s\n' "$t" "$p" "$on" "$off" "$rd" \
      "$(ratio "$on" "$off")" "$(ratio "$on" "$rd")"
  done
done
