"""Collections on the versioned subkey layout: O(1) DEL and space reclaimed by compaction.

COMPACT is Basalt's own admin command, so these tests are basalt_only."""
import os
import time

import pytest


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


@pytest.mark.basalt_only
def test_del_of_a_million_field_hash_and_compaction(server_factory):
    srv = server_factory()
    r = srv.client()
    fields = 1_000_000
    pipe = r.pipeline(transaction=False)
    for start in range(0, fields, 2000):
        mapping = {f"field:{i}": f"value:{i:08d}" for i in range(start, start + 2000)}
        pipe.hset("big", mapping=mapping)
        if len(pipe) >= 50:
            pipe.execute()
    pipe.execute()
    assert r.hlen("big") == fields
    r.set("small", "stays")
    assert r.execute_command("COMPACT") in (b"OK", "OK")
    before = dir_bytes(os.path.join(srv.dir, "db"))

    started = time.monotonic()
    assert r.delete("big") == 1
    elapsed = time.monotonic() - started
    print(f"DEL of a {fields}-field hash took {elapsed * 1000:.1f} ms")
    assert r.exists("big") == 0
    assert r.hlen("big") == 0
    assert r.dbsize() == 1

    assert r.execute_command("COMPACT") in (b"OK", "OK")
    after = dir_bytes(os.path.join(srv.dir, "db"))
    print(f"data directory: {before} bytes before DEL, {after} after COMPACT")
    assert after < before / 2
    assert r.get("small") == b"stays"
