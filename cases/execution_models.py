"""Execution of a penalty decision (执行, SPEC §11; APL Art 66–73, AEL Art 35–54): payments, deferral and
instalment plans, and the dated acts of the execution phase (催告, the party's statement on it, the
application to the court, suspension, resumption, termination). Nothing here is edited or deleted: a
plan is decided once; a correction is a new act. The case's status moves only through
`cases.services.apply_action` (cases/workflow.py)."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow

TZ = sa.DateTime(timezone=True)
MONEY = sa.Numeric(14, 2)


class PaymentMethod(str, enum.Enum):
    bank = "bank"  #: 银行或非税收入电子缴款系统
    on_spot = "on_spot"  #: 当场收缴（APL Art 68: 100 yuan or less）
    court = "court"  #: 人民法院强制执行所得
    other = "other"  #: 其他


PAYMENT_METHOD_LABELS = {PaymentMethod.bank: "银行/电子缴款", PaymentMethod.on_spot: "当场收缴",
                         PaymentMethod.court: "人民法院强制执行", PaymentMethod.other: "其他"}


class CasePayment(db.Model):
    """One payment by the party. The service allocates it to the fine first, then to the surcharge (the
    reading that favours the party: the surcharge runs on the unpaid fine only)."""

    __tablename__ = "case_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    paid_on: Mapped[date] = mapped_column(sa.Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    to_fine: Mapped[Decimal] = mapped_column(MONEY)
    to_surcharge: Mapped[Decimal] = mapped_column(MONEY)
    method: Mapped[str] = mapped_column(sa.String(20), default=PaymentMethod.bank.value)
    receipt_number: Mapped[str] = mapped_column(sa.String(60), default="")  #: 缴款凭证/票据号
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    case = relationship("Case", backref=sa.orm.backref("payments", order_by="CasePayment.id"))


class PlanKind(str, enum.Enum):
    deferral = "deferral"  #: 暂缓（延期）缴纳
    instalments = "instalments"  #: 分期缴纳


class PlanStatus(str, enum.Enum):
    pending = "pending"  #: 已申请，待机关负责人审批
    approved = "approved"  #: 已批准
    rejected = "rejected"  #: 不予批准


PLAN_KIND_LABELS = {PlanKind.deferral: "暂缓缴纳罚款", PlanKind.instalments: "分期缴纳罚款"}
PLAN_STATUS_LABELS = {PlanStatus.pending: "待审批", PlanStatus.approved: "已批准", PlanStatus.rejected: "不予批准"}


class PaymentPlan(db.Model):
    """暂缓或者分期缴纳罚款 (APL Art 66): the party's application and the head's decision on it."""

    __tablename__ = "case_payment_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20), default=PlanStatus.pending.value)
    applied_on: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.Text)  #: 确有经济困难的说明
    #: deferral: the day until which payment is deferred
    deferred_until: Mapped[date | None] = mapped_column(sa.Date)
    #: instalments: [{"due_on": "2026-01-15", "amount": "1000.00"}, ...] summing to the fine
    instalments: Mapped[list] = mapped_column(sa.JSON, default=list)
    decided_on: Mapped[date | None] = mapped_column(sa.Date)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    case = relationship("Case", backref=sa.orm.backref("payment_plans", order_by="PaymentPlan.id"))

    @property
    def kind_label(self) -> str:
        return PLAN_KIND_LABELS[PlanKind(self.kind)]

    @property
    def status_label(self) -> str:
        return PLAN_STATUS_LABELS[PlanStatus(self.status)]


class ActKind(str, enum.Enum):
    reminder = "reminder"  #: 催告 (AEL Art 35)
    statement = "statement"  #: 当事人对催告的陈述、申辩 and its handling (AEL Art 36)
    court_application = "court_application"  #: 申请人民法院强制执行 (AEL Art 53–55)
    suspension = "suspension"  #: 中止执行 (AEL Art 39)
    resumption = "resumption"  #: 恢复执行 (AEL Art 39)
    termination = "termination"  #: 终结执行 (AEL Art 40)
    remedy = "remedy"  #: 复议决定或者裁判生效，执行须重新处理 (SPEC §11, §15)


ACT_LABELS = {ActKind.reminder: "催告", ActKind.statement: "陈述申辩", ActKind.court_application: "申请强制执行",
              ActKind.suspension: "中止执行", ActKind.resumption: "恢复执行", ActKind.termination: "终结执行",
              ActKind.remedy: "复议诉讼结果"}


class ExecutionAct(db.Model):
    """A dated act of the execution phase, with what it was about (amounts, reasons, court, statement)."""

    __tablename__ = "case_execution_acts"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    on: Mapped[date] = mapped_column(sa.Date)  #: the act's legal date (served on, applied on, ...)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_documents.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    case = relationship("Case", backref=sa.orm.backref("execution_acts", order_by="ExecutionAct.id"))

    @property
    def label(self) -> str:
        return ACT_LABELS[ActKind(self.kind)]
