"""Coercive measures (AEL Art 18-28, APL Art 56): approval or the emergency path, the on-site record with
certificates, the term with extension and testing time, release with a receipt, confiscation by the
decision, documents read back with pdftotext, and audio/video that must cover the measure."""
import re
import subprocess
from datetime import date, datetime, timedelta, timezone

import pytest

from app.errors import DomainError, InvalidInput, InvalidTransition, PermissionDenied
from app.extensions import db
from app.storage import get_store
from cases import services as case_services
from cases.models import CaseDeadline
from inspections import measure_terms as terms
from inspections import measures, queries
from tests.cases.conftest import DEFAULT_DRAFT, T, at, officer_user
from tests.inspections.conftest import ingest_clip

ITEMS = [{"name": "冷冻牛肉", "quantity": "120", "unit": "千克", "place": "冷库A区", "condition": "包装完好，无标签"},
         {"name": "电子秤", "quantity": 2, "unit": "台", "place": "门市", "condition": "可正常使用"}]


def request(case, officer, kind="seize", **kw):
    return measures.request_measure(case, {"kind": kind, "reason": "涉嫌销售来源不明的冷冻肉品，可能转移",
                                           "basis": "《中华人民共和国食品安全法》第一百一十条", "items": ITEMS,
                                           "storage_place": "临江市市场监管局暂扣物品仓库", **kw}, actor=officer)


def take(m, officer, start, minutes=40, **kw):
    return measures.take_measure(m, {"started_at": start.isoformat(),
                                     "ended_at": (start + timedelta(minutes=minutes)).isoformat(),
                                     "place": "临江市建国街18号冷库", **kw}, actor=officer)


def complete_justified(m, officer, head):
    """Complete the on-site record of a measure taken long ago through the head-approved justification."""
    case_services.justify_missing_av(m.step, "执法记录仪故障，已书面说明", actor=officer)
    case_services.approve_av_justification(m.step, actor=head)
    measures.complete_record(m, actor=officer)


def pdf_text(document, tmp_path) -> str:
    data = b"".join(get_store().open(document.storage_key))
    path = tmp_path / f"doc{document.id}.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", out)


def refused(fn, *args, **kw) -> DomainError:
    with pytest.raises(DomainError) as exc:
        fn(*args, **kw)
    db.session.rollback()
    return exc.value


def test_prior_approval_then_two_certified_officers_showing_certificates(m_case):
    case, officer, head = m_case.case, m_case.officer, m_case.head
    m = request(case, officer)
    db.session.commit()
    err = refused(take, m, officer, m_case.start)
    assert "行政强制法第十八条" in err.message and m.status == "requested"
    err = refused(measures.decide_request, m, approve=True, actor=officer)
    assert isinstance(err, PermissionDenied)
    measures.decide_request(m, approve=True, actor=head, note="同意")
    db.session.commit()
    err = refused(take, m, officer, m_case.start, certificate_shown_ids=[])
    assert "未出示执法证件" in err.message and m.status == "approved" and m.step_id is None
    err = refused(take, m, officer, m_case.start, signature="refused", refusal_note="拒绝签字")
    assert "见证人" in err.message and "行政强制法第十八条" in err.message
    take(m, officer, m_case.start, signature="refused", refusal_note="当事人拒绝签字", witness="社区主任刘某")
    db.session.commit()
    assert m.status == "in_force" and m.taken_on == m_case.start.astimezone(timezone(timedelta(hours=8))).date()
    assert m.term_end == m.taken_on + timedelta(days=30)
    row = db.session.scalar(db.select(CaseDeadline).where(CaseDeadline.kind == f"measure{m.id}_term"))
    assert row.due_on == m.term_end and "第二十五条" in row.basis
    assert [o["certificate_shown"] for o in m.step.officers] == [True, True]
    assert [e.action for e in m.events] == ["requested", "approved", "taken"]
    assert all(e.ledger_seq is not None for e in m.events)
    assert "measure_taken" in [e.action for e in case.events]


