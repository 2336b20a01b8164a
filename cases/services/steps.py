"""Enforcement steps (执法环节): recording, completing, the missing-recording justification and the step's
document."""
from __future__ import annotations

import hashlib
from datetime import date

from app.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from app.extensions import db
from app.timeutil import utcnow
from cases import guards, permissions, workflow
from cases.models import SERVICE_METHODS, CaseStatus, CaseStep, StepKind
from cases.services.common import (GuardFailed, _ensure_editable, _officers_by_id, _parse_dt, ensure_not_future,
                                   record_event)
from cases.services.issuing import _issue_step_document


def record_step(case, data: dict, *, actor, statuses=None) -> CaseStep:
    """执法环节记录 (SPEC §4.1): time, place, officers with certificates shown, content, signatures.

    `statuses`: where an act may still happen after the investigation's steps are over (returning seized
    goods while the fine is being executed, AEL Art 28), the caller names the statuses it is allowed in."""
    from app.timeutil import CHINA

    _ensure_editable(case, actor)
    if CaseStatus(case.status) not in (statuses or workflow.STEP_STATUSES):
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
    ensure_not_future(started, "started_at", "开始时间")
    ensure_not_future(ended, "ended_at", "结束时间")
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
    ensure_not_future(on, "on", "完成日期")
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
