"""The rules of the procedure, through the services: each guard refuses with its reason and passes when
satisfied. Dates are real (the 2025 official calendar, National Day holiday included), given with `on=`."""
import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.errors import InvalidInput, InvalidTransition, PermissionDenied
from app.extensions import db
from app.ledger.models import LedgerEntry
from cases import services
from cases.models import CaseEvent
from cases.services import GuardFailed
from tests.cases.conftest import DEFAULT_DRAFT, T, at, officer_user, org_party, person_party, record_and_complete

pytestmark = pytest.mark.usefixtures("app_ctx")


def refused(call, *args, **kwargs) -> GuardFailed:
    with pytest.raises(GuardFailed) as info:
        call(*args, **kwargs)
    return info.value


def ledger_size():
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def event_count(case_id):
    return db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id))


# --- pre-action publicity (SPEC §3) ------------------------------------------------------------------------

def test_matter_published_on_the_filing_day_itself_is_refused(make_case, make_matter, cases_agency):
    matter = make_matter(cases_agency, published_on=T.created)
    case = make_case(matter=matter)
    err = refused(services.apply_action, case, "submit_filing", actor=officer_user(case), on=T.created)
    assert err.code == "not_public"
    assert "须在立案日前事前公开" in err.message and "行政处罚法第三十九条" in err.message
    assert list(err.details["problems"]) == ["publicity"]


def test_matter_published_the_day_before_passes(make_case, make_matter, cases_agency):
    matter = make_matter(cases_agency, published_on=date(2025, 9, 14))
    case = make_case(matter=matter)
    services.apply_action(case, "submit_filing", actor=officer_user(case), on=T.created)
    assert case.status == "pending_filing"


def test_unpublished_matter_is_refused(make_case, make_matter, cases_agency):
    case = make_case(matter=make_matter(cases_agency, published_on=None))
    err = refused(services.apply_action, case, "submit_filing", actor=officer_user(case), on=T.created)
    assert "未公开" in err.message


@pytest.mark.parametrize("issued", [T.created, date(2025, 9, 20)], ids=["issued-on-filing-day", "issued-after"])
def test_officer_not_public_before_the_filing_date_is_refused(make_case, make_officer, cases_agency, issued):
    a, b = make_officer(cases_agency), make_officer(cases_agency)
    new = make_officer(cases_agency, "刘新人", issued_on=issued)
    case = make_case(officers=[a, b, new])
    err = refused(services.apply_action, case, "submit_filing", actor=officer_user(case), on=T.created)
    assert "执法人员刘新人的信息在立案日前未经事前公开" in err.message
    assert "publicity" in err.details["problems"]


# --- two qualified officers (SPEC §5) -----------------------------------------------------------------------

def test_an_expired_certificate_is_refused_naming_the_officer_and_reason(make_case, make_officer, cases_agency):
    good = make_officer(cases_agency, "王强")
    expired = make_officer(cases_agency, "李过期", issued_on=date(2020, 1, 2), expires_on=date(2024, 12, 31))
    case = make_case(officers=[good, expired])
    err = refused(services.apply_action, case, "submit_filing", actor=officer_user(case), on=T.created)
    assert err.code == "certificate_invalid"
    assert "至少需要两名持有有效执法证件的执法人员（行政处罚法第四十二条），目前符合条件的仅1名" in err.message
    assert "李过期：证件已过期（有效期至2024-12-31）" in err.message
    assert "王强" not in err.message


def test_a_certificate_of_the_wrong_category_is_refused(make_case, make_officer, cases_agency):
    good = make_officer(cases_agency)
    market = make_officer(cases_agency, "赵市监", categories=("市场监管",))
    case = make_case(officers=[good, market])
    err = refused(services.apply_action, case, "submit_filing", actor=officer_user(case), on=T.created)
    assert "赵市监：证件执法类别不含“城市管理”" in err.message


def test_auxiliary_staff_never_count(make_case, make_officer, cases_agency):
    good = make_officer(cases_agency)
    aux = make_officer(cases_agency, "钱协管", employment="auxiliary")
    case = make_case(officers=[good, aux])
    err = refused(services.apply_action, case, "submit_filing", actor=officer_user(case), on=T.created)
    assert "钱协管：辅助人员不得从事执法活动" in err.message


