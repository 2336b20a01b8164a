"""The recordings feature on the S3 backend, against a real S3 server (moto) on loopback: resumable upload
staged in the bucket, validation by ffprobe over a presigned URL, object lock (retention + legal hold),
refusals removing what was stored, derivatives, range playback, and a scan that finds a version written
behind the store's back."""
import hashlib
import io

import pytest
from minio import Minio

from app import create_app
from app.extensions import db
from recordings.models import Recording
from tests.helpers import bearer
from tests.recordings.conftest import ledger_size, recording_count, tus_upload, upload_single
from tests.storage.helpers import s3_config

pytestmark = pytest.mark.s3


@pytest.fixture
def s3_app(app, app_config, s3_server):
    s3app = create_app({**app_config, **s3_config(s3_server), "RECORDING_JOBS": "off"})
    return s3app


def test_upload_validate_lock_play_and_scan_on_s3(app, s3_app, s3_server, av_case, token_for, media_files):
    from app.storage import get_store

    client = s3_app.test_client()
    officer = bearer(token_for(av_case.officer_id))
    data = media_files.video.read_bytes()  # moov at the end: ffprobe must seek over HTTP ranges
    resp = tus_upload(client, officer, media_files.video, case_id=av_case.case_id, step_id=av_case.step_id,
                      chunk=100_000)
    assert resp.status_code == 204, resp.get_data(as_text=True)
    rid = int(resp.headers["Recording-Id"])
    with s3_app.app_context():
        rec = db.session.get(Recording, rid)
        assert rec.sha256 == hashlib.sha256(data).hexdigest() and rec.original_version_id
        store = get_store()
        stat = store.stat(rec.original_key)
        assert stat.sha256 == rec.sha256 and stat.legal_hold and stat.retain_until is not None
        assert list(store.list("staging/")) == []  # staged parts removed
        from app.errors import WriteOnceViolation

        with pytest.raises(WriteOnceViolation):
            store.delete(rec.original_key)
        # derivatives from the presigned URL
        from recordings import jobs

        assert jobs.run_pending() == 1
        rec = db.session.get(Recording, rid)
        assert rec.derivative("proxy") and rec.derivative("thumbnail")
        key, bucket = rec.original_key, store.bucket
    # range playback streamed from the bucket
    part = client.get(f"/recordings/{rid}/media?purpose=审核", headers={**officer, "Range": "bytes=10-109"})
    assert part.status_code == 206 and part.data == data[10:110]
    # A new version written straight into the bucket (bypassing the store) is found by the scan.
    Minio(s3_server, "testing", "testing", secure=False).put_object(bucket, key, io.BytesIO(b"forged" * 100), 600)
    result = s3_app.test_cli_runner().invoke(args=["recordings", "scan"])
    assert result.exit_code == 1 and f"不一致：音像记录 {rid}" in result.output


def test_refused_upload_on_s3_leaves_nothing(app, s3_app, av_case, token_for, media_files):
    from app.storage import get_store

    client = s3_app.test_client()
    officer = bearer(token_for(av_case.officer_id))
    before = ledger_size(app)
    for path in (media_files.truncated_faststart, media_files.text):
        resp = upload_single(client, officer, path, case_id=av_case.case_id)
        assert resp.status_code == 422
        resp = tus_upload(client, officer, path, case_id=av_case.case_id, chunk=100_000)
        assert resp.status_code == 422
    with s3_app.app_context():
        store = get_store()
        assert list(store.list("recordings/")) == [] and list(store.list("staging/")) == []
    assert recording_count(app) == 0 and ledger_size(app) == before
    resp = upload_single(client, officer, media_files.audio, case_id=av_case.case_id, content_type="audio/mp4")
    assert resp.status_code == 201
