"""Complaints and reports (投诉举报, SPEC §14) about enforcement, and each one's history.

The complainant's personal data (name, phone, address; no ID number is asked: data minimisation) lives only in the `complainant_*`
columns: never in the ledger (which holds a hash of it), never on a public page, and shown to the agency
complained about only with the complainant's consent (`consent_disclose`).
"""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Agency, User
from app.extensions import db
from app.timeutil import utcnow

TZ = sa.DateTime(timezone=True)


class ComplaintChannel(str, enum.Enum):
    web = "web"  #: 网上投诉（公众网站）
    letter = "letter"  #: 来信
    call = "call"  #: 来电
    visit = "visit"  #: 来访

    @property
    def label(self):
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = {ComplaintChannel.web: "网上投诉", ComplaintChannel.letter: "来信",
                  ComplaintChannel.call: "来电", ComplaintChannel.visit: "来访"}


class ComplaintStatus(str, enum.Enum):
    received = "received"  #: 已登记，待受理
    refused = "refused"  #: 不予受理 (final)
    accepted = "accepted"  #: 已受理，待交办
    handling = "handling"  #: 办理中 (assigned)
    closed = "closed"  #: 已答复办结 (final)

    @property
    def label(self):
        return STATUS_LABELS[self]


STATUS_LABELS = {ComplaintStatus.received: "已登记，待受理", ComplaintStatus.refused: "不予受理",
                 ComplaintStatus.accepted: "已受理，待交办", ComplaintStatus.handling: "办理中",
                 ComplaintStatus.closed: "已答复办结"}
OPEN_STATUSES = (ComplaintStatus.received.value, ComplaintStatus.accepted.value, ComplaintStatus.handling.value)


class ComplaintOutcome(str, enum.Enum):
    upheld = "upheld"  #: 属实
    partly = "partly"  #: 部分属实
    not_upheld = "not_upheld"  #: 不属实

    @property
    def label(self):
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {ComplaintOutcome.upheld: "属实", ComplaintOutcome.partly: "部分属实",
                  ComplaintOutcome.not_upheld: "不属实"}


EVENT_LABELS = {"received": "登记", "accepted": "受理", "refused": "不予受理", "assigned": "交办", "replied": "答复办结"}


class Complaint(db.Model):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 受理编号 given to the complainant, e.g. TS2026-000123.
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    #: SHA-256 of the lookup secret shown once on the receipt.
    secret_hash: Mapped[str] = mapped_column(sa.String(64))
    channel: Mapped[str] = mapped_column(sa.String(10))
    #: The agency complained about, and the office that handles the complaint (the agency's supervisor).
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("supervision_offices.id"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    content: Mapped[str] = mapped_column(sa.Text)
    #: What the complainant says the act was (a case number, a place, an officer's name): free text.
    related: Mapped[str] = mapped_column(sa.String(200), default="")
    complainant_name: Mapped[str] = mapped_column(sa.String(64), default="")
    complainant_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    complainant_address: Mapped[str] = mapped_column(sa.String(200), default="")
    #: The complainant agrees that the agency complained about may see who they are.
    consent_disclose: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    status: Mapped[str] = mapped_column(sa.String(12), default=ComplaintStatus.received.value, index=True)
    received_on: Mapped[date] = mapped_column(sa.Date)
    #: Last day to accept or refuse (COMPLAINT_ACCEPT_WORKING_DAYS working days after receipt).
    accept_due: Mapped[date] = mapped_column(sa.Date)
    decided_on: Mapped[date | None] = mapped_column(sa.Date)
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: Last day to reply (COMPLAINT_HANDLE_DAYS days after acceptance).
    handle_due: Mapped[date | None] = mapped_column(sa.Date)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    assigned_on: Mapped[date | None] = mapped_column(sa.Date)
    reply: Mapped[str] = mapped_column(sa.Text, default="")
    outcome: Mapped[str | None] = mapped_column(sa.String(12))
    replied_on: Mapped[date | None] = mapped_column(sa.Date)
    #: The ledger entry of the receipt (shown on the receipt and the status page).
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    agency: Mapped[Agency] = relationship()
    office = relationship("SupervisionOffice")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    events: Mapped[list[ComplaintEvent]] = relationship(back_populates="complaint", order_by="ComplaintEvent.id",
                                                        lazy="selectin")

    @property
    def status_enum(self) -> ComplaintStatus:
        return ComplaintStatus(self.status)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ComplaintEvent(db.Model):
    """One step of a complaint (received, accepted, refused, assigned, replied). Append-only."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(sa.ForeignKey("complaints.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    on: Mapped[date] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
