"""A full major case through the JSON API, from submission to the approved decision; the supervisor's
statistics; the catalogue endpoints."""
import hashlib
from datetime import date, timedelta

from app.extensions import db
from tests.review.conftest import officer_user


def test_major_case_from_submission_to_approved_decision(app, client, major_case, make_reviewer, head_of,
                                                         bearer_of):
    with app.app_context():
        case = major_case("notified")
        case_id, officer_id = case.id, officer_user(case).id
        head_id = head_of(case.agency_id).id
        reviewer_id = make_reviewer(case.agency_id).id
    officer, head, reviewer = bearer_of(officer_id), bearer_of(head_id), bearer_of(reviewer_id)

    major = client.get(f"/api/reviews/cases/{case_id}/major", headers=officer).get_json()
    assert major["major"] is True and major["valid_approval_id"] is None
    assert "机关负责人认定为重大执法决定" in major["reasons"]

    # The decision is refused while no review exists.
    refused = client.post(f"/api/cases/{case_id}/actions/decide", json={}, headers=head)
    assert refused.status_code == 409 and refused.get_json()["error"] == "review_required"

    resp = client.post(f"/api/reviews/cases/{case_id}", headers=officer,
                       json={"evidence_list": ["现场检查笔录", "询问笔录", "现场照片12张"], "notes": "请审核"})
    assert resp.status_code == 201, resp.get_json()
    sub = resp.get_json()
    sid = sub["id"]
    assert sub["status"] == "submitted" and sub["round"] == 1
    assert sub["package"]["evidence_list"] == ["现场检查笔录", "询问笔录", "现场照片12张"]
    assert sub["clock"]["label"] == "剩余5个工作日" and sub["clock"]["limit"] == 5

    queue = client.get("/api/reviews/", headers=reviewer).get_json()
    assert [q["id"] for q in queue] == [sid]

    assert client.post(f"/api/reviews/{sid}/take", json={"declare_no_conflict": True},
                       headers=reviewer).status_code == 200
    resp = client.post(f"/api/reviews/{sid}/supplement-request", json={"items": ["现场照片原件"]}, headers=reviewer)
    assert resp.get_json()["clock"]["paused"] is True
    resp = client.post(f"/api/reviews/{sid}/supplement", json={"reply": "已补充现场照片原件"}, headers=officer)
    assert resp.status_code == 200 and resp.get_json()["status"] == "in_review"

    detail = client.get(f"/api/reviews/{sid}", headers=reviewer).get_json()
    assert detail["auto_checks"]["officer_qualification"]["ok"] is True
    assert [c["item"] for c in detail["checklist"]] == ["agency", "officer_qualification", "powers", "facts_evidence",
                                                         "legal_basis", "procedure", "documents", "crime_transfer"]
    refused = client.post(f"/api/reviews/{sid}/approve", json={"opinion": "同意"}, headers=reviewer)
    assert refused.status_code == 409 and len(refused.get_json()["details"]["unchecked"]) == 8
    for item in [c["item"] for c in detail["checklist"]]:
        resp = client.post(f"/api/reviews/{sid}/checklist", json={"item": item, "result": "pass"}, headers=reviewer)
        assert resp.status_code == 201, resp.get_json()
    resp = client.post(f"/api/reviews/{sid}/approve", headers=reviewer,
                       json={"opinion": "经审核，本案事实清楚，证据确凿，适用法律正确，程序合法，同意作出处罚决定。"})
    assert resp.status_code == 200, resp.get_json()
    approved = resp.get_json()
    assert approved["status"] == "approved" and approved["covers_current_draft"] is True
    opinion = approved["opinion"]
    assert opinion["number"].startswith("临城管法审〔")

    pdf = client.get(f"/api/reviews/{sid}/opinion.pdf", headers=officer)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert hashlib.sha256(pdf.data).hexdigest() == opinion["sha256"]

    resp = client.post(f"/api/cases/{case_id}/actions/decide", json={}, headers=head)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "decided"

    with app.app_context():
        from cases.models import Case

        decided = db.session.get(Case, case_id)
        assert decided.decision_number
        event = [e for e in decided.events if e.action == "decide"][-1]
        assert event.data["draft_sha256"] == approved["draft_sha256"]


