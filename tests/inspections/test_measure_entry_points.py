"""The same measure rules through the JSON API, the CLI and the HTML pages (the services are tested in
test_measures.py): a measure requested, approved, taken and partly released over HTTP, the rest released
from the CLI, refusals as 4xx with the legal source, and the pages a user sees."""
from datetime import datetime, timedelta, timezone

from app.extensions import db
from inspections.models import CoerciveMeasure
from tests.cases.conftest import officer_user
from tests.helpers import bearer

ITEMS = [{"name": "假冒白酒", "quantity": 24, "unit": "瓶", "place": "仓库", "condition": "未开封"},
         {"name": "包装箱", "quantity": 4, "unit": "个"}]


def _token(app, user_id):
    from app.auth.models import User
    from app.auth.services import issue_token

    with app.app_context():
        raw, _ = issue_token(db.session.get(User, user_id), "t")
        db.session.commit()
        return raw


def test_api_flow_and_cli_release(app, case_at, head_of, client):
    with app.app_context():
        case = case_at("investigating")
        case_id, officer_id, head_id = case.id, officer_user(case).id, head_of(case.agency_id).id
        head_name = head_of(case.agency_id).username
        officer_name = officer_user(case).username
    off, head = bearer(_token(app, officer_id)), bearer(_token(app, head_id))
    resp = client.post(f"/api/cases/{case_id}/measures", json={"kind": "seize", "reason": "涉嫌销售假冒白酒",
                                                                "basis": "《产品质量法》第十八条"}, headers=off)
    assert resp.status_code == 422 and "行政强制法第二十四条" in resp.get_json()["message"]
    resp = client.post(f"/api/cases/{case_id}/measures", json={"kind": "seize", "reason": "涉嫌销售假冒白酒",
                                                                "basis": "《产品质量法》第十八条", "items": ITEMS},
                       headers=off)
    assert resp.status_code == 201, resp.get_json()
    mid = resp.get_json()["id"]
    start = datetime.now(timezone.utc) - timedelta(hours=3)
    take = {"started_at": start.isoformat(), "ended_at": (start + timedelta(minutes=30)).isoformat(),
            "place": "临江市新市街9号"}
    resp = client.post(f"/api/measures/{mid}/take", json=take, headers=off)
    assert resp.status_code == 409 and "行政强制法第十八条" in resp.get_json()["message"]
    assert client.post(f"/api/measures/{mid}/decision", json={"approve": True}, headers=off).status_code == 403
    assert client.post(f"/api/measures/{mid}/decision", json={"approve": "yes"}, headers=head).status_code == 422
    assert client.post(f"/api/measures/{mid}/decision", json={"approve": True}, headers=head).status_code == 200
    resp = client.post(f"/api/measures/{mid}/take", json=take, headers=off)
    assert resp.status_code == 200 and resp.get_json()["status"] == "in_force"
    items = resp.get_json()["items"]
    resp = client.post(f"/api/measures/{mid}/release", json={"ground": "unrelated", "items": [
        {"item_id": items[1]["id"], "quantity": 4}]}, headers=off)
    assert resp.status_code == 200 and resp.get_json()["items"][1]["held"] == "0"
    resp = client.post(f"/api/measures/{mid}/extension", json={"days": 45, "reason": "复杂"}, headers=head)
    assert resp.status_code == 422 and "不得超过30日" in resp.get_json()["message"]
    detail = client.get(f"/api/measures/{mid}", headers=off).get_json()
    assert [e["action"] for e in detail["events"]] == ["requested", "approved", "taken", "released"]
    runner = app.test_cli_runner()
    r = runner.invoke(args=["inspections", "measure-extend", str(mid), "--as", officer_name, "--reason", "复杂"])
    assert r.exit_code == 1 and "负责人批准" in r.output
    r = runner.invoke(args=["inspections", "measure-extend", str(mid), "--as", head_name, "--days", "20",
                            "--reason", "需核查进货来源"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["inspections", "measure-release", str(mid), "--as", officer_name, "--ground",
                            "no_longer_needed", "--item", f"{items[0]['id']}=30"])
    assert r.exit_code == 1 and "仅余24瓶" in r.output
    r = runner.invoke(args=["inspections", "measure-release", str(mid), "--as", officer_name, "--ground",
                            "no_longer_needed"])
    assert r.exit_code == 0 and "已解除" in r.output
    with app.app_context():
        m = db.session.get(CoerciveMeasure, mid)
        assert m.status == "released" and m.extended_days == 20
        assert [d.kind for d in m.case.documents].count("measure_release") == 2


def test_pages(app, case_at, head_of, client, login_as, csrf_token):
    with app.app_context():
        case = case_at("investigating")
        case_id, officer_id, head_id = case.id, officer_user(case).id, head_of(case.agency_id).id
    login_as(client, officer_id)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "行政强制措施" in page and f"/cases/{case_id}/measures/new" in page
    token = csrf_token(client, f"/cases/{case_id}/measures/new")
    form = {"csrf_token": token, "kind": "seal", "reason": "无证经营，可能转移", "basis": "《无证无照经营查处办法》第十一条",
            "item_name": ["烧烤炉"], "item_quantity": ["2"], "item_unit": ["台"], "item_place": ["店内"],
            "item_condition": ["使用中"]}
    resp = client.post(f"/cases/{case_id}/measures/new", data={**form, "basis": ""})
    assert resp.status_code == 422 and "法律依据" in resp.get_data(as_text=True)
    resp = client.post(f"/cases/{case_id}/measures/new", data=form)
    assert resp.status_code == 302
    mid = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    page = client.get(f"/measures/{mid}").get_data(as_text=True)
    assert "烧烤炉" in page and "待批准" in page
    # The officer may not approve: refused with the rule, nothing changes.
    resp = client.post(f"/measures/{mid}/decision", data={"csrf_token": token, "approve": "1"}, follow_redirects=True)
    assert "行政强制法第十八条" in resp.get_data(as_text=True)
    login_as(client, head_id)
    token = csrf_token(client, f"/measures/{mid}")
    client.post(f"/measures/{mid}/decision", data={"csrf_token": token, "approve": "1"})
    assert "已批准待实施" in client.get(f"/measures/{mid}").get_data(as_text=True)
    overview = client.get("/measures").get_data(as_text=True)
    assert "行政强制措施监督" in overview
