"""Blocking list and sorted-set commands, end to end: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP
BZPOPMIN BZPOPMAX BZMPOP, CLIENT UNBLOCK and INFO blocked_clients. Every expectation was
checked against redis-server 7.0.15 (BASALT_E2E_TARGET=redis runs this file against it).

Covers: immediate replies, clients served in the order they blocked, a push waking exactly as
many clients as it can serve, timeouts (with decimals, 0 = forever) within a tolerance, wake-ups
across connections (and so across worker threads), BLMOVE chains, RENAME / MULTI-EXEC / SWAPDB
serving waiters, MULTI making blocking commands non-blocking, CLIENT UNBLOCK, disconnects
leaving no waiter behind, argument errors, a 100,000-job producer/consumer run, and a queue that
survives kill -9."""

import random
import threading
import time

import pytest

from e2e_support import ReplyError, RespConn

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
SYNTAX = "ERR syntax error"
NOT_FLOAT = "ERR timeout is not a float or out of range"
NEGATIVE = "ERR timeout is negative"
NUMKEYS = "ERR numkeys should be greater than 0"
COUNT_POSITIVE = "ERR count should be greater than 0"
# Timeouts fire no earlier than asked and, on a loaded 2-core machine, within this much after.
LATE_TOLERANCE = 1.0


