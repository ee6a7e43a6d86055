"""Reads for the law engine: reference rows as plain data, and who may use the calculators.

Reference figures are public data (no person's data), so they need no viewer scope;
the calculators are for the roles that prepare or review separations.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from perfloop.separation import reference
from perfloop.separation.law.cn_severance import LocalWageReference
from perfloop.separation.law.retirement import RetirementAgeRule as RetirementRule
from perfloop.separation.law.retirement import RetirementCategory
from perfloop.separation.law.retirement import default_rules as seed_retirement_rules
from perfloop.separation.models import (
    CityAverageWage,
    CityMinimumWage,
    CityWageRule,
    RetirementAgeRule,
    Verification,
)

CALCULATOR_ROLES = frozenset({"hrbp", "legal", "manager"})


def law_calculator_allowed_for(*, viewer: Any) -> bool:
    """HR, legal and managers may use the calculators; they hold no personal data unless saved."""
    return (
        bool(getattr(viewer, "is_authenticated", False)) and getattr(viewer, "role", None) in CALCULATOR_ROLES
    )


def reference_set_current() -> reference.ReferenceSet:
    """Every stored reference row as plain data (the lookups keep the highest version of each key)."""
    return reference.ReferenceSet(
        average_wages=tuple(
            reference.AverageWageRow(
                city=row.city,
                year=row.year,
                average_monthly_wage=row.average_monthly_wage,
                source_note=row.source_note,
                is_verified=row.verification == Verification.VERIFIED,
                published_on=row.published_on,
                version=row.version,
            )
            for row in CityAverageWage.objects.all()
        ),
        minimum_wages=tuple(
            reference.MinimumWageRow(
                city=row.city,
                effective_from=row.effective_from,
                monthly_minimum=row.monthly_minimum,
                source_note=row.source_note,
                is_verified=row.verification == Verification.VERIFIED,
                version=row.version,
            )
            for row in CityMinimumWage.objects.all()
        ),
        city_rules=tuple(
            reference.CityRuleRow(
                city=row.city,
                overtime_in_wage_base=row.overtime_in_wage_base,
                pre_2008_rule=row.pre_2008_rule or None,
                source_note=row.source_note,
                is_verified=row.verification == Verification.VERIFIED,
                version=row.version,
            )
            for row in CityWageRule.objects.all()
        ),
    )


def local_wage_reference_for(
    *, city: str, termination_date: dt.date, average_wage_year: int | None = None
) -> LocalWageReference:
    """The city's A (previous year unless another is asked) and minimum wage, or a specific error."""
    return reference.local_wage_reference(
        reference_set_current(),
        city=city,
        termination_date=termination_date,
        average_wage_year=average_wage_year,
    )


def retirement_rules_current() -> dict[RetirementCategory, RetirementRule]:
    """The latest stored reform parameters per category; the shipped seed fills any category not stored."""
    rules = dict(seed_retirement_rules())
    latest: dict[str, RetirementAgeRule] = {}
    for row in RetirementAgeRule.objects.all():
        if row.category not in latest or row.version > latest[row.category].version:
            latest[row.category] = row
    for category, row in latest.items():
        rules[RetirementCategory(category)] = RetirementRule(
            category=RetirementCategory(category),
            original_age_years=row.original_age_years,
            first_affected_birth_month=row.first_affected_birth_month,
            months_per_step=row.months_per_step,
            maximum_delay_months=row.maximum_delay_months,
            source_note=row.source_note,
            is_verified=row.verification == Verification.VERIFIED,
        )
    return rules


def city_choices() -> list[str]:
    """Cities with a published average wage on file, for the calculator's city list."""
    return sorted(set(CityAverageWage.objects.values_list("city", flat=True)))


def average_wage_years_for(*, city: str) -> list[int]:
    return sorted(
        set(
            CityAverageWage.objects.filter(city=reference.normalize_city(city)).values_list("year", flat=True)
        )
    )
