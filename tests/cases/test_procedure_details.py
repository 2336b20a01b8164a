"""Issue 13 (part A): the legal details a 法制审核 reviewer found missing, each through the service layer
(and, where noted, through the JSON API, the web UI and the CLI). Every test here fails on the code before
the fix: the rule did not exist, or the document printed the wrong thing.

Dates follow tests/cases/conftest.py's 2025 timeline (National Day holiday 1-8 October included).
"""
import re
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.errors import ExtensionTooLate, FutureDate, InvalidInput, InvalidTransition
from app.extensions import db
from app.timeutil import today_china
from cases import guards, services
from cases.models import Case, CaseEvent
from cases.services import GuardFailed
from tests.cases.conftest import DEFAULT_DRAFT, T, at, officer_user, record_and_complete

pytestmark = pytest.mark.usefixtures("app_ctx")

TOMORROW = today_china() + timedelta(days=1)


def refused(call, *args, **kwargs) -> GuardFailed:
    with pytest.raises(GuardFailed) as info:
        call(*args, **kwargs)
    return info.value


def document_text(case, kind, tmp_path) -> str:
    """The stored PDF of the case's latest document of `kind`, as pdftotext reads it (whitespace dropped)."""
    from app.storage import get_store

    doc = [d for d in case.documents if d.kind == kind][-1]
    data = b"".join(get_store().open(doc.storage_key))
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", out)


# --- finding 1: a decision heavier than the advance notice needs a new notice (APL Art 44, 45, 62) ----------

def test_a_heavier_fine_than_noticed_is_refused_until_noticed_again(case_at, head_of, tmp_path):
    case = case_at("notified")  # noticed 2025-09-22: 1,000 yuan
    assert case.noticed["fine"] == "1000.00" and case.notice_count == 1
    head, officer = head_of(case.agency_id), officer_user(case)
    services.save_draft(case, {**DEFAULT_DRAFT, "fine": "3000"}, actor=officer)
    err = refused(services.apply_action, case, "decide", actor=head, on=T.decided)
    assert "罚款由告知的1000元提高到3000元" in err.message
    assert "须重新送达行政处罚事先告知书" in err.message and "第六十二条" in err.message
    assert case.status == "notified" and case.decided_on is None
    # The new notice records the intended 3,000 yuan and opens a new defence window (until 2025-10-14).
    services.apply_action(case, "serve_notice", actor=officer, data={"served_on": "2025-09-30"}, on=T.decided)
    assert case.noticed["fine"] == "3000.00" and case.notice_count == 2
    err = refused(services.apply_action, case, "decide", actor=head, on=date(2025, 10, 13))
    assert "陈述、申辩期限尚未届满" in err.message
    services.apply_action(case, "decide", actor=head, on=date(2025, 10, 15))
    assert case.fine_amount == Decimal("3000.00")
    notices = [d for d in case.documents if d.kind == "advance_notice"]
    assert len(notices) == 2
    text = document_text(case, "advance_notice", tmp_path)
    assert "叁仟元" in text and "本告知书系重新告知" in text
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == "serve_notice")
                              .order_by(CaseEvent.id.desc()))
    assert event.data["intended"]["fine"] == "3000.00"  # the ledger proves what the party was told


@pytest.mark.parametrize("change, why", [
    ({"penalties": ["fine", "suspend_business"], "tier": "严重", "fine": "6000"}, "增加了告知时没有的处罚种类"),
    ({"facts": "当事人于2025年9月1日至9月10日在建国街持续占道经营。"}, "违法事实与告知的不同"),
    ({"legal_basis": "《城市道路管理条例》第二十七条"}, "违法依据与告知的不同"),
], ids=["other-penalty", "other-facts", "other-basis"])
def test_other_penalty_facts_or_basis_need_a_new_notice(case_at, head_of, change, why):
    case = case_at("notified")
    services.save_draft(case, {**DEFAULT_DRAFT, **change}, actor=officer_user(case))
    err = refused(services.apply_action, case, "decide", actor=head_of(case.agency_id), on=T.decided)
    assert why in err.message and "matches_notice" in err.details["problems"]


