"""The Jilin certificate rules (SPEC §5, 吉林省行政执法证件管理办法), evaluated on the date of an act.

Pure: objects in, results out, no database writes and no exceptions for a failing officer. Every later
feature asks `check(officer, on=..., category=..., area=...)`; an empty list means the officer may act.
A certificate's status on a date is derived from its event history (`status_on`), so that the public
verification page, the rules and any past act agree.

Numbers that SPEC marks *(default)* come from the settings (`RuleSettings.from_config`).
"""
from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass, field
from datetime import date

from app.officers.models import (BARRING_REASONS, EMPLOYMENT_LABELS, REVOCATION_LABELS, CertificateKind,
                                 EmploymentType, EventKind)
from app.officers.regions import area_covers, region_label

#: The rule that two certified officers act together.
TWO_OFFICERS_RULE = "行政处罚法第四十二条；行政强制法第十八条"
TWO_OFFICERS_MESSAGE = "至少需要两名持有有效执法证件的执法人员（行政处罚法第四十二条）"


@dataclass(frozen=True)
class RuleSettings:
    inspection_grace_month: int = 3
    inspection_grace_day: int = 31
    revocation_bar_years: int = 2
    training_hours: float = 40  #: yearly training hours an annual inspection needs (SPEC §5.5, *(default)*)

    @classmethod
    def from_config(cls, config=None):
        if config is None:
            try:
                from flask import current_app

                config = current_app.config
            except RuntimeError:  # outside an application: the SPEC defaults
                return cls()
        return cls(inspection_grace_month=int(config.get("CERT_INSPECTION_GRACE_MONTH", 3)),
                   inspection_grace_day=int(config.get("CERT_INSPECTION_GRACE_DAY", 31)),
                   revocation_bar_years=int(config.get("CERT_REVOCATION_BAR_YEARS", 2)),
                   training_hours=float(config.get("OFFICER_TRAINING_HOURS", 40)))

    def grace_date(self, year: int) -> date:
        """Last day on which the previous year's inspection still counts."""
        last = calendar.monthrange(year, self.inspection_grace_month)[1]
        return date(year, self.inspection_grace_month, min(self.inspection_grace_day, last))


@dataclass(frozen=True)
class Failure:
    """One failed rule: a stable code, a specific Chinese reason, and the rule it applies."""

    code: str
    message: str
    rule: str
    certificate: str | None = None  #: the certificate number concerned, if any

    def to_dict(self):
        return asdict(self)


# Codes whose reasons may be shown on the public page (they describe the card, not the person).
PUBLIC_CODES = frozenset({"no_certificate", "not_filed", "not_yet_valid", "expired", "suspended", "revoked",
                          "cancelled", "inspection_missing"})


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February -> 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# --- status from the event history ---------------------------------------------------------------------

@dataclass(frozen=True)
class Status:
    """A certificate's status on one date."""

    state: str  #: valid | not_yet_valid | expired | suspended | revoked | cancelled
    since: date | None = None  #: date of the event that set a suspended, revoked or cancelled state
    until: date | None = None  #: last day of a suspension, if fixed

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def is_final(self) -> bool:
        return self.state in ("revoked", "cancelled")


STATE_LABELS = {
    "valid": "有效",
    "not_yet_valid": "尚未生效",
    "expired": "已过期",
    "suspended": "已暂扣",
    "revoked": "已吊销",
    "cancelled": "已注销",
}


def _events_until(cert, on: date):
    return sorted((e for e in cert.events if e.on <= on), key=lambda e: (e.on, e.id or 0))


def status_on(cert, on: date) -> Status:
    """Lifecycle status on `on`: revoked/cancelled, then suspended, then the validity dates."""
    suspension = None
    for event in _events_until(cert, on):
        kind = event.kind
        if kind in (EventKind.revoked.value, EventKind.cancelled.value):
            return Status(kind, since=event.on)
        if kind == EventKind.suspended.value:
            suspension = event
        elif kind == EventKind.restored.value:
            suspension = None
    if suspension is not None and (suspension.until is None or on <= suspension.until):
        return Status("suspended", since=suspension.on, until=suspension.until)
    if on < cert.issued_on:
        return Status("not_yet_valid")
    if on > cert.expires_on:
        return Status("expired")
    return Status("valid")


def passed_inspection_years(cert, on: date) -> set[int]:
    return {e.year for e in _events_until(cert, on)
            if e.kind == EventKind.inspected.value and e.passed and e.year is not None}


def required_inspection_year(cert, on: date, settings: RuleSettings) -> int | None:
    """The inspection year that must have been passed on `on`, or None when none is due yet.

    The period is the calendar year: from 1 January the current year's inspection is due, but until the
    grace date the previous year's still counts. A certificate issued in a year needs no inspection for it.
    """
    year = on.year - 1 if on <= settings.grace_date(on.year) else on.year
    return year if year > cert.issued_on.year else None


