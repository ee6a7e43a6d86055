"""Rows, tiles and counts of the dashboards, shaped from plain values without a database: small groups
stay anonymous, streaks get their badge, nobody acknowledges their own alert, missing stays "—"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from perfloop.core.months import Month
from perfloop.metrics.models import Kpi
from perfloop.metrics.selectors import PersonKpiLine, PersonPage, TeamDashboard, UnitFigures
from perfloop.monitoring.dashboards import PeopleBreakdown, PeopleFigures, PersonRef, RankedPerson, StreakRun
from perfloop.monitoring.models import Alert, AlertRule, AlertState
from perfloop.monitoring.presentation import (
    MIN_GROUP_SIZE,
    alert_rows,
    kpi_lines,
    org_selection,
    people_counts,
    person_row,
    run_row,
    streak_level,
    tiles,
    unit_choices,
    unit_rows,
    unit_summary,
)
from perfloop.org.models import Employee, OrgUnit

JUNE = Month(2025, 6)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def unit(pk: int, parent: OrgUnit | None, name: str, name_en: str = "") -> OrgUnit:
    path = f"{parent.path}{pk}/" if parent else f"/{pk}/"
    return OrgUnit(pk=pk, parent=parent, path=path, code=f"U{pk}", name=name, name_en=name_en)


@pytest.fixture
def tree() -> dict[str, OrgUnit]:
    """Company → Sales → Team East, Team South; Company → Service."""
    company = unit(1, None, "公司", "Company")
    sales = unit(2, company, "销售部", "Sales")
    return {
        "company": company,
        "sales": sales,
        "east": unit(3, sales, "华东组", "Team East"),
        "south": unit(4, sales, "华南组"),
        "service": unit(5, company, "客服部", "Service"),
    }


# ---------------------------------------------------------------- counts of people


def test_counts_of_a_small_group_are_hidden_from_aggregate_only_viewers():
    figures = PeopleFigures(cards=MIN_GROUP_SIZE - 1, streak_alert=1)
    assert people_counts(figures, 1, shows_individuals=False).is_hidden
    shown = people_counts(figures, 1, shows_individuals=True)
    assert (shown.is_hidden, shown.streak_alert, shown.alerts) == (False, 1, 1)


def test_counts_of_a_group_large_enough_are_shown_to_everyone():
    figures = PeopleFigures(cards=MIN_GROUP_SIZE, bands={"low": 1, "below": 1, "near": 1, "met": 2})
    counts = people_counts(figures, 0, shows_individuals=False)
    assert not counts.is_hidden
    assert counts.scored == MIN_GROUP_SIZE
    assert counts.bands == {"low": 1, "below": 1, "near": 1, "met": 2}


def test_a_unit_without_figures_counts_nobody():
    counts = people_counts(None, 0, shows_individuals=True)
    assert (counts.is_hidden, counts.scored) == (False, 0)


@pytest.mark.parametrize(
    ("months", "level"), [(0, ""), (2, ""), (3, "warning"), (5, "warning"), (6, "alert")]
)
def test_three_months_below_target_warn_and_six_alert(months, level):
    assert streak_level(months) == level


def test_a_unit_without_figures_reads_as_missing_not_zero():
    assert unit_summary(None) == {
        "figures": None,
        "completion": None,
        "completion_band": "none",
        "average_composite": None,
    }
    summary = unit_summary(
        UnitFigures(
            members=5, members_scored=5, members_met=1, completion=Decimal("0.65"), average_composite=None
        )
    )
    assert (summary["completion"], summary["completion_band"], summary["average_composite"]) == (
        "65.0%",
        "low",
        None,
    )


# ---------------------------------------------------------------- the organisation table


def test_a_single_top_unit_is_the_root_and_its_children_the_rows(tree):
    selection = org_selection([tree["sales"], tree["east"], tree["south"]], root_id=None)
    assert selection is not None
    assert selection.root == tree["sales"]
    assert selection.children == [tree["east"], tree["south"]]
    assert selection.ancestors == []


def test_several_top_units_are_shown_side_by_side_without_a_root(tree):
    selection = org_selection([tree["east"], tree["service"]], root_id=None)
    assert selection is not None
    assert selection.root is None
    assert selection.roots == selection.children == [tree["east"], tree["service"]]


def test_choosing_a_unit_lists_its_children_and_the_way_back_up(tree):
    selection = org_selection(list(tree.values()), root_id=tree["sales"].pk)
    assert selection is not None
    assert selection.children == [tree["east"], tree["south"]]
    assert selection.ancestors == [tree["company"]]


def test_a_team_chosen_as_root_is_its_own_only_row(tree):
    selection = org_selection(list(tree.values()), root_id=tree["east"].pk)
    assert selection is not None
    assert selection.children == [tree["east"]]


def test_a_unit_outside_the_scope_cannot_be_chosen(tree):
    assert org_selection([tree["sales"], tree["east"]], root_id=tree["service"].pk) is None


def test_the_unit_filter_offers_units_with_units_below_them_indented(tree):
    selection = org_selection(list(tree.values()), root_id=None)
    assert selection is not None
    assert unit_choices(selection) == [(1, "Company"), (2, "　Sales")]


def test_unit_rows_link_down_only_where_there_are_units_below(tree):
    selection = org_selection(list(tree.values()), root_id=None)
    assert selection is not None
    breakdown = PeopleBreakdown(total=PeopleFigures(), by_unit={2: PeopleFigures(cards=2)})
    figures = {
        2: UnitFigures(
            members=2, members_scored=2, members_met=1, completion=Decimal(1), average_composite=None
        )
    }
    rows = unit_rows(
        [tree["sales"], tree["service"]],
        selection=selection,
        figures=figures,
        breakdown=breakdown,
        alerts={2: 1},
        shows_individuals=False,
    )
    sales, service = rows
    # Two people: too few to count for an aggregate-only viewer — and their completion is theirs, so it
    # is hidden with the counts.
    assert (sales.name, sales.has_children, sales.completion, sales.completion_band) == (
        "Sales",
        True,
        None,
        "none",
    )
    assert sales.people.is_hidden
    assert (service.has_children, service.completion, service.completion_band) == (False, None, "none")
    shown = unit_rows(
        [tree["sales"]],
        selection=selection,
        figures=figures,
        breakdown=breakdown,
        alerts={2: 1},
        shows_individuals=True,
    )
    assert (shown[0].completion, shown[0].people.is_hidden) == ("100.0%", False)


# ---------------------------------------------------------------- team and person


def revenue() -> Kpi:
    return Kpi(code="revenue", name_zh="月销售额", name_en="Monthly revenue", unit="cny")


def test_tiles_show_the_kpi_in_its_unit_and_cap_the_progress_bar():
    dashboard = TeamDashboard(
        team=OrgUnit(name="华东组"),
        month=JUNE,
        months=[JUNE],
        completion_trend=[],
        team_month=None,
        tiles=[
            {"kpi": revenue(), "actual": Decimal(160000), "target": Decimal(80000), "attainment": Decimal(2)},
            {"kpi": revenue(), "actual": None, "target": Decimal(80000), "attainment": None},
        ],
    )
    high, missing = tiles(dashboard)
    assert (high.name, high.actual, high.target, high.attainment) == (
        "Monthly revenue",
        "¥160,000",
        "¥80,000",
        "200.0%",
    )
    assert high.progress == "1.5"
    assert (missing.actual, missing.attainment, missing.band, missing.progress) == (None, None, "none", "0")


def test_a_ranked_person_in_a_long_streak_gets_the_alert_badge():
    person = RankedPerson(
        rank=3,
        employee=PersonRef(pk=7, name="李明", employee_number="E007"),
        composite=Decimal("0.6"),
        is_met=False,
        streak=6,
        cells=[],
    )
    row = person_row(person)
    assert (row.rank, row.employee_id, row.composite, row.band, row.streak_level) == (
        3,
        7,
        "60.0%",
        "low",
        "alert",
    )


def alert(*, user_id: int | None, state: str = AlertState.OPEN) -> Alert:
    employee = Employee(pk=7, name="李明", user_id=user_id)
    rule = AlertRule(code="below_target_6", name="连续六个月未达标", name_en="Six months below target")
    return Alert(rule=rule, employee=employee, month=JUNE, value=Decimal("0.6"), state=state)


def test_an_open_alert_can_be_acknowledged_by_someone_who_acts_on_alerts():
    (row,) = alert_rows([alert(user_id=11)], viewer_id=12, acts_on_alerts=True)
    assert row.can_acknowledge
    assert (row.rule_name, row.employee_name, row.value) == ("Six months below target", "李明", "60.0%")


def test_nobody_acknowledges_their_own_alert_an_acknowledged_one_or_without_the_role():
    assert not alert_rows([alert(user_id=12)], viewer_id=12, acts_on_alerts=True)[0].can_acknowledge
    assert not alert_rows([alert(user_id=11)], viewer_id=12, acts_on_alerts=False)[0].can_acknowledge
    acknowledged = alert(user_id=11, state=AlertState.ACKNOWLEDGED)
    assert not alert_rows([acknowledged], viewer_id=12, acts_on_alerts=True)[0].can_acknowledge


def test_kpi_lines_read_each_value_in_its_unit_and_missing_as_none():
    page = PersonPage(
        employee=Employee(name="李明"),
        month=JUNE,
        months=[JUNE],
        scorecard=None,
        lines=[
            PersonKpiLine(
                kpi=revenue(),
                actual=None,
                target=Decimal(80000),
                attainment=None,
                team_average=Decimal("60000.4"),
                trend=[None],
            )
        ],
        composite_trend=[None],
    )
    (line,) = kpi_lines(page)
    assert (line.name, line.actual, line.target, line.attainment, line.band, line.team_average) == (
        "Monthly revenue",
        None,
        "¥80,000",
        None,
        "none",
        "¥60,000",
    )


def test_a_running_streak_reads_from_first_to_last_month_with_its_level():
    row = run_row(StreakRun(first=JUNE - 5, last=JUNE, months=6, is_running=True))
    assert row["months"] == 6
    assert row["level"] == "alert"
    assert row["is_running"]
    assert "2025" in row["first"]
    assert "2025" in row["last"]


def test_one_small_unit_among_large_ones_hides_the_smallest_other_too(tree):
    """Otherwise the department's total minus the shown teams gives the small team away."""
    selection = org_selection(list(tree.values()), root_id=None)
    assert selection is not None
    units = [tree["sales"], tree["service"]]
    breakdown = PeopleBreakdown(
        total=PeopleFigures(cards=14),
        by_unit={units[0].pk: PeopleFigures(cards=2), units[1].pk: PeopleFigures(cards=12)},
    )
    rows = unit_rows(
        units, selection=selection, figures={}, breakdown=breakdown, alerts={}, shows_individuals=False
    )
    assert [row.people.is_hidden for row in rows] == [True, True]
    both_large = PeopleBreakdown(
        total=PeopleFigures(cards=20),
        by_unit={units[0].pk: PeopleFigures(cards=8), units[1].pk: PeopleFigures(cards=12)},
    )
    rows = unit_rows(
        units, selection=selection, figures={}, breakdown=both_large, alerts={}, shows_individuals=False
    )
    assert [row.people.is_hidden for row in rows] == [False, False]
    managers = unit_rows(
        units, selection=selection, figures={}, breakdown=breakdown, alerts={}, shows_individuals=True
    )
    assert [row.people.is_hidden for row in managers] == [False, False]


