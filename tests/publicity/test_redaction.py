"""The redaction engine (SPEC §8), pure: each pattern is masked, public values stay, and residual detection
finds what blocks publication."""
from datetime import date

import pytest

from app.validators import make_credit_code, make_id_number
from app.redaction import Options, Subject, is_id_number_like, redact, residual_patterns

ID = make_id_number("220681", date(1985, 6, 15), 7)


@pytest.mark.parametrize("text, secret, kind", [
    (f"身份证号码：{ID}。", ID, "id_number"),
    ("身份证号22068119850615123X，", "22068119850615123X", "id_number"),  # any 17 digits + X
    ("旧身份证220681850615123。", "220681850615123", "id_number"),  # 15 digits
    ("电话13904351234。", "13904351234", "phone"),
    ("手机 139-0435-1234 联系", "139-0435-1234", "phone"),
    ("电话+86 13904351234", "13904351234", "phone"),
    ("座机0439-5212345。", "5212345", "phone"),
    ("联系电话：5212345。", "5212345", "phone"),
    ("邮箱zhangsan@example.com。", "zhangsan@", "email"),
    ("银行卡号6222021234567890123。", "6222021234567890123", "bank_account"),
    ("卡号6222 0212 3456 7890", "6222 0212 3456", "bank_account"),
    ("开户账号：12345678901", "12345678901", "bank_account"),
    ("出生日期：1985年6月15日，", "1985年6月15日", "birth_date"),
    ("男，1985年6月15日生，汉族", "1985年6月15日", "birth_date"),
    ("生于1985-06-15，", "1985-06-15", "birth_date"),
    ("住址：吉林省临江市新市街56号3单元201室。", "新市街56号", "address"),
    ("家住临江市兴隆街道光明村三组。", "光明村", "address"),
    ("房产证号吉(2024)临江市不动产权第0001234号", "0001234", "property_certificate"),
    ("车辆吉F·7K321违停", "7K321", "plate"),
    ("现场证人邢春来在场", "邢春来", "name"),
])
def test_each_pattern_is_masked(text, secret, kind):
    result = redact(text)
    assert secret not in result.text
    assert kind in result.kinds
    assert "*" in result.text


def test_known_people_and_addresses_are_masked_officers_and_organisations_stay():
    subject = Subject(party_names=("张德福",), person_names=("周建华",), addresses=("吉林省临江市建国大街128号",),
                      keep=("王强", "临江市鑫达广告传媒有限公司"))
    text = "当事人张德福（住吉林省临江市建国大街128号）由法定代表人周建华陪同，执法人员王强、临江市鑫达广告传媒有限公司在场。"
    out = redact(text, subject).text
    assert "张德福" not in out and "张**" in out
    assert "周建华" not in out and "建国大街128号" not in out and "吉林省临江市****" in out
    assert "王强" in out and "临江市鑫达广告传媒有限公司" in out


def test_party_name_setting_and_style():
    subject = Subject(party_names=("张德福",))
    assert "张某" in redact("当事人张德福", subject, Options(name_style="mou")).text
    assert "张德福" in redact("当事人张德福", subject, Options(mask_party_name=False)).text


def test_extra_terms_are_masked_entirely():
    out = redact("当事人患有糖尿病", Subject(extra_terms=("糖尿病",))).text
    assert out == "当事人患有***"


def test_credit_codes_dates_amounts_and_numbers_are_not_personal_data():
    code = make_credit_code("220681", 30811762, "9", "1")
    text = f"统一社会信用代码{code}，2025年9月1日生效，罚款人民币1,000.00元，临城管罚〔2025〕12号，面积约120平方米。"
    assert redact(text).text == text
    assert residual_patterns(text) == []
    assert not is_id_number_like(code)


def test_an_18_digit_run_with_a_wrong_check_digit_is_still_blocked_as_a_bank_account():
    wrong = ID[:17] + ("0" if ID[17] != "0" else "1")
    assert [f.kind for f in residual_patterns(f"号码{wrong}")] == ["bank_account"]


def test_residual_patterns_find_what_blocks_publication_and_leak_nothing():
    text = f"身份证{ID}，电话13904351234，账号6222021234567890123，邮箱a@b.cn"
    findings = residual_patterns(text)
    assert sorted(f.kind for f in findings) == ["bank_account", "id_number", "phone"]  # e-mail does not block
    assert all(ID[:4] not in f.excerpt and "1390" not in f.excerpt for f in findings)
    assert residual_patterns(redact(text).text) == []


def test_allowed_values_stay():
    assert residual_patterns("机关电话0439-5211101", allowed=("0439-5211101",)) == []
    assert residual_patterns("机关电话0439-5211101") != []


def test_full_width_digits_are_caught():
    full = ID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert residual_patterns(f"身份证{full}")
    assert full not in redact(f"身份证{full}").text
