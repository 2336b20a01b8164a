"""Coercive measures (行政强制措施) beside the case: the only code that writes them.

The law, as enforced here:
- AEL Art 18(1): prior report to and approval by the agency head; AEL Art 19: in an emergency the officers
  act first, report within 24 hours and obtain approval afterwards; if the head refuses, release at once;
- AEL Art 18(2)-(10), APL Art 55: two certified officers showing their certificates (checked by the
  certificate rules through `cases.services.record_step`), an on-site record signed by the party, or the
  refusal noted, or a witness when the party is absent or refuses;
- AEL Art 24: a decision document with reasons, basis, the item list, place and term, and the remedies;
- AEL Art 25: term 30 days; extended once, by at most 30 days, with the head's approval, before it runs out,
  the party told in writing; testing time is not counted and is notified in writing. SPEC §11's settled
  reading: the term's end does not move past a rest day;
- AEL Art 27-28: within the term either confiscation in the penalty decision or release (解除) with the
  items returned; APL Art 56: 先行登记保存 handled within 7 working days.
Every write records a measure event, a case event (so the case's file shows it) and a ledger entry, in the
caller's transaction (flush only).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask import current_app
from sqlalchemy import select

from app import calendar
from app.errors import InvalidInput, InvalidTransition, PermissionDenied
from app.extensions import db
from app.timeutil import aware, local, today_china, utcnow
from cases import permissions as case_permissions
from cases import services as case_services
from cases.models import CaseDeadline, CaseStatus
from inspections.models import (MEASURE_LABELS, CoerciveMeasure, MeasureEvent, MeasureItem, MeasureKind,
                                MeasureStatus)

AEL18 = "行政强制法第十八条"
TERM_KINDS = frozenset({MeasureKind.seal.value, MeasureKind.seize.value, MeasureKind.freeze.value})
STEP_KIND = {MeasureKind.seal.value: "seizure", MeasureKind.seize.value: "seizure",
             MeasureKind.freeze.value: "seizure", MeasureKind.preserve.value: "evidence_preservation"}
RELEASE_GROUNDS = {
    "no_violation": "当事人没有违法行为",
    "unrelated": "查封、扣押的场所、设施或者财物与违法行为无关",
    "no_longer_needed": "行政机关对违法行为已经作出处理决定，不再需要查封、扣押",
    "term_expired": "查封、扣押期限已经届满",
    "not_ratified": "机关负责人认为不应当采取行政强制措施",
    "other": "其他不再需要采取查封、扣押措施的情形",
}
OPEN_CASE = frozenset({CaseStatus.draft, CaseStatus.pending_filing, CaseStatus.investigating,
                       CaseStatus.investigated, CaseStatus.notified, CaseStatus.hearing, CaseStatus.heard,
                       CaseStatus.decided, CaseStatus.served})


def cfg(name):
    return current_app.config[name]


def _on(value) -> date:
    on = value or today_china()
    if isinstance(on, str):
        try:
            on = date.fromisoformat(on)
        except ValueError:
            raise InvalidInput(f"日期格式无效：{on}", details={"fields": {"on": ["日期格式无效"]}}) from None
    if on > today_china():
        raise InvalidInput("执法行为的日期不能晚于今天", details={"fields": {"on": ["日期不能晚于今天"]}})
    return on


def _text(data, key, label, required=True, limit=2000):
    value = (data.get(key) or "").strip() if isinstance(data.get(key, ""), str) else ""
    if required and not value:
        raise InvalidInput(f"请填写{label}", details={"fields": {key: [f"请填写{label}"]}})
    if len(value) > limit:
        raise InvalidInput(f"{label}不超过{limit}个字符", details={"fields": {key: ["内容过长"]}})
    return value


def _event(measure, action, actor, on, data=None, document_number=None) -> MeasureEvent:
    from app.ledger.canonical import canonical_json
    import json

    data = json.loads(canonical_json(data or {}))
    ev = MeasureEvent(measure=measure, action=action, at=utcnow(), on=on, actor_id=getattr(actor, "id", None),
                      data=data, document_number=document_number)
    db.session.add(ev)
    db.session.flush()
    note = f"{measure.label}（第{measure.id}号措施）"
    if action == "released" and data.get("partial"):
        note += "：部分解除"
    case_event = case_services.record_event(measure.case, f"measure_{action}", actor, note=note, data={
        "measure_id": measure.id, "kind": measure.kind, "status": measure.status, **data})
    ev.ledger_seq = case_event.ledger_seq
    return ev


def _deadline(measure, suffix, label, basis, due):
    kind = f"measure{measure.id}_{suffix}"
    row = next((d for d in measure.case.deadlines if d.kind == kind), None)
    if row is None:
        row = CaseDeadline(case=measure.case, kind=kind, label=label, basis=basis, due_on=due)
        db.session.add(row)
    else:
        row.due_on = due
    return row


def _meet(measure, suffix, on):
    kind = f"measure{measure.id}_{suffix}"
    for row in measure.case.deadlines:
        if row.kind == kind and row.met_on is None:
            row.met_on = on


# --- permissions -----------------------------------------------------------------------------------------

def can_view(user, measure) -> bool:
    return case_permissions.can_view_case(user, measure.case)


def can_act(user, measure) -> bool:
    return case_permissions.can_edit_case(user, measure.case)


def can_approve(user, measure) -> bool:
    return case_permissions.can_head_approve(user, measure.case)


def _ensure(pred, user, measure, message):
    if not pred(user, measure):
        raise PermissionDenied(message)


# --- items -----------------------------------------------------------------------------------------------

def _quantity(value, label) -> Decimal:
    try:
        q = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{label}的数量无效", details={"fields": {"items": [f"{label}的数量无效"]}}) from None
    if not q.is_finite() or q <= 0 or q > Decimal("1e9"):
        raise InvalidInput(f"{label}的数量必须大于0", details={"fields": {"items": [f"{label}的数量必须大于0"]}})
    return q


def _clean_items(items) -> list[dict]:
    if not isinstance(items, list) or not items:
        raise InvalidInput("请填写物品清单（名称、数量、存放地点、状况）（行政强制法第二十四条）",
                           details={"fields": {"items": ["请填写物品清单"]}})
    out = []
    for i, raw in enumerate(items, 1):
        if not isinstance(raw, dict):
            raise InvalidInput(f"物品清单第{i}项格式无效", details={"fields": {"items": ["格式无效"]}})
        name = (raw.get("name") or "").strip()
        if not name or len(name) > 200:
            raise InvalidInput(f"物品清单第{i}项缺少名称（行政强制法第二十四条）",
                               details={"fields": {"items": [f"第{i}项缺少名称"]}})
        out.append({"name": name, "spec": (raw.get("spec") or "").strip()[:100],
                    "quantity": _quantity(raw.get("quantity"), f"“{name}”"),
                    "unit": (raw.get("unit") or "").strip()[:20], "place": (raw.get("place") or "").strip()[:200],
                    "condition": (raw.get("condition") or "").strip()[:200]})
    return out


def item_rows(measure) -> list[dict]:
    """The item list as documents print it (note: place, condition, photos with their hashes)."""
    rows = []
    for item in measure.items:
        notes = [f"存放：{item.place}" if item.place else "", f"状况：{item.condition}" if item.condition else "",
                 (f"照片{len(item.photos)}张（SHA-256 " + "、".join(p["sha256"][:12] for p in item.photos) + "）")
                 if item.photos else ""]
        rows.append({"id": item.id, "name": item.name, "spec": item.spec, "quantity": _num(item.quantity),
                     "unit": item.unit, "place": item.place, "condition": item.condition,
                     "photos": item.photos, "held": _num(item.held_quantity),
                     "released": _num(item.released_quantity), "confiscated": _num(item.confiscated_quantity),
                     "note": "；".join(n for n in notes if n)})
    return rows


PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
#: A photo may be added while the items are (to be) held, and at their release or confiscation.
PHOTO_STATUSES = frozenset({MeasureStatus.requested.value, MeasureStatus.approved.value,
                            MeasureStatus.in_force.value})


def add_item_photo(measure, item_id, *, filename: str, data: bytes, actor) -> dict:
    """A photo of an item of the list (AEL Art 24: the list states the items' condition; photos are evidence):
    the bytes go to the object store, which hashes them; the hash, key and size are entered in the ledger
    through the measure's event, and the item keeps {key, sha256, filename, size, content_type, ledger_seq}."""
    import hashlib
    import io

    from app.storage import get_store

    _ensure(can_act, actor, measure, "只有本案承办执法人员可以上传物品照片")
    if measure.status not in PHOTO_STATUSES:
        raise InvalidTransition(f"该措施当前为“{measure.status_label}”，不能再补充物品照片")
    try:
        item_id = int(item_id)
    except (TypeError, ValueError):
        item_id = 0
    item = next((i for i in measure.items if i.id == item_id), None)
    if item is None:
        raise InvalidInput("该物品不在本措施的物品清单中", details={"fields": {"item_id": ["物品无效"]}})
    if not data:
        raise InvalidInput("请选择要上传的照片", details={"fields": {"photo": ["请选择照片"]}})
    limit = int(cfg("MEASURE_PHOTO_MAX_BYTES"))
    if len(data) > limit:
        raise InvalidInput(f"照片不超过{limit // (1024 * 1024)}MB", details={"fields": {"photo": ["文件过大"]}})
    content_type = next((mime for magic, mime in PHOTO_TYPES.items() if data.startswith(magic)), None)
    if content_type is None:
        raise InvalidInput("物品照片须为JPEG或PNG格式", details={"fields": {"photo": ["格式无效"]}})
    digest = hashlib.sha256(data).hexdigest()
    stored = get_store().put(io.BytesIO(data), content_type=content_type, expected_sha256=digest,
                             metadata={"case-id": str(measure.case_id), "measure-id": str(measure.id),
                                       "item-id": str(item.id)})
    name = (filename or "photo").replace("/", "_").replace("\\", "_")[-200:]
    ev = _event(measure, "photo_added", actor, today_china(), {
        "item_id": item.id, "item": item.name, "sha256": stored.sha256, "size": stored.size,
        "storage_key": stored.key, "filename": name, "content_type": content_type})
    photo = {"key": stored.key, "sha256": stored.sha256, "filename": name, "size": stored.size,
             "content_type": content_type, "ledger_seq": ev.ledger_seq, "at": ev.at.isoformat()}
    item.photos = [*(item.photos or []), photo]  # a new list: the JSON column sees the change
    db.session.flush()
    return photo


def item_photo(measure, item_id: int, index: int) -> tuple[dict, object]:
    """(photo, byte iterator) of the index-th photo of an item; NotFound otherwise."""
    from app.errors import NotFound
    from app.storage import get_store

    item = next((i for i in measure.items if i.id == item_id), None)
    photos = (item.photos or []) if item is not None else []
    if not 0 <= index < len(photos):
        raise NotFound("照片不存在")
    photo = photos[index]
    return photo, get_store().open(photo["key"])


def _num(q: Decimal) -> str:
    q = Decimal(q)
    return format(q.normalize(), "f") if q == q.to_integral() else format(q.normalize(), "f")


# --- request, approval -----------------------------------------------------------------------------------

def request_measure(case, data: dict, *, actor) -> CoerciveMeasure:
    """Ask the head before acting (AEL Art 18(1)), or, with `emergency`, record that the officers must act now
    (AEL Art 19) — the measure is then taken at once with `take_measure`."""
    if not case_permissions.can_edit_case(actor, case):
        raise PermissionDenied("只有本案承办执法人员可以申请采取行政强制措施（行政强制法第十八条）")
    if CaseStatus(case.status) not in OPEN_CASE:
        raise InvalidTransition(f"案件{case.status_label}，不能再采取行政强制措施")
    kind = data.get("kind")
    if kind not in MeasureKind._value2member_map_:
        raise InvalidInput("请选择措施种类（查封、扣押、先行登记保存、冻结存款汇款）",
                           details={"fields": {"kind": ["措施种类无效"]}})
    if kind == MeasureKind.freeze.value and case.category not in (cfg("COERCIVE_FREEZE_CATEGORIES") or []):
        raise InvalidInput(f"冻结存款、汇款只能由法律规定的行政机关实施，“{case.category}”类执法事项不得采取"
                           "（行政强制法第二十九条）", details={"fields": {"kind": ["无权冻结"]}})
    reason = _text(data, "reason", "采取措施的理由（行政强制法第二十四条）")
    basis = _text(data, "basis", "法律依据（行政强制法第二十四条）")
    emergency = bool(data.get("emergency"))
    emergency_reason = _text(data, "emergency_reason", "情况紧急需要当场实施的理由（行政强制法第十九条）",
                             required=emergency)
    items = _clean_items(data.get("items"))
    measure = CoerciveMeasure(case=case, agency_id=case.agency_id, kind=kind,
                              status=MeasureStatus.requested.value, reason=reason, basis=basis,
                              storage_place=_text(data, "storage_place", "存放地点", required=False, limit=200),
                              emergency=emergency, emergency_reason=emergency_reason,
                              requested_by_id=actor.id, requested_at=utcnow())
    db.session.add(measure)
    for it in items:
        measure.items.append(MeasureItem(**it))
    db.session.flush()
    _event(measure, "requested", actor, today_china(), {
        "reason": reason, "basis": basis, "emergency": emergency, "emergency_reason": emergency_reason,
        "items": [{**it, "quantity": _num(it["quantity"])} for it in items]})
    return measure


def decide_request(measure, *, approve: bool, actor, note="") -> CoerciveMeasure:
    """The head's approval before acting (AEL Art 18(1)), or the ratification of an emergency measure already
    taken (AEL Art 19). Refusing an emergency measure orders its release at once."""
    _ensure(can_approve, actor, measure, "行政强制措施须经行政机关负责人批准（行政强制法第十八条）")
    note = (note or "").strip()
    now, on = utcnow(), today_china()
    status = MeasureStatus(measure.status)
    if status == MeasureStatus.requested and not measure.emergency:
        measure.status = (MeasureStatus.approved if approve else MeasureStatus.rejected).value
        if approve:
            measure.approved_by_id, measure.approved_at = actor.id, now
        _event(measure, "approved" if approve else "rejected", actor, on, {"note": note})
        return measure
    if status == MeasureStatus.in_force and measure.emergency and measure.approved_by_id is None \
            and measure.refused_at is None:
        _meet(measure, "report", on)
        if approve:
            measure.approved_by_id, measure.approved_at = actor.id, now
            late = measure.report_due_at is not None and now > aware(measure.report_due_at)
            _event(measure, "ratified", actor, on, {"note": note, "after_24_hours": late})
            return measure
        if not note:
            raise InvalidInput("不予批准须说明理由", details={"fields": {"note": ["请填写理由"]}})
        measure.refused_at, measure.refusal_reason = now, note
        _deadline(measure, "release", f"立即解除{measure.label}（第{measure.id}号措施）",
                  "行政强制法第十九条：负责人认为不应当采取的，应当立即解除", on)
        _event(measure, "refused", actor, on, {"note": note})
        return measure
    raise InvalidTransition(f"该措施当前为“{measure.status_label}”，无需审批")


def report_emergency(measure, *, actor, note: str, late_reason: str = "") -> CoerciveMeasure:
    """The officers' report to the head after an emergency measure (AEL Art 19: within 24 hours)."""
    _ensure(can_act, actor, measure, "只有本案承办执法人员可以报告")
    if not measure.emergency or measure.status != MeasureStatus.in_force.value or measure.reported_at:
        raise InvalidTransition("该措施不是待报告的当场实施措施")
    now = utcnow()
    late = measure.report_due_at is not None and now > aware(measure.report_due_at)
    if late and not (late_reason or "").strip():
        raise InvalidInput(f"当场实施行政强制措施应在二十四小时内（{local(measure.report_due_at):%Y-%m-%d %H:%M}前）"
                           "向行政机关负责人报告（行政强制法第十九条），逾期报告须说明理由",
                           details={"fields": {"late_reason": ["请说明逾期原因"]}})
    measure.reported_at = now
    _event(measure, "reported", actor, today_china(), {"note": (note or "").strip(), "late": late,
                                                       "late_reason": (late_reason or "").strip()})
    return measure


# --- taking the measure on site --------------------------------------------------------------------------

def take_measure(measure, data: dict, *, actor) -> CoerciveMeasure:
    """The on-site act and its record (AEL Art 18): two certified officers showing certificates, the party's
    signature or its refusal noted, or a witness. Starts the term."""
    _ensure(can_act, actor, measure, "只有本案承办执法人员可以实施行政强制措施")
    status = MeasureStatus(measure.status)
    if status == MeasureStatus.requested and not measure.emergency:
        raise InvalidTransition("实施行政强制措施前须向行政机关负责人报告并经批准（行政强制法第十八条第一项）；"
                                "情况紧急的，可当场实施并在二十四小时内报告（行政强制法第十九条）")
    if status not in (MeasureStatus.approved, MeasureStatus.requested):
        raise InvalidTransition(f"该措施当前为“{measure.status_label}”，不能实施")
    if not data.get("ended_at"):
        raise InvalidInput("请填写实施结束时间（现场笔录须载明起止时间，用于核对全程音像记录）",
                           details={"fields": {"ended_at": ["请填写结束时间"]}})
    signature = data.get("signature", "signed")
    witness = (data.get("witness") or "").strip()
    if signature in ("refused", "absent") and not witness:
        raise InvalidInput("当事人拒绝签名或者不到场的，应当邀请见证人到场，由见证人和行政执法人员在现场笔录上签名"
                           "（行政强制法第十八条第六项、第七项）", details={"fields": {"witness": ["请填写见证人"]}})
    case = measure.case
    extra = {"measure_id": measure.id, "measure": measure.label, "reason": measure.reason, "basis": measure.basis,
             "items": [{k: r[k] for k in ("name", "spec", "quantity", "unit", "note")} for r in item_rows(measure)],
             "storage_place": measure.storage_place, "witness": witness or None,
             "emergency": measure.emergency}
    content = (data.get("content") or "").strip() or (
        f"依法对当事人的下列物品予以{measure.label}：" + "；".join(f"{i.name}{_num(i.quantity)}{i.unit}" for i in measure.items)
        + "。已告知当事人采取行政强制措施的理由、依据以及当事人依法享有的权利、救济途径，并听取了当事人的陈述和申辩。")
    step = case_services.record_step(case, {
        "kind": STEP_KIND[measure.kind], "started_at": data.get("started_at"), "ended_at": data.get("ended_at"),
        "place": data.get("place"), "target": data.get("target") or "", "content": content,
        "officer_ids": data.get("officer_ids"), "certificate_shown_ids": data.get("certificate_shown_ids"),
        "signature": signature, "refusal_note": data.get("refusal_note") or "", "extra": extra}, actor=actor)
    measure.step_id = step.id
    measure.taken_at = step.started_at
    measure.taken_on = local(step.started_at).date()
    if measure.taken_on > today_china():
        raise InvalidInput("实施时间不能晚于当前时间", details={"fields": {"started_at": ["不能晚于当前时间"]}})
    measure.status = MeasureStatus.in_force.value
    if measure.kind in TERM_KINDS:
        # AEL Art 25; SPEC §11 settled reading: the term's last day does not move past a rest day.
        measure.term_end = measure.taken_on + timedelta(days=cfg("SEIZURE_TERM_DAYS"))
        _deadline(measure, "term", f"{measure.label}期限（第{measure.id}号措施）",
                  "行政强制法第二十五条：查封、扣押的期限不得超过三十日", measure.term_end)
    else:
        # APL Art 56: the agency's own duty, so local closures never lengthen it (SPEC §11).
        measure.term_end = calendar.add_working_days(measure.taken_on, cfg("PRESERVATION_WORKING_DAYS"))
        _deadline(measure, "term", f"先行登记保存处理决定（第{measure.id}号措施）",
                  "行政处罚法第五十六条：七日内及时作出处理决定", measure.term_end)
    step.extra = {**extra, "until": measure.term_end.isoformat()}
    if measure.emergency:
        measure.report_due_at = aware(measure.taken_at) + timedelta(hours=cfg("EMERGENCY_REPORT_HOURS"))
        _deadline(measure, "report", f"当场实施{measure.label}后报告负责人（第{measure.id}号措施）",
                  "行政强制法第十九条：二十四小时内向行政机关负责人报告，并补办批准手续",
                  local(measure.report_due_at).date())
    db.session.flush()
    _event(measure, "taken", actor, measure.taken_on, {
        "step_id": step.id, "taken_at": measure.taken_at, "term_end": measure.term_end,
        "emergency": measure.emergency, "signature": signature, "witness": witness,
        "officers": step.officers})
    return measure


def complete_record(measure, *, actor) -> CoerciveMeasure:
    """Complete the on-site record: the recordings must cover it from start to end (inspections.coverage);
    completing issues the decision document (查封（扣押）决定书 / 先行登记保存证据通知书)."""
    _ensure(can_act, actor, measure, "只有本案承办执法人员可以完成现场笔录")
    if measure.step is None:
        raise InvalidTransition("尚未记录现场实施情况")
    case_services.complete_step(measure.step, actor=actor, on=measure.taken_on)
    return measure
