"""Service of the decision (送达): the served date, the method and the payment due date it starts."""
from __future__ import annotations

from datetime import date, timedelta

from app import calendar
from app.errors import InvalidInput
from cases.services.common import _cfg, _date
from cases.services.deadlines import meet_deadline


def effective_service_date(case, method: str, served: date) -> date:
    """The day service takes effect: 公告送达 30 days (default) after the announcement (民事诉讼法第九十五条),
    a period ending on a rest day moving to the next working day (SPEC §11 settled readings); the day of
    service for every other method."""
    if method != "announcement":
        return served
    from cases.guards import closures

    effective = served + timedelta(days=_cfg("ANNOUNCEMENT_SERVICE_DAYS", 30))
    shut = closures(case)
    while not calendar.is_working_day(effective, shut):
        effective += timedelta(days=1)
    return effective


def _serve_decision(case, data, on, actor):
    served = _date(data.get("served_on")) or on
    if served < case.decided_on:
        raise InvalidInput("送达日期不能早于决定日期", details={"fields": {"served_on": ["不能早于决定日期"]}})
    case.served_on = served
    case.service_method = data["method"]
    # Periods that run from service (payment, remedies) run from the day it takes effect.
    case.service_effective_on = effective_service_date(case, case.service_method, served)
    meet_deadline(case, "service", served)
    from cases.services.execution import start_execution

    start_execution(case, case.service_effective_on or served)
    return {"served_on": served, "method": case.service_method, "effective_on": case.service_effective_on,
            "payment_due": case.payment_due, "late_reason": data.get("late_reason")}
