"""Suggested targets from a person's history, with the reason in words (Chinese and English).

The rule, per person, KPI and target month (product.md §2; the source document's example is a team
standard of 80,000 and a 6-month average of 70,000 → suggest 75,000):

1. Take the six months up to ``as_of`` (the newest month with data before the target month). With
   fewer than three months of data, suggest the team standard.
2. Remove seasonality: each month's value is divided by its calendar month's seasonality factor.
3. ``average`` = the mean of those months.
4. ``growth`` = the last three months against the three before, capped at ±10% (only with all six
   months and a positive earlier quarter; otherwise 0).
5. ``run rate`` = average × (1 + growth) × the target month's seasonality factor.
6. A run rate short of the standard → suggest halfway between the two (a stretch the person can
   reach); at or beyond the standard → suggest the run rate. For a lower-is-better KPI (churn) the
   comparison is mirrored.
7. Round half up to a readable step: 100 CNY, one count, one percentage point, 0.1 of a score.

Every step works on whole numbers of 1/10,000 (the precision targets are stored with) and rounds half
up, so the scalar function and the vectorised Polars one give the same answer to the last digit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

import polars as pl

from perfloop.core.months import Month

SCALE = 10_000  # targets and facts carry four decimal places: one unit is 1/10,000
BASIS_POINTS = 10_000  # factors (seasonality, 1 + growth) in basis points: 10,000 = ×1.00
HISTORY_MONTHS = 6
MIN_HISTORY_MONTHS = 3
GROWTH_CAP_BP = 1_000  # ±10%
# A seasonality factor is kept between ×0.2 and ×5: a month with almost no sales (the Spring Festival)
# must not turn into a division by zero or an absurd target.
SEASONALITY_MIN_BP = 2_000
SEASONALITY_MAX_BP = 50_000

# The readable step a suggestion is rounded to, in units of 1/10,000.
_STEPS: Mapping[str, int] = {"cny": 100 * SCALE, "count": SCALE, "ratio": SCALE // 100, "score": SCALE // 10}
_DEFAULT_STEP = 1


class SuggestionRule(StrEnum):
    NO_HISTORY = "no_history"  # too little history: the team standard
    HALFWAY = "halfway"  # run rate short of the standard: halfway between the two
    RUN_RATE = "run_rate"  # run rate at or beyond the standard: the run rate


def round_half_up_div(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half up, for a positive denominator, on integers only."""
    return (2 * numerator + denominator) // (2 * denominator)


