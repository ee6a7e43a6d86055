"""The law engine's use cases: importing reference figures, and running the packs on plain input.

The CLI, the API and the calculator page all call these, so the three front doors give
the same answer for the same input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import get_language

from perfloop.audit.services import audit_change, recorded_actor
from perfloop.separation import reference, selectors
from perfloop.separation.law import parsing
from perfloop.separation.law.cn import eligibility_from_mapping
from perfloop.separation.law.cn_eligibility import check_eligibility
from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.interface import CalculationBundle, EligibilityResult
from perfloop.separation.law.messages import use_language_resolver
from perfloop.separation.law.registry import get_pack
from perfloop.separation.models import (
    CityAverageWage,
    CityMinimumWage,
    CityWageRule,
    RetirementAgeRule,
    Verification,
)

# Domain errors render their bilingual message in the request's language (the API's error shape).
use_language_resolver(get_language)


@dataclass
class ImportSummary:
    """How many rows of each kind were stored as new versions, and how many were already current."""

    created: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, is_created: bool) -> None:
        target = self.created if is_created else self.unchanged
        target[kind] = target.get(kind, 0) + 1

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {"created": dict(self.created), "unchanged": dict(self.unchanged)}


def _verification(is_verified: bool) -> str:
    return Verification.VERIFIED if is_verified else Verification.UNVERIFIED


def _store(model: Any, key: dict[str, Any], values: dict[str, Any], actor: Any) -> bool:
    """Store ``values`` under ``key`` as a new version unless the current version already says the same."""
    current = model.objects.filter(**key).order_by("-version").first()
    if current is not None and all(getattr(current, name) == value for name, value in values.items()):
        return False
    latest = model.objects.filter(**key).aggregate(latest=Max("version"))["latest"] or 0
    model.objects.create(**key, **values, version=latest + 1, imported_by=recorded_actor(actor))
    return True


def law_reference_import(*, actor: Any, references: reference.ReferenceSet) -> ImportSummary:
    """Store published figures; re-importing changes nothing, a corrected figure is a new version."""
    summary = ImportSummary()
    with transaction.atomic():
        for row in references.average_wages:
            summary.count(
                "average_wages",
                is_created=_store(
                    CityAverageWage,
                    {"city": row.city, "year": row.year},
                    {
                        "average_monthly_wage": row.average_monthly_wage,
                        "published_on": row.published_on,
                        "source_note": row.source_note,
                        "verification": _verification(row.is_verified),
                    },
                    actor,
                ),
            )
        for minimum in references.minimum_wages:
            summary.count(
                "minimum_wages",
                is_created=_store(
                    CityMinimumWage,
                    {"city": minimum.city, "effective_from": minimum.effective_from},
                    {
                        "monthly_minimum": minimum.monthly_minimum,
                        "source_note": minimum.source_note,
                        "verification": _verification(minimum.is_verified),
                    },
                    actor,
                ),
            )
        for rule in references.city_rules:
            summary.count(
                "city_rules",
                is_created=_store(
                    CityWageRule,
                    {"city": rule.city},
                    {
                        "overtime_in_wage_base": rule.overtime_in_wage_base,
                        "pre_2008_rule": rule.pre_2008_rule or "",
                        "source_note": rule.source_note,
                        "verification": _verification(rule.is_verified),
                    },
                    actor,
                ),
            )
        for retirement in references.retirement_age_rules:
            summary.count(
                "retirement_age_rules",
                is_created=_store(
                    RetirementAgeRule,
                    {"category": retirement.category.value},
                    {
                        "original_age_years": retirement.original_age_years,
                        "first_affected_birth_month": retirement.first_affected_birth_month,
                        "months_per_step": retirement.months_per_step,
                        "maximum_delay_months": retirement.maximum_delay_months,
                        "source_note": retirement.source_note,
                        "verification": _verification(retirement.is_verified),
                    },
                    actor,
                ),
            )
        audit_change(actor=actor, action="separation.law_reference_import", details=summary.as_dict())
    return summary


def with_local_reference(data: Mapping[str, Any]) -> dict[str, Any]:
    """CN input with ``city`` (and ``average_wage_year``) gets the stored figures as ``reference``."""
    filled = dict(data)
    city = parsing.text(filled, "city")
    year = parsing.optional_integer(filled, "average_wage_year")
    filled.pop("city", None)
    filled.pop("average_wage_year", None)
    if filled.get("reference"):
        return filled
    if not city:
        raise LawInputError("missing_field", field="city")
    # Impossible input is reported as such, before a lookup that could only fail for the wrong reason.
    hire_date = parsing.date(filled, "hire_date")
    termination_date = parsing.date(filled, "termination_date")
    if termination_date < hire_date:
        raise LawInputError("termination_before_hire", hire_date=hire_date, termination_date=termination_date)
    local = selectors.local_wage_reference_for(
        city=city, termination_date=termination_date, average_wage_year=year
    )
    filled["reference"] = reference.reference_as_mapping(local)
    return filled


def exit_costs_calculate(*, data: Mapping[str, Any]) -> CalculationBundle:
    """Severance, pay in lieu, damages, N + x and the last day for one case (pack from ``data["pack"]``)."""
    pack = get_pack(parsing.text(data, "pack") or None)
    if pack.code == "cn":
        data = with_local_reference(data)
    return pack.calculate(data)


def eligibility_check(*, data: Mapping[str, Any]) -> EligibilityResult:
    """Allowed routes with reasons for one case's facts; advisory only (PIPL Art. 24)."""
    pack = get_pack(parsing.text(data, "pack") or None)
    if pack.code == "cn":
        facts, parameters = eligibility_from_mapping(data)
        return check_eligibility(facts, parameters, selectors.retirement_rules_current())
    return pack.check_eligibility(data)
