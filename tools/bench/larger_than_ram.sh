#!/usr/bin/env bash
# Larger than RAM: Basalt holding far more data than its memory budget, and its restart time
# beside Redis's RDB load. A benchmark, not a test (never run by ctest).
#
#   tools/bench/larger_than_ram.sh [path/to/basalt-server]
#   KEYS=1000000 tools/bench/larger_than_ram.sh       # a quick trial run
#
# Environment (defaults in brackets):
#   BASALT_SERVER  basalt-server [the argument, else build/release/server/basalt-server]
#   REDIS_SERVER   redis-server for the references [redis-server from PATH; "none" skips Redis]
#   KEYS           keys loaded into the big directory [20000000]
#   VALUE_SIZE     value bytes [100]
#   HOT_TIER       --hot-tier-max-memory of the big server [64mb]
#   BLOCK_CACHE    --rocksdb-block-cache-size of the big server [64mb]
#   BASALT_ARGS    extra options for the big server (e.g. "--rocksdb-write-buffer-size 16mb") []
#   PIPES          parallel `redis-cli --pipe` loaders, each on its own key range [2]
#   HOT_KEYS       the hot set of the skewed phase: keys [0, HOT_KEYS) [KEYS / 100]
#   REF_KEYS       keys of the hot-case reference [100000]
#   READ_N         requests per read phase [2000000]
#   BENCH_C        clients per read phase [50]
#   COMPACT        1 = run COMPACT after the load and report the directory size again [1]
#   BENCH_DIR      where the temporary data directories go [system temp dir]
#
# Keys are `key:%012d` (0 .. KEYS-1), which is exactly what redis-benchmark's `key:__rand_int__`
# with `-r KEYS` expands to, so every GET of the read phases names an existing key. Values are
# VALUE_SIZE printable bytes cut from a random buffer (incompressible, so the directory size is
# honest). The loader is a Python generator writing RESP SET commands into `redis-cli --pipe`
# (PIPES of them in parallel on disjoint key ranges): every key is written exactly once.
#
# Phases, one server at a time, each on a free port with a fresh temporary directory, stopped by
# its PID afterwards:
#   1. hot reference: Basalt with the default tier (256mb), REF_KEYS keys loaded, then
#      `redis-benchmark -t get -r REF_KEYS -n READ_N -c BENCH_C -P 1` (everything in the tier);
#      the same against Redis.
#   2. load: Basalt with HOT_TIER / BLOCK_CACHE, KEYS keys loaded; wall time, keys/s, data
#      directory size (`du -sb`, before and after COMPACT), VmRSS sampled every 0.5 s and VmHWM
#      (the kernel's peak RSS) from /proc/PID/status.
#   3. reads on that server:
#      uniform  `redis-benchmark -t get -r KEYS -n READ_N -c BENCH_C -P 1`
#      skewed   1% of the keys get 90% of the reads: tools/bench/skewed_get.cc (built here with
#               ${CXX:-c++}), a one-thread closed-loop client like redis-benchmark -P 1 with
#               BENCH_C connections and READ_N requests, whose every GET reads, with probability
#               0.9, a key uniform in [0, HOT_KEYS), else a key uniform over all KEYS (so the hot
#               1% gets 90% + 10% x 1% of the reads). Two redis-benchmarks at once (-r HOT_KEYS
#               and -r KEYS, 9:1 in clients) do not keep the mix: on 2 shared cores the process
#               with more connections gets less CPU per connection, the small one finishes first
#               and the rest of the run is all hot. The skewed phase runs twice: "cold" (the
#               tier starts with what the uniform phase left) and "warm" (right after).
#               For the comparison with the same tool, the hot reference also runs skewed_get
#               uniformly over its REF_KEYS keys.
#      Hot tier hits/misses (`# Hot tier` in INFO) and keyspace hits/misses are reported as the
#      phase's deltas.
#   4. restart: SIGTERM, then the same server on the same directory; the time from spawn to the
#      first successful `GET key:000000000001` (a Python socket loop, ms precision).
#   5. Redis: the same KEYS loaded, SAVE, stopped, started on the same dir/dbfilename; time from
#      spawn to the first GET that is not -LOADING, and the log's "DB loaded from disk" line. Its
#      uniform GET throughput and RSS are printed as a reference.
# Output: progress lines, then markdown tables (load, reads, restart).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
basalt="${1:-${BASALT_SERVER:-$root/build/release/server/basalt-server}}"
redis="${REDIS_SERVER-redis-server}"
keys="${KEYS:-20000000}"
vsize="${VALUE_SIZE:-100}"
tier="${HOT_TIER:-64mb}"
cache="${BLOCK_CACHE:-64mb}"
read -r -a extra <<<"${BASALT_ARGS:-}"
pipes="${PIPES:-2}"
hot_keys="${HOT_KEYS:-$((keys / 100))}"
ref_keys="${REF_KEYS:-100000}"
read_n="${READ_N:-2000000}"
clients="${BENCH_C:-50}"
compact="${COMPACT:-1}"
[[ -n "${BENCH_DIR:-}" ]] && export TMPDIR="$BENCH_DIR"
py=python3
[[ -x /usr/bin/python3 ]] && py=/usr/bin/python3

