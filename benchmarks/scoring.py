"""Benchmark of the scoring engine against the same computation written in DuckDB SQL.

    python -m benchmarks.scoring --employees 100000 --months 24

Generates a deterministic company (about 200 people per team, 3 positions, 8 KPIs, 5% of facts missing,
late joiners, leavers, leave months and team moves), times ``compute_scorecards``, then times DuckDB
computing the same lines, cards and teams from the same data already loaded into DuckDB tables, checks
that both agree and ends with one JSON line (see benchmarks/README.md).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import polars as pl

from benchmarks.common import benchmark_parser, best_time, fail, peak_rss_mb, result_line
from perfloop.core.months import Month
from perfloop.metrics.scoring import ScoringPolicy, ScoringResult, compute_scorecards

# (kpi, direction, company-wide base target)
KPIS: tuple[tuple[str, str, float], ...] = (
    ("revenue", "higher", 80_000.0),
    ("new_customers", "higher", 12.0),
    ("calls", "higher", 300.0),
    ("visits", "higher", 40.0),
    ("gross_margin", "higher", 0.25),
    ("collection_rate", "higher", 0.95),
    ("churn_rate", "lower", 0.30),
    ("complaint_rate", "lower", 0.05),
)
# position_id -> weight per KPI in KPIS order; None = the KPI does not count for that position.
POSITION_WEIGHTS: dict[int, tuple[float | None, ...]] = {
    1: (0.30, 0.15, 0.10, 0.10, 0.10, 0.10, 0.10, 0.05),  # account executive: all eight
    2: (0.35, 0.15, None, 0.10, 0.15, 0.10, 0.10, 0.05),  # senior account executive: no call quota
    3: (0.40, 0.10, None, None, 0.20, 0.10, 0.15, 0.05),  # key account manager: no calls, no visits
}
PEOPLE_PER_TEAM = 200
FIRST_MONTH = Month(2024, 1)
MISSING_FACTS = 0.05
MISSING_TARGETS = 0.01
POLICY = ScoringPolicy()

_U64 = pl.UInt64
_MASK64 = (1 << 64) - 1


@dataclass(frozen=True)
class Company:
    facts: pl.DataFrame
    targets: pl.DataFrame
    assignments: pl.DataFrame
    weights: pl.DataFrame
    kpis: pl.DataFrame


def uniform(seed: int, stream: int, *keys: pl.Expr) -> pl.Expr:
    """A deterministic uniform [0, 1) per row: splitmix64 of the seed, a stream number and integer keys.

    Written in Polars expressions (wrapping u64 arithmetic) so the data is the same on every machine and
    version without numpy.
    """
    multipliers = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)
    start = (seed * 0xFF51AFD7ED558CCD + stream * 0xC4CEB9FE1A85EC53) & _MASK64
    mixed = pl.lit(start, dtype=_U64)
    for key, multiplier in zip(keys, multipliers, strict=False):
        mixed = mixed + key.cast(_U64) * pl.lit(multiplier, dtype=_U64)
    z = mixed + pl.lit(0x9E3779B97F4A7C15, dtype=_U64)
    z = (z ^ (z // (1 << 30))) * pl.lit(0xBF58476D1CE4E5B9, dtype=_U64)
    z = (z ^ (z // (1 << 27))) * pl.lit(0x94D049BB133111EB, dtype=_U64)
    z = z ^ (z // (1 << 31))
    return (z // (1 << 11)).cast(pl.Float64) / float(1 << 53)


def generate_company(*, employees: int, months: int, seed: int) -> Company:
    """The benchmark company: same arguments, same frames."""
    n_teams = max(1, employees // PEOPLE_PER_TEAM)
    employee, month, kpi = pl.col("employee_id"), pl.col("month"), pl.col("kpi_code")
    people = pl.DataFrame(
        {"employee_id": pl.int_range(10_000, 10_000 + employees, eager=True, dtype=pl.Int64)}
    ).with_columns(
        home_team=(uniform(seed, 1, employee) * n_teams).cast(pl.Int64) + 1,
        moved_team=(uniform(seed, 2, employee) * n_teams).cast(pl.Int64) + 1,
        move_at=pl.when(uniform(seed, 3, employee) < 0.05).then(
            (uniform(seed, 4, employee) * months).cast(pl.Int32)
        ),
        position_id=(uniform(seed, 5, employee) * len(POSITION_WEIGHTS)).cast(pl.Int64) + 1,
        skill=0.75 + 0.5 * uniform(seed, 6, employee),
        # 10% joined during the period, 8% left during it (a few both).
        joined=pl.when(uniform(seed, 7, employee) < 0.10)
        .then((uniform(seed, 8, employee) * months).cast(pl.Int32))
        .otherwise(0),
        left=pl.when(uniform(seed, 9, employee) < 0.08)
        .then((uniform(seed, 10, employee) * months).cast(pl.Int32))
        .otherwise(months),
    )
    # Month by month, as the monthly imports deliver them.
    grid = (
        pl.DataFrame({"offset": pl.int_range(0, months, eager=True, dtype=pl.Int32)})
        .join(people, how="cross")
        .with_columns(month=(pl.col("offset") + FIRST_MONTH.index).cast(pl.Int32))
    )
    on_leave = uniform(seed, 11, employee, month) < 0.01
    assigned = grid.filter(
        (pl.col("offset") >= pl.col("joined")) & (pl.col("offset") <= pl.col("left")) & ~on_leave
    )
    assignments = assigned.select(
        "employee_id",
        "month",
        team_id=pl.when(pl.col("offset") >= pl.col("move_at"))
        .then(pl.col("moved_team"))
        .otherwise(pl.col("home_team")),
        position_id="position_id",
    )

    kpi_frame = pl.LazyFrame(
        {
            "kpi_code": list(range(len(KPIS))),
            "kpi": [name for name, _, _ in KPIS],
            "is_lower": [direction == "lower" for _, direction, _ in KPIS],
            "base": [base for _, _, base in KPIS],
        },
        schema_overrides={"kpi_code": pl.Int32},
    )
    # Targets vary by person (territory) and a little by month; actuals follow the person's skill.
    target = (
        pl.col("base")
        * (0.8 + 0.4 * uniform(seed, 12, employee, kpi))
        * (0.95 + 0.1 * uniform(seed, 13, employee, month, kpi))
    )
    performance = pl.col("skill") * (0.6 + 0.8 * uniform(seed, 14, employee, month, kpi))
    # Facts cover every month of every person, employed or not (the engine ignores the others).
    facts = (
        grid.lazy()
        .select("employee_id", "month", "skill")
        .join(kpi_frame, how="cross", maintain_order="left")
        .filter(uniform(seed, 15, employee, month, kpi) >= MISSING_FACTS)
        .select(
            "employee_id",
            "month",
            "kpi",
            value=pl.when(pl.col("is_lower") & (uniform(seed, 16, employee, month, kpi) < 0.03))
            .then(0.0)
            .when(pl.col("is_lower"))
            .then(target / performance)
            .otherwise(target * performance),
        )
        .collect()
    )
    targets = (
        assigned.lazy()
        .select("employee_id", "month")
        .join(kpi_frame, how="cross", maintain_order="left")
        .filter(uniform(seed, 17, employee, month, kpi) >= MISSING_TARGETS)
        .select("employee_id", "month", "kpi", target=target)
        .collect()
    )
    weights = pl.DataFrame(
        [
            {"position_id": position, "kpi": KPIS[i][0], "weight": weight}
            for position, row in POSITION_WEIGHTS.items()
            for i, weight in enumerate(row)
            if weight is not None
        ],
        schema={"position_id": pl.Int64, "kpi": pl.String, "weight": pl.Float64},
    )
    kpis = pl.DataFrame({"kpi": [k for k, _, _ in KPIS], "direction": [d for _, d, _ in KPIS]})
    return Company(facts=facts, targets=targets, assignments=assignments, weights=weights, kpis=kpis)


# --- the reference: the same rules in DuckDB SQL ------------------------------------------------------

REFERENCE_SQL = """
CREATE OR REPLACE TEMP TABLE ref_lines AS
SELECT a.employee_id, a.month, w.kpi, f.value AS actual, t.target,
       CASE WHEN f.value IS NULL OR t.target IS NULL OR t.target <= 0 THEN NULL
            WHEN k.direction = 'lower' AND f.value <= 0 THEN {cap}
            WHEN k.direction = 'lower' THEN t.target / f.value
            ELSE f.value / t.target END AS attainment,
       w.weight
