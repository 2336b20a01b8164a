"""Officers are people too: the officers list masks ID numbers, one officer's record shows it, and the
roster export masks them unless a purpose is stated; that whole export is an export of personal data in the
access log — through the API, the web page and the CLI."""
import io

from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db


def test_officer_list_masks_and_roster_export_is_logged(app, make_agency, make_user, login_as, bearer_of, tmp_path):
    from app.auth.models import Agency
    from app.officers import services
    from app.privacy.models import PersonalDataAccess

    agency = make_agency()
    supervisor = make_user(roles=("supervisor",))
    with app.app_context():
        officer = services.create_officer(name="黄磊", agency=db.session.get(Agency, agency.id),
                                          employment_type="established", id_number="220681199003071238")
        db.session.commit()
        officer_id = officer.id
    client = app.test_client()
    headers = bearer_of(supervisor)
    rows = client.get("/api/officers/", headers=headers).get_json()
    assert [r["id_number"] for r in rows if r["id"] == officer_id] == ["220681********1238"]
    assert client.get(f"/api/officers/{officer_id}", headers=headers).get_json()["id_number"] == "220681199003071238"

    def id_numbers(resp):
        assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
        rows = list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))
        return [r[rows[0].index("身份证号")] for r in rows[1:]]

    assert id_numbers(client.get("/api/officers/export.xlsx", headers=headers)) == ["220681********1238"]
    refused = client.get("/api/officers/export.xlsx?purpose=supervision", headers=headers)
    assert refused.status_code == 422 and "note" in refused.get_json()["details"]["fields"]
    whole = client.get("/api/officers/export.xlsx?purpose=supervision&note=报送执法证件年审名册", headers=headers)
    assert id_numbers(whole) == ["220681199003071238"]
    login_as(client, supervisor)
    assert id_numbers(client.get("/officers/export.xlsx")) == ["220681********1238"]
    page = client.get("/officers/").get_data(as_text=True)
    assert 'id="full-export"' in page and "个人信息保护法" in page
    refused = client.get("/officers/export.xlsx?purpose=nonsense&note=随便看看")
    assert refused.status_code == 422 and "明确、合理的目的" in refused.get_data(as_text=True)
    assert id_numbers(client.get("/officers/export.xlsx?purpose=other&note=核对人事档案")) == ["220681199003071238"]
    runner = app.test_cli_runner()
    masked_path = str(tmp_path / "roster-masked.xlsx")
    assert runner.invoke(args=["officers", "export", masked_path]).exit_code == 0
    assert [r[3] for r in load_workbook(masked_path).active.iter_rows(min_row=2, values_only=True)] == [
        "220681********1238"]
    bad = runner.invoke(args=["officers", "export", masked_path, "--purpose", "supervision"])
    assert bad.exit_code != 0 and "说明具体用途" in bad.output
    result = runner.invoke(args=["officers", "export", str(tmp_path / "roster.xlsx"), "--purpose", "supervision",
                                 "--note", "移交人事部门核对"])
    assert result.exit_code == 0 and "logged" in result.output, result.output
    with app.app_context():
        rows = db.session.scalars(select(PersonalDataAccess).where(PersonalDataAccess.action == "export")
                                  .order_by(PersonalDataAccess.id)).all()
        assert [(r.user_id, r.subject_kind, r.channel, r.purpose, r.purpose_note) for r in rows] == [
            (supervisor, "officer_roster", "api", "supervision", "执法人员名册导出（1人，含完整身份证号）：报送执法证件年审名册"),
            (supervisor, "officer_roster", "web", "other", "执法人员名册导出（1人，含完整身份证号）：核对人事档案"),
            (None, "officer_roster", "cli", "supervision", "执法人员名册导出（1人，含完整身份证号）：移交人事部门核对")]
