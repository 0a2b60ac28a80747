"""basalt-dump end to end: a mixed dataset loaded through the server (every type, TTLs, binary
keys, empty strings, 100,000-element collections), exported and loaded back three ways (pb and
jsonl through `import`, resp through `redis-cli --pipe` into Debian's redis-server), verify on
good and on deliberately damaged data, and keys/stats beside a server taking writes.

Needs BASALT_DUMP (the basalt-dump binary) and, for the damage test, BASALT_DAMAGE (the
test-only tests/e2e/damage_record.cc helper); ctest passes both."""

import glob
import os
import shutil
import signal
import subprocess
import threading
import time

import pytest
import redis

from conftest import free_port

pytestmark = [pytest.mark.basalt_only]

DUMP = os.environ.get("BASALT_DUMP", "")
DAMAGE = os.environ.get("BASALT_DAMAGE", "")
REDIS_SERVER = "/usr/bin/redis-server"
BIG = 100_000


def dump(*args, check=True, input=None):
    if not DUMP:
        pytest.skip("BASALT_DUMP is not set")
    p = subprocess.run([DUMP] + [str(a) for a in args], capture_output=True, input=input,
                       timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"basalt-dump {args} exited {p.returncode}: {p.stderr.decode()}")
    return p


def load_dataset(r):
    """Writes the mixed dataset; returns nothing (compare with snapshot())."""
    p = r.pipeline(transaction=False)
    p.set("s:plain", "hello")
    p.set("s:empty", "")
    p.set(b"bin\x00\xff\r\nkey", b"\x00\x01\xfe\xff")
    p.set("ключ", "значение")
    p.set("s:ttl", "soon", px=600_000)
    p.set(b"\xc3\x28", b"invalid utf-8 key")
    p.hset("h:small", mapping={"f1": "v1", "empty": "", b"\xff": b"\x00"})
    p.hset("h:ttl", "f", "v")
    p.pexpire("h:ttl", 500_000)
    p.rpush("l:small", "a", "", "c", b"\xfe")
    p.sadd("set:small", "x", "", b"\x00\x01")
    p.zadd("z:small", {"a": 1, "b": 2.5, "neg": -3.25, "pinf": float("inf"),
                       "ninf": float("-inf"), "": 0, "tiny": 5e-324})
    p.execute()
    for start in range(0, BIG, 5000):
        p = r.pipeline(transaction=False)
        p.hset("h:big", mapping={f"field:{i}": f"value:{i}" for i in range(start, start + 5000)})
        p.rpush("l:big", *[f"e{i}" for i in range(start, start + 5000)])
        p.zadd("z:big", {f"m{i}": i * 0.5 for i in range(start, start + 5000)})
        p.sadd("set:big", *[f"s{i}" for i in range(start, start + 5000)])
        p.execute()
    r.pexpire("z:big", 700_000)
    c1 = redis.Redis(host=r.connection_pool.connection_kwargs["host"],
                     port=r.connection_pool.connection_kwargs["port"], db=1)
    c1.set("db1:key", "in db 1")
    c1.rpush("db1:list", "one", "two")
    c1.close()


def snapshot(port, dbs=(0, 1)):
    """{(db, key): (type, value, pexpiretime)} for every key of the given databases."""
    out = {}
    for db in dbs:
        c = redis.Redis(host="127.0.0.1", port=port, db=db)
        for key in c.scan_iter(count=1000):
            t = c.type(key).decode()
            if t == "string":
                v = c.get(key)
            elif t == "hash":
                v = c.hgetall(key)
            elif t == "list":
                v = c.lrange(key, 0, -1)
            elif t == "set":
                v = c.smembers(key)
            elif t == "zset":
                v = c.zrange(key, 0, -1, withscores=True)
            else:
                raise AssertionError(f"unexpected type {t}")
            out[(db, key)] = (t, v, c.execute_command("PEXPIRETIME", key))
        c.close()
    return out


@pytest.fixture(scope="module")
def dataset(_module_factory):
    """Loads the dataset once per module: (stopped server's dir, snapshot of its keys)."""
    srv = _module_factory()
    load_dataset(srv.client())
    want = snapshot(srv.port)
    assert srv.stop() == 0
    return srv.dir, want


@pytest.fixture
def loaded(server_factory, dataset):
    """A running server on a private copy of the dataset."""
    srv = server_factory(start=False)
    shutil.copytree(os.path.join(dataset[0], "db"), os.path.join(srv.dir, "db"))
    return srv.start()


@pytest.fixture
def want(dataset):
    return dataset[1]


def start_on(server_factory, dir_setup):
    """A server on a fresh directory that `dir_setup(dir)` fills first."""
    srv = server_factory(start=False)
    dir_setup(srv.dir)
    return srv.start()


