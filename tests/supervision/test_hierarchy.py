"""The supervision hierarchy: each office sees its own agencies and those of the levels below, never those
above or beside it; supervisors stay read-only on enforcement records."""
import pytest

from app.errors import Conflict, InvalidInput
from app.extensions import db
from tests.supervision.conftest import bearer, user


def test_scope_each_way(app, tree):
    from app.auth.scope import readable_agency_ids as visible_agency_ids

    with app.app_context():
        everything = {tree.a1, tree.a2, tree.a3}
        assert visible_agency_ids(user(tree.sp)) == everything  # province: all below
        assert visible_agency_ids(user(tree.sc)) == everything  # city: its own agency and both counties'
        assert visible_agency_ids(user(tree.sk1)) == {tree.a1}  # county: not the sibling, not the city's
        assert visible_agency_ids(user(tree.sk2)) == {tree.a2}
        assert visible_agency_ids(user(tree.head1)) == {tree.a1}


def test_unplaced_supervisor_sees_all(app, tree, make_user):
    from app.auth.scope import readable_agency_ids as visible_agency_ids

    loose = make_user(roles=("supervisor",))
    with app.app_context():
        assert visible_agency_ids(user(loose)) is None


def test_case_pages_follow_the_hierarchy(app, tree, make_case, login_as):
    case1 = make_case(agency=tree.a1)
    for who, status in ((tree.sk1, 200), (tree.sc, 200), (tree.sp, 200), (tree.sk2, 404), (tree.head2, 404)):
        client = login_as(app.test_client(), who)
        assert client.get(f"/cases/{case1.id}").status_code == status, who
        assert client.get(f"/api/cases/{case1.id}").status_code == status, who
    # Lists: the county supervisor beside it sees none of a1's cases, the one above sees them.
    sibling = login_as(app.test_client(), tree.sk2).get("/api/cases/").get_json()
    above = login_as(app.test_client(), tree.sc).get("/api/cases/").get_json()
    assert case1.id not in [c["id"] for c in sibling["items"]]
    assert case1.id in [c["id"] for c in above["items"]]


def test_supervisors_stay_read_only_on_cases(app, tree, make_case, login_as):
    case1 = make_case(agency=tree.a1)
    resp = app.test_client().post(f"/api/cases/{case1.id}/actions/submit_filing", json={},
                                  headers=bearer(app, tree.sk1))
    assert resp.status_code == 403, resp.get_json()


def test_scope_api(app, tree, login_as):
    body = login_as(app.test_client(), tree.sk1).get("/api/supervision/scope").get_json()
    assert body == {"all": False, "agency_ids": [tree.a1], "office_id": tree.county1}
    offices = login_as(app.test_client(), tree.sc).get("/api/supervision/offices").get_json()
    assert {o["id"] for o in offices} == {tree.city, tree.county1, tree.county2}


def test_office_rules(app, tree):
    from supervision.services import hierarchy

    with app.app_context():
        province = hierarchy.get_office(tree.province)
        city = hierarchy.get_office(tree.city)
        with pytest.raises(InvalidInput, match="上级应为市级"):
            hierarchy.create_office(name="某县司法局", level="county", region_code="220621", parent=province)
        with pytest.raises(InvalidInput, match="不在上级机构"):
            hierarchy.create_office(name="长春某区司法局", level="county", region_code="220102", parent=city)
        with pytest.raises(Conflict):
            hierarchy.create_office(name="白山市司法局", level="city", region_code="220600", parent=province)
        db.session.rollback()


def test_only_provincial_supervisors_and_admins_shape_the_hierarchy(app, tree, login_as, make_user):
    body = {"name": "抚松县司法局", "level": "county", "region_code": "220621", "parent_id": tree.city}
    county = app.test_client().post("/api/supervision/offices", json=body, headers=bearer(app, tree.sk1))
    assert county.status_code == 403
    made = app.test_client().post("/api/supervision/offices", json=body, headers=bearer(app, tree.sp))
    assert made.status_code == 201, made.get_json()
    office_id = made.get_json()["id"]
    admin = make_user(roles=("admin",))
    moved = app.test_client().post(f"/api/supervision/offices/{office_id}/agencies", json={"agency_id": tree.a2},
                                   headers=bearer(app, admin))
    assert moved.status_code == 200
    from app.auth.scope import readable_agency_ids as visible_agency_ids

    with app.app_context():
        assert visible_agency_ids(user(tree.sk2)) == set()  # a2 moved away from 浑江
        assert tree.a2 in visible_agency_ids(user(tree.sc))  # still below the city