def wrong_args(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def blocked_clients(r):
    return int(r.info("clients")["blocked_clients"])


def wait_blocked(r, n, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if blocked_clients(r) == n:
            return
        time.sleep(0.005)
    pytest.fail(f"expected {n} blocked clients, have {blocked_clients(r)}")


def block(server, r, *command, expect_blocked=None):
    """Opens a connection, sends a blocking command and waits until the server shows it
    blocked. Returns the connection; read its reply with read_reply()."""
    before = blocked_clients(r)
    c = server.conn()
    c.send(*command)
    wait_blocked(r, before + 1 if expect_blocked is None else expect_blocked)
    return c


def still_blocked(c, wait=0.2):
    return c.read_bytes_available(timeout=wait) == b""


# ---- immediate replies ------------------------------------------------------------------------


def test_blpop_brpop_immediate(conn):
    conn.call("RPUSH", "k", "a", "b", "c")
    assert conn.call("BLPOP", "k", 0) == [b"k", b"a"]
    assert conn.call("BRPOP", "k", "0.5") == [b"k", b"c"]
    assert conn.call("BLPOP", "k", 1) == [b"k", b"b"]
    assert conn.call("EXISTS", "k") == 0


def test_first_non_empty_key_in_argument_order(conn):
    conn.call("RPUSH", "b", "x")
    conn.call("RPUSH", "c", "y")
    assert conn.call("BLPOP", "a", "c", "b", 0) == [b"c", b"y"]
    assert conn.call("BRPOP", "a", "b", 0) == [b"b", b"x"]


def test_blmove_brpoplpush_immediate(conn):
    conn.call("RPUSH", "src", "1", "2", "3")
    assert conn.call("BLMOVE", "src", "dst", "RIGHT", "LEFT", 0) == b"3"
    assert conn.call("BRPOPLPUSH", "src", "dst", 0) == b"2"
    assert conn.call("BLMOVE", "src", "src", "LEFT", "RIGHT", 0) == b"1"
    assert conn.call("LRANGE", "dst", 0, -1) == [b"2", b"3"]


def test_blmpop_bzmpop_immediate(conn):
    conn.call("RPUSH", "l", "a", "b", "c")
    assert conn.call("BLMPOP", 0, 2, "none", "l", "RIGHT", "COUNT", 2) == [b"l", [b"c", b"b"]]
    assert conn.call("BLMPOP", 0, 1, "l", "LEFT") == [b"l", [b"a"]]
    conn.call("ZADD", "z", 1, "a", 2, "b", 3, "c")
    assert conn.call("BZMPOP", 0, 1, "z", "MAX", "COUNT", 2) == [b"z", [[b"c", b"3"], [b"b", b"2"]]]
    assert conn.call("BZMPOP", 0, 2, "x", "z", "MIN") == [b"z", [[b"a", b"1"]]]


def test_bzpopmin_bzpopmax_immediate(conn):
    conn.call("ZADD", "z", "1.5", "a", 2, "b", "+inf", "c")
    assert conn.call("BZPOPMIN", "none", "z", 0) == [b"z", b"a", b"1.5"]
    assert conn.call("BZPOPMAX", "z", 0) == [b"z", b"c", b"inf"]


def test_resp3_shapes(server, r):
    c = server.conn()
    c.call("HELLO", 3)
    c.call("ZADD", "z", 1, "a")
    c.send("BZPOPMIN", "z", 0)
    assert c.read_bytes_available(timeout=0.3) == b"*3\r\n$1\r\nz\r\n$1\r\na\r\n,1\r\n"
    c.send("BLPOP", "none", "0.01")
    assert c.read_bytes_available(timeout=0.5) == b"_\r\n"
    c.close()


def test_wrong_type(conn):
    conn.call("SET", "s", "x")
    assert conn.err("BLPOP", "none", "s", 1) == WRONGTYPE
    assert conn.err("BZPOPMIN", "s", 1) == WRONGTYPE
    assert conn.err("BLMOVE", "s", "d", "LEFT", "LEFT", 1) == WRONGTYPE
    assert conn.err("BLMPOP", 1, 1, "s", "LEFT") == WRONGTYPE
    assert conn.err("BZMPOP", 1, 1, "s", "MIN") == WRONGTYPE
    conn.call("RPUSH", "l", "a")
    assert conn.err("BLMOVE", "l", "s", "LEFT", "LEFT", 1) == WRONGTYPE
    assert conn.call("LRANGE", "l", 0, -1) == [b"a"]  # nothing moved


@pytest.mark.parametrize("args,error", [
    (("BLPOP", "k", "abc"), NOT_FLOAT),
    (("BLPOP", "k", "1e"), NOT_FLOAT),
    (("BLPOP", "k", "nan"), NOT_FLOAT),
    (("BLPOP", "k", "-1"), NEGATIVE),
    (("BLPOP", "k", "-inf"), NEGATIVE),
    (("BLPOP", "k", "inf"), NEGATIVE),  # Redis 7.0: overflows to a negative number
    (("BRPOP", "k", "1e30"), NEGATIVE),
    (("BZPOPMIN", "k", "x"), NOT_FLOAT),
    (("BZPOPMAX", "k", "-0.5"), NEGATIVE),
    (("BLMOVE", "a", "b", "LEFT", "UP", 1), SYNTAX),
    (("BLMOVE", "a", "b", "LEFT", "RIGHT", "x"), NOT_FLOAT),
    (("BRPOPLPUSH", "a", "b", "x"), NOT_FLOAT),
    (("BLMPOP", "x", 1, "k", "LEFT"), NOT_FLOAT),
    (("BLMPOP", 1, 0, "k", "LEFT"), NUMKEYS),
    (("BLMPOP", 1, 1, "k", "UP"), SYNTAX),
    (("BLMPOP", 1, 1, "k", "LEFT", "COUNT", 0), COUNT_POSITIVE),
    (("BLMPOP", 1, 1, "k", "LEFT", "COUNT"), SYNTAX),
    (("BLMPOP", 1, 3, "k", "LEFT"), SYNTAX),
    (("BZMPOP", 1, 0, "k", "MIN"), NUMKEYS),
    (("BZMPOP", 1, 1, "k", "MIDDLE"), SYNTAX),
    (("BZMPOP", 1, 1, "k", "MIN", "COUNT", -1), COUNT_POSITIVE),
    (("BZMPOP", "-1", 1, "k", "MIN"), NEGATIVE),
    (("BLPOP", "k"), wrong_args("blpop")),
    (("BZPOPMIN", "k"), wrong_args("bzpopmin")),
    (("BLMOVE", "a", "b", "LEFT", "LEFT"), wrong_args("blmove")),
    (("BRPOPLPUSH", "a", "b"), wrong_args("brpoplpush")),
    (("BLMPOP", 1, 1, "k"), wrong_args("blmpop")),
    (("BZMPOP", 1, 1, "k"), wrong_args("bzmpop")),
])
def test_argument_errors(conn, args, error):
    assert conn.err(*args) == error


# ---- timeouts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ("BLPOP", "q", "0.3"),
    ("BRPOP", "q", "other", "0.3"),
    ("BLMOVE", "q", "d", "LEFT", "RIGHT", "0.3"),
    ("BRPOPLPUSH", "q", "d", "0.3"),
    ("BLMPOP", "0.3", 1, "q", "LEFT"),
    ("BZPOPMIN", "q", "0.3"),
    ("BZPOPMAX", "q", "0.3"),
    ("BZMPOP", "0.3", 1, "q", "MAX"),
])
def test_timeout_replies_null_array(server, r, command):
    c = server.conn()
    start = time.monotonic()
    c.send(*command)
    assert c.read_line() == b"*-1"  # every blocking command times out with a null array
    elapsed = time.monotonic() - start
    assert 0.29 <= elapsed < 0.3 + LATE_TOLERANCE
    assert blocked_clients(r) == 0
    assert c.call("PING") == "PONG"  # the connection goes on
    c.close()


