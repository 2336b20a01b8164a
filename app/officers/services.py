"""Officers and certificates: the only code that writes them, and the guard every act calls.

Every certificate lifecycle event (issued, inspected, suspended, restored, revoked, cancelled) is a new
row, never an update, and is entered in the ledger in the same transaction. Services flush; the caller
(request, CLI command) commits.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from app.auth.models import Agency, User
from app.auth.permissions import ensure
from app.errors import CertificateInvalid, Conflict, InvalidInput, InvalidTransition, NotFound
from app.extensions import db
from app.officers import rules, sheets
from app.officers.models import (CERT_KIND_LABELS, EMPLOYMENT_LABELS, CertificateKind, Certificate,
                                 CertificateEvent, EmploymentType, EventKind, Officer, RevocationReason)
from app.officers.permissions import can_manage_officers
from app.officers.regions import parse_region
from app.timeutil import today_china

MAX_PHOTO_BYTES = 1024 * 1024
PHOTO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
MAX_REASON = 500


def _ledger(kind, subject, payload):
    from app.ledger.services import append

    append(kind, subject, payload)


def _actor_name(actor):
    return actor.username if actor is not None else None


def _guard(actor):
    """Services called with an actor check the actor; the CLI (a trusted operator) may pass None."""
    if actor is not None:
        ensure(can_manage_officers(actor), "管理执法人员和执法证件仅限执法监督人员和系统管理员")


def _invalid(field_name, message):
    return InvalidInput(message, details={"fields": {field_name: [message]}})


def _reason(reason, required=True):
    reason = (reason or "").strip()
    if required and not reason:
        raise _invalid("reason", "请填写原因")
    if len(reason) > MAX_REASON:
        raise _invalid("reason", f"原因不超过{MAX_REASON}字")
    return reason


# --- officers -------------------------------------------------------------------------------------------

def _employment(value) -> EmploymentType:
    if isinstance(value, EmploymentType):
        return value
    member = EmploymentType.from_label(str(value or ""))
    if member is None:
        raise _invalid("employment_type", "用工性质应为：" + "、".join(EMPLOYMENT_LABELS.values()))
    return member


def _check_photo(photo, photo_type=None):
    if photo is None:
        return None, None
    if len(photo) > MAX_PHOTO_BYTES:
        raise _invalid("photo", "照片不超过1MB")
    for magic, mime in PHOTO_TYPES.items():
        if photo.startswith(magic):
            return photo, mime
    if photo_type == "image/svg+xml" and photo.lstrip().startswith(b"<svg") and b"<script" not in photo.lower():
        return photo, photo_type  # generated placeholders only (see demo); uploads are PNG or JPEG
    raise _invalid("photo", "照片须为PNG或JPEG格式")


def _check_user(user, agency_id, officer=None):
    if user is None:
        return None
    if user.agency_id != agency_id:
        raise _invalid("user", f"账户“{user.username}”不属于该执法主体")
    other = db.session.scalar(select(Officer).where(Officer.user_id == user.id))
    if other is not None and other is not officer:
        raise Conflict(f"账户“{user.username}”已关联执法人员{other.name}")
    return user


def _check_qualification(number, when):
    number = (number or "").strip() or None
    if number and len(number) > 40:
        raise _invalid("qualification_number", "法律职业资格证号不超过40个字符")
    if when and when > today_china():
        raise _invalid("qualification_date", "法律职业资格取得日期不得晚于今天")
    if when and not number:
        raise _invalid("qualification_number", "填写取得日期时须填写法律职业资格证号")
    return number, when


def create_officer(*, name, agency, employment_type, id_number=None, user=None, qualification_number=None,
                   qualification_date=None, photo=None, photo_type=None, actor=None) -> Officer:
    _guard(actor)
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise _invalid("name", "姓名不能为空且不超过64个字符")
    if agency is None:
        raise _invalid("agency_id", "请选择执法主体")
    employment = _employment(employment_type)
    id_number = _check_id_number(id_number)
    photo, photo_type = _check_photo(photo, photo_type)
    qualification_number, qualification_date = _check_qualification(qualification_number, qualification_date)
    officer = Officer(name=name, agency=agency, employment_type=employment.value, id_number=id_number,
                      user=_check_user(user, agency.id), qualification_number=qualification_number,
                      qualification_date=qualification_date, photo=photo, photo_type=photo_type)
    db.session.add(officer)
    db.session.flush()
    _ledger("officer.created", f"officer:{officer.id}", {
        "name": name, "agency_id": agency.id, "employment_type": employment.value,
        "user_id": user.id if user else None, "has_qualification": bool(qualification_number),
        "actor": _actor_name(actor)})
    return officer


_UNSET = object()


def update_officer(officer, *, actor=None, employment_type=_UNSET, user=_UNSET, qualification_number=_UNSET,
                   qualification_date=_UNSET, photo=_UNSET, photo_type=None) -> Officer:
    """Change the person's record; the certificates are changed only by their own events."""
    _guard(actor)
    changed = {}
    if employment_type is not _UNSET:
        officer.employment_type = changed["employment_type"] = _employment(employment_type).value
    if user is not _UNSET:
        officer.user = _check_user(user, officer.agency_id, officer)
        changed["user_id"] = user.id if user else None
    if qualification_number is not _UNSET or qualification_date is not _UNSET:
        number = officer.qualification_number if qualification_number is _UNSET else qualification_number
        when = officer.qualification_date if qualification_date is _UNSET else qualification_date
        officer.qualification_number, officer.qualification_date = _check_qualification(number, when)
        changed["has_qualification"] = bool(officer.qualification_number)
    if photo is not _UNSET and photo is not None:
        officer.photo, officer.photo_type = _check_photo(photo, photo_type)
        changed["photo"] = True
    db.session.flush()
    if changed:
        _ledger("officer.updated", f"officer:{officer.id}", {**changed, "actor": _actor_name(actor)})
    return officer


