"""Mainland-China exit money: severance, pay in lieu, damages, a negotiated exit, the last day.

Rules (labour-law-cn.md §6): service multiplier N (LCL Art. 47 ¶1, CN-M-02), the monthly
wage W (Art. 47 ¶3 and LCL-Regs Art. 27, CN-M-03), the 3A cap with the 12-year limit only
above it (Art. 47 ¶2, CN-M-04), pre-2008 service (Art. 97 ¶3, CN-M-05), pay in lieu of
notice P (LCL-Regs Art. 20, CN-M-06), the lawful total (CN-M-07), damages D = 2 × severance
from the first day of work (Art. 48/87, LCL-Regs Art. 25, CN-M-08) and exact decimals
(CN-M-09).

Amounts stay exact (a 50-digit decimal context) until the final amount, which is rounded
half up to the fen; every step is recorded in a :class:`Working`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum

from perfloop.core.money import FEN, ZERO
from perfloop.core.months import Month, month_range
from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.interface import CalculationBundle, CalculationResult
from perfloop.separation.law.messages import city_label, message
from perfloop.separation.law.periods import ServiceLength, measure_service, validate_dates
from perfloop.separation.law.working import (
    ParameterStatus,
    Working,
    decimal_text,
    exact_money_text,
    money_text,
)

CURRENCY = "CNY"
LCL_IN_FORCE = dt.date(2008, 1, 1)
LAST_DAY_BEFORE_LCL = dt.date(2007, 12, 31)
STATUTORY_NOTICE_DAYS = 30
CAP_MULTIPLE = Decimal(3)
CAP_YEARS = Decimal(12)
PRE_LCL_CAP_MONTHS = 12
WAGE_WINDOW_MONTHS = 12
HALF = Decimal("0.5")
ONE = Decimal(1)
PRECISION = 50


class PartMonthCounting(StrEnum):
    """How days after the last whole month count toward the Art. 47 remainder (CN-M-02, unverified)."""

    EXACT = "exact"  # leftover days are service: with no whole remainder month they count as "under 6 months"
    STARTED_MONTH_COUNTS = "started_month_counts"  # a started month counts as a whole month
    IGNORE_PART_MONTH = "ignore_part_month"  # leftover days are dropped


class Pre2008Rule(StrEnum):
    """Per-city hook for service before 2008-01-01 (CN-M-05)."""

    MOL_1994_481 = "mol_1994_481"  # 劳部发〔1994〕481号: a month per year, part year = full year, ≤ 12 months
    LCL_ART_47 = "lcl_art_47"  # count the old years under Art. 47 as if unsegmented (regional practice)


DEFAULT_PART_MONTH_COUNTING = PartMonthCounting.EXACT
DEFAULT_PRE_2008_RULE = Pre2008Rule.MOL_1994_481
DEFAULT_INCLUDE_OVERTIME = True


@dataclass(frozen=True, slots=True)
class MonthlyWage:
    """The wage payable (应得工资) for one month; ``overtime`` is the part of ``amount`` paid for overtime."""

    month: Month
    amount: Decimal
    overtime: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class LocalWageReference:
    """Published figures for the employer's city: A (the previous year's average) and the minimum wage."""

    city: str
    average_wage_year: int
    average_monthly_wage: Decimal
    minimum_monthly_wage: Decimal
    minimum_wage_effective_from: dt.date | None = None
    overtime_in_wage_base: bool | None = None
    pre_2008_rule: str | None = None
    source_note: str = ""
    is_verified: bool = False


@dataclass(frozen=True, slots=True)
class SeveranceParameters:
    """Choices the law leaves open; ``None`` means "use the city's rule, else the engine default"."""

    part_month_counting: PartMonthCounting = DEFAULT_PART_MONTH_COUNTING
    include_overtime: bool | None = None
    pre_2008_rule: Pre2008Rule | None = None
    round_wage_base_to_fen: bool = False
    pay_in_lieu_with_damages: bool = False
    notice_days: int = STATUTORY_NOTICE_DAYS


@dataclass(frozen=True, slots=True)
class SeveranceInput:
    """Everything the exit calculators need for one employee."""

    hire_date: dt.date
    termination_date: dt.date
    wages: tuple[MonthlyWage, ...]
    reference: LocalWageReference
    notice_given: bool = True
    notice_date: dt.date | None = None
    previous_month_wage: Decimal | None = None
    merged_service_start: dt.date | None = None
    negotiated_extra_months: Decimal = ZERO
    negotiated_extra_amount: Decimal = ZERO
    parameters: SeveranceParameters = field(default_factory=SeveranceParameters)

    @property
    def service_start(self) -> dt.date:
        """用工之日, moved back for service merged from a previous employer (LCL-Regs Art. 10)."""
        return self.merged_service_start or self.hire_date


@dataclass(frozen=True, slots=True)
class WageBase:
    average: Decimal  # exact 12-month (or shorter) average
    base: Decimal  # after the minimum-wage floor (and the fen rounding if chosen)
    months: tuple[Month, ...]
    is_floored: bool


@dataclass(frozen=True, slots=True)
class CappedBase:
    base: Decimal
    multiplier: Decimal
    is_capped: bool


# ---------------------------------------------------------------------------- validation


def validate_input(data: SeveranceInput) -> None:
    """Reject input no calculation can be right about, each with its own code."""
    validate_dates(hire_date=data.hire_date, termination_date=data.termination_date)
    if data.termination_date < data.hire_date:
        raise LawInputError(
            "termination_before_hire", hire_date=data.hire_date, termination_date=data.termination_date
        )
    if data.termination_date < LCL_IN_FORCE:
        raise LawInputError("termination_before_lcl", termination_date=data.termination_date)
    if data.merged_service_start is not None and data.merged_service_start > data.hire_date:
        raise LawInputError(
            "merged_start_after_hire",
            merged_service_start=data.merged_service_start,
            hire_date=data.hire_date,
        )
    if data.notice_date is not None:
        if data.notice_date > data.termination_date:
            raise LawInputError(
                "notice_after_termination",
                notice_date=data.notice_date,
                termination_date=data.termination_date,
            )
        if data.notice_date < data.hire_date:
            raise LawInputError("notice_before_hire", notice_date=data.notice_date, hire_date=data.hire_date)
    seen: set[Month] = set()
    for wage in data.wages:
        if wage.month in seen:
            raise LawInputError("duplicate_wage_month", month=wage.month)
        seen.add(wage.month)
        if wage.amount < 0 or wage.overtime < 0:
            raise LawInputError("negative_wage", month=wage.month, amount=wage.amount)
        if wage.overtime > wage.amount:
            raise LawInputError(
                "overtime_exceeds_wage", month=wage.month, overtime=wage.overtime, amount=wage.amount
            )
    if data.previous_month_wage is not None and data.previous_month_wage < 0:
        raise LawInputError("negative_wage", month="previous", amount=data.previous_month_wage)
    reference = data.reference
    if reference.average_monthly_wage <= 0 or reference.minimum_monthly_wage < 0:
        raise LawInputError("invalid_reference_figure", city=reference.city, year=reference.average_wage_year)
    if data.negotiated_extra_months < 0 or data.negotiated_extra_amount < 0:
        raise LawInputError("negative_negotiated_extra", months=data.negotiated_extra_months)
    if data.parameters.notice_days < 0:
        raise LawInputError("invalid_parameter", name="notice_days", value=data.parameters.notice_days)


# ---------------------------------------------------------------------------- service (CN-M-02)


def multiplier_for(length: ServiceLength, counting: PartMonthCounting) -> Decimal:
    """N: a month per full year; a remainder ≥ 6 months → 1, 0 < remainder < 6 months → 0.5."""
    years = length.full_years
    remainder = length.remainder_months
    days = length.days
    if counting is PartMonthCounting.STARTED_MONTH_COUNTS and days > 0:
        remainder += 1
        days = 0
        if remainder == 12:
            years, remainder = years + 1, 0
    elif counting is PartMonthCounting.IGNORE_PART_MONTH:
        days = 0
    if remainder >= 6:
        return Decimal(years) + ONE
    if remainder > 0 or days > 0:
        return Decimal(years) + HALF
    return Decimal(years)


def service_multiplier(
    first_day: dt.date,
    last_day: dt.date,
    counting: PartMonthCounting,
    working: Working,
    *,
    segment: str = "full",
) -> tuple[ServiceLength, Decimal]:
    """N under LCL Art. 47 ¶1 for service from ``first_day`` to ``last_day`` inclusive, with its working."""
    length = measure_service(first_day, last_day)
    working.use(
        "part_month_counting",
        value=counting,
        default=DEFAULT_PART_MONTH_COUNTING,
        rule_id="CN-M-02",
        status=ParameterStatus.UNVERIFIED,
    )
    working.add(
        "CN-M-02",
        f"service_length_{segment}",
        formula="(last day + 1) − first day",
        values={"first_day": first_day.isoformat(), "last_day": last_day.isoformat()},
        result=str(length),
        years=length.full_years,
        months=length.remainder_months,
        days=length.days,
    )
    multiplier = multiplier_for(length, counting)
    values = {
        "full_years": str(length.full_years),
        "remainder_months": str(length.remainder_months),
        "remainder_days": str(length.days),
        "counting": counting.value,
    }
    if length.remainder_months == 0 and length.days == 0:
        key = "multiplier_whole_years"
    elif multiplier == Decimal(length.full_years) + ONE:
        key = "multiplier_remainder_full"
    elif multiplier == Decimal(length.full_years):
        key = "multiplier_remainder_dropped"
    else:
        key = "multiplier_remainder_half"
    working.add(
        "CN-M-02",
        key,
        formula="N = full years + (1 if remainder ≥ 6 months; 0.5 if 0 < remainder < 6 months)",
        values=values,
        result=decimal_text(multiplier),
    )
    return length, multiplier


# ---------------------------------------------------------------------------- wage base (CN-M-03)


def wage_window(hire_date: dt.date, termination_date: dt.date) -> tuple[Month, ...]:
    """The months averaged for W: up to 12 full calendar months of work before the termination date.

    The termination month counts if the employment ends on its last day; the hire month counts if work
    started on its first day. With no full calendar month worked, every month touched is used.
    """
    termination_month = Month.of(termination_date)
    last_full = termination_month if termination_date == termination_month.last_day else termination_month - 1
    hire_month = Month.of(hire_date)
    first_full = hire_month if hire_date.day == 1 else hire_month + 1
    if last_full < first_full:
        return tuple(month_range(hire_month, termination_month))
    first = max(first_full, last_full - (WAGE_WINDOW_MONTHS - 1))
    return tuple(month_range(first, last_full))


def include_overtime_for(data: SeveranceInput) -> tuple[bool, bool]:
    """Whether overtime counts in W, and the default that applied (city rule, else engine default)."""
    default = data.reference.overtime_in_wage_base
    if default is None:
        default = DEFAULT_INCLUDE_OVERTIME
    chosen = data.parameters.include_overtime
    return (default if chosen is None else chosen), default


def wage_base(data: SeveranceInput, working: Working) -> WageBase:
    """W: the average wage payable over the window, floored at the minimum wage (LCL-Regs Art. 27)."""
    months = wage_window(data.hire_date, data.termination_date)
    by_month = {wage.month: wage for wage in data.wages}
    missing = [month for month in months if month not in by_month]
    if missing:
        raise LawInputError("missing_wage_months", months=[str(month) for month in missing])
    include_overtime, overtime_default = include_overtime_for(data)
    working.use(
        "wage_window",
        value="full_calendar_months",
        default="full_calendar_months",
        rule_id="CN-M-03",
        status=ParameterStatus.UNVERIFIED,
    )
    working.use(
        "include_overtime",
        value=include_overtime,
        default=overtime_default,
        rule_id="CN-M-03",
        status=ParameterStatus.REGIONAL,
    )
    working.use(
        "round_wage_base_to_fen",
        value=data.parameters.round_wage_base_to_fen,
        default=False,
        rule_id="CN-M-09",
        status=ParameterStatus.UNVERIFIED,
    )
    ignored = sorted(set(by_month) - set(months))
    working.add(
        "CN-M-03",
        "wage_window",
        formula="12 full months before termination (or the months worked)",
        values={"first": str(months[0]), "last": str(months[-1]), "count": str(len(months))},
        result=str(len(months)),
        ignored=", ".join(str(month) for month in ignored) or "—",
    )
    with localcontext() as context:
        context.prec = PRECISION
        amounts = [by_month[month].amount for month in months]
        overtime = sum((by_month[month].overtime for month in months), ZERO)
        total = sum(amounts, ZERO)
        if not include_overtime and overtime > 0:
            working.add(
                "CN-M-03",
                "wage_overtime_excluded",
                formula="Σ wages − Σ overtime",
                values={
                    "wages": money_text(total),
                    "overtime": money_text(overtime),
                    "city": data.reference.city,
                },
                result=money_text(total - overtime),
                city=city_label(data.reference.city),
            )
            total -= overtime
        elif include_overtime and overtime > 0:
            working.add(
                "CN-M-03",
                "wage_overtime_included",
                formula="Σ wages (overtime included)",
                values={"overtime": money_text(overtime), "city": data.reference.city},
                result=money_text(total),
                city=city_label(data.reference.city),
            )
        average = total / Decimal(len(months))
        working.add(
            "CN-M-03",
            "wage_average" if len(months) == WAGE_WINDOW_MONTHS else "wage_average_short",
            formula="W = Σ wages ÷ months",
            values={"total": money_text(total), "months": str(len(months))},
            result=exact_money_text(average),
        )
        minimum = data.reference.minimum_monthly_wage
        is_floored = average < minimum
        base = minimum if is_floored else average
        working.add(
            "CN-M-03",
            "minimum_wage_floor_applied" if is_floored else "minimum_wage_floor_not_needed",
            formula="W = max(W, minimum wage)",
            values={
                "average": exact_money_text(average),
                "minimum": money_text(minimum),
                "city": data.reference.city,
            },
            result=exact_money_text(base),
            city=city_label(data.reference.city),
        )
        if data.parameters.round_wage_base_to_fen:
            base = base.quantize(FEN, rounding=ROUND_HALF_UP)
            working.add(
                "CN-M-09",
                "wage_rounded",
                formula="round(W, 0.01)",
                values={},
                result=money_text(base),
            )
    return WageBase(average=average, base=base, months=months, is_floored=is_floored)


# ---------------------------------------------------------------------------- cap (CN-M-04)


def apply_cap(
    wage: Decimal, multiplier: Decimal, reference: LocalWageReference, working: Working
) -> CappedBase:
    """LCL Art. 47 ¶2: only if W > 3A is the base 3A and N limited to 12; otherwise W and no year limit."""
    with localcontext() as context:
        context.prec = PRECISION
        cap = CAP_MULTIPLE * reference.average_monthly_wage
        values = {
            "wage": exact_money_text(wage),
            "average": money_text(reference.average_monthly_wage),
            "cap": money_text(cap),
            "year": str(reference.average_wage_year),
            "city": reference.city,
            "multiplier": decimal_text(multiplier),
        }
        if wage > cap:
            limited = min(multiplier, CAP_YEARS)
            working.add(
                "CN-M-04",
                "cap_applied",
                formula="W > 3A ⇒ base = 3A, N = min(N, 12)",
                values=values,
                result=f"{money_text(cap)} × {decimal_text(limited)}",
                limited=decimal_text(limited),
                city=city_label(reference.city),
            )
            return CappedBase(base=cap, multiplier=limited, is_capped=True)
        working.add(
            "CN-M-04",
            "cap_not_applied",
            formula="W ≤ 3A ⇒ base = W, no 12-year limit",
            values=values,
            result=f"{exact_money_text(wage)} × {decimal_text(multiplier)}",
        )
        return CappedBase(base=wage, multiplier=multiplier, is_capped=False)


def _record_reference(data: SeveranceInput, working: Working) -> None:
    reference = data.reference
    expected_year = data.termination_date.year - 1
    working.use(
        "average_wage_year",
        value=reference.average_wage_year,
        default=expected_year,
        rule_id="CN-M-04",
        status=ParameterStatus.REGIONAL,
    )
    working.add(
        "CN-M-04",
        "reference_figures",
        formula="A, minimum wage (reference data)",
        values={
            "city": reference.city,
            "year": str(reference.average_wage_year),
            "average": money_text(reference.average_monthly_wage),
            "minimum": money_text(reference.minimum_monthly_wage),
            "source": reference.source_note or "—",
            "verified": "yes" if reference.is_verified else "no",
        },
        result=money_text(reference.average_monthly_wage),
        city=city_label(reference.city),
    )


# ---------------------------------------------------------------------------- amounts


def _final(amount: Decimal, working: Working, rule_id: str = "CN-M-09") -> Decimal:
    final = amount.quantize(FEN, rounding=ROUND_HALF_UP)
    working.use(
        "rounding",
        value="half_up_to_fen_on_final_amount",
        default="half_up_to_fen_on_final_amount",
        rule_id="CN-M-09",
        status=ParameterStatus.UNVERIFIED,
    )
    working.add(
        rule_id,
        "final_rounding",
        formula="round half up to 0.01",
        values={"exact": exact_money_text(amount)},
        result=money_text(final),
    )
    return final


def _result(name: str, amount: Decimal | None, working: Working, **details: str) -> CalculationResult:
    return CalculationResult(
        name=name,
        label=message(f"result.{name}"),
        amount=amount,
        steps=tuple(working.steps),
        parameters_used=tuple(working.parameters.values()),
        currency=CURRENCY,
        details=details,
    )


def pre_2008_rule_for(data: SeveranceInput) -> tuple[Pre2008Rule, Pre2008Rule]:
    """The hook chosen for pre-2008 service, and the default (the city's rule, else the national rule)."""
    city_rule = data.reference.pre_2008_rule
    try:
        default = Pre2008Rule(city_rule) if city_rule else DEFAULT_PRE_2008_RULE
    except ValueError as exc:
        raise LawInputError("invalid_parameter", name="pre_2008_rule", value=city_rule) from exc
    chosen = data.parameters.pre_2008_rule or default
    return chosen, default


def _pre_2008_months(length: ServiceLength) -> int:
    """劳部发〔1994〕481号 for incompetence: a month per year, a part year as a year, at most 12."""
    years = length.full_years + (1 if (length.remainder_months or length.days) else 0)
    return min(years, PRE_LCL_CAP_MONTHS)


def severance(data: SeveranceInput) -> CalculationResult:
    """Lawful severance S for an Art. 40 termination (LCL Art. 46(3), 47, 97 ¶3)."""
    validate_input(data)
    working = Working()
    working.add(
        "CN-M-01",
        "severance_due",
        formula="Art. 40 termination ⇒ Art. 46(3) severance",
        values={},
        result="S",
    )
    _record_reference(data, working)
    wage = wage_base(data, working)
    start = data.service_start
    if data.merged_service_start is not None:
        working.add(
            "CN-M-02",
            "merged_service",
            formula="service start = previous employer's start",
            values={"merged_start": start.isoformat(), "hire_date": data.hire_date.isoformat()},
            result=start.isoformat(),
        )
    counting = data.parameters.part_month_counting
    with localcontext() as context:
        context.prec = PRECISION
        if start < LCL_IN_FORCE:
            rule, default_rule = pre_2008_rule_for(data)
            working.use(
                "pre_2008_rule",
                value=rule,
                default=default_rule,
                rule_id="CN-M-05",
                status=ParameterStatus.REGIONAL,
            )
            if rule is Pre2008Rule.MOL_1994_481:
                return _segmented_severance(data, start, wage, working)
            working.add(
                "CN-M-05",
                "pre_2008_unsegmented",
                formula="Art. 47 over the whole service",
                values={"rule": rule.value},
                result="—",
            )
        _, multiplier = service_multiplier(start, data.termination_date, counting, working)
        capped = apply_cap(wage.base, multiplier, data.reference, working)
        amount = capped.base * capped.multiplier
        working.add(
            "CN-M-07",
            "severance_amount",
            formula="S = N × base",
            values={"multiplier": decimal_text(capped.multiplier), "base": exact_money_text(capped.base)},
            result=exact_money_text(amount),
        )
        final = _final(amount, working)
    return _result(
        "severance",
        final,
        working,
        multiplier=decimal_text(capped.multiplier),
        base=exact_money_text(capped.base),
        is_capped=str(capped.is_capped).lower(),
        wage=exact_money_text(wage.base),
    )


def _segmented_severance(
    data: SeveranceInput, start: dt.date, wage: WageBase, working: Working
) -> CalculationResult:
    """Service before 2008 under 劳部发〔1994〕481号, service from 2008 under LCL Art. 47 with its cap."""
    old = measure_service(start, LAST_DAY_BEFORE_LCL)
    old_months = Decimal(_pre_2008_months(old))
    working.add(
        "CN-M-05",
        "pre_2008_segment",
        formula="months = full years + (1 if any part year); ≤ 12",
        values={
            "first_day": start.isoformat(),
            "last_day": LAST_DAY_BEFORE_LCL.isoformat(),
            "length": str(old),
        },
        result=decimal_text(old_months),
    )
    old_amount = old_months * wage.base
    working.add(
        "CN-M-05",
        "pre_2008_amount",
        formula="S₁ = months × W (no 3A cap)",
        values={"months": decimal_text(old_months), "wage": exact_money_text(wage.base)},
        result=exact_money_text(old_amount),
    )
    _, multiplier = service_multiplier(
        LCL_IN_FORCE, data.termination_date, data.parameters.part_month_counting, working, segment="post_2008"
    )
    capped = apply_cap(wage.base, multiplier, data.reference, working)
    new_amount = capped.base * capped.multiplier
    working.add(
        "CN-M-05",
        "post_2008_amount",
        formula="S₂ = N × base",
        values={"multiplier": decimal_text(capped.multiplier), "base": exact_money_text(capped.base)},
        result=exact_money_text(new_amount),
    )
    total = old_amount + new_amount
    working.add(
        "CN-M-07",
        "segments_total",
        formula="S = S₁ + S₂",
        values={"old": exact_money_text(old_amount), "new": exact_money_text(new_amount)},
        result=exact_money_text(total),
    )
    final = _final(total, working)
    return _result(
        "severance",
        final,
        working,
        multiplier=decimal_text(old_months + capped.multiplier),
        pre_2008_months=decimal_text(old_months),
        post_2008_multiplier=decimal_text(capped.multiplier),
        base=exact_money_text(capped.base),
        is_capped=str(capped.is_capped).lower(),
        wage=exact_money_text(wage.base),
    )


def previous_month(data: SeveranceInput) -> Month:
    """The month before the month of termination: whose wage sets P (LCL-Regs Art. 20)."""
    return Month.of(data.termination_date) - 1


def pay_in_lieu(data: SeveranceInput) -> CalculationResult:
    """P: one month of the previous month's wage, owed only when 30 days' written notice is not given."""
    validate_input(data)
    working = Working()
    working.use(
        "notice_days",
        value=data.parameters.notice_days,
        default=STATUTORY_NOTICE_DAYS,
        rule_id="CN-PR-01",
        status=ParameterStatus.STATUTORY,
    )
    if data.notice_given:
        working.add(
            "CN-M-06", "pay_in_lieu_not_due", formula="notice given ⇒ P = 0", values={}, result="0.00"
        )
        return _result("pay_in_lieu", ZERO, working)
    month = previous_month(data)
    if data.previous_month_wage is not None:
        wage = data.previous_month_wage
        working.add(
            "CN-M-06",
            "pay_in_lieu_given_wage",
            formula="P = previous month's wage (given)",
            values={"month": str(month), "wage": money_text(wage)},
            result=exact_money_text(wage),
        )
    else:
        by_month = {item.month: item for item in data.wages}
        if month not in by_month:
            raise LawInputError("missing_previous_month_wage", month=month)
        wage = by_month[month].amount
        working.add(
            "CN-M-06",
            "pay_in_lieu_from_wages",
            formula="P = wage of the previous month (not the 12-month average, no 3A cap)",
            values={"month": str(month), "wage": money_text(wage)},
            result=exact_money_text(wage),
        )
    final = _final(wage, working)
    return _result("pay_in_lieu", final, working, month=str(month))


def lawful_total(
    severance_result: CalculationResult, pay_in_lieu_result: CalculationResult
) -> CalculationResult:
    """CN-M-07: S + P for a lawful Art. 40(2) termination."""
    working = Working()
    severance_amount = severance_result.amount or ZERO
    notice_amount = pay_in_lieu_result.amount or ZERO
    total = severance_amount + notice_amount
    working.add(
        "CN-M-07",
        "lawful_total",
        formula="S + P",
        values={"severance": money_text(severance_amount), "pay_in_lieu": money_text(notice_amount)},
        result=money_text(total),
    )
    return _result("lawful_total", total, working)


def unlawful_damages(data: SeveranceInput) -> CalculationResult:
    """D = 2 × Art. 47 severance, years from the first day of work (LCL Art. 87, LCL-Regs Art. 25)."""
    validate_input(data)
    working = Working()
    working.add(
        "CN-M-08",
        "damages_basis",
        formula="D = 2 × Art. 47 severance; years from 用工之日",
        values={"first_day": data.service_start.isoformat()},
        result="D",
    )
    _record_reference(data, working)
    wage = wage_base(data, working)
    with localcontext() as context:
        context.prec = PRECISION
        _, multiplier = service_multiplier(
            data.service_start, data.termination_date, data.parameters.part_month_counting, working
        )
        capped = apply_cap(wage.base, multiplier, data.reference, working)
        single = capped.base * capped.multiplier
        damages = 2 * single
        working.add(
            "CN-M-08",
            "damages_amount",
            formula="D = 2 × N × base",
            values={"multiplier": decimal_text(capped.multiplier), "base": exact_money_text(capped.base)},
            result=exact_money_text(damages),
        )
        working.use(
            "pay_in_lieu_with_damages",
            value=data.parameters.pay_in_lieu_with_damages,
            default=False,
            rule_id="CN-M-08",
            status=ParameterStatus.UNVERIFIED,
        )
        if data.parameters.pay_in_lieu_with_damages and not data.notice_given:
            notice = pay_in_lieu(data)
            working.extend(Working(steps=list(notice.steps)))
            damages += notice.amount or ZERO
            working.add(
                "CN-M-08",
                "damages_plus_pay_in_lieu",
                formula="D + P",
                values={"pay_in_lieu": money_text(notice.amount or ZERO)},
                result=exact_money_text(damages),
            )
        else:
            working.add("CN-M-08", "damages_no_severance", formula="D replaces S", values={}, result="—")
        final = _final(damages, working)
    return _result(
        "unlawful_damages",
        final,
        working,
        multiplier=decimal_text(capped.multiplier),
        base=exact_money_text(capped.base),
        is_capped=str(capped.is_capped).lower(),
    )


def negotiated_exit(
    data: SeveranceInput, severance_result: CalculationResult | None = None
) -> CalculationResult:
    """A negotiated exit (LCL Art. 36, Art. 46(2)): N months plus x extra months plus a fixed sum."""
    validate_input(data)
    severance_result = severance_result or severance(data)
    working = Working()
    exact_base = _exact_base(data)
    with localcontext() as context:
        context.prec = PRECISION
        extra = data.negotiated_extra_months * exact_base
        total = (severance_result.amount or ZERO) + extra + data.negotiated_extra_amount
        working.add(
            "CN-M-07",
            "negotiated_amount",
            formula="N + x: S + x × base + fixed extra",
            values={
                "severance": money_text(severance_result.amount or ZERO),
                "extra_months": decimal_text(data.negotiated_extra_months),
                "base": exact_money_text(exact_base),
                "extra_amount": money_text(data.negotiated_extra_amount),
            },
            result=exact_money_text(total),
        )
        final = _final(total, working)
    return _result("negotiated_exit", final, working, extra_months=decimal_text(data.negotiated_extra_months))


def _exact_base(data: SeveranceInput) -> Decimal:
    """The post-cap monthly base of the Art. 47 calculation, exact (for the extra months of N + x)."""
    wage = wage_base(data, Working()).base
    with localcontext() as context:
        context.prec = PRECISION
        cap = CAP_MULTIPLE * data.reference.average_monthly_wage
        return cap if wage > cap else wage


def last_working_day(
    notice_date: dt.date, *, notice_given: bool, notice_days: int = STATUTORY_NOTICE_DAYS
) -> CalculationResult:
    """The earliest lawful last day: notice date + 30 days (notice day not counted), or at once with P."""
    working = Working()
    working.use(
        "notice_days",
        value=notice_days,
        default=STATUTORY_NOTICE_DAYS,
        rule_id="CN-PR-01",
        status=ParameterStatus.STATUTORY,
    )
    if notice_given:
        day = notice_date + dt.timedelta(days=notice_days)
        working.add(
            "CN-PR-01",
            "last_day_with_notice",
            formula="notice date + 30 days",
            values={"notice_date": notice_date.isoformat(), "days": str(notice_days)},
            result=day.isoformat(),
        )
    else:
        day = notice_date
        working.add(
            "CN-PR-01",
            "last_day_pay_in_lieu",
            formula="pay in lieu ⇒ may end on the notice date",
            values={"notice_date": notice_date.isoformat()},
            result=day.isoformat(),
        )
    return CalculationResult(
        name="last_working_day",
        label=message("result.last_working_day"),
        amount=None,
        steps=tuple(working.steps),
        parameters_used=tuple(working.parameters.values()),
        currency=CURRENCY,
        date=day,
    )


def exit_options(data: SeveranceInput) -> CalculationBundle:
    """Every figure HR weighs for one exit: S, P, S + P, D (2N), N + x, and the last working day."""
    validate_input(data)
    severance_result = severance(data)
    notice_result = pay_in_lieu(data)
    results: list[CalculationResult] = [
        severance_result,
        notice_result,
        lawful_total(severance_result, notice_result),
        unlawful_damages(data),
        negotiated_exit(data, severance_result),
    ]
    if data.notice_date is not None:
        results.append(
            last_working_day(
                data.notice_date, notice_given=data.notice_given, notice_days=data.parameters.notice_days
            )
        )
    return CalculationBundle(pack="cn", currency=CURRENCY, results=tuple(results))


def wages_from_uniform(months: Iterable[Month], amount: Decimal) -> tuple[MonthlyWage, ...]:
    """The same wage for every month (the CLI's ``--monthly-wage``)."""
    return tuple(MonthlyWage(month=month, amount=amount) for month in months)
