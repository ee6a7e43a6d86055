"""The fact table's references hold in the database itself, whichever way a row arrives.

On PostgreSQL a fact's person and KPI are checked once per statement by triggers (migration 0006), on
SQLite by foreign keys. Either way a fact cannot name a person or KPI that does not exist, and a person or
KPI that facts still name cannot be deleted behind the application's back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import polars as pl
import pytest
from django.db import IntegrityError, connection, transaction

from perfloop.core.bulk import bulk_insert
from perfloop.core.months import Month
from perfloop.metrics.models import Aggregation, Direction, Kpi, MonthlyFact, Unit
from perfloop.org.models import Employee
from perfloop.org.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

MISSING = 987_654_321
MAY = Month(2025, 5)


@contextmanager
def checked_as_at_commit() -> Iterator[None]:
    """A savepoint whose writes are checked as a commit checks them. PostgreSQL's checks run at the end of
    each statement; SQLite defers its foreign keys to a commit that a test's transaction never reaches, so
    they are asked for here (``PRAGMA foreign_key_check``, what Django's ``loaddata`` asks)."""
    with transaction.atomic():
        yield
        if connection.vendor == "sqlite":
            connection.check_constraints(table_names=[MonthlyFact._meta.db_table])


def _fact(**fields: object) -> MonthlyFact:
    values: dict[str, object] = {"month": MAY, "value": Decimal(1), "source": MonthlyFact.Source.CRM}
    return MonthlyFact.objects.create(**(values | fields))


@pytest.fixture
def kpi() -> Kpi:
    """A KPI of its own: nothing but the facts of a test refers to it."""
    return Kpi.objects.create(
        code="integrity_probe",
        name_zh="探针",
        name_en="probe",
        unit=Unit.COUNT,
        direction=Direction.HIGHER,
        aggregation=Aggregation.SUM,
        default_target=Decimal(1),
    )


@pytest.fixture
def person() -> Employee:
    employee: Employee = EmployeeFactory()
    return employee


def test_a_fact_for_a_person_who_does_not_exist_is_refused(kpi):
    with pytest.raises(IntegrityError) as refused, checked_as_at_commit():
        _fact(employee_id=MISSING, kpi=kpi)
    assert not MonthlyFact.objects.exists()
    if connection.vendor == "postgresql":  # SQLite's message names no key
        assert f"(employee_id)=({MISSING})" in str(refused.value.__cause__.diag.message_detail)


def test_a_fact_for_a_kpi_that_does_not_exist_is_refused(person):
    with pytest.raises(IntegrityError) as refused, checked_as_at_commit():
        _fact(employee=person, kpi_id=MISSING)
    assert not MonthlyFact.objects.exists()
    if connection.vendor == "postgresql":
        assert f"(kpi_id)=({MISSING})" in str(refused.value.__cause__.diag.message_detail)


def test_moving_a_fact_to_a_person_who_does_not_exist_is_refused(person, kpi):
    fact = _fact(employee=person, kpi=kpi)
    with pytest.raises(IntegrityError), checked_as_at_commit():
        MonthlyFact.objects.filter(pk=fact.pk).update(employee_id=MISSING)
    fact.refresh_from_db()
    assert fact.employee_id == person.pk


def test_one_bad_reference_refuses_the_whole_bulk_write(person, kpi):
    stamp = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    stored = stamp.isoformat() if connection.vendor == "postgresql" else "2025-06-01 00:00:00"
    rows = pl.DataFrame(
        {
            "employee_id": [person.pk, MISSING, person.pk],
            "month": [202503, 202504, 202505],
            "kpi_id": [kpi.pk] * 3,
            "value": ["1", "2", "3"],
            "source": ["crm"] * 3,
            "lineage": ["{}"] * 3,
            "version": [1] * 3,
            "created_at": [stored] * 3,
            "updated_at": [stored] * 3,
        }
    )
    with pytest.raises(IntegrityError), checked_as_at_commit():
        bulk_insert(MonthlyFact._meta.db_table, rows.columns, rows)
    assert not MonthlyFact.objects.exists()


def test_deleting_a_person_that_facts_name_is_refused_in_the_database(person, kpi):
    _fact(employee=person, kpi=kpi)
    with pytest.raises(IntegrityError), checked_as_at_commit(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM org_employee WHERE id = %s", [person.pk])
    assert Employee.objects.filter(pk=person.pk).exists()
    MonthlyFact.objects.all().delete()
    with checked_as_at_commit(), connection.cursor() as cursor:  # without facts the same delete goes through
        cursor.execute("DELETE FROM org_employee WHERE id = %s", [person.pk])
    assert not Employee.objects.filter(pk=person.pk).exists()


def test_deleting_a_kpi_that_facts_name_is_refused_in_the_database(person, kpi):
    _fact(employee=person, kpi=kpi)
    with pytest.raises(IntegrityError), checked_as_at_commit(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM metrics_kpi WHERE id = %s", [kpi.pk])
    assert Kpi.objects.filter(pk=kpi.pk).exists()


def test_changing_the_id_of_a_person_that_facts_name_is_refused(person, kpi):
    _fact(employee=person, kpi=kpi)
    with pytest.raises(IntegrityError), checked_as_at_commit(), connection.cursor() as cursor:
        cursor.execute("UPDATE org_employee SET id = %s WHERE id = %s", [MISSING, person.pk])
    assert Employee.objects.filter(pk=person.pk).exists()


def test_removing_a_person_through_the_application_removes_their_facts(person, kpi):
    _fact(employee=person, kpi=kpi)
    person.delete()
    assert not MonthlyFact.objects.exists()


def test_the_fact_table_checks_references_per_statement_on_postgresql_and_per_row_on_sqlite():
    """The design (docs/decisions/0010): a later migration that brings back per-row checks on PostgreSQL,
    or drops SQLite's foreign keys, fails here instead of quietly slowing imports or losing integrity."""
    table = MonthlyFact._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'", [table]
            )
            assert cursor.fetchone()[0] == 0
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table]
            )
            assert {row[0] for row in cursor.fetchall()} == {
                f"{table}_references_insert",
                f"{table}_references_update",
            }
        else:
            cursor.execute(f"PRAGMA foreign_key_list({table})")
            assert {(row[2], row[3]) for row in cursor.fetchall()} == {
                ("org_employee", "employee_id"),
                ("metrics_kpi", "kpi_id"),
            }
