"""Reads of goals, templates, plans and suggestions — every one scoped to the viewer."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from perfloop.accounts.models import User
from perfloop.accounts.selectors import (
    can_see_individuals,
    employee_get_for,
    employee_scope_for,
    org_unit_scope_for,
)
from perfloop.core.errors import NotFound, PermissionDenied
from perfloop.core.months import Month
from perfloop.goals import cascade
from perfloop.goals.models import (
    Goal,
    GoalEvent,
    GoalStatus,
    GoalTemplate,
    GoalVersion,
    PlanNode,
    TargetPlan,
)
from perfloop.goals.policies import (
    can_manage_goals,
    can_manage_templates,
    can_view_goal_summary,
)
from perfloop.goals.suggestions import (
    HISTORY_MONTHS,
    Suggestion,
    seasonality_frame,
    suggest_targets_frame,
    suggestions_from_frame,
    to_units,
)
from perfloop.metrics.models import Kpi, MonthlyFact, MonthlyTarget
from perfloop.metrics.selectors import MIN_GROUP_SIZE
from perfloop.org.models import Employee, OrgUnit, Position

SEASONALITY_MONTHS = 24  # two years of team history give each calendar month two observations


# ---------------------------------------------------------------- people


def manageable_people_for(*, viewer: User) -> QuerySet[Employee]:
    """People whose goals the viewer sets: their subtree (manager) or scope (HRBP), never themself."""
    if not can_manage_goals(viewer):
        return Employee.objects.none()
    return employee_scope_for(viewer=viewer).exclude(user_id=viewer.pk).exclude(status=Employee.Status.LEFT)


@dataclass(frozen=True)
class PeopleFilter:
    """Whom a bulk action is for, described by attributes rather than a list of ids (no size ceiling)."""

    org_unit: OrgUnit | None = None
    include_subunits: bool = True
    position: Position | None = None
    grade: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "org_unit": self.org_unit.pk if self.org_unit else None,
            "include_subunits": self.include_subunits,
            "position": self.position.pk if self.position else None,
            "grade": self.grade,
        }


def people_matching_for(*, viewer: User, people: PeopleFilter) -> QuerySet[Employee]:
    """The viewer's manageable people that match a filter (team and its sub-teams, position, grade)."""
    matching = manageable_people_for(viewer=viewer)
    if people.org_unit is not None:
        if people.include_subunits:
            matching = matching.filter(org_unit__path__startswith=people.org_unit.path)
        else:
            matching = matching.filter(org_unit=people.org_unit)
    if people.position is not None:
        matching = matching.filter(position=people.position)
    if people.grade:
        matching = matching.filter(position__grade=people.grade)
    return matching


def team_get_for(*, viewer: User, unit_id: int) -> OrgUnit:
    unit = org_unit_scope_for(viewer=viewer).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(_("No such team in your scope."))
    return unit


def own_employee_for(*, viewer: User) -> Employee | None:
    if not viewer.is_authenticated:
        return None
    return Employee.objects.select_related("org_unit", "position").filter(user_id=viewer.pk).first()


def home_unit_for(*, viewer: User) -> OrgUnit | None:
    """The top of the subtree the viewer covers (the shallowest unit of their scope)."""
    units = sorted(org_unit_scope_for(viewer=viewer), key=lambda unit: (unit.path.count("/"), unit.path))
    return units[0] if units else None


def kpi_list() -> list[Kpi]:
    return list(Kpi.objects.all())


def kpi_get(*, code: str) -> Kpi:
    kpi = Kpi.objects.filter(code=code).first()
    if kpi is None:
        raise NotFound(_("No KPI with the code “%(code)s”.") % {"code": code}, code="unknown_kpi", kpi=code)
    return kpi


def position_list() -> list[Position]:
    return list(Position.objects.all())


# ---------------------------------------------------------------- goals


def visible_goals_for(*, viewer: User) -> QuerySet[Goal]:
    """Goals of the people in the viewer's scope — a person's own drafts excepted: until published, a
    goal is still their manager's work."""
    return Goal.objects.filter(employee__in=employee_scope_for(viewer=viewer)).exclude(
        employee__user_id=viewer.pk, status=GoalStatus.DRAFT
    )


