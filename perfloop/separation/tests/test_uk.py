"""The UK capability pack: proof that the interface assumes nothing Chinese."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.interface import JurisdictionPack, Severity
from perfloop.separation.law.uk import UNITED_KINGDOM, statutory_notice_weeks

FAIR = {
    "start_date": "2020-03-02",
    "notice_date": "2026-06-01",
    "effective_date_of_termination": "2026-07-13",
    "evidence_of_poor_performance": True,
    "support_given": True,
    "improvement_period_given": True,
    "alternative_role_considered": True,
    "meeting_held": True,
    "accompaniment_offered": True,
    "appeal_offered": True,
    "warning_given": True,
}


def codes(result, severity=None):
    return {
        item.code
        for item in result.route("capability_dismissal").findings
        if severity is None or item.severity is severity
    }


def test_uk_pack_fulfils_the_interface_with_its_own_currency_and_no_cn_rules():
    """UK-G-01: the same Protocol, GBP, no rule of the CN pack."""
    assert isinstance(UNITED_KINGDOM, JurisdictionPack)
    assert UNITED_KINGDOM.currency == "GBP"
    assert not any(rule_id.startswith("CN-") for rule_id in UNITED_KINGDOM.rules)
    assert not any(ground.pays_severance for ground in UNITED_KINGDOM.grounds)


def test_uk_g_01_a_fair_capability_procedure_allows_dismissal():
    """UK-G-01 / UK-PR-01..03: support, alternatives and a fair procedure → allowed."""
    result = UNITED_KINGDOM.check_eligibility(FAIR)
    assert result.route("capability_dismissal").is_allowed
    assert result.suggested_route == "capability_dismissal"


def test_uk_pr_01_missing_support_blocks_where_unfair_dismissal_is_claimable():
    """UK-PR-01 / UK-PR-03 / UK-M-01: with the qualifying period, gaps block and the Acas uplift risk is
    flagged.
    """
    result = UNITED_KINGDOM.check_eligibility({**FAIR, "support_given": False, "appeal_offered": False})
    assert {"uk_no_support", "uk_no_appeal"} <= codes(result, Severity.BLOCK)
    assert "uk_acas_uplift_risk" in codes(result, Severity.WARN)


def test_uk_pr_02_alternative_role_not_considered_is_warned():
    """UK-PR-02: Acas asks to try changed duties or another role first."""
    result = UNITED_KINGDOM.check_eligibility({**FAIR, "alternative_role_considered": False})
    assert "uk_alternative_role" in codes(result, Severity.WARN)


def test_uk_pr_03_unknown_procedure_facts_are_steps_to_confirm():
    """UK-PR-03: a fact not given is a step to confirm, not a silent pass."""
    facts = {key: value for key, value in FAIR.items() if key != "accompaniment_offered"}
    assert "uk_confirm_fact" in codes(UNITED_KINGDOM.check_eligibility(facts), Severity.TODO)


def test_uk_q_01_two_years_before_2027_six_months_from_2027():
    """UK-Q-01: 18 months' service: no ordinary claim with an EDT in 2026, a claim with an EDT in 2027."""
    facts = {**FAIR, "start_date": "2025-07-01", "support_given": False}
    in_2026 = UNITED_KINGDOM.check_eligibility(
        {**facts, "notice_date": "2026-11-02", "effective_date_of_termination": "2026-12-31"}
    )
    in_2027 = UNITED_KINGDOM.check_eligibility(
        {**facts, "notice_date": "2026-12-20", "effective_date_of_termination": "2027-01-04"}
    )
    assert "uk_no_qualifying_period" in codes(in_2026, Severity.WARN)
    assert "uk_no_support" in codes(in_2026, Severity.WARN)  # good practice only, no ordinary claim
    assert "uk_no_support" in codes(in_2027, Severity.BLOCK)
    assert "uk_no_compensation_cap" in codes(in_2027, Severity.WARN)


def test_uk_q_01_statutory_notice_extends_the_edt_across_the_switch():
    """UK-Q-01 (ERA s.97(2)): dismissed without notice on 2026-12-29 after 7 months:
    the week of statutory notice
    moves the EDT to 2027-01-05, so the 6-month period applies and the employee qualifies."""
    facts = {
        **FAIR,
        "start_date": "2026-06-01",
        "notice_date": "2026-12-29",
        "effective_date_of_termination": "2026-12-29",
        "support_given": False,
    }
    result = UNITED_KINGDOM.check_eligibility(facts)
    assert "uk_no_qualifying_period" not in codes(result)
    assert "uk_no_support" in codes(result, Severity.BLOCK)
    assert result.parameters_used[0].rule_id == "UK-Q-01"


def test_uk_automatically_unfair_risk_goes_to_legal_review():
    """UK-Q-01: automatically unfair reasons need no qualifying period: blocked for legal review."""
    result = UNITED_KINGDOM.check_eligibility({**FAIR, "automatically_unfair_risk": True})
    assert "uk_automatically_unfair_risk" in codes(result, Severity.BLOCK)
    assert result.needs_legal_review


def test_uk_n_01_statutory_notice_weeks():
    """UK-N-01 (ERA s.86, unverified here): none under a month, 1 week under 2 years, a
    week per year to 12."""
    import datetime as dt

    start = dt.date(2010, 1, 1)
    assert statutory_notice_weeks(start, dt.date(2010, 1, 20)) == 0
    assert statutory_notice_weeks(start, dt.date(2011, 6, 1)) == 1
    assert statutory_notice_weeks(start, dt.date(2015, 1, 1)) == 5
    assert statutory_notice_weeks(start, dt.date(2030, 1, 1)) == 12


def test_uk_m_02_notice_pay_in_gbp_with_its_working():
    """UK-N-01 / UK-M-02: pay in lieu of 6 weeks (statutory 6, contractual 4) at £612.50 = £3,675.00."""
    bundle = UNITED_KINGDOM.calculate(
        {
            "start_date": "2020-03-02",
            "notice_date": "2026-06-01",
            "weekly_pay": "612.50",
            "contractual_notice_weeks": 4,
            "pay_in_lieu": True,
        }
    )
    pay = bundle.result("notice_pay")
    assert (pay.amount, pay.currency) == (Decimal("3675.00"), "GBP")
    assert bundle.result("notice_period").details["weeks"] == "6"
    print(bundle.as_dict())


def test_uk_e_01_limitation_is_declared_unverified():
    """UK-E-01: three months less a day, marked unverified (not in the spec's sources)."""
    assert UNITED_KINGDOM.rules["UK-E-01"].is_verified is False
    assert UNITED_KINGDOM.limitation[0].months == 3


def test_uk_bad_input_has_codes():
    with pytest.raises(LawInputError) as reversed_dates:
        UNITED_KINGDOM.check_eligibility({**FAIR, "effective_date_of_termination": "2019-01-01"})
    with pytest.raises(LawInputError) as negative:
        UNITED_KINGDOM.calculate(
            {"start_date": "2020-01-01", "notice_date": "2024-01-01", "weekly_pay": "-1"}
        )
    with pytest.raises(LawInputError) as unknown:
        UNITED_KINGDOM.calculate(
            {"start_date": "2020-01-01", "notice_date": "2024-01-01", "weekly_pay": "1", "x": 1}
        )
    assert (reversed_dates.value.code, negative.value.code, unknown.value.code) == (
        "termination_before_hire",
        "negative_wage",
        "unknown_field",
    )
