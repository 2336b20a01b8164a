"""The certificate banner on every staff page (issue 19): an officer learns that their certificate is
suspended, expired, revoked or otherwise not valid today before an act is refused, and is reminded ahead of
its expiry and of the annual inspection (SPEC §5.5; 吉林省行政执法证件管理办法)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.officers import queries, rules
from app.officers.models import Officer

#: Days ahead of an expiry or an inspection deadline that the reminder appears.
REMIND_DAYS = 30


@dataclass(frozen=True)
class Banner:
    level: str  #: "error" (may not act today) or "warning" (a reminder)
    title: str
    lines: tuple[str, ...]


def for_user(user, today: date) -> Banner | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    officer = db.session.scalar(select(Officer).where(Officer.user_id == user.id))
    if officer is None:
        return None
    failures = rules.check(officer, today)
    if failures:
        return Banner("error", "您今日不得以执法人员身份实施执法行为",
                      tuple(f"{f.message}（{f.rule}）" for f in failures))
    cert = queries.current_certificate(officer, today)
    if cert is None:
        return None
    lines = []
    if cert.expires_on is not None and cert.expires_on - today <= timedelta(days=REMIND_DAYS):
        lines.append(f"执法证件{cert.number}将于{cert.expires_on.isoformat()}到期，请及时申请换发")
    settings = rules.RuleSettings.from_config()
    deadline = settings.grace_date(today.year)
    if today <= deadline and deadline - today <= timedelta(days=REMIND_DAYS):
        year = rules.required_inspection_year(cert, deadline + timedelta(days=1), settings)
        if year is not None and year not in rules.passed_inspection_years(cert, today):
            lines.append(f"执法证件须在{deadline.isoformat()}前通过{year}年度年检，逾期未年检的证件不得用于执法")
    return Banner("warning", "执法证件提醒", tuple(lines)) if lines else None
