"""The hot tier (engine/hot_tier.h) never changes an answer: randomized multi-client workloads
over every type, with the tier at a tiny budget (constant eviction), a large one, disabled, and
resized by CONFIG SET between rounds (with hot-tier-max-collection-bytes changed too),
must leave exactly what a model of the workload predicts, and exactly what the same directory
shows after a restart with the tier disabled (every read then comes from RocksDB).

Workload: each thread owns its keys (so a per-thread model is deterministic whatever the
interleaving) and drives strings (SET, INCR, APPEND, SETRANGE, EXPIRE, PERSIST), hashes, lists,
sets, sorted sets, DEL, RENAME, MOVE and MULTI/EXEC over its own connections (one per database,
several workers). Collection reads are frequent and checked against the model as they happen
(HGET, HMGET, HGETALL, SISMEMBER, SMEMBERS, ZSCORE, ZRANGE, LINDEX, LRANGE), so that small
collections cached whole are read right after every kind of element write, including those
that leave the metadata unchanged (HSET over a field, LSET, ZADD of a new score). Between rounds the main thread runs SWAPDB and FLUSHDB and every key is
checked. A final phase has all threads (plus one issuing SWAPDB/FLUSHDB/short PEXPIREs) fight
over shared keys, with EVAL scripts among the commands; its end state is checked only against
the tier-off restart.
"""

import random
import threading
import time
import zlib

import pytest

pytestmark = pytest.mark.basalt_only

THREADS = 4
KEYS_PER_THREAD = 10
ROUNDS = 10
OPS_PER_ROUND = 200
DBS = (0, 1)


# ----------------------------------------------------------------------------- the model

def _norm(entry):
    """A model entry -> the form _read_key returns."""
    if entry is None:
        return None
    kind, value, ttl = entry
    if kind == "hash":
        value = sorted(value.items())
    elif kind == "set":
        value = sorted(value)
    elif kind == "zset":
        value = sorted(((s, m) for m, s in value.items()))
        value = [(m, float(s)) for s, m in value]
    elif kind == "list":
        value = list(value)
    return (kind, value, ttl)


def _gen_op(rng, model, db, keys):
    """Picks a valid command for thread-owned `keys` in `db`, applies it to `model` and returns
    its argv. Commands are chosen so that none fails (no WRONGTYPE, no missing RENAME source),
    which lets MULTI/EXEC use the same generator."""
    m = model[db]
    key = rng.choice(keys)
    cur = m.get(key)
    kind = cur[0] if cur else None
    roll = rng.random()
    if roll < 0.06:
        if cur is not None:
            del m[key]
        return ["DEL", key]
    if roll < 0.10 and cur is not None:
        dst = rng.choice(keys)
        if dst != key:
            m[dst] = m.pop(key)
        return ["RENAME", key, dst]
    if roll < 0.13 and cur is not None:
        other = model[1 - db]
        if key not in other:
            other[key] = m.pop(key)
        return ["MOVE", key, str(1 - db)]
    if roll < 0.18 and cur is not None:
        cur[2] = True
        return ["EXPIRE", key, "100000"]
    if roll < 0.21 and cur is not None:
        cur[2] = False
        return ["PERSIST", key]
    if roll < 0.26:
        v = b"s%d" % rng.randrange(1000)
        m[key] = ["string", v, False]
        return ["SET", key, v]
    choices = {
        None: ["str", "hash", "list", "set", "zset"],
        "string": ["str"], "hash": ["hash"], "list": ["list"], "set": ["set"], "zset": ["zset"],
    }[kind]
    family = rng.choice(choices)
    return globals()["_op_" + family](rng, m, key, cur)


def _op_str(rng, m, key, cur):
    value = cur[1] if cur else None
    r = rng.random()
    if r < 0.35 and (value is None or value.lstrip(b"-").isdigit()):
        n = int(value or b"0") + 1
        if cur:
            cur[1] = b"%d" % n
        else:
            m[key] = ["string", b"%d" % n, False]
        return ["INCR", key]
    if r < 0.7:
        suffix = b"a%d" % rng.randrange(100)
        if cur:
            cur[1] = value + suffix
        else:
            m[key] = ["string", suffix, False]
        return ["APPEND", key, suffix]
    off = rng.randrange(8)
    patch = b"xy"
    base = (value or b"").ljust(off, b"\x00")
    new = base[:off] + patch + base[off + len(patch):]
    if cur:
        cur[1] = new
    else:
        m[key] = ["string", new, False]
    return ["SETRANGE", key, str(off), patch]


