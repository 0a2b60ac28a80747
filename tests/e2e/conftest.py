"""End-to-end harness for basalt-server: starts a real server process and drives it with real
clients (redis-py, a minimal RESP client defined here, raw sockets, redis-cli, redis-benchmark).

How to run (from the repository root):

    # against basalt (the default target); BASALT_SERVER must point at the built binary
    BASALT_SERVER=path/to/basalt-server /usr/bin/python3 -m pytest tests/e2e -q

    # against Debian's real redis-server, to prove that every expectation is Redis's own
    BASALT_E2E_TARGET=redis /usr/bin/python3 -m pytest tests/e2e -q

    # optional: redis with an AOF (appendfsync always), so the `persistence` tests can be
    # validated against redis too (they are skipped for plain redis, which runs with --save '')
    BASALT_E2E_TARGET=redis BASALT_E2E_REDIS_PERSIST=1 /usr/bin/python3 -m pytest tests/e2e -q

Environment:
    BASALT_E2E_TARGET        "basalt" (default) or "redis"
    BASALT_SERVER            path to basalt-server (required for the basalt target)
    BASALT_E2E_REDIS_SERVER  redis-server binary for the redis target (default /usr/bin/redis-server)
    BASALT_E2E_HOT_TIER      basalt: hot-tier-max-memory for every server that does not set it
                             itself (e.g. "0" or "4kb"), so the whole suite runs with the hot
                             tier off, or evicting constantly
    BASALT_E2E_REDIS_PERSIST "1": run redis with --appendonly yes --appendfsync always and do not
                             skip the `persistence` tests

Command lines:
    basalt: BASALT_SERVER --port P --bind 127.0.0.1 --dir TMPDIR [--name value ...]
    redis:  redis-server  --port P --bind 127.0.0.1 --dir TMPDIR --save '' --appendonly no [--name value ...]

Markers:
    basalt_only  needs a basalt-only feature (skipped for the redis target)
    persistence  needs data to survive a restart / kill -9 (skipped for the redis target unless
                 BASALT_E2E_REDIS_PERSIST=1)

Fixtures (see below): server (module-scoped), server_factory (function-scoped, for servers with
their own options), r (redis-py client, FLUSHALL before each test), conn (RespConn on `server`),
raw (send raw bytes, read the reply), cli (run redis-cli against `server`).
"""

import os
import signal
import socket
import subprocess
import time

import pytest
import redis

from e2e_support import (ConnectionClosed, ReplyError, RespConn, raw_exchange,  # noqa: F401
                         run_redis_cli)

TARGET = os.environ.get("BASALT_E2E_TARGET", "basalt").strip().lower()
if TARGET not in ("basalt", "redis"):
    raise RuntimeError(f"BASALT_E2E_TARGET must be 'basalt' or 'redis', not {TARGET!r}")
IS_REDIS = TARGET == "redis"
REDIS_PERSIST = os.environ.get("BASALT_E2E_REDIS_PERSIST", "") == "1"
REDIS_SERVER = os.environ.get("BASALT_E2E_REDIS_SERVER", "/usr/bin/redis-server")
READY_DEADLINE = 10.0
STOP_DEADLINE = 15.0

MARKERS = (
    "basalt_only: needs a basalt-only feature; skipped for BASALT_E2E_TARGET=redis",
    "persistence: needs data to survive restart/kill -9; skipped for BASALT_E2E_TARGET=redis "
    "unless BASALT_E2E_REDIS_PERSIST=1",
)


def pytest_configure(config):
    for line in MARKERS:
        config.addinivalue_line("markers", line)


def pytest_report_header(config):
    if IS_REDIS:
        return f"e2e target: redis ({REDIS_SERVER}){' with AOF' if REDIS_PERSIST else ''}"
    return f"e2e target: basalt ({os.environ.get('BASALT_SERVER', '<BASALT_SERVER unset>')})"


