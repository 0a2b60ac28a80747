#!/usr/bin/python3
"""Crash loop: kill -9 basalt-server at random moments under a mixed multi-client write load,
restart it on the same data directory, and check that no acknowledged write was lost.

Each cycle:
  1. start basalt-server on the data directory (appendfsync everysec by default);
  2. run --clients client threads, each writing its own keys (strings, counters, hashes, lists,
     sets, sorted sets; SET, APPEND, INCRBY, HSET, HDEL, HINCRBY, RPUSH, LPOP, LTRIM, SADD,
     SREM, ZADD, ZINCRBY, ZREM, DEL, EXPIRE, PERSIST, MULTI/EXEC, EVAL) in pipelined batches of
     1..8 commands, checking every reply against an in-memory model;
  3. kill -9 the server at a random moment;
  4. run `basalt-dump verify DIR` on the stopped directory: it must be clean;
  5. restart, read back every key of every client and compare with the model.

Why the check is exact: keys are never shared between clients, and a client has one batch in
flight at a time. Every command whose reply arrived is acknowledged and must be present. The
commands of the batch in flight at the kill, whose replies did not arrive, may or may not have
been applied, but in order: the state found must equal the model after some prefix of them
(MULTI/EXEC counts as one step). Anything else -- an acknowledged write missing, a later write
present without an earlier one, a torn transaction -- is a lost or corrupted write.

appendfsync everysec survives a process crash: the WAL is handed to the OS before a reply leaves,
and kill -9 does not lose the page cache. So the number of cycles with lost writes must be 0.

Usage (the short version runs under ctest):
    /usr/bin/python3 tests/crash/crash_loop.py --server build/dev/server/basalt-server \\
        --dump build/dev/tools/basalt-dump --cycles 50 --seed 1
Exit code 0 when every cycle was clean.
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
import threading
import time

# --------------------------------------------------------------------------------------------
# A minimal RESP client: send a batch, read the replies one by one (so we know exactly which
# commands were acknowledged when the connection dies).
# --------------------------------------------------------------------------------------------


class RespError:
    def __init__(self, text):
        self.text = text

    def __eq__(self, other):
        return isinstance(other, RespError) and other.text == self.text

    def __repr__(self):
        return f"RespError({self.text!r})"


class Closed(Exception):
    pass


def encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    def __init__(self, port, timeout=30.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def send(self, cmds):
        self.sock.sendall(b"".join(encode(c) for c in cmds))

    def _fill(self):
        try:
            data = self.sock.recv(1 << 16)
        except (ConnectionError, socket.timeout, OSError) as e:
            raise Closed(str(e))
        if not data:
            raise Closed("EOF")
        self.buf += data

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                return line
            self._fill()

    def read(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            return RespError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self._fill()
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ValueError(f"bad reply line {line!r}")

    def call(self, *args):
        self.send([args])
        return self.read()


# --------------------------------------------------------------------------------------------
# The model: per client, key -> value (bytes, int as bytes, dict, list, set, dict member->score)
# plus the set of keys carrying a TTL. Key names fix their type: "<prefix>:<type letter><n>".
# --------------------------------------------------------------------------------------------

KINDS = {"s": 8, "n": 4, "h": 6, "l": 6, "t": 6, "z": 6}  # type letter -> keys per client
TTL_SECONDS = 100_000
SCRIPT = ("redis.call('SET', KEYS[1], ARGV[1]) "
          "return redis.call('HINCRBY', KEYS[2], 'ev', 1)")


class Model:
    def __init__(self):
        self.data = {}
        self.ttl = set()

    def copy(self):
        m = Model()
        for k, v in self.data.items():
            m.data[k] = v.copy() if isinstance(v, (dict, list, set)) else v
        m.ttl = set(self.ttl)
        return m

    def _drop_if_empty(self, k):
        v = self.data.get(k)
        if isinstance(v, (dict, list, set)) and not v:
            del self.data[k]
            self.ttl.discard(k)

    def delete(self, k):
        existed = k in self.data
        self.data.pop(k, None)
        self.ttl.discard(k)
        return existed

    def apply(self, op):
        """Applies one step; returns the reply Redis gives for it."""
        name = op[0]
        if name == "MULTI":
            return [self.apply(sub) for sub in op[1]]
        if name == "EVAL":
            _, _, _, ks, kh, val = op
            self.data[ks] = val
            self.ttl.discard(ks)
            return self.apply(("HINCRBY", kh, b"ev", 1))
        k = op[1]
        if name == "SET":
            self.data[k] = op[2]
            self.ttl.discard(k)
            return "OK"
        if name == "APPEND":
            self.data[k] = self.data.get(k, b"") + op[2]
            return len(self.data[k])
        if name == "INCRBY":
            v = int(self.data.get(k, b"0")) + op[2]
            self.data[k] = str(v).encode()
            return v
        if name == "DEL":
            return int(self.delete(k))
        if name == "EXPIRE":
            if k not in self.data:
                return 0
            self.ttl.add(k)
            return 1
        if name == "PERSIST":
            if k in self.ttl:
                self.ttl.discard(k)
                return 1
            return 0
        if name == "HSET":
            h = self.data.setdefault(k, {})
            new = op[2] not in h
            h[op[2]] = op[3]
            return int(new)
        if name == "HDEL":
            h = self.data.get(k, {})
            n = int(h.pop(op[2], None) is not None)
            self._drop_if_empty(k)
            return n
        if name == "HINCRBY":
            h = self.data.setdefault(k, {})
            v = int(h.get(op[2], b"0")) + op[3]
            h[op[2]] = str(v).encode()
            return v
        if name == "RPUSH":
            lst = self.data.setdefault(k, [])
            lst.extend(op[2:])
            return len(lst)
        if name == "LPOP":
            lst = self.data.get(k)
            if not lst:
                return None
            v = lst.pop(0)
            self._drop_if_empty(k)
            return v
        if name == "LTRIM":
            lst = self.data.get(k)
            if lst is not None:
                self.data[k] = lst[op[2]:] if len(lst) > -op[2] else lst
            return "OK"
        if name == "SADD":
            s = self.data.setdefault(k, set())
            n = len(set(op[2:]) - s)
            s.update(op[2:])
            return n
        if name == "SREM":
            s = self.data.get(k, set())
            n = len(set(op[2:]) & s)
            s.difference_update(op[2:])
            self._drop_if_empty(k)
            return n
        if name == "ZADD":
            z = self.data.setdefault(k, {})
            new = op[3] not in z
            z[op[3]] = op[2]
            return int(new)
        if name == "ZINCRBY":
            z = self.data.setdefault(k, {})
            z[op[3]] = z.get(op[3], 0) + op[2]
            return str(z[op[3]]).encode()
        if name == "ZREM":
            z = self.data.get(k, {})
            n = int(z.pop(op[2], None) is not None)
            self._drop_if_empty(k)
            return n
        raise ValueError(name)


def commands_of(op):
    """The RESP commands one model step sends."""
    if op[0] == "MULTI":
        return [("MULTI",)] + [commands_of(sub)[0] for sub in op[1]] + [("EXEC",)]
    if op[0] in ("ZADD", "ZINCRBY"):
        return [(op[0], op[1], str(op[2]), op[3])]
    return [op]


def expected_replies(op, final):
    """All replies a step's commands produce, given the final reply from the model."""
    if op[0] == "MULTI":
        return ["OK"] + ["QUEUED"] * len(op[1]) + [final]
    return [final]