FROM assignments a
JOIN weights w ON w.position_id = a.position_id
JOIN kpis k ON k.kpi = w.kpi
LEFT JOIN facts f ON f.employee_id = a.employee_id AND f.month = a.month AND f.kpi = w.kpi
LEFT JOIN targets t ON t.employee_id = a.employee_id AND t.month = a.month AND t.kpi = w.kpi;

CREATE OR REPLACE TEMP TABLE ref_cards AS
WITH per_card AS (
    SELECT employee_id, month,
           -- least() skips NULLs in DuckDB, hence the filter on both sums
           sum(weight * least(attainment, {cap})) FILTER (WHERE attainment IS NOT NULL)
               / sum(weight) FILTER (WHERE attainment IS NOT NULL) AS composite,
           count(attainment) AS kpis_measured
    FROM ref_lines GROUP BY employee_id, month
), scored AS (
    SELECT a.employee_id, a.month, a.team_id, a.position_id, c.composite,
           c.composite >= {threshold} - 1e-9 AS is_met,
           coalesce(c.kpis_measured, 0)::INTEGER AS kpis_measured
    FROM assignments a LEFT JOIN per_card c ON c.employee_id = a.employee_id AND c.month = a.month
), ranked AS (
    SELECT *,
           CASE WHEN composite IS NOT NULL THEN
               RANK() OVER (PARTITION BY team_id, month, composite IS NULL ORDER BY round(composite, 9) DESC)
           END::INTEGER AS rank_in_team,
           count(*) OVER (PARTITION BY team_id, month)::INTEGER AS team_size,
           -- gaps and islands: consecutive months of one state share month - row_number()
           month - row_number() OVER (PARTITION BY employee_id, is_met ORDER BY month) AS island
    FROM scored
)
SELECT employee_id, month, team_id, position_id, composite, is_met, kpis_measured, rank_in_team, team_size,
       CASE WHEN NOT is_met
            THEN row_number() OVER (PARTITION BY employee_id, is_met, island ORDER BY month)
            ELSE 0 END::INTEGER AS streak_below,
       CASE WHEN is_met
            THEN row_number() OVER (PARTITION BY employee_id, is_met, island ORDER BY month)
            ELSE 0 END::INTEGER AS streak_met
