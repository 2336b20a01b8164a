"""The JSON API's wiring: bearer tokens, visibility (404), refusals with status and code for each guard
family, 422 field errors, documents and the OpenAPI document.

Data is built in `with app.app_context():` blocks and the requests are sent outside them (see conftest)."""
import hashlib
from datetime import date, datetime, timedelta

import pytest

from app.extensions import db
from app.timeutil import today_china
from tests.cases.conftest import DEFAULT_DRAFT, officer_user, org_party, person_party, record_and_complete
from tests.helpers import bearer


@pytest.fixture
def token(app):
    """Bearer headers for a user (object or id)."""

    def get(user):
        from app.auth.models import User
        from app.auth.services import issue_token

        with app.app_context():
            raw, _ = issue_token(db.session.get(User, getattr(user, "id", user)), "pytest")
            db.session.commit()
        return bearer(raw)

    return get


@pytest.fixture
def world(app, case_at, head_of, make_case_user, token):
    """Build a case at a status and return its id with the officer's and the head's bearer headers."""

    def build(status, **kw):
        with app.app_context():
            case = case_at(status, **kw)
            ids = dict(case_id=case.id, agency_id=case.agency_id, officer=officer_user(case).id,
                       head=head_of(case.agency_id).id, step_ids=[s.id for s in case.steps])
        return type("World", (), {**ids, "officer_h": token(ids["officer"]), "head_h": token(ids["head"])})

    return build


def today_case(app, make_case, head_of, status):
    """A case driven with today's date (the API acts today): up to "investigated" or "notified"."""
    from cases import services

    today = today_china()
    with app.app_context():
        case = make_case(on=today, violation_on=today - timedelta(days=30))
        officer, head = officer_user(case), head_of(case.agency_id)
        services.apply_action(case, "submit_filing", actor=officer, on=today)
        services.apply_action(case, "approve_filing", actor=head, on=today)
        record_and_complete(case, "inquiry", datetime.combine(today, datetime.min.time()).replace(hour=8),
                            actor=officer, head=head)
        services.save_draft(case, DEFAULT_DRAFT, actor=officer)
        services.apply_action(case, "close_investigation", actor=officer, on=today)
        if status == "notified":
            services.apply_action(case, "serve_notice", actor=officer, on=today)
        db.session.commit()
        return case.id, officer.id, head.id


def action(client, case_id, name, headers, **data):
    return client.post(f"/api/cases/{case_id}/actions/{name}", json=data, headers=headers)


def refusal(resp, status, code):
    body = resp.get_json()
    assert resp.status_code == status, body
    assert body["error"] == code, body
    return body


# --- authentication and visibility ------------------------------------------------------------------------

def test_no_token_is_401(client, world):
    w = world("draft")
    for resp in (client.get("/api/cases/"), client.get(f"/api/cases/{w.case_id}"),
                 client.post(f"/api/cases/{w.case_id}/actions/submit_filing", json={})):
        refusal(resp, 401, "authentication_required")
    refusal(client.get("/api/cases/", headers=bearer("not-a-token")), 401, "authentication_required")


def test_another_agencys_case_is_404_like_a_missing_one(app, client, world, make_agency, make_officer, token):
    w = world("investigating")
    other = make_agency(name="临江市自然资源局", categories=("自然资源",), doc_prefix="临自然")
    with app.app_context():
        stranger = make_officer(other.id, categories=("自然资源",)).user_id
    h = token(stranger)
    missing = refusal(client.get("/api/cases/999999", headers=h), 404, "not_found")
    hidden = refusal(client.get(f"/api/cases/{w.case_id}", headers=h), 404, "not_found")
    assert hidden["message"] == f"案件（编号{w.case_id}）不存在" and missing["message"] == "案件（编号999999）不存在"
    refusal(action(client, w.case_id, "terminate", h, reason="x"), 404, "not_found")
    refusal(client.get(f"/api/cases/{w.case_id}/documents", headers=h), 404, "not_found")
    assert client.get("/api/cases/", headers=h).get_json()["total"] == 0
    assert client.get("/api/cases/deadlines?overdue=true", headers=h).get_json() == []


def test_supervisors_see_every_agency_read_only(client, world, make_case_user, token):
    w = world("pending_filing")
    supervisor = token(make_case_user(None, roles=("supervisor",)).id)
    listed = client.get("/api/cases/", headers=supervisor).get_json()
    assert [c["id"] for c in listed["items"]] == [w.case_id]
    detail = client.get(f"/api/cases/{w.case_id}", headers=supervisor).get_json()
    assert detail["allowed_actions"] == []
    refusal(action(client, w.case_id, "approve_filing", supervisor), 403, "permission_denied")


