"""Importing the power list (权责清单) from .xlsx: a good sheet imports every matter through the service; a
sheet with any bad row imports nothing and names each bad row with its reasons; the same through the page."""
import io

import pytest
from openpyxl import Workbook, load_workbook

from app.errors import InvalidInput
from app.extensions import db
from cases import sheets
from cases.models import Matter, MatterVersion
from tests.helpers import extract_csrf

GOOD = [
    ["CG-001", "擅自占用城市道路", "城市管理", "《城市道路管理条例》第二十七条", "《城市道路管理条例》第四十二条",
     "轻微:0-0;一般:50-500;较重:500-5000;严重:5000-20000", "普通/简易", "询问", "罚款≥10000"],
    ["CG-002", "未取得建设工程规划许可证进行建设", "城市管理", "《中华人民共和国城乡规划法》第四十条",
     "《中华人民共和国城乡规划法》第六十四条", "一般：1000-10000；较重：10000-30000", "普通",
     "现场检查、查封扣押", "罚款≥50000或吊销许可证件"],
]


def workbook(rows, headers=sheets.COLUMNS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def agency(app, cases_agency):
    return cases_agency


@pytest.fixture
def head(app, agency, make_case_user):
    with app.app_context():
        return make_case_user(agency, roles=("head",)).id


def _user(user_id):
    from app.auth.models import User

    return db.session.get(User, user_id)


def _agency(agency_id):
    from app.auth.models import Agency

    return db.session.get(Agency, agency_id)


# --- cells -------------------------------------------------------------------------------------------------

def test_cells_parse():
    assert sheets.parse_tiers("轻微:0-0;一般：500-2000；较重:2000-5000") == [
        {"name": "轻微", "min": 0, "max": 0}, {"name": "一般", "min": 500, "max": 2000},
        {"name": "较重", "min": 2000, "max": 5000}]
    assert sheets.parse_procedures("普通/简易") == ["ordinary", "summary"]
    assert sheets.parse_av_steps("现场检查、查封扣押") == ["inspection", "seizure"]
    assert sheets.parse_av_steps("查封、扣押，询问") == ["seizure", "inquiry"]
    assert sheets.parse_major("罚款≥50000或吊销许可证件") == {
        "note": "罚款≥50000或吊销许可证件", "fine_at_least": 50000, "penalties": ["revoke_licence"]}
    assert sheets.parse_major("罚款5万元以上")["fine_at_least"] == 50000
    for bad, parser in (("一般 500到2000", sheets.parse_tiers), ("快速", sheets.parse_procedures),
                        ("跳舞", sheets.parse_av_steps)):
        with pytest.raises(ValueError):
            parser(bad)


def test_template_round_trips(app_ctx):
    data = sheets.template_workbook()
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in ws[1]] == sheets.COLUMNS
    rows = sheets.read_rows(data)
    assert sheets.parse_row(rows[0][1])["tiers"][1] == {"name": "一般", "min": 500, "max": 2000}


# --- the service-level import ---------------------------------------------------------------------------------

def test_good_sheet_imports_every_matter(app_ctx, agency, head):
    from app.timeutil import today_china

    today = today_china()
    created = sheets.import_matters(_agency(agency.id), workbook(GOOD), actor=_user(head), publish_on=today)
    db.session.commit()
    assert [v.matter.code for v in created] == ["CG-001", "CG-002"]
    building = db.session.query(Matter).filter_by(code="CG-002").one().current
    assert building.procedures == ["ordinary"] and building.av_steps == ["inspection", "seizure"]
    assert building.tiers == [{"name": "一般", "min": 1000, "max": 10000}, {"name": "较重", "min": 10000, "max": 30000}]
    assert building.major_criteria["fine_at_least"] == 50000 and building.published_on == today


