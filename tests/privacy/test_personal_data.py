"""Minimisation, the explicit "show" with a purpose, and the access log of personal data (PIPL Art 5, 6,
44-45, 51, 55): masked by default, unmasked and logged for the roles the act at hand needs, refusals logged
in their own transaction, the supervisor's report and a person's right-to-know answer built from the log."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.cases.conftest import officer_user

ID_MASK = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")


@pytest.fixture
def world(app, major_case, approve_case, make_reviewer, head_of, make_officer, make_user, make_agency):
    """A major case of agency A reviewed by `reviewer`; a colleague officer of A not on it; a second reviewer
    of A who did not take it; a supervisor; an officer of agency B."""
    with app.app_context():
        case = major_case("notified")
        reviewer = make_reviewer(case.agency_id)
        approve_case(case, reviewer)
        from cases.models import Case

        case = db.session.get(Case, case.id)
        party = case.parties[0]
        users = {
            "officer": officer_user(case).id, "head": head_of(case.agency_id).id, "reviewer": reviewer.id,
            "colleague": make_officer(case.agency_id).user.id,
            "other_reviewer": make_reviewer(case.agency_id).id,
            "supervisor": make_user(roles=("supervisor",)),
            "officer_b": make_officer(make_agency(name="另一执法局", doc_prefix="另城管")).user.id,
        }
        return {"case_id": case.id, "party_id": party.id, "id_number": party.id_number, "phone": party.phone,
                "address": party.address, "agency_id": case.agency_id, "document_id": case.documents[0].id}, users


class _Bearer:
    """A test client that sends the user's bearer token (API writes with a session cookie need CSRF)."""

    def __init__(self, client, headers):
        self.client, self.headers = client, headers

    def __getattr__(self, name):
        method = getattr(self.client, name)
        if name not in ("get", "post", "put", "patch", "delete"):
            return method
        return lambda url, **kw: method(url, headers={**self.headers, **kw.pop("headers", {})}, **kw) \
            if url.startswith("/api/") else method(url, **kw)


@pytest.fixture
def client_of(app, login_as, bearer_of):
    def make(_app, _login_as, user_id):
        client = app.test_client()
        login_as(client, user_id)
        return _Bearer(client, bearer_of(user_id))

    return make


def log_rows(app, **where):
    from app.privacy.models import PersonalDataAccess

    with app.app_context():
        stmt = select(PersonalDataAccess).order_by(PersonalDataAccess.id)
        for key, value in where.items():
            stmt = stmt.where(getattr(PersonalDataAccess, key) == value)
        return [{"user_id": r.user_id, "action": r.action, "subject_kind": r.subject_kind,
                 "subject_id": r.subject_id, "case_id": r.case_id, "purpose": r.purpose,
                 "purpose_note": r.purpose_note, "channel": r.channel, "fields": r.fields}
                for r in db.session.scalars(stmt)]


def test_masked_for_readers_who_do_not_handle_the_case(app, world, login_as, client_of):
    ids, users = world
    for role in ("colleague", "other_reviewer", "supervisor"):
        client = client_of(app, login_as, users[role])
        body = client.get(f"/api/cases/{ids['case_id']}").get_json()
        party = body["parties"][0]
        assert ID_MASK.match(party["id_number"]) and party["id_number"] != ids["id_number"], role
        assert party["phone"] == ids["phone"][:3] + "****" + ids["phone"][-4:], role
        assert party["address"].endswith("****") and party["address"] != ids["address"], role
        assert party["masked"] is True
        page = client.get(f"/cases/{ids['case_id']}").get_data(as_text=True)
        assert ids["id_number"] not in page and ids["phone"] not in page, role
        assert "显示完整信息" in page, role
        assert log_rows(app, user_id=users[role], action="view") == [], role