def pytest_collection_modifyitems(config, items):
    if not IS_REDIS:
        return
    skip_basalt = pytest.mark.skip(reason="basalt-only feature (BASALT_E2E_TARGET=redis)")
    skip_persist = pytest.mark.skip(
        reason="redis target runs with --save '' and loses data on restart "
        "(set BASALT_E2E_REDIS_PERSIST=1 to run these against redis with an AOF)")
    for item in items:
        if "basalt_only" in item.keywords:
            item.add_marker(skip_basalt)
        elif "persistence" in item.keywords and not REDIS_PERSIST:
            item.add_marker(skip_persist)


# --------------------------------------------------------------------------------------------
# Server processes
# --------------------------------------------------------------------------------------------

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _basalt_binary():
    path = os.environ.get("BASALT_SERVER", "")
    if not path:
        pytest.exit("BASALT_SERVER is not set: point it at the basalt-server binary "
                    "(or run with BASALT_E2E_TARGET=redis)", returncode=3)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.exit(f"BASALT_SERVER={path!r} is not an executable file", returncode=3)
    return os.path.abspath(path)


def _extra_args(extra):
    """extra: dict or list of (name, value); name 'foo_bar' -> '--foo-bar'."""
    items = extra.items() if isinstance(extra, dict) else extra
    out = []
    for name, value in items:
        out += ["--" + name.replace("_", "-"), str(value)]
    return out


