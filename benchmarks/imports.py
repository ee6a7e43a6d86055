"""Benchmark of a CRM deals import end to end, beside DuckDB reading and aggregating the same file.

    python -m benchmarks.imports                       # 1,000,000 deals, SQLite and PostgreSQL
    python -m benchmarks.imports --rows 100000 --repeat 1 --engines sqlite
    python -m benchmarks.imports --rows 1000000 --repeat 1 --engines sqlite --profile   # where the time goes

Generates a deterministic opportunities export (the generic English CRM preset's columns: opportunity id,
sales agent, account, deal stage, engage and close date, close value) for 2,000 reps and 60,000 accounts
over 12 months, with a handful of bad rows (unknown agents, unreadable amounts) as real exports have.

*Ours*: ``perfloop.imports.services.import_file`` on the file, as ``perfloop import`` runs it — hash,
decode, parse, validate, match people, quarantine, aggregate revenue / conversion / new customers by
close month, write the facts with lineage and the batch in one transaction — into a fresh SQLite
database and, when PostgreSQL answers, into a fresh PostgreSQL database. Each engine runs in a child
process of its own (Django's settings are per process), so its peak memory is its own.

*Reference*: DuckDB reading the same CSV and computing the same monthly revenue, deals won and lost and
new customers (an account's first won deal) in SQL, results fetched.

*Agreement*: total revenue, deals won and lost, and new customers must be equal on both sides.

*The database's share*: after its last import each engine's child also times the import's own fact writer
on its own, inserting the same facts into the emptied fact table: the part of the import that no faster
parsing, validation or aggregation can remove, printed beside DuckDB's time.

The last line is the JSON result (see benchmarks/README.md): ``ours_s`` is the SQLite run.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import io
import itertools
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import duckdb
import polars as pl

from benchmarks.common import benchmark_parser, best_time, fail, peak_rss_mb, positive_int, result_line
from benchmarks.scoring import uniform

AGENTS = 2_000
ACCOUNTS = 60_000
BAD_EVERY = 20_000  # one bad row in 20,000: an unknown agent or an amount nobody can read
ROOT = Path(__file__).resolve().parents[1]


def agent_name(index: pl.Expr) -> pl.Expr:
    return pl.format("Agent {}", index.cast(pl.String).str.zfill(4))


def generate_deals(path: Path, *, rows: int, seed: int) -> None:
    """The opportunities export: same seed, same bytes."""
    frame = pl.DataFrame({"i": pl.int_range(0, rows, eager=True, dtype=pl.Int64)}).with_columns(
        stage_draw=uniform(seed, 1, pl.col("i")),
        close_day=(uniform(seed, 2, pl.col("i")) * 365).cast(pl.Int32),
        cycle=(uniform(seed, 3, pl.col("i")) * 120).cast(pl.Int32) + 1,
        agent=(uniform(seed, 4, pl.col("i")) * AGENTS).cast(pl.Int64),
        account=(uniform(seed, 5, pl.col("i")) * ACCOUNTS).cast(pl.Int64),
        value=(uniform(seed, 6, pl.col("i")) * 4_990_000).cast(pl.Int64) + 10_000,  # fen: 100.00 .. 50,000.00
    )
    close = pl.lit(dt.date(2024, 1, 1)) + pl.duration(days=pl.col("close_day"))
    stage = (
        pl.when(pl.col("stage_draw") < 0.40)
        .then(pl.lit("Won"))
        .when(pl.col("stage_draw") < 0.75)
        .then(pl.lit("Lost"))
        .when(pl.col("stage_draw") < 0.90)
        .then(pl.lit("Engaging"))
        .otherwise(pl.lit("Prospecting"))
    )
    is_open = pl.col("deal_stage").is_in(["Engaging", "Prospecting"])
    deals = frame.select(
        opportunity_id=pl.format("OPP{}", pl.col("i").cast(pl.String).str.zfill(8)),
        sales_agent=pl.when(pl.col("i") % BAD_EVERY == 7)
        .then(pl.lit("Unknown Agent"))
        .otherwise(agent_name(pl.col("agent"))),
        account=pl.format("Account {}", pl.col("account").cast(pl.String).str.zfill(6)),
        deal_stage=stage,
        engage_date=(close - pl.duration(days=pl.col("cycle"))).dt.to_string("%Y-%m-%d"),
        close_date=close.dt.to_string("%Y-%m-%d"),
        close_value=pl.when(pl.col("i") % BAD_EVERY == 13)
        .then(pl.lit("n/a?"))
        .otherwise(
            pl.format(
                "{}.{}",
                (pl.col("value") // 100).cast(pl.String),
                (pl.col("value") % 100).cast(pl.String).str.zfill(2),
            )
        ),
    ).with_columns(
        close_date=pl.when(is_open).then(None).otherwise(pl.col("close_date")),
        close_value=pl.when(is_open)
        .then(None)
        .when(pl.col("deal_stage") == "Lost")
        .then(pl.lit("0"))
        .otherwise(pl.col("close_value")),
    )
    deals.write_csv(path)


# --- the reference ----------------------------------------------------------------------------------------

REFERENCE_SQL = """
WITH deals AS (
    SELECT opportunity_id, sales_agent, account, deal_stage,
           TRY_CAST(close_date AS DATE) AS close_date,
           TRY_CAST(replace(close_value, ',', '') AS DECIMAL(18, 4)) AS amount
    FROM read_csv('{path}', all_varchar = true, header = true)
), dated AS (
    SELECT *, year(close_date) * 100 + month(close_date) AS month
    FROM deals
    WHERE deal_stage IN ('Won', 'Lost') AND close_date IS NOT NULL AND sales_agent <> 'Unknown Agent'
), withheld AS (  -- a person-month with an unreadable row gets no value until the row is fixed
    SELECT DISTINCT sales_agent, month FROM dated WHERE deal_stage = 'Won' AND amount IS NULL
), closed AS (
    SELECT * FROM dated WHERE deal_stage = 'Lost' OR amount IS NOT NULL
), first_wins AS (
    SELECT account, arg_min(sales_agent, (close_date, opportunity_id)) AS sales_agent,
           min(close_date) AS won_on
    FROM closed WHERE deal_stage = 'Won' GROUP BY account
), per_month AS (
    SELECT sales_agent, month,
           sum(amount) FILTER (WHERE deal_stage = 'Won') AS revenue,
           count(*) FILTER (WHERE deal_stage = 'Won') AS won,
           count(*) FILTER (WHERE deal_stage = 'Lost') AS lost
    FROM closed GROUP BY sales_agent, month
), new_customers AS (
    SELECT sales_agent, year(won_on) * 100 + month(won_on) AS month, count(*) AS new_customers
    FROM first_wins GROUP BY ALL
)
SELECT p.*, coalesce(n.new_customers, 0) AS new_customers, won::DOUBLE / (won + lost) AS conversion
FROM per_month p
LEFT JOIN new_customers n USING (sales_agent, month)
ANTI JOIN withheld w USING (sales_agent, month)
"""


def reference(path: Path) -> pl.DataFrame:
    connection = duckdb.connect()
    try:
        relation = connection.sql(REFERENCE_SQL.format(path=str(path).replace("'", "''")))
        columns = relation.columns
        rows = relation.fetchall()  # a few tens of thousands of person-months: fetched like any result
        return pl.DataFrame(rows, schema=columns, orient="row", infer_schema_length=None)
    finally:
        connection.close()


def reference_totals(frame: pl.DataFrame) -> dict[str, str]:
    return {
        "revenue": str(frame["revenue"].sum()),
        "won": str(int(frame["won"].sum())),
        "lost": str(int(frame["lost"].sum())),
        "new_customers": str(int(frame["new_customers"].sum())),
        "person_months": str(frame.height),
    }


# --- ours (one engine per child process) -------------------------------------------------------------------


def child_run(path: str, repeat: int, profile: bool, phases_shown: bool) -> None:
    """In a child process with its own database: set up the people, then time the import ``repeat`` times.

    With ``phases_shown`` the time of each phase the import reports in its last run is printed on standard
    error; with ``profile`` that run is profiled too (cProfile, cumulative), which slows every phase.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfloop.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from perfloop.imports.models import BatchEvents, CoverageClaim, FactChange, ImportBatch
    from perfloop.imports.models import QuarantinedRow as Quarantined
    from perfloop.imports.services import import_file
    from perfloop.metrics.models import MonthlyFact
    from perfloop.org.models import Employee, Position
    from perfloop.org.services import org_unit_create

    call_command("migrate", verbosity=0)
    unit = org_unit_create(actor=None, code="SALES", name="Sales")
    position = Position.objects.create(code="sales_rep", name="Sales representative")
    Employee.objects.bulk_create(
        [
            Employee(
                employee_number=f"A{i:04d}",
                name=f"Agent {i:04d}",
                hire_date=dt.date(2020, 1, 1),
                position=position,
                org_unit=unit,
            )
            for i in range(AGENTS)
        ]
    )
    best = float("inf")
    outcome = None
    phases: list[tuple[str, float, float]] = []  # phase, wall clock, CPU time of the process at its start
    profiler = cProfile.Profile() if profile else None
    for _ in range(repeat):
        for model in (FactChange, Quarantined, BatchEvents, CoverageClaim, MonthlyFact, ImportBatch):
            model.objects.all().delete()
        phases.clear()
        started, started_cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        outcome = import_file(
            actor=None,
            source="crm",
            profile="crm-opportunities-en",
            path_or_bytes=Path(path),
            progress=lambda phase, _: phases.append((phase, time.perf_counter(), time.process_time())),
        )
        if profiler:
            profiler.disable()
        finished, finished_cpu = time.perf_counter(), time.process_time()
        best = min(best, finished - started)
    assert outcome is not None
    if phases_shown or profiler:
        # CPU is this process's, summed over its threads (the database server's own is not in it): CPU above
        # wall time means the phase kept more than one core busy.
        marks = [("start", started, started_cpu), *phases, ("end", finished, finished_cpu)]
        for (phase, at, cpu_at), (_, until, cpu_until) in itertools.pairwise(marks):
            print(
                f"{connection.vendor} phase {phase:<12} {until - at:6.3f} s, CPU {cpu_until - cpu_at:6.3f} s",
                file=sys.stderr,
            )
    if profiler:
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(40)
        print(buffer.getvalue(), file=sys.stderr)
    if outcome.batch.status != "applied":
        fail(f"{connection.vendor}: {outcome.batch.error_code} {outcome.batch.error_message}")
    facts = MonthlyFact.objects.filter(batch_id=outcome.batch.pk)
    revenue = sum(facts.filter(kpi__code="revenue").values_list("value", flat=True))
    conversion = list(facts.filter(kpi__code="conversion_rate").values_list("lineage", flat=True))
    totals = {
        "revenue": str(revenue),
        "won": str(sum(item["won"] for item in conversion)),
        "lost": str(sum(item["lost"] for item in conversion)),
        "new_customers": str(
            int(sum(facts.filter(kpi__code="new_customers").values_list("value", flat=True)))
        ),
        "person_months": str(len(conversion)),
    }
    facts_alone = facts_write_alone(outcome.batch.pk)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "seconds": best,
                "peak_rss_mb": peak_rss_mb(),
                "rows": outcome.batch.rows_total,
                "quarantined": outcome.batch.rows_quarantined,
                "facts": outcome.batch.facts_created,
                "facts_alone_s": facts_alone,
                "totals": totals,
            }
        )
    )