def test_one_officer_alone_cannot_take_a_measure(m_case):
    case, officer, head = m_case.case, m_case.officer, m_case.head
    m = request(case, officer)
    measures.decide_request(m, approve=True, actor=head)
    db.session.commit()
    err = refused(take, m, officer, m_case.start, officer_ids=[case.officers[0].officer_id])
    assert err.code == "certificate_invalid" and "行政强制法第十八条" in err.message and m.step_id is None


def test_emergency_path_refused_means_release_at_once(m_case, tmp_path):
    case, officer, head = m_case.case, m_case.officer, m_case.head
    err = refused(request, case, officer, emergency=True)
    assert "行政强制法第十九条" in err.message  # the emergency needs its reason
    m = request(case, officer, emergency=True, emergency_reason="当事人正在装车转移")
    take(m, officer, m_case.start)  # no approval yet: allowed in an emergency
    db.session.commit()
    assert m.status == "in_force" and m.report_due_at == m.taken_at + timedelta(hours=24)
    assert any(d.kind == f"measure{m.id}_report" for d in case.deadlines)
    assert m in queries.overview(head)["unratified"]
    measures.report_emergency(m, actor=officer, note="已当场扣押，报请批准")
    err = refused(measures.decide_request, m, approve=False, actor=head)
    assert "理由" in err.message
    measures.decide_request(m, approve=False, actor=head, note="证据不足，不应扣押")
    db.session.commit()
    assert m.refused_at is not None and m.status == "in_force"
    assert m in queries.overview(head)["overdue"]  # refused and not yet released
    terms.release(m, {"ground": "not_ratified", "place": "冷库", "signature": "signed"}, actor=officer)
    db.session.commit()
    assert m.status == "released" and all(i.held_quantity == 0 for i in m.items)
    doc = case.documents[-1]
    assert doc.kind == "measure_release"
    text = pdf_text(doc, tmp_path)
    assert "解除行政强制措施决定书" in text and "机关负责人认为不应当采取行政强制措施" in text
    assert "冷冻牛肉" in text and "120千克" in text and "行政强制法》第二十八条" in text


def test_emergency_ratified(m_case):
    m = request(m_case.case, m_case.officer, emergency=True, emergency_reason="夜间无法联系负责人")
    take(m, m_case.officer, m_case.start)
    measures.decide_request(m, approve=True, actor=m_case.head)
    db.session.commit()
    assert m.approved_by_id == m_case.head.id and m.status == "in_force"
    assert m.events[-1].action == "ratified" and m.events[-1].data["after_24_hours"] is False
    assert m not in queries.overview(m_case.head)["unratified"]


def test_term_does_not_move_past_a_rest_day_and_extension_only_once_before_expiry(m_case, tmp_path):
    case, officer, head = m_case.case, m_case.officer, m_case.head
    m = request(case, officer)
    measures.decide_request(m, approve=True, actor=head)
    take(m, officer, datetime(2025, 10, 2, 9, 0, tzinfo=timezone.utc))
    db.session.commit()
    # 2025-10-02 + 30 days = Saturday 2025-11-01: the restriction ends there, not on Monday (SPEC §11).
    assert m.term_end == date(2025, 11, 1)
    err = refused(terms.extend, m, actor=head, days=30, reason="需要检验", on=date(2025, 11, 3))
    assert "届满" in err.message and "不能再延长" in err.message and m.extended_days == 0
    err = refused(terms.extend, m, actor=officer, days=30, reason="情况复杂", on=date(2025, 10, 20))
    assert isinstance(err, PermissionDenied)
    err = refused(terms.extend, m, actor=head, days=31, reason="情况复杂", on=date(2025, 10, 20))
    assert "不得超过30日" in err.message
    terms.extend(m, actor=head, days=30, reason="案情复杂，需进一步调查货物来源", on=date(2025, 10, 20))
    db.session.commit()
    assert m.term_end == date(2025, 12, 1) and m.extended_days == 30
    err = refused(terms.extend, m, actor=head, days=10, reason="再延长", on=date(2025, 11, 20))
    assert "只能延长一次" in err.message
    text = pdf_text(case.documents[-1], tmp_path)
    assert "延长查封（扣押）期限决定书" in text and "延长30日" in text and "2025年12月1日" in text