def test_a_lighter_decision_needs_no_new_notice(case_at, head_of):
    case = case_at("notified")
    services.save_draft(case, {**DEFAULT_DRAFT, "fine": "800",
                               "defence_points": [{"point": "初次违法，已自行清理", "adopted": True,
                                                   "reason": "经核实属实，从轻处罚"}]}, actor=officer_user(case))
    services.apply_action(case, "decide", actor=head_of(case.agency_id), on=T.decided)
    assert case.fine_amount == Decimal("800.00") and case.notice_count == 1


def test_heavier_decision_is_refused_through_the_api(app, client, case_at, head_of):
    from tests.helpers import bearer
    from app.auth.services import issue_token

    case = case_at("notified")
    services.save_draft(case, {**DEFAULT_DRAFT, "fine": "2000"}, actor=officer_user(case))
    raw, _ = issue_token(head_of(case.agency_id), "pytest")
    db.session.commit()
    case_id = case.id
    resp = client.post(f"/api/cases/{case_id}/actions/decide", json={}, headers=bearer(raw))
    body = resp.get_json()
    assert resp.status_code == 409 and body["error"] == "rule_violation"
    assert "第六十二条" in body["message"] and "matches_notice" in body["details"]["problems"]


# --- finding 2: the on-the-spot decision (APL Art 52, 55) ------------------------------------------------------

def summary_case(make_case, **kw):
    case = make_case(procedure="summary", on=T.created, **kw)
    services.save_draft(case, {**DEFAULT_DRAFT, "tier": "轻微", "penalties": ["warning", "fine"], "fine": "100"},
                        actor=officer_user(case))
    return case


def test_on_the_spot_decision_prints_the_certificates_shown_and_the_place(make_case, tmp_path):
    case = summary_case(make_case)
    services.apply_action(case, "decide_on_spot", actor=officer_user(case), on=T.created,
                          data={"place": "临江市建国街与新市街交叉口东北角"})
    text = document_text(case, "on_spot_decision", tmp_path)
    names = [co.officer.name for co in case.officers]
    assert f"执法人员{'、'.join(names)}已向当事人出示执法证件" in text
    assert "未出示执法证件" not in text
    assert "临江市建国街与新市街交叉口东北角" in text
    assert case.decision_record["place"] == "临江市建国街与新市街交叉口东北角"
    assert all(r["certificate_shown"] and r["certificate_number"] for r in case.decision_record["certificates"])


def test_on_the_spot_decision_needs_every_certificate_shown_and_a_place(make_case):
    case = summary_case(make_case)
    first, second = case.officers
    err = refused(services.apply_action, case, "decide_on_spot", actor=officer_user(case), on=T.created,
                  data={"certificate_shown_ids": [first.officer_id]})
    assert f"{second.officer.name}未出示执法证件" in err.message and "第五十五条" in err.message
    case.place = ""
    err = refused(services.apply_action, case, "decide_on_spot", actor=officer_user(case), on=T.created)
    assert "须载明违法行为的地点（行政处罚法第五十二条）" in err.message
    assert case.status == "draft"


def test_on_the_spot_filing_does_not_wait_for_payment(case_at, head_of):
    case = case_at("served", procedure="summary")  # decided on 2025-09-15, not paid
    head = head_of(case.agency_id)
    services.file_on_spot_decision(case, actor=head, on=date(2025, 9, 16))
    assert case.summary_filed_on == date(2025, 9, 16) and case.paid_on is None
    row = next(d for d in case.deadlines if d.kind == "summary_filing")
    assert row.met_on == date(2025, 9, 16)
    with pytest.raises(InvalidTransition):
        services.file_on_spot_decision(case, actor=head, on=date(2025, 9, 17))


