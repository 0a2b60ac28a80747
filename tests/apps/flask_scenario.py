"""app_flask_sessions: a Flask site keeping its sessions server-side in Basalt with TTLs.

Two instances of flask_app.py run as real HTTP servers: one with a long session TTL, one with
a 2-second TTL. Through real HTTP requests: a login survives a graceful restart of Basalt and
a kill -9 right after the login's write; a session's TTL survives restarts; logout deletes
the key; sliding expiry keeps an active session alive past its TTL; an idle session expires
(the page asks to log in again and the key is gone, also from DBSIZE without being read), also
while Basalt is down.

Run: BASALT_SERVER=path/to/basalt-server /usr/bin/python3 flask_scenario.py
     BASALT_APP_TARGET=redis /usr/bin/python3 flask_scenario.py   (the same against Redis)
"""

import http.client
import os
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from app_support import Child, Server, check, free_port, log, run_scenario  # noqa: E402

LONG_TTL = 600
SHORT_TTL = 2


class Browser:
    """An HTTP client with one cookie (the session id), like a browser tab."""

    def __init__(self, port):
        self.port = port
        self.sid = None

    def request(self, method, path, form=None):
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        if self.sid:
            headers["Cookie"] = f"sid={self.sid}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode()
            for header, value in resp.getheaders():
                if header.lower() == "set-cookie" and value.startswith("sid="):
                    cookie = value.split(";", 1)[0][len("sid="):]
                    expired = "expires=thu, 01 jan 1970" in value.lower() or cookie == ""
                    self.sid = None if expired else cookie
            return resp.status, text
        finally:
            conn.close()

    def login(self, user, password=None):
        return self.request("POST", "/login",
                            {"user": user, "password": password or f"pw-{user}"})

    def page(self):
        return self.request("GET", "/private")


def start_app(workdir, cleanup, name, redis_port, ttl):
    port = free_port()
    child = Child(name, [sys.executable, os.path.join(HERE, "flask_app.py"), "--port", str(port),
                         "--redis-port", str(redis_port), "--ttl", str(ttl)], workdir).start()
    cleanup.append(child.stop)
    end = time.monotonic() + 30
    while time.monotonic() < end:
        check(child.alive(), f"{name} exited\n{child.log_tail()}")
        try:
            if Browser(port).request("GET", "/health")[0] == 200:
                return port, child
        except OSError:
            pass
        time.sleep(0.1)
    check(False, f"{name} did not answer in 30s\n{child.log_tail()}")


def expect_page(browser, user, what):
    status, text = browser.page()
    check(status == 200 and text.startswith(f"hello {user}"),
          f"{what}: protected page gave {status} {text!r}, want hello {user}")


def expect_login_page(browser, what):
    status, text = browser.page()
    check(status == 401 and "please log in" in text,
          f"{what}: protected page gave {status} {text!r}, want 401 please log in")


def wait_until(pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.1)
    check(False, f"{what} (waited {timeout}s)")


