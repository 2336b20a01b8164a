"""Recordings (音像记录, SPEC §4.2–4.3): originals kept write-once, their derived objects, the custody log,
export approvals, the derivative job queue and resumable (tus) upload sessions.

An original is registered only after it was stored, hashed by the store and validated as media; nothing
here is ever deleted. Refused uploads leave no row at all.
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow

TZ = sa.DateTime(timezone=True)


class RecordingStatus(str, enum.Enum):
    registered = "registered"  #: 已登记: stored write-once, validated, entered in the ledger


class MediaKind(str, enum.Enum):
    video = "video"  #: 视频（含音频）
    audio = "audio"  #: 仅音频


class DerivativeKind(str, enum.Enum):
    thumbnail = "thumbnail"  #: 缩略图 (JPEG)
    proxy = "proxy"  #: 浏览器播放副本 (H.264/AAC MP4 with faststart; AAC M4A for audio)


class CustodyAction(str, enum.Enum):
    view = "view"  #: 查看（详情、保管链报告、证明包）
    play = "play"  #: 播放
    download = "download"  #: 下载原始文件（执法监督）
    export = "export"  #: 经批准导出
    scan = "scan"  #: 完整性扫描
    link = "link"  #: 关联执法环节


CUSTODY_LABELS = {CustodyAction.view: "查看", CustodyAction.play: "播放", CustodyAction.download: "下载",
                  CustodyAction.export: "导出", CustodyAction.scan: "完整性校验", CustodyAction.link: "关联环节"}


class ExportStatus(str, enum.Enum):
    requested = "requested"  #: 待批准
    approved = "approved"  #: 已批准
    rejected = "rejected"  #: 未批准


EXPORT_LABELS = {ExportStatus.requested: "待批准", ExportStatus.approved: "已批准", ExportStatus.rejected: "未批准"}


class JobStatus(str, enum.Enum):
    queued = "queued"  #: waiting for a worker
    running = "running"  #: claimed by a worker (reclaimed when its lease is stale)
    done = "done"  #: finished
    failed = "failed"  #: gave up after the allowed attempts


class UploadStatus(str, enum.Enum):
    open = "open"  #: receiving bytes
    completed = "completed"  #: all bytes received, validated and registered
    refused = "refused"  #: all bytes received but refused (not media, truncated, hash mismatch)
    aborted = "aborted"  #: terminated by the client or expired; staged bytes removed


class Recording(db.Model):
    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The case the recording belongs to; None for a recording of another record (see `subject`).
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    #: A record other than a case the recording documents, e.g. "inspection:12" (an inspection that found
    #: nothing has no case, yet its recording is kept: SPEC §4.2 "case or task"); see recordings.subjects.
    subject: Mapped[str | None] = mapped_column(sa.String(60), index=True)
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    #: The step (执法环节) the recording documents; None until linked.
    step_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_steps.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=RecordingStatus.registered.value)
    original_key: Mapped[str] = mapped_column(sa.String(300), unique=True)
    original_version_id: Mapped[str | None] = mapped_column(sa.String(200))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)  #: computed by the store
    size: Mapped[int] = mapped_column(sa.BigInteger)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    media_kind: Mapped[str] = mapped_column(sa.String(10))
    #: ffprobe summary: {"format": ..., "duration": 10.0, "creation_time": ..., "streams": [...]}
    probe: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    duration_seconds: Mapped[float | None] = mapped_column(sa.Float)
    device_id: Mapped[str] = mapped_column(sa.String(100))
    #: [{"name": "王强", "certificate_number": "22068100001"}]
    officers: Mapped[list] = mapped_column(sa.JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(TZ)
    ended_at: Mapped[datetime] = mapped_column(TZ)
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    #: [{"from": iso, "to": iso, "reason": "更换电池"}]
    interruptions: Mapped[list] = mapped_column(sa.JSON, default=list)
    uploaded_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    late_reason: Mapped[str | None] = mapped_column(sa.Text)
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)
    retention_until: Mapped[datetime] = mapped_column(TZ)
    legal_hold: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    last_scan_at: Mapped[datetime | None] = mapped_column(TZ)
    last_scan_ok: Mapped[bool | None] = mapped_column(sa.Boolean)

    case = relationship("Case")
    step = relationship("CaseStep")
    uploaded_by = relationship("User")
    derivatives: Mapped[list[RecordingDerivative]] = relationship(back_populates="recording",
                                                                  order_by="RecordingDerivative.id")

    def derivative(self, kind) -> RecordingDerivative | None:
        kind = DerivativeKind(kind).value
        return next((d for d in self.derivatives if d.kind == kind), None)

    @property
    def is_video(self) -> bool:
        return self.media_kind == MediaKind.video.value


class RecordingDerivative(db.Model):
    """A thumbnail or playback proxy made from an original; it carries its own hash and points back."""

    __tablename__ = "recording_derivatives"
    __table_args__ = (sa.UniqueConstraint("recording_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(sa.ForeignKey("recordings.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    key: Mapped[str] = mapped_column(sa.String(300), unique=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)

    recording: Mapped[Recording] = relationship(back_populates="derivatives")


class RecordingJob(db.Model):
    """Background work (derivatives) queued in the database, so that a restart resumes it."""

    __tablename__ = "recording_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(sa.ForeignKey("recordings.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default="derivatives")
    status: Mapped[str] = mapped_column(sa.String(20), default=JobStatus.queued.value, index=True)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    error: Mapped[str] = mapped_column(sa.Text, default="")
    worker: Mapped[str] = mapped_column(sa.String(100), default="")
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(TZ)
    finished_at: Mapped[datetime | None] = mapped_column(TZ)


class CustodyEvent(db.Model):
    """证据保管链: who viewed, played, downloaded, exported or checked a recording, when, and why."""

    __tablename__ = "recording_custody_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(sa.ForeignKey("recordings.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(20))
    purpose: Mapped[str] = mapped_column(sa.String(200), default="")
    at: Mapped[datetime] = mapped_column(TZ, default=utcnow)
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)

    user = relationship("User")

    @property
    def action_label(self) -> str:
        return CUSTODY_LABELS.get(CustodyAction(self.action), self.action)


class ExportRequest(db.Model):
    """An export of an original out of the system: requested with a purpose, approved by the agency head."""

    __tablename__ = "recording_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(sa.ForeignKey("recordings.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default=ExportStatus.requested.value)
    requested_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(TZ)
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")

    recording: Mapped[Recording] = relationship()
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def status_label(self) -> str:
        return EXPORT_LABELS[ExportStatus(self.status)]


class UploadSession(db.Model):
    """A resumable (tus 1.0.0) upload: the bytes received so far are staged as parts in the object store."""

    __tablename__ = "recording_uploads"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    subject: Mapped[str | None] = mapped_column(sa.String(60))  #: instead of a case (recordings.subjects)
    step_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_steps.id"))
    length: Mapped[int] = mapped_column(sa.BigInteger)
    received: Mapped[int] = mapped_column(sa.BigInteger, default=0)  #: tus Upload-Offset
    #: The recording metadata checked at creation (device, times, location, interruptions, sha256...).
    meta: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: Staged parts in order: [{"offset": 0, "size": 33554432, "key": "staging/<id>/..."}]
    parts: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(20), default=UploadStatus.open.value, index=True)
    recording_id: Mapped[int | None] = mapped_column(sa.ForeignKey("recordings.id"))
    error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TZ, index=True)
