#!/usr/bin/python3
"""Differential tester: the same random command sequence against basalt-server and Debian's
redis-server, reply by reply.

    tests/diff/differential.py --basalt build/release/server/basalt-server \
        [--redis redis-server] [--seeds 1-20] [--commands 5000] [--keep-going]

Sequences are reproducible from their seed. Commands are drawn from every implemented family
with valid calls, edge values (empty strings, 64-bit limits, inf/nan, binary bytes), wrong
types (a handful of keys shared by all types), wrong arity, bad numbers and MULTI/EXEC blocks.
Replies are compared exactly, except:
  - replies whose order Redis leaves unspecified (SMEMBERS, SINTER, HGETALL, KEYS, ...) are
    compared sorted;
  - random replies (SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER, RANDOMKEY) are compared by
    shape and size, and after SPOP the popped set is copied from Redis to Basalt so that both
    servers keep the same state;
  - TTL may differ by one second.
On the first difference it prints the seed, the command, both replies and a minimal sequence
(found by removing commands while the difference persists) that reproduces it from an empty
database. Exit status 1 if any seed found a difference.
"""

import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

# ---- a RESP client that keeps every reply's exact type ---------------------------------------


def encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[:i + 2]
                return line
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk

    def _exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def reply(self):
        """('+', str) ('-', str) (':', int) ('$', bytes|None) ('*', list|None) and RESP3 types."""
        line = self._line()
        t, rest = line[:1].decode(), line[1:]
        if t in "+-(,#":
            return (t, rest.decode("latin-1"))
        if t == ":":
            return (t, int(rest))
        if t in "$!=":
            n = int(rest)
            return (t, None) if n < 0 else (t, self._exact(n + 2)[:-2])
        if t in "*~>":
            n = int(rest)
            return (t, None) if n < 0 else (t, [self.reply() for _ in range(n)])
        if t == "%":
            return (t, [(self.reply(), self.reply()) for _ in range(int(rest))])
        if t == "_":
            return (t, None)
        raise ValueError(f"bad reply line {line!r}")

    def run(self, commands):
        self.sock.sendall(b"".join(encode(c) for c in commands))
        return [self.reply() for _ in commands]

    def close(self):
        self.sock.close()


# ---- servers ----------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, argv_for, name):
        self.dir = tempfile.mkdtemp(prefix=f"basalt-diff-{name}-")
        self.port = free_port()
        self.log = open(os.path.join(self.dir, "server.log"), "wb")
        self.proc = subprocess.Popen(argv_for(self.port, self.dir), stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        deadline = time.monotonic() + 20
        while True:
            try:
                c = Conn(self.port)
                if c.run([["PING"]])[0] == ("+", "PONG"):
                    c.close()
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"{name} did not start; see {self.dir}/server.log")
            time.sleep(0.05)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---- command generation -----------------------------------------------------------------------

KEYS = [b"k1", b"k2", b"k3", b"k4"]
MEMBERS = [b"a", b"b", b"c", b"d", b"", b"1", b"-1", b"10"]
VALUES = MEMBERS + [b"0", b"-5", b"3.5", b"9223372036854775807", b"-9223372036854775808",
                    b"1e3", b"inf", b"nan", b" 1", b"x" * 60, bytes(range(0, 256, 13)), b"\x00"]
INTS = [b"0", b"1", b"-1", b"2", b"3", b"-3", b"7", b"100", b"9223372036854775807",
        b"-9223372036854775808", b"abc", b"1.5", b""]
SMALL = [b"0", b"1", b"-1", b"2", b"3", b"-2", b"5", b"-10", b"10"]
FLOATS = [b"0", b"1.5", b"-2.5", b"inf", b"-inf", b"+inf", b"nan", b"1e308", b"abc", b"3",
          b"0.1", b"-0", b"1e-300"]
SCORES = [b"0", b"1", b"2.5", b"-3", b"inf", b"-inf", b"10", b"1e100"]
BOUNDS = [b"-inf", b"+inf", b"(1", b"1", b"0", b"(0", b"5", b"abc", b"(inf", b"2.5", b"[1"]
LEX_KEY = b"lex"
LEX = [b"-", b"+", b"[a", b"(b", b"[c", b"a", b"(", b"[", b"[", b"(d"]
# Deadlines far enough away that nothing expires during a run (seconds, then milliseconds).
TTLS = [b"100", b"1000", b"0", b"-1", b"abc", b"9223372036854775807"]
PTTLS = [b"150000", b"1500000", b"0", b"-1", b"abc", b"9223372036854775807"]


