"""`perfloop monitoring-tick [--json]` — escalate overdue alerts, retry due deliveries (run from cron)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from perfloop.monitoring.services import alerts_escalate_overdue, deliveries_send


class Command(BaseCommand):
    help = "Escalate alerts left unacknowledged too long and retry deliveries whose backoff has passed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        escalation = alerts_escalate_overdue()
        deliveries = deliveries_send()
        if options["json"]:
            self.stdout.write(
                json.dumps({"escalation": escalation.as_dict(), "deliveries": deliveries.as_dict()})
            )
            return
        self.stdout.write(
            f"escalated {escalation.escalated} alerts ({escalation.notifications_sent} notified); "
            f"deliveries: {deliveries.sent} sent, {deliveries.retrying} to retry, {deliveries.failed} failed"
        )
