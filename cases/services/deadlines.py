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
}


#: Periods that belong to the party (时限届满 means the agency may proceed), not duties of the agency.
PARTY_WINDOWS = ("defence", "hearing_request")


def set_deadline(case, kind, due: date):
    label, basis = DEADLINES[kind]
    row = next((d for d in case.deadlines if d.kind == kind), None)
    if row is None:
        row = CaseDeadline(case=case, kind=kind, label=label, basis=basis, due_on=due)
        db.session.add(row)
    else:
        row.due_on = due
    return row


def meet_deadline(case, kind, on: date):
    for row in case.deadlines:
        if row.kind == kind and row.met_on is None:
            row.met_on = on
