"""How each deadline of a case is computed, and recomputing the open ones when a calendar changes
(SPEC §9, §11, §16).

A rule is stored on the deadline row as "<unit>:<n>:<owner>" next to the period's start date:

- unit ``wd`` working days, ``d`` calendar days, ``m`` months;
- owner ``party`` (a period the party has: to defend, to ask for a hearing, to pay) or ``agency`` (a duty
  of the agency: to serve, to close, to decide on an application, to apply to the court).

Settled readings (SPEC §11, "the reading that favours the party"):
- a period in days or months whose last day is a rest day ends on the next working day
  (民事诉讼法 Art 85) — for the party's periods; the agency's own periods are not lengthened;
- an agency's local closures (SPEC §9) count as rest days for the party's periods (they may lengthen them,
  never shorten them) and are ignored for the agency's own periods (they never lengthen them);
- when a newly imported calendar would make a running party period *shorter* than the date the party
  was already given, the earlier computation stands.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from app import calendar

PARTY, AGENCY = "party", "agency"


@dataclass(frozen=True)
class Rule:
    unit: str  #: "wd", "d" or "m"
    setting: str  #: app.config name of n
    default: int
    owner: str  #: "party" or "agency"


#: kind -> how its due date is computed from its start.
RULES: dict[str, Rule] = {
    "defence": Rule("wd", "DEFENCE_WORKING_DAYS", 5, PARTY),  # APL Art 44-45 (default)
    "hearing_request": Rule("wd", "HEARING_REQUEST_WORKING_DAYS", 5, PARTY),  # APL Art 64
    "service": Rule("wd", "SERVICE_WORKING_DAYS", 7, AGENCY),  # APL Art 61
    "summary_filing": Rule("wd", "SUMMARY_FILING_WORKING_DAYS", 7, AGENCY),  # APL Art 52
    "payment": Rule("d", "PAYMENT_DAYS", 15, PARTY),  # APL Art 67
    "reminder": Rule("wd", "REMINDER_WORKING_DAYS", 10, PARTY),  # AEL Art 35, 54, 69
    "plan_decision": Rule("wd", "PAYMENT_PLAN_DECISION_WORKING_DAYS", 10, AGENCY),  # local default
    "court_application": Rule("m", "COURT_APPLICATION_MONTHS", 3, AGENCY),  # AEL Art 53
    "closing": Rule("wd", "CLOSING_WORKING_DAYS", 15, AGENCY),  # SPEC §6
}


def _setting(name, default):
    from flask import current_app, has_app_context

    return int(current_app.config.get(name, default)) if has_app_context() else default


def rule_string(kind: str, n: int | None = None) -> str:
    r = RULES[kind]
    return f"{r.unit}:{_setting(r.setting, r.default) if n is None else n}:{r.owner}"


def parse(rule: str) -> tuple[str, int, str]:
    unit, n, owner = rule.split(":")
    return unit, int(n), owner


def compute(rule: str, start: date, closures=()) -> date:
    """The due date of a period with this rule, starting (not counted) on `start`."""
    unit, n, owner = parse(rule)
    closed = closures if owner == PARTY else ()
    if unit == "wd":
        return calendar.add_working_days(start, n, closed)
    end = start + (relativedelta(days=n) if unit == "d" else relativedelta(months=n))
    return calendar.next_working_day(end, closed) if owner == PARTY else end


def due(case, kind: str, start: date, n: int | None = None) -> tuple[date, str]:
    """(due date, rule) for `kind` starting on `start`, with the case agency's closures."""
    from cases.guards import closures

    rule = rule_string(kind, n)
    return compute(rule, start, closures(case)), rule


def recompute_case(case) -> list[dict]:
    """Recompute the case's unmet deadlines that carry a rule; the changes made (not yet logged)."""
    from cases.guards import closures

    closed = closures(case)
    moves = []
    for row in case.deadlines:
        if row.met_on is not None or not row.rule or row.start_on is None:
            continue
        start = row.start_on
        if row.kind == "court_application":
            # Its start is itself calendar-dependent: the last day of the lawsuit window (a party period).
            from cases import remedy_periods

            start = remedy_periods.remedies_end(case) or start
            row.start_on = start
        new = compute(row.rule, start, closed)
        if new == row.due_on:
            continue
        _, _, owner = parse(row.rule)
        if owner == PARTY and new < row.due_on:
            moves.append({"kind": row.kind, "label": row.label, "from": row.due_on, "to": row.due_on,
                          "computed": new, "kept": True,
                          "note": "按新日历计算将缩短当事人已被告知的期限，保留原期限（有利于当事人）"})
            continue
        moves.append({"kind": row.kind, "label": row.label, "from": row.due_on, "to": new, "kept": False})
        row.due_on = new
        _sync_case_field(case, row.kind, new)
    return moves


def _sync_case_field(case, kind, new):
    if kind == "payment" and getattr(case, "payment_due", None) is not None:
        case.payment_due = new


def recompute_open_deadlines(year: int, calendar_row, actor) -> dict:
    """app.holidays' CALENDAR_CHANGED_HOOKS: every open case's unmet deadlines, each change logged on the
    case (an event, hence a ledger entry) naming the calendar that caused it."""
    from sqlalchemy import select

    from app.extensions import db
    from cases.models import Case, CaseDeadline
    from cases.services import record_event
    from cases.workflow import OPEN_STATUSES

    case_ids = db.session.scalars(
        select(Case.id).join(CaseDeadline, CaseDeadline.case_id == Case.id)
        .where(CaseDeadline.met_on.is_(None), CaseDeadline.rule.is_not(None),
               Case.status.in_([s.value for s in OPEN_STATUSES]))
        .distinct().order_by(Case.id)).all()
    cases, moved = 0, 0
    for case_id in case_ids:
        case = db.session.get(Case, case_id)
        moves = recompute_case(case)
        if not moves:
            continue
        cases += 1
        moved += sum(1 for m in moves if not m["kept"])
        db.session.flush()
        record_event(case, "deadlines_recomputed", actor,
                     note=f"导入{year}年法定节假日安排后重新计算期限（SPEC §16）",
                     data={"calendar_year": year, "calendar_id": calendar_row.id,
                           "calendar_sha256": calendar_row.sha256, "changes": moves})
    return {"feature": "cases", "cases": cases, "deadlines_moved": moved}