class Gen:
    def __init__(self, rng):
        self.r = rng

    def pick(self, xs):
        return self.r.choice(xs)

    def some(self, xs, lo=1, hi=3):
        return [self.pick(xs) for _ in range(self.r.randint(lo, hi))]

    def maybe(self, p, xs):
        return xs if self.r.random() < p else []

    def k(self):
        return self.pick(KEYS)

    def m(self):
        return self.pick(MEMBERS)

    def v(self):
        return self.pick(VALUES)

    def i(self):
        return self.pick(INTS) if self.r.random() < 0.3 else self.pick(SMALL)

    def pairs(self, a, b, lo=1, hi=3):
        out = []
        for _ in range(self.r.randint(lo, hi)):
            out += [a(), b()]
        return out

    def numkeys(self):
        ks = self.some(KEYS, 1, 3)
        n = str(len(ks)).encode() if self.r.random() < 0.9 else self.pick([b"0", b"-1", b"5"])
        return [n] + ks


def string_commands(g):
    return [
        lambda: [b"SET", g.k(), g.v()] + g.maybe(0.3, [g.pick([b"NX", b"XX", b"GET", b"KEEPTTL"])])
        + g.maybe(0.2, g.pick([[b"EX", g.pick(TTLS)], [b"PX", g.pick(PTTLS)]])),
        lambda: [b"GET", g.k()],
        lambda: [b"GETSET", g.k(), g.v()],
        lambda: [b"SETNX", g.k(), g.v()],
        lambda: [b"APPEND", g.k(), g.v()],
        lambda: [b"STRLEN", g.k()],
        lambda: [g.pick([b"INCR", b"DECR"]), g.k()],
        lambda: [g.pick([b"INCRBY", b"DECRBY"]), g.k(), g.i()],
        lambda: [b"INCRBYFLOAT", g.k(), g.pick(FLOATS)],
        lambda: [g.pick([b"GETRANGE", b"SUBSTR"]), g.k(), g.i(), g.i()],
        lambda: [b"SETRANGE", g.k(), g.pick(SMALL + [b"100"]), g.v()],
        lambda: [b"MGET"] + g.some(KEYS),
        lambda: [g.pick([b"MSET", b"MSETNX"])] + g.pairs(g.k, g.v),
        lambda: [b"GETDEL", g.k()],
        lambda: [b"GETEX", g.k()] + g.maybe(0.5, [g.pick([b"EX", b"PERSIST"])]),
    ]


def key_commands(g):
    return [
        lambda: [g.pick([b"DEL", b"EXISTS", b"UNLINK", b"TOUCH"])] + g.some(KEYS),
        lambda: [b"TYPE", g.k()],
        lambda: [g.pick([b"RENAME", b"RENAMENX"]), g.k(), g.k()],
        lambda: [b"COPY", g.k(), g.k()] + g.maybe(0.5, [b"REPLACE"]),
        lambda: g.pick([[b"EXPIRE", g.k(), g.pick(TTLS)], [b"PEXPIRE", g.k(), g.pick(PTTLS)]])
        + g.maybe(0.3, [g.pick([b"NX", b"XX", b"GT", b"LT"])]),
        lambda: [b"PERSIST", g.k()],
        lambda: [b"TTL", g.k()],
        lambda: [b"DBSIZE"],
        lambda: [b"KEYS", g.pick([b"*", b"k[12]", b"k?", b"x*"])],
    ]


def db_commands(g):
    return [
        lambda: [b"MOVE", g.k(), g.pick([b"0", b"1", b"99", b"x"])],
        lambda: [b"SELECT", g.pick([b"0", b"0", b"1", b"16", b"-1"])],
        lambda: [b"SWAPDB", g.pick([b"0", b"1"]), g.pick([b"0", b"1", b"42"])],
        lambda: [b"FLUSHDB"] if g.r.random() < 0.2 else [b"PING"],
        lambda: [b"ECHO", g.v()],
        lambda: [b"RANDOMKEY"],
        lambda: [b"OBJECT", g.pick([b"FREQ", b"HELP", b"NOPE"]), g.k()],
        # One call that covers a whole small collection: cursor 0 back, elements compared sorted.
        lambda: [g.pick([b"HSCAN", b"SSCAN", b"ZSCAN"]), g.k(), b"0", b"COUNT", b"1000"]
        + g.maybe(0.4, [b"MATCH", g.pick([b"*", b"a*", b"?", b"[a-c]", b"1*"])]),
        lambda: [b"SCAN", b"0", b"COUNT", b"1000"]
        + g.maybe(0.4, [b"MATCH", g.pick([b"k*", b"k[13]", b"*"])])
        + g.maybe(0.3, [b"TYPE", g.pick([b"string", b"list", b"hash", b"zset", b"set"])]),
        lambda: [g.pick([b"SETEX", b"PSETEX"]), g.k(), g.pick([b"100000", b"0", b"-5", b"x"]),
                 g.v()],
        lambda: [b"LCS", g.k(), g.k()] + g.maybe(0.4, [g.pick([b"LEN", b"IDX"])]),
    ]