def _check_id_number(value):
    from app.validators import normalize_id_number, validate_id_number

    if value in (None, ""):
        return None
    problem = validate_id_number(value)
    if problem:
        raise _invalid("id_number", problem)
    return normalize_id_number(value)


def person_certificates(officer) -> list[Certificate]:
    """Every certificate of the person: this record's, and those of records with the same ID number."""
    certs = list(officer.certificates)
    if officer.id_number:
        others = db.session.scalars(select(Certificate).join(Officer).where(
            Officer.id_number == officer.id_number, Officer.id != officer.id)).all()
        certs += others
    return certs


# --- certificates ---------------------------------------------------------------------------------------

def _check_number(number):
    number = (number or "").strip()
    if not number or len(number) > 32:
        raise _invalid("number", "证件号不能为空且不超过32个字符")
    if db.session.scalar(select(Certificate.id).where(func.lower(Certificate.number) == number.lower())):
        raise Conflict(f"证件号{number}已存在", details={"fields": {"number": [f"证件号{number}已存在"]}})
    return number


def _check_categories(categories):
    if isinstance(categories, str):
        categories = sheets.split_list(categories)
    out = []
    for c in categories or []:
        c = (c or "").strip()
        if c and c not in out:
            out.append(c)
    if not out:
        raise _invalid("categories", "请至少填写一个执法类别")
    if any(len(c) > 20 for c in out):
        raise _invalid("categories", "执法类别每项不超过20个字符")
    return out


