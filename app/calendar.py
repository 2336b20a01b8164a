"""Working days and deadlines (SPEC §9).

This module owns the rule for "what is a working day" and the date arithmetic built on it. It is pure: no
database, no Flask. Callers pass the agency's local closure dates (e.g. a day closed by the city
government) as an iterable of dates.

A day is a working day when the official calendar of the State Council (国务院办公厅 holiday notices, via
the `chinesecalendar` package) says so: weekends are off, statutory holidays are off, and make-up working
days (调休) on a Saturday or Sunday are working days. Agency closures are then taken off.

Conventions (all dates are `datetime.date`; a `datetime` is reduced to its date):

- ``add_working_days(start, n)`` is the n-th working day after ``start``; ``start`` itself is never counted,
  so "within 7 working days of the decision" is ``add_working_days(decision_date, 7)``. For n < 0 it is the
  |n|-th working day before ``start``. n == 0 returns ``start`` unchanged (even on a holiday). For n != 0
  the result is always a working day.
- ``count_working_days(start, end)`` counts the working days in the half-open interval (start, end] when
  end >= start, and is minus the count in [end, start) when end < start. It is the inverse of
  ``add_working_days``: ``count_working_days(s, add_working_days(s, n)) == n`` for every s and n.
  (The other direction, ``add_working_days(s, count_working_days(s, e)) == e``, holds when e is a working
  day and e != s.)

Coverage: `chinesecalendar` ships the official notices for a fixed range of years (2004–2026 in version
1.11.0; the State Council publishes each year's notice in the preceding November or December) and raises
NotImplementedError outside it. For such years this module falls back to Monday–Friday working days,
logs a warning once per year, and `calendar_known(year)` returns False so that the UI can say that deadlines
in that year ignore holidays. Upgrading the package extends the covered years; no code change needed.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache

log = logging.getLogger(__name__)

_warned_years: set[int] = set()

#: deadline_status values
OVERDUE = "overdue"
DUE_SOON = "due_soon"
OK = "ok"


def _as_date(d: date) -> date:
    return d.date() if isinstance(d, datetime) else d


@lru_cache(maxsize=None)
def calendar_known(year: int) -> bool:
    """True when the official holiday calendar for `year` is available (not the Mon–Fri fallback)."""
    import chinese_calendar

    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _official_working_day(d: date) -> bool:
    if calendar_known(d.year):
        import chinese_calendar

        return chinese_calendar.is_workday(d)
    if d.year not in _warned_years:
        _warned_years.add(d.year)
        log.warning("No official holiday calendar for %s: counting Monday to Friday as working days "
                    "(upgrade the chinesecalendar package)", d.year)
    return d.weekday() < 5


def is_working_day(d: date, closures: Iterable[date] = ()) -> bool:
    """True if `d` is an official working day and not one of the agency's `closures`."""
    d = _as_date(d)
    return _official_working_day(d) and d not in _closure_set(closures)


def _closure_set(closures: Iterable[date]) -> frozenset[date]:
    if isinstance(closures, (set, frozenset)):
        return frozenset(closures)
    return frozenset(_as_date(c) for c in closures)


def add_working_days(start: date, n: int, closures: Iterable[date] = ()) -> date:
    """The n-th working day after `start` (before it when n < 0); `start` itself is not counted."""
    start = _as_date(start)
    closed = _closure_set(closures)
    step = timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    d = start
    while remaining:
        d += step
        if _official_working_day(d) and d not in closed:
            remaining -= 1
    return d


def count_working_days(start: date, end: date, closures: Iterable[date] = ()) -> int:
    """Working days in (start, end]; negative (minus those in [end, start)) when end is before start."""
    start, end = _as_date(start), _as_date(end)
    closed = _closure_set(closures)
    if end >= start:
        first, last, sign = start + timedelta(days=1), end, 1
    else:
        first, last, sign = end, start - timedelta(days=1), -1
    count = 0
    d = first
    while d <= last:
        if _official_working_day(d) and d not in closed:
            count += 1
        d += timedelta(days=1)
    return sign * count


def add_days(start: date, n: int) -> date:
    """The date n calendar days after `start`, for deadlines set in days rather than working days."""
    return _as_date(start) + timedelta(days=n)


def deadline_status(due: date, today: date, warn_days: int = 3) -> str:
    """"overdue" after the due date, "due_soon" from `warn_days` calendar days before it, else "ok".

    The due date itself is the last day to act, so on that day the status is "due_soon", not "overdue".
    """
    remaining = (_as_date(due) - _as_date(today)).days
    if remaining < 0:
        return OVERDUE
    if remaining <= warn_days:
        return DUE_SOON
    return OK
