"""Supervision checks (监督检查: annual plans per agency, spot checks) and their findings; rectification
(整改) notices with the agency's reports; accountability (责任追究) decisions against officers (SPEC §14)."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Agency, User
from app.extensions import db
from app.officers.models import Officer
from app.timeutil import utcnow

TZ = sa.DateTime(timezone=True)


class CheckPlan(db.Model):
    """年度执法监督检查计划 for one agency and year."""

    __tablename__ = "supervision_check_plans"
    __table_args__ = (sa.UniqueConstraint("agency_id", "year", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("supervision_offices.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    title: Mapped[str] = mapped_column(sa.String(200))
    scope: Mapped[str] = mapped_column(sa.Text, default="")
    planned_on: Mapped[date] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    agency: Mapped[Agency] = relationship()
    checks: Mapped[list[SupervisionCheck]] = relationship(back_populates="plan", order_by="SupervisionCheck.id")


class SupervisionCheck(db.Model):
    """A check carried out: under a plan (annual) or a spot check (专项/随机抽查)."""

    __tablename__ = "supervision_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("supervision_check_plans.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # "annual" | "spot"
    checked_on: Mapped[date] = mapped_column(sa.Date)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    inspector_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    plan: Mapped[CheckPlan | None] = relationship(back_populates="checks")
    agency: Mapped[Agency] = relationship()
    findings: Mapped[list[Finding]] = relationship(back_populates="check", order_by="Finding.id")


class Finding(db.Model):
    """A problem found (by a check, an evaluation or a complaint), about an agency and possibly a case and an
    officer. The basis of rectification notices and accountability decisions."""

    __tablename__ = "supervision_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int | None] = mapped_column(sa.ForeignKey("supervision_checks.id"), index=True)
    #: Where it came from when not a check, e.g. "evaluation_file:12", "complaint:5".
    source: Mapped[str] = mapped_column(sa.String(40), default="")
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("officers.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    found_on: Mapped[date] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    check: Mapped[SupervisionCheck | None] = relationship(back_populates="findings")
    agency: Mapped[Agency] = relationship()
    officer: Mapped[Officer | None] = relationship()


class RectificationStatus(str, enum.Enum):
    issued = "issued"  #: 已下达，待整改报告
    reported = "reported"  #: 已报送整改报告，待审核
    returned = "returned"  #: 整改报告被退回，须重新报送
    accepted = "accepted"  #: 整改验收通过 (final)

    @property
    def label(self):
        return RECTIFICATION_LABELS[self]


RECTIFICATION_LABELS = {RectificationStatus.issued: "待报送整改报告", RectificationStatus.reported: "待审核整改报告",
                        RectificationStatus.returned: "已退回，待重新报送", RectificationStatus.accepted: "已验收"}
OPEN_RECTIFICATION = ("issued", "reported", "returned")


class Rectification(db.Model):
    """整改通知 to an agency: its findings, a deadline, the notice PDF in the object store."""

    __tablename__ = "rectifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("supervision_offices.id"), index=True)
    #: The findings as the notice states them (texts), and where they came from.
    findings: Mapped[list] = mapped_column(sa.JSON, default=list)
    finding_id: Mapped[int | None] = mapped_column(sa.ForeignKey("supervision_findings.id"))
    source: Mapped[str] = mapped_column(sa.String(40), default="")
    issued_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(10), default=RectificationStatus.issued.value, index=True)
    notice_key: Mapped[str | None] = mapped_column(sa.String(300))
    notice_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: Overdue and not accepted: escalated to the office one level up (SPEC §14).
    escalated_on: Mapped[date | None] = mapped_column(sa.Date)
    escalated_office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("supervision_offices.id"))
    accepted_on: Mapped[date | None] = mapped_column(sa.Date)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    agency: Mapped[Agency] = relationship()
    office = relationship("SupervisionOffice", foreign_keys=[office_id])
    escalated_office = relationship("SupervisionOffice", foreign_keys=[escalated_office_id])
    reports: Mapped[list[RectificationReport]] = relationship(back_populates="rectification",
                                                              order_by="RectificationReport.id", lazy="selectin")

    @property
    def status_enum(self) -> RectificationStatus:
        return RectificationStatus(self.status)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_RECTIFICATION


class RectificationReport(db.Model):
    """整改报告 of the agency, with attachments in the object store, and the supervisor's decision on it."""

    __tablename__ = "rectification_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(sa.ForeignKey("rectifications.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    #: [{"key", "filename", "sha256", "size", "content_type"}]
    attachments: Mapped[list] = mapped_column(sa.JSON, default=list)
    submitted_on: Mapped[date] = mapped_column(sa.Date)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decision: Mapped[str | None] = mapped_column(sa.String(10))  # "accepted" | "returned"
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")
    decided_on: Mapped[date | None] = mapped_column(sa.Date)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)

    rectification: Mapped[Rectification] = relationship(back_populates="reports")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])


class Measure(str, enum.Enum):
    criticism = "criticism"  #: 批评教育
    training = "training"  #: 离岗培训
    suspension = "suspension"  #: 暂扣执法证件
    revocation = "revocation"  #: 吊销执法证件

    @property
    def label(self):
        return MEASURE_LABELS[self]


MEASURE_LABELS = {Measure.criticism: "批评教育", Measure.training: "离岗培训", Measure.suspension: "暂扣执法证件",
                  Measure.revocation: "吊销执法证件"}


class AccountabilityDecision(db.Model):
    """责任追究: a measure against an officer, based on a finding, after the officer's statement (陈述申辩)."""

    __tablename__ = "accountability_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("officers.id"), index=True)
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("supervision_findings.id"), index=True)
    measure: Mapped[str] = mapped_column(sa.String(12))
    reason: Mapped[str] = mapped_column(sa.Text)
    #: proposed → stated (statement recorded or waived) → executed
    status: Mapped[str] = mapped_column(sa.String(10), default="proposed")
    proposed_on: Mapped[date] = mapped_column(sa.Date)
    statement: Mapped[str] = mapped_column(sa.Text, default="")
    statement_waived: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    statement_on: Mapped[date | None] = mapped_column(sa.Date)
    executed_on: Mapped[date | None] = mapped_column(sa.Date)
    #: Suspensions: last day (None = until restored).
    until: Mapped[date | None] = mapped_column(sa.Date)
    certificate_event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificate_events.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    officer: Mapped[Officer] = relationship()
    finding: Mapped[Finding] = relationship()

    @property
    def measure_enum(self) -> Measure:
        return Measure(self.measure)
