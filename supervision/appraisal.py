"""评议考核 (appraisal, SPEC §14): per agency and year, the figures JL-Sup appraises, computed from the records
of the features that own them (no typed numbers), compared with the targets that are settings:

cases filed, decided and closed; cases that missed a deadline of the agency's own (超期); the legal-review
return rate; the 案卷评查 result of the rounds published in the year; the reconsideration correction rate,
the lawsuit loss rate and the head-appearance rate (remedies, SPEC §15); complaints received and upheld;
the share of certified officers who completed the year's training hours (JL-Cert, SPEC §5.5).

Reads only. Rendered as a page, an .xlsx workbook (openpyxl) and a PDF (WeasyPrint through app.pdf).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import extract, func, select

from app.auth.models import Agency
from app.extensions import db

#: Where each figure comes from, as the page, the workbook and the PDF cite it.
SOURCES = {
    "cases_filed": "立案日期在本年度的案件",
    "cases_decided": "作出决定日期在本年度的案件",
    "cases_closed": "结案日期在本年度的案件",
    "overdue_cases": "本年度到期的机关期限（作出决定、送达、备案、审批、结案、申请强制执行等；不含当事人的陈述申辩、"
                     "听证申请、催告和缴纳罚款期限）逾期履行或逾期未履行的案件",
    "review_return": "本年度审结的法制审核中退回（审核未通过、材料不全）的比例（重大执法决定法制审核制度）",
    "evaluation": "本年度发布的案卷评查中该机关案卷的平均分与等次（SPEC §10）",
    "reconsideration_correction": "行政复议纠错率＝（变更＋撤销＋确认违法＋确认无效＋责令履行）÷审结（行政复议法）",
    "lawsuit_loss": "行政诉讼败诉率＝败诉÷审结，以最终生效裁判计（行政诉讼法）",
    "head_appearance": "负责人出庭应诉率＝负责人出庭的庭次÷开庭庭次（行政诉讼法第三条）",
    "complaints": "本年度登记的投诉举报",
    "complaints_upheld": "本年度答复办结且属实或部分属实的投诉举报（吉林省行政执法监督条例）",
    "training": "持证执法人员中完成年度培训学时者的比例（吉林省行政执法证件管理办法，默认40学时）",
}

LABELS = {
    "cases_filed": "立案（件）", "cases_decided": "作出决定（件）", "cases_closed": "结案（件）",
    "overdue_cases": "超期案件（件）", "review_return": "法制审核退回率", "evaluation": "案卷评查",
    "reconsideration_correction": "行政复议纠错率", "lawsuit_loss": "行政诉讼败诉率",
    "head_appearance": "负责人出庭应诉率", "complaints": "投诉举报（件）", "complaints_upheld": "投诉属实（件）",
    "training": "年度培训达标率",
}


@dataclass
class Figure:
    key: str
    label: str
    #: A count, or the numerator of a rate.
    value: float | int | None = None
    #: The denominator of a rate (None for a count).
    denominator: int | None = None
    #: Display text when the figure is neither a count nor a rate (the 评查 grade).
    text: str | None = None
    #: "≤10.0%" / "≥90.0%" / "100%", or None when no target applies.
    target: str | None = None
    #: True / False against the target; None without a target or without data.
    meets: bool | None = None
    source: str = ""

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    @property
    def rate(self) -> float | None:
        if not self.is_rate or not self.denominator:
            return None
        return self.value / self.denominator

    @property
    def display(self) -> str:
        if self.text is not None:
            return self.text
        if self.is_rate:
            if not self.denominator:
                return "—（无数据）"
            return f"{self.rate * 100:.1f}%（{self.value}/{self.denominator}）"
        return "—" if self.value is None else f"{self.value:g}" if isinstance(self.value, float) else str(self.value)

    @property
    def verdict(self) -> str:
        return {True: "达标", False: "未达标", None: "—"}[self.meets]

    def to_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "value": self.value, "denominator": self.denominator,
                "rate": None if self.rate is None else round(self.rate, 4), "text": self.text,
                "display": self.display, "target": self.target, "meets": self.meets}


@dataclass
class AgencyAppraisal:
    agency: Agency
    year: int
    figures: dict[str, Figure] = field(default_factory=dict)

    @property
    def missed(self) -> list[str]:
        return [f.label for f in self.figures.values() if f.meets is False]


# --- figures, each from the feature that owns it ---------------------------------------------------------

def _count_by_agency(column, agency_column, ids, year, *where):
    rows = db.session.execute(select(agency_column, func.count()).where(
        agency_column.in_(ids), extract("year", column) == year, *where).group_by(agency_column))
    return dict(rows.all())


def _cases(ids, year):
    from cases.models import Case

    return {name: _count_by_agency(getattr(Case, column), Case.agency_id, ids, year)
            for name, column in (("cases_filed", "filed_on"), ("cases_decided", "decided_on"),
                                 ("cases_closed", "closed_on"))}


def _overdue(ids, year, today):
    """Cases with a deadline of the agency due in the year that was met late, or is unmet and past due
    while the case is open (a closed case's unmet window is moot, not missed)."""
    from cases import workflow
    from cases.models import Case, CaseDeadline
    from cases.services import PARTY_WINDOWS

    cutoff = min(today, date(year, 12, 31))
    # The party's periods are not the agency's duties: a late payment is the party's default (it runs the
    # surcharge), not an overdue case.
    not_duties = (*PARTY_WINDOWS, "payment")
    open_states = {s.value for s in workflow.OPEN_STATUSES}
    out: dict[int, set] = {}
    rows = db.session.execute(select(Case.agency_id, Case.id, Case.status, CaseDeadline.due_on, CaseDeadline.met_on)
                              .join(CaseDeadline, CaseDeadline.case_id == Case.id)
                              .where(Case.agency_id.in_(ids), CaseDeadline.kind.not_in(not_duties),
                                     extract("year", CaseDeadline.due_on) == year))
    for agency_id, case_id, status, due, met in rows:
        late = (met is not None and met > due) or (met is None and status in open_states and due < cutoff)
        if late:
            out.setdefault(agency_id, set()).add(case_id)
    return {a: len(s) for a, s in out.items()}


def _reviews(ids, year):
    from review.models import ReviewSubmission, SubmissionStatus

    returned = {SubmissionStatus.returned.value, SubmissionStatus.returned_incomplete.value}
    decided = returned | {SubmissionStatus.approved.value}
    out: dict[int, list[int]] = {}
    rows = db.session.execute(select(ReviewSubmission.agency_id, ReviewSubmission.status).where(
        ReviewSubmission.agency_id.in_(ids), ReviewSubmission.status.in_(decided),
        extract("year", ReviewSubmission.decided_on) == year))
    for agency_id, status in rows:
        pair = out.setdefault(agency_id, [0, 0])
        pair[0] += status in returned
        pair[1] += 1
    return out


def _evaluation(ids, year):
    """Every file of the agency in the rounds published in the year: mean score, grade, failing files."""
    from supervision.models.evaluation import EvaluationRound
    from supervision.services.evaluation import file_result, grade

    scores: dict[int, list] = {}
    failing: dict[int, int] = {}
    for rnd in db.session.scalars(select(EvaluationRound).where(EvaluationRound.status == "published",
                                                                extract("year", EvaluationRound.published_on) == year)):
        for f in rnd.files:
            if f.agency_id not in ids:
                continue
            r = file_result(f)
            if r.score is None:
                continue
            scores.setdefault(f.agency_id, []).append(r.score)
            failing[f.agency_id] = failing.get(f.agency_id, 0) + (r.grade == "不合格")
    out = {}
    for agency_id, values in scores.items():
        mean = round(sum(values) / len(values), 1)
        out[agency_id] = (mean, grade(mean), len(values), failing.get(agency_id, 0))
    return out


def _complaints(ids, year):
    from supervision.models.complaints import Complaint

    received = _count_by_agency(Complaint.received_on, Complaint.agency_id, ids, year)
    upheld = _count_by_agency(Complaint.replied_on, Complaint.agency_id, ids, year,
                              Complaint.outcome.in_(("upheld", "partly")))
    return received, upheld


def _training(ids, year):
    """Officers holding a certificate in force at some time of the year (issued by its end, expiring after
    its start): how many completed the year's hours (the annual inspection's condition)."""
    from app.officers import rules
    from app.officers.models import Certificate, Officer

    settings = rules.RuleSettings.from_config()
    start, end = date(year, 1, 1), date(year, 12, 31)
    officers = db.session.scalars(select(Officer).where(Officer.agency_id.in_(ids), Officer.id.in_(
        select(Certificate.officer_id).where(Certificate.issued_on <= end, Certificate.expires_on >= start)))).all()
    out: dict[int, list[int]] = {}
    for officer in officers:
        pair = out.setdefault(officer.agency_id, [0, 0])
        pair[0] += rules.training_hours(officer, year) + 1e-9 >= settings.training_hours
        pair[1] += 1
    return out, settings.training_hours


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def appraise(year: int, agency_ids, today: date) -> list[AgencyAppraisal]:
    """The appraisal of `year` for the agencies `agency_ids` (the caller's scope), in id order."""
    from remedies import queries as remedy_queries

    ids = sorted(set(agency_ids))
    agencies = db.session.scalars(select(Agency).where(Agency.id.in_(ids)).order_by(Agency.id)).all()
    if not agencies:
        return []
    cases = _cases(ids, year)
    overdue = _overdue(ids, year, today)
    reviews = _reviews(ids, year)
    evaluation = _evaluation(ids, year)
    received, upheld = _complaints(ids, year)
    training, hours = _training(ids, year)
    remedy_rates = {r.agency.id: r for r in remedy_queries.rates(year, ids)}
    targets = remedy_queries.targets()

    out = []
    for agency in agencies:
        a = AgencyAppraisal(agency, year)

        def put(key, **kw):
            a.figures[key] = Figure(key, LABELS[key], source=SOURCES[key], **kw)

        for key in ("cases_filed", "cases_decided", "cases_closed"):
            put(key, value=cases[key].get(agency.id, 0))
        put("overdue_cases", value=overdue.get(agency.id, 0))
        returned, decided = reviews.get(agency.id, (0, 0))
        put("review_return", value=returned, denominator=decided)
        if agency.id in evaluation:
            mean, grade_, files, failing = evaluation[agency.id]
            put("evaluation", value=mean, text=f"{grade_}（平均{mean:g}分，{files}卷，不合格{failing}卷）")
        else:
            put("evaluation", text="本年度未评查")
        rr = remedy_rates[agency.id]
        for key, rate, limit, upper in (
                ("reconsideration_correction", rr.reconsideration, targets["reconsideration_correction"], True),
                ("lawsuit_loss", rr.lawsuit, targets["lawsuit_loss"], True),
                ("head_appearance", rr.appearance, targets["head_appearance"], False)):
            meets = None
            if rate.denominator:
                meets = rate.value <= limit + 1e-12 if upper else rate.value + 1e-12 >= limit
            put(key, value=rate.numerator, denominator=rate.denominator,
                target=("≤" if upper else "≥") + _percent(limit), meets=meets)
        put("complaints", value=received.get(agency.id, 0))
        put("complaints_upheld", value=upheld.get(agency.id, 0))
        done, certified = training.get(agency.id, (0, 0))
        put("training", value=done, denominator=certified, target=f"100%（每人{hours:g}学时）",
            meets=(done == certified) if certified else None)
        out.append(a)
    return out


# --- exports ---------------------------------------------------------------------------------------------

def workbook(rows: list[AgencyAppraisal], year: int) -> bytes:
    """Sheet 1: one row per agency, one column per figure (numbers as numbers, rates as fractions with a
    percent format); sheet 2: the sources and targets."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from app.sheets import append_row

    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年度评议考核"
    keys = list(LABELS)
    header = ["执法主体"]
    for key in keys:
        header.append(LABELS[key])
        if key in ("review_return", "reconsideration_correction", "lawsuit_loss", "head_appearance", "training"):
            header.append(f"{LABELS[key]}（分子/分母）")
    header.append("未达标项")
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for a in rows:
        line = [a.agency.name]
        percent_columns = []
        for key in keys:
            f = a.figures[key]
            if f.is_rate:
                percent_columns.append(len(line) + 1)
                line.append(f.rate)
                line.append(f"{f.value}/{f.denominator}")
            elif key == "evaluation":
                line.append(f.text)
            else:
                line.append(f.value)
        line.append("、".join(a.missed) or "无")
        append_row(ws, line)
        for column in percent_columns:
            ws.cell(row=ws.max_row, column=column).number_format = "0.0%"
    ws.freeze_panes = "B2"
    for i in range(1, len(header) + 1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = 16
    ws.column_dimensions["A"].width = 30
    notes = wb.create_sheet("口径与目标")
    notes.append(["指标", "口径", "目标"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    sample = rows[0].figures if rows else {}
    for key in keys:
        append_row(notes, [LABELS[key], SOURCES[key], sample[key].target if key in sample and sample[key].target
                           else "—"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render_pdf(rows: list[AgencyAppraisal], year: int, *, issued_on: date, user=None) -> bytes:
    """The bulletin, headed by the user's supervision office (司法局) when they belong to one."""
    from app.pdf import render_pdf as to_pdf
    from supervision.services.hierarchy import office_of_user

    office = office_of_user(user) if user is not None else None
    return to_pdf("supervision/pdf/appraisal.html", rows=rows, year=year, labels=LABELS, sources=SOURCES,
                  agency_name=office.name if office is not None else "行政执法监督机关", title=f"{year}年度行政执法评议考核结果", issued_on=issued_on,
                  seal="none")


# --- the entry every edge calls ----------------------------------------------------------------------------

FIRST_YEAR = 2000


def parse_year(value, today: date) -> int:
    """The appraised year from a form, query string or CLI option; default: the current year."""
    from app.errors import InvalidInput

    if value in (None, ""):
        return today.year
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        year = None
    if year is None or not FIRST_YEAR <= year <= today.year:
        message = f"考核年度应为{FIRST_YEAR}至{today.year}之间的四位年份"
        raise InvalidInput(message, details={"fields": {"year": [message]}})
    return year


def for_user(user, year, today: date) -> tuple[int, list[AgencyAppraisal]]:
    """Supervisors appraise the agencies in their scope (SPEC §14: each office sees its own and lower
    levels); None as `user` is the CLI, which sees every agency."""
    from app.auth.scope import readable_agency_ids
    from app.errors import PermissionDenied
    from supervision import permissions

    year = parse_year(year, today)
    if user is not None and not permissions.is_supervisor(user):
        raise PermissionDenied("评议考核仅限执法监督人员（吉林省行政执法监督条例）")
    scope = None if user is None else readable_agency_ids(user)
    ids = db.session.scalars(select(Agency.id)).all() if scope is None else scope
    return year, appraise(year, ids, today)
