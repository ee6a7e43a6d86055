"""`perfloop goals-import FILE --actor USERNAME [--publish]` — goals from CSV or XLSX, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from perfloop.core.errors import DomainError
from perfloop.goals.errors import GoalImportError, JustificationMissingError
from perfloop.goals.models import Channel
from perfloop.goals.selectors import actor_get
from perfloop.goals.services import goals_import


class Command(BaseCommand):
    help = (
        "Import goals (employee number, month, KPI, target) from a CSV or XLSX file as drafts, "
        "or new versions; every row must be valid or nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .csv (UTF-8 or GBK) or .xlsx file")
        parser.add_argument(
            "--actor", required=True, help="username of the manager or HRBP who sets the goals"
        )
        parser.add_argument(
            "--publish", action="store_true", help="publish the imported drafts to the people"
        )
        parser.add_argument("--reason", default="", help="why goals already shown to people change")
        parser.add_argument("--justification", default="", help="answer to the fairness guard's warnings")
        parser.add_argument("--json", action="store_true", help="print the result as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            actor = actor_get(username=options["actor"])
            with translation.override(actor.preferred_language or "zh-hans"):
                result = goals_import(
                    actor=actor,
                    content=path.read_bytes(),
                    filename=path.name,
                    publish=options["publish"],
                    reason=options["reason"],
                    justification=options["justification"],
                    channel=Channel.CLI,
                )
        except GoalImportError as exc:
            for error in exc.details.get("errors", []):
                where = f"row {error['row']} · {error['column']} · {error['value']!r}"
                self.stderr.write(f"{where}: {error['code']} — {error['message']}")
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        except JustificationMissingError as exc:
            for warning in exc.details.get("warnings", []):
                self.stderr.write(str(warning["message_en"]))
            raise CommandError(f"{exc.code}: pass --justification to keep these targets") from exc
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message} {exc.details or ''}".strip()) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        self.stdout.write(
            f"{path.name}: {result.rows} rows; {result.created} new goals, {result.revised} new versions, "
            f"{result.unchanged} unchanged, {result.published} published (sha256 {result.sha256[:12]}…)"
        )