def issue_certificate(officer, *, number, categories, area_code, issued_on, expires_on,
                      kind=CertificateKind.jilin, issuer="", filed_on=None, reason="", actor=None,
                      today=None, legacy=False) -> Certificate:
    """Issue a certificate, refusing non-established staff, persons under the revocation bar and persons
    without a passed unified examination. `legacy` registers a certificate issued before the system kept
    examination records (the sheet import): the examination is then not asked for, and the ledger says so."""
    _guard(actor)
    today = today or today_china()
    try:
        kind = CertificateKind(kind) if not isinstance(kind, CertificateKind) else kind
    except ValueError:
        raise _invalid("kind", "证件类型应为：" + "、".join(CERT_KIND_LABELS.values())) from None
    number = _check_number(number)
    categories = _check_categories(categories)
    area = parse_region(area_code)
    if area is None:
        raise _invalid("area_code", "执法区域应为6位行政区划代码或已知地名")
    if kind is CertificateKind.jilin and not area.startswith("22"):
        raise _invalid("area_code", "吉林省行政执法证的执法区域须在吉林省内")
    if issued_on is None or expires_on is None:
        raise _invalid("issued_on" if issued_on is None else "expires_on", "请填写发证日期和有效期")
    if issued_on > today:
        raise _invalid("issued_on", "发证日期不得晚于今天")
    if expires_on < issued_on:
        raise _invalid("expires_on", "有效期不得早于发证日期")
    if kind is CertificateKind.ministry:
        if filed_on is None:
            raise _invalid("filed_on", "国务院部门执法证件须填写在司法局的备案日期")
        if filed_on > today:
            raise _invalid("filed_on", "备案日期不得晚于今天")
    refusals = [f for f in rules.issue_refusals(officer, issued_on, person_certificates(officer))
                if not (legacy and f.code in ("exam_missing", "exam_failed"))]
    if refusals:
        raise CertificateInvalid("不予发证：" + "；".join(f.message for f in refusals),
                                 code="certificate_refused",
                                 details={"failures": [f.to_dict() for f in refusals]})
    cert = Certificate(officer=officer, number=number, kind=kind.value, issuer=(issuer or "").strip()[:80],
                       filed_on=filed_on if kind is CertificateKind.ministry else None,
                       categories=categories, area_code=area, issued_on=issued_on, expires_on=expires_on,
                       public_token=secrets.token_urlsafe(24))
    db.session.add(cert)
    db.session.flush()
    _add_event(cert, EventKind.issued, issued_on, actor, reason=_reason(reason, required=False), payload={
        "officer_id": officer.id, "officer_name": officer.name, "agency_id": officer.agency_id,
        "kind": kind.value, "categories": categories, "area_code": area, "issued_on": issued_on,
        "expires_on": expires_on, "filed_on": cert.filed_on, **({"legacy": True} if legacy else {})})
    return cert


def _add_event(cert, kind: EventKind, on, actor, *, reason="", payload=None, **columns) -> CertificateEvent:
    event = CertificateEvent(certificate=cert, kind=kind.value, on=on, reason=reason,
                             actor_id=actor.id if actor is not None else None, **columns)
    db.session.add(event)
    db.session.flush()
    body = {"number": cert.number, "event_id": event.id, "on": on, "reason": reason,
            **{k: v for k, v in columns.items() if v is not None}, **(payload or {}),
            "actor": _actor_name(actor)}
    _ledger(f"certificate.{kind.value}", f"certificate:{cert.id}", body)
    return event


def _check_event_date(cert, on, today=None):
    today = today or today_china()
    if on is None:
        raise _invalid("on", "请填写日期")
    if on > today:
        raise _invalid("on", "日期不得晚于今天")
    if on < cert.issued_on:
        raise _invalid("on", f"日期不得早于发证日期{cert.issued_on.isoformat()}")
    last = max((e.on for e in cert.events), default=None)
    if last and on < last:
        raise _invalid("on", f"日期不得早于该证件上一事件的日期{last.isoformat()}（证件历史只能顺序追加）")
    status = rules.status_on(cert, max(on, last or on))
    if status.is_final:
        raise InvalidTransition(f"证件{cert.number}已{'吊销' if status.state == 'revoked' else '注销'}，不能再变更")
    return status


