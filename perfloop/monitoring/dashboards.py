"""Reads behind the dashboards: unit roll-ups, the attainment distribution, streak counts, ranked people.

Counts and sums are scoped by the units whose aggregates the viewer may see (`org_unit_scope_for`),
so executives get them; anything that names a person is scoped like `employee_scope_for`, so executives
never do. Every function answers in a fixed number of queries, whatever the size of the unit: the
dashboards promise at most 30 queries a page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, DecimalField, F, Max, Q, QuerySet, Sum, When
from django.utils.translation import gettext as _

from perfloop.accounts.models import Role, User
from perfloop.accounts.selectors import can_see_individuals, org_unit_scope_for
from perfloop.core.errors import NotFound
from perfloop.core.months import Month
from perfloop.metrics.models import Scorecard, TeamMonth
from perfloop.metrics.presentation import as_decimal
from perfloop.metrics.selectors import UnitFigures
from perfloop.monitoring.models import Alert
from perfloop.org.models import Employee, OrgUnit

WARNING_STREAK = 3
"""Months below target in a row that put a person on the "needs attention" list (the warning rule)."""
ALERT_STREAK = 6
"""The policy definition of long-term underperformance: six consecutive months below target."""

# Composite attainment bands of the heat map and the distribution: < 70%, 70–85%, 85–100%, ≥ 100%.
BAND_LIMITS = (Decimal("0.7"), Decimal("0.85"), Decimal(1))
BANDS = ("low", "below", "near", "met")


@dataclass(frozen=True)
class DashboardScope:
    """What one viewer may see on the dashboards, read once a request in two queries.

    ``units`` are the units whose aggregates the viewer sees (`org_unit_scope_for`, in path order);
    ``people()`` is `employee_scope_for` as a condition on a row's employee. Both become lists of unit
    ids, not ``IN (subquery)``: with 100,000 employees PostgreSQL would otherwise scan every employee
    (the scope's OR spans a join) before looking at one team's rows — and the ids also let it estimate
    how few rows a team has. A test compares ``people()`` with `employee_scope_for` for every persona.
    """

    viewer: User
    units: dict[int, OrgUnit]
    sees_individuals: bool
    sees_nobody: bool

    def unit(self, unit_id: int) -> OrgUnit:
        """One unit in scope, or NotFound — the same answer whether it does not exist or is out of scope."""
        unit = self.units.get(unit_id)
        if unit is None:
            raise NotFound(_("No such team in your scope."))
        return unit

    def subtree_ids(self, roots: Iterable[OrgUnit]) -> list[int]:
        """Ids of the units in scope under any of the roots (a root outside the scope covers nothing)."""
        paths = tuple(root.path for root in roots if root.pk in self.units)
        return [unit_id for unit_id, unit in self.units.items() if paths and unit.path.startswith(paths)]

    def ancestors_in(self, unit_id: int, wanted: set[int]) -> list[int]:
        """The unit itself and those above it (read from its materialised path) that are in ``wanted``."""
        return [int(part) for part in self.units[unit_id].path.strip("/").split("/") if int(part) in wanted]

    def people(self, prefix: str = "employee__") -> Q:
        """The people whose individual results the viewer may see, as a condition on ``prefix``."""
        if self.sees_nobody:
            return Q(pk__in=[])
        own = Q(**{f"{prefix}user_id": self.viewer.pk})
        if not self.sees_individuals:
            return own
        return own | Q(**{f"{prefix}org_unit_id__in": list(self.units)})


def dashboard_scope_for(*, viewer: User) -> DashboardScope:
    """The viewer's dashboard scope (see `DashboardScope`), in two queries."""
    units = {unit.pk: unit for unit in org_unit_scope_for(viewer=viewer).order_by("path")}
    return DashboardScope(
        viewer=viewer,
        units=units,
        sees_individuals=can_see_individuals(viewer=viewer),
        sees_nobody=not viewer.is_authenticated or not viewer.is_active or viewer.role == Role.SYSADMIN,
    )


# ---------------------------------------------------------------- months


def latest_unit_month_for(*, scope: DashboardScope, units: Sequence[OrgUnit]) -> Month | None:
    """The newest month with team figures under the units (the monthly close writes them with scorecards)."""
    value = TeamMonth.objects.filter(org_unit_id__in=scope.subtree_ids(units)).aggregate(latest=Max("month"))[
        "latest"
    ]
    if value is None or isinstance(value, Month):
        return value
    return Month.from_int(value)


# ---------------------------------------------------------------- unit figures


@dataclass
class _TeamTotals:
    """Sums of team months, so that a parent's completion is Σ actual ÷ Σ target (never a mean of %)."""

    members: int = 0
    members_scored: int = 0
    members_met: int = 0
    actual: Decimal = Decimal(0)
    target: Decimal = Decimal(0)
    composite_weight: int = 0
    composite_sum: Decimal = Decimal(0)
    teams: int = 0

    def add(self, row: dict[str, Any]) -> None:
        self.teams += row["teams"]
        self.members += row["total_members"] or 0
        self.members_scored += row["total_scored"] or 0
        self.members_met += row["total_met"] or 0
        self.actual += as_decimal(row["total_actual"]) or Decimal(0)
        self.target += as_decimal(row["total_target"]) or Decimal(0)
        self.composite_weight += row["composite_weight"] or 0
        self.composite_sum += as_decimal(row["composite_sum"]) or Decimal(0)

    def figures(self) -> UnitFigures | None:
        if not self.teams:
            return None
        return UnitFigures(
            members=self.members,
            members_scored=self.members_scored,
            members_met=self.members_met,
            completion=self.actual / self.target if self.target else None,
            average_composite=self.composite_sum / self.composite_weight if self.composite_weight else None,
        )


# The average composite of several teams is weighted by the people scored in each (as the engine does).
_SCORED = Q(average_composite__isnull=False, members_scored__gt=0)
_TEAM_SUMS = {
    "teams": Count("pk"),
    "total_members": Sum("members"),
    "total_scored": Sum("members_scored"),
    "total_met": Sum("members_met"),
    "total_actual": Sum("actual"),
    "total_target": Sum("target"),
    "composite_weight": Sum("members_scored", filter=_SCORED),
    "composite_sum": Sum(
        F("average_composite") * F("members_scored"),
        filter=_SCORED,
        output_field=DecimalField(max_digits=18, decimal_places=4),
    ),
}


@dataclass(frozen=True)
class UnitMonths:
    """Team figures of the units' subtrees: each unit's month, and the units' total for every month."""

    by_unit: dict[int, UnitFigures]
    trend: dict[Month, UnitFigures]


def unit_months_for(
    *, scope: DashboardScope, roots: Sequence[OrgUnit], units: Sequence[OrgUnit], month: Month, first: Month
) -> UnitMonths:
    """Each of ``units`` rolled up at ``month``, and all of ``roots`` together from ``first`` to ``month``.

    Two grouped queries over the team months of the roots' subtrees — the months (twelve rows) and the
    month's teams (a few hundred at 100,000 people; skipped without ``units``) — whatever the size of
    the organisation.
    """
    team_months = TeamMonth.objects.filter(org_unit_id__in=scope.subtree_ids(roots))
    trend_rows = (
        team_months.filter(month__gte=first, month__lte=month)
        .values("month")
        .annotate(**_TEAM_SUMS)
        .order_by()
    )
    trend = {}
    for row in trend_rows:
        totals = _TeamTotals()
        totals.add(row)
        if (figures := totals.figures()) is not None:
            trend[row["month"]] = figures
    per_unit: dict[int, _TeamTotals] = defaultdict(_TeamTotals)
    wanted = {unit.pk for unit in units}
    by_team = team_months.filter(month=month).values("org_unit_id").annotate(**_TEAM_SUMS).order_by()
    for row in by_team if wanted else []:
        for unit_id in scope.ancestors_in(row["org_unit_id"], wanted):
            per_unit[unit_id].add(row)
    by_unit = {unit_id: figures for unit_id, totals in per_unit.items() if (figures := totals.figures())}
    return UnitMonths(by_unit=by_unit, trend=trend)


# ---------------------------------------------------------------- distribution and streaks


@dataclass
class PeopleFigures:
    """How a unit's people did in a month, as counts only: attainment bands and running streaks."""

    cards: int = 0
    bands: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BANDS, 0))
    not_scored: int = 0
    streak_warning: int = 0  # below target 3+ months in a row (includes the 6+)
    streak_alert: int = 0  # 6+ months: long-term underperformance

    @property
    def scored(self) -> int:
        return sum(self.bands.values())

    def add(self, other: PeopleFigures) -> None:
        self.cards += other.cards
        for band in BANDS:
            self.bands[band] += other.bands[band]
        self.not_scored += other.not_scored
        self.streak_warning += other.streak_warning
        self.streak_alert += other.streak_alert


