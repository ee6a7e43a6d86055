"""The dashboards' promises: who sees and changes what, fixed query counts at any size, paginated lists,
safe XLSX exports, the needs-attention list, acknowledging alerts, and counts that never name a person.

Personas come from the root conftest: `manager` heads Team East (rep, mentor), `other_manager` heads
Team South (other_team_rep); `hrbp` covers Sales, `executive` the company (aggregates only).
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from typing import cast

import fastexcel
import pytest
from django.urls import reverse

from perfloop.accounts.selectors import employee_scope_for
from perfloop.audit.models import AuditEvent
from perfloop.core.months import Month
from perfloop.metrics.models import Scorecard
from perfloop.metrics.tests.factories import FIRST, LAST, record_performance
from perfloop.monitoring.dashboards import dashboard_scope_for, streak_runs_for
from perfloop.monitoring.models import Alert, AlertState
from perfloop.monitoring.tests.dashboard_data import alert_on, organisation_of, people_with_history
from perfloop.monitoring.views import MIN_GROUP_SIZE, PEOPLE_PER_PAGE
from perfloop.org.models import Employee
from perfloop.org.tests.factories import EmployeeFactory, OrgUnitFactory

MONTH = f"?month={LAST}"
NAMES = ("李明", "张导师", "王经理", "陈静")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def dashboards(everyone, org):
    """Six months: rep at 60% (six months below target, two alerts), mentor at 110%, other_team_rep 90%."""
    record_performance(
        {
            everyone["rep"].employee: Decimal("0.6"),
            everyone["mentor"].employee: Decimal("1.1"),
            everyone["other_team_rep"].employee: Decimal("0.9"),
        }
    )
    rep = everyone["rep"].employee
    everyone["warning"] = alert_on(rep, month=FIRST + 2, code="below_target_3")
    everyone["long_term"] = alert_on(rep, month=LAST, code="below_target_6")
    everyone["south_alert"] = alert_on(everyone["other_team_rep"].employee, month=LAST)
    return everyone


@pytest.fixture
def english(client, settings):
    """Exports read in English here, so the tests do not wait for the Chinese of new words."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def sheets_of(response) -> dict[str, list[list]]:
    """The workbook's sheets as rows (header first), read back with fastexcel."""
    assert response["Content-Type"] == XLSX
    workbook = fastexcel.read_excel(response.content)
    frames = {name: workbook.load_sheet(name).to_polars() for name in workbook.sheet_names}
    return {name: [frame.columns, *(list(row) for row in frame.rows())] for name, frame in frames.items()}


def workbook_text(response) -> str:
    """All text of the workbook (shared strings and sheets), to prove a name is or is not in it."""
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return "".join(archive.read(name).decode() for name in archive.namelist() if name.endswith(".xml"))


def org_url(query: str = MONTH) -> str:
    return reverse("monitoring:org_overview") + query


def team_url(unit, query: str = MONTH) -> str:
    return reverse("monitoring:team_dashboard", kwargs={"unit_id": unit.pk}) + query


def person_url(employee, query: str = MONTH) -> str:
    return reverse("monitoring:person", kwargs={"employee_id": employee.pk}) + query


def ack_url(alert) -> str:
    return reverse("monitoring:alert_acknowledge", kwargs={"alert_id": alert.pk})


# ---------------------------------------------------------------- permissions, per persona


