"""The audio/video gate (SPEC §4.2): a step that needs audio/video cannot be completed without a linked
recording or a justification approved by the agency head — at every entry point."""
import pytest
from app.extensions import db
from cases.models import CaseStep
from tests.helpers import bearer
from tests.recordings.conftest import upload_single


def completed(app, step_id):
    with app.app_context():
        return db.session.get(CaseStep, step_id).completed_at is not None


def test_service_refuses_without_recording_and_allows_with_one(app, av_case, media_files):
    from app.auth.models import User
    from cases import services as case_services
    from cases.services import GuardFailed
    from recordings import services

    with app.app_context():
        step = db.session.get(CaseStep, av_case.step_id)
        officer = db.session.get(User, av_case.officer_id)
        with pytest.raises(GuardFailed) as err:
            case_services.complete_step(step, actor=officer)
        assert err.value.code == "recording_required" and "执法全过程记录制度" in err.value.message
        db.session.rollback()
        case, step_, meta = services.prepare(av_case.case_id, {"device_id": "DSJ-1", "filename": "a.mp4"},
                                             actor=officer)
        with open(media_files.video, "rb") as fh:
            rec = services.ingest(fh, case=case, step=None, meta=meta, actor=officer)
        db.session.commit()
        # registered but not linked to this step: still refused
        step = db.session.get(CaseStep, av_case.step_id)
        with pytest.raises(GuardFailed):
            case_services.complete_step(step, actor=officer)
        db.session.rollback()
        services.link_to_step(rec, av_case.step_id, actor=officer)
        db.session.commit()
        step = db.session.get(CaseStep, av_case.step_id)
        case_services.complete_step(step, actor=officer)
        db.session.commit()
    assert completed(app, av_case.step_id)


def test_html_form_entry_point(app, client, av_case, login_as, csrf_token, media_files, token_for):
    login_as(client, av_case.officer_id)
    token = csrf_token(client, f"/cases/{av_case.case_id}")
    url = f"/cases/{av_case.case_id}/steps/{av_case.step_id}/complete"
    resp = client.post(url, data={"csrf_token": token})
    assert resp.status_code == 409 and "音像记录" in resp.get_data(as_text=True)
    assert not completed(app, av_case.step_id)
    upload_single(app.test_client(), bearer(token_for(av_case.officer_id)), media_files.video,
                  case_id=av_case.case_id, step_id=av_case.step_id)
    resp = client.post(url, data={"csrf_token": token})
    assert resp.status_code == 302
    assert completed(app, av_case.step_id)


def test_api_entry_point(app, av_case, media_files, token_for):
    api = app.test_client()
    officer = bearer(token_for(av_case.officer_id))
    url = f"/api/cases/{av_case.case_id}/steps/{av_case.step_id}/complete"
    resp = api.post(url, headers=officer)
    assert resp.status_code == 409 and resp.get_json()["error"] == "recording_required"
    upload_single(api, officer, media_files.audio, case_id=av_case.case_id, step_id=av_case.step_id,
                  content_type="audio/mp4")
    resp = api.post(url, headers=officer)
    assert resp.status_code == 200, resp.get_json()
    assert completed(app, av_case.step_id)


def test_cli_entry_point(app, av_case, media_files):
    """`flask cases complete-step` refuses without a recording; `flask recordings import` links one."""
    from app.auth.models import User

    runner = app.test_cli_runner()
    with app.app_context():
        officer = db.session.get(User, av_case.officer_id).username
    complete = ["cases", "complete-step", str(av_case.case_id), str(av_case.step_id), "--as", officer]
    result = runner.invoke(args=complete)
    assert result.exit_code != 0 and "recording_required" in result.output and "音像记录" in result.output
    assert not completed(app, av_case.step_id)
    result = runner.invoke(args=["cases", "action", str(av_case.case_id), "close_investigation", "--as", officer])
    assert result.exit_code != 0 and "尚未完成" in result.output
    result = runner.invoke(args=["recordings", "import", str(media_files.text), "--case", str(av_case.case_id),
                                 "--step", str(av_case.step_id), "--user", officer, "--device", "DSJ-7"])
    assert result.exit_code == 1 and "not_media" in result.output
    result = runner.invoke(args=["recordings", "import", str(media_files.video), "--case", str(av_case.case_id),
                                 "--step", str(av_case.step_id), "--user", officer, "--device", "DSJ-7"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=complete)
    assert result.exit_code == 0, result.output
    assert completed(app, av_case.step_id)


def test_case_page_links_each_step_to_its_recordings(app, client, av_case, login_as):
    login_as(client, av_case.officer_id)
    html = client.get(f"/cases/{av_case.case_id}").get_data(as_text=True)
    assert f'href="/cases/{av_case.case_id}/steps/{av_case.step_id}/recordings"' in html
    assert "上传音像记录" in html


def test_justification_approved_by_head_also_passes(app, av_case, token_for):
    api = app.test_client()
    officer, head = bearer(token_for(av_case.officer_id)), bearer(token_for(av_case.head_id))
    base = f"/api/cases/{av_case.case_id}/steps/{av_case.step_id}"
    assert api.post(base + "/av-justification", json={"text": "执法记录仪故障"}, headers=officer).status_code == 200
    assert api.post(base + "/complete", headers=officer).status_code == 409  # not yet approved
    assert api.post(base + "/av-justification/approval", headers=head).status_code == 200
    assert api.post(base + "/complete", headers=officer).status_code == 200
