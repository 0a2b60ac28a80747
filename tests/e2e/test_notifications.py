"""Keyspace notifications (notify-keyspace-events): the config flags, the events each command
publishes on __keyspace@<db>__:<key> / __keyevent@<db>__:<event>, and `expired` events from
active expiry and from access. Every expected event list was checked against redis-server
7.0.15 (BASALT_E2E_TARGET=redis)."""

import time

import pytest

from conftest import IS_REDIS

SENTINEL = "__keyevent@0__:zz-sentinel"


class Events:
    """A pattern subscriber to every keyspace channel; next_batch() returns the events published
    since the last call, in order, as (channel, message) string pairs."""

    def __init__(self, server):
        self.conn = server.conn()
        self.conn.send("PSUBSCRIBE", "__key*__:*")
        assert self.conn.read_reply() == [b"psubscribe", b"__key*__:*", 1]
        self.pub = server.conn()

    def next_batch(self):
        assert self.pub.call("PUBLISH", SENTINEL, "x") >= 1
        out = []
        while True:
            kind, _, channel, message = self.conn.read_reply()
            assert kind == b"pmessage"
            if channel.decode() == SENTINEL:
                return out
            out.append((channel.decode(), message.decode()))

    def close(self):
        self.conn.close()
        self.pub.close()


@pytest.fixture
def events(server, r):
    r.config_set("notify-keyspace-events", "KEA")
    ev = Events(server)
    yield ev
    ev.close()
    r.config_set("notify-keyspace-events", "")


def keyevents(batch):
    """Only the __keyevent@ side: [(event, key), ...]."""
    return [(ch.split(":", 1)[1], msg) for ch, msg in batch if ch.startswith("__keyevent@")]


@pytest.mark.parametrize("value,canonical", [
    ("", ""), ("KEA", "AKE"), ("AKE", "AKE"), ("Kx", "xK"), ("Elg", "glE"), ("An", "A"),
    ("nmEg$x", "g$xnEm"), ("g$lshzxetdKE", "AKE"), ("Em", "Em"),
])
def test_config_flags_canonical_order(r, value, canonical):
    r.config_set("notify-keyspace-events", value)
    assert r.config_get("notify-keyspace-events") == {"notify-keyspace-events": canonical}
    r.config_set("notify-keyspace-events", "")


def test_config_rejects_unknown_flags(r):
    with pytest.raises(Exception) as e:
        r.config_set("notify-keyspace-events", "KQ")
    assert str(e.value) == ("CONFIG SET failed (possibly related to argument "
                            "'notify-keyspace-events') - Invalid event class character. "
                            "Use 'Ag$lshzxeKEtmdn'.")


def test_keyspace_and_keyevent_channels(server, r, events):
    r.set("k", "v")
    assert events.next_batch() == [("__keyspace@0__:k", "set"), ("__keyevent@0__:set", "k")]
    r.execute_command("SELECT", "0")
    c = server.conn()
    c.call("SELECT", "3")
    c.call("LPUSH", "l", "a")
    assert events.next_batch() == [("__keyspace@3__:l", "lpush"), ("__keyevent@3__:lpush", "l")]
    c.close()


def test_only_selected_classes_and_channels(r, events):
    r.config_set("notify-keyspace-events", "El")  # keyevent only, list class only
    r.set("s", "1")
    r.rpush("l", "a")
    assert events.next_batch() == [("__keyevent@0__:rpush", "l")]
    r.config_set("notify-keyspace-events", "K$")
    r.set("s", "2")
    r.rpush("l", "b")
    assert events.next_batch() == [("__keyspace@0__:s", "set")]
    r.config_set("notify-keyspace-events", "")
    r.set("s", "3")
    assert events.next_batch() == []


