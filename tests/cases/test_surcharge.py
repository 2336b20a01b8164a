"""The late-payment surcharge, day by day (APL Art 72–73, AEL Art 45; SPEC §11). Pure function tests."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.surcharge import allocate, compute

D = date.fromisoformat
FINE = Decimal("1000.00")


def test_nothing_before_or_on_the_due_date():
    assert compute(FINE, [(D("2026-01-15"), FINE)], as_of=D("2026-01-15")).total == 0


def test_three_percent_a_day_of_the_fine():
    s = compute(FINE, [(D("2026-01-15"), FINE)], as_of=D("2026-01-20"))
    assert s.total == Decimal("150.00") and s.days == 5 and s.outstanding == Decimal("1150.00")


def test_capped_at_the_fine():
    s = compute(FINE, [(D("2026-01-15"), FINE)], as_of=D("2026-12-31"))
    assert s.total == FINE and s.capped and s.days == 34  # 33 full days + one partial day reach 100%


def test_after_a_partial_payment_only_the_unpaid_part_counts():
    # 600 paid on the 3rd day late: days 1-3 on 1000 (the payment day still counts), then on 400.
    s = compute(FINE, [(D("2026-01-15"), FINE)], [(D("2026-01-18"), Decimal("600"))], as_of=D("2026-01-20"))
    assert s.total == Decimal("90") + Decimal("24")
    assert [(x.base, x.days) for x in s.segments] == [(Decimal("1000.00"), 3), (Decimal("400.00"), 2)]
    assert s.fine_unpaid == Decimal("400.00")


def test_paying_everything_stops_it_and_payments_go_to_the_fine_first():
    s = compute(FINE, [(D("2026-01-15"), FINE)], [(D("2026-01-17"), Decimal("1060"))], as_of=D("2026-06-01"))
    assert s.total == Decimal("60.00") and s.outstanding == 0
    assert allocate(FINE, [(D("2026-01-17"), Decimal("1060"))]) == [(D("2026-01-17"), FINE, Decimal("60"))]


def test_instalments_fall_due_one_by_one():
    schedule = [(D("2026-01-15"), Decimal("500")), (D("2026-02-15"), Decimal("500"))]
    payments = [(D("2026-01-15"), Decimal("500")), (D("2026-02-20"), Decimal("500"))]  # 2nd one 5 days late
    s = compute(FINE, schedule, payments, as_of=D("2026-03-01"))
    assert s.total == Decimal("75.00")  # 5 days x 3% x 500
    assert [(x.first, x.last) for x in s.segments] == [(D("2026-02-16"), D("2026-02-20"))]


def test_a_late_instalment_is_capped_at_the_fine_not_at_the_instalment():
    schedule = [(D("2026-01-15"), Decimal("500")), (D("2026-02-15"), Decimal("500"))]
    s = compute(FINE, schedule, [(D("2026-01-15"), Decimal("500"))], as_of=D("2026-12-31"))
    assert s.total == FINE and s.capped


def test_no_accrual_while_paused():
    pauses = [(D("2026-01-17"), D("2026-01-19")), (D("2026-01-25"), None)]  # a remedy, then a suspension
    s = compute(FINE, [(D("2026-01-15"), FINE)], as_of=D("2026-03-01"), pauses=pauses)
    # accrues on 16, 20, 21, 22, 23, 24 January
    assert s.days == 6 and s.total == Decimal("180.00")


def test_deferral_moves_the_due_date():
    s = compute(FINE, [(D("2026-03-31"), FINE)], as_of=D("2026-03-31"))
    assert s.total == 0


def test_rate_is_a_setting_and_rounding_is_once_half_up():
    s = compute(Decimal("333.33"), [(D("2026-01-15"), Decimal("333.33"))], as_of=D("2026-01-16"), rate_percent=3)
    assert s.total == Decimal("10.00")  # 9.9999 -> 10.00
    s = compute(FINE, [(D("2026-01-15"), FINE)], as_of=D("2026-01-16"), rate_percent=1)
    assert s.total == Decimal("10.00")


@settings(max_examples=200, deadline=None)
@given(fine=st.integers(1, 10**6), late=st.integers(0, 400), paid=st.integers(0, 10**6),
       paid_after=st.integers(0, 400))
def test_never_more_than_the_fine_and_never_decreasing(fine, late, paid, paid_after):
    fine = Decimal(fine)
    due = D("2026-01-15")
    payments = [(due + timedelta(days=paid_after), Decimal(min(paid, fine)))] if paid else []
    a = compute(fine, [(due, fine)], payments, as_of=due + timedelta(days=late))
    b = compute(fine, [(due, fine)], payments, as_of=due + timedelta(days=late + 1))
    assert Decimal(0) <= a.total <= b.total <= fine


def test_a_paid_instalment_with_a_later_one_not_yet_due_accrues_nothing_and_ends():
    schedule = [(D("2026-01-15"), Decimal("500")), (D("2026-12-15"), Decimal("500"))]
    s = compute(FINE, schedule, [(D("2026-01-10"), Decimal("500"))], as_of=date.max)
    assert s.capped  # the second instalment, never paid, reaches the cap: the loop skipped the paid months
    s = compute(FINE, schedule, [(D("2026-01-10"), Decimal("500"))], as_of=D("2026-12-15"))
    assert s.total == 0 and s.days == 0