# --- reading -------------------------------------------------------------------------------------------------

def test_case_detail_lists_officers_steps_events_documents_deadlines_and_actions(client, world):
    w = world("investigating")
    body = client.get(f"/api/cases/{w.case_id}", headers=w.head_h).get_json()
    assert body["number"] == "临城管案〔2025〕0001号" and body["status"] == "investigating"
    assert set(body["officers"][0]) == {"officer_id", "name", "certificate_number", "role"}
    assert body["officers"][0]["certificate_number"].startswith("220681")
    assert body["parties"][0]["id_number"]  # internal detail: personal data for the agency's staff
    assert [e["action"] for e in body["events"]] == ["created", "submit_filing", "approve_filing"]
    assert all(e["ledger_seq"] is not None for e in body["events"])
    assert [d["kind"] for d in body["documents"]] == ["filing_approval"]
    assert body["deadlines"][0]["kind"] == "decision" and body["deadlines"][0]["status"] == "overdue"
    actions = {a["action"]: a for a in body["allowed_actions"]}
    assert set(actions) == {"terminate"}  # the head's only action while investigating
    officer_view = client.get(f"/api/cases/{w.case_id}", headers=w.officer_h).get_json()
    close = next(a for a in officer_view["allowed_actions"] if a["action"] == "close_investigation")
    assert not close["ok"] and "draft_decision" in close["problems"]


def test_lists_show_party_names_only_and_search_by_one_character(client, world):
    w = world("draft", title="无照经营案", parties=[person_party("欧阳娜")])
    world("draft", title="占道经营案", parties=[org_party("临江市鸿运商贸有限公司")])
    page = client.get("/api/cases/", headers=w.officer_h).get_json()
    assert page["total"] == 2
    assert set(page["items"][0]["parties"][0]) == {"id", "kind", "name"}  # no ID number, phone or address
    for q, titles in (("娜", ["无照经营案"]), ("鸿", ["占道经营案"]), ("经营", ["占道经营案", "无照经营案"]),
                      ("无照", ["无照经营案"]), ("%", [])):
        found = client.get("/api/cases/", query_string={"q": q}, headers=w.officer_h).get_json()["items"]
        assert sorted(c["title"] for c in found) == sorted(titles), q


def test_filters_and_number_search(client, world):
    a = world("investigating")
    world("draft")
    get = lambda **q: client.get("/api/cases/", query_string=q, headers=a.head_h).get_json()["items"]  # noqa: E731
    assert [c["id"] for c in get(status="investigating")] == [a.case_id]
    assert [c["id"] for c in get(q="案〔2025〕0001")] == [a.case_id]
    assert [c["id"] for c in get(overdue="true")] == [a.case_id]
    assert len(get(filed_from="2025-09-16", filed_to="2025-09-16")) == 1
    assert get(filed_from="2025-09-17") == []
    assert client.get("/api/cases/", query_string={"status": "nonsense"}, headers=a.head_h).status_code == 422


def test_deadlines_list(client, world):
    w = world("investigating")
    rows = client.get("/api/cases/deadlines", query_string={"overdue": "true"}, headers=w.officer_h).get_json()
    assert [(r["case_id"], r["kind"], r["due_on"], r["status"]) for r in rows] == [
        (w.case_id, "decision", "2025-12-15", "overdue")]
    assert client.get(f"/api/cases/{w.case_id}/deadlines", headers=w.officer_h).get_json()[0]["met_on"] is None


def test_documents_list_and_pdf_download(client, world):
    w = world("investigating")
    docs = client.get(f"/api/cases/{w.case_id}/documents", headers=w.officer_h).get_json()
    assert [(d["kind"], d["number"], d["title"]) for d in docs] == [
        ("filing_approval", "临城管立〔2025〕1号", "立案审批表")]
    resp = client.get(docs[0]["download_url"], headers=w.officer_h)
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.data.startswith(b"%PDF-") and hashlib.sha256(resp.data).hexdigest() == docs[0]["sha256"]
    assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]
    refusal(client.get(f"/api/cases/{w.case_id}/documents/999/pdf", headers=w.officer_h), 404, "not_found")


# --- guard families through the API ----------------------------------------------------------------------------