def record_inspection(cert, *, year, on, passed=True, reason="", actor=None, today=None,
                      legacy=False) -> CertificateEvent:
    """年检: record the outcome for an inspection year. Passing needs the year's training hours, except for
    `legacy` registration of an inspection passed before the system kept training records (the import)."""
    _guard(actor)
    _check_event_date(cert, on, today)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise _invalid("year", "请填写年检年度") from None
    if year > on.year or year < cert.issued_on.year:
        raise _invalid("year", f"年检年度应在{cert.issued_on.year}至{on.year}之间")
    if passed and year in rules.passed_inspection_years(cert, on):
        raise Conflict(f"证件{cert.number}已通过{year}年度年检")
    if passed and not legacy:
        short = rules.hours_failure(cert.officer, year)
        if short:
            raise CertificateInvalid(f"不能通过年检：{short.message}（{short.rule}）", code="inspection_refused",
                                     details={"failures": [short.to_dict()]})
    return _add_event(cert, EventKind.inspected, on, actor, reason=_reason(reason, required=not passed),
                      payload={"legacy": True} if legacy else None, year=year, passed=bool(passed))


def suspend(cert, *, on, reason, until=None, actor=None, today=None) -> CertificateEvent:
    """暂扣, until a date (inclusive) or until restored."""
    _guard(actor)
    status = _check_event_date(cert, on, today)
    if status.state == "suspended":
        raise InvalidTransition(f"证件{cert.number}已处于暂扣状态")
    if until is not None and until < on:
        raise _invalid("until", "暂扣截止日期不得早于暂扣日期")
    return _add_event(cert, EventKind.suspended, on, actor, reason=_reason(reason), until=until)


def restore(cert, *, on, reason, actor=None, today=None) -> CertificateEvent:
    """发还 a suspended certificate."""
    _guard(actor)
    if _check_event_date(cert, on, today).state != "suspended":
        raise InvalidTransition(f"证件{cert.number}未处于暂扣状态，无需发还")
    return _add_event(cert, EventKind.restored, on, actor, reason=_reason(reason))


def revoke(cert, *, on, reason, reason_type=RevocationReason.other, actor=None, today=None) -> CertificateEvent:
    """吊销. Revocation for altering or lending bars a new certificate (SPEC §5.6)."""
    _guard(actor)
    _check_event_date(cert, on, today)
    try:
        reason_type = RevocationReason(reason_type)
    except ValueError:
        raise _invalid("reason_type", "吊销事由应为：涂改证件、出借证件或其他") from None
    return _add_event(cert, EventKind.revoked, on, actor, reason=_reason(reason), reason_type=reason_type.value)


def cancel(cert, *, on, reason, actor=None, today=None) -> CertificateEvent:
    """注销, e.g. the holder left the post."""
    _guard(actor)
    _check_event_date(cert, on, today)
    return _add_event(cert, EventKind.cancelled, on, actor, reason=_reason(reason))


#: Lifecycle actions by name, for the form, API and CLI entry points.
ACTIONS = {
    "inspect": record_inspection,
    "suspend": suspend,
    "restore": restore,
    "revoke": revoke,
    "cancel": cancel,
}
ACTION_LABELS = {"inspect": "年检", "suspend": "暂扣", "restore": "发还", "revoke": "吊销", "cancel": "注销"}
ACTION_FIELDS = {
    "inspect": ("year", "on", "passed", "reason"),
    "suspend": ("on", "until", "reason"),
    "restore": ("on", "reason"),
    "revoke": ("on", "reason_type", "reason"),
    "cancel": ("on", "reason"),
}


def apply_action(cert, action, data: dict, actor=None) -> CertificateEvent:
    if action not in ACTIONS:
        raise NotFound("未知的证件操作")
    kwargs = {k: data[k] for k in ACTION_FIELDS[action] if k in data and data[k] is not None}
    return ACTIONS[action](cert, actor=actor, **kwargs)


# --- the guard every act calls ----------------------------------------------------------------------------

