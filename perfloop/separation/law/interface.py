"""What a jurisdiction pack declares and returns, with nothing specific to one country.

A pack is data plus two entry points. The data describes the rules (grounds and their
preconditions, protected categories, procedure steps, notice, money formulas,
limitation, retention, data-protection hooks), each tied to a rule id with its source
and evidence grade. The entry points take plain JSON-like mappings, so the front doors
(CLI, API, web) stay the same for every country:

- ``check_eligibility(facts)`` → :class:`EligibilityResult` (routes allowed or blocked,
  with reasons and warnings, always advisory: a named person decides);
- ``calculate(inputs)`` → :class:`CalculationBundle` (named amounts, each with its working).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from perfloop.separation.law.messages import BilingualText, message
from perfloop.separation.law.working import ParameterUse, Step, money_text


class EvidenceGrade(StrEnum):
    """How a rule was sourced (labour-law-cn.md, "Evidence grades")."""

    OFFICIAL = "O"
    SECONDARY = "S"
    COMMENTARY = "C"
    DERIVED = "derived"
    UNVERIFIED = "unverified"


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a pack: an id HR can cite, its source and how firm it is."""

    rule_id: str
    title: BilingualText
    source: str
    grade: EvidenceGrade
    is_verified: bool = True


@dataclass(frozen=True, slots=True)
class Precondition:
    code: str
    rule_id: str
    text: BilingualText


@dataclass(frozen=True, slots=True)
class Ground:
    """A legal basis for ending employment and what must hold before it may be used."""

    code: str
    citation: str
    label: BilingualText
    rule_ids: tuple[str, ...]
    preconditions: tuple[Precondition, ...]
    requires_notice: bool
    pays_severance: bool
    is_offered_for_performance: bool = True


@dataclass(frozen=True, slots=True)
class ProtectedCategory:
    """A status that bars some grounds while it lasts."""

    code: str
    rule_id: str
    text: BilingualText
    bars_grounds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProcedureStep:
    code: str
    rule_id: str
    order: int
    text: BilingualText
    deadline_days: int | None = None
    is_configurable: bool = False


@dataclass(frozen=True, slots=True)
class NoticeRule:
    rule_id: str
    text: BilingualText
    notice_days: int | None = None
    pay_in_lieu_allowed: bool = True


@dataclass(frozen=True, slots=True)
class MoneyFormula:
    code: str
    rule_id: str
    formula: str
    text: BilingualText


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """How long a kind of record is kept, and the legal basis."""

    record: str
    rule_id: str
    minimum_years: int | None
    text: BilingualText


@dataclass(frozen=True, slots=True)
class LimitationRule:
    rule_id: str
    text: BilingualText
    months: int | None = None
    days: int | None = None


@dataclass(frozen=True, slots=True)
class DataProtectionHook:
    """A duty on how the system handles personal data around a case."""

    code: str
    rule_id: str
    text: BilingualText


class Severity(StrEnum):
    BLOCK = "block"  # the route may not be taken while this holds
    WARN = "warn"  # a legal risk a person must weigh
    TODO = "todo"  # a fact to confirm or a procedure step still to do


@dataclass(frozen=True, slots=True)
class Finding:
    """A reason, a warning or a step to do, with the rule behind it."""

    code: str
    rule_ids: tuple[str, ...]
    severity: Severity
    text: BilingualText
    needs_legal_review: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "rule_ids": list(self.rule_ids),
            "severity": str(self.severity),
            "text_zh": self.text.zh,
            "text_en": self.text.en,
            "needs_legal_review": self.needs_legal_review,
        }


def finding(
    code: str,
    severity: Severity,
    *rule_ids: str,
    needs_legal_review: bool = False,
    **params: Any,
) -> Finding:
    """A finding whose text is the catalogue entry ``finding.<code>``."""
    return Finding(
        code=code,
        rule_ids=tuple(rule_ids),
        severity=severity,
        text=message(f"finding.{code}", **params),
        needs_legal_review=needs_legal_review,
    )


