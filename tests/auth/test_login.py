"""Login, logout, lockout and throttling through the real HTML form (CSRF on)."""
from sqlalchemy import select

from app.auth.models import LoginAttempt, User
from app.extensions import db
from tests.helpers import PASSWORD


def post_login(client, csrf_token, username, password):
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def test_login_then_home_then_logout(client, make_agency, make_user, csrf_token):
    agency = make_agency(name="临江市城市管理行政执法局")
    make_user(roles=["officer"], agency=agency, username="wang", full_name="王强")
    resp = post_login(client, csrf_token, "wang", PASSWORD)
    assert resp.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "王强" in home and "临江市城市管理行政执法局" in home and "执法人员" in home
    token = csrf_token(client, "/")
    resp = client.post("/logout", data={"csrf_token": token})
    assert resp.status_code == 302
    assert client.get("/").headers["Location"].endswith("/login")


def test_wrong_password_is_refused_with_a_clear_message(client, make_user, csrf_token):
    make_user(roles=["supervisor"], username="jd")
    resp = post_login(client, csrf_token, "jd", "not-the-password")
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still anonymous


def test_unknown_user_gets_the_same_message(client, csrf_token, app):
    resp = post_login(client, csrf_token, "nobody", "whatever-123")
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.get_data(as_text=True)


def test_lockout_after_repeated_failures_even_with_the_right_password(client, app, make_user, csrf_token):
    make_user(roles=["supervisor"], username="jd")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        assert post_login(client, csrf_token, "jd", "bad-password").status_code == 401
    resp = post_login(client, csrf_token, "jd", "bad-password")
    assert resp.status_code == 423
    assert "账户已锁定" in resp.get_data(as_text=True)
    resp = post_login(client, csrf_token, "jd", PASSWORD)
    assert resp.status_code == 423, "a locked account must not log in with the right password"
    with app.app_context():
        # The lock holds for this account from this address only (tests/security/test_login_throttle.py).
        attempts = db.session.scalars(select(LoginAttempt).where(LoginAttempt.username == "jd")).all()
        assert len(attempts) == limit + 1 and not any(a.succeeded for a in attempts)
        assert [a.outcome for a in attempts] == ["bad_password"] * limit + ["throttled"]


def test_lockout_expires(client, app, make_user, csrf_token):
    from datetime import timedelta

    from app.timeutil import utcnow

    uid = make_user(roles=["supervisor"], username="jd")
    with app.app_context():
        user = db.session.get(User, uid)
        user.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert post_login(client, csrf_token, "jd", PASSWORD).status_code == 302


def test_address_is_throttled_across_usernames(client, app, csrf_token):
    app.config["LOGIN_IP_MAX_FAILURES"], saved = 3, app.config["LOGIN_IP_MAX_FAILURES"]
    try:
        for i in range(3):
            assert post_login(client, csrf_token, f"guess{i}", "x-password").status_code == 401
        resp = post_login(client, csrf_token, "guess9", "x-password")
        assert resp.status_code == 429
        assert "登录失败次数过多" in resp.get_data(as_text=True)
    finally:
        app.config["LOGIN_IP_MAX_FAILURES"] = saved


def test_login_without_csrf_token_is_refused(client, make_user):
    make_user(roles=["supervisor"], username="jd")
    client.get("/login")
    resp = client.post("/login", data={"username": "jd", "password": PASSWORD})
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert "CSRF" in body and "Traceback" not in body
    assert client.get("/").status_code == 302


def test_disabled_account_cannot_log_in(client, app, make_user, csrf_token):
    uid = make_user(roles=["supervisor"], username="jd")
    with app.app_context():
        db.session.get(User, uid).is_enabled = False
        db.session.commit()
    resp = post_login(client, csrf_token, "jd", PASSWORD)
    assert resp.status_code == 401 and "账户已停用" in resp.get_data(as_text=True)


def test_open_redirect_is_not_followed(client, make_user, csrf_token):
    make_user(roles=["supervisor"], username="jd")
    token = csrf_token(client)
    resp = client.post("/login?next=//evil.example/x",
                       data={"username": "jd", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302 and "evil" not in resp.headers["Location"]
