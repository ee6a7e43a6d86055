"""The data of the dashboards' ECharts: axes, series and translated labels, as JSON-ready dicts.

Numbers are exact strings made from Decimals ("87.5"), never floats; a month without data is None (or,
in the heat map, a cell of its own), so a chart shows a gap, never a zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from perfloop.core.months import Month
from perfloop.metrics.models import Kpi
from perfloop.metrics.presentation import active_language, axis_label, kpi_value, percent_number
from perfloop.metrics.selectors import PersonKpiLine, UnitFigures
from perfloop.monitoring.dashboards import BANDS, RankedPerson
from perfloop.monitoring.presentation import PeopleCounts, UnitRow

_CENT = Decimal("0.01")


def month_axis(months: Sequence[Month]) -> list[str]:
    """Axis labels: the month number, with the year under the first month and every January."""
    return [axis_label(month, index == 0) for index, month in enumerate(months)]


def band_labels() -> dict[str, str]:
    """The attainment bands of the distribution and the heat map, in the order of ``BANDS``."""
    return {
        "low": _("below 70%"),
        "below": _("70–85%"),
        "near": _("85–100%"),
        "met": _("100% and above"),
    }


def chart_number(kpi: Kpi, value: Decimal | None) -> str | None:
    """A KPI value for a chart axis: rates in percent, everything else as the exact decimal string."""
    if value is None:
        return None
    number = value * 100 if kpi.unit == "ratio" else value
    return str(number.quantize(_CENT))


# ---------------------------------------------------------------- organisation and team


def distribution_chart(counts: PeopleCounts) -> dict[str, Any]:
    """How many people fall in each attainment band this month."""
    labels = band_labels()
    return {
        "bands": [
            {"band": band, "label": labels[band], "value": (counts.bands or {}).get(band, 0)}
            for band in BANDS
        ],
        "labels": {"series": _("People"), "noData": _("no data")},
    }


def trend_chart(months: Sequence[Month], trend: Mapping[Month, UnitFigures], series: str) -> dict[str, Any]:
    """Completion month by month against the 100% target line, with the average composite beside it."""
    return {
        "axis": month_axis(months),
        "months": [str(m) for m in months],
        "values": [percent_number(f.completion) if (f := trend.get(m)) else None for m in months],
        "secondary": {
            "label": _("Average composite"),
            "values": [percent_number(f.average_composite) if (f := trend.get(m)) else None for m in months],
        },
        "labels": {"series": series, "target": _("Target"), "noData": _("no data")},
    }


def unit_bars_chart(rows: Sequence[UnitRow]) -> dict[str, Any]:
    """Completion of each unit in the table that has figures this month."""
    return {
        "labels": {"series": _("Completion"), "target": _("Target"), "noData": _("no data")},
        "units": [
            {"name": row.name, "value": percent_number(row.figures.completion)} for row in rows if row.figures
        ],
    }


def heat_chart(months: Sequence[Month], people: Sequence[RankedPerson], month: Month) -> dict[str, Any]:
    """People × months of composite attainment; a month without a scorecard is a missing cell, not 0%.

    Each person links to their page for ``month``.
    """
    query = f"?month={month}"
    labels = band_labels()
    return {
        "axis": month_axis(months),
        "months": [str(m) for m in months],
        "people": [
            {
                "name": person.employee.name,
                "url": reverse("monitoring:person", kwargs={"employee_id": person.employee.pk}) + query,
            }
            for person in people
        ],
        "cells": [
            [x, y, percent_number(value)]
            for y, person in enumerate(people)
            for x, value in enumerate(person.cells)
            if value is not None
        ],
        "missing": [
            [x, y, 0]
            for y, person in enumerate(people)
            for x, value in enumerate(person.cells)
            if value is None
        ],
        "labels": {
            "composite": _("Composite attainment"),
            "noData": _("no data"),
            "below70": labels["low"],
            "below85": labels["below"],
            "below100": labels["near"],
            "met": labels["met"],
        },
    }


# ---------------------------------------------------------------- person


def composite_trend_chart(months: Sequence[Month], values: Sequence[Decimal | None]) -> dict[str, Any]:
    """The person's composite attainment month by month against the 100% target line."""
    return {
        "axis": month_axis(months),
        "months": [str(m) for m in months],
        "values": [percent_number(value) for value in values],
        "labels": {"series": _("Composite attainment"), "target": _("Target"), "noData": _("no data")},
    }


def kpi_attainment_chart(lines: Sequence[PersonKpiLine], person_name: str) -> dict[str, Any]:
    """This month's attainment of each KPI, the person's beside the team average's."""
    language = active_language()
    return {
        "kpis": [line.kpi.name_for(language) for line in lines],
        "person": [percent_number(line.attainment) for line in lines],
        "team": [percent_number(line.kpi.attainment_of(line.team_average, line.target)) for line in lines],
        "labels": {
            "person": person_name,
            "team": _("Team average"),
            "target": _("Target"),
            "noData": _("no data"),
        },
    }


def kpi_trend_charts(
    months: Sequence[Month], lines: Sequence[PersonKpiLine], person_name: str
) -> list[dict[str, Any]]:
    """One chart per KPI: the person's values, the target and the team average, month by month, in the
    KPI's unit (the tooltip shows the formatted value, the axis the number)."""
    language = active_language()
    axis = month_axis(months)
    return [
        {
            "id": f"kpi-trend-{line.kpi.code}",
            "name": line.kpi.name_for(language),
            "data": {
                "axis": axis,
                "months": [str(m) for m in months],
                "unit": line.kpi.unit,
                "person": [chart_number(line.kpi, v) for v in line.trend],
                "target": [chart_number(line.kpi, v) for v in line.target_trend],
                "team": [chart_number(line.kpi, v) for v in line.team_average_trend],
                "display": {
                    "person": [kpi_value(line.kpi, v) for v in line.trend],
                    "target": [kpi_value(line.kpi, v) for v in line.target_trend],
                    "team": [kpi_value(line.kpi, v) for v in line.team_average_trend],
                },
                "labels": {
                    "person": person_name,
                    "target": _("Target"),
                    "team": _("Team average"),
                    "noData": _("no data"),
                },
            },
        }
        for line in lines
    ]
