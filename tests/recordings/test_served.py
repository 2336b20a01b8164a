"""Against the app served on a loopback socket: an upload killed halfway leaves no evidence, a tus upload
resumes after a real dropped connection, concurrent uploads are all registered and ledgered."""
import hashlib
import http.client
import os
import socket
import threading
import time
from urllib.parse import urlencode

import pytest
from werkzeug.serving import make_server

from tests.helpers import bearer
from tests.recordings.conftest import TUS, ledger_size, recording_count, stored_keys, tus_metadata


@pytest.fixture
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()


def request(port, method, path, body=b"", headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, dict(resp.getheaders()), data


def send_half_and_die(port, method, path, headers, data):
    """Send the headers and half the declared body, then close the socket (a killed client)."""
    sock = socket.create_connection(("127.0.0.1", port))
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(data)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    sock.sendall(data[:len(data) // 2])
    sock.close()


def tmp_files(app):
    root = os.path.join(app.config["STORAGE_FS_ROOT"], ".tmp")
    return set(os.listdir(root)) if os.path.isdir(root) else set()


def no_new_tmp_files(app, earlier):
    """The store is shared by the session (the SIGKILL fault tests may leave a killed server's temp files
    behind on purpose): what matters is that this upload's partial bytes are gone."""
    return lambda: tmp_files(app) <= earlier


def wait_for(predicate, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_single_upload_killed_halfway_leaves_no_evidence(app, served, av_case, token_for, media_files):
    auth = bearer(token_for(av_case.officer_id))
    data = media_files.video.read_bytes()
    before, keys, temp = ledger_size(app), stored_keys(app), tmp_files(app)
    query = urlencode({"case_id": av_case.case_id, "device_id": "DSJ-1", "filename": "x.mp4"})
    send_half_and_die(served, "POST", f"/api/recordings?{query}", {**auth, "Content-Type": "video/mp4"}, data)
    assert wait_for(no_new_tmp_files(app, temp))  # the partial bytes are gone from the store's temp area
    time.sleep(0.5)
    assert recording_count(app) == 0 and ledger_size(app) == before and stored_keys(app) == keys


def test_tus_patch_killed_halfway_then_resumed(app, served, av_case, token_for, media_files):
    auth = bearer(token_for(av_case.officer_id))
    data = media_files.video.read_bytes()
    before, temp = ledger_size(app), tmp_files(app)
    status, headers, _ = request(served, "POST", "/api/recordings/uploads", headers={
        **auth, **TUS, "Upload-Length": str(len(data)),
        "Upload-Metadata": tus_metadata(case_id=av_case.case_id, device_id="DSJ-1", filename="y.mp4")})
    assert status == 201
    path = "/" + headers["Location"].split("/", 3)[3]
    first = len(data) // 3
    status, headers, _ = request(served, "PATCH", path, data[:first], {
        **auth, **TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
    assert status == 204 and headers["Upload-Offset"] == str(first)
    send_half_and_die(served, "PATCH", path, {**auth, **TUS, "Upload-Offset": str(first),
                                              "Content-Type": "application/offset+octet-stream"}, data[first:])
    assert wait_for(no_new_tmp_files(app, temp))
    status, headers, _ = request(served, "HEAD", path, headers={**auth, **TUS})
    assert status == 200 and headers["Upload-Offset"] == str(first)
    assert recording_count(app) == 0 and ledger_size(app) == before
    status, headers, _ = request(served, "PATCH", path, data[first:], {
        **auth, **TUS, "Upload-Offset": str(first), "Content-Type": "application/offset+octet-stream"})
    assert status == 204 and headers["Recording-Id"]
    assert recording_count(app) == 1 and ledger_size(app) == before + 1


def _copies(media_files, tmp_path, n):
    """Distinct files (another comment tag, same streams): the same SHA-256 twice on a case is a duplicate
    answered with the existing recording (issue 22), and this test is about concurrent ingest."""
    from tests.recordings.conftest import _ff

    sources = [media_files.video, media_files.audio, media_files.faststart]
    out = []
    for i in range(n):
        src = sources[i % len(sources)]
        dst = tmp_path / f"copy{i}-{src.name}"
        extra = ["-movflags", "+faststart"] if src == media_files.faststart else []
        _ff("-i", str(src), "-c", "copy", "-map_metadata", "0", "-metadata", f"comment=copy {i}", *extra, str(dst))
        out.append(dst)
    return out


def test_concurrent_uploads(app, served, av_case, token_for, media_files, tmp_path):
    auth = bearer(token_for(av_case.officer_id))
    copies = _copies(media_files, tmp_path, 8)
    files, tus_files = copies[:6], copies[6:]
    results = [None] * (len(files) + 2)

    def single(i, path):
        query = urlencode({"case_id": av_case.case_id, "device_id": f"DSJ-{i}", "filename": path.name})
        results[i] = request(served, "POST", f"/api/recordings?{query}", path.read_bytes(),
                             {**auth, "Content-Type": "application/octet-stream"})

    def tus(i, path):
        data = path.read_bytes()
        status, headers, _ = request(served, "POST", "/api/recordings/uploads", headers={
            **auth, **TUS, "Upload-Length": str(len(data)),
            "Upload-Metadata": tus_metadata(case_id=av_case.case_id, device_id=f"DSJ-{i}", filename=path.name)})
        path_ = "/" + headers["Location"].split("/", 3)[3]
        offset = 0
        while offset < len(data):
            status, headers, body = request(served, "PATCH", path_, data[offset:offset + 50_000], {
                **auth, **TUS, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
            assert status == 204, body
            offset = int(headers["Upload-Offset"])
        results[i] = (201 if headers.get("Recording-Id") else status, headers, b"")

    threads = [threading.Thread(target=single, args=(i, p)) for i, p in enumerate(files)]
    threads += [threading.Thread(target=tus, args=(len(files) + j, tus_files[j])) for j in range(2)]
    before = ledger_size(app)
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert [r[0] for r in results] == [201] * len(results), [r[2][:200] for r in results]
    assert recording_count(app) == len(results)
    assert ledger_size(app) == before + len(results)
    from app.extensions import db
    from app.ledger.services import audit
    from recordings.models import Recording
    from sqlalchemy import select

    with app.app_context():
        recs = list(db.session.scalars(select(Recording)))
        assert len({r.ledger_seq for r in recs}) == len(recs)
        by_device = {r.device_id: r.sha256 for r in recs}
        for i, p in enumerate(files):
            assert by_device[f"DSJ-{i}"] == hashlib.sha256(p.read_bytes()).hexdigest()
        assert audit().ok
