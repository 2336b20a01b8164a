"""Resumable uploads (tus 1.0.0 core + creation, checksum, termination, expiration).

Each PATCH streams its body into the object store as one staged part (`staging/<upload>/<offset>-<n>`),
hashed by the store on the way (and compared with `Upload-Checksum: sha1|sha256 <base64>` when the client sends
one). The session's offset only moves, by compare-and-set, after a part was stored whole: a connection that
drops mid-PATCH leaves the offset where it was, the client asks HEAD and sends the rest again. When the last
byte arrives, the parts are streamed in order into `store.put` under the original's key (the store
computes the SHA-256 of the whole), validated and registered (`services.register`), and the parts removed.
The staged parts live in the store (the filesystem store's directory, or the S3 bucket), never in a
temporary file on the app server, and no part ever needs to fit in memory.

Quotas (SEC-15): an upload reserves its declared Upload-Length while it is in progress (open, or being
finalised, and not expired). One user may hold at most RECORDING_UPLOAD_MAX_OPEN such uploads (429
`upload_quota_sessions`) and reserve at most RECORDING_UPLOAD_QUOTA_BYTES in all (413 `upload_quota_bytes`);
both are checked when the upload is created, before a byte is sent, and counted atomically (the new row is
written first, then counted, under a per-user lock: `app.locks`), so parallel creations cannot overshoot.

Sweep (`sweep`, `flask recordings sweep-uploads`, a systemd timer and the job worker's loop): expired
uploads are aborted by compare-and-set, every staged part under `staging/` that belongs to no upload in
progress is deleted from the store, and rows of aborted or refused uploads older than
RECORDING_UPLOAD_KEEP_DAYS are deleted. It only ever lists and deletes under `staging/`: originals and
derivatives of registered recordings are never touched. Safe to run at any time and concurrently.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select, update

from app.errors import Conflict, DomainError, InvalidInput, NotFound
from app.extensions import db
from app.locks import serialise
from app.storage import get_store
from app.timeutil import aware, utcnow
from cases import services as case_services
from recordings import media, services
from recordings.models import UploadSession, UploadStatus

log = logging.getLogger(__name__)

#: An upload whose finalisation crashed may be retried after this long.
FINALIZE_LEASE = timedelta(minutes=30)
#: Where staged parts live in the store: `staging/<upload id>/<offset>-<random>`.
STAGING = "staging/"
#: Statuses of an upload in progress (it holds staged parts and counts against the quota).
IN_PROGRESS = (UploadStatus.open.value, "finalizing")


class ChecksumMismatch(DomainError):
    """tus checksum extension: the chunk does not match its Upload-Checksum (HTTP 460)."""

    code = "checksum_mismatch"
    status = 460
    message = "本次上传的数据块校验值不符，数据块已丢弃，请重新发送"


class UploadGone(DomainError):
    code = "upload_gone"
    status = 410
    message = "该上传已终止或已过期，请重新上传"


def parse_metadata(header: str) -> dict:
    """tus Upload-Metadata: comma-separated `key base64(value)` pairs."""
    out = {}
    for pair in (header or "").split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _, value = pair.partition(" ")
        try:
            out[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8") if value else ""
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidInput(f"Upload-Metadata 中“{key}”的值不是有效的Base64编码") from None
    return out


def create(*, length: int, data: dict, actor, now=None) -> UploadSession:
    """Check the metadata, the permission and the quotas now, so that a refusal comes before gigabytes are
    sent. The caller commits (or rolls back on a refusal: nothing is left)."""
    now = now or utcnow()
    case, step, meta = services.prepare(data.get("case_id"), data, actor=actor, now=now)
    if length == 0:
        raise media.empty_file()
    if length < 0:
        raise InvalidInput("Upload-Length 无效")
    limit = services.cfg("RECORDING_MAX_BYTES")
    if length > limit:
        raise DomainError(f"文件超过允许的大小（{limit}字节）", code="too_large", status=413)
    serialise(f"recording-uploads:{actor.id}")
    session = UploadSession(id=secrets.token_hex(16), user_id=actor.id, case_id=case.id if case else None,
                            subject=meta.get("subject"),
                            step_id=step.id if step else None, length=length, received=0, meta=meta, parts=[],
                            status=UploadStatus.open.value, created_at=now, updated_at=now,
                            expires_at=now + timedelta(hours=services.cfg("RECORDING_UPLOAD_EXPIRY_HOURS")))
    db.session.add(session)
    db.session.flush()  # written first, then counted (SQLite: this write takes the lock; app.locks)
    _check_quota(actor.id, now)
    return session


def in_progress(user_id, now=None):
    """A user's uploads in progress (they hold staged parts and count against the quotas), oldest first."""
    now = now or utcnow()
    return list(db.session.scalars(select(UploadSession).where(
        UploadSession.user_id == user_id, UploadSession.status.in_(IN_PROGRESS), UploadSession.expires_at >= now)
        .order_by(UploadSession.created_at)))


