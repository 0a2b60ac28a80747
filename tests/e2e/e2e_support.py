"""Client-side helpers for the e2e suite: a minimal RESP2/RESP3 client with exact replies,
and a raw-socket exchange helper. Imported by conftest.py and by the test modules."""

import shutil
import socket
import subprocess
import threading
import time

# --------------------------------------------------------------------------------------------
# A minimal RESP2/RESP3 client that returns replies exactly as they come off the wire.
#   simple string  -> str            bulk string -> bytes        null / nil -> None
#   integer        -> int            array       -> list         error      -> ReplyError
#   RESP3: map -> dict (list of pairs if a key is unhashable), set -> set (list if unhashable),
#          double -> float, boolean -> bool, big number -> int, verbatim -> bytes (without the
#          "txt:" prefix), push -> list; attributes are skipped.
# Simple strings and bulk strings are therefore distinguishable: "OK" vs b"OK".
# --------------------------------------------------------------------------------------------

class ReplyError(Exception):
    """An error reply; .message is the full text without the leading '-' ('ERR syntax error')."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __eq__(self, other):
        return isinstance(other, ReplyError) and other.message == self.message

    def __hash__(self):
        return hash(self.message)

    def __repr__(self):
        return f"ReplyError({self.message!r})"


class ConnectionClosed(Exception):
    pass


def encode_command(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, (bytes, bytearray, memoryview)):
            b = bytes(a)
        elif isinstance(a, str):
            b = a.encode()
        elif isinstance(a, (int, float)):
            b = repr(a).encode() if isinstance(a, float) else str(a).encode()
        else:
            raise TypeError(f"cannot encode {a!r}")
        parts.append(b"$%d\r\n" % len(b))
        parts.append(b)
        parts.append(b"\r\n")
    return b"".join(parts)


class RespConn:
    def __init__(self, port, host="127.0.0.1", timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.closed = False

    # ---- low level -----------------------------------------------------------------------
    def settimeout(self, t):
        self.sock.settimeout(t)

    def send_raw(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            self.closed = True
            raise ConnectionClosed("connection closed by server")
        self.buf += chunk

    def read_line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[:i + 2]
                return line
            self._fill()

    def read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read_bytes_available(self, timeout=0.5):
        """Whatever arrives within `timeout` (plus what is buffered)."""
        old = self.sock.gettimeout()
        self.sock.settimeout(timeout)
        try:
            while True:
                self._fill()
        except (socket.timeout, ConnectionClosed, ConnectionResetError):
            pass
        finally:
            self.sock.settimeout(old)
        out = bytes(self.buf)
        self.buf.clear()
        return out

    def wait_closed(self, timeout=5.0):
        """True if the server closes the connection within `timeout` (buffered data is dropped)."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.sock.settimeout(left)
                chunk = self.sock.recv(65536)
                if not chunk:
                    self.closed = True
                    return True
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError):
            self.closed = True
            return True

    # ---- replies -------------------------------------------------------------------------
    def read_reply(self):
        line = self.read_line()
        if not line:
            raise ValueError("empty reply line")
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode("utf-8", "surrogateescape")
        if t == b"-":
            return ReplyError(rest.decode("utf-8", "surrogateescape"))
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.read_exact(n + 2)
            assert data[-2:] == b"\r\n", data[-10:]
            return data[:-2]
        if t in (b"*", b">"):
            n = int(rest)
            if n < 0:
                return None
            return [self.read_reply() for _ in range(n)]
        if t == b"_":
            return None
        if t == b"%":
            pairs = [(self.read_reply(), self.read_reply()) for _ in range(int(rest))]
            try:
                return dict(pairs)
            except TypeError:
                return pairs
        if t == b"~":
            items = [self.read_reply() for _ in range(int(rest))]
            try:
                return set(items)
            except TypeError:
                return items
        if t == b",":
            s = rest.decode()
            return float({"inf": "inf", "-inf": "-inf"}.get(s, s))
        if t == b"#":
            return rest == b"t"
        if t == b"(":
            return int(rest)
        if t == b"=":
            data = self.read_exact(int(rest) + 2)[:-2]
            return data[4:]
        if t == b"!":
            data = self.read_exact(int(rest) + 2)[:-2]
            return ReplyError(data.decode("utf-8", "surrogateescape"))
        if t == b"|":
            for _ in range(int(rest)):
                self.read_reply()
                self.read_reply()
            return self.read_reply()
        raise ValueError(f"unexpected reply type: {line[:80]!r}")

    def send(self, *args):
        self.send_raw(encode_command(*args))

    def call(self, *args):
        """Send one command and return its reply; an error reply raises ReplyError."""
        self.send(*args)
        rep = self.read_reply()
        if isinstance(rep, ReplyError):
            raise rep
        return rep

    def err(self, *args):
        """Send one command that must fail; return the full error text ('ERR ...')."""
        self.send(*args)
        rep = self.read_reply()
        assert isinstance(rep, ReplyError), f"expected an error for {args!r}, got {rep!r}"
        return rep.message

    def pipeline(self, commands):
        """Send all commands in one write, then read one reply per command (errors not raised)."""
        self.send_raw(b"".join(encode_command(*c) for c in commands))
        return [self.read_reply() for _ in commands]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def exchange_until_close(host, port, data, timeout=10, done=None):
    """Sends `data` on a fresh connection to host:port and reads until the server closes it,
    nothing arrives for `timeout` seconds, or done(received) says enough. Returns
    (received, closed)."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return out, True
                out += chunk
                if done is not None and done(out):
                    return out, False
        except ConnectionResetError:
            return out, True
        except socket.timeout:
            return out, False


def raw_exchange(port, data, timeout=0.5, expect_close=False, want=None):
    """Send `data` on a fresh connection and return (reply_bytes, closed).

    Reads until the server closes the connection or no data arrives for `timeout` seconds.
    With want=N, stops waiting once N bytes arrived (then lingers 50 ms for anything extra).
    With expect_close=True, waits up to 5 s for the server to close the connection."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s.sendall(data)
        out = bytearray()
        closed = False
        deadline = time.monotonic() + 30.0
        while time.monotonic() < deadline:
            if want is not None and len(out) >= want and not expect_close:
                wait = 0.05
            else:
                wait = 5.0 if (expect_close or want is not None) else timeout
            s.settimeout(wait)
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            out += chunk
        return bytes(out), closed
    finally:
        s.close()


