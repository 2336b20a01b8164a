"""Findings 14.13 (CSRF skipped for any Bearer header), 14.14 (a session cookie still works after logout)
and 14.10 (open redirect after login): the session and what it lets a browser do.

Logins go through the real login form; cookies are replayed on a fresh client as an attacker who copied
them would.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.auth.models import ApiToken, UserSession
from app.extensions import db
from tests.helpers import PASSWORD, bearer, extract_csrf


def form_login(client, username, next_url=None):
    token = extract_csrf(client.get("/login").get_data(as_text=True))
    return client.post("/login" + (f"?next={next_url}" if next_url else ""),
                       data={"csrf_token": token, "username": username, "password": PASSWORD})


def session_cookie(client, app):
    return client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session")).value


def replay(app, cookie):
    other = app.test_client()
    other.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), cookie)
    return other


# --- 14.14: server-side sessions -------------------------------------------------------------------------

def test_a_copied_session_cookie_is_worthless_after_logout(app, client, make_user):
    make_user(roles=["supervisor"], username="sv")
    assert form_login(client, "sv").status_code == 302
    cookie = session_cookie(client, app)
    assert replay(app, cookie).get("/api/auth/me").status_code == 200
    token = extract_csrf(client.get("/account/tokens").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert replay(app, cookie).get("/api/auth/me").status_code == 401
    assert replay(app, cookie).get("/account/tokens").status_code in (302, 401)  # not the page
    with app.app_context():
        assert db.session.scalar(select(func.count(UserSession.id))) == 0


def test_the_session_id_rotates_at_login_and_a_password_change_ends_every_session(app, make_user):
    uid = make_user(roles=["supervisor"], username="sv")
    first, second = app.test_client(), app.test_client()
    form_login(first, "sv")
    form_login(second, "sv")
    with first.session_transaction() as s1, second.session_transaction() as s2:
        assert s1["sid"] and s2["sid"] and s1["sid"] != s2["sid"]
    with app.app_context():
        assert db.session.scalar(select(func.count(UserSession.id)).where(UserSession.user_id == uid)) == 2
        from app.auth.models import User
        from app.auth.services import set_password

        set_password(db.session.get(User, uid), "another-password-1")
        db.session.commit()
    assert first.get("/api/auth/me").status_code == 401 and second.get("/api/auth/me").status_code == 401


# --- 14.13: CSRF and bearer tokens -----------------------------------------------------------------------

@pytest.fixture
def logged_in_with_token(app, client, make_user, login_as):
    uid = make_user(roles=["supervisor"], username="sv")
    with app.app_context():
        from app.auth.models import User
        from app.auth.services import issue_token

        raw, token = issue_token(db.session.get(User, uid), "device")
        db.session.commit()
        token_id = token.id
    login_as(client, uid)
    return raw, token_id


def _revoked(app, token_id):
    with app.app_context():
        return db.session.get(ApiToken, token_id).revoked_at is not None


def test_a_junk_bearer_header_beside_a_session_cookie_does_not_skip_csrf(app, client, logged_in_with_token):
    _, token_id = logged_in_with_token
    resp = client.delete(f"/api/auth/tokens/{token_id}", headers=bearer("junk"))
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert not _revoked(app, token_id)


def test_a_valid_bearer_beside_a_cookie_session_acts_as_the_token_alone(app, client, logged_in_with_token,
                                                                         make_user, login_as):
    raw, token_id = logged_in_with_token
    other = make_user(roles=["admin"], username="cookie_user")
    login_as(client, other)  # the cookie says "cookie_user"; the token is "sv"'s
    assert client.get("/api/auth/me", headers=bearer(raw)).get_json()["username"] == "sv"
    assert client.get("/api/auth/me").get_json()["username"] == "cookie_user"
    assert client.delete(f"/api/auth/tokens/{token_id}", headers=bearer(raw)).status_code == 200
    assert _revoked(app, token_id)


def test_a_valid_bearer_without_a_cookie_session_needs_no_csrf(app, logged_in_with_token):
    raw, token_id = logged_in_with_token
    device = app.test_client()  # no cookies at all
    assert device.delete(f"/api/auth/tokens/{token_id}", headers=bearer(raw)).status_code == 200
    assert _revoked(app, token_id)


# --- 14.10: where the login sends the browser ------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "/%09/evil.example", "/%0a/evil.example", "/%0d/evil.example", "//evil.example", "/\\evil.example",
    "/%5cevil.example", "https://evil.example/", "/%09%09/evil.example", "%2f%2fevil.example",
    "/%00/evil.example", "javascript:alert(1)", " //evil.example",
])
def test_login_never_redirects_off_site(app, make_user, target):
    make_user(roles=["supervisor"], username="sv")
    resp = form_login(app.test_client(), "sv", next_url=target)
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert "evil" not in location and "javascript" not in location, location


def test_login_returns_to_a_same_site_path(app, make_user):
    make_user(roles=["supervisor"], username="sv")
    resp = form_login(app.test_client(), "sv", next_url="/cases?status=open")
    assert resp.headers["Location"].endswith("/cases?status=open")


# The same class beyond the login: every form that says where to return (recordings' link form).
from tests.recordings.conftest import _jobs_off, av_case, token_for, upload_single  # noqa: E402,F401


@pytest.mark.parametrize("target", ["//evil.example", "/\t/evil.example", "/\\evil.example", "https://evil.example/"])
def test_a_forms_return_address_never_leaves_the_site(app, av_case, token_for, media_files, login_as, target):
    resp = upload_single(app.test_client(), bearer(token_for(av_case.officer_id)), media_files.video,
                         case_id=av_case.case_id)
    assert resp.status_code == 201, resp.get_json()
    rid = resp.get_json()["id"]
    client = login_as(app.test_client(), av_case.officer_id)
    page = f"/cases/{av_case.case_id}/steps/{av_case.step_id}/recordings"
    csrf = extract_csrf(client.get(page).get_data(as_text=True))
    resp = client.post(f"/recordings/{rid}/link", data={"csrf_token": csrf, "step_id": av_case.step_id,
                                                        "next": target})
    assert resp.status_code == 302
    assert "evil" not in resp.headers["Location"], resp.headers["Location"]
    resp = client.post(f"/recordings/{rid}/link", data={"csrf_token": csrf, "step_id": av_case.step_id,
                                                        "next": page})
    assert resp.headers["Location"].endswith(page)