FROM ranked;

CREATE OR REPLACE TEMP TABLE ref_teams AS
WITH primary_rows AS (
    SELECT a.team_id, a.month, f.value, t.target
    FROM assignments a
    JOIN facts f ON f.employee_id = a.employee_id AND f.month = a.month AND f.kpi = '{primary}'
    JOIN targets t ON t.employee_id = a.employee_id AND t.month = a.month AND t.kpi = '{primary}'
    WHERE f.value IS NOT NULL AND t.target IS NOT NULL
), completion AS (
    SELECT team_id, month, sum(value) AS actual, sum(target) AS target FROM primary_rows GROUP BY ALL
), headcount AS (
    SELECT team_id, month, count(*)::INTEGER AS members, count(composite)::INTEGER AS members_scored,
           count(*) FILTER (WHERE is_met)::INTEGER AS members_met, avg(composite) AS average_composite
    FROM ref_cards GROUP BY ALL
)
SELECT h.team_id, h.month, h.members, h.members_scored, h.members_met,
       coalesce(c.actual, 0) AS actual, coalesce(c.target, 0) AS target,
       CASE WHEN c.target > 0 THEN c.actual / c.target END AS completion, h.average_composite
FROM headcount h LEFT JOIN completion c ON c.team_id = h.team_id AND c.month = h.month
ORDER BY h.team_id, h.month;
"""


class _ArrowStream:
    """Hands a Polars frame to DuckDB through the Arrow C stream interface (no pyarrow needed)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self.frame.__arrow_c_stream__(requested_schema)


