"""Legal review (SPEC §6.1): the only code that writes catalogues, submissions, checklist results, pauses,
extensions, declarations and opinions, and the gate that `cases.guards` calls before a major decision.

Every entry point (HTML, JSON API, CLI, the cases' `apply_action` through the hooks) reaches these
functions. They check the permission predicate and the review's state table, write, append to the ledger
in the same transaction, and flush; the caller commits once.

The approval is bound to the draft it saw: `valid_approval(case)` compares the approved draft hash with
the case's current one each time it is asked. Nothing stores a "still valid" flag.
"""
from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from flask import current_app
from sqlalchemy import func, select

from app import calendar
from app.auth.models import Role
from app.auth.permissions import has_role
from app.auth.services import closures_of
from app.errors import Conflict, DomainError, InvalidInput, InvalidTransition, NotFound, PermissionDenied
from app.extensions import db
from app.ledger.canonical import canonical_json
from app.ledger.services import append as ledger_append
from app.timeutil import today_china, utcnow
from cases import guards as case_guards
from cases.models import PENALTY_KINDS, SERIOUS_PENALTIES, Case, CaseDocument, CaseEvent, CaseStatus, StepKind
from review import permissions, workflow
from review.models import (ITEM_KIND_LABELS, ChecklistResult, ConflictDeclaration, ItemKind, MajorCatalogue,
                           MajorCatalogueItem, ReviewExtension, ReviewOpinion, ReviewPause, ReviewSubmission,
                           SubmissionStatus as S)

#: Settings (SPEC §6.1 *(default)*), set with app.config.setdefault in `review.init_app`.
DEFAULTS = {
    "REVIEW_WORKING_DAYS": 5,
    "REVIEW_EXTENSION_WORKING_DAYS": 5,
    #: Large-amount thresholds per enforcement category for categories the agency's catalogue does not
    #: price ("*" = any category). SPEC §6.1: large amounts *(default thresholds per category)*.
    "REVIEW_MAJOR_FINE_DEFAULTS": {"*": 50000},
}

GATE_RULE = "未经法制审核或者审核未通过的，不得作出决定（行政处罚法第五十八条；国办发〔2018〕118号）"


class PackageIncomplete(DomainError):
    """The review package lacks required material; `details.missing` lists it (SPEC §6.1)."""

    code = "package_incomplete"
    status = 422
    message = "法制审核材料不齐全"


def setting(name):
    return current_app.config.get(name, DEFAULTS[name])


def _actor_name(actor):
    return actor.username if actor is not None else None


# --- checklist (SPEC §6.1) --------------------------------------------------------------------------------

#: The checklist, item by item, in the order of SPEC §6.1 (and G118's 法制审核内容).
CHECKLIST = {
    "agency": "执法主体是否合法",
    "officer_qualification": "执法人员是否具备执法资格",
    "powers": "是否超越本机关执法权限",
    "facts_evidence": "案件事实是否清楚，证据是否合法充分",
    "legal_basis": "适用法律、法规、规章是否准确，裁量基准运用是否适当",
    "procedure": "执法程序是否合法",
    "documents": "执法文书是否规范齐备",
    "crime_transfer": "违法行为是否涉嫌犯罪、需要移送司法机关",
}
RESULTS = {"pass": "通过", "problem": "存在问题"}


# --- the major-decision catalogue ---------------------------------------------------------------------------

def _clean_item(raw: dict, i: int) -> dict:
    errors = []
    kind = raw.get("kind")
    if kind not in ItemKind.__members__:
        errors.append(f"第{i}项类型无效（可选：{'、'.join(ItemKind.__members__)}）")
        raise InvalidInput("；".join(errors), details={"fields": {"items": errors}})
    item = {"kind": kind, "label": (raw.get("label") or "").strip() or ITEM_KIND_LABELS[ItemKind(kind)],
            "category": (raw.get("category") or "").strip() or None, "fine_at_least": None,
            "penalties": list(raw.get("penalties") or []), "matter_codes": list(raw.get("matter_codes") or [])}
    if kind == ItemKind.amount.value:
        try:
            item["fine_at_least"] = Decimal(str(raw.get("fine_at_least")))
            if item["fine_at_least"] <= 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(f"第{i}项须填写大于零的罚款金额标准")
    unknown = [p for p in item["penalties"] if p not in PENALTY_KINDS]
    if unknown:
        errors.append(f"第{i}项处罚种类未知：{'、'.join(unknown)}")
    if kind == ItemKind.penalty.value and not item["penalties"]:
        errors.append(f"第{i}项须列明处罚种类")
    if kind == ItemKind.category.value and not (item["category"] or item["matter_codes"]):
        errors.append(f"第{i}项须填写执法类别或事项编码")
    if errors:
        raise InvalidInput("重大执法决定目录有误：" + "；".join(errors), details={"fields": {"items": errors}})
    return item


def create_catalogue(agency, *, title, items, actor=None) -> MajorCatalogue:
    """A new, unpublished version of the agency's catalogue (published versions never change)."""
    if actor is not None and not permissions.can_manage_catalogue(actor, agency.id):
        raise PermissionDenied("只有本机关负责人或系统管理员可以制定重大执法决定目录")
    if not (title or "").strip():
        raise InvalidInput("请填写目录名称", details={"fields": {"title": ["请填写目录名称"]}})
    if not items:
        raise InvalidInput("目录至少需要一项", details={"fields": {"items": ["目录至少需要一项"]}})
    cleaned = [_clean_item(raw, i) for i, raw in enumerate(items, 1)]
    last = db.session.scalar(select(func.max(MajorCatalogue.version)).where(MajorCatalogue.agency_id == agency.id))
    catalogue = MajorCatalogue(agency_id=agency.id, version=(last or 0) + 1, title=title.strip(),
                               created_by_id=actor.id if actor else None)
    db.session.add(catalogue)
    for i, item in enumerate(cleaned):
        db.session.add(MajorCatalogueItem(catalogue=catalogue, position=i, **item))
    db.session.flush()
    return catalogue


