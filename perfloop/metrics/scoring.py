"""Monthly scorecards from facts and targets: attainment, composite, met, rank, streaks, team completion.

A pure engine: Polars frames in, Polars frames out, no database, so it can be property-tested against a
naive reference and benchmarked on a whole company at once. Months are ``Month.index`` integers.

Business rules
--------------
* **Scope.** Only employee-months present in ``assignments`` get a scorecard; facts and targets of other
  months (before joining, after leaving, on leave) are ignored. The KPIs that count for a scorecard are
  those weighted for the employee's position in that month; a KPI without a weight does not count.
* **Missing is not zero.** A fact or target that has no row (or a null value) is missing. Missing data
  is never scored as zero and never as "not met".
* **Attainment** of a KPI needs both the actual and the target.
  Higher-is-better: ``actual / target``. Lower-is-better (churn, complaints): ``target / actual``, and an
  actual of zero (or below) is perfect, scored as ``attainment_cap``. A target of zero or below cannot be
  measured against, so the attainment is null for either direction. The raw (uncapped) attainment is
  kept on the lines.
* **Composite** = ``Σ w·min(attainment, cap) / Σ w`` over the weighted KPIs whose attainment is not null:
  weights are renormalised over what was measured, so one missing KPI neither drags the month down nor
  inflates it. Without any measurable KPI the composite and ``is_met`` are null ("missing").
  ``kpis_measured`` counts the measured weighted KPIs.
* **Met** when ``composite >= met_threshold`` (with a 1e-9 tolerance for float noise).
* **Rank in team**: standard competition rank (1, 2, 2, 4) by composite descending among the members of
  the team that month who have a composite; composites equal to 9 decimals tie. Null without a composite.
  ``team_size`` counts every member of the team that month, scored or not.
* **Streaks**: ``streak_below`` at month m is the number of consecutive months ending at m in which the
  month was not met; ``streak_met`` likewise for met months. A missing month (composite null) or a month
  absent from ``assignments`` breaks the chain: we cannot claim a person was below target without data.
  Both are 0 on a missing month.
* **Team completion** on ``primary_kpi``: over the members having both an actual and a target of that KPI,
  ``Σ actual / Σ target`` (null when the target sum is zero or below, or nobody contributes). Members who
  do not carry a weight on the primary KPI still count: completion is about the team's number.

The frames and their columns are documented on :func:`compute_scorecards`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from perfloop.core.months import Month

__all__ = [
    "DIRECTIONS",
    "ScoringInputError",
    "ScoringPolicy",
    "ScoringResult",
    "compute_scorecards",
    "compute_streaks",
]

DIRECTIONS: tuple[str, ...] = ("higher", "lower")

# Float tolerance for "met": a composite of 0.9999999999999998 built from exact 100% attainments is met.
_MET_EPSILON = 1e-9
# Composites are ranked at this precision so that float noise does not split a tie.
_RANK_DECIMALS = 9

_TEXT = "text"  # marker in the schemas below: String, Categorical or Enum are all accepted
_ColumnType = pl.DataType | type[pl.DataType] | str

_FACTS_SCHEMA: dict[str, _ColumnType] = {
    "employee_id": pl.Int64,
    "month": pl.Int32,
    "kpi": _TEXT,
    "value": pl.Float64,
}
_TARGETS_SCHEMA: dict[str, _ColumnType] = {
    "employee_id": pl.Int64,
    "month": pl.Int32,
    "kpi": _TEXT,
    "target": pl.Float64,
}
_ASSIGNMENTS_SCHEMA: dict[str, _ColumnType] = {
    "employee_id": pl.Int64,
    "month": pl.Int32,
    "team_id": pl.Int64,
    "position_id": pl.Int64,
}
_WEIGHTS_SCHEMA: dict[str, _ColumnType] = {"position_id": pl.Int64, "kpi": _TEXT, "weight": pl.Float64}
_KPIS_SCHEMA: dict[str, _ColumnType] = {"kpi": _TEXT, "direction": _TEXT}
_STREAK_INPUT_SCHEMA: dict[str, _ColumnType] = {
    "employee_id": pl.Int64,
    "month": pl.Int32,
    "is_met": pl.Boolean,
}


class ScoringInputError(ValueError):
    """An input frame does not have the agreed shape; ``code`` is stable, the message names the column."""

    def __init__(self, code: str, message: str, *, frame: str, column: str | None = None) -> None:
        where = f"{frame}.{column}" if column else frame
        super().__init__(f"{where}: {message}")
        self.code = code
        self.message = message
        self.frame = frame
        self.column = column


@dataclass(frozen=True)
class ScoringPolicy:
    """The tunable parts of the scoring rules."""

    met_threshold: float = 1.0
    """A month is met when its composite reaches this (1.0 = 100% of target)."""
    attainment_cap: float = 1.5
    """Per-KPI attainment is capped at this in the composite, so one blow-out KPI cannot hide the rest."""
    primary_kpi: str = "revenue"
    """Team completion is the team's actual over the team's target on this KPI."""

    def __post_init__(self) -> None:
        if not self.attainment_cap > 0:
            raise ValueError(f"attainment_cap must be positive, got {self.attainment_cap}")


@dataclass(frozen=True)
class ScoringResult:
    """The three outputs of :func:`compute_scorecards`."""

    lines: pl.DataFrame
    """employee_id i64, month i32, kpi str, actual f64?, target f64?, attainment f64?, weight f64."""
    cards: pl.DataFrame
    """employee_id, month, team_id, position_id, composite f64?, is_met bool?, kpis_measured i32,
    rank_in_team i32?, team_size i32, streak_below i32, streak_met i32."""
    teams: pl.DataFrame
    """team_id, month, members i32, members_scored i32, members_met i32, actual f64, target f64,
    completion f64?, average_composite f64?."""


def compute_scorecards(
    *,
    facts: pl.DataFrame,
    targets: pl.DataFrame,
    assignments: pl.DataFrame,
    weights: pl.DataFrame,
    kpis: pl.DataFrame,
    policy: ScoringPolicy = ScoringPolicy(),
) -> ScoringResult:
    """Score every assigned employee-month: KPI lines, one card per employee-month, one row per team-month.

    Inputs (extra columns are ignored; ``kpi`` and ``direction`` may be String, Categorical or Enum):

    * ``facts``: employee_id Int64, month Int32, kpi, value Float64; unique per (employee, month, kpi).
    * ``targets``: employee_id Int64, month Int32, kpi, target Float64; unique likewise.
    * ``assignments``: employee_id Int64, month Int32, team_id Int64, position_id Int64; unique per
      (employee, month).
    * ``weights``: position_id Int64, kpi, weight Float64 > 0; unique per (position, kpi); every KPI
      weighted must be in ``kpis``.
    * ``kpis``: kpi, direction in {"higher", "lower"}; unique per kpi; must list ``policy.primary_kpi``.

    Facts and targets of KPIs outside the catalogue are ignored. Lines are sorted by employee, month and
    KPI; cards by employee and month; teams by team and month.
    Raises :class:`ScoringInputError` when a frame does not have this shape.
    """
    kpi_table = _validate_kpis(kpis, policy)
    assignments = _validate_assignments(assignments)
    weights = _validate_weights(weights, kpi_table)
    facts = _validate_values(facts, "facts", "value", kpi_table)
    targets = _validate_values(targets, "targets", "target", kpi_table)

    actuals = _KeyIndex.of(facts, "facts", kpi_names=kpi_table["kpi"])
    target_values = _KeyIndex.of(targets, "targets", kpi_names=kpi_table["kpi"])

    cards = assignments.sort("employee_id", "month")
    lines = _score_lines(cards, weights, actuals, target_values, policy.attainment_cap)
    composite, kpis_measured = _composites(lines, cards.height, policy.attainment_cap)
    primary_code = pl.lit(_kpi_code_of(kpi_table, policy.primary_kpi), dtype=pl.Int32)
    primary = cards.select("employee_id", "month", kpi_code=primary_code)
    team_month = ["team_id", "month"]
    scored = cards.with_columns(
        composite=composite,
        kpis_measured=kpis_measured,
        primary_actual=actuals.values_at(primary),
        primary_target=target_values.values_at(primary),
    ).with_columns(
        is_met=pl.col("composite") >= policy.met_threshold - _MET_EPSILON,
        rank_in_team=pl.col("composite")
        .round(_RANK_DECIMALS)
        .rank("min", descending=True)
        .over(team_month)
        .cast(pl.Int32),
        team_size=pl.len().over(team_month).cast(pl.Int32),
    )
    return ScoringResult(
        lines=lines.select(
            "employee_id",
            "month",
            kpi=kpi_table["kpi"].gather(lines["kpi_code"]),
            actual="actual",
            target="target",
            attainment="attainment",
            weight="weight",
        ),
        cards=_add_streaks(scored.select(_CARD_COLUMNS[:-2])),
        teams=_team_rows(scored),
    )


def _score_lines(
    cards: pl.DataFrame,
    weights: pl.DataFrame,
    actuals: _KeyIndex,
    target_values: _KeyIndex,
    cap: float,
) -> pl.DataFrame:
    """One line per card and KPI weighted for the card's position, with actual, target and attainment.

    Exploding each position's KPI list keeps the lines grouped by card, in card order, without a sort.
    """
    kpis_of_position = weights.sort("kpi_code").group_by("position_id").agg("kpi_code", "is_lower", "weight")
    lines = (
        cards.lazy()
        .select("employee_id", "month", "position_id")
        .with_row_index("card")
        .join(kpis_of_position.lazy(), on="position_id", how="inner", maintain_order="left")
        .explode("kpi_code", "is_lower", "weight")
        .drop("position_id")
        .collect()
    )
    return lines.with_columns(
        actual=actuals.values_at(lines), target=target_values.values_at(lines)
    ).with_columns(attainment=_attainment(pl.col("actual"), pl.col("target"), pl.col("is_lower"), cap))


def _attainment(actual: pl.Expr, target: pl.Expr, is_lower: pl.Expr, cap: float) -> pl.Expr:
    """Raw attainment of one line; null when actual or target is missing or the target is not positive.

    Nulls propagate through the comparisons and divisions, so a missing value needs no branch of its own.
    """
    ratio = pl.when(is_lower).then(target / actual).otherwise(actual / target)
    lower_and_perfect = is_lower & (actual <= 0)
    return pl.when(target > 0).then(pl.when(lower_and_perfect).then(pl.lit(cap)).otherwise(ratio))


def _composites(lines: pl.DataFrame, card_count: int, cap: float) -> tuple[pl.Series, pl.Series]:
    """Per card: the capped weighted mean attainment over measured lines (null if none), and their count."""
    per_card = (
        lines.lazy()
        .filter(pl.col("attainment").is_not_null())
        .group_by("card")
        .agg(
            weighted=(pl.col("weight") * pl.min_horizontal("attainment", pl.lit(cap))).sum(),
            weight_measured=pl.col("weight").sum(),
            kpis_measured=pl.len().cast(pl.Int32),
        )
        .collect()
    )
    # Cards are numbered 0..n-1, so the per-card results go back into place by index, not by a join.
    composite = pl.repeat(None, card_count, dtype=pl.Float64, eager=True)
    composite.scatter(per_card["card"], per_card["weighted"] / per_card["weight_measured"])
    kpis_measured = pl.zeros(card_count, dtype=pl.Int32, eager=True)
    kpis_measured.scatter(per_card["card"], per_card["kpis_measured"])
    return composite, kpis_measured


_CARD_COLUMNS = (
    "employee_id",
    "month",
    "team_id",
    "position_id",
    "composite",
    "is_met",
    "kpis_measured",
    "rank_in_team",
    "team_size",
    "streak_below",
    "streak_met",
)


def compute_streaks(cards: pl.DataFrame) -> pl.DataFrame:
    """Add ``streak_below`` and ``streak_met``: consecutive not-met / met months ending at each month.

    ``cards`` needs employee_id Int64, month Int32 and is_met Boolean (null = missing). A null month or a
    gap in the months breaks a run. Returns the frame sorted by employee and month with the two Int32
    columns added (replaced if present).
    """
    _check_columns(cards, "cards", _STREAK_INPUT_SCHEMA)
    _check_not_null(cards, "cards", ["employee_id", "month"])
    _check_unique(cards, "cards", ["employee_id", "month"])
    return _add_streaks(cards.drop("streak_below", "streak_met", strict=False).sort("employee_id", "month"))


def _add_streaks(cards: pl.DataFrame) -> pl.DataFrame:
    """Run-length streaks on cards already sorted by employee and month, without a group-by.

    A run starts wherever the employee changes, the month is not the previous month + 1, or ``is_met``
    differs from the previous row (null never equals anything, so a missing month is a run of its own
    and always breaks). The position in the run is the row index minus the index of the run's first row.
    """
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    state = pl.col("is_met")
    starts_run = (
        (pl.col("employee_id") != pl.col("employee_id").shift(1)).fill_null(True)
        | (pl.col("month") != pl.col("month").shift(1) + 1).fill_null(True)
        | state.ne_missing(state.shift(1))
        | state.is_null()
    )
    run_length = (row - pl.when(starts_run).then(row).forward_fill() + 1).cast(pl.Int32)
    zero = pl.lit(0, dtype=pl.Int32)
    return (
        cards.with_columns(run_length=run_length)
        .with_columns(
            streak_below=pl.when(state.not_()).then(pl.col("run_length")).otherwise(zero),
            streak_met=pl.when(state).then(pl.col("run_length")).otherwise(zero),
        )
        .drop("run_length")
    )


def _team_rows(cards: pl.DataFrame) -> pl.DataFrame:
    """Team-month headcounts, met counts, average composite and completion on the primary KPI."""
    contributes = pl.col("primary_actual").is_not_null() & pl.col("primary_target").is_not_null()
    return (
        cards.lazy()
        .group_by("team_id", "month")
        .agg(
            members=pl.len().cast(pl.Int32),
            members_scored=pl.col("composite").count().cast(pl.Int32),
            members_met=pl.col("is_met").sum().cast(pl.Int32),
            actual=pl.col("primary_actual").filter(contributes).sum(),
            target=pl.col("primary_target").filter(contributes).sum(),
            average_composite=pl.col("composite").mean(),
        )
        .with_columns(completion=pl.when(pl.col("target") > 0).then(pl.col("actual") / pl.col("target")))
        .select(
            "team_id",
            "month",
            "members",
            "members_scored",
            "members_met",
            "actual",
            "target",
            "completion",
            "average_composite",
        )
        .sort("team_id", "month")
        .collect()
    )


# --- finding facts and targets by key ------------------------------------------------------------------

# A dense index may have up to this many slots per row of its frame (or this many slots in all, whichever
# is larger: small frames are always dense). 4 bytes a slot.
_DENSE_SLOTS_PER_ROW = 4
_DENSE_MIN_SLOTS = 2**16
_KEY = ["employee_id", "month", "kpi_code"]


@dataclass(frozen=True)
class _KeyIndex:
    """Finds the row of a facts or targets frame by (employee, month, KPI code), and spots repeated keys.

    Each key inside the frame's own bounding box gets one integer, its slot. When the box is well filled
    (ids from one sequence, consecutive months: the normal case) a dense array maps slot → row number, so
    a lookup is two gathers and no hashing; scattering the row numbers into it also reveals a repeated
    key, as a slot then holds another row's number. Sparse keys fall back to a hash join.
    """

    frame: pl.DataFrame  # employee_id, month, kpi_code, value
    employee_low: int
    employee_span: int
    month_low: int
    month_span: int
    kpi_count: int
    row_of_slot: pl.Series | None  # dense: UInt32 row number by slot, null where the frame has no row

    @classmethod
    def of(cls, frame: pl.DataFrame, name: str, *, kpi_names: pl.Series) -> _KeyIndex:
        """Index ``frame`` and raise on a repeated key; ``kpi_names`` are the KPIs in code order."""
        kpi_count = kpi_names.len()
        bounds = frame.select(
            employee_low=pl.col("employee_id").min(),
            employee_high=pl.col("employee_id").max(),
            month_low=pl.col("month").min(),
            month_high=pl.col("month").max(),
        ).row(0)
        if frame.is_empty():
            bounds = (0, -1, 0, -1)
        employee_low, employee_high, month_low, month_high = (int(bound) for bound in bounds)
        employee_span, month_span = employee_high - employee_low + 1, month_high - month_low + 1
        slots = employee_span * month_span * kpi_count
        index = cls(frame, employee_low, employee_span, month_low, month_span, kpi_count, None)
        if slots > max(_DENSE_MIN_SLOTS, _DENSE_SLOTS_PER_ROW * frame.height):
            if _has_duplicates(frame, _KEY):
                _raise_duplicate_key(frame, name, kpi_names)
            return index
        row_numbers = pl.int_range(frame.height, dtype=pl.UInt32, eager=True)
        own_slots = frame.select(index._slot()).to_series()
        row_of_slot = pl.repeat(None, slots, dtype=pl.UInt32, eager=True)
        row_of_slot.scatter(own_slots, row_numbers)
        if (row_of_slot.gather(own_slots) != row_numbers).any():
            _raise_duplicate_key(frame, name, kpi_names)
        return cls(frame, employee_low, employee_span, month_low, month_span, kpi_count, row_of_slot)

    def values_at(self, keys: pl.DataFrame) -> pl.Series:
        """The frame's value for each row of ``keys`` (employee_id, month, kpi_code); null where absent."""
        if self.row_of_slot is None:
            found = keys.select(_KEY).join(self.frame, on=_KEY, how="left", maintain_order="left")
            return found["value"]
        employee, month = self._offsets()
        inside = employee.is_between(0, self.employee_span - 1) & month.is_between(0, self.month_span - 1)
        rows = self.row_of_slot.gather(keys.select(pl.when(inside).then(self._slot())).to_series())
        return self.frame["value"].gather(rows)

    def _offsets(self) -> tuple[pl.Expr, pl.Expr]:
        return pl.col("employee_id") - self.employee_low, pl.col("month").cast(pl.Int64) - self.month_low

    def _slot(self) -> pl.Expr:
        """The slot of a key inside the bounding box (meaningless outside it)."""
        employee, month = self._offsets()
        return (employee * self.month_span + month) * self.kpi_count + pl.col("kpi_code")


