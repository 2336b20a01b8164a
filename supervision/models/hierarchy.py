"""The supervision hierarchy (SPEC §14): 司法局 supervision offices at province, city and county level,
the agencies each supervises directly, and the supervisors who work in each office."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Agency, User
from app.extensions import db
from app.timeutil import utcnow


class OfficeLevel(str, enum.Enum):
    province = "province"  #: 省级司法厅
    city = "city"  #: 市级司法局
    county = "county"  #: 县级司法局

    @property
    def label(self):
        return LEVEL_LABELS[self]

    @property
    def rank(self) -> int:
        return LEVEL_RANK[self]


LEVEL_LABELS = {OfficeLevel.province: "省级", OfficeLevel.city: "市级", OfficeLevel.county: "县级"}
LEVEL_RANK = {OfficeLevel.province: 0, OfficeLevel.city: 1, OfficeLevel.county: 2}


class SupervisionOffice(db.Model):
    """A 司法局 (or 司法厅) executing enforcement supervision for its area."""

    __tablename__ = "supervision_offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    level: Mapped[str] = mapped_column(sa.String(10))
    region_code: Mapped[str] = mapped_column(sa.String(6))
    #: The office one level up; None for a province.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("supervision_offices.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    parent: Mapped[SupervisionOffice | None] = relationship(remote_side=[id])

    @property
    def level_enum(self) -> OfficeLevel:
        return OfficeLevel(self.level)

    def __repr__(self):
        return f"<SupervisionOffice {self.name}>"


class OfficeAgency(db.Model):
    """An agency supervised directly by an office (each agency by exactly one)."""

    __tablename__ = "supervision_office_agencies"

    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("supervision_offices.id"), index=True)

    agency: Mapped[Agency] = relationship()
    office: Mapped[SupervisionOffice] = relationship()


class OfficeMember(db.Model):
    """A supervisor working in an office: sees that office's agencies and every office below it."""

    __tablename__ = "supervision_office_members"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("supervision_offices.id"), index=True)

    user: Mapped[User] = relationship()
    office: Mapped[SupervisionOffice] = relationship()
