"""Templates: one goal set to many people by filter, in a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from perfloop.audit.models import AuditEvent
from perfloop.core.months import Month
from perfloop.goals import services
from perfloop.goals.errors import GoalError, JustificationMissingError
from perfloop.goals.models import Basis, Goal, GoalStatus, GoalTemplate, GoalVersion, TemplateAssignment
from perfloop.goals.selectors import PeopleFilter
from perfloop.goals.tests.factories import MARCH, draft_goal, kpi, published_goal
from perfloop.org.models import Employee, Position
from perfloop.org.tests.factories import EmployeeFactory, OrgUnitFactory, PositionFactory

pytestmark = pytest.mark.django_db

APRIL = Month(2025, 4)


@pytest.fixture(autouse=True)
def _february():
    with time_machine.travel(dt.datetime(2025, 2, 20, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def template(hrbp):
    return services.template_create(
        actor=hrbp, name="华东标准", lines={"revenue": Decimal(80000), "new_customers": Decimal(3)}
    )


def _people(unit, count: int, position: Position | None = None) -> list[Employee]:
    """``count`` people in one statement (the test measures the assignment, not the set-up)."""
    position = position or PositionFactory()
    start = Employee.objects.count()
    rows = [
        Employee(
            employee_number=f"T{unit.pk}-{start + i:06d}",
            name=f"员工{start + i}",
            hire_date=dt.date(2020, 1, 1),
            position=position,
            org_unit=unit,
        )
        for i in range(count)
    ]
    return Employee.objects.bulk_create(rows, batch_size=500)


@pytest.mark.parametrize("people", [100, 2000])
def test_giving_a_template_takes_the_same_few_queries_for_100_or_2000_people(
    hrbp, org, template, people, django_assert_max_num_queries
):
    unit = OrgUnitFactory(parent=org.sales, name="大区")
    _people(unit, people)
    # Speed is measured in benchmarks/goals, not asserted here; a test asserts behaviour and query counts.
    with django_assert_max_num_queries(25):
        assignment = services.template_assign(
            actor=hrbp, template=template, first=MARCH, last=APRIL, people=PeopleFilter(org_unit=unit)
        )
    assert assignment.people == people
    assert assignment.goals_created == people * 2 * 2
    assert assignment.versions_created == people * 2 * 2
    goals = Goal.objects.filter(employee__org_unit=unit)
    assert goals.count() == people * 4
    assert not goals.filter(current_version__isnull=True).exists()
    assert set(goals.values_list("status", "version_count")) == {(GoalStatus.DRAFT, 1)}
    version = GoalVersion.objects.filter(goal__employee__org_unit=unit, goal__kpi=kpi()).first()
    assert version is not None
    assert (version.value, version.basis, version.created_by, version.assignment) == (
        Decimal(80000),
        Basis.TEMPLATE,
        hrbp,
        assignment,
    )
    assert AuditEvent.objects.filter(action="goal_template.assign", target_id=str(assignment.pk)).count() == 1


def test_the_filter_selects_by_team_position_and_grade_within_the_scope(manager, hrbp, org, template):
    senior = PositionFactory(code="senior_rep", name="高级销售", grade="P6")
    junior = PositionFactory(code="junior_rep", name="销售", grade="P4")
    _people(org.team_east, 3, senior)
    _people(org.team_east, 2, junior)
    _people(org.team_south, 4, senior)
    count = services.template_people_count
    assert count(actor=hrbp, people=PeopleFilter(position=senior)) == 7
    assert count(actor=hrbp, people=PeopleFilter(grade="P4")) == 2
    assert count(actor=hrbp, people=PeopleFilter(org_unit=org.team_east, grade="P6")) == 3
    # A manager reaches only their own subtree, whatever the filter says, and never themself.
    assert count(actor=manager, people=PeopleFilter(position=senior)) == 3
    assert count(actor=manager, people=PeopleFilter(org_unit=org.sales)) == 5


def test_reassigning_updates_drafts_and_leaves_published_goals_alone(manager, rep, org, template, hrbp):
    published_goal(actor=manager, employee=rep.employee, value="70000")
    others = _people(org.team_east, 2)
    first = services.template_assign(
        actor=hrbp, template=template, first=MARCH, last=MARCH, people=PeopleFilter(org_unit=org.team_east)
    )
    assert first.skipped_agreed == 1  # rep's published revenue goal
    assert Goal.objects.get(employee=rep.employee, kpi=kpi()).value == Decimal(70000)
    services.template_update(
        actor=hrbp,
        template=template,
        name=template.name,
        lines={"revenue": Decimal(82000), "new_customers": Decimal(3)},
    )
    second = services.template_assign(
        actor=hrbp, template=template, first=MARCH, last=MARCH, people=PeopleFilter(org_unit=org.team_east)
    )
    assert second.goals_created == 0
    assert second.versions_created == 3  # the changed revenue drafts of the others and their manager
    goal = Goal.objects.get(employee=others[0], kpi=kpi())
    assert (goal.value, goal.version_count, goal.current_version.number) == (Decimal(82000), 2, 2)
    # The same template again changes nothing.
    third = services.template_assign(
        actor=hrbp, template=template, first=MARCH, last=MARCH, people=PeopleFilter(org_unit=org.team_east)
    )
    assert (third.goals_created, third.versions_created) == (0, 0)


def test_joiners_and_leavers_get_goals_only_for_months_they_are_employed(hrbp, org, template):
    joiner = EmployeeFactory(org_unit=org.team_south, hire_date=dt.date(2025, 4, 10))
    leaver = EmployeeFactory(
        org_unit=org.team_south, hire_date=dt.date(2020, 1, 1), termination_date=dt.date(2025, 3, 31)
    )
    services.template_assign(
        actor=hrbp, template=template, first=MARCH, last=APRIL, people=PeopleFilter(org_unit=org.team_south)
    )
    assert set(Goal.objects.filter(employee=joiner).values_list("month", flat=True)) == {APRIL}
    assert set(Goal.objects.filter(employee=leaver).values_list("month", flat=True)) == {MARCH}


def test_a_template_above_same_position_peers_needs_a_justification(hrbp, org):
    position = PositionFactory()
    for person in _people(org.team_south, 3, position):
        draft_goal(actor=hrbp, employee=person, value="60000")
    _people(org.team_east, 2, position)
    high = services.template_create(actor=hrbp, name="高标准", lines={"revenue": Decimal(90000)})
    before = (Goal.objects.count(), TemplateAssignment.objects.count())
    with pytest.raises(JustificationMissingError) as flagged:
        services.template_assign(
            actor=hrbp, template=high, first=MARCH, last=MARCH, people=PeopleFilter(org_unit=org.team_east)
        )
    assert flagged.value.details["warnings"][0]["code"] == "above_peers"
    assert (Goal.objects.count(), TemplateAssignment.objects.count()) == before
    assignment = services.template_assign(
        actor=hrbp,
        template=high,
        first=MARCH,
        last=MARCH,
        people=PeopleFilter(org_unit=org.team_east),
        justification="华东市场容量更大",
    )
    assert assignment.fairness_flags[0]["code"] == "above_peers"
    version = GoalVersion.objects.filter(assignment=assignment).first()
    assert version is not None
    assert version.justification == "华东市场容量更大"
    assert version.fairness_flags[0]["code"] == "above_peers"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"first": APRIL, "last": MARCH}, "invalid_month_range"),
        ({"first": MARCH, "last": MARCH + 24}, "invalid_month_range"),
        ({"people": PeopleFilter(grade="nobody")}, "no_people_matched"),
    ],
)
def test_impossible_assignments_fail_with_a_code_and_write_nothing(hrbp, org, template, kwargs, code):
    _people(org.team_east, 2)
    arguments = {"first": MARCH, "last": MARCH, "people": PeopleFilter(org_unit=org.team_east), **kwargs}
    with pytest.raises(GoalError) as refused:
        services.template_assign(actor=hrbp, template=template, **arguments)
    assert refused.value.code == code
    assert Goal.objects.count() == 0
    assert TemplateAssignment.objects.count() == 0


def test_templates_need_a_kpi_known_values_and_the_right_role(hrbp, rep):
    with pytest.raises(GoalError) as empty:
        services.template_create(actor=hrbp, name="空", lines={})
    assert empty.value.code == "template_empty"
    with pytest.raises(GoalError) as unknown:
        services.template_create(actor=hrbp, name="x", lines={"karma": Decimal(1)})
    assert unknown.value.code == "unknown_kpi"
    with pytest.raises(GoalError) as negative:
        services.template_create(actor=hrbp, name="x", lines={"revenue": Decimal(-1)})
    assert negative.value.code == "negative_target"
    from perfloop.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.template_create(actor=rep, name="x", lines={"revenue": Decimal(1)})


def test_an_active_template_reads_as_enabled_and_an_active_employee_as_employed():
    with translation.override("zh-hans"):
        assert str(GoalTemplate._meta.get_field("is_active").verbose_name) == "启用"
        assert str(Employee.Status.ACTIVE.label) == "在职"
