"""Execution (执行, SPEC §11; APL Art 66–73, AEL Art 35–54), closing (结案) and archiving (归档).

This module holds what the execution phase *is* on a given day — the schedule of sums due (the payment due
date, an approved deferral or instalments), the pauses (suspension, a pending reconsideration or lawsuit),
the surcharge and what is still owed (`state`) — and the effects of the workflow actions that move a case
through it: 催告 (send_reminder), 申请人民法院强制执行 (apply_enforcement), 中止/恢复/终结执行,
执行完毕 (record_execution), 结案, 归档. Payments and deferral/instalment plans, which change no status by
themselves, are in `cases.services.payments`. Their guards are in `cases.execution_guards`.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from app import calendar
from app.timeutil import today_china
from cases import deadline_rules, remedy_periods, surcharge
from cases.execution_models import ActKind, ExecutionAct, PaymentPlan, PlanStatus
from cases.services.common import _cfg, _date
from cases.services.deadlines import meet_deadline, set_deadline

ZERO = Decimal("0.00")

#: 中止执行 grounds (AEL Art 39).
SUSPENSION_GROUNDS = {
    "hardship": "当事人履行行政决定确有困难或者暂无履行能力（行政强制法第三十九条第一款第一项）",
    "third_party": "第三人对执行标的主张权利，确有理由（行政强制法第三十九条第一款第二项）",
    "irreparable": "执行可能造成难以弥补的损失，且中止执行不损害公共利益（行政强制法第三十九条第一款第三项）",
    "other": "行政机关认为需要中止执行的其他情形（行政强制法第三十九条第一款第四项）",
}
#: 终结执行 grounds (AEL Art 40).
TERMINATION_GROUNDS = {
    "death": "公民死亡，无遗产可供执行，又无义务承受人（行政强制法第四十条第一项）",
    "dissolved": "法人或者其他组织终止，无财产可供执行，又无义务承受人（行政强制法第四十条第二项）",
    "object_lost": "执行标的灭失（行政强制法第四十条第三项）",
    "decision_revoked": "据以执行的行政决定被撤销（行政强制法第四十条第四项）",
    "other": "行政机关认为需要终结执行的其他情形（行政强制法第四十条第五项）",
}


# --- what is owed ----------------------------------------------------------------------------------------

def fine_of(case) -> Decimal:
    return Decimal(case.fine_amount or 0)


def approved_plan(case) -> PaymentPlan | None:
    plans = [p for p in getattr(case, "payment_plans", []) if p.status == PlanStatus.approved.value]
    return plans[-1] if plans else None


def pending_plan(case) -> PaymentPlan | None:
    plans = [p for p in getattr(case, "payment_plans", []) if p.status == PlanStatus.pending.value]
    return plans[-1] if plans else None


def schedule(case) -> list[tuple[date, Decimal]]:
    """The sums due and when: the payment due date, or what an approved plan put in its place."""
    fine = fine_of(case)
    if not fine or case.payment_due is None:
        return []
    plan = approved_plan(case)
    if plan is None:
        return [(case.payment_due, fine)]
    # A plan's rows (one for a deferral, several for instalments) cover what was unpaid when it was asked.
    # A due date on a rest day moves to the next working day, as the payment period's own end does.
    closed = _closures(case)
    rows = [(calendar.next_working_day(date.fromisoformat(r["due_on"]), closed), Decimal(r["amount"]))
            for r in (plan.instalments or [])]
    settled = fine - sum((a for _, a in rows), ZERO)  # the part already paid when the plan was asked for
    if settled > 0:
        rows.insert(0, (case.payment_due, settled))
    return rows


def acts(case, kind: ActKind | None = None) -> list[ExecutionAct]:
    rows = list(getattr(case, "execution_acts", []))
    return [a for a in rows if kind is None or a.kind == kind.value]


def pauses(case) -> list[tuple[date, date | None]]:
    """Days on which no surcharge accrues: suspensions (AEL Art 39, 12) and pending remedies (APL Art 73)."""
    out, start = [], None
    for act in acts(case):
        if act.kind == ActKind.suspension.value and start is None:
            start = act.on
        elif act.kind == ActKind.resumption.value and start is not None:
            out.append((start, act.on - timedelta(days=1)))
            start = None
    if start is not None:
        out.append((start, None))
    out.extend((p.started_on, p.ended_on) for p in remedy_periods.periods(case))
    voided = voided_by(case)
    if voided is not None:
        out.append((voided.on, None))  # nothing accrues on a decision that no longer stands
    return out


def voided_by(case) -> ExecutionAct | None:
    """The remedy outcome that took away the decision being executed (revoked, confirmed invalid), if any."""
    return next((a for a in acts(case, ActKind.remedy) if a.data.get("voids")), None)


def payments_of(case) -> list[tuple[date, Decimal]]:
    return [(p.paid_on, Decimal(p.amount)) for p in getattr(case, "payments", [])]


def state(case, as_of: date | None = None, extra_payment: tuple[date, Decimal] | None = None):
    """The surcharge and what is owed on `as_of` (default today), optionally with one more payment."""
    as_of = as_of or today_china()
    payments = payments_of(case) + ([extra_payment] if extra_payment else [])
    return surcharge.compute(fine_of(case), schedule(case), payments, as_of=as_of, pauses=pauses(case),
                             rate_percent=_cfg("LATE_SURCHARGE_PERCENT", 3))


def next_due(case, as_of: date | None = None) -> date | None:
    """The first due date of the schedule that payments made so far do not cover."""
    paid = surcharge.allocate(fine_of(case), [p for p in payments_of(case) if as_of is None or p[0] <= as_of])
    paid = sum((f for _, f, _ in paid), ZERO)
    running = ZERO
    for due_on, amount in schedule(case):
        running += amount
        if running > paid:
            return due_on
    return None


def last_reminder(case) -> ExecutionAct | None:
    """The 催告 that counts: the latest one served after the latest resumption of execution."""
    current = None
    for act in acts(case):
        if act.kind == ActKind.reminder.value:
            current = act
        elif act.kind == ActKind.resumption.value:
            current = None
    return current


def late_surcharge(fine: Decimal, due: date, paid_on: date) -> Decimal:
    """APL Art 72 for a single sum paid at once: 3% of the fine a day after the due date, never more than
    the fine itself (the day-by-day rule in `cases.surcharge`, with one payment)."""
    return surcharge.compute(fine, [(due, fine)], as_of=paid_on,
                             rate_percent=_cfg("LATE_SURCHARGE_PERCENT", 3)).total if fine else ZERO


# --- deadlines of the phase --------------------------------------------------------------------------------

def open_deadline(case, kind, start: date, *, due: date | None = None, n: int | None = None):
    """Set (or re-open) a deadline computed by its rule from `start`, or a fixed `due`."""
    if due is None:
        due, rule = deadline_rules.due(case, kind, start, n)
        row = set_deadline(case, kind, due, start=start)
    else:
        row = set_deadline(case, kind, due)
        row.start_on, row.rule = None, None
    row.met_on = None
    return row


def refresh_payment_deadline(case, on: date):
    """超期预警 follows the schedule: the next unpaid sum's date, or met once the fine is paid."""
    if not fine_of(case):
        return
    due = next_due(case)
    if due is None:
        meet_deadline(case, "payment", on)
        return
    if due == case.payment_due:
        return  # the original period (rule "d:15:party") stays as computed at service
    open_deadline(case, "payment", due, due=due)  # schedule() has already moved it off a rest day


