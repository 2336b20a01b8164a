"""Official holiday arrangements imported by supervisors (SPEC §16): one row per import, never changed.

The State Council announces a year's arrangement (放假调休安排) in November or December of the year before.
The newest import of a year is the one in force; earlier imports stay as history (nothing is deleted), and
each import is entered in the ledger with the hash of its canonical content.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow


class HolidayCalendar(db.Model):
    __tablename__ = "holiday_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, index=True)
    #: The notice it reproduces, e.g. 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕9号）.
    source: Mapped[str] = mapped_column(sa.String(300))
    #: [{"date": "2027-01-01", "name": "元旦"}, ...] statutory rest days (放假), sorted by date
    holidays: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: [{"date": "2027-02-07", "name": "春节调休上班"}, ...] weekend days that are working days (调休)
    workdays: Mapped[list] = mapped_column(sa.JSON, default=list)
    sha256: Mapped[str] = mapped_column(sa.String(64))  #: of the canonical {year, holidays, workdays}
    filename: Mapped[str] = mapped_column(sa.String(200), default="")  #: the uploaded file, if any
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: Summary of the recomputation it caused: {"cases": n, "deadlines": m}
    recomputed: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    imported_by = relationship("User")
