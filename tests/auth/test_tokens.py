"""Bearer API tokens: issued for a password, stored hashed, revocable, expiring; CSRF does not apply."""
from datetime import timedelta

from sqlalchemy import select

from app.auth.models import ApiToken
from app.extensions import db
from app.timeutil import utcnow
from tests.helpers import PASSWORD


def get_token(client, username, password=PASSWORD, name="执法记录仪DSJ-001"):
    return client.post("/api/auth/tokens", json={"username": username, "password": password, "name": name})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_token_roundtrip_and_only_hash_stored(client, app, make_agency, make_user):
    agency = make_agency()
    make_user(roles=["officer", "reviewer"], agency=agency, username="field1", full_name="郭军")
    resp = get_token(client, "field1")
    assert resp.status_code == 201
    raw = resp.get_json()["token"]
    me = client.get("/api/auth/me", headers=bearer(raw))
    assert me.status_code == 200
    body = me.get_json()
    assert body["username"] == "field1" and body["roles"] == ["officer", "reviewer"]
    assert body["agency"]["id"] == agency.id
    with app.app_context():
        stored = db.session.scalar(select(ApiToken))
        assert raw not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64
        assert stored.last_used_at is not None


def test_wrong_password_gives_no_token(client, make_user):
    make_user(roles=["supervisor"], username="sv")
    resp = get_token(client, "sv", password="wrong-password")
    assert resp.status_code == 401
    assert resp.get_json() == {"error": "invalid_credentials", "message": "用户名或密码错误"}


def test_missing_fields_are_422_with_field_errors(client):
    resp = client.post("/api/auth/tokens", json={"username": "x"})
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["error"] == "validation_error" and "password" in body["details"]["fields"]


def test_no_or_bad_token_is_401_json(client):
    assert client.get("/api/auth/me").status_code == 401
    resp = client.get("/api/auth/me", headers=bearer("sx_not-a-real-token"))
    assert resp.status_code == 401 and resp.get_json()["error"] == "authentication_required"


def test_revoked_token_stops_working(client, make_user):
    make_user(roles=["supervisor"], username="sv")
    issued = get_token(client, "sv").get_json()
    resp = client.delete(f"/api/auth/tokens/{issued['id']}", headers=bearer(issued["token"]))
    assert resp.status_code == 200 and resp.get_json()["revoked_at"]
    assert client.get("/api/auth/me", headers=bearer(issued["token"])).status_code == 401


def test_expired_token_stops_working(client, app, make_user):
    make_user(roles=["supervisor"], username="sv")
    issued = get_token(client, "sv").get_json()
    with app.app_context():
        db.session.get(ApiToken, issued["id"]).expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert client.get("/api/auth/me", headers=bearer(issued["token"])).status_code == 401


def test_cannot_revoke_someone_elses_token(client, make_user):
    make_user(roles=["supervisor"], username="a1")
    make_user(roles=["supervisor"], username="b1")
    a = get_token(client, "a1").get_json()
    b = get_token(client, "b1").get_json()
    resp = client.delete(f"/api/auth/tokens/{a['id']}", headers=bearer(b["token"]))
    assert resp.status_code == 404
    assert client.get("/api/auth/me", headers=bearer(a["token"])).status_code == 200


def test_session_cookie_api_write_needs_csrf_but_bearer_does_not(client, make_user, login_as):
    uid = make_user(roles=["supervisor"], username="sv")
    issued = get_token(client, "sv").get_json()
    login_as(client, uid)
    # Cookie-authenticated unsafe request without a CSRF token: refused.
    resp = client.delete(f"/api/auth/tokens/{issued['id']}")
    assert resp.status_code == 400 and resp.get_json()["error"] == "csrf_failed"
    # The same request with the bearer token: allowed.
    other = client.application.test_client()
    resp = other.delete(f"/api/auth/tokens/{issued['id']}", headers=bearer(issued["token"]))
    assert resp.status_code == 200


def test_tokens_page_issues_and_revokes(client, app, make_user, login_as, csrf_token):
    uid = make_user(roles=["supervisor"])
    login_as(client, uid)
    token = csrf_token(client, "/account/tokens")
    page = client.post("/account/tokens", data={"name": "手机", "csrf_token": token}).get_data(as_text=True)
    assert "只显示这一次" in page and "sx_" in page
    with app.app_context():
        tid = db.session.scalar(select(ApiToken.id))
    resp = client.post(f"/account/tokens/{tid}/revoke", data={"csrf_token": token})
    assert resp.status_code == 302
    assert "已吊销" in client.get("/account/tokens").get_data(as_text=True)