def test_testing_time_is_excluded_and_notified(m_case, tmp_path):
    case, officer, head = m_case.case, m_case.officer, m_case.head
    m = request(case, officer)
    measures.decide_request(m, approve=True, actor=head)
    take(m, officer, datetime(2025, 10, 2, 9, 0, tzinfo=timezone.utc))
    db.session.commit()
    err = refused(terms.add_testing, m, actor=officer, start="2025-11-05", end="2025-11-09", purpose="兽药残留检测")
    assert "期限内" in err.message
    terms.add_testing(m, actor=officer, start="2025-10-10", end="2025-10-19", purpose="兽药残留检测", on="2025-10-10")
    db.session.commit()
    assert m.testing_days == 10 and m.term_end == date(2025, 11, 11)
    doc = case.documents[-1]
    assert doc.kind == "measure_testing"
    text = pdf_text(doc, tmp_path)
    assert "兽药残留检测" in text and "不计入" in text and "2025年11月11日" in text


def test_release_after_the_term_is_late_and_the_decision_may_not_confiscate(app_ctx, case_at, head_of):
    case = case_at("notified", draft={**DEFAULT_DRAFT, "penalties": ["fine", "confiscation"],
                                      "confiscated_value": "2400.00"})
    officer, head = officer_user(case), head_of(case.agency_id)
    m = request(case, officer)
    measures.decide_request(m, approve=True, actor=head)
    take(m, officer, datetime(2025, 8, 20, 2, 0, tzinfo=timezone.utc))  # term ends 2025-09-19
    complete_justified(m, officer, head)
    db.session.commit()
    err = refused(case_services.apply_action, case, "decide", actor=head, on=T.decided)
    assert "行政强制法第二十七条" in err.message and "不得在处罚决定中没收" in err.message
    assert case.status == "notified" and m.status == "in_force"
    assert m in queries.overview(head)["overdue"]
    terms.release(m, {"ground": "term_expired", "place": "仓库"}, actor=officer)
    db.session.commit()
    assert m.status == "released" and m.events[-1].data["late"] is True


def test_confiscation_in_the_decision_within_the_term(app_ctx, case_at, head_of):
    case = case_at("notified", draft={**DEFAULT_DRAFT, "penalties": ["fine", "confiscation"],
                                      "confiscated_value": "2400.00"})
    officer, head = officer_user(case), head_of(case.agency_id)
    m = request(case, officer)
    measures.decide_request(m, approve=True, actor=head)
    take(m, officer, datetime(2025, 9, 22, 2, 0, tzinfo=timezone.utc))
    complete_justified(m, officer, head)
    terms.release(m, {"ground": "unrelated", "place": "门市", "items": [{"item_id": m.items[1].id, "quantity": 2}]},
                  actor=officer)
    db.session.commit()
    assert m.status == "in_force" and m.items[1].held_quantity == 0
    case_services.apply_action(case, "decide", actor=head, on=T.decided)
    db.session.commit()
    assert m.status == "closed" and m.items[0].confiscated_quantity == 120
    assert m.events[-1].action == "confiscated" and m.events[-1].data["decision_number"] == case.decision_number


def test_partial_release_refuses_more_than_held(m_case):
    m = request(m_case.case, m_case.officer)
    measures.decide_request(m, approve=True, actor=m_case.head)
    take(m, m_case.officer, m_case.start)
    db.session.commit()
    beef = m.items[0]
    err = refused(terms.release, m, {"ground": "unrelated", "items": [{"item_id": beef.id, "quantity": 121}]},
                  actor=m_case.officer)
    assert "仅余120千克" in err.message
    terms.release(m, {"ground": "unrelated", "items": [{"item_id": beef.id, "quantity": 20}]}, actor=m_case.officer)
    db.session.commit()
    assert beef.held_quantity == 100 and m.status == "in_force" and m.events[-1].data["partial"] is True