PAGES = {
    # page: (url for the fixture, personas allowed)
    "org": (lambda d, org: org_url(), {"manager", "hrbp", "executive"}),
    "org_export": (
        lambda d, org: reverse("monitoring:org_export") + MONTH,
        {"manager", "hrbp", "executive"},
    ),
    "team": (lambda d, org: team_url(org.team_east), {"manager", "hrbp", "executive"}),
    "team_export": (
        lambda d, org: reverse("monitoring:team_export", kwargs={"unit_id": org.team_east.pk}) + MONTH,
        {"manager", "hrbp", "executive"},
    ),
    "person": (lambda d, org: person_url(d["rep"].employee), {"rep", "manager", "hrbp"}),
    "person_export": (
        lambda d, org: (
            reverse("monitoring:person_export", kwargs={"employee_id": d["rep"].employee.pk}) + MONTH
        ),
        {"rep", "manager", "hrbp"},
    ),
}
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


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page_name", sorted(PAGES))
def test_every_page_and_export_is_open_to_its_personas_only(client, org, dashboards, page_name, persona):
    url_for, allowed = PAGES[page_name]
    user = dashboards[persona]
    client.force_login(user)
    events = AuditEvent.objects.count()
    response = client.get(url_for(dashboards, org))
    if persona not in allowed:
        assert response.status_code == 404
        body = response.content.decode()
        own = getattr(getattr(user, "employee", None), "name", None)
        for name in set(NAMES) - {own}:
            assert name not in body
        assert "华东组" not in body
        assert AuditEvent.objects.count() == events
        return
    if persona == "executive" and page_name == "team_export":
        # Team East has too few scored people for an aggregate-only viewer: its figures are theirs.
        assert response.status_code == 403
        return
    assert response.status_code == 200
    text = workbook_text(response) if page_name.endswith("export") else response.content.decode()
    if persona == "executive":
        # Aggregates only: no name, no link to a person, nothing logged as a view of someone.
        for name in NAMES:
            assert name not in text
        assert "/dashboards/people/" not in text
        assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("persona", [*PERSONAS, "other_manager", "company_hr", "inactive_manager"])
def test_the_dashboards_person_scope_is_exactly_the_employee_scope(dashboards, org, persona):
    if persona == "company_hr":
        dashboards["hrbp"].scope_unit = None  # HR of the whole organisation
    if persona == "inactive_manager":
        dashboards["manager"].is_active = False
    viewer = dashboards[{"company_hr": "hrbp", "inactive_manager": "manager"}.get(persona, persona)]
    EmployeeFactory(org_unit=org.hr_unit)  # someone nobody but company-wide HR covers
    ours = set(Employee.objects.filter(dashboard_scope_for(viewer=viewer).people(prefix="")))
    assert ours == set(employee_scope_for(viewer=viewer))


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_manager_and_hr_acknowledge_an_alert(client, dashboards, persona):
    alert = dashboards["long_term"]
    client.force_login(dashboards[persona])
    events = AuditEvent.objects.count()
    response = client.post(ack_url(alert))
    alert.refresh_from_db()
    if persona in {"manager", "hrbp"}:
        assert response.status_code == 302
        assert alert.state == AlertState.ACKNOWLEDGED
        assert alert.acknowledged_by == dashboards[persona]
        assert AuditEvent.objects.filter(action="alert.acknowledge", target_id=str(alert.pk)).exists()
        return
    # The rep sees their own alert but may not close it; everyone else cannot even see it.
    assert response.status_code == (403 if persona == "rep" else 404)
    assert alert.state == AlertState.OPEN
    assert alert.acknowledged_by is None
    assert AuditEvent.objects.count() == events


def test_a_manager_cannot_acknowledge_another_teams_alert(client, dashboards):
    client.force_login(dashboards["manager"])
    assert client.post(ack_url(dashboards["south_alert"])).status_code == 404
    dashboards["south_alert"].refresh_from_db()
    assert dashboards["south_alert"].state == AlertState.OPEN


def test_acknowledging_is_a_post(client, dashboards):
    client.force_login(dashboards["manager"])
    assert client.get(ack_url(dashboards["long_term"])).status_code == 405


def test_htmx_acknowledge_swaps_the_row_and_the_button_is_gone(client, org, dashboards):
    alert = dashboards["long_term"]
    client.force_login(dashboards["manager"])
    page = client.get(team_url(org.team_east)).content.decode()
    assert f'hx-post="{ack_url(alert)}"' in page
    response = client.post(ack_url(alert), headers={"HX-Request": "true"})
    assert response.status_code == 200
    row = response.content.decode()
    assert row.lstrip().startswith(f'<li class="alertrow" id="alert-{alert.pk}"')
    assert "alertrow__state--acknowledged" in row
    assert f'hx-post="{ack_url(alert)}"' not in row
    # A second click (another tab) is refused by the state machine and says so, changing nothing.
    again = client.post(ack_url(alert), follow=True)
    assert again.status_code == 200
    assert Alert.objects.get(pk=alert.pk).state == AlertState.ACKNOWLEDGED