@dataclass(frozen=True)
class PeopleBreakdown:
    total: PeopleFigures
    by_unit: dict[int, PeopleFigures]


def people_breakdown_for(
    *, scope: DashboardScope, roots: Sequence[OrgUnit], units: Sequence[OrgUnit], month: Month
) -> PeopleBreakdown:
    """Counts of the month's scorecards under the roots, by band and streak, totalled and per unit subtree.

    Aggregates only — no row names a person — so it is open to everyone who sees the units' figures.
    One grouped query (per team), rolled up over paths in Python.
    """
    low, below, near = BAND_LIMITS
    rows = (
        Scorecard.objects.filter(org_unit_id__in=scope.subtree_ids(roots), month=month)
        .values("org_unit_id")
        .annotate(
            cards=Count("pk"),
            low=Count("pk", filter=Q(composite__lt=low)),
            below=Count("pk", filter=Q(composite__gte=low, composite__lt=below)),
            near=Count("pk", filter=Q(composite__gte=below, composite__lt=near)),
            met=Count("pk", filter=Q(composite__gte=near)),
            not_scored=Count("pk", filter=Q(composite__isnull=True)),
            warning=Count("pk", filter=Q(streak_below__gte=WARNING_STREAK)),
            alert=Count("pk", filter=Q(streak_below__gte=ALERT_STREAK)),
        )
        .order_by()
    )
    total = PeopleFigures()
    by_unit = {unit.pk: PeopleFigures() for unit in units}
    wanted = set(by_unit)
    for row in rows:
        team = PeopleFigures(
            cards=row["cards"],
            bands={band: row[band] for band in BANDS},
            not_scored=row["not_scored"],
            streak_warning=row["warning"],
            streak_alert=row["alert"],
        )
        total.add(team)
        for unit_id in scope.ancestors_in(row["org_unit_id"], wanted):
            by_unit[unit_id].add(team)
    return PeopleBreakdown(total=total, by_unit=by_unit)