def test_help_for_every_subcommand():
    for sub in ("keys", "get", "stats", "verify", "export", "import"):
        p = dump(sub, "--help")
        assert b"usage: basalt-dump " + sub.encode() in p.stdout
    assert dump(check=False).returncode == 2
    assert dump("nosuch", check=False).returncode == 2


def test_pb_export_import_roundtrip(loaded, want, server_factory, tmp_path):
    assert len(want) == 17
    out = tmp_path / "dump.pb"
    dump("export", loaded.dir, "--format", "pb", "-o", out)  # server still running
    srv = start_on(server_factory, lambda d: dump("import", d, out, "--format", "pb"))
    assert snapshot(srv.port) == want
    assert srv.client().dbsize() == 15
    srv.stop()
    assert dump("verify", srv.dir).returncode == 0


def test_jsonl_export_import_roundtrip(loaded, want, server_factory, tmp_path):
    out = tmp_path / "dump.jsonl"
    dump("export", loaded.dir, "--format", "jsonl", "-o", out)
    lines = out.read_bytes().splitlines()
    assert b'{"base64":"AAH+/w=="}' in out.read_bytes()  # the binary string value
    assert all(line.startswith(b'{"db":') for line in lines)
    srv = start_on(server_factory, lambda d: dump("import", d, out, "--format", "jsonl"))
    assert snapshot(srv.port) == want


def test_import_replaces_existing_keys(loaded, server_factory, tmp_path):
    out = tmp_path / "dump.pb"
    dump("export", loaded.dir, "--format", "pb", "-o", out)
    srv = server_factory()
    c = srv.client()
    c.rpush("l:small", "stale")  # replaced, not appended to
    c.set("other", "kept")
    srv.stop()
    dump("import", srv.dir, out, "--format", "pb")
    srv.start()
    assert c.lrange("l:small", 0, -1) == [b"a", b"", b"c", b"\xfe"]
    assert c.get("other") == b"kept"
    # import refuses a directory a server holds
    p = dump("import", srv.dir, out, "--format", "pb", check=False)
    assert p.returncode == 1 and b"server running" in p.stderr


def test_resp_export_pipes_into_redis(loaded, want, tmp_path):
    if not os.path.exists(REDIS_SERVER):
        pytest.skip("redis-server is not installed")
    out = tmp_path / "dump.resp"
    dump("export", loaded.dir, "--format", "resp", "-o", out)
    port = free_port()
    rdir = tmp_path / "redis"
    rdir.mkdir()
    proc = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", str(rdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=port).ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        with open(out, "rb") as f:
            p = subprocess.run(["redis-cli", "-p", str(port), "--pipe"], stdin=f,
                               capture_output=True, timeout=120)
        assert p.returncode == 0, p.stdout + p.stderr
        assert b"errors: 0" in p.stdout
        assert snapshot(port) == want
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(10)


def test_verify_clean_then_reports_damaged_record(loaded):
    assert dump("verify", loaded.dir).returncode == 0  # while the server runs
    loaded.stop()
    p = dump("verify", loaded.dir)
    assert b"0 findings" in p.stdout
    if not DAMAGE:
        pytest.skip("BASALT_DAMAGE is not set")
    subprocess.run([DAMAGE, loaded.dir, "h:small"], check=True, timeout=60)
    subprocess.run([DAMAGE, loaded.dir, "z:big"], check=True, timeout=60)
    p = dump("verify", loaded.dir, check=False)
    assert p.returncode == 1
    report = p.stdout.decode()
    assert "key=h:small: metadata size 4 but 3 live subkeys in data" in report
    assert "key=z:big: metadata size 100001 but 100000 live subkeys in data" in report
    assert "key=z:big: metadata size 100001 but 100000 live subkeys in zscore" in report
    assert "key=s:plain" not in report


