"""The 2025 retirement-age reform, computed from its parameters (CN-P42-02)."""

from __future__ import annotations

import datetime as dt

import pytest

from perfloop.core.months import Month
from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.retirement import (
    RetirementCategory,
    default_rules,
    retirement_age,
    retirement_table,
    rule_from_mapping,
)

MALE, FEMALE_55, FEMALE_50 = (
    RetirementCategory.MALE_60,
    RetirementCategory.FEMALE_55,
    RetirementCategory.FEMALE_50,
)


@pytest.mark.parametrize(
    ("category", "born", "years", "months"),
    [
        (MALE, "1964-12-15", 60, 0),
        (MALE, "1965-01-01", 60, 1),
        (MALE, "1965-04-30", 60, 1),
        (MALE, "1965-05-01", 60, 2),
        (MALE, "1976-08-31", 62, 11),
        (MALE, "1976-09-01", 63, 0),
        (MALE, "1990-01-01", 63, 0),
        (FEMALE_55, "1969-12-31", 55, 0),
        (FEMALE_55, "1970-01-01", 55, 1),
        (FEMALE_55, "1981-09-01", 58, 0),
        (FEMALE_50, "1974-12-31", 50, 0),
        (FEMALE_50, "1975-01-01", 50, 1),
        (FEMALE_50, "1975-03-01", 50, 2),
        (FEMALE_50, "1984-11-01", 55, 0),
        (FEMALE_50, "1995-01-01", 55, 0),
    ],
)
def test_cn_p42_02_retirement_age_rises_one_month_per_step(category, born, years, months):
    """CN-P42-02: men and women from 55 gain a month every 4 birth months; women from 50 every 2."""
    age = retirement_age(dt.date.fromisoformat(born), category)
    assert (age.years, age.months) == (years, months)


def test_cn_p42_02_retirement_date_is_the_birthday_at_that_age():
    """CN-P42-02: born 1965-06-01 → 60y2m → 2025-08-01; a 31st clamps to the end of a 30-day month."""
    assert retirement_age(dt.date(1965, 6, 1), MALE).retirement_date == dt.date(2025, 8, 1)
    assert retirement_age(dt.date(1975, 12, 31), FEMALE_50).retirement_date == dt.date(2026, 6, 30)  # 50y6m


def test_cn_p42_02_tables_expand_the_parameters_like_the_official_attachments():
    """CN-P42-02: 37 bands for men (unchanged + 36 steps), 61 for women from 50; the last band is open."""
    rules = default_rules()
    male = retirement_table(rules[MALE])
    female_50 = retirement_table(rules[FEMALE_50])
    assert len(male) == 37
    assert len(female_50) == 61
    assert (male[1].first_birth_month, male[1].last_birth_month, male[1].months) == (
        Month(1965, 1),
        Month(1965, 4),
        1,
    )
    assert (male[-1].first_birth_month, male[-1].last_birth_month, male[-1].years) == (
        Month(1976, 9),
        None,
        63,
    )
    assert (female_50[-1].first_birth_month, female_50[-1].years) == (Month(1984, 11), 55)
    assert all(not rule.is_verified for rule in rules.values())


def test_bad_retirement_rows_and_categories_are_refused():
    with pytest.raises(LawInputError) as bad_row:
        rule_from_mapping({"category": "male_60"})
    assert bad_row.value.code == "invalid_reference_row"
    with pytest.raises(LawInputError) as unknown:
        retirement_age(dt.date(1970, 1, 1), MALE, rules={})
    assert unknown.value.code == "unknown_retirement_category"
