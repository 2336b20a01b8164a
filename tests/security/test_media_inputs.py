"""Findings 14.2 (ffmpeg follows references) and 14.5 (decompression bombs): what ffmpeg is allowed to read.

Real ffprobe/ffmpeg on real files. A real HLS playlist pointing at a file on the server's disk, and one
pointing at a URL served on loopback by a test HTTP server that counts its requests: both refused
(`not_media`), nothing registered, nothing fetched. A real 8000×8000 H.264 frame is refused from its header
(`media_too_large`) before anything is decoded; duration and frame limits are settings; the ffmpeg child
runs under an address-space limit (a job over it fails instead of eating the worker's memory).
"""
from __future__ import annotations

import http.server
import subprocess
import threading

import pytest

from tests.helpers import bearer
from tests.recordings.conftest import _jobs_off, av_case, recording_count, token_for, upload_single  # noqa: F401

from datetime import datetime, timedelta, timezone

STARTED = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()


@pytest.fixture
def officer(av_case, token_for):
    return bearer(token_for(av_case.officer_id))


@pytest.fixture(scope="module")
def segment(tmp_path_factory):
    """A real MPEG-TS segment on the server's disk (what a forged playlist would make ffmpeg read)."""
    d = tmp_path_factory.mktemp("hls")
    seg = d / "seg.ts"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10",
                    "-f", "lavfi", "-i", "sine=frequency=440", "-t", "3", "-c:v", "libx264", "-preset",
                    "ultrafast", "-c:a", "aac", "-f", "mpegts", str(seg)], check=True, capture_output=True)
    return seg


def playlist(tmp_path, target: str, name="evidence.m3u8"):
    path = tmp_path / name
    path.write_text("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n#EXT-X-MEDIA-SEQUENCE:0\n"
                    f"#EXTINF:3.0,\n{target}\n#EXT-X-ENDLIST\n")
    return path


@pytest.fixture
def http_server(segment):
    """A loopback HTTP server standing for an internal address (metadata service, presigned S3 URL…)."""
    hits = []
    data = segment.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "video/mp2t")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_a_playlist_of_a_server_local_file_is_refused(app, client, av_case, officer, segment, tmp_path):
    before = recording_count(app)
    resp = upload_single(client, officer, playlist(tmp_path, str(segment)), case_id=av_case.case_id,
                         started_at=STARTED)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["error"] == "not_media"
    assert recording_count(app) == before


@pytest.mark.parametrize("form", ["hls", "hls-file-url", "ffconcat"])
def test_no_reference_format_makes_the_server_fetch_anything(app, client, av_case, officer, http_server,
                                                             segment, tmp_path, form):
    base, hits = http_server
    if form == "hls":
        path = playlist(tmp_path, f"{base}/seg.ts")
    elif form == "hls-file-url":
        path = playlist(tmp_path, f"file:{segment}")
    else:
        path = tmp_path / "evidence.ffconcat"
        path.write_text(f"ffconcat version 1.0\nfile '{base}/seg.ts'\nfile '{segment}'\n")
    resp = upload_single(client, officer, path, case_id=av_case.case_id, started_at=STARTED)
    assert resp.status_code == 422 and resp.get_json()["error"] == "not_media", resp.get_json()
    assert hits == []


@pytest.mark.s3
@pytest.mark.parametrize("target", ["remote", "relative"])
def test_on_s3_a_playlist_neither_fetches_urls_nor_reads_beside_itself(app, app_config, s3_server, av_case,
                                                                       token_for, http_server, tmp_path, target):
    """On the S3 backend ffmpeg once read the original over a presigned URL: an uploaded playlist then made
    the server fetch any URL (SSRF) or other objects beside the original. Now ffmpeg reads a private local
    copy with the file protocol only, and a playlist is refused before anything is fetched."""
    from app import create_app
    from tests.storage.helpers import s3_config

    s3app = create_app({**app_config, **s3_config(s3_server), "RECORDING_JOBS": "off"})
    base, hits = http_server
    path = playlist(tmp_path, f"{base}/seg.ts" if target == "remote" else "seg.ts")
    resp = upload_single(s3app.test_client(), bearer(token_for(av_case.officer_id)), path,
                         case_id=av_case.case_id, started_at=STARTED)
    assert resp.status_code == 422 and resp.get_json()["error"] == "not_media", resp.get_json()
    assert hits == []


