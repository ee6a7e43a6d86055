"""Exit money under the Labour Contract Law: worked examples derived from the
rules, each printing its working.

Run with ``-s`` to read the working; every figure below was computed by hand from labour-law-cn.md §6.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfloop.core.months import Month
from perfloop.separation.law.cn_severance import (
    LocalWageReference,
    MonthlyWage,
    PartMonthCounting,
    Pre2008Rule,
    SeveranceInput,
    SeveranceParameters,
    exit_options,
    last_working_day,
    multiplier_for,
    negotiated_exit,
    pay_in_lieu,
    severance,
    unlawful_damages,
    wage_window,
    wages_from_uniform,
)
from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.interface import CalculationResult
from perfloop.separation.law.periods import measure_service
from perfloop.separation.law.working import render_text

SHANGHAI_2022 = LocalWageReference(
    city="shanghai",
    average_wage_year=2022,
    average_monthly_wage=Decimal("12183"),
    minimum_monthly_wage=Decimal("2590"),
    overtime_in_wage_base=False,
    source_note="test figure",
)
THREE_A = Decimal("36549")  # 3 × 12,183


def case(
    hire: str,
    termination: str,
    wage: str = "8000",
    *,
    reference: LocalWageReference = SHANGHAI_2022,
    **changes: object,
) -> SeveranceInput:
    hire_date, termination_date = dt.date.fromisoformat(hire), dt.date.fromisoformat(termination)
    wages = wages_from_uniform(wage_window(hire_date, termination_date), Decimal(wage))
    data = SeveranceInput(
        hire_date=hire_date, termination_date=termination_date, wages=wages, reference=reference
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def show(result: CalculationResult) -> CalculationResult:
    print(f"\n{result.name}: {result.amount}")
    print(render_text(list(result.steps), "zh"))
    print(render_text(list(result.steps), "en"))
    return result


def rules_of(result: CalculationResult) -> set[str]:
    return {step.rule_id for step in result.steps}


# ---------------------------------------------------------------------------- worked examples


def test_cn_m_02_six_month_remainder_counts_as_full_year():
    """CN-M-02: 3 years 6 months → N = 4 ("六个月以上" includes 6); W = 8,000 ≤ 3A → S = 32,000.00."""
    result = show(severance(case("2020-01-01", "2023-06-30")))
    assert result.amount == Decimal("32000.00")
    assert result.details["multiplier"] == "4"
    assert result.details["is_capped"] == "false"


def test_cn_m_02_remainder_under_six_months_counts_as_half():
    """CN-M-02: 3 years 3 months → N = 3.5 → S = 28,000.00."""
    result = show(severance(case("2020-01-01", "2023-03-31")))
    assert result.amount == Decimal("28000.00")
    assert result.details["multiplier"] == "3.5"


def test_cn_m_02_part_month_counting_is_a_logged_parameter():
    """CN-M-02: 3y 5m 11d: exact → 3.5, a started month counts → 4, part month ignored
    → 3.5; always logged."""
    base = case("2020-01-01", "2023-06-11")
    counted = {
        counting: show(severance(replace(base, parameters=SeveranceParameters(part_month_counting=counting))))
        for counting in PartMonthCounting
    }
    assert counted[PartMonthCounting.EXACT].details["multiplier"] == "3.5"
    assert counted[PartMonthCounting.STARTED_MONTH_COUNTS].details["multiplier"] == "4"
    assert counted[PartMonthCounting.IGNORE_PART_MONTH].details["multiplier"] == "3.5"
    used = {use.name: use for use in counted[PartMonthCounting.STARTED_MONTH_COUNTS].parameters_used}
    assert used["part_month_counting"].is_default is False
    assert used["part_month_counting"].status == "unverified"


def test_cn_m_02_leftover_days_alone_are_half_a_month_unless_ignored():
    """CN-M-02: exactly 2 years and 10 days: exact → 2.5, ignore part month → 2."""
    exact = severance(case("2021-01-01", "2023-01-10"))
    ignored = severance(
        case(
            "2021-01-01",
            "2023-01-10",
            parameters=SeveranceParameters(part_month_counting=PartMonthCounting.IGNORE_PART_MONTH),
        )
    )
    assert (exact.details["multiplier"], ignored.details["multiplier"]) == ("2.5", "2")


def test_cn_m_02_merged_service_from_previous_employer_counts():
    """CN-M-02 (LCL-Regs Art. 10): moved not of their own accord, service since
    2019-03-01 → 4y 4m → N = 4.5."""
    result = show(severance(case("2021-01-01", "2023-06-30", merged_service_start=dt.date(2019, 3, 1))))
    assert result.details["multiplier"] == "4.5"
    assert result.amount == Decimal("36000.00")


def test_cn_m_04_above_3a_base_is_3a_and_years_stop_at_12():
    """CN-M-04: W = 40,000 > 3A = 36,549 and 15 years → base 3A, N capped at 12 → S = 438,588.00."""
    result = show(severance(case("2008-07-01", "2023-06-30", "40000")))
    assert result.amount == THREE_A * 12
    assert result.details["multiplier"] == "12"
    assert result.details["is_capped"] == "true"


def test_cn_m_04_at_or_below_3a_has_no_12_year_limit():
    """CN-M-04: W ≤ 3A with 15 years → N = 15, no 12-year limit (the asiabriefing error avoided)."""
    below = show(severance(case("2008-07-01", "2023-06-30", "20000")))
    exactly = show(severance(case("2008-07-01", "2023-06-30", "36549")))
    assert below.amount == Decimal("300000.00")
    assert exactly.amount == THREE_A * 15
    assert exactly.details["is_capped"] == "false"


def test_cn_m_03_fewer_than_12_months_averages_the_months_worked():
    """CN-M-03: hired 2023-01-01, out 2023-06-30: (6,000 + 6,000 + 7,000 + 7,000 + 8,000 + 8,000) ÷ 6 =
    7,000; N = 1.
    """
    amounts = ["6000", "6000", "7000", "7000", "8000", "8000"]
    wages = tuple(
        MonthlyWage(Month(2023, index + 1), Decimal(amount)) for index, amount in enumerate(amounts)
    )
    data = replace(case("2023-01-01", "2023-06-30"), wages=wages)
    result = show(severance(data))
    assert result.details["wage"] == "7,000.00"
    assert result.amount == Decimal("7000.00")


def test_cn_m_03_window_is_the_full_months_before_a_mid_month_termination():
    """CN-M-03: out on 2023-06-15 → the window is 2022-06 … 2023-05; hired mid-month → the hire month is left
    out.
    """
    assert wage_window(dt.date(2019, 3, 1), dt.date(2023, 6, 15)) == tuple(
        Month(2022, 6) + offset for offset in range(12)
    )
    assert wage_window(dt.date(2023, 1, 15), dt.date(2023, 6, 30))[0] == Month(2023, 2)
    assert wage_window(dt.date(2023, 6, 3), dt.date(2023, 6, 20)) == (Month(2023, 6),)


def test_cn_m_03_minimum_wage_floor_lifts_a_low_average():
    """CN-M-03: W = 2,000 below Shanghai's minimum 2,590 → W = 2,590; 2 years → S = 5,180.00."""
    result = show(severance(case("2021-07-01", "2023-06-30", "2000")))
    assert result.amount == Decimal("5180.00")
    assert "CN-M-03" in rules_of(result)


