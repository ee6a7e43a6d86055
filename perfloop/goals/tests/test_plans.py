"""Annual plans: company → teams → people → months, exact to the fen; bad splits are refused."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from perfloop.core.errors import NotFound
from perfloop.core.months import Month
from perfloop.goals import services
from perfloop.goals.errors import GoalConflictError, GoalError, PlanSplitError
from perfloop.goals.models import Basis, Goal, GoalVersion, PlanNode, TargetPlan
from perfloop.goals.selectors import plan_report
from perfloop.goals.tests.factories import kpi, team_members
from perfloop.org.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _autumn_before():
    with time_machine.travel(dt.datetime(2024, 11, 20, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def company(org, manager, other_manager, rep, other_team_rep):
    """Team East: rep + 2 more (3 people); Team South: other_team_rep + 1 more (2 people). Heads excluded."""
    team_members(org.team_east, 2)
    team_members(org.team_south, 1)
    return org


def _plan(hrbp, org, target="1000000.01", **kwargs):
    return services.plan_create(
        actor=hrbp, year=2025, kpi=kpi(), root_unit=org.sales, target=Decimal(target), **kwargs
    )


def test_a_split_by_headcount_reaches_every_person_and_adds_up_to_the_fen(hrbp, company):
    plan = _plan(hrbp, company)
    services.plan_split(actor=hrbp, plan=plan, node=plan.nodes.get())
    nodes = {n.org_unit_id: n for n in PlanNode.objects.filter(plan=plan, org_unit__isnull=False)}
    east, south = nodes[company.team_east.pk], nodes[company.team_south.pk]
    assert east.amount + south.amount == Decimal("1000000.01")
    assert east.amount == Decimal("600000.01")  # 3 of 5 people, and the leftover fen
    assert south.amount == Decimal("400000.00")
    people = PlanNode.objects.filter(plan=plan, parent=east)
    assert people.count() == 3
    assert sum(p.amount for p in people) == east.amount
    assert plan_report(plan).is_valid


def test_applying_spreads_each_year_over_the_months_by_seasonality_exactly(hrbp, company, rep):
    weights = ["0.6", "0.8", "1", "1", "1", "1.1", "1", "1", "1", "1.1", "1.2", "1.2"]
    plan = _plan(hrbp, company, seasonality=weights)
    services.plan_split(actor=hrbp, plan=plan, node=plan.nodes.get())
    result = services.plan_apply(actor=hrbp, plan=plan)
    assert result.created == 5 * 12
    plan.refresh_from_db()
    assert plan.status == TargetPlan.Status.APPLIED
    annual = PlanNode.objects.get(plan=plan, employee=rep.employee).amount
    months = list(
        Goal.objects.filter(employee=rep.employee).order_by("month").values_list("value", flat=True)
    )
    assert len(months) == 12
    assert sum(months) == annual
    assert months[0] < months[1] < months[2]
    total = sum(Goal.objects.filter(kpi=kpi()).values_list("value", flat=True))
    assert total == Decimal("1000000.01")
    version = GoalVersion.objects.filter(goal__employee=rep.employee).first()
    assert version is not None
    assert (version.basis, version.plan) == (Basis.PLAN, plan)


def test_a_person_hired_mid_year_gets_the_year_over_their_months_only(hrbp, company):
    joiner = EmployeeFactory(org_unit=company.team_south, hire_date=dt.date(2025, 7, 1))
    plan = _plan(hrbp, company)
    services.plan_split(actor=hrbp, plan=plan, node=plan.nodes.get())
    services.plan_apply(actor=hrbp, plan=plan)
    months = Goal.objects.filter(employee=joiner).order_by("month")
    assert [g.month for g in months] == [Month(2025, m) for m in range(7, 13)]
    assert sum(g.value for g in months) == PlanNode.objects.get(plan=plan, employee=joiner).amount


def test_a_gap_is_shown_and_blocks_applying_and_nothing_is_written(hrbp, company, rep):
    plan = _plan(hrbp, company)
    services.plan_split(actor=hrbp, plan=plan, node=plan.nodes.get())
    node = PlanNode.objects.get(plan=plan, employee=rep.employee)
    services.plan_node_set(actor=hrbp, plan=plan, node=node, amount=node.amount - 1000)
    report = plan_report(plan)
    east = next(n for n in report.nodes if n.node.org_unit_id == company.team_east.pk)
    assert east.check.gap == Decimal(1000)
    assert not report.is_valid
    with pytest.raises(PlanSplitError) as refused:
        services.plan_apply(actor=hrbp, plan=plan)
    assert refused.value.code == "plan_children_short"
    assert refused.value.details["nodes"][0]["gap"] == "1000.0000"
    assert Goal.objects.count() == 0
    plan.refresh_from_db()
    assert plan.status == TargetPlan.Status.DRAFT


def test_parts_above_the_whole_are_fine_within_the_allowance_and_refused_beyond(hrbp, company, rep):
    plan = _plan(hrbp, company, target="1000000", max_overallocation=Decimal("0.05"))
    services.plan_split(actor=hrbp, plan=plan, node=plan.nodes.get())
    node = PlanNode.objects.get(plan=plan, employee=rep.employee)
    east = node.parent
    services.plan_node_set(actor=hrbp, plan=plan, node=node, amount=node.amount + 20000)
    services.plan_node_set(actor=hrbp, plan=plan, node=east, amount=east.amount + 20000)
    assert plan_report(plan).is_valid  # 1,020,000 on top of 1,000,000: within 5%
    services.plan_node_set(actor=hrbp, plan=plan, node=node, amount=node.amount + 100000)
    with pytest.raises(PlanSplitError) as refused:
        services.plan_apply(actor=hrbp, plan=plan)
    assert refused.value.code == "plan_children_exceed"
    assert Goal.objects.count() == 0


def test_a_unit_not_split_to_people_blocks_applying(hrbp, company):
    plan = _plan(hrbp, company)
    services.plan_split(actor=hrbp, plan=plan, node=plan.nodes.get(), recursive=False)
    with pytest.raises(PlanSplitError) as refused:
        services.plan_apply(actor=hrbp, plan=plan)
    assert refused.value.code == "plan_unit_not_split"


def test_an_applied_plan_is_frozen(hrbp, company):
    plan = _plan(hrbp, company)
    services.plan_split(actor=hrbp, plan=plan, node=plan.nodes.get())
    services.plan_apply(actor=hrbp, plan=plan)
    with pytest.raises(GoalConflictError) as frozen:
        services.plan_node_set(actor=hrbp, plan=plan, node=plan.nodes.first(), amount=Decimal(1))
    assert frozen.value.code == "plan_applied"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"target": "-1"}, "negative_target"),
        ({"target": "100.001"}, "invalid_target"),
        ({"seasonality": ["1"] * 11}, "invalid_seasonality"),
        ({"seasonality": ["0"] * 12}, "invalid_seasonality"),
    ],
)
def test_bad_plans_are_refused_with_their_code(hrbp, company, kwargs, code):
    target = kwargs.pop("target", "1000")
    with pytest.raises(GoalError) as refused:
        _plan(hrbp, company, target=target, **kwargs)
    assert refused.value.code == code
    assert TargetPlan.objects.count() == 0


def test_rates_cannot_be_cascaded(hrbp, company):
    with pytest.raises(GoalError) as refused:
        services.plan_create(
            actor=hrbp, year=2025, kpi=kpi("conversion_rate"), root_unit=company.sales, target=Decimal("0.25")
        )
    assert refused.value.code == "plan_kpi_not_additive"


def test_counts_are_split_in_whole_units(hrbp, company):
    plan = services.plan_create(
        actor=hrbp, year=2025, kpi=kpi("new_customers"), root_unit=company.sales, target=Decimal(181)
    )
    services.plan_split(actor=hrbp, plan=plan, node=plan.nodes.get())
    assert all(n.amount == n.amount.to_integral_value() for n in PlanNode.objects.filter(plan=plan))
    services.plan_apply(actor=hrbp, plan=plan)
    values = Goal.objects.filter(kpi=kpi("new_customers")).values_list("value", flat=True)
    assert sum(values) == 181
    assert all(v == v.to_integral_value() for v in values)


def test_a_manager_plans_only_inside_their_subtree(manager, company):
    with pytest.raises(NotFound):
        services.plan_create(actor=manager, year=2025, kpi=kpi(), root_unit=company.sales, target=Decimal(1))
    plan = services.plan_create(
        actor=manager, year=2025, kpi=kpi(), root_unit=company.team_east, target=Decimal(360000)
    )
    services.plan_split(actor=manager, plan=plan, node=plan.nodes.get())
    assert PlanNode.objects.filter(plan=plan, employee__isnull=False).count() == 3
