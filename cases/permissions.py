"""Who may do what to a case: pure predicates on the user and the case (services and templates share them)."""
from app.auth.permissions import can_act_in_agency, has_role
from app.auth.models import Role
from cases import workflow


def can_view_case(user, case) -> bool:
    """SPEC §1 per role: officers and heads their agency's cases, reviewers those sent to review in their
    agency, supervisors all (read-only). The rule is `cases.visibility` (the queries use the same one)."""
    from cases.visibility import can_view

    return can_view(user, case)


def is_case_officer(user, case) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and any(
        co.officer.user_id == user.id for co in case.officers)


def can_create_case(user, agency_id) -> bool:
    return can_act_in_agency(user, agency_id, Role.officer)


def can_edit_case(user, case) -> bool:
    """Parties, officers, steps and the draft are kept by the officers handling the case."""
    return is_case_officer(user, case) and can_act_in_agency(user, case.agency_id, Role.officer)


def can_act(user, case, action) -> bool:
    """The role the workflow table names for this action, in the case's agency; officer actions are for
    the case's own officers, head actions for the agency's heads."""
    t = workflow.transition(case.procedure, case.status, action)
    if t is None:
        return False
    if Role.head in t.roles and can_act_in_agency(user, case.agency_id, Role.head):
        return True
    return Role.officer in t.roles and can_edit_case(user, case)


def can_head_approve(user, case) -> bool:
    return can_act_in_agency(user, case.agency_id, Role.head)


def can_manage_power_list(user, agency_id) -> bool:
    return can_act_in_agency(user, agency_id, Role.head) or has_role(user, Role.admin)
