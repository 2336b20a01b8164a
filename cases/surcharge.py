"""The late-payment surcharge (加处罚款, APL Art 72; AEL Art 45), computed day by day. Pure: no database.

Rules (SPEC §11):
- each day after a sum fell due and is still unpaid, the surcharge grows by 3% (a setting) of the **unpaid
  part of the fine that is due** — after a partial payment it runs on the unpaid part only; with
  instalments each instalment falls due on its own date;
- a payment made on day t still counts day t as late (paid the day after the due date = 1 day), as the
  "到期不缴纳" reading has always been applied here;
- no accrual on the days of a pause: while an approved deferral runs (the schedule's due date is the end of
  the deferral), while execution is suspended (中止执行: 加处罚款 is itself an execution measure, AEL Art 12),
  and while a reconsideration or a lawsuit is pending (APL Art 73);
- the total never exceeds the fine (AEL Art 45: 加处罚款的数额不得超出金钱给付义务的数额);
- payments go to the fine first, then to the surcharge (the reading that favours the party).
The exact sum is rounded half up to the fen once, at the end.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass
class Segment:
    """Consecutive days on the same unpaid base: shown on the 催告书 and the court application."""

    first: date
    last: date
    base: Decimal
    days: int
    amount: Decimal


@dataclass
class Surcharge:
    fine: Decimal
    as_of: date
    total: Decimal = ZERO  #: the surcharge due on `as_of`, capped at the fine
    days: int = 0  #: days on which it grew
    capped: bool = False
    fine_paid: Decimal = ZERO
    surcharge_paid: Decimal = ZERO
    segments: list[Segment] = field(default_factory=list)

    @property
    def fine_unpaid(self) -> Decimal:
        return max(ZERO, self.fine - self.fine_paid)

    @property
    def surcharge_unpaid(self) -> Decimal:
        return max(ZERO, self.total - self.surcharge_paid)

    @property
    def outstanding(self) -> Decimal:
        return self.fine_unpaid + self.surcharge_unpaid


def _paused(day: date, pauses) -> bool:
    return any(start <= day and (end is None or day <= end) for start, end in pauses)


def allocate(fine: Decimal, payments) -> list[tuple[date, Decimal, Decimal]]:
    """[(paid_on, to_fine, to_surcharge)] in date order: the fine first."""
    out, fine_left = [], Decimal(fine)
    for paid_on, amount in sorted(payments, key=lambda p: p[0]):
        to_fine = min(fine_left, Decimal(amount))
        fine_left -= to_fine
        out.append((paid_on, to_fine, Decimal(amount) - to_fine))
    return out


def compute(fine, schedule, payments=(), *, as_of: date, pauses=(), rate_percent=3) -> Surcharge:
    """The surcharge on `as_of` (that day included).

    `schedule`: [(due_on, amount)] summing to the fine (one row: the payment due date or the end of an
    approved deferral; several: instalments). `payments`: [(paid_on, amount)]. `pauses`: [(first, last or
    None)] days on which nothing accrues."""
    fine = Decimal(fine)
    result = Surcharge(fine=fine, as_of=as_of)
    allocated = allocate(fine, [(d, a) for d, a in payments if d <= as_of])
    result.fine_paid = sum((f for _, f, _ in allocated), ZERO)
    result.surcharge_paid = sum((s for _, _, s in allocated), ZERO)
    if not schedule or fine <= 0:
        return result
    rate = Decimal(str(rate_percent)) / 100
    if rate <= 0:
        return result
    schedule = sorted((d, Decimal(a)) for d, a in schedule)
    exact = Decimal(0)
    day = schedule[0][0] + timedelta(days=1)
    current: Segment | None = None
    while day <= as_of and exact < fine:
        due = sum((a for d, a in schedule if d < day), ZERO)
        paid = sum((f for p, f, _ in allocated if p < day), ZERO)
        base = max(ZERO, due - paid)
        if base > 0 and not _paused(day, pauses):
            add = min(base * rate, fine - exact)
            exact += add
            result.days += 1
            if current is not None and current.base == base and current.last == day - timedelta(days=1):
                current.last, current.days, current.amount = day, current.days + 1, current.amount + add
            else:
                current = Segment(day, day, base, 1, add)
                result.segments.append(current)
        elif base <= 0:
            # Nothing overdue: payments only lower the base, so the next day that can accrue is the day
            # after the next due date (none left: nothing more can ever accrue).
            later = [d for d, _ in schedule if d >= day]
            if not later:
                break
            day = max(day, later[0] + timedelta(days=1))
            continue
        day += timedelta(days=1)
    result.capped = exact >= fine
    result.total = min(fine, exact).quantize(CENT, rounding=ROUND_HALF_UP)
    for s in result.segments:
        s.amount = s.amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return result