def publish_catalogue(catalogue, *, on: date | None = None, actor=None) -> MajorCatalogue:
    """事前公开: the catalogue is in force from `on`; its content goes to the ledger."""
    if actor is not None and not permissions.can_manage_catalogue(actor, catalogue.agency_id):
        raise PermissionDenied("只有本机关负责人或系统管理员可以公布重大执法决定目录")
    if catalogue.published_on is not None:
        raise InvalidTransition(f"该目录已于{catalogue.published_on.isoformat()}公布，不能修改或重复公布")
    catalogue.published_on = on or today_china()
    db.session.flush()
    entry = ledger_append("review.catalogue_published", f"agency:{catalogue.agency_id}", {
        "catalogue_id": catalogue.id, "agency_id": catalogue.agency_id, "version": catalogue.version,
        "title": catalogue.title, "published_on": catalogue.published_on, "actor": _actor_name(actor),
        "items": [{"kind": i.kind, "label": i.label, "category": i.category, "fine_at_least": i.fine_at_least,
                   "penalties": i.penalties, "matter_codes": i.matter_codes} for i in catalogue.items]})
    catalogue.ledger_seq = entry.seq
    return catalogue


def current_catalogue(agency_id, on: date | None = None) -> MajorCatalogue | None:
    """The catalogue in force on `on`: the latest published on or before it."""
    on = on or today_china()
    return db.session.scalar(select(MajorCatalogue)
                             .where(MajorCatalogue.agency_id == agency_id, MajorCatalogue.published_on.is_not(None),
                                    MajorCatalogue.published_on <= on)
                             .order_by(MajorCatalogue.published_on.desc(), MajorCatalogue.version.desc()).limit(1))


def _fine(draft) -> Decimal | None:
    """The amount that counts for the catalogue: fine + confiscated illegal gains + value of confiscated
    property, entered as numbers (APL Art 63 较大数额/较大价值; SPEC §11)."""
    from cases.rules import amounts

    return amounts(draft)["total"]


