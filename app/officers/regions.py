"""Region codes (GB/T 2260) used for certificate areas, with the names of Jilin's prefectures and of the
counties of 白山市 (临江市 is 220681).

A certificate's area covers a case's area when it is the same code, the prefecture containing it
(2206xx is covered by 220600) or the province (22xxxx by 220000).
"""
import re

REGIONS = {
    "220000": "吉林省",
    "220100": "长春市",
    "220200": "吉林市",
    "220300": "四平市",
    "220400": "辽源市",
    "220500": "通化市",
    "220600": "白山市",
    "220602": "浑江区",
    "220605": "江源区",
    "220621": "抚松县",
    "220622": "靖宇县",
    "220623": "长白朝鲜族自治县",
    "220681": "临江市",
    "220700": "松原市",
    "220800": "白城市",
    "222400": "延边朝鲜族自治州",
}

_CODE = re.compile(r"^\d{6}$")


def is_code(value) -> bool:
    return bool(value) and bool(_CODE.match(str(value)))


def region_name(code) -> str:
    return REGIONS.get(str(code or ""), str(code or ""))


def region_label(code) -> str:
    """临江市（220681）: the name with its code, for messages."""
    name = REGIONS.get(str(code or ""))
    return f"{name}（{code}）" if name else str(code or "")


def parse_region(value) -> str | None:
    """A 6-digit code or a known region name -> the code; None when unknown."""
    value = (str(value or "")).strip()
    if is_code(value):
        return value
    for code, name in REGIONS.items():
        if name == value:
            return code
    return None


def area_covers(cert_area: str, case_area: str) -> bool:
    cert_area, case_area = str(cert_area or ""), str(case_area or "")
    if not (is_code(cert_area) and is_code(case_area)):
        return False
    if cert_area == case_area:
        return True
    if cert_area.endswith("0000"):  # province
        return case_area[:2] == cert_area[:2]
    if cert_area.endswith("00"):  # prefecture
        return case_area[:4] == cert_area[:4]
    return False