def test_unmasked_for_the_handling_roles_and_every_view_logged(app, world, login_as, client_of):
    ids, users = world
    for role in ("officer", "head", "reviewer"):
        client = client_of(app, login_as, users[role])
        party = client.get(f"/api/cases/{ids['case_id']}").get_json()["parties"][0]
        assert (party["id_number"], party["phone"], party["address"]) == (ids["id_number"], ids["phone"],
                                                                         ids["address"]), role
        assert party["masked"] is False
        page = client.get(f"/cases/{ids['case_id']}").get_data(as_text=True)
        assert ids["id_number"] in page, role
        rows = log_rows(app, user_id=users[role], action="view")
        assert [(r["subject_kind"], r["subject_id"], r["purpose"], r["channel"]) for r in rows] == [
            ("party", ids["party_id"], "handling", "api"), ("party", ids["party_id"], "handling", "web")], role
        assert set(rows[0]["fields"]) == {"id_number", "phone", "address"}


def test_lists_never_carry_personal_data(app, world, login_as, client_of):
    ids, users = world
    for role in ("officer", "head", "reviewer", "colleague", "supervisor"):
        client = client_of(app, login_as, users[role])
        for url in ("/api/cases/", "/cases", "/api/cases/deadlines", "/", "/api/reviews/"):
            body = client.get(url).get_data(as_text=True)
            assert ids["id_number"] not in body and ids["phone"] not in body, (role, url)


def test_show_needs_a_purpose_and_is_logged(app, world, login_as, client_of):
    ids, users = world
    client = client_of(app, login_as, users["supervisor"])
    url = f"/api/cases/{ids['case_id']}/parties/{ids['party_id']}/disclosure"
    refused = client.post(url, json={"purpose": "curiosity", "note": ""})
    assert refused.status_code == 422
    assert set(refused.get_json()["details"]["fields"]) == {"purpose", "note"}
    assert log_rows(app, action="reveal") == []
    shown = client.post(url, json={"purpose": "evaluation", "note": "2026年度案卷评查第3号"})
    assert shown.status_code == 200
    assert shown.get_json()["id_number"] == ids["id_number"] and shown.get_json()["masked"] is False
    [row] = log_rows(app, action="reveal")
    assert row == {"user_id": users["supervisor"], "action": "reveal", "subject_kind": "party",
                   "subject_id": ids["party_id"], "case_id": ids["case_id"], "purpose": "evaluation",
                   "purpose_note": "2026年度案卷评查第3号", "channel": "api",
                   "fields": ["id_number", "phone", "address"]}
    # Shown once, for that answer: the next read is masked again.
    again = client.get(f"/api/cases/{ids['case_id']}").get_json()["parties"][0]
    assert again["id_number"] != ids["id_number"]
    # The purposes are listed for clients.
    codes = {p["code"] for p in client.get("/api/cases/disclosure-purposes").get_json()}
    assert "evaluation" in codes and "handling" not in codes


def test_show_through_the_web_page(app, world, login_as, client_of, csrf_token):
    ids, users = world
    client = client_of(app, login_as, users["colleague"])
    token = csrf_token(client, f"/cases/{ids['case_id']}")
    url = f"/cases/{ids['case_id']}/personal-data"
    bad = client.post(url, data={"csrf_token": token, "kind": "party", "record_id": ids["party_id"],
                                 "purpose": "service", "note": ""})
    assert bad.status_code == 422 and ids["id_number"] not in bad.get_data(as_text=True)
    assert "请说明具体用途" in bad.get_data(as_text=True)
    ok = client.post(url, data={"csrf_token": token, "kind": "party", "record_id": ids["party_id"],
                                "purpose": "service", "note": "电话通知当事人领取决定书"})
    assert ok.status_code == 200 and ids["id_number"] in ok.get_data(as_text=True)
    [row] = log_rows(app, action="reveal")
    assert (row["user_id"], row["purpose"], row["channel"]) == (users["colleague"], "service", "web")
    missing = client.post(url, data={"csrf_token": token, "kind": "party", "record_id": 999999,
                                     "purpose": "service", "note": "电话通知当事人"})
    assert missing.status_code == 404


def test_refusals_are_logged_in_their_own_transaction(app, world, login_as, client_of):
    ids, users = world
    client = client_of(app, login_as, users["officer_b"])
    assert client.get(f"/api/cases/{ids['case_id']}").status_code == 404
    assert client.get(f"/cases/{ids['case_id']}").status_code == 404
    assert client.post(f"/api/cases/{ids['case_id']}/parties/{ids['party_id']}/disclosure",
                       json={"purpose": "service", "note": "电话通知当事人"}).status_code == 404
    rows = log_rows(app, action="refused")
    assert [(r["user_id"], r["subject_kind"], r["case_id"], r["channel"]) for r in rows] == [
        (users["officer_b"], "case", ids["case_id"], "api"), (users["officer_b"], "case", ids["case_id"], "web"),
        (users["officer_b"], "case", ids["case_id"], "api")]
    assert log_rows(app, action="reveal") == []


