"""Published local figures as versioned data: reading seed files and finding the right row.

Pure: rows come in as plain values (from a seed file or from the database via the
selectors) and the lookups return them or raise a specific error. Figures are never
guessed: an unknown city or a year without a published figure is an error the user
sees (CN-M-04: A is the previous year's figure published by the employer's city).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from perfloop.separation.law import parsing
from perfloop.separation.law.cn_severance import LocalWageReference
from perfloop.separation.law.errors import LawInputError, ReferenceDataMissingError
from perfloop.separation.law.retirement import RetirementAgeRule, rule_from_mapping

VERIFIED = "verified"
UNVERIFIED = "unverified"

CITY_ALIASES = {
    "上海": "shanghai",
    "上海市": "shanghai",
    "北京": "beijing",
    "北京市": "beijing",
    "深圳": "shenzhen",
    "深圳市": "shenzhen",
    "广州": "guangzhou",
    "广州市": "guangzhou",
    "杭州": "hangzhou",
    "杭州市": "hangzhou",
    "成都": "chengdu",
    "成都市": "chengdu",
    "天津": "tianjin",
    "天津市": "tianjin",
}


def normalize_city(name: str) -> str:
    """A city key: ``"上海市"``, ``"Shanghai"`` and ``" shanghai "`` are all ``"shanghai"``."""
    key = name.strip()
    return CITY_ALIASES.get(key, key.lower())


@dataclass(frozen=True, slots=True)
class AverageWageRow:
    """A city's published average monthly wage of employees for a statistical year (A)."""

    city: str
    year: int
    average_monthly_wage: Decimal
    source_note: str
    is_verified: bool = False
    published_on: dt.date | None = None
    version: int = 1


@dataclass(frozen=True, slots=True)
class MinimumWageRow:
    """A city's monthly minimum wage (first tier) from a date."""

    city: str
    effective_from: dt.date
    monthly_minimum: Decimal
    source_note: str
    is_verified: bool = False
    version: int = 1


@dataclass(frozen=True, slots=True)
class CityRuleRow:
    """Per-city choices the national law leaves open (CN-M-03 overtime, CN-M-05 pre-2008 hook)."""

    city: str
    overtime_in_wage_base: bool | None
    pre_2008_rule: str | None
    source_note: str
    is_verified: bool = False
    version: int = 1


@dataclass(frozen=True, slots=True)
class ReferenceSet:
    average_wages: tuple[AverageWageRow, ...] = ()
    minimum_wages: tuple[MinimumWageRow, ...] = ()
    city_rules: tuple[CityRuleRow, ...] = ()
    retirement_age_rules: tuple[RetirementAgeRule, ...] = field(default_factory=tuple)

    @property
    def cities(self) -> set[str]:
        return (
            {row.city for row in self.average_wages}
            | {row.city for row in self.minimum_wages}
            | {row.city for row in self.city_rules}
        )


# ---------------------------------------------------------------------------- reading rows


def _is_verified(row: Mapping[str, Any]) -> bool:
    value = row.get("verification", row.get("is_verified", UNVERIFIED))
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in {VERIFIED, UNVERIFIED, "true", "false"}:
        raise LawInputError("invalid_reference_row", kind="verification", row=dict(row))
    return text in {VERIFIED, "true"}


def _source(row: Mapping[str, Any]) -> str:
    source = parsing.text(row, "source_note") or parsing.text(row, "source")
    if not source:
        raise LawInputError("invalid_reference_row", kind="missing source", row=dict(row))
    return source


def average_wage_from_mapping(row: Mapping[str, Any]) -> AverageWageRow:
    amount = parsing.decimal(row, "average_monthly_wage")
    if amount <= 0:
        raise LawInputError("invalid_reference_row", kind="average_wage", row=dict(row))
    return AverageWageRow(
        city=normalize_city(parsing.text(row, "city")),
        year=parsing.integer(row, "year"),
        average_monthly_wage=amount,
        source_note=_source(row),
        is_verified=_is_verified(row),
        published_on=parsing.optional_date(row, "published_on"),
        version=parsing.integer(row, "version", default=1),
    )