def test_bad_sheet_imports_nothing_and_names_the_rows(app_ctx, agency, head):
    bad = GOOD + [
        ["CG-003", "", "城市管理", "依据", "依据", "一般:500-100", "普通", "", ""],  # row 4
        ["CG-001", "重复编码", "城市管理", "依据", "依据", "一般:0-100", "普通", "", ""],  # row 5
        ["CG-004", "越权事项", "税务", "依据", "依据", "一般:0-100", "快速", "", ""],  # row 6
    ]
    with pytest.raises(InvalidInput) as caught:
        sheets.import_matters(_agency(agency.id), workbook(bad), actor=_user(head))
    db.session.rollback()
    rows = {r["row"]: "；".join(r["errors"]) for r in caught.value.details["rows"]}
    assert set(rows) == {4, 5, 6}
    assert "“事项名称”为空" in rows[4]
    assert "事项编码CG-001已存在" in rows[5]
    assert "适用程序“快速”无效" in rows[6]
    assert db.session.query(Matter).count() == 0 and db.session.query(MatterVersion).count() == 0


def test_sheet_without_required_columns(app_ctx, agency, head):
    with pytest.raises(InvalidInput, match="缺少列"):
        sheets.import_matters(_agency(agency.id), workbook(GOOD, headers=sheets.COLUMNS[:3]), actor=_user(head))
    with pytest.raises(InvalidInput, match="无法读取"):
        sheets.import_matters(_agency(agency.id), b"not a workbook", actor=_user(head))


def test_only_heads_and_admins_import(app_ctx, agency, make_officer):
    from app.errors import PermissionDenied

    officer = make_officer(agency).user
    with pytest.raises(PermissionDenied):
        sheets.import_matters(_agency(agency.id), workbook(GOOD), actor=officer)


# --- through the page ----------------------------------------------------------------------------------------

def _upload(client, data, **fields):
    token = extract_csrf(client.get("/matters/import").get_data(as_text=True))
    return client.post("/matters/import", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(data), "权责清单.xlsx"), **fields})


def test_import_page(app, client, login_as, agency, head):
    login_as(client, head)
    page = client.get("/matters/import").get_data(as_text=True)
    assert "下载导入模板" in page
    template = client.get("/matters/template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"

    bad = GOOD + [["CG-009", "事项", "城市管理", "依据", "依据", "一般 500到2000", "普通", "", ""]]
    resp = _upload(client, workbook(bad), agency_id=agency.id)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "整表未导入" in html and "第4行" in html and "名称:最低-最高" in html
    with app.app_context():
        assert db.session.query(Matter).count() == 0

    from app.timeutil import today_china

    today = today_china().isoformat()
    resp = _upload(client, workbook(GOOD), agency_id=agency.id, publish_on=today)
    assert resp.status_code == 200
    assert "已导入2个执法事项" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Matter).count() == 2
    assert f"{today}公开" in client.get("/matters").get_data(as_text=True)


def test_import_page_refuses_officers_and_missing_csrf(app, client, login_as, agency, make_officer, head):
    with app.app_context():
        officer = make_officer(agency).user_id
    login_as(client, officer)
    assert client.get("/matters/import").status_code == 403
    login_as(client, head)
    resp = client.post("/matters/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(workbook(GOOD)), "a.xlsx"), "agency_id": agency.id})
    assert resp.status_code == 400
    with app.app_context():
        assert db.session.query(Matter).count() == 0


def test_a_head_cannot_backdate_a_publication(app_ctx, agency, head):
    """The pre-action publicity gate trusts the publication date: a head may not put it in the past."""
    from datetime import timedelta

    import pytest

    from app.errors import InvalidInput
    from app.timeutil import today_china

    with pytest.raises(InvalidInput) as err:
        sheets.import_matters(_agency(agency.id), workbook(GOOD), actor=_user(head),
                              publish_on=today_china() - timedelta(days=1))
    assert "公开日期不能早于今天" in err.value.message
    db.session.rollback()
    assert db.session.query(Matter).count() == 0