def test_cn_m_03_overtime_follows_the_city_rule_unless_overridden():
    """CN-M-03: 8,000 of which 1,000 overtime: Shanghai leaves it out (W = 7,000), Beijing counts it (W =
    8,000).
    """
    window = wage_window(dt.date(2021, 7, 1), dt.date(2023, 6, 30))
    wages = tuple(MonthlyWage(month, Decimal("8000"), Decimal("1000")) for month in window)
    shanghai = replace(case("2021-07-01", "2023-06-30"), wages=wages)
    beijing = replace(shanghai, reference=replace(SHANGHAI_2022, city="beijing", overtime_in_wage_base=True))
    overridden = replace(shanghai, parameters=SeveranceParameters(include_overtime=True))
    assert show(severance(shanghai)).amount == Decimal("14000.00")
    assert show(severance(beijing)).amount == Decimal("16000.00")
    result = severance(overridden)
    assert result.amount == Decimal("16000.00")
    used = {use.name: use for use in result.parameters_used}
    assert used["include_overtime"].is_default is False


def test_cn_m_05_pre_2008_segment_uses_the_old_rule_then_article_47():
    """CN-M-05: hired 2005-03-01, out 2023-06-30, W = 8,000.
    Before 2008: 2y 10m → 3 months (part year = a year); from 2008: 15y 6m → 16; S =
    (3 + 16) × 8,000 = 152,000.00."""
    result = show(severance(case("2005-03-01", "2023-06-30")))
    assert result.details["pre_2008_months"] == "3"
    assert result.details["post_2008_multiplier"] == "16"
    assert result.amount == Decimal("152000.00")