def _yuan(amount) -> str:
    """An amount as written in a reason: 1000 → "1000", 1000.50 → "1000.50"."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    return f"{value:f}".removesuffix(".00")


def _had_hearing(case) -> bool:
    return bool(case.hearing_on or any(s.kind == StepKind.hearing.value and s.completed_at for s in case.steps))


def _penalty_names(kinds) -> str:
    return "、".join(PENALTY_KINDS.get(p, p) for p in sorted(kinds))


def evaluate_major(case, on: date | None = None) -> tuple[bool, list[str]]:
    """Whether deciding `case` is a major enforcement decision, and every reason why (SPEC §6.1).

    Reasons come from: the head's mark; the agency's catalogue in force on `on`; the matter's published
    major criteria; the built-ins of SPEC §6.1 (licence revocation, suspension or closure, a decision after
    a hearing); and the default large-amount threshold for categories the catalogue does not price.
    """
    on = on or today_china()
    draft = case.draft or {}
    penalties = set(draft.get("penalties") or [])
    fine = _fine(draft)
    from cases.rules import amount_phrase
    category = case.matter_version.category
    code = case.matter_version.matter.code
    reasons: list[str] = []

    def add(reason):
        if reason not in reasons:
            reasons.append(reason)

    if case.marked_major:
        add("机关负责人认定为重大执法决定")
    catalogue = current_catalogue(case.agency_id, on)
    priced = set()
    if catalogue is not None:
        where = f"（{catalogue.title}第{{}}项）"
        for n, item in enumerate(catalogue.items, 1):
            if item.category and item.category != category and item.kind != ItemKind.category.value:
                continue
            kind = ItemKind(item.kind)
            if kind is ItemKind.amount:
                priced.add(item.category or "*")
                if fine is not None and fine >= item.fine_at_least:
                    add(f"{amount_phrase(draft)}，达到{item.label}标准（{_yuan(item.fine_at_least)}元以上）" + where.format(n))
            elif kind is ItemKind.penalty:
                named = penalties & set(item.penalties)
                if named:
                    add(f"拟作出{_penalty_names(named)}的处罚：{item.label}" + where.format(n))
            elif kind is ItemKind.category:
                if (item.category and item.category == category) or code in (item.matter_codes or []):
                    add(item.label + where.format(n))
            elif kind is ItemKind.hearing:
                if _had_hearing(case):
                    add(item.label + where.format(n))
            elif kind is ItemKind.public_interest:
                if case.harms_safety:
                    add(item.label + where.format(n))
            elif kind is ItemKind.complex:
                if case.is_complex:
                    add(item.label + where.format(n))
    criteria = case.matter_version.major_criteria or {}
    named = penalties & (set(criteria.get("penalties") or []) | SERIOUS_PENALTIES)
    if named:
        add(f"拟作出{_penalty_names(named)}的处罚")
    threshold = criteria.get("fine_at_least")
    if threshold is not None and fine is not None and fine >= Decimal(str(threshold)):
        add(f"{amount_phrase(draft)}，达到该执法事项公布的重大标准（{_yuan(threshold)}元以上）")
    if _had_hearing(case):
        add("经过听证程序")
    if threshold is not None:
        priced.add(category)  # the matter publishes its own amount: the default does not apply
    if fine is not None and category not in priced and "*" not in priced:
        defaults = setting("REVIEW_MAJOR_FINE_DEFAULTS") or {}
        default = defaults.get(category, defaults.get("*"))
        if default is not None and fine >= Decimal(str(default)):
            add(f"{amount_phrase(draft)}，达到较大数额罚款的默认标准（{_yuan(default)}元以上）")
    return bool(reasons), reasons


# --- the package --------------------------------------------------------------------------------------------

@dataclass
class PackageCheck:
    package: dict
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing


def _text(value) -> str:
    return (value or "").strip() if isinstance(value, str) else ""


def check_package(case, package: dict | None, on: date | None = None) -> PackageCheck:
    """The review package (SPEC §6.1): investigation report, draft decision, evidence list, legal basis and,
    after a hearing, the hearing report. Returns what was resolved and every missing item (Chinese)."""
    on = on or today_china()
    given = dict(package or {})
    out: dict = {"notes": _text(given.get("notes"))}
    missing: list[str] = []

    report = next((d for d in reversed(case.documents) if d.kind == "investigation_report"), None)
    if report is not None:
        out["investigation_report"] = {"document_id": report.id, "number": report.number, "sha256": report.sha256}
    elif _text(given.get("investigation_report")):
        out["investigation_report"] = {"text": _text(given["investigation_report"])}
    else:
        missing.append("调查终结报告")

    draft_problems = case_guards.GUARDS["draft_decision"](case_guards.GuardContext(case=case, on=on))
    if not case.draft or not case.draft_sha256:
        missing.append("处罚决定草案")
    elif draft_problems:
        missing.append("处罚决定草案（" + "；".join(draft_problems) + "）")
    else:
        out["draft_decision"] = {"sha256": case.draft_sha256}

    evidence = given.get("evidence_list")
    if isinstance(evidence, str):
        evidence = [line.strip() for line in evidence.splitlines() if line.strip()]
    evidence = [str(e).strip() for e in (evidence or []) if str(e).strip()]
    if not evidence:
        evidence = [f"{s.label}（{s.started_at:%Y-%m-%d}，{s.place}）" for s in case.steps if s.completed_at]
        evidence += [f"{d.title}（{d.number}）" for d in case.documents if d.kind != "investigation_report"]
    if evidence:
        out["evidence_list"] = evidence
    else:
        missing.append("证据清单")

    basis = _text(given.get("legal_basis")) or _text((case.draft or {}).get("legal_basis"))
    if basis:
        version = case.matter_version
        out["legal_basis"] = basis
        out["penalty_basis"] = version.penalty_basis
    else:
        missing.append("法律依据")

    hearings = [s for s in case.steps if s.kind == StepKind.hearing.value]
    if case.hearing_requested_on or hearings:
        done = [s for s in hearings if s.completed_at]
        if _text(given.get("hearing_report")):
            out["hearing_report"] = {"text": _text(given["hearing_report"]),
                                     "step_id": done[-1].id if done else None}
        elif done:
            out["hearing_report"] = {"step_id": done[-1].id,
                                     "sha256": hashlib.sha256(done[-1].content.encode()).hexdigest()}
        else:
            missing.append("听证报告（当事人已申请听证，尚无已完成的听证笔录）")
    return PackageCheck(out, missing)


# --- the clock (SPEC §6.1, §9) ---------------------------------------------------------------------------------

def _paused(day: date, pauses) -> bool:
    """A day the clock does not count: after a supplement was requested, up to the day it was received.
    The receipt day itself is not counted either: the review restarts the next working day, just as the
    submission day is not counted."""
    return any(p_from < day and (p_to is None or day <= p_to) for p_from, p_to in pauses)


def _intervals(submission):
    return [(p.requested_on, p.received_on) for p in submission.pauses]


def limit_of(submission) -> int:
    return int(setting("REVIEW_WORKING_DAYS")) + sum(e.working_days for e in submission.extensions)


def due_date(start: date, working_days: int, pauses=(), closures=()) -> date | None:
    """The day the review is due: `working_days` counted working days after `start`, skipping the paused
    days; None while a pause is open (the date is not known until the supplement arrives)."""
    if any(p_to is None for _, p_to in pauses):
        return None
    day, remaining = start, working_days
    while remaining > 0:
        day += timedelta(days=1)
        if calendar.is_working_day(day, closures) and not _paused(day, pauses):
            remaining -= 1
    return day


def elapsed_working_days(start: date, until: date, pauses=(), closures=()) -> int:
    """Counted working days in (start, until], the paused days left out."""
    count, day = 0, start
    while day < until:
        day += timedelta(days=1)
        if calendar.is_working_day(day, closures) and not _paused(day, pauses):
            count += 1
    return count


@dataclass
class Clock:
    limit: int  #: working days allowed (base + extensions)
    used: int  #: counted working days so far (or until the decision)
    due_on: date | None
    paused: bool
    running: bool  #: the review is still open

    @property
    def left(self) -> int:
        return self.limit - self.used

    @property
    def overdue(self) -> int:
        return max(0, self.used - self.limit)

    @property
    def label(self) -> str:
        if not self.running:
            return f"超期{self.overdue}个工作日办结" if self.overdue else f"用时{self.used}个工作日"
        if self.overdue:
            return f"已超期{self.overdue}个工作日"
        text = f"剩余{self.left}个工作日"
        return ("补充材料中，计时暂停（" + text + "）") if self.paused else text

    @property
    def css(self) -> str:
        if self.overdue:
            return "red"
        if self.paused:
            return "grey"
        return "orange" if self.running and self.left <= 1 else "green"


def clock(submission, today: date | None = None, closures=None) -> Clock:
    today = today or today_china()
    if closures is None:
        closures = closures_of(submission.agency_id)
    pauses = _intervals(submission)
    running = S(submission.status) in workflow.OPEN
    until = today if running else (submission.decided_on or today)
    open_pause = next((p_from for p_from, p_to in pauses if p_to is None), None)
    if open_pause is not None:
        until = min(until, open_pause)
    used = elapsed_working_days(submission.submitted_on, until, pauses, closures)
    return Clock(limit=limit_of(submission), used=used, due_on=submission.due_on,
                 paused=open_pause is not None, running=running)


def _recompute_due(submission):
    submission.due_on = due_date(submission.submitted_on, limit_of(submission), _intervals(submission),
                                 closures_of(submission.agency_id))


# --- recording ------------------------------------------------------------------------------------------------

def _record(kind, submission, actor, payload=None, note=""):
    """`review.<kind>` in the ledger (subject case:<id>) and the same fact on the case's timeline."""
    case = submission.case
    payload = {"case_id": case.id, "case_number": case.number, "submission_id": submission.id,
               "round": submission.round, "status": submission.status, "draft_sha256": submission.draft_sha256,
               "actor": _actor_name(actor), **(payload or {})}
    if note:
        payload["note"] = note
    entry = ledger_append(f"review.{kind}", f"case:{case.id}", payload)
    event = CaseEvent(case_id=case.id, action=f"review_{kind}", actor_id=actor.id if actor else None,
                      note=note, data=json.loads(canonical_json(payload)), at=utcnow(), ledger_seq=entry.seq)
    db.session.add(event)
    db.session.flush()
    return entry


