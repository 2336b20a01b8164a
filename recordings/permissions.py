"""Who may do what with recordings: pure predicates shared by the services and the templates.

- view / play: officers, heads and reviewers of the case's agency; supervisors everywhere (SPEC §1, §4.3);
- upload and link to a step: the case's own officers;
- download an original: supervisors ("supervisors can retrieve everything"), read-only otherwise;
- export: requested by anyone who may view it in the agency, approved by the agency head (SPEC §4.3);
- integrity scans and hold releases: the CLI, or a supervisor or admin.
"""
from app.auth.models import Role
from app.auth.permissions import can_act_in_agency, has_role
from cases import permissions as case_permissions


def _subject(recording):
    from recordings.subjects import resolve

    return resolve(recording.subject)


def can_view_recording(user, recording) -> bool:
    if recording.case_id is None:  # a recording of another record (an inspection): that record's rule
        return _subject(recording).can_view(user)
    return case_permissions.can_view_case(user, recording.case)


def can_upload(user, case) -> bool:
    return case_permissions.can_edit_case(user, case)


def can_link(user, recording) -> bool:
    return recording.case_id is not None and case_permissions.can_edit_case(user, recording.case)


def can_download_original(user, recording) -> bool:
    return has_role(user, Role.supervisor) and can_view_recording(user, recording)


def agency_of(recording) -> int:
    return recording.case.agency_id if recording.case_id is not None else recording.agency_id


def can_request_export(user, recording) -> bool:
    return can_act_in_agency(user, agency_of(recording), Role.officer, Role.head, Role.reviewer)


def can_approve_export(user, recording) -> bool:
    if recording.case_id is None:
        return can_act_in_agency(user, recording.agency_id, Role.head)
    return case_permissions.can_head_approve(user, recording.case)


def can_scan(user) -> bool:
    return has_role(user, Role.supervisor, Role.admin)
