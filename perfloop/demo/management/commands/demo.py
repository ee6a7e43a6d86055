"""`manage.py demo` (`perfloop demo`): build the deterministic demo company, or report on it."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from perfloop.demo.credentials import DEMO_PASSWORD, OTHER_ACCOUNTS_NOTE, DemoSignIn
from perfloop.demo.generator import DEFAULT_SEED
from perfloop.demo.selectors import demo_sign_ins_present, demo_summary
from perfloop.demo.services import DemoError, demo_company_build
from perfloop.org.models import Employee

_SUMMARY_LABELS = (
    ("reps", "reps (scored in the before window)"),
    ("long_term_underperformers", "long-term underperformers (6+ months not met)"),
    ("team_completion_before", "team completion, before"),
    ("team_completion_after", "team completion, after"),
    ("improved", "improved during the plan"),
    ("not_improved", "not improved"),
    ("left", "left the company"),
    ("hired", "hired since the improvement phase began"),
    ("met_threshold", "met threshold (composite)"),
)


class Command(BaseCommand):
    help = (
        "Build the demo company of the case study into an empty database and print its sign-ins; "
        "--summary prints the case study's figures measured from the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--summary", action="store_true", help="print the figures measured from the database"
        )
        parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="build only into an empty database; otherwise do nothing, quietly",
        )
        parser.add_argument(
            "--credentials", action="store_true", help="print the demo sign-ins; build nothing"
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["summary"] or options["json"]:
            self._print_summary(as_json=options["json"])
            return
        if options["credentials"]:
            self._print_sign_ins(demo_sign_ins_present())
            return
        existing = Employee.objects.count()
        if existing:
            if not options["if_empty"]:
                self.stdout.write(
                    f"The database already has {existing} employees: the demo company is only built into an "
                    "empty database. `demo --summary` reports on it, `demo --credentials` lists its sign-ins."
                )
            return
        try:
            result = demo_company_build(seed=options["seed"])
        except DemoError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Built the demo company (seed {result.seed}) in {result.seconds:.1f} s: "
                f"{result.employees} employees, {result.users} accounts, {result.batches} imported files, "
                f"{result.facts} monthly facts, {result.goals} agreed goals ({result.disputes} disputed), "
                f"{result.wages} wage records, {result.scorecards} scorecards; {result.months_closed} months "
                f"closed in order, raising {result.alerts} alerts."
            )
        )
        self._print_summary(as_json=False)
        self._print_sign_ins(list(result.sign_ins))

    def _print_summary(self, *, as_json: bool) -> None:
        summary = demo_summary()
        if as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        self.stdout.write(
            f"\nCase study (before {summary['months_before'][0]}..{summary['months_before'][-1]}, "
            f"after {summary['months_after'][0]}..{summary['months_after'][-1]}):"
        )
        for key, label in _SUMMARY_LABELS:
            value = summary[key]
            shown = "n/a" if value is None else (f"{value:.1%}" if isinstance(value, float) else str(value))
            self.stdout.write(f"  {label:<48} {shown}")

    def _print_sign_ins(self, sign_ins: list[DemoSignIn]) -> None:
        if not sign_ins:
            self.stdout.write("This database has no demo sign-ins.")
            return
        self.stdout.write(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD} — public, for the demo only):")
        self.stdout.write(f"  {'role':<10} {'username':<10} {'password':<14} sees")
        for s in sign_ins:
            self.stdout.write(f"  {s.role:<10} {s.username:<10} {DEMO_PASSWORD:<14} {s.sees}")
        self.stdout.write(f"  {OTHER_ACCOUNTS_NOTE}")
