"""Case-file evaluation (案卷评查, SPEC §10): rounds, the files drawn verifiably (SPEC §13) for each agency,
and the two evaluators' 100-point sheets."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Agency, User
from app.extensions import db
from app.timeutil import utcnow

TZ = sa.DateTime(timezone=True)

ROUND_STATUS_LABELS = {"draft": "待抽取", "drawn": "评查中", "published": "已通报"}


class EvaluationRound(db.Model):
    __tablename__ = "evaluation_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("supervision_offices.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    #: Cases closed (结案) in [period_from, period_to] form each agency's population.
    period_from: Mapped[date] = mapped_column(sa.Date)
    period_to: Mapped[date] = mapped_column(sa.Date)
    agency_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    evaluator_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Sample rule: at least sample_percent % of the population and at least sample_min files (SPEC §10).
    sample_percent: Mapped[int] = mapped_column(sa.Integer)
    sample_min: Mapped[int] = mapped_column(sa.Integer)
    #: The sheet: {"items": [{"code", "label", "points"}], "auto_fail": [{"code", "label"}]}; points sum to 100.
    sheet: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")
    drawn_on: Mapped[date | None] = mapped_column(sa.Date)
    published_on: Mapped[date | None] = mapped_column(sa.Date)
    bulletin_number: Mapped[str | None] = mapped_column(sa.String(40))
    bulletin_key: Mapped[str | None] = mapped_column(sa.String(300))
    bulletin_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    bulletin_ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    office = relationship("SupervisionOffice")
    files: Mapped[list[EvaluationFile]] = relationship(back_populates="round", order_by="EvaluationFile.id",
                                                       lazy="selectin")

    @property
    def status_label(self):
        return ROUND_STATUS_LABELS.get(self.status, self.status)


class EvaluationFile(db.Model):
    """A case file drawn for evaluation, frozen at the draw's checkpoint."""

    __tablename__ = "evaluation_files"
    __table_args__ = (sa.UniqueConstraint("round_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_rounds.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    draw_id: Mapped[int] = mapped_column(sa.ForeignKey("draws.id"), index=True)
    #: The ledger size of the draw's checkpoint, and the case's last entry in it: what is evaluated.
    checkpoint_size: Mapped[int] = mapped_column(sa.BigInteger)
    case_last_seq: Mapped[int | None] = mapped_column(sa.BigInteger)
    evaluator1_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    evaluator2_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    rectification_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rectifications.id"))

    round: Mapped[EvaluationRound] = relationship(back_populates="files")
    agency: Mapped[Agency] = relationship()
    case = relationship("Case")
    evaluator1: Mapped[User | None] = relationship(foreign_keys=[evaluator1_id])
    evaluator2: Mapped[User | None] = relationship(foreign_keys=[evaluator2_id])
    sheets: Mapped[list[EvaluationSheet]] = relationship(back_populates="file", order_by="EvaluationSheet.id",
                                                         lazy="selectin")


class EvaluationSheet(db.Model):
    """One evaluator's sheet of one file: deductions per item, automatic-fail items marked, comments."""

    __tablename__ = "evaluation_sheets"
    __table_args__ = (sa.UniqueConstraint("file_id", "evaluator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_files.id"), index=True)
    evaluator_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: {item code: points deducted}
    deductions: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: codes of the automatic-fail items found
    auto_fail: Mapped[list] = mapped_column(sa.JSON, default=list)
    score: Mapped[float] = mapped_column(sa.Numeric(5, 1))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_on: Mapped[date] = mapped_column(sa.Date)
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)

    file: Mapped[EvaluationFile] = relationship(back_populates="sheets")
    evaluator: Mapped[User] = relationship()