def _op_hash(rng, m, key, cur):
    if cur is None:
        cur = m[key] = ["hash", {}, False]
    h = cur[1]
    f = b"f%d" % rng.randrange(6)
    r = rng.random()
    if r < 0.3 and h:
        f = rng.choice(sorted(h))
        del h[f]
        if not h:
            del m[key]
        return ["HDEL", key, f]
    if r < 0.5 and (f not in h or h[f].isdigit()):
        h[f] = b"%d" % (int(h.get(f, b"0")) + 3)
        return ["HINCRBY", key, f, "3"]
    h[f] = b"v%d" % rng.randrange(100)
    return ["HSET", key, f, h[f]]


def _op_list(rng, m, key, cur):
    if cur is None:
        cur = m[key] = ["list", [], False]
    lst = cur[1]
    r = rng.random()
    if r < 0.3 and lst:
        side = rng.choice(["LPOP", "RPOP"])
        lst.pop(0 if side == "LPOP" else -1)
        if not lst:
            del m[key]
        return [side, key]
    v = b"e%d" % rng.randrange(100)
    if r < 0.45 and lst:  # same length, same metadata: only the element changes
        i = rng.randrange(len(lst))
        lst[i] = v
        return ["LSET", key, str(i), v]
    if rng.random() < 0.5:
        lst.insert(0, v)
        return ["LPUSH", key, v]
    lst.append(v)
    return ["RPUSH", key, v]


def _op_set(rng, m, key, cur):
    if cur is None:
        cur = m[key] = ["set", set(), False]
    s = cur[1]
    mem = b"m%d" % rng.randrange(8)
    if rng.random() < 0.35 and s:
        mem = rng.choice(sorted(s))
        s.discard(mem)
        if not s:
            del m[key]
        return ["SREM", key, mem]
    s.add(mem)
    return ["SADD", key, mem]


def _op_zset(rng, m, key, cur):
    if cur is None:
        cur = m[key] = ["zset", {}, False]
    z = cur[1]
    mem = b"z%d" % rng.randrange(8)
    r = rng.random()
    if r < 0.3 and z:
        mem = rng.choice(sorted(z))
        del z[mem]
        if not z:
            del m[key]
        return ["ZREM", key, mem]
    if r < 0.6:
        z[mem] = z.get(mem, 0) + 2
        return ["ZINCRBY", key, "2", mem]
    z[mem] = rng.randrange(50)
    return ["ZADD", key, str(z[mem]), mem]


# ----------------------------------------------------------------------------- reading back

def _read_key(c, key):
    kind = c.type(key).decode()
    if kind == "none":
        return None
    if kind == "string":
        value = c.get(key)
    elif kind == "hash":
        value = sorted(c.hgetall(key).items())
    elif kind == "list":
        value = c.lrange(key, 0, -1)
    elif kind == "set":
        value = sorted(c.smembers(key))
    else:
        value = [(m, float(s)) for m, s in c.zrange(key, 0, -1, withscores=True)]
    return (kind, value, c.pttl(key) > 0)


def _check_collection_reads(rng, c, key, entry):
    """Collection reads of `key`, checked against its model `entry` (see _norm)."""
    kind, value, _ = _norm(entry) if entry is not None else (None, None, None)
    if kind == "hash":
        h = dict(value)
        f = rng.choice(sorted(h) + [b"nofield"])
        assert c.hget(key, f) == h.get(f), (key, f)
        assert c.hmget(key, [f, b"f0"]) == [h.get(f), h.get(b"f0")], key
        assert sorted(c.hgetall(key).items()) == value, key
        assert c.hlen(key) == len(h), key
    elif kind == "set":
        m = rng.choice(sorted(value) + [b"nomember"])
        assert c.sismember(key, m) == (m in value), (key, m)
        assert sorted(c.smembers(key)) == value, key
    elif kind == "zset":
        scores = dict(value)
        m = rng.choice(sorted(scores) + [b"nomember"])
        assert c.zscore(key, m) == scores.get(m), (key, m)
        assert c.zrange(key, 0, 1, withscores=True) == value[:2], key
        assert c.zrevrange(key, 0, 0) == [m for m, _ in value[-1:]], key
    elif kind == "list":
        i = rng.randrange(-len(value) - 1, len(value) + 1)
        want = value[i] if -len(value) <= i < len(value) else None
        assert c.lindex(key, i) == want, (key, i)
        assert c.lrange(key, 1, -2) == value[1:-1], key
    else:
        assert c.exists(key) == 0 or c.type(key) == b"string", key


