"""Importing a year's official holiday arrangement (SPEC §16): service, web form and file, JSON API, CLI.

The 2027 arrangement below is TEST DATA in the shape of a State Council notice (New Year 1–3 January,
Spring Festival 6–13 February with make-up working days on Sunday 14 February and Saturday 20 February);
it is not a reproduction of the real notice. The `chinesecalendar` package (1.11.0) does not know 2027,
so before the import the system counts Monday to Friday and must say so.
"""
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from app import calendar
from app.errors import InvalidInput, PermissionDenied
from app.extensions import db
from app.holidays import services
from app.holidays.models import HolidayCalendar
from app.ledger.models import LedgerEntry
from tests.helpers import bearer, extract_csrf

D = date.fromisoformat

SOURCE = "国务院办公厅关于2027年部分节假日安排的通知（测试数据）"
ARRANGEMENT = {
    "year": 2027, "source": SOURCE,
    "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"},
                 {"name": "春节", "from": "2027-02-06", "to": "2027-02-13"}],
    "workdays": [{"name": "春节调休上班", "date": "2027-02-14"}, "2027-02-20"],
}
CSV = ("date,type,name\n2027-01-01~2027-01-03,holiday,元旦\n2027-02-06~2027-02-13,放假,春节\n"
       "2027-02-14,workday,春节调休上班\n2027-02-20,上班,春节调休上班\n")


def _entries(kind="calendar.imported"):
    return db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == kind)).all()


@pytest.fixture
def supervisor(make_user):
    return make_user(roles=("supervisor",), username="jiandu")


def test_2027_is_unknown_before_the_import(app_ctx):
    assert calendar.calendar_source(2027) is None
    assert calendar.is_working_day(D("2027-01-01"))  # a Friday: the Mon-Fri fallback
    assert calendar.calendar_source(2026) == "package"


def test_import_makes_the_year_official_and_enters_it_in_the_ledger(app_ctx):
    result = services.import_calendar(actor=None, **ARRANGEMENT)
    db.session.commit()
    assert result.changed
    assert calendar.calendar_source(2027) == "imported"
    assert not calendar.is_working_day(D("2027-01-01"))  # New Year (Friday) off
    assert not calendar.is_working_day(D("2027-02-08"))  # Spring Festival Monday off
    assert calendar.is_working_day(D("2027-02-14"))  # make-up Sunday
    assert calendar.is_working_day(D("2027-02-20"))  # make-up Saturday
    assert not calendar.is_working_day(D("2027-02-21"))  # ordinary Sunday
    # 31 Dec 2026 (Thu) + 1 working day: Fri 1 Jan is New Year, the weekend follows -> Mon 4 Jan.
    assert calendar.add_working_days(D("2026-12-31"), 1) == D("2027-01-04")
    assert calendar.next_working_day(D("2027-02-06")) == D("2027-02-14")
    (entry,) = _entries()
    body = json.loads(entry.body)
    payload = body.get("payload", body)
    assert payload["year"] == 2027 and payload["sha256"] == result.calendar.sha256
    assert "2027-02-08" in [h["date"] for h in payload["holidays"]]
    assert payload["replaces"] == "weekdays"
    assert result.calendar.ledger_seq == entry.seq


def test_a_second_identical_import_changes_nothing(app_ctx):
    services.import_calendar(actor=None, **ARRANGEMENT)
    db.session.commit()
    again = services.import_calendar(actor=None, **{**ARRANGEMENT, "holidays": list(reversed(ARRANGEMENT["holidays"]))})
    db.session.commit()
    assert not again.changed
    assert db.session.scalar(select(func.count(HolidayCalendar.id))) == 1
    assert len(_entries()) == 1


def test_a_corrected_import_replaces_the_one_in_force_and_keeps_history(app_ctx):
    services.import_calendar(actor=None, **ARRANGEMENT)
    db.session.commit()
    corrected = {**ARRANGEMENT, "holidays": ARRANGEMENT["holidays"] + [{"name": "清明节", "date": "2027-04-05"}]}
    result = services.import_calendar(actor=None, **corrected)
    db.session.commit()
    assert result.changed and not calendar.is_working_day(D("2027-04-05"))
    assert [r.id for r in services.history(2027)] == [result.calendar.id, result.calendar.id - 1]
    second = json.loads(_entries()[-1].body)
    assert second.get("payload", second)["previous_sha256"] == services.history(2027)[1].sha256


