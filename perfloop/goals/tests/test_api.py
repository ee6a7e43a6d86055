"""The goals API: every endpoint × every persona — the denied ones see nothing and change nothing."""

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from perfloop.accounts.models import Notification
from perfloop.accounts.services import api_token_create
from perfloop.goals import services
from perfloop.goals.models import (
    Goal,
    GoalEvent,
    GoalStatus,
    GoalTemplate,
    GoalVersion,
    PlanNode,
    TargetPlan,
    TemplateAssignment,
)
from perfloop.goals.tests.factories import draft_goal, kpi, published_goal, record_history
from perfloop.metrics.models import MonthlyTarget

pytestmark = pytest.mark.django_db

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
MANAGERS = {"manager", "hrbp"}


@pytest.fixture(autouse=True)
def _february():
    with time_machine.travel(dt.datetime(2025, 2, 20, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def world(everyone, org):
    manager, hrbp, rep = everyone["manager"], everyone["hrbp"], everyone["rep"]
    goal = published_goal(actor=manager, employee=rep.employee, value="75000")
    disputed = published_goal(actor=manager, employee=rep.employee, code="follow_ups", value="40")
    services.goal_dispute(actor=rep, goal=disputed, version=1, comment="跟进次数太多")
    draft = draft_goal(actor=manager, employee=rep.employee, code="new_customers", value="3")
    other = published_goal(actor=hrbp, employee=everyone["other_team_rep"].employee, value="64000")
    template = services.template_create(actor=hrbp, name="标准", lines={"revenue": Decimal(80000)})
    plan = services.plan_create(
        actor=hrbp, year=2025, kpi=kpi(), root_unit=org.sales, target=Decimal(1200000)
    )
    record_history(rep.employee, {goal.month - i: "70000" for i in range(1, 7)})
    return {
        "goal": goal,
        "disputed": disputed,
        "draft": draft,
        "other": other,
        "template": template,
        "plan": plan,
        "node": plan.nodes.get(),
        "rep_id": rep.employee.pk,
        "east": org.team_east.pk,
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _send(client, method, url, payload=None):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data=json.dumps(payload or {}), content_type="application/json")


def _state():
    return (
        list(Goal.objects.order_by("pk").values_list("pk", "status", "value", "version_count")),
        GoalVersion.objects.count(),
        GoalEvent.objects.count(),
        list(GoalTemplate.objects.values_list("pk", "name", "is_active")),
        list(TargetPlan.objects.values_list("pk", "status")),
        list(PlanNode.objects.values_list("pk", "amount")),
        TemplateAssignment.objects.count(),
        MonthlyTarget.objects.count(),
        Notification.objects.count(),
    )


B = "/api/v1/goals"
# name → (method, url, payload, personas allowed, expected status when allowed)
ENDPOINTS = {
    "list_person": ("get", lambda w: f"{B}/?employee={w['rep_id']}", None, {"rep", *MANAGERS}, 200),
    "set": (
        "post",
        lambda w: f"{B}/",
        lambda w: {"employee_id": w["rep_id"], "month": "2025-04", "kpi": "revenue", "value": "80000"},
        MANAGERS,
        201,
    ),
    "record": (
        "get",
        lambda w: f"{B}/record?employee={w['rep_id']}&month=2025-03",
        None,
        {"rep", *MANAGERS},
        200,
    ),
    "publish_many": (
        "post",
        lambda w: f"{B}/publish",
        lambda w: {"goal_ids": [w["draft"].pk]},
        MANAGERS,
        200,
    ),
    "confirm_many": (
        "post",
        lambda w: f"{B}/confirm",
        lambda w: {"versions": {str(w["goal"].pk): 1}},
        {"rep"},
        200,
    ),
    "detail": ("get", lambda w: f"{B}/{w['goal'].pk}", None, {"rep", *MANAGERS}, 200),
    "revise": (
        "post",
        lambda w: f"{B}/{w['goal'].pk}/revise",
        lambda w: {"value": "76000", "reason": "区域调整"},
        MANAGERS,
        200,
    ),
    "publish": ("post", lambda w: f"{B}/{w['draft'].pk}/publish", None, MANAGERS, 200),
    "confirm": ("post", lambda w: f"{B}/{w['goal'].pk}/confirm", lambda w: {"version": 1}, {"rep"}, 200),
    "dispute": (
        "post",
        lambda w: f"{B}/{w['goal'].pk}/dispute",
        lambda w: {"version": 1, "comment": "太高"},
        {"rep"},
        200,
    ),
    "answer": (
        "post",
        lambda w: f"{B}/{w['disputed'].pk}/answer",
        lambda w: {"comment": "调整", "value": "35"},
        MANAGERS,
        200,
    ),
    "suggestions": ("get", lambda w: f"{B}/suggestions?team={w['east']}&month=2025-03", None, MANAGERS, 200),
    "accept": (
        "post",
        lambda w: f"{B}/suggestions/accept",
        lambda w: {"team": w["east"], "month": "2025-05", "kpi": "revenue"},
        MANAGERS,
        200,
    ),
    "templates": ("get", lambda w: f"{B}/templates", None, MANAGERS, 200),
    "template_create": (
        "post",
        lambda w: f"{B}/templates",
        lambda w: {"name": "新模板", "lines": {"revenue": "70000"}},
        MANAGERS,
        201,
    ),
    "template": ("get", lambda w: f"{B}/templates/{w['template'].pk}", None, MANAGERS, 200),
    "template_update": (
        "put",
        lambda w: f"{B}/templates/{w['template'].pk}",
        lambda w: {"name": "改名", "lines": {"revenue": "81000"}},
        MANAGERS,
        200,
    ),
    "template_preview": (
        "post",
        lambda w: f"{B}/templates/{w['template'].pk}/preview",
        lambda w: {"org_unit": w["east"]},
        MANAGERS,
        200,
    ),
    "template_assign": (
        "post",
        lambda w: f"{B}/templates/{w['template'].pk}/assign",
        lambda w: {"first": "2025-06", "last": "2025-06", "people": {"org_unit": w["east"]}},
        MANAGERS,
        201,
    ),
    "plans": ("get", lambda w: f"{B}/plans", None, MANAGERS, 200),
    "plan_create": (
        "post",
        lambda w: f"{B}/plans",
        lambda w: {"year": 2026, "kpi": "revenue", "root_unit": w["east"], "target": "960000"},
        MANAGERS,
        201,
    ),
    "plan": ("get", lambda w: f"{B}/plans/{w['plan'].pk}", None, {"hrbp"}, 200),
    "plan_split": ("post", lambda w: f"{B}/plans/{w['plan'].pk}/split", lambda w: {}, {"hrbp"}, 200),
    "plan_node": (
        "put",
        lambda w: f"{B}/plans/{w['plan'].pk}/nodes/{w['node'].pk}",
        lambda w: {"amount": "1300000"},
        {"hrbp"},
        200,
    ),
    "plan_apply": ("post", lambda w: f"{B}/plans/{w['plan'].pk}/apply", lambda w: {}, {"hrbp"}, 400),
    "summary": ("get", lambda w: f"{B}/summary?month=2025-03", None, {*MANAGERS, "executive"}, 200),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_endpoint_admits_only_its_personas_and_the_others_see_and_change_nothing(
    everyone, world, endpoint, persona
):
    method, url, payload, allowed, expected = ENDPOINTS[endpoint]
    before = _state()
    response = _send(_client(everyone[persona]), method, url(world), payload(world) if payload else None)
    if persona in allowed:
        assert response.status_code == expected, response.content
        return
    assert response.status_code in (403, 404), response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] in {"permission_denied", "not_found"}
    assert "李明" not in response.content.decode()
    assert "75000" not in response.content.decode()
    assert _state() == before


SEEN = {
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


@pytest.mark.parametrize(("persona", "names"), SEEN.items())
def test_the_goal_list_is_scoped_to_the_caller(everyone, world, persona, names):
    response = _client(everyone[persona]).get(f"{B}/")
    assert response.status_code == 200
    assert {item["employee_name"] for item in response.json()["items"]} == names


def test_a_person_does_not_see_their_own_drafts_until_they_are_published(everyone, world):
    rep, manager = _client(everyone["rep"]), _client(everyone["manager"])
    assert rep.get(f"{B}/?status=draft").json()["items"] == []
    assert rep.get(f"{B}/{world['draft'].pk}").status_code == 404
    assert [i["kpi"] for i in manager.get(f"{B}/?status=draft").json()["items"]] == ["new_customers"]


def test_the_record_is_one_call_with_target_setter_basis_and_confirmation(everyone, world):
    rep = everyone["rep"]
    services.goal_confirm(actor=rep, goal=world["goal"], version=1, comment="同意")
    record = _client(everyone["hrbp"]).get(f"{B}/record?employee={world['rep_id']}&month=2025-03").json()
    revenue = next(line for line in record["lines"] if line["kpi"] == "revenue")
    assert Decimal(revenue["target"]) == Decimal(75000)
    assert Decimal(revenue["effective_target"]) == Decimal(75000)
    assert revenue["set_by"] == "王经理"
    assert revenue["basis"] == "manual"
    assert revenue["confirmation"]["by"] == "李明"
    assert revenue["confirmation"]["version"] == 1
    assert revenue["confirmation"]["channel"] == "web"
    assert revenue["confirmation"]["comment"] == "同意"
    assert [e["action"] for e in revenue["events"]] == ["publish", "confirm"]
    disputed = next(line for line in record["lines"] if line["kpi"] == "follow_ups")
    assert disputed["confirmation"] is None
    assert record["is_fully_agreed"] is False


def test_a_confirmation_of_a_changed_version_is_a_409_with_its_code(everyone, world):
    services.goal_revise(actor=everyone["manager"], goal=world["goal"], value=Decimal(76000), reason="调整")
    response = _client(everyone["rep"]).post(
        f"{B}/{world['goal'].pk}/confirm", data={"version": 1}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "goal_version_outdated"
    assert response.json()["error"]["details"] == {"goal": world["goal"].pk, "given": 1, "current": 2}


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("zh-hans", "您查看后此目标已有变更：请先阅读新版本再作答复。"),
        ("en", "This goal has changed since you saw it: read the new version before you answer."),
    ],
)
def test_a_refusal_is_explained_in_the_callers_language_and_keeps_its_code(
    everyone, world, language, message
):
    services.goal_revise(actor=everyone["manager"], goal=world["goal"], value=Decimal(76000), reason="调整")
    response = _client(everyone["rep"]).post(
        f"{B}/{world['goal'].pk}/confirm",
        data={"version": 1},
        content_type="application/json",
        headers={"accept-language": language},
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "goal_version_outdated"
    assert response.json()["error"]["message"] == message


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"month": "2025-13"}, "invalid_month"),
        ({"value": "-5"}, "negative_target"),
        ({"kpi": "karma"}, "unknown_kpi"),
        ({"month": "1999-01"}, "month_outside_employment"),
        ({"value": "80000.123456"}, "invalid_target"),
    ],
)
def test_bad_input_gets_a_specific_code_and_writes_nothing(everyone, world, payload, code):
    before = _state()
    body = {"employee_id": world["rep_id"], "month": "2025-04", "kpi": "revenue", "value": "80000", **payload}
    response = _client(everyone["manager"]).post(f"{B}/", data=body, content_type="application/json")
    assert response.status_code in (400, 404)
    assert response.json()["error"]["code"] == code
    assert _state() == before


