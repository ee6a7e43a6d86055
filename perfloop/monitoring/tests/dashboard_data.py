"""Dashboard test data in bulk: people with twelve months of scorecards and team months, and alerts.

The scoring engine has its own tests; here scorecards are written directly so that a team of 200 or an
organisation of 40 units costs a handful of inserts, and each number on a page is known in advance.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

from django.utils import timezone

from perfloop.core.months import Month
from perfloop.metrics.models import Scorecard, TeamMonth
from perfloop.monitoring.models import Alert, AlertRule, AlertState
from perfloop.org.models import Employee, OrgUnit, Position
from perfloop.org.tests.factories import OrgUnitFactory, PositionFactory

TARGET = Decimal(80000)


def people_with_history(
    unit: OrgUnit,
    levels: list[Decimal],
    *,
    last: Month,
    months: int = 12,
    prefix: str = "P",
) -> list[Employee]:
    """One person per level, each at that composite every month up to ``last``; a team month per month.

    Below 1 is below target, so a person at 0.6 has a streak as long as their history.
    """
    position = Position.objects.first() or PositionFactory()
    start = Employee.objects.count()
    employees = Employee.objects.bulk_create(
        Employee(
            employee_number=f"{prefix}{unit.pk:03d}{start + index:05d}",
            name=f"成员{unit.pk}-{index}",
            hire_date=dt.date(2020, 1, 1),
            position=position,
            org_unit=unit,
        )
        for index in range(len(levels))
    )
    now = timezone.now()
    window = [last - offset for offset in range(months - 1, -1, -1)]
    cards = []
    for employee, level in zip(employees, levels, strict=True):
        for index, month in enumerate(window):
            below = level < 1
            cards.append(
                Scorecard(
                    employee=employee,
                    month=month,
                    org_unit=unit,
                    position=position,
                    composite=level,
                    is_met=not below,
                    kpis_measured=1,
                    team_size=len(levels),
                    streak_below=index + 1 if below else 0,
                    streak_met=0 if below else index + 1,
                    computed_at=now,
                )
            )
    Scorecard.objects.bulk_create(cards, batch_size=2000)
    met = sum(1 for level in levels if level >= 1)
    average = sum(levels, Decimal(0)) / len(levels) if levels else None
    TeamMonth.objects.bulk_create(
        TeamMonth(
            org_unit=unit,
            month=month,
            members=len(levels),
            members_scored=len(levels),
            members_met=met,
            actual=sum((TARGET * level for level in levels), Decimal(0)),
            target=TARGET * len(levels),
            completion=average,
            average_composite=average,
            computed_at=now,
        )
        for month in window
    )
    return employees


def organisation_of(parent: OrgUnit, *, units: int, people: int, last: Month) -> list[OrgUnit]:
    """``units`` teams under ``parent``, each with ``people`` people at mixed levels."""
    teams: list[OrgUnit] = [cast(OrgUnit, OrgUnitFactory(parent=parent)) for _ in range(units)]
    levels = [Decimal(v) for v in ("0.6", "0.8", "0.95", "1.05", "1.2")]
    for team in teams:
        people_with_history(team, [levels[i % len(levels)] for i in range(people)], last=last)
    return teams


def alert_on(
    employee: Employee, *, month: Month, code: str = "below_target_3", state: str = AlertState.OPEN
) -> Alert:
    """An alert as the monthly close raises it (the default rules come from the data migration)."""
    rule = AlertRule.objects.get(code=code)
    return Alert.objects.create(
        rule=rule,
        employee=employee,
        org_unit=employee.org_unit,
        month=month,
        episode_start=month - (rule.months - 1),
        severity=rule.severity,
        value=Decimal("0.6"),
        state=state,
        raised_at=timezone.now(),
    )
