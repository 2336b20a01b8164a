"""Recording fixtures: real media made once per session with ffmpeg (video+audio MP4 in both layouts,
audio-only M4A and MP3), plus an empty file, a text file and truncated copies; a case in investigation
with a step that needs audio/video; helpers to upload through the API.

Media carry a creation_time one hour ago, so that uploads are on time unless a test says otherwise.
"""
from __future__ import annotations

import base64
import hashlib
import subprocess
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from app.extensions import db
from tests.cases.conftest import *  # noqa: F401,F403  (case factories)
from tests.cases.conftest import officer_user

FFMPEG = "ffmpeg"


def _ff(*args):
    subprocess.run([FFMPEG, "-nostdin", "-v", "error", "-y", *args], check=True, capture_output=True)


def sha256_of(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.fixture(scope="session")
def media_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("media")
    created = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    f = SimpleNamespace(dir=d, created=created)
    f.video = d / "bodycam.mp4"  # moov at the end (ffmpeg's default), like most cameras
    _ff("-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
        "-t", "10", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-metadata",
        f"creation_time={created}", str(f.video))
    f.faststart = d / "faststart.mp4"
    _ff("-i", str(f.video), "-c", "copy", "-movflags", "+faststart", "-metadata", f"creation_time={created}",
        str(f.faststart))
    f.audio = d / "inquiry.m4a"
    _ff("-f", "lavfi", "-i", "sine=frequency=330", "-t", "10", "-c:a", "aac", "-metadata",
        f"creation_time={created}", str(f.audio))
    f.mp3 = d / "inquiry.mp3"
    _ff("-f", "lavfi", "-i", "sine=frequency=550", "-t", "10", "-c:a", "libmp3lame", str(f.mp3))
    f.empty = d / "empty.mp4"
    f.empty.write_bytes(b"")
    f.text = d / "notes.mp4"
    f.text.write_text("这不是视频文件，只是一段文字。\n" * 50, encoding="utf-8")
    for name in ("video", "faststart", "audio", "mp3"):
        src = getattr(f, name)
        data = src.read_bytes()
        cut = d / f"truncated-{src.name}"
        cut.write_bytes(data[:int(len(data) * 0.6)])
        setattr(f, f"truncated_{name}", cut)
    return f


@pytest.fixture
def av_case(app, case_at):
    """A case under investigation with an inspection step (needs audio/video) not yet completed.

    Returns ids: case_id, step_id, officer_id (the lead officer's user id), other_officer_id, head_id.
    """
    from cases import services

    with app.app_context():
        case = case_at("investigating")
        officer = officer_user(case)
        step = services.record_step(case, {
            "kind": "inspection", "started_at": (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat(),
            "place": "临江市建国街88号", "content": "现场检查：占道经营摊位3处"}, actor=officer)
        db.session.commit()
        from app.auth.models import User
        from sqlalchemy import select

        head = db.session.scalar(select(User).where(User.agency_id == case.agency_id,
                                                    User.full_name == "王局长"))
        return SimpleNamespace(case_id=case.id, step_id=step.id, officer_id=officer.id,
                               other_officer_id=case.officers[1].officer.user_id, head_id=head.id,
                               agency_id=case.agency_id)


@pytest.fixture
def token_for(app):
    """A bearer token for a user id."""

    def make(user_id):
        from app.auth.models import User
        from app.auth.services import issue_token

        with app.app_context():
            raw, _ = issue_token(db.session.get(User, user_id), "test")
            db.session.commit()
            return raw

    return make


def tus_metadata(**meta) -> str:
    return ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in meta.items() if v is not None)


TUS = {"Tus-Resumable": "1.0.0"}


def upload_single(client, headers, path, *, case_id, device_id="DSJ-0001", content_type="video/mp4", **params):
    query = {"case_id": case_id, "device_id": device_id, "filename": path.name, **params}
    return client.post("/api/recordings", query_string={k: v for k, v in query.items() if v is not None},
                       data=path.read_bytes(), headers={**headers, "Content-Type": content_type})


def tus_upload(client, headers, path, *, case_id, chunk=64 * 1024, device_id="DSJ-0001", **meta):
    """Create and send a whole file in PATCH chunks; returns the last response."""
    data = path.read_bytes()
    resp = client.post("/api/recordings/uploads", headers={
        **headers, **TUS, "Upload-Length": str(len(data)),
        "Upload-Metadata": tus_metadata(case_id=case_id, device_id=device_id, filename=path.name, **meta)})
    if resp.status_code != 201:
        return resp
    url = resp.headers["Location"]
    offset = 0
    while offset < len(data):
        body = data[offset:offset + chunk]
        resp = client.patch(url, data=body, headers={**headers, **TUS, "Upload-Offset": str(offset),
                                                     "Content-Type": "application/offset+octet-stream"})
        if resp.status_code != 204:
            return resp
        offset = int(resp.headers["Upload-Offset"])
    return resp


def ledger_size(app):
    from app.ledger.services import current_size

    with app.app_context():
        return current_size()


def recording_count(app):
    from sqlalchemy import func, select

    from recordings.models import Recording

    with app.app_context():
        return db.session.scalar(select(func.count(Recording.id)))


def stored_keys(app, prefix="recordings/"):
    from app.storage import get_store

    with app.app_context():
        return [o.key for o in get_store().list(prefix)]


@pytest.fixture(autouse=True)
def _jobs_off(app):
    """Derivative jobs run only when a test runs them (`jobs.run_pending`), never behind its back."""
    saved = app.config["RECORDING_JOBS"]
    app.config["RECORDING_JOBS"] = "off"
    yield
    app.config["RECORDING_JOBS"] = saved
