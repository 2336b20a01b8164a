"""Identifiers of parties (SPEC §2, §8): checking, masking, and generating fictional demo values.

Pure functions, no Flask. A `validate_*` function returns None when the value is valid and otherwise one
specific Chinese reason, suitable for a form or API field error; `is_valid_*` is the boolean shortcut and
`normalize_*` gives the canonical form to store. Input is normalised before checking: surrounding and inner
spaces are dropped, full-width characters become ASCII (NFKC) and letters are upper-cased, so "１１０１…x"
typed with a Chinese input method is accepted as "1101…X".

- 居民身份证号码 (GB 11643-1999): 6-digit address code (GB/T 2260), 8-digit birth date, 3-digit sequence
  (odd for men, even for women), ISO 7064 MOD 11-2 check character (0-9 or X).
- 统一社会信用代码 (GB 32100-2015): registration authority, organisation category, 6-digit region code,
  9-character organisation code (GB 11714, with its own MOD 11 check character) and a MOD 31 check
  character, over the 31 characters 0-9 and A-Z without I, O, S, V, Z.
- Mobile numbers: 11 digits, 1[3-9]xxxxxxxxx, with an optional +86 prefix.

Only the province part of a region code is checked: county codes change every year (GB/T 2260 is revised
by 民政部) and an ID number keeps the code of the place where it was first issued.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

# Province-level codes of GB/T 2260, plus Taiwan (71) and Hong Kong / Macao (81, 82) and the 830000 used by
# residence permits for Hong Kong, Macao and Taiwan residents (港澳台居民居住证).
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15",
    "21", "22", "23",
    "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46",
    "50", "51", "52", "53", "54",
    "61", "62", "63", "64", "65",
    "71", "81", "82", "83",
})

# Organisations registered at national level carry the region code 100000.
CREDIT_REGION_PROVINCES = PROVINCE_CODES | {"10"}

_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_ID_CHECK = "10X98765432"  # index: weighted sum mod 11

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUE = {c: i for i, c in enumerate(CREDIT_CHARSET)}
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# GB 32100-2015 Appendix A: registration authority -> organisation categories it may assign.
CREDIT_CATEGORIES = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    "2": {"1": "外国常驻新闻机构", "9": "其他"},
    "3": {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构", "5": "仲裁委员会",
          "9": "其他"},
    "4": {"1": "外国在华文化中心", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "6": {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"},
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},
    "8": {"1": "基层工会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "A": {"1": "军队事业单位", "9": "其他"},
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    "Y": {"1": "其他"},
}
#: GB 32100-2015 registration authorities (登记管理部门)
CREDIT_AUTHORITIES = {
    "1": "机构编制", "2": "外交", "3": "司法行政", "4": "文化", "5": "民政", "6": "旅游", "7": "宗教",
    "8": "工会", "9": "工商", "A": "中央军委改革和编制办公室", "N": "农业", "Y": "其他",
}

_MOBILE_RE = re.compile(r"1[3-9]\d{9}")


def _clean(s) -> str:
    if s is None:
        return ""
    s = unicodedata.normalize("NFKC", str(s))
    return re.sub(r"\s+", "", s).upper()


# --- 居民身份证号码 -------------------------------------------------------------------------------------

def id_check_char(first17: str) -> str:
    """The GB 11643 (ISO 7064 MOD 11-2) check character for the first 17 digits."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def normalize_id_number(s) -> str:
    """Canonical form: no spaces, ASCII, upper-case X. Does not check validity."""
    return _clean(s)


def validate_id_number(s, *, today: date | None = None) -> str | None:
    """None if `s` is a valid 18-digit ID number, else the reason in Chinese."""
    s = _clean(s)
    if not s:
        return "身份证号码不能为空"
    if len(s) != 18:
        return "身份证号码应为18位"
    if not re.fullmatch(r"\d{17}[\dX]", s):
        return "身份证号码只能包含数字，最后一位可以是X"
    if s[:2] not in PROVINCE_CODES:
        return "身份证号码地区码无效"
    try:
        birth = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return "身份证号码出生日期无效"
    if birth.year < 1900 or birth > (today or date.today()):
        return "身份证号码出生日期无效"
    expected = id_check_char(s[:17])
    if s[17] != expected:
        return f"身份证号码校验位错误（应为{expected}）"
    return None


def is_valid_id_number(s, *, today: date | None = None) -> bool:
    return validate_id_number(s, today=today) is None


def id_number_birth_date(s) -> date | None:
    """The birth date encoded in a valid ID number (None if the number is invalid)."""
    if not is_valid_id_number(s):
        return None
    s = _clean(s)
    return date(int(s[6:10]), int(s[10:12]), int(s[12:14]))


def id_number_is_male(s) -> bool | None:
    """True for men (odd sequence digit), False for women, None if the number is invalid."""
    if not is_valid_id_number(s):
        return None
    return int(_clean(s)[16]) % 2 == 1


def make_id_number(region: str = "220681", birth: date = date(1985, 6, 15), seq: int = 1) -> str:
    """A well-formed fictional ID number for demo data. `seq` 0–999; odd means male, even female."""
    if not re.fullmatch(r"\d{6}", region) or region[:2] not in PROVINCE_CODES:
        raise ValueError(f"invalid region code {region!r}")
    if not 0 <= seq <= 999:
        raise ValueError("seq must be between 0 and 999")
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    number = first17 + id_check_char(first17)
    reason = validate_id_number(number)
    if reason:
        raise ValueError(reason)
    return number


