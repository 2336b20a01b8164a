"""Decision (告知、听证、决定): the advance notice, the hearing, the decision and the decision-period extension."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from app import calendar
from app.errors import InvalidInput, InvalidTransition, PermissionDenied
from app.extensions import db
from app.timeutil import local
from cases import permissions
from cases.models import Case, Procedure, StepKind
from cases.services.common import _cfg, _date, document_number, next_serial, record_event
from cases.services.deadlines import meet_deadline, set_deadline


def extend_decision_deadline(case, *, days: int, reason: str, actor) -> Case:
    """APL Art 60: the 90-day limit may be extended with the head's approval (default +30 days)."""
    from flask import current_app

    if not permissions.can_head_approve(actor, case):
        raise PermissionDenied("延长办案期限须经机关负责人批准")
    if case.decision_due is None or case.decided_on is not None:
        raise InvalidTransition("只有已立案、尚未作出决定的案件可以延长办案期限")
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
    record_event(case, "deadline_extended", actor, note=reason, data={"days": days,
                                                                      "decision_due": case.decision_due})
    return case


def _serve_notice(case, data, on, actor):
    served = _date(data.get("served_on")) or on
    case.notice_served_on = served
    case.defence_waived = bool(data.get("waived"))
    from cases.guards import closures, hearing_right

    defence_until = calendar.add_working_days(served, _cfg("DEFENCE_WORKING_DAYS", 5), closures(case))
    set_deadline(case, "defence", defence_until)
    if hearing_right(case):
        set_deadline(case, "hearing_request",
                     calendar.add_working_days(served, _cfg("HEARING_REQUEST_WORKING_DAYS", 5), closures(case)))
    return {"served_on": served, "defence_until": defence_until, "waived": case.defence_waived,
            "draft_sha256": case.draft_sha256}


def _request_hearing(case, data, on, actor):
    case.hearing_requested_on = _date(data.get("requested_on")) or on
    meet_deadline(case, "hearing_request", case.hearing_requested_on)
    return {"requested_on": case.hearing_requested_on}


def _hold_hearing(case, data, on, actor):
    step = [s for s in case.steps if s.kind == StepKind.hearing.value and s.completed_at][-1]
    case.hearing_on = local(step.started_at).date()  # the legal date is the China date
    return {"hearing_step_id": step.id, "hearing_on": case.hearing_on}


def _decide(case, data, on, actor):
    draft = case.draft or {}
    case.decided_on = on
    code = "当罚" if case.procedure == Procedure.summary.value else "罚"
    case.decision_number = document_number(case.agency, code, on)
    case.penalties = list(draft.get("penalties") or [])
    case.fine_amount = Decimal(draft["fine"]) if draft.get("fine") else None
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
            "penalties": case.penalties, "fine": case.fine_amount}
