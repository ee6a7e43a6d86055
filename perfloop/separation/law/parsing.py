"""Reading plain JSON-like input into typed values, with one error code per kind of mistake.

Packs take mappings from the CLI, the API and the web form alike; a typo in a key is an
error (``unknown_field``), never silently ignored, because a dropped fact changes the
legal answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from perfloop.core.money import MoneyError, to_decimal
from perfloop.core.months import Month, MonthError
from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.periods import parse_date

EnumT = TypeVar("EnumT", bound=StrEnum)


def check_fields(data: Mapping[str, Any], allowed: Iterable[str], *, where: str) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise LawInputError("unknown_field", fields=unknown, where=where)


def mapping(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, Mapping):
        raise LawInputError("invalid_object", field=key)
    return value


def items(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise LawInputError("invalid_list", field=key)
    return value


def date(data: Mapping[str, Any], key: str) -> dt.date:
    return parse_date(data.get(key), field=key)


def optional_date(data: Mapping[str, Any], key: str) -> dt.date | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    return parse_date(value, field=key)


def decimal(data: Mapping[str, Any], key: str, default: Decimal | None = None) -> Decimal:
    value = data.get(key)
    if value is None or value == "":
        if default is None:
            raise LawInputError("missing_field", field=key)
        return default
    if isinstance(value, float):
        # JSON numbers arrive as floats; their shortest repr is what the user typed.
        value = repr(value)
    try:
        return to_decimal(value)
    except MoneyError as exc:
        raise LawInputError("invalid_number", field=key, value=value) from exc


def optional_decimal(data: Mapping[str, Any], key: str) -> Decimal | None:
    if data.get(key) is None or data.get(key) == "":
        return None
    return decimal(data, key)


def integer(data: Mapping[str, Any], key: str, default: int | None = None) -> int:
    value = data.get(key)
    if value is None or value == "":
        if default is None:
            raise LawInputError("missing_field", field=key)
        return default
    if isinstance(value, bool):
        raise LawInputError("invalid_number", field=key, value=value)
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError as exc:
        raise LawInputError("invalid_number", field=key, value=value) from exc
    if number != number.to_integral_value():
        raise LawInputError("invalid_number", field=key, value=value)
    return int(number)


def optional_integer(data: Mapping[str, Any], key: str) -> int | None:
    if data.get(key) is None or data.get(key) == "":
        return None
    return integer(data, key)


_TRUE = {"true", "yes", "1", "on", "y"}
_FALSE = {"false", "no", "0", "off", "n"}


def optional_boolean(data: Mapping[str, Any], key: str) -> bool | None:
    """``True``/``False``, or ``None`` for "not known" (missing, empty or ``"unknown"``)."""
    value = data.get(key)
    if value is None or value == "" or value == "unknown":
        return None
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise LawInputError("invalid_boolean", field=key, value=value)


def boolean(data: Mapping[str, Any], key: str, default: bool) -> bool:
    value = optional_boolean(data, key)
    return default if value is None else value


def choice(data: Mapping[str, Any], key: str, enum: type[EnumT], default: EnumT) -> EnumT:
    value = data.get(key)
    if value is None or value == "":
        return default
    return parse_choice(value, key, enum)


def optional_choice(data: Mapping[str, Any], key: str, enum: type[EnumT]) -> EnumT | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    return parse_choice(value, key, enum)


def parse_choice(value: object, key: str, enum: type[EnumT]) -> EnumT:
    try:
        return enum(str(value).strip())
    except ValueError as exc:
        allowed = [member.value for member in enum]
        raise LawInputError("invalid_choice", field=key, value=value, allowed=allowed) from exc


def month(data: Mapping[str, Any], key: str) -> Month:
    value = data.get(key)
    if value is None or value == "":
        raise LawInputError("missing_field", field=key)
    try:
        return Month.parse(str(value))
    except MonthError as exc:
        raise LawInputError("invalid_month", field=key, value=value) from exc


def text(data: Mapping[str, Any], key: str, default: str = "") -> str:
    value = data.get(key)
    return default if value is None else str(value).strip()
