"""Supervision fixtures: a three-level hierarchy with agencies and supervisors at each level."""
from dataclasses import dataclass

import pytest

from app.extensions import db
from tests.cases.conftest import (cases_agency, case_at, head_of, make_case, make_case_user, make_matter,  # noqa: F401
                                  make_officer)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    """Rate-limit counters live in the app (memory://); each test starts with none used."""
    from app.extensions import limiter

    limiter.reset()
    yield


@dataclass
class Tree:
    province: int
    city: int
    county1: int
    county2: int
    a1: int  # agency under county1 (临江)
    a2: int  # agency under county2 (浑江)
    a3: int  # agency under the city directly
    sp: int  # supervisor of the province
    sc: int  # supervisor of the city
    sk1: int  # supervisor of county1
    sk2: int  # supervisor of county2
    head1: int  # head of a1
    head2: int  # head of a2


@pytest.fixture
def tree(app, make_agency, make_user):
    from app.auth.models import Agency, User
    from supervision.services import hierarchy

    a1 = make_agency(name="临江市城市管理行政执法局", region_code="220681", doc_prefix="临城管")
    a2 = make_agency(name="浑江区城市管理行政执法局", region_code="220602", doc_prefix="浑城管")
    a3 = make_agency(name="白山市交通运输局", region_code="220600", doc_prefix="白交", categories=("交通运输",))
    users = {k: make_user(roles=("supervisor",), full_name=n) for k, n in
             (("sp", "省厅监督"), ("sc", "市局监督"), ("sk1", "临江监督"), ("sk2", "浑江监督"))}
    head1 = make_user(roles=("head",), agency=a1, full_name="陈局长")
    head2 = make_user(roles=("head",), agency=a2, full_name="刘局长")
    with app.app_context():
        p = hierarchy.create_office(name="吉林省司法厅", level="province", region_code="220000")
        c = hierarchy.create_office(name="白山市司法局", level="city", region_code="220600", parent=p)
        k1 = hierarchy.create_office(name="临江市司法局", level="county", region_code="220681", parent=c)
        k2 = hierarchy.create_office(name="浑江区司法局", level="county", region_code="220602", parent=c)
        for office, agency in ((k1, a1), (k2, a2), (c, a3)):
            hierarchy.assign_agency(office, db.session.get(Agency, agency.id))
        for office, key in ((p, "sp"), (c, "sc"), (k1, "sk1"), (k2, "sk2")):
            hierarchy.add_member(office, db.session.get(User, users[key]))
        db.session.commit()
        return Tree(p.id, c.id, k1.id, k2.id, a1.id, a2.id, a3.id, users["sp"], users["sc"], users["sk1"],
                    users["sk2"], head1, head2)


def user(user_id):
    from app.auth.models import User

    return db.session.get(User, user_id)


def bearer(app, user_id) -> dict:
    """Authorization header of a fresh API token of the user (the JSON API needs no CSRF token then)."""
    from app.auth.services import issue_token

    with app.app_context():
        raw, _ = issue_token(user(user_id), "test")
        db.session.commit()
    return {"Authorization": f"Bearer {raw}"}
