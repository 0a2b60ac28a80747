"""Lua scripting: EVAL / EVALSHA / SCRIPT / FUNCTION / FCALL, Redis 7.0's replies to the byte.

Every expected reply below was taken from Debian's redis-server 7.0 (BASALT_E2E_TARGET=redis).
"""
import hashlib
import multiprocessing
import socket
import threading
import time

import pytest

from e2e_support import ReplyError, RespConn, read_while_writing


def ev(conn, script, *keys_and_args, numkeys=0):
    return conn.call("EVAL", script, numkeys, *keys_and_args)


def ev_err(conn, script, numkeys=0, *rest):
    return conn.err("EVAL", script, numkeys, *rest)


# ---- conversions ------------------------------------------------------------------------------

@pytest.mark.parametrize("script,expected", [
    ("return 1", 1),
    ("return 3.99", 3),
    ("return -3.99", -3),
    ("return 'x'", b"x"),
    ("return true", 1),
    ("return false", None),
    ("return nil", None),
    ("return {1,2,3,'ciao',{1,2}}", [1, 2, 3, b"ciao", [1, 2]]),
    ("return {1,2,nil,4}", [1, 2]),
    ("return {}", []),
    ("return {ok='fine'}", "fine"),
    ("return redis.status_reply('FINE')", "FINE"),
    ("return redis.call('set','k','v')", "OK"),
    ("return redis.call('get','nokey')", None),
    ("return type(redis.call('get','nokey'))", b"boolean"),
    ("return redis.call('incrby','n', 5)", 5),
    ("return redis.call('rpush','l','a','b') .. ''", b"2"),
    ("return {redis.call('set','k','v')}", ["OK"]),
    ("return redis.call('set', 'k', 0.1) and redis.call('get','k')", b"0.10000000000000001"),
    ("return redis.sha1hex('')", b"da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    ("return cjson.encode({1,2,{a=1}})", b'[1,2,{"a":1}]'),
    ("return cjson.decode('[1,2,{\"a\":7}]')[3].a", 7),
    ("return bit.band(7,3)", 3),
    ("return bit.tohex(255)", b"000000ff"),
    ("return string.format('%d-%s', 5, 'x')", b"5-x"),
    ("return table.concat({'a','b'}, ',')", b"a,b"),
    ("return math.floor(2.7)", 2),
    ("return redis.REDIS_VERSION ~= nil", 1),
])
def test_lua_to_resp2(conn, script, expected):
    assert ev(conn, script) == expected


@pytest.mark.parametrize("script,expected", [
    ("return struct.pack('>I2',258)", b"\x01\x02"),
    ("return {struct.unpack('>I2i4', struct.pack('>I2i4', 258, -5))}", [258, -5, 7]),
    ("return struct.pack('<hd', -2, 1.5)", b"\xfe\xff\x00\x00\x00\x00\x00\x00\xf8?"),
    ("return struct.size('>hHi4Bd')", 17),
    ("return {struct.unpack('<c3s', 'abcxyz' .. string.char(0))}", [b"abc", b"xyz", 8]),
    ("return cmsgpack.pack({1,2,'a',{x=1}}, true, -1, -200, 70000, 3.5, 0.1)",
     b"\x94\x01\x02\xa1a\x81\xa1x\x01\xc3\xff\xd1\xff8\xce\x00\x01\x11p\xca@`\x00\x00"
     b"\xcb?\xb9\x99\x99\x99\x99\x99\x9a"),
    ("return cmsgpack.pack({})", b"\x90"),
    ("return cmsgpack.pack({[1]=1,[3]=3})", b"\x82\x01\x01\x03\x03"),
    ("return cjson.encode({cmsgpack.unpack(cmsgpack.pack({1,'a',{x=1}}, true, -200, 3.5))})",
     b'[[1,"a",{"x":1}],true,-200,3.5]'),
])
def test_struct_and_cmsgpack(conn, script, expected):
    assert ev(conn, script) == expected


def test_keys_and_argv(conn):
    assert ev(conn, "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}",
              "k1", "k2", "a1", "a2", numkeys=2) == [b"k1", b"k2", b"a1", b"a2", 2, 2]


def test_resp3_conversions(conn):
    conn.call("HELLO", 3)
    conn.call("HSET", "h", "f", "v")
    assert ev(conn, "redis.setresp(3); return redis.call('hgetall', 'h')") == {b"f": b"v"}
    assert ev(conn, "redis.setresp(3); return redis.call('get', 'nokey') == nil") is True
    assert ev(conn, "redis.setresp(3); return true") is True
    assert ev(conn, "redis.setresp(3); return false") is False
    assert ev(conn, "return true") == 1  # the script's RESP version decides, not the caller's
    assert ev(conn, "return {double=3.5}") == 3.5
    assert ev(conn, "return {map={a=1}}") == {b"a": 1}
    assert ev(conn, "return {set={a=true}}") == {b"a"}
    assert ev(conn, "return nil") is None
    assert ev(conn, "redis.setresp(3); local r = redis.call('hgetall', 'h'); return r.map.f") == b"v"


def test_resp2_caller_sees_degraded_types(conn):
    assert ev(conn, "return {double=3.5}") == b"3.5"
    assert ev(conn, "return {map={a=1}}") == [b"a", 1]
    assert ev(conn, "redis.setresp(3); return false") == 0
    assert ev_err(conn, "redis.setresp(4)").startswith("ERR RESP version must be 2 or 3.")


# ---- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("script,expected", [
    ("return redis.call('nosuch')",
     "ERR Unknown Redis command called from script script: "
     "206396248e12c6e742fd7296250433c8d7343b74, on @user_script:1."),
    ("return redis.call('get')",
     "ERR Wrong number of args calling Redis command from script script: "
     "f187dee77f607f7cff00bbabc9df38507582c78d, on @user_script:1."),
    ("return redis.call('get', {})",
     "ERR Lua redis lib command arguments must be strings or integers script: "
     "4368e88f98d93af9caf358186e5fbf273374ee91, on @user_script:1."),
    ("return redis.call('multi')",
     "ERR This Redis command is not allowed from script script: "
     "c329a1a294be6bf95b44144f7502610661ae925a, on @user_script:1."),
    ("error('boom')",
     "ERR user_script:1: boom script: 82903a0434f1503e152f89c03c9acd881a0e8150, "
     "on @user_script:1."),
    ("return redis.error_reply('MY err')", "MY err"),
    ("return redis.error_reply('my err')", "my err"),
    ("return redis.error_reply('')", "ERR "),
    ("return {err='x'}", "x"),
    ("syntax error here",
     "ERR Error compiling script (new function): user_script:1: '=' expected near 'error'"),
])
def test_error_texts(conn, script, expected):
    assert ev_err(conn, script) == expected