def alerts_raised_for(
    *, scope: DashboardScope, roots: Sequence[OrgUnit], units: Sequence[OrgUnit], month: Month
) -> tuple[int, dict[int, int]]:
    """How many alerts the month raised under the roots: the total and per unit subtree — counts only,
    open to everyone who sees the units' figures; one grouped query."""
    wanted = {unit.pk for unit in units}
    total, by_unit = 0, dict.fromkeys(wanted, 0)
    rows = (
        Alert.objects.filter(org_unit_id__in=scope.subtree_ids(roots), month=month)
        .values_list("org_unit_id")
        .annotate(raised=Count("pk"))
        .order_by()
    )
    for unit_id, raised in rows:
        total += raised
        for ancestor in scope.ancestors_in(unit_id, wanted):
            by_unit[ancestor] += raised
    return total, by_unit


# ---------------------------------------------------------------- ranked people of a team


@dataclass(frozen=True)
class PersonRef:
    """Who a ranking row is about: enough to name and link a person, without loading the whole record."""

    pk: int
    name: str
    employee_number: str


@dataclass
class RankedPerson:
    """One row of a team's ranking and heat map: this month's composite, its streak and 12 months of cells."""

    rank: int | None  # None: no scorecard this month (joined later, left, no target): shown, not ranked
    employee: PersonRef
    composite: Decimal | None
    is_met: bool | None
    streak: int
    cells: list[Decimal | None]


def _window_cards(*, scope: DashboardScope, unit: OrgUnit, month: Month, first: Month) -> QuerySet[Scorecard]:
    """Scorecards of the people the viewer may see, filed under the unit's subtree during the window."""
    return Scorecard.objects.filter(
        scope.people(),
        org_unit_id__in=scope.subtree_ids([unit]),
        month__gte=first,
        month__lte=month,
    )


def _ranked_cards(
    *, scope: DashboardScope, unit: OrgUnit, month: Month, first: Month
) -> QuerySet[Scorecard, dict[str, Any]]:
    """One row per person with a scorecard in the unit during the window, best this month first."""
    this_month = Q(month=month)
    return (
        _window_cards(scope=scope, unit=unit, month=month, first=first)
        .values("employee_id", "employee__employee_number", "employee__name")
        .annotate(
            current=Max(Case(When(this_month, then=F("composite")))),
            streak=Max(Case(When(this_month, then=F("streak_below")))),
        )
        .order_by(F("current").desc(nulls_last=True), "employee__employee_number")
    )


