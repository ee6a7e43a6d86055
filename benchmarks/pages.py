"""Benchmark of the dashboard pages on PostgreSQL, beside the same SQL replayed straight through psycopg.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m benchmarks.pages
    DATABASE_URL=… python -m benchmarks.pages --employees 10000 --requests 20     # a quick run

Needs PostgreSQL: without ``DATABASE_URL`` it says so and exits 0 (``make bench`` goes on). It creates a
scratch database on that server (``perfloop_pages_<hex>``, dropped at the end unless ``--keep``).

*Data* (bulk: ORM ``bulk_create`` for units and people, ``COPY`` for the rest): a company of 10 regions
× 50 teams (about 200 people a team at the default size), ``--employees`` sales reps with ``--months``
(24) months of scorecards ending 2025-06 (composite, met, rank in team, streaks as the engine stores
them: about a fifth of the people slide below target for months), the team months summed from them, the
alerts the default rules raise (3 and 6 months below target; the newest open, older ones acknowledged
or resolved) and, for the last ``--fact-months`` (3) months, the 8 KPIs' facts and targets. One manager
heads each of ``--requests`` teams; one executive covers the company.

*Ours*: each page through Django's test Client in this process — middleware, session, selectors,
templates, charts' JSON, the audit rows a view writes — timed per request after a warm-up:
the team dashboard (a different team and its manager at each request) and the organisation dashboard of
the whole company for the executive. The p95 of ``--requests`` (50) requests is reported.

*Reference*: the SQL statements each of those requests ran, captured and replayed through a separate
psycopg connection with no Django in between (results fetched, writes rolled back) — the database's
own share of the page, measured on the same data in the same run.

*Agreement*: the organisation's completion, member count and people in 3+/6+ month streaks shown by
the page's selectors equal the same figures computed in plain SQL; the team's ranking starts with the
person SQL finds best; both pages print the completion SQL computes. A disagreement exits with status 1.

*Targets*: team dashboard p95 ≤ 100 ms, organisation dashboard p95 ≤ 300 ms. The last two lines are the
JSON results (see README.md), one per page.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import statistics
import sys
import time
import uuid
import warnings
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit, urlunsplit

import polars as pl

from benchmarks.common import benchmark_parser, fail, peak_rss_mb, positive_int, result_line
from benchmarks.scoring import uniform

REGIONS, TEAMS_PER_REGION = 10, 50
LAST_YEAR, LAST_MONTH = 2025, 6
MET = 1.0  # the default scoring policy: met at 100% of target
SLIDING = 0.2
TEAM_TARGET_MS, ORG_TARGET_MS = 100, 300


# --- data ---------------------------------------------------------------------------------------------------


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def yyyymm(index: pl.Expr) -> pl.Expr:
    return (index // 12) * 100 + index % 12 + 1


def scorecards_frame(*, employees: int, months: int, teams: int, seed: int) -> pl.DataFrame:
    """One card per person and month: composite, met, streaks and rank in team, as the engine stores them."""
    last = month_index(LAST_YEAR, LAST_MONTH)
    key = pl.col("person")
    people = pl.DataFrame({"person": pl.int_range(0, employees, eager=True, dtype=pl.Int64)}).with_columns(
        team=(uniform(seed, 1, key) * teams).cast(pl.Int64),
        level=0.8 + 0.45 * uniform(seed, 2, key),
        slides=uniform(seed, 3, key) < SLIDING,
        slide_start=(last - months + 1 + uniform(seed, 4, key) * months).cast(pl.Int64),
        low=0.45 + 0.4 * uniform(seed, 5, key),
    )
    calendar = pl.DataFrame({"month": pl.int_range(last - months + 1, last + 1, eager=True, dtype=pl.Int64)})
    sliding = pl.col("slides") & (pl.col("month") >= pl.col("slide_start"))
    cards = (
        people.join(calendar, how="cross")
        .with_columns(
            composite=(
                pl.when(sliding).then(pl.col("low")).otherwise(pl.col("level"))
                * (0.92 + 0.16 * uniform(seed, 6, key, pl.col("month")))
            ).round(4)
        )
        .with_columns(is_met=pl.col("composite") >= MET)
        .sort("person", "month")
        .with_columns(
            run=(pl.col("is_met") != pl.col("is_met").shift(1).over("person")).fill_null(True).cum_sum()
        )
        .with_columns(length=(pl.int_range(pl.len()).over("person", "run") + 1).cast(pl.Int32))
        .with_columns(
            streak_below=pl.when(pl.col("is_met")).then(0).otherwise(pl.col("length")),
            streak_met=pl.when(pl.col("is_met")).then(pl.col("length")).otherwise(0),
            rank_in_team=pl.col("composite")
            .rank("ordinal", descending=True)
            .over("team", "month")
            .cast(pl.Int32),
            team_size=pl.len().over("team", "month").cast(pl.Int32),
        )
    )
    return cards.drop("run", "length", "level", "slides", "slide_start", "low")


def write_company(*, employees: int, months: int, fact_months: int, managers: int, seed: int) -> dict:
    """Everything the pages read, written in bulk into the (empty, migrated) scratch database."""
    from django.utils import timezone

    from perfloop.accounts.models import User
    from perfloop.core.bulk import bulk_insert, timestamp_text
    from perfloop.metrics.models import Kpi, MonthlyFact, MonthlyTarget, Scorecard, TeamMonth
    from perfloop.metrics.services import kpi_default_weights_apply
    from perfloop.monitoring.models import Alert, AlertRule
    from perfloop.org.models import Employee, OrgUnit, Position

    started = time.perf_counter()
    position = Position.objects.create(code="sales_rep", name="销售代表", name_en="Sales representative")
    staff = Position.objects.create(code="manager", name="销售经理", is_sales=False)
    kpi_default_weights_apply(position=position)
    company = OrgUnit.objects.create(code="CO", name="演示制造有限公司", name_en="Demo Manufacturing")
    company.path = f"/{company.pk}/"
    company.save()
    regions = OrgUnit.objects.bulk_create(
        [
            OrgUnit(code=f"R{r}", name=f"销售{r + 1}区", name_en=f"Region {r + 1}", parent=company)
            for r in range(REGIONS)
        ]
    )
    for region in regions:
        region.path = f"{company.path}{region.pk}/"
    OrgUnit.objects.bulk_update(regions, ["path"])
    teams = OrgUnit.objects.bulk_create(
        [
            OrgUnit(
                code=f"R{r}T{t}",
                name=f"销售{r + 1}区{t + 1}组",
                name_en=f"Team {r + 1}-{t + 1}",
                parent=region,
            )
            for r, region in enumerate(regions)
            for t in range(TEAMS_PER_REGION)
        ]
    )
    for team in teams:
        team.path = f"{regions[int(team.code[1:].split('T')[0])].path}{team.pk}/"
    OrgUnit.objects.bulk_update(teams, ["path"])

    cards = scorecards_frame(employees=employees, months=months, teams=len(teams), seed=seed)
    team_ids = [team.pk for team in teams]
    hired = dt.date(2020, 1, 1)
    team_of = dict(
        cards.filter(pl.col("month") == pl.col("month").max()).select("person", "team").iter_rows()
    )
    Employee.objects.bulk_create(
        (
            Employee(
                employee_number=f"E{person:06d}",
                name=f"员工{person:06d}",
                hire_date=hired,
                position=position,
                org_unit_id=team_ids[team_of[person]],
            )
            for person in range(employees)
        ),
        batch_size=5000,
    )
    first_id = Employee.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    # Managers head the first team of each region, then the second, … so the requests visit every region.
    led = [teams[(i % REGIONS) * TEAMS_PER_REGION + i // REGIONS] for i in range(managers)]
    users = User.objects.bulk_create([User(username=f"m{i}", role="manager") for i in range(len(led))])
    heads = Employee.objects.bulk_create(
        Employee(
            employee_number=f"M{i:05d}",
            name=f"经理{i}",
            hire_date=hired,
            position=staff,
            org_unit=team.parent,
            user=user,
        )
        for i, (team, user) in enumerate(zip(led, users, strict=True))
    )
    for team, head in zip(led, heads, strict=True):
        team.head = head
    OrgUnit.objects.bulk_update(led, ["head"])
    executive = User.objects.create(username="executive", role="executive", scope_unit=company)
    print(f"units and people: {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    now = timezone.now()
    stamp = timestamp_text(now)
    # The monthly close writes a month at a time, so a month's scorecards sit together on disk.
    ids = cards.sort("month", "team", "person").with_columns(
        employee_id=pl.col("person") + first_id,
        org_unit_id=pl.col("team").replace_strict(
            list(range(len(team_ids))), team_ids, return_dtype=pl.Int64
        ),
        yyyymm=yyyymm(pl.col("month")),
    )
    bulk_insert(
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
        ids.select(
            "employee_id",
            "yyyymm",
            "org_unit_id",
            position_id=pl.lit(position.pk),
            composite=pl.col("composite").cast(pl.String),
            is_met="is_met",
            kpis_measured=pl.lit(8),
            rank_in_team="rank_in_team",
            team_size="team_size",
            streak_below="streak_below",
            streak_met="streak_met",
            attainments=pl.lit("{}"),
            computed_at=pl.lit(stamp),
            revision=pl.lit(1),
        ),
    )
    revenue = (pl.col("composite") * 80000).round(2)
    team_months = (
        ids.group_by("org_unit_id", "yyyymm")
        .agg(
            members=pl.len(),
            members_met=pl.col("is_met").sum(),
            actual=revenue.sum().round(2),
            target=(pl.len() * 80000).cast(pl.Float64),
            average_composite=pl.col("composite").mean().round(4),
        )
        .with_columns(completion=(pl.col("actual") / pl.col("target")).round(4))
    )
    bulk_insert(
        TeamMonth._meta.db_table,
        [
            "org_unit_id",
            "month",
            "members",
            "members_scored",
            "members_met",
            "actual",
            "target",
            "completion",
            "average_composite",
            "computed_at",
        ],
        team_months.select(
            "org_unit_id",
            "yyyymm",
            "members",
            members_scored="members",
            members_met="members_met",
            actual="actual",
            target="target",
            completion="completion",
            average_composite="average_composite",
            computed_at=pl.lit(stamp),
        ),
    )
    rules = dict(AlertRule.objects.values_list("months", "pk"))
    last = month_index(LAST_YEAR, LAST_MONTH)
    alerts = ids.filter(pl.col("streak_below").is_in([3, 6])).with_columns(
        rule_id=pl.col("streak_below").replace_strict({3: rules[3], 6: rules[6]}, return_dtype=pl.Int64),
        severity=pl.when(pl.col("streak_below") == 6).then(pl.lit("long_term")).otherwise(pl.lit("warning")),
        episode_start=yyyymm(pl.col("month") - pl.col("streak_below") + 1),
        state=pl.when(pl.col("month") == last)
        .then(pl.lit("open"))
        .when(pl.col("month") >= last - 2)
        .then(pl.lit("acknowledged"))
        .otherwise(pl.lit("resolved")),
    )
    bulk_insert(
        Alert._meta.db_table,
        [
            "created_at",
            "updated_at",
            "rule_id",
            "employee_id",
            "org_unit_id",
            "month",
            "episode_start",
            "severity",
            "value",
            "state",
            "raised_at",
            "resolution",
            "resolution_note",
        ],
        alerts.select(
            created_at=pl.lit(stamp),
            updated_at=pl.lit(stamp),
            rule_id="rule_id",
            employee_id="employee_id",
            org_unit_id="org_unit_id",
            month="yyyymm",
            episode_start="episode_start",
            severity="severity",
            value=pl.col("composite").cast(pl.String),
            state="state",
            raised_at=pl.lit(stamp),
            resolution=pl.when(pl.col("state") == "resolved").then(pl.lit("recovered")).otherwise(pl.lit("")),
            resolution_note=pl.lit(""),
        ),
    )
    print(
        f"{cards.height:,} scorecards, {team_months.height:,} team months, {alerts.height:,} alerts: "
        f"{time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    kpis = pl.DataFrame(
        [(kpi.pk, float(kpi.default_target), kpi.direction == "lower") for kpi in Kpi.objects.all()],
        schema={"kpi_id": pl.Int64, "target": pl.Float64, "is_lower": pl.Boolean},
        orient="row",
    )
    recent = ids.filter(pl.col("month") > last - fact_months).select("employee_id", "yyyymm", "composite")
    lines = recent.join(kpis, how="cross").with_columns(
        value=pl.when(pl.col("is_lower"))
        .then(pl.col("target") / pl.col("composite"))
        .otherwise(pl.col("target") * pl.col("composite"))
        .round(4)
    )
    common = {"created_at": pl.lit(stamp), "updated_at": pl.lit(stamp)}
    bulk_insert(
        MonthlyFact._meta.db_table,
        [
            "created_at",
            "updated_at",
            "employee_id",
            "month",
            "kpi_id",
            "value",
            "source",
            "lineage",
            "version",
        ],
        lines.select(
            **common,
            employee_id="employee_id",
            month="yyyymm",
            kpi_id="kpi_id",
            value="value",
            source=pl.lit("crm"),
            lineage=pl.lit("{}"),
            version=pl.lit(1),
        ),
    )
    bulk_insert(
        MonthlyTarget._meta.db_table,
        ["created_at", "updated_at", "employee_id", "month", "kpi_id", "value"],
        lines.select(**common, employee_id="employee_id", month="yyyymm", kpi_id="kpi_id", value="target"),
    )
    print(
        f"{lines.height:,} facts and as many targets ({fact_months} months):"
        f" {time.perf_counter() - started:.1f} s"
    )
    return {"company": company, "teams": led, "managers": users, "executive": executive}


def company_of(*, requests: int) -> dict:
    """The company a kept scratch database holds (``--reuse``): its root, the managers and their teams."""
    from perfloop.accounts.models import User
    from perfloop.org.models import OrgUnit

    managers = [User.objects.get(username=f"m{i}") for i in range(requests)]
    teams = [OrgUnit.objects.get(head__user=user) for user in managers]
    return {
        "company": OrgUnit.objects.get(code="CO"),
        "teams": teams,
        "managers": managers,
        "executive": User.objects.get(username="executive"),
    }


# --- measuring ----------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p95 of 50 requests is the 48th fastest)."""
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(share * len(ordered)))) - 1]


