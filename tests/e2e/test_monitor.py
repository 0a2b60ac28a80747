"""MONITOR: every executed command streamed to monitoring clients in Redis's line format,
`+<sec>.<usec> [<db> <addr>] "arg" ...`, with AUTH/HELLO credentials redacted, from clients on
any worker. Checked against redis-server 7.0.15 (BASALT_E2E_TARGET=redis)."""

import re
import time

import pytest

from conftest import IS_REDIS

LINE = re.compile(r'^(\d+)\.(\d{6}) \[(\d+) ([^\]]+)\] (.*)$')


def monitor(server):
    m = server.conn()
    m.send("MONITOR")
    assert m.read_reply() == "OK"
    return m


def lines(m, n):
    """The next n monitor lines, parsed: (db, addr, args text)."""
    out = []
    for _ in range(n):
        raw = m.read_reply()
        assert isinstance(raw, str), raw
        match = LINE.match(raw)
        assert match, raw
        sec, usec, db, addr, args = match.groups()
        assert abs(int(sec) - time.time()) < 60
        out.append((int(db), addr, args))
    return out


def addr_of(conn):
    host, port = conn.sock.getsockname()[:2]
    return f"{host}:{port}"


def test_monitor_line_format(server, r):
    m = monitor(server)
    with server.conn() as c:
        c.call("SET", "k", b'a b"c\n\x01\\\t\xff')
        c.call("GET", "k")
        (db, addr, args), (_, _, args2) = lines(m, 2)
        assert db == 0 and addr == addr_of(c)
        assert args == r'"SET" "k" "a b\"c\n\x01\\\t\xff"'
        assert args2 == '"GET" "k"'
    m.close()


def test_monitor_raw_wire_bytes(server, r):
    m = monitor(server)
    with server.conn() as c:
        c.call("PING")
        line = m.read_line()
    assert line.startswith(b"+") and line.endswith(b'] "PING"')
    m.close()


def test_select_multi_exec_and_hidden_commands(server, r):
    m = monitor(server)
    with server.conn() as c:
        c.call("SELECT", "5")
        c.call("GET", "x")
        c.call("MULTI")
        c.call("SET", "a", "1")
        c.call("EXEC")
        c.call("CONFIG", "GET", "port")  # admin: never shown
        c.err("NOSUCHCOMMAND")  # rejected before running: not shown
        c.err("GET")  # wrong arity: not shown
        c.call("SELECT", "0")
        got = lines(m, 6)
        c.call("FLUSHALL")
    assert [(db, args) for db, _, args in got] == [
        (5, '"SELECT" "5"'), (5, '"GET" "x"'), (5, '"MULTI"'), (5, '"SET" "a" "1"'),
        (5, '"EXEC"'), (0, '"SELECT" "0"')]
    m.close()


def test_failed_commands_are_shown(server, r):
    m = monitor(server)
    with server.conn() as c:
        c.call("SET", "s", "x")
        c.err("INCR", "s")
        got = lines(m, 2)
    assert [a for _, _, a in got] == ['"SET" "s" "x"', '"INCR" "s"']
    m.close()


def test_auth_and_hello_are_redacted(server, r):
    m = monitor(server)
    with server.conn() as c:
        c.err("AUTH", "secret")
        c.err("AUTH", "someone", "secret")
        c.call("HELLO", "2", "SETNAME", "me")
        c.call("HELLO", "3", "AUTH", "default", "secret", "SETNAME", "x")  # nopass user
        got = [a for _, _, a in lines(m, 4)]
    assert got == ['"AUTH" "(redacted)"', '"AUTH" "(redacted)" "(redacted)"',
                   '"HELLO" "2" "SETNAME" "me"',
                   '"HELLO" "3" "AUTH" "(redacted)" "(redacted)" "SETNAME" "x"']
    m.close()


def test_many_monitors_across_workers(server_factory):
    srv = server_factory() if IS_REDIS else server_factory(workers=3)
    mons = [monitor(srv) for _ in range(6)]
    writers = [srv.conn() for _ in range(3)]
    for i in range(20):
        for w, c in enumerate(writers):
            c.call("SET", f"k{w}", str(i))
    for m in mons:
        got = lines(m, 60)
        for w, c in enumerate(writers):
            mine = [a for _, addr, a in got if addr == addr_of(c)]
            assert mine == [f'"SET" "k{w}" "{i}"' for i in range(20)]
        m.close()
    for c in writers:
        c.close()


def test_monitor_inside_multi_is_refused_and_reset_stops_it(server, r):
    with server.conn() as c:
        c.call("MULTI")
        assert c.call("MONITOR") == "QUEUED"
        assert c.call("EXEC") == [
            __import__("e2e_support").ReplyError("ERR MONITOR isn't allowed for DENY BLOCKING client")]
    m = monitor(server)
    assert m.call("RESET") == "RESET"
    with server.conn() as c:
        c.call("SET", "after", "reset")
    assert m.read_bytes_available(0.3) == b""
    m.close()


def test_monitor_client_in_client_list(server, r):
    m = monitor(server)
    with server.conn() as c:
        me = c.call("CLIENT", "ID")
        lines_ = c.call("CLIENT", "LIST").decode().splitlines()
        flags = {int(dict(kv.split("=", 1) for kv in ln.split(" "))["id"]):
                 dict(kv.split("=", 1) for kv in ln.split(" "))["flags"] for ln in lines_}
        assert sorted(flags.values()) == ["N", "N", "O"]
        assert flags[me] == "N"
        # A MONITOR client is of the normal type, as in Redis.
        assert len(c.call("CLIENT", "LIST", "TYPE", "normal").decode().splitlines()) == 3
        assert c.call("CLIENT", "LIST", "TYPE", "replica") == b""
    m.close()


def test_monitor_shows_scripts_then_their_commands(server, r):
    r.script_flush()
    m = monitor(server)
    with server.conn() as c:
        c.call("EVAL", "redis.call('SET', KEYS[1], '1') return 1", 1, "k")
        c.call("FUNCTION", "LOAD", "REPLACE",
               "#!lua name=monlib\nredis.register_function('mf', function(keys, args) "
               "return redis.call('GET', keys[1]) end)")
        c.call("FCALL", "mf", 1, "k")
        got = lines(m, 5)
        me = addr_of(c)
    assert got[0] == (0, me, '''"EVAL" "redis.call('SET', KEYS[1], '1') return 1" "1" "k"''')
    assert got[1] == (0, "lua", '"SET" "k" "1"')
    assert got[2][1] == me and got[2][2].startswith('"FUNCTION" "LOAD" "REPLACE"')
    assert got[3] == (0, me, '"FCALL" "mf" "1" "k"')
    assert got[4] == (0, "lua", '"GET" "k"')
    m.close()
    r.function_flush()
