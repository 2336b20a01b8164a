"""Who may do what in supervision (pure predicates over the user and the record; the scope comes from
`app.auth.scope.readable_agency_ids`, which the hierarchy feeds).

Supervisors act on supervision records of agencies in their scope (their office and the offices below);
on enforcement records they stay read-only. An agency head sees what was sent to their agency (a
complaint transferred to it, a rectification notice) and answers it. Nobody else sees supervision records.
"""
from app.auth.permissions import Role, has_role, is_citywide
from app.auth.scope import readable_agency_ids


def is_supervisor(user) -> bool:
    return has_role(user, Role.supervisor)


def can_use_supervision(user) -> bool:
    """May open the supervision pages at all (lists are then limited to the user's scope)."""
    return is_supervisor(user) or is_citywide(user) or has_role(user, Role.head)


def can_manage_offices(user) -> bool:
    """Offices and their members: admins, and supervisors not confined to one office below the province."""
    from supervision.services.hierarchy import office_of_user

    if has_role(user, Role.admin):
        return True
    if not is_supervisor(user):
        return False
    office = office_of_user(user)
    return office is None or office.level == "province"


def sees_agency(user, agency_id) -> bool:
    ids = readable_agency_ids(user)
    return ids is None or agency_id in ids


def can_supervise(user, agency_id) -> bool:
    """Write supervision records (complaint handling, checks, notices, rounds) about this agency."""
    return is_supervisor(user) and sees_agency(user, agency_id)


def can_view_complaint(user, complaint) -> bool:
    if can_supervise(user, complaint.agency_id) or (is_citywide(user) and has_role(user, Role.admin)):
        return True
    return complaint.assignee_id is not None and getattr(user, "id", None) == complaint.assignee_id


def can_see_complainant(user, complaint) -> bool:
    """Personal data of the complainant: supervisors in scope; the agency complained about only with consent."""
    if can_supervise(user, complaint.agency_id):
        return True
    return complaint.consent_disclose and can_view_complaint(user, complaint)


def can_reply_complaint(user, complaint) -> bool:
    if can_supervise(user, complaint.agency_id):
        return True
    return complaint.assignee_id is not None and getattr(user, "id", None) == complaint.assignee_id


def can_head_agency(user, agency_id) -> bool:
    return has_role(user, Role.head) and user.agency_id == agency_id
