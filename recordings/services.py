"""Recordings: the only code that registers recordings, links them, logs custody, approves exports,
scans integrity and changes holds. Every entry point (API, pages, CLI, demo, tests) calls these.

Services flush; the edge commits once. Storing bytes is the one thing that cannot wait for the commit:
the original is streamed into the store first (the store hashes it), validated where it lies, and only
then registered with its ledger entry. A refused or failed upload deletes the object it stored (it is not
locked yet) and registers nothing.
"""
from __future__ import annotations

import json
import logging
import random
import uuid
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import func, select

from app.auth.models import Role
from app.auth.permissions import has_role
from app.errors import DomainError, InvalidInput, InvalidTransition, NotFound, PermissionDenied
from app.inputs import as_id, as_text
from app.extensions import db
from app.ledger import services as ledger
from app.storage import NotFound as StoreNotFound, StorageError, get_store
from app.timeutil import CHINA, aware, today_china, utcnow
from cases import services as case_services
from cases.models import Case, CaseStatus
from cases.workflow import OPEN_STATUSES
from recordings import media, permissions
from recordings.models import (CustodyAction, CustodyEvent, ExportRequest, ExportStatus, Recording,
                               RecordingStatus)

log = logging.getLogger(__name__)

RULE = "执法全过程记录制度"
DEFAULT_PURPOSE = "案件办理"
CONTENT_TYPES = {"mp4": "video/mp4", "mov": "video/quicktime", "m4a": "audio/mp4", "mp3": "audio/mpeg",
                 "wav": "audio/wav", "aac": "audio/aac", "3gp": "video/3gpp", "mkv": "video/x-matroska",
                 "webm": "video/webm", "avi": "video/x-msvideo"}

#: Formats that carry no recording time the server could read (no creation_time in their headers): an upload
#: of one of these (by its declared type or file name) needs started_at in its metadata, checked before the
#: upload starts. Other types may carry it (MP4/MOV/M4A/MKV), which only the bytes can tell.
UNTIMED_TYPES = {"audio/mpeg", "audio/mp3", "audio/wav", "audio/x-wav", "audio/wave", "audio/aac"}


class LateUploadReasonRequired(DomainError):
    code = "late_reason_required"
    status = 422


def cfg(name):
    return current_app.config[name]


# --- metadata --------------------------------------------------------------------------------------------

def _parse_time(value, name):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(f"时间格式无效：{value}", details={"fields": {name: ["时间格式无效"]}}) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=CHINA)  # field devices record local (China) time
    return dt.astimezone(timezone.utc)


def _iso(dt):
    return aware(dt).astimezone(timezone.utc).isoformat() if dt else None


def _officers_of(case, step, numbers):
    """Officers on the recording with their certificate numbers: the step's, else the case's officers."""
    if step is not None and step.officers:
        rows = [{"name": o.get("name"), "certificate_number": o.get("certificate_number")} for o in step.officers]
    else:
        rows = []
        for co in case.officers:
            certs = sorted(co.officer.certificates, key=lambda c: c.expires_on or datetime.min.date())
            rows.append({"name": co.officer.name, "certificate_number": certs[-1].number if certs else None})
    if numbers:
        known = {r["certificate_number"]: r for r in rows if r["certificate_number"]}
        unknown = [n for n in numbers if n not in known]
        if unknown:
            raise InvalidInput(f"执法证号{'、'.join(unknown)}不属于本案承办执法人员",
                               details={"fields": {"officers": ["执法证号不属于本案承办执法人员"]}})
        rows = [known[n] for n in numbers]
    return rows


