"""The execution phase through the case page and the CLI (the same services, SPEC §11)."""
from datetime import date

from app.extensions import db
from cases.models import Case
from tests.cases.conftest import officer_user
from tests.helpers import extract_csrf


def _case(app, case_at):
    with app.app_context():
        case = case_at("served")
        from tests.cases.conftest import T  # noqa: F401

        return case.id, case.number, officer_user(case).id, officer_user(case).username


def test_case_page_payment_form_panel_and_reminder_button(app, client, login_as, case_at):
    case_id, _, officer_id, _ = _case(app, case_at)
    login_as(client, officer_id)
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="execution"' in html and "登记缴款" in html and "加处罚款" in html
    assert 'action="/cases/%d/actions/send_reminder"' % case_id in html
    token = extract_csrf(html)
    # a bad amount: 422, nothing recorded, the reason on the page
    resp = client.post(f"/cases/{case_id}/payments", data={"csrf_token": token, "amount": "5000",
                                                          "paid_on": "2025-10-10", "method": "bank"})
    assert resp.status_code == 422 and "超出2025-10-10应缴金额1000.00元" in resp.get_data(as_text=True)
    resp = client.post(f"/cases/{case_id}/payments", data={"csrf_token": token, "amount": "1000",
                                                          "paid_on": "2025-10-10", "method": "bank",
                                                          "receipt_number": "FS-77"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "已登记缴款" in html and "FS-77" in html
    with app.app_context():
        assert db.session.get(Case, case_id).status == "executed"


def test_reminder_refused_on_the_page_names_its_source(app, client, login_as, case_at):
    case_id, _, officer_id, _ = _case(app, case_at)
    login_as(client, officer_id)
    token = extract_csrf(client.get(f"/cases/{case_id}").get_data(as_text=True))
    # dated today (2026-12-02 or later): long after the due date, so the 催告 is allowed
    resp = client.post(f"/cases/{case_id}/actions/send_reminder", data={"csrf_token": token, "method": "direct"},
                       follow_redirects=True)
    assert resp.status_code == 200 and "案件现为“已催告”" in resp.get_data(as_text=True)
    resp = client.post(f"/cases/{case_id}/actions/suspend_execution", data={"csrf_token": token, "reason": "x"})
    assert resp.status_code == 403  # the head's decision, not the officer's


def test_cli_pay_plan_and_show(app, case_at, head_of):
    case_id, number, _, officer_name = _case(app, case_at)
    with app.app_context():
        head_name = head_of(db.session.get(Case, case_id).agency_id).username
    runner = app.test_cli_runner()
    r = runner.invoke(args=["cases", "plan", number, "--as", officer_name, "--data",
                            '{"kind": "deferral", "reason": "住院", "applied_on": "2025-10-10", '
                            '"deferred_until": "2025-12-31"}'])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["cases", "plan-decide", number, "1", "--approve", "--as", officer_name])
    assert r.exit_code != 0 and "行政处罚法第六十六条" in r.output
    r = runner.invoke(args=["cases", "plan-decide", number, "1", "--approve", "--as", head_name])
    assert r.exit_code == 0 and "已批准" in r.output, r.output
    r = runner.invoke(args=["cases", "pay", number, "--amount", "abc", "--as", officer_name])
    assert r.exit_code != 0 and "amount" in r.output
    r = runner.invoke(args=["cases", "pay", number, "--amount", "400", "--on", "2025-12-30", "--as", officer_name])
    assert r.exit_code == 0 and "已登记缴款400元" in r.output, r.output
    r = runner.invoke(args=["cases", "execution", number])
    assert r.exit_code == 0 and "应于2025-12-31前缴纳1000.00元" in r.output and "缴款400.00元" in r.output
    r = runner.invoke(args=["cases", "action", number, "send_reminder", "--as", officer_name,
                            "--on", "2026-01-05", "--data", '{"served_on": "2026-01-05"}'])
    assert r.exit_code == 0, r.output
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == "reminded" and case.payment_due == date(2025, 10, 15)
    r = runner.invoke(args=["cases", "statement", number, "--statement", "无力缴纳", "--not-adopted",
                            "--handling", "未提供证明", "--on", "2026-01-07", "--as", officer_name])
    assert r.exit_code == 0 and "不予采纳" in r.output, r.output
