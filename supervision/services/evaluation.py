"""Case-file evaluation (案卷评查, SPEC §10, §13): a round (period, agencies, sample rule, sheet), each
agency's sample drawn verifiably with `app.draws` (parameters in the ledger first, seed from the next signed
checkpoint, recomputable by anyone: `python -m app.draws BUNDLE.json --key KEY`), two evaluators per file,
100-point sheets with automatic-fail items, per-agency grades, the 通报 bulletin PDF and a rectification
task for every failing file. Each file is frozen at the draw's checkpoint: `integrity(file)` shows from the
ledger that no entry of the case was added after it (what was evaluated is what was drawn).
"""
from __future__ import annotations

import copy
import io
import math
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.auth.models import Agency, User
from app.auth.permissions import ensure
from app.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from app.extensions import db
from app.ledger.models import LedgerEntry
from app.timeutil import today_china
from supervision import permissions
from supervision.models.evaluation import EvaluationFile, EvaluationRound, EvaluationSheet
from supervision.services.common import actor_name, as_date, invalid, ledger, setting, text

#: The default 100-point sheet (a typical 吉林省行政执法案卷评查标准 layout); a round may bring its own.
DEFAULT_SHEET = {
    "items": [
        {"code": "agency", "label": "执法主体合法、执法人员具备执法资格", "points": 10},
        {"code": "facts", "label": "事实清楚，证据确实充分", "points": 25},
        {"code": "law", "label": "适用法律、法规、规章正确", "points": 15},
        {"code": "procedure", "label": "程序合法（立案、调查、告知、听证、审核、决定、送达）", "points": 25},
        {"code": "discretion", "label": "裁量适当，符合裁量基准", "points": 10},
        {"code": "documents", "label": "执法文书规范完整", "points": 10},
        {"code": "archive", "label": "案卷装订归档规范", "points": 5},
    ],
    #: SPEC §10: any of these fails the file whatever its score.
    "auto_fail": [
        {"code": "unclear_facts", "label": "主要事实不清、证据不足"},
        {"code": "wrong_law", "label": "适用依据错误"},
        {"code": "procedure_violation", "label": "违反法定程序"},
        {"code": "beyond_powers", "label": "超越职权"},
        {"code": "unlawful_agency", "label": "执法主体不合法"},
        {"code": "unqualified_officers", "label": "执法人员无执法资格或者不足两人"},
    ],
}
CLOSED_STATUSES = ("closed", "archived")
#: Ledger entry kinds about a case that are bookkeeping, not content of the file (retention schedule).
NON_CONTENT_KINDS = ("recording.retention",)


def grade(score, failed_auto: bool = False) -> str:
    """SPEC §10: <60 不合格, 60–74 合格, 75–89 良好, ≥90 优秀; an automatic-fail item: 不合格 whatever the score."""
    if failed_auto or score is None or score < 60:
        return "不合格"
    if score < 75:
        return "合格"
    if score < 90:
        return "良好"
    return "优秀"


def check_sheet(sheet) -> dict:
    if not isinstance(sheet, dict) or not isinstance(sheet.get("items"), list) or not sheet["items"]:
        raise invalid("sheet", "评查表应列出评分项目")
    codes, total = set(), 0
    items = []
    for item in sheet["items"]:
        try:
            code, label, points = str(item["code"]).strip(), str(item["label"]).strip(), int(item["points"])
        except (KeyError, TypeError, ValueError):
            raise invalid("sheet", "每个评分项目应有编码、名称和分值") from None
        if not code or not label or points <= 0 or code in codes:
            raise invalid("sheet", f"评分项目“{label or code}”的编码重复或分值无效")
        codes.add(code)
        total += points
        items.append({"code": code, "label": label, "points": points})
    if total != 100:
        raise invalid("sheet", f"评查表各项分值合计应为100分（现为{total}分，SPEC §10）")
    auto = []
    for item in sheet.get("auto_fail") or []:
        try:
            code, label = str(item["code"]).strip(), str(item["label"]).strip()
        except (KeyError, TypeError):
            raise invalid("sheet", "否决项应有编码和名称") from None
        if not code or code in codes:
            raise invalid("sheet", f"否决项“{label}”的编码重复")
        codes.add(code)
        auto.append({"code": code, "label": label})
    return {"items": items, "auto_fail": auto}


