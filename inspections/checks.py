"""Inspections (行政检查) as first-class records (SPEC §12): the only code that writes them.

An inspection is done by two certified officers showing their certificates (APL Art 42, 55; SPEC §5),
under a plan, ad hoc, or as a 双随机 task (then by the drawn inspectors only); it records basis, target,
findings and evidence, and ends in one outcome: no problem, an order to correct with a follow-up date
(APL Art 28), or a case filed from it that carries its evidence over. Results are published on the public
site without personal data within 20 working days *(default)* (国办发〔2015〕58号). Every write is entered
in the ledger in the caller's transaction (flush only).
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import current_app

from app import calendar
from app.auth.models import Agency, Role
from app.auth.permissions import can_act_in_agency, can_see_agency
from app.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from app.extensions import db
from app.inputs import as_ref
from app.ledger.services import append as ledger_append
from app.officers.models import Officer
from app.officers.rules import check_team
from app.timeutil import CHINA, aware, local, today_china, utcnow
from cases import services as case_services
from cases.models import MatterVersion
from inspections.checks_models import (Inspection, InspectionKind, InspectionOutcome, RandomTask)

RULE_TEAM = "行政处罚法第四十二条、第五十五条：执法人员不得少于两人，并应当主动出示执法证件"
RULE_58 = "国办发〔2015〕58号"


def can_record(user, agency_id) -> bool:
    return can_act_in_agency(user, agency_id, Role.officer)


def can_view(user, inspection) -> bool:
    return can_see_agency(user, inspection.agency_id)


def _is_inspector(user, inspection) -> bool:
    ids = {row.get("officer_id") for row in inspection.inspectors or []}
    return user is not None and getattr(user, "is_authenticated", False) and any(
        o.user_id == user.id for o in db.session.scalars(db.select(Officer).where(Officer.id.in_(ids or [-1]))))


def can_conclude(user, inspection) -> bool:
    return can_act_in_agency(user, inspection.agency_id, Role.officer) and _is_inspector(user, inspection)


def can_publish(user, inspection) -> bool:
    return can_act_in_agency(user, inspection.agency_id, Role.head) or can_conclude(user, inspection)


def _ledger(inspection, action, payload):
    return ledger_append(f"inspection.{action}", f"inspection:{inspection.id}", {
        "inspection_id": inspection.id, "agency_id": inspection.agency_id, "action": action, **payload}).seq


def _time(value, name):
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value))
        except (TypeError, ValueError):
            raise InvalidInput(f"时间格式无效：{value}", details={"fields": {name: ["时间格式无效"]}}) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=CHINA)
    return dt.astimezone(timezone.utc)


def _required(data, key, label, limit=2000):
    value = data.get(key)
    value = value.strip() if isinstance(value, str) else ""
    if not value:
        raise InvalidInput(f"请填写{label}", details={"fields": {key: [f"请填写{label}"]}})
    return value[:limit]


def ref(value, field: str, label: str) -> int:
    """An id from a request: missing is 0 (then "not found" with its own message); not a number is a 422."""
    return as_ref(value, field, label=label)


def refs(values, field: str, label: str) -> list[int]:
    if values in (None, ""):
        return []
    if not isinstance(values, (list, tuple)):
        raise InvalidInput(f"{label}应为编号列表", details={"fields": {field: ["应为列表"]}})
    return [ref(v, field, label) for v in values]


def get_inspection(inspection_id, user) -> Inspection:
    row = db.session.get(Inspection, inspection_id)
    if row is None or not can_view(user, row):
        raise NotFound("检查记录不存在")
    return row


def record_inspection(agency_id: int, data: dict, *, actor) -> Inspection:
    agency = db.session.get(Agency, agency_id)
    if agency is None or not can_record(actor, agency_id):
        raise PermissionDenied("只有本机关的执法人员可以登记行政检查")
    kind = data.get("kind")
    if kind not in InspectionKind._value2member_map_:
        raise InvalidInput("请选择检查类型（计划检查、临时检查、双随机抽查）", details={"fields": {"kind": ["类型无效"]}})
    plan_ref = (data.get("plan_ref") or "").strip()[:200]
    if kind == InspectionKind.plan.value and not plan_ref:
        raise InvalidInput("计划检查须注明检查计划", details={"fields": {"plan_ref": ["请填写检查计划"]}})
    task = None
    if kind == InspectionKind.random.value:
        task = db.session.get(RandomTask, ref(data.get("task_id"), "task_id", "抽查任务编号"))
        if task is None or task.round.agency_id != agency_id:
            raise InvalidInput("请指定本机关的双随机抽查任务", details={"fields": {"task_id": ["任务无效"]}})
        if db.session.scalar(db.select(Inspection.id).where(Inspection.task_id == task.id)):
            raise InvalidTransition("该抽查任务已登记检查结果")
    basis = _required(data, "basis", "检查依据")
    target_name = _required(data, "target_name", "检查对象", 200)
    target_kind = data.get("target_kind") or "org"
    if target_kind not in ("org", "person"):
        raise InvalidInput("检查对象类型只能是单位或个人", details={"fields": {"target_kind": ["类型无效"]}})
    category = data.get("category") or (agency.categories or [""])[0]
    if category not in (agency.categories or []):
        raise InvalidInput(f"“{category}”不在本机关的执法类别内", details={"fields": {"category": ["类别无效"]}})
    area_code = str(data.get("area_code") or agency.region_code or "")
    if not area_code.isdigit() or len(area_code) != 6:
        raise InvalidInput("请填写6位行政区划代码", details={"fields": {"area_code": ["区划代码无效"]}})
    place = _required(data, "place", "检查地点", 200)
    started, ended = _time(data.get("started_at"), "started_at"), _time(data.get("ended_at"), "ended_at")
    if ended < started:
        raise InvalidInput("结束时间早于开始时间", details={"fields": {"ended_at": ["早于开始时间"]}})
    if ended > utcnow():
        raise InvalidInput("结束时间晚于当前时间", details={"fields": {"ended_at": ["晚于当前时间"]}})
    officer_ids = refs(data.get("officer_ids"), "officer_ids", "检查人员")
    officers = list(db.session.scalars(db.select(Officer).where(Officer.id.in_(officer_ids or [-1]),
                                                                Officer.agency_id == agency_id)))
    if len(officers) != len(set(officer_ids)):
        raise InvalidInput("检查人员须是本机关的执法人员", details={"fields": {"officer_ids": ["人员无效"]}})
    if task is not None and {o.id for o in officers} != set(task.inspector_ids):
        raise InvalidInput("双随机抽查须由随机选派的检查人员实施（" + RULE_58 + "）",
                           details={"fields": {"officer_ids": ["不是随机选派的检查人员"]}})
    on = local(started).date()
    team = check_team(officers, on, category=category, area=area_code)
    problems = [] if team.ok else [f"行政检查须由两名以上持有有效执法证件的执法人员实施（{RULE_TEAM}），"
                                   f"符合条件的仅{len(team.passing)}名"] + team.reasons()
    shown = set(refs(data.get("certificate_shown_ids"), "certificate_shown_ids", "出示证件的人员")
                if data.get("certificate_shown_ids") is not None else officer_ids)
    unshown = [o.name for o in officers if o.id not in shown]
    if unshown:
        problems.append(f"{'、'.join(unshown)}未出示执法证件（{RULE_TEAM}）")
    if problems:
        raise case_services.GuardFailed({"officers": problems}, prefix="不能登记该检查")
    inspectors = []
    for o in officers:
        cert = max(o.certificates, key=lambda c: c.expires_on or date.min, default=None)
        inspectors.append({"officer_id": o.id, "name": o.name, "certificate_number": cert.number if cert else None,
                           "certificate_shown": o.id in shown})
    evidence = []
    for i, item in enumerate(data.get("evidence") or [], 1):
        if not isinstance(item, dict) or not (item.get("name") or "").strip():
            raise InvalidInput(f"第{i}项证据缺少名称", details={"fields": {"evidence": ["缺少名称"]}})
        evidence.append({"name": item["name"].strip()[:200], "description": (item.get("description") or "").strip()[:500]})
    row = Inspection(agency_id=agency_id, kind=kind, plan_ref=plan_ref, task_id=task.id if task else None,
                     category=category, area_code=area_code, basis=basis, target_name=target_name,
                     target_kind=target_kind, target_code=(data.get("target_code") or "").strip()[:40],
                     target_address=(data.get("target_address") or "").strip()[:200], place=place,
                     started_at=started, ended_at=ended, inspectors=inspectors,
                     findings=(data.get("findings") or "").strip(), evidence=evidence, created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    row.ledger_seq = _ledger(row, "recorded", {
        "kind": kind, "task_id": row.task_id, "basis": basis, "target": target_name, "place": place,
        "started_at": started, "ended_at": ended, "inspectors": inspectors, "findings": row.findings,
        "evidence": evidence})
    return row


RULE_AV = ("国办发〔2018〕118号：现场检查等执法过程应当进行音像记录；"
           "未记录的，应当书面说明理由（执法全过程记录制度；SPEC §4.2）")


def subject_key(inspection) -> str:
    return f"inspection:{inspection.id}"


def recording_subject(inspection_id: int):
    """recordings.subjects resolver: an inspection's recordings are seen by whoever sees the inspection and
    uploaded by its inspectors (also after it is concluded: within the upload window)."""
    from recordings.subjects import Subject

    row = db.session.get(Inspection, inspection_id)
    if row is None:
        return None
    return Subject(key=subject_key(row), agency_id=row.agency_id, label=f"行政检查第{row.id}号", url=None,
                   can_view=lambda user: can_view(user, row), can_upload=lambda user: can_conclude(user, row),
                   officers=[{"name": r["name"], "certificate_number": r["certificate_number"]}
                             for r in row.inspectors or []])


def recordings_of(inspection) -> list:
    from recordings.services import recordings_of_subject

    return recordings_of_subject(subject_key(inspection))


def _results_due(on: date) -> date:
    return calendar.add_working_days(on, current_app.config["RANDOM_RESULT_WORKING_DAYS"])


def conclude(inspection, data: dict, *, actor) -> Inspection:
    """No problem, or an order to correct by a date (APL Art 28); a case is filed with `file_case`."""
    if not can_conclude(actor, inspection):
        raise PermissionDenied("只有实施检查的执法人员可以作出检查结论")
    if inspection.outcome:
        raise InvalidTransition(f"该检查已有结论：{inspection.outcome_label}")
    outcome = data.get("outcome")
    on = today_china()
    if outcome == InspectionOutcome.order_correct.value:
        try:
            due = date.fromisoformat(str(data.get("correction_due")))
        except ValueError:
            raise InvalidInput("责令改正须写明改正期限（行政处罚法第二十八条）",
                               details={"fields": {"correction_due": ["请填写改正期限"]}}) from None
        if due <= on:
            raise InvalidInput("改正期限应晚于今天", details={"fields": {"correction_due": ["应晚于今天"]}})
        inspection.correction_due = due
    elif outcome != InspectionOutcome.no_problem.value:
        raise InvalidInput("检查结论只能是未发现问题或责令改正；发现违法行为需要立案的，请从检查记录立案",
                           details={"fields": {"outcome": ["结论无效"]}})
    recordings = recordings_of(inspection)
    no_recording_reason = (data.get("no_recording_reason") or "").strip()[:500]
    if not recordings and not no_recording_reason:
        raise case_services.GuardFailed({"recording": [
            f"本次检查尚无音像记录：请先上传检查过程的音像记录，或者书面说明未记录的理由（{RULE_AV}）"]},
            prefix="不能作出检查结论")
    if data.get("findings"):
        inspection.findings = str(data["findings"]).strip()
    inspection.outcome, inspection.concluded_on = outcome, on
    inspection.results_due = _results_due(on)
    _ledger(inspection, "concluded", {
        "outcome": outcome, "correction_due": inspection.correction_due, "findings": inspection.findings,
        "results_due": inspection.results_due,
        "recordings": [{"recording_id": r.id, "sha256": r.sha256, "ledger_seq": r.ledger_seq} for r in recordings],
        "no_recording_reason": None if recordings else no_recording_reason})
    return inspection


def follow_up(inspection, *, result: str, note: str, actor, on=None) -> Inspection:
    if not can_conclude(actor, inspection):
        raise PermissionDenied("只有实施检查的执法人员可以记录复查")
    if inspection.outcome != InspectionOutcome.order_correct.value or inspection.followed_up_on:
        raise InvalidTransition("只有责令改正且尚未复查的检查可以记录复查结果")
    if result not in ("corrected", "not_corrected"):
        raise InvalidInput("复查结果只能是已改正或未改正", details={"fields": {"result": ["结果无效"]}})
    on = on or today_china()
    inspection.followed_up_on, inspection.follow_up_result = on, result
    inspection.follow_up_note = (note or "").strip()
    _ledger(inspection, "followed_up", {"result": result, "on": on, "note": inspection.follow_up_note})
    return inspection


def file_case(inspection, data: dict, *, actor):
    """立案 from the inspection: a draft case under a published matter, the inspectors as its officers, the
    target as the party, and the inspection itself as the case's first step with its evidence."""
    if not can_conclude(actor, inspection):
        raise PermissionDenied("只有实施检查的执法人员可以从检查记录立案")
    if inspection.outcome:
        raise InvalidTransition(f"该检查已有结论：{inspection.outcome_label}")
    version = db.session.get(MatterVersion, ref(data.get("matter_version_id"), "matter_version_id", "执法事项"))
    party = data.get("party") or ({"kind": "org", "name": inspection.target_name, "credit_code": inspection.target_code,
                                   "legal_representative": data.get("legal_representative") or "",
                                   "address": inspection.target_address} if inspection.target_kind == "org" else None)
    if not party:
        raise InvalidInput("请填写当事人信息", details={"fields": {"party": ["请填写当事人"]}})
    violation_on = data.get("violation_on")
    violation_on = date.fromisoformat(violation_on) if isinstance(violation_on, str) and violation_on else \
        local(inspection.started_at).date()
    case = case_services.create_case(
        agency=inspection.agency, matter_version=version, title=data.get("title") or "", area_code=inspection.area_code,
        actor=actor, violation_on=violation_on, summary=f"行政检查（第{inspection.id}号）发现：{inspection.findings}",
        place=inspection.place, source="inspection", officer_ids=[r["officer_id"] for r in inspection.inspectors],
        parties=[party])
    evidence = "；".join(f"{e['name']}（{e['description']}）" if e["description"] else e["name"]
                        for e in inspection.evidence)
    step = case_services.record_step(case, {
        "kind": "inspection", "started_at": aware(inspection.started_at).isoformat(),
        "ended_at": aware(inspection.ended_at).isoformat(), "place": inspection.place,
        "target": inspection.target_name, "content": inspection.findings + (f"\n证据：{evidence}" if evidence else ""),
        "officer_ids": [r["officer_id"] for r in inspection.inspectors],
        "certificate_shown_ids": [r["officer_id"] for r in inspection.inspectors if r["certificate_shown"]],
        "extra": {"inspection_id": inspection.id, "evidence": inspection.evidence}}, actor=actor)
    from recordings.services import attach_to_case

    recordings = recordings_of(inspection)
    for rec in recordings:  # the inspection's recordings become the case's, documenting its inspection step
        attach_to_case(rec, case, step, actor=actor)
    on = today_china()
    inspection.outcome, inspection.case_id, inspection.concluded_on = InspectionOutcome.case_filed.value, case.id, on
    inspection.results_due = _results_due(on)
    _ledger(inspection, "case_filed", {"case_id": case.id, "step_id": step.id, "results_due": inspection.results_due,
                                       "recordings": [r.id for r in recordings]})
    return case


