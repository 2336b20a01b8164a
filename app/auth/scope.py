"""Which agencies a user may read: the one answer every `visible_*` query and `can_view_*` predicate
builds on (SPEC §1 least privilege; 个人信息保护法 Art 51 access control).

- staff (officers, heads, reviewers, an admin bound to an agency) read their own agency only;
- supervisors (and city-wide admins) read every agency, read-only, unless a supervision hierarchy is
  installed: `register_supervision_scope(fn)` lets the supervision feature (SPEC §14: province → city →
  county, each sees its own and lower levels) answer for a supervisor with the set of agency ids under
  their office. `fn(user)` returns None when it has no opinion (the user is not placed in the hierarchy:
  the whole city, as before) or an iterable of agency ids.

`readable_agency_ids(user)` (alias `visible_agency_ids`) returns None for "every agency", else a frozenset
(possibly empty). A provider may also be installed per application with `register_provider(app, fn)`
(same contract); the answer is cached per request, since lists may ask once per row.
Within an agency, finer rules per object kind (a reviewer sees only the cases sent to review) live in the
feature's own visibility module (`cases.visibility`).
"""
from __future__ import annotations

from typing import Callable, Iterable

from app.auth.models import CITYWIDE_ROLES, Role

ALL = None

#: Installed by the supervision feature; see the module docstring.
_supervision_scopes: list[Callable] = []


def register_supervision_scope(fn: Callable[[object], Iterable[int] | None]) -> None:
    if fn not in _supervision_scopes:
        _supervision_scopes.append(fn)


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def reads_as_supervisor(user) -> bool:
    """Supervisors, and admins bound to no agency: read-only readers across agencies."""
    if not _authenticated(user):
        return False
    return user.has_role(Role.supervisor) or (user.agency_id is None and bool(user.roles & CITYWIDE_ROLES))


#: app.extensions key of a provider registered per application (see `register_provider`).
PROVIDER = "sanxiang_agency_scope"


def register_provider(app, fn: Callable[[object], Iterable[int] | None]) -> None:
    """Install the supervision hierarchy's provider for this application (same contract as
    `register_supervision_scope`)."""
    app.extensions[PROVIDER] = fn


def _providers() -> list[Callable]:
    from flask import current_app, has_app_context

    app_provider = current_app.extensions.get(PROVIDER) if has_app_context() else None
    return ([app_provider] if app_provider else []) + list(_supervision_scopes)


def _ask_providers(user):
    for fn in _providers():
        ids = fn(user)
        if ids is not None:
            return frozenset(ids)
    return ALL


def supervised_agency_ids(user) -> frozenset[int] | None:
    """The agencies a supervisor reads: None (all) unless a supervision hierarchy places the user."""
    from flask import g, has_request_context

    if not reads_as_supervisor(user):
        return frozenset()
    if not _providers():
        return ALL
    if has_request_context():
        cache = g.setdefault("_supervised_agency_ids", {})
        if user.id not in cache:
            cache[user.id] = _ask_providers(user)
        return cache[user.id]
    return _ask_providers(user)


def readable_agency_ids(user) -> frozenset[int] | None:
    """Every agency the user may read anything of: their own, plus those they supervise (None: all)."""
    if not _authenticated(user):
        return frozenset()
    supervised = supervised_agency_ids(user)
    if supervised is ALL:
        return ALL
    own = {user.agency_id} if user.agency_id is not None else set()
    return frozenset(own | set(supervised))


def agency_clause(user, column):
    """A WHERE clause limiting `column` (an agency id) to `readable_agency_ids(user)`; None: no limit."""
    from sqlalchemy import false

    ids = readable_agency_ids(user)
    if ids is ALL:
        return None
    if not ids:
        return false()
    return column.in_(sorted(ids))


#: Names the supervision feature may use.
visible_agency_ids = readable_agency_ids


def sees_agency(user, agency_id) -> bool:
    ids = readable_agency_ids(user)
    return ids is ALL or agency_id in ids

