"""Remedies: the only code that writes them. Every write is entered in the ledger in the same transaction;
services flush, the caller (request, CLI command) commits.

An outcome takes effect on its `effective_on` date (rules.becomes_final_on, or an explicit 生效 record).
From then on (SPEC §15, §3): a 变更/撤销/确认违法/确认无效 outcome requires the published decision to be
withdrawn within 3 working days (publicity's service; the head of the agency withdraws it at once when the
head recorded the outcome), the case's execution is revisited (cases' execution service when it has one,
otherwise a case event naming the follow-up), and the evidence hold is released once no remedy on the case
is pending (recordings.HOLD_KEEPERS).
"""
from __future__ import annotations

import hashlib
import io
from datetime import date

from flask import current_app
from sqlalchemy import select

from app.errors import Conflict, InvalidInput, InvalidTransition, NotFound, PermissionDenied
from app.extensions import db
from app.timeutil import today_china
from remedies import permissions, rules
from remedies.models import Remedy, RemedyDocument, RemedyHearing

MAX_TEXT = 500
DOCUMENT_TYPES = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def setting(name):
    return current_app.config[name]


def _ledger(kind, remedy, payload):
    from app.ledger.services import append

    return append(kind, f"remedy:{remedy.id}", {"remedy_id": remedy.id, "case_id": remedy.case_id,
                                                "agency_id": remedy.agency_id, **payload})


def _invalid(field, message):
    return InvalidInput(message, details={"fields": {field: [message]}})


def _actor_name(actor):
    return actor.username if actor is not None else None


def _guard(actor, agency_id):
    """Services called with an actor check the actor; the CLI (a trusted operator) passes None."""
    if actor is not None and not permissions.can_record_remedy(actor, agency_id):
        raise PermissionDenied("复议、诉讼记录由被申请（被告）机关的执法人员、法制审核人员或负责人登记；执法监督人员只读")


def _date(data, name, label, *, required=False, today=None):
    value = data.get(name)
    if isinstance(value, str):
        value = value.strip()
        if not value:
            value = None
        else:
            try:
                value = date.fromisoformat(value)
            except ValueError:
                raise _invalid(name, f"{label}应为日期（YYYY-MM-DD）") from None
    if value is None:
        if required:
            raise _invalid(name, f"请填写{label}")
        return None
    if today is not None and value > today:
        raise _invalid(name, f"{label}不得晚于今天")
    return value


def _text(data, name, label, *, required=False, limit=MAX_TEXT):
    value = (data.get(name) or "")
    value = value.strip() if isinstance(value, str) else str(value)
    if required and not value:
        raise _invalid(name, f"请填写{label}")
    if len(value) > limit:
        raise _invalid(name, f"{label}不超过{limit}个字符")
    return value


def get_remedy(remedy_id) -> Remedy:
    remedy = db.session.get(Remedy, remedy_id)
    if remedy is None:
        raise NotFound("复议或诉讼记录不存在")
    return remedy


def _closures(agency_id):
    from app.auth.services import closures_of

    return closures_of(agency_id)


def _recompute(remedy):
    remedy.answer_due = rules.answer_due(remedy.kind, remedy.notified_on, _closures(remedy.agency_id))
    remedy.decision_due = rules.decision_due(remedy.kind, remedy.stage, remedy.accepted_on,
                                             extended=remedy.extended_on is not None)


# --- filing ---------------------------------------------------------------------------------------------

