"""The monthly close and alert rule pages: HR of the whole organisation runs and changes them; nobody else
opens them, HR of one part included."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from perfloop.audit.models import AuditEvent
from perfloop.core.months import Month
from perfloop.metrics.tests.factories import record_revenue, revenue_only_weights
from perfloop.monitoring.models import AlertRule, MonthClose

CLOSES = reverse("monitoring:closes")
RULES = reverse("monitoring:rules")


def as_user(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["hrbp", "manager", "rep", "executive", "sysadmin"])
def test_nobody_but_hr_of_the_whole_organisation_opens_or_posts_to_them(everyone, persona):
    client = as_user(everyone[persona])
    rule = AlertRule.objects.get(code="below_target_3")
    for url in (
        CLOSES,
        RULES,
        reverse("monitoring:rule_new"),
        reverse("monitoring:rule_edit", args=[rule.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(CLOSES, {"month": "2025-03"}).status_code == 403
    assert client.post(reverse("monitoring:rule_edit", args=[rule.pk]), {"months": "1"}).status_code == 403
    assert not MonthClose.objects.exists()
    page = client.get("/", follow=True).content.decode()
    assert CLOSES not in page
    assert RULES not in page


def test_hr_closes_a_month_by_hand_and_reads_what_every_run_did(hr_director, rep):
    rep.employee.hire_date = dt.date(2020, 1, 1)
    rep.employee.save()
    revenue_only_weights(rep.employee)
    record_revenue(rep.employee, Month(2025, 1), Month(2025, 3), [0.5, 0.5, 0.5])
    client = as_user(hr_director)
    assert CLOSES in client.get(CLOSES).content.decode()  # in the menu
    for month in ("2025-01", "2025-02"):
        client.post(CLOSES, {"month": month})
    done = client.post(CLOSES, {"month": "2025-03"}, follow=True).content.decode()
    assert (
        "2025-03 closed. Scorecards: 1 new, 0 changed (from 2025-01). Alerts: 1 raised, 0 resolved. "
        "People notified: 2."
    ) in done
    again = client.post(CLOSES, {"month": "2025-03"}, follow=True).content.decode()
    assert "2025-03 closed: no new data, nothing changed, nobody notified." in again
    runs = MonthClose.objects.order_by("pk")
    assert [str(run.month) for run in runs] == ["2025-01", "2025-02", "2025-03", "2025-03"]
    assert {run.actor for run in runs} == {hr_director}
    assert again.count("<strong>2025-03</strong>") == 2
    assert AuditEvent.objects.filter(action="month.close", actor=hr_director).count() == 4


def test_a_month_that_cannot_be_read_is_refused_with_what_to_type(hr_director):
    response = as_user(hr_director).post(CLOSES, {"month": "2025-13"})
    assert response.status_code == 400
    assert "Give the month as YYYY-MM, e.g. 2026-01." in response.content.decode()
    assert not MonthClose.objects.exists()


def rule_data(rule: AlertRule, **changes: str) -> dict[str, str]:
    data = {
        "name": rule.name,
        "name_en": rule.name_en,
        "kind": rule.kind,
        "kpi": "",
        "months": str(rule.months),
        "threshold": "",
        "factor": "",
        "severity": rule.severity,
        "escalate_after_days": str(rule.escalate_after_days),
        "resolves_on_recovery": "on",
        "is_active": "on",
    }
    return {**data, **changes}


def test_hr_changes_a_rule_in_percent_and_the_log_keeps_before_and_after(hr_director):
    rule = AlertRule.objects.get(code="below_target_3")
    client = as_user(hr_director)
    form = client.get(reverse("monitoring:rule_edit", args=[rule.pk])).content.decode()
    assert 'name="code"' in form
    assert "disabled" in form  # the code is the rule's identity
    response = client.post(
        reverse("monitoring:rule_edit", args=[rule.pk]),
        rule_data(rule, threshold="70", escalate_after_days="5", code="renamed"),
    )
    assert (response.status_code, response.url) == (302, RULES)
    rule.refresh_from_db()
    assert (rule.code, rule.threshold, rule.escalate_after_days) == ("below_target_3", Decimal("0.7"), 5)
    event = AuditEvent.objects.get(action="alert_rule.update")
    assert (event.details["before"]["threshold"], event.details["after"]["threshold"]) == (None, "0.7")
    listing = client.get(RULES).content.decode()
    assert "Composite score below 70.0% of target, 3 months in a row" in listing


def test_a_rule_that_cannot_hold_is_refused_and_nothing_changes(hr_director):
    rule = AlertRule.objects.get(code="below_target_3")
    client = as_user(hr_director)
    response = client.post(reverse("monitoring:rule_edit", args=[rule.pk]), rule_data(rule, months="0"))
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    refused = client.post(
        reverse("monitoring:rule_edit", args=[rule.pk]), rule_data(rule, kind="below_team_average")
    )
    assert refused.status_code == 400
    rule.refresh_from_db()
    assert (rule.months, rule.kind) == (3, "consecutive_below")
    assert not AuditEvent.objects.filter(action="alert_rule.update").exists()


def test_hr_adds_a_rule_on_one_kpi(hr_director):
    client = as_user(hr_director)
    response = client.post(
        reverse("monitoring:rule_new"),
        {
            "code": "few_new_customers",
            "name": "新客户数低于团队平均一半",
            "name_en": "New customers below half the team average",
            "kind": "below_team_average",
            "kpi": "new_customers",
            "months": "2",
            "factor": "50",
            "severity": "warning",
            "escalate_after_days": "7",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    rule = AlertRule.objects.get(code="few_new_customers")
    assert (rule.kpi.code, rule.factor, rule.months, rule.resolves_on_recovery) == (
        "new_customers",
        Decimal("0.5"),
        2,
        False,
    )
    assert "New customers below half the team average" in client.get(RULES).content.decode()
    duplicate = client.post(reverse("monitoring:rule_new"), rule_data(rule, code="few_new_customers"))
    assert duplicate.status_code == 400


def test_a_month_that_has_not_ended_is_not_closed(hr_director):
    client = as_user(hr_director)
    for month in (str(Month.of(timezone.localdate())), "2099-01", "9999-12"):
        response = client.post(CLOSES, {"month": month})
        assert response.status_code == 400, month
        assert "has not ended yet" in response.content.decode()
    assert not MonthClose.objects.exists()


def test_an_unknown_rule_is_not_found_and_a_rule_reads_in_plain_percent(hr_director):
    client = as_user(hr_director)
    assert client.get(reverse("monitoring:rule_edit", args=[999_999])).status_code == 404
    rule = AlertRule.objects.get(code="below_target_3")
    client.post(reverse("monitoring:rule_edit", args=[rule.pk]), rule_data(rule, threshold="70", months="1"))
    form = client.get(reverse("monitoring:rule_edit", args=[rule.pk])).content.decode()
    assert 'name="threshold" value="70"' in form
    assert "Composite score below 70.0% of target, 1 month" in client.get(RULES).content.decode()