def _interruptions(value):
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise InvalidInput("中断记录格式无效（应为JSON数组）",
                               details={"fields": {"interruptions": ["格式无效"]}}) from None
    if not isinstance(value, list):
        raise InvalidInput("中断记录应为列表", details={"fields": {"interruptions": ["应为列表"]}})
    out = []
    for i, item in enumerate(value, 1):
        if not isinstance(item, dict):
            raise InvalidInput(f"第{i}段中断记录格式无效")
        start, end = _parse_time(item.get("from"), "interruptions"), _parse_time(item.get("to"), "interruptions")
        reason = (item.get("reason") or "").strip()
        if start is None or end is None or end < start:
            raise InvalidInput(f"第{i}段中断记录的起止时间无效",
                               details={"fields": {"interruptions": [f"第{i}段起止时间无效"]}})
        if not reason:
            raise InvalidInput(f"第{i}段中断须说明原因（{RULE}：记录中断的，应当注明原因）",
                               details={"fields": {"interruptions": [f"第{i}段缺少中断原因"]}})
        out.append({"from": _iso(start), "to": _iso(end), "reason": reason[:200]})
    return out


def upload_deadline(ended_at: datetime) -> datetime:
    return aware(ended_at) + timedelta(hours=cfg("RECORDING_UPLOAD_HOURS"))


def check_late(ended_at, uploaded_at, late_reason):
    """SPEC §4.2: upload within 24 hours (default) of the recording's end; a late upload needs a reason."""
    if ended_at is None or late_reason:
        return
    deadline = upload_deadline(ended_at)
    if aware(uploaded_at) > deadline:
        hours = cfg("RECORDING_UPLOAD_HOURS")
        raise LateUploadReasonRequired(
            f"音像记录应在记录结束后{hours}小时内上传（{RULE}），本记录应于"
            f"{deadline.astimezone(CHINA):%Y-%m-%d %H:%M}前上传；逾期上传须说明理由",
            details={"fields": {"late_reason": ["逾期上传须说明理由"]}, "deadline": deadline.isoformat()})


def prepare(case_id, data: dict, *, actor, now=None):
    """Check who uploads to which case and step, and the metadata, before any byte is accepted.

    Returns (case, step, meta) where meta is JSON-serialisable (it is kept on a resumable upload session).
    """
    now = now or utcnow()
    if case_id in (None, "") and data.get("subject"):
        return None, None, _prepare_subject(data, actor=actor, now=now)
    if case_id in (None, ""):
        raise InvalidInput("请指定案件", details={"fields": {"case_id": ["请指定案件"]}})
    case = case_services.get_case(as_id(case_id, "case_id", label="案件编号"))
    case_services.ensure_can_view(actor, case)
    if not permissions.can_upload(actor, case):
        raise PermissionDenied("只有本案承办执法人员可以上传音像记录")
    if CaseStatus(case.status) not in OPEN_STATUSES:
        raise InvalidTransition(f"案件{case.status_label}，不能再上传音像记录")
    step = None
    if data.get("step_id") not in (None, ""):
        step = case_services.get_step(case, as_id(data["step_id"], "step_id", label="执法环节编号"))
    meta = _meta(data, now, lambda numbers: _officers_of(case, step, numbers))
    meta.update(step_id=step.id if step else None, agency_id=case.agency_id)
    return case, step, meta


def _prepare_subject(data: dict, *, actor, now) -> dict:
    """A recording of a record other than a case (an inspection): its own view and upload rules."""
    from recordings.subjects import resolve

    subject = resolve(data.get("subject"))
    if not subject.can_view(actor):
        raise NotFound("音像记录所属的记录不存在")
    if not subject.can_upload(actor):
        raise PermissionDenied(f"只有实施{subject.label}的执法人员可以上传其音像记录")
    if data.get("step_id") not in (None, ""):
        raise InvalidInput("案件以外记录的音像记录不能关联案件环节", details={"fields": {"step_id": ["不适用"]}})

    def officers(numbers):
        rows = [{"name": o.get("name"), "certificate_number": o.get("certificate_number")} for o in subject.officers]
        if numbers:
            known = {r["certificate_number"]: r for r in rows if r["certificate_number"]}
            unknown = [n for n in numbers if n not in known]
            if unknown:
                raise InvalidInput(f"执法证号{'、'.join(unknown)}不属于{subject.label}的检查人员",
                                   details={"fields": {"officers": ["执法证号不属于检查人员"]}})
            rows = [known[n] for n in numbers]
        return rows

    meta = _meta(data, now, officers)
    meta.update(step_id=None, subject=subject.key, agency_id=subject.agency_id)
    return meta