def _raise_duplicate_key(frame: pl.DataFrame, name: str, kpi_names: pl.Series) -> None:
    """Report a repeated (employee, month, KPI) by the KPI's name rather than its internal code."""
    named = frame.select("employee_id", "month", kpi=pl.lit(kpi_names).gather(pl.col("kpi_code")))
    _raise_duplicate(named, name, ["employee_id", "month", "kpi"])


# --- validation -------------------------------------------------------------------------------------


def _validate_kpis(kpis: pl.DataFrame, policy: ScoringPolicy) -> pl.DataFrame:
    """The KPI catalogue with a small integer code per KPI (joins run on the code, not the text)."""
    _check_columns(kpis, "kpis", _KPIS_SCHEMA)
    table = kpis.select(pl.col("kpi").cast(pl.String), pl.col("direction").cast(pl.String))
    _check_not_null(table, "kpis", ["kpi", "direction"])
    _check_unique(table, "kpis", ["kpi"])
    unknown = table.filter(~pl.col("direction").is_in(DIRECTIONS))
    if unknown.height:
        row = unknown.row(0, named=True)
        raise ScoringInputError(
            "unknown_direction",
            f"direction {row['direction']!r} of KPI {row['kpi']!r} is not one of {', '.join(DIRECTIONS)}",
            frame="kpis",
            column="direction",
        )
    if policy.primary_kpi not in set(table["kpi"]):
        raise ScoringInputError(
            "unknown_primary_kpi",
            f"the primary KPI {policy.primary_kpi!r} of the policy is not in the catalogue",
            frame="kpis",
            column="kpi",
        )
    # Codes follow the names, so the output does not depend on the row order of the catalogue.
    return table.sort("kpi").with_row_index("kpi_code").with_columns(pl.col("kpi_code").cast(pl.Int32))


