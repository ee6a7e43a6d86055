"""The dashboards' chart data, built from plain values without a database: what a reader of the chart
would notice — a gap stays a gap, the target line is labelled, numbers are exact percentages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from perfloop.core.months import Month
from perfloop.metrics.models import Kpi
from perfloop.metrics.selectors import PersonKpiLine, UnitFigures
from perfloop.monitoring.charts import (
    chart_number,
    composite_trend_chart,
    distribution_chart,
    heat_chart,
    kpi_attainment_chart,
    kpi_trend_charts,
    trend_chart,
    unit_bars_chart,
)
from perfloop.monitoring.dashboards import PersonRef, RankedPerson
from perfloop.monitoring.navigation import month_window
from perfloop.monitoring.presentation import PeopleCounts, UnitRow
from perfloop.org.models import OrgUnit

JUNE = Month(2025, 6)
MONTHS = month_window(JUNE)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def figures(completion: str | None, average: str | None = None) -> UnitFigures:
    return UnitFigures(
        members=4,
        members_scored=4,
        members_met=2,
        completion=Decimal(completion) if completion is not None else None,
        average_composite=Decimal(average) if average is not None else None,
    )


def ranked(pk: int, name: str, cells: list[Decimal | None]) -> RankedPerson:
    return RankedPerson(
        rank=pk,
        employee=PersonRef(pk=pk, name=name, employee_number=f"E{pk:03d}"),
        composite=cells[-1],
        is_met=None,
        streak=0,
        cells=cells,
    )


def revenue() -> Kpi:
    return Kpi(code="revenue", name_zh="月销售额", name_en="Monthly revenue", unit="cny")


def conversion() -> Kpi:
    return Kpi(code="conversion", name_zh="转化率", name_en="Conversion rate", unit="ratio")


def revenue_line(**trends: list[Decimal | None]) -> PersonKpiLine:
    """June's revenue of a rep at 60% of an 80,000 target, the team averaging 60,000."""
    return PersonKpiLine(
        kpi=revenue(),
        actual=Decimal(48000),
        target=Decimal(80000),
        attainment=Decimal("0.6"),
        team_average=Decimal(60000),
        trend=trends.pop("trend", []),
        **trends,
    )


# ---------------------------------------------------------------- heat map


def test_heat_map_marks_a_missing_month_as_missing_not_as_zero():
    cells: list[Decimal | None] = [Decimal("0.9")] * 12
    cells[4] = None
    chart = heat_chart(MONTHS, [ranked(7, "李明", cells)], JUNE)
    assert [4, 0, 0] in chart["missing"]
    assert len(chart["missing"]) == 1
    assert all(x != 4 for x, _y, _value in chart["cells"])
    assert len(chart["cells"]) == 11
    assert chart["labels"]["noData"] == "no data"


def test_heat_map_cells_are_exact_percentages_per_person_and_month():
    cells: list[Decimal | None] = [None] * 11 + [Decimal("0.875")]
    chart = heat_chart(MONTHS, [ranked(1, "李明", [Decimal(1)] * 12), ranked(2, "陈静", cells)], JUNE)
    assert [11, 1, "87.5"] in chart["cells"]
    assert [0, 0, "100.0"] in chart["cells"]
    assert len(chart["missing"]) == 11


def test_heat_map_links_each_person_to_their_page_for_the_month_shown():
    chart = heat_chart(MONTHS, [ranked(7, "李明", [Decimal(1)] * 12)], JUNE)
    assert chart["people"] == [{"name": "李明", "url": "/dashboards/people/7/?month=2025-06"}]


def test_heat_map_axis_shows_the_year_under_the_first_month_and_january():
    chart = heat_chart(MONTHS, [], JUNE)
    assert chart["months"][0] == "2024-07"
    assert chart["axis"][0] == "07\n2024"
    assert chart["axis"][6] == "01\n2025"
    assert chart["axis"][7] == "02"


# ---------------------------------------------------------------- trends and bars