def test_incomplete_package_is_422_with_missing(app, client, major_case, bearer_of):
    with app.app_context():
        case = major_case("hearing")
        case_id, officer_id = case.id, officer_user(case).id
    resp = client.post(f"/api/reviews/cases/{case_id}", json={}, headers=bearer_of(officer_id))
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["error"] == "package_incomplete"
    assert body["details"]["missing"] == ["听证报告（当事人已申请听证，尚无已完成的听证笔录）"]


def test_supervisor_stats(app, client, case_at, make_reviewer, make_officer, make_user, head_of, bearer_of):
    """Two agencies' reviews: approvals, returns, a breached time limit and the 5% reviewer ratio."""
    from cases import services as case_services
    from review import services

    with app.app_context():
        cases = [case_at("notified") for _ in range(3)]
        agency_id = cases[0].agency_id
        head = head_of(agency_id)
        reviewer = make_reviewer(agency_id)
        for case in cases:
            case_services.set_case_flags(case, actor=head, marked_major=True)
        subs = [services.submit_for_review(c, {}, actor=officer_user(c), on=date(2025, 9, 29)) for c in cases]
        for s in subs[:2]:
            services.take_review(s, actor=reviewer, declare_no_conflict=True, on=date(2025, 9, 30))
        for item in services.CHECKLIST:
            services.record_checklist(subs[0], item, "pass", actor=reviewer, on=date(2025, 10, 9))
        services.approve(subs[0], opinion="同意", actor=reviewer, on=date(2025, 10, 9))  # on time
        services.record_checklist(subs[1], "legal_basis", "problem", "裁量不当", actor=reviewer, on=date(2025, 10, 14))
        services.return_for_correction(subs[1], opinion="", actor=reviewer, on=date(2025, 10, 14))  # 1 day late
        # subs[2] is still waiting, long past its due date (2025-10-13).
        db.session.commit()
        supervisor = make_user(roles=("supervisor",))
    rows = client.get("/api/reviews/stats", headers=bearer_of(supervisor)).get_json()
    row = next(r for r in rows if r["agency_id"] == agency_id)
    assert (row["submissions"], row["open"], row["approved"], row["returned"], row["decided"]) == (3, 1, 1, 1, 2)
    assert row["return_rate"] == 50.0
    assert row["breaches"] == 2
    # Officers of the three cases (6, all certified) and one qualified reviewer: 1 ≥ ceil(6 × 5%) = 1.
    assert row["certified_officers"] == 6 and row["qualified_reviewers"] == 1
    assert row["reviewers_required"] == 1 and row["reviewer_ratio_reached"] is True

    # The HTML page shows the same numbers.
    from tests.helpers import PASSWORD  # noqa: F401

    page = client.get("/review/stats", headers=bearer_of(supervisor))
    assert page.status_code == 200 and "50.0%" in page.get_data(as_text=True)


def test_catalogue_api_create_publish_and_evaluate(app, client, case_at, head_of, bearer_of):
    with app.app_context():
        case = case_at("notified")
        case_id, head_id = case.id, head_of(case.agency_id).id
    head = bearer_of(head_id)
    resp = client.post("/api/reviews/catalogues", headers=head, json={
        "title": "重大执法决定法制审核目录", "items": [
            {"kind": "amount", "fine_at_least": "500", "label": "较大数额罚款"},
            {"kind": "penalty", "penalties": ["revoke_licence", "close"]}]})
    assert resp.status_code == 201, resp.get_json()
    catalogue = resp.get_json()
    assert catalogue["published_on"] is None
    assert client.get(f"/api/reviews/cases/{case_id}/major", headers=head).get_json()["major"] is False
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    resp = client.post(f"/api/reviews/catalogues/{catalogue['id']}/publish", json={"published_on": yesterday},
                       headers=head)
    assert resp.status_code == 200 and resp.get_json()["published_on"] == yesterday
    major = client.get(f"/api/reviews/cases/{case_id}/major", headers=head).get_json()
    assert major["major"] is True
    assert major["reasons"] == ["罚款1000元，达到较大数额罚款标准（500元以上）（重大执法决定法制审核目录第1项）"]
    again = client.post(f"/api/reviews/catalogues/{catalogue['id']}/publish", json={}, headers=head)
    assert again.status_code == 409
