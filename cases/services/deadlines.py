"""Statutory deadlines of a case (期限): their labels and legal basis, set and met by the effects."""
from __future__ import annotations

from datetime import date

from app.extensions import db
from cases.models import CaseDeadline


DEADLINES = {
    "decision": ("作出处罚决定", "行政处罚法第六十条：自立案之日起九十日内作出决定"),
    "defence": ("陈述申辩期限", "行政处罚法第四十四、四十五条（默认5个工作日）"),
    "hearing_request": ("申请听证期限", "行政处罚法第六十四条：告知后五日内提出"),
    "service": ("送达决定书", "行政处罚法第六十一条：七日内送达"),
    "payment": ("缴纳罚款", "行政处罚法第六十七条：收到决定书之日起十五日内缴纳"),
    "closing": ("结案", "执行完毕后十五个工作日内结案"),
    "summary_filing": ("简易程序备案", "行政处罚法第五十二条：当场处罚决定报所属行政机关备案（7个工作日）"),
    "plan_decision": ("审批暂缓（分期）缴纳申请", "行政处罚法第六十六条（本机关审批时限，默认10个工作日）"),
    "reminder": ("催告履行期限", "行政强制法第三十五条、第五十四条、第六十九条：催告书送达后十个工作日"),
    "court_application": ("申请人民法院强制执行", "行政强制法第五十三条：复议、诉讼期限届满之日起三个月内"),
}


#: Periods that belong to the party (时限届满 means the agency may proceed), not duties of the agency.
PARTY_WINDOWS = ("defence", "hearing_request", "reminder")

#: Where a deadline's period starts when the caller does not say (the effect has just set that field).
_STARTS = {"defence": lambda c: c.notice_start_on, "hearing_request": lambda c: c.notice_start_on,
           "service": lambda c: c.decided_on, "summary_filing": lambda c: c.decided_on,
           "closing": lambda c: c.executed_on}


def set_deadline(case, kind, due: date, *, start: date | None = None):
    """Set a deadline. A kind with a rule in `cases.deadline_rules` is computed by that rule from its start
    (the given one, or the case field it runs from), and remembers both, so that a calendar import can
    recompute it (SPEC §16) and the settled readings apply in one place (SPEC §11)."""
    from cases import deadline_rules

    label, basis = DEADLINES[kind]
    rule = None
    start = start or (_STARTS[kind](case) if kind in _STARTS else None)
    if kind in deadline_rules.RULES and start is not None:
        due, rule = deadline_rules.due(case, kind, start)
    row = next((d for d in case.deadlines if d.kind == kind), None)
    if row is None:
        row = CaseDeadline(case=case, kind=kind, label=label, basis=basis, due_on=due)
        db.session.add(row)
    else:
        row.due_on = due
    row.start_on, row.rule = (start, rule) if rule else (None, None)
    return row


def meet_deadline(case, kind, on: date):
    for row in case.deadlines:
        if row.kind == kind and row.met_on is None:
            row.met_on = on
