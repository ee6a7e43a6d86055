"""`perfloop run`: migrate, load the demo company into an empty database, print the sign-ins, serve.

The one-command start of the embedded default; production runs a WSGI server
and `perfloop worker` instead.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from perfloop.org.models import Employee


class Command(BaseCommand):
    help = "Migrate, load the demo company if the database is empty, and serve on 127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("address", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-demo", action="store_true", help="do not load the demo company")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_demo"]:
            if Employee.objects.exists():
                call_command("demo", credentials=True)
            else:
                call_command("demo")  # prints the sign-ins after building
        self.stdout.write(self.style.SUCCESS(f"perfloop is serving on http://{options['address']}/"))
        call_command("runserver", options["address"], use_reloader=False)
