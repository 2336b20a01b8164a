"""A tus client nobody here wrote, against the app served on loopback (issue 22): tuspy (PyPI) uploads a
recording in chunks with checksums on (tuspy sends `Upload-Checksum: sha1 …`), is interrupted, and a second
client resumes from the offset the server reports (HEAD)."""
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from recordings.models import Recording
from tests.recordings.conftest import ledger_size, recording_count, stored_keys

tusclient = pytest.importorskip("tusclient.client")  # dev dependency tuspy


@pytest.fixture
def live_server(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_tuspy_upload_with_checksums_and_resume(app, av_case, token_for, media_files, live_server):
    import os

    from tests.recordings.test_tus_contract import _staging_dirs

    token = token_for(av_case.officer_id)
    before = ledger_size(app)
    client = tusclient.TusClient(f"{live_server}/api/recordings/uploads",
                                 headers={"Authorization": f"Bearer {token}"})
    path = str(media_files.video)
    size = os.path.getsize(path)
    chunk = size // 4 + 1
    start = (datetime.now() - timedelta(minutes=30)).replace(microsecond=0).isoformat()
    meta = {"case_id": str(av_case.case_id), "step_id": str(av_case.step_id), "device_id": "DSJ-TUSPY",
            "started_at": start, "filename": "bodycam.mp4", "filetype": "video/mp4"}
    first = client.uploader(path, chunk_size=chunk, metadata=meta, upload_checksum=True)
    first.upload_chunk()
    first.upload_chunk()  # then the connection "drops": this client is gone
    assert first.offset == 2 * chunk
    assert recording_count(app) == 0

    resumed = client.uploader(path, url=first.url, chunk_size=chunk, upload_checksum=True)
    assert resumed.offset == 2 * chunk  # from the server's HEAD
    resumed.upload()
    assert resumed.offset == size

    with app.app_context():
        rec = db.session.scalar(select(Recording).where(Recording.case_id == av_case.case_id))
        assert rec is not None and rec.device_id == "DSJ-TUSPY" and rec.size == size
        import hashlib

        assert rec.sha256 == hashlib.sha256(media_files.video.read_bytes()).hexdigest()
    assert ledger_size(app) == before + 1
    assert stored_keys(app, "staging/") == [] and _staging_dirs(app) == []


def test_tuspy_refused_at_creation_before_any_byte(app, av_case, token_for, media_files, live_server):
    from tusclient.exceptions import TusCommunicationError

    client = tusclient.TusClient(f"{live_server}/api/recordings/uploads",
                                 headers={"Authorization": f"Bearer {token_for(av_case.officer_id)}"})
    meta = {"case_id": str(av_case.case_id), "device_id": "DSJ-TUSPY", "filename": "inquiry.mp3",
            "filetype": "audio/mpeg"}  # MP3 carries no recording time and none is given
    uploader = None
    with pytest.raises(TusCommunicationError) as err:
        uploader = client.uploader(str(media_files.mp3), metadata=meta, upload_checksum=True)
        uploader.upload()
    assert err.value.status_code == 422
    assert recording_count(app) == 0 and stored_keys(app, "staging/") == []
