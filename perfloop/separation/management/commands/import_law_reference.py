"""`perfloop import-law-reference [FILE] [--kind …] [--json]` — store published reference figures.

Without a file the seeds shipped in ``perfloop/separation/data`` are imported. Re-importing the
same file changes nothing; a corrected figure is stored as a new version next to the old one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from perfloop.separation.law.errors import LawInputError
from perfloop.separation.reference import CSV_KINDS, read_reference_file, seed_reference_set
from perfloop.separation.services import law_reference_import


class Command(BaseCommand):
    help = "Import city average and minimum wages, city rules and retirement-age rules (versioned)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="a JSON file (any kinds) or a CSV file of one kind")
        parser.add_argument("--input", help="the same as FILE")
        parser.add_argument(
            "--kind", choices=sorted(CSV_KINDS), help="the kind of a CSV file (else from its name)"
        )
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options.get("file") or options.get("input")
        try:
            references = (
                read_reference_file(Path(path), options.get("kind")) if path else seed_reference_set()
            )
        except LawInputError as exc:
            raise CommandError(f"{exc.code}: {exc.text.en}") from exc
        summary = law_reference_import(actor=None, references=references)
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict()))
            return
        for kind in sorted(set(summary.created) | set(summary.unchanged)):
            self.stdout.write(
                f"{kind}: {summary.created.get(kind, 0)} new versions, "
                f"{summary.unchanged.get(kind, 0)} unchanged"
            )
