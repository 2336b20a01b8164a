"""Review services: majorness from the catalogue, the package check, binding to the draft, the clock across
holidays and supplement pauses, extensions, the checklist and the ledger."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.errors import DomainError, InvalidInput, InvalidTransition, PermissionDenied
from app.extensions import db
from tests.review.conftest import MAJOR_DRAFT, officer_user


@pytest.fixture
def svc():
    from review import services

    return services


# --- majorness --------------------------------------------------------------------------------------------

def _catalogue(svc, agency, items, on=date(2025, 1, 2)):
    catalogue = svc.create_catalogue(agency, title="重大执法决定目录", items=items)
    svc.publish_catalogue(catalogue, on=on)
    return catalogue


def test_not_major_without_catalogue_line_mark_or_builtin(app_ctx, case_at, svc):
    case = case_at("notified")  # a 1,000 yuan fine, no hearing, not marked
    assert svc.evaluate_major(case) == (False, [])


def test_catalogue_amount_threshold_per_category(app_ctx, case_at, svc):
    case = case_at("notified")
    _catalogue(svc, case.agency, [{"kind": "amount", "fine_at_least": 800, "category": "城市管理",
                                   "label": "较大数额罚款"},
                                  {"kind": "amount", "fine_at_least": 1, "category": "市场监管"}])
    major, reasons = svc.evaluate_major(case)
    assert major
    assert reasons == ["罚款1000元，达到较大数额罚款标准（800元以上）（重大执法决定目录第1项）"]


def test_catalogue_penalty_category_complex_and_head_mark(app_ctx, case_at, head_of, svc):
    from cases import services as case_services

    case = case_at("notified", is_complex=True)
    _catalogue(svc, case.agency, [{"kind": "penalty", "penalties": ["revoke_licence"]},
                                  {"kind": "category", "matter_codes": [case.matter_version.matter.code],
                                   "label": "占道经营案件"},
                                  {"kind": "complex", "label": "案情复杂"}])
    case_services.set_case_flags(case, actor=head_of(case.agency_id), marked_major=True)
    major, reasons = svc.evaluate_major(case)
    assert major
    assert reasons[0] == "机关负责人认定为重大执法决定"
    assert "占道经营案件（重大执法决定目录第2项）" in reasons
    assert "案情复杂（重大执法决定目录第3项）" in reasons
    assert not any("吊销" in r for r in reasons)  # the draft does not revoke a licence


def test_unpublished_or_future_catalogue_does_not_count(app_ctx, case_at, svc):
    case = case_at("notified")
    svc.create_catalogue(case.agency, title="草稿", items=[{"kind": "amount", "fine_at_least": 1}])
    _catalogue(svc, case.agency, [{"kind": "amount", "fine_at_least": 1}], on=date(2099, 1, 1))
    assert svc.evaluate_major(case)[0] is False


def test_builtin_default_threshold_applies_where_nothing_prices_the_amount(app_ctx, case_at, make_matter,
                                                                          cases_agency, svc):
    matter = make_matter(cases_agency, major_criteria={"penalties": []})  # the matter publishes no amount
    case = case_at("notified", matter=matter, draft={**MAJOR_DRAFT, "fine": "60000"})
    assert svc.evaluate_major(case) == (True, ["罚款60000元，达到较大数额罚款的默认标准（50000元以上）"])
    _catalogue(svc, case.agency, [{"kind": "amount", "fine_at_least": 80000, "category": "城市管理"}])
    assert svc.evaluate_major(case) == (False, [])  # the agency's published figure replaces the default


def test_published_catalogue_is_immutable_and_in_the_ledger(app_ctx, cases_agency, svc):
    from app.ledger.models import LedgerEntry
    from app.auth.models import Agency

    agency = db.session.get(Agency, cases_agency.id)
    catalogue = _catalogue(svc, agency, [{"kind": "hearing"}])
    with pytest.raises(InvalidTransition):
        svc.publish_catalogue(catalogue)
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.seq == catalogue.ledger_seq))
    assert entry.kind == "review.catalogue_published"


def test_catalogue_refuses_bad_items(app_ctx, cases_agency, svc):
    from app.auth.models import Agency

    agency = db.session.get(Agency, cases_agency.id)
    with pytest.raises(InvalidInput, match="罚款金额标准"):
        svc.create_catalogue(agency, title="目录", items=[{"kind": "amount"}])
    with pytest.raises(InvalidInput, match="处罚种类"):
        svc.create_catalogue(agency, title="目录", items=[{"kind": "penalty", "penalties": []}])


# --- the package ------------------------------------------------------------------------------------------

def test_complete_package_is_resolved_from_the_case(app_ctx, major_case, svc):
    case = major_case("notified")
    check = svc.check_package(case, {})
    assert check.ok, check.missing
    assert check.package["investigation_report"]["number"]
    assert check.package["draft_decision"] == {"sha256": case.draft_sha256}
    assert any("现场检查" in e for e in check.package["evidence_list"])
    assert check.package["legal_basis"] == MAJOR_DRAFT["legal_basis"]


def test_incomplete_package_is_returned_with_what_is_missing(app_ctx, major_case, svc):
    case = major_case("hearing")  # a hearing was requested and has not been held
    with pytest.raises(svc.PackageIncomplete) as err:
        svc.submit_for_review(case, {}, actor=officer_user(case))
    assert err.value.status == 422 and err.value.code == "package_incomplete"
    assert err.value.details["missing"] == ["听证报告（当事人已申请听证，尚无已完成的听证笔录）"]
    assert svc.submissions_of(case) == []
    # The hearing report given by hand completes it.
    submission = svc.submit_for_review(case, {"hearing_report": "听证会于某日举行，当事人放弃陈述。"},
                                       actor=officer_user(case))
    assert submission.package["hearing_report"]["text"].startswith("听证会")


def test_only_the_case_officers_or_head_submit(app_ctx, major_case, make_reviewer, make_officer, svc):
    case = major_case("notified")
    with pytest.raises(PermissionDenied):
        svc.submit_for_review(case, {}, actor=make_reviewer(case.agency_id))
    with pytest.raises(PermissionDenied):
        svc.submit_for_review(case, {}, actor=make_officer(case.agency_id).user)


def test_duplicate_submission_refused_changed_draft_supersedes(app_ctx, major_case, svc):
    from cases import services as case_services

    case = major_case("notified")
    officer = officer_user(case)
    first = svc.submit_for_review(case, {}, actor=officer)
    with pytest.raises(DomainError, match="请勿重复提交"):
        svc.submit_for_review(case, {}, actor=officer)
    case_services.save_draft(case, {**MAJOR_DRAFT, "fine": "70000"}, actor=officer)
    second = svc.submit_for_review(case, {}, actor=officer)
    assert (first.status, second.round, second.draft_sha256) == ("superseded", 2, case.draft_sha256)


# --- binding to the draft -------------------------------------------------------------------------------------

def test_changed_draft_voids_the_approval(app_ctx, major_case, make_reviewer, approve_case, svc, recent):
    from cases import guards
    from cases import services as case_services

    case = major_case("notified")
    reviewer = make_reviewer(case.agency_id)
    submission = approve_case(case, reviewer)
    assert svc.valid_approval(case).id == submission.id
    ctx = guards.GuardContext(case=case, on=recent.today)
    assert guards.GUARDS["legal_review"](ctx) == []

    old = case.draft_sha256
    case_services.save_draft(case, {**MAJOR_DRAFT, "fine": "65000"}, actor=officer_user(case))
    assert svc.valid_approval(case) is None
    problems = guards.GUARDS["legal_review"](ctx)
    assert problems == [f"法制审核通过后处罚决定草案已被修改（审核时摘要{old[:12]}…，现为{case.draft_sha256[:12]}…），"
                        "须重新审核（行政处罚法第五十八条）"]
    # Nothing was stored as "void": the submission still says approved, and the hash is what decides.
    assert submission.status == "approved"
    # Putting the approved draft back restores the binding: the approval covers exactly that text.
    case_services.save_draft(case, MAJOR_DRAFT, actor=officer_user(case))
    assert svc.valid_approval(case).id == submission.id


def test_gate_lists_reasons_and_review_state(app_ctx, major_case, svc, recent):
    from cases import guards

    case = major_case("notified")
    ctx = guards.GuardContext(case=case, on=recent.today)
    assert guards.GUARDS["legal_review"](ctx) == [
        "本案属于重大执法决定（机关负责人认定为重大执法决定；罚款60000元，达到该执法事项公布的重大标准（50000元以上）），"
        "未经法制审核或者审核未通过的，不得作出决定（行政处罚法第五十八条；国办发〔2018〕118号）", "尚未提交法制审核"]
    svc.submit_for_review(case, {}, actor=officer_user(case))
    assert guards.GUARDS["legal_review"](ctx)[1] == "第1次法制审核：待审核"


def test_decision_cannot_be_dated_before_the_approval(app_ctx, major_case, make_reviewer, approve_case, recent):
    from cases import guards

    case = major_case("notified")
    approve_case(case, make_reviewer(case.agency_id))
    problems = guards.GUARDS["legal_review"](guards.GuardContext(case=case, on=recent.submitted))
    assert problems and "早于法制审核通过日期" in problems[0]


def test_approval_refused_when_draft_changed_during_review(app_ctx, major_case, make_reviewer, svc, recent):
    from cases import services as case_services

    case = major_case("notified")
    reviewer = make_reviewer(case.agency_id)
    submission = svc.submit_for_review(case, {}, actor=officer_user(case), on=recent.submitted)
    svc.take_review(submission, actor=reviewer, declare_no_conflict=True)
    for item in svc.CHECKLIST:
        svc.record_checklist(submission, item, "pass", actor=reviewer)
    case_services.save_draft(case, {**MAJOR_DRAFT, "fine": "55000"}, actor=officer_user(case))
    with pytest.raises(InvalidTransition, match="已被修改"):
        svc.approve(submission, opinion="同意", actor=reviewer)


# --- the clock ---------------------------------------------------------------------------------------------------

def test_due_date_counts_working_days_over_national_day(svc):
    # Submitted Monday 2025-09-29: 9-30 is day 1, 1–8 October are holidays, 10-9, 10-10, Saturday 10-11
    # (a make-up working day) and Monday 10-13 are days 2–5.
    assert svc.due_date(date(2025, 9, 29), 5) == date(2025, 10, 13)
    assert svc.due_date(date(2025, 9, 29), 5, closures={date(2025, 10, 10)}) == date(2025, 10, 14)


def test_supplement_pause_does_not_count(svc):
    # Asked for a supplement on 10-09 (two days used: 9-30, 10-09), received 10-15: 10-10 to 10-15 do not
    # count, so days 3–5 are 10-16, 10-17 and 10-20.
    pauses = [(date(2025, 10, 9), date(2025, 10, 15))]
    assert svc.due_date(date(2025, 9, 29), 5, pauses) == date(2025, 10, 20)
    assert svc.due_date(date(2025, 9, 29), 5, [(date(2025, 10, 9), None)]) is None
    assert svc.elapsed_working_days(date(2025, 9, 29), date(2025, 10, 17), pauses) == 4


def test_clock_across_holiday_pause_and_extension(app_ctx, case_at, make_reviewer, head_of, svc):
    from cases import services as case_services

    case = case_at("notified")
    case_services.set_case_flags(case, actor=head_of(case.agency_id), marked_major=True)
    reviewer = make_reviewer(case.agency_id)
    s = svc.submit_for_review(case, {}, actor=officer_user(case), on=date(2025, 9, 29))
    assert s.due_on == date(2025, 10, 13)
    assert svc.clock(s, date(2025, 10, 9)).label == "剩余3个工作日"
    svc.take_review(s, actor=reviewer, declare_no_conflict=True, on=date(2025, 9, 30))
    svc.request_supplement(s, items=["现场照片原件"], actor=reviewer, on=date(2025, 10, 9))
    assert s.due_on is None
    paused = svc.clock(s, date(2025, 10, 14))
    assert (paused.paused, paused.left, paused.label) == (True, 3, "补充材料中，计时暂停（剩余3个工作日）")
    with pytest.raises(InvalidTransition):
        svc.record_checklist(s, "agency", "pass", actor=reviewer, on=date(2025, 10, 14))
    svc.receive_supplement(s, reply="已补充现场照片原件", actor=officer_user(case), on=date(2025, 10, 15))
    assert s.due_on == date(2025, 10, 20) and s.status == "in_review"
    assert svc.clock(s, date(2025, 10, 21)).label == "已超期1个工作日"

    head = head_of(case.agency_id)
    with pytest.raises(PermissionDenied):
        svc.extend_time_limit(s, reason="案情复杂", actor=reviewer, on=date(2025, 10, 17))
    svc.extend_time_limit(s, reason="案情复杂，需调阅卷宗", actor=head, on=date(2025, 10, 17))
    assert s.due_on == date(2025, 10, 27)
    assert svc.clock(s, date(2025, 10, 21)).label == "剩余4个工作日"
    with pytest.raises(InvalidInput, match="累计延长不得超过5个工作日"):
        svc.extend_time_limit(s, reason="再延长", working_days=1, actor=head, on=date(2025, 10, 20))


def test_settings_change_the_time_limit(app, app_ctx, case_at, head_of, svc):
    from cases import services as case_services

    case = case_at("notified")
    case_services.set_case_flags(case, actor=head_of(case.agency_id), marked_major=True)
    app.config["REVIEW_WORKING_DAYS"] = 7
    try:
        s = svc.submit_for_review(case, {}, actor=officer_user(case), on=date(2025, 9, 29))
        assert s.due_on == date(2025, 10, 15)
    finally:
        app.config["REVIEW_WORKING_DAYS"] = 5


# --- the checklist and the outcome -------------------------------------------------------------------------------

def test_approve_needs_every_item_passed(app_ctx, major_case, make_reviewer, svc, recent):
    case = major_case("notified")
    reviewer = make_reviewer(case.agency_id)
    s = svc.submit_for_review(case, {}, actor=officer_user(case), on=recent.submitted)
    svc.take_review(s, actor=reviewer, declare_no_conflict=True)
    svc.record_checklist(s, "agency", "pass", actor=reviewer)
    with pytest.raises(InvalidTransition, match="尚未审核"):
        svc.approve(s, opinion="同意", actor=reviewer)
    for item in svc.CHECKLIST:
        svc.record_checklist(s, item, "pass", actor=reviewer)
    svc.record_checklist(s, "legal_basis", "problem", "裁量理由不充分", actor=reviewer)
    with pytest.raises(InvalidTransition, match="裁量理由不充分"):
        svc.approve(s, opinion="同意", actor=reviewer)
    with pytest.raises(InvalidInput):
        svc.record_checklist(s, "procedure", "problem", "", actor=reviewer)  # a problem needs a note
    svc.record_checklist(s, "legal_basis", "pass", actor=reviewer)  # the latest finding counts
    opinion = svc.approve(s, opinion="同意", actor=reviewer)
    assert opinion.outcome == "approved" and opinion.number.startswith("临城管法审〔")


def test_officer_qualification_auto_check_blocks_a_pass(app_ctx, major_case, make_reviewer, svc, recent):
    from app.officers import services as officer_services

    case = major_case("notified")
    reviewer = make_reviewer(case.agency_id)
    s = svc.submit_for_review(case, {}, actor=officer_user(case), on=recent.submitted)
    svc.take_review(s, actor=reviewer, declare_no_conflict=True)
    auto = svc.auto_checks(case)
    assert auto["officer_qualification"]["ok"] is True
    # One officer's certificate turns out to have been suspended since before the inspection.
    cert = case.officers[1].officer.certificates[0]
    officer_services.suspend(cert, on=recent.filed, reason="未按规定年检")
    auto = svc.auto_checks(case)
    assert auto["officer_qualification"]["ok"] is False
    with pytest.raises(InvalidInput, match="系统核查未通过"):
        svc.record_checklist(s, "officer_qualification", "pass", actor=reviewer)
    svc.record_checklist(s, "officer_qualification", "problem", "现场检查时执法人员证件被暂扣", actor=reviewer)


def test_return_for_correction_then_resubmit(app_ctx, major_case, make_reviewer, svc, recent):
    from cases import services as case_services

    case = major_case("notified")
    reviewer = make_reviewer(case.agency_id)
    s = svc.submit_for_review(case, {}, actor=officer_user(case), on=recent.submitted)
    svc.take_review(s, actor=reviewer, declare_no_conflict=True)
    with pytest.raises(InvalidInput):
        svc.return_for_correction(s, opinion="", actor=reviewer)
    svc.record_checklist(s, "legal_basis", "problem", "罚款数额与裁量基准不符", actor=reviewer)
    opinion = svc.return_for_correction(s, opinion="", actor=reviewer)
    assert (s.status, opinion.outcome) == ("returned", "returned")
    case_services.save_draft(case, {**MAJOR_DRAFT, "fine": "52000"}, actor=officer_user(case))
    again = svc.submit_for_review(case, {}, actor=officer_user(case))
    assert again.round == 2 and again.status == "submitted"


def test_return_incomplete_by_reviewer(app_ctx, major_case, make_reviewer, svc, recent):
    case = major_case("notified")
    reviewer = make_reviewer(case.agency_id)
    s = svc.submit_for_review(case, {}, actor=officer_user(case), on=recent.submitted)
    svc.take_review(s, actor=reviewer, declare_no_conflict=True)
    svc.return_incomplete(s, missing=["当事人身份证明复印件"], actor=reviewer)
    assert s.status == "returned_incomplete" and s.missing == ["当事人身份证明复印件"]
    assert svc.submit_for_review(case, {}, actor=officer_user(case)).round == 2


def test_ledger_records_every_review_action_and_the_opinion_hash(app_ctx, major_case, make_reviewer,
                                                                  approve_case, svc):
    import hashlib

    from app.ledger.models import LedgerEntry

    case = major_case("notified")
    s = approve_case(case, make_reviewer(case.agency_id))
    kinds = [e.kind for e in db.session.scalars(select(LedgerEntry).where(LedgerEntry.subject == f"case:{case.id}",
                                                                         LedgerEntry.kind.like("review.%"))
                                                .order_by(LedgerEntry.seq))]
    assert kinds == ["review.submitted", "review.taken"] + ["review.checklist"] * 8 + ["review.approved"]
    pdf = svc.opinion_bytes(s.opinion)
    assert pdf.startswith(b"%PDF-") and hashlib.sha256(pdf).hexdigest() == s.opinion.sha256
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.seq == s.opinion.ledger_seq))
    import json

    body = json.loads(entry.body) if isinstance(entry.body, str) else entry.body
    payload = body.get("payload", body)
    assert payload["opinion_sha256"] == s.opinion.sha256
    assert payload["draft_sha256"] == case.draft_sha256
    # The opinion is filed with the case's documents.
    assert any(d.kind == "review_opinion" and d.sha256 == s.opinion.sha256 for d in case.documents)
    # It is signed with the agency's key (issue 18), and the ledger holds the signature's digests.
    from app.docsign import services as docsign

    check = docsign.check_pdf(pdf, [docsign.cert_path(case.agency_id).read_bytes()])
    assert check.ok, check
    assert payload["signature"]["signed_digest"] == check.signed_digest
    assert payload["signature"]["cms_sha256"] == check.cms_sha256
    assert payload["signature"]["certificate_sha256"] == check.certificate_sha256


def test_decide_on_spot_of_a_major_summary_case_is_gated(app_ctx, make_case, head_of, svc):
    """The summary procedure is no way around the gate: a case marked major cannot be decided on the spot."""
    from cases import services as case_services
    from cases.services import GuardFailed
    from tests.cases.conftest import DEFAULT_DRAFT, T

    case = make_case(procedure="summary")
    officer = officer_user(case)
    case_services.save_draft(case, {**DEFAULT_DRAFT, "tier": "轻微", "penalties": ["warning"], "fine": None},
                             actor=officer)
    case_services.set_case_flags(case, actor=head_of(case.agency_id), marked_major=True)
    with pytest.raises(GuardFailed) as err:
        case_services.apply_action(case, "decide_on_spot", actor=officer, on=T.created)
    assert err.value.code == "review_required"
