"""Masks for personal data on staff pages, lists, exports and API answers (GB/T 35273 §3.14, 去标识化;
个人信息保护法 Art 6 minimum necessary). Pure functions: value in, masked text out; None and "" pass through.

The public site has its own, stricter redaction (app.redaction): this module is the staff side, where
enough stays visible to tell two records apart (the first 6 digits of an ID number give the region, the
last 4 tell people apart) but not enough to use the number.
"""
from __future__ import annotations

import re

from app.redaction import mask_numbers

STAR = "*"


def mask_id_number(value: str | None) -> str | None:
    """220681199001011234 -> 220681********1234 (a 15-digit legacy number keeps 6 + 3)."""
    if not value:
        return value
    s = str(value).strip()
    if len(s) >= 15:
        keep = 4 if len(s) >= 18 else 3
        return s[:6] + STAR * (len(s) - 6 - keep) + s[-keep:]
    return _middle(s)


def mask_phone(value: str | None) -> str | None:
    """13904351234 -> 139****1234; 0435-1234567 -> 0435-***4567."""
    if not value:
        return value
    s = str(value).strip()
    digits = re.sub(r"\D", "", s)
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + STAR * 4 + digits[-4:]
    if len(digits) >= 7:
        out, seen, total = [], 0, len(digits)
        for ch in s:
            if ch.isdigit():
                seen += 1
                # keep the area code (before a separator) and the last 4 digits
                out.append(ch if seen > total - 4 else STAR)
            else:
                out.append(ch)
        masked = "".join(out)
        head = re.match(r"^(\+?\d{2,4})[-\s]", s)
        return head.group(1) + masked[len(head.group(1)):] if head else masked
    return _middle(s)


#: Cut an address after the county-level unit (区/县/市/旗) or, failing that, after 6 characters.
_ADDRESS_HEAD = re.compile(r"^(.{2,12}?(?:省|自治区))?(.{1,10}?(?:市|州|盟|地区))?(.{1,10}?(?:区|县|市|旗))?")


def mask_address(value: str | None) -> str | None:
    """吉林省临江市建国街1号 -> 吉林省临江市****: the street, number and room never shown."""
    if not value:
        return value
    s = str(value).strip()
    m = _ADDRESS_HEAD.match(s)
    head = m.group(0) if m and m.group(0) else s[:min(6, max(1, len(s) // 3))]
    if len(head) >= len(s):
        head = s[:max(1, len(s) // 3)]
    return head + STAR * 4


def mask_email(value: str | None) -> str | None:
    if not value:
        return value
    s = str(value).strip()
    if "@" in s:
        user, _, domain = s.partition("@")
        return (user[:1] + STAR * 3) + "@" + domain
    return _middle(s)


def mask_contact(value: str | None) -> str | None:
    """A free contact (electronic service address): an e-mail, a phone, or something else."""
    if not value:
        return value
    if "@" in str(value):
        return mask_email(value)
    if len(re.sub(r"\D", "", str(value))) >= 7:
        return mask_phone(value)
    return _middle(str(value))


def _middle(s: str) -> str:
    if len(s) <= 2:
        return STAR * len(s)
    keep = max(1, len(s) // 4)
    return s[:keep] + STAR * (len(s) - 2 * keep) + s[-keep:]


#: Field name -> mask, for records that carry personal data under these usual names.
MASKS = {
    "id_number": mask_id_number, "phone": mask_phone, "address": mask_address, "email": mask_email,
    "e_service_address": mask_contact,
}

#: The fields of a natural person that count as personal data to be masked (SPEC §8).
PERSONAL_FIELDS = tuple(MASKS)


def mask_field(name: str, value):
    fn = MASKS.get(name)
    return fn(value) if fn else value


def mask_person(data: dict | None) -> dict | None:
    """A copy of a dict describing a person (interviewee, witness...) with its personal fields masked."""
    if not isinstance(data, dict):
        return data
    return {k: (mask_field(k, v) if k in MASKS else v) for k, v in data.items()}


def mask_text(value: str | None) -> str | None:
    """ID, mobile, landline and bank numbers inside free text (a draft's facts) masked in every written form
    the publication gate knows — Arabic, full-width or Chinese numerals (一三九…, 幺, 两), with any
    separators — by the same engine (app.redaction.mask_numbers); names and the rest stay for the staff."""
    return mask_numbers(value)
