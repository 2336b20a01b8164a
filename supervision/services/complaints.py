"""Complaints and reports (投诉举报, SPEC §14; 《吉林省行政执法监督条例》).

Lifecycle: received (public form, or staff entering a letter, call or visit) → accepted or refused within
COMPLAINT_ACCEPT_WORKING_DAYS working days, with reasons → assigned to a handler (a supervisor of the
office, or transferred to the agency's head) → replied within COMPLAINT_HANDLE_DAYS days of acceptance.
Every step is an event and a ledger entry; no ledger entry holds the complainant's personal data (the
receipt's entry holds a keyed digest of the submission that only the holder of the secret can recompute).
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import false, func, select

from app import calendar
from app.auth.models import Agency, Role, User
from app.auth.permissions import ensure, has_role, is_citywide
from app.auth.scope import readable_agency_ids as visible_agency_ids
from app.errors import InvalidInput, InvalidTransition, NotFound
from app.extensions import db
from app.ledger.canonical import canonical_bytes
from app.serials import add_numbered
from app.timeutil import today_china
from app.validators import validate_mobile
from supervision import permissions
from supervision.models.complaints import (CHANNEL_LABELS, OPEN_STATUSES, Complaint, ComplaintChannel,
                                           ComplaintEvent, ComplaintOutcome, ComplaintStatus)
from supervision.services.common import actor_name, as_date, invalid, ledger, setting, text
from supervision.services.hierarchy import office_of_agency

SECRET_BYTES = 9  # 12 URL-safe characters
_REF_RE = re.compile(r"^TS\d{4}-\d{6}$")


@dataclass
class Receipt:
    complaint: Complaint
    #: Shown once; only its hash is kept.
    secret: str


def _digest(secret: str, body: dict) -> str:
    """HMAC-SHA256 keyed by the complainant's secret over the submission: proves what was received without
    letting anyone test guesses of a phone number or name against the public ledger."""
    return hmac.new(secret.encode(), canonical_bytes(body), hashlib.sha256).hexdigest()


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _next_reference(year: int) -> str:
    prefix = f"TS{year}-"
    last = db.session.scalar(select(func.max(Complaint.reference)).where(Complaint.reference.like(prefix + "%")))
    n = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{n:06d}"


def _event(complaint, kind, on, actor, note="", payload=None):
    entry = ledger(f"complaint.{kind}", f"complaint:{complaint.id}", {
        "reference": complaint.reference, "on": on, "note": note, **(payload or {}), "actor": actor_name(actor)})
    event = ComplaintEvent(complaint=complaint, kind=kind, on=on, note=note,
                           actor_id=actor.id if actor is not None else None, ledger_seq=entry.seq)
    db.session.add(event)
    db.session.flush()
    return entry


def accept_due_for(received_on: date) -> date:
    """SPEC §14: accept or refuse within COMPLAINT_ACCEPT_WORKING_DAYS working days (default 5)."""
    return calendar.add_working_days(received_on, setting("COMPLAINT_ACCEPT_WORKING_DAYS"))


def handle_due_for(accepted_on: date) -> date:
    """SPEC §14: handled within COMPLAINT_HANDLE_DAYS days (default 60) of acceptance; a period ending on a rest
    day ends on the next working day (《民事诉讼法》第八十五条, applied to administrative periods)."""
    due = calendar.add_days(accepted_on, setting("COMPLAINT_HANDLE_DAYS"))
    return due if calendar.is_working_day(due) else calendar.add_working_days(due, 1)


def _clean_submission(data: dict) -> dict:
    agency_id = data.get("agency_id")
    try:
        agency_id = int(agency_id)
    except (TypeError, ValueError):
        raise invalid("agency_id", "请选择被投诉的执法部门") from None
    if db.session.get(Agency, agency_id) is None:
        raise invalid("agency_id", "被投诉的执法部门不存在")
    phone = text(data.get("complainant_phone"), "complainant_phone", "联系电话", required=False, max_len=40)
    if phone and not re.fullmatch(r"[0-9\-+ ]{7,20}", phone):
        raise invalid("complainant_phone", "联系电话格式不正确")
    if phone and phone.replace(" ", "").startswith("1") and len(phone.replace(" ", "")) == 11:
        problem = validate_mobile(phone)
        if problem:
            raise invalid("complainant_phone", problem)
    return {
        "agency_id": agency_id,
        "subject": text(data.get("subject"), "subject", "投诉事项", max_len=200),
        "content": text(data.get("content"), "content", "投诉内容", max_len=5000),
        "related": text(data.get("related"), "related", "相关案件或执法人员", required=False, max_len=200),
        "complainant_name": text(data.get("complainant_name"), "complainant_name", "姓名", required=False, max_len=64),
        "complainant_phone": phone,
        "complainant_address": text(data.get("complainant_address"), "complainant_address", "联系地址",
                                    required=False, max_len=200),
        "consent_disclose": str(data.get("consent_disclose", "")).lower() in ("1", "y", "yes", "true", "on"),
    }


def submit(data: dict, *, channel=ComplaintChannel.web, actor=None, on: date | None = None) -> Receipt:
    """Register a complaint. From the public site (`actor` None, channel web) or entered by a supervisor from
    a letter, call or visit (`actor` the supervisor; `on` the day it arrived, not in the future)."""
    try:
        channel = ComplaintChannel(channel)
    except ValueError:
        raise invalid("channel", "来源应为网上投诉、来信、来电或来访") from None
    today = today_china()
    clean = _clean_submission(data)
    if actor is not None:
        ensure(permissions.can_supervise(actor, clean["agency_id"]),
               "登记投诉举报仅限负责监督该执法部门的执法监督人员")
        received_on = as_date(on or data.get("received_on") or today, "received_on", "收到日期")
        if received_on > today:
            raise invalid("received_on", "收到日期不得晚于今天")
    else:
        if channel is not ComplaintChannel.web:
            raise invalid("channel", "公众网站只能提交网上投诉")
        received_on = today
    secret = secrets.token_urlsafe(SECRET_BYTES)
    office = office_of_agency(clean["agency_id"])
    complaint = add_numbered(Complaint, lambda: Complaint(
        reference=_next_reference(received_on.year), secret_hash=_hash_secret(secret), channel=channel.value,
        office_id=office.id if office else None, received_on=received_on, accept_due=accept_due_for(received_on),
        status=ComplaintStatus.received.value, entered_by_id=actor.id if actor is not None else None, **clean))
    entry = _event(complaint, "received", received_on, actor, payload={
        "channel": channel.value, "agency_id": complaint.agency_id, "accept_due": complaint.accept_due,
        "submission_hmac": _digest(secret, {**clean, "reference": complaint.reference})})
    complaint.ledger_seq = entry.seq
    db.session.flush()
    return Receipt(complaint, secret)


# --- reads --------------------------------------------------------------------------------------------------

def get(complaint_id) -> Complaint:
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound("未找到该投诉举报")
    return complaint


def ensure_can_view(user, complaint):
    if not permissions.can_view_complaint(user, complaint):
        from supervision.privacy import refuse

        refuse(user, complaint)  # PIPL Art 51: a refused read of personal data is logged
        raise NotFound("未找到该投诉举报")


PERSON_FIELDS = ("complainant_name", "complainant_phone", "complainant_address")


def log_person_view(user, complaints_shown) -> None:
    """Every display of a complainant's data to staff goes to the personal-data access log (PIPL Art 51;
    app.privacy), with purpose "complaint", in the transaction of the answer that shows it."""
    from app.privacy.services import record_access

    subjects = [("complaint", c.id, None, [f for f in PERSON_FIELDS if getattr(c, f)])
                for c in complaints_shown if any(getattr(c, f) for f in PERSON_FIELDS)]
    if subjects:
        record_access(user, "view", subjects, purpose="complaint")


def lookup(reference: str, secret: str) -> Complaint:
    """The complainant's status look-up: a wrong reference and a wrong secret give the same answer."""
    reference = (reference or "").strip().upper()
    secret = (secret or "").strip()
    wrong = NotFound("受理编号或查询码不正确")
    if not _REF_RE.match(reference) or not secret or len(secret) > 64:
        raise wrong
    complaint = db.session.scalar(select(Complaint).where(Complaint.reference == reference))
    if complaint is None or not hmac.compare_digest(complaint.secret_hash, _hash_secret(secret)):
        raise wrong
    return complaint


