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
    """An input frame does not have the agreed shape; ``code`` is stable, the message names frame and column."""

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
    policy: ScoringPolicy = ScoringPolicy(),  # noqa: B008 -- frozen dataclass, safe as a shared default
) -> ScoringResult:
    """Score every assigned employee-month: KPI lines, one card per employee-month, one row per team-month.

    Inputs (extra columns are ignored; ``kpi`` and ``direction`` may be String, Categorical or Enum):

    * ``facts``: employee_id Int64, month Int32, kpi, value Float64; unique per (employee, month, kpi).
    * ``targets``: employee_id Int64, month Int32, kpi, target Float64; unique likewise.
    * ``assignments``: employee_id Int64, month Int32, team_id Int64, position_id Int64; unique per
      (employee, month).
    * ``weights``: position_id Int64, kpi, weight Float64 > 0; unique per (position, kpi); every kpi
      listed in ``kpis``.
    * ``kpis``: kpi, direction in {"higher", "lower"}; unique per kpi; must list ``policy.primary_kpi``.

    Lines are ordered by employee, month, then the order of ``weights``; cards by employee and month;
    teams by team and month. Raises :class:`ScoringInputError` on a frame of the wrong shape.
    """
    kpi_table = _validate_kpis(kpis, policy)
    facts = _validate_facts(facts, "facts", "value", kpi_table)
    targets = _validate_facts(targets, "targets", "target", kpi_table)
    assignments = _validate_assignments(assignments)
    weights = _validate_weights(weights, kpi_table)

    cap = policy.attainment_cap
    lower_codes = kpi_table.filter(pl.col("direction") == "lower")["kpi_code"]
    cards = assignments.sort("employee_id", "month").with_row_index("card")

    # One line per card and weighted KPI. Joins keep the left order, so lines come out grouped by card
    # without a sort, and the per-card sums below run on integer keys only.
    lines = (
        cards.lazy()
        .select("card", "employee_id", "month", "position_id")
        .join(weights.lazy(), on="position_id", how="inner", maintain_order="left")
        .join(facts.lazy(), on=["employee_id", "month", "kpi_code"], how="left", maintain_order="left")
        .join(targets.lazy(), on=["employee_id", "month", "kpi_code"], how="left", maintain_order="left")
        .rename({"value": "actual"})
        .with_columns(attainment=_attainment(lower_codes, cap))
        .collect()
    )

    measured = pl.col("attainment").is_not_null()
    per_card = (
        lines.lazy()
        .group_by("card")
        .agg(
            weighted=(pl.col("weight") * pl.min_horizontal(pl.col("attainment"), pl.lit(cap)))
            .filter(measured)
            .sum(),
            weight_measured=pl.col("weight").filter(measured).sum(),
            kpis_measured=measured.sum().cast(pl.Int32),
        )
        .with_columns(
            composite=pl.when(pl.col("kpis_measured") > 0).then(
                pl.col("weighted") / pl.col("weight_measured")
            )
        )
        .select("card", "composite", "kpis_measured")
    )
    team_month = ["team_id", "month"]
    scored = (
        cards.lazy()
        .join(per_card, on="card", how="left", maintain_order="left")
        .with_columns(
            pl.col("kpis_measured").fill_null(0),
            is_met=pl.col("composite") >= policy.met_threshold - _MET_EPSILON,
            rank_in_team=pl.col("composite")
            .round(_RANK_DECIMALS)
            .rank("min", descending=True)
            .over(team_month)
            .cast(pl.Int32),
            team_size=pl.len().over(team_month).cast(pl.Int32),
        )
        .drop("card")
        .collect()
    )
    scored_cards = _add_streaks(scored)

    teams = _team_rows(scored_cards, facts, targets, kpi_table, policy.primary_kpi)
    return ScoringResult(
        lines=lines.select(
            "employee_id", "month", pl.col("kpi").cast(pl.String), "actual", "target", "attainment", "weight"
        ),
        cards=scored_cards,
        teams=teams,
    )


def compute_streaks(cards: pl.DataFrame) -> pl.DataFrame:
    """Add ``streak_below`` and ``streak_met``: consecutive not-met / met months ending at each month.

    ``cards`` needs employee_id Int64, month Int32 and is_met Boolean (null = missing). A null month or a
    gap in the months breaks a run. Returns the frame sorted by employee and month with the two Int32
    columns added (replaced if present).
    """
    _check_columns(cards, "cards", _STREAK_INPUT_SCHEMA)
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
    return cards.with_columns(run_length=run_length).with_columns(
        streak_below=pl.when(state.not_()).then(pl.col("run_length")).otherwise(zero),
        streak_met=pl.when(state).then(pl.col("run_length")).otherwise(zero),
    ).drop("run_length")


def _attainment(lower_codes: pl.Series, cap: float) -> pl.Expr:
    """Raw attainment of one line; null when actual or target is missing or the target is not positive."""
    actual, target = pl.col("actual"), pl.col("target")
    is_lower = pl.col("kpi_code").is_in(lower_codes.implode())
    return (
        pl.when(actual.is_null() | target.is_null() | (target <= 0))
        .then(None)
        .when(is_lower & (actual <= 0))
        .then(pl.lit(cap, dtype=pl.Float64))
        .when(is_lower)
        .then(target / actual)
        .otherwise(actual / target)
    )


