"""The certificate rules engine (SPEC §5), pure: model objects built in memory, no database.

Each rule is tested at its boundary dates: the expiry day itself, the inspection grace date, the last day
of a suspension, and exactly N years after a revocation for altering or lending.
"""
from datetime import date

import pytest

from app.errors import CertificateInvalid
from app.officers import rules
from app.officers.models import Certificate, CertificateEvent, Officer
from app.officers.rules import RuleSettings, check, check_team, issue_refusals

S = RuleSettings()  # the SPEC defaults: grace until 31 March, 2-year bar


def ev(kind, on, **kw):
    return CertificateEvent(kind=kind, on=on, reason=kw.pop("reason", ""), **kw)


def inspected(year, on=None):
    return ev("inspected", on or date(year, 2, 15), year=year, passed=True)


def cert(issued=date(2023, 5, 1), expires=date(2029, 4, 30), categories=("城市管理",), area="220681",
         events=(), kind="jilin", filed_on=None, number="220681100001"):
    c = Certificate(number=number, kind=kind, categories=list(categories), area_code=area, issued_on=issued,
                    expires_on=expires, filed_on=filed_on, issuer="吉林省人民政府", public_token="t")
    c.events = [ev("issued", issued), *events]
    return c


def officer(*certs, employment="established", name="王强", id=1, examined=True):
    from app.officers.models import Examination

    o = Officer(id=id, name=name, employment_type=employment)
    o.certificates = list(certs)
    o.examinations = [Examination(taken_on=date(2000, 1, 1), score=80, passed=True)] if examined else []
    return o


def codes(failures):
    return [f.code for f in failures]


def messages(failures):
    return [f.message for f in failures]


def all_years():
    """Fresh event objects each time: an event belongs to exactly one certificate."""
    return [inspected(y) for y in range(2024, 2030)]


# --- expiry ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("on, ok", [
    (date(2025, 12, 30), True),
    (date(2025, 12, 31), True),  # the expiry date itself is still valid
    (date(2026, 1, 1), False),  # the day after is not
])
def test_expiry_boundary(on, ok):
    o = officer(cert(issued=date(2020, 1, 1), expires=date(2025, 12, 31),
                     events=[inspected(y) for y in range(2021, 2026)]))
    failures = check(o, on, settings=S)
    assert (failures == []) is ok
    if not ok:
        assert messages(failures) == ["证件已过期（有效期至2025-12-31）"]
        assert failures[0].rule == "SPEC §5.2" and failures[0].certificate == "220681100001"


def test_not_yet_valid_before_issue():
    o = officer(cert(issued=date(2026, 6, 1), expires=date(2031, 5, 31)))
    assert messages(check(o, date(2026, 5, 31), settings=S)) == ["证件尚未生效（发证日期2026-06-01）"]
    assert check(o, date(2026, 6, 1), settings=S) == []


# --- annual inspection ----------------------------------------------------------------------------------

@pytest.mark.parametrize("on, ok", [
    (date(2026, 1, 1), True),  # last year's inspection counts during the grace period
    (date(2026, 3, 31), True),  # ... up to and including the grace date
    (date(2026, 4, 1), False),  # the day after, this year's inspection is required
])
def test_inspection_grace_boundary(on, ok):
    o = officer(cert(events=[inspected(2024), inspected(2025)]))
    failures = check(o, on, settings=S)
    assert (failures == []) is ok
    if not ok:
        assert messages(failures) == ["未通过2026年度年检（宽限期至2026-03-31）"]
        assert failures[0].code == "inspection_missing" and failures[0].rule == "SPEC §5.3"


def test_this_years_inspection_passes_after_grace():
    o = officer(cert(events=[inspected(2025), inspected(2026, date(2026, 3, 10))]))
    assert check(o, date(2026, 4, 1), settings=S) == []


def test_inspection_recorded_later_does_not_count_before_it_was_recorded():
    o = officer(cert(events=[inspected(2025), inspected(2026, date(2026, 5, 10))]))
    assert codes(check(o, date(2026, 5, 9), settings=S)) == ["inspection_missing"]
    assert check(o, date(2026, 5, 10), settings=S) == []


def test_missing_previous_year_inspection_fails_inside_grace():
    o = officer(cert(events=[inspected(2024)]))
    assert messages(check(o, date(2026, 2, 1), settings=S)) == ["未通过2025年度年检（宽限期至2025-03-31）"]


