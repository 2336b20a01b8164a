"""Cases: the only code that writes cases, the power list, parties, steps, drafts and documents.

Every entry point (HTML views, the JSON API, the CLI) calls these functions. They check the permission
predicate, the workflow table and the guards, write, append to the ledger in the same transaction, and
flush; the caller commits once.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import insert, select, update

from app import calendar
from app.errors import DomainError, InvalidInput, InvalidTransition, NotFound, PermissionDenied
from app.extensions import db
from app.ledger.canonical import canonical_json
from app.ledger.services import append as ledger_append
from app.timeutil import local, today_china, utcnow
from cases import guards, permissions, workflow
from cases.models import (PENALTY_KINDS, SERVICE_METHODS, STEP_LABELS, Case, CaseDeadline, CaseDocument,
                          CaseEvent, CaseOfficer, CaseParty, CaseStatus, CaseStep, DocumentCounter, Matter,
                          MatterVersion, Procedure, StepKind)


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
    """Next number in an agency's series for the year; the UPDATE locks the counter row until commit."""
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
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound(f"案件（编号{case_id}）不存在")
    return case


def ensure_can_view(user, case):
    if not permissions.can_view_case(user, case):
        raise NotFound(f"案件（编号{case.id}）不存在")  # do not reveal other agencies' cases


# --- power list -----------------------------------------------------------------------------------------

def _check_matter_fields(name, category, legal_basis, penalty_basis, tiers, procedures, av_steps):
    fields = {}
    if not (name or "").strip():
        fields["name"] = ["请填写事项名称"]
    if not (category or "").strip():
        fields["category"] = ["请填写执法类别"]
    if not (legal_basis or "").strip():
        fields["legal_basis"] = ["请填写违法依据（法律及条款）"]
    if not (penalty_basis or "").strip():
        fields["penalty_basis"] = ["请填写处罚依据"]
    bad = [p for p in procedures if p not in (Procedure.ordinary.value, Procedure.summary.value)]
    if not procedures or bad:
        fields["procedures"] = ["适用程序只能是普通程序（ordinary）或简易程序（summary）"]
    bad_steps = [s for s in av_steps if s not in StepKind.__members__]
    if bad_steps:
        fields["av_steps"] = [f"未知的执法环节：{'、'.join(bad_steps)}"]
    tier_errors = []
    names = set()
    for i, tier in enumerate(tiers or [], 1):
        try:
            lo, hi = Decimal(str(tier.get("min", 0))), Decimal(str(tier.get("max", 0)))
        except (InvalidOperation, AttributeError):
            tier_errors.append(f"第{i}档金额无效")
            continue
        if not tier.get("name"):
            tier_errors.append(f"第{i}档缺少名称")
        if lo < 0 or hi < lo:
            tier_errors.append(f"第{i}档“{tier.get('name')}”金额范围无效（{lo}—{hi}）")
        if tier.get("name") in names:
            tier_errors.append(f"裁量档次“{tier.get('name')}”重复")
        names.add(tier.get("name"))
    if not tiers:
        tier_errors.append("请至少填写一个裁量档次")
    if tier_errors:
        fields["tiers"] = tier_errors
    if fields:
        raise InvalidInput("执法事项信息有误：" + "；".join(m for ms in fields.values() for m in ms),
                           details={"fields": fields})


def create_matter(*, agency, code, name, category, legal_basis, penalty_basis, tiers, procedures,
                  av_steps=(), major_criteria=None, actor=None) -> MatterVersion:
    if actor is not None and not permissions.can_manage_power_list(actor, agency.id):
        raise PermissionDenied("只有本机关负责人或系统管理员可以维护权责清单")
    code = (code or "").strip()
    if not code:
        raise InvalidInput("请填写事项编码", details={"fields": {"code": ["请填写事项编码"]}})
    if db.session.scalar(select(Matter).where(Matter.agency_id == agency.id, Matter.code == code)):
        raise InvalidInput(f"事项编码{code}已存在", details={"fields": {"code": [f"事项编码{code}已存在"]}})
    procedures, av_steps = list(procedures), list(av_steps)
    _check_matter_fields(name, category, legal_basis, penalty_basis, tiers, procedures, av_steps)
    if category not in (agency.categories or []):
        raise InvalidInput(f"执法类别“{category}”不在{agency.name}的职权范围内",
                           details={"fields": {"category": ["不在本机关职权范围内"]}})
    matter = Matter(agency_id=agency.id, code=code)
    db.session.add(matter)
    version = MatterVersion(matter=matter, version=1, name=name.strip(), category=category,
                            legal_basis=legal_basis, penalty_basis=penalty_basis, tiers=list(tiers),
                            procedures=procedures, av_steps=av_steps, major_criteria=dict(major_criteria or {}))
    db.session.add(version)
    db.session.flush()
    return version


