"""Background derivatives (thumbnail, browser proxy) through a job queue kept in `recording_jobs`.

The upload request only queues a job, in the same transaction that registers the recording; it never
waits for transcoding. Who runs the jobs is a setting, RECORDING_JOBS:
- "thread" (default, embedded): after each commit that queued a job, a small in-process thread pool claims
  and runs queued jobs; the first request of a process also wakes it, so jobs left by a restart resume;
- "worker": only `flask recordings work` (a separate process; run several if you like) runs them: the
  real queue for production, nothing but the database needed;
- "off": nothing runs them automatically (tests call `run_pending()` themselves).
Claiming is a compare-and-set UPDATE on the job row, so any number of threads and processes share the
queue; a job left "running" by a crashed worker is reclaimed after its lease: RECORDING_JOB_LEASE_MINUTES,
and never less than the longest a job may run (so a slow job is not run twice at once).

Limits (SEC-5): a job has one time budget (`budget`: RECORDING_JOB_SECONDS_PER_MEDIA_SECOND per second of
the recording, at least RECORDING_JOB_MIN_SECONDS, at most RECORDING_PROXY_TIMEOUT) shared by all its ffmpeg
calls, which run niced, with few threads, under the memory limit (`recordings.media`). A job stopped by a
limit fails at once and is not retried: a file that exhausted one attempt would exhaust the next ones, and
the job thread would be held three times as long.
"""
from __future__ import annotations

import logging
import os
import socket
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
import time
from datetime import timedelta

from sqlalchemy import and_, event, or_, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.ledger import services as ledger
from app.storage import get_store
from app.timeutil import utcnow
from recordings import media
from recordings.models import DerivativeKind, JobStatus, Recording, RecordingDerivative, RecordingJob

log = logging.getLogger(__name__)

PENDING_FLAG = "recordings_jobs_pending"
MAX_ATTEMPTS = 3

_executors: dict = {}
_lock = threading.Lock()


def enqueue(rec, kind="derivatives") -> RecordingJob:
    job = RecordingJob(recording_id=rec.id, kind=kind, status=JobStatus.queued.value, created_at=utcnow())
    db.session.add(job)
    db.session.flush()
    db.session.info[PENDING_FLAG] = True
    return job


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def lease(app) -> timedelta:
    """How long a running job is left to its worker: the setting, but never less than the longest a job may
    run (its largest budget plus a margin for the copy and the upload of the results)."""
    longest = float(app.config["RECORDING_PROXY_TIMEOUT"]) + 600
    return max(timedelta(minutes=app.config["RECORDING_JOB_LEASE_MINUTES"]), timedelta(seconds=longest))


def budget(rec) -> float:
    """Seconds a derivative job of this recording may take, all its ffmpeg calls together."""
    per_second = float(media.setting("RECORDING_JOB_SECONDS_PER_MEDIA_SECOND"))
    seconds = max(float(media.setting("RECORDING_JOB_MIN_SECONDS")), per_second * float(rec.duration_seconds or 0))
    return min(seconds, float(media.setting("RECORDING_PROXY_TIMEOUT")))