def test_an_imported_year_overrides_the_package(app_ctx):
    assert calendar.is_working_day(D("2026-12-31"))
    services.import_calendar(actor=None, year=2026, source="测试：2026年补充安排",
                             holidays=[{"date": "2026-01-01", "name": "元旦"}, {"date": "2026-12-31", "name": "测试"}])
    db.session.commit()
    assert calendar.calendar_source(2026) == "imported"
    assert not calendar.is_working_day(D("2026-12-31"))


def test_bad_arrangements_are_refused_with_every_reason_and_nothing_written(app_ctx):
    bad = {"year": 2027, "source": " ",
           "holidays": [{"date": "2028-01-01"}, {"from": "2027-05-05", "to": "2027-05-01"}, {"date": "2027-13-01"}],
           "workdays": ["2027-02-15", "2027-05-02"]}
    with pytest.raises(InvalidInput) as err:
        services.import_calendar(actor=None, **bad)
    message = err.value.message
    assert "请填写依据" in message
    assert "2028-01-01不在2027年内" in message
    assert "早于开始日期" in message and "2027-13-01" in message
    assert "调休上班日应为周六或周日" in message and "2027-02-15" in message
    fields = err.value.details["fields"]
    assert set(fields) == {"source", "holidays", "workdays"}
    with pytest.raises(InvalidInput, match="至少填写一个放假日"):
        services.import_calendar(actor=None, year=2027, source=SOURCE, holidays=[])
    with pytest.raises(InvalidInput, match="既是放假日又是调休上班日"):
        services.import_calendar(actor=None, year=2027, source=SOURCE, holidays=["2027-02-13"],
                                 workdays=["2027-02-13"])
    with pytest.raises(InvalidInput, match="年份"):
        services.import_calendar(actor=None, year="二〇二七", source=SOURCE, holidays=["2027-01-01"])
    db.session.rollback()
    assert db.session.scalar(select(func.count(HolidayCalendar.id))) == 0
    assert _entries() == []


def test_only_supervisors_and_admins_may_import(app_ctx, make_user, make_agency):
    from app.auth.models import User

    officer = db.session.get(User, make_user(roles=("officer", "head"), agency=make_agency()))
    with pytest.raises(PermissionDenied, match="SPEC §16"):
        services.import_calendar(actor=officer, **ARRANGEMENT)
    admin = db.session.get(User, make_user(roles=("admin",)))
    assert services.import_calendar(actor=admin, **ARRANGEMENT).changed


def test_csv_and_json_files_give_the_same_calendar(app_ctx):
    from_csv = services.parse_file("2027.csv", CSV.encode(), year=2027, source=SOURCE)
    from_json = services.parse_file("2027.json", json.dumps(ARRANGEMENT, ensure_ascii=False).encode())
    a = services.clean(**from_csv)
    b = services.clean(**from_json)
    assert [h["date"] for h in a["holidays"]] == [h["date"] for h in b["holidays"]]
    assert a["workdays"] == [{"date": "2027-02-14", "name": "春节调休上班"}, {"date": "2027-02-20", "name": "春节调休上班"}]
    with pytest.raises(InvalidInput, match="第3行：类型“假”"):
        services.parse_file("x.csv", "date,type\n2027-01-01,holiday\n2027-01-02,假\n".encode())
    with pytest.raises(InvalidInput, match="表头"):
        services.parse_file("x.csv", "2027-01-01,holiday\n".encode())
    with pytest.raises(InvalidInput, match=r"\.json 或 \.csv"):
        services.parse_file("x.xlsx", b"PK")
    with pytest.raises(InvalidInput, match="JSON格式有误"):
        services.parse_file("x.json", b"{\"year\": 2027,")
    with pytest.raises(InvalidInput, match="UTF-8"):
        services.parse_file("x.csv", "日期".encode("gbk"))


# --- web, API, CLI ---------------------------------------------------------------------------------------