@dataclass(frozen=True, slots=True)
class RouteAssessment:
    """One way the case can end (or be closed), allowed or not, and why."""

    route: str
    label: BilingualText
    rule_ids: tuple[str, ...]
    findings: tuple[Finding, ...]

    @property
    def is_allowed(self) -> bool:
        return not any(item.severity is Severity.BLOCK for item in self.findings)

    def of_severity(self, severity: Severity) -> list[Finding]:
        return [item for item in self.findings if item.severity is severity]

    def as_dict(self) -> dict[str, Any]:
        return {
            "route": self.route,
            "label_zh": self.label.zh,
            "label_en": self.label.en,
            "rule_ids": list(self.rule_ids),
            "is_allowed": self.is_allowed,
            "blocking_reasons": [item.as_dict() for item in self.of_severity(Severity.BLOCK)],
            "warnings": [item.as_dict() for item in self.of_severity(Severity.WARN)],
            "todos": [item.as_dict() for item in self.of_severity(Severity.TODO)],
        }


@dataclass(frozen=True, slots=True)
class EligibilityResult:
    """Routes with their reasons; advisory only, a named person decides (PIPL Art. 24)."""

    pack: str
    checked_on: dt.date
    routes: tuple[RouteAssessment, ...]
    case_findings: tuple[Finding, ...]
    suggested_route: str | None
    parameters_used: tuple[ParameterUse, ...]
    is_advisory: bool = True

    @property
    def allowed_routes(self) -> list[str]:
        return [route.route for route in self.routes if route.is_allowed]

    @property
    def needs_legal_review(self) -> bool:
        findings = [*self.case_findings, *(f for route in self.routes for f in route.findings)]
        return any(item.needs_legal_review for item in findings)

    def route(self, code: str) -> RouteAssessment:
        for route in self.routes:
            if route.route == code:
                return route
        raise KeyError(code)

    def all_findings(self) -> list[Finding]:
        return [*self.case_findings, *(f for route in self.routes for f in route.findings)]

    def codes(self, severity: Severity | None = None) -> set[str]:
        return {f.code for f in self.all_findings() if severity is None or f.severity is severity}

    def as_dict(self) -> dict[str, Any]:
        notice = message("eligibility.advisory")
        return {
            "pack": self.pack,
            "checked_on": self.checked_on.isoformat(),
            "is_advisory": self.is_advisory,
            "advisory_notice_zh": notice.zh,
            "advisory_notice_en": notice.en,
            "allowed_routes": self.allowed_routes,
            "suggested_route": self.suggested_route,
            "needs_legal_review": self.needs_legal_review,
            "routes": [route.as_dict() for route in self.routes],
            "case_findings": [item.as_dict() for item in self.case_findings],
            "parameters_used": [use.as_dict() for use in self.parameters_used],
        }


@dataclass(frozen=True, slots=True)
class CalculationResult:
    """One amount (or date) with the steps that produced it and the parameters used."""

    name: str
    label: BilingualText
    amount: Decimal | None
    steps: tuple[Step, ...]
    parameters_used: tuple[ParameterUse, ...]
    currency: str
    date: dt.date | None = None
    details: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label_zh": self.label.zh,
            "label_en": self.label.en,
            "amount": None if self.amount is None else f"{self.amount:.2f}",
            "amount_display": None if self.amount is None else money_text(self.amount),
            "currency": self.currency,
            "date": None if self.date is None else self.date.isoformat(),
            "details": dict(self.details),
            "steps": [step.as_dict() for step in self.steps],
            "parameters_used": [use.as_dict() for use in self.parameters_used],
        }


