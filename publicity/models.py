"""Publicity: publications of decisions (事后公开) with their redacted content, non-publication grounds,
withdrawals and display periods; the random-inspection list (事前公开); the annual statistical reports.

A publication holds only redacted text: the public site and the public API are built from these columns
(through `publicity.schemas`' Public*Schema), never from the case.
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


class PublicationKind(str, enum.Enum):
    penalty = "penalty"  #: 行政处罚决定: 7 working days
    licensing = "licensing"  #: 行政许可决定: 7 working days
    other = "other"  #: 其他行政执法决定: 20 working days


KIND_LABELS = {PublicationKind.penalty: "行政处罚", PublicationKind.licensing: "行政许可",
               PublicationKind.other: "其他执法决定"}


class PublicationStatus(str, enum.Enum):
    draft = "draft"  #: 待编辑: created from the decision, the officer checks the redacted preview
    submitted = "submitted"  #: 待审批: the officer submitted the preview to the head
    published = "published"  #: 已公开
    not_published = "not_published"  #: 不予公开 (ground recorded, reported to the supervisor)
    withdrawn = "withdrawn"  #: 已撤下 (reason shown publicly)
    expired = "expired"  #: 公示期满撤下


STATUS_LABELS = {
    PublicationStatus.draft: "待编辑", PublicationStatus.submitted: "待审批", PublicationStatus.published: "已公开",
    PublicationStatus.not_published: "不予公开", PublicationStatus.withdrawn: "已撤下",
    PublicationStatus.expired: "公示期满",
}


class NonPublicationGround(str, enum.Enum):
    """SPEC §3: the only grounds for not publishing a decision."""

    minor = "minor"  #: 当事人是未成年人
    state_secret = "state_secret"  #: 涉及国家秘密
    trade_secret_privacy = "trade_secret_privacy"  #: 核心事实涉及商业秘密或个人隐私
    security_risk = "security_risk"  #: 可能危及国家安全、公共安全、经济安全或社会稳定
    related_case = "related_case"  #: 可能妨害关联案件办理
    transferred_crime = "transferred_crime"  #: 已涉嫌犯罪移送司法机关
    warning_configurable = "warning_configurable"  #: 仅予警告且本机关设置为不公开


GROUND_LABELS = {
    NonPublicationGround.minor: "当事人是未成年人",
    NonPublicationGround.state_secret: "涉及国家秘密",
    NonPublicationGround.trade_secret_privacy: "核心事实涉及商业秘密或个人隐私",
    NonPublicationGround.security_risk: "公开后可能危及国家安全、公共安全、经济安全或社会稳定",
    NonPublicationGround.related_case: "公开后可能妨害关联案件的办理",
    NonPublicationGround.transferred_crime: "涉嫌犯罪已移送司法机关",
    NonPublicationGround.warning_configurable: "仅给予警告，依本机关规定不予公开",
}


class WithdrawalReason(str, enum.Enum):
    """SPEC §3: a published decision is withdrawn when it is altered, revoked, confirmed illegal or invalid."""

    altered = "altered"  #: 决定被变更
    revoked = "revoked"  #: 决定被撤销
    confirmed_illegal = "confirmed_illegal"  #: 决定被确认违法
    confirmed_invalid = "confirmed_invalid"  #: 决定被确认无效


WITHDRAWAL_LABELS = {
    WithdrawalReason.altered: "行政处罚决定被依法变更", WithdrawalReason.revoked: "行政处罚决定被依法撤销",
    WithdrawalReason.confirmed_illegal: "行政处罚决定被依法确认违法",
    WithdrawalReason.confirmed_invalid: "行政处罚决定被依法确认无效",
}

#: Statuses in which the decision is on the public site (while its display period lasts).
PUBLIC_STATUSES = (PublicationStatus.published.value,)
#: Statuses that still owe a publication (overdue alerts).
PENDING_STATUSES = (PublicationStatus.draft.value, PublicationStatus.submitted.value)


class Publication(db.Model):
    """One decision's publication (事后公开). Public columns hold redacted text only."""

    __tablename__ = "publications"
    __table_args__ = (
        sa.Index("ix_publications_public_list", "status", "decided_on"),
        # Substring search of 3+ characters on PostgreSQL (pg_trgm handles CJK under a UTF-8 ctype). On
        # SQLite the same index is declared empty (WHERE 0) so that models and migrations match everywhere.
        sa.Index("ix_publications_search_trgm", "search_text", postgresql_using="gin",
                 postgresql_ops={"search_text": "gin_trgm_ops"}, sqlite_where=sa.text("0")),
        # One- and two-character terms have no trigram of their own; as space-separated words of
        # search_grams they do ("  鑫", " 鑫源", "鑫源 "), so LIKE '% 鑫源 %' uses this index.
        sa.Index("ix_publications_search_grams_trgm", "search_grams", postgresql_using="gin",
                 postgresql_ops={"search_grams": "gin_trgm_ops"}, sqlite_where=sa.text("0")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), unique=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default=PublicationKind.penalty.value)
    status: Mapped[str] = mapped_column(sa.String(20), default=PublicationStatus.draft.value)
    decision_number: Mapped[str] = mapped_column(sa.String(60))
    category: Mapped[str] = mapped_column(sa.String(40), index=True)
    decided_on: Mapped[date] = mapped_column(sa.Date)
    #: 公开期限: 7 working days (penalty, licensing) or 20 (other) after the decision, closures respected.
    due_on: Mapped[date] = mapped_column(sa.Date, index=True)
    fine_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    penalties: Mapped[list] = mapped_column(sa.JSON, default=list)
    party_kind: Mapped[str] = mapped_column(sa.String(10), default="person")  #: "person" or "org"

    # Redacted, publishable content.
    title: Mapped[str] = mapped_column(sa.String(200), default="")  #: 案件名称
    party_text: Mapped[str] = mapped_column(sa.String(300), default="")  #: 当事人 (masked for persons)
    facts: Mapped[str] = mapped_column(sa.Text, default="")  #: 违法事实
    legal_basis: Mapped[str] = mapped_column(sa.Text, default="")  #: 处罚依据
    penalty_text: Mapped[str] = mapped_column(sa.Text, default="")  #: 处罚内容
    #: Everything searchable, concatenated (redacted), kept narrow for LIKE and the trigram index.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    #: The distinct one- and two-character grams of search_text, space-separated (" 鑫 源 鑫源 … ").
    search_grams: Mapped[str] = mapped_column(sa.Text, default="")
    #: The officer's adjustments: {"extra_terms": [...], "fields": {"facts": "...", ...}}.
    edits: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    pdf_key: Mapped[str | None] = mapped_column(sa.String(300))
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    pdf_size: Mapped[int | None] = mapped_column(sa.BigInteger)

    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(TZ)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(TZ)
    published_on: Mapped[date | None] = mapped_column(sa.Date)
    display_until: Mapped[date | None] = mapped_column(sa.Date)  #: last day on the public site
    expired_at: Mapped[datetime | None] = mapped_column(TZ)

    ground: Mapped[str | None] = mapped_column(sa.String(30))  #: NonPublicationGround
    ground_note: Mapped[str] = mapped_column(sa.Text, default="")
    reported_to_supervisor_at: Mapped[datetime | None] = mapped_column(TZ)

    withdrawal_reason: Mapped[str | None] = mapped_column(sa.String(30))  #: WithdrawalReason
    withdrawal_note: Mapped[str] = mapped_column(sa.Text, default="")  #: shown publicly
    withdrawal_event_on: Mapped[date | None] = mapped_column(sa.Date)  #: the day it was altered/revoked
    withdrawal_due_on: Mapped[date | None] = mapped_column(sa.Date)  #: 3 working days after that
    withdrawn_at: Mapped[datetime | None] = mapped_column(TZ)
    withdrawn_on: Mapped[date | None] = mapped_column(sa.Date)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)  #: the publication's (or last) entry

    agency = relationship("Agency")
    case = relationship("Case")

    @property
    def state(self) -> PublicationStatus:
        return PublicationStatus(self.status)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.state]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[PublicationKind(self.kind)]

    @property
    def ground_label(self) -> str | None:
        return GROUND_LABELS[NonPublicationGround(self.ground)] if self.ground else None

    @property
    def withdrawal_label(self) -> str | None:
        return WITHDRAWAL_LABELS[WithdrawalReason(self.withdrawal_reason)] if self.withdrawal_reason else None


class InspectionItem(db.Model):
    """A line of an agency's random-inspection list (双随机、一公开抽查事项清单)."""

    __tablename__ = "inspection_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    category: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(200))  #: 抽查事项
    targets: Mapped[str] = mapped_column(sa.String(200))  #: 抽查对象
    basis: Mapped[str] = mapped_column(sa.Text)  #: 抽查依据
    method: Mapped[str] = mapped_column(sa.String(100))  #: 抽查方式
    ratio: Mapped[str] = mapped_column(sa.String(100))  #: 抽查比例和频次
    published_on: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    agency = relationship("Agency")


class AnnualReport(db.Model):
    """A published annual statistics report (统计年报) file; immutable once generated."""

    __tablename__ = "annual_reports"
    __table_args__ = (sa.UniqueConstraint("year", "fmt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    fmt: Mapped[str] = mapped_column(sa.String(10))  #: "pdf" or "xlsx"
    storage_key: Mapped[str] = mapped_column(sa.String(300))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    generated_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)
