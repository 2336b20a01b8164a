"""The law of remedies as data and pure functions (SPEC §15): kinds, stages, outcomes, which outcomes
correct the decision, which withdraw its publication, the deadlines, and the rates.

Sources: 行政复议法 (2023) = ARL; 行政诉讼法 (2017) = ALL.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, timedelta


class Kind(str, enum.Enum):
    reconsideration = "reconsideration"  #: 行政复议
    lawsuit = "lawsuit"  #: 行政诉讼


class Stage(str, enum.Enum):
    first = "first"  #: 一审 (or the reconsideration itself)
    appeal = "appeal"  #: 二审（上诉）
    retrial = "retrial"  #: 再审


KIND_LABELS = {Kind.reconsideration.value: "行政复议", Kind.lawsuit.value: "行政诉讼"}
STAGE_LABELS = {Stage.first.value: "一审", Stage.appeal.value: "二审", Stage.retrial.value: "再审"}

RECONSIDERATION_OUTCOMES = {
    "uphold": "维持",
    "dismiss": "驳回",
    "alter": "变更",
    "revoke": "撤销",
    "confirm_illegal": "确认违法",
    "confirm_invalid": "确认无效",
    "order_performance": "责令履行",
    "mediation": "调解/和解",
    "terminate": "终止",
}
LAWSUIT_OUTCOMES = {
    "reject_claims": "驳回诉讼请求",
    "revoke": "撤销",
    "alter": "变更",
    "confirm_illegal": "确认违法",
    "confirm_invalid": "确认无效",
    "order_performance": "判决履行",
    "withdrawn": "撤诉",
    "dismiss_ruling": "裁定驳回",
}
OUTCOMES = {Kind.reconsideration.value: RECONSIDERATION_OUTCOMES, Kind.lawsuit.value: LAWSUIT_OUTCOMES}

#: Outcomes that correct the decision (复议纠错 / 诉讼败诉), SPEC §15. 调解/和解, 撤诉, 终止, 驳回 and
#: 裁定驳回 conclude the remedy without correcting: they count in the denominator only.
CORRECTING = frozenset({"alter", "revoke", "confirm_illegal", "confirm_invalid", "order_performance"})

#: Outcomes after which the published decision is withdrawn within 3 working days (SPEC §3, G118), and the
#: publicity withdrawal reason each maps to.
WITHDRAWING = {"alter": "altered", "revoke": "revoked", "confirm_illegal": "confirmed_illegal",
               "confirm_invalid": "confirmed_invalid"}

#: Outcomes after which the decision's execution must be revisited (stopped, refunded, redone).
REOPENING = frozenset({"alter", "revoke", "confirm_invalid", "order_performance"})

#: Outcomes by ruling (裁定) rather than judgement: the appeal period is 10 days, not 15 (ALL Art 85).
RULINGS = frozenset({"dismiss_ruling", "withdrawn"})

# --- periods (settings override the defaults marked so in SPEC; statutory ones are law) -----------------
RECON_ANSWER_DAYS = 10  #: ARL Art 48: answer within 10 days of receiving the application copy
RECON_DECISION_DAYS = 60  #: ARL Art 62: decide within 60 days of acceptance
RECON_EXTENSION_DAYS = 30  #: ARL Art 62: extended once by at most 30 days
LAWSUIT_ANSWER_DAYS = 15  #: ALL Art 67: evidence and answer within 15 days of receiving the complaint copy
APPEAL_DAYS = 15  #: ALL Art 85: appeal a judgement within 15 days (a ruling: 10)
RULING_APPEAL_DAYS = 10
SUE_AFTER_RECONSIDERATION_DAYS = 15  #: ALL Art 45
FIRST_INSTANCE_MONTHS = 6  #: ALL Art 81
APPEAL_MONTHS = 3  #: ALL Art 88


def outcome_label(kind: str, outcome: str | None) -> str:
    return OUTCOMES.get(kind, {}).get(outcome, outcome or "")


def add_months(d: date, months: int) -> date:
    import calendar

    month = d.month - 1 + months
    year, month = d.year + month // 12, month % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def roll_to_working_day(d: date, closures=()) -> date:
    """A period in days that ends on a rest day ends on the next working day (民事诉讼法 Art 85, applied
    to administrative procedure by ALL Art 101)."""
    from app.calendar import calendar_known, is_working_day

    guard = 0
    while calendar_known(d.year) and not is_working_day(d, closures) and guard < 30:
        d += timedelta(days=1)
        guard += 1
    return d


def answer_due(kind: str, notified_on: date | None, closures=()) -> date | None:
    if notified_on is None:
        return None
    days = RECON_ANSWER_DAYS if kind == Kind.reconsideration.value else LAWSUIT_ANSWER_DAYS
    return roll_to_working_day(notified_on + timedelta(days=days), closures)


def decision_due(kind: str, stage: str, accepted_on: date | None, extended: bool = False) -> date | None:
    if accepted_on is None:
        return None
    if kind == Kind.reconsideration.value:
        return accepted_on + timedelta(days=RECON_DECISION_DAYS + (RECON_EXTENSION_DAYS if extended else 0))
    if stage == Stage.appeal.value:
        return add_months(accepted_on, APPEAL_MONTHS)
    return add_months(accepted_on, FIRST_INSTANCE_MONTHS)


def becomes_final_on(kind: str, stage: str, outcome: str | None, decided_on: date | None) -> date | None:
    """When an outcome takes effect if nobody challenges it: a reconsideration decision on service (ARL
    Art 75); an appeal or retrial judgement at once (ALL Art 92); a first-instance judgement once its appeal
    period has lapsed (ALL Art 85: 15 days, a ruling 10)."""
    if outcome is None or decided_on is None:
        return None
    if kind == Kind.reconsideration.value or stage != Stage.first.value:
        return decided_on
    days = RULING_APPEAL_DAYS if outcome in RULINGS else APPEAL_DAYS
    return decided_on + timedelta(days=days + 1)


# --- rates ----------------------------------------------------------------------------------------------

@dataclass
class Rate:
    numerator: int = 0
    denominator: int = 0
    items: list = field(default_factory=list)

    @property
    def value(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator

    @property
    def percent(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.1f}%"

    def to_dict(self):
        return {"numerator": self.numerator, "denominator": self.denominator,
                "rate": None if self.value is None else round(self.value, 4)}


def correction_rate(outcomes) -> Rate:
    """复议纠错率 / 诉讼败诉率 = corrected (变更+撤销+确认违法+确认无效+责令履行) ÷ concluded (SPEC §15)."""
    rate = Rate()
    for outcome in outcomes:
        if outcome is None:
            continue
        rate.denominator += 1
        if outcome in CORRECTING:
            rate.numerator += 1
    return rate


def appearance_rate(flags) -> Rate:
    """负责人出庭应诉率 = hearings with the head ÷ hearings (SPEC §15, ALL Art 3)."""
    rate = Rate()
    for appeared in flags:
        rate.denominator += 1
        rate.numerator += bool(appeared)
    return rate