def _dump(srv):
    """Every key of the databases the workloads use, read through the server."""
    out = {}
    for db in (0, 1, 2):
        c = srv.client(db=db)
        for key in sorted(c.scan_iter(count=100)):
            out[(db, key)] = _read_key(c, key)
        c.close()
    return out


def _hot_tier_info(srv):
    return srv.client().info("hottier")


# ----------------------------------------------------------------------------- the workloads

class Worker(threading.Thread):
    def __init__(self, srv, index, seed, start_barrier):
        super().__init__(daemon=True)
        self.rng = random.Random(seed)
        self.keys = [("t%d:k%d" % (index, i)).encode() for i in range(KEYS_PER_THREAD)]
        self.model = {0: {}, 1: {}}
        self.clients = {db: srv.client(db=db) for db in DBS}
        self.barrier = start_barrier
        self.error = None

    def run(self):
        try:
            for _ in range(ROUNDS):
                self.barrier.wait()
                self.round()
                self.barrier.wait()
        except threading.BrokenBarrierError:
            pass  # the main thread failed or finished early
        except Exception as e:  # reported by the main thread
            self.error = e
            self.barrier.abort()

    def round(self):
        for _ in range(OPS_PER_ROUND):
            db = self.rng.choice(DBS)
            c = self.clients[db]
            if self.rng.random() < 0.1:
                pipe = c.pipeline(transaction=True)
                for _ in range(self.rng.randrange(2, 5)):
                    pipe.execute_command(*_gen_op(self.rng, self.model, db, self.keys))
                pipe.execute()
            else:
                c.execute_command(*_gen_op(self.rng, self.model, db, self.keys))
            if self.rng.random() < 0.3:  # reads between writes fill the tier
                _read_key(c, self.rng.choice(self.keys))
            if self.rng.random() < 0.5:  # collection reads right after writes, checked
                key = self.rng.choice(self.keys)
                _check_collection_reads(self.rng, c, key, self.model[db].get(key))

    def check(self, tag):
        for db in DBS:
            for key in self.keys:
                got = _read_key(self.clients[db], key)
                assert got == _norm(self.model[db].get(key)), (tag, db, key)

    def expected(self):
        return {(db, k): _norm(v) for db in DBS for k, v in self.model[db].items()}


def _reader(srv, stop, seed):
    """Reads everyone's keys (unchecked) to race tier fills against the writers."""
    rng = random.Random(seed)
    clients = [srv.client(db=db) for db in DBS]
    while not stop.is_set():
        c = rng.choice(clients)
        key = b"t%d:k%d" % (rng.randrange(THREADS), rng.randrange(KEYS_PER_THREAD))
        try:
            _read_key(c, key)
        except Exception:
            pass  # the key changed type between TYPE and the read