def test_acknowledge_returns_to_the_page_it_came_from_but_never_off_site(client, org, dashboards):
    client.force_login(dashboards["manager"])
    back = team_url(org.team_east)
    assert client.post(ack_url(dashboards["warning"]), {"next": back}).url == back
    response = client.post(ack_url(dashboards["long_term"]), {"next": "https://evil.example/"})
    assert response.url == reverse("monitoring:team_dashboard", kwargs={"unit_id": org.team_east.pk})


def resolve_url(alert: Alert) -> str:
    return reverse("monitoring:alert_resolve", kwargs={"alert_id": alert.pk})


@pytest.mark.parametrize("persona", ["manager", "hrbp", "rep", "other_manager", "executive"])
def test_the_manager_and_hr_resolve_an_alert_by_hand_with_a_note_of_what_was_done(
    client, dashboards, persona
):
    alert = dashboards["long_term"]
    client.force_login(dashboards[persona])
    response = client.post(resolve_url(alert), {"note": "改进计划已启动 / improvement plan started"})
    alert.refresh_from_db()
    if persona in {"manager", "hrbp"}:
        assert response.status_code == 302
        assert (alert.state, alert.resolution, alert.resolved_by) == (
            "resolved",
            "handled",
            dashboards[persona],
        )
        assert alert.resolution_note == "改进计划已启动 / improvement plan started"
        event = AuditEvent.objects.get(action="alert.resolve", target_id=str(alert.pk))
        assert event.details["note"] == alert.resolution_note
        return
    assert response.status_code == (403 if persona == "rep" else 404)
    assert alert.state == AlertState.OPEN


def test_an_alert_is_not_resolved_without_a_note(client, dashboards):
    alert = dashboards["long_term"]
    client.force_login(dashboards["manager"])
    page = client.post(resolve_url(alert), {"note": "   "}, follow=True).content.decode()
    assert "请先说明采取了什么措施，再解除预警。" in page
    assert client.post(resolve_url(alert), {"note": "x" * 501}).status_code == 302
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN
    assert not AuditEvent.objects.filter(action="alert.resolve").exists()


def test_htmx_resolve_swaps_the_row_which_then_shows_the_resolution_and_its_note(client, org, dashboards):
    alert = dashboards["warning"]
    client.force_login(dashboards["manager"])
    page = client.get(team_url(org.team_east)).content.decode()
    assert f'hx-post="{resolve_url(alert)}"' in page
    row = client.post(resolve_url(alert), {"note": "数据错误，已更正"}, headers={"HX-Request": "true"})
    assert row.status_code == 200
    text = row.content.decode()
    assert text.lstrip().startswith(f'<li class="alertrow" id="alert-{alert.pk}"')
    assert "已人工处理" in text  # handled by a person
    assert "数据错误，已更正" in text
    assert "hx-post" not in text
    assert client.get(resolve_url(alert)).status_code == 405


# ---------------------------------------------------------------- team dashboard content


def test_team_dashboard_lists_who_needs_attention_and_the_open_alerts(client, org, dashboards):
    client.force_login(dashboards["manager"])
    response = client.get(team_url(org.team_east))
    attention = response.context["attention"]
    assert [person["name"] for person in attention] == ["李明"]
    assert attention[0]["streak"] == 6
    assert attention[0]["active_alerts"] == 2
    alerts = response.context["alerts"]
    assert [row.rule_name for row in alerts] == ["连续6个月未完成目标（长期未达标）", "连续3个月未完成目标"]
    assert all(row.can_acknowledge for row in alerts)
    page = response.content.decode()
    assert "陈静" not in page  # Team South's alert stays with Team South


def test_team_dashboard_ranks_people_by_this_months_composite(client, org, dashboards):
    client.force_login(dashboards["manager"])
    people = client.get(team_url(org.team_east)).context["people"]
    assert [(p.rank, p.name) for p in people] == [(1, "张导师"), (2, "李明")]
    assert people[1].streak_level == "alert"
    # Someone without a scorecard this month (left, joined later, no target) keeps their past cells in the
    # heat map but takes no rank.
    Scorecard.objects.filter(employee=dashboards["mentor"].employee, month=LAST).delete()
    people = client.get(team_url(org.team_east)).context["people"]
    assert [(p.rank, p.name) for p in people] == [(1, "李明"), (None, "张导师")]
    assert "—</span>" in client.get(team_url(org.team_east)).content.decode()


