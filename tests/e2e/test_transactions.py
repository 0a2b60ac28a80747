"""MULTI EXEC DISCARD WATCH UNWATCH, end to end.
Every expected reply was checked against redis-server 7.0.15 (BASALT_E2E_TARGET=redis)."""

import subprocess
import threading
import time

import pytest
import redis

from e2e_support import ReplyError, read_while_writing

EXECABORT = "EXECABORT Transaction discarded because of previous errors."
INVALID_INT = "ERR value is not an integer or out of range"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


# ----------------------------------------------------------------------------- state errors

def test_state_errors(conn):
    assert conn.err("EXEC") == "ERR EXEC without MULTI"
    assert conn.err("DISCARD") == "ERR DISCARD without MULTI"
    assert conn.call("MULTI") == "OK"
    assert conn.err("MULTI") == "ERR MULTI calls can not be nested"
    assert conn.err("WATCH", "x") == "ERR WATCH inside MULTI is not allowed"
    # Neither error aborts the transaction.
    assert conn.call("SET", "a", "1") == "QUEUED"
    assert conn.call("EXEC") == ["OK"]
    assert conn.call("GET", "a") == b"1"


def test_queue_time_errors_abort_exec(conn):
    assert conn.call("MULTI") == "OK"
    assert conn.call("SET", "a", "1") == "QUEUED"
    assert conn.err("SET", "a") == "ERR wrong number of arguments for 'set' command"
    assert conn.call("SET", "b", "1") == "QUEUED"
    assert conn.err("EXEC") == EXECABORT
    assert conn.call("EXISTS", "a", "b") == 0
    assert conn.err("EXEC") == "ERR EXEC without MULTI"

    conn.call("MULTI")
    assert conn.err("NOSUCHCMD", "x").startswith("ERR unknown command 'NOSUCHCMD'")
    assert conn.err("EXEC") == EXECABORT

    conn.call("MULTI")
    assert conn.err("SAVE") == "ERR Command not allowed inside a transaction"
    assert conn.err("EXEC") == EXECABORT


def test_runtime_errors_are_per_command(conn):
    conn.call("SET", "s", "abc")
    assert conn.call("MULTI") == "OK"
    for cmd in (("INCR", "s"), ("SET", "n", "5"), ("INCR", "n"), ("LPUSH", "s", "x"),
                ("GET", "n")):
        assert conn.call(*cmd) == "QUEUED"
    assert conn.call("EXEC") == [ReplyError(INVALID_INT), "OK", 6, ReplyError(WRONGTYPE), b"6"]


def test_reads_see_earlier_writes_of_the_same_exec(conn):
    conn.call("MULTI")
    for cmd in (("SET", "a", "1"), ("INCR", "a"), ("APPEND", "a", "x"), ("GET", "a"),
                ("RPUSH", "l", "1", "2"), ("LPUSH", "l", "0"), ("LRANGE", "l", "0", "-1"),
                ("HSET", "h", "f", "v"), ("HGETALL", "h"), ("SADD", "s", "m"), ("SCARD", "s"),
                ("ZADD", "z", "1", "a", "2", "b"), ("ZRANGE", "z", "0", "-1", "WITHSCORES"),
                ("DEL", "a"), ("EXISTS", "a"), ("DBSIZE",)):
        assert conn.call(*cmd) == "QUEUED"
    assert conn.call("EXEC") == [
        "OK", 2, 2, b"2x", 2, 3, [b"0", b"1", b"2"], 1, [b"f", b"v"], 1, 1, 2,
        [b"a", b"1", b"b", b"2"], 1, 0, 4]
    assert conn.call("DBSIZE") == 4


def test_discard(conn):
    conn.call("MULTI")
    conn.call("SET", "a", "1")
    assert conn.call("DISCARD") == "OK"
    assert conn.call("GET", "a") is None
    assert conn.err("EXEC") == "ERR EXEC without MULTI"


def test_empty_exec_and_resp3(conn):
    conn.call("MULTI")
    assert conn.call("EXEC") == []
    conn.call("HELLO", "3")
    conn.call("HSET", "h", "f", "v")
    conn.call("MULTI")
    conn.call("HGETALL", "h")
    conn.call("GET", "missing")
    assert conn.call("EXEC") == [{b"f": b"v"}, None]


