"""Rectification (整改, SPEC §14): a notice with findings and a deadline (RECTIFICATION_WORKING_DAYS working
days, default 30) rendered as a PDF kept in the object store and entered in the ledger; the agency's report
with attachments; the supervisor accepts or returns it; overdue notices escalate to the office one level up.
"""
from __future__ import annotations

import hashlib
import io
import uuid
from datetime import date

from sqlalchemy import func, select

from app import calendar
from app.auth.permissions import ensure
from app.errors import InvalidTransition, NotFound
from app.extensions import db
from app.serials import add_numbered
from app.timeutil import today_china
from supervision import permissions
from supervision.models.oversight import OPEN_RECTIFICATION, Rectification, RectificationReport, RectificationStatus
from supervision.services.common import actor_name, as_date, invalid, ledger, setting, text
from supervision.services.hierarchy import escalation_office, office_of_agency

MAX_ATTACHMENT = 20 * 1024 * 1024
ATTACHMENT_TYPES = {"application/pdf", "image/jpeg", "image/png", "application/zip",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _next_number(year: int) -> str:
    prefix = f"监整〔{year}〕"
    count = db.session.scalar(select(func.count()).select_from(Rectification)
                              .where(Rectification.number.like(prefix + "%"))) or 0
    return f"{prefix}{count + 1}号"


def due_for(issued_on: date, working_days: int | None = None) -> date:
    return calendar.add_working_days(issued_on, working_days or setting("RECTIFICATION_WORKING_DAYS"))


def issue(*, agency, findings, due_working_days=None, finding=None, source="", on=None, actor=None) -> Rectification:
    """下达整改通知书: renders the notice PDF, stores it and enters its hash in the ledger."""
    if actor is not None:
        ensure(permissions.can_supervise(actor, agency.id), "下达整改通知仅限负责监督该执法部门的执法监督人员")
    items = [text(f, "findings", "问题", max_len=2000) for f in (findings or []) if (f or "").strip()]
    if not items:
        raise invalid("findings", "整改通知应列明发现的问题")
    if due_working_days not in (None, ""):
        try:
            due_working_days = int(due_working_days)
        except (TypeError, ValueError):
            raise invalid("due_working_days", "整改期限应为工作日数") from None
        if not 1 <= due_working_days <= 180:
            raise invalid("due_working_days", "整改期限应在1至180个工作日之间")
    on = as_date(on or today_china(), "on", "下达日期")
    office = office_of_agency(agency.id)
    rect = add_numbered(Rectification, lambda: Rectification(
        number=_next_number(on.year), agency_id=agency.id, office_id=office.id if office else None, findings=items,
        finding_id=finding.id if finding else None, source=source, issued_on=on,
        due_on=due_for(on, due_working_days or None), issued_by_id=getattr(actor, "id", None)))
    pdf = render_notice(rect)
    from app.storage import get_store

    stored = get_store().put(io.BytesIO(pdf), key=f"supervision/rectifications/{uuid.uuid4().hex}/notice.pdf",
                             content_type="application/pdf")
    rect.notice_key, rect.notice_sha256 = stored.key, stored.sha256
    rect.ledger_seq = ledger("rectification.issued", f"agency:{agency.id}", {
        "rectification_id": rect.id, "number": rect.number, "due_on": rect.due_on, "findings": items,
        "notice_sha256": stored.sha256, "source": source, "actor": actor_name(actor)}).seq
    db.session.flush()
    return rect


def render_notice(rect) -> bytes:
    from app.pdf import render_pdf

    office = rect.office
    return render_pdf("supervision/pdf/rectification_notice.html", rect=rect, agency=rect.agency,
                      agency_name=office.name if office else "行政执法监督机构", title="行政执法监督整改通知书",
                      doc_number=rect.number, issued_on=rect.issued_on,
                      working_days=calendar.count_working_days(rect.issued_on, rect.due_on))


def notice_pdf(rect) -> bytes:
    from app.storage import get_store

    if not rect.notice_key:
        raise NotFound("整改通知书尚未生成")
    return b"".join(get_store().open(rect.notice_key))


def get(rect_id) -> Rectification:
    rect = db.session.get(Rectification, rect_id)
    if rect is None:
        raise NotFound("未找到该整改通知")
    return rect


def can_view(user, rect) -> bool:
    return permissions.can_supervise(user, rect.agency_id) or permissions.can_head_agency(user, rect.agency_id) \
        or (rect.escalated_office_id is not None and permissions.is_supervisor(user)
            and permissions.sees_agency(user, rect.agency_id))


def ensure_can_view(user, rect):
    if not can_view(user, rect):
        raise NotFound("未找到该整改通知")


def submit_report(rect, *, text_, files=(), on=None, actor=None) -> RectificationReport:
    """整改报告 by the agency's head; `files` are (filename, content_type, bytes-or-stream)."""
    if actor is not None:
        ensure(permissions.can_head_agency(actor, rect.agency_id), "报送整改报告仅限被通知执法部门的负责人")
    if rect.status not in (RectificationStatus.issued.value, RectificationStatus.returned.value):
        raise InvalidTransition(f"整改通知{rect.number}当前状态为“{rect.status_enum.label}”，不能报送整改报告")
    body = text(text_, "text", "整改情况", max_len=10000)
    on = as_date(on or today_china(), "on", "报送日期")
    if on < rect.issued_on:
        raise invalid("on", "报送日期不得早于通知下达日期")
    from app.storage import get_store

    store = get_store()
    report = RectificationReport(text=body, submitted_on=on, submitted_by_id=getattr(actor, "id", None),
                                 attachments=[])
    rect.reports.append(report)
    db.session.flush()
    attachments = []
    for i, (filename, content_type, data) in enumerate(files or ()):
        if not filename:
            continue
        raw = data.read(MAX_ATTACHMENT + 1) if hasattr(data, "read") else bytes(data)
        if len(raw) > MAX_ATTACHMENT:
            raise invalid("files", f"附件“{filename}”超过{MAX_ATTACHMENT // 1024 // 1024}MB")
        if not raw:
            raise invalid("files", f"附件“{filename}”为空")
        content_type = (content_type or "application/octet-stream").split(";")[0].strip()
        if content_type not in ATTACHMENT_TYPES:
            raise invalid("files", f"附件“{filename}”的类型不受支持（PDF、JPEG、PNG、ZIP、DOCX）")
        stored = store.put(io.BytesIO(raw), key=f"supervision/rectifications/reports/{uuid.uuid4().hex}",
                           content_type=content_type)
        attachments.append({"key": stored.key, "filename": filename[:200], "sha256": stored.sha256,
                            "size": stored.size, "content_type": content_type})
    report.attachments = attachments
    rect.status = RectificationStatus.reported.value
    report.ledger_seq = ledger("rectification.reported", f"agency:{rect.agency_id}", {
        "rectification_id": rect.id, "report_id": report.id, "text_sha256": hashlib.sha256(body.encode()).hexdigest(),
        "attachments": [{"filename": a["filename"], "sha256": a["sha256"]} for a in attachments],
        "actor": actor_name(actor)}).seq
    db.session.flush()
    return report


def decide(rect, *, decision, note="", on=None, actor=None) -> RectificationReport:
    """验收 (accept) or 退回 (return, with the reasons) the latest report."""
    if actor is not None:
        ensure(permissions.can_supervise(actor, rect.agency_id), "审核整改报告仅限负责监督该执法部门的执法监督人员")
    if rect.status != RectificationStatus.reported.value:
        raise InvalidTransition(f"整改通知{rect.number}没有待审核的整改报告")
    if decision not in ("accepted", "returned"):
        raise invalid("decision", "审核结论应为验收或退回")
    note = text(note, "note", "退回理由" if decision == "returned" else "审核意见", required=decision == "returned")
    report = rect.reports[-1]
    on = as_date(on or today_china(), "on", "审核日期")
    if on < report.submitted_on:
        raise invalid("on", "审核日期不得早于报送日期")
    report.decision, report.decision_note, report.decided_on = decision, note, on
    report.decided_by_id = getattr(actor, "id", None)
    rect.status = decision
    if decision == "accepted":
        rect.accepted_on = on
    ledger(f"rectification.{decision}", f"agency:{rect.agency_id}", {
        "rectification_id": rect.id, "report_id": report.id, "note": note, "on": on, "actor": actor_name(actor)})
    db.session.flush()
    return report


def is_overdue(rect, today: date) -> bool:
    return rect.is_open and rect.due_on < today


def escalate_overdue(today: date | None = None, actor=None) -> list[Rectification]:
    """Escalate every open notice past its deadline to the office one level up (once). CLI / scheduler."""
    today = today or today_china()
    done = []
    for rect in db.session.scalars(select(Rectification).where(Rectification.status.in_(OPEN_RECTIFICATION),
                                                               Rectification.due_on < today,
                                                               Rectification.escalated_on.is_(None))):
        above = escalation_office(rect.office)
        rect.escalated_on = today
        rect.escalated_office_id = above.id if above else None
        ledger("rectification.escalated", f"agency:{rect.agency_id}", {
            "rectification_id": rect.id, "number": rect.number, "due_on": rect.due_on, "on": today,
            "to_office_id": rect.escalated_office_id, "actor": actor_name(actor)})
        done.append(rect)
    db.session.flush()
    return done


def visible(user, *, open_only=False):
    from app.auth.scope import readable_agency_ids

    stmt = select(Rectification).order_by(Rectification.issued_on.desc(), Rectification.id.desc())
    if permissions.is_supervisor(user) or not getattr(user, "agency_id", None):
        ids = readable_agency_ids(user)
        if ids is not None:
            stmt = stmt.where(Rectification.agency_id.in_(sorted(ids)))
        if not (permissions.is_supervisor(user) or permissions.has_role(user, "admin")):
            stmt = stmt.where(Rectification.id < 0)
    else:
        stmt = stmt.where(Rectification.agency_id == user.agency_id) if permissions.has_role(user, "head") \
            else stmt.where(Rectification.id < 0)
    if open_only:
        stmt = stmt.where(Rectification.status.in_(OPEN_RECTIFICATION))
    return stmt


def escalated_to(office_ids) -> list[Rectification]:
    if not office_ids:
        return []
    return list(db.session.scalars(select(Rectification).where(
        Rectification.escalated_office_id.in_(sorted(office_ids)), Rectification.status.in_(OPEN_RECTIFICATION))))
