"""`perfloop recompute-scorecards 2025-01 2025-06 [--json]` — a thin wrapper over the service."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from perfloop.core.months import Month, MonthError
from perfloop.metrics.services import MetricsInputError, scorecards_recompute


class Command(BaseCommand):
    help = "Recompute scorecards and team aggregates for a range of months (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("first", help="first month, YYYY-MM")
        parser.add_argument("last", nargs="?", help="last month, YYYY-MM (default: the first)")
        parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            first = Month.parse(options["first"])
            last = Month.parse(options["last"]) if options["last"] else first
            summary = scorecards_recompute(actor=None, first=first, last=last)
        except (MonthError, MetricsInputError) as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict()))
            return
        self.stdout.write(
            f"{summary.first}..{summary.last}: {summary.created} created, {summary.changed} changed, "
            f"{summary.unchanged} unchanged, {summary.teams} team-months"
        )
