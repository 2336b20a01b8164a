"""Training (培训) and the unified examination (统一考试) of officers: the only code that writes them, the
yearly hours, and the all-or-nothing import of training records from a sheet. The certificate rules read
them (`rules.exam_failure` before issuing, `rules.hours_failure` before passing an annual inspection).
Services flush; the caller commits. Every record is entered in the ledger."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from app.auth.models import Agency
from app.errors import InvalidInput
from app.extensions import db
from app.officers import rules, sheets
from app.officers.models import TRAINING_LABELS, Examination, Officer, TrainingKind, TrainingRecord
from app.officers.services import SheetInvalid, _guard
from app.timeutil import today_china

TRAINING_COLUMNS = ["姓名", "执法主体", "身份证号", "培训类型", "课程名称", "培训机构", "完成日期", "学时"]
REQUIRED = ["姓名", "执法主体", "培训类型", "课程名称", "完成日期", "学时"]
MAX_HOURS = Decimal("200")


def _invalid(field, message):
    return InvalidInput(message, details={"fields": {field: [message]}})


def _ledger(kind, officer, payload):
    from app.ledger.services import append

    append(kind, f"officer:{officer.id}", payload)


def _kind(value) -> TrainingKind | None:
    value = (value or "").strip() if isinstance(value, str) else value
    for member, label in TRAINING_LABELS.items():
        if value in (member, member.value, label):
            return member
    return None


def _hours(value) -> Decimal | None:
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS:
        return None
    return hours.quantize(Decimal("0.1"))


def _day(value, field, label, today):
    try:
        day = sheets.parse_date(value)
    except ValueError as err:
        raise _invalid(field, str(err)) from None
    if day is None:
        raise _invalid(field, f"请填写{label}")
    if day > today:
        raise _invalid(field, f"{label}不得晚于今天")
    return day


def record_training(officer, data: dict, *, actor=None, today: date | None = None) -> TrainingRecord:
    """A course and its hours (学时)."""
    _guard(actor)
    today = today or today_china()
    kind = _kind(data.get("kind"))
    if kind is None:
        raise _invalid("kind", "培训类型应为：" + "、".join(TRAINING_LABELS.values()))
    course = (data.get("course") or "").strip()
    if not course or len(course) > 200:
        raise _invalid("course", "请填写课程名称（不超过200个字符）")
    hours = _hours(data.get("hours"))
    if hours is None:
        raise _invalid("hours", f"学时应为大于0且不超过{MAX_HOURS}的数字")
    completed_on = _day(data.get("completed_on"), "completed_on", "完成日期", today)
    record = TrainingRecord(officer=officer, kind=kind.value, course=course, hours=hours,
                            provider=(data.get("provider") or "").strip()[:120], completed_on=completed_on)
    db.session.add(record)
    db.session.flush()
    _ledger("officer.training", officer, {"training_id": record.id, "kind": kind.value, "course": course,
                                          "hours": str(hours), "completed_on": completed_on,
                                          "provider": record.provider,
                                          "actor": actor.username if actor else None})
    return record


def record_examination(officer, data: dict, *, actor=None, today: date | None = None) -> Examination:
    """The unified examination: date, score and whether it was passed (the organiser's pass mark)."""
    _guard(actor)
    today = today or today_china()
    taken_on = _day(data.get("taken_on"), "taken_on", "考试日期", today)
    try:
        score = Decimal(str(data.get("score")).strip())
        if not score.is_finite() or score < 0 or score > 1000:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise _invalid("score", "考试成绩应为0至1000之间的数字") from None
    passed = data.get("passed")
    if isinstance(passed, str):
        passed = passed.strip().lower() in ("1", "true", "yes", "on", "是", "合格", "通过")
    if passed is None:
        raise _invalid("passed", "请填写是否合格")
    exam = Examination(officer=officer, taken_on=taken_on, score=score.quantize(Decimal("0.1")), passed=bool(passed),
                       organiser=(data.get("organiser") or "").strip()[:120])
    db.session.add(exam)
    db.session.flush()
    _ledger("officer.examination", officer, {"examination_id": exam.id, "taken_on": taken_on, "score": str(exam.score),
                                             "passed": exam.passed, "organiser": exam.organiser,
                                             "actor": actor.username if actor else None})
    return exam


@dataclass
class YearHours:
    year: int
    hours: float
    required: float

    @property
    def enough(self) -> bool:
        return self.hours + 1e-9 >= self.required


def hours_by_year(officer) -> list[YearHours]:
    required = rules.RuleSettings.from_config().training_hours
    years = sorted({t.completed_on.year for t in officer.trainings}, reverse=True)
    return [YearHours(y, rules.training_hours(officer, y), required) for y in years]


# --- import ---------------------------------------------------------------------------------------------

def import_sheet(filename: str, data: bytes, *, actor=None, today: date | None = None) -> int:
    """Import training records from .xlsx/.csv. Every row is checked first; one wrong cell and nothing is
    imported: SheetInvalid lists each (row, column, reason)."""
    _guard(actor)
    today = today or today_china()
    headers, rows = sheets.read_rows(filename, data)
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        raise SheetInvalid("表格缺少必填列：" + "、".join(missing),
                           details={"rows": [{"row": 1, "column": c, "message": "缺少该列"} for c in missing]})
    if not rows:
        raise SheetInvalid("表格中没有数据行", details={"rows": []})
    agencies = {}
    for agency in db.session.scalars(select(Agency)):
        agencies[agency.name] = agencies[agency.short_name] = agency
    errors, plans = [], []
    for number, raw in rows:
        v = {k: sheets.text(val) for k, val in raw.items()}

        def error(column, message):
            errors.append({"row": number, "column": column, "message": message})

        agency = agencies.get(v.get("执法主体", ""))
        if agency is None:
            error("执法主体", f"执法主体“{v.get('执法主体', '')}”不存在")
        officer = None
        if agency is not None and v.get("姓名"):
            stmt = select(Officer).where(Officer.agency_id == agency.id, Officer.name == v["姓名"])
            if v.get("身份证号"):
                from app.validators import normalize_id_number

                stmt = select(Officer).where(Officer.agency_id == agency.id,
                                             Officer.id_number == normalize_id_number(v["身份证号"]))
            found = db.session.scalars(stmt).all()
            if len(found) == 1:
                officer = found[0]
            elif not found:
                error("姓名", f"{agency.name}没有执法人员“{v['姓名']}”")
            else:
                error("身份证号", f"{agency.name}有{len(found)}名执法人员名为“{v['姓名']}”，请填写身份证号")
        elif not v.get("姓名"):
            error("姓名", "姓名不能为空")
        kind = _kind(v.get("培训类型"))
        if kind is None:
            error("培训类型", "培训类型应为：" + "、".join(TRAINING_LABELS.values()))
        if not v.get("课程名称") or len(v["课程名称"]) > 200:
            error("课程名称", "课程名称不能为空且不超过200个字符")
        hours = _hours(raw.get("学时"))
        if hours is None:
            error("学时", f"学时应为大于0且不超过{MAX_HOURS}的数字")
        try:
            completed_on = sheets.parse_date(raw.get("完成日期"))
        except ValueError as err:
            completed_on = None
            error("完成日期", str(err))
        else:
            if completed_on is None:
                error("完成日期", "完成日期不能为空")
            elif completed_on > today:
                error("完成日期", "完成日期不得晚于今天")
        plans.append((officer, {"kind": kind, "course": v.get("课程名称", ""), "provider": v.get("培训机构", ""),
                                "hours": hours, "completed_on": completed_on}))
    if errors:
        bad = sorted({e["row"] for e in errors})
        raise SheetInvalid(f"表格有{len(errors)}处错误（第{'、'.join(map(str, bad))}行），未导入任何数据",
                           details={"rows": errors})
    for officer, data in plans:
        record_training(officer, data, actor=actor, today=today)
    return len(plans)