def _validate_values(
    frame: pl.DataFrame, name: str, value_column: str, kpi_table: pl.DataFrame
) -> pl.DataFrame:
    """Facts or targets keyed by (employee, month, kpi_code); rows of KPIs outside the catalogue dropped."""
    schema: Mapping[str, _ColumnType] = _FACTS_SCHEMA if name == "facts" else _TARGETS_SCHEMA
    _check_columns(frame, name, schema)
    keys = ["employee_id", "month", "kpi"]
    _check_not_null(frame, name, keys)
    _check_finite(frame, name, value_column)
    # Rows of KPIs outside the catalogue are dropped before the check for repeated keys: never scored.
    return frame.select("employee_id", "month", _kpi_code(kpi_table), value=value_column).drop_nulls(
        "kpi_code"
    )


def _validate_assignments(assignments: pl.DataFrame) -> pl.DataFrame:
    _check_columns(assignments, "assignments", _ASSIGNMENTS_SCHEMA)
    table = assignments.select(*_ASSIGNMENTS_SCHEMA)
    _check_not_null(table, "assignments", list(_ASSIGNMENTS_SCHEMA))
    _check_unique(table, "assignments", ["employee_id", "month"])
    return table


def _validate_weights(weights: pl.DataFrame, kpi_table: pl.DataFrame) -> pl.DataFrame:
    """Weights keyed by (position, kpi_code), with the KPI's direction as ``is_lower``."""
    _check_columns(weights, "weights", _WEIGHTS_SCHEMA)
    _check_not_null(weights, "weights", ["position_id", "kpi", "weight"])
    _check_finite(weights, "weights", "weight")
    not_positive = weights.filter(pl.col("weight") <= 0)
    if not_positive.height:
        row = not_positive.row(0, named=True)
        raise ScoringInputError(
            "weight_not_positive",
            f"weight {row['weight']} of KPI {row['kpi']!r} for position {row['position_id']} must be > 0",
            frame="weights",
            column="weight",
        )
    table = weights.select("position_id", pl.col("kpi").cast(pl.String), _kpi_code(kpi_table), "weight")
    unknown = table.filter(pl.col("kpi_code").is_null())
    if unknown.height:
        raise ScoringInputError(
            "unknown_kpi",
            f"KPI {unknown['kpi'][0]!r} is weighted but not in the kpis catalogue (no direction)",
            frame="weights",
            column="kpi",
        )
    _check_unique(table, "weights", ["position_id", "kpi"])
    is_lower = kpi_table.select("kpi_code", is_lower=pl.col("direction") == "lower")
    return table.join(is_lower, on="kpi_code", how="left", maintain_order="left")