def test_an_on_the_spot_case_closes_only_once_filed(case_at, head_of):
    case = case_at("executed", procedure="summary")
    head = head_of(case.agency_id)
    err = refused(services.apply_action, case, "close", actor=head, on=T.filed)
    assert "备案" in err.message and "第五十二条" in err.message
    services.file_on_spot_decision(case, actor=head, on=T.filed)
    services.apply_action(case, "close", actor=head, on=T.filed)
    assert case.status == "closed"


def test_on_the_spot_filing_through_the_cli(app, case_at, head_of):
    case = case_at("decided", procedure="summary")
    ref, head = case.number, head_of(case.agency_id).username
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["cases", "file-on-spot", ref, "--as", head, "--on", "2025-09-16"])
    assert result.exit_code == 0, result.output
    assert "已于2025-09-16备案" in result.output
    again = runner.invoke(args=["cases", "file-on-spot", ref, "--as", head])
    assert again.exit_code != 0 and "已于2025-09-16备案" in again.output


# --- finding 3: no act dated in the future -------------------------------------------------------------------

def test_an_action_dated_tomorrow_is_refused_by_the_service(case_at, head_of):
    case = case_at("pending_filing")
    with pytest.raises(FutureDate) as info:
        services.apply_action(case, "approve_filing", actor=head_of(case.agency_id), on=TOMORROW)
    assert info.value.code == "future_date" and "国办发〔2018〕118号" in info.value.message
    assert case.status == "pending_filing" and case.number is None


def test_a_date_in_the_data_after_today_is_refused(case_at):
    case = case_at("decided")
    with pytest.raises(FutureDate) as info:
        services.apply_action(case, "serve_decision", actor=officer_user(case),
                              data={"method": "direct", "served_on": TOMORROW.isoformat()})
    assert "送达日期" in info.value.message and info.value.details["fields"]["served_on"]
    assert case.status == "decided"


def test_a_step_starting_tomorrow_is_refused(case_at):
    case = case_at("investigating")
    with pytest.raises(FutureDate):
        services.record_step(case, {"kind": "inquiry", "started_at": at(TOMORROW, 10).isoformat(),
                                    "place": "临江市建国街", "content": "问：……"}, actor=officer_user(case))


def test_future_dates_through_the_cli_and_the_api(app, client, case_at, head_of):
    from app.auth.services import issue_token
    from tests.helpers import bearer

    case = case_at("decided")
    case_id, officer = case.id, officer_user(case)
    raw, _ = issue_token(officer, "pytest")
    db.session.commit()
    cli = app.test_cli_runner().invoke(args=["cases", "action", str(case_id), "serve_decision", "--as",
                                             officer.username, "--data", '{"method": "direct"}',
                                             "--on", TOMORROW.isoformat()])
    assert cli.exit_code != 0 and "future_date" in cli.output and "晚于今天" in cli.output
    resp = client.post(f"/api/cases/{case_id}/actions/serve_decision",
                       json={"method": "direct", "served_on": TOMORROW.isoformat()}, headers=bearer(raw))
    assert resp.status_code == 422 and resp.get_json()["error"] == "future_date"
    assert db.session.get(Case, case_id).status == "decided"


# --- finding 4: an extension only before the 90 days have run out (APL Art 60; SPEC §11) ---------------------

def test_extension_on_the_last_day_is_granted_the_day_after_is_refused(case_at, head_of):
    case = case_at("investigating")  # filed 2025-09-16: decision due 2025-12-15
    head = head_of(case.agency_id)
    with pytest.raises(ExtensionTooLate) as info:
        services.extend_decision_deadline(case, days=30, reason="需要鉴定", actor=head, on=date(2025, 12, 16))
    assert "期限届满前" in info.value.message and "第六十条" in info.value.message
    assert case.decision_due == date(2025, 12, 15) and case.extension_days == 0
    services.extend_decision_deadline(case, days=30, reason="需要鉴定", actor=head, on=date(2025, 12, 15))
    assert case.decision_due == date(2026, 1, 14)


