"""Issue 13: the advance notice served by announcement (公告送达) takes effect 30 days later
(民事诉讼法第九十五条), and the defence and hearing-request windows start then (APL Art 44, 64); each advance
notice of a case keeps what it told the party, so the case file shows the first notice as it was served and
the renotice as it was served (APL Art 62).

Dates follow tests/cases/conftest.py's 2025 timeline (investigation closed 2025-09-19, filed 2025-09-16).
"""
import json
from datetime import date

import pytest

from app.extensions import db
from cases import services
from cases.models import Case
from cases.services import GuardFailed
from tests.cases.conftest import DEFAULT_DRAFT, T, officer_user
from tests.cases.test_procedure_details import document_text

pytestmark = pytest.mark.usefixtures("app_ctx")


def test_notice_by_announcement_opens_the_defence_window_thirty_days_later(case_at, head_of, tmp_path):
    case = case_at("investigated")
    officer, head = officer_user(case), head_of(case.agency_id)
    services.apply_action(case, "serve_notice", actor=officer, on=T.notice,
                          data={"served_on": "2025-09-22", "method": "announcement"})
    # 2025-09-22 + 30 days = 2025-10-22 (a Wednesday); five working days after it end on 2025-10-29.
    assert case.notice_method == "announcement" and case.notice_effective_on == date(2025, 10, 22)
    defence = next(d for d in case.deadlines if d.kind == "defence")
    assert defence.start_on == date(2025, 10, 22) and defence.due_on == date(2025, 10, 29)
    with pytest.raises(GuardFailed) as info:
        services.apply_action(case, "decide", actor=head, on=date(2025, 10, 29))
    assert "陈述、申辩期限尚未届满（至2025-10-29）" in info.value.message
    text = document_text(case, "advance_notice", tmp_path)
    assert "本告知书以公告方式送达" in text and "2025年10月22日" in text and "民事诉讼法》第九十五条" in text
    assert "2025年10月29日前" in text
    services.apply_action(case, "decide", actor=head, on=date(2025, 10, 30))
    assert case.status == "decided"


def test_notice_served_directly_starts_the_window_the_same_day(case_at):
    case = case_at("notified")  # served directly on 2025-09-22
    assert case.notice_method == "direct" and case.notice_effective_on == T.notice
    # 28 September 2025 is a make-up working day (调休).
    assert next(d for d in case.deadlines if d.kind == "defence").due_on == date(2025, 9, 28)


def test_hearing_request_window_runs_from_the_effective_service(case_at):
    draft = {**DEFAULT_DRAFT, "tier": "严重", "fine": "20000"}  # a large fine: the hearing right (APL Art 63)
    case = case_at("investigated", draft=draft)
    officer = officer_user(case)
    services.apply_action(case, "serve_notice", actor=officer, on=T.notice,
                          data={"served_on": "2025-09-22", "method": "announcement"})
    assert next(d for d in case.deadlines if d.kind == "hearing_request").due_on == date(2025, 10, 29)
    # Asked on 2025-10-27: late by the announcement's day, in time by its effective day.
    services.apply_action(case, "request_hearing", actor=officer, on=date(2025, 10, 27),
                          data={"requested_on": "2025-10-27"})
    assert case.status == "hearing"


def test_electronic_notice_needs_the_partys_consent(case_at):
    case = case_at("investigated")
    with pytest.raises(GuardFailed) as info:
        services.apply_action(case, "serve_notice", actor=officer_user(case), on=T.notice,
                              data={"served_on": "2025-09-22", "method": "electronic"})
    assert "采用电子送达须经当事人书面同意（行政处罚法第六十一条）" in info.value.message
    assert case.status == "investigated" and case.notice_served_on is None


def test_notice_by_announcement_through_the_cli(app, case_at):
    case = case_at("investigated")
    case_id, officer = case.id, officer_user(case).username
    db.session.commit()
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["cases", "action", str(case_id), "serve_notice", "--as", officer, "--on", "2025-09-22",
                              "--data", json.dumps({"served_on": "2025-09-22", "method": "pigeon"})])
    assert bad.exit_code != 0 and "validation_error" in bad.output and "method" in bad.output
    result = runner.invoke(args=["cases", "action", str(case_id), "serve_notice", "--as", officer, "--on",
                                 "2025-09-22", "--data", json.dumps({"served_on": "2025-09-22",
                                                                     "method": "announcement"})])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert case.notice_effective_on == date(2025, 10, 22)
    assert next(d for d in case.deadlines if d.kind == "defence").due_on == date(2025, 10, 29)


