"""Limits under load, as Redis 7.0 enforces them: 10,000 connections held at once, maxclients,
the `normal` client output buffer limit against a client that sends but never reads (with the
server's memory staying bounded), oversized queries, the query buffer limit, and the idle
`timeout` sparing subscribers, monitors and blocked clients.

Every expectation holds for Debian's redis-server 7.0 too (BASALT_E2E_TARGET=redis)."""

import resource
import selectors
import socket
import threading
import time

import pytest

from conftest import RespConn
from e2e_support import exchange_until_close, proc_field, vm_rss_kb

CONNECTIONS = 10_000


def fd_soft_limit(pid):
    return proc_field(pid, "limits", "Max open files", 3)


@pytest.fixture
def many_fds():
    """Lets this process hold more than CONNECTIONS sockets (we run as root on CI: the hard limit
    may be raised too). Restores the old limits afterwards."""
    old = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = CONNECTIONS + 1000
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(old[0], want), max(old[1], want)))
    except (ValueError, OSError) as e:
        pytest.fail(f"cannot raise RLIMIT_NOFILE to {want} (run as root or raise the hard "
                    f"limit): {e}")
    yield old
    resource.setrlimit(resource.RLIMIT_NOFILE, old)


def start_with_low_fd_limit(server_factory, old, **options):
    """Starts a server whose inherited soft descriptor limit is 1024: it must raise its own."""
    cur, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))
    try:
        return server_factory(**options)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (cur, hard))


def ping_all(socks, timeout=120.0):
    """Sends PING on every socket and waits for every +PONG."""
    sel = selectors.DefaultSelector()
    pending = {}
    for s in socks:
        s.sendall(b"PING\r\n")
        sel.register(s, selectors.EVENT_READ)
        pending[s] = b""
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1.0):
            s = key.fileobj
            data = s.recv(64)
            assert data, "a held connection was closed"
            pending[s] += data
            if pending[s] == b"+PONG\r\n":
                del pending[s]
                sel.unregister(s)
            else:
                assert b"+PONG\r\n".startswith(pending[s]), pending[s]
    sel.close()
    assert not pending, f"{len(pending)} connections did not answer PING"


def test_ten_thousand_connections_held(server_factory, many_fds):
    srv = start_with_low_fd_limit(server_factory, many_fds)
    # Like Redis, the server raised its descriptor limit to fit maxclients (10000 by default).
    assert fd_soft_limit(srv.pid) >= CONNECTIONS + 32
    socks = []
    try:
        for i in range(CONNECTIONS):
            socks.append(socket.create_connection(("127.0.0.1", srv.port), timeout=30))
            if len(socks) % 1000 == 0:
                ping_all(socks[-1000:])
        time.sleep(0.5)
        with srv.conn() as c:  # the 10,001st client is over maxclients
            with pytest.raises(Exception, match="max number of clients reached"):
                c.call("PING")
        ping_all(socks)  # all still held and served
    finally:
        for s in socks:
            s.close()
    connect_when_a_slot_is_free(srv, timeout=30).close()  # works on once they are gone


def connect_when_a_slot_is_free(srv, timeout=5.0):
    """A connection that answered PING; retried while the server has not yet seen an earlier
    client's close (the start-up probe's, for one)."""
    deadline = time.monotonic() + timeout
    while True:
        c = srv.conn()
        try:
            assert c.call("PING") == "PONG"
            return c
        except Exception:
            c.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_maxclients_refuses_the_next_client(server_factory):
    srv = server_factory(maxclients=3)
    held = [connect_when_a_slot_is_free(srv) for _ in range(3)]
    try:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
            data = b""
            while True:
                chunk = s.recv(1024)
                if not chunk:
                    break
                data += chunk
        assert data == b"-ERR max number of clients reached\r\n"
        held.pop().close()
        held.append(connect_when_a_slot_is_free(srv))  # the freed slot is usable again
    finally:
        for c in held:
            c.close()