def test_failed_inspection_does_not_count():
    o = officer(cert(events=[inspected(2025), ev("inspected", date(2026, 3, 1), year=2026, passed=False)]))
    assert codes(check(o, date(2026, 4, 1), settings=S)) == ["inspection_missing"]


@pytest.mark.parametrize("issued, on, ok", [
    (date(2026, 2, 1), date(2026, 12, 31), True),  # issued this year: no inspection this year
    (date(2025, 6, 1), date(2026, 3, 31), True),  # issued last year: last year needs none either
    (date(2025, 6, 1), date(2026, 4, 1), False),  # but this year's is due after the grace date
])
def test_new_certificates_need_no_inspection_in_their_first_year(issued, on, ok):
    o = officer(cert(issued=issued, expires=date(2031, 1, 31)))
    assert (check(o, on, settings=S) == []) is ok


def test_grace_date_is_a_setting():
    o = officer(cert(events=[inspected(2025)]))
    june = RuleSettings(inspection_grace_month=6, inspection_grace_day=30)
    assert check(o, date(2026, 6, 30), settings=june) == []
    assert messages(check(o, date(2026, 7, 1), settings=june)) == ["未通过2026年度年检（宽限期至2026-06-30）"]


# --- suspension, revocation, cancellation ---------------------------------------------------------------

@pytest.mark.parametrize("on, expected", [
    (date(2026, 1, 31), []),
    (date(2026, 2, 1), ["证件已暂扣（至2026-03-01）"]),
    (date(2026, 3, 1), ["证件已暂扣（至2026-03-01）"]),  # the last day of the suspension
    (date(2026, 3, 2), []),
])
def test_suspension_until_a_date(on, expected):
    o = officer(cert(events=[*all_years()[:2], ev("suspended", date(2026, 2, 1), until=date(2026, 3, 1))]))
    assert messages(check(o, on, settings=S)) == expected


def test_open_suspension_lasts_until_restored():
    c = cert(events=[*all_years()[:3], ev("suspended", date(2026, 5, 1)), ev("restored", date(2026, 6, 10))])
    o = officer(c)
    assert messages(check(o, date(2026, 6, 9), settings=S)) == ["证件已暂扣（暂扣期限未定，待发还）"]
    assert check(o, date(2026, 6, 10), settings=S) == []


def test_revoked_and_cancelled():
    revoked = officer(cert(events=[*all_years()[:3], ev("revoked", date(2026, 5, 1), reason_type="lent")]))
    assert check(revoked, date(2026, 4, 30), settings=S) == []
    assert messages(check(revoked, date(2026, 5, 1), settings=S)) == ["证件已吊销（吊销日期2026-05-01）"]
    cancelled = officer(cert(events=[*all_years()[:3], ev("cancelled", date(2026, 7, 1))]))
    assert messages(check(cancelled, date(2026, 7, 1), settings=S)) == ["证件已注销（注销日期2026-07-01）"]


def test_status_is_derived_from_history():
    c = cert(events=[*all_years()[:3], ev("suspended", date(2026, 5, 1), until=date(2026, 5, 31)),
                     ev("revoked", date(2026, 8, 1), reason_type="other")])
    assert rules.status_on(c, date(2026, 4, 30)).state == "valid"
    assert rules.status_on(c, date(2026, 5, 15)).state == "suspended"
    assert rules.status_on(c, date(2026, 6, 1)).state == "valid"
    assert rules.status_on(c, date(2026, 8, 1)).state == "revoked"
    assert rules.status_on(c, date(2030, 1, 1)).state == "revoked"  # final, whatever the expiry


# --- category and area ----------------------------------------------------------------------------------

def test_category_must_be_covered():
    o = officer(cert(categories=("住建",), events=all_years()))
    assert messages(check(o, date(2026, 6, 1), category="城市管理", settings=S)) == ["证件执法类别不含“城市管理”"]
    assert check(o, date(2026, 6, 1), category="住建", settings=S) == []


@pytest.mark.parametrize("cert_area, case_area, ok", [
    ("220681", "220681", True),
    ("220600", "220681", True),  # 白山市 covers its county-level city 临江市
    ("220000", "220681", True),  # the province covers everything in it
    ("220681", "220621", False),
    ("220621", "220681", False),
    ("220600", "220100", False),
    ("220000", "210100", False),
])
def test_area_must_be_covered(cert_area, case_area, ok):
    o = officer(cert(area=cert_area, events=all_years()))
    failures = check(o, date(2026, 6, 1), area=case_area, settings=S)
    assert (failures == []) is ok
    if not ok:
        assert codes(failures) == ["area_missing"] and failures[0].message.startswith("证件执法区域不含")