def require_qualified(officers, on: date, category=None, area=None, minimum: int = 2) -> list[Officer]:
    """Raise CertificateInvalid unless at least `minimum` distinct officers pass every rule on `on`.

    Returns the passing officers. The error lists each failing officer with every reason.
    """
    result = rules.check_team(list(officers), on, category=category, area=area, minimum=minimum)
    if result.ok:
        return result.passing
    head = (rules.TWO_OFFICERS_MESSAGE if minimum == 2
            else f"至少需要{minimum}名持有有效执法证件的执法人员（{rules.TWO_OFFICERS_RULE}）")
    reasons = result.reasons()
    message = f"{head}，符合条件的仅{len(result.passing)}名"
    if reasons:
        message += "：" + "；".join(reasons)
    raise CertificateInvalid(message, details={
        "minimum": minimum, "passing": [o.id for o in result.passing],
        "officers": [{"officer_id": o.id, "name": o.name, "failures": [f.to_dict() for f in fs]}
                     for o, fs in result.failing]
        + [{"officer_id": o.id, "name": o.name, "failures": [
            {"code": "duplicate", "message": "同一执法人员不能重复计算", "rule": "SPEC §5"}]}
           for o in result.duplicates]})


# --- import -------------------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    officers_created: int = 0
    officers_reused: int = 0
    certificates: int = 0
    inspections: int = 0
    rows: int = 0
    #: Of those, registered as history from before the system's records (LEGACY_RULE).
    legacy_certificates: int = 0
    legacy_inspections: int = 0


@dataclass
class _Row:
    number: int
    values: dict
    errors: list = field(default_factory=list)

    def error(self, column, message):
        self.errors.append({"row": self.number, "column": column, "message": message})


class SheetInvalid(InvalidInput):
    code = "sheet_invalid"


#: Why an imported record may skip the examination or the hours: the facts predate the records this system
#: keeps. The import registers certificates already held; only what happened before OFFICER_RECORDS_SINCE
#: (the cut-over date, a setting; unset: nothing is legacy) is history whose examination and hours are on
#: the issuing authority's paper file: a certificate issued before it, an inspection year whose training
#: began before it. Everything else passes the same rules as the web form.
LEGACY_RULE = ("历史记录：早于本系统考试和培训记录起始日{since}，统一考试合格和年度培训学时以发证机关档案为准"
               "（吉林省行政执法证件管理办法；SPEC §5.5）")


def records_since() -> date | None:
    """OFFICER_RECORDS_SINCE: the day from which the system holds examination and training records."""
    from flask import current_app

    value = current_app.config.get("OFFICER_RECORDS_SINCE")
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(f"系统设置OFFICER_RECORDS_SINCE（考试和培训记录起始日）应为日期YYYY-MM-DD，当前为“{value}”，"
                           "请系统管理员更正后再导入") from None


def _agency_lookup():
    by_name = {}
    for agency in db.session.scalars(select(Agency)):
        by_name[agency.name] = agency
        by_name[agency.short_name] = agency
    return by_name