def test_an_unknown_person_is_a_404(everyone, world):
    body = {"employee_id": 999999, "month": "2025-04", "kpi": "revenue", "value": "1"}
    response = _client(everyone["manager"]).post(f"{B}/", data=body, content_type="application/json")
    assert response.status_code == 404


def test_the_fairness_guard_answers_with_its_warnings(everyone, world, org):
    from perfloop.goals.tests.factories import team_members

    for peer in team_members(org.team_east, 3, position=everyone["rep"].employee.position):
        draft_goal(actor=everyone["manager"], employee=peer, month=world["goal"].month + 2)
    body = {"employee_id": world["rep_id"], "month": "2025-05", "kpi": "revenue", "value": "150000"}
    response = _client(everyone["manager"]).post(f"{B}/", data=body, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "justification_required"
    assert error["details"]["warnings"][0]["code"] == "above_peers"
    body["justification"] = "新区域"
    assert (
        _client(everyone["manager"]).post(f"{B}/", data=body, content_type="application/json").status_code
        == 201
    )


def test_a_bearer_token_works_like_the_session(everyone, world):
    _, raw = api_token_create(actor=None, user=everyone["rep"], name="phone", scopes=["read"])
    response = Client().get(f"{B}/{world['goal'].pk}", headers={"authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["allowed_actions"] == ["confirm", "dispute", "revise"]


def test_the_executive_summary_has_counts_and_no_names(everyone, world):
    response = _client(everyone["executive"]).get(f"{B}/summary?month=2025-03")
    rows = {row["unit_name"]: row for row in response.json()}
    # Two people with goals in 销售部: "1 disputed" among two would name who disputed.
    assert (rows["销售部"]["people"], rows["销售部"]["is_hidden"]) == (2, True)
    assert (rows["销售部"]["published"], rows["销售部"]["disputed"]) == (0, 0)
    assert (rows["人力资源部"]["people"], rows["人力资源部"]["is_hidden"]) == (
        0,
        False,
    )  # nobody: nothing to hide
    assert "李明" not in response.content.decode()
    hr = {row["unit_name"]: row for row in _client(everyone["hrbp"]).get(f"{B}/summary?month=2025-03").json()}
    assert (hr["销售部"]["published"], hr["销售部"]["disputed"], hr["销售部"]["is_hidden"]) == (2, 1, False)


def test_the_executive_summary_counts_a_unit_of_five_people(everyone, world, org):
    from perfloop.goals.tests.factories import draft_goal, team_members

    for person in team_members(org.team_east, 3, position=everyone["rep"].employee.position):
        draft_goal(actor=everyone["manager"], employee=person, value="50000")
    rows = {
        row["unit_name"]: row
        for row in _client(everyone["executive"]).get(f"{B}/summary?month=2025-03").json()
    }
    assert rows["销售部"]["is_hidden"] is False
    assert rows["销售部"]["people"] == 5
    assert rows["销售部"]["disputed"] == 1


def test_suggestions_come_with_their_reasons_in_both_languages(everyone, world):
    response = _client(everyone["manager"]).get(f"{B}/suggestions?team={world['east']}&month=2025-03")
    rep = next(row for row in response.json() if row["employee_name"] == "李明")
    assert Decimal(rep["value"]) == Decimal(75000)
    assert "¥70,000" in rep["reason_en"]
    assert "近6个月平均" in rep["reason_zh"]


def test_publishing_a_team_by_filter_through_the_api(everyone, world):
    response = _client(everyone["manager"]).post(
        f"{B}/publish", data={"team": world["east"], "month": "2025-03"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert [g["kpi"] for g in response.json()] == ["new_customers"]
    assert Goal.objects.get(pk=world["draft"].pk).status == GoalStatus.PUBLISHED
