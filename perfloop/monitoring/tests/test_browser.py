"""The dashboards in headless Chromium, under the real Content-Security-Policy.

Screenshots land in `artifacts/screenshots/` (git-ignored) at desktop and phone sizes, to be looked at.
"""

from __future__ import annotations

import importlib
import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

from decimal import Decimal
from pathlib import Path
from typing import cast

import pytest
from django.apps import apps
from django.conf import settings

from perfloop.accounts.tests.factories import PASSWORD
from perfloop.core.months import Month
from perfloop.metrics.tests.factories import record_performance
from perfloop.monitoring.models import Alert, AlertState
from perfloop.monitoring.tests.dashboard_data import alert_on
from perfloop.org.models import Employee
from perfloop.org.tests.factories import EmployeeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
FIRST, LAST = Month(2024, 7), Month(2025, 6)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A browser in mainland China asks for Chinese; the page must answer in it.
    return {**browser_context_args, "locale": "zh-CN", "viewport": DESKTOP}


@pytest.fixture
def kpi_catalogue(transactional_db):
    """A transactional test starts from a flushed database, without the rows data migrations wrote."""
    importlib.import_module("perfloop.metrics.migrations.0002_default_kpis").add_kpis(apps, None)
    importlib.import_module("perfloop.monitoring.migrations.0002_default_rules").add_rules(apps, None)


@pytest.fixture
def team(kpi_catalogue, org, manager, rep, mentor):
    """Team East with a year of history: strong, middling and long-term weak performers, and a newcomer."""
    names = ["周婷", "黄强", "赵敏", "陈伟", "刘洋", "杨磊", "王芳", "吴昊"]
    bases = ("1.06", "0.98", "0.92", "0.86", "0.8", "0.7", "0.6", "0.64")
    wobble = [
        Decimal(v) for v in ("0", "0.05", "-0.03", "0.08", "-0.06", "0.02", "0.04", "-0.05", "0.07", "-0.02")
    ]
    people: dict[Employee, list[Decimal]] = {
        cast(Employee, EmployeeFactory(org_unit=org.team_east, name=name)): [
            Decimal(base) + w for w in wobble[index:] + wobble[:index]
        ]
        for index, (name, base) in enumerate(zip(names, bases, strict=True))
    }
    # The rep recovers for a while, then falls back: six months running below target by June.
    people[rep.employee] = [Decimal(v) for v in ("0.7", "0.8", "0.95", "1.02", "1.05", "1.01")] + [
        Decimal(v) for v in ("0.68", "0.62", "0.6", "0.58", "0.55", "0.52")
    ]
    people[mentor.employee] = [Decimal("1.02") + w for w in wobble]
    newcomer = cast(Employee, EmployeeFactory(org_unit=org.team_east, name="孙悦"))
    record_performance(people, first=FIRST, last=LAST)
    record_performance(
        {newcomer: [Decimal("0.62"), Decimal("0.71"), Decimal("0.8"), Decimal("0.86")]},
        first=Month(2025, 3),
        last=LAST,
    )
    return org.team_east


@pytest.fixture
def alerts(team, rep):
    """What the monthly close raised for the rep: the warning in March, long-term underperformance in June."""
    return [
        alert_on(rep.employee, month=LAST, code="below_target_6"),
        alert_on(rep.employee, month=LAST - 3, code="below_target_3"),
    ]


def shoot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def drawn_pixels(page, selector: str) -> int:
    """Non-transparent pixels on the chart's canvases (ECharts paints on several layers); 0: never drawn."""
    return page.evaluate(
        """(selector) => {
            let count = 0;
            document.querySelectorAll(selector + " canvas").forEach((canvas) => {
                const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
                for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { count += 1; } }
            });
            return count;
        }""",
        selector,
    )