def facts_write_alone(batch_id: int) -> float:
    """The batch's facts written again by the import's fact writer alone, as a first import inserts them.

    They are read back and removed (on PostgreSQL by ``TRUNCATE``: the table's files start empty again, as
    in the import's fresh database), then inserted; the time of the insert only.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from perfloop.imports.aggregation import FACTS_SCHEMA
    from perfloop.imports.facts import facts_write
    from perfloop.metrics.models import MonthlyFact

    stored = MonthlyFact.objects.filter(batch_id=batch_id)
    rows = [
        (employee, month.as_int(), kpi, value, json.dumps({k: v for k, v in lineage.items() if k != "batch"}))
        for employee, month, kpi, value, lineage in stored.values_list(
            "employee_id", "month", "kpi__code", "value", "lineage"
        )
    ]
    facts = pl.DataFrame(rows, schema=FACTS_SCHEMA, orient="row")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {MonthlyFact._meta.db_table}")
    else:
        stored.delete()
    with transaction.atomic():
        started = time.perf_counter()
        facts_write(batch_id=batch_id, source="crm", facts=facts, replaced=None, now=timezone.now())
        return time.perf_counter() - started


def run_engine(
    engine: str, path: Path, repeat: int, workdir: Path, profile: bool = False, phases_shown: bool = False
) -> dict[str, object] | None:
    env = {**os.environ, "PERFLOOP_LOG_LEVEL": "ERROR"}
    scratch = None
    if engine == "sqlite":
        env.pop("DATABASE_URL", None)
        env["PERFLOOP_VAR_DIR"] = str(workdir / f"sqlite-{uuid.uuid4().hex[:8]}")  # a fresh database each run
    else:
        base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
        try:
            import psycopg

            parts = urlsplit(base)
            admin = urlunsplit(parts._replace(path="/postgres"))
            scratch = f"perfloop_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(admin, autocommit=True, connect_timeout=3) as connection:
                connection.execute(f'CREATE DATABASE "{scratch}"')
        except Exception as exc:  # no PostgreSQL on this machine: say so and go on
            print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
            return None
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{scratch}"))
        env["PERFLOOP_CONN_MAX_AGE"] = "0"
    try:
        completed = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "benchmarks.imports", "--child", str(path), "--repeat", str(repeat)]
            + (["--profile"] if profile else [])
            + (["--phases"] if phases_shown else []),
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            fail(f"{engine} run failed:\n{completed.stderr[-3000:]}")
        if profile or phases_shown:
            print(completed.stderr, file=sys.stderr)
        return json.loads(completed.stdout.strip().splitlines()[-1])
    finally:
        if scratch is not None:
            import psycopg

            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def _number(value: object) -> float:
    """A figure from a child's JSON line."""
    if not isinstance(value, int | float | str):
        raise TypeError(f"not a number: {value!r}")
    return float(value)


