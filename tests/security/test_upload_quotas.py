"""Finding 14.15 (no upload quota; parts of abandoned uploads removed only by hand): per-user quotas on
resumable uploads in progress, and the sweep of expired uploads' staged parts.

Before the fix 30 uploads of 64 GiB each could be opened by one officer, each free to stage its bytes in the
store, and the staged parts of an abandoned upload stayed until someone ran a command. Now:
- an officer may hold RECORDING_UPLOAD_MAX_OPEN uploads in progress (429 `upload_quota_sessions`) reserving
  at most RECORDING_UPLOAD_QUOTA_BYTES (413 `upload_quota_bytes`), refused at creation with a Chinese
  message, through the JSON API (bearer) and from the page (cookie session + CSRF), where the officer also
  sees and can cancel their unfinished uploads; parallel creations on a real threaded server cannot
  overshoot the quota;
- `flask recordings sweep-uploads` (run by a systemd timer and by the job worker) aborts expired uploads and
  deletes the staged parts of every upload not in progress, parts no upload names included, and old rows
  of dead uploads — on the filesystem store and on S3 (moto) — without touching registered recordings or an
  upload still in progress, which then completes normally.
"""
from __future__ import annotations

import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.timeutil import utcnow
from recordings.models import Recording, UploadSession
from tests.helpers import bearer, extract_csrf
from tests.recordings.conftest import (TUS, _jobs_off, av_case, token_for, tus_metadata,  # noqa: F401
                                       tus_upload)


@pytest.fixture
def officer(av_case, token_for):
    return bearer(token_for(av_case.officer_id))


@pytest.fixture
def quota(app):
    """Set quota settings for one test."""
    saved = {}

    def set_(**values):
        for k, v in values.items():
            saved.setdefault(k, app.config[k])
            app.config[k] = v

    yield set_
    app.config.update(saved)


def create(client, headers, case_id, length=1000):
    return client.post("/api/recordings/uploads", headers={
        **headers, **TUS, "Upload-Length": str(length),
        "Upload-Metadata": tus_metadata(case_id=case_id, device_id="DSJ-0001", filename="clip.mp4")})


def session_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(UploadSession.id)))


# --- quotas through the JSON API ------------------------------------------------------------------------

def test_open_uploads_per_user_are_limited(app, client, av_case, officer, quota):
    quota(RECORDING_UPLOAD_MAX_OPEN=3)
    urls = [create(client, officer, av_case.case_id).headers["Location"] for _ in range(3)]
    resp = create(client, officer, av_case.case_id)
    assert resp.status_code == 429, resp.get_json()
    body = resp.get_json()
    assert body["error"] == "upload_quota_sessions"
    assert "每人最多同时进行3个" in body["message"] and "取消" in body["message"]
    assert body["details"]["max_count"] == 3
    assert session_count(app) == 3  # the refused creation left no row
    # Cancelling one frees its place; an expired one does not count either.
    assert client.delete(urls[0], headers={**officer, **TUS}).status_code == 204
    assert create(client, officer, av_case.case_id).status_code == 201
    assert create(client, officer, av_case.case_id).status_code == 429
    with app.app_context():
        s = db.session.get(UploadSession, urls[1].rsplit("/", 1)[-1])
        s.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert create(client, officer, av_case.case_id).status_code == 201


def test_the_quota_is_per_user(app, client, av_case, officer, token_for, quota):
    quota(RECORDING_UPLOAD_MAX_OPEN=1)
    assert create(client, officer, av_case.case_id).status_code == 201
    assert create(client, officer, av_case.case_id).status_code == 429
    colleague = bearer(token_for(av_case.other_officer_id))  # also on the case
    assert create(client, colleague, av_case.case_id).status_code == 201


def test_reserved_bytes_per_user_are_limited(app, client, av_case, officer, quota):
    quota(RECORDING_UPLOAD_QUOTA_BYTES=3 * 1024 ** 2)
    assert create(client, officer, av_case.case_id, length=2 * 1024 ** 2).status_code == 201
    resp = create(client, officer, av_case.case_id, length=1024 ** 2 + 1)
    assert resp.status_code == 413, resp.get_json()
    body = resp.get_json()
    assert body["error"] == "upload_quota_bytes" and "3.0 MB" in body["message"]
    assert session_count(app) == 1
    assert create(client, officer, av_case.case_id, length=1024 ** 2).status_code == 201


def test_defaults_stop_the_reviewed_attack(app, client, av_case, officer):
    """The review opened 30 uploads of 64 GiB: with the defaults the 3rd 64 GiB one is refused."""
    codes = [create(client, officer, av_case.case_id, length=64 * 1024 ** 3).status_code for _ in range(30)]
    assert codes[:2] == [201, 201] and set(codes[2:]) == {413}, codes
    assert create(client, officer, av_case.case_id, length=1000).status_code == 413  # 128 GiB reserved
    assert session_count(app) == 2


