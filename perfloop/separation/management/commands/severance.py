"""`perfloop severance …` — exit costs with their working (the same service as the API and the page).

Examples::

    perfloop severance --hire-date 2020-01-01 --termination-date 2023-06-30 \
        --monthly-wage 8000 --city shanghai
    perfloop severance --input case.json --json
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from perfloop.separation.law.errors import LawInputError
from perfloop.separation.management.commands._law_cli import fail, read_input, write_bundle
from perfloop.separation.services import exit_costs_calculate

ARGUMENTS = {
    "pack": "jurisdiction pack (cn, uk); default cn",
    "hire_date": "first day of work (用工之日), YYYY-MM-DD",
    "termination_date": "termination date, YYYY-MM-DD",
    "notice_date": "date written notice is served, YYYY-MM-DD",
    "monthly_wage": "the same wage payable every month, CNY",
    "previous_month_wage": "the previous month's wage, for pay in lieu",
    "merged_service_start": "start of service merged from a previous employer (LCL-Regs Art. 10)",
    "negotiated_extra_months": "x in a negotiated N + x",
    "negotiated_extra_amount": "a fixed extra sum in a negotiated exit",
    "city": "the employer's city (stored reference figures are used)",
    "average_wage_year": "year of the local average wage (default: the year before termination)",
    "start_date": "UK: start of continuous employment",
    "weekly_pay": "UK: a week's pay",
    "contractual_notice_weeks": "UK: contractual notice in weeks",
}
PARAMETERS = {
    "part_month_counting": "exact | started_month_counts | ignore_part_month (CN-M-02)",
    "include_overtime": "true | false: overtime in the wage base (CN-M-03; default: the city's rule)",
    "pre_2008_rule": "mol_1994_481 | lcl_art_47 (CN-M-05; default: the city's rule)",
    "round_wage_base_to_fen": "true | false: round W before multiplying (CN-M-09)",
    "pay_in_lieu_with_damages": "true | false: add P to D (CN-M-08, unverified)",
}


class Command(BaseCommand):
    help = "Severance, pay in lieu, damages (2N), N + x and the last working day, with the working shown."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", help="a JSON file with the case (arguments override its fields)")
        for name, text in ARGUMENTS.items():
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, help=text)
        for name, text in PARAMETERS.items():
            parser.add_argument(f"--{name.replace('_', '-')}", dest=f"parameter_{name}", help=text)
        parser.add_argument(
            "--wage", action="append", default=[], help="one month's wage: YYYY-MM=amount[:overtime]"
        )
        parser.add_argument("--no-notice", action="store_true", help="no 30 days' notice: pay in lieu is due")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--language", default="zh-hans", help="zh-hans or en for the working (default zh-hans)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        language = options["language"]
        try:
            data = build_input(options)
            bundle = exit_costs_calculate(data=data)
        except LawInputError as exc:
            raise fail(self.stdout, exc, as_json=options["json"], language=language) from exc
        if options["json"]:
            self.stdout.write(json.dumps(bundle.as_dict(), ensure_ascii=False, indent=2))
            return
        write_bundle(self.stdout, bundle, language)


def build_input(options: dict[str, Any]) -> dict[str, Any]:
    """``--input`` merged with the arguments given (arguments win)."""
    data = read_input(options.get("input"))
    for name in ARGUMENTS:
        if options.get(name) not in (None, ""):
            data[name] = options[name]
    parameters = dict(data.get("parameters") or {})
    for name in PARAMETERS:
        if options.get(f"parameter_{name}") not in (None, ""):
            parameters[name] = options[f"parameter_{name}"]
    if parameters:
        data["parameters"] = parameters
    if options.get("wage"):
        rows = []
        for item in options["wage"]:
            month, _, amounts = item.partition("=")
            amount, _, overtime = amounts.partition(":")
            row = {"month": month.strip(), "amount": amount.strip()}
            if overtime:
                row["overtime"] = overtime.strip()
            rows.append(row)
        data["wages"] = rows
    if options.get("no_notice"):
        data["notice_given"] = False
        if (data.get("pack") or "cn") == "uk":
            data.pop("notice_given")
            data["pay_in_lieu"] = True
    return data
