"""Coercive measures (行政强制措施: 查封, 扣押, 先行登记保存 ...) beside the case they belong to, their items,
and the event history of each measure. Nothing is deleted: every change is an event (and a ledger entry).
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow

TZ = sa.DateTime(timezone=True)
QTY = sa.Numeric(14, 3)


class MeasureKind(str, enum.Enum):
    seal = "seal"  #: 查封场所、设施或者财物 (AEL Art 9(2))
    seize = "seize"  #: 扣押财物 (AEL Art 9(3))
    preserve = "preserve"  #: 先行登记保存证据 (APL Art 56)
    freeze = "freeze"  #: 冻结存款、汇款 (AEL Art 9(4)) — only where a law grants it


MEASURE_LABELS = {MeasureKind.seal: "查封", MeasureKind.seize: "扣押", MeasureKind.preserve: "先行登记保存",
                  MeasureKind.freeze: "冻结存款、汇款"}


class MeasureStatus(str, enum.Enum):
    requested = "requested"  #: 待批准: asked the head before acting (AEL Art 18(1))
    approved = "approved"  #: 已批准，待实施
    rejected = "rejected"  #: 不予批准（未实施）
    in_force = "in_force"  #: 实施中: the term runs
    released = "released"  #: 已解除（物品已退还）
    confiscated = "confiscated"  #: 已在处罚决定中没收
    converted = "converted"  #: 先行登记保存已转为查封、扣押
    closed = "closed"  #: 部分没收、部分解除后结束


STATUS_LABELS = {MeasureStatus.requested: "待批准", MeasureStatus.approved: "已批准待实施",
                 MeasureStatus.rejected: "不予批准", MeasureStatus.in_force: "实施中",
                 MeasureStatus.released: "已解除", MeasureStatus.confiscated: "已没收",
                 MeasureStatus.converted: "已转为查封扣押", MeasureStatus.closed: "已处理完毕"}

#: What each measure event is called in the case's timeline (the case event is "measure_<action>").
EVENT_LABELS = {"requested": "申请采取行政强制措施", "approved": "负责人批准采取行政强制措施",
                "rejected": "负责人不予批准行政强制措施", "ratified": "负责人补办批准当场实施的行政强制措施",
                "refused": "负责人不予批准当场实施的措施（应立即解除）", "reported": "当场实施后向负责人报告",
                "taken": "实施行政强制措施（现场笔录）", "extended": "延长查封、扣押期限",
                "testing": "告知检测期间（不计入查封、扣押期限）", "released": "解除行政强制措施并退还物品",
                "confiscated": "处罚决定没收查封、扣押的物品", "converted": "先行登记保存转为查封、扣押",
                "photo_added": "上传查封、扣押物品照片"}

ACTIVE = frozenset({MeasureStatus.in_force.value})


class CoerciveMeasure(db.Model):
    __tablename__ = "coercive_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)  #: 理由 (why the measure is needed)
    basis: Mapped[str] = mapped_column(sa.Text)  #: 依据 (law and article)
    storage_place: Mapped[str] = mapped_column(sa.String(200), default="")
    emergency: Mapped[bool] = mapped_column(sa.Boolean, default=False)  #: AEL Art 19: acted before approval
    emergency_reason: Mapped[str] = mapped_column(sa.Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(TZ)
    #: emergency: when the 24-hour report to the head is due, and when it was made
    report_due_at: Mapped[datetime | None] = mapped_column(TZ)
    reported_at: Mapped[datetime | None] = mapped_column(TZ)
    #: emergency measure the head refused to ratify: release at once (AEL Art 19)
    refused_at: Mapped[datetime | None] = mapped_column(TZ)
    refusal_reason: Mapped[str] = mapped_column(sa.Text, default="")
    step_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_steps.id"))  #: the on-site record
    taken_at: Mapped[datetime | None] = mapped_column(TZ)
    taken_on: Mapped[date | None] = mapped_column(sa.Date)
    #: the last day of the term (30 days, +30 once, + testing days); for 先行登记保存 the 7-working-day limit
    term_end: Mapped[date | None] = mapped_column(sa.Date, index=True)
    extended_days: Mapped[int] = mapped_column(sa.Integer, default=0)
    testing_days: Mapped[int] = mapped_column(sa.Integer, default=0)
    ended_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    case = relationship("Case")
    step = relationship("CaseStep")
    items: Mapped[list[MeasureItem]] = relationship(back_populates="measure", order_by="MeasureItem.id")
    events: Mapped[list[MeasureEvent]] = relationship(back_populates="measure", order_by="MeasureEvent.id")

    @property
    def label(self) -> str:
        return MEASURE_LABELS[MeasureKind(self.kind)]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[MeasureStatus(self.status)]

    @property
    def open_items(self) -> list:
        return [i for i in self.items if i.held_quantity > 0]


class MeasureItem(db.Model):
    """One line of the item list: name, quantity, place, condition, photos (stored, hashed, in the ledger)."""

    __tablename__ = "coercive_measure_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("coercive_measures.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    spec: Mapped[str] = mapped_column(sa.String(100), default="")
    quantity: Mapped[Decimal] = mapped_column(QTY)
    unit: Mapped[str] = mapped_column(sa.String(20), default="")
    place: Mapped[str] = mapped_column(sa.String(200), default="")  #: where it was found / is kept
    condition: Mapped[str] = mapped_column(sa.String(200), default="")  #: 状况
    #: [{"key", "sha256", "filename", "ledger_seq"}]
    photos: Mapped[list] = mapped_column(sa.JSON, default=list)
    released_quantity: Mapped[Decimal] = mapped_column(QTY, default=Decimal("0"))
    confiscated_quantity: Mapped[Decimal] = mapped_column(QTY, default=Decimal("0"))

    measure: Mapped[CoerciveMeasure] = relationship(back_populates="items")

    @property
    def held_quantity(self) -> Decimal:
        return self.quantity - self.released_quantity - self.confiscated_quantity


class MeasureEvent(db.Model):
    """What happened to a measure: requested, approved, taken, extended, testing, released, confiscated...
    A document issued for the event keeps its number here, so the PDF re-renders from the same data."""

    __tablename__ = "coercive_measure_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("coercive_measures.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(30))
    at: Mapped[datetime] = mapped_column(TZ, default=utcnow)
    on: Mapped[date] = mapped_column(sa.Date)  #: the legal date (China)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    document_number: Mapped[str | None] = mapped_column(sa.String(60), index=True)
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)

    measure: Mapped[CoerciveMeasure] = relationship(back_populates="events")
    actor = relationship("User")