def test_two_qualified_officers_pass_and_filing_gets_a_number_and_a_deadline(make_case, head_of):
    case = make_case()
    services.apply_action(case, "submit_filing", actor=officer_user(case), on=T.created)
    services.apply_action(case, "approve_filing", actor=head_of(case.agency_id), on=T.filed)
    assert case.status == "investigating"
    assert case.number == "临城管案〔2025〕0001号" and case.filed_on == T.filed
    assert case.decision_due == date(2025, 12, 15)  # 90 days (APL Art 60)
    assert [(d.kind, d.due_on) for d in case.deadlines] == [("decision", date(2025, 12, 15))]
    assert [d.kind for d in case.documents] == ["filing_approval"]


def test_a_step_needs_two_officers_with_certificates_shown(case_at):
    case = case_at("investigating")
    officer = officer_user(case)
    ids = [co.officer_id for co in case.officers]
    data = {"kind": "inquiry", "started_at": "2025-09-18T10:00:00", "place": "临江市建国街", "content": "问答"}
    err = refused(services.record_step, case, {**data, "officer_ids": ids[:1]}, actor=officer)
    assert "须由两名以上持有有效执法证件的执法人员实施" in err.message
    err = refused(services.record_step, case, {**data, "certificate_shown_ids": ids[:1]}, actor=officer)
    assert "未出示执法证件（行政处罚法第五十五条" in err.message
    step = services.record_step(case, data, actor=officer)
    assert [o["certificate_shown"] for o in step.officers] == [True, True]
    assert all(o["certificate_number"] for o in step.officers)


# --- limitation (APL Art 36) -------------------------------------------------------------------------------

@pytest.mark.parametrize("harms,violation,filing,ok", [
    (False, date(2023, 9, 15), date(2025, 9, 15), True),  # the boundary day: still within 2 years
    (False, date(2023, 9, 15), date(2025, 9, 16), False),
    (True, date(2020, 9, 16), date(2025, 9, 16), True),  # 5 years when safety was harmed
    (True, date(2020, 9, 16), date(2025, 9, 17), False),
    (True, date(2022, 9, 15), date(2025, 9, 16), True),  # beyond 2 years, within 5
])
def test_limitation(make_case, harms, violation, filing, ok):
    case = make_case(violation_on=violation, harms_safety=harms, on=filing)
    if ok:
        services.apply_action(case, "submit_filing", actor=officer_user(case), on=filing)
        assert case.status == "pending_filing"
    else:
        err = refused(services.apply_action, case, "submit_filing", actor=officer_user(case), on=filing)
        years = 5 if harms else 2
        assert err.code == "limitation_expired"
        assert f"已超过{years}年追责时效" in err.message and "行政处罚法第三十六条" in err.message


def test_limitation_needs_the_violation_date(make_case):
    case = make_case(violation_on=None)
    err = refused(services.apply_action, case, "submit_filing", actor=officer_user(case), on=T.created)
    assert "请填写违法行为发生（或终了）日期" in err.message


# --- decision deadline and extension (APL Art 60) ----------------------------------------------------------

def test_ninety_day_deadline_and_head_approved_extension(case_at, head_of):
    case = case_at("investigated")
    head, officer = head_of(case.agency_id), officer_user(case)
    assert case.decision_due == date(2025, 12, 15)
    late = date(2025, 12, 16)
    err = refused(services.apply_action, case, "serve_notice", actor=officer, on=late)
    assert "已超过作出处罚决定的期限（2025-12-15）" in err.message and "行政处罚法第六十条" in err.message
    approved = date(2025, 12, 10)  # SPEC §11: approved while the 90 days still run
    with pytest.raises(PermissionDenied):
        services.extend_decision_deadline(case, days=10, reason="案情复杂", actor=officer, on=approved)
    with pytest.raises(InvalidInput, match="累计不得超过30日"):
        services.extend_decision_deadline(case, days=31, reason="案情复杂", actor=head, on=approved)
    with pytest.raises(InvalidInput, match="延长理由"):
        services.extend_decision_deadline(case, days=10, reason=" ", actor=head, on=approved)
    db.session.rollback()
    services.extend_decision_deadline(case, days=20, reason="需补充鉴定", actor=head, on=approved)
    with pytest.raises(InvalidInput, match="已延长20日"):
        services.extend_decision_deadline(case, days=11, reason="再次延长", actor=head, on=approved)
    services.extend_decision_deadline(case, days=10, reason="再次延长", actor=head, on=approved)
    assert case.decision_due == date(2026, 1, 14) and case.extension_days == 30
    assert next(d for d in case.deadlines if d.kind == "decision").due_on == date(2026, 1, 14)
    services.apply_action(case, "serve_notice", actor=officer, data={"served_on": "2025-12-16"}, on=late)
    assert case.status == "notified"


