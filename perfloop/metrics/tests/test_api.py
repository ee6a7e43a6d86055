"""The REST API: every endpoint × every persona; denied ones see nothing and change nothing."""

import datetime as dt
import json

import pytest
from django.test import Client

from perfloop.accounts.services import api_token_create
from perfloop.core.months import Month
from perfloop.metrics.models import Scorecard, TeamMonth
from perfloop.metrics.services import scorecards_recompute
from perfloop.metrics.tests.factories import record_revenue, revenue_only_weights

JAN, MAR = Month(2025, 1), Month(2025, 3)


@pytest.fixture
def scored(everyone):
    for persona in ("rep", "other_team_rep"):
        employee = everyone[persona].employee
        employee.hire_date = dt.date(2024, 1, 1)
        employee.save()
        revenue_only_weights(employee)
        record_revenue(employee, JAN, MAR, [0.6, 0.7, 0.8])
    scorecards_recompute(actor=None, first=JAN, last=MAR)
    return everyone


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _names(response) -> set[str]:
    return {item["employee_name"] for item in response.json()["items"]}


# persona → the scorecard owners they get back from GET /scorecards
SCORECARDS_SEEN = {
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


@pytest.mark.parametrize(("persona", "expected"), SCORECARDS_SEEN.items())
def test_scorecards_are_scoped_to_the_viewer(scored, persona, expected):
    response = _client(scored[persona]).get("/api/v1/metrics/scorecards")
    assert response.status_code == 200
    assert _names(response) == expected


SEES_OTHER_TEAM_REP = {"other_team_rep", "hrbp"}


@pytest.mark.parametrize("persona", SCORECARDS_SEEN)
def test_asking_for_someone_out_of_scope_is_a_404_with_the_one_error_shape(scored, persona):
    target = scored["other_team_rep"].employee.pk
    for url in (
        f"/api/v1/org/employees/{target}",
        f"/api/v1/metrics/scorecards?employee={target}",
        f"/api/v1/metrics/facts?employee={target}",
    ):
        response = _client(scored[persona]).get(url)
        if persona in SEES_OTHER_TEAM_REP:
            assert response.status_code == 200, url
        else:
            assert response.status_code == 404, url
            assert response.json()["error"]["code"] == "not_found"
            assert "陈静" not in response.content.decode()


@pytest.mark.parametrize("persona", SCORECARDS_SEEN)
def test_facts_list_holds_only_people_in_scope(scored, persona):
    response = _client(scored[persona]).get("/api/v1/metrics/facts")
    owners = {item["employee_id"] for item in response.json()["items"]}
    allowed = {
        scored[p].employee.pk for p in ("rep", "other_team_rep") if p == persona or persona == "hrbp"
    } | ({scored["rep"].employee.pk} if persona == "manager" else set())
    assert owners == allowed


@pytest.mark.parametrize("persona", SCORECARDS_SEEN)
def test_employee_list_is_scoped(scored, persona):
    response = _client(scored[persona]).get("/api/v1/org/employees")
    names = {item["name"] for item in response.json()["items"]}
    if persona == "sysadmin":
        assert names == set()
    elif persona == "hrbp":
        assert names == {"李明", "陈静", "王经理", "赵经理", "张导师", "刘人事"}
    elif persona == "manager":
        assert names == {"王经理", "李明", "张导师"}
    else:
        assert names == {scored[persona].employee.name}


@pytest.mark.parametrize("persona", [*SCORECARDS_SEEN, "hr_director"])
def test_only_hr_of_the_whole_organisation_may_recompute_and_the_denied_change_nothing(
    scored, persona, hr_director
):
    before = list(Scorecard.objects.order_by("pk").values_list("pk", "revision", "computed_at"))
    actor = hr_director if persona == "hr_director" else scored[persona]
    response = _client(actor).post(
        "/api/v1/metrics/scorecards/recompute",
        data=json.dumps({"first": "2025-01", "last": "2025-03"}),
        content_type="application/json",
    )
    if persona == "hr_director":  # HR of 销售部 would rewrite (and count) everyone's scorecards: not theirs
        assert response.status_code == 200
        assert response.json()["unchanged"] == 6
    else:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
        assert list(Scorecard.objects.order_by("pk").values_list("pk", "revision", "computed_at")) == before


def test_anonymous_requests_get_401_in_the_one_error_shape(scored):
    response = Client().get("/api/v1/metrics/scorecards")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_bearer_token_reads_as_its_user(scored):
    hrbp = scored["hrbp"]
    _, raw = api_token_create(actor=hrbp, user=hrbp, name="bi", scopes=["read"])
    response = Client().get("/api/v1/metrics/scorecards", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert _names(response) == {"李明", "陈静"}
    assert (
        Client().get("/api/v1/metrics/scorecards", HTTP_AUTHORIZATION="Bearer pfl_wrong").status_code == 401
    )


@pytest.mark.parametrize("bad", ["2025-13", "June", "2025-6-1"])
def test_a_bad_month_is_a_specific_error(scored, bad):
    response = _client(scored["hrbp"]).get(f"/api/v1/metrics/scorecards?month={bad}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_month"


def test_a_malformed_body_is_a_422_in_the_one_error_shape(scored):
    response = _client(scored["hrbp"]).post(
        "/api/v1/metrics/scorecards/recompute", data="{", content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert "error" in response.json()


def test_kpi_catalogue_lists_the_eight_default_kpis_bilingually(scored):
    response = _client(scored["rep"]).get("/api/v1/metrics/kpis")
    rows = {row["code"]: row for row in response.json()}
    assert len(rows) == 8
    assert rows["revenue"]["name_zh"] == "月度销售额"
    assert rows["churn_rate"]["direction"] == "lower"


def test_team_aggregates_exist_for_both_teams(scored, org):
    assert TeamMonth.objects.filter(org_unit__in=[org.team_east, org.team_south], month=MAR).count() == 2


def test_openapi_document_is_served(scored):
    response = _client(scored["rep"]).get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/metrics/scorecards" in paths


def test_a_read_only_token_cannot_write_and_a_write_token_can(scored, hr_director):
    hrbp = hr_director
    _, read_only = api_token_create(actor=hrbp, user=hrbp, name="bi", scopes=["read"])
    _, writer = api_token_create(actor=hrbp, user=hrbp, name="ops", scopes=["read", "write"])
    body = json.dumps({"first": "2025-01", "last": "2025-03"})
    url = "/api/v1/metrics/scorecards/recompute"
    denied = Client().post(
        url, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {read_only}"
    )
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "token_scope"
    allowed = Client().post(
        url, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {writer}"
    )
    assert allowed.status_code == 200


def test_the_api_schema_and_docs_are_for_signed_in_users_and_tokens_only(scored, hr_director):
    anonymous = Client()
    for path in ("/api/v1/openapi.json", "/api/v1/docs"):
        answer = anonymous.get(path)
        assert answer.status_code == 302
        assert "/accounts/sign-in/" in answer["Location"]
    _, raw = api_token_create(actor=None, user=hr_director, name="codegen", scopes=["read"])
    assert Client().get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert Client().get("/api/v1/openapi.json", HTTP_AUTHORIZATION="Bearer pfl_wrong").status_code == 401