def _closures(case):
    from cases.guards import closures

    return closures(case)


def start_execution(case, served: date):
    """At the service of the decision: the payment period (15 days, a last day on a rest day moving to the
    next working day, APL Art 67; 民事诉讼法 Art 85) and the agency's window to apply to the court."""
    if not fine_of(case):
        return
    row = open_deadline(case, "payment", served)
    case.payment_due = row.due_on
    court_application_deadline(case)


def court_application_deadline(case):
    """AEL Art 53: within 3 months after the remedy periods ended (unknown while a remedy is pending)."""
    start = remedy_periods.remedies_end(case)
    if start is not None and fine_of(case):
        open_deadline(case, "court_application", start)


# --- effects of the workflow actions ------------------------------------------------------------------------

def _act(case, kind: ActKind, on: date, actor, *, reason="", data=None) -> ExecutionAct:
    from app.extensions import db

    act = ExecutionAct(case=case, case_id=case.id, kind=kind.value, on=on, reason=reason or "",
                       data=_plain(data or {}), recorded_by_id=actor.id if actor else None)
    db.session.add(act)
    db.session.flush()
    return act


def _plain(data):
    import json

    from app.ledger.canonical import canonical_json

    return json.loads(canonical_json(data))


def _issue(case, act, kind, actor, on):
    from cases.services.issuing import issue_document

    doc = issue_document(case, kind, actor=actor, on=on, extra={"act": act, "execution": summary(case, on)})
    act.document_id = doc.id
    return doc


