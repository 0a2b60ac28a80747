"""What monitoring tools read: SLOWLOG, LATENCY, MEMORY, INFO (the fields redis_exporter maps,
commandstats, errorstats, keyspace lines) and CLIENT LIST's fields. Checked against
redis-server 7.0.15 where the replies are deterministic."""

import re
import time

import pytest

from e2e_support import RespConn

SYNTAX = "ERR syntax error"
NOT_INT = "ERR value is not an integer or out of range"

# A Lua loop that runs for several milliseconds on any machine (a slow command for LATENCY).
BUSY_SCRIPT = "local i = 0 while i < 3000000 do i = i + 1 end return i"


def info_fields(text):
    if isinstance(text, bytes):
        text = text.decode()
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            k, _, v = line.partition(":")
            out[k] = v
    return out


def local_addr(conn):
    host, port = conn.sock.getsockname()[:2]
    return f"{host}:{port}"


@pytest.fixture
def slowlog_all(conn):
    """Logs every command; restores Redis's defaults afterwards."""
    conn.call("CONFIG", "SET", "slowlog-log-slower-than", 0)
    conn.call("CONFIG", "SET", "slowlog-max-len", 128)
    conn.call("SLOWLOG", "RESET")
    yield conn
    conn.call("CONFIG", "SET", "slowlog-log-slower-than", 10000)
    conn.call("CONFIG", "SET", "slowlog-max-len", 128)
    conn.call("SLOWLOG", "RESET")


# ----------------------------------------------------------------------------------- SLOWLOG

def test_slowlog_entry_shape(slowlog_all):
    conn = slowlog_all
    conn.call("CLIENT", "SETNAME", "obs")
    conn.call("SET", "k", "v")
    conn.call("GET", "k")
    entries = conn.call("SLOWLOG", "GET")
    # newest first: GET, SET, CLIENT SETNAME, SLOWLOG RESET (logged after it ran)
    assert [e[3] for e in entries] == [[b"GET", b"k"], [b"SET", b"k", b"v"],
                                       [b"CLIENT", b"SETNAME", b"obs"], [b"SLOWLOG", b"RESET"]]
    ids = [e[0] for e in entries]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4
    assert ids[0] - ids[-1] == 3
    now = int(time.time())
    for e in entries:
        assert len(e) == 6
        assert abs(e[1] - now) <= 5
        assert isinstance(e[2], int) and e[2] >= 0
        assert e[4].decode() == local_addr(conn)
    # the name is the client's when the command was logged
    assert [e[5] for e in entries] == [b"obs", b"obs", b"obs", b""]
    assert conn.call("SLOWLOG", "LEN") == 5  # the first SLOWLOG GET is logged too
    assert len(conn.call("SLOWLOG", "GET", 1)) == 1
    assert len(conn.call("SLOWLOG", "GET", -1)) == 7
    assert len(conn.call("SLOWLOG", "GET", 0)) == 0


def test_slowlog_truncates_like_redis(slowlog_all):
    conn = slowlog_all
    conn.call("RPUSH", "l", *range(1, 41))
    conn.call("SET", "big", "x" * 200)
    big, rpush = conn.call("SLOWLOG", "GET", 2)
    assert big[3] == [b"SET", b"big", b"x" * 128 + b"... (72 more bytes)"]
    args = rpush[3]
    assert len(args) == 32
    assert args[:3] == [b"RPUSH", b"l", b"1"] and args[30] == b"29"
    assert args[31] == b"... (11 more arguments)"


def test_slowlog_redacts_credentials(slowlog_all):
    conn = slowlog_all
    assert conn.err("AUTH", "someone", "secret").startswith("WRONGPASS")
    assert conn.call("SLOWLOG", "GET", 1)[0][3] == [b"AUTH", b"(redacted)", b"(redacted)"]


def test_slowlog_threshold_and_max_len(slowlog_all):
    conn = slowlog_all
    conn.call("CONFIG", "SET", "slowlog-max-len", 3)
    for i in range(10):
        conn.call("SET", f"k{i}", i)
    assert conn.call("SLOWLOG", "LEN") == 3
    assert [e[3][1] for e in conn.call("SLOWLOG", "GET")] == [b"LEN", b"k9", b"k8"]
    # negative: nothing is logged
    conn.call("CONFIG", "SET", "slowlog-log-slower-than", -1)
    conn.call("SLOWLOG", "RESET")
    for i in range(5):
        conn.call("SET", f"k{i}", i)
    assert conn.call("SLOWLOG", "LEN") == 0
    # far above what these commands take: nothing is logged either
    conn.call("CONFIG", "SET", "slowlog-log-slower-than", 10_000_000)
    conn.call("SET", "a", "b")
    assert conn.call("SLOWLOG", "GET") == []