# shellcheck source=tools/bench/lib.sh
source "$root/tools/bench/lib.sh"

work="$(mktemp -d -t basalt-ltr-XXXXXX)"
"${CXX:-c++}" -O2 -std=c++17 -o "$work/skewed_get" "$root/tools/bench/skewed_get.cc"
sampler=""
cleanup() {
  [[ -n "$sampler" ]] && kill "$sampler" 2>/dev/null || true
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT

# The RESP generator: SET key:%012d <value> for keys [start, end).
cat >"$work/gen.py" <<'EOF'
import base64, os, sys
start, end, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
pool = base64.b64encode(os.urandom(3 * 65536 + size))
span = len(pool) - size
head = b"*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$" + str(size).encode() + b"\r\n"
out = sys.stdout.buffer
for lo in range(start, end, 10000):
    out.write(b"".join([head % i + pool[i * 7919 % span:i * 7919 % span + size] + b"\r\n"
                        for i in range(lo, min(end, lo + 10000))]))
EOF

# The restart timer: spawns argv, polls GET key:000000000001 until a bulk reply (not -LOADING,
# not a refused connection) and prints "<pid> <ms>".
cat >"$work/ready.py" <<'EOF'
import socket, subprocess, sys, time
port, argv = int(sys.argv[1]), sys.argv[2:]
t0 = time.monotonic()
proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
while True:
    if proc.poll() is not None:
        sys.exit("server exited with %d" % proc.returncode)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            while True:
                s.sendall(b"GET key:000000000001\r\n")
                reply = s.recv(65536)
                if reply.startswith(b"$") and not reply.startswith(b"$-1"):
                    print(proc.pid, "%.1f" % ((time.monotonic() - t0) * 1000))
                    sys.exit(0)
                if not reply.startswith(b"-LOADING"):
                    sys.exit("unexpected reply %r" % reply[:80])
                time.sleep(0.001)
    except (ConnectionRefusedError, ConnectionResetError, socket.timeout):
        time.sleep(0.001)
EOF

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
info_field() {  # info_field SECTION FIELD
  redis-cli -p "$port" info "$1" | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2 }'
}
status_kb() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$pid/status"; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
gb() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1e9 }'; }
fmt_int() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }

load() {  # load COUNT: SETs key:0 .. key:COUNT-1 through PIPES parallel pipes
  local count="$1" lo hi i
  local per=$(((count + pipes - 1) / pipes))
  local -a jobs=()
  for ((i = 0; i < pipes; i++)); do
    lo=$((i * per))
    hi=$(((i + 1) * per))
    ((hi > count)) && hi=$count
    ((lo >= hi)) && continue
    ("$py" "$work/gen.py" "$lo" "$hi" "$vsize" | redis-cli -p "$port" --pipe >"$work/pipe.$i" 2>&1) &
    jobs+=($!)
  done
  for j in "${jobs[@]}"; do wait "$j"; done
  for ((i = 0; i < pipes; i++)); do
    [[ -f "$work/pipe.$i" ]] || continue
    grep -q 'errors: 0,' "$work/pipe.$i" || { cat "$work/pipe.$i" >&2; exit 1; }
  done
}

# RSS sampler: the largest VmRSS seen, written to $work/rss_max (kB).
start_sampler() {
  echo 0 >"$work/rss_max"
  (
    m=0
    while kill -0 "$pid" 2>/dev/null; do
      r="$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)"
      ((${r:-0} > m)) && { m=$r; echo "$m" >"$work/rss_max"; }
      sleep 0.5
    done
  ) &
  sampler=$!
}

# bench NAME ARGS...: one redis-benchmark run; sets b_rps and b_p50 from its CSV line.
bench() {
  local line
  line="$(redis-benchmark -p "$port" "$@" --csv | grep '^"GET"' | tail -1)"
  b_rps="$(cut -d, -f2 <<<"$line" | tr -d '"')"
  b_p50="$(cut -d, -f5 <<<"$line" | tr -d '"')"
}

tier_counts() { echo "$(info_field hottier hot_tier_hits) $(info_field hottier hot_tier_misses) $(info_field stats keyspace_hits) $(info_field stats keyspace_misses)"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }
ratio_pct() { awk -v h="$1" -v m="$2" 'BEGIN { if (h + m > 0) printf "%.1f%%", 100 * h / (h + m); else printf "-" }'; }

declare -a read_rows=()
# read_phase LABEL COMMAND...: runs COMMAND (which sets b_rps/b_p50), records tier deltas.
read_phase() {
  local label="$1" h0 m0 kh0 km0 h1 m1 kh1 km1
  shift
  read -r h0 m0 kh0 km0 <<<"$(tier_counts)"
  "$@"
  read -r h1 m1 kh1 km1 <<<"$(tier_counts)"
  local dh=$((h1 - h0)) dm=$((m1 - m0)) dkh=$((kh1 - kh0)) dkm=$((km1 - km0))
  echo "  $label: $b_rps ops/s, p50 ${b_p50} ms, tier hits $dh misses $dm ($(ratio_pct $dh $dm)), keyspace hits $dkh misses $dkm"
  read_rows+=("| $label | $(fmt_int "${b_rps%.*}") | $b_p50 | $(ratio_pct $dh $dm) | $dh / $dm | $dkh / $dkm |")
}

uniform() { bench -t get -r "$keys" -n "$read_n" -c "$clients" -P 1; }

# gen_phase KEYS HOT_KEYS HOT_FRACTION: the skewed_get generator; sets b_rps and b_p50.
gen_phase() {
  local out
  out="$("$work/skewed_get" "$port" "$clients" "$read_n" "$1" "$2" "$3")"
  read -r b_rps b_p50 _ _ b_nulls <<<"$out"
  [[ "$b_nulls" == 0 ]] || { echo "skewed_get: $b_nulls GETs found no key" >&2; exit 1; }
}
skewed() { gen_phase "$keys" "$hot_keys" 0.9; }

echo "basalt: $basalt"
echo "keys $keys x $vsize bytes; big server: --hot-tier-max-memory $tier --rocksdb-block-cache-size $cache ${extra[*]}"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

