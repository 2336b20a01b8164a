"""Import from .xlsx and .csv: every row is checked first; a sheet with any error imports nothing and says
which rows and why, the same through the service, the web page, the API and the CLI."""
import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.officers import rules, services
from app.officers.models import Certificate, Officer
from app.timeutil import today_china

HEAD = ["姓名", "执法主体", "用工性质", "身份证号", "证件号", "证件类型", "执法类别", "执法区域", "发证日期",
        "有效期至", "最近年检年度", "法律职业资格证号", "用户名"]


@pytest.fixture(autouse=True)
def cut_over(app, monkeypatch):
    """The system keeps examination and training records from 2 January of this year: the certificates of
    the good sheet (issued earlier) and this year's inspections (whose training began before) are history."""
    monkeypatch.setitem(app.config, "OFFICER_RECORDS_SINCE", date(today_china().year, 1, 2).isoformat())


def good_rows():
    year = today_china().year
    return [
        ["王强", "临江市城市管理行政执法局", "在编在岗", "220681199003071238", "220681100001", "吉林省行政执法证",
         "城市管理、住建", "临江市", date(year - 2, 3, 1), date(year + 3, 2, 28), year, "", "cg_wangqiang"],
        ["赵敏", "市城管执法局", "在编在岗", "", "220681100002", "", "城市管理", "220681",
         f"{year - 1}/6/1", f"{year + 4}年5月31日", year, "A20192206810012", "cg_zhaomin"],
        ["孙浩", "临江市城市管理行政执法局", "辅助", "", "", "", "", "", "", "", "", "", ""],
    ]


BAD_ROWS = [
    ["王强", "临江市城市管理行政执法局", "在编在岗", "", "220681100001", "", "城市管理", "临江市",
     "2024-03-01", "2029-02-28", "", "", ""],
    ["孙浩", "临江市城市管理行政执法局", "辅助", "", "220681100009", "", "城市管理", "临江市",
     "2024-03-01", "2029-02-28", "", "", ""],  # row 3: auxiliary staff with a certificate
    ["李娜", "不存在的局", "在编在岗", "", "220681100001", "", "", "火星", "2024-13-01", "2023-01-01", "",
     "", ""],  # row 4: unknown agency, duplicate number, no category, unknown area, bad date
]


def xlsx(rows, head=HEAD):
    wb = Workbook()
    ws = wb.active
    ws.append(head)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows, bom=True):
    import csv

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEAD)
    for r in rows:
        w.writerow([c.isoformat() if isinstance(c, date) else c for c in r])
    return (("\ufeff" if bom else "") + buf.getvalue()).encode()


def counts():
    return (db.session.scalar(select(func.count(Officer.id))), db.session.scalar(select(func.count(Certificate.id))))


def test_good_xlsx_imports_officers_certificates_and_inspections(app_ctx, world):
    result = services.import_sheet("officers.xlsx", xlsx(good_rows()))
    db.session.commit()
    assert (result.rows, result.officers_created, result.certificates, result.inspections) == (3, 3, 2, 2)
    wang = db.session.scalar(select(Officer).where(Officer.name == "王强"))
    assert wang.user.username == "cg_wangqiang" and wang.certificates[0].categories == ["城市管理", "住建"]
    assert rules.check(wang, today_china(), category="住建", area="220681") == []
    zhao = db.session.scalar(select(Officer).where(Officer.name == "赵敏"))
    assert zhao.qualification_number == "A20192206810012"
    assert zhao.certificates[0].issued_on == date(today_china().year - 1, 6, 1)
    sun = db.session.scalar(select(Officer).where(Officer.name == "孙浩"))
    assert sun.employment_type == "auxiliary" and sun.certificates == []


def test_imported_history_is_marked_legacy_with_the_rule_that_applies(app_ctx, world):
    from app.ledger.models import LedgerEntry

    result = services.import_sheet("officers.xlsx", xlsx(good_rows()))
    assert (result.legacy_certificates, result.legacy_inspections) == (2, 2)
    wang = db.session.scalar(select(Officer).where(Officer.name == "王强"))
    issued, inspected = wang.certificates[0].events
    since = date(today_china().year, 1, 2).isoformat()
    for event in (issued, inspected):
        assert f"历史记录：早于本系统考试和培训记录起始日{since}" in event.reason
        assert "吉林省行政执法证件管理办法" in event.reason
    entries = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.subject == f"certificate:{wang.certificates[0].id}").order_by(LedgerEntry.seq)).all()
    assert [e.payload.get("legacy") for e in entries] == [True, True]