class Keyspace:
    def __init__(self, client, rng):
        self.prefix = f"crash:{client}:"
        self.rng = rng

    def key(self, kind):
        return f"{self.prefix}{kind}{self.rng.randrange(KINDS[kind])}"

    def value(self):
        r = self.rng.random()
        size = self.rng.randrange(20_000, 120_000) if r < 0.02 else self.rng.randrange(1, 200)
        return os.urandom(size // 2).hex().encode()[:size]

    def simple_op(self):
        rng = self.rng
        kind = rng.choice("ssnhhlltttzz")
        k = self.key(kind)
        roll = rng.random()
        if roll < 0.05:
            return ("DEL", k)
        if roll < 0.10:
            return ("EXPIRE", k, TTL_SECONDS)
        if roll < 0.13:
            return ("PERSIST", k)
        if kind == "s":
            return ("SET", k, self.value()) if rng.random() < 0.6 else ("APPEND", k, self.value())
        if kind == "n":
            return ("INCRBY", k, rng.randrange(-5, 100))
        if kind == "h":
            f = f"f{rng.randrange(20)}".encode()
            c = rng.random()
            if c < 0.6:
                return ("HSET", k, f, self.value())
            return ("HDEL", k, f) if c < 0.8 else ("HINCRBY", k, b"cnt", rng.randrange(1, 9))
        if kind == "l":
            c = rng.random()
            if c < 0.6:
                return ("RPUSH", k) + tuple(self.value() for _ in range(rng.randrange(1, 4)))
            return ("LPOP", k) if c < 0.9 else ("LTRIM", k, -10, -1)
        if kind == "t":
            members = tuple(f"m{rng.randrange(30)}".encode() for _ in range(rng.randrange(1, 4)))
            return ("SADD", k) + members if rng.random() < 0.65 else ("SREM", k) + members
        m = f"m{rng.randrange(20)}".encode()
        c = rng.random()
        if c < 0.5:
            return ("ZADD", k, rng.randrange(-1000, 1000), m)
        return ("ZINCRBY", k, rng.randrange(1, 50), m) if c < 0.8 else ("ZREM", k, m)

    def step(self):
        roll = self.rng.random()
        if roll < 0.08:
            return ("MULTI", tuple(self.simple_op() for _ in range(self.rng.randrange(2, 5))))
        if roll < 0.12:
            return ("EVAL", SCRIPT, 2, self.key("s"), self.key("h"), self.value())
        return self.simple_op()


# --------------------------------------------------------------------------------------------
# Load, kill, check
# --------------------------------------------------------------------------------------------


class ClientState:
    def __init__(self, index, seed):
        self.index = index
        self.rng = random.Random(seed)
        self.keys = Keyspace(index, self.rng)
        self.model = Model()
        self.pending = []  # steps sent whose replies did not arrive, in order
        self.acked = 0
        self.error = None

    def all_keys(self):
        return [f"{self.keys.prefix}{kind}{i}" for kind, n in KINDS.items() for i in range(n)]


def run_client(state, port, stop):
    try:
        conn = Conn(port)
    except OSError as e:
        state.error = f"client {state.index}: cannot connect: {e}"
        return
    try:
        while not stop.is_set():
            n = 1 if state.rng.random() < 0.3 else state.rng.randrange(2, 9)
            steps = [state.keys.step() for _ in range(n)]
            state.pending = list(steps)
            try:
                conn.send([c for s in steps for c in commands_of(s)])
            except OSError:
                return
            for s in steps:
                replies = []
                try:
                    for _ in expected_replies(s, None):
                        replies.append(conn.read())
                except Closed:
                    return
                final = state.model.apply(s)  # acknowledged: now part of the model
                if replies != expected_replies(s, final):
                    state.error = (f"client {state.index}: reply mismatch for {short(s)}: "
                                   f"got {short(replies)}, model says "
                                   f"{short(expected_replies(s, final))}")
                    stop.set()
                    return
                state.pending.pop(0)
                state.acked += 1
    finally:
        conn.close()


def short(x, limit=300):
    t = repr(x)
    return t if len(t) <= limit else t[:limit] + "..."


def read_state(conn, keys):
    """The server's view of `keys` as a Model."""
    cmds = []
    for k in keys:
        kind = k.rsplit(":", 1)[1][0]
        cmds.append({"s": ("GET", k), "n": ("GET", k), "h": ("HGETALL", k),
                     "l": ("LRANGE", k, 0, -1), "t": ("SMEMBERS", k),
                     "z": ("ZRANGE", k, 0, -1, "WITHSCORES")}[kind])
        cmds.append(("PTTL", k))
    conn.send(cmds)
    m = Model()
    for k in keys:
        kind = k.rsplit(":", 1)[1][0]
        v, ttl = conn.read(), conn.read()
        if isinstance(v, RespError):
            raise AssertionError(f"{k}: {v.text}")
        if kind in "sn":
            present = v is not None
            if present:
                m.data[k] = v
        elif kind == "h":
            present = bool(v)
            if present:
                m.data[k] = dict(zip(v[0::2], v[1::2]))
        elif kind == "l":
            present = bool(v)
            if present:
                m.data[k] = list(v)
        elif kind == "t":
            present = bool(v)
            if present:
                m.data[k] = set(v)
        else:
            present = bool(v)
            if present:
                m.data[k] = {mem: int(float(sc)) for mem, sc in zip(v[0::2], v[1::2])}
        if ttl >= 0:
            m.ttl.add(k)
        if not present and ttl != -2:
            raise AssertionError(f"{k}: absent but PTTL is {ttl}")
    return m


def same(a, b):
    return a.data == b.data and a.ttl == b.ttl


def diff(model, found, limit=5):
    out = []
    for k in sorted(set(model.data) | set(found.data)):
        if model.data.get(k) != found.data.get(k):
            out.append(f"{k}: model {short(model.data.get(k), 120)} found "
                       f"{short(found.data.get(k), 120)}")
    for k in sorted(model.ttl ^ found.ttl):
        out.append(f"{k}: TTL in model {k in model.ttl}, found {k in found.ttl}")
    return out[:limit]


def check_client(state, found):
    """Returns None when `found` is the model after a prefix of the pending steps."""
    m = state.model.copy()
    candidates = [m.copy()]
    for s in state.pending:
        m.apply(s)
        candidates.append(m.copy())
    for i, c in enumerate(candidates):
        if same(c, found):
            state.model = found
            state.pending = []
            return None
    return (f"client {state.index}: state matches no prefix of its {len(state.pending)} "
            f"in-flight steps ({[s[0] for s in state.pending]}); against the acknowledged model: "
            + "; ".join(diff(state.model, found)))


class Server:
    def __init__(self, binary, dir, extra):
        self.binary, self.dir, self.extra = binary, dir, extra
        self.proc = None
        self.port = None
        self.log = os.path.join(dir, "server.log")

    def start(self):
        self.port = free_port()
        cmd = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
               "--dir", os.path.join(self.dir, "data")] + self.extra
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited at start with {self.proc.returncode}; "
                                   f"see {self.log}")
            try:
                c = Conn(self.port, timeout=2)
                ok = c.call("PING") == "PONG"
                c.close()
                if ok:
                    return
            except (OSError, Closed):
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not answer PING within 30 s")

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(30)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill9()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def verify(dump, dir):
    p = subprocess.run([dump, "verify", os.path.join(dir, "data")], capture_output=True,
                       timeout=300)
    return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace").strip()


