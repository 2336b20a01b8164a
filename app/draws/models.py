"""The stored draws: parameters as entered in the ledger, the checkpoint that seeded them, the result and
the conflict redraws. A draw is never edited after it is made, except to append a redraw (itself entered
in the ledger)."""
from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import utcnow

TZ = sa.DateTime(timezone=True)


class Draw(db.Model):
    __tablename__ = "draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: who asked for it, e.g. "inspections.round:3:targets", "supervision.evaluation:7"
    subject: Mapped[str] = mapped_column(sa.String(200), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(200))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    #: the canonical JSON of the parameters, exactly as the ledger entry's payload
    params_json: Mapped[str] = mapped_column(sa.Text)
    population_sha256: Mapped[str] = mapped_column(sa.String(64))
    sample_size: Mapped[int] = mapped_column(sa.Integer)
    ledger_seq: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    checkpoint_size: Mapped[int] = mapped_column(sa.BigInteger)
    seed: Mapped[str] = mapped_column(sa.String(64))  #: hex root hash of that checkpoint
    selected_json: Mapped[str] = mapped_column(sa.Text)  #: the current result (after redraws), JSON list
    #: [{"id", "reason", "replacement", "ledger_seq", "at", "by"}], in the order they were made
    exclusions_json: Mapped[str] = mapped_column(sa.Text, default="[]")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    @property
    def params(self) -> dict:
        return json.loads(self.params_json)

    @property
    def selected(self) -> list:
        return json.loads(self.selected_json)

    @property
    def exclusions(self) -> list:
        return json.loads(self.exclusions_json or "[]")

    def __repr__(self):
        return f"<Draw {self.id} {self.subject}>"
