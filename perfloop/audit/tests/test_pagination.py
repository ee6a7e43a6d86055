"""API reads of people's data are recorded like the web pages': one view per person on the page returned."""

from __future__ import annotations

import pytest
from django.test import Client

from perfloop.audit.models import AuditEvent
from perfloop.core.months import Month
from perfloop.monitoring.models import Alert
from perfloop.monitoring.tests.factories import closed_below_target

JAN = Month(2025, 1)


def views(action: str) -> list[tuple[int | None, str, int | None]]:
    return [
        (event.subject_employee_id, event.details.get("channel"), event.details.get("page"))
        for event in AuditEvent.objects.filter(kind=AuditEvent.Kind.VIEW, action=action).order_by("pk")
    ]


@pytest.fixture
def manager_api(manager) -> Client:
    client = Client()
    client.force_login(manager)
    return client


@pytest.fixture
def below_target(rep):
    """李明 three months below target: scorecards, facts and a warning to read."""
    closed_below_target(rep.employee, first=JAN)
    return rep.employee


def test_a_page_of_people_records_a_view_of_each_person_on_it_and_no_one_else(manager_api, manager, rep):
    first = manager_api.get("/api/v1/org/employees", {"page_size": 1}).json()
    second = manager_api.get("/api/v1/org/employees", {"page_size": 1, "page": 2}).json()

    assert first["count"] == second["count"] == 2
    shown = [first["items"][0]["id"], second["items"][0]["id"]]
    assert views("employee_list.view") == [(shown[0], "api", 1), (shown[1], "api", 2)]
    event = AuditEvent.objects.filter(action="employee_list.view").first()
    assert event.actor == manager
    assert event.details["path"] == "/api/v1/org/employees"


def test_one_persons_record_by_the_api_is_a_recorded_view(manager_api, rep):
    assert manager_api.get(f"/api/v1/org/employees/{rep.employee.pk}").status_code == 200
    assert views("employee.view") == [(rep.employee.pk, "api", None)]
    assert AuditEvent.objects.get(action="employee.view").details == {"channel": "api"}


def test_scorecards_facts_and_alerts_read_by_the_api_are_recorded_per_person(manager_api, below_target):
    person = below_target.pk
    scorecards = manager_api.get("/api/v1/metrics/scorecards", {"employee": person}).json()
    facts = manager_api.get("/api/v1/metrics/facts", {"employee": person}).json()
    alerts = manager_api.get("/api/v1/monitoring/alerts", {"employee": person}).json()
    attention = manager_api.get("/api/v1/monitoring/needs-attention", {"month": "2025-03"}).json()
    alert = Alert.objects.get(employee_id=person)
    manager_api.get(f"/api/v1/monitoring/alerts/{alert.pk}")

    assert scorecards["count"] == 3
    assert facts["count"] == 3
    assert alerts["count"] == 1
    assert attention["count"] == 1
    assert views("scorecard_list.view") == [(person, "api", 1)]
    assert views("fact_list.view") == [(person, "api", 1)]
    assert views("alert_list.view") == [(person, "api", 1)]
    assert views("needs_attention.view") == [(person, "api", 1)]
    assert views("alert.view") == [(person, "api", None)]


def test_an_empty_page_or_a_refused_read_records_nothing(manager_api, other_team_rep):
    assert manager_api.get("/api/v1/metrics/scorecards", {"month": "2030-01"}).json()["count"] == 0
    assert manager_api.get(f"/api/v1/org/employees/{other_team_rep.employee.pk}").status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.VIEW).exists()
