"""JSON API wiring: create, issue, lifecycle, check, the two-officer check, field errors as 422."""
from datetime import timedelta

from app.timeutil import today_china


def test_register_issue_and_act(client, world, bearer):
    h = bearer(world.supervisor)
    today = today_china()
    resp = client.post("/api/officers/", headers=h, json={
        "name": "王强", "agency_id": world.agency_a, "employment_type": "established", "username": "cg_wangqiang"})
    assert resp.status_code == 201
    officer = resp.get_json()
    assert officer["username"] == "cg_wangqiang" and officer["failures_today"][0]["code"] == "no_certificate"
    resp = client.post(f"/api/officers/{officer['id']}/examinations", headers=h, json={
        "taken_on": today.isoformat(), "score": "86", "passed": True, "organiser": "白山市司法局"})
    assert resp.status_code == 201
    resp = client.post(f"/api/officers/{officer['id']}/certificates", headers=h, json={
        "number": "220681100001", "categories": ["城市管理"], "area_code": "220681",
        "issued_on": today.isoformat(), "expires_on": (today + timedelta(days=900)).isoformat()})
    assert resp.status_code == 201
    cert = resp.get_json()
    assert cert["status"] == "valid" and cert["events"][0]["kind"] == "issued" and cert["failures"] == []

    resp = client.post(f"/api/officers/certificates/{cert['id']}/events", headers=h, json={
        "action": "revoke", "on": today.isoformat(), "reason": "涂改证件", "reason_type": "altered"})
    assert resp.status_code == 201 and resp.get_json()["kind"] == "revoked"
    check = client.get(f"/api/officers/{officer['id']}/check", headers=h).get_json()
    assert check["ok"] is False and check["failures"][0]["message"] == f"证件已吊销（吊销日期{today.isoformat()}）"
    # The revocation for altering bars a new certificate.
    resp = client.post(f"/api/officers/{officer['id']}/certificates", headers=h, json={
        "number": "220681100002", "categories": ["城市管理"], "area_code": "220681",
        "issued_on": today.isoformat(), "expires_on": (today + timedelta(days=900)).isoformat()})
    assert resp.status_code == 422 and resp.get_json()["error"] == "certificate_refused"
    assert "因涂改证件被吊销行政执法证件的，2年内不得重新申领" in resp.get_json()["message"]


def test_field_errors_are_422(client, world, bearer, make_officer):
    h = bearer(world.supervisor)
    resp = client.post("/api/officers/", headers=h, json={"name": "", "employment_type": "boss"})
    body = resp.get_json()
    assert resp.status_code == 422 and {"name", "agency_id", "employment_type"} <= set(body["details"]["fields"])
    _, cert_id = make_officer(world.agency_a)
    resp = client.post(f"/api/officers/certificates/{cert_id}/events", headers=h,
                       json={"action": "explode", "on": "2026-13-01"})
    assert resp.status_code == 422 and {"action", "on"} <= set(resp.get_json()["details"]["fields"])


def test_check_with_category_area_and_date(client, world, bearer, make_officer):
    officer_id, _ = make_officer(world.agency_a, categories=("住建",))
    h = bearer(world.head_a)
    body = client.get(f"/api/officers/{officer_id}/check", headers=h,
                      query_string={"category": "城市管理", "area": "抚松县"}).get_json()
    assert [f["code"] for f in body["failures"]] == ["category_missing", "area_missing"]
    assert client.get(f"/api/officers/{officer_id}/check", headers=h,
                      query_string={"area": "火星"}).status_code == 422


def test_check_team(client, world, bearer, make_officer):
    a, _ = make_officer(world.agency_a, name="王强")
    b, _ = make_officer(world.agency_a, name="刘洋")
    c, _ = make_officer(world.agency_a, name="孙浩", employment="auxiliary", cert=False)
    h = bearer(world.supervisor)
    ok = client.post("/api/officers/check-team", headers=h, json={"officer_ids": [a, b], "category": "城市管理"})
    assert ok.get_json()["ok"] is True
    same = client.post("/api/officers/check-team", headers=h, json={"officer_ids": [a, a]}).get_json()
    assert same["ok"] is False and same["passing"] == [a]
    bad = client.post("/api/officers/check-team", headers=h, json={"officer_ids": [a, c]}).get_json()
    assert bad["ok"] is False
    assert [o["failures"][0]["message"] for o in bad["officers"] if o["name"] == "孙浩"] == [
        "辅助人员不得从事执法活动（用工性质：辅助）"]


def test_lists_are_limited_to_the_heads_agency(client, world, bearer, make_officer):
    make_officer(world.agency_a, name="王强")
    make_officer(world.agency_b, name="周静", categories=("市场监管",))
    names = [o["name"] for o in client.get("/api/officers/", headers=bearer(world.head_b)).get_json()]
    assert names == ["周静"]
    certs = client.get("/api/officers/certificates", headers=bearer(world.head_b)).get_json()
    assert [c["officer_name"] for c in certs] == ["周静"]
    everyone = client.get("/api/officers/", headers=bearer(world.supervisor)).get_json()
    assert sorted(o["name"] for o in everyone) == ["周静", "王强"]
    kpi = client.get("/api/officers/kpi", headers=bearer(world.head_b)).get_json()
    assert [(k["agency_name"], k["certified"]) for k in kpi] == [("临江市市场监督管理局", 1)]
