"""Party identifiers: ID numbers (GB 11643), credit codes (GB 32100), mobile numbers, masking."""
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.validators import (
    PROVINCE_CODES,
    id_number_birth_date,
    id_number_is_male,
    is_valid_credit_code,
    is_valid_id_number,
    is_valid_mobile,
    make_credit_code,
    make_id_number,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_id_number,
    normalize_mobile,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
)

TODAY = date(2026, 3, 1)


# --- 居民身份证号码 ----------------------------------------------------------------------------------

@pytest.mark.parametrize("number", [
    "11010519491231002X",   # the example printed in GB 11643-1999
    "11010519491231002x",   # lower-case x is accepted
    " 1101 0519 4912 3100 2X ",
    "１１０１０５１９４９１２３１００２Ｘ",  # full-width, as typed with a Chinese input method
    # Linjiang, born 7 March 1990, sequence 123. Weighted sum of the first 17 digits with
    # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 is 279; 279 mod 11 = 4, which maps to check digit 8.
    "220681199003071238",
])
def test_valid_id_numbers(number):
    assert validate_id_number(number, today=TODAY) is None
    assert is_valid_id_number(number, today=TODAY)


def test_normalised_form_is_upper_case_ascii():
    assert normalize_id_number("１１０１０５１９４９１２３１００２x") == "11010519491231002X"


@pytest.mark.parametrize("number, reason", [
    ("", "身份证号码不能为空"),
    (None, "身份证号码不能为空"),
    ("110105491231002", "身份证号码应为18位"),  # old 15-digit number
    ("11010519491231002X1", "身份证号码应为18位"),
    ("1101051949123100X2", "身份证号码只能包含数字，最后一位可以是X"),
    ("11010519491231002Y", "身份证号码只能包含数字，最后一位可以是X"),
    ("99010519491231002X", "身份证号码地区码无效"),
    ("00010519491231002X", "身份证号码地区码无效"),
    ("110105194902300027", "身份证号码出生日期无效"),  # 30 February
    ("110105189912310027", "身份证号码出生日期无效"),  # before 1900
    ("110105202603020027", "身份证号码出生日期无效"),  # after TODAY
    ("110105194912310021", "身份证号码校验位错误（应为X）"),
    ("220681199003071230", "身份证号码校验位错误（应为8）"),
])
def test_invalid_id_numbers(number, reason):
    assert validate_id_number(number, today=TODAY) == reason
    assert not is_valid_id_number(number, today=TODAY)


def test_birth_date_and_sex():
    assert id_number_birth_date("11010519491231002X") == date(1949, 12, 31)
    assert id_number_is_male("11010519491231002X") is False  # sequence 002: even, a woman
    assert id_number_is_male("220681199003071238") is True   # sequence 123: odd, a man
    assert id_number_birth_date("110105194912310021") is None


def test_make_id_number_matches_a_hand_computed_example():
    assert make_id_number("220681", date(1990, 3, 7), 123) == "220681199003071238"
    assert make_id_number(birth=date(1949, 12, 31), seq=2, region="110105") == "11010519491231002X"


@pytest.mark.parametrize("kwargs", [
    {"region": "990000"}, {"region": "2206"}, {"seq": 1000}, {"seq": -1},
    {"birth": date(1899, 12, 31)}, {"birth": date(2999, 1, 1)},
])
def test_make_id_number_refuses_impossible_input(kwargs):
    with pytest.raises(ValueError):
        make_id_number(**kwargs)


regions = st.builds(lambda p, rest: p + f"{rest:04d}",
                    st.sampled_from(sorted(PROVINCE_CODES)), st.integers(0, 9999))
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))


@settings(max_examples=300)
@given(region=regions, birth=births, seq=st.integers(0, 999))
def test_generated_id_numbers_round_trip(region, birth, seq):
    number = make_id_number(region, birth, seq)
    assert validate_id_number(number) is None
    assert number[:6] == region
    assert id_number_birth_date(number) == birth
    assert id_number_is_male(number) is (seq % 2 == 1)


@settings(max_examples=300)
@given(region=regions, birth=births, seq=st.integers(0, 999), pos=st.integers(0, 17),
       digit=st.sampled_from("0123456789"))
def test_any_single_digit_change_is_caught(region, birth, seq, pos, digit):
    number = make_id_number(region, birth, seq)
    changed = number[:pos] + digit + number[pos + 1:]
    if changed != number:
        assert validate_id_number(changed) is not None


# --- 统一社会信用代码 ---------------------------------------------------------------------------------

@pytest.mark.parametrize("code", [
    "91350100M000100Y43",   # the example commonly cited from GB 32100 material (Fuzhou enterprise)
    "91110108551385082Q",   # a real enterprise registered in Beijing Haidian
    # Built by hand: organisation code body 12345678, weighted with 3 7 9 10 5 8 4 2 gives 201;
    # 11 - 201 mod 11 = 8. MOD 31 over the first 17 characters gives 1300 mod 31 = 29; 31 - 29 = 2.
    "112206811234567882",
    "91350100m000100y43",
])
def test_valid_credit_codes(code):
    assert validate_credit_code(code) is None
    assert is_valid_credit_code(code)


