# ruff: noqa: N999 - the module is named after the command users type: `perfloop import`
"""`perfloop import --source crm --profile NAME FILE [--json]` — a thin wrapper over ``import_file``."""

from __future__ import annotations

import csv
import json
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from perfloop.accounts.models import User
from perfloop.core.errors import DomainError
from perfloop.core.months import Month
from perfloop.imports.file_check import FileCheck, percent_text
from perfloop.imports.management.commands._profiles import write_profile_list
from perfloop.imports.models import ImportBatch
from perfloop.imports.problems import describe
from perfloop.imports.services import (
    ImportOutcome,
    import_check,
    import_file,
    import_preview,
)
from perfloop.org.models import OrgUnit


class Command(BaseCommand):
    help = "Import a CSV, XLSX or JSON file through a mapping profile (idempotent; bad rows are quarantined)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="the file to import")
        parser.add_argument(
            "--source", default="crm", help="source code: crm, finance, lms, hris or your own"
        )
        parser.add_argument("--profile", help="mapping profile name (see --list-profiles)")
        parser.add_argument("--period", help="the one month the file covers, YYYY-MM")
        parser.add_argument("--first", help="first month the file covers, YYYY-MM")
        parser.add_argument("--last", help="last month the file covers, YYYY-MM")
        parser.add_argument("--unit", help="org unit code: the file covers only this subtree")
        parser.add_argument("--user", help="import as this user (default: the system)")
        parser.add_argument("--no-zero-fill", action="store_true", help="do not give people without rows a 0")
        parser.add_argument(
            "--no-recompute", action="store_true", help="leave scorecards for the monthly close"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="write nothing: show the mapping, the first rows and what importing the whole file would do",
        )
        parser.add_argument(
            "--invitations", help="roster: write the first-sign-in links to this CSV (mode 600)"
        )
        parser.add_argument("--base-url", default="", help="prefix of the links in --invitations")
        parser.add_argument("--list-profiles", action="store_true", help="list the mapping profiles and exit")
        parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list_profiles"]:
            write_profile_list(self.stdout, as_json=options["json"])
            return
        if not options["file"] or not options["profile"]:
            raise CommandError("Give a FILE and --profile NAME (perfloop import --list-profiles shows them).")
        first = options["first"] or options["period"]
        last = options["last"] or options["period"]
        try:
            actor = self._actor(options["user"])
            # The same file, as the same person, for the same period and unit: to check or to import.
            request: dict[str, Any] = {
                "actor": actor,
                "source": options["source"],
                "profile": options["profile"],
                "path_or_bytes": options["file"],
                "first": first,
                "last": last,
                "unit": self._unit(options["unit"]),
                "zero_fill": not options["no_zero_fill"],
            }
            if options["dry_run"]:
                check = import_check(**request)
                self._preview(options["file"], options["profile"], check, actor, as_json=options["json"])
                return
            outcome = import_file(
                **request,
                channel=ImportBatch.Channel.CLI,
                recompute=not options["no_recompute"],
                progress=None if options["quiet"] or options["json"] else self._progress,
            )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        if not (options["quiet"] or options["json"]):
            self.stderr.write("")
        if options["invitations"] and outcome.invitations:
            self._write_invitations(options["invitations"], outcome, options["base_url"])
        self._report(outcome, as_json=options["json"])
        if not outcome.is_applied:
            raise CommandError(f"{outcome.batch.error_code}: {outcome.batch.error_message}", returncode=2)

    def _actor(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username}")
        return user

    def _unit(self, code: str | None) -> OrgUnit | None:
        if not code:
            return None
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise CommandError(f"No org unit {code}")
        return unit

    def _progress(self, phase: str, fraction: float) -> None:
        width = 30
        done = int(fraction * width)
        self.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {fraction:4.0%} {phase:<12}", ending="")
        self.stderr.flush()

    def _report(self, outcome: ImportOutcome, *, as_json: bool) -> None:
        summary = outcome.as_dict()
        if as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        batch = outcome.batch
        if outcome.is_duplicate:
            self.stdout.write(
                f"Already imported as batch #{batch.pk} ({batch.file_sha256[:12]}…): nothing changed."
            )
            return
        period = summary["period"]
        self.stdout.write(
            f"Batch #{batch.pk} {batch.status}: {batch.file_name} "
            f"({summary['source']}, {summary['profile']}), "
            f"{period['first'] or '—'}..{period['last'] or '—'}"
        )
        rows = summary["rows"]
        self.stdout.write(
            f"  rows: {rows['total']:,} total, {rows['valid']:,} applied, {rows['quarantined']:,} quarantined"
        )
        facts = summary["facts"]
        if batch.kind not in {"roster", "wages"} and outcome.is_applied:
            self.stdout.write(
                f"  facts: {facts['created']:,} created, {facts['changed']:,} changed, "
                f"{facts['unchanged']:,} unchanged, {facts['removed']:,} removed, "
                f"{facts['zero_filled']:,} real zeros"
            )
        if summary["people"]:
            self.stdout.write(
                "  people: " + ", ".join(f"{key} {value:,}" for key, value in summary["people"].items())
            )
        if summary["restated_batches"]:
            self.stdout.write(
                f"  restates batches: {', '.join(f'#{b}' for b in summary['restated_batches'])}"
            )
        for warning in summary["warnings"]:
            self.stdout.write(f"  warning: {warning['message']}")
        for row in batch.quarantined_rows.all()[:10]:
            self.stdout.write(f"  row {row.row_number}: {row.code} — {row.message}")
        if batch.rows_quarantined > 10:
            self.stdout.write(f"  … {batch.rows_quarantined - 10:,} more: see /imports/batches/{batch.pk}/")

    def _write_invitations(self, path: str, outcome: ImportOutcome, base_url: str) -> None:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["工号 employee_number", "姓名 name", "邮箱 email", "首次登录链接 first sign-in link"]
            )
            for link in outcome.invitations:
                writer.writerow(
                    [link.employee_number, link.name, link.email, base_url.rstrip("/") + link.path]
                )
        self.stderr.write(
            f"{len(outcome.invitations):,} one-time sign-in links written to {path}: "
            "hand them out, then delete the file."
        )

    def _preview(
        self, path: str, profile: str, check: FileCheck, actor: User | None, *, as_json: bool
    ) -> None:
        with open(path, "rb") as handle:
            preview = import_preview(
                data=handle.read(), file_name=os.path.basename(path), profile=profile, actor=actor
            )
        if as_json:
            self.stdout.write(
                json.dumps({**preview.__dict__, "check": check.as_dict()}, ensure_ascii=False, default=str)
            )
            if check.refusal is not None:
                raise CommandError("the file would be refused", returncode=2)
            return
        if preview.rejection:
            raise CommandError(f"{preview.rejection['code']}: {preview.rejection['message']}", returncode=2)
        self.stdout.write(
            f"{preview.file_format} {preview.encoding} {preview.sheet}, header on row {preview.header_row}"
        )
        for column in preview.columns:
            marker = "*" if column["required"] else " "
            self.stdout.write(f"  {marker} {column['field']:<18} ← {column['column'] or '—'}")
        if preview.unknown:
            self.stdout.write(f"  not imported: {', '.join(preview.unknown)}")
        for row in preview.rows:
            problems = ("  ⚠ " + "; ".join(row["problems"])) if row["problems"] else ""
            self.stdout.write(
                f"  {row['row']:>6}: {' | '.join(str(c or '') for c in row['cells'])}{problems}"
            )
        self._check_report(check)

    def _check_report(self, check: FileCheck) -> None:
        """The whole file's verdict under the first rows; a file that would be refused exits with 2."""
        if check.is_duplicate:
            earlier = f" as batch #{check.duplicate_of}" if check.duplicate_of else ""
            self.stdout.write(
                f"whole file: already imported{earlier}; importing it again would change nothing"
            )
            return
        if check.refusal is not None:
            reason = describe(check.refusal["code"], check.refusal["details"])
            self.stdout.write(f"whole file: would be refused — {check.refusal['code']}: {reason}")
        else:
            self.stdout.write(
                f"whole file: ready — {check.rows_applied:,} of {check.rows_total:,} rows would be applied, "
                f"{check.rows_with_problems:,} set aside ({percent_text(check.problem_share)}; "
                f"up to {percent_text(check.max_error_share)} may be)"
            )
        if check.facts:
            months = [str(Month.from_int(month)) for month in check.months]
            self.stdout.write(
                f"  writes {check.facts:,} monthly values ({', '.join(check.kpis)}) "
                f"of {check.people:,} people, {months[0]}..{months[-1]}"
            )
        elif check.people and check.is_ready:
            self.stdout.write(f"  people: {check.people:,}")
        if check.restates:
            self.stdout.write(f"  restates batches: {', '.join(f'#{batch}' for batch in check.restates)}")
        for warning in check.warnings:
            self.stdout.write(f"  warning: {describe(warning['code'], warning.get('details'))}")
        for problem in check.problems:
            rows = ", ".join(map(str, problem.first_rows)) + (
                " …" if problem.rows > len(problem.first_rows) else ""
            )
            example = describe(problem.code, problem.details)
            self.stdout.write(f"  {problem.code} × {problem.rows:,} (rows {rows}): {example}")
        if check.refusal is not None:
            raise CommandError("the file would be refused", returncode=2)
