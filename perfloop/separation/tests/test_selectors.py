"""Reading reference rows into plain data for the engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from perfloop.core.months import Month
from perfloop.separation import selectors
from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.retirement import RetirementCategory
from perfloop.separation.models import CityAverageWage, RetirementAgeRule

pytestmark = pytest.mark.django_db


def test_it_builds_the_local_reference_for_a_termination():
    reference = selectors.local_wage_reference_for(city="北京", termination_date=dt.date(2024, 3, 31))
    assert (reference.city, reference.average_wage_year) == ("beijing", 2023)
    assert reference.average_monthly_wage == Decimal("11761.00")
    assert reference.minimum_monthly_wage == Decimal("2420.00")
    assert reference.overtime_in_wage_base is True


def test_unknown_city_or_year_raise_specific_errors():
    with pytest.raises(LawInputError) as city:
        selectors.local_wage_reference_for(city="wuhan", termination_date=dt.date(2024, 3, 31))
    with pytest.raises(LawInputError) as year:
        selectors.local_wage_reference_for(
            city="shanghai", termination_date=dt.date(2024, 3, 31), average_wage_year=2015
        )
    assert (city.value.code, year.value.code) == ("unknown_city", "no_reference_for_year")
    assert city.value.http_status == 404


def test_a_newer_version_replaces_the_figure_used():
    CityAverageWage.objects.create(
        city="shanghai", year=2022, average_monthly_wage=Decimal("12200"), source_note="correction", version=2
    )
    reference = selectors.local_wage_reference_for(city="shanghai", termination_date=dt.date(2023, 6, 30))
    assert reference.average_monthly_wage == Decimal("12200")


def test_stored_retirement_rules_override_the_seed():
    RetirementAgeRule.objects.create(
        category="male_60",
        original_age_years=60,
        first_affected_birth_month=Month(1966, 1),
        months_per_step=4,
        maximum_delay_months=36,
        source_note="test",
        version=2,
    )
    rules = selectors.retirement_rules_current()
    assert rules[RetirementCategory.MALE_60].first_affected_birth_month == Month(1966, 1)
    assert rules[RetirementCategory.FEMALE_50].months_per_step == 2


def test_cities_and_years_on_file():
    assert "shanghai" in selectors.city_choices()
    assert selectors.average_wage_years_for(city="Shanghai") == [2021, 2022, 2023]


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("rep", False),
        ("other_team_rep", False),
        ("manager", True),
        ("mentor", False),
        ("hrbp", True),
        ("legal", True),
        ("recruiter", False),
        ("executive", False),
        ("sysadmin", False),
    ],
)
def test_calculators_are_for_hr_legal_and_managers(everyone, persona, allowed):
    assert selectors.law_calculator_allowed_for(viewer=everyone[persona]) is allowed