@pytest.mark.parametrize("code, reason", [
    ("", "统一社会信用代码不能为空"),
    ("91350100M000100Y4", "统一社会信用代码应为18位"),
    ("91350100M000100Y43A", "统一社会信用代码应为18位"),
    ("91350100M000100I43", "统一社会信用代码含有无效字符（只能使用数字和除I、O、S、V、Z以外的大写字母）"),
    ("91350100M0001O0Y43", "统一社会信用代码含有无效字符（只能使用数字和除I、O、S、V、Z以外的大写字母）"),
    ("B1350100M000100Y43", "统一社会信用代码登记管理部门代码无效"),
    ("94350100M000100Y43", "统一社会信用代码机构类别代码无效"),
    ("17350100M000100Y43", "统一社会信用代码机构类别代码无效"),
    ("91990100M000100Y43", "统一社会信用代码登记管理机关行政区划码无效"),
    ("9135A100M000100Y43", "统一社会信用代码登记管理机关行政区划码无效"),
    ("91350100M000100Y53", "统一社会信用代码中的组织机构代码校验位错误（应为4）"),
    ("91350100M000100Y44", "统一社会信用代码校验位错误（应为3）"),
])
def test_invalid_credit_codes(code, reason):
    assert validate_credit_code(code) == reason
    assert not is_valid_credit_code(code)


def test_make_credit_code():
    assert make_credit_code("220681", 12345678, "1", "1") == "112206811234567882"
    government = make_credit_code(org_seq=7)
    enterprise = make_credit_code(org_seq=7, authority="9", category="1")
    assert government.startswith("11220681") and enterprise.startswith("91220681")
    assert is_valid_credit_code(government) and is_valid_credit_code(enterprise)
    with pytest.raises(ValueError):
        make_credit_code(authority="9", category="9")
    with pytest.raises(ValueError):
        make_credit_code(region="990000")
    with pytest.raises(ValueError):
        make_credit_code(org_seq=100_000_000)


authority_category = st.sampled_from([("1", "1"), ("1", "2"), ("5", "1"), ("5", "2"), ("9", "1"),
                                      ("9", "2"), ("9", "3"), ("N", "2"), ("Y", "1")])


@settings(max_examples=300)
@given(region=regions, org_seq=st.integers(0, 99_999_999), ac=authority_category)
def test_generated_credit_codes_round_trip(region, org_seq, ac):
    code = make_credit_code(region, org_seq, *ac)
    assert validate_credit_code(code) is None
    assert code[2:8] == region


@settings(max_examples=300)
@given(org_seq=st.integers(0, 99_999_999), pos=st.integers(0, 17),
       char=st.sampled_from("0123456789ABCDEFGHJKLMNPQRTUWXY"))
def test_any_single_character_change_is_caught(org_seq, pos, char):
    code = make_credit_code(org_seq=org_seq, authority="9", category="1")
    changed = code[:pos] + char + code[pos + 1:]
    if changed != code:
        assert validate_credit_code(changed) is not None


# --- 手机号码 ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("number", ["13800138000", "19912345678", "+86 138 0013 8000", "138-0013-8000",
                                    "008613800138000", "8613800138000"])
def test_valid_mobiles(number):
    assert validate_mobile(number) is None
    assert is_valid_mobile(number)
    assert len(normalize_mobile(number)) == 11


@pytest.mark.parametrize("number, reason", [
    ("", "手机号码不能为空"),
    ("1380013800", "手机号码应为11位"),
    ("138001380000", "手机号码应为11位"),
    ("1380013800a", "手机号码只能包含数字"),
    ("12800138000", "手机号码格式不正确（应以13至19开头）"),
    ("04353212345", "手机号码格式不正确（应以13至19开头）"),  # a Linjiang landline, not a mobile
])
def test_invalid_mobiles(number, reason):
    assert validate_mobile(number) == reason


# --- Masking -----------------------------------------------------------------------------------------

def test_masking():
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_id_number("11010519491231002x") == "110***********002X"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("+86 138 0013 8000") == "138****8000"
    assert mask_phone("0435-3212345") == "*******2345"
    assert mask_name("张三") == "张*"
    assert mask_name("张三丰") == "张**"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("张三丰", style="mou") == "张某"
    assert mask_name("") == ""
    assert mask_name(None) == ""


@settings(max_examples=100)
@given(region=regions, birth=births, seq=st.integers(0, 999))
def test_masked_id_number_hides_the_birth_date(region, birth, seq):
    masked = mask_id_number(make_id_number(region, birth, seq))
    assert len(masked) == 18
    assert f"{birth:%Y%m%d}" not in masked
    assert not is_valid_id_number(masked)
