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


def can_view_case_remedies(user, case) -> bool:
    """Remedies are read through their case (`cases.visibility`, SPEC §1): the agency's reviewers see the
    cases sent to review and those under a remedy (the legal office answers them), not every case."""
    from cases.permissions import can_view_case

    return can_view_remedies(user) and case is not None and can_view_case(user, case)


def can_record_remedy(user, agency_id) -> bool:
    return can_act_in_agency(user, agency_id, *RECORDING_ROLES)


def can_view_rates(user) -> bool:
    """The per-agency rates: every staff member sees their own agency's, supervisors all."""
    return can_view_remedies(user)
