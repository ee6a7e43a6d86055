"""Background entry points of monitoring: thin wrappers over the services, safe to retry.

The close is idempotent and deliveries are claimed before they are sent, so a task that runs twice
(a retried job, two workers) does no harm. A scheduler (cron, systemd timer) enqueues
`month_close_task` after each month's data is in and `monitoring_tick_task` every few minutes.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from perfloop.core.months import Month
from perfloop.monitoring.services import alerts_escalate_overdue, deliveries_send, month_close


@task()
def month_close_task(*, month: str | None = None) -> dict[str, Any]:
    """Close ``month`` (YYYY-MM), by default the month before the current one, as the system."""
    target = Month.parse(month) if month else Month.of(timezone.localdate()) - 1
    return month_close(actor=None, month=target).as_dict()


@task()
def deliveries_send_task(*, delivery_ids: list[int] | None = None) -> dict[str, int]:
    """Send the given deliveries (the close enqueues them after commit), or every one that is due."""
    return deliveries_send(delivery_ids=delivery_ids).as_dict()


@task()
def monitoring_tick_task() -> dict[str, Any]:
    """Escalate alerts left unacknowledged too long and retry deliveries whose backoff has passed."""
    escalation = alerts_escalate_overdue()
    retried = deliveries_send()
    return {"escalation": escalation.as_dict(), "deliveries": retried.as_dict()}
