"""Faults: the server killed (SIGKILL) in the middle of an upload and of ledger appends, then restarted; the
object store down during an upload; the database down under a logged-in user.

What must hold: after a crash `flask ledger verify` is clean and no partial evidence is registered (no
Recording row for bytes that never fully arrived, and a resumable upload continues where the store says it
stopped); with the store down the uploader gets a clear 503 `storage_error` and nothing is registered; with
the database down a page or JSON with `database_unavailable`, never a stack trace.

The server runs as a real process (gunicorn, one worker, a process group of its own) on the test database
and the test object store, so that SIGKILL takes it down exactly as a power cut would.
"""
from __future__ import annotations

import base64
import os
import random
import signal
import socket
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.extensions import db
from tests.recordings.conftest import av_case, media_files  # noqa: F401 (fixtures)
from tests.review.conftest import *  # noqa: F401,F403 (case factories)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(app, **extra):
    env = {**os.environ, "SANXIANG_ENV": "development", "FLASK_APP": "wsgi.py",
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "test-secret",
           "STORAGE_BACKEND": "fs", "STORAGE_FS_ROOT": app.config["STORAGE_FS_ROOT"],
           "LEDGER_KEY_PATH": app.config["LEDGER_KEY_PATH"], "RECORDING_JOBS": "off"}
    env.update(extra)
    return env