def run_redis_cli(port, *args, input=None, timeout=60, password=None):
    exe = shutil.which("redis-cli") or "/usr/bin/redis-cli"
    cmd = [exe, "-h", "127.0.0.1", "-p", str(port)]
    if password is not None:
        cmd += ["-a", password, "--no-auth-warning"]
    cmd += [str(a) for a in args]
    return subprocess.run(cmd, input=input, capture_output=True, timeout=timeout)


def proc_field(pid, name, label, column):
    """The integer in whitespace-separated `column` of the line of /proc/PID/NAME that starts
    with `label`."""
    with open(f"/proc/{pid}/{name}") as f:
        for line in f:
            if line.startswith(label):
                return int(line.split()[column])
    raise AssertionError(f"no {label!r} in /proc/{pid}/{name}")


def vm_rss_kb(pid):
    """The resident set size of process `pid` in KiB (VmRSS from /proc)."""
    return proc_field(pid, "status", "VmRSS:", 1)


def read_while_writing(server, read, write, rounds):
    """Calls read(client) over and over on one connection while write(client, i) runs for i in
    1..rounds-1 on another (with two workers, on the other worker). Returns how many reads ran."""
    stop = threading.Event()
    reads = [0]

    def reader():
        c = server.client()
        while not stop.is_set():
            read(c)
            reads[0] += 1
        c.close()

    t = threading.Thread(target=reader)
    t.start()
    w = server.client()
    try:
        for i in range(1, rounds):
            write(w, i)
    finally:
        stop.set()
        t.join()
        w.close()
    return reads[0]