def visible_complaints(user, *, status=None, agency_id=None, open_only=False):
    """Complaints the user may see, newest first: supervisors those about agencies in their scope, an agency
    head those transferred to them."""
    stmt = select(Complaint)
    if permissions.is_supervisor(user) or (is_citywide(user) and has_role(user, Role.admin)):
        scope = visible_agency_ids(user)
        if scope is not None:
            stmt = stmt.where(Complaint.agency_id.in_(sorted(scope)))
    elif getattr(user, "is_authenticated", False):
        stmt = stmt.where(Complaint.assignee_id == user.id)
    else:
        stmt = stmt.where(false())
    if status:
        stmt = stmt.where(Complaint.status == status)
    if open_only:
        stmt = stmt.where(Complaint.status.in_(OPEN_STATUSES))
    if agency_id:
        stmt = stmt.where(Complaint.agency_id == agency_id)
    return stmt.order_by(Complaint.received_on.desc(), Complaint.id.desc())


@dataclass
class Warning:
    complaint: Complaint
    what: str  # "受理" or "办结"
    due: date
    state: str  # calendar.OVERDUE / DUE_SOON


def deadline_of(complaint) -> tuple[str, date] | None:
    if complaint.status == ComplaintStatus.received.value:
        return "受理", complaint.accept_due
    if complaint.status in (ComplaintStatus.accepted.value, ComplaintStatus.handling.value):
        return "办结", complaint.handle_due
    return None


