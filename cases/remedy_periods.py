"""The party's remedies against a decision, as far as the procedure needs them (SPEC §11, §15).

Cases does not own reconsiderations (行政复议) and lawsuits (行政诉讼): the remedies feature does, and it
sits above cases. What cases (execution) and recordings (retention) need to know is answered here:

- the **remedy windows** that open at the effective service of the decision: 复议 within 60 days
  (行政复议法 Art 20), 诉讼 within 6 months (行政诉讼法 Art 46); both are the party's periods, so a last day
  on a rest day moves to the next working day (民事诉讼法 Art 85; SPEC §11 settled readings);
- the **remedy periods** actually pending or concluded — reported by the remedies feature through the hook
  below: while one is pending the late-payment surcharge does not accrue (APL Art 73), the court may not
  yet be asked to enforce (AEL Art 53) and the case's evidence stays on hold (SPEC §15).

THE HOOK for the remedies feature (h17):

    from cases import remedy_periods
    remedy_periods.register_provider(func)   # func(case) -> iterable of RemedyPeriod
    remedy_periods.remedy_changed(case, actor=None)   # call after a remedy starts, ends or changes

`remedy_changed` runs every listener registered with `on_remedy_changed` (recordings re-applies the
legal hold; execution re-derives the surcharge) in the caller's transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from app import calendar

#: Reconsideration (复议) and lawsuit (诉讼).
RECONSIDERATION = "reconsideration"
LAWSUIT = "lawsuit"
KIND_LABELS = {RECONSIDERATION: "行政复议", LAWSUIT: "行政诉讼"}


@dataclass(frozen=True)
class RemedyPeriod:
    kind: str  #: "reconsideration" or "lawsuit"
    started_on: date  #: the day it was applied for / filed
    ended_on: date | None = None  #: the day its outcome became final; None while pending
    note: str = ""  #: e.g. the reference of the reconsideration or the court case

    def pending_on(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day <= self.ended_on)


_providers: list = []
_listeners: list = []


def register_provider(func) -> None:
    """func(case) -> iterable of RemedyPeriod. Registered once by the remedies feature's init_app."""
    if func not in _providers:
        _providers.append(func)


def unregister_provider(func) -> None:
    if func in _providers:
        _providers.remove(func)


def on_remedy_changed(func) -> None:
    """func(case, actor): run when a remedy starts, ends or changes (recordings' holds, ...)."""
    if func not in _listeners:
        _listeners.append(func)


def remedy_changed(case, actor=None) -> None:
    """Called by the remedies feature after it records a change for `case`."""
    for listener in list(_listeners):
        listener(case, actor)


def periods(case) -> list[RemedyPeriod]:
    out = []
    for provider in _providers:
        out.extend(provider(case) or ())
    return sorted(out, key=lambda p: p.started_on)


def pending(case, day: date) -> list[RemedyPeriod]:
    return [p for p in periods(case) if p.pending_on(day)]


def _setting(name, default):
    from flask import current_app, has_app_context

    return current_app.config.get(name, default) if has_app_context() else default


def effective_service_date(case) -> date | None:
    """The day the decision's service took effect (公告送达: 30 days after the announcement, set by the
    service feature); deadlines run from it (SPEC §11)."""
    return getattr(case, "service_effective_on", None) or case.served_on


def windows(case) -> dict[str, date]:
    """The last day of each remedy window, {} before the decision is served."""
    served = effective_service_date(case)
    if served is None or not case.decided_on:
        return {}
    from cases.guards import closures

    closed = closures(case)
    days = _setting("RECONSIDERATION_DAYS", 60)  # the same settings the decision's remedies text quotes
    months = _setting("LITIGATION_MONTHS", 6)
    return {RECONSIDERATION: calendar.next_working_day(served + relativedelta(days=days), closed),
            LAWSUIT: calendar.next_working_day(served + relativedelta(months=months), closed)}


def windows_end(case) -> date | None:
    """The day after which the party can no longer apply for reconsideration nor sue, None if unserved."""
    ends = windows(case)
    return max(ends.values()) if ends else None


def remedies_end(case) -> date | None:
    """When both the windows and every remedy the party used are over: the start of the 3 months for an
    application to the court (AEL Art 53). None while a remedy is pending or before service."""
    end = windows_end(case)
    if end is None:
        return None
    for p in periods(case):
        if p.ended_on is None:
            return None
        end = max(end, p.ended_on)
    return end