def to_units(value: Decimal) -> int:
    """A Decimal as whole 1/10,000 units (rounded half up at the fourth place)."""
    return int((value * SCALE).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_units(units: int) -> Decimal:
    return (Decimal(units) / SCALE).quantize(Decimal("0.0001"))


def step_for_unit(unit: str) -> int:
    return _STEPS.get(unit, _DEFAULT_STEP)


def _seasonality_factor(month_total: int, month_count: int, all_total: int, all_count: int) -> int:
    """One calendar month's factor in basis points: its mean over the mean of all months, clamped."""
    factor = round_half_up_div(month_total * all_count * BASIS_POINTS, month_count * all_total)
    return min(max(factor, SEASONALITY_MIN_BP), SEASONALITY_MAX_BP)


def seasonality_factors(totals: Mapping[Month, Decimal]) -> dict[int, int]:
    """Calendar month (1–12) → factor in basis points, from a group's monthly totals.

    Needs every calendar month at least once and a positive overall total; otherwise there is no
    seasonality to speak of and every factor is ×1.00 (an empty mapping).
    """
    by_month: dict[int, list[int]] = {}
    for month, total in totals.items():
        by_month.setdefault(month.month, []).append(to_units(total))
    all_total = sum(sum(values) for values in by_month.values())
    all_count = sum(len(values) for values in by_month.values())
    if len(by_month) < 12 or all_total <= 0:
        return {}
    return {
        calendar_month: _seasonality_factor(sum(values), len(values), all_total, all_count)
        for calendar_month, values in sorted(by_month.items())
    }


@dataclass(frozen=True)
class Suggestion:
    """A suggested target and every figure that led to it."""

    target_month: Month
    value: Decimal
    rule: SuggestionRule
    months_used: int
    average: Decimal | None  # seasonally adjusted mean of the window
    growth_bp: int
    season_bp: int
    run_rate: Decimal | None
    standard: Decimal
    unit: str
    direction: str

    @property
    def reason_en(self) -> str:
        return _reason(self, "en")

    @property
    def reason_zh(self) -> str:
        return _reason(self, "zh")

    def reason(self, language: str | None) -> str:
        """The reason in the viewer's language (English for ``en…``, Chinese otherwise)."""
        return self.reason_en if (language or "").startswith("en") else self.reason_zh

    def as_dict(self) -> dict[str, object]:
        """A snapshot kept with a goal version that was set from this suggestion."""
        return {
            "target_month": str(self.target_month),
            "value": str(self.value),
            "rule": str(self.rule),
            "months_used": self.months_used,
            "average": None if self.average is None else str(self.average),
            "growth_bp": self.growth_bp,
            "season_bp": self.season_bp,
            "run_rate": None if self.run_rate is None else str(self.run_rate),
            "standard": str(self.standard),
            "reason_en": self.reason_en,
            "reason_zh": self.reason_zh,
        }


def suggest_target(
    *,
    history: Mapping[Month, Decimal],
    target_month: Month,
    as_of: Month,
    standard: Decimal,
    direction: str = "higher",
    unit: str = "cny",
    seasonality: Mapping[int, int] | None = None,
) -> Suggestion:
    """The suggested target for ``target_month`` from the six months of ``history`` up to ``as_of``."""
    factors = seasonality or {}
    standard_units = to_units(standard)
    window = [as_of - offset for offset in range(HISTORY_MONTHS - 1, -1, -1)]
    adjusted: dict[Month, int] = {
        month: round_half_up_div(
            to_units(history[month]) * BASIS_POINTS, factors.get(month.month, BASIS_POINTS)
        )
        for month in window
        if month in history
    }
    season_bp = factors.get(target_month.month, BASIS_POINTS)
    base = {
        "target_month": target_month,
        "months_used": len(adjusted),
        "season_bp": season_bp,
        "standard": from_units(standard_units),
        "unit": unit,
        "direction": direction,
    }
    if len(adjusted) < MIN_HISTORY_MONTHS:
        return Suggestion(
            value=from_units(standard_units),
            rule=SuggestionRule.NO_HISTORY,
            average=None,
            growth_bp=0,
            run_rate=None,
            **base,  # type: ignore[arg-type]
        )
    average = round_half_up_div(sum(adjusted.values()), len(adjusted))
    growth_bp = 0
    if len(adjusted) == HISTORY_MONTHS:
        earlier = sum(adjusted[m] for m in window[:3])
        later = sum(adjusted[m] for m in window[3:])
        if earlier > 0:
            growth_bp = round_half_up_div((later - earlier) * BASIS_POINTS, earlier)
            growth_bp = min(max(growth_bp, -GROWTH_CAP_BP), GROWTH_CAP_BP)
    run_rate = round_half_up_div(average * (BASIS_POINTS + growth_bp), BASIS_POINTS)
    seasonal = round_half_up_div(run_rate * season_bp, BASIS_POINTS)
    short_of_standard = seasonal > standard_units if direction == "lower" else seasonal < standard_units
    if short_of_standard:
        rule, raw = SuggestionRule.HALFWAY, round_half_up_div(seasonal + standard_units, 2)
    else:
        rule, raw = SuggestionRule.RUN_RATE, seasonal
    step = step_for_unit(unit)
    value = round_half_up_div(raw, step) * step
    return Suggestion(
        value=from_units(value),
        rule=rule,
        average=from_units(average),
        growth_bp=growth_bp,
        run_rate=from_units(seasonal),
        **base,  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------- vectorised


def _rhu(numerator: pl.Expr, denominator: pl.Expr | int) -> pl.Expr:
    """Polars twin of :func:`round_half_up_div` (Polars' ``//`` on integers floors like Python's)."""
    return (2 * numerator + denominator) // (2 * denominator)


def seasonality_frame(totals: pl.DataFrame) -> pl.DataFrame:
    """Seasonality factors of many groups at once.

    ``totals``: ``season_group``, ``month`` (Month.index), ``total`` (Int64 units). Returns
    ``season_group``, ``calendar_month``, ``factor_bp`` for every group with all twelve calendar months.
    The few sums per group are finished in Python integers, which cannot overflow.
    """
    per_month = (
        totals.with_columns(calendar_month=(pl.col("month") % 12 + 1).cast(pl.Int8))
        .group_by("season_group", "calendar_month")
        .agg(month_total=pl.col("total").sum(), month_count=pl.len())
        .sort("season_group", "calendar_month")
    )
    groups: dict[int, list[tuple[int, int, int]]] = {}
    for group, calendar_month, month_total, month_count in per_month.iter_rows():
        groups.setdefault(group, []).append((calendar_month, month_total, month_count))
    rows: dict[str, list[int]] = {"season_group": [], "calendar_month": [], "factor_bp": []}
    for group, months in groups.items():
        all_total = sum(total for _, total, _ in months)
        all_count = sum(count for _, _, count in months)
        if len(months) < 12 or all_total <= 0:
            continue
        for calendar_month, month_total, month_count in months:
            rows["season_group"].append(group)
            rows["calendar_month"].append(calendar_month)
            rows["factor_bp"].append(_seasonality_factor(month_total, month_count, all_total, all_count))
    return pl.DataFrame(
        rows, schema={"season_group": pl.Int64, "calendar_month": pl.Int8, "factor_bp": pl.Int64}
    )


def suggest_targets_frame(
    *,
    history: pl.DataFrame,
    requests: pl.DataFrame,
    seasonality: pl.DataFrame | None = None,
    direction: str = "higher",
    unit: str = "cny",
) -> pl.DataFrame:
    """:func:`suggest_target` for many people and months at once, in Polars, to the same last digit.

    ``history``: ``employee_id``, ``month`` (Month.index), ``value`` (Int64 units).
    ``requests``: ``employee_id``, ``target_month`` and ``as_of`` (Month.index), ``standard`` (Int64
    units), ``season_group`` (Int64; rows of one group share a seasonality).
    ``seasonality``: ``season_group``, ``calendar_month``, ``factor_bp`` (from :func:`seasonality_frame`).
    Returns the requests with ``months_used``, ``average``, ``growth_bp``, ``season_bp``, ``run_rate``,
    ``rule`` and ``suggestion`` (Int64 units).
    """
    factors = (
        seasonality
        if seasonality is not None
        else pl.DataFrame(schema={"season_group": pl.Int64, "calendar_month": pl.Int8, "factor_bp": pl.Int64})
    )
    windows = requests.select("employee_id", "as_of", "season_group").unique()
    window_rows = (
        windows.join(history, on="employee_id", how="inner")
        .filter((pl.col("month") <= pl.col("as_of")) & (pl.col("month") > pl.col("as_of") - HISTORY_MONTHS))
        .with_columns(calendar_month=(pl.col("month") % 12 + 1).cast(pl.Int8))
        .join(factors, on=["season_group", "calendar_month"], how="left")
        .with_columns(
            adjusted=_rhu(pl.col("value") * BASIS_POINTS, pl.col("factor_bp").fill_null(BASIS_POINTS)),
            is_later=pl.col("month") > pl.col("as_of") - 3,
        )
    )
    per_window = window_rows.group_by("employee_id", "as_of", "season_group").agg(
        months_used=pl.len().cast(pl.Int64),
        adjusted_sum=pl.col("adjusted").sum(),
        later=pl.col("adjusted").filter(pl.col("is_later")).sum(),
        earlier=pl.col("adjusted").filter(~pl.col("is_later")).sum(),
    )
    standard, used = pl.col("standard"), pl.col("months_used")
    has_history = used >= MIN_HISTORY_MONTHS
    growth = (
        pl.when((used == HISTORY_MONTHS) & (pl.col("earlier") > 0))
        .then(_rhu((pl.col("later") - pl.col("earlier")) * BASIS_POINTS, pl.col("earlier")))
        .otherwise(0)
        .clip(-GROWTH_CAP_BP, GROWTH_CAP_BP)
    )
    joined = (
        requests.join(per_window, on=["employee_id", "as_of", "season_group"], how="left")
        .with_columns(
            months_used=used.fill_null(0),
            calendar_month=(pl.col("target_month") % 12 + 1).cast(pl.Int8),
        )
        .join(factors, on=["season_group", "calendar_month"], how="left")
        .with_columns(
            season_bp=pl.col("factor_bp").fill_null(BASIS_POINTS),
            average=pl.when(has_history).then(_rhu(pl.col("adjusted_sum"), used)),
            growth_bp=pl.when(has_history).then(growth).otherwise(0),
        )
        .with_columns(run_rate=_rhu(pl.col("average") * (BASIS_POINTS + pl.col("growth_bp")), BASIS_POINTS))
        .with_columns(run_rate=_rhu(pl.col("run_rate") * pl.col("season_bp"), BASIS_POINTS))
    )
    run_rate = pl.col("run_rate")
    short = run_rate > standard if direction == "lower" else run_rate < standard
    step = step_for_unit(unit)
    raw = pl.when(short).then(_rhu(run_rate + standard, 2)).otherwise(run_rate)
    return joined.with_columns(
        rule=pl.when(~has_history)
        .then(pl.lit(SuggestionRule.NO_HISTORY.value))
        .when(short)
        .then(pl.lit(SuggestionRule.HALFWAY.value))
        .otherwise(pl.lit(SuggestionRule.RUN_RATE.value)),
        suggestion=pl.when(has_history).then(_rhu(raw, step) * step).otherwise(standard),
    ).drop("adjusted_sum", "later", "earlier", "calendar_month", "factor_bp")


def suggestions_from_frame(
    frame: pl.DataFrame, *, unit: str, direction: str
) -> dict[tuple[int, int], Suggestion]:
    """(employee id, target Month.index) → :class:`Suggestion`, from :func:`suggest_targets_frame`."""
    columns = [
        "employee_id",
        "target_month",
        "suggestion",
        "rule",
        "months_used",
        "average",
        "growth_bp",
        "season_bp",
        "run_rate",
        "standard",
    ]
    result: dict[tuple[int, int], Suggestion] = {}
    for employee_id, target, value, rule, used, average, growth, season, run_rate, standard in frame.select(
        columns
    ).iter_rows():
        result[(employee_id, target)] = Suggestion(
            target_month=Month.from_index(target),
            value=from_units(value),
            rule=SuggestionRule(rule),
            months_used=used,
            average=None if average is None else from_units(average),
            growth_bp=growth,
            season_bp=season,
            run_rate=None if run_rate is None else from_units(run_rate),
            standard=from_units(standard),
            unit=unit,
            direction=direction,
        )
    return result


# ---------------------------------------------------------------- words


def format_amount(value: Decimal, unit: str) -> str:
    """A KPI value for a sentence: ¥75,000 · 3 · 25% · 4.2."""
    if unit == "cny":
        text = f"{value.quantize(Decimal('0.01')):,}"
        return "¥" + (text[:-3] if text.endswith(".00") else text)
    if unit == "ratio":
        return _trim(f"{(value * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}") + "%"
    return _trim(f"{value.normalize():f}") if value == value.to_integral_value() else _trim(f"{value:f}")


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _percent_bp(bp: int) -> str:
    sign = "+" if bp >= 0 else "−"
    return f"{sign}{abs(Decimal(bp) / 100).quantize(Decimal('0.1'))}%"


def _factor_bp(bp: int) -> str:
    return f"×{(Decimal(bp) / BASIS_POINTS).quantize(Decimal('0.01'))}"


def _reason(suggestion: Suggestion, language: str) -> str:
    s = suggestion

    def fmt(value: Decimal) -> str:
        return format_amount(value, s.unit)

    zh = language == "zh"
    if s.rule == SuggestionRule.NO_HISTORY:
        if zh:
            return (
                f"历史数据不足（仅{s.months_used}个月，至少需要{MIN_HISTORY_MONTHS}个月），"
                f"采用团队标准 {fmt(s.standard)}。"
            )
        return (
            f"Not enough history ({s.months_used} of at least {MIN_HISTORY_MONTHS} months): "
            f"the team standard {fmt(s.standard)}."
        )
    # Both are set for every rule but NO_HISTORY.
    assert s.average is not None  # noqa: S101
    assert s.run_rate is not None  # noqa: S101
    parts_zh = [f"近{HISTORY_MONTHS}个月平均 {fmt(s.average)}（{s.months_used}个月有数据）"]
    parts_en = [f"{HISTORY_MONTHS}-month average {fmt(s.average)} ({s.months_used} months with data)"]
    if s.growth_bp:
        parts_zh.append(f"趋势 {_percent_bp(s.growth_bp)}")
        parts_en.append(f"trend {_percent_bp(s.growth_bp)}")
    if s.season_bp != BASIS_POINTS:
        parts_zh.append(f"{s.target_month.month}月季节系数 {_factor_bp(s.season_bp)}")
        parts_en.append(f"seasonality of month {s.target_month.month} {_factor_bp(s.season_bp)}")
    lower = s.direction == "lower"
    if zh:
        head = "；".join(parts_zh) + f" → 预计 {fmt(s.run_rate)}"
        if s.rule == SuggestionRule.HALFWAY:
            side = "高于" if lower else "低于"
            return f"{head}；{side}团队标准 {fmt(s.standard)}，建议取两者中点：{fmt(s.value)}。"
        side = "不高于" if lower else "不低于"
        return f"{head}；{side}团队标准 {fmt(s.standard)}，建议按实际水平：{fmt(s.value)}。"
    head = "; ".join(parts_en) + f" → run rate {fmt(s.run_rate)}"
    if s.rule == SuggestionRule.HALFWAY:
        side = "above" if lower else "below"
        return (
            f"{head}; {side} the team standard {fmt(s.standard)}, so halfway between the two: {fmt(s.value)}."
        )
    side = "at or below" if lower else "at or above"
    return f"{head}; {side} the team standard {fmt(s.standard)}, so the run rate: {fmt(s.value)}."
