"""The access log as the reader may see it: supervisors all of it (or their supervised agencies, once the
hierarchy is installed), an agency head the accesses by their own agency's staff."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import false, select

from app.auth.scope import ALL, reads_as_supervisor, supervised_agency_ids
from app.privacy.models import PersonalDataAccess
from app.timeutil import CHINA


def visible_accesses(user, *, action=None, user_id=None, case_id=None, subject_kind=None, subject_id=None,
                     date_from: date | None = None, date_to: date | None = None):
    stmt = select(PersonalDataAccess)
    if reads_as_supervisor(user):
        ids = supervised_agency_ids(user)
        if ids is not ALL:
            stmt = stmt.where(PersonalDataAccess.agency_id.in_(sorted(ids)) if ids else false())
    elif user is not None and getattr(user, "agency_id", None) is not None:
        stmt = stmt.where(PersonalDataAccess.agency_id == user.agency_id)
    else:
        stmt = stmt.where(false())
    if action:
        stmt = stmt.where(PersonalDataAccess.action == action)
    if user_id is not None:
        stmt = stmt.where(PersonalDataAccess.user_id == user_id)
    if case_id is not None:
        stmt = stmt.where(PersonalDataAccess.case_id == case_id)
    if subject_kind:
        stmt = stmt.where(PersonalDataAccess.subject_kind == subject_kind)
    if subject_id is not None:
        stmt = stmt.where(PersonalDataAccess.subject_id == subject_id)
    if date_from is not None:
        stmt = stmt.where(PersonalDataAccess.at >= datetime.combine(date_from, time(), CHINA))
    if date_to is not None:
        stmt = stmt.where(PersonalDataAccess.at < datetime.combine(date_to + timedelta(days=1), time(), CHINA))
    return stmt.order_by(PersonalDataAccess.at.desc(), PersonalDataAccess.id.desc())
