"""Who may see and record remedies: pure predicates shared by services and templates.

The respondent agency's staff record them (officers handle the case, the legal office — reviewers —
answers, the head appears in court); supervisors and admins read every agency's, read-only (SPEC §1).
"""
from app.auth.models import Role
from app.auth.permissions import can_act_in_agency, can_see_agency, has_role

STAFF_ROLES = (Role.officer, Role.reviewer, Role.head, Role.supervisor, Role.admin)
RECORDING_ROLES = (Role.officer, Role.reviewer, Role.head)


def can_view_remedies(user) -> bool:
    return has_role(user, *STAFF_ROLES)


def can_view_agency_remedies(user, agency_id) -> bool:
    return can_view_remedies(user) and can_see_agency(user, agency_id)


def can_record_remedy(user, agency_id) -> bool:
    return can_act_in_agency(user, agency_id, *RECORDING_ROLES)


def can_view_rates(user) -> bool:
    """The per-agency rates: every staff member sees their own agency's, supervisors all."""
    return can_view_remedies(user)