def test_met_target_says_what_counts_as_met(client, org, dashboards):
    from perfloop.metrics.services import scoring_policy_update

    scoring_policy_update(actor=None, met_threshold=Decimal("0.7"), attainment_cap=Decimal("1.5"))
    client.force_login(dashboards["hrbp"])
    assert "≥ 70.0%" in client.get(team_url(org.sales)).content.decode()
    assert "≥ 70.0%" in client.get(org_url()).content.decode()


def test_the_distribution_counts_people_per_band(client, org, dashboards):
    client.force_login(dashboards["hrbp"])
    response = client.get(team_url(org.sales))
    bands = {band["band"]: band["value"] for band in response.context["distribution_chart"]["bands"]}
    assert bands == {"low": 1, "below": 0, "near": 1, "met": 1}
    # the rep at 60% and other_team_rep at 90%: both below target all six months
    assert response.context["counts"].streak_warning == 2
    assert response.context["counts"].streak_alert == 2


def test_executive_counts_of_small_teams_are_hidden(client, org, dashboards):
    """Three people in Team East: "1 below target six months" would point at one of them."""
    client.force_login(dashboards["executive"])
    response = client.get(team_url(org.team_east))
    assert response.context["counts"].is_hidden
    assert 'data-chart="distribution"' not in response.content.decode()
    rows = client.get(org_url(f"?unit={org.sales.pk}&month={LAST}")).context["rows"]
    assert all(row.people.is_hidden for row in rows)


def test_executive_sees_counts_of_teams_large_enough(client, org, dashboards):
    north = OrgUnitFactory(parent=org.sales)
    first, *_others = people_with_history(north, [Decimal("0.6")] * MIN_GROUP_SIZE, last=LAST)
    alert_on(first, month=LAST)
    client.force_login(dashboards["executive"])
    response = client.get(org_url(f"?unit={org.sales.pk}&month={LAST}"))
    rows = {row.unit: row for row in response.context["rows"]}
    counts = rows[north].people
    assert not counts.is_hidden
    assert counts.streak_alert == MIN_GROUP_SIZE  # twelve months at 60%
    assert counts.alerts == 1
    assert rows[org.team_south].people.is_hidden


def test_ranking_heat_map_and_audit_follow_the_page(client, org, manager, rep):
    people_with_history(org.team_east, [Decimal("0.5") + Decimal(i) / 100 for i in range(60)], last=LAST)
    client.force_login(manager)
    first = client.get(team_url(org.team_east)).context
    assert len(first["people"]) == PEOPLE_PER_PAGE
    assert len(first["heat_chart"]["people"]) == PEOPLE_PER_PAGE
    assert first["people"][0].rank == 1
    assert first["people"][0].composite == "109.0%"  # best first
    assert first["people_pager"].next_url.endswith(f"month={LAST}&people=2")
    last = client.get(team_url(org.team_east, f"{MONTH}&people=3")).context
    assert [p.rank for p in last["people"]] == list(range(51, 61))
    assert last["people_pager"].next_url is None
    # Each view logs the people it shows: the ranking's page and the needs-attention page (the ten
    # longest streaks, 50–59%), which on the third page of the ranking are the same ten people.
    logged = AuditEvent.objects.filter(action="team_dashboard.view", actor=manager)
    assert logged.count() == (PEOPLE_PER_PAGE + 10) + 10
    # the needs-attention list pages on its own parameter
    assert len(first["attention"]) == 10
    assert first["attention_pager"].page.paginator.count == 50


def test_alerts_are_paginated_ten_at_a_time(client, org, manager, rep):
    people = people_with_history(org.team_east, [Decimal("0.6")] * 12, last=LAST)
    for person in people:
        alert_on(person, month=LAST)
    client.force_login(manager)
    first = client.get(team_url(org.team_east)).context
    assert len(first["alerts"]) == 10
    assert first["alerts_pager"].page.paginator.count == 12
    second = client.get(first["alerts_pager"].next_url).context
    assert len(second["alerts"]) == 2
    assert second["alerts_pager"].next_url is None
    assert {row.alert.pk for row in first["alerts"]}.isdisjoint({row.alert.pk for row in second["alerts"]})


