"""Every refusal of the monitoring API: its stable code, its status and a message in the caller's language."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from perfloop.monitoring.models import AlertRule, MonthClose, WebhookEndpoint

API = "/api/v1/monitoring"


def _client(user, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def _error(response) -> dict:
    return response.json()["error"]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "month: “2025-13” is not a month (YYYY-MM)."),
        ("zh-hans", "month：“2025-13”不是有效月份（YYYY-MM）。"),
    ],
)
def test_a_malformed_month_is_explained_in_the_callers_language(everyone, language, message):
    response = _client(everyone["hrbp"], language).get(f"{API}/alerts?month=2025-13")
    assert response.status_code == 400
    assert _error(response)["code"] == "invalid_month"
    assert _error(response)["message"] == message
    assert _error(response)["details"] == {"parameter": "month"}


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "month is required (YYYY-MM)."), ("zh-hans", "缺少参数 month（格式 YYYY-MM）。")],
)
def test_a_close_without_a_month_is_refused_and_nothing_runs(hr_director, language, message):
    response = _client(hr_director, language).post(
        f"{API}/closes", data=json.dumps({"month": ""}), content_type="application/json"
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "missing_month"
    assert _error(response)["message"] == message
    assert not MonthClose.objects.exists()


def test_a_rule_without_a_code_is_refused(hr_director):
    before = AlertRule.objects.count()
    response = _client(hr_director).post(
        f"{API}/rules", data=json.dumps({"name": "半数未达标"}), content_type="application/json"
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "missing_code"
    assert _error(response)["message"] == "A rule needs a code."
    assert AlertRule.objects.count() == before


def test_a_webhook_without_its_required_fields_names_them(hr_director):
    response = _client(hr_director).post(
        f"{API}/webhooks", data=json.dumps({"name": "钉钉群"}), content_type="application/json"
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "missing_field"
    assert _error(response)["message"] == "Missing fields: kind, url."
    assert _error(response)["details"] == {"fields": ["kind", "url"]}
    assert not WebhookEndpoint.objects.exists()


def test_a_webhook_for_an_unknown_unit_or_an_unknown_webhook_is_not_found(hr_director):
    client = _client(hr_director)
    unknown_unit = client.post(
        f"{API}/webhooks",
        data=json.dumps(
            {
                "name": "钉钉群",
                "kind": "dingtalk",
                "url": "https://oapi.example.com/robot",
                "scope_unit_id": 999999,
            }
        ),
        content_type="application/json",
    )
    unknown_webhook = client.patch(
        f"{API}/webhooks/999999", data=json.dumps({"is_active": False}), content_type="application/json"
    )
    assert (unknown_unit.status_code, unknown_webhook.status_code) == (404, 404)
    assert (_error(unknown_unit)["code"], _error(unknown_webhook)["code"]) == ("not_found", "not_found")
    assert _error(unknown_unit)["message"] == "No such unit."
    assert _error(unknown_webhook)["message"] == "No such webhook."
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("method", "path", "message"),
    [
        ("post", "/rules", "Only HR of the whole organisation may change alert rules."),
        ("post", "/closes", "Only HR of the whole organisation may run the monthly close."),
        ("get", "/closes", "Only HR of the whole organisation may see the close runs."),
        ("get", "/deliveries", "Only HR may see the delivery log."),
        ("get", "/webhooks", "Only HR of the whole organisation may see webhooks."),
        ("post", "/webhooks", "Only HR of the whole organisation may configure webhooks."),
    ],
)
def test_a_manager_is_told_who_may_do_what_they_asked(everyone, method, path, message):
    client = _client(everyone["manager"])
    payload = {"code": "below_half", "month": "2025-03", "name": "群", "kind": "wecom", "url": "https://x"}
    if method == "post":
        response = client.post(f"{API}{path}", data=json.dumps(payload), content_type="application/json")
    else:
        response = client.get(f"{API}{path}")
    assert response.status_code == 403
    assert _error(response)["code"] == "permission_denied"
    assert _error(response)["message"] == message
