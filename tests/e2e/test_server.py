"""Server-level commands: INFO, CONFIG, SAVE/BGSAVE/LASTSAVE, SHUTDOWN, idle timeout.
Every expected reply was checked against redis-server 7.0.15 (basalt_only tests excepted)."""

import contextlib
import os
import re
import socket
import subprocess
import time

import pytest

from e2e_support import RespConn

SECTION_ORDER = ["Server", "Clients", "Memory", "Persistence", "Stats", "Keyspace"]
KEYSPACE_LINE = re.compile(r"^db(\d+):keys=(\d+),expires=(\d+),avg_ttl=(\d+)$")


def wrong_args(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def parse_info(text):
    """INFO text -> {section_name: {field: value}} (section names as in the '# Name' headers)."""
    if isinstance(text, bytes):
        text = text.decode()
    sections = {}
    current = None
    for line in text.split("\r\n"):
        if not line:
            continue
        if line.startswith("# "):
            current = sections.setdefault(line[2:], {})
            continue
        assert current is not None, f"field before any section header: {line!r}"
        assert ":" in line, f"bad INFO line: {line!r}"
        k, _, v = line.partition(":")
        current[k] = v
    return sections


def info(conn, *sections):
    return parse_info(conn.call("INFO", *sections))


def poll(fn, timeout=5.0, interval=0.02):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(interval)


# ------------------------------------------------------------------------------------ INFO

def test_info_default_sections_and_format(conn):
    text = conn.call("INFO")
    assert isinstance(text, bytes)
    s = text.decode()
    assert "\r\n" in s and "\n" not in s.replace("\r\n", "")
    headers = [ln[2:] for ln in s.split("\r\n") if ln.startswith("# ")]
    positions = [headers.index(name) for name in SECTION_ORDER]
    assert positions == sorted(positions), headers
    for line in s.split("\r\n"):
        assert line == "" or line.startswith("# ") or re.match(r"^[a-z0-9_]+:", line), line


def test_info_server(server, conn):
    sections = info(conn, "server")
    assert list(sections) == ["Server"]
    srv = sections["Server"]
    assert srv["redis_version"]
    assert int(srv["tcp_port"]) == server.port
    assert int(srv["process_id"]) == server.pid
    assert int(srv["uptime_in_seconds"]) >= 0
    # section names are case-insensitive
    assert list(info(conn, "SERVER")) == ["Server"]


def test_info_several_sections(conn):
    assert list(info(conn, "server", "clients")) == ["Server", "Clients"]
    assert list(info(conn, "keyspace", "memory")) == ["Memory", "Keyspace"]  # server order


def test_info_unknown_section_is_empty(conn):
    assert conn.call("INFO", "nosuchsection") == b""


def test_info_clients(server, conn):
    before = int(info(conn, "clients")["Clients"]["connected_clients"])
    assert before >= 1
    extra = [RespConn(server.port) for _ in range(3)]
    for c in extra:
        c.call("PING")
    assert int(info(conn, "clients")["Clients"]["connected_clients"]) == before + 3
    for c in extra:
        c.close()
    assert poll(lambda: int(info(conn, "clients")["Clients"]["connected_clients"]) == before)
    assert int(info(conn, "clients")["Clients"]["maxclients"]) > 0


def test_info_memory(conn):
    mem = info(conn, "memory")["Memory"]
    assert int(mem["used_memory"]) > 0
    assert mem["used_memory_human"]


def test_info_persistence(conn):
    p = info(conn, "persistence")["Persistence"]
    assert p["loading"] == "0"
    assert int(p["rdb_last_save_time"]) == conn.call("LASTSAVE")
    assert int(p["rdb_changes_since_last_save"]) >= 0


def test_info_stats_counters(server, conn):
    stats = info(conn, "stats")["Stats"]
    for field in ("total_connections_received", "total_commands_processed", "keyspace_hits",
                  "keyspace_misses", "expired_keys"):
        assert int(stats[field]) >= 0, field
    conn.call("SET", "k", "v")
    conn.call("GET", "k")
    conn.call("GET", "nosuch")
    with RespConn(server.port) as other:
        other.call("PING")
    after = info(conn, "stats")["Stats"]
    assert int(after["keyspace_hits"]) == int(stats["keyspace_hits"]) + 1
    assert int(after["keyspace_misses"]) == int(stats["keyspace_misses"]) + 1
    assert int(after["total_connections_received"]) >= int(stats["total_connections_received"]) + 1
    # INFO, SET, GET, GET, (other connection's PING) -> at least 4 more commands
    assert int(after["total_commands_processed"]) >= int(stats["total_commands_processed"]) + 4


def test_info_keyspace(conn):
    assert conn.call("INFO", "keyspace") == b"# Keyspace\r\n"
    conn.call("MSET", "a", 1, "b", 2, "c", 3)
    conn.call("EXPIRE", "a", 1000)
    conn.call("SELECT", 2)
    conn.call("SET", "x", 1, "EX", 500)
    conn.call("SELECT", 0)
    lines = conn.call("INFO", "keyspace").decode().split("\r\n")
    assert lines[0] == "# Keyspace"
    body = [ln for ln in lines[1:] if ln]
    parsed = [KEYSPACE_LINE.match(ln) for ln in body]
    assert all(parsed), body
    assert [(m.group(1), m.group(2), m.group(3)) for m in parsed] == [
        ("0", "3", "1"), ("2", "1", "1")]


# ---------------------------------------------------------------------------------- CONFIG

def test_config_get_patterns(conn):
    rep = conn.call("CONFIG", "GET", "maxclients")
    assert len(rep) == 2 and rep[0] == b"maxclients" and rep[1].isdigit()
    assert conn.call("CONFIG", "GET", "*max*bulk*") == [b"proto-max-bulk-len", b"536870912"]
    assert conn.call("CONFIG", "GET", "nosuch") == []
    assert conn.call("CONFIG", "GET", "nosuch*") == []
    rep = conn.call("CONFIG", "GET", "maxclients", "timeout")
    assert dict(zip(rep[::2], rep[1::2])).keys() == {b"maxclients", b"timeout"}
    everything = conn.call("CONFIG", "GET", "*")
    names = set(everything[::2])
    assert {b"maxclients", b"timeout", b"databases", b"proto-max-bulk-len", b"port", b"dir",
            b"requirepass", b"appendfsync"} <= names
    assert conn.err("CONFIG", "GET") == wrong_args("config|get")


def test_config_get_values_from_command_line(server, conn):
    assert conn.call("CONFIG", "GET", "port") == [b"port", str(server.port).encode()]
    assert conn.call("CONFIG", "GET", "databases") == [b"databases", b"16"]
    d = conn.call("CONFIG", "GET", "dir")[1].decode()
    assert os.path.realpath(d) == os.path.realpath(server.dir)


def test_config_get_echoes_the_requested_name(conn):
    # 7.0 replies with the name as the client spelled it for an exact (non-glob) match
    rep = conn.call("CONFIG", "GET", "MAXCLIENTS")
    assert rep[0] == b"MAXCLIENTS" and rep[1].isdigit()


def test_config_set_get_round_trip(conn):
    old_timeout = conn.call("CONFIG", "GET", "timeout")[1]
    old_max = conn.call("CONFIG", "GET", "maxclients")[1]
    try:
        assert conn.call("CONFIG", "SET", "timeout", 300) == "OK"
        assert conn.call("CONFIG", "GET", "timeout") == [b"timeout", b"300"]
        assert conn.call("CONFIG", "SET", "maxclients", 500) == "OK"
        assert conn.call("CONFIG", "GET", "maxclients") == [b"maxclients", b"500"]
        assert int(info(conn, "clients")["Clients"]["maxclients"]) == 500
        assert conn.call("CONFIG", "SET", "timeout", 0, "maxclients", 600) == "OK"
        assert conn.call("CONFIG", "GET", "timeout") == [b"timeout", b"0"]
        assert conn.call("CONFIG", "GET", "maxclients") == [b"maxclients", b"600"]
        assert conn.call("CONFIG", "SET", "TIMEOUT", 7) == "OK"  # names are case-insensitive
        assert conn.call("CONFIG", "GET", "timeout") == [b"timeout", b"7"]
    finally:
        conn.call("CONFIG", "SET", "timeout", old_timeout, "maxclients", old_max)


def test_config_set_errors(conn):
    assert conn.err("CONFIG", "SET", "nosuch", "1") == (
        "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'")
    assert conn.err("CONFIG", "SET", "timeout", "abc") == (
        "ERR CONFIG SET failed (possibly related to argument 'timeout') - "
        "argument couldn't be parsed into an integer")
    assert conn.err("CONFIG", "SET", "timeout", "-1") == (
        "ERR CONFIG SET failed (possibly related to argument 'timeout') - "
        "argument must be between 0 and 2147483647 inclusive")
    assert conn.err("CONFIG", "SET", "maxclients", "0") == (
        "ERR CONFIG SET failed (possibly related to argument 'maxclients') - "
        "argument must be between 1 and 4294967295 inclusive")
    assert conn.err("CONFIG", "SET", "timeout", 1, "timeout", 2) == (
        "ERR CONFIG SET failed (possibly related to argument 'timeout') - duplicate parameter")
    assert conn.err("CONFIG", "SET", "databases", "3") == (
        "ERR CONFIG SET failed (possibly related to argument 'databases') - "
        "can't set immutable config")
    assert conn.err("CONFIG", "SET", "timeout") == wrong_args("config|set")
    assert conn.err("CONFIG", "NOSUCH") == "ERR unknown subcommand 'NOSUCH'. Try CONFIG HELP."
    assert conn.call("CONFIG", "GET", "timeout") == [b"timeout", b"0"]


def test_config_resetstat(conn):
    conn.call("SET", "k", "v")
    conn.call("GET", "k")
    conn.call("GET", "nosuch")
    conn.err("NOSUCHCOMMAND")
    assert conn.call("CONFIG", "RESETSTAT") == "OK"
    stats = info(conn, "stats")["Stats"]
    assert stats["keyspace_hits"] == "0"
    assert stats["keyspace_misses"] == "0"
    assert stats["expired_keys"] == "0"
    assert stats["total_error_replies"] == "0"
    assert stats["total_connections_received"] == "0"
    assert int(stats["total_commands_processed"]) <= 1  # CONFIG RESETSTAT itself
    assert conn.err("CONFIG", "RESETSTAT", "x") == wrong_args("config|resetstat")


# -------------------------------------------------------------------- SAVE BGSAVE LASTSAVE

def test_lastsave_and_save(conn):
    t0 = conn.call("LASTSAVE")
    assert isinstance(t0, int) and abs(t0 - time.time()) < 3600
    conn.call("SET", "k", "v")
    assert conn.call("SAVE") == "OK"
    t1 = conn.call("LASTSAVE")
    assert t1 >= t0 and abs(t1 - time.time()) <= 2
    assert info(conn, "persistence")["Persistence"]["rdb_changes_since_last_save"] == "0"
    assert conn.err("LASTSAVE", "x") == wrong_args("lastsave")
    assert conn.err("SAVE", "x") == wrong_args("save")


def wait_bgsave_done(conn, previous_lastsave, timeout=10.0):
    return poll(lambda: conn.call("LASTSAVE") > previous_lastsave, timeout=timeout)


def test_bgsave(conn):
    conn.call("MSET", "a", 1, "b", 2)
    before = conn.call("LASTSAVE")
    while int(time.time()) <= before:  # LASTSAVE has a one-second resolution
        time.sleep(0.05)
    assert conn.call("BGSAVE") == "Background saving started"
    assert wait_bgsave_done(conn, before)
    p = info(conn, "persistence")["Persistence"]
    assert poll(lambda: info(conn, "persistence")["Persistence"]["rdb_bgsave_in_progress"] == "0")
    assert p["rdb_last_bgsave_status"] == "ok"
    assert conn.err("BGSAVE", "FOO") == "ERR syntax error"


@pytest.mark.basalt_only
def test_bgsave_writes_a_checkpoint(server, conn):
    # Basalt's BGSAVE makes a RocksDB checkpoint under --dir. We only assume that it is a
    # directory of its own holding a RocksDB CURRENT file and a MANIFEST, next to the live DB.
    def rocksdb_dirs():
        found = set()
        for root, _dirs, files in os.walk(server.dir):
            if "CURRENT" in files and any(f.startswith("MANIFEST-") for f in files):
                found.add(os.path.realpath(root))
        return found

    conn.call("MSET", "a", 1, "b", 2)
    before_dirs = rocksdb_dirs()
    before = conn.call("LASTSAVE")
    while int(time.time()) <= before:
        time.sleep(0.05)
    assert conn.call("BGSAVE") == "Background saving started"
    assert wait_bgsave_done(conn, before)
    after_dirs = rocksdb_dirs()
    assert len(after_dirs) >= 2, after_dirs  # the live database plus at least one checkpoint
    assert after_dirs - before_dirs or len(before_dirs) >= 2


def test_dbsize(conn):
    assert conn.call("DBSIZE") == 0
    conn.pipeline([("SET", f"k{i}", i) for i in range(50)])
    assert conn.call("DBSIZE") == 50


# ------------------------------------------------------------------------------- SHUTDOWN

@pytest.mark.parametrize("args", [(), ("NOSAVE",), ("SAVE",)])
def test_shutdown_exits(server_factory, args):
    srv = server_factory()
    pid = srv.pid
    with srv.conn() as c:
        c.call("SET", "k", "v")
        c.send("SHUTDOWN", *args)
        assert c.wait_closed(10.0)  # no reply, the connection is just closed
    assert srv.wait_exit(10.0) == 0
    assert not os.path.exists(f"/proc/{pid}") or _is_zombie(pid)
    with pytest.raises(OSError):
        RespConn(srv.port, timeout=1.0).call("PING")


def _is_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


def test_shutdown_syntax_error_keeps_running(server_factory):
    srv = server_factory()
    with srv.conn() as c:
        assert c.err("SHUTDOWN", "FOO") == "ERR syntax error"
        assert c.err("SHUTDOWN", "NOSAVE", "SAVE") == "ERR syntax error"
        assert c.call("PING") == "PONG"
    assert srv.is_running()


@pytest.mark.persistence
def test_data_survives_shutdown_command(server_factory):
    srv = server_factory()
    with srv.conn() as c:
        c.call("MSET", "a", 1, "b", 2)
        c.send("SHUTDOWN")
        assert c.wait_closed(10.0)
    assert srv.wait_exit(10.0) == 0
    srv.start()
    with srv.conn() as c:
        assert c.call("MGET", "a", "b") == [b"1", b"2"]


@pytest.mark.basalt_only
@pytest.mark.persistence
def test_rocksdb_compression_is_a_startup_option_and_data_survives_a_change(server_factory):
    srv = server_factory(rocksdb_compression="zstd")
    with srv.conn() as c:
        assert c.call("CONFIG", "GET", "rocksdb-compression") == [b"rocksdb-compression", b"zstd"]
        assert c.err("CONFIG", "SET", "rocksdb-compression", "none") == (
            "ERR CONFIG SET failed (possibly related to argument 'rocksdb-compression') - "
            "can't set immutable config")
        for i in range(0, 2000, 100):
            c.call("MSET", *[x for j in range(i, i + 100) for x in (f"k{j}", f"v{j}" * 20)])
        assert c.call("COMPACT") == "OK"  # the files are ZSTD at the bottom now
    for codec in ("none", "lz4"):
        srv.stop()
        srv.extra = [(k, v) for k, v in srv.extra if k != "rocksdb_compression"]
        srv.extra.append(("rocksdb_compression", codec))
        srv.start()
        with srv.conn() as c:
            assert c.call("CONFIG", "GET", "rocksdb-compression")[1] == codec.encode()
            assert c.call("GET", "k1999") == b"v1999" * 20
            assert c.call("COMPACT") == "OK"  # rewrites every file with the new codec
            assert c.call("MGET", "k0", "k1000") == [b"v0" * 20, b"v1000" * 20]
            assert c.call("DBSIZE") == 2000
    bad = server_factory(rocksdb_compression="brotli", start=False)
    out = subprocess.run(bad.command_line(), capture_output=True, timeout=30)
    assert out.returncode == 1
    assert b"--rocksdb-compression: argument(s) must be one of the following: lz4, zstd, none" \
        in out.stderr


def _slow_fsync_server(server_factory, monkeypatch, **options):
    """A server under appendfsync always whose every fsync takes 400 ms longer (test hook)."""
    monkeypatch.setenv("BASALT_TEST_FSYNC_DELAY_MS", "400")
    srv = server_factory(appendfsync="always", **options)
    monkeypatch.delenv("BASALT_TEST_FSYNC_DELAY_MS")
    return srv


def _expect(sock, want):
    """Reads from `sock` until len(want) bytes came and checks they are `want`."""
    got = b""
    while len(got) < len(want):
        chunk = sock.recv(4096)
        assert chunk, f"connection closed after {got!r}"
        got += chunk
    assert got == want


@contextlib.contextmanager
def _raw_clients(srv, n):
    """n plain sockets to srv, closed afterwards."""
    socks = [socket.create_connection(("127.0.0.1", srv.port), timeout=10) for _ in range(n)]
    try:
        yield socks
    finally:
        for sock in socks:
            sock.close()


@pytest.mark.basalt_only
@pytest.mark.persistence
def test_a_write_made_during_an_fsync_waits_for_its_own(server_factory, monkeypatch):
    # appendfsync always: the group commit's fsync runs beside the worker's loop (worker.h). A
    # client whose replies an fsync holds sends another write meanwhile: that write runs after
    # the fsync, and its reply must wait for a later fsync that covers it.
    srv = _slow_fsync_server(server_factory, monkeypatch)
    with _raw_clients(srv, 1) as (s,):
        s.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n")
        time.sleep(0.15)  # a's fsync is under way
        sent = time.monotonic()
        s.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n")
        _expect(s, b"+OK\r\n+OK\r\n")
        assert time.monotonic() - sent >= 0.38  # b's reply came after an fsync started after b
    srv.kill9()
    srv.start()
    with srv.conn() as c:
        assert c.call("MGET", "a", "b") == [b"1", b"2"]


@pytest.mark.basalt_only
@pytest.mark.persistence
def test_a_pop_served_during_an_fsync_waits_for_its_own(server_factory, monkeypatch):
    # The same for a write made on a held client's behalf: its BLPOP is served by another
    # client's RPUSH while the fsync of its SET runs. The pop is a write made after that
    # fsync began, so the reply that shows it waits for the next one.
    srv = _slow_fsync_server(server_factory, monkeypatch)
    with _raw_clients(srv, 2) as (a, b):
        a.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n1\r\n"
                  b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n")
        time.sleep(0.15)  # the SET's fsync is under way
        sent = time.monotonic()
        b.sendall(b"*3\r\n$5\r\nRPUSH\r\n$1\r\nq\r\n$1\r\nx\r\n")
        want = b"+OK\r\n*2\r\n$1\r\nq\r\n$1\r\nx\r\n"
        _expect(a, want)
        assert time.monotonic() - sent >= 0.38
        _expect(b, b":1\r\n")
    srv.kill9()
    srv.start()
    with srv.conn() as c:
        assert c.call("GET", "k") == b"1"
        assert c.call("EXISTS", "q") == 0


@pytest.mark.basalt_only
@pytest.mark.persistence
def test_a_read_never_shows_a_write_before_its_fsync(server_factory, monkeypatch):
    # Redis under appendfsync always sends every reply of an event loop iteration after that
    # iteration's fsync, so no client sees a write that a crash could still take back. Here b
    # reads a's key while a's fsync runs: b's reply waits for that fsync, which covers all b
    # can see (nothing was written after it began), and not for another one. One worker: a
    # and b share its loop, so b can join the fsync a's SET started.
    srv = _slow_fsync_server(server_factory, monkeypatch, workers=1)
    with _raw_clients(srv, 2) as (a, b):
        a_sent = time.monotonic()
        a.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")
        time.sleep(0.15)  # a's fsync is under way
        b.sendall(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
        _expect(b, b"$1\r\nv\r\n")
        waited = time.monotonic() - a_sent
        assert waited >= 0.38  # not before a's fsync ended
        assert waited < 0.7  # a second fsync would end after 0.8 s
        _expect(a, b"+OK\r\n")
        # With every write fsynced, a read has nothing to wait for.
        sent = time.monotonic()
        b.sendall(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
        _expect(b, b"$1\r\nv\r\n")
        assert time.monotonic() - sent < 0.35


@pytest.mark.basalt_only
@pytest.mark.persistence
def test_a_notification_never_tells_of_a_write_before_its_fsync(server_factory, monkeypatch):
    # The same for pushed output: a keyspace notification of a's SET reaches the subscriber
    # only once that SET is fsynced, as Redis writes no client output before its fsync.
    srv = _slow_fsync_server(server_factory, monkeypatch)
    with srv.conn() as c:
        assert c.call("CONFIG", "SET", "notify-keyspace-events", "KA") == "OK"
    channel = b"__keyspace@0__:k"
    with _raw_clients(srv, 2) as (a, sub):
        sub.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$16\r\n" + channel + b"\r\n")
        subscribed = b"*3\r\n$9\r\nsubscribe\r\n$16\r\n" + channel + b"\r\n:1\r\n"
        _expect(sub, subscribed)
        a_sent = time.monotonic()
        a.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")
        message = b"*3\r\n$7\r\nmessage\r\n$16\r\n" + channel + b"\r\n$3\r\nset\r\n"
        _expect(sub, message)
        assert time.monotonic() - a_sent >= 0.38  # not before a's fsync ended
        _expect(a, b"+OK\r\n")


# --------------------------------------------------------------------------- idle timeout

def test_timeout_closes_idle_clients(server_factory):
    srv = server_factory()
    with srv.conn() as busy, srv.conn() as idle:
        idle.call("PING")
        assert busy.call("CONFIG", "SET", "timeout", 1) == "OK"
        start = time.monotonic()
        closed = False
        while time.monotonic() - start < 4.0:
            assert busy.call("PING") == "PONG"  # an active client is never closed
            if idle.wait_closed(0.25):
                closed = True
                break
        elapsed = time.monotonic() - start
        assert closed, "idle client not closed within 4 s"
        assert elapsed >= 0.9
        assert busy.call("CONFIG", "SET", "timeout", 0) == "OK"