def test_publicity_guard(app, client, cases_agency, make_officer, head_of, token):
    """A matter created and published today through the API cannot carry a case filed today."""
    with app.app_context():
        head = head_of(cases_agency.id).id
        officers = [make_officer(cases_agency.id), make_officer(cases_agency.id)]
        officer_ids, officer = [o.id for o in officers], officers[0].user_id
    hh, oh = token(head), token(officer)
    matter = {"code": "CG-NEW", "name": "擅自设置户外广告", "category": "城市管理",
              "legal_basis": "《吉林省城市市容和环境卫生管理条例》第十六条", "penalty_basis": "同条例第四十二条",
              "tiers": [{"name": "一般", "min": "0", "max": "5000", "penalties": ["fine"]}],
              "procedures": ["ordinary"]}
    refusal(client.post("/api/matters/", json=matter, headers=oh), 403, "permission_denied")
    created = client.post("/api/matters/", json=matter, headers=hh)
    assert created.status_code == 201, created.get_json()
    matter_id = created.get_json()["id"]
    published = client.post(f"/api/matters/{matter_id}/publish", json={}, headers=hh).get_json()
    assert published["current"]["published_on"] == today_china().isoformat()
    version_id = published["current"]["id"]
    resp = client.post("/api/cases/", json={
        "matter_version_id": version_id, "title": "擅自设置户外广告案", "area_code": "220681",
        "violation_on": today_china().isoformat(), "officer_ids": officer_ids, "parties": [person_party()]},
        headers=oh)
    assert resp.status_code == 201, resp.get_json()
    body = refusal(action(client, resp.get_json()["id"], "submit_filing", oh), 409, "not_public")
    assert "须在立案日前事前公开" in body["message"] and "publicity" in body["details"]["problems"]
    revised = client.patch(f"/api/matters/{matter_id}", json={"name": "擅自设置大型户外广告"}, headers=hh).get_json()
    assert [v["version"] for v in revised["versions"]] == [1, 2] and revised["current"]["version"] == 1


def test_officers_guard(app, client, make_case, make_officer, cases_agency, token):
    with app.app_context():
        expired = make_officer(cases_agency.id, "李过期", issued_on=date(2020, 1, 2), expires_on=date(2024, 12, 31))
        case = make_case(officers=[make_officer(cases_agency.id), expired])
        case_id = case.id
        officer = officer_user(case).id
    body = refusal(action(client, case_id, "submit_filing", token(officer)), 409, "certificate_invalid")
    assert "李过期：证件已过期（有效期至2024-12-31）" in body["message"]
    assert body["details"]["problems"]["officers"][0].startswith("至少需要两名")


def test_limitation_guard(app, client, make_case, token):
    with app.app_context():
        case = make_case(violation_on=date(2023, 1, 10))
        case_id, officer = case.id, officer_user(case).id
    body = refusal(action(client, case_id, "submit_filing", token(officer)), 409, "limitation_expired")
    assert "行政处罚法第三十六条" in body["message"]


def test_decision_deadline_guard_and_extension(client, world):
    w = world("investigated")  # filed 2025-09-16: the 90 days ran out on 2025-12-15
    body = refusal(action(client, w.case_id, "serve_notice", w.officer_h), 409, "rule_violation")
    assert "行政处罚法第六十条" in body["message"]
    refusal(client.post(f"/api/cases/{w.case_id}/extensions", json={"days": 10, "reason": "复杂"},
                        headers=w.officer_h), 403, "permission_denied")
    # SPEC §11: the 90 days ran out on 2025-12-15, so an extension approved today comes too late.
    late = refusal(client.post(f"/api/cases/{w.case_id}/extensions", json={"days": 30, "reason": "需鉴定"},
                               headers=w.head_h), 409, "extension_too_late")
    assert "期限届满前" in late["message"] and "第六十条" in late["message"]


def test_extension_while_the_period_runs(app, client, make_case, head_of, token):
    case_id, officer, head = today_case(app, make_case, head_of, "investigated")
    head_h = token(head)
    bad = refusal(client.post(f"/api/cases/{case_id}/extensions", json={"days": 31, "reason": "复杂"},
                              headers=head_h), 422, "invalid_input")
    assert "days" in bad["details"]["fields"]
    ok = client.post(f"/api/cases/{case_id}/extensions", json={"days": 30, "reason": "需鉴定"}, headers=head_h)
    assert ok.status_code == 200
    assert ok.get_json()["decision_due"] == (today_china() + timedelta(days=120)).isoformat()


def test_defence_window_guard(app, client, make_case, head_of, token):
    case_id, officer, head = today_case(app, make_case, head_of, "notified")
    body = refusal(action(client, case_id, "decide", token(head)), 409, "rule_violation")
    assert "陈述、申辩期限尚未届满" in body["message"] and list(body["details"]["problems"]) == ["defence_window"]