def _move(submission, action):
    target = workflow.next_status(submission.status, action)
    if target is None:
        raise InvalidTransition(f"法制审核当前状态为“{submission.status_label}”，不能“{workflow.ACTION_LABELS[action]}”")
    submission.status = target.value


def get_submission(submission_id) -> ReviewSubmission:
    submission = db.session.get(ReviewSubmission, submission_id)
    if submission is None:
        raise NotFound(f"法制审核记录（编号{submission_id}）不存在")
    return submission


def ensure_can_view(user, submission):
    if not permissions.can_view_submission(user, submission):
        from app.privacy.services import record_refusal

        record_refusal(user, "review", submission.id, case_id=submission.case_id, reason="无权查看该法制审核记录")
        raise NotFound(f"法制审核记录（编号{submission.id}）不存在")


def is_case_reviewer(user, case) -> bool:
    """The reviewer who took a review of this case needs its parties' data for the review (PIPL Art 6)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(ReviewSubmission.id).where(
        ReviewSubmission.case_id == case.id, ReviewSubmission.reviewer_id == user.id).limit(1)) is not None


def submissions_of(case) -> list[ReviewSubmission]:
    return list(db.session.scalars(select(ReviewSubmission).where(ReviewSubmission.case_id == case.id)
                                   .order_by(ReviewSubmission.round)))


def open_submission(case) -> ReviewSubmission | None:
    return next((s for s in reversed(submissions_of(case)) if S(s.status) in workflow.OPEN), None)


def latest_approval(case) -> ReviewSubmission | None:
    return next((s for s in reversed(submissions_of(case)) if s.status == S.approved.value), None)


def valid_approval(case) -> ReviewSubmission | None:
    """The approval that covers the case's current draft decision, if any (computed, never stored)."""
    approval = latest_approval(case)
    if approval is not None and case.draft_sha256 and approval.draft_sha256 == case.draft_sha256:
        return approval
    for s in reversed(submissions_of(case)):  # an earlier approval of the very draft now in force
        if s.status == S.approved.value and s.draft_sha256 == case.draft_sha256:
            return s
    return None


# --- submission ------------------------------------------------------------------------------------------------

SUBMITTABLE = frozenset({CaseStatus.investigated, CaseStatus.notified, CaseStatus.hearing, CaseStatus.heard})


def submit_for_review(case, package: dict | None, *, actor, on: date | None = None) -> ReviewSubmission:
    """送审: check the package, bind it to the current draft, and queue it for the agency's reviewers."""
    on = on or today_china()
    if not permissions.can_submit(actor, case):
        raise PermissionDenied("只有本案承办执法人员或本机关负责人可以提交法制审核")
    if CaseStatus(case.status) not in SUBMITTABLE:
        raise InvalidTransition(f"案件当前状态为“{case.status_label}”，调查终结后、作出决定前方可提交法制审核")
    if valid_approval(case) is not None:
        raise Conflict("本案当前的处罚决定草案已经法制审核通过，无需重新提交")
    check = check_package(case, package, on)
    if not check.ok:
        raise PackageIncomplete("法制审核材料不齐全，已退回：缺少" + "、".join(check.missing),
                                details={"missing": check.missing})
    current = open_submission(case)
    if current is not None:
        if current.draft_sha256 == case.draft_sha256:
            raise Conflict(f"本案已提交法制审核（{current.status_label}），请勿重复提交")
        _move(current, "supersede")
        current.decided_at = utcnow()
        _record("superseded", current, actor, {"replaced_by_draft_sha256": case.draft_sha256})
    major, reasons = evaluate_major(case, on)
    last_round = db.session.scalar(select(func.max(ReviewSubmission.round)).where(ReviewSubmission.case_id == case.id))
    submission = ReviewSubmission(case=case, case_id=case.id, agency_id=case.agency_id, round=(last_round or 0) + 1,
                                  status=S.submitted.value, draft_sha256=case.draft_sha256, draft=dict(case.draft),
                                  package=json.loads(canonical_json(check.package)), major_reasons=reasons,
                                  submitted_by_id=actor.id, submitted_on=on)
    db.session.add(submission)
    db.session.flush()
    _recompute_due(submission)
    _record("submitted", submission, actor, {"package": check.package, "major": major, "major_reasons": reasons,
                                             "submitted_on": on, "due_on": submission.due_on})
    return submission


