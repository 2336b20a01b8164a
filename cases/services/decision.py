"""Decision (告知、听证、决定): the advance notice, the hearing, the decision and the decision-period extension."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from app import calendar
from app.errors import ExtensionTooLate, InvalidInput, InvalidTransition, PermissionDenied
from app.extensions import db
from app.timeutil import local, today_china
from cases import permissions
from cases.models import Case, Procedure, StepKind
from cases.services.common import _cfg, _date, document_number, ensure_not_future, next_serial, record_event
from cases.services.deadlines import meet_deadline, set_deadline


def extend_decision_deadline(case, *, days: int, reason: str, actor, on: date | None = None) -> Case:
    """APL Art 60: the 90-day limit may be extended with the head's approval (default +30 days), and only
    while it runs: an extension approved after the period has run out cannot cure the delay (SPEC §11)."""
    from flask import current_app

    if not permissions.can_head_approve(actor, case):
        raise PermissionDenied("延长办案期限须经机关负责人批准")
    if case.decision_due is None or case.decided_on is not None:
        raise InvalidTransition("只有已立案、尚未作出决定的案件可以延长办案期限")
    ensure_not_future(on, "on", "批准日期")
    on = on or today_china()
    if on > case.decision_due:
        raise ExtensionTooLate(f"办案期限已于{case.decision_due.isoformat()}届满，延长办案期限须在期限届满前经机关负责人"
                               f"批准（行政处罚法第六十条；SPEC §11），{on.isoformat()}不能再延长",
                               details={"fields": {"days": ["办案期限已届满，不能再延长"]}})
    limit = current_app.config.get("DECISION_EXTENSION_DAYS", 30)
    if not (reason or "").strip():
        raise InvalidInput("请填写延长理由", details={"fields": {"reason": ["请填写延长理由"]}})
    if days <= 0 or case.extension_days + days > limit:
        raise InvalidInput(f"延长期限累计不得超过{limit}日（已延长{case.extension_days}日）",
                           details={"fields": {"days": [f"累计不得超过{limit}日"]}})
    case.extension_days += days
    case.decision_due = case.decision_due + timedelta(days=days)
    set_deadline(case, "decision", case.decision_due)
    db.session.flush()
    record_event(case, "deadline_extended", actor, note=reason, data={"days": days, "approved_on": on,
                                                                      "decision_due": case.decision_due})
    return case


def _serve_notice(case, data, on, actor):
    """事先告知 (APL Art 44): the notice records the intended decision; served again (a heavier decision, other
    facts or basis: APL Art 62), it opens new defence and hearing windows."""
    from cases.rules import notice_snapshot

    served = _date(data.get("served_on")) or on
    if case.notice_served_on is not None and served < case.notice_served_on:
        raise InvalidInput("重新告知的送达日期不能早于前次告知", details={"fields": {"served_on": ["不能早于前次告知"]}})
    renotice = case.notice_served_on is not None
    from cases.services.service import effective_service_date

    method = data.get("method") or "direct"
    case.notice_served_on = served
    case.notice_method = method
    # 公告送达 takes effect 30 days after the announcement (民事诉讼法 Art 95): the windows start then.
    case.notice_effective_on = effective_service_date(case, method, served)
    case.defence_waived = bool(data.get("waived"))
    case.noticed = notice_snapshot(case.draft)
    case.notice_count = (case.notice_count or 0) + 1
    from cases.guards import hearing_right

    start = case.notice_effective_on
    defence_until = set_deadline(case, "defence", start, start=start)
    defence_until.met_on = None
    hearing_until = None
    if hearing_right(case):
        row = set_deadline(case, "hearing_request", start, start=start)
        row.met_on = None
        hearing_until = row.due_on
        if renotice:
            case.hearing_requested_on = None
    return {"served_on": served, "method": method, "effective_on": case.notice_effective_on,
            "defence_until": defence_until.due_on, "hearing_request_until": hearing_until,
            "waived": case.defence_waived, "draft_sha256": case.draft_sha256, "notice_number": case.notice_count,
            "intended": case.noticed}


def _request_hearing(case, data, on, actor):
    case.hearing_requested_on = _date(data.get("requested_on")) or on
    meet_deadline(case, "hearing_request", case.hearing_requested_on)
    return {"requested_on": case.hearing_requested_on}


def _hold_hearing(case, data, on, actor):
    step = [s for s in case.steps if s.kind == StepKind.hearing.value and s.completed_at][-1]
    case.hearing_on = local(step.started_at).date()  # the legal date is the China date
    return {"hearing_step_id": step.id, "hearing_on": case.hearing_on}


#: The character(s) in the number of each kind of decision (GB/T 9704 style).
DECISION_CODES = {"penalty": "罚", "no_penalty": "不罚", "not_established": "不罚", "transfer": "移"}


def _decide(case, data, on, actor):
    from cases.rules import amounts, decision_kind

    draft = case.draft or {}
    kind = decision_kind(draft)
    case.decided_on = on
    case.decision_kind = kind
    code = "当罚" if case.procedure == Procedure.summary.value else DECISION_CODES[kind]
    case.decision_number = document_number(case.agency, code, on)
    case.penalties = list(draft.get("penalties") or [])
    case.fine_amount = Decimal(draft["fine"]) if draft.get("fine") else None
    counted = amounts(draft)
    case.gains_amount, case.property_value = counted["gains"], counted["value"]
    record = {}
    if case.procedure == Procedure.summary.value:
        record = _on_spot_record(case, data, on)
    if kind == "transfer":
        record["transfer"] = {"organ": draft.get("transfer_organ"), "received_on": data.get("received_on"),
                              "receipt_number": (data.get("receipt_number") or "").strip()}
    case.decision_record = record or None
    meet_deadline(case, "decision", on)
    meet_deadline(case, "defence", on)
    # Deciding closes the hearing-request window too; left open, it would show as overdue (超期预警).
    meet_deadline(case, "hearing_request", on)
    from cases.guards import closures

    if case.procedure == Procedure.summary.value:
        case.filed_on = on
        case.number = f"{case.agency.doc_prefix}简〔{on.year}〕{next_serial(case.agency_id, '简', on.year):04d}号"
        set_deadline(case, "summary_filing",
                     calendar.add_working_days(on, _cfg("SUMMARY_FILING_WORKING_DAYS", 7), closures(case)))
    else:
        set_deadline(case, "service",
                     calendar.add_working_days(on, _cfg("SERVICE_WORKING_DAYS", 7), closures(case)))
    return {"decision_number": case.decision_number, "decided_on": on, "draft_sha256": case.draft_sha256,
            "kind": kind, "penalties": case.penalties, "fine": case.fine_amount, "gains": case.gains_amount,
            "property_value": case.property_value, "record": record}


def _on_spot_record(case, data, on) -> dict:
    """APL Art 52, 55: the place of the violation and, per officer, the certificate shown (None given: every
    officer of the case showed theirs, as for a step record)."""
    from cases.services.steps import _best_certificate

    shown_ids = data.get("certificate_shown_ids")
    shown = {co.officer_id for co in case.officers} if shown_ids is None else {int(i) for i in shown_ids}
    place = (data.get("place") or case.place or "").strip()
    if data.get("place"):
        case.place = place
    rows = []
    for co in case.officers:
        cert = _best_certificate(co.officer)
        rows.append({"officer_id": co.officer_id, "name": co.officer.name,
                     "certificate_number": cert.number if cert else None,
                     "certificate_shown": co.officer_id in shown})
    return {"place": place, "certificates": rows}


def file_on_spot_decision(case, *, actor, on: date | None = None, note: str = ""):
    """备案: an on-the-spot decision is filed with the agency within the filing period, whether or not the
    fine has been paid (APL Art 52). The head (or an officer of the case) records it; once only."""
    from cases.models import CaseStatus

    if not (permissions.can_head_approve(actor, case) or permissions.can_edit_case(actor, case)):
        raise PermissionDenied("当场处罚决定备案须由本案执法人员或机关负责人登记")
    if case.procedure != Procedure.summary.value or case.decided_on is None:
        raise InvalidTransition("只有已当场作出的行政处罚决定需要备案（行政处罚法第五十二条）")
    if case.summary_filed_on is not None:
        raise InvalidTransition(f"该当场处罚决定已于{case.summary_filed_on.isoformat()}备案")
    if CaseStatus(case.status) in (CaseStatus.terminated,):
        raise InvalidTransition(f"案件{case.status_label}，不能备案")
    ensure_not_future(on, "on", "备案日期")
    on = on or today_china()
    if on < case.decided_on:
        raise InvalidInput("备案日期不能早于决定日期", details={"fields": {"on": ["不能早于决定日期"]}})
    case.summary_filed_on = on
    meet_deadline(case, "summary_filing", on)
    db.session.flush()
    due = next((d.due_on for d in case.deadlines if d.kind == "summary_filing"), None)
    record_event(case, "on_spot_filed", actor, note=(note or "").strip(),
                 data={"filed_on": on, "due_on": due, "late": bool(due and on > due),
                       "paid": case.paid_on is not None})
    return case


def record_correction_check(case, *, checked_on=None, corrected: bool, result: str, actor):
    """复查: the follow-up of the order to correct (APL Art 28) — when it was checked, whether the party
    corrected, and what was found. May be recorded again (a later check); each is an event."""
    from cases.rules import correction_problems

    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied("只有本案承办执法人员可以登记责令改正的复查情况")
    if case.decided_on is None or case.decision_kind not in (None, "penalty") or correction_problems(case.draft) \
            or not (case.draft or {}).get("correction"):
        raise InvalidTransition("只有已作出并责令改正的行政处罚决定可以登记改正复查情况（行政处罚法第二十八条）")
    checked = _date(checked_on) or today_china()
    ensure_not_future(checked, "checked_on", "复查日期")
    if checked < case.decided_on:
        raise InvalidInput("复查日期不能早于决定日期", details={"fields": {"checked_on": ["不能早于决定日期"]}})
    if not (result or "").strip():
        raise InvalidInput("请填写复查情况", details={"fields": {"result": ["请填写复查情况"]}})
    if not isinstance(corrected, bool):
        raise InvalidInput("请选择当事人是否已改正", details={"fields": {"corrected": ["请选择是否已改正"]}})
    case.correction_checked_on = checked
    case.correction_result = ("已改正：" if corrected else "未改正：") + result.strip()
    db.session.flush()
    due = (case.draft or {}).get("correction_by")
    record_event(case, "correction_checked", actor, note=result.strip(),
                 data={"checked_on": checked, "corrected": corrected, "correction_by": due})
    return case