def test_normal_output_buffer_limit_closes_a_client_that_never_reads(server_factory):
    srv = server_factory(client_output_buffer_limit="normal 1mb 512kb 5")
    value = b"v" * 100_000
    with srv.conn() as c:
        assert c.call("SET", "big", value) == "OK"
        base_rss = vm_rss_kb(srv.pid)
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", srv.port))
        s.settimeout(30)
        gets = 3000  # 300 MB of replies if the server kept them all
        peak = [base_rss]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], vm_rss_kb(srv.pid))
                time.sleep(0.01)

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            try:
                s.sendall(b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * gets)
            except (BrokenPipeError, ConnectionResetError):
                pass  # closed while we were still sending: fine
            # The server has closed it: after the bytes already in flight, EOF.
            received = 0
            closed = False
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    chunk = s.recv(1 << 20)
                except ConnectionResetError:
                    closed = True
                    break
                if not chunk:
                    closed = True
                    break
                received += len(chunk)
            assert closed, "the client over its output limit was not disconnected"
            assert received < gets * len(value) // 2
        finally:
            done.set()
            sampler.join()
            s.close()
        # Bounded: nowhere near the 300 MB the replies would take.
        assert peak[0] - base_rss < 100_000, f"RSS grew by {peak[0] - base_rss} kB"
        assert c.call("PING") == "PONG"
        assert c.call("STRLEN", "big") == len(value)


def test_normal_limit_off_by_default_serves_a_slow_reader(server_factory):
    srv = server_factory()
    value = b"v" * 100_000
    with srv.conn() as c:
        assert c.call("SET", "big", value) == "OK"
        c.send_raw(b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * 100)
        time.sleep(0.5)  # the replies pile up in the server while we do not read
        for _ in range(100):
            assert c.read_reply() == value


# --------------------------------------------------------------------------- oversized queries

@pytest.mark.parametrize("data,error", [
    (b"x" * (64 * 1024 + 100), b"-ERR Protocol error: too big inline request\r\n"),
    (b"*2147483648\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
    (b"*1\r\n$536870913\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
])
def test_oversized_query_is_refused_and_closed(server, data, error):
    assert exchange_until_close("127.0.0.1", server.port, data) == (error, True)


def test_large_multibulk_count_is_accepted(server):
    # Redis 7.0 takes counts up to INT_MAX: a million-argument header waits for its arguments.
    with server.conn() as c:
        c.send_raw(b"*1048577\r\n$4\r\nPING\r\n")
        assert c.read_bytes_available(0.3) == b""
        assert not c.closed


def test_bulk_over_configured_proto_max_bulk_len(server_factory):
    srv = server_factory(proto_max_bulk_len="1mb")
    data = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n"
    assert exchange_until_close("127.0.0.1", srv.port, data) == (
        b"-ERR Protocol error: invalid bulk length\r\n", True)
    with srv.conn() as c:  # exactly the limit is fine
        assert c.call("SET", "k", b"a" * (1 << 20)) == "OK"


def test_query_buffer_limit_closes_without_reply(server_factory):
    srv = server_factory(client_query_buffer_limit="1mb")
    big = b"a" * (3 << 20)
    data = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n" % len(big) + big + b"\r\n"
    assert exchange_until_close("127.0.0.1", srv.port, data) == (b"", True)
    with srv.conn() as c:
        assert c.call("EXISTS", "k") == 0
        assert c.call("SET", "k", b"b" * 500_000) == "OK"  # under the limit: served


# --------------------------------------------------------------------------- idle timeout

def test_timeout_spares_subscribers_monitors_and_blocked_clients(server_factory):
    srv = server_factory(timeout=1)
    with srv.conn() as idle, srv.conn() as sub, srv.conn() as mon, srv.conn() as blocked:
        assert idle.call("PING") == "PONG"
        assert sub.call("SUBSCRIBE", "ch") == [b"subscribe", b"ch", 1]
        assert mon.call("MONITOR") == "OK"
        blocked.send("BLPOP", "q", 0)
        assert idle.wait_closed(5.0), "idle client not closed"
        time.sleep(1.5)  # well past the timeout for the others too
        pusher = srv.conn()
        assert pusher.call("RPUSH", "q", "x") == 1
        assert blocked.read_reply() == [b"q", b"x"]
        assert sub.call("PING") == [b"pong", b""]
        assert pusher.call("PUBLISH", "ch", "m") == 1
        assert sub.read_reply() == [b"message", b"ch", b"m"]
        assert '"BLPOP" "q" "0"' in mon.read_reply()
        assert '"RPUSH" "q" "x"' in mon.read_reply()
        pusher.close()