def inspection_mark(cert, on: date, settings: RuleSettings | None = None) -> str:
    """The card's inspection mark, e.g. 2026年度已年检."""
    settings = settings or RuleSettings.from_config()
    years = passed_inspection_years(cert, on)
    if years:
        return f"{max(years)}年度已年检"
    if required_inspection_year(cert, on, settings) is None:
        return "新发证件，本年度免检"
    return "未年检"


# --- the rules ----------------------------------------------------------------------------------------

def employment_failures(officer) -> list[Failure]:
    """SPEC §5.5: only established staff on post (在编在岗) may act or hold a certificate."""
    if officer.employment_type == EmploymentType.established.value:
        return []
    try:
        label = EMPLOYMENT_LABELS[EmploymentType(officer.employment_type)]
    except ValueError:
        label = str(officer.employment_type)
    return [Failure("not_established", f"辅助人员不得从事执法活动（用工性质：{label}）", "SPEC §5.5")]


def certificate_failures(cert, on: date, *, category=None, area=None,
                         settings: RuleSettings | None = None) -> list[Failure]:
    """Every rule of SPEC §5.1–5.4 that `cert` fails on `on` (category and area only when given)."""
    settings = settings or RuleSettings.from_config()
    number = cert.number
    out = []

    def fail(code, message, rule):
        out.append(Failure(code, message, rule, number))

    if cert.kind == CertificateKind.ministry.value and (cert.filed_on is None or cert.filed_on > on):
        fail("not_filed", f"国务院部门执法证件（{number}）未在司法局备案", "SPEC §5.1")

    status = status_on(cert, on)
    if status.state == "revoked":
        fail("revoked", f"证件已吊销（吊销日期{status.since.isoformat()}）", "SPEC §5.2")
    elif status.state == "cancelled":
        fail("cancelled", f"证件已注销（注销日期{status.since.isoformat()}）", "SPEC §5.2")
    elif status.state == "suspended":
        until = f"至{status.until.isoformat()}" if status.until else "暂扣期限未定，待发还"
        fail("suspended", f"证件已暂扣（{until}）", "SPEC §5.2")
    # A suspended card may also have expired: both are reported. A revoked or cancelled one is simply dead.
    if status.is_final:
        pass
    elif on < cert.issued_on:
        fail("not_yet_valid", f"证件尚未生效（发证日期{cert.issued_on.isoformat()}）", "SPEC §5.2")
    elif on > cert.expires_on:
        fail("expired", f"证件已过期（有效期至{cert.expires_on.isoformat()}）", "SPEC §5.2")

    # Inspection is only meaningful for a card that is otherwise within its dates.
    if cert.issued_on <= on <= cert.expires_on and not status.is_final:
        required = required_inspection_year(cert, on, settings)
        if required is not None and not any(y >= required for y in passed_inspection_years(cert, on)):
            fail("inspection_missing",
                 f"未通过{required}年度年检（宽限期至{settings.grace_date(required).isoformat()}）", "SPEC §5.3")

    if category and category not in (cert.categories or []):
        fail("category_missing", f"证件执法类别不含“{category}”", "SPEC §5.4")
    if area and not area_covers(cert.area_code, area):
        fail("area_missing", f"证件执法区域不含“{region_label(area)}”（证件区域：{region_label(cert.area_code)}）",
             "SPEC §5.4")
    return out


def entrustment_failures(officer, on: date) -> list[Failure]:
    """An officer of an entrusted organisation acts only while its entrustment holds (APL Art 20): an
    expired, terminated or unpublished entrustment stops every new act, with the reason."""
    org = getattr(officer, "entrusted_org", None)
    if org is None:
        return []
    from app.agencies.rules import entrustment_problems

    return [Failure("entrustment", message, "行政处罚法第二十条") for message in entrustment_problems(org, on)]


def check(officer, on: date, category=None, area=None, settings: RuleSettings | None = None) -> list[Failure]:
    """Every failed rule for `officer` acting on `on` in `category` and `area`; [] means qualified.

    With several certificates (a provincial one and a filed ministry one), one that passes is enough;
    otherwise the reasons of the closest one (fewest failures, latest issued) are given. Never raises.
    """
    settings = settings or RuleSettings.from_config()
    failures = employment_failures(officer) + entrustment_failures(officer, on)
    certs = [c for c in officer.certificates if c.issued_on <= on] or list(officer.certificates)
    if not certs:
        return failures + [Failure("no_certificate", "不持有行政执法证件", "SPEC §5.1")]
    results = [(certificate_failures(c, on, category=category, area=area, settings=settings), c)
               for c in certs]
    best = min(results, key=lambda r: (len(r[0]), -r[1].issued_on.toordinal(), -(r[1].id or 0)))[0]
    return failures + best


def public_failures(cert, on: date, officer=None, settings=None) -> list[Failure]:
    """Reasons a certificate is red on the public page, minus anything about the person."""
    failures = certificate_failures(cert, on, settings=settings)
    if officer is not None and employment_failures(officer):
        failures.append(Failure("holder_unqualified", "持证人不具备执法资格", "SPEC §5.5", cert.number))
    return failures