def test_trend_chart_carries_the_target_line_and_leaves_months_without_data_empty():
    trend = {JUNE: figures("0.925", "0.8"), JUNE - 2: figures("1.1")}
    chart = trend_chart(MONTHS, trend, "Team completion")
    assert chart["labels"] == {"series": "Team completion", "target": "Target", "noData": "no data"}
    assert chart["values"][-1] == "92.5"
    assert chart["values"][-3] == "110.0"
    assert chart["values"][-2] is None
    assert chart["values"][0] is None
    assert chart["secondary"]["label"] == "Average composite"
    assert chart["secondary"]["values"][-1] == "80.0"
    assert chart["secondary"]["values"][-3] is None


def test_trend_chart_labels_follow_the_language():
    with translation.override("zh-hans"):
        chart = trend_chart(MONTHS, {}, "完成率")
    assert chart["labels"]["target"] != "Target"
    assert chart["values"] == [None] * 12


def test_unit_bars_leave_out_units_without_figures():
    def row(name: str, unit_figures: UnitFigures | None) -> UnitRow:
        return UnitRow(
            unit=OrgUnit(name=name),
            name=name,
            has_children=False,
            figures=unit_figures,
            completion=None,
            completion_band="none",
            average_composite=None,
            people=PeopleCounts(is_hidden=True),
        )

    chart = unit_bars_chart([row("华东组", figures("0.95")), row("华南组", None)])
    assert chart["units"] == [{"name": "华东组", "value": "95.0"}]
    assert chart["labels"]["target"] == "Target"


def test_distribution_counts_people_in_every_band_and_zero_when_counts_are_hidden():
    shown = distribution_chart(
        PeopleCounts(is_hidden=False, bands={"low": 2, "below": 0, "near": 1, "met": 4})
    )
    assert [(band["band"], band["value"]) for band in shown["bands"]] == [
        ("low", 2),
        ("below", 0),
        ("near", 1),
        ("met", 4),
    ]
    assert shown["bands"][0]["label"] == "below 70%"
    hidden = distribution_chart(PeopleCounts(is_hidden=True))
    assert [band["value"] for band in hidden["bands"]] == [0, 0, 0, 0]


# ---------------------------------------------------------------- a person's charts


def test_composite_trend_has_a_gap_for_a_month_without_a_scorecard():
    values: list[Decimal | None] = [Decimal("0.6")] * 12
    values[3] = None
    chart = composite_trend_chart(MONTHS, values)
    assert chart["values"][3] is None
    assert chart["values"][4] == "60.0"
    assert chart["labels"]["target"] == "Target"


def test_a_rate_is_charted_in_percent_and_money_as_the_exact_amount():
    assert chart_number(conversion(), Decimal("0.125")) == "12.50"
    assert chart_number(revenue(), Decimal("80000")) == "80000.00"
    assert chart_number(revenue(), None) is None


def test_kpi_trend_shows_person_target_and_team_in_the_kpis_unit():
    line = revenue_line(
        trend=[None, Decimal(48000)],
        target_trend=[Decimal(80000), Decimal(80000)],
        team_average_trend=[None, Decimal(60000)],
    )
    (chart,) = kpi_trend_charts([JUNE - 1, JUNE], [line], "李明")
    assert chart["id"] == "kpi-trend-revenue"
    assert chart["name"] == "Monthly revenue"
    data = chart["data"]
    assert data["person"] == [None, "48000.00"]
    assert data["target"] == ["80000.00", "80000.00"]
    assert data["display"]["person"] == [None, "¥48,000"]
    assert data["labels"]["person"] == "李明"
    assert data["labels"]["team"] == "Team average"


def test_kpi_attainment_compares_the_person_with_the_team_average_against_the_same_target():
    line = revenue_line()
    chart = kpi_attainment_chart([line], "李明")
    assert chart["kpis"] == ["Monthly revenue"]
    assert chart["person"] == ["60.0"]
    assert chart["team"] == ["75.0"]