# --- the reviewer -----------------------------------------------------------------------------------------------

def _ensure_reviewer(submission, actor, on):
    problems = permissions.reviewer_problems(actor, submission.case, on)
    if problems:
        raise PermissionDenied("不能审核本案：" + "；".join(problems), details={"problems": problems})


def _ensure_assigned(submission, actor, on):
    if not permissions.is_assigned_reviewer(actor, submission):
        raise PermissionDenied("只有领取本案的法制审核人员可以办理")
    _ensure_reviewer(submission, actor, on)


def declare_conflict(case, *, actor, has_conflict: bool = True, note="") -> ConflictDeclaration:
    """A reviewer states a conflict of interest on a case (and is then ineligible), or that there is none."""
    if actor is None or not has_role(actor, Role.reviewer):
        raise PermissionDenied("只有法制审核人员需要声明利害关系")
    if has_conflict and not (note or "").strip():
        raise InvalidInput("请说明利害关系", details={"fields": {"note": ["请说明利害关系"]}})
    row = ConflictDeclaration(case_id=case.id, user_id=actor.id, has_conflict=bool(has_conflict),
                              note=(note or "").strip())
    db.session.add(row)
    db.session.flush()
    submission = open_submission(case)
    if has_conflict and submission is not None and submission.reviewer_id == actor.id:
        # A reviewer who discovers a conflict steps aside: the review goes back to the queue.
        submission.reviewer_id = None
        submission.taken_at = None
        submission.status = S.submitted.value
    if submission is not None:
        _record("conflict_declared", submission, actor, {"has_conflict": bool(has_conflict)}, note=row.note)
    return row


def take_review(submission, *, actor, declare_no_conflict: bool = False, on: date | None = None):
    """领取: an eligible reviewer accepts the package and declares no conflict of interest."""
    on = on or today_china()
    _ensure_reviewer(submission, actor, on)
    if not declare_no_conflict:
        raise InvalidInput("领取审核前须声明与本案无利害关系（回避声明）",
                           details={"fields": {"declare_no_conflict": ["须声明与本案无利害关系"]}})
    _move(submission, "take")
    submission.reviewer_id = actor.id
    submission.taken_at = utcnow()
    db.session.add(ConflictDeclaration(case_id=submission.case_id, user_id=actor.id, has_conflict=False,
                                       note="领取审核时声明与本案无利害关系"))
    db.session.flush()
    _record("taken", submission, actor, {"reviewer": actor.username, "declared_no_conflict": True})
    return submission


def return_incomplete(submission, *, missing, note="", actor, on: date | None = None):
    """材料不全退回: the package is returned with what is missing; the officers resubmit."""
    on = on or today_china()
    if submission.reviewer_id is not None:
        _ensure_assigned(submission, actor, on)
    else:
        _ensure_reviewer(submission, actor, on)
    missing = [str(m).strip() for m in (missing or []) if str(m).strip()]
    if not missing:
        raise InvalidInput("请列明缺少的材料", details={"fields": {"missing": ["请列明缺少的材料"]}})
    _move(submission, "return_incomplete")
    submission.missing = missing
    submission.reviewer_id = submission.reviewer_id or actor.id
    submission.decided_on, submission.decided_at = on, utcnow()
    _record("returned_incomplete", submission, actor, {"missing": missing, "decided_on": on}, note=note)
    return submission


def request_supplement(submission, *, items, note="", actor, on: date | None = None):
    """要求补充材料: the clock stops until the material arrives (SPEC §6.1)."""
    on = on or today_china()
    _ensure_assigned(submission, actor, on)
    items = [str(i).strip() for i in (items or []) if str(i).strip()]
    if not items:
        raise InvalidInput("请列明需要补充的材料", details={"fields": {"items": ["请列明需要补充的材料"]}})
    if on < submission.submitted_on:
        raise InvalidInput("补充材料要求日期不能早于提交日期")
    _move(submission, "request_supplement")
    db.session.add(ReviewPause(submission=submission, requested_on=on, items=items, note=(note or "").strip(),
                               requested_by_id=actor.id))
    db.session.flush()
    db.session.refresh(submission)
    _recompute_due(submission)
    _record("supplement_requested", submission, actor, {"items": items, "requested_on": on}, note=note)
    return submission


def receive_supplement(submission, *, reply="", package=None, actor, on: date | None = None):
    """补充材料: the case's officers answer; the clock runs again from the next working day. If the draft
    decision was corrected meanwhile, the review continues on the corrected draft (its hash is recorded)."""
    on = on or today_china()
    if not permissions.can_supply(actor, submission):
        raise PermissionDenied("只有本案承办执法人员或本机关负责人可以提交补充材料")
    pause = next((p for p in submission.pauses if p.received_on is None), None)
    if pause is None or submission.status != S.supplement_requested.value:
        raise InvalidTransition("本次法制审核没有待补充的材料")
    if on < pause.requested_on:
        raise InvalidInput("补充材料日期不能早于要求补充的日期")
    case = submission.case
    merged = {**{k: v for k, v in (package or {}).items() if v}, "notes": _text(reply) or _text((package or {}).get("notes"))}
    check = check_package(case, {**_given_from(submission.package), **merged}, on)
    if not check.ok:
        raise PackageIncomplete("补充后材料仍不齐全：缺少" + "、".join(check.missing), details={"missing": check.missing})
    previous = submission.draft_sha256
    _move(submission, "receive_supplement")
    pause.received_on, pause.reply, pause.received_by_id = on, _text(reply), actor.id
    submission.package = json.loads(canonical_json(check.package))
    if case.draft_sha256 != previous:
        submission.draft_sha256, submission.draft = case.draft_sha256, dict(case.draft)
    db.session.flush()
    _recompute_due(submission)
    _record("supplement_received", submission, actor, {"received_on": on, "previous_draft_sha256": previous,
                                                       "due_on": submission.due_on}, note=_text(reply))
    return submission