def test_cn_m_05_the_3a_cap_applies_only_to_the_post_2008_segment():
    """CN-M-05 with CN-M-04: W = 40,000: S₁ = 3 × 40,000 = 120,000 (no cap), S₂ = 12 × 36,549 = 438,588 →
    558,588.00.
    """
    result = show(severance(case("2005-03-01", "2023-06-30", "40000")))
    assert result.amount == Decimal("558588.00")


def test_cn_m_05_old_rule_caps_pre_2008_months_at_12():
    """CN-M-05: 18 years before 2008 count as 12 months under 劳部发〔1994〕481号."""
    result = show(severance(case("1990-01-01", "2009-12-31")))
    assert result.details["pre_2008_months"] == "12"
    assert result.details["post_2008_multiplier"] == "2"
    assert result.amount == Decimal("112000.00")


def test_cn_m_05_pre_2008_hook_can_be_switched_per_city():
    """CN-M-05: a city rule (or the parameter) may count pre-2008 years under Art. 47: 18y 4m → 18.5 →
    148,000.00.
    """
    city = replace(SHANGHAI_2022, pre_2008_rule=Pre2008Rule.LCL_ART_47.value)
    result = show(severance(case("2005-03-01", "2023-06-30", reference=city)))
    assert result.amount == Decimal("148000.00")
    used = {use.name: use for use in result.parameters_used}
    assert used["pre_2008_rule"].value == "lcl_art_47"
    assert used["pre_2008_rule"].is_default


def test_cn_m_06_pay_in_lieu_is_the_previous_month_wage_not_the_average_nor_capped():
    """CN-M-06: W averages 8,000 but May's wage was 50,000 (above 3A): P = 50,000.00."""
    data = case("2020-01-01", "2023-06-30", notice_given=False)
    wages = tuple(
        replace(wage, amount=Decimal("50000")) if wage.month == Month(2023, 5) else wage
        for wage in data.wages
    )
    result = show(pay_in_lieu(replace(data, wages=wages)))
    assert result.amount == Decimal("50000.00")
    assert result.details["month"] == "2023-05"


def test_cn_m_06_no_pay_in_lieu_when_notice_is_given():
    """CN-M-06: 30 days' written notice given → P = 0.00."""
    assert pay_in_lieu(case("2020-01-01", "2023-06-30")).amount == Decimal("0")


def test_cn_m_07_lawful_total_is_severance_plus_pay_in_lieu():
    """CN-M-07: S = 32,000 + P = 8,000 → 40,000.00."""
    bundle = exit_options(
        case("2020-01-01", "2023-06-30", notice_given=False, notice_date=dt.date(2023, 6, 30))
    )
    for result in bundle.results:
        show(result)
    assert bundle.result("lawful_total").amount == Decimal("40000.00")


def test_cn_m_01_article_40_termination_triggers_severance():
    """CN-M-01: the severance working starts from LCL Art. 46(3)."""
    result = severance(case("2020-01-01", "2023-06-30"))
    assert result.steps[0].rule_id == "CN-M-01"


def test_cn_m_08_damages_are_twice_severance_counted_from_the_first_day_of_work():
    """CN-M-08: hired 2005-03-01: 18y 4m → 18.5 (pre-2008 included, no segmentation) → D = 2 × 18.5 × 8,000 =
    296,000.00.
    """
    result = show(unlawful_damages(case("2005-03-01", "2023-06-30")))
    assert result.amount == Decimal("296000.00")


def test_cn_m_08_damages_keep_the_cap_rules():
    """CN-M-08 with CN-M-04: W = 40,000 > 3A → D = 2 × 12 × 36,549 = 877,176.00."""
    result = show(unlawful_damages(case("2005-03-01", "2023-06-30", "40000")))
    assert result.amount == 2 * 12 * THREE_A


def test_cn_m_08_pay_in_lieu_is_not_added_to_damages_by_default():
    """CN-M-08: P on top of D is unverified: off by default (64,000.00), on as a parameter (72,000.00)."""
    data = case("2020-01-01", "2023-06-30", notice_given=False)
    assert show(unlawful_damages(data)).amount == Decimal("64000.00")
    with_p = replace(data, parameters=SeveranceParameters(pay_in_lieu_with_damages=True))
    assert show(unlawful_damages(with_p)).amount == Decimal("72000.00")


