"""Legal review (重大执法决定法制审核, SPEC §6.1): each agency's published catalogue of major decisions,
submissions of a case's review package, the reviewer who took it, the checklist results, pauses while
waiting for supplements, time-limit extensions, conflict-of-interest declarations and the written opinion.

Whether an approval still holds is never stored: it is computed by comparing the approved draft's hash with
the case's current `draft_sha256` (see `review.services.valid_approval`), so it cannot go stale.
Rows are never deleted; a later row (a new checklist result, a new submission) supersedes an earlier one.
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


class ItemKind(str, enum.Enum):
    """What a line of the major-decision catalogue matches (SPEC §6.1)."""

    amount = "amount"  #: 较大数额: a fine at or above a threshold (optionally in one enforcement category)
    penalty = "penalty"  #: 吊销许可证件、责令停产停业、责令关闭…: one of the listed penalty kinds
    category = "category"  #: every decision in an enforcement category (or of listed matter codes)
    hearing = "hearing"  #: 经过听证程序: major rights of a party decided after a hearing
    public_interest = "public_interest"  #: 涉及重大公共利益: harm to life, health or financial safety
    complex = "complex"  #: 案情复杂、涉及多个法律关系


ITEM_KIND_LABELS = {
    ItemKind.amount: "较大数额罚款", ItemKind.penalty: "特定处罚种类", ItemKind.category: "特定执法类别或事项",
    ItemKind.hearing: "经过听证程序", ItemKind.public_interest: "涉及重大公共利益", ItemKind.complex: "案情复杂",
}


class SubmissionStatus(str, enum.Enum):
    submitted = "submitted"  #: 待审核: in the agency's queue, no reviewer yet
    in_review = "in_review"  #: 审核中: taken by a reviewer (package accepted)
    supplement_requested = "supplement_requested"  #: 补充材料中: the clock is stopped
    returned_incomplete = "returned_incomplete"  #: 材料不全退回 (terminal; resubmit)
    approved = "approved"  #: 审核通过 (valid only while the draft is unchanged)
    returned = "returned"  #: 审核未通过，退回修改 (terminal; correct and resubmit)
    superseded = "superseded"  #: 已被新的提交取代 (the draft changed while it was open)


STATUS_LABELS = {
    SubmissionStatus.submitted: "待审核", SubmissionStatus.in_review: "审核中",
    SubmissionStatus.supplement_requested: "补充材料中", SubmissionStatus.returned_incomplete: "材料不全退回",
    SubmissionStatus.approved: "审核通过", SubmissionStatus.returned: "审核未通过（退回修改）",
    SubmissionStatus.superseded: "已被取代",
}


class MajorCatalogue(db.Model):
    """An agency's published list of what counts as a major enforcement decision (重大执法决定目录).

    Published versions never change; the one in force on a date is the latest published on or before it.
    """

    __tablename__ = "major_catalogues"
    __table_args__ = (sa.UniqueConstraint("agency_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    version: Mapped[int] = mapped_column(sa.Integer)
    title: Mapped[str] = mapped_column(sa.String(200))
    published_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)

    agency = relationship("Agency")
    items: Mapped[list[MajorCatalogueItem]] = relationship(back_populates="catalogue",
                                                           order_by="MajorCatalogueItem.position")


class MajorCatalogueItem(db.Model):
    __tablename__ = "major_catalogue_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(sa.ForeignKey("major_catalogues.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer, default=0)
    kind: Mapped[str] = mapped_column(sa.String(20))
    label: Mapped[str] = mapped_column(sa.String(300))  #: the catalogue's own wording
    category: Mapped[str | None] = mapped_column(sa.String(40))  #: limits the line to one 执法类别
    fine_at_least: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    penalties: Mapped[list] = mapped_column(sa.JSON, default=list)
    matter_codes: Mapped[list] = mapped_column(sa.JSON, default=list)

    catalogue: Mapped[MajorCatalogue] = relationship(back_populates="items")


class ReviewSubmission(db.Model):
    """One submission of a case's review package; a resubmission is a new row (round + 1)."""

    __tablename__ = "review_submissions"
    __table_args__ = (sa.UniqueConstraint("case_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    round: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(30), default=SubmissionStatus.submitted.value, index=True)
    #: The draft decision under review; an approval covers exactly this hash.
    draft_sha256: Mapped[str] = mapped_column(sa.String(64))
    #: The draft itself as submitted, so that the opinion shows what was reviewed.
    draft: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: investigation_report, evidence_list, legal_basis, hearing_report, notes, document ids.
    package: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    major_reasons: Mapped[list] = mapped_column(sa.JSON, default=list)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)
    submitted_on: Mapped[date] = mapped_column(sa.Date)  #: legal date; the clock starts the next working day
    #: 审核期限: computed at submission and again when a pause ends or an extension is granted;
    #: None while the clock is stopped for a supplement.
    due_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    taken_at: Mapped[datetime | None] = mapped_column(TZ)
    decided_on: Mapped[date | None] = mapped_column(sa.Date)
    decided_at: Mapped[datetime | None] = mapped_column(TZ)
    #: For returned_incomplete: the package items found missing.
    missing: Mapped[list] = mapped_column(sa.JSON, default=list)

    case = relationship("Case")
    agency = relationship("Agency")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    reviewer = relationship("User", foreign_keys=[reviewer_id])
    checklist: Mapped[list[ChecklistResult]] = relationship(back_populates="submission",
                                                            order_by="ChecklistResult.id")
    pauses: Mapped[list[ReviewPause]] = relationship(back_populates="submission", order_by="ReviewPause.id")
    extensions: Mapped[list[ReviewExtension]] = relationship(back_populates="submission",
                                                             order_by="ReviewExtension.id")
    opinion: Mapped[ReviewOpinion | None] = relationship(back_populates="submission", uselist=False)

    @property
    def state(self) -> SubmissionStatus:
        return SubmissionStatus(self.status)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.state]