def test_keys_get_stats_and_checkpoint(loaded):
    lines = dump("keys", loaded.dir).stdout.decode().splitlines()
    rows = {tuple(line.split("\t")[:3]): line.split("\t") for line in lines}
    assert len(lines) == 17
    assert rows[("0", "h:big", "hash")][4] == str(BIG)
    assert rows[("0", "s:empty", "string")][3:5] == ["-1", "0"]
    assert 0 < int(rows[("0", "z:big", "zset")][3]) <= 700_000
    assert ("0", '"bin\\x00\\xff\\r\\nkey"', "string") in rows
    assert ("1", "db1:list", "list") in rows
    assert dump("keys", loaded.dir, "--db", 1).stdout.count(b"\n") == 2
    assert dump("keys", loaded.dir, "--type", "zset").stdout.count(b"\n") == 2
    assert dump("keys", loaded.dir, "--match", "*:big").stdout.count(b"\n") == 4
    assert dump("keys", loaded.dir, "--limit", 3).stdout.count(b"\n") == 3

    got = dump("get", loaded.dir, "z:small").stdout.decode().splitlines()
    assert got[:3] == ["type: zset", "ttl_ms: -1", "elements: 7"]
    assert got[3:] == ['ninf -inf', 'neg -3.25', '"" 0', 'tiny 5e-324', 'a 1', 'b 2.5',
                       'pinf inf']
    assert dump("get", loaded.dir, "db1:list", "--db", 1).stdout.endswith(b"0) one\n1) two\n")
    assert dump("get", loaded.dir, "nosuch", check=False).returncode == 1

    stats = dump("stats", loaded.dir).stdout.decode()
    assert "db0: keys=15 string=6 list=2 set=2 zset=2 hash=3 with_ttl=3" in stats
    assert "total live keys: 17" in stats
    assert "65536..131071\t1" in stats
    for cf in ("meta", "data", "zscore", "expire"):
        assert f"  {cf} " in stats

    c = loaded.client()
    c.bgsave()
    deadline = time.monotonic() + 10
    while not glob.glob(os.path.join(loaded.dir, "checkpoints", "checkpoint-*")):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.2)
    cp = sorted(glob.glob(os.path.join(loaded.dir, "checkpoints", "checkpoint-*")))[-1]
    assert dump("keys", cp).stdout.count(b"\n") == 17
    assert dump("verify", cp).returncode == 0


def test_keys_and_stats_while_server_takes_writes(loaded):
    c = loaded.client()
    stop = threading.Event()
    written = []

    def writer():
        w = loaded.client()
        i = 0
        while not stop.is_set():
            w.set(f"live:{i}", i)
            w.hset("live:hash", f"f{i}", i)
            written.append(i)
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        for _ in range(2):
            assert dump("keys", loaded.dir, "--match", "live:*").returncode == 0
            assert dump("stats", loaded.dir).returncode == 0
            assert dump("verify", loaded.dir).returncode == 0
    finally:
        stop.set()
        t.join()
    assert len(written) > 0
    n = len(written)
    assert c.hlen("live:hash") == n
    assert c.mget([f"live:{i}" for i in range(n)]) == [str(i).encode() for i in range(n)]
    assert c.hlen("h:big") == BIG
    loaded.restart()
    assert c.hlen("live:hash") == n
    assert dump("verify", loaded.dir).returncode == 0


def test_refuses_unknown_format_and_non_basalt_dirs(server_factory, tmp_path):
    p = dump("keys", tmp_path, check=False)
    assert p.returncode == 1 and b"not a Basalt data directory" in p.stderr
    if not DAMAGE:
        pytest.skip("BASALT_DAMAGE is not set")
    srv = server_factory()
    srv.client().set("k", "v")
    srv.stop()
    subprocess.run([DAMAGE, srv.dir, "--format-version", "99"], check=True, timeout=60)
    for sub in ("keys", "stats", "verify"):
        p = dump(sub, srv.dir, check=False)
        assert p.returncode == 1
        assert b"format version 99; this build reads version 1" in p.stderr


def test_db_option_is_the_logical_database(server_factory):
    srv = server_factory()
    c = srv.client()
    c.set("in-zero", "0")
    c.execute_command("SWAPDB", 0, 2)
    assert c.get("in-zero") is None
    p = dump("keys", srv.dir)
    assert p.stdout == b"2\tin-zero\tstring\t-1\t1\t19\n"
    assert p.stderr == b""  # no progress bar when stderr is not a terminal
    assert dump("get", srv.dir, "in-zero", "--db", 2).stdout.endswith(b"\n0\n")
    assert dump("get", srv.dir, "in-zero", check=False).returncode == 1
    out = dump("export", srv.dir, "--format", "jsonl").stdout
    assert out.startswith(b'{"db":2,"key":"in-zero"')


def test_lrange_over_a_damaged_list_replies_one_error(server_factory):
    # LRANGE streams elements into the reply as it reads them; when the list turns out shorter
    # than its metadata says, what was already written is taken back and only the error goes.
    if not DAMAGE:
        pytest.skip("BASALT_DAMAGE is not set")
    srv = server_factory()
    srv.client().rpush("l", "a", "b", "c")
    srv.stop()
    subprocess.run([DAMAGE, srv.dir, "l"], check=True, timeout=60)  # size 3 -> 4
    srv.start()
    with srv.conn() as c:
        c.send("LRANGE", "l", "0", "-1")
        c.send("LRANGE", "l", "0", "1")  # a range inside what exists still reads
        c.send("PING")
        want = (b"-ERR Corruption: list size disagrees with elements\r\n"
                b"*2\r\n$1\r\na\r\n$1\r\nb\r\n+PONG\r\n")
        assert c.read_exact(len(want)) == want
        assert c.read_bytes_available(timeout=0.2) == b""