def test_slowlog_exec_is_skipped_but_its_commands_are_logged(slowlog_all):
    conn = slowlog_all
    conn.call("MULTI")
    conn.call("SET", "m", "1")
    conn.call("INCR", "m")
    assert conn.call("EXEC") == ["OK", 2]
    names = [e[3][0] for e in conn.call("SLOWLOG", "GET")]
    assert names == [b"INCR", b"SET", b"MULTI", b"SLOWLOG"]


def test_slowlog_errors(conn):
    err = "ERR count should be greater than or equal to -1"
    assert conn.err("SLOWLOG", "GET", -2) == err
    assert conn.err("SLOWLOG", "GET", "abc") == err
    assert conn.err("SLOWLOG", "FOO") == "ERR unknown subcommand 'FOO'. Try SLOWLOG HELP."
    assert conn.err("SLOWLOG") == "ERR wrong number of arguments for 'slowlog' command"
    assert conn.err("SLOWLOG", "LEN", 1) == (
        "ERR wrong number of arguments for 'slowlog|len' command")
    help_lines = conn.call("SLOWLOG", "HELP")
    assert help_lines[0].startswith("SLOWLOG <subcommand>")
    assert "RESET" in help_lines


def test_slowlog_times_the_script_run(slowlog_all):
    conn = slowlog_all
    conn.call("CONFIG", "SET", "slowlog-log-slower-than", 1000)
    conn.call("SLOWLOG", "RESET")
    assert conn.call("EVAL", BUSY_SCRIPT, 0) == 3000000
    entry = conn.call("SLOWLOG", "GET", 1)[0]
    assert entry[3] == [b"EVAL", BUSY_SCRIPT.encode(), b"0"]
    assert entry[2] >= 1000
    assert entry[4].decode() == local_addr(conn)


# ----------------------------------------------------------------------------------- LATENCY

@pytest.fixture
def latency_on(conn):
    conn.call("CONFIG", "SET", "latency-monitor-threshold", 1)
    conn.call("LATENCY", "RESET")
    yield conn
    conn.call("CONFIG", "SET", "latency-monitor-threshold", 0)
    conn.call("LATENCY", "RESET")


def test_latency_records_slow_commands(latency_on):
    conn = latency_on
    assert conn.call("LATENCY", "LATEST") == []
    before = int(time.time())
    conn.call("EVAL", BUSY_SCRIPT, 0)
    latest = {e[0]: e[1:] for e in conn.call("LATENCY", "LATEST")}
    assert b"command" in latest, latest
    when, ms, worst = latest[b"command"]
    assert before <= when <= int(time.time()) + 1
    assert ms >= 1 and worst >= ms
    history = conn.call("LATENCY", "HISTORY", "command")
    assert len(history) >= 1 and history[-1] == [when, ms]
    assert conn.call("LATENCY", "HISTORY", "nosuchevent") == []
    doctor = conn.call("LATENCY", "DOCTOR")
    assert isinstance(doctor, bytes) and len(doctor) > 0
    assert conn.call("LATENCY", "RESET", "command", "nosuchevent") == 1
    assert conn.call("LATENCY", "HISTORY", "command") == []


def test_latency_off_records_nothing(conn):
    conn.call("CONFIG", "SET", "latency-monitor-threshold", 0)
    conn.call("LATENCY", "RESET")
    conn.call("EVAL", BUSY_SCRIPT, 0)
    assert conn.call("LATENCY", "LATEST") == []
    assert conn.call("LATENCY", "RESET") == 0


def test_latency_errors(conn):
    assert conn.err("LATENCY", "GRAPH", "nosuchevent") == (
        "ERR No samples available for event 'nosuchevent'")
    assert conn.err("LATENCY", "FOO") == "ERR unknown subcommand 'FOO'. Try LATENCY HELP."
    assert conn.err("LATENCY", "HISTORY") == (
        "ERR wrong number of arguments for 'latency|history' command")
    assert conn.call("LATENCY", "HELP")[0].startswith("LATENCY <subcommand>")