def test_area_message_names_the_region():
    o = officer(cert(area="220621", events=all_years()))
    assert messages(check(o, date(2026, 6, 1), area="220681", settings=S)) == [
        "证件执法区域不含“临江市（220681）”（证件区域：抚松县（220621））"]


# --- people ---------------------------------------------------------------------------------------------

def test_no_certificate():
    assert messages(check(officer(), date(2026, 6, 1), settings=S)) == ["不持有行政执法证件"]


@pytest.mark.parametrize("employment, label", [
    ("auxiliary", "辅助"), ("contract", "合同"), ("temporary", "临时"), ("public_welfare", "公益性岗位")])
def test_auxiliary_staff_may_never_act(employment, label):
    o = officer(cert(events=all_years()), employment=employment)
    failures = check(o, date(2026, 6, 1), settings=S)
    assert messages(failures) == [f"辅助人员不得从事执法活动（用工性质：{label}）"]
    assert failures[0].rule == "SPEC §5.5"
    assert codes(issue_refusals(o, date(2026, 6, 1), settings=S)) == ["not_established"]


def test_every_failure_is_reported_at_once():
    o = officer(cert(issued=date(2020, 1, 1), expires=date(2025, 12, 31), categories=("住建",),
                     events=[inspected(2021)]), employment="contract")
    failures = check(o, date(2026, 6, 1), category="城市管理", area="220621", settings=S)
    # An expired card is not also reported for a missed inspection: the expiry is the reason.
    assert codes(failures) == ["not_established", "expired", "category_missing", "area_missing"]
    o.certificates[0].expires_on = date(2027, 12, 31)
    assert codes(check(o, date(2026, 6, 1), category="城市管理", area="220621", settings=S)) == [
        "not_established", "inspection_missing", "category_missing", "area_missing"]


def test_ministry_certificate_counts_only_once_filed():
    c = cert(kind="ministry", filed_on=date(2026, 3, 1), events=all_years())
    assert codes(check(officer(c), date(2026, 2, 28), settings=S)) == ["not_filed"]
    assert check(officer(c), date(2026, 3, 1), settings=S) == []


def test_one_passing_certificate_is_enough():
    old = cert(number="A1", issued=date(2015, 1, 1), expires=date(2020, 12, 31))
    new = cert(number="A2", issued=date(2021, 1, 1), expires=date(2027, 12, 31), events=all_years())
    assert check(officer(old, new), date(2026, 6, 1), settings=S) == []


def test_check_never_raises_on_odd_data():
    o = officer(cert(events=all_years()), employment="unknown")
    assert codes(check(o, date(2026, 6, 1), category="", area="bad", settings=S)) == ["not_established",
                                                                                      "area_missing"]


# --- the revocation bar ---------------------------------------------------------------------------------

@pytest.mark.parametrize("reason_type, on, barred", [
    ("lent", date(2026, 5, 9), True),  # the day before the 2 years are over
    ("lent", date(2026, 5, 10), False),  # exactly 2 years after the revocation
    ("altered", date(2026, 5, 9), True),
    ("altered", date(2026, 5, 10), False),
    ("other", date(2024, 5, 11), False),  # other grounds do not bar a new certificate
])
def test_revocation_bar_boundary(reason_type, on, barred):
    o = officer(cert(events=[ev("revoked", date(2024, 5, 10), reason_type=reason_type)]))
    refusals = issue_refusals(o, on, settings=S)
    assert bool(refusals) is barred
    if barred:
        label = {"lent": "出借证件", "altered": "涂改证件"}[reason_type]
        assert refusals[0].message == (f"因{label}被吊销行政执法证件的，2年内不得重新申领"
                                       "（吊销日期2024-05-10，2026-05-10起方可重新发证）")
        assert refusals[0].rule == "SPEC §5.6"


def test_revocation_bar_from_29_february():
    o = officer(cert(events=[ev("revoked", date(2024, 2, 29), reason_type="altered")]))
    assert issue_refusals(o, date(2026, 2, 27), settings=S)
    assert issue_refusals(o, date(2026, 2, 28), settings=S) == []


def test_revocation_bar_years_is_a_setting():
    o = officer(cert(events=[ev("revoked", date(2024, 5, 10), reason_type="lent")]))
    assert issue_refusals(o, date(2026, 5, 10), settings=RuleSettings(revocation_bar_years=3))
    assert issue_refusals(o, date(2027, 5, 10), settings=RuleSettings(revocation_bar_years=3)) == []