def sample_size(population: int, percent: int, minimum: int) -> int:
    """SPEC §10: at least `percent`% of the population and at least `minimum`, never more than there are."""
    return min(population, max(math.ceil(population * percent / 100), minimum))


def _guard(actor, agency_ids, what):
    if actor is not None:
        ensure(permissions.is_supervisor(actor) and all(permissions.sees_agency(actor, a) for a in agency_ids),
               f"{what}仅限负责监督相关执法部门的执法监督人员")


def create_round(*, title, period_from, period_to, agency_ids, evaluator_ids, sample_percent=None,
                 sample_min=None, sheet=None, actor=None) -> EvaluationRound:
    title = text(title, "title", "评查名称", max_len=200)
    period_from = as_date(period_from, "period_from", "评查期间起始日期")
    period_to = as_date(period_to, "period_to", "评查期间截止日期")
    if period_to < period_from:
        raise invalid("period_to", "截止日期不得早于起始日期")
    try:
        agency_ids = sorted({int(a) for a in agency_ids or ()})
        evaluator_ids = sorted({int(u) for u in evaluator_ids or ()})
    except (TypeError, ValueError):
        raise invalid("agency_ids", "执法部门或评查人员编号无效") from None
    if not agency_ids:
        raise invalid("agency_ids", "请选择被评查的执法部门")
    if len(db.session.scalars(select(Agency.id).where(Agency.id.in_(agency_ids))).all()) != len(agency_ids):
        raise invalid("agency_ids", "被评查的执法部门不存在")
    _guard(actor, agency_ids, "组织案卷评查")
    evaluators = [db.session.get(User, u) for u in evaluator_ids]
    if len(evaluators) < 2 or any(u is None or not permissions.is_supervisor(u) for u in evaluators):
        raise invalid("evaluator_ids", "每份案卷须由两名评查人员评查：请至少选择两名执法监督人员")
    percent = int(sample_percent if sample_percent not in (None, "") else setting("EVALUATION_SAMPLE_PERCENT"))
    minimum = int(sample_min if sample_min not in (None, "") else setting("EVALUATION_SAMPLE_MIN"))
    if percent < setting("EVALUATION_SAMPLE_PERCENT") or minimum < setting("EVALUATION_SAMPLE_MIN") or percent > 100:
        raise invalid("sample_percent", f"抽取比例不得低于{setting('EVALUATION_SAMPLE_PERCENT')}%，"
                                        f"且每个部门不少于{setting('EVALUATION_SAMPLE_MIN')}件（SPEC §10）")
    from supervision.services.hierarchy import office_of_user

    office = office_of_user(actor) if actor is not None else None
    rnd = EvaluationRound(title=title, period_from=period_from, period_to=period_to, agency_ids=agency_ids,
                          evaluator_ids=evaluator_ids, sample_percent=percent, sample_min=minimum,
                          sheet=check_sheet(copy.deepcopy(sheet) if sheet else DEFAULT_SHEET),
                          office_id=office.id if office else None, created_by_id=getattr(actor, "id", None))
    db.session.add(rnd)
    db.session.flush()
    ledger("evaluation.round", f"evaluation:{rnd.id}", {
        "title": title, "period_from": period_from, "period_to": period_to, "agency_ids": agency_ids,
        "sample_percent": percent, "sample_min": minimum, "sheet": rnd.sheet, "actor": actor_name(actor)})
    return rnd


def population(rnd, agency_id) -> list[int]:
    """Closed cases of the agency whose closing date is in the round's period."""
    from cases.models import Case

    return list(db.session.scalars(select(Case.id).where(
        Case.agency_id == agency_id, Case.status.in_(CLOSED_STATUSES), Case.closed_on >= rnd.period_from,
        Case.closed_on <= rnd.period_to).order_by(Case.id)))


def _case_last_seq(case_id, before_size) -> int | None:
    return db.session.scalar(select(func.max(LedgerEntry.seq)).where(
        LedgerEntry.subject == f"case:{case_id}", LedgerEntry.seq < before_size))


