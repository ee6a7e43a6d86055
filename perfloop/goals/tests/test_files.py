"""Goals files: import from CSV/XLSX (all or nothing), export safe against formula injection, and the CLI."""

import csv
import datetime as dt
import io
from decimal import Decimal

import polars as pl
import pytest
import time_machine
import xlsxwriter
from django.core.management import CommandError, call_command
from django.utils import translation

from perfloop.audit.models import AuditEvent
from perfloop.core.months import Month
from perfloop.goals import services
from perfloop.goals.errors import GoalImportError
from perfloop.goals.goal_files import parse_month, read_goal_rows, safe_text, write_table
from perfloop.goals.models import Basis, Goal, GoalStatus, GoalVersion
from perfloop.goals.tests.factories import MARCH, published_goal
from perfloop.org.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _february():
    with time_machine.travel(dt.datetime(2025, 2, 20, 10, tzinfo=dt.UTC), tick=False):
        yield


def _csv(rows, header=("工号", "月份", "指标", "目标值"), encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _xlsx(rows, header=("employee_number", "month", "kpi", "target", "note")) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, header)
    for index, row in enumerate(rows, start=1):
        sheet.write_row(index, 0, row)
    book.close()
    return output.getvalue()


def test_a_csv_with_chinese_headers_in_gbk_is_imported_as_drafts(manager, rep):
    number = rep.employee.employee_number
    content = _csv(
        [(number, "2025年3月", "月度销售额", "80,000"), (number, "2025-03", "new_customers", "3")],
        encoding="gbk",
    )
    result = services.goals_import(actor=manager, content=content, filename="三月目标.csv")
    assert (result.rows, result.created, result.published) == (2, 2, 0)
    goal = Goal.objects.get(employee=rep.employee, kpi__code="revenue")
    assert (goal.value, goal.status, goal.month) == (Decimal(80000), GoalStatus.DRAFT, MARCH)
    assert goal.current_version.basis == Basis.IMPORT
    assert goal.current_version.basis_detail == "三月目标.csv, row 2"
    assert AuditEvent.objects.filter(action="goal.import", details__sha256=result.sha256).exists()


def test_an_xlsx_with_excel_dates_is_imported_and_published(manager, rep):
    content = _xlsx(
        [(rep.employee.employee_number, 45717, "revenue", 82000, "Q1 push")]
    )  # 45717 = 2025-03-01
    result = services.goals_import(actor=manager, content=content, filename="goals.xlsx", publish=True)
    assert (result.created, result.published) == (1, 1)
    goal = Goal.objects.get(employee=rep.employee)
    assert (goal.month, goal.status) == (MARCH, GoalStatus.PUBLISHED)
    assert goal.current_version.basis_detail == "goals.xlsx, row 2: Q1 push"


def test_importing_the_same_file_twice_changes_nothing(manager, rep):
    content = _csv([(rep.employee.employee_number, "2025-03", "revenue", "80000")])
    services.goals_import(actor=manager, content=content, filename="a.csv")
    again = services.goals_import(actor=manager, content=content, filename="a.csv")
    assert (again.created, again.revised, again.unchanged) == (0, 0, 1)
    assert GoalVersion.objects.count() == 1


def test_every_bad_row_is_reported_with_row_column_and_code_and_nothing_is_written(
    manager, rep, other_team_rep
):
    number = rep.employee.employee_number
    content = _csv(
        [
            (number, "2025-03", "revenue", "80000"),  # fine, but the file is refused as a whole
            ("E99999", "2025-03", "revenue", "80000"),
            (other_team_rep.employee.employee_number, "2025-03", "revenue", "1"),  # out of scope
            (number, "2025-13", "revenue", "80000"),
            (number, "2025-04", "karma", "1"),
            (number, "2025-05", "revenue", "-5"),
            (number, "1999-01", "revenue", "5"),
            (number, "2025-03", "月度销售额", "70000"),  # the first row again
            (number, "2025-06", "revenue", "八万"),
        ]
    )
    with pytest.raises(GoalImportError) as refused:
        services.goals_import(actor=manager, content=content, filename="bad.csv")
    codes = {(e["row"], e["code"]) for e in refused.value.details["errors"]}
    assert codes == {
        (3, "unknown_employee"),
        (4, "unknown_employee"),
        (5, "invalid_month"),
        (6, "unknown_kpi"),
        (7, "negative_target"),
        (8, "month_outside_employment"),
        (9, "duplicate_goal"),
        (10, "invalid_target"),
    }
    assert Goal.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="goal.").exists()


def test_a_file_without_the_needed_columns_is_refused():
    with pytest.raises(GoalImportError) as refused:
        read_goal_rows(_csv([("E1", "2025-03")], header=("工号", "月份")), "x.csv")
    assert refused.value.code == "missing_columns"
    assert refused.value.details["missing"] == ["kpi", "target"]
    with pytest.raises(GoalImportError) as unsupported:
        read_goal_rows(b"%PDF", "goals.pdf")
    assert unsupported.value.code == "unsupported_file"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("zh-hans", "文件缺少以下列：指标 (kpi), 目标 (target)。"),
        ("en", "The file lacks the columns 指标 (kpi), 目标 (target)."),
    ],
)
def test_a_refused_file_is_explained_in_the_senders_language(manager, language, message):
    content = _csv([("E1", "2025-03")], header=("工号", "月份"))
    with translation.override(language), pytest.raises(GoalImportError) as refused:
        services.goals_import(actor=manager, content=content, filename="goals.csv")
    assert refused.value.code == "missing_columns"
    assert refused.value.message == message
    assert Goal.objects.count() == 0