# --- finding 5: the order to correct and the defence points (APL Art 28, 45) --------------------------------

def test_a_penalty_decision_without_an_order_to_correct_is_refused(case_at, head_of):
    draft = {k: v for k, v in DEFAULT_DRAFT.items() if k != "correction"}
    case = case_at("notified", draft=draft)
    err = refused(services.apply_action, case, "decide", actor=head_of(case.agency_id), on=T.decided)
    assert "责令当事人改正或者限期改正" in err.message and "第二十八条" in err.message


def test_defence_points_need_adopted_and_a_reason(case_at):
    case = case_at("notified")
    with pytest.raises(InvalidInput) as info:
        services.save_draft(case, {**DEFAULT_DRAFT, "defence_points": [{"point": "摊位是临时的", "adopted": None,
                                                                         "reason": ""}]}, actor=officer_user(case))
    assert "是否采纳及理由" in info.value.message and "第四十五条" in info.value.message


def test_the_decision_prints_the_order_to_correct_and_each_defence_point(case_at, head_of, tmp_path):
    case = case_at("notified")
    services.save_draft(case, {**DEFAULT_DRAFT, "correction": "拆除占道摊位，恢复道路原状", "correction_by": "2025-10-20",
                               "defence_points": [
                                   {"point": "摊位只摆放了两小时", "adopted": False, "reason": "现场检查笔录记载已持续三日"},
                                   {"point": "家庭经济困难", "adopted": True, "reason": "有社区证明，在裁量档次内从轻"}]},
                        actor=officer_user(case))
    services.apply_action(case, "decide", actor=head_of(case.agency_id), on=T.decided)
    text = document_text(case, "decision", tmp_path)
    assert "责令你于2025年10月20日前改正违法行为：拆除占道摊位，恢复道路原状" in text
    assert "陈述申辩意见：摊位只摆放了两小时。复核意见：不予采纳，理由：现场检查笔录记载已持续三日" in text
    assert "复核意见：采纳，理由：有社区证明" in text


def test_the_follow_up_of_the_order_to_correct_is_recorded(case_at):
    case = case_at("served")
    officer = officer_user(case)
    with pytest.raises(InvalidInput):
        services.record_correction_check(case, checked_on=date(2025, 9, 29), corrected=True, result="已清理",
                                         actor=officer)  # before the decision
    services.record_correction_check(case, checked_on=date(2025, 10, 9), corrected=True,
                                     result="复查时摊位已清理，道路恢复通行", actor=officer)
    assert case.correction_checked_on == date(2025, 10, 9) and case.correction_result.startswith("已改正")
    assert case.events[-1].action == "correction_checked" and case.events[-1].ledger_seq


# --- finding 6: amounts as numbers; their sum counts (APL Art 63) ------------------------------------------

def test_confiscated_gains_count_for_the_hearing_right(make_case):
    case = make_case()
    services.save_draft(case, {**DEFAULT_DRAFT, "penalties": ["fine", "confiscation"], "fine": "2000",
                               "confiscation": "没收违法所得", "confiscated_gains": "9000"}, actor=officer_user(case))
    assert guards.hearing_right(case)  # 2,000 + 9,000 ≥ 10,000 for a person
    services.save_draft(case, {**DEFAULT_DRAFT, "penalties": ["fine", "confiscation"], "fine": "2000",
                               "confiscation": "没收违法所得", "confiscated_gains": "7000"}, actor=officer_user(case))
    assert not guards.hearing_right(case)


def test_confiscated_property_value_counts_for_the_major_catalogue(make_case):
    case = make_case()  # the matter's major criterion: 50,000 yuan
    services.save_draft(case, {**DEFAULT_DRAFT, "tier": "严重", "penalties": ["fine", "confiscation"],
                               "fine": "20000", "confiscation": "没收用于违法经营的三轮车两辆",
                               "confiscated_value": "35000"}, actor=officer_user(case))
    major, reasons = guards.is_major(case)
    assert major and any("罚没金额合计55000元" in r for r in reasons)