def test_many_timeouts_fire_in_deadline_order(server, r):
    conns = []
    start = time.monotonic()
    for i, t in enumerate([0.6, 0.2, 0.4, 0.1, 0.5, 0.3]):
        c = server.conn()
        c.send("BLPOP", f"q{i}", str(t))
        conns.append((t, c))
    for t, c in conns:
        assert c.read_line() == b"*-1"
        assert time.monotonic() - start >= t - 0.01
    assert time.monotonic() - start < 0.6 + LATE_TOLERANCE
    for _, c in conns:
        c.close()


def test_zero_timeout_blocks_until_served(server, r):
    c = block(server, r, "BLPOP", "q", 0)
    assert still_blocked(c, 0.5)
    r.rpush("q", "v")
    assert c.read_reply() == [b"q", b"v"]
    c.close()


# ---- serving waiters --------------------------------------------------------------------------


def test_push_serves_blocked_client_on_another_connection(server, r):
    c = block(server, r, "BLPOP", "q", 5)
    assert r.rpush("q", "v") == 1  # the length right after the push, as Redis replies
    assert c.read_reply() == [b"q", b"v"]
    assert r.exists("q") == 0
    assert blocked_clients(r) == 0
    c.close()


def test_clients_served_in_the_order_they_blocked(server, r):
    conns = [block(server, r, "BLPOP", "q", 0) for _ in range(5)]
    r.rpush("q", "1", "2", "3")  # serves exactly three, oldest first
    assert [c.read_reply() for c in conns[:3]] == [[b"q", b"1"], [b"q", b"2"], [b"q", b"3"]]
    assert blocked_clients(r) == 2
    assert all(still_blocked(c) for c in conns[3:])
    assert r.exists("q") == 0
    r.lpush("q", "4")
    assert conns[3].read_reply() == [b"q", b"4"]
    r.lpush("q", "5", "6")
    assert conns[4].read_reply() == [b"q", b"6"]
    assert r.lrange("q", 0, -1) == [b"5"]
    for c in conns:
        c.close()


def test_fifo_across_keys_and_commands(server, r):
    a = block(server, r, "BRPOP", "k1", "k2", 0)
    b = block(server, r, "BLPOP", "k2", 0)
    c = block(server, r, "BLMPOP", 0, 1, "k2", "LEFT", "COUNT", 5)
    r.rpush("k2", "x", "y", "z", "w")
    assert a.read_reply() == [b"k2", b"w"]
    assert b.read_reply() == [b"k2", b"x"]
    assert c.read_reply() == [b"k2", [b"y", b"z"]]
    assert blocked_clients(r) == 0
    for x in (a, b, c):
        x.close()


def test_waiter_of_other_type_stays_blocked(server, r):
    lst = block(server, r, "BLPOP", "k", 0)
    zs = block(server, r, "BZPOPMIN", "k", 0)
    r.zadd("k", {"m": 1})
    assert zs.read_reply() == [b"k", b"m", b"1"]
    assert still_blocked(lst)
    r.rpush("k", "v")
    assert lst.read_reply() == [b"k", b"v"]
    for x in (lst, zs):
        x.close()


def test_blocked_bzpop_and_bzmpop(server, r):
    mn = block(server, r, "BZPOPMIN", "z", 0)
    mx = block(server, r, "BZPOPMAX", "z", 0)
    m = block(server, r, "BZMPOP", 0, 1, "z", "MIN", "COUNT", 10)
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4})
    assert mn.read_reply() == [b"z", b"a", b"1"]
    assert mx.read_reply() == [b"z", b"d", b"4"]
    assert m.read_reply() == [b"z", [[b"b", b"2"], [b"c", b"3"]]]
    assert r.exists("z") == 0
    for x in (mn, mx, m):
        x.close()


def test_blmove_served_and_chain_to_next_waiter(server, r):
    mover = block(server, r, "BLMOVE", "a", "b", "RIGHT", "LEFT", 0)
    popper = block(server, r, "BLPOP", "b", 0)
    r.rpush("a", "x")
    assert mover.read_reply() == b"x"
    assert popper.read_reply() == [b"b", b"x"]  # the move filled b, which served the next
    assert r.exists("a", "b") == 0
    for x in (mover, popper):
        x.close()