# 1. Hot references.
echo "== hot reference: Basalt, default tier, $ref_keys keys"
launch basalt-hot basalt
load "$ref_keys"
read_phase "hot case: Basalt, default tier, -r $ref_keys" bench -t get -r "$ref_keys" -n "$read_n" -c "$clients" -P 1
hot_rps="$b_rps"
read_phase "hot case: Basalt, default tier, skewed_get over $ref_keys keys" gen_phase "$ref_keys" 0 0
gen_hot_rps="$b_rps"
redis_hot_rps=""
if [[ -n "$redis" && "$redis" != none ]]; then
  echo "== hot reference: Redis, $ref_keys keys"
  launch redis-hot redis
  load "$ref_keys"
  bench -t get -r "$ref_keys" -n "$read_n" -c "$clients" -P 1
  redis_hot_rps="$b_rps"
  echo "  Redis: $b_rps ops/s, p50 $b_p50 ms"
  read_rows+=("| hot case: Redis, -r $ref_keys | $(fmt_int "${b_rps%.*}") | $b_p50 | - | - | - |")
fi

# 2. Load.
echo "== load: Basalt, $keys keys"
launch basalt-big basalt --hot-tier-max-memory "$tier" --rocksdb-block-cache-size "$cache" "${extra[@]}"
bdir="$tmp"
start_sampler
t0="$(now)"
load "$keys"
t1="$(now)"
load_s="$(elapsed "$t0" "$t1")"
load_rate="$(awk -v n="$keys" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')"
dbsize="$(redis-cli -p "$port" dbsize)"
[[ "$dbsize" == "$keys" ]] || { echo "DBSIZE $dbsize, expected $keys" >&2; exit 1; }
hwm_load="$(status_kb VmHWM)"
rss_load="$(status_kb VmRSS)"
sleep 2  # let the last flush land
dir_load="$(du -sb "$bdir" | cut -f1)"
echo "  $load_s s, $load_rate keys/s, VmHWM $(mb "$hwm_load") MB, VmRSS now $(mb "$rss_load") MB, dir $(gb "$dir_load") GB"
echo "  INFO: rocksdb_memtables $(info_field memory rocksdb_memtables_human), block cache $(info_field memory rocksdb_block_cache_usage_human), tier $(info_field hottier hot_tier_used_bytes_human) ($(info_field hottier hot_tier_entries) entries)"
dir_compact="-"
compact_s="-"
if [[ "$compact" == 1 ]]; then
  t0="$(now)"
  redis-cli -p "$port" compact >/dev/null
  compact_s="$(elapsed "$t0" "$(now)")"
  dir_compact="$(gb "$(du -sb "$bdir" | cut -f1)")"
  echo "  COMPACT: $compact_s s, dir $dir_compact GB, VmHWM $(mb "$(status_kb VmHWM)") MB"
fi

# 3. Reads.
echo "== reads: $read_n GETs per phase, $clients clients, -P 1"
read_phase "uniform over $keys keys" uniform
read_phase "skewed 90% on $hot_keys keys (cold tier)" skewed
read_phase "skewed 90% on $hot_keys keys (warm tier)" skewed
skew_warm_rps="$b_rps"
hwm_all="$(status_kb VmHWM)"
rss_now="$(status_kb VmRSS)"
echo "  VmHWM $(mb "$hwm_all") MB (sampled VmRSS max $(mb "$(cat "$work/rss_max")") MB), VmRSS now $(mb "$rss_now") MB"
echo "  INFO: rocksdb_memtables $(info_field memory rocksdb_memtables_human), block cache $(info_field memory rocksdb_block_cache_usage_human), tier $(info_field hottier hot_tier_used_bytes_human) ($(info_field hottier hot_tier_entries) entries)"

# 4. Restart.
echo "== restart: Basalt on the same directory"
kill "$sampler" 2>/dev/null || true
sampler=""
t0="$(now)"
kill -TERM "$pid"
while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
wait "$pid" 2>/dev/null || true
stop_s="$(elapsed "$t0" "$(now)")"
read -r pid basalt_ready_ms < <("$py" "$work/ready.py" "$port" "$basalt" --port "$port" --dir "$bdir" \
  --logfile "$bdir/log" --hot-tier-max-memory "$tier" --rocksdb-block-cache-size "$cache" "${extra[@]}")
