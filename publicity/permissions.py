"""Who may do what to a publication: pure predicates shared by services and templates.

Staff of the decision's agency prepare it (officers and heads edit the redacted preview and submit it);
only the agency's head approves it, declares a non-publication ground or withdraws it. Supervisors and
admins see everything, read-only (SPEC §1). The public sees only what `publicity.queries.public_*` returns.
"""
from app.auth.models import Role
from app.auth.permissions import can_act_in_agency, can_see_agency, has_role
from publicity.models import PENDING_STATUSES, PublicationStatus

STAFF_ROLES = (Role.officer, Role.head, Role.reviewer, Role.supervisor, Role.admin)


def can_view_publications(user) -> bool:
    return has_role(user, *STAFF_ROLES)


def can_view_publication(user, pub) -> bool:
    """The agency's staff who may see the decision's case (`cases.visibility`), supervisors all."""
    if not (can_view_publications(user) and can_see_agency(user, pub.agency_id)):
        return False
    if pub.case_id is None:
        return True
    from app.extensions import db
    from cases.models import Case
    from cases.permissions import can_view_case

    return can_view_case(user, db.session.get(Case, pub.case_id))


def can_edit_publication(user, pub) -> bool:
    return pub.status in PENDING_STATUSES and can_act_in_agency(user, pub.agency_id, Role.officer, Role.head)


def can_submit_publication(user, pub) -> bool:
    return pub.status == PublicationStatus.draft.value and can_edit_publication(user, pub)


def can_approve_publication(user, pub) -> bool:
    return pub.status in PENDING_STATUSES and can_act_in_agency(user, pub.agency_id, Role.head)


def can_decline_publication(user, pub) -> bool:
    return can_approve_publication(user, pub)


def can_request_withdrawal(user, pub) -> bool:
    return (pub.status == PublicationStatus.published.value and pub.withdrawal_reason is None
            and can_act_in_agency(user, pub.agency_id, Role.officer, Role.head))


def can_withdraw_publication(user, pub) -> bool:
    return pub.status == PublicationStatus.published.value and can_act_in_agency(user, pub.agency_id, Role.head)