def test_brpoplpush_into_wrong_type_destination(server, r):
    c = block(server, r, "BRPOPLPUSH", "src", "dst", 0)
    r.set("dst", "string")
    r.rpush("src", "v")
    assert c.read_reply() == ReplyError(WRONGTYPE)
    assert r.lrange("src", 0, -1) == [b"v"]
    c.close()


def test_rename_serves_waiters(server, r):
    c = block(server, r, "BLPOP", "dst", 0)
    r.rpush("src", "a", "b")
    r.rename("src", "dst")
    assert c.read_reply() == [b"dst", b"a"]
    assert r.lrange("dst", 0, -1) == [b"b"]
    c.close()


def test_exec_serves_waiters_after_the_transaction(server, r):
    c = block(server, r, "BLPOP", "q", 0)
    p = r.pipeline(transaction=True)
    p.rpush("q", "a")
    p.rpush("q", "b")
    p.llen("q")
    assert p.execute() == [1, 2, 2]  # no waiter was served in the middle of the transaction
    assert c.read_reply() == [b"q", b"a"]
    assert r.lrange("q", 0, -1) == [b"b"]
    c.close()


def test_script_serves_waiters_after_it_returns(server, r):
    c = block(server, r, "BLPOP", "q", 0)
    script = "redis.call('RPUSH', KEYS[1], 'a', 'b'); return redis.call('LLEN', KEYS[1])"
    assert r.eval(script, 1, "q") == 2  # nobody was served in the middle of the script
    assert c.read_reply() == [b"q", b"a"]
    assert r.lrange("q", 0, -1) == [b"b"]
    c.close()


def test_blocking_commands_do_not_block_in_scripts(r):
    assert r.eval("return redis.call('BLMPOP', 0, 1, KEYS[1], 'LEFT')", 1, "q") is None
    assert r.eval("return redis.call('BZMPOP', 0, 1, KEYS[1], 'MIN')", 1, "q") is None


def test_multi_makes_blocking_commands_non_blocking(conn):
    conn.call("MULTI")
    for cmd in (("BLPOP", "q", 0), ("BRPOP", "q", 0), ("BLMOVE", "q", "d", "LEFT", "LEFT", 0),
                ("BRPOPLPUSH", "q", "d", 0), ("BLMPOP", 0, 1, "q", "LEFT"),
                ("BZPOPMIN", "q", 0), ("BZPOPMAX", "q", 0), ("BZMPOP", 0, 1, "q", "MIN")):
        assert conn.call(*cmd) == "QUEUED"
    conn.send("EXEC")
    assert conn.read_bytes_available(timeout=0.5) == (
        b"*8\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n*-1\r\n*-1\r\n*-1\r\n")


def test_swapdb_serves_waiters(server, r):
    c = block(server, r, "BLPOP", "k", 0)
    other = server.client(db=1)
    other.rpush("k", "from-db1")
    r.swapdb(0, 1)
    assert c.read_reply() == [b"k", b"from-db1"]
    other.close()
    c.close()


def test_waiter_in_another_db_not_served(server, r):
    c = server.conn()
    c.call("SELECT", 1)
    c.send("BLPOP", "k", 0)
    wait_blocked(r, 1)
    r.rpush("k", "db0")
    assert still_blocked(c)
    server.client(db=1).rpush("k", "db1")
    assert c.read_reply() == [b"k", b"db1"]
    assert r.lrange("k", 0, -1) == [b"db0"]
    c.close()


