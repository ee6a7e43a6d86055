"""Service lengths by anniversary dates."""

from __future__ import annotations

import datetime as dt

import pytest

from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.periods import add_months, measure_service, parse_date, validate_dates

D = dt.date


@pytest.mark.parametrize(
    ("first", "last", "months", "days"),
    [
        (D(2020, 1, 1), D(2023, 6, 30), 42, 0),
        (D(2020, 1, 15), D(2020, 2, 14), 1, 0),
        (D(2020, 1, 15), D(2020, 2, 13), 0, 30),
        (D(2020, 1, 1), D(2020, 1, 1), 0, 1),
        (D(2020, 1, 31), D(2020, 2, 28), 1, 0),  # 31 Jan + 1 month clamps to 29 Feb
    ],
)
def test_service_is_whole_months_then_days(first, last, months, days):
    length = measure_service(first, last)
    assert (length.months, length.days) == (months, days)


def test_month_arithmetic_clamps_to_the_month_end():
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2024, 3, 31), -1) == D(2024, 2, 29)


def test_reversed_and_impossible_dates_have_their_codes():
    with pytest.raises(LawInputError) as reversed_dates:
        measure_service(D(2024, 1, 2), D(2024, 1, 1))
    with pytest.raises(LawInputError) as impossible:
        parse_date("2023-02-29", field="hire_date")
    with pytest.raises(LawInputError) as missing:
        parse_date("", field="hire_date")
    assert (reversed_dates.value.code, impossible.value.code, missing.value.code) == (
        "dates_reversed",
        "invalid_date",
        "missing_field",
    )
    assert parse_date(dt.datetime(2024, 1, 1, 8, 0), field="x") == D(2024, 1, 1)  # noqa: DTZ001


def test_dates_outside_any_employment_are_refused_by_name():
    validate_dates(hire_date=dt.date(1990, 1, 1), birth_date=None)
    with pytest.raises(LawInputError) as refused:
        validate_dates(hire_date=dt.date(2020, 1, 1), notice_date=dt.date(9999, 12, 1))
    assert refused.value.code == "date_out_of_range"
    assert refused.value.details["field"] == "notice_date"
