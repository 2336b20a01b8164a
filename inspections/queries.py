"""Reads of coercive measures, limited to what the user may see (SPEC §1: own agency; supervisors all)."""
from __future__ import annotations

from sqlalchemy import select

from app.auth.permissions import can_see_agency, has_role, is_citywide
from app.auth.models import Role
from app.extensions import db
from app.timeutil import today_china
from inspections.models import CoerciveMeasure, MeasureStatus


def get_measure(measure_id) -> CoerciveMeasure | None:
    return db.session.get(CoerciveMeasure, measure_id)


def measures_of_case(case) -> list[CoerciveMeasure]:
    return list(db.session.scalars(select(CoerciveMeasure).where(CoerciveMeasure.case_id == case.id)
                                   .order_by(CoerciveMeasure.id)))


def visible_measures(user, *, statuses=None):
    stmt = select(CoerciveMeasure).order_by(CoerciveMeasure.term_end, CoerciveMeasure.id)
    if not (has_role(user, Role.supervisor) or is_citywide(user)):
        stmt = stmt.where(CoerciveMeasure.agency_id == (user.agency_id or -1))
    if statuses:
        stmt = stmt.where(CoerciveMeasure.status.in_(statuses))
    return list(db.session.scalars(stmt))


def overview(user, today=None) -> dict:
    """Supervisor view: measures in force past their term (or refused and not yet released), measures
    nearing their term, items still held, and counts by status."""
    from flask import current_app

    today = today or today_china()
    warn = current_app.config.get("MEASURE_WARNING_DAYS", 5)
    active = visible_measures(user, statuses=[MeasureStatus.in_force.value])
    overdue = [m for m in active if (m.term_end and today > m.term_end) or m.refused_at is not None]
    due_soon = [m for m in active if m not in overdue and m.term_end and (m.term_end - today).days <= warn]
    unreported = [m for m in active if m.emergency and m.approved_by_id is None and m.refused_at is None]
    held = [(m, i) for m in active for i in m.items if i.held_quantity > 0]
    counts = {}
    for m in visible_measures(user):
        counts[m.status] = counts.get(m.status, 0) + 1
    return {"today": today, "overdue": overdue, "due_soon": due_soon, "unratified": unreported,
            "held_items": held, "counts": counts}


def overview_json(user) -> dict:
    from inspections.schemas import measure_json

    data = overview(user)
    return {"today": data["today"].isoformat(),
            "overdue": [measure_json(m) for m in data["overdue"]],
            "due_soon": [measure_json(m) for m in data["due_soon"]],
            "unratified": [measure_json(m) for m in data["unratified"]],
            "held_items": [{"measure_id": m.id, "case_id": m.case_id, "name": i.name,
                            "held": str(i.held_quantity.normalize()), "unit": i.unit} for m, i in data["held_items"]],
            "counts": data["counts"]}


def can_see(user, measure) -> bool:
    return can_see_agency(user, measure.agency_id)
