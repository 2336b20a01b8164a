"""The upload API as standard clients meet it (issue 22): tus checksums in sha1 and sha256, metadata refused at
creation before a byte is sent, the same evidence uploaded twice answered with the recording already
registered, staging directories removed with their uploads, no trailing-slash redirects on API paths, and
the feed discoverable from the public pages that list decisions."""
import base64
import hashlib
import os
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from recordings.models import UploadSession
from tests.helpers import bearer
from tests.recordings.conftest import (TUS, ledger_size, recording_count, stored_keys, tus_metadata, tus_upload,
                                       upload_single)

pytestmark = pytest.mark.usefixtures("app")

OCTET = {"Content-Type": "application/offset+octet-stream"}


@pytest.fixture
def officer(av_case, token_for):
    return bearer(token_for(av_case.officer_id))


def _create(client, officer, data, **meta):
    resp = client.post("/api/recordings/uploads", headers={
        **officer, **TUS, "Upload-Length": str(len(data)),
        "Upload-Metadata": tus_metadata(**{"device_id": "DSJ-9", **meta})})
    assert resp.status_code == 201 or "Location" not in resp.headers, resp.get_json()
    return resp


def _url(resp):
    assert resp.status_code == 201, resp.get_json()
    return resp.headers["Location"]


def _staging_dirs(app):
    root = os.path.join(app.config["STORAGE_FS_ROOT"], "staging")
    return sorted(os.listdir(root)) if os.path.isdir(root) else []


def _sessions(app):
    with app.app_context():
        return db.session.scalar(select(func.count(UploadSession.id)))


# --- checksums ------------------------------------------------------------------------------------------

def test_options_offers_sha1_and_sha256(client):
    opts = client.options("/api/recordings/uploads")
    assert opts.status_code == 204
    assert set(opts.headers["Tus-Checksum-Algorithm"].split(",")) == {"sha1", "sha256"}


@pytest.mark.parametrize("algo", ["sha1", "sha256"])
def test_chunk_checksum_in_either_algorithm(app, client, av_case, officer, media_files, algo):
    data = media_files.video.read_bytes()
    url = _url(_create(client, officer, data, case_id=av_case.case_id))
    half = len(data) // 2
    good = base64.b64encode(hashlib.new(algo, data[:half]).digest()).decode()
    bad = base64.b64encode(hashlib.new(algo, b"other bytes").digest()).decode()
    resp = client.patch(url, data=data[:half], headers={**officer, **TUS, **OCTET, "Upload-Offset": "0",
                                                        "Upload-Checksum": f"{algo} {bad}"})
    assert resp.status_code == 460 and resp.get_json()["error"] == "checksum_mismatch"
    assert client.head(url, headers={**officer, **TUS}).headers["Upload-Offset"] == "0"
    assert stored_keys(app, "staging/") == []  # the refused chunk is not kept
    resp = client.patch(url, data=data[:half], headers={**officer, **TUS, **OCTET, "Upload-Offset": "0",
                                                        "Upload-Checksum": f"{algo} {good}"})
    assert resp.status_code == 204 and resp.headers["Upload-Offset"] == str(half)
    rest = base64.b64encode(hashlib.new(algo, data[half:]).digest()).decode()
    resp = client.patch(url, data=data[half:], headers={**officer, **TUS, **OCTET, "Upload-Offset": str(half),
                                                        "Upload-Checksum": f"{algo} {rest}"})
    assert resp.status_code == 204 and resp.headers.get("Recording-Id")


def test_unknown_checksum_algorithm_is_refused(client, av_case, officer, media_files):
    data = media_files.video.read_bytes()
    url = _url(_create(client, officer, data, case_id=av_case.case_id))
    resp = client.patch(url, data=data[:10], headers={**officer, **TUS, **OCTET, "Upload-Offset": "0",
                                                      "Upload-Checksum": "md5 " + base64.b64encode(
                                                          hashlib.md5(data[:10]).digest()).decode()})
    assert resp.status_code == 400 and resp.get_json()["error"] == "checksum_algorithm"
    assert "sha1" in resp.get_json()["message"]


# --- metadata checked at creation -----------------------------------------------------------------------

def test_format_without_recording_time_needs_start_time_at_creation(app, client, av_case, officer, media_files):
    """MP3 carries no creation time: without started_at the upload is refused when it is created, not after
    the last chunk."""
    data = media_files.mp3.read_bytes()
    before = _sessions(app)
    resp = _create(client, officer, data, case_id=av_case.case_id, filename="inquiry.mp3", filetype="audio/mpeg")
    assert resp.status_code == 422, resp.get_json()
    body = resp.get_json()
    assert body["details"]["fields"]["started_at"] and "开始时间" in body["message"]
    assert "Location" not in resp.headers and _sessions(app) == before
    start = (datetime.now() - timedelta(minutes=30)).replace(microsecond=0).isoformat()
    resp = tus_upload(client, officer, media_files.mp3, case_id=av_case.case_id, started_at=start,
                      filetype="audio/mpeg")
    assert resp.status_code == 204 and resp.headers.get("Recording-Id")


