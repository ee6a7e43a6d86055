"""A person's copy of their data: every app's records, in their language, theirs only, and recorded."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import fastexcel
import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from perfloop.accounts.services import notification_send, personal_data_export
from perfloop.audit.models import AuditEvent
from perfloop.core.errors import PermissionDenied
from perfloop.core.months import Month
from perfloop.core.personal_data import limited_rows, section_names
from perfloop.monitoring.tests.factories import closed_below_target
from perfloop.org.models import WageRecord

pytestmark = pytest.mark.django_db

JAN = Month(2025, 1)


@pytest.fixture
def rep_with_history(rep):
    """李明: three months below target (facts, targets, scorecards, a warning), wages and an inbox entry."""
    closed_below_target(rep.employee, first=JAN)
    WageRecord.objects.create(employee=rep.employee, month=JAN, amount=Decimal("9000.00"))
    notification_send(recipient=rep, kind="goal.published", title='=HYPERLINK("x") 目标已发布')
    return rep


def sheets_of(data: bytes) -> dict[str, list[tuple]]:
    """Each sheet's rows (the header first), every cell as the text a spreadsheet shows."""
    reader = fastexcel.read_excel(data)
    return {
        name: [
            tuple(None if cell is None else str(cell) for cell in row)
            for row in reader.load_sheet(name, header_row=None, dtypes="string").to_polars().rows()
        ]
        for name in reader.sheet_names
    }


def test_every_app_adds_its_records_to_the_copy():
    assert section_names() == ["accounts", "org", "metrics", "imports", "goals", "monitoring"]


def test_a_long_history_is_cut_at_the_newest_rows_and_says_so():
    with translation.override("en"):
        rows = limited_rows(([n] for n in range(5)), limit=3)
    assert rows[:3] == [[0], [1], [2]]
    assert rows[3] == ["Only the newest 3 rows are in this copy; ask HR for the rest."]
    assert limited_rows(([n] for n in range(3)), limit=3) == [[0], [1], [2]]


def test_the_copy_holds_the_persons_records_from_every_app_in_their_language(rep_with_history, manager):
    rep_with_history.preferred_language = "en"
    rep_with_history.save()
    client = Client()
    client.force_login(manager)
    client.get(f"/dashboards/people/{rep_with_history.employee.pk}/")  # the manager looks at the page

    sheets = sheets_of(personal_data_export(actor=rep_with_history, user=rep_with_history))

    assert list(sheets) == [
        "Account",
        "Sign-ins and security",
        "Inbox",
        "Use of my records",
        "Employee record",
        "Wages",
        "Protected status",
        "KPI values",
        "Targets",
        "Scorecards",
        "KPI corrections",
        "Goals",
        "Goal versions",
        "Goal agreement",
        "Annual target plans",
        "Alerts",
        "Messages sent to me",
    ]
    assert ("Username", "rep") in sheets["Account"]
    assert ("Employee number", rep_with_history.employee.employee_number) in sheets["Employee record"]
    assert sheets["Wages"][1] == ("2025-01", "9000", "0")
    assert [row[0] for row in sheets["Scorecards"][1:]] == ["2025-01", "2025-02", "2025-03"]
    assert len(sheets["KPI values"]) == 4
    assert sheets["Alerts"][1][:2] == ("2025-03", "3 consecutive months below target")
    assert sheets["Inbox"][1][1] == '\'=HYPERLINK("x") 目标已发布'  # formula-safe
    looked = [row for row in sheets["Use of my records"] if row[2] == "opened the person's performance page"]
    assert looked[0][1:] == ("looked at", "opened the person's performance page", "sales manager")
    cells = {
        cell for title, sheet in sheets.items() if title != "Employee record" for row in sheet for cell in row
    }
    assert ("Manager", manager.employee.name) in sheets["Employee record"]  # a field of their own record
    assert manager.employee.name not in cells  # elsewhere roles, not colleagues' names
    assert manager.username not in cells
    assert ("Language", "English") in sheets["Account"]


def test_the_copy_is_in_chinese_for_a_chinese_speaker_with_times_on_the_companys_clock(rep_with_history):
    with time_machine.travel(dt.datetime(2026, 3, 31, 17, 30, tzinfo=dt.UTC), tick=False):
        notification_send(recipient=rep_with_history, kind="goal.published", title="四月目标已发布")
    sheets = sheets_of(personal_data_export(actor=rep_with_history, user=rep_with_history))
    assert "员工档案" in sheets
    assert "预警" in sheets
    assert ("语言", "简体中文") in sheets["账号"]
    received = [row[0] for row in sheets["收件箱"] if row[1] == "四月目标已发布"]
    assert received == ["2026-04-01 01:30"]  # Shanghai time, the day the person saw it