def test_without_a_cut_over_the_import_applies_the_examination_and_hours_rules(app, app_ctx, world, monkeypatch):
    monkeypatch.setitem(app.config, "OFFICER_RECORDS_SINCE", None)
    with pytest.raises(services.SheetInvalid) as err:
        services.import_sheet("officers.xlsx", xlsx(good_rows()))
    db.session.rollback()
    assert counts() == (0, 0)
    by_cell = {(r["row"], r["column"]): r["message"] for r in err.value.details["rows"]}
    assert "新登记的执法人员在本系统中没有统一考试记录" in by_cell[(2, "发证日期")]
    assert "经培训并统一考试合格方可申领执法证件" in by_cell[(2, "发证日期")]
    assert "没有{}年度培训记录".format(today_china().year) in by_cell[(3, "最近年检年度")]


def test_a_certificate_from_the_cut_over_on_needs_the_examination_and_the_hours_on_record(app, app_ctx, world,
                                                                                         monkeypatch):
    """After the cut-over the import is the web form's rules: the examination and the year's hours must be
    on record (imported first), for an officer already registered."""
    from app.auth.models import Agency
    from app.officers import training

    year = today_china().year
    monkeypatch.setitem(app.config, "OFFICER_RECORDS_SINCE", date(year, 1, 1).isoformat())
    agency = db.session.get(Agency, world.agency_a)
    officer = services.create_officer(name="刘洋", agency=agency, employment_type="established")
    row = ["刘洋", "临江市城市管理行政执法局", "在编在岗", "", "220681100077", "", "城市管理", "220681",
           today_china(), date(year + 5, 1, 31), year, "", ""]
    with pytest.raises(services.SheetInvalid) as err:
        services.import_sheet("new.xlsx", xlsx([row]))
    messages = {r["column"]: r["message"] for r in err.value.details["rows"]}
    assert "未参加行政执法资格统一考试" in messages["发证日期"]
    assert f"{year}年度培训学时0学时，不足40学时" in messages["最近年检年度"]
    training.record_examination(officer, {"taken_on": date(year, 1, 1), "score": 88, "passed": True})
    training.record_training(officer, {"kind": "annual", "course": "年度培训", "hours": 40,
                                       "completed_on": date(year, 1, 1)})
    result = services.import_sheet("new.xlsx", xlsx([row]))
    assert (result.certificates, result.inspections, result.legacy_certificates) == (1, 1, 0)
    assert "历史记录" not in officer.certificates[0].events[0].reason


@pytest.mark.parametrize("bom", [True, False])
def test_good_csv_imports_with_or_without_bom(app_ctx, world, bom):
    result = services.import_sheet("officers.csv", csv_bytes(good_rows(), bom=bom))
    assert (result.officers_created, result.certificates) == (3, 2)


def test_bad_sheet_imports_nothing_and_says_which_rows_and_why(app_ctx, world):
    with pytest.raises(services.SheetInvalid) as err:
        services.import_sheet("bad.xlsx", xlsx(BAD_ROWS))
    db.session.rollback()
    assert counts() == (0, 0)
    rows = err.value.details["rows"]
    assert err.value.status == 422 and "未导入任何数据" in err.value.message
    assert {r["row"] for r in rows} == {3, 4}
    by_cell = {(r["row"], r["column"]): r["message"] for r in rows}
    assert "辅助、合同、临时和公益性岗位人员不得持有行政执法证件" in by_cell[(3, "用工性质")]
    assert by_cell[(4, "执法主体")] == "执法主体“不存在的局”不存在"
    assert by_cell[(4, "证件号")] == "证件号与第2行重复"
    assert by_cell[(4, "执法类别")].startswith("执法类别不能为空")
    assert by_cell[(4, "执法区域")].startswith("执法区域“火星”")
    assert by_cell[(4, "发证日期")] == "日期不存在：2024-13-01"


