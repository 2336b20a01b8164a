"""Issue 13 "Done means": a full ordinary case from filing to closing through the JSON API — a heavier
decision refused until a new advance notice and its defence window (APL Art 44, 45, 62), an instalment plan
with one late instalment (surcharge capped at the fine), a 催告 with the party's statement, and an
application to the court — plus the API's refusals.

The court may be asked only after the six-month lawsuit window (AEL Art 53), so this journey spans seven
months. The API dates every act "today"; the test moves the clock that `app.timeutil` reads (today_china,
utcnow) instead of waiting: that is the one thing replaced here, because time cannot be made to pass.
Bearer tokens are fetched again after each jump (they expire by that same clock).
"""
import re
import subprocess
from datetime import date

import pytest

from app.extensions import db
from tests.cases.conftest import DEFAULT_DRAFT, person_party
from tests.helpers import PASSWORD, bearer

D = date.fromisoformat


@pytest.fixture
def clock(monkeypatch):
    """Set `clock["today"]` to a date: app.timeutil's now() keeps the time of day and takes that date."""
    import app.timeutil as tu

    real = tu.datetime
    state = {"today": None}

    class Clock(real):
        @classmethod
        def now(cls, tz=None):
            t = real.now(tz)
            day = state["today"]
            return t if day is None else t.replace(year=day.year, month=day.month, day=day.day)

    monkeypatch.setattr(tu, "datetime", Clock)
    return state


