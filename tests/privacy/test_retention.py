"""Retention of non-parties' personal data (PIPL Art 19, 47): an interviewee who is not the party (a witness)
keeps name and testimony in the step record, but their ID number, phone and address are anonymised once the
case file no longer needs them (PERSONAL_DATA_NON_PARTY_RETENTION_DAYS after closing); the party's data
stays with the case file; each anonymisation is in the access log; a dry run changes nothing."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db

WITNESS = {"name": "李见证", "id_number": "220681198805050011", "phone": "13604350000",
           "address": "吉林省临江市新市街9号", "relation": "证人"}


def _closed_case_with_witness(app, case_at):
    """A case driven to closed; its inquiry step then carries a witness as interviewee, as an inquiry of a
    witness would (the step service stores `extra` as given), and the inspection step the party."""
    from cases.models import Case

    with app.app_context():
        case = db.session.get(Case, case_at("closed").id)
        party = case.parties[0]
        inspection, inquiry = case.steps[0], case.steps[1]
        inquiry.extra = {**(inquiry.extra or {}), "interviewee": dict(WITNESS)}
        inspection.extra = {**(inspection.extra or {}), "interviewee": {
            "name": party.name, "id_number": party.id_number, "phone": party.phone, "relation": "当事人"}}
        db.session.commit()
        return case.id, inspection.id, inquiry.id, case.closed_on, party.id_number


def test_purge_anonymises_witnesses_after_the_retention_period(app, case_at):
    case_id, inspection_id, inquiry_id, closed_on, party_id_number = _closed_case_with_witness(app, case_at)
    from app.privacy import services
    from app.privacy.models import PersonalDataAccess
    from cases.models import CaseStep

    days = app.config["PERSONAL_DATA_NON_PARTY_RETENTION_DAYS"]
    with app.app_context():
        assert services.purge_expired(today=closed_on + timedelta(days=days - 1))["cases.non_parties"] == []
        dry = services.purge_expired(today=closed_on + timedelta(days=days), dry_run=True)
        assert dry["cases.non_parties"] == [("step", inquiry_id, case_id)]
        db.session.rollback()
        assert db.session.get(CaseStep, inquiry_id).extra["interviewee"]["id_number"] == WITNESS["id_number"]

        done = services.purge_expired(today=closed_on + timedelta(days=days))
        db.session.commit()
        assert done["cases.non_parties"] == [("step", inquiry_id, case_id)]
        db.session.expire_all()
        witness = db.session.get(CaseStep, inquiry_id).extra["interviewee"]
        assert witness["name"] == "李见证" and witness["relation"] == "证人"
        assert witness["id_number"] is None and witness["phone"] is None and witness["address"] is None
        assert witness["anonymised_on"] == (closed_on + timedelta(days=days)).isoformat()
        # The party's own data is part of the case file and stays.
        assert db.session.get(CaseStep, inspection_id).extra["interviewee"]["id_number"] == party_id_number
        [row] = db.session.scalars(select(PersonalDataAccess).where(PersonalDataAccess.action == "purge")).all()
        assert (row.subject_kind, row.subject_id, row.case_id) == ("step", inquiry_id, case_id)
        # Idempotent: nothing left to purge.
        assert services.purge_expired(today=closed_on + timedelta(days=days + 10))["cases.non_parties"] == []


def test_purge_cli_and_masked_witness_until_shown(app, case_at, login_as, make_officer, bearer_of):
    case_id, _, inquiry_id, closed_on, _ = _closed_case_with_witness(app, case_at)
    with app.app_context():
        from cases.models import Case

        colleague = make_officer(db.session.get(Case, case_id).agency_id).user.id
    client = app.test_client()
    login_as(client, colleague)
    steps = client.get(f"/api/cases/{case_id}/steps").get_json()
    masked = next(s for s in steps if s["id"] == inquiry_id)["extra"]["interviewee"]
    assert masked["id_number"] == "220681********0011" and masked["phone"] == "136****0000"
    shown = client.post(f"/api/cases/{case_id}/steps/{inquiry_id}/disclosure",
                        json={"purpose": "remedy", "note": "行政复议答复需核对证人身份"},
                        headers=bearer_of(colleague)).get_json()
    assert shown["extra"]["interviewee"]["id_number"] == WITNESS["id_number"]

    runner = app.test_cli_runner()
    days = app.config["PERSONAL_DATA_NON_PARTY_RETENTION_DAYS"]
    on = (closed_on + timedelta(days=days)).isoformat()
    dry = runner.invoke(args=["privacy", "purge", "--dry-run", "--today", on])
    assert dry.exit_code == 0 and "将匿名化 1 条" in dry.output, dry.output
    run = runner.invoke(args=["privacy", "purge", "--today", on])
    assert run.exit_code == 0 and "已匿名化 1 条" in run.output, run.output
    # The right to know covers the witness's step record until the purge, and the purge itself after it.
    from app.privacy import services

    with app.app_context():
        subjects, rows = services.accesses_of_person(name="李见证")
        assert ("step", inquiry_id, case_id) in subjects
        assert [r.action for r in rows if r.subject_kind == "step"] == ["reveal", "purge"]