def minimum_wage_from_mapping(row: Mapping[str, Any]) -> MinimumWageRow:
    amount = parsing.decimal(row, "monthly_minimum")
    if amount <= 0:
        raise LawInputError("invalid_reference_row", kind="minimum_wage", row=dict(row))
    return MinimumWageRow(
        city=normalize_city(parsing.text(row, "city")),
        effective_from=parsing.date(row, "effective_from"),
        monthly_minimum=amount,
        source_note=_source(row),
        is_verified=_is_verified(row),
        version=parsing.integer(row, "version", default=1),
    )


def city_rule_from_mapping(row: Mapping[str, Any]) -> CityRuleRow:
    return CityRuleRow(
        city=normalize_city(parsing.text(row, "city")),
        overtime_in_wage_base=parsing.optional_boolean(row, "overtime_in_wage_base"),
        pre_2008_rule=parsing.text(row, "pre_2008_rule") or None,
        source_note=_source(row),
        is_verified=_is_verified(row),
        version=parsing.integer(row, "version", default=1),
    )


def reference_set_from_mapping(data: Mapping[str, Any]) -> ReferenceSet:
    """A JSON document with any of the kinds: average wages, minimum wages, city rules, retirement rules."""
    parsing.check_fields(
        data,
        (
            "kind",
            "version",
            "note",
            "average_wages",
            "minimum_wages",
            "city_rules",
            "retirement_age_rules",
            "rules",
        ),
        where="reference file",
    )
    retirement_rows = parsing.items(data, "retirement_age_rules") or parsing.items(data, "rules")
    return ReferenceSet(
        average_wages=tuple(average_wage_from_mapping(row) for row in parsing.items(data, "average_wages")),
        minimum_wages=tuple(minimum_wage_from_mapping(row) for row in parsing.items(data, "minimum_wages")),
        city_rules=tuple(city_rule_from_mapping(row) for row in parsing.items(data, "city_rules")),
        retirement_age_rules=tuple(rule_from_mapping(row) for row in retirement_rows),
    )


CSV_KINDS = {
    "average_wages": average_wage_from_mapping,
    "minimum_wages": minimum_wage_from_mapping,
    "city_rules": city_rule_from_mapping,
}


def reference_set_from_csv(text: str, kind: str) -> ReferenceSet:
    """One CSV of ``kind`` (``average_wages``, ``minimum_wages`` or ``city_rules``)."""
    if kind not in CSV_KINDS:
        raise LawInputError("invalid_choice", field="kind", value=kind, allowed=sorted(CSV_KINDS))
    rows = [row for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))) if any(row.values())]
    reader = CSV_KINDS[kind]
    return ReferenceSet(**{kind: tuple(reader(row) for row in rows)})  # type: ignore[arg-type]


def read_reference_file(path: Path, kind: str | None = None) -> ReferenceSet:
    """A seed or import file: JSON (any kinds) or CSV (``kind`` from the argument or the file name)."""
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise LawInputError("unreadable_file", path=str(path)) from exc
    if path.suffix.lower() == ".json":
        try:
            return reference_set_from_mapping(json.loads(text))
        except json.JSONDecodeError as exc:
            raise LawInputError("invalid_json", path=str(path), line=exc.lineno) from exc
    inferred = kind or next((name for name in CSV_KINDS if name in path.stem), None)
    if inferred is None:
        raise LawInputError("invalid_choice", field="kind", value=path.name, allowed=sorted(CSV_KINDS))
    return reference_set_from_csv(text, inferred)


SEED_FILES = (
    "cn_average_wages.csv",
    "cn_minimum_wages.csv",
    "cn_city_rules.csv",
    "retirement_age_rules.json",
)


def seed_reference_set() -> ReferenceSet:
    """Every seed file shipped in ``perfloop/separation/data``, merged."""
    root = resources.files("perfloop.separation").joinpath("data")
    merged = ReferenceSet()
    for name in SEED_FILES:
        with resources.as_file(root.joinpath(name)) as path:
            merged = merge(merged, read_reference_file(Path(path)))
    return merged


