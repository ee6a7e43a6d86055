"""Suggestions from history: the source document's example, each rule, and the vectorised twin."""

from decimal import Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from perfloop.core.months import Month, month_range
from perfloop.goals.suggestions import (
    SuggestionRule,
    from_units,
    round_half_up_div,
    seasonality_factors,
    seasonality_frame,
    suggest_target,
    suggest_targets_frame,
    to_units,
)

JAN = Month(2025, 1)
STANDARD = Decimal(80000)


DECEMBER = Month(2024, 12)


def _flat(value: str, months: int = 6, last: Month = DECEMBER) -> dict[Month, Decimal]:
    return {last - offset: Decimal(value) for offset in range(months)}


def test_the_source_documents_example_standard_80k_average_70k_suggests_75k():
    suggestion = suggest_target(
        history=_flat("70000"), target_month=JAN, as_of=Month(2024, 12), standard=STANDARD
    )
    assert suggestion.value == Decimal(75000)
    assert suggestion.rule == SuggestionRule.HALFWAY
    assert suggestion.average == Decimal(70000)
    assert "¥70,000" in suggestion.reason_en
    assert "halfway" in suggestion.reason_en
    assert "¥75,000" in suggestion.reason_en
    assert "近6个月平均 ¥70,000" in suggestion.reason_zh
    assert "中点" in suggestion.reason_zh
    assert suggestion.reason("en") == suggestion.reason_en
    assert suggestion.reason("zh-hans") == suggestion.reason_zh


def test_a_person_above_the_standard_is_suggested_their_run_rate():
    suggestion = suggest_target(
        history=_flat("92340"), target_month=JAN, as_of=Month(2024, 12), standard=STANDARD
    )
    assert suggestion.rule == SuggestionRule.RUN_RATE
    assert suggestion.value == Decimal(92300)  # rounded to 100 CNY


def test_with_less_than_three_months_of_history_the_standard_is_suggested():
    suggestion = suggest_target(
        history=_flat("50000", months=2), target_month=JAN, as_of=Month(2024, 12), standard=STANDARD
    )
    assert suggestion.rule == SuggestionRule.NO_HISTORY
    assert suggestion.value == STANDARD
    assert "Not enough history (2 of at least 3 months)" in suggestion.reason_en
    assert "历史数据不足" in suggestion.reason_zh


def test_growth_over_the_last_quarter_lifts_the_run_rate_capped_at_ten_percent():
    last = Month(2024, 12)
    history = {
        last - offset: Decimal(v)
        for offset, v in enumerate(["66000", "66000", "66000", "60000", "60000", "60000"])
    }
    suggestion = suggest_target(history=history, target_month=JAN, as_of=last, standard=STANDARD)
    assert suggestion.growth_bp == 1000  # +10% exactly
    assert suggestion.average == Decimal(63000)
    assert suggestion.run_rate == Decimal(69300)
    assert suggestion.value == Decimal(74700)  # halfway between 69,300 and 80,000 is 74,650 → 74,700
    assert "trend +10.0%" in suggestion.reason_en
    steep = {last - offset: Decimal(v) for offset, v in enumerate(["90000"] * 3 + ["30000"] * 3)}
    assert suggest_target(history=steep, target_month=JAN, as_of=last, standard=STANDARD).growth_bp == 1000


def test_seasonality_removes_the_season_of_the_history_and_adds_the_target_months():
    factors = dict.fromkeys(range(1, 13), 10000) | {12: 12500, 1: 8000}
    history = _flat("70000") | {Month(2024, 12): Decimal(87500)}  # December is 1.25× a normal month
    suggestion = suggest_target(
        history=history, target_month=JAN, as_of=Month(2024, 12), standard=Decimal(56000), seasonality=factors
    )
    assert suggestion.average == Decimal(70000)
    assert suggestion.run_rate == Decimal(56000)  # January is a 0.8× month
    assert suggestion.rule == SuggestionRule.RUN_RATE
    assert "×0.80" in suggestion.reason_en


def test_for_churn_a_run_rate_worse_than_the_standard_is_met_halfway():
    history = _flat("0.25")
    suggestion = suggest_target(
        history=history,
        target_month=JAN,
        as_of=Month(2024, 12),
        standard=Decimal("0.15"),
        direction="lower",
        unit="ratio",
    )
    assert suggestion.rule == SuggestionRule.HALFWAY
    assert suggestion.value == Decimal("0.2")
    assert "above the team standard 15%" in suggestion.reason_en