def _run_owned_phase(srv, seed, resize=False):
    barrier = threading.Barrier(THREADS + 1)
    workers = [Worker(srv, i, seed * 100 + i, barrier) for i in range(THREADS)]
    stop = threading.Event()
    reader = threading.Thread(target=_reader, args=(srv, stop, seed), daemon=True)
    for w in workers:
        w.start()
    reader.start()
    rng = random.Random(seed)
    admin = {db: srv.client(db=db) for db in DBS}
    def wait():
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            raise AssertionError([w.error for w in workers if w.error is not None]) from None

    try:
        for rnd in range(ROUNDS):
            wait()  # the round runs
            wait()  # the round is over
            for w in workers:
                assert w.error is None, w.error
                w.check("round %d" % rnd)
            action = rng.random()
            if action < 0.4:
                admin[0].swapdb(0, 1)
                for w in workers:
                    w.model[0], w.model[1] = w.model[1], w.model[0]
            elif action < 0.6:
                admin[1].flushdb()
                for w in workers:
                    w.model[1] = {}
            if resize:  # the next round runs with another budget (shrinking evicts at once)
                admin[0].config_set("hot-tier-max-memory", rng.choice(["4kb", "64kb", "256mb"]))
                admin[0].config_set("hot-tier-max-collection-bytes",
                                    rng.choice(["0", "200", "16kb"]))
            for w in workers:
                w.check("after admin %d" % rnd)
    finally:
        barrier.abort()  # frees the workers if the main thread failed
        stop.set()
        reader.join()
        for w in workers:
            w.join(timeout=30)
    for w in workers:
        assert w.error is None, w.error
    expected = {}
    for w in workers:
        expected.update(w.expected())
    return expected


SHARED_KEYS = [b"sh:%d" % i for i in range(12)]


def _shared_op(rng, c):
    key = rng.choice(SHARED_KEYS)
    other = rng.choice(SHARED_KEYS)
    r = rng.random()
    cmds = [
        ["SET", key, b"v%d" % rng.randrange(100)], ["INCR", key], ["APPEND", key, b"x"],
        ["SETRANGE", key, "2", b"ab"], ["HSET", key, b"f%d" % rng.randrange(4), b"1"],
        ["HDEL", key, b"f1"], ["LPUSH", key, b"a"], ["RPOP", key], ["SADD", key, b"m"],
        ["SREM", key, b"m"], ["ZADD", key, "1", b"z"], ["ZINCRBY", key, "1", b"z"],
        ["DEL", key], ["RENAME", key, rng.choice(SHARED_KEYS)], ["MOVE", key, "1"],
        ["PEXPIRE", key, str(rng.randrange(1, 40))], ["EXPIRE", key, "1000"], ["PERSIST", key],
        ["GET", key], ["HGETALL", key], ["EXISTS", key], ["TYPE", key],
        # Scripts stage their writes in one transaction and read them back inside it.
        ["EVAL", "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])", "1",
         key, b"lua"],
        ["EVAL", "redis.call('DEL', KEYS[1]); redis.call('HSET', KEYS[2], 'f', '1');"
         " return redis.call('EXISTS', KEYS[1])", "2", key, other],
        ["EVAL", "return redis.call('INCR', KEYS[1])", "1", key],
        # Undeclared keys: the script runs (or reruns) with the whole keyspace locked.
        ["EVAL", "redis.call('SET', KEYS[1], 'a'); redis.call('LPUSH', 'sh:5', 'b'); return 1",
         "1", key],
        ["EVAL", "redis.call('APPEND', 'sh:3', 'u'); return redis.call('GET', 'sh:3')", "0"],
    ]
    if r < 0.1:
        pipe = c.pipeline(transaction=True)
        for _ in range(3):
            pipe.execute_command(*rng.choice(cmds))
        pipe.execute(raise_on_error=False)
        return
    try:
        c.execute_command(*rng.choice(cmds))
    except Exception:
        pass  # WRONGTYPE, no such key, not an integer: expected in a free-for-all


def _run_shared_phase(srv, seed, ops=400):
    def work(i):
        rng = random.Random(seed * 1000 + i)
        clients = [srv.client(db=db) for db in DBS]
        for n in range(ops):
            c = rng.choice(clients)
            if i == 0 and n % 50 == 25:
                c.swapdb(0, 1)
            elif i == 0 and n % 150 == 149:
                c.flushdb()
            else:
                _shared_op(rng, c)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    time.sleep(0.3)  # every short PEXPIRE has passed: those keys read as absent either way


def _restart_with_tier(srv, budget):
    srv.stop()
    srv.extra = [(k, v) for k, v in srv.extra if k != "hot-tier-max-memory"]
    srv.extra.append(("hot-tier-max-memory", budget))
    srv.start()


