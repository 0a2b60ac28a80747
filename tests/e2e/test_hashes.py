"""Hash commands, end to end. Every expected reply was checked against redis-server 7.0.15.

`conn` is a RespConn: simple strings come back as str ("OK"), bulk strings as bytes (b"v"),
nil as None, errors through conn.err(...) as the full text ("ERR ...")."""

import time

import pytest

INVALID_INT = "ERR value is not an integer or out of range"
INVALID_FLOAT = "ERR value is not a valid float"
OVERFLOW = "ERR increment or decrement would overflow"
SYNTAX = "ERR syntax error"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
LONG_RANGE = ("ERR value is out of range, value must between -9223372036854775807 and "
              "9223372036854775807")


def wrong_args(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def as_dict(flat):
    """[f1, v1, f2, v2, ...] -> {f1: v1, ...}"""
    return dict(zip(flat[0::2], flat[1::2]))


def fill(conn, key, n, value=b"v"):
    args = []
    for i in range(n):
        args += [b"f%d" % i, value]
    assert conn.call("HSET", key, *args) == n


# --------------------------------------------------------------------------- HSET / HGET family

def test_hset_hget_basic(conn):
    assert conn.call("HGET", "h", "a") is None
    assert conn.call("HSET", "h", "a", "1") == 1
    assert conn.call("HSET", "h", "a", "2", "b", "3") == 1  # only b is new
    assert conn.call("HGET", "h", "a") == b"2"
    assert conn.call("HGET", "h", "b") == b"3"
    assert conn.call("HGET", "h", "zz") is None
    assert conn.call("TYPE", "h") == "hash"
    # A field named twice: counted once, last value wins.
    assert conn.call("HSET", "h2", "x", "1", "x", "2") == 1
    assert conn.call("HGET", "h2", "x") == b"2"
    # Binary-safe and empty fields and values.
    assert conn.call("HSET", "h", b"\x00\xff", b"\r\n", "", "") == 2
    assert conn.call("HGET", "h", b"\x00\xff") == b"\r\n"
    assert conn.call("HGET", "h", "") == b""


def test_hset_hmset_arity(conn):
    assert conn.err("HSET", "h") == wrong_args("hset")
    assert conn.err("HSET", "h", "a") == wrong_args("hset")
    assert conn.err("HSET", "h", "a", "b", "c") == wrong_args("hset")
    assert conn.err("HMSET", "h", "a", "b", "c") == wrong_args("hmset")
    assert conn.err("HGET", "h") == wrong_args("hget")
    assert conn.err("HSETNX", "h", "a") == wrong_args("hsetnx")
    assert conn.err("HDEL", "h") == wrong_args("hdel")
    assert conn.err("HMGET", "h") == wrong_args("hmget")
    assert conn.err("HLEN") == wrong_args("hlen")
    assert conn.err("HGETALL", "h", "x") == wrong_args("hgetall")
    assert conn.err("HSCAN", "h") == wrong_args("hscan")
    assert conn.err("HRANDFIELD") == wrong_args("hrandfield")
    assert conn.call("EXISTS", "h") == 0


def test_hmset(conn):
    assert conn.call("HMSET", "h", "a", "1", "b", "2") == "OK"
    assert conn.call("HMSET", "h", "a", "x") == "OK"
    assert conn.call("HMGET", "h", "a", "b", "c") == [b"x", b"2", None]


def test_hsetnx(conn):
    assert conn.call("HSETNX", "h", "a", "1") == 1
    assert conn.call("HSETNX", "h", "a", "2") == 0
    assert conn.call("HGET", "h", "a") == b"1"
    assert conn.call("HSETNX", "h", "b", "2") == 1
    assert conn.call("HLEN", "h") == 2


def test_hmget(conn):
    assert conn.call("HMGET", "missing", "a", "b") == [None, None]
    conn.call("HSET", "h", "a", "1", "b", "2")
    assert conn.call("HMGET", "h", "b", "zz", "a", "b") == [b"2", None, b"1", b"2"]


def test_hdel(conn):
    conn.call("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert conn.call("HDEL", "h", "a", "a", "zz") == 1
    assert conn.call("HDEL", "h", "zz") == 0
    assert conn.call("HDEL", "missing", "a") == 0
    assert conn.call("HLEN", "h") == 2
    # Removing the last field removes the key.
    assert conn.call("DBSIZE") == 1
    assert conn.call("HDEL", "h", "b", "c") == 2
    assert conn.call("EXISTS", "h") == 0
    assert conn.call("DBSIZE") == 0
    assert conn.call("TYPE", "h") == "none"
    assert conn.call("HSET", "h", "z", "1") == 1
    assert conn.call("HGETALL", "h") == [b"z", b"1"]


def test_hlen_hstrlen_hexists(conn):
    assert conn.call("HLEN", "h") == 0
    assert conn.call("HSTRLEN", "h", "a") == 0
    assert conn.call("HEXISTS", "h", "a") == 0
    conn.call("HSET", "h", "a", "hello", "e", "")
    conn.call("HINCRBY", "h", "n", -123)
    assert conn.call("HLEN", "h") == 3
    assert conn.call("HSTRLEN", "h", "a") == 5
    assert conn.call("HSTRLEN", "h", "e") == 0
    assert conn.call("HSTRLEN", "h", "n") == 4
    assert conn.call("HSTRLEN", "h", "zz") == 0
    assert conn.call("HEXISTS", "h", "a") == 1
    assert conn.call("HEXISTS", "h", "e") == 1
    assert conn.call("HEXISTS", "h", "zz") == 0


def test_hkeys_hvals_hgetall(conn):
    assert conn.call("HKEYS", "h") == []
    assert conn.call("HVALS", "h") == []
    assert conn.call("HGETALL", "h") == []
    conn.call("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert sorted(conn.call("HKEYS", "h")) == [b"a", b"b", b"c"]
    assert sorted(conn.call("HVALS", "h")) == [b"1", b"2", b"3"]
    flat = conn.call("HGETALL", "h")
    assert len(flat) == 6
    assert as_dict(flat) == {b"a": b"1", b"b": b"2", b"c": b"3"}
    # Keys and values come out in the same order.
    keys, vals = conn.call("HKEYS", "h"), conn.call("HVALS", "h")
    assert dict(zip(keys, vals)) == as_dict(flat)


def test_hgetall_resp3_is_a_map(conn):
    conn.call("HELLO", 3)
    assert conn.call("HGETALL", "missing") == {}
    conn.call("HSET", "h", "a", "1", "b", "2")
    assert conn.call("HGETALL", "h") == {b"a": b"1", b"b": b"2"}
    assert sorted(conn.call("HKEYS", "h")) == [b"a", b"b"]


def test_redis_py_mapping(r):
    assert r.hset("h", mapping={"a": 1, "b": "x"}) == 2
    assert r.hgetall("h") == {b"a": b"1", b"b": b"x"}
    assert r.hincrby("h", "a", 41) == 42
    assert r.hincrbyfloat("h", "f", 0.5) == 0.5
    assert r.hlen("h") == 3


# ---------------------------------------------------------------------------------- counters

def test_hincrby(conn):
    assert conn.call("HINCRBY", "h", "n", 5) == 5
    assert conn.call("HINCRBY", "h", "n", -7) == -2
    assert conn.call("HGET", "h", "n") == b"-2"
    conn.call("HSET", "h", "big", "9223372036854775807", "small", "-9223372036854775808",
              "text", "abc", "space", " 1", "float", "1.5")
    assert conn.err("HINCRBY", "h", "big", 1) == OVERFLOW
    assert conn.err("HINCRBY", "h", "small", -1) == OVERFLOW
    assert conn.call("HINCRBY", "h", "big", -1) == 9223372036854775806
    for field in ("text", "space", "float"):
        assert conn.err("HINCRBY", "h", field, 1) == "ERR hash value is not an integer"
    assert conn.err("HINCRBY", "h", "n", "x") == INVALID_INT
    assert conn.err("HINCRBY", "h", "n", "1.5") == INVALID_INT
    assert conn.err("HINCRBY", "h", "n", "9223372036854775808") == INVALID_INT
    assert conn.call("HGET", "h", "n") == b"-2"


def test_hincrbyfloat(conn):
    assert conn.call("HINCRBYFLOAT", "h", "f", "10.5") == b"10.5"
    assert conn.call("HINCRBYFLOAT", "h", "f", "0.1") == b"10.6"
    assert conn.call("HINCRBYFLOAT", "h", "f", "-10.6") == b"0"
    assert conn.call("HINCRBYFLOAT", "h", "f", "5.0e3") == b"5000"
    conn.call("HSET", "h", "i", "3", "t", "abc", "huge", "1e4932")
    assert conn.call("HINCRBYFLOAT", "h", "i", "1.25") == b"4.25"
    assert conn.call("HGET", "h", "i") == b"4.25"
    assert conn.err("HINCRBYFLOAT", "h", "t", 1) == "ERR hash value is not a float"
    assert conn.err("HINCRBYFLOAT", "h", "f", "abc") == INVALID_FLOAT
    assert conn.err("HINCRBYFLOAT", "h", "f", "inf") == "ERR value is NaN or Infinity"
    assert conn.err("HINCRBYFLOAT", "h", "f", "-inf") == "ERR value is NaN or Infinity"
    assert conn.err("HINCRBYFLOAT", "h", "f", "nan") == INVALID_FLOAT
    assert conn.err("HINCRBYFLOAT", "h", "huge", "1e4932") == (
        "ERR increment would produce NaN or Infinity")
    assert conn.call("HGET", "h", "f") == b"5000"


def test_counter_argument_checked_before_the_key(conn):
    conn.call("SET", "s", "v")
    assert conn.err("HINCRBY", "s", "f", "x") == INVALID_INT
    assert conn.err("HINCRBYFLOAT", "s", "f", "x") == INVALID_FLOAT
    assert conn.err("HINCRBYFLOAT", "s", "f", "inf") == "ERR value is NaN or Infinity"
    assert conn.err("HINCRBY", "s", "f", 1) == WRONGTYPE
    assert conn.err("HINCRBYFLOAT", "s", "f", 1) == WRONGTYPE


# ---------------------------------------------------------------------------------- WRONGTYPE

HASH_COMMANDS_ON_A_STRING = [
    ("HSET", "s", "a", "1"), ("HMSET", "s", "a", "1"), ("HSETNX", "s", "a", "1"),
    ("HGET", "s", "a"), ("HMGET", "s", "a"), ("HDEL", "s", "a"), ("HLEN", "s"),
    ("HSTRLEN", "s", "a"), ("HEXISTS", "s", "a"), ("HKEYS", "s"), ("HVALS", "s"),
    ("HGETALL", "s"), ("HRANDFIELD", "s"), ("HRANDFIELD", "s", 0), ("HRANDFIELD", "s", -3),
    ("HRANDFIELD", "s", 2, "WITHVALUES"), ("HSCAN", "s", 0), ("HSCAN", "s", 0, "foo"),
]


def test_hash_commands_on_a_string(conn):
    conn.call("SET", "s", "v")
    for cmd in HASH_COMMANDS_ON_A_STRING:
        assert conn.err(*cmd) == WRONGTYPE, cmd
    assert conn.call("GET", "s") == b"v"


def test_string_commands_on_a_hash(conn):
    conn.call("HSET", "h", "a", "1")
    for cmd in [("GET", "h"), ("APPEND", "h", "x"), ("INCR", "h"), ("STRLEN", "h"),
                ("GETRANGE", "h", 0, 1), ("SETRANGE", "h", 0, "x"), ("GETSET", "h", "x"),
                ("INCRBYFLOAT", "h", 1), ("GETDEL", "h")]:
        assert conn.err(*cmd) == WRONGTYPE, cmd
    assert conn.call("MGET", "h") == [None]
    assert conn.call("HGET", "h", "a") == b"1"
    # SET overwrites whatever is there; the old fields are gone.
    assert conn.call("SET", "h", "str") == "OK"
    assert conn.err("HGET", "h", "a") == WRONGTYPE
    assert conn.call("DEL", "h") == 1
    assert conn.call("HSET", "h", "b", "2") == 1
    assert conn.call("HGETALL", "h") == [b"b", b"2"]


# ------------------------------------------------------------------------------------ expiry

def test_writes_keep_the_ttl_and_expiry_removes_the_hash(conn):
    conn.call("HSET", "h", "a", "1")
    assert conn.call("EXPIRE", "h", 100) == 1
    conn.call("HSET", "h", "b", "2")
    conn.call("HINCRBY", "h", "n", 1)
    conn.call("HDEL", "h", "a")
    assert 99 <= conn.call("TTL", "h") <= 100
    assert conn.call("PEXPIRE", "h", 50) == 1
    time.sleep(0.15)
    assert conn.call("HGETALL", "h") == []
    assert conn.call("HLEN", "h") == 0
    assert conn.call("EXISTS", "h") == 0
    assert conn.call("HSET", "h", "c", "3") == 1
    assert conn.call("HGETALL", "h") == [b"c", b"3"]
    assert conn.call("TTL", "h") == -1


# -------------------------------------------------------------------------------- HRANDFIELD

def test_hrandfield_single(conn):
    assert conn.call("HRANDFIELD", "missing") is None
    conn.call("HSET", "h", "a", "1", "b", "2", "c", "3")
    for _ in range(20):
        assert conn.call("HRANDFIELD", "h") in (b"a", b"b", b"c")


def test_hrandfield_counts(conn):
    fields = {b"f%d" % i: b"v%d" % i for i in range(10)}
    conn.call("HSET", "h", *[x for kv in fields.items() for x in kv])
    assert conn.call("HRANDFIELD", "missing", 5) == []
    assert conn.call("HRANDFIELD", "missing", -5, "WITHVALUES") == []
    assert conn.call("HRANDFIELD", "h", 0) == []
    assert conn.call("HRANDFIELD", "h", 0, "withvalues") == []
    for count in (1, 3, 9, 10, 11, 100):
        got = conn.call("HRANDFIELD", "h", count)
        assert len(got) == min(count, 10)
        assert len(set(got)) == len(got)
        assert set(got) <= set(fields)
    assert set(conn.call("HRANDFIELD", "h", 10)) == set(fields)
    got = conn.call("HRANDFIELD", "h", -50)
    assert len(got) == 50
    assert set(got) <= set(fields)
    assert len(set(got)) < 50
    got = conn.call("HRANDFIELD", "h", -1)
    assert len(got) == 1 and got[0] in fields


def test_hrandfield_withvalues(conn):
    fields = {b"f%d" % i: b"v%d" % i for i in range(10)}
    conn.call("HSET", "h", *[x for kv in fields.items() for x in kv])
    for count in (3, 10, 20, -30):
        flat = conn.call("HRANDFIELD", "h", count, "WITHVALUES")
        n = 10 if count == 20 else abs(count)
        assert len(flat) == 2 * n
        for f, v in zip(flat[0::2], flat[1::2]):
            assert fields[f] == v
        if count > 0:
            assert len(set(flat[0::2])) == n


def test_hrandfield_withvalues_resp3_pairs(conn):
    conn.call("HSET", "h", "a", "1", "b", "2")
    conn.call("HELLO", 3)
    got = conn.call("HRANDFIELD", "h", -4, "WITHVALUES")
    assert len(got) == 4
    for pair in got:
        assert pair in ([b"a", b"1"], [b"b", b"2"])
    got = conn.call("HRANDFIELD", "h", 5, "WITHVALUES")
    assert sorted(got) == [[b"a", b"1"], [b"b", b"2"]]
    assert sorted(conn.call("HRANDFIELD", "h", 5)) == [b"a", b"b"]


def test_hrandfield_errors(conn):
    conn.call("HSET", "h", "a", "1")
    conn.call("SET", "s", "v")
    assert conn.err("HRANDFIELD", "h", "x") == INVALID_INT
    assert conn.err("HRANDFIELD", "h", "1.5") == INVALID_INT
    assert conn.err("HRANDFIELD", "h", 1, "foo") == SYNTAX
    assert conn.err("HRANDFIELD", "h", 1, "WITHVALUES", "x") == SYNTAX
    assert conn.err("HRANDFIELD", "h", "-9223372036854775808") == LONG_RANGE
    assert conn.err("HRANDFIELD", "h", "-4611686018427387905", "WITHVALUES") == (
        "ERR value is out of range")
    assert conn.err("HRANDFIELD", "h", "4611686018427387904", "WITHVALUES") == (
        "ERR value is out of range")
    # The count and option are validated before the key is looked up.
    assert conn.err("HRANDFIELD", "s", "x") == INVALID_INT
    assert conn.err("HRANDFIELD", "s", 1, "foo") == SYNTAX
    assert conn.err("HRANDFIELD", "missing", "-4611686018427387905", "WITHVALUES") == (
        "ERR value is out of range")
    assert conn.call("HRANDFIELD", "missing", "-9223372036854775807") == []
    assert conn.call("HRANDFIELD", "h", "9223372036854775807") == [b"a"]


@pytest.mark.basalt_only
def test_hrandfield_refuses_huge_negative_counts(conn):
    conn.call("HSET", "h", "a", "1")
    assert conn.err("HRANDFIELD", "h", "-9223372036854775807") == "ERR value is out of range"


# ------------------------------------------------------------------------------------- HSCAN

def hscan_all(conn, key, *opts):
    cursor, seen, calls = b"0", {}, 0
    while True:
        cursor, flat = conn.call("HSCAN", key, cursor, *opts)
        assert len(flat) % 2 == 0
        seen.update(as_dict(flat))
        calls += 1
        if cursor == b"0":
            return seen, calls
        assert calls < 10000


def test_hscan_small_hash_in_one_call(conn, listpack_limits):
    conn.call("HSET", "h", "a", "1", "b", "2", "c", "3")
    cursor, flat = conn.call("HSCAN", "h", 0, "COUNT", 1)
    assert cursor == b"0"
    assert as_dict(flat) == {b"a": b"1", b"b": b"2", b"c": b"3"}
    cursor, flat = conn.call("HSCAN", "h", 0, "MATCH", "[ab]")
    assert cursor == b"0"
    assert as_dict(flat) == {b"a": b"1", b"b": b"2"}
    assert conn.call("HSCAN", "missing", 0) == [b"0", []]


def test_hscan_full_iteration(conn):
    fill(conn, "h", 1000)  # above hash-max-listpack-entries (512 built in, 128 in redis.conf)
    seen, calls = hscan_all(conn, "h", "COUNT", 20)
    assert seen == {b"f%d" % i: b"v" for i in range(1000)}
    assert calls > 1
    seen, _ = hscan_all(conn, "h", "MATCH", "f1*", "COUNT", 50)
    assert set(seen) == {b"f%d" % i for i in range(1000) if str(i).startswith("1")}
    seen, _ = hscan_all(conn, "h", "match", "*")
    assert len(seen) == 1000


def test_hscan_resp3_still_flat(conn):
    conn.call("HELLO", 3)
    conn.call("HSET", "h", "a", "1")
    assert conn.call("HSCAN", "h", 0) == [b"0", [b"a", b"1"]]


def test_hscan_errors(conn):
    conn.call("HSET", "h", "a", "1")
    conn.call("SET", "s", "v")
    assert conn.err("HSCAN", "h", "abc") == "ERR invalid cursor"
    assert conn.err("HSCAN", "s", "abc") == "ERR invalid cursor"  # cursor before the key
    assert conn.err("HSCAN", "h", 0, "foo") == SYNTAX
    assert conn.err("HSCAN", "h", 0, "COUNT") == SYNTAX
    assert conn.err("HSCAN", "h", 0, "MATCH") == SYNTAX
    assert conn.err("HSCAN", "h", 0, "COUNT", 0) == SYNTAX
    assert conn.err("HSCAN", "h", 0, "COUNT", "x") == INVALID_INT
    assert conn.err("HSCAN", "h", 0, "TYPE", "hash") == SYNTAX
    # Options are parsed after the key lookup: a missing key ignores them, a string fails first.
    assert conn.call("HSCAN", "missing", 0, "foo") == [b"0", []]
    assert conn.err("HSCAN", "s", 0, "COUNT", 0) == WRONGTYPE


# ---------------------------------------------------------------------------- OBJECT ENCODING

@pytest.fixture
def listpack_limits(conn):
    """hash-max-listpack-entries 128 / -value 64, as the redis.conf Redis ships sets them (the
    built-in entries default is 512); restored afterwards."""
    old = {name: conn.call("CONFIG", "GET", name)[1]
           for name in ("hash-max-listpack-entries", "hash-max-listpack-value")}
    assert conn.call("CONFIG", "SET", "hash-max-listpack-entries", 128) == "OK"
    assert conn.call("CONFIG", "SET", "hash-max-listpack-value", 64) == "OK"
    yield
    for name, value in old.items():
        conn.call("CONFIG", "SET", name, value)


def test_encoding_listpack_to_hashtable_at_129_fields(conn, listpack_limits):
    fill(conn, "h", 128)
    assert conn.call("OBJECT", "ENCODING", "h") == b"listpack"
    assert conn.call("HSET", "h", "one-more", "v") == 1
    assert conn.call("OBJECT", "ENCODING", "h") == b"hashtable"
    fill(conn, "big", 129)  # created past the limit in one command
    assert conn.call("OBJECT", "ENCODING", "big") == b"hashtable"


def test_encoding_hashtable_at_65_byte_value(conn, listpack_limits):
    conn.call("HSET", "h", "a", "x" * 64)
    assert conn.call("OBJECT", "ENCODING", "h") == b"listpack"
    conn.call("HSET", "h", "b", "y" * 65)
    assert conn.call("OBJECT", "ENCODING", "h") == b"hashtable"
    conn.call("HSET", "g", "k" * 65, "v")
    assert conn.call("OBJECT", "ENCODING", "g") == b"hashtable"


# -------------------------------------------------------------------------------- COMMAND INFO

@pytest.mark.parametrize("name,arity,flags,acl", [
    ("hset", -4, ["write", "denyoom", "fast"], ["@write", "@hash", "@fast"]),
    ("hget", 3, ["readonly", "fast"], ["@read", "@hash", "@fast"]),
    ("hdel", -3, ["write", "fast"], ["@write", "@hash", "@fast"]),
    ("hgetall", 2, ["readonly"], ["@read", "@hash", "@slow"]),
    ("hrandfield", -2, ["readonly"], ["@read", "@hash", "@slow"]),
    ("hscan", -3, ["readonly"], ["@read", "@hash", "@slow"]),
])
def test_command_info(conn, name, arity, flags, acl):
    info = conn.call("COMMAND", "INFO", name)[0]
    assert info[0] == name.encode()
    assert info[1] == arity
    assert info[2] == flags
    assert info[3:6] == [1, 1, 1]
    assert info[6] == acl


# ------------------------------------------------------------------------------- persistence

@pytest.mark.persistence
def test_hash_survives_restart(server, r):
    r.hset("h", mapping={"a": "1", "b": "2", "c": "3"})
    r.hdel("h", "b")
    r.hincrby("h", "n", 7)
    r.hset("gone", "x", "1")
    r.hdel("gone", "x")
    r.close()
    server.restart()
    c = server.client()
    try:
        assert c.hgetall("h") == {b"a": b"1", b"c": b"3", b"n": b"7"}
        assert c.hlen("h") == 3
        assert c.exists("gone") == 0
        assert c.dbsize() == 1
    finally:
        c.close()
