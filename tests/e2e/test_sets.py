"""Set commands, end to end. Every expectation was checked against redis-server 7.0.15.

Set replies are compared as Python sets: Redis's member order is unspecified (hashtable) or
numeric (intset), Basalt's is byte order. Random commands (SPOP, SRANDMEMBER) are checked by
their properties: counts, membership, uniqueness."""

import random

import pytest

from e2e_support import RespConn

INVALID_INT = "ERR value is not an integer or out of range"
SYNTAX = "ERR syntax error"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
POSITIVE = "ERR value is out of range, must be positive"


def wrong_args(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def members(conn, key):
    reply = conn.call("SMEMBERS", key)
    assert len(reply) == len(set(reply)), reply
    return set(reply)


# ---------------------------------------------------------------------------- SADD / SREM

def test_sadd_srem_scard(conn):
    assert conn.call("SADD", "s", "a", "b", "a", "c") == 3
    assert conn.call("SADD", "s", "a", "d") == 1
    assert conn.call("SCARD", "s") == 4
    assert members(conn, "s") == {b"a", b"b", b"c", b"d"}
    assert conn.call("TYPE", "s") == "set"
    assert conn.call("SREM", "s", "a", "zz", "a") == 1
    assert conn.call("SREM", "missing", "a") == 0
    assert conn.call("SCARD", "s") == 3
    assert conn.call("SCARD", "missing") == 0


def test_srem_last_member_deletes_key(conn):
    conn.call("SADD", "s", "x", "y")
    assert conn.call("SREM", "s", "x", "y") == 2
    assert conn.call("EXISTS", "s") == 0
    assert conn.call("TYPE", "s") == "none"


def test_binary_and_empty_members(conn):
    assert conn.call("SADD", "s", b"\x00\xff", b"", b"a b") == 3
    assert members(conn, "s") == {b"\x00\xff", b"", b"a b"}
    assert conn.call("SISMEMBER", "s", b"") == 1


def test_sadd_keeps_ttl(conn):
    conn.call("SADD", "s", "a")
    conn.call("EXPIRE", "s", 100)
    conn.call("SADD", "s", "b")
    assert 99 <= conn.call("TTL", "s") <= 100


def test_set_arity(conn):
    for cmd, args in [("SADD", ["k"]), ("SREM", ["k"]), ("SCARD", []), ("SCARD", ["a", "b"]),
                      ("SISMEMBER", ["k"]), ("SMISMEMBER", ["k"]), ("SMEMBERS", []),
                      ("SRANDMEMBER", []), ("SPOP", []), ("SMOVE", ["a", "b"]),
                      ("SINTER", []), ("SUNION", []), ("SDIFF", []), ("SINTERSTORE", ["d"]),
                      ("SUNIONSTORE", ["d"]), ("SDIFFSTORE", ["d"]), ("SINTERCARD", ["1"]),
                      ("SSCAN", ["k"])]:
        assert conn.err(cmd, *args) == wrong_args(cmd.lower())


# ------------------------------------------------------------------------- membership

def test_sismember_smismember(conn):
    conn.call("SADD", "s", "a", "b")
    assert conn.call("SISMEMBER", "s", "a") == 1
    assert conn.call("SISMEMBER", "s", "z") == 0
    assert conn.call("SISMEMBER", "missing", "a") == 0
    assert conn.call("SMISMEMBER", "s", "a", "z", "b", "a") == [1, 0, 1, 1]
    assert conn.call("SMISMEMBER", "missing", "a", "b") == [0, 0]
    assert conn.call("SMEMBERS", "missing") == []


def test_wrongtype_both_ways(conn):
    conn.call("SET", "str", "v")
    conn.call("SADD", "s", "a")
    for args in [("SADD", "str", "a"), ("SREM", "str", "a"), ("SCARD", "str"),
                 ("SISMEMBER", "str", "a"), ("SMISMEMBER", "str", "a"), ("SMEMBERS", "str"),
                 ("SRANDMEMBER", "str"), ("SRANDMEMBER", "str", 0), ("SPOP", "str"),
                 ("SPOP", "str", 0), ("SINTER", "s", "str"), ("SUNION", "str", "s"),
                 ("SDIFF", "s", "str"), ("SINTERCARD", 2, "s", "str"), ("SSCAN", "str", 0),
                 ("SSCAN", "str", 0, "COUNT", 0), ("SMOVE", "str", "s", "a"),
                 ("SMOVE", "s", "str", "a"), ("SINTERSTORE", "d", "s", "str"),
                 ("SUNIONSTORE", "d", "str"), ("SDIFFSTORE", "d", "s", "str")]:
        assert conn.err(*args) == WRONGTYPE, args
    # and the other way: string commands on a set
    assert conn.err("GET", "s") == WRONGTYPE
    assert conn.err("APPEND", "s", "x") == WRONGTYPE
    assert conn.err("INCR", "s") == WRONGTYPE
    assert conn.call("EXISTS", "d") == 0


def test_set_algebra_checks_every_key_type(conn):
    # Redis 7.0 type-checks every key before answering, even after a missing key.
    conn.call("SET", "str", "v")
    assert conn.err("SINTER", "missing", "str") == WRONGTYPE
    assert conn.err("SINTERCARD", 2, "missing", "str") == WRONGTYPE
    assert conn.err("SDIFF", "missing", "str") == WRONGTYPE


# --------------------------------------------------------------------- SRANDMEMBER / SPOP

def test_srandmember(conn):
    data = {str(i).encode() + b"x" for i in range(20)}
    conn.call("SADD", "s", *data)
    assert conn.call("SRANDMEMBER", "s") in data
    assert conn.call("SRANDMEMBER", "missing") is None
    for count in (1, 5, 19, 20, 100):
        got = conn.call("SRANDMEMBER", "s", count)
        assert len(got) == min(count, 20)
        assert len(set(got)) == len(got)
        assert set(got) <= data
    got = conn.call("SRANDMEMBER", "s", -100)
    assert len(got) == 100 and set(got) <= data
    assert len(set(got)) < 100  # repeats are allowed (and certain with 100 draws from 20)
    assert conn.call("SRANDMEMBER", "s", 0) == []
    assert conn.call("SRANDMEMBER", "missing", 5) == []
    assert conn.call("SRANDMEMBER", "missing", -5) == []
    assert conn.call("SCARD", "s") == 20


def test_srandmember_errors(conn):
    conn.call("SET", "str", "v")
    assert conn.err("SRANDMEMBER", "str", "abc") == INVALID_INT  # count is parsed first
    assert conn.err("SRANDMEMBER", "missing", "1", "2") == SYNTAX
    assert conn.err("SRANDMEMBER", "missing", "-9223372036854775808") == (
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807")
    assert conn.call("SRANDMEMBER", "missing", "-9223372036854775807") == []


def test_spop(conn):
    data = {b"m%d" % i for i in range(30)}
    conn.call("SADD", "s", *data)
    popped = set()
    one = conn.call("SPOP", "s")
    assert one in data
    popped.add(one)
    many = conn.call("SPOP", "s", 10)
    assert len(many) == 10 and len(set(many)) == 10 and set(many) <= data
    assert not (set(many) & popped)
    popped |= set(many)
    assert conn.call("SCARD", "s") == 19
    assert members(conn, "s") == data - popped
    assert conn.call("SPOP", "s", 0) == []
    rest = conn.call("SPOP", "s", 100)
    assert set(rest) == data - popped and len(rest) == 19
    assert conn.call("EXISTS", "s") == 0
    assert conn.call("SPOP", "s") is None
    assert conn.call("SPOP", "s", 3) == []


def test_spop_errors(conn):
    conn.call("SET", "str", "v")
    assert conn.err("SPOP", "missing", -1) == POSITIVE
    assert conn.err("SPOP", "missing", "abc") == POSITIVE
    assert conn.err("SPOP", "str", -1) == POSITIVE
    assert conn.err("SPOP", "missing", 1, 2) == SYNTAX


# ------------------------------------------------------------------------------- SMOVE

def test_smove(conn):
    conn.call("SADD", "a", "x", "y")
    conn.call("SADD", "b", "y", "z")
    assert conn.call("SMOVE", "a", "b", "y") == 1  # already in destination: still 1
    assert members(conn, "a") == {b"x"}
    assert members(conn, "b") == {b"y", b"z"}
    assert conn.call("SMOVE", "a", "b", "nope") == 0
    assert conn.call("SMOVE", "a", "new", "x") == 1
    assert conn.call("EXISTS", "a") == 0
    assert members(conn, "new") == {b"x"}
    assert conn.call("SMOVE", "new", "new", "x") == 1
    assert conn.call("SMOVE", "new", "new", "q") == 0
    assert conn.call("SMOVE", "missing", "b", "y") == 0


def test_smove_missing_source_before_destination_type(conn):
    conn.call("SET", "str", "v")
    assert conn.call("SMOVE", "missing", "str", "x") == 0
    conn.call("SADD", "s", "x")
    assert conn.err("SMOVE", "s", "str", "x") == WRONGTYPE
    assert members(conn, "s") == {b"x"}


# -------------------------------------------------------------------------- set algebra

def random_sets(seed, n_sets=4):
    rng = random.Random(seed)
    universe = [b"e%d" % i for i in range(60)] + [str(i).encode() for i in range(40)]
    return [set(rng.sample(universe, rng.randint(0, 50))) for _ in range(n_sets)]


@pytest.mark.parametrize("seed", range(8))
def test_algebra_matches_python(conn, seed):
    sets = random_sets(seed)
    keys = []
    for i, s in enumerate(sets):
        key = f"k{i}"
        keys.append(key)
        if s:
            conn.call("SADD", key, *s)
    keys_plus = keys + ["missing"]
    assert set(conn.call("SUNION", *keys_plus)) == set().union(*sets)
    assert set(conn.call("SINTER", *keys)) == set.intersection(*sets)
    assert set(conn.call("SDIFF", *keys_plus)) == sets[0].difference(*sets[1:])
    assert conn.call("SINTER", *keys_plus) == []
    inter = sets[0] & sets[1]
    assert set(conn.call("SINTER", "k0", "k1")) == inter
    assert conn.call("SINTERCARD", 2, "k0", "k1") == len(inter)
    assert conn.call("SINTERCARD", 2, "k0", "k1", "LIMIT", 3) == min(3, len(inter))
    assert conn.call("SINTERCARD", 2, "k0", "k1", "limit", 0) == len(inter)
    for cmd, expected in [("SUNIONSTORE", set().union(*sets)),
                          ("SINTERSTORE", set.intersection(*sets)),
                          ("SDIFFSTORE", sets[0].difference(*sets[1:]))]:
        assert conn.call(cmd, "dst", *keys) == len(expected)
        assert members(conn, "dst") == expected
        assert conn.call("EXISTS", "dst") == (1 if expected else 0)


def test_single_key_algebra(conn):
    conn.call("SADD", "a", "1", "2")
    assert set(conn.call("SINTER", "a")) == {b"1", b"2"}
    assert set(conn.call("SUNION", "a", "a")) == {b"1", b"2"}
    assert conn.call("SDIFF", "a", "a") == []
    assert conn.call("SDIFF", "missing", "a") == []
    assert conn.call("SUNION", "missing") == []


def test_store_overwrites_any_type_and_clears_ttl(conn):
    conn.call("SADD", "a", "1", "2")
    conn.call("SADD", "b", "2", "3")
    conn.call("SET", "dst", "string", "EX", 100)
    assert conn.call("SUNIONSTORE", "dst", "a", "b") == 3
    assert conn.call("TYPE", "dst") == "set"
    assert conn.call("TTL", "dst") == -1
    assert conn.call("SINTERSTORE", "dst", "a", "b") == 1
    assert members(conn, "dst") == {b"2"}
    # destination among the sources
    assert conn.call("SDIFFSTORE", "a", "a", "dst") == 1
    assert members(conn, "a") == {b"1"}


def test_store_empty_result_deletes_destination(conn):
    conn.call("SADD", "a", "1")
    conn.call("SET", "dst", "v")
    assert conn.call("SINTERSTORE", "dst", "a", "missing") == 0
    assert conn.call("EXISTS", "dst") == 0
    conn.call("SET", "dst", "v")
    assert conn.call("SDIFFSTORE", "dst", "a", "a") == 0
    assert conn.call("EXISTS", "dst") == 0
    conn.call("SET", "dst", "v")
    assert conn.call("SUNIONSTORE", "dst", "missing") == 0
    assert conn.call("EXISTS", "dst") == 0
    assert conn.call("SINTERSTORE", "dst", "missing") == 0


def test_store_wrongtype_leaves_destination(conn):
    conn.call("SET", "str", "v")
    conn.call("SADD", "dst", "keep")
    assert conn.err("SUNIONSTORE", "dst", "str") == WRONGTYPE
    assert members(conn, "dst") == {b"keep"}


def test_sintercard_errors(conn):
    assert conn.err("SINTERCARD", 0, "a") == "ERR numkeys should be greater than 0"
    assert conn.err("SINTERCARD", -1, "a") == "ERR numkeys should be greater than 0"
    assert conn.err("SINTERCARD", "abc", "a") == "ERR numkeys should be greater than 0"
    assert conn.err("SINTERCARD", 3, "a", "b") == (
        "ERR Number of keys can't be greater than number of args")
    assert conn.err("SINTERCARD", 1, "a", "LIMIT", -1) == "ERR LIMIT can't be negative"
    assert conn.err("SINTERCARD", 1, "a", "LIMIT", "x") == "ERR LIMIT can't be negative"
    assert conn.err("SINTERCARD", 1, "a", "LIMIT") == SYNTAX
    assert conn.err("SINTERCARD", 1, "a", "LIMT", 1) == SYNTAX
    assert conn.call("SINTERCARD", 1, "missing") == 0
    # numkeys covers LIMIT: it is a key name then
    assert conn.call("SINTERCARD", 3, "a", "LIMIT", 1) == 0


# -------------------------------------------------------------------------------- SSCAN

def sscan_all(conn, key, *opts):
    seen = []
    cursor = b"0"
    for _ in range(10000):
        cursor, batch = conn.call("SSCAN", key, cursor, *opts)
        seen += batch
        if cursor == b"0":
            return seen
    raise AssertionError("SSCAN did not terminate")


def test_sscan_full_iteration(conn):
    data = {b"member:%d" % i for i in range(1000)}
    conn.call("SADD", "s", *data)
    assert set(sscan_all(conn, "s")) == data
    assert set(sscan_all(conn, "s", "COUNT", 7)) == data
    assert set(sscan_all(conn, "s", "MATCH", "member:1*", "COUNT", 50)) == {
        m for m in data if m.startswith(b"member:1")}
    assert set(sscan_all(conn, "s", "MATCH", "*")) == data
    assert sscan_all(conn, "s", "MATCH", "nomatch*") == []


def test_sscan_small_and_missing(conn):
    conn.call("SADD", "s", "a", "b", "c")
    assert set(sscan_all(conn, "s")) == {b"a", b"b", b"c"}
    assert conn.call("SSCAN", "missing", 0) == [b"0", []]
    # options are not parsed for a missing key
    assert conn.call("SSCAN", "missing", 0, "bad") == [b"0", []]
    assert conn.call("SSCAN", "missing", 0, "COUNT", 0) == [b"0", []]


def test_sscan_errors(conn):
    conn.call("SADD", "s", "a")
    assert conn.err("SSCAN", "s", "abc") == "ERR invalid cursor"
    assert conn.err("SSCAN", "missing", "1x") == "ERR invalid cursor"
    assert conn.err("SSCAN", "missing", "-") == "ERR invalid cursor"
    assert conn.err("SSCAN", "missing", "18446744073709551616") == "ERR invalid cursor"
    # strtoul rules: a sign is accepted (negative cursors wrap) and "" reads as 0
    assert conn.call("SSCAN", "missing", "-1") == [b"0", []]
    assert conn.call("SSCAN", "missing", "+1") == [b"0", []]
    assert conn.call("SSCAN", "missing", "") == [b"0", []]
    assert conn.call("SSCAN", "missing", "007") == [b"0", []]
    assert conn.err("SSCAN", "s", 0, "COUNT", 0) == SYNTAX
    assert conn.err("SSCAN", "s", 0, "COUNT", "x") == INVALID_INT
    assert conn.err("SSCAN", "s", 0, "TYPE", "string") == SYNTAX
    assert conn.err("SSCAN", "s", 0, "MATCH") == SYNTAX
    assert conn.err("SSCAN", "s", 0, "bad") == SYNTAX


# ------------------------------------------------------------------ RESP3 and encodings

def test_resp3_set_replies(server, r):
    with RespConn(server.port) as c:
        c.call("HELLO", 3)
        c.call("SADD", "s", "a", "b")
        assert c.call("SMEMBERS", "s") == {b"a", b"b"}
        assert c.call("SUNION", "s", "missing") == {b"a", b"b"}
        assert c.call("SINTER", "s", "missing") == set()
        assert isinstance(c.call("SRANDMEMBER", "s", 2), list)
        assert isinstance(c.call("SRANDMEMBER", "s", -2), list)
        assert c.call("SPOP", "s", 5) == {b"a", b"b"}


def test_object_encoding(conn):
    conn.call("SADD", "ints", "1", "-5", "9223372036854775807")
    assert conn.call("OBJECT", "ENCODING", "ints") == b"intset"
    conn.call("SADD", "mixed", "1", "a")
    assert conn.call("OBJECT", "ENCODING", "mixed") == b"hashtable"
    conn.call("SADD", "lead", "01")
    assert conn.call("OBJECT", "ENCODING", "lead") == b"hashtable"
    conn.call("SADD", "big", *range(513))
    assert conn.call("OBJECT", "ENCODING", "big") == b"hashtable"
    conn.call("SADD", "edge", *range(512))
    assert conn.call("OBJECT", "ENCODING", "edge") == b"intset"
    assert conn.call("SUNIONSTORE", "dst", "ints") == 3
    assert conn.call("OBJECT", "ENCODING", "dst") == b"intset"


def test_object_encoding_follows_config(conn):
    old = conn.call("CONFIG", "GET", "set-max-intset-entries")[1]
    try:
        assert conn.call("CONFIG", "SET", "set-max-intset-entries", 4) == "OK"
        conn.call("SADD", "s", 1, 2, 3, 4)
        assert conn.call("OBJECT", "ENCODING", "s") == b"intset"
        conn.call("SADD", "s", 5)
        assert conn.call("OBJECT", "ENCODING", "s") == b"hashtable"
    finally:
        conn.call("CONFIG", "SET", "set-max-intset-entries", old)


# -------------------------------------------------------------------------- persistence

@pytest.mark.persistence
def test_sets_survive_restart(server, r):
    c = server.conn()
    c.call("SADD", "s", "a", "b", "c")
    c.call("SREM", "s", "b")
    c.call("SADD", "gone", "x")
    c.call("SPOP", "gone")
    c.call("SADD", "src", "1", "2")
    c.call("SUNIONSTORE", "dst", "src", "s")
    c.close()
    server.restart()
    c = server.conn()
    try:
        assert members(c, "s") == {b"a", b"c"}
        assert c.call("SCARD", "s") == 2
        assert c.call("EXISTS", "gone") == 0
        assert members(c, "dst") == {b"1", b"2", b"a", b"c"}
    finally:
        c.close()