def import_sheet(filename: str, data: bytes, actor=None, today=None) -> ImportResult:
    """Import officers (and their certificates) from an .xlsx or .csv sheet.

    Every row is checked first; if any row is wrong nothing is imported and SheetInvalid lists each
    (row, column, reason).
    """
    _guard(actor)
    today = today or today_china()
    headers, raw_rows = sheets.read_rows(filename, data)
    missing = [c for c in sheets.REQUIRED_COLUMNS if c not in headers]
    if missing:
        msg = "表格缺少必填列：" + "、".join(missing)
        raise SheetInvalid(msg, details={"rows": [{"row": 1, "column": c, "message": "缺少该列"} for c in missing]})
    if not raw_rows:
        raise SheetInvalid("表格中没有数据行", details={"rows": []})

    agencies = _agency_lookup()
    rows = [_Row(n, v) for n, v in raw_rows]
    plans = []
    seen_numbers, seen_ids, seen_users = {}, {}, {}
    settings = rules.RuleSettings.from_config()
    since = records_since()
    for row in rows:
        plan = _plan_row(row, agencies, today, settings, seen_numbers, seen_ids, seen_users)
        _plan_legacy(row, plan, since, settings)
        plans.append(plan)
    errors = [e for r in rows for e in r.errors]
    if errors:
        bad = sorted({e["row"] for e in errors})
        raise SheetInvalid(f"表格有{len(errors)}处错误（第{'、'.join(map(str, bad))}行），未导入任何数据",
                           details={"rows": errors})

    result = ImportResult(rows=len(rows))
    for plan in plans:
        officer = plan["existing"]
        if officer is None:
            officer = create_officer(actor=actor, **plan["officer"])
            result.officers_created += 1
        else:
            result.officers_reused += 1
            if plan["officer"].get("qualification_number"):
                update_officer(officer, actor=actor, qualification_number=plan["officer"]["qualification_number"],
                               qualification_date=plan["officer"]["qualification_date"])
        if plan["certificate"]:
            legacy = plan["legacy_certificate"]
            cert = issue_certificate(officer, actor=actor, today=today, legacy=legacy, **plan["certificate"],
                                     reason="表格导入（已持有证件登记）" + (
                                         "；" + LEGACY_RULE.format(since=since.isoformat()) if legacy else ""))
            result.certificates += 1
            result.legacy_certificates += legacy
            year = plan["inspection_year"]
            if year is not None and year >= cert.issued_on.year:
                on = max(cert.issued_on, min(today, date(year, 12, 31)))
                legacy = plan["legacy_inspection"]
                record_inspection(cert, year=year, on=on, actor=actor, today=today, legacy=legacy,
                                  reason="表格导入" + ("；" + LEGACY_RULE.format(since=since.isoformat())
                                                      if legacy else ""))
                result.inspections += 1
                result.legacy_inspections += legacy
    return result


def _plan_legacy(row, plan, since, settings):
    """Which imported facts are history (before `since`) and which must pass the rules now: a certificate
    issued from `since` on needs the officer's passed examination on record; an inspection year that began
    on or after `since` needs the year's training hours on record (import them first: training import)."""
    plan["legacy_certificate"] = plan["legacy_inspection"] = False
    cert = plan["certificate"]
    if not cert or not cert.get("issued_on"):
        return
    officer = plan["existing"]
    if since is not None and cert["issued_on"] < since:
        plan["legacy_certificate"] = True
    else:
        exam = rules.exam_failure(officer, cert["issued_on"]) if officer is not None else rules.Failure(
            "exam_missing", "新登记的执法人员在本系统中没有统一考试记录", rules.EXAM_RULE)
        if exam:
            row.error("发证日期", f"{exam.message}：{cert['issued_on'].isoformat()}发放的证件须有考试合格记录"
                               f"（{exam.rule}）。请先导入考试记录，或由管理员将历史记录起始日设置在发证日期之后")
    year = plan["inspection_year"]
    if year is None:
        return
    if since is not None and date(year, 1, 1) < since:  # part of the year's training predates the records
        plan["legacy_inspection"] = True
        return
    short = rules.hours_failure(officer, year, settings) if officer is not None else rules.Failure(
        "training_hours", f"新登记的执法人员在本系统中没有{year}年度培训记录", rules.HOURS_RULE)
    if short:
        row.error("最近年检年度", f"{short.message}（{short.rule}）。请先导入{year}年度培训记录")


