"""PIPL duties around a performance case (labour-law-cn.md §8, CN-D-01 … CN-D-07).

Small checks the services call before they store, decide, delete or refuse: the lawful
basis for HR processing, retention and deletion, sensitive data kept as flags only, a
named person behind every decision, impact assessments, rights requests and logs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.periods import add_months, add_years

IMPACT_ASSESSMENT_RETENTION_YEARS = 3
PROCESSING_RECORD_RETENTION_YEARS = 3
NETWORK_LOG_RETENTION_MONTHS = 6

PROTECTED_STATUS_FIELDS = frozenset({"kind", "starts_on", "ends_on", "confirmed_by"})


def hr_processing_basis_available(
    *,
    rules_adopted_democratically: bool,
    rules_published: bool,
    processing_covered_by_rules: bool,
) -> bool:
    """CN-D-01: PIPL Art. 13(1)(2) covers HR processing only under lawful, published rules that cover it."""
    return rules_adopted_democratically and rules_published and processing_covered_by_rules


class RetentionState(StrEnum):
    """What may be done with a case's personal data now (CN-D-02, PIPL Art. 19 and 47)."""

    IN_USE = "in_use"  # the purpose (the case, a dispute) is still running
    STORAGE_ONLY = "storage_only"  # purpose achieved, legal retention running: store and secure, nothing else
    DELETE = "delete"  # purpose achieved and retention expired: delete on the handler's own initiative


def retention_state(
    *,
    today: dt.date,
    is_purpose_running: bool,
    retention_until: dt.date | None,
    has_legal_hold: bool = False,
) -> RetentionState:
    """CN-D-02: use while needed, then storage only while a legal period runs, then delete."""
    if is_purpose_running:
        return RetentionState.IN_USE
    if has_legal_hold or retention_until is None or today <= retention_until:
        return RetentionState.STORAGE_ONLY
    return RetentionState.DELETE


def validate_protected_status_record(record: Mapping[str, Any]) -> None:
    """CN-D-03: an Art. 42 status is stored as a flag, dates and who confirmed it; never a diagnosis."""
    extra = sorted(set(record) - PROTECTED_STATUS_FIELDS)
    if extra:
        raise LawInputError("sensitive_detail_not_allowed", fields=extra)


@dataclass(frozen=True, slots=True)
class Decision:
    """The human decision on a case (CN-D-04): who decided and a readable explanation."""

    decided_by: str
    explanation: str
    route: str


def record_decision(*, decided_by: str, explanation: str, route: str) -> Decision:
    """PIPL Art. 24: the engine only advises; a named person decides and the explanation is kept."""
    if not decided_by.strip():
        raise LawInputError("decision_needs_named_person")
    if not explanation.strip():
        raise LawInputError("decision_needs_explanation")
    return Decision(decided_by=decided_by.strip(), explanation=explanation.strip(), route=route)


def impact_assessment_required(*, processes_sensitive_data: bool, makes_automated_decisions: bool) -> bool:
    """CN-D-05: PIPL Art. 55 requires an assessment in advance for either."""
    return processes_sensitive_data or makes_automated_decisions


def impact_assessment_retained_until(completed_on: dt.date) -> dt.date:
    """CN-D-05: the report and processing records are kept ≥ 3 years (PIPL Art. 56)."""
    return add_years(completed_on, IMPACT_ASSESSMENT_RETENTION_YEARS)


def validate_rights_refusal(reason: str) -> None:
    """CN-D-06: refusing a request to consult, copy, restrict … needs reasons (PIPL Art. 50)."""
    if not reason.strip():
        raise LawInputError("refusal_needs_reason")


def log_retention_until(created_on: dt.date, *, is_processing_record: bool) -> dt.date:
    """CN-D-07: processing records ≥ 3 years (PIPL Art. 56); network logs ≥ 6 months (article unverified)."""
    if is_processing_record:
        return add_years(created_on, PROCESSING_RECORD_RETENTION_YEARS)
    return add_months(created_on, NETWORK_LOG_RETENTION_MONTHS)
