"""How numbers, months and names are shown: formatting from Decimals so templates only print strings.

Pure presentation — no database access; views and exports share it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import translation
from django.utils.formats import date_format

from perfloop.core.months import Month
from perfloop.metrics.models import Kpi, Unit

# Attainment bands of the product: below 70% is a problem, 100% is target.
LOW_ATTAINMENT = Decimal("0.7")
FULL_ATTAINMENT = Decimal(1)

_ONE = Decimal(1)
_TENTH = Decimal("0.1")
_HUNDREDTH = Decimal("0.01")
_HUNDRED = Decimal(100)


def as_decimal(value: Any) -> Decimal | None:
    """Aggregates come back as Decimal on PostgreSQL and sometimes as float on SQLite."""
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _strip_zero_decimals(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(ratio: Any) -> str | None:
    """0.875 → "87.5%", always one decimal so columns line up; None stays None ("—", never 0%)."""
    value = as_decimal(ratio)
    if value is None:
        return None
    return f"{(value * _HUNDRED).quantize(_TENTH, ROUND_HALF_UP):,}%"


def percent_number(ratio: Any) -> str | None:
    """A ratio as a percentage string for chart data ("87.5"), exact, never a float."""
    value = as_decimal(ratio)
    if value is None:
        return None
    return str((value * _HUNDRED).quantize(_TENTH, ROUND_HALF_UP))


def kpi_value(kpi: Kpi, raw: Any) -> str | None:
    """A KPI value in its unit: ¥80,000 · 87.5% · 3 (or 2.7 for a team average) · 4.25."""
    value = as_decimal(raw)
    if value is None:
        return None
    if kpi.unit == Unit.CNY:
        return f"¥{value.quantize(_ONE, ROUND_HALF_UP):,}"
    if kpi.unit == Unit.RATIO:
        return _strip_zero_decimals(f"{(value * _HUNDRED).quantize(_TENTH, ROUND_HALF_UP):,}") + "%"
    if kpi.unit == Unit.COUNT:
        return _strip_zero_decimals(f"{value.quantize(_TENTH, ROUND_HALF_UP):,}")
    return _strip_zero_decimals(f"{value.quantize(_HUNDREDTH, ROUND_HALF_UP):,}")


def attainment_band(ratio: Any) -> str:
    """CSS modifier of an attainment: low (< 70%), mid, high (≥ 100%) or none (missing)."""
    value = as_decimal(ratio)
    if value is None:
        return "none"
    if value < LOW_ATTAINMENT:
        return "low"
    return "high" if value >= FULL_ATTAINMENT else "mid"


def active_language() -> str:
    return translation.get_language() or "zh-hans"


def local_name(obj: Any) -> str:
    """Org units and positions carry a Chinese name and an optional English one."""
    english = getattr(obj, "name_en", "")
    return english if active_language().startswith("en") and english else obj.name


def month_title(month: Month) -> str:
    return date_format(month.first_day, "YEAR_MONTH_FORMAT")


def axis_label(month: Month, first: bool) -> str:
    """Chart axis: the month number, with the year under the first month and every January."""
    return f"{month.month:02d}\n{month.year}" if first or month.month == 1 else f"{month.month:02d}"
