"""Execution (执行), closing (结案) and archiving (归档): payment, the late-payment surcharge, closing."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from app import calendar
from app.errors import InvalidInput
from cases.services.common import _cfg, _date
from cases.services.deadlines import meet_deadline, set_deadline


def late_surcharge(fine: Decimal, due: date, paid_on: date) -> Decimal:
    """APL Art 72: 3% of the fine a day after the due date, never more than the fine itself."""
    from flask import current_app

    days = (paid_on - due).days
    if days <= 0 or not fine:
        return Decimal("0.00")
    rate = Decimal(str(current_app.config.get("LATE_SURCHARGE_PERCENT", 3))) / 100
    return min(fine, (fine * rate * days).quantize(Decimal("0.01")))


def _record_execution(case, data, on, actor):
    paid_on = _date(data.get("paid_on")) or on
    case.executed_on = on
    if data.get("paid_amount") not in (None, ""):
        try:
            case.paid_amount = Decimal(str(data["paid_amount"]))
        except InvalidOperation:
            raise InvalidInput("缴纳金额无效", details={"fields": {"paid_amount": ["缴纳金额无效"]}}) from None
        case.paid_on = paid_on
        case.surcharge_amount = (late_surcharge(case.fine_amount, case.payment_due, paid_on)
                                 if case.payment_due and case.fine_amount else Decimal("0.00"))
        expected = (case.fine_amount or 0) + case.surcharge_amount
        if case.paid_amount < expected:
            raise InvalidInput(f"应缴金额为{expected}元（罚款{case.fine_amount}元，加处罚款{case.surcharge_amount}元），"
                               f"实缴{case.paid_amount}元不足", details={"fields": {"paid_amount": ["金额不足"]}})
        meet_deadline(case, "payment", paid_on)
    from cases.guards import closures

    set_deadline(case, "closing", calendar.add_working_days(on, _cfg("CLOSING_WORKING_DAYS", 15), closures(case)))
    return {"executed_on": on, "paid_on": case.paid_on, "paid_amount": case.paid_amount,
            "surcharge": case.surcharge_amount}


def _close(case, data, on, actor):
    case.closed_on = on
    meet_deadline(case, "closing", on)
    meet_deadline(case, "summary_filing", on)
    return {"closed_on": on}


def _archive(case, data, on, actor):
    case.archived_on = on
    return {"archived_on": on}
