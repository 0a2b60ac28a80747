"""Connection-level commands, authentication, RESP3, COMMAND introspection and the wire protocol.
Every expected reply was checked against redis-server 7.0.15 (CLIENT SETINFO excepted: it
appeared in Redis 7.2, see test_client_setinfo)."""

import re
import socket
import time

import pytest

from e2e_support import ReplyError, RespConn, run_redis_cli

NOAUTH = "NOAUTH Authentication required."
WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."
NO_PASSWORD = ("ERR AUTH <password> called without any password configured for the default user. "
               "Are you sure your configuration is correct?")
HELLO_NOAUTH = ("NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                "HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
                "the RESP protocol version at the same time")
BAD_NAME = "ERR Client names cannot contain spaces, newlines or special characters."
SYNTAX = "ERR syntax error"


def wrong_args(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def fields(line):
    """'id=1 addr=x name= ...' -> ordered list of (key, value)."""
    out = []
    for item in line.strip().split(" "):
        k, _, v = item.partition("=")
        out.append((k, v))
    return out


def local_addr(c):
    # A round trip first: the server knows a client only once it has accepted the connection.
    assert c.call("PING") == "PONG"
    host, port = c.sock.getsockname()[:2]
    return f"{host}:{port}"


# --------------------------------------------------------------------------- PING ECHO QUIT

def test_ping_echo(conn):
    assert conn.call("PING") == "PONG"
    assert conn.call("ping") == "PONG"
    assert conn.call("PING", "hello world") == b"hello world"
    assert conn.call("PING", b"\x00\r\n") == b"\x00\r\n"
    assert conn.call("ECHO", "hi") == b"hi"
    assert conn.call("ECHO", "") == b""
    assert conn.err("PING", "a", "b") == wrong_args("ping")
    assert conn.err("ECHO") == wrong_args("echo")
    assert conn.err("ECHO", "a", "b") == wrong_args("echo")


def test_quit_replies_ok_then_closes(server, r):
    with server.conn() as c:
        assert c.call("QUIT") == "OK"
        assert c.wait_closed(3.0)
    with server.conn() as c:
        assert c.call("QUIT", "extra", "args") == "OK"  # QUIT ignores its arguments
        assert c.wait_closed(3.0)


def test_quit_pipelined_commands_after_quit_are_not_run(server, r):
    with server.conn() as c:
        c.send_raw(b"SET before 1\r\nQUIT\r\nSET after 1\r\n")
        assert c.read_reply() == "OK"
        assert c.read_reply() == "OK"
        assert c.wait_closed(3.0)
    assert r.exists("before") == 1
    assert r.exists("after") == 0


# --------------------------------------------------------------------------------- RESET

def test_reset_restores_connection_state(conn):
    conn.call("CLIENT", "SETNAME", "someone")
    conn.call("SELECT", 3)
    conn.call("HELLO", 3)
    assert conn.call("RESET") == "RESET"
    assert conn.call("CLIENT", "GETNAME") is None
    info = dict(fields(conn.call("CLIENT", "INFO").decode()))
    assert info["db"] == "0"
    assert info["resp"] == "2"
    assert info["name"] == ""
    conn.send("GET", "nosuch")
    assert conn.read_line() == b"$-1"  # back to RESP2
    assert conn.err("RESET", "x") == wrong_args("reset")


# --------------------------------------------------------------------------------- HELLO

def test_hello_2(conn):
    rep = conn.call("HELLO", 2)
    assert isinstance(rep, list) and len(rep) == 14
    m = dict(zip(rep[::2], rep[1::2]))
    assert list(m) == [b"server", b"version", b"proto", b"id", b"mode", b"role", b"modules"]
    assert m[b"proto"] == 2
    assert m[b"id"] == conn.call("CLIENT", "ID")
    assert m[b"mode"] == b"standalone"
    assert m[b"role"] == b"master"
    assert m[b"modules"] == []
    assert isinstance(m[b"server"], bytes) and isinstance(m[b"version"], bytes)
    assert conn.call("HELLO") == rep  # no argument: current protocol, no change


def test_hello_3_reply_is_a_map(conn):
    conn.send("HELLO", 3)
    assert conn.read_line() == b"%7"
    items = [conn.read_reply() for _ in range(14)]
    m = dict(zip(items[::2], items[1::2]))
    assert m[b"proto"] == 3
    assert m[b"mode"] == b"standalone"
    assert m[b"role"] == b"master"
    assert m[b"modules"] == []
    assert m[b"id"] == conn.call("CLIENT", "ID")


RESP3_EXCHANGES = [
    (("GET", "nosuch"), b"_\r\n"),
    (("SET", "a", "1"), b"+OK\r\n"),
    (("GET", "a"), b"$1\r\n1\r\n"),
    (("INCR", "a"), b":2\r\n"),
    (("INCRBYFLOAT", "a", "1.5"), b"$3\r\n3.5\r\n"),  # still a bulk string in RESP3
    (("MGET", "a", "nosuch"), b"*2\r\n$3\r\n3.5\r\n_\r\n"),
    (("EXISTS", "a"), b":1\r\n"),
    (("SET", "x", "y", "NX", "GET"), b"_\r\n"),
    (("GETEX", "nosuch"), b"_\r\n"),
    (("OBJECT", "ENCODING", "nosuch"), b"_\r\n"),
    (("SCAN", "0", "MATCH", "nosuch*"), b"*2\r\n$1\r\n0\r\n*0\r\n"),
    (("LCS", "a", "nosuch", "IDX"), b"%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"),
    (("CONFIG", "GET", "nosuch"), b"%0\r\n"),
    (("COMMAND", "DOCS", "nosuchcmd"), b"%0\r\n"),
    (("PING",), b"+PONG\r\n"),
    (("FOO",), b"-ERR unknown command 'FOO', with args beginning with: \r\n"),
]


def test_resp3_encodings(conn):
    conn.send("HELLO", 3)
    conn.read_reply()
    for args, expected in RESP3_EXCHANGES:
        conn.send(*args)
        got = _read_exact_reply(conn, expected)
        assert got == expected, args


def _read_exact_reply(conn, expected):
    # Read as many bytes as the expected reply has (plus anything else already buffered
    # shortly after), so that a longer or different reply is reported as such.
    data = conn.read_exact(len(expected))
    extra = conn.read_bytes_available(0.05)
    return data + extra


def test_resp3_config_get_is_a_map(conn):
    conn.send("HELLO", 3)
    conn.read_reply()
    conn.send("CONFIG", "GET", "maxclients")
    assert conn.read_line() == b"%1"
    assert conn.read_reply() == b"maxclients"
    assert conn.read_reply().isdigit()


def test_resp3_then_back_to_resp2(conn):
    conn.send("HELLO", 3)
    conn.read_reply()
    conn.send("GET", "nosuch")
    assert conn.read_line() == b"_"
    conn.send("HELLO", 2)
    assert conn.read_line() == b"*14"
    for _ in range(14):
        conn.read_reply()
    conn.send("GET", "nosuch")
    assert conn.read_line() == b"$-1"


def test_hello_setname_and_auth_without_password(conn):
    rep = conn.call("HELLO", 3, "SETNAME", "myname")
    assert rep[b"proto"] == 3
    assert conn.call("CLIENT", "GETNAME") == b"myname"
    # no requirepass: the default user accepts any password
    rep = conn.call("HELLO", 2, "AUTH", "default", "whatever", "SETNAME", "other")
    assert dict(zip(rep[::2], rep[1::2]))[b"proto"] == 2
    assert conn.call("CLIENT", "GETNAME") == b"other"


def test_hello_errors(conn):
    assert conn.err("HELLO", 4) == "NOPROTO unsupported protocol version"
    assert conn.err("HELLO", 1) == "NOPROTO unsupported protocol version"
    assert conn.err("HELLO", 0) == "NOPROTO unsupported protocol version"
    assert conn.err("HELLO", "abc") == "ERR Protocol version is not an integer or out of range"
    assert conn.err("HELLO", 3, "FOO") == "ERR Syntax error in HELLO option 'FOO'"
    assert conn.err("HELLO", 3, "AUTH") == "ERR Syntax error in HELLO option 'AUTH'"
    assert conn.err("HELLO", 3, "AUTH", "default") == "ERR Syntax error in HELLO option 'AUTH'"
    assert conn.err("HELLO", 3, "SETNAME") == "ERR Syntax error in HELLO option 'SETNAME'"
    assert conn.err("HELLO", 3, "SETNAME", "a b") == BAD_NAME
    # a failed HELLO changes nothing
    conn.send("GET", "nosuch")
    assert conn.read_line() == b"$-1"
    assert conn.call("CLIENT", "GETNAME") is None


# ---------------------------------------------------------------------------------- AUTH

def test_auth_without_requirepass(conn):
    assert conn.err("AUTH", "x") == NO_PASSWORD
    assert conn.call("AUTH", "default", "anything") == "OK"
    assert conn.err("AUTH", "nosuchuser", "x") == WRONGPASS
    assert conn.err("AUTH") == wrong_args("auth")
    assert conn.err("AUTH", "a", "b", "c") == SYNTAX


def test_requirepass(server_factory):
    srv = server_factory(requirepass="sekret")
    with RespConn(srv.port) as c:
        assert c.err("PING") == NOAUTH
        assert c.err("GET", "a") == NOAUTH
        assert c.err("SET", "a", "b") == NOAUTH
        assert c.err("CLIENT", "ID") == NOAUTH
        # command lookup and arity are checked before authentication
        assert c.err("FOO") == "ERR unknown command 'FOO', with args beginning with: "
        assert c.err("GET") == wrong_args("get")
        assert c.err("AUTH", "wrong") == WRONGPASS
        assert c.err("AUTH", "default", "wrong") == WRONGPASS
        assert c.err("AUTH", "nosuchuser", "sekret") == WRONGPASS
        assert c.err("PING") == NOAUTH
        assert c.call("AUTH", "sekret") == "OK"
        assert c.call("PING") == "PONG"
        assert c.call("SET", "a", "b") == "OK"
        assert c.call("AUTH", "default", "sekret") == "OK"
        assert c.err("AUTH", "wrong") == WRONGPASS
        assert c.call("GET", "a") == b"b"  # a failed AUTH does not log the client out
        assert c.call("RESET") == "RESET"  # ... but RESET does
        assert c.err("PING") == NOAUTH
    with RespConn(srv.port) as c:
        assert c.call("QUIT") == "OK"  # QUIT needs no authentication
        assert c.wait_closed(3.0)


def test_requirepass_hello(server_factory):
    srv = server_factory(requirepass="sekret")
    with RespConn(srv.port) as c:
        assert c.err("HELLO", 3) == HELLO_NOAUTH
        assert c.err("HELLO") == HELLO_NOAUTH
        assert c.err("HELLO", 2, "AUTH", "default", "wrong") == WRONGPASS
        assert c.err("PING") == NOAUTH
        rep = c.call("HELLO", 3, "AUTH", "default", "sekret", "SETNAME", "named")
        assert rep[b"proto"] == 3
        assert c.call("CLIENT", "GETNAME") == b"named"
        assert c.call("PING") == "PONG"


def test_requirepass_redis_py_and_cli(server_factory):
    srv = server_factory(requirepass="sekret")
    client = srv.client()  # passes the password
    assert client.set("k", "v") is True
    assert client.get("k") == b"v"
    out = run_redis_cli(srv.port, "GET", "k")
    assert out.stdout.strip() == b"NOAUTH Authentication required."
    out = run_redis_cli(srv.port, "GET", "k", password="sekret")
    assert out.returncode == 0 and out.stdout == b"v\n"


# ---------------------------------------------------------------------------------- CLIENT

def test_client_id_setname_getname(conn):
    cid = conn.call("CLIENT", "ID")
    assert isinstance(cid, int) and cid > 0
    assert conn.call("CLIENT", "ID") == cid
    with RespConn(conn.sock.getpeername()[1]) as other:
        assert other.call("CLIENT", "ID") > cid  # ids increase
    assert conn.call("CLIENT", "GETNAME") is None
    assert conn.call("CLIENT", "SETNAME", "worker-1") == "OK"
    assert conn.call("CLIENT", "GETNAME") == b"worker-1"
    assert conn.err("CLIENT", "SETNAME", "a b") == BAD_NAME
    assert conn.err("CLIENT", "SETNAME", "a\nb") == BAD_NAME
    assert conn.call("CLIENT", "GETNAME") == b"worker-1"
    assert conn.call("CLIENT", "SETNAME", "") == "OK"  # clears the name
    assert conn.call("CLIENT", "GETNAME") is None
    assert conn.err("CLIENT", "SETNAME") == wrong_args("client|setname")
    assert conn.err("CLIENT", "GETNAME", "x") == wrong_args("client|getname")
    assert conn.err("CLIENT", "ID", "x") == wrong_args("client|id")
    assert conn.err("CLIENT", "NOSUCH") == "ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP."
    assert conn.err("CLIENT") == wrong_args("client")


# Fields of a CLIENT LIST / CLIENT INFO line that basalt must produce, in Redis's order.
CLIENT_FIELDS = ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub",
                 "multi", "cmd", "user", "resp"]