# --- the two-officer helper -----------------------------------------------------------------------------

def valid_officer(id, name):
    return officer(cert(number=f"N{id}", events=all_years()), id=id, name=name)


def expired_officer(id, name):
    return officer(cert(number=f"N{id}", issued=date(2019, 1, 1), expires=date(2025, 12, 31),
                        events=[inspected(y) for y in range(2020, 2026)]), id=id, name=name)


ON = date(2026, 6, 1)


def test_two_distinct_passing_officers():
    team = check_team([valid_officer(1, "王强"), valid_officer(2, "刘洋")], ON, category="城市管理",
                      area="220681", settings=S)
    assert team.ok and [o.name for o in team.passing] == ["王强", "刘洋"]


def test_the_same_officer_twice_is_refused():
    wang = valid_officer(1, "王强")
    team = check_team([wang, wang], ON, settings=S)
    assert not team.ok and team.reasons() == ["王强：同一执法人员不能重复计算"]


def test_one_failing_officer_is_refused_naming_who_and_why():
    team = check_team([valid_officer(1, "王强"), expired_officer(2, "李娜")], ON, settings=S)
    assert not team.ok
    assert team.reasons() == ["李娜：证件已过期（有效期至2025-12-31）"]


def test_require_qualified_raises_with_each_officers_reasons():
    from app.officers.services import require_qualified

    passing = require_qualified([valid_officer(1, "王强"), valid_officer(2, "刘洋")], ON)
    assert len(passing) == 2
    with pytest.raises(CertificateInvalid) as err:
        require_qualified([valid_officer(1, "王强"), expired_officer(2, "李娜"),
                           officer(id=3, name="孙浩", employment="auxiliary")], ON, category="城市管理")
    e = err.value
    assert e.code == "certificate_invalid" and e.status == 422
    assert e.message.startswith("至少需要两名持有有效执法证件的执法人员（行政处罚法第四十二条），符合条件的仅1名：")
    assert "李娜：证件已过期（有效期至2025-12-31）" in e.message
    assert "孙浩：辅助人员不得从事执法活动（用工性质：辅助）；不持有行政执法证件" in e.message
    assert e.details["passing"] == [1]
    assert [(o["name"], [f["code"] for f in o["failures"]]) for o in e.details["officers"]] == [
        ("李娜", ["expired"]), ("孙浩", ["not_established", "no_certificate"])]


def test_require_qualified_minimum_is_a_parameter():
    from app.officers.services import require_qualified

    assert require_qualified([valid_officer(1, "王强")], ON, minimum=1)
    with pytest.raises(CertificateInvalid):
        require_qualified([valid_officer(1, "王强"), valid_officer(2, "刘洋")], ON, minimum=3)


def test_a_new_certificate_needs_a_passed_examination():
    from app.officers.models import Examination

    o = officer(examined=False)
    assert codes(issue_refusals(o, date(2026, 6, 1), settings=S)) == ["exam_missing"]
    o.examinations = [Examination(taken_on=date(2026, 5, 1), score=55, passed=False)]
    [failure] = issue_refusals(o, date(2026, 6, 1), settings=S)
    assert failure.code == "exam_failed" and "55" in failure.message and "统一考试" in failure.rule
    o.examinations.append(Examination(taken_on=date(2026, 7, 1), score=75, passed=True))
    assert codes(issue_refusals(o, date(2026, 6, 1), settings=S)) == ["exam_failed"]  # passed only later
    assert issue_refusals(o, date(2026, 7, 1), settings=S) == []


def test_the_annual_inspection_needs_the_years_training_hours():
    from app.officers.models import TrainingRecord

    o = officer()
    o.trainings = [TrainingRecord(kind="pre_post", course="岗前培训", hours=60, completed_on=date(2025, 3, 1)),
                   TrainingRecord(kind="annual", course="法律知识", hours=24, completed_on=date(2025, 5, 1)),
                   TrainingRecord(kind="special", course="执法记录仪", hours=15.5, completed_on=date(2025, 9, 1)),
                   TrainingRecord(kind="annual", course="法律知识", hours=40, completed_on=date(2024, 5, 1))]
    failure = rules.hours_failure(o, 2025, S)
    assert failure.code == "training_hours" and "39.5学时，不足40学时" in failure.message
    assert rules.hours_failure(o, 2024, S) is None
    assert rules.hours_failure(o, 2025, RuleSettings(training_hours=30)) is None  # a setting