# (setup commands, command, expected [(event, key), ...]) — Redis 7.0's event names.
CASES = [
    ([], ["SET", "k", "v"], [("set", "k")]),
    ([], ["SET", "k", "v", "EX", "100"], [("set", "k"), ("expire", "k")]),
    ([["SET", "k", "v"]], ["SET", "k", "w", "NX"], []),
    ([], ["SETNX", "k", "v"], [("set", "k")]),
    ([], ["SETEX", "k", "100", "v"], [("set", "k"), ("expire", "k")]),
    ([], ["PSETEX", "k", "100000", "v"], [("set", "k"), ("expire", "k")]),
    ([["SET", "k", "v"]], ["GETSET", "k", "w"], [("set", "k")]),
    ([["SET", "k", "v"]], ["GETDEL", "k"], [("del", "k")]),
    ([["SET", "k", "v"]], ["GETEX", "k", "EX", "100"], [("expire", "k")]),
    ([["SET", "k", "v", "EX", "100"]], ["GETEX", "k", "PERSIST"], [("persist", "k")]),
    ([], ["MSET", "a", "1", "b", "2"], [("set", "a"), ("set", "b")]),
    ([], ["MSETNX", "a", "1", "b", "2"], [("set", "a"), ("set", "b")]),
    ([], ["INCR", "n"], [("incrby", "n")]),
    ([], ["DECRBY", "n", "5"], [("incrby", "n")]),
    ([], ["INCRBYFLOAT", "n", "1.5"], [("incrbyfloat", "n")]),
    ([], ["APPEND", "k", "xy"], [("append", "k")]),
    ([], ["SETRANGE", "k", "2", "xy"], [("setrange", "k")]),
    ([["SET", "a", "1"]], ["DEL", "a", "b", "a"], [("del", "a")]),
    ([["SET", "a", "1"]], ["UNLINK", "a"], [("del", "a")]),
    ([["SET", "a", "1"]], ["EXPIRE", "a", "100"], [("expire", "a")]),
    ([["SET", "a", "1"]], ["PEXPIREAT", "a", "1"], [("del", "a")]),
    ([["SET", "a", "1", "EX", "100"]], ["PERSIST", "a"], [("persist", "a")]),
    ([["SET", "a", "1"]], ["PERSIST", "a"], []),
    ([["SET", "a", "1"]], ["RENAME", "a", "b"], [("rename_from", "a"), ("rename_to", "b")]),
    ([["SET", "a", "1"]], ["RENAMENX", "a", "b"], [("rename_from", "a"), ("rename_to", "b")]),
    ([["SET", "a", "1"]], ["COPY", "a", "b"], [("copy_to", "b")]),
    ([], ["LPUSH", "l", "a", "b"], [("lpush", "l")]),
    ([], ["RPUSH", "l", "a"], [("rpush", "l")]),
    ([], ["LPUSHX", "l", "a"], []),
    ([["RPUSH", "l", "a", "b"]], ["LPOP", "l"], [("lpop", "l")]),
    ([["RPUSH", "l", "a"]], ["RPOP", "l"], [("rpop", "l"), ("del", "l")]),
    ([["RPUSH", "l", "a", "b"]], ["LSET", "l", "0", "x"], [("lset", "l")]),
    ([["RPUSH", "l", "a", "b"]], ["LTRIM", "l", "0", "0"], [("ltrim", "l")]),
    ([["RPUSH", "l", "a", "b"]], ["LTRIM", "l", "5", "6"], [("ltrim", "l"), ("del", "l")]),
    ([["RPUSH", "l", "a", "b", "a"]], ["LREM", "l", "0", "a"], [("lrem", "l")]),
    ([["RPUSH", "l", "a", "b"]], ["LINSERT", "l", "BEFORE", "b", "x"], [("linsert", "l")]),
    ([["RPUSH", "l", "a"]], ["LMOVE", "l", "m", "LEFT", "RIGHT"],
     [("rpush", "m"), ("lpop", "l"), ("del", "l")]),
    ([["RPUSH", "l", "a", "b"]], ["RPOPLPUSH", "l", "m"], [("lpush", "m"), ("rpop", "l")]),
    ([["RPUSH", "l", "a", "b"]], ["LMPOP", "1", "l", "RIGHT", "COUNT", "5"],
     [("rpop", "l"), ("del", "l")]),
    ([["RPUSH", "l", "a"]], ["BLPOP", "l", "0"], [("lpop", "l"), ("del", "l")]),
    ([], ["HSET", "h", "f", "v", "g", "w"], [("hset", "h")]),
    ([["HSET", "h", "f", "v"]], ["HSET", "h", "f", "v"], [("hset", "h")]),
    ([["HSET", "h", "f", "v"]], ["HSETNX", "h", "f", "v"], []),
    ([["HSET", "h", "f", "v", "g", "w"]], ["HDEL", "h", "f"], [("hdel", "h")]),
    ([["HSET", "h", "f", "v"]], ["HDEL", "h", "f"], [("hdel", "h"), ("del", "h")]),
    ([], ["HINCRBY", "h", "f", "2"], [("hincrby", "h")]),
    ([], ["HINCRBYFLOAT", "h", "f", "2.5"], [("hincrbyfloat", "h")]),
    ([], ["SADD", "s", "a", "b"], [("sadd", "s")]),
    ([["SADD", "s", "a"]], ["SADD", "s", "a"], []),
    ([["SADD", "s", "a", "b"]], ["SREM", "s", "a", "z"], [("srem", "s")]),
    ([["SADD", "s", "a"]], ["SREM", "s", "a"], [("srem", "s"), ("del", "s")]),
    ([["SADD", "s", "a"]], ["SPOP", "s"], [("spop", "s"), ("del", "s")]),
    ([["SADD", "s", "a", "b"]], ["SMOVE", "s", "t", "a"], [("srem", "s"), ("sadd", "t")]),
    ([["SADD", "s", "a"], ["SADD", "t", "a"]], ["SMOVE", "s", "t", "a"],
     [("srem", "s"), ("del", "s")]),
    ([["SADD", "s", "a"], ["SADD", "t", "a"]], ["SINTERSTORE", "d", "s", "t"],
     [("sinterstore", "d")]),
    ([["SADD", "s", "a"], ["SADD", "d", "x"]], ["SINTERSTORE", "d", "s", "nokey"],
     [("del", "d")]),
    ([["SADD", "s", "a"]], ["SUNIONSTORE", "d", "s"], [("sunionstore", "d")]),
    ([["SADD", "s", "a"]], ["SDIFFSTORE", "d", "s"], [("sdiffstore", "d")]),
    ([], ["ZADD", "z", "1", "a"], [("zadd", "z")]),
    ([["ZADD", "z", "1", "a"]], ["ZADD", "z", "1", "a"], []),
    ([["ZADD", "z", "1", "a"]], ["ZADD", "z", "2", "a"], [("zadd", "z")]),
    ([["ZADD", "z", "1", "a"]], ["ZADD", "z", "NX", "2", "a"], []),
    ([], ["ZINCRBY", "z", "2", "a"], [("zincr", "z")]),
    ([["ZADD", "z", "1", "a", "2", "b"]], ["ZREM", "z", "a"], [("zrem", "z")]),
    ([["ZADD", "z", "1", "a"]], ["ZREM", "z", "a"], [("zrem", "z"), ("del", "z")]),
    ([["ZADD", "z", "1", "a", "2", "b"]], ["ZREMRANGEBYRANK", "z", "0", "0"],
     [("zremrangebyrank", "z")]),
    ([["ZADD", "z", "1", "a", "2", "b"]], ["ZREMRANGEBYSCORE", "z", "-inf", "+inf"],
     [("zremrangebyscore", "z"), ("del", "z")]),
    ([["ZADD", "z", "0", "a", "0", "b"]], ["ZREMRANGEBYLEX", "z", "[a", "[a"],
     [("zremrangebylex", "z")]),
    ([["ZADD", "z", "1", "a", "2", "b"]], ["ZPOPMIN", "z"], [("zpopmin", "z")]),
    ([["ZADD", "z", "1", "a"]], ["ZPOPMAX", "z"], [("zpopmax", "z"), ("del", "z")]),
    ([["ZADD", "z", "1", "a"]], ["BZPOPMIN", "z", "0"], [("zpopmin", "z"), ("del", "z")]),
    ([["ZADD", "z", "1", "a", "2", "b"]], ["ZMPOP", "1", "z", "MAX"], [("zpopmax", "z")]),
    ([["ZADD", "z", "1", "a"]], ["ZUNIONSTORE", "d", "1", "z"], [("zunionstore", "d")]),
    ([["ZADD", "z", "1", "a"]], ["ZINTERSTORE", "d", "2", "z", "nokey"], []),
    ([["ZADD", "z", "1", "a"], ["ZADD", "d", "1", "x"]], ["ZINTERSTORE", "d", "2", "z", "nokey"],
     [("del", "d")]),
    ([["ZADD", "z", "1", "a"]], ["ZDIFFSTORE", "d", "1", "z"], [("zdiffstore", "d")]),
    ([["ZADD", "z", "1", "a"]], ["ZRANGESTORE", "d", "z", "0", "-1"], [("zrangestore", "d")]),
    ([], ["GET", "k"], []),
]