# ------------------------------------------------------------------------------------ MEMORY

def test_memory_usage_every_type(r, conn):
    r.set("s", "v")
    r.rpush("l", "a", "b")
    r.sadd("set", "a", "b")
    r.zadd("z", {"a": 1, "b": 2})
    r.hset("h", mapping={"f": "v", "g": "w"})
    for key in ("s", "l", "set", "z", "h"):
        n = conn.call("MEMORY", "USAGE", key)
        assert isinstance(n, int) and n > 0, key
        assert isinstance(conn.call("MEMORY", "USAGE", key, "SAMPLES", 0), int)
    assert conn.call("MEMORY", "USAGE", "missing") is None


def test_memory_usage_grows_with_the_value(r, conn):
    r.set("small", "x" * 10)
    r.set("large", "x" * 100_000)
    small, large = (conn.call("MEMORY", "USAGE", k) for k in ("small", "large"))
    assert large - small >= 99_000
    r.hset("h10", mapping={f"f{i}": "v" * 20 for i in range(10)})
    r.hset("h1000", mapping={f"f{i}": "v" * 20 for i in range(1000)})
    h10 = conn.call("MEMORY", "USAGE", "h10", "SAMPLES", 0)
    h1000 = conn.call("MEMORY", "USAGE", "h1000", "SAMPLES", 0)
    assert h1000 > 20 * h10
    # sampling estimates from a few elements; it still scales with the element count
    assert conn.call("MEMORY", "USAGE", "h1000") > 20 * conn.call("MEMORY", "USAGE", "h10")
    r.rpush("list", *range(5000))
    assert conn.call("MEMORY", "USAGE", "list") > 5000


def test_memory_usage_errors(r, conn):
    r.set("k", "v")
    assert conn.err("MEMORY", "USAGE", "k", "SAMPLES", -1) == SYNTAX
    assert conn.err("MEMORY", "USAGE", "k", "SAMPLES", "x") == NOT_INT
    assert conn.err("MEMORY", "USAGE", "k", "SAMPLES") == SYNTAX
    assert conn.err("MEMORY", "USAGE", "k", "FOO", 1) == SYNTAX
    # arguments are checked before the key is looked up
    assert conn.err("MEMORY", "USAGE", "missing", "FOO") == SYNTAX
    assert conn.err("MEMORY", "USAGE") == (
        "ERR wrong number of arguments for 'memory|usage' command")
    assert conn.err("MEMORY", "FOO") == "ERR unknown subcommand 'FOO'. Try MEMORY HELP."


MEMORY_STATS_FIELDS = [
    "peak.allocated", "total.allocated", "startup.allocated", "replication.backlog",
    "clients.slaves", "clients.normal", "cluster.links", "aof.buffer", "lua.caches",
    "functions.caches", "db.0", "overhead.total",
    "keys.count", "keys.bytes-per-key", "dataset.bytes", "dataset.percentage",
    "peak.percentage", "allocator.allocated", "allocator.active", "allocator.resident",
    "allocator-fragmentation.ratio", "allocator-fragmentation.bytes", "allocator-rss.ratio",
    "allocator-rss.bytes", "rss-overhead.ratio", "rss-overhead.bytes", "fragmentation",
    "fragmentation.bytes",
]


def test_memory_stats_fields(r, conn):
    r.set("a", "1")
    r.set("b", "2")
    r.execute_command("SELECT", 3)
    flat = conn.call("MEMORY", "STATS")
    names = [flat[i].decode() for i in range(0, len(flat), 2)]
    assert names == MEMORY_STATS_FIELDS
    stats = {flat[i].decode(): flat[i + 1] for i in range(0, len(flat), 2)}
    assert stats["keys.count"] == 2
    assert stats["db.0"][0::2] == [b"overhead.hashtable.main", b"overhead.hashtable.expires",
                                   b"overhead.hashtable.slot-to-keys"]
    assert stats["total.allocated"] > 0
    assert stats["peak.allocated"] >= stats["total.allocated"]
    float(stats["fragmentation"])  # a double (a bulk string in RESP2)