def check_client_line(line, conn, server_port, name="", db="0", cmd="client|info", resp="2"):
    f = fields(line)
    keys = [k for k, _ in f]
    assert [k for k in keys if k in CLIENT_FIELDS] == CLIENT_FIELDS, keys
    d = dict(f)
    assert d["id"] == str(conn.call("CLIENT", "ID"))
    assert d["addr"] == local_addr(conn)
    assert d["laddr"] == f"127.0.0.1:{server_port}"
    assert d["name"] == name
    assert d["db"] == db
    assert d["cmd"] == cmd
    assert d["resp"] == resp
    assert d["user"] == "default"
    assert int(d["age"]) >= 0 and int(d["idle"]) >= 0


def test_client_info(server, conn):
    conn.call("CLIENT", "SETNAME", "me")
    conn.call("SELECT", 2)
    info = conn.call("CLIENT", "INFO")
    assert isinstance(info, bytes) and info.endswith(b"\n") and info.count(b"\n") == 1
    check_client_line(info.decode(), conn, server.port, name="me", db="2")
    assert conn.err("CLIENT", "INFO", "x") == wrong_args("client|info")


def test_client_list(server, conn):
    conn.call("CLIENT", "SETNAME", "lister")
    with RespConn(server.port) as other:
        other.call("CLIENT", "SETNAME", "other")
        listing = conn.call("CLIENT", "LIST")
        assert listing.endswith(b"\n")
        lines = listing.decode().splitlines()
        mine = [ln for ln in lines if dict(fields(ln))["id"] == str(conn.call("CLIENT", "ID"))]
        assert len(mine) == 1
        check_client_line(mine[0], conn, server.port, name="lister", cmd="client|list")
        names = [dict(fields(ln))["name"] for ln in lines]
        assert "other" in names
        oid = other.call("CLIENT", "ID")
        only = conn.call("CLIENT", "LIST", "ID", oid).decode()
        assert only.count("\n") == 1 and dict(fields(only))["name"] == "other"
        both = conn.call("CLIENT", "LIST", "ID", oid, conn.call("CLIENT", "ID"), 999999)
        assert both.count(b"\n") == 2
        assert conn.call("CLIENT", "LIST", "ID", 999999) == b""
        normal = conn.call("CLIENT", "LIST", "TYPE", "normal").decode()
        assert "name=other" in normal and "name=lister" in normal
        assert conn.call("CLIENT", "LIST", "TYPE", "pubsub") == b""
    assert conn.err("CLIENT", "LIST", "TYPE", "foo") == "ERR Unknown client type 'foo'"
    assert conn.err("CLIENT", "LIST", "ID", "abc") == "ERR Invalid client ID"
    assert conn.err("CLIENT", "LIST", "FOO") == SYNTAX
    assert conn.err("CLIENT", "LIST", "ID") == SYNTAX


