"""Reviewer eligibility each way (SPEC §6.1): reviewer role, recorded 法律职业资格, not an officer or handler
of the case, no declared conflict, same agency. Refused with the specific reason, at the service and the API."""
import pytest

from app.errors import InvalidInput, PermissionDenied
from app.extensions import db
from tests.review.conftest import officer_user


@pytest.fixture
def submitted(app_ctx, major_case, recent):
    from review import services

    case = major_case("notified")
    submission = services.submit_for_review(case, {}, actor=officer_user(case), on=recent.submitted)
    db.session.commit()
    return submission


def _problems(user, submission):
    from review import permissions

    return permissions.reviewer_problems(user, submission.case)


def test_qualified_reviewer_of_the_agency_is_eligible_and_takes_it(submitted, make_reviewer):
    from review import permissions, services

    reviewer = make_reviewer(submitted.agency_id)
    assert _problems(reviewer, submitted) == []
    assert permissions.can_take(reviewer, submitted)
    services.take_review(submitted, actor=reviewer, declare_no_conflict=True)
    assert submitted.reviewer_id == reviewer.id and submitted.status == "in_review"
    assert not permissions.can_take(make_reviewer(submitted.agency_id), submitted)  # already taken


def test_without_reviewer_role(submitted, make_case_user):
    head = make_case_user(submitted.agency_id, roles=("head",))
    assert _problems(head, submitted)[0] == "不具有法制审核人员角色"


def test_without_legal_qualification(submitted, make_reviewer):
    from review import services

    reviewer = make_reviewer(submitted.agency_id, qualified=False)
    assert _problems(reviewer, submitted) == [
        "未登记法律职业资格（初次从事法制审核的人员应当取得法律职业资格，国办发〔2018〕118号）"]
    with pytest.raises(PermissionDenied, match="未登记法律职业资格"):
        services.take_review(submitted, actor=reviewer, declare_no_conflict=True)


def test_reviewer_account_without_officer_record(submitted, make_case_user):
    reviewer = make_case_user(submitted.agency_id, roles=("reviewer",))
    assert any("未登记法律职业资格" in p for p in _problems(reviewer, submitted))


def test_officer_of_the_case_may_not_review_it(submitted):
    """Even holding the reviewer role and a qualification, a handler of the case is excluded."""
    from app.auth.services import set_roles
    from app.officers import services as officer_services
    from review import services

    handler = submitted.case.officers[1].officer
    set_roles(handler.user, ["officer", "reviewer"])
    officer_services.update_officer(handler, qualification_number="A20182206819999")
    assert _problems(handler.user, submitted) == ["系本案承办或调查人员，不得审核本案（审查与调查分离）"]
    with pytest.raises(PermissionDenied, match="审查与调查分离"):
        services.take_review(submitted, actor=handler.user, declare_no_conflict=True)


def test_declared_conflict_excludes_and_releases_the_review(submitted, make_reviewer):
    from review import permissions, services

    reviewer = make_reviewer(submitted.agency_id)
    services.take_review(submitted, actor=reviewer, declare_no_conflict=True)
    with pytest.raises(InvalidInput):
        services.declare_conflict(submitted.case, actor=reviewer, note="")
    services.declare_conflict(submitted.case, actor=reviewer, note="当事人系本人近亲属")
    assert _problems(reviewer, submitted) == ["已声明与本案存在利害关系，应当回避（当事人系本人近亲属）"]
    # The review goes back to the queue for another reviewer.
    assert (submitted.status, submitted.reviewer_id) == ("submitted", None)
    other = make_reviewer(submitted.agency_id)
    assert permissions.can_take(other, submitted)


def test_taking_requires_the_no_conflict_declaration(submitted, make_reviewer):
    from review import services

    with pytest.raises(InvalidInput, match="无利害关系"):
        services.take_review(submitted, actor=make_reviewer(submitted.agency_id), declare_no_conflict=False)


def test_reviewer_of_another_agency(submitted, make_agency, make_reviewer):
    other_agency = make_agency(categories=("城市管理",))
    reviewer = make_reviewer(other_agency.id)
    assert _problems(reviewer, submitted) == ["不是本案所属执法机关的法制审核人员"]


def test_only_the_assigned_reviewer_decides(submitted, make_reviewer):
    from review import services

    reviewer, other = make_reviewer(submitted.agency_id), make_reviewer(submitted.agency_id)
    services.take_review(submitted, actor=reviewer, declare_no_conflict=True)
    with pytest.raises(PermissionDenied, match="领取本案"):
        services.record_checklist(submitted, "agency", "pass", actor=other)
    with pytest.raises(PermissionDenied):
        services.approve(submitted, opinion="同意", actor=other)


def test_api_refuses_ineligible_reviewer_with_reasons(app, client, major_case, make_reviewer, bearer_of, recent):
    from review import services

    with app.app_context():
        case = major_case("notified")
        submission = services.submit_for_review(case, {}, actor=officer_user(case), on=recent.submitted)
        db.session.commit()
        sid = submission.id
        unqualified = make_reviewer(case.agency_id, qualified=False).id
        qualified = make_reviewer(case.agency_id).id
    resp = client.post(f"/api/reviews/{sid}/take", json={"declare_no_conflict": True}, headers=bearer_of(unqualified))
    assert resp.status_code == 403
    assert resp.get_json()["details"]["problems"] == [
        "未登记法律职业资格（初次从事法制审核的人员应当取得法律职业资格，国办发〔2018〕118号）"]
    resp = client.post(f"/api/reviews/{sid}/take", json={"declare_no_conflict": True}, headers=bearer_of(qualified))
    assert resp.status_code == 200 and resp.get_json()["status"] == "in_review"


@pytest.mark.parametrize("roles, sees_queue", [(("officer",), False), (("reviewer",), True), (("head",), True),
                                               (("supervisor",), True)])
def test_queue_visibility_by_role(app, client, make_agency, make_user, login_as, roles, sees_queue):
    agency = make_agency() if "supervisor" not in roles else None
    user_id = make_user(roles=roles, agency=agency)
    login_as(client, user_id)
    assert client.get("/review/").status_code == (200 if sees_queue else 403)
    assert client.get("/api/reviews/", headers={"Accept": "application/json"}).status_code == (
        200 if sees_queue else 403)