def has_no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def watch_console(page) -> list[str]:
    """Script errors, CSP refusals and failed loads; Chromium's own probe of /favicon.ico does not count."""
    problems: list[str] = []

    def on_console(message) -> None:
        where = message.location.get("url", "")
        if message.type == "error" and not where.endswith("/favicon.ico"):
            problems.append(f"{message.text} {where}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_manager_signs_in_reads_the_heat_map_and_drills_to_a_person(page, live_server, team):
    problems = watch_console(page)
    sign_in(page, live_server, "manager")

    assert f"/dashboards/teams/{team.pk}/" in page.url
    assert page.locator("h1").inner_text() == "华东组"
    page.wait_for_selector('[data-chart="heat-map"] canvas')
    page.wait_for_selector('[data-chart="completion-trend"] canvas')
    page.wait_for_timeout(600)  # ECharts animates the first draw
    assert drawn_pixels(page, '[data-chart="heat-map"]') > 10_000
    assert drawn_pixels(page, '[data-chart="completion-trend"]') > 1_000
    assert page.get_by_text("连续6个月未达标").first.is_visible()
    shoot(page, "team-dashboard-desktop")

    page.set_viewport_size(PHONE)
    page.wait_for_timeout(400)
    assert has_no_horizontal_overflow(page)
    assert drawn_pixels(page, '[data-chart="heat-map"]') > 5_000
    shoot(page, "team-dashboard-phone")
    page.set_viewport_size(DESKTOP)

    page.click("a.people__link:has-text('李明')")
    page.wait_for_load_state("networkidle")
    assert "/dashboards/people/" in page.url
    assert page.locator("h1").inner_text() == "李明"
    page.wait_for_selector('[data-chart="kpi-bars"] canvas')
    page.wait_for_timeout(600)
    assert drawn_pixels(page, '[data-chart="kpi-bars"]') > 1_000
    assert drawn_pixels(page, '[data-chart="completion-trend"]') > 1_000
    assert page.locator("table.kpitable tbody tr").count() == 8
    shoot(page, "person-desktop")

    page.set_viewport_size(PHONE)
    page.wait_for_timeout(400)
    assert has_no_horizontal_overflow(page)
    shoot(page, "person-phone")

    assert problems == []  # no CSP refusals, no script errors


def test_manager_acknowledges_an_alert_then_drills_to_the_person(page, live_server, team, alerts, rep):
    problems = watch_console(page)
    sign_in(page, live_server, "manager")
    assert f"/dashboards/teams/{team.pk}/" in page.url

    attention = page.locator("section[aria-labelledby=attention-heading]")
    assert attention.get_by_text("李明").is_visible()
    assert attention.get_by_text("连续6个月未达标").is_visible()
    long_term = page.locator(f"#alert-{alerts[0].pk}")
    assert long_term.get_by_text("连续6个月未完成目标（长期未达标）").is_visible()
    acknowledge = "form[action$='/acknowledge/'] button"
    long_term.locator(acknowledge).click()
    page.locator(f"#alert-{alerts[0].pk} .alertrow__state--acknowledged").wait_for()
    assert page.locator(f"#alert-{alerts[0].pk} {acknowledge}").count() == 0
    assert page.locator(f"#alert-{alerts[1].pk} {acknowledge}").count() == 1  # only the one clicked
    acknowledged = Alert.objects.get(pk=alerts[0].pk)
    assert acknowledged.state == AlertState.ACKNOWLEDGED
    assert acknowledged.acknowledged_by.username == "manager"

    # The warning is resolved by hand, saying what was done; the row shows it in place.
    warning = page.locator(f"#alert-{alerts[1].pk}")
    warning.locator("summary").click()
    warning.locator("input[name=note]").fill("已约谈并制定改进计划")
    warning.locator("form[action$='/resolve/'] button").click()
    page.locator(f"#alert-{alerts[1].pk} .alertrow__note").wait_for()
    assert page.locator(f"#alert-{alerts[1].pk} .alertrow__note").inner_text() == "已约谈并制定改进计划"
    resolved = Alert.objects.get(pk=alerts[1].pk)
    assert (resolved.state, resolved.resolution_note) == (AlertState.RESOLVED, "已约谈并制定改进计划")

    page.wait_for_selector('[data-chart="distribution"] canvas')
    page.wait_for_timeout(600)
    assert drawn_pixels(page, '[data-chart="distribution"]') > 1_000
    shoot(page, "team-dashboard-acknowledged-desktop")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(400)
    assert has_no_horizontal_overflow(page)
    shoot(page, "team-dashboard-acknowledged-phone")
    page.set_viewport_size(DESKTOP)

    attention.get_by_text("李明").click()
    page.wait_for_load_state("networkidle")
    assert f"/dashboards/people/{rep.employee.pk}/" in page.url
    page.wait_for_selector('[data-chart="kpi-trend"] canvas')
    page.wait_for_timeout(600)
    assert page.locator('[data-chart="kpi-trend"]').count() == 8
    assert drawn_pixels(page, "#content .minichart:first-child [data-chart]") > 1_000
    history = page.locator("section[aria-labelledby=streaks-heading]")
    assert history.get_by_text("2025年1月 – 2025年6月").is_visible()
    person_alerts = page.locator("section[aria-labelledby=alerts-heading]")
    assert person_alerts.locator(".alertrow__state--acknowledged").count() == 1
    shoot(page, "person-trends-desktop")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(400)
    assert has_no_horizontal_overflow(page)
    shoot(page, "person-trends-phone")
    assert problems == []


def test_executive_organisation_dashboard_on_a_phone(page, live_server, team, executive):
    problems = watch_console(page)
    sign_in(page, live_server, "executive")
    assert "/dashboards/org/" in page.url
    page.select_option("#unit-select", label="　销售部")
    page.wait_for_url("**/dashboards/org/?unit=*")
    page.wait_for_selector('[data-chart="completion-trend"][data-chart-drawn="true"] canvas')
    page.wait_for_timeout(600)
    assert page.locator("h1").inner_text() == "销售部"
    assert drawn_pixels(page, '[data-chart="unit-bars"]') > 500
    assert drawn_pixels(page, '[data-chart="completion-trend"]') > 1_000
    assert page.get_by_text("李明").count() == 0
    shoot(page, "org-dashboard-desktop")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(400)
    assert has_no_horizontal_overflow(page)
    shoot(page, "org-dashboard-phone")
    assert problems == []


def test_month_steps_in_place_and_charts_are_redrawn(page, live_server, team):
    problems = watch_console(page)
    sign_in(page, live_server, "manager")
    page.wait_for_selector('[data-chart="heat-map"] canvas')

    page.click("a.monthpicker__step[rel=prev]")
    page.wait_for_url(f"**/dashboards/teams/{team.pk}/?month=2025-05")
    page.wait_for_selector('[data-chart="heat-map"][data-chart-drawn="true"] canvas')
    page.wait_for_timeout(600)
    assert page.locator(".pagehead__meta").first.inner_text().startswith("2025年5月")
    assert drawn_pixels(page, '[data-chart="heat-map"]') > 10_000
    assert page.locator("input[data-keep-current-url]").input_value().endswith("?month=2025-05")
    assert problems == []


def test_language_switch_turns_the_page_english(page, live_server, team):
    sign_in(page, live_server, "manager")
    page.click("button.langswitch__option[value=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Team dashboard").is_visible()
    assert page.get_by_text("Monthly revenue").is_visible()
    page.wait_for_selector('[data-chart="heat-map"] canvas')
    page.wait_for_timeout(600)
    shoot(page, "team-dashboard-desktop-en")


def test_executive_sees_the_trend_but_no_heat_map(page, live_server, team, executive):
    sign_in(page, live_server, "executive")
    page.goto(f"{live_server.url}/dashboards/teams/{team.pk}/")
    page.wait_for_selector('[data-chart="completion-trend"] canvas')
    assert page.locator('[data-chart="heat-map"]').count() == 0
    assert page.get_by_text("李明").count() == 0
    assert page.locator("section[aria-labelledby=attention-heading]").count() == 0
    page.wait_for_selector('[data-chart="distribution"] canvas')
    page.wait_for_timeout(600)
    shoot(page, "team-dashboard-executive-desktop")
    page.goto(f"{live_server.url}/dashboards/org/")
    page.wait_for_selector('[data-chart="unit-bars"] canvas')
    page.wait_for_timeout(600)
    assert drawn_pixels(page, '[data-chart="unit-bars"]') > 500


def test_names_in_chart_tooltips_are_text_not_markup(page, live_server, team):
    hostile = cast(Employee, EmployeeFactory(org_unit=team, name="<b>粗体</b>"))
    record_performance({hostile: Decimal("2")}, first=LAST, last=LAST)  # the best result: the first row
    sign_in(page, live_server, "manager")
    chart = page.locator('[data-chart="heat-map"]')
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(600)
    box = chart.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] - 30, box["y"] + 44 + 16)  # last month of the first row
    tooltip = page.locator("div", has_text="<b>粗体</b> · 2025-06").last
    tooltip.wait_for()
    assert tooltip.locator("b", has_text="粗体").count() == 0