@pytest.mark.parametrize("budget", ["4kb", "32kb", "256mb", "0", "resize"])
def test_tier_never_changes_an_answer(server_factory, budget):
    start = "64kb" if budget == "resize" else budget
    srv = server_factory(extra=[("workers", 4), ("hot-tier-max-memory", start)])
    expected = _run_owned_phase(srv, seed=zlib.crc32(budget.encode()) & 0xFFFF,
                                resize=budget == "resize")
    owned = {k: v for k, v in _dump(srv).items() if v is not None}
    assert owned == {k: v for k, v in expected.items() if v is not None}

    info = _hot_tier_info(srv)
    assert info["hot_tier_used_bytes"] <= info["hot_tier_max_bytes"]
    if budget in ("4kb", "resize"):
        assert info["hot_tier_evictions"] > 0
    if budget == "0":
        assert info["hot_tier_entries"] == 0 and info["hot_tier_hits"] == 0
        assert info["hot_tier_element_hits"] == 0
    else:
        assert info["hot_tier_hits"] > 0
    if budget in ("32kb", "256mb"):
        assert info["hot_tier_element_hits"] > 0

    _run_shared_phase(srv, seed=7)
    with_tier = _dump(srv)
    _restart_with_tier(srv, "0")
    without_tier = _dump(srv)
    assert with_tier == without_tier


def test_budget_is_enforced_and_shrinks_at_once(server_factory):
    srv = server_factory(extra=[("hot-tier-max-memory", "1mb")])
    c = srv.client()
    pipe = c.pipeline(transaction=False)
    for i in range(20000):
        pipe.set(b"key:%d" % i, b"x" * 100)
    pipe.execute()
    info = _hot_tier_info(srv)
    assert info["hot_tier_max_bytes"] == 1 << 20
    assert 0 < info["hot_tier_used_bytes"] <= 1 << 20
    assert info["hot_tier_evictions"] > 0
    assert info["hot_tier_entries"] > 1000

    assert c.config_set("hot-tier-max-memory", "64kb")
    info = _hot_tier_info(srv)
    assert info["hot_tier_max_bytes"] == 64 << 10
    assert info["hot_tier_used_bytes"] <= 64 << 10
    assert c.config_get("hot-tier-max-memory") == {"hot-tier-max-memory": str(64 << 10)}

    assert c.config_set("hot-tier-max-memory", "0")
    info = _hot_tier_info(srv)
    assert info["hot_tier_used_bytes"] == 0 and info["hot_tier_entries"] == 0
    assert c.get(b"key:5") == b"x" * 100  # served from RocksDB
    assert _hot_tier_info(srv)["hot_tier_entries"] == 0


def test_absent_keys_and_large_values_with_complete_databases(server_factory):
    """A fresh server's databases are empty, so the tier holds all of each (complete) and
    answers absent keys itself; a value too large to cache, and records evicted, end that, and
    their keys are read from RocksDB; FLUSHDB makes a database complete again."""
    srv = server_factory(extra=[("hot-tier-max-memory", "1mb"), ("databases", 4)])
    c = srv.client()
    assert _hot_tier_info(srv)["hot_tier_complete_dbs"] == 4
    assert c.get("nope") is None and c.exists("nope") == 0 and c.type("nope") == b"none"
    assert c.incr("n") == 1 and c.rpush("l", "a") == 1
    big = b"b" * (300 << 10)  # over the largest record the tier caches
    assert c.set("big", big)
    assert c.get("big") == big
    assert _hot_tier_info(srv)["hot_tier_complete_dbs"] == 3
    c.flushdb()
    assert _hot_tier_info(srv)["hot_tier_complete_dbs"] == 4
    assert c.get("big") is None
    pipe = c.pipeline(transaction=False)
    for i in range(20000):
        pipe.set(b"key:%d" % i, b"x%d" % i)
    pipe.execute()
    assert _hot_tier_info(srv)["hot_tier_evictions"] > 0
    assert _hot_tier_info(srv)["hot_tier_complete_dbs"] == 3
    values = c.mget([b"key:%d" % i for i in range(20000)])
    assert values == [b"x%d" % i for i in range(20000)]