def goal_list_for(
    *,
    viewer: User,
    employee: Employee | None = None,
    team: OrgUnit | None = None,
    month: Month | None = None,
    first: Month | None = None,
    last: Month | None = None,
    status: str | None = None,
    kpi: Kpi | None = None,
) -> QuerySet[Goal]:
    """Goals of the people the viewer may see, narrowed by person, team, months, status or KPI."""
    goals = visible_goals_for(viewer=viewer)
    if employee is not None:
        goals = goals.filter(employee=employee)
    if team is not None:
        goals = goals.filter(employee__org_unit__path__startswith=team.path)
    if month is not None:
        goals = goals.filter(month=month)
    if first is not None:
        goals = goals.filter(month__gte=first)
    if last is not None:
        goals = goals.filter(month__lte=last)
    if status:
        goals = goals.filter(status=status)
    if kpi is not None:
        goals = goals.filter(kpi=kpi)
    return goals.select_related(
        "employee", "kpi", "current_version", "current_version__created_by", "employee__org_unit"
    ).order_by("employee__employee_number", "month", "kpi__display_order", "kpi__code")


def goal_get_for(*, viewer: User, goal_id: int) -> Goal:
    goal = (
        visible_goals_for(viewer=viewer)
        .filter(pk=goal_id)
        .select_related(
            "employee",
            "employee__user",
            "employee__manager__user",
            "employee__org_unit",
            "employee__position",
            "kpi",
            "current_version",
            "current_version__created_by",
        )
        .first()
    )
    if goal is None:
        raise NotFound(_("No such goal in your scope."))
    return goal


def goal_history(goal: Goal) -> tuple[list[GoalVersion], list[GoalEvent]]:
    """Every version and every agreement event of one goal, oldest first."""
    versions = list(goal.versions.select_related("created_by").order_by("number"))
    events = list(goal.events.select_related("actor", "version").order_by("occurred_at", "pk"))
    return versions, events


@dataclass
class GoalRecordLine:
    """Everything the evidence needs about one KPI target of one person and month."""

    kpi: Kpi
    goal: Goal | None
    effective_target: Decimal | None
    effective_set_by: User | None
    versions: list[GoalVersion] = field(default_factory=list)
    events: list[GoalEvent] = field(default_factory=list)

    @property
    def current_version(self) -> GoalVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def confirmation(self) -> GoalEvent | None:
        """The confirmation of the current version, if the person gave it."""
        if self.goal is None or self.goal.status != GoalStatus.CONFIRMED:
            return None
        confirmations = [e for e in self.events if e.action == GoalEvent.Action.CONFIRM]
        return confirmations[-1] if confirmations else None

    @property
    def is_agreed(self) -> bool:
        return self.confirmation is not None


@dataclass
class GoalRecord:
    employee: Employee
    month: Month
    lines: list[GoalRecordLine]

    @property
    def is_fully_agreed(self) -> bool:
        with_goals = [line for line in self.lines if line.goal is not None]
        return bool(with_goals) and all(line.is_agreed for line in with_goals)


def goal_record_for(*, viewer: User, employee_id: int, month: Month) -> GoalRecord:
    """One person's month: each target, who set it, on what basis, and when and how it was agreed."""
    employee = employee_get_for(viewer=viewer, employee_id=employee_id)
    goals = {
        g.kpi_id: g
        for g in visible_goals_for(viewer=viewer).filter(employee=employee, month=month).select_related("kpi")
    }
    versions: dict[int, list[GoalVersion]] = defaultdict(list)
    for version in (
        GoalVersion.objects.filter(goal__in=goals.values())
        .select_related("created_by", "created_by__employee", "template", "plan")
        .order_by("number")
    ):
        versions[version.goal_id].append(version)
    events: dict[int, list[GoalEvent]] = defaultdict(list)
    for event in (
        GoalEvent.objects.filter(goal__in=goals.values())
        .select_related("actor", "actor__employee", "version")
        .order_by("occurred_at", "pk")
    ):
        events[event.goal_id].append(event)
    targets = {
        t.kpi_id: t
        for t in MonthlyTarget.objects.filter(employee=employee, month=month).select_related("set_by")
    }
    lines = []
    for kpi in kpi_list():
        goal = goals.get(kpi.pk)
        target = targets.get(kpi.pk)
        if goal is None and target is None:
            continue
        lines.append(
            GoalRecordLine(
                kpi=kpi,
                goal=goal,
                effective_target=target.value if target else None,
                effective_set_by=target.set_by if target else None,
                versions=versions.get(goal.pk, []) if goal else [],
                events=events.get(goal.pk, []) if goal else [],
            )
        )
    return GoalRecord(employee=employee, month=month, lines=lines)