def test_legal_review_guard(app, client, make_case, head_of, token):
    case_id, officer, head = today_case(app, make_case, head_of, "investigated")
    oh, hh = token(officer), token(head)
    assert action(client, case_id, "serve_notice", oh, waived=True).status_code == 200
    refusal(client.put(f"/api/cases/{case_id}/flags", json={"marked_major": True}, headers=oh), 403,
            "permission_denied")
    assert client.put(f"/api/cases/{case_id}/flags", json={"marked_major": True}, headers=hh).status_code == 200
    body = refusal(action(client, case_id, "decide", hh), 409, "review_required")
    assert "行政处罚法第五十八条" in body["message"]


def test_summary_limits_guard(app, client, make_case, token):
    with app.app_context():
        case = make_case(procedure="summary", on=today_china())
        case_id, officer = case.id, officer_user(case).id
    h = token(officer)
    draft = {**DEFAULT_DRAFT, "fine": "500"}
    saved = client.put(f"/api/cases/{case_id}/draft", json=draft, headers=h)
    assert saved.status_code == 200 and len(saved.get_json()["draft_sha256"]) == 64
    body = refusal(action(client, case_id, "decide_on_spot", h), 409, "rule_violation")
    assert "对公民当场罚款不得超过200元（行政处罚法第五十一条）" in body["message"]
    client.put(f"/api/cases/{case_id}/draft", json={**draft, "fine": "200"}, headers=h)
    decided = action(client, case_id, "decide_on_spot", h)
    assert decided.status_code == 200 and decided.get_json()["status"] == "decided"


def test_service_guard(client, world):
    w = world("decided")  # decided 2025-09-30: served today is long after 7 working days
    body = refusal(action(client, w.case_id, "serve_decision", w.officer_h, method="electronic"), 409, "rule_violation")
    assert "电子送达须经当事人书面同意" in body["message"] and "逾期送达须说明理由" in body["message"]
    missing = refusal(action(client, w.case_id, "serve_decision", w.officer_h), 422, "validation_error")
    assert "method" in missing["details"]["fields"]
    served = action(client, w.case_id, "serve_decision", w.officer_h, method="direct", late_reason="当事人下落不明")
    assert served.status_code == 200 and served.get_json()["status"] == "served"


def test_recording_guard_and_justification(client, world):
    w = world("investigating")
    step = client.post(f"/api/cases/{w.case_id}/steps", json={
        "kind": "inspection", "started_at": "2025-09-17T09:00:00", "place": "建国街", "content": "现场检查"},
        headers=w.officer_h)
    assert step.status_code == 201 and step.get_json()["needs_av"] is True
    sid = step.get_json()["id"]
    assert step.get_json()["officers"][0]["certificate_shown"] is True
    body = refusal(client.post(f"/api/cases/{w.case_id}/steps/{sid}/complete", headers=w.officer_h), 409,
                   "recording_required")
    assert "须全程音像记录" in body["message"]
    assert client.post(f"/api/cases/{w.case_id}/steps/{sid}/av-justification", json={"text": "设备故障"},
                       headers=w.officer_h).status_code == 200
    refusal(client.post(f"/api/cases/{w.case_id}/steps/{sid}/av-justification/approval", headers=w.officer_h),
            403, "permission_denied")
    approved = client.post(f"/api/cases/{w.case_id}/steps/{sid}/av-justification/approval", headers=w.head_h)
    assert approved.get_json()["av_justification_approved"] is True
    done = client.post(f"/api/cases/{w.case_id}/steps/{sid}/complete", headers=w.officer_h)
    assert done.status_code == 200 and done.get_json()["completed_at"]


def test_two_officer_rule_on_a_step(client, world):
    w = world("investigating")
    resp = client.post(f"/api/cases/{w.case_id}/steps", headers=w.officer_h, json={
        "kind": "inquiry", "started_at": "2025-09-18T10:00:00", "place": "队部", "content": "问答",
        "certificate_shown_ids": []})
    body = refusal(resp, 409, "certificate_invalid")
    assert "未出示执法证件" in body["message"]


# --- workflow and permission refusals --------------------------------------------------------------------------