@pytest.mark.parametrize("script,expected", [
    ("#!lua\nreturn 1", 1),
    ("#!lua flags=\nreturn 2", 2),
    ("#!lua flags=no-writes,allow-oom\nreturn redis.call('get','nokey')", None),
    ("#!lua flags=no-writes\nreturn redis.call('set','a','b')",
     ReplyError("ERR Write commands are not allowed from read-only scripts. script: "
                "6acb400a50fe96e33eca4e0af6e9dcfb21193726, on @user_script:2.")),
    ("#!lua flags=bogus\nreturn 1", ReplyError("ERR Unexpected flag in script shebang: bogus")),
    ("#!js\nreturn 1", ReplyError("ERR Unexpected engine in script shebang: #!js")),
    ("#!lua name=x\nreturn 1", ReplyError("ERR Unknown lua shebang option: name=x")),
    ("#!lua", ReplyError("ERR Invalid script shebang")),
    ("#!lua\nerror('x')", ReplyError(
        "ERR user_script:2: x script: f0363b84b71234131413165ce8dee0dbb5f9ce96, "
        "on @user_script:2.")),
])
def test_eval_shebang(conn, script, expected):
    conn.send("EVAL", script, 0)
    assert conn.read_reply() == expected


def test_numkeys_errors(conn):
    assert ev_err(conn, "return 1", -1) == "ERR Number of keys can't be negative"
    assert ev_err(conn, "return 1", 2, "a") == \
        "ERR Number of keys can't be greater than number of args"
    assert ev_err(conn, "return 1", "x") == "ERR value is not an integer or out of range"


def test_call_error_propagates_and_pcall_returns_it(conn):
    conn.call("SET", "s", "a")
    assert ev_err(conn, "return redis.call('incr','s')") == (
        "ERR value is not an integer or out of range script: "
        "c243b9f46db13ba8f69da41b45a77708832babed, on @user_script:1.")
    assert ev_err(conn, "return redis.pcall('incr','s')") == \
        "ERR value is not an integer or out of range"
    assert ev(conn, "local r = redis.pcall('incr','s') return type(r) .. ':' .. r.err") == \
        b"table:ERR value is not an integer or out of range"
    assert ev(conn, "local ok, e = pcall(function() error('x') end) return tostring(ok)") == \
        b"false"


