"""Goals for tests: draft, published and confirmed goals made through the services, like in real life."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from perfloop.core.months import Month
from perfloop.goals import services
from perfloop.goals.models import Basis, Goal, GoalVersion
from perfloop.metrics.models import Kpi, MonthlyFact
from perfloop.org.models import Employee
from perfloop.org.tests.factories import EmployeeFactory

MARCH = Month(2025, 3)


def kpi(code: str = "revenue") -> Kpi:
    return Kpi.objects.get(code=code)


def draft_goal(
    *, actor, employee: Employee, month: Month = MARCH, code: str = "revenue", value: str = "80000"
) -> Goal:
    return services.goal_set(
        actor=actor, employee=employee, month=month, kpi=kpi(code), value=Decimal(value), basis=Basis.MANUAL
    )


def published_goal(
    *, actor, employee: Employee, month: Month = MARCH, code: str = "revenue", value: str = "80000"
) -> Goal:
    goal = draft_goal(actor=actor, employee=employee, month=month, code=code, value=value)
    services.goals_publish(actor=actor, goals=[goal])
    goal.refresh_from_db()
    return goal


def confirmed_goal(
    *, manager, rep, month: Month = MARCH, code: str = "revenue", value: str = "80000"
) -> Goal:
    goal = published_goal(actor=manager, employee=rep.employee, month=month, code=code, value=value)
    services.goal_confirm(actor=rep, goal=goal, version=goal.version_count)
    goal.refresh_from_db()
    return goal


def team_members(org_unit, count: int, **fields) -> list[Employee]:
    """``count`` reps in a unit (no user accounts), hired long ago."""
    return EmployeeFactory.create_batch(count, org_unit=org_unit, hire_date=dt.date(2020, 1, 1), **fields)


def record_history(employee: Employee, values: dict[Month, str], code: str = "revenue") -> None:
    for month, value in values.items():
        MonthlyFact.objects.update_or_create(
            employee=employee, month=month, kpi=kpi(code), defaults={"value": Decimal(value), "source": "crm"}
        )


def current(goal: Goal) -> GoalVersion:
    """The goal's current version (every goal has one)."""
    assert goal.current_version is not None
    return goal.current_version
