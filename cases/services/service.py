"""Service of the decision (送达): the served date, the method and the payment due date it starts."""
from __future__ import annotations

from datetime import timedelta

from app.errors import InvalidInput
from cases.services.common import _cfg, _date
from cases.services.deadlines import meet_deadline, set_deadline


def _serve_decision(case, data, on, actor):
    served = _date(data.get("served_on")) or on
    if served < case.decided_on:
        raise InvalidInput("送达日期不能早于决定日期", details={"fields": {"served_on": ["不能早于决定日期"]}})
    case.served_on = served
    case.service_method = data["method"]
    meet_deadline(case, "service", served)
    if case.fine_amount:
        case.payment_due = served + timedelta(days=_cfg("PAYMENT_DAYS", 15))
        set_deadline(case, "payment", case.payment_due)
    return {"served_on": served, "method": case.service_method, "payment_due": case.payment_due,
            "late_reason": data.get("late_reason")}
