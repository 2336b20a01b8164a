"""Supervision checks and the oversight JSON API: a plan, an annual check under it with findings linked to a
case and an officer, a spot check; a rectification issued and answered through the API."""
from app.extensions import db
from tests.supervision.conftest import bearer


def test_plan_check_findings_and_rectification(app, tree, make_case, login_as):
    case = make_case(agency=tree.a1)
    with app.app_context():
        from cases.models import Case

        officer_id = db.session.get(Case, case.id).officers[0].officer_id
    client = app.test_client()
    sk1, head1 = bearer(app, tree.sk1), bearer(app, tree.head1)
    plan = client.post("/api/supervision/plans", headers=sk1, json={
        "agency_id": tree.a1, "year": 2026, "title": "2026年度行政执法检查", "planned_on": "2026-06-15"})
    assert plan.status_code == 201, plan.get_json()
    again = client.post("/api/supervision/plans", headers=sk1, json={
        "agency_id": tree.a1, "year": 2026, "title": "2026年度行政执法检查", "planned_on": "2026-06-15"})
    assert again.status_code == 409
    annual_without_plan = client.post("/api/supervision/checks", headers=sk1, json={
        "agency_id": tree.a1, "kind": "annual", "checked_on": "2026-06-15", "summary": "x"})
    assert annual_without_plan.status_code == 422
    check = client.post("/api/supervision/checks", headers=sk1, json={
        "agency_id": tree.a1, "kind": "annual", "checked_on": "2026-06-15", "summary": "抽查案卷10件",
        "plan_id": plan.get_json()["id"],
        "findings": [{"text": "询问笔录未由两名执法人员签名", "case_id": case.id, "officer_id": officer_id}]})
    assert check.status_code == 201, check.get_json()
    finding = check.get_json()["findings"][0]
    assert finding["case_id"] == case.id and finding["officer_id"] == officer_id
    sibling = client.post("/api/supervision/checks", headers=bearer(app, tree.sk2), json={
        "agency_id": tree.a1, "kind": "spot", "checked_on": "2026-06-15", "summary": "x"})
    assert sibling.status_code == 404  # another county's agency is not in scope
    page = login_as(app.test_client(), tree.sk1).get("/supervision/checks").get_data(as_text=True)
    assert "2026年度行政执法检查" in page and "询问笔录未由两名执法人员签名" in page

    rect = client.post("/api/supervision/rectifications", headers=sk1,
                       json={"agency_id": tree.a1, "findings": ["询问笔录未由两名执法人员签名"], "due_working_days": 10})
    assert rect.status_code == 201
    rid = rect.get_json()["id"]
    assert client.post(f"/api/supervision/rectifications/{rid}/decision", headers=sk1,
                       json={"decision": "accepted"}).status_code == 409  # nothing reported yet
    assert client.post(f"/api/supervision/rectifications/{rid}/report", headers=head1,
                       json={"text": "已补签并培训"}).status_code == 201
    done = client.post(f"/api/supervision/rectifications/{rid}/decision", headers=sk1, json={"decision": "accepted"})
    assert done.status_code == 200 and done.get_json()["status"] == "accepted"
    listed = client.get("/api/supervision/rectifications", headers=head1).get_json()
    assert [r["id"] for r in listed] == [rid]
    assert client.get("/api/supervision/rectifications", headers=bearer(app, tree.head2)).get_json() == []

    acc = client.post(f"/api/supervision/findings/{finding['id']}/accountability", headers=sk1,
                      json={"measure": "criticism", "reason": "笔录不规范"})
    assert acc.status_code == 201
    did = acc.get_json()["id"]
    early = client.post(f"/api/supervision/accountability/{did}/actions/execute", headers=sk1, json={})
    assert early.status_code == 409 and "陈述和申辩" in early.get_json()["message"]
    assert client.post(f"/api/supervision/accountability/{did}/actions/statement", headers=sk1,
                       json={"statement": "认可"}).status_code == 200
    assert client.post(f"/api/supervision/accountability/{did}/actions/execute", headers=sk1,
                       json={}).get_json()["status"] == "executed"