def warning_for(complaint, today: date) -> Warning | None:
    """超期预警: the complaint's running deadline is near (COMPLAINT_WARN_DAYS) or past."""
    d = deadline_of(complaint)
    if d is None or d[1] is None:
        return None
    state = calendar.deadline_status(d[1], today, setting("COMPLAINT_WARN_DAYS"))
    return None if state == calendar.OK else Warning(complaint, d[0], d[1], state)


def warnings(user, today: date | None = None) -> list[Warning]:
    today = today or today_china()
    rows = db.session.scalars(visible_complaints(user, open_only=True))
    found = [w for w in (warning_for(c, today) for c in rows) if w is not None]
    return sorted(found, key=lambda w: (w.state != calendar.OVERDUE, w.due))


# --- decisions ----------------------------------------------------------------------------------------------

def _guard_supervise(actor, complaint, what):
    if actor is not None:
        ensure(permissions.can_supervise(actor, complaint.agency_id), f"{what}仅限负责监督该执法部门的执法监督人员")


def _action_date(complaint, on, earliest: date) -> date:
    today = today_china()
    on = as_date(on or today, "on", "日期")
    if on > today:
        raise invalid("on", "日期不得晚于今天")
    if on < earliest:
        raise invalid("on", f"日期不得早于{earliest.isoformat()}")
    return on


def accept(complaint, *, note="", on=None, actor=None) -> Complaint:
    """受理: starts the COMPLAINT_HANDLE_DAYS handling period."""
    _guard_supervise(actor, complaint, "受理投诉举报")
    if complaint.status != ComplaintStatus.received.value:
        raise InvalidTransition(f"投诉举报{complaint.reference}当前状态为“{complaint.status_enum.label}”，不能受理")
    on = _action_date(complaint, on, complaint.received_on)
    complaint.status = ComplaintStatus.accepted.value
    complaint.decided_on = on
    complaint.decision_reason = text(note, "note", "受理意见", required=False)
    complaint.handle_due = handle_due_for(on)
    _event(complaint, "accepted", on, actor, complaint.decision_reason,
           {"handle_due": complaint.handle_due, "late": on > complaint.accept_due})
    return complaint


