"""SPEC §16: without a calendar for a year, every screen that computes or shows a deadline in it warns
loudly (the HTML banner, the X-Calendar-Missing header and `calendar_known` in the API); the warning goes
away once a supervisor imports the year. 2027 is unknown to chinesecalendar 1.11.0."""
from datetime import date

from app.extensions import db
from tests.cases.conftest import officer_user

ARRANGEMENT = {"year": 2027, "source": "2027年放假安排（测试数据）",
               "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"}], "workdays": []}
BANNER = "2027年的法定节假日安排尚未导入"


def _case_with_a_2027_deadline(app, case_at):
    from cases import services

    with app.app_context():
        case = case_at("investigating")
        services.set_deadline(case, "decision", date(2027, 1, 5))  # a fixed date, no rule
        db.session.commit()
        return case.id, officer_user(case).id


def test_case_page_and_api_warn_until_the_year_is_imported(app, client, login_as, case_at, make_user):
    case_id, officer_id = _case_with_a_2027_deadline(app, case_at)
    login_as(client, officer_id)
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert BANNER in html
    resp = client.get(f"/api/cases/{case_id}/deadlines")
    assert resp.headers.get("X-Calendar-Missing") == "2027"
    assert {d["kind"]: d["calendar_known"] for d in resp.get_json()}["decision"] is False
    # A page without any deadline in 2027 does not cry wolf.
    assert BANNER not in client.get("/calendar/").get_data(as_text=True)

    with app.app_context():
        from app.holidays import services as holidays

        holidays.import_calendar(actor=None, **ARRANGEMENT)
        db.session.commit()
    assert BANNER not in client.get(f"/cases/{case_id}").get_data(as_text=True)
    resp = client.get(f"/api/cases/{case_id}/deadlines")
    assert "X-Calendar-Missing" not in resp.headers
    assert all(d["calendar_known"] for d in resp.get_json())


def test_cli_prints_the_same_warning_until_the_year_is_imported(app, client, login_as, case_at):
    from app.holidays.services import missing_warning

    case_id, officer_id = _case_with_a_2027_deadline(app, case_at)
    runner = app.test_cli_runner()
    for args in (["cases", "show", str(case_id)], ["cases", "deadlines", "--days", "1000", "--on", "2026-12-01"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        assert "2027-01-05" in result.output
        assert missing_warning([2027], "本次命令中") in result.output, args
    # The words are the web banner's.
    login_as(client, officer_id)
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "⚠ 日历缺失：2027年的法定节假日安排尚未导入。" in html
    assert "落在该年度的期限按周一至周五计算，未计入法定节假日和调休，可能有误（SPEC §9、§16）" in html
    # A command that touches no 2027 date stays quiet.
    quiet = runner.invoke(args=["cases", "list"])
    assert quiet.exit_code == 0 and str(case_id) in quiet.output and BANNER not in quiet.output

    with app.app_context():
        from app.holidays import services as holidays

        holidays.import_calendar(actor=None, **ARRANGEMENT)
        db.session.commit()
    result = runner.invoke(args=["cases", "show", str(case_id)])
    assert result.exit_code == 0 and "2027-01-05" in result.output and BANNER not in result.output