def test_restart_warms_the_tier_while_clients_write(server_factory):
    """After a restart the tier loads the records back from RocksDB in the background (when
    they fit) and holds the databases complete again; writes made meanwhile keep their effect."""
    srv = server_factory(extra=[("hot-tier-max-memory", "64mb"), ("databases", 4)])
    c = srv.client()
    n = 30000
    for db in (0, 2):
        cdb = srv.client(db=db)
        pipe = cdb.pipeline(transaction=False)
        for i in range(n):
            pipe.set(b"k:%d" % i, b"v%d" % i)
        pipe.hset("h", mapping={"f": "1"})
        pipe.execute()
        cdb.close()
    c.close()
    srv.stop()
    srv.start()
    c = srv.client()
    expected = {i: b"v%d" % i for i in range(n)}
    pipe = c.pipeline(transaction=False)
    for i in range(0, n, 5):  # right after the start, while the warm-up may still run
        if i % 2:
            pipe.set(b"k:%d" % i, b"w%d" % i)
            expected[i] = b"w%d" % i
        else:
            pipe.delete(b"k:%d" % i)
            expected[i] = None
    pipe.execute()
    deadline = time.time() + 20
    while _hot_tier_info(srv)["hot_tier_complete_dbs"] < 4 and time.time() < deadline:
        time.sleep(0.05)
    info = _hot_tier_info(srv)
    assert info["hot_tier_complete_dbs"] == 4
    assert info["hot_tier_entries"] >= 2 * n * 0.9
    assert c.mget([b"k:%d" % i for i in range(n)]) == [expected[i] for i in range(n)]
    assert srv.client(db=2).mget([b"k:%d" % i for i in range(n)]) == [b"v%d" % i for i in range(n)]
    assert srv.client(db=2).hget("h", "f") == b"1"
    assert c.get("never") is None


def test_hits_and_keyspace_stats(server_factory):
    srv = server_factory(extra=[("hot-tier-max-memory", "64mb")])
    c = srv.client()
    c.set("a", "1")
    for _ in range(10):
        assert c.get("a") == b"1"
    assert c.get("missing") is None
    info = _hot_tier_info(srv)
    assert info["hot_tier_hits"] >= 10
    assert info["hot_tier_entries"] >= 1
    assert float(info["hot_tier_hit_ratio"]) > 50
    stats = c.info("stats")
    assert stats["keyspace_hits"] >= 10 and stats["keyspace_misses"] >= 1
    mem = c.info("memory")
    for field in ("used_memory", "used_memory_rss", "rocksdb_block_cache_capacity",
                  "rocksdb_write_buffer_size", "hot_tier_used_memory", "hot_tier_max_memory"):
        assert field in mem
    assert mem["used_memory_rss"] > 0
    c.config_resetstat()
    assert _hot_tier_info(srv)["hot_tier_hits"] == 0


def test_collection_threshold_config_and_stats(server_factory):
    srv = server_factory(extra=[("hot-tier-max-memory", "16mb")])
    c = srv.client()
    assert c.config_get("hot-tier-max-collection-bytes") == {
        "hot-tier-max-collection-bytes": str(16 << 10)}
    c.hset("h", mapping={b"f%d" % i: b"v%d" % i for i in range(10)})
    c.rpush("l", *[b"e%d" % i for i in range(100)])
    for _ in range(3):
        assert c.hget("h", "f3") == b"v3"
        assert c.lrange("l", 0, -1) == [b"e%d" % i for i in range(100)]
    info = _hot_tier_info(srv)
    assert info["hot_tier_element_hits"] >= 2
    used = info["hot_tier_used_bytes"]
    assert c.config_set("hot-tier-max-collection-bytes", "0")
    assert _hot_tier_info(srv)["hot_tier_used_bytes"] < used  # dropped at once
    hits = _hot_tier_info(srv)["hot_tier_element_hits"]
    assert c.hget("h", "f3") == b"v3"
    assert c.lrange("l", 0, 1) == [b"e0", b"e1"]
    assert _hot_tier_info(srv)["hot_tier_element_hits"] == hits
    # A threshold below the list's size caches the hash only.
    assert c.config_set("hot-tier-max-collection-bytes", "2kb")
    for _ in range(3):
        assert c.hgetall("h")[b"f9"] == b"v9"
    hits_after_hash = _hot_tier_info(srv)["hot_tier_element_hits"]
    assert hits_after_hash > hits
    for _ in range(3):
        assert c.lindex("l", 50) == b"e50"
    assert _hot_tier_info(srv)["hot_tier_element_hits"] == hits_after_hash