def test_web_import_by_file_and_by_form(app, client, login_as, supervisor):
    import io

    login_as(client, supervisor)
    page = client.get("/calendar/")
    assert page.status_code == 200 and "缺失：按周一至周五计算" in page.get_data(as_text=True)
    token = extract_csrf(page.get_data(as_text=True))
    resp = client.post("/calendar/", data={"csrf_token": token, "year": "2027", "source": SOURCE,
                                           "file": (io.BytesIO(CSV.encode()), "2027.csv")},
                       content_type="multipart/form-data", follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "已导入2027年节假日安排并记入台账" in html
    assert "已导入" in html and SOURCE in html
    # typed into the form, with a mistake: 422, every reason listed, nothing changed
    resp = client.post("/calendar/", data={"csrf_token": token, "year": "2028", "source": "测试",
                                           "holidays": "2028-01-01 元旦\n2027-12-31 错年", "workdays": "2028-01-04"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "2027-12-31不在2028年内" in html and "调休上班日应为周六或周日" in html
    resp = client.post("/calendar/", data={"csrf_token": token, "year": "2028", "source": "测试",
                                           "holidays": "2028-01-01 元旦", "workdays": ""}, follow_redirects=True)
    assert "已导入2028年节假日安排" in resp.get_data(as_text=True)
    with app.app_context():
        assert [r.year for r in services.history()] == [2028, 2027]
        assert services.history(2027)[0].imported_by.username == "jiandu"


def test_web_import_refused_to_staff(app, client, login_as, make_user, make_agency):
    login_as(client, make_user(roles=("head",), agency=make_agency()))
    page = client.get("/calendar/")
    assert page.status_code == 200 and "导入并重新计算期限" not in page.get_data(as_text=True)
    resp = client.post("/calendar/", data={"csrf_token": extract_csrf(page.get_data(as_text=True)),
                                           "year": "2027", "source": SOURCE, "holidays": "2027-01-01"})
    assert resp.status_code == 403
    with app.app_context():
        assert services.history() == []


def test_api_import_and_read(app, client, supervisor, make_user, make_agency):
    from app.auth.services import issue_token

    officer_id = make_user(roles=("officer",), agency=make_agency())
    with app.app_context():
        from app.auth.models import User

        token = issue_token(db.session.get(User, supervisor), name="t")[0]
        officer_token = issue_token(db.session.get(User, officer_id), name="t")[0]
        db.session.commit()
    resp = client.post("/api/calendar/", json=ARRANGEMENT, headers=bearer(officer_token))
    assert resp.status_code == 403 and "SPEC §16" in resp.get_json()["message"]
    resp = client.post("/api/calendar/", json={**ARRANGEMENT, "workdays": ["2027-02-15"]}, headers=bearer(token))
    assert resp.status_code == 422 and resp.get_json()["error"] == "invalid_input"
    resp = client.post("/api/calendar/", json=ARRANGEMENT, headers=bearer(token))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["changed"] and body["calendar"]["year"] == 2027 and body["calendar"]["ledger_seq"] is not None
    years = {y["year"]: y for y in client.get("/api/calendar/", headers=bearer(officer_token)).get_json()}
    assert years[2027]["source"] == "imported" and years[2026]["source"] == "package"
    year = client.get("/api/calendar/2027", headers=bearer(officer_token)).get_json()
    assert year["source"] == "imported" and year["notice"] == SOURCE
    assert year["workdays"][0] == {"date": "2027-02-14", "name": "春节调休上班"}
    assert len(year["imports"]) == 1
    built_in = client.get("/api/calendar/2026", headers=bearer(token)).get_json()
    assert built_in["source"] == "package" and {"date": "2026-02-17", "name": "春节"} in built_in["holidays"]
    assert client.get("/api/calendar/2031", headers=bearer(token)).get_json()["source"] is None
    assert client.get("/api/calendar/1999", headers=bearer(token)).status_code == 404


def test_cli_import_and_status(app, tmp_path):
    runner = app.test_cli_runner()
    good = tmp_path / "2027.json"
    good.write_text(json.dumps(ARRANGEMENT, ensure_ascii=False), encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("date,type,name\n2027-02-15,workday,周一\n", encoding="utf-8")
    result = runner.invoke(args=["calendar", "import", str(bad), "--year", "2027", "--source", SOURCE])
    assert result.exit_code != 0 and "调休上班日应为周六或周日" in result.output
    result = runner.invoke(args=["calendar", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "2027: imported 11 rest days and 2 make-up working days" in result.output
    result = runner.invoke(args=["calendar", "import", str(good)])
    assert "unchanged" in result.output
    result = runner.invoke(args=["calendar", "status"])
    assert "2027: imported" in result.output and "2026: package" in result.output


def test_home_page_warns_while_next_year_is_missing(app, client, login_as, supervisor):
    """Today (2026-12-02 in this deployment's clock, or any day) the panel names every year of this and next
    year without a calendar; importing it clears the panel."""
    from app.timeutil import today_china

    login_as(client, supervisor)
    with app.app_context():
        missing = services.missing_years_ahead(today_china())
    if not missing:
        pytest.skip("this year and next year both have a calendar: nothing to warn about")
    html = client.get("/").get_data(as_text=True)
    for year in missing:
        assert f"<strong>{year}年</strong>" in html
    with app.app_context():
        for year in missing:
            services.import_calendar(actor=None, year=year, source="测试", holidays=[f"{year}-01-01"])
        db.session.commit()
    assert "的法定节假日安排尚未导入" not in client.get("/").get_data(as_text=True)