def test_a_small_unit_on_another_page_hides_the_smallest_unit_of_this_one(tree):
    """Paging cannot undo the hiding: the total minus the rows of both pages would give it away."""
    selection = org_selection(list(tree.values()), root_id=None)
    assert selection is not None
    small, large = tree["sales"], tree["service"]
    breakdown = PeopleBreakdown(
        total=PeopleFigures(cards=14),
        by_unit={small.pk: PeopleFigures(cards=2), large.pk: PeopleFigures(cards=12)},
    )
    for page in ([small], [large]):
        rows = unit_rows(
            page,
            selection=selection,
            figures={},
            breakdown=breakdown,
            alerts={},
            shows_individuals=False,
            siblings=[small, large],
        )
        assert [row.people.is_hidden for row in rows] == [True]


def test_a_unit_without_anyone_scored_needs_no_other_unit_hidden(tree):
    selection = org_selection(list(tree.values()), root_id=None)
    assert selection is not None
    units = [tree["sales"], tree["service"]]
    breakdown = PeopleBreakdown(total=PeopleFigures(cards=12), by_unit={units[1].pk: PeopleFigures(cards=12)})
    rows = unit_rows(
        units, selection=selection, figures={}, breakdown=breakdown, alerts={}, shows_individuals=False
    )
    assert [row.people.is_hidden for row in rows] == [True, False]
