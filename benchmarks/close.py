"""Benchmark of the monthly close for a large company, beside the same rule evaluation in DuckDB SQL.

    python -m benchmarks.close                                   # 100,000 employees, SQLite and PostgreSQL
    python -m benchmarks.close --employees 10000 --engines sqlite

Generates a deterministic company straight into a fresh database (bulk inserts, no services): 10
departments of 50 teams, each team's head a manager with an account, an HRBP per department and one for
the whole company, ``--employees`` sales reps weighted on the catalogue's 8 KPIs, the demo's 70% met
threshold. About 16% of the reps slide below target from a month between 2024-03 and 2025-06 (so runs of
every length are open at the close); 3% of those recover in the closed month; 1% of the reps have no
data in the closed month (leave); 2% joined in 2025. Scorecards of 2024-12 … 2025-04 are written
directly (with their streaks); facts and targets of 2025-05 and 2025-06 (8 KPIs each).

*Setup (not timed)*: `month_close(2025-05)` — the first close of the database, which raises every open
episode (printed as the catch-up close).

*Ours (timed)*: `month_close(2025-06)` — recompute 100,000 scorecards from 800,000 facts and targets,
evaluate the default rules (3 and 6 months not met), raise the month's new alerts, resolve the recovered,
notify every manager and HRBP concerned (inbox, e-mail log, one webhook), record the close. Then the same
close again (a re-run that must change nothing) is printed.

*Reference*: DuckDB computing, from the same facts, targets and weights and the stored streaks of 2025-05,
the composite, "met", the new streak and who reaches 3 or 6 months — the close's rule evaluation as SQL —
on tables already loaded in memory.

*Agreement*: the set of (person, rule) alerts raised by the close must equal DuckDB's, and the number
of alerts resolved as recovered must equal DuckDB's count of people who were in a run and met the month.
The last line is the JSON result (see benchmarks/README.md): ``ours_s`` is the SQLite run.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import io
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

from benchmarks.common import benchmark_parser, fail, peak_rss_mb, positive_int, result_line
from benchmarks.scoring import load_into_duckdb, uniform
from perfloop.metrics.catalogue import DEFAULT_KPIS

ROOT = Path(__file__).resolve().parents[1]
DEPARTMENTS, TEAMS_PER_DEPARTMENT = 10, 50
CLOSE_YEAR, CLOSE_MONTH = 2025, 6
HISTORY_MONTHS = 5  # scorecards 2024-12 … 2025-04; facts for 2025-05 and 2025-06
STRUGGLING, RECOVERING, ON_LEAVE, JOINERS = 0.16, 0.03, 0.01, 0.02
MET_THRESHOLD = 0.70
KPI_TARGETS = {
    "revenue": 80000.0,
    "new_customers": 3.0,
    "conversion_rate": 0.25,
    "collection_rate": 0.90,
    "follow_ups": 40.0,
    "feedback_score": 4.2,
    "churn_rate": 0.15,
    "training_participation": 0.90,
}
LOWER_IS_BETTER = {"churn_rate"}
CAP = 1.5


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


CLOSED = month_index(CLOSE_YEAR, CLOSE_MONTH)


def as_yyyymm(index: int) -> int:
    return (index // 12) * 100 + index % 12 + 1


def yyyymm(index: pl.Expr) -> pl.Expr:
    return (index // 12) * 100 + index % 12 + 1


def people_frame(employees: int, seed: int) -> pl.DataFrame:
    """One row per rep: team, level when fine, the month their slide starts (or none), recovery, leave."""
    key = pl.col("employee")
    teams = DEPARTMENTS * TEAMS_PER_DEPARTMENT
    first_slide = month_index(2024, 3)
    return pl.DataFrame({"employee": pl.int_range(0, employees, eager=True, dtype=pl.Int64)}).with_columns(
        team=(uniform(seed, 1, key) * teams).cast(pl.Int64),
        good_level=0.75 + 0.45 * uniform(seed, 2, key),
        low_level=0.40 + 0.25 * uniform(seed, 3, key),
        slides=uniform(seed, 4, key) < STRUGGLING,
        slide_start=(first_slide + uniform(seed, 5, key) * (CLOSED - first_slide + 1)).cast(pl.Int32),
        recovers=uniform(seed, 6, key) < RECOVERING / STRUGGLING,
        on_leave=uniform(seed, 7, key) < ON_LEAVE,
        joined=(uniform(seed, 8, key) < JOINERS),
        join_month=(month_index(2025, 1) + uniform(seed, 9, key) * 5).cast(pl.Int32),
    )


def level_at(month: int) -> pl.Expr:
    """The person's composite level in ``month`` (the closed month: the recovering are fine again)."""
    sliding = pl.col("slides") & (pl.col("slide_start") <= month)
    if month == CLOSED:
        sliding = sliding & ~pl.col("recovers")
    return pl.when(sliding).then(pl.col("low_level")).otherwise(pl.col("good_level"))