def test_a_new_month_starts_every_list_on_its_first_page(client, org, dashboards):
    client.force_login(dashboards["manager"])
    nav = client.get(team_url(org.team_east, f"{MONTH}&people=2&alerts=3")).context["nav"]
    assert nav.previous_url == f"/dashboards/teams/{org.team_east.pk}/?month={LAST - 1}"


# ---------------------------------------------------------------- organisation


def test_org_drills_down_from_the_company_to_a_department_to_its_teams(client, org, dashboards):
    client.force_login(dashboards["executive"])
    top = client.get(org_url()).context
    assert top["root"] == org.company
    assert [row.unit for row in top["rows"]] == [org.sales, org.hr_unit]
    sales_row = top["rows"][0]
    assert sales_row.has_children
    down = client.get(org_url(f"?unit={org.sales.pk}&month={LAST}"))
    assert [row.unit for row in down.context["rows"]] == [org.team_east, org.team_south]
    assert [unit for unit, _name in down.context["ancestors"]] == [org.company]
    page = down.content.decode()
    assert f'href="/dashboards/teams/{org.team_east.pk}/?month={LAST}"' in page


def test_a_manager_heading_two_teams_sees_both_side_by_side(client, org, dashboards):
    org.team_south.head = dashboards["manager"].employee
    org.team_south.save()
    client.force_login(dashboards["manager"])
    context = client.get(org_url()).context
    assert context["root"] is None
    assert [row.unit for row in context["rows"]] == [org.team_east, org.team_south]
    east, south = (row.figures for row in context["rows"])
    assert context["figures"].members == east.members + south.members


def test_org_unit_filter_refuses_units_outside_the_scope(client, org, dashboards):
    client.force_login(dashboards["manager"])
    assert client.get(org_url(f"?unit={org.team_south.pk}")).status_code == 404
    assert client.get(org_url("?unit=abc")).status_code == 404
    assert client.get(org_url(f"?unit={org.team_east.pk}")).status_code == 200


@pytest.mark.parametrize(("persona", "unit"), [("manager", "team_east"), ("hrbp", "sales")])
def test_the_team_pages_way_back_leads_to_a_page_the_viewer_may_open(client, org, dashboards, persona, unit):
    """Up to the department for HR; a manager, who sees only their team, back to their team's table."""
    client.force_login(dashboards[persona])
    back = client.get(team_url(org.team_east)).context["org_url"]
    assert f"unit={getattr(org, unit).pk}&" in back
    assert client.get(back).status_code == 200


def test_org_units_are_paginated(client, org, executive):
    organisation_of(org.sales, units=45, people=1, last=LAST)
    client.force_login(executive)
    first = client.get(org_url(f"?unit={org.sales.pk}&month={LAST}")).context
    assert len(first["rows"]) == 20
    assert first["pager"].page.paginator.count == 47  # East, South and the 45 new teams
    third = client.get(org_url(f"?unit={org.sales.pk}&month={LAST}&page=3")).context
    assert len(third["rows"]) == 7


def test_org_trend_and_completion_add_up_the_teams(client, org, dashboards):
    client.force_login(dashboards["hrbp"])
    context = client.get(org_url()).context
    east = client.get(team_url(org.team_east)).context["figures"]
    south = client.get(team_url(org.team_south)).context["figures"]
    assert context["figures"].members == east.members + south.members
    values = context["trend_chart"]["values"]
    assert values[-6:] == [context["trend_chart"]["values"][-1]] * 6  # the same level every month
    assert values[:6] == [None] * 6  # no data before January: missing, not zero


# ---------------------------------------------------------------- person page


def test_person_page_shows_each_kpis_trend_streak_history_and_alerts(client, dashboards):
    client.force_login(dashboards["manager"])
    response = client.get(person_url(dashboards["rep"].employee))
    trends = response.context["kpi_trends"]
    revenue = trends[0]["data"]
    assert revenue["unit"] == "cny"
    assert revenue["person"][-1] == "48000.00"
    assert revenue["target"][-1] == "80000.00"
    # Team East has two people with revenue (rep 48,000 and mentor 88,000): an average of two beside one's
    # own value gives the other's, so it is not shown.
    assert revenue["display"]["team"][-1] is None
    assert revenue["person"][:6] == [None] * 6
    runs = response.context["runs"]
    assert runs == [
        {"first": "2025年1月", "last": "2025年6月", "months": 6, "level": "alert", "is_running": True}
    ]
    assert [row.alert for row in response.context["alerts"]] == [
        dashboards["long_term"],
        dashboards["warning"],
    ]
    page = response.content.decode()
    assert 'id="kpi-trend-revenue"' in page
    assert 'data-chart="kpi-trend"' in page