def test_client_kill_by_id_from_another_connection(server, conn):
    with RespConn(server.port) as victim:
        vid = victim.call("CLIENT", "ID")
        assert conn.call("CLIENT", "KILL", "ID", vid) == 1
        assert victim.wait_closed(3.0)
    assert conn.call("CLIENT", "KILL", "ID", vid) == 0
    assert conn.call("PING") == "PONG"


def test_client_kill_by_addr(server, conn):
    with RespConn(server.port) as victim:
        addr = local_addr(victim)
        assert conn.call("CLIENT", "KILL", "ADDR", addr) == 1
        assert victim.wait_closed(3.0)
    with RespConn(server.port) as victim:
        addr = local_addr(victim)
        assert conn.call("CLIENT", "KILL", addr) == "OK"  # old form: CLIENT KILL ip:port
        assert victim.wait_closed(3.0)
    assert conn.err("CLIENT", "KILL", addr) == "ERR No such client"
    assert conn.call("CLIENT", "KILL", "ADDR", "1.2.3.4:5") == 0


def test_client_kill_self_and_skipme(server, conn):
    assert conn.call("CLIENT", "KILL", "ID", conn.call("CLIENT", "ID")) == 0  # SKIPME yes default
    assert conn.call("CLIENT", "KILL", "ADDR", local_addr(conn)) == 0
    with RespConn(server.port) as c:
        cid = c.call("CLIENT", "ID")
        assert c.call("CLIENT", "KILL", "ID", cid, "SKIPME", "no") == 1  # reply, then closed
        assert c.wait_closed(3.0)


