"""Who may do what in a legal review (SPEC §6.1). Services and templates share these predicates.

Reviewer eligibility, decided here and documented: SPEC §6.1 asks that "a first-time reviewer has a recorded
法律职业资格". The system cannot tell who reviewed before it existed, and the qualification, once obtained,
is never lost; so every reviewer must have the qualification recorded on their officer record
(`Officer.qualification_number`, linked to the account by `Officer.user_id`), with a qualification date, if
recorded, not after the review. The 5% reviewer KPI counts the same people.

`reviewer_problems` lists every reason a user may not review a case (empty = eligible); it reads the case's
people and the user's declarations but writes nothing.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.auth.models import Role
from app.auth.permissions import can_act_in_agency, can_see_agency, has_role
from app.extensions import db
from cases import permissions as case_permissions


def officer_record(user):
    """The officer record (with the legal qualification) of a login account, or None."""
    from app.officers.models import Officer

    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Officer).where(Officer.user_id == user.id))


def involved_user_ids(case) -> set[int]:
    """Accounts that handled or investigated the case: its officers, the officers named on its steps, the
    step recorders and whoever registered it. None of them may review it."""
    officer_ids = {co.officer_id for co in case.officers}
    for step in case.steps:
        officer_ids |= {row.get("officer_id") for row in (step.officers or []) if row.get("officer_id")}
    users = {case.created_by_id} | {s.recorded_by_id for s in case.steps}
    if officer_ids:
        from app.officers.models import Officer

        users |= set(db.session.scalars(select(Officer.user_id).where(Officer.id.in_(officer_ids))))
    return {u for u in users if u is not None}


def declared_conflict(user, case):
    """The user's latest declaration on the case that they have a conflict of interest, or None."""
    from review.models import ConflictDeclaration

    if user is None:
        return None
    row = db.session.scalar(select(ConflictDeclaration)
                            .where(ConflictDeclaration.case_id == case.id, ConflictDeclaration.user_id == user.id)
                            .order_by(ConflictDeclaration.id.desc()).limit(1))
    return row if row is not None and row.has_conflict else None


def reviewer_problems(user, case, on: date | None = None) -> list[str]:
    """Every reason `user` may not review `case` (SPEC §6.1); [] means eligible."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ["请先登录"]
    problems = []
    if not has_role(user, Role.reviewer):
        problems.append("不具有法制审核人员角色")
    elif not can_act_in_agency(user, case.agency_id, Role.reviewer):
        problems.append("不是本案所属执法机关的法制审核人员")
    officer = officer_record(user)
    if officer is None or not officer.qualification_number:
        problems.append("未登记法律职业资格（初次从事法制审核的人员应当取得法律职业资格，国办发〔2018〕118号）")
    elif on is not None and officer.qualification_date and officer.qualification_date > on:
        problems.append(f"法律职业资格取得日期（{officer.qualification_date.isoformat()}）晚于审核日期")
    if user.id in involved_user_ids(case):
        problems.append("系本案承办或调查人员，不得审核本案（审查与调查分离）")
    conflict = declared_conflict(user, case)
    if conflict is not None:
        problems.append("已声明与本案存在利害关系，应当回避" + (f"（{conflict.note}）" if conflict.note else ""))
    return problems


def can_review_case(user, case, on: date | None = None) -> bool:
    return not reviewer_problems(user, case, on)


def can_take(user, submission) -> bool:
    from review.models import SubmissionStatus

    return submission.status == SubmissionStatus.submitted.value and can_review_case(user, submission.case)


def is_assigned_reviewer(user, submission) -> bool:
    return (user is not None and getattr(user, "is_authenticated", False)
            and submission.reviewer_id == user.id)


def can_decide(user, submission) -> bool:
    """Checklist, supplements, approval and return: the reviewer who took it, while still eligible."""
    return is_assigned_reviewer(user, submission) and can_review_case(user, submission.case)


def can_submit(user, case) -> bool:
    """The case's own officers, or the agency head, send the package to review."""
    return case_permissions.can_edit_case(user, case) or case_permissions.can_head_approve(user, case)


def can_supply(user, submission) -> bool:
    return can_submit(user, submission.case)


def can_extend(user, submission) -> bool:
    """Extensions of the review time limit are approved by the agency head."""
    return can_act_in_agency(user, submission.agency_id, Role.head)


def can_view_submission(user, submission) -> bool:
    return can_see_agency(user, submission.agency_id)


def can_view_queue(user) -> bool:
    return has_role(user, Role.reviewer, Role.head, Role.supervisor, Role.admin)


def can_manage_catalogue(user, agency_id) -> bool:
    return can_act_in_agency(user, agency_id, Role.head) or (has_role(user, Role.admin) and user.agency_id is None)


def can_view_stats(user) -> bool:
    """Supervisors see every agency; heads see their own."""
    return has_role(user, Role.supervisor, Role.admin, Role.head)