# --- defence window (APL Art 44-45), across the National Day holiday ---------------------------------------

def test_defence_window_counts_working_days_across_the_holiday(case_at, head_of):
    case = case_at("investigated")
    head = head_of(case.agency_id)
    services.apply_action(case, "serve_notice", actor=officer_user(case), data={"served_on": "2025-09-29"},
                          on=date(2025, 9, 29))
    # 5 working days after Mon 29 Sep: 30 Sep, then 9, 10, 11 (a make-up Saturday) and 13 Oct.
    assert next(d for d in case.deadlines if d.kind == "defence").due_on == date(2025, 10, 13)
    for day in (date(2025, 10, 6), date(2025, 10, 9), date(2025, 10, 13)):
        err = refused(services.apply_action, case, "decide", actor=head, on=day)
        assert "陈述、申辩期限尚未届满（至2025-10-13）" in err.message
    services.apply_action(case, "decide", actor=head, on=date(2025, 10, 14))
    assert case.status == "decided" and case.decision_number == "临城管罚〔2025〕1号"
    assert {d.kind: d.met_on for d in case.deadlines}["decision"] == date(2025, 10, 14)


def test_a_waived_defence_allows_deciding_at_once(case_at, head_of):
    case = case_at("investigated")
    services.apply_action(case, "serve_notice", actor=officer_user(case),
                          data={"served_on": "2025-09-29", "waived": True}, on=date(2025, 9, 29))
    services.apply_action(case, "decide", actor=head_of(case.agency_id), on=date(2025, 9, 30))
    assert case.status == "decided"


# --- hearing (APL Art 63-64) -------------------------------------------------------------------------------

def test_no_hearing_right_for_a_small_fine(case_at):
    case = case_at("notified")
    err = refused(services.apply_action, case, "request_hearing", actor=officer_user(case), on=date(2025, 9, 24))
    assert "不属于当事人有权要求听证的情形（行政处罚法第六十三条）" in err.message


@pytest.mark.parametrize("requested,ok", [("2025-09-26", True), ("2025-09-28", True), ("2025-09-29", False)])
def test_hearing_request_window(case_at, requested, ok):
    case = case_at("notified", draft={**DEFAULT_DRAFT, "tier": "严重", "fine": "20000"})
    assert next(d for d in case.deadlines if d.kind == "hearing_request").due_on == date(2025, 9, 28)
    act = dict(actor=officer_user(case), data={"requested_on": requested}, on=date(2025, 9, 30))
    if ok:
        services.apply_action(case, "request_hearing", **act)
        assert case.status == "hearing" and case.hearing_requested_on == date.fromisoformat(requested)
    else:
        err = refused(services.apply_action, case, "request_hearing", **act)
        assert "应在告知后5个工作日内（至2025-09-28）提出听证要求" in err.message


def test_hearing_hosted_by_an_investigator_is_refused(case_at, head_of):
    case = case_at("hearing")
    head, officer = head_of(case.agency_id), officer_user(case)
    investigator = case.officers[1].officer_id
    record_and_complete(case, "hearing", at(date(2025, 10, 20), 9), actor=officer, head=head,
                        extra={"host_officer_id": investigator, "noticed_on": "2025-10-09"})
    err = refused(services.apply_action, case, "hold_hearing", actor=head, on=date(2025, 10, 20))
    assert "听证由行政机关指定的非本案调查人员主持（行政处罚法第六十四条）" in err.message


def test_hearing_noticed_too_late_is_refused(case_at, head_of, make_officer):
    case = case_at("hearing")
    head, officer = head_of(case.agency_id), officer_user(case)
    host = make_officer(case.agency_id, "孙主持")
    record_and_complete(case, "hearing", at(date(2025, 10, 14), 9), actor=officer, head=head,
                        extra={"host_officer_id": host.id, "noticed_on": "2025-10-09"})
    err = refused(services.apply_action, case, "hold_hearing", actor=head, on=date(2025, 10, 14))
    assert "听证应在举行7个工作日前通知当事人（最早可于2025-10-17举行）" in err.message


