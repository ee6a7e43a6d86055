"""Facts and targets for tests: a person's months with a chosen revenue attainment, or whole teams' KPIs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from perfloop.core.months import Month, month_range
from perfloop.metrics.models import Kpi, MonthlyFact, MonthlyTarget
from perfloop.metrics.services import kpi_default_weights_apply, scorecards_recompute
from perfloop.org.models import Employee, Position

REVENUE_TARGET = Decimal(80000)
# The half year most view tests look at.
FIRST = Month(2025, 1)
LAST = Month(2025, 6)


def revenue_only_weights(employee: Employee) -> None:
    """Weight only revenue for the employee's position, so attainment = revenue ÷ target."""
    from perfloop.metrics.models import KpiWeight

    KpiWeight.objects.update_or_create(
        position=employee.position, kpi=Kpi.objects.get(code="revenue"), defaults={"weight": Decimal(1)}
    )


def all_default_weights(employee: Employee) -> None:
    kpi_default_weights_apply(position=employee.position)


def record_revenue(employee: Employee, first: Month, last: Month, attainments: list[float | None]) -> None:
    """Targets of 80,000 every month; actuals at the given attainment (None = no data that month)."""
    revenue = Kpi.objects.get(code="revenue")
    months = list(month_range(first, last))
    assert len(months) == len(attainments)
    for month, attainment in zip(months, attainments, strict=True):
        MonthlyTarget.objects.update_or_create(
            employee=employee, month=month, kpi=revenue, defaults={"value": REVENUE_TARGET}
        )
        if attainment is not None:
            MonthlyFact.objects.update_or_create(
                employee=employee,
                month=month,
                kpi=revenue,
                defaults={
                    "value": (REVENUE_TARGET * Decimal(str(attainment))).quantize(Decimal("0.01")),
                    "source": "crm",
                },
            )


def record_performance(
    levels: Mapping[Employee, Decimal | Sequence[Decimal]],
    *,
    first: Month = FIRST,
    last: Month = LAST,
    skip: Iterable = (),
) -> None:
    """Facts at level × target for every KPI (lower-is-better inverted), targets at the defaults, then
    scorecards through the real engine. A level is one Decimal, or one per month from `first`.
    `skip` holds (employee, month, KPI code) triples left without a fact: missing, not zero."""
    kpis = list(Kpi.objects.all())
    skipped = set(skip)
    for position in Position.objects.all():
        kpi_default_weights_apply(position=position)
    facts, targets = [], []
    for employee, level_or_levels in levels.items():
        month = first
        while month <= last:
            level = (
                level_or_levels
                if isinstance(level_or_levels, Decimal)
                else level_or_levels[month.months_since(first) % len(level_or_levels)]
            )
            for kpi in kpis:
                targets.append(
                    MonthlyTarget(employee=employee, month=month, kpi=kpi, value=kpi.default_target)
                )
                if (employee, month, kpi.code) in skipped:
                    continue
                factor = (1 / level) if kpi.direction == "lower" else level
                value = (kpi.default_target * factor).quantize(Decimal("0.0001"))
                facts.append(MonthlyFact(employee=employee, month=month, kpi=kpi, value=value, source="crm"))
            month += 1
    MonthlyTarget.objects.bulk_create(targets)
    MonthlyFact.objects.bulk_create(facts)
    scorecards_recompute(actor=None, first=first, last=last)