def test_the_rep_reads_their_alerts_without_an_acknowledge_button(client, dashboards):
    client.force_login(dashboards["rep"])
    response = client.get(person_url(dashboards["rep"].employee))
    assert len(response.context["alerts"]) == 2
    assert not any(row.can_acknowledge for row in response.context["alerts"])
    assert "hx-post" not in response.content.decode()


def test_streak_history_splits_runs_at_met_months_and_gaps(db, org, manager):
    employee = cast(Employee, EmployeeFactory(org_unit=org.team_east))
    record_performance(
        {employee: [Decimal(v) for v in ("0.6", "0.6", "1.1", "0.7", "0.7", "0.7", "0.7")]},
        first=Month(2024, 12),
        last=Month(2025, 6),
    )
    runs = streak_runs_for(scope=dashboard_scope_for(viewer=manager), employee=employee, until=Month(2025, 6))
    assert [(str(r.first), str(r.last), r.months, r.level, r.is_running) for r in runs] == [
        ("2025-03", "2025-06", 4, "warning", True),
        ("2024-12", "2025-01", 2, "", False),
    ]
    earlier = streak_runs_for(
        scope=dashboard_scope_for(viewer=manager), employee=employee, until=Month(2025, 4)
    )
    assert [(r.months, r.is_running) for r in earlier] == [(2, True), (2, False)]


def test_streak_history_is_empty_for_someone_out_of_scope(db, org, manager, other_team_rep):
    employee = other_team_rep.employee
    record_performance({employee: Decimal("0.5")})
    assert streak_runs_for(scope=dashboard_scope_for(viewer=manager), employee=employee, until=LAST) == []


# ---------------------------------------------------------------- exports


def test_team_export_holds_every_person_not_one_page_and_logs_them(client, english, org, manager, rep):
    people_with_history(org.team_east, [Decimal("0.9")] * 40, last=LAST)
    client.force_login(manager)
    response = client.get(reverse("monitoring:team_export", kwargs={"unit_id": org.team_east.pk}) + MONTH)
    assert response["Content-Disposition"].startswith("attachment;")
    sheets = sheets_of(response)
    assert list(sheets) == ["KPIs", "Trend", "People"]
    people = sheets["People"]
    assert people[0][:3] == ["Rank", "Employee number", "Name"]
    assert len(people) == 1 + 40
    assert people[1][3] == pytest.approx(0.9)
    assert people[1][-1] == pytest.approx(0.9)  # the month's composite, as a number
    assert AuditEvent.objects.filter(action="team_dashboard.export").count() == 40


def test_org_export_holds_every_unit_and_the_total(client, english, org, executive):
    organisation_of(org.sales, units=25, people=5, last=LAST)
    client.force_login(executive)
    response = client.get(reverse("monitoring:org_export") + f"?unit={org.sales.pk}&month={LAST}")
    rows = next(iter(sheets_of(response).values()))
    assert rows[0][0] == "Unit"
    assert len(rows) == 1 + 27 + 1
    total = rows[-1]
    assert total[0] == "Total: Sales"
    assert total[2] == 25 * 5  # members
    assert total[11] == 25 * 3  # six months or more below target: those at 60%, 80% and 95%


def test_person_export_has_every_kpi_month_and_the_composite(client, english, dashboards):
    client.force_login(dashboards["manager"])
    employee = dashboards["rep"].employee
    response = client.get(reverse("monitoring:person_export", kwargs={"employee_id": employee.pk}) + MONTH)
    sheets = sheets_of(response)
    kpis = sheets["KPIs"]
    assert kpis[0] == ["Month", "KPI", "Actual", "Target", "Attainment", "Team average"]
    assert len(kpis) == 1 + 12 * 8
    june_revenue = next(row for row in kpis if row[0] == str(LAST) and row[1] == "Monthly revenue")
    assert june_revenue[2:5] == [pytest.approx(48000), pytest.approx(80000), pytest.approx(0.6)]
    composite = sheets["Composite"]
    assert composite[-1][0] == str(LAST)
    assert composite[-1][5] == 6
    assert (
        AuditEvent.objects.filter(action="person_page.export", subject_employee_id=employee.pk).count() == 1
    )


