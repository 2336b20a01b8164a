"""How long a recording's original is kept, and why (SPEC §4.3, §15; issue 13 finding 7).

A recording is evidence of its case. Its original is under **legal hold** while any of these holds:

1. the case is open (案件尚未办结);
2. a remedy window is open: 复议 within 60 days and 诉讼 within 6 months of the decision's effective service
   (行政复议法 Art 20, 行政诉讼法 Art 46) — the party may still challenge the decision, and the court will
   ask for this evidence;
3. a reconsideration or a lawsuit is pending (SPEC §15), as the remedies feature reports it through
   `cases.remedy_periods` (register_provider / remedy_changed).

When the last of these ends (the **hold end**), the hold is released and the object-lock retention is set
to the hold end plus the case-file archive period (CASE_FILE_RETENTION_YEARS, default 30: 国家档案局令第8号
定期30年), and never less than RECORDING_RETENTION_DAYS (default 183, SPEC §4.3's six months) after it.
Retention only ever grows (COMPLIANCE mode cannot be shortened); every change is entered in the ledger.

`plan(rec_case, today)` is pure given the case; `sync_case` runs after every case action and every remedy
change; `sync_all` is `flask recordings holds`, run daily, because windows end by the passing of time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import select

from app.ledger import services as ledger
from app.extensions import db
from app.storage import get_store
from app.timeutil import CHINA, aware, local, today_china
from cases import remedy_periods
from cases.models import Case, CaseStatus
from cases.workflow import OPEN_STATUSES
from recordings.models import Recording

#: Statuses that end a case without closing it (no closed_on): their end is the event that set them.
_ENDING_STATUSES = (CaseStatus.terminated.value, CaseStatus.not_filed.value)


@dataclass
class Plan:
    hold: bool
    reasons: list[str] = field(default_factory=list)
    hold_end: date | None = None  #: the last day a reason held (None while one still does)
    retain_until: datetime | None = None  #: the retention the original must have at least (UTC)


def _case_end(case) -> date | None:
    if CaseStatus(case.status) in OPEN_STATUSES:
        return None
    if case.archived_on or case.closed_on:
        return max(d for d in (case.archived_on, case.closed_on) if d)
    for event in reversed(case.events):
        if event.to_status in _ENDING_STATUSES:
            return local(aware(event.at)).date()
    return local(aware(case.updated_at)).date() if case.updated_at else None


def plan(case, today: date) -> Plan:
    """Whether the case's recordings are held on `today`, why, and the retention once they are not."""
    reasons = []
    ends = [_case_end(case)]
    if CaseStatus(case.status) in OPEN_STATUSES:
        reasons.append("案件尚未办结（SPEC §4.3：作为证据的音像记录在案件办理期间保全）")
    windows = remedy_periods.windows(case)
    if remedy_periods.RECONSIDERATION in windows and today <= windows[remedy_periods.RECONSIDERATION]:
        reasons.append(f"行政复议申请期限至{windows[remedy_periods.RECONSIDERATION].isoformat()}（行政复议法第二十条）")
    if remedy_periods.LAWSUIT in windows and today <= windows[remedy_periods.LAWSUIT]:
        reasons.append(f"行政诉讼起诉期限至{windows[remedy_periods.LAWSUIT].isoformat()}（行政诉讼法第四十六条）")
    ends.extend(windows.values())
    for p in remedy_periods.periods(case):
        if p.ended_on is None or p.ended_on >= today:
            reasons.append(f"{remedy_periods.KIND_LABELS.get(p.kind, p.kind)}尚未审结（SPEC §15）")
        ends.append(p.ended_on)
    if reasons:
        return Plan(True, reasons)
    hold_end = max((d for d in ends if d is not None), default=today)
    years = int(current_app.config.get("CASE_FILE_RETENTION_YEARS", 30))
    minimum = int(current_app.config.get("RECORDING_RETENTION_DAYS", 183))
    keep_until = max(hold_end + relativedelta(years=years), hold_end + timedelta(days=minimum))
    # To the end of that day in China.
    until = datetime.combine(keep_until + timedelta(days=1), time(0), tzinfo=CHINA).astimezone(timezone.utc)
    return Plan(False, [], hold_end, until)


def _apply(rec: Recording, p: Plan, store) -> dict | None:
    """Bring one original in line with the plan; the change made, or None."""
    change = {}
    if p.hold and not rec.legal_hold:
        store.set_legal_hold(rec.original_key, True)
        rec.legal_hold = True
        change["hold"] = True
    if not p.hold:
        current = aware(rec.retention_until)
        if p.retain_until is not None and (current is None or p.retain_until > current):
            store.set_retention(rec.original_key, p.retain_until)
            rec.retention_until = p.retain_until
            change["retention_until"] = p.retain_until
        if rec.legal_hold:  # retention first: the original is never unprotected, not even for a moment
            store.set_legal_hold(rec.original_key, False)
            rec.legal_hold = False
            change["hold"] = False
    if not change:
        return None
    return {"recording_id": rec.id, **change}


def sync_case(case, *, today: date | None = None, reason: str = "") -> list[dict]:
    """Apply the plan to every original of `case`; one ledger entry for the changes made."""
    today = today or today_china()
    p = plan(case, today)
    store = get_store()
    changes = [c for c in (_apply(rec, p, store) for rec in
                           db.session.scalars(select(Recording).where(Recording.case_id == case.id)
                                              .order_by(Recording.id))) if c]
    if changes:
        db.session.flush()
        ledger.append("recording.retention", f"case:{case.id}", {
            "case_id": case.id, "reason": reason, "hold": p.hold, "hold_reasons": p.reasons,
            "hold_end": p.hold_end, "changes": changes})
    return changes


def after_case_action(case, action, actor, on):
    """cases' AFTER_ACTION_HOOKS: closing keeps the hold while a remedy window is open; reopening holds."""
    sync_case(case, reason=f"case action {action}")


def after_remedy_change(case, actor):
    """cases.remedy_periods listener: a reconsideration or lawsuit started or ended."""
    sync_case(case, reason="remedy changed")


def sync_all(*, today: date | None = None) -> dict:
    """Every case with recordings (`flask recordings holds`, daily): windows end by the passing of time."""
    today = today or today_china()
    released, applied, extended = [], [], []
    case_ids = db.session.scalars(select(Recording.case_id).where(Recording.case_id.is_not(None)).distinct())
    for case_id in list(case_ids):
        case = db.session.get(Case, case_id)
        for c in sync_case(case, today=today, reason="scheduled"):
            if c.get("hold") is False:
                released.append(c["recording_id"])
            elif c.get("hold") is True:
                applied.append(c["recording_id"])
            if "retention_until" in c:
                extended.append(c["recording_id"])
    return {"released": released, "applied": applied, "extended": extended}


def describe(rec: Recording, today: date | None = None) -> Plan:
    """For pages and the API: why this original is held, or until when it is kept."""
    if rec.case_id is None:  # a recording of an inspection without a case: the retention period only
        return Plan(hold=False, retain_until=rec.retention_until)
    return plan(db.session.get(Case, rec.case_id), today or today_china())
