"""One ordinary-procedure case from filing to archive, only through the JSON API with bearer tokens
(an officer's and the agency head's), dated today as a field device would act."""
import hashlib
from datetime import timedelta

from app.extensions import db
from app.timeutil import today_china
from tests.cases.conftest import DEFAULT_DRAFT, person_party
from tests.helpers import PASSWORD, bearer


def token(client, username):
    resp = client.post("/api/auth/tokens", json={"username": username, "password": PASSWORD, "name": "执法终端"})
    assert resp.status_code == 201, resp.get_json()
    return bearer(resp.get_json()["token"])


def test_ordinary_case_from_filing_to_archive(app, client, cases_agency, make_officer, make_matter, head_of):
    today = today_china()
    with app.app_context():
        officers = [make_officer(cases_agency.id, "王强"), make_officer(cases_agency.id, "李明")]
        officer_ids = [o.id for o in officers]
        officer_name = officers[0].user.username
        head_name = head_of(cases_agency.id).username
        version_id = make_matter(cases_agency.id, code="CG-0001").id
    oh, hh = token(client, officer_name), token(client, head_name)

    def ok(resp, status=200):
        assert resp.status_code == status, resp.get_json()
        return resp.get_json()

    def act(headers, name, **data):
        return ok(client.post(f"/api/cases/{case_id}/actions/{name}", json=data, headers=headers))

    # 登记 and 立案
    case = ok(client.post("/api/cases/", headers=oh, json={
        "matter_version_id": version_id, "title": "当事人占道经营案", "area_code": "220681",
        "violation_on": (today - timedelta(days=20)).isoformat(), "place": "临江市建国街",
        "officer_ids": officer_ids, "parties": [person_party("张三")]}), 201)
    case_id = case["id"]
    assert case["status"] == "draft" and case["number"] is None
    assert {a["action"] for a in case["allowed_actions"]} == {"submit_filing"}
    assert act(oh, "submit_filing")["status"] == "pending_filing"
    filed = act(hh, "approve_filing")
    assert filed["status"] == "investigating" and filed["number"] == f"临城管案〔{today.year}〕0001号"
    assert filed["decision_due"] == (today + timedelta(days=90)).isoformat()

    # 调查取证: an inspection (no recording yet: a justification the head approved) and an inquiry
    started = f"{today.isoformat()}T09:00:00+08:00"
    inspection = ok(client.post(f"/api/cases/{case_id}/steps", headers=oh, json={
        "kind": "inspection", "started_at": started, "place": "临江市建国街", "target": "流动摊位",
        "content": "现场检查：当事人在人行道设摊经营，占道约4平方米。"}), 201)
    assert inspection["needs_av"] and [o["certificate_shown"] for o in inspection["officers"]] == [True, True]
    step_url = f"/api/cases/{case_id}/steps/{inspection['id']}"
    ok(client.post(f"{step_url}/av-justification", headers=oh, json={"text": "执法记录仪送修，现场拍照留存"}))
    ok(client.post(f"{step_url}/av-justification/approval", headers=hh))
    assert ok(client.post(f"{step_url}/complete", headers=oh))["completed_at"]
    inquiry = ok(client.post(f"/api/cases/{case_id}/steps", headers=oh, json={
        "kind": "inquiry", "started_at": f"{today.isoformat()}T10:30:00+08:00", "place": "城管执法大队询问室",
        "target": "张三", "content": "问：你是否在建国街设摊？\n答：是的。"}), 201)
    assert not inquiry["needs_av"]
    ok(client.post(f"/api/cases/{case_id}/steps/{inquiry['id']}/complete", headers=oh))

    # 调查终结 with the draft decision, 事先告知 (served two weeks ago: the defence window has passed)
    drafted = ok(client.put(f"/api/cases/{case_id}/draft", headers=oh, json=DEFAULT_DRAFT))
    assert len(drafted["draft_sha256"]) == 64
    assert act(oh, "close_investigation")["status"] == "investigated"
    notified = act(oh, "serve_notice", served_on=(today - timedelta(days=14)).isoformat())
    assert notified["status"] == "notified"

    # 决定, 送达, 执行, 结案, 归档
    decided = act(hh, "decide")
    assert decided["status"] == "decided" and decided["decision_number"] == f"临城管罚〔{today.year}〕1号"
    assert decided["fine_amount"] == "1000.00" and decided["penalties"] == ["fine"]
    served = act(oh, "serve_decision", method="direct")
    assert served["payment_due"] == (today + timedelta(days=15)).isoformat()
    executed = act(oh, "record_execution", paid_amount="1000", paid_on=today.isoformat())
    assert executed["status"] == "executed" and executed["surcharge_amount"] == "0.00"
    assert act(hh, "close")["status"] == "closed"
    archived = act(oh, "archive")
    assert archived["status"] == "archived" and archived["archived_on"] == today.isoformat()
    assert archived["allowed_actions"] == []

    # The documents of the file, numbered per kind and year
    y = today.year
    docs = ok(client.get(f"/api/cases/{case_id}/documents", headers=hh))
    assert [(d["kind"], d["number"]) for d in docs] == [
        ("filing_approval", f"临城管立〔{y}〕1号"), ("inspection_record", f"临城管检〔{y}〕1号"),
        ("inquiry_record", f"临城管询〔{y}〕1号"), ("investigation_report", f"临城管终〔{y}〕1号"),
        ("advance_notice", f"临城管告〔{y}〕1号"), ("decision", f"临城管罚〔{y}〕1号"),
        ("service_receipt", f"临城管送〔{y}〕1号"), ("closing_approval", f"临城管结〔{y}〕1号"),
        ("case_file", f"临城管卷〔{y}〕1号")]
    decision = next(d for d in docs if d["kind"] == "decision")
    pdf = client.get(decision["download_url"], headers=oh)
    assert pdf.status_code == 200 and hashlib.sha256(pdf.data).hexdigest() == decision["sha256"]

    # Every deadline met
    deadlines = ok(client.get(f"/api/cases/{case_id}/deadlines", headers=hh))
    # The court-application window (AEL Art 53) opens at service and closes once the fine is paid.
    assert {d["kind"] for d in deadlines} == {"decision", "defence", "service", "payment", "court_application",
                                              "closing"}
    assert all(d["met_on"] and d["status"] == "met" for d in deadlines)
    # Obligations met in time; the defence window is a waiting period: the decision came after it ended.
    by_kind = {d["kind"]: d for d in deadlines}
    assert all(d["met_on"] <= d["due_on"] for k, d in by_kind.items() if k != "defence")
    assert by_kind["defence"]["met_on"] > by_kind["defence"]["due_on"]
    assert ok(client.get("/api/cases/deadlines", query_string={"horizon_days": 365}, headers=hh)) == []

    # The timeline is complete, each event in the ledger, and the ledger audits clean
    events = ok(client.get(f"/api/cases/{case_id}/events", headers=hh))
    transitions = [e["action"] for e in events if e["to_status"] and e["action"] != "created"]
    assert transitions == ["submit_filing", "approve_filing", "close_investigation", "serve_notice", "decide",
                           "serve_decision", "record_execution", "close", "archive"]
    assert all(e["ledger_seq"] is not None for e in events)
    with app.app_context():
        from app.ledger.services import audit
        from cases.models import CaseDocument

        result = audit()
        assert result.ok, result.problems
        assert result.entries >= len(events) + len(docs)
        assert db.session.query(CaseDocument).count() == 9