def test_existing_numbers_and_missing_columns_are_refused(app_ctx, world):
    services.import_sheet("a.xlsx", xlsx(good_rows()[:1]))
    with pytest.raises(services.SheetInvalid) as err:
        services.import_sheet("b.xlsx", xlsx([good_rows()[0][:4] + ["220681100001"] + good_rows()[1][5:]]))
    assert any("证件号220681100001已存在" == r["message"] for r in err.value.details["rows"])
    with pytest.raises(services.SheetInvalid, match="表格缺少必填列：用工性质"):
        services.import_sheet("c.xlsx", xlsx([["王强", "市城管执法局"]], head=["姓名", "执法主体"]))


def test_unreadable_files(app_ctx, world):
    with pytest.raises(services.InvalidInput, match="仅支持"):
        services.import_sheet("a.pdf", b"%PDF")
    with pytest.raises(services.InvalidInput, match="无法读取"):
        services.import_sheet("a.xlsx", b"not a zip")
    with pytest.raises(services.InvalidInput, match="UTF-8"):
        services.import_sheet("a.csv", "姓名,执法主体".encode("gbk"))


# --- the same through each entry point ------------------------------------------------------------------

def test_import_page(client, world, login_as, csrf_token):
    login_as(client, world.supervisor)
    token = csrf_token(client, "/officers/import")
    resp = client.post("/officers/import", data={"csrf_token": token, "file": (io.BytesIO(xlsx(BAD_ROWS)), "bad.xlsx")},
                       content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "第3行" in html and "第4行" in html and "未导入任何数据" in html
    resp = client.post("/officers/import", data={"csrf_token": token, "file": (io.BytesIO(xlsx(good_rows())), "ok.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 200 and "导入完成：3行" in resp.get_data(as_text=True)


def test_import_api(client, world, bearer):
    headers = bearer(world.supervisor)
    resp = client.post("/api/officers/import", headers=headers,
                       data={"file": (io.BytesIO(csv_bytes(BAD_ROWS)), "bad.csv")})
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["error"] == "sheet_invalid" and {r["row"] for r in body["details"]["rows"]} == {3, 4}
    resp = client.post("/api/officers/import", headers=headers,
                       data={"file": (io.BytesIO(csv_bytes(good_rows())), "ok.csv")})
    assert resp.status_code == 201 and resp.get_json()["certificates"] == 2
    assert resp.get_json()["legacy_certificates"] == 2
    assert client.post("/api/officers/import", headers=headers).status_code == 422


def test_import_cli(app, world, tmp_path):
    bad, good = tmp_path / "bad.xlsx", tmp_path / "good.xlsx"
    bad.write_bytes(xlsx(BAD_ROWS))
    good.write_bytes(xlsx(good_rows()))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["officers", "import", str(bad)])
    assert result.exit_code != 0
    assert "第3行 [用工性质]" in result.output and "第4行 [执法主体]" in result.output
    with app.app_context():
        assert counts() == (0, 0)
    result = runner.invoke(args=["officers", "import", str(good)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert counts() == (3, 2)


def test_export_xlsx_lists_visible_officers_with_status(client, world, login_as, make_officer):
    make_officer(world.agency_a, name="王强")
    make_officer(world.agency_b, name="周静", categories=("市场监管",))
    login_as(client, world.head_a)
    resp = client.get("/officers/export.xlsx")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "执法主体", "用工性质") and "证件状态" in rows[0]
    assert [r[0] for r in rows[1:]] == ["王强"]  # the head sees only their own agency
    assert rows[1][rows[0].index("今日核验")] == "通过"


def test_export_roundtrip_reimports(app, client, world, login_as, make_officer):
    """An exported sheet is a valid import sheet (into an empty registry)."""
    make_officer(world.agency_a, name="王强")
    login_as(client, world.supervisor)
    data = client.get("/officers/export.xlsx?purpose=other&note=导出后重新导入").data  # whole ID numbers
    with app.app_context():
        with pytest.raises(services.SheetInvalid, match="表格有1处错误"):
            services.import_sheet("export.xlsx", data)  # the number already exists here