def file_remedy(case, data: dict, *, actor, today: date | None = None) -> Remedy:
    """Record a reconsideration, a lawsuit, an appeal or a retrial against the case's decision."""
    today = today or today_china()
    _guard(actor, case.agency_id)
    if case.decided_on is None:
        raise InvalidTransition("案件尚未作出决定，不能登记行政复议或行政诉讼（行政复议法第十一条、行政诉讼法第十二条："
                                "针对行政行为申请复议或起诉）")
    try:
        kind = rules.Kind(data.get("kind") or "")
    except ValueError:
        raise _invalid("kind", "类型应为行政复议或行政诉讼") from None
    try:
        stage = rules.Stage(data.get("stage") or "first")
    except ValueError:
        raise _invalid("stage", "审级应为一审、二审或再审") from None
    if kind is rules.Kind.reconsideration and stage is not rules.Stage.first:
        raise _invalid("stage", "行政复议没有二审或再审（行政复议法第十条：复议决定为最终决定或可提起诉讼）")
    body = _text(data, "body", "复议机关或人民法院", required=True, limit=120)
    applied_on = _date(data, "applied_on", "申请（起诉）日期", required=True, today=today)
    if applied_on < case.decided_on:
        raise _invalid("applied_on", f"申请（起诉）日期不得早于决定日期{case.decided_on.isoformat()}")
    parent = None
    parent_id = data.get("parent_id")
    if parent_id not in (None, ""):
        try:
            parent = db.session.get(Remedy, int(parent_id))
        except (TypeError, ValueError):
            parent = None
        if parent is None or parent.case_id != case.id:
            raise _invalid("parent_id", "前一审级（或复议）记录不存在或不属于本案")
    if stage is rules.Stage.appeal:
        if parent is None or parent.kind != rules.Kind.lawsuit.value or parent.stage != rules.Stage.first.value:
            raise _invalid("parent_id", "上诉须针对本案的一审诉讼（行政诉讼法第八十五条）")
        if parent.outcome is None:
            raise InvalidTransition("一审尚未作出裁判，不能登记上诉（行政诉讼法第八十五条）")
        if parent.effective_on is not None and parent.effective_on <= applied_on:
            raise InvalidTransition(f"一审裁判已于{parent.effective_on.isoformat()}生效，不能再上诉，"
                                    "可申请再审（行政诉讼法第八十五条、第九十条）")
        if any(c.stage == rules.Stage.appeal.value for c in parent.children):
            raise Conflict("该一审已登记上诉")
    if stage is rules.Stage.retrial:
        if parent is None or parent.kind != rules.Kind.lawsuit.value or parent.effective_on is None:
            raise _invalid("parent_id", "再审须针对本案已生效的判决、裁定（行政诉讼法第九十条）")
    if kind is rules.Kind.lawsuit and stage is rules.Stage.first and parent is not None:
        if parent.kind != rules.Kind.reconsideration.value:
            raise _invalid("parent_id", "一审诉讼的前序记录只能是行政复议（行政诉讼法第四十五条）")
    if kind is rules.Kind.reconsideration and parent is not None:
        raise _invalid("parent_id", "行政复议没有前一审级")
    remedy = Remedy(case_id=case.id, agency_id=case.agency_id, kind=kind.value, stage=stage.value,
                    parent_id=parent.id if parent else None, body=body, case_number=_text(data, "case_number", "案号", limit=80),
                    applicant=_text(data, "applicant", "申请人（原告）", limit=200), applied_on=applied_on,
                    created_by_id=actor.id if actor is not None else None, effects={})
    remedy.accepted_on = _date(data, "accepted_on", "受理（立案）日期", today=today)
    remedy.notified_on = _date(data, "notified_on", "收到申请书（起诉状）副本日期", today=today)
    with db.session.no_autoflush:  # nothing reaches the database before every check passed
        _check_order(remedy)
        _recompute(remedy)
    db.session.add(remedy)
    db.session.flush()
    if parent is not None:
        db.session.expire(parent, ["children"])  # set through parent_id: reload the parent's list
    _ledger("remedy.filed", remedy, {
        "kind": remedy.kind, "stage": remedy.stage, "parent_id": remedy.parent_id, "body": body,
        "case_number": remedy.case_number, "applied_on": applied_on, "accepted_on": remedy.accepted_on,
        "notified_on": remedy.notified_on, "answer_due": remedy.answer_due,
        "decision_due": remedy.decision_due, "actor": _actor_name(actor)})
    _hold_evidence(remedy)
    return remedy


def late_filing_note(remedy) -> str | None:
    """The applicant's time limit looks exceeded: the body decides whether to accept; we only say so."""
    case = remedy.case
    if remedy.stage != rules.Stage.first.value or case.served_on is None:
        return None
    if remedy.kind == rules.Kind.reconsideration.value:
        if (remedy.applied_on - case.served_on).days > 60:
            return "申请日期距决定送达已超过60日（行政复议法第二十条），请核实是否有正当理由"
    elif remedy.parent is not None and remedy.parent.decided_on is not None:
        if (remedy.applied_on - remedy.parent.decided_on).days > rules.SUE_AFTER_RECONSIDERATION_DAYS:
            return "起诉日期距复议决定已超过15日（行政诉讼法第四十五条），请核实"
    elif rules.add_months(case.served_on, 6) < remedy.applied_on:
        return "起诉日期距知道行政行为已超过6个月（行政诉讼法第四十六条），请核实"
    return None


