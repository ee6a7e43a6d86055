"""Benchmark of an HR roster import: 5,000 people from an XLSX with Chinese headers, managers by name.

    python -m benchmarks.roster                  # 5,000 people
    python -m benchmarks.roster --people 500 --repeat 1

Generates a deterministic roster for a company of regions and teams with the columns of ``HEADER``
below (managers by name, departments as paths), writes it as an XLSX with a title row, then times, each
in a child process of its own (a fresh SQLite database):

*Ours*: ``import_file(source="hris", profile="hr-roster-cn")`` — the departments tree, positions, people,
managers by name, a user account per person with no password and a one-time invitation, wages, audit trail.

*Reference*: the same rows imported the way an ORM-first HR system does it — one ``save()`` per unit,
position, person and account, then a second pass for the managers — in another fresh database.

*Checks*: every mapped column of every person is read back from the database and compared with the
generated roster; every person has a user account with no usable password and one valid invitation, and
one invited person sets a password and signs in. The last line is the JSON result (benchmarks/README.md).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import xlsxwriter

from benchmarks.common import benchmark_parser, fail, peak_rss_mb, positive_int, result_line

ROOT = Path(__file__).resolve().parents[1]
HEADER = [
    "工号",
    "姓名",
    "部门",
    "岗位",
    "职级",
    "入职日期",
    "直属上级",
    "邮箱",
    "出生日期",
    "性别",
    "工作城市",
    "合同类型",
    "合同开始日期",
    "合同结束日期",
    "试用期结束日期",
    "工会会员",
    "在职状态",
    "离职日期",
    "月工资",
    "工资月份",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
    "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲红鹏飞辉宇浩然子轩欣怡思雨佳琪"
    "梓萱一鸣嘉俊志晨晓东海波建国文博雅婷心怡"
)
PASSWORD = "Roster-Benchmark-2025"  # noqa: S105 - one invited person's chosen password, to prove sign-in works
REGIONS = [
    ("华东大区", "上海"),
    ("华南大区", "深圳"),
    ("华北大区", "北京"),
    ("西南大区", "成都"),
    ("华中大区", "武汉"),
]
WAGE_MONTH = "2025-03"


def _names(rng: random.Random, count: int) -> list[str]:
    """Distinct two- or three-character names (real rosters repeat names; managers must be findable)."""
    seen: set[str] = set()
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def generate_roster(people: int, seed: int) -> list[list[object]]:
    """CEO → 5 region directors → teams of about 100 under a manager; same seed, same rows."""
    rng = random.Random(seed)
    names = _names(rng, people)
    teams = max(1, (people - 1 - len(REGIONS)) // 100)
    rows: list[list[object]] = []

    def person(
        index: int, name: str, department: str, position: str, grade: str, manager: str, city: str, wage: int
    ) -> list[object]:
        hire = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(0, 3650))
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 32))
        fixed = rng.random() < 0.8
        start = (
            hire if not fixed else max(hire, dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(0, 700)))
        )
        left = rng.random() < 0.03
        return [
            f"E{index:05d}",
            name,
            department,
            position,
            grade,
            hire,
            manager,
            f"e{index:05d}@corp.example",
            birth,
            rng.choice(("男", "女")),
            city,
            "固定期限" if fixed else "无固定期限",
            start,
            start + dt.timedelta(days=3 * 365 - 1) if fixed else None,
            hire + dt.timedelta(days=180),
            rng.choice(("是", "否")),
            "离职" if left else rng.choice(("在职", "在职", "在职", "休假")),
            dt.date(2025, 1, 31) if left else None,
            wage,
            WAGE_MONTH,
        ]

    rows.append(person(1, names[0], "演示集团", "总经理", "E1", "", "上海", 80000))
    index = 2
    for region, city in REGIONS:
        rows.append(
            person(
                index, names[index - 1], f"演示集团/销售部/{region}", "销售总监", "M2", names[0], city, 40000
            )
        )
        index += 1
    managers: list[tuple[str, str, str]] = []
    for team in range(teams):
        region, city = REGIONS[team % len(REGIONS)]
        department = f"演示集团/销售部/{region}/{region[:2]}{team // len(REGIONS) + 1}组"
        director = names[1 + team % len(REGIONS)]
        rows.append(person(index, names[index - 1], department, "销售经理", "M1", director, city, 22000))
        managers.append((department, names[index - 1], city))
        index += 1
    while index <= people:
        department, manager, city = managers[(index - 1) % len(managers)]
        rows.append(
            person(
                index,
                names[index - 1],
                department,
                "销售代表",
                rng.choice(("S1", "S2", "S3")),
                manager,
                city,
                rng.randrange(6000, 15000, 100),
            )
        )
        index += 1
    return rows


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("花名册")
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range(0, 0, 0, len(HEADER) - 1, "演示集团 员工花名册（2025年3月）")
    sheet.write_row(2, 0, HEADER)
    for offset, row in enumerate(rows, start=3):
        for column, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(offset, column, dt.datetime.combine(value, dt.time()), dates)
            elif value is not None:
                sheet.write(offset, column, value)
    workbook.close()


# --- inside a child process with its own database ---------------------------------------------------------


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfloop.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def child_ours(path: str, rows_path: str) -> None:
    _setup_django()
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    from perfloop.imports.models import Invitation
    from perfloop.imports.services import import_file, invitation_accept

    started = time.perf_counter()
    outcome = import_file(
        actor=None, source="hris", profile="hr-roster-cn", path_or_bytes=path, file_name="花名册.xlsx"
    )
    seconds = time.perf_counter() - started
    if not outcome.is_applied or outcome.batch.rows_quarantined:
        fail(
            f"roster not applied cleanly: {outcome.batch.error_code}, "
            f"{outcome.batch.rows_quarantined} rows quarantined"
        )
    expected = json.loads(Path(rows_path).read_text(encoding="utf-8"))
    mismatches = _compare(expected)
    if mismatches:
        fail(f"{len(mismatches)} values did not land, e.g. {mismatches[:5]}")
    from perfloop.accounts.models import User

    users = User.objects.filter(employee__isnull=False)
    if users.count() != len(expected) or any(user.has_usable_password() for user in users):
        fail("every person needs an account without a password")
    valid = Invitation.objects.filter(used_at__isnull=True, user__in=users).values("user").distinct().count()
    if valid != len(expected) or len(outcome.invitations) != len(expected):
        fail(f"{valid} of {len(expected)} people have a first-sign-in link")
    link = outcome.invitations[len(expected) // 2]
    user = invitation_accept(raw_token=link.path.split("/")[-2], password=PASSWORD)
    # As the sign-in page asks: with the request, which the lockout backend needs to know the address.
    request = RequestFactory().post("/accounts/sign-in/", REMOTE_ADDR="127.0.0.1")
    if authenticate(request, username=user.username, password=PASSWORD) is None:
        fail("an invited person could not sign in")
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_mb": peak_rss_mb(),
                "people": len(expected),
                "summary": outcome.batch.summary.get("people", {}),
            }
        )
    )


def _compare(expected: list[list[object]]) -> list[str]:
    """Every mapped column of every person, read back from the database."""
    from perfloop.org.models import Employee

    gender = {"男": "male", "女": "female"}
    contract = {"固定期限": "fixed", "无固定期限": "open_ended"}
    status = {"在职": "active", "休假": "on_leave", "离职": "left"}
    people = {
        e.employee_number: e
        for e in Employee.objects.select_related("org_unit", "position", "manager", "user").prefetch_related(
            "wages"
        )
    }
    units = {}
    from perfloop.org.models import OrgUnit

    for unit in OrgUnit.objects.all():
        units[unit.pk] = unit

    def path(unit: OrgUnit) -> str:
        parts = []
        current: OrgUnit | None = unit
        while current is not None:
            parts.append(current.name)
            current = units.get(current.parent_id) if current.parent_id else None
        return "/".join(reversed(parts))

    names = {row[0]: row[1] for row in expected}
    mismatches: list[str] = []
    for row in expected:
        (
            number,
            name,
            department,
            position,
            grade,
            hire,
            manager,
            email,
            birth,
            sex,
            city,
            kind,
            start,
            end,
            probation,
            union,
            state,
            left,
            wage,
            wage_month,
        ) = row
        person = people.get(str(number))
        if person is None:
            mismatches.append(f"{number} missing")
            continue
        wages = list(person.wages.all())
        checks = {
            "姓名": (person.name, name),
            "部门": (path(person.org_unit), department),
            "岗位": (person.position.name, position),
            "职级": (person.position.grade, grade),
            "入职日期": (str(person.hire_date), hire),
            "直属上级": (names.get(person.manager.employee_number) if person.manager else "", manager),
            "邮箱": ((person.email, person.user.email if person.user else None), (email, email)),
            "出生日期": (str(person.birth_date), birth),
            "性别": (person.gender, gender[str(sex)]),
            "工作城市": (person.work_city, city),
            "合同类型": (person.contract_type, contract[str(kind)]),
            "合同开始日期": (str(person.contract_start), start),
            "合同结束日期": (str(person.contract_end) if person.contract_end else None, end),
            "试用期结束日期": (str(person.probation_end), probation),
            "工会会员": (person.is_union_member, union == "是"),
            "在职状态": (person.status, status[str(state)]),
            "离职日期": (str(person.termination_date) if person.termination_date else None, left),
            "月工资": ([str(int(w.amount)) for w in wages], [str(wage)]),
            "工资月份": ([str(w.month) for w in wages], [wage_month]),
        }
        mismatches.extend(
            f"{number} {column}: {got!r} != {want!r}" for column, (got, want) in checks.items() if got != want
        )
    return mismatches


def child_reference(rows_path: str) -> None:
    """The ORM-first way: one save() per unit, position, person and account, then the managers."""
    _setup_django()
    from perfloop.accounts.services import user_create
    from perfloop.core.months import Month
    from perfloop.org.models import Employee, OrgUnit, Position, WageRecord
    from perfloop.org.services import org_unit_create

    rows = json.loads(Path(rows_path).read_text(encoding="utf-8"))
    started = time.perf_counter()
    for row in rows:
        parent = None
        for depth, name in enumerate(str(row[2]).split("/")):
            unit = OrgUnit.objects.filter(parent=parent, name=name).first()
            if unit is None:
                unit = org_unit_create(
                    actor=None,
                    code=f"R{abs(hash(str(row[2])[: depth + 1])) % 10**9}-{depth}-{name}"[:40],
                    name=name,
                    parent=parent,
                )
            parent = unit
        position, _ = Position.objects.get_or_create(
            code=f"{row[3]}-{row[4]}", defaults={"name": row[3], "grade": row[4]}
        )
        user = user_create(actor=None, username=str(row[0]).lower(), role="rep", password=None, email=row[7])
        Employee.objects.create(
            employee_number=row[0],
            name=row[1],
            org_unit=parent,
            position=position,
            hire_date=row[5],
            email=row[7],
            birth_date=row[8],
            gender="male" if row[9] == "男" else "female",
            work_city=row[10],
            contract_type="fixed" if row[11] == "固定期限" else "open_ended",
            contract_start=row[12],
            contract_end=row[13],
            probation_end=row[14],
            is_union_member=row[15] == "是",
            status={"在职": "active", "休假": "on_leave", "离职": "left"}[row[16]],
            termination_date=row[17],
            user=user,
        )
    by_name = {row[1]: row[0] for row in rows}
    for row in rows:
        employee = Employee.objects.get(employee_number=row[0])
        if row[6]:
            employee.manager = Employee.objects.get(employee_number=by_name[row[6]])
            employee.save()
        WageRecord.objects.create(employee=employee, month=Month.parse(row[19]), amount=row[18])
    print(json.dumps({"seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}))


def _child(args: list[str], var_dir: Path) -> dict[str, object]:
    env = {
        **os.environ,
        "PERFLOOP_VAR_DIR": str(var_dir),
        "PERFLOOP_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PERFLOOP_LOG_LEVEL": "ERROR",
    }
    env.pop("DATABASE_URL", None)
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "benchmarks.roster", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        fail(f"{args[0]} failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = benchmark_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--people", type=positive_int, default=5_000, help="people on the roster (default 5,000)"
    )
    parser.add_argument("--child", choices=["ours", "reference"], help=None)
    parser.add_argument("--file", help=None)
    parser.add_argument("--rows", help=None)
    args = parser.parse_args()
    if args.child == "ours":
        child_ours(args.file, args.rows)
        return
    if args.child == "reference":
        child_reference(args.rows)
        return
    with tempfile.TemporaryDirectory(prefix="perfloop-roster-") as directory:
        workdir = Path(directory)
        rows = generate_roster(args.people, args.seed)
        xlsx = workdir / "roster.xlsx"
        write_xlsx(xlsx, rows)
        rows_path = workdir / "rows.json"
        rows_path.write_text(json.dumps(rows, ensure_ascii=False, default=str), encoding="utf-8")
        print(f"generated {len(rows):,} people ({xlsx.stat().st_size / 1024:.0f} KB XLSX)")
        ours_best, reference_best, peak = float("inf"), float("inf"), 0.0
        for attempt in range(args.repeat):
            ours = _child(
                ["--child", "ours", "--file", str(xlsx), "--rows", str(rows_path)], workdir / f"ours{attempt}"
            )
            ours_best = min(ours_best, float(ours["seconds"]))  # type: ignore[arg-type]
            peak = max(peak, float(ours["peak_rss_mb"]))  # type: ignore[arg-type]
        print(
            f"perfloop roster import: {ours_best:.2f} s for {len(rows):,} people, every column checked: "
            f"{ours['summary']}"
        )
        reference = _child(["--child", "reference", "--rows", str(rows_path)], workdir / "reference")
        reference_best = float(reference["seconds"])  # type: ignore[arg-type]
        print(f"row-by-row ORM import:  {reference_best:.2f} s")
    print(
        result_line(
            bench="roster",
            size={"people": len(rows)},
            ours_s=ours_best,
            reference="orm-row-by-row",
            reference_s=reference_best,
            peak_rss_mb=peak,
        )
    )


if __name__ == "__main__":
    main()