def test_seasonality_factors_need_a_whole_year():
    months = list(month_range(Month(2023, 1), Month(2024, 12)))
    totals = {m: Decimal(120) if m.month == 12 else Decimal(100) for m in months}
    factors = seasonality_factors(totals)
    assert len(factors) == 12
    assert factors[12] == 11803  # 120 ÷ the mean month (1,220 ÷ 12) = ×1.1803
    assert factors[1] == 9836
    assert seasonality_factors({m: Decimal(100) for m in months[:11]}) == {}


def test_units_round_trip():
    assert to_units(Decimal("80000.12345")) == 800001235
    assert from_units(800001235) == Decimal("80000.1235")


def test_round_half_up_on_integers():
    assert round_half_up_div(5, 2) == 3
    assert round_half_up_div(-5, 2) == -2
    assert round_half_up_div(4, 3) == 1


values = st.one_of(
    st.none(), st.integers(min_value=0, max_value=2_000_000_00).map(lambda fen: Decimal(fen) / 100)
)


@settings(max_examples=150, deadline=None)
@given(
    windows=st.lists(st.lists(values, min_size=6, max_size=6), min_size=1, max_size=6),
    standard=st.integers(min_value=0, max_value=200_000),
    direction=st.sampled_from(["higher", "lower"]),
    unit=st.sampled_from(["cny", "count", "ratio", "score"]),
    factors=st.one_of(
        st.just({}), st.lists(st.integers(min_value=2000, max_value=50000), min_size=12, max_size=12)
    ),
    target=st.integers(min_value=1, max_value=12),
)
def test_the_vectorised_suggestions_equal_the_scalar_ones_to_the_last_digit(
    windows, standard, direction, unit, factors, target
):
    as_of = Month(2024, 12)
    target_month = Month(2025, target)
    seasonality = dict(enumerate(factors, start=1)) if factors else {}
    history_rows = []
    expected = {}
    for employee, window in enumerate(windows):
        history = {as_of - (5 - i): v for i, v in enumerate(window) if v is not None}
        history_rows += [(employee, m.index, to_units(v)) for m, v in history.items()]
        expected[employee] = suggest_target(
            history=history,
            target_month=target_month,
            as_of=as_of,
            standard=Decimal(standard),
            direction=direction,
            unit=unit,
            seasonality=seasonality,
        )
    frame = suggest_targets_frame(
        history=pl.DataFrame(
            history_rows, schema={"employee_id": pl.Int64, "month": pl.Int32, "value": pl.Int64}, orient="row"
        ),
        requests=pl.DataFrame(
            {
                "employee_id": list(range(len(windows))),
                "target_month": [target_month.index] * len(windows),
                "as_of": [as_of.index] * len(windows),
                "standard": [to_units(Decimal(standard))] * len(windows),
                "season_group": [1] * len(windows),
            },
            schema={
                "employee_id": pl.Int64,
                "target_month": pl.Int32,
                "as_of": pl.Int32,
                "standard": pl.Int64,
                "season_group": pl.Int64,
            },
        ),
        seasonality=pl.DataFrame(
            {"season_group": [1] * 12, "calendar_month": list(range(1, 13)), "factor_bp": factors},
            schema={"season_group": pl.Int64, "calendar_month": pl.Int8, "factor_bp": pl.Int64},
        )
        if factors
        else None,
        direction=direction,
        unit=unit,
    )
    for employee, value, rule, used in frame.select(
        "employee_id", "suggestion", "rule", "months_used"
    ).iter_rows():
        assert from_units(value) == expected[employee].value
        assert rule == expected[employee].rule
        assert used == expected[employee].months_used


def test_the_seasonality_frame_equals_the_scalar_factors():
    months = list(month_range(Month(2023, 1), Month(2024, 12)))
    totals = {m: Decimal(100 + (m.month * 7) % 23) for m in months}
    frame = seasonality_frame(
        pl.DataFrame(
            {
                "season_group": [5] * len(months),
                "month": [m.index for m in months],
                "total": [to_units(v) for v in totals.values()],
            }
        )
    )
    assert dict(frame.select("calendar_month", "factor_bp").iter_rows()) == seasonality_factors(totals)