class ServerProcess:
    def __init__(self, dir, port=None, extra=()):
        self.dir = str(dir)
        self.port = port or free_port()
        self.extra = list(extra.items()) if isinstance(extra, dict) else list(extra)
        self.proc = None
        self.log_path = os.path.join(self.dir, "server-output.log")
        self.password = dict(self.extra).get("requirepass")

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def command_line(self):
        base = ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir]
        if IS_REDIS:
            persist = (["--appendonly", "yes", "--appendfsync", "always"] if REDIS_PERSIST
                       else ["--appendonly", "no"])
            return [REDIS_SERVER] + base + ["--save", ""] + persist + _extra_args(self.extra)
        extra = list(self.extra)
        tier = os.environ.get("BASALT_E2E_HOT_TIER", "")
        if tier and "hot-tier-max-memory" not in dict(extra) and "hot_tier_max_memory" not in dict(extra):
            extra.append(("hot-tier-max-memory", tier))
        # Two workers unless a test says otherwise: the default (half the cores) is one on a
        # two-core machine, and the suite must keep exercising connections on different threads.
        if "workers" not in dict(extra):
            extra.append(("workers", 2))
        return [_basalt_binary()] + base + _extra_args(extra)

    def is_running(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read()[-20000:]
        except OSError:
            return "<no server output>"
        return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])

    def start(self):
        assert not self.is_running(), "server already running"
        cmd = self.command_line()
        with open(self.log_path, "ab") as log:
            log.write(("\n=== start: %s\n" % " ".join(cmd)).encode())
            log.flush()
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.dir,
                                         start_new_session=True)
        self._wait_ready()
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + READY_DEADLINE
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"server exited during startup with code {self.proc.returncode}; "
                            f"command: {' '.join(self.command_line())}\n"
                            f"--- server output (tail) ---\n{self.log_tail()}", pytrace=False)
            try:
                with RespConn(self.port, timeout=1.0) as c:
                    rep = c.call("PING")
                    if rep == "PONG":
                        return
                    last = rep
            except ReplyError as e:
                # NOAUTH means the server is up and serving; LOADING means not yet.
                if e.message.startswith("NOAUTH"):
                    return
                last = e
            except (OSError, ConnectionClosed, ValueError) as e:
                last = e
            time.sleep(0.05)
        self.stop()
        pytest.fail(f"server did not answer PING within {READY_DEADLINE}s (last: {last!r}); "
                    f"command: {' '.join(self.command_line())}\n"
                    f"--- server output (tail) ---\n{self.log_tail()}", pytrace=False)

    def stop(self, timeout=STOP_DEADLINE):
        """Graceful stop: SIGTERM, wait, SIGKILL fallback. Returns the exit code (or None)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def restart(self):
        """Graceful stop (SIGTERM) then start again on the same dir and port."""
        code = self.stop()
        if code != 0:
            pytest.fail(f"server exited with code {code} on SIGTERM\n"
                        f"--- server output (tail) ---\n{self.log_tail()}", pytrace=False)
        return self.start()

    def ensure_running(self):
        if not self.is_running():
            self.start()

    def wait_exit(self, timeout=10.0):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    # ---- clients -------------------------------------------------------------------------
    def client(self, **kw):
        kw.setdefault("decode_responses", False)
        if self.password is not None:
            kw.setdefault("password", self.password)
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def conn(self, auth=True, timeout=10.0):
        c = RespConn(self.port, timeout=timeout)
        if auth and self.password is not None:
            c.call("AUTH", self.password)
        return c

    def __repr__(self):
        return f"<ServerProcess {TARGET} port={self.port} pid={self.pid} dir={self.dir}>"


class ServerFactory:
    def __init__(self, tmp_path_factory, name):
        self.tmp_path_factory = tmp_path_factory
        self.name = name
        self.servers = []

    def __call__(self, extra=(), start=True, **kw):
        """Start a server with extra options: factory(requirepass="x") or
        factory(extra=[("databases", 4)])."""
        extra = (list(extra.items()) if isinstance(extra, dict) else list(extra)) + list(kw.items())
        d = self.tmp_path_factory.mktemp(self.name)
        srv = ServerProcess(d, extra=extra)
        self.servers.append(srv)
        if start:
            srv.start()
        return srv

    def stop_all(self):
        for s in self.servers:
            try:
                s.stop()
            except Exception:
                s.kill9()


@pytest.fixture(scope="module")
def _module_factory(tmp_path_factory, request):
    f = ServerFactory(tmp_path_factory, request.module.__name__.rsplit(".", 1)[-1])
    yield f
    f.stop_all()


@pytest.fixture(scope="module")
def server(_module_factory):
    """One server per test module (no extra options)."""
    return _module_factory()


@pytest.fixture
def server_factory(tmp_path_factory):
    """Start dedicated servers (own dir/port, optional extra options); all stopped afterwards."""
    f = ServerFactory(tmp_path_factory, "srv")
    yield f
    f.stop_all()


@pytest.fixture
def r(server):
    """redis-py client on the module server (decode_responses=False), FLUSHALL before each test.

    If the module server dies during a test, that test errors (with the server's output) and
    the next test starts a fresh server on the same dir/port."""
    server.ensure_running()
    client = server.client()
    client.flushall()
    yield client
    client.close()
    if not server.is_running():
        pytest.fail(f"the server died during this test (exit code {server.proc.returncode})\n"
                    f"--- server output (tail) ---\n{server.log_tail()}", pytrace=False)


@pytest.fixture
def conn(server, r):
    """A RespConn (exact wire replies) on the module server, after FLUSHALL."""
    c = server.conn()
    yield c
    c.close()


@pytest.fixture
def raw(server):
    """raw(data, timeout=0.5, expect_close=False, want=None) -> (reply_bytes, closed), on a fresh
    connection to the module server (see e2e_support.raw_exchange)."""
    server.ensure_running()

    def _raw(data, timeout=0.5, expect_close=False, want=None, port=None):
        return raw_exchange(port or server.port, data, timeout=timeout,
                            expect_close=expect_close, want=want)

    return _raw


@pytest.fixture
def cli(server, r):
    """cli(*args, input=None) -> CompletedProcess of `redis-cli -p PORT args...` (bytes output)."""

    def _cli(*args, input=None, timeout=60):
        return run_redis_cli(server.port, *args, input=input, timeout=timeout,
                             password=server.password)

    return _cli
