"""A person's copy of their data: every app's records, in their language, theirs only, and recorded."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import fastexcel
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from perfloop.accounts.services import notification_send, personal_data_export
from perfloop.audit.models import AuditEvent
from perfloop.core.errors import PermissionDenied
from perfloop.core.months import Month
from perfloop.core.personal_data import section_names
from perfloop.metrics.tests.factories import record_revenue, revenue_only_weights
from perfloop.monitoring.services import month_close
from perfloop.org.models import WageRecord

pytestmark = pytest.mark.django_db

JAN = Month(2025, 1)


@pytest.fixture
def rep_with_history(rep):
    """李明: three months below target (facts, targets, scorecards, a warning), wages and an inbox entry."""
    rep.employee.hire_date = dt.date(2020, 1, 1)
    rep.employee.save()
    revenue_only_weights(rep.employee)
    record_revenue(rep.employee, JAN, JAN + 2, [0.5, 0.5, 0.5])
    for month in (JAN, JAN + 1, JAN + 2):
        month_close(actor=None, month=month)
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
    assert section_names() == ["accounts", "org", "metrics", "goals", "monitoring"]


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
        "Goals",
        "Goal versions",
        "Goal agreement",
        "Alerts",
    ]
    assert ("Username", "rep") in sheets["Account"]
    assert ("Employee number", rep_with_history.employee.employee_number) in sheets["Employee record"]
    assert sheets["Wages"][1] == ("2025-01", "9000", "0")
    assert [row[0] for row in sheets["Scorecards"][1:]] == ["2025-01", "2025-02", "2025-03"]
    assert len(sheets["KPI values"]) == 4
    assert sheets["Alerts"][1][:2] == ("2025-03", "3 consecutive months below target")
    assert sheets["Inbox"][1][2] == '\'=HYPERLINK("x") 目标已发布'  # formula-safe
    looked = [row for row in sheets["Use of my records"] if row[2] == "person_page.view"]
    assert looked[0][1:] == ("looked at", "person_page.view", "sales manager")
    assert "manager" not in {cell for row in sheets["Use of my records"] for cell in row}  # roles, not names


def test_the_copy_is_in_chinese_for_a_chinese_speaker(rep_with_history):
    sheets = sheets_of(personal_data_export(actor=rep_with_history, user=rep_with_history))
    assert "员工档案" in sheets
    assert "预警" in sheets


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
    assert "Employee record" in sheets_of(download.content) or "员工档案" in sheets_of(download.content)
    event = AuditEvent.objects.get(action="personal_data.export")
    assert (event.actor, event.details["channel"], event.details["for"]) == (rep_with_history, "web", "self")
    assert Client().get("/accounts/my-data/export.xlsx").status_code == 302  # signed-in people only


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