def test_read_only_scripts(conn):
    assert conn.err("EVAL_RO", "return redis.call('set','a','b')", 0) == (
        "ERR Write commands are not allowed from read-only scripts. script: "
        "ff967d0ae0e68b4f9e360fa91c54598bc25ad9b6, on @user_script:1.")
    conn.call("SET", "a", "1")
    assert conn.call("EVAL_RO", "return redis.call('get', KEYS[1])", 1, "a") == b"1"


def test_writes_before_an_error_stay(conn):
    assert ev_err(conn, "redis.call('set','w','1'); error('late')").startswith(
        "ERR user_script:1: late")
    assert conn.call("GET", "w") == b"1"


def test_blocking_commands_in_scripts(conn):
    # Redis 7.0 flags BLPOP & co. noscript; BLMPOP and BZMPOP run without blocking.
    assert ev_err(conn, "return redis.call('blpop', 'nolist', 0)").startswith(
        "ERR This Redis command is not allowed from script script:")
    assert ev(conn, "return redis.call('blmpop', 0, 1, 'nolist', 'LEFT')") is None
    conn.call("RPUSH", "l", "a")
    assert ev(conn, "return redis.call('blmpop', 0, 1, 'l', 'LEFT')") == [b"l", [b"a"]]


# ---- sandbox ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["os", "io", "loadfile", "dofile", "require", "debug",
                                  "package", "module"])
def test_sandbox_hides(conn, name):
    msg = ev_err(conn, f"return {name}")
    assert msg.startswith(
        f"ERR user_script:1: Script attempted to access nonexistent global variable '{name}'")


def test_sandbox_no_os_execute(conn):
    assert "nonexistent global variable 'os'" in ev_err(conn, "return os.execute('touch /tmp/x')")
    assert "nonexistent global variable 'io'" in ev_err(
        conn, "return io.open('/etc/passwd'):read('*a')")


@pytest.mark.parametrize("script,expected_start", [
    ("a = 1", "ERR user_script:1: Attempt to modify a readonly table"),
    ("string.foo = 1", "ERR user_script:1: Attempt to modify a readonly table"),
    ("redis.call = nil", "ERR user_script:1: Attempt to modify a readonly table"),
    ("setmetatable(_G, nil)", "ERR Attempt to modify a readonly table script:"),
    ("rawset(_G, 'x', 1)", "ERR Attempt to modify a readonly table script:"),
])
def test_no_global_writes(conn, script, expected_start):
    assert ev_err(conn, script).startswith(expected_start)


def test_local_tables_are_writable(conn):
    assert ev(conn, "local t = {} t.x = 1 return t.x") == 1


# ---- script cache -----------------------------------------------------------------------------

def test_script_load_exists_flush(conn):
    sha = conn.call("SCRIPT", "LOAD", "return ARGV[1]").decode()
    assert sha == "7d1ee73ee8d4eb5e3e9e19c0c1a34ba58da45c4e" or len(sha) == 40
    assert conn.call("EVALSHA", sha, 0, "hi") == b"hi"
    assert conn.call("EVALSHA", sha.upper(), 0, "hi") == b"hi"
    assert conn.call("SCRIPT", "EXISTS", sha, "f" * 40) == [1, 0]
    assert conn.call("SCRIPT", "FLUSH") == "OK"
    assert conn.err("EVALSHA", sha, 0) == "NOSCRIPT No matching script. Please use EVAL."
    assert conn.call("SCRIPT", "EXISTS", sha) == [0]
    ev(conn, "return ARGV[1]", "x")  # EVAL caches too
    assert conn.call("SCRIPT", "EXISTS", sha) == [1]
    assert conn.err("SCRIPT", "KILL") == "NOTBUSY No scripts in execution right now."


def test_eval_inside_multi(conn):
    conn.call("MULTI")
    assert conn.call("EVAL", "return redis.call('incr', KEYS[1])", 1, "m") == "QUEUED"
    assert conn.call("EVAL", "return redis.call('incr', 'undeclared')", 0) == "QUEUED"
    assert conn.call("EXEC") == [1, 1]


# ---- concurrency ------------------------------------------------------------------------------

