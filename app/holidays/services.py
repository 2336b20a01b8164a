"""Importing a year's official holiday arrangement (SPEC §16) and feeding it to `app.calendar`.

Formats (the same content through the file upload, the web form, the JSON API and `flask calendar import`):

JSON (UTF-8)::

    {"year": 2027,
     "source": "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕9号）",
     "holidays": [{"name": "元旦", "date": "2027-01-01"},
                  {"name": "春节", "from": "2027-02-06", "to": "2027-02-13"}],
     "workdays": [{"name": "春节调休上班", "date": "2027-02-14"}]}

  ``holidays`` are the statutory rest days (放假, weekend days inside a holiday included or not, as the
  notice lists them); ``workdays`` are the weekend days that are working days (调休上班). An entry is
  {"date"} or {"from", "to"} (both inclusive) with an optional "name", or a bare "YYYY-MM-DD" string.

CSV (UTF-8, header row ``date,type,name`` or ``日期,类型,名称``)::

    date,type,name
    2027-01-01,holiday,元旦
    2027-02-06~2027-02-13,holiday,春节
    2027-02-14,workday,春节调休上班

  ``type`` is holiday/放假 or workday/上班/调休上班; a date may be a range ``from~to``. The year and the
  source are given beside the file (form fields, ``--year``/``--source`` in the CLI).

Everything is checked before anything is written: every date in the year, a make-up working day is a
Saturday or Sunday, no day both off and on. An import identical to the one in force changes nothing.
An import is entered in the ledger (``calendar.imported``), becomes the year's calendar at once, and the
hooks in CALENDAR_CHANGED_HOOKS (registered by features holding deadlines, e.g. cases) recompute what
depends on it; their summaries are kept on the import row.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import g, has_app_context, has_request_context
from sqlalchemy import select

from app import calendar
from app.auth.models import Role
from app.errors import InvalidInput, PermissionDenied
from app.extensions import db
from app.holidays.models import HolidayCalendar
from app.ledger.canonical import canonical_json
from app.ledger.services import append as ledger_append

#: Callables (year, calendar_row, actor) -> dict summary, run in the import's transaction.
CALENDAR_CHANGED_HOOKS: list = []

MIN_YEAR, MAX_YEAR = 2000, 2100
_HOLIDAY_WORDS = {"holiday", "放假", "休", "休息", "rest"}
_WORKDAY_WORDS = {"workday", "上班", "调休上班", "调休", "work"}
_PERMISSION_MESSAGE = "只有执法监督机构（司法局）人员或系统管理员可以导入法定节假日安排（SPEC §16）"


def can_import_calendar(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.has_role(Role.supervisor,
                                                                                             Role.admin)


# --- the provider that app.calendar consults -------------------------------------------------------------

def year_calendar(year: int) -> calendar.YearCalendar | None:
    """The imported arrangement in force for `year`, cached per application context (one query a year)."""
    if not has_app_context():
        return None
    cache = g.setdefault("_holiday_calendars", {})
    if year not in cache:
        row = current(year)
        cache[year] = None if row is None else calendar.YearCalendar(
            year=row.year, holidays=frozenset(date.fromisoformat(h["date"]) for h in row.holidays),
            workdays=frozenset(date.fromisoformat(w["date"]) for w in row.workdays),
            source=row.source, sha256=row.sha256)
    return cache[year]


#: The warning of the web banner (.banner.calendar-warning), in words the CLI prints too.
MISSING_WARNING = ("⚠ 日历缺失：{years}年的法定节假日安排尚未导入。{where}落在该年度的期限按周一至周五计算，"
                   "未计入法定节假日和调休，可能有误（SPEC §9、§16）。请执法监督机构导入国务院办公厅公布的放假安排")


def missing_warning(years, where="本页") -> str:
    return MISSING_WARNING.format(years="、".join(str(y) for y in years), where=where)


def note_missing_year(year: int) -> None:
    """app.calendar listener: remember, for this request (or CLI command), that a date in `year` was computed
    Mon–Fri. In a CLI command, the warning is printed to stderr when the command ends, as the web shows it."""
    if has_app_context():
        seen = g.setdefault("_calendar_missing", set())
        seen.add(year)
        if not has_request_context():
            _warn_cli(seen)


def _warn_cli(seen: set) -> None:
    import click

    ctx = click.get_current_context(silent=True)
    if ctx is None or ctx.meta.get("calendar_warning"):
        return
    ctx.meta["calendar_warning"] = True  # meta is shared by the whole invocation: one warning per command
    ctx.call_on_close(lambda: click.echo(
        missing_warning(sorted(seen), "本次命令中") + "（flask calendar import <文件>）。", err=True))


def missing_years_seen() -> list[int]:
    """Years without a calendar that this request computed or showed deadlines in (for the warning)."""
    return sorted(g.get("_calendar_missing", ())) if has_app_context() else []


def _forget_cache():
    if has_app_context():
        g.pop("_holiday_calendars", None)


def current(year: int) -> HolidayCalendar | None:
    return db.session.scalar(select(HolidayCalendar).where(HolidayCalendar.year == year)
                             .order_by(HolidayCalendar.id.desc()).limit(1))


def history(year: int | None = None) -> list[HolidayCalendar]:
    stmt = select(HolidayCalendar).order_by(HolidayCalendar.year.desc(), HolidayCalendar.id.desc())
    if year is not None:
        stmt = stmt.where(HolidayCalendar.year == year)
    return list(db.session.scalars(stmt))


@dataclass
class YearStatus:
    year: int
    source: str | None  #: "imported", "package" or None (Monday–Friday fallback)
    row: HolidayCalendar | None = None

    @property
    def label(self) -> str:
        return {"imported": "已导入", "package": "内置（chinesecalendar）"}.get(self.source, "缺失：按周一至周五计算")


def years_status(today: date, before: int = 1, after: int = 2) -> list[YearStatus]:
    """Calendar coverage around `today` (last year to two years ahead), for the supervisor's page."""
    out = []
    for year in range(today.year - before, today.year + after + 1):
        out.append(YearStatus(year, calendar.calendar_source(year), current(year)))
    return out