def my_goals_for(*, viewer: User, first: Month | None = None, last: Month | None = None) -> QuerySet[Goal]:
    """The viewer's own goals that have been shown to them (drafts stay with the manager)."""
    goals = Goal.objects.filter(employee__user_id=viewer.pk).exclude(status=GoalStatus.DRAFT)
    if first is not None:
        goals = goals.filter(month__gte=first)
    if last is not None:
        goals = goals.filter(month__lte=last)
    return goals.select_related("kpi", "current_version", "current_version__created_by").order_by(
        "month", "kpi__display_order", "kpi__code"
    )


def my_goal_months_for(*, viewer: User) -> list[Month]:
    """Months in which the viewer has goals that were shown to them, newest first."""
    months = (
        Goal.objects.filter(employee__user_id=viewer.pk)
        .exclude(status=GoalStatus.DRAFT)
        .values_list("month", flat=True)
        .distinct()
    )
    return sorted(set(months), reverse=True)


def disputes_for(*, viewer: User) -> QuerySet[Goal]:
    """Disputed goals the viewer must answer."""
    return (
        Goal.objects.filter(status=GoalStatus.DISPUTED, employee__in=manageable_people_for(viewer=viewer))
        .select_related("employee", "kpi")
        .order_by("month", "employee__employee_number")
    )


# ---------------------------------------------------------------- suggestions


def _as_of(month: Month, kpi: Kpi, employee_ids: Sequence[int]) -> Month:
    """The newest month with data before ``month`` (facts of the last month may not be imported yet)."""
    latest = MonthlyFact.objects.filter(employee_id__in=employee_ids, kpi=kpi, month__lt=month).aggregate(
        latest=Max("month")
    )["latest"]
    if latest is None:
        return month - 1
    latest_month = latest if isinstance(latest, Month) else Month.from_int(latest)
    return min(latest_month, month - 1)


def suggestions_for(
    *, employees: Sequence[Employee], kpi: Kpi, month: Month, standard: Decimal | None = None
) -> dict[int, Suggestion]:
    """A suggested target per person from their own history and their team's seasonality.

    The caller passes people it has already scoped. Three queries whatever their number; the rule runs
    vectorised (`suggestions.suggest_targets_frame`, the path the benchmark measures).
    """
    if not employees:
        return {}
    ids = [e.pk for e in employees]
    as_of = _as_of(month, kpi, ids)
    first = as_of - (SEASONALITY_MONTHS - 1)
    history = [
        (employee_id, fact_month.index, to_units(value))
        for employee_id, fact_month, value in MonthlyFact.objects.filter(
            employee_id__in=ids, kpi=kpi, month__gte=as_of - (HISTORY_MONTHS - 1), month__lte=as_of
        ).values_list("employee_id", "month", "value")
    ]
    units = {e.org_unit_id for e in employees}
    # Team totals per month for the seasonality (summed in Python: SQLite may SUM decimals as floats).
    totals: dict[tuple[int, int], int] = defaultdict(int)
    for unit_id, fact_month, value in MonthlyFact.objects.filter(
        employee__org_unit_id__in=units, kpi=kpi, month__gte=first, month__lte=as_of
    ).values_list("employee__org_unit_id", "month", "value"):
        totals[(unit_id, fact_month.index)] += to_units(value)
    seasonality = seasonality_frame(
        pl.DataFrame(
            [(unit_id, index, total) for (unit_id, index), total in totals.items()],
            schema={"season_group": pl.Int64, "month": pl.Int32, "total": pl.Int64},
            orient="row",
        )
    )
    standard_units = to_units(kpi.default_target if standard is None else standard)
    frame = suggest_targets_frame(
        history=pl.DataFrame(
            history, schema={"employee_id": pl.Int64, "month": pl.Int32, "value": pl.Int64}, orient="row"
        ),
        requests=pl.DataFrame(
            {
                "employee_id": ids,
                "target_month": [month.index] * len(ids),
                "as_of": [as_of.index] * len(ids),
                "standard": [standard_units] * len(ids),
                "season_group": [e.org_unit_id for e in employees],
            },
            schema={
                "employee_id": pl.Int64,
                "target_month": pl.Int32,
                "as_of": pl.Int32,
                "standard": pl.Int64,
                "season_group": pl.Int64,
            },
        ),
        seasonality=seasonality,
        direction=kpi.direction,
        unit=kpi.unit,
    )
    by_key = suggestions_from_frame(frame, unit=kpi.unit, direction=kpi.direction)
    return {e.pk: by_key[(e.pk, month.index)] for e in employees}


