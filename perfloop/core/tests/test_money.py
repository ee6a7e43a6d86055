from decimal import Decimal

import pytest

from perfloop.core.money import MoneyError, format_cny, to_decimal, to_fen


def test_it_rounds_half_up_to_the_fen():
    assert to_fen("36596.285") == Decimal("36596.29")
    assert to_fen("0.004") == Decimal("0.00")


def test_it_accepts_thousands_separators():
    assert to_decimal("80,000") == Decimal(80000)


@pytest.mark.parametrize("bad", [0.1, "abc", "NaN", "Infinity", True])
def test_it_refuses_inexact_or_non_numbers(bad):
    with pytest.raises(MoneyError):
        to_decimal(bad)


def test_it_formats_cny_with_separators():
    assert format_cny(Decimal("80000")) == "¥80,000.00"
