"""`perfloop personal-data export PERSON --out FILE`: a person's copy of their data, from the server's shell.

For a request HR receives in writing — typically from someone who has left, whose account is
deactivated and cannot download it from the *My data* page. The export is recorded like one made on the
page (`personal_data.export`, channel `cli`). PERSON is a username or an employee number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from perfloop.accounts.models import User
from perfloop.accounts.services import personal_data_export


class Command(BaseCommand):
    help = "Write a person's copy of their personal data (PIPL Art. 45) as an XLSX workbook."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="write the workbook of one person")
        export.add_argument("person", help="username or employee number")
        export.add_argument("--out", required=True, help="the .xlsx file to write (not overwritten)")

    def handle(self, *args: Any, **options: Any) -> None:
        person = options["person"]
        users = list(User.objects.filter(Q(username=person) | Q(employee__employee_number=person))[:2])
        if not users:
            raise CommandError(f"No user or employee number {person}")
        if len(users) > 1:
            raise CommandError(f"{person} is both a username and an employee number: give the username")
        out = Path(options["out"])
        if out.exists():
            raise CommandError(f"{out} exists: choose another file name")
        data = personal_data_export(actor=None, user=users[0], channel="cli")
        with out.open("xb") as handle:
            handle.write(data)
        self.stdout.write(f"wrote {out} ({len(data):,} bytes) for {users[0].username}")