_PACKAGE_NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
                  "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
                  "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日"}


def year_in_force(year: int) -> dict:
    """The arrangement that counts for `year`: the newest import, else the package's, else none."""
    row = current(year)
    if row is not None:
        return {"year": year, "source": calendar.IMPORTED, "notice": row.source, "holidays": row.holidays,
                "workdays": row.workdays, "imports": history(year)}
    if calendar.package_covers(year):
        import chinese_calendar

        def days(table):
            return [{"date": d.isoformat(), "name": _PACKAGE_NAMES.get(str(n), str(n))}
                    for d, n in sorted(table.items()) if d.year == year]

        return {"year": year, "source": calendar.PACKAGE, "notice": "chinesecalendar", "imports": [],
                "holidays": days(chinese_calendar.holidays), "workdays": days(chinese_calendar.workdays)}
    return {"year": year, "source": None, "notice": None, "holidays": [], "workdays": [], "imports": []}


def missing_years_ahead(today: date) -> list[int]:
    """This year and next year when they have no calendar: deadlines routinely run into the next year."""
    return [y for y in (today.year, today.year + 1) if not calendar.calendar_known(y)]


# --- parsing --------------------------------------------------------------------------------------------

def _parse_day(text, where, errors):
    try:
        return date.fromisoformat(str(text).strip())
    except (TypeError, ValueError):
        errors.append(f"{where}：日期“{text}”格式应为YYYY-MM-DD")
        return None


def _expand(entry, where, errors) -> list[tuple[date, str]]:
    """One entry -> [(day, name)]: "YYYY-MM-DD", "from~to", {"date"} or {"from","to"}, optional "name"."""
    if isinstance(entry, str):
        entry = {"date": entry}
    if not isinstance(entry, dict):
        errors.append(f"{where}：应为日期或{{date, name}}")
        return []
    name = str(entry.get("name") or "").strip()[:40]
    if entry.get("date") not in (None, ""):
        text = str(entry["date"]).strip()
        if "~" in text:
            first, _, last = text.partition("~")
            entry = {"from": first, "to": last}
        else:
            day = _parse_day(text, where, errors)
            return [(day, name)] if day else []
    first = _parse_day(entry.get("from"), where, errors)
    last = _parse_day(entry.get("to"), where, errors)
    if first is None or last is None:
        return []
    if last < first:
        errors.append(f"{where}：结束日期{last}早于开始日期{first}")
        return []
    if (last - first).days > 31:
        errors.append(f"{where}：{first}至{last}超过31天，不像一次节假日安排")
        return []
    return [(first + timedelta(days=i), name) for i in range((last - first).days + 1)]


