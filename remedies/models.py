"""Remedies against an enforcement decision (SPEC §15): administrative reconsiderations (行政复议) and
lawsuits (行政诉讼: first instance, appeal, retrial), their hearings with who appeared for the agency, and
their documents (bytes in the object store, hash in the ledger).

A remedy is recorded once and completed by later acts (accepted, answered, extended, decided, effective);
nothing is deleted. The outcome vocabulary and the deadlines are in `remedies.rules`.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow

TZ = sa.DateTime(timezone=True)


class Remedy(db.Model):
    """One reconsideration, or one instance of a lawsuit, against a case's decision."""

    __tablename__ = "remedies"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    #: The respondent agency (the case's agency), kept here for the per-agency rates.
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    #: rules.Kind: "reconsideration" or "lawsuit".
    kind: Mapped[str] = mapped_column(sa.String(20))
    #: rules.Stage: "first", "appeal" or "retrial" (reconsiderations are always "first").
    stage: Mapped[str] = mapped_column(sa.String(20), default="first")
    #: The previous instance (an appeal's first instance) or the reconsideration a lawsuit follows.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("remedies.id"), index=True)
    body: Mapped[str] = mapped_column(sa.String(120))  #: 复议机关 / 人民法院
    case_number: Mapped[str] = mapped_column(sa.String(80), default="")  #: 复议案号 / 法院案号
    applicant: Mapped[str] = mapped_column(sa.String(200), default="")  #: 申请人 / 原告 (上诉人)
    applied_on: Mapped[date] = mapped_column(sa.Date)  #: 申请 / 起诉 / 上诉 / 申请再审 date
    accepted_on: Mapped[date | None] = mapped_column(sa.Date)  #: 受理 / 立案
    #: The agency received the application / complaint copy: the answer period runs from here.
    notified_on: Mapped[date | None] = mapped_column(sa.Date)
    answer_due: Mapped[date | None] = mapped_column(sa.Date, index=True)
    answered_on: Mapped[date | None] = mapped_column(sa.Date)
    #: When the body must decide (复议: 60 days, +30 once extended; courts: 6 or 3 months).
    decision_due: Mapped[date | None] = mapped_column(sa.Date, index=True)
    extended_on: Mapped[date | None] = mapped_column(sa.Date)
    extension_reason: Mapped[str] = mapped_column(sa.Text, default="")
    outcome: Mapped[str | None] = mapped_column(sa.String(30))  #: rules.*_OUTCOMES key
    decided_on: Mapped[date | None] = mapped_column(sa.Date)  #: the decision / judgement served on the agency
    #: When the outcome took legal effect (复议决定: on service; 判决: when the appeal period lapsed or on
    #: the appeal judgement). Effects (publication, execution) follow this date.
    effective_on: Mapped[date | None] = mapped_column(sa.Date)
    outcome_note: Mapped[str] = mapped_column(sa.Text, default="")
    #: What the effective outcome set off: {"publication": ..., "execution": ...}.
    effects: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    case = relationship("Case")
    agency = relationship("Agency")
    parent: Mapped[Remedy | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Remedy]] = relationship(back_populates="parent", order_by="Remedy.id")
    hearings: Mapped[list[RemedyHearing]] = relationship(back_populates="remedy", order_by="RemedyHearing.held_on")
    documents: Mapped[list[RemedyDocument]] = relationship(back_populates="remedy", order_by="RemedyDocument.id")

    @property
    def kind_label(self) -> str:
        from remedies.rules import KIND_LABELS, STAGE_LABELS

        if self.kind == "lawsuit":
            return f"行政诉讼（{STAGE_LABELS.get(self.stage, self.stage)}）"
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def outcome_label(self) -> str:
        from remedies.rules import outcome_label

        return outcome_label(self.kind, self.outcome) if self.outcome else "审理中"


class RemedyHearing(db.Model):
    """A court session (开庭) or reconsideration hearing (听证) and who appeared for the agency (行政诉讼法
    第三条: the head of the sued agency appears in court, or a responsible person of the agency does)."""

    __tablename__ = "remedy_hearings"

    id: Mapped[int] = mapped_column(primary_key=True)
    remedy_id: Mapped[int] = mapped_column(sa.ForeignKey("remedies.id"), index=True)
    held_on: Mapped[date] = mapped_column(sa.Date)
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Everybody who appeared for the agency (names and posts, 委托代理人).
    representatives: Mapped[str] = mapped_column(sa.String(300))
    head_appeared: Mapped[bool] = mapped_column(sa.Boolean)
    head_name: Mapped[str] = mapped_column(sa.String(64), default="")  #: the head or deputy who appeared
    #: Why the head did not appear (recorded for the appearance rate's review).
    absence_reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    remedy: Mapped[Remedy] = relationship(back_populates="hearings")


class RemedyDocument(db.Model):
    """An uploaded document of a remedy (申请书、答复书、决定书、起诉状、答辩状、判决书…)."""

    __tablename__ = "remedy_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    remedy_id: Mapped[int] = mapped_column(sa.ForeignKey("remedies.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    storage_key: Mapped[str] = mapped_column(sa.String(300))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)

    remedy: Mapped[Remedy] = relationship(back_populates="documents")
