"""Protected mode as in Redis 7.0: with `protected-mode yes` and no password for the default
user, a client from a non-loopback address gets the DENIED error and is disconnected, whatever
the bind addresses are; loopback clients are served. A password or `protected-mode no` (also
through CONFIG SET) lets outside clients in.

The non-loopback client is this machine itself, connecting to the server through its own
non-loopback IPv4 address (found at run time), so the connection's source address is that
address too. Every expectation holds for Debian's redis-server 7.0 (BASALT_E2E_TARGET=redis)."""

import socket
import subprocess

import pytest

from conftest import RespConn
from e2e_support import exchange_until_close

DENIED = (
    b"-DENIED Redis is running in protected mode because protected mode is enabled and no "
    b"password is set for the default user. In this mode connections are only accepted from the "
    b"loopback interface. If you want to connect from external computers to Redis you may adopt "
    b"one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
    b"SET protected-mode no' from the loopback interface by connecting to Redis from the same "
    b"host the server is running, however MAKE SURE Redis is not publicly accessible from "
    b"internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
    b"you can just disable the protected mode by editing the Redis configuration file, and "
    b"setting the protected mode option to 'no', and then restarting the server. 3) If you "
    b"started the server manually just for testing, restart it with the '--protected-mode no' "
    b"option. 4) Setup a an authentication password for the default user. NOTE: You only need "
    b"to do one of the above things in order for the server to start accepting connections from "
    b"the outside.\r\n")


@pytest.fixture(scope="module")
def outside_ip():
    """This machine's first non-loopback IPv4 address."""
    out = subprocess.run(["ip", "-4", "-o", "addr", "show", "scope", "global"],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        fields = line.split()
        if "inet" in fields:
            return fields[fields.index("inet") + 1].split("/")[0]
    pytest.fail("this machine has no non-loopback IPv4 address; the protected-mode tests "
                "need one (`ip -4 addr show scope global` is empty)")


def exchange(ip, port, data=b"PING\r\n"):
    """Sends `data` from a connection to ip:port; returns (everything received, closed)."""
    return exchange_until_close(
        ip, port, data, timeout=5,
        done=lambda out: out.endswith(b"\r\n") and not out.startswith(b"-DENIED"))


def test_outside_client_denied_loopback_served(server_factory, outside_ip):
    # An explicit bind does not lift protection (it did before Redis 7.0).
    srv = server_factory(bind="0.0.0.0")
    with socket.create_connection((outside_ip, srv.port), timeout=5) as s:
        assert s.getsockname()[0] == outside_ip  # the server sees a non-loopback peer
    assert exchange(outside_ip, srv.port) == (DENIED, True)
    assert exchange("127.0.0.1", srv.port) == (b"+PONG\r\n", False)
    with srv.conn() as c:
        assert c.call("CONFIG", "GET", "protected-mode") == [b"protected-mode", b"yes"]


def test_protected_mode_no_serves_outside_clients(server_factory, outside_ip):
    srv = server_factory(bind="0.0.0.0", protected_mode="no")
    assert exchange(outside_ip, srv.port) == (b"+PONG\r\n", False)


def test_password_lets_outside_clients_authenticate(server_factory, outside_ip):
    srv = server_factory(bind="0.0.0.0", requirepass="secret")
    assert exchange(outside_ip, srv.port) == (b"-NOAUTH Authentication required.\r\n", False)
    data = b"AUTH secret\r\nPING\r\n"
    with socket.create_connection((outside_ip, srv.port), timeout=5) as s:
        s.sendall(data)
        got = b""
        while got.count(b"\r\n") < 2:
            chunk = s.recv(1024)
            assert chunk, "closed"
            got += chunk
    assert got == b"+OK\r\n+PONG\r\n"


def test_config_set_at_runtime(server_factory, outside_ip):
    srv = server_factory(bind="0.0.0.0")
    assert exchange(outside_ip, srv.port)[0] == DENIED
    with srv.conn() as c:
        assert c.call("CONFIG", "SET", "protected-mode", "no") == "OK"
        assert exchange(outside_ip, srv.port) == (b"+PONG\r\n", False)
        assert c.call("CONFIG", "SET", "protected-mode", "yes") == "OK"
        assert exchange(outside_ip, srv.port)[0] == DENIED
        assert c.call("CONFIG", "SET", "requirepass", "pw") == "OK"
        assert exchange(outside_ip, srv.port)[0] == b"-NOAUTH Authentication required.\r\n"
        c.call("AUTH", "pw")
        assert c.call("CONFIG", "SET", "requirepass", "") == "OK"
    assert exchange(outside_ip, srv.port)[0] == DENIED

