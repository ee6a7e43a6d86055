"""The working of a calculation: structured steps HR can check figure by figure.

Each step names the rule it applies, the formula, the values that went in and the
result, with a sentence in zh-Hans and English. Each parameter records its value,
its default and whether the default was applied, so the bundle shows every choice
the law leaves open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from perfloop.core.money import FEN
from perfloop.separation.law.messages import BilingualText, message


class ParameterStatus(StrEnum):
    """How firm the source of a parameter's default is."""

    STATUTORY = "statutory"  # the statute or regulation fixes it
    REGIONAL = "regional"  # differs by city or province; comes from reference data
    UNVERIFIED = "unverified"  # the spec found no confirmed rule; the default is a stated choice
    ENGINE = "engine"  # an engineering default, not a legal rule


@dataclass(frozen=True, slots=True)
class Step:
    """One line of working: ``formula`` with ``values`` gives ``result`` under ``rule_id``."""

    rule_id: str
    formula: str
    values: dict[str, str]
    result: str
    text_zh: str
    text_en: str

    def text(self, language: str) -> str:
        return self.text_zh if language.lower().startswith("zh") else self.text_en

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "formula": self.formula,
            "values": dict(self.values),
            "result": self.result,
            "text_zh": self.text_zh,
            "text_en": self.text_en,
        }


@dataclass(frozen=True, slots=True)
class ParameterUse:
    """A parameter the calculation used, its default, and whether the default applied."""

    name: str
    value: str
    default: str
    is_default: bool
    rule_id: str
    status: ParameterStatus

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "default": self.default,
            "is_default": self.is_default,
            "rule_id": self.rule_id,
            "status": str(self.status),
        }


@dataclass
class Working:
    """Collects steps and parameter uses while a calculation runs."""

    steps: list[Step] = field(default_factory=list)
    parameters: dict[str, ParameterUse] = field(default_factory=dict)

    def add(
        self,
        rule_id: str,
        key: str,
        *,
        formula: str,
        values: dict[str, str] | None = None,
        result: str,
        **text_params: Any,
    ) -> Step:
        """Append a step whose sentence is the catalogue text ``step.<key>``."""
        values = values or {}
        text = message(f"step.{key}", **{**values, **text_params, "result": result})
        step = Step(
            rule_id=rule_id,
            formula=formula,
            values=dict(values),
            result=result,
            text_zh=text.zh,
            text_en=text.en,
        )
        self.steps.append(step)
        return step

    def use(
        self,
        name: str,
        *,
        value: object,
        default: object,
        rule_id: str,
        status: ParameterStatus,
    ) -> None:
        """Record a parameter; the same name recorded twice keeps the first record."""
        if name in self.parameters:
            return
        self.parameters[name] = ParameterUse(
            name=name,
            value=display(value),
            default=display(default),
            is_default=display(value) == display(default),
            rule_id=rule_id,
            status=status,
        )

    def extend(self, other: Working) -> None:
        self.steps.extend(other.steps)
        for name, use in other.parameters.items():
            self.parameters.setdefault(name, use)


def display(value: object) -> str:
    """A value as shown in the working: decimals plain, dates ISO, enums by value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def money_text(amount: Decimal) -> str:
    """``32,000.00``: an amount to the fen with thousands separators."""
    return f"{amount.quantize(FEN, rounding=ROUND_HALF_UP):,.2f}"


def exact_money_text(amount: Decimal) -> str:
    """An intermediate amount: to the fen if exact, else to 4 places with a ``≈`` marker."""
    rounded = amount.quantize(FEN, rounding=ROUND_HALF_UP)
    if rounded == amount:
        return money_text(amount)
    return f"≈{amount.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP):,.4f}"


def decimal_text(value: Decimal) -> str:
    """A multiplier such as ``3.5`` or ``12``, without exponent or trailing zeros."""
    return f"{value.normalize():f}"


def render_text(steps: list[Step], language: str) -> str:
    """The working as numbered lines, for the CLI and plain-text exports."""
    lines = []
    for number, step in enumerate(steps, start=1):
        lines.append(f"{number:>2}. [{step.rule_id}] {step.formula} = {step.result}")
        lines.append(f"    {step.text(language)}")
    return "\n".join(lines)


__all__ = [
    "BilingualText",
    "ParameterStatus",
    "ParameterUse",
    "Step",
    "Working",
    "decimal_text",
    "display",
    "exact_money_text",
    "money_text",
    "render_text",
]
