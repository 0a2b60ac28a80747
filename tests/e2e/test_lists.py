"""List commands (non-blocking), end to end. Every expectation was checked against
redis-server 7.0.15.

Covers LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LINDEX LRANGE LSET LTRIM LREM LINSERT LPOS LMOVE
RPOPLPUSH LMPOP: replies, options, errors (including the order in which Redis validates
arguments against the key lookup), a random operation sequence checked against a Python list
model, and persistence across a restart."""

import random

import pytest

from e2e_support import RespConn

INVALID_INT = "ERR value is not an integer or out of range"
SYNTAX = "ERR syntax error"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
POSITIVE = "ERR value is out of range, must be positive"
NO_SUCH_KEY = "ERR no such key"
OUT_OF_RANGE = "ERR index out of range"
RANK_ZERO = ("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second "
             "... or use negative to start from the end of the list")
COUNT_NEGATIVE = "ERR COUNT can't be negative"
MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative"
NUMKEYS = "ERR numkeys should be greater than 0"
COUNT_POSITIVE = "ERR count should be greater than 0"


def wrong_args(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def items(conn, key):
    return conn.call("LRANGE", key, 0, -1)


def blist(*xs):
    return [x.encode() if isinstance(x, str) else x for x in xs]


# ------------------------------------------------------------------------------- pushes

def test_push_order_and_len(conn):
    assert conn.call("RPUSH", "l", "a", "b") == 2
    assert conn.call("LPUSH", "l", "x", "y", "z") == 5
    assert items(conn, "l") == blist("z", "y", "x", "a", "b")
    assert conn.call("LLEN", "l") == 5
    assert conn.call("LLEN", "missing") == 0
    assert conn.call("TYPE", "l") == "list"


def test_pushx(conn):
    assert conn.call("LPUSHX", "l", "a") == 0
    assert conn.call("RPUSHX", "l", "a", "b") == 0
    assert conn.call("EXISTS", "l") == 0
    conn.call("RPUSH", "l", "m")
    assert conn.call("LPUSHX", "l", "a", "b") == 3
    assert conn.call("RPUSHX", "l", "y", "z") == 5
    assert items(conn, "l") == blist("b", "a", "m", "y", "z")


def test_binary_and_empty_elements(conn):
    conn.call("RPUSH", "l", b"\x00\xff", b"", b"a b")
    assert items(conn, "l") == [b"\x00\xff", b"", b"a b"]
    assert conn.call("LINDEX", "l", 1) == b""


def test_push_keeps_ttl(conn):
    conn.call("RPUSH", "l", "a")
    conn.call("EXPIRE", "l", 100)
    conn.call("RPUSH", "l", "b")
    assert 99 <= conn.call("TTL", "l") <= 100


def test_wrongtype(conn):
    conn.call("SET", "s", "x")
    for args in [("LPUSH", "s", "a"), ("RPUSH", "s", "a"), ("LPUSHX", "s", "a"),
                 ("RPUSHX", "s", "a"), ("LPOP", "s"), ("RPOP", "s", 2), ("LLEN", "s"),
                 ("LINDEX", "s", 0), ("LINDEX", "s", "abc"), ("LRANGE", "s", 0, 1),
                 ("LSET", "s", 0, "x"), ("LSET", "s", "abc", "x"), ("LTRIM", "s", 0, 1),
                 ("LREM", "s", 0, "a"), ("LINSERT", "s", "BEFORE", "a", "b"),
                 ("LPOS", "s", "a"), ("LMOVE", "s", "l", "LEFT", "RIGHT"),
                 ("RPOPLPUSH", "s", "l"), ("LMPOP", 1, "s", "LEFT"),
                 ("LMPOP", 2, "missing", "s", "LEFT")]:
        assert conn.err(*args) == WRONGTYPE, args
    assert conn.call("GET", "s") == b"x"


def test_list_arity(conn):
    for cmd, args in [("LPUSH", ["k"]), ("RPUSH", ["k"]), ("LPUSHX", ["k"]), ("RPUSHX", ["k"]),
                      ("LPOP", []), ("RPOP", []), ("LLEN", []), ("LLEN", ["a", "b"]),
                      ("LINDEX", ["k"]), ("LRANGE", ["k", "0"]), ("LSET", ["k", "0"]),
                      ("LTRIM", ["k", "0"]), ("LREM", ["k", "0"]),
                      ("LINSERT", ["k", "BEFORE", "a"]), ("LPOS", ["k"]),
                      ("LMOVE", ["a", "b", "LEFT"]), ("RPOPLPUSH", ["a"]),
                      ("LMPOP", ["1", "k"])]:
        assert conn.err(cmd, *args) == wrong_args(cmd.lower()), cmd


# --------------------------------------------------------------------------------- pops

def test_pop_single(conn):
    conn.call("RPUSH", "l", "a", "b", "c")
    assert conn.call("LPOP", "l") == b"a"
    assert conn.call("RPOP", "l") == b"c"
    assert conn.call("LPOP", "l") == b"b"
    assert conn.call("EXISTS", "l") == 0
    assert conn.call("LPOP", "l") is None
    assert conn.call("RPOP", "missing") is None


def test_pop_count(conn):
    conn.call("RPUSH", "l", "a", "b", "c", "d", "e")
    assert conn.call("LPOP", "l", 2) == blist("a", "b")
    assert conn.call("RPOP", "l", 2) == blist("e", "d")
    assert conn.call("LPOP", "l", 0) == []
    assert conn.call("RPOP", "l", 10) == blist("c")
    assert conn.call("EXISTS", "l") == 0
    assert conn.call("LPOP", "l", 0) is None
    assert conn.call("LPOP", "l", 3) is None


def test_pop_count_errors(conn):
    conn.call("RPUSH", "l", "a")
    for key in ("l", "missing"):
        assert conn.err("LPOP", key, -1) == POSITIVE
        assert conn.err("RPOP", key, "abc") == POSITIVE
    assert conn.err("LPOP", "l", 1, 2) == wrong_args("lpop")
    assert conn.err("RPOP", "l", 1, 2) == wrong_args("rpop")
    conn.call("SET", "s", "x")
    assert conn.err("LPOP", "s", -1) == POSITIVE


def test_pop_missing_reply_types(raw):
    reply, _ = raw(b"LPOP nokey\r\nLPOP nokey 2\r\nLMPOP 1 nokey LEFT\r\nLPOS nokey a\r\n",
                   want=4)
    assert reply == b"$-1\r\n*-1\r\n*-1\r\n$-1\r\n"


# ----------------------------------------------------------------------- LINDEX / LRANGE

def test_lindex(conn):
    conn.call("RPUSH", "l", "a", "b", "c")
    assert conn.call("LINDEX", "l", 0) == b"a"
    assert conn.call("LINDEX", "l", -1) == b"c"
    assert conn.call("LINDEX", "l", -3) == b"a"
    assert conn.call("LINDEX", "l", 3) is None
    assert conn.call("LINDEX", "l", -4) is None
    assert conn.call("LINDEX", "missing", 0) is None
    # Redis looks the key up before parsing the index.
    assert conn.call("LINDEX", "missing", "abc") is None
    assert conn.err("LINDEX", "l", "abc") == INVALID_INT


def test_lrange(conn):
    conn.call("RPUSH", "l", *"abcdef")
    assert conn.call("LRANGE", "l", 1, 3) == blist("b", "c", "d")
    assert conn.call("LRANGE", "l", -2, -1) == blist("e", "f")
    assert conn.call("LRANGE", "l", -100, 1) == blist("a", "b")
    assert conn.call("LRANGE", "l", 4, 100) == blist("e", "f")
    assert conn.call("LRANGE", "l", 3, 2) == []
    assert conn.call("LRANGE", "l", 6, 10) == []
    assert conn.call("LRANGE", "l", -100, -50) == []
    assert conn.call("LRANGE", "missing", 0, -1) == []
    assert conn.err("LRANGE", "missing", "a", 1) == INVALID_INT
    assert conn.err("LRANGE", "l", 0, "x") == INVALID_INT


# ------------------------------------------------------------------------- LSET / LTRIM

def test_lset(conn):
    conn.call("RPUSH", "l", "a", "b", "c")
    assert conn.call("LSET", "l", 1, "B") == "OK"
    assert conn.call("LSET", "l", -1, "C") == "OK"
    assert items(conn, "l") == blist("a", "B", "C")
    assert conn.err("LSET", "l", 3, "x") == OUT_OF_RANGE
    assert conn.err("LSET", "l", -4, "x") == OUT_OF_RANGE
    assert conn.err("LSET", "l", "abc", "x") == INVALID_INT
    assert conn.err("LSET", "missing", 0, "x") == NO_SUCH_KEY
    assert conn.err("LSET", "missing", "abc", "x") == NO_SUCH_KEY


def test_ltrim(conn):
    conn.call("RPUSH", "l", *"abcdef")
    assert conn.call("LTRIM", "l", 1, -2) == "OK"
    assert items(conn, "l") == blist("b", "c", "d", "e")
    assert conn.call("LTRIM", "l", -100, 100) == "OK"
    assert items(conn, "l") == blist("b", "c", "d", "e")
    assert conn.call("LTRIM", "l", 2, 2) == "OK"
    assert items(conn, "l") == blist("d")
    assert conn.call("RPUSH", "l", "x") == 2
    assert conn.call("LPUSH", "l", "y") == 3
    assert items(conn, "l") == blist("y", "d", "x")
    assert conn.call("LTRIM", "l", 2, 1) == "OK"
    assert conn.call("EXISTS", "l") == 0
    assert conn.call("LTRIM", "missing", 0, 1) == "OK"
    assert conn.err("LTRIM", "missing", "a", 1) == INVALID_INT
    conn.call("RPUSH", "l", "a")
    assert conn.call("LTRIM", "l", 5, 10) == "OK"
    assert conn.call("EXISTS", "l") == 0


# -------------------------------------------------------------------------- LREM / LINSERT

def test_lrem(conn):
    conn.call("RPUSH", "l", *"axbxcxdx")
    assert conn.call("LREM", "l", 2, "x") == 2
    assert items(conn, "l") == blist(*"abcxdx")
    assert conn.call("LREM", "l", -1, "x") == 1
    assert items(conn, "l") == blist(*"abcxd")
    assert conn.call("RPUSH", "l", "x", "x") == 7
    assert conn.call("LREM", "l", 0, "x") == 3
    assert items(conn, "l") == blist(*"abcd")
    assert conn.call("LREM", "l", 0, "zz") == 0
    assert conn.call("LPUSH", "l", "n") == 5
    assert conn.call("LINDEX", "l", 0) == b"n"
    assert conn.call("LREM", "l", -100, "a") == 1
    assert items(conn, "l") == blist(*"nbcd")
    assert conn.call("LREM", "missing", 0, "a") == 0
    assert conn.call("LREM", "l", -9223372036854775808, "zz") == 0
    assert conn.err("LREM", "missing", "abc", "a") == INVALID_INT
    conn.call("DEL", "l")
    conn.call("RPUSH", "l", "a", "a")
    assert conn.call("LREM", "l", 0, "a") == 2
    assert conn.call("EXISTS", "l") == 0


def test_linsert(conn):
    conn.call("RPUSH", "l", "a", "b", "c", "d")
    assert conn.call("LINSERT", "l", "BEFORE", "a", "0") == 5
    assert conn.call("LINSERT", "l", "after", "d", "9") == 6
    assert conn.call("LINSERT", "l", "Before", "c", "x") == 7
    assert conn.call("LINSERT", "l", "AFTER", "a", "y") == 8
    assert items(conn, "l") == blist("0", "a", "y", "b", "x", "c", "d", "9")
    assert conn.call("LINSERT", "l", "BEFORE", "zz", "q") == -1
    assert conn.call("LINSERT", "missing", "BEFORE", "zz", "q") == 0
    assert conn.call("EXISTS", "missing") == 0
    assert conn.err("LINSERT", "l", "MIDDLE", "a", "q") == SYNTAX
    assert conn.err("LINSERT", "missing", "MIDDLE", "a", "q") == SYNTAX
    assert conn.call("LPUSH", "l", "L") == 9
    assert conn.call("RPUSH", "l", "R") == 10
    assert items(conn, "l") == blist("L", "0", "a", "y", "b", "x", "c", "d", "9", "R")


# ---------------------------------------------------------------------------------- LPOS

def test_lpos(conn):
    conn.call("RPUSH", "l", *"abcabcab")
    assert conn.call("LPOS", "l", "a") == 0
    assert conn.call("LPOS", "l", "c") == 2
    assert conn.call("LPOS", "l", "z") is None
    assert conn.call("LPOS", "l", "a", "RANK", 2) == 3
    assert conn.call("LPOS", "l", "a", "RANK", -1) == 6
    assert conn.call("LPOS", "l", "a", "RANK", -3) == 0
    assert conn.call("LPOS", "l", "a", "RANK", 4) is None
    assert conn.call("LPOS", "l", "a", "COUNT", 0) == [0, 3, 6]
    assert conn.call("LPOS", "l", "a", "COUNT", 2) == [0, 3]
    assert conn.call("LPOS", "l", "a", "COUNT", 0, "RANK", -1) == [6, 3, 0]
    assert conn.call("LPOS", "l", "a", "COUNT", 2, "RANK", 2) == [3, 6]
    assert conn.call("LPOS", "l", "a", "COUNT", 0, "MAXLEN", 4) == [0, 3]
    assert conn.call("LPOS", "l", "a", "COUNT", 0, "MAXLEN", 2, "RANK", -1) == [6]
    assert conn.call("LPOS", "l", "a", "MAXLEN", 1, "RANK", 2) is None
    assert conn.call("LPOS", "l", "z", "COUNT", 0) == []
    assert conn.call("LPOS", "l", "a", "rank", 1, "rank", 2) == 3
    assert conn.call("LPOS", "missing", "a") is None
    # Redis 7.0 negates RANK; INT64_MIN overflows and behaves as -1.
    assert conn.call("LPOS", "l", "a", "RANK", -9223372036854775808) == 6
    assert conn.call("LPOS", "l", "a", "RANK", 9223372036854775807) is None
    assert conn.call("LPOS", "missing", "a", "COUNT", 0) == []


def test_lpos_errors(conn):
    conn.call("RPUSH", "l", "a")
    for key in ("l", "missing"):
        assert conn.err("LPOS", key, "a", "RANK", 0) == RANK_ZERO
        assert conn.err("LPOS", key, "a", "RANK", "abc") == INVALID_INT
        assert conn.err("LPOS", key, "a", "COUNT", -1) == COUNT_NEGATIVE
        assert conn.err("LPOS", key, "a", "COUNT", "abc") == COUNT_NEGATIVE
        assert conn.err("LPOS", key, "a", "MAXLEN", -1) == MAXLEN_NEGATIVE
        assert conn.err("LPOS", key, "a", "MAXLEN", "abc") == MAXLEN_NEGATIVE
        assert conn.err("LPOS", key, "a", "FOO") == SYNTAX
        assert conn.err("LPOS", key, "a", "COUNT") == SYNTAX
    conn.call("SET", "s", "x")
    assert conn.err("LPOS", "s", "a", "RANK", 0) == RANK_ZERO


# -------------------------------------------------------------------- LMOVE / RPOPLPUSH

def test_lmove(conn):
    conn.call("RPUSH", "src", "a", "b", "c")
    assert conn.call("LMOVE", "src", "dst", "LEFT", "RIGHT") == b"a"
    assert conn.call("LMOVE", "src", "dst", "right", "left") == b"c"
    assert items(conn, "src") == blist("b")
    assert items(conn, "dst") == blist("c", "a")
    assert conn.call("LMOVE", "src", "dst", "LEFT", "LEFT") == b"b"
    assert conn.call("EXISTS", "src") == 0
    assert items(conn, "dst") == blist("b", "c", "a")
    assert conn.call("LMOVE", "src", "dst", "LEFT", "LEFT") is None
    assert conn.err("LMOVE", "dst", "x", "UP", "LEFT") == SYNTAX
    assert conn.err("LMOVE", "missing", "x", "LEFT", "DOWN") == SYNTAX


def test_lmove_same_key_rotates(conn):
    conn.call("RPUSH", "l", "a", "b", "c")
    assert conn.call("LMOVE", "l", "l", "LEFT", "RIGHT") == b"a"
    assert items(conn, "l") == blist("b", "c", "a")
    assert conn.call("LMOVE", "l", "l", "RIGHT", "LEFT") == b"a"
    assert items(conn, "l") == blist("a", "b", "c")
    assert conn.call("LMOVE", "l", "l", "LEFT", "LEFT") == b"a"
    assert conn.call("LMOVE", "l", "l", "RIGHT", "RIGHT") == b"c"
    assert items(conn, "l") == blist("a", "b", "c")
    assert conn.call("RPOPLPUSH", "l", "l") == b"c"
    assert items(conn, "l") == blist("c", "a", "b")
    conn.call("RPUSH", "one", "x")
    assert conn.call("LMOVE", "one", "one", "LEFT", "RIGHT") == b"x"
    assert items(conn, "one") == blist("x")


def test_rpoplpush(conn):
    conn.call("RPUSH", "src", "a", "b")
    assert conn.call("RPOPLPUSH", "src", "dst") == b"b"
    assert conn.call("RPOPLPUSH", "src", "dst") == b"a"
    assert items(conn, "dst") == blist("a", "b")
    assert conn.call("EXISTS", "src") == 0
    assert conn.call("RPOPLPUSH", "src", "dst") is None


def test_move_type_checks(conn):
    conn.call("SET", "s", "x")
    # A missing source answers nil before the destination's type is checked.
    assert conn.call("LMOVE", "missing", "s", "LEFT", "LEFT") is None
    assert conn.call("RPOPLPUSH", "missing", "s") is None
    conn.call("RPUSH", "l", "a")
    assert conn.err("LMOVE", "l", "s", "LEFT", "LEFT") == WRONGTYPE
    assert conn.err("RPOPLPUSH", "l", "s") == WRONGTYPE
    assert items(conn, "l") == blist("a")


# ---------------------------------------------------------------------------------- LMPOP

def test_lmpop(conn):
    conn.call("RPUSH", "b", "1", "2", "3")
    assert conn.call("LMPOP", 2, "a", "b", "LEFT") == [b"b", [b"1"]]
    assert conn.call("LMPOP", 2, "a", "b", "RIGHT", "COUNT", 5) == [b"b", [b"3", b"2"]]
    assert conn.call("EXISTS", "b") == 0
    assert conn.call("LMPOP", 2, "a", "b", "LEFT") is None
    conn.call("RPUSH", "a", "x", "y")
    conn.call("SET", "s", "str")
    # The first non-empty list answers; later keys are not looked at.
    assert conn.call("LMPOP", 2, "a", "s", "left", "count", 1) == [b"a", [b"x"]]


def test_lmpop_errors(conn):
    conn.call("RPUSH", "l", "a")
    assert conn.err("LMPOP", 0, "l", "LEFT") == NUMKEYS
    assert conn.err("LMPOP", -1, "l", "LEFT") == NUMKEYS
    assert conn.err("LMPOP", "abc", "l", "LEFT") == NUMKEYS
    assert conn.err("LMPOP", "99999999999999999999", "l", "LEFT") == NUMKEYS
    assert conn.err("LMPOP", 1, "l", "UP") == SYNTAX
    assert conn.err("LMPOP", 2, "l", "LEFT") == SYNTAX
    assert conn.err("LMPOP", 3, "a", "b") == SYNTAX
    assert conn.err("LMPOP", 1, "l", "LEFT", "COUNT", 0) == COUNT_POSITIVE
    assert conn.err("LMPOP", 1, "l", "LEFT", "COUNT", -1) == COUNT_POSITIVE
    assert conn.err("LMPOP", 1, "l", "LEFT", "COUNT", "abc") == COUNT_POSITIVE
    assert conn.err("LMPOP", 1, "l", "LEFT", "COUNT", 1, "COUNT", 2) == SYNTAX
    assert conn.err("LMPOP", 1, "l", "LEFT", "COUNT") == SYNTAX
    assert conn.err("LMPOP", 1, "l", "LEFT", "FOO") == SYNTAX
    assert items(conn, "l") == blist("a")


# -------------------------------------------------------------------- random vs a model

def clamp(start, stop, n):
    if start < 0:
        start += n
    if stop < 0:
        stop += n
    start = max(start, 0)
    if start > stop or start >= n:
        return 0, 0
    return start, min(stop, n - 1) + 1


def test_random_ops_match_model(conn):
    rng = random.Random(7)
    model = []
    vals = [b"a", b"b", b"c", b"d"]
    for step in range(1500):
        op = rng.randrange(12)
        v = rng.choice(vals)
        n = len(model)
        if op == 0:
            k = [rng.choice(vals) for _ in range(rng.randint(1, 3))]
            assert conn.call("LPUSH", "l", *k) == n + len(k)
            model[:0] = list(reversed(k))
        elif op == 1:
            k = [rng.choice(vals) for _ in range(rng.randint(1, 3))]
            assert conn.call("RPUSH", "l", *k) == n + len(k)
            model.extend(k)
        elif op == 2:
            c = rng.randint(0, 3)
            got = conn.call("LPOP", "l", c)
            assert got == (model[:c] if n else None)
            del model[:c]
        elif op == 3:
            got = conn.call("RPOP", "l")
            assert got == (model.pop() if n else None)
        elif op == 4:
            i = rng.randint(-n - 2, n + 2)
            got = conn.call("LINDEX", "l", i)
            assert got == (model[i] if -n <= i < n else None)
        elif op == 5 and n:
            i = rng.randint(-n, n - 1)
            assert conn.call("LSET", "l", i, v) == "OK"
            model[i] = v
        elif op == 6:
            s, e = rng.randint(-n - 2, n + 2), rng.randint(-n - 2, n + 2)
            a, b = clamp(s, e, n)
            assert conn.call("LRANGE", "l", s, e) == model[a:b]
            if rng.random() < 0.15:
                assert conn.call("LTRIM", "l", s, e) == "OK"
                model = model[a:b]
        elif op == 7:
            c = rng.randint(-3, 3)
            got = conn.call("LREM", "l", c, v)
            idx = [i for i, x in enumerate(model) if x == v]
            if c < 0:
                idx = idx[::-1][:-c]
            elif c > 0:
                idx = idx[:c]
            assert got == len(idx)
            for i in sorted(idx, reverse=True):
                del model[i]
        elif op == 8:
            pivot = rng.choice(vals)
            before = rng.random() < 0.5
            got = conn.call("LINSERT", "l", "BEFORE" if before else "AFTER", pivot, v)
            if not n:
                assert got == 0
            elif pivot not in model:
                assert got == -1
            else:
                p = model.index(pivot)
                model.insert(p if before else p + 1, v)
                assert got == len(model)
        elif op == 9:
            matches = [i for i, x in enumerate(model) if x == v]
            assert conn.call("LPOS", "l", v, "COUNT", 0) == matches
            assert conn.call("LPOS", "l", v, "RANK", -1) == (matches[-1] if matches else None)
        elif op == 10:
            got = conn.call("LMOVE", "l", "l", "LEFT", "RIGHT")
            if n:
                assert got == model[0]
                model.append(model.pop(0))
            else:
                assert got is None
        elif op == 11:
            got = conn.call("RPOPLPUSH", "l", "other")
            assert got == (model.pop() if n else None)
            conn.call("DEL", "other")
        assert conn.call("LLEN", "l") == len(model), step
        if step % 50 == 0:
            assert items(conn, "l") == model, step
    assert items(conn, "l") == model


# -------------------------------------------------------------------------- persistence

@pytest.mark.persistence
def test_lists_survive_restart(server, r):
    c = server.conn()
    c.call("RPUSH", "l", "a", "b", "c")
    c.call("LPUSH", "l", "z")
    c.call("LINSERT", "l", "BEFORE", "b", "x")
    c.call("LREM", "l", 1, "c")
    c.call("RPUSH", "gone", "x")
    c.call("LPOP", "gone")
    c.call("RPUSH", "m", "1", "2")
    c.call("LMOVE", "m", "n", "LEFT", "LEFT")
    c.close()
    server.restart()
    c = server.conn()
    try:
        assert items(c, "l") == blist("z", "a", "x", "b")
        assert c.call("LLEN", "l") == 4
        assert c.call("EXISTS", "gone") == 0
        assert items(c, "m") == blist("2")
        assert items(c, "n") == blist("1")
        assert c.call("RPUSH", "l", "e") == 5
        assert c.call("LPUSH", "l", "s") == 6
        assert items(c, "l") == blist("s", "z", "a", "x", "b", "e")
    finally:
        c.close()