def revocation_bar(certificates, on: date, settings: RuleSettings | None = None) -> Failure | None:
    """SPEC §5.6: after a revocation for altering or lending, no new certificate for N years.

    The bar lifts on the same calendar date N years after the revocation date.
    """
    settings = settings or RuleSettings.from_config()
    latest = None
    for cert in certificates:
        for event in cert.events:
            if event.kind == EventKind.revoked.value and event.reason_type in BARRING_REASONS:
                if latest is None or event.on > latest.on:
                    latest = event
    if latest is None:
        return None
    lifted = add_years(latest.on, settings.revocation_bar_years)
    if on >= lifted:
        return None
    from app.officers.models import RevocationReason

    why = REVOCATION_LABELS[RevocationReason(latest.reason_type)]
    return Failure("revocation_bar",
                   f"因{why}被吊销行政执法证件的，{settings.revocation_bar_years}年内不得重新申领"
                   f"（吊销日期{latest.on.isoformat()}，{lifted.isoformat()}起方可重新发证）", "SPEC §5.6")


def issue_refusals(officer, on: date, certificates=None, settings: RuleSettings | None = None) -> list[Failure]:
    """Why `officer` may not be issued a certificate on `on` ([] = may be issued).

    `certificates`: every certificate the person ever held (across officer records with the same ID number).
    """
    settings = settings or RuleSettings.from_config()
    out = []
    if officer.employment_type != EmploymentType.established.value:
        label = EMPLOYMENT_LABELS.get(EmploymentType(officer.employment_type), officer.employment_type)
        out.append(Failure("not_established",
                           f"辅助、合同、临时和公益性岗位人员不得申领行政执法证件（用工性质：{label}）", "SPEC §5.5"))
    bar = revocation_bar(officer.certificates if certificates is None else certificates, on, settings)
    if bar:
        out.append(bar)
    exam = exam_failure(officer, on) if not out or out[-1].code != "not_established" else None
    if exam and officer.employment_type == EmploymentType.established.value:
        out.append(exam)
    return out


EXAM_RULE = "吉林省行政执法证件管理办法：经培训并统一考试合格方可申领执法证件；SPEC §5.5"
HOURS_RULE = "吉林省行政执法证件管理办法：年审须完成年度培训学时；SPEC §5.5"


def exam_failure(officer, on: date) -> Failure | None:
    """A new certificate needs a passed unified examination taken on or before the issue date."""
    exams = [e for e in getattr(officer, "examinations", []) if e.taken_on <= on]
    if any(e.passed for e in exams):
        return None
    if exams:
        last = exams[-1]
        return Failure("exam_failed", f"统一考试未通过（{last.taken_on.isoformat()}，{last.score}分），不予发证", EXAM_RULE)
    return Failure("exam_missing", "未参加行政执法资格统一考试或考试未通过，不予发证", EXAM_RULE)


def training_hours(officer, year: int) -> float:
    """Hours of the year's annual and special training (pre-post training is not yearly training)."""
    return float(sum(float(t.hours) for t in getattr(officer, "trainings", [])
                     if t.completed_on.year == year and t.kind != "pre_post"))


def hours_failure(officer, year: int, settings: RuleSettings | None = None) -> Failure | None:
    """The annual inspection of `year` needs the year's training hours (default 40)."""
    settings = settings or RuleSettings.from_config()
    done = training_hours(officer, year)
    if done + 1e-9 >= settings.training_hours:
        return None
    return Failure("training_hours", f"{year}年度培训学时{done:g}学时，不足{settings.training_hours:g}学时，年检不予通过",
                   HOURS_RULE)


# --- teams ----------------------------------------------------------------------------------------------

@dataclass
class TeamResult:
    """Outcome of the two-officer rule for one act."""

    minimum: int
    passing: list = field(default_factory=list)  #: officers who may act
    failing: list = field(default_factory=list)  #: (officer, [Failure]) for those who may not
    duplicates: list = field(default_factory=list)  #: officers named more than once

    @property
    def ok(self) -> bool:
        return len(self.passing) >= self.minimum

    def reasons(self) -> list[str]:
        out = [f"{o.name}：" + "；".join(f.message for f in fs) for o, fs in self.failing]
        out += [f"{o.name}：同一执法人员不能重复计算" for o in self.duplicates]
        return out


def check_team(officers, on: date, category=None, area=None, minimum: int = 2,
               settings: RuleSettings | None = None) -> TeamResult:
    """At least `minimum` distinct officers who each pass `check` (SPEC §5; APL Art 42; AEL Art 18)."""
    settings = settings or RuleSettings.from_config()
    result = TeamResult(minimum=minimum)
    seen = set()
    for officer in officers:
        key = officer.id if officer.id is not None else id(officer)
        if key in seen:
            result.duplicates.append(officer)
            continue
        seen.add(key)
        failures = check(officer, on, category=category, area=area, settings=settings)
        if failures:
            result.failing.append((officer, failures))
        else:
            result.passing.append(officer)
    return result
