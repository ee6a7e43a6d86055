"""Set-based SQL that gives a goal template to everyone matching a filter, in a fixed number of statements.

An HR system that writes one person at a time needs minutes and hundreds of thousands of queries to
give a template to a few thousand people. Here the people never leave the database: their filter is
a subquery, and goals and versions are inserted with ``INSERT … SELECT`` — four statements for two
people or for twenty thousand. The SQL is plain enough for SQLite (3.24+) and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import F, OuterRef, QuerySet, Subquery

from perfloop.core.months import Month
from perfloop.goals.models import (
    VALUE_DIGITS,
    VALUE_PLACES,
    Basis,
    Goal,
    GoalStatus,
    GoalVersion,
    TemplateAssignment,
)
from perfloop.org.models import Employee


@dataclass(frozen=True)
class TemplateCell:
    """One KPI of the template in one month."""

    kpi_id: int
    month: Month
    value: Decimal


@dataclass(frozen=True)
class AssignmentCounts:
    goals_created: int
    versions_created: int


def _typed(placeholder_type: str) -> str:
    """A parameter placeholder; PostgreSQL needs a type for values of INSERT … SELECT from a CTE."""
    if connection.vendor == "postgresql":
        return f"CAST(%s AS {placeholder_type})"
    return "%s"


def _cells_cte(cells: Sequence[TemplateCell]) -> tuple[str, list[Any]]:
    ops = connection.ops
    rows: list[str] = []
    params: list[Any] = []
    for cell in cells:
        types = ("bigint", "integer", "numeric", "date", "date")
        rows.append("(" + ", ".join(_typed(t) for t in types) + ")")
        params += [
            cell.kpi_id,
            cell.month.as_int(),
            ops.adapt_decimalfield_value(cell.value, VALUE_DIGITS, VALUE_PLACES),
            ops.adapt_datefield_value(cell.month.first_day),
            ops.adapt_datefield_value(cell.month.last_day),
        ]
    cte = "WITH cells (kpi_id, month, value, first_day, last_day) AS (VALUES " + ", ".join(rows) + ") "
    return cte, params


def assign_cells(
    *,
    assignment: TemplateAssignment,
    cells: Sequence[TemplateCell],
    people: QuerySet[Employee],
    actor_id: int | None,
    basis_detail: str,
    justification: str,
    now: dt.datetime,
) -> AssignmentCounts:
    """Create missing goals as drafts and give every draft that differs a new version from the template.

    Goals already published, confirmed or disputed are left alone: changing an agreed target is a
    decision about one person, made one goal at a time with its reason.
    """
    people_sql, people_params = people.order_by().values("pk").query.sql_with_params()
    cte, cte_params = _cells_cte(cells)
    timestamp = connection.ops.adapt_datetimefield_value(now)
    tables = {
        "goal": Goal._meta.db_table,
        "version": GoalVersion._meta.db_table,
        "employee": Employee._meta.db_table,
        "people": people_sql,
        "cte": cte,
        "at": _typed("timestamptz"),
        "json": _typed("jsonb"),
    }
    # Identifiers come from model metadata and every value is a parameter (hence the S608 waivers).
    # The employment condition keeps joiners and leavers out of the months they are not employed.
    # The CTE sits inside the INSERT (INSERT … WITH … SELECT) so that the driver reports the row count.
    insert_goals = (  # noqa: S608
        "INSERT INTO {goal} "
        "(employee_id, month, kpi_id, status, value, version_count, created_at, updated_at) "
        "{cte}SELECT e.id, c.month, c.kpi_id, %s, c.value, 0, {at}, {at} "
        "FROM {employee} e CROSS JOIN cells c "
        "WHERE e.id IN ({people}) "
        "AND e.hire_date <= c.last_day "
        "AND (e.termination_date IS NULL OR e.termination_date >= c.first_day) "
        "AND NOT EXISTS (SELECT 1 FROM {goal} g "
        "WHERE g.employee_id = e.id AND g.month = c.month AND g.kpi_id = c.kpi_id)"
    ).format(**tables)
    insert_versions = (  # noqa: S608
        "INSERT INTO {version} (goal_id, number, value, basis, basis_detail, reason, justification, "
        "fairness_flags, suggestion, created_by_id, created_at, template_id, assignment_id) "
        "{cte}SELECT g.id, g.version_count + 1, c.value, %s, %s, '', %s, {json}, {json}, %s, {at}, %s, %s "
        "FROM {goal} g JOIN cells c ON g.kpi_id = c.kpi_id AND g.month = c.month "
        "WHERE g.employee_id IN ({people}) AND g.status = %s "
        "AND (g.version_count = 0 OR g.value <> c.value)"
    ).format(**tables)
    with connection.cursor() as cursor:
        cursor.execute(insert_goals, [*cte_params, GoalStatus.DRAFT, timestamp, timestamp, *people_params])
        goals_created = cursor.rowcount
        cursor.execute(
            insert_versions,
            [
                *cte_params,
                Basis.TEMPLATE,
                basis_detail,
                justification,
                json.dumps(assignment.fairness_flags, ensure_ascii=False),
                "{}",
                actor_id,
                timestamp,
                assignment.template_id,
                assignment.pk,
                *people_params,
                GoalStatus.DRAFT,
            ],
        )
        versions_created = cursor.rowcount
    if versions_created:
        new_version = GoalVersion.objects.filter(assignment=assignment, goal=OuterRef("pk"))
        Goal.objects.filter(
            pk__in=GoalVersion.objects.filter(assignment=assignment).values("goal_id")
        ).update(
            current_version=Subquery(new_version.values("pk")[:1]),
            value=Subquery(new_version.values("value")[:1]),
            version_count=F("version_count") + 1,
            updated_at=now,
        )
    return AssignmentCounts(goals_created=goals_created, versions_created=versions_created)
