"""The law API: every endpoint × every persona, one error shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

CASE = {
    "hire_date": "2020-01-01",
    "termination_date": "2023-06-30",
    "monthly_wage": "8000",
    "city": "shanghai",
}
ALLOWED = {"manager", "hrbp", "legal"}
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


def _post(client: Client, path: str, payload: dict) -> Any:
    return client.post(f"/api/v1/law/{path}", json.dumps(payload), content_type="application/json")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_severance_is_for_hr_legal_and_managers(everyone, persona):
    response = _post(_client(everyone[persona]), "severance", CASE)
    if persona in ALLOWED:
        assert response.status_code == 200
        body = response.json()
        assert body["results"]["severance"]["amount"] == "32000.00"
        assert body["results"]["severance"]["steps"][0]["rule_id"] == "CN-M-01"
    else:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("persona", PERSONAS)
def test_eligibility_is_for_hr_legal_and_managers(everyone, persona):
    response = _post(
        _client(everyone[persona]), "eligibility", {"hire_date": "2018-03-01", "notice_date": "2024-10-10"}
    )
    assert response.status_code == (200 if persona in ALLOWED else 403)
    if persona in ALLOWED:
        assert response.json()["is_advisory"] is True
        assert "lcl_36_mutual" in response.json()["allowed_routes"]


def test_anonymous_callers_are_refused():
    response = _post(Client(), "severance", CASE)
    assert response.status_code == 401


def test_packs_are_listed_for_any_signed_in_user(rep):
    response = _client(rep).get("/api/v1/law/packs")
    assert response.status_code == 200
    assert [pack["code"] for pack in response.json()] == ["cn", "uk"]


@pytest.mark.parametrize(
    ("changes", "code", "status"),
    [
        ({"hire_date": "2023-02-30"}, "invalid_date", 400),
        ({"termination_date": "2019-12-31"}, "termination_before_hire", 400),
        ({"monthly_wage": "-1"}, "negative_wage", 400),
        ({"city": "atlantis"}, "unknown_city", 404),
        ({"average_wage_year": 2010}, "no_reference_for_year", 404),
        ({"pack": "de"}, "unknown_pack", 400),
    ],
)
def test_bad_input_gets_a_specific_code_in_the_shared_error_shape(hrbp, changes, code, status):
    response = _post(_client(hrbp), "severance", {**CASE, **changes})
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]


def test_unknown_fields_are_rejected_by_the_schema(hrbp):
    response = _post(_client(hrbp), "severance", {**CASE, "salary": 1})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def test_error_messages_follow_the_request_language(hrbp):
    client = _client(hrbp)
    response = client.post(
        "/api/v1/law/severance",
        json.dumps({**CASE, "city": "atlantis"}),
        content_type="application/json",
        headers={"accept-language": "zh-hans"},
    )
    assert "参考数据" in response.json()["error"]["message"]


def test_a_date_outside_any_employment_is_refused_with_its_field_not_a_crash(everyone):
    payload = {"hire_date": "0001-01-01", "notice_date": "9999-12-01"}
    response = _post(_client(everyone["hrbp"]), "eligibility", payload)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "date_out_of_range"
    assert error["details"]["field"] == "hire_date"