def test_role_state_and_unknown_action_refusals(client, world):
    w = world("pending_filing")
    refusal(action(client, w.case_id, "approve_filing", w.officer_h), 403, "permission_denied")
    refusal(action(client, w.case_id, "archive", w.officer_h), 409, "invalid_transition")
    refusal(action(client, w.case_id, "fly_away", w.officer_h), 404, "not_found")
    reason = refusal(action(client, w.case_id, "reject_filing", w.head_h), 422, "validation_error")
    assert "reason" in reason["details"]["fields"]
    extra = refusal(action(client, w.case_id, "approve_filing", w.head_h, method="direct"), 422, "validation_error")
    assert "method" in extra["details"]["fields"]
    rejected = action(client, w.case_id, "reject_filing", w.head_h, reason="不属于本机关管辖")
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "not_filed"


# --- 422 field errors ------------------------------------------------------------------------------------------

def _flip(code):
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def test_bad_id_number_and_credit_code_are_422_with_field_errors(client, world):
    w = world("draft")
    person = person_party("王五", 2)
    person["id_number"] = _flip(person["id_number"])
    body = refusal(client.post(f"/api/cases/{w.case_id}/parties", json=person, headers=w.officer_h), 422,
                   "validation_error")
    assert "校验" in body["details"]["fields"]["id_number"][0]
    org = org_party()
    org["credit_code"] = _flip(org["credit_code"])
    body = refusal(client.post(f"/api/cases/{w.case_id}/parties", json=org, headers=w.officer_h), 422,
                   "validation_error")
    assert list(body["details"]["fields"]) == ["credit_code"]
    created = client.post("/api/cases/", headers=w.officer_h, json={
        "matter_version_id": 1, "title": "", "area_code": "22068", "parties": [person],
        "officer_ids": "x"})
    fields = refusal(created, 422, "validation_error")["details"]["fields"]
    assert {"title", "area_code", "parties", "officer_ids"} <= set(fields)
    assert "id_number" in fields["parties"]["0"]
    ok = client.post(f"/api/cases/{w.case_id}/parties", json=org_party(), headers=w.officer_h)
    assert ok.status_code == 201 and ok.get_json()["credit_code"]


def test_create_case_refuses_another_agencys_matter(app, client, world, make_agency, make_matter):
    w = world("draft")
    other = make_agency(name="临江市交通运输局", categories=("交通运输",), doc_prefix="临交")
    with app.app_context():
        foreign = make_matter(other.id, category="交通运输").id
    body = refusal(client.post("/api/cases/", headers=w.officer_h, json={
        "matter_version_id": foreign, "title": "越权案", "area_code": "220681"}), 422, "invalid_input")
    assert "matter_version_id" in body["details"]["fields"]


# --- OpenAPI ---------------------------------------------------------------------------------------------------

def test_openapi_lists_every_cases_endpoint_with_bearer_security(client):
    spec = client.get("/api/openapi.json").get_json()
    expected = {
        "/api/cases/": {"get", "post"}, "/api/cases/deadlines": {"get"}, "/api/cases/{case_id}": {"get"},
        "/api/cases/{case_id}/parties": {"post"}, "/api/cases/{case_id}/officers": {"put"},
        "/api/cases/{case_id}/draft": {"put"}, "/api/cases/{case_id}/flags": {"put"},
        "/api/cases/{case_id}/extensions": {"post"}, "/api/cases/{case_id}/steps": {"get", "post"},
        "/api/cases/{case_id}/steps/{step_id}/complete": {"post"},
        "/api/cases/{case_id}/steps/{step_id}/av-justification": {"post"},
        "/api/cases/{case_id}/steps/{step_id}/av-justification/approval": {"post"},
        "/api/cases/{case_id}/actions/{action}": {"post"}, "/api/cases/{case_id}/events": {"get"},
        "/api/cases/{case_id}/deadlines": {"get"}, "/api/cases/{case_id}/documents": {"get"},
        "/api/cases/{case_id}/documents/{document_id}/pdf": {"get"},
        "/api/matters/": {"get", "post"}, "/api/matters/{matter_id}": {"get", "patch"},
        "/api/matters/{matter_id}/publish": {"post"},
    }
    for path, methods in expected.items():
        ops = spec["paths"][path]
        assert methods <= set(ops), path
        for m in methods:
            assert ops[m]["security"] == [{"bearer": []}], (path, m)
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    schemas = spec["components"]["schemas"]
    assert {"CaseCreate", "CaseDetail", "CaseSummary", "ActionData", "PartyIn", "StepIn", "Draft",
            "CaseDocument", "DeadlineRow", "Matter", "MatterCreate"} <= set(schemas)
    create = spec["paths"]["/api/cases/"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/CaseCreate")
    assert "id_number" not in schemas["PartyName"]["properties"]
    assert "application/pdf" in spec["paths"]["/api/cases/{case_id}/documents/{document_id}/pdf"]["get"][
        "responses"]["200"]["content"]
