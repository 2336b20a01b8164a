"""Fixtures for the officers feature: a small world of agencies and accounts, an officer factory that goes
through the services (so the ledger sees everything), and bearer tokens for the API."""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.timeutil import today_china


@pytest.fixture
def world(app, make_agency, make_user, monkeypatch):
    # These tests log in through the session or tokens, never with the password: skip scrypt's cost.
    from functools import partial

    from werkzeug.security import generate_password_hash

    monkeypatch.setattr("app.auth.services.generate_password_hash",
                        partial(generate_password_hash, method="pbkdf2:sha256:1"))
    a = make_agency(name="临江市城市管理行政执法局", short_name="市城管执法局", categories=("城市管理", "住建"))
    b = make_agency(name="临江市市场监督管理局", short_name="市市场监管局", categories=("市场监管",))
    return SimpleNamespace(
        agency_a=a.id, agency_b=b.id,
        supervisor=make_user(roles=["supervisor"], username="jiandu", full_name="孙立华"),
        admin=make_user(roles=["admin"], username="admin", full_name="管理员"),
        head_a=make_user(roles=["head"], agency=a, username="head_a", full_name="陈建中"),
        head_b=make_user(roles=["head"], agency=b, username="head_b", full_name="冯国栋"),
        officer_a=make_user(roles=["officer"], agency=a, username="cg_wangqiang", full_name="王强"),
        reviewer_a=make_user(roles=["reviewer"], agency=a, username="cg_zhaomin", full_name="赵敏"),
    )


@pytest.fixture
def make_officer(app):
    """Create an officer (and by default a valid certificate issued today) through the services.

    Returns (officer_id, certificate_id or None).
    """
    from app.auth.models import Agency, User
    from app.officers import services

    counter = iter(range(1, 10000))

    def factory(agency_id, name="王强", employment="established", cert=True, user_id=None, id_number=None,
                qualification_number=None, categories=("城市管理",), area="220681", number=None, photo=None):
        with app.app_context():
            officer = services.create_officer(
                name=name, agency=db.session.get(Agency, agency_id), employment_type=employment,
                id_number=id_number, user=db.session.get(User, user_id) if user_id else None,
                qualification_number=qualification_number,
                qualification_date=today_china() - timedelta(days=400) if qualification_number else None,
                photo=photo)
            cert_id = None
            if employment == "established":  # a passed unified examination: a certificate may be issued
                from app.officers import training

                training.record_examination(officer, {"taken_on": today_china(), "score": 85, "passed": True})
            if cert:
                today = today_china()
                c = services.issue_certificate(officer, number=number or f"2206811{next(counter):04d}",
                                               categories=list(categories), area_code=area, issued_on=today,
                                               expires_on=today + timedelta(days=3 * 365))
                cert_id = c.id
            db.session.commit()
            return officer.id, cert_id

    return factory


@pytest.fixture
def bearer(app):
    """Authorization headers for a user id (a real API token)."""
    from app.auth.models import User
    from app.auth.services import issue_token

    def make(user_id):
        with app.app_context():
            raw, _ = issue_token(db.session.get(User, user_id), "test")
            db.session.commit()
        return {"Authorization": f"Bearer {raw}"}

    return make