def test_amounts_must_be_numbers(make_case):
    case = make_case()
    with pytest.raises(InvalidInput) as info:
        services.save_draft(case, {**DEFAULT_DRAFT, "confiscated_gains": "约五千元"}, actor=officer_user(case))
    assert "confiscated_gains" in info.value.details["fields"]


def test_confiscation_without_an_amount_is_refused(case_at, head_of):
    draft = {**DEFAULT_DRAFT, "penalties": ["fine", "confiscation"], "confiscation": "没收违法所得"}
    case = case_at("investigating")
    services.save_draft(case, draft, actor=officer_user(case))
    err = refused(services.apply_action, case, "close_investigation", actor=officer_user(case), on=T.investigated)
    assert "以数字填写没收违法所得金额" in err.message


# --- finding 8: 公告送达 takes effect 30 days later; limitation runs to the discovery date --------------------

def test_service_by_announcement_takes_effect_thirty_days_later(case_at):
    case = case_at("decided")  # decided 2025-09-30, fine 1,000 yuan
    services.apply_action(case, "serve_decision", actor=officer_user(case), on=T.served,
                          data={"method": "announcement", "served_on": "2025-09-30"})
    assert case.service_effective_on == date(2025, 10, 30)
    assert case.payment_due == date(2025, 11, 14)  # 15 days from the effective service date


def test_an_announcement_period_ending_on_a_rest_day_moves_on(case_at):
    case = case_at("decided")
    services.apply_action(case, "serve_decision", actor=officer_user(case), on=date(2025, 10, 9),
                          data={"method": "announcement", "served_on": "2025-10-09"})
    assert case.service_effective_on == date(2025, 11, 10)  # 2025-11-08 is a Saturday


def test_limitation_runs_to_the_discovery_date_not_to_filing(make_case, make_matter, cases_agency):
    # Violation ended 2023-09-01; discovered 2025-08-20 (within two years); filed in September 2025.
    case = make_case(violation_on=date(2023, 9, 1))
    case.discovered_on = date(2025, 8, 20)
    services.apply_action(case, "submit_filing", actor=officer_user(case), on=T.created)
    assert case.status == "pending_filing"
    late = make_case(violation_on=date(2023, 9, 1))
    late.discovered_on = date(2025, 9, 2)
    err = refused(services.apply_action, late, "submit_filing", actor=officer_user(late), on=T.created)
    assert err.code == "limitation_expired" and "2025-09-02才被发现" in err.message


def test_discovery_date_is_taken_at_registration_and_checked(make_case, make_matter, cases_agency, make_officer):
    a, b = make_officer(cases_agency), make_officer(cases_agency)
    with pytest.raises(InvalidInput) as info:
        services.create_case(agency=a.agency, matter_version=make_matter(cases_agency), title="占道经营案",
                             area_code="220681", actor=a.user, violation_on=date(2025, 9, 1),
                             discovered_on=date(2025, 8, 1), officer_ids=[a.id, b.id], on=T.created)
    assert "发现日期不能早于违法行为发生日期" in info.value.message


# --- finding 9: major penalties need collective discussion (APL Art 57) ---------------------------------------

def test_a_major_penalty_needs_collective_discussion_minutes(case_at, head_of):
    case = case_at("notified", draft={**DEFAULT_DRAFT, "tier": "严重", "fine": "60000"})
    ctx = guards.GuardContext(case=case, on=T.decided)
    problems = guards.run(["collective_discussion"], ctx)
    assert "重大违法行为" in problems["collective_discussion"][0] and "第五十七条" in problems["collective_discussion"][0]
    head = head_of(case.agency_id)
    record_and_complete(case, "discussion", at(date(2025, 9, 29), 15), actor=officer_user(case), head=head,
                        extra={"attendees": ["王局长", "李副局长", "赵副局长"]})
    assert "讨论结论" in guards.run(["collective_discussion"], ctx)["collective_discussion"][0]


