"""Factories for the organisation; units get their materialised path like the service gives it."""

from __future__ import annotations

import datetime as dt

import factory

from perfloop.org.models import Employee, OrgUnit, Position, WageRecord


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"销售{n}组")
    name_en = factory.Sequence(lambda n: f"Sales team {n}")
    parent = None

    @factory.post_generation
    def set_path(unit: OrgUnit, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
        if create:
            unit.save(update_fields=["path"])


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position
        django_get_or_create = ("code",)

    code = "sales_rep"
    name = "销售代表"
    name_en = "Sales representative"


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    employee_number = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.Sequence(lambda n: f"员工{n}")
    hire_date = dt.date(2022, 3, 1)
    birth_date = dt.date(1992, 5, 17)
    position = factory.SubFactory(PositionFactory)
    org_unit = factory.SubFactory(OrgUnitFactory)
    work_city = "上海"


class WageRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WageRecord

    employee = factory.SubFactory(EmployeeFactory)
    amount = "9000.00"
