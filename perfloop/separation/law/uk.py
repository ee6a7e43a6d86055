"""England and Wales: the capability procedure (labour-law-cn.md §10, "UK").

Built far enough to prove the interface assumes nothing Chinese: no severance for a
capability dismissal, a qualifying period instead of protected categories, the Acas
procedure instead of a union notice, weeks instead of months, GBP instead of CNY.

- UK-G-01 capability is a potentially fair reason (ERA 1996 s.98(2)(a)), tested for
  reasonableness (s.98(4)).
- UK-PR-01 … -03 Acas: support and training first, then other duties or another role, then a
  fair procedure (meeting, right to be accompanied under ERelA 1999 s.10, appeal).
- UK-Q-01 qualifying period: 2 years if the effective date of termination (EDT) is before
  2027-01-01, 6 months from then (Employment Rights Act 2025 s.25, SI 2026/559); the statutory
  minimum notice extends the EDT for this purpose (ERA s.97(2)).
- UK-N-01 statutory minimum notice (ERA s.86) — not in the spec's sources: unverified here.
- UK-M-01 up to 25% uplift for an unreasonable failure to follow the Acas Code (scope for
  capability debated: unverified); UK-M-02 the compensatory-award cap is removed from 2027-01-01.
- UK-E-01 tribunal claims within 3 months less a day of the EDT (ERA s.111) — not in the
  spec's sources: unverified here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from perfloop.core.money import FEN
from perfloop.separation.law import parsing
from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.interface import (
    CalculationBundle,
    CalculationResult,
    DataProtectionHook,
    EligibilityResult,
    EvidenceGrade,
    Finding,
    Ground,
    LimitationRule,
    MoneyFormula,
    NoticeRule,
    Precondition,
    ProcedureStep,
    ProtectedCategory,
    RetentionRule,
    RouteAssessment,
    Rule,
    Severity,
    finding,
)
from perfloop.separation.law.messages import message
from perfloop.separation.law.periods import add_months, measure_service
from perfloop.separation.law.working import ParameterStatus, Working, money_text

CURRENCY = "GBP"
QUALIFYING_SWITCH_DATE = dt.date(2027, 1, 1)
QUALIFYING_MONTHS_BEFORE = 24
QUALIFYING_MONTHS_FROM_SWITCH = 6
MAX_STATUTORY_NOTICE_WEEKS = 12

ROUTE_CAPABILITY = "capability_dismissal"
ROUTE_SETTLEMENT = "settlement_agreement"
ROUTE_CLOSE = "close_improved"

_RULE_SOURCES: tuple[tuple[str, str, EvidenceGrade, bool], ...] = (
    ("UK-G-01", "ERA 1996 s.98(2)(a), s.98(4)", EvidenceGrade.COMMENTARY, True),
    ("UK-PR-01", "Acas: dismissals for capability or conduct", EvidenceGrade.OFFICIAL, True),
    ("UK-PR-02", "Acas: dismissals for capability or conduct", EvidenceGrade.OFFICIAL, True),
    ("UK-PR-03", "Acas Code; ERelA 1999 s.10", EvidenceGrade.COMMENTARY, False),
    ("UK-Q-01", "ERA 2025 s.25; SI 2026/559; ERA 1996 s.97(2)", EvidenceGrade.COMMENTARY, True),
    ("UK-N-01", "ERA 1996 s.86 (not in the spec's sources)", EvidenceGrade.UNVERIFIED, False),
    ("UK-M-01", "TULRCA 1992 s.207A via commentary", EvidenceGrade.COMMENTARY, False),
    ("UK-M-02", "SI 2026/559", EvidenceGrade.COMMENTARY, True),
    ("UK-E-01", "ERA 1996 s.111 (not in the spec's sources)", EvidenceGrade.UNVERIFIED, False),
)

_FACT_FIELDS = (
    "pack",
    "start_date",
    "notice_date",
    "effective_date_of_termination",
    "evidence_of_poor_performance",
    "support_given",
    "improvement_period_given",
    "alternative_role_considered",
    "meeting_held",
    "accompaniment_offered",
    "appeal_offered",
    "warning_given",
    "automatically_unfair_risk",
    "latest_review_improved",
)
_CALC_FIELDS = (
    "pack",
    "start_date",
    "notice_date",
    "weekly_pay",
    "contractual_notice_weeks",
    "pay_in_lieu",
)


def statutory_notice_weeks(start_date: dt.date, notice_date: dt.date) -> int:
    """ERA s.86: none under a month; 1 week under 2 years; then 1 week per complete year, at most 12."""
    length = measure_service(start_date, notice_date)
    if length.months < 1:
        return 0
    if length.full_years < 2:
        return 1
    return min(length.full_years, MAX_STATUTORY_NOTICE_WEEKS)


def qualifying_months(effective_date: dt.date) -> int:
    """UK-Q-01: 24 months if the EDT is before 2027-01-01, else 6 months."""
    return (
        QUALIFYING_MONTHS_BEFORE if effective_date < QUALIFYING_SWITCH_DATE else QUALIFYING_MONTHS_FROM_SWITCH
    )


def extended_effective_date(
    start_date: dt.date, notice_date: dt.date, effective_date: dt.date, working: Working
) -> dt.date:
    """ERA s.97(2): the EDT moves to the end of the statutory minimum notice if less was given."""
    weeks = statutory_notice_weeks(start_date, notice_date)
    statutory_end = notice_date + dt.timedelta(weeks=weeks)
    extended = max(effective_date, statutory_end)
    working.add(
        "UK-Q-01",
        "uk_extended_edt",
        formula="EDT' = max(EDT, notice date + statutory notice)",
        values={
            "edt": effective_date.isoformat(),
            "notice_date": notice_date.isoformat(),
            "weeks": str(weeks),
        },
        result=extended.isoformat(),
    )
    return extended


def has_qualifying_period(start_date: dt.date, effective_date: dt.date, working: Working) -> bool:
    months = qualifying_months(effective_date)
    first_qualifying_day = add_months(start_date, months) - dt.timedelta(days=1)
    qualifies = effective_date >= first_qualifying_day
    working.add(
        "UK-Q-01",
        "uk_qualifying_period",
        formula="EDT' ≥ start + period − 1 day (period 24 months before 2027-01-01, else 6)",
        values={
            "start": start_date.isoformat(),
            "edt": effective_date.isoformat(),
            "months": str(months),
            "qualifies_from": first_qualifying_day.isoformat(),
        },
        result="yes" if qualifies else "no",
    )
    return qualifies


class UnitedKingdomPack:
    """England and Wales: capability dismissal under ERA 1996 and the Acas guidance."""

    code = "uk"
    currency = CURRENCY

    def __init__(self) -> None:
        self.name = message("pack.uk")
        self.rules = {
            rule_id: Rule(rule_id, message(f"rule.{rule_id}"), source, grade, is_verified)
            for rule_id, source, grade, is_verified in _RULE_SOURCES
        }
        self.grounds = (
            Ground(
                code=ROUTE_CAPABILITY,
                citation="ERA 1996 s.98(2)(a)",
                label=message("route.uk_capability_dismissal"),
                rule_ids=("UK-G-01", "UK-PR-01", "UK-PR-02", "UK-PR-03"),
                preconditions=(
                    Precondition("evidence", "UK-G-01", message("precondition.uk_evidence")),
                    Precondition("support", "UK-PR-01", message("precondition.uk_support")),
                    Precondition("alternatives", "UK-PR-02", message("precondition.uk_alternatives")),
                    Precondition("fair_procedure", "UK-PR-03", message("precondition.uk_fair_procedure")),
                ),
                requires_notice=True,
                pays_severance=False,
            ),
            Ground(
                code=ROUTE_SETTLEMENT,
                citation="ERA 1996 s.203",
                label=message("route.uk_settlement_agreement"),
                rule_ids=("UK-G-01",),
                preconditions=(),
                requires_notice=False,
                pays_severance=False,
            ),
        )
        self.protected_categories = (
            ProtectedCategory(
                "automatically_unfair",
                "UK-Q-01",
                message("protected.uk_automatically_unfair"),
                bars_grounds=(ROUTE_CAPABILITY,),
            ),
        )
        self.procedure = (
            ProcedureStep("support_and_training", "UK-PR-01", 1, message("procedure.uk_support")),
            ProcedureStep("alternative_role", "UK-PR-02", 2, message("procedure.uk_alternatives")),
            ProcedureStep("capability_meeting", "UK-PR-03", 3, message("procedure.uk_meeting")),
            ProcedureStep("appeal", "UK-PR-03", 4, message("procedure.uk_appeal")),
        )
        self.notice = NoticeRule("UK-N-01", message("notice.uk"), notice_days=None, pay_in_lieu_allowed=True)
        self.money_formulas = (
            MoneyFormula("notice_pay", "UK-N-01", "weeks × weekly pay", message("formula.uk_notice_pay")),
            MoneyFormula("acas_uplift", "UK-M-01", "award × ≤ 25%", message("formula.uk_uplift")),
        )
        self.limitation = (LimitationRule("UK-E-01", message("limitation.uk"), months=3, days=-1),)
        self.retention = (RetentionRule("case_file", "UK-E-01", None, message("retention.uk_case_file")),)
        self.data_protection = (
            DataProtectionHook("human_decides", "UK-PR-03", message("privacy.uk_human_decides")),
        )

    def check_eligibility(self, facts: Mapping[str, Any]) -> EligibilityResult:
        """Routes for a capability case; procedure gaps block only where unfair dismissal is claimable."""
        parsing.check_fields(facts, _FACT_FIELDS, where="eligibility")
        start = parsing.date(facts, "start_date")
        notice_date = parsing.date(facts, "notice_date")
        effective = parsing.optional_date(facts, "effective_date_of_termination") or notice_date
        if effective < start:
            raise LawInputError("termination_before_hire", hire_date=start, termination_date=effective)
        if notice_date > effective:
            raise LawInputError(
                "notice_after_termination", notice_date=notice_date, termination_date=effective
            )
        if notice_date < start:
            raise LawInputError("notice_before_hire", notice_date=notice_date, hire_date=start)
        working = Working()
        working.use(
            "qualifying_period_switch",
            value=QUALIFYING_SWITCH_DATE,
            default=QUALIFYING_SWITCH_DATE,
            rule_id="UK-Q-01",
            status=ParameterStatus.STATUTORY,
        )
        extended = extended_effective_date(start, notice_date, effective, working)
        protected = has_qualifying_period(start, extended, working)
        gap = Severity.BLOCK if protected else Severity.WARN
        findings: list[Finding] = []
        if not protected:
            findings.append(
                finding(
                    "uk_no_qualifying_period", Severity.WARN, "UK-Q-01", months=qualifying_months(extended)
                )
            )
        checks = (
            ("evidence_of_poor_performance", "uk_no_evidence", "UK-G-01"),
            ("support_given", "uk_no_support", "UK-PR-01"),
            ("improvement_period_given", "uk_no_improvement_period", "UK-PR-01"),
            ("meeting_held", "uk_no_meeting", "UK-PR-03"),
            ("accompaniment_offered", "uk_no_accompaniment", "UK-PR-03"),
            ("appeal_offered", "uk_no_appeal", "UK-PR-03"),
        )
        for key, code, rule_id in checks:
            value = parsing.optional_boolean(facts, key)
            if value is False:
                findings.append(finding(code, gap, rule_id))
            elif value is None:
                findings.append(finding("uk_confirm_fact", Severity.TODO, rule_id, fact=key))
        if parsing.optional_boolean(facts, "alternative_role_considered") is not True:
            findings.append(finding("uk_alternative_role", Severity.WARN, "UK-PR-02"))
        if parsing.optional_boolean(facts, "warning_given") is False:
            findings.append(finding("uk_no_warning", Severity.WARN, "UK-PR-03"))
        if any(f.rule_ids[0] == "UK-PR-03" and f.severity is not Severity.TODO for f in findings):
            findings.append(finding("uk_acas_uplift_risk", Severity.WARN, "UK-M-01"))
        if parsing.boolean(facts, "automatically_unfair_risk", default=False):
            findings.append(
                finding("uk_automatically_unfair_risk", Severity.BLOCK, "UK-Q-01", needs_legal_review=True)
            )
        if extended >= QUALIFYING_SWITCH_DATE:
            findings.append(finding("uk_no_compensation_cap", Severity.WARN, "UK-M-02"))
        improved = parsing.boolean(facts, "latest_review_improved", default=False)
        if improved:
            findings.append(finding("uk_improved", Severity.BLOCK, "UK-G-01"))
        routes = (
            RouteAssessment(
                ROUTE_CAPABILITY,
                message("route.uk_capability_dismissal"),
                ("UK-G-01", "UK-PR-01", "UK-PR-02", "UK-PR-03", "UK-Q-01"),
                tuple(findings),
            ),
            RouteAssessment(
                ROUTE_SETTLEMENT,
                message("route.uk_settlement_agreement"),
                ("UK-G-01",),
                (finding("uk_settlement_advice", Severity.TODO, "UK-G-01"),),
            ),
            RouteAssessment(ROUTE_CLOSE, message("route.close_improved"), ("UK-G-01",), ()),
        )
        suggested = (
            ROUTE_CLOSE if improved else (ROUTE_CAPABILITY if routes[0].is_allowed else ROUTE_SETTLEMENT)
        )
        return EligibilityResult(
            pack=self.code,
            checked_on=notice_date,
            routes=routes,
            case_findings=(),
            suggested_route=suggested,
            parameters_used=tuple(working.parameters.values()),
        )

    def calculate(self, inputs: Mapping[str, Any]) -> CalculationBundle:
        """Statutory notice and notice pay (no statutory severance for capability dismissals)."""
        parsing.check_fields(inputs, _CALC_FIELDS, where="calculation")
        start = parsing.date(inputs, "start_date")
        notice_date = parsing.date(inputs, "notice_date")
        if notice_date < start:
            raise LawInputError("notice_before_hire", notice_date=notice_date, hire_date=start)
        weekly_pay = parsing.decimal(inputs, "weekly_pay")
        if weekly_pay < 0:
            raise LawInputError("negative_wage", month="weekly", amount=weekly_pay)
        contractual = parsing.integer(inputs, "contractual_notice_weeks", default=0)
        if contractual < 0:
            raise LawInputError("invalid_parameter", name="contractual_notice_weeks", value=contractual)
        pay_in_lieu = parsing.boolean(inputs, "pay_in_lieu", default=False)
        working = Working()
        statutory = statutory_notice_weeks(start, notice_date)
        weeks = max(statutory, contractual)
        working.add(
            "UK-N-01",
            "uk_notice_weeks",
            formula="max(statutory weeks, contractual weeks)",
            values={"statutory": str(statutory), "contractual": str(contractual)},
            result=str(weeks),
        )
        last_day = notice_date + dt.timedelta(weeks=weeks)
        notice_result = CalculationResult(
            name="notice_period",
            label=message("result.uk_notice_period"),
            amount=None,
            steps=tuple(working.steps),
            parameters_used=(),
            currency=CURRENCY,
            date=notice_date if pay_in_lieu else last_day,
            details={"weeks": str(weeks), "statutory_weeks": str(statutory)},
        )
        pay_working = Working()
        amount = (
            (Decimal(weeks) * weekly_pay).quantize(FEN, rounding=ROUND_HALF_UP)
            if pay_in_lieu
            else Decimal("0.00")
        )
        pay_working.add(
            "UK-N-01",
            "uk_notice_pay" if pay_in_lieu else "uk_notice_worked",
            formula="weeks × weekly pay" if pay_in_lieu else "notice worked ⇒ 0",
            values={"weeks": str(weeks), "weekly_pay": money_text(weekly_pay)},
            result=money_text(amount),
        )
        pay_result = CalculationResult(
            name="notice_pay",
            label=message("result.uk_notice_pay"),
            amount=amount,
            steps=tuple(pay_working.steps),
            parameters_used=(),
            currency=CURRENCY,
        )
        return CalculationBundle(pack=self.code, currency=CURRENCY, results=(notice_result, pay_result))


UNITED_KINGDOM = UnitedKingdomPack()
