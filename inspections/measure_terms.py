"""A coercive measure's term and outcome: extension (once, before expiry), testing time excluded and
notified, release with the items returned against a receipt, confiscation by the penalty decision, and the
handling of 先行登记保存 within 7 working days. Documents are issued through `cases.services.issue_document`
with numbers kept on the measure's events, so a case file re-renders them from the same data."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from app.errors import InvalidInput, InvalidTransition
from app.extensions import db
from app.timeutil import local, today_china, utcnow
from cases import services as case_services
from cases.documents import DOCUMENT_KINDS, DocumentKind
from cases.workflow import OPEN_STATUSES
from inspections.measures import (RELEASE_GROUNDS, TERM_KINDS, _deadline, _ensure, _event, _meet, _num,
                                  _on, _quantity, _text, can_act, can_approve, cfg, item_rows)
from inspections.models import CoerciveMeasure, MeasureEvent, MeasureItem, MeasureKind, MeasureStatus

#: Documents this feature adds to the case's documents (SPEC §7).
DOCUMENTS = {
    "measure_extension": DocumentKind("延长查封（扣押）期限决定书", "延", "inspections/pdf/measure_extension.html"),
    "measure_testing": DocumentKind("检测（检验、检疫、技术鉴定）期间告知书", "测",
                                    "inspections/pdf/measure_testing.html"),
    "measure_release": DocumentKind("解除行政强制措施决定书", "解", "inspections/pdf/measure_release.html"),
}


def register_documents():
    for kind, spec in DOCUMENTS.items():
        DOCUMENT_KINDS.setdefault(kind, spec)


def document_context(doc_number: str | None) -> dict | None:
    """Template global: the measure event a document was issued for (None: render blanks)."""
    if not doc_number:
        return None
    ev = db.session.execute(db.select(MeasureEvent).where(MeasureEvent.document_number == doc_number)
                            ).scalars().first()
    if ev is None:
        return None
    m = ev.measure
    return {"measure": m, "label": m.label, "event": ev, "data": ev.data or {}, "items": item_rows(m),
            "taken_on": m.taken_on, "term_end": m.term_end}


def _issue(measure, kind, event_action, actor, on, data, *, step=None) -> MeasureEvent:
    code = DOCUMENT_KINDS[kind].code
    number = case_services.document_number(measure.case.agency, code, on)
    ev = _event(measure, event_action, actor, on, data, document_number=number)
    case_services.issue_document(measure.case, kind, actor=actor, step=step, on=on, number=number)
    return ev


def _in_force(measure):
    if measure.status != MeasureStatus.in_force.value:
        raise InvalidTransition(f"该措施当前为“{measure.status_label}”，不在实施期间")


# --- extension and testing -------------------------------------------------------------------------------

def extend(measure, *, actor, days: int, reason: str, on=None) -> CoerciveMeasure:
    """AEL Art 25: once, at most 30 days, approved by the head before the term runs out, told in writing."""
    _ensure(can_approve, actor, measure, "延长查封、扣押期限须经行政机关负责人批准（行政强制法第二十五条）")
    on = _on(on)
    _in_force(measure)
    if measure.kind not in TERM_KINDS:
        raise InvalidTransition("先行登记保存不能延长，应在七日内作出处理决定（行政处罚法第五十六条）")
    if measure.extended_days:
        raise InvalidTransition("查封、扣押期限只能延长一次（行政强制法第二十五条）")
    if on > measure.term_end:
        raise InvalidTransition(f"查封、扣押期限已于{measure.term_end.isoformat()}届满，不能再延长，应当及时解除"
                                "（行政强制法第二十五条、第二十八条；延长须在期限届满前批准）")
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise InvalidInput("延长天数无效", details={"fields": {"days": ["延长天数无效"]}}) from None
    limit = cfg("SEIZURE_EXTENSION_DAYS")
    if not 1 <= days <= limit:
        raise InvalidInput(f"延长期限不得超过{limit}日（行政强制法第二十五条）", details={"fields": {"days": ["超出上限"]}})
    reason = _text({"reason": reason}, "reason", "延长理由（情况复杂）")
    old_end = measure.term_end
    measure.extended_days = days
    measure.term_end = old_end + timedelta(days=days)
    _deadline(measure, "term", f"{measure.label}期限（第{measure.id}号措施，已延长）",
              "行政强制法第二十五条：情况复杂的，经负责人批准可延长一次，不超过三十日", measure.term_end)
    _issue(measure, "measure_extension", "extended", actor, on,
           {"days": days, "reason": reason, "old_end": old_end, "new_end": measure.term_end})
    return measure


def add_testing(measure, *, actor, start, end, purpose: str, on=None) -> CoerciveMeasure:
    """AEL Art 25: the time of testing, inspection, quarantine or appraisal is not counted in the term; it
    must be stated and told to the party in writing (the notice is issued here)."""
    _ensure(can_act, actor, measure, "只有本案承办执法人员可以登记检测期间")
    on = _on(on)
    _in_force(measure)
    if measure.kind not in TERM_KINDS:
        raise InvalidTransition("只有查封、扣押的期限可以扣除检测期间（行政强制法第二十五条）")
    try:
        start, end = date.fromisoformat(str(start)), date.fromisoformat(str(end))
    except ValueError:
        raise InvalidInput("检测期间的起止日期无效", details={"fields": {"start": ["日期无效"]}}) from None
    if end < start:
        raise InvalidInput("检测结束日期早于开始日期", details={"fields": {"end": ["早于开始日期"]}})
    if start < measure.taken_on or start > measure.term_end:
        raise InvalidInput(f"检测期间须在查封、扣押期限内开始（{measure.taken_on}至{measure.term_end}）",
                           details={"fields": {"start": ["不在期限内"]}})
    purpose = _text({"purpose": purpose}, "purpose", "检测、检验、检疫或者技术鉴定的事项")
    days = (end - start).days + 1
    old_end = measure.term_end
    measure.testing_days += days
    measure.term_end = old_end + timedelta(days=days)
    _deadline(measure, "term", f"{measure.label}期限（第{measure.id}号措施，已扣除检测期间）",
              "行政强制法第二十五条：检测、检验、检疫或者技术鉴定的期间不计入查封、扣押期限", measure.term_end)
    _issue(measure, "measure_testing", "testing", actor, on,
           {"start": start, "end": end, "days": days, "purpose": purpose, "old_end": old_end,
            "new_end": measure.term_end})
    return measure


# --- release ---------------------------------------------------------------------------------------------

def _release_lines(measure, lines) -> list[tuple[MeasureItem, Decimal]]:
    items = {i.id: i for i in measure.items}
    if not lines:  # everything still held
        out = [(i, i.held_quantity) for i in measure.items if i.held_quantity > 0]
    else:
        out = []
        for raw in lines:
            item = items.get(int(raw.get("item_id") or 0)) if isinstance(raw, dict) else None
            if item is None:
                raise InvalidInput("解除清单中的物品不属于该措施", details={"fields": {"items": ["物品无效"]}})
            q = _quantity(raw.get("quantity", item.held_quantity), f"“{item.name}”")
            if q > item.held_quantity:
                raise InvalidInput(f"“{item.name}”仅余{_num(item.held_quantity)}{item.unit}在{measure.label}中，"
                                   f"不能解除{_num(q)}{item.unit}", details={"fields": {"items": ["超过在押数量"]}})
            out.append((item, q))
    if not out:
        raise InvalidTransition("该措施已没有在押物品")
    return out


def release(measure, data: dict, *, actor) -> CoerciveMeasure:
    """解除 (AEL Art 28): a release decision, the items returned on site against the party's receipt (its
    signature, or the refusal noted with a witness). Part of the items may be released; a release after the
    term is allowed (it must happen) but recorded as late."""
    _ensure(can_act, actor, measure, "只有本案承办执法人员可以办理解除和退还")
    _in_force(measure)
    ground = data.get("ground")
    if ground not in RELEASE_GROUNDS:
        raise InvalidInput("请选择解除理由（行政强制法第二十八条）", details={"fields": {"ground": ["请选择解除理由"]}})
    note = _text(data, "note", "说明", required=ground == "other", limit=1000)
    lines = _release_lines(measure, data.get("items"))
    signature = data.get("signature", "signed")
    witness = (data.get("witness") or "").strip()
    if signature in ("refused", "absent") and not witness:
        raise InvalidInput("当事人拒绝签收或者不到场的，应当注明情况并由见证人签名（行政强制法第十八条）",
                           details={"fields": {"witness": ["请填写见证人"]}})
    returned = [{"item_id": i.id, "name": i.name, "quantity": _num(q), "unit": i.unit} for i, q in lines]
    step = case_services.record_step(measure.case, {
        "kind": "other", "started_at": data.get("started_at") or local(utcnow()).replace(tzinfo=None).isoformat(),
        "ended_at": data.get("ended_at"), "place": data.get("place") or measure.storage_place or "存放地点",
        "content": f"解除{measure.label}，向当事人退还：" + "；".join(f"{r['name']}{r['quantity']}{r['unit']}"
                                                              for r in returned) + "。当事人当场清点签收。",
        "officer_ids": data.get("officer_ids"), "signature": signature,
        "refusal_note": data.get("refusal_note") or "", "extra": {
            "measure_id": measure.id, "measure_release": True, "items": returned, "witness": witness or None,
            "receipt": {"signature": signature, "witness": witness or None}}}, actor=actor,
        statuses=OPEN_STATUSES)
    case_services.complete_step(step, actor=actor, on=local(step.started_at).date())
    on = local(step.started_at).date()
    for item, q in lines:
        item.released_quantity += q
    late = measure.term_end is not None and on > measure.term_end
    held = [i for i in measure.items if i.held_quantity > 0]
    if not held:
        confiscated = any(i.confiscated_quantity > 0 for i in measure.items)
        measure.status = (MeasureStatus.closed if confiscated else MeasureStatus.released).value
        measure.ended_on = on
        _meet(measure, "term", on)
        _meet(measure, "release", on)
    _issue(measure, "measure_release", "released", actor, on, {
        "ground": ground, "ground_label": RELEASE_GROUNDS[ground], "note": note, "items": returned,
        "partial": bool(held), "late": late, "step_id": step.id, "signature": signature, "witness": witness},
        step=step)
    return measure


# --- confiscation by the decision; 先行登记保存 handling ---------------------------------------------------

def on_case_action(case, action, actor, on):
    """cases.services.AFTER_ACTION_HOOKS: a penalty decision that confiscates takes the items still held
    (AEL Art 27) — only within the term: after it the items must be released (AEL Art 28(4))."""
    if action == "serve_decision" and case.service_method == "leaving":
        done = [s for s in case.steps if s.kind == "service" and s.completed_at is not None
                and (s.extra or {}).get("method") == "leaving"]
        if not done:
            raise case_services.GuardFailed({"recording": [
                "留置送达须有见证人或者覆盖送达过程的音像记录（民事诉讼法第八十九条；SPEC §11）："
                "请先记录并完成“送达（留置送达）”环节"]}, prefix="不能登记送达")
        return
    if action != "decide" or "confiscation" not in (case.penalties or []):
        return
    measures = db.session.execute(db.select(CoerciveMeasure).where(
        CoerciveMeasure.case_id == case.id, CoerciveMeasure.status == MeasureStatus.in_force.value)).scalars().all()
    for m in measures:
        if m.term_end is not None and on > m.term_end and m.kind in TERM_KINDS:
            raise case_services.GuardFailed({"measures": [
                f"第{m.id}号{m.label}措施的期限已于{m.term_end.isoformat()}届满，应当解除并退还财物"
                "（行政强制法第二十七条、第二十八条第一款第四项），不得在处罚决定中没收"]},
                prefix="不能作出决定")
        taken = []
        for item in m.items:
            q = item.held_quantity
            if q > 0:
                item.confiscated_quantity += q
                taken.append({"item_id": item.id, "name": item.name, "quantity": _num(q), "unit": item.unit})
        released = any(i.released_quantity > 0 for i in m.items)
        m.status = (MeasureStatus.closed if released else MeasureStatus.confiscated).value
        m.ended_on = on
        _meet(m, "term", on)
        _event(m, "confiscated", actor, on, {"decision_number": case.decision_number, "items": taken})


def open_measures_problems(case) -> list[str]:
    """cases.guards.HOOKS["open_measures"]: a case is not closed or terminated while one of its coercive
    measures is in force — within the term it ends in confiscation by the decision or in release with the
    items returned (AEL Art 27, 28); an emergency measure the head refused is released at once (AEL Art 19)."""
    rows = db.session.execute(db.select(CoerciveMeasure).where(
        CoerciveMeasure.case_id == case.id, CoerciveMeasure.status == MeasureStatus.in_force.value)
        .order_by(CoerciveMeasure.id)).scalars().all()
    problems = []
    for m in rows:
        held = "、".join(f"{i.name}{_num(i.held_quantity)}{i.unit}" for i in m.items if i.held_quantity > 0)
        if m.kind == MeasureKind.preserve.value:
            rule = "先行登记保存的证据应当在七日内作出处理决定（《行政处罚法》第五十六条）"
        else:
            rule = ("查封、扣押应当在期限内作出没收或者解除决定（《行政强制法》第二十七条、第二十八条）")
        problems.append(f"第{m.id}号{m.label}措施仍在实施中" + (f"（尚未处理的物品：{held}）" if held else "")
                        + f"，{rule}；请先办理解除并退还物品，或者在处罚决定中依法没收")
    return problems


def convert_preservation(measure, *, actor, kind: str, on=None):
    """APL Art 56: within 7 working days decide what to do with preserved evidence; turning it into a
    查封/扣押 starts a new measure (which needs its own approval) holding the same items."""
    from inspections import measures as m_services

    _ensure(can_act, actor, measure, "只有本案承办执法人员可以作出处理决定")
    on = _on(on)
    _in_force(measure)
    if measure.kind != MeasureKind.preserve.value:
        raise InvalidTransition("只有先行登记保存可以转为查封、扣押")
    if kind not in (MeasureKind.seal.value, MeasureKind.seize.value):
        raise InvalidInput("只能转为查封或者扣押", details={"fields": {"kind": ["措施种类无效"]}})
    if on > measure.term_end:
        raise InvalidTransition(f"先行登记保存应在七个工作日内（{measure.term_end.isoformat()}前）作出处理决定"
                                "（行政处罚法第五十六条），已逾期，应当解除")
    new = m_services.request_measure(measure.case, {
        "kind": kind, "reason": measure.reason, "basis": measure.basis, "storage_place": measure.storage_place,
        "items": [{"name": i.name, "spec": i.spec, "quantity": i.held_quantity, "unit": i.unit, "place": i.place,
                   "condition": i.condition} for i in measure.items if i.held_quantity > 0]}, actor=actor)
    measure.status = MeasureStatus.converted.value
    measure.ended_on = on
    _meet(measure, "term", on)
    _event(measure, "converted", actor, on, {"new_measure_id": new.id, "kind": kind})
    return new


def overdue(measure, today=None) -> bool:
    today = today or today_china()
    return measure.status == MeasureStatus.in_force.value and (
        (measure.term_end is not None and today > measure.term_end) or measure.refused_at is not None)