class Server:
    """gunicorn serving wsgi:app in its own process group; `kill()` is SIGKILL to the whole group."""

    def __init__(self, app, tmp_path):
        self.app, self.tmp_path, self.proc = app, tmp_path, None
        self.port = _free_port()

    def start(self):
        log = open(self.tmp_path / f"gunicorn-{time.time_ns()}.log", "wb")
        self.proc = subprocess.Popen([str(GUNICORN), "-w", "1", "-b", f"127.0.0.1:{self.port}", "--timeout", "60",
                                      "wsgi:app"], cwd=ROOT, env=_env(self.app), stdout=log, stderr=log,
                                     start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
                    if b" 200 " in s.recv(100):
                        return self
            except OSError:
                pass
            assert self.proc.poll() is None, f"server died: {log.name}"
            time.sleep(0.2)
        raise AssertionError("server did not come up")

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def server(app, tmp_path):
    s = Server(app, tmp_path)
    yield s
    s.stop()


def _flask_ledger_verify(app):
    run = subprocess.run([str(Path(sys.executable).with_name("flask")), "ledger", "verify"], cwd=ROOT,
                         env=_env(app), capture_output=True, text=True, timeout=120)
    return run.returncode, run.stdout + run.stderr


def _send_partial(port, head: bytes, body: bytes, sent: int):
    """Open a request, send its head and `sent` bytes of a longer body, and leave the socket open."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(head)
    s.sendall(body[:sent])
    return s


def _token(app, user_id):
    from app.auth.models import User
    from app.auth.services import issue_token

    with app.app_context():
        raw, _ = issue_token(db.session.get(User, user_id), "faults")
        db.session.commit()
    return raw


def _recordings(app):
    from recordings.models import Recording

    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Recording.id)))


def _meta(**meta):
    return ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in meta.items())


def test_server_killed_during_a_single_upload(app, server, av_case, media_files):
    token = _token(app, av_case.officer_id)
    server.start()
    data = media_files.video.read_bytes()
    started = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    path = (f"/api/recordings?case_id={av_case.case_id}&step_id={av_case.step_id}&device_id=DSJ-0001"
            f"&filename=bodycam.mp4&started_at={started.replace('+', '%2B')}")
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: video/mp4\r\nContent-Length: {len(data)}\r\n\r\n").encode()
    sock = _send_partial(server.port, head, data, len(data) // 2)
    time.sleep(0.5)  # the worker is now reading the body
    server.kill()
    sock.close()
    server.start()
    assert _recordings(app) == 0, "half an upload must never be registered as evidence"
    code, out = _flask_ledger_verify(app)
    assert code == 0, out
    # After the restart the same upload goes through whole.
    import urllib.request

    req = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", data=data, method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "video/mp4"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        assert resp.status == 201
    assert _recordings(app) == 1
    assert _flask_ledger_verify(app)[0] == 0


def test_server_killed_during_a_resumable_upload_then_resumed(app, server, av_case, media_files):
    import urllib.error
    import urllib.request

    from recordings.models import Recording

    token = _token(app, av_case.officer_id)
    server.start()
    base = f"http://127.0.0.1:{server.port}"
    data = media_files.video.read_bytes()
    auth = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
    req = urllib.request.Request(f"{base}/api/recordings/uploads", method="POST", data=b"", headers={
        **auth, "Upload-Length": str(len(data)),
        "Upload-Metadata": _meta(case_id=av_case.case_id, step_id=av_case.step_id, device_id="DSJ-0001",
                                 filename="bodycam.mp4",
                                 started_at=(datetime.now(timezone.utc) - timedelta(hours=1)).isoformat())})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status == 201
        location = resp.headers["Location"]
    path = location if location.startswith("/") else "/" + location.split("/", 3)[3]
    # One PATCH carrying the whole file: the server dies when a random part of it has arrived.
    head = (f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nTus-Resumable: 1.0.0\r\n"
            f"Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
            f"Content-Length: {len(data)}\r\n\r\n").encode()
    sock = _send_partial(server.port, head, data, random.randint(len(data) // 4, 3 * len(data) // 4))
    time.sleep(0.5)
    server.kill()
    sock.close()
    server.start()
    base = f"http://127.0.0.1:{server.port}"
    assert _recordings(app) == 0
    assert _flask_ledger_verify(app)[0] == 0
    # The client asks where to continue and sends the rest: the recording is whole and verified.
    with urllib.request.urlopen(urllib.request.Request(f"{base}{path}", method="HEAD", headers=auth),
                                timeout=30) as resp:
        offset = int(resp.headers["Upload-Offset"])
    assert 0 <= offset < len(data)
    req = urllib.request.Request(f"{base}{path}", method="PATCH", data=data[offset:], headers={
        **auth, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        assert resp.status == 204
    import hashlib

    with app.app_context():
        rec = db.session.scalar(db.select(Recording))
        assert rec is not None and rec.sha256 == hashlib.sha256(data).hexdigest() and rec.size == len(data)
    code, out = _flask_ledger_verify(app)
    assert code == 0, out


APPENDER = textwrap.dedent("""
    import sys
    from app import create_app
    from app.extensions import db
    from app.ledger.services import append

    url, key = sys.argv[1], sys.argv[2]
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url, "LEDGER_KEY_PATH": key,
                      "LEDGER_CHECKPOINT_EVERY_ENTRIES": 5, "LEDGER_CHECKPOINT_EVERY_MINUTES": 0})
    with app.app_context():
        i = 0
        while True:
            append("test.crash", "appender", {"i": i, "blob": "x" * 2000})
            db.session.commit()
            i += 1
            if i == 3:
                print("appending", flush=True)
    """)


@pytest.mark.parametrize("round_", range(3))
def test_killed_while_appending_to_the_ledger(app, tmp_path, round_):
    from app.ledger.services import audit, current_size

    script = tmp_path / "appender.py"
    script.write_text(APPENDER)
    proc = subprocess.Popen([sys.executable, str(script), app.config["SQLALCHEMY_DATABASE_URI"],
                             app.config["LEDGER_KEY_PATH"]], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    assert proc.stdout.readline().strip() == b"appending", proc.stderr.read().decode()[-2000:]
    time.sleep(random.uniform(0.05, 0.8))
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    with app.app_context():
        size = current_size()
        assert size >= 3
        result = audit()
        assert result.ok, result.problems
        db.session.rollback()
    code, out = _flask_ledger_verify(app)
    assert code == 0, out
    # The ledger takes new entries after the crash, and stays valid.
    with app.app_context():
        from app.ledger.services import append

        append("test.crash", "after", {"ok": True})
        db.session.commit()
        assert current_size() == size + 1
        assert audit().ok


def test_object_store_down_during_an_upload(app_config, app, av_case, media_files):
    """S3 (MinIO) unreachable: the uploader is told so clearly, and nothing is registered or ledgered."""
    from app import create_app
    from app.ledger.services import current_size

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    down = create_app({**app_config, "STORAGE_BACKEND": "s3", "S3_ENDPOINT": f"127.0.0.1:{dead}",
                       "S3_ACCESS_KEY": "x", "S3_SECRET_KEY": "y", "S3_SECURE": False, "S3_RETRIES": 0,
                       "S3_CONNECT_TIMEOUT": 2, "RECORDING_JOBS": "off"})
    down.config["PROPAGATE_EXCEPTIONS"] = False
    token = _token(app, av_case.officer_id)
    with app.app_context():
        before = current_size()
    client = down.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    started = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    resp = client.post("/api/recordings", query_string={
        "case_id": av_case.case_id, "step_id": av_case.step_id, "device_id": "DSJ-0001",
        "filename": "bodycam.mp4", "started_at": started}, data=media_files.video.read_bytes(),
        headers={**headers, "Content-Type": "video/mp4"})
    assert resp.status_code == 503, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["error"] == "storage_error" and "对象存储" in body["message"]
    # A resumable upload is refused as clearly, at its first chunk.
    data = media_files.video.read_bytes()
    resp = client.post("/api/recordings/uploads", headers={
        **headers, "Tus-Resumable": "1.0.0", "Upload-Length": str(len(data)),
        "Upload-Metadata": _meta(case_id=av_case.case_id, device_id="DSJ-0001", filename="bodycam.mp4",
                                 started_at=started)})
    if resp.status_code == 201:
        resp = client.patch(resp.headers["Location"], data=data, headers={
            **headers, "Tus-Resumable": "1.0.0", "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream"})
    assert resp.status_code == 503 and resp.get_json()["error"] == "storage_error", resp.get_data(as_text=True)
    assert _recordings(app) == 0
    with app.app_context():
        assert current_size() == before, "nothing about a failed upload enters the ledger"


def test_database_down_under_a_logged_in_user(app_config, app, make_agency, make_user, login_as):
    """The session cookie is valid but the database is gone: a clear page, not a trace."""
    from app import create_app

    user_id = make_user(roles=("officer",), agency=make_agency())
    down = create_app({**app_config, "SQLALCHEMY_DATABASE_URI":
                       "postgresql+psycopg://nobody:x@127.0.0.1:1/none?connect_timeout=2"})
    down.config["PROPAGATE_EXCEPTIONS"] = False
    # The server-side session is opened while the database is up (login_as would need the dead one).
    from app.auth.models import User
    from app.auth.services import start_session
    from app.extensions import db

    with app.app_context():
        sid = start_session(db.session.get(User, user_id))
        db.session.commit()

    def logged_in():
        client = down.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"], session["sid"] = str(user_id), True, sid
        return client

    for path in ("/cases", "/", "/review/"):
        client = logged_in()
        resp = client.get(path, headers={"Accept": "text/html"})
        body = resp.get_data(as_text=True)
        assert resp.status_code == 503, (path, resp.status_code)
        assert "数据库暂时不可用" in body and "<html" in body.lower()
        assert "Traceback" not in body and "psycopg" not in body and "OperationalError" not in body
    client = logged_in()
    resp = client.get("/api/cases/")
    assert resp.status_code == 503
    assert resp.get_json() == {"error": "database_unavailable", "message": "数据库暂时不可用，请稍后再试"}