def _ranked_people(
    cards: QuerySet[Scorecard], ranked: Sequence[dict[str, Any]], months: Sequence[Month], first_rank: int
) -> list[RankedPerson]:
    """The ranked rows with their months' composites, read from ``cards`` in one query."""
    cells: dict[int, dict[Month, tuple[Decimal | None, bool | None]]] = defaultdict(dict)
    for employee_id, month, composite, is_met in cards.values_list(
        "employee_id", "month", "composite", "is_met"
    ):
        cells[employee_id][month] = (composite, is_met)
    last = months[-1]
    people = []
    for offset, row in enumerate(ranked):
        own = cells[row["employee_id"]]
        people.append(
            RankedPerson(
                # Nulls sort last, so the people ranked keep consecutive ranks before everyone unranked.
                rank=first_rank + offset if row["current"] is not None else None,
                employee=PersonRef(
                    row["employee_id"], row["employee__name"], row["employee__employee_number"]
                ),
                composite=as_decimal(row["current"]),
                is_met=own[last][1] if last in own else None,
                streak=row["streak"] or 0,
                cells=[own[m][0] if m in own else None for m in months],
            )
        )
    return people


def ranked_people_page_for(
    *, scope: DashboardScope, unit: OrgUnit, months: Sequence[Month], page: int | str | None, per_page: int
) -> tuple[Page, list[RankedPerson]]:
    """A page of the unit's people ranked by this month's composite, each with their months' composites.

    Three queries whatever the unit's size: the count, the page, and the page's scorecards.
    """
    first, month = months[0], months[-1]
    paginator = Paginator(_ranked_cards(scope=scope, unit=unit, month=month, first=first), per_page)
    current = paginator.get_page(page)
    ranked = list(current.object_list)
    cards = _window_cards(scope=scope, unit=unit, month=month, first=first).filter(
        employee_id__in=[row["employee_id"] for row in ranked]
    )
    return current, _ranked_people(cards, ranked, months, current.start_index())


def ranked_people_all_for(
    *, scope: DashboardScope, unit: OrgUnit, months: Sequence[Month]
) -> list[RankedPerson]:
    """Every person of the ranking (for the export), in two queries."""
    first, month = months[0], months[-1]
    ranked = list(_ranked_cards(scope=scope, unit=unit, month=month, first=first))
    cards = _window_cards(scope=scope, unit=unit, month=month, first=first)
    return _ranked_people(cards, ranked, months, 1)


# ---------------------------------------------------------------- a person's streak history


@dataclass(frozen=True)
class StreakRun:
    """Consecutive months below target, ``first`` to ``last``; ``is_running``: it reaches the month shown."""

    first: Month
    last: Month
    months: int
    is_running: bool

    @property
    def level(self) -> str:
        if self.months >= ALERT_STREAK:
            return "alert"
        return "warning" if self.months >= WARNING_STREAK else ""


def streak_runs_for(*, scope: DashboardScope, employee: Employee, until: Month) -> list[StreakRun]:
    """Every run of months below target in the person's history up to ``until``, newest first.

    Read from the engine's own ``streak_below`` (a gap in the data ends a run, as the engine counts it),
    so the history always agrees with the badges.
    """
    history = (
        Scorecard.objects.filter(scope.people(), employee=employee, month__lte=until)
        .order_by("month")
        .values_list("month", "streak_below")
    )
    runs: list[StreakRun] = []
    start: Month | None = None
    previous: tuple[Month, int] | None = None
    for month, streak in history:
        if streak > 0 and (previous is None or previous[1] == 0 or streak != previous[1] + 1):
            if start is not None and previous is not None:
                runs.append(StreakRun(start, previous[0], previous[1], False))
            start = month
        elif streak == 0 and start is not None and previous is not None:
            runs.append(StreakRun(start, previous[0], previous[1], False))
            start = None
        previous = (month, streak)
    if start is not None and previous is not None and previous[1] > 0:
        runs.append(StreakRun(start, previous[0], previous[1], previous[0] == until))
    runs.reverse()
    return runs