def test_what_others_did_to_the_account_and_what_restated_or_planned_the_persons_figures_is_in_it(
    rep_with_history, hr_director
):
    from perfloop.accounts.services import second_factor_reset, sign_in_failed
    from perfloop.goals.models import PlanNode, TargetPlan
    from perfloop.imports.models import FactChange, ImportBatch, Source
    from perfloop.metrics.models import Kpi

    rep_with_history.preferred_language = "en"
    rep_with_history.save()
    sign_in_failed(username="rep", ip="10.1.2.3", is_locked_out=False)
    TOTPDevice.objects.create(user=rep_with_history, name="phone", confirmed=True)
    second_factor_reset(actor=None, user=rep_with_history)
    source = Source.objects.get_or_create(code="crm", defaults={"name": "CRM", "kind": "crm"})[0]
    batch = ImportBatch.objects.create(
        source=source, file_name="deals.csv", file_sha256="0" * 64, kind="deals"
    )
    FactChange.objects.create(
        batch=batch, employee=rep_with_history.employee, month=JAN, kpi="revenue",
        old_value=Decimal("40000"), new_value=Decimal("42000"),
    )  # fmt: skip
    plan = TargetPlan.objects.create(
        year=2025,
        kpi=Kpi.objects.get(code="revenue"),
        root_unit=rep_with_history.employee.org_unit,
        name="2025",
    )
    PlanNode.objects.create(plan=plan, employee=rep_with_history.employee, amount=Decimal("960000"))

    sheets = sheets_of(personal_data_export(actor=rep_with_history, user=rep_with_history))

    events = [row[1] for row in sheets["Sign-ins and security"][1:]]
    assert "wrong password" in events
    assert "second factor removed by the administrator" in events
    assert sheets["KPI corrections"][1][:4] == ("2025-01", "Monthly revenue", "40000", "42000")
    assert sheets["Annual target plans"][1][:4] == ("2025", "Monthly revenue", "2025", "960000")


def test_nobody_else_exports_a_persons_data_but_hr_of_the_whole_organisation(rep, manager, hrbp, hr_director):
    for someone in (manager, hrbp):
        with pytest.raises(PermissionDenied):
            personal_data_export(actor=someone, user=rep)
    assert personal_data_export(actor=hr_director, user=rep)
    event = AuditEvent.objects.get(action="personal_data.export")
    assert (event.actor, event.subject_employee_id, event.details["for"]) == (
        hr_director,
        rep.employee.pk,
        "hr",
    )


def test_the_page_offers_the_copy_and_the_download_is_recorded(rep_with_history):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(rep_with_history)
    page = client.get("/accounts/my-data/").content.decode()
    assert "Personal Information Protection Law" in page
    download = client.get("/accounts/my-data/export.xlsx")
    assert download["Content-Disposition"] == 'attachment; filename="my-data-rep.xlsx"'
    assert "Employee record" in sheets_of(download.content)  # the language of the page they read
    event = AuditEvent.objects.get(action="personal_data.export")
    assert (event.actor, event.details["channel"], event.details["for"]) == (rep_with_history, "web", "self")
    assert Client().get("/accounts/my-data/export.xlsx").status_code == 302  # signed-in people only
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    chinese.force_login(rep_with_history)
    assert "员工档案" in sheets_of(chinese.get("/accounts/my-data/export.xlsx").content)


def test_hr_writes_the_copy_of_someone_who_left_from_the_shell(rep_with_history, tmp_path):
    rep_with_history.is_active = False
    rep_with_history.save()
    out = tmp_path / "copy.xlsx"
    output = io.StringIO()
    call_command(
        "personal_data", "export", rep_with_history.employee.employee_number, "--out", str(out), stdout=output
    )
    assert "wrote" in output.getvalue()
    assert "员工档案" in sheets_of(out.read_bytes())
    assert AuditEvent.objects.get(action="personal_data.export").details["channel"] == "cli"
    with pytest.raises(CommandError, match="exists"):
        call_command("personal_data", "export", "rep", "--out", str(out))
    with pytest.raises(CommandError, match="No user"):
        call_command("personal_data", "export", "nobody", "--out", str(tmp_path / "x.xlsx"))