def _check_order(remedy):
    if remedy.accepted_on and remedy.accepted_on < remedy.applied_on:
        raise _invalid("accepted_on", "受理（立案）日期不得早于申请（起诉）日期")
    if remedy.notified_on and remedy.notified_on < remedy.applied_on:
        raise _invalid("notified_on", "收到副本日期不得早于申请（起诉）日期")
    if remedy.answered_on and remedy.notified_on and remedy.answered_on < remedy.notified_on:
        raise _invalid("answered_on", "答复（答辩）日期不得早于收到副本日期")
    if remedy.answered_on and not remedy.notified_on:
        raise _invalid("notified_on", "请先填写收到申请书（起诉状）副本的日期")


def record_progress(remedy, data: dict, *, actor, today: date | None = None) -> Remedy:
    """受理/立案, 收到副本, 提交答复/答辩, 案号: fill in what happened since filing."""
    today = today or today_china()
    _guard(actor, remedy.agency_id)
    if remedy.outcome is not None:
        raise InvalidTransition("已作出复议决定或裁判，不能再修改受理和答复情况")
    changed = {}
    for name, label in (("accepted_on", "受理（立案）日期"), ("notified_on", "收到副本日期"),
                        ("answered_on", "答复（答辩）日期")):
        if name in data and data[name] not in (None, ""):
            value = _date(data, name, label, today=today)
            old = getattr(remedy, name)
            if old is not None and old != value:
                raise Conflict(f"{label}已登记为{old.isoformat()}，不能更改（记录只能追加）")
            setattr(remedy, name, value)
            changed[name] = value
    if data.get("case_number"):
        number = _text(data, "case_number", "案号", limit=80)
        if remedy.case_number and remedy.case_number != number:
            raise Conflict(f"案号已登记为{remedy.case_number}")
        remedy.case_number = changed["case_number"] = number
    if not changed:
        raise _invalid("accepted_on", "请至少填写一项：受理日期、收到副本日期、答复日期或案号")
    _check_order(remedy)
    _recompute(remedy)
    db.session.flush()
    _ledger("remedy.progress", remedy, {**changed, "answer_due": remedy.answer_due,
                                        "decision_due": remedy.decision_due, "actor": _actor_name(actor)})
    return remedy


def extend(remedy, *, on, reason, actor, today: date | None = None) -> Remedy:
    """复议延期: once, by at most 30 days, approved by the reconsideration body (行政复议法第六十二条)."""
    today = today or today_china()
    _guard(actor, remedy.agency_id)
    if remedy.kind != rules.Kind.reconsideration.value:
        raise InvalidTransition("只有行政复议可以登记延期；诉讼审限由人民法院决定")
    if remedy.outcome is not None:
        raise InvalidTransition("已作出复议决定，不能延期")
    if remedy.accepted_on is None:
        raise InvalidTransition("请先登记受理日期")
    if remedy.extended_on is not None:
        raise Conflict("行政复议只能延长一次，且不超过30日（行政复议法第六十二条）")
    on = _date({"on": on}, "on", "延期日期", required=True, today=today)
    if on < remedy.accepted_on or (remedy.decision_due and on > remedy.decision_due):
        raise _invalid("on", "延期须在受理后、原审理期限届满前决定（行政复议法第六十二条）")
    remedy.extended_on = on
    remedy.extension_reason = _text({"reason": reason}, "reason", "延期理由", required=True)
    _recompute(remedy)
    db.session.flush()
    _ledger("remedy.extended", remedy, {"on": on, "reason": remedy.extension_reason,
                                        "decision_due": remedy.decision_due, "actor": _actor_name(actor)})
    return remedy


# --- hearings and documents -------------------------------------------------------------------------------

def add_hearing(remedy, data: dict, *, actor, today: date | None = None) -> RemedyHearing:
    """A court session or hearing and who appeared for the agency; whether the head appeared (行政诉讼法
    第三条). Without the head, the reason is recorded."""
    today = today or today_china()
    _guard(actor, remedy.agency_id)
    held_on = _date(data, "held_on", "开庭（听证）日期", required=True, today=today)
    if held_on < remedy.applied_on:
        raise _invalid("held_on", "开庭日期不得早于申请（起诉）日期")
    appeared = data.get("head_appeared")
    if isinstance(appeared, str):
        appeared = appeared.strip().lower() in ("1", "true", "yes", "on", "是")
    if appeared is None:
        raise _invalid("head_appeared", "请填写机关负责人是否出庭（行政诉讼法第三条）")
    representatives = _text(data, "representatives", "出庭人员", required=True, limit=300)
    head_name = _text(data, "head_name", "出庭负责人姓名", limit=64)
    absence = _text(data, "absence_reason", "负责人未出庭的理由")
    if appeared and not head_name:
        raise _invalid("head_name", "负责人出庭的，请填写出庭负责人姓名和职务")
    if not appeared and not absence:
        raise _invalid("absence_reason", "负责人未出庭的，应说明理由并委托相应工作人员出庭（行政诉讼法第三条）")
    hearing = RemedyHearing(remedy=remedy, held_on=held_on, place=_text(data, "place", "地点", limit=200),
                            representatives=representatives, head_appeared=bool(appeared), head_name=head_name,
                            absence_reason="" if appeared else absence,
                            created_by_id=actor.id if actor is not None else None)
    db.session.add(hearing)
    db.session.flush()
    _ledger("remedy.hearing", remedy, {"hearing_id": hearing.id, "held_on": held_on,
                                       "representatives": representatives, "head_appeared": bool(appeared),
                                       "head_name": head_name, "absence_reason": hearing.absence_reason,
                                       "actor": _actor_name(actor)})
    return hearing


