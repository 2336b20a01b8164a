"""Findings 14.3 (lockout bypass by parallel requests) and 14.4 (throttle ignores the proxy; anyone can lock
any account).

14.3 runs a real threaded HTTP server on loopback over the test database (SQLite file or PostgreSQL) and
fires parallel wrong passwords at one account: no more than LOGIN_MAX_FAILURES of them may reach the
password check. 14.4: behind TRUSTED_PROXIES reverse proxies the client address comes from X-Forwarded-For
(and is ignored without them); failures lock an account for the failing address only; strangers guessing
from many addresses slow down new addresses, never the owner's known one.
"""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from app import create_app
from app.auth.models import LoginAttempt
from app.extensions import db
from tests.helpers import PASSWORD


def _token_request(base, username, password):
    req = urllib.request.Request(f"{base}/api/auth/tokens", method="POST",
                                 data=json.dumps({"username": username, "password": password}).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.fixture
def live_server(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_parallel_wrong_passwords_never_exceed_the_limit(app, make_user, live_server):
    make_user(roles=["supervisor"], username="racer")
    limit = app.config["LOGIN_MAX_FAILURES"]
    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(lambda _: _token_request(live_server, "racer", "wrong-password"), range(40)))
    # Exactly `limit` passwords were checked; every other request was refused before the check.
    assert codes.count(401) == limit - 1 and codes.count(423) == len(codes) - (limit - 1), codes
    with app.app_context():
        outcomes = [a.outcome for a in db.session.scalars(
            select(LoginAttempt).where(LoginAttempt.username == "racer"))]
    assert outcomes.count("bad_password") == limit, outcomes
    # ... and the right password from that address is refused too while the lock holds.
    assert _token_request(live_server, "racer", PASSWORD) == 423


def _client(app, addr, proxy=None):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = proxy or addr
    if proxy:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = addr
    return client


def _login(client, username, password):
    return client.post("/api/auth/tokens", json={"username": username, "password": password}).status_code


@pytest.fixture
def proxied_app(app_config, app):
    return create_app({**app_config, "TRUSTED_PROXIES": 1})


def test_behind_a_trusted_proxy_each_client_is_throttled_on_its_own_address(proxied_app, make_user):
    make_user(roles=["supervisor"], username="owner")
    limit = proxied_app.config["LOGIN_MAX_FAILURES"]
    attacker = _client(proxied_app, "203.0.113.9", proxy="10.0.0.1")
    for _ in range(limit):
        _login(attacker, "owner", "guess")
    assert _login(attacker, "owner", PASSWORD) == 423
    # The owner, behind the same proxy, from their own address: not locked out.
    assert _login(_client(proxied_app, "198.51.100.7", proxy="10.0.0.1"), "owner", PASSWORD) == 201
    with proxied_app.app_context():
        ips = {a.ip for a in db.session.scalars(select(LoginAttempt))}
    assert ips == {"203.0.113.9", "198.51.100.7"}


def test_without_trusted_proxies_forwarded_headers_are_ignored(app, make_user):
    make_user(roles=["supervisor"], username="owner")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for i in range(limit):
        # A client forging a new X-Forwarded-For each time does not escape its own address's lock.
        _login(_client(app, f"192.0.2.{i}", proxy="203.0.113.9"), "owner", "guess")
    assert _login(_client(app, "192.0.2.99", proxy="203.0.113.9"), "owner", PASSWORD) == 423


def test_a_stranger_cannot_lock_out_the_owner(app, make_user, monkeypatch):
    # A minute's base delay, so that a slow machine cannot let the delay run out between two requests.
    monkeypatch.setitem(app.config, "LOGIN_BASE_DELAY_SECONDS", 60)
    make_user(roles=["supervisor"], username="owner")
    owner = _client(app, "198.51.100.7")
    assert _login(owner, "owner", PASSWORD) == 201  # the owner's known address
    # Strangers guess from many addresses, more than enough for every lock and delay.
    for i in range(app.config["LOGIN_ACCOUNT_DELAY_AFTER"] + 6):
        _login(_client(app, f"203.0.113.{i}"), "owner", "guess")
    assert _login(owner, "owner", PASSWORD) == 201
    # A new address is slowed down (a delay in seconds, 429), not locked for good.
    resp = _client(app, "192.0.2.200").post("/api/auth/tokens", json={"username": "owner", "password": PASSWORD})
    assert resp.status_code == 429 and "秒后再试" in resp.get_json()["message"]