def test_undeclared_keys_stay_atomic(server, r):
    """Scripts that touch a key they did not declare still exclude concurrent writers."""
    script = ("local v = tonumber(redis.call('get', 'undeclared') or '0') "
              "redis.call('set', 'undeclared', v + 1) return redis.call('incr', KEYS[1])")
    n = 200

    def worker():
        c = server.client()
        for _ in range(n):
            c.eval(script, 1, "declared")
            c.incr("undeclared")
        c.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert int(r.get("declared")) == 4 * n
    assert int(r.get("undeclared")) == 8 * n


def test_multi_key_reads_never_see_half_a_script(server, r):
    """A script commits its writes at its end, under the stripes of its declared keys; MGET,
    SUNION and SINTERCARD (keys after numkeys) of those keys on another worker see all of a run
    or none of it."""
    keys = [f"k{i}" for i in range(16)]
    sets = [f"s{i}" for i in range(16)]
    r.mset({k: 0 for k in keys})
    for s in sets:
        r.sadd(s, 0)
    script = ("for i = 1, 16 do redis.call('set', KEYS[i], ARGV[1]) end "
              "for i = 17, #KEYS do redis.call('del', KEYS[i]) "
              "redis.call('sadd', KEYS[i], ARGV[1]) end")
    torn = []

    def read(c):
        values = c.mget(keys)
        if len(set(values)) != 1:
            torn.append(values)
        members = c.sunion(sets)
        if len(members) > 1:
            torn.append(members)
        common = c.execute_command("SINTERCARD", len(sets), *sets)
        if common != 1:
            torn.append(common)

    def write(w, i):
        w.eval(script, len(keys) + len(sets), *keys, *sets, i)

    assert read_while_writing(server, read, write, 1500) > 0
    assert torn == []
    assert r.mget(keys) == [b"1499"] * len(keys)
    assert r.sunion(sets) == {b"1499"}


def _lock_worker(port, rounds, out):
    import redis as redis_mod
    c = redis_mod.Redis(host="127.0.0.1", port=port)
    for _ in range(rounds):
        lock = c.lock("resource", timeout=5, blocking_timeout=30, sleep=0.001)
        assert lock.acquire()
        # Critical section: a non-atomic read-modify-write that only the lock protects.
        v = int(c.get("counter") or 0)
        c.set("counter", v + 1)
        assert lock.extend(1)
        lock.release()
    out.put("ok")


def test_redis_py_lock_under_contention(server, r):
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_lock_worker, args=(server.port, 25, out)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert [out.get(timeout=5) for _ in procs] == ["ok"] * 4
    assert int(r.get("counter")) == 100
    assert r.exists("resource") == 0


# Sliding-window rate limiter: a sorted set of request timestamps per client.
RATE_LIMITER = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
  return 1
