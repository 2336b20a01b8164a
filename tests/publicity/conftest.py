"""Publicity fixtures: the case fixtures of tests/cases (officers, matters, `case_at`) plus a decided case
with its publication, bearer tokens, and a CSRF-aware poster for the staff pages."""
from __future__ import annotations

import pytest

from app.extensions import db
from tests.cases.conftest import *  # noqa: F401,F403  (make_officer, make_matter, make_case, case_at, head_of…)
from tests.cases.conftest import officer_user
from tests.helpers import bearer, extract_csrf


@pytest.fixture
def token(app):
    def get(user_id):
        from app.auth.models import User
        from app.auth.services import issue_token

        with app.app_context():
            raw, _ = issue_token(db.session.get(User, user_id), "pytest")
            db.session.commit()
        return bearer(raw)

    return get


@pytest.fixture
def decided(app, case_at, head_of):
    """A case decided on 2025-09-30 (1,000 yuan fine on 张三) and its publication: ids of everything."""

    def build(status="decided", **kw):
        from publicity.models import Publication
        from sqlalchemy import select

        with app.app_context():
            case = case_at(status, **kw)
            pub = db.session.scalar(select(Publication).where(Publication.case_id == case.id))
            return {"case_id": case.id, "pub_id": pub.id if pub else None, "agency_id": case.agency_id,
                    "officer": officer_user(case).id, "head": head_of(case.agency_id).id}

    return build


@pytest.fixture
def post_form(login_as):
    """POST a staff form as `user_id`, with the CSRF token of the page that holds the form."""

    def post(client, user_id, page, url, data=None):
        login_as(client, user_id)
        token = extract_csrf(client.get(page).get_data(as_text=True))
        return client.post(url, data={"csrf_token": token, **(data or {})})

    return post
