"""Officers are people too: the officers list masks ID numbers, one officer's record shows it, and the
roster export (the import layout, whole ID numbers) is an export of personal data in the access log."""
from sqlalchemy import select

from app.extensions import db


def test_officer_list_masks_and_roster_export_is_logged(app, make_agency, make_user, login_as, bearer_of):
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
    assert client.get("/api/officers/export.xlsx", headers=headers).status_code == 200
    login_as(client, supervisor)
    assert client.get("/officers/export.xlsx").status_code == 200
    with app.app_context():
        rows = db.session.scalars(select(PersonalDataAccess).where(PersonalDataAccess.action == "export")).all()
        assert [(r.user_id, r.subject_kind, r.channel, r.purpose_note) for r in rows] == [
            (supervisor, "officer_roster", "api", "执法人员名册导出（1人）"),
            (supervisor, "officer_roster", "web", "执法人员名册导出（1人）")]
