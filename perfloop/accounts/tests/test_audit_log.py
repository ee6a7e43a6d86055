"""The audit log reader: who may read which events, the filters, the workbook, and reading recorded."""

from __future__ import annotations

import datetime as dt
import io
import json

import fastexcel
import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from perfloop.accounts.audit_log import audit_lines, audit_sheet
from perfloop.accounts.tests.factories import UserFactory
from perfloop.audit.models import AuditEvent
from perfloop.audit.services import audit_change, audit_security, audit_view

pytestmark = pytest.mark.django_db

AUDIT = "/accounts/audit/"
EXPORT = "/accounts/audit/export.xlsx"


@pytest.fixture
def trail(rep, manager):
    """A manager looked at 李明's page, HR changed something, and somebody failed to sign in."""
    audit_view(
        actor=manager, action="person_page.view", target=rep.employee, subject_employee_id=rep.employee.pk
    )
    audit_change(actor=None, action="scorecard.recompute", details={"months": "2025-03"})
    audit_security(
        actor=None, action="user.sign_in_failed", details={"username": "=cmd|' /C calc'!A0", "ip": "10.1.2.3"}
    )
    return rep


def page_text(client: Client, query: str = "", *, status: int = 200) -> str:
    response = client.get(AUDIT + query)
    assert response.status_code == status
    return response.content.decode()


@pytest.mark.parametrize(
    "persona", ["rep", "other_team_rep", "manager", "mentor", "hrbp", "legal", "recruiter", "executive"]
)
def test_nobody_else_reads_the_log_and_reading_nothing_records_nothing(everyone, trail, persona):
    client = Client()
    client.force_login(everyone[persona])
    before = AuditEvent.objects.count()
    assert client.get(AUDIT).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert AuditEvent.objects.count() == before
    assert "/accounts/audit/" not in client.get("/", follow=True).content.decode()


def test_hr_of_the_whole_organisation_reads_every_event_with_the_person_it_concerns(hr_director, trail):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(hr_director)
    page = page_text(client)
    assert "person_page.view" in page
    assert "李明" in page  # the person a view concerned, by number and name
    assert "scorecard.recompute" in page
    assert "(system)" in page
    assert "user.sign_in_failed" in page
    assert "(not signed in)" in page
    assert 'href="/accounts/audit/"' in client.get("/", follow=True).content.decode()  # in the menu


def test_the_system_administrator_reads_security_events_only(sysadmin, trail):
    client = Client()
    client.force_login(sysadmin)
    page = page_text(client)
    assert "user.sign_in_failed" in page
    assert "person_page.view" not in page
    assert "scorecard.recompute" not in page
    refused = page_text(client, "?kind=view", status=400)  # a kind outside theirs is refused, not widened
    assert "person_page.view" not in refused
    assert "user.sign_in_failed" not in refused


def test_filters_narrow_by_person_actor_action_and_dates(hr_director, trail, manager, other_team_rep):
    audit_view(
        actor=manager,
        action="person_page.view",
        target=other_team_rep.employee,
        subject_employee_id=other_team_rep.employee.pk,
    )
    client = Client()
    client.force_login(hr_director)
    about_rep = page_text(client, f"?employee={trail.employee.employee_number}")
    assert "李明" in about_rep
    assert "陈静" not in about_rep
    assert "scorecard.recompute" not in page_text(client, "?actor=manager")
    assert "person_page.view" not in page_text(client, "?action=user.")
    assert "user.sign_in_failed" in page_text(client, "?action=user.")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert "person_page.view" not in page_text(client, f"?since={tomorrow}")
    assert "person_page.view" in page_text(client, f"?until={timezone.localdate().isoformat()}")
    assert "person_page.view" not in page_text(client, "?employee=NOBODY")
    typed = page_text(client, f"?employee={trail.employee.employee_number.lower()}")  # as people type it
    assert "李明" in typed
    assert "陈静" not in typed


def test_a_backwards_date_range_is_said_plainly(hr_director, trail):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(hr_director)
    page = page_text(client, "?since=2026-03-02&until=2026-03-01", status=400)
    assert "“To” is before “From”." in page
    assert "Correct the filters above to see events." in page
    assert "person_page.view" not in page  # never the whole log in place of a filter it could not read


@pytest.mark.parametrize(
    "filters",
    ["?employee=E001&since=2026-13-01", "?since=2026-03-02&until=2026-03-01", "?action=" + "x" * 81],
)
def test_a_filter_that_cannot_be_read_exports_nothing(hr_director, trail, filters):
    client = Client()
    client.force_login(hr_director)
    refused = client.get(EXPORT + filters)
    assert refused.status_code == 400
    assert not AuditEvent.objects.filter(action="audit_log.export").exists()


def test_reading_and_exporting_the_log_are_recorded_in_it(hr_director, trail):
    client = Client()
    client.force_login(hr_director)
    client.get(AUDIT + "?action=person_page.")
    client.get(EXPORT + "?action=person_page.")
    read = AuditEvent.objects.get(action="audit_log.read")
    assert read.actor == hr_director
    assert read.kind == AuditEvent.Kind.VIEW
    assert read.details == {"action": "person_page.", "via": "page"}
    exported = AuditEvent.objects.get(action="audit_log.export")
    assert exported.details == {"action": "person_page.", "events": "1"}


