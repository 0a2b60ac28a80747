"""String commands, end to end. Every expected reply was checked against redis-server 7.0.15.

`conn` is a RespConn: simple strings come back as str ("OK"), bulk strings as bytes (b"v"),
nil as None, errors through conn.err(...) as the full text ("ERR ...")."""

import os
import time

import pytest

from e2e_support import ReplyError

INVALID_INT = "ERR value is not an integer or out of range"
INVALID_FLOAT = "ERR value is not a valid float"
OVERFLOW = "ERR increment or decrement would overflow"
SYNTAX = "ERR syntax error"


def wrong_args(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def invalid_expire(cmd):
    return f"ERR invalid expire time in '{cmd}' command"


# ---------------------------------------------------------------------------------- GET / SET

def test_set_get_basic(conn):
    assert conn.call("GET", "k") is None
    assert conn.call("SET", "k", "v") == "OK"
    assert conn.call("GET", "k") == b"v"
    assert conn.call("SET", "k", "other") == "OK"
    assert conn.call("GET", "k") == b"other"
    assert conn.call("SET", "empty", "") == "OK"
    assert conn.call("GET", "empty") == b""
    assert conn.call("EXISTS", "empty") == 1


def test_set_get_arity(conn):
    assert conn.err("GET") == wrong_args("get")
    assert conn.err("GET", "a", "b") == wrong_args("get")
    assert conn.err("SET", "a") == wrong_args("set")
    assert conn.err("SET") == wrong_args("set")


def test_set_ex_px(conn):
    assert conn.call("SET", "k", "v", "EX", 100) == "OK"
    assert 99 <= conn.call("TTL", "k") <= 100
    assert conn.call("SET", "k", "v", "PX", 100000) == "OK"
    assert 98000 <= conn.call("PTTL", "k") <= 100000
    assert conn.call("SET", "k", "v", "ex", 50) == "OK"  # options are case-insensitive
    assert 49 <= conn.call("TTL", "k") <= 50


def test_set_exat_pxat(conn):
    now = int(time.time())
    assert conn.call("SET", "k", "v", "EXAT", now + 100) == "OK"
    assert 98 <= conn.call("TTL", "k") <= 100
    assert conn.call("EXPIRETIME", "k") == now + 100
    now_ms = int(time.time() * 1000)
    assert conn.call("SET", "k", "v", "PXAT", now_ms + 100000) == "OK"
    assert conn.call("PEXPIRETIME", "k") == now_ms + 100000
    assert 98000 <= conn.call("PTTL", "k") <= 100000


def test_set_exat_in_the_past_deletes(conn):
    conn.call("SET", "k", "old")
    assert conn.call("SET", "k", "v", "EXAT", 1) == "OK"
    assert conn.call("EXISTS", "k") == 0
    assert conn.call("SET", "k2", "v", "PXAT", 1) == "OK"
    assert conn.call("GET", "k2") is None


def test_set_plain_clears_ttl_and_keepttl_keeps_it(conn):
    conn.call("SET", "k", "v", "EX", 100)
    assert conn.call("SET", "k", "v2", "KEEPTTL") == "OK"
    assert 99 <= conn.call("TTL", "k") <= 100
    assert conn.call("GET", "k") == b"v2"
    assert conn.call("SET", "k", "v3") == "OK"
    assert conn.call("TTL", "k") == -1
    assert conn.call("SET", "new", "v", "KEEPTTL") == "OK"
    assert conn.call("TTL", "new") == -1


def test_set_nx_xx(conn):
    assert conn.call("SET", "k", "v", "XX") is None
    assert conn.call("EXISTS", "k") == 0
    assert conn.call("SET", "k", "v", "NX") == "OK"
    assert conn.call("SET", "k", "w", "NX") is None
    assert conn.call("GET", "k") == b"v"
    assert conn.call("SET", "k", "w", "XX") == "OK"
    assert conn.call("GET", "k") == b"w"
    assert conn.call("SET", "k", "x", "XX", "PX", 100000) == "OK"
    assert conn.call("PTTL", "k") > 0


def test_set_get_option(conn):
    assert conn.call("SET", "k", "v1", "GET") is None
    assert conn.call("GET", "k") == b"v1"
    assert conn.call("SET", "k", "v2", "GET") == b"v1"
    assert conn.call("SET", "k", "v3", "GET", "EX", 100) == b"v2"
    assert 99 <= conn.call("TTL", "k") <= 100
    assert conn.call("SET", "k", "v4", "XX", "EX", 100, "GET") == b"v3"


def test_set_nx_get_allowed_since_7(conn):
    # Redis 7.0 accepts NX together with GET.
    assert conn.call("SET", "k", "first", "NX", "GET") is None
    assert conn.call("GET", "k") == b"first"
    assert conn.call("SET", "k", "second", "NX", "GET") == b"first"
    assert conn.call("GET", "k") == b"first"  # not overwritten
    assert conn.call("SET", "missing", "x", "XX", "GET") is None
    assert conn.call("EXISTS", "missing") == 0


def test_set_repeated_options_are_accepted(conn):
    # Redis only rejects *conflicting* flags; repeating the same one is fine, last EX wins.
    assert conn.call("SET", "k", "v", "EX", 10, "EX", 20) == "OK"
    assert 19 <= conn.call("TTL", "k") <= 20
    assert conn.call("SET", "k", "v", "NX", "NX") is None
    assert conn.call("SET", "k", "v", "KEEPTTL", "keepttl") == "OK"
    assert conn.call("SET", "k", "v", "GET", "GET") == b"v"


@pytest.mark.parametrize("args", [
    ("NX", "XX"),
    ("XX", "NX"),
    ("EX", 10, "PX", 100),
    ("PX", 10, "EXAT", 10),
    ("EXAT", 10, "PXAT", 10),
    ("EX", 10, "KEEPTTL"),
    ("KEEPTTL", "PX", 100),
    ("EX",),
    ("PX",),
    ("FOO",),
    ("EX", 10, "FOO"),
    ("NX", "GETX"),
])
def test_set_syntax_errors(conn, args):
    assert conn.err("SET", "k", "v", *args) == SYNTAX
    assert conn.call("EXISTS", "k") == 0


@pytest.mark.parametrize("args", [
    ("EX", 0), ("EX", -1), ("PX", 0), ("PX", -5), ("EXAT", 0), ("PXAT", 0), ("EXAT", -1),
    ("PX", "9223372036854775807"), ("EX", "9999999999999999"),
])
def test_set_invalid_expire_time(conn, args):
    assert conn.err("SET", "k", "v", *args) == invalid_expire("set")
    assert conn.call("EXISTS", "k") == 0


@pytest.mark.parametrize("args", [("EX", "abc"), ("PX", "1.5"), ("EXAT", ""), ("PXAT", "10a")])
def test_set_expire_not_integer(conn, args):
    assert conn.err("SET", "k", "v", *args) == INVALID_INT


# --------------------------------------------------------------------- SETNX SETEX PSETEX GETSET

def test_setnx(conn):
    assert conn.call("SETNX", "k", "v") == 1
    assert conn.call("SETNX", "k", "w") == 0
    assert conn.call("GET", "k") == b"v"
    assert conn.err("SETNX", "k") == wrong_args("setnx")


def test_setex_psetex(conn):
    assert conn.call("SETEX", "k", 100, "v") == "OK"
    assert conn.call("GET", "k") == b"v"
    assert 99 <= conn.call("TTL", "k") <= 100
    assert conn.call("PSETEX", "p", 100000, "v") == "OK"
    assert 98000 <= conn.call("PTTL", "p") <= 100000
    assert conn.err("SETEX", "k", 0, "v") == invalid_expire("setex")
    assert conn.err("SETEX", "k", -1, "v") == invalid_expire("setex")
    assert conn.err("PSETEX", "k", 0, "v") == invalid_expire("psetex")
    assert conn.err("SETEX", "k", "abc", "v") == INVALID_INT
    assert conn.err("PSETEX", "k", "1.5", "v") == INVALID_INT
    assert conn.err("SETEX", "k", 10) == wrong_args("setex")
    assert conn.err("PSETEX", "k", 10) == wrong_args("psetex")
    assert conn.call("GET", "k") == b"v"


def test_getset(conn):
    assert conn.call("GETSET", "k", "a") is None
    assert conn.call("GETSET", "k", "b") == b"a"
    assert conn.call("GET", "k") == b"b"
    conn.call("SET", "t", "x", "EX", 100)
    assert conn.call("GETSET", "t", "y") == b"x"
    assert conn.call("TTL", "t") == -1  # GETSET discards the TTL


def test_getdel(conn):
    conn.call("SET", "k", "v", "EX", 100)
    assert conn.call("GETDEL", "k") == b"v"
    assert conn.call("EXISTS", "k") == 0
    assert conn.call("GETDEL", "k") is None
    assert conn.err("GETDEL") == wrong_args("getdel")


# ------------------------------------------------------------------------------------- GETEX

def test_getex_no_options_keeps_ttl(conn):
    conn.call("SET", "k", "v", "EX", 100)
    assert conn.call("GETEX", "k") == b"v"
    assert 99 <= conn.call("TTL", "k") <= 100
    conn.call("SET", "p", "v")
    assert conn.call("GETEX", "p") == b"v"
    assert conn.call("TTL", "p") == -1
    assert conn.call("GETEX", "missing") is None


def test_getex_sets_expiry(conn):
    conn.call("SET", "k", "v")
    assert conn.call("GETEX", "k", "EX", 100) == b"v"
    assert 99 <= conn.call("TTL", "k") <= 100
    assert conn.call("GETEX", "k", "PX", 200000) == b"v"
    assert 198000 <= conn.call("PTTL", "k") <= 200000
    at = int(time.time()) + 300
    assert conn.call("GETEX", "k", "EXAT", at) == b"v"
    assert conn.call("EXPIRETIME", "k") == at
    at_ms = int(time.time() * 1000) + 400000
    assert conn.call("GETEX", "k", "PXAT", at_ms) == b"v"
    assert conn.call("PEXPIRETIME", "k") == at_ms
    assert conn.call("GETEX", "k", "PERSIST") == b"v"
    assert conn.call("TTL", "k") == -1


def test_getex_past_time_deletes(conn):
    conn.call("SET", "k", "v")
    assert conn.call("GETEX", "k", "EXAT", 1) == b"v"
    assert conn.call("EXISTS", "k") == 0


def test_getex_errors(conn):
    conn.call("SET", "k", "v")
    assert conn.err("GETEX", "k", "EX", 0) == invalid_expire("getex")
    assert conn.err("GETEX", "k", "PX", -1) == invalid_expire("getex")
    assert conn.err("GETEX", "k", "EX", "9223372036854775807") == invalid_expire("getex")
    assert conn.err("GETEX", "k", "EX", "abc") == INVALID_INT
    assert conn.err("GETEX", "k", "EX", 10, "PX", 10) == SYNTAX
    assert conn.err("GETEX", "k", "EX", 10, "PERSIST") == SYNTAX
    assert conn.err("GETEX", "k", "PERSIST", "EX", 10) == SYNTAX
    assert conn.err("GETEX", "k", "FOO") == SYNTAX
    assert conn.err("GETEX", "k", "EX") == SYNTAX
    assert conn.err("GETEX") == wrong_args("getex")
    assert conn.call("TTL", "k") == -1


def test_getex_missing_key_ignores_bad_options(conn):
    # Redis looks the key up first: a missing key answers nil even when the options are bad.
    assert conn.call("GETEX", "missing", "EX", 0) is None
    assert conn.call("GETEX", "missing", "EX", "abc") is None


# --------------------------------------------------------------------------- MGET MSET MSETNX

def test_mset_mget(conn):
    assert conn.call("MSET", "a", 1, "b", 2, "c", 3) == "OK"
    assert conn.call("MGET", "a", "nosuch", "b", "c", "a") == [b"1", None, b"2", b"3", b"1"]
    assert conn.call("MSET", "a", "x", "a", "y") == "OK"  # last one wins
    assert conn.call("GET", "a") == b"y"
    conn.call("SET", "t", "v", "EX", 100)
    conn.call("MSET", "t", "w")
    assert conn.call("TTL", "t") == -1
    assert conn.err("MSET", "a") == wrong_args("mset")
    assert conn.err("MSET", "a", 1, "b") == wrong_args("mset")
    assert conn.err("MGET") == wrong_args("mget")


def test_msetnx(conn):
    assert conn.call("MSETNX", "a", 1, "b", 2) == 1
    assert conn.call("MSETNX", "b", 20, "c", 30) == 0
    assert conn.call("EXISTS", "c") == 0
    assert conn.call("MGET", "a", "b") == [b"1", b"2"]
    assert conn.err("MSETNX", "c") == wrong_args("msetnx")
    assert conn.err("MSETNX", "c", 1, "d") == wrong_args("msetnx")


# --------------------------------------------------------------------------- INCR / DECR family

def test_incr_decr(conn):
    assert conn.call("INCR", "n") == 1
    assert conn.call("INCR", "n") == 2
    assert conn.call("INCRBY", "n", 10) == 12
    assert conn.call("DECR", "n") == 11
    assert conn.call("DECRBY", "n", 20) == -9
    assert conn.call("INCRBY", "n", -1) == -10
    assert conn.call("GET", "n") == b"-10"
    assert conn.call("DECR", "m") == -1
    assert conn.call("DECRBY", "o", 5) == -5
    conn.call("SET", "s", "41")
    assert conn.call("INCR", "s") == 42
    assert conn.call("GET", "s") == b"42"


def test_incr_keeps_ttl(conn):
    conn.call("SET", "n", 5, "EX", 100)
    assert conn.call("INCR", "n") == 6
    assert 99 <= conn.call("TTL", "n") <= 100


@pytest.mark.parametrize("value", ["abc", " 1", "1 ", "+1", "0x10", "", "1.5", "1e3",
                                   "123456789012345678901", "9223372036854775808", "01"])
def test_incr_not_an_integer(conn, value):
    conn.call("SET", "n", value)
    assert conn.err("INCR", "n") == INVALID_INT
    assert conn.err("DECR", "n") == INVALID_INT
    assert conn.err("INCRBY", "n", 1) == INVALID_INT
    assert conn.call("GET", "n") == value.encode()


def test_incrby_argument_errors(conn):
    assert conn.err("INCRBY", "n", "abc") == INVALID_INT
    assert conn.err("INCRBY", "n", "1.0") == INVALID_INT
    assert conn.err("DECRBY", "n", "") == INVALID_INT
    assert conn.err("INCRBY", "n", "9223372036854775808") == INVALID_INT
    assert conn.err("INCR", "n", 1) == wrong_args("incr")
    assert conn.err("INCRBY", "n") == wrong_args("incrby")
    assert conn.call("EXISTS", "n") == 0


def test_incr_overflow(conn):
    conn.call("SET", "max", "9223372036854775807")
    assert conn.err("INCR", "max") == OVERFLOW
    assert conn.err("INCRBY", "max", 1) == OVERFLOW
    assert conn.err("DECRBY", "max", -1) == OVERFLOW
    assert conn.call("GET", "max") == b"9223372036854775807"
    conn.call("SET", "min", "-9223372036854775808")
    assert conn.err("DECR", "min") == OVERFLOW
    assert conn.err("INCRBY", "min", -1) == OVERFLOW
    assert conn.call("INCRBY", "x", "9223372036854775807") == 9223372036854775807
    assert conn.call("INCRBY", "y", "-9223372036854775808") == -9223372036854775808
    assert conn.call("DECRBY", "z", "9223372036854775807") == -9223372036854775807


def test_decrby_llong_min_has_its_own_message(conn):
    # DECRBY cannot negate LLONG_MIN: Redis answers with a different text than other overflows.
    assert conn.err("DECRBY", "n", "-9223372036854775808") == "ERR decrement would overflow"
    assert conn.call("EXISTS", "n") == 0


def test_incrbyfloat(conn):
    assert conn.call("INCRBYFLOAT", "f", "10.5") == b"10.5"
    assert conn.call("INCRBYFLOAT", "f", "0.1") == b"10.6"
    assert conn.call("GET", "f") == b"10.6"
    assert conn.call("INCRBYFLOAT", "g", "5.0e3") == b"5000"
    assert conn.call("INCRBYFLOAT", "h", "3.0e3") == b"3000"
    assert conn.call("INCRBYFLOAT", "i", "10.50") == b"10.5"
    assert conn.call("INCRBYFLOAT", "i", "-10.5") == b"0"
    assert conn.call("INCRBYFLOAT", "j", "-0") == b"0"
    conn.call("SET", "k", "1e5")
    assert conn.call("INCRBYFLOAT", "k", "0") == b"100000"
    conn.call("SET", "int", 7)
    assert conn.call("INCRBYFLOAT", "int", "1") == b"8"
    assert conn.call("INCRBYFLOAT", "int", "-0.25") == b"7.75"
    assert conn.call("INCRBYFLOAT", "big", "1e17") == b"100000000000000000"


def test_incrbyfloat_keeps_ttl(conn):
    conn.call("SET", "f", "1.5", "EX", 100)
    assert conn.call("INCRBYFLOAT", "f", "1") == b"2.5"
    assert 99 <= conn.call("TTL", "f") <= 100


def test_incrbyfloat_long_double_precision(conn):
    # Redis computes in long double and prints with "%.17Lf" then strips trailing zeros.
    assert conn.call("INCRBYFLOAT", "a", "0.1") == b"0.1"
    assert conn.call("INCRBYFLOAT", "a", "0.2") == b"0.3"
    assert conn.call("INCRBYFLOAT", "b", "1.23456789012345678901") == b"1.23456789012345679"
    assert conn.call("INCRBYFLOAT", "c", "5e-20") == b"0"  # fixed-point: 17 decimals, no exponent


def test_incrbyfloat_errors(conn):
    conn.call("SET", "s", "abc")
    assert conn.err("INCRBYFLOAT", "s", "1") == INVALID_FLOAT
    conn.call("SET", "sp", " 1")
    assert conn.err("INCRBYFLOAT", "sp", "1") == INVALID_FLOAT
    assert conn.err("INCRBYFLOAT", "n", "abc") == INVALID_FLOAT
    assert conn.err("INCRBYFLOAT", "n", " 1") == INVALID_FLOAT
    assert conn.err("INCRBYFLOAT", "n", "") == INVALID_FLOAT
    assert conn.err("INCRBYFLOAT", "n", "nan") == INVALID_FLOAT
    assert conn.err("INCRBYFLOAT", "n", "inf") == "ERR increment would produce NaN or Infinity"
    assert conn.err("INCRBYFLOAT", "n", "-inf") == "ERR increment would produce NaN or Infinity"
    assert conn.err("INCRBYFLOAT", "n") == wrong_args("incrbyfloat")
    assert conn.call("EXISTS", "n") == 0
    assert conn.call("GET", "s") == b"abc"


# ------------------------------------------------------------------------------ APPEND STRLEN

def test_append_strlen(conn):
    assert conn.call("STRLEN", "k") == 0
    assert conn.call("APPEND", "k", "hello") == 5
    assert conn.call("APPEND", "k", " world") == 11
    assert conn.call("GET", "k") == b"hello world"
    assert conn.call("STRLEN", "k") == 11
    assert conn.call("APPEND", "k", "") == 11
    conn.call("SET", "n", 12345)
    assert conn.call("STRLEN", "n") == 5
    assert conn.call("APPEND", "n", 6) == 6
    assert conn.call("GET", "n") == b"123456"
    assert conn.call("INCR", "n") == 123457
    assert conn.call("APPEND", "empty", "") == 0
    assert conn.call("EXISTS", "empty") == 1
    assert conn.err("APPEND", "k") == wrong_args("append")
    assert conn.err("STRLEN") == wrong_args("strlen")


def test_append_keeps_ttl(conn):
    conn.call("SET", "k", "a", "EX", 100)
    conn.call("APPEND", "k", "b")
    assert 99 <= conn.call("TTL", "k") <= 100


# ---------------------------------------------------------------------- GETRANGE SUBSTR SETRANGE

@pytest.mark.parametrize("start,end,expected", [
    (0, 3, b"This"), (-3, -1, b"ing"), (0, -1, b"This is a string"), (10, 100, b"string"),
    (-100, -50, b"T"), (5, 3, b""), (-1, -5, b""), (16, 20, b""), (15, 15, b"g"),
    (0, 0, b"T"), (-100, 100, b"This is a string"),
])
def test_getrange(conn, start, end, expected):
    conn.call("SET", "s", "This is a string")
    assert conn.call("GETRANGE", "s", start, end) == expected
    assert conn.call("SUBSTR", "s", start, end) == expected


def test_getrange_misc(conn):
    assert conn.call("GETRANGE", "missing", 0, -1) == b""
    conn.call("SET", "n", 12345)
    assert conn.call("GETRANGE", "n", 1, 2) == b"23"
    conn.call("SET", "e", "")
    assert conn.call("GETRANGE", "e", 0, -1) == b""
    assert conn.err("GETRANGE", "s", "abc", 1) == INVALID_INT
    assert conn.err("GETRANGE", "s", 0) == wrong_args("getrange")
    assert conn.err("SUBSTR", "s") == wrong_args("substr")


def test_setrange(conn):
    conn.call("SET", "k", "Hello World")
    assert conn.call("SETRANGE", "k", 6, "Redis") == 11
    assert conn.call("GET", "k") == b"Hello Redis"
    assert conn.call("SETRANGE", "k", 11, "!!") == 13
    assert conn.call("GET", "k") == b"Hello Redis!!"
    assert conn.call("SETRANGE", "pad", 5, "xy") == 7
    assert conn.call("GET", "pad") == b"\x00\x00\x00\x00\x00xy"
    assert conn.call("SETRANGE", "pad", 1, "") == 7
    assert conn.call("GET", "pad") == b"\x00\x00\x00\x00\x00xy"
    conn.call("SET", "n", 1234)
    assert conn.call("SETRANGE", "n", 1, "x") == 4
    assert conn.call("GET", "n") == b"1x34"
    conn.call("SET", "t", "abc", "EX", 100)
    conn.call("SETRANGE", "t", 0, "x")
    assert 99 <= conn.call("TTL", "t") <= 100


def test_setrange_empty_value_on_missing_key_creates_nothing(conn):
    assert conn.call("SETRANGE", "missing", 0, "") == 0
    assert conn.call("SETRANGE", "missing", 10, "") == 0
    assert conn.call("EXISTS", "missing") == 0


def test_setrange_errors(conn):
    conn.call("SET", "k", "abc")
    assert conn.err("SETRANGE", "k", -1, "x") == "ERR offset is out of range"
    assert conn.err("SETRANGE", "k", "abc", "x") == INVALID_INT
    too_big = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
    assert conn.err("SETRANGE", "k", 536870912, "x") == too_big
    assert conn.err("SETRANGE", "k", 536870911, "xy") == too_big
    assert conn.err("SETRANGE", "new", 536870912, "x") == too_big
    assert conn.call("EXISTS", "new") == 0
    assert conn.err("SETRANGE", "k", 0) == wrong_args("setrange")
    assert conn.call("GET", "k") == b"abc"


# ------------------------------------------------------------------------------------------- LCS

def test_lcs(conn):
    conn.call("MSET", "key1", "ohmytext", "key2", "mynewtext")
    assert conn.call("LCS", "key1", "key2") == b"mytext"
    assert conn.call("LCS", "key1", "key2", "LEN") == 6
    assert conn.call("LCS", "key1", "key2", "IDX") == [
        b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len", 6]
    assert conn.call("LCS", "key1", "key2", "IDX", "MINMATCHLEN", 4) == [
        b"matches", [[[4, 7], [5, 8]]], b"len", 6]
    assert conn.call("LCS", "key1", "key2", "IDX", "WITHMATCHLEN") == [
        b"matches", [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], b"len", 6]
    assert conn.call("LCS", "key1", "key2", "IDX", "MINMATCHLEN", 4, "WITHMATCHLEN") == [
        b"matches", [[[4, 7], [5, 8], 4]], b"len", 6]
    # MINMATCHLEN / WITHMATCHLEN without IDX are accepted and do not change the reply
    assert conn.call("LCS", "key1", "key2", "MINMATCHLEN", 4) == b"mytext"
    assert conn.call("LCS", "key1", "key2", "WITHMATCHLEN") == b"mytext"
    assert conn.call("LCS", "key1", "key2", "LEN", "WITHMATCHLEN") == 6
    assert conn.call("LCS", "key1", "key2", "IDX", "MINMATCHLEN", -5)[1] == [
        [[4, 7], [5, 8]], [[2, 3], [0, 1]]]


def test_lcs_missing_and_identical(conn):
    conn.call("SET", "a", "hello")
    assert conn.call("LCS", "a", "missing") == b""
    assert conn.call("LCS", "missing", "missing2", "LEN") == 0
    assert conn.call("LCS", "a", "missing", "IDX") == [b"matches", [], b"len", 0]
    assert conn.call("LCS", "a", "a") == b"hello"
    assert conn.call("LCS", "a", "a", "IDX", "WITHMATCHLEN") == [
        b"matches", [[[0, 4], [0, 4], 5]], b"len", 5]


def test_lcs_errors(conn):
    conn.call("MSET", "a", "x", "b", "y")
    assert conn.err("LCS", "a", "b", "LEN", "IDX") == (
        "ERR If you want both the length and indexes, please just use IDX.")
    assert conn.err("LCS", "a", "b", "FOO") == SYNTAX
    assert conn.err("LCS", "a", "b", "MINMATCHLEN") == SYNTAX
    assert conn.err("LCS", "a", "b", "MINMATCHLEN", "abc") == INVALID_INT
    assert conn.err("LCS", "a") == wrong_args("lcs")


# ------------------------------------------------------------------------------- binary safety

BINARY_KEY = b"k\x00ey\r\n\xff with space"
BINARY_VALUE = b"\x00\r\n$-1\r\n*2\r\n" + bytes(range(256)) + b"\x00"


def test_binary_safe_keys_and_values(conn):
    assert conn.call("SET", BINARY_KEY, BINARY_VALUE) == "OK"
    assert conn.call("GET", BINARY_KEY) == BINARY_VALUE
    assert conn.call("STRLEN", BINARY_KEY) == len(BINARY_VALUE)
    assert conn.call("EXISTS", BINARY_KEY) == 1
    assert conn.call("EXISTS", b"k") == 0
    assert conn.call("EXISTS", b"k\x00ey") == 0
    assert conn.call("APPEND", BINARY_KEY, b"\r\n\x00") == len(BINARY_VALUE) + 3
    assert conn.call("GETRANGE", BINARY_KEY, 0, 2) == b"\x00\r\n"
    assert conn.call("KEYS", "*") == [BINARY_KEY]
    assert conn.call("GETDEL", BINARY_KEY) == BINARY_VALUE + b"\r\n\x00"


def test_binary_safe_through_redis_py(r):
    r.mset({b"\x00": b"\r\n", b"\r\n": b"\x00", b"a\x00b": b"c\x00d"})
    assert r.mget([b"\x00", b"\r\n", b"a\x00b", b"a"]) == [b"\r\n", b"\x00", b"c\x00d", None]
    assert r.dbsize() == 3


def test_large_value_100mb_round_trip(r):
    size = 100 * 1024 * 1024
    value = os.urandom(1024) * (size // 1024)
    assert r.set("big", value) is True
    assert r.strlen("big") == size
    got = r.get("big")
    assert len(got) == size
    assert got == value
    assert r.getrange("big", size - 1024, -1) == value[-1024:]
    assert r.delete("big") == 1


# ----------------------------------------------------------------------------------- pipelining

def test_pipeline_10000_commands_redis_py(r):
    n = 10000
    p = r.pipeline(transaction=False)
    for i in range(n):
        p.set(f"key:{i}", f"value:{i}")
    for i in range(n):
        p.get(f"key:{i}")
    for i in range(n):
        p.incr("counter")
    replies = p.execute()
    assert len(replies) == 3 * n
    assert replies[:n] == [True] * n
    assert replies[n:2 * n] == [f"value:{i}".encode() for i in range(n)]
    assert replies[2 * n:] == list(range(1, n + 1))
    assert r.dbsize() == n + 1


def test_pipeline_10000_commands_one_write(conn):
    n = 10000
    cmds = []
    for i in range(n):
        cmds.append(("SET", f"k{i}", "x" * (i % 50)) if i % 2 == 0 else ("GET", f"k{i - 1}"))
    cmds.append(("GET",))  # an error in the middle of the stream does not break it
    cmds.append(("PING",))
    replies = conn.pipeline(cmds)
    for i in range(n):
        expected = "OK" if i % 2 == 0 else b"x" * ((i - 1) % 50)
        assert replies[i] == expected, i
    assert replies[n] == ReplyError(wrong_args("get"))
    assert replies[n + 1] == "PONG"


def test_lcs_refuses_tables_larger_than_proto_max_bulk_len(conn):
    # Regression: two 300 KB strings used to make the server allocate a 360 GB table and abort.
    conn.call("SET", "la", "a" * 300000)
    conn.call("SET", "lb", "b" * 300000)
    assert conn.err("LCS", "la", "lb", "LEN") == (
        "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
    conn.call("SET", "sa", "a" * 10000)
    conn.call("SET", "sb", "ab" * 5000)
    assert conn.call("LCS", "sa", "sb", "LEN") == 5000
    assert conn.call("PING") == "PONG"