def test_pipelined_commands_after_a_blocked_one_wait_for_it(server, r):
    c = server.conn()
    c.send_raw(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n")
    wait_blocked(r, 1)
    assert still_blocked(c)
    r.rpush("q", "v")
    assert c.read_reply() == [b"q", b"v"]
    assert c.read_reply() == "PONG"
    c.close()


# ---- CLIENT UNBLOCK, disconnects, introspection -----------------------------------------------


def test_client_unblock(server, r):
    c = block(server, r, "BLPOP", "q", 0)
    ids = [x["id"] for x in r.client_list() if x["cmd"] == "blpop"]
    assert len(ids) == 1
    cid = int(ids[0])
    assert r.client_unblock(cid) == 1  # TIMEOUT by default
    assert c.read_line() == b"*-1"
    assert r.client_unblock(cid) == 0  # no longer blocked
    c.send("BZPOPMIN", "z", 0)
    wait_blocked(r, 1)
    assert r.execute_command("CLIENT", "UNBLOCK", cid, "ERROR") == 1
    assert c.read_reply() == ReplyError("UNBLOCKED client unblocked via CLIENT UNBLOCK")
    assert r.client_unblock(999999999) == 0
    assert c.call("PING") == "PONG"
    c.close()


def test_client_unblock_errors(conn):
    assert conn.err("CLIENT", "UNBLOCK", "x", "y") == (
        "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
    assert conn.err("CLIENT", "UNBLOCK", "x") == "ERR value is not an integer or out of range"
    assert conn.err("CLIENT", "UNBLOCK", 1, 2, 3) == (
        "ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.")


def test_disconnect_leaves_no_waiter(server, r):
    c = block(server, r, "BLPOP", "q", 0)
    c.close()
    wait_blocked(r, 0)
    r.rpush("q", "kept")
    time.sleep(0.1)
    assert r.lrange("q", 0, -1) == [b"kept"]


def test_info_and_client_list(server, r):
    c = block(server, r, "BRPOP", "q", 100)
    info = r.info("clients")
    assert info["blocked_clients"] == 1
    assert info["clients_in_timeout_table"] == 1
    line = [x for x in r.client_list() if x["cmd"] == "brpop"]
    assert len(line) == 1 and "b" in line[0]["flags"]
    r.rpush("q", "v")
    assert c.read_reply() == [b"q", b"v"]
    assert r.info("clients")["blocked_clients"] == 0
    c.close()


def test_command_info_flags(conn):
    info = conn.call("COMMAND", "INFO", "blpop", "bzpopmin", "blmove")
    flags = {entry[0]: set(entry[2]) for entry in info}
    assert {"write", "blocking"} <= flags[b"blpop"]
    assert {"write", "blocking", "fast"} <= flags[b"bzpopmin"]
    assert {"write", "denyoom", "blocking"} <= flags[b"blmove"]


# ---- queues -----------------------------------------------------------------------------------


def test_producers_and_consumers_move_100k_jobs(server, r):
    total, producers, consumers = 100_000, 4, 4
    per_producer = total // producers
    received = [[] for _ in range(consumers)]
    errors = []

    def produce(p):
        try:
            client = server.client()
            for start in range(0, per_producer, 500):
                pipe = client.pipeline(transaction=False)
                for i in range(start, min(start + 500, per_producer)):
                    pipe.lpush("jobs", f"{p}:{i}")
                pipe.execute()
            client.close()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    def consume(c):
        try:
            client = server.client()
            while True:
                item = client.brpop("jobs", timeout=2)
                if item is None:
                    break
                received[c].append(item[1])
            client.close()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=consume, args=(c,)) for c in range(consumers)]
    threads += [threading.Thread(target=produce, args=(p,)) for p in range(producers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors
    got = [x for part in received for x in part]
    assert len(got) == total  # none lost ...
    assert len(set(got)) == total  # ... none duplicated
    expected = {f"{p}:{i}".encode() for p in range(producers) for i in range(per_producer)}
    assert set(got) == expected
    # Each producer's jobs leave the queue in the order they were pushed (per consumer).
    for part in received:
        last = {}
        for job in part:
            p, i = job.split(b":")
            assert int(i) > last.get(p, -1)
            last[p] = int(i)
    assert r.exists("jobs") == 0


@pytest.mark.persistence
def test_queue_survives_kill_9(server_factory):
    srv = server_factory()
    r = srv.client()
    jobs = [f"job-{i}-{random.random()}".encode() for i in range(10_000)]
    pipe = r.pipeline(transaction=False)
    for j in jobs:
        pipe.lpush("queue", j)
    pipe.execute()
    popped = [r.brpop("queue", timeout=1)[1] for _ in range(1000)]
    assert popped == jobs[:1000]
    srv.kill9()
    srv.start()
    r = srv.client()
    assert r.llen("queue") == 9000
    assert r.lrange("queue", 0, -1) == list(reversed(jobs[1000:]))
    assert r.brpop("queue", timeout=1) == (b"queue", jobs[1000])


@pytest.mark.basalt_only
def test_waiters_on_every_worker_served_in_order(server_factory):
    """Four workers, connections assigned round-robin: the waiters sit on every worker, and
    the pushes come from yet another connection."""
    srv = server_factory(workers=4)
    r = srv.client()
    conns = [block(srv, r, "BLPOP", "q", 0) for _ in range(8)]
    for i in range(8):
        r.rpush("q", f"v{i}")
    assert [c.read_reply() for c in conns] == [[b"q", f"v{i}".encode()] for i in range(8)]
    for c in conns:
        c.close()
