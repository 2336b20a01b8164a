"""Inspections (行政检查) and random inspections (双随机一公开): records, registers, rounds and tasks."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow

TZ = sa.DateTime(timezone=True)


# --- inspections (行政检查) and random inspections (双随机一公开) -------------------------------------------

class InspectionKind(str, enum.Enum):
    plan = "plan"  #: 计划检查
    adhoc = "adhoc"  #: 专项/临时检查（投诉举报、上级交办等）
    random = "random"  #: 双随机抽查任务


INSPECTION_KIND_LABELS = {InspectionKind.plan: "计划检查", InspectionKind.adhoc: "临时检查",
                          InspectionKind.random: "双随机抽查"}


class InspectionOutcome(str, enum.Enum):
    no_problem = "no_problem"  #: 未发现问题
    order_correct = "order_correct"  #: 责令改正（限期复查）
    case_filed = "case_filed"  #: 立案查处


OUTCOME_LABELS = {InspectionOutcome.no_problem: "未发现问题", InspectionOutcome.order_correct: "责令限期改正",
                  InspectionOutcome.case_filed: "发现违法行为，立案查处"}


class Inspection(db.Model):
    """行政检查 as a record of its own (SPEC §12): plan or ad hoc or a random task, basis, target,
    inspectors with certificates shown, findings, evidence, outcome; published without personal data."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    plan_ref: Mapped[str] = mapped_column(sa.String(200), default="")  #: 检查计划 / 交办来源
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("random_tasks.id"), index=True)
    category: Mapped[str] = mapped_column(sa.String(40))
    area_code: Mapped[str] = mapped_column(sa.String(6))
    basis: Mapped[str] = mapped_column(sa.Text)
    target_name: Mapped[str] = mapped_column(sa.String(200))
    target_kind: Mapped[str] = mapped_column(sa.String(10), default="org")  #: org / person
    target_code: Mapped[str] = mapped_column(sa.String(40), default="")  #: credit code (org) — never public for persons
    target_address: Mapped[str] = mapped_column(sa.String(200), default="")
    place: Mapped[str] = mapped_column(sa.String(200))
    started_at: Mapped[datetime] = mapped_column(TZ)
    ended_at: Mapped[datetime] = mapped_column(TZ)
    #: [{"officer_id", "name", "certificate_number", "certificate_shown"}]
    inspectors: Mapped[list] = mapped_column(sa.JSON, default=list)
    findings: Mapped[str] = mapped_column(sa.Text, default="")
    #: [{"name", "description"}] — carried into the case when one is filed from the inspection
    evidence: Mapped[list] = mapped_column(sa.JSON, default=list)
    outcome: Mapped[str | None] = mapped_column(sa.String(20))
    correction_due: Mapped[date | None] = mapped_column(sa.Date)
    followed_up_on: Mapped[date | None] = mapped_column(sa.Date)
    follow_up_result: Mapped[str] = mapped_column(sa.String(20), default="")  #: corrected / not_corrected
    follow_up_note: Mapped[str] = mapped_column(sa.Text, default="")
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    concluded_on: Mapped[date | None] = mapped_column(sa.Date)
    results_due: Mapped[date | None] = mapped_column(sa.Date)  #: publication due (20 working days)
    published_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)

    agency = relationship("Agency")
    case = relationship("Case")

    @property
    def kind_label(self) -> str:
        return INSPECTION_KIND_LABELS[InspectionKind(self.kind)]

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[InspectionOutcome(self.outcome)] if self.outcome else "检查中"


class InspectionTarget(db.Model):
    """检查对象名录库: the register random inspections draw from (imported from .xlsx/.csv)."""

    __tablename__ = "inspection_targets"
    __table_args__ = (sa.UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(40))  #: 统一社会信用代码 or the register's own number
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(10), default="org")
    category: Mapped[str] = mapped_column(sa.String(40))
    area_code: Mapped[str] = mapped_column(sa.String(6))
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)


class RegisteredInspector(db.Model):
    """执法检查人员名录库: certified officers an agency puts in its random-inspection pool."""

    __tablename__ = "inspection_inspectors"
    __table_args__ = (sa.UniqueConstraint("agency_id", "officer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("officers.id"))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    officer = relationship("Officer")


class RandomRound(db.Model):
    """One 双随机 round: a published matter of the random-inspection list, targets and inspectors drawn
    verifiably (app.draws), tasks assigned, results published within 20 working days."""

    __tablename__ = "random_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection_items.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(sa.String(40))
    area_code: Mapped[str | None] = mapped_column(sa.String(6))
    target_count: Mapped[int] = mapped_column(sa.Integer)
    per_target: Mapped[int] = mapped_column(sa.Integer, default=2)
    target_draw_id: Mapped[int] = mapped_column(sa.ForeignKey("draws.id"))
    inspector_draw_id: Mapped[int] = mapped_column(sa.ForeignKey("draws.id"))
    drawn_on: Mapped[date] = mapped_column(sa.Date)
    completed_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    agency = relationship("Agency")
    item = relationship("InspectionItem")
    tasks: Mapped[list[RandomTask]] = relationship(back_populates="round", order_by="RandomTask.id")


class RandomTask(db.Model):
    __tablename__ = "random_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("random_rounds.id"), index=True)
    target_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection_targets.id"))
    inspector_ids: Mapped[list] = mapped_column(sa.JSON, default=list)  #: officer ids assigned

    round: Mapped[RandomRound] = relationship(back_populates="tasks")
    target = relationship("InspectionTarget")