def parse_lines(text: str, what: str) -> list[dict]:
    """The web form's text areas: one entry a line, "YYYY-MM-DD[~YYYY-MM-DD] [名称]"."""
    out = []
    for line in (text or "").splitlines():
        line = line.strip().replace("～", "~").replace("，", " ").replace(",", " ")
        if not line:
            continue
        days, _, name = line.partition(" ")
        out.append({"date": days.strip(), "name": name.strip()})
    return out


def parse_file(filename: str, data: bytes, *, year=None, source=None) -> dict:
    """A file in the JSON or CSV format above -> {year, source, holidays, workdays} (not yet checked)."""
    name = (filename or "").lower()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("文件不是UTF-8编码的文本", details={"fields": {"file": ["应为UTF-8编码"]}}) from None
    if name.endswith(".json"):
        try:
            body = json.loads(text)
        except ValueError as err:
            raise InvalidInput(f"JSON格式有误：第{err.lineno}行第{err.colno}列",
                               details={"fields": {"file": ["JSON格式有误"]}}) from None
        if not isinstance(body, dict):
            raise InvalidInput("JSON文件应为一个对象：{year, source, holidays, workdays}",
                               details={"fields": {"file": ["应为一个对象"]}})
        return {"year": year or body.get("year"), "source": source or body.get("source"),
                "holidays": body.get("holidays"), "workdays": body.get("workdays", [])}
    if name.endswith(".csv"):
        return _parse_csv(text, year=year, source=source)
    raise InvalidInput("只支持 .json 或 .csv 文件（格式见说明）", details={"fields": {"file": ["只支持.json或.csv"]}})


def _parse_csv(text, *, year, source):
    reader = csv.reader(io.StringIO(text))
    rows = [r for r in reader if any(c.strip() for c in r)]
    if not rows:
        raise InvalidInput("CSV文件为空", details={"fields": {"file": ["文件为空"]}})
    header = [c.strip().lower() for c in rows[0]]
    aliases = {"日期": "date", "类型": "type", "名称": "name"}
    header = [aliases.get(c, c) for c in header]
    if "date" not in header or "type" not in header:
        raise InvalidInput("CSV第1行应为表头：date,type,name（或 日期,类型,名称）",
                           details={"fields": {"file": ["缺少表头date,type"]}})
    col = {c: i for i, c in enumerate(header)}
    holidays, workdays, errors = [], [], []
    for n, row in enumerate(rows[1:], start=2):
        cell = (lambda c: row[col[c]].strip() if c in col and col[c] < len(row) else "")
        kind = cell("type").lower()
        entry = {"date": cell("date"), "name": cell("name")}
        if kind in _HOLIDAY_WORDS:
            holidays.append(entry)
        elif kind in _WORKDAY_WORDS:
            workdays.append(entry)
        else:
            errors.append(f"第{n}行：类型“{cell('type')}”应为holiday（放假）或workday（调休上班）")
    if errors:
        raise InvalidInput("CSV文件有误：" + "；".join(errors), details={"fields": {"file": errors}})
    return {"year": year, "source": source, "holidays": holidays, "workdays": workdays}


# --- checking and importing -----------------------------------------------------------------------------

