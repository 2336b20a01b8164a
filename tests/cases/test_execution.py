"""The execution phase through the service layer (SPEC §11; APL Art 66–73, AEL Art 35–54; finding 12).

Default timeline (tests/cases/conftest.py): a 1,000 yuan fine served on 2025-09-30, payment due on
2025-10-15 (a Wednesday). The 复议 window ends on 2025-12-01 and the 诉讼 window on 2026-03-30, so the court
may be asked from 2026-03-31 to 2026-06-30 (AEL Art 53).
"""
import re
import subprocess
from datetime import date
from decimal import Decimal

import pytest

from app.errors import InvalidInput, InvalidTransition, PermissionDenied
from app.extensions import db
from cases import remedy_periods, services
from cases.remedy_periods import LAWSUIT, RemedyPeriod
from cases.services import GuardFailed, execution
from tests.cases.conftest import officer_user

D = date.fromisoformat


def pdf_text(case, kind, tmp_path) -> str:
    from app.storage import get_store

    doc = [d for d in case.documents if d.kind == kind][-1]
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(b"".join(get_store().open(doc.storage_key)))
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", out)


def deadline(case, kind):
    return next(d for d in case.deadlines if d.kind == kind)


@pytest.fixture
def served(app_ctx, case_at, head_of):
    case = case_at("served")
    return case, officer_user(case), head_of(case.agency_id)


def test_service_starts_the_payment_and_court_windows(served):
    case, _, _ = served
    assert case.payment_due == D("2025-10-15") and deadline(case, "payment").rule == "d:15:party"
    assert deadline(case, "court_application").due_on == D("2026-06-30")  # 2026-03-30 + 3 months


def test_partial_payments_run_the_surcharge_on_the_unpaid_part_and_settling_executes(served):
    case, officer, _ = served
    services.record_payment(case, {"amount": "400", "paid_on": "2025-10-18", "receipt_number": "PJ-1"},
                            actor=officer, on=D("2025-10-18"))
    s = execution.state(case, D("2025-10-20"))
    assert s.fine_unpaid == Decimal("600.00")
    assert s.total == Decimal("126.00")  # 3 days x 30 (the payment day counts) + 2 days x 18
    assert case.status == "served" and deadline(case, "payment").met_on is None
    with pytest.raises(InvalidInput, match="超出2025-10-20应缴金额726.00元"):
        services.record_payment(case, {"amount": "800", "paid_on": "2025-10-20"}, actor=officer, on=D("2025-10-20"))
    services.record_payment(case, {"amount": "726", "paid_on": "2025-10-20"}, actor=officer, on=D("2025-10-20"))
    assert case.status == "executed" and case.executed_on == D("2025-10-20")
    assert case.surcharge_amount == Decimal("126.00") and case.paid_amount == Decimal("1126.00")
    assert deadline(case, "payment").met_on == D("2025-10-20")
    assert deadline(case, "closing").due_on == D("2025-11-10") and deadline(case, "closing").rule == "wd:15:agency"
    assert [p.to_fine for p in case.payments] == [Decimal("400.00"), Decimal("600.00")]
    assert [p.to_surcharge for p in case.payments] == [Decimal("0.00"), Decimal("126.00")]
    assert [e.action for e in case.events][-3:] == ["payment_recorded", "payment_recorded", "record_execution"]


def test_payments_are_checked(served):
    case, officer, head = served
    with pytest.raises(InvalidInput, match="行政处罚法第六十八条"):
        services.record_payment(case, {"amount": "150", "method": "on_spot", "paid_on": "2025-10-10"}, actor=officer)
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        services.record_payment(case, {"amount": "10", "paid_on": "2999-01-01"}, actor=officer)
    with pytest.raises(InvalidInput, match="不能早于2025-09-30"):
        services.record_payment(case, {"amount": "10", "paid_on": "2025-09-01"}, actor=officer)
    with pytest.raises(InvalidInput, match="金额应大于零"):
        services.record_payment(case, {"amount": "-5", "paid_on": "2025-10-10"}, actor=officer)
    with pytest.raises(PermissionDenied):
        services.record_payment(case, {"amount": "10", "paid_on": "2025-10-10"}, actor=head)
    services.record_payment(case, {"amount": "10", "paid_on": "2025-10-10"}, actor=officer)
    with pytest.raises(InvalidInput, match="不能早于上一笔缴款"):
        services.record_payment(case, {"amount": "10", "paid_on": "2025-10-09"}, actor=officer)
    with pytest.raises(GuardFailed, match="尚欠罚款990.00元"):
        services.apply_action(case, "record_execution", actor=officer, on=D("2025-10-12"))


