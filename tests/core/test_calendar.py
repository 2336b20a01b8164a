"""Working days on the official Chinese calendar (SPEC §9), checked against real holiday notices.

2025 National Day + Mid-Autumn (国办发明电〔2024〕12号): 1–8 October off; Sunday 28 September and Saturday
11 October are make-up working days. 2026 Spring Festival: 15–23 February off; Saturday 14 February and
Saturday 28 February are make-up working days.
"""
import logging
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import calendar as wd
from app.calendar import (
    add_days,
    add_working_days,
    calendar_known,
    count_working_days,
    deadline_status,
    is_working_day,
)

D = date.fromisoformat


@pytest.mark.parametrize("day, working", [
    ("2025-09-26", True),    # Friday before the holiday
    ("2025-09-27", False),   # ordinary Saturday
    ("2025-09-28", True),    # Sunday, make-up working day (调休)
    ("2025-10-01", False),   # National Day
    ("2025-10-06", False),   # Mid-Autumn Festival, inside the joint holiday
    ("2025-10-08", False),   # last day of the holiday (a Wednesday)
    ("2025-10-09", True),
    ("2025-10-11", True),    # Saturday, make-up working day
    ("2025-10-12", False),   # ordinary Sunday
    ("2026-02-14", True),    # Saturday, make-up working day before Spring Festival
    ("2026-02-17", False),   # 春节 (Tuesday)
    ("2026-02-23", False),   # last day of the Spring Festival holiday (a Monday)
    ("2026-02-24", True),
    ("2026-02-28", True),    # Saturday, make-up working day after Spring Festival
    ("2026-03-01", False),
])
def test_official_calendar(day, working):
    assert is_working_day(D(day)) is working


def test_the_whole_national_day_holiday_is_off():
    assert not any(is_working_day(D("2025-10-01") + timedelta(days=i)) for i in range(8))


def test_seven_working_days_across_national_day():
    # Counting from the next day: 28.9 (Sun, 调休), 29.9, 30.9, then the holiday, then 9.10, 10.10,
    # 11.10 (Sat, 调休), 13.10.
    assert add_working_days(D("2025-09-26"), 7) == D("2025-10-13")
    assert count_working_days(D("2025-09-26"), D("2025-10-13")) == 7
    # Naive Monday-to-Friday counting would have said 7 October, in the middle of the holiday.
    assert add_working_days(D("2025-09-26"), 3) == D("2025-09-30")
    assert add_working_days(D("2025-09-26"), 4) == D("2025-10-09")


def test_spring_festival_2026():
    assert add_working_days(D("2026-02-13"), 1) == D("2026-02-14")
    assert add_working_days(D("2026-02-13"), 2) == D("2026-02-24")
    assert count_working_days(D("2026-02-14"), D("2026-02-24")) == 1
    # Five working days of defence window from an advance notice served on 12 February 2026.
    # 13.2, 14.2 (Sat, 调休), then the holiday, then 24.2, 25.2, 26.2.
    assert add_working_days(D("2026-02-12"), 5) == D("2026-02-26")


def test_start_day_is_not_counted():
    # Served on a Friday: the first working day of the period is the next Monday.
    assert add_working_days(D("2025-03-07"), 1) == D("2025-03-10")
    # Served during the holiday: counting starts after it.
    assert add_working_days(D("2025-10-03"), 1) == D("2025-10-09")


def test_zero_and_negative():
    assert add_working_days(D("2025-10-03"), 0) == D("2025-10-03")
    assert add_working_days(D("2025-10-09"), -1) == D("2025-09-30")
    assert add_working_days(D("2025-10-12"), -1) == D("2025-10-11")  # Saturday make-up day
    assert add_working_days(D("2025-10-13"), -7) == D("2025-09-26")
    assert count_working_days(D("2025-10-13"), D("2025-09-26")) == -7
    assert count_working_days(D("2025-10-05"), D("2025-10-05")) == 0


def test_agency_closures():
    closed = [D("2025-09-29")]
    assert not is_working_day(D("2025-09-29"), closed)
    assert is_working_day(D("2025-09-30"), closed)
    assert add_working_days(D("2025-09-26"), 7, closed) == D("2025-10-14")
    assert count_working_days(D("2025-09-26"), D("2025-10-14"), closed) == 7
    # A closure on a day that is off anyway changes nothing; closures may be any iterable.
    assert add_working_days(D("2025-09-26"), 7, iter([D("2025-10-02")])) == D("2025-10-13")


def test_datetimes_are_reduced_to_dates():
    assert add_working_days(datetime(2025, 9, 26, 23, 59), 7) == D("2025-10-13")
    assert is_working_day(datetime(2025, 9, 28, 9, 0))


def test_calendar_days_and_deadline_status():
    assert add_days(D("2025-12-20"), 15) == D("2026-01-04")
    due = D("2025-10-13")
    assert deadline_status(due, D("2025-10-01")) == "ok"
    assert deadline_status(due, D("2025-10-09")) == "ok"
    assert deadline_status(due, D("2025-10-10")) == "due_soon"
    assert deadline_status(due, due) == "due_soon"
    assert deadline_status(due, D("2025-10-14")) == "overdue"
    assert deadline_status(due, D("2025-10-06"), warn_days=7) == "due_soon"


def test_known_years():
    assert calendar_known(2004)
    assert calendar_known(2025)
    assert calendar_known(2026)
    assert not calendar_known(2003)
    assert not calendar_known(2100)


def test_fallback_is_monday_to_friday_with_one_warning_per_year(caplog, monkeypatch):
    monkeypatch.setattr(wd, "_warned_years", set())
    year = 2099
    assert not calendar_known(year)
    with caplog.at_level(logging.WARNING, logger="app.calendar"):
        # 1 October 2099 is a Thursday; no holiday is known, so the next day is a working day.
        assert is_working_day(D("2099-10-01"))
        assert not is_working_day(D("2099-10-03"))  # Saturday
        assert add_working_days(D("2099-10-01"), 5) == D("2099-10-08")
        assert count_working_days(D("2099-10-01"), D("2099-10-08")) == 5
    warnings = [r for r in caplog.records if "2099" in r.getMessage()]
    assert len(warnings) == 1


def test_crossing_into_an_unknown_year_uses_both_rules():
    # 31 December 2026 is a Thursday; 1 January 2027 is New Year's Day in reality, but the library does
    # not know 2027 yet, so it counts as a working day (the documented fallback).
    assert not calendar_known(2027)
    assert add_working_days(D("2026-12-31"), 1) == D("2027-01-01")


dates_2024_2026 = st.dates(min_value=D("2024-01-01"), max_value=D("2026-12-31"))


@settings(max_examples=200, deadline=None)
@given(start=dates_2024_2026, n=st.integers(min_value=-60, max_value=60))
def test_count_inverts_add(start, n):
    end = add_working_days(start, n)
    assert count_working_days(start, end) == n
    if n:
        assert is_working_day(end)
        assert (end > start) == (n > 0)


@settings(max_examples=200, deadline=None)
@given(start=dates_2024_2026, end=dates_2024_2026)
def test_add_inverts_count_on_working_days(start, end):
    if end != start and is_working_day(end):
        assert add_working_days(start, count_working_days(start, end)) == end


@settings(max_examples=100, deadline=None)
@given(start=dates_2024_2026, n=st.integers(min_value=0, max_value=40),
       closures=st.sets(dates_2024_2026, max_size=20))
def test_closures_only_push_deadlines_later(start, n, closures):
    assert add_working_days(start, n, closures) >= add_working_days(start, n)
    assert count_working_days(start, add_working_days(start, n, closures), closures) == n
