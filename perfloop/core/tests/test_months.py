import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfloop.core.months import Month, MonthError, month_range

months = st.builds(Month, st.integers(1990, 2100), st.integers(1, 12))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03", Month(2025, 3)),
        ("2025/3", Month(2025, 3)),
        ("2025.12", Month(2025, 12)),
        ("2025年3月", Month(2025, 3)),
    ],
)
def test_it_parses_the_month_spellings_users_type(text, expected):
    assert Month.parse(text) == expected


@pytest.mark.parametrize("text", ["2025-13", "2025-00", "25-03", "March 2025", "", "2025-03-01"])
def test_it_refuses_what_is_not_a_month(text):
    with pytest.raises(MonthError) as excinfo:
        Month.parse(text)
    assert excinfo.value.code == "invalid_month"


def test_it_formats_as_iso_year_month():
    assert str(Month(2025, 3)) == "2025-03"
    assert Month(2025, 3).as_int() == 202503


def test_arithmetic_crosses_year_boundaries():
    assert Month(2024, 12) + 1 == Month(2025, 1)
    assert Month(2025, 1) - 1 == Month(2024, 12)
    assert Month(2025, 3).months_since(Month(2024, 9)) == 6


def test_first_and_last_day_handle_leap_february():
    assert Month(2024, 2).last_day == dt.date(2024, 2, 29)
    assert Month(2025, 2).last_day == dt.date(2025, 2, 28)
    assert Month(2025, 2).first_day == dt.date(2025, 2, 1)


def test_range_includes_both_ends_and_refuses_reversed():
    assert list(month_range(Month(2024, 11), Month(2025, 2))) == [
        Month(2024, 11),
        Month(2024, 12),
        Month(2025, 1),
        Month(2025, 2),
    ]
    with pytest.raises(MonthError):
        list(month_range(Month(2025, 2), Month(2024, 11)))


@given(months, st.integers(-600, 600))
def test_adding_then_subtracting_is_identity(month, offset):
    assert (month + offset) - offset == month
    assert (month + offset).months_since(month) == offset


@given(months, months)
def test_order_agrees_with_int_storage(a, b):
    assert (a < b) == (a.as_int() < b.as_int())
    assert Month.from_int(a.as_int()) == a
    assert Month.parse(str(a)) == a