def _plan_row(row, agencies, today, settings, seen_numbers, seen_ids, seen_users):
    v = {k: sheets.text(val) for k, val in row.values.items()}
    name = v.get("姓名", "")
    if not name:
        row.error("姓名", "姓名不能为空")
    elif len(name) > 64:
        row.error("姓名", "姓名不超过64个字符")
    agency = agencies.get(v.get("执法主体", ""))
    if agency is None:
        row.error("执法主体", f"执法主体“{v.get('执法主体', '')}”不存在" if v.get("执法主体") else "执法主体不能为空")
    employment = EmploymentType.from_label(v.get("用工性质", ""))
    if employment is None:
        row.error("用工性质", "用工性质应为：" + "、".join(EMPLOYMENT_LABELS.values()))

    id_number = None
    if v.get("身份证号"):
        from app.validators import normalize_id_number, validate_id_number

        problem = validate_id_number(v["身份证号"])
        if problem:
            row.error("身份证号", problem)
        else:
            id_number = normalize_id_number(v["身份证号"])
            if id_number in seen_ids:
                row.error("身份证号", f"与第{seen_ids[id_number]}行重复")
            seen_ids.setdefault(id_number, row.number)

    user = None
    if v.get("用户名"):
        user = db.session.scalar(select(User).where(func.lower(User.username) == v["用户名"].lower()))
        if user is None:
            row.error("用户名", f"账户“{v['用户名']}”不存在")
        elif agency is not None and user.agency_id != agency.id:
            row.error("用户名", f"账户“{v['用户名']}”不属于{agency.name}")
        elif user.id in seen_users:
            row.error("用户名", f"与第{seen_users[user.id]}行重复")
        else:
            seen_users[user.id] = row.number

    qualification_date = _cell_date(row, v, "法律职业资格取得日期")
    qualification_number = v.get("法律职业资格证号") or None
    if qualification_date and not qualification_number:
        row.error("法律职业资格证号", "填写取得日期时须填写法律职业资格证号")
    if qualification_date and qualification_date > today:
        row.error("法律职业资格取得日期", "不得晚于今天")

    existing = None
    if agency is not None and name:
        stmt = select(Officer).where(Officer.agency_id == agency.id)
        stmt = stmt.where(Officer.id_number == id_number) if id_number else stmt.where(Officer.name == name)
        matches = db.session.scalars(stmt).all()
        existing = matches[0] if len(matches) == 1 else None
        if existing is not None and existing.name != name:
            row.error("身份证号", f"该身份证号已登记为{existing.name}")
        if existing is not None and employment is not None and existing.employment_type != employment.value:
            row.error("用工性质", f"与已登记的用工性质（{existing.employment.label}）不一致")
    if user is not None and existing is None:
        linked = db.session.scalar(select(Officer).where(Officer.user_id == user.id))
        if linked is not None:
            row.error("用户名", f"账户“{user.username}”已关联执法人员{linked.name}")

    certificate = None
    cert_columns = ("证件号", "证件类型", "执法类别", "执法区域", "发证日期", "有效期至", "最近年检年度", "备案日期")
    number = v.get("证件号", "")
    year = None
    if number:
        if employment is not None and employment is not EmploymentType.established:
            row.error("用工性质", f"辅助、合同、临时和公益性岗位人员不得持有行政执法证件（SPEC §5.5），"
                               f"该行用工性质为“{employment.label}”却填写了证件号")
        if len(number) > 32:
            row.error("证件号", "证件号不超过32个字符")
        elif number.lower() in seen_numbers:
            row.error("证件号", f"证件号与第{seen_numbers[number.lower()]}行重复")
        elif db.session.scalar(select(Certificate.id).where(func.lower(Certificate.number) == number.lower())):
            row.error("证件号", f"证件号{number}已存在")
        seen_numbers.setdefault(number.lower(), row.number)
        kind = CertificateKind.from_label(v.get("证件类型") or "吉林省行政执法证")
        if kind is None:
            row.error("证件类型", "证件类型应为“吉林省行政执法证”或“国务院部门执法证件”")
        categories = sheets.split_list(v.get("执法类别"))
        if not categories:
            row.error("执法类别", "执法类别不能为空（多个类别用“、”分隔）")
        area = parse_region(v.get("执法区域"))
        if area is None:
            row.error("执法区域", f"执法区域“{v.get('执法区域', '')}”应为6位行政区划代码或已知地名")
        elif kind is CertificateKind.jilin and not area.startswith("22"):
            row.error("执法区域", "吉林省行政执法证的执法区域须在吉林省内")
        issued_on = _cell_date(row, v, "发证日期", required=True)
        expires_on = _cell_date(row, v, "有效期至", required=True)
        filed_on = _cell_date(row, v, "备案日期", required=kind is CertificateKind.ministry)
        if issued_on and issued_on > today:
            row.error("发证日期", "发证日期不得晚于今天")
        if issued_on and expires_on and expires_on < issued_on:
            row.error("有效期至", "有效期不得早于发证日期")
        if v.get("最近年检年度"):
            try:
                year = int(v["最近年检年度"].replace("年", "").replace("度", ""))
            except ValueError:
                row.error("最近年检年度", "应为四位年份，如2026")
            else:
                if issued_on and not (issued_on.year <= year <= today.year):
                    row.error("最近年检年度", f"应在发证年度{issued_on.year}至{today.year}之间")
        if existing is not None and issued_on and employment is EmploymentType.established:
            bar = rules.revocation_bar(person_certificates(existing), issued_on, settings)
            if bar:
                row.error("证件号", bar.message)
        certificate = {"number": number, "kind": kind or CertificateKind.jilin, "categories": categories,
                       "area_code": area, "issued_on": issued_on, "expires_on": expires_on,
                       "filed_on": filed_on, "issuer": v.get("发证机关", "")}
    else:
        filled = [c for c in cert_columns if v.get(c)]
        if filled:
            row.error("证件号", "填写了证件信息（" + "、".join(filled) + "）但缺少证件号")

    return {"existing": existing, "inspection_year": year, "certificate": certificate,
            "officer": {"name": name, "agency": agency, "employment_type": employment, "id_number": id_number,
                        "user": user, "qualification_number": qualification_number,
                        "qualification_date": qualification_date}}