end
return 0
"""


def test_sliding_window_rate_limiter(server, r):
    limiter = r.register_script(RATE_LIMITER)
    now = 1_000_000
    admitted = []
    lock = threading.Lock()

    def worker(w):
        c = server.client()
        lim = c.register_script(RATE_LIMITER)
        for i in range(30):
            ok = lim(keys=["rl:user"], args=[now, 60_000, 50, f"{w}-{i}"])
            with lock:
                admitted.append(ok)
        c.close()

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(admitted) == 50
    assert r.zcard("rl:user") == 50
    # Once the window has slid past, requests are admitted again.
    assert limiter(keys=["rl:user"], args=[now + 60_001, 60_000, 50, "late"]) == 1


# ---- busy scripts -----------------------------------------------------------------------------

def _run_in_thread(fn):
    box = {}

    def run():
        try:
            box["value"] = fn()
        except Exception as e:  # noqa: BLE001
            box["value"] = e

    t = threading.Thread(target=run)
    t.start()
    return t, box


def _busy_conn(server, deadline=10.0):
    """A connection that answers -BUSY (so it is served by another worker than the script)."""
    end = time.time() + deadline
    while time.time() < end:
        c = RespConn(server.port, timeout=0.5)
        try:
            c.send("PING")
            rep = c.read_reply()
            if isinstance(rep, ReplyError) and rep.message.startswith("BUSY"):
                c.settimeout(10)
                return c, rep.message
        except OSError:
            pass
        c.close()
        time.sleep(0.05)
    raise AssertionError("no connection saw -BUSY")


def test_script_kill(server_factory):
    srv = server_factory(extra=[("workers", 4)] if srv_is_basalt() else [])
    admin = srv.conn()
    assert admin.call("CONFIG", "SET", "busy-reply-threshold", "100") == "OK"
    runner = srv.conn(timeout=30)
    t, box = _run_in_thread(lambda: runner.err("EVAL", "while true do end", 0))
    c, busy = _busy_conn(srv)
    assert busy == ("BUSY Redis is busy running a script. You can only call SCRIPT KILL or "
                    "SHUTDOWN NOSAVE.")
    assert c.call("SCRIPT", "KILL") == "OK"
    t.join(10)
    assert box["value"].startswith("ERR Script killed by user with SCRIPT KILL...")
    assert c.call("PING") == "PONG"
    assert runner.call("PING") == "PONG"


def test_script_kill_refused_after_write(server_factory):
    srv = server_factory(extra=[("workers", 4)] if srv_is_basalt() else [])
    admin = srv.conn()
    admin.call("CONFIG", "SET", "busy-reply-threshold", "100")
    runner = srv.conn(timeout=30)
    script = ("redis.call('set','x','1') local t = redis.call('time')[1] "
              "while tonumber(redis.call('time')[1]) < t + 2 do end return 'done'")
    t, box = _run_in_thread(lambda: runner.call("EVAL", script, 0))
    c, _ = _busy_conn(srv)
    assert c.err("SCRIPT", "KILL") == (
        "UNKILLABLE Sorry the script already executed write commands against the dataset. "
        "You can either wait the script termination or kill the server in a hard way using "
        "the SHUTDOWN NOSAVE command.")
    t.join(20)
    assert box["value"] == b"done"
    assert c.call("GET", "x") == b"1"


BUSY_SCRIPT = ("BUSY Redis is busy running a script. You can only call SCRIPT KILL or "
               "SHUTDOWN NOSAVE.")
LOOP = "while true do end"
LOOP_SHA = hashlib.sha1(LOOP.encode()).hexdigest()
KILLED = f"ERR Script killed by user with SCRIPT KILL... script: {LOOP_SHA}, on @user_script:1."


def _start_busy_loop(srv, watcher):
    """Starts EVAL LOOP on a fresh connection; returns (runner, thread, box) once `watcher`
    sees -BUSY."""
    runner = srv.conn(timeout=30)
    t, box = _run_in_thread(lambda: runner.err("EVAL", LOOP, 0))
    end = time.time() + 10
    while time.time() < end:
        rep = watcher.pipeline([("PING",)])[0]
        if isinstance(rep, ReplyError):
            assert rep.message == BUSY_SCRIPT
            return runner, t, box
        time.sleep(0.02)
    raise AssertionError("the script never turned busy")


def test_busy_script_answers_every_connection_on_every_worker(server_factory):
    """Regression: clients on the running script's own worker used to wait (its loop was inside
    the script), so a SCRIPT KILL sent there never arrived. With 2 workers and 4 new
    connections, some share the script's worker: every one gets -BUSY and can kill it."""
    srv = server_factory(extra=[("workers", 2)] if srv_is_basalt() else [])
    admin = srv.conn()
    assert admin.call("CONFIG", "SET", "busy-reply-threshold", "100") == "OK"
    for killer in range(4):
        conns = [srv.conn(timeout=5) for _ in range(4)]
        runner, t, box = _start_busy_loop(srv, admin)
        for c in conns + [admin]:
            assert c.err("SET", "k", "v") == BUSY_SCRIPT
            assert c.err("GET", "k") == BUSY_SCRIPT
            assert c.err("EVAL", "return 1", 0) == BUSY_SCRIPT
        assert conns[killer].call("SCRIPT", "KILL") == "OK"
        t.join(10)
        assert box["value"] == KILLED
        assert runner.call("PING") == "PONG"
        for c in conns + [admin]:
            assert c.call("SET", "k", "v") == "OK"
            c is admin or c.close()
        runner.close()
    assert admin.err("SCRIPT", "KILL") == "NOTBUSY No scripts in execution right now."


