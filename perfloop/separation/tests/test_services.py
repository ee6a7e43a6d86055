"""Use cases: importing reference figures, and running the packs with stored figures."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from perfloop.audit.models import AuditEvent
from perfloop.separation import services
from perfloop.separation.law.errors import LawInputError
from perfloop.separation.models import CityAverageWage
from perfloop.separation.reference import AverageWageRow, ReferenceSet, seed_reference_set

pytestmark = pytest.mark.django_db

CASE = {"hire_date": "2020-01-01", "termination_date": "2023-06-30", "monthly_wage": "8000", "city": "上海"}


def test_reimporting_the_seeds_changes_nothing():
    summary = services.law_reference_import(actor=None, references=seed_reference_set())
    assert summary.created == {}
    assert summary.unchanged["average_wages"] == 5
    assert AuditEvent.objects.filter(action="separation.law_reference_import").count() == 1


def test_a_corrected_figure_is_a_new_version_and_the_old_one_stays(hrbp):
    corrected = AverageWageRow("shanghai", 2022, Decimal("12200"), "corrected figure", is_verified=True)
    summary = services.law_reference_import(actor=hrbp, references=ReferenceSet(average_wages=(corrected,)))
    assert summary.created == {"average_wages": 1}
    versions = CityAverageWage.objects.filter(city="shanghai", year=2022).order_by("version")
    assert [row.average_monthly_wage for row in versions] == [Decimal("12183.00"), Decimal("12200.00")]
    latest = versions.last()
    assert latest is not None
    assert latest.imported_by == hrbp
    again = services.law_reference_import(actor=hrbp, references=ReferenceSet(average_wages=(corrected,)))
    assert again.created == {}


def test_exit_costs_use_the_stored_figures_of_the_city():
    """CN-M-04: A comes from the stored Shanghai 2022 row; the worked example gives S = 32,000.00."""
    bundle = services.exit_costs_calculate(data=CASE)
    severance = bundle.result("severance")
    assert severance.amount == Decimal("32000.00")
    assert "12,183.00" in severance.steps[1].text_en


def test_a_given_reference_wins_over_the_city_and_missing_city_is_an_error():
    reference = {
        "city": "x",
        "average_wage_year": 2022,
        "average_monthly_wage": "1000",
        "minimum_monthly_wage": "100",
    }
    capped = services.exit_costs_calculate(data={**CASE, "reference": reference})
    assert capped.result("severance").amount == Decimal("12000.00")  # 3A = 3,000, N = 4
    with pytest.raises(LawInputError) as raised:
        services.exit_costs_calculate(data={key: value for key, value in CASE.items() if key != "city"})
    assert raised.value.code == "missing_field"


def test_the_uk_pack_runs_through_the_same_service():
    bundle = services.exit_costs_calculate(
        data={"pack": "uk", "start_date": "2020-01-01", "notice_date": "2024-01-01", "weekly_pay": "500"}
    )
    assert bundle.currency == "GBP"


def test_eligibility_uses_stored_retirement_rules():
    result = services.eligibility_check(
        data={
            "hire_date": "2000-01-01",
            "notice_date": "2022-10-10",
            "birth_date": "1965-06-01",
            "retirement_category": "male_60",
        }
    )
    assert "near_retirement_at_notice" in result.codes()
    uk = services.eligibility_check(
        data={"pack": "uk", "start_date": "2020-01-01", "notice_date": "2024-01-01"}
    )
    assert uk.pack == "uk"


def test_import_summary_serialises():
    assert dataclasses.asdict(services.ImportSummary()) == {"created": {}, "unchanged": {}}