def test_ordinary_case_with_instalments_reminder_and_court_application(app, client, cases_agency, make_officer,
                                                                     make_matter, head_of, clock, tmp_path):
    with app.app_context():
        officers = [make_officer(cases_agency.id, "王强"), make_officer(cases_agency.id, "李明")]
        officer_ids, officer_name = [o.id for o in officers], officers[0].user.username
        head = head_of(cases_agency.id)
        head_name, head_full = head.username, head.full_name
        version_id = make_matter(cases_agency.id, code="CG-0001").id

    def tokens(day):
        clock["today"] = D(day)
        out = []
        for name in (officer_name, head_name):
            resp = client.post("/api/auth/tokens", json={"username": name, "password": PASSWORD, "name": "终端"})
            assert resp.status_code == 201, resp.get_json()
            out.append(bearer(resp.get_json()["token"]))
        return out

    def ok(resp, status=200):
        assert resp.status_code == status, resp.get_json()
        return resp.get_json()

    def act(headers, name, **data):
        return ok(client.post(f"/api/cases/{case_id}/actions/{name}", json=data, headers=headers))

    def execution(headers):
        return ok(client.get(f"/api/cases/{case_id}/execution", headers=headers))

    # 2025-09-08: 登记, 立案, 调查, 调查终结, 事先告知 of an 800-yuan fine
    oh, hh = tokens("2025-09-08")
    case_id = ok(client.post("/api/cases/", headers=oh, json={
        "matter_version_id": version_id, "title": "当事人占道经营案", "area_code": "220681",
        "violation_on": "2025-09-01", "place": "临江市建国街", "officer_ids": officer_ids,
        "parties": [person_party("张三")]}), 201)["id"]
    act(oh, "submit_filing")
    assert act(hh, "approve_filing")["status"] == "investigating"
    for kind, content in (("inspection", "现场检查：当事人在人行道设摊经营。"), ("inquiry", "问：你是否设摊？\n答：是的。")):
        step = ok(client.post(f"/api/cases/{case_id}/steps", headers=oh, json={
            "kind": kind, "started_at": "2025-09-08T09:00:00+08:00", "place": "临江市建国街", "content": content}), 201)
        url = f"/api/cases/{case_id}/steps/{step['id']}"
        if step["needs_av"]:
            ok(client.post(f"{url}/av-justification", headers=oh, json={"text": "执法记录仪送修，现场拍照留存"}))
            ok(client.post(f"{url}/av-justification/approval", headers=hh))
        ok(client.post(f"{url}/complete", headers=oh))
    ok(client.put(f"/api/cases/{case_id}/draft", headers=oh, json={**DEFAULT_DRAFT, "fine": "800"}))
    act(oh, "close_investigation")
    first = act(oh, "serve_notice", served_on="2025-09-08")
    assert first["noticed"]["fine"] == "800.00" and first["notice_count"] == 1

    # 2025-09-12: the draft now intends 1,000 yuan, heavier than noticed: no decision without a new notice
    # (APL Art 44, 45, 62). The new notice (served today) opens a new defence window, until 19 September.
    oh, hh = tokens("2025-09-12")
    ok(client.put(f"/api/cases/{case_id}/draft", headers=oh, json=DEFAULT_DRAFT))
    heavier = client.post(f"/api/cases/{case_id}/actions/decide", headers=hh, json={})
    body = heavier.get_json()
    assert heavier.status_code == 409 and "matches_notice" in body["details"]["problems"]
    assert "罚款由告知的800元提高到1000元" in body["message"] and "第六十二条" in body["message"]
    renoticed = act(oh, "serve_notice", served_on="2025-09-12")
    assert renoticed["status"] == "notified" and renoticed["noticed"]["fine"] == "1000.00"
    assert renoticed["notice_count"] == 2
    assert {d["kind"]: d["due_on"] for d in renoticed["deadlines"]}["defence"] == "2025-09-19"

    # 2025-09-19: the new defence window is still running on its last day.
    oh, hh = tokens("2025-09-19")
    early = client.post(f"/api/cases/{case_id}/actions/decide", headers=hh, json={})
    assert early.status_code == 409 and "陈述、申辩期限尚未届满（至2025-09-19）" in early.get_json()["message"]

    # 2025-09-23: 决定 and 送达. 15 days end on 8 October, inside the National Day holiday: due on the 9th.
    oh, hh = tokens("2025-09-23")
    decided = act(hh, "decide")
    assert decided["fine_amount"] == "1000.00"
    served = act(oh, "serve_decision", method="direct")
    assert served["payment_due"] == "2025-10-09"

    # 2025-09-26: the party asks to pay in two instalments; the officer may not approve, the head does.
    oh, hh = tokens("2025-09-26")
    refused = client.post(f"/api/cases/{case_id}/payment-plans", headers=oh, json={
        "kind": "instalments", "reason": "个体经营，近期收入锐减",
        "instalments": [{"due_on": "2025-10-31", "amount": "500"}, {"due_on": "2025-11-28", "amount": "400"}]})
    assert refused.status_code == 422 and "应等于尚未缴纳的罚款1000.00元" in refused.get_json()["message"]
    plan = ok(client.post(f"/api/cases/{case_id}/payment-plans", headers=oh, json={
        "kind": "instalments", "reason": "个体经营，近期收入锐减",
        "instalments": [{"due_on": "2025-10-31", "amount": "500"}, {"due_on": "2025-11-28", "amount": "500"}]}), 201)
    decision_url = f"/api/cases/{case_id}/payment-plans/{plan['id']}/decision"
    refused = client.post(decision_url, headers=oh, json={"approve": True})
    assert refused.status_code == 403 and "行政处罚法第六十六条" in refused.get_json()["message"]
    assert ok(client.post(decision_url, headers=hh, json={"approve": True}))["status"] == "approved"

    # 2025-10-31: the first instalment on time.
    oh, hh = tokens("2025-10-31")
    ok(client.post(f"/api/cases/{case_id}/payments", headers=oh, json={"amount": "500", "receipt_number": "FS-0001"}), 201)
    assert execution(oh)["surcharge"] == "0.00"

    # 2025-12-15: the second instalment (due 28 November) is late: 17 days x 3% x 500. 催告, statement.
    oh, hh = tokens("2025-12-15")
    state = execution(oh)
    assert state["surcharge"] == "255.00" and state["outstanding"] == "755.00" and state["next_due"] == "2025-11-28"
    reminded = act(oh, "send_reminder", method="direct")
    assert reminded["status"] == "reminded"
    assert {d["kind"]: d["due_on"] for d in reminded["deadlines"]}["reminder"] == "2025-12-29"
    ok(client.post(f"/api/cases/{case_id}/reminder-statements", headers=oh, json={
        "statement": "请求免除加处罚款", "adopted": False, "handling": "当事人未提出新的事实和理由，不予采纳"}), 201)

    # 2026-03-20: still unpaid; the surcharge has reached the fine and stops there. Too early for the court.
    oh, hh = tokens("2026-03-20")
    state = execution(oh)
    assert state["capped"] and state["surcharge"] == "1000.00" and state["outstanding"] == "1500.00"
    assert state["court_window"] == {"first": "2026-03-24", "last": "2026-06-23"}
    too_early = client.post(f"/api/cases/{case_id}/actions/apply_enforcement", headers=hh, json={})
    assert too_early.status_code == 409
    assert "行政强制法第五十三条" in too_early.get_json()["message"]

    # 2026-04-01: the head applies to the court; the case is handed over and closed.
    oh, hh = tokens("2026-04-01")
    assert client.post(f"/api/cases/{case_id}/actions/apply_enforcement", headers=oh, json={}).status_code == 403
    applied = act(hh, "apply_enforcement", court="临江市人民法院")
    assert applied["status"] == "enforcement_applied"
    closed = act(hh, "close")
    assert closed["status"] == "closed" and closed["closed_on"] == "2026-04-01"

    events = [e["action"] for e in ok(client.get(f"/api/cases/{case_id}/events", headers=hh))]
    assert events[events.index("close_investigation"):events.index("serve_decision")] == [
        "close_investigation", "serve_notice", "draft_saved", "serve_notice", "decide"]
    assert events[events.index("serve_decision"):] == [
        "serve_decision", "payment_plan_applied", "payment_plan_decided", "payment_recorded", "send_reminder",
        "reminder_statement", "apply_enforcement", "close"]
    docs = {d["kind"]: d for d in ok(client.get(f"/api/cases/{case_id}/documents", headers=hh))}
    assert {"payment_plan_decision", "reminder", "enforcement_application", "closing_approval"} <= set(docs)
    all_docs = ok(client.get(f"/api/cases/{case_id}/documents", headers=hh))
    assert [d["kind"] for d in all_docs].count("advance_notice") == 2
    pdf = client.get(docs["enforcement_application"]["download_url"], headers=hh)
    path = tmp_path / "application.pdf"
    path.write_bytes(pdf.data)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                                             text=True).stdout)
    for expected in ("强制执行申请书", "临江市人民法院：", "张三", "1,500.00", "2025年12月15日书面催告",
                     "请求免除加处罚款", "不予采纳", "行政强制法》第五十三条、第五十五条", head_full):
        assert expected in text, expected
    with app.app_context():
        from app.ledger.services import audit

        assert audit().ok
