"""How numbers read on every page and export: money, counts, rates, scores, missing values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfloop.metrics.models import Kpi
from perfloop.metrics.presentation import attainment_band, kpi_value, percent


@pytest.mark.parametrize(
    ("code", "raw", "expected"),
    [
        ("revenue", Decimal("80000"), "¥80,000"),
        ("revenue", Decimal("57447.5"), "¥57,448"),
        ("new_customers", Decimal("3.0000"), "3"),
        ("new_customers", Decimal("2.6667"), "2.7"),
        ("conversion_rate", Decimal("0.25"), "25%"),
        ("conversion_rate", Decimal("0.1388"), "13.9%"),
        ("feedback_score", Decimal("4.2000"), "4.2"),
        ("feedback_score", Decimal("3.0166"), "3.02"),
        ("revenue", None, None),
    ],
)
def test_kpi_values_read_in_their_unit(db, code, raw, expected):
    assert kpi_value(Kpi.objects.get(code=code), raw) == expected


def test_ratios_read_as_percentages_and_missing_stays_missing():
    assert percent(Decimal("0.875")) == "87.5%"
    assert percent(Decimal("1")) == "100.0%"
    assert percent(0.5) == "50.0%"  # SQLite may hand back a float aggregate
    assert percent(None) is None
    assert [attainment_band(v) for v in (None, Decimal("0.69"), Decimal("0.7"), Decimal("1"))] == [
        "none",
        "low",
        "mid",
        "high",
    ]
