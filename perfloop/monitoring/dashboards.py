"""Reads behind the dashboards: unit roll-ups, the attainment distribution, streak counts, ranked people.

Counts and sums are scoped by the units whose aggregates the viewer may see (`org_unit_scope_for`),
so executives get them; anything that names a person is scoped by `employee_scope_for`, so executives
never do. Every function answers in a fixed number of queries, whatever the size of the unit: the
dashboards promise at most 30 queries a page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, Max, Q, QuerySet, When

from perfloop.accounts.models import User
from perfloop.accounts.selectors import employee_scope_for, org_unit_scope_for
from perfloop.core.months import Month
from perfloop.metrics.models import Scorecard, TeamMonth
from perfloop.metrics.selectors import UnitFigures
from perfloop.org.models import Employee, OrgUnit

WARNING_STREAK = 3
"""Months below target in a row that put a person on the "needs attention" list (the warning rule)."""
ALERT_STREAK = 6
"""The policy definition of long-term underperformance: six consecutive months below target."""

# Composite attainment bands of the heat map and the distribution: < 70%, 70–85%, 85–100%, ≥ 100%.
BAND_LIMITS = (Decimal("0.7"), Decimal("0.85"), Decimal(1))
BANDS = ("low", "below", "near", "met")


def _subtree(units: Iterable[OrgUnit], prefix: str = "org_unit__") -> Q:
    """Rows of any of the units' subtrees (materialised-path prefixes)."""
    condition = Q(pk__in=[])
    for unit in units:
        condition |= Q(**{f"{prefix}path__startswith": unit.path})
    return condition


# ---------------------------------------------------------------- months


def latest_unit_month_for(*, viewer: User, units: Sequence[OrgUnit]) -> Month | None:
    """The newest month with team figures under the units (the monthly close writes them with scorecards)."""
    value = (
        TeamMonth.objects.filter(org_unit__in=org_unit_scope_for(viewer=viewer))
        .filter(_subtree(units))
        .aggregate(latest=Max("month"))["latest"]
    )
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

    def add(self, row: tuple) -> None:
        _path, _month, members, scored, met, actual, target, average_composite = row
        self.teams += 1
        self.members += members
        self.members_scored += scored
        self.members_met += met
        self.actual += Decimal(actual)
        self.target += Decimal(target)
        if average_composite is not None and scored:
            self.composite_weight += scored
            self.composite_sum += Decimal(average_composite) * scored

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


@dataclass(frozen=True)
class UnitMonths:
    """Team figures of the units' subtrees: each unit's month, and the units' total for every month."""

    by_unit: dict[int, UnitFigures]
    trend: dict[Month, UnitFigures]