def test_client_list_multi_field_and_flags(conn, server):
    other = server.conn()
    try:
        other.call("CLIENT", "SETNAME", "watcher")

        def line():
            text = conn.call("CLIENT", "LIST").decode()
            return next(x for x in text.splitlines() if "name=watcher" in x)

        assert " multi=-1 " in line() and " flags=N " in line()
        other.call("MULTI")
        other.call("SET", "a", "1")
        other.call("GET", "a")
        assert " multi=2 " in line() and " flags=x " in line()
        other.call("DISCARD")
        other.call("WATCH", "k")
        conn.call("SET", "k", "1")
        assert " flags=d " in line()
        other.call("MULTI")
        assert " flags=xd " in line()
        assert other.call("EXEC") is None
        assert " multi=-1 " in line() and " flags=N " in line()
    finally:
        other.close()


# ----------------------------------------------------------------------------------- WATCH

def test_watch_untouched_key_execs(conn):
    conn.call("SET", "k", "1")
    conn.call("WATCH", "k", "other")
    conn.call("MULTI")
    conn.call("INCR", "k")
    assert conn.call("EXEC") == [2]


def watched_exec_result(conn, server, key, action, setup=None):
    """WATCH key, let another client run action(other), then MULTI/SET/EXEC: EXEC's reply."""
    if setup:
        setup(conn)
    conn.call("WATCH", key)
    other = server.conn()
    try:
        action(other)
    finally:
        other.close()
    conn.call("MULTI")
    conn.call("SET", "result", "written")
    return conn.call("EXEC")


def test_watch_dirtied_by_set_and_del(conn, server):
    assert watched_exec_result(conn, server, "k", lambda o: o.call("SET", "k", "x")) is None
    conn.call("SET", "k", "1")
    assert watched_exec_result(conn, server, "k", lambda o: o.call("DEL", "k")) is None
    assert conn.call("GET", "result") is None


def test_watch_dirtied_by_own_write_before_exec(conn):
    conn.call("WATCH", "k")
    conn.call("SET", "k", "mine")
    conn.call("MULTI")
    conn.call("SET", "result", "x")
    assert conn.call("EXEC") is None


def test_watch_dirtied_by_expiry(conn, server):
    conn.call("SET", "k", "1", "PX", "50")
    conn.call("WATCH", "k")
    time.sleep(0.2)  # expired, whether or not the reaper deleted it yet
    conn.call("MULTI")
    conn.call("SET", "result", "x")
    assert conn.call("EXEC") is None


def test_watch_dirtied_by_expire_reaper(conn, server):
    conn.call("SET", "k", "1", "PX", "50")
    conn.call("WATCH", "k")
    deadline = time.monotonic() + 5
    while conn.call("DBSIZE") and time.monotonic() < deadline:  # wait for active expiry
        time.sleep(0.05)
    assert conn.call("DBSIZE") == 0
    conn.call("MULTI")
    conn.call("SET", "result", "x")
    assert conn.call("EXEC") is None


def test_watch_of_already_expired_key_not_dirtied_by_its_deletion(conn):
    conn.call("SET", "k", "1", "PX", "1")
    time.sleep(0.05)
    conn.call("WATCH", "k")
    conn.call("MULTI")
    conn.call("SET", "result", "x")
    assert conn.call("EXEC") == ["OK"]


def test_watch_dirtied_by_flushdb_flushall_swapdb(conn, server):
    def setup(c):
        c.call("SET", "k", "1")

    assert watched_exec_result(conn, server, "k", lambda o: o.call("FLUSHDB"), setup) is None
    assert watched_exec_result(conn, server, "k", lambda o: o.call("FLUSHALL"), setup) is None
    assert watched_exec_result(conn, server, "k", lambda o: o.call("SWAPDB", "0", "1"),
                               setup) is None
    conn.call("FLUSHALL")