@pytest.mark.parametrize("setup,command,expected", CASES,
                         ids=[" ".join(c[1]) for c in CASES])
def test_command_events(r, events, setup, command, expected):
    for cmd in setup:
        r.execute_command(*cmd)
    events.next_batch()
    r.execute_command(*command)
    batch = events.next_batch()
    assert keyevents(batch) == expected
    # The keyspace side carries the same events, each right before its keyevent twin.
    assert [(msg, ch.split(":", 1)[1]) for ch, msg in batch
            if ch.startswith("__keyspace@")] == expected


def test_move_and_copy_to_other_db(server, r, events):
    r.set("a", "1")
    events.next_batch()
    r.execute_command("COPY", "a", "b", "DB", "2")
    assert events.next_batch() == [("__keyspace@2__:b", "copy_to"), ("__keyevent@2__:copy_to", "b")]
    r.execute_command("MOVE", "a", "3")
    assert events.next_batch() == [
        ("__keyspace@0__:a", "move_from"), ("__keyevent@0__:move_from", "a"),
        ("__keyspace@3__:a", "move_to"), ("__keyevent@3__:move_to", "a")]
    with server.conn() as c:
        c.call("SELECT", "2")
        c.call("FLUSHDB")
        c.call("SELECT", "3")
        c.call("FLUSHDB")


