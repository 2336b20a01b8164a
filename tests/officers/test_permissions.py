"""Role × endpoint matrix for the officers feature, declared in one table.

Roles: anonymous, officer, reviewer and head of agency A (whose officer is the subject), head of agency B,
supervisor and admin (city-wide). API calls use bearer tokens, pages use a logged-in session (with CSRF).
"""
import pytest

from app.extensions import db
from app.officers.models import Certificate

ROLES = ["anonymous", "officer", "reviewer", "head", "other_head", "supervisor", "admin"]

# (method, url template, json body or None, expected status per role in ROLES order)
MANAGE = lambda ok: [401, 403, 403, 403, 403, ok, ok]  # noqa: E731
VIEW = lambda ok: [401, 403, 403, ok, 403, ok, ok]  # noqa: E731 (object-level: other agency's head refused)
LIST = lambda ok: [401, 403, 403, ok, ok, ok, ok]  # noqa: E731 (the list is filtered, not refused)
PUBLIC = [200] * 7

TABLE = [
    # pages
    ("GET", "/officers/", None, LIST(200)),
    ("GET", "/officers/{officer}", None, VIEW(200)),
    ("GET", "/officers/{officer}/photo", None, VIEW(200)),
    ("GET", "/officers/new", None, MANAGE(200)),
    ("GET", "/officers/{officer}/edit", None, MANAGE(200)),
    ("GET", "/officers/{officer}/certificates/new", None, MANAGE(200)),
    ("POST", "/officers/certificates/{cert}/suspend", {"on": "{today}", "reason": "测试"}, MANAGE(302)),
    ("GET", "/officers/certificates/{cert}/card", None, MANAGE(200)),
    ("GET", "/officers/import", None, MANAGE(200)),
    ("GET", "/officers/export.xlsx", None, LIST(200)),
    # API
    ("GET", "/api/officers/", None, LIST(200)),
    ("POST", "/api/officers/", {"name": "刘洋", "agency_id": "{agency}", "employment_type": "established"},
     MANAGE(201)),
    ("GET", "/api/officers/{officer}", None, VIEW(200)),
    ("PATCH", "/api/officers/{officer}", {"qualification_number": "A1", "qualification_date": "2020-01-01"},
     MANAGE(200)),
    ("POST", "/api/officers/{officer}/certificates",
     {"number": "X-NEW", "categories": ["城市管理"], "area_code": "220681", "issued_on": "{today}",
      "expires_on": "2099-12-31"}, MANAGE(201)),
    ("GET", "/api/officers/{officer}/check", None, VIEW(200)),
    ("POST", "/api/officers/check-team", {"officer_ids": ["{officer}"]}, VIEW(200)),
    ("GET", "/api/officers/certificates", None, LIST(200)),
    ("GET", "/api/officers/certificates/{cert}", None, VIEW(200)),
    ("POST", "/api/officers/certificates/{cert}/events", {"action": "suspend", "on": "{today}", "reason": "测试"},
     MANAGE(201)),
    ("POST", "/api/officers/import", None, MANAGE(422)),  # allowed, but no file: 422
    ("GET", "/api/officers/export.xlsx", None, LIST(200)),
    ("GET", "/api/officers/kpi", None, LIST(200)),
    # public
    ("GET", "/verify/{token}", None, PUBLIC),
    ("GET", "/verify/{token}/qr.png", None, PUBLIC),
    ("GET", "/verify/{token}/qr.svg", None, PUBLIC),
    ("GET", "/verify/{token}/photo", None, PUBLIC),
    ("GET", "/public/officers", None, PUBLIC),
    ("GET", "/public/api/officers", None, PUBLIC),
    ("GET", "/public/api/certificates/{token}", None, PUBLIC),
]

CASES = [pytest.param(method, url, body, role, expected[i], id=f"{method} {url} {role}")
         for method, url, body, expected in TABLE for i, role in enumerate(ROLES)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def _fill(value, ids):
    if isinstance(value, str):
        out = value.format(**ids)
        return int(out) if value in ("{officer}", "{agency}") else out
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("method, url, body, role, expected", CASES)
def test_matrix(app, client, world, make_officer, login_as, csrf_token, bearer, method, url, body, role,
                expected):
    from app.timeutil import today_china

    officer_id, cert_id = make_officer(world.agency_a, name="王强", photo=PNG)
    with app.app_context():
        token = db.session.get(Certificate, cert_id).public_token
    ids = {"officer": officer_id, "cert": cert_id, "token": token, "agency": world.agency_a,
           "today": today_china().isoformat()}
    url = url.format(**ids)
    body = _fill(body, ids)
    user_id = {"officer": world.officer_a, "reviewer": world.reviewer_a, "head": world.head_a,
               "other_head": world.head_b, "supervisor": world.supervisor, "admin": world.admin}.get(role)
    kwargs = {}
    if url.startswith("/api/"):
        if user_id:
            kwargs["headers"] = bearer(user_id)
        if body is not None:
            kwargs["json"] = body
    else:
        if user_id:
            login_as(client, user_id)
        if method == "POST":
            data = dict(body or {})
            if user_id:
                data["csrf_token"] = csrf_token(client, "/")
            kwargs["data"] = data
    resp = client.open(url, method=method, **kwargs)
    assert resp.status_code == expected, resp.get_data(as_text=True)[:500]