@pytest.fixture
def live_server(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_parallel_creations_cannot_overshoot_the_quota(app, av_case, officer, quota, live_server):
    """Counted atomically (the same lost-update class as 14.3): 24 parallel creations, quota 4."""
    quota(RECORDING_UPLOAD_MAX_OPEN=4)
    headers = {**officer, **TUS, "Upload-Length": "1000",
               "Upload-Metadata": tus_metadata(case_id=av_case.case_id, device_id="DSJ-0001")}

    def post(_):
        req = urllib.request.Request(f"{live_server}/api/recordings/uploads", method="POST", headers=headers,
                                     data=b"")
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status
        except urllib.error.HTTPError as err:
            return err.code

    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(post, range(24)))
    assert codes.count(201) == 4 and codes.count(429) == 20, codes
    assert session_count(app) == 4


# --- quotas from the page -------------------------------------------------------------------------------

def test_the_page_shows_refuses_and_cancels(app, av_case, login_as, quota):
    quota(RECORDING_UPLOAD_MAX_OPEN=2)
    client = login_as(app.test_client(), av_case.officer_id)
    page = client.get(f"/cases/{av_case.case_id}/recordings")
    assert page.status_code == 200
    csrf = extract_csrf(page.get_data(as_text=True))
    web = {"X-CSRFToken": csrf}
    assert "您未完成的上传：0 / 2 个" in page.get_data(as_text=True)
    for _ in range(2):
        assert create(client, web, av_case.case_id).status_code == 201
    resp = create(client, web, av_case.case_id)
    assert resp.status_code == 429 and resp.get_json()["error"] == "upload_quota_sessions"
    html = client.get(f"/cases/{av_case.case_id}/recordings").get_data(as_text=True)
    assert "您未完成的上传：2 / 2 个" in html and html.count("取消上传") == 2
    with app.app_context():
        first = db.session.scalars(select(UploadSession.id).order_by(UploadSession.created_at)).first()
    # Another officer cannot cancel it (404); the owner can, and the place is free again.
    other = login_as(app.test_client(), av_case.other_officer_id)
    other_csrf = extract_csrf(other.get(f"/cases/{av_case.case_id}/recordings").get_data(as_text=True))
    assert other.post(f"/recordings/uploads/{first}/cancel", data={"csrf_token": other_csrf}).status_code == 404
    resp = client.post(f"/recordings/uploads/{first}/cancel", data={"csrf_token": csrf})
    assert resp.status_code == 302
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已取消该未完成的上传" in html and "您未完成的上传：1 / 2 个" in html
    assert create(client, web, av_case.case_id).status_code == 201


# --- the sweep ------------------------------------------------------------------------------------------

def _patch(client, headers, url, data, offset=0):
    return client.patch(url, data=data, headers={**headers, **TUS, "Upload-Offset": str(offset),
                                                 "Content-Type": "application/offset+octet-stream"})