def hash_commands(g):
    return [
        lambda: [g.pick([b"HSET", b"HMSET"]), g.k()] + g.pairs(g.m, g.v),
        lambda: [b"HSETNX", g.k(), g.m(), g.v()],
        lambda: [b"HGET", g.k(), g.m()],
        lambda: [b"HMGET", g.k()] + g.some(MEMBERS),
        lambda: [b"HDEL", g.k()] + g.some(MEMBERS),
        lambda: [g.pick([b"HLEN", b"HKEYS", b"HVALS", b"HGETALL"]), g.k()],
        lambda: [g.pick([b"HSTRLEN", b"HEXISTS"]), g.k(), g.m()],
        lambda: [b"HINCRBY", g.k(), g.m(), g.i()],
        lambda: [b"HINCRBYFLOAT", g.k(), g.m(), g.pick(FLOATS)],
        lambda: [b"HRANDFIELD", g.k()] + g.maybe(0.6, [g.pick(SMALL)])
        + g.maybe(0.3, [b"WITHVALUES"]),
    ]


def set_commands(g):
    return [
        lambda: [b"SADD", g.k()] + g.some(MEMBERS),
        lambda: [b"SREM", g.k()] + g.some(MEMBERS),
        lambda: [g.pick([b"SCARD", b"SMEMBERS"]), g.k()],
        lambda: [b"SISMEMBER", g.k(), g.m()],
        lambda: [b"SMISMEMBER", g.k()] + g.some(MEMBERS),
        lambda: [b"SMOVE", g.k(), g.k(), g.m()],
        lambda: [g.pick([b"SINTER", b"SUNION", b"SDIFF"])] + g.some(KEYS),
        lambda: [g.pick([b"SINTERSTORE", b"SUNIONSTORE", b"SDIFFSTORE"]), g.k()] + g.some(KEYS),
        lambda: [b"SINTERCARD"] + g.numkeys() + g.maybe(0.3, [b"LIMIT", g.i()]),
        lambda: [b"SPOP", g.k()] + g.maybe(0.5, [g.pick(SMALL)]),
        lambda: [b"SRANDMEMBER", g.k()] + g.maybe(0.6, [g.pick(SMALL)]),
    ]


def list_commands(g):
    end = lambda: g.pick([b"LEFT", b"RIGHT", b"UP"] if g.r.random() < 0.05 else [b"LEFT", b"RIGHT"])
    return [
        lambda: [g.pick([b"LPUSH", b"RPUSH", b"LPUSHX", b"RPUSHX"]), g.k()] + g.some(VALUES),
        lambda: [g.pick([b"LPOP", b"RPOP"]), g.k()] + g.maybe(0.4, [g.pick(SMALL)]),
        lambda: [b"LLEN", g.k()],
        lambda: [b"LINDEX", g.k(), g.i()],
        lambda: [b"LRANGE", g.k(), g.i(), g.i()],
        lambda: [b"LSET", g.k(), g.i(), g.v()],
        lambda: [b"LTRIM", g.k(), g.i(), g.i()],
        lambda: [b"LREM", g.k(), g.i(), g.v()],
        lambda: [b"LINSERT", g.k(), g.pick([b"BEFORE", b"AFTER", b"X"]), g.v(), g.v()],
        lambda: [b"LPOS", g.k(), g.v()] + g.maybe(0.4, [b"RANK", g.i()])
        + g.maybe(0.4, [b"COUNT", g.i()]) + g.maybe(0.3, [b"MAXLEN", g.i()]),
        lambda: [b"LMOVE", g.k(), g.k(), end(), end()],
        lambda: [b"RPOPLPUSH", g.k(), g.k()],
        lambda: [b"LMPOP"] + g.numkeys() + [end()] + g.maybe(0.4, [b"COUNT", g.i()]),
        lambda: [g.pick([b"BLPOP", b"BRPOP"])] + g.some(KEYS) + [b"0.01"],
        lambda: [b"BLMOVE", g.k(), g.k(), end(), end(), b"0.01"],
    ]