def test_an_allowed_container_still_registers(app, client, av_case, officer, segment):
    resp = upload_single(client, officer, segment, case_id=av_case.case_id, started_at=STARTED,
                         content_type="video/mp2t")
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["probe"]["demuxer"] == "mpegts"


# --- 14.5: bombs --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def huge_frame(tmp_path_factory):
    """One real 8000×8000 H.264 frame: 190 KB on disk, 96 MB per decoded frame."""
    path = tmp_path_factory.mktemp("bomb") / "huge.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=white:s=8000x8000:r=25",
                    "-frames:v", "1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
                   check=True, capture_output=True)
    return path


def test_a_huge_picture_is_refused_from_its_header(app, client, av_case, officer, huge_frame):
    before = recording_count(app)
    resp = upload_single(client, officer, huge_frame, case_id=av_case.case_id, started_at=STARTED)
    assert resp.status_code == 422, resp.get_json()
    body = resp.get_json()
    assert body["error"] == "media_too_large" and "8000×8000" in body["message"]
    assert recording_count(app) == before


@pytest.mark.parametrize("setting, value, words", [
    ("RECORDING_MAX_DURATION_HOURS", 0.001, "时长"),
    ("RECORDING_MAX_FRAMES", 100, "帧"),
    ("RECORDING_MAX_PIXELS", 320 * 240 - 1, "画面"),
])
def test_duration_frames_and_pixels_are_settings(app, client, av_case, officer, media_files, setting, value,
                                                 words):
    saved = app.config[setting]
    app.config[setting] = value
    try:
        resp = upload_single(client, officer, media_files.video, case_id=av_case.case_id)
    finally:
        app.config[setting] = saved
    assert resp.status_code == 422 and resp.get_json()["error"] == "media_too_large", resp.get_json()
    assert words in resp.get_json()["message"]


def test_ffmpeg_runs_under_memory_and_cpu_limits(app, media_files, tmp_path):
    """Even a bomb that passed the header checks cannot take the worker's memory or CPU: every ffmpeg
    child runs with an address-space limit (RECORDING_FFMPEG_MEMORY_MB) and a CPU-time limit, besides the
    wall-clock timeout. Too small a limit makes the job fail with ffmpeg's error, nothing else."""
    from recordings import media

    saved = app.config["RECORDING_FFMPEG_MEMORY_MB"]
    app.config["RECORDING_FFMPEG_MEMORY_MB"] = 300
    try:
        with app.app_context():
            out = media.run_ff(["sh", "-c", "ulimit -v; ulimit -t"], 10).stdout.decode().split()
            assert out[0] == str(300 * 1024) and out[1] != "unlimited"
            app.config["RECORDING_FFMPEG_MEMORY_MB"] = 16
            with pytest.raises(RuntimeError, match="ffmpeg failed"):
                media.make_proxy(str(media_files.video), str(tmp_path / "p.mp4"), video=True, demuxer="mov")
    finally:
        app.config["RECORDING_FFMPEG_MEMORY_MB"] = saved
    with app.app_context():
        media.make_proxy(str(media_files.video), str(tmp_path / "p.mp4"), video=True, demuxer="mov")
    assert (tmp_path / "p.mp4").stat().st_size > 0


# --- 14.5: the job thread -------------------------------------------------------------------------------

def _job_of(app, recording_id):
    from sqlalchemy import select

    from app.extensions import db
    from recordings.models import RecordingJob

    with app.app_context():
        job = db.session.scalars(select(RecordingJob).where(RecordingJob.recording_id == recording_id)).one()
        return job.status, job.attempts, job.error


