"""PIPL duties around a case (CN-D-01 … CN-D-07)."""

from __future__ import annotations

import datetime as dt

import pytest

from perfloop.separation.law.cn import eligibility_from_mapping
from perfloop.separation.law.cn_privacy import (
    RetentionState,
    hr_processing_basis_available,
    impact_assessment_required,
    impact_assessment_retained_until,
    log_retention_until,
    record_decision,
    retention_state,
    validate_protected_status_record,
    validate_rights_refusal,
)
from perfloop.separation.law.errors import LawInputError

D = dt.date


def test_cn_d_01_hr_basis_needs_lawful_published_rules_that_cover_the_processing():
    """CN-D-01: PIPL Art. 13(1)(2) fails if the rules skipped the procedure, were not published or do not
    cover it.
    """
    assert hr_processing_basis_available(
        rules_adopted_democratically=True, rules_published=True, processing_covered_by_rules=True
    )
    assert not hr_processing_basis_available(
        rules_adopted_democratically=False, rules_published=True, processing_covered_by_rules=True
    )
    assert not hr_processing_basis_available(
        rules_adopted_democratically=True, rules_published=True, processing_covered_by_rules=False
    )


def test_cn_d_02_use_then_storage_only_then_delete():
    """CN-D-02: in use while the purpose runs; storage only while a legal period runs or a hold is on; then
    delete.
    """
    until = D(2026, 11, 10)
    assert (
        retention_state(today=D(2025, 1, 1), is_purpose_running=True, retention_until=until)
        is RetentionState.IN_USE
    )
    assert retention_state(today=D(2025, 1, 1), is_purpose_running=False, retention_until=until) is (
        RetentionState.STORAGE_ONLY
    )
    assert (
        retention_state(today=D(2027, 1, 1), is_purpose_running=False, retention_until=until)
        is RetentionState.DELETE
    )
    assert (
        retention_state(
            today=D(2027, 1, 1), is_purpose_running=False, retention_until=until, has_legal_hold=True
        )
        is RetentionState.STORAGE_ONLY
    )


def test_cn_d_03_protected_status_holds_no_diagnosis():
    """CN-D-03: only kind, dates and confirmer; a diagnosis field is refused, also
    through the pack's input."""
    validate_protected_status_record({"kind": "medical_treatment_period", "starts_on": "2024-01-01"})
    with pytest.raises(LawInputError) as raised:
        validate_protected_status_record({"kind": "medical_treatment_period", "diagnosis": "…"})
    assert raised.value.code == "sensitive_detail_not_allowed"
    with pytest.raises(LawInputError):
        eligibility_from_mapping(
            {
                "hire_date": "2020-01-01",
                "notice_date": "2024-01-01",
                "protected_statuses": [
                    {"kind": "pregnancy_maternity_nursing", "starts_on": "2023-12-01", "due_date": "x"}
                ],
            }
        )


def test_cn_d_04_a_named_person_decides_with_an_explanation():
    """CN-D-04: no anonymous or unexplained decisions."""
    decision = record_decision(decided_by=" 周法务 ", explanation="Reviewed the dossier.", route="lcl_40_2")
    assert decision.decided_by == "周法务"
    with pytest.raises(LawInputError) as nameless:
        record_decision(decided_by=" ", explanation="x", route="lcl_40_2")
    with pytest.raises(LawInputError) as silent:
        record_decision(decided_by="周法务", explanation="", route="lcl_40_2")
    assert (nameless.value.code, silent.value.code) == (
        "decision_needs_named_person",
        "decision_needs_explanation",
    )


def test_cn_d_05_impact_assessment_in_advance_and_kept_three_years():
    """CN-D-05: sensitive data or automated decisions need an assessment; the report is kept ≥ 3 years."""
    assert impact_assessment_required(processes_sensitive_data=True, makes_automated_decisions=False)
    assert impact_assessment_required(processes_sensitive_data=False, makes_automated_decisions=True)
    assert not impact_assessment_required(processes_sensitive_data=False, makes_automated_decisions=False)
    assert impact_assessment_retained_until(D(2025, 1, 31)) == D(2028, 1, 31)


def test_cn_d_06_refusing_a_rights_request_needs_reasons():
    """CN-D-06: PIPL Art. 50: give reasons for any refusal."""
    validate_rights_refusal("The file is under a legal hold.")
    with pytest.raises(LawInputError) as raised:
        validate_rights_refusal("  ")
    assert raised.value.code == "refusal_needs_reason"


def test_cn_d_07_processing_records_three_years_network_logs_six_months():
    """CN-D-07: processing records ≥ 3 years (Art. 56); network logs ≥ 6 months (article unverified)."""
    assert log_retention_until(D(2025, 8, 31), is_processing_record=True) == D(2028, 8, 31)
    assert log_retention_until(D(2025, 8, 31), is_processing_record=False) == D(2026, 2, 28)