def test_whole_db_commands_spare_watches_of_keys_absent_on_both_sides(conn, server):
    # Redis dirties a watch on FLUSHDB/FLUSHALL/SWAPDB only if the key existed in the emptied
    # database or exists in the one swapped in.
    assert watched_exec_result(conn, server, "k", lambda o: o.call("FLUSHDB")) == ["OK"]
    assert watched_exec_result(conn, server, "k", lambda o: o.call("FLUSHALL")) == ["OK"]
    assert watched_exec_result(conn, server, "k", lambda o: o.call("SWAPDB", "0", "1")) == ["OK"]

    def key_in_db1(o):
        o.call("SELECT", "1")
        o.call("SET", "k", "1")
        o.call("SWAPDB", "0", "1")

    assert watched_exec_result(conn, server, "k", key_in_db1) is None
    conn.call("FLUSHALL")

    def expired_key(c):
        c.call("SET", "k", "1", "PX", "1")
        time.sleep(0.05)

    assert watched_exec_result(conn, server, "k", lambda o: o.call("FLUSHDB"),
                               expired_key) == ["OK"]


def test_watch_dirtied_by_rename_and_move(conn, server):
    def setup(c):
        c.call("SET", "src", "1")
        c.call("SET", "k", "1")

    assert watched_exec_result(conn, server, "k", lambda o: o.call("RENAME", "src", "k"),
                               setup) is None
    assert watched_exec_result(conn, server, "k", lambda o: o.call("RENAME", "k", "dst"),
                               setup) is None
    assert watched_exec_result(conn, server, "k", lambda o: o.call("MOVE", "k", "1"),
                               setup) is None


def test_watch_other_database_key_is_independent(conn, server):
    conn.call("WATCH", "k")
    other = server.conn()
    other.call("SELECT", "1")
    other.call("SET", "k", "x")
    other.close()
    conn.call("MULTI")
    conn.call("SET", "result", "x")
    assert conn.call("EXEC") == ["OK"]


def test_unwatch_and_discard_forget_watches(conn, server):
    conn.call("WATCH", "k")
    assert conn.call("UNWATCH") == "OK"
    with server.conn() as other:
        other.call("SET", "k", "x")
    conn.call("MULTI")
    conn.call("SET", "result", "x")
    assert conn.call("EXEC") == ["OK"]

    conn.call("WATCH", "k")
    conn.call("MULTI")
    conn.call("DISCARD")
    with server.conn() as other:
        other.call("SET", "k", "y")
    conn.call("MULTI")
    conn.call("SET", "result", "x")
    assert conn.call("EXEC") == ["OK"]


def test_exec_unwatches_even_when_it_fails(conn, server):
    conn.call("WATCH", "k")
    with server.conn() as other:
        other.call("SET", "k", "x")
    conn.call("MULTI")
    assert conn.call("EXEC") is None
    conn.call("MULTI")
    conn.call("SET", "result", "x")
    assert conn.call("EXEC") == ["OK"]


def test_own_writes_inside_exec_do_not_dirty_the_next_transaction(conn):
    conn.call("WATCH", "k")
    conn.call("MULTI")
    conn.call("SET", "k", "1")
    assert conn.call("EXEC") == ["OK"]
    conn.call("MULTI")
    conn.call("INCR", "k")
    assert conn.call("EXEC") == [2]


# ----------------------------------------------------------------------- clients and threads

def test_redis_py_pipeline_and_transaction(r):
    with r.pipeline(transaction=True) as p:
        p.set("a", 1).incr("a").lpush("l", "x", "y").lrange("l", 0, -1)
        assert p.execute() == [True, 2, 2, [b"y", b"x"]]

    r.set("balance", 10)

    def spend(pipe):
        bal = int(pipe.get("balance"))
        pipe.multi()
        pipe.set("balance", bal - 3)

    assert r.transaction(spend, "balance") == [True]
    assert r.get("balance") == b"7"


def test_optimistic_counter_8_clients(server, r):
    clients, per_client = 8, 1000
    errors = []

    def worker():
        c = server.client()
        try:
            for _ in range(per_client):
                while True:
                    with c.pipeline(transaction=True) as p:
                        try:
                            p.watch("counter")
                            v = int(p.get("counter") or 0)
                            p.multi()
                            p.set("counter", v + 1)
                            p.execute()
                            break
                        except redis.WatchError:
                            continue
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            c.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert r.get("counter") == str(clients * per_client).encode()


