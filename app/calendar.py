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

Sources, in order (SPEC §16):

1. an **imported** year: the State Council's arrangement entered by a supervisor (`app.holidays`); it is
   given to this module through `set_provider(func)` (func(year) -> YearCalendar | None), so this module
   stays free of the database;
2. the **package** `chinesecalendar`, which ships the official notices for a fixed range of years
   (2004–2026 in version 1.11.0) and raises NotImplementedError outside it;
3. otherwise a **Monday–Friday fallback**: it logs a warning once per year, `calendar_known(year)` is False,
   and every listener registered with `on_missing(func)` is told the year each time a computation or a
   deadline status uses it, so that the screen computing it can warn loudly (app.holidays collects them
   per request and the base template shows them).

``next_working_day(d)`` is d itself when d is a working day, else the first working day after it: a period
whose last day is a rest day ends on the next working day (民事诉讼法第八十五条).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

log = logging.getLogger(__name__)

_warned_years: set[int] = set()

#: deadline_status values
OVERDUE = "overdue"
DUE_SOON = "due_soon"
OK = "ok"

#: calendar_source values
IMPORTED = "imported"
PACKAGE = "package"


@dataclass(frozen=True)
class YearCalendar:
    """One year's official arrangement: statutory rest days (放假) and make-up working days (调休上班)."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = ""
    sha256: str = ""

    def is_working_day(self, d: date) -> bool:
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays


_provider: Callable[[int], YearCalendar | None] | None = None
_missing_listeners: list[Callable[[int], None]] = []


def set_provider(func: Callable[[int], YearCalendar | None] | None) -> None:
    """Where imported years come from (app.holidays sets it; None turns imported years off)."""
    global _provider
    _provider = func


def on_missing(func: Callable[[int], None]) -> None:
    """Call func(year) whenever a computation falls back to Monday–Friday for `year`."""
    if func not in _missing_listeners:
        _missing_listeners.append(func)


def _imported(year: int) -> YearCalendar | None:
    return _provider(year) if _provider is not None else None


def _as_date(d: date) -> date:
    return d.date() if isinstance(d, datetime) else d


@lru_cache(maxsize=None)
def package_covers(year: int) -> bool:
    """True when the installed `chinesecalendar` package knows `year`."""
    import chinese_calendar

    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def calendar_source(year: int) -> str | None:
    """"imported", "package", or None when `year` falls back to Monday–Friday."""
    if _imported(year) is not None:
        return IMPORTED
    if package_covers(year):
        return PACKAGE
    return None


def calendar_known(year: int) -> bool:
    """True when the official holiday calendar for `year` is available (not the Mon–Fri fallback)."""
    return calendar_source(year) is not None


def _note_missing(year: int) -> None:
    if year not in _warned_years:
        _warned_years.add(year)
        log.warning("No official holiday calendar for %s: counting Monday to Friday as working days "
                    "(import the State Council's arrangement: flask calendar import)", year)
    for listener in _missing_listeners:
        listener(year)


def note_shown(d: date) -> None:
    """A deadline falling on `d` is shown: warn, as for a computation, when its year has no calendar."""
    d = _as_date(d)
    if not calendar_known(d.year):
        _note_missing(d.year)


def _official_working_day(d: date) -> bool:
    imported = _imported(d.year)
    if imported is not None:
        return imported.is_working_day(d)
    if package_covers(d.year):
        import chinese_calendar

        return chinese_calendar.is_workday(d)
    _note_missing(d.year)
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


def next_working_day(d: date, closures: Iterable[date] = ()) -> date:
    """`d` if it is a working day, else the first working day after it (民事诉讼法第八十五条)."""
    d = _as_date(d)
    closed = _closure_set(closures)
    while not (_official_working_day(d) and d not in closed):
        d += timedelta(days=1)
    return d


def add_days(start: date, n: int) -> date:
    """The date n calendar days after `start`, for deadlines set in days rather than working days."""
    return _as_date(start) + timedelta(days=n)


def deadline_status(due: date, today: date, warn_days: int = 3) -> str:
    """"overdue" after the due date, "due_soon" from `warn_days` calendar days before it, else "ok".

    The due date itself is the last day to act, so on that day the status is "due_soon", not "overdue".
    """
    due = _as_date(due)
    if not calendar_known(due.year):
        _note_missing(due.year)  # the date shown was computed without that year's holidays
    remaining = (due - _as_date(today)).days
    if remaining < 0:
        return OVERDUE
    if remaining <= warn_days:
        return DUE_SOON
    return OK