@pytest.mark.parametrize("meta,field", [
    ({"started_at": "yesterday"}, "started_at"),
    ({"started_at": "2025-01-02T10:00:00", "ended_at": "2025-01-02T09:00:00"}, "ended_at"),
    ({"device_id": ""}, "device_id"),
    ({"case_id": "abc"}, "case_id"),
])
def test_bad_metadata_is_refused_at_creation(app, client, av_case, officer, media_files, meta, field):
    data = media_files.video.read_bytes()
    before = _sessions(app)
    resp = _create(client, officer, data, **{"case_id": av_case.case_id, **meta})
    assert resp.status_code in (400, 422), resp.get_json()
    body = resp.get_json()
    assert body["message"] and any("\u4e00" <= c <= "\u9fff" for c in body["message"])
    assert field in str(body.get("details")) or field == "case_id"
    assert _sessions(app) == before


def test_case_not_visible_is_refused_at_creation(app, client, av_case, media_files, token_for, make_user,
                                                 make_agency):
    before = _sessions(app)
    outsider = make_user(roles=("officer",), agency=make_agency())
    resp = _create(client, bearer(token_for(outsider)), media_files.video.read_bytes(), case_id=av_case.case_id)
    assert resp.status_code == 404 and resp.get_json()["error"] == "not_found"
    assert _sessions(app) == before


# --- duplicates -----------------------------------------------------------------------------------------

def test_same_file_twice_is_answered_with_the_existing_recording(app, client, av_case, officer, media_files):
    first = upload_single(client, officer, media_files.video, case_id=av_case.case_id)
    assert first.status_code == 201 and first.get_json()["duplicate"] is False
    rec_id = first.get_json()["id"]
    keys, ledger = stored_keys(app), ledger_size(app)

    again = upload_single(client, officer, media_files.video, case_id=av_case.case_id, device_id="DSJ-0002")
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["duplicate"] is True and again.get_json()["id"] == rec_id
    assert again.headers["Location"].endswith(f"/api/recordings/{rec_id}")

    resp = tus_upload(client, officer, media_files.video, case_id=av_case.case_id)
    assert resp.status_code == 204
    assert resp.headers["Recording-Id"] == str(rec_id) and resp.headers["Recording-Duplicate"] == "true"
    assert recording_count(app) == 1 and stored_keys(app) == keys and ledger_size(app) == ledger
    assert stored_keys(app, "staging/") == [] and _staging_dirs(app) == []

    # other bytes are a recording of their own
    other = upload_single(client, officer, media_files.faststart, case_id=av_case.case_id)
    assert other.status_code == 201 and other.get_json()["duplicate"] is False


# --- staging directories --------------------------------------------------------------------------------

def test_staging_directories_go_with_their_uploads(app, client, av_case, officer, media_files):
    from app.timeutil import utcnow
    from recordings import uploads

    data = media_files.video.read_bytes()
    # finished
    assert tus_upload(client, officer, media_files.video, case_id=av_case.case_id,
                      chunk=len(data) // 3 + 1).status_code == 204
    assert _staging_dirs(app) == []
    # terminated
    url = _url(_create(client, officer, data, case_id=av_case.case_id))
    client.patch(url, data=data[:5000], headers={**officer, **TUS, **OCTET, "Upload-Offset": "0"})
    assert _staging_dirs(app) == [url.rsplit("/", 1)[-1]]
    assert client.delete(url, headers={**officer, **TUS}).status_code == 204
    assert _staging_dirs(app) == []
    # abandoned, then swept
    url = _url(_create(client, officer, data, case_id=av_case.case_id))
    client.patch(url, data=data[:5000], headers={**officer, **TUS, **OCTET, "Upload-Offset": "0"})
    assert _staging_dirs(app) == [url.rsplit("/", 1)[-1]]
    with app.app_context():
        assert uploads.sweep(now=utcnow() + timedelta(days=30))["aborted"] == 1
    assert _staging_dirs(app) == []


def test_refused_finalisation_leaves_no_staging_directory(app, client, av_case, officer, media_files):
    resp = tus_upload(client, officer, media_files.truncated_video, case_id=av_case.case_id)
    assert resp.status_code == 422
    assert _staging_dirs(app) == []


# --- API paths: no slash redirects ----------------------------------------------------------------------

def test_api_paths_answer_without_redirect_in_both_forms(app, client, officer):
    for url in ("/api/cases", "/api/cases/", "/api/officers", "/api/officers/", "/public/api", "/public/api/",
                "/public/api/decisions/", "/api/recordings/uploads/"):
        resp = client.get(url, headers=officer) if url != "/api/recordings/uploads/" else client.options(url)
        assert resp.status_code not in (301, 302, 307, 308), (url, resp.status_code)
        assert resp.status_code < 500
    assert client.get("/api/cases", headers=officer).status_code == 200
    assert client.get("/api/cases", headers=officer).is_json
    missing = client.get("/api/no-such-thing/", headers=officer)
    assert missing.status_code == 404 and missing.is_json
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/", "/public/api/")):
            assert not rule.strict_slashes, rule.rule


# --- feed discovery -------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/public", "/public/", "/public/decisions"])
def test_public_pages_listing_decisions_link_the_feed(client, url):
    html = client.get(url).get_data(as_text=True)
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert "/public/feeds/decisions.atom" in html
