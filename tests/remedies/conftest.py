"""Remedies fixtures: a decided case (2025-09-30) whose publication is public, from tests/publicity."""
from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from tests.publicity.conftest import *  # noqa: F401,F403  (decided, token, post_form, case fixtures)


@pytest.fixture
def published(app, decided):
    """A decided case whose publication the head approved on 2025-10-09: ids of everything."""

    def build(status="decided", **kw):
        from app.auth.models import User
        from publicity import services as pub_services
        from publicity.models import Publication

        ids = decided(status, **kw)
        with app.app_context():
            pub = db.session.get(Publication, ids["pub_id"])
            pub_services.approve(pub, actor=db.session.get(User, ids["head"]), on=date(2025, 10, 9))
            db.session.commit()
        return ids

    return build
