"""A multi-GB recording uploaded through the app (tus PATCH chunks over HTTP) beside a direct `store.put`
of the same bytes into the same store; the app server's peak memory while it happens.

    .venv/bin/python bench/ingest.py                 # 2 GiB, 32 MiB chunks
    .venv/bin/python bench/ingest.py --size 4G --chunk 32M --workdir /var/tmp/bench

What it does:
1. makes a real H.264/AAC MP4 of about --size with ffmpeg (a 20 s noisy 720p segment at 40 Mbit/s,
   concatenated with `-c copy`), so that the app's validation (ffprobe + packet check) runs for real;
2. builds a fresh SQLite database and filesystem store in --workdir, a case with two certified officers,
   and a bearer token;
3. serves the app with gunicorn (1 worker, 4 threads) on loopback, with RECORDING_JOBS=off so that the
   proxy transcoding of a 2 GiB file does not run during the measurement (it is background work);
4. uploads the file with tus (POST, then PATCH chunks read from disk), timing the transfer and the final
   PATCH (which assembles the staged parts into the original, hashes it, probes and checks it, registers
   it in the ledger) separately;
5. stores the same file with `store.put` in this process (same store, same disk);
6. prints both throughputs, their ratio, and the gunicorn worker's peak RSS (VmHWM in /proc) before and
   after the upload, and checks the SHA-256 the app registered.
"""
import argparse
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
MiB = 1024 * 1024


def parse_size(text):
    units = {"K": 1024, "M": MiB, "G": 1024 * MiB}
    text = text.strip().upper().rstrip("B").rstrip("I")
    return int(float(text[:-1]) * units[text[-1]]) if text[-1] in units else int(text)


def make_media(path, size):
    segment = path + ".segment.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=1280x720:rate=25,noise=alls=60:allf=t", "-f", "lavfi", "-i", "sine",
                    "-t", "20", "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "40M", "-maxrate", "40M",
                    "-bufsize", "80M", "-c:a", "aac", segment], check=True)
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 600))
    copies = max(1, round(size / os.path.getsize(segment)))
    listing = path + ".txt"
    with open(listing, "w") as fh:
        fh.write("".join(f"file '{segment}'\n" for _ in range(copies)))
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", listing,
                    "-c", "copy", "-metadata", f"creation_time={created}", "-f", "mp4", path], check=True,
                   stdin=subprocess.DEVNULL)
    os.unlink(segment)
    os.unlink(listing)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(8 * MiB), b""):
            h.update(block)
    return h.hexdigest()


def setup(env):
    """Database, a case with two certified officers, a bearer token (in a child process: fresh app)."""
    code = r"""
import json
from datetime import date, datetime, timedelta, timezone
from app import create_app
from app.extensions import db
from flask_migrate import upgrade
app = create_app()
with app.app_context():
    upgrade()
    from app.auth.services import create_agency, create_user, issue_token
    from app.officers import services as off
    from app.validators import make_credit_code
    from cases import services
    from app.ledger.services import generate_key
    import os
    if not os.path.exists(app.config["LEDGER_KEY_PATH"]):
        generate_key(app.config["LEDGER_KEY_PATH"])
    agency = create_agency(name="临江市城市管理行政执法局", short_name="市城管执法局", doc_prefix="临城管",
                           credit_code=make_credit_code(region="220681", org_seq=1101), region_code="220681",
                           categories=["城市管理"])
    officers = []
    for n in (1, 2):
        user = create_user(username=f"bench{n}", password="Bench@2026-long", full_name=f"执法{n}",
                           roles=("officer",), agency=agency)
        o = off.create_officer(name=f"执法{n}", agency=agency, employment_type="established", user=user)
        cert = off.issue_certificate(o, number=f"2206810000{n}", categories=["城市管理"], area_code="220681",
                                     issued_on=date(2023, 6, 1), expires_on=date(2029, 5, 31))
        for year in range(2024, date.today().year + 1):
            off.record_inspection(cert, year=year, on=date(year, 1, 10))
        officers.append(o)
    version = services.create_matter(agency=agency, code="CG-1", name="占道经营", category="城市管理",
        legal_basis="《城市市容和环境卫生管理条例》第十四条", penalty_basis="第三十六条",
        tiers=[{"name": "一般", "min": 0, "max": 5000, "penalties": ["fine"]}], procedures=["ordinary"],
        av_steps=[], major_criteria={})
    services.publish_matter(version, on=date(2025, 1, 2))
    case = services.create_case(agency=agency, matter_version=version, title="占道经营案", area_code="220681",
        actor=officers[0].user, violation_on=date(2025, 9, 1), summary="巡查发现", place="临江市建国街",
        officer_ids=[o.id for o in officers], parties=[], on=date(2025, 9, 15))
    raw, _ = issue_token(officers[0].user, "bench")
    db.session.commit()
    print(json.dumps({"case_id": case.id, "token": raw}))
"""
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm_hwm_mib(pid):
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def worker_pid(master):
    for _ in range(100):
        try:
            children = open(f"/proc/{master}/task/{master}/children").read().split()
        except OSError:
            children = []
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker")