def test_after_a_hearing_the_decision_is_major_and_needs_review(case_at, head_of):
    case = case_at("heard")
    assert case.status == "heard" and case.hearing_on == date(2025, 10, 20)
    err = refused(services.apply_action, case, "decide", actor=head_of(case.agency_id), on=date(2025, 10, 21))
    assert err.code == "review_required" and "经过听证程序" in err.message


# --- collective discussion and legal review ---------------------------------------------------------------

def test_complex_case_needs_collective_discussion(case_at, head_of):
    case = case_at("notified", is_complex=True)
    head, officer = head_of(case.agency_id), officer_user(case)
    err = refused(services.apply_action, case, "decide", actor=head, on=T.decided)
    assert "应当经行政机关负责人集体讨论决定（行政处罚法第五十七条）" in err.message
    record_and_complete(case, "discussion", at(date(2025, 9, 29), 15), actor=officer, head=head,
                        content="集体讨论：同意罚款1000元")
    err = refused(services.apply_action, case, "decide", actor=head, on=T.decided)
    assert "集体讨论笔录须记载出席人员、讨论结论" in err.message  # the minutes (SPEC §11)
    record_and_complete(case, "discussion", at(date(2025, 9, 29), 16), actor=officer, head=head,
                        content="集体讨论：同意罚款1000元",
                        extra={"attendees": ["王局长", "李副局长"], "conclusion": "同意罚款1000元"})
    services.apply_action(case, "decide", actor=head, on=T.decided)
    assert case.status == "decided"


@pytest.mark.parametrize("how", ["marked", "fine"])
def test_major_case_is_refused_without_a_legal_review(case_at, head_of, how):
    draft = {**DEFAULT_DRAFT, "tier": "严重", "fine": "50000"} if how == "fine" else None
    case = case_at("notified", draft=draft)
    head = head_of(case.agency_id)
    if how == "marked":
        services.set_case_flags(case, actor=head, marked_major=True)
    err = refused(services.apply_action, case, "decide", actor=head, on=T.decided)
    assert err.code == "review_required"
    assert "未经法制审核或者审核未通过的，不得作出决定（行政处罚法第五十八条" in err.message
    # The reason names what made it major (the review feature's catalogue words it in its own way).
    assert "本案属于重大执法决定" in err.message
    assert ("机关负责人认定为重大执法决定" if how == "marked" else "50000") in err.message


def test_only_the_head_marks_a_case_major(case_at):
    case = case_at("investigating")
    with pytest.raises(PermissionDenied):
        services.set_case_flags(case, actor=officer_user(case), marked_major=True)


# --- summary procedure limits (APL Art 51) -----------------------------------------------------------------

@pytest.mark.parametrize("kind,fine,ok", [
    ("person", "200", True), ("person", "200.01", False), ("org", "3000", True), ("org", "3000.01", False),
])
def test_summary_procedure_fine_limits(make_case, kind, fine, ok):
    party = person_party() if kind == "person" else org_party()
    case = make_case(procedure="summary", parties=[party])
    officer = officer_user(case)
    services.save_draft(case, {**DEFAULT_DRAFT, "tier": "一般", "penalties": ["fine"], "fine": fine}, actor=officer)
    if ok:
        services.apply_action(case, "decide_on_spot", actor=officer, on=T.created)
        assert case.status == "decided" and case.number.startswith("临城管简〔2025〕")
        assert [d.kind for d in case.documents] == ["on_spot_decision"]
    else:
        err = refused(services.apply_action, case, "decide_on_spot", actor=officer, on=T.created)
        limit = "200" if kind == "person" else "3000"
        assert f"当场罚款不得超过{limit}元（行政处罚法第五十一条），应适用普通程序" in err.message


def test_summary_procedure_allows_only_warnings_and_fines(make_case):
    case = make_case(procedure="summary")
    officer = officer_user(case)
    services.save_draft(case, {**DEFAULT_DRAFT, "tier": "严重", "penalties": ["suspend_business"], "fine": None},
                        actor=officer)
    err = refused(services.apply_action, case, "decide_on_spot", actor=officer, on=T.created)
    assert "简易程序只能当场作出警告或者罚款决定" in err.message


# --- service (APL Art 61) ---------------------------------------------------------------------------------

