"""Who may see and manage officers and certificates (pure predicates, used by views, API and services).

The 司法局 supervisors manage officers and certificates (SPEC §1); admins too. An agency head reads
their own agency's officers (and its KPI). Anyone may verify a certificate on the public page.
"""
from app.auth.permissions import Role, has_role, is_citywide


def can_manage_officers(user) -> bool:
    return has_role(user, Role.supervisor, Role.admin)


def can_view_officers(user) -> bool:
    """May open the officer registry at all (the list is then limited by `queries.visible_officers`)."""
    return can_manage_officers(user) or (has_role(user, Role.head) and user.agency_id is not None)


def can_view_officer(user, officer) -> bool:
    if can_manage_officers(user) or is_citywide(user):
        return True
    return has_role(user, Role.head) and user.agency_id is not None and user.agency_id == officer.agency_id


def can_print_card(user) -> bool:
    return can_manage_officers(user)