def unit_months_for(
    *, viewer: User, roots: Sequence[OrgUnit], units: Sequence[OrgUnit], month: Month, first: Month
) -> UnitMonths:
    """Each of ``units`` rolled up at ``month``, and all of ``roots`` together from ``first`` to ``month``.

    One query over the team months of the roots' subtrees (a few hundred rows a month at 100,000 people).
    """
    rows = list(
        TeamMonth.objects.filter(
            org_unit__in=org_unit_scope_for(viewer=viewer), month__gte=first, month__lte=month
        )
        .filter(_subtree(roots))
        .values_list(
            "org_unit__path",
            "month",
            "members",
            "members_scored",
            "members_met",
            "actual",
            "target",
            "average_composite",
        )
    )
    per_month: dict[Month, _TeamTotals] = defaultdict(_TeamTotals)
    per_unit: dict[int, _TeamTotals] = defaultdict(_TeamTotals)
    for row in rows:
        per_month[row[1]].add(row)
        if row[1] == month:
            for unit in units:
                if row[0].startswith(unit.path):
                    per_unit[unit.pk].add(row)
    by_unit = {unit_id: figures for unit_id, totals in per_unit.items() if (figures := totals.figures())}
    trend = {m: figures for m, totals in per_month.items() if (figures := totals.figures())}
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
    *, viewer: User, roots: Sequence[OrgUnit], units: Sequence[OrgUnit], month: Month
) -> PeopleBreakdown:
    """Counts of the month's scorecards under the roots, by band and streak, totalled and per unit subtree.

    Aggregates only — no row names a person — so it is open to everyone who sees the units' figures.
    One grouped query (per team), rolled up over paths in Python.
    """
    low, below, near = BAND_LIMITS
    rows = (
        Scorecard.objects.filter(org_unit__in=org_unit_scope_for(viewer=viewer), month=month)
        .filter(_subtree(roots))
        .values("org_unit__path")
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
    for row in rows:
        team = PeopleFigures(
            cards=row["cards"],
            bands={band: row[band] for band in BANDS},
            not_scored=row["not_scored"],
            streak_warning=row["warning"],
            streak_alert=row["alert"],
        )
        total.add(team)
        for unit in units:
            if row["org_unit__path"].startswith(unit.path):
                by_unit[unit.pk].add(team)
    return PeopleBreakdown(total=total, by_unit=by_unit)


# ---------------------------------------------------------------- ranked people of a team


@dataclass
class RankedPerson:
    """One row of a team's ranking and heat map: this month's composite, its streak and 12 months of cells."""

    rank: int
    employee: Employee
    composite: Decimal | None
    is_met: bool | None
    streak: int
    cells: list[Decimal | None]


def _ranked_cards(*, viewer: User, unit: OrgUnit, month: Month, first: Month) -> QuerySet[Scorecard, dict]:
    """One row per person with a scorecard in the unit during the window, best this month first."""
    this_month = Q(month=month)
    return (
        Scorecard.objects.filter(
            employee__in=employee_scope_for(viewer=viewer),
            org_unit__path__startswith=unit.path,
            month__gte=first,
            month__lte=month,
        )
        .values("employee_id", "employee__employee_number")
        .annotate(
            current=Max(Case(When(this_month, then=F("composite")))),
            streak=Max(Case(When(this_month, then=F("streak_below")))),
        )
        .order_by(F("current").desc(nulls_last=True), "employee__employee_number")
    )


def ranked_people_page_for(
    *, viewer: User, unit: OrgUnit, months: Sequence[Month], page: int | str | None, per_page: int
) -> tuple[Page, list[RankedPerson]]:
    """A page of the unit's people ranked by this month's composite, each with their months' composites.

    Three queries whatever the unit's size: the count, the page, and the page's scorecards.
    """
    first, month = months[0], months[-1]
    paginator = Paginator(_ranked_cards(viewer=viewer, unit=unit, month=month, first=first), per_page)
    current = paginator.get_page(page)
    ids = [row["employee_id"] for row in current.object_list]
    cards: dict[int, dict[Month, Scorecard]] = defaultdict(dict)
    employees: dict[int, Employee] = {}
    for card in (
        Scorecard.objects.filter(
            employee_id__in=ids, org_unit__path__startswith=unit.path, month__gte=first, month__lte=month
        )
        .select_related("employee")
        .only(
            "employee_id",
            "month",
            "composite",
            "is_met",
            "streak_below",
            "employee__name",
            "employee__employee_number",
        )
    ):
        cards[card.employee_id][card.month] = card
        employees[card.employee_id] = card.employee
    people = []
    for offset, employee_id in enumerate(ids):
        own = cards[employee_id]
        latest = own.get(month)
        people.append(
            RankedPerson(
                rank=current.start_index() + offset,
                employee=employees[employee_id],
                composite=latest.composite if latest else None,
                is_met=latest.is_met if latest else None,
                streak=latest.streak_below if latest else 0,
                cells=[own[m].composite if m in own else None for m in months],
            )
        )
    return current, people


def ranked_people_all_for(*, viewer: User, unit: OrgUnit, months: Sequence[Month]) -> list[RankedPerson]:
    """Every person of the ranking (for the export), in two queries."""
    first, month = months[0], months[-1]
    order = list(
        _ranked_cards(viewer=viewer, unit=unit, month=month, first=first).values_list(
            "employee_id", flat=True
        )
    )
    cards: dict[int, dict[Month, Scorecard]] = defaultdict(dict)
    employees: dict[int, Employee] = {}
    for card in (
        Scorecard.objects.filter(
            employee__in=employee_scope_for(viewer=viewer),
            org_unit__path__startswith=unit.path,
            month__gte=first,
            month__lte=month,
        )
        .select_related("employee")
        .only(
            "employee_id",
            "month",
            "composite",
            "is_met",
            "streak_below",
            "employee__name",
            "employee__employee_number",
        )
    ):
        cards[card.employee_id][card.month] = card
        employees[card.employee_id] = card.employee
    people = []
    for rank, employee_id in enumerate(order, start=1):
        own = cards[employee_id]
        latest = own.get(month)
        people.append(
            RankedPerson(
                rank=rank,
                employee=employees[employee_id],
                composite=latest.composite if latest else None,
                is_met=latest.is_met if latest else None,
                streak=latest.streak_below if latest else 0,
                cells=[own[m].composite if m in own else None for m in months],
            )
        )
    return people


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


def streak_runs_for(*, viewer: User, employee: Employee, until: Month) -> list[StreakRun]:
    """Every run of months below target in the person's history up to ``until``, newest first.

    Read from the engine's own ``streak_below`` (a gap in the data ends a run, as the engine counts it),
    so the history always agrees with the badges.
    """
    history = (
        Scorecard.objects.filter(
            employee__in=employee_scope_for(viewer=viewer), employee=employee, month__lte=until
        )
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