def test_client_kill_errors(conn):
    assert conn.err("CLIENT", "KILL", "ID", 0) == "ERR client-id should be greater than 0"
    assert conn.err("CLIENT", "KILL", "ID", "abc") == "ERR client-id should be greater than 0"
    assert conn.err("CLIENT", "KILL", "ID", 1, "SKIPME") == SYNTAX
    assert conn.err("CLIENT", "KILL", "ID", 1, "SKIPME", "maybe") == SYNTAX
    assert conn.err("CLIENT", "KILL", "ID", 1, "TYPE", "foo") == "ERR Unknown client type 'foo'"
    assert conn.err("CLIENT", "KILL", "FOO", "bar") == SYNTAX
    assert conn.err("CLIENT", "KILL") == wrong_args("client|kill")


@pytest.mark.basalt_only
def test_client_setinfo(server, conn):
    # CLIENT SETINFO appeared in Redis 7.2 (7.0 answers "ERR unknown subcommand 'setinfo'. Try
    # CLIENT HELP."); the expectations here follow 7.2 and could not be checked against 7.0.15.
    assert conn.call("CLIENT", "SETINFO", "lib-name", "mylib") == "OK"
    assert conn.call("CLIENT", "SETINFO", "LIB-VER", "1.2.3") == "OK"
    d = dict(fields(conn.call("CLIENT", "INFO").decode()))
    assert d["lib-name"] == "mylib"
    assert d["lib-ver"] == "1.2.3"
    listing = conn.call("CLIENT", "LIST", "ID", conn.call("CLIENT", "ID")).decode()
    assert "lib-name=mylib" in listing and "lib-ver=1.2.3" in listing
    assert conn.err("CLIENT", "SETINFO", "lib-name", "a b").startswith("ERR ")
    assert conn.err("CLIENT", "SETINFO", "nosuch", "x").startswith("ERR ")
    assert conn.err("CLIENT", "SETINFO", "lib-name") == wrong_args("client|setinfo")


