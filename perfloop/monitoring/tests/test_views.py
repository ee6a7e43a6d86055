"""The dashboard pages: who sees what, what is logged, how numbers read, and what stays constant.

Personas come from the root conftest: `manager` heads Team East (rep, mentor), `other_manager` heads
Team South (other_team_rep); `hrbp` covers Sales, `executive` the company (aggregates only).
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from perfloop.audit.models import AuditEvent
from perfloop.metrics.models import Kpi
from perfloop.metrics.tests.factories import FIRST, LAST, record_performance
from perfloop.org.models import Employee

MONTH = f"?month={LAST}"


@pytest.fixture
def performance(everyone):
    """Six months: rep at 60% (a six-month streak), mentor at 110%, other_team_rep at 90%."""
    record_performance(
        {
            everyone["rep"].employee: Decimal("0.6"),
            everyone["mentor"].employee: Decimal("1.1"),
            everyone["other_team_rep"].employee: Decimal("0.9"),
        },
        skip=[(everyone["mentor"].employee, LAST, "feedback_score")],
    )
    return everyone


def team_url(unit, month: str = MONTH) -> str:
    return reverse("monitoring:team_dashboard", kwargs={"unit_id": unit.pk}) + month


def person_url(user, month: str = MONTH) -> str:
    return reverse("monitoring:person", kwargs={"employee_id": user.employee.pk}) + month


# ---------------------------------------------------------------- home


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("rep", "own_page"),
        ("mentor", "own_page"),
        ("manager", "team_east"),
        ("hrbp", "org"),
        ("executive", "org"),
        ("legal", "welcome"),
        ("recruiter", "welcome"),
        ("sysadmin", "welcome"),
    ],
)
def test_home_sends_each_role_to_its_start_page(client, org, performance, persona, expected):
    user = performance[persona]
    client.force_login(user)
    response = client.get(reverse("home"))
    if expected == "welcome":
        assert response.status_code == 200
        assert "欢迎使用 perfloop 绩效闭环" in response.content.decode()
        return
    assert response.status_code == 302
    if expected == "own_page":
        assert response.url == reverse("monitoring:person", kwargs={"employee_id": user.employee.pk})
    elif expected == "team_east":
        assert response.url == reverse("monitoring:team_dashboard", kwargs={"unit_id": org.team_east.pk})
    else:
        assert response.url == reverse("monitoring:org_overview")


def test_anonymous_visitors_are_sent_to_sign_in(client, org):
    for url in (reverse("home"), team_url(org.team_east), reverse("monitoring:org_overview")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:sign_in"))


def test_sysadmin_welcome_page_shows_no_performance_data(client, performance):
    client.force_login(performance["sysadmin"])
    page = client.get(reverse("home")).content.decode()
    assert "不包含任何人的绩效数据" in page
    assert "李明" not in page
    assert 'href="/dashboards/' not in page


# ---------------------------------------------------------------- authorization matrices


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("rep", False),
        ("other_team_rep", False),
        ("manager", True),
        ("mentor", False),
        ("hrbp", True),
        ("legal", False),
        ("recruiter", False),
        ("executive", True),
        ("sysadmin", False),
    ],
)
def test_team_dashboard_is_open_to_those_covering_the_team_only(client, org, performance, persona, allowed):
    client.force_login(performance[persona])
    events_before = AuditEvent.objects.count()
    response = client.get(team_url(org.team_east))
    assert response.status_code == (200 if allowed else 404)
    if not allowed:
        page = response.content.decode()
        assert "华东组" not in page
        own_name = getattr(getattr(performance[persona], "employee", None), "name", None)
        for name in {"李明", "张导师", "王经理"} - {own_name}:
            assert name not in page
        assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("rep", True),
        ("other_team_rep", False),
        ("manager", True),
        ("mentor", False),
        ("hrbp", True),
        ("legal", False),
        ("recruiter", False),
        ("executive", False),
        ("sysadmin", False),
    ],
)
def test_person_page_is_open_to_the_person_their_manager_and_hr_only(client, performance, persona, allowed):
    client.force_login(performance[persona])
    events_before = AuditEvent.objects.count()
    response = client.get(person_url(performance["rep"]))
    assert response.status_code == (200 if allowed else 404)
    if not allowed:
        assert "李明" not in response.content.decode()
        assert AuditEvent.objects.count() == events_before


def test_rep_cannot_open_another_reps_page(client, performance):
    client.force_login(performance["rep"])
    assert client.get(person_url(performance["mentor"])).status_code == 404
    assert client.get(person_url(performance["other_team_rep"])).status_code == 404


def test_manager_cannot_open_another_team_or_its_people(client, org, performance):
    client.force_login(performance["manager"])
    assert client.get(team_url(org.team_south)).status_code == 404
    assert client.get(person_url(performance["other_team_rep"])).status_code == 404


def test_missing_and_forbidden_look_the_same(client, org, performance):
    client.force_login(performance["manager"])
    forbidden = client.get(team_url(org.team_south))
    missing = client.get(reverse("monitoring:team_dashboard", kwargs={"unit_id": 999_999}))
    assert forbidden.status_code == missing.status_code == 404
    assert "页面不存在" in forbidden.content.decode()

    def main(response):
        page = response.content.decode()
        return page[page.index("<main") : page.index("</main>")]

    assert main(forbidden) == main(missing)


def test_org_overview_is_closed_to_roles_without_aggregate_scope(client, performance):
    for persona in ("rep", "mentor", "legal", "recruiter", "sysadmin"):
        client.force_login(performance[persona])
        assert client.get(reverse("monitoring:org_overview")).status_code == 404, persona


# ---------------------------------------------------------------- team dashboard content


def test_manager_sees_tiles_trend_heat_map_and_people(client, org, performance):
    client.force_login(performance["manager"])
    page = client.get(team_url(org.team_east)).content.decode()
    assert "华东组" in page
    assert "月度销售额" in page  # KPI tile in the viewer's language
    assert "¥80,000" in page  # money with thousands separators, no decimals
    assert 'id="team-trend-data"' in page
    assert 'data-chart="heat-map"' in page
    assert 'id="heat-map-data"' in page
    assert "李明" in page
    assert "张导师" in page
    assert "陈静" not in page  # Team South
    assert person_url(performance["rep"]) in page


def test_six_months_below_target_shows_a_red_streak_badge(client, org, performance):
    client.force_login(performance["manager"])
    page = client.get(team_url(org.team_east)).content.decode()
    assert '<span class="badge badge--alert">连续6个月未达标</span>' in page


def test_three_months_below_target_shows_a_warning_badge(client, org, performance):
    client.force_login(performance["manager"])
    page = client.get(team_url(org.team_east, f"?month={FIRST + 2}")).content.decode()
    assert '<span class="badge badge--warning">连续3个月未达标</span>' in page


def test_executive_sees_no_figures_of_a_team_too_small_to_hide_its_people(client, org, performance):
    client.force_login(performance["executive"])
    response = client.get(team_url(org.team_east))
    page = response.content.decode()
    # Team East has two scored people: its completion, averages and trend are their own results.
    assert response.context["completion"] is None
    assert response.context["tiles"] == []
    assert 'id="team-trend-data"' not in page
    assert 'data-hidden="small-group"' in page
    assert client.get(f"/dashboards/teams/{org.team_east.pk}/export.xlsx").status_code == 403
    for name in ("李明", "张导师", "王经理"):
        assert name not in page


def test_executive_sees_team_aggregates_but_no_names(client, org, performance):
    from perfloop.org.tests.factories import EmployeeFactory

    colleagues = [  # with the rep and the mentor, five scored people in Team East: enough to show aggregates
        EmployeeFactory(
            org_unit=org.team_east, name=f"同事{index}", position=performance["rep"].employee.position
        )
        for index in range(3)
    ]
    record_performance({colleague: Decimal(1) for colleague in colleagues})
    client.force_login(performance["executive"])
    page = client.get(team_url(org.team_east)).content.decode()
    assert "团队完成率" in page
    assert 'id="team-trend-data"' in page
    assert "heat-map" not in page
    for name in ("李明", "张导师", "王经理"):
        assert name not in page
    assert "/dashboards/people/" not in page
    assert not AuditEvent.objects.filter(action="team_dashboard.view").exists()


def test_team_dashboard_logs_every_person_shown(client, org, performance):
    client.force_login(performance["manager"])
    client.get(team_url(org.team_east))
    logged = set(
        AuditEvent.objects.filter(action="team_dashboard.view", actor=performance["manager"]).values_list(
            "subject_employee_id", flat=True
        )
    )
    assert logged == {performance["rep"].employee.pk, performance["mentor"].employee.pk}


def test_heat_map_keeps_missing_months_apart_from_zero(client, org, performance):
    client.force_login(performance["manager"])
    response = client.get(team_url(org.team_east, "?month=2025-08"))
    heat = response.context["heat_chart"]
    # Months 2025-07 and 2025-08 have no scorecards: they are "missing" cells, never value cells.
    late_columns = {len(heat["months"]) - 2, len(heat["months"]) - 1}
    assert all(cell[0] not in late_columns for cell in heat["cells"])
    assert {cell[0] for cell in heat["missing"]} >= late_columns
    assert all(cell[2] != "0.0" for cell in heat["cells"])


def test_team_dashboard_query_count_does_not_grow_with_team_size(
    client, org, performance, django_assert_max_num_queries
):
    from perfloop.org.tests.factories import EmployeeFactory

    client.force_login(performance["manager"])
    url = team_url(org.team_east)
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    newcomers = {cast(Employee, EmployeeFactory(org_unit=org.team_east)): Decimal("0.8") for _ in range(15)}
    record_performance(newcomers)
    # A short list's first page needs no count; once "needs attention" runs to a second page it does.
    with django_assert_max_num_queries(len(small.captured_queries) + 1):
        response = client.get(url)
    assert len(response.context["people"]) == 17
    assert response.context["attention_pager"].is_needed


# ---------------------------------------------------------------- person page content


def test_person_page_shows_each_kpi_against_target_and_team_average(client, performance):
    client.force_login(performance["manager"])
    response = client.get(person_url(performance["rep"]))
    page = response.content.decode()
    assert "李明" in page
    assert performance["rep"].employee.employee_number in page
    assert "华东组" in page
    assert "¥48,000" in page  # 60% of ¥80,000
    assert "60.0%" in page
    assert "连续6个月未达标" in page
    assert 'id="person-trend-data"' in page
    assert 'id="kpi-bars-data"' in page
    names = [line.name for line in response.context["lines"]]
    assert names[0] == "月度销售额"
    assert len(names) == Kpi.objects.count()


def test_person_page_writes_an_audit_view_event(client, performance):
    manager, rep = performance["manager"], performance["rep"]
    client.force_login(manager)
    client.get(person_url(rep))
    event = AuditEvent.objects.get(action="person_page.view")
    assert event.kind == AuditEvent.Kind.VIEW
    assert event.actor == manager
    assert event.subject_employee_id == rep.employee.pk
    assert event.details == {"month": str(LAST)}


def test_missing_value_reads_as_dash_with_a_no_data_tooltip(client, performance):
    client.force_login(performance["mentor"])
    response = client.get(person_url(performance["mentor"]))
    feedback = next(line for line in response.context["lines"] if line.name == "客户反馈评分")
    assert feedback.actual is None
    assert feedback.attainment is None
    assert '<span class="missing" title="无数据" aria-label="无数据">—</span>' in response.content.decode()


def test_team_link_shows_only_to_those_who_may_open_the_team(client, performance):
    client.force_login(performance["rep"])
    assert client.get(person_url(performance["rep"])).context["team_url"] is None
    client.force_login(performance["manager"])
    assert client.get(person_url(performance["rep"])).context["team_url"].startswith("/dashboards/teams/")


def test_month_defaults_to_the_newest_scorecard(client, performance):
    client.force_login(performance["rep"])
    response = client.get(person_url(performance["rep"], month=""))
    assert response.context["nav"].month == LAST
    assert response.context["nav"].next is None


def test_malformed_month_falls_back_with_a_warning(client, org, performance):
    client.force_login(performance["manager"])
    response = client.get(team_url(org.team_east, "?month=June"))
    assert response.status_code == 200
    assert response.context["nav"].month == LAST
    assert "不是有效月份" in response.content.decode()


# ---------------------------------------------------------------- organisation overview


def test_hrbp_overview_rolls_teams_up_into_their_parent(client, org, performance):
    client.force_login(performance["hrbp"])
    response = client.get(reverse("monitoring:org_overview") + MONTH)
    assert response.context["root"] == org.sales
    rows = {row.unit.code: row for row in response.context["rows"]}
    assert set(rows) == {"EAST", "SOUTH"}
    total = response.context["figures"]
    assert total.members == rows["EAST"].figures.members + rows["SOUTH"].figures.members
    assert rows["EAST"].completion is not None
    page = response.content.decode()
    assert "李明" not in page


def test_department_dashboard_sums_its_teams(client, org, performance):
    client.force_login(performance["hrbp"])
    department = client.get(team_url(org.sales)).context
    east = client.get(team_url(org.team_east)).context
    south = client.get(team_url(org.team_south)).context
    assert department["figures"].members == east["figures"].members + south["figures"].members
    assert department["completion"] is not None
    assert all(value is not None for value in department["trend_chart"]["values"][-6:])
    assert {person.name for person in department["people"]} == {"李明", "张导师", "陈静"}


def test_manager_overview_lists_only_their_team(client, org, performance):
    client.force_login(performance["manager"])
    response = client.get(reverse("monitoring:org_overview") + MONTH)
    assert [row.unit.code for row in response.context["rows"]] == ["EAST"]


# ---------------------------------------------------------------- htmx, language, sign-in, errors


def test_htmx_month_switch_renders_only_the_content_partial(client, org, performance):
    client.force_login(performance["manager"])
    response = client.get(team_url(org.team_east), headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="content"')
    assert "<html" not in page
    assert "HX-Request" in response["Vary"]


def test_pages_are_chinese_by_default_and_english_after_the_switch(client, org, performance):
    client.force_login(performance["manager"])
    url = team_url(org.team_east)
    assert "团队看板" in client.get(url).content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    assert response.url == url
    page = client.get(url).content.decode()
    assert '<html lang="en">' in page
    assert "Team dashboard" in page
    assert "Monthly revenue" in page  # KPI catalogue name in the viewer's language
    assert "Team East" in page  # the unit's English name
    assert "Sign out" in page


def test_sign_in_page_signs_in_and_goes_home(client, performance):
    page = client.get(reverse("accounts:sign_in")).content.decode()
    assert "登录" in page
    assert 'name="username"' in page
    response = client.post(
        reverse("accounts:sign_in"), {"username": "rep", "password": "correct-horse-battery"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(
        "monitoring:person", kwargs={"employee_id": performance["rep"].employee.pk}
    )


def test_sign_in_with_a_wrong_password_shows_the_error(client, performance):
    response = client.post(reverse("accounts:sign_in"), {"username": "rep", "password": "wrong"})
    assert response.status_code == 200
    assert 'class="message message--error"' in response.content.decode()


def test_layout_has_no_inline_scripts_or_styles(client, org, performance):
    client.force_login(performance["manager"])
    for url in (team_url(org.team_east), person_url(performance["rep"]), reverse("monitoring:org_overview")):
        page = client.get(url).content.decode()
        assert " style=" not in page
        assert "<style" not in page
        for chunk in page.split("<script")[1:]:
            tag = chunk.split(">", 1)[0]
            assert 'src="' in tag or 'type="application/json"' in tag, tag


def test_navigation_and_sign_out_follow_the_role(client, performance):
    client.force_login(performance["hrbp"])
    page = client.get(reverse("monitoring:org_overview")).content.decode()
    assert "组织概览" in page
    assert "我的团队" not in page
    assert reverse("accounts:sign_out") in page
    client.force_login(performance["rep"])
    page = client.get(person_url(performance["rep"])).content.decode()
    assert "我的绩效" in page
    assert "组织概览" not in page


def test_old_metrics_addresses_redirect_permanently_with_their_month(client, org, performance):
    client.force_login(performance["manager"])
    for old, new in (
        (f"/metrics/teams/{org.team_east.pk}/{MONTH}", team_url(org.team_east)),
        (f"/metrics/people/{performance['rep'].employee.pk}/{MONTH}", person_url(performance["rep"])),
        ("/metrics/org/", reverse("monitoring:org_overview")),
    ):
        response = client.get(old)
        assert response.status_code == 301
        assert response.url == new