def publish_result(inspection, *, actor) -> Inspection:
    if not can_publish(actor, inspection):
        raise PermissionDenied("只有实施检查的执法人员或机关负责人可以公开检查结果")
    if not inspection.outcome:
        raise InvalidTransition("检查尚无结论，不能公开结果")
    if inspection.published_on:
        return inspection
    inspection.published_on = today_china()
    _ledger(inspection, "published", {"published_on": inspection.published_on,
                                      "late": inspection.published_on > inspection.results_due})
    if inspection.task_id:  # the last result of a 双随机 round completes the round
        from inspections import random_checks

        random_checks.refresh_completion(db.session.get(RandomTask, inspection.task_id).round)
    return inspection


def public_target(inspection) -> str:
    """The target as the public site shows it: organisations by name, natural persons never (SPEC §8)."""
    if inspection.target_kind == "person":
        return f"{inspection.target_name[:1]}某（个人）"
    return inspection.target_name


def overdue_results(today=None, agency_id=None) -> list:
    today = today or today_china()
    stmt = db.select(Inspection).where(Inspection.published_on.is_(None), Inspection.results_due.is_not(None),
                                       Inspection.results_due < today)
    if agency_id is not None:
        stmt = stmt.where(Inspection.agency_id == agency_id)
    return list(db.session.scalars(stmt.order_by(Inspection.results_due)))