def wait_up(port):
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def tus_upload(port, token, path, case_id, chunk):
    size = os.path.getsize(path)
    auth = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
    import base64

    meta = ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in
                    {"case_id": case_id, "device_id": "DSJ-BENCH-01", "filename": os.path.basename(path),
                     "filetype": "video/mp4"}.items())
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    conn.request("POST", "/api/recordings/uploads", headers={**auth, "Upload-Length": str(size),
                                                               "Upload-Metadata": meta})
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 201, resp.status
    url = "/" + resp.getheader("Location").split("/", 3)[3]
    offset = 0
    last = None
    transfer_started = time.perf_counter()
    with open(path, "rb") as fh:
        while offset < size:
            n = min(chunk, size - offset)
            if offset + n == size:
                last = time.perf_counter()
            conn.putrequest("PATCH", url)
            for k, v in {**auth, "Upload-Offset": str(offset), "Content-Length": str(n),
                         "Content-Type": "application/offset+octet-stream"}.items():
                conn.putheader(k, v)
            conn.endheaders()
            remaining = n
            while remaining:
                block = fh.read(min(MiB, remaining))
                conn.send(block)
                remaining -= len(block)
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 204:
                raise RuntimeError(f"PATCH at {offset}: {resp.status} {body[:300]!r}")
            offset = int(resp.getheader("Upload-Offset"))
    done = time.perf_counter()
    return {"recording_id": int(resp.getheader("Recording-Id")), "total": done - transfer_started,
            "last_patch": done - last, "url": url}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="2G", help="approximate size of the recording (default 2G)")
    parser.add_argument("--chunk", default="32M", help="tus PATCH size (default 32M, below MAX_CONTENT_LENGTH)")
    parser.add_argument("--workdir", default=None, help="where the media, database and store go")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    size, chunk = parse_size(args.size), parse_size(args.chunk)
    work = args.workdir or tempfile.mkdtemp(prefix="sanxiang-ingest-bench-")
    os.makedirs(work, exist_ok=True)
    media = os.path.join(work, "bodycam-long.mp4")
    t = time.perf_counter()
    make_media(media, size)
    real_size = os.path.getsize(media)
    print(f"media: {real_size / MiB:.0f} MiB H.264/AAC MP4 made in {time.perf_counter() - t:.0f} s")
    expected = sha256_file(media)
    env = {**os.environ, "SANXIANG_ENV": "development", "SANXIANG_INSTANCE": os.path.join(work, "instance"),
           "DATABASE_URL": f"sqlite:///{work}/bench.db", "STORAGE_BACKEND": "fs",
           "STORAGE_FS_ROOT": os.path.join(work, "objects"), "RECORDING_JOBS": "off",
           "LEDGER_KEY_PATH": os.path.join(work, "ledger.key"), "SECRET_KEY": "bench"}
    info = setup(env)
    port = free_port()
    gunicorn = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-w", "1",
                                 "--threads", "4", "--timeout", "3600", "-b", f"127.0.0.1:{port}", "wsgi:app"],
                                cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        wait_up(port)
        worker = worker_pid(gunicorn.pid)
        hwm_before = vm_hwm_mib(worker)
        result = tus_upload(port, info["token"], media, info["case_id"], chunk)
        hwm_after = vm_hwm_mib(worker)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(30)
    # The same bytes straight into the same store.
    os.environ.update({k: v for k, v in env.items() if k.startswith(("STORAGE", "SANXIANG"))})
    from app.storage import make_store

    store = make_store({"STORAGE_BACKEND": "fs", "STORAGE_FS_ROOT": env["STORAGE_FS_ROOT"]})
    t = time.perf_counter()
    with open(media, "rb") as fh:
        direct = store.put(fh, key=f"bench/direct-{os.getpid()}", content_type="video/mp4")
    direct_s = time.perf_counter() - t
    # What the app registered.
    import sqlite3

    row = sqlite3.connect(f"{work}/bench.db").execute(
        "select sha256, size, ledger_seq from recordings where id = ?", (result["recording_id"],)).fetchone()
    assert row[0] == expected == direct.sha256, (row, expected, direct.sha256)
    mb = real_size / 1e6
    app_rate = mb / result["total"]
    direct_rate = mb / direct_s
    print(f"chunk {chunk // MiB} MiB, file {real_size} bytes, SHA-256 {expected[:16]}… (app, direct and "
          f"file agree; ledger entry {row[2]})")
    print(f"app (tus over HTTP, gunicorn): {result['total']:.1f} s = {app_rate:.0f} MB/s "
          f"(of which the final PATCH — assemble, hash, probe, check, register — {result['last_patch']:.1f} s)")
    print(f"direct store.put:              {direct_s:.1f} s = {direct_rate:.0f} MB/s")
    print(f"ratio app/direct: {app_rate / direct_rate:.2f}")
    print(f"gunicorn worker peak RSS (VmHWM): {hwm_before:.0f} MiB before the upload, {hwm_after:.0f} MiB after")
    if not args.keep and not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
