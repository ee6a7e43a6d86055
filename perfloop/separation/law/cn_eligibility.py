"""Which exits a mainland-China performance case may take, and why not the others.

From a case's facts (assessments, training or reassignment, re-assessment, protected
statuses at notice and at termination, union, probation, how many cases are open) this
returns each route with its blocking reasons, warnings and steps still to do, each tied
to rule ids of labour-law-cn.md. The result is advice: a named person decides
(PIPL Art. 24, CN-D-04), and the employer bears the burden of proof (CN-E-01).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.interface import (
    EligibilityResult,
    Finding,
    RouteAssessment,
    Severity,
    finding,
)
from perfloop.separation.law.messages import message
from perfloop.separation.law.periods import add_months, add_years, validate_dates
from perfloop.separation.law.retirement import RetirementAgeRule, RetirementCategory, retirement_age
from perfloop.separation.law.working import ParameterStatus, Working

BLOCK, WARN, TODO = Severity.BLOCK, Severity.WARN, Severity.TODO

ROUTE_INCOMPETENCE = "lcl_40_2"
ROUTE_MUTUAL = "lcl_36_mutual"
ROUTE_PROBATION = "lcl_39_1_probation"
ROUTE_CLOSE = "close_improved"
ROUTE_LAYOFF_REVIEW = "lcl_41_review"

PROTECTED_SERVICE_YEARS = 15
YEARS_BEFORE_RETIREMENT = 5
TERMINATION_FORMALITIES_DAYS = 15
CONTRACT_RETENTION_YEARS = 2


class AssessmentOutcome(StrEnum):
    INCOMPETENT = "incompetent"
    COMPETENT = "competent"


class AssessmentMethod(StrEnum):
    ABSOLUTE_STANDARD = "absolute_standard"  # measured against the agreed task or the post's workload
    RANKING = "ranking"  # a place in a ranking or forced distribution (末位)


class InterventionKind(StrEnum):
    TRAINING = "training"
    REASSIGNMENT = "reassignment"


class InterventionReason(StrEnum):
    INCOMPETENCE = "incompetence"
    RESTRUCTURING = "restructuring"
    OTHER = "other"


class ProtectedKind(StrEnum):
    """LCL Art. 42 items 1–6 (CN-P42-01)."""

    OCCUPATIONAL_DISEASE_EXPOSURE = "occupational_disease_exposure"
    WORK_INJURY_CAPACITY_LOSS = "work_injury_capacity_loss"
    MEDICAL_TREATMENT_PERIOD = "medical_treatment_period"
    PREGNANCY_MATERNITY_NURSING = "pregnancy_maternity_nursing"
    LONG_SERVICE_NEAR_RETIREMENT = "long_service_near_retirement"
    OTHER_STATUTORY = "other_statutory"


class NoticeMode(StrEnum):
    WRITTEN_NOTICE = "written_notice"
    PAY_IN_LIEU = "pay_in_lieu"


class NonUnionProcedure(StrEnum):
    """What an employer without a union does instead of the Art. 43 notice (CN-PR-02, unverified)."""

    EMPLOYEE_REPRESENTATIVES = "employee_representatives"
    LOCAL_UNION_FEDERATION = "local_union_federation"
    NONE = "none"


REASONABLENESS_CHECKS: dict[str, tuple[str, ...]] = {
    # Tianjin courts' guide Art. 19; pay at a similar level is not required for Art. 40(1)/(2) adjustments.
    "tianjin": (
        "consistent_with_contract_or_rules",
        "business_need",
        "not_discriminatory_or_humiliating",
        "otherwise_lawful",
    ),
    "jiangxi": (
        "consistent_with_contract_or_rules",
        "business_need",
        "not_discriminatory_or_humiliating",
        "otherwise_lawful",
    ),
    "beijing": (
        "business_need",
        "legitimate_purpose",
        "employee_can_do_post",
        "no_adverse_change_to_pay_or_conditions",
    ),
}


@dataclass(frozen=True, slots=True)
class Assessment:
    assessment_id: str
    assessed_on: dt.date
    outcome: AssessmentOutcome
    method: AssessmentMethod = AssessmentMethod.ABSOLUTE_STANDARD
    standard_id: str = ""
    is_standard_known_in_advance: bool | None = None
    is_target_raised_for_individual: bool = False
    is_target_above_contract_or_peers: bool | None = None


@dataclass(frozen=True, slots=True)
class Intervention:
    kind: InterventionKind
    started_on: dt.date
    ended_on: dt.date | None = None
    reason: InterventionReason = InterventionReason.INCOMPETENCE
    linked_assessment_id: str | None = None
    is_targeted: bool | None = None
    is_agreed_in_writing: bool = False
    reasonableness: Mapping[str, bool] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProtectedStatus:
    """Only a flag, a date range and who confirmed it: never a diagnosis (PIPL Art. 28, CN-D-03)."""

    kind: ProtectedKind
    starts_on: dt.date
    ends_on: dt.date | None = None
    confirmed_by: str = ""

    def is_active(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


@dataclass(frozen=True, slots=True)
class CaseFacts:
    hire_date: dt.date
    notice_date: dt.date
    termination_date: dt.date
    assessments: tuple[Assessment, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    protected_statuses: tuple[ProtectedStatus, ...] = ()
    birth_date: dt.date | None = None
    retirement_category: RetirementCategory | None = None
    contract_term_months: int | None = None  # None: open-ended contract
    probation_end_date: dt.date | None = None
    had_earlier_probation: bool = False
    hiring_conditions_documented: bool | None = None
    has_union: bool | None = None
    union_notified_on: dt.date | None = None
    union_objected: bool = False
    union_objection_answered_in_writing: bool | None = None
    rules_adopted_democratically: bool | None = None
    rules_published: bool | None = None
    notice_mode: NoticeMode = NoticeMode.WRITTEN_NOTICE
    notice_served_personally: bool | None = None
    open_cases: int = 1
    headcount: int | None = None
    is_headcount_reduction: bool = False
    layoff_review_cleared: bool = False


@dataclass(frozen=True, slots=True)
class EligibilityParameters:
    minimum_reassessment_window_days: int = 30
    reasonableness_checks: str = "tianjin"
    non_union_procedure: NonUnionProcedure = NonUnionProcedure.EMPLOYEE_REPRESENTATIVES
    layoff_people_threshold: int = 20
    layoff_share_threshold: Decimal = Decimal("0.10")
    layoff_share_minimum_cases: int = 3
    notice_days: int = 30


DEFAULTS = EligibilityParameters()


# ---------------------------------------------------------------------------- validation


def validate_facts(facts: CaseFacts, parameters: EligibilityParameters) -> None:
    validate_dates(
        hire_date=facts.hire_date,
        notice_date=facts.notice_date,
        termination_date=facts.termination_date,
        birth_date=facts.birth_date,
    )
    if facts.termination_date < facts.hire_date:
        raise LawInputError(
            "termination_before_hire", hire_date=facts.hire_date, termination_date=facts.termination_date
        )
    if facts.notice_date > facts.termination_date:
        raise LawInputError(
            "notice_after_termination", notice_date=facts.notice_date, termination_date=facts.termination_date
        )
    if facts.notice_date < facts.hire_date:
        raise LawInputError("notice_before_hire", notice_date=facts.notice_date, hire_date=facts.hire_date)
    if facts.birth_date is not None and facts.birth_date >= facts.hire_date:
        raise LawInputError("birth_after_hire", birth_date=facts.birth_date, hire_date=facts.hire_date)
    ids = [item.assessment_id for item in facts.assessments]
    if len(ids) != len(set(ids)):
        raise LawInputError("duplicate_assessment_id", ids=sorted(ids))
    for assessment in facts.assessments:
        if assessment.assessed_on < facts.hire_date:
            raise LawInputError("assessment_before_hire", assessment_id=assessment.assessment_id)
    for intervention in facts.interventions:
        if intervention.ended_on is not None and intervention.ended_on < intervention.started_on:
            raise LawInputError("dates_reversed", start=intervention.started_on, end=intervention.ended_on)
        if intervention.linked_assessment_id is not None and intervention.linked_assessment_id not in ids:
            raise LawInputError("unknown_assessment", assessment_id=intervention.linked_assessment_id)
    for status in facts.protected_statuses:
        if status.ends_on is not None and status.ends_on < status.starts_on:
            raise LawInputError("dates_reversed", start=status.starts_on, end=status.ends_on)
    if facts.open_cases < 0 or (facts.headcount is not None and facts.headcount <= 0):
        raise LawInputError("invalid_parameter", name="headcount", value=facts.headcount)
    if parameters.reasonableness_checks not in REASONABLENESS_CHECKS:
        raise LawInputError(
            "invalid_parameter", name="reasonableness_checks", value=parameters.reasonableness_checks
        )
    if parameters.minimum_reassessment_window_days < 0:
        raise LawInputError(
            "invalid_parameter",
            name="minimum_reassessment_window_days",
            value=parameters.minimum_reassessment_window_days,
        )


# ---------------------------------------------------------------------------- protected status (CN-P42)


def near_retirement_protection(
    facts: CaseFacts,
    day: dt.date,
    rules: Mapping[RetirementCategory, RetirementAgeRule] | None,
) -> bool | None:
    """Art. 42(5) on ``day``: ≥ 15 years' continuous service and strictly less than 5 years to retirement.

    ``None`` when the birth date or retirement category is unknown.
    """
    if facts.birth_date is None or facts.retirement_category is None:
        return None
    has_long_service = add_years(facts.hire_date, PROTECTED_SERVICE_YEARS) <= day
    retirement = retirement_age(facts.birth_date, facts.retirement_category, rules).retirement_date
    five_years_before = add_years(retirement, -YEARS_BEFORE_RETIREMENT)
    return has_long_service and five_years_before < day < retirement


def protection_findings(
    facts: CaseFacts,
    rules: Mapping[RetirementCategory, RetirementAgeRule] | None,
) -> list[Finding]:
    """Blocks for Art. 40/41 while an Art. 42 status holds at notice or at termination (CN-P42-01, -03)."""
    findings: list[Finding] = []
    for status in facts.protected_statuses:
        kind = message(f"protected.{status.kind.value}")
        at_notice = status.is_active(facts.notice_date)
        at_termination = status.is_active(facts.termination_date)
        arose_during_notice = facts.notice_date < status.starts_on <= facts.termination_date
        if at_notice:
            findings.append(finding("protected_at_notice", BLOCK, "CN-P42-01", "CN-P42-03", kind=kind))
        if at_termination:
            findings.append(finding("protected_at_termination", BLOCK, "CN-P42-01", "CN-P42-03", kind=kind))
        if arose_during_notice:
            findings.append(
                finding(
                    "protected_arose_during_notice", BLOCK, "CN-P42-03", needs_legal_review=True, kind=kind
                )
            )
        if not status.confirmed_by:
            findings.append(finding("protected_status_unconfirmed", TODO, "CN-D-03", kind=kind))
    at_notice_5 = near_retirement_protection(facts, facts.notice_date, rules)
    at_termination_5 = near_retirement_protection(facts, facts.termination_date, rules)
    if at_notice_5 is None:
        findings.append(finding("confirm_retirement_protection", TODO, "CN-P42-01", "CN-P42-02"))
        return findings
    if facts.birth_date is None or facts.retirement_category is None:  # narrowed for the type checker
        return findings
    retirement = retirement_age(facts.birth_date, facts.retirement_category, rules)
    params: dict[str, Any] = {
        "retirement_date": retirement.retirement_date.isoformat(),
        "age": f"{retirement.years}y{retirement.months}m",
    }
    if at_notice_5:
        findings.append(finding("near_retirement_at_notice", BLOCK, "CN-P42-01", "CN-P42-02", **params))
    if at_termination_5:
        findings.append(finding("near_retirement_at_termination", BLOCK, "CN-P42-01", "CN-P42-02", **params))
        if not at_notice_5:
            findings.append(
                finding(
                    "protected_arose_during_notice",
                    BLOCK,
                    "CN-P42-03",
                    needs_legal_review=True,
                    kind=message("protected.long_service_near_retirement"),
                )
            )
    if facts.termination_date >= retirement.retirement_date:
        findings.append(finding("reaches_retirement_age", WARN, "CN-P42-02", **params))
    return findings


# ------------------------------------------------------------------ incompetence chain (CN-G, CN-C, CN-R)


@dataclass
class _Chain:
    """One failed assessment → intervention → re-assessment, and what is wrong with it."""

    failed: Assessment
    intervention: Intervention
    findings: list[Finding]
    reassessment: Assessment | None = None

    @property
    def is_sound(self) -> bool:
        return not any(item.severity is BLOCK for item in self.findings)

    @property
    def progress(self) -> int:
        return 1 + (self.reassessment is not None)


def _intervention_problems(
    intervention: Intervention, failed: Assessment, parameters: EligibilityParameters
) -> tuple[list[Finding], list[Finding]]:
    """(reasons it does not count, remarks that do not disqualify it) for an intervention after ``failed``."""
    kind = message(f"intervention.{intervention.kind.value}")
    problems: list[Finding] = []
    remarks: list[Finding] = []
    if intervention.reason is not InterventionReason.INCOMPETENCE:
        problems.append(
            finding(
                "intervention_not_for_incompetence",
                WARN,
                "CN-C-04",
                kind=kind,
                reason=intervention.reason.value,
            )
        )
    if intervention.linked_assessment_id != failed.assessment_id:
        problems.append(finding("intervention_not_linked", WARN, "CN-C-04", kind=kind))
    if intervention.started_on < failed.assessed_on:
        problems.append(finding("intervention_before_assessment", WARN, "CN-G-01", kind=kind))
    if intervention.kind is InterventionKind.REASSIGNMENT and not intervention.is_agreed_in_writing:
        checks = REASONABLENESS_CHECKS[parameters.reasonableness_checks]
        failed_checks = [name for name in checks if intervention.reasonableness.get(name) is False]
        unknown_checks = [name for name in checks if name not in intervention.reasonableness]
        if failed_checks:
            problems.append(
                finding(
                    "reassignment_unreasonable",
                    WARN,
                    "CN-R-01",
                    "CN-R-02",
                    checks=failed_checks,
                    region=parameters.reasonableness_checks,
                )
            )
        elif unknown_checks:
            remarks.append(
                finding(
                    "confirm_reassignment_reasonableness",
                    TODO,
                    "CN-R-02",
                    checks=unknown_checks,
                    region=parameters.reasonableness_checks,
                )
            )
    if intervention.kind is InterventionKind.TRAINING and intervention.is_targeted is False:
        remarks.append(finding("training_not_targeted", WARN, "CN-R-03"))
    return problems, remarks


def _assessment_remarks(assessment: Assessment) -> list[Finding]:
    remarks: list[Finding] = []
    if assessment.is_target_raised_for_individual:
        remarks.append(
            finding(
                "possible_deliberate_raise", WARN, "CN-C-01", "CN-C-02", assessment=assessment.assessment_id
            )
        )
    if assessment.is_target_above_contract_or_peers:
        remarks.append(
            finding(
                "target_above_contract_or_peers",
                WARN,
                "CN-C-01",
                "CN-C-02",
                assessment=assessment.assessment_id,
            )
        )
    if assessment.is_standard_known_in_advance is False:
        remarks.append(
            finding("standard_not_known_in_advance", WARN, "CN-C-06", assessment=assessment.assessment_id)
        )
    return remarks


def _evaluate_chain(
    facts: CaseFacts, failed: Assessment, intervention: Intervention, parameters: EligibilityParameters
) -> _Chain:
    findings: list[Finding] = []
    later = sorted(
        (
            item
            for item in facts.assessments
            if intervention.started_on < item.assessed_on <= facts.notice_date
        ),
        key=lambda item: item.assessed_on,
    )
    chain = _Chain(failed=failed, intervention=intervention, findings=findings)
    if not later:
        findings.append(finding("no_reassessment", BLOCK, "CN-G-01", "CN-E-01"))
        return chain
    reassessment = later[0]
    chain.reassessment = reassessment
    if reassessment.outcome is AssessmentOutcome.COMPETENT:
        findings.append(
            finding("improved_after_intervention", BLOCK, "CN-G-01", assessment=reassessment.assessment_id)
        )
        return chain
    window = (reassessment.assessed_on - intervention.started_on).days
    if window < parameters.minimum_reassessment_window_days:
        findings.append(
            finding(
                "reassessment_too_soon",
                BLOCK,
                "CN-R-03",
                days=window,
                minimum=parameters.minimum_reassessment_window_days,
            )
        )
    if reassessment.method is AssessmentMethod.RANKING:
        findings.append(
            finding(
                "ranking_only_evidence", BLOCK, "CN-C-03", "CN-C-04", assessment=reassessment.assessment_id
            )
        )
    if reassessment.standard_id != failed.standard_id:
        findings.append(
            finding(
                "reassessment_standard_differs",
                WARN,
                "CN-C-06",
                first=failed.standard_id or "—",
                second=reassessment.standard_id or "—",
            )
        )
    findings.extend(_assessment_remarks(reassessment))
    return chain


def incompetence_findings(facts: CaseFacts, parameters: EligibilityParameters) -> list[Finding]:
    """CN-G-01 (a)–(c): a failed assessment, training or reassignment for it, a failed re-assessment."""
    before_notice = [item for item in facts.assessments if item.assessed_on <= facts.notice_date]
    failed = sorted(
        (item for item in before_notice if item.outcome is AssessmentOutcome.INCOMPETENT),
        key=lambda item: item.assessed_on,
    )
    findings: list[Finding] = []
    if any(item.method is AssessmentMethod.RANKING for item in before_notice):
        findings.append(finding("ranking_not_proof", WARN, "CN-C-03"))
    if not failed:
        findings.append(finding("no_failed_assessment", BLOCK, "CN-G-01", "CN-C-01", "CN-E-01"))
        return findings
    absolute = [item for item in failed if item.method is AssessmentMethod.ABSOLUTE_STANDARD]
    if not absolute:
        findings.append(
            finding("ranking_only_evidence", BLOCK, "CN-C-03", "CN-C-04", assessment=failed[0].assessment_id)
        )
        return findings
    chains: list[_Chain] = []
    rejected: list[Finding] = []
    for assessment in absolute:
        for intervention in facts.interventions:
            if intervention.started_on > facts.notice_date:
                continue
            problems, remarks = _intervention_problems(intervention, assessment, parameters)
            if problems:
                if intervention.linked_assessment_id in (None, assessment.assessment_id):
                    rejected.extend(problems)
                continue
            chain = _evaluate_chain(facts, assessment, intervention, parameters)
            chain.findings[:0] = [*_assessment_remarks(assessment), *remarks]
            chains.append(chain)
    if not chains:
        findings.extend(_unique(rejected))
        findings.append(finding("no_training_or_reassignment", BLOCK, "CN-G-01", "CN-G-02"))
        return findings
    sound = [chain for chain in chains if chain.is_sound]
    best = sound[-1] if sound else max(chains, key=lambda chain: (chain.progress, chain.failed.assessed_on))
    findings.extend(best.findings)
    latest = max(before_notice, key=lambda item: item.assessed_on)
    if latest.outcome is AssessmentOutcome.COMPETENT and (
        best.reassessment is None or latest.assessed_on > best.reassessment.assessed_on
    ):
        findings.append(
            finding("latest_assessment_competent", BLOCK, "CN-G-01", assessment=latest.assessment_id)
        )
    return findings


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    result = []
    for item in findings:
        key = (item.code, item.text.en)
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result


# ---------------------------------------------------------------------------- procedure (CN-C-05, CN-PR)


def rules_procedure_findings(facts: CaseFacts) -> list[Finding]:
    """CN-C-05 with CN-D-01: quota and assessment rules count only if adopted democratically and published."""
    findings: list[Finding] = []
    if facts.rules_adopted_democratically is False:
        findings.append(finding("rules_not_democratic", BLOCK, "CN-C-05", "CN-D-01"))
    if facts.rules_published is False:
        findings.append(finding("rules_not_published", BLOCK, "CN-C-05", "CN-D-01"))
    if facts.rules_adopted_democratically is None or facts.rules_published is None:
        findings.append(finding("confirm_rules_procedure", TODO, "CN-C-05", "CN-D-01"))
    return findings


def notice_findings(facts: CaseFacts, parameters: EligibilityParameters) -> list[Finding]:
    """CN-PR-01: 30 days' written notice to the employee personally, or one month's wage in lieu."""
    if facts.notice_mode is NoticeMode.PAY_IN_LIEU:
        return [finding("pay_in_lieu_due", TODO, "CN-PR-01", "CN-M-06")]
    findings: list[Finding] = []
    days = (facts.termination_date - facts.notice_date).days
    if days < parameters.notice_days:
        earliest = facts.notice_date + dt.timedelta(days=parameters.notice_days)
        findings.append(
            finding(
                "notice_too_short",
                BLOCK,
                "CN-PR-01",
                days=days,
                minimum=parameters.notice_days,
                earliest=earliest,
            )
        )
    if facts.notice_served_personally is False:
        findings.append(finding("notice_not_personal", BLOCK, "CN-PR-01"))
    elif facts.notice_served_personally is None:
        findings.append(finding("confirm_notice_service", TODO, "CN-PR-01"))
    return findings


def union_findings(facts: CaseFacts, parameters: EligibilityParameters) -> list[Finding]:
    """CN-PR-02: tell the union first, with reasons; answer objections in writing (LCL Art. 43, SPC-I 47)."""
    if facts.has_union is None:
        return [finding("confirm_union", TODO, "CN-PR-02")]
    if facts.has_union is False:
        procedure = message(f"non_union.{parameters.non_union_procedure.value}")
        return [finding("non_union_procedure", TODO, "CN-PR-02", procedure=procedure)]
    findings: list[Finding] = []
    if facts.union_notified_on is None or facts.union_notified_on > facts.termination_date:
        findings.append(finding("union_not_notified", BLOCK, "CN-PR-02"))
    elif facts.union_notified_on > facts.notice_date:
        findings.append(finding("union_notified_late", WARN, "CN-PR-02", notified_on=facts.union_notified_on))
    if facts.union_objected:
        if facts.union_objection_answered_in_writing is False:
            findings.append(finding("union_objection_unanswered", BLOCK, "CN-PR-02"))
        elif facts.union_objection_answered_in_writing is None:
            findings.append(finding("confirm_union_answer", TODO, "CN-PR-02"))
    return findings


def lawful_probation_months(contract_term_months: int | None) -> int:
    """LCL Art. 19: <3 months → none; 3 months–<1 year → 1; 1–<3 years → 2; ≥3 years or open-ended → 6."""
    if contract_term_months is None or contract_term_months >= 36:
        return 6
    if contract_term_months >= 12:
        return 2
    if contract_term_months >= 3:
        return 1
    return 0


def probation_end(facts: CaseFacts) -> tuple[dt.date | None, list[Finding]]:
    """The last day of a lawful probation (CN-G-04), and warnings about the agreed one."""
    if facts.probation_end_date is None:
        return None, []
    findings: list[Finding] = []
    if facts.had_earlier_probation:
        findings.append(finding("second_probation", WARN, "CN-G-04"))
        return None, findings
    months = lawful_probation_months(facts.contract_term_months)
    if months == 0:
        findings.append(finding("probation_not_allowed", WARN, "CN-G-04"))
        return None, findings
    lawful_end = add_months(facts.hire_date, months) - dt.timedelta(days=1)
    if facts.probation_end_date > lawful_end:
        findings.append(
            finding("probation_exceeds_cap", WARN, "CN-G-04", months=months, lawful_end=lawful_end)
        )
        return lawful_end, findings
    return facts.probation_end_date, findings


def layoff_findings(facts: CaseFacts, parameters: EligibilityParameters) -> tuple[bool, list[Finding]]:
    """CN-G-07: many cases at once may be a disguised Art. 41 layoff; refuse 40(2) until legal review."""
    if facts.is_headcount_reduction:
        return True, [finding("headcount_reduction", BLOCK, "CN-G-07", needs_legal_review=True)]
    by_count = facts.open_cases >= parameters.layoff_people_threshold
    by_share = (
        facts.headcount is not None
        and facts.open_cases >= parameters.layoff_share_minimum_cases
        and Decimal(facts.open_cases) / Decimal(facts.headcount) >= parameters.layoff_share_threshold
    )
    if not (by_count or by_share):
        return False, []
    params: dict[str, Any] = {"cases": facts.open_cases, "headcount": facts.headcount or "—"}
    if facts.layoff_review_cleared:
        return False, [finding("layoff_review_cleared", WARN, "CN-G-07", **params)]
    return True, [finding("possible_economic_layoff", BLOCK, "CN-G-07", needs_legal_review=True, **params)]


def formalities_findings(facts: CaseFacts) -> list[Finding]:
    """CN-PR-03/04 and CN-E-03: what must be done at and after termination, with dates."""
    termination = facts.termination_date
    return [
        finding(
            "termination_formalities",
            TODO,
            "CN-PR-03",
            deadline=termination + dt.timedelta(days=TERMINATION_FORMALITIES_DAYS),
        ),
        finding("final_wages_lump_sum", TODO, "CN-PR-04", termination_date=termination),
        finding(
            "keep_evidence_pack",
            TODO,
            "CN-E-03",
            "CN-PR-03",
            "CN-PR-04",
            until=add_years(termination, CONTRACT_RETENTION_YEARS),
        ),
    ]


# ---------------------------------------------------------------------------- routes


def check_eligibility(
    facts: CaseFacts,
    parameters: EligibilityParameters = DEFAULTS,
    retirement_rules: Mapping[RetirementCategory, RetirementAgeRule] | None = None,
) -> EligibilityResult:
    """Allowed routes, blocking reasons, warnings and steps to do, each with rule ids (advisory, CN-D-04)."""
    validate_facts(facts, parameters)
    working = Working()
    _record_parameters(working, parameters)
    protected = protection_findings(facts, retirement_rules)
    is_protected = any(item.severity is BLOCK for item in protected)
    probation_last_day, probation_notes = probation_end(facts)
    in_probation = probation_last_day is not None and facts.notice_date <= probation_last_day
    layoff_flagged, layoff_notes = layoff_findings(facts, parameters)
    burden = finding("employer_burden_of_proof", TODO, "CN-E-01")

    incompetence: list[Finding] = [
        *incompetence_findings(facts, parameters),
        *protected,
        *rules_procedure_findings(facts),
        *notice_findings(facts, parameters),
        *union_findings(facts, parameters),
        *layoff_notes,
        finding("severance_due", TODO, "CN-M-01", "CN-M-07"),
        burden,
        *formalities_findings(facts),
    ]
    if in_probation:
        incompetence.append(finding("explain_reason_in_probation", TODO, "CN-G-04"))

    routes = [
        RouteAssessment(
            route=ROUTE_INCOMPETENCE,
            label=message("route.lcl_40_2"),
            rule_ids=("CN-G-01", "CN-G-02", "CN-P42-01", "CN-PR-01", "CN-PR-02", "CN-M-01"),
            findings=tuple(incompetence),
        ),
        RouteAssessment(
            route=ROUTE_MUTUAL,
            label=message("route.lcl_36_mutual"),
            rule_ids=("CN-PK-01",),
            findings=tuple(_mutual_findings(facts, is_protected)),
        ),
    ]
    if facts.probation_end_date is not None:
        routes.append(
            RouteAssessment(
                route=ROUTE_PROBATION,
                label=message("route.lcl_39_1_probation"),
                rule_ids=("CN-G-04", "CN-G-05"),
                findings=tuple(_probation_route_findings(facts, in_probation, probation_notes)),
            )
        )
    routes.append(
        RouteAssessment(
            route=ROUTE_CLOSE,
            label=message("route.close_improved"),
            rule_ids=("CN-PK-02",),
            findings=(),
        )
    )
    if layoff_flagged:
        routes.append(
            RouteAssessment(
                route=ROUTE_LAYOFF_REVIEW,
                label=message("route.lcl_41_review"),
                rule_ids=("CN-G-07",),
                findings=(finding("layoff_procedure", TODO, "CN-G-07", needs_legal_review=True),),
            )
        )
    case_findings = [
        finding("ground_not_offered_40_3", WARN, "CN-G-03"),
        finding("fault_not_offered", WARN, "CN-G-06"),
    ]
    case_findings.extend(probation_notes if facts.probation_end_date is not None else [])
    result_routes = tuple(routes)
    return EligibilityResult(
        pack="cn",
        checked_on=facts.notice_date,
        routes=result_routes,
        case_findings=tuple(case_findings),
        suggested_route=_suggest(facts, result_routes, layoff_flagged, in_probation),
        parameters_used=tuple(working.parameters.values()),
    )


def _mutual_findings(facts: CaseFacts, is_protected: bool) -> list[Finding]:
    findings = [
        finding("mutual_needs_genuine_consent", TODO, "CN-PK-01"),
        finding("mutual_severance", TODO, "CN-PK-01"),
    ]
    if is_protected:
        findings.append(finding("protected_mutual_voluntary", WARN, "CN-P42-01"))
    return findings


def _probation_route_findings(facts: CaseFacts, in_probation: bool, notes: list[Finding]) -> list[Finding]:
    findings: list[Finding] = []
    if not in_probation:
        findings.append(finding("not_in_probation", BLOCK, "CN-G-05"))
    if facts.hiring_conditions_documented is False:
        findings.append(finding("hiring_conditions_missing", BLOCK, "CN-G-05"))
    elif facts.hiring_conditions_documented is None:
        findings.append(finding("confirm_hiring_conditions", TODO, "CN-G-05"))
    findings.append(finding("explain_reason_in_probation", TODO, "CN-G-04"))
    findings.append(finding("probation_no_severance", TODO, "CN-G-05", "CN-M-01"))
    return findings


def _suggest(
    facts: CaseFacts, routes: tuple[RouteAssessment, ...], layoff_flagged: bool, in_probation: bool
) -> str:
    allowed = {route.route for route in routes if route.is_allowed}
    before_notice = [item for item in facts.assessments if item.assessed_on <= facts.notice_date]
    if before_notice:
        latest = max(before_notice, key=lambda item: item.assessed_on)
        if latest.outcome is AssessmentOutcome.COMPETENT:
            return ROUTE_CLOSE
    if layoff_flagged:
        return ROUTE_LAYOFF_REVIEW
    if ROUTE_INCOMPETENCE in allowed:
        return ROUTE_INCOMPETENCE
    if in_probation and ROUTE_PROBATION in allowed:
        return ROUTE_PROBATION
    return ROUTE_MUTUAL


def _record_parameters(working: Working, parameters: EligibilityParameters) -> None:
    working.use(
        "minimum_reassessment_window_days",
        value=parameters.minimum_reassessment_window_days,
        default=DEFAULTS.minimum_reassessment_window_days,
        rule_id="CN-R-03",
        status=ParameterStatus.UNVERIFIED,
    )
    working.use(
        "reasonableness_checks",
        value=parameters.reasonableness_checks,
        default=DEFAULTS.reasonableness_checks,
        rule_id="CN-R-02",
        status=ParameterStatus.REGIONAL,
    )
    working.use(
        "non_union_procedure",
        value=parameters.non_union_procedure,
        default=DEFAULTS.non_union_procedure,
        rule_id="CN-PR-02",
        status=ParameterStatus.UNVERIFIED,
    )
    working.use(
        "protected_status_during_notice",
        value="block_and_legal_review",
        default="block_and_legal_review",
        rule_id="CN-P42-03",
        status=ParameterStatus.UNVERIFIED,
    )
    working.use(
        "years_to_retirement_comparison",
        value="strictly_less_than_5_years",
        default="strictly_less_than_5_years",
        rule_id="CN-P42-02",
        status=ParameterStatus.UNVERIFIED,
    )
    working.use(
        "layoff_people_threshold",
        value=parameters.layoff_people_threshold,
        default=DEFAULTS.layoff_people_threshold,
        rule_id="CN-G-07",
        status=ParameterStatus.STATUTORY,
    )
    working.use(
        "layoff_share_threshold",
        value=parameters.layoff_share_threshold,
        default=DEFAULTS.layoff_share_threshold,
        rule_id="CN-G-07",
        status=ParameterStatus.STATUTORY,
    )
    working.use(
        "layoff_share_minimum_cases",
        value=parameters.layoff_share_minimum_cases,
        default=DEFAULTS.layoff_share_minimum_cases,
        rule_id="CN-G-07",
        status=ParameterStatus.ENGINE,
    )
    working.use(
        "notice_days",
        value=parameters.notice_days,
        default=DEFAULTS.notice_days,
        rule_id="CN-PR-01",
        status=ParameterStatus.STATUTORY,
    )
