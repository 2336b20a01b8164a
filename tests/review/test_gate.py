"""The gate (SPEC §6.1: 未经法制审核或者审核未通过的，不得作出决定) at every entry point: the web UI, the JSON
API and the CLI refuse to decide a major case before an approval, with the reason, and allow it after."""
import pytest

from app.extensions import db
from tests.helpers import extract_csrf
from tests.review.conftest import MAJOR_DRAFT

RULE = "未经法制审核或者审核未通过的，不得作出决定"


@pytest.fixture
def gated(app, major_case, head_of, make_reviewer):
    """(case_id, head user id, head username, reviewer) for a major case at "notified", not yet reviewed."""
    with app.app_context():
        case = major_case("notified")
        head = head_of(case.agency_id)
        reviewer = make_reviewer(case.agency_id)
        return case.id, head.id, head.username, reviewer.id


def _status(app, case_id):
    from cases.models import Case

    with app.app_context():
        return db.session.get(Case, case_id).status


def _approve(app, approve_case, case_id, reviewer):
    from cases.models import Case

    with app.app_context():
        approve_case(db.session.get(Case, case_id), reviewer)


def test_web_ui_refuses_then_allows(app, client, login_as, gated, approve_case):
    case_id, head_id, _, reviewer = gated
    login_as(client, head_id)
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200
    resp = client.post(f"/cases/{case_id}/actions/decide", data={"csrf_token": extract_csrf(page.get_data(as_text=True))})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert RULE in html and "机关负责人认定为重大执法决定" in html
    assert _status(app, case_id) == "notified"

    _approve(app, approve_case, case_id, reviewer)
    page = client.get(f"/cases/{case_id}")
    resp = client.post(f"/cases/{case_id}/actions/decide", data={"csrf_token": extract_csrf(page.get_data(as_text=True))})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    assert _status(app, case_id) == "decided"


def test_json_api_refuses_then_allows(app, client, bearer_of, gated, approve_case):
    case_id, head_id, _, reviewer = gated
    headers = bearer_of(head_id)
    resp = client.post(f"/api/cases/{case_id}/actions/decide", json={}, headers=headers)
    assert resp.status_code == 409
    body = resp.get_json()
    assert body["error"] == "review_required"
    assert RULE in body["message"]
    assert body["details"]["problems"]["legal_review"][1] == "尚未提交法制审核"

    _approve(app, approve_case, case_id, reviewer)
    resp = client.post(f"/api/cases/{case_id}/actions/decide", json={}, headers=headers)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "decided"


def test_cli_refuses_then_allows(app, gated, approve_case, recent):
    case_id, _, head_username, reviewer = gated
    runner = app.test_cli_runner()
    args = ["cases", "action", str(case_id), "decide", "--as", head_username, "--on", recent.today.isoformat()]
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert "review_required" in result.output and RULE in result.output
    assert _status(app, case_id) == "notified"

    _approve(app, approve_case, case_id, reviewer)
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert _status(app, case_id) == "decided"


def test_every_entry_point_refuses_after_the_draft_changed(app, client, bearer_of, login_as, gated, approve_case,
                                                           recent):
    from cases import services as case_services
    from cases.models import Case
    from tests.review.conftest import officer_user

    case_id, head_id, head_username, reviewer = gated
    _approve(app, approve_case, case_id, reviewer)
    with app.app_context():
        case = db.session.get(Case, case_id)
        case_services.save_draft(case, {**MAJOR_DRAFT, "fine": "80000"}, actor=officer_user(case))
        db.session.commit()

    resp = client.post(f"/api/cases/{case_id}/actions/decide", json={}, headers=bearer_of(head_id))
    assert resp.status_code == 409 and "已被修改" in resp.get_json()["message"]
    assert "须重新审核" in resp.get_json()["message"]

    result = app.test_cli_runner().invoke(args=["cases", "action", str(case_id), "decide", "--as", head_username,
                                                "--on", recent.today.isoformat()])
    assert result.exit_code != 0 and "已被修改" in result.output

    login_as(client, head_id)
    page = client.get(f"/cases/{case_id}")
    resp = client.post(f"/cases/{case_id}/actions/decide", data={"csrf_token": extract_csrf(page.get_data(as_text=True))})
    assert resp.status_code == 409 and "已被修改" in resp.get_data(as_text=True)
    assert _status(app, case_id) == "notified"


def test_non_major_case_is_not_gated(app, case_at):
    from cases.models import Case

    with app.app_context():
        case = case_at("decided")  # a 1,000 yuan fine: decided without any review
        assert db.session.get(Case, case.id).status == "decided"