def test_service_within_seven_working_days(case_at):
    case = case_at("decided")
    officer = officer_user(case)
    assert next(d for d in case.deadlines if d.kind == "service").due_on == date(2025, 10, 16)
    err = refused(services.apply_action, case, "serve_decision", actor=officer,
                  data={"method": "direct", "served_on": "2025-10-17"}, on=date(2025, 10, 17))
    assert "决定书应在2025-10-16前送达（行政处罚法第六十一条，7个工作日），逾期送达须说明理由" in err.message
    services.apply_action(case, "serve_decision", actor=officer, on=date(2025, 10, 17),
                          data={"method": "direct", "served_on": "2025-10-17", "late_reason": "当事人外出"})
    # 15 days end on Saturday 1 November: the party pays by Monday 3 November (finding 8; 民事诉讼法 Art 85)
    assert case.status == "served" and case.payment_due == date(2025, 11, 3)
    assert {d.kind: d.met_on for d in case.deadlines}["service"] == date(2025, 10, 17)


def test_service_on_the_last_day_needs_no_reason(case_at):
    case = case_at("decided")
    services.apply_action(case, "serve_decision", actor=officer_user(case), data={"method": "mail"},
                          on=date(2025, 10, 16))
    assert case.status == "served"


def test_electronic_service_needs_consent(case_at, make_case):
    case = case_at("decided")
    err = refused(services.apply_action, case, "serve_decision", actor=officer_user(case),
                  data={"method": "electronic"}, on=T.served)
    assert "采用电子送达须经当事人书面同意（行政处罚法第六十一条）" in err.message
    consenting = case_at("decided", parties=[person_party(e_service_consent=True,
                                                          e_service_address="zhangsan@example.cn")])
    services.apply_action(consenting, "serve_decision", actor=officer_user(consenting),
                          data={"method": "electronic"}, on=T.served)
    assert consenting.service_method == "electronic"


# --- execution and late surcharge (APL Art 72) ------------------------------------------------------------

@pytest.mark.parametrize("paid,surcharge", [
    (date(2025, 10, 15), "0.00"), (date(2025, 10, 16), "30.00"), (date(2025, 10, 25), "300.00"),
    (date(2025, 11, 17), "990.00"), (date(2025, 11, 18), "1000.00"), (date(2026, 3, 1), "1000.00"),
])
def test_late_surcharge_is_three_percent_a_day_capped_at_the_fine(paid, surcharge):
    assert services.late_surcharge(Decimal("1000.00"), date(2025, 10, 15), paid) == Decimal(surcharge)


def test_late_payment_must_include_the_surcharge(case_at):
    case = case_at("served")
    officer = officer_user(case)
    assert case.payment_due == date(2025, 10, 15)
    before = ledger_size()
    with pytest.raises(InvalidInput, match="应缴金额为1150.00元"):
        services.apply_action(case, "record_execution", actor=officer, on=date(2025, 10, 20),
                              data={"paid_amount": "1000", "paid_on": "2025-10-20"})
    db.session.rollback()
    assert case.status == "served" and case.paid_amount is None and ledger_size() == before
    services.apply_action(case, "record_execution", actor=officer, on=date(2025, 10, 20),
                          data={"paid_amount": "1150", "paid_on": "2025-10-20"})
    assert case.status == "executed" and case.surcharge_amount == Decimal("150.00")


# --- audio/video (SPEC §4.2) -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["inspection", "seizure", "evidence_preservation"])
def test_a_step_needing_av_cannot_complete_without_recording_or_approved_justification(case_at, head_of, kind):
    case = case_at("investigating")
    head, officer = head_of(case.agency_id), officer_user(case)
    step = services.record_step(case, {"kind": kind, "started_at": "2025-09-17T09:00:00", "place": "建国街",
                                       "content": "现场情况"}, actor=officer)
    assert step.needs_av
    db.session.commit()
    err = refused(services.complete_step, step, actor=officer, on=date(2025, 9, 17))
    assert err.code == "recording_required" and "须全程音像记录" in err.message
    services.justify_missing_av(step, "执法记录仪电量耗尽", actor=officer)
    db.session.commit()
    refused(services.complete_step, step, actor=officer, on=date(2025, 9, 17))  # not approved yet
    with pytest.raises(PermissionDenied):
        services.approve_av_justification(step, actor=officer)
    services.approve_av_justification(step, actor=head)
    services.complete_step(step, actor=officer, on=date(2025, 9, 17))
    assert step.completed_at is not None