def usage(user_id, now=None) -> dict:
    """{"count", "bytes", "received", "max_count", "max_bytes"} of a user's uploads in progress."""
    now = now or utcnow()
    count, reserved, received = db.session.execute(
        select(func.count(UploadSession.id), func.coalesce(func.sum(UploadSession.length), 0),
               func.coalesce(func.sum(UploadSession.received), 0))
        .where(UploadSession.user_id == user_id, UploadSession.status.in_(IN_PROGRESS),
               UploadSession.expires_at >= now)).one()
    return {"count": int(count), "bytes": int(reserved), "received": int(received),
            "max_count": int(services.cfg("RECORDING_UPLOAD_MAX_OPEN")),
            "max_bytes": int(services.cfg("RECORDING_UPLOAD_QUOTA_BYTES"))}


def _gib(n: int) -> str:
    return f"{n / 1024 ** 3:.1f} GB" if n >= 1024 ** 3 else f"{n / 1024 ** 2:.1f} MB"


HINT = "请先完成或取消未完成的上传（案件“音像记录”页可取消），未完成的上传在{hours}小时后过期自动清除"


def _check_quota(user_id, now):
    """SEC-15: per-user limits on uploads in progress, the new one included."""
    u = usage(user_id, now)
    hint = HINT.format(hours=services.cfg("RECORDING_UPLOAD_EXPIRY_HOURS"))
    details = {k: u[k] for k in ("count", "bytes", "max_count", "max_bytes")}
    if u["count"] > u["max_count"]:
        raise DomainError(f"您已有{u['count'] - 1}个未完成的上传，每人最多同时进行{u['max_count']}个；{hint}",
                          code="upload_quota_sessions", status=429, details=details)
    if u["bytes"] > u["max_bytes"]:
        raise DomainError(f"未完成的上传共需预留{_gib(u['bytes'])}，超过每人{_gib(u['max_bytes'])}的上限；{hint}",
                          code="upload_quota_bytes", status=413, details=details)


def get(upload_id, actor) -> UploadSession:
    session = db.session.get(UploadSession, upload_id)
    if session is None or actor is None or session.user_id != actor.id:
        raise NotFound("上传会话不存在")
    if session.status == UploadStatus.aborted.value:
        raise UploadGone()
    if session.status == UploadStatus.open.value and aware(session.expires_at) < utcnow():
        raise UploadGone("该上传已过期（超过保留时限），请重新上传")
    return session


#: tus checksum extension: the algorithms offered (`Tus-Checksum-Algorithm`) and their digest sizes. tus 1.0
#: requires a server that offers the extension to support sha1.
CHECKSUM_ALGORITHMS = {"sha1": 20, "sha256": 32}


def parse_checksum(header: str | None) -> tuple[str, str] | None:
    """`Upload-Checksum: <sha1|sha256> <base64 digest>` → (algorithm, hex digest)."""
    if not header:
        return None
    algo, _, value = header.strip().partition(" ")
    algo = algo.lower()
    if algo not in CHECKSUM_ALGORITHMS:
        raise DomainError("仅支持 sha1 或 sha256 校验算法（tus 1.0 校验扩展）", code="checksum_algorithm",
                          status=400)
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except binascii.Error:
        raise InvalidInput("Upload-Checksum 不是有效的Base64编码") from None
    if len(raw) != CHECKSUM_ALGORITHMS[algo]:
        raise InvalidInput("Upload-Checksum 长度不符")
    return algo, raw.hex()


