"""`perfloop close-month 2025-06 [--json]` — a thin wrapper over `month_close`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from perfloop.core.errors import DomainError
from perfloop.core.months import Month, MonthError
from perfloop.monitoring.services import month_close


class Command(BaseCommand):
    help = "Close a month: recompute scorecards (and restated months), evaluate alert rules, notify."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", help="the month to close, YYYY-MM")
        parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = month_close(actor=None, month=Month.parse(options["month"]))
        except (MonthError, DomainError) as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False))
            return
        restated = ", ".join(str(m) for m in summary.restated_months) or "none"
        self.stdout.write(
            f"{summary.month}: recomputed {summary.recomputed_first}..{summary.recomputed_last} "
            f"({summary.scorecards_created} created, {summary.scorecards_changed} changed); "
            f"restated months: {restated}; alerts raised {summary.alerts_raised}, "
            f"moved {summary.alerts_moved}, reopened {summary.alerts_reopened}, "
            f"resolved {summary.alerts_resolved}; {summary.notifications_sent} notified, "
            f"{summary.deliveries_queued} deliveries queued"
            + ("" if summary.has_changes else " — nothing changed")
        )