def zset_commands(g):
    flags = lambda: g.maybe(0.3, [g.pick([b"NX", b"XX", b"GT", b"LT", b"CH", b"INCR"])])
    return [
        lambda: [b"ZADD", g.k()] + flags() + flags() + g.pairs(lambda: g.pick(SCORES), g.m),
        lambda: [b"ZINCRBY", g.k(), g.pick(FLOATS), g.m()],
        lambda: [b"ZSCORE", g.k(), g.m()],
        lambda: [b"ZMSCORE", g.k()] + g.some(MEMBERS),
        lambda: [b"ZCARD", g.k()],
        lambda: [b"ZCOUNT", g.k(), g.pick(BOUNDS), g.pick(BOUNDS)],
        # Lex ranges are specified only when all scores are equal (Redis's results otherwise
        # depend on its encoding): they get a key of their own whose scores are all 0.
        lambda: [b"ZADD", LEX_KEY] + g.pairs(lambda: b"0", g.m),
        lambda: [b"ZLEXCOUNT", LEX_KEY, g.pick(LEX), g.pick(LEX)],
        lambda: [g.pick([b"ZRANK", b"ZREVRANK"]), g.k(), g.m()],
        lambda: [g.pick([b"ZRANGE", b"ZREVRANGE"]), g.k(), g.i(), g.i()]
        + g.maybe(0.5, [b"WITHSCORES"]),
        lambda: [b"ZRANGE", g.k(), g.pick(BOUNDS), g.pick(BOUNDS), b"BYSCORE"]
        + g.maybe(0.4, [b"REV"]) + g.maybe(0.3, [b"LIMIT", g.i(), g.i()])
        + g.maybe(0.4, [b"WITHSCORES"]),
        lambda: [g.pick([b"ZRANGEBYSCORE", b"ZREVRANGEBYSCORE"]), g.k(), g.pick(BOUNDS),
                 g.pick(BOUNDS)] + g.maybe(0.4, [b"WITHSCORES"])
        + g.maybe(0.3, [b"LIMIT", g.i(), g.i()]),
        lambda: [g.pick([b"ZRANGEBYLEX", b"ZREVRANGEBYLEX"]), LEX_KEY, g.pick(LEX), g.pick(LEX)]
        + g.maybe(0.3, [b"LIMIT", g.i(), g.i()]),
        lambda: [b"ZREM", g.k()] + g.some(MEMBERS),
        lambda: [b"ZREMRANGEBYSCORE", g.k(), g.pick(BOUNDS), g.pick(BOUNDS)],
        lambda: [b"ZREMRANGEBYRANK", g.k(), g.i(), g.i()],
        lambda: [b"ZREMRANGEBYLEX", LEX_KEY, g.pick(LEX), g.pick(LEX)],
        lambda: [g.pick([b"ZPOPMIN", b"ZPOPMAX"]), g.k()] + g.maybe(0.4, [g.pick(SMALL)]),
        lambda: [b"ZMPOP"] + g.numkeys() + [g.pick([b"MIN", b"MAX", b"MID"])]
        + g.maybe(0.4, [b"COUNT", g.i()]),
        lambda: [g.pick([b"ZUNION", b"ZINTER", b"ZDIFF"])] + g.numkeys()
        + g.maybe(0.3, [b"AGGREGATE", g.pick([b"SUM", b"MIN", b"MAX", b"AVG"])])
        + g.maybe(0.5, [b"WITHSCORES"]),
        lambda: [g.pick([b"ZUNIONSTORE", b"ZINTERSTORE", b"ZDIFFSTORE"]), g.k()] + g.numkeys(),
        lambda: [b"ZINTERCARD"] + g.numkeys(),
        lambda: [b"ZRANGESTORE", g.k(), g.k(), g.i(), g.i()],
        lambda: [b"ZRANDMEMBER", g.k()] + g.maybe(0.6, [g.pick(SMALL)])
        + g.maybe(0.3, [b"WITHSCORES"]),
        lambda: [g.pick([b"BZPOPMIN", b"BZPOPMAX"])] + g.some(KEYS) + [b"0.01"],
    ]