def run_cycle(cycle, args, rng, server, clients):
    """One load/kill/verify/check cycle. Returns a list of problems (empty = clean)."""
    server.start()
    stop = threading.Event()
    threads = [threading.Thread(target=run_client, args=(c, server.port, stop)) for c in clients]
    for t in threads:
        t.start()
    time.sleep(rng.uniform(args.min_run, args.max_run))
    died_early = server.proc.poll() is not None
    server.kill9()
    stop.set()
    for t in threads:
        t.join(60)
    problems = [c.error for c in clients if c.error]
    for c in clients:
        c.error = None
    if died_early or server.proc.returncode != -signal.SIGKILL:
        problems.append(f"server exited on its own with {server.proc.returncode}")
    code, out = verify(args.dump, args.dir)
    if code != 0:
        problems.append(f"basalt-dump verify exited {code}: {out[-2000:]}")
    in_flight = sum(len(c.pending) for c in clients)
    server.start()
    conn = Conn(server.port)
    lost = []
    for c in clients:
        found = read_state(conn, c.all_keys())
        err = check_client(c, found)
        if err:
            lost.append(err)
    conn.close()
    server.stop()
    return problems, lost, in_flight


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", required=True, help="basalt-server binary")
    ap.add_argument("--dump", required=True, help="basalt-dump binary")
    ap.add_argument("--cycles", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--clients", type=int, default=6)
    ap.add_argument("--min-run", type=float, default=0.3, help="seconds of load before a kill")
    ap.add_argument("--max-run", type=float, default=2.0)
    ap.add_argument("--dir", help="data directory (default: a fresh temporary directory, "
                    "removed when every cycle was clean)")
    ap.add_argument("--server-arg", action="append", default=[],
                    help="extra server argument, e.g. --server-arg=--appendfsync=always "
                    "(split at '=' after the option name)")
    args = ap.parse_args()
    own_dir = args.dir is None
    args.dir = args.dir or tempfile.mkdtemp(prefix="basalt-crash-")
    os.makedirs(args.dir, exist_ok=True)
    extra = ["--appendfsync", "everysec", "--workers", "2",
             # small memtables: flushes and compactions run during the load, so kills land in
             # them too
             "--rocksdb-write-buffer-size", "1mb"]
    for a in args.server_arg:
        name, _, value = a.partition("=")
        extra += [name, value]
    rng = random.Random(args.seed)
    clients = [ClientState(i, rng.randrange(1 << 30)) for i in range(args.clients)]
    server = Server(args.server, args.dir, extra)
    bad_cycles = lost_cycles = 0
    total_acked = 0
    t0 = time.monotonic()
    try:
        for cycle in range(1, args.cycles + 1):
            before = sum(c.acked for c in clients)
            problems, lost, in_flight = run_cycle(cycle, args, rng, server, clients)
            acked = sum(c.acked for c in clients) - before
            total_acked += acked
            status = "ok" if not problems and not lost else "FAIL"
            print(f"cycle {cycle}/{args.cycles}: {acked} acknowledged steps, "
                  f"{in_flight} in flight at the kill, {status}", flush=True)
            for p in problems + lost:
                print("   ", p, flush=True)
            if problems or lost:
                bad_cycles += 1
            if lost:
                lost_cycles += 1
                # Continue from what the server holds, so later cycles still mean something.
                conn_server_resync(server, clients)
    finally:
        server.kill9()
    print(f"{args.cycles} cycles, {total_acked} acknowledged steps, "
          f"{lost_cycles} cycles with writes lost, {bad_cycles} cycles with problems, "
          f"{time.monotonic() - t0:.1f} s", flush=True)
    if bad_cycles == 0 and own_dir:
        shutil.rmtree(args.dir, ignore_errors=True)
    elif bad_cycles:
        print(f"data directory and server log kept in {args.dir}", flush=True)
    return 0 if bad_cycles == 0 else 1


def conn_server_resync(server, clients):
    server.start()
    conn = Conn(server.port)
    for c in clients:
        c.model = read_state(conn, c.all_keys())
        c.pending = []
    conn.close()
    server.stop()


if __name__ == "__main__":
    sys.exit(main())