def _given_from(resolved: dict) -> dict:
    """Turn a resolved package back into input (texts given by people, not the derived parts)."""
    out = {}
    for key in ("investigation_report", "hearing_report"):
        value = resolved.get(key)
        if isinstance(value, dict) and value.get("text"):
            out[key] = value["text"]
    if resolved.get("evidence_list"):
        out["evidence_list"] = resolved["evidence_list"]
    if resolved.get("legal_basis"):
        out["legal_basis"] = resolved["legal_basis"]
    return out


def extend_time_limit(submission, *, reason, working_days: int | None = None, actor, on: date | None = None):
    """延长审核期限: approved by the agency head; in all at most REVIEW_EXTENSION_WORKING_DAYS (default 5)."""
    on = on or today_china()
    if not permissions.can_extend(actor, submission):
        raise PermissionDenied("延长法制审核期限须经本机关负责人批准")
    if S(submission.status) not in workflow.OPEN:
        raise InvalidTransition(f"法制审核已{submission.status_label}，不能延长期限")
    allowed = int(setting("REVIEW_EXTENSION_WORKING_DAYS"))
    days = allowed if working_days in (None, "") else int(working_days)
    used = sum(e.working_days for e in submission.extensions)
    if days <= 0 or used + days > allowed:
        raise InvalidInput(f"审核期限累计延长不得超过{allowed}个工作日（已延长{used}个工作日）",
                           details={"fields": {"working_days": [f"累计不得超过{allowed}个工作日"]}})
    if not _text(reason):
        raise InvalidInput("请填写延长理由", details={"fields": {"reason": ["请填写延长理由"]}})
    db.session.add(ReviewExtension(submission=submission, working_days=days, reason=_text(reason),
                                   approved_by_id=actor.id, approved_on=on))
    db.session.flush()
    db.session.refresh(submission)
    _recompute_due(submission)
    _record("extended", submission, actor, {"working_days": days, "due_on": submission.due_on}, note=_text(reason))
    return submission


# --- the checklist ------------------------------------------------------------------------------------------------

def auto_checks(case, on: date | None = None) -> dict[str, dict]:
    """What the system verifies by itself, per checklist item: {"ok": bool|None, "lines": [...]}.
    The reviewer cannot record "pass" on an item whose check failed."""
    from app.officers.models import Officer
    from app.officers.regions import area_covers, region_label
    from app.officers.rules import check_team
    from cases.models import OFFICER_ACTS
    from cases.models import StepKind as K

    on = on or today_china()
    agency, version = case.agency, case.matter_version
    out = {}

    lines, ok = [], True
    if version.matter.agency_id != case.agency_id:
        ok = False
        lines.append("执法事项不属于本机关权责清单")
    if version.category not in (agency.categories or []):
        ok = False
        lines.append(f"执法类别“{version.category}”不在{agency.name}的法定职权范围内")
    if ok:
        lines.append(f"{agency.name}具有“{version.category}”执法职权；执法事项“{version.name}”在本机关权责清单内")
    out["agency"] = {"ok": ok, "lines": lines}

    lines, ok = [], True
    acts = [("立案", case.filed_on, [co.officer for co in case.officers])] if case.filed_on else []
    by_id = {}
    step_officer_ids = {row.get("officer_id") for s in case.steps for row in (s.officers or [])}
    if step_officer_ids:
        by_id = {o.id: o for o in db.session.scalars(select(Officer).where(Officer.id.in_(step_officer_ids)))}
    for step in case.steps:
        if K(step.kind) in OFFICER_ACTS:
            people = [by_id[row["officer_id"]] for row in (step.officers or []) if row.get("officer_id") in by_id]
            acts.append((f"{step.label}", step.started_at.date(), people))
    if not acts:
        acts.append(("审核日", on, [co.officer for co in case.officers]))
    for label, day, people in acts:
        team = check_team(people, day, category=version.category, area=case.area_code)
        if team.ok:
            names = "、".join(o.name for o in team.passing)
            lines.append(f"{label}（{day.isoformat()}）：{names}持有效执法证件")
        else:
            ok = False
            lines.append(f"{label}（{day.isoformat()}）：符合条件的执法人员仅{len(team.passing)}名；"
                         + "；".join(team.reasons()))
    out["officer_qualification"] = {"ok": ok, "lines": lines}

    lines, ok = [], True
    if not area_covers(agency.region_code, case.area_code):
        ok = False
        lines.append(f"违法行为发生地（{region_label(case.area_code)}）不在本机关管辖区域"
                     f"（{region_label(agency.region_code)}）内")
    else:
        lines.append(f"违法行为发生地{region_label(case.area_code)}在本机关管辖区域内")
    out["powers"] = {"ok": ok, "lines": lines}

    ctx = case_guards.GuardContext(case=case, on=on)
    problems = case_guards.GUARDS["steps_complete"](ctx)
    done = [s for s in case.steps if s.completed_at]
    out["facts_evidence"] = {"ok": None if not problems else False,
                             "lines": problems or [f"已完成执法环节{len(done)}个：" +
                                                   "、".join(f"{s.label}（{s.started_at:%m-%d}）" for s in done)]}
    problems = case_guards.GUARDS["draft_decision"](ctx)
    out["legal_basis"] = {"ok": None if not problems else False,
                          "lines": problems or [f"裁量档次“{(case.draft or {}).get('tier')}”，处罚在档次范围内"]}
    lines = []
    if case.notice_served_on:
        lines.append(f"事先告知书已于{case.notice_served_on.isoformat()}送达")
    else:
        lines.append("尚未送达行政处罚事先告知书")
    if case.hearing_requested_on:
        lines.append(f"当事人于{case.hearing_requested_on.isoformat()}申请听证"
                     + (f"，已于{case.hearing_on.isoformat()}举行" if case.hearing_on else "，尚未举行"))
    out["procedure"] = {"ok": None, "lines": lines}
    out["documents"] = {"ok": None, "lines": [f"{d.title}（{d.number}）" for d in case.documents] or ["尚无文书"]}
    out["crime_transfer"] = {"ok": None, "lines": []}
    return out