def _sweep_scenario(sweep_app, av_case, officer, media_files, run_sweep):
    """Run the same scenario on one app (filesystem or S3 store)."""
    from app.storage import get_store

    client = sweep_app.test_client()
    data = media_files.video.read_bytes()
    # A: abandoned half-way, and expired.  B: in progress, not expired.  C: completed (a recording).
    url_a = create(client, officer, av_case.case_id, length=len(data)).headers["Location"]
    assert _patch(client, officer, url_a, data[:40_000]).status_code == 204
    url_b = create(client, officer, av_case.case_id, length=len(data)).headers["Location"]
    assert _patch(client, officer, url_b, data[:50_000]).status_code == 204
    resp = tus_upload(client, officer, media_files.video, case_id=av_case.case_id, chunk=200_000)
    assert resp.status_code == 204 and resp.headers.get("Recording-Id"), resp.get_data(as_text=True)
    rid = int(resp.headers["Recording-Id"])
    id_a, id_b = url_a.rsplit("/", 1)[-1], url_b.rsplit("/", 1)[-1]
    with sweep_app.app_context():
        store = get_store()
        s_a = db.session.get(UploadSession, id_a)
        s_a.expires_at = utcnow() - timedelta(minutes=5)
        # D: aborted long ago, its row still there.
        d = UploadSession(id="d" * 32, user_id=av_case.officer_id, case_id=av_case.case_id, length=10,
                          received=0, meta={}, parts=[], status="aborted", created_at=utcnow() - timedelta(days=60),
                          updated_at=utcnow() - timedelta(days=40), expires_at=utcnow() - timedelta(days=57))
        db.session.add(d)
        db.session.commit()
        completed = db.session.scalar(select(UploadSession).where(UploadSession.recording_id == rid))
        # Left behind by failures: a part of the completed upload whose removal failed, and a part no
        # upload names (stored before a crash).
        import io

        store.put(io.BytesIO(b"x" * 1000), key=f"staging/{completed.id}/{0:016d}-leftover")
        store.put(io.BytesIO(b"y" * 1000), key="staging/" + "e" * 32 + f"/{0:016d}-orphan")
        rec = db.session.get(Recording, rid)
        original = (rec.original_key, rec.sha256)
        staged_before = {o.key.split("/")[1] for o in store.list("staging/")}
        assert {id_a, id_b, completed.id, "e" * 32} <= staged_before

    run_sweep()

    with sweep_app.app_context():
        store = get_store()
        staged = {o.key.split("/")[1] for o in store.list("staging/")}
        assert staged == {id_b}, staged  # only the upload in progress keeps its bytes
        assert db.session.get(UploadSession, id_a).status == "aborted"
        assert db.session.get(UploadSession, "d" * 32) is None
        assert db.session.get(UploadSession, completed.id).status == "completed"
        assert store.rehash(original[0]) == original[1]  # the registered original untouched
    assert client.head(url_a, headers={**officer, **TUS}).status_code == 410
    # B goes on where it was and completes.
    resp = _patch(client, officer, url_b, data[50_000:], offset=50_000)
    assert resp.status_code == 204 and resp.headers.get("Recording-Id"), resp.get_data(as_text=True)
    # the same bytes as C: answered with C's recording, not kept twice (issue 22)
    assert resp.headers["Recording-Id"] == str(rid) and resp.headers["Recording-Duplicate"] == "true"
    with sweep_app.app_context():
        assert list(get_store().list("staging/")) == []
        assert db.session.scalar(select(func.count(Recording.id))) == 1


def test_sweep_removes_only_what_no_upload_in_progress_needs(app, av_case, officer, media_files):
    """Filesystem store, through the CLI command the timer runs."""
    def run():
        result = app.test_cli_runner().invoke(args=["recordings", "sweep-uploads"])
        assert result.exit_code == 0, result.output
        assert "已中止过期上传 1 个" in result.output and "删除过期上传记录 1 条" in result.output

    with app.app_context():  # start from an empty staging area (the store is shared by the session)
        from recordings import uploads

        uploads.sweep()
    _sweep_scenario(app, av_case, officer, media_files, run)


@pytest.mark.s3
def test_sweep_on_s3(app, app_config, s3_server, av_case, officer, media_files):
    from app import create_app
    from tests.storage.helpers import s3_config

    s3app = create_app({**app_config, **s3_config(s3_server), "RECORDING_JOBS": "off"})

    def run():
        result = s3app.test_cli_runner().invoke(args=["recordings", "sweep-uploads"])
        assert result.exit_code == 0, result.output

    _sweep_scenario(s3app, av_case, officer, media_files, run)


def test_the_job_worker_sweeps_too(app, client, av_case, officer, media_files):
    data = media_files.video.read_bytes()
    url = create(client, officer, av_case.case_id, length=len(data)).headers["Location"]
    _patch(client, officer, url, data[:10_000])
    upload_id = url.rsplit("/", 1)[-1]
    with app.app_context():
        db.session.get(UploadSession, upload_id).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["recordings", "work", "--once"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        from app.storage import get_store

        assert db.session.get(UploadSession, upload_id).status == "aborted"
        assert not [o for o in get_store().list(f"staging/{upload_id}/")]


def test_a_sweep_racing_a_patch_keeps_nothing_half_written(app, client, av_case, officer, media_files):
    """The sweep aborts by compare-and-set: a PATCH that passed its checks just before expiry cannot
    advance the offset of an aborted upload, and the part it stored is removed."""
    from recordings import uploads

    data = media_files.video.read_bytes()
    url = create(client, officer, av_case.case_id, length=len(data)).headers["Location"]
    upload_id = url.rsplit("/", 1)[-1]
    with app.app_context():
        import io

        session = db.session.get(UploadSession, upload_id)
        # The sweep runs (as of a time after expiry) between the PATCH's checks and its write.
        with app.app_context():
            assert uploads.sweep(now=utcnow() + timedelta(days=10))["aborted"] == 1
        from app.errors import Conflict

        with pytest.raises(Conflict):
            uploads.append(session, io.BytesIO(data[:1000]), offset=0, length=1000)
        db.session.rollback()
        from app.storage import get_store

        assert list(get_store().list(f"staging/{upload_id}/")) == []
        assert db.session.get(UploadSession, upload_id).received == 0
