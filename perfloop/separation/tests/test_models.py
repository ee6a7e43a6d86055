"""Reference tables: seeded by migration, versioned, constrained."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError

from perfloop.core.months import Month
from perfloop.separation.models import CityAverageWage, CityMinimumWage, CityWageRule, RetirementAgeRule

pytestmark = pytest.mark.django_db


def test_the_migration_seeds_the_shipped_reference_rows():
    assert CityAverageWage.objects.get(city="shanghai", year=2022).average_monthly_wage == Decimal("12183.00")
    assert CityMinimumWage.objects.filter(city="shenzhen").count() == 2
    assert CityWageRule.objects.get(city="beijing").overtime_in_wage_base is True
    male = RetirementAgeRule.objects.get(category="male_60")
    assert male.first_affected_birth_month == Month(1965, 1)
    assert not male.is_verified
    assert str(male) == "male_60 (v1)"


def test_a_version_of_a_figure_is_stored_once():
    with pytest.raises(IntegrityError):
        CityAverageWage.objects.create(city="shanghai", year=2022, average_monthly_wage=1, source_note="dup")


def test_figures_must_be_positive():
    with pytest.raises(IntegrityError):
        CityMinimumWage.objects.create(
            city="wuhan", effective_from="2024-01-01", monthly_minimum=0, source_note="zero", version=1
        )