def test_commands_sent_before_the_threshold_get_busy_not_stuck(server_factory):
    """Commands that arrive before the script turns busy and need the locks it holds (SET,
    INFO keyspace, EXEC; one worker, so all on the script's worker) wait only until it turns
    busy, then get -BUSY like everything else; SCRIPT KILL pipelined behind one works."""
    srv = server_factory(extra=[("workers", 1)] if srv_is_basalt() else [])
    admin = srv.conn()
    admin.call("CONFIG", "SET", "busy-reply-threshold", "100")
    conns = [srv.conn(timeout=10) for _ in range(3)]
    conns[2].call("MULTI")
    conns[2].call("SET", "k", "v")
    runner = srv.conn(timeout=30)
    t, box = _run_in_thread(lambda: runner.err("EVAL", LOOP, 0))
    time.sleep(0.05)
    conns[0].send("SET", "k", "v")
    conns[1].send("INFO", "keyspace")
    conns[2].send("EXEC")
    for c in conns[:2]:
        assert c.read_reply() == ReplyError(BUSY_SCRIPT)
    assert conns[2].read_reply() == ReplyError("EXECABORT Transaction discarded because of: " +
                                               BUSY_SCRIPT)
    # Refused by the dispatcher this time (the script is busy already): the same EXECABORT.
    assert conns[1].call("MULTI") == "OK"
    assert conns[1].err("EXEC") == "EXECABORT Transaction discarded because of: " + BUSY_SCRIPT
    # As in Redis, also without MULTI.
    assert conns[1].err("EXEC") == "EXECABORT Transaction discarded because of: " + BUSY_SCRIPT
    replies = conns[0].pipeline([("PING",), ("SCRIPT", "KILL"), ("PING",)])
    assert replies[0] == ReplyError(BUSY_SCRIPT)
    assert replies[1] == "OK"
    t.join(10)
    assert box["value"] == KILLED
    assert conns[0].call("PING") == "PONG"
    assert conns[2].err("EXEC") == "ERR EXEC without MULTI"


def test_kill_of_the_other_kind_names_the_right_command(server_factory):
    srv = server_factory(extra=[("workers", 2)] if srv_is_basalt() else [])
    admin = srv.conn()
    admin.call("CONFIG", "SET", "busy-reply-threshold", "100")
    runner, t, box = _start_busy_loop(srv, admin)
    assert admin.err("FUNCTION", "KILL") == BUSY_SCRIPT
    assert admin.call("SCRIPT", "KILL") == "OK"
    t.join(10)
    admin.call("FUNCTION", "LOAD", "REPLACE",
               "#!lua name=lp\nredis.register_function('loop', function() while true do end end)")
    busy_fn = BUSY_SCRIPT.replace("SCRIPT KILL", "FUNCTION KILL")
    t, box = _run_in_thread(lambda: runner.err("FCALL", "loop", 0))
    end = time.time() + 10
    while admin.pipeline([("PING",)])[0] != ReplyError(busy_fn):
        assert time.time() < end
        time.sleep(0.02)
    assert admin.err("SCRIPT", "KILL") == busy_fn
    assert admin.call("FUNCTION", "KILL") == "OK"
    t.join(10)
    assert box["value"] == ("ERR Script killed by user with SCRIPT KILL... script: loop, "
                            "on @user_function:2.")
    admin.call("FUNCTION", "DELETE", "lp")


def test_pipelined_commands_after_eval_answer_in_order(server):
    c = server.conn(timeout=10)
    c.call("DEL", "pk", "pn")
    script = ("local t = redis.call('time') local e = t[1] * 1000000 + t[2] + 200000 "
              "repeat t = redis.call('time') until t[1] * 1000000 + t[2] > e "
              "redis.call('set', KEYS[1], 'fromscript') return 'done'")
    replies = c.pipeline([("EVAL", script, 1, "pk"), ("GET", "pk"), ("INCR", "pn"),
                          ("EVAL", "return redis.call('incr', KEYS[1])", 1, "pn"),
                          ("PING",)])
    assert replies == [b"done", b"fromscript", 1, 2, "PONG"]


@pytest.mark.basalt_only
def test_connections_on_the_script_worker_are_served_while_it_runs(server_factory):
    """With one worker, a script running for a second leaves the other connections served
    (before the threshold too): reads, writes of other keys, CLIENT LIST (the runner shows
    cmd=eval and no 'b' flag) and INFO (blocked_clients does not count script runs)."""
    srv = server_factory(extra=[("workers", 1)])
    runner = srv.conn(timeout=30)
    script = ("local t = redis.call('time') local e = t[1] * 1000000 + t[2] + 1000000 "
              "repeat t = redis.call('time') until t[1] * 1000000 + t[2] > e return 'done'")
    runner.call("CLIENT", "SETNAME", "runner")
    t, box = _run_in_thread(lambda: runner.call("EVAL", script, 1, "mine"))
    time.sleep(0.1)
    other = srv.conn(timeout=0.5)
    start = time.time()
    assert other.call("SET", "other", "1") == "OK"
    assert other.call("GET", "other") == b"1"
    line = [ln for ln in other.call("CLIENT", "LIST").decode().splitlines() if "name=runner" in ln]
    assert " cmd=eval " in line[0] and " flags=N " in line[0]
    assert b"blocked_clients:0\r\n" in other.call("INFO", "clients")
    assert time.time() - start < 0.5
    t.join(10)
    assert box["value"] == b"done"