def checklist_state(submission) -> dict[str, ChecklistResult | None]:
    """The latest finding per item (None: not yet examined)."""
    latest = {key: None for key in CHECKLIST}
    for row in submission.checklist:
        latest[row.item] = row
    return latest


def record_checklist(submission, item, result, note="", *, actor, on: date | None = None) -> ChecklistResult:
    """One checklist item: "pass", or "problem" with a note saying what is wrong."""
    on = on or today_china()
    _ensure_assigned(submission, actor, on)
    if submission.status != S.in_review.value:
        raise InvalidTransition(f"法制审核当前状态为“{submission.status_label}”，不能填写审核事项")
    if item not in CHECKLIST:
        raise InvalidInput(f"未知的审核事项：{item}", details={"fields": {"item": ["未知的审核事项"]}})
    if result not in RESULTS:
        raise InvalidInput("审核结论只能是通过（pass）或存在问题（problem）",
                           details={"fields": {"result": ["只能是pass或problem"]}})
    note = _text(note)
    if result == "problem" and not note:
        raise InvalidInput("存在问题的，请写明问题", details={"fields": {"note": ["请写明问题"]}})
    auto = auto_checks(submission.case, on).get(item, {"ok": None, "lines": []})
    if result == "pass" and auto.get("ok") is False:
        raise InvalidInput(f"“{CHECKLIST[item]}”的系统核查未通过，不能记为通过：" + "；".join(auto["lines"]),
                           details={"fields": {"result": auto["lines"]}})
    row = ChecklistResult(submission=submission, item=item, result=result, note=note,
                          auto=json.loads(canonical_json(auto)), recorded_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    _record("checklist", submission, actor, {"item": item, "label": CHECKLIST[item], "result": result,
                                             "auto_ok": auto.get("ok")}, note=note)
    return row


# --- the outcome and the opinion ---------------------------------------------------------------------------------

def _ensure_current_draft(submission):
    case = submission.case
    if case.draft_sha256 != submission.draft_sha256:
        raise InvalidTransition(
            f"处罚决定草案在提交审核后已被修改（提交时摘要{submission.draft_sha256[:12]}…，现为"
            f"{(case.draft_sha256 or '无')[:12]}…），请承办人员重新提交法制审核")


def approve(submission, *, opinion, actor, on: date | None = None) -> ReviewOpinion:
    """审核通过: only when every checklist item passed; issues the 法制审核意见书 bound to the draft's hash."""
    on = on or today_china()
    _ensure_assigned(submission, actor, on)
    if submission.status != S.in_review.value:
        raise InvalidTransition(f"法制审核当前状态为“{submission.status_label}”，不能审核通过")
    _ensure_current_draft(submission)
    state = checklist_state(submission)
    open_items = [CHECKLIST[k] for k, row in state.items() if row is None]
    problems = [f"{CHECKLIST[k]}：{row.note}" for k, row in state.items() if row is not None and row.result != "pass"]
    if open_items or problems:
        details = {"unchecked": open_items, "problems": problems}
        raise InvalidTransition("审核事项未全部通过，不能审核通过："
                                + "；".join(([f"尚未审核：{'、'.join(open_items)}"] if open_items else []) + problems),
                                details=details)
    if not _text(opinion):
        raise InvalidInput("请填写法制审核意见", details={"fields": {"opinion": ["请填写法制审核意见"]}})
    return _decide(submission, "approve", _text(opinion), actor, on)


def return_for_correction(submission, *, opinion, actor, on: date | None = None) -> ReviewOpinion:
    """退回修改: problems found; the officers correct and resubmit (a new round)."""
    on = on or today_china()
    _ensure_assigned(submission, actor, on)
    if submission.status != S.in_review.value:
        raise InvalidTransition(f"法制审核当前状态为“{submission.status_label}”，不能退回")
    state = checklist_state(submission)
    problems = [row for row in state.values() if row is not None and row.result == "problem"]
    if not problems and not _text(opinion):
        raise InvalidInput("退回修改须写明存在的问题（审核事项或审核意见）",
                           details={"fields": {"opinion": ["请写明存在的问题"]}})
    return _decide(submission, "return", _text(opinion) or "经审核，存在以下问题，请修改后重新提交。", actor, on)


def _decide(submission, action, text, actor, on) -> ReviewOpinion:
    from app.docsign.services import sign_pdf
    from app.storage import get_store
    from cases.services import document_number

    if on < submission.submitted_on:
        raise InvalidInput("审核日期不能早于提交日期")
    case = submission.case
    _move(submission, action)
    submission.decided_on, submission.decided_at = on, utcnow()
    number = document_number(case.agency, "法审", on)
    pdf = render_opinion(submission, number=number, text=text, on=on, reviewer=actor)
    # Signed with the agency's key before it is stored, so the stored file and the ledger's hash are the
    # signed PDF (issue 18, app/docsign).
    signed = sign_pdf(pdf, case.agency, reason=f"法制审核意见书 {number}")
    pdf = signed.pdf
    digest = hashlib.sha256(pdf).hexdigest()
    stored = get_store().put(io.BytesIO(pdf), content_type="application/pdf", expected_sha256=digest,
                             metadata={"case-id": str(case.id), "document-kind": "review_opinion"})
    document = CaseDocument(case_id=case.id, kind="review_opinion", number=number, title="法制审核意见书",
                            storage_key=stored.key, sha256=stored.sha256, size=stored.size, created_by_id=actor.id)
    db.session.add(document)
    db.session.flush()
    opinion = ReviewOpinion(submission=submission, outcome=submission.status, number=number, text=text,
                            issued_on=on, storage_key=stored.key, sha256=stored.sha256, size=stored.size,
                            case_document_id=document.id, created_by_id=actor.id)
    db.session.add(opinion)
    db.session.flush()
    state = checklist_state(submission)
    entry = _record("approved" if action == "approve" else "returned", submission, actor, {
        "decided_on": on, "opinion_number": number, "opinion_sha256": stored.sha256, "opinion_size": stored.size,
        "storage_key": stored.key, "document_id": document.id, "signature": signed.ledger,
        "checklist": {k: (row.result if row else None) for k, row in state.items()},
        "clock": clock(submission, on).label}, note=text)
    opinion.ledger_seq = document.ledger_seq = entry.seq
    db.session.flush()
    return opinion


def render_opinion(submission, *, number, text, on, reviewer) -> bytes:
    from app.pdf import render_pdf

    case = submission.case
    state = checklist_state(submission)
    rows = [{"label": label, "result": RESULTS.get(state[k].result) if state[k] else "未审核",
             "note": state[k].note if state[k] else "",
             "auto": (state[k].auto or {}).get("lines", []) if state[k] else []} for k, label in CHECKLIST.items()]
    return render_pdf("review/pdf/opinion.html", agency_name=case.agency.name, title="法制审核意见书",
                      doc_number=number, issued_on=on, case=case, submission=submission, rows=rows, text=text,
                      outcome=submission.status, reviewer=reviewer,
                      parties="、".join(p.name for p in case.parties), penalty_names=_penalty_names(
                          (submission.draft or {}).get("penalties") or []),
                      clock=clock(submission, on))


def opinion_bytes(opinion) -> bytes:
    from app.storage import get_store

    return b"".join(get_store().open(opinion.storage_key))


# --- the gate ------------------------------------------------------------------------------------------------

def gate(ctx, reasons) -> list[str]:
    """HOOKS["legal_review"]: the problems that forbid deciding a major case (empty: an approval of this
    very draft exists, dated no later than the decision)."""
    case = ctx.case
    why = "；".join(reasons)
    approval = valid_approval(case)
    if approval is None:
        last_approval = latest_approval(case)
        if last_approval is not None:
            return [f"法制审核通过后处罚决定草案已被修改（审核时摘要{last_approval.draft_sha256[:12]}…，现为"
                    f"{(case.draft_sha256 or '无')[:12]}…），须重新审核（行政处罚法第五十八条）"]
        problems = [f"本案属于重大执法决定（{why}），{GATE_RULE}"]
        subs = submissions_of(case)
        if subs:
            last = subs[-1]
            problems.append(f"第{last.round}次法制审核：{last.status_label}")
        else:
            problems.append("尚未提交法制审核")
        return problems
    if ctx.on < approval.decided_on:
        return [f"决定日期（{ctx.on.isoformat()}）早于法制审核通过日期（{approval.decided_on.isoformat()}），"
                f"{GATE_RULE}"]
    return []


# --- statistics for supervisors ---------------------------------------------------------------------------------

@dataclass
class AgencyStats:
    agency: object
    submissions: int = 0
    open: int = 0
    approved: int = 0
    returned: int = 0  #: returned for correction or as incomplete
    breaches: int = 0  #: reviews over the time limit (finished late, or open and overdue)
    reviewer_kpi: object = None

    @property
    def decided(self) -> int:
        return self.approved + self.returned

    @property
    def return_rate(self) -> float | None:
        return round(100.0 * self.returned / self.decided, 1) if self.decided else None


def stats(agencies, on: date | None = None) -> list[AgencyStats]:
    from app.officers.queries import agency_kpis

    on = on or today_china()
    kpis = {k.agency.id: k for k in agency_kpis(agencies, on)}
    out = []
    for agency in agencies:
        closures = closures_of(agency.id)
        row = AgencyStats(agency, reviewer_kpi=kpis.get(agency.id))
        subs = db.session.scalars(select(ReviewSubmission).where(ReviewSubmission.agency_id == agency.id,
                                                                 ReviewSubmission.status != S.superseded.value))
        for s in subs:
            row.submissions += 1
            state = S(s.status)
            if state in workflow.OPEN:
                row.open += 1
            elif state is S.approved:
                row.approved += 1
            elif state in (S.returned, S.returned_incomplete):
                row.returned += 1
            if clock(s, on, closures).overdue:
                row.breaches += 1
        out.append(row)
    return out
