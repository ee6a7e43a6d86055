"""Dates after a termination: formalities, limitation and retention (CN-PR-03, CN-PR-04, CN-E-02, CN-E-03)."""

from __future__ import annotations

import datetime as dt

import pytest

from perfloop.separation.law.cn_records import (
    Suspension,
    evidence_retention_until,
    limitation_deadline,
    termination_schedule,
    wage_arrears_deadline,
)
from perfloop.separation.law.errors import LawInputError

D = dt.date


def test_cn_pr_03_certificate_file_transfer_and_contract_retention():
    """CN-PR-03: certificate at termination, file and social insurance within 15 days, contract text ≥ 2
    years.
    """
    schedule = {
        item.code: item
        for item in termination_schedule(D(2024, 11, 10), handover_completed_on=D(2024, 11, 12))
    }
    assert schedule["termination_certificate"].due_on == D(2024, 11, 10)
    assert schedule["file_and_social_insurance_transfer"].due_on == D(2024, 11, 25)
    assert schedule["severance_on_handover"].due_on == D(2024, 11, 12)
    assert schedule["keep_contract_text"].due_on == D(2026, 11, 10)
    assert schedule["keep_contract_text"].as_dict()["rule_id"] == "CN-PR-03"


def test_cn_pr_04_final_wages_at_termination_and_wage_records_two_years():
    """CN-PR-04: final wages in one sum on the termination date; wage records kept ≥ 2 years."""
    schedule = {item.code: item for item in termination_schedule(D(2024, 2, 29))}
    assert schedule["final_wages"].due_on == D(2024, 2, 29)
    assert schedule["keep_wage_records"].due_on == D(2026, 2, 28)
    assert schedule["severance_on_handover"].due_on is None


def test_cn_e_02_limitation_is_one_year_restarted_by_interruption():
    """CN-E-02: one year from knowledge; a claim to the employer restarts the year from zero."""
    assert limitation_deadline(D(2024, 3, 1)) == D(2025, 3, 1)
    assert limitation_deadline(D(2024, 3, 1), interruptions=[D(2024, 12, 1)]) == D(2025, 12, 1)
    assert limitation_deadline(D(2024, 3, 1), interruptions=[D(2025, 6, 1)]) == D(2025, 3, 1)


def test_cn_e_02_suspension_pauses_the_clock():
    """CN-E-02: 10 days of force majeure inside the year push the deadline 10 days."""
    pause = Suspension(D(2024, 5, 1), D(2024, 5, 10))
    assert limitation_deadline(D(2024, 3, 1), suspensions=[pause]) == D(2025, 3, 11)
    with pytest.raises(LawInputError) as raised:
        limitation_deadline(D(2024, 3, 1), suspensions=[Suspension(D(2024, 5, 10), D(2024, 5, 1))])
    assert raised.value.code == "dates_reversed"


def test_cn_e_02_wage_arrears_within_a_year_after_employment_ends():
    """CN-E-02: wage arrears may be claimed until one year after the employment ended."""
    assert wage_arrears_deadline(D(2024, 11, 10)) == D(2025, 11, 10)


def test_cn_e_03_evidence_kept_two_years_and_until_the_dispute_closes():
    """CN-E-03: termination + 2 years, later if a dispute closes later, open-ended while a dispute runs."""
    assert evidence_retention_until(D(2024, 11, 10)) == D(2026, 11, 10)
    assert evidence_retention_until(D(2024, 11, 10), dispute_closed_on=D(2027, 5, 1)) == D(2027, 5, 1)
    assert evidence_retention_until(D(2024, 11, 10), dispute_open=True) is None