@pytest.mark.persistence
def test_script_writes_survive_kill9_right_after_the_reply(server_factory):
    srv = server_factory()
    c = srv.conn()
    assert c.call("EVAL", "redis.call('set', KEYS[1], ARGV[1]) "
                  "return redis.call('rpush', KEYS[2], ARGV[1])", 2, "sk", "sl", "v1") == 1
    srv.kill9()
    srv.start()
    c = srv.conn()
    assert c.call("GET", "sk") == b"v1"
    assert c.call("LRANGE", "sl", 0, -1) == [b"v1"]


def test_disconnect_while_the_script_runs(server_factory):
    """The script's client goes away: the script goes on until killed, its reply is dropped,
    and the server serves normally."""
    srv = server_factory(extra=[("workers", 2)] if srv_is_basalt() else [])
    admin = srv.conn()
    admin.call("CONFIG", "SET", "busy-reply-threshold", "100")
    runner, t, box = _start_busy_loop(srv, admin)
    runner.sock.shutdown(socket.SHUT_RDWR)  # wakes the reading thread, sends FIN
    t.join(10)
    runner.close()
    time.sleep(0.2)
    assert admin.err("PING") == BUSY_SCRIPT
    assert admin.call("SCRIPT", "KILL") == "OK"
    end = time.time() + 5
    while admin.pipeline([("PING",)])[0] != "PONG":
        assert time.time() < end
        time.sleep(0.02)
    assert admin.call("EVAL", "return redis.call('set', KEYS[1], 'after')", 1, "dk") == "OK"


def test_shutdown_nosave_while_a_script_is_busy(server_factory):
    srv = server_factory(extra=[("workers", 2)] if srv_is_basalt() else [])
    admin = srv.conn()
    admin.call("CONFIG", "SET", "busy-reply-threshold", "100")
    runner, t, box = _start_busy_loop(srv, admin)
    assert admin.err("SHUTDOWN") == BUSY_SCRIPT  # only SHUTDOWN NOSAVE while busy
    admin.send("SHUTDOWN", "NOSAVE")
    assert srv.wait_exit(10) is not None
    t.join(10)
    assert not isinstance(box.get("value"), str)  # no reply: the connection closed


def srv_is_basalt():
    import conftest
    return conftest.TARGET == "basalt"


# ---- functions --------------------------------------------------------------------------------

LIB = """#!lua name=mylib
redis.register_function('getk', function(keys, args) return redis.call('get', keys[1]) end)
redis.register_function{function_name='echo', callback=function(keys, args) return args[1] end,
  flags={'no-writes'}}
redis.register_function('setk', function(keys, args) return redis.call('set', keys[1], args[1]) end)
"""


def test_function_load_and_call(conn):
    conn.call("FUNCTION", "FLUSH")
    assert conn.call("FUNCTION", "LOAD", LIB) == b"mylib"
    assert conn.call("FCALL", "setk", 1, "fk", "v") == "OK"
    assert conn.call("FCALL", "getk", 1, "fk") == b"v"
    assert conn.call("FCALL_RO", "echo", 0, "hello") == b"hello"
    assert conn.err("FCALL_RO", "setk", 1, "fk", "v") == \
        "ERR Can not execute a script with write flag using *_ro command."
    assert conn.err("FCALL", "nope", 0) == "ERR Function not found"
    assert conn.err("FCALL", "echo", -1) == "ERR Number of keys can't be negative"
    assert conn.err("FUNCTION", "LOAD", LIB) == "ERR Library 'mylib' already exists"
    assert conn.call("FUNCTION", "LOAD", "REPLACE", LIB) == b"mylib"
    listing = conn.call("FUNCTION", "LIST", "LIBRARYNAME", "my*", "WITHCODE")
    assert listing[0][:6] == [b"library_name", b"mylib", b"engine", b"LUA", b"functions"] + \
        listing[0][5:6]
    assert listing[0][6:] == [b"library_code", LIB.encode()]
    names = sorted(f[1] for f in listing[0][5])
    assert names == [b"echo", b"getk", b"setk"]
    echo = [f for f in listing[0][5] if f[1] == b"echo"][0]
    assert echo == [b"name", b"echo", b"description", None, b"flags", ["no-writes"]]
    assert conn.call("FUNCTION", "DELETE", "mylib") == "OK"
    assert conn.err("FUNCTION", "DELETE", "mylib") == "ERR Library not found"
    assert conn.call("FUNCTION", "LIST") == []