def measure(
    requests: list[tuple[object, str]], *, replay: Callable[[list[str]], float]
) -> tuple[list[float], list[float], list[int], list[bytes]]:
    """Time every (client, url) request, then capture each one's SQL and time its replay."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ours, bodies = [], []
    for client, url in requests:
        started = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        ours.append(time.perf_counter() - started)
        if response.status_code != 200:
            fail(f"{url} answered {response.status_code}")
        bodies.append(response.content)
    reference, counts = [], []
    for client, url in requests:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)  # type: ignore[attr-defined]
        statements = [query["sql"] for query in captured.captured_queries]
        counts.append(len(statements))
        reference.append(replay(statements))
    return ours, reference, counts, bodies


def psycopg_replay(url: str) -> Callable[[list[str]], float]:
    """Run the statements as sent, fetch every row, roll the writes back; the time of the whole request."""
    import psycopg

    connection = psycopg.connect(url, autocommit=False)

    def replay(statements: list[str]) -> float:
        with connection.cursor() as cursor:
            started = time.perf_counter()
            for sql in statements:
                cursor.execute(sql.encode())  # already bound by Django's client-side cursor
                if cursor.description is not None:
                    cursor.fetchall()
            elapsed = time.perf_counter() - started
        connection.rollback()
        return elapsed

    return replay


def check_agreement(company: dict, month: object, bodies: dict[str, list[bytes]]) -> None:
    """The pages' figures against plain SQL over the same tables."""
    from django.db import connection

    from perfloop.metrics.presentation import percent
    from perfloop.monitoring.dashboards import (
        dashboard_scope_for,
        people_breakdown_for,
        ranked_people_page_for,
        unit_months_for,
    )

    executive, root = company["executive"], company["company"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sum(actual) / sum(target), sum(members) FROM metrics_teammonth WHERE month = %s",
            [month.as_int()],  # type: ignore[attr-defined]
        )
        completion, members = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FILTER (WHERE streak_below >= 3), count(*) FILTER (WHERE streak_below >= 6)"
            " FROM metrics_scorecard WHERE month = %s",
            [month.as_int()],  # type: ignore[attr-defined]
        )
        warning, alert = cursor.fetchone()
        team = company["teams"][0]
        cursor.execute(
            "SELECT s.employee_id FROM metrics_scorecard s JOIN org_employee e ON e.id = s.employee_id"
            " WHERE s.org_unit_id = %s AND s.month = %s ORDER BY s.composite DESC, e.employee_number LIMIT 1",
            [team.pk, month.as_int()],  # type: ignore[attr-defined]
        )
        (best,) = cursor.fetchone()
        cursor.execute(
            "SELECT sum(actual) / sum(target) FROM metrics_teammonth WHERE month = %s AND org_unit_id = %s",
            [month.as_int(), team.pk],  # type: ignore[attr-defined]
        )
        (team_completion,) = cursor.fetchone()
    months = [month - offset for offset in range(11, -1, -1)]  # type: ignore[operator]
    scope = dashboard_scope_for(viewer=executive)
    figures = unit_months_for(scope=scope, roots=[root], units=[root], month=month, first=months[0]).by_unit[
        root.pk
    ]
    counts = people_breakdown_for(scope=scope, roots=[root], units=[], month=month).total
    manager_scope = dashboard_scope_for(viewer=company["managers"][0])
    _page, ranked = ranked_people_page_for(scope=manager_scope, unit=team, months=months, page=1, per_page=25)
    quantum = Decimal("0.000001")
    problems = []
    if figures.completion.quantize(quantum, ROUND_HALF_UP) != Decimal(completion).quantize(
        quantum, ROUND_HALF_UP
    ):
        problems.append(f"organisation completion {figures.completion} ≠ SQL {completion}")
    if figures.members != members:
        problems.append(f"members {figures.members} ≠ SQL {members}")
    if (counts.streak_warning, counts.streak_alert) != (warning, alert):
        problems.append(f"streaks {counts.streak_warning}/{counts.streak_alert} ≠ SQL {warning}/{alert}")
    if ranked[0].employee.pk != best:
        problems.append(f"best of the team {ranked[0].employee.pk} ≠ SQL {best}")
    if percent(completion).encode() not in bodies["org"][0]:
        problems.append(f"the organisation page does not print {percent(completion)}")
    if percent(team_completion).encode() not in bodies["team"][0]:
        problems.append(f"the team page does not print {percent(team_completion)}")
    if problems:
        fail("; ".join(problems))