@dataclass(frozen=True, slots=True)
class CalculationBundle:
    """Every figure a pack computes for one case, in presentation order."""

    pack: str
    currency: str
    results: tuple[CalculationResult, ...]

    def result(self, name: str) -> CalculationResult:
        for item in self.results:
            if item.name == name:
                return item
        raise KeyError(name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "currency": self.currency,
            "results": {item.name: item.as_dict() for item in self.results},
        }


@runtime_checkable
class JurisdictionPack(Protocol):
    """The contract every country pack fulfils (see module docstring); members are read-only."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> BilingualText: ...

    @property
    def currency(self) -> str: ...

    @property
    def rules(self) -> Mapping[str, Rule]: ...

    @property
    def grounds(self) -> tuple[Ground, ...]: ...

    @property
    def protected_categories(self) -> tuple[ProtectedCategory, ...]: ...

    @property
    def procedure(self) -> tuple[ProcedureStep, ...]: ...

    @property
    def notice(self) -> NoticeRule: ...

    @property
    def money_formulas(self) -> tuple[MoneyFormula, ...]: ...

    @property
    def limitation(self) -> tuple[LimitationRule, ...]: ...

    @property
    def retention(self) -> tuple[RetentionRule, ...]: ...

    @property
    def data_protection(self) -> tuple[DataProtectionHook, ...]: ...

    def check_eligibility(self, facts: Mapping[str, Any]) -> EligibilityResult: ...

    def calculate(self, inputs: Mapping[str, Any]) -> CalculationBundle: ...


def describe_pack(pack: JurisdictionPack) -> dict[str, Any]:
    """The declarations of a pack as JSON-ready data (for ``GET /packs`` and the docs)."""

    def text(value: BilingualText) -> dict[str, str]:
        return value.as_dict()

    return {
        "code": pack.code,
        "name": text(pack.name),
        "currency": pack.currency,
        "rules": [
            {
                "rule_id": rule.rule_id,
                "title": text(rule.title),
                "source": rule.source,
                "grade": str(rule.grade),
                "is_verified": rule.is_verified,
            }
            for rule in pack.rules.values()
        ],
        "grounds": [
            {
                "code": ground.code,
                "citation": ground.citation,
                "label": text(ground.label),
                "rule_ids": list(ground.rule_ids),
                "requires_notice": ground.requires_notice,
                "pays_severance": ground.pays_severance,
                "is_offered_for_performance": ground.is_offered_for_performance,
                "preconditions": [
                    {"code": item.code, "rule_id": item.rule_id, "text": text(item.text)}
                    for item in ground.preconditions
                ],
            }
            for ground in pack.grounds
        ],
        "protected_categories": [
            {
                "code": item.code,
                "rule_id": item.rule_id,
                "text": text(item.text),
                "bars_grounds": list(item.bars_grounds),
            }
            for item in pack.protected_categories
        ],
        "procedure": [
            {
                "code": item.code,
                "rule_id": item.rule_id,
                "order": item.order,
                "text": text(item.text),
                "deadline_days": item.deadline_days,
                "is_configurable": item.is_configurable,
            }
            for item in pack.procedure
        ],
        "notice": {
            "rule_id": pack.notice.rule_id,
            "text": text(pack.notice.text),
            "notice_days": pack.notice.notice_days,
            "pay_in_lieu_allowed": pack.notice.pay_in_lieu_allowed,
        },
        "money_formulas": [
            {"code": item.code, "rule_id": item.rule_id, "formula": item.formula, "text": text(item.text)}
            for item in pack.money_formulas
        ],
        "limitation": [
            {"rule_id": item.rule_id, "text": text(item.text), "months": item.months, "days": item.days}
            for item in pack.limitation
        ],
        "retention": [
            {
                "record": item.record,
                "rule_id": item.rule_id,
                "minimum_years": item.minimum_years,
                "text": text(item.text),
            }
            for item in pack.retention
        ],
        "data_protection": [
            {"code": item.code, "rule_id": item.rule_id, "text": text(item.text)}
            for item in pack.data_protection
        ],
    }
