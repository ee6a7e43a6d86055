"""The agreement in headless Chromium: the manager publishes, the rep disputes on a phone, the manager
adjusts, the rep confirms — under the real Content-Security-Policy.

Screenshots land in `artifacts/screenshots/` (git-ignored), to be looked at.
"""

from __future__ import annotations

import importlib
import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from perfloop.accounts.tests.factories import PASSWORD
from perfloop.core.months import Month
from perfloop.goals.models import Goal, GoalStatus
from perfloop.goals.tests.factories import record_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def kpi_catalogue(transactional_db):
    """A transactional test starts from a flushed database, without the rows data migrations wrote."""
    importlib.import_module("perfloop.metrics.migrations.0002_default_kpis").add_kpis(apps, None)


@pytest.fixture
def month():
    """Goals are agreed before their month: the next one."""
    return Month.of(timezone.localdate()) + 1


@pytest.fixture
def team(kpi_catalogue, org, manager, rep, mentor, month):
    record_history(rep.employee, {month - offset: "70000" for offset in range(2, 8)})
    return org.team_east


def shoot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def has_no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def watch_console(page) -> list[str]:
    problems: list[str] = []

    def on_console(message) -> None:
        where = message.location.get("url", "")
        if message.type == "error" and not where.endswith("/favicon.ico"):
            problems.append(f"{message.text} {where}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


@pytest.fixture
def contexts(browser):
    """Browser contexts opened by a test, closed before the live server goes away."""
    opened: list = []
    yield opened
    for context in opened:
        context.close()


def sign_in(contexts, browser, live_server, username: str, viewport: dict[str, int], *, phone: bool = False):
    context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=phone, has_touch=phone)
    contexts.append(context)
    page = context.new_page()
    problems = watch_console(page)
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page, problems


def test_manager_publishes_rep_disputes_on_a_phone_manager_adjusts_rep_confirms(
    browser, contexts, live_server, team, rep, month
):
    manager_page, manager_problems = sign_in(contexts, browser, live_server, "manager", DESKTOP)
    grid = f"{live_server.url}/goals/team/{team.pk}/?month={month}&kpi=revenue"
    manager_page.goto(grid)
    row = manager_page.locator(f'tr[data-employee="{rep.employee.pk}"]')
    suggestion = row.locator("button[data-use-suggestion]")
    assert suggestion.inner_text() == "¥75,000"  # 6-month average 70,000, standard 80,000
    suggestion.click()
    assert row.locator("input.goalgrid__input").input_value() == "75000"
    manager_page.click("button[data-action=save]")
    manager_page.wait_for_load_state("networkidle")
    manager_page.click("button[data-action=publish-all]")
    manager_page.wait_for_load_state("networkidle")
    assert row.locator(".badge").inner_text() == "待确认"
    shoot(manager_page, "goals-team-grid-desktop")
    manager_page.set_viewport_size(PHONE)
    assert has_no_horizontal_overflow(manager_page)
    shoot(manager_page, "goals-team-grid-phone")
    manager_page.set_viewport_size(DESKTOP)

    rep_page, rep_problems = sign_in(contexts, browser, live_server, "rep", PHONE, phone=True)
    rep_page.goto(f"{live_server.url}/goals/mine/")
    card = rep_page.locator("article.goalcard").first
    assert "¥75,000" in card.inner_text()
    assert "月度销售额" in card.inner_text()
    shoot(rep_page, "goals-mine-published-phone")
    card.locator("summary[data-action=open-dispute]").click()
    card.locator("textarea[name=comment]").fill("我负责的区域有两个大客户流失，75,000 难以完成。")
    assert has_no_horizontal_overflow(rep_page)
    shoot(rep_page, "goals-mine-dispute-form-phone")
    card.locator("button[data-action=dispute]").click()
    rep_page.wait_for_load_state("networkidle")
    assert "两个大客户流失" in rep_page.locator("article.goalcard").first.inner_text()
    assert has_no_horizontal_overflow(rep_page)
    shoot(rep_page, "goals-mine-disputed-phone")

    manager_page.goto(grid)
    manager_page.click("a[data-dispute]")
    manager_page.wait_for_load_state("networkidle")
    manager_page.fill("#answer-comment", "同意：考虑到两个大客户流失，本月目标调整为 72,000。")
    manager_page.fill("#answer-value", "72000")
    shoot(manager_page, "goals-answer-desktop")
    manager_page.click("button[data-action=answer]")
    manager_page.wait_for_load_state("networkidle")
    assert "¥72,000" in manager_page.locator("[data-value]").inner_text()

    rep_page.reload()
    card = rep_page.locator("article.goalcard").first
    assert "¥72,000" in card.inner_text()
    assert "¥75,000" in card.inner_text()  # the previous version, struck through
    card.locator("button[data-action=confirm]").click()
    rep_page.wait_for_load_state("networkidle")
    assert "✓" in rep_page.locator("article.goalcard").first.inner_text()
    assert has_no_horizontal_overflow(rep_page)
    shoot(rep_page, "goals-mine-confirmed-phone")

    goal = Goal.objects.get(employee=rep.employee, month=month)
    assert (goal.status, goal.value, goal.version_count) == (GoalStatus.CONFIRMED, Decimal(72000), 2)
    assert [e.action for e in goal.events.order_by("occurred_at", "pk")] == [
        "publish",
        "dispute",
        "answer",
        "confirm",
    ]
    first = goal.versions.get(number=1)
    assert (first.basis, first.suggestion["average"]) == ("suggestion", "70000.0000")

    manager_page.goto(f"{live_server.url}/goals/people/{rep.employee.pk}/{month}/")
    assert "¥72,000" in manager_page.locator(".goalrecord__kpi").first.inner_text()
    shoot(manager_page, "goals-record-desktop")
    rep_page.goto(f"{live_server.url}/goals/people/{rep.employee.pk}/{month}/")
    assert has_no_horizontal_overflow(rep_page)
    shoot(rep_page, "goals-record-phone")
    assert manager_problems == []
    assert rep_problems == []