def draw(rnd, *, actor=None, on=None) -> list[EvaluationFile]:
    """Draw every agency's sample (one verifiable draw per agency) and assign two evaluators per file."""
    from app.draws.services import perform_draw

    _guard(actor, rnd.agency_ids, "抽取评查案卷")
    if rnd.status != "draft":
        raise InvalidTransition("该评查已抽取案卷，不能重新抽取（抽取结果以台账为准）")
    evaluators = list(rnd.evaluator_ids)
    made, n = [], 0
    for agency_id in rnd.agency_ids:
        ids = population(rnd, agency_id)
        if not ids:
            continue
        k = sample_size(len(ids), rnd.sample_percent, rnd.sample_min)
        agency = db.session.get(Agency, agency_id)
        d = perform_draw(f"案卷评查：{rnd.title}（{agency.name}）", [str(i) for i in ids], k,
                         subject=f"evaluation:{rnd.id}", agency_id=agency_id, actor=actor,
                         context={"round_id": rnd.id, "agency_id": agency_id, "period_from": rnd.period_from.isoformat(),
                                  "period_to": rnd.period_to.isoformat(),
                                  "rule": f"max(ceil({rnd.sample_percent}% x N), {rnd.sample_min})"})
        for case_id in d.selected:
            e1, e2 = evaluators[n % len(evaluators)], evaluators[(n + 1) % len(evaluators)]
            n += 1
            f = EvaluationFile(round=rnd, agency_id=agency_id, case_id=int(case_id), draw_id=d.id,
                               checkpoint_size=d.checkpoint_size,
                               case_last_seq=_case_last_seq(int(case_id), d.checkpoint_size),
                               evaluator1_id=e1, evaluator2_id=e2)
            db.session.add(f)
            made.append(f)
    if not made:
        raise InvalidInput("评查期间内所选执法部门没有已结案的案件，无可抽取的案卷")
    rnd.status = "drawn"
    rnd.drawn_on = as_date(on or today_china(), "on", "抽取日期")
    db.session.flush()
    ledger("evaluation.drawn", f"evaluation:{rnd.id}", {
        "files": [{"case_id": f.case_id, "draw_id": f.draw_id, "checkpoint_size": f.checkpoint_size,
                   "case_last_seq": f.case_last_seq} for f in made], "actor": actor_name(actor)})
    return made


def submit_sheet(file, *, deductions, auto_fail=(), comment="", actor=None, on=None) -> EvaluationSheet:
    """An evaluator's sheet: points deducted per item (0..item points), automatic-fail items marked."""
    rnd = file.round
    if rnd.status != "drawn":
        raise InvalidTransition("该评查不在评查阶段，不能提交评查表")
    if actor is not None:
        ensure(actor.id in (file.evaluator1_id, file.evaluator2_id), "只有分配给该案卷的两名评查人员可以提交评查表")
    evaluator_id = getattr(actor, "id", None) or file.evaluator1_id
    items = {i["code"]: i for i in rnd.sheet["items"]}
    auto_codes = {i["code"] for i in rnd.sheet.get("auto_fail", [])}
    clean = {}
    for code, value in (deductions or {}).items():
        if code not in items:
            raise invalid("deductions", f"评查表没有编码为“{code}”的项目")
        try:
            value = Decimal(str(value or 0))
        except ArithmeticError:
            raise invalid("deductions", f"“{items[code]['label']}”的扣分无效") from None
        if value < 0 or value > items[code]["points"]:
            raise invalid("deductions", f"“{items[code]['label']}”扣分应在0至{items[code]['points']}分之间")
        if value:
            clean[code] = float(value)
    marked = sorted({str(c) for c in auto_fail or ()})
    if any(c not in auto_codes for c in marked):
        raise invalid("auto_fail", "否决项编码无效")
    score = Decimal(100) - sum(Decimal(str(v)) for v in clean.values())
    if db.session.scalar(select(EvaluationSheet.id).where(EvaluationSheet.file_id == file.id,
                                                          EvaluationSheet.evaluator_id == evaluator_id)):
        raise Conflict("您已提交该案卷的评查表")
    sheet = EvaluationSheet(deductions=clean, auto_fail=marked, score=score, evaluator_id=evaluator_id,
                            comment=text(comment, "comment", "评查意见", required=bool(clean or marked), max_len=5000),
                            submitted_on=as_date(on or today_china(), "on", "评查日期"))
    file.sheets.append(sheet)
    db.session.flush()
    sheet.ledger_seq = ledger("evaluation.sheet", f"evaluation:{rnd.id}", {
        "file_id": file.id, "case_id": file.case_id, "evaluator_id": evaluator_id, "deductions": clean,
        "auto_fail": marked, "score": str(score), "actor": actor_name(actor)}).seq
    return sheet


