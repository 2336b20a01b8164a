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


def _overdue_rectifications(ids, today):
    from supervision.models.oversight import OPEN_RECTIFICATION, Rectification

    rows = db.session.execute(select(Rectification.agency_id, func.count()).where(
        Rectification.agency_id.in_(ids), Rectification.status.in_(OPEN_RECTIFICATION),
        Rectification.due_on < today).group_by(Rectification.agency_id))
    return dict(rows.all())


def _open_rectifications(ids, today):
    from supervision.models.oversight import OPEN_RECTIFICATION, Rectification

    rows = db.session.execute(select(Rectification.agency_id, func.count()).where(
        Rectification.agency_id.in_(ids), Rectification.status.in_(OPEN_RECTIFICATION)).group_by(Rectification.agency_id))
    return dict(rows.all())


def _grades(ids, today):
    from supervision.services.evaluation import latest_grades

    return latest_grades(set(ids))


def _plans(ids, today):
    from supervision.services.checks import plan_coverage

    return {a: f"{done}/{total}" for a, (total, done) in plan_coverage(today.year, ids).items()}


def _upheld(ids, today):
    rows = db.session.execute(select(Complaint.agency_id, func.count()).where(
        Complaint.agency_id.in_(ids), Complaint.outcome.in_(("upheld", "partly")),
        func.extract("year", Complaint.replied_on) == today.year).group_by(Complaint.agency_id))
    return dict(rows.all())


def _measures_past_term(ids, today):
    """Coercive measures still in force after their term ended (AEL Art 25: 30 days, extended once by at
    most 30), or whose emergency act the head refused to ratify and that were not released (AEL Art 19)."""
    from inspections.measure_terms import overdue
    from inspections.models import CoerciveMeasure, MeasureStatus

    out: dict[int, int] = {}
    for m in db.session.scalars(select(CoerciveMeasure).where(
            CoerciveMeasure.agency_id.in_(ids), CoerciveMeasure.status == MeasureStatus.in_force.value)):
        if overdue(m, today):
            out[m.agency_id] = out.get(m.agency_id, 0) + 1
    return out


COLUMNS.update({"measures_past_term": _measures_past_term, "open_rectifications": _open_rectifications, "overdue_rectifications": _overdue_rectifications,
                "upheld": _upheld, "grade": _grades, "plans": _plans})
COLUMN_LABELS.update({"measures_past_term": "强制措施超期", "open_rectifications": "整改中", "overdue_rectifications": "整改超期",
                      "upheld": "本年投诉属实", "grade": "最近评查等次", "plans": "年度检查（完成/计划）"})


def chart(rows, keys=("open_complaints", "overdue_complaints", "open_rectifications", "overdue_rectifications")):
    """Grouped horizontal bars per agency, as data for an inline SVG (no script, no external library)."""
    labels = {"open_complaints": "未办结投诉", "overdue_complaints": "超期投诉", "open_rectifications": "整改中",
              "overdue_rectifications": "整改超期"}
    colours = {"open_complaints": "#4e79a7", "overdue_complaints": "#e15759", "open_rectifications": "#f28e2b",
               "overdue_rectifications": "#b07aa1"}
    peak = max([r.figures.get(k) or 0 for r in rows for k in keys] + [1])
    bar, gap, left, width = 10, 8, 170, 360
    groups, y = [], 10
    for r in rows:
        bars = []
        for i, k in enumerate(keys):
            value = r.figures.get(k) or 0
            bars.append({"y": y + i * bar, "w": round(width * value / peak, 1), "value": value,
                         "colour": colours[k], "label": labels[k]})
        groups.append({"label": r.agency.short_name, "y": y, "bars": bars})
        y += bar * len(keys) + gap
    return {"groups": groups, "height": y + 20, "left": left, "width": width + left + 40,
            "legend": [(labels[k], colours[k]) for k in keys]}


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