def test_instalments_one_late_surcharge_capped_at_the_fine(served, tmp_path):
    case, officer, head = served
    with pytest.raises(InvalidInput, match="合计1200.00元，应等于尚未缴纳的罚款1000.00元"):
        services.apply_for_plan(case, {"kind": "instalments", "reason": "经营困难", "applied_on": "2025-10-10",
                                       "instalments": [{"due_on": "2025-10-31", "amount": "600"},
                                                       {"due_on": "2025-11-30", "amount": "600"}]}, actor=officer)
    plan = services.apply_for_plan(case, {"kind": "instalments", "reason": "个体经营，近期收入锐减", "applied_on": "2025-10-10",
                                          "instalments": [{"due_on": "2025-10-31", "amount": "500"},
                                                          {"due_on": "2025-11-30", "amount": "500"}]}, actor=officer)
    # 10 working days, the agency's own; Saturday 11 October 2025 is a make-up working day
    assert deadline(case, "plan_decision").due_on == D("2025-10-23")
    with pytest.raises(InvalidTransition, match="尚未审批"):
        services.apply_for_plan(case, {"kind": "deferral", "reason": "x", "deferred_until": "2025-12-01"}, actor=officer)
    with pytest.raises(GuardFailed, match="尚待审批"):
        services.apply_action(case, "send_reminder", actor=officer, on=D("2025-10-20"))
    with pytest.raises(PermissionDenied, match="行政处罚法第六十六条"):
        services.decide_plan(case, plan, approve=True, actor=officer, on=D("2025-10-12"))
    with pytest.raises(InvalidInput, match="请写明理由"):
        services.decide_plan(case, plan, approve=False, actor=head, on=D("2025-10-12"))
    services.decide_plan(case, plan, approve=True, actor=head, on=D("2025-10-12"))
    assert deadline(case, "payment").due_on == D("2025-10-31")
    text = pdf_text(case, "payment_plan_decision", tmp_path)
    for expected in ("暂缓（分期）缴纳罚款决定书", "同意你分期缴纳罚款", "2025年10月31日前", "2025年11月30日前",
                     "行政处罚法》第六十六条", "百分之三加处罚款", case.decision_number):
        assert expected in text, expected

    services.record_payment(case, {"amount": "500", "paid_on": "2025-10-31"}, actor=officer, on=D("2025-10-31"))
    # 30 November 2025 is a Sunday: the second instalment is due on Monday 1 December.
    assert deadline(case, "payment").due_on == D("2025-12-01")
    assert execution.state(case, D("2025-12-01")).total == 0
    late = execution.state(case, D("2026-03-01"))
    assert late.capped and late.total == Decimal("1000.00")  # 15 a day on 500 from 2 Dec, capped at the fine
    assert late.outstanding == Decimal("1500.00")
    services.record_payment(case, {"amount": "1500", "paid_on": "2026-03-01"}, actor=officer, on=D("2026-03-01"))
    assert case.status == "executed" and case.surcharge_amount == Decimal("1000.00")


def test_deferral_stops_the_surcharge_until_its_end(served):
    case, officer, head = served
    plan = services.apply_for_plan(case, {"kind": "deferral", "reason": "住院治疗", "applied_on": "2025-10-10",
                                          "deferred_until": "2025-12-31"}, actor=officer)
    services.decide_plan(case, plan, approve=True, actor=head, on=D("2025-10-13"))
    assert execution.state(case, D("2025-12-31")).total == 0
    assert execution.state(case, D("2026-01-02")).total == Decimal("60.00")


def test_reminder_with_its_document_and_the_partys_statement(served, tmp_path):
    case, officer, _ = served
    with pytest.raises(GuardFailed, match="缴纳期限至2025-10-15尚未届满.*行政强制法第三十五条"):
        services.apply_action(case, "send_reminder", actor=officer, on=D("2025-10-15"))
    services.apply_action(case, "send_reminder", actor=officer, on=D("2025-10-20"), data={"method": "direct"})
    assert case.status == "reminded"
    assert deadline(case, "reminder").due_on == D("2025-11-03")  # 10 working days (AEL Art 69)
    text = pdf_text(case, "reminder", tmp_path)
    for expected in ("催告书", "行政强制法》第三十五条", "1,150.00", "10个工作日内（即2025年11月3日前）",
                     "陈述权和申辩权", "申请临江市人民法院强制执行", "150.00"):
        assert expected in text, expected
    with pytest.raises(InvalidInput, match="复核意见"):
        services.record_reminder_statement(case, {"statement": "无力缴纳", "adopted": False}, actor=officer)
    act = services.record_reminder_statement(case, {
        "statement": "家庭困难，请求减免加处罚款", "adopted": False,
        "handling": "当事人未提供困难证明，理由不成立", "stated_on": "2025-10-22"}, actor=officer)
    assert act.kind == "statement" and act.data["adopted"] is False


