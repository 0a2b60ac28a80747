"""Disk trouble: the data directory lives on a small tmpfs that fills up. Writes must then fail
with a clear error (`-MISCONF Errors writing to the data directory: No space left on device`),
never crash the server; reads keep working; once space is freed, writes resume by themselves,
and everything acknowledged survives a restart.

Mounting needs root (CI runs the suite as root); without it the test fails with a clear
message. The tmpfs is unmounted even when the test fails. Basalt only: Redis started with
--save '' --appendonly no never writes its directory."""

import os
import shutil
import subprocess

import pytest
import redis

from conftest import ServerProcess

pytestmark = [pytest.mark.basalt_only]

MISCONF = "MISCONF Errors writing to the data directory: No space left on device"


@pytest.fixture
def small_disk(tmp_path, request):
    """A tmpfs of request.param MB (default 64), unmounted afterwards whatever happens."""
    if os.geteuid() != 0:
        pytest.fail("test_disk_full mounts a tmpfs and must run as root (CI does)")
    size_mb = getattr(request, "param", 64)
    mnt = tmp_path / "small-disk"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(mnt)],
                   check=True)
    servers = []
    try:
        yield mnt, servers
    finally:
        for s in servers:
            try:
                s.stop()
            except Exception:
                s.kill9()
        if subprocess.run(["umount", str(mnt)]).returncode != 0:
            subprocess.run(["umount", "-l", str(mnt)])


def fill(path, leave_bytes):
    """Creates a filler file that leaves about `leave_bytes` free on path's filesystem."""
    free = shutil.disk_usage(path).free
    size = max(0, free - leave_bytes)
    with open(os.path.join(path, "filler"), "wb") as f:
        chunk = b"\0" * (1 << 20)
        while size > 0:
            n = min(size, len(chunk))
            f.write(chunk[:n])
            size -= n
    return os.path.join(path, "filler")


def wait_for(fn, timeout=20.0):
    import time
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except (redis.ResponseError, redis.ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


# Small memtables: table-file flushes hit the full disk first. Default (64 MB) memtables: the
# WAL does, with RocksDB's info log failing beside it. RocksDB resumes by itself once the free
# space exceeds one memtable (rocksdb-write-buffer-size), so that disk is larger.
# Under appendfsync always the WAL's fsync (on the worker's thread pool) meets the error too.
@pytest.mark.parametrize("small_disk,write_buffer,value_size,appendfsync",
                         [(64, "1mb", 256 << 10, "everysec"), (160, "64mb", 1 << 20, "everysec"),
                          (160, "64mb", 1 << 20, "always")],
                         indirect=["small_disk"])
def test_disk_full_fails_writes_clearly_and_recovers(tmp_path, small_disk, write_buffer,
                                                     value_size, appendfsync):
    mnt, servers = small_disk
    srv = ServerProcess(tmp_path / "srv", extra=[("dir", str(mnt / "data")),
                                                 ("rocksdb-write-buffer-size", write_buffer),
                                                 ("appendfsync", appendfsync)])
    os.makedirs(srv.dir)
    servers.append(srv)
    srv.start()
    r = srv.client()
    acked = {}
    for i in range(20):
        r.set(f"small:{i}", f"v{i}")
        acked[f"small:{i}"] = f"v{i}".encode()
    filler = fill(mnt, 6 << 20)

    value = os.urandom(value_size)
    maybe = set()  # sent, not acknowledged: present or not
    error = None
    for i in range(200):
        key = f"big:{i}"
        try:
            r.set(key, value)
            acked[key] = value
        except redis.ResponseError as e:
            error = str(e)
            break
        except redis.ConnectionError:
            # The batch during which the WAL failed is not acknowledged: the server drops the
            # connection rather than answer OK for a write it could not make durable.
            maybe.add(key)
            r = srv.client()
    assert error is not None, "writes never failed on a full disk"
    assert error == MISCONF
    assert srv.is_running()

    # Writes keep failing with the same clear error; the connection stays usable.
    for cmd in (("SET", "x", "y"), ("DEL", "small:0"), ("HSET", "h", "f", "v"),
                ("INCR", "n")):
        with pytest.raises(redis.ResponseError, match="^" + MISCONF + "$"):
            r.execute_command(*cmd)
    # Reads keep working.
    assert r.ping()
    for k, v in acked.items():
        assert r.get(k) == v, k
    assert len(acked) <= r.dbsize() <= len(acked) + len(maybe)

    # Space freed: writes resume without a restart.
    os.remove(filler)
    wait_for(lambda: r.set("after", "resumed"))
    assert r.get("after") == b"resumed"
    acked["after"] = b"resumed"
    assert r.delete("small:0") == 1
    del acked["small:0"]
    assert srv.is_running()

    # Everything acknowledged is durable.
    srv.stop()
    assert srv.proc.returncode == 0
    srv.start()
    r = srv.client()
    assert len(acked) <= r.dbsize() <= len(acked) + len(maybe)
    for k, v in acked.items():
        assert r.get(k) == v, k
