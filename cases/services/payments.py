"""Payments, deferral and instalment plans, and the party's statement on a 催告: the execution phase's
records that change no status by themselves (SPEC §11). A payment that settles everything owed moves the
case to "executed" through `apply_action` (the workflow table), in the same transaction.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from app.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from app.extensions import db
from app.timeutil import today_china
from cases import permissions, workflow
from cases.execution_models import (ActKind, CasePayment, PaymentMethod, PaymentPlan, PlanKind, PlanStatus)
from cases.models import CaseStatus
from cases.services import execution
from cases.services.common import _cfg, _date, record_event
from cases.services.deadlines import meet_deadline

ZERO = Decimal("0.00")


def _fields(message, **fields):
    return InvalidInput(message, details={"fields": {k: [v] for k, v in fields.items()}})


def _amount(value, name="amount") -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise _fields(f"金额无效：{value}", **{name: "金额无效"}) from None
    if not amount.is_finite() or amount <= 0:
        raise _fields("金额应大于零", **{name: "金额应大于零"})
    if amount >= Decimal("1e12"):
        raise _fields("金额过大", **{name: "金额过大"})
    return amount


def _past_date(value, name, on, *, not_before=None, label="日期"):
    day = _date(value) or on
    if day > today_china():
        raise _fields(f"{label}不能晚于今天", **{name: "不能晚于今天"})
    if not_before is not None and day < not_before:
        raise _fields(f"{label}不能早于{not_before.isoformat()}", **{name: f"不能早于{not_before.isoformat()}"})
    return day


def _ensure_in_execution(case, what):
    if CaseStatus(case.status) not in workflow.EXECUTION_STATUSES:
        raise InvalidTransition(f"案件当前状态为“{case.status_label}”，不能{what}（行政处罚法第六十六条至第七十三条：执行阶段自决定书送达起至执行完毕）")
    if not execution.fine_of(case):
        raise InvalidTransition(f"本案处罚决定没有罚款，无需{what}（行政处罚法第六十七条）")


def _ensure_officer(actor, case, what):
    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied(f"{what}须由本案承办执法人员登记（行政处罚法第四十二条：由具有执法资格的执法人员实施）")


# --- payments --------------------------------------------------------------------------------------------

def add_payment(case, data, *, actor, on=None, must_settle=False) -> CasePayment:
    """Record one payment (fine first, then surcharge); refuses more than is owed on that day."""
    on = on or today_china()
    amount = _amount(data.get("amount"), "amount")
    paid_on = _past_date(data.get("paid_on"), "paid_on", on, not_before=case.served_on, label="缴款日期")
    previous = [p.paid_on for p in case.payments]
    if previous and paid_on < max(previous):
        raise _fields(f"缴款日期不能早于上一笔缴款（{max(previous).isoformat()}）；补录须按时间顺序",
                      paid_on="不能早于上一笔缴款")
    method = data.get("method") or PaymentMethod.bank.value
    if method not in PaymentMethod.__members__:
        raise _fields("缴款方式无效", method="缴款方式无效")
    if method == PaymentMethod.on_spot.value and amount > Decimal(_cfg("ON_SPOT_COLLECTION_MAX", 100)):
        raise _fields(f"当场收缴罚款仅限{_cfg('ON_SPOT_COLLECTION_MAX', 100)}元以下（行政处罚法第六十八条）",
                      amount="超过当场收缴限额")
    before = execution.state(case, paid_on)
    if amount > before.outstanding:
        raise _fields(f"缴款{amount}元超出{paid_on.isoformat()}应缴金额{before.outstanding}元（尚欠罚款"
                      f"{before.fine_unpaid}元，加处罚款{before.surcharge_unpaid}元；行政处罚法第七十二条）", amount="超出应缴金额")
    if must_settle and amount < before.outstanding:
        raise _fields(f"应缴金额为{before.outstanding}元（罚款{before.fine_unpaid}元，加处罚款"
                      f"{before.surcharge_unpaid}元），实缴{amount}元不足（行政处罚法第七十二条）",
                      paid_amount="金额不足")
    to_fine = min(amount, before.fine_unpaid)
    payment = CasePayment(case=case, case_id=case.id, paid_on=paid_on, amount=amount, to_fine=to_fine,
                          to_surcharge=amount - to_fine, method=method,
                          receipt_number=(data.get("receipt_number") or "").strip()[:60],
                          recorded_by_id=actor.id if actor else None)
    db.session.add(payment)
    db.session.flush()
    after = execution.state(case, paid_on)
    case.paid_amount = after.fine_paid + after.surcharge_paid
    case.paid_on = paid_on
    case.surcharge_amount = after.total
    execution.refresh_payment_deadline(case, paid_on)
    record_event(case, "payment_recorded", actor, data={
        "payment_id": payment.id, "paid_on": paid_on, "amount": amount, "to_fine": to_fine,
        "to_surcharge": payment.to_surcharge, "method": method, "receipt_number": payment.receipt_number,
        "surcharge_total": after.total, "outstanding": after.outstanding})
    return payment


def record_payment(case, data, *, actor, on=None) -> CasePayment:
    """登记缴款 (partial payments allowed, APL Art 66–67); settling everything owed executes the decision."""
    from cases.services.lifecycle import apply_action

    _ensure_officer(actor, case, "缴款")
    _ensure_in_execution(case, "登记缴款")
    payment = add_payment(case, data, actor=actor, on=on)
    if execution.state(case, payment.paid_on).outstanding == 0 and workflow.transition(
            case.procedure, case.status, "record_execution") is not None:
        apply_action(case, "record_execution", actor=actor, on=on or today_china())
    return payment


# --- deferral and instalments (APL Art 66) -----------------------------------------------------------------

def apply_for_plan(case, data, *, actor, on=None) -> PaymentPlan:
    """The party's application for 暂缓 or 分期 payment, entered by the case officer; the head decides."""
    on = on or today_china()
    _ensure_officer(actor, case, "暂缓（分期）缴纳申请")
    _ensure_in_execution(case, "申请暂缓或者分期缴纳罚款")
    if CaseStatus(case.status) not in (CaseStatus.served, CaseStatus.reminded):
        raise InvalidTransition(f"案件{case.status_label}，不能申请暂缓或者分期缴纳罚款（行政处罚法第六十六条）")
    if execution.pending_plan(case) is not None:
        raise InvalidTransition("已有尚未审批的暂缓（分期）缴纳申请（行政处罚法第六十六条）")
    kind = data.get("kind")
    if kind not in PlanKind.__members__:
        raise _fields("请选择暂缓缴纳（deferral）或分期缴纳（instalments）（行政处罚法第六十六条）", kind="类型无效")
    reason = (data.get("reason") or "").strip()
    if not reason:
        raise _fields("请填写当事人确有经济困难的情况（行政处罚法第六十六条）", reason="请填写申请理由")
    applied_on = _past_date(data.get("applied_on"), "applied_on", on, not_before=case.served_on, label="申请日期")
    unpaid = execution.state(case, applied_on).fine_unpaid
    if unpaid <= 0:
        raise InvalidTransition("罚款已缴清，无需暂缓或者分期缴纳（行政处罚法第六十六条）")
    if kind == PlanKind.deferral.value:
        until = _date(data.get("deferred_until"))
        if until is None or until <= applied_on:
            raise _fields("请填写暂缓至的日期，应晚于申请日期（行政处罚法第六十六条）", deferred_until="应晚于申请日期")
        rows = [{"due_on": until.isoformat(), "amount": str(unpaid)}]
    else:
        rows = _clean_instalments(data.get("instalments"), unpaid, applied_on)
        until = None
    plan = PaymentPlan(case=case, case_id=case.id, kind=kind, status=PlanStatus.pending.value,
                       applied_on=applied_on, reason=reason, deferred_until=until, instalments=rows,
                       recorded_by_id=actor.id if actor else None)
    db.session.add(plan)
    db.session.flush()
    execution.open_deadline(case, "plan_decision", applied_on)
    record_event(case, "payment_plan_applied", actor, note=reason, data={
        "plan_id": plan.id, "kind": kind, "applied_on": applied_on, "deferred_until": until, "instalments": rows})
    return plan


