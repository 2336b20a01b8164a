"""Integrity scan (`flask recordings scan`), write-once originals and legal holds."""
import os

import pytest

from app.extensions import db
from recordings.models import Recording
from tests.helpers import bearer
from tests.recordings.conftest import upload_single


@pytest.fixture
def two_recordings(app, client, av_case, token_for, media_files):
    officer = bearer(token_for(av_case.officer_id))
    ids = []
    for path, ctype in ((media_files.video, "video/mp4"), (media_files.audio, "audio/mp4")):
        resp = upload_single(client, officer, path, case_id=av_case.case_id, content_type=ctype)
        assert resp.status_code == 201
        ids.append(resp.get_json()["id"])
    return ids


def test_scan_finds_a_changed_stored_object(app, two_recordings):
    from app.ledger.services import get_entry
    from app.storage import get_store

    runner = app.test_cli_runner()
    result = runner.invoke(args=["recordings", "scan", "--all"])
    assert result.exit_code == 0, result.output
    assert "已校验 2 份" in result.output and "0 份不一致" in result.output
    with app.app_context():
        rec = db.session.get(Recording, two_recordings[0])
        store = get_store()
        path = store._blob_path(rec.original_key)
    # Someone with root on the storage host changes one byte of the original.
    os.chmod(path, 0o644)
    with open(path, "r+b") as fh:
        fh.seek(5000)
        byte = fh.read(1)
        fh.seek(5000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    result = runner.invoke(args=["recordings", "scan"])
    assert result.exit_code == 1
    assert f"不一致：音像记录 {two_recordings[0]}" in result.output
    with app.app_context():
        rec = db.session.get(Recording, two_recordings[0])
        assert rec.last_scan_ok is False
        assert db.session.get(Recording, two_recordings[1]).last_scan_ok is True
        seq = int(result.output.split("台账第 ")[1].split(" ")[0])
        payload = get_entry(seq).payload
        assert payload["mismatches"] == 1
        bad = [r for r in payload["results"] if not r["ok"]]
        assert bad[0]["recording_id"] == rec.id and bad[0]["expected_sha256"] == rec.sha256
    result = runner.invoke(args=["recordings", "scan", "--sample", "1"])
    assert "已校验 1 份" in result.output


def test_originals_are_write_once_and_held_while_the_case_is_open(app, two_recordings):
    from app.errors import WriteOnceViolation
    from app.storage import get_store
    from cases.models import Case
    from recordings import services

    with app.app_context():
        rec = db.session.get(Recording, two_recordings[0])
        store = get_store()
        with pytest.raises(WriteOnceViolation):
            store.delete(rec.original_key)
        with pytest.raises(WriteOnceViolation):
            import io

            store.put(io.BytesIO(b"replacement"), key=rec.original_key)
        assert oct(os.stat(store._blob_path(rec.original_key)).st_mode & 0o777) == "0o444"
        # nothing to release while the case is open
        assert services.release_holds_for_closed_cases() == []
        # the case ends (the status column is set directly here: driving the whole procedure is the cases
        # feature's test); the hold is released, retention stays
        case = db.session.get(Case, rec.case_id)
        case.status = "closed"
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["recordings", "holds"])
    assert result.exit_code == 0 and "解除法律保全 2 份" in result.output
    with app.app_context():
        rec = db.session.get(Recording, two_recordings[0])
        stat = get_store().stat(rec.original_key)
        assert rec.legal_hold is False and stat.legal_hold is False
        assert stat.retain_until is not None and stat.is_locked  # 6 months' retention still holds


def test_closed_case_refuses_new_uploads(app, client, case_at, token_for, media_files):
    from tests.cases.conftest import officer_user

    with app.app_context():
        case = case_at("closed")
        officer_id, case_id = officer_user(case).id, case.id
    resp = upload_single(client, bearer(token_for(officer_id)), media_files.video, case_id=case_id)
    assert resp.status_code == 409 and "已结案" in resp.get_json()["message"]


def test_closing_the_case_releases_its_holds_at_once(app, case_at, head_of, token_for, media_files):
    """The legal hold lasts while the case is open (SPEC §4.3): the action that closes it releases it."""
    from app.auth.models import User
    from app.storage import get_store
    from cases import services as case_services
    from cases.models import Case
    from tests.cases.conftest import officer_user

    with app.app_context():
        case = case_at("executed")
        case_id, officer_id, head_id = case.id, officer_user(case).id, head_of(case.agency_id).id
    resp = upload_single(app.test_client(), bearer(token_for(officer_id)), media_files.video, case_id=case_id,
                         late_reason="执法记录仪在外勤途中，返回后上传")
    assert resp.status_code == 201, resp.get_json()
    with app.app_context():
        rec = db.session.scalars(db.select(Recording).where(Recording.case_id == case_id)).one()
        assert rec.legal_hold and get_store().stat(rec.original_key).legal_hold
        case_services.apply_action(db.session.get(Case, case_id), "close", actor=db.session.get(User, head_id))
        db.session.commit()
        rec = db.session.get(Recording, rec.id)
        stat = get_store().stat(rec.original_key)
        assert rec.legal_hold is False and stat.legal_hold is False
        assert stat.retain_until is not None and stat.is_locked  # retention still protects the original