def load_into_duckdb(connection: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame]) -> None:
    """Copy frames into native DuckDB tables, so each engine starts from data in its own format."""
    for name, frame in frames.items():
        connection.register(f"{name}_arrow", _ArrowStream(frame))
        connection.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {name}_arrow")
        connection.unregister(f"{name}_arrow")


def run_reference(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(
        REFERENCE_SQL.format(
            cap=float(POLICY.attainment_cap),
            threshold=float(POLICY.met_threshold),
            primary=POLICY.primary_kpi,
        )
    )


# --- agreement ----------------------------------------------------------------------------------------

SUMMARY_SQL = {
    "lines": """SELECT count(*), count(attainment), sum(attainment), count(actual), sum(weight)
                FROM {table}""",
    "cards": """SELECT count(*), count(composite), sum(composite), count(*) FILTER (WHERE is_met),
                       sum(kpis_measured), sum(rank_in_team), sum(team_size),
                       max(streak_below), sum(streak_below), max(streak_met), sum(streak_met)
                FROM {table}""",
    "teams": """SELECT count(*), sum(members), sum(members_scored), sum(members_met), sum(actual),
                       sum(target), count(completion), sum(completion), sum(average_composite)
                FROM {table}""",
}
SUMMARY_NAMES = {
    "lines": ("rows", "measured", "Σ attainment", "with actual", "Σ weight"),
    "cards": (
        "rows",
        "scored",
        "Σ composite",
        "met",
        "Σ kpis_measured",
        "Σ rank",
        "Σ team_size",
        "max streak_below",
        "Σ streak_below",
        "max streak_met",
        "Σ streak_met",
    ),
    "teams": (
        "rows",
        "Σ members",
        "Σ scored",
        "Σ met",
        "Σ actual",
        "Σ target",
        "with completion",
        "Σ completion",
        "Σ average",
    ),
}
# Row by row on the cards: every column must agree for every employee-month.
CARD_DIFF_SQL = """
SELECT count(*) AS rows,
       count(*) FILTER (WHERE r.employee_id IS NULL OR o.employee_id IS NULL) AS unmatched,
       count(*) FILTER (WHERE NOT (abs(coalesce(o.composite, -1) - coalesce(r.composite, -1)) <= 1e-9))
           AS composite,
       count(*) FILTER (WHERE o.is_met IS DISTINCT FROM r.is_met) AS is_met,
       count(*) FILTER (WHERE o.rank_in_team IS DISTINCT FROM r.rank_in_team) AS rank_in_team,
       count(*) FILTER (WHERE o.team_size IS DISTINCT FROM r.team_size) AS team_size,
       count(*) FILTER (WHERE o.kpis_measured IS DISTINCT FROM r.kpis_measured) AS kpis_measured,
       count(*) FILTER (WHERE o.streak_below IS DISTINCT FROM r.streak_below) AS streak_below,
       count(*) FILTER (WHERE o.streak_met IS DISTINCT FROM r.streak_met) AS streak_met
FROM ours_cards o FULL JOIN ref_cards r ON r.employee_id = o.employee_id AND r.month = o.month
"""


def check_agreement(connection: duckdb.DuckDBPyConnection, ours: ScoringResult) -> None:
    """Fail unless the engine and DuckDB agree on summaries of all three outputs and on every card."""
    load_into_duckdb(
        connection, {"ours_lines": ours.lines, "ours_cards": ours.cards, "ours_teams": ours.teams}
    )
    for output, sql in SUMMARY_SQL.items():
        mine = connection.execute(sql.format(table=f"ours_{output}")).fetchall()[0]
        theirs = connection.execute(sql.format(table=f"ref_{output}")).fetchall()[0]
        assert mine is not None
        assert theirs is not None
        for name, a, b in zip(SUMMARY_NAMES[output], mine, theirs, strict=True):
            if not _same(a, b):
                fail(f"{output} {name}: engine {a} != DuckDB {b}")
    row = connection.execute(CARD_DIFF_SQL).fetchall()[0]
    assert row is not None
    columns = [column[0] for column in connection.description or ()]
    differences = {name: count for name, count in zip(columns, row, strict=True) if name != "rows" and count}
    if differences:
        fail(f"cards differ from DuckDB ({row[0]} rows compared): {differences}")


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)  # type: ignore[arg-type]
    return a == b


