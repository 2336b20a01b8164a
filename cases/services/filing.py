"""Filing (登记/立案): creating a case, its officers, the head's flags and the filing approval effect."""
from __future__ import annotations

from datetime import date, timedelta

from app.errors import InvalidInput, InvalidTransition, PermissionDenied
from app.extensions import db
from app.timeutil import today_china
from cases import permissions, workflow
from cases.models import Case, CaseOfficer, CaseParty, CaseStatus, Procedure
from cases.services.common import (GuardFailed, _cfg, _officers_by_id, ensure_not_future, next_serial,
                                   record_event)
from cases.services.deadlines import set_deadline
from cases.services.parties import clean_party


def create_case(*, agency, matter_version, title, area_code, actor, procedure="ordinary", violation_on=None,
                summary="", place="", source="inspection", harms_safety=False, is_complex=False,
                officer_ids=(), parties=(), on: date | None = None, discovered_on: date | None = None) -> Case:
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
    ensure_not_future(on, "on", "登记日期")
    on = on or today_china()
    if violation_on is not None and violation_on > on:
        fields["violation_on"] = ["违法行为日期不能晚于今天"]
    if discovered_on is not None:
        if discovered_on > on:
            fields["discovered_on"] = ["发现日期不能晚于今天"]
        elif violation_on is not None and discovered_on < violation_on:
            fields["discovered_on"] = ["发现日期不能早于违法行为发生日期"]
    if fields:
        raise InvalidInput("案件信息有误：" + "；".join(m for ms in fields.values() for m in ms),
                           details={"fields": fields})
    cleaned = [clean_party(p) for p in parties]
    officers = _officers_by_id(agency.id, officer_ids)
    _agency_public(agency, on)
    entrusted = _entrusted_org(actor, matter_version, on)
    case = Case(agency_id=agency.id, agency=agency, matter_version=matter_version, procedure=procedure,
                title=title.strip(), area_code=area_code, violation_on=violation_on,
                discovered_on=discovered_on, summary=summary or "",
                place=place or "", source=source or "inspection", harms_safety=bool(harms_safety),
                is_complex=bool(is_complex), created_by_id=actor.id, status=CaseStatus.draft.value,
                entrusted_org_id=entrusted.id if entrusted is not None else None)
    db.session.add(case)
    for i, officer in enumerate(officers):
        db.session.add(CaseOfficer(case=case, officer=officer, officer_id=officer.id,
                                   role="lead" if i == 0 else "handler"))
    for party in cleaned:
        db.session.add(CaseParty(case=case, **party))
    db.session.flush()
    record_event(case, "created", actor, to_status=case.status, data={
        "title": case.title, "matter_version_id": matter_version.id, "procedure": procedure,
        "officer_ids": [o.id for o in officers], "parties": [p["name"] for p in cleaned],
        "entrusted_org_id": case.entrusted_org_id})
    return case


def _agency_public(agency, on):
    """An agency acts only once its information is public (事前公开); the entrusting agency of an entrusted
    organisation included, since the case is its case."""
    from app.agencies.rules import agency_problems

    problems = agency_problems(agency, on)
    if problems:
        raise GuardFailed({"publicity": problems}, prefix="不能登记案件")


def _entrusted_org(actor, matter_version, on):
    """An officer of an entrusted organisation files in the entrusting agency's name, only on the entrusted
    matters, only within the period (APL Art 20); the case then carries both names."""
    from sqlalchemy import select

    from app.agencies.services import check_filing
    from app.errors import EntrustmentInvalid
    from app.officers.models import Officer

    officer = db.session.scalar(select(Officer).where(Officer.user_id == actor.id))
    if officer is None or officer.entrusted_org is None:
        return None
    problems = check_filing(officer, matter_version.matter.code, on)
    if problems:
        raise EntrustmentInvalid("受委托组织不能以委托机关名义登记此案：" + "；".join(problems),
                                 details={"problems": problems})
    return officer.entrusted_org


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


def _approve_filing(case, data, on, actor):
    case.filed_on = on
    case.number = f"{case.agency.doc_prefix}案〔{on.year}〕{next_serial(case.agency_id, '案', on.year):04d}号"
    case.decision_due = on + timedelta(days=_cfg("DECISION_DAYS", 90))
    set_deadline(case, "decision", case.decision_due)
    return {"number": case.number, "filed_on": on, "decision_due": case.decision_due}
