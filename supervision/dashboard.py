"""The supervisors' dashboard (SPEC §14): per agency in the user's scope, the figures a supervisor watches —
open complaints and those past their deadline, rectifications overdue, 评查 grades, coercive measures past
term, and the reviewer ratio (legal reviewers ÷ certified officers, SPEC §5: at least 5%).
Reads only; each figure comes from the feature that owns it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from app import calendar
from app.auth.models import Agency, Role, User, UserRole
from app.auth.scope import readable_agency_ids as visible_agency_ids
from app.extensions import db
from app.officers import rules
from app.officers.models import Officer
from supervision.models.complaints import OPEN_STATUSES, Complaint

#: Figures other sub-capabilities add (name -> callable(agency_ids, today) -> {agency_id: value}).
COLUMNS: dict = {}
#: Their headings, in display order.
COLUMN_LABELS: dict = {}


@dataclass
class Row:
    agency: Agency
    figures: dict = field(default_factory=dict)


def _open_complaints(ids, today):
    rows = db.session.execute(select(Complaint.agency_id, func.count()).where(
        Complaint.agency_id.in_(ids), Complaint.status.in_(OPEN_STATUSES)).group_by(Complaint.agency_id))
    return dict(rows.all())


def _overdue_complaints(ids, today):
    out: dict[int, int] = {}
    for c in db.session.scalars(select(Complaint).where(Complaint.agency_id.in_(ids),
                                                        Complaint.status.in_(OPEN_STATUSES))):
        due = c.accept_due if c.status == "received" else c.handle_due
        if due is not None and calendar.deadline_status(due, today, 0) == calendar.OVERDUE:
            out[c.agency_id] = out.get(c.agency_id, 0) + 1
    return out


def reviewer_ratio(agency_id, today) -> tuple[int, int]:
    """(legal reviewers, officers passing the certificate rules today) of an agency."""
    reviewers = db.session.scalar(select(func.count()).select_from(User).join(UserRole, UserRole.user_id == User.id)
                                  .where(User.agency_id == agency_id, UserRole.role == Role.reviewer.value,
                                         User.is_enabled.is_(True))) or 0
    certified = sum(1 for o in db.session.scalars(select(Officer).where(Officer.agency_id == agency_id))
                    if not rules.check(o, today))
    return reviewers, certified


def board(user, today: date) -> list[Row]:
    scope = visible_agency_ids(user)
    stmt = select(Agency).order_by(Agency.id)
    if scope is not None:
        stmt = stmt.where(Agency.id.in_(sorted(scope)))
    agencies = list(db.session.scalars(stmt))
    ids = [a.id for a in agencies]
    if not ids:
        return []
    columns = {"open_complaints": _open_complaints, "overdue_complaints": _overdue_complaints, **COLUMNS}
    values = {name: func_(ids, today) for name, func_ in columns.items()}
    rows = []
    for a in agencies:
        reviewers, certified = reviewer_ratio(a.id, today)
        figures = {name: values[name].get(a.id, 0) for name in columns}
        figures["reviewers"] = reviewers
        figures["certified"] = certified
        figures["reviewer_ratio"] = (reviewers / certified) if certified else None
        rows.append(Row(a, figures))
    return rows