def test_cn_m_09_amounts_round_half_up_to_the_fen_only_at_the_end():
    """CN-M-09: 11 × 8,333 + 8,337 = 100,000 → W = 8,333.33…; 3.5 × W = 29,166.666… → 29,166.67.
    Rounding W first (a parameter) gives 3.5 × 8,333.33 = 29,166.655 → 29,166.66."""
    data = case("2020-01-01", "2023-04-30")
    wages = tuple(
        replace(wage, amount=Decimal("8337") if index == 11 else Decimal("8333"))
        for index, wage in enumerate(data.wages)
    )
    exact = show(severance(replace(data, wages=wages)))
    rounded_first = show(
        severance(replace(data, wages=wages, parameters=SeveranceParameters(round_wage_base_to_fen=True)))
    )
    assert exact.amount == Decimal("29166.67")
    assert rounded_first.amount == Decimal("29166.66")


def test_cn_m_07_negotiated_exit_is_n_plus_x_months():
    """CN-M-07 / CN-PK-01: N + 1 with N = 4, W = 8,000 → 40,000.00; plus a fixed 5,000 → 45,000.00."""
    data = case(
        "2020-01-01", "2023-06-30", negotiated_extra_months=Decimal(1), negotiated_extra_amount=Decimal(5000)
    )
    assert show(negotiated_exit(data)).amount == Decimal("45000.00")


def test_cn_pr_01_last_working_day_is_thirty_days_after_the_notice_day():
    """CN-PR-01: notice on 2023-05-31 (the day itself not counted) → last day 2023-06-30; with pay in lieu,
    at once.
    """
    with_notice = show(last_working_day(dt.date(2023, 5, 31), notice_given=True))
    in_lieu = last_working_day(dt.date(2023, 5, 31), notice_given=False)
    assert with_notice.date == dt.date(2023, 6, 30)
    assert in_lieu.date == dt.date(2023, 5, 31)


def test_exit_options_compares_every_route_for_hr():
    """Negotiated N + x versus the unlawful-dismissal risk 2N, side by side."""
    bundle = exit_options(
        case("2020-01-01", "2023-06-30", notice_date=dt.date(2023, 5, 31), negotiated_extra_months=Decimal(1))
    )
    names = [result.name for result in bundle.results]
    assert names == [
        "severance",
        "pay_in_lieu",
        "lawful_total",
        "unlawful_damages",
        "negotiated_exit",
        "last_working_day",
    ]
    assert bundle.result("negotiated_exit").amount < bundle.result("unlawful_damages").amount  # type: ignore[operator]
    assert bundle.as_dict()["results"]["severance"]["amount"] == "32000.00"


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"termination_date": dt.date(2019, 12, 31)}, "termination_before_hire"),
        ({"notice_date": dt.date(2023, 7, 1)}, "notice_after_termination"),
        ({"notice_date": dt.date(2019, 7, 1)}, "notice_before_hire"),
        ({"merged_service_start": dt.date(2020, 2, 1)}, "merged_start_after_hire"),
        ({"negotiated_extra_months": Decimal(-1)}, "negative_negotiated_extra"),
        ({"previous_month_wage": Decimal(-1)}, "negative_wage"),
    ],
)
def test_bad_case_dates_and_amounts_have_their_own_codes(changes, code):
    with pytest.raises(LawInputError) as raised:
        severance(replace(case("2020-01-01", "2023-06-30"), **changes))
    assert raised.value.code == code
    assert raised.value.text_zh
    assert raised.value.text_en


def test_termination_before_2008_is_refused():
    data = SeveranceInput(
        hire_date=dt.date(2000, 1, 1),
        termination_date=dt.date(2007, 6, 30),
        wages=(),
        reference=SHANGHAI_2022,
    )
    with pytest.raises(LawInputError) as raised:
        severance(data)
    assert raised.value.code == "termination_before_lcl"


def test_negative_wage_is_refused():
    data = case("2020-01-01", "2023-06-30")
    wages = (replace(data.wages[0], amount=Decimal("-1")), *data.wages[1:])
    with pytest.raises(LawInputError) as raised:
        severance(replace(data, wages=wages))
    assert raised.value.code == "negative_wage"


