"""Facts and targets for tests: a person's months with a chosen revenue attainment."""

from __future__ import annotations

from decimal import Decimal

from perfloop.core.months import Month, month_range
from perfloop.metrics.models import Kpi, MonthlyFact, MonthlyTarget
from perfloop.metrics.services import kpi_default_weights_apply
from perfloop.org.models import Employee

REVENUE_TARGET = Decimal(80000)


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