# --- decision kinds (APL Art 57) and discretion (APL Art 32) ------------------------------------------------

def investigated_case(case_at, draft):
    case = case_at("investigating")
    services.save_draft(case, draft, actor=officer_user(case))
    services.apply_action(case, "close_investigation", actor=officer_user(case), on=T.investigated)
    return case


def test_no_penalty_decision_needs_its_ground_and_is_published(case_at, head_of, tmp_path):
    from publicity.models import Publication

    draft = {**DEFAULT_DRAFT, "decision_kind": "no_penalty", "penalties": [], "fine": None, "tier": None,
             "correction": "立即清理占道物品"}
    case = case_at("investigating")
    officer, head = officer_user(case), head_of(case.agency_id)
    services.save_draft(case, draft, actor=officer)
    err = refused(services.apply_action, case, "close_investigation", actor=officer, on=T.investigated)
    assert "行政处罚法第三十条至第三十三条" in err.message
    services.save_draft(case, {**draft, "no_penalty_ground": "first_minor"}, actor=officer)
    services.apply_action(case, "close_investigation", actor=officer, on=T.investigated)
    services.apply_action(case, "decide", actor=head, on=T.decided)  # no advance notice needed
    assert case.decision_kind == "no_penalty" and "不罚" in case.decision_number
    text = document_text(case, "no_penalty_decision", tmp_path)
    assert "不予行政处罚决定书" in text and "初次违法且危害后果轻微并及时改正" in text
    pub = db.session.scalar(select(Publication).where(Publication.case_id == case.id))
    assert pub is not None and pub.kind == "penalty" and pub.penalty_text.startswith("不予行政处罚")


def test_a_penalty_still_needs_the_advance_notice(case_at, head_of):
    case = investigated_case(case_at, DEFAULT_DRAFT)
    err = refused(services.apply_action, case, "decide", actor=head_of(case.agency_id), on=T.decided)
    assert "应当送达行政处罚事先告知书（行政处罚法第四十四条）" in err.message


def test_transfer_to_the_judicial_organs_needs_the_receipt_and_is_not_published(case_at, head_of, tmp_path):
    from publicity.models import Publication

    draft = {**DEFAULT_DRAFT, "decision_kind": "transfer", "penalties": [], "fine": None, "tier": None,
             "transfer_organ": "临江市公安局"}
    case = investigated_case(case_at, draft)
    head = head_of(case.agency_id)
    err = refused(services.apply_action, case, "decide", actor=head, on=T.decided)
    assert "回执" in err.message
    services.apply_action(case, "decide", actor=head, on=T.decided,
                          data={"received_on": "2025-09-30", "receipt_number": "临公（经）受字〔2025〕88号"})
    text = document_text(case, "transfer_letter", tmp_path)
    assert "涉嫌犯罪案件移送书" in text and "临江市公安局" in text and "临公（经）受字〔2025〕88号" in text
    pub = db.session.scalar(select(Publication).where(Publication.case_id == case.id))
    assert pub.status == "not_published" and pub.ground == "transferred_crime"


def test_facts_not_established_is_not_published(case_at, head_of):
    from publicity.models import Publication

    draft = {**DEFAULT_DRAFT, "decision_kind": "not_established", "penalties": [], "fine": None, "tier": None}
    case = investigated_case(case_at, draft)
    services.apply_action(case, "decide", actor=head_of(case.agency_id), on=T.decided)
    assert case.decision_kind == "not_established"
    assert db.session.scalar(select(Publication).where(Publication.case_id == case.id)) is None