def _kpi_code_of(kpi_table: pl.DataFrame, kpi: str) -> int:
    return int(kpi_table.filter(pl.col("kpi") == kpi)["kpi_code"].item())


def _kpi_code(kpi_table: pl.DataFrame) -> pl.Expr:
    """The catalogue code of the ``kpi`` column; null for a KPI outside the catalogue."""
    return (
        pl.col("kpi")
        .cast(pl.String)
        .replace_strict(kpi_table["kpi"], kpi_table["kpi_code"], default=None, return_dtype=pl.Int32)
        .alias("kpi_code")
    )


def _check_columns(frame: object, name: str, schema: Mapping[str, _ColumnType]) -> None:
    if not isinstance(frame, pl.DataFrame):
        raise ScoringInputError(
            "not_a_frame", f"expected a polars DataFrame, got {type(frame).__name__}", frame=name
        )
    for column, expected in schema.items():
        if column not in frame.schema:
            raise ScoringInputError(
                "missing_column",
                f"column is missing (has: {', '.join(frame.columns) or 'no columns'})",
                frame=name,
                column=column,
            )
        actual = frame.schema[column]
        if expected == _TEXT:
            is_valid = actual == pl.String or isinstance(actual, pl.Categorical | pl.Enum)
            wanted = "String (or Categorical/Enum)"
        else:
            is_valid = actual == expected
            wanted = str(expected)
        if not is_valid:
            raise ScoringInputError(
                "wrong_dtype", f"expected {wanted}, got {actual}", frame=name, column=column
            )


