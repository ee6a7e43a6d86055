"""Reads of scorecards, facts and team aggregates — every one scoped to the viewer."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Max, QuerySet
from django.utils.translation import gettext as _

from perfloop.accounts.models import User
from perfloop.accounts.selectors import (
    can_see_individuals,
    employee_scope_for,
    org_unit_scope_for,
)
from perfloop.core.errors import NotFound
from perfloop.core.months import Month
from perfloop.metrics.models import Kpi, MonthlyFact, MonthlyTarget, Scorecard, ScoringPolicy, TeamMonth
from perfloop.org.models import Employee, OrgUnit


def kpi_list() -> list[Kpi]:
    """The KPI catalogue is company configuration, visible to every signed-in user."""
    return list(Kpi.objects.all())


def scorecard_list_for(
    *, viewer: User, month: Month | None = None, team: OrgUnit | None = None, employee: Employee | None = None
) -> QuerySet[Scorecard]:
    """Scorecards of people the viewer may see, optionally for one month, team or person."""
    cards = Scorecard.objects.filter(employee__in=employee_scope_for(viewer=viewer))
    if month is not None:
        cards = cards.filter(month=month)
    if team is not None:
        cards = cards.filter(org_unit__path__startswith=team.path)
    if employee is not None:
        cards = cards.filter(employee=employee)
    return cards.select_related("employee").order_by("month", "org_unit_id", "rank_in_team", "employee_id")


def monthly_fact_list_for(
    *, viewer: User, employee: Employee | None = None, first: Month | None = None, last: Month | None = None
) -> QuerySet[MonthlyFact]:
    """KPI values of people the viewer may see."""
    facts = MonthlyFact.objects.filter(employee__in=employee_scope_for(viewer=viewer))
    if employee is not None:
        facts = facts.filter(employee=employee)
    if first is not None:
        facts = facts.filter(month__gte=first)
    if last is not None:
        facts = facts.filter(month__lte=last)
    return facts.select_related("kpi").order_by("employee_id", "month", "kpi__display_order")


def employee_list_for(*, viewer: User, team: OrgUnit | None = None) -> QuerySet[Employee]:
    employees = employee_scope_for(viewer=viewer)
    if team is not None:
        employees = employees.filter(org_unit__path__startswith=team.path)
    return employees.select_related("org_unit", "position").order_by("employee_number")


def team_get_for(*, viewer: User, unit_id: int) -> OrgUnit:
    unit = org_unit_scope_for(viewer=viewer).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(_("No such team in your scope."))
    return unit


def latest_month_for(*, viewer: User) -> Month | None:
    """The newest month with a scorecard the viewer can see (or a team aggregate they cover)."""
    value = Scorecard.objects.filter(employee__in=employee_scope_for(viewer=viewer)).aggregate(
        m=Max("month")
    )["m"]
    if value is None:
        value = TeamMonth.objects.filter(org_unit__in=org_unit_scope_for(viewer=viewer)).aggregate(
            m=Max("month")
        )["m"]
    return None if value is None else Month.from_int(value) if isinstance(value, int) else value


@dataclass
class HeatMapRow:
    employee: Employee
    cells: list[Decimal | None]
    streak: int


@dataclass
class TeamDashboard:
    team: OrgUnit
    month: Month
    months: list[Month]
    completion_trend: list[Decimal | None]
    team_month: TeamMonth | None
    tiles: list[dict[str, object]]
    heat_map: list[HeatMapRow] = field(default_factory=list)
    shows_individuals: bool = False


def team_dashboard_for(
    *, viewer: User, team: OrgUnit, month: Month, span: int = 12, with_heat_map: bool = True
) -> TeamDashboard:
    """A team's month: KPI tiles, team-completion trend and (for those who may see people) the heat map.

    ``with_heat_map=False`` leaves the people out for callers that page through them themselves.
    """
    months = [month - offset for offset in range(span - 1, -1, -1)]
    team_months = {
        tm.month: tm for tm in TeamMonth.objects.filter(org_unit=team, month__gte=months[0], month__lte=month)
    }
    trend = [team_months[m].completion if m in team_months else None for m in months]
    tiles = _kpi_tiles(team=team, month=month)
    dashboard = TeamDashboard(
        team=team,
        month=month,
        months=months,
        completion_trend=trend,
        team_month=team_months.get(month),
        tiles=tiles,
    )
    if can_see_individuals(viewer=viewer):
        dashboard.shows_individuals = True
    if dashboard.shows_individuals and with_heat_map:
        cards = scorecard_list_for(viewer=viewer, team=team).filter(month__gte=months[0], month__lte=month)
        by_person: dict[int, dict[Month, Scorecard]] = defaultdict(dict)
        people: dict[int, Employee] = {}
        for card in cards:
            by_person[card.employee_id][card.month] = card
            people[card.employee_id] = card.employee
        for employee_id, person_cards in sorted(
            by_person.items(), key=lambda item: people[item[0]].employee_number
        ):
            last = person_cards.get(month)
            dashboard.heat_map.append(
                HeatMapRow(
                    employee=people[employee_id],
                    cells=[person_cards[m].composite if m in person_cards else None for m in months],
                    streak=last.streak_below if last else 0,
                )
            )
    return dashboard


def _kpi_tiles(*, team: OrgUnit, month: Month) -> list[dict[str, object]]:
    """Team totals (sums) or averages (rates, scores) of each KPI against the same of targets."""
    kpis = kpi_list()
    actual = {
        row["kpi_id"]: row["value"]
        for row in MonthlyFact.objects.filter(employee__org_unit__path__startswith=team.path, month=month)
        .values("kpi_id")
        .annotate(value=Avg("value"))
    }
    target = {
        row["kpi_id"]: row["value"]
        for row in MonthlyTarget.objects.filter(employee__org_unit__path__startswith=team.path, month=month)
        .values("kpi_id")
        .annotate(value=Avg("value"))
    }
    tiles: list[dict[str, object]] = []
    for kpi in kpis:
        a, t = actual.get(kpi.pk), target.get(kpi.pk)
        tiles.append({"kpi": kpi, "actual": a, "target": t, "attainment": kpi.attainment_of(a, t)})
    return tiles


@dataclass
class PersonKpiLine:
    kpi: Kpi
    actual: Decimal | None
    target: Decimal | None
    attainment: Decimal | None
    team_average: Decimal | None
    trend: list[Decimal | None]
    target_trend: list[Decimal | None] = field(default_factory=list)
    team_average_trend: list[Decimal | None] = field(default_factory=list)


@dataclass
class PersonPage:
    employee: Employee
    month: Month
    months: list[Month]
    scorecard: Scorecard | None
    lines: list[PersonKpiLine]
    composite_trend: list[Decimal | None]


MIN_GROUP_SIZE = 5
"""Below this many people a group's figures name its members: counts of people (bands, streaks, alerts)
are hidden from aggregate-only viewers ("1 of 2 below target for 6 months" names the person to anyone who
knows the team), and a team average beside one person's own value is not shown to anyone (with two
people, the average and one's own value give the other's)."""


def person_page_for(*, viewer: User, employee: Employee, month: Month, span: int = 12) -> PersonPage:
    """One person's month: each KPI against target and the team average, with a trend."""
    months = [month - offset for offset in range(span - 1, -1, -1)]
    facts = {
        (f.kpi_id, f.month): f.value
        for f in monthly_fact_list_for(viewer=viewer, employee=employee, first=months[0], last=month)
    }
    targets = {
        (t.kpi_id, t.month): t.value
        for t in MonthlyTarget.objects.filter(employee=employee, month__gte=months[0], month__lte=month)
    }
    team_averages = {
        (kpi_id, fact_month): value
        for kpi_id, fact_month, value, people in MonthlyFact.objects.filter(
            employee__org_unit_id=employee.org_unit_id, month__gte=months[0], month__lte=month
        )
        .values("kpi_id", "month")
        .annotate(value=Avg("value"), people=Count("employee_id", distinct=True))
        .values_list("kpi_id", "month", "value", "people")
        if people >= MIN_GROUP_SIZE
    }
    cards = {
        c.month: c for c in scorecard_list_for(viewer=viewer, employee=employee).filter(month__gte=months[0])
    }
    lines = []
    for kpi in kpi_list():
        actual, target = facts.get((kpi.pk, month)), targets.get((kpi.pk, month))
        attainment = kpi.attainment_of(actual, target)
        average = team_averages.get((kpi.pk, month))
        lines.append(
            PersonKpiLine(
                kpi=kpi,
                actual=actual,
                target=target,
                attainment=attainment,
                team_average=None if average is None else Decimal(average),
                trend=[facts.get((kpi.pk, m)) for m in months],
                target_trend=[targets.get((kpi.pk, m)) for m in months],
                team_average_trend=[
                    None if (value := team_averages.get((kpi.pk, m))) is None else Decimal(value)
                    for m in months
                ],
            )
        )
    return PersonPage(
        employee=employee,
        month=month,
        months=months,
        scorecard=cards.get(month),
        lines=lines,
        composite_trend=[cards[m].composite if m in cards else None for m in months],
    )


