"""Generic key-space commands, expiry and persistence, end to end.
Every expected reply was checked against redis-server 7.0.15."""

import threading
import time

import pytest

from e2e_support import ConnectionClosed, RespConn

INVALID_INT = "ERR value is not an integer or out of range"
SYNTAX = "ERR syntax error"
DB_RANGE = "ERR DB index is out of range"
SAME_OBJECT = "ERR source and destination objects are the same"
NX_XX_GT_LT = "ERR NX and XX, GT or LT options at the same time are not compatible"
GT_LT = "ERR GT and LT options at the same time are not compatible"


def wrong_args(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def poll(fn, timeout=3.0, interval=0.02):
    """Call fn until it returns a truthy value or the timeout passes; return the last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(interval)


# ---------------------------------------------------------------------- DEL UNLINK EXISTS TYPE

def test_del_unlink(conn):
    conn.call("MSET", "a", 1, "b", 2, "c", 3, "d", 4)
    assert conn.call("DEL", "a", "a", "b", "nosuch") == 2
    assert conn.call("DEL", "a") == 0
    assert conn.call("UNLINK", "c", "c", "nosuch") == 1
    assert conn.call("EXISTS", "a", "b", "c", "d") == 1
    assert conn.err("DEL") == wrong_args("del")
    assert conn.err("UNLINK") == wrong_args("unlink")


def test_exists_counts_duplicates(conn):
    conn.call("SET", "a", 1)
    assert conn.call("EXISTS", "a") == 1
    assert conn.call("EXISTS", "a", "a", "a", "nosuch") == 3
    assert conn.call("EXISTS", "nosuch") == 0
    assert conn.err("EXISTS") == wrong_args("exists")


def test_type(conn):
    conn.call("SET", "s", "v")
    conn.call("SET", "n", 1)
    assert conn.call("TYPE", "s") == "string"
    assert conn.call("TYPE", "n") == "string"
    assert conn.call("TYPE", "nosuch") == "none"
    assert conn.err("TYPE") == wrong_args("type")


# ------------------------------------------------------------------------------- EXPIRE family

def test_ttl_pttl_missing_and_persistent(conn):
    assert conn.call("TTL", "nosuch") == -2
    assert conn.call("PTTL", "nosuch") == -2
    conn.call("SET", "k", "v")
    assert conn.call("TTL", "k") == -1
    assert conn.call("PTTL", "k") == -1
    assert conn.call("EXPIRETIME", "k") == -1
    assert conn.call("PEXPIRETIME", "k") == -1
    assert conn.call("EXPIRETIME", "nosuch") == -2
    assert conn.call("PEXPIRETIME", "nosuch") == -2


def test_expire_pexpire(conn):
    conn.call("SET", "k", "v")
    assert conn.call("EXPIRE", "k", 100) == 1
    assert 99 <= conn.call("TTL", "k") <= 100
    assert 98000 <= conn.call("PTTL", "k") <= 100000
    assert conn.call("PEXPIRE", "k", 50000) == 1
    assert 49 <= conn.call("TTL", "k") <= 50
    assert conn.call("PEXPIRE", "k", 100900) == 1
    assert conn.call("TTL", "k") == 101  # TTL rounds to the nearest second
    assert conn.call("PEXPIRE", "k", 100100) == 1
    assert conn.call("TTL", "k") == 100
    assert conn.call("EXPIRE", "nosuch", 100) == 0
    assert conn.call("PEXPIRE", "nosuch", 100) == 0
    assert conn.call("EXISTS", "nosuch") == 0


def test_expireat_pexpireat_and_expiretime(conn):
    conn.call("SET", "k", "v")
    at = int(time.time()) + 100
    assert conn.call("EXPIREAT", "k", at) == 1
    assert conn.call("EXPIRETIME", "k") == at
    assert conn.call("PEXPIRETIME", "k") == at * 1000
    assert 98 <= conn.call("TTL", "k") <= 100
    base = (int(time.time()) + 200) * 1000
    assert conn.call("PEXPIREAT", "k", base + 700) == 1
    assert conn.call("PEXPIRETIME", "k") == base + 700
    assert conn.call("EXPIRETIME", "k") == base // 1000 + 1  # rounded to the nearest second
    assert conn.call("PEXPIREAT", "k", base + 400) == 1
    assert conn.call("EXPIRETIME", "k") == base // 1000
    assert conn.call("EXPIREAT", "nosuch", at) == 0


def test_expire_in_the_past_deletes(conn):
    conn.call("MSET", "a", 1, "b", 2, "c", 3, "d", 4)
    assert conn.call("EXPIRE", "a", -1) == 1
    assert conn.call("PEXPIRE", "b", 0) == 1
    assert conn.call("EXPIREAT", "c", 1) == 1
    assert conn.call("PEXPIREAT", "d", 1) == 1
    assert conn.call("EXISTS", "a", "b", "c", "d") == 0
    assert conn.call("DBSIZE") == 0


def test_expire_options_nx_xx(conn):
    conn.call("SET", "k", "v")
    assert conn.call("EXPIRE", "k", 100, "XX") == 0  # no TTL yet
    assert conn.call("TTL", "k") == -1
    assert conn.call("EXPIRE", "k", 100, "NX") == 1
    assert conn.call("EXPIRE", "k", 200, "NX") == 0
    assert 99 <= conn.call("TTL", "k") <= 100
    assert conn.call("EXPIRE", "k", 200, "XX") == 1
    assert 199 <= conn.call("TTL", "k") <= 200
    assert conn.call("PEXPIRE", "k", 300000, "xx") == 1
    assert conn.call("EXPIRE", "nosuch", 100, "NX") == 0


def test_expire_options_gt_lt(conn):
    conn.call("SET", "k", "v")
    # A key without TTL counts as an infinite TTL: GT never applies, LT always does.
    assert conn.call("EXPIRE", "k", 100, "GT") == 0
    assert conn.call("TTL", "k") == -1
    assert conn.call("EXPIRE", "k", 100, "LT") == 1
    assert conn.call("EXPIRE", "k", 50, "GT") == 0
    assert conn.call("EXPIRE", "k", 200, "GT") == 1
    assert 199 <= conn.call("TTL", "k") <= 200
    assert conn.call("EXPIRE", "k", 300, "LT") == 0
    assert conn.call("EXPIRE", "k", 100, "LT") == 1
    assert 99 <= conn.call("TTL", "k") <= 100
    assert conn.call("EXPIRE", "k", 150, "XX", "GT") == 1
    assert conn.call("EXPIRE", "k", 120, "XX", "LT") == 1
    assert 119 <= conn.call("TTL", "k") <= 120
    at = int(time.time()) + 1000
    assert conn.call("EXPIREAT", "k", at, "GT") == 1
    assert conn.call("PEXPIREAT", "k", at * 1000 - 500000, "LT") == 1
    assert conn.call("PEXPIRETIME", "k") == at * 1000 - 500000


@pytest.mark.parametrize("cmd", ["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"])
def test_expire_option_errors(conn, cmd):
    conn.call("SET", "k", "v")
    assert conn.err(cmd, "k", 100, "NX", "XX") == NX_XX_GT_LT
    assert conn.err(cmd, "k", 100, "NX", "GT") == NX_XX_GT_LT
    assert conn.err(cmd, "k", 100, "LT", "NX") == NX_XX_GT_LT
    assert conn.err(cmd, "k", 100, "GT", "LT") == GT_LT
    assert conn.err(cmd, "k", 100, "FOO") == "ERR Unsupported option FOO"
    assert conn.err(cmd, "k", "abc") == INVALID_INT
    assert conn.err(cmd, "k", "1.5") == INVALID_INT
    assert conn.err(cmd, "k") == wrong_args(cmd.lower())
    assert conn.call("TTL", "k") == -1


@pytest.mark.parametrize("cmd,value", [
    ("EXPIRE", "9223372036854775807"), ("EXPIRE", "9223372036854775"),
    ("PEXPIRE", "9223372036854775807"), ("EXPIREAT", "9223372036854775807"),
])
def test_expire_invalid_time(conn, cmd, value):
    conn.call("SET", "k", "v")
    assert conn.err(cmd, "k", value) == f"ERR invalid expire time in '{cmd.lower()}' command"
    assert conn.call("TTL", "k") == -1


def test_persist(conn):
    conn.call("SET", "k", "v", "EX", 100)
    assert conn.call("PERSIST", "k") == 1
    assert conn.call("TTL", "k") == -1
    assert conn.call("PERSIST", "k") == 0
    assert conn.call("PERSIST", "nosuch") == 0
    assert conn.call("GET", "k") == b"v"


# ------------------------------------------------------------------------ RENAME COPY MOVE

def test_rename(conn):
    conn.call("SET", "a", "1", "EX", 100)
    conn.call("SET", "b", "2")
    assert conn.call("RENAME", "a", "c") == "OK"
    assert conn.call("EXISTS", "a") == 0
    assert conn.call("GET", "c") == b"1"
    assert 99 <= conn.call("TTL", "c") <= 100  # TTL travels with the value
    assert conn.call("RENAME", "c", "b") == "OK"  # overwrites, TTL too
    assert conn.call("GET", "b") == b"1"
    assert conn.call("TTL", "b") > 0
    assert conn.call("RENAME", "b", "b") == "OK"
    assert conn.call("GET", "b") == b"1"
    assert conn.err("RENAME", "nosuch", "x") == "ERR no such key"
    assert conn.err("RENAME", "b") == wrong_args("rename")


def test_rename_clears_destination_ttl(conn):
    conn.call("SET", "src", "s")
    conn.call("SET", "dst", "d", "EX", 100)
    assert conn.call("RENAME", "src", "dst") == "OK"
    assert conn.call("TTL", "dst") == -1


def test_renamenx(conn):
    conn.call("MSET", "a", 1, "b", 2)
    assert conn.call("RENAMENX", "a", "b") == 0
    assert conn.call("MGET", "a", "b") == [b"1", b"2"]
    assert conn.call("RENAMENX", "a", "c") == 1
    assert conn.call("MGET", "a", "c") == [None, b"1"]
    assert conn.call("RENAMENX", "c", "c") == 0
    assert conn.err("RENAMENX", "nosuch", "x") == "ERR no such key"


def test_copy(conn):
    conn.call("SET", "a", "1", "EX", 100)
    conn.call("SET", "k", "old")
    assert conn.call("COPY", "a", "b") == 1
    assert conn.call("GET", "b") == b"1"
    assert 99 <= conn.call("TTL", "b") <= 100  # TTL is copied
    assert conn.call("COPY", "a", "k") == 0
    assert conn.call("GET", "k") == b"old"
    assert conn.call("COPY", "a", "k", "REPLACE") == 1
    assert conn.call("GET", "k") == b"1"
    assert conn.call("COPY", "nosuch", "x") == 0
    assert conn.call("EXISTS", "x") == 0
    assert conn.call("GET", "a") == b"1"


def test_copy_between_databases(conn):
    conn.call("SET", "a", "1")
    assert conn.call("COPY", "a", "b", "DB", 1) == 1
    assert conn.call("EXISTS", "b") == 0
    assert conn.call("COPY", "a", "a", "DB", 1) == 1  # same name, other db: fine
    assert conn.call("COPY", "a", "a", "DB", 1) == 0
    assert conn.call("COPY", "a", "a", "DB", 1, "REPLACE") == 1
    assert conn.call("SELECT", 1) == "OK"
    assert conn.call("MGET", "a", "b") == [b"1", b"1"]
    conn.call("SELECT", 0)


def test_copy_errors(conn):
    conn.call("SET", "a", "1")
    assert conn.err("COPY", "a", "a") == SAME_OBJECT
    assert conn.err("COPY", "a", "a", "DB", 0) == SAME_OBJECT
    assert conn.err("COPY", "a", "b", "DB", 16) == DB_RANGE
    assert conn.err("COPY", "a", "b", "DB", -1) == DB_RANGE
    assert conn.err("COPY", "a", "b", "DB", "abc") == INVALID_INT
    assert conn.err("COPY", "a", "b", "FOO") == SYNTAX
    assert conn.err("COPY", "a") == wrong_args("copy")


def test_move(conn):
    conn.call("SET", "a", "1", "EX", 100)
    assert conn.call("MOVE", "a", 1) == 1
    assert conn.call("EXISTS", "a") == 0
    assert conn.call("MOVE", "a", 1) == 0
    assert conn.call("MOVE", "nosuch", 1) == 0
    conn.call("SET", "a", "0")
    assert conn.call("MOVE", "a", 1) == 0  # exists in the target db: not moved
    assert conn.call("GET", "a") == b"0"
    conn.call("SELECT", 1)
    assert conn.call("GET", "a") == b"1"
    assert 98 <= conn.call("TTL", "a") <= 100
    conn.call("SELECT", 0)
    assert conn.err("MOVE", "a", 0) == SAME_OBJECT
    assert conn.err("MOVE", "a", 16) == DB_RANGE
    assert conn.err("MOVE", "a", "abc") == INVALID_INT


# ------------------------------------------------------------------------ SELECT / databases

def test_select(conn):
    conn.call("SET", "k", "db0")
    assert conn.call("SELECT", 5) == "OK"
    assert conn.call("GET", "k") is None
    conn.call("SET", "k", "db5")
    assert conn.call("SELECT", 15) == "OK"
    assert conn.call("SELECT", 0) == "OK"
    assert conn.call("GET", "k") == b"db0"
    assert conn.err("SELECT", 16) == DB_RANGE
    assert conn.err("SELECT", -1) == DB_RANGE
    assert conn.err("SELECT", "abc") == INVALID_INT
    assert conn.err("SELECT") == wrong_args("select")


def test_databases_option(server_factory):
    srv = server_factory(databases=4)
    with srv.conn() as c:
        assert c.call("CONFIG", "GET", "databases") == [b"databases", b"4"]
        assert c.call("SELECT", 3) == "OK"
        assert c.err("SELECT", 4) == DB_RANGE
        assert c.err("MOVE", "k", 4) == DB_RANGE
        assert c.err("SWAPDB", 0, 4) == DB_RANGE


# -------------------------------------------------------------------------------------- KEYS

def test_keys_patterns(conn):
    names = [b"a", b"b", b"c", b"ab", b"abc", b"hello", b"hallo", b"hxllo", b"hllo",
             b"heeello", b"a*b", b"a?b", b"x[y", b""]
    conn.call("MSET", *[x for n in names for x in (n, b"v")])
    keys = lambda pat: sorted(conn.call("KEYS", pat))  # noqa: E731
    assert keys("*") == sorted(names)
    assert keys("a*") == [b"a", b"a*b", b"a?b", b"ab", b"abc"]
    assert keys("a?") == [b"ab"]
    assert keys("h?llo") == [b"hallo", b"hello", b"hxllo"]
    assert keys("h*llo") == [b"hallo", b"heeello", b"hello", b"hllo", b"hxllo"]
    assert keys("h[ae]llo") == [b"hallo", b"hello"]
    assert keys("h[^e]llo") == [b"hallo", b"hxllo"]
    assert keys("h[a-b]llo") == [b"hallo"]
    assert keys("[ab]") == [b"a", b"b"]
    assert keys(r"a\*b") == [b"a*b"]
    assert keys(r"a\?b") == [b"a?b"]
    assert keys(r"x\[y") == [b"x[y"]
    assert keys("nosuch*") == []
    assert keys("abc") == [b"abc"]
    assert keys("") == [b""]
    assert conn.err("KEYS") == wrong_args("keys")


def test_keys_skips_expired(conn):
    conn.call("SET", "live", 1)
    conn.call("SET", "dead", 1, "PX", 1)
    time.sleep(0.02)
    assert conn.call("KEYS", "*") == [b"live"]


# -------------------------------------------------------------------------------------- SCAN

def scan_all(conn, *args):
    cursor = b"0"
    seen = []
    rounds = 0
    while True:
        cursor, keys = conn.call("SCAN", cursor, *args)
        assert isinstance(cursor, bytes)
        seen.extend(keys)
        rounds += 1
        if cursor == b"0":
            return seen, rounds
        assert rounds < 100000


def test_scan_returns_every_key(conn):
    n = 1000
    conn.pipeline([("SET", f"key:{i}", i) for i in range(n)])
    seen, rounds = scan_all(conn, "COUNT", 10)
    assert set(seen) == {f"key:{i}".encode() for i in range(n)}
    assert rounds > 1
    seen, _ = scan_all(conn)
    assert set(seen) == {f"key:{i}".encode() for i in range(n)}


def test_scan_match_count_type(conn):
    conn.pipeline([("SET", f"user:{i}", i) for i in range(100)] +
                  [("SET", f"item:{i}", i) for i in range(100)])
    seen, _ = scan_all(conn, "MATCH", "user:*", "COUNT", 20)
    assert set(seen) == {f"user:{i}".encode() for i in range(100)}
    seen, _ = scan_all(conn, "MATCH", "item:1?", "COUNT", 1000)
    assert sorted(seen) == sorted(f"item:{i}".encode() for i in range(10, 20))
    seen, _ = scan_all(conn, "TYPE", "string", "COUNT", 1000)
    assert len(set(seen)) == 200
    seen, _ = scan_all(conn, "TYPE", "list")
    assert seen == []
    seen, _ = scan_all(conn, "TYPE", "nosuchtype")
    assert seen == []


def test_scan_empty_db(conn):
    assert conn.call("SCAN", 0) == [b"0", []]


def test_scan_errors(conn):
    assert conn.err("SCAN", "abc") == "ERR invalid cursor"
    assert conn.err("SCAN", "18446744073709551616") == "ERR invalid cursor"
    assert conn.err("SCAN", "1.5") == "ERR invalid cursor"
    assert conn.err("SCAN", 0, "COUNT", 0) == SYNTAX
    assert conn.err("SCAN", 0, "COUNT", -1) == SYNTAX
    assert conn.err("SCAN", 0, "COUNT", "abc") == INVALID_INT
    assert conn.err("SCAN", 0, "MATCH") == SYNTAX
    assert conn.err("SCAN", 0, "FOO", "bar") == SYNTAX
    assert conn.err("SCAN") == wrong_args("scan")


# --------------------------------------------------------- RANDOMKEY DBSIZE FLUSH* SWAPDB TOUCH

def test_randomkey(conn):
    assert conn.call("RANDOMKEY") is None
    conn.call("SET", "only", 1)
    assert conn.call("RANDOMKEY") == b"only"
    conn.call("MSET", "a", 1, "b", 2)
    for _ in range(20):
        assert conn.call("RANDOMKEY") in (b"only", b"a", b"b")


def test_dbsize(conn):
    assert conn.call("DBSIZE") == 0
    conn.call("MSET", "a", 1, "b", 2)
    assert conn.call("DBSIZE") == 2
    conn.call("SELECT", 1)
    assert conn.call("DBSIZE") == 0
    conn.call("SELECT", 0)
    assert conn.err("DBSIZE", "x") == wrong_args("dbsize")


def test_flushdb_only_current_db(conn):
    conn.call("SET", "a", 1)
    conn.call("SELECT", 1)
    conn.call("SET", "b", 1)
    assert conn.call("FLUSHDB") == "OK"
    assert conn.call("DBSIZE") == 0
    conn.call("SELECT", 0)
    assert conn.call("DBSIZE") == 1
    assert conn.call("FLUSHDB", "ASYNC") == "OK"
    assert conn.call("DBSIZE") == 0
    conn.call("SET", "a", 1)
    assert conn.call("FLUSHDB", "sync") == "OK"
    assert conn.call("DBSIZE") == 0
    assert conn.err("FLUSHDB", "foo") == SYNTAX


def test_flushall(conn):
    for db in range(3):
        conn.call("SELECT", db)
        conn.call("SET", "k", db)
    assert conn.call("FLUSHALL") == "OK"
    for db in range(3):
        conn.call("SELECT", db)
        assert conn.call("DBSIZE") == 0
    conn.call("SET", "k", 1)
    assert conn.call("FLUSHALL", "ASYNC") == "OK"
    assert conn.call("DBSIZE") == 0
    conn.call("SET", "k", 1)
    assert conn.call("FLUSHALL", "SYNC") == "OK"
    assert conn.call("DBSIZE") == 0
    assert conn.err("FLUSHALL", "foo") == SYNTAX


def test_swapdb(conn):
    conn.call("SET", "k", "zero")
    conn.call("SELECT", 1)
    conn.call("MSET", "k", "one", "j", "one")
    assert conn.call("SWAPDB", 0, 1) == "OK"
    assert conn.call("MGET", "k", "j") == [b"zero", None]  # this connection stays on db 1
    conn.call("SELECT", 0)
    assert conn.call("MGET", "k", "j") == [b"one", b"one"]
    assert conn.call("SWAPDB", 0, 0) == "OK"
    assert conn.err("SWAPDB", 0, 16) == DB_RANGE
    assert conn.err("SWAPDB", "a", 1) == "ERR invalid first DB index"
    assert conn.err("SWAPDB", 0, "b") == "ERR invalid second DB index"
    assert conn.err("SWAPDB", 0) == wrong_args("swapdb")


def test_touch(conn):
    conn.call("MSET", "a", 1, "b", 2)
    assert conn.call("TOUCH", "a", "a", "b", "nosuch") == 3
    assert conn.call("TOUCH", "nosuch") == 0
    assert conn.err("TOUCH") == wrong_args("touch")


# -------------------------------------------------------------------------------------- OBJECT

@pytest.mark.parametrize("value,encoding", [
    (b"12345", b"int"), (b"-1", b"int"), (b"0", b"int"), (b"9223372036854775807", b"int"),
    (b"-9223372036854775808", b"int"), (b"9223372036854775808", b"embstr"),
    (b"01", b"embstr"), (b" 1", b"embstr"), (b"1.5", b"embstr"), (b"abc", b"embstr"),
    (b"", b"embstr"), (b"x" * 44, b"embstr"), (b"x" * 45, b"raw"), (b"x" * 1000, b"raw"),
])
def test_object_encoding_by_value(conn, value, encoding):
    conn.call("SET", "k", value)
    assert conn.call("OBJECT", "ENCODING", "k") == encoding


def test_object_encoding_after_modification(conn):
    conn.call("SET", "s", "abc")
    conn.call("APPEND", "s", "d")
    assert conn.call("OBJECT", "ENCODING", "s") == b"raw"
    conn.call("SET", "n", 1)
    conn.call("APPEND", "n", 2)
    assert conn.call("OBJECT", "ENCODING", "n") == b"raw"
    conn.call("APPEND", "fresh", 12)  # APPEND to a missing key stores the argument as is
    assert conn.call("OBJECT", "ENCODING", "fresh") == b"int"
    conn.call("INCR", "c")
    assert conn.call("OBJECT", "ENCODING", "c") == b"int"
    conn.call("SET", "r", "abc")
    conn.call("SETRANGE", "r", 0, "x")
    assert conn.call("OBJECT", "ENCODING", "r") == b"raw"
    conn.call("INCRBYFLOAT", "f", "1.5")
    assert conn.call("OBJECT", "ENCODING", "f") == b"embstr"
    conn.call("SETEX", "e", 100, 10)
    assert conn.call("OBJECT", "ENCODING", "e") == b"int"


def test_object_missing_key(conn):
    for sub in ("ENCODING", "IDLETIME", "REFCOUNT", "FREQ"):
        assert conn.call("OBJECT", sub, "nosuch") is None


def test_object_freq_requires_lfu(conn):
    conn.call("SET", "k", "v")
    assert conn.err("OBJECT", "FREQ", "k") == (
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
        "Please note that when switching between policies at runtime LRU and LFU data "
        "will take some time to adjust.")


def test_object_idletime_and_refcount(conn):
    conn.call("SET", "k", "some value")
    assert conn.call("OBJECT", "IDLETIME", "k") in (0, 1)
    assert conn.call("OBJECT", "REFCOUNT", "k") == 1
    conn.call("SET", "n", 10000)
    assert conn.call("OBJECT", "REFCOUNT", "n") == 1


def test_object_refcount_shared_integers(conn):
    # Integers 0..9999 are shared objects in Redis and report INT_MAX as their refcount.
    conn.call("SET", "n", 100)
    assert conn.call("OBJECT", "REFCOUNT", "n") == 2147483647


def test_object_help_and_errors(conn):
    helptext = conn.call("OBJECT", "HELP")
    assert isinstance(helptext, list) and helptext
    assert all(isinstance(line, (str, bytes)) for line in helptext)
    assert conn.err("OBJECT", "FOO") == "ERR unknown subcommand 'FOO'. Try OBJECT HELP."
    assert conn.err("OBJECT", "ENCODING") == wrong_args("object|encoding")
    assert conn.err("OBJECT") == wrong_args("object")


# -------------------------------------------------------------------------------------- expiry

def test_lazy_expiry(conn):
    conn.call("SET", "k", "v", "PX", 50)
    assert conn.call("GET", "k") == b"v"
    time.sleep(0.1)
    assert conn.call("GET", "k") is None
    assert conn.call("EXISTS", "k") == 0
    assert conn.call("TTL", "k") == -2
    conn.call("SET", "j", "v", "PX", 50)
    time.sleep(0.1)
    assert conn.call("SET", "j", "w", "NX") == "OK"  # an expired key counts as missing
    assert conn.call("INCR", "gone") == 1


def test_active_expiry(conn):
    conn.pipeline([("SET", f"e:{i}", i, "PX", 100) for i in range(200)])
    conn.call("SET", "keeper", 1)
    assert conn.call("DBSIZE") == 201
    time.sleep(1.0)
    # no key is touched: only DBSIZE / INFO, which do not expire keys themselves
    assert poll(lambda: conn.call("DBSIZE") == 1, timeout=3.0), conn.call("DBSIZE")
    info = conn.call("INFO", "keyspace").decode()
    assert "db0:keys=1,expires=0," in info


# --------------------------------------------------------------------------------- persistence

@pytest.mark.persistence
def test_data_and_ttls_survive_restart(server_factory):
    srv = server_factory()
    with srv.conn() as c:
        c.call("MSET", "a", "1", "b", "two", "bin\x00key", b"\x00\r\n")
        c.call("SET", "t", "v", "EX", 1000)
        c.call("SET", "big", "x" * 100000)
        c.call("SELECT", 3)
        c.call("SET", "in3", "three", "PX", 2000000)
        at = int(time.time()) + 5000
        c.call("SET", "at", "v", "EXAT", at)
        c.call("INCR", "n")
    srv.restart()
    with srv.conn() as c:
        assert c.call("MGET", "a", "b", "bin\x00key", "t") == [b"1", b"two", b"\x00\r\n", b"v"]
        assert 990 <= c.call("TTL", "t") <= 1000
        assert c.call("TTL", "a") == -1
        assert c.call("STRLEN", "big") == 100000
        assert c.call("DBSIZE") == 5
        c.call("SELECT", 3)
        assert c.call("GET", "in3") == b"three"
        assert 1990 <= c.call("TTL", "in3") <= 2000
        assert c.call("EXPIRETIME", "at") == at
        assert c.call("GET", "n") == b"1"
        assert c.call("DBSIZE") == 3


@pytest.mark.persistence
def test_ttl_counts_down_across_restart(server_factory):
    srv = server_factory()
    with srv.conn() as c:
        c.call("SET", "short", "v", "PX", 1500)
        c.call("SET", "long", "v", "EX", 100)
        start = time.monotonic()
    srv.restart()
    with srv.conn() as c:
        assert c.call("PTTL", "long") <= 100000 - int((time.monotonic() - start) * 1000) + 50
        left = c.call("PTTL", "short")
        assert left == -2 or 0 < left <= 1500
        time.sleep(max(0.0, 1.6 - (time.monotonic() - start)))
        assert c.call("GET", "short") is None
        assert c.call("GET", "long") == b"v"
        assert poll(lambda: c.call("DBSIZE") == 1)


@pytest.mark.persistence
def test_acknowledged_writes_survive_kill9(server_factory):
    srv = server_factory()
    acked = []
    stop = threading.Event()
    errors = []

    def writer():
        try:
            c = RespConn(srv.port, timeout=10)
        except OSError as e:
            errors.append(e)
            return
        i = 0
        try:
            while not stop.is_set():
                # a few pipelined SETs at a time, recorded only once their replies arrived
                batch = list(range(i, i + 10))
                replies = c.pipeline([("SET", f"k_{j}", f"v_{j}") for j in batch])
                for j, rep in zip(batch, replies):
                    assert rep == "OK", rep
                    acked.append(j)
                i += 10
        except (ConnectionClosed, OSError):
            pass  # the server was killed under us
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            c.close()

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    assert poll(lambda: len(acked) >= 2000, timeout=10.0), f"writer too slow: {len(acked)}"
    srv.kill9()
    stop.set()
    t.join(10)
    assert not t.is_alive()
    assert not errors, errors
    recorded = list(acked)
    srv.start()
    with srv.conn() as c:
        for start in range(0, len(recorded), 1000):
            chunk = recorded[start:start + 1000]
            values = c.call("MGET", *[f"k_{j}" for j in chunk])
            missing = [j for j, v in zip(chunk, values) if v != f"v_{j}".encode()]
            assert not missing, f"{len(missing)} acknowledged keys lost, e.g. {missing[:5]}"
        assert c.call("DBSIZE") >= len(recorded)


def test_del_same_key_twice_counts_once(conn):
    assert conn.call("DEL", "x", "x") == 0
    conn.call("SET", "x", 1)
    assert conn.call("DEL", "x", "x") == 1
    assert conn.call("DBSIZE") == 0


@pytest.mark.basalt_only
def test_workers_zero_means_one_per_core(server_factory):
    # Regression: --workers 0 started no worker and the first connection crashed the server.
    srv = server_factory(workers=0)
    with srv.conn() as c:
        assert c.call("PING") == "PONG"
        assert c.call("SET", "k", "v") == "OK"


@pytest.mark.basalt_only
@pytest.mark.persistence
def test_swapdb_survives_restart_with_other_databases_setting(server_factory):
    # Regression: restarting with another `databases` value used to make two logical databases
    # share one physical database after SWAPDB.
    srv = server_factory(databases=16)
    with srv.conn() as c:
        assert c.call("SWAPDB", 0, 15) == "OK"
        c.call("SET", "a", "in-db0")
        c.call("SELECT", 15)
        c.call("SET", "b", "in-db15")
    srv.stop()
    srv.extra = [("databases", 4)]
    srv.start()
    with srv.conn() as c:
        assert c.call("GET", "a") == b"in-db0"
        assert c.call("PEXPIRE", "a", 50) == 1
        time.sleep(1.0)
        assert c.call("DBSIZE") == 0  # the reaper visits the swapped physical database
        assert c.call("SWAPDB", 1, 2) == "OK"
    srv.stop()
    srv.extra = [("databases", 16)]
    srv.start()
    with srv.conn() as c:
        assert c.call("KEYS", "*") == []
        c.call("SELECT", 15)
        assert c.call("KEYS", "*") == [b"b"]