def test_case_file_renders_each_advance_notice_with_its_own_content(case_at, head_of, tmp_path):
    case = case_at("notified")  # first notice: 1,000 yuan, served 2025-09-22 (defence until 2025-09-28)
    officer, head = officer_user(case), head_of(case.agency_id)
    services.save_draft(case, {**DEFAULT_DRAFT, "fine": "3000"}, actor=officer)
    services.apply_action(case, "serve_notice", actor=officer, data={"served_on": "2025-09-30"}, on=T.decided)
    first, second = [d for d in case.documents if d.kind == "advance_notice"]
    assert first.snapshot["noticed"]["fine"] == "1000.00" and first.snapshot["number"] == 1
    assert second.snapshot["noticed"]["fine"] == "3000.00" and second.snapshot["number"] == 2
    services.apply_action(case, "decide", actor=head, on=date(2025, 10, 15))
    services.apply_action(case, "serve_decision", actor=officer, on=date(2025, 10, 15),
                          data={"method": "direct", "served_on": "2025-10-15"})
    services.apply_action(case, "record_execution", actor=officer, on=date(2025, 10, 16),
                          data={"paid_amount": "3000", "paid_on": "2025-10-16"})
    services.apply_action(case, "close", actor=head, on=date(2025, 10, 17))
    services.apply_action(case, "archive", actor=officer, on=date(2025, 10, 17))
    text = document_text(case, "case_file", tmp_path)
    # Each notice's body from its intended penalty to its closing note, in the order they were served.
    bodies = [part.split("本告知书一式两份")[0] for part in text.split("本机关拟对你作出如下行政处罚：")[1:]]
    assert len(bodies) == 2
    first_body, second_body = bodies
    assert first_body.startswith("罚款人民币壹仟元整") and second_body.startswith("罚款人民币叁仟元整")
    assert "本告知书系重新告知" not in first_body and "2025年9月28日前" in first_body
    assert "本告知书系重新告知" in second_body and "2025年10月14日前" in second_body


# --- finding 1 at the web page and the CLI; the notice's service method on the page ----------------------------

def _post(client, url, data, form_url):
    from tests.helpers import extract_csrf

    token = extract_csrf(client.get(form_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_heavier_decision_refused_on_the_page(app, client, login_as, case_at, head_of):
    case = case_at("notified")
    services.save_draft(case, {**DEFAULT_DRAFT, "fine": "3000"}, actor=officer_user(case))
    case_id, head_id = case.id, head_of(case.agency_id).id
    db.session.commit()
    login_as(client, head_id)
    resp = _post(client, f"/cases/{case_id}/actions/decide", {}, f"/cases/{case_id}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "罚款由告知的1000元提高到3000元" in html and "须重新送达行政处罚事先告知书" in html and "第六十二条" in html
    db.session.expire_all()
    assert db.session.get(Case, case_id).status == "notified"


def test_heavier_decision_refused_then_renoticed_through_the_cli(app, case_at, head_of):
    case = case_at("notified")
    officer = officer_user(case)
    services.save_draft(case, {**DEFAULT_DRAFT, "fine": "3000"}, actor=officer)
    case_id, officer_name, head_name = case.id, officer.username, head_of(case.agency_id).username
    db.session.commit()
    runner = app.test_cli_runner()

    def run(action, user, on, data=None):
        return runner.invoke(args=["cases", "action", str(case_id), action, "--as", user, "--on", on,
                                   "--data", json.dumps(data or {})])

    refused = run("decide", head_name, "2025-09-30")
    assert refused.exit_code != 0 and "罚款由告知的1000元提高到3000元" in refused.output
    assert "第六十二条" in refused.output
    assert run("serve_notice", officer_name, "2025-09-30", {"served_on": "2025-09-30"}).exit_code == 0
    early = run("decide", head_name, "2025-10-14")
    assert early.exit_code != 0 and "陈述、申辩期限尚未届满（至2025-10-14）" in early.output
    decided = run("decide", head_name, "2025-10-15")
    assert decided.exit_code == 0, decided.output
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert case.status == "decided" and case.notice_count == 2 and str(case.fine_amount) == "3000.00"


def test_notice_by_announcement_through_the_page(app, client, login_as, make_case, head_of):
    from datetime import timedelta

    from app import calendar
    from app.timeutil import today_china

    today = today_china()
    case = make_case(violation_on=today - timedelta(days=45), on=today - timedelta(days=40))
    officer, head = officer_user(case), head_of(case.agency_id)
    services.apply_action(case, "submit_filing", actor=officer, on=today - timedelta(days=40))
    services.apply_action(case, "approve_filing", actor=head, on=today - timedelta(days=39))
    services.save_draft(case, DEFAULT_DRAFT, actor=officer)
    services.apply_action(case, "close_investigation", actor=officer, on=today - timedelta(days=38))
    case_id, officer_id = case.id, officer.id
    db.session.commit()
    login_as(client, officer_id)
    form = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'value="announcement"' in form  # the notice's service method is asked for
    served = today - timedelta(days=35)
    resp = _post(client, f"/cases/{case_id}/actions/serve_notice",
                 {"served_on": served.isoformat(), "method": "announcement"}, f"/cases/{case_id}")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    effective = served + timedelta(days=30)
    while not calendar.is_working_day(effective):
        effective += timedelta(days=1)
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert case.notice_method == "announcement" and case.notice_effective_on == effective
    defence = next(d for d in case.deadlines if d.kind == "defence")
    assert defence.start_on == effective and defence.due_on == calendar.add_working_days(effective, 5)