@dataclass(frozen=True)
class UnitFigures:
    """A unit's month, summed over every team of its subtree (a team alone gives its own figures)."""

    members: int
    members_scored: int
    members_met: int
    completion: Decimal | None
    average_composite: Decimal | None


def roll_up_team_months(team_months: list[TeamMonth]) -> UnitFigures | None:
    """Σ actual ÷ Σ target, as the engine computes one team; the average composite weighted by people scored.

    The engine writes one TeamMonth per team that has members; a parent unit's figures are the sum of its
    teams, never an average of their percentages.
    """
    if not team_months:
        return None
    target = sum((tm.target for tm in team_months), Decimal(0))
    actual = sum((tm.actual for tm in team_months), Decimal(0))
    scored = [tm for tm in team_months if tm.average_composite is not None and tm.members_scored]
    weight = sum(tm.members_scored for tm in scored)
    weighted = sum(((tm.average_composite or Decimal(0)) * tm.members_scored for tm in scored), Decimal(0))
    return UnitFigures(
        members=sum(tm.members for tm in team_months),
        members_scored=sum(tm.members_scored for tm in team_months),
        members_met=sum(tm.members_met for tm in team_months),
        completion=actual / target if target else None,
        average_composite=weighted / weight if weight else None,
    )


def unit_figures_for(*, viewer: User, unit: OrgUnit, first: Month, last: Month) -> dict[Month, UnitFigures]:
    """A unit's months rolled up over its subtree's teams, in one query (a department sums its teams)."""
    if not org_unit_scope_for(viewer=viewer).filter(pk=unit.pk).exists():
        return {}
    by_month: dict[Month, list[TeamMonth]] = defaultdict(list)
    for team_month in TeamMonth.objects.filter(
        org_unit__path__startswith=unit.path, month__gte=first, month__lte=last
    ):
        by_month[team_month.month].append(team_month)
    return {
        month: figures
        for month, rows in by_month.items()
        if (figures := roll_up_team_months(rows)) is not None
    }


def team_month_list_for(*, viewer: User, month: Month) -> list[TeamMonth]:
    """Team aggregates of one month for every unit the viewer covers."""
    return list(
        TeamMonth.objects.filter(org_unit__in=org_unit_scope_for(viewer=viewer), month=month).select_related(
            "org_unit"
        )
    )


def met_threshold_current() -> Decimal | None:
    """The share of target that counts as met under the scoring policy in force (None before there is one):
    shown beside "met target" so nobody wonders why 75% counts."""
    return ScoringPolicy.objects.order_by("-pk").values_list("met_threshold", flat=True).first()
