"""Process handling shared by the application scenarios in this directory.

Each scenario is a plain script that starts its own basalt-server (or, for cross-checking,
Debian's redis-server) on a free port with a temporary directory, drives a real application
against it and exits non-zero with a message when anything is wrong. Every process a scenario
starts is stopped by its PID (a whole process group for the application workers), also when
the scenario fails.

Environment:
    BASALT_SERVER       path to basalt-server (required unless BASALT_APP_TARGET=redis)
    BASALT_APP_TARGET   "basalt" (default) or "redis": run the same scenario against
                        /usr/bin/redis-server (with an AOF, appendfsync always, so the restart
                        and kill -9 parts mean the same thing there)
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

import redis

TARGET = os.environ.get("BASALT_APP_TARGET", "basalt").strip().lower()
if TARGET not in ("basalt", "redis"):
    raise SystemExit(f"BASALT_APP_TARGET must be 'basalt' or 'redis', not {TARGET!r}")
IS_REDIS = TARGET == "redis"
REDIS_SERVER = os.environ.get("BASALT_APP_REDIS_SERVER", "/usr/bin/redis-server")


class ScenarioFailure(Exception):
    pass


def check(cond, message):
    """Fail the scenario loudly (a plain assert would vanish under python -O)."""
    if not cond:
        raise ScenarioFailure(message)


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_binary():
    if IS_REDIS:
        return REDIS_SERVER
    path = os.environ.get("BASALT_SERVER", "")
    if not (path and os.path.isfile(path) and os.access(path, os.X_OK)):
        raise SystemExit(f"BASALT_SERVER={path!r} is not an executable basalt-server")
    return os.path.abspath(path)


class Server:
    """One database server process on a fixed port and directory; restartable in place."""

    def __init__(self, workdir, extra=(), basalt_extra=()):
        self.dir = os.path.join(workdir, "db")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.extra = list(extra) + ([] if IS_REDIS else list(basalt_extra))
        self.proc = None
        self.log_path = os.path.join(workdir, "server-output.log")

    def command_line(self):
        base = [_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", self.dir]
        if IS_REDIS:
            base += ["--save", "", "--appendonly", "yes", "--appendfsync", "always"]
        return base + self.extra

    def url(self, db=0):
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db=0, **kw):
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, **kw)

    def start(self, deadline=15.0):
        check(self.proc is None or self.proc.poll() is not None, "server already running")
        with open(self.log_path, "ab") as out:
            out.write(("\n=== start: %s\n" % " ".join(self.command_line())).encode())
            out.flush()
            self.proc = subprocess.Popen(self.command_line(), stdout=out,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         cwd=self.dir, start_new_session=True)
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise ScenarioFailure(f"server exited at start-up with code "
                                      f"{self.proc.returncode}\n{self.log_tail()}")
            try:
                if self.client(socket_timeout=1).ping():
                    return self
            except redis.exceptions.RedisError:
                pass
            time.sleep(0.05)
        raise ScenarioFailure(f"server did not answer PING in {deadline}s\n{self.log_tail()}")

    def stop(self, timeout=20.0):
        """SIGTERM and wait (SIGKILL if it hangs); returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            raise ScenarioFailure(f"server ignored SIGTERM for {timeout}s\n{self.log_tail()}")

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def restart_graceful(self):
        code = self.stop()
        check(code == 0, f"server exited with code {code} on SIGTERM\n{self.log_tail()}")
        return self.start()

    def restart_after_kill9(self):
        self.kill9()
        return self.start()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read()[-20000:]
        except OSError:
            return "<no server output>"
        text = "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])
        return f"--- server output (tail) ---\n{text}"


class Child:
    """An application process (Celery worker, Flask server) in its own process group."""

    def __init__(self, name, argv, workdir, env=None, cwd=None):
        self.name = name
        self.argv = argv
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.env = env
        self.cwd = cwd
        self.proc = None

    def start(self):
        with open(self.log_path, "ab") as out:
            out.write(("\n=== start: %s\n" % " ".join(self.argv)).encode())
            out.flush()
            self.proc = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=self.env, cwd=self.cwd,
                                         start_new_session=True)
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=30.0):
        """Signal the main process, wait, then SIGKILL whatever is left of its group."""
        if self.proc is None:
            return None
        pgid = self.proc.pid  # start_new_session: the group id is the leader's pid
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.proc.poll() is None:
            self.proc.wait(10)
        return self.proc.returncode

    def log_tail(self, lines=60):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read()[-40000:]
        except OSError:
            return f"<no {self.name} output>"
        text = "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])
        return f"--- {self.name} output (tail) ---\n{text}"


def run_scenario(name, body):
    """Run body(workdir, cleanup) in a fresh temporary directory. body registers stop
    callbacks with cleanup.append(fn); they run in reverse order whatever happens. Exits the
    process with 0 on success, 1 on failure (printing the failure and the logs' tails)."""
    workdir = tempfile.mkdtemp(prefix=f"basalt-{name}-")
    cleanup = []
    started = time.monotonic()
    log(f"{name}: target {TARGET}, work dir {workdir}")
    ok = False
    try:
        body(workdir, cleanup)
        ok = True
    except ScenarioFailure as e:
        print(f"FAILED: {name}: {e}", file=sys.stderr, flush=True)
    except Exception:
        traceback.print_exc()
    finally:
        for fn in reversed(cleanup):
            try:
                fn()
            except Exception as e:  # keep stopping the rest
                print(f"cleanup: {e!r}", file=sys.stderr, flush=True)
    elapsed = time.monotonic() - started
    if ok:
        log(f"{name}: PASSED in {elapsed:.1f}s")
        shutil.rmtree(workdir, ignore_errors=True)
        sys.exit(0)
    log(f"{name}: FAILED after {elapsed:.1f}s (logs kept in {workdir})")
    sys.exit(1)
