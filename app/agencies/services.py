"""Agencies (执法主体) and entrusted organisations (受委托组织): the only code that writes them. Each change is
published (事前公开, SPEC §3) and entered in the ledger in the same transaction; services flush, the edge
commits."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.agencies import rules
from app.agencies.models import EntrustedOrganisation
from app.agencies.permissions import can_manage_agencies
from app.auth.models import Agency
from app.auth.permissions import ensure
from app.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from app.extensions import db
from app.timeutil import today_china

EDITABLE = ("name", "short_name", "doc_prefix", "region_code", "categories", "legal_basis", "parent_department",
            "address", "phone")
LIMITS = {"name": 120, "short_name": 40, "doc_prefix": 20, "legal_basis": 4000, "parent_department": 120,
          "address": 200, "phone": 40}
LABELS = {"name": "名称", "short_name": "简称", "doc_prefix": "文号前缀", "region_code": "执法区域",
          "categories": "执法类别", "legal_basis": "职权依据", "parent_department": "主管部门",
          "address": "地址", "phone": "电话", "credit_code": "统一社会信用代码"}


def _guard(actor):
    if actor is not None:
        ensure(can_manage_agencies(actor), "执法主体和受委托组织由执法监督人员或系统管理员维护（SPEC §1）")


def _invalid(field, message):
    return InvalidInput(message, details={"fields": {field: [message]}})


def _ledger(kind, subject, payload):
    from app.ledger.services import append

    return append(kind, subject, payload)


def _categories(value):
    if isinstance(value, str):
        value = [c for c in value.replace("，", "、").replace(",", "、").split("、")]
    out = []
    for c in value or []:
        c = (c or "").strip()
        if c and c not in out:
            out.append(c)
    if not out:
        raise _invalid("categories", "请至少填写一个执法类别（SPEC §2）")
    if any(len(c) > 20 for c in out):
        raise _invalid("categories", "执法类别每项不超过20个字符")
    return out


def _clean(data, names, required=()):
    from app.officers.regions import parse_region

    out = {}
    for name in names:
        if name not in data or data[name] is None:
            continue
        if name == "categories":
            out[name] = _categories(data[name])
            continue
        value = str(data[name]).strip()
        if name == "region_code":
            region = parse_region(value)
            if region is None:
                raise _invalid("region_code", "执法区域应为6位行政区划代码或已知地名")
            value = region
        if len(value) > LIMITS.get(name, 200):
            raise _invalid(name, f"{LABELS[name]}不超过{LIMITS[name]}个字符")
        out[name] = value
    for name in required:
        if not out.get(name):
            raise _invalid(name, f"请填写{LABELS[name]}")
    return out


def get_agency(agency_id) -> Agency:
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise NotFound("执法主体不存在")
    return agency


def create_agency(data: dict, *, actor, today: date | None = None) -> Agency:
    """A new enforcement agency, published today (its information is public before it acts)."""
    from app.auth import services as auth_services

    _guard(actor)
    fields = _clean(data, EDITABLE, required=("name", "short_name", "doc_prefix", "region_code", "legal_basis"))
    if "categories" not in fields:
        raise _invalid("categories", "请至少填写一个执法类别（SPEC §2）")
    credit_code = (data.get("credit_code") or "").strip().upper()
    return auth_services.create_agency(credit_code=credit_code, published_on=today or today_china(), actor=actor,
                                       **fields)


def update_agency(agency, data: dict, *, actor, today: date | None = None) -> Agency:
    """Edit and republish; the ledger keeps the previous values (nothing is lost)."""
    _guard(actor)
    fields = _clean(data, EDITABLE)
    changed = {k: {"from": getattr(agency, k), "to": v} for k, v in fields.items() if getattr(agency, k) != v}
    if not changed:
        raise InvalidInput("没有需要保存的修改")
    if "name" in changed and db.session.scalar(select(Agency.id).where(Agency.name == fields["name"],
                                                                         Agency.id != agency.id)):
        raise Conflict(f"执法主体“{fields['name']}”已存在")
    for k, v in fields.items():
        setattr(agency, k, v)
    agency.published_on = today or today_china()
    db.session.flush()
    _ledger("agency.updated", f"agency:{agency.id}", {"changed": changed, "published_on": agency.published_on,
                                                      "actor": actor.username if actor else None})
    return agency


# --- entrusted organisations -----------------------------------------------------------------------------

def get_entrusted(org_id) -> EntrustedOrganisation:
    org = db.session.get(EntrustedOrganisation, org_id)
    if org is None:
        raise NotFound("受委托组织不存在")
    return org


def _date(value, name, label):
    if isinstance(value, date):
        return value
    value = (value or "").strip() if isinstance(value, str) else value
    if not value:
        raise _invalid(name, f"请填写{label}")
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise _invalid(name, f"{label}应为日期（YYYY-MM-DD）") from None


#: Callables agency_id -> set of the codes of its power list. `cases` registers one at init time (the power
#: list is theirs; app imports no feature).
MATTER_CODE_PROVIDERS: list = []


def _matter_codes(agency, codes):
    if isinstance(codes, str):
        codes = codes.replace("，", "、").replace(",", "、").replace("\n", "、").split("、")
    codes = [c.strip() for c in codes or [] if c and c.strip()]
    if not codes:
        raise _invalid("matter_codes", "请填写委托的执法事项（行政处罚法第二十条：委托书应当载明委托的具体事项）")
    known = set()
    for provider in MATTER_CODE_PROVIDERS:
        known |= set(provider(agency.id))
    unknown = [c for c in codes if c not in known] if MATTER_CODE_PROVIDERS else []
    if unknown:
        raise _invalid("matter_codes", f"执法事项{'、'.join(unknown)}不在{agency.name}的权责清单内（不得超出委托机关的职权）")
    return list(dict.fromkeys(codes))


def create_entrusted(data: dict, *, actor, today: date | None = None) -> EntrustedOrganisation:
    """登记受委托组织 with its entrustment (APL Art 20): entrusting agency, matters, legal basis, period;
    published today (委托书向社会公布)."""
    _guard(actor)
    today = today or today_china()
    name = (data.get("name") or "").strip()
    if not name or len(name) > 120:
        raise _invalid("name", "请填写受委托组织名称（不超过120个字符）")
    if db.session.scalar(select(EntrustedOrganisation.id).where(func.lower(EntrustedOrganisation.name) == name.lower())):
        raise Conflict(f"受委托组织“{name}”已存在")
    try:
        agency = get_agency(int(data.get("entrusting_agency_id") or 0))
    except (TypeError, ValueError, NotFound):
        raise _invalid("entrusting_agency_id", "请选择委托机关") from None
    legal_basis = (data.get("legal_basis") or "").strip()
    if not legal_basis:
        raise _invalid("legal_basis", "请填写委托的法律依据（行政处罚法第二十条第一款：依照法律、法规、规章的规定）")
    starts_on = _date(data.get("starts_on"), "starts_on", "委托开始日期")
    ends_on = _date(data.get("ends_on"), "ends_on", "委托截止日期")
    if ends_on < starts_on:
        raise _invalid("ends_on", "委托截止日期不得早于开始日期（行政处罚法第二十条：委托书应当载明期限）")
    credit_code = (data.get("credit_code") or "").strip().upper()
    if credit_code:
        from app.validators import validate_credit_code

        problem = validate_credit_code(credit_code)
        if problem:
            raise _invalid("credit_code", problem)
    org = EntrustedOrganisation(
        name=name, credit_code=credit_code, entrusting_agency_id=agency.id,
        matter_codes=_matter_codes(agency, data.get("matter_codes")), legal_basis=legal_basis[:4000],
        document_number=(data.get("document_number") or "").strip()[:80], starts_on=starts_on, ends_on=ends_on,
        published_on=today, address=(data.get("address") or "").strip()[:200],
        phone=(data.get("phone") or "").strip()[:40])
    db.session.add(org)
    db.session.flush()
    _ledger("entrusted_org.created", f"entrusted_org:{org.id}", {
        "name": name, "entrusting_agency_id": agency.id, "matter_codes": org.matter_codes,
        "legal_basis": org.legal_basis, "document_number": org.document_number, "starts_on": starts_on,
        "ends_on": ends_on, "published_on": today, "actor": actor.username if actor else None})
    return org


def update_entrusted(org, data: dict, *, actor, today: date | None = None) -> EntrustedOrganisation:
    """Change the matters, basis or period (a renewed entrustment); republished today."""
    _guard(actor)
    changed = {}
    if data.get("matter_codes") is not None:
        changed["matter_codes"] = _matter_codes(org.entrusting_agency, data["matter_codes"])
    if data.get("legal_basis"):
        changed["legal_basis"] = data["legal_basis"].strip()[:4000]
    if data.get("document_number"):
        changed["document_number"] = data["document_number"].strip()[:80]
    for name, label in (("starts_on", "委托开始日期"), ("ends_on", "委托截止日期")):
        if data.get(name):
            changed[name] = _date(data[name], name, label)
    starts = changed.get("starts_on", org.starts_on)
    ends = changed.get("ends_on", org.ends_on)
    if ends < starts:
        raise _invalid("ends_on", "委托截止日期不得早于开始日期")
    changed = {k: v for k, v in changed.items() if getattr(org, k) != v}
    if not changed:
        raise InvalidInput("没有需要保存的修改")
    for k, v in changed.items():
        setattr(org, k, v)
    org.published_on = today or today_china()
    db.session.flush()
    _ledger("entrusted_org.updated", f"entrusted_org:{org.id}", {**changed, "published_on": org.published_on,
                                                                  "actor": actor.username if actor else None})
    return org


def terminate_entrusted(org, *, on, reason, actor, today: date | None = None) -> EntrustedOrganisation:
    """提前解除委托: no new act from `on`."""
    _guard(actor)
    if org.terminated_on is not None:
        raise InvalidTransition(f"委托已于{org.terminated_on.isoformat()}解除")
    on = _date(on, "on", "解除日期")
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", "请填写解除委托的理由")
    org.terminated_on = on
    org.termination_reason = reason[:500]
    db.session.flush()
    _ledger("entrusted_org.terminated", f"entrusted_org:{org.id}", {"on": on, "reason": org.termination_reason,
                                                                     "actor": actor.username if actor else None})
    return org


def assign_officer(org, officer, *, actor) -> None:
    """The officer acts for the organisation (in the entrusting agency's name); None detaches."""
    _guard(actor)
    if org is not None and officer.agency_id != org.entrusting_agency_id:
        raise _invalid("officer_id", f"{officer.name}不属于委托机关{org.entrusting_agency.name}，"
                                     "受委托组织以委托机关名义实施（行政处罚法第二十条）")
    officer.entrusted_org_id = org.id if org is not None else None
    db.session.flush()
    _ledger("officer.entrusted_org", f"officer:{officer.id}", {
        "entrusted_org_id": officer.entrusted_org_id, "actor": actor.username if actor else None})


def check_filing(officer, matter_code: str, on: date) -> list[str]:
    """What cases asks at filing: an entrusted organisation's officer files only within the entrustment."""
    org = getattr(officer, "entrusted_org", None)
    return [] if org is None else rules.entrustment_problems(org, on, matter_code)