def _meta(data: dict, now, officers_of) -> dict:
    """The recording's metadata, checked (device, times, late upload, officers, sha256, file name)."""
    device_id = (data.get("device_id") or "").strip()
    if not device_id:
        raise InvalidInput("请填写记录设备编号（执法记录仪编号）",
                           details={"fields": {"device_id": ["请填写设备编号"]}})
    started = _parse_time(data.get("started_at"), "started_at")
    ended = _parse_time(data.get("ended_at"), "ended_at")
    if started and ended and ended < started:
        raise InvalidInput("结束时间早于开始时间", details={"fields": {"ended_at": ["结束时间早于开始时间"]}})
    if ended and ended > now + timedelta(minutes=10):
        raise InvalidInput("结束时间晚于当前时间", details={"fields": {"ended_at": ["结束时间晚于当前时间"]}})
    numbers = data.get("officers") or []
    if isinstance(numbers, str):
        numbers = [n.strip() for n in numbers.replace("，", ",").split(",") if n.strip()]
    late_reason = (data.get("late_reason") or "").strip() or None
    check_late(ended, now, late_reason)
    sha256 = (data.get("sha256") or "").strip().lower() or None
    if sha256 is not None:
        from app.storage.base import normalize_sha256

        sha256 = normalize_sha256(sha256)
    filename = (data.get("filename") or "").strip().replace("/", "_").replace("\\", "_")[:255]
    content_type = _content_type(data.get("content_type"), filename)
    if started is None and content_type in UNTIMED_TYPES:
        # Known before a byte is sent: this format carries no recording time the server could read.
        raise InvalidInput("该文件格式不含录制开始时间，请填写开始时间（started_at）",
                           details={"fields": {"started_at": ["请填写录制开始时间"]}})
    return {
        "device_id": device_id[:100],
        "started_at": _iso(started),
        "ended_at": _iso(ended),
        "location": (data.get("location") or "").strip()[:200],
        "interruptions": _interruptions(data.get("interruptions")),
        "late_reason": late_reason,
        "officers": officers_of(numbers),
        "sha256": sha256,
        "filename": filename,
        "content_type": content_type,
        "uploaded_at": _iso(now),
    }


def _content_type(value, filename):
    value = (value or "").split(";")[0].strip().lower()
    if value.startswith(("video/", "audio/")):
        return value[:100]
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return CONTENT_TYPES.get(ext, "application/octet-stream")


# --- ingest ----------------------------------------------------------------------------------------------

def original_key(case, subject=None) -> str:
    owner = f"case-{case.id}" if case is not None else str(subject).replace(":", "-")
    return f"recordings/{owner}/{uuid.uuid4().hex}/original"


def ingest(stream, *, case, step, meta: dict, actor) -> Recording:
    """Stream the bytes into the store (hashed there), validate them in place, register them. `case` is None
    for a recording of another record (meta["subject"]).

    If the case (or that record) already holds a recording with the same SHA-256, the new copy is removed and
    that recording is returned; `rec.duplicate` (a plain attribute, not a column) tells which happened."""
    store = get_store()
    owner = {"case-id": str(case.id)} if case is not None else {"subject": meta["subject"]}
    stored = store.put(stream, key=original_key(case, meta.get("subject")), content_type=meta["content_type"],
                       expected_sha256=meta.get("sha256"),
                       metadata={**owner, "device-id": meta["device_id"],
                                 "uploaded-by": actor.username if actor else "system"})
    existing = duplicate_of(case, meta.get("subject"), stored.sha256)
    if existing is not None:
        # The same evidence once, not twice: the new copy (not yet locked) goes, the registered one answers.
        _discard(store, stored.key)
        existing.duplicate = True
        return existing
    try:
        rec = register(stored, case=case, step=step, meta=meta, actor=actor)
    except BaseException:
        _discard(store, stored.key)
        raise
    rec.duplicate = False
    return rec


