"""Complainants under the personal-information mechanism (PIPL Art 6, 19, 44-45, 51), and the supervision
hierarchy in the case visibility rule (SPEC §14: a county office's supervisor reads only its agencies)."""
from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from tests.supervision.conftest import _fresh_rate_limits, bearer, tree, user  # noqa: F401 (fixtures)


def _refused_complaint(app, tree):
    from supervision.services import complaints

    data = {"agency_id": tree.a1, "subject": "执法人员未出示证件", "content": "检查时未出示执法证件。",
            "complainant_name": "李明", "complainant_phone": "13904350001", "complainant_address": "临江市建国街1号"}
    with app.app_context():
        c = complaints.submit(data, channel="letter", actor=user(tree.sk1), on=date(2026, 11, 2)).complaint
        complaints.refuse(c, reason="投诉事项已进入行政复议程序，不属于执法监督受理范围", on=date(2026, 11, 3),
                          actor=user(tree.sk1))
        db.session.commit()
        return c.id


def _log(app, **where):
    from app.privacy.models import PersonalDataAccess

    with app.app_context():
        stmt = select(PersonalDataAccess).order_by(PersonalDataAccess.id)
        for k, v in where.items():
            stmt = stmt.where(getattr(PersonalDataAccess, k) == v)
        return [(r.user_id, r.action, r.subject_kind, r.subject_id, r.purpose) for r in db.session.scalars(stmt)]


def test_complainant_views_refusals_lists_right_to_know_and_retention(app, tree):
    complaint_id = _refused_complaint(app, tree)
    client = app.test_client()
    # A list masks the complainant's phone and address, even for the supervisor in scope (the name shown
    # is logged as a view).
    rows = client.get("/api/supervision/complaints", headers=bearer(app, tree.sk1)).get_json()
    row = next(r for r in rows if r["id"] == complaint_id)
    assert row["complainant_phone"] == "139****0001" and row["complainant_address"].endswith("****")
    # The detail shows them to the supervisor in scope, logged; another county's supervisor is refused, logged.
    detail = client.get(f"/api/supervision/complaints/{complaint_id}", headers=bearer(app, tree.sk1)).get_json()
    assert detail["complainant_phone"] == "13904350001"
    assert _log(app, action="view") == [(tree.sk1, "view", "complaint", complaint_id, "complaint")] * 2
    assert client.get(f"/api/supervision/complaints/{complaint_id}",
                      headers=bearer(app, tree.sk2)).status_code == 404
    assert _log(app, action="refused") == [(tree.sk2, "refused", "complaint", complaint_id, "")]

    from app.privacy import services

    with app.app_context():
        subjects, accesses = services.accesses_of_person(name="李明")
        assert subjects == [("complaint", complaint_id, None)]
        assert [a.action for a in accesses] == ["view", "view", "refused"]
        days = app.config["PERSONAL_DATA_NON_PARTY_RETENTION_DAYS"]
        on = date(2026, 11, 3) + timedelta(days=days)
        assert services.purge_expired(today=on - timedelta(days=1))["supervision.complainants"] == []
        assert services.purge_expired(today=on)["supervision.complainants"] == [("complaint", complaint_id, None)]
        db.session.commit()
        from supervision.models.complaints import Complaint

        c = db.session.get(Complaint, complaint_id)
        assert (c.complainant_name, c.complainant_phone, c.complainant_address) == ("（已匿名化）", "", "")
        assert c.content == "检查时未出示执法证件。"  # the complaint itself stays


def test_a_county_supervisor_reads_only_the_cases_under_their_office(app, tree, make_case, login_as):
    """SPEC §14 through `app.auth.scope`: the province and the city read a county's agency's case, the
    other county's supervisor gets 404 (refusal logged) and does not see it in the list."""
    with app.app_context():
        case_id = make_case(tree.a1).id
    for supervisor, status in ((tree.sp, 200), (tree.sc, 200), (tree.sk1, 200), (tree.sk2, 404)):
        client = app.test_client()
        login_as(client, supervisor)
        assert client.get(f"/api/cases/{case_id}").status_code == status, supervisor
        assert client.get(f"/cases/{case_id}").status_code == status, supervisor
        listed = {c["id"] for c in client.get("/api/cases/").get_json()["items"]}
        assert (case_id in listed) == (status == 200), supervisor
    assert _log(app, action="refused", user_id=tree.sk2) == [
        (tree.sk2, "refused", "case", case_id, ""), (tree.sk2, "refused", "case", case_id, "")]