def _check_not_null(frame: pl.DataFrame, name: str, columns: Sequence[str]) -> None:
    counts = frame.select(pl.col(columns).null_count()).row(0)
    for column, count in zip(columns, counts, strict=True):
        if count:
            raise ScoringInputError("null_key", f"{count} null value(s)", frame=name, column=column)


def _check_finite(frame: pl.DataFrame, name: str, column: str) -> None:
    if frame.select((~pl.col(column).is_finite()).any()).item():
        raise ScoringInputError("not_finite", "contains NaN or infinite values", frame=name, column=column)


def _check_unique(frame: pl.DataFrame, name: str, keys: list[str]) -> None:
    if _has_duplicates(frame, keys):
        _raise_duplicate(frame, name, keys)


# Integer keys are packed into one Int64 while the product of their spans stays below this.
_MAX_PACKED = 2**62


def _has_duplicates(frame: pl.DataFrame, keys: list[str]) -> bool:
    """Whether a key repeats; integer keys are packed into one Int64 first (far faster than a struct)."""
    if frame.height < 2:
        return False
    schema = frame.schema
    if all(schema[key].is_integer() for key in keys):
        bounds = frame.select(
            *(pl.col(key).min().alias(f"{key}_low") for key in keys),
            *(pl.col(key).max().alias(f"{key}_high") for key in keys),
        ).row(0)
        lows, highs = bounds[: len(keys)], bounds[len(keys) :]
        spans = [int(high) - int(low) + 1 for low, high in zip(lows, highs, strict=True)]
        if math.prod(spans) < _MAX_PACKED:
            packed: pl.Expr = pl.lit(0, dtype=pl.Int64)
            for key, low, span in zip(keys, lows, spans, strict=True):
                packed = packed * span + (pl.col(key).cast(pl.Int64) - int(low))
            return bool(frame.select(packed.n_unique()).item() != frame.height)
    return bool(frame.select(pl.struct(keys).n_unique()).item() != frame.height)


def _raise_duplicate(frame: pl.DataFrame, name: str, keys: list[str]) -> None:
    """Name the first repeated key, so the bad source row can be found."""
    first = frame.filter(pl.struct(keys).is_duplicated()).sort(keys).row(0, named=True)
    shown = ", ".join(f"{key}={_show_key(key, first[key])}" for key in keys)
    raise ScoringInputError(
        "duplicate_key",
        f"key ({', '.join(keys)}) must be unique; repeated: {shown}",
        frame=name,
        column=", ".join(keys),
    )


def _show_key(column: str, value: object) -> str:
    """A key value as a person reads it: months as YYYY-MM."""
    if column == "month" and isinstance(value, int):
        try:
            return f"{Month.from_index(value)} ({value})"
        except ValueError:
            return str(value)
    return repr(value)