class ChecklistResult(db.Model):
    """One reviewer's finding on one checklist item; the latest row per item counts."""

    __tablename__ = "review_checklist_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("review_submissions.id"), index=True)
    item: Mapped[str] = mapped_column(sa.String(40))
    result: Mapped[str] = mapped_column(sa.String(10))  #: "pass" or "problem"
    note: Mapped[str] = mapped_column(sa.Text, default="")
    #: What the system checked by itself for this item (e.g. every officer's certificate on each act).
    auto: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    submission: Mapped[ReviewSubmission] = relationship(back_populates="checklist")


class ReviewPause(db.Model):
    """The clock stopped while the case's officers supply missing material (SPEC §6.1)."""

    __tablename__ = "review_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("review_submissions.id"), index=True)
    requested_on: Mapped[date] = mapped_column(sa.Date)
    received_on: Mapped[date | None] = mapped_column(sa.Date)
    items: Mapped[list] = mapped_column(sa.JSON, default=list)  #: what is asked for
    note: Mapped[str] = mapped_column(sa.Text, default="")
    reply: Mapped[str] = mapped_column(sa.Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    received_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    submission: Mapped[ReviewSubmission] = relationship(back_populates="pauses")


class ReviewExtension(db.Model):
    """An extension of the time limit approved by the agency head (default +5 working days)."""

    __tablename__ = "review_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("review_submissions.id"), index=True)
    working_days: Mapped[int] = mapped_column(sa.Integer)
    reason: Mapped[str] = mapped_column(sa.Text)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_on: Mapped[date] = mapped_column(sa.Date)

    submission: Mapped[ReviewSubmission] = relationship(back_populates="extensions")
    approved_by = relationship("User")


class ConflictDeclaration(db.Model):
    """A reviewer's declaration on a case: no conflict of interest (when taking it), or a conflict."""

    __tablename__ = "review_conflict_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    has_conflict: Mapped[bool] = mapped_column(sa.Boolean)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    declared_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)


class ReviewOpinion(db.Model):
    """法制审核意见书: the written opinion, a PDF in the object store with its hash in the ledger."""

    __tablename__ = "review_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("review_submissions.id"), unique=True)
    outcome: Mapped[str] = mapped_column(sa.String(20))  #: "approved" or "returned"
    number: Mapped[str] = mapped_column(sa.String(60))
    text: Mapped[str] = mapped_column(sa.Text)
    issued_on: Mapped[date] = mapped_column(sa.Date)
    storage_key: Mapped[str] = mapped_column(sa.String(300))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    case_document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_documents.id"))
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    submission: Mapped[ReviewSubmission] = relationship(back_populates="opinion")