@dataclass
class GridRow:
    employee: Employee
    goal: Goal | None
    suggestion: Suggestion | None


@dataclass
class TeamGrid:
    team: OrgUnit
    month: Month
    kpi: Kpi
    rows: list[GridRow]
    status_counts: dict[str, int]


def team_grid_for(*, viewer: User, team: OrgUnit, month: Month, kpi: Kpi) -> TeamGrid:
    """The manager's grid: each person of the team with the month's goal, its status and a suggestion."""
    people = list(
        manageable_people_for(viewer=viewer)
        .filter(org_unit__path__startswith=team.path)
        .filter(hire_date__lte=month.last_day)
        .filter(Q(termination_date__isnull=True) | Q(termination_date__gte=month.first_day))
        # Sales positions carry targets; anyone else only when they have a goal already (HR of the whole
        # organisation does not want the general manager, HR and IT offered a revenue target).
        .filter(
            Q(position__is_sales=True)
            | Exists(Goal.objects.filter(employee_id=OuterRef("pk"), month=month, kpi=kpi))
        )
        .select_related("org_unit", "position")
        .order_by("employee_number")
    )
    goals = {
        g.employee_id: g
        for g in Goal.objects.filter(employee__in=people, month=month, kpi=kpi).select_related(
            "current_version", "current_version__created_by"
        )
    }
    suggestions = suggestions_for(employees=people, kpi=kpi, month=month)
    counts: dict[str, int] = defaultdict(int)
    for goal in goals.values():
        counts[goal.status] += 1
    counts["none"] = len(people) - len(goals)
    return TeamGrid(
        team=team,
        month=month,
        kpi=kpi,
        rows=[GridRow(employee=p, goal=goals.get(p.pk), suggestion=suggestions.get(p.pk)) for p in people],
        status_counts=dict(counts),
    )


# ---------------------------------------------------------------- fairness inputs


def peer_targets(
    *, position_ids: Iterable[int], kpi_ids: Iterable[int], first: Month, last: Month
) -> defaultdict[tuple[int, int, Month], dict[int, Decimal]]:
    """(position, KPI, month) → {person: target} for everyone in those positions: goals first, else
    the effective targets. Two queries whatever the number of people."""
    position_ids, kpi_ids = list(position_ids), list(kpi_ids)
    values: dict[tuple[int, int, Month], Decimal] = {}
    positions: dict[int, int] = {}
    window = {"kpi_id__in": kpi_ids, "month__gte": first, "month__lte": last}
    for model in (MonthlyTarget, Goal):  # goals second: their value wins
        rows = model.objects.filter(employee__position_id__in=position_ids, **window).values_list(  # type: ignore[attr-defined]
            "employee_id", "employee__position_id", "kpi_id", "month", "value"
        )
        for employee_id, position_id, kpi_id, month, value in rows:
            values[(employee_id, kpi_id, month)] = value
            positions[employee_id] = position_id
    grouped: defaultdict[tuple[int, int, Month], dict[int, Decimal]] = defaultdict(dict)
    for (employee_id, kpi_id, month), value in values.items():
        grouped[(positions[employee_id], kpi_id, month)][employee_id] = value
    return grouped