def duplicate_of(case, subject, sha256: str) -> Recording | None:
    """The recording of this case (or of this other record) already registered with these exact bytes."""
    owner = Recording.case_id == case.id if case is not None else Recording.subject == subject
    return db.session.scalar(select(Recording).where(owner, Recording.sha256 == sha256)
                             .order_by(Recording.id).limit(1))


def _discard(store, key):
    try:
        store.delete(key)
    except Exception:  # never hide the reason for the refusal behind a cleanup failure
        log.exception("could not remove refused upload %s", key)


def register(stored, *, case, step, meta, actor) -> Recording:
    """Validate a just-stored original and register it with one ledger entry (flushes)."""
    store = get_store()
    if stored.size == 0:
        raise media.empty_file()
    with media.local_source(store, stored.key, stored.version_id) as source:
        info = media.probe(source)
        present = media.check_complete(source, info, size=stored.size,
                                       decode_max_bytes=cfg("RECORDING_DECODE_MAX_MB") * 1024 * 1024)
    info["duration_present"] = present
    duration = info.get("duration") or present or 0.0
    started = _parse_time(meta.get("started_at"), "started_at") or _parse_time(info.get("creation_time"),
                                                                                "started_at")
    if started is None:
        raise InvalidInput("无法从文件中读取录制开始时间，请填写开始时间",
                           details={"fields": {"started_at": ["请填写录制开始时间"]}})
    ended = _parse_time(meta.get("ended_at"), "ended_at") or started + timedelta(seconds=duration)
    uploaded_at = _parse_time(meta.get("uploaded_at"), "uploaded_at") or utcnow()
    check_late(ended, uploaded_at, meta.get("late_reason"))
    now = utcnow()
    rec = Recording(
        case_id=case.id if case is not None else None, subject=meta.get("subject"),
        agency_id=case.agency_id if case is not None else meta.get("agency_id"),
        step_id=step.id if step else None, status=RecordingStatus.registered.value,
        original_key=stored.key, original_version_id=stored.version_id, sha256=stored.sha256, size=stored.size,
        content_type=meta["content_type"], filename=meta.get("filename") or "", media_kind=info["kind"],
        probe=info, duration_seconds=duration, device_id=meta["device_id"], officers=meta["officers"],
        started_at=started, ended_at=ended, location=meta.get("location") or "",
        interruptions=meta.get("interruptions") or [], uploaded_at=uploaded_at,
        uploaded_by_id=actor.id if actor else None, late_reason=meta.get("late_reason"),
        retention_until=now + timedelta(days=cfg("RECORDING_RETENTION_DAYS")),
        legal_hold=_held(case) if case is not None else False)
    db.session.add(rec)
    db.session.flush()
    entry = ledger.append("recording.registered", f"recording:{rec.id}", {
        "recording_id": rec.id, "case_id": rec.case_id, "case_number": case.number if case is not None else None,
        "subject": rec.subject, "agency_id": rec.agency_id,
        "step_id": rec.step_id, "sha256": rec.sha256, "size": rec.size, "storage_key": rec.original_key,
        "version_id": rec.original_version_id, "content_type": rec.content_type, "filename": rec.filename,
        "media_kind": rec.media_kind, "duration": duration, "format": info.get("format"),
        "creation_time": info.get("creation_time"), "device_id": rec.device_id, "officers": rec.officers,
        "started_at": started, "ended_at": ended, "location": rec.location,
        "interruptions": rec.interruptions, "uploaded_at": uploaded_at, "late_reason": rec.late_reason,
        "uploaded_by": actor.username if actor else None, "retention_until": rec.retention_until,
        "legal_hold": rec.legal_hold})
    rec.ledger_seq = entry.seq
    db.session.flush()
    from recordings import jobs

    jobs.enqueue(rec)
    # Lock last: until here a failure can still remove the object.
    store.set_retention(rec.original_key, rec.retention_until)
    if rec.legal_hold:
        store.set_legal_hold(rec.original_key, True)
    return rec


def _held(case) -> bool:
    from recordings import retention

    return retention.plan(case, today_china()).hold


