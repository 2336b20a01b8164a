"""Small helpers every supervision service shares: settings, ledger, field errors."""
from __future__ import annotations

from datetime import date

from flask import current_app

from app.errors import InvalidInput

#: SPEC's *(default)* numbers for supervision, as settings (overridable by environment variables).
DEFAULTS = {
    "COMPLAINT_ACCEPT_WORKING_DAYS": 5,  # SPEC §14: accept or refuse within 5 working days (default)
    "COMPLAINT_HANDLE_DAYS": 60,  # SPEC §14: handled within 60 days (default)
    "COMPLAINT_WARN_DAYS": 3,  # 超期预警: warn this many days before a due date
    "COMPLAINT_RATE_LIMIT": "5 per hour;20 per day",  # public form, per client address
    "COMPLAINT_LOOKUP_RATE_LIMIT": "20 per hour",  # status look-ups, per client address
    "RECTIFICATION_WORKING_DAYS": 30,  # SPEC §14: rectification deadline (default)
    "EVALUATION_SAMPLE_PERCENT": 5,  # SPEC §10: at least 5% of closed cases
    "EVALUATION_SAMPLE_MIN": 3,  # SPEC §10: and at least 3 (default)
}


def setting(name):
    return current_app.config.get(name, DEFAULTS[name])


def ledger(kind: str, subject: str, payload: dict):
    from app.ledger.services import append

    return append(kind, subject, payload)


def invalid(field_name: str, message: str) -> InvalidInput:
    return InvalidInput(message, details={"fields": {field_name: [message]}})


def text(value, field_name: str, label: str, *, required=True, max_len=2000) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not value:
        raise invalid(field_name, f"请填写{label}")
    if len(value) > max_len:
        raise invalid(field_name, f"{label}不超过{max_len}字")
    return value


def as_date(value, field_name: str, label: str, *, required=True) -> date | None:
    if value in (None, ""):
        if required:
            raise invalid(field_name, f"请填写{label}")
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise invalid(field_name, f"{label}格式应为YYYY-MM-DD") from None


def actor_name(actor):
    return getattr(actor, "username", None)