# ---------------------------------------------------------------- summary


@dataclass
class SummaryRow:
    unit: OrgUnit
    depth: int
    people: int
    counts: dict[str, int]
    is_hidden: bool = False  # too few people to count for a viewer who sees no individuals

    @property
    def agreed_share(self) -> Decimal | None:
        total = sum(self.counts.values())
        return Decimal(self.counts.get(GoalStatus.CONFIRMED, 0)) / total if total else None


def goal_summary_for(*, viewer: User, month: Month) -> list[SummaryRow]:
    """Per unit in the viewer's scope: goals by agreement status (counts only, no names). To a viewer who
    sees no individuals (an executive), a unit with fewer than MIN_GROUP_SIZE people with goals shows no
    counts: "1 person, 1 disputed" names who disputed."""
    if not can_view_goal_summary(viewer):
        raise PermissionDenied(_("Only managers, HR and executives see goal summaries."))
    units = list(org_unit_scope_for(viewer=viewer).order_by("path"))
    if not units:
        return []
    shows_individuals = can_see_individuals(viewer=viewer)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    people: dict[str, set[int]] = defaultdict(set)
    rows = (
        Goal.objects.filter(month=month)
        .filter(_under_any(units, "employee__org_unit__path"))
        .values_list("employee__org_unit__path", "status", "employee_id")
    )
    for path, status, employee_id in rows:
        counts[path][status] += 1
        people[path].add(employee_id)
    top = min(unit.path.count("/") for unit in units)
    summary = []
    for unit in units:
        unit_counts: dict[str, int] = defaultdict(int)
        unit_people: set[int] = set()
        for path, by_status in counts.items():
            if path.startswith(unit.path):
                for status, number in by_status.items():
                    unit_counts[status] += number
                unit_people |= people[path]
        is_hidden = not shows_individuals and 0 < len(unit_people) < MIN_GROUP_SIZE  # nobody: nothing to hide
        summary.append(
            SummaryRow(
                unit=unit,
                depth=min(unit.path.count("/") - top, 4),
                people=len(unit_people),
                counts={} if is_hidden else dict(unit_counts),
                is_hidden=is_hidden,
            )
        )
    return summary


def _under_any(units: Sequence[OrgUnit], lookup: str) -> Q:
    condition = Q(pk__in=[])
    for unit in units:
        condition |= Q(**{f"{lookup}__startswith": unit.path})
    return condition


# ---------------------------------------------------------------- templates


def template_list_for(*, viewer: User) -> QuerySet[GoalTemplate]:
    if not can_manage_templates(viewer):
        raise PermissionDenied(_("Only people who set goals use goal templates."))
    return GoalTemplate.objects.prefetch_related("lines__kpi").annotate(uses=Count("assignments"))


def template_get_for(*, viewer: User, template_id: int) -> GoalTemplate:
    template = template_list_for(viewer=viewer).filter(pk=template_id).first()
    if template is None:
        raise NotFound(_("No such goal template."))
    return template


# ---------------------------------------------------------------- plans


def plan_list_for(*, viewer: User) -> QuerySet[TargetPlan]:
    """Plans whose top unit lies in the viewer's scope (managers and HRBPs only)."""
    if not can_manage_goals(viewer):
        raise PermissionDenied(_("Only people who set goals see target plans."))
    return TargetPlan.objects.filter(root_unit__in=org_unit_scope_for(viewer=viewer)).select_related(
        "kpi", "root_unit"
    )


def plan_get_for(*, viewer: User, plan_id: int) -> TargetPlan:
    plan = plan_list_for(viewer=viewer).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("No such plan in your scope."))
    return plan


@dataclass
class PlanReportNode:
    node: PlanNode
    depth: int
    label: str
    check: cascade.SplitCheck

    @property
    def is_person(self) -> bool:
        return self.node.employee_id is not None