# ------------------------------------------------------------------------------------ TIME

def test_time(conn):
    before = time.time()
    secs, usecs = conn.call("TIME")
    after = time.time()
    assert isinstance(secs, bytes) and isinstance(usecs, bytes)
    assert re.fullmatch(rb"\d+", secs) and re.fullmatch(rb"\d+", usecs)
    t = int(secs) + int(usecs) / 1e6
    assert 0 <= int(usecs) <= 999999
    assert before - 1 <= t <= after + 1
    assert conn.err("TIME", "x") == wrong_args("time")


# ------------------------------------------------------------------------ command dispatch errors

def test_unknown_command(conn):
    prefix = "ERR unknown command 'foo', with args beginning with: "
    assert conn.err("foo", "a", "b") == prefix + "'a' 'b' "
    assert conn.err("FOO") == "ERR unknown command 'FOO', with args beginning with: "
    assert conn.err("") == "ERR unknown command '', with args beginning with: "
    long_arg = "x" * 200
    assert conn.err("foo", long_arg, "b") == (
        "ERR unknown command 'foo', with args beginning with: '" + "x" * 128 + "' ")
    many = [chr(ord("a") + i % 26) for i in range(60)]
    # the argument list is cut once it reaches 128 characters (4 per one-letter argument)
    expected = "".join(f"'{a}' " for a in many[:32])
    assert conn.err("foo", *many) == prefix + expected