def test_memory_other_subcommands(conn):
    assert isinstance(conn.call("MEMORY", "DOCTOR"), bytes)
    assert len(conn.call("MEMORY", "MALLOC-STATS")) > 0
    assert conn.call("MEMORY", "PURGE") == "OK"
    help_lines = conn.call("MEMORY", "HELP")
    assert help_lines[0].startswith("MEMORY <subcommand>")
    assert "USAGE <key> [SAMPLES <count>]" in help_lines


# -------------------------------------------------------------------------------------- INFO

# What redis_exporter maps to metrics (its metricMapGauges / metricMapCounters) and that a
# standalone Redis 7.0 prints.
EXPORTER_FIELDS = [
    "redis_version", "redis_mode", "os", "process_id", "run_id", "tcp_port", "uptime_in_seconds",
    "connected_clients", "blocked_clients", "maxclients", "client_recent_max_input_buffer",
    "client_recent_max_output_buffer",
    "used_memory", "used_memory_rss", "used_memory_peak", "used_memory_overhead",
    "used_memory_startup", "used_memory_dataset", "maxmemory", "maxmemory_policy",
    "allocator_allocated", "allocator_active", "allocator_resident", "allocator_frag_ratio",
    "allocator_frag_bytes", "allocator_rss_ratio", "allocator_rss_bytes",
    "mem_fragmentation_ratio", "mem_fragmentation_bytes", "mem_clients_slaves",
    "mem_clients_normal", "mem_not_counted_for_evict", "lazyfree_pending_objects",
    "active_defrag_running", "total_system_memory",
    "loading", "rdb_changes_since_last_save", "rdb_bgsave_in_progress", "rdb_last_save_time",
    "rdb_last_bgsave_status", "rdb_last_bgsave_time_sec", "rdb_current_bgsave_time_sec",
    "rdb_last_cow_size", "aof_enabled", "aof_rewrite_in_progress", "aof_rewrite_scheduled",
    "aof_last_rewrite_time_sec", "aof_current_rewrite_time_sec", "aof_last_bgrewrite_status",
    "aof_last_write_status", "aof_last_cow_size", "module_fork_in_progress",
    "module_fork_last_cow_size",
    "total_connections_received", "total_commands_processed", "instantaneous_ops_per_sec",
    "total_net_input_bytes", "total_net_output_bytes", "instantaneous_input_kbps",
    "instantaneous_output_kbps", "rejected_connections", "sync_full", "sync_partial_ok",
    "sync_partial_err", "expired_keys", "expired_stale_perc", "expired_time_cap_reached_count",
    "evicted_keys", "keyspace_hits", "keyspace_misses", "pubsub_channels", "pubsub_patterns",
    "latest_fork_usec", "migrate_cached_sockets", "slave_expires_tracked_keys",
    "active_defrag_hits", "active_defrag_misses", "active_defrag_key_hits",
    "active_defrag_key_misses", "total_error_replies",
    "role", "connected_slaves", "master_repl_offset", "second_repl_offset",
    "repl_backlog_active", "repl_backlog_size", "repl_backlog_first_byte_offset",
    "repl_backlog_histlen",
    "used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children",
    "cluster_enabled",
]


def test_info_has_the_fields_exporters_read(conn):
    fields = info_fields(conn.call("INFO", "ALL"))
    missing = [f for f in EXPORTER_FIELDS if f not in fields]
    assert missing == []
    assert fields["role"] == "master" and fields["connected_slaves"] == "0"
    for name in ("used_memory", "used_memory_rss", "used_memory_peak", "total_net_input_bytes",
                 "allocator_allocated", "uptime_in_seconds", "master_repl_offset"):
        assert int(fields[name]) >= 0, name
    for name in ("mem_fragmentation_ratio", "instantaneous_input_kbps", "allocator_frag_ratio"):
        float(fields[name])


def test_info_keyspace_lines(r, conn):
    r.set("a", 1)
    r.set("b", 2, ex=100)
    r.execute_command("SELECT", 5)
    r.set("c", 3)
    r.execute_command("SELECT", 0)
    keyspace = conn.call("INFO", "keyspace").decode()
    lines = [ln for ln in keyspace.splitlines() if ln.startswith("db")]
    assert len(lines) == 2
    assert re.fullmatch(r"db0:keys=2,expires=1,avg_ttl=\d+", lines[0]), lines[0]
    assert lines[1] == "db5:keys=1,expires=0,avg_ttl=0"