# --- reading ---------------------------------------------------------------------------------------------

def get_recording(recording_id, actor) -> Recording:
    rec = db.session.get(Recording, recording_id)
    if rec is None or not permissions.can_view_recording(actor, rec):
        if rec is not None:  # a recording shows people: a refused access is logged (PIPL Art 51)
            from app.privacy.services import record_refusal

            record_refusal(actor, "recording", rec.id, case_id=rec.case_id, reason="无权查看该音像记录")
        raise NotFound("音像记录不存在")  # do not reveal other agencies' recordings
    return rec


def recordings_of_case(case) -> list[Recording]:
    return list(db.session.scalars(select(Recording).where(Recording.case_id == case.id).order_by(Recording.id)))


def recordings_of_subject(key: str) -> list[Recording]:
    return list(db.session.scalars(select(Recording).where(Recording.subject == key).order_by(Recording.id)))


def recordings_of_step(step) -> list[Recording]:
    return list(db.session.scalars(select(Recording).where(Recording.step_id == step.id).order_by(Recording.id)))


def step_has_recording(step) -> bool:
    """The audio/video gate's hook (cases.guards.HOOKS["recording"]): a linked, validated recording."""
    return db.session.scalar(select(func.count(Recording.id)).where(
        Recording.step_id == step.id, Recording.status == RecordingStatus.registered.value)) > 0


# --- linking ---------------------------------------------------------------------------------------------

def link_to_step(rec, step_id, *, actor) -> Recording:
    if not permissions.can_link(actor, rec):
        raise PermissionDenied("只有本案承办执法人员可以关联执法环节")
    if step_id in (None, ""):
        raise InvalidInput("请选择要关联的执法环节", details={"fields": {"step_id": ["请选择要关联的执法环节"]}})
    step_id = as_id(step_id, "step_id", label="执法环节编号")
    step = case_services.get_step(rec.case, step_id)
    return _link(rec, step, actor=actor)


def attach_to_case(rec, case, step, *, actor) -> Recording:
    """A recording of another record joins the case filed from it (an inspection that found a violation):
    it keeps its subject, gains the case and the step it documents; the case's holds apply from now on."""
    if rec.case_id is not None:
        raise InvalidTransition("该音像记录已属于案件")
    rec.case_id = case.id
    rec.case = case
    rec.step_id = None
    db.session.flush()
    _link(rec, step, actor=actor)
    if _held(case) and not rec.legal_hold:
        rec.legal_hold = True
        get_store().set_legal_hold(rec.original_key, True)
    return rec


def _link(rec, step, *, actor) -> Recording:
    if rec.step_id == step.id:
        return rec
    if rec.step_id is not None:
        raise InvalidTransition("该音像记录已关联其他执法环节，不能更改（如有错误请上传说明并重新登记）")
    rec.step_id = step.id
    db.session.flush()
    log_custody(rec, CustodyAction.link, actor=actor, purpose=f"关联执法环节“{step.label}”",
                detail={"step_id": step.id})
    return rec


# --- custody ---------------------------------------------------------------------------------------------

def log_custody(rec, action, *, actor, purpose, ip="", detail=None) -> CustodyEvent:
    """SPEC §4.3: every view, playback, download and export is logged with user, time and purpose — in the
    custody table and, so that the log itself is tamper-evident, in the ledger."""
    action = CustodyAction(action)
    purpose = as_text(purpose, "purpose", label="用途")
    if not purpose:
        raise InvalidInput(f"请填写调阅用途（{RULE}：查看、播放、下载、导出均须记录用途）",
                           details={"fields": {"purpose": ["请填写用途"]}})
    event = CustodyEvent(recording_id=rec.id, user_id=actor.id if actor else None, action=action.value,
                         purpose=purpose[:200], at=utcnow(), ip=(ip or "")[:45], detail=detail or {})
    db.session.add(event)
    db.session.flush()
    event.ledger_seq = ledger.append("recording.custody", f"recording:{rec.id}", {
        "recording_id": rec.id, "custody_event_id": event.id, "action": action.value,
        "user": actor.username if actor else None, "purpose": event.purpose, "at": event.at, "ip": event.ip,
        "detail": event.detail}).seq
    return event