def _team_rows(
    cards: pl.DataFrame,
    facts: pl.DataFrame,
    targets: pl.DataFrame,
    kpi_table: pl.DataFrame,
    primary_kpi: str,
) -> pl.DataFrame:
    """Team-month headcounts, met counts, average composite and completion on the primary KPI."""
    primary_code = kpi_table.filter(pl.col("kpi") == primary_kpi)["kpi_code"].item()
    keys = ["employee_id", "month"]
    primary = (
        facts.lazy()
        .filter(pl.col("kpi_code") == primary_code)
        .select(*keys, "value")
        .join(
            targets.lazy().filter(pl.col("kpi_code") == primary_code).select(*keys, "target"),
            on=keys,
            how="inner",
        )
        .filter(pl.col("value").is_not_null() & pl.col("target").is_not_null())
        .join(cards.lazy().select(*keys, "team_id"), on=keys, how="inner")
        .group_by("team_id", "month")
        .agg(actual=pl.col("value").sum(), target=pl.col("target").sum())
    )
    return (
        cards.lazy()
        .group_by("team_id", "month")
        .agg(
            members=pl.len().cast(pl.Int32),
            members_scored=pl.col("composite").count().cast(pl.Int32),
            members_met=pl.col("is_met").sum().cast(pl.Int32),
            average_composite=pl.col("composite").mean(),
        )
        .join(primary, on=["team_id", "month"], how="left")
        .with_columns(pl.col("actual", "target").fill_null(0.0))
        .with_columns(
            completion=pl.when(pl.col("target") > 0).then(pl.col("actual") / pl.col("target")),
        )
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
    return table.with_row_index("kpi_code").with_columns(pl.col("kpi_code").cast(pl.Int32))


def _validate_facts(
    frame: pl.DataFrame, name: str, value_column: str, kpi_table: pl.DataFrame
) -> pl.DataFrame:
    """Facts or targets keyed by (employee, month, kpi_code); rows of KPIs outside the catalogue dropped."""
    schema: Mapping[str, _ColumnType] = _FACTS_SCHEMA if name == "facts" else _TARGETS_SCHEMA
    _check_columns(frame, name, schema)
    keys = ["employee_id", "month", "kpi"]
    _check_not_null(frame, name, keys)
    _check_finite(frame, name, value_column)
    coded = frame.select(
        "employee_id",
        "month",
        _kpi_code(kpi_table),
        value_column,
    )
    # Checked on the integer code: rows of KPIs outside the catalogue are not scored and may repeat.
    _check_unique(coded.drop_nulls("kpi_code"), name, ["employee_id", "month", "kpi_code"])
    return coded.drop_nulls("kpi_code")


def _validate_assignments(assignments: pl.DataFrame) -> pl.DataFrame:
    _check_columns(assignments, "assignments", _ASSIGNMENTS_SCHEMA)
    table = assignments.select(*_ASSIGNMENTS_SCHEMA)
    _check_not_null(table, "assignments", list(_ASSIGNMENTS_SCHEMA))
    _check_unique(table, "assignments", ["employee_id", "month"])
    return table


def _validate_weights(weights: pl.DataFrame, kpi_table: pl.DataFrame) -> pl.DataFrame:
    """Weights keyed by (position, kpi_code), keeping the KPI text for the lines."""
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
    _check_unique(table, "weights", ["position_id", "kpi_code"])
    return table


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
            raise ScoringInputError("wrong_dtype", f"expected {wanted}, got {actual}", frame=name, column=column)


def _check_not_null(frame: pl.DataFrame, name: str, columns: Sequence[str]) -> None:
    counts = frame.select(pl.col(columns).null_count()).row(0)
    for column, count in zip(columns, counts, strict=True):
        if count:
            raise ScoringInputError("null_key", f"{count} null value(s)", frame=name, column=column)


def _check_finite(frame: pl.DataFrame, name: str, column: str) -> None:
    if frame.select((~pl.col(column).is_finite()).any()).item():
        raise ScoringInputError("not_finite", "contains NaN or infinite values", frame=name, column=column)


def _check_unique(frame: pl.DataFrame, name: str, keys: list[str]) -> None:
    """Raise on a repeated key, naming the first one (so the bad source row can be found)."""
    if frame.select(pl.struct(keys).n_unique()).item() == frame.height:
        return
    first = frame.filter(pl.struct(keys).is_duplicated()).sort(keys).row(0, named=True)
    shown = ", ".join(
        f"{key}={Month.from_index(value)}" if key == "month" else f"{key}={value!r}"
        for key, value in first.items()
        if key in keys
    )
    raise ScoringInputError(
        "duplicate_key",
        f"key ({', '.join(keys)}) must be unique; repeated: {shown}",
        frame=name,
        column=", ".join(keys),
    )