def run(args: object, url: str) -> list[str]:
    os.environ["DATABASE_URL"] = url
    os.environ["PERFLOOP_CONN_MAX_AGE"] = "600"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfloop.settings")
    # WhiteNoise warns when collectstatic has not run; the pages' HTML does not need the files.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from perfloop.core.months import Month

    if args.reuse:  # type: ignore[attr-defined]
        company = company_of(requests=args.requests)  # type: ignore[attr-defined]
    else:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrated the scratch database: {time.perf_counter() - started:.1f} s")
        company = write_company(
            employees=args.employees,  # type: ignore[attr-defined]
            months=args.months,  # type: ignore[attr-defined]
            fact_months=args.fact_months,  # type: ignore[attr-defined]
            managers=args.requests,  # type: ignore[attr-defined]
            seed=args.seed,  # type: ignore[attr-defined]
        )
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")

    managers = []
    for user in company["managers"]:
        client = Client()
        client.force_login(user)
        managers.append(client)
    executive = Client()
    executive.force_login(company["executive"])
    team_requests = [
        (client, f"/dashboards/teams/{team.pk}/")
        for client, team in zip(managers, company["teams"], strict=True)
    ]
    org_requests = [(executive, "/dashboards/org/")] * args.requests  # type: ignore[attr-defined]
    for client, page in team_requests[:5] + org_requests[:5]:  # templates, connections, PostgreSQL's caches
        client.get(page)  # type: ignore[attr-defined]

    replay = psycopg_replay(url)
    results: dict[str, dict[str, object]] = {}
    bodies: dict[str, list[bytes]] = {}
    for name, requests, target_ms in (
        ("team", team_requests, TEAM_TARGET_MS),
        ("org", org_requests, ORG_TARGET_MS),
    ):
        ours, reference, counts, bodies[name] = measure(requests, replay=replay)
        p95, reference_p95 = percentile(ours, 0.95), percentile(reference, 0.95)
        print(
            f"{name:>4} dashboard: p50 {statistics.median(ours) * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms"
            f"  (target ≤ {target_ms} ms: {'met' if p95 * 1000 <= target_ms else 'MISSED'})"
            f"  | its SQL via psycopg: p50 {statistics.median(reference) * 1000:6.1f} ms"
            f"  p95 {reference_p95 * 1000:6.1f} ms  | queries {max(counts)}"
        )
        results[name] = {
            "ours": p95,
            "reference": reference_p95,
            "extra": {
                "p50_s": round(statistics.median(ours), 4),
                "reference_p50_s": round(statistics.median(reference), 4),
                "requests": len(ours),
                "queries": max(counts),
                "target_s": target_ms / 1000,
                "meets_target": p95 * 1000 <= target_ms,
            },
        }
    check_agreement(company, Month(LAST_YEAR, LAST_MONTH), bodies)
    print("agreement: the pages' figures equal plain SQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (server,) = cursor.fetchone()
    import psycopg

    reference_name = f"same SQL via psycopg {psycopg.__version__} ({' '.join(server.split()[:2])})"
    size = {"employees": args.employees, "months": args.months, "requests": args.requests}  # type: ignore[attr-defined]
    lines = []
    for name in ("team", "org"):
        line = json.loads(
            result_line(
                bench=f"pages.{name}",
                size=size,
                ours_s=float(results[name]["ours"]),  # type: ignore[arg-type]
                reference=reference_name,
                reference_s=float(results[name]["reference"]),  # type: ignore[arg-type]
                peak_rss_mb=peak_rss_mb(),
            )
        )
        line["ours_s"] = round(float(results[name]["ours"]), 4)  # type: ignore[arg-type]
        line["reference_s"] = round(float(results[name]["reference"]), 4)  # type: ignore[arg-type]
        line.update(results[name]["extra"])  # type: ignore[arg-type]
        lines.append(json.dumps(line))
    return lines


def main() -> None:
    parser = benchmark_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--employees", type=positive_int, default=100_000, help="sales reps (default 100,000)"
    )
    parser.add_argument("--months", type=positive_int, default=24, help="months of scorecards (default 24)")
    parser.add_argument(
        "--fact-months", type=positive_int, default=3, help="latest months with facts and targets (default 3)"
    )
    parser.add_argument(
        "--requests", type=positive_int, default=50, help="timed requests per page (default 50)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (its name is printed)")
    parser.add_argument(
        "--reuse", metavar="DATABASE", help="measure a database kept by --keep again, without generating data"
    )
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        print(
            "benchmarks.pages skipped: it measures the dashboards on PostgreSQL; set DATABASE_URL="
            "postgres://user@host:5432/db (a scratch database is created next to it)."
        )
        return
    import psycopg

    parts = urlsplit(base)
    admin = urlunsplit(parts._replace(path="/postgres"))
    scratch = args.reuse or f"perfloop_pages_{uuid.uuid4().hex[:8]}"
    if not args.reuse:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'CREATE DATABASE "{scratch}"')
    print(f"scratch database {scratch}")
    try:
        lines = run(args, urlunsplit(parts._replace(path=f"/{scratch}")))
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep and not args.reuse:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    for line in lines:
        print(line)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