def custody_log(rec) -> list[CustodyEvent]:
    return list(db.session.scalars(select(CustodyEvent).where(CustodyEvent.recording_id == rec.id)
                                   .order_by(CustodyEvent.id)))


def open_media(rec, variant, *, actor, purpose, offset=0, length=None, ip="", log_it=True, action=None):
    """The bytes of the original or the proxy (a range of them); logs playback or download custody."""
    if variant == "original":
        key = rec.original_key
    elif variant == "proxy":
        d = rec.derivative("proxy")
        if d is None:
            raise NotFound("浏览器播放副本尚未生成，请稍后再试或播放原始文件")
        key = d.key
    elif variant == "thumbnail":
        d = rec.derivative("thumbnail")
        if d is None:
            raise NotFound("缩略图尚未生成")
        key = d.key
    else:
        raise InvalidInput("variant 只能是 original、proxy 或 thumbnail")
    action = CustodyAction(action or CustodyAction.play)
    if action == CustodyAction.download and not permissions.can_download_original(actor, rec):
        raise PermissionDenied(f"下载原始文件须经机关负责人批准导出（{RULE}：导出须经批准）；执法监督人员可直接调取")
    if log_it and not _same_playback(rec, variant, action, actor, ip):
        log_custody(rec, action, actor=actor, purpose=purpose, ip=ip,
                    detail={"variant": variant, "offset": offset, "length": length})
    return get_store().open(key, offset, length)


def _same_playback(rec, variant, action, actor, ip) -> bool:
    """Every read is logged (SEC-9: a `Range: bytes=1-` once fetched almost the whole original unlogged),
    but the range requests of one playback — same user, recording, variant, action and address within
    RECORDING_PLAYBACK_GROUP_SECONDS of the event that opened it — are grouped under that one event."""
    window = timedelta(seconds=cfg("RECORDING_PLAYBACK_GROUP_SECONDS"))
    last = db.session.scalars(select(CustodyEvent).where(
        CustodyEvent.recording_id == rec.id, CustodyEvent.user_id == (actor.id if actor else None),
        CustodyEvent.action == CustodyAction(action).value, CustodyEvent.at >= utcnow() - window)
        .order_by(CustodyEvent.id.desc()).limit(1)).first()
    return last is not None and (last.detail or {}).get("variant") == variant and last.ip == (ip or "")[:45]


def media_size(rec, variant) -> tuple[int, str]:
    if variant == "original":
        return rec.size, rec.content_type
    d = rec.derivative(variant)
    if d is None:
        raise NotFound("该副本尚未生成")
    return d.size, d.content_type


# --- exports ---------------------------------------------------------------------------------------------

def request_export(rec, purpose, *, actor) -> ExportRequest:
    if not permissions.can_request_export(actor, rec):
        raise PermissionDenied("只有本机关执法人员、审核人员或负责人可以申请导出音像记录")
    purpose = as_text(purpose, "purpose", label="导出用途", max_length=500)
    if not purpose:
        raise InvalidInput("请填写导出用途", details={"fields": {"purpose": ["请填写导出用途"]}})
    export = ExportRequest(recording_id=rec.id, requested_by_id=actor.id, purpose=purpose,
                           status=ExportStatus.requested.value, requested_at=utcnow())
    db.session.add(export)
    db.session.flush()
    ledger.append("recording.export_requested", f"recording:{rec.id}", {
        "recording_id": rec.id, "export_id": export.id, "requested_by": actor.username, "purpose": purpose})
    return export


def get_export(export_id, actor) -> ExportRequest:
    export = db.session.get(ExportRequest, export_id)
    if export is None or not permissions.can_view_recording(actor, export.recording):
        raise NotFound("导出申请不存在")
    return export