def test_preservation_is_handled_within_seven_working_days(m_case):
    case, officer, head = m_case.case, m_case.officer, m_case.head
    m = request(case, officer, kind="preserve")
    measures.decide_request(m, approve=True, actor=head)
    take(m, officer, datetime(2025, 9, 26, 2, 0, tzinfo=timezone.utc))  # Friday before the National Day week
    db.session.commit()
    assert m.term_end == date(2025, 10, 13)  # 7 working days: 9-28 (make-up), 9-29, 9-30, 10-9, 10-10, 10-11, 10-13
    err = refused(terms.extend, m, actor=head, days=5, reason="x", on=date(2025, 10, 1))
    assert "行政处罚法第五十六条" in err.message
    err = refused(terms.convert_preservation, m, actor=officer, kind="seize", on=date(2025, 10, 14))
    assert "七个工作日" in err.message
    new = terms.convert_preservation(m, actor=officer, kind="seize", on=date(2025, 10, 13))
    db.session.commit()
    assert m.status == "converted" and new.status == "requested" and new.items[0].quantity == 120


def test_a_short_clip_does_not_cover_a_forty_minute_seizure(m_case, clips):
    case, officer = m_case.case, m_case.officer
    m = request(case, officer)
    measures.decide_request(m, approve=True, actor=m_case.head)
    take(m, officer, m_case.start, minutes=40)
    db.session.commit()
    ingest_clip(clips.short, case, actor=officer, started_at=m_case.start, step=m.step)
    db.session.commit()
    err = refused(measures.complete_record, m, actor=officer)
    assert err.code == "recording_required"
    assert "共40分钟" in err.message and "只覆盖4秒" in err.message and "118号" in err.message
    assert m.step.completed_at is None and not any(d.kind == "seizure_decision" for d in case.documents)


def test_two_clips_with_a_noted_interruption_cover_the_seizure(m_case, clips, tmp_path):
    case, officer = m_case.case, m_case.officer
    start = m_case.start
    m = request(case, officer)
    measures.decide_request(m, approve=True, actor=m_case.head)
    take(m, officer, start, minutes=40)
    db.session.commit()
    # 20:00 of recording, a 30-second break noted with its reason, then 19:30 more.
    ingest_clip(clips.first, case, actor=officer, started_at=start, step=m.step, interruptions=[
        {"from": (start + timedelta(minutes=20)).isoformat(), "to": (start + timedelta(minutes=21)).isoformat(),
         "reason": "更换执法记录仪电池"}])
    ingest_clip(clips.second, case, actor=officer, started_at=start + timedelta(minutes=20, seconds=30), step=m.step)
    db.session.commit()
    measures.complete_record(m, actor=officer)
    db.session.commit()
    doc = next(d for d in case.documents if d.kind == "seizure_decision")
    text = pdf_text(doc, tmp_path)
    assert "查封（扣押）决定书" in text and "冷冻牛肉" in text and "状况：包装完好" in text
    assert "行政复议" in text and "行政诉讼" in text and "涉嫌销售来源不明的冷冻肉品" in text


def test_a_gap_without_a_noted_interruption_is_refused(m_case, clips):
    case, officer, start = m_case.case, m_case.officer, m_case.start
    m = request(case, officer)
    measures.decide_request(m, approve=True, actor=m_case.head)
    take(m, officer, start, minutes=40)
    ingest_clip(clips.first, case, actor=officer, started_at=start, step=m.step)
    # A 90-second gap, no interruption noted on either recording.
    ingest_clip(clips.second, case, actor=officer, started_at=start + timedelta(minutes=21, seconds=30), step=m.step)
    db.session.commit()
    err = refused(measures.complete_record, m, actor=officer)
    assert "未覆盖的时段" in err.message and "注明起止时间和原因" in err.message


