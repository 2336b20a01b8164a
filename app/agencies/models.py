"""Entrusted organisations (受委托组织, APL Art 20–21): an organisation that enforces in the name of the
entrusting agency, only on the entrusted matters, only within the entrustment's period. Its officers are
staff of the entrusting agency's system (their `Officer.entrusted_org_id` points here) and its cases are
the entrusting agency's cases carrying both names.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow


class EntrustedOrganisation(db.Model):
    __tablename__ = "entrusted_organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    credit_code: Mapped[str] = mapped_column(sa.String(18), default="")
    entrusting_agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    #: The entrusted matters: codes of the entrusting agency's power list (权责清单).
    matter_codes: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: The entrustment's legal basis (法律、法规、规章的规定) and the entrustment document (委托书).
    legal_basis: Mapped[str] = mapped_column(sa.Text)
    document_number: Mapped[str] = mapped_column(sa.String(80), default="")
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)  #: last day of the entrustment
    #: 委托书向社会公布 (APL Art 20): acts before this date are refused.
    published_on: Mapped[date | None] = mapped_column(sa.Date)
    terminated_on: Mapped[date | None] = mapped_column(sa.Date)  #: 提前解除
    termination_reason: Mapped[str] = mapped_column(sa.Text, default="")
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    entrusting_agency = relationship("Agency")

    def __repr__(self):
        return f"<EntrustedOrganisation {self.name}>"
