"""The web application of the app_flask_sessions scenario: a small Flask site whose sessions
live server-side in Basalt (redis-py). The cookie carries only a random session id; the data
is a JSON value under `session:<id>` with a TTL that every request renews (sliding expiry).

Run: /usr/bin/python3 flask_app.py --port HTTP_PORT --redis-port PORT --ttl SECONDS
Routes: POST /login (user, password), GET /private, POST /logout, GET /health.
"""

import argparse
import json
import secrets

import redis
from flask import Flask, request
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict
from werkzeug.serving import make_server

COOKIE = "sid"


class ServerSideSession(CallbackDict, SessionMixin):
    def __init__(self, initial=None, sid=None, new=False):
        def on_update(_):
            self.modified = True
        super().__init__(initial, on_update)
        self.sid = sid
        self.new = new
        self.modified = False


class RedisSessionInterface(SessionInterface):
    """Sessions as `session:<id>` keys with a TTL of `ttl` seconds, renewed on each request."""

    def __init__(self, client, ttl):
        self.client = client
        self.ttl = ttl

    @staticmethod
    def key(sid):
        return f"session:{sid}"

    def open_session(self, app, req):
        sid = req.cookies.get(COOKIE)
        if sid:
            raw = self.client.get(self.key(sid))
            if raw is not None:
                return ServerSideSession(json.loads(raw), sid=sid)
        return ServerSideSession(sid=secrets.token_urlsafe(24), new=True)

    def save_session(self, app, session, response):
        key = self.key(session.sid)
        if not session:
            if session.modified:  # logged out: the data goes, and so does the cookie
                self.client.delete(key)
                response.delete_cookie(COOKIE)
            return
        if session.modified:
            self.client.setex(key, self.ttl, json.dumps(dict(session)))
        elif not self.client.expire(key, self.ttl):  # sliding expiry on every access
            return  # expired between open and save: do not hand out a dead id
        response.set_cookie(COOKIE, session.sid, max_age=self.ttl, httponly=True,
                            samesite="Lax")


def create_app(client, ttl):
    app = Flask(__name__)
    app.session_interface = RedisSessionInterface(client, ttl)

    @app.post("/login")
    def login():
        from flask import session
        user = request.form.get("user", "")
        if not user or request.form.get("password") != f"pw-{user}":
            return "bad credentials\n", 403
        session.clear()
        session["user"] = user
        session["visits"] = 0
        return f"welcome {user}\n"

    @app.get("/private")
    def private():
        from flask import session
        if "user" not in session:
            return "please log in\n", 401
        session["visits"] = session.get("visits", 0) + 1
        return f"hello {session['user']}, visit {session['visits']}\n"

    @app.post("/logout")
    def logout():
        from flask import session
        session.clear()
        return "bye\n"

    @app.get("/health")
    def health():
        return "ok\n"

    return app


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--redis-port", type=int, required=True)
    ap.add_argument("--ttl", type=int, required=True)
    args = ap.parse_args()
    client = redis.Redis(host="127.0.0.1", port=args.redis_port, socket_timeout=10)
    server = make_server("127.0.0.1", args.port, create_app(client, args.ttl), threaded=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