def test_a_job_over_its_time_budget_fails_once_and_frees_the_thread(app, client, av_case, officer, media_files):
    """Before, every ffmpeg call of a job had RECORDING_PROXY_TIMEOUT (2 h) of its own, and a job that ran
    out was queued again up to three times: one file held the single job thread for hours. Now a job has
    one budget from the recording's duration for all its calls, and a job stopped by a limit is not
    retried."""
    import time

    from recordings import jobs

    resp = upload_single(client, officer, media_files.video, case_id=av_case.case_id)
    assert resp.status_code == 201, resp.get_json()
    rid = resp.get_json()["id"]
    saved = {k: app.config.get(k) for k in ("RECORDING_JOB_MIN_SECONDS", "RECORDING_JOB_SECONDS_PER_MEDIA_SECOND")}
    # 10 s of video: a budget of 0.3 s is spent by the thumbnail and the proxy (about 1.5 s together).
    app.config.update(RECORDING_JOB_MIN_SECONDS=0.3, RECORDING_JOB_SECONDS_PER_MEDIA_SECOND=0.01)
    try:
        with app.app_context():
            started = time.monotonic()
            assert jobs.run_pending(app) == 1
            assert time.monotonic() - started < 5
            assert jobs.run_pending(app) == 0  # not queued again
    finally:
        for k, v in saved.items():
            app.config.pop(k) if v is None else app.config.update({k: v})
    status, attempts, error = _job_of(app, rid)
    assert (status, attempts) == ("failed", 1), error
    assert "LimitExceeded" in error and "budget" in error
    # With the default budget (at least 300 s) the same recording gets its proxy.
    with app.app_context():
        assert jobs.budget(type("R", (), {"duration_seconds": 10})()) == 300
        assert jobs.budget(type("R", (), {"duration_seconds": 24 * 3600})()) == app.config["RECORDING_PROXY_TIMEOUT"]


def test_a_slow_job_is_not_run_twice_while_it_may_still_be_running(app, av_case, officer, client, media_files):
    """The lease (60 min) was shorter than the proxy timeout (120 min): a slow job was claimed by a second
    thread while the first still ran it. The lease now covers the longest a job may run."""
    from datetime import timedelta

    from app.extensions import db
    from app.timeutil import utcnow
    from recordings import jobs
    from recordings.models import RecordingJob

    rid = upload_single(client, officer, media_files.video, case_id=av_case.case_id).get_json()["id"]
    with app.app_context():
        job = db.session.query(RecordingJob).filter_by(recording_id=rid).one()
        job.status, job.started_at, job.attempts = "running", utcnow() - timedelta(minutes=61), 1
        db.session.commit()
        assert jobs.claim_next(app) is None  # still within RECORDING_PROXY_TIMEOUT: its worker may be busy
        job = db.session.get(RecordingJob, job.id)
        job.started_at = utcnow() - timedelta(seconds=app.config["RECORDING_PROXY_TIMEOUT"] + 660)
        db.session.commit()
        assert jobs.claim_next(app) == job.id  # a crashed worker's job is taken over after the lease


def test_job_ffmpeg_runs_niced_with_few_threads(app, media_files, tmp_path, monkeypatch):
    import os

    from recordings import media

    with app.app_context():
        out = media.run_ff(["sh", "-c", "nice"], 10, background=True).stdout.decode().strip()
        assert int(out) == min(19, os.nice(0) + app.config["RECORDING_JOB_NICE"])
        assert media.run_ff(["sh", "-c", "nice"], 10).stdout.decode().strip() == str(os.nice(0))
        seen = []
        real = media.run_ff
        monkeypatch.setattr(media, "run_ff", lambda cmd, timeout, **kw: seen.append(cmd) or real(cmd, timeout, **kw))
        media.make_proxy(str(media_files.video), str(tmp_path / "p.mp4"), video=True, demuxer="mov")
    threads = seen[0][seen[0].index("-threads") + 1]
    assert threads == str(app.config["RECORDING_FFMPEG_THREADS"])