class _Sha1Reader:
    """Hashes a stream with SHA-1 on its way into the store (the store itself checks only SHA-256)."""

    def __init__(self, stream):
        self._stream = stream
        self._hash = hashlib.sha1()

    def read(self, n=-1):
        data = self._stream.read(n)
        self._hash.update(data)
        return data

    def hexdigest(self):
        return self._hash.hexdigest()


def append(session, stream, *, offset: int, length: int | None,
           checksum: tuple[str, str] | None = None) -> UploadSession:
    """Store one PATCH body as a staged part and advance the offset (flushes)."""
    if session.status != UploadStatus.open.value:
        if session.status == UploadStatus.completed.value and offset == session.length:
            return session
        raise Conflict("该上传已结束", code="upload_finished")
    if offset != session.received:
        raise Conflict(f"Upload-Offset 应为 {session.received}", code="offset_mismatch",
                       details={"offset": session.received})
    if length is None:
        raise DomainError("PATCH 须带 Content-Length", code="length_required", status=411)
    if offset + length > session.length:
        raise DomainError("上传数据超过 Upload-Length", code="too_large", status=413)
    if length == 0:
        return session
    store = get_store()
    key = f"staging/{session.id}/{offset:016d}-{secrets.token_hex(4)}"
    from app.storage import IntegrityMismatch

    algo, digest = checksum or (None, None)
    if algo == "sha1":
        stream = _Sha1Reader(stream)
    try:
        part = store.put(stream, key=key, content_type="application/octet-stream",
                         expected_sha256=digest if algo == "sha256" else None)
    except IntegrityMismatch:
        raise ChecksumMismatch() from None
    if algo == "sha1" and stream.hexdigest() != digest:
        store.delete(key)
        raise ChecksumMismatch()
    if part.size != length:  # the server stream ended early without raising: keep nothing
        store.delete(key)
        raise Conflict("数据块不完整，已丢弃，请查询偏移量后重新发送", code="incomplete_chunk")
    parts = list(session.parts or []) + [{"offset": offset, "size": part.size, "key": part.key}]
    result = db.session.execute(
        update(UploadSession)
        .where(UploadSession.id == session.id, UploadSession.received == offset,
               UploadSession.status == UploadStatus.open.value)
        .values(received=offset + part.size, parts=parts, updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # another PATCH for the same offset won
        store.delete(key)
        raise Conflict("另一请求已写入该偏移量，请查询偏移量后继续", code="offset_mismatch")
    db.session.refresh(session)
    return session


class PartsReader:
    """The staged parts, read in order as one stream (for store.put, which hashes it)."""

    def __init__(self, store, keys):
        self._store = store
        self._keys = list(keys)
        self._it = None
        self._buf = b""

    def read(self, n=-1):
        if n is None or n < 0:
            n = 1024 * 1024
        while not self._buf:
            if self._it is None:
                if not self._keys:
                    return b""
                self._it = iter(self._store.open(self._keys.pop(0)))
            try:
                self._buf = next(self._it)
            except StopIteration:
                self._it = None
        out, self._buf = self._buf[:n], self._buf[n:]
        return out


def claim_finalize(session) -> bool:
    """Exactly one request finalises a complete upload (compare-and-set on the status)."""
    stale = utcnow() - FINALIZE_LEASE
    result = db.session.execute(
        update(UploadSession)
        .where(UploadSession.id == session.id, UploadSession.received == UploadSession.length,
               (UploadSession.status == UploadStatus.open.value)
               | ((UploadSession.status == "finalizing") & (UploadSession.updated_at < stale)))
        .values(status="finalizing", updated_at=utcnow())
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def finalize(session, *, actor):
    """Assemble, validate and register the recording (flushes). The caller commits, then `discard_parts`."""
    case = case_services.get_case(session.case_id) if session.case_id is not None else None
    step = case_services.get_step(case, session.step_id) if case is not None and session.step_id else None
    store = get_store()
    reader = PartsReader(store, [p["key"] for p in sorted(session.parts, key=lambda p: p["offset"])])
    rec = services.ingest(reader, case=case, step=step, meta=session.meta, actor=actor)
    session.status = UploadStatus.completed.value
    session.recording_id = rec.id
    if rec.duplicate:  # the case already held these bytes: the upload answers with that recording
        session.error = "duplicate"
    session.updated_at = utcnow()
    db.session.flush()
    return rec


def refuse(session_id, err) -> None:
    """After a refused finalisation (the caller rolled back): mark the session and drop its parts."""
    session = db.session.get(UploadSession, session_id)
    if session is None:
        return
    if not isinstance(err, DomainError) or err.status >= 500:
        # Transient (storage unavailable, a crash of ffprobe): the client may retry the finalisation with
        # an empty PATCH at the final offset.
        session.status = UploadStatus.open.value
    else:
        session.status = UploadStatus.refused.value
        session.error = getattr(err, "code", type(err).__name__)
    session.updated_at = utcnow()
    db.session.commit()
    if session.status == UploadStatus.refused.value:
        discard_parts(session)


def discard_parts(session) -> None:
    """Remove the staged parts of an upload, then its (now empty) staging directory."""
    store = get_store()
    for p in session.parts or []:
        try:
            store.delete(p["key"])
        except Exception:
            log.warning("could not remove staged part %s", p["key"])
    store.prune(f"{STAGING}{session.id}/")


def terminate(session) -> None:
    """tus termination: the client gives up; staged bytes are removed."""
    if session.status not in (UploadStatus.open.value, UploadStatus.refused.value):
        raise Conflict("该上传已完成，不能终止")
    session.status = UploadStatus.aborted.value
    session.updated_at = utcnow()
    db.session.flush()


def sweep(now=None, *, store=None) -> dict:
    """Abort expired uploads, delete staged parts of every upload not in progress (and parts no upload
    names), delete old rows of aborted and refused uploads. Returns the counts. Commits.

    Only keys under `staging/` are listed or deleted. Each step is a compare-and-set or an idempotent
    delete, so two sweeps (or a sweep and a client's PATCH) may run at the same time."""
    now = now or utcnow()
    store = store or get_store()
    expired = list(db.session.scalars(select(UploadSession.id).where(
        UploadSession.expires_at < now,
        (UploadSession.status == UploadStatus.open.value)
        | ((UploadSession.status == "finalizing") & (UploadSession.updated_at < now - FINALIZE_LEASE)))))
    aborted = 0
    for upload_id in expired:
        result = db.session.execute(
            update(UploadSession)
            .where(UploadSession.id == upload_id, UploadSession.expires_at < now,
                   (UploadSession.status == UploadStatus.open.value)
                   | ((UploadSession.status == "finalizing") & (UploadSession.updated_at < now - FINALIZE_LEASE)))
            .values(status=UploadStatus.aborted.value, error="expired", updated_at=now)
            .execution_options(synchronize_session=False))
        aborted += result.rowcount
    db.session.commit()

    # Staged parts, grouped by upload; kept only while their upload is in progress.
    by_upload: dict[str, list[str]] = {}
    for obj in store.list(STAGING):
        upload_id = obj.key[len(STAGING):].split("/", 1)[0]
        by_upload.setdefault(upload_id, []).append(obj.key)
    active = set()
    ids = list(by_upload)
    for i in range(0, len(ids), 500):
        active.update(db.session.scalars(select(UploadSession.id).where(
            UploadSession.id.in_(ids[i:i + 500]), UploadSession.status.in_(IN_PROGRESS))))
    db.session.rollback()  # end the read transaction before the (slow) deletes
    removed, freed_failed = 0, 0
    for upload_id, keys in by_upload.items():
        if upload_id in active:
            continue
        for key in keys:
            try:
                store.delete(key)
                removed += 1
            except Exception:  # the next sweep tries again
                freed_failed += 1
                log.warning("could not remove staged part %s", key)
        store.prune(f"{STAGING}{upload_id}/")

    keep = now - timedelta(days=services.cfg("RECORDING_UPLOAD_KEEP_DAYS"))
    result = db.session.execute(
        delete(UploadSession)
        .where(UploadSession.status.in_((UploadStatus.aborted.value, UploadStatus.refused.value)),
               UploadSession.updated_at < keep)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return {"aborted": aborted, "parts_removed": removed, "parts_failed": freed_failed,
            "rows_deleted": result.rowcount}