@pytest.mark.parametrize("args,name", [
    (("GET",), "get"), (("get", "a", "b"), "get"), (("Get",), "get"), (("SET", "a"), "set"),
    (("STRLEN",), "strlen"), (("EXPIRE", "a"), "expire"), (("DBSIZE", "x"), "dbsize"),
])
def test_wrong_arity(conn, args, name):
    assert conn.err(*args) == wrong_args(name)


# -------------------------------------------------------------------------------- COMMAND

def test_command_count(conn):
    n = conn.call("COMMAND", "COUNT")
    assert isinstance(n, int) and n > 0
    everything = conn.call("COMMAND")
    assert len(everything) == n
    names = {entry[0] for entry in everything}
    assert {b"get", b"set", b"ping", b"command"} <= names
    assert conn.err("COMMAND", "COUNT", "x") == wrong_args("command|count")
    assert conn.err("COMMAND", "FOO") == "ERR unknown subcommand 'FOO'. Try COMMAND HELP."


@pytest.mark.parametrize("name,head", [
    ("get", [b"get", 2, ["readonly", "fast"], 1, 1, 1]),
    ("set", [b"set", -3, ["write", "denyoom"], 1, 1, 1]),
    ("mset", [b"mset", -3, ["write", "denyoom"], 1, -1, 2]),
    ("del", [b"del", -2, ["write"], 1, -1, 1]),
    ("ping", [b"ping", -1, ["fast"], 0, 0, 0]),
    ("incr", [b"incr", 2, ["write", "denyoom", "fast"], 1, 1, 1]),
    ("dbsize", [b"dbsize", 1, ["readonly", "fast"], 0, 0, 0]),
])
def test_command_info(conn, name, head):
    (entry,) = conn.call("COMMAND", "INFO", name)
    assert entry[:6] == head
    (upper,) = conn.call("COMMAND", "INFO", name.upper())
    assert upper[:6] == head


def test_command_info_unknown_and_several(conn):
    rep = conn.call("COMMAND", "INFO", "nosuch", "get")
    assert rep[0] is None
    assert rep[1][0] == b"get"


def test_command_getkeys(conn):
    assert conn.call("COMMAND", "GETKEYS", "SET", "a", "b") == [b"a"]
    assert conn.call("COMMAND", "GETKEYS", "GET", "k") == [b"k"]
    assert conn.call("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2") == [b"a", b"b"]
    assert conn.call("COMMAND", "GETKEYS", "DEL", "a", "b", "c") == [b"a", b"b", b"c"]
    assert conn.call("COMMAND", "GETKEYS", "RENAME", "x", "y") == [b"x", b"y"]
    assert conn.err("COMMAND", "GETKEYS", "ECHO", "a") == "ERR The command has no key arguments"
    assert conn.err("COMMAND", "GETKEYS", "NOSUCH", "a") == "ERR Invalid command specified"
    assert conn.err("COMMAND", "GETKEYS", "GET", "a", "b") == (
        "ERR Invalid number of arguments specified for command")
    assert conn.err("COMMAND", "GETKEYS", "SET", "a") == (
        "ERR Invalid number of arguments specified for command")
    # in 7.0 COMMAND GETKEYS needs the command plus at least one argument
    assert conn.err("COMMAND", "GETKEYS", "PING") == wrong_args("command|getkeys")
    assert conn.err("COMMAND", "GETKEYS") == wrong_args("command|getkeys")


def test_command_docs(conn):
    rep = conn.call("COMMAND", "DOCS", "get")
    assert rep[0] == b"get"
    doc = dict(zip(rep[1][::2], rep[1][1::2]))
    assert doc[b"summary"] == b"Get the value of a key"
    assert doc[b"since"] == b"1.0.0"
    assert doc[b"group"] == b"string"
    assert conn.call("COMMAND", "DOCS", "nosuchcmd") == []


# ------------------------------------------------------------------------- protocol errors