def test_an_inquiry_needs_no_av(case_at):
    case = case_at("investigating")
    step = services.record_step(case, {"kind": "inquiry", "started_at": "2025-09-18T10:00:00", "place": "队部",
                                       "content": "问：……\n答：……"}, actor=officer_user(case))
    assert not step.needs_av
    services.complete_step(step, actor=officer_user(case), on=date(2025, 9, 18))
    assert [d.kind for d in case.documents][-1] == "inquiry_record"


def test_open_steps_block_closing_the_investigation(case_at):
    case = case_at("investigating")
    officer = officer_user(case)
    services.save_draft(case, DEFAULT_DRAFT, actor=officer)
    services.record_step(case, {"kind": "inquiry", "started_at": "2025-09-19T10:00:00", "place": "队部",
                                "content": "补充询问"}, actor=officer)
    err = refused(services.apply_action, case, "close_investigation", actor=officer, on=T.investigated)
    assert "执法环节“询问”（2025-09-19）尚未完成" in err.message


# --- the draft decision -----------------------------------------------------------------------------------

def test_a_changed_draft_gets_a_new_hash(case_at):
    case = case_at("investigating")
    officer = officer_user(case)
    services.save_draft(case, DEFAULT_DRAFT, actor=officer)
    first = case.draft_sha256
    events = event_count(case.id)
    services.save_draft(case, dict(DEFAULT_DRAFT), actor=officer)  # unchanged: same hash, no event
    assert case.draft_sha256 == first and event_count(case.id) == events
    services.save_draft(case, {**DEFAULT_DRAFT, "fine": "1000.00"}, actor=officer)  # same amount
    assert case.draft_sha256 == first
    services.save_draft(case, {**DEFAULT_DRAFT, "fine": "1200"}, actor=officer)
    assert case.draft_sha256 != first and len(case.draft_sha256) == 64
    assert case.events[-1].data == {"draft_sha256": case.draft_sha256, "previous_sha256": first}


def test_the_draft_is_checked_against_the_discretion_tiers(case_at):
    case = case_at("investigating")
    officer = officer_user(case)
    services.save_draft(case, {**DEFAULT_DRAFT, "fine": "6000"}, actor=officer)
    err = refused(services.apply_action, case, "close_investigation", actor=officer, on=T.investigated)
    assert "罚款6000.00元不在“一般”裁量档次范围内（200—5000元）" in err.message


def test_the_draft_is_frozen_after_the_decision(case_at):
    case = case_at("decided")
    with pytest.raises(InvalidTransition):
        services.save_draft(case, {**DEFAULT_DRAFT, "fine": "900"}, actor=officer_user(case))


# --- permissions ------------------------------------------------------------------------------------------

def test_an_officer_not_on_the_case_may_not_act(case_at, make_officer):
    case = case_at("draft")
    stranger = make_officer(case.agency_id, "周旁人").user
    with pytest.raises(PermissionDenied):
        services.apply_action(case, "submit_filing", actor=stranger, on=T.created)
    with pytest.raises(PermissionDenied):
        services.add_party(case, person_party("王五", 2), actor=stranger)
    with pytest.raises(PermissionDenied):
        services.save_draft(case, DEFAULT_DRAFT, actor=stranger)


def test_head_only_actions(case_at, head_of):
    case = case_at("pending_filing")
    with pytest.raises(PermissionDenied, match="批准立案"):
        services.apply_action(case, "approve_filing", actor=officer_user(case), on=T.filed)
    other_head = head_of(_other_agency(case))
    with pytest.raises(PermissionDenied):
        services.apply_action(case, "approve_filing", actor=other_head, on=T.filed)
    services.apply_action(case, "approve_filing", actor=head_of(case.agency_id), on=T.filed)


def _other_agency(case):
    from app.auth.services import create_agency
    from app.validators import make_credit_code

    agency = create_agency(name="临江市市场监督管理局", short_name="临江市监", doc_prefix="临市监",
                           credit_code=make_credit_code(org_seq=777), region_code="220681",
                           categories=["市场监管"])
    db.session.commit()
    return agency