def test_changing_published_goals_by_file_needs_a_reason(manager, rep):
    published_goal(actor=manager, employee=rep.employee)
    content = _csv([(rep.employee.employee_number, "2025-03", "revenue", "78000")])
    with pytest.raises(services.GoalError) as refused:
        services.goals_import(actor=manager, content=content, filename="b.csv")
    assert refused.value.code == "reason_required"
    result = services.goals_import(actor=manager, content=content, filename="b.csv", reason="季度调整")
    assert result.revised == 1
    goal = Goal.objects.get(employee=rep.employee)
    assert (goal.value, goal.status, goal.version_count) == (Decimal(78000), GoalStatus.PUBLISHED, 2)


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2025-03", MARCH),
        ("2025/3", MARCH),
        ("2025年3月", MARCH),
        ("202503", MARCH),
        ("2025-03-15", MARCH),
        ("45717", MARCH),
    ],
)
def test_month_cells_in_every_usual_form(text, month):
    assert parse_month(text) == month


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx"])
def test_cells_that_look_like_formulas_are_quoted(text):
    assert safe_text(text) == "'" + text
    assert safe_text("普通文字") == "普通文字"


def test_exports_quote_formula_like_text_in_xlsx_and_csv(hrbp, org, manager):
    person = EmployeeFactory(
        org_unit=org.team_east, name='=HYPERLINK("http://evil","x")', hire_date=dt.date(2020, 1, 1)
    )
    published_goal(actor=manager, employee=person, value="80000")
    workbook = services.goals_export(actor=hrbp, first=MARCH, last=MARCH, file_format="xlsx")
    frame = pl.read_excel(io.BytesIO(workbook), engine="calamine")
    assert frame["姓名"][0] == '\'=HYPERLINK("http://evil","x")'
    assert frame["目标"][0] == 80000
    text = services.goals_export(actor=hrbp, first=MARCH, last=MARCH, file_format="csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert AuditEvent.objects.filter(action="goal.export", subject_employee_id=person.pk).exists()


def test_an_export_is_scoped_and_re_importable(manager, rep, other_team_rep, hrbp):
    published_goal(actor=manager, employee=rep.employee, value="80000")
    published_goal(actor=hrbp, employee=other_team_rep.employee, value="60000")
    content = services.goals_export(actor=manager, first=MARCH, last=MARCH, file_format="csv")
    assert "陈静" not in content.decode("utf-8-sig")
    rows = read_goal_rows(content, "export.csv")
    assert [(r.employee_number, r.kpi, r.value) for r in rows] == [
        (rep.employee.employee_number, "revenue", "80000.0000")
    ]
    assert services.goals_import(actor=manager, content=content, filename="export.csv").unchanged == 1


def test_write_table_refuses_unknown_formats():
    with pytest.raises(ValueError, match="unknown format"):
        write_table(["a"], [], file_format="pdf")


def test_the_import_and_export_commands(manager, rep, tmp_path, capsys):
    source = tmp_path / "goals.csv"
    source.write_bytes(_csv([(rep.employee.employee_number, "2025-03", "revenue", "80000")]))
    call_command("goals_import", str(source), "--actor", "manager", "--publish")
    assert "1 new goals" in capsys.readouterr().out
    assert Goal.objects.get(employee=rep.employee).status == GoalStatus.PUBLISHED
    output = tmp_path / "out.xlsx"
    call_command("goals_export", str(output), "--actor", "manager", "--first", "2025-03", "--language", "en")
    frame = pl.read_excel(output, engine="calamine")
    assert frame.columns[:4] == ["employee_number", "name", "team", "month"]
    assert frame["status"][0] == "awaiting confirmation"


def test_the_import_command_lists_bad_rows_and_fails(manager, rep, tmp_path, capsys):
    source = tmp_path / "bad.csv"
    source.write_bytes(_csv([("E404", "2025-03", "revenue", "1")]))
    with pytest.raises(CommandError, match="import_invalid"):
        call_command("goals_import", str(source), "--actor", "manager")
    assert "row 2 · employee · 'E404': unknown_employee" in capsys.readouterr().err
    with pytest.raises(CommandError, match="unknown_user"):
        call_command("goals_import", str(source), "--actor", "nobody")
    with pytest.raises(CommandError, match="must end in"):
        call_command("goals_export", "out.pdf", "--actor", "manager", "--first", "2025-03")


def test_the_import_task_runs_the_same_service(manager, rep, tmp_path):
    from perfloop.goals.tasks import goals_import_task

    source = tmp_path / "goals.csv"
    source.write_bytes(_csv([(rep.employee.employee_number, "2025-04", "revenue", "80000")]))
    result = goals_import_task.enqueue(path=str(source), username="manager")
    summary = result.return_value
    assert summary is not None
    assert summary["created"] == 1
    assert Goal.objects.get(employee=rep.employee).month == Month(2025, 4)