@dataclass
class FileResult:
    file: EvaluationFile
    score: float | None
    auto_fail: list = field(default_factory=list)
    grade: str = ""
    complete: bool = False


def file_result(file) -> FileResult:
    sheets = file.sheets
    if not sheets:
        return FileResult(file, None, [], "", False)
    score = round(sum(float(s.score) for s in sheets) / len(sheets), 1)
    labels = {i["code"]: i["label"] for i in file.round.sheet.get("auto_fail", [])}
    marked = sorted({c for s in sheets for c in s.auto_fail})
    return FileResult(file, score, [labels.get(c, c) for c in marked], grade(score, bool(marked)), len(sheets) >= 2)


@dataclass
class AgencyResult:
    agency: Agency
    files: int
    score: float | None
    grade: str
    failing: int


def agency_results(rnd) -> list[AgencyResult]:
    out = []
    for agency_id in rnd.agency_ids:
        results = [file_result(f) for f in rnd.files if f.agency_id == agency_id]
        scored = [r.score for r in results if r.score is not None]
        mean = round(sum(scored) / len(scored), 1) if scored else None
        failing = sum(1 for r in results if r.grade == "不合格")
        out.append(AgencyResult(db.session.get(Agency, agency_id), len(results), mean,
                                grade(mean) if mean is not None else "—", failing))
    return out


def integrity(file) -> dict:
    """What the ledger says about the file since the draw: entries of the case after the draw's checkpoint
    (content changes; retention bookkeeping is listed apart), and whether the case's last entry at the draw
    is proven included in that signed checkpoint."""
    from app.ledger import merkle, services as ledger_services
    from app.ledger.models import LedgerCheckpoint

    later = list(db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.subject == f"case:{file.case_id}", LedgerEntry.seq >= file.checkpoint_size)
        .order_by(LedgerEntry.seq)))
    changes = [e for e in later if e.kind not in NON_CONTENT_KINDS]
    proven = None
    if file.case_last_seq is not None:
        cp = db.session.scalar(select(LedgerCheckpoint).where(LedgerCheckpoint.tree_size == file.checkpoint_size))
        entry = db.session.get(LedgerEntry, file.case_last_seq)
        proof = ledger_services.inclusion_proof(file.case_last_seq, file.checkpoint_size)
        proven = cp is not None and merkle.verify_inclusion(
            file.case_last_seq, file.checkpoint_size, merkle.leaf_hash(entry.body.encode("utf-8")), proof,
            bytes.fromhex(cp.root_hash))
    return {"unchanged": not changes, "changes": [(e.seq, e.kind) for e in changes],
            "bookkeeping": [(e.seq, e.kind) for e in later if e.kind in NON_CONTENT_KINDS],
            "checkpoint_size": file.checkpoint_size, "case_last_seq": file.case_last_seq, "proven": proven}


