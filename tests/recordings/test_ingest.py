"""Ingest through the API: single request and tus (with a dropped connection and resume), validation
refusals that register nothing, the client's hash claim, late uploads, who may upload."""
import hashlib

import pytest
from app.extensions import db
from recordings.models import Recording
from tests.helpers import bearer
from tests.recordings.conftest import (TUS, ledger_size, recording_count, stored_keys, tus_metadata, tus_upload,
                                       upload_single)

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def officer(av_case, token_for):
    return bearer(token_for(av_case.officer_id))


def test_single_upload_registers_video_with_metadata_and_ledger_entry(app, client, av_case, officer, media_files):
    before = ledger_size(app)
    resp = upload_single(client, officer, media_files.video, case_id=av_case.case_id, step_id=av_case.step_id,
                         device_id="DSJ-LJ-0012", location="临江市建国街88号",
                         sha256=hashlib.sha256(media_files.video.read_bytes()).hexdigest())
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["sha256"] == hashlib.sha256(media_files.video.read_bytes()).hexdigest()
    assert body["size"] == media_files.video.stat().st_size
    assert body["media_kind"] == "video"
    assert 9.5 < body["duration_seconds"] < 10.5
    assert {s["type"] for s in body["probe"]["streams"]} == {"video", "audio"}
    assert body["probe"]["creation_time"].startswith(media_files.created[:16])
    assert body["step_id"] == av_case.step_id and body["device_id"] == "DSJ-LJ-0012"
    assert body["location"] == "临江市建国街88号"
    assert all(o["certificate_number"] for o in body["officers"]) and len(body["officers"]) == 2
    assert body["legal_hold"] is True
    # exactly one ledger entry for the registration (plus nothing else), carrying hash, size, key and metadata
    assert ledger_size(app) == before + 1
    with app.app_context():
        from app.ledger.services import get_entry

        payload = get_entry(body["ledger_seq"]).payload
        assert payload["sha256"] == body["sha256"] and payload["size"] == body["size"]
        assert payload["storage_key"] == body["original_key"] and payload["device_id"] == "DSJ-LJ-0012"
        from app.storage import get_store

        stat = get_store().stat(body["original_key"])
        assert stat.legal_hold and stat.retain_until is not None and stat.is_locked


def test_audio_only_upload(app, client, av_case, officer, media_files):
    for path, ctype in ((media_files.audio, "audio/mp4"), (media_files.mp3, "audio/mpeg")):
        resp = upload_single(client, officer, path, case_id=av_case.case_id, content_type=ctype,
                             started_at="2099-01-01T00:00:00" if False else None,
                             ended_at=None)
        if path == media_files.mp3:  # no creation_time inside: the start time must be given
            assert resp.status_code == 422 and resp.get_json()["details"]["fields"]["started_at"]
            from datetime import datetime, timedelta

            start = (datetime.now() - timedelta(minutes=30)).replace(microsecond=0).isoformat()
            resp = upload_single(client, officer, path, case_id=av_case.case_id, content_type=ctype,
                                 started_at=start)
        assert resp.status_code == 201, resp.get_json()
        assert resp.get_json()["media_kind"] == "audio"


@pytest.mark.parametrize("name,code", [
    ("empty", "empty_file"), ("text", "not_media"), ("truncated_video", "truncated_media"),
    ("truncated_faststart", "truncated_media"), ("truncated_audio", "truncated_media"),
    ("truncated_mp3", "truncated_media"),
])
@pytest.mark.parametrize("how", ["single", "tus"])
def test_refused_uploads_register_nothing(app, client, av_case, officer, media_files, name, code, how):
    path = getattr(media_files, name)
    before, keys, staged = ledger_size(app), stored_keys(app), stored_keys(app, "staging/")
    # MP3 carries no recording time: without one in the metadata it is refused at creation (see below)
    from datetime import datetime, timedelta

    start = (datetime.now() - timedelta(minutes=30)).replace(microsecond=0).isoformat() if "mp3" in name else None
    if how == "single":
        resp = upload_single(client, officer, path, case_id=av_case.case_id, started_at=start)
    else:
        resp = tus_upload(client, officer, path, case_id=av_case.case_id, started_at=start)
    assert resp.status_code == 422, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["error"] == code
    assert "未登记为证据" in body["message"] or "不完整" in body["message"]
    assert recording_count(app) == 0
    assert ledger_size(app) == before
    assert stored_keys(app) == keys
    assert stored_keys(app, "staging/") == staged


