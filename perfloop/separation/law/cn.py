"""The mainland-China rule pack: capability (不能胜任) termination under the Labour Contract Law.

Declares every rule of labour-law-cn.md (CN-G, CN-C, CN-R, CN-P42, CN-PR, CN-M, CN-E, CN-D)
with its source and evidence grade, the grounds and their preconditions, Art. 42 protected
categories, procedure, notice, money formulas, limitation, retention and PIPL hooks; and
reads plain input for :mod:`cn_eligibility` and :mod:`cn_severance`.

Two ids are the pack's own, for routes product.md §6 asks for and the spec does not number:
CN-PK-01 (negotiated mutual termination, LCL Art. 36 with Art. 46(2) severance) and CN-PK-02
(closing the case because the person improved).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from perfloop.core.money import ZERO
from perfloop.separation.law import parsing
from perfloop.separation.law.cn_eligibility import (
    REASONABLENESS_CHECKS,
    Assessment,
    AssessmentMethod,
    AssessmentOutcome,
    CaseFacts,
    EligibilityParameters,
    Intervention,
    InterventionKind,
    InterventionReason,
    NonUnionProcedure,
    NoticeMode,
    ProtectedKind,
    ProtectedStatus,
    check_eligibility,
)
from perfloop.separation.law.cn_privacy import validate_protected_status_record
from perfloop.separation.law.cn_severance import (
    CURRENCY,
    LocalWageReference,
    MonthlyWage,
    PartMonthCounting,
    Pre2008Rule,
    SeveranceInput,
    SeveranceParameters,
    exit_options,
    wage_window,
    wages_from_uniform,
)
from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.interface import (
    CalculationBundle,
    DataProtectionHook,
    EligibilityResult,
    EvidenceGrade,
    Ground,
    LimitationRule,
    MoneyFormula,
    NoticeRule,
    Precondition,
    ProcedureStep,
    ProtectedCategory,
    RetentionRule,
    Rule,
)
from perfloop.separation.law.messages import message
from perfloop.separation.law.retirement import RetirementCategory

OFFICIAL, S, C = EvidenceGrade.OFFICIAL, EvidenceGrade.SECONDARY, EvidenceGrade.COMMENTARY
DERIVED, UNVERIFIED = EvidenceGrade.DERIVED, EvidenceGrade.UNVERIFIED

# (rule id, source, grade, is_verified): the titles live in messages.py as ``rule.<id>``.
_RULE_SOURCES: tuple[tuple[str, str, EvidenceGrade, bool], ...] = (
    ("CN-G-01", "LCL Art. 40(2)", S, True),
    ("CN-G-02", "LCL Art. 40(2); Shandong HRSS Q&A", OFFICIAL, True),
    ("CN-G-03", "LCL Art. 40(3)", S, True),
    ("CN-G-04", "LCL Art. 19, 21", S, True),
    ("CN-G-05", "LCL Art. 39(1), 46", S, True),
    ("CN-G-06", "LCL Art. 39; GC18", S, True),
    ("CN-G-07", "LCL Art. 41", S, True),
    ("CN-C-01", "LL-Expl Art. 26", S, True),
    ("CN-C-02", "derived from LL-Expl Art. 26", DERIVED, True),
    ("CN-C-03", "GC18 key holding", OFFICIAL, True),
    ("CN-C-04", "GC18 reasoning", S, False),
    ("CN-C-05", "LCL Art. 4; SPC-I Art. 50", C, False),
    ("CN-C-06", "practice commentary", C, True),
    ("CN-R-01", "LCL Art. 35", C, True),
    ("CN-R-02", "Tianjin courts' guide Art. 19; Jiangxi; Beijing High Court 2017", C, True),
    ("CN-R-03", "Beijing case (Workers' Daily)", C, False),
    ("CN-P42-01", "LCL Art. 42", S, True),
    ("CN-P42-02", "NPCSC decision 2024-09-13; Civil Code Art. 1259", S, False),
    ("CN-P42-03", "LCL Art. 42 (timing: no source)", UNVERIFIED, False),
    ("CN-PR-01", "LCL Art. 40", S, True),
    ("CN-PR-02", "LCL Art. 43; SPC-I Art. 47", C, False),
    ("CN-PR-03", "LCL Art. 50", S, True),
    ("CN-PR-04", "Pay-Regs Art. 6, 9", OFFICIAL, True),
    ("CN-M-01", "LCL Art. 46(3)", S, True),
    ("CN-M-02", "LCL Art. 47 ¶1; LCL-Regs Art. 10", S, False),
    ("CN-M-03", "LCL Art. 47 ¶3; LCL-Regs Art. 27", OFFICIAL, False),
    ("CN-M-04", "LCL Art. 47 ¶2", C, True),
    ("CN-M-05", "LCL Art. 97 ¶3; 劳部发〔1994〕481号", S, False),
    ("CN-M-06", "LCL-Regs Art. 20", S, True),
    ("CN-M-07", "LCL Art. 40, 46, 47", S, True),
    ("CN-M-08", "LCL Art. 48, 87; LCL-Regs Art. 25", S, False),
    ("CN-M-09", "no statutory rounding rule found", UNVERIFIED, False),
    ("CN-E-01", "SPC-I Art. 44; LDMAL Art. 6, 39", C, True),
    ("CN-E-02", "LDMAL Art. 27", S, True),
    ("CN-E-03", "derived: LCL Art. 50, Pay-Regs Art. 6, LDMAL Art. 27", DERIVED, True),
    ("CN-D-01", "PIPL Art. 13(1)(2)", S, True),
    ("CN-D-02", "PIPL Art. 19, 47", S, True),
    ("CN-D-03", "PIPL Art. 28, 29", S, False),
    ("CN-D-04", "PIPL Art. 24", S, True),
    ("CN-D-05", "PIPL Art. 55, 56", S, True),
    ("CN-D-06", "PIPL Art. 44, 45, 50", S, True),
    ("CN-D-07", "PIPL Art. 56; Cybersecurity Law (article unverified)", C, False),
    ("CN-PK-01", "LCL Art. 36, 46(2); product.md §6", DERIVED, True),
    ("CN-PK-02", "product.md §6", DERIVED, True),
)

SPEC_RULE_PREFIXES = ("CN-G-", "CN-C-", "CN-R-", "CN-P42-", "CN-PR-", "CN-M-", "CN-E-", "CN-D-")


def _rules() -> dict[str, Rule]:
    return {
        rule_id: Rule(
            rule_id=rule_id,
            title=message(f"rule.{rule_id}"),
            source=source,
            grade=grade,
            is_verified=is_verified,
        )
        for rule_id, source, grade, is_verified in _RULE_SOURCES
    }


def _pre(code: str, rule_id: str) -> Precondition:
    return Precondition(code=code, rule_id=rule_id, text=message(f"precondition.{code}"))


class ChinaPack:
    """Mainland China (Labour Contract Law): the default pack."""

    code = "cn"
    currency = CURRENCY

    def __init__(self) -> None:
        self.name = message("pack.cn")
        self.rules = _rules()
        self.grounds = (
            Ground(
                code="lcl_40_2",
                citation="LCL Art. 40(2)",
                label=message("route.lcl_40_2"),
                rule_ids=("CN-G-01", "CN-G-02", "CN-M-01"),
                preconditions=(
                    _pre("incompetent_against_standard", "CN-C-01"),
                    _pre("training_or_reassignment", "CN-G-02"),
                    _pre("still_incompetent", "CN-G-01"),
                    _pre("notice_or_pay", "CN-PR-01"),
                    _pre("not_protected", "CN-P42-01"),
                    _pre("union_notified", "CN-PR-02"),
                ),
                requires_notice=True,
                pays_severance=True,
            ),
            Ground(
                code="lcl_36_mutual",
                citation="LCL Art. 36",
                label=message("route.lcl_36_mutual"),
                rule_ids=("CN-PK-01",),
                preconditions=(_pre("genuine_agreement", "CN-PK-01"),),
                requires_notice=False,
                pays_severance=True,
            ),
            Ground(
                code="lcl_39_1_probation",
                citation="LCL Art. 39(1)",
                label=message("route.lcl_39_1_probation"),
                rule_ids=("CN-G-04", "CN-G-05"),
                preconditions=(_pre("inside_probation", "CN-G-05"), _pre("reason_explained", "CN-G-04")),
                requires_notice=False,
                pays_severance=False,
            ),
            Ground(
                code="lcl_40_3",
                citation="LCL Art. 40(3)",
                label=message("route.lcl_40_3"),
                rule_ids=("CN-G-03",),
                preconditions=(),
                requires_notice=True,
                pays_severance=True,
                is_offered_for_performance=False,
            ),
            Ground(
                code="lcl_39_fault",
                citation="LCL Art. 39(2)-(6)",
                label=message("route.lcl_39_fault"),
                rule_ids=("CN-G-06",),
                preconditions=(),
                requires_notice=False,
                pays_severance=False,
                is_offered_for_performance=False,
            ),
            Ground(
                code="lcl_41_review",
                citation="LCL Art. 41",
                label=message("route.lcl_41_review"),
                rule_ids=("CN-G-07",),
                preconditions=(_pre("layoff_procedure", "CN-G-07"),),
                requires_notice=True,
                pays_severance=True,
                is_offered_for_performance=False,
            ),
        )
        self.protected_categories = tuple(
            ProtectedCategory(
                code=kind.value,
                rule_id="CN-P42-02" if kind is ProtectedKind.LONG_SERVICE_NEAR_RETIREMENT else "CN-P42-01",
                text=message(f"protected.{kind.value}"),
                bars_grounds=("lcl_40_2", "lcl_40_3", "lcl_41_review"),
            )
            for kind in ProtectedKind
        )
        self.procedure = (
            ProcedureStep("rules_procedure", "CN-C-05", 1, message("procedure.rules_procedure")),
            ProcedureStep(
                "training_or_reassignment", "CN-G-02", 2, message("procedure.training_or_reassignment")
            ),
            ProcedureStep(
                "reassessment_window",
                "CN-R-03",
                3,
                message("procedure.reassessment_window"),
                deadline_days=30,
                is_configurable=True,
            ),
            ProcedureStep(
                "union_notice", "CN-PR-02", 4, message("procedure.union_notice"), is_configurable=True
            ),
            ProcedureStep(
                "written_notice", "CN-PR-01", 5, message("procedure.written_notice"), deadline_days=30
            ),
            ProcedureStep(
                "termination_formalities",
                "CN-PR-03",
                6,
                message("procedure.termination_formalities"),
                deadline_days=15,
            ),
            ProcedureStep("final_wages", "CN-PR-04", 7, message("procedure.final_wages")),
        )
        self.notice = NoticeRule(
            rule_id="CN-PR-01", text=message("notice.cn"), notice_days=30, pay_in_lieu_allowed=True
        )
        self.money_formulas = (
            MoneyFormula(
                "service_multiplier", "CN-M-02", "N = full years + (1 | 0.5 | 0)", message("formula.n")
            ),
            MoneyFormula(
                "wage_base", "CN-M-03", "W = max(avg 12 months, minimum wage)", message("formula.w")
            ),
            MoneyFormula("cap", "CN-M-04", "W > 3A ⇒ base 3A, N ≤ 12", message("formula.cap")),
            MoneyFormula("pre_2008", "CN-M-05", "S₁ (old rules) + S₂ (LCL)", message("formula.pre_2008")),
            MoneyFormula("pay_in_lieu", "CN-M-06", "P = previous month's wage", message("formula.p")),
            MoneyFormula("lawful_total", "CN-M-07", "S + P", message("formula.total")),
            MoneyFormula("unlawful_damages", "CN-M-08", "D = 2 × S (from 用工之日)", message("formula.d")),
            MoneyFormula("negotiated", "CN-PK-01", "N + x", message("formula.negotiated")),
        )
        self.limitation = (LimitationRule("CN-E-02", message("limitation.cn"), months=12),)
        self.retention = (
            RetentionRule("evidence_pack", "CN-E-03", 2, message("retention.evidence_pack")),
            RetentionRule("contract_text", "CN-PR-03", 2, message("retention.contract_text")),
            RetentionRule("wage_records", "CN-PR-04", 2, message("retention.wage_records")),
            RetentionRule("impact_assessment", "CN-D-05", 3, message("retention.impact_assessment")),
            RetentionRule("processing_records", "CN-D-07", 3, message("retention.processing_records")),
            RetentionRule("personal_data_after_purpose", "CN-D-02", None, message("retention.after_purpose")),
        )
        self.data_protection = tuple(
            DataProtectionHook(code, rule_id, message(f"privacy.{code}"))
            for code, rule_id in (
                ("hr_processing_basis", "CN-D-01"),
                ("retention_then_delete", "CN-D-02"),
                ("sensitive_as_flags", "CN-D-03"),
                ("human_decides", "CN-D-04"),
                ("impact_assessment", "CN-D-05"),
                ("rights_requests", "CN-D-06"),
                ("access_logs", "CN-D-07"),
            )
        )

    # ------------------------------------------------------------------ entry points

    def check_eligibility(self, facts: Mapping[str, Any]) -> EligibilityResult:
        case, parameters = eligibility_from_mapping(facts)
        return check_eligibility(case, parameters)

    def calculate(self, inputs: Mapping[str, Any]) -> CalculationBundle:
        return exit_options(severance_input_from_mapping(inputs))


# ---------------------------------------------------------------------------- input readers

_SEVERANCE_FIELDS = (
    "pack",
    "hire_date",
    "termination_date",
    "notice_date",
    "notice_given",
    "wages",
    "monthly_wage",
    "previous_month_wage",
    "merged_service_start",
    "negotiated_extra_months",
    "negotiated_extra_amount",
    "reference",
    "city",
    "average_wage_year",
    "parameters",
)
_REFERENCE_FIELDS = (
    "city",
    "average_wage_year",
    "year",
    "average_monthly_wage",
    "minimum_monthly_wage",
    "minimum_wage_effective_from",
    "overtime_in_wage_base",
    "pre_2008_rule",
    "source_note",
    "is_verified",
)
_SEVERANCE_PARAMETERS = (
    "part_month_counting",
    "include_overtime",
    "pre_2008_rule",
    "round_wage_base_to_fen",
    "pay_in_lieu_with_damages",
)


def reference_from_mapping(data: Mapping[str, Any]) -> LocalWageReference:
    """Published local figures given as plain data (the selector or the caller fills them)."""
    parsing.check_fields(data, _REFERENCE_FIELDS, where="reference")
    year_key = "average_wage_year" if data.get("average_wage_year") is not None else "year"
    return LocalWageReference(
        city=parsing.text(data, "city") or "—",
        average_wage_year=parsing.integer(data, year_key),
        average_monthly_wage=parsing.decimal(data, "average_monthly_wage"),
        minimum_monthly_wage=parsing.decimal(data, "minimum_monthly_wage"),
        minimum_wage_effective_from=parsing.optional_date(data, "minimum_wage_effective_from"),
        overtime_in_wage_base=parsing.optional_boolean(data, "overtime_in_wage_base"),
        pre_2008_rule=parsing.text(data, "pre_2008_rule") or None,
        source_note=parsing.text(data, "source_note"),
        is_verified=parsing.boolean(data, "is_verified", default=False),
    )


def severance_parameters_from_mapping(data: Mapping[str, Any]) -> SeveranceParameters:
    parsing.check_fields(data, _SEVERANCE_PARAMETERS, where="parameters")
    return SeveranceParameters(
        part_month_counting=parsing.choice(
            data, "part_month_counting", PartMonthCounting, SeveranceParameters().part_month_counting
        ),
        include_overtime=parsing.optional_boolean(data, "include_overtime"),
        pre_2008_rule=parsing.optional_choice(data, "pre_2008_rule", Pre2008Rule),
        round_wage_base_to_fen=parsing.boolean(data, "round_wage_base_to_fen", default=False),
        pay_in_lieu_with_damages=parsing.boolean(data, "pay_in_lieu_with_damages", default=False),
    )


def severance_input_from_mapping(data: Mapping[str, Any]) -> SeveranceInput:
    """Plain input (CLI, API, form) → :class:`SeveranceInput`; ``reference`` must already be filled."""
    parsing.check_fields(data, _SEVERANCE_FIELDS, where="severance")
    hire_date = parsing.date(data, "hire_date")
    termination_date = parsing.date(data, "termination_date")
    if termination_date < hire_date:
        raise LawInputError("termination_before_hire", hire_date=hire_date, termination_date=termination_date)
    reference_data = parsing.mapping(data, "reference")
    if not reference_data:
        raise LawInputError("missing_field", field="reference")
    wages: tuple[MonthlyWage, ...]
    if data.get("wages"):
        rows = parsing.items(data, "wages")
        for row in rows:
            parsing.check_fields(row, ("month", "amount", "overtime"), where="wages")
        wages = tuple(
            MonthlyWage(
                month=parsing.month(row, "month"),
                amount=parsing.decimal(row, "amount"),
                overtime=parsing.decimal(row, "overtime", default=ZERO),
            )
            for row in rows
        )
    elif data.get("monthly_wage") not in (None, ""):
        amount = parsing.decimal(data, "monthly_wage")
        if amount < 0:
            raise LawInputError("negative_wage", month="all", amount=amount)
        wages = wages_from_uniform(wage_window(hire_date, termination_date), amount)
        if data.get("previous_month_wage") in (None, ""):
            data = {**data, "previous_month_wage": str(amount)}
    else:
        raise LawInputError("missing_field", field="wages")
    return SeveranceInput(
        hire_date=hire_date,
        termination_date=termination_date,
        wages=wages,
        reference=reference_from_mapping(reference_data),
        notice_given=parsing.boolean(data, "notice_given", default=True),
        notice_date=parsing.optional_date(data, "notice_date"),
        previous_month_wage=parsing.optional_decimal(data, "previous_month_wage"),
        merged_service_start=parsing.optional_date(data, "merged_service_start"),
        negotiated_extra_months=parsing.decimal(data, "negotiated_extra_months", default=ZERO),
        negotiated_extra_amount=parsing.decimal(data, "negotiated_extra_amount", default=ZERO),
        parameters=severance_parameters_from_mapping(parsing.mapping(data, "parameters")),
    )


_CASE_FIELDS = (
    "pack",
    "hire_date",
    "notice_date",
    "termination_date",
    "assessments",
    "interventions",
    "protected_statuses",
    "birth_date",
    "retirement_category",
    "contract_term_months",
    "probation_end_date",
    "had_earlier_probation",
    "hiring_conditions_documented",
    "has_union",
    "union_notified_on",
    "union_objected",
    "union_objection_answered_in_writing",
    "rules_adopted_democratically",
    "rules_published",
    "notice_mode",
    "notice_served_personally",
    "open_cases",
    "headcount",
    "is_headcount_reduction",
    "layoff_review_cleared",
    "parameters",
)
_ASSESSMENT_FIELDS = (
    "id",
    "assessed_on",
    "outcome",
    "method",
    "standard_id",
    "is_standard_known_in_advance",
    "is_target_raised_for_individual",
    "is_target_above_contract_or_peers",
)
_INTERVENTION_FIELDS = (
    "kind",
    "started_on",
    "ended_on",
    "reason",
    "linked_assessment_id",
    "is_targeted",
    "is_agreed_in_writing",
    "reasonableness",
)
_ELIGIBILITY_PARAMETERS = (
    "minimum_reassessment_window_days",
    "reasonableness_checks",
    "non_union_procedure",
    "layoff_share_minimum_cases",
)


def _assessment(row: Mapping[str, Any]) -> Assessment:
    parsing.check_fields(row, _ASSESSMENT_FIELDS, where="assessments")
    return Assessment(
        assessment_id=parsing.text(row, "id") or parsing.text(row, "assessed_on"),
        assessed_on=parsing.date(row, "assessed_on"),
        outcome=parsing.parse_choice(row.get("outcome"), "outcome", AssessmentOutcome),
        method=parsing.choice(row, "method", AssessmentMethod, AssessmentMethod.ABSOLUTE_STANDARD),
        standard_id=parsing.text(row, "standard_id"),
        is_standard_known_in_advance=parsing.optional_boolean(row, "is_standard_known_in_advance"),
        is_target_raised_for_individual=parsing.boolean(
            row, "is_target_raised_for_individual", default=False
        ),
        is_target_above_contract_or_peers=parsing.optional_boolean(row, "is_target_above_contract_or_peers"),
    )


def _intervention(row: Mapping[str, Any]) -> Intervention:
    parsing.check_fields(row, _INTERVENTION_FIELDS, where="interventions")
    checks = parsing.mapping(row, "reasonableness")
    known = {name for names in REASONABLENESS_CHECKS.values() for name in names}
    parsing.check_fields(checks, known, where="reasonableness")
    return Intervention(
        kind=parsing.parse_choice(row.get("kind"), "kind", InterventionKind),
        started_on=parsing.date(row, "started_on"),
        ended_on=parsing.optional_date(row, "ended_on"),
        reason=parsing.choice(row, "reason", InterventionReason, InterventionReason.INCOMPETENCE),
        linked_assessment_id=parsing.text(row, "linked_assessment_id") or None,
        is_targeted=parsing.optional_boolean(row, "is_targeted"),
        is_agreed_in_writing=parsing.boolean(row, "is_agreed_in_writing", default=False),
        reasonableness={
            name: value for name in checks if (value := parsing.optional_boolean(checks, name)) is not None
        },
    )


def _protected(row: Mapping[str, Any]) -> ProtectedStatus:
    validate_protected_status_record(row)
    return ProtectedStatus(
        kind=parsing.parse_choice(row.get("kind"), "kind", ProtectedKind),
        starts_on=parsing.date(row, "starts_on"),
        ends_on=parsing.optional_date(row, "ends_on"),
        confirmed_by=parsing.text(row, "confirmed_by"),
    )


def eligibility_from_mapping(data: Mapping[str, Any]) -> tuple[CaseFacts, EligibilityParameters]:
    """Plain case facts (CLI, API, form) → :class:`CaseFacts` and the parameters."""
    parsing.check_fields(data, _CASE_FIELDS, where="eligibility")
    params = parsing.mapping(data, "parameters")
    parsing.check_fields(params, _ELIGIBILITY_PARAMETERS, where="parameters")
    defaults = EligibilityParameters()
    parameters = EligibilityParameters(
        minimum_reassessment_window_days=parsing.integer(
            params, "minimum_reassessment_window_days", default=defaults.minimum_reassessment_window_days
        ),
        reasonableness_checks=parsing.text(params, "reasonableness_checks") or defaults.reasonableness_checks,
        non_union_procedure=parsing.choice(
            params, "non_union_procedure", NonUnionProcedure, defaults.non_union_procedure
        ),
        layoff_share_minimum_cases=parsing.integer(
            params, "layoff_share_minimum_cases", default=defaults.layoff_share_minimum_cases
        ),
    )
    notice_date = parsing.date(data, "notice_date")
    facts = CaseFacts(
        hire_date=parsing.date(data, "hire_date"),
        notice_date=notice_date,
        termination_date=parsing.optional_date(data, "termination_date") or notice_date,
        assessments=tuple(_assessment(row) for row in parsing.items(data, "assessments")),
        interventions=tuple(_intervention(row) for row in parsing.items(data, "interventions")),
        protected_statuses=tuple(_protected(row) for row in parsing.items(data, "protected_statuses")),
        birth_date=parsing.optional_date(data, "birth_date"),
        retirement_category=parsing.optional_choice(data, "retirement_category", RetirementCategory),
        contract_term_months=parsing.optional_integer(data, "contract_term_months"),
        probation_end_date=parsing.optional_date(data, "probation_end_date"),
        had_earlier_probation=parsing.boolean(data, "had_earlier_probation", default=False),
        hiring_conditions_documented=parsing.optional_boolean(data, "hiring_conditions_documented"),
        has_union=parsing.optional_boolean(data, "has_union"),
        union_notified_on=parsing.optional_date(data, "union_notified_on"),
        union_objected=parsing.boolean(data, "union_objected", default=False),
        union_objection_answered_in_writing=parsing.optional_boolean(
            data, "union_objection_answered_in_writing"
        ),
        rules_adopted_democratically=parsing.optional_boolean(data, "rules_adopted_democratically"),
        rules_published=parsing.optional_boolean(data, "rules_published"),
        notice_mode=parsing.choice(data, "notice_mode", NoticeMode, NoticeMode.WRITTEN_NOTICE),
        notice_served_personally=parsing.optional_boolean(data, "notice_served_personally"),
        open_cases=parsing.integer(data, "open_cases", default=1),
        headcount=parsing.optional_integer(data, "headcount"),
        is_headcount_reduction=parsing.boolean(data, "is_headcount_reduction", default=False),
        layoff_review_cleared=parsing.boolean(data, "layoff_review_cleared", default=False),
    )
    return facts, parameters


CHINA = ChinaPack()