def test_reader_never_sees_half_a_transaction(server, r):
    r.mset({"a": "0", "b": "0"})
    torn = []

    def read(c):
        a, b = c.mget("a", "b")
        if a != b:
            torn.append((a, b))

    def write(w, i):
        with w.pipeline(transaction=True) as p:
            p.set("a", i).set("b", i).execute()

    assert read_while_writing(server, read, write, 1500) > 0
    assert torn == []
    assert r.mget("a", "b") == [b"1499", b"1499"]


def test_exec_is_atomic_for_concurrent_writers(server, r):
    # Writers increment a and b inside MULTI; another thread reads both under WATCH-free MULTI.
    stop = threading.Event()
    torn = []

    def writer():
        c = server.client()
        while not stop.is_set():
            with c.pipeline(transaction=True) as p:
                p.incr("a").incr("b").execute()
        c.close()

    threads = [threading.Thread(target=writer) for _ in range(3)]
    for t in threads:
        t.start()
    c = server.client()
    try:
        for _ in range(500):
            with c.pipeline(transaction=True) as p:
                a, b = p.get("a").get("b").execute()
            if a != b:
                torn.append((a, b))
    finally:
        stop.set()
        for t in threads:
            t.join()
        c.close()
    assert torn == []


def test_keyless_reads_in_exec_see_one_instant(server, r):
    """KEYS and DBSIZE name no keys, so EXEC cannot lock just their keys: it must keep every
    writer out while they run, or a concurrent write lands between them. redis-benchmark
    creates and deletes keys as fast as it can meanwhile."""
    writers = [subprocess.Popen(
        ["redis-benchmark", "-p", str(server.port), "-c", "4", "-n", "10000000", "-r", "200",
         cmd, "w:__rand_int__"] + (["x"] if cmd == "SET" else []),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for cmd in ("SET", "DEL")]
    try:
        time.sleep(0.3)
        reader = server.client()
        for _ in range(300):
            p = reader.pipeline(transaction=True)
            p.keys("*")
            p.dbsize()
            p.keys("*")
            keys, size, again = p.execute()
            assert len(keys) == size == len(again)
        reader.close()
    finally:
        for w in writers:
            w.kill()
            w.wait()


# ------------------------------------------- whole-database commands inside one transaction

def test_flushdb_inside_multi_sees_only_later_writes(conn):
    conn.call("SET", "a", "1")
    conn.call("HSET", "h", "f", "v", "g", "w")
    conn.call("SET", "t", "x", "EX", "100")
    conn.call("MULTI")
    for cmd in (("SET", "b", "2"), ("FLUSHDB",), ("SET", "c", "3"), ("HSET", "h", "z", "1"),
                ("GET", "a"), ("GET", "b"), ("GET", "c"), ("HGETALL", "h"), ("DBSIZE",),
                ("KEYS", "*"), ("SCAN", "0", "COUNT", "100"), ("EXISTS", "a", "b", "c", "t"),
                ("TTL", "t"), ("SET", "e", "5", "EX", "100")):
        assert conn.call(*cmd) == "QUEUED"
    replies = conn.call("EXEC")
    assert replies[:5] == ["OK", "OK", "OK", 1, None]
    assert replies[5:8] == [None, b"3", [b"z", b"1"]]
    assert replies[8] == 2
    assert sorted(replies[9]) == [b"c", b"h"]
    assert replies[10][0] == b"0" and sorted(replies[10][1]) == [b"c", b"h"]
    assert replies[11:] == [1, -2, "OK"]
    # After EXEC the database holds exactly what the transaction wrote after FLUSHDB.
    assert sorted(conn.call("KEYS", "*")) == [b"c", b"e", b"h"]
    assert conn.call("DBSIZE") == 3
    assert conn.call("HGETALL", "h") == [b"z", b"1"]
    info = conn.call("INFO", "keyspace").decode()
    assert "db0:keys=3,expires=1," in info


def test_flushall_inside_multi_with_other_databases(conn):
    conn.call("SET", "k0", "a")
    conn.call("SELECT", "1")
    conn.call("SET", "k1", "b")
    conn.call("RPUSH", "l", "x", "y")
    conn.call("MULTI")
    for cmd in (("RPUSH", "l", "z"), ("FLUSHALL",), ("RPUSH", "l", "n"), ("LRANGE", "l", "0", "-1"),
                ("SELECT", "0"), ("GET", "k0"), ("SET", "k0", "new"), ("DBSIZE",)):
        assert conn.call(*cmd) == "QUEUED"
    assert conn.call("EXEC") == [3, "OK", 1, [b"n"], "OK", None, "OK", 1]
    assert conn.call("GET", "k0") == b"new"
    conn.call("SELECT", "1")
    assert conn.call("KEYS", "*") == [b"l"]
    assert conn.call("LRANGE", "l", "0", "-1") == [b"n"]
    conn.call("SELECT", "0")


def test_swapdb_inside_multi_reads_the_swapped_databases(conn):
    conn.call("SET", "x", "db0")
    conn.call("SELECT", "1")
    conn.call("SET", "y", "db1")
    conn.call("SELECT", "0")
    conn.call("MULTI")
    for cmd in (("SWAPDB", "0", "1"), ("GET", "x"), ("GET", "y"), ("SET", "z", "after"),
                ("FLUSHDB",), ("SWAPDB", "0", "1"), ("GET", "x"), ("GET", "z"), ("DBSIZE",)):
        assert conn.call(*cmd) == "QUEUED"
    assert conn.call("EXEC") == ["OK", None, b"db1", "OK", "OK", "OK", b"db0", None, 1]
    # The second SWAPDB undid the first, and the FLUSHDB emptied what was db 1.
    assert conn.call("GET", "x") == b"db0"
    conn.call("SELECT", "1")
    assert conn.call("DBSIZE") == 0
    conn.call("SELECT", "0")


def test_swapdb_inside_multi_then_writes_land_in_the_swapped_database(conn):
    conn.call("SET", "x", "db0")
    conn.call("MULTI")
    for cmd in (("SWAPDB", "0", "2"), ("SET", "w", "v"), ("SADD", "s", "m")):
        assert conn.call(*cmd) == "QUEUED"
    assert conn.call("EXEC") == ["OK", "OK", 1]
    assert sorted(conn.call("KEYS", "*")) == [b"s", b"w"]
    conn.call("SELECT", "2")
    assert conn.call("KEYS", "*") == [b"x"]
    conn.call("FLUSHDB")
    conn.call("SELECT", "0")


def test_flushdb_inside_multi_is_never_seen_half_done(server, r):
    # Readers poll both keys with one MGET while transactions replace the database: they see
    # the state before or after a transaction, never the flush without the write after it.
    r.set("old", "1")
    stop = threading.Event()
    seen = []

    def reader():
        c = server.client()
        while not stop.is_set():
            seen.append(tuple(c.mget("old", "new")))
        c.close()

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    w = server.client()
    for i in range(200):
        p = w.pipeline(transaction=True)
        p.flushdb()
        p.set("new" if i % 2 == 0 else "old", str(i))
        p.execute()
    stop.set()
    for t in threads:
        t.join()
    assert seen
    assert (None, None) not in seen


@pytest.mark.persistence
def test_flushdb_and_swapdb_inside_multi_survive_kill9(server_factory):
    srv = server_factory(appendfsync="always")
    c = srv.conn()
    c.call("SET", "gone", "1")
    c.call("SELECT", "3")
    c.call("SET", "three", "3")
    c.call("SELECT", "0")
    c.call("MULTI")
    for cmd in (("FLUSHDB",), ("SET", "kept", "1"), ("SWAPDB", "0", "3")):
        assert c.call(*cmd) == "QUEUED"
    assert c.call("EXEC") == ["OK", "OK", "OK"]
    c.close()
    srv.kill9()
    srv.start()
    c = srv.conn()
    assert c.call("KEYS", "*") == [b"three"]
    c.call("SELECT", "3")
    assert c.call("KEYS", "*") == [b"kept"]
    c.close()