def summary(case, on: date) -> dict:
    """Amounts for documents and the API: fine, paid, surcharge, outstanding, the surcharge's segments."""
    s = state(case, on)
    return {"as_of": on, "fine": s.fine, "fine_paid": s.fine_paid, "fine_unpaid": s.fine_unpaid,
            "surcharge": s.total, "surcharge_paid": s.surcharge_paid, "surcharge_unpaid": s.surcharge_unpaid,
            "outstanding": s.outstanding, "capped": s.capped, "surcharge_days": s.days,
            "segments": [{"first": x.first, "last": x.last, "base": x.base, "days": x.days, "amount": x.amount}
                         for x in s.segments],
            "schedule": [{"due_on": d, "amount": a} for d, a in schedule(case)],
            "rate_percent": _cfg("LATE_SURCHARGE_PERCENT", 3)}


def _record_execution(case, data, on, actor):
    """执行完毕: everything owed is paid (a final payment may come with the action), or nothing was owed."""
    from cases.services import payments

    if data.get("paid_amount") not in (None, ""):
        payments.add_payment(case, {"amount": data["paid_amount"], "paid_on": data.get("paid_on"),
                                    "receipt_number": data.get("receipt_number"),
                                    "method": data.get("payment_method")},
                             actor=actor, on=on, must_settle=True)
    s = state(case, on)
    case.executed_on = on
    if fine_of(case):
        case.paid_amount = s.fine_paid + s.surcharge_paid
        case.paid_on = max((p.paid_on for p in case.payments), default=None)
        case.surcharge_amount = s.total
    meet_deadline(case, "payment", case.paid_on or on)
    for kind in ("reminder", "court_application", "plan_decision"):
        meet_deadline(case, kind, on)
    open_deadline(case, "closing", on)
    return {"executed_on": on, "paid_on": case.paid_on, "paid_amount": case.paid_amount,
            "surcharge": case.surcharge_amount}


def _send_reminder(case, data, on, actor):
    """催告 (AEL Art 35): in writing, with the amount, the period to perform, the way, and the right to state
    and defend; the period is 10 working days (AEL Art 54, 69)."""
    served = _date(data.get("served_on")) or on
    owed = summary(case, served)
    act = _act(case, ActKind.reminder, served, actor, data={
        "method": data.get("method") or "direct", "owed": owed})
    row = open_deadline(case, "reminder", served)
    act.data = _plain({**act.data, "perform_by": row.due_on})
    _issue(case, act, "reminder", actor, on)
    return {"reminder_id": act.id, "served_on": served, "perform_by": row.due_on,
            "outstanding": owed["outstanding"], "surcharge": owed["surcharge"]}


