"""Pub/Sub: SUBSCRIBE/PSUBSCRIBE/SSUBSCRIBE and their UNSUBSCRIBEs, PUBLISH/SPUBLISH, PUBSUB
introspection, RESP2 subscribed mode, RESP3 pushes, fan-out across workers and the pubsub
output buffer limit. Every expected reply was checked against redis-server 7.0.15
(BASALT_E2E_TARGET=redis)."""

import os
import socket
import threading
import time

import pytest

from conftest import IS_REDIS
from e2e_support import ReplyError, RespConn, vm_rss_kb

SUBSCRIBED_ERR = ("ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
                  "RESET are allowed in this context")


def multi_worker(server_factory, **kw):
    """A server with several workers, so subscribers land on different threads."""
    return server_factory(**kw) if IS_REDIS else server_factory(workers=4, **kw)


def wait_for(pred, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return pred()


def test_subscribe_publish_exact_wire(server, conn):
    conn.send("SUBSCRIBE", "a", "b")
    assert conn.read_exact(len(b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n")) == \
        b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
    assert conn.read_reply() == [b"subscribe", b"b", 2]
    with server.conn() as pub:
        assert pub.call("PUBLISH", "a", "hello") == 1
        assert pub.call("PUBLISH", "nobody", "x") == 0
    assert conn.read_exact(len(b"*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$5\r\nhello\r\n")) == \
        b"*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$5\r\nhello\r\n"
    conn.send("UNSUBSCRIBE")
    got = sorted([conn.read_reply(), conn.read_reply()])
    assert got[0][:2] == [b"unsubscribe", b"a"] and got[1][:2] == [b"unsubscribe", b"b"]
    assert sorted(x[2] for x in got) == [0, 1]
    # Without subscriptions UNSUBSCRIBE still answers once, with a null channel.
    conn.send("UNSUBSCRIBE")
    assert conn.read_reply() == [b"unsubscribe", None, 0]
    conn.send("PUNSUBSCRIBE")
    assert conn.read_reply() == [b"punsubscribe", None, 0]
    assert conn.call("PING") == "PONG"  # back to normal mode


def test_subscribe_counts_channels_and_patterns(conn):
    conn.send("SUBSCRIBE", "a", "a")
    assert conn.read_reply() == [b"subscribe", b"a", 1]
    assert conn.read_reply() == [b"subscribe", b"a", 1]
    conn.send("PSUBSCRIBE", "n*")
    assert conn.read_reply() == [b"psubscribe", b"n*", 2]
    conn.send("SSUBSCRIBE", "s1")
    assert conn.read_reply() == [b"ssubscribe", b"s1", 1]  # shard channels count apart
    conn.send("UNSUBSCRIBE", "zz")
    assert conn.read_reply() == [b"unsubscribe", b"zz", 2]
    conn.send("SUNSUBSCRIBE", "s1")
    assert conn.read_reply() == [b"sunsubscribe", b"s1", 0]


def test_pattern_subscriptions(server, conn):
    conn.send("PSUBSCRIBE", "news.*", "n?ws.[ab]")
    assert conn.read_reply() == [b"psubscribe", b"news.*", 1]
    assert conn.read_reply() == [b"psubscribe", b"n?ws.[ab]", 2]
    with server.conn() as pub:
        assert pub.call("PUBLISH", "news.a", "m1") == 2  # both patterns match
        assert pub.call("PUBLISH", "news.x", "m2") == 1
        assert pub.call("PUBLISH", "sport", "m3") == 0
    got = [conn.read_reply() for _ in range(3)]
    assert sorted(got[:2]) == [[b"pmessage", b"n?ws.[ab]", b"news.a", b"m1"],
                               [b"pmessage", b"news.*", b"news.a", b"m1"]]
    assert got[2] == [b"pmessage", b"news.*", b"news.x", b"m2"]
    conn.send("PUNSUBSCRIBE", "news.*")
    assert conn.read_reply() == [b"punsubscribe", b"news.*", 1]


def test_shard_channels(server, conn):
    conn.send("SSUBSCRIBE", "s1", "s2")
    assert conn.read_reply() == [b"ssubscribe", b"s1", 1]
    assert conn.read_reply() == [b"ssubscribe", b"s2", 2]
    with server.conn() as pub:
        assert pub.call("SPUBLISH", "s1", "hi") == 1
        assert pub.call("PUBLISH", "s1", "not-shard") == 0
        assert pub.call("PUBSUB", "SHARDCHANNELS") in ([b"s1", b"s2"], [b"s2", b"s1"])
        assert pub.call("PUBSUB", "SHARDCHANNELS", "*1") == [b"s1"]
        assert pub.call("PUBSUB", "SHARDNUMSUB", "s1", "zz") == [b"s1", 1, b"zz", 0]
        assert pub.call("PUBSUB", "CHANNELS") == []
    assert conn.read_reply() == [b"smessage", b"s1", b"hi"]


def test_pubsub_introspection(server, r):
    subs = [server.conn() for _ in range(3)]
    try:
        subs[0].send("SUBSCRIBE", "c1", "c2")
        subs[0].read_reply(), subs[0].read_reply()
        subs[1].send("SUBSCRIBE", "c1")
        subs[1].read_reply()
        subs[2].send("PSUBSCRIBE", "c*", "d*")
        subs[2].read_reply(), subs[2].read_reply()
        with server.conn() as c:
            assert sorted(c.call("PUBSUB", "CHANNELS")) == [b"c1", b"c2"]
            assert c.call("PUBSUB", "CHANNELS", "*2") == [b"c2"]
            assert c.call("PUBSUB", "NUMSUB", "c1", "c2", "c3") == [b"c1", 2, b"c2", 1, b"c3", 0]
            assert c.call("PUBSUB", "NUMSUB") == []
            assert c.call("PUBSUB", "NUMPAT") == 2
            assert c.err("PUBSUB", "NUMPAT", "x") == \
                "ERR wrong number of arguments for 'pubsub|numpat' command"
            assert c.err("PUBSUB", "FOO").startswith("ERR unknown subcommand 'FOO'")
            info = c.call("INFO", "stats").decode()
            assert "pubsub_channels:2\r\n" in info and "pubsub_patterns:2\r\n" in info
            lines = c.call("CLIENT", "LIST").decode().splitlines()
            fields = [dict(kv.split("=", 1) for kv in ln.split(" ")) for ln in lines]
            got = sorted((f["sub"], f["psub"], f["ssub"], f["flags"]) for f in fields
                         if f["flags"] != "N")
            assert got == [("0", "2", "0", "P"), ("1", "0", "0", "P"), ("2", "0", "0", "P")]
            assert len(c.call("CLIENT", "LIST", "TYPE", "pubsub").decode().splitlines()) == 3
        subs[0].close()
        with server.conn() as c:
            assert wait_for(lambda: c.call("PUBSUB", "NUMSUB", "c1") == [b"c1", 1])
            assert c.call("PUBSUB", "CHANNELS") == [b"c1"]
    finally:
        for s in subs:
            s.close()


def test_resp2_subscribed_mode_restrictions(conn):
    conn.send("SUBSCRIBE", "x")
    conn.read_reply()
    assert conn.err("GET", "k") == SUBSCRIBED_ERR.format("get")
    assert conn.err("CONFIG", "GET", "port") == SUBSCRIBED_ERR.format("config|get")
    assert conn.err("PUBLISH", "x", "y") == SUBSCRIBED_ERR.format("publish")
    # PING answers like a message: ["pong", <argument or "">].
    conn.send("PING")
    assert conn.read_exact(len(b"*2\r\n$4\r\npong\r\n$0\r\n\r\n")) == b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"
    assert conn.call("PING", "hey") == [b"pong", b"hey"]
    conn.send("PSUBSCRIBE", "p*")
    assert conn.read_reply() == [b"psubscribe", b"p*", 2]
    # The wrong-arity error comes first, as in Redis.
    assert conn.err("GET") == "ERR wrong number of arguments for 'get' command"
    assert conn.call("RESET") == "RESET"  # leaves subscribed mode, drops subscriptions
    assert conn.call("PING") == "PONG"
    assert conn.call("PUBSUB", "NUMPAT") == 0


def test_resp3_push_messages_and_no_restrictions(server, conn):
    conn.call("HELLO", "3")
    conn.send("SUBSCRIBE", "ch")
    assert conn.read_exact(len(b">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n")) == \
        b">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"
    assert conn.call("SET", "k", "v") == "OK"  # RESP3: any command is allowed
    assert conn.call("GET", "k") == b"v"
    assert conn.call("PING") == "PONG"
    with server.conn() as pub:
        assert pub.call("PUBLISH", "ch", "m") == 1
    assert conn.read_exact(len(b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n")) == \
        b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n"
    # Publishing to itself: the push comes before PUBLISH's own reply.
    conn.send("PUBLISH", "ch", "self")
    assert conn.read_reply() == [b"message", b"ch", b"self"]
    assert conn.read_reply() == 1
    conn.send("UNSUBSCRIBE")
    assert conn.read_exact(len(b">3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:0\r\n")) == \
        b">3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:0\r\n"
    conn.send("UNSUBSCRIBE")
    assert conn.read_exact(len(b">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n")) == \
        b">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n"


def test_chat_room_fanout_across_workers_keeps_publisher_order(server_factory):
    srv = multi_worker(server_factory)
    n_subs, n_pubs, n_msgs = 50, 4, 300
    subs = []
    for _ in range(n_subs):
        c = srv.conn()
        c.send("SUBSCRIBE", "room")
        assert c.read_reply() == [b"subscribe", b"room", 1]
        subs.append(c)
    with srv.conn() as c:
        assert c.call("PUBSUB", "NUMSUB", "room") == [b"room", n_subs]

    def publisher(p):
        with srv.conn() as c:
            batch = [("PUBLISH", "room", f"{p}:{i}") for i in range(n_msgs)]
            for i in range(0, n_msgs, 50):
                assert c.pipeline(batch[i:i + 50]) == [n_subs] * 50

    threads = [threading.Thread(target=publisher, args=(p,)) for p in range(n_pubs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in subs:
        seen = {p: [] for p in range(n_pubs)}
        for _ in range(n_pubs * n_msgs):
            kind, ch, msg = c.read_reply()
            assert (kind, ch) == (b"message", b"room")
            p, i = msg.decode().split(":")
            seen[int(p)].append(int(i))
        for p in range(n_pubs):
            assert seen[p] == list(range(n_msgs)), f"publisher {p} out of order or lost"
        c.close()


def test_slow_subscriber_is_disconnected_and_memory_stays_bounded(server_factory):
    srv = multi_worker(server_factory)  # default client-output-buffer-limit pubsub 32mb 8mb 60
    slow = socket.create_connection(("127.0.0.1", srv.port))
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nfeed\r\n")
    time.sleep(0.2)  # never read from here on
    with srv.conn() as c:
        assert wait_for(lambda: c.call("PUBSUB", "NUMSUB", "feed") == [b"feed", 1])
        rss_before = vm_rss_kb(srv.pid)
        payload = b"x" * (1 << 20)
        receivers = []
        for _ in range(200):  # 200 MB offered to a subscriber that reads nothing
            receivers.append(c.call("PUBLISH", "feed", payload))
        # The subscriber is cut off once ~32 MB are pending: later messages reach nobody.
        assert receivers[0] == 1 and receivers[-1] == 0
        # (~32 MB plus socket buffers; more if its worker lagged behind the publisher)
        assert 20 <= receivers.count(1) <= 150
        assert wait_for(lambda: c.call("PUBSUB", "NUMSUB", "feed") == [b"feed", 0])
        growth_mb = (vm_rss_kb(srv.pid) - rss_before) / 1024
        assert growth_mb < 120, f"RSS grew by {growth_mb:.0f} MB"
        clients = c.call("CLIENT", "LIST").decode().splitlines()
        assert len(clients) == 1
    slow.close()


def test_output_buffer_limit_config(r):
    assert r.config_get("client-output-buffer-limit") == {
        "client-output-buffer-limit":
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"}
    r.config_set("client-output-buffer-limit", "pubsub 1mb 512kb 10 replica 1gb 1k 5")
    assert r.config_get("client-output-buffer-limit")["client-output-buffer-limit"] == \
        "normal 0 0 0 slave 1073741824 1000 5 pubsub 1048576 524288 10"
    prefix = ("CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - ")
    for value, err in [("pubsub 1 2", "Wrong number of arguments in buffer limit configuration."),
                       ("foo 1 2 3", "Invalid client class specified in buffer limit configuration."),
                       ("master 1 2 3",
                        "Invalid client class specified in buffer limit configuration."),
                       ("pubsub 1 x 3", "Error in hard, soft or soft_seconds setting in buffer "
                        "limit configuration.")]:
        with pytest.raises(Exception) as e:
            r.config_set("client-output-buffer-limit", value)
        assert str(e.value) == prefix + err
    r.config_set("client-output-buffer-limit",
                 "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60")


def test_soft_limit_cuts_off_after_its_seconds(server_factory):
    srv = multi_worker(server_factory)
    with srv.conn() as c:
        c.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 1mb 1")
        slow = socket.create_connection(("127.0.0.1", srv.port))
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nfeed\r\n")
        assert wait_for(lambda: c.call("PUBSUB", "NUMSUB", "feed") == [b"feed", 1])
        payload = b"y" * (256 << 10)
        start = time.monotonic()
        for _ in range(40):  # ~10 MB: over the soft limit, no hard limit
            c.call("PUBLISH", "feed", payload)
        numsub = c.call("PUBSUB", "NUMSUB", "feed")
        if time.monotonic() - start < 0.8:  # (a loaded machine may take longer than 1 s)
            assert numsub == [b"feed", 1]  # over the soft limit for less than its 1 s
        time.sleep(1.6)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and c.call("PUBLISH", "feed", payload) == 1:
            time.sleep(0.1)
        assert c.call("PUBSUB", "NUMSUB", "feed") == [b"feed", 0]
        slow.close()


def test_pubsub_help(conn):
    lines = conn.call("PUBSUB", "HELP")
    assert lines[0] == "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert len(lines) == 14 and lines[-1] == "    Prints this help."


def test_subscribe_inside_multi_enters_subscribed_mode(conn):
    assert conn.call("MULTI") == "OK"
    assert conn.call("SUBSCRIBE", "x") == "QUEUED"
    assert conn.call("EXEC") == [[b"subscribe", b"x", 1]]
    assert conn.err("GET", "k") == SUBSCRIBED_ERR.format("get")
    assert conn.err("MULTI") == SUBSCRIBED_ERR.format("multi")
    assert conn.call("RESET") == "RESET"
