"""`perfloop eligibility --input case.json [--json]` — allowed routes, blocking reasons and warnings.

The result is advice: a named person decides (PIPL Art. 24).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from perfloop.separation.law.errors import LawInputError
from perfloop.separation.management.commands._law_cli import fail, read_input, write_eligibility
from perfloop.separation.services import eligibility_check

ARGUMENTS = {
    "pack": "jurisdiction pack (cn, uk); default cn",
    "hire_date": "first day of work, YYYY-MM-DD",
    "notice_date": "date notice is (to be) served, YYYY-MM-DD",
    "termination_date": "termination date, YYYY-MM-DD",
    "birth_date": "birth date, for the Art. 42(5) check",
    "retirement_category": "male_60 | female_55 | female_50",
    "open_cases": "how many separation cases are open at once",
    "headcount": "the employer's headcount",
}


class Command(BaseCommand):
    help = "Check a case's facts: allowed routes, blocking reasons, warnings and steps, each with rule ids."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", help="a JSON file with the case facts (arguments override its fields)")
        for name, text in ARGUMENTS.items():
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, help=text)
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument("--language", default="zh-hans", help="zh-hans or en (default zh-hans)")

    def handle(self, *args: Any, **options: Any) -> None:
        language = options["language"]
        try:
            data = read_input(options.get("input"))
            for name in ARGUMENTS:
                if options.get(name) not in (None, ""):
                    data[name] = options[name]
            result = eligibility_check(data=data)
        except LawInputError as exc:
            raise fail(self.stdout, exc, as_json=options["json"], language=language) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        write_eligibility(self.stdout, result, language)