def add_document(remedy, *, title, filename, data: bytes, actor) -> RemedyDocument:
    """Store a document of the remedy (PDF or scanned image) in the object store; its hash in the ledger."""
    _guard(actor, remedy.agency_id)
    title = _text({"title": title}, "title", "文书名称", required=True, limit=120)
    if not data:
        raise _invalid("file", "请选择要上传的文件")
    if len(data) > int(setting("REMEDY_DOCUMENT_MAX_BYTES")):
        raise _invalid("file", f"文件不超过{int(setting('REMEDY_DOCUMENT_MAX_BYTES')) // (1024 * 1024)}MB")
    content_type = next((mime for magic, mime in DOCUMENT_TYPES.items() if data.startswith(magic)), None)
    if content_type is None:
        raise _invalid("file", "文书须为PDF、PNG或JPEG文件")
    from app.storage import get_store

    digest = hashlib.sha256(data).hexdigest()
    stored = get_store().put(io.BytesIO(data), content_type=content_type, expected_sha256=digest,
                             metadata={"remedy": str(remedy.id)})
    doc = RemedyDocument(remedy=remedy, title=title, filename=(filename or "document")[-200:],
                         content_type=content_type, storage_key=stored.key, sha256=stored.sha256,
                         size=stored.size, uploaded_by_id=actor.id if actor is not None else None)
    db.session.add(doc)
    db.session.flush()
    entry = _ledger("remedy.document", remedy, {"document_id": doc.id, "title": title, "sha256": doc.sha256,
                                                "size": doc.size, "storage_key": doc.storage_key,
                                                "actor": _actor_name(actor)})
    doc.ledger_seq = entry.seq
    return doc


def get_document(remedy, document_id) -> RemedyDocument:
    doc = db.session.get(RemedyDocument, document_id)
    if doc is None or doc.remedy_id != remedy.id:
        raise NotFound("文书不存在")
    return doc


# --- outcome and its effects --------------------------------------------------------------------------------

def record_outcome(remedy, *, outcome, decided_on, note="", actor, today: date | None = None) -> Remedy:
    """The reconsideration decision or the court's judgement/ruling, as served on the agency."""
    today = today or today_china()
    _guard(actor, remedy.agency_id)
    if remedy.outcome is not None:
        raise Conflict(f"已登记结果“{remedy.outcome_label}”，不能更改（记录只能追加；改判请登记上诉或再审）")
    outcomes = rules.OUTCOMES[remedy.kind]
    if outcome not in outcomes:
        raise _invalid("outcome", "结果应为：" + "、".join(outcomes.values()) + "（行政复议法第六十三条至第七十三条、"
                       "行政诉讼法第六十九条至第七十八条）")
    decided_on = _date({"decided_on": decided_on}, "decided_on", "决定（裁判）送达日期", required=True, today=today)
    if decided_on < remedy.applied_on:
        raise _invalid("decided_on", "决定（裁判）日期不得早于申请（起诉）日期")
    remedy.outcome = outcome
    remedy.decided_on = decided_on
    remedy.outcome_note = _text({"note": note}, "note", "结果说明")
    db.session.flush()
    _ledger("remedy.decided", remedy, {"outcome": outcome, "outcome_label": outcomes[outcome],
                                       "decided_on": decided_on, "note": remedy.outcome_note,
                                       "actor": _actor_name(actor)})
    final_on = rules.becomes_final_on(remedy.kind, remedy.stage, outcome, decided_on)
    if final_on is not None and final_on <= today:
        _take_effect(remedy, final_on, actor=actor, today=today)
    return remedy