def test_sha256_claim_mismatch_is_refused(app, client, av_case, officer, media_files):
    keys = stored_keys(app)
    for how in ("single", "tus"):
        if how == "single":
            resp = upload_single(client, officer, media_files.video, case_id=av_case.case_id, sha256="0" * 64)
        else:
            resp = tus_upload(client, officer, media_files.video, case_id=av_case.case_id, sha256="0" * 64)
        assert resp.status_code == 422
        assert resp.get_json()["error"] == "sha256_mismatch"
    assert recording_count(app) == 0 and stored_keys(app) == keys


def test_tus_resume_after_dropped_connection(app, client, av_case, officer, media_files):
    data = media_files.video.read_bytes()
    staged = stored_keys(app, "staging/")
    opts = client.options("/api/recordings/uploads")
    assert opts.status_code == 204 and "creation" in opts.headers["Tus-Extension"]
    resp = client.post("/api/recordings/uploads", headers={
        **officer, **TUS, "Upload-Length": str(len(data)),
        "Upload-Metadata": tus_metadata(case_id=av_case.case_id, step_id=av_case.step_id, device_id="DSJ-9",
                                        filename="现场检查.mp4", filetype="video/mp4")})
    assert resp.status_code == 201
    url = resp.headers["Location"]
    half = len(data) // 2
    first = client.patch(url, data=data[:half], headers={**officer, **TUS, "Upload-Offset": "0",
                                                        "Content-Type": "application/offset+octet-stream"})
    assert first.status_code == 204 and first.headers["Upload-Offset"] == str(half)
    # The client does not know how much of its next PATCH arrived before the link dropped (the real
    # disconnect is in test_served.py): it asks HEAD and carries on from the server's offset.
    client.patch(url, data=data[half:half + 1000], headers={**officer, **TUS, "Upload-Offset": str(half),
                                                            "Content-Type": "application/offset+octet-stream"})
    head = client.head(url, headers={**officer, **TUS})
    assert head.status_code == 200 and head.headers["Upload-Offset"] == str(half + 1000)
    assert head.headers["Upload-Length"] == str(len(data)) and head.headers["Tus-Resumable"] == "1.0.0"
    assert recording_count(app) == 0
    half += 1000
    # A PATCH at the wrong offset is refused (409), the right one completes the upload.
    wrong = client.patch(url, data=data[half + 10:], headers={**officer, **TUS, "Upload-Offset": str(half + 10),
                                                               "Content-Type": "application/offset+octet-stream"})
    assert wrong.status_code == 409
    done = client.patch(url, data=data[half:], headers={**officer, **TUS, "Upload-Offset": str(half),
                                                        "Content-Type": "application/offset+octet-stream"})
    assert done.status_code == 204, done.get_json()
    assert done.headers["Upload-Offset"] == str(len(data))
    rid = int(done.headers["Recording-Id"])
    with app.app_context():
        rec = db.session.get(Recording, rid)
        assert rec.sha256 == hashlib.sha256(data).hexdigest() and rec.filename == "现场检查.mp4"
        assert rec.step_id == av_case.step_id
    assert stored_keys(app, "staging/") == staged  # staged parts removed


def test_tus_chunk_checksum(app, client, av_case, officer, media_files):
    import base64

    data = media_files.audio.read_bytes()
    resp = client.post("/api/recordings/uploads", headers={
        **officer, **TUS, "Upload-Length": str(len(data)),
        "Upload-Metadata": tus_metadata(case_id=av_case.case_id, device_id="DSJ-9")})
    url = resp.headers["Location"]
    bad = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    resp = client.patch(url, data=data, headers={**officer, **TUS, "Upload-Offset": "0", "Upload-Checksum":
                                                 f"sha256 {bad}", "Content-Type": "application/offset+octet-stream"})
    assert resp.status_code == 460
    assert client.head(url, headers={**officer, **TUS}).headers["Upload-Offset"] == "0"
    good = base64.b64encode(hashlib.sha256(data).digest()).decode()
    resp = client.patch(url, data=data, headers={**officer, **TUS, "Upload-Offset": "0", "Upload-Checksum":
                                                  f"sha256 {good}", "Content-Type": "application/offset+octet-stream"})
    assert resp.status_code == 204 and resp.headers.get("Recording-Id")


