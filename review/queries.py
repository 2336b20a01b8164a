"""Reads limited to what the user may see (SPEC §1: a reviewer sees the cases sent to review in their
agency; heads their agency's; supervisors all, read-only)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import select

from app.auth.models import Agency, Role
from app.auth.permissions import has_role, is_citywide
from app.extensions import db
from review import workflow
from review.models import MajorCatalogue, ReviewSubmission


def _scope(stmt, user, column):
    if has_role(user, Role.supervisor) or is_citywide(user):
        return stmt
    if user is None or not getattr(user, "is_authenticated", False) or user.agency_id is None:
        return stmt.where(sa.false())
    return stmt.where(column == user.agency_id)


def visible_submissions(user, *, open_only=False, agency_id=None, case_id=None):
    """Submissions the user may see, newest first; `open_only`: the queue (waiting, in review, paused)."""
    if not (has_role(user, Role.reviewer, Role.head, Role.supervisor, Role.admin, Role.officer)):
        return select(ReviewSubmission).where(sa.false())
    stmt = _scope(select(ReviewSubmission), user, ReviewSubmission.agency_id)
    if open_only:
        stmt = stmt.where(ReviewSubmission.status.in_([s.value for s in workflow.OPEN]))
    if agency_id is not None:
        stmt = stmt.where(ReviewSubmission.agency_id == agency_id)
    if case_id is not None:
        stmt = stmt.where(ReviewSubmission.case_id == case_id)
    return stmt.order_by(ReviewSubmission.due_on.is_(None), ReviewSubmission.due_on, ReviewSubmission.id.desc())


def queue(user, **kw) -> list[ReviewSubmission]:
    return list(db.session.scalars(visible_submissions(user, open_only=True, **kw)))


def visible_catalogues(user):
    stmt = _scope(select(MajorCatalogue), user, MajorCatalogue.agency_id)
    return list(db.session.scalars(stmt.order_by(MajorCatalogue.agency_id, MajorCatalogue.version.desc())))


def visible_agencies(user) -> list[Agency]:
    """Agencies whose review statistics the user may see."""
    stmt = _scope(select(Agency), user, Agency.id)
    return list(db.session.scalars(stmt.order_by(Agency.id)))


def reviewer_case_clause(user):
    """SPEC §1: a reviewer sees the cases sent to review in their agency (a submission exists, whatever
    its outcome), and no other case. Registered with `cases.visibility.register_case_scope`."""
    from cases.models import Case

    if user.agency_id is None:
        return sa.false()
    return Case.id.in_(select(ReviewSubmission.case_id).where(ReviewSubmission.agency_id == user.agency_id))