@pytest.mark.parametrize("payload,message", [
    (b"*abc\r\n", "invalid multibulk length"),
    (b"*01\r\n$4\r\nPING\r\n", "invalid multibulk length"),
    (b"*+1\r\n$4\r\nPING\r\n", "invalid multibulk length"),
    (b"*3000000000\r\n", "invalid multibulk length"),
    (b"*1\r\nfoo\r\n", "expected '$', got 'f'"),
    (b"*2\r\n$4\r\nECHO\r\n:1\r\n", "expected '$', got ':'"),
    (b"*1\r\n$-5\r\n", "invalid bulk length"),
    (b"*1\r\n$-1\r\n", "invalid bulk length"),
    (b"*1\r\n$abc\r\n", "invalid bulk length"),
    (b"*1\r\n$ 4\r\nPING\r\n", "invalid bulk length"),
    (b"*1\r\n$536870913\r\n", "invalid bulk length"),
    (b"SET a \"b c\r\n", "unbalanced quotes in request"),
    (b"ECHO 'a'b\r\n", "unbalanced quotes in request"),
    (b"a" * (70 * 1024), "too big inline request"),
    (b"a" * (64 * 1024 + 1), "too big inline request"),
    (b"*" + b"1" * (70 * 1024), "too big mbulk count string"),
    (b"*1\r\n$" + b"1" * (70 * 1024), "too big bulk count string"),
])
def test_protocol_error_replies_then_closes(raw, payload, message):
    reply, closed = raw(payload, expect_close=True)
    assert reply == f"-ERR Protocol error: {message}\r\n".encode()
    assert closed


def test_protocol_error_after_good_commands(raw):
    reply, closed = raw(b"PING\r\n*1\r\n$4\r\nPING\r\n*x\r\nPING\r\n", expect_close=True)
    assert reply == b"+PONG\r\n+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n"
    assert closed


def raw_reply(raw, payload, expected):
    """Send payload on a fresh connection; expect exactly `expected` back, connection open."""
    reply, closed = raw(payload, want=len(expected))
    assert reply == expected
    assert not closed


def test_empty_and_null_multibulk_are_ignored(raw):
    raw_reply(raw, b"*0\r\n*-1\r\n\r\n  \r\nPING\r\n", b"+PONG\r\n")


@pytest.mark.parametrize("payload,expected", [
    (b"PING\r\n", b"+PONG\r\n"),
    (b"PING\n", b"+PONG\r\n"),
    (b'SET a "b c"\r\nGET a\r\n', b"+OK\r\n$3\r\nb c\r\n"),
    (b"ECHO 'a\\'b'\r\n", b"$3\r\na'b\r\n"),
    (b'ECHO "a\\x41\\n"\r\n', b"$3\r\naA\n\r\n"),
    (b"  ECHO    spaced   \r\n", b"$6\r\nspaced\r\n"),
    (b"ECHO\r\n", b"-ERR wrong number of arguments for 'echo' command\r\n"),
    (b"NOSUCH x\r\n", b"-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n"),
    (b"$3\r\nfoo\r\n", b"-ERR unknown command '$3', with args beginning with: \r\n"
                       b"-ERR unknown command 'foo', with args beginning with: \r\n"),
])
def test_inline_commands(raw, payload, expected):
    raw_reply(raw, payload, expected)


def test_inline_with_64k_and_no_newline_waits(raw):
    reply, closed = raw(b"a" * (64 * 1024), timeout=0.5)
    assert (reply, closed) == (b"", False)


def test_command_split_across_many_writes(server, r):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        payload = (b"*3\r\n$3\r\nSET\r\n$5\r\nsplit\r\n$11\r\nhello world\r\n"
                   b"*2\r\n$3\r\nGET\r\n$5\r\nsplit\r\n")
        for i in range(len(payload)):
            s.sendall(payload[i:i + 1])
            if i % 7 == 0:
                time.sleep(0.001)
        expected = b"+OK\r\n$11\r\nhello world\r\n"
        got = b""
        while len(got) < len(expected):
            chunk = s.recv(100)
            assert chunk
            got += chunk
        assert got == expected


def test_many_pipelined_commands_with_large_bulk(conn):
    big = b"x" * (1024 * 1024)
    replies = conn.pipeline([("SET", "big", big), ("STRLEN", "big"), ("GET", "big"), ("PING",)])
    assert replies == ["OK", len(big), big, "PONG"]


def test_error_replies_do_not_break_the_connection(conn):
    assert isinstance(conn.pipeline([("NOSUCH",)])[0], ReplyError)
    assert conn.call("PING") == "PONG"
