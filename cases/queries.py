"""Read-side selects for cases, deadlines and the power list, already limited to what the user may see.

Visibility is `cases.visibility.case_clause` (the one rule per role, also behind
`cases.permissions.can_view_case`): officers and heads see their own agency's cases, reviewers the cases
sent to review in their agency, supervisors (and city-wide admins) all or their supervised agencies;
anyone else nothing. The power list follows `app.auth.scope` (agency level). Filters and search are added
to those selects; nothing here writes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, exists, func, or_, select

from app import calendar
from app.auth import scope
from app.extensions import db
from cases import workflow
from cases.models import Case, CaseDeadline, CaseOfficer, CaseParty, Matter, MatterVersion
from cases.visibility import EVERYONE, case_clause  # noqa: F401 (EVERYONE re-exported for the CLI)


def _agency_clause(user, column):
    """The WHERE clause for `column` (an agency_id) matching `can_see_agency(user, ...)`."""
    if user is EVERYONE:
        return None
    return scope.agency_clause(user, column)


def visible_cases(user, *, status=None, procedure=None, matter_id=None, matter_version_id=None, officer_id=None,
                  filed_from: date | None = None, filed_to: date | None = None, overdue: bool | None = None,
                  q: str | None = None, agency_id=None, today: date | None = None) -> Select:
    """Cases the user may see, newest first, with optional filters:

    `status` (one or a list), `procedure`, `matter_id` (any version of the matter) or `matter_version_id`,
    `officer_id` (an officer on the case), `filed_from`/`filed_to` (filing date, inclusive), `overdue`
    (an open case with an unmet deadline before `today`), `agency_id` (supervisors narrowing the city),
    and `q`: a substring of the case number, the title (案由) or a party's name; one Chinese character
    is enough.
    """
    stmt = select(Case)
    clause = case_clause(user)
    if clause is not None:
        stmt = stmt.where(clause)
    if agency_id is not None:
        stmt = stmt.where(Case.agency_id == agency_id)
    if status:
        statuses = [status] if isinstance(status, str) else list(status)
        stmt = stmt.where(Case.status.in_(statuses))
    if procedure:
        stmt = stmt.where(Case.procedure == procedure)
    if matter_version_id is not None:
        stmt = stmt.where(Case.matter_version_id == matter_version_id)
    if matter_id is not None:
        stmt = stmt.where(Case.matter_version_id.in_(
            select(MatterVersion.id).where(MatterVersion.matter_id == matter_id)))
    if officer_id is not None:
        stmt = stmt.where(exists().where(CaseOfficer.case_id == Case.id, CaseOfficer.officer_id == officer_id))
    if filed_from is not None:
        stmt = stmt.where(Case.filed_on >= filed_from)
    if filed_to is not None:
        stmt = stmt.where(Case.filed_on <= filed_to)
    if overdue is not None:
        late = exists().where(CaseDeadline.case_id == Case.id, CaseDeadline.met_on.is_(None),
                              CaseDeadline.due_on < (today or _today()))
        open_case = Case.status.in_([s.value for s in workflow.OPEN_STATUSES])
        stmt = stmt.where(late & open_case) if overdue else stmt.where(~(late & open_case))
    q = (q or "").strip()
    if q:
        stmt = stmt.where(or_(
            Case.number.icontains(q, autoescape=True),
            Case.title.icontains(q, autoescape=True),
            exists().where(CaseParty.case_id == Case.id, CaseParty.name.icontains(q, autoescape=True)),
        ))
    return stmt.order_by(Case.created_at.desc(), Case.id.desc())


def _today():
    from app.timeutil import today_china

    return today_china()


def visible_deadlines(user, today: date, horizon_days: int = 7, *, overdue_only: bool = False,
                      agency_id=None) -> list[CaseDeadline]:
    """超期预警: unmet deadlines of the user's open cases that are overdue or due within `horizon_days`
    (calendar days, the due date included), the most urgent first. See `deadline_status` for each row."""
    stmt = (select(CaseDeadline).join(Case, CaseDeadline.case_id == Case.id)
            .where(CaseDeadline.met_on.is_(None),
                   Case.status.in_([s.value for s in workflow.OPEN_STATUSES])))
    clause = case_clause(user)
    if clause is not None:
        stmt = stmt.where(clause)
    if agency_id is not None:
        stmt = stmt.where(Case.agency_id == agency_id)
    # The party's windows (defence, hearing request) are nobody's duty: once they end they are not
    # overdue, they are over. They are listed only while they run.
    from cases.services import PARTY_WINDOWS

    stmt = stmt.where(or_(CaseDeadline.kind.not_in(PARTY_WINDOWS), CaseDeadline.due_on >= today))
    if overdue_only:
        stmt = stmt.where(CaseDeadline.due_on < today)
    else:
        stmt = stmt.where(CaseDeadline.due_on <= today + timedelta(days=horizon_days))
    return list(db.session.scalars(stmt.order_by(CaseDeadline.due_on, CaseDeadline.id)))


def deadline_status(deadline: CaseDeadline, today: date, warn_days: int = 7) -> str:
    """"met", "overdue", "due_soon" (within `warn_days`) or "ok"."""
    if deadline.met_on is not None:
        return "met"
    return calendar.deadline_status(deadline.due_on, today, warn_days)


def visible_matters(user, *, published_only: bool = False, q: str | None = None, agency_id=None) -> Select:
    """The power-list matters of the user's agency (all agencies for supervisors), by code."""
    stmt = select(Matter)
    clause = _agency_clause(user, Matter.agency_id)
    if clause is not None:
        stmt = stmt.where(clause)
    if agency_id is not None:
        stmt = stmt.where(Matter.agency_id == agency_id)
    if published_only:
        stmt = stmt.where(exists().where(MatterVersion.matter_id == Matter.id,
                                         MatterVersion.published_on.is_not(None)))
    q = (q or "").strip()
    if q:
        stmt = stmt.where(or_(Matter.code.icontains(q, autoescape=True), exists().where(
            MatterVersion.matter_id == Matter.id, MatterVersion.name.icontains(q, autoescape=True))))
    return stmt.order_by(Matter.agency_id, Matter.code)


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def paginate(stmt: Select, page: int = 1, per_page: int = 20, max_per_page: int = 100) -> Page:
    """One page of a select (1-based); out-of-range pages are empty, not errors."""
    page = max(1, int(page or 1))
    per_page = max(1, min(int(per_page or 20), max_per_page))
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, total=total or 0, page=page, per_page=per_page)


def execution_state(case, today: date | None = None) -> dict:
    """The execution phase of a case as the API and the page show it (SPEC §11)."""
    from dateutil.relativedelta import relativedelta
    from flask import current_app

    from app.timeutil import today_china
    from cases import remedy_periods
    from cases.services import execution

    today = today or today_china()
    out = {"status": case.status, **execution.summary(case, today), "next_due": execution.next_due(case),
           "payments": list(getattr(case, "payments", [])), "plans": list(getattr(case, "payment_plans", [])),
           "acts": execution.acts(case), "court_window": None}
    start = remedy_periods.remedies_end(case)
    if start is not None and execution.fine_of(case):
        months = int(current_app.config.get("COURT_APPLICATION_MONTHS", 3))
        out["court_window"] = {"first": start + timedelta(days=1), "last": start + relativedelta(months=months)}
    return out
