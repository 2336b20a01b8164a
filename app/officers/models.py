"""Officers (执法人员), their certificates (执法证件) and each certificate's lifecycle events.

A certificate's status on any date is derived from its events (see `rules.status_on`); events are never
updated or deleted, so the public page, the rules engine and any past act agree on what held when.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Agency, User
from app.extensions import db
from app.timeutil import utcnow


class EmploymentType(str, enum.Enum):
    established = "established"  #: 在编在岗: the only staff who may hold a certificate (SPEC §5.5)
    auxiliary = "auxiliary"  #: 辅助人员
    contract = "contract"  #: 合同用工
    temporary = "temporary"  #: 临时用工
    public_welfare = "public_welfare"  #: 公益性岗位

    @property
    def label(self):
        return EMPLOYMENT_LABELS[self]

    @classmethod
    def from_label(cls, text):
        text = (text or "").strip()
        for member, label in EMPLOYMENT_LABELS.items():
            if text in (label, member.value) or text in EMPLOYMENT_ALIASES.get(member, ()):
                return member
        return None


EMPLOYMENT_LABELS = {
    EmploymentType.established: "在编在岗",
    EmploymentType.auxiliary: "辅助",
    EmploymentType.contract: "合同",
    EmploymentType.temporary: "临时",
    EmploymentType.public_welfare: "公益性岗位",
}
EMPLOYMENT_ALIASES = {
    EmploymentType.auxiliary: ("辅助人员", "协管员"),
    EmploymentType.contract: ("合同工", "合同用工"),
    EmploymentType.temporary: ("临时工", "临时用工"),
    EmploymentType.public_welfare: ("公益岗",),
}


class CertificateKind(str, enum.Enum):
    jilin = "jilin"  #: 吉林省行政执法证
    ministry = "ministry"  #: a State Council ministry's certificate, valid once filed with the 司法局

    @property
    def label(self):
        return CERT_KIND_LABELS[self]

    @classmethod
    def from_label(cls, text):
        text = (text or "").strip()
        for member, label in CERT_KIND_LABELS.items():
            if text in (label, member.value) or (member is cls.ministry and "部" in text and "证" in text):
                return member
        return None


CERT_KIND_LABELS = {
    CertificateKind.jilin: "吉林省行政执法证",
    CertificateKind.ministry: "国务院部门执法证件（司法局备案）",
}


class EventKind(str, enum.Enum):
    issued = "issued"  #: 发证
    inspected = "inspected"  #: 年检（通过或不通过）
    suspended = "suspended"  #: 暂扣, optionally until a date
    restored = "restored"  #: 发还 after a suspension
    revoked = "revoked"  #: 吊销 (final)
    cancelled = "cancelled"  #: 注销, e.g. on leaving the post (final)

    @property
    def label(self):
        return EVENT_LABELS[self]


EVENT_LABELS = {
    EventKind.issued: "发证",
    EventKind.inspected: "年检",
    EventKind.suspended: "暂扣",
    EventKind.restored: "发还",
    EventKind.revoked: "吊销",
    EventKind.cancelled: "注销",
}


class RevocationReason(str, enum.Enum):
    altered = "altered"  #: 涂改证件: bars a new certificate for CERT_REVOCATION_BAR_YEARS
    lent = "lent"  #: 出借证件: bars a new certificate for CERT_REVOCATION_BAR_YEARS
    other = "other"  #: any other ground

    @property
    def label(self):
        return REVOCATION_LABELS[self]


REVOCATION_LABELS = {
    RevocationReason.altered: "涂改证件",
    RevocationReason.lent: "出借证件",
    RevocationReason.other: "其他违法违规行为",
}
#: Revocation grounds that bar a new certificate (SPEC §5.6).
BARRING_REASONS = frozenset({RevocationReason.altered.value, RevocationReason.lent.value})


class Officer(db.Model):
    """A person who may hold a certificate, or auxiliary staff who never may."""

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    employment_type: Mapped[str] = mapped_column(sa.String(20))
    #: 居民身份证号码: internal only, identifies the person across agencies for the revocation bar.
    id_number: Mapped[str | None] = mapped_column(sa.String(18), index=True)
    #: The login account of this person, if any.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    #: 法律职业资格: needed by legal reviewers (SPEC §6.1).
    qualification_number: Mapped[str | None] = mapped_column(sa.String(40))
    qualification_date: Mapped[date | None] = mapped_column(sa.Date)
    #: 受委托组织: the officer acts for this entrusted organisation, in the entrusting agency's name
    #: (APL Art 20); None for the agency's own officers.
    entrusted_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entrusted_organisations.id"), index=True)
    photo: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    photo_type: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    agency: Mapped[Agency] = relationship()
    user: Mapped[User | None] = relationship()
    entrusted_org = relationship("EntrustedOrganisation")
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="officer", order_by="Certificate.issued_on, Certificate.id", lazy="selectin")
    trainings: Mapped[list[TrainingRecord]] = relationship(
        back_populates="officer", order_by="TrainingRecord.completed_on, TrainingRecord.id")
    examinations: Mapped[list[Examination]] = relationship(
        back_populates="officer", order_by="Examination.taken_on, Examination.id")

    @property
    def employment(self) -> EmploymentType:
        return EmploymentType(self.employment_type)

    @property
    def has_qualification(self) -> bool:
        return bool(self.qualification_number)

    def __repr__(self):
        return f"<Officer {self.id} {self.name}>"


class Certificate(db.Model):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("officers.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    #: Issuing authority, e.g. 吉林省人民政府 or the ministry for a ministry certificate.
    issuer: Mapped[str] = mapped_column(sa.String(80), default="")
    #: Date the ministry certificate was filed with the 司法局 (ministry certificates only).
    filed_on: Mapped[date | None] = mapped_column(sa.Date)
    #: Enforcement categories (执法类别), e.g. ["城市管理", "住建"].
    categories: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Region code of the enforcement area (执法区域).
    area_code: Mapped[str] = mapped_column(sa.String(6))
    issued_on: Mapped[date] = mapped_column(sa.Date)
    #: Last day of validity: the certificate is still valid on this date.
    expires_on: Mapped[date] = mapped_column(sa.Date)
    #: Unguessable token in the QR code's verification URL (the id is sequential).
    public_token: Mapped[str] = mapped_column(sa.String(43), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    officer: Mapped[Officer] = relationship(back_populates="certificates")
    events: Mapped[list[CertificateEvent]] = relationship(
        back_populates="certificate", order_by="CertificateEvent.on, CertificateEvent.id", lazy="selectin")

    @property
    def kind_enum(self) -> CertificateKind:
        return CertificateKind(self.kind)

    def __repr__(self):
        return f"<Certificate {self.number}>"


class CertificateEvent(db.Model):
    """One step of a certificate's lifecycle, with its reason. Append-only."""

    __tablename__ = "certificate_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    #: The date the event takes effect (a legal date in China Standard Time).
    on: Mapped[date] = mapped_column(sa.Date)
    #: Suspensions: last day of the suspension (None = until restored).
    until: Mapped[date | None] = mapped_column(sa.Date)
    #: Inspections: the inspection year (年度) and whether it was passed.
    year: Mapped[int | None] = mapped_column(sa.Integer)
    passed: Mapped[bool | None] = mapped_column(sa.Boolean)
    #: Revocations: a RevocationReason value.
    reason_type: Mapped[str | None] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    certificate: Mapped[Certificate] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    @property
    def kind_enum(self) -> EventKind:
        return EventKind(self.kind)