def revise_matter(matter, *, actor=None, **changes) -> MatterVersion:
    """A new version; published versions never change (cases cite them)."""
    if actor is not None and not permissions.can_manage_power_list(actor, matter.agency_id):
        raise PermissionDenied("只有本机关负责人或系统管理员可以维护权责清单")
    base = matter.versions[-1]
    if base.published_on is None:
        target = base  # an unpublished draft version may still be edited
    else:
        target = MatterVersion(matter=matter, version=base.version + 1)
        for field in ("name", "category", "legal_basis", "penalty_basis", "tiers", "procedures", "av_steps",
                      "major_criteria"):
            setattr(target, field, getattr(base, field))
        db.session.add(target)
    for key, value in changes.items():
        if key not in ("name", "category", "legal_basis", "penalty_basis", "tiers", "procedures", "av_steps",
                       "major_criteria"):
            raise InvalidInput(f"未知字段：{key}")
        setattr(target, key, value)
    _check_matter_fields(target.name, target.category, target.legal_basis, target.penalty_basis,
                         target.tiers, list(target.procedures), list(target.av_steps))
    db.session.flush()
    return target


def publish_matter(version, *, on: date | None = None, actor=None) -> MatterVersion:
    """事前公开: the version becomes public on `on` and immutable."""
    if actor is not None and not permissions.can_manage_power_list(actor, version.matter.agency_id):
        raise PermissionDenied("只有本机关负责人或系统管理员可以公开权责清单")
    if version.published_on is not None:
        raise InvalidTransition(f"该版本已于{version.published_on.isoformat()}公开，不能重复公开")
    # The pre-action publicity gate trusts this date, so only an administrator (or the CLI, with no
    # actor, recording a list that was already public) may give one in the past.
    from app.auth.models import Role

    if on is not None and on < today_china() and actor is not None and not actor.has_role(Role.admin):
        raise InvalidInput("公开日期不能早于今天（补录历史公开记录须由系统管理员操作）",
                           details={"fields": {"published_on": ["公开日期不能早于今天"]}})
    version.published_on = on or today_china()
    db.session.flush()
    ledger_append("matter.published", f"matter:{version.matter_id}", {
        "matter_id": version.matter_id, "code": version.matter.code, "version": version.version,
        "name": version.name, "category": version.category, "legal_basis": version.legal_basis,
        "penalty_basis": version.penalty_basis, "tiers": version.tiers, "procedures": version.procedures,
        "av_steps": version.av_steps, "major_criteria": version.major_criteria,
        "published_on": version.published_on, "actor": _actor_name(actor)})
    return version


# --- parties ----------------------------------------------------------------------------------------------

def clean_party(data: dict) -> dict:
    """Validate a party: ID number and credit code by their check digits; Chinese field errors."""
    from app.validators import (normalize_credit_code, normalize_id_number, normalize_mobile,
                                validate_credit_code, validate_id_number, validate_mobile)

    kind = data.get("kind")
    fields = {}
    if kind not in ("person", "org"):
        fields["kind"] = ["当事人类型应为自然人（person）或组织（org）"]
    name = (data.get("name") or "").strip()
    if not name:
        fields["name"] = ["请填写当事人名称或姓名"]
    out = {"kind": kind, "name": name, "address": (data.get("address") or "").strip() or None,
           "e_service_consent": bool(data.get("e_service_consent")),
           "e_service_address": (data.get("e_service_address") or "").strip() or None}
    phone = (data.get("phone") or "").strip()
    if phone:
        problem = validate_mobile(phone) if not phone.startswith("0") else None
        if problem:
            fields["phone"] = [problem]
        out["phone"] = normalize_mobile(phone) if not problem and not phone.startswith("0") else phone
    if kind == "person":
        problem = validate_id_number(data.get("id_number") or "")
        if problem:
            fields["id_number"] = [problem]
        else:
            out["id_number"] = normalize_id_number(data["id_number"])
    elif kind == "org":
        problem = validate_credit_code(data.get("credit_code") or "")
        if problem:
            fields["credit_code"] = [problem]
        else:
            out["credit_code"] = normalize_credit_code(data["credit_code"])
        rep = (data.get("legal_representative") or "").strip()
        if not rep:
            fields["legal_representative"] = ["请填写法定代表人（负责人）"]
        out["legal_representative"] = rep
    if out["e_service_consent"] and not out["e_service_address"]:
        fields["e_service_address"] = ["同意电子送达的，请填写电子送达地址"]
    if fields:
        raise InvalidInput("当事人信息有误：" + "；".join(m for ms in fields.values() for m in ms),
                           details={"fields": fields})
    return out


