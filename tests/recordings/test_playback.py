"""Playback with range requests, custody logging, export approval, the proof bundle checked by the offline
verifier, the custody report PDF, derivatives made in the background."""
import hashlib
import json
import subprocess
import sys

import pytest
from sqlalchemy import select

from app.extensions import db
from recordings.models import CustodyEvent, Recording
from tests.helpers import bearer
from tests.recordings.conftest import upload_single


@pytest.fixture
def recording(app, client, av_case, token_for, media_files):
    resp = upload_single(client, bearer(token_for(av_case.officer_id)), media_files.video, case_id=av_case.case_id,
                         step_id=av_case.step_id, device_id="DSJ-LJ-0012")
    assert resp.status_code == 201
    return resp.get_json()


def custody(app, rid):
    with app.app_context():
        return [(e.action, e.purpose, e.user_id) for e in
                db.session.scalars(select(CustodyEvent).where(CustodyEvent.recording_id == rid).order_by(CustodyEvent.id))]


def test_range_requests_stream_the_stored_bytes(app, client, av_case, login_as, recording, media_files):
    data = media_files.video.read_bytes()
    login_as(client, av_case.other_officer_id)
    url = f"/recordings/{recording['id']}/media?variant=original&purpose=核对现场情况"
    whole = client.get(url)
    assert whole.status_code == 200 and whole.data == data
    assert whole.headers["Accept-Ranges"] == "bytes" and whole.headers["Content-Type"] == "video/mp4"
    part = client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    tail = client.get(url, headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and tail.data == data[-500:]
    opened = client.get(url, headers={"Range": "bytes=0-"})
    assert opened.status_code == 206 and opened.data == data
    bad = client.get(url, headers={"Range": f"bytes={len(data) + 10}-"})
    assert bad.status_code == 416
    # every read is logged, but the range requests of one playback share one entry (SEC-9)
    plays = [c for c in custody(app, recording["id"]) if c[0] == "play"]
    assert plays == [("play", "核对现场情况", av_case.other_officer_id)]


def test_play_page_asks_for_purpose_and_uses_proxy_when_ready(app, client, av_case, login_as, recording):
    from recordings import jobs

    login_as(client, av_case.head_id)
    page = client.get(f"/recordings/{recording['id']}/play").get_data(as_text=True)
    assert 'name="purpose"' in page and "<video" not in page
    page = client.get(f"/recordings/{recording['id']}/play?purpose=案件审核").get_data(as_text=True)
    assert "<video" in page and "variant=original" in page
    with app.app_context():
        assert jobs.run_pending() == 1
        rec = db.session.get(Recording, recording["id"])
        proxy, thumb = rec.derivative("proxy"), rec.derivative("thumbnail")
        assert proxy is not None and thumb is not None
        from app.ledger.services import get_entry

        entry = get_entry(proxy.ledger_seq).payload
        assert entry["original_sha256"] == rec.sha256 and entry["sha256"] == proxy.sha256
    page = client.get(f"/recordings/{recording['id']}/play?purpose=案件审核").get_data(as_text=True)
    assert "variant=proxy" in page and "poster=" in page
    resp = client.get(f"/recordings/{recording['id']}/media?variant=proxy&purpose=案件审核")
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "video/mp4"
    assert hashlib.sha256(resp.data).hexdigest() == proxy.sha256
    # the proxy is browser-playable: H.264 + AAC, index (moov) before the media data
    assert resp.data.find(b"moov") < resp.data.find(b"mdat")
    info = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", "-"],
                          input=resp.data, capture_output=True).stdout.decode().split()
    assert sorted(info) == ["aac", "h264"]
    assert client.get(f"/recordings/{recording['id']}/thumbnail").headers["Content-Type"] == "image/jpeg"


def test_who_may_view_and_download(app, client, av_case, login_as, recording, make_user, make_agency):
    rid = recording["id"]
    stranger = make_user(roles=("officer",), agency=make_agency())
    supervisor = make_user(roles=("supervisor",))
    agency = type("A", (), {"id": av_case.agency_id})()
    reviewer = make_user(roles=("reviewer",), agency=agency)
    colleague = make_user(roles=("officer",), agency=agency)
    login_as(client, stranger)
    assert client.get(f"/recordings/{rid}").status_code == 404
    assert client.get(f"/recordings/{rid}/media?purpose=x").status_code == 404
    # SPEC §1: a reviewer sees only the cases sent to review; this one never was.
    login_as(client, reviewer)
    assert client.get(f"/recordings/{rid}?purpose=法制审核").status_code == 404
    login_as(client, colleague)
    assert client.get(f"/recordings/{rid}?purpose=法制审核").status_code == 200
    resp = client.get(f"/recordings/{rid}/media?variant=original&download=1&purpose=留存")
    assert resp.status_code == 403 and "批准" in resp.get_data(as_text=True)
    login_as(client, supervisor)
    resp = client.get(f"/recordings/{rid}/media?variant=original&download=1&purpose=执法监督调取")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    actions = custody(app, rid)
    assert ("view", "法制审核", colleague) in actions
    assert ("download", "执法监督调取", supervisor) in actions