class TrainingKind(str, enum.Enum):
    pre_post = "pre_post"  #: 岗前培训: before a first certificate
    annual = "annual"  #: 年度培训 (法律知识、业务培训): counts toward the yearly hours
    special = "special"  #: 专题培训: counts toward the yearly hours


TRAINING_LABELS = {TrainingKind.pre_post: "岗前培训", TrainingKind.annual: "年度培训", TrainingKind.special: "专题培训"}


class TrainingRecord(db.Model):
    """A course an officer attended, with its hours (学时) in a year. Append-only."""

    __tablename__ = "officer_trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("officers.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    course: Mapped[str] = mapped_column(sa.String(200))
    provider: Mapped[str] = mapped_column(sa.String(120), default="")
    completed_on: Mapped[date] = mapped_column(sa.Date)
    hours: Mapped[float] = mapped_column(sa.Numeric(6, 1))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    officer: Mapped[Officer] = relationship(back_populates="trainings")

    @property
    def kind_label(self) -> str:
        return TRAINING_LABELS[TrainingKind(self.kind)]


class Examination(db.Model):
    """The unified law-enforcement qualification examination (行政执法资格统一考试). Append-only."""

    __tablename__ = "officer_examinations"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("officers.id"), index=True)
    taken_on: Mapped[date] = mapped_column(sa.Date)
    score: Mapped[float] = mapped_column(sa.Numeric(5, 1))
    passed: Mapped[bool] = mapped_column(sa.Boolean)
    organiser: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    officer: Mapped[Officer] = relationship(back_populates="examinations")


# Officer.entrusted_org names this class by string: make sure it is mapped wherever officers are.
from app.agencies import models as _agency_models  # noqa: E402,F401