def add_party(case, data, *, actor) -> CaseParty:
    _ensure_editable(case, actor)
    party = CaseParty(case=case, **clean_party(data))
    db.session.add(party)
    db.session.flush()
    record_event(case, "party_added", actor, data={"party_id": party.id, "kind": party.kind,
                                                    "name": party.name})
    return party


# --- cases ------------------------------------------------------------------------------------------------

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


def create_case(*, agency, matter_version, title, area_code, actor, procedure="ordinary", violation_on=None,
                summary="", place="", source="inspection", harms_safety=False, is_complex=False,
                officer_ids=(), parties=(), on: date | None = None) -> Case:
    """登记: a draft case under a published matter, with its officers and parties (validated)."""
    if not permissions.can_create_case(actor, agency.id):
        raise PermissionDenied("只有本机关的执法人员可以登记案件")
    fields = {}
    if matter_version is None or matter_version.matter.agency_id != agency.id:
        fields["matter_version_id"] = ["请选择本机关权责清单中的执法事项"]
    if not (title or "").strip():
        fields["title"] = ["请填写案由"]
    if not (area_code or "").isdigit() or len(area_code or "") != 6:
        fields["area_code"] = ["请填写6位行政区划代码"]
    if procedure not in (Procedure.ordinary.value, Procedure.summary.value):
        fields["procedure"] = ["程序只能是普通程序或简易程序"]
    elif matter_version is not None and procedure not in (matter_version.procedures or []):
        fields["procedure"] = ["该执法事项不适用所选程序"]
    on = on or today_china()
    if violation_on is not None and violation_on > on:
        fields["violation_on"] = ["违法行为日期不能晚于今天"]
    if fields:
        raise InvalidInput("案件信息有误：" + "；".join(m for ms in fields.values() for m in ms),
                           details={"fields": fields})
    cleaned = [clean_party(p) for p in parties]
    officers = _officers_by_id(agency.id, officer_ids)
    case = Case(agency_id=agency.id, agency=agency, matter_version=matter_version, procedure=procedure,
                title=title.strip(), area_code=area_code, violation_on=violation_on, summary=summary or "",
                place=place or "", source=source or "inspection", harms_safety=bool(harms_safety),
                is_complex=bool(is_complex), created_by_id=actor.id, status=CaseStatus.draft.value)
    db.session.add(case)
    for i, officer in enumerate(officers):
        db.session.add(CaseOfficer(case=case, officer=officer, officer_id=officer.id,
                                   role="lead" if i == 0 else "handler"))
    for party in cleaned:
        db.session.add(CaseParty(case=case, **party))
    db.session.flush()
    record_event(case, "created", actor, to_status=case.status, data={
        "title": case.title, "matter_version_id": matter_version.id, "procedure": procedure,
        "officer_ids": [o.id for o in officers], "parties": [p["name"] for p in cleaned]})
    return case


def _ensure_editable(case, actor):
    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied("只有本案承办执法人员可以修改案件记录")