def test_leaving_service_needs_a_witness_or_a_covering_recording(m_case, clips):
    case, officer, start = m_case.case, m_case.officer, m_case.start
    data = {"kind": "service", "started_at": start.isoformat(), "ended_at": (start + timedelta(minutes=5)).isoformat(),
            "place": "当事人住所", "content": "留置送达扣押决定书", "signature": "refused", "refusal_note": "拒收",
            "extra": {"method": "leaving"}}
    step = case_services.record_step(case, data, actor=officer)
    db.session.commit()
    err = refused(case_services.complete_step, step, actor=officer)
    assert "民事诉讼法第八十九条" in err.message and step.completed_at is None
    with_witness = case_services.record_step(case, {**data, "extra": {"method": "leaving", "witness": "居委会主任赵某"}},
                                             actor=officer)
    case_services.complete_step(with_witness, actor=officer)
    recorded = case_services.record_step(case, {**data, "ended_at": (start + timedelta(minutes=15)).isoformat()},
                                         actor=officer)
    ingest_clip(clips.first, case, actor=officer, started_at=start, step=recorded)
    case_services.complete_step(recorded, actor=officer)
    db.session.commit()
    assert with_witness.completed_at and recorded.completed_at


def test_bad_input_is_refused_with_the_rule_and_writes_nothing(m_case):
    case, officer = m_case.case, m_case.officer
    for data, needle in ((dict(kind="x"), "措施种类"), (dict(items=[]), "行政强制法第二十四条"),
                         (dict(items=[{"name": "牛肉", "quantity": "-1"}]), "大于0"),
                         (dict(basis=""), "法律依据"), (dict(kind="freeze"), "行政强制法第二十九条")):
        err = refused(request, case, officer, **data)
        assert needle in err.message and err.status == 422
    assert queries.measures_of_case(case) == []


def test_a_measure_past_its_term_shows_on_the_supervision_dashboard(m_case, make_user):
    """SPEC §14 (dashboard: measures past term): in force after term_end counts; released does not."""
    from app.auth.models import User
    from supervision import dashboard

    case, officer, head = m_case.case, m_case.officer, m_case.head
    m = request(case, officer)
    measures.decide_request(m, approve=True, actor=head)
    take(m, officer, datetime(2025, 10, 2, 9, 0, tzinfo=timezone.utc))  # term ends 2025-11-01
    db.session.commit()
    supervisor = db.session.get(User, make_user(roles=("supervisor",)))

    def past_term(on):
        rows = {r.agency.id: r.figures for r in dashboard.board(supervisor, on)}
        return rows[case.agency_id]["measures_past_term"]

    assert past_term(date(2025, 11, 1)) == 0  # the last day of the term is still within it
    assert past_term(date(2025, 11, 2)) == 1
    terms.release(m, {"ground": "term_expired", "place": "仓库"}, actor=officer)
    db.session.commit()
    assert past_term(date(2025, 11, 2)) == 0
    assert dict(dashboard.COLUMN_LABELS)["measures_past_term"] == "强制措施超期"


def test_emergency_report_after_24_hours_needs_a_reason_and_ratification_is_marked_late(m_case):
    case, officer, head = m_case.case, m_case.officer, m_case.head
    m = request(case, officer, emergency=True, emergency_reason="当事人正在装车转移")
    take(m, officer, m_case.start - timedelta(hours=30))  # acted 32 hours ago: the 24-hour report is overdue
    db.session.commit()
    deadline = next(d for d in case.deadlines if d.kind == f"measure{m.id}_report")
    assert deadline.due_on <= date.today() and deadline.met_on is None
    err = refused(measures.report_emergency, m, actor=officer, note="报请批准")
    assert "二十四小时内" in err.message and "行政强制法第十九条" in err.message and m.reported_at is None
    measures.report_emergency(m, actor=officer, note="报请批准", late_reason="执法车辆途中故障，无法联系")
    measures.decide_request(m, approve=True, actor=head, note="同意")
    db.session.commit()
    assert m.events[-2].data["late"] is True and m.events[-1].data["after_24_hours"] is True
    assert deadline.met_on == date.today()
