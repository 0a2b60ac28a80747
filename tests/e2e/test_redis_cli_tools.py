"""redis-cli's built-in tools against the server: --scan --pattern, --bigkeys, --memkeys,
--latency, --stat and -3 (RESP3). (--pipe is covered by test_cli.py.) Checked against
redis-server 7.0.15."""

import os
import pty
import re
import subprocess
import time

import pytest

from e2e_support import RespConn


def cli_path():
    return "/usr/bin/redis-cli"


def fill_every_type(r):
    """For each type a small key and a clearly bigger one (in elements and in bytes)."""
    r.set("str:small", "x" * 10)
    r.set("str:big", "x" * 5000)
    r.rpush("list:small", *range(3))
    r.rpush("list:big", *[f"element-{i}" for i in range(300)])
    r.sadd("set:small", "a", "b")
    r.sadd("set:big", *[f"member-{i}" for i in range(200)])
    r.zadd("zset:small", {"a": 1})
    r.zadd("zset:big", {f"member-{i}": i for i in range(150)})
    r.hset("hash:small", "f", "v")
    r.hset("hash:big", mapping={f"field-{i}": f"value-{i}" for i in range(100)})


def biggest(output):
    """{type: key} from the summary lines "Biggest <type> found '"<key>"' has ..."."""
    found = {}
    for line in output.decode().splitlines():
        m = re.fullmatch(r"Biggest +(\w+) found '\"(.*)\"' has (\d+) (\w+)", line)
        if m:
            found[m.group(1)] = (m.group(2), int(m.group(3)), m.group(4))
    return found


def test_cli_scan_pattern(cli, r):
    users = {f"user:{i}" for i in range(250)}
    for k in users:
        r.set(k, 1)
    for i in range(100):
        r.set(f"session:{i}", 1)
    r.set("user", 1)
    r.set("xuser:1", 1)
    out = cli("--scan", "--pattern", "user:*")
    assert out.returncode == 0, out.stderr
    keys = out.stdout.decode().splitlines()
    assert set(keys) == users
    assert len(keys) == len(set(keys))  # every key once (nothing changed during the scan)
    out = cli("--scan", "--pattern", "session:1?")
    assert sorted(out.stdout.decode().splitlines()) == sorted(f"session:{i}" for i in range(10, 20))
    assert cli("--scan", "--pattern", "nomatch:*").stdout == b""


def test_cli_bigkeys(cli, r):
    fill_every_type(r)
    out = cli("--bigkeys")
    assert out.returncode == 0, out.stderr
    assert b"Sampled 10 keys in the keyspace!" in out.stdout
    assert biggest(out.stdout) == {
        "string": ("str:big", 5000, "bytes"),
        "list": ("list:big", 300, "items"),
        "set": ("set:big", 200, "members"),
        "zset": ("zset:big", 150, "members"),
        "hash": ("hash:big", 100, "fields"),
    }
    assert b"2 strings with 5010 bytes" in out.stdout
    assert b"2 lists with 303 items" in out.stdout


def test_cli_memkeys(cli, r):
    fill_every_type(r)
    out = cli("--memkeys")
    assert out.returncode == 0, out.stderr
    assert b"Sampled 10 keys in the keyspace!" in out.stdout
    found = biggest(out.stdout)
    assert {t: k for t, (k, _, _) in found.items()} == {
        "string": "str:big", "list": "list:big", "set": "set:big", "zset": "zset:big",
        "hash": "hash:big"}
    assert all(unit == "bytes" for _, _, unit in found.values())
    assert found["string"][1] >= 5000
    assert found["list"][1] >= 300 * len("element-0")


def test_cli_latency_raw(server):
    # In --raw mode redis-cli measures for one interval, prints "min max avg count" and exits.
    out = subprocess.run([cli_path(), "-h", "127.0.0.1", "-p", str(server.port), "--latency",
                          "--raw", "-i", "0.5"], capture_output=True, timeout=30)
    assert out.returncode == 0, out.stderr
    m = re.fullmatch(rb"(\d+) (\d+) (\d+\.\d+) (\d+)\n", out.stdout)
    assert m, out.stdout
    lo, hi, avg, count = int(m.group(1)), int(m.group(2)), float(m.group(3)), int(m.group(4))
    assert count > 0 and lo <= avg <= hi


def read_pty_for(args, seconds):
    """Runs redis-cli with a terminal as stdout (so it writes line by line), for `seconds`."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, stdout=slave, stderr=slave)
    os.close(slave)
    out = b""
    deadline = time.time() + seconds
    try:
        while time.time() < deadline:
            time.sleep(0.1)
        proc.terminate()
        proc.wait(timeout=10)
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return out


def test_cli_stat(server, r):
    for i in range(42):
        r.set(f"k{i}", i)
    r.execute_command("SELECT", 1)
    for i in range(8):
        r.set(f"k{i}", i)
    out = read_pty_for([cli_path(), "-h", "127.0.0.1", "-p", str(server.port), "--stat", "-i",
                        "0.2"], 1.5)
    lines = out.decode(errors="replace").replace("\r", "").splitlines()
    assert any(ln.startswith("------- data ------") for ln in lines), lines
    header = [ln for ln in lines if ln.startswith("keys")]
    assert header and header[0].split()[:5] == ["keys", "mem", "clients", "blocked", "requests"]
    rows = [ln.split() for ln in lines if re.match(r"\d+ ", ln)]
    assert len(rows) >= 3, lines
    for row in rows:
        assert row[0] == "50"  # keys of every database
        assert re.fullmatch(r"[\d.]+[BKMG]", row[1]), row  # used_memory, human
        assert int(row[2]) >= 1  # clients: at least redis-cli and this test
    # requests grow by redis-cli's own INFO calls
    assert int(rows[-1][4]) > int(rows[0][4])


def test_cli_resp3(server, cli, r):
    r.hset("h", mapping={"f1": "v1", "f2": "v2"})
    out = cli("-3", "--no-raw", "HGETALL", "h")
    assert out.returncode == 0, out.stderr
    assert sorted(out.stdout.decode().splitlines()) == ['1# "f1" => "v1"', '2# "f2" => "v2"']
    # the connection really is RESP3: HELLO's map, a null, a double, a set
    out = cli("-3", "--no-raw", "HELLO", "3")
    lines = out.stdout.decode().splitlines()
    assert lines[0] == '1# "server" => "redis"' and '3# "proto" => (integer) 3' in lines
    assert cli("-3", "--no-raw", "GET", "missing").stdout == b"(nil)\n"
    r.zadd("z", {"a": 1.5})
    assert cli("-3", "--no-raw", "ZSCORE", "z", "a").stdout == b"(double) 1.5\n"
    r.sadd("s", "only")
    assert cli("-3", "--no-raw", "SMEMBERS", "s").stdout == b'1~ "only"\n'
    # a client that did not ask for RESP3 still gets RESP2 shapes
    assert cli("--no-raw", "ZSCORE", "z", "a").stdout == b'"1.5"\n'
    with RespConn(server.port) as conn:
        assert conn.call("HGETALL", "h") in ([b"f1", b"v1", b"f2", b"v2"],
                                             [b"f2", b"v2", b"f1", b"v1"])