def assign_officers(case, officer_ids, *, actor) -> Case:
    """指派承办人员: at least two passing officers, checked now and again at every act."""
    if not (permissions.can_edit_case(actor, case) or permissions.can_head_approve(actor, case)):
        raise PermissionDenied("只有本案承办人员或机关负责人可以指派执法人员")
    if CaseStatus(case.status) not in workflow.OPEN_STATUSES:
        raise InvalidTransition(f"案件{case.status_label}，不能变更承办人员")
    officers = _officers_by_id(case.agency_id, officer_ids)
    from app.officers.rules import check_team

    team = check_team(officers, today_china(), category=case.category, area=case.area_code)
    if not team.ok:
        raise GuardFailed({"officers": [f"至少需要两名持有有效执法证件的执法人员（行政处罚法第四十二条），"
                                        f"符合条件的仅{len(team.passing)}名"] + team.reasons()},
                          prefix="不能指派")
    existing = {co.officer_id: co for co in case.officers}
    for co in list(case.officers):
        if co.officer_id not in {o.id for o in officers}:
            db.session.delete(co)
    for i, officer in enumerate(officers):
        if officer.id not in existing:
            db.session.add(CaseOfficer(case=case, officer=officer, officer_id=officer.id,
                                       role="lead" if i == 0 else "handler"))
    db.session.flush()
    db.session.refresh(case)
    record_event(case, "officers_assigned", actor, data={"officer_ids": [o.id for o in officers]})
    return case


