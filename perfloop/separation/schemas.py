"""API schemas of the law engine.

Dates and amounts travel as strings: amounts must stay exact decimals, and the engine's
own validation gives impossible dates and bad numbers their specific error codes.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class WageIn(_In):
    month: str = Field(examples=["2024-07"])
    amount: str = Field(examples=["8000.00"], description="wage payable (应得工资) for the month, CNY")
    overtime: str | None = Field(default=None, description="the overtime part of `amount`")


class ReferenceIn(_In):
    city: str
    average_wage_year: int
    average_monthly_wage: str
    minimum_monthly_wage: str
    minimum_wage_effective_from: str | None = None
    overtime_in_wage_base: bool | None = None
    pre_2008_rule: str | None = None
    source_note: str | None = None
    is_verified: bool | None = None


class SeveranceParametersIn(_In):
    part_month_counting: str | None = Field(default=None, examples=["exact"])
    include_overtime: bool | None = None
    pre_2008_rule: str | None = None
    round_wage_base_to_fen: bool | None = None
    pay_in_lieu_with_damages: bool | None = None


class SeveranceIn(_In):
    """Mainland China (pack "cn", the default) or the UK (pack "uk": start_date, notice_date, weekly_pay)."""

    pack: str = "cn"
    hire_date: str | None = Field(default=None, examples=["2020-01-01"], description="用工之日, YYYY-MM-DD")
    termination_date: str | None = Field(default=None, examples=["2023-06-30"])
    notice_date: str | None = None
    notice_given: bool | None = None
    wages: list[WageIn] | None = None
    monthly_wage: str | None = Field(
        default=None, description="the same wage every month (instead of `wages`)"
    )
    previous_month_wage: str | None = None
    merged_service_start: str | None = None
    negotiated_extra_months: str | None = None
    negotiated_extra_amount: str | None = None
    city: str | None = Field(default=None, description="stored figures for this city fill `reference`")
    average_wage_year: int | None = None
    reference: ReferenceIn | None = None
    parameters: SeveranceParametersIn | None = None
    start_date: str | None = Field(default=None, description="UK: start of continuous employment")
    weekly_pay: str | None = Field(default=None, description="UK: a week's pay, GBP")
    contractual_notice_weeks: int | None = None
    pay_in_lieu: bool | None = None


class AssessmentIn(_In):
    id: str
    assessed_on: str
    outcome: str = Field(examples=["incompetent", "competent"])
    method: str | None = Field(default=None, examples=["absolute_standard", "ranking"])
    standard_id: str | None = None
    is_standard_known_in_advance: bool | None = None
    is_target_raised_for_individual: bool | None = None
    is_target_above_contract_or_peers: bool | None = None


class InterventionIn(_In):
    kind: str = Field(examples=["training", "reassignment"])
    started_on: str
    ended_on: str | None = None
    reason: str | None = Field(default=None, examples=["incompetence", "restructuring"])
    linked_assessment_id: str | None = None
    is_targeted: bool | None = None
    is_agreed_in_writing: bool | None = None
    reasonableness: dict[str, bool] | None = None


class ProtectedStatusIn(_In):
    """A flag, a date range and who confirmed it: no diagnosis (PIPL Art. 28)."""

    kind: str
    starts_on: str
    ends_on: str | None = None
    confirmed_by: str | None = None


class EligibilityParametersIn(_In):
    minimum_reassessment_window_days: int | None = None
    reasonableness_checks: str | None = None
    non_union_procedure: str | None = None
    layoff_share_minimum_cases: int | None = None


class EligibilityIn(_In):
    """A case's facts; CN by default. UK facts: start_date, notice_date, effective_date_of_termination …"""

    pack: str = "cn"
    hire_date: str | None = None
    notice_date: str | None = None
    termination_date: str | None = None
    assessments: list[AssessmentIn] | None = None
    interventions: list[InterventionIn] | None = None
    protected_statuses: list[ProtectedStatusIn] | None = None
    birth_date: str | None = None
    retirement_category: str | None = None
    contract_term_months: int | None = None
    probation_end_date: str | None = None
    had_earlier_probation: bool | None = None
    hiring_conditions_documented: bool | None = None
    has_union: bool | None = None
    union_notified_on: str | None = None
    union_objected: bool | None = None
    union_objection_answered_in_writing: bool | None = None
    rules_adopted_democratically: bool | None = None
    rules_published: bool | None = None
    notice_mode: str | None = None
    notice_served_personally: bool | None = None
    open_cases: int | None = None
    headcount: int | None = None
    is_headcount_reduction: bool | None = None
    layoff_review_cleared: bool | None = None
    parameters: EligibilityParametersIn | None = None
    start_date: str | None = None
    effective_date_of_termination: str | None = None
    evidence_of_poor_performance: bool | None = None
    support_given: bool | None = None
    improvement_period_given: bool | None = None
    alternative_role_considered: bool | None = None
    meeting_held: bool | None = None
    accompaniment_offered: bool | None = None
    appeal_offered: bool | None = None
    warning_given: bool | None = None
    automatically_unfair_risk: bool | None = None
    latest_review_improved: bool | None = None


class StepOut(Schema):
    rule_id: str
    formula: str
    values: dict[str, str]
    result: str
    text_zh: str
    text_en: str


class ParameterOut(Schema):
    name: str
    value: str
    default: str
    is_default: bool
    rule_id: str
    status: str


class ResultOut(Schema):
    name: str
    label_zh: str
    label_en: str
    amount: str | None
    amount_display: str | None
    currency: str
    date: str | None
    details: dict[str, str]
    steps: list[StepOut]
    parameters_used: list[ParameterOut]


class SeveranceOut(Schema):
    pack: str
    currency: str
    results: dict[str, ResultOut]


class FindingOut(Schema):
    code: str
    rule_ids: list[str]
    severity: str
    text_zh: str
    text_en: str
    needs_legal_review: bool


class RouteOut(Schema):
    route: str
    label_zh: str
    label_en: str
    rule_ids: list[str]
    is_allowed: bool
    blocking_reasons: list[FindingOut]
    warnings: list[FindingOut]
    todos: list[FindingOut]


class EligibilityOut(Schema):
    pack: str
    checked_on: str
    is_advisory: bool
    advisory_notice_zh: str
    advisory_notice_en: str
    allowed_routes: list[str]
    suggested_route: str | None
    needs_legal_review: bool
    routes: list[RouteOut]
    case_findings: list[FindingOut]
    parameters_used: list[ParameterOut]


class PackOut(Schema):
    code: str
    name: dict[str, str]
    currency: str
    rules: list[dict[str, Any]]
    grounds: list[dict[str, Any]]
    protected_categories: list[dict[str, Any]]
    procedure: list[dict[str, Any]]
    notice: dict[str, Any]
    money_formulas: list[dict[str, Any]]
    limitation: list[dict[str, Any]]
    retention: list[dict[str, Any]]
    data_protection: list[dict[str, Any]]
