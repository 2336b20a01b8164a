"""Untrusted scalars from requests, parsed in one place (SEC-16): every entry point that takes an id, a
count or a free-text field from a header, a query string, a form, JSON or tus metadata goes through these,
so that a superscript digit, `abc`, a number beyond the database's integer or a list where a string belongs
is a 422 with a Chinese message naming the field — never a ValueError, AttributeError or database error
turned into a 500.

Why not str.isdigit()/int(): "²".isdigit() is True and int("²") raises; int("١٢") is 12 (Arabic-Indic
digits) and "１２" is 12 too. Only ASCII digits are numbers here.
"""
from __future__ import annotations

import re

from app.errors import InvalidInput

_ASCII_DIGITS = re.compile(r"[0-9]+")
MAX_ID = 2**31 - 1  # database INTEGER
MAX_COUNT = 2**63 - 1  # database BIGINT (byte counts)


def _invalid(field, message):
    return InvalidInput(message, details={"fields": {field: [message]}})


def as_count(value, field: str, *, label: str | None = None, maximum: int = MAX_COUNT) -> int:
    """A non-negative integer written in ASCII digits (e.g. Upload-Length)."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, bool) or not (isinstance(text, int) or (isinstance(text, str)
                                                                and _ASCII_DIGITS.fullmatch(text))):
        raise _invalid(field, f"{label or field} 必须是非负整数（只能使用0-9数字）")
    number = int(text)
    if number < 0 or number > maximum:
        raise _invalid(field, f"{label or field} 超出允许的范围")
    return number


def as_id(value, field: str, *, label: str | None = None) -> int:
    """A database id: a positive integer of at most 2^31-1."""
    number = as_count(value, field, label=label, maximum=MAX_ID)
    if number == 0:
        raise _invalid(field, f"{label or field} 无效")
    return number


def as_ref(value, field: str, *, label: str | None = None) -> int:
    """An id that may be missing: None or "" is 0 (the caller's lookup then fails with its own message)."""
    if value in (None, ""):
        return 0
    return as_count(value, field, label=label, maximum=MAX_ID)


def as_text(value, field: str, *, label: str | None = None, max_length: int | None = None) -> str:
    """A text field: a string (None is ""), stripped; a list, number or object is refused."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _invalid(field, f"{label or field} 必须是文字")
    value = value.strip()
    if max_length is not None and len(value) > max_length:
        raise _invalid(field, f"{label or field} 不能超过{max_length}个字")
    return value


def json_object(data) -> dict:
    """A request's JSON body when an object is expected ({} for none); an array or scalar is refused."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput("请求体必须是JSON对象")
    return data