def publish(rnd, *, actor=None, on=None) -> EvaluationRound:
    """通报: every file needs both sheets; renders and stores the bulletin PDF, enters it in the ledger and
    issues a rectification notice for every failing file."""
    from supervision.services import rectification

    _guard(actor, rnd.agency_ids, "发布评查通报")
    if rnd.status != "drawn":
        raise InvalidTransition("只有评查中的评查可以发布通报")
    results = [file_result(f) for f in rnd.files]
    missing = [r.file for r in results if not r.complete]
    if missing:
        raise InvalidTransition(f"还有{len(missing)}份案卷未完成两名评查人员的评查（SPEC §10），不能发布通报",
                                details={"files": [f.id for f in missing]})
    on = as_date(on or today_china(), "on", "通报日期")
    rnd.published_on = on
    count = db.session.scalar(select(func.count()).select_from(EvaluationRound).where(
        EvaluationRound.bulletin_number.like(f"评查通报〔{on.year}〕%"))) or 0
    rnd.bulletin_number = f"评查通报〔{on.year}〕{count + 1}号"
    for r in results:
        if r.grade != "不合格":
            continue
        comments = [s.comment for s in r.file.sheets if s.comment]
        findings = [f"案件{r.file.case.number or r.file.case_id}评查不合格（{r.score}分）"
                    + (f"，否决项：{'、'.join(r.auto_fail)}" if r.auto_fail else "")] + comments
        rect = rectification.issue(agency=r.file.agency, findings=findings, source=f"evaluation_file:{r.file.id}",
                                   on=on, actor=actor)
        r.file.rectification_id = rect.id
    pdf = render_bulletin(rnd)
    from app.storage import get_store

    stored = get_store().put(io.BytesIO(pdf), key=f"supervision/evaluation/{uuid.uuid4().hex}/bulletin.pdf",
                             content_type="application/pdf")
    rnd.bulletin_key, rnd.bulletin_sha256 = stored.key, stored.sha256
    rnd.status = "published"
    rnd.bulletin_ledger_seq = ledger("evaluation.published", f"evaluation:{rnd.id}", {
        "bulletin_number": rnd.bulletin_number, "bulletin_sha256": stored.sha256, "on": on,
        "agencies": [{"agency_id": a.agency.id, "score": a.score, "grade": a.grade, "failing": a.failing}
                     for a in agency_results(rnd)],
        "actor": actor_name(actor)}).seq
    db.session.flush()
    return rnd


def render_bulletin(rnd) -> bytes:
    from app.pdf import render_pdf

    return render_pdf("supervision/pdf/evaluation_bulletin.html", rnd=rnd, results=[file_result(f) for f in rnd.files],
                      agencies=agency_results(rnd), integrity={f.id: integrity(f) for f in rnd.files},
                      agency_name=rnd.office.name if rnd.office else "行政执法监督机构",
                      title="行政执法案卷评查情况通报", doc_number=rnd.bulletin_number, issued_on=rnd.published_on)


def bulletin_pdf(rnd) -> bytes:
    from app.storage import get_store

    if not rnd.bulletin_key:
        raise NotFound("评查通报尚未发布")
    return b"".join(get_store().open(rnd.bulletin_key))


def get(round_id) -> EvaluationRound:
    rnd = db.session.get(EvaluationRound, round_id)
    if rnd is None:
        raise NotFound("未找到该评查")
    return rnd


def can_view(user, rnd) -> bool:
    return permissions.is_supervisor(user) and all(permissions.sees_agency(user, a) for a in rnd.agency_ids)


def ensure_can_view(user, rnd):
    if not can_view(user, rnd):
        raise NotFound("未找到该评查")


def get_file(rnd, file_id) -> EvaluationFile:
    f = db.session.get(EvaluationFile, file_id)
    if f is None or f.round_id != rnd.id:
        raise NotFound("未找到该案卷")
    return f


def visible_rounds(user) -> list[EvaluationRound]:
    rows = db.session.scalars(select(EvaluationRound).order_by(EvaluationRound.id.desc()).limit(200))
    return [r for r in rows if can_view(user, r)]


def latest_grades(agency_ids) -> dict[int, str]:
    """For the dashboard: each agency's grade in the latest published round that evaluated it."""
    out: dict[int, str] = {}
    for rnd in db.session.scalars(select(EvaluationRound).where(EvaluationRound.status == "published")
                                  .order_by(EvaluationRound.published_on.desc(), EvaluationRound.id.desc())):
        for a in agency_results(rnd):
            if a.agency.id in agency_ids and a.agency.id not in out and a.score is not None:
                out[a.agency.id] = f"{a.grade}（{a.score}分）"
    return out