def _apply_enforcement(case, data, on, actor):
    """申请人民法院强制执行 (AEL Art 53–55), signed by the head; the case is handed to the court."""
    owed = summary(case, on)
    reminder = last_reminder(case)
    court = (data.get("court") or "").strip() or _cfg("COURT", "临江市人民法院")
    act = _act(case, ActKind.court_application, on, actor, data={
        "court": court, "owed": owed, "reminder_on": reminder.on if reminder else None,
        "statements": [a.data for a in acts(case, ActKind.statement)],
        "head": getattr(actor, "full_name", None)})
    meet_deadline(case, "court_application", on)
    meet_deadline(case, "reminder", on)
    open_deadline(case, "closing", on)
    _issue(case, act, "enforcement_application", actor, on)
    return {"court": court, "applied_on": on, "outstanding": owed["outstanding"], "act_id": act.id}


def _suspend_execution(case, data, on, actor):
    ground = data.get("ground")
    act = _act(case, ActKind.suspension, on, actor, reason=(data.get("reason") or "").strip(),
               data={"ground": ground, "ground_text": SUSPENSION_GROUNDS.get(ground), "owed": summary(case, on)})
    _issue(case, act, "suspension_decision", actor, on)
    return {"ground": ground, "act_id": act.id}


def _resume_execution(case, data, on, actor):
    act = _act(case, ActKind.resumption, on, actor, reason=(data.get("reason") or "").strip())
    return {"act_id": act.id}


def _terminate_execution(case, data, on, actor):
    ground = data.get("ground")
    act = _act(case, ActKind.termination, on, actor, reason=(data.get("reason") or "").strip(),
               data={"ground": ground, "ground_text": TERMINATION_GROUNDS.get(ground), "owed": summary(case, on)})
    for kind in ("payment", "reminder", "court_application", "plan_decision"):
        meet_deadline(case, kind, on)
    open_deadline(case, "closing", on)
    _issue(case, act, "termination_decision", actor, on)
    return {"ground": ground, "act_id": act.id}


#: Remedy outcomes that take away the decision being executed: nothing more may be collected on it.
VOIDING_OUTCOMES = {"revoke": "撤销", "confirm_invalid": "确认无效"}


def reopen_execution(case, *, reason: str, actor, on: date, source: str, outcome: str | None = None):
    """A reconsideration decision or judgement that has taken effect reaches the execution (SPEC §11, §15).

    Entered as an execution act and a case event (hence in the ledger), whatever the case's status, so the
    execution panel, the timeline and the case file show what the agency must do. A decision revoked or
    confirmed invalid is no longer executed (AEL Art 40 (4)): from that day no surcharge accrues, the payment,
    催告 and court-application windows are closed, and no 催告 or application to the court is accepted; the
    head then records 终结执行 on the ground "decision_revoked" and any refund. An altered decision or an order
    to perform is entered for the agency to act on (the new amount is a new decision)."""
    from cases.services.common import record_event

    voids = outcome in VOIDING_OUTCOMES
    act = _act(case, ActKind.remedy, on, actor, reason=reason,
               data={"source": source, "outcome": outcome, "voids": voids, "status_then": case.status})
    # What was owed when the outcome took effect (a voiding outcome's own day no longer accrues).
    act.data = _plain({**act.data, "owed": summary(case, on) if fine_of(case) else None})
    if voids:
        for kind in ("payment", "reminder", "court_application", "plan_decision"):
            meet_deadline(case, kind, on)
    record_event(case, "execution_reopened", actor, note=reason,
                 data={"act_id": act.id, "source": source, "outcome": outcome, "voids": voids,
                       "effective_on": on})
    return act


def _close(case, data, on, actor):
    case.closed_on = on
    meet_deadline(case, "closing", on)
    meet_deadline(case, "summary_filing", on)
    return {"closed_on": on}


def _archive(case, data, on, actor):
    case.archived_on = on
    return {"archived_on": on}