def test_court_application_window_and_document(served, tmp_path):
    case, officer, head = served
    with pytest.raises(InvalidTransition):  # no 催告, no application (the workflow allows it from reminded only)
        services.apply_action(case, "apply_enforcement", actor=head, on=D("2026-04-01"))
    services.apply_action(case, "send_reminder", actor=officer, on=D("2025-10-20"))
    with pytest.raises(GuardFailed) as err:
        services.apply_action(case, "apply_enforcement", actor=head, on=D("2025-11-03"))
    assert "2025-11-03之后当事人仍未履行的，方可申请（行政强制法第五十四条）" in err.value.message
    assert "期限至2026-03-30届满，届满后方可申请人民法院强制执行（行政强制法第五十三条）" in err.value.message
    with pytest.raises(GuardFailed, match="至2026-06-30"):
        services.apply_action(case, "apply_enforcement", actor=head, on=D("2026-07-01"))

    def lawsuit(c):
        return [RemedyPeriod(LAWSUIT, D("2026-03-01"), None)] if c.id == case.id else []

    remedy_periods.register_provider(lawsuit)
    try:
        with pytest.raises(GuardFailed, match="尚未审结.*行政强制法第五十三条"):
            services.apply_action(case, "apply_enforcement", actor=head, on=D("2026-04-01"))
    finally:
        remedy_periods.unregister_provider(lawsuit)
    with pytest.raises(PermissionDenied):
        services.apply_action(case, "apply_enforcement", actor=officer, on=D("2026-04-01"))
    services.apply_action(case, "apply_enforcement", actor=head, on=D("2026-04-01"), data={"court": "临江市人民法院"})
    assert case.status == "enforcement_applied"
    assert deadline(case, "court_application").met_on == D("2026-04-01")
    text = pdf_text(case, "enforcement_application", tmp_path)
    for expected in ("强制执行申请书", "临江市人民法院：", "被申请人", "行政强制法》第五十三条、第五十五条",
                     "2,000.00", "2025年10月20日书面催告", "被申请人在催告期间未提出陈述、申辩意见", head.full_name):
        assert expected in text, expected
    services.apply_action(case, "close", actor=head, on=D("2026-04-02"))
    assert case.status == "closed"


def test_suspension_pauses_the_surcharge_termination_allows_closing(served, tmp_path):
    case, officer, head = served
    with pytest.raises(InvalidTransition):
        services.apply_action(case, "close", actor=head, on=D("2025-10-20"))
    with pytest.raises(GuardFailed, match="行政强制法第三十九条"):
        services.apply_action(case, "suspend_execution", actor=head, on=D("2025-10-20"), data={"reason": "x"})
    services.apply_action(case, "suspend_execution", actor=head, on=D("2025-10-20"),
                          data={"ground": "hardship", "reason": "当事人重病住院，暂无履行能力"})
    assert case.status == "execution_suspended"
    assert execution.state(case, D("2025-12-01")).total == Decimal("120.00")  # 16-19 October only
    assert "中止执行" in pdf_text(case, "suspension_decision", tmp_path)
    services.apply_action(case, "resume_execution", actor=head, on=D("2025-11-01"), data={"reason": "当事人已出院"})
    assert case.status == "served"
    assert execution.state(case, D("2025-11-03")).total == Decimal("210.00")  # + 1, 2, 3 November
    with pytest.raises(GuardFailed, match="行政强制法第四十条"):
        services.apply_action(case, "terminate_execution", actor=head, on=D("2025-11-05"), data={"ground": "x"})
    services.apply_action(case, "terminate_execution", actor=head, on=D("2025-11-05"),
                          data={"ground": "decision_revoked", "reason": "处罚决定经行政复议被撤销"})
    assert case.status == "execution_terminated" and deadline(case, "payment").met_on == D("2025-11-05")
    text = pdf_text(case, "termination_decision", tmp_path)
    assert "终结执行决定书" in text and "据以执行的行政决定被撤销（行政强制法第四十条第四项）" in text
    services.apply_action(case, "close", actor=head, on=D("2025-11-06"))
    assert case.status == "closed"