def test_document_download_is_logged_as_an_export(app, world, login_as, client_of):
    ids, users = world
    client = client_of(app, login_as, users["supervisor"])
    resp = client.get(f"/api/cases/{ids['case_id']}/documents/{ids['document_id']}/pdf")
    assert resp.status_code == 200
    resp.close()
    [row] = log_rows(app, action="export")
    assert (row["user_id"], row["subject_id"], row["purpose"]) == (users["supervisor"], ids["party_id"],
                                                                  "supervision")


def test_supervisor_report_and_the_right_to_know(app, world, login_as, client_of):
    ids, users = world
    client_of(app, login_as, users["officer"]).get(f"/api/cases/{ids['case_id']}")
    client_of(app, login_as, users["colleague"]).post(
        f"/api/cases/{ids['case_id']}/parties/{ids['party_id']}/disclosure",
        json={"purpose": "service", "note": "电话通知当事人领取决定书"})
    client_of(app, login_as, users["officer_b"]).get(f"/api/cases/{ids['case_id']}")

    supervisor = client_of(app, login_as, users["supervisor"])
    report = supervisor.get("/api/privacy/accesses", query_string={"case_id": ids["case_id"]}).get_json()
    assert {(r["action"], r["user_id"]) for r in report["items"]} == {
        ("view", users["officer"]), ("reveal", users["colleague"]), ("refused", users["officer_b"])}
    page = supervisor.get("/privacy/accesses").get_data(as_text=True)
    assert page.count('class="access-row"') == 3 and "电话通知当事人领取决定书" in page
    assert supervisor.get("/privacy/accesses", query_string={"date_from": "2026-13-01"}).status_code == 422
    # An officer may not read the log; the head reads their own staff's accesses only.
    assert client_of(app, login_as, users["colleague"]).get("/api/privacy/accesses").status_code == 403
    head_view = client_of(app, login_as, users["head"]).get("/api/privacy/accesses").get_json()
    assert {r["user_id"] for r in head_view["items"]} == {users["officer"], users["colleague"]}

    answer = supervisor.post("/api/privacy/person-requests",
                             json={"id_number": ids["id_number"], "note": "查阅请求2026-001，已核验身份证原件"})
    assert answer.status_code == 200
    body = answer.get_json()
    assert {"kind": "party", "id": ids["party_id"], "case_id": ids["case_id"]} in body["subjects"]
    assert [(r["action"], r["username"] != "") for r in body["accesses"]] == [
        ("view", True), ("reveal", True), ("refused", True)]
    # The answer is itself an access of the person's data.
    [logged] = log_rows(app, purpose="party_request")
    assert logged["user_id"] == users["supervisor"] and logged["purpose_note"].startswith("查阅请求2026-001")
    assert supervisor.post("/api/privacy/person-requests", json={"note": "查阅请求"}).status_code == 422
    assert client_of(app, login_as, users["head"]).post(
        "/api/privacy/person-requests", json={"id_number": ids["id_number"], "note": "查阅请求2026-001"}
    ).status_code == 403


def test_right_to_know_from_the_cli(app, world, login_as, client_of):
    ids, users = world
    client_of(app, login_as, users["head"]).get(f"/api/cases/{ids['case_id']}")
    from app.auth.models import User

    with app.app_context():
        username = db.session.get(User, users["supervisor"]).username
    runner = app.test_cli_runner()
    result = runner.invoke(args=["privacy", "person-report", "--id-number", ids["id_number"],
                                 "--note", "查阅请求2026-002", "--as", username])
    assert result.exit_code == 0, result.output
    assert "持有其个人信息的记录：1 条" in result.output and "查看（履职所需）" in result.output
    refused = runner.invoke(args=["privacy", "person-report", "--id-number", ids["id_number"],
                                  "--note", "查阅请求2026-002", "--as", "nobody"])
    assert refused.exit_code != 0 and "仅执法监督人员" in refused.output
