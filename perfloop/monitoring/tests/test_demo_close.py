"""Acceptance: closing the demo company's months in order raises each alert in the month the data says."""

from __future__ import annotations

import pytest
from django.core import mail

from perfloop.core.months import Month, month_range
from perfloop.demo.services import demo_company_build
from perfloop.metrics.models import Scorecard
from perfloop.monitoring.models import Alert, AlertState, MonthClose
from perfloop.monitoring.services import month_close

FIRST, LAST = Month(2024, 1), Month(2025, 6)
CAST = {"E0107", "E0109", "E0114", "E0119", "E0123", "E0128", "E0135", "E0146"}


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
def test_closing_each_demo_month_in_order_raises_the_warnings_and_long_term_alerts_when_the_data_says(
    django_capture_on_commit_callbacks,
):
    demo_company_build()
    with django_capture_on_commit_callbacks(execute=True):
        for month in month_range(FIRST, LAST):
            month_close(actor=None, month=month)

    alerts = Alert.objects.select_related("rule", "employee")
    warnings = {a.employee.employee_number: a.month for a in alerts if a.rule.code == "below_target_3"}
    long_term = {a.employee.employee_number: a.month for a in alerts if a.rule.code == "below_target_6"}
    assert set(warnings) == CAST
    assert set(long_term) == CAST
    assert warnings == first_month_reaching(3)
    assert long_term == first_month_reaching(6)
    # each alert was raised by the close of its own month, and stays open until someone acts
    for alert in alerts.select_related("raised_by_close"):
        assert alert.raised_by_close.month == alert.month
        assert alert.state == AlertState.OPEN
    assert Alert.objects.count() == 16
    # the managers and the HRBP heard about them; closing the last month again changes nothing
    assert mail.outbox
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = month_close(actor=None, month=LAST)
    assert callbacks == []
    assert not again.has_changes
    assert again.notifications_sent == 0
    assert len(mail.outbox) == sent
    assert MonthClose.objects.count() == 19