def test_local_closures_lengthen_the_partys_periods_never_the_agencys(app_ctx, case_at, head_of):
    from app.auth.models import Agency
    from app.auth.services import add_closure

    case = case_at("investigated")
    agency = db.session.get(Agency, case.agency_id)
    add_closure(agency, D("2025-09-23"), "防汛")
    add_closure(agency, D("2025-10-09"), "防汛")
    officer, head = officer_user(case), head_of(case.agency_id)
    services.apply_action(case, "serve_notice", actor=officer, data={"served_on": "2025-09-22"}, on=D("2025-09-22"))
    assert deadline(case, "defence").due_on == D("2025-09-29")  # one day longer than 2025-09-28
    services.apply_action(case, "decide", actor=head, on=D("2025-09-30"))
    assert deadline(case, "service").due_on == D("2025-10-16")  # the closure on 9 October does not count


def test_a_revoked_decision_stops_the_execution(served):
    """reopen_execution (called by remedies when a 撤销/确认无效 outcome takes effect): the surcharge stops,
    no 催告 or court application any more (AEL Art 40 (4)); the head terminates and the case closes."""
    case, officer, head = served
    act = services.reopen_execution(case, reason="决定已被撤销：停止执行，已执行的罚没款项依法退还", actor=head,
                                    on=D("2025-10-25"), source="remedy:7", outcome="revoke")
    assert act.kind == "remedy" and act.data["voids"] and act.data["owed"]["surcharge"] == "270.00"
    # 16-24 October accrued (9 days x 30 yuan); nothing after the revocation took effect.
    assert execution.state(case, D("2025-12-31")).total == Decimal("270.00")
    assert deadline(case, "payment").met_on == D("2025-10-25")
    with pytest.raises(GuardFailed) as info:
        services.apply_action(case, "send_reminder", actor=officer, on=D("2025-10-28"), data={"method": "direct"})
    assert "已于2025-10-25被撤销，不得再催告" in info.value.message and "行政强制法第四十条第四项" in info.value.message
    events = [e for e in case.events if e.action == "execution_reopened"]
    assert len(events) == 1 and events[0].data["source"] == "remedy:7" and events[0].ledger_seq is not None
    services.apply_action(case, "terminate_execution", actor=head, on=D("2025-10-28"),
                          data={"ground": "decision_revoked", "reason": "处罚决定经行政复议被撤销"})
    services.apply_action(case, "close", actor=head, on=D("2025-10-29"))
    assert case.status == "closed"


def test_an_altered_decision_is_entered_and_execution_goes_on(served):
    case, officer, head = served
    act = services.reopen_execution(case, reason="决定已被变更：按变更后的内容重新执行", actor=None,
                                    on=D("2025-10-25"), source="remedy:8", outcome="alter")
    assert not act.data["voids"] and case.status == "served"
    assert execution.state(case, D("2025-10-27")).total == Decimal("360.00")  # 12 days, still accruing
    services.apply_action(case, "send_reminder", actor=officer, on=D("2025-10-28"), data={"method": "direct"})
    assert case.status == "reminded"


def test_case_file_renders_each_execution_document_from_its_own_record(served, tmp_path):
    """The case file re-renders the plan decision and the 催告 with their own content, not blank forms."""
    from cases import documents

    case, officer, head = served
    plan = services.apply_for_plan(case, {"kind": "instalments", "reason": "个体经营，近期收入锐减", "applied_on": "2025-10-10",
                                          "instalments": [{"due_on": "2025-10-31", "amount": "500"},
                                                          {"due_on": "2025-11-28", "amount": "500"}]}, actor=officer)
    services.decide_plan(case, plan, approve=True, actor=head, on=D("2025-10-12"))
    services.apply_action(case, "send_reminder", actor=officer, on=D("2025-11-04"), data={"method": "direct"})
    perform_by = deadline(case, "reminder").due_on
    pdf = documents.render_document(case, "case_file", number="临城管卷〔2025〕9号", on=D("2025-11-05"))
    path = tmp_path / "case_file.pdf"
    path.write_bytes(pdf)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                                             text=True).stdout)
    assert "同意你分期缴纳罚款" in text and "2025年10月31日前" in text and "2025年11月28日前" in text
    assert f"10个工作日内（即{perform_by.year}年{perform_by.month}月{perform_by.day}日前）" in text