def test_unfinished_and_terminated_uploads_leave_no_evidence(app, client, av_case, officer, media_files):
    data = media_files.video.read_bytes()
    before, keys, staged = ledger_size(app), stored_keys(app), stored_keys(app, "staging/")
    urls = []
    for _ in range(2):
        resp = client.post("/api/recordings/uploads", headers={
            **officer, **TUS, "Upload-Length": str(len(data)),
            "Upload-Metadata": tus_metadata(case_id=av_case.case_id, device_id="DSJ-9")})
        url = resp.headers["Location"]
        client.patch(url, data=data[:5000], headers={**officer, **TUS, "Upload-Offset": "0",
                                                     "Content-Type": "application/offset+octet-stream"})
        urls.append(url)
    assert client.delete(urls[0], headers={**officer, **TUS}).status_code == 204
    assert client.head(urls[0], headers={**officer, **TUS}).status_code == 410
    # the other one is abandoned and expires
    from datetime import timedelta

    from recordings import uploads
    from app.timeutil import utcnow

    with app.app_context():
        assert uploads.sweep(now=utcnow() + timedelta(days=30))["aborted"] == 1
    assert client.head(urls[1], headers={**officer, **TUS}).status_code == 410
    assert recording_count(app) == 0 and ledger_size(app) == before
    assert stored_keys(app, "staging/") == staged and stored_keys(app) == keys


def test_late_upload_needs_a_reason(app, client, av_case, officer, media_files):
    late = {"started_at": "2025-09-17T09:30:00", "ended_at": "2025-09-17T09:40:00"}
    resp = upload_single(client, officer, media_files.video, case_id=av_case.case_id, **late)
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["error"] == "late_reason_required" and "24小时" in body["message"]
    # tus refuses at creation, before any byte is sent
    resp = tus_upload(client, officer, media_files.video, case_id=av_case.case_id, **late)
    assert resp.status_code == 422 and resp.get_json()["error"] == "late_reason_required"
    resp = upload_single(client, officer, media_files.video, case_id=av_case.case_id,
                         late_reason="执法记录仪在山区无网络，返回后上传", **late)
    assert resp.status_code == 201
    assert resp.get_json()["late_reason"] == "执法记录仪在山区无网络，返回后上传"


def test_interruptions_need_reasons(app, client, av_case, officer, media_files):
    import json

    bad = json.dumps([{"from": "2025-09-17T09:31:00", "to": "2025-09-17T09:32:00"}])
    resp = upload_single(client, officer, media_files.video, case_id=av_case.case_id, interruptions=bad)
    assert resp.status_code == 422 and "原因" in resp.get_json()["message"]
    good = json.dumps([{"from": "2025-09-17T09:31:00", "to": "2025-09-17T09:32:00", "reason": "更换电池"}])
    resp = upload_single(client, officer, media_files.video, case_id=av_case.case_id, interruptions=good)
    assert resp.status_code == 201
    assert resp.get_json()["interruptions"][0]["reason"] == "更换电池"


def test_only_case_officers_upload(app, client, av_case, media_files, token_for, make_officer, make_user,
                                   make_agency):
    with app.app_context():
        from cases.models import Case

        case = db.session.get(Case, av_case.case_id)
        outsider = make_officer(case.agency_id).user_id
    head = bearer(token_for(av_case.head_id))
    other_agency_officer = make_user(roles=("officer",), agency=make_agency())
    supervisor = make_user(roles=("supervisor",))
    for user_id, status in ((outsider, 403), (av_case.head_id, 403), (other_agency_officer, 404),
                            (supervisor, 403)):
        resp = upload_single(client, bearer(token_for(user_id)), media_files.audio, case_id=av_case.case_id)
        assert resp.status_code == status, (user_id, resp.get_json())
        resp = tus_upload(client, bearer(token_for(user_id)), media_files.audio, case_id=av_case.case_id)
        assert resp.status_code == status
    assert head  # the head may view but not upload
    assert client.post("/api/recordings", data=b"x").status_code == 401
    assert recording_count(app) == 0


def test_browser_upload_uses_session_and_csrf_header(app, client, av_case, login_as, media_files):
    login_as(client, av_case.officer_id)
    page = client.get(f"/cases/{av_case.case_id}/steps/{av_case.step_id}/recordings")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="upload-progress"' in html and "Tus-Resumable" in html
    import re

    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    no_csrf = tus_upload(client, {}, media_files.video, case_id=av_case.case_id)
    assert no_csrf.status_code == 400 and no_csrf.get_json()["error"] == "csrf_failed"
    resp = tus_upload(client, {"X-CSRFToken": token}, media_files.video, case_id=av_case.case_id,
                      step_id=av_case.step_id, chunk=100_000)
    assert resp.status_code == 204 and resp.headers["Recording-Id"]
    page = client.get(f"/cases/{av_case.case_id}/steps/{av_case.step_id}/recordings").get_data(as_text=True)
    assert "bodycam.mp4" in page and "已关联 1 份音像记录" in page