def merge(first: ReferenceSet, second: ReferenceSet) -> ReferenceSet:
    return ReferenceSet(
        average_wages=first.average_wages + second.average_wages,
        minimum_wages=first.minimum_wages + second.minimum_wages,
        city_rules=first.city_rules + second.city_rules,
        retirement_age_rules=first.retirement_age_rules + second.retirement_age_rules,
    )


# ---------------------------------------------------------------------------- lookups


def _latest(rows: Iterable[Any], key: Any) -> list[Any]:
    """Only the highest version of each key: corrections are new versions, old ones stay for the record."""
    best: dict[Any, Any] = {}
    for row in rows:
        current = best.get(key(row))
        if current is None or row.version > current.version:
            best[key(row)] = row
    return list(best.values())


def find_average_wage(rows: Iterable[AverageWageRow], city: str, year: int) -> AverageWageRow:
    """A for ``city`` and statistical ``year``; unknown city and missing year are distinct errors."""
    key = normalize_city(city)
    in_city = [row for row in _latest(rows, lambda row: (row.city, row.year)) if row.city == key]
    if not in_city:
        raise ReferenceDataMissingError("unknown_city", city=key)
    for row in in_city:
        if row.year == year:
            return row
    raise ReferenceDataMissingError(
        "no_reference_for_year", city=key, year=year, years=sorted(r.year for r in in_city)
    )


def find_minimum_wage(rows: Iterable[MinimumWageRow], city: str, on: dt.date) -> MinimumWageRow:
    """The minimum wage in force in ``city`` on ``on``."""
    key = normalize_city(city)
    in_city = [row for row in _latest(rows, lambda row: (row.city, row.effective_from)) if row.city == key]
    if not in_city:
        raise ReferenceDataMissingError("unknown_city", city=key)
    in_force = [row for row in in_city if row.effective_from <= on]
    if not in_force:
        raise ReferenceDataMissingError("no_minimum_wage_for_date", city=key, date=on)
    return max(in_force, key=lambda row: row.effective_from)


def find_city_rule(rows: Iterable[CityRuleRow], city: str) -> CityRuleRow | None:
    key = normalize_city(city)
    matches = [row for row in _latest(rows, lambda row: row.city) if row.city == key]
    return matches[0] if matches else None


def local_wage_reference(
    references: ReferenceSet,
    *,
    city: str,
    termination_date: dt.date,
    average_wage_year: int | None = None,
) -> LocalWageReference:
    """The figures for a termination: A of the previous year (or the year asked) and the minimum wage then."""
    year = average_wage_year if average_wage_year is not None else termination_date.year - 1
    average = find_average_wage(references.average_wages, city, year)
    minimum = find_minimum_wage(references.minimum_wages, city, termination_date)
    rule = find_city_rule(references.city_rules, city)
    notes = [f"A: {average.source_note}", f"min: {minimum.source_note}"]
    if rule is not None:
        notes.append(f"rules: {rule.source_note}")
    return LocalWageReference(
        city=average.city,
        average_wage_year=average.year,
        average_monthly_wage=average.average_monthly_wage,
        minimum_monthly_wage=minimum.monthly_minimum,
        minimum_wage_effective_from=minimum.effective_from,
        overtime_in_wage_base=None if rule is None else rule.overtime_in_wage_base,
        pre_2008_rule=None if rule is None else rule.pre_2008_rule,
        source_note=" | ".join(notes),
        is_verified=average.is_verified and minimum.is_verified,
    )


def reference_as_mapping(reference: LocalWageReference) -> dict[str, Any]:
    """The plain form the pack's ``calculate`` reads under ``"reference"``."""
    return {
        "city": reference.city,
        "average_wage_year": reference.average_wage_year,
        "average_monthly_wage": str(reference.average_monthly_wage),
        "minimum_monthly_wage": str(reference.minimum_monthly_wage),
        "minimum_wage_effective_from": None
        if reference.minimum_wage_effective_from is None
        else reference.minimum_wage_effective_from.isoformat(),
        "overtime_in_wage_base": reference.overtime_in_wage_base,
        "pre_2008_rule": reference.pre_2008_rule,
        "source_note": reference.source_note,
        "is_verified": reference.is_verified,
    }