def _clean_instalments(rows, unpaid, applied_on) -> list[dict]:
    if not isinstance(rows, list) or len(rows) < 2:
        raise _fields("分期缴纳至少分两期，每期填写缴纳日期和金额（行政处罚法第六十六条）", instalments="至少两期")
    out, problems, last = [], [], applied_on
    for i, row in enumerate(rows, 1):
        row = row if isinstance(row, dict) else {}
        due = None
        try:
            due = date.fromisoformat(str(row.get("due_on")))
        except ValueError:
            problems.append(f"第{i}期缴纳日期无效")
        try:
            amount = _amount(row.get("amount"))
        except InvalidInput:
            problems.append(f"第{i}期金额无效")
            continue
        if due is not None and due <= last:
            problems.append(f"第{i}期缴纳日期应晚于{last.isoformat()}")
        if due is not None:
            last = due
            out.append({"due_on": due.isoformat(), "amount": str(amount)})
    total = sum((Decimal(r["amount"]) for r in out), ZERO)
    if not problems and total != unpaid:
        problems.append(f"各期金额合计{total}元，应等于尚未缴纳的罚款{unpaid}元（行政处罚法第六十六条）")
    if problems:
        raise InvalidInput("分期缴纳计划有误：" + "；".join(problems), details={"fields": {"instalments": problems}})
    return out