def refuse(complaint, *, reason, on=None, actor=None) -> Complaint:
    """不予受理, with the reasons the complainant will read (SPEC §14: accept or refuse with reasons)."""
    _guard_supervise(actor, complaint, "不予受理投诉举报")
    if complaint.status != ComplaintStatus.received.value:
        raise InvalidTransition(f"投诉举报{complaint.reference}当前状态为“{complaint.status_enum.label}”，不能作出不予受理决定")
    reason = text(reason, "reason", "不予受理的理由（《吉林省行政执法监督条例》要求说明理由）")
    on = _action_date(complaint, on, complaint.received_on)
    complaint.status = ComplaintStatus.refused.value
    complaint.decided_on = on
    complaint.decision_reason = reason
    _event(complaint, "refused", on, actor, reason, {"late": on > complaint.accept_due})
    return complaint


def assignable_users(complaint) -> list[User]:
    """Handlers: supervisors who may supervise the agency, and the agency's head (转办)."""
    users = list(db.session.scalars(select(User).where(User.is_enabled.is_(True)).order_by(User.id)))
    return [u for u in users if permissions.can_supervise(u, complaint.agency_id)
            or (Role.head in u.roles and u.agency_id == complaint.agency_id)]


def assign(complaint, assignee: User, *, note="", on=None, actor=None) -> Complaint:
    """交办: to a supervisor in scope, or transferred to the head of the agency complained about (who then sees
    the complainant's personal data only with their consent)."""
    _guard_supervise(actor, complaint, "交办投诉举报")
    if complaint.status not in (ComplaintStatus.accepted.value, ComplaintStatus.handling.value):
        raise InvalidTransition(f"投诉举报{complaint.reference}须先受理才能交办")
    if assignee is None or assignee not in assignable_users(complaint):
        raise invalid("assignee_id", "承办人应为负责监督该部门的执法监督人员或被投诉部门的负责人")
    on = _action_date(complaint, on, complaint.decided_on or complaint.received_on)
    complaint.assignee_id = assignee.id
    complaint.assigned_on = on
    complaint.status = ComplaintStatus.handling.value
    _event(complaint, "assigned", on, actor, text(note, "note", "交办意见", required=False),
           {"assignee": assignee.username, "to_agency": assignee.agency_id == complaint.agency_id})
    return complaint


def reply(complaint, *, text_, outcome, on=None, actor=None) -> Complaint:
    """答复: the handler's reply, which the complainant reads with the reference and the secret."""
    if actor is not None:
        ensure(permissions.can_reply_complaint(actor, complaint), "答复投诉举报仅限承办人或负责监督该部门的执法监督人员")
    if complaint.status != ComplaintStatus.handling.value:
        raise InvalidTransition(f"投诉举报{complaint.reference}须先受理并交办才能答复")
    body = text(text_, "reply", "答复内容", max_len=5000)
    try:
        outcome = ComplaintOutcome(outcome)
    except ValueError:
        raise invalid("outcome", "调查结论应为属实、部分属实或不属实") from None
    on = _action_date(complaint, on, complaint.assigned_on or complaint.received_on)
    complaint.reply = body
    complaint.outcome = outcome.value
    complaint.replied_on = on
    complaint.status = ComplaintStatus.closed.value
    _event(complaint, "replied", on, actor, "", {"outcome": outcome.value,
                                                  "reply_sha256": hashlib.sha256(body.encode()).hexdigest(),
                                                  "late": complaint.handle_due is not None and on > complaint.handle_due})
    return complaint


def channel_choices(staff=True):
    return [(c.value, CHANNEL_LABELS[c]) for c in ComplaintChannel if staff or c is ComplaintChannel.web]


ACTIONS = ("accept", "refuse", "assign", "reply")


def apply_action(complaint, action, data: dict, actor=None) -> Complaint:
    """One entry for the form, API and CLI."""
    if action == "accept":
        return accept(complaint, note=data.get("note", ""), on=data.get("on"), actor=actor)
    if action == "refuse":
        return refuse(complaint, reason=data.get("reason"), on=data.get("on"), actor=actor)
    if action == "assign":
        try:
            user = db.session.get(User, int(data.get("assignee_id")))
        except (TypeError, ValueError):
            user = None
        return assign(complaint, user, note=data.get("note", ""), on=data.get("on"), actor=actor)
    if action == "reply":
        return reply(complaint, text_=data.get("reply"), outcome=data.get("outcome"), on=data.get("on"), actor=actor)
    raise NotFound("未知的投诉举报操作")