def main() -> None:
    parser = benchmark_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=positive_int, default=1_000_000, help="deals in the file (default 1,000,000)"
    )
    parser.add_argument("--engines", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument(
        "--profile", action="store_true", help="print each engine's phases and a cProfile of its last run"
    )
    parser.add_argument(
        "--phases", action="store_true", help="print each engine's phases (last run), without profiling"
    )
    parser.add_argument("--child", help=None)
    args = parser.parse_args()
    if args.child:
        child_run(args.child, args.repeat, args.profile, args.phases)
        return
    with tempfile.TemporaryDirectory(prefix="perfloop-bench-") as directory:
        workdir = Path(directory)
        path = workdir / "deals.csv"
        started = time.perf_counter()
        generate_deals(path, rows=args.rows, seed=args.seed)
        size_mb = path.stat().st_size / 1024 / 1024
        print(f"generated {args.rows:,} deals ({size_mb:.0f} MB) in {time.perf_counter() - started:.1f} s")
        # The two sides take turns (DuckDB, then each engine, once per repeat) so that a machine shared with
        # other work slows both alike; the best of each side is reported.
        engines = [name.strip() for name in args.engines.split(",") if name.strip()]
        reference_s = float("inf")
        expected_totals: dict[str, str] = {}
        results: dict[str, dict[str, object]] = {}
        for _ in range(args.repeat):
            expected, seconds = best_time(lambda: reference(path), repeat=1)
            reference_s = min(reference_s, seconds)
            expected_totals = reference_totals(expected)
            for engine in engines:
                result = run_engine(engine, path, 1, workdir, args.profile, args.phases)
                if result is None:
                    continue
                if result["totals"] != expected_totals:
                    fail(f"{engine} disagrees with DuckDB: {result['totals']} != {expected_totals}")
                best = results.get(engine)
                if best is None or _number(result["seconds"]) < _number(best["seconds"]):
                    peak = max(_number(result["peak_rss_mb"]), _number((best or result)["peak_rss_mb"]))
                    alone = min(_number(result["facts_alone_s"]), _number((best or result)["facts_alone_s"]))
                    results[engine] = {**result, "peak_rss_mb": peak, "facts_alone_s": alone}
        print(f"DuckDB read + aggregate: {reference_s:.3f} s")
        for engine, result in results.items():
            seconds = _number(result["seconds"])
            print(
                f"{engine:<10} import: {seconds:.3f} s = {args.rows / seconds:,.0f} rows/s, "
                f"{result['facts']:,} facts, {result['quarantined']} rows quarantined, "
                f"peak {_number(result['peak_rss_mb']):.0f} MB, {seconds / reference_s:.2f}x DuckDB"
            )
            alone = _number(result["facts_alone_s"])
            print(f"{'':<10} the facts' insert on its own: {alone:.3f} s = {alone / reference_s:.2f}x DuckDB")
    if "sqlite" not in results:
        fail("the SQLite run is the headline figure and did not run")
    sqlite = results["sqlite"]
    print(
        result_line(
            bench="imports",
            size={"rows": args.rows, "agents": AGENTS, "accounts": ACCOUNTS},
            ours_s=_number(sqlite["seconds"]),
            reference="duckdb",
            reference_s=reference_s,
            peak_rss_mb=max(_number(r["peak_rss_mb"]) for r in results.values()),
        )
    )


if __name__ == "__main__":
    main()
