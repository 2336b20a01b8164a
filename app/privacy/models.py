"""The access log of personal data (个人信息保护法 Art 51, 55; GB/T 35273 §7.8 and §9.x):
every view of unmasked personal data, every export containing it, every refused access to a record that
holds it, and every anonymisation when its retention ends. Rows are never changed or deleted.
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import utcnow

TZ = sa.DateTime(timezone=True)


class AccessAction(str, enum.Enum):
    view = "view"  #: unmasked data shown to a user entitled by the act at hand (handling, approving, reviewing)
    reveal = "reveal"  #: an explicit "show" with a stated purpose
    export = "export"  #: a file or export containing unmasked personal data left the system
    refused = "refused"  #: access to a record holding personal data was refused (404/403)
    purge = "purge"  #: personal data anonymised at the end of its retention period


ACTION_LABELS = {
    AccessAction.view: "查看（履职所需）", AccessAction.reveal: "显示完整信息", AccessAction.export: "导出",
    AccessAction.refused: "拒绝访问", AccessAction.purge: "到期匿名化",
}


class PersonalDataAccess(db.Model):
    """One access (or refused access, or anonymisation) of one record holding personal data."""

    __tablename__ = "personal_data_accesses"
    __table_args__ = (sa.Index("ix_personal_data_accesses_subject", "subject_kind", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(TZ, default=utcnow, index=True)
    #: Who: the account (None for the CLI operator or an anonymous caller) and its name at the time.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    username: Mapped[str] = mapped_column(sa.String(64), default="")
    agency_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)  #: the user's agency at the time
    action: Mapped[str] = mapped_column(sa.String(12), index=True)
    #: Which record: "case", "party", "step" (an interviewee or witness), "complaint"... and its id.
    subject_kind: Mapped[str] = mapped_column(sa.String(20))
    subject_id: Mapped[int | None] = mapped_column(sa.Integer)
    #: The case the record belongs to (no foreign key: a refused id may not exist).
    case_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    fields: Mapped[list] = mapped_column(sa.JSON, default=list)  #: which personal fields were shown
    purpose: Mapped[str] = mapped_column(sa.String(20), default="")
    purpose_note: Mapped[str] = mapped_column(sa.Text, default="")
    channel: Mapped[str] = mapped_column(sa.String(10), default="web")  #: web, api, cli
    path: Mapped[str] = mapped_column(sa.String(300), default="")
    ip: Mapped[str] = mapped_column(sa.String(45), default="")

    @property
    def action_label(self) -> str:
        try:
            return ACTION_LABELS[AccessAction(self.action)]
        except ValueError:
            return self.action
