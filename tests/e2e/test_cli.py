"""The stock Redis tools against the server: redis-cli (plain, --raw, --no-raw, -n, -x, --pipe)
and redis-benchmark. Checked against redis-server 7.0.15."""

import shutil
import subprocess

import pytest

from e2e_support import encode_command

pytestmark = pytest.mark.skipif(shutil.which("redis-cli") is None, reason="redis-cli not installed")


def test_cli_set_get(cli, r):
    out = cli("SET", "greeting", "hello world")
    assert (out.returncode, out.stdout) == (0, b"OK\n")
    assert r.get("greeting") == b"hello world"
    out = cli("GET", "greeting")
    assert (out.returncode, out.stdout) == (0, b"hello world\n")


def test_cli_raw_output(cli):
    cli("SET", "a", "b")
    cli("SET", "tab", "x\ty")
    assert cli("--raw", "GET", "a").stdout == b"b\n"
    assert cli("--raw", "GET", "nosuch").stdout == b"\n"
    assert cli("--raw", "INCR", "n").stdout == b"1\n"
    assert cli("--raw", "MGET", "a", "nosuch", "n").stdout == b"b\n\n1\n"
    assert cli("--raw", "GET", "tab").stdout == b"x\ty\n"


def test_cli_formatted_output(cli):
    cli("SET", "a", "b")
    cli("SET", "tab", "x\ty")
    cli("SET", "e", "")
    assert cli("--no-raw", "GET", "a").stdout == b'"b"\n'
    assert cli("--no-raw", "GET", "nosuch").stdout == b"(nil)\n"
    assert cli("--no-raw", "GET", "e").stdout == b'""\n'
    assert cli("--no-raw", "INCR", "n").stdout == b"(integer) 1\n"
    assert cli("--no-raw", "MGET", "a", "nosuch", "n").stdout == b'1) "b"\n2) (nil)\n3) "1"\n'
    assert cli("--no-raw", "GET", "tab").stdout == b'"x\\ty"\n'
    assert cli("--no-raw", "KEYS", "zz*").stdout == b"(empty array)\n"
    assert cli("--no-raw", "PING").stdout == b"PONG\n"
    assert cli("--no-raw", "MGET").stdout == (
        b"(error) ERR wrong number of arguments for 'mget' command\n")


def test_cli_error_output(cli):
    out = cli("NOSUCHCMD", "x")
    assert out.returncode == 0
    # in raw mode (stdout is not a tty) redis-cli adds an empty line after an error
    assert out.stdout == b"ERR unknown command 'NOSUCHCMD', with args beginning with: 'x' \n\n"


def test_cli_db_option_and_stdin(cli, r):
    assert cli("-n", 2, "SET", "in2", "v").stdout == b"OK\n"
    assert cli("-n", 2, "DBSIZE").stdout == b"1\n"
    assert r.exists("in2") == 0
    assert cli("-x", "SET", "fromstdin", input=b"line1\nline2\n").stdout == b"OK\n"
    assert r.get("fromstdin") == b"line1\nline2\n"


def test_cli_commands_from_stdin(cli):
    out = cli(input=b"SET a 1\nGET a\nINCR a\n")
    assert (out.returncode, out.stdout) == (0, b"OK\n1\n2\n")


def test_cli_pipe_10000_sets(cli, r, tmp_path):
    n = 10000
    path = tmp_path / "mass-insert.resp"
    with open(path, "wb") as f:
        for i in range(n):
            f.write(encode_command("SET", f"pipe:{i}", f"value-{i}"))
    with open(path, "rb") as f:
        out = cli("--pipe", input=f.read(), timeout=120)
    assert out.returncode == 0, out.stderr
    assert b"errors: 0, replies: 10000" in out.stdout, out.stdout
    assert r.dbsize() == n
    assert r.get("pipe:0") == b"value-0"
    assert r.get("pipe:9999") == b"value-9999"
    assert cli("DBSIZE").stdout == b"10000\n"


def test_cli_pipe_reports_errors(cli, r):
    data = encode_command("SET", "a", "1") + encode_command("INCR", "a") + encode_command("GET")
    out = cli("--pipe", input=data)
    assert out.returncode == 1  # redis-cli --pipe exits 1 when any reply was an error
    assert b"errors: 1, replies: 3" in out.stdout, out.stdout
    assert b"ERR wrong number of arguments for 'get' command" in out.stdout + out.stderr
    assert r.get("a") == b"2"


@pytest.mark.skipif(shutil.which("redis-benchmark") is None, reason="redis-benchmark missing")
def test_redis_benchmark_set_get(server, r):
    cmd = [shutil.which("redis-benchmark"), "-h", "127.0.0.1", "-p", str(server.port),
           "-t", "set,get", "-n", "2000", "-q"]
    if server.password is not None:
        cmd += ["-a", server.password]
    out = subprocess.run(cmd, capture_output=True, timeout=120)
    text = (out.stdout + out.stderr).decode("utf-8", "replace")
    assert out.returncode == 0, text
    lines = text.replace("\r", "\n").splitlines()
    final = [ln.strip() for ln in lines if "requests per second" in ln]
    assert any(ln.startswith("SET: ") for ln in final), text
    assert any(ln.startswith("GET: ") for ln in final), text
    assert "ERR" not in text and "Error" not in text, text
    assert "WARNING" not in text, text  # e.g. "Could not fetch server CONFIG"
    assert r.strlen("key:__rand_int__") == 3  # default 3-byte payload
