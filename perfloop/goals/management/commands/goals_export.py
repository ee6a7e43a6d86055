"""`perfloop goals-export OUT.xlsx --actor USERNAME --first 2025-01 [--last 2025-12] [--team CODE]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from perfloop.core.errors import DomainError
from perfloop.core.months import Month, MonthError
from perfloop.goals.selectors import actor_get, team_get_for
from perfloop.goals.services import goals_export
from perfloop.org.models import OrgUnit


class Command(BaseCommand):
    help = "Export the goals the actor may see to XLSX or CSV (safe against formula injection)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", help="the file to write; .xlsx or .csv")
        parser.add_argument("--actor", required=True, help="username whose scope the export follows")
        parser.add_argument("--first", required=True, help="first month, YYYY-MM")
        parser.add_argument("--last", help="last month, YYYY-MM (default: the first)")
        parser.add_argument("--team", help="org unit code: only this unit and its sub-units")
        parser.add_argument(
            "--language", choices=["zh-hans", "en"], help="column titles (default: the actor's)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        file_format = output.suffix.lower().lstrip(".")
        if file_format not in ("xlsx", "csv"):
            raise CommandError("The output file must end in .xlsx or .csv")
        try:
            first = Month.parse(options["first"])
            last = Month.parse(options["last"]) if options["last"] else first
            actor = actor_get(username=options["actor"])
            team = None
            if options["team"]:
                unit = OrgUnit.objects.filter(code=options["team"]).first()
                team = team_get_for(viewer=actor, unit_id=unit.pk if unit else 0)
            with translation.override(options["language"] or actor.preferred_language or "zh-hans"):
                content = goals_export(
                    actor=actor, first=first, last=last, team=team, file_format=file_format
                )
        except MonthError as exc:
            raise CommandError(str(exc)) from exc
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        output.write_bytes(content)
        self.stdout.write(f"{output}: {len(content):,} bytes")
