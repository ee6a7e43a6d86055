"""Benchmark: giving one goal template to many people at once (issue: ≤ 2 s for 2,000 people).

    python -m benchmarks.template_assign --employees 2000

Builds a scratch SQLite database (never the project's own), one team of ``--employees`` people
and a two-KPI template, then times `perfloop.goals.services.template_assign` for two months —
the set-based path the web form and the API use. The reference, measured in the same run, is
DuckDB building the same people × KPIs × months rows with one `CREATE TABLE … AS SELECT`; both
must produce the same number of goals. Ends with one JSON line (see benchmarks/README.md).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from decimal import Decimal

import duckdb

from benchmarks.common import benchmark_parser, fail, peak_rss_mb, positive_int, result_line


def main() -> None:
    parser = benchmark_parser(__doc__ or "")
    parser.add_argument("--employees", type=positive_int, default=2000)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="perfloop-bench-template-")
    os.environ.pop("DATABASE_URL", None)  # a scratch SQLite file, never a configured database
    os.environ["PERFLOOP_VAR_DIR"] = scratch
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfloop.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from perfloop.accounts.models import Role, User
    from perfloop.core.months import Month
    from perfloop.goals import services
    from perfloop.goals.selectors import PeopleFilter
    from perfloop.org.models import Employee, Position
    from perfloop.org.services import org_unit_create

    call_command("migrate", verbosity=0)
    hr = User.objects.create(username="bench-hr", role=Role.HRBP)
    unit = org_unit_create(actor=hr, code="BENCH", name="基准组")
    position = Position.objects.create(code="bench_rep", name="销售代表")
    Employee.objects.bulk_create(
        [
            Employee(
                employee_number=f"B{i:06d}",
                name=f"员工{i}",
                hire_date=dt.date(2020, 1, 1),
                position=position,
                org_unit=unit,
            )
            for i in range(args.employees)
        ],
        batch_size=1000,
    )
    template = services.template_create(
        actor=hr, name="标准", lines={"revenue": Decimal(80000), "new_customers": Decimal(3)}
    )
    from django.utils import timezone

    first = Month.of(timezone.localdate()) + 1
    started = time.perf_counter()
    assignment = services.template_assign(
        actor=hr, template=template, first=first, last=first + 1, people=PeopleFilter(org_unit=unit)
    )
    ours = time.perf_counter() - started
    expected = args.employees * 2 * 2
    if assignment.goals_created != expected:
        fail(f"template_assign created {assignment.goals_created} goals, expected {expected}")

    duck = duckdb.connect()
    started = time.perf_counter()
    duck.execute(
        "CREATE TABLE goals AS SELECT e.id AS employee_id, k.kpi, m.month, k.value "
        "FROM range(?) AS e(id) "
        "CROSS JOIN (VALUES ('revenue', 80000), ('new_customers', 3)) AS k(kpi, value) "
        "CROSS JOIN (VALUES (?), (?)) AS m(month)",
        [args.employees, first.as_int(), (first + 1).as_int()],
    )
    rows = duck.execute("SELECT count(*) FROM goals").fetchone()
    reference = time.perf_counter() - started
    if rows is None or rows[0] != expected:
        fail(f"DuckDB built {rows} rows, expected {expected}")

    print(f"template_assign: {args.employees} people × 2 KPIs × 2 months = {expected} draft goals")
    print(f"  perfloop (SQLite, with versions and audit): {ours:.3f} s (target ≤ 2 s for 2,000 people)")
    print(f"  DuckDB CREATE TABLE AS SELECT:             {reference:.3f} s")
    print(
        result_line(
            bench="template_assign",
            size={"employees": args.employees, "kpis": 2, "months": 2},
            ours_s=ours,
            reference=f"duckdb {duckdb.__version__}",
            reference_s=reference,
            peak_rss_mb=peak_rss_mb(),
        )
    )


if __name__ == "__main__":
    main()
