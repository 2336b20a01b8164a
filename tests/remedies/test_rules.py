"""The law of remedies as pure functions: rates from a known set of outcomes, deadlines, finality."""
from datetime import date

import pytest

from remedies import rules


def test_reconsideration_correction_rate_counts_mediation_in_the_denominator_only():
    # 10 concluded: 1 撤销 + 1 责令履行 corrected; 调解/和解, 终止, 驳回 and 维持 conclude without correcting.
    outcomes = ["uphold"] * 4 + ["dismiss", "mediation", "mediation", "terminate", "revoke", "order_performance"]
    rate = rules.correction_rate(outcomes + [None])  # a pending one (no outcome) is not concluded
    assert (rate.numerator, rate.denominator) == (2, 10)
    assert rate.value == pytest.approx(0.2) and rate.percent == "20.0%"


def test_lawsuit_loss_rate_counts_withdrawal_in_the_denominator_only():
    outcomes = ["reject_claims", "reject_claims", "withdrawn", "withdrawn", "dismiss_ruling", "alter",
                "confirm_illegal"]
    rate = rules.correction_rate(outcomes)
    assert (rate.numerator, rate.denominator) == (2, 7)


def test_every_correcting_outcome_counts():
    for outcome in ("alter", "revoke", "confirm_illegal", "confirm_invalid", "order_performance"):
        assert rules.correction_rate([outcome]).numerator == 1
    assert rules.correction_rate([]).value is None and rules.correction_rate([]).percent == "—"


def test_head_appearance_rate():
    rate = rules.appearance_rate([True] * 9 + [False])
    assert (rate.numerator, rate.denominator, rate.value) == (9, 10, 0.9)


def test_answer_periods_and_rest_days():
    # 行政复议法第四十八条: 10 days; 2025-09-27 is a Saturday that was worked (National Day swap), 10-01..08 holiday.
    assert rules.answer_due("reconsideration", date(2025, 9, 22)) == date(2025, 10, 9)  # 10-02 → holiday → 10-09
    assert rules.answer_due("lawsuit", date(2025, 11, 3)) == date(2025, 11, 18)  # 行政诉讼法第六十七条: 15 days
    assert rules.answer_due("lawsuit", date(2025, 11, 7)) == date(2025, 11, 24)  # 11-22 Saturday → Monday


def test_decision_periods():
    assert rules.decision_due("reconsideration", "first", date(2025, 10, 10)) == date(2025, 12, 9)
    assert rules.decision_due("reconsideration", "first", date(2025, 10, 10), extended=True) == date(2026, 1, 8)
    assert rules.decision_due("lawsuit", "first", date(2025, 8, 31)) == date(2026, 2, 28)
    assert rules.decision_due("lawsuit", "appeal", date(2025, 11, 30)) == date(2026, 2, 28)


def test_finality():
    d = date(2025, 11, 1)
    assert rules.becomes_final_on("reconsideration", "first", "revoke", d) == d
    assert rules.becomes_final_on("lawsuit", "first", "revoke", d) == date(2025, 11, 17)  # 15 days lapsed
    assert rules.becomes_final_on("lawsuit", "first", "dismiss_ruling", d) == date(2025, 11, 12)  # ruling: 10
    assert rules.becomes_final_on("lawsuit", "appeal", "reject_claims", d) == d
    assert rules.becomes_final_on("lawsuit", "first", None, d) is None
