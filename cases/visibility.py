"""The one visibility rule for cases and everything that hangs on one (parties, officers, steps, events,
documents, deadlines; recordings, reviews and publications through their case), per role (SPEC §1):

| role | sees |
|---|---|
| officer (执法人员) | the cases of their own agency; an officer of an entrusted organisation (受委托组织) only the cases of that organisation and those they are on |
| head (机关负责人) | the cases of their own agency |
| reviewer (法制审核人员) | only the cases of their agency that were sent to legal review (filled by `review`) |
| supervisor (执法监督) | every agency's cases, read-only; or the agencies under their office once the supervision hierarchy is installed (`app.auth.scope`) |
| admin bound to an agency | that agency's cases; a city-wide admin reads as a supervisor |
| anyone else, anonymous | nothing |

A user holding several roles sees the union. `case_clause(user)` is the WHERE clause every
`visible_*` query uses and `can_view(user, case)` evaluates the same clause for one case, so a list and a
detail page can never disagree. Features above `cases` add a role's rule with `register_case_scope`
(cases imports none of them): `review` registers the reviewer's "sent to review" rule.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import and_, false, or_, select, true

from app.auth.models import Role
from app.auth.scope import ALL, reads_as_supervisor, supervised_agency_ids
from app.extensions import db
from app.officers.models import Officer
from cases.models import Case, CaseOfficer

#: Pass as the user for the trusted operator of the CLI: every agency, no restriction.
EVERYONE = object()

#: Roles that see their whole agency's cases.
AGENCY_ROLES = (Role.officer, Role.head, Role.admin)

#: role -> functions user -> SQL clause on Case (registered by higher features).
_role_scopes: dict[Role, list[Callable]] = {}


def register_case_scope(role: Role, fn: Callable) -> None:
    """Add `fn(user) -> clause on Case` as (part of) what holders of `role` may see."""
    fns = _role_scopes.setdefault(Role(role), [])
    if fn not in fns:
        fns.append(fn)


def case_clause(user):
    """The WHERE clause on `Case` for what `user` may see; None: no restriction (EVERYONE / all agencies)."""
    if user is EVERYONE:
        return None
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    clauses = []
    if reads_as_supervisor(user):
        ids = supervised_agency_ids(user)
        if ids is ALL:
            return None
        if ids:
            clauses.append(Case.agency_id.in_(sorted(ids)))
    if user.agency_id is not None and user.has_role(*AGENCY_ROLES):
        org_id = None if user.has_role(Role.head, Role.admin) else _entrusted_org_of(user)
        if org_id is None:
            clauses.append(Case.agency_id == user.agency_id)
        else:
            # An entrusted organisation enforces only within its entrustment (APL Art 20): its officers read
            # its cases, not the whole agency's (PIPL Art 6: minimum necessary).
            on_case = select(CaseOfficer.case_id).join(Officer, Officer.id == CaseOfficer.officer_id).where(
                Officer.user_id == user.id)
            clauses.append(and_(Case.agency_id == user.agency_id,
                                or_(Case.entrusted_org_id == org_id, Case.id.in_(on_case))))
    for role, fns in _role_scopes.items():
        if user.has_role(role):
            clauses.extend(fn(user) for fn in fns)
    if not clauses:
        return false()
    return or_(*clauses) if len(clauses) > 1 else clauses[0]


def _entrusted_org_of(user):
    """The entrusted organisation the user's officer record acts for, if any."""
    return db.session.scalar(select(Officer.entrusted_org_id).where(Officer.user_id == user.id))


def visible_case_ids(user):
    """A select of the ids of the cases `user` may see (for subqueries of other object kinds)."""
    clause = case_clause(user)
    return select(Case.id).where(true() if clause is None else clause)


def can_view(user, case) -> bool:
    """`case_clause` for one case (one query unless the user reads everything)."""
    clause = case_clause(user)
    if clause is None:
        return True
    if case is None or case.id is None:
        return False
    return db.session.scalar(select(Case.id).where(Case.id == case.id, clause)) is not None
