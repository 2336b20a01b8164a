"""The shared core of case services: the rule-failure error, the timeline event (with its ledger entry),
document numbering, loading a case and the small parsers every sub-module uses."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.errors import DomainError, FutureDate, InvalidInput, NotFound, PermissionDenied
from app.extensions import db
from app.ledger.canonical import canonical_json
from app.ledger.services import append as ledger_append
from app.timeutil import utcnow
from cases import permissions
from cases.models import Case, CaseEvent, DocumentCounter


class GuardFailed(DomainError):
    """A transition or record refused by one or more rules; `details.problems` lists every reason."""

    code = "rule_violation"
    status = 409

    def __init__(self, problems: dict[str, list[str]], prefix="不能执行此操作"):
        flat = [p for ps in problems.values() for p in ps]
        super().__init__(prefix + "：" + "；".join(flat), details={"problems": problems})
        first = next(iter(problems))
        self.code = {"officers": "certificate_invalid", "legal_review": "review_required",
                     "publicity": "not_public", "limitation": "limitation_expired",
                     "recording": "recording_required"}.get(first, "rule_violation")


def _actor_name(actor):
    return actor.username if actor is not None else None


def _ledger(kind, case, payload):
    return ledger_append(kind, f"case:{case.id}", payload).seq


def record_event(case, action, actor, *, from_status=None, to_status=None, note="", data=None):
    """An entry in the case's timeline and, in the same transaction, in the ledger."""
    # The event keeps exactly what the ledger hashes: dates, times and amounts as canonical strings
    # (a JSON column cannot hold date or Decimal objects).
    data = json.loads(canonical_json(data or {}))
    event = CaseEvent(case=case, action=action, from_status=from_status, to_status=to_status,
                      actor_id=actor.id if actor else None, note=note, data=data, at=utcnow())
    db.session.add(event)
    db.session.flush()
    event.ledger_seq = _ledger(f"case.{action}", case, {
        "case_id": case.id, "case_number": case.number, "event_id": event.id, "action": action,
        "from": from_status, "to": to_status, "actor": _actor_name(actor), "note": note, "data": data})
    return event


def next_serial(agency_id: int, kind: str, year: int) -> int:
    """Next number in an agency's series for the year, in one upsert: the year's first number inserts 1,
    later ones add 1 (two first numbers at the same moment no longer collide on the key); the counter row
    stays locked until commit."""
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        upsert = (pg_insert if dialect == "postgresql" else sqlite_insert)(DocumentCounter).values(
            agency_id=agency_id, kind=kind, year=year, last=1)
        stmt = upsert.on_conflict_do_update(
            index_elements=[DocumentCounter.agency_id, DocumentCounter.kind, DocumentCounter.year],
            set_={"last": DocumentCounter.last + 1}).returning(DocumentCounter.last)
        return db.session.execute(stmt).scalar_one()
    stmt = (update(DocumentCounter)
            .where(DocumentCounter.agency_id == agency_id, DocumentCounter.kind == kind,
                   DocumentCounter.year == year)
            .values(last=DocumentCounter.last + 1).returning(DocumentCounter.last))
    value = db.session.execute(stmt).scalar()
    if value is None:
        db.session.execute(insert(DocumentCounter).values(agency_id=agency_id, kind=kind, year=year, last=1))
        value = 1
    return value


def document_number(agency, code: str, on: date) -> str:
    """e.g. 临城管罚〔2026〕12号 (GB/T 9704 style: prefix + code + 〔year〕 + serial + 号)."""
    return f"{agency.doc_prefix}{code}〔{on.year}〕{next_serial(agency.id, code, on.year)}号"


def get_case(case_id) -> Case:
    case = db.session.get(Case, case_id) if case_id is not None else None
    if case is None:
        raise NotFound(f"案件（编号{case_id}）不存在")
    return case


def ensure_can_view(user, case):
    if not permissions.can_view_case(user, case):
        from cases.privacy import refuse_case

        refuse_case(user, case.id, "无权查看该案件（SPEC §1）")  # PIPL Art 51: refusals are logged too
        raise NotFound(f"案件（编号{case.id}）不存在")  # do not reveal other agencies' cases


def _officers_by_id(agency_id, officer_ids):
    from app.officers.models import Officer

    ids = list(dict.fromkeys(int(i) for i in officer_ids))
    found = {o.id: o for o in db.session.scalars(select(Officer).where(Officer.id.in_(ids)))} if ids else {}
    missing = [i for i in ids if i not in found]
    if missing:
        raise InvalidInput(f"执法人员不存在：{missing}", details={"fields": {"officer_ids": ["执法人员不存在"]}})
    other = [o.name for o in found.values() if o.agency_id != agency_id]
    if other:
        raise InvalidInput(f"{'、'.join(other)}不属于本执法主体", details={"fields": {"officer_ids": ["不属于本执法主体"]}})
    return [found[i] for i in ids]


def _ensure_editable(case, actor):
    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied("只有本案承办执法人员可以修改案件记录")


def _parse_dt(value, name):
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise InvalidInput(f"时间格式无效：{value}", details={"fields": {name: ["时间格式无效"]}}) from None


def _cfg(name, default):
    from flask import current_app

    return current_app.config.get(name, default)


def _date(value):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"日期格式无效：{value}") from None


#: The rule every dated act obeys, quoted in the refusal (SPEC §4.1: the record says when it happened).
FUTURE_RULE = "执法全过程记录应当真实、准确，不得记载尚未发生的执法行为（国办发〔2018〕118号；SPEC §4.1）"
#: Clock skew tolerated for times of day (a phone's clock a few minutes ahead of the server's).
FUTURE_SKEW = timedelta(minutes=10)


def ensure_not_future(value, field: str, label: str):
    """Refuse a date (China date) or a time later than now. One check for every entry point."""
    if value is None:
        return
    if isinstance(value, datetime):
        from app.timeutil import aware, local

        if aware(value) > utcnow() + FUTURE_SKEW:
            when = f"{local(value):%Y-%m-%d %H:%M}"
            raise FutureDate(f"{label}（{when}）晚于当前时间：{FUTURE_RULE}",
                             details={"fields": {field: [f"{label}不能晚于当前时间"]}})
        return
    from app.timeutil import today_china

    today = today_china()
    if value > today:
        raise FutureDate(f"{label}（{value.isoformat()}）晚于今天（{today.isoformat()}）：{FUTURE_RULE}",
                         details={"fields": {field: [f"{label}不能晚于今天"]}})


#: Dated fields of action data and their labels (for the future-date check of `apply_action`).
DATE_LABELS = {"on": "操作日期", "served_on": "送达日期", "requested_on": "听证申请日期", "paid_on": "缴纳日期",
               "received_on": "接收日期", "checked_on": "复查日期", "announced_on": "公告日期"}


def ensure_action_dates(on, data: dict):
    """The act's legal date and every date in its data are today or earlier (a due date may be later)."""
    ensure_not_future(on, "on", DATE_LABELS["on"])
    for key, value in (data or {}).items():
        if key.endswith("_on") and value not in (None, ""):
            ensure_not_future(_date(value), key, DATE_LABELS.get(key, key))