def _cell_date(row, values, column, required=False):
    raw = row.values.get(column)
    try:
        value = sheets.parse_date(raw)
    except ValueError as err:
        row.error(column, str(err))
        return None
    if value is None and required:
        row.error(column, f"{column}不能为空")
    return value


# --- export -------------------------------------------------------------------------------------------------

def export_rows(officers, on: date, *, full: bool = False) -> list[list]:
    """One row per officer (and per certificate) in the import layout plus today's status. ID numbers are
    masked unless `full` (PIPL Art 6, 51: minimum necessary; the full roster is asked for with a purpose)."""
    from app.privacy.masking import mask_id_number

    out = []
    for officer in officers:
        certs = list(officer.certificates) or [None]
        failures = rules.check(officer, on)
        id_number = (officer.id_number if full else mask_id_number(officer.id_number)) or ""
        for cert in certs:
            years = rules.passed_inspection_years(cert, on) if cert else set()
            status = rules.status_on(cert, on).label if cert else "无证"
            out.append([
                officer.name, officer.agency.name, officer.employment.label, id_number,
                cert.number if cert else "", CERT_KIND_LABELS[cert.kind_enum] if cert else "",
                "、".join(cert.categories) if cert else "",
                f"{cert.area_code}" if cert else "",
                cert.issued_on if cert else None, cert.expires_on if cert else None,
                max(years) if years else None, cert.issuer if cert else "", cert.filed_on if cert else None,
                officer.qualification_number or "", officer.qualification_date,
                officer.user.username if officer.user else "",
                status, "通过" if not failures else "不通过", "；".join(f.message for f in failures),
            ])
    return out


def export_workbook(officers, on: date, *, full: bool = False) -> bytes:
    return sheets.write_xlsx(sheets.COLUMNS + sheets.EXPORT_EXTRA, export_rows(officers, on, full=full))


def roster_export(officers, on: date, *, actor, purpose=None, note=None) -> bytes:
    """The roster as .xlsx: ID numbers masked by default; whole (the import layout, e.g. to re-import or to
    apply for certificates) only with a stated purpose, and that export of personal data is written to the
    access log (PIPL Art 6, 51, 55; app.privacy). A purpose given without its note is refused (422)."""
    from app.privacy.services import check_purpose, record_access

    if not (purpose or note):
        return export_workbook(officers, on)
    purpose, note = check_purpose(purpose, note)
    record_access(actor, "export", [("officer_roster", None, None, ["id_number"])], purpose=purpose,
                  note=f"执法人员名册导出（{len(officers)}人，含完整身份证号）：{note}")
    return export_workbook(officers, on, full=True)