def get_plan(case, plan_id) -> PaymentPlan:
    plan = db.session.get(PaymentPlan, plan_id)
    if plan is None or plan.case_id != case.id:
        raise NotFound("暂缓（分期）缴纳申请不存在")
    return plan


def decide_plan(case, plan, *, approve: bool, note: str = "", actor, on=None) -> PaymentPlan:
    """The head approves or refuses (APL Art 66: 经当事人申请和行政机关批准); the decision is a document."""
    on = on or today_china()
    if not permissions.can_head_approve(actor, case):
        raise PermissionDenied("暂缓或者分期缴纳罚款须经行政机关负责人批准（行政处罚法第六十六条）")
    if plan.status != PlanStatus.pending.value:
        raise InvalidTransition(f"该申请已{plan.status_label}")
    note = (note or "").strip()
    if not approve and not note:
        raise _fields("不予批准的，请写明理由（行政处罚法第六十六条）", note="请写明理由")
    decided_on = _past_date(None, "decided_on", on, not_before=plan.applied_on, label="审批日期")
    plan.status = (PlanStatus.approved if approve else PlanStatus.rejected).value
    plan.decided_on, plan.decided_by_id, plan.decision_note = decided_on, actor.id, note
    db.session.flush()
    meet_deadline(case, "plan_decision", decided_on)
    if approve:
        execution.refresh_payment_deadline(case, decided_on)
    from cases.services.issuing import issue_document

    issue_document(case, "payment_plan_decision", actor=actor, on=decided_on,
                   extra={"plan": plan, "execution": execution.summary(case, decided_on)})
    record_event(case, "payment_plan_decided", actor, note=note, data={
        "plan_id": plan.id, "approved": approve, "decided_on": decided_on, "kind": plan.kind,
        "schedule": [{"due_on": d, "amount": a} for d, a in execution.schedule(case)]})
    return plan


# --- the party's statement on a 催告 (AEL Art 36) ------------------------------------------------------------

def record_reminder_statement(case, data, *, actor, on=None):
    """当事人收到催告书后有权进行陈述和申辩；行政机关应当充分听取，记录、复核；成立的，应当采纳。"""
    on = on or today_china()
    _ensure_officer(actor, case, "当事人的陈述申辩")
    reminder = execution.last_reminder(case)
    if CaseStatus(case.status) != CaseStatus.reminded or reminder is None:
        raise InvalidTransition("只有已催告的案件可以记录当事人对催告的陈述、申辩（行政强制法第三十六条）")
    statement = (data.get("statement") or "").strip()
    handling = (data.get("handling") or "").strip()
    problems = {}
    if not statement:
        problems["statement"] = ["请记录当事人陈述、申辩的内容"]
    if data.get("adopted") not in (True, False, "true", "false", "1", "0", 1, 0):
        problems["adopted"] = ["请写明是否采纳"]
    if not handling:
        problems["handling"] = ["请写明复核意见及理由（行政强制法第三十六条：事实、理由或者证据成立的，应当采纳）"]
    if problems:
        raise InvalidInput("陈述申辩记录有误：" + "；".join(m for ms in problems.values() for m in ms),
                           details={"fields": problems})
    adopted = data.get("adopted") in (True, "true", "1", 1)
    stated_on = _past_date(data.get("stated_on"), "stated_on", on, not_before=reminder.on, label="陈述申辩日期")
    act = execution._act(case, ActKind.statement, stated_on, actor, reason=handling, data={
        "statement": statement, "adopted": adopted, "handling": handling, "reminder_id": reminder.id})
    record_event(case, "reminder_statement", actor, note=handling, data={
        "act_id": act.id, "stated_on": stated_on, "adopted": adopted, "statement": statement})
    return act


def perform_by(case) -> date | None:
    """The last day of the period the counting 催告 gave the party (None without one)."""
    reminder = execution.last_reminder(case)
    if reminder is None or not reminder.data.get("perform_by"):
        return None
    return date.fromisoformat(reminder.data["perform_by"])