def test_export_needs_the_heads_approval(app, client, av_case, login_as, recording, token_for, media_files):
    rid = recording["id"]
    officer = bearer(token_for(av_case.other_officer_id))
    api = app.test_client()  # bearer only: no session cookie
    resp = api.post(f"/api/recordings/{rid}/exports", json={"purpose": "移送人民法院"}, headers=officer)
    assert resp.status_code == 201
    export_id = resp.get_json()["id"]
    login_as(client, av_case.other_officer_id)
    assert client.get(f"/recordings/exports/{export_id}/download").status_code == 403
    # another officer cannot approve; the head can
    resp = api.post(f"/api/recordings/exports/{export_id}/decision", json={"approve": True}, headers=officer)
    assert resp.status_code == 403
    head = bearer(token_for(av_case.head_id))
    resp = api.post(f"/api/recordings/exports/{export_id}/decision", json={"approve": True}, headers=head)
    assert resp.status_code == 200 and resp.get_json()["status"] == "approved"
    resp = client.get(f"/recordings/exports/{export_id}/download")
    assert resp.status_code == 200 and resp.data == media_files.video.read_bytes()
    assert ("export", "移送人民法院", av_case.other_officer_id) in custody(app, rid)
    # the head sees pending requests on the home page
    api.post(f"/api/recordings/{rid}/exports", json={"purpose": "复议答复"}, headers=officer)
    login_as(client, av_case.head_id)
    assert "待批准的音像记录导出" in client.get("/").get_data(as_text=True)


def test_bundle_verifies_offline_against_the_downloaded_original(app, client, av_case, login_as, recording,
                                                                 tmp_path):
    login_as(client, av_case.officer_id)
    bundle = client.get(f"/recordings/{recording['id']}/bundle.json?purpose=移送核验")
    assert bundle.status_code == 200
    original = client.get(f"/recordings/{recording['id']}/media?variant=original&purpose=移送核验").data
    (tmp_path / "bundle.json").write_bytes(bundle.data)
    (tmp_path / "original.mp4").write_bytes(original)
    key = client.get("/ledger/key").get_data(as_text=True)
    (tmp_path / "key.txt").write_text(key)
    run = subprocess.run([sys.executable, "-m", "app.ledger.verify", str(tmp_path / "bundle.json"),
                          str(tmp_path / "original.mp4"), "--key", str(tmp_path / "key.txt")],
                         capture_output=True, text=True, cwd=str(app.root_path + "/.."))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "VERDICT: VERIFIED" in run.stdout
    data = json.loads(bundle.data)
    assert data["file"]["sha256"] == recording["sha256"]
    # one changed byte fails the file check
    tampered = bytearray(original)
    tampered[len(tampered) // 2] ^= 1
    (tmp_path / "tampered.mp4").write_bytes(bytes(tampered))
    run = subprocess.run([sys.executable, "-m", "app.ledger.verify", str(tmp_path / "bundle.json"),
                          str(tmp_path / "tampered.mp4"), "--key", str(tmp_path / "key.txt")],
                         capture_output=True, text=True, cwd=str(app.root_path + "/.."))
    assert run.returncode == 1 and "file check" in run.stdout


def test_custody_report_pdf(app, client, av_case, login_as, recording, tmp_path):
    login_as(client, av_case.other_officer_id)
    client.get(f"/recordings/{recording['id']}/media?purpose=案件审核")
    resp = client.get(f"/recordings/{recording['id']}/custody.pdf")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF-")
    (tmp_path / "r.pdf").write_bytes(resp.data)
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
    compact = "".join(text.split())
    assert "证据保管链报告" in compact
    assert recording["sha256"] in compact
    assert "DSJ-LJ-0012" in compact and "案件审核" in compact
    assert "包含证明" in compact and "sanxiang" in compact  # the signed checkpoint's origin line


def test_derivatives_are_made_in_the_background(app, client, av_case, token_for, media_files):
    """The upload answers at once; the embedded runner (RECORDING_JOBS=thread) makes the proxy afterwards."""
    import time

    from recordings import jobs

    app.config["RECORDING_JOBS"] = "thread"
    try:
        resp = upload_single(client, bearer(token_for(av_case.officer_id)), media_files.audio,
                             case_id=av_case.case_id, content_type="audio/mp4")
        assert resp.status_code == 201 and resp.get_json()["derivatives"] == []
        rid = resp.get_json()["id"]
        deadline = time.time() + 60
        kinds = []
        while time.time() < deadline:
            with app.app_context():
                kinds = [d.kind for d in db.session.get(Recording, rid).derivatives]
            if kinds:
                break
            time.sleep(0.2)
        assert kinds == ["proxy"]  # audio-only: no thumbnail
    finally:
        app.config["RECORDING_JOBS"] = "off"
        jobs.shutdown(app)
