"""Reports and the values the import pages show: what a reader sees must not mislead."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfloop.imports.reports import value_text


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (None, "cny", "—"),  # missing is a dash …
        (Decimal("0.0000"), "cny", "0"),  # … and a zero is a zero
        (Decimal("-0.0000"), "cny", "0"),
        (Decimal("30000.0000"), "cny", "30,000"),
        (Decimal("-1234.5000"), "cny", "-1,234.5"),
        (Decimal("123456789012.3400"), "cny", "123,456,789,012.34"),
        (Decimal("0.1231"), "ratio", "12.31%"),
        (Decimal("0.1234"), "ratio", "12.34%"),  # a small restatement of a ratio stays visible
        (Decimal("0.0004"), "ratio", "0.04%"),
        (Decimal("1.0000"), "ratio", "100%"),
        (Decimal("0.0000"), "ratio", "0%"),
    ],
)
def test_values_read_as_people_write_them(value, unit, shown):
    assert value_text(value, unit=unit) == shown