def test_events_inside_multi_exec(r, events):
    p = r.pipeline(transaction=True)
    p.set("a", "1").incr("a").delete("a")
    p.execute()
    assert keyevents(events.next_batch()) == [("set", "a"), ("incrby", "a"), ("del", "a")]


def test_blocked_client_served_by_push_publishes_pop(server, r, events):
    waiter = server.conn()
    waiter.send("BLPOP", "q", "0")
    time.sleep(0.2)
    r.rpush("q", "job")
    assert waiter.read_reply() == [b"q", b"job"]
    assert keyevents(events.next_batch()) == [("rpush", "q"), ("lpop", "q"), ("del", "q")]
    waiter.close()


def test_expired_event_from_active_expiry(r, events):
    r.set("gone", "v", px=100)
    events.next_batch()
    deadline = time.monotonic() + 5
    got = []
    while time.monotonic() < deadline:
        got += keyevents(events.next_batch())
        if ("expired", "gone") in got:
            break
        time.sleep(0.05)
    assert got == [("expired", "gone")]  # nobody touched it: the active expiry reported it
    assert r.exists("gone") == 0


def test_expired_event_on_access_is_published_once(r, events):
    r.set("lazy", "v", px=30)
    r.rpush("other", "x")
    events.next_batch()
    time.sleep(0.05)
    # Accessing the key reports the expiration (now or already by the active expiry) once.
    assert r.get("lazy") is None
    assert r.get("lazy") is None
    assert r.exists("lazy") == 0
    time.sleep(0.3)
    assert keyevents(events.next_batch()) == [("expired", "lazy")]


def test_expired_only_when_x_class_enabled(r, events):
    r.config_set("notify-keyspace-events", "KE$")
    r.set("t", "v", px=20)
    time.sleep(0.4)
    assert r.get("t") is None
    assert keyevents(events.next_batch()) == [("set", "t")]
    r.config_set("notify-keyspace-events", "Ex")
    r.set("t2", "v", px=20)
    time.sleep(0.4)
    assert r.get("t2") is None
    assert keyevents(events.next_batch()) == [("expired", "t2")]


def test_new_key_events(r, events):
    r.config_set("notify-keyspace-events", "AKEn")
    assert r.config_get("notify-keyspace-events") == {"notify-keyspace-events": "AKE"}
    r.set("a", "1")
    r.set("a", "2")
    r.rename("a", "b")
    r.execute_command("MOVE", "b", "1")
    r.set("e", "1", px=1)
    time.sleep(0.05)
    r.set("e", "2")  # replaces an expired key: a new key again
    expected = [(0, "new", "a"), (0, "set", "a"), (0, "set", "a"), (0, "new", "b"),
                (0, "rename_from", "a"), (0, "rename_to", "b"), (1, "new", "b"),
                (0, "move_from", "b"), (1, "move_to", "b"), (0, "new", "e"), (0, "set", "e"),
                (0, "expire", "e"), (0, "expired", "e"), (0, "new", "e"), (0, "set", "e")]
    want = []
    for db, event, key in expected:
        want += [(f"__keyspace@{db}__:{key}", event), (f"__keyevent@{db}__:{event}", key)]
    assert events.next_batch() == want
    r.execute_command("SELECT", "1")
    r.flushdb()
    r.execute_command("SELECT", "0")


def test_keymiss_events(r, events):
    r.config_set("notify-keyspace-events", "Em")
    r.set("present", "1")
    r.rpush("list", "a")
    r.get("present")
    r.get("absent")
    r.hget("nohash", "f")
    r.lrange("nolist", 0, -1)
    r.exists("gone")
    r.llen("list")
    r.set("x", "1")  # writes never report misses
    assert keyevents(events.next_batch()) == [
        ("keymiss", "absent"), ("keymiss", "nohash"), ("keymiss", "nolist"),
        ("keymiss", "gone")]
