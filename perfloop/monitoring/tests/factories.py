"""Monitoring states built the way they happen: data in, then the months closed in order."""

from __future__ import annotations

import datetime as dt

from perfloop.core.months import Month
from perfloop.metrics.tests.factories import record_revenue, revenue_only_weights
from perfloop.monitoring.services import month_close
from perfloop.org.models import Employee

JAN_2025 = Month(2025, 1)


def closed_below_target(employee: Employee, *, first: Month = JAN_2025, months: int = 3) -> None:
    """``employee`` at half their revenue target for ``months`` months from ``first``, each month closed:
    their facts, targets and scorecards exist, and the 3-month warning is raised in the last month."""
    employee.hire_date = dt.date(2020, 1, 1)
    employee.save()
    revenue_only_weights(employee)
    record_revenue(employee, first, first + (months - 1), [0.5] * months)
    for offset in range(months):
        month_close(actor=None, month=first + offset)