@pytest.mark.parametrize("code,expected", [
    ("return 1", "ERR Missing library metadata"),
    ("#!lua", "ERR Invalid library metadata"),
    ("#!lua name=a b=c", "ERR Invalid library metadata"),
    ("#!lu name=a", "ERR Invalid library metadata"),
    ("#!lua name=a\nx =", "ERR Error compiling function: user_function:2: unexpected symbol "
                          "near '<eof>'"),
    ("#!lua name=a\nlocal x = 1", "ERR No functions registered"),
    ("#!lua name=b\nredis.register_function('h', function() end) "
     "redis.register_function('h', function() end)",
     "ERR Error registering functions: ERR Function already exists in the library"),
    ("#!lua name=b\nredis.call('ping')",
     "ERR Error registering functions: ERR user_function:2: Script attempted to access "
     "nonexistent global variable 'call'"),
    ("#!lua name=z\nwhile true do end",
     "ERR Error registering functions: ERR FUNCTION LOAD timeout"),
])
def test_function_load_errors(conn, code, expected):
    conn.call("FUNCTION", "FLUSH")
    assert conn.err("FUNCTION", "LOAD", code) == expected


def test_function_error_text(conn):
    conn.call("FUNCTION", "FLUSH")
    conn.call("FUNCTION", "LOAD", "#!lua name=b\n"
              "redis.register_function('x', function(k,a) error('bad') end)")
    assert conn.err("FCALL", "x", 0) == "ERR user_function:2: bad script: x, on @user_function:2."
    assert conn.err("FUNCTION", "LOAD", "#!lua name=c\n"
                    "redis.register_function('x', function(k,a) return 1 end)") == \
        "ERR Function x already exists"
    conn.call("FUNCTION", "FLUSH")


@pytest.mark.persistence
def test_functions_survive_restart(server_factory):
    srv = server_factory()
    c = srv.conn()
    assert c.call("FUNCTION", "LOAD", LIB) == b"mylib"
    c.call("FCALL", "setk", 1, "marker", "kept")
    c.close()
    srv.restart()
    c = srv.conn()
    assert c.call("FCALL", "getk", 1, "marker") == b"kept"
    assert c.call("FCALL_RO", "echo", 0, "again") == b"again"
    c.call("FUNCTION", "DELETE", "mylib")
    c.close()
    srv.restart()
    c = srv.conn()
    assert c.call("FUNCTION", "LIST") == []
    assert c.err("FCALL", "getk", 1, "marker") == "ERR Function not found"


def _quick_set_replies(srv, key):
    """Opens connections and sends SET key on each; returns how many replied within 0.3 s."""
    replied = 0
    conns = [RespConn(srv.port, timeout=0.01) for _ in range(6)]
    for c in conns:
        c.send("SET", key, "1")
    time.sleep(0.3)
    for c in conns:
        try:
            if c.read_reply() == "OK":
                replied += 1
        except OSError:
            pass
        c.close()
    return replied


@pytest.mark.basalt_only
def test_script_with_declared_keys_does_not_stop_other_writers(server_factory):
    """Basalt runs a script under the locks of its declared keys only: writers of other keys
    on other workers proceed meanwhile; a numkeys-0 script locks the whole server."""
    srv = server_factory(extra=[("workers", 4)])
    spin = ("local t = redis.call('time') local stop = t[1] * 1000000 + t[2] + 1500000 "
            "while true do local n = redis.call('time') "
            "if n[1] * 1000000 + n[2] > stop then break end end "
            "return redis.call('incr', KEYS[1] or 'k0')")
    runner = srv.conn(timeout=30)
    t, box = _run_in_thread(lambda: runner.call("EVAL", spin, 1, "mine"))
    time.sleep(0.3)
    assert _quick_set_replies(srv, "other") > 0
    t.join(10)
    assert box["value"] == 1
    t, box = _run_in_thread(lambda: runner.call("EVAL", spin, 0))
    time.sleep(0.3)
    assert _quick_set_replies(srv, "other2") == 0
    t.join(10)
    assert box["value"] == 1