UNORDERED = {b"SMEMBERS", b"SINTER", b"SUNION", b"SDIFF", b"HKEYS", b"HVALS", b"KEYS"}
RANDOM = {b"SRANDMEMBER", b"HRANDFIELD", b"ZRANDMEMBER", b"RANDOMKEY", b"SPOP"}


class Sequence:
    """Reproducible commands of one seed; MULTI blocks and arity mistakes mixed in."""

    def __init__(self, seed):
        self.r = random.Random(seed)
        g = Gen(self.r)
        self.families = [string_commands(g), key_commands(g), hash_commands(g), set_commands(g),
                         list_commands(g), zset_commands(g), db_commands(g)]

    def one(self):
        cmd = self.r.choice(self.r.choice(self.families))()
        x = self.r.random()
        if x < 0.02 and len(cmd) > 1:
            cmd = cmd[:-1]  # an argument short
        elif x < 0.03:
            cmd = cmd + [b"extra"]
        return cmd

    def commands(self, n):
        out = []
        while len(out) < n:
            if self.r.random() < 0.03:
                # No random commands in a transaction: the queued commands after one could
                # not be compared.
                block = []
                while len(block) < self.r.randint(1, 4):
                    cmd = self.one()
                    if cmd[0].upper() not in RANDOM:
                        block.append(cmd)
                end = [b"EXEC"] if self.r.random() < 0.85 else [b"DISCARD"]
                out += [[b"MULTI"]] + block + [end]
            else:
                out.append(self.one())
        return out


# ---- comparison -------------------------------------------------------------------------------


def canonical(cmd, reply):
    name = cmd[0].upper()
    t, v = reply
    if name in (b"SCAN", b"HSCAN", b"SSCAN", b"ZSCAN") and t == "*" and v and len(v) == 2:
        cursor, items = v
        if items[0] in "*~" and items[1] is not None:
            flat = items[1]
            if name in (b"HSCAN", b"ZSCAN"):
                flat = sorted(zip(flat[::2], flat[1::2]))
            else:
                flat = sorted(flat)
            return (t, [cursor, flat])
    if name in UNORDERED and t in "*~" and v is not None:
        return (t, sorted(v))
    if name == b"HGETALL" and t in "*%" and v is not None:
        flat = v if t == "*" else [x for pair in v for x in pair]
        return (t, sorted(zip(flat[::2], flat[1::2])))
    return reply


def shape(reply):
    t, v = reply
    if t in "*~%" and v is not None:
        return (t, len(v))
    if t in "$" and v is not None:
        return (t, "bulk")
    return reply


def timing_dependent(cmd):
    """EXPIRE k 100 twice, with GT: whether the second wins depends on whether a millisecond
    passed in between, on each server separately."""
    return cmd[0].upper() in (b"EXPIRE", b"PEXPIRE") and any(
        x.upper() in (b"GT", b"LT") for x in cmd[3:])


def same(cmd, a, b):
    name = cmd[0].upper()
    if name in RANDOM or timing_dependent(cmd):
        return shape(a) == shape(b)
    if name == b"TTL" and a[0] == b[0] == ":":
        return abs(a[1] - b[1]) <= 1
    if name == b"EXEC" and a[0] == b[0] == "*" and a[1] is not None and b[1] is not None:
        return len(a[1]) == len(b[1])  # each queued command was compared on its own
    return canonical(cmd, a) == canonical(cmd, b)


def run_pair(basalt, redis, commands, stop_at_first=True, resync=True):
    """Runs commands on both; returns (index, basalt_reply, redis_reply) of the first
    difference, or None."""
    queued = []  # commands inside MULTI, compared when EXEC answers
    in_multi = False
    for i, cmd in enumerate(commands):
        a = basalt.run([cmd])[0]
        b = redis.run([cmd])[0]
        name = cmd[0].upper()
        if name == b"MULTI" and a == b == ("+", "OK"):
            in_multi, queued = True, []
        elif in_multi and name not in (b"EXEC", b"DISCARD") and a == b == ("+", "QUEUED"):
            queued.append(cmd)
        if not same(cmd, a, b):
            return i, a, b
        if name == b"EXEC" and in_multi and a[0] == "*" and a[1] is not None:
            for q, x, y in zip(queued, a[1], b[1]):
                if not same(q, x, y):
                    return i, a, b
        popped = [cmd] if not in_multi else []
        if name in (b"EXEC", b"DISCARD"):
            in_multi = False
            popped = queued if name == b"EXEC" else []
        for c in popped:
            if resync and c[0].upper() == b"SPOP" and len(c) > 1:
                sync_set(basalt, redis, c[1])
            if resync and timing_dependent(c):
                sync_ttl(basalt, redis, c[1])
    return None


