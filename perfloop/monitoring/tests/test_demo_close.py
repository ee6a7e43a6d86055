"""Acceptance: the demo company's months, closed in order by its build, raise each alert in the month the data
says."""

from __future__ import annotations

import pytest
from django.core import mail

from perfloop.accounts.models import Notification
from perfloop.core.months import Month, month_range
from perfloop.demo.services import demo_company_build
from perfloop.metrics.models import Scorecard
from perfloop.monitoring.models import Alert, AlertState, Delivery, MonthClose
from perfloop.monitoring.services import month_close

FIRST, LAST = Month(2024, 1), Month(2025, 6)
CAST = {"E0107", "E0109", "E0114", "E0119", "E0123", "E0128", "E0135", "E0146"}
IMPROVED = {"E0107", "E0119", "E0135"}


def first_month_reaching(streak: int) -> dict[str, Month]:
    """Per person, the first month (in order) whose scorecard's streak below target reaches ``streak``."""
    out: dict[str, Month] = {}
    cards = Scorecard.objects.filter(month__gte=FIRST, month__lte=LAST, streak_below=streak).select_related(
        "employee"
    )
    for card in cards.order_by("month"):
        out.setdefault(card.employee.employee_number, card.month)
    return out


@pytest.mark.django_db(transaction=False)
def test_the_demo_closes_each_month_in_order_raising_the_warnings_and_long_term_alerts_when_the_data_says(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):  # e-mails would leave at commit
        built = demo_company_build()

    assert built.months_closed == 25
    assert MonthClose.objects.count() == 25
    assert list(MonthClose.objects.order_by("pk").values_list("month", flat=True)) == list(
        month_range(Month(2024, 1), Month(2026, 1))
    )
    alerts = Alert.objects.select_related("rule", "employee")
    warnings = {a.employee.employee_number: a.month for a in alerts if a.rule.code == "below_target_3"}
    long_term = {a.employee.employee_number: a.month for a in alerts if a.rule.code == "below_target_6"}
    assert set(warnings) == CAST
    assert set(long_term) == CAST
    assert warnings == first_month_reaching(3)
    assert long_term == first_month_reaching(6)
    assert Alert.objects.count() == built.alerts == 16
    # each alert was raised by the close of its own month; by the last month every one is resolved by a
    # close: the three who improved recovered, the five who did not have left
    for alert in alerts.select_related("raised_by_close"):
        assert alert.raised_by_close.month == alert.month
        assert alert.state == AlertState.RESOLVED
    resolutions = {a.employee.employee_number: a.resolution for a in alerts}
    assert {number for number, why in resolutions.items() if why == "recovered"} == IMPROVED
    assert {number for number, why in resolutions.items() if why == "left"} == CAST - IMPROVED
    # a history rebuilt after the fact messages nobody: no inbox entries, no e-mail, no webhook
    assert not mail.outbox
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert all(close.details.get("silent") for close in MonthClose.objects.all())
    # closing the last month again (as the schedule would) changes nothing and sends nothing
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = month_close(actor=None, month=Month(2026, 1))
    assert callbacks == []
    assert not again.has_changes
    assert again.notifications_sent == 0
    assert not mail.outbox