# --- main -------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = benchmark_parser(__doc__.splitlines()[0] if __doc__ else "scoring benchmark")
    parser.add_argument("--employees", type=int, default=100_000, help="people in the company")
    parser.add_argument("--months", type=int, default=24, help="months of history")
    args = parser.parse_args(argv)

    company = generate_company(employees=args.employees, months=args.months, seed=args.seed)
    generated_peak = peak_rss_mb()
    print(
        f"scoring: {args.employees:,} employees × {args.months} months × {len(KPIS)} KPIs; "
        f"{company.facts.height:,} facts, {company.targets.height:,} targets, "
        f"{company.assignments.height:,} assigned employee-months, "
        f"{company.assignments['team_id'].n_unique():,} teams"
    )
    print(f"  generated; peak RSS so far {generated_peak:,.0f} MiB")

    def ours() -> ScoringResult:
        return compute_scorecards(
            facts=company.facts,
            targets=company.targets,
            assignments=company.assignments,
            weights=company.weights,
            kpis=company.kpis,
            policy=POLICY,
        )

    result, ours_s = best_time(ours, repeat=args.repeat)
    ours_peak = peak_rss_mb()
    print(
        f"  engine  {ours_s:7.3f} s  → {result.lines.height:,} lines, {result.cards.height:,} cards, "
        f"{result.teams.height:,} team-months (peak RSS so far {ours_peak:,.0f} MiB)"
    )

    connection = duckdb.connect()
    load_s = _timed(
        lambda: load_into_duckdb(
            connection,
            {
                "facts": company.facts,
                "targets": company.targets,
                "assignments": company.assignments,
                "weights": company.weights,
                "kpis": company.kpis,
            },
        )
    )
    _, reference_s = best_time(lambda: run_reference(connection), repeat=args.repeat)
    threads = connection.execute("SELECT current_setting('threads')").fetchall()[0][0]
    print(
        f"  duckdb  {reference_s:7.3f} s  (version {duckdb.__version__}, {threads} threads;"
        f" loading the inputs took {load_s:.3f} s, not counted)"
    )
    check_agreement(connection, result)
    print("  agreement: the summaries of lines, cards and teams and every single card match")
    print(f"  peak RSS of the whole process: {peak_rss_mb():,.0f} MiB")
    print(
        result_line(
            bench="scoring",
            size={"employees": args.employees, "months": args.months, "kpis": len(KPIS)},
            ours_s=ours_s,
            reference=f"duckdb {duckdb.__version__}",
            reference_s=reference_s,
            peak_rss_mb=ours_peak,
        )
    )
    return 0


def _timed(function: Callable[[], object]) -> float:
    _, seconds = best_time(function, repeat=1)
    return seconds


if __name__ == "__main__":
    sys.exit(main())