echo "  stop took $stop_s s; ready (first GET answered) after $basalt_ready_ms ms, VmRSS $(mb "$(status_kb VmRSS)") MB"
stop_server

# 5. Redis.
redis_load_s="-" redis_rate="-" redis_ready_s="-" redis_log="-" redis_rdb="-" redis_rss="-"
if [[ -n "$redis" && "$redis" != none ]]; then
  echo "== Redis: $keys keys"
  launch redis-big redis
  t0="$(now)"
  load "$keys"
  t1="$(now)"
  redis_load_s="$(elapsed "$t0" "$t1")"
  redis_rate="$(awk -v n="$keys" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')"
  redis_rss="$(mb "$(status_kb VmRSS)")"
  echo "  load $redis_load_s s, $redis_rate keys/s, VmRSS $redis_rss MB"
  bench -t get -r "$keys" -n "$read_n" -c "$clients" -P 1
  echo "  uniform GET: $b_rps ops/s, p50 $b_p50 ms"
  read_rows+=("| uniform over $keys keys: Redis | $(fmt_int "${b_rps%.*}") | $b_p50 | - | - | - |")
  t0="$(now)"
  redis-cli -p "$port" save >/dev/null
  echo "  SAVE: $(elapsed "$t0" "$(now)") s"
  redis_rdb="$(gb "$(du -sb "$tmp/dump.rdb" | cut -f1)")"
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  wait "$pid" 2>/dev/null || true
  : >"$tmp/log"
  read -r pid redis_ready_ms < <("$py" "$work/ready.py" "$port" "$redis" --port "$port" --dir "$tmp" \
    --save '' --appendonly no --logfile "$tmp/log")
  redis_ready_s="$(awk -v m="$redis_ready_ms" 'BEGIN { printf "%.1f", m / 1000 }')"
  redis_log="$(grep -o 'DB loaded from disk: [0-9.]* seconds' "$tmp/log" | grep -o '[0-9.]*' || echo '?')"
  echo "  RDB $redis_rdb GB; ready after $redis_ready_s s (log: DB loaded from disk: $redis_log seconds)"
  stop_server
fi

# Tables.
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| server | keys | load wall time | keys/s | peak RSS (VmHWM) | data dir | after COMPACT |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
echo "| Basalt (tier $tier, block cache $cache) | $(fmt_int "$keys") | $load_s s | $(fmt_int "$load_rate") | $(mb "$hwm_all") MB (load: $(mb "$hwm_load") MB) | $(gb "$dir_load") GB | $dir_compact GB ($compact_s s) |"
if [[ "$redis_load_s" != "-" ]]; then
  echo "| Redis 7 (no persistence during load) | $(fmt_int "$keys") | $redis_load_s s | $(fmt_int "$redis_rate") | $redis_rss MB (RSS after load) | RDB $redis_rdb GB | - |"
fi
echo
echo "| phase ($read_n GETs, $clients clients, -P 1) | ops/s | p50 ms | tier hit ratio | tier hits / misses | keyspace hits / misses |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for row in "${read_rows[@]}"; do echo "$row"; done
echo
echo "| restart on $(fmt_int "$keys") keys | spawn to first GET served |"
echo "| --- | ---: |"
echo "| Basalt | $basalt_ready_ms ms |"
[[ "$redis_ready_s" != "-" ]] && echo "| Redis 7 (RDB $redis_rdb GB) | $redis_ready_s s (log: DB loaded from disk: $redis_log s) |"
echo
echo "skewed (warm) / hot case: $(ratio "$skew_warm_rps" "$hot_rps") (redis-benchmark hot case), $(ratio "$skew_warm_rps" "$gen_hot_rps") (skewed_get hot case)"