def test_a_hostile_name_is_exported_as_text(client, english, org, manager):
    (person,) = people_with_history(org.team_east, [Decimal("0.8")], last=LAST)
    person.name = "=1+2"
    person.save()
    client.force_login(manager)
    response = client.get(reverse("monitoring:team_export", kwargs={"unit_id": org.team_east.pk}) + MONTH)
    assert sheets_of(response)["People"][1][2] == "'=1+2"


# ---------------------------------------------------------------- at most 30 queries, at any size


@pytest.mark.parametrize("size", [5, 200])
def test_team_dashboard_and_export_stay_under_30_queries(
    client, org, manager, size, django_assert_max_num_queries
):
    people = people_with_history(
        org.team_east,
        [Decimal("0.6"), Decimal("1.1")] * (size // 2) + [Decimal("0.8")] * (size % 2),
        last=LAST,
    )
    for person in people[:30:2]:
        alert_on(person, month=LAST - 3)
    client.force_login(manager)
    client.get(team_url(org.team_east))  # warm the session and content types
    with django_assert_max_num_queries(30):
        response = client.get(team_url(org.team_east))
    assert response.context["people_pager"].page.paginator.count == size
    with django_assert_max_num_queries(30):
        assert client.get(team_url(org.team_east), headers={"HX-Request": "true"}).status_code == 200
    with django_assert_max_num_queries(30):
        client.get(reverse("monitoring:team_export", kwargs={"unit_id": org.team_east.pk}) + MONTH)
    with django_assert_max_num_queries(30):
        client.get(person_url(people[0]))
    with django_assert_max_num_queries(30):
        client.get(reverse("monitoring:person_export", kwargs={"employee_id": people[0].pk}) + MONTH)


@pytest.mark.parametrize("persona", ["executive", "hrbp"])
@pytest.mark.parametrize("units", [3, 40])
def test_org_dashboard_and_export_stay_under_30_queries(
    client, org, everyone, persona, units, django_assert_max_num_queries
):
    teams = organisation_of(org.sales, units=units, people=5, last=LAST)
    for team in teams[:10]:
        alert_on(team.employees.first(), month=LAST)
    client.force_login(everyone[persona])
    client.get(org_url())
    for query in (MONTH, f"?unit={org.sales.pk}&month={LAST}", f"?unit={org.sales.pk}&month={LAST}&page=2"):
        with django_assert_max_num_queries(30):
            assert client.get(org_url(query)).status_code == 200
    with django_assert_max_num_queries(30):
        client.get(reverse("monitoring:org_export") + f"?unit={org.sales.pk}&month={LAST}")
    with django_assert_max_num_queries(30):
        client.get(team_url(org.sales))  # a department's dashboard covers every team below it


def test_department_dashboard_of_a_large_organisation_stays_under_30_queries(
    client, org, hrbp, django_assert_max_num_queries
):
    deep = OrgUnitFactory(parent=org.sales)
    organisation_of(deep, units=20, people=10, last=LAST)
    client.force_login(hrbp)
    client.get(team_url(org.sales))
    with django_assert_max_num_queries(30):
        response = client.get(team_url(org.sales))
    assert response.context["people_pager"].page.paginator.count == 200


def test_a_team_average_of_five_people_is_shown_beside_a_persons_value(client, org, dashboards):
    from perfloop.metrics.selectors import MIN_GROUP_SIZE
    from perfloop.metrics.tests.factories import record_revenue
    from perfloop.org.tests.factories import EmployeeFactory

    rep = dashboards["rep"].employee
    for index in range(MIN_GROUP_SIZE - 2):  # with the rep and the mentor, five people have revenue
        colleague = EmployeeFactory(org_unit=org.team_east, name=f"同事{index}", position=rep.position)
        record_revenue(colleague, LAST, LAST, [1.0])
    client.force_login(dashboards["manager"])
    revenue = client.get(person_url(rep)).context["kpi_trends"][0]["data"]
    assert revenue["display"]["team"][-1] is not None
