"""SPEC §16: importing a year's calendar recomputes the open deadlines that depend on it, logs what moved on
each case (an event, hence a ledger entry), and never shortens a period the party was already given.

Two decisions served on 2026-11-25 with payment periods of 37 and 38 days (settings, so that the periods
end in 2027, which chinesecalendar 1.11.0 does not know): before the import 2027 counts Monday to Friday.
TEST DATA for 2027 (not the official notice): 1 January and 25 May off, Saturday 2 January a working day.
"""
from datetime import date

from app.extensions import db
from cases import services
from tests.cases.conftest import officer_user

D = date.fromisoformat


def _served(case_at, app, monkeypatch, days):
    monkeypatch.setitem(app.config, "PAYMENT_DAYS", days)
    case = case_at("decided")
    services.apply_action(case, "serve_decision", actor=officer_user(case), on=D("2026-11-25"),
                          data={"method": "direct", "served_on": "2026-11-25", "late_reason": "当事人外出"})
    db.session.commit()
    return case


def _due(case):
    return {d.kind: d.due_on for d in case.deadlines}


def test_import_moves_open_deadlines_and_logs_each_case(app, app_ctx, case_at, monkeypatch):
    from app.holidays import services as holidays

    a = _served(case_at, app, monkeypatch, 37)
    b = _served(case_at, app, monkeypatch, 38)
    assert _due(a)["payment"] == D("2027-01-01")  # a Friday, counted as a working day without the calendar
    assert _due(b)["payment"] == D("2027-01-04")  # Saturday 2 January moved to Monday
    assert _due(a)["court_application"] == D("2027-08-25")  # lawsuit window ends Tuesday 2027-05-25
    result = holidays.import_calendar(actor=None, year=2027, source="2027年放假安排（测试数据）",
                                      holidays=[{"date": "2027-01-01", "name": "元旦"}, {"date": "2027-05-25"}],
                                      workdays=[{"date": "2027-01-02", "name": "调休上班"}])
    db.session.commit()
    assert result.summaries == [{"feature": "cases", "cases": 2, "deadlines_moved": 3}]
    db.session.expire_all()
    # a: New Year's Day is off and the Saturday after it is a working day: the party pays by 2 January.
    assert _due(a)["payment"] == D("2027-01-02") and a.payment_due == D("2027-01-02")
    # b: the new calendar would end the party's period on 2 January, earlier than the 4th it was given.
    assert _due(b)["payment"] == D("2027-01-04")
    # both: the lawsuit window now ends on 26 May, so the agency's three months run to 26 August.
    assert _due(a)["court_application"] == _due(b)["court_application"] == D("2027-08-26")
    log_a = [e for e in a.events if e.action == "deadlines_recomputed"]
    log_b = [e for e in b.events if e.action == "deadlines_recomputed"]
    assert len(log_a) == len(log_b) == 1 and log_a[0].ledger_seq is not None
    changes = {c["kind"]: c for c in log_a[0].data["changes"]}
    assert changes["payment"]["from"] == "2027-01-01" and changes["payment"]["to"] == "2027-01-02"
    assert log_a[0].data["calendar_sha256"] == result.calendar.sha256
    kept = {c["kind"]: c for c in log_b[0].data["changes"]}["payment"]
    assert kept["kept"] and kept["computed"] == "2027-01-02" and "有利于当事人" in kept["note"]
    # Importing the same arrangement again moves nothing and logs nothing.
    again = holidays.import_calendar(actor=None, year=2027, source="2027年放假安排（测试数据）",
                                     holidays=[{"date": "2027-05-25"}, {"date": "2027-01-01", "name": "元旦"}],
                                     workdays=[{"date": "2027-01-02", "name": "调休上班"}])
    assert not again.changed