def sync_set(basalt, redis, key):
    """After SPOP the servers may hold different members: copy Redis's set to Basalt."""
    t, members = redis.run([[b"SMEMBERS", key]])[0]
    if t not in "*~":
        return
    _, pttl = redis.run([[b"PTTL", key]])[0]
    cmds = [[b"DEL", key]]
    if members:
        cmds.append([b"SADD", key] + [m for _, m in members])
        if pttl > 0:
            cmds.append([b"PEXPIRE", key, str(pttl).encode()])
    basalt.run(cmds)


def sync_ttl(basalt, redis, key):
    """Gives Basalt's key the deadline Redis's key has."""
    t, at = redis.run([[b"PEXPIRETIME", key]])[0]
    if t == ":" and at > 0:
        basalt.run([[b"PEXPIREAT", key, str(at).encode()]])


def replay(basalt, redis, commands):
    for c in (basalt, redis):
        c.run([[b"DISCARD"], [b"FLUSHALL"]])
    return run_pair(basalt, redis, commands)


def minimize(basalt, redis, commands, budget_s=60):
    """Removes commands while the sequence still ends in a difference (ddmin-style)."""
    deadline = time.monotonic() + budget_s
    seq = list(commands)
    chunk = max(1, len(seq) // 2)
    while chunk >= 1 and time.monotonic() < deadline:
        i, shrunk = 0, False
        while i < len(seq) - 1 and time.monotonic() < deadline:
            trial = seq[:i] + seq[i + chunk:]
            found = replay(basalt, redis, trial)
            if found is not None:
                seq = trial[:found[0] + 1]
                shrunk = True
            else:
                i += chunk
        if not shrunk:
            chunk //= 2
    return seq


def show(cmd):
    return " ".join(repr(x)[1:] if not x.isascii() or b" " in x or not x else x.decode()
                    for x in cmd)


def run_seed(seed, n, basalt_srv, redis_srv):
    basalt, redis = Conn(basalt_srv.port), Conn(redis_srv.port)
    resp3 = seed % 4 == 0
    for c in (basalt, redis):
        c.run([[b"FLUSHALL"]] + ([[b"HELLO", b"3"]] if resp3 else []))
    commands = Sequence(seed).commands(n)
    found = run_pair(basalt, redis, commands)
    if found is None:
        basalt.close()
        redis.close()
        return True
    i, a, b = found
    print(f"seed {seed}{' (RESP3)' if resp3 else ''}: difference at command {i + 1}: "
          f"{show(commands[i])}\n  basalt: {a!r}\n  redis:  {b!r}")
    small = minimize(basalt, redis, commands[:i + 1])
    again = replay(basalt, redis, small)
    print(f"  minimal sequence ({len(small)} commands), from an empty database:")
    for c in small:
        print("    " + show(c))
    if again is not None:
        print(f"  last reply: basalt {again[1]!r}, redis {again[2]!r}")
    basalt.close()
    redis.close()
    return False


def parse_seeds(text):
    out = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--basalt", default=os.environ.get("BASALT_SERVER"), required=False)
    ap.add_argument("--redis", default=shutil.which("redis-server") or "/usr/bin/redis-server")
    ap.add_argument("--seeds", default="1-8")
    ap.add_argument("--commands", type=int, default=2000)
    ap.add_argument("--keep-going", action="store_true", help="run every seed even after a "
                    "difference")
    args = ap.parse_args()
    if not args.basalt:
        ap.error("--basalt (or BASALT_SERVER) is required")
    basalt = Server(lambda p, d: [args.basalt, "--port", str(p), "--bind", "127.0.0.1", "--dir",
                                  d], "basalt")
    redis = Server(lambda p, d: [args.redis, "--port", str(p), "--bind", "127.0.0.1", "--dir", d,
                                 "--save", "", "--appendonly", "no"], "redis")
    ok = True
    try:
        for seed in parse_seeds(args.seeds):
            start = time.monotonic()
            good = run_seed(seed, args.commands, basalt, redis)
            print(f"seed {seed}: {'same' if good else 'DIFFERENT'} "
                  f"({args.commands} commands, {time.monotonic() - start:.1f}s)", flush=True)
            ok = ok and good
            if not basalt.alive():
                print("basalt-server died", flush=True)
                return 1
            if not good and not args.keep_going:
                break
    finally:
        basalt.stop()
        redis.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
