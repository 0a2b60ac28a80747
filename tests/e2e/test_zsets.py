"""Sorted-set commands, end to end. Every expectation was checked against redis-server 7.0.15.

Scores come back as Redis 7.0 prints them ("%.17g", "inf"/"-inf") in RESP2 bulk strings and
as doubles in RESP3. Random commands (ZRANDMEMBER) are checked by their properties; ZSCAN by
the set of elements a full iteration returns."""

import random

import pytest

INVALID_INT = "ERR value is not an integer or out of range"
INVALID_FLOAT = "ERR value is not a valid float"
SYNTAX = "ERR syntax error"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_FLOAT_RANGE = "ERR min or max is not a float"
NOT_LEX_RANGE = "ERR min or max not valid string range item"
POSITIVE = "ERR value is out of range, must be positive"
XX_NX = "ERR XX and NX options at the same time are not compatible"
GT_LT_NX = "ERR GT, LT, and/or NX options at the same time are not compatible"
INCR_PAIR = "ERR INCR option supports a single increment-element pair"
NAN = "ERR resulting score is not a number (NaN)"
LIMIT_RANK = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
WITHSCORES_LEX = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"


def wrong_args(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def seed(conn, key="z"):
    conn.call("ZADD", key, 1, "a", 2, "b", 3, "c", 4, "d", 5, "e")


# ------------------------------------------------------------------------------ ZADD

def test_zadd_basic_and_scores(conn):
    assert conn.call("ZADD", "z", 1, "a", 2, "b", 1.5, "c") == 3
    assert conn.call("ZADD", "z", 10, "a", 3, "d") == 1
    assert conn.call("ZCARD", "z") == 4
    assert conn.call("TYPE", "z") == "zset"
    assert conn.call("ZSCORE", "z", "a") == b"10"
    assert conn.call("ZSCORE", "z", "c") == b"1.5"
    assert conn.call("ZSCORE", "z", "zz") is None
    assert conn.call("ZSCORE", "missing", "a") is None
    assert conn.call("ZRANGE", "z", 0, -1, "WITHSCORES") == [
        b"c", b"1.5", b"b", b"2", b"d", b"3", b"a", b"10"]


def test_zadd_score_formats(conn):
    conn.call("ZADD", "z", "0.1", "a", "inf", "b", "-inf", "c", "1e3", "d", "-0", "e",
              "3.0000000000000004", "f", "+5", "g", "1.7976931348623157e308", "h")
    assert conn.call("ZRANGE", "z", 0, -1, "WITHSCORES") == [
        b"c", b"-inf", b"e", b"0", b"a", b"0.10000000000000001", b"f", b"3.0000000000000004",
        b"g", b"5", b"d", b"1000", b"h", b"1.7976931348623157e+308", b"b", b"inf"]


def test_zadd_same_score_orders_by_member(conn):
    conn.call("ZADD", "z", 0, "b", 0, "a", 0, b"\x00", 0, "", 0, "ab")
    assert conn.call("ZRANGE", "z", 0, -1) == [b"", b"\x00", b"a", b"ab", b"b"]


def test_zadd_duplicate_member_in_one_call(conn):
    assert conn.call("ZADD", "z", 1, "a", 2, "a", 3, "a") == 1
    assert conn.call("ZSCORE", "z", "a") == b"3"
    assert conn.call("ZADD", "z", "CH", 3, "a", 4, "a") == 1


def test_zadd_nx_xx(conn):
    conn.call("ZADD", "z", 1, "a")
    assert conn.call("ZADD", "z", "NX", 5, "a", 2, "b") == 1
    assert conn.call("ZSCORE", "z", "a") == b"1"
    assert conn.call("ZADD", "z", "XX", 5, "a", 3, "c") == 0
    assert conn.call("ZSCORE", "z", "a") == b"5"
    assert conn.call("ZSCORE", "z", "c") is None
    assert conn.call("ZADD", "z", "xx", "ch", 6, "a", 3, "c") == 1
    assert conn.call("ZADD", "missing", "XX", 1, "a") == 0
    assert conn.call("EXISTS", "missing") == 0


def test_zadd_gt_lt_ch(conn):
    conn.call("ZADD", "z", 5, "a")
    assert conn.call("ZADD", "z", "GT", "CH", 4, "a") == 0
    assert conn.call("ZSCORE", "z", "a") == b"5"
    assert conn.call("ZADD", "z", "GT", "CH", 6, "a", 1, "new") == 2
    assert conn.call("ZSCORE", "z", "a") == b"6"
    assert conn.call("ZSCORE", "z", "new") == b"1"
    assert conn.call("ZADD", "z", "LT", "CH", 7, "a") == 0
    assert conn.call("ZADD", "z", "LT", 2, "a") == 0
    assert conn.call("ZSCORE", "z", "a") == b"2"
    assert conn.call("ZADD", "z", "XX", "GT", "CH", 9, "a", 9, "zz") == 1
    assert conn.call("ZSCORE", "z", "zz") is None
    assert conn.call("ZADD", "z", "CH", 9, "a") == 0  # same score: not a change


def test_zadd_incr(conn):
    assert conn.call("ZADD", "z", "INCR", 2.5, "a") == b"2.5"
    assert conn.call("ZADD", "z", "INCR", 1, "a") == b"3.5"
    assert conn.call("ZADD", "z", "INCR", "NX", 1, "a") is None
    assert conn.call("ZADD", "z", "INCR", "XX", 1, "b") is None
    assert conn.call("ZADD", "z", "INCR", "GT", -1, "a") is None
    assert conn.call("ZADD", "z", "INCR", "LT", -1, "a") == b"2.5"
    assert conn.call("ZADD", "z", "INCR", "NX", 7, "b") == b"7"
    assert conn.call("ZADD", "z", "INCR", 0, "b") == b"7"
    assert conn.call("ZADD", "z", "INCR", "inf", "a") == b"inf"
    assert conn.err("ZADD", "z", "INCR", "-inf", "a") == NAN
    assert conn.call("ZSCORE", "z", "a") == b"inf"
    assert conn.call("ZADD", "missing", "XX", "INCR", 1, "a") is None
    assert conn.call("EXISTS", "missing") == 0


def test_zadd_errors(conn):
    conn.call("SET", "str", "v")
    assert conn.err("ZADD", "z", 1) == wrong_args("zadd")
    assert conn.err("ZADD", "z", "NX", 1) == SYNTAX
    assert conn.err("ZADD", "z", 1, "a", 2) == SYNTAX
    assert conn.err("ZADD", "z", "NX", "XX", 1, "a") == XX_NX
    assert conn.err("ZADD", "z", "NX", "GT", 1, "a") == GT_LT_NX
    assert conn.err("ZADD", "z", "GT", "LT", 1, "a") == GT_LT_NX
    assert conn.err("ZADD", "z", "NX", "LT", 1, "a") == GT_LT_NX
    assert conn.err("ZADD", "z", "INCR", 1, "a", 2, "b") == INCR_PAIR
    assert conn.err("ZADD", "z", "abc", "a") == INVALID_FLOAT
    assert conn.err("ZADD", "z", "nan", "a") == INVALID_FLOAT
    assert conn.err("ZADD", "z", 1, "a", "x", "b") == INVALID_FLOAT
    assert conn.err("ZADD", "z", "1 ", "a") == INVALID_FLOAT
    assert conn.err("ZADD", "str", "abc", "a") == INVALID_FLOAT  # scores parsed first
    assert conn.err("ZADD", "str", 1, "a") == WRONGTYPE
    assert conn.call("EXISTS", "z") == 0


def test_rename_copy_keep_both_indexes(conn):
    conn.call("ZADD", "z", 1, "a", 2, "b")
    assert conn.call("RENAME", "z", "z2") == "OK"
    assert conn.call("COPY", "z2", "z3") == 1
    for key in ("z2", "z3"):
        assert conn.call("ZRANGE", key, 0, -1, "WITHSCORES") == [b"a", b"1", b"b", b"2"]
        assert conn.call("ZRANGEBYSCORE", key, 2, 2) == [b"b"]
        assert conn.call("ZSCORE", key, "a") == b"1"
    assert conn.call("EXISTS", "z") == 0


def test_zadd_keeps_ttl(conn):
    conn.call("ZADD", "z", 1, "a")
    conn.call("EXPIRE", "z", 100)
    conn.call("ZADD", "z", 2, "b")
    assert 99 <= conn.call("TTL", "z") <= 100


# --------------------------------------------------------------------------- ZINCRBY

def test_zincrby(conn):
    assert conn.call("ZINCRBY", "z", 5, "a") == b"5"
    assert conn.call("ZINCRBY", "z", "-1.5", "a") == b"3.5"
    assert conn.call("ZINCRBY", "z", "0.1", "b") == b"0.10000000000000001"
    assert conn.call("ZINCRBY", "z", "inf", "a") == b"inf"
    assert conn.err("ZINCRBY", "z", "-inf", "a") == NAN
    assert conn.err("ZINCRBY", "z", "abc", "a") == INVALID_FLOAT
    conn.call("SET", "str", "v")
    assert conn.err("ZINCRBY", "str", 1, "a") == WRONGTYPE
    assert conn.err("ZINCRBY", "z", 1) == wrong_args("zincrby")


# -------------------------------------------------------------- ZSCORE ZMSCORE ZCARD ZREM

def test_zmscore_zcard_zrem(conn):
    seed(conn)
    assert conn.call("ZMSCORE", "z", "a", "zz", "e") == [b"1", None, b"5"]
    assert conn.call("ZMSCORE", "missing", "a", "b") == [None, None]
    assert conn.call("ZCARD", "missing") == 0
    assert conn.call("ZREM", "z", "a", "zz", "a") == 1
    assert conn.call("ZREM", "missing", "a") == 0
    assert conn.call("ZCARD", "z") == 4
    assert conn.call("ZREM", "z", "b", "c", "d", "e") == 4
    assert conn.call("EXISTS", "z") == 0


def test_zscore_resp3_double(conn):
    conn.call("HELLO", 3)
    conn.call("ZADD", "z", 1.5, "a", "inf", "b")
    assert conn.call("ZSCORE", "z", "a") == 1.5
    assert conn.call("ZSCORE", "z", "b") == float("inf")
    assert conn.call("ZMSCORE", "z", "a", "x") == [1.5, None]
    assert conn.call("ZRANGE", "z", 0, -1, "WITHSCORES") == [[b"a", 1.5], [b"b", float("inf")]]
    assert conn.call("ZPOPMIN", "z") == [b"a", 1.5]
    assert conn.call("ZPOPMIN", "z", 1) == [[b"b", float("inf")]]
    assert conn.call("ZINCRBY", "z", 2, "c") == 2.0


# ----------------------------------------------------------------------- ZRANK ZREVRANK

def test_zrank_zrevrank(conn):
    seed(conn)
    conn.call("ZADD", "z", 3, "c2")
    assert [conn.call("ZRANK", "z", m) for m in ("a", "b", "c", "c2", "d", "e")] == list(range(6))
    assert [conn.call("ZREVRANK", "z", m) for m in ("a", "c2", "e")] == [5, 2, 0]
    assert conn.call("ZRANK", "z", "zz") is None
    assert conn.call("ZREVRANK", "missing", "a") is None
    conn.call("SET", "str", "v")
    assert conn.err("ZRANK", "str", "a") == WRONGTYPE
    assert conn.err("ZRANK", "z") == wrong_args("zrank")


# --------------------------------------------------------------------------- ZCOUNT

def test_zcount(conn):
    seed(conn)
    assert conn.call("ZCOUNT", "z", "-inf", "+inf") == 5
    assert conn.call("ZCOUNT", "z", 2, 4) == 3
    assert conn.call("ZCOUNT", "z", "(2", "(4") == 1
    assert conn.call("ZCOUNT", "z", 4, 2) == 0
    assert conn.call("ZCOUNT", "missing", 0, 1) == 0
    assert conn.err("ZCOUNT", "z", "x", 1) == NOT_FLOAT_RANGE
    assert conn.err("ZCOUNT", "z", 1, "nan") == NOT_FLOAT_RANGE
    assert conn.err("ZCOUNT", "z", "((1", 2) == NOT_FLOAT_RANGE
    conn.call("SET", "str", "v")
    assert conn.err("ZCOUNT", "str", "x", 1) == NOT_FLOAT_RANGE  # range parsed first
    assert conn.err("ZCOUNT", "str", 0, 1) == WRONGTYPE


# ---------------------------------------------------------------------------- ZRANGE

def test_zrange_by_rank(conn):
    seed(conn)
    assert conn.call("ZRANGE", "z", 0, -1) == [b"a", b"b", b"c", b"d", b"e"]
    assert conn.call("ZRANGE", "z", 1, 2, "WITHSCORES") == [b"b", b"2", b"c", b"3"]
    assert conn.call("ZRANGE", "z", -2, -1) == [b"d", b"e"]
    assert conn.call("ZRANGE", "z", -100, 100) == [b"a", b"b", b"c", b"d", b"e"]
    assert conn.call("ZRANGE", "z", 3, 1) == []
    assert conn.call("ZRANGE", "z", 5, 10) == []
    assert conn.call("ZRANGE", "z", 0, 1, "REV") == [b"e", b"d"]
    assert conn.call("ZRANGE", "z", -1, -1, "rev", "withscores") == [b"a", b"1"]
    assert conn.call("ZRANGE", "missing", 0, -1) == []
    assert conn.call("ZREVRANGE", "z", 0, 2) == [b"e", b"d", b"c"]
    assert conn.call("ZREVRANGE", "z", 0, 0, "WITHSCORES") == [b"e", b"5"]


def test_zrange_by_score(conn):
    seed(conn)
    assert conn.call("ZRANGE", "z", 2, 4, "BYSCORE") == [b"b", b"c", b"d"]
    assert conn.call("ZRANGE", "z", "(2", "+inf", "BYSCORE", "LIMIT", 1, 2) == [b"d", b"e"]
    assert conn.call("ZRANGE", "z", 4, 2, "BYSCORE", "REV", "WITHSCORES") == [
        b"d", b"4", b"c", b"3", b"b", b"2"]
    assert conn.call("ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", 0, 2) == [
        b"e", b"d"]
    assert conn.call("ZRANGE", "z", 2, 4, "BYSCORE", "REV") == []
    assert conn.call("ZRANGEBYSCORE", "z", "-inf", "(3") == [b"a", b"b"]
    assert conn.call("ZRANGEBYSCORE", "z", 1, 5, "WITHSCORES", "LIMIT", 3, -1) == [
        b"d", b"4", b"e", b"5"]
    assert conn.call("ZRANGEBYSCORE", "z", 1, 5, "LIMIT", -1, 2) == []
    assert conn.call("ZRANGEBYSCORE", "z", 1, 5, "LIMIT", 0, 0) == []
    assert conn.call("ZRANGEBYSCORE", "z", 1, 5, "LIMIT", 10, 1) == []
    assert conn.call("ZREVRANGEBYSCORE", "z", "(5", 3) == [b"d", b"c"]
    assert conn.call("ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES", "LIMIT", 1, 1) == [
        b"d", b"4"]
    assert conn.call("ZRANGEBYSCORE", "z", "3.5", "3.9") == []


def test_zrange_by_lex(conn):
    conn.call("ZADD", "z", 0, "a", 0, "b", 0, "c", 0, "d", 0, "e")
    assert conn.call("ZRANGE", "z", "[b", "(d", "BYLEX") == [b"b", b"c"]
    assert conn.call("ZRANGE", "z", "+", "-", "BYLEX", "REV", "LIMIT", 1, 2) == [b"d", b"c"]
    assert conn.call("ZRANGEBYLEX", "z", "-", "+") == [b"a", b"b", b"c", b"d", b"e"]
    assert conn.call("ZRANGEBYLEX", "z", "(a", "[c", "LIMIT", 1, 5) == [b"c"]
    assert conn.call("ZREVRANGEBYLEX", "z", "[d", "(a") == [b"d", b"c", b"b"]
    assert conn.call("ZRANGEBYLEX", "z", "+", "-") == []
    assert conn.call("ZLEXCOUNT", "z", "-", "+") == 5
    assert conn.call("ZLEXCOUNT", "z", "[b", "[c") == 2
    assert conn.call("ZLEXCOUNT", "missing", "-", "+") == 0
    assert conn.err("ZLEXCOUNT", "z", "a", "+") == NOT_LEX_RANGE
    assert conn.err("ZRANGEBYLEX", "z", "-", "++") == NOT_LEX_RANGE
    assert conn.err("ZRANGEBYLEX", "z", "", "+") == NOT_LEX_RANGE
    assert conn.err("ZRANGEBYLEX", "z", "-", "+", "WITHSCORES") == WITHSCORES_LEX


def test_zrange_errors(conn):
    seed(conn)
    conn.call("SET", "str", "v")
    assert conn.err("ZRANGE", "z", 0, -1, "LIMIT", 0, 1) == LIMIT_RANK
    assert conn.err("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES") == WITHSCORES_LEX
    assert conn.err("ZRANGE", "z", 0, -1, "BYSCORE", "BYLEX") == SYNTAX
    assert conn.err("ZRANGE", "z", 0, -1, "REV", "REV") == SYNTAX
    assert conn.err("ZRANGE", "z", 0, -1, "LIMIT", 0) == SYNTAX
    assert conn.err("ZRANGE", "z", 0, -1, "bogus") == SYNTAX
    assert conn.err("ZRANGE", "z", "a", -1) == INVALID_INT
    assert conn.err("ZRANGE", "z", "x", 1, "BYSCORE") == NOT_FLOAT_RANGE
    assert conn.err("ZRANGE", "z", 0, 1, "BYSCORE", "LIMIT", "x", 1) == INVALID_INT
    assert conn.err("ZRANGEBYSCORE", "z", 0, 1, "REV") == SYNTAX
    assert conn.err("ZRANGEBYSCORE", "z", 0, "y") == NOT_FLOAT_RANGE
    assert conn.err("ZREVRANGE", "z", 0, 1, "LIMIT", 0, 1) == LIMIT_RANK
    assert conn.err("ZRANGE", "str", 0, -1) == WRONGTYPE
    assert conn.err("ZRANGE", "str", "a", -1) == INVALID_INT  # range parsed first
    assert conn.err("ZRANGE", "z", 0) == wrong_args("zrange")
    assert conn.call("ZRANGE", "z", 0, -1, "LIMIT", 0, -1) == [b"a", b"b", b"c", b"d", b"e"]


# ------------------------------------------------------------------------ ZRANGESTORE

def test_zrangestore(conn):
    seed(conn)
    conn.call("SET", "dst", "string")
    assert conn.call("ZRANGESTORE", "dst", "z", 1, 3) == 3
    assert conn.call("ZRANGE", "dst", 0, -1, "WITHSCORES") == [b"b", b"2", b"c", b"3", b"d", b"4"]
    assert conn.call("ZRANGESTORE", "dst", "z", 5, 2, "BYSCORE", "REV", "LIMIT", 0, 2) == 2
    assert conn.call("ZRANGE", "dst", 0, -1) == [b"d", b"e"]
    assert conn.call("ZRANGESTORE", "dst", "z", "[c", "+", "BYLEX") == 3
    assert conn.call("ZRANGESTORE", "dst", "missing", 0, -1) == 0
    assert conn.call("EXISTS", "dst") == 0
    assert conn.call("ZRANGESTORE", "z", "z", 0, 0) == 1
    assert conn.call("ZRANGE", "z", 0, -1) == [b"a"]
    assert conn.err("ZRANGESTORE", "dst", "z", 0, -1, "WITHSCORES") == SYNTAX
    conn.call("SET", "str", "v")
    assert conn.err("ZRANGESTORE", "dst", "str", 0, -1) == WRONGTYPE


# ------------------------------------------------------------------- ZREMRANGEBY*

def test_zremrangeby(conn):
    seed(conn)
    assert conn.call("ZREMRANGEBYRANK", "z", 0, 1) == 2
    assert conn.call("ZRANGE", "z", 0, -1) == [b"c", b"d", b"e"]
    assert conn.call("ZREMRANGEBYSCORE", "z", "(3", 4) == 1
    assert conn.call("ZREMRANGEBYRANK", "z", 5, 10) == 0
    assert conn.call("ZREMRANGEBYRANK", "missing", 0, -1) == 0
    assert conn.call("ZREMRANGEBYSCORE", "z", "-inf", "+inf") == 2
    assert conn.call("EXISTS", "z") == 0
    conn.call("ZADD", "z", 0, "a", 0, "b", 0, "c")
    assert conn.call("ZREMRANGEBYLEX", "z", "(a", "+") == 2
    assert conn.call("ZRANGE", "z", 0, -1) == [b"a"]
    assert conn.err("ZREMRANGEBYRANK", "z", "x", 1) == INVALID_INT
    assert conn.err("ZREMRANGEBYSCORE", "z", "x", 1) == NOT_FLOAT_RANGE
    assert conn.err("ZREMRANGEBYLEX", "z", "x", "+") == NOT_LEX_RANGE
    conn.call("SET", "str", "v")
    assert conn.err("ZREMRANGEBYRANK", "str", 0, 1) == WRONGTYPE


# --------------------------------------------------------------------- ZPOPMIN ZPOPMAX

def test_zpopmin_zpopmax(conn):
    seed(conn)
    assert conn.call("ZPOPMIN", "z") == [b"a", b"1"]
    assert conn.call("ZPOPMAX", "z") == [b"e", b"5"]
    assert conn.call("ZPOPMIN", "z", 2) == [b"b", b"2", b"c", b"3"]
    assert conn.call("ZPOPMAX", "z", 0) == []
    assert conn.call("ZPOPMAX", "z", 10) == [b"d", b"4"]
    assert conn.call("EXISTS", "z") == 0
    assert conn.call("ZPOPMIN", "missing") == []
    assert conn.call("ZPOPMIN", "missing", 3) == []
    assert conn.err("ZPOPMIN", "z", -1) == POSITIVE
    assert conn.err("ZPOPMIN", "z", "x") == POSITIVE
    assert conn.err("ZPOPMIN", "z", 1, 2) == SYNTAX
    conn.call("SET", "str", "v")
    assert conn.err("ZPOPMAX", "str") == WRONGTYPE


# ------------------------------------------------------------------------ ZRANDMEMBER

def test_zrandmember(conn):
    data = {f"m{i}".encode(): str(i).encode() for i in range(20)}
    conn.call("ZADD", "z", *[x for m, s in data.items() for x in (s, m)])
    assert conn.call("ZRANDMEMBER", "z") in data
    assert conn.call("ZRANDMEMBER", "missing") is None
    for count in (1, 5, 20, 100):
        got = conn.call("ZRANDMEMBER", "z", count)
        assert len(got) == min(count, 20) and len(set(got)) == len(got)
        assert set(got) <= set(data)
    got = conn.call("ZRANDMEMBER", "z", -50, "WITHSCORES")
    assert len(got) == 100
    for m, s in zip(got[::2], got[1::2]):
        assert data[m] == s
    assert conn.call("ZRANDMEMBER", "z", 0) == []
    assert conn.call("ZRANDMEMBER", "missing", 5) == []
    assert conn.err("ZRANDMEMBER", "z", "x") == INVALID_INT
    assert conn.err("ZRANDMEMBER", "z", 1, "bogus") == SYNTAX
    assert conn.err("ZRANDMEMBER", "z", "-9223372036854775808") == (
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807")
    conn.call("SET", "str", "v")
    assert conn.err("ZRANDMEMBER", "str") == WRONGTYPE
    assert conn.err("ZRANDMEMBER", "str", 1) == WRONGTYPE


# ------------------------------------------------------------------------------ ZSCAN

def test_zscan(conn):
    conn.call("ZADD", "z", *[x for i in range(50) for x in (i, f"m{i}")])
    seen = {}
    cursor = b"0"
    while True:
        cursor, items = conn.call("ZSCAN", "z", cursor, "COUNT", 7)
        for m, s in zip(items[::2], items[1::2]):
            seen[m] = s
        if cursor == b"0":
            break
    assert seen == {f"m{i}".encode(): str(i).encode() for i in range(50)}
    cursor, items = conn.call("ZSCAN", "z", 0, "MATCH", "m1*", "COUNT", 1000)
    assert cursor == b"0"
    assert sorted(items[::2]) == sorted(f"m{i}".encode() for i in [1] + list(range(10, 20)))
    assert conn.call("ZSCAN", "missing", 0) == [b"0", []]
    assert conn.err("ZSCAN", "z", "x") == "ERR invalid cursor"
    assert conn.err("ZSCAN", "z", 0, "COUNT", 0) == SYNTAX
    assert conn.err("ZSCAN", "z", 0, "bogus") == SYNTAX
    conn.call("SET", "str", "v")
    assert conn.err("ZSCAN", "str", 0) == WRONGTYPE


# ---------------------------------------------------------------------------- algebra

def seed_algebra(conn):
    conn.call("ZADD", "z1", 1, "a", 2, "b", 3, "c")
    conn.call("ZADD", "z2", 10, "b", 20, "c", 30, "d")
    conn.call("SADD", "s", "c", "d", "e")


def test_zunion_zinter_zdiff(conn):
    seed_algebra(conn)
    assert conn.call("ZUNION", 2, "z1", "z2", "WITHSCORES") == [
        b"a", b"1", b"b", b"12", b"c", b"23", b"d", b"30"]
    assert conn.call("ZUNION", 3, "z1", "z2", "s", "AGGREGATE", "MAX") == [
        b"a", b"e", b"b", b"c", b"d"]
    assert conn.call("ZUNION", 2, "z1", "z2", "WEIGHTS", 2, "0.5", "AGGREGATE", "min",
                     "WITHSCORES") == [b"a", b"2", b"b", b"4", b"c", b"6", b"d", b"15"]
    assert conn.call("ZINTER", 2, "z1", "z2", "WITHSCORES") == [b"b", b"12", b"c", b"23"]
    assert conn.call("ZINTER", 3, "z1", "z2", "s", "WITHSCORES") == [b"c", b"24"]
    assert conn.call("ZINTER", 2, "z1", "missing") == []
    assert conn.call("ZDIFF", 2, "z1", "z2", "WITHSCORES") == [b"a", b"1"]
    assert conn.call("ZDIFF", 2, "s", "z1") == [b"d", b"e"]
    assert conn.call("ZDIFF", 2, "missing", "z1") == []
    assert conn.call("ZUNION", 2, "z1", "z1", "WEIGHTS", "inf", "-inf", "WITHSCORES") == [
        b"a", b"0", b"b", b"0", b"c", b"0"]
    assert conn.call("ZINTERCARD", 2, "z1", "z2") == 2
    assert conn.call("ZINTERCARD", 2, "z1", "z2", "LIMIT", 1) == 1
    assert conn.call("ZINTERCARD", 2, "z1", "z2", "LIMIT", 0) == 2
    assert conn.call("ZINTERCARD", 1, "missing") == 0


def test_zstore_commands(conn):
    seed_algebra(conn)
    conn.call("SET", "dst", "string")
    assert conn.call("ZUNIONSTORE", "dst", 2, "z1", "z2", "WEIGHTS", 1, 2) == 4
    assert conn.call("ZRANGE", "dst", 0, -1, "WITHSCORES") == [
        b"a", b"1", b"b", b"22", b"c", b"43", b"d", b"60"]
    assert conn.call("ZINTERSTORE", "dst", 2, "z1", "s", "AGGREGATE", "MAX") == 1
    assert conn.call("ZRANGE", "dst", 0, -1, "WITHSCORES") == [b"c", b"3"]
    assert conn.call("ZDIFFSTORE", "z1", 2, "z1", "z2") == 1
    assert conn.call("ZRANGE", "z1", 0, -1) == [b"a"]
    assert conn.call("ZINTERSTORE", "dst", 2, "z1", "missing") == 0
    assert conn.call("EXISTS", "dst") == 0


def test_algebra_errors(conn):
    seed_algebra(conn)
    conn.call("SET", "str", "v")
    assert conn.err("ZUNION", 0, "z1") == "ERR at least 1 input key is needed for 'zunion' command"
    assert conn.err("ZINTERSTORE", "d", 0, "z1") == (
        "ERR at least 1 input key is needed for 'zinterstore' command")
    assert conn.err("ZUNION", "x", "z1") == INVALID_INT
    assert conn.err("ZUNION", 3, "z1", "z2") == SYNTAX
    assert conn.err("ZUNION", 2, "z1", "str") == WRONGTYPE
    assert conn.err("ZUNION", 2, "str", "z1", "bogus") == WRONGTYPE  # keys checked first
    assert conn.err("ZUNION", 2, "z1", "z2", "WEIGHTS", 1, "x") == "ERR weight value is not a float"
    assert conn.err("ZUNION", 2, "z1", "z2", "WEIGHTS", 1) == SYNTAX
    assert conn.err("ZUNION", 2, "z1", "z2", "AGGREGATE", "avg") == SYNTAX
    assert conn.err("ZDIFF", 2, "z1", "z2", "WEIGHTS", 1, 2) == SYNTAX
    assert conn.err("ZUNIONSTORE", "d", 2, "z1", "z2", "WITHSCORES") == SYNTAX
    assert conn.err("ZINTERCARD", 0, "z1") == (
        "ERR at least 1 input key is needed for 'zintercard' command")
    assert conn.err("ZINTERCARD", 1, "z1", "LIMIT", -1) == "ERR LIMIT can't be negative"
    assert conn.err("ZINTERCARD", 1, "z1", "WITHSCORES") == SYNTAX
    assert conn.err("ZINTERCARD", 1, "str") == WRONGTYPE


def test_zmpop(conn):
    seed_algebra(conn)
    assert conn.call("ZMPOP", 2, "missing", "z1", "MIN") == [b"z1", [[b"a", b"1"]]]
    assert conn.call("ZMPOP", 1, "z2", "max", "COUNT", 2) == [
        b"z2", [[b"d", b"30"], [b"c", b"20"]]]
    assert conn.call("ZMPOP", 1, "z2", "MIN", "COUNT", 10) == [b"z2", [[b"b", b"10"]]]
    assert conn.call("EXISTS", "z2") == 0
    assert conn.call("ZMPOP", 2, "missing", "z2", "MIN") is None
    conn.call("SET", "str", "v")
    assert conn.err("ZMPOP", 2, "str", "z1", "MIN") == WRONGTYPE
    assert conn.err("ZMPOP", 0, "z1", "MIN") == "ERR numkeys should be greater than 0"
    assert conn.err("ZMPOP", "x", "z1", "MIN") == "ERR numkeys should be greater than 0"
    assert conn.err("ZMPOP", 1, "z1", "MID") == SYNTAX
    assert conn.err("ZMPOP", 2, "z1", "MIN") == SYNTAX
    assert conn.err("ZMPOP", 1, "z1", "MIN", "COUNT", 0) == "ERR count should be greater than 0"
    assert conn.err("ZMPOP", 1, "z1", "MIN", "COUNT", 1, "COUNT", 1) == SYNTAX
    conn.call("HELLO", 3)
    assert conn.call("ZMPOP", 1, "z1", "MIN") == [b"z1", [[b"b", 2.0]]]


# ----------------------------------------------------------------------- arity, types

def test_zset_arity(conn):
    for cmd, args in [("ZADD", ["k", "1"]), ("ZINCRBY", ["k", "1"]), ("ZREM", ["k"]),
                      ("ZCARD", []), ("ZSCORE", ["k"]), ("ZMSCORE", ["k"]), ("ZRANK", ["k"]),
                      ("ZREVRANK", ["k"]), ("ZCOUNT", ["k", "0"]), ("ZLEXCOUNT", ["k", "-"]),
                      ("ZRANGE", ["k", "0"]), ("ZRANGESTORE", ["d", "k", "0"]),
                      ("ZRANGEBYSCORE", ["k", "0"]), ("ZREVRANGEBYSCORE", ["k", "0"]),
                      ("ZRANGEBYLEX", ["k", "-"]), ("ZREVRANGEBYLEX", ["k", "+"]),
                      ("ZREVRANGE", ["k", "0"]), ("ZREMRANGEBYRANK", ["k", "0"]),
                      ("ZREMRANGEBYSCORE", ["k", "0"]), ("ZREMRANGEBYLEX", ["k", "-"]),
                      ("ZPOPMIN", []), ("ZPOPMAX", []), ("ZRANDMEMBER", []), ("ZSCAN", ["k"])]:
        assert conn.err(cmd, *args) == wrong_args(cmd.lower()), cmd


def test_zset_wrongtype_both_ways(conn):
    conn.call("SET", "str", "v")
    conn.call("ZADD", "z", 1, "a")
    for args in [("ZREM", "str", "a"), ("ZCARD", "str"), ("ZSCORE", "str", "a"),
                 ("ZMSCORE", "str", "a"), ("ZREVRANK", "str", "a"), ("ZLEXCOUNT", "str", "-", "+"),
                 ("ZRANGEBYSCORE", "str", 0, 1), ("ZREVRANGEBYLEX", "str", "+", "-"),
                 ("ZREMRANGEBYSCORE", "str", 0, 1), ("ZREMRANGEBYLEX", "str", "-", "+"),
                 ("ZPOPMIN", "str", 1)]:
        assert conn.err(*args) == WRONGTYPE, args
    assert conn.err("GET", "z") == WRONGTYPE
    assert conn.err("SADD", "z", "x") == WRONGTYPE


def test_zset_command_info(conn):
    info = conn.call("COMMAND", "INFO", "zadd", "zrange", "zpopmin")
    assert info[0][:6] == [b"zadd", -4, ["write", "denyoom", "fast"], 1, 1, 1]
    assert info[1][:6] == [b"zrange", -4, ["readonly"], 1, 1, 1]
    assert info[2][:6] == [b"zpopmin", -2, ["write", "fast"], 1, 1, 1]
    assert set(info[0][6]) == {"@write", "@sortedset", "@fast"}


# -------------------------------------------------------------------------- leaderboard

def test_leaderboard_against_model(conn):
    rng = random.Random(2024)
    model = {}
    players = [f"p{i:02d}" for i in range(40)]
    for _ in range(400):
        p = rng.choice(players)
        op = rng.random()
        if op < 0.5:
            delta = rng.randint(-5, 20)
            got = conn.call("ZINCRBY", "board", delta, p)
            model[p] = model.get(p, 0) + delta
            assert float(got) == model[p]
        elif op < 0.7:
            score = rng.randint(0, 100)
            added = conn.call("ZADD", "board", "GT", "CH", score, p)
            old = model.get(p)
            changed = old is None or score > old
            if changed:
                model[p] = score
            assert added == (1 if changed else 0)
        elif op < 0.8:
            assert conn.call("ZREM", "board", p) == (1 if model.pop(p, None) is not None else 0)
        else:
            order = sorted(model, key=lambda m: (model[m], m))
            if p in model:
                assert conn.call("ZRANK", "board", p) == order.index(p)
                assert conn.call("ZREVRANK", "board", p) == len(order) - 1 - order.index(p)
            else:
                assert conn.call("ZRANK", "board", p) is None
    order = sorted(model, key=lambda m: (model[m], m))
    assert conn.call("ZCARD", "board") == len(model)
    top = conn.call("ZREVRANGE", "board", 0, 9, "WITHSCORES")
    assert top[::2] == [m.encode() for m in reversed(order)][:10]
    assert [float(s) for s in top[1::2]] == [model[m] for m in reversed(order)][:10]
    assert conn.call("ZRANGEBYSCORE", "board", 10, 30) == [
        m.encode() for m in order if 10 <= model[m] <= 30]
    assert conn.call("ZCOUNT", "board", "(10", "+inf") == sum(1 for v in model.values() if v > 10)


# ------------------------------------------------------------------------- persistence

@pytest.mark.persistence
def test_zsets_survive_restart(server, r):
    c = server.conn()
    c.call("ZADD", "z", 1, "a", 2.5, "b", "-inf", "c", 3, "d")
    c.call("ZREM", "z", "d")
    c.call("ZINCRBY", "z", 1, "a")
    c.call("ZADD", "gone", 1, "x")
    c.call("ZPOPMIN", "gone")
    c.call("ZRANGESTORE", "dst", "z", 0, 0)
    c.close()
    server.restart()
    c = server.conn()
    try:
        assert c.call("ZRANGE", "z", 0, -1, "WITHSCORES") == [
            b"c", b"-inf", b"a", b"2", b"b", b"2.5"]
        assert c.call("ZCARD", "z") == 3
        assert c.call("ZRANK", "z", "b") == 2
        assert c.call("ZRANGEBYSCORE", "z", 2, "+inf") == [b"a", b"b"]
        assert c.call("EXISTS", "gone") == 0
        assert c.call("ZRANGE", "dst", 0, -1) == [b"c"]
    finally:
        c.close()


@pytest.mark.persistence
def test_leaderboard_100k_members_against_model(server, r):
    # The leaderboard: 100,000 members, random ZINCRBY, top-10 and ranks checked against
    # a Python model, then again after a restart.
    rng = random.Random(20261124)
    members = [f"player:{i}" for i in range(100_000)]
    model = {}
    pipe = r.pipeline(transaction=False)
    for start in range(0, len(members), 5000):
        chunk = {m: rng.randint(0, 1000) for m in members[start:start + 5000]}
        model.update(chunk)
        pipe.zadd("board", chunk)
    pipe.execute()
    for _ in range(20):
        for _ in range(500):
            m = rng.choice(members)
            d = rng.randint(-50, 100)
            model[m] += d
            pipe.zincrby("board", d, m)
        pipe.execute()

    def ranked():
        # Redis orders by score, then member bytes; ZREVRANGE reverses both.
        return sorted(model.items(), key=lambda kv: (kv[1], kv[0].encode()), reverse=True)

    def check():
        order = ranked()
        assert r.zcard("board") == len(model)
        top = r.zrevrange("board", 0, 9, withscores=True)
        assert [(m.decode(), int(s)) for m, s in top] == order[:10]
        for m in rng.sample(members, 20):
            expected = next(i for i, (name, _) in enumerate(order) if name == m)
            assert r.zrevrank("board", m) == expected
            assert r.zscore("board", m) == model[m]

    check()
    server.restart()
    check()
