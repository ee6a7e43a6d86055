"""Benchmark of the goals engines — the annual cascade and the suggestions — against DuckDB SQL.

    python -m benchmarks.goals --employees 100000 --months 12

Generates a deterministic company (about 200 people a team, 24 months of revenue history with
seasonality, trend, 5% missing months and recent joiners), stores the history in an SQLite file
the way perfloop's embedded database keeps facts, then times perfloop's own engines:

* the cascade of a company's annual target → teams (by headcount) → people → months (seasonality),
  largest remainder on whole fen (`perfloop.goals.cascade.allocate_quanta`, what `plan_apply` uses);
* suggestions for every person and each of the 12 months (`perfloop.goals.suggestions`, the
  vectorised rule `selectors.suggestions_for` runs), with team seasonality from the history.

The reference computes the same with DuckDB SQL on the same data loaded into DuckDB tables. Both must
agree on every monthly target and every suggestion to the last unit, or the benchmark fails. The
summary also shows reading the history back from SQLite and the end-to-end time against the 30 s
target; the JSON line compares the computation (the same work on both sides).
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl

from benchmarks.common import benchmark_parser, best_time, fail, peak_rss_mb, positive_int, result_line
from benchmarks.scoring import load_into_duckdb, uniform
from perfloop.core.months import Month
from perfloop.goals.cascade import allocate_quanta, integer_weights
from perfloop.goals.suggestions import (
    BASIS_POINTS,
    GROWTH_CAP_BP,
    HISTORY_MONTHS,
    MIN_HISTORY_MONTHS,
    SCALE,
    seasonality_frame,
    step_for_unit,
    suggest_targets_frame,
)

PEOPLE_PER_TEAM = 200
HISTORY_LENGTH = 24
PLAN_YEAR = 2025
FIRST_HISTORY = Month(PLAN_YEAR - 2, 1)
AS_OF = Month(PLAN_YEAR - 1, 12)
MONTHLY_STANDARD = Decimal(80000)
ANNUAL_PER_PERSON_FEN = 960_000 * 100 + 37  # not a round number, so the leftover fen matter
SEASONALITY = [
    Decimal(w) for w in ("0.80", "0.85", "1", "1", "1", "1.05", "1", "1", "1", "1.05", "1.1", "1.15")
]
SEASON_SHAPE = [0.75, 0.8, 1.0, 1.0, 1.0, 1.05, 0.95, 1.0, 1.0, 1.05, 1.1, 1.3]
MISSING = 0.05
JOINERS = 0.04  # hired in the last four months of history: fewer than three months of data for some


@dataclass(frozen=True)
class Company:
    people: pl.DataFrame  # employee_id, team_id
    history: pl.DataFrame  # employee_id, month (Month.index), value (Int64, 1/10,000 units)
    company_target_fen: int


def generate_company(*, employees: int, seed: int) -> Company:
    """The benchmark company: same arguments, same frames."""
    teams = max(1, employees // PEOPLE_PER_TEAM)
    employee = pl.col("employee_id")
    people = pl.DataFrame(
        {"employee_id": pl.int_range(1, employees + 1, eager=True, dtype=pl.Int64)}
    ).with_columns(
        team_id=(uniform(seed, 1, employee) * teams).cast(pl.Int64) + 1,
        skill=0.6 + 0.7 * uniform(seed, 2, employee),
        trend=-0.02 + 0.04 * uniform(seed, 3, employee),
        joined=pl.when(uniform(seed, 4, employee) < JOINERS)
        .then(HISTORY_LENGTH - 1 - (uniform(seed, 5, employee) * 4).cast(pl.Int32))
        .otherwise(0),
    )
    months = pl.DataFrame({"offset": pl.int_range(0, HISTORY_LENGTH, eager=True, dtype=pl.Int32)})
    history = (
        people.join(months, how="cross")
        .filter(pl.col("offset") >= pl.col("joined"))
        .with_columns(month=(pl.col("offset") + FIRST_HISTORY.index).cast(pl.Int32))
        .filter(uniform(seed, 6, employee, pl.col("month")) >= MISSING)
        .with_columns(
            season=pl.col("month")
            .mod(12)
            .replace_strict(list(range(12)), SEASON_SHAPE, return_dtype=pl.Float64)
        )
        .select(
            "employee_id",
            "month",
            # Revenue to the fen, stored (like perfloop) with four decimal places.
            value=(
                80_000
                * pl.col("skill")
                * pl.col("season")
                * (1 + pl.col("trend") * pl.col("offset"))
                * (0.85 + 0.3 * uniform(seed, 7, employee, pl.col("month")))
                * 100
            )
            .round(0)
            .cast(pl.Int64)
            * (SCALE // 100),
        )
    )
    return Company(
        people=people.select("employee_id", "team_id"),
        history=history,
        company_target_fen=ANNUAL_PER_PERSON_FEN * employees,
    )


# --- perfloop's side ---------------------------------------------------------------------------------


def store_in_sqlite(company: Company, path: Path) -> None:
    """The history as perfloop's embedded database keeps it (month as YYYYMM, value as a decimal column)."""
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE fact (employee_id INTEGER, month INTEGER, value DECIMAL)")
        rows = company.history.select(
            "employee_id",
            (pl.col("month") // 12 * 100 + pl.col("month") % 12 + 1).alias("yyyymm"),
            (pl.col("value") / SCALE).alias("value"),
        ).iter_rows()
        connection.executemany("INSERT INTO fact VALUES (?, ?, ?)", rows)
        connection.execute("CREATE INDEX fact_month ON fact (month)")


def read_history(path: Path) -> pl.DataFrame:
    """The six-to-24 months of history back from SQLite, in the engine's integer units."""
    first = (AS_OF - (HISTORY_LENGTH - 1)).as_int()
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT employee_id, month, value FROM fact WHERE month BETWEEN ? AND ?", (first, AS_OF.as_int())
        ).fetchall()
    frame = pl.DataFrame(
        rows, schema={"employee_id": pl.Int64, "yyyymm": pl.Int64, "value": pl.Float64}, orient="row"
    )
    return frame.select(
        "employee_id",
        month=((pl.col("yyyymm") // 100) * 12 + pl.col("yyyymm") % 100 - 1).cast(pl.Int32),
        # SQLite hands decimals back as doubles; to the fourth place they are exact again.
        value=(pl.col("value") * SCALE).round(0).cast(pl.Int64),
    )


def cascade_company(company: Company) -> pl.DataFrame:
    """Company → teams by headcount → people alike → months by seasonality, on whole fen."""
    people = company.people.sort("team_id", "employee_id")
    teams = people.group_by("team_id", maintain_order=True).agg(pl.col("employee_id"))
    members = teams["employee_id"].to_list()
    team_fen = allocate_quanta(company.company_target_fen, [len(m) for m in members])
    month_weights = integer_weights(SEASONALITY)
    employee_ids: list[int] = []
    month_fen: list[int] = []
    for amount, team_members in zip(team_fen, members, strict=True):
        for person, annual in zip(
            team_members, allocate_quanta(amount, [1] * len(team_members)), strict=True
        ):
            employee_ids.extend([person] * 12)
            month_fen.extend(allocate_quanta(annual, month_weights))
    months = [Month(PLAN_YEAR, m).index for m in range(1, 13)] * (len(employee_ids) // 12)
    return pl.DataFrame(
        {"employee_id": employee_ids, "month": months, "target_fen": month_fen},
        schema={"employee_id": pl.Int64, "month": pl.Int32, "target_fen": pl.Int64},
    )


def suggest_all(company: Company, history: pl.DataFrame) -> pl.DataFrame:
    """Every person's suggestion for each month of the plan year, with their team's seasonality."""
    totals = (
        history.join(company.people, on="employee_id")
        .group_by("team_id", "month")
        .agg(total=pl.col("value").sum())
        .rename({"team_id": "season_group"})
    )
    seasonality = seasonality_frame(totals)
    targets = pl.DataFrame(
        {"target_month": [Month(PLAN_YEAR, m).index for m in range(1, 13)]}, schema={"target_month": pl.Int32}
    )
    requests = company.people.join(targets, how="cross").select(
        "employee_id",
        "target_month",
        as_of=pl.lit(AS_OF.index, dtype=pl.Int32),
        standard=pl.lit(int(MONTHLY_STANDARD) * SCALE, dtype=pl.Int64),
        season_group=pl.col("team_id"),
    )
    return suggest_targets_frame(history=history, requests=requests, seasonality=seasonality).select(
        "employee_id", "target_month", "suggestion", "rule"
    )


# --- the reference: the same rules in DuckDB SQL -------------------------------------------------------

REFERENCE_SQL = """
CREATE OR REPLACE MACRO floor_div(a, b) AS CASE WHEN a >= 0 THEN a // b ELSE -((-a + b - 1) // b) END;
CREATE OR REPLACE MACRO rhu(a, b) AS floor_div(2 * a + b, 2 * b);

-- Cascade: largest remainder at every level, ties to the earlier child.
CREATE OR REPLACE TEMP TABLE ref_teams AS
WITH heads AS (SELECT team_id, count(*)::HUGEINT AS n FROM people GROUP BY team_id),
shares AS (
    SELECT team_id, n, {total}::HUGEINT * n // sum(n) OVER () AS floor_fen,
           {total}::HUGEINT * n % sum(n) OVER () AS remainder FROM heads
),
ranked AS (
    SELECT *, row_number() OVER (ORDER BY remainder DESC, team_id) AS place,
           {total}::HUGEINT - sum(floor_fen) OVER () AS leftover FROM shares
)
SELECT team_id, n, floor_fen + CASE WHEN place <= leftover THEN 1 ELSE 0 END AS fen FROM ranked;

CREATE OR REPLACE TEMP TABLE ref_people AS
SELECT p.employee_id, t.fen // t.n
       + CASE WHEN row_number() OVER (PARTITION BY p.team_id ORDER BY p.employee_id) <= t.fen % t.n
              THEN 1 ELSE 0 END AS fen
FROM people p JOIN ref_teams t USING (team_id);

CREATE OR REPLACE TEMP TABLE ref_months AS
WITH weights AS (SELECT * FROM month_weights),
shares AS (
    SELECT p.employee_id, w.month, w.position,
           p.fen * w.weight // sum(w.weight) OVER (PARTITION BY p.employee_id) AS floor_fen,
           p.fen * w.weight % sum(w.weight) OVER (PARTITION BY p.employee_id) AS remainder, p.fen
    FROM ref_people p CROSS JOIN weights w
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY employee_id ORDER BY remainder DESC, position) AS place,
           fen - sum(floor_fen) OVER (PARTITION BY employee_id) AS leftover FROM shares
)
SELECT employee_id, month, floor_fen + CASE WHEN place <= leftover THEN 1 ELSE 0 END AS target_fen
FROM ranked;

-- Suggestions.
CREATE OR REPLACE TEMP TABLE ref_factors AS
WITH team_months AS (
    SELECT p.team_id, h.month, sum(h.value)::HUGEINT AS total
    FROM history h JOIN people p USING (employee_id) GROUP BY ALL
),
per_calendar AS (
    SELECT team_id, month % 12 + 1 AS calendar_month, sum(total) AS month_total, count(*) AS month_count
    FROM team_months GROUP BY ALL
),
per_team AS (
    SELECT team_id, sum(month_total) AS all_total, sum(month_count) AS all_count, count(*) AS calendar_months
    FROM per_calendar GROUP BY ALL
)
SELECT c.team_id, c.calendar_month,
       least(greatest(rhu(c.month_total * t.all_count * {bp}, c.month_count * t.all_total), {season_min}),
             {season_max}) AS factor_bp
FROM per_calendar c JOIN per_team t USING (team_id)
WHERE t.calendar_months = 12 AND t.all_total > 0;

CREATE OR REPLACE TEMP TABLE ref_suggestions AS
WITH windowed AS (
    SELECT h.employee_id, p.team_id, h.month,
           rhu(h.value::HUGEINT * {bp}, coalesce(f.factor_bp, {bp})) AS adjusted,
           h.month > {as_of} - 3 AS is_later
    FROM history h JOIN people p USING (employee_id)
    LEFT JOIN ref_factors f ON f.team_id = p.team_id AND f.calendar_month = h.month % 12 + 1
    WHERE h.month <= {as_of} AND h.month > {as_of} - {window}
),
per_person AS (
    SELECT p.employee_id, p.team_id, count(w.month) AS used, sum(w.adjusted) AS adjusted_sum,
           coalesce(sum(w.adjusted) FILTER (WHERE w.is_later), 0) AS later,
           coalesce(sum(w.adjusted) FILTER (WHERE NOT w.is_later), 0) AS earlier
    FROM people p LEFT JOIN windowed w USING (employee_id) GROUP BY ALL
),
base AS (
    SELECT employee_id, team_id, used,
           CASE WHEN used >= {min_history} THEN rhu(adjusted_sum, used) END AS average,
           CASE WHEN used = {window} AND earlier > 0
                THEN least(greatest(rhu((later - earlier) * {bp}, earlier), -{cap}), {cap})
                ELSE 0 END AS growth_bp
    FROM per_person
),
targets AS (
    SELECT b.*, t.target_month, coalesce(f.factor_bp, {bp}) AS season_bp
    FROM base b CROSS JOIN target_months t
    LEFT JOIN ref_factors f ON f.team_id = b.team_id AND f.calendar_month = t.target_month % 12 + 1
),
run AS (
    SELECT *, rhu(rhu(average * ({bp} + growth_bp), {bp}) * season_bp, {bp}) AS run_rate FROM targets
)
SELECT employee_id, target_month,
       CASE WHEN used < {min_history} THEN {standard}
            WHEN run_rate < {standard} THEN rhu(rhu(run_rate + {standard}, 2), {step}) * {step}
            ELSE rhu(run_rate, {step}) * {step} END AS suggestion
FROM run;
"""


def run_reference(connection: duckdb.DuckDBPyConnection, company: Company) -> None:
    connection.execute(
        REFERENCE_SQL.format(
            total=company.company_target_fen,
            bp=BASIS_POINTS,
            season_min=2000,
            season_max=50000,
            as_of=AS_OF.index,
            window=HISTORY_MONTHS,
            min_history=MIN_HISTORY_MONTHS,
            cap=GROWTH_CAP_BP,
            standard=int(MONTHLY_STANDARD) * SCALE,
            step=step_for_unit("cny"),
        )
    )


def check_agreement(
    connection: duckdb.DuckDBPyConnection, company: Company, months: pl.DataFrame, suggestions: pl.DataFrame
) -> None:
    """Fail unless both sides give every person the same twelve targets and the same twelve suggestions."""
    total = months["target_fen"].sum()
    if total != company.company_target_fen:
        fail(f"the months add up to {total} fen, not the company's {company.company_target_fen}")
    load_into_duckdb(connection, {"ours_months": months, "ours_suggestions": suggestions})
    checks = {
        "monthly targets": """
            SELECT count(*) FILTER (WHERE o.employee_id IS NULL OR r.employee_id IS NULL
                                     OR o.target_fen <> r.target_fen), count(*)
            FROM ours_months o FULL JOIN ref_months r USING (employee_id, month)""",
        "suggestions": """
            SELECT count(*) FILTER (WHERE o.employee_id IS NULL OR r.employee_id IS NULL
                                     OR o.suggestion <> r.suggestion), count(*)
            FROM ours_suggestions o FULL JOIN ref_suggestions r USING (employee_id, target_month)""",
    }
    for name, sql in checks.items():
        row = connection.execute(sql).fetchone()
        assert row is not None
        differing, compared = row
        if differing:
            fail(f"{name}: {differing} of {compared} rows differ from DuckDB")


# --- main ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = benchmark_parser(__doc__.splitlines()[0] if __doc__ else "goals benchmark")
    parser.add_argument("--employees", type=positive_int, default=100_000, help="people in the company")
    parser.add_argument("--months", type=int, choices=[12], default=12, help="months of the plan (a year)")
    args = parser.parse_args(argv)

    company = generate_company(employees=args.employees, seed=args.seed)
    teams = company.people["team_id"].n_unique()
    print(
        f"goals: {args.employees:,} employees in {teams:,} teams × {args.months} months; "
        f"{company.history.height:,} months of revenue history"
    )
    with tempfile.TemporaryDirectory() as directory:
        database = Path(directory) / "perfloop.sqlite3"
        store_in_sqlite(company, database)
        history, read_s = best_time(lambda: read_history(database), repeat=args.repeat)

    def ours() -> tuple[pl.DataFrame, pl.DataFrame]:
        return cascade_company(company), suggest_all(company, history)

    (months, suggestions), ours_s = best_time(ours, repeat=args.repeat)
    cascade_s = _timed(lambda: cascade_company(company))
    ours_peak = peak_rss_mb()
    rules = dict(suggestions.group_by("rule").len().iter_rows())
    print(
        f"  perfloop {ours_s:7.3f} s  → {months.height:,} monthly targets (cascade {cascade_s:.3f} s), "
        f"{suggestions.height:,} suggestions {rules}"
    )
    print(
        f"  reading the history back from SQLite {read_s:.3f} s; end to end {read_s + ours_s:.3f} s "
        f"(target: under 30 s)"
    )

    connection = duckdb.connect()
    weights = pl.DataFrame(
        {
            "month": [Month(PLAN_YEAR, m).index for m in range(1, 13)],
            "position": list(range(12)),
            "weight": integer_weights(SEASONALITY),
        },
        schema={"month": pl.Int32, "position": pl.Int32, "weight": pl.Int64},
    )
    load_s = _timed(
        lambda: load_into_duckdb(
            connection,
            {
                "people": company.people,
                "history": history,
                "month_weights": weights,
                "target_months": weights.select(target_month="month"),
            },
        )
    )
    _, reference_s = best_time(lambda: run_reference(connection, company), repeat=args.repeat)
    threads = connection.execute("SELECT current_setting('threads')").fetchall()[0][0]
    print(
        f"  duckdb   {reference_s:7.3f} s  (version {duckdb.__version__}, {threads} threads;"
        f" loading the inputs took {load_s:.3f} s, not counted)"
    )
    check_agreement(connection, company, months, suggestions)
    print("  agreement: every monthly target and every suggestion match, and the months add up to the fen")
    if read_s + ours_s >= 30:
        print("  WARNING: slower than the 30 s target", file=sys.stderr)
    print(
        result_line(
            bench="goals",
            size={"employees": args.employees, "months": args.months, "teams": teams},
            ours_s=ours_s,
            reference=f"duckdb {duckdb.__version__}",
            reference_s=reference_s,
            peak_rss_mb=ours_peak,
        )
    )
    return 0


def _timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
