"""Canonical JSON for ledger entries: the bytes that are hashed are the bytes that are stored.

Rules: keys sorted, UTF-8 (no \\u escapes for non-ASCII), separators "," and ":" with no whitespace,
NaN and infinities refused. Values that JSON does not know are turned into strings deterministically:
- datetime: UTC, ISO 8601 with microseconds and a "Z" (a naive datetime is taken to be UTC already,
  as every `*_at` column in this project is), e.g. "2025-03-01T08:00:00.000000Z";
- date: "YYYY-MM-DD"; time: ISO 8601;
- Decimal: its exact decimal string as written (Decimal("1.10") -> "1.10"; scientific notation is
  spelled out with format "f"), so 1.10 and 1.1 are different claims, as they were on paper;
- UUID: the canonical hyphenated lowercase form; Enum: its value, converted by these same rules;
- tuple: a list. Anything else (bytes, sets, objects) is refused with TypeError: put a hex digest instead.
Standard library only.
"""
import datetime as _dt
import enum
import json
import uuid
from decimal import Decimal


def _default(value):
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("a ledger entry cannot hold a non-finite Decimal")
        return format(value, "f")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(f"a ledger entry cannot hold a value of type {type(value).__name__}")


_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                            default=_default)  # one instance: the audit encodes every entry


def canonical_json(obj) -> str:
    return _ENCODER.encode(obj)


def canonical_bytes(obj) -> bytes:
    return canonical_json(obj).encode("utf-8")


def format_time(value: _dt.datetime) -> str:
    return _default(value)