def test_looking_up_one_persons_trail_is_a_view_of_that_person_the_administrator_cannot_see(
    hr_director, sysadmin, trail
):
    client = Client()
    client.force_login(hr_director)
    client.get(AUDIT + f"?employee={trail.employee.employee_number}")
    read = AuditEvent.objects.get(action="audit_log.read")
    assert read.subject_employee_id == trail.employee.pk
    administrator = Client()
    administrator.force_login(sysadmin)
    assert "audit_log.read" not in page_text(administrator)
    assert trail.employee.employee_number not in page_text(administrator)


def test_the_export_is_a_formula_safe_workbook_of_the_filtered_events(hr_director, trail):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(hr_director)
    response = client.get(EXPORT + "?action=user.")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="audit-log.xlsx"'
    rows = fastexcel.read_excel(response.content).load_sheet(0).to_polars().rows()
    assert [row[3] for row in rows] == ["user.sign_in_failed"]
    assert json.loads(rows[0][6])["username"] == "=cmd|' /C calc'!A0"  # JSON text, starts with "{": inert
    hostile = UserFactory(username="@sum")
    audit_security(actor=hostile, action="user.sign_in")
    rows = (
        fastexcel.read_excel(client.get(EXPORT + "?action=user.sign_in").content)
        .load_sheet(0)
        .to_polars()
        .rows()
    )
    assert rows[0][1] == "'@sum"  # a user name a spreadsheet would evaluate is written as text


def test_the_page_shows_fifty_events_at_a_time(hr_director):
    for number in range(60):
        audit_change(actor=None, action="test.event", details={"n": number})
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(hr_director)
    first = page_text(client, "?action=test.")
    assert first.count('<code class="muted">test.event</code>') == 50
    assert "1–50 of 60" in first
    second = page_text(client, "?action=test.&page=2")
    assert second.count('<code class="muted">test.event</code>') == 10


def test_lines_say_who_acted_in_words_and_a_hostile_detail_stays_text(trail):
    audit_security(actor=None, action="user.lockout_clear", details={"username": "rep"})  # the server's shell
    events = list(AuditEvent.objects.order_by("pk"))
    lines = audit_lines(events, {trail.employee.pk: ("E001", "李明")})
    assert [line.actor for line in lines] == ["manager", "（系统）", "（未登录）", "（系统）"]
    assert lines[0].subject == "E001 李明"
    assert audit_sheet(lines).rows[0][1] == "manager"


def test_the_command_lists_events_as_lines_or_json(trail):
    out = io.StringIO()
    call_command("audit", "list", "--action", "person_page.", "--json", stdout=out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(records) == 1
    assert records[0]["actor"] == "manager"
    assert "李明" in records[0]["subject"]
    out = io.StringIO()
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        call_command("audit", "list", "--since", timezone.localdate().isoformat(), stdout=out)
    assert out.getvalue() == ""


def test_the_page_costs_the_same_queries_for_ten_or_fifty_events(
    hr_director, rep, django_assert_max_num_queries
):
    client = Client()
    client.force_login(hr_director)

    def views(count: int) -> None:
        for _ in range(count):
            audit_view(actor=hr_director, action="person_page.view", subject_employee_id=rep.employee.pk)

    views(10)
    with django_assert_max_num_queries(8):
        client.get(AUDIT)
    views(40)
    with django_assert_max_num_queries(8):
        client.get(AUDIT)


# --- the API ---


def test_the_api_gives_a_security_system_the_same_events_and_records_the_pull(hr_director, trail):
    from perfloop.accounts.services import api_token_create

    _token, raw = api_token_create(actor=None, user=hr_director, name="SIEM", scopes=["read"])
    response = Client().get("/api/v1/audit/events?action=person_page.", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (event,) = body["items"]
    assert event["actor"] == "manager"
    assert event["subject_employee_number"] == trail.employee.employee_number
    assert event["action"] == "person_page.view"
    pull = AuditEvent.objects.get(action="audit_log.read")
    assert pull.details == {"action": "person_page.", "via": "api"}
    assert pull.kind == AuditEvent.Kind.VIEW


def test_the_api_gives_the_system_administrator_security_events_only_and_others_nothing(everyone, trail):
    client = Client()
    client.force_login(everyone["sysadmin"])
    actions = {item["action"] for item in client.get("/api/v1/audit/events").json()["items"]}
    assert actions == {"user.sign_in_failed"}
    for persona in ("rep", "manager", "hrbp", "executive", "legal"):
        client = Client()
        client.force_login(everyone[persona])
        refused = client.get("/api/v1/audit/events")
        assert refused.status_code == 403, persona
        assert refused.json()["error"]["code"] == "permission_denied"
    assert Client().get("/api/v1/audit/events").status_code == 401


def test_the_api_names_a_date_it_cannot_read(hr_director):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(hr_director)
    refused = client.get("/api/v1/audit/events?since=2026-13-01")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "invalid_date"
    assert error["details"] == {"field": "since"}
    assert "since is not a date" in error["message"]


def test_an_export_cut_at_the_limit_says_so_in_its_last_row(hr_director, trail, monkeypatch):
    from perfloop.accounts import audit_log, views

    monkeypatch.setattr(views, "EXPORT_LIMIT", 2)
    monkeypatch.setattr(audit_log, "EXPORT_LIMIT", 2)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(hr_director)
    content = client.get(EXPORT).content
    rows = fastexcel.read_excel(content).load_sheet(0).to_polars().rows()
    assert len(rows) == 3
    assert rows[-1][0].startswith("Only the newest 2 events are in this file")
    assert AuditEvent.objects.get(action="audit_log.export").details == {"events": "2", "cut": "true"}