def claim_next(app) -> int | None:
    """Claim the oldest runnable job for this worker and commit the claim; None when there is none."""
    stale = utcnow() - lease(app)
    runnable = or_(RecordingJob.status == JobStatus.queued.value,
                   and_(RecordingJob.status == JobStatus.running.value, RecordingJob.started_at < stale))
    for job_id in db.session.scalars(select(RecordingJob.id).where(runnable).order_by(RecordingJob.id).limit(10)):
        result = db.session.execute(
            update(RecordingJob).where(RecordingJob.id == job_id, runnable)
            .values(status=JobStatus.running.value, started_at=utcnow(), worker=worker_name()[:100],
                    attempts=RecordingJob.attempts + 1)
            .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            db.session.commit()
            return job_id
    db.session.rollback()
    return None


def run_job(job_id) -> bool:
    """Run one claimed job to the end; commits. True when it succeeded."""
    job = db.session.get(RecordingJob, job_id)
    if job is None:
        return False
    try:
        make_derivatives(db.session.get(Recording, job.recording_id))
        job.status = JobStatus.done.value
        job.error = ""
        ok = True
    except Exception as exc:  # a job must never take its worker down
        log.exception("recording job %s failed", job_id)
        db.session.rollback()
        job = db.session.get(RecordingJob, job_id)
        if job is None:
            return False
        job.error = f"{type(exc).__name__}: {exc}"[:2000]
        final = job.attempts >= MAX_ATTEMPTS or isinstance(exc, media.LimitExceeded)  # a limit: no retry
        job.status = (JobStatus.failed if final else JobStatus.queued).value
        ok = False
    job.finished_at = utcnow()
    db.session.commit()
    return ok


def run_pending(app=None, limit=None) -> int:
    """Claim and run jobs until none is left (or `limit`); returns how many ran. Needs an app context."""
    from flask import current_app

    app = app or current_app._get_current_object()
    done = 0
    while limit is None or done < limit:
        job_id = claim_next(app)
        if job_id is None:
            break
        run_job(job_id)
        done += 1
    return done


def make_derivatives(rec) -> list[RecordingDerivative]:
    """Thumbnail (video) and proxy: made from the stored original, stored with their own hash, ledgered."""
    store = get_store()
    deadline = time.monotonic() + budget(rec)
    demuxer = media.demuxer_for(rec.probe)
    made = []
    wanted = ([DerivativeKind.thumbnail] if rec.is_video else []) + [DerivativeKind.proxy]
    base = rec.original_key.rsplit("/", 1)[0]
    # One local copy for both (S3: a private temporary file; ffmpeg never reads a URL).
    with media.local_source(store, rec.original_key, rec.original_version_id) as source:
        for kind in wanted:
            if rec.derivative(kind) is not None:
                continue
            # ffmpeg needs a seekable output for +faststart: a temporary file of the (small) derived copy.
            with tempfile.TemporaryDirectory(prefix="sanxiang-deriv-") as tmp:
                if kind == DerivativeKind.thumbnail:
                    out, content_type, ext = os.path.join(tmp, "t.jpg"), "image/jpeg", "jpg"
                    media.make_thumbnail(source, out, rec.duration_seconds, demuxer=demuxer,
                                         timeout=min(300.0, deadline - time.monotonic()))
                else:
                    ext = "mp4" if rec.is_video else "m4a"
                    out, content_type = os.path.join(tmp, "p." + ext), ("video/mp4" if rec.is_video else "audio/mp4")
                    media.make_proxy(source, out, video=rec.is_video, demuxer=demuxer,
                                     timeout=deadline - time.monotonic())
                with open(out, "rb") as fh:
                    stored = store.put(fh, key=f"{base}/{kind.value}-{os.urandom(4).hex()}.{ext}",
                                       content_type=content_type,
                                       metadata={"recording-id": str(rec.id), "derived-from": rec.original_key,
                                                 "original-sha256": rec.sha256})
            d = RecordingDerivative(recording_id=rec.id, kind=kind.value, key=stored.key, sha256=stored.sha256,
                                    size=stored.size, content_type=content_type, created_at=utcnow())
            db.session.add(d)
            db.session.flush()
            d.ledger_seq = ledger.append("recording.derivative", f"recording:{rec.id}", {
                "recording_id": rec.id, "kind": kind.value, "sha256": stored.sha256, "size": stored.size,
                "storage_key": stored.key, "original_sha256": rec.sha256, "original_key": rec.original_key}).seq
            db.session.commit()
            db.session.refresh(rec)
            made.append(d)
    return made


def status_of(rec) -> str:
    """pending / ready / failed, for the pages."""
    job = db.session.scalars(select(RecordingJob).where(RecordingJob.recording_id == rec.id)
                             .order_by(RecordingJob.id.desc()).limit(1)).first()
    if job is None or job.status == JobStatus.done.value:
        return "ready" if rec.derivative("proxy") else "pending"
    return "failed" if job.status == JobStatus.failed.value else "pending"


# --- the embedded runner ---------------------------------------------------------------------------------

def kick(app):
    """Wake the in-process runner (RECORDING_JOBS=thread)."""
    if app.config.get("RECORDING_JOBS") != "thread":
        return
    with _lock:
        executor = _executors.get(id(app))
        if executor is None:
            executor = _executors[id(app)] = ThreadPoolExecutor(
                max_workers=app.config["RECORDING_JOB_THREADS"], thread_name_prefix="recording-jobs")
    executor.submit(_drain, app)


def _drain(app):
    try:
        with app.app_context():
            run_pending(app)
    except Exception:
        log.exception("recording job runner failed")


_installed = {"listeners": False}


def install(app):
    """Wake the runner after every commit that queued a job, and once when a process starts serving."""
    if not _installed["listeners"]:
        _installed["listeners"] = True
        _install_listeners()
    started = {"done": False}

    @app.before_request
    def _resume_jobs():
        if not started["done"]:
            started["done"] = True
            kick(app)


def _install_listeners():
    @event.listens_for(Session, "after_commit")
    def _after_commit(session):
        if session.info.pop(PENDING_FLAG, False):
            from flask import current_app, has_app_context

            if has_app_context() and current_app.config.get("RECORDING_JOBS") == "thread":
                kick(current_app._get_current_object())

    @event.listens_for(Session, "after_rollback")
    def _after_rollback(session):
        session.info.pop(PENDING_FLAG, None)


def shutdown(app, wait=True):
    executor = _executors.pop(id(app), None)
    if executor is not None:
        executor.shutdown(wait=wait)