def draft_hash(draft: dict) -> str:
    canonical = json.dumps(draft, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def save_draft(case, draft: dict, *, actor) -> Case:
    """调查终结报告/处罚决定草案. Any change gives a new hash, which voids an approval bound to the old one."""
    _ensure_editable(case, actor)
    if CaseStatus(case.status) not in workflow.DRAFT_STATUSES:
        raise InvalidTransition(f"案件{case.status_label}，处罚决定草案不能再修改")
    clean = {k: draft.get(k) for k in ("facts", "evidence", "legal_basis", "tier", "penalties", "fine",
                                        "confiscation", "reasoning", "discretion_reason")}
    clean["penalties"] = list(clean.get("penalties") or [])
    unknown = [p for p in clean["penalties"] if p not in PENALTY_KINDS]
    if unknown:
        raise InvalidInput(f"未知的处罚种类：{'、'.join(unknown)}", details={"fields": {"penalties": ["未知的处罚种类"]}})
    if clean.get("fine") not in (None, ""):
        try:
            amount = Decimal(str(clean["fine"]))
        except InvalidOperation:
            raise InvalidInput("罚款金额无效", details={"fields": {"fine": ["罚款金额无效"]}}) from None
        if amount < 0:
            raise InvalidInput("罚款金额不能为负数", details={"fields": {"fine": ["罚款金额不能为负数"]}})
        clean["fine"] = str(amount.quantize(Decimal("0.01")))
    else:
        clean["fine"] = None
    new_hash = draft_hash(clean)
    if new_hash == case.draft_sha256:
        return case
    old = case.draft_sha256
    case.draft = clean
    case.draft_sha256 = new_hash
    db.session.flush()
    record_event(case, "draft_saved", actor, data={"draft_sha256": new_hash, "previous_sha256": old})
    return case


def set_case_flags(case, *, actor, marked_major=None, is_complex=None) -> Case:
    """The head may mark a case major (SPEC §6.1) or complex (collective discussion)."""
    if not permissions.can_head_approve(actor, case):
        raise PermissionDenied("只有机关负责人可以认定重大或复杂案件")
    changes = {}
    if marked_major is not None and bool(marked_major) != case.marked_major:
        case.marked_major = changes["marked_major"] = bool(marked_major)
    if is_complex is not None and bool(is_complex) != case.is_complex:
        case.is_complex = changes["is_complex"] = bool(is_complex)
    if changes:
        db.session.flush()
        record_event(case, "flags_changed", actor, data=changes)
    return case


def extend_decision_deadline(case, *, days: int, reason: str, actor) -> Case:
    """APL Art 60: the 90-day limit may be extended with the head's approval (default +30 days)."""
    from flask import current_app

    if not permissions.can_head_approve(actor, case):
        raise PermissionDenied("延长办案期限须经机关负责人批准")
    if case.decision_due is None or case.decided_on is not None:
        raise InvalidTransition("只有已立案、尚未作出决定的案件可以延长办案期限")
    limit = current_app.config.get("DECISION_EXTENSION_DAYS", 30)
    if not (reason or "").strip():
        raise InvalidInput("请填写延长理由", details={"fields": {"reason": ["请填写延长理由"]}})
    if days <= 0 or case.extension_days + days > limit:
        raise InvalidInput(f"延长期限累计不得超过{limit}日（已延长{case.extension_days}日）",
                           details={"fields": {"days": [f"累计不得超过{limit}日"]}})
    case.extension_days += days
    case.decision_due = case.decision_due + timedelta(days=days)
    set_deadline(case, "decision", case.decision_due)
    db.session.flush()
    record_event(case, "deadline_extended", actor, note=reason, data={"days": days,
                                                                      "decision_due": case.decision_due})
    return case


# --- deadlines --------------------------------------------------------------------------------------------

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


def late_surcharge(fine: Decimal, due: date, paid_on: date) -> Decimal:
    """APL Art 72: 3% of the fine a day after the due date, never more than the fine itself."""
    from flask import current_app

    days = (paid_on - due).days
    if days <= 0 or not fine:
        return Decimal("0.00")
    rate = Decimal(str(current_app.config.get("LATE_SURCHARGE_PERCENT", 3))) / 100
    return min(fine, (fine * rate * days).quantize(Decimal("0.01")))


# --- steps ------------------------------------------------------------------------------------------------

def _parse_dt(value, name):
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise InvalidInput(f"时间格式无效：{value}", details={"fields": {name: ["时间格式无效"]}}) from None


def record_step(case, data: dict, *, actor) -> CaseStep:
    """执法环节记录 (SPEC §4.1): time, place, officers with certificates shown, content, signatures."""
    from app.timeutil import CHINA, aware

    _ensure_editable(case, actor)
    if CaseStatus(case.status) not in workflow.STEP_STATUSES:
        raise InvalidTransition(f"案件{case.status_label}，不能再记录执法环节")
    fields = {}
    kind = data.get("kind")
    if kind not in StepKind.__members__:
        fields["kind"] = ["请选择执法环节类型"]
    for key, label in (("place", "地点"), ("content", "内容")):
        if not (data.get(key) or "").strip():
            fields[key] = [f"请填写{label}"]
    if data.get("signature", "signed") not in ("signed", "refused", "absent"):
        fields["signature"] = ["签名情况只能是已签名、拒绝签名或不在场"]
    if data.get("signature") == "refused" and not (data.get("refusal_note") or "").strip():
        fields["refusal_note"] = ["当事人拒绝签名的，执法人员应当注明情况"]
    if fields:
        raise InvalidInput("执法环节记录有误：" + "；".join(m for ms in fields.values() for m in ms),
                           details={"fields": fields})
    started = _parse_dt(data.get("started_at"), "started_at")
    ended = _parse_dt(data["ended_at"], "ended_at") if data.get("ended_at") else None
    if started.tzinfo is None:
        started = started.replace(tzinfo=CHINA)
    if ended is not None and ended.tzinfo is None:
        ended = ended.replace(tzinfo=CHINA)
    if ended is not None and ended < started:
        raise InvalidInput("结束时间早于开始时间", details={"fields": {"ended_at": ["结束时间早于开始时间"]}})
    # Stored times are UTC (app.timeutil): SQLite keeps no offset, so China time would read back 8 hours off.
    from datetime import timezone

    started = started.astimezone(timezone.utc)
    ended = ended.astimezone(timezone.utc) if ended is not None else None
    officer_ids = data.get("officer_ids") or [co.officer_id for co in case.officers]
    officers = _officers_by_id(case.agency_id, officer_ids)
    not_on_case = [o.name for o in officers if o.id not in {co.officer_id for co in case.officers}]
    if not_on_case:
        raise InvalidInput(f"{'、'.join(not_on_case)}不是本案承办人员")
    shown_ids = data.get("certificate_shown_ids")  # None: every acting officer showed; []: nobody did
    shown = set(int(i) for i in (officer_ids if shown_ids is None else shown_ids))
    step_kind = StepKind(kind)
    problems = guards.step_officer_problems(case, step_kind, officers, started.astimezone(CHINA).date())
    from cases.models import OFFICER_ACTS

    if step_kind in OFFICER_ACTS:
        unshown = [o.name for o in officers if o.id not in shown]
        if unshown:
            problems.append(f"{'、'.join(unshown)}未出示执法证件（行政处罚法第五十五条：执法人员应当出示执法证件）")
    if problems:
        raise GuardFailed({"officers": problems}, prefix="不能记录该执法环节")
    from app.officers.rules import check

    officer_rows = []
    for o in officers:
        cert = _best_certificate(o)
        officer_rows.append({"officer_id": o.id, "name": o.name,
                             "certificate_number": cert.number if cert else None,
                             "certificate_shown": o.id in shown})
    extra = dict(data.get("extra") or {})
    if step_kind == StepKind.service and extra.get("method") not in (None, *SERVICE_METHODS):
        raise InvalidInput("送达方式无效", details={"fields": {"extra.method": ["送达方式无效"]}})
    step = CaseStep(case=case, kind=step_kind.value, started_at=started, ended_at=ended,
                    place=data["place"].strip(), target=(data.get("target") or "").strip(),
                    content=data["content"].strip(), officers=officer_rows,
                    signature=data.get("signature", "signed"), refusal_note=data.get("refusal_note") or "",
                    extra=extra, needs_av=guards.step_needs_av(case, step_kind, extra),
                    recorded_by_id=actor.id)
    db.session.add(step)
    db.session.flush()
    record_event(case, "step_recorded", actor, data={
        "step_id": step.id, "kind": step.kind, "started_at": started, "place": step.place,
        "officers": officer_rows, "needs_av": step.needs_av,
        "content_sha256": hashlib.sha256(step.content.encode()).hexdigest()})
    return step


def _best_certificate(officer):
    certs = sorted(officer.certificates, key=lambda c: c.expires_on or date.min)
    return certs[-1] if certs else None


def get_step(case, step_id) -> CaseStep:
    step = db.session.get(CaseStep, step_id)
    if step is None or step.case_id != case.id:
        raise NotFound("执法环节记录不存在")
    return step


def complete_step(step, *, actor, on=None) -> CaseStep:
    """A step is complete when signed (or the refusal noted) and, if it needs audio/video, recorded."""
    case = step.case
    _ensure_editable(case, actor)
    if step.completed_at is not None:
        raise InvalidTransition("该执法环节已完成")
    problems = guards.recording_problems(step)
    if problems:
        raise GuardFailed({"recording": problems}, prefix="不能完成该执法环节")
    step.completed_at = utcnow()
    if step.ended_at is None:
        step.ended_at = step.completed_at
    db.session.flush()
    record_event(case, "step_completed", actor, data={"step_id": step.id, "kind": step.kind})
    _issue_step_document(step, actor, on)
    return step


def justify_missing_av(step, text, *, actor) -> CaseStep:
    _ensure_editable(step.case, actor)
    if not step.needs_av:
        raise InvalidTransition("该执法环节不要求音像记录")
    if not (text or "").strip():
        raise InvalidInput("请填写未能音像记录的书面说明", details={"fields": {"text": ["请填写书面说明"]}})
    step.av_justification = text.strip()
    step.av_justification_approved_by_id = None
    db.session.flush()
    record_event(step.case, "av_justified", actor, note=text.strip(), data={"step_id": step.id})
    return step


def approve_av_justification(step, *, actor) -> CaseStep:
    if not permissions.can_head_approve(actor, step.case):
        raise PermissionDenied("未进行音像记录的书面说明须经机关负责人批准")
    if not step.av_justification:
        raise InvalidTransition("尚未提交书面说明")
    step.av_justification_approved_by_id = actor.id
    db.session.flush()
    record_event(step.case, "av_justification_approved", actor, data={"step_id": step.id})
    return step


# --- documents --------------------------------------------------------------------------------------------

STEP_DOCUMENTS = {StepKind.inspection.value: "inspection_record", StepKind.inquiry.value: "inquiry_record",
                  StepKind.evidence_preservation.value: "evidence_notice",
                  StepKind.seizure.value: "seizure_decision"}


def issue_document(case, kind, *, actor, step=None, on=None, number=None) -> CaseDocument:
    """Render a document to PDF, store it write-once and enter its hash in the ledger."""
    from cases import documents

    on = on or today_china()
    code = documents.DOCUMENT_KINDS[kind][1]
    number = number or document_number(case.agency, code, on)
    pdf = documents.render_document(case, kind, number=number, step=step, on=on)
    return documents.store_document(case, kind, pdf, number=number, actor=actor, step=step, on=on)


def _issue_step_document(step, actor, on=None):
    kind = STEP_DOCUMENTS.get(step.kind)
    if kind:
        issue_document(step.case, kind, actor=actor, step=step, on=on)


# --- the lifecycle ----------------------------------------------------------------------------------------

def allowed_actions(case, user, on=None):
    """For buttons: every transition the state allows and the user may take, with the guards' problems."""
    on = on or today_china()
    out = []
    for t in workflow.available(case.procedure, case.status):
        if permissions.can_act(user, case, t.action):
            checks = [g for g in t.guards if g not in ("reason", "service", "execution",
                                                         "hearing_request_window")]
            out.append((t, guards.run(checks, guards.GuardContext(case=case, on=on, actor=user))))
    return out


#: Callables (case, action, actor, on) run after every applied action, in its transaction. Features that
#: depend on cases register here (e.g. publicity: a decision creates its publication); cases imports none.
AFTER_ACTION_HOOKS: list = []


def apply_action(case, action, *, actor, data=None, on: date | None = None) -> Case:
    """Move a case: the workflow allows it, the actor may do it, every guard passes; then its effects."""
    data = dict(data or {})
    on = on or today_china()
    t = workflow.transition(case.procedure, case.status, action)
    if t is None:
        label = workflow.ACTION_LABELS.get(action, action)
        raise InvalidTransition(f"案件当前状态为“{case.status_label}”，不能“{label}”")
    if not permissions.can_act(actor, case, action):
        roles = "、".join(r.label for r in t.roles)
        raise PermissionDenied(f"“{t.label}”须由本案承办执法人员或本机关{roles}操作")
    names = t.guards
    if t.target is CaseStatus.decided and "legal_review" not in names:
        # SPEC §6.1: no decision of a major case without an approved review, whatever the procedure.
        names = names + ("legal_review",)
    problems = guards.run(names, guards.GuardContext(case=case, on=on, actor=actor, data=data))
    if problems:
        raise GuardFailed(problems, prefix=f"不能“{t.label}”")
    before = case.status
    effect = EFFECTS.get(action)
    event_data = effect(case, data, on, actor) if effect else {}
    case.status = t.target.value
    db.session.flush()
    record_event(case, action, actor, from_status=before, to_status=case.status,
                 note=(data.get("reason") or data.get("note") or "").strip(), data=event_data or {})
    doc_kind = ACTION_DOCUMENTS.get(action)
    if doc_kind:
        issue_document(case, doc_kind, actor=actor, on=on,
                       number=case.decision_number if doc_kind in ("decision", "on_spot_decision") else None)
    for hook in AFTER_ACTION_HOOKS:
        hook(case, action, actor, on)
    return case


def _approve_filing(case, data, on, actor):
    case.filed_on = on
    case.number = f"{case.agency.doc_prefix}案〔{on.year}〕{next_serial(case.agency_id, '案', on.year):04d}号"
    case.decision_due = on + timedelta(days=_cfg("DECISION_DAYS", 90))
    set_deadline(case, "decision", case.decision_due)
    return {"number": case.number, "filed_on": on, "decision_due": case.decision_due}


def _serve_notice(case, data, on, actor):
    served = _date(data.get("served_on")) or on
    case.notice_served_on = served
    case.defence_waived = bool(data.get("waived"))
    from cases.guards import closures, hearing_right

    defence_until = calendar.add_working_days(served, _cfg("DEFENCE_WORKING_DAYS", 5), closures(case))
    set_deadline(case, "defence", defence_until)
    if hearing_right(case):
        set_deadline(case, "hearing_request",
                     calendar.add_working_days(served, _cfg("HEARING_REQUEST_WORKING_DAYS", 5), closures(case)))
    return {"served_on": served, "defence_until": defence_until, "waived": case.defence_waived,
            "draft_sha256": case.draft_sha256}


def _request_hearing(case, data, on, actor):
    case.hearing_requested_on = _date(data.get("requested_on")) or on
    meet_deadline(case, "hearing_request", case.hearing_requested_on)
    return {"requested_on": case.hearing_requested_on}


def _hold_hearing(case, data, on, actor):
    step = [s for s in case.steps if s.kind == StepKind.hearing.value and s.completed_at][-1]
    case.hearing_on = local(step.started_at).date()  # the legal date is the China date
    return {"hearing_step_id": step.id, "hearing_on": case.hearing_on}


def _decide(case, data, on, actor):
    draft = case.draft or {}
    case.decided_on = on
    code = "当罚" if case.procedure == Procedure.summary.value else "罚"
    case.decision_number = document_number(case.agency, code, on)
    case.penalties = list(draft.get("penalties") or [])
    case.fine_amount = Decimal(draft["fine"]) if draft.get("fine") else None
    meet_deadline(case, "decision", on)
    meet_deadline(case, "defence", on)
    # Deciding closes the hearing-request window too; left open, it would show as overdue (超期预警).
    meet_deadline(case, "hearing_request", on)
    from cases.guards import closures

    if case.procedure == Procedure.summary.value:
        case.filed_on = on
        case.number = f"{case.agency.doc_prefix}简〔{on.year}〕{next_serial(case.agency_id, '简', on.year):04d}号"
        set_deadline(case, "summary_filing",
                     calendar.add_working_days(on, _cfg("SUMMARY_FILING_WORKING_DAYS", 7), closures(case)))
    else:
        set_deadline(case, "service",
                     calendar.add_working_days(on, _cfg("SERVICE_WORKING_DAYS", 7), closures(case)))
    return {"decision_number": case.decision_number, "decided_on": on, "draft_sha256": case.draft_sha256,
            "penalties": case.penalties, "fine": case.fine_amount}


def _serve_decision(case, data, on, actor):
    served = _date(data.get("served_on")) or on
    if served < case.decided_on:
        raise InvalidInput("送达日期不能早于决定日期", details={"fields": {"served_on": ["不能早于决定日期"]}})
    case.served_on = served
    case.service_method = data["method"]
    meet_deadline(case, "service", served)
    if case.fine_amount:
        case.payment_due = served + timedelta(days=_cfg("PAYMENT_DAYS", 15))
        set_deadline(case, "payment", case.payment_due)
    return {"served_on": served, "method": case.service_method, "payment_due": case.payment_due,
            "late_reason": data.get("late_reason")}


def _record_execution(case, data, on, actor):
    paid_on = _date(data.get("paid_on")) or on
    case.executed_on = on
    if data.get("paid_amount") not in (None, ""):
        try:
            case.paid_amount = Decimal(str(data["paid_amount"]))
        except InvalidOperation:
            raise InvalidInput("缴纳金额无效", details={"fields": {"paid_amount": ["缴纳金额无效"]}}) from None
        case.paid_on = paid_on
        case.surcharge_amount = (late_surcharge(case.fine_amount, case.payment_due, paid_on)
                                 if case.payment_due and case.fine_amount else Decimal("0.00"))
        expected = (case.fine_amount or 0) + case.surcharge_amount
        if case.paid_amount < expected:
            raise InvalidInput(f"应缴金额为{expected}元（罚款{case.fine_amount}元，加处罚款{case.surcharge_amount}元），"
                               f"实缴{case.paid_amount}元不足", details={"fields": {"paid_amount": ["金额不足"]}})
        meet_deadline(case, "payment", paid_on)
    from cases.guards import closures

    set_deadline(case, "closing", calendar.add_working_days(on, _cfg("CLOSING_WORKING_DAYS", 15), closures(case)))
    return {"executed_on": on, "paid_on": case.paid_on, "paid_amount": case.paid_amount,
            "surcharge": case.surcharge_amount}


def _close(case, data, on, actor):
    case.closed_on = on
    meet_deadline(case, "closing", on)
    meet_deadline(case, "summary_filing", on)
    return {"closed_on": on}


def _archive(case, data, on, actor):
    case.archived_on = on
    return {"archived_on": on}


EFFECTS = {"approve_filing": _approve_filing, "serve_notice": _serve_notice, "request_hearing": _request_hearing,
           "hold_hearing": _hold_hearing, "decide": _decide, "decide_on_spot": _decide,
           "serve_decision": _serve_decision, "record_execution": _record_execution, "close": _close,
           "archive": _archive}

ACTION_DOCUMENTS = {"approve_filing": "filing_approval", "close_investigation": "investigation_report",
                    "serve_notice": "advance_notice", "decide": "decision", "decide_on_spot": "on_spot_decision",
                    "serve_decision": "service_receipt", "close": "closing_approval", "archive": "case_file"}


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
