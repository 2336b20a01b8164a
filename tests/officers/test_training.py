"""Training records and examinations through the API and the all-or-nothing sheet import."""
import io
from datetime import date

from openpyxl import Workbook

from app.extensions import db
from app.officers.models import TrainingRecord


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


HEAD = ["姓名", "执法主体", "身份证号", "培训类型", "课程名称", "培训机构", "完成日期", "学时"]


def test_import_is_all_or_nothing_with_row_and_column_errors(app, client, world, bearer, make_officer):
    make_officer(world.agency_a, name="王强")
    make_officer(world.agency_a, name="刘洋")
    with app.app_context():
        from app.auth.models import Agency

        agency = db.session.get(Agency, world.agency_a).name
    h = bearer(world.supervisor)
    bad = _xlsx([HEAD, ["王强", agency, "", "年度培训", "行政处罚法", "临江市司法局", "2025-05-10", 24],
                 ["刘洋", agency, "", "午休", "行政强制法", "", "2025-13-01", "-3"],
                 ["张飞", agency, "", "专题培训", "执法记录仪", "", "2025-06-01", 8]])
    resp = client.post("/api/officers/trainings/import", headers=h, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(bad), "training.xlsx")})
    body = resp.get_json()
    assert resp.status_code == 422 and body["error"] == "sheet_invalid"
    cells = {(e["row"], e["column"]) for e in body["details"]["rows"]}
    assert {(3, "培训类型"), (3, "完成日期"), (3, "学时"), (4, "姓名")} <= cells and not any(r == 2 for r, _ in cells)
    with app.app_context():
        assert db.session.query(TrainingRecord).count() == 0  # nothing half-imported
    good = _xlsx([HEAD, ["王强", agency, "", "年度培训", "行政处罚法", "临江市司法局", date(2025, 5, 10), 24],
                  ["王强", agency, "", "专题培训", "执法记录仪", "", "2025年6月1日", 16.5]])
    resp = client.post("/api/officers/trainings/import", headers=h, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(good), "training.xlsx")})
    assert resp.status_code == 201 and resp.get_json() == {"imported": 2}
    with app.app_context():
        from app.officers.models import Officer

        officer_id = db.session.query(Officer).filter_by(name="王强").one().id
    overview = client.get(f"/api/officers/{officer_id}/trainings", headers=h).get_json()
    assert {"year": 2025, "hours": 40.5, "required": 40.0, "enough": True} in overview["hours_by_year"]


def test_examination_and_training_forms(app, client, world, login_as, csrf_token, make_officer):
    officer_id, _ = make_officer(world.agency_a, name="刘洋", cert=False)
    login_as(client, world.supervisor)
    token = csrf_token(client, f"/officers/{officer_id}")
    resp = client.post(f"/officers/{officer_id}/trainings", data={
        "csrf_token": token, "kind": "annual", "course": "行政复议法", "completed_on": "2025-03-01", "hours": "abc"})
    assert resp.status_code == 422 and "学时" in resp.get_data(as_text=True)
    resp = client.post(f"/officers/{officer_id}/examinations", data={
        "csrf_token": token, "taken_on": "2025-03-01", "score": "91", "passed": "true", "organiser": "白山市司法局"},
        follow_redirects=True)
    assert resp.status_code == 200 and "91.0" in resp.get_data(as_text=True)