def decide_export(export, *, approve: bool, actor, note="") -> ExportRequest:
    if not permissions.can_approve_export(actor, export.recording):
        raise PermissionDenied(f"导出音像记录须经机关负责人批准（{RULE}）")
    if export.status != ExportStatus.requested.value:
        raise InvalidTransition("该导出申请已处理")
    export.status = (ExportStatus.approved if approve else ExportStatus.rejected).value
    export.decided_by_id = actor.id
    export.decided_at = utcnow()
    export.decision_note = (note or "").strip()
    db.session.flush()
    ledger.append("recording.export_decided", f"recording:{export.recording_id}", {
        "recording_id": export.recording_id, "export_id": export.id, "status": export.status,
        "decided_by": actor.username, "note": export.decision_note})
    return export


def open_export(export, *, actor, ip=""):
    """The approved export's original bytes, for its requester; logged as an export."""
    if export.requested_by_id != actor.id:
        raise PermissionDenied("只有申请人可以下载已批准的导出")
    if export.status != ExportStatus.approved.value:
        raise PermissionDenied(f"导出须经机关负责人批准后方可下载（{RULE}）")
    rec = export.recording
    log_custody(rec, CustodyAction.export, actor=actor, purpose=export.purpose, ip=ip,
                detail={"export_id": export.id, "sha256": rec.sha256})
    return get_store().open(rec.original_key)


def exports_of(rec) -> list[ExportRequest]:
    return list(db.session.scalars(select(ExportRequest).where(ExportRequest.recording_id == rec.id)
                                   .order_by(ExportRequest.id)))


# --- proofs ----------------------------------------------------------------------------------------------

def bundle(rec) -> dict:
    """The ledger proof bundle for the recording's registration entry (checked offline against the file)."""
    data = ledger.build_bundle(rec.ledger_seq)
    data["file"] = {"name": rec.filename or f"recording-{rec.id}", "size": rec.size, "sha256": rec.sha256}
    return data


# --- integrity and holds ---------------------------------------------------------------------------------

def scan(*, sample: int | None = None, ids=None, actor=None) -> dict:
    """Re-hash stored originals (all, a random sample, or the given ids) and enter the result in the ledger."""
    query = select(Recording.id).order_by(Recording.id)
    if ids:
        query = query.where(Recording.id.in_(list(ids)))
    all_ids = list(db.session.scalars(query))
    chosen = sorted(random.sample(all_ids, min(sample, len(all_ids)))) if sample is not None else all_ids
    store = get_store()
    results = []
    now = utcnow()
    for rid in chosen:
        rec = db.session.get(Recording, rid)
        try:
            actual = store.rehash(rec.original_key)
            problem = None if actual == rec.sha256 else "mismatch"
        except StoreNotFound:
            actual, problem = None, "missing"
        except StorageError as exc:
            actual, problem = None, f"unreadable: {exc.message}"
        rec.last_scan_at = now
        rec.last_scan_ok = problem is None
        results.append({"recording_id": rec.id, "storage_key": rec.original_key, "expected_sha256": rec.sha256,
                        "actual_sha256": actual, "ok": problem is None, "problem": problem})
        db.session.add(CustodyEvent(recording_id=rec.id, user_id=actor.id if actor else None,
                                    action=CustodyAction.scan.value, purpose="完整性校验", at=now,
                                    detail={"ok": problem is None, "actual_sha256": actual}))
    db.session.flush()
    mismatches = [r for r in results if not r["ok"]]
    entry = ledger.append("recording.scan", "recordings", {
        "scanned": len(results), "mismatches": len(mismatches), "sample": sample, "results": results,
        "by": actor.username if actor else "system"})
    return {"scanned": len(results), "mismatches": mismatches, "results": results, "ledger_seq": entry.seq}


def sync_holds(*, release=True, apply=True) -> dict:
    """Holds and retention of every original brought in line with `recordings.retention` (SPEC §4.3, §15)."""
    from recordings import retention

    return retention.sync_all()


def release_holds_for_closed_cases() -> list[int]:
    return sync_holds()["released"]


def is_supervisor(user) -> bool:
    return has_role(user, Role.supervisor)