# --- 统一社会信用代码 ----------------------------------------------------------------------------------

def org_code_check_char(first8: str) -> str:
    """The GB 11714 check character of an organisation code body (8 characters from 0-9, A-Z)."""
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_WEIGHTS))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def credit_check_char(first17: str) -> str:
    """The GB 32100 MOD 31 check character for the first 17 characters."""
    total = sum(_CREDIT_VALUE[c] * w for c, w in zip(first17, _CREDIT_WEIGHTS))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def normalize_credit_code(s) -> str:
    """Canonical form: no spaces, ASCII, upper case. Does not check validity."""
    return _clean(s)


def validate_credit_code(s) -> str | None:
    """None if `s` is a valid unified social credit code, else the reason in Chinese."""
    s = _clean(s)
    if not s:
        return "统一社会信用代码不能为空"
    if len(s) != 18:
        return "统一社会信用代码应为18位"
    if any(c not in _CREDIT_VALUE for c in s):
        return "统一社会信用代码含有无效字符（只能使用数字和除I、O、S、V、Z以外的大写字母）"
    if s[0] not in CREDIT_CATEGORIES:
        return "统一社会信用代码登记管理部门代码无效"
    if s[1] not in CREDIT_CATEGORIES[s[0]]:
        return "统一社会信用代码机构类别代码无效"
    if not s[2:8].isdigit() or s[2:4] not in CREDIT_REGION_PROVINCES:
        return "统一社会信用代码登记管理机关行政区划码无效"
    expected = org_code_check_char(s[8:16])
    if s[16] != expected:
        return f"统一社会信用代码中的组织机构代码校验位错误（应为{expected}）"
    expected = credit_check_char(s[:17])
    if s[17] != expected:
        return f"统一社会信用代码校验位错误（应为{expected}）"
    return None


def is_valid_credit_code(s) -> bool:
    return validate_credit_code(s) is None


def make_credit_code(region: str = "220681", org_seq: int = 1, authority: str = "1",
                     category: str = "1") -> str:
    """A well-formed fictional credit code for demo data.

    `authority` + `category`: "11" government body (机关), "12" public institution, "91" enterprise,
    "92" individual business, "51" social organisation. `org_seq` (0–99,999,999) becomes the 8-digit body
    of the organisation code.
    """
    if not re.fullmatch(r"\d{6}", region) or region[:2] not in CREDIT_REGION_PROVINCES:
        raise ValueError(f"invalid region code {region!r}")
    if category not in CREDIT_CATEGORIES.get(authority, {}):
        raise ValueError(f"invalid authority/category {authority!r}/{category!r}")
    if not 0 <= org_seq <= 99_999_999:
        raise ValueError("org_seq must be between 0 and 99999999")
    body = f"{org_seq:08d}"
    first17 = f"{authority}{category}{region}{body}{org_code_check_char(body)}"
    return first17 + credit_check_char(first17)


# --- 手机号码 ------------------------------------------------------------------------------------------

def normalize_mobile(s) -> str:
    """Drops spaces, hyphens and a +86 / 0086 prefix. Does not check validity."""
    s = _clean(s).replace("-", "")
    for prefix in ("+86", "0086"):
        if s.startswith(prefix):
            return s[len(prefix):]
    if len(s) == 13 and s.startswith("86"):
        return s[2:]
    return s


def validate_mobile(s) -> str | None:
    """None if `s` is a mainland Chinese mobile number, else the reason in Chinese."""
    s = normalize_mobile(s)
    if not s:
        return "手机号码不能为空"
    if not s.isdigit():
        return "手机号码只能包含数字"
    if len(s) != 11:
        return "手机号码应为11位"
    if not _MOBILE_RE.fullmatch(s):
        return "手机号码格式不正确（应以13至19开头）"
    return None


def is_valid_mobile(s) -> bool:
    return validate_mobile(s) is None


# --- Masking for publication (SPEC §8) -----------------------------------------------------------------

def _mask_middle(s: str, keep_start: int, keep_end: int) -> str:
    if len(s) <= keep_start + keep_end:
        return "*" * len(s)
    return s[:keep_start] + "*" * (len(s) - keep_start - keep_end) + s[len(s) - keep_end:]


def mask_id_number(s) -> str:
    """110***********1234: the first three and last four characters stay."""
    return _mask_middle(_clean(s), 3, 4)


def mask_phone(s) -> str:
    """138****5678: the first three and last four digits stay (landlines: last four only)."""
    s = normalize_mobile(s)
    if len(s) == 11 and s.startswith("1"):
        return _mask_middle(s, 3, 4)
    return _mask_middle(s, 0, 4)


def mask_name(name, style: str = "stars") -> str:
    """张** (style "stars", one star per hidden character) or 张某 (style "mou") for a natural person."""
    name = (name or "").strip()
    if not name:
        return ""
    if style == "mou":
        return name[0] + "某"
    if style != "stars":
        raise ValueError(f"unknown style {style!r}")
    return name[0] + "*" * max(len(name) - 1, 1)
