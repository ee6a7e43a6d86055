"""The monitoring API: every endpoint × every persona; denied ones see nothing and change nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from perfloop.audit.models import AuditEvent
from perfloop.core.months import Month
from perfloop.metrics.tests.factories import record_revenue, revenue_only_weights
from perfloop.monitoring.models import Alert, AlertRule, AlertState, Delivery, MonthClose, WebhookEndpoint
from perfloop.monitoring.services import month_close

JAN = Month(2025, 1)
PERSONAS = [
    "rep",
    "other_team_rep",
    "manager",
    "mentor",
    "hrbp",
    "legal",
    "recruiter",
    "executive",
    "sysadmin",
]


@pytest.fixture
def alerted(everyone, org, hr_director):
    """Both reps three months below target: one warning each (李明 in Team East, 陈静 in Team South)."""
    for persona in ("rep", "other_team_rep"):
        employee = everyone[persona].employee
        employee.hire_date = dt.date(2020, 1, 1)
        employee.save()
        revenue_only_weights(employee)
        record_revenue(employee, JAN, JAN + 2, [0.5, 0.5, 0.5])
    for month in (JAN, JAN + 1, JAN + 2):
        month_close(actor=None, month=month)
    everyone["hrbp"].email = "hrbp@example.com"
    everyone["hrbp"].save()
    Delivery.objects.create(  # about the whole organisation: not for an HRBP of one department
        channel="email",
        target="ceo@example.com",
        dedupe_key="y",
        kind="alert.raised",
        payload="…",
        payload_sha256="0",
    )
    Delivery.objects.create(
        org_unit=org.sales,
        channel="email",
        target="hrbp@example.com",
        dedupe_key="x",
        kind="alert.raised",
        payload="…",
        payload_sha256="0",
    )
    WebhookEndpoint.objects.create(name="group", kind="wecom", url="https://example.com/send?key=secret-key")
    return {**everyone, "hr_director": hr_director}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _alert(persona_user) -> Alert:
    return Alert.objects.get(employee=persona_user.employee)


def _snapshot():
    return (
        list(Alert.objects.order_by("pk").values()),
        list(AlertRule.objects.order_by("pk").values()),
        MonthClose.objects.count(),
        list(WebhookEndpoint.objects.order_by("pk").values()),
        AuditEvent.objects.filter(kind="change").count(),
    )


ALERTS_SEEN = {
    "rep": {"李明"},
    "other_team_rep": {"陈静"},
    "manager": {"李明"},
    "mentor": set(),
    "hrbp": {"李明", "陈静"},
    "legal": set(),
    "recruiter": set(),
    "executive": set(),
    "sysadmin": set(),
}


@pytest.mark.parametrize(("persona", "expected"), ALERTS_SEEN.items())
def test_alerts_and_needs_attention_are_scoped_to_the_viewer(alerted, persona, expected):
    client = _client(alerted[persona])
    response = client.get("/api/v1/monitoring/alerts?state=active&month=2025-03")
    assert response.status_code == 200
    assert {a["employee_name"] for a in response.json()["items"]} == expected
    response = client.get("/api/v1/monitoring/needs-attention?month=2025-03")
    assert response.status_code == 200
    assert {a["employee_name"] for a in response.json()["items"]} == expected


COUNTS = {
    "rep": 1,
    "other_team_rep": 1,
    "manager": 1,
    "mentor": 0,
    "hrbp": 2,
    "legal": 0,
    "recruiter": 0,
    "executive": 2,  # aggregates of the company, never the names
    "sysadmin": 0,
}


def test_an_executive_gets_no_counts_of_a_team_too_small_to_hide_its_people(alerted, org):
    client = _client(alerted["executive"])
    south = client.get(f"/api/v1/monitoring/alerts/counts?month=2025-03&unit={org.team_south.pk}").json()
    # Team South is 陈静 and her manager: "1 alert, 1 person" would name her.
    assert (south["is_hidden"], south["total"], south["people"], south["by_unit"]) == (True, 0, 0, {})
    company = client.get("/api/v1/monitoring/alerts/counts?month=2025-03").json()
    assert (company["is_hidden"], company["total"]) == (False, 2)
    assert company["by_unit"] == {}  # each team is too small: the split would give them away
    hr = _client(alerted["hrbp"]).get(
        f"/api/v1/monitoring/alerts/counts?month=2025-03&unit={org.team_south.pk}"
    )
    assert (hr.json()["is_hidden"], hr.json()["total"]) == (False, 1)  # HR sees the people anyway


@pytest.mark.parametrize(("persona", "expected"), COUNTS.items())
def test_alert_counts_are_aggregates_of_the_viewers_scope(alerted, persona, expected):
    response = _client(alerted[persona]).get("/api/v1/monitoring/alerts/counts?month=2025-03")
    assert response.status_code == 200
    assert response.json()["total"] == expected
    assert "李明" not in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_one_alert_out_of_scope_is_a_404(alerted, persona):
    alert = _alert(alerted["other_team_rep"])
    response = _client(alerted[persona]).get(f"/api/v1/monitoring/alerts/{alert.pk}")
    if persona in {"other_team_rep", "hrbp"}:
        assert response.status_code == 200
        assert response.json()["employee_name"] == "陈静"
    else:
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert "陈静" not in response.content.decode()


ACTS = {"manager": 200, "hrbp": 200, "rep": 403}  # everyone else: 404 (the alert is out of their scope)


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_manager_and_hr_act_on_an_alert(alerted, persona, action):
    alert = _alert(alerted["rep"])
    before = _snapshot()
    response = _client(alerted[persona]).post(
        f"/api/v1/monitoring/alerts/{alert.pk}/{action}",
        data=json.dumps({"note": "talked"}),
        content_type="application/json",
    )
    expected = ACTS.get(persona, 404)
    assert response.status_code == expected
    alert.refresh_from_db()
    if expected == 200:
        assert alert.state == (AlertState.ACKNOWLEDGED if action == "acknowledge" else AlertState.RESOLVED)
        assert response.json()["state"] == alert.state
    else:
        assert _snapshot() == before
        assert "error" in response.json()


def test_an_impossible_move_is_a_409(alerted):
    alert = _alert(alerted["rep"])
    client = _client(alerted["manager"])
    client.post(f"/api/v1/monitoring/alerts/{alert.pk}/resolve", data="{}", content_type="application/json")
    response = client.post(
        f"/api/v1/monitoring/alerts/{alert.pk}/acknowledge", data="{}", content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


@pytest.mark.parametrize("persona", [*PERSONAS, "hr_director"])
def test_everyone_reads_the_rules_and_only_hr_of_the_whole_organisation_changes_them(alerted, persona):
    client = _client(alerted[persona])
    response = client.get("/api/v1/monitoring/rules")
    assert response.status_code == 200
    assert [r["code"] for r in response.json()] == ["below_target_3", "below_target_6"]
    rule = AlertRule.objects.get(code="below_target_3")
    before = _snapshot()
    patched = client.patch(
        f"/api/v1/monitoring/rules/{rule.pk}", data=json.dumps({"months": 4}), content_type="application/json"
    )
    created = client.post(
        "/api/v1/monitoring/rules",
        data=json.dumps(
            {
                "code": "below_half",
                "name": "低于50%",
                "kind": "completion_below",
                "severity": "warning",
                "threshold": "0.5",
            }
        ),
        content_type="application/json",
    )
    if persona == "hr_director":  # the sales HRBP may not change company policy
        assert (patched.status_code, patched.json()["months"]) == (200, 4)
        assert created.status_code == 201
        assert AlertRule.objects.filter(code="below_half", threshold="0.5").exists()
    else:
        assert (patched.status_code, created.status_code) == (403, 403)
        assert _snapshot() == before


def test_a_bad_rule_is_refused_with_the_one_error_shape(alerted):
    rule = AlertRule.objects.get(code="below_target_3")
    response = _client(alerted["hr_director"]).patch(
        f"/api/v1/monitoring/rules/{rule.pk}", data=json.dumps({"months": 0}), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_months"


@pytest.mark.parametrize("persona", [*PERSONAS, "hr_director"])
def test_only_hr_of_the_whole_organisation_runs_a_close_and_hr_reads_its_deliveries(alerted, persona):
    client = _client(alerted[persona])
    before = _snapshot()
    response = client.post(
        "/api/v1/monitoring/closes", data=json.dumps({"month": "2025-03"}), content_type="application/json"
    )
    closes = client.get("/api/v1/monitoring/closes")
    deliveries = client.get("/api/v1/monitoring/deliveries")
    if persona == "hr_director":
        assert response.status_code == 200
        assert response.json()["has_changes"] is False
        assert closes.status_code == 200
        assert closes.json()["count"] == 4
        assert deliveries.status_code == 200
        assert {d["target"] for d in deliveries.json()["items"]} == {"hrbp@example.com", "ceo@example.com"}
    elif persona == "hrbp":  # HR of 销售部: the close scores and alerts everyone, so it is not theirs to run
        assert (response.status_code, closes.status_code) == (403, 403)
        assert _snapshot() == before
        assert [d["target"] for d in deliveries.json()["items"]] == ["hrbp@example.com"]  # their part's only
    else:
        assert (response.status_code, closes.status_code, deliveries.status_code) == (403, 403, 403)
        assert _snapshot() == before
        assert "hrbp@example.com" not in deliveries.content.decode()


@pytest.mark.parametrize("persona", [*PERSONAS, "hr_director"])
def test_only_hr_of_the_whole_organisation_configures_webhooks_and_secrets_never_come_back(
    alerted, persona, org
):
    client = _client(alerted[persona])
    endpoint = WebhookEndpoint.objects.get()
    before = _snapshot()
    listed = client.get("/api/v1/monitoring/webhooks")
    created = client.post(
        "/api/v1/monitoring/webhooks",
        data=json.dumps(
            {
                "name": "钉钉群",
                "kind": "dingtalk",
                "url": "https://oapi.example.com/robot/send?access_token=t",
                "secret": "SEC123",
                "scope_unit_id": org.sales.pk,
            }
        ),
        content_type="application/json",
    )
    patched = client.patch(
        f"/api/v1/monitoring/webhooks/{endpoint.pk}",
        data=json.dumps({"is_active": False}),
        content_type="application/json",
    )
    # A webhook sends people's alerts out of perfloop: not for HR of one part (who could send every part's
    # alerts anywhere), not for the system admin (who sees no performance data).
    if persona == "hr_director":
        assert (listed.status_code, created.status_code, patched.status_code) == (200, 201, 200)
        text = listed.content.decode() + created.content.decode()
        assert "secret-key" not in text
        assert "SEC123" not in text
        assert created.json()["has_secret"] is True
        assert not WebhookEndpoint.objects.get(pk=endpoint.pk).is_active
        assert "SEC123" not in json.dumps(list(AuditEvent.objects.values_list("details", flat=True)))
    else:
        assert (listed.status_code, created.status_code, patched.status_code) == (403, 403, 403)
        assert _snapshot() == before


def test_anonymous_callers_get_401(alerted):
    assert Client().get("/api/v1/monitoring/alerts").status_code == 401
