"""The goals pages: each persona sees what they may and nothing else; writes go through the services."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from perfloop.accounts.models import Notification
from perfloop.audit.models import AuditEvent
from perfloop.goals import services
from perfloop.goals.models import Goal, GoalEvent, GoalStatus, GoalTemplate, TargetPlan
from perfloop.goals.tests.factories import (
    MARCH,
    current,
    draft_goal,
    kpi,
    published_goal,
    record_history,
    team_members,
)

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


@pytest.fixture(autouse=True)
def _february():
    with time_machine.travel(dt.datetime(2025, 2, 20, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def goals(everyone):
    """A published goal of `rep` and one of `other_team_rep`."""
    return {
        "rep": published_goal(actor=everyone["manager"], employee=everyone["rep"].employee, value="75000"),
        "other_team_rep": published_goal(
            actor=everyone["hrbp"], employee=everyone["other_team_rep"].employee, value="64000"
        ),
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _state():
    return (
        list(Goal.objects.order_by("pk").values_list("pk", "status", "value", "version_count")),
        GoalEvent.objects.count(),
    )


SEES_REP = {"rep", "manager", "hrbp"}
SEES_OTHER = {"other_team_rep", "hrbp"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_goal_page_and_the_record_are_for_the_person_their_managers_and_hr_only(everyone, goals, persona):
    client = _client(everyone[persona])
    for owner, seen_by in (("rep", SEES_REP), ("other_team_rep", SEES_OTHER)):
        goal = goals[owner]
        for url in (f"/goals/goals/{goal.pk}/", f"/goals/people/{goal.employee_id}/2025-03/"):
            response = client.get(url)
            if persona in seen_by:
                assert response.status_code == 200, url
                assert goal.employee.name in response.content.decode()
            else:
                assert response.status_code == 404, url
                assert goal.employee.name not in response.content.decode()


TEAM_PAGES = {"manager": 200, "hrbp": 200}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_team_grid_is_for_those_who_set_goals(everyone, goals, org, persona):
    response = _client(everyone[persona]).get(f"/goals/team/{org.team_east.pk}/?month=2025-03&kpi=revenue")
    assert response.status_code == TEAM_PAGES.get(persona, 403)
    row = f'data-employee="{everyone["rep"].employee.pk}"'
    assert (row in response.content.decode()) == (response.status_code == 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_templates_plans_and_summary_are_refused_to_the_wrong_roles(everyone, persona):
    client = _client(everyone[persona])
    managing = persona in {"manager", "hrbp"}
    assert client.get("/goals/templates/").status_code == (200 if managing else 403)
    assert client.get("/goals/plans/").status_code == (200 if managing else 403)
    assert client.get("/goals/summary/?month=2025-03").status_code == (
        200 if managing or persona == "executive" else 403
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_person_can_confirm_and_the_others_change_nothing(everyone, goals, persona):
    goal = goals["rep"]
    before = _state()
    response = _client(everyone[persona]).post(f"/goals/goals/{goal.pk}/confirm/", {"version": 1})
    if persona == "rep":
        assert response.status_code == 302
        goal.refresh_from_db()
        assert goal.status == GoalStatus.CONFIRMED
    else:
        assert response.status_code in (403, 404)
        assert _state() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_managers_of_the_team_publish_from_the_grid(everyone, org, persona):
    draft = draft_goal(actor=everyone["manager"], employee=everyone["rep"].employee)
    before = _state()
    response = _client(everyone[persona]).post(
        f"/goals/team/{org.team_east.pk}/action/",
        {"action": "publish_all", "month": "2025-03", "kpi": "revenue"},
    )
    draft.refresh_from_db()
    if persona in {"manager", "hrbp"}:
        assert response.status_code == 302
        assert draft.status == GoalStatus.PUBLISHED
    else:
        assert response.status_code in (403, 404)
        assert _state() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_goals_shows_only_ones_own_published_goals(everyone, goals, persona):
    response = _client(everyone[persona]).get("/goals/mine/?month=2025-03")
    if persona == "sysadmin":
        assert response.status_code == 404
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert ("75,000" in page) == (persona == "rep")
    assert ("64,000" in page) == (persona == "other_team_rep")


def test_the_rep_confirms_and_disputes_from_my_goals(rep, manager, goals):
    client = _client(rep)
    page = client.get("/goals/mine/").content.decode()  # defaults to the month waiting for an answer
    assert "¥75,000" in page
    assert 'name="version" value="1"' in page
    other = published_goal(actor=manager, employee=rep.employee, code="new_customers", value="3")
    response = client.post(f"/goals/goals/{other.pk}/dispute/", {"version": 1, "comment": "新客户目标太高"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == GoalStatus.DISPUTED
    page = client.get("/goals/mine/?month=2025-03").content.decode()
    assert "新客户目标太高" in page
    grid = _client(manager).get(f"/goals/team/{rep.employee.org_unit_id}/?month=2025-03").content.decode()
    disputes = grid[grid.index('id="disputes-heading"') :]
    assert f"{rep.employee.name} · 2025-03 · 新客户开发数" in disputes  # the KPI's name, not its code


def test_a_confirmed_goal_changed_by_the_manager_asks_the_rep_again_in_their_inbox(rep, manager, goals):
    goal = goals["rep"]
    services.goal_confirm(actor=rep, goal=goal, version=1)
    services.goal_revise(actor=manager, goal=goal, value=Decimal(78000), reason="区域调整")
    notes = Notification.objects.filter(recipient=rep).order_by("pk")
    assert [note.kind for note in notes] == ["goal.published", "goal.revised"]
    assert "¥78,000" in notes.last().body
    goal.refresh_from_db()
    assert goal.status == GoalStatus.PUBLISHED
    draft = draft_goal(actor=manager, employee=rep.employee, code="new_customers", value="3")
    services.goal_revise(actor=manager, goal=draft, value=Decimal(4), reason="")
    assert notes.count() == 2  # a draft the rep has not seen is no news to them


def test_an_outdated_confirmation_from_the_page_is_refused_with_a_message(rep, manager, goals):
    goal = goals["rep"]
    services.goal_revise(actor=manager, goal=goal, value=Decimal(76000), reason="区域调整")
    response = _client(rep).post(f"/goals/goals/{goal.pk}/confirm/", {"version": 1}, follow=True)
    goal.refresh_from_db()
    assert goal.status == GoalStatus.PUBLISHED
    assert "您查看后此目标已有变更" in response.content.decode()


def test_the_grid_saves_typed_values_takes_suggestions_and_asks_for_justification(manager, rep, org):
    peers = team_members(org.team_east, 3, position=rep.employee.position)
    record_history(rep.employee, {MARCH - i: "70000" for i in range(1, 7)})
    client = _client(manager)
    url = f"/goals/team/{org.team_east.pk}/"
    page = client.get(url + "?month=2025-03&kpi=revenue").content.decode()
    assert "¥75,000" in page  # the suggestion for rep, from a 70,000 average
    values = {f"value_{p.pk}": "80000" for p in peers}
    response = client.post(
        url + "action/", {"action": "save", "month": "2025-03", "kpi": "revenue", **values}
    )
    assert response.status_code == 302
    assert Goal.objects.filter(employee__in=peers, value=80000, status=GoalStatus.DRAFT).count() == 3
    response = client.post(
        url + "action/",
        {"action": "save", "month": "2025-03", "kpi": "revenue", f"value_{rep.employee.pk}": "120000"},
    )
    assert response.status_code == 400
    assert "CN-C-01" in response.content.decode()
    assert not Goal.objects.filter(employee=rep.employee).exists()
    response = client.post(
        url + "action/",
        {"action": "accept", "month": "2025-03", "kpi": "revenue", "select": [rep.employee.pk]},
    )
    assert response.status_code == 302
    goal = Goal.objects.get(employee=rep.employee)
    assert goal.value == Decimal(75000)
    assert current(goal).basis == "suggestion"
    assert current(goal).suggestion["average"] == "70000.0000"


def test_the_manager_answers_a_dispute_on_the_goal_page(manager, rep, goals):
    goal = goals["rep"]
    services.goal_dispute(actor=rep, goal=goal, version=1, comment="太高")
    client = _client(manager)
    assert "答复异议" in client.get(f"/goals/goals/{goal.pk}/").content.decode()
    response = client.post(f"/goals/goals/{goal.pk}/answer/", {"comment": "调整为 72,000", "value": "72000"})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.status, goal.value, goal.version_count) == (GoalStatus.PUBLISHED, Decimal(72000), 2)


def test_the_record_page_shows_who_set_the_target_on_what_basis_and_the_confirmation(manager, rep, goals):
    goal = goals["rep"]
    services.goal_confirm(actor=rep, goal=goal, version=1, comment="同意")
    page = _client(manager).get(f"/goals/people/{rep.employee.pk}/2025-03/").content.decode()
    assert "¥75,000" in page
    assert "王经理" in page  # who set it
    assert "李明" in page  # who confirmed it
    assert "同意" in page
    assert AuditEvent.objects.filter(action="goal_record.view", subject_employee_id=rep.employee.pk).exists()


def test_a_template_is_created_and_given_by_filter(manager, org, rep):
    team_members(org.team_east, 4)
    client = _client(manager)
    response = client.post(
        "/goals/templates/", {"name": "华东标准", "kpi_revenue": "80000", "kpi_new_customers": "3"}
    )
    assert response.status_code == 302
    template = GoalTemplate.objects.get(name="华东标准")
    preview = client.get(
        f"/goals/templates/{template.pk}/preview/?org_unit={org.team_east.pk}&include_subunits=on"
    )
    assert "5" in preview.content.decode()
    response = client.post(
        f"/goals/templates/{template.pk}/assign/",
        {"org_unit": org.team_east.pk, "include_subunits": "on", "first": "2025-03", "last": "2025-04"},
    )
    assert response.status_code == 302
    assert Goal.objects.filter(employee__org_unit=org.team_east, status=GoalStatus.DRAFT).count() == 5 * 2 * 2


def test_a_plan_is_created_split_and_applied_from_the_pages(hrbp, org, rep, other_team_rep):
    team_members(org.team_east, 1)
    client = _client(hrbp)
    response = client.post(
        "/goals/plans/",
        {
            "year": 2025,
            "kpi": "revenue",
            "root_unit": org.sales.pk,
            "target": "3600000",
            "max_overallocation": "10",
        },
    )
    assert response.status_code == 302
    plan = TargetPlan.objects.get()
    client.post(f"/goals/plans/{plan.pk}/action/", {"action": "split"})
    page = client.get(f"/goals/plans/{plan.pk}/").content.decode()
    assert "李明" in page
    response = client.post(f"/goals/plans/{plan.pk}/action/", {"action": "apply"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == TargetPlan.Status.APPLIED
    assert Goal.objects.filter(kpi=kpi(), month__gte=MARCH).exists()


@pytest.fixture
def site(everyone, org, goals):
    manager, hrbp, rep = everyone["manager"], everyone["hrbp"], everyone["rep"]
    disputed = published_goal(actor=manager, employee=rep.employee, code="follow_ups", value="40")
    services.goal_dispute(actor=rep, goal=disputed, version=1, comment="太多")
    draft = draft_goal(actor=manager, employee=rep.employee, code="new_customers", value="3")
    template = services.template_create(actor=hrbp, name="标准", lines={"revenue": Decimal(80000)})
    plan = services.plan_create(
        actor=hrbp, year=2025, kpi=kpi(), root_unit=org.sales, target=Decimal(1200000)
    )
    return {
        "goal": goals["rep"],
        "disputed": disputed,
        "draft": draft,
        "template": template,
        "plan": plan,
        "rep": rep.employee.pk,
        "east": org.team_east.pk,
    }


def _everything():
    return (
        list(Goal.objects.order_by("pk").values_list("pk", "status", "value", "version_count")),
        GoalEvent.objects.count(),
        list(GoalTemplate.objects.values_list("pk", "name", "is_active")),
        list(TargetPlan.objects.values_list("pk", "status")),
        list(TargetPlan.objects.values_list("nodes__pk", "nodes__amount")),
    )


READERS = {"rep", "manager", "hrbp"}
SETTERS = {"manager", "hrbp"}
# name → (method, url, form data, personas allowed)
PAGES = {
    "team": ("get", lambda s: f"/goals/team/{s['east']}/?month=2025-03", None, SETTERS),
    "goal": ("get", lambda s: f"/goals/goals/{s['goal'].pk}/", None, READERS),
    "record": ("get", lambda s: f"/goals/people/{s['rep']}/2025-03/", None, READERS),
    "templates": ("get", lambda s: "/goals/templates/", None, SETTERS),
    "template": ("get", lambda s: f"/goals/templates/{s['template'].pk}/", None, SETTERS),
    "preview": (
        "get",
        lambda s: f"/goals/templates/{s['template'].pk}/preview/?org_unit={s['east']}",
        None,
        SETTERS,
    ),
    "plans": ("get", lambda s: "/goals/plans/", None, SETTERS),
    "plan": ("get", lambda s: f"/goals/plans/{s['plan'].pk}/", None, {"hrbp"}),
    "summary": ("get", lambda s: "/goals/summary/?month=2025-03", None, {*SETTERS, "executive"}),
    "confirm": ("post", lambda s: f"/goals/goals/{s['goal'].pk}/confirm/", lambda s: {"version": 1}, {"rep"}),
    "dispute": (
        "post",
        lambda s: f"/goals/goals/{s['goal'].pk}/dispute/",
        lambda s: {"version": 1, "comment": "不同意"},
        {"rep"},
    ),
    "confirm_all": (
        "post",
        lambda s: "/goals/mine/confirm/",
        lambda s: {"month": "2025-03", f"goal_{s['goal'].pk}": 1},
        {"rep"},
    ),
    "revise": (
        "post",
        lambda s: f"/goals/goals/{s['goal'].pk}/revise/",
        lambda s: {"value": "76000", "reason": "调整", "version": 1},
        SETTERS,
    ),
    "answer": (
        "post",
        lambda s: f"/goals/goals/{s['disputed'].pk}/answer/",
        lambda s: {"comment": "解释", "value": "35"},
        SETTERS,
    ),
    "publish": ("post", lambda s: f"/goals/goals/{s['draft'].pk}/publish/", lambda s: {}, SETTERS),
    "grid_save": (
        "post",
        lambda s: f"/goals/team/{s['east']}/action/",
        lambda s: {"action": "save", "month": "2025-04", "kpi": "revenue", f"value_{s['rep']}": "80000"},
        SETTERS,
    ),
    "template_create": (
        "post",
        lambda s: "/goals/templates/",
        lambda s: {"name": "新", "kpi_revenue": "1"},
        SETTERS,
    ),
    "template_update": (
        "post",
        lambda s: f"/goals/templates/{s['template'].pk}/",
        lambda s: {"name": "改", "kpi_revenue": "2", "is_active": "on"},
        SETTERS,
    ),
    "template_assign": (
        "post",
        lambda s: f"/goals/templates/{s['template'].pk}/assign/",
        lambda s: {"org_unit": s["east"], "include_subunits": "on", "first": "2025-06", "last": "2025-06"},
        SETTERS,
    ),
    "plan_create": (
        "post",
        lambda s: "/goals/plans/",
        lambda s: {
            "year": 2026,
            "kpi": "revenue",
            "root_unit": s["east"],
            "target": "1",
            "max_overallocation": "10",
        },
        SETTERS,
    ),
    "plan_split": (
        "post",
        lambda s: f"/goals/plans/{s['plan'].pk}/action/",
        lambda s: {"action": "split"},
        {"hrbp"},
    ),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("entry", PAGES)
def test_every_page_and_action_admits_only_its_personas_and_the_others_see_and_change_nothing(
    everyone, site, entry, persona
):
    method, url, data, allowed = PAGES[entry]
    before = _everything()
    client = _client(everyone[persona])
    response = client.get(url(site)) if method == "get" else client.post(url(site), data(site))
    if persona in allowed:
        assert response.status_code in (200, 302), (entry, response.status_code)
        return
    assert response.status_code in (403, 404), (entry, response.status_code)
    body = response.content.decode()
    assert "75,000" not in body
    assert 'data-employee="' not in body
    assert _everything() == before


def test_the_month_picker_of_the_record_moves_to_the_other_months_address(manager, rep, goals):
    client = _client(manager)
    url = f"/goals/people/{rep.employee.pk}/2025-03/"
    response = client.get(url + "?month=2025-04")
    assert response.status_code == 302
    assert response["Location"] == f"/goals/people/{rep.employee.pk}/2025-04/"
    swapped = client.get(url + "?month=2025-04", headers={"HX-Request": "true"})
    assert swapped["HX-Redirect"] == f"/goals/people/{rep.employee.pk}/2025-04/"