@dataclass
class PlanReport:
    plan: TargetPlan
    nodes: list[PlanReportNode]

    @property
    def problems(self) -> list[PlanReportNode]:
        """Nodes whose children fall short of them or exceed the allowance, and units not split yet."""
        return [
            n
            for n in self.nodes
            if not n.check.is_valid or (n.check.status == cascade.SplitStatus.UNSPLIT and not n.is_person)
        ]

    @property
    def is_valid(self) -> bool:
        return not self.problems


def plan_report(plan: TargetPlan, *, language: str = "zh-hans") -> PlanReport:
    """The plan as an indented tree, each parent checked against the sum of its children."""
    nodes = list(plan.nodes.select_related("org_unit", "employee").order_by("pk"))
    children: dict[int | None, list[PlanNode]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)
    english = language.startswith("en")
    report: list[PlanReportNode] = []

    def label(node: PlanNode) -> str:
        if node.employee is not None:
            return f"{node.employee.name} ({node.employee.employee_number})"
        unit = node.org_unit
        assert unit is not None  # noqa: S101 - a node is a unit or a person (database constraint)
        return unit.name_en if english and unit.name_en else unit.name

    def order(node: PlanNode) -> tuple[int, str]:
        # Units before people, each in a stable, readable order.
        if node.employee is not None:
            return (1, node.employee.employee_number)
        return (0, node.org_unit.path if node.org_unit else "")

    stack = [(node, 0) for node in sorted(children[None], key=order, reverse=True)]
    while stack:
        node, depth = stack.pop()
        kids = children.get(node.pk, [])
        report.append(
            PlanReportNode(
                node=node,
                depth=depth,
                label=label(node),
                check=cascade.check_split(
                    node.amount, [k.amount for k in kids], max_overallocation=plan.max_overallocation
                ),
            )
        )
        stack.extend((kid, depth + 1) for kid in sorted(kids, key=order, reverse=True))
    return PlanReport(plan=plan, nodes=report)


def plan_candidates(*, unit: OrgUnit, year: int) -> tuple[list[OrgUnit], list[Employee]]:
    """The direct sub-units of a unit and the people directly in it (not its head) employed in ``year``."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    units = list(OrgUnit.objects.filter(parent=unit).order_by("path"))
    people = list(
        Employee.objects.filter(org_unit=unit, hire_date__lte=last, position__is_sales=True)
        .filter(Q(termination_date__isnull=True) | Q(termination_date__gte=first))
        .exclude(status=Employee.Status.LEFT)
        .exclude(pk=unit.head_id or 0)
        .order_by("employee_number")
    )
    return units, people


def headcount_by_unit(*, units: Sequence[OrgUnit], year: int) -> dict[int, Decimal]:
    """Sales people in each unit's subtree, in person-months of ``year`` (not counting unit heads)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    heads = set(OrgUnit.objects.exclude(head__isnull=True).values_list("head_id", flat=True))
    rows = list(
        Employee.objects.filter(hire_date__lte=last, position__is_sales=True)
        .filter(Q(termination_date__isnull=True) | Q(termination_date__gte=first))
        .exclude(status=Employee.Status.LEFT)
        .exclude(pk__in=heads)
        .values_list("org_unit__path", "hire_date", "termination_date")
    )
    months = [Month(year, m) for m in range(1, 13)]

    def employed_months(hire: dt.date, leave: dt.date | None) -> int:
        return sum(1 for m in months if hire <= m.last_day and (leave is None or leave >= m.first_day))

    per_row = [(path, employed_months(hire, leave)) for path, hire, leave in rows]
    return {unit.pk: Decimal(sum(n for path, n in per_row if path.startswith(unit.path))) for unit in units}


# ---------------------------------------------------------------- export


def goals_export_for(
    *, viewer: User, first: Month, last: Month, team: OrgUnit | None = None
) -> QuerySet[Goal]:
    """Goals for a file export, scoped like every other read."""
    return goal_list_for(viewer=viewer, team=team, first=first, last=last).select_related(
        "employee__org_unit", "confirmed_version"
    )


def actor_get(*, username: str) -> User:
    """The active account a command-line or background job acts as (its scope applies)."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(_("No active user “%(username)s”.") % {"username": username}, code="unknown_user")
    return user