def body(workdir, cleanup):
    srv = Server(workdir).start()
    cleanup.append(srv.kill9)
    db = srv.client()
    long_port, _ = start_app(workdir, cleanup, "flask-long", srv.port, LONG_TTL)
    short_port, _ = start_app(workdir, cleanup, "flask-short", srv.port, SHORT_TTL)

    # Logging in: the cookie holds only an id; the data is in the database with a TTL.
    alice = Browser(long_port)
    expect_login_page(alice, "before login")
    status, _ = alice.login("alice", "wrong")
    check(status == 403, f"a wrong password gave {status}")
    check(db.keys("session:*") == [], f"a failed login stored {db.keys('session:*')}")
    status, text = alice.login("alice")
    check(status == 200 and alice.sid, f"login gave {status} {text!r}, cookie {alice.sid!r}")
    check("alice" not in alice.sid, "the cookie carries the user name")
    key = f"session:{alice.sid}"
    check(db.exists(key) == 1, f"{key} missing after login")
    ttl = db.ttl(key)
    check(0 < ttl <= LONG_TTL, f"TTL of {key} is {ttl}, want 1..{LONG_TTL}")
    expect_page(alice, "alice", "after login")

    # Graceful restart (SIGTERM).
    srv.restart_graceful()
    expect_page(alice, "alice", "after a graceful restart")
    log("login survived a graceful restart")

    # kill -9 right after a write: the acknowledged login must be there after the restart.
    bob = Browser(long_port)
    status, _ = bob.login("bob")
    check(status == 200 and bob.sid, f"bob's login gave {status}")
    srv.restart_after_kill9()
    db = srv.client()
    expect_page(bob, "bob", "after kill -9 right after the login")
    expect_page(alice, "alice", "after kill -9")
    ttl = db.ttl(f"session:{bob.sid}")
    check(0 < ttl <= LONG_TTL, f"bob's TTL after kill -9 is {ttl}, want 1..{LONG_TTL}")
    log("logins survived kill -9")

    # Logout deletes the key; the old cookie no longer works.
    old = alice.sid
    status, _ = alice.request("POST", "/logout")
    check(status == 200, f"logout gave {status}")
    check(db.exists(f"session:{old}") == 0, "logout left the session key")
    alice.sid = old
    expect_login_page(alice, "old cookie after logout")

    # Sliding expiry: a session used every 0.6 s lives well past its 2 s TTL.
    carol = Browser(short_port)
    status, _ = carol.login("carol")
    check(status == 200, f"carol's login gave {status}")
    ckey = f"session:{carol.sid}"
    started = time.monotonic()
    rounds = 0
    while time.monotonic() - started < 3 * SHORT_TTL:
        time.sleep(0.6)
        rounds += 1
        if rounds % 2:  # the page changes the session (SETEX)
            expect_page(carol, "carol", "sliding expiry")
        else:  # a request that only reads it (EXPIRE)
            status, _ = carol.request("GET", "/health")
            check(status == 200 and carol.sid, f"health gave {status}, cookie {carol.sid!r}")
        pttl = db.pttl(ckey)
        check(SHORT_TTL * 1000 - 700 < pttl <= SHORT_TTL * 1000,
              f"TTL not renewed on access: {pttl} ms")
    log("sliding expiry renewed the TTL on every access")

    # An idle session expires: the key disappears without being read (DBSIZE drops: active
    # expiry), then the page asks to log in again.
    dave = Browser(short_port)
    status, _ = dave.login("dave")
    check(status == 200, f"dave's login gave {status}")
    dkey = f"session:{dave.sid}"
    before = db.dbsize()
    check(before >= 3, f"DBSIZE {before} with bob's, carol's and dave's sessions")
    wait_until(lambda: db.dbsize() == before - 2, 10 + SHORT_TTL,
               f"carol's and dave's idle sessions were not expired (DBSIZE {db.dbsize()}, "
               f"was {before})")
    check(db.exists(dkey) == 0 and db.exists(ckey) == 0, "an expired session key exists")
    expect_login_page(dave, "idle session after its TTL")
    expect_login_page(carol, "carol's idle session after its TTL")
    check(db.exists(f"session:{bob.sid}") == 1, "bob's long session vanished")
    log("idle sessions expired")

    # A session whose TTL runs out while the database is down is gone after the restart.
    erin = Browser(short_port)
    status, _ = erin.login("erin")
    check(status == 200, f"erin's login gave {status}")
    srv.kill9()
    time.sleep(SHORT_TTL + 0.5)
    srv.start()
    db = srv.client()
    check(db.exists(f"session:{erin.sid}") == 0, "a session expired during downtime exists")
    expect_login_page(erin, "session expired while the database was down")
    expect_page(bob, "bob", "bob after the last restart")
    log("a session expired during downtime is gone")
    code = srv.stop()
    check(code == 0, f"server exited with code {code} on SIGTERM\n{srv.log_tail()}")


if __name__ == "__main__":
    run_scenario("app_flask_sessions", body)