def record_effective(remedy, *, on, actor, today: date | None = None) -> Remedy:
    """判决/裁定生效: e.g. the court certified that nobody appealed, or an appeal judgement."""
    today = today or today_china()
    _guard(actor, remedy.agency_id)
    if remedy.outcome is None:
        raise InvalidTransition("尚未登记裁判结果，不能登记生效")
    if remedy.effective_on is not None:
        raise Conflict(f"已于{remedy.effective_on.isoformat()}生效")
    if any(c.stage == rules.Stage.appeal.value for c in remedy.children):
        raise InvalidTransition("该一审已被上诉，不会生效；请在二审记录中登记结果（行政诉讼法第八十五条）")
    on = _date({"on": on}, "on", "生效日期", required=True, today=today)
    if on < remedy.decided_on:
        raise _invalid("on", "生效日期不得早于裁判日期")
    _take_effect(remedy, on, actor=actor, today=today)
    return remedy


def sync(today: date | None = None) -> list[Remedy]:
    """First-instance judgements whose appeal period lapsed without an appeal take effect (行政诉讼法
    第八十五条). Run daily (`flask remedies sync`); filing an appeal in time prevents it."""
    today = today or today_china()
    rows = db.session.scalars(select(Remedy).where(Remedy.outcome.is_not(None), Remedy.effective_on.is_(None))
                              .order_by(Remedy.id)).all()
    done = []
    for remedy in rows:
        if any(c.stage == rules.Stage.appeal.value for c in remedy.children):
            continue
        final_on = rules.becomes_final_on(remedy.kind, remedy.stage, remedy.outcome, remedy.decided_on)
        if final_on is not None and final_on <= today:
            _take_effect(remedy, final_on, actor=None, today=today)
            done.append(remedy)
    return done


def _take_effect(remedy, on: date, *, actor, today: date):
    remedy.effective_on = on
    effects = {}
    if remedy.outcome in rules.WITHDRAWING:
        effects["publication"] = _withdraw_publication(remedy, on, actor, today)
    if remedy.outcome in rules.REOPENING:
        from remedies import effects as hooks

        effects["execution"] = hooks.reopen_execution(remedy, actor=actor, on=on)
    remedy.effects = effects
    db.session.flush()
    _ledger("remedy.effective", remedy, {"effective_on": on, "outcome": remedy.outcome, "effects": effects,
                                         "actor": _actor_name(actor)})
    from cases import services as case_services

    case_services.record_event(remedy.case, "remedy_effective", actor,
                               note=f"{remedy.kind_label}{remedy.case_number}：{remedy.outcome_label}，"
                                    f"{on.isoformat()}生效",
                               data={"remedy_id": remedy.id, "outcome": remedy.outcome, "effects": effects})
    _release_evidence_if_final(remedy)


def _withdraw_publication(remedy, on, actor, today) -> dict:
    from publicity import permissions as pub_permissions
    from publicity import services as pub_services
    from publicity.models import Publication

    pub = db.session.scalar(select(Publication).where(Publication.case_id == remedy.case_id))
    if pub is None:
        return {"status": "none"}
    if pub.status != "published":
        return {"status": pub.status, "publication_id": pub.id}
    note = (f"{remedy.body}{remedy.case_number}{rules.KIND_LABELS[remedy.kind]}"
            f"{'决定' if remedy.kind == 'reconsideration' else '裁判'}：{remedy.outcome_label}")
    pub_services.require_withdrawal(pub, reason=rules.WITHDRAWING[remedy.outcome], note=note, event_on=on,
                                    source=f"remedy:{remedy.id}")
    if actor is not None and pub_permissions.can_withdraw_publication(actor, pub):
        pub_services.withdraw(pub, actor=actor, on=today)
        return {"status": "withdrawn", "publication_id": pub.id, "withdrawn_on": today.isoformat()}
    return {"status": "withdrawal_required", "publication_id": pub.id,
            "due_on": pub.withdrawal_due_on.isoformat()}


# --- evidence hold -------------------------------------------------------------------------------------------

def is_pending(remedy) -> bool:
    """Not final: no effective outcome yet, or an appeal/retrial of it still pending."""
    if remedy.effective_on is None:
        return not (remedy.outcome is not None and any(c.stage == rules.Stage.appeal.value for c in remedy.children))
    return False


def _hold_evidence(remedy):
    _remedy_changed(remedy)


def _release_evidence_if_final(remedy):
    _remedy_changed(remedy)


def _remedy_changed(remedy):
    """cases.remedy_periods: listeners re-derive what depends on pending remedies (recordings' legal hold,
    the late-payment surcharge) in this transaction."""
    from cases import remedy_periods

    remedy_periods.remedy_changed(remedy.case, actor=None)