def clean(year, source, holidays, workdays) -> dict:
    """Check everything, report every problem at once; return the canonical content."""
    fields: dict[str, list[str]] = {}
    try:
        year = int(year)
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError
    except (TypeError, ValueError):
        fields["year"] = [f"年份应为{MIN_YEAR}—{MAX_YEAR}之间的整数"]
        year = None
    source = (source or "").strip() if isinstance(source, str) else ""
    if not source:
        fields["source"] = ["请填写依据：国务院办公厅放假安排通知的名称及文号"]
    elif len(source) > 300:
        fields["source"] = ["依据不超过300个字符"]
    lists = {}
    for key, label, entries in (("holidays", "放假日", holidays), ("workdays", "调休上班日", workdays)):
        errors: list[str] = []
        if entries is None:
            entries = []
        if not isinstance(entries, list):
            fields[key] = [f"{label}应为列表"]
            lists[key] = {}
            continue
        days: dict[date, str] = {}
        for i, entry in enumerate(entries, 1):
            for day, name in _expand(entry, f"{label}第{i}项", errors):
                if year is not None and day.year != year:
                    errors.append(f"{label}第{i}项：{day}不在{year}年内")
                    continue
                days[day] = days.get(day) or name
        if errors:
            fields[key] = errors
        lists[key] = days
    holiday_days, workday_days = lists["holidays"], lists["workdays"]
    if "holidays" not in fields and not holiday_days:
        fields["holidays"] = ["请至少填写一个放假日（法定节假日安排不可能为空）"]
    weekday_work = sorted(d for d in workday_days if d.weekday() < 5)
    if weekday_work:
        fields.setdefault("workdays", []).append(
            "调休上班日应为周六或周日，以下日期本来就是工作日：" + "、".join(d.isoformat() for d in weekday_work))
    both = sorted(set(holiday_days) & set(workday_days))
    if both:
        fields.setdefault("workdays", []).append("以下日期既是放假日又是调休上班日：" + "、".join(d.isoformat() for d in both))
    if fields:
        raise InvalidInput("节假日安排有误：" + "；".join(m for ms in fields.values() for m in ms),
                           details={"fields": fields})
    return {"year": year, "source": source,
            "holidays": [{"date": d.isoformat(), "name": holiday_days[d]} for d in sorted(holiday_days)],
            "workdays": [{"date": d.isoformat(), "name": workday_days[d]} for d in sorted(workday_days)]}


def content_sha256(content: dict) -> str:
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


@dataclass
class ImportResult:
    calendar: HolidayCalendar
    changed: bool
    summaries: list[dict] = field(default_factory=list)


def import_calendar(*, year, source, holidays, workdays=(), actor=None, filename="") -> ImportResult:
    """Enter a year's arrangement: check, store, ledger, recompute. The caller commits.

    `actor` None is the CLI (an operator on the server); web and API callers pass the user, who must be a
    supervisor or an administrator."""
    if actor is not None and not can_import_calendar(actor):
        raise PermissionDenied(_PERMISSION_MESSAGE)
    content = clean(year, source, holidays, list(workdays or []))
    digest = content_sha256(content)
    previous = current(content["year"])
    if previous is not None and previous.sha256 == digest:
        return ImportResult(previous, changed=False)
    replaces = "imported" if previous is not None else calendar.calendar_source(content["year"]) or "weekdays"
    row = HolidayCalendar(year=content["year"], source=content["source"], holidays=content["holidays"],
                          workdays=content["workdays"], sha256=digest, filename=(filename or "")[:200],
                          imported_by_id=actor.id if actor is not None else None)
    db.session.add(row)
    db.session.flush()
    entry = ledger_append("calendar.imported", f"calendar:{row.year}", {
        "calendar_id": row.id, **content, "sha256": digest,
        "previous_sha256": previous.sha256 if previous is not None else None,
        "replaces": replaces,
        "filename": row.filename, "actor": actor.username if actor is not None else "cli"})
    row.ledger_seq = entry.seq
    _forget_cache()
    summaries = [s for s in (hook(row.year, row, actor) for hook in CALENDAR_CHANGED_HOOKS) if s]
    row.recomputed = {"summaries": summaries}
    db.session.flush()
    return ImportResult(row, changed=True, summaries=summaries)


def import_file(filename: str, data: bytes, *, actor=None, year=None, source=None) -> ImportResult:
    body = parse_file(filename, data, year=year, source=source)
    return import_calendar(actor=actor, filename=filename, **body)