def employed_at(month: int) -> pl.Expr:
    return ~pl.col("joined") | (pl.col("join_month") <= month)


def history_cards(people: pl.DataFrame) -> pl.DataFrame:
    """Scorecards 2024-12 … 2025-04 with the streaks the engine would have stored."""
    frames = [
        people.filter(employed_at(month)).select(
            "employee", "team", month=pl.lit(month, dtype=pl.Int32), composite=level_at(month)
        )
        for month in range(CLOSED - 1 - HISTORY_MONTHS, CLOSED - 1)
    ]
    cards = pl.concat(frames).sort("employee", "month")
    first_month = pl.when(pl.col("joined")).then(pl.col("join_month")).otherwise(0)
    return cards.join(
        people.select("employee", "slide_start", "slides", "joined", "join_month"), on="employee"
    ).with_columns(
        is_met=pl.col("composite") >= MET_THRESHOLD,
        streak_below=pl.when(pl.col("composite") < MET_THRESHOLD)
        .then(pl.col("month") - pl.max_horizontal("slide_start", first_month) + 1)
        .otherwise(0)
        .cast(pl.Int32),
    )


def monthly_values(people: pl.DataFrame, month: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Facts and targets of one month for every employed rep (nobody's facts while on leave)."""
    employed = people.filter(employed_at(month))
    with_data = employed.filter(~(pl.col("on_leave") & pl.lit(month == CLOSED)))
    targets = employed.select("employee").join(
        pl.DataFrame({"kpi": list(KPI_TARGETS), "target": list(KPI_TARGETS.values())}), how="cross"
    )
    noise = 0.97 + 0.06 * uniform(seed, 20 + month % 97, pl.col("employee"), pl.col("kpi_no"))
    level = level_at(month)
    facts = (
        with_data.select("employee", "slides", "slide_start", "recovers", "good_level", "low_level")
        .join(
            pl.DataFrame(
                {
                    "kpi": list(KPI_TARGETS),
                    "target": list(KPI_TARGETS.values()),
                    "kpi_no": range(len(KPI_TARGETS)),
                }
            ),
            how="cross",
        )
        .with_columns(
            value=pl.when(pl.col("kpi").is_in(list(LOWER_IS_BETTER)))
            .then(pl.col("target") / (level * noise))
            .otherwise(pl.col("target") * level * noise)
            .round(4)
        )
        .select("employee", "kpi", "value")
    )
    return facts, targets.with_columns(pl.col("target").round(4))


# --- the child: one engine, its own database --------------------------------------------------------------


def child_run(employees: int, seed: int, profile: bool) -> None:
    if os.environ.get("PERFLOOP_BENCH_SCRATCH") != "1":
        fail("--child writes a whole company: it only runs in the scratch database the parent made")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfloop.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from perfloop.accounts.models import User
    from perfloop.core.bulk import bulk_insert, timestamp_text
    from perfloop.core.months import Month
    from perfloop.metrics.models import Kpi, MonthlyFact, MonthlyTarget, Scorecard
    from perfloop.metrics.services import kpi_default_weights_apply, scoring_policy_get
    from perfloop.monitoring.models import Alert, MonthClose, WebhookEndpoint
    from perfloop.monitoring.services import month_close
    from perfloop.org.models import Employee, OrgUnit, Position

    call_command("migrate", verbosity=0)

    def insert(table: str, columns: list[str], rows: pl.DataFrame) -> None:
        with transaction.atomic():  # one commit per table, not one per row
            bulk_insert(table, columns, rows)

    if connection.vendor == "sqlite":
        # Generating the company is setup, not the measured close: a large page cache and no fsync make
        # writing 3 million rows minutes shorter. The close itself runs on a fresh connection with the
        # application's own settings (see below).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-1048576")
            cursor.execute("PRAGMA synchronous=OFF")
    started = time.perf_counter()
    people = people_frame(employees, seed)
    policy = scoring_policy_get()
    policy.met_threshold = MET_THRESHOLD
    policy.save()
    position = Position.objects.create(code="sales_rep", name="销售代表")
    kpi_default_weights_apply(position=position)
    staff = Position.objects.create(code="manager", name="销售经理", is_sales=False)
    company = OrgUnit.objects.create(code="CO", name="公司", path="")
    company.path = f"/{company.pk}/"
    company.save()
    departments, teams = [], []
    for d in range(DEPARTMENTS):
        unit = OrgUnit.objects.create(code=f"D{d}", name=f"销售{d}部", parent=company)
        unit.path = f"{company.path}{unit.pk}/"
        unit.save()
        departments.append(unit)
        for t in range(TEAMS_PER_DEPARTMENT):
            team = OrgUnit.objects.create(code=f"D{d}T{t}", name=f"销售{d}部{t}组", parent=unit)
            team.path = f"{unit.path}{team.pk}/"
            team.save()
            teams.append(team)
    hire = dt.date(2020, 1, 1)
    managers = User.objects.bulk_create(
        [User(username=f"m{i}", role="manager", email=f"m{i}@example.com") for i in range(len(teams))]
    )
    heads = Employee.objects.bulk_create(
        [
            Employee(
                employee_number=f"M{i:05d}",
                name=f"经理{i}",
                hire_date=hire,
                position=staff,
                org_unit=departments[i // TEAMS_PER_DEPARTMENT],
                user=managers[i],
            )
            for i in range(len(teams))
        ]
    )
    for team, head in zip(teams, heads, strict=True):
        team.head = head
    OrgUnit.objects.bulk_update(teams, ["head"])
    User.objects.bulk_create(
        [
            User(username=f"hr{d}", role="hrbp", email=f"hr{d}@example.com", scope_unit=departments[d])
            for d in range(DEPARTMENTS)
        ]
        + [User(username="hr", role="hrbp", email="hr@example.com")]
    )
    WebhookEndpoint.objects.create(
        name="HR", kind="wecom", url="http://127.0.0.1:9/send?key=k", is_active=True
    )
    print(f"organisation written: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    team_ids = [t.pk for t in teams]
    rows = people.select("employee", "team", "joined", "join_month").rows()
    Employee.objects.bulk_create(
        [
            Employee(
                employee_number=f"E{e:06d}",
                name=f"员工{e}",
                hire_date=Month.from_index(join).first_day if joined else hire,
                position=position,
                org_unit_id=team_ids[team],
            )
            for e, team, joined, join in rows
        ],
        batch_size=5000,
    )
    ids = dict(Employee.objects.filter(position=position).values_list("employee_number", "pk"))
    id_of = pl.DataFrame(
        {"employee": [int(k[1:]) for k in ids], "employee_id": list(ids.values())},
        schema={"employee": pl.Int64, "employee_id": pl.Int64},
    )
    people = people.join(id_of, on="employee")
    team_of = pl.DataFrame(
        {"team": range(len(team_ids)), "team_id": team_ids}, schema={"team": pl.Int64, "team_id": pl.Int64}
    )
    long_ago = timezone.now() - dt.timedelta(days=40)
    stamp = timestamp_text(long_ago)

    print(f"people written: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    cards = history_cards(people).join(id_of, on="employee").join(team_of, on="team")
    insert(
        Scorecard._meta.db_table,
        [
            "employee_id",
            "month",
            "org_unit_id",
            "position_id",
            "composite",
            "is_met",
            "kpis_measured",
            "rank_in_team",
            "team_size",
            "streak_below",
            "streak_met",
            "attainments",
            "computed_at",
            "revision",
        ],
        cards.select(
            "employee_id",
            month=yyyymm(pl.col("month")),
            org_unit_id="team_id",
            position_id=pl.lit(position.pk),
            composite=pl.col("composite").round(4),
            is_met=pl.col("is_met") if connection.vendor == "postgresql" else pl.col("is_met").cast(pl.Int8),
            kpis_measured=pl.lit(8),
            rank_in_team=pl.lit(None, dtype=pl.Int64),
            team_size=pl.lit(200),
            streak_below="streak_below",
            streak_met=pl.lit(0),
            attainments=pl.lit("{}"),
            computed_at=pl.lit(stamp),
            revision=pl.lit(1),
        ),
    )
    print(f"history written: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    kpis = dict(Kpi.objects.values_list("code", "pk"))
    facts_all, targets_all = [], []
    for month in (CLOSED - 1, CLOSED):
        facts, targets = monthly_values(people, month, seed)
        for frame, model, column, sink in (
            (facts, MonthlyFact, "value", facts_all),
            (targets, MonthlyTarget, "target", targets_all),
        ):
            frame = frame.join(id_of, on="employee")
            sink.append(frame.with_columns(month=pl.lit(month, dtype=pl.Int32)))
            extra = ["source", "batch_id", "lineage", "version"] if model is MonthlyFact else ["set_by_id"]
            extra_values = (
                [
                    pl.lit("crm").alias("source"),
                    pl.lit(None, dtype=pl.Int64).alias("batch_id"),
                    pl.lit("{}").alias("lineage"),
                    pl.lit(1).alias("version"),
                ]
                if model is MonthlyFact
                else [pl.lit(None, dtype=pl.Int64).alias("set_by_id")]
            )
            insert(
                model._meta.db_table,
                ["employee_id", "month", "kpi_id", "value", *extra, "created_at", "updated_at"],
                frame.select(
                    [
                        pl.col("employee_id"),
                        pl.lit(as_yyyymm(month)).alias("month"),
                        pl.col("kpi").replace_strict(kpis, return_dtype=pl.Int64).alias("kpi_id"),
                        pl.col(column).cast(pl.String).alias("value"),
                        *extra_values,
                        pl.lit(stamp).alias("created_at"),
                        pl.lit(stamp).alias("updated_at"),
                    ]
                ),
            )
    print(f"facts and targets written: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    generated = time.perf_counter() - started

    # Setup: the first close of the database (catch-up of every open run), then age its record so that the
    # timed close sees the data above as already closed.
    started = time.perf_counter()
    connection.close()  # the close opens its own connection, with the settings' PRAGMAs
    catch_up = month_close(actor=None, month=Month.from_index(CLOSED - 1))
    catch_up_s = time.perf_counter() - started

    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    summary = month_close(actor=None, month=Month.from_index(CLOSED))
    if profiler:
        profiler.disable()
    close_s = time.perf_counter() - started
    started = time.perf_counter()
    rerun = month_close(actor=None, month=Month.from_index(CLOSED))
    rerun_s = time.perf_counter() - started
    if rerun.has_changes or rerun.notifications_sent:
        fail(f"{connection.vendor}: the re-run changed something: {rerun.as_dict()}")
    raised = sorted(
        Alert.objects.filter(raised_by_close_id=summary.close_id).values_list(
            "employee__employee_number", "rule__months"
        )
    )
    recovered = Alert.objects.filter(
        resolution="recovered", resolved_at__isnull=False, month__lt=Month.from_index(CLOSED)
    ).count()
    profile_text = ""
    if profiler:
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(28)
        profile_text = buffer.getvalue()
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "generated_s": generated,
                "catch_up_s": catch_up_s,
                "catch_up_raised": catch_up.alerts_raised,
                "seconds": close_s,
                "rerun_s": rerun_s,
                "summary": summary.as_dict(),
                "phases": MonthClose.objects.get(pk=summary.close_id).details["seconds"],
                "raised": [[int(n[1:]), m] for n, m in raised],
                "recovered": recovered,
                "peak_rss_mb": peak_rss_mb(),
                "profile": profile_text,
            }
        )
    )


# --- the reference ---------------------------------------------------------------------------------------


def reference(employees: int, seed: int) -> tuple[set[tuple[int, int]], int, float]:
    """DuckDB: the closed month's composite, met, new streak (from the stored one) and who reaches 3 or 6."""
    people = people_frame(employees, seed)
    facts, targets = monthly_values(people, CLOSED, seed)
    # the streak stored for 2025-05 is what the engine computes from 2025-05's data (the catch-up close)
    previous_level = people.filter(employed_at(CLOSED - 1)).select(
        "employee",
        composite=level_at(CLOSED - 1),
        start=pl.when(pl.col("joined")).then(pl.col("join_month")).otherwise(0),
        slide_start="slide_start",
    )
    previous = previous_level.select(
        "employee",
        streak=pl.when(pl.col("composite") < MET_THRESHOLD)
        .then(CLOSED - 1 - pl.max_horizontal("slide_start", "start") + 1)
        .otherwise(0),
    )
    weights = {d.code: float(d.default_weight) for d in DEFAULT_KPIS}
    kpis = pl.DataFrame(
        {
            "kpi": list(KPI_TARGETS),
            "is_lower": [k in LOWER_IS_BETTER for k in KPI_TARGETS],
            "weight": [weights[k] for k in KPI_TARGETS],
        }
    )
    db = duckdb.connect()
    load_into_duckdb(db, {"facts": facts, "targets": targets, "previous": previous, "kpis": kpis})
    sql = f"""
        WITH lines AS (
            SELECT t.employee, t.kpi, f.value AS actual, t.target, k.is_lower, k.weight
            FROM targets t JOIN kpis k USING (kpi) LEFT JOIN facts f USING (employee, kpi)
        ), attained AS (
            SELECT employee, weight,
                   CASE WHEN actual IS NULL OR target <= 0 THEN NULL
                        WHEN is_lower AND actual <= 0 THEN {CAP}
                        WHEN is_lower THEN target / actual ELSE actual / target END AS attainment
            FROM lines
        ), cards AS (
            SELECT employee, sum(weight * least(attainment, {CAP})) / sum(weight) AS composite
            FROM attained WHERE attainment IS NOT NULL GROUP BY employee
        ), streaks AS (
            SELECT c.employee, c.composite >= {MET_THRESHOLD} - 1e-9 AS is_met,
                   CASE WHEN c.composite >= {MET_THRESHOLD} - 1e-9 THEN 0
                        ELSE 1 + coalesce(p.streak, 0) END AS streak,
                   coalesce(p.streak, 0) AS before
            FROM cards c LEFT JOIN previous p USING (employee)
        )
        SELECT employee, streak, before, is_met FROM streaks
        WHERE streak IN (3, 6) OR (is_met AND before >= 3)
    """
    started = time.perf_counter()
    rows = db.execute(sql).fetchall()
    seconds = time.perf_counter() - started
    raised = {(e, s) for e, s, _, _ in rows if s in (3, 6)}
    recovered = sum(
        (1 if before >= 3 else 0) + (1 if before >= 6 else 0) for _, _, before, met in rows if met
    )
    return raised, recovered, seconds


def run_engine(engine: str, employees: int, seed: int, profile: bool) -> dict[str, object] | None:
    env = {
        **os.environ,
        "PERFLOOP_LOG_LEVEL": "ERROR",
        "PERFLOOP_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PERFLOOP_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "PERFLOOP_BENCH_SCRATCH": "1",
    }
    scratch = admin = None
    with tempfile.TemporaryDirectory(prefix="perfloop-close-") as directory:
        if engine == "sqlite":
            env.pop("DATABASE_URL", None)
            env["PERFLOOP_VAR_DIR"] = directory
        else:
            base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
            try:
                import psycopg

                parts = urlsplit(base)
                admin = urlunsplit(parts._replace(path="/postgres"))
                scratch = f"perfloop_close_{uuid.uuid4().hex[:8]}"
                with psycopg.connect(admin, autocommit=True, connect_timeout=3) as connection:
                    connection.execute(f'CREATE DATABASE "{scratch}"')
            except Exception as exc:  # no PostgreSQL on this machine: say so and go on
                print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
                return None
            env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{scratch}"))
            env["PERFLOOP_CONN_MAX_AGE"] = "0"
        try:
            command = [
                sys.executable,
                "-m",
                "benchmarks.close",
                "--child",
                "--employees",
                str(employees),
                "--seed",
                str(seed),
            ] + (["--profile"] if profile else [])
            completed = subprocess.run(  # noqa: S603 - our own interpreter and module
                command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
            )
            if completed.returncode != 0:
                fail(f"{engine} run failed:\n{completed.stderr[-3000:]}")
            for line in completed.stderr.splitlines():
                print(f"{engine}: {line}", file=sys.stderr)
            return json.loads(completed.stdout.strip().splitlines()[-1])
        finally:
            if scratch is not None and admin is not None:
                import psycopg

                with psycopg.connect(admin, autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def main() -> None:
    parser = benchmark_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--employees", type=positive_int, default=100_000, help="sales reps (default 100,000)"
    )
    parser.add_argument("--engines", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the timed close")
    parser.add_argument("--child", action="store_true", help=None)
    args = parser.parse_args()
    if args.child:
        child_run(args.employees, args.seed, args.profile)
        return
    expected, expected_recovered, reference_s = reference(args.employees, args.seed)
    found = f"{len(expected):,} alerts, {expected_recovered:,} recoveries"
    print(f"DuckDB rule evaluation: {reference_s:.3f} s, {found}")
    results: dict[str, dict[str, object]] = {}
    for engine in args.engines.split(","):
        result = run_engine(engine.strip(), args.employees, args.seed, args.profile)
        if result is None:
            continue
        got = {(e, m) for e, m in result["raised"]}  # type: ignore[union-attr]
        if got != expected:
            differ = sorted(got ^ expected)
            fail(f"{engine}: {len(differ)} alerts differ from DuckDB's, e.g. {differ[:5]}")
        if result["recovered"] != expected_recovered:
            fail(f"{engine}: {result['recovered']} recoveries, DuckDB says {expected_recovered}")
        summary = result["summary"]
        print(
            f"{engine}: generated in {result['generated_s']:.1f} s; "
            f"catch-up close {result['catch_up_s']:.2f} s "
            f"({result['catch_up_raised']:,} alerts); close {result['seconds']:.2f} s "
            f"({summary['scorecards_changed'] + summary['scorecards_created']:,} scorecards, "  # type: ignore[index]
            f"{summary['alerts_raised']:,} raised, {summary['alerts_resolved']:,} resolved, "  # type: ignore[index]
            f"{summary['notifications_sent']:,} notified, {summary['deliveries_queued']:,} deliveries); "  # type: ignore[index]
            f"re-run {result['rerun_s']:.2f} s; peak {result['peak_rss_mb']:.0f} MB"
        )
        print(f"{engine}: phases of the close (s): {result['phases']}")
        if result["profile"]:
            print(result["profile"])
        results[engine] = result
    if not results:
        fail("no engine ran")
    for engine, result in results.items():
        if float(result["seconds"]) > 10:  # type: ignore[arg-type]
            print(
                f"WARNING: {engine} close took {result['seconds']:.1f} s, above the 10 s target",
                file=sys.stderr,
            )
    main_engine = "sqlite" if "sqlite" in results else next(iter(results))
    line = json.loads(
        result_line(
            bench="close",
            size={"employees": args.employees, "facts": args.employees * len(KPI_TARGETS)},
            ours_s=float(results[main_engine]["seconds"]),  # type: ignore[arg-type]
            reference="duckdb-sql-rule-evaluation",
            reference_s=reference_s,
            peak_rss_mb=max(float(r["peak_rss_mb"]) for r in results.values()),  # type: ignore[arg-type]
        )
    )
    line["engines"] = {engine: round(float(r["seconds"]), 3) for engine, r in results.items()}  # type: ignore[arg-type]
    print(json.dumps(line))


if __name__ == "__main__":
    main()
