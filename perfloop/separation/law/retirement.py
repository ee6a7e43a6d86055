"""Statutory retirement age under the 2025 reform, for the Art. 42(5) protection (CN-P42-02).

NPC Standing Committee decision of 2024-09-13, in force 2025-01-01: over 15 years, men
60 → 63 and women whose original age was 55 → 58, one month later every 4 months of
birth; women whose original age was 50 → 55, one month later every 2 months. The rule
parameters are reference data (``data/retirement_age_rules.json`` and the
``RetirementAgeRule`` table); :func:`retirement_table` expands them into the year-by-year
table so they can be checked against the decision's attachments 1–3.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

from perfloop.core.months import Month
from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.periods import add_months


class RetirementCategory(StrEnum):
    """The original statutory retirement age the reform starts from."""

    MALE_60 = "male_60"
    FEMALE_55 = "female_55"
    FEMALE_50 = "female_50"


@dataclass(frozen=True, slots=True)
class RetirementAgeRule:
    """One row of reform parameters: who is affected first and how fast the age rises."""

    category: RetirementCategory
    original_age_years: int
    first_affected_birth_month: Month
    months_per_step: int
    maximum_delay_months: int
    source_note: str = ""
    is_verified: bool = False


@dataclass(frozen=True, slots=True)
class RetirementAge:
    years: int
    months: int
    retirement_date: dt.date
    rule: RetirementAgeRule

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months


def rule_from_mapping(row: Mapping[str, Any]) -> RetirementAgeRule:
    """A rule from a seed or database row (plain values)."""
    try:
        return RetirementAgeRule(
            category=RetirementCategory(str(row["category"])),
            original_age_years=int(row["original_age_years"]),
            first_affected_birth_month=Month.parse(str(row["first_affected_birth_month"])),
            months_per_step=int(row["months_per_step"]),
            maximum_delay_months=int(row["maximum_delay_months"]),
            source_note=str(row.get("source_note", "")),
            is_verified=bool(row.get("is_verified", False)),
        )
    except (KeyError, ValueError) as exc:
        raise LawInputError("invalid_reference_row", kind="retirement_age_rule", row=dict(row)) from exc


def default_rules() -> dict[RetirementCategory, RetirementAgeRule]:
    """The seed rules shipped with perfloop (the same rows the import command loads)."""
    text = (
        resources.files("perfloop.separation").joinpath("data/retirement_age_rules.json").read_text("utf-8")
    )
    return rules_by_category(rule_from_mapping(row) for row in json.loads(text)["rules"])


def rules_by_category(rules: Iterable[RetirementAgeRule]) -> dict[RetirementCategory, RetirementAgeRule]:
    return {rule.category: rule for rule in rules}


def retirement_age(
    birth_date: dt.date,
    category: RetirementCategory,
    rules: Mapping[RetirementCategory, RetirementAgeRule] | None = None,
) -> RetirementAge:
    """The statutory retirement age and date for a person born on ``birth_date``."""
    table = rules if rules is not None else default_rules()
    if category not in table:
        raise LawInputError("unknown_retirement_category", category=category)
    rule = table[category]
    offset = Month.of(birth_date).months_since(rule.first_affected_birth_month)
    delay = 0 if offset < 0 else min(offset // rule.months_per_step + 1, rule.maximum_delay_months)
    total = rule.original_age_years * 12 + delay
    return RetirementAge(
        years=total // 12,
        months=total % 12,
        retirement_date=add_months(birth_date, total),
        rule=rule,
    )


@dataclass(frozen=True, slots=True)
class TableRow:
    first_birth_month: Month
    last_birth_month: Month | None
    years: int
    months: int


def retirement_table(rule: RetirementAgeRule) -> list[TableRow]:
    """The birth-month bands and their retirement age, as printed in the decision's attachments."""
    rows = [TableRow(Month(1900, 1), rule.first_affected_birth_month - 1, rule.original_age_years, 0)]
    for step in range(1, rule.maximum_delay_months + 1):
        first = rule.first_affected_birth_month + (step - 1) * rule.months_per_step
        total = rule.original_age_years * 12 + step
        last = None if step == rule.maximum_delay_months else first + (rule.months_per_step - 1)
        rows.append(TableRow(first, last, total // 12, total % 12))
    return rows