def test_missing_wage_months_are_listed():
    data = case("2020-01-01", "2023-06-30")
    with pytest.raises(LawInputError) as raised:
        severance(replace(data, wages=data.wages[2:]))
    assert raised.value.code == "missing_wage_months"
    assert raised.value.details["months"] == ["2022-07", "2022-08"]


def test_duplicate_and_overtime_above_wage_are_refused():
    data = case("2020-01-01", "2023-06-30")
    with pytest.raises(LawInputError) as duplicate:
        severance(replace(data, wages=(*data.wages, data.wages[0])))
    with pytest.raises(LawInputError) as overtime:
        severance(replace(data, wages=(replace(data.wages[0], overtime=Decimal("9000")), *data.wages[1:])))
    assert (duplicate.value.code, overtime.value.code) == ("duplicate_wage_month", "overtime_exceeds_wage")


def test_missing_previous_month_wage_for_pay_in_lieu():
    data = case("2020-01-01", "2023-06-15", notice_given=False)
    with pytest.raises(LawInputError) as raised:
        pay_in_lieu(replace(data, wages=tuple(wage for wage in data.wages if wage.month != Month(2023, 5))))
    assert raised.value.code == "missing_previous_month_wage"


def test_invalid_reference_figure_is_refused():
    with pytest.raises(LawInputError) as raised:
        severance(
            case(
                "2020-01-01", "2023-06-30", reference=replace(SHANGHAI_2022, average_monthly_wage=Decimal(0))
            )
        )
    assert raised.value.code == "invalid_reference_figure"


# ---------------------------------------------------------------------------- properties

dates = st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2040, 12, 31))
wages_st = st.decimals(min_value=Decimal("0"), max_value=Decimal("200000"), places=2, allow_nan=False)
averages_st = st.decimals(min_value=Decimal("3000"), max_value=Decimal("30000"), places=2, allow_nan=False)


@given(
    start=dates,
    first=st.integers(0, 9000),
    extra=st.integers(0, 4000),
    counting=st.sampled_from(PartMonthCounting),
)
def test_cn_m_02_n_never_decreases_with_longer_service(start, first, extra, counting):
    """CN-M-02 property: for any start, a later last day never gives a smaller N."""
    shorter = start + dt.timedelta(days=first)
    longer = shorter + dt.timedelta(days=extra)
    assert multiplier_for(measure_service(start, shorter), counting) <= multiplier_for(
        measure_service(start, longer), counting
    )


@settings(max_examples=60, deadline=None)
@given(
    hire=st.dates(min_value=dt.date(2008, 1, 1), max_value=dt.date(2022, 12, 31)),
    days=st.integers(1, 6000),
    wage=wages_st,
    average=averages_st,
)
def test_cn_m_04_cap_never_raises_an_amount(hire, days, wage, average):
    """CN-M-04 property: severance with the real A is never above the same severance with no cap at all."""
    termination = min(hire + dt.timedelta(days=days), dt.date(2024, 12, 31))
    reference = replace(SHANGHAI_2022, average_monthly_wage=average, minimum_monthly_wage=Decimal("0"))
    uncapped = replace(reference, average_monthly_wage=Decimal("1000000000"))
    data = case(hire.isoformat(), termination.isoformat(), str(wage), reference=reference)
    assert severance(data).amount <= severance(replace(data, reference=uncapped)).amount  # type: ignore[operator]
    assert unlawful_damages(data).amount <= unlawful_damages(replace(data, reference=uncapped)).amount  # type: ignore[operator]


@settings(max_examples=60, deadline=None)
@given(
    hire=st.dates(min_value=dt.date(1998, 1, 1), max_value=dt.date(2022, 12, 31)),
    days=st.integers(0, 9000),
    wage=wages_st,
    extra=st.decimals(min_value=Decimal("0"), max_value=Decimal("6"), places=1, allow_nan=False),
)
def test_cn_m_09_amounts_are_exact_decimals_to_the_fen(hire, days, wage, extra):
    """CN-M-09 property: every amount is a Decimal with exactly two places, never a float."""
    termination = max(min(hire + dt.timedelta(days=days), dt.date(2024, 12, 31)), dt.date(2008, 1, 1))
    data = case(
        hire.isoformat(),
        termination.isoformat(),
        str(wage),
        notice_given=False,
        previous_month_wage=wage,
        negotiated_extra_months=extra,
    )
    for result in exit_options(data).results:
        if result.amount is not None:
            assert isinstance(result.amount, Decimal)
            assert result.amount.as_tuple().exponent == -2
            assert result.amount >= 0