def test_supervisors_read_but_never_write(case_at, make_case_user):
    from cases import permissions

    case = case_at("pending_filing")
    supervisor = make_case_user(None, roles=("supervisor",))
    assert permissions.can_view_case(supervisor, case)
    assert services.allowed_actions(case, supervisor) == []
    for call in (lambda: services.apply_action(case, "approve_filing", actor=supervisor, on=T.filed),
                 lambda: services.save_draft(case, DEFAULT_DRAFT, actor=supervisor),
                 lambda: services.set_case_flags(case, actor=supervisor, marked_major=True),
                 lambda: services.add_party(case, person_party("王五", 2), actor=supervisor)):
        with pytest.raises(PermissionDenied):
            call()


def test_allowed_actions_show_buttons_with_their_problems(case_at, head_of, make_matter):
    case = case_at("pending_filing")
    head = head_of(case.agency_id)
    assert services.allowed_actions(case, officer_user(case)) == []
    actions = {t.action: problems for t, problems in services.allowed_actions(case, head, on=T.filed)}
    assert actions == {"approve_filing": {}, "reject_filing": {}}
    late = {t.action: p for t, p in services.allowed_actions(case, head, on=date(2025, 9, 16).replace(year=2027))}
    assert "limitation" in late["approve_filing"]


# --- nothing half-written; everything in the ledger ---------------------------------------------------------

def test_a_refused_action_writes_nothing(case_at, head_of):
    case = case_at("notified", is_complex=True)
    events, size = event_count(case.id), ledger_size()
    with pytest.raises(GuardFailed):
        services.apply_action(case, "decide", actor=head_of(case.agency_id), on=T.decided)
    # The guards refuse before the first write: nothing pending in the session, nothing in the ledger.
    assert not db.session.new and not [o for o in db.session.dirty if db.session.is_modified(o)]
    db.session.commit()
    assert case.status == "notified" and case.decision_number is None
    assert event_count(case.id) == events and ledger_size() == size


def test_a_refused_step_writes_nothing(case_at):
    case = case_at("investigating")
    events, size = event_count(case.id), ledger_size()
    with pytest.raises(GuardFailed):
        services.record_step(case, {"kind": "inspection", "started_at": "2025-09-17T09:00:00", "place": "建国街",
                                    "content": "检查", "officer_ids": [case.officers[0].officer_id]},
                             actor=officer_user(case))
    db.session.rollback()
    assert event_count(case.id) == events and ledger_size() == size and case.steps == []


def test_every_event_and_document_has_its_ledger_entry(case_at):
    from app.ledger.services import audit

    case = case_at("archived")
    assert case.status == "archived" and case.archived_on == T.closed
    assert len(case.events) >= 15
    for event in case.events:
        entry = db.session.get(LedgerEntry, event.ledger_seq)
        assert entry is not None and entry.kind == f"case.{event.action}" and entry.subject == f"case:{case.id}"
        assert f'"event_id":{event.id}' in entry.body
    for document in case.documents:
        entry = db.session.get(LedgerEntry, document.ledger_seq)
        assert entry.kind == "document.issued" and document.sha256 in entry.body
    assert audit().ok
    assert all(d.met_on is not None for d in case.deadlines)


def test_event_data_is_stored_as_the_ledger_hashes_it(case_at):
    case = case_at("investigating")
    approved = next(e for e in case.events if e.action == "approve_filing")
    assert approved.data == {"number": case.number, "filed_on": "2025-09-16", "decision_due": "2025-12-15"}
    body = json.loads(db.session.get(LedgerEntry, approved.ledger_seq).body)
    assert json.dumps(body, ensure_ascii=False).count("2025-12-15") == 1


# --- parties ---------------------------------------------------------------------------------------------

def test_parties_are_validated_by_their_check_digits(case_at):
    case = case_at("draft")
    officer = officer_user(case)
    bad_id = person_party("王五", 2)
    bad_id["id_number"] = bad_id["id_number"][:-1] + ("0" if bad_id["id_number"][-1] != "0" else "1")
    with pytest.raises(InvalidInput) as info:
        services.add_party(case, bad_id, actor=officer)
    assert "id_number" in info.value.details["fields"]
    bad_org = org_party()
    bad_org["credit_code"] = bad_org["credit_code"][:-1] + ("0" if bad_org["credit_code"][-1] != "0" else "1")
    with pytest.raises(InvalidInput) as info:
        services.add_party(case, bad_org, actor=officer)
    assert "credit_code" in info.value.details["fields"]
    party = services.add_party(case, org_party(), actor=officer)
    assert party.legal_representative == "李四" and len(case.parties) == 2