def test_a_fine_below_the_tier_needs_a_mitigating_factor(make_case):
    case = make_case()
    ctx = guards.GuardContext(case=case, on=T.investigated)
    services.save_draft(case, {**DEFAULT_DRAFT, "fine": "100"}, actor=officer_user(case))  # tier 一般: 200-5000
    assert "减轻处罚须记载减轻情节（行政处罚法第三十二条）" in " ".join(guards.run(["draft_decision"], ctx)["draft_decision"])
    services.save_draft(case, {**DEFAULT_DRAFT, "fine": "100", "discretion_factors": [
        {"kind": "mitigated", "factor": "主动消除违法行为危害后果"}, {"kind": "lighter", "factor": "初次违法"}]},
        actor=officer_user(case))
    assert guards.run(["draft_decision"], ctx) == {}
    services.save_draft(case, {**DEFAULT_DRAFT, "fine": "6000", "discretion_factors": [
        {"kind": "heavier", "factor": "拒不改正"}]}, actor=officer_user(case))
    assert "不在“一般”裁量档次范围内" in guards.run(["draft_decision"], ctx)["draft_decision"][0]


# --- finding 11: statistics leave out revoked decisions and show the withdrawal --------------------------

def test_statistics_exclude_a_revoked_decision_and_show_it(case_at, head_of):
    from publicity import queries, services as publicity_services
    from publicity.models import Publication

    kept = case_at("decided")
    revoked = case_at("decided", draft={**DEFAULT_DRAFT, "fine": "3000"})
    before = queries.statistics(2025)
    pub = db.session.scalar(select(Publication).where(Publication.case_id == revoked.id))
    head = head_of(revoked.agency_id)
    publicity_services.approve(pub, actor=head, on=date(2025, 10, 9))
    publicity_services.withdraw(pub, actor=head, reason="revoked", note="经行政复议撤销", event_on=date(2025, 11, 3),
                                on=date(2025, 11, 4))
    after = queries.statistics(2025)
    assert after["total"]["decisions"] == before["total"]["decisions"] - 1
    assert after["total"]["fines"] == before["total"]["fines"] - Decimal("3000")
    assert after["outcomes"]["行政处罚决定被依法撤销（不计入处罚决定件数和罚款金额）"] == 1
    assert kept.decided_on.year == 2025


# --- findings 6 and 9 at the other entry points --------------------------------------------------------------

def test_amounts_must_be_numbers_through_the_api(client, make_case):
    from tests.helpers import bearer
    from app.auth.services import issue_token

    case = make_case()
    raw, _ = issue_token(officer_user(case), "pytest")
    db.session.commit()
    resp = client.put(f"/api/cases/{case.id}/draft", json={**DEFAULT_DRAFT, "confiscated_gains": "约五千元"},
                      headers=bearer(raw))
    assert resp.status_code == 422 and "confiscated_gains" in resp.get_json()["details"]["fields"]


def test_a_major_penalty_without_collective_discussion_is_refused_by_the_api_and_the_cli(app, client, case_at,
                                                                                         head_of):
    from tests.helpers import bearer
    from app.auth.services import issue_token

    case = case_at("notified", draft={**DEFAULT_DRAFT, "tier": "严重", "fine": "60000"})
    head = head_of(case.agency_id)
    raw, _ = issue_token(head, "pytest")
    db.session.commit()
    case_id, ref, head_name = case.id, case.number, head.username
    resp = client.post(f"/api/cases/{case_id}/actions/decide", json={}, headers=bearer(raw))
    body = resp.get_json()
    assert resp.status_code == 409 and "collective_discussion" in body["details"]["problems"]
    assert "第五十七条" in body["details"]["problems"]["collective_discussion"][0]
    result = app.test_cli_runner().invoke(args=["cases", "action", ref, "decide", "--as", head_name,
                                                "--on", T.decided.isoformat()])
    assert result.exit_code != 0 and "集体讨论" in result.output and "第五十七条" in result.output
    assert db.session.get(Case, case_id).status == "notified"