def test_info_instantaneous_ops(r, conn):
    # the rate is an average over the last 1.6 s; keep commands flowing until it shows them
    deadline = time.time() + 10
    ops = 0
    while time.time() < deadline and ops == 0:
        for _ in range(50):
            r.ping()
        ops = int(info_fields(conn.call("INFO", "stats"))["instantaneous_ops_per_sec"])
    assert ops > 0
    assert float(info_fields(conn.call("INFO", "stats"))["instantaneous_input_kbps"]) > 0


def test_info_commandstats_and_errorstats(conn):
    conn.call("CONFIG", "RESETSTAT")
    conn.call("SET", "n", "abc")
    conn.call("SET", "n2", "1")
    assert conn.err("INCR", "n") == NOT_INT
    assert conn.err("GET") == "ERR wrong number of arguments for 'get' command"
    assert conn.err("NOSUCHCMD").startswith("ERR unknown command")
    assert conn.err("LPUSH", "n", "x").startswith("WRONGTYPE")
    text = conn.call("INFO", "commandstats").decode()
    stats = {}
    for line in text.splitlines():
        m = re.fullmatch(r"cmdstat_([^:]+):calls=(\d+),usec=(\d+),usec_per_call=(\d+\.\d\d),"
                         r"rejected_calls=(\d+),failed_calls=(\d+)", line)
        if m:
            stats[m.group(1)] = [int(m.group(2)), int(m.group(5)), int(m.group(6))]
        else:
            assert line.startswith("#") or line == "", line
    assert stats["set"] == [2, 0, 0]
    assert stats["incr"] == [1, 0, 1]
    assert stats["get"] == [0, 1, 0]
    assert stats["lpush"] == [1, 0, 1]
    assert stats["config|resetstat"] == [1, 0, 0]
    errors = info_fields(conn.call("INFO", "errorstats"))
    assert errors == {"errorstat_ERR": "count=3", "errorstat_WRONGTYPE": "count=1"}
    assert int(info_fields(conn.call("INFO", "stats"))["total_error_replies"]) == 4
    # errorstats is in the default INFO, commandstats only in ALL / EVERYTHING
    default = conn.call("INFO").decode()
    assert "errorstat_ERR:count=3" in default and "cmdstat_" not in default
    assert "cmdstat_set:" in conn.call("INFO", "ALL").decode()
    conn.call("CONFIG", "RESETSTAT")
    assert info_fields(conn.call("INFO", "errorstats")) == {}
    assert set(info_fields(conn.call("INFO", "commandstats"))) == {
        "cmdstat_config|resetstat", "cmdstat_info"}


# ------------------------------------------------------------------------------- CLIENT LIST

# Redis 7.0.15's CLIENT LIST fields, in its order.
CLIENT_LIST_70 = ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub",
                  "psub", "ssub", "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs",
                  "rbp", "obl", "oll", "omem", "tot-mem", "events", "cmd", "user", "redir",
                  "resp"]


def test_client_list_fields_in_redis_order(server, conn):
    conn.call("CLIENT", "SETNAME", "watcher")
    line = conn.call("CLIENT", "INFO").decode().rstrip("\n")
    pairs = [p.split("=", 1) for p in line.split(" ")]
    keys = [k for k, _ in pairs]
    assert keys[:len(CLIENT_LIST_70)] == CLIENT_LIST_70
    d = dict(pairs)
    assert d["name"] == "watcher" and d["addr"] == local_addr(conn)
    assert d["laddr"] == f"127.0.0.1:{server.port}"
    assert d["flags"] == "N" and d["multi"] == "-1" and d["cmd"] == "client|info"
    for k in ("fd", "age", "idle", "qbuf", "omem", "tot-mem"):
        assert int(d[k]) >= 0, k
    with RespConn(server.port) as other:
        other.call("MULTI")
        other.call("SET", "a", "b")
        lines = conn.call("CLIENT", "LIST").decode().splitlines()
        theirs = [dict(p.split("=", 1) for p in ln.split(" ")) for ln in lines]
        multi = [x for x in theirs if x["flags"] == "x"]
        assert len(multi) == 1 and multi[0]["multi"] == "1"
